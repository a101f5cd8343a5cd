//! DANE (RFC 6698/7671): TLSA records a client checks the server's chain against. The
//! records and the match live in an `SSL_DANE` that libcrypto's `X509_verify_cert` reads
//! and fills, as with OpenSSL (see `crypto_sys::dane`): usages PKIX-TA(0), PKIX-EE(1),
//! DANE-TA(2), DANE-EE(3), Cert(0)/SPKI(1) selectors, Full(0)/SHA2-256(1)/SHA2-512(2)
//! matching with the context's preferences, and the name checks of the verify parameters.

use std::ffi::{c_char, c_int, c_ulong};

use super::ctx::SSL_CTX;
use super::{c_str, entry, push_error, try_ref, SSL};
use crate::crypto_sys::{self as sys, Dane, DaneMtypes};
use crate::current::lock;
use crate::error::Error;

/// `SSL_CTX_dane_enable`: lets the context's connections use DANE; 1 (also when enabled
/// already).
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_dane_enable(ctx: *mut SSL_CTX) -> c_int {
    entry(|| {
        try_ref!(ctx).core.update_settings(|s| {
            if s.dane.is_none() {
                s.dane = Some(DaneMtypes::new());
            }
        });
        Ok(1)
    })
}

/// `SSL_CTX_dane_mtype_set`: the digest of TLSA matching type `mtype` (NULL disables it)
/// and its preference `ord` (higher wins); 1, 0 for Full(0) with a digest.
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_dane_mtype_set(
    ctx: *mut SSL_CTX,
    md: *const sys::EVP_MD,
    mtype: u8,
    ord: u8,
) -> c_int {
    entry(|| {
        try_ref!(ctx).core.update_settings(|s| {
            let mtypes = s.dane.get_or_insert_with(DaneMtypes::new);
            // SAFETY: md is NULL or a digest the application keeps, as OpenSSL requires.
            unsafe { mtypes.set(md, mtype, ord) }.map_err(Error::Reason)
        })?;
        Ok(1)
    })
}

/// `SSL_CTX_dane_set_flags`: adds `DANE_FLAG_*` bits; returns the previous flags.
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_dane_set_flags(ctx: *mut SSL_CTX, flags: c_ulong) -> c_ulong {
    entry(|| {
        let old = try_ref!(ctx).core.update_settings(|s| {
            let old = s.dane_flags;
            s.dane_flags |= flags;
            old
        });
        Ok(c_ulong::try_from(old).unwrap_or(0))
    })
}

/// `SSL_CTX_dane_clear_flags`: removes `DANE_FLAG_*` bits; returns the previous flags.
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_dane_clear_flags(ctx: *mut SSL_CTX, flags: c_ulong) -> c_ulong {
    entry(|| {
        let old = try_ref!(ctx).core.update_settings(|s| {
            let old = s.dane_flags;
            s.dane_flags &= !flags;
            old
        });
        Ok(c_ulong::try_from(old).unwrap_or(0))
    })
}

/// Runs `f` on the connection's DANE state, made (with the flags the connection got from
/// its context) if the application had not used DANE yet.
fn with_dane<R>(ssl: &SSL, f: impl FnOnce(&mut Dane) -> R) -> R {
    let mut slot = lock(&ssl.state.dane);
    let dane = slot.get_or_insert_with(|| {
        let setup = ssl.setup();
        let mtypes = setup.ctx.settings().dane.clone().unwrap_or_default();
        Box::new(Dane::new(&mtypes, setup.settings.dane_flags))
    });
    f(dane)
}

/// `SSL_dane_enable`: verifies this connection's peer with TLSA records (added with
/// [`SSL_dane_tlsa_add`]) for `basedomain`, which becomes the SNI name (unless one is
/// set) and the name the certificate must match. 1; 0 if the context is not DANE-enabled
/// or this connection is already; -1 for a name that cannot be set.
#[no_mangle]
pub unsafe extern "C" fn SSL_dane_enable(ssl: *mut SSL, basedomain: *const c_char) -> c_int {
    entry(|| {
        let ssl = try_ref!(ssl);
        let Some(mtypes) = ssl.setup().ctx.settings().dane.clone() else {
            return Err(Error::Reason(sys::SSL_R_CONTEXT_NOT_DANE_ENABLED));
        };
        if with_dane(ssl, |d| d.enabled()) {
            return Err(Error::Reason(sys::SSL_R_DANE_ALREADY_ENABLED));
        }
        let fail = || {
            push_error(&Error::Reason(sys::SSL_R_ERROR_SETTING_TLSA_BASE_DOMAIN));
            Ok(-1)
        };
        // NULL clears the SNI name and the host names, as OpenSSL's calls do.
        let name = if basedomain.is_null() {
            None
        } else {
            // SAFETY: basedomain is a C string per the API.
            match unsafe { c_str(basedomain) } {
                Ok(n) => Some(n),
                Err(_) => return fail(),
            }
        };
        {
            let mut setup = ssl.setup();
            // The SNI name first: it refuses an empty name, which the host check accepts
            // (and then checks no name).
            if setup.server_name.is_none() {
                if name.is_some_and(|n| n.is_empty() || n.len() > 255) {
                    push_error(&Error::Reason(sys::SSL_R_SSL3_EXT_INVALID_SERVERNAME));
                    return fail();
                }
                setup.server_name = name.map(str::to_owned);
            }
            let host = name.map(sys::cstring);
            if host.as_ref().is_some_and(Option::is_none) {
                return fail();
            }
            let host_ptr = host.flatten();
            let host_ptr = host_ptr.as_ref().map_or(std::ptr::null(), |h| h.as_ptr());
            // SAFETY: the parameter set is alive; host_ptr is NULL or a C string.
            if unsafe { sys::X509_VERIFY_PARAM_set1_host(setup.param.as_ptr(), host_ptr, 0) } != 1 {
                return fail();
            }
        }
        let enabled = with_dane(ssl, |d| {
            d.set_mtypes(&mtypes);
            d.enable()
        });
        if enabled {
            Ok(1)
        } else {
            push_error(&Error::Reason(sys::ERR_R_MALLOC_FAILURE));
            Ok(-1)
        }
    })
}

/// `SSL_dane_set_flags`: adds `DANE_FLAG_*` bits for this connection; returns the previous
/// flags.
#[no_mangle]
pub unsafe extern "C" fn SSL_dane_set_flags(ssl: *mut SSL, flags: c_ulong) -> c_ulong {
    entry(|| {
        let old = with_dane(try_ref!(ssl), |d| {
            let old = d.flags();
            d.set_flags(old | flags);
            old
        });
        Ok(c_ulong::try_from(old).unwrap_or(0))
    })
}

/// `SSL_dane_clear_flags`: removes `DANE_FLAG_*` bits; returns the previous flags.
#[no_mangle]
pub unsafe extern "C" fn SSL_dane_clear_flags(ssl: *mut SSL, flags: c_ulong) -> c_ulong {
    entry(|| {
        let old = with_dane(try_ref!(ssl), |d| {
            let old = d.flags();
            d.set_flags(old & !flags);
            old
        });
        Ok(c_ulong::try_from(old).unwrap_or(0))
    })
}

/// `SSL_dane_tlsa_add`: adds a TLSA record (usage, selector, matching type, data). 1; 0
/// for a record OpenSSL refuses (bad usage, selector, matching type, digest length,
/// certificate or key); -1 if DANE is not enabled on the connection.
#[no_mangle]
pub unsafe extern "C" fn SSL_dane_tlsa_add(
    ssl: *mut SSL,
    usage: u8,
    selector: u8,
    mtype: u8,
    data: *const u8,
    dlen: usize,
) -> c_int {
    entry(|| {
        let ssl = try_ref!(ssl);
        let data = if data.is_null() {
            None
        } else {
            // SAFETY: data points at dlen readable bytes per the API.
            Some(unsafe { std::slice::from_raw_parts(data, dlen) })
        };
        let mtypes = ssl.setup().ctx.settings().dane.clone();
        let added = with_dane(ssl, |d| {
            if let Some(m) = &mtypes {
                d.set_mtypes(m);
            }
            d.add(usage, selector, mtype, data, dlen)
        });
        match added {
            Ok(()) => Ok(1),
            Err(reason) => {
                push_error(&Error::Reason(reason));
                let fatal =
                    reason == sys::SSL_R_DANE_NOT_ENABLED || reason == sys::ERR_R_MALLOC_FAILURE;
                Ok(if fatal { -1 } else { 0 })
            }
        }
    })
}

/// The DANE state for the getters: `None` unless DANE verified this connection
/// (records present and verification succeeded), as OpenSSL's -1.
fn verified_dane<R>(ssl: &SSL, f: impl FnOnce(&Dane) -> R) -> Option<R> {
    if ssl.state.outcome().verify_result != 0 {
        return None;
    }
    let slot = lock(&ssl.state.dane);
    slot.as_deref().filter(|d| d.active()).map(f)
}

/// `SSL_get0_dane_authority`: the depth in the peer's chain of the certificate a TLSA
/// record matched (0: the server's own), -1 if none did or DANE is not in use; `mcert`
/// gets that certificate (get0) and `mspki` the record's public key when a DANE-TA(2)
/// record matched a bare key.
#[no_mangle]
pub unsafe extern "C" fn SSL_get0_dane_authority(
    ssl: *mut SSL,
    mcert: *mut *mut sys::X509,
    mspki: *mut *mut sys::EVP_PKEY,
) -> c_int {
    entry(|| {
        let Some((depth, cert, spki, matched)) = verified_dane(try_ref!(ssl), |d| {
            let (depth, cert, spki) = d.authority();
            (depth, cert, spki, d.matched().1.is_some())
        }) else {
            return Ok(-1);
        };
        if matched {
            // SAFETY: the out-pointers are NULL or writable per the API.
            unsafe {
                if let Some(out) = mcert.as_mut() {
                    *out = cert;
                }
                if let Some(out) = mspki.as_mut() {
                    *out = spki;
                }
            }
        }
        Ok(depth)
    })
}

/// `SSL_get0_dane_tlsa`: the depth as [`SSL_get0_dane_authority`], and the fields of the
/// TLSA record that matched (data get0).
#[no_mangle]
pub unsafe extern "C" fn SSL_get0_dane_tlsa(
    ssl: *mut SSL,
    usage: *mut u8,
    selector: *mut u8,
    mtype: *mut u8,
    data: *mut *const u8,
    dlen: *mut usize,
) -> c_int {
    entry(|| {
        let Some((depth, record)) = verified_dane(try_ref!(ssl), Dane::matched) else {
            return Ok(-1);
        };
        if let Some((u, s, m, d, n)) = record {
            // SAFETY: the out-pointers are NULL or writable per the API.
            unsafe {
                if let Some(out) = usage.as_mut() {
                    *out = u;
                }
                if let Some(out) = selector.as_mut() {
                    *out = s;
                }
                if let Some(out) = mtype.as_mut() {
                    *out = m;
                }
                if let Some(out) = data.as_mut() {
                    *out = d;
                }
                if let Some(out) = dlen.as_mut() {
                    *out = n;
                }
            }
        }
        Ok(depth)
    })
}

/// `SSL_get0_dane`: the connection's `SSL_DANE` (get0; never NULL, as in OpenSSL).
#[no_mangle]
pub unsafe extern "C" fn SSL_get0_dane(ssl: *mut SSL) -> *mut sys::SSL_DANE {
    entry(|| Ok(with_dane(try_ref!(ssl), |d| d.as_ptr())))
}
