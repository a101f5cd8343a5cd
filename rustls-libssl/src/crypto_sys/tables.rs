//! libcrypto containers and look-ups for libssl's static tables: a `STACK_OF` holding
//! pointers to static data (`STACK_OF(SSL_CIPHER)`), the digest of a NID, and a buffer from
//! `OPENSSL_malloc` that the application frees.

use std::ffi::CStr;
use std::ptr::NonNull;

use super::ffi;

/// A `STACK_OF(T)` of pointers to static items (the `SSL_CIPHER` table): the stack is owned,
/// the items are not, so it is freed with `OPENSSL_sk_free` alone.
pub struct StaticStack(NonNull<ffi::OPENSSL_STACK>);

impl StaticStack {
    /// A stack of `items`, in order; `None` if libcrypto cannot allocate it.
    pub fn new<T: Sync>(items: &[&'static T]) -> Option<Self> {
        // SAFETY: OPENSSL_sk_new_null returns an owned empty stack or NULL.
        let stack = Self(NonNull::new(unsafe { ffi::OPENSSL_sk_new_null() })?);
        for item in items {
            let p: *const T = *item;
            // SAFETY: the stack is alive; the item is static and never freed through it.
            if unsafe { ffi::OPENSSL_sk_push(stack.0.as_ptr(), p.cast()) } <= 0 {
                return None;
            }
        }
        Some(stack)
    }

    /// The raw stack (get0).
    pub fn as_ptr(&self) -> *mut ffi::OPENSSL_STACK {
        self.0.as_ptr()
    }

    /// Gives the stack to the caller, who frees it with `sk_*_free` (get1).
    pub fn into_raw(self) -> *mut ffi::OPENSSL_STACK {
        std::mem::ManuallyDrop::new(self).0.as_ptr()
    }
}

impl Drop for StaticStack {
    fn drop(&mut self) {
        // SAFETY: self owns the stack; its items are static and not freed.
        unsafe { ffi::OPENSSL_sk_free(self.0.as_ptr()) };
    }
}

// SAFETY: the stack is only read once built; its items are static `Sync` data.
unsafe impl Send for StaticStack {}
// SAFETY: as above.
unsafe impl Sync for StaticStack {}

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
