//! `BIGNUM` owners and libcrypto's SRP arithmetic, for the TLS-SRP parameters a connection
//! keeps (`SSL_set_srp_server_param`...). No handshake uses them: rustls has no SRP.

use std::ffi::CStr;
use std::ptr::NonNull;

use super::ffi;

/// An owned `BIGNUM` (cleared when freed: SRP values are secrets).
pub struct Bignum(NonNull<ffi::BIGNUM>);

impl Bignum {
    /// A copy of `bn`; `None` for NULL or when libcrypto fails.
    ///
    /// # Safety
    /// `bn` is NULL or a valid `BIGNUM`.
    pub unsafe fn dup(bn: *const ffi::BIGNUM) -> Option<Self> {
        if bn.is_null() {
            return None;
        }
        // SAFETY: bn is valid; BN_dup returns a new BIGNUM we own, or NULL.
        NonNull::new(unsafe { ffi::BN_dup(bn) }).map(Self)
    }

    /// Takes over a `BIGNUM` the caller owns; `None` for NULL.
    ///
    /// # Safety
    /// `bn` is NULL or a valid `BIGNUM` whose ownership passes to the result.
    unsafe fn from_raw(bn: *mut ffi::BIGNUM) -> Option<Self> {
        NonNull::new(bn).map(Self)
    }

    /// A random number of `bytes` bytes from the private generator.
    pub fn random(bytes: usize) -> Option<Self> {
        let mut buf = vec![0u8; bytes];
        aws_lc_rs::rand::fill(&mut buf).ok()?;
        let len = i32::try_from(bytes).ok()?;
        // SAFETY: buf holds len bytes; BN_bin2bn returns a new BIGNUM or NULL.
        let bn = unsafe { Self::from_raw(ffi::BN_bin2bn(buf.as_ptr(), len, std::ptr::null_mut())) };
        buf.fill(0);
        bn
    }

    /// The raw pointer, still owned by `self` (a get0).
    pub fn as_ptr(&self) -> *mut ffi::BIGNUM {
        self.0.as_ptr()
    }
}

impl Drop for Bignum {
    fn drop(&mut self) {
        // SAFETY: self owns the BIGNUM.
        unsafe { ffi::BN_clear_free(self.0.as_ptr()) };
    }
}

// SAFETY: a BIGNUM owned by one Bignum is only read or freed through it; no libcrypto
// object refers to it.
unsafe impl Send for Bignum {}
// SAFETY: shared references only read the number (libcrypto's const functions).
unsafe impl Sync for Bignum {}

/// RFC 5054's group `id` ("1024" ... "8192"): copies of (N, g).
pub fn default_group(id: &CStr) -> Option<(Bignum, Bignum)> {
    // SAFETY: id is a C string; the result is NULL or a static table entry.
    let gn = unsafe { ffi::SRP_get_default_gN(id.as_ptr()).as_ref() }?;
    // SAFETY: the table's numbers are valid and static.
    unsafe { Some((Bignum::dup(gn.N)?, Bignum::dup(gn.g)?)) }
}

/// A fresh salt and the verifier of `user`/`pass` in group (N, g).
pub fn verifier(user: &CStr, pass: &CStr, n: &Bignum, g: &Bignum) -> Option<(Bignum, Bignum)> {
    let mut salt = std::ptr::null_mut();
    let mut v = std::ptr::null_mut();
    // SAFETY: the strings and numbers are valid; on success libcrypto allocates both
    // outputs, which we own.
    let ok = unsafe {
        ffi::SRP_create_verifier_BN_ex(
            user.as_ptr(),
            pass.as_ptr(),
            &mut salt,
            &mut v,
            n.as_ptr(),
            g.as_ptr(),
            std::ptr::null_mut(),
            std::ptr::null(),
        )
    };
    // SAFETY: each output is NULL or a BIGNUM we now own.
    let (salt, v) = unsafe { (Bignum::from_raw(salt), Bignum::from_raw(v)) };
    if ok == 0 {
        return None;
    }
    Some((salt?, v?))
}

/// The server's public value B = (kv + g^b) % N.
pub fn calc_b(b: &Bignum, n: &Bignum, g: &Bignum, v: &Bignum) -> Option<Bignum> {
    // SAFETY: the numbers are valid; the result is a new BIGNUM or NULL.
    unsafe {
        Bignum::from_raw(ffi::SRP_Calc_B_ex(
            b.as_ptr(),
            n.as_ptr(),
            g.as_ptr(),
            v.as_ptr(),
            std::ptr::null_mut(),
            std::ptr::null(),
        ))
    }
}

/// The client's public value A = g^a % N.
pub fn calc_a(a: &Bignum, n: &Bignum, g: &Bignum) -> Option<Bignum> {
    // SAFETY: the numbers are valid; the result is a new BIGNUM or NULL.
    unsafe { Bignum::from_raw(ffi::SRP_Calc_A(a.as_ptr(), n.as_ptr(), g.as_ptr())) }
}
