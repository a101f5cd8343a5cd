//! Owned stacks of libcrypto objects: `X509Stack` (a `STACK_OF(X509)` handed out as a get0
//! pointer) and `NameStack` (a `STACK_OF(X509_NAME)`, the client CA lists), with the
//! helpers that encode and fill them.

use std::ptr::NonNull;

use super::ffi;
use super::owners::{i2d_vec, Cert};

/// A `STACK_OF(Cert)` handed out as a get0 pointer: it holds its own references to the
/// certificates and is freed with them.
pub struct X509Stack(NonNull<ffi::OPENSSL_STACK>);

impl X509Stack {
    /// A stack holding new references to `certs`, in order.
    pub fn new(certs: &[Cert]) -> Option<Self> {
        // SAFETY: OPENSSL_sk_new_null returns an owned empty stack or NULL.
        let sk = NonNull::new(unsafe { ffi::OPENSSL_sk_new_null() })?;
        let stack = Self(sk);
        for cert in certs {
            // SAFETY: the stack is alive; the pushed pointer carries its own new reference.
            unsafe { ffi::OPENSSL_sk_push(sk.as_ptr(), cert.up_ref_raw().cast()) };
        }
        Some(stack)
    }

    /// The raw stack (get0).
    pub fn as_ptr(&self) -> *mut ffi::OPENSSL_STACK {
        self.0.as_ptr()
    }
}

/// Frees one element of a stack of certificates (`OPENSSL_sk_pop_free`'s callback).
///
/// # Safety
/// Called by `OPENSSL_sk_pop_free` with an `X509` the stack owns (one reference).
pub(super) unsafe extern "C" fn free_x509(p: *mut libc::c_void) {
    // SAFETY: the stack owns one reference to each element.
    unsafe { ffi::X509_free(p.cast()) };
}

impl Drop for X509Stack {
    fn drop(&mut self) {
        // SAFETY: self owns the stack and one reference per element.
        unsafe { ffi::OPENSSL_sk_pop_free(self.0.as_ptr(), Some(free_x509)) };
    }
}

// SAFETY: the stack is only read after creation; its elements are reference counted.
unsafe impl Send for X509Stack {}
// SAFETY: as above.
unsafe impl Sync for X509Stack {}

impl X509Stack {
    /// New references to the certificates of a `STACK_OF(X509)` the caller owns.
    ///
    /// # Safety
    /// `sk` is NULL or a valid `STACK_OF(X509)`.
    pub unsafe fn certs_of(sk: *const ffi::OPENSSL_STACK) -> Vec<Cert> {
        if sk.is_null() {
            return Vec::new();
        }
        // SAFETY: sk is a valid stack of X509 per the caller.
        let n = unsafe { ffi::OPENSSL_sk_num(sk) };
        (0..n)
            // SAFETY: i is in range; each element is a valid X509 we take a reference to.
            .filter_map(|i| unsafe { Cert::from_ptr_up_ref(ffi::OPENSSL_sk_value(sk, i).cast()) })
            .collect()
    }

    /// Takes over a `STACK_OF(X509)` and the references it holds (a set0).
    ///
    /// # Safety
    /// `sk` is NULL or a valid `STACK_OF(X509)` whose ownership passes to the result.
    pub unsafe fn from_raw(sk: *mut ffi::OPENSSL_STACK) -> Option<Self> {
        NonNull::new(sk).map(Self)
    }

    /// The certificates, as new references.
    pub fn to_vec(&self) -> Vec<Cert> {
        // SAFETY: self owns a valid stack.
        unsafe { Self::certs_of(self.0.as_ptr()) }
    }
}

/// An owned `STACK_OF(X509_NAME)` (client CA lists).
pub struct NameStack(NonNull<ffi::OPENSSL_STACK>);

impl NameStack {
    /// Takes over a stack and its names.
    ///
    /// # Safety
    /// `sk` is NULL or a valid `STACK_OF(X509_NAME)` whose ownership passes to the result.
    pub unsafe fn from_raw(sk: *mut ffi::OPENSSL_STACK) -> Option<Self> {
        NonNull::new(sk).map(Self)
    }

    /// A new stack of copies of the certificates' subject names.
    pub fn of_subjects(certs: &[Cert]) -> Option<Self> {
        // SAFETY: creates an owned empty stack.
        let stack = Self(NonNull::new(unsafe { ffi::OPENSSL_sk_new_null() })?);
        for cert in certs {
            // SAFETY: the certificate is alive; the dup is owned by the stack once pushed.
            unsafe {
                let name = ffi::X509_NAME_dup(ffi::X509_get_subject_name(cert.as_ptr()));
                if !name.is_null() {
                    ffi::OPENSSL_sk_push(stack.0.as_ptr(), name.cast());
                }
            }
        }
        Some(stack)
    }

    /// The raw stack (get0).
    pub fn as_ptr(&self) -> *mut ffi::OPENSSL_STACK {
        self.0.as_ptr()
    }

    /// Gives the stack to the caller.
    pub fn into_raw(self) -> *mut ffi::OPENSSL_STACK {
        std::mem::ManuallyDrop::new(self).0.as_ptr()
    }
}

impl Drop for NameStack {
    fn drop(&mut self) {
        /// # Safety
        /// Called by `OPENSSL_sk_pop_free` with an `X509_NAME` the stack owns.
        unsafe extern "C" fn free_name(p: *mut libc::c_void) {
            // SAFETY: every element is an X509_NAME owned by the stack.
            unsafe { ffi::X509_NAME_free(p.cast()) };
        }
        // SAFETY: self owns the stack and its names.
        unsafe { ffi::OPENSSL_sk_pop_free(self.0.as_ptr(), Some(free_name)) };
    }
}

// SAFETY: the stack is only read after it is stored.
unsafe impl Send for NameStack {}
// SAFETY: as above.
unsafe impl Sync for NameStack {}

impl NameStack {
    /// The DER encoding of each name (for a CertificateRequest's CA list).
    pub fn ders(&self) -> Vec<Vec<u8>> {
        // SAFETY: self owns a valid stack of X509_NAME.
        let n = unsafe { ffi::OPENSSL_sk_num(self.0.as_ptr()) };
        (0..n)
            .filter_map(|i| {
                // SAFETY: i is in range; the element is a valid X509_NAME.
                let name =
                    unsafe { ffi::OPENSSL_sk_value(self.0.as_ptr(), i) }.cast::<ffi::X509_NAME>();
                // SAFETY: as above.
                i2d_vec(|out| unsafe { ffi::i2d_X509_NAME(name, out) })
            })
            .collect()
    }
}

impl NameStack {
    /// A new empty stack.
    pub fn new() -> Option<Self> {
        // SAFETY: creates an owned empty stack.
        NonNull::new(unsafe { ffi::OPENSSL_sk_new_null() }).map(Self)
    }

    /// A stack of names parsed from DER.
    pub fn from_ders(ders: &[Vec<u8>]) -> Option<Self> {
        let stack = Self::new()?;
        for der in ders {
            let mut p = der.as_ptr();
            let len = libc::c_long::try_from(der.len()).ok()?;
            // SAFETY: p points at len bytes; the parsed name is owned by the stack once
            // pushed.
            unsafe {
                let name = ffi::d2i_X509_NAME(std::ptr::null_mut(), &mut p, len);
                if !name.is_null() {
                    ffi::OPENSSL_sk_push(stack.as_ptr(), name.cast());
                }
            }
        }
        Some(stack)
    }

    /// A deep copy of a stack of names (`SSL_dup_CA_list`).
    ///
    /// # Safety
    /// `sk` is NULL (an empty copy) or a valid `STACK_OF(X509_NAME)`.
    pub unsafe fn dup_of(sk: *const ffi::OPENSSL_STACK) -> Option<Self> {
        let stack = Self::new()?;
        // SAFETY: guaranteed by the caller; each dup is owned by the new stack.
        unsafe {
            let n = if sk.is_null() {
                0
            } else {
                ffi::OPENSSL_sk_num(sk)
            };
            for i in 0..n {
                let name = ffi::X509_NAME_dup(ffi::OPENSSL_sk_value(sk, i).cast());
                if name.is_null() {
                    return None;
                }
                ffi::OPENSSL_sk_push(stack.as_ptr(), name.cast());
            }
        }
        Some(stack)
    }
}

/// The DER of a name.
///
/// # Safety
/// `name` is a valid `X509_NAME`.
unsafe fn name_der(name: *mut ffi::X509_NAME) -> Option<Vec<u8>> {
    i2d_vec(|out| {
        // SAFETY: guaranteed by the caller.
        unsafe { ffi::i2d_X509_NAME(name, out) }
    })
}

/// Appends a copy of `cert`'s subject to a stack of names; false on failure.
///
/// # Safety
/// `stack` is a valid `STACK_OF(X509_NAME)`.
pub unsafe fn push_subject(stack: *mut ffi::OPENSSL_STACK, cert: &Cert) -> bool {
    // SAFETY: guaranteed by the caller; the dup is owned by the stack once pushed.
    unsafe {
        let name = ffi::X509_NAME_dup(ffi::X509_get_subject_name(cert.as_ptr()));
        if name.is_null() {
            return false;
        }
        if ffi::OPENSSL_sk_push(stack, name.cast()) == 0 {
            ffi::X509_NAME_free(name);
            return false;
        }
        true
    }
}
