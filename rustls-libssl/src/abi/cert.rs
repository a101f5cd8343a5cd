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

/// `SSL_CTX_add_client_CA`: adds `x`'s subject to the CA names a server sends.
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_add_client_CA(ctx: *mut SSL_CTX, x: *mut sys::X509) -> c_int {
    entry(|| {
        let ctx = try_ref!(ctx);
        // SAFETY: x is a valid certificate the caller keeps.
        let cert = unsafe { Cert::from_ptr_up_ref(x) }.ok_or(Error::NullArgument)?;
        let der = cert.subject_der().ok_or(Error::Crypto)?;
        ctx.core.update(|s| s.client_ca_names.push(der.into()));
        Ok(1)
    })
}

/// `SSL_CTX_set_client_CA_list`: the CA names a server sends in CertificateRequest (takes
/// over the stack). Stored and returned by `SSL_CTX_get_client_CA_list`; rustls sends no
/// CA names yet.
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_set_client_CA_list(
    ctx: *mut SSL_CTX,
    list: *mut sys::stack_st_X509_NAME,
) {
    entry(|| {
        let ctx = try_ref!(ctx);
        // SAFETY: the caller hands over the stack.
        let list = unsafe { sys::NameStack::from_raw(list.cast()) };
        let names = list.as_ref().map(|l| l.ders()).unwrap_or_default();
        ctx.core
            .update(|s| s.client_ca_names = names.into_iter().map(Into::into).collect());
        *lock(&ctx.client_ca) = list;
        Ok(())
    })
}

/// `SSL_CTX_get_client_CA_list`: the stored list (get0), or NULL.
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_get_client_CA_list(
    ctx: *const SSL_CTX,
) -> *mut sys::stack_st_X509_NAME {
    entry(|| {
        Ok(lock(&try_ref!(ctx).client_ca)
            .as_ref()
            .map_or(std::ptr::null_mut(), |s| s.as_ptr().cast()))
    })
}

/// `SSL_load_client_CA_file`: the subject names of the certificates in a PEM file, as a
/// new `STACK_OF(X509_NAME)` the caller owns; NULL on failure.
#[no_mangle]
pub unsafe extern "C" fn SSL_load_client_CA_file(
    file: *const c_char,
) -> *mut sys::stack_st_X509_NAME {
    entry(|| {
        // SAFETY: file is a C string per the API.
        let path = unsafe { c_str(file) }?;
        let certs = sys::Bio::open_file(path)
            .map_err(Error::File)?
            .read_pem_certs();
        if certs.is_empty() {
            return Err(Error::Crypto);
        }
        let names = sys::NameStack::of_subjects(&certs).ok_or(Error::Crypto)?;
        Ok(names.into_raw().cast())
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
