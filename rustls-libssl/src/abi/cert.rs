//! Certificates and keys: what a context or connection presents (`SSL_CTX_use_*`,
//! `SSL_use_*`, passphrase callbacks, client CA lists). Loading them from files and DER is
//! in `files`; what the peer presented (`SSL_get1_peer_certificate`,
//! `SSL_get_peer_cert_chain`) is in `peer`.

use std::ffi::{c_int, c_void};

use super::ctx::SSL_CTX;
use super::{addr, entry, try_ref, SSL};
use crate::connection::Role;
use crate::credentials;
use crate::crypto_sys::{self as sys, Cert, PKey, PasswordCallback, X509Stack};
use crate::current::lock;
use crate::error::Error;

mod files;
mod peer;

/// What the fuzz targets ([`super::fuzzing`]) load certificates and keys with.
#[cfg(any(test, fuzzing))]
pub(super) use files::{
    SSL_CTX_use_PrivateKey_ASN1, SSL_CTX_use_RSAPrivateKey_ASN1, SSL_CTX_use_certificate_ASN1,
    SSL_CTX_use_certificate_file, SSL_use_PrivateKey_ASN1, SSL_use_certificate_ASN1,
};
pub use files::{
    SSL_CTX_use_PrivateKey_file, SSL_CTX_use_certificate_chain_file, SSL_use_PrivateKey_file,
    SSL_use_certificate_chain_file,
};
pub(super) use peer::tmp_key;
#[cfg(test)]
pub(super) use peer::{SSL_get1_peer_certificate, SSL_get_peer_cert_chain};

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

/// A client asked for its certificate: the connection's certificate callback
/// (`SSL_set_cert_cb`), then, if no certificate and key are set, the context's client
/// certificate callback (`SSL_CTX_set_client_cert_cb`), whose certificate and key are
/// used. `Ok(true)` if a callback ran; `Err` with the reason that fails the handshake.
pub(super) fn run_client_cert_callbacks(ssl: &SSL, ptr: *mut SSL) -> Result<bool, c_int> {
    let callbacks = lock(&ssl.callbacks).get();
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
            hello
                .as_ref()
                .map(|h| h.groups.to_vec())
                .unwrap_or_default(),
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
