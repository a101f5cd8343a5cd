//! A libcrypto hash table (`OPENSSL_LHASH`), for `SSL_CTX_sessions`: applications walk it
//! with libcrypto's `lh_SSL_SESSION_*` functions.

use std::ffi::{c_int, c_ulong, c_void};
use std::ptr::NonNull;

use super::ffi;

/// An owned `OPENSSL_LHASH` of items the owner keeps alive (it holds pointers only).
pub struct LHash(NonNull<ffi::OPENSSL_LHASH>);

impl LHash {
    /// An empty table with these hash and compare functions.
    pub fn new(
        hash: unsafe extern "C" fn(*const c_void) -> c_ulong,
        cmp: unsafe extern "C" fn(*const c_void, *const c_void) -> c_int,
    ) -> Option<Self> {
        // SAFETY: creates a new table; the functions are valid for its lifetime.
        NonNull::new(unsafe { ffi::OPENSSL_LH_new(Some(hash), Some(cmp)) }).map(Self)
    }

    /// Replaces the contents with `items`.
    ///
    /// # Safety
    /// Each item stays valid, and valid input to the table's functions, until the next
    /// `refill` or the table's end.
    pub unsafe fn refill(&self, items: impl Iterator<Item = *mut c_void>) {
        // SAFETY: the table is ours; the items are valid per the caller.
        unsafe {
            ffi::OPENSSL_LH_flush(self.0.as_ptr());
            for item in items {
                ffi::OPENSSL_LH_insert(self.0.as_ptr(), item);
            }
        }
    }

    /// The raw table (get0).
    pub fn as_ptr(&self) -> *mut ffi::OPENSSL_LHASH {
        self.0.as_ptr()
    }
}

impl Drop for LHash {
    fn drop(&mut self) {
        // SAFETY: the table is ours; the items are not freed with it.
        unsafe { ffi::OPENSSL_LH_free(self.0.as_ptr()) };
    }
}

// SAFETY: the table is only used under its owner's lock; it holds plain pointers.
unsafe impl Send for LHash {}
// SAFETY: as above.
unsafe impl Sync for LHash {}
