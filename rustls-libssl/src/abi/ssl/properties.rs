//! An `SSL`'s state queries and per-connection settings: protocol versions, ALPN, shutdown
//! state, ex_data, cipher lists, security level, handshake state, keying-material
//! exporters, the server name, the default timeout and OpenSSL's test-function table.

use std::ffi::{c_char, c_int, c_uint, c_void, CString};

use super::{DTLS_ANY_VERSION, SSL};
use crate::abi::{c_bool, c_bytes, c_str_bytes, entry, try_ref};
use crate::connection::Role;
use crate::crypto_sys::{self as sys};
use crate::current::lock;
use crate::error::Error;
use crate::versions;

/// `SSL_get_version`: "TLSv1.3", "TLSv1.2"; before a version is negotiated, the highest
/// enabled one (as OpenSSL reports its client version).
#[no_mangle]
pub unsafe extern "C" fn SSL_get_version(ssl: *const SSL) -> *const c_char {
    entry(|| Ok(versions::protocol_name(try_ref!(ssl).version()).as_ptr()))
}

/// `SSL_version`: the negotiated protocol version number.
#[no_mangle]
pub unsafe extern "C" fn SSL_version(ssl: *const SSL) -> c_int {
    entry(|| Ok(c_int::from(try_ref!(ssl).version())))
}

/// `SSL_client_version`: OpenSSL's `client_version`: before the handshake the method's
/// version (`TLS_ANY_VERSION`, 0x10000, for the flexible methods), once it has started the
/// ClientHello's legacy version field (sent or received), and after
/// `SSL_clear` the version last negotiated.
#[no_mangle]
pub unsafe extern "C" fn SSL_client_version(ssl: *const SSL) -> c_int {
    entry(|| {
        let ssl = try_ref!(ssl);
        let status = ssl.status();
        Ok(if status.client_version != 0 {
            c_int::from(status.client_version)
        } else if status.started {
            c_int::from(versions::TLS1_2)
        } else if status.cleared_version != 0 {
            c_int::from(status.cleared_version)
        } else {
            let fixed = ssl.setup().settings.versions.fixed;
            match fixed {
                0 if crate::abi::method::method_of(ssl).is_dtls() => DTLS_ANY_VERSION,
                0 => sys::TLS_ANY_VERSION,
                fixed => c_int::from(fixed),
            }
        })
    })
}

/// `SSL_get0_alpn_selected`: the negotiated protocol (pointer into the connection, valid
/// while it lives), or NULL/0.
#[no_mangle]
pub unsafe extern "C" fn SSL_get0_alpn_selected(
    ssl: *const SSL,
    data: *mut *const u8,
    len: *mut c_uint,
) {
    entry(|| {
        let ssl = try_ref!(ssl);
        let status = lock(&ssl.state.status);
        // The protocol stays in the status as long as the connection lives.
        let (p, n) = match status.alpn.as_deref() {
            Some(proto) => (proto.as_ptr(), proto.len() as c_uint),
            None => (std::ptr::null(), 0),
        };
        // SAFETY: data and len are NULL or writable per the API.
        unsafe {
            if !data.is_null() {
                *data = p;
            }
            if !len.is_null() {
                *len = n;
            }
        }
        Ok(())
    })
}

/// `SSL_set_alpn_protos`: protocols this client offers. Returns **0 on success**.
#[no_mangle]
pub unsafe extern "C" fn SSL_set_alpn_protos(ssl: *mut SSL, p: *const u8, len: c_uint) -> c_int {
    let ok = entry(|| {
        let ssl = try_ref!(ssl);
        // SAFETY: p points at len bytes per the API.
        let list = crate::abi::ctx::parse_alpn(unsafe { c_bytes(p, len as usize) }?)?;
        ssl.setup().update(|s| s.alpn = list);
        Ok(1)
    });
    1 - ok
}

/// `SSL_get_shutdown`: `SSL_SENT_SHUTDOWN` | `SSL_RECEIVED_SHUTDOWN`.
#[no_mangle]
pub unsafe extern "C" fn SSL_get_shutdown(ssl: *const SSL) -> c_int {
    entry(|| {
        let status = try_ref!(ssl).status();
        let mut flags = 0;
        if status.sent_close {
            flags |= sys::SSL_SENT_SHUTDOWN;
        }
        if status.received_close {
            flags |= sys::SSL_RECEIVED_SHUTDOWN;
        }
        Ok(flags)
    })
}

/// `SSL_set_shutdown`: marks directions as closed (nothing is sent).
#[no_mangle]
pub unsafe extern "C" fn SSL_set_shutdown(ssl: *mut SSL, mode: c_int) {
    entry(|| {
        try_ref!(ssl).conn()?.set_shutdown_flags(mode);
        Ok(())
    })
}

/// `SSL_set_quiet_shutdown`: with 1, `SSL_shutdown` sends no close_notify and reports
/// both directions closed.
#[no_mangle]
pub unsafe extern "C" fn SSL_set_quiet_shutdown(ssl: *mut SSL, mode: c_int) {
    entry(|| {
        try_ref!(ssl).setup().quiet_shutdown = mode != 0;
        Ok(())
    })
}

/// `SSL_get_quiet_shutdown`.
#[no_mangle]
pub unsafe extern "C" fn SSL_get_quiet_shutdown(ssl: *const SSL) -> c_int {
    entry(|| Ok(c_bool(try_ref!(ssl).setup().quiet_shutdown)))
}

/// `SSL_set_ex_data` (`SSL_set_app_data` is index 0).
#[no_mangle]
pub unsafe extern "C" fn SSL_set_ex_data(ssl: *mut SSL, idx: c_int, data: *mut c_void) -> c_int {
    entry(|| Ok(c_bool(try_ref!(ssl).ex_data.set(idx, data))))
}

/// `SSL_get_ex_data`.
#[no_mangle]
pub unsafe extern "C" fn SSL_get_ex_data(ssl: *const SSL, idx: c_int) -> *mut c_void {
    entry(|| Ok(try_ref!(ssl).ex_data.get(idx)))
}

/// `SSL_set_cipher_list`: this connection's suites of TLS 1.2 and below, as an OpenSSL
/// cipher string; as `SSL_CTX_set_cipher_list`.
#[no_mangle]
pub unsafe extern "C" fn SSL_set_cipher_list(ssl: *mut SSL, s: *const c_char) -> c_int {
    entry(|| {
        let ssl = try_ref!(ssl);
        // SAFETY: s is a C string per the API.
        let rule = unsafe { c_str_bytes(s) }?;
        let mut setup = ssl.setup();
        let result = setup.update(|s| s.set_cipher_list(rule));
        // The list is the connection's own once replaced, also by a string that selects
        // no suite; a syntax error changes nothing.
        setup.own_ciphers |= match &result {
            Ok(()) => true,
            Err(e) => matches!(e, Error::Reason(r) if *r == sys::SSL_R_NO_CIPHER_MATCH),
        };
        result?;
        Ok(1)
    })
}

/// `SSL_set_ciphersuites`: this connection's TLS 1.3 suites; as `SSL_CTX_set_ciphersuites`.
#[no_mangle]
pub unsafe extern "C" fn SSL_set_ciphersuites(ssl: *mut SSL, s: *const c_char) -> c_int {
    entry(|| {
        let ssl = try_ref!(ssl);
        // SAFETY: s is a C string per the API.
        let list = unsafe { c_str_bytes(s) }?;
        let mut setup = ssl.setup();
        setup.update(|s| s.set_ciphersuites(list))?;
        setup.own_ciphers = true;
        Ok(1)
    })
}

/// `SSL_get_security_level`: the connection's level (its context's, unless set on it).
#[no_mangle]
pub unsafe extern "C" fn SSL_get_security_level(ssl: *const SSL) -> c_int {
    entry(|| Ok(try_ref!(ssl).setup().settings.security_level))
}

/// `SSL_set_security_level`: sets this connection's level; as `SSL_CTX_set_security_level`.
#[no_mangle]
pub unsafe extern "C" fn SSL_set_security_level(ssl: *mut SSL, level: c_int) {
    entry(|| {
        try_ref!(ssl).setup().update(|s| s.security_level = level);
        Ok(())
    })
}

/// `SSL_session_reused`: 1 if the handshake resumed a session.
#[no_mangle]
pub unsafe extern "C" fn SSL_session_reused(ssl: *const SSL) -> c_int {
    entry(|| Ok(c_bool(try_ref!(ssl).status().resumed)))
}

/// `SSL_is_init_finished`: 1 once the handshake is complete (0 again after a fatal error,
/// and while a key update asked for waits to be sent).
#[no_mangle]
pub unsafe extern "C" fn SSL_is_init_finished(ssl: *const SSL) -> c_int {
    entry(|| {
        let status = try_ref!(ssl).status();
        Ok(c_bool(
            status.established && !status.failed && status.key_update.is_none(),
        ))
    })
}

/// `SSL_in_init`: 1 while the handshake is not complete, after a fatal error, and while a
/// key update asked for is not sent yet (as OpenSSL).
#[no_mangle]
pub unsafe extern "C" fn SSL_in_init(ssl: *const SSL) -> c_int {
    entry(|| {
        let status = try_ref!(ssl).status();
        Ok(c_bool(
            !status.established || status.failed || status.key_update.is_some(),
        ))
    })
}

/// `SSL_in_before`: 1 before the handshake has started.
#[no_mangle]
pub unsafe extern "C" fn SSL_in_before(ssl: *const SSL) -> c_int {
    entry(|| Ok(c_bool(!try_ref!(ssl).status().started)))
}

/// `SSL_export_keying_material` (RFC 5705/8446 exporter): 1 on success.
#[no_mangle]
pub unsafe extern "C" fn SSL_export_keying_material(
    ssl: *mut SSL,
    out: *mut u8,
    olen: usize,
    label: *const c_char,
    llen: usize,
    context: *const u8,
    contextlen: usize,
    use_context: c_int,
) -> c_int {
    entry(|| {
        let ssl = try_ref!(ssl);
        if out.is_null() || label.is_null() {
            return Err(Error::NullArgument);
        }
        if !ssl.status().established {
            return Ok(-1); // OpenSSL's answer before the handshake, with nothing queued
        }
        // SAFETY: out is writable for olen bytes, label and context readable for their
        // lengths, per the API.
        let (out, label, ctx) = unsafe {
            (
                std::slice::from_raw_parts_mut(out, olen),
                c_bytes(label.cast(), llen)?,
                if use_context != 0 {
                    Some(c_bytes(context, contextlen)?)
                } else {
                    None
                },
            )
        };
        ssl.state.export_keying_material(out, label, ctx)?;
        Ok(1)
    })
}

/// `SSL_export_keying_material_early` (TLS 1.3 early exporter): 0. As in OpenSSL, 0
/// with nothing queued when no early secret exists (not TLS 1.3, or no 0-RTT data was
/// accepted); when 0-RTT data was accepted OpenSSL could derive it, but rustls does not
/// expose the early exporter master secret: 0 with "not supported".
#[no_mangle]
pub unsafe extern "C" fn SSL_export_keying_material_early(
    ssl: *mut SSL,
    _out: *mut u8,
    _olen: usize,
    _label: *const c_char,
    _llen: usize,
    _context: *const u8,
    _contextlen: usize,
) -> c_int {
    entry(|| {
        let status = try_ref!(ssl).status();
        if status.version == versions::TLS1_3 && status.early_data_received {
            return Err(Error::NotSupported("the TLS 1.3 early exporter"));
        }
        Ok(0)
    })
}

/// `SSL_get_servername`: the SNI host name (the one a server received, or the one a
/// client sends), or NULL.
#[no_mangle]
pub unsafe extern "C" fn SSL_get_servername(ssl: *const SSL, ty: c_int) -> *const c_char {
    entry(|| {
        let ssl = try_ref!(ssl);
        if ty != sys::TLSEXT_NAMETYPE_host_name {
            return Ok(std::ptr::null());
        }
        let name = sni(ssl).and_then(|n| CString::new(n).ok());
        let mut cached = lock(&ssl.servername);
        // Keep the string already handed out while the name is the same: the application
        // may still hold that pointer.
        if *cached != name {
            *cached = name;
        }
        Ok(cached.as_ref().map_or(std::ptr::null(), |c| c.as_ptr()))
    })
}

/// The SNI host name: the one a server received, or the one a client sends.
fn sni(ssl: &SSL) -> Option<String> {
    let setup = ssl.setup();
    match setup.role {
        // OpenSSL reads the name after the ClientHello callback.
        Some(Role::Server) => lock(&ssl.state.hello)
            .as_ref()
            .filter(|h| h.accepted)
            .and_then(|h| h.server_name.as_deref().map(str::to_owned)),
        _ => setup.server_name.clone(),
    }
}

/// `SSL_get_servername_type`: `TLSEXT_NAMETYPE_host_name` if there is a name, else -1.
#[no_mangle]
pub unsafe extern "C" fn SSL_get_servername_type(ssl: *const SSL) -> c_int {
    // SAFETY: same contract.
    if unsafe { SSL_get_servername(ssl, sys::TLSEXT_NAMETYPE_host_name) }.is_null() {
        -1
    } else {
        sys::TLSEXT_NAMETYPE_host_name
    }
}

/// `SSL_get_default_timeout`: the lifetime of new sessions by default, 7200 seconds (the
/// TLS methods' default; `SSL_CTX_set_timeout` sets a context's own).
#[no_mangle]
pub unsafe extern "C" fn SSL_get_default_timeout(ssl: *const SSL) -> std::ffi::c_long {
    entry(|| {
        try_ref!(ssl);
        Ok(7200)
    })
}

/// OpenSSL's `struct openssl_ssl_test_functions`: hooks its own unit tests call.
#[repr(C)]
pub struct openssl_ssl_test_functions {
    p_ssl_init_wbio_buffer: unsafe extern "C" fn(*mut SSL) -> c_int,
    p_ssl3_setup_buffers: unsafe extern "C" fn(*mut SSL) -> c_int,
}

/// A test hook that sets up a connection's buffers: they are made on demand here; 1.
///
/// # Safety
/// None: the argument is not read.
unsafe extern "C" fn buffers_ready(_ssl: *mut SSL) -> c_int {
    1
}

static TEST_FUNCTIONS: openssl_ssl_test_functions = openssl_ssl_test_functions {
    p_ssl_init_wbio_buffer: buffers_ready,
    p_ssl3_setup_buffers: buffers_ready,
};

/// `SSL_test_functions`: the hooks of OpenSSL's unit tests (static); each answers 1, the
/// shim's buffers need no setting up.
#[no_mangle]
pub extern "C" fn SSL_test_functions() -> *const openssl_ssl_test_functions {
    &TEST_FUNCTIONS
}
