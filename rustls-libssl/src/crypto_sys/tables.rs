//! libcrypto look-ups for libssl's static tables: the digest of a NID, and a buffer from
//! `OPENSSL_malloc` that the application frees.

use std::ffi::CStr;

use super::ffi;

/// `EVP_get_digestbynid` (a macro in OpenSSL 3): libcrypto's static digest for `nid`, or
/// NULL when none is available (GOST without its engine).
pub fn digest_by_nid(nid: i32) -> *const ffi::EVP_MD {
    // SAFETY: OBJ_nid2sn returns a static string or NULL for any nid.
    let name = unsafe { ffi::OBJ_nid2sn(nid) };
    if name.is_null() {
        return std::ptr::null();
    }
    // SAFETY: name is a NUL-terminated static string; the digest returned is static.
    unsafe { ffi::EVP_get_digestbyname(name) }
}

/// A copy of `text` (NUL-terminated) in a buffer of `size` bytes from `OPENSSL_malloc`, which
/// the caller frees with `OPENSSL_free`; NULL if the allocation fails. `text` is cut to fit.
pub fn malloc_cstr(text: &CStr, size: usize) -> *mut libc::c_char {
    // SAFETY: CRYPTO_malloc returns an owned buffer of `size` bytes or NULL.
    let buf = unsafe { ffi::CRYPTO_malloc(size, c"rustls-libssl".as_ptr(), 0) }.cast::<u8>();
    if buf.is_null() || size == 0 {
        return buf.cast();
    }
    let n = text.to_bytes().len().min(size - 1);
    // SAFETY: buf holds size > n bytes; the source has at least n bytes.
    unsafe {
        std::ptr::copy_nonoverlapping(text.as_ptr().cast::<u8>(), buf, n);
        *buf.add(n) = 0;
    }
    buf.cast()
}
