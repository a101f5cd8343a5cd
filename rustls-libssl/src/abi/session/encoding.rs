//! An `SSL_SESSION`'s serialised forms: DER (`i2d`/`d2i`), PEM, the text of
//! `SSL_SESSION_print` and the NSS key-log line.

use std::ffi::{c_int, c_long, c_void, CStr};
use std::sync::Arc;

use super::SSL_SESSION;
use crate::abi::{c_bool, c_bytes, entry, try_ref};
use crate::ciphers::Cipher;
use crate::crypto_sys::{self as sys, Bio};
use crate::error::Error;
use crate::session::{DecodeError, Meta, Session};

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
        crate::versions::protocol_text(m.version)
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
