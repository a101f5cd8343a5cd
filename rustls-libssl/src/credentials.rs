//! A certificate chain and private key: loaded through libcrypto (PEM, DER, encrypted keys),
//! turned into a rustls `CertifiedKey` for the handshake.

use std::sync::{Arc, OnceLock};

use rustls::sign::{CertifiedKey, Signer, SigningKey};
use rustls::{SignatureAlgorithm, SignatureScheme};
use rustls_pki_types::{
    CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, SubjectPublicKeyInfoDer,
};

use crate::crypto_sys::{self as sys, Bio, Cert, PKey, PasswordCallback};
use crate::error::{Error, Result};

/// `SSL_FILETYPE_PEM` / `SSL_FILETYPE_ASN1`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum FileType {
    Pem,
    Asn1,
}

impl FileType {
    /// From the C constant; anything else is `SSL_R_BAD_SSL_FILETYPE`.
    pub(crate) fn from_c(value: i32) -> Result<Self> {
        match value {
            sys::SSL_FILETYPE_PEM => Ok(Self::Pem),
            sys::SSL_FILETYPE_ASN1 => Ok(Self::Asn1),
            _ => Err(Error::Reason(sys::SSL_R_BAD_SSL_FILETYPE)),
        }
    }
}

/// What one side presents: one certificate, chain and key per key type (RSA, EC, ...) as
/// in OpenSSL, so a server can hold RSA and ECDSA certificates side by side. Setters act on
/// the slot of the "current" certificate, as OpenSSL's do.
#[derive(Clone, Debug, Default)]
pub(crate) struct Credentials {
    slots: Vec<Slot>,
    current: usize,
    /// `SSL_CTX_add_extra_chain_cert`: sent after any certificate without a chain of its
    /// own.
    extra: Vec<Cert>,
    /// The rustls form, built once and shared by every copy of these credentials (parsing
    /// a key is too slow to repeat per connection).
    cached: Arc<OnceLock<Vec<Arc<CertifiedKey>>>>,
}

#[derive(Clone, Debug)]
struct Slot {
    kind: i32,
    leaf: Option<Cert>,
    chain: Vec<Cert>,
    key: Option<PKey>,
    /// `SSL_CTX_use_serverinfo`: version 2 server info kept with this certificate.
    serverinfo: Vec<u8>,
}

impl Credentials {
    /// The rustls forms of every complete slot, in the order they were set.
    pub(crate) fn certified_keys(&self) -> Result<Vec<Arc<CertifiedKey>>> {
        if let Some(k) = self.cached.get() {
            return Ok(k.clone());
        }
        let mut keys = Vec::with_capacity(self.slots.len());
        for slot in &self.slots {
            if let Some(k) = slot.build(&self.extra)? {
                keys.push(k);
            }
        }
        Ok(self.cached.get_or_init(|| keys).clone())
    }

    /// The leaf of every complete slot, in [`Credentials::certified_keys`] order.
    pub(crate) fn leaves(&self) -> impl Iterator<Item = &Cert> {
        self.slots
            .iter()
            .filter_map(|s| s.key.as_ref().and(s.leaf.as_ref()))
    }

    /// The key types (`EVP_PKEY_RSA`, `EVP_PKEY_EC`...) of the complete slots.
    pub(crate) fn key_types(&self) -> impl Iterator<Item = i32> + '_ {
        self.slots
            .iter()
            .filter(|s| s.key.is_some() && s.leaf.is_some())
            .map(|s| s.kind)
    }

    /// Called by every mutation: later copies build their own rustls form.
    fn changed(&mut self) {
        self.cached = Arc::default();
    }

    /// The current certificate (`SSL_CTX_get0_certificate`, `SSL_get_certificate`).
    pub(crate) fn leaf(&self) -> Option<&Cert> {
        self.slots.get(self.current)?.leaf.as_ref()
    }

    /// The current private key.
    pub(crate) fn key(&self) -> Option<&PKey> {
        self.slots.get(self.current)?.key.as_ref()
    }

    /// The current slot's extra chain.
    pub(crate) fn chain(&self) -> &[Cert] {
        self.slots.get(self.current).map_or(&[], |s| &s.chain)
    }

    /// Makes the slot holding `leaf` current (`SSL_CTX_select_current_cert`): the same
    /// object, else an equal certificate, in a slot that has its key (as OpenSSL).
    pub(crate) fn select(&mut self, leaf: &Cert) -> bool {
        let with_key = |s: &&Slot| s.key.is_some();
        let same = |s: &Slot| s.leaf.as_ref().is_some_and(|l| l.as_ptr() == leaf.as_ptr());
        let equal = |s: &Slot| s.leaf.as_ref().is_some_and(|l| l.same_as(leaf));
        let found = self
            .slots
            .iter()
            .position(|s| with_key(&s) && same(s))
            .or_else(|| self.slots.iter().position(|s| with_key(&s) && equal(s)));
        match found {
            Some(i) => {
                self.current = i;
                true
            }
            None => false,
        }
    }

    /// Whether a certificate of this key type is set already.
    pub(crate) fn has_slot_for(&self, kind: i32) -> bool {
        self.slots
            .iter()
            .any(|s| s.kind == kind && s.leaf.is_some())
    }

    /// `SSL_CTX_check_private_key`: the current certificate and key are set and match.
    pub(crate) fn check_private_key(&self) -> Result<()> {
        let leaf = self
            .leaf()
            .ok_or(Error::Reason(sys::SSL_R_NO_CERTIFICATE_ASSIGNED))?;
        let key = self
            .key()
            .ok_or(Error::Reason(sys::SSL_R_NO_PRIVATE_KEY_ASSIGNED))?;
        if leaf.matches_key(key) {
            Ok(())
        } else {
            Err(Error::Crypto)
        }
    }

    /// Replaces the current slot's chain (`SSL_CTX_set0_chain`, a chain file); false if
    /// there is no current certificate.
    pub(crate) fn set_chain(&mut self, chain: Vec<Cert>) -> bool {
        let Some(slot) = self.slots.get_mut(self.current) else {
            return false;
        };
        slot.chain = chain;
        self.changed();
        true
    }

    /// Appends to the current slot's chain (`SSL_CTX_add0_chain_cert`); false if there is
    /// no current certificate.
    pub(crate) fn add_chain(&mut self, cert: Cert) -> bool {
        let Some(slot) = self.slots.get_mut(self.current) else {
            return false;
        };
        slot.chain.push(cert);
        self.changed();
        true
    }

    /// Appends an extra chain certificate (`SSL_CTX_add_extra_chain_cert`).
    pub(crate) fn add_extra(&mut self, cert: Cert) {
        self.extra.push(cert);
        self.changed();
    }

    /// The extra chain certificates.
    pub(crate) fn extra(&self) -> &[Cert] {
        &self.extra
    }

    /// Drops the extra chain certificates (`SSL_CTX_clear_extra_chain_certs`).
    pub(crate) fn clear_extra(&mut self) {
        self.extra.clear();
        self.changed();
    }

    /// `SSL_CTX_set_current_cert`: `SSL_CERT_SET_FIRST` makes the first slot with a
    /// certificate current, `SSL_CERT_SET_NEXT` the next one; false if there is none.
    pub(crate) fn set_current(&mut self, op: i64) -> bool {
        let start = match op {
            x if x == i64::from(sys::SSL_CERT_SET_FIRST) => 0,
            x if x == i64::from(sys::SSL_CERT_SET_NEXT) => self.current + 1,
            _ => return false,
        };
        match (start..self.slots.len()).find(|i| self.slots[*i].leaf.is_some()) {
            Some(i) => {
                self.current = i;
                true
            }
            None => false,
        }
    }

    /// Keeps server info with the current certificate (OpenSSL's current slot is the RSA
    /// one until a certificate or key is set).
    pub(crate) fn set_serverinfo(&mut self, data: Vec<u8>) {
        if self.slots.is_empty() {
            self.current = self.slot_for(sys::EVP_PKEY_RSA);
        }
        if let Some(slot) = self.slots.get_mut(self.current) {
            slot.serverinfo = data;
        }
    }

    /// Sets the key in the slot of its type, refusing one that does not match that slot's
    /// certificate (as OpenSSL does).
    pub(crate) fn set_key(&mut self, key: PKey) -> Result<()> {
        let i = self.slot_for(key.base_id());
        let slot = &mut self.slots[i];
        if slot
            .leaf
            .as_ref()
            .is_some_and(|leaf| !leaf.matches_key(&key))
        {
            return Err(Error::Crypto); // X509_check_private_key queued "key values mismatch"
        }
        slot.key = Some(key);
        self.current = i;
        self.changed();
        Ok(())
    }

    /// Sets the certificate of its key type and makes it current, dropping a key of that
    /// slot that no longer matches.
    pub(crate) fn set_leaf(&mut self, cert: Cert) {
        let i = self.slot_for(cert.key_base_id());
        let slot = &mut self.slots[i];
        if let Some(key) = &slot.key {
            // As OpenSSL: a key that does not match is dropped, and the error queue is
            // cleared (also of what was there before).
            sys::clear_errors();
            if !cert.matches_key(key) {
                slot.key = None;
                sys::clear_errors();
            }
        }
        slot.leaf = Some(cert);
        slot.chain.clear();
        self.current = i;
        self.changed();
    }

    fn slot_for(&mut self, kind: i32) -> usize {
        if let Some(i) = self.slots.iter().position(|s| s.kind == kind) {
            return i;
        }
        self.slots.push(Slot {
            kind,
            leaf: None,
            chain: Vec::new(),
            key: None,
            serverinfo: Vec::new(),
        });
        self.slots.len() - 1
    }
}

impl Slot {
    fn build(&self, extra: &[Cert]) -> Result<Option<Arc<CertifiedKey>>> {
        let (Some(leaf), Some(key)) = (&self.leaf, &self.key) else {
            return Ok(None);
        };
        let chain = if self.chain.is_empty() {
            extra
        } else {
            &self.chain
        };
        let mut ders = Vec::with_capacity(1 + chain.len());
        for cert in std::iter::once(leaf).chain(chain) {
            let der = cert.to_der().ok_or(Error::Crypto)?;
            ders.push(CertificateDer::from(der));
        }
        let pkcs8 = key.to_pkcs8_der().ok_or(Error::Crypto)?;
        let provider = rustls::crypto::aws_lc_rs::default_provider();
        let signing = provider
            .key_provider
            .load_private_key(PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(pkcs8)))
            .map_err(|_| Error::Reason(sys::SSL_R_UNKNOWN_CERTIFICATE_TYPE))?;
        let key = Arc::new(PeerOrderKey {
            inner: signing,
            allowed: None,
        });
        Ok(Some(Arc::new(CertifiedKey::new(ders, key))))
    }
}

/// A signing key that picks the scheme as OpenSSL does: the first of the peer's offered
/// schemes (in its order) that the key supports, optionally restricted to the schemes the
/// application allows (`SignatureAlgorithms`).
#[derive(Debug)]
struct PeerOrderKey {
    inner: Arc<dyn SigningKey>,
    allowed: Option<Arc<[SignatureScheme]>>,
}

impl SigningKey for PeerOrderKey {
    fn choose_scheme(&self, offered: &[SignatureScheme]) -> Option<Box<dyn Signer>> {
        let offered = openssl_preference(offered);
        let signer = offered
            .iter()
            .filter(|s| self.allowed.as_ref().is_none_or(|a| a.contains(s)))
            .find_map(|s| self.inner.choose_scheme(std::slice::from_ref(s)))?;
        // `SSL_get_signature_nid` reports it.
        if let Some(state) = crate::current::current() {
            crate::current::lock(&state.status).own_scheme = Some(signer.scheme());
        }
        Some(signer)
    }

    fn public_key(&self) -> Option<SubjectPublicKeyInfoDer<'_>> {
        self.inner.public_key()
    }

    fn algorithm(&self) -> SignatureAlgorithm {
        self.inner.algorithm()
    }
}

/// The schemes a signer may use, in the order OpenSSL's server tries them: the client's
/// (rustls hands a TLS 1.2 server's key its own preference), or with
/// `SSL_OP_CIPHER_SERVER_PREFERENCE` the server's configured list.
fn openssl_preference(offered: &[SignatureScheme]) -> Vec<SignatureScheme> {
    let mut sorted = offered.to_vec();
    let Some(state) = crate::current::current() else {
        return sorted;
    };
    let order: Vec<u16> = {
        let setup = state.setup();
        if setup.role != Some(crate::setup::Role::Server) {
            return sorted;
        }
        if setup.options & sys::SSL_OP_CIPHER_SERVER_PREFERENCE != 0 {
            match &setup.settings.sigalgs {
                Some(list) => list.iter().map(|s| u16::from(*s)).collect(),
                None => crate::sigalgs::DEFAULT.to_vec(),
            }
        } else {
            let hello = crate::current::lock(&state.hello);
            match hello.as_ref().and_then(|h| h.sigalgs.clone()) {
                Some(list) => list.to_vec(),
                None => return sorted,
            }
        }
    };
    sorted.sort_by_key(|s| {
        order
            .iter()
            .position(|c| *c == u16::from(*s))
            .unwrap_or(order.len())
    });
    sorted
}

/// The certificates and keys a connection presents, as rustls takes them: its credentials
/// with the chain OpenSSL would build for a lone certificate (unless
/// `SSL_MODE_NO_AUTO_CHAIN`), restricted to the configured signature schemes.
pub(crate) fn presented(setup: &crate::setup::Setup) -> Result<Vec<Arc<CertifiedKey>>> {
    let mut credentials = setup.settings.credentials.certified_keys()?;
    if setup.mode & sys::SSL_MODE_NO_AUTO_CHAIN as u64 == 0 {
        // The leaves come parsed from the credentials (parsing one is slow).
        let store = setup
            .settings
            .chain_store
            .clone()
            .unwrap_or_else(|| setup.ctx.store());
        let leaves = setup.settings.credentials.leaves();
        for (key, leaf) in credentials.iter_mut().zip(leaves) {
            if key.cert.len() == 1 {
                *key = auto_chain(key, leaf, &store);
            }
        }
    }
    if let Some(allowed) = setup.settings.sigalgs.as_deref() {
        for key in &mut credentials {
            *key = restrict(key, allowed);
        }
    }
    Ok(credentials)
}

/// `key` with the chain OpenSSL would add to a lone certificate: the issuers its trust
/// store finds for it (unless `SSL_MODE_NO_AUTO_CHAIN`).
pub(crate) fn auto_chain(
    key: &Arc<CertifiedKey>,
    leaf: &Cert,
    store: &crate::crypto_sys::X509Store,
) -> Arc<CertifiedKey> {
    let check = crate::crypto_sys::ChainCheck {
        store,
        param: None,
        callback: None,
        ex_data: None,
        purpose: c"default",
        replace: None,
        dane: None,
    };
    let built = crate::crypto_sys::verify_chain(leaf, &[], &check).verified_chain;
    if built.len() < 2 {
        return Arc::clone(key);
    }
    let mut cert = key.cert.clone();
    cert.extend(
        built[1..]
            .iter()
            .filter_map(|c| c.to_der())
            .map(CertificateDer::from),
    );
    Arc::new(CertifiedKey {
        cert,
        ..(**key).clone()
    })
}

/// `SSL_CTX_build_cert_chain`: the chain libcrypto builds for the current certificate from
/// `store` (`SSL_BUILD_CHAIN_FLAG_*` in `flags`), without the leaf and, with
/// `NO_ROOT`, without a self-signed root. Returns the chain and the function's result (1,
/// or 2 when verification failed and `IGNORE_ERROR` asked to go on).
pub(crate) fn build_chain(
    creds: &Credentials,
    store: &crate::crypto_sys::X509Store,
    flags: i64,
) -> Result<(Vec<Cert>, i64)> {
    let leaf = creds
        .leaf()
        .ok_or(Error::Reason(sys::SSL_R_NO_CERTIFICATE_SET))?;
    let has = |f: i32| flags & i64::from(f) != 0;
    // CHECK: only the certificates of the chain itself (and the leaf) are trusted.
    let own_store;
    let (store, untrusted) = if has(sys::SSL_BUILD_CHAIN_FLAG_CHECK) {
        own_store = crate::crypto_sys::X509Store::new().ok_or(Error::Crypto)?;
        for c in creds.chain().iter().chain(std::iter::once(leaf)) {
            own_store.add_cert(c);
        }
        (&own_store, Vec::new())
    } else if has(sys::SSL_BUILD_CHAIN_FLAG_UNTRUSTED) {
        (store, creds.chain().to_vec())
    } else {
        (store, Vec::new())
    };
    let check = crate::crypto_sys::ChainCheck {
        store,
        param: None,
        callback: None,
        ex_data: None,
        purpose: c"default",
        replace: None,
        dane: None,
    };
    let result = crate::crypto_sys::verify_chain(leaf, &untrusted, &check);
    let mut rv = 1;
    if !result.ok {
        if !has(sys::SSL_BUILD_CHAIN_FLAG_IGNORE_ERROR) {
            return Err(Error::Detailed(
                sys::SSL_R_CERTIFICATE_VERIFY_FAILED,
                format!(
                    "Verify error:{}",
                    sys::verify_error_string(i64::from(result.error))
                ),
            ));
        }
        if has(sys::SSL_BUILD_CHAIN_FLAG_CLEAR_ERROR) {
            sys::clear_errors();
        }
        rv = 2;
    }
    let mut chain: Vec<Cert> = result.verified_chain.into_iter().skip(1).collect();
    if has(sys::SSL_BUILD_CHAIN_FLAG_NO_ROOT) && chain.last().is_some_and(Cert::is_self_signed) {
        chain.pop();
    }
    Ok((chain, rv))
}

/// `key` restricted to `allowed` schemes (a connection's `SignatureAlgorithms`).
pub(crate) fn restrict(key: &Arc<CertifiedKey>, allowed: &[SignatureScheme]) -> Arc<CertifiedKey> {
    let inner = Arc::clone(&key.key);
    let restricted = Arc::new(PeerOrderKey {
        inner,
        allowed: Some(allowed.into()),
    });
    Arc::new(CertifiedKey {
        key: restricted,
        ..(**key).clone()
    })
}

/// Reads a certificate file of `SSL_FILETYPE_*` `ty`: the first certificate
/// (`SSL_CTX_use_certificate_file`), with OpenSSL's errors.
pub(crate) fn read_cert_file(path: &str, ty: i32) -> Result<Cert> {
    let bio = open(path)?;
    let (cert, lib) = match FileType::from_c(ty)? {
        FileType::Pem => (bio.read_pem_certs().into_iter().next(), sys::ERR_R_PEM_LIB),
        FileType::Asn1 => (bio.read_der_cert(), sys::ERR_R_ASN1_LIB),
    };
    cert.ok_or(Error::Reason(lib))
}

/// Reads a PEM chain file: leaf, then the rest (`SSL_CTX_use_certificate_chain_file`).
/// As OpenSSL, starts from an empty error queue; what stops the chain must be the end of
/// the file.
pub(crate) fn read_chain_file(path: &str) -> Result<(Cert, Vec<Cert>)> {
    sys::clear_errors();
    let mut certs = open(path)?.read_pem_certs().into_iter();
    let leaf = certs.next().ok_or(Error::Reason(sys::ERR_R_PEM_LIB))?;
    Ok((leaf, certs.collect()))
}

/// Reads a private key file of `SSL_FILETYPE_*` `ty`, PEM (possibly encrypted) or DER;
/// with `rsa_only`, an RSA key (`SSL_CTX_use_RSAPrivateKey_file`).
pub(crate) fn read_key_file(
    path: &str,
    ty: i32,
    password: PasswordCallback,
    rsa_only: bool,
) -> Result<PKey> {
    let bio = open(path)?;
    let (key, lib) = match FileType::from_c(ty)? {
        FileType::Pem => (bio.read_pem_key(password), sys::ERR_R_PEM_LIB),
        FileType::Asn1 => (bio.read_der_key(), sys::ERR_R_ASN1_LIB),
    };
    key.filter(|k| !rsa_only || k.check_rsa())
        .ok_or(Error::Reason(lib))
}

/// Opens a file for reading as OpenSSL does, with its errors.
fn open(path: &str) -> Result<Bio> {
    Bio::read_file(path).ok_or(Error::Reason(sys::ERR_R_SYS_LIB))
}
