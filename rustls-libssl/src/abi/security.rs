//! OpenSSL's default security callback: contexts and connections start with it, so
//! `SSL_CTX_get_security_callback` and `SSL_get_security_callback` answer non-NULL until
//! the application sets its own, and an application that wraps the default gets OpenSSL's
//! answers (the level rules of `SSL_CTX_set_security_level(3)`).

use std::ffi::{c_int, c_void};

use super::cipher::SSL_CIPHER;
use super::ctx::{SSL_CTX_get_security_level, SSL_CTX};
use super::ssl::SSL_get_security_level;
use super::SSL;
use crate::crypto_sys as sys;

/// The default callback: 1 if the security level of `s` (else of `ctx`) allows what `op`
/// asks about (`bits` of security, a version in `nid`, a suite in `other`), else 0.
///
/// # Safety
/// `s` is NULL or a live connection, `ctx` NULL or a live context (not both NULL); for the
/// cipher operations `other` is a suite of this library.
pub(crate) unsafe extern "C" fn default_security_callback(
    s: *const SSL,
    ctx: *const SSL_CTX,
    op: c_int,
    bits: c_int,
    nid: c_int,
    other: *mut c_void,
    _ex: *mut c_void,
) -> c_int {
    // SAFETY: OpenSSL's callers pass a live connection or context (the other NULL), and a
    // suite of this library for the cipher operations.
    let level = unsafe {
        if s.is_null() {
            SSL_CTX_get_security_level(ctx)
        } else {
            SSL_get_security_level(s)
        }
    };
    let allowed = if level <= 0 {
        // Not even at level 0: ephemeral DH keys weaker than 1024 bits.
        !(op == sys::SSL_SECOP_TMP_DH && bits < 80)
    } else {
        let min_bits = [80, 112, 128, 192, 256][usize::try_from(level.min(5) - 1).unwrap_or(0)];
        match op {
            sys::SSL_SECOP_CIPHER_SUPPORTED
            | sys::SSL_SECOP_CIPHER_SHARED
            | sys::SSL_SECOP_CIPHER_CHECK => {
                // SAFETY: for these operations `other` is an SSL_CIPHER (see above).
                let cipher = unsafe { other.cast::<SSL_CIPHER>().as_ref() };
                bits >= min_bits && cipher.is_none_or(|c| c.allowed_at(level))
            }
            sys::SSL_SECOP_VERSION => {
                let version = nid;
                !((version <= sys::SSL3_VERSION && level >= 2)
                    || (version <= sys::TLS1_VERSION && level >= 3)
                    || (version <= sys::TLS1_1_VERSION && level >= 4))
            }
            sys::SSL_SECOP_COMPRESSION => level < 2,
            sys::SSL_SECOP_TICKET => level < 3,
            _ => bits >= min_bits,
        }
    };
    c_int::from(allowed)
}
