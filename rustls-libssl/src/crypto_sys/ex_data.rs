//! Application data slots on `SSL`, `SSL_CTX` and `SSL_SESSION`, kept by libcrypto's own
//! `CRYPTO_EX_DATA` as OpenSSL's libssl keeps them: indices come from
//! `CRYPTO_get_ex_new_index` (`SSL_get_ex_new_index` is a macro over it), and the
//! application's new, dup and free callbacks for an index run when an object is created,
//! duplicated and freed.

use std::cell::UnsafeCell;
use std::ffi::{c_int, c_void};
use std::sync::Mutex;

use super::ffi;

/// Which kind of object the slots belong to (`CRYPTO_EX_INDEX_*`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExClass {
    Ssl,
    SslCtx,
    SslSession,
}

impl ExClass {
    fn index(self) -> c_int {
        match self {
            Self::Ssl => ffi::CRYPTO_EX_INDEX_SSL,
            Self::SslCtx => ffi::CRYPTO_EX_INDEX_SSL_CTX,
            Self::SslSession => ffi::CRYPTO_EX_INDEX_SSL_SESSION,
        }
    }
}

/// One object's slots. Created empty; [`ExData::init`] runs the applications' "new"
/// callbacks once the object's address is final, and dropping runs the "free" callbacks
/// (the owner calls [`ExData::release`] first if the callbacks must see the object alive).
pub struct ExData {
    class: ExClass,
    /// libcrypto's structure, at a fixed address (callbacks receive a pointer to it).
    ad: Box<UnsafeCell<ffi::CRYPTO_EX_DATA>>,
    /// The object pointer the callbacks were given, 0 until [`ExData::init`].
    owner: usize,
    /// Serialises set/get: libcrypto does not lock one object's slots.
    lock: Mutex<()>,
}

// SAFETY: every access to `ad` after initialisation goes through `lock` (set/get) or
// happens with exclusive access (`init`, `dup_from`, `release`, drop).
unsafe impl Send for ExData {}
// SAFETY: as above.
unsafe impl Sync for ExData {}

impl ExData {
    /// Empty slots of `class` (no callback has run yet).
    pub fn new(class: ExClass) -> Self {
        Self {
            class,
            ad: Box::new(UnsafeCell::new(ffi::CRYPTO_EX_DATA {
                ctx: std::ptr::null_mut(),
                sk: std::ptr::null_mut(),
            })),
            owner: 0,
            lock: Mutex::new(()),
        }
    }

    /// Runs the "new" callbacks registered for the class with `obj`, the object's public
    /// pointer (`SSL *`, `SSL_CTX *`, `SSL_SESSION *`).
    pub fn init(&mut self, obj: *mut c_void) {
        self.owner = obj as usize;
        // SAFETY: `ad` is a zeroed CRYPTO_EX_DATA owned by self, at a stable address;
        // we have exclusive access.
        unsafe { ffi::CRYPTO_new_ex_data(self.class.index(), obj, self.ad.get()) };
    }

    /// Copies `from`'s slots through the classes' "dup" callbacks (`SSL_dup`,
    /// `SSL_SESSION_dup`).
    pub fn dup_from(&mut self, from: &Self) {
        let _guard = from.lock.lock();
        // SAFETY: both structures are valid; self is exclusively ours and `from` is locked.
        unsafe { ffi::CRYPTO_dup_ex_data(self.class.index(), self.ad.get(), from.ad.get()) };
    }

    /// Stores `value` at `idx`; false if libcrypto refuses (a bad index).
    pub fn set(&self, idx: c_int, value: *mut c_void) -> bool {
        let _guard = self.lock.lock();
        // SAFETY: `ad` is valid for the object's life; access is serialised by `lock`.
        unsafe { ffi::CRYPTO_set_ex_data(self.ad.get(), idx, value) == 1 }
    }

    /// The value at `idx`, or NULL.
    pub fn get(&self, idx: c_int) -> *mut c_void {
        let _guard = self.lock.lock();
        // SAFETY: as in `set`.
        unsafe { ffi::CRYPTO_get_ex_data(self.ad.get(), idx) }
    }

    /// Runs the "free" callbacks now (while the owner is still whole); later calls and the
    /// drop do nothing more.
    pub fn release(&mut self) {
        if self.owner == 0 && self.ad.get_mut().sk.is_null() {
            return;
        }
        let owner = std::mem::replace(&mut self.owner, 0);
        // SAFETY: exclusive access; CRYPTO_free_ex_data frees the stack and leaves `ad`
        // empty.
        unsafe {
            ffi::CRYPTO_free_ex_data(self.class.index(), owner as *mut c_void, self.ad.get())
        };
        let ad = self.ad.get_mut();
        ad.sk = std::ptr::null_mut();
        ad.ctx = std::ptr::null_mut();
    }
}

impl Drop for ExData {
    fn drop(&mut self) {
        self.release();
    }
}
