//! A client-certificate `ENGINE` (`SSL_CTX_set_client_cert_engine`): a functional
//! reference, asked for a client certificate before the application's callback.

use std::ffi::c_void;
use std::ptr::{self, NonNull};

use super::ffi;
use super::owners::{Cert, PKey};

/// A functional reference to an engine that can load client certificates.
pub struct ClientCertEngine(NonNull<ffi::ENGINE>);

impl ClientCertEngine {
    /// Takes a functional reference to `e` (`ENGINE_init`). `Err(true)`: the engine
    /// cannot be initialised (libcrypto's error queued; NULL included); `Err(false)`: it
    /// has no client-certificate loader.
    ///
    /// # Safety
    /// `e` is NULL or a valid engine.
    pub unsafe fn init(e: *mut ffi::ENGINE) -> Result<Self, bool> {
        // SAFETY: guaranteed by the caller; ENGINE_init reports NULL itself.
        if unsafe { ffi::ENGINE_init(e) } == 0 {
            return Err(true);
        }
        let Some(e) = NonNull::new(e) else {
            return Err(true);
        };
        // SAFETY: e is initialised.
        if unsafe { ffi::ENGINE_get_ssl_client_cert_function(e.as_ptr()) }.is_none() {
            // SAFETY: drops the reference taken above.
            unsafe { ffi::ENGINE_finish(e.as_ptr()) };
            return Err(false);
        }
        Ok(Self(e))
    }

    /// Asks the engine for a client certificate and key for connection `ssl` (an `SSL *`)
    /// given the CA names the server listed.
    ///
    /// # Safety
    /// `ssl` is the live connection asking; `ca_names` NULL or its stack of names.
    pub unsafe fn load(
        &self,
        ssl: *mut c_void,
        ca_names: *mut ffi::stack_st_X509_NAME,
    ) -> Option<(Cert, PKey)> {
        let mut x509 = ptr::null_mut();
        let mut pkey = ptr::null_mut();
        // SAFETY: guaranteed by the caller; the engine hands over one reference to each
        // object it returns.
        unsafe {
            let r = ffi::ENGINE_load_ssl_client_cert(
                self.0.as_ptr(),
                ssl.cast(),
                ca_names,
                &mut x509,
                &mut pkey,
                ptr::null_mut(),
                ptr::null_mut(),
                ptr::null_mut(),
            );
            let (cert, key) = (Cert::from_raw(x509), PKey::from_raw(pkey));
            if r == 0 {
                return None;
            }
            Some((cert?, key?))
        }
    }
}

impl Clone for ClientCertEngine {
    fn clone(&self) -> Self {
        // SAFETY: the engine is initialised; this takes one more functional reference.
        unsafe { ffi::ENGINE_init(self.0.as_ptr()) };
        Self(self.0)
    }
}

impl Drop for ClientCertEngine {
    fn drop(&mut self) {
        // SAFETY: self holds one functional reference.
        unsafe { ffi::ENGINE_finish(self.0.as_ptr()) };
    }
}

impl std::fmt::Debug for ClientCertEngine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ClientCertEngine({:p})", self.0.as_ptr())
    }
}

// SAFETY: engines are shared process-wide objects with their own locking.
unsafe impl Send for ClientCertEngine {}
// SAFETY: as above.
unsafe impl Sync for ClientCertEngine {}
