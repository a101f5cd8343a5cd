//! `SSL_CIPHER`: the negotiated suite and its names.

use std::ffi::{c_char, c_int};

use super::{entry, try_ref, SSL};
use crate::ciphers::Cipher;

/// `SSL_CIPHER` is a table entry of the core ([`Cipher`]); pointers to it are static.
pub(super) type SSL_CIPHER = Cipher;

/// NUL-terminated names for each cipher, built once.
fn names(c: &Cipher) -> (&'static std::ffi::CStr, &'static std::ffi::CStr) {
    use std::sync::OnceLock;
    static NAMES: OnceLock<Vec<(std::ffi::CString, std::ffi::CString)>> = OnceLock::new();
    let all = NAMES.get_or_init(|| {
        crate::ciphers::ALL
            .iter()
            .map(|c| {
                // Table names contain no NUL byte.
                let n = std::ffi::CString::new(c.name).unwrap_or_default();
                let s = std::ffi::CString::new(c.standard_name).unwrap_or_default();
                (n, s)
            })
            .collect()
    });
    let i = crate::ciphers::ALL
        .iter()
        .position(|x| std::ptr::eq(x, c))
        .unwrap_or(0);
    (all[i].0.as_c_str(), all[i].1.as_c_str())
}

/// `SSL_get_current_cipher`: the negotiated suite (static), or NULL before the handshake.
#[no_mangle]
pub unsafe extern "C" fn SSL_get_current_cipher(ssl: *const SSL) -> *const SSL_CIPHER {
    entry(|| {
        Ok(try_ref!(ssl)
            .status()
            .cipher
            .map_or(std::ptr::null(), |c| c as *const _))
    })
}

/// `SSL_get_pending_cipher`: same as the current cipher here.
#[no_mangle]
pub unsafe extern "C" fn SSL_get_pending_cipher(ssl: *const SSL) -> *const SSL_CIPHER {
    // SAFETY: same contract.
    unsafe { SSL_get_current_cipher(ssl) }
}

/// `SSL_CIPHER_find`: the suite with the two-byte id at `ptr` (static), or NULL if this
/// library does not implement it.
#[no_mangle]
pub unsafe extern "C" fn SSL_CIPHER_find(ssl: *mut SSL, ptr: *const u8) -> *const SSL_CIPHER {
    entry(|| {
        try_ref!(ssl);
        // SAFETY: ptr points at two bytes per the API.
        let id = unsafe { super::c_bytes(ptr, 2) }?;
        let id = u16::from_be_bytes([id[0], id[1]]);
        Ok(crate::ciphers::ALL
            .iter()
            .find(|c| c.iana_id() == id)
            .map_or(std::ptr::null(), |c| c as *const _))
    })
}

/// `SSL_CIPHER_get_name`: OpenSSL's name; "(NONE)" for NULL.
#[no_mangle]
pub unsafe extern "C" fn SSL_CIPHER_get_name(c: *const SSL_CIPHER) -> *const c_char {
    // SAFETY: NULL or a pointer from SSL_get_current_cipher.
    match unsafe { c.as_ref() } {
        Some(c) => names(c).0.as_ptr(),
        None => c"(NONE)".as_ptr(),
    }
}

/// `SSL_CIPHER_standard_name`: the RFC name; "(NONE)" for NULL.
#[no_mangle]
pub unsafe extern "C" fn SSL_CIPHER_standard_name(c: *const SSL_CIPHER) -> *const c_char {
    // SAFETY: NULL or a pointer from SSL_get_current_cipher.
    match unsafe { c.as_ref() } {
        Some(c) => names(c).1.as_ptr(),
        None => c"(NONE)".as_ptr(),
    }
}

/// `SSL_CIPHER_get_bits`: secret bits; also stores them in `*alg_bits` if given.
#[no_mangle]
pub unsafe extern "C" fn SSL_CIPHER_get_bits(c: *const SSL_CIPHER, alg_bits: *mut c_int) -> c_int {
    // SAFETY: NULL or a pointer from SSL_get_current_cipher.
    let bits = unsafe { c.as_ref() }.map_or(0, |c| c.bits);
    if !alg_bits.is_null() {
        // SAFETY: alg_bits is writable per the API.
        unsafe { *alg_bits = bits };
    }
    bits
}

/// `SSL_CIPHER_get_version`: "TLSv1.2"/"TLSv1.3"; "(NONE)" for NULL.
#[no_mangle]
pub unsafe extern "C" fn SSL_CIPHER_get_version(c: *const SSL_CIPHER) -> *const c_char {
    // SAFETY: NULL or a pointer from SSL_get_current_cipher.
    match unsafe { c.as_ref() } {
        Some(c) => super::ssl::static_cstr(c.version()),
        None => c"(NONE)".as_ptr(),
    }
}

/// `SSL_CIPHER_get_id`: 0x0300XXXX, XXXX the IANA id.
#[no_mangle]
pub unsafe extern "C" fn SSL_CIPHER_get_id(c: *const SSL_CIPHER) -> u32 {
    // SAFETY: NULL or a pointer from SSL_get_current_cipher.
    unsafe { c.as_ref() }.map_or(0, |c| 0x0300_0000 | u32::from(c.iana_id()))
}

/// `SSL_CIPHER_get_protocol_id`: the IANA id.
#[no_mangle]
pub unsafe extern "C" fn SSL_CIPHER_get_protocol_id(c: *const SSL_CIPHER) -> u16 {
    // SAFETY: NULL or a pointer from SSL_get_current_cipher.
    unsafe { c.as_ref() }.map_or(0, Cipher::iana_id)
}
