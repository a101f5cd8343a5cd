//! Certificate-chain verification through libcrypto's `X509_verify_cert`, so the shim has
//! OpenSSL's exact semantics: store lookups (hashed directories), CRLs, verify flags, depth,
//! host/IP checks from an `X509_VERIFY_PARAM`, the application's verify callback, and the
//! `X509_V_ERR_*` codes.

use std::ptr;

use super::ffi;
use super::owners::{Cert, X509Store};

/// The application's verify callback, as OpenSSL stores it.
pub type VerifyCallback = ffi::X509_STORE_CTX_verify_cb;

/// An owned `X509_VERIFY_PARAM` (not reference counted: owned by one SSL_CTX or SSL).
pub struct VerifyParam(ptr::NonNull<ffi::X509_VERIFY_PARAM>);

impl VerifyParam {
    /// A new, empty parameter set.
    pub fn new() -> Option<Self> {
        // SAFETY: X509_VERIFY_PARAM_new returns an owned object or NULL.
        ptr::NonNull::new(unsafe { ffi::X509_VERIFY_PARAM_new() }).map(Self)
    }

    /// A copy of `other`.
    pub fn copy_of(other: &Self) -> Option<Self> {
        let new = Self::new()?;
        // SAFETY: both are valid parameter sets.
        (unsafe { ffi::X509_VERIFY_PARAM_set1(new.as_ptr(), other.as_ptr()) } == 1).then_some(new)
    }

    /// The raw pointer, owned by `self` (get0: the application may change it in place).
    pub fn as_ptr(&self) -> *mut ffi::X509_VERIFY_PARAM {
        self.0.as_ptr()
    }

    /// Moves the matched peer name of `from` here (`X509_VERIFY_PARAM_move_peername`).
    pub fn take_peername(&self, from: &Self) {
        // SAFETY: both parameter sets are alive and distinct.
        unsafe { ffi::X509_VERIFY_PARAM_move_peername(self.as_ptr(), from.as_ptr()) };
    }

    /// Sets the host name to check (`SSL_set1_host`): an IP address literal becomes an
    /// address check, as in OpenSSL 3.
    pub fn set_host(&self, host: Option<&str>) -> bool {
        let Some(host) = host else {
            // SAFETY: valid param; NULL clears the host list.
            return unsafe { ffi::X509_VERIFY_PARAM_set1_host(self.as_ptr(), ptr::null(), 0) } == 1;
        };
        if let Ok(ip) = host.parse::<std::net::IpAddr>() {
            let bytes = match ip {
                std::net::IpAddr::V4(a) => a.octets().to_vec(),
                std::net::IpAddr::V6(a) => a.octets().to_vec(),
            };
            // SAFETY: valid param; bytes is a readable buffer of the given length. Clearing
            // the host list first mirrors OpenSSL's SSL_set1_host.
            let ok = unsafe {
                ffi::X509_VERIFY_PARAM_set1_host(self.as_ptr(), ptr::null(), 0);
                ffi::X509_VERIFY_PARAM_set1_ip(self.as_ptr(), bytes.as_ptr(), bytes.len())
            };
            ok == 1
        } else {
            // SAFETY: valid param; host is readable for host.len() bytes.
            let ok = unsafe {
                ffi::X509_VERIFY_PARAM_set1_ip(self.as_ptr(), ptr::null(), 0);
                ffi::X509_VERIFY_PARAM_set1_host(self.as_ptr(), host.as_ptr().cast(), host.len())
            };
            ok == 1
        }
    }
}

impl Drop for VerifyParam {
    fn drop(&mut self) {
        // SAFETY: self owns the object.
        unsafe { ffi::X509_VERIFY_PARAM_free(self.0.as_ptr()) };
    }
}

// SAFETY: the parameter set is plain data; the shim only reads it during verification, on
// the thread driving that connection, as OpenSSL does.
unsafe impl Send for VerifyParam {}
// SAFETY: as above.
unsafe impl Sync for VerifyParam {}

/// What one verification needs besides the chain.
pub struct ChainCheck<'a> {
    pub store: &'a X509Store,
    pub param: Option<&'a VerifyParam>,
    pub callback: VerifyCallback,
    /// `X509_STORE_CTX` ex_data slot and value: the `SSL *` a callback looks up.
    pub ex_data: Option<(i32, usize)>,
    /// "ssl_server" when a client checks a server, "ssl_client" for the reverse.
    pub purpose: &'static std::ffi::CStr,
    /// The application's replacement for `X509_verify_cert`
    /// (`SSL_CTX_set_cert_verify_callback`) and its argument.
    pub replace: Option<(ReplaceVerify, usize)>,
}

/// `SSL_CTX_set_cert_verify_callback`'s callback.
pub type ReplaceVerify =
    unsafe extern "C" fn(*mut ffi::X509_STORE_CTX, *mut libc::c_void) -> libc::c_int;

/// The outcome: `X509_V_OK` (0) or the error code, and the verified chain if one was built.
pub struct ChainResult {
    pub ok: bool,
    pub error: i32,
    pub verified_chain: Vec<Cert>,
}

/// Runs `X509_verify_cert` on `leaf` with `untrusted` intermediates.
pub fn verify_chain(leaf: &Cert, untrusted: &[Cert], check: &ChainCheck<'_>) -> ChainResult {
    let fail = ChainResult {
        ok: false,
        error: ffi::X509_V_ERR_UNSPECIFIED,
        verified_chain: Vec::new(),
    };
    // SAFETY: every pointer handed to libcrypto below is valid for the duration of the call:
    // the store, leaf and intermediates are owned by the caller's owners, the stack and the
    // store context are created and freed here.
    unsafe {
        ffi::ERR_set_mark();
        let ctx = ffi::X509_STORE_CTX_new();
        if ctx.is_null() {
            ffi::ERR_pop_to_mark();
            return fail;
        }
        let sk = ffi::OPENSSL_sk_new_null();
        for cert in untrusted {
            ffi::OPENSSL_sk_push(sk, cert.as_ptr().cast());
        }
        let mut result = fail;
        if ffi::X509_STORE_CTX_init(ctx, check.store.as_ptr(), leaf.as_ptr(), sk.cast()) == 1 {
            ffi::X509_STORE_CTX_set_default(ctx, check.purpose.as_ptr());
            if let Some(param) = check.param {
                ffi::X509_VERIFY_PARAM_set1(ffi::X509_STORE_CTX_get0_param(ctx), param.as_ptr());
            }
            if check.callback.is_some() {
                ffi::X509_STORE_CTX_set_verify_cb(ctx, check.callback);
            }
            if let Some((idx, handle)) = check.ex_data {
                ffi::X509_STORE_CTX_set_ex_data(ctx, idx, handle as *mut libc::c_void);
            }
            let ok = match check.replace {
                Some((cb, arg)) => cb(ctx, arg as *mut libc::c_void) > 0,
                None => ffi::X509_verify_cert(ctx) == 1,
            };
            if let Some(param) = check.param {
                // As OpenSSL's libssl does: the name that matched goes back to the caller's
                // parameters (SSL_get0_peername).
                ffi::X509_VERIFY_PARAM_move_peername(
                    param.as_ptr(),
                    ffi::X509_STORE_CTX_get0_param(ctx),
                );
            }
            let error = ffi::X509_STORE_CTX_get_error(ctx);
            let chain = ffi::X509_STORE_CTX_get1_chain(ctx);
            let mut verified_chain = Vec::new();
            if !chain.is_null() {
                // The stack owns one reference per certificate; take them over.
                while let Some(x) = Cert::from_raw(ffi::OPENSSL_sk_shift(chain.cast()).cast()) {
                    verified_chain.push(x);
                }
                ffi::OPENSSL_sk_free(chain.cast());
            }
            result = ChainResult {
                ok,
                error,
                verified_chain,
            };
        }
        ffi::OPENSSL_sk_free(sk);
        ffi::X509_STORE_CTX_free(ctx);
        // Verification failures are reported through the result, not the error queue.
        ffi::ERR_pop_to_mark();
        result
    }
}
