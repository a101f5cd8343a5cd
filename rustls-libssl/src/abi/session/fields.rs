//! The fields of an `SSL_SESSION`: ids, times, protocol, cipher, host name, ALPN, peer,
//! master key, early data, tickets and their application data, ex_data.

use std::ffi::{c_char, c_int, c_long, c_uint, c_ulong, c_void, CStr};

use super::{copy_out, long, widen, write_opt, SSL_SESSION};
use crate::abi::{c_bool, c_bytes, entry, try_ref};
use crate::ciphers::Cipher;
use crate::crypto_sys::{self as sys};
use crate::error::Error;

/// `SSL_SESSION_get_id`: the session id (get0: points into the session) and its length.
#[no_mangle]
pub unsafe extern "C" fn SSL_SESSION_get_id(s: *const SSL_SESSION, len: *mut c_uint) -> *const u8 {
    entry(|| {
        let meta = try_ref!(s).meta();
        // SAFETY: len is NULL or writable per the API.
        unsafe { write_opt(len, c_uint::try_from(meta.id.len()).unwrap_or(0)) };
        Ok(meta.id.as_ptr())
    })
}

/// `SSL_SESSION_set1_id`: replaces the id (at most 32 bytes, else
/// `SSL_R_SSL_SESSION_ID_TOO_LONG`); 1 or 0.
#[no_mangle]
pub unsafe extern "C" fn SSL_SESSION_set1_id(
    s: *mut SSL_SESSION,
    sid: *const u8,
    len: c_uint,
) -> c_int {
    entry(|| {
        let s = try_ref!(s);
        if len > sys::SSL_MAX_SSL_SESSION_ID_LENGTH as c_uint {
            return Err(Error::Reason(sys::SSL_R_SSL_SESSION_ID_TOO_LONG));
        }
        // SAFETY: sid points at len bytes per the API.
        s.meta().id = unsafe { c_bytes(sid, len as usize) }?.to_vec();
        Ok(1)
    })
}

/// `SSL_SESSION_get0_id_context`: the session id context (get0) and its length.
#[no_mangle]
pub unsafe extern "C" fn SSL_SESSION_get0_id_context(
    s: *const SSL_SESSION,
    len: *mut c_uint,
) -> *const u8 {
    entry(|| {
        let meta = try_ref!(s).meta();
        // SAFETY: len is NULL or writable per the API.
        unsafe { write_opt(len, c_uint::try_from(meta.sid_ctx.len()).unwrap_or(0)) };
        Ok(meta.sid_ctx.as_ptr())
    })
}

/// `SSL_SESSION_set1_id_context`: at most 32 bytes (else
/// `SSL_R_SSL_SESSION_ID_CONTEXT_TOO_LONG`); 1 or 0.
#[no_mangle]
pub unsafe extern "C" fn SSL_SESSION_set1_id_context(
    s: *mut SSL_SESSION,
    ctx: *const u8,
    len: c_uint,
) -> c_int {
    entry(|| {
        let s = try_ref!(s);
        // SAFETY: ctx points at len bytes per the API.
        s.meta().sid_ctx = sid_ctx(unsafe { c_bytes(ctx, len as usize) }?)?;
        Ok(1)
    })
}

/// A session id context argument: at most `SSL_MAX_SID_CTX_LENGTH` bytes.
pub(super) fn sid_ctx(bytes: &[u8]) -> Result<Vec<u8>, Error> {
    if bytes.len() > sys::SSL_MAX_SID_CTX_LENGTH as usize {
        return Err(Error::Reason(sys::SSL_R_SSL_SESSION_ID_CONTEXT_TOO_LONG));
    }
    Ok(bytes.to_vec())
}

/// `SSL_SESSION_get_time`: creation time (seconds since the epoch).
#[no_mangle]
pub unsafe extern "C" fn SSL_SESSION_get_time(s: *const SSL_SESSION) -> c_long {
    entry(|| Ok(long(try_ref!(s).meta().time)))
}

/// `SSL_SESSION_set_time`: sets the creation time; returns `t`.
#[no_mangle]
pub unsafe extern "C" fn SSL_SESSION_set_time(s: *mut SSL_SESSION, t: c_long) -> c_long {
    entry(|| {
        try_ref!(s).meta().time = widen(t);
        Ok(t)
    })
}

/// `SSL_SESSION_get_timeout`: lifetime in seconds.
#[no_mangle]
pub unsafe extern "C" fn SSL_SESSION_get_timeout(s: *const SSL_SESSION) -> c_long {
    entry(|| Ok(long(try_ref!(s).meta().timeout)))
}

/// `SSL_SESSION_set_timeout`: sets the lifetime; 1, or 0 for a negative one.
#[no_mangle]
pub unsafe extern "C" fn SSL_SESSION_set_timeout(s: *mut SSL_SESSION, t: c_long) -> c_long {
    entry(|| {
        let s = try_ref!(s);
        if t < 0 {
            return Ok(0);
        }
        s.meta().timeout = widen(t);
        Ok(1)
    })
}

/// `SSL_SESSION_get_protocol_version`.
#[no_mangle]
pub unsafe extern "C" fn SSL_SESSION_get_protocol_version(s: *const SSL_SESSION) -> c_int {
    entry(|| Ok(c_int::from(try_ref!(s).meta().version)))
}

/// `SSL_SESSION_set_protocol_version`: 1.
#[no_mangle]
pub unsafe extern "C" fn SSL_SESSION_set_protocol_version(
    s: *mut SSL_SESSION,
    version: c_int,
) -> c_int {
    entry(|| {
        try_ref!(s).meta().version = u16::try_from(version).unwrap_or(0);
        Ok(1)
    })
}

/// `SSL_SESSION_get0_cipher`: the session's suite (static), or NULL if unknown.
#[no_mangle]
pub unsafe extern "C" fn SSL_SESSION_get0_cipher(s: *const SSL_SESSION) -> *const Cipher {
    entry(|| {
        let id = try_ref!(s).meta().cipher;
        Ok(Cipher::by_id(id).map_or(std::ptr::null(), |c| c as *const _))
    })
}

/// `SSL_SESSION_set_cipher`: 1.
#[no_mangle]
pub unsafe extern "C" fn SSL_SESSION_set_cipher(s: *mut SSL_SESSION, c: *const Cipher) -> c_int {
    entry(|| {
        let s = try_ref!(s);
        // SAFETY: NULL or a pointer from this library's cipher table.
        s.meta().cipher = unsafe { c.as_ref() }.map_or(0, Cipher::iana_id);
        Ok(1)
    })
}

/// `SSL_SESSION_get0_hostname`: the SNI name of the handshake that made the session
/// (get0), or NULL.
#[no_mangle]
pub unsafe extern "C" fn SSL_SESSION_get0_hostname(s: *const SSL_SESSION) -> *const c_char {
    entry(|| {
        Ok(try_ref!(s)
            .meta()
            .hostname
            .as_ref()
            .map_or(std::ptr::null(), |h| h.as_ptr()))
    })
}

/// `SSL_SESSION_set1_hostname`: copies `hostname` (NULL clears it); 1.
#[no_mangle]
pub unsafe extern "C" fn SSL_SESSION_set1_hostname(
    s: *mut SSL_SESSION,
    hostname: *const c_char,
) -> c_int {
    entry(|| {
        let s = try_ref!(s);
        // SAFETY: hostname is NULL or a C string per the API.
        s.meta().hostname =
            (!hostname.is_null()).then(|| unsafe { CStr::from_ptr(hostname) }.into());
        Ok(1)
    })
}

/// `SSL_SESSION_get0_alpn_selected`: the ALPN protocol (get0) and its length; NULL/0 if
/// none.
#[no_mangle]
pub unsafe extern "C" fn SSL_SESSION_get0_alpn_selected(
    s: *const SSL_SESSION,
    alpn: *mut *const u8,
    len: *mut usize,
) {
    entry(|| {
        let meta = try_ref!(s).meta();
        let (p, n) = meta
            .alpn
            .as_ref()
            .map_or((std::ptr::null(), 0), |a| (a.as_ptr(), a.len()));
        // SAFETY: the out-pointers are NULL or writable per the API.
        unsafe {
            write_opt(alpn, p);
            write_opt(len, n);
        }
        Ok(())
    })
}

/// `SSL_SESSION_set1_alpn_selected`: copies the protocol (NULL or empty clears it); 1.
#[no_mangle]
pub unsafe extern "C" fn SSL_SESSION_set1_alpn_selected(
    s: *mut SSL_SESSION,
    alpn: *const u8,
    len: usize,
) -> c_int {
    entry(|| {
        let s = try_ref!(s);
        let value = if alpn.is_null() || len == 0 {
            None
        } else {
            // SAFETY: alpn points at len bytes per the API.
            Some(unsafe { c_bytes(alpn, len) }?.to_vec())
        };
        s.meta().alpn = value;
        Ok(1)
    })
}

/// `SSL_SESSION_get0_peer`: the peer's certificate (get0), or NULL.
#[no_mangle]
pub unsafe extern "C" fn SSL_SESSION_get0_peer(s: *mut SSL_SESSION) -> *mut sys::X509 {
    entry(|| {
        Ok(try_ref!(s)
            .meta()
            .peer
            .as_ref()
            .map_or(std::ptr::null_mut(), sys::Cert::as_ptr))
    })
}

/// `SSL_SESSION_get_master_key`: with `outlen` 0 the key's length; otherwise copies up to
/// `outlen` bytes and returns how many. Empty for TLS 1.3 sessions (see the README).
#[no_mangle]
pub unsafe extern "C" fn SSL_SESSION_get_master_key(
    s: *const SSL_SESSION,
    out: *mut u8,
    outlen: usize,
) -> usize {
    entry(|| {
        let meta = try_ref!(s).meta();
        // SAFETY: out is writable for outlen bytes per the API.
        Ok(unsafe { copy_out(&meta.master_key, out, outlen) })
    })
}

/// `SSL_SESSION_set1_master_key`: at most 48 bytes; 1 or 0.
#[no_mangle]
pub unsafe extern "C" fn SSL_SESSION_set1_master_key(
    s: *mut SSL_SESSION,
    key: *const u8,
    len: usize,
) -> c_int {
    entry(|| {
        let s = try_ref!(s);
        if len > sys::SSL_MAX_MASTER_KEY_LENGTH as usize {
            return Err(Error::Silent);
        }
        // SAFETY: key points at len bytes per the API.
        s.meta().master_key = unsafe { c_bytes(key, len) }?.to_vec();
        Ok(1)
    })
}

/// `SSL_SESSION_get_max_early_data`.
#[no_mangle]
pub unsafe extern "C" fn SSL_SESSION_get_max_early_data(s: *const SSL_SESSION) -> u32 {
    entry(|| Ok(try_ref!(s).meta().max_early_data))
}

/// `SSL_SESSION_set_max_early_data`: 1.
#[no_mangle]
pub unsafe extern "C" fn SSL_SESSION_set_max_early_data(s: *mut SSL_SESSION, max: u32) -> c_int {
    entry(|| {
        try_ref!(s).meta().max_early_data = max;
        Ok(1)
    })
}

/// `SSL_SESSION_get_max_fragment_length`: 0 (no max_fragment_length was negotiated:
/// rustls does not offer the extension).
#[no_mangle]
pub unsafe extern "C" fn SSL_SESSION_get_max_fragment_length(s: *const SSL_SESSION) -> u8 {
    entry(|| {
        try_ref!(s);
        Ok(0)
    })
}

/// `SSL_SESSION_get_ticket_lifetime_hint`: the lifetime the server announced, seconds.
#[no_mangle]
pub unsafe extern "C" fn SSL_SESSION_get_ticket_lifetime_hint(s: *const SSL_SESSION) -> c_ulong {
    entry(|| Ok(c_ulong::try_from(try_ref!(s).meta().ticket_lifetime_hint).unwrap_or(0)))
}

/// `SSL_SESSION_has_ticket`: 1 for a client session that came with a ticket.
#[no_mangle]
pub unsafe extern "C" fn SSL_SESSION_has_ticket(s: *const SSL_SESSION) -> c_int {
    entry(|| Ok(c_bool(!try_ref!(s).meta().ticket.is_empty())))
}

/// `SSL_SESSION_get0_ticket`: the ticket a client received (get0) and its length; NULL
/// and 0 if none.
#[no_mangle]
pub unsafe extern "C" fn SSL_SESSION_get0_ticket(
    s: *const SSL_SESSION,
    tick: *mut *const u8,
    len: *mut usize,
) {
    entry(|| {
        let meta = try_ref!(s).meta();
        let (p, n) = if meta.ticket.is_empty() {
            (std::ptr::null(), 0)
        } else {
            (meta.ticket.as_ptr(), meta.ticket.len())
        };
        // SAFETY: the out-pointers are NULL or writable per the API.
        unsafe {
            write_opt(tick, p);
            write_opt(len, n);
        }
        Ok(())
    })
}

/// `SSL_SESSION_set1_ticket_appdata`: application data kept with the session; 1.
#[no_mangle]
pub unsafe extern "C" fn SSL_SESSION_set1_ticket_appdata(
    s: *mut SSL_SESSION,
    data: *const c_void,
    len: usize,
) -> c_int {
    entry(|| {
        let s = try_ref!(s);
        let value = if data.is_null() || len == 0 {
            None
        } else {
            // SAFETY: data points at len bytes per the API.
            Some(unsafe { c_bytes(data.cast(), len) }?.to_vec())
        };
        s.meta().ticket_appdata = value;
        Ok(1)
    })
}

/// `SSL_SESSION_get0_ticket_appdata`: the application data (get0) and its length; 1.
#[no_mangle]
pub unsafe extern "C" fn SSL_SESSION_get0_ticket_appdata(
    s: *mut SSL_SESSION,
    data: *mut *mut c_void,
    len: *mut usize,
) -> c_int {
    entry(|| {
        let meta = try_ref!(s).meta();
        let (p, n) = meta
            .ticket_appdata
            .as_ref()
            .map_or((std::ptr::null_mut(), 0), |d| {
                (d.as_ptr().cast_mut().cast(), d.len())
            });
        // SAFETY: the out-pointers are NULL or writable per the API.
        unsafe {
            write_opt(data, p);
            write_opt(len, n);
        }
        Ok(1)
    })
}

/// `SSL_SESSION_get_compress_id`: 0 (no compression, as OpenSSL 3 builds without it).
#[no_mangle]
pub unsafe extern "C" fn SSL_SESSION_get_compress_id(s: *const SSL_SESSION) -> c_uint {
    entry(|| {
        try_ref!(s);
        Ok(0)
    })
}

/// `SSL_SESSION_set_ex_data`: 1, or 0 for a bad index.
#[no_mangle]
pub unsafe extern "C" fn SSL_SESSION_set_ex_data(
    s: *mut SSL_SESSION,
    idx: c_int,
    arg: *mut c_void,
) -> c_int {
    entry(|| Ok(c_bool(try_ref!(s).ex_data.set(idx, arg))))
}

/// `SSL_SESSION_get_ex_data`.
#[no_mangle]
pub unsafe extern "C" fn SSL_SESSION_get_ex_data(s: *const SSL_SESSION, idx: c_int) -> *mut c_void {
    entry(|| Ok(try_ref!(s).ex_data.get(idx)))
}
