//! `SSL_SESSION`: reference-counted sessions (an `Arc` of the core [`Session`]), their
//! fields, serialised forms (`i2d`/`d2i`, PEM, the text of `SSL_SESSION_print`), the
//! connection's session, and a context's session cache and callbacks.

use std::ffi::{c_char, c_int, c_long, c_uint, c_ulong, c_void, CStr};
use std::sync::Arc;

use super::callbacks::{GetSessionCallback, NewSessionCallback, RemoveSessionCallback};
use super::ctx::SSL_CTX;
use super::{c_bool, c_bytes, entry, try_ref, SSL};
use crate::ciphers::Cipher;
use crate::crypto_sys::{self as sys, Bio};
use crate::current::lock;
use crate::error::Error;
use crate::session::{now, DecodeError, Meta, Session};

/// `SSL_SESSION` is the core session behind an `Arc`.
///
/// cbindgen:ignore
/// (the header names OpenSSL's typedef: cbindgen must not see this one, or it would
/// emit it as a typedef of itself.)
pub(crate) type SSL_SESSION = Session;

/// A new `Arc` for a session pointer the caller holds a reference to.
///
/// # Safety
/// `s` came from `Arc::into_raw` and is alive.
pub(super) unsafe fn session_arc(s: *const SSL_SESSION) -> Arc<Session> {
    // SAFETY: guaranteed by the caller; the count goes up before the new Arc exists.
    unsafe {
        Arc::increment_strong_count(s);
        Arc::from_raw(s)
    }
}

/// `SSL_SESSION_new`: an empty session (nothing to resume); a new reference.
#[no_mangle]
pub extern "C" fn SSL_SESSION_new() -> *mut SSL_SESSION {
    Arc::into_raw(Session::empty()).cast_mut()
}

/// `SSL_SESSION_free`: drops one reference; NULL is a no-op.
#[no_mangle]
pub unsafe extern "C" fn SSL_SESSION_free(s: *mut SSL_SESSION) {
    if !s.is_null() {
        // SAFETY: s came from Arc::into_raw; the caller gives up one reference.
        drop(unsafe { Arc::from_raw(s) });
    }
}

/// `SSL_SESSION_up_ref`: one more reference; 1.
#[no_mangle]
pub unsafe extern "C" fn SSL_SESSION_up_ref(s: *mut SSL_SESSION) -> c_int {
    entry(|| {
        try_ref!(s);
        // SAFETY: s is a live session from Arc::into_raw.
        unsafe { Arc::increment_strong_count(s) };
        Ok(1)
    })
}

/// `SSL_SESSION_dup`: a copy with its own ex_data (copied through the dup callbacks); a
/// new reference, or NULL.
#[no_mangle]
pub unsafe extern "C" fn SSL_SESSION_dup(s: *const SSL_SESSION) -> *mut SSL_SESSION {
    entry(|| Ok(Arc::into_raw(try_ref!(s).duplicate()).cast_mut()))
}

/// `SSL_SESSION_is_resumable`: 1 if the session can resume a connection.
#[no_mangle]
pub unsafe extern "C" fn SSL_SESSION_is_resumable(s: *const SSL_SESSION) -> c_int {
    entry(|| Ok(c_bool(try_ref!(s).is_resumable())))
}

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

/// `i2d_SSL_SESSION`: OpenSSL's DER form of the session (see `session/der.rs`): its
/// length; with `pp` and `*pp` set, also written at `*pp`, which advances; with `*pp`
/// NULL, written to a new `OPENSSL_malloc` buffer stored in `*pp` (the caller frees it).
/// 0 for a session without a cipher, as OpenSSL. A client session's resumption state is
/// written as a handle that only this process can resolve (rustls keeps the state
/// private; see the README).
#[no_mangle]
pub unsafe extern "C" fn i2d_SSL_SESSION(s: *const SSL_SESSION, pp: *mut *mut u8) -> c_int {
    entry(|| {
        let Some(der) = try_ref!(s).encode() else {
            return Ok(0);
        };
        let len = c_int::try_from(der.len()).map_err(|_| Error::BadValue)?;
        if pp.is_null() {
            return Ok(len);
        }
        // SAFETY: *pp is NULL (we allocate) or points at a buffer with room for `len` bytes
        // (the i2d contract; callers size it with a first NULL call).
        unsafe {
            if (*pp).is_null() {
                let buf = sys::CRYPTO_malloc(der.len(), c"rustls-libssl".as_ptr(), 0).cast::<u8>();
                if buf.is_null() {
                    return Err(Error::Crypto);
                }
                std::ptr::copy_nonoverlapping(der.as_ptr(), buf, der.len());
                *pp = buf;
            } else {
                std::ptr::copy_nonoverlapping(der.as_ptr(), *pp, der.len());
                *pp = (*pp).add(der.len());
            }
        }
        Ok(len)
    })
}

/// `d2i_SSL_SESSION`: reads one session in OpenSSL's DER form from `*pp` (bytes after it
/// are not read) and advances `*pp`; a new session (also stored in `*a`, replacing the
/// session there), or NULL with the errors OpenSSL's decoder queues.
#[no_mangle]
pub unsafe extern "C" fn d2i_SSL_SESSION(
    a: *mut *mut SSL_SESSION,
    pp: *mut *const u8,
    len: c_long,
) -> *mut SSL_SESSION {
    entry(|| {
        if pp.is_null() {
            return Err(Error::NullArgument);
        }
        let len = usize::try_from(len).unwrap_or(0);
        // SAFETY: *pp points at len readable bytes per the d2i contract.
        let data = unsafe { c_bytes(*pp, len) }?;
        let (session, used) = Session::decode(data).map_err(decode_error)?;
        let raw = Arc::into_raw(session).cast_mut();
        // SAFETY: pp and a (if not NULL) are writable per the API; *a, if set, is a session
        // the caller hands over to be replaced.
        unsafe {
            *pp = (*pp).add(used);
            if !a.is_null() {
                if !(*a).is_null() {
                    drop(Arc::from_raw(*a));
                }
                *a = raw;
            }
        }
        Ok(raw)
    })
}

/// Queues what OpenSSL's decoder queues for a refused session.
fn decode_error(e: DecodeError) -> Error {
    let asn1 = |reasons: &[c_int]| {
        for &r in reasons {
            // SAFETY: only this thread's error queue; the file name is a static C string.
            unsafe {
                sys::ERR_new();
                sys::ERR_set_debug(c"rustls-libssl".as_ptr(), 0, std::ptr::null());
                sys::ERR_set_error(sys::ERR_LIB_ASN1, r, std::ptr::null());
            }
        }
        Error::Crypto
    };
    match e {
        DecodeError::Header => asn1(&[
            sys::ASN1_R_TOO_LONG,
            sys::ASN1_R_BAD_OBJECT_HEADER,
            sys::ERR_R_NESTED_ASN1_ERROR,
        ]),
        DecodeError::Body => asn1(&[sys::ERR_R_NESTED_ASN1_ERROR]),
        DecodeError::Reason(r) => Error::Reason(r),
        DecodeError::Silent => Error::Silent,
    }
}

/// The PEM label OpenSSL uses for sessions.
const PEM_NAME: &CStr = c"SSL SESSION PARAMETERS";

/// `PEM_write_bio_SSL_SESSION`: the session in PEM; 1 or 0.
#[no_mangle]
pub unsafe extern "C" fn PEM_write_bio_SSL_SESSION(
    bp: *mut sys::BIO,
    s: *const SSL_SESSION,
) -> c_int {
    entry(|| {
        let der = try_ref!(s).encode().ok_or(Error::Silent)?;
        if bp.is_null() {
            return Err(Error::NullArgument);
        }
        let len = c_long::try_from(der.len()).map_err(|_| Error::BadValue)?;
        // SAFETY: bp is a valid BIO; the strings and data outlive the call.
        let n =
            unsafe { sys::PEM_write_bio(bp, PEM_NAME.as_ptr(), c"".as_ptr(), der.as_ptr(), len) };
        if n > 0 {
            Ok(1)
        } else {
            Err(Error::Crypto)
        }
    })
}

/// `PEM_write_SSL_SESSION`: as [`PEM_write_bio_SSL_SESSION`] to a `FILE *`.
#[no_mangle]
pub unsafe extern "C" fn PEM_write_SSL_SESSION(fp: *mut sys::FILE, s: *const SSL_SESSION) -> c_int {
    entry(|| {
        let bio = Bio::for_file(fp).ok_or(Error::Crypto)?;
        // SAFETY: the BIO is alive for the call.
        Ok(unsafe { PEM_write_bio_SSL_SESSION(bio.as_ptr(), s) })
    })
}

/// `PEM_read_bio_SSL_SESSION`: the next session in PEM (the password arguments are
/// ignored: sessions are not encrypted); a new reference (also stored in `*x`), or NULL.
#[no_mangle]
pub unsafe extern "C" fn PEM_read_bio_SSL_SESSION(
    bp: *mut sys::BIO,
    x: *mut *mut SSL_SESSION,
    _cb: sys::pem_password_cb,
    _u: *mut c_void,
) -> *mut SSL_SESSION {
    entry(|| {
        if bp.is_null() {
            return Err(Error::NullArgument);
        }
        let mut data: *mut u8 = std::ptr::null_mut();
        let mut len: c_long = 0;
        // SAFETY: bp is a valid BIO; on success libcrypto allocates `data`, freed below.
        let ok = unsafe {
            sys::PEM_bytes_read_bio(
                &mut data,
                &mut len,
                std::ptr::null_mut(),
                PEM_NAME.as_ptr(),
                bp,
                None,
                std::ptr::null_mut(),
            )
        };
        if ok != 1 {
            return Err(Error::Crypto);
        }
        let mut p = data.cast_const();
        // SAFETY: data holds len bytes; d2i reads them and never past.
        let session = unsafe { d2i_SSL_SESSION(x, &mut p, len) };
        // SAFETY: allocated by libcrypto above.
        unsafe { sys::CRYPTO_free(data.cast(), c"rustls-libssl".as_ptr(), 0) };
        if session.is_null() {
            return Err(Error::Crypto);
        }
        Ok(session)
    })
}

/// `PEM_read_SSL_SESSION`: as [`PEM_read_bio_SSL_SESSION`] from a `FILE *`.
#[no_mangle]
pub unsafe extern "C" fn PEM_read_SSL_SESSION(
    fp: *mut sys::FILE,
    x: *mut *mut SSL_SESSION,
    cb: sys::pem_password_cb,
    u: *mut c_void,
) -> *mut SSL_SESSION {
    entry(|| {
        let bio = Bio::for_file(fp).ok_or(Error::Crypto)?;
        // SAFETY: the BIO is alive for the call.
        let s = unsafe { PEM_read_bio_SSL_SESSION(bio.as_ptr(), x, cb, u) };
        if s.is_null() {
            Err(Error::Crypto)
        } else {
            Ok(s)
        }
    })
}

/// `SSL_SESSION_print`: OpenSSL's text description of the session; 1 or 0.
#[no_mangle]
pub unsafe extern "C" fn SSL_SESSION_print(bp: *mut sys::BIO, s: *const SSL_SESSION) -> c_int {
    entry(|| {
        let text = describe(&try_ref!(s).meta());
        // SAFETY: bp is NULL or a valid BIO.
        unsafe { bio_write(bp, text.as_bytes()) }
    })
}

/// `SSL_SESSION_print_fp`: as [`SSL_SESSION_print`] to a `FILE *`.
#[no_mangle]
pub unsafe extern "C" fn SSL_SESSION_print_fp(fp: *mut sys::FILE, s: *const SSL_SESSION) -> c_int {
    entry(|| {
        let bio = Bio::for_file(fp).ok_or(Error::Crypto)?;
        // SAFETY: the BIO is alive for the call.
        Ok(unsafe { SSL_SESSION_print(bio.as_ptr(), s) })
    })
}

/// `SSL_SESSION_print_keylog`: `RSA Session-ID:<hex> Master-Key:<hex>`; 0 without an id
/// or a master key (TLS 1.3 sessions).
#[no_mangle]
pub unsafe extern "C" fn SSL_SESSION_print_keylog(
    bp: *mut sys::BIO,
    s: *const SSL_SESSION,
) -> c_int {
    entry(|| {
        let meta = try_ref!(s).meta().clone();
        if meta.id.is_empty() || meta.master_key.is_empty() {
            return Err(Error::Silent);
        }
        let text = format!(
            "RSA Session-ID:{} Master-Key:{}\n",
            hex_upper(&meta.id),
            hex_upper(&meta.master_key)
        );
        // SAFETY: bp is NULL or a valid BIO.
        unsafe { bio_write(bp, text.as_bytes()) }
    })
}

/// OpenSSL's `SSL_SESSION_print` text.
fn describe(m: &Meta) -> String {
    use std::fmt::Write as _;
    let tls13 = m.version == crate::versions::TLS1_3;
    let mut out = String::from("SSL-Session:\n");
    let _ = writeln!(
        out,
        "    Protocol  : {}",
        crate::versions::protocol_name(m.version)
    );
    match Cipher::by_id(m.cipher) {
        Some(c) => {
            let _ = writeln!(out, "    Cipher    : {}", c.name().to_string_lossy());
        }
        None => {
            let _ = writeln!(out, "    Cipher    : {:04X}", m.cipher);
        }
    }
    let _ = write!(out, "    Session-ID: {}", hex_upper(&m.id));
    let _ = write!(out, "\n    Session-ID-ctx: {}", hex_upper(&m.sid_ctx));
    let label = if tls13 {
        "Resumption PSK"
    } else {
        "Master-Key"
    };
    let _ = write!(out, "\n    {label}: {}", hex_upper(&m.master_key));
    out.push_str("\n    PSK identity: None\n    PSK identity hint: None");
    out.push_str("\n    SRP username: None");
    if m.ticket_lifetime_hint != 0 {
        let _ = write!(
            out,
            "\n    TLS session ticket lifetime hint: {} (seconds)",
            m.ticket_lifetime_hint
        );
    }
    if m.time != 0 {
        let _ = write!(out, "\n    Start Time: {}", m.time);
    }
    if m.timeout != 0 {
        let _ = write!(out, "\n    Timeout   : {} (sec)", m.timeout);
    }
    out.push('\n');
    let code = c_long::try_from(m.verify_result).unwrap_or(0);
    let _ = writeln!(
        out,
        "    Verify return code: {} ({})",
        code,
        sys::verify_error_string(code)
    );
    let ems = if m.version == crate::versions::TLS1_2 {
        "yes"
    } else {
        "no"
    };
    let _ = writeln!(out, "    Extended master secret: {ems}");
    if tls13 {
        let _ = writeln!(out, "    Max Early Data: {}", m.max_early_data);
    }
    out
}

fn hex_upper(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02X}")).collect()
}

/// Writes `data` to `bp`; 1 if all of it went, else 0.
///
/// # Safety
/// `bp` is NULL or a valid BIO.
unsafe fn bio_write(bp: *mut sys::BIO, data: &[u8]) -> Result<c_int, Error> {
    if bp.is_null() {
        return Err(Error::NullArgument);
    }
    let len = c_int::try_from(data.len()).map_err(|_| Error::BadValue)?;
    // SAFETY: bp is a valid BIO; data is readable for len bytes.
    let n = unsafe { sys::BIO_write(bp, data.as_ptr().cast(), len) };
    Ok(c_bool(n == len))
}

/// The connection's session: the one it made or resumed, or one describing it (a server
/// from the ClientHello on, as OpenSSL's `SSL_get0_session` answers in the SNI callback;
/// any connection once established). Kept by the connection.
fn current_session(ssl: &SSL) -> Option<Arc<Session>> {
    let status = ssl.status();
    let mut last = lock(&ssl.state.last_session);
    let cleared = ssl
        .session_cleared
        .load(std::sync::atomic::Ordering::Relaxed);
    if last.is_none() && status.started && !cleared {
        let (sid_ctx, sent) = {
            let setup = ssl.setup();
            let client = setup.role == Some(crate::connection::Role::Client);
            let name = setup.server_name.clone().filter(|_| client);
            (setup.settings.session_id_context.clone(), name)
        };
        let hostname = crate::resumption::client_hostname(&ssl.state, sent);
        *last = Some(Session::describing(Meta {
            hostname: hostname.and_then(|h| std::ffi::CString::new(h).ok()),
            version: status.version,
            cipher: status.cipher.map_or(0, Cipher::iana_id),
            sid_ctx,
            time: crate::session::seconds(now()),
            timeout: crate::session::seconds(*lock(&ssl.state.session_timeout)),
            alpn: status.alpn,
            verify_result: ssl.state.outcome().verify_result,
            ..Meta::default()
        }));
    }
    last.clone()
}

/// `SSL_get_session` (`SSL_get0_session`): the connection's session (get0: valid while it
/// is the connection's session), or NULL.
#[no_mangle]
pub unsafe extern "C" fn SSL_get_session(ssl: *const SSL) -> *mut SSL_SESSION {
    entry(|| {
        let ssl = try_ref!(ssl);
        let Some(session) = current_session(ssl) else {
            return Ok(std::ptr::null_mut());
        };
        let ptr = Arc::as_ptr(&session).cast_mut();
        // Kept alive until the application asks again or frees the connection, even if
        // the connection moves on to another session meanwhile.
        *lock(&ssl.handed_session) = Some(session);
        Ok(ptr)
    })
}

/// `SSL_get1_session`: the connection's session, a new reference; NULL if none.
#[no_mangle]
pub unsafe extern "C" fn SSL_get1_session(ssl: *mut SSL) -> *mut SSL_SESSION {
    entry(|| {
        Ok(current_session(try_ref!(ssl))
            .map_or(std::ptr::null_mut(), |s| Arc::into_raw(s).cast_mut()))
    })
}

/// `SSL_set_session`: resume `session` on the next handshake (takes its own reference; the
/// verify result becomes the session's); NULL clears it. 1.
#[no_mangle]
pub unsafe extern "C" fn SSL_set_session(ssl: *mut SSL, session: *mut SSL_SESSION) -> c_int {
    entry(|| {
        let ssl = try_ref!(ssl);
        // SAFETY: session is NULL or a live session.
        let session = (!session.is_null()).then(|| unsafe { session_arc(session) });
        if let Some(s) = &session {
            ssl.state.outcome().verify_result = s.meta().verify_result;
        }
        ssl.session_cleared
            .store(session.is_none(), std::sync::atomic::Ordering::Relaxed);
        *lock(&ssl.state.last_session) = session.clone();
        *lock(&ssl.state.resume) = session;
        Ok(1)
    })
}

/// `SSL_copy_session_id`: gives `to` the session, certificates and session id context of
/// `from`; 1 or 0.
#[no_mangle]
pub unsafe extern "C" fn SSL_copy_session_id(to: *mut SSL, from: *const SSL) -> c_int {
    entry(|| {
        let (to_ssl, from_ssl) = (try_ref!(to), try_ref!(from));
        // SAFETY: both are live connections.
        let session = unsafe { SSL_get_session(from) };
        // SAFETY: as above; the session is alive while `from` holds it.
        if unsafe { SSL_set_session(to, session) } != 1 {
            return Err(Error::Crypto);
        }
        let (credentials, ctx) = {
            let f = from_ssl.setup();
            (
                f.settings.credentials.clone(),
                f.settings.session_id_context.clone(),
            )
        };
        let mut t = to_ssl.setup();
        let settings = t.settings_mut();
        settings.credentials = credentials;
        settings.session_id_context = ctx;
        Ok(1)
    })
}

/// `SSL_set_session_id_context`: at most 32 bytes; 1 or 0.
#[no_mangle]
pub unsafe extern "C" fn SSL_set_session_id_context(
    ssl: *mut SSL,
    ctx: *const u8,
    len: c_uint,
) -> c_int {
    entry(|| {
        let ssl = try_ref!(ssl);
        // SAFETY: ctx points at len bytes per the API.
        let value = sid_ctx(unsafe { c_bytes(ctx, len as usize) }?)?;
        ssl.setup().settings_mut().session_id_context = value;
        Ok(1)
    })
}

/// `SSL_CTX_set_session_id_context`: at most 32 bytes; 1 or 0. Sessions (and tickets)
/// resume only on connections with the same context, as in OpenSSL.
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_set_session_id_context(
    ctx: *mut SSL_CTX,
    sid: *const u8,
    len: c_uint,
) -> c_int {
    entry(|| {
        let ctx = try_ref!(ctx);
        // SAFETY: sid points at len bytes per the API.
        let value = sid_ctx(unsafe { c_bytes(sid, len as usize) }?)?;
        // The context is read per connection at the handshake: the configs stay valid.
        ctx.core.update_settings(|s| s.session_id_context = value);
        Ok(1)
    })
}

/// `SSL_has_matching_session_id`: 1 if the context's cache holds a session with this id.
#[no_mangle]
pub unsafe extern "C" fn SSL_has_matching_session_id(
    ssl: *const SSL,
    id: *const u8,
    len: c_uint,
) -> c_int {
    entry(|| {
        let ssl = try_ref!(ssl);
        if len > sys::SSL_MAX_SSL_SESSION_ID_LENGTH as c_uint {
            return Ok(0);
        }
        // SAFETY: id points at len bytes per the API.
        let id = unsafe { c_bytes(id, len as usize) }?;
        // OpenSSL looks the id up with the connection's version: a session of another
        // version does not match.
        let version = ssl.version();
        let found = ssl.ctx().core.session_cache().get(id);
        Ok(c_bool(found.is_some_and(|s| s.meta().version == version)))
    })
}

/// `SSL_CTX_add_session`: adds `s` to the context's cache (the cache takes a reference);
/// 1, or 0 if a session with that id was cached already (it is replaced).
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_add_session(ctx: *mut SSL_CTX, s: *mut SSL_SESSION) -> c_int {
    entry(|| {
        let ctx = try_ref!(ctx);
        try_ref!(s);
        // SAFETY: s is a live session.
        let session = unsafe { session_arc(s) };
        Ok(c_bool(ctx.core.session_cache().add(session)))
    })
}

/// `SSL_CTX_remove_session`: takes `s` out of the cache (the remove callback hears of it);
/// 1 if it was there. The session no longer resumes.
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_remove_session(ctx: *mut SSL_CTX, s: *mut SSL_SESSION) -> c_int {
    entry(|| {
        let ctx = try_ref!(ctx);
        // SAFETY: s is NULL or a live session.
        let Some(session) = (unsafe { s.as_ref() }) else {
            return Ok(0);
        };
        let id = session.meta().id.clone();
        if id.is_empty() {
            return Ok(0);
        }
        let removed = ctx.core.session_cache().remove(&id).is_some();
        session.set_not_resumable();
        if let Some(cb) = ctx.callbacks().remove_session {
            // SAFETY: the application's callback; both objects are alive during the call.
            unsafe { cb((ctx as *const SSL_CTX).cast_mut(), s) };
        }
        Ok(c_bool(removed))
    })
}

/// `SSL_CTX_flush_sessions`: removes the sessions expired at time `t` (every session for
/// 0), telling the remove callback of each.
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_flush_sessions(ctx: *mut SSL_CTX, t: c_long) {
    entry(|| {
        let ctx = try_ref!(ctx);
        let time = if t == 0 {
            u64::MAX
        } else {
            u64::try_from(t).unwrap_or(0)
        };
        let flushed = ctx.core.session_cache().flush(time);
        if let Some(cb) = ctx.callbacks().remove_session {
            for s in &flushed {
                // SAFETY: the application's callback; the session is alive (we hold it).
                unsafe {
                    cb(
                        (ctx as *const SSL_CTX).cast_mut(),
                        Arc::as_ptr(s).cast_mut(),
                    )
                };
            }
        }
        Ok(())
    })
}

/// `LHASH_OF(SSL_SESSION)`: a libcrypto hash table of sessions.
#[repr(C)]
pub struct lhash_st_SSL_SESSION {
    _opaque: [u8; 0],
}

/// The table `SSL_CTX_sessions` hands out, and the sessions it points at (kept alive until
/// the table is refilled).
pub(crate) struct SessionTable {
    table: sys::lhash::LHash,
    held: Vec<Arc<Session>>,
}

/// `SSL_CTX_sessions`: the context's session cache as a libcrypto hash table (get0; the
/// same table each time), refilled with the cached sessions at each call. Applications
/// read it with `lh_SSL_SESSION_*`; it reflects the cache as of the last call.
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_sessions(ctx: *mut SSL_CTX) -> *mut lhash_st_SSL_SESSION {
    entry(|| {
        let ctx = try_ref!(ctx);
        let sessions = ctx.core.session_cache().sessions();
        let mut slot = lock(&ctx.sessions_table);
        if slot.is_none() {
            let table = sys::lhash::LHash::new(session_hash, session_cmp).ok_or(Error::Crypto)?;
            *slot = Some(SessionTable {
                table,
                held: Vec::new(),
            });
        }
        let Some(t) = slot.as_mut() else {
            return Err(Error::Internal);
        };
        // SAFETY: every pointer is a live session kept in `held` until the next refill.
        unsafe {
            t.table
                .refill(sessions.iter().map(|s| Arc::as_ptr(s).cast_mut().cast()));
        }
        t.held = sessions;
        Ok(t.table.as_ptr().cast())
    })
}

/// The table's hash of a session: its id, as OpenSSL hashes it (first bytes).
///
/// # Safety
/// Called by libcrypto's hash table with a live session.
unsafe extern "C" fn session_hash(item: *const c_void) -> c_ulong {
    // SAFETY: the table holds only live sessions (see SessionTable).
    let Some(s) = (unsafe { item.cast::<Session>().as_ref() }) else {
        return 0;
    };
    let meta = s.meta();
    let mut bytes = [0u8; 4];
    for (b, v) in bytes.iter_mut().zip(&meta.id) {
        *b = *v;
    }
    c_ulong::from(u32::from_le_bytes(bytes))
}

/// The table's comparison: same version and id, as OpenSSL compares sessions.
///
/// # Safety
/// Called by libcrypto's hash table with two live sessions (or NULL).
unsafe extern "C" fn session_cmp(a: *const c_void, b: *const c_void) -> c_int {
    // SAFETY: the table holds only live sessions; lookups pass sessions too.
    let (Some(a), Some(b)) =
        (unsafe { (a.cast::<Session>().as_ref(), b.cast::<Session>().as_ref()) })
    else {
        return 1;
    };
    if std::ptr::eq(a, b) {
        return 0;
    }
    let (a, b) = (a.meta().clone(), b.meta().clone());
    c_int::from(a.version != b.version || a.id != b.id)
}

/// `SSL_CTX_sess_set_new_cb`: called with each new session (the callback keeps the
/// reference it is given when it returns 1).
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_sess_set_new_cb(ctx: *mut SSL_CTX, cb: NewSessionCallback) {
    entry(|| {
        lock(&try_ref!(ctx).callbacks).new_session = cb;
        Ok(())
    })
}

/// `SSL_CTX_sess_get_new_cb`.
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_sess_get_new_cb(ctx: *mut SSL_CTX) -> NewSessionCallback {
    entry(|| Ok(try_ref!(ctx).callbacks().new_session))
}

/// `SSL_CTX_sess_set_remove_cb`: called when a session leaves the cache.
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_sess_set_remove_cb(ctx: *mut SSL_CTX, cb: RemoveSessionCallback) {
    entry(|| {
        lock(&try_ref!(ctx).callbacks).remove_session = cb;
        Ok(())
    })
}

/// `SSL_CTX_sess_get_remove_cb`.
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_sess_get_remove_cb(ctx: *mut SSL_CTX) -> RemoveSessionCallback {
    entry(|| Ok(try_ref!(ctx).callbacks().remove_session))
}

/// `SSL_CTX_sess_set_get_cb`: a server's external cache, asked for a session by id.
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_sess_set_get_cb(ctx: *mut SSL_CTX, cb: GetSessionCallback) {
    entry(|| {
        lock(&try_ref!(ctx).callbacks).get_session = cb;
        Ok(())
    })
}

/// `SSL_CTX_sess_get_get_cb`.
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_sess_get_get_cb(ctx: *mut SSL_CTX) -> GetSessionCallback {
    entry(|| Ok(try_ref!(ctx).callbacks().get_session))
}

/// `SSL_get_client_random`: with `outlen` 0 the size (32); otherwise copies up to `outlen`
/// bytes of the ClientHello's random (zeros before the handshake) and returns how many.
#[no_mangle]
pub unsafe extern "C" fn SSL_get_client_random(
    ssl: *const SSL,
    out: *mut u8,
    outlen: usize,
) -> usize {
    entry(|| {
        let ssl = try_ref!(ssl);
        let random = lock(&ssl.state.export)
            .as_ref()
            .map_or([0; 32], |e| e.client_random);
        // SAFETY: out is writable for outlen bytes per the API.
        Ok(unsafe { copy_out(&random, out, outlen) })
    })
}

/// `SSL_get_server_random`: as [`SSL_get_client_random`] for the ServerHello's random.
#[no_mangle]
pub unsafe extern "C" fn SSL_get_server_random(
    ssl: *const SSL,
    out: *mut u8,
    outlen: usize,
) -> usize {
    entry(|| {
        let ssl = try_ref!(ssl);
        let random = lock(&ssl.state.export)
            .as_ref()
            .and_then(|e| e.server_random)
            .unwrap_or([0; 32]);
        // SAFETY: out is writable for outlen bytes per the API.
        Ok(unsafe { copy_out(&random, out, outlen) })
    })
}

/// `tls_session_secret_cb_fn`: `SSL_set_session_secret_cb`'s callback (NULL for none).
pub type SessionSecretCallback = Option<
    unsafe extern "C" fn(
        *mut SSL,
        *mut c_void,
        *mut c_int,
        *mut sys::stack_st_SSL_CIPHER,
        *mut *const Cipher,
        *mut c_void,
    ) -> c_int,
>;

/// `tls_session_ticket_ext_cb_fn`: `SSL_set_session_ticket_ext_cb`'s callback (NULL for
/// none).
pub type TicketExtCallback =
    Option<unsafe extern "C" fn(*mut SSL, *const u8, c_int, *mut c_void) -> c_int>;

/// `SSL_set_session_secret_cb`: EAP-FAST's hook to set the TLS 1.2 master secret from a
/// PAC. rustls derives every secret itself: stored as OpenSSL stores it when no such
/// session is offered, never called (see the README); 1.
#[no_mangle]
pub unsafe extern "C" fn SSL_set_session_secret_cb(
    ssl: *mut SSL,
    cb: SessionSecretCallback,
    _arg: *mut c_void,
) -> c_int {
    entry(|| {
        let ssl = try_ref!(ssl);
        if cb.is_some() {
            super::debug_log("SSL_set_session_secret_cb: stored, never called (EAP-FAST)");
        }
        let _ = ssl;
        Ok(1)
    })
}

/// `SSL_set_session_ticket_ext`: EAP-FAST's opaque SessionTicket extension. rustls sends
/// only tickets it received: accepted and not sent (see the README); 1.
#[no_mangle]
pub unsafe extern "C" fn SSL_set_session_ticket_ext(
    ssl: *mut SSL,
    _data: *mut c_void,
    _len: c_int,
) -> c_int {
    entry(|| {
        try_ref!(ssl);
        super::debug_log("SSL_set_session_ticket_ext: accepted, not sent (EAP-FAST)");
        Ok(1)
    })
}

/// `SSL_set_session_ticket_ext_cb`: the callback that sees a server's SessionTicket
/// extension (EAP-FAST): stored, never called; 1.
#[no_mangle]
pub unsafe extern "C" fn SSL_set_session_ticket_ext_cb(
    ssl: *mut SSL,
    _cb: TicketExtCallback,
    _arg: *mut c_void,
) -> c_int {
    entry(|| {
        try_ref!(ssl);
        Ok(1)
    })
}

/// Copies up to `outlen` bytes of `data` to `out` (the length of `data` when `outlen` is
/// 0); returns the count.
///
/// # Safety
/// `out` is writable for `outlen` bytes.
unsafe fn copy_out(data: &[u8], out: *mut u8, outlen: usize) -> usize {
    if outlen == 0 {
        return data.len();
    }
    let n = outlen.min(data.len());
    if !out.is_null() {
        // SAFETY: guaranteed by the caller; n <= outlen.
        unsafe { std::ptr::copy_nonoverlapping(data.as_ptr(), out, n) };
    }
    n
}

/// Writes `value` through `p` unless it is NULL.
///
/// # Safety
/// `p` is NULL or writable.
pub(super) unsafe fn write_opt<T>(p: *mut T, value: T) {
    if !p.is_null() {
        // SAFETY: guaranteed by the caller.
        unsafe { *p = value };
    }
}

/// A time or duration as C's `long`, saturating.
fn long<T: Copy + Default + PartialOrd>(v: T) -> c_long
where
    c_long: TryFrom<T>,
{
    let saturated = if v < T::default() {
        c_long::MIN
    } else {
        c_long::MAX
    };
    c_long::try_from(v).unwrap_or(saturated)
}

/// C's `long` as a session's time or duration (no wider than `i64` on any target).
fn widen<T: Into<i64>>(t: T) -> i64 {
    t.into()
}
