//! `SSL_CIPHER`: OpenSSL's suite table and the negotiated suite.
//!
//! An `SSL_CIPHER *` points at a static entry of the core's copy of OpenSSL 3.0's table, so
//! every suite OpenSSL knows has one (also those rustls lacks). The lists a context or
//! connection keeps hold only the suites rustls implements, in OpenSSL's order: that is what
//! `SSL_get_cipher_list` reports, where OpenSSL also lists the others.

use std::ffi::{c_char, c_int, CString};
use std::ptr::{null, null_mut};

use super::{c_bytes, c_str_bytes, entry, try_ref, SSL};
use crate::ciphers::{Cipher, DEFAULT_RULE, DEFAULT_SUITES};
use crate::crypto_sys as sys;
use crate::error::Error;

/// `SSL_CIPHER` is a table entry of the core ([`Cipher`]); pointers to it are static.
pub(super) type SSL_CIPHER = Cipher;

/// `SSL_get_current_cipher`: the negotiated suite (static), or NULL before the handshake.
#[no_mangle]
pub unsafe extern "C" fn SSL_get_current_cipher(ssl: *const SSL) -> *const SSL_CIPHER {
    entry(|| {
        Ok(try_ref!(ssl)
            .conn()?
            .cipher()
            .map_or(null(), |c| c as *const _))
    })
}

/// `SSL_get_pending_cipher`: same as the current cipher here.
#[no_mangle]
pub unsafe extern "C" fn SSL_get_pending_cipher(ssl: *const SSL) -> *const SSL_CIPHER {
    // SAFETY: same contract.
    unsafe { SSL_get_current_cipher(ssl) }
}

/// `SSL_CIPHER_find`: the suite with the two-byte id at `ptr` (static): any suite of
/// OpenSSL's table, also a signalling value; NULL if OpenSSL does not know the id.
#[no_mangle]
pub unsafe extern "C" fn SSL_CIPHER_find(ssl: *mut SSL, ptr: *const u8) -> *const SSL_CIPHER {
    entry(|| {
        try_ref!(ssl);
        // SAFETY: ptr points at two bytes per the API.
        let id = unsafe { c_bytes(ptr, 2) }?;
        let id = u16::from_be_bytes([id[0], id[1]]);
        Ok(Cipher::by_id(id).map_or(null(), |c| c as *const _))
    })
}

/// `SSL_CIPHER_get_name`: OpenSSL's name (static); "(NONE)" for NULL.
#[no_mangle]
pub unsafe extern "C" fn SSL_CIPHER_get_name(c: *const SSL_CIPHER) -> *const c_char {
    entry(|| {
        // SAFETY: NULL or a pointer into the table (from this library).
        Ok(unsafe { c.as_ref() }
            .map_or(c"(NONE)", Cipher::name)
            .as_ptr())
    })
}

/// `SSL_CIPHER_standard_name`: the RFC name (static); NULL for the few suites OpenSSL has
/// none for; "(NONE)" for NULL.
#[no_mangle]
pub unsafe extern "C" fn SSL_CIPHER_standard_name(c: *const SSL_CIPHER) -> *const c_char {
    entry(|| {
        // SAFETY: NULL or a pointer into the table.
        Ok(match unsafe { c.as_ref() } {
            Some(c) => c.standard_name().map_or(null(), |n| n.as_ptr()),
            None => c"(NONE)".as_ptr(),
        })
    })
}

/// `OPENSSL_cipher_name`: OpenSSL's name (static) of the suite with RFC name `rfc_name`;
/// "(NONE)" when it is NULL or unknown.
#[no_mangle]
pub unsafe extern "C" fn OPENSSL_cipher_name(rfc_name: *const c_char) -> *const c_char {
    entry(|| {
        if rfc_name.is_null() {
            return Ok(c"(NONE)".as_ptr());
        }
        // SAFETY: a NUL-terminated string per the API.
        let name = unsafe { c_str_bytes(rfc_name) }?;
        Ok(Cipher::by_standard_name(name)
            .map_or(c"(NONE)", Cipher::name)
            .as_ptr())
    })
}

/// `SSL_CIPHER_get_bits`: secret bits, also stored in `*alg_bits` if given; 0 for NULL.
#[no_mangle]
pub unsafe extern "C" fn SSL_CIPHER_get_bits(c: *const SSL_CIPHER, alg_bits: *mut c_int) -> c_int {
    entry(|| {
        // SAFETY: NULL or a pointer into the table.
        let Some(c) = (unsafe { c.as_ref() }) else {
            return Ok(0);
        };
        if !alg_bits.is_null() {
            // SAFETY: alg_bits is writable per the API.
            unsafe { *alg_bits = c.bits() };
        }
        Ok(c.bits())
    })
}

/// `SSL_CIPHER_get_version`: the lowest protocol version of the suite ("TLSv1.0",
/// "TLSv1.2"...; "unknown" for a signalling value), static; "(NONE)" for NULL.
#[no_mangle]
pub unsafe extern "C" fn SSL_CIPHER_get_version(c: *const SSL_CIPHER) -> *const c_char {
    entry(|| {
        // SAFETY: NULL or a pointer into the table.
        Ok(unsafe { c.as_ref() }
            .map_or(c"(NONE)", Cipher::version)
            .as_ptr())
    })
}

/// `SSL_CIPHER_get_id`: OpenSSL's id, 0x0300XXXX with XXXX the IANA id.
#[no_mangle]
pub unsafe extern "C" fn SSL_CIPHER_get_id(c: *const SSL_CIPHER) -> u32 {
    entry(|| Ok(try_ref!(c).openssl_id()))
}

/// `SSL_CIPHER_get_protocol_id`: the IANA id.
#[no_mangle]
pub unsafe extern "C" fn SSL_CIPHER_get_protocol_id(c: *const SSL_CIPHER) -> u16 {
    entry(|| Ok(try_ref!(c).iana_id()))
}

/// `SSL_CIPHER_get_cipher_nid`: the bulk cipher's NID; `NID_undef` for NULL ciphers and
/// for NULL.
#[no_mangle]
pub unsafe extern "C" fn SSL_CIPHER_get_cipher_nid(c: *const SSL_CIPHER) -> c_int {
    entry(|| {
        // SAFETY: NULL or a pointer into the table.
        Ok(unsafe { c.as_ref() }.map_or(sys::NID_undef, Cipher::cipher_nid))
    })
}

/// `SSL_CIPHER_get_digest_nid`: the MAC's digest NID; `NID_undef` for an AEAD suite.
#[no_mangle]
pub unsafe extern "C" fn SSL_CIPHER_get_digest_nid(c: *const SSL_CIPHER) -> c_int {
    entry(|| Ok(try_ref!(c).digest_nid()))
}

/// `SSL_CIPHER_get_kx_nid`: the key exchange's NID (`NID_kx_ecdhe`..., `NID_kx_any` for
/// TLS 1.3).
#[no_mangle]
pub unsafe extern "C" fn SSL_CIPHER_get_kx_nid(c: *const SSL_CIPHER) -> c_int {
    entry(|| Ok(try_ref!(c).kx_nid()))
}

/// `SSL_CIPHER_get_auth_nid`: the authentication's NID (`NID_auth_rsa`..., `NID_auth_any`
/// for TLS 1.3).
#[no_mangle]
pub unsafe extern "C" fn SSL_CIPHER_get_auth_nid(c: *const SSL_CIPHER) -> c_int {
    entry(|| Ok(try_ref!(c).auth_nid()))
}

/// `SSL_CIPHER_get_handshake_digest`: libcrypto's static digest of the handshake (and PRF)
/// hash (`EVP_sha256()`...; MD5-SHA1 below TLS 1.2); NULL when libcrypto has none.
#[no_mangle]
pub unsafe extern "C" fn SSL_CIPHER_get_handshake_digest(
    c: *const SSL_CIPHER,
) -> *const sys::EVP_MD {
    entry(|| Ok(sys::digest_by_nid(try_ref!(c).handshake_digest_nid())))
}

/// `SSL_CIPHER_is_aead`: 1 if the cipher authenticates itself (GCM, CCM, ChaCha20-Poly1305).
#[no_mangle]
pub unsafe extern "C" fn SSL_CIPHER_is_aead(c: *const SSL_CIPHER) -> c_int {
    entry(|| Ok(c_int::from(try_ref!(c).is_aead())))
}

/// `SSL_CIPHER_description`: OpenSSL's one-line description (`NAME VERSION Kx=.. Au=..
/// Enc=.. Mac=..`, newline-terminated) written into `buf` (cut to `size` bytes with the
/// NUL); with a NULL `buf`, into a new 128-byte buffer from `OPENSSL_malloc` the caller
/// frees. Returns the buffer, or NULL (no error queued) when `size` is below 128.
#[no_mangle]
pub unsafe extern "C" fn SSL_CIPHER_description(
    c: *const SSL_CIPHER,
    buf: *mut c_char,
    size: c_int,
) -> *mut c_char {
    entry(|| {
        let line = CString::new(try_ref!(c).description()).map_err(|_| Error::Internal)?;
        if buf.is_null() {
            let out = sys::malloc_cstr(&line, 128);
            return if out.is_null() {
                Err(Error::Reason(sys::ERR_R_MALLOC_FAILURE))
            } else {
                Ok(out)
            };
        }
        let size = match usize::try_from(size) {
            Ok(size) if size >= 128 => size,
            _ => return Ok(null_mut()),
        };
        // SAFETY: buf is writable for size bytes per the API.
        let out = unsafe { super::out_slice(buf.cast(), size) };
        let text = line.as_bytes_with_nul();
        let n = text.len().min(size);
        out[..n].copy_from_slice(&text[..n]);
        out[n - 1] = 0;
        Ok(buf)
    })
}

/// `OSSL_default_cipher_list`: the cipher string of a new context (static).
#[no_mangle]
pub unsafe extern "C" fn OSSL_default_cipher_list() -> *const c_char {
    entry(|| Ok(DEFAULT_RULE.as_ptr()))
}

/// `OSSL_default_ciphersuites`: the TLS 1.3 suites of a new context (static).
#[no_mangle]
pub unsafe extern "C" fn OSSL_default_ciphersuites() -> *const c_char {
    entry(|| Ok(DEFAULT_SUITES.as_ptr()))
}

/// `SSL_get_cipher_list`: the OpenSSL name (static) of the `n`th suite of `SSL_get_ciphers`,
/// or NULL past the end.
#[no_mangle]
pub unsafe extern "C" fn SSL_get_cipher_list(ssl: *const SSL, n: c_int) -> *const c_char {
    entry(|| {
        // SAFETY: NULL or a connection from SSL_new.
        let Some(ssl) = (unsafe { ssl.as_ref() }) else {
            return Ok(null());
        };
        let list = ssl.conn()?.effective_settings().ciphers();
        Ok(usize::try_from(n)
            .ok()
            .and_then(|n| list.get(n))
            .map_or(null(), |c| c.name().as_ptr()))
    })
}
