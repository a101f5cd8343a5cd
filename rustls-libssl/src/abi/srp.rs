//! TLS-SRP (RFC 5054, password-authenticated key exchange). OpenSSL uses it only when
//! both sides enable SRP suites; a server's SRP parameters are otherwise just kept, and the
//! getters report what was set. rustls has no SRP, so the shim never negotiates an SRP
//! suite: the server-side parameters below are kept and computed as in OpenSSL (a peer
//! offering SRP gets a certificate handshake or none), while a client's user name and
//! password are refused outright: a client configured for SRP relies on it to
//! authenticate the server, and a handshake silently going on without it would be weaker
//! than what the application asked for (see the README).

use std::ffi::{c_char, c_int, CStr, CString};
use std::sync::Mutex;

use super::ctx::SSL_CTX;
use super::{entry, try_ref, SSL};
use crate::crypto_sys as sys;
use crate::crypto_sys::srp::{self as bn, Bignum};
use crate::current::lock;
use crate::error::Error;

/// OpenSSL's `SRP_MINIMAL_N`: the default minimum group size.
const MINIMAL_N: i64 = 1024;

/// A connection's SRP values (OpenSSL's `SRP_CTX` of an `SSL`).
#[derive(Default)]
pub(crate) struct SrpParams {
    n: Option<Bignum>,
    g: Option<Bignum>,
    s: Option<Bignum>,
    v: Option<Bignum>,
    /// The server's secret and public values (`SSL_srp_server_param_with_username`).
    b: Option<Bignum>,
    big_b: Option<Bignum>,
    /// The client's secret and public values (`SRP_Calc_A_param`).
    a: Option<Bignum>,
    big_a: Option<Bignum>,
    /// `SSL_get_srp_userinfo`.
    info: Option<CString>,
}

/// The connection's SRP values.
fn params(ssl: &SSL) -> std::sync::MutexGuard<'_, SrpParams> {
    lock(&ssl.rare().srp)
}

/// A replacement for one of the values: a copy of `new` if given, else the old one.
///
/// # Safety
/// `new` is NULL or a valid `BIGNUM`.
unsafe fn replace(old: &mut Option<Bignum>, new: *const sys::BIGNUM) {
    if !new.is_null() {
        // SAFETY: guaranteed by the caller.
        *old = unsafe { Bignum::dup(new) };
    }
}

/// `SSL_CTX_set_srp_username`: refused with "not supported" (see the module header).
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_set_srp_username(ctx: *mut SSL_CTX, _name: *mut c_char) -> c_int {
    entry(|| {
        try_ref!(ctx);
        Err(Error::NotSupported("TLS-SRP"))
    })
}

/// `SSL_CTX_set_srp_password`: refused with "not supported", as above.
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_set_srp_password(ctx: *mut SSL_CTX, _pw: *mut c_char) -> c_int {
    entry(|| {
        try_ref!(ctx);
        Err(Error::NotSupported("TLS-SRP"))
    })
}

/// `SSL_CTX_set_srp_strength`: the smallest group a client accepts (kept); 1.
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_set_srp_strength(ctx: *mut SSL_CTX, strength: c_int) -> c_int {
    entry(|| {
        try_ref!(ctx)
            .core
            .update_settings(|s| s.knobs.srp_strength = i64::from(strength));
        Ok(1)
    })
}

/// `SSL_CTX_SRP_CTX_init`: resets the context's SRP settings (callbacks, argument,
/// strength) to their defaults; 1.
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_SRP_CTX_init(ctx: *mut SSL_CTX) -> c_int {
    entry(|| {
        reset_ctx(try_ref!(ctx));
        Ok(1)
    })
}

/// `SSL_CTX_SRP_CTX_free`: as [`SSL_CTX_SRP_CTX_init`]; 1.
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_SRP_CTX_free(ctx: *mut SSL_CTX) -> c_int {
    entry(|| {
        reset_ctx(try_ref!(ctx));
        Ok(1)
    })
}

fn reset_ctx(ctx: &SSL_CTX) {
    {
        let mut cbs = crate::abi::callbacks::ctx_callbacks_mut(ctx);
        cbs.srp_username = None;
        cbs.srp_verify_param = None;
        cbs.srp_client_pwd = None;
        cbs.srp_arg = 0;
    }
    ctx.core
        .update_settings(|s| s.knobs.srp_strength = MINIMAL_N);
}

/// `SSL_SRP_CTX_init`: gives the connection its context's SRP settings again (the context
/// holds no group or verifier: the connection's are cleared); 1.
#[no_mangle]
pub unsafe extern "C" fn SSL_SRP_CTX_init(ssl: *mut SSL) -> c_int {
    entry(|| {
        *params(try_ref!(ssl)) = SrpParams::default();
        Ok(1)
    })
}

/// `SSL_SRP_CTX_free`: clears the connection's SRP values; 1.
#[no_mangle]
pub unsafe extern "C" fn SSL_SRP_CTX_free(ssl: *mut SSL) -> c_int {
    entry(|| {
        *params(try_ref!(ssl)) = SrpParams::default();
        Ok(1)
    })
}

/// `SSL_set_srp_server_param`: the group (N, g), salt, verifier and user info a server
/// would use for the user (copies; NULL keeps a value). 1, or -1 if any of the four
/// numbers is still missing.
#[no_mangle]
pub unsafe extern "C" fn SSL_set_srp_server_param(
    ssl: *mut SSL,
    n: *const sys::BIGNUM,
    g: *const sys::BIGNUM,
    sa: *mut sys::BIGNUM,
    v: *mut sys::BIGNUM,
    info: *mut c_char,
) -> c_int {
    entry(|| {
        let ssl = try_ref!(ssl);
        let mut p = params(ssl);
        // SAFETY: each number is NULL or a valid BIGNUM per the API; info is NULL or a C
        // string.
        unsafe {
            replace(&mut p.n, n);
            replace(&mut p.g, g);
            replace(&mut p.s, sa);
            replace(&mut p.v, v);
            if !info.is_null() {
                p.info = Some(CStr::from_ptr(info).into());
            }
        }
        let complete = p.n.is_some() && p.g.is_some() && p.s.is_some() && p.v.is_some();
        Ok(if complete { 1 } else { -1 })
    })
}

/// `SSL_set_srp_server_param_pw`: the group named `grp` ("1024" ... "8192") and a fresh
/// salt and verifier for `user`/`pass`. 1, or -1 for an unknown group or a failure.
#[no_mangle]
pub unsafe extern "C" fn SSL_set_srp_server_param_pw(
    ssl: *mut SSL,
    user: *const c_char,
    pass: *const c_char,
    grp: *const c_char,
) -> c_int {
    entry(|| {
        let ssl = try_ref!(ssl);
        if user.is_null() || pass.is_null() || grp.is_null() {
            return Ok(-1);
        }
        // SAFETY: the three are C strings per the API.
        let (user, pass, grp) = unsafe {
            (
                CStr::from_ptr(user),
                CStr::from_ptr(pass),
                CStr::from_ptr(grp),
            )
        };
        let Some((n, g)) = bn::default_group(grp) else {
            return Ok(-1);
        };
        let mut p = params(ssl);
        p.s = None;
        p.v = None;
        let made = bn::verifier(user, pass, &n, &g);
        p.n = Some(n);
        p.g = Some(g);
        let Some((s, v)) = made else {
            return Ok(-1);
        };
        p.s = Some(s);
        p.v = Some(v);
        Ok(1)
    })
}

/// `SSL_get_srp_N`: the connection's group modulus (get0), or NULL.
#[no_mangle]
pub unsafe extern "C" fn SSL_get_srp_N(ssl: *mut SSL) -> *mut sys::BIGNUM {
    entry(|| {
        Ok(params(try_ref!(ssl))
            .n
            .as_ref()
            .map_or(std::ptr::null_mut(), Bignum::as_ptr))
    })
}

/// `SSL_get_srp_g`: the connection's group generator (get0), or NULL.
#[no_mangle]
pub unsafe extern "C" fn SSL_get_srp_g(ssl: *mut SSL) -> *mut sys::BIGNUM {
    entry(|| {
        Ok(params(try_ref!(ssl))
            .g
            .as_ref()
            .map_or(std::ptr::null_mut(), Bignum::as_ptr))
    })
}

/// `SSL_get_srp_username`: the SRP user name (a server learns it from the client's SRP
/// extension; a client has it from `SSL_CTX_set_srp_username`): NULL, no SRP handshake
/// happens and the client setter is refused.
#[no_mangle]
pub unsafe extern "C" fn SSL_get_srp_username(ssl: *mut SSL) -> *mut c_char {
    entry(|| {
        try_ref!(ssl);
        Ok(std::ptr::null_mut())
    })
}

/// `SSL_get_srp_userinfo`: the user info given with the server parameters (get0), or NULL.
#[no_mangle]
pub unsafe extern "C" fn SSL_get_srp_userinfo(ssl: *mut SSL) -> *mut c_char {
    entry(|| {
        let p = params(try_ref!(ssl));
        Ok(p.info
            .as_ref()
            .map_or(std::ptr::null_mut(), |i| i.as_ptr().cast_mut()))
    })
}

/// `SSL_srp_server_param_with_username`: what an SRP server does on the client's user
/// name: asks the application's username callback (its non-zero answer is returned), then
/// makes the server's secret and public values. 0 (`SSL_ERROR_NONE`) on success, else an
/// alert level; `*ad` is left as OpenSSL leaves it.
#[no_mangle]
pub unsafe extern "C" fn SSL_srp_server_param_with_username(
    ssl: *mut SSL,
    ad: *mut c_int,
) -> c_int {
    entry(|| {
        let s = try_ref!(ssl);
        if ad.is_null() {
            return Err(Error::NullArgument);
        }
        let (cb, arg) = {
            let cbs = lock(&s.callbacks);
            (cbs.srp_username, cbs.srp_arg)
        };
        // SAFETY: ad is writable per the API.
        unsafe { *ad = sys::SSL_AD_UNKNOWN_PSK_IDENTITY };
        if let Some(cb) = cb {
            // SAFETY: the application's callback; no lock is held.
            let al = unsafe { cb(ssl, ad, arg as *mut std::ffi::c_void) };
            if al != sys::SSL_ERROR_NONE {
                return Ok(al);
            }
        }
        // SAFETY: as above.
        unsafe { *ad = sys::SSL_AD_INTERNAL_ERROR };
        let mut p = params(s);
        let (Some(n), Some(g), Some(_), Some(v)) = (&p.n, &p.g, &p.s, &p.v) else {
            return Ok(sys::SSL3_AL_FATAL);
        };
        let Some(b) = Bignum::random(sys::SSL_MAX_MASTER_KEY_LENGTH as usize) else {
            return Ok(sys::SSL3_AL_FATAL);
        };
        let big_b = bn::calc_b(&b, n, g, v);
        let ok = big_b.is_some();
        p.b = Some(b);
        p.big_b = big_b;
        Ok(if ok {
            sys::SSL_ERROR_NONE
        } else {
            sys::SSL_AD_INTERNAL_ERROR
        })
    })
}

/// `SRP_Calc_A_param`: makes a client's secret and public values from the group; 1, or 0
/// without a group.
#[no_mangle]
pub unsafe extern "C" fn SRP_Calc_A_param(ssl: *mut SSL) -> c_int {
    entry(|| {
        let mut p = params(try_ref!(ssl));
        let Some(a) = Bignum::random(sys::SSL_MAX_MASTER_KEY_LENGTH as usize) else {
            return Ok(0);
        };
        let big_a = match (&p.n, &p.g) {
            (Some(n), Some(g)) => bn::calc_a(&a, n, g),
            _ => None,
        };
        p.a = Some(a);
        let ok = big_a.is_some();
        p.big_a = big_a;
        Ok(c_int::from(ok))
    })
}

/// Kept per connection: see [`SrpParams`].
pub(crate) type SrpState = Mutex<SrpParams>;
