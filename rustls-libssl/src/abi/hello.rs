//! A server's ClientHello callbacks, run with no lock held once the ClientHello has arrived:
//! the ClientHello callback (`SSL_CTX_set_client_hello_cb`, with the `SSL_client_hello_get*`
//! functions reading the raw ClientHello during it), the SNI callback (which may switch the
//! context with `SSL_set_SSL_CTX`), then the ALPN selection callback of the (possibly new)
//! context. Their decisions go back to the core.

use std::ffi::{c_int, c_uint, c_void};

use super::{entry, try_ref, SSL};
use crate::connection::Stop;
use crate::crypto_sys::{self as sys, Bio};
use crate::current::lock;
use crate::error::Error;
use crate::hello::Fields;

/// Runs the callbacks for `ssl`; `Err` aborts the handshake (or, for the ClientHello
/// callback's retry, suspends it: the next call runs the callbacks again).
pub(super) fn run_callbacks(ssl: &SSL, wbio: Option<&Bio>) -> Result<(), Stop> {
    let ssl_ptr = (ssl as *const SSL).cast_mut();
    let ctx = ssl.ctx();
    let callbacks = ctx.callbacks();
    if let Some(cb) = callbacks.client_hello {
        let mut alert: c_int = sys::SSL_AD_INTERNAL_ERROR;
        // SAFETY: as for the SNI callback below.
        let r = unsafe {
            cb(
                ssl_ptr,
                &mut alert,
                callbacks.client_hello_arg as *mut c_void,
            )
        };
        match r {
            sys::SSL_CLIENT_HELLO_SUCCESS => {}
            sys::SSL_CLIENT_HELLO_RETRY => return Err(Stop::WantClientHello),
            _ => return Err(fail(ssl, wbio, alert)),
        }
    }
    if let Some(hello) = lock(&ssl.state.hello).as_mut() {
        hello.accepted = true;
    }
    let ctx = ssl.ctx();
    let callbacks = ctx.callbacks();
    if let Some(cb) = callbacks.servername {
        let mut alert: c_int = sys::SSL_AD_UNRECOGNIZED_NAME;
        // SAFETY: the application's callback with its own argument; ssl is alive and no
        // lock of it is held, so the callback may call back into any SSL_ function.
        let r = unsafe { cb(ssl_ptr, &mut alert, callbacks.servername_arg as *mut c_void) };
        if r == sys::SSL_TLSEXT_ERR_ALERT_FATAL {
            return Err(fail(ssl, wbio, alert));
        }
        if let Some(h) = lock(&ssl.state.hello).as_mut() {
            h.sni_acked = r == sys::SSL_TLSEXT_ERR_OK;
        }
    }
    // OpenSSL is done with the raw ClientHello here.
    if let Some(hello) = lock(&ssl.state.hello).as_mut() {
        hello.body = Box::default();
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
            send_plain_alert(ssl, wbio, sys::SSL_AD_INTERNAL_ERROR);
            return Err(Stop::Fatal(Error::Reason(sys::SSL_R_CERT_CB_ERROR)));
        }
    }
    if let Some(cb) = callbacks.status {
        // SAFETY: as above; the callback sets the response with SSL_set_tlsext_status_ocsp_resp.
        let r = unsafe { cb(ssl_ptr, callbacks.status_arg as *mut c_void) };
        if r == sys::SSL_TLSEXT_ERR_ALERT_FATAL {
            return Err(fail(ssl, wbio, sys::SSL_AD_INTERNAL_ERROR));
        }
    }
    ssl.conn()?.hello_decided(choice);
    Ok(())
}

/// A callback failed the handshake: the alert it chose goes out, and the failure is
/// OpenSSL's "callback failed".
fn fail(ssl: &SSL, wbio: Option<&Bio>, alert: c_int) -> Stop {
    send_plain_alert(ssl, wbio, alert);
    Stop::Fatal(Error::Reason(sys::SSL_R_CALLBACK_FAILED))
}

/// A fatal alert in a plaintext record, as sent before any key is agreed (the info
/// callback hears of it).
fn send_plain_alert(ssl: &SSL, wbio: Option<&Bio>, alert: c_int) {
    let desc = u8::try_from(alert).unwrap_or(40);
    if let Ok(mut conn) = ssl.conn() {
        conn.alert_sent(2, desc);
    }
    let Some(wbio) = wbio else { return };
    let _ = wbio.write(&[0x15, 0x03, 0x03, 0x00, 0x02, 0x02, desc]);
}

/// Runs `f` on the ClientHello's fields while the ClientHello callback (or the server
/// name callback) runs; `None` at any other time, as in OpenSSL. `f` gets the body too,
/// which stays in place until then: pointers into it stay valid as long as OpenSSL's do.
fn with_fields<R>(ssl: &SSL, f: impl FnOnce(&[u8], &Fields<'_>) -> Option<R>) -> Option<R> {
    let hello = lock(&ssl.state.hello);
    let body = hello
        .as_ref()
        .map(|h| &h.body[..])
        .filter(|b| !b.is_empty())?;
    let fields = crate::hello::fields(body)?;
    f(body, &fields)
}

/// Points `*out` (if not NULL) at the part of the ClientHello `pick` chooses (get0) and
/// returns its length; `None` when there is no ClientHello to read or no such part.
///
/// # Safety
/// `out` is NULL or writable.
unsafe fn get0(
    ssl: &SSL,
    out: *mut *const u8,
    pick: impl for<'a> FnOnce(&Fields<'a>) -> Option<&'a [u8]>,
) -> Option<usize> {
    with_fields(ssl, |body, fields| {
        let part = pick(fields)?;
        if !out.is_null() {
            let at = part.as_ptr() as usize - body.as_ptr() as usize;
            // SAFETY: guaranteed by the caller; `at` is within the body, which stays in
            // place while the callback runs.
            unsafe { *out = body.as_ptr().add(at) };
        }
        Some(part.len())
    })
}

/// `SSL_client_hello_isv2`: 0 (an SSLv2-format ClientHello is never accepted).
#[no_mangle]
pub unsafe extern "C" fn SSL_client_hello_isv2(ssl: *mut SSL) -> c_int {
    entry(|| {
        try_ref!(ssl);
        Ok(0)
    })
}

/// `SSL_client_hello_get0_legacy_version`: the ClientHello's version field, during the
/// ClientHello callback; 0 otherwise.
#[no_mangle]
pub unsafe extern "C" fn SSL_client_hello_get0_legacy_version(ssl: *mut SSL) -> c_uint {
    entry(|| {
        let version = with_fields(try_ref!(ssl), |_, f| Some(c_uint::from(f.legacy_version)));
        Ok(version.unwrap_or(0))
    })
}

/// `SSL_client_hello_get0_random`: 32 and the client's random (get0), during the
/// ClientHello callback; 0 (`*out` untouched) otherwise.
#[no_mangle]
pub unsafe extern "C" fn SSL_client_hello_get0_random(ssl: *mut SSL, out: *mut *const u8) -> usize {
    entry(|| {
        let ssl = try_ref!(ssl);
        // SAFETY: out is NULL or writable per the API.
        Ok(unsafe { get0(ssl, out, |f| Some(f.random)) }.unwrap_or(0))
    })
}

/// `SSL_client_hello_get0_session_id`: the legacy session id (get0) and its length.
#[no_mangle]
pub unsafe extern "C" fn SSL_client_hello_get0_session_id(
    ssl: *mut SSL,
    out: *mut *const u8,
) -> usize {
    entry(|| {
        let ssl = try_ref!(ssl);
        // SAFETY: out is NULL or writable per the API.
        Ok(unsafe { get0(ssl, out, |f| Some(f.session_id)) }.unwrap_or(0))
    })
}

/// `SSL_client_hello_get0_ciphers`: the cipher suites as sent, two bytes each (get0).
#[no_mangle]
pub unsafe extern "C" fn SSL_client_hello_get0_ciphers(
    ssl: *mut SSL,
    out: *mut *const u8,
) -> usize {
    entry(|| {
        let ssl = try_ref!(ssl);
        // SAFETY: out is NULL or writable per the API.
        Ok(unsafe { get0(ssl, out, |f| Some(f.ciphers)) }.unwrap_or(0))
    })
}

/// `SSL_client_hello_get0_compression_methods`: the compression methods (get0).
#[no_mangle]
pub unsafe extern "C" fn SSL_client_hello_get0_compression_methods(
    ssl: *mut SSL,
    out: *mut *const u8,
) -> usize {
    entry(|| {
        let ssl = try_ref!(ssl);
        // SAFETY: out is NULL or writable per the API.
        Ok(unsafe { get0(ssl, out, |f| Some(f.compressions)) }.unwrap_or(0))
    })
}

/// `SSL_client_hello_get0_ext`: 1 with the data of the extension of type `ty` (get0), if
/// the client sent it and OpenSSL knows the type; else 0 with the outputs untouched.
#[no_mangle]
pub unsafe extern "C" fn SSL_client_hello_get0_ext(
    ssl: *mut SSL,
    ty: c_uint,
    out: *mut *const u8,
    outlen: *mut usize,
) -> c_int {
    entry(|| {
        let ssl = try_ref!(ssl);
        // SAFETY: out is NULL or writable per the API.
        let Some(len) = (unsafe { get0(ssl, out, |f| extension(f, ty)) }) else {
            return Ok(0);
        };
        if !outlen.is_null() {
            // SAFETY: outlen is writable per the API.
            unsafe { *outlen = len };
        }
        Ok(1)
    })
}

/// The data of the extension of type `ty`.
fn extension<'a>(f: &Fields<'a>, ty: c_uint) -> Option<&'a [u8]> {
    f.extensions
        .iter()
        .find(|(t, _)| c_uint::from(*t) == ty)
        .map(|(_, data)| *data)
}

/// `SSL_client_hello_get1_extensions_present`: 1 with a new array (`OPENSSL_malloc`,
/// the caller frees it) of the types of the extensions OpenSSL knows, in the order sent
/// (NULL and 0 when there are none); 0 outside the ClientHello callback or with a NULL
/// output.
#[no_mangle]
pub unsafe extern "C" fn SSL_client_hello_get1_extensions_present(
    ssl: *mut SSL,
    out: *mut *mut c_int,
    outlen: *mut usize,
) -> c_int {
    entry(|| {
        let ssl = try_ref!(ssl);
        if out.is_null() || outlen.is_null() {
            return Ok(0);
        }
        let Some(types) = with_fields(ssl, |_, f| {
            Some(
                f.extensions
                    .iter()
                    .map(|(t, _)| c_int::from(*t))
                    .collect::<Vec<_>>(),
            )
        }) else {
            return Ok(0);
        };
        let array = if types.is_empty() {
            std::ptr::null_mut()
        } else {
            // SAFETY: CRYPTO_malloc returns NULL or room for the bytes asked; the array
            // is filled before it is handed over.
            unsafe {
                let p =
                    sys::CRYPTO_malloc(size_of_val(types.as_slice()), c"rustls-libssl".as_ptr(), 0)
                        .cast::<c_int>();
                if p.is_null() {
                    return Err(Error::Reason(sys::ERR_R_MALLOC_FAILURE));
                }
                std::ptr::copy_nonoverlapping(types.as_ptr(), p, types.len());
                p
            }
        };
        // SAFETY: both outputs are writable per the API (checked non-NULL).
        unsafe {
            *out = array;
            *outlen = types.len();
        }
        Ok(1)
    })
}
