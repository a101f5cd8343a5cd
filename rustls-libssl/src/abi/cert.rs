//! Certificates and keys: what a context or connection presents (`SSL_CTX_use_*`,
//! `SSL_use_*`, passphrase callbacks, client CA lists) and what the peer presented
//! (`SSL_get1_peer_certificate`, `SSL_get_peer_cert_chain`).

use std::ffi::{c_char, c_int, c_void};
use std::sync::Mutex;

use super::ctx::SSL_CTX;
use super::{addr, c_str, entry, try_ref, SSL};
use crate::connection::Role;
use crate::credentials;
use crate::crypto_sys::{self as sys, Cert, PKey, PasswordCallback, X509Stack};
use crate::current::lock;
use crate::error::Error;

/// `SSL_use_certificate`: this connection's leaf (takes a new reference).
#[no_mangle]
pub unsafe extern "C" fn SSL_use_certificate(ssl: *mut SSL, x: *mut sys::X509) -> c_int {
    entry(|| {
        let ssl = try_ref!(ssl);
        // SAFETY: x is a valid certificate the caller keeps.
        let cert = unsafe { Cert::from_ptr_up_ref(x) }.ok_or(Error::NullArgument)?;
        ssl.setup().settings_mut().credentials.set_leaf(cert);
        Ok(1)
    })
}

/// `SSL_use_PrivateKey`: this connection's key (takes a new reference); must match.
#[no_mangle]
pub unsafe extern "C" fn SSL_use_PrivateKey(ssl: *mut SSL, pkey: *mut sys::EVP_PKEY) -> c_int {
    entry(|| {
        let ssl = try_ref!(ssl);
        // SAFETY: pkey is a valid key the caller keeps.
        let key = unsafe { PKey::from_ptr_up_ref(pkey) }.ok_or(Error::NullArgument)?;
        ssl.setup().settings_mut().credentials.set_key(key)?;
        Ok(1)
    })
}

/// `SSL_CTX_set_default_passwd_cb`: passphrase callback for encrypted key files.
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_set_default_passwd_cb(
    ctx: *mut SSL_CTX,
    cb: sys::pem_password_cb,
) {
    entry(|| {
        try_ref!(ctx).core.update(|s| s.password.callback = cb);
        Ok(())
    })
}

/// `SSL_CTX_set_default_passwd_cb_userdata`: its argument.
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_set_default_passwd_cb_userdata(ctx: *mut SSL_CTX, u: *mut c_void) {
    entry(|| {
        try_ref!(ctx).core.update(|s| s.password.userdata = addr(u));
        Ok(())
    })
}

/// `SSL_CTX_get_default_passwd_cb`.
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_get_default_passwd_cb(ctx: *mut SSL_CTX) -> sys::pem_password_cb {
    entry(|| Ok(try_ref!(ctx).core.settings().password.callback))
}

/// `SSL_CTX_get_default_passwd_cb_userdata`.
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_get_default_passwd_cb_userdata(ctx: *mut SSL_CTX) -> *mut c_void {
    entry(|| Ok(try_ref!(ctx).core.settings().password.userdata as *mut c_void))
}

/// `SSL_CTX_use_certificate`: the leaf certificate (takes a new reference).
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_use_certificate(ctx: *mut SSL_CTX, x: *mut sys::X509) -> c_int {
    entry(|| {
        let ctx = try_ref!(ctx);
        // SAFETY: x is a valid certificate the caller keeps.
        let cert = unsafe { Cert::from_ptr_up_ref(x) }.ok_or(Error::NullArgument)?;
        ctx.core.update(|s| s.credentials.set_leaf(cert));
        Ok(1)
    })
}

/// `SSL_CTX_use_certificate_file`: the first certificate of a PEM or DER file.
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_use_certificate_file(
    ctx: *mut SSL_CTX,
    file: *const c_char,
    ty: c_int,
) -> c_int {
    entry(|| {
        let ctx = try_ref!(ctx);
        // SAFETY: file is a C string per the API.
        let cert = credentials::read_cert_file(unsafe { c_str(file) }?, ty)?;
        ctx.core.update(|s| s.credentials.set_leaf(cert));
        Ok(1)
    })
}

/// `SSL_CTX_use_certificate_chain_file`: leaf and chain from a PEM file.
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_use_certificate_chain_file(
    ctx: *mut SSL_CTX,
    file: *const c_char,
) -> c_int {
    entry(|| {
        let ctx = try_ref!(ctx);
        // SAFETY: file is a C string per the API.
        let (leaf, chain) = credentials::read_chain_file(unsafe { c_str(file) }?)?;
        ctx.core.update(|s| {
            s.credentials.set_leaf(leaf);
            s.credentials.set_chain(chain);
        });
        Ok(1)
    })
}

/// `SSL_CTX_use_PrivateKey`: the private key (takes a new reference); it must match the
/// certificate.
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_use_PrivateKey(
    ctx: *mut SSL_CTX,
    pkey: *mut sys::EVP_PKEY,
) -> c_int {
    entry(|| {
        let ctx = try_ref!(ctx);
        // SAFETY: pkey is a valid key the caller keeps.
        let key = unsafe { PKey::from_ptr_up_ref(pkey) }.ok_or(Error::NullArgument)?;
        ctx.core.update(|s| s.credentials.set_key(key))?;
        Ok(1)
    })
}

/// `SSL_CTX_use_PrivateKey_file`: PEM (possibly encrypted, using the passphrase callback)
/// or DER.
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_use_PrivateKey_file(
    ctx: *mut SSL_CTX,
    file: *const c_char,
    ty: c_int,
) -> c_int {
    entry(|| {
        let ctx = try_ref!(ctx);
        let password: PasswordCallback = ctx.core.settings().password;
        // SAFETY: file is a C string per the API.
        let key = credentials::read_key_file(unsafe { c_str(file) }?, ty, password, false)?;
        ctx.core.update(|s| s.credentials.set_key(key))?;
        Ok(1)
    })
}

/// `SSL_CTX_check_private_key`: 1 if the certificate and key match.
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_check_private_key(ctx: *const SSL_CTX) -> c_int {
    entry(|| {
        try_ref!(ctx)
            .core
            .settings()
            .credentials
            .check_private_key()?;
        Ok(1)
    })
}

/// `SSL_CTX_get0_certificate`: the leaf certificate (get0).
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_get0_certificate(ctx: *const SSL_CTX) -> *mut sys::X509 {
    entry(|| {
        Ok(try_ref!(ctx)
            .core
            .settings()
            .credentials
            .leaf()
            .map_or(std::ptr::null_mut(), Cert::as_ptr))
    })
}

/// `SSL_CTX_get0_privatekey`: the private key (get0).
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_get0_privatekey(ctx: *const SSL_CTX) -> *mut sys::EVP_PKEY {
    entry(|| {
        Ok(try_ref!(ctx)
            .core
            .settings()
            .credentials
            .key()
            .map_or(std::ptr::null_mut(), PKey::as_ptr))
    })
}

/// `SSL_get1_peer_certificate` (`SSL_get_peer_certificate`): the peer's leaf, a new
/// reference the caller frees; NULL if none.
#[no_mangle]
pub unsafe extern "C" fn SSL_get1_peer_certificate(ssl: *const SSL) -> *mut sys::X509 {
    entry(|| peer_leaf(try_ref!(ssl), Cert::up_ref_raw))
}

/// `SSL_get0_peer_certificate`: the peer's leaf (get0).
#[no_mangle]
pub unsafe extern "C" fn SSL_get0_peer_certificate(ssl: *const SSL) -> *mut sys::X509 {
    entry(|| peer_leaf(try_ref!(ssl), Cert::as_ptr))
}

/// The peer's leaf as `hand_out` gives it, or NULL.
fn peer_leaf(
    ssl: &SSL,
    hand_out: fn(&Cert) -> *mut sys::X509,
) -> crate::error::Result<*mut sys::X509> {
    let outcome = ssl.state.peer_outcome();
    if outcome.leaf_rejected {
        return Ok(std::ptr::null_mut());
    }
    Ok(outcome
        .peer_chain
        .first()
        .map_or(std::ptr::null_mut(), hand_out))
}

/// `SSL_get_peer_cert_chain`: the chain the peer sent (get0, owned by the SSL): leaf first
/// for a client; without the leaf for a server, as in OpenSSL. A server that asked for a
/// certificate in a full handshake and got none has an empty stack, as OpenSSL keeps the
/// client's empty Certificate message; NULL when there was no Certificate message.
#[no_mangle]
pub unsafe extern "C" fn SSL_get_peer_cert_chain(ssl: *const SSL) -> *mut sys::stack_st_X509 {
    entry(|| {
        let ssl = try_ref!(ssl);
        let server = ssl.setup().role == Some(Role::Server);
        let status = ssl.status();
        let answered = server && status.established && !status.resumed;
        let outcome = ssl.state.peer_outcome();
        // A server's view excludes the client's own certificate (an OpenSSL quirk that
        // applications rely on); a client's includes the server's.
        let skip = usize::from(server).min(outcome.peer_chain.len());
        let all = !outcome.peer_chain.is_empty() || (answered && outcome.certificate_requested);
        cached_stack(
            &ssl.peer_chain_stack,
            all.then(|| &outcome.peer_chain[skip..]),
        )
    })
}

/// `SSL_get_peer_tmp_key` (`SSL_ctrl(SSL_CTRL_GET_PEER_TMP_KEY)`, `peer`) and
/// `SSL_get_tmp_key`: an ephemeral key-exchange share as a new `EVP_PKEY` (get1) in
/// `*out`; 1, or 0 if there is none (no key exchange yet, a resumed TLS 1.2 handshake, a
/// share OpenSSL frees after the handshake, or a group OpenSSL 3.0 does not know). This
/// side's own key has its public half only: rustls keeps the private key.
pub(super) fn tmp_key(ssl: &SSL, out: *mut *mut sys::EVP_PKEY, peer: bool) -> std::ffi::c_long {
    let share = {
        let outcome = ssl.state.outcome();
        if peer {
            outcome.peer_share.clone()
        } else {
            outcome.own_share.clone()
        }
    };
    let Some(key) = share.and_then(|s| PKey::from_key_share(u16::from(s.group), &s.key)) else {
        return 0;
    };
    // SAFETY: out is an `EVP_PKEY **` for these commands (NULL tolerated here).
    match unsafe { out.as_mut() } {
        Some(out) => {
            *out = key.into_raw();
            1
        }
        None => 0,
    }
}

/// A client asked for its certificate: the connection's certificate callback
/// (`SSL_set_cert_cb`), then, if no certificate and key are set, the context's client
/// certificate callback (`SSL_CTX_set_client_cert_cb`), whose certificate and key are
/// used. `Ok(true)` if a callback ran; `Err` with the reason that fails the handshake.
pub(super) fn run_client_cert_callbacks(ssl: &SSL, ptr: *mut SSL) -> Result<bool, c_int> {
    let callbacks = *lock(&ssl.callbacks);
    let mut ran = false;
    if let Some(cb) = callbacks.cert {
        ran = true;
        // SAFETY: the application's callback with its argument; no lock of the SSL the
        // callback could need is held.
        let r = unsafe { cb(ptr, callbacks.cert_arg as *mut c_void) };
        if r == 0 {
            return Err(sys::SSL_R_CALLBACK_FAILED);
        }
        if r < 0 {
            // OpenSSL would return SSL_ERROR_WANT_X509_LOOKUP and call it again later.
            super::push_error(&Error::NotSupported("retrying the certificate callback"));
            return Err(sys::SSL_R_CALLBACK_FAILED);
        }
    }
    if ssl.setup().settings.credentials.check_private_key().is_ok() {
        return Ok(ran);
    }
    // A client-certificate engine first, as OpenSSL asks it.
    let engine = ssl.setup().ctx.settings().knobs.client_cert_engine.clone();
    if let Some(engine) = engine {
        // SAFETY: ptr is the live connection asking; the names it keeps (get0).
        let names = unsafe { super::ca_list::SSL_get_client_CA_list(ptr) };
        // SAFETY: ptr is the live connection asking; names NULL or its stack.
        if let Some((cert, key)) = unsafe { engine.load(ptr.cast(), names) } {
            let mut setup = ssl.setup();
            let creds = &mut setup.settings_mut().credentials;
            creds.set_leaf(cert);
            let _ = creds.set_key(key);
            return Ok(true);
        }
    }
    let Some(cb) = ssl.ctx().callbacks().client_cert else {
        return Ok(ran);
    };
    let mut x509: *mut sys::X509 = std::ptr::null_mut();
    let mut pkey: *mut sys::EVP_PKEY = std::ptr::null_mut();
    // SAFETY: as above; the callback hands over one reference to each object it sets.
    let r = unsafe { cb(ptr, &mut x509, &mut pkey) };
    // SAFETY: the references the callback handed over (or NULL).
    let (cert, key) = unsafe { (Cert::from_raw(x509), PKey::from_raw(pkey)) };
    if r < 0 {
        super::push_error(&Error::NotSupported(
            "retrying the client certificate callback",
        ));
        return Err(sys::SSL_R_CALLBACK_FAILED);
    }
    if r == 1 {
        match (cert, key) {
            (Some(cert), Some(key)) => {
                let mut setup = ssl.setup();
                let creds = &mut setup.settings_mut().credentials;
                creds.set_leaf(cert);
                if creds.set_key(key).is_err() {
                    // OpenSSL sends no certificate then; the mismatch stays queued.
                    return Ok(true);
                }
            }
            _ => super::push_error(&Error::Reason(sys::SSL_R_BAD_DATA_RETURNED_BY_CALLBACK)),
        }
    }
    Ok(true)
}

/// `SSL_CTX_set_client_cert_engine`: an `ENGINE` asked for a client certificate before
/// the client certificate callback; 1, or 0 if it cannot be initialised
/// (`ERR_R_ENGINE_LIB`, also for NULL) or loads no client certificates.
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_set_client_cert_engine(
    ctx: *mut SSL_CTX,
    e: *mut sys::ENGINE,
) -> c_int {
    entry(|| {
        let ctx = try_ref!(ctx);
        // SAFETY: e is NULL or a valid engine per the API.
        match unsafe { sys::ClientCertEngine::init(e) } {
            Ok(engine) => {
                ctx.core
                    .update_settings(|s| s.knobs.client_cert_engine = Some(engine));
                Ok(1)
            }
            Err(true) => Err(Error::Reason(sys::ERR_R_ENGINE_LIB)),
            Err(false) => Err(Error::Reason(sys::SSL_R_NO_CLIENT_CERT_METHOD)),
        }
    })
}

/// `SSL_check_chain`: the `CERT_PKEY_*` flags saying how far certificate `x`, key `pk`
/// and `chain` suit this connection (0 without a certificate or key of a known type).
#[no_mangle]
pub unsafe extern "C" fn SSL_check_chain(
    ssl: *mut SSL,
    x: *mut sys::X509,
    pk: *mut sys::EVP_PKEY,
    chain: *mut sys::stack_st_X509,
) -> c_int {
    entry(|| {
        let ssl = try_ref!(ssl);
        // SAFETY: x and pk are NULL or valid objects the caller keeps.
        let (Some(x), Some(pk)) = (unsafe { Cert::from_ptr_up_ref(x) }, unsafe {
            PKey::from_ptr_up_ref(pk)
        }) else {
            return Ok(0);
        };
        // SAFETY: chain is NULL or a valid stack the caller keeps.
        let chain = if chain.is_null() {
            Vec::new()
        } else {
            // SAFETY: as above.
            unsafe { X509Stack::certs_of(chain.cast()) }
        };
        let cx = check_context(ssl);
        let flags = crate::check_chain::check_chain(&cx, &x, &pk, &chain);
        Ok(c_int::try_from(flags).unwrap_or(0))
    })
}

/// What [`SSL_check_chain`] checks against.
fn check_context(ssl: &SSL) -> crate::check_chain::Context {
    let server = {
        let setup = ssl.setup();
        match setup.role {
            Some(role) => role == Role::Server,
            None => setup.ctx.method.roles != crate::context::Method::Client,
        }
    };
    let shared = super::sigalgs::shared_sigalgs(ssl);
    let peer_sigalgs = super::sigalgs::peer_sigalgs(ssl);
    let (peer_groups, peer_ca_names) = if ssl.setup().role == Some(Role::Server) {
        let hello = lock(&ssl.state.hello);
        (
            hello.as_ref().map(|h| h.groups.clone()).unwrap_or_default(),
            None,
        )
    } else {
        (Vec::new(), lock(&ssl.state.peer_ca_names).clone())
    };
    let version = ssl.version();
    let setup = ssl.setup();
    let s = &setup.settings;
    // A TLS 1.2 certificate request (clients): rustls does not say which types it
    // listed; OpenSSL and rustls servers list RSA and ECDSA signing.
    let asked =
        !server && peer_sigalgs.is_some() && ssl.status().version == crate::versions::TLS1_2;
    let cert_types = if asked {
        vec![sys::TLS_CT_RSA_SIGN as u8, sys::TLS_CT_ECDSA_SIGN as u8]
    } else {
        Vec::new()
    };
    crate::check_chain::Context {
        server,
        version,
        strict: s.knobs.cert_flags & i64::from(sys::SSL_CERT_FLAG_TLS_STRICT) != 0,
        peer_sigalgs,
        conf_sigalgs: s
            .sigalgs
            .as_ref()
            .map(|l| l.iter().map(|x| u16::from(*x)).collect()),
        shared,
        own_groups: s.groups.iter().map(|g| u16::from(g.name())).collect(),
        peer_groups,
        peer_ca_names,
        cert_types,
    }
}

/// `SSL_get0_verified_chain`: the chain verification built (get0, owned by the SSL).
#[no_mangle]
pub unsafe extern "C" fn SSL_get0_verified_chain(ssl: *const SSL) -> *mut sys::stack_st_X509 {
    entry(|| {
        let ssl = try_ref!(ssl);
        let outcome = ssl.state.outcome();
        let chain = &outcome.verified_chain;
        cached_stack(
            &ssl.verified_chain_stack,
            (!chain.is_empty()).then_some(&chain[..]),
        )
    })
}

/// `SSL_get_certificate`: the certificate this side presents (get0).
#[no_mangle]
pub unsafe extern "C" fn SSL_get_certificate(ssl: *const SSL) -> *mut sys::X509 {
    entry(|| {
        let conn = try_ref!(ssl).setup();
        Ok(conn
            .settings
            .credentials
            .leaf()
            .map_or(std::ptr::null_mut(), Cert::as_ptr))
    })
}

/// `SSL_get_privatekey`: the key this side uses (get0).
#[no_mangle]
pub unsafe extern "C" fn SSL_get_privatekey(ssl: *const SSL) -> *mut sys::EVP_PKEY {
    entry(|| {
        let conn = try_ref!(ssl).setup();
        Ok(conn
            .settings
            .credentials
            .key()
            .map_or(std::ptr::null_mut(), |k| k.as_ptr()))
    })
}

/// A `STACK_OF(X509)` of `certs` kept in `slot` and handed out as get0: made once, so a
/// pointer the application holds stays valid as long as the SSL.
fn cached_stack(
    slot: &Mutex<Option<X509Stack>>,
    certs: Option<&[Cert]>,
) -> Result<*mut sys::stack_st_X509, Error> {
    let Some(certs) = certs else {
        return Ok(std::ptr::null_mut());
    };
    let mut slot = lock(slot);
    if slot.is_none() {
        *slot = Some(X509Stack::new(certs).ok_or(Error::Crypto)?);
    }
    Ok(slot
        .as_ref()
        .map_or(std::ptr::null_mut(), |s| s.as_ptr().cast()))
}

/// Where a certificate or key goes: a context or one connection.
enum Holder<'a> {
    Ctx(&'a SSL_CTX),
    Ssl(&'a SSL),
}

impl Holder<'_> {
    fn password(&self) -> PasswordCallback {
        match self {
            Self::Ctx(c) => c.core.settings().password,
            Self::Ssl(s) => s.setup().settings.password,
        }
    }

    /// Changes the credentials (the rustls configs do not depend on them).
    fn credentials<R>(&self, f: impl FnOnce(&mut credentials::Credentials) -> R) -> R {
        match self {
            Self::Ctx(c) => c.core.update_credentials(f),
            Self::Ssl(s) => f(&mut s.setup().settings_mut().credentials),
        }
    }

    fn use_cert(&self, cert: Cert) -> c_int {
        self.credentials(|c| c.set_leaf(cert));
        1
    }

    fn use_key(&self, key: PKey) -> Result<c_int, Error> {
        self.credentials(|c| c.set_key(key))?;
        Ok(1)
    }
}

/// A certificate from DER (`*_use_certificate_ASN1`), refused with `ERR_R_ASN1_LIB`.
///
/// # Safety
/// `d` points at `len` bytes.
unsafe fn cert_from_der(d: *const u8, len: usize) -> Result<Cert, Error> {
    // SAFETY: guaranteed by the caller.
    let der = unsafe { super::c_bytes(d, len) }?;
    Cert::from_der(der).ok_or(Error::Reason(sys::ERR_R_ASN1_LIB))
}

/// A private key of `type` (an `EVP_PKEY_*` id) from DER.
///
/// # Safety
/// `d` points at `len` bytes.
unsafe fn key_from_der(ty: c_int, d: *const u8, len: usize) -> Result<PKey, Error> {
    // SAFETY: guaranteed by the caller.
    let der = unsafe { super::c_bytes(d, len) }?;
    PKey::from_der(ty, der).ok_or(Error::Reason(sys::ERR_R_ASN1_LIB))
}

/// `SSL_use_certificate_file`: this connection's certificate from a PEM or DER file.
#[no_mangle]
pub unsafe extern "C" fn SSL_use_certificate_file(
    ssl: *mut SSL,
    file: *const c_char,
    ty: c_int,
) -> c_int {
    entry(|| {
        let ssl = try_ref!(ssl);
        // SAFETY: file is a C string per the API.
        let cert = credentials::read_cert_file(unsafe { c_str(file) }?, ty)?;
        Ok(Holder::Ssl(ssl).use_cert(cert))
    })
}

/// `SSL_use_certificate_chain_file`: this connection's certificate and chain from a PEM
/// file.
#[no_mangle]
pub unsafe extern "C" fn SSL_use_certificate_chain_file(
    ssl: *mut SSL,
    file: *const c_char,
) -> c_int {
    entry(|| {
        let ssl = try_ref!(ssl);
        // SAFETY: file is a C string per the API.
        let (leaf, chain) = credentials::read_chain_file(unsafe { c_str(file) }?)?;
        Holder::Ssl(ssl).credentials(|c| {
            c.set_leaf(leaf);
            c.set_chain(chain);
        });
        Ok(1)
    })
}

/// `SSL_use_certificate_ASN1`: this connection's certificate from DER.
#[no_mangle]
pub unsafe extern "C" fn SSL_use_certificate_ASN1(
    ssl: *mut SSL,
    d: *const u8,
    len: c_int,
) -> c_int {
    entry(|| {
        let ssl = try_ref!(ssl);
        let len = usize::try_from(len).map_err(|_| Error::Reason(sys::ERR_R_ASN1_LIB))?;
        // SAFETY: d points at len bytes per the API.
        Ok(Holder::Ssl(ssl).use_cert(unsafe { cert_from_der(d, len) }?))
    })
}

/// `SSL_CTX_use_certificate_ASN1`: the context's certificate from DER.
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_use_certificate_ASN1(
    ctx: *mut SSL_CTX,
    len: c_int,
    d: *const u8,
) -> c_int {
    entry(|| {
        let ctx = try_ref!(ctx);
        let len = usize::try_from(len).map_err(|_| Error::Reason(sys::ERR_R_ASN1_LIB))?;
        // SAFETY: d points at len bytes per the API.
        Ok(Holder::Ctx(ctx).use_cert(unsafe { cert_from_der(d, len) }?))
    })
}

/// `SSL_use_PrivateKey_file`: this connection's key from a PEM (possibly encrypted) or
/// DER file.
#[no_mangle]
pub unsafe extern "C" fn SSL_use_PrivateKey_file(
    ssl: *mut SSL,
    file: *const c_char,
    ty: c_int,
) -> c_int {
    entry(|| {
        let holder = Holder::Ssl(try_ref!(ssl));
        // SAFETY: file is a C string per the API.
        let key =
            credentials::read_key_file(unsafe { c_str(file) }?, ty, holder.password(), false)?;
        holder.use_key(key)
    })
}

/// `SSL_use_PrivateKey_ASN1`: this connection's key of type `ty` from DER.
#[no_mangle]
pub unsafe extern "C" fn SSL_use_PrivateKey_ASN1(
    ty: c_int,
    ssl: *mut SSL,
    d: *const u8,
    len: std::ffi::c_long,
) -> c_int {
    entry(|| {
        let holder = Holder::Ssl(try_ref!(ssl));
        let len = usize::try_from(len).map_err(|_| Error::Reason(sys::ERR_R_ASN1_LIB))?;
        // SAFETY: d points at len bytes per the API.
        holder.use_key(unsafe { key_from_der(ty, d, len) }?)
    })
}

/// `SSL_CTX_use_PrivateKey_ASN1`: the context's key of type `ty` from DER.
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_use_PrivateKey_ASN1(
    ty: c_int,
    ctx: *mut SSL_CTX,
    d: *const u8,
    len: std::ffi::c_long,
) -> c_int {
    entry(|| {
        let holder = Holder::Ctx(try_ref!(ctx));
        let len = usize::try_from(len).map_err(|_| Error::Reason(sys::ERR_R_ASN1_LIB))?;
        // SAFETY: d points at len bytes per the API.
        holder.use_key(unsafe { key_from_der(ty, d, len) }?)
    })
}

/// `SSL_use_RSAPrivateKey`: this connection's RSA key (takes its own reference).
#[no_mangle]
pub unsafe extern "C" fn SSL_use_RSAPrivateKey(ssl: *mut SSL, rsa: *mut sys::RSA) -> c_int {
    entry(|| {
        let holder = Holder::Ssl(try_ref!(ssl));
        // SAFETY: rsa is NULL or a valid key the caller keeps.
        let key = unsafe { PKey::from_rsa(rsa) }.ok_or(Error::NullArgument)?;
        holder.use_key(key)
    })
}

/// `SSL_CTX_use_RSAPrivateKey`: the context's RSA key (takes its own reference).
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_use_RSAPrivateKey(ctx: *mut SSL_CTX, rsa: *mut sys::RSA) -> c_int {
    entry(|| {
        let holder = Holder::Ctx(try_ref!(ctx));
        // SAFETY: rsa is NULL or a valid key the caller keeps.
        let key = unsafe { PKey::from_rsa(rsa) }.ok_or(Error::NullArgument)?;
        holder.use_key(key)
    })
}

/// `SSL_use_RSAPrivateKey_file`: an RSA key file (PEM or DER); another key type fails
/// ("expecting an rsa key").
#[no_mangle]
pub unsafe extern "C" fn SSL_use_RSAPrivateKey_file(
    ssl: *mut SSL,
    file: *const c_char,
    ty: c_int,
) -> c_int {
    entry(|| {
        let holder = Holder::Ssl(try_ref!(ssl));
        // SAFETY: file is a C string per the API.
        let key = credentials::read_key_file(unsafe { c_str(file) }?, ty, holder.password(), true)?;
        holder.use_key(key)
    })
}

/// `SSL_CTX_use_RSAPrivateKey_file`: as [`SSL_use_RSAPrivateKey_file`] for the context.
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_use_RSAPrivateKey_file(
    ctx: *mut SSL_CTX,
    file: *const c_char,
    ty: c_int,
) -> c_int {
    entry(|| {
        let holder = Holder::Ctx(try_ref!(ctx));
        // SAFETY: file is a C string per the API.
        let key = credentials::read_key_file(unsafe { c_str(file) }?, ty, holder.password(), true)?;
        holder.use_key(key)
    })
}

/// An RSA private key from DER (`*_use_RSAPrivateKey_ASN1`), refused with
/// `ERR_R_ASN1_LIB`.
///
/// # Safety
/// `d` points at `len` bytes.
unsafe fn rsa_key_from_der(d: *const u8, len: std::ffi::c_long) -> Result<PKey, Error> {
    let len = usize::try_from(len).map_err(|_| Error::Reason(sys::ERR_R_ASN1_LIB))?;
    // SAFETY: guaranteed by the caller.
    let der = unsafe { super::c_bytes(d, len) }?;
    PKey::rsa_from_der(der).ok_or(Error::Reason(sys::ERR_R_ASN1_LIB))
}

/// `SSL_use_RSAPrivateKey_ASN1`: a DER RSA private key (`RSAPrivateKey`).
#[no_mangle]
pub unsafe extern "C" fn SSL_use_RSAPrivateKey_ASN1(
    ssl: *mut SSL,
    d: *const u8,
    len: std::ffi::c_long,
) -> c_int {
    entry(|| {
        let holder = Holder::Ssl(try_ref!(ssl));
        // SAFETY: d points at len bytes per the API.
        holder.use_key(unsafe { rsa_key_from_der(d, len) }?)
    })
}

/// `SSL_CTX_use_RSAPrivateKey_ASN1`: a DER RSA private key (`RSAPrivateKey`).
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_use_RSAPrivateKey_ASN1(
    ctx: *mut SSL_CTX,
    d: *const u8,
    len: std::ffi::c_long,
) -> c_int {
    entry(|| {
        let holder = Holder::Ctx(try_ref!(ctx));
        // SAFETY: d points at len bytes per the API.
        holder.use_key(unsafe { rsa_key_from_der(d, len) }?)
    })
}

/// `SSL_check_private_key`: 1 if this connection's certificate and key are set and match.
#[no_mangle]
pub unsafe extern "C" fn SSL_check_private_key(ssl: *const SSL) -> c_int {
    entry(|| {
        try_ref!(ssl)
            .setup()
            .settings
            .credentials
            .check_private_key()?;
        Ok(1)
    })
}

/// `SSL_CTX_use_cert_and_key` / `SSL_use_cert_and_key`: certificate, key and chain in one
/// call; with `override` 0, a slot of that key type that is set already is kept (fails).
fn use_cert_and_key(
    holder: &Holder<'_>,
    x: *mut sys::X509,
    pkey: *mut sys::EVP_PKEY,
    chain: *mut sys::stack_st_X509,
    replace: c_int,
) -> Result<c_int, Error> {
    // SAFETY: x is NULL or a valid certificate the caller keeps.
    let cert = unsafe { Cert::from_ptr_up_ref(x) }.ok_or(Error::NullArgument)?;
    // SAFETY: pkey is NULL or a valid key the caller keeps.
    let key = unsafe { PKey::from_ptr_up_ref(pkey) };
    if let Some(k) = &key {
        if !cert.key_eq(k) {
            return Err(Error::Reason(sys::SSL_R_PRIVATE_KEY_MISMATCH));
        }
    }
    let chain = if chain.is_null() {
        Vec::new()
    } else {
        // SAFETY: chain is a valid stack the caller keeps (set1).
        unsafe { X509Stack::certs_of(chain.cast()) }
    };
    holder.credentials(|c| {
        if replace == 0 && c.has_slot_for(cert.key_base_id()) {
            return Err(Error::Reason(sys::SSL_R_NOT_REPLACING_CERTIFICATE));
        }
        c.set_leaf(cert);
        if let Some(k) = key {
            c.set_key(k)?;
        }
        c.set_chain(chain);
        Ok(1)
    })
}

/// `SSL_CTX_use_cert_and_key`: certificate, key (may be NULL) and chain; 1 or 0.
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_use_cert_and_key(
    ctx: *mut SSL_CTX,
    x: *mut sys::X509,
    pkey: *mut sys::EVP_PKEY,
    chain: *mut sys::stack_st_X509,
    over: c_int,
) -> c_int {
    entry(|| use_cert_and_key(&Holder::Ctx(try_ref!(ctx)), x, pkey, chain, over))
}

/// `SSL_use_cert_and_key`: as [`SSL_CTX_use_cert_and_key`] for one connection.
#[no_mangle]
pub unsafe extern "C" fn SSL_use_cert_and_key(
    ssl: *mut SSL,
    x: *mut sys::X509,
    pkey: *mut sys::EVP_PKEY,
    chain: *mut sys::stack_st_X509,
    over: c_int,
) -> c_int {
    entry(|| use_cert_and_key(&Holder::Ssl(try_ref!(ssl)), x, pkey, chain, over))
}

/// `SSL_certs_clear`: drops this connection's certificates, keys and chains.
#[no_mangle]
pub unsafe extern "C" fn SSL_certs_clear(ssl: *mut SSL) {
    entry(|| {
        Holder::Ssl(try_ref!(ssl)).credentials(|c| *c = credentials::Credentials::default());
        Ok(())
    })
}

/// `SSL_set_default_passwd_cb`: this connection's passphrase callback.
#[no_mangle]
pub unsafe extern "C" fn SSL_set_default_passwd_cb(ssl: *mut SSL, cb: sys::pem_password_cb) {
    entry(|| {
        try_ref!(ssl).setup().settings_mut().password.callback = cb;
        Ok(())
    })
}

/// `SSL_set_default_passwd_cb_userdata`: its argument.
#[no_mangle]
pub unsafe extern "C" fn SSL_set_default_passwd_cb_userdata(ssl: *mut SSL, u: *mut c_void) {
    entry(|| {
        try_ref!(ssl).setup().settings_mut().password.userdata = addr(u);
        Ok(())
    })
}

/// `SSL_get_default_passwd_cb`.
#[no_mangle]
pub unsafe extern "C" fn SSL_get_default_passwd_cb(ssl: *mut SSL) -> sys::pem_password_cb {
    entry(|| Ok(try_ref!(ssl).setup().settings.password.callback))
}

/// `SSL_get_default_passwd_cb_userdata`.
#[no_mangle]
pub unsafe extern "C" fn SSL_get_default_passwd_cb_userdata(ssl: *mut SSL) -> *mut c_void {
    entry(|| Ok(try_ref!(ssl).setup().settings.password.userdata as *mut c_void))
}
