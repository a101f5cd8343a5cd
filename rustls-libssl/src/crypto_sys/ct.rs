//! Certificate Transparency through libcrypto: the context's CT log list (`CTLOG_STORE`),
//! the SCTs a server presented, and their validation (`SCT_LIST_validate`) before the
//! application's validation callback decides, as OpenSSL's `ssl_validate_ct` does.
//!
//! SCTs come from the stapled OCSP response and the certificate's own extension; rustls
//! does not ask for the TLS `signed_certificate_timestamp` extension, so SCTs a server
//! would send only there are not seen.

use std::ffi::{c_int, c_void};
use std::ptr::{self, NonNull};

use super::ffi;
use super::owners::Cert;

/// `SSL_CTX_set_ct_validation_callback`'s callback.
pub type CtCallback = unsafe extern "C" fn(
    *const ffi::CT_POLICY_EVAL_CTX,
    *const ffi::stack_st_SCT,
    *mut c_void,
) -> c_int;

/// A context's CT log list (`SSL_CTX_get0_ctlog_store`).
pub struct CtLogStore(NonNull<ffi::CTLOG_STORE>);

impl CtLogStore {
    /// An empty list.
    pub fn new() -> Option<Self> {
        // SAFETY: returns a new store we own, or NULL.
        NonNull::new(unsafe { ffi::CTLOG_STORE_new() }).map(Self)
    }

    /// Takes over a store the application hands over (`SSL_CTX_set0_ctlog_store`).
    ///
    /// # Safety
    /// `ptr` is NULL or a store whose ownership passes to the result.
    pub unsafe fn from_raw(ptr: *mut ffi::CTLOG_STORE) -> Option<Self> {
        NonNull::new(ptr).map(Self)
    }

    /// The raw pointer (get0).
    pub fn as_ptr(&self) -> *mut ffi::CTLOG_STORE {
        self.0.as_ptr()
    }

    /// `CTLOG_STORE_load_file`: adds the logs of a list file; false (libcrypto's errors
    /// queued) if it cannot be read.
    pub fn load_file(&self, path: &std::ffi::CStr) -> bool {
        // SAFETY: the store is alive; path is a C string.
        unsafe { ffi::CTLOG_STORE_load_file(self.as_ptr(), path.as_ptr()) == 1 }
    }

    /// `CTLOG_STORE_load_default_file`: the default list (`CTLOG_FILE` or OpenSSL's).
    pub fn load_default_file(&self) -> bool {
        // SAFETY: the store is alive.
        unsafe { ffi::CTLOG_STORE_load_default_file(self.as_ptr()) == 1 }
    }
}

impl Drop for CtLogStore {
    fn drop(&mut self) {
        // SAFETY: self owns the store.
        unsafe { ffi::CTLOG_STORE_free(self.0.as_ptr()) };
    }
}

// SAFETY: libcrypto only reads the store after loading, which happens under the owning
// context's lock.
unsafe impl Send for CtLogStore {}
// SAFETY: as above.
unsafe impl Sync for CtLogStore {}

/// The SCTs a peer presented (`SSL_get0_peer_scts`), owned: NULL until there is a list.
pub struct SctList(*mut ffi::stack_st_SCT);

impl SctList {
    /// No list (`SSL_get0_peer_scts` returns NULL).
    pub fn none() -> Self {
        Self(ptr::null_mut())
    }

    /// The SCTs of `leaf`'s extension and of the stapled OCSP response (DER), as OpenSSL
    /// collects them: an empty list once there is a certificate, no list without one.
    pub fn collect(leaf: Option<&Cert>, ocsp: &[u8]) -> Self {
        let mut list = Self::none();
        if !ocsp.is_empty() {
            list.add_from_ocsp(ocsp);
        }
        if let Some(cert) = leaf {
            // SAFETY: cert is alive; X509_get_ext_d2i returns a new list or NULL.
            let scts = unsafe {
                ffi::X509_get_ext_d2i(
                    cert.as_ptr(),
                    ffi::NID_ct_precert_scts,
                    ptr::null_mut(),
                    ptr::null_mut(),
                )
            };
            list.take(scts.cast(), ffi::sct_source_t_SCT_SOURCE_X509V3_EXTENSION);
        }
        list
    }

    fn add_from_ocsp(&mut self, ocsp: &[u8]) {
        let Ok(len) = libc::c_long::try_from(ocsp.len()) else {
            return;
        };
        let mut p = ocsp.as_ptr();
        // SAFETY: p points at len bytes; every object made here is freed here, and the
        // SCT lists taken from the response pass to `take`.
        unsafe {
            let rsp = ffi::d2i_OCSP_RESPONSE(ptr::null_mut(), &mut p, len);
            if rsp.is_null() {
                return;
            }
            let basic = ffi::OCSP_response_get1_basic(rsp);
            if !basic.is_null() {
                for i in 0..ffi::OCSP_resp_count(basic) {
                    let single = ffi::OCSP_resp_get0(basic, i);
                    if single.is_null() {
                        continue;
                    }
                    let scts = ffi::OCSP_SINGLERESP_get1_ext_d2i(
                        single,
                        ffi::NID_ct_cert_scts,
                        ptr::null_mut(),
                        ptr::null_mut(),
                    );
                    self.take(
                        scts.cast(),
                        ffi::sct_source_t_SCT_SOURCE_OCSP_STAPLED_RESPONSE,
                    );
                }
                ffi::OCSP_BASICRESP_free(basic);
            }
            ffi::OCSP_RESPONSE_free(rsp);
        }
    }

    /// Moves the SCTs of `src` (freed here; may be NULL) into the list, marking where
    /// they came from; the list exists afterwards even if `src` had none.
    fn take(&mut self, src: *mut ffi::stack_st_SCT, source: ffi::sct_source_t) {
        // SAFETY: self.0 is NULL or our stack; src is NULL or a stack we own; each SCT
        // popped from src is pushed to ours (or freed).
        unsafe {
            if self.0.is_null() {
                self.0 = ffi::OPENSSL_sk_new_null().cast();
                if self.0.is_null() {
                    ffi::SCT_LIST_free(src);
                    return;
                }
            }
            if src.is_null() {
                return;
            }
            loop {
                let sct = ffi::OPENSSL_sk_pop(src.cast()).cast::<ffi::SCT>();
                if sct.is_null() {
                    break;
                }
                ffi::SCT_set_source(sct, source);
                if ffi::OPENSSL_sk_push(self.0.cast(), sct.cast()) == 0 {
                    ffi::SCT_free(sct);
                }
            }
            ffi::SCT_LIST_free(src);
        }
    }

    /// The stack (get0), NULL if there is no list.
    pub fn as_ptr(&self) -> *const ffi::stack_st_SCT {
        self.0
    }
}

impl Drop for SctList {
    fn drop(&mut self) {
        // SAFETY: NULL or our stack of SCTs.
        unsafe { ffi::SCT_LIST_free(self.0) };
    }
}

// SAFETY: owned by one connection and used under its lock.
unsafe impl Send for SctList {}
// SAFETY: as above.
unsafe impl Sync for SctList {}

/// What `ssl_validate_ct` concluded.
#[derive(Debug, PartialEq, Eq)]
pub enum CtVerdict {
    /// The callback accepted the SCTs.
    Accepted,
    /// The callback refused them (or failed).
    Refused,
    /// The SCTs could not be validated at all (`SSL_R_SCT_VERIFICATION_FAILED`).
    Failed,
}

/// Validates `scts` (no list: NULL) against `leaf` and its `issuer` with the logs of
/// `logs` (none: NULL) at `time` (seconds), then asks `callback`.
pub fn validate_ct(
    scts: Option<&SctList>,
    leaf: &Cert,
    issuer: &Cert,
    logs: Option<&CtLogStore>,
    time: u64,
    callback: CtCallback,
    arg: usize,
) -> CtVerdict {
    let scts = scts.map_or(ptr::null(), SctList::as_ptr);
    let logs = logs.map_or(ptr::null_mut(), CtLogStore::as_ptr);
    // SAFETY: the policy context is created and freed here; the certificates, store and
    // list outlive it; the callback is the application's, called as OpenSSL calls it.
    unsafe {
        let ctx = ffi::CT_POLICY_EVAL_CTX_new();
        if ctx.is_null() {
            return CtVerdict::Failed;
        }
        ffi::CT_POLICY_EVAL_CTX_set1_cert(ctx, leaf.as_ptr());
        ffi::CT_POLICY_EVAL_CTX_set1_issuer(ctx, issuer.as_ptr());
        ffi::CT_POLICY_EVAL_CTX_set_shared_CTLOG_STORE(ctx, logs);
        ffi::CT_POLICY_EVAL_CTX_set_time(ctx, time.saturating_mul(1000));
        // What validation queues about SCTs that do not verify stays only if the
        // handshake fails: a success leaves no stale errors.
        ffi::ERR_set_mark();
        let verdict = if ffi::SCT_LIST_validate(scts, ctx) < 0 {
            CtVerdict::Failed
        } else if callback(ctx, scts, arg as *mut c_void) > 0 {
            CtVerdict::Accepted
        } else {
            CtVerdict::Refused
        };
        if verdict == CtVerdict::Accepted {
            ffi::ERR_pop_to_mark();
        } else {
            ffi::ERR_clear_last_mark();
        }
        ffi::CT_POLICY_EVAL_CTX_free(ctx);
        verdict
    }
}

/// `SSL_CT_VALIDATION_PERMISSIVE`'s callback: accepts whatever the SCTs are.
///
/// # Safety
/// Called by the shim as a CT validation callback.
pub unsafe extern "C" fn ct_permissive(
    _ctx: *const ffi::CT_POLICY_EVAL_CTX,
    _scts: *const ffi::stack_st_SCT,
    _arg: *mut c_void,
) -> c_int {
    1
}

/// `SSL_CT_VALIDATION_STRICT`'s callback: at least one valid SCT, else it queues
/// `SSL_R_NO_VALID_SCTS` and refuses.
///
/// # Safety
/// Called with NULL or a valid list of SCTs.
pub unsafe extern "C" fn ct_strict(
    _ctx: *const ffi::CT_POLICY_EVAL_CTX,
    scts: *const ffi::stack_st_SCT,
    _arg: *mut c_void,
) -> c_int {
    // SAFETY: scts is NULL or a valid stack (num of NULL is -1).
    let count = unsafe { ffi::OPENSSL_sk_num(scts.cast()) };
    for i in 0..count.max(0) {
        // SAFETY: i is in range.
        let sct = unsafe { ffi::OPENSSL_sk_value(scts.cast(), i) }.cast::<ffi::SCT>();
        // SAFETY: an SCT of the list.
        if unsafe { ffi::SCT_get_validation_status(sct) }
            == ffi::sct_validation_status_t_SCT_VALIDATION_STATUS_VALID
        {
            return 1;
        }
    }
    // SAFETY: pushes onto this thread's error queue, as OpenSSL's ERR_raise.
    unsafe {
        ffi::ERR_new();
        ffi::ERR_set_debug(c"rustls-libssl".as_ptr(), 0, ptr::null());
        ffi::ERR_set_error(ffi::ERR_LIB_SSL, ffi::SSL_R_NO_VALID_SCTS, ptr::null());
    }
    0
}
