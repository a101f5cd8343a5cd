//! Per-connection certificates and keys (`SSL_use_certificate`, `SSL_use_PrivateKey`).

use std::ffi::c_int;

use super::{entry, try_ref, SSL};
use crate::crypto_sys::{self as sys, Cert, PKey};
use crate::error::Error;

/// `SSL_use_certificate`: this connection's leaf (takes a new reference).
#[no_mangle]
pub unsafe extern "C" fn SSL_use_certificate(ssl: *mut SSL, x: *mut sys::X509) -> c_int {
    entry(|| {
        let ssl = try_ref!(ssl);
        // SAFETY: x is a valid certificate the caller keeps.
        let cert = unsafe { Cert::from_ptr_up_ref(x) }.ok_or(Error::NullArgument)?;
        ssl.conn()?.settings_mut().credentials.set_leaf(cert);
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
        ssl.conn()?.settings_mut().credentials.set_key(key)?;
        Ok(1)
    })
}
