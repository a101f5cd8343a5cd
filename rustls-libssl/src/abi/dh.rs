//! Temporary (ephemeral) finite-field Diffie-Hellman parameters. rustls has no DHE cipher
//! suites: the parameters are kept and reported, never used, as in OpenSSL when no DHE
//! suite is negotiated.

use std::ffi::c_int;

use super::ctx::SSL_CTX;
use super::{entry, try_ref, SSL};
use crate::crypto_sys::{self as sys, PKey};
use crate::error::Error;

/// `SSL_CTX_set0_tmp_dh_pkey`: takes over `dhpkey`; 1, or 0 for NULL.
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_set0_tmp_dh_pkey(
    ctx: *mut SSL_CTX,
    dhpkey: *mut sys::EVP_PKEY,
) -> c_int {
    entry(|| {
        let ctx = try_ref!(ctx);
        // SAFETY: set0: the caller hands over its reference.
        let key = unsafe { PKey::from_raw(dhpkey) }.ok_or(Error::NullArgument)?;
        ctx.core.update_settings(|s| s.knobs.tmp_dh = Some(key));
        Ok(1)
    })
}

/// `SSL_set0_tmp_dh_pkey`: as [`SSL_CTX_set0_tmp_dh_pkey`] for one connection.
#[no_mangle]
pub unsafe extern "C" fn SSL_set0_tmp_dh_pkey(ssl: *mut SSL, dhpkey: *mut sys::EVP_PKEY) -> c_int {
    entry(|| {
        let ssl = try_ref!(ssl);
        // SAFETY: set0: the caller hands over its reference.
        let key = unsafe { PKey::from_raw(dhpkey) }.ok_or(Error::NullArgument)?;
        ssl.setup().settings_mut().knobs.tmp_dh = Some(key);
        Ok(1)
    })
}
