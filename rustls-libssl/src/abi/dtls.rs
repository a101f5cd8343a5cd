//! DTLS-only calls. OpenSSL answers them from the state of a DTLS connection; before a
//! datagram arrives or a handshake completes that state is empty, and the shim answers the
//! same. rustls has no DTLS: once a datagram has to be answered (a ClientHello in
//! `DTLSv1_listen`, any handshake), the call fails with "not supported".

use std::ffi::c_int;

use super::method::method_of;
use super::{entry, try_ref, SSL};
use crate::crypto_sys as sys;
use crate::current::lock;
use crate::error::Error;

/// `DTLS_get_data_mtu`: the application data that fits in one datagram: 0 without a
/// negotiated cipher, which a DTLS connection here never has.
#[no_mangle]
pub unsafe extern "C" fn DTLS_get_data_mtu(ssl: *const SSL) -> usize {
    entry(|| {
        try_ref!(ssl);
        Ok(0)
    })
}

/// `DTLSv1_listen`: a stateless DTLS server waits for a ClientHello with a valid cookie.
/// -1 with `SSL_R_BIO_NOT_SET` without BIOs, -1 with `SSL_R_UNSUPPORTED_SSL_VERSION` on a
/// TLS connection; 0 while no datagram is there (a non-blocking BIO has nothing); -1
/// ("not supported") once one arrives, which would need a DTLS reply.
#[no_mangle]
pub unsafe extern "C" fn DTLSv1_listen(ssl: *mut SSL, _client: *mut sys::BIO_ADDR) -> c_int {
    let r = entry(|| {
        let ssl = try_ref!(ssl);
        // Each call starts afresh, as OpenSSL clears the queue first.
        // SAFETY: only this thread's error queue.
        unsafe { sys::ERR_clear_error() };
        let rbio = lock(&ssl.rbio).clone();
        let has_wbio = lock(&ssl.wbio).is_some();
        let Some(rbio) = rbio.filter(|_| has_wbio) else {
            return Err(Error::Reason(sys::SSL_R_BIO_NOT_SET));
        };
        if !method_of(ssl).is_dtls() {
            return Err(Error::Reason(sys::SSL_R_UNSUPPORTED_SSL_VERSION));
        }
        let mut datagram = vec![0u8; 16384 + 13];
        let len = c_int::try_from(datagram.len()).unwrap_or(c_int::MAX);
        // SAFETY: the BIO is alive (we hold a reference); the buffer has `len` bytes.
        let n = unsafe { sys::BIO_read(rbio.as_ptr(), datagram.as_mut_ptr().cast(), len) };
        if n > 0 {
            return Err(Error::NotSupported("DTLS"));
        }
        // SAFETY: as above.
        let retry = unsafe { sys::BIO_test_flags(rbio.as_ptr(), sys::BIO_FLAGS_SHOULD_RETRY) != 0 };
        Ok(if retry { 1 } else { 0 })
    });
    // 1 (retry) becomes OpenSSL's 0; a failure (0 from entry) becomes -1.
    match r {
        1 => 0,
        _ => -1,
    }
}
