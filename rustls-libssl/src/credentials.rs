//! A certificate chain and private key: loaded through libcrypto (PEM, DER, encrypted keys),
//! turned into a rustls `CertifiedKey` for the handshake.

use std::sync::{Arc, OnceLock};

use rustls::sign::CertifiedKey;
use rustls_pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

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

/// What one side presents: leaf first, then the extra chain; and its key.
#[derive(Clone, Debug, Default)]
pub(crate) struct Credentials {
    pub leaf: Option<Cert>,
    chain: Vec<Cert>,
    pub key: Option<PKey>,
    /// The rustls form, built once and shared by every copy of these credentials (parsing
    /// a key is too slow to repeat per connection).
    cached: Arc<OnceLock<Arc<CertifiedKey>>>,
}

impl Credentials {
    /// The rustls form, once both a certificate and a matching key are present.
    pub(crate) fn certified_key(&self) -> Result<Option<Arc<CertifiedKey>>> {
        if let Some(k) = self.cached.get() {
            return Ok(Some(Arc::clone(k)));
        }
        let Some(k) = self.build()? else {
            return Ok(None);
        };
        Ok(Some(Arc::clone(self.cached.get_or_init(|| k))))
    }

    /// Called by every mutation: later copies build their own rustls form.
    fn changed(&mut self) {
        self.cached = Arc::default();
    }

    fn build(&self) -> Result<Option<Arc<CertifiedKey>>> {
        let (Some(leaf), Some(key)) = (&self.leaf, &self.key) else {
            return Ok(None);
        };
        let mut ders = Vec::with_capacity(1 + self.chain.len());
        for cert in std::iter::once(leaf).chain(&self.chain) {
            let der = cert.to_der().ok_or(Error::Crypto)?;
            ders.push(CertificateDer::from(der));
        }
        let pkcs8 = key.to_pkcs8_der().ok_or(Error::Crypto)?;
        let provider = rustls::crypto::aws_lc_rs::default_provider();
        let signing = provider
            .key_provider
            .load_private_key(PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(pkcs8)))
            .map_err(|_| Error::Reason(sys::SSL_R_UNKNOWN_CERTIFICATE_TYPE))?;
        Ok(Some(Arc::new(CertifiedKey::new(ders, signing))))
    }

    /// `SSL_CTX_check_private_key`: a certificate and a key are set, and they match.
    pub(crate) fn check_private_key(&self) -> Result<()> {
        let leaf = self
            .leaf
            .as_ref()
            .ok_or(Error::Reason(sys::SSL_R_NO_CERTIFICATE_ASSIGNED))?;
        let key = self
            .key
            .as_ref()
            .ok_or(Error::Reason(sys::SSL_R_NO_PRIVATE_KEY_ASSIGNED))?;
        if leaf.matches_key(key) {
            Ok(())
        } else {
            Err(Error::Crypto)
        }
    }

    /// Sets the key, refusing one that does not match the certificate (as OpenSSL does).
    pub(crate) fn set_key(&mut self, key: PKey) -> Result<()> {
        if let Some(leaf) = &self.leaf {
            if !leaf.matches_key(&key) {
                return Err(Error::Crypto);
            }
        }
        self.key = Some(key);
        self.changed();
        Ok(())
    }

    /// Replaces the extra chain (`SSL_CTX_set0_chain`, a chain file).
    pub(crate) fn set_chain(&mut self, chain: Vec<Cert>) {
        self.chain = chain;
        self.changed();
    }

    /// Appends to the extra chain (`SSL_CTX_add0_chain_cert`, `add_extra_chain_cert`).
    pub(crate) fn add_chain(&mut self, cert: Cert) {
        self.chain.push(cert);
        self.changed();
    }

    /// Sets the leaf certificate, dropping a key that no longer matches.
    pub(crate) fn set_leaf(&mut self, cert: Cert) {
        if let Some(key) = &self.key {
            if !cert.matches_key(key) {
                self.key = None;
            }
        }
        self.leaf = Some(cert);
        self.changed();
    }
}

/// Reads a certificate file: the first certificate (`SSL_CTX_use_certificate_file`).
pub(crate) fn read_cert_file(path: &str, ty: FileType) -> Result<Cert> {
    let bio = open(path)?;
    let cert = match ty {
        FileType::Pem => bio.read_pem_certs().into_iter().next(),
        FileType::Asn1 => bio.read_der_cert(),
    };
    cert.ok_or(Error::Crypto)
}

/// Reads a PEM chain file: leaf, then the rest (`SSL_CTX_use_certificate_chain_file`).
pub(crate) fn read_chain_file(path: &str) -> Result<(Cert, Vec<Cert>)> {
    let mut certs = open(path)?.read_pem_certs().into_iter();
    let leaf = certs
        .next()
        .ok_or(Error::Reason(sys::SSL_R_NO_CERTIFICATE_ASSIGNED))?;
    Ok((leaf, certs.collect()))
}

/// Reads a private key file, PEM (possibly encrypted) or DER.
pub(crate) fn read_key_file(path: &str, ty: FileType, password: PasswordCallback) -> Result<PKey> {
    let bio = open(path)?;
    let key = match ty {
        FileType::Pem => bio.read_pem_key(password),
        FileType::Asn1 => bio.read_der_key(),
    };
    key.ok_or(Error::Crypto)
}

fn open(path: &str) -> Result<Bio> {
    Bio::open_file(path).map_err(Error::File)
}
