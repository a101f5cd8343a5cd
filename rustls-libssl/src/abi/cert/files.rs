//! Certificates and keys loaded from files or from DER (`*_file`, `*_chain_file`, `*_ASN1`)
//! and the RSA-only forms, for a context or one connection.

use std::ffi::{c_char, c_int};

use super::Holder;
use crate::abi::ctx::SSL_CTX;
use crate::abi::{c_str, entry, try_ref, SSL};
use crate::credentials;
use crate::crypto_sys::{self as sys, Cert, PKey, PasswordCallback};
use crate::error::Error;

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

/// A certificate from DER (`*_use_certificate_ASN1`), refused with `ERR_R_ASN1_LIB`.
///
/// # Safety
/// `d` points at `len` bytes.
unsafe fn cert_from_der(d: *const u8, len: usize) -> Result<Cert, Error> {
    // SAFETY: guaranteed by the caller.
    let der = unsafe { crate::abi::c_bytes(d, len) }?;
    Cert::from_der(der).ok_or(Error::Reason(sys::ERR_R_ASN1_LIB))
}

/// A private key of `type` (an `EVP_PKEY_*` id) from DER.
///
/// # Safety
/// `d` points at `len` bytes.
unsafe fn key_from_der(ty: c_int, d: *const u8, len: usize) -> Result<PKey, Error> {
    // SAFETY: guaranteed by the caller.
    let der = unsafe { crate::abi::c_bytes(d, len) }?;
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
    let der = unsafe { crate::abi::c_bytes(d, len) }?;
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
