//! A server's ClientHello callbacks, run with no lock held once the ClientHello has arrived:
//! the SNI callback (which may switch the context with `SSL_set_SSL_CTX`), then the ALPN
//! selection callback of the (possibly new) context. Their decisions go back to the core.

use std::ffi::{c_int, c_uint, c_void};

use super::SSL;
use crate::connection::Stop;
use crate::crypto_sys::{self as sys, Bio};
use crate::current::lock;
use crate::error::Error;

/// Runs the callbacks for `ssl`; `Err` aborts the handshake.
pub(super) fn run_callbacks(ssl: &SSL, wbio: Option<&Bio>) -> Result<(), Stop> {
    let ssl_ptr = (ssl as *const SSL).cast_mut();
    let ctx = ssl.ctx();
    let callbacks = ctx.callbacks();
    if let Some(cb) = callbacks.servername {
        let mut alert: c_int = sys::SSL_AD_UNRECOGNIZED_NAME;
        // SAFETY: the application's callback with its own argument; ssl is alive and no
        // lock of it is held, so the callback may call back into any SSL_ function.
        let r = unsafe { cb(ssl_ptr, &mut alert, callbacks.servername_arg as *mut c_void) };
        if r == sys::SSL_TLSEXT_ERR_ALERT_FATAL {
            send_plain_alert(wbio, alert);
            return Err(Stop::Fatal(Error::Reason(sys::SSL_R_CALLBACK_FAILED)));
        }
        if let Some(h) = lock(&ssl.state.hello).as_mut() {
            h.sni_acked = r == sys::SSL_TLSEXT_ERR_OK;
        }
    }

    let offered = {
        let hello = lock(&ssl.state.hello);
        hello.as_ref().map(|h| h.alpn.clone()).unwrap_or_default()
    };
    let ctx = ssl.ctx();
    let callbacks = ctx.callbacks();
    let mut choice = None;
    if let (Some(cb), false) = (callbacks.alpn_select, offered.is_empty()) {
        let mut wire = Vec::with_capacity(offered.iter().map(|p| p.len() + 1).sum());
        for proto in &offered {
            wire.push(u8::try_from(proto.len()).unwrap_or(0));
            wire.extend_from_slice(proto);
        }
        let mut out: *const u8 = std::ptr::null();
        let mut out_len: u8 = 0;
        // SAFETY: as above; `wire` outlives the call and `out` points into it or into the
        // application's own buffers, read immediately below.
        let r = unsafe {
            cb(
                ssl_ptr,
                &mut out,
                &mut out_len,
                wire.as_ptr(),
                wire.len() as c_uint,
                callbacks.alpn_select_arg as *mut c_void,
            )
        };
        if r == sys::SSL_TLSEXT_ERR_OK && !out.is_null() && out_len > 0 {
            // SAFETY: the callback returned a protocol of out_len bytes at out.
            choice =
                Some(unsafe { std::slice::from_raw_parts(out, usize::from(out_len)) }.to_vec());
        } else if r == sys::SSL_TLSEXT_ERR_ALERT_FATAL {
            // A protocol the client did not offer: rustls answers no_application_protocol.
            choice = Some(b"\\0no-overlap".to_vec());
        }
    }
    // The certificate callback (nginx's `ssl_certificate` with variables), then the OCSP
    // status callback, which staples a response for the chosen certificate.
    if let Some(cb) = callbacks.cert {
        // SAFETY: as above.
        if unsafe { cb(ssl_ptr, callbacks.cert_arg as *mut c_void) } <= 0 {
            send_plain_alert(wbio, sys::SSL_AD_INTERNAL_ERROR);
            return Err(Stop::Fatal(Error::Reason(sys::SSL_R_CERT_CB_ERROR)));
        }
    }
    if let Some(cb) = callbacks.status {
        // SAFETY: as above; the callback sets the response with SSL_set_tlsext_status_ocsp_resp.
        let r = unsafe { cb(ssl_ptr, callbacks.status_arg as *mut c_void) };
        if r == sys::SSL_TLSEXT_ERR_ALERT_FATAL {
            send_plain_alert(wbio, sys::SSL_AD_INTERNAL_ERROR);
            return Err(Stop::Fatal(Error::Reason(sys::SSL_R_CALLBACK_FAILED)));
        }
    }
    ssl.conn()?.hello_decided(choice);
    Ok(())
}

/// A fatal alert in a plaintext record, as sent before any key is agreed.
fn send_plain_alert(wbio: Option<&Bio>, alert: c_int) {
    let Some(wbio) = wbio else { return };
    let desc = u8::try_from(alert).unwrap_or(40);
    let _ = wbio.write(&[0x15, 0x03, 0x03, 0x00, 0x02, 0x02, desc]);
}
