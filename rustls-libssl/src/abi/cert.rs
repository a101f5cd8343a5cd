//! Certificates and keys: what a context or connection presents (`SSL_CTX_use_*`,
//! `SSL_use_*`, passphrase callbacks, client CA lists) and what the peer presented
//! (`SSL_get1_peer_certificate`, `SSL_get_peer_cert_chain`).

use std::ffi::{c_char, c_int, c_void};
use std::sync::Mutex;

use super::ctx::SSL_CTX;
use super::{addr, c_str, entry, try_ref, SSL};
use crate::connection::Role;
use crate::credentials::{self, FileType};
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
        let cert = credentials::read_cert_file(unsafe { c_str(file) }?, FileType::from_c(ty)?)?;
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
        let key =
            credentials::read_key_file(unsafe { c_str(file) }?, FileType::from_c(ty)?, password)?;
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
    Ok(outcome
        .peer_chain
        .first()
        .map_or(std::ptr::null_mut(), hand_out))
}

/// `SSL_get_peer_cert_chain`: the chain the peer sent (get0, owned by the SSL): leaf first
/// for a client; without the leaf for a server, as in OpenSSL.
#[no_mangle]
pub unsafe extern "C" fn SSL_get_peer_cert_chain(ssl: *const SSL) -> *mut sys::stack_st_X509 {
    entry(|| {
        let ssl = try_ref!(ssl);
        let server = ssl.setup().role == Some(Role::Server);
        let outcome = ssl.state.peer_outcome();
        // A server's view excludes the client's own certificate (an OpenSSL quirk that
        // applications rely on); a client's includes the server's.
        let skip = usize::from(server).min(outcome.peer_chain.len());
        let all = !outcome.peer_chain.is_empty();
        cached_stack(
            &ssl.peer_chain_stack,
            all.then(|| &outcome.peer_chain[skip..]),
        )
    })
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
        let cert = credentials::read_cert_file(unsafe { c_str(file) }?, FileType::from_c(ty)?)?;
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
        let key = credentials::read_key_file(
            unsafe { c_str(file) }?,
            FileType::from_c(ty)?,
            holder.password(),
        )?;
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

/// `SSL_use_RSAPrivateKey_file`: an RSA key file (PEM or DER), as
/// [`SSL_use_PrivateKey_file`].
#[no_mangle]
pub unsafe extern "C" fn SSL_use_RSAPrivateKey_file(
    ssl: *mut SSL,
    file: *const c_char,
    ty: c_int,
) -> c_int {
    // SAFETY: same contract.
    unsafe { SSL_use_PrivateKey_file(ssl, file, ty) }
}

/// `SSL_CTX_use_RSAPrivateKey_file`: as [`SSL_CTX_use_PrivateKey_file`].
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_use_RSAPrivateKey_file(
    ctx: *mut SSL_CTX,
    file: *const c_char,
    ty: c_int,
) -> c_int {
    // SAFETY: same contract.
    unsafe { SSL_CTX_use_PrivateKey_file(ctx, file, ty) }
}

/// `SSL_use_RSAPrivateKey_ASN1`: a DER RSA private key.
#[no_mangle]
pub unsafe extern "C" fn SSL_use_RSAPrivateKey_ASN1(
    ssl: *mut SSL,
    d: *const u8,
    len: std::ffi::c_long,
) -> c_int {
    // SAFETY: same contract.
    unsafe { SSL_use_PrivateKey_ASN1(sys::EVP_PKEY_RSA, ssl, d, len) }
}

/// `SSL_CTX_use_RSAPrivateKey_ASN1`: a DER RSA private key.
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_use_RSAPrivateKey_ASN1(
    ctx: *mut SSL_CTX,
    d: *const u8,
    len: std::ffi::c_long,
) -> c_int {
    // SAFETY: same contract.
    unsafe { SSL_CTX_use_PrivateKey_ASN1(sys::EVP_PKEY_RSA, ctx, d, len) }
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
        if !cert.matches_key(k) {
            return Err(Error::Reason(sys::SSL_R_PRIVATE_KEY_MISMATCH));
        }
    }
    // SAFETY: chain is NULL or a valid stack the caller keeps (set1).
    let chain = if chain.is_null() {
        Vec::new()
    } else {
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
