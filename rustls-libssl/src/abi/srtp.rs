//! DTLS-SRTP profiles (RFC 5764): `SSL_CTX_set_tlsext_use_srtp` and its relatives.
//! OpenSSL negotiates use_srtp only over DTLS (its TLS endpoints neither send nor accept
//! the extension), and this library has no DTLS: the profile lists are parsed, kept and
//! returned as OpenSSL keeps them, and no profile is ever selected.

use std::ffi::{c_char, c_int, c_ulong, CStr};
use std::sync::Mutex;

use super::ctx::SSL_CTX;
use super::{c_str_bytes, entry, try_ref, SSL};
use crate::crypto_sys::{self as sys, StaticStack};
use crate::current::lock;
use crate::error::Error;

/// `SRTP_PROTECTION_PROFILE`: a profile's name and id.
#[repr(C)]
pub struct SRTP_PROTECTION_PROFILE {
    name: *const c_char,
    id: c_ulong,
}

// SAFETY: the profiles are immutable statics pointing at static strings.
unsafe impl Sync for SRTP_PROTECTION_PROFILE {}

/// `STACK_OF(SRTP_PROTECTION_PROFILE)`: OpenSSL's typed name for a stack of profiles (an
/// `OPENSSL_STACK`), as `SSL_get_srtp_profiles` returns it.
#[repr(C)]
pub struct stack_st_SRTP_PROTECTION_PROFILE {
    _opaque: [u8; 0],
}

macro_rules! profile {
    ($name:literal, $id:expr) => {
        SRTP_PROTECTION_PROFILE {
            name: $name.as_ptr(),
            id: $id,
        }
    };
}

/// The profiles OpenSSL 3.0 knows, in its order.
static PROFILES: [SRTP_PROTECTION_PROFILE; 4] = [
    profile!(c"SRTP_AES128_CM_SHA1_80", 0x0001),
    profile!(c"SRTP_AES128_CM_SHA1_32", 0x0002),
    profile!(c"SRTP_AEAD_AES_128_GCM", 0x0007),
    profile!(c"SRTP_AEAD_AES_256_GCM", 0x0008),
];

/// A context's or connection's profile list, as the stack `SSL_get_srtp_profiles`
/// returns (get0).
#[derive(Default)]
pub(crate) struct SrtpProfiles(Mutex<Option<StaticStack>>);

impl SrtpProfiles {
    fn set(&self, stack: StaticStack) {
        *lock(&self.0) = Some(stack);
    }

    fn get(&self) -> Option<*mut sys::OPENSSL_STACK> {
        lock(&self.0).as_ref().map(StaticStack::as_ptr)
    }
}

/// Parses a colon-separated profile list: each name must be known and appear once.
fn parse(list: &[u8]) -> Result<StaticStack, Error> {
    let mut chosen: Vec<&'static SRTP_PROTECTION_PROFILE> = Vec::new();
    for name in list.split(|b| *b == b':') {
        let profile = PROFILES
            .iter()
            // SAFETY: every profile name is a static C string.
            .find(|p| unsafe { CStr::from_ptr(p.name) }.to_bytes() == name)
            .ok_or(Error::Reason(sys::SSL_R_SRTP_UNKNOWN_PROTECTION_PROFILE))?;
        if chosen.iter().any(|c| std::ptr::eq(*c, profile)) {
            return Err(Error::Reason(sys::SSL_R_BAD_SRTP_PROTECTION_PROFILE_LIST));
        }
        chosen.push(profile);
    }
    StaticStack::new(&chosen).ok_or(Error::Reason(sys::SSL_R_SRTP_COULD_NOT_ALLOCATE_PROFILES))
}

/// OpenSSL's inverted result: 0 on success, 1 on failure (with the error queued).
fn inverted(r: c_int) -> c_int {
    c_int::from(r != 1)
}

/// `SSL_CTX_set_tlsext_use_srtp`: sets the context's profiles from a list like
/// "SRTP_AES128_CM_SHA1_80:SRTP_AEAD_AES_128_GCM". Returns **0 on success**, 1 on failure
/// ("srtp unknown protection profile").
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_set_tlsext_use_srtp(
    ctx: *mut SSL_CTX,
    profiles: *const c_char,
) -> c_int {
    inverted(entry(|| {
        let ctx = try_ref!(ctx);
        // SAFETY: profiles is a C string per the API.
        ctx.srtp.set(parse(unsafe { c_str_bytes(profiles) }?)?);
        Ok(1)
    }))
}

/// `SSL_set_tlsext_use_srtp`: the connection's own profiles; **0 on success**, 1 on failure.
#[no_mangle]
pub unsafe extern "C" fn SSL_set_tlsext_use_srtp(ssl: *mut SSL, profiles: *const c_char) -> c_int {
    inverted(entry(|| {
        let ssl = try_ref!(ssl);
        // SAFETY: as above.
        ssl.rare()
            .srtp
            .set(parse(unsafe { c_str_bytes(profiles) }?)?);
        Ok(1)
    }))
}

/// `SSL_get_srtp_profiles`: the connection's profiles, else its context's, else NULL
/// (get0).
#[no_mangle]
pub unsafe extern "C" fn SSL_get_srtp_profiles(
    ssl: *mut SSL,
) -> *mut stack_st_SRTP_PROTECTION_PROFILE {
    entry(|| {
        // SAFETY: NULL or a live SSL per the API (OpenSSL answers NULL for NULL).
        let Some(ssl) = (unsafe { ssl.as_ref() }) else {
            return Ok(std::ptr::null_mut());
        };
        Ok(ssl
            .rare()
            .srtp
            .get()
            .or_else(|| ssl.ctx().srtp.get())
            .map_or(std::ptr::null_mut(), <*mut sys::OPENSSL_STACK>::cast))
    })
}

/// `SSL_get_selected_srtp_profile`: NULL (no profile is negotiated over TLS).
#[no_mangle]
pub unsafe extern "C" fn SSL_get_selected_srtp_profile(
    ssl: *mut SSL,
) -> *mut SRTP_PROTECTION_PROFILE {
    entry(|| {
        try_ref!(ssl);
        Ok(std::ptr::null_mut())
    })
}
