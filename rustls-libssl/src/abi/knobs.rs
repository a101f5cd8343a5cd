//! Settings a context or connection stores and reports back: TLS 1.3 ticket count, record
//! padding, 0-RTT limits, buffer sizes, quiet shutdown, verification purpose and trust.
//! Those rustls acts on (ticket count, 0-RTT limit) reach its configuration; the others
//! change nothing the shim sends and are returned as set, as in OpenSSL when the feature
//! they tune is not in use.

use std::ffi::c_int;

use super::ctx::SSL_CTX;
use super::{c_bool, entry, try_ref, SSL};
use crate::context::Knobs;
use crate::crypto_sys as sys;
use crate::error::Error;

/// Changes a context's knobs (`config`: the rustls config depends on the change).
fn ctx_knobs<R>(
    ctx: *mut SSL_CTX,
    config: bool,
    f: impl FnOnce(&mut Knobs) -> R,
) -> Result<R, Error> {
    let ctx = try_ref!(ctx);
    Ok(if config {
        ctx.core.update(|s| f(&mut s.knobs))
    } else {
        ctx.core.update_settings(|s| f(&mut s.knobs))
    })
}

/// Changes a connection's knobs.
fn ssl_knobs<R>(ssl: *mut SSL, config: bool, f: impl FnOnce(&mut Knobs) -> R) -> Result<R, Error> {
    let ssl = try_ref!(ssl);
    let mut setup = ssl.setup();
    Ok(if config {
        setup.update(|s| f(&mut s.knobs))
    } else {
        f(&mut setup.settings_mut().knobs)
    })
}

/// Reads a context's knobs.
fn ctx_read<R>(ctx: *const SSL_CTX, f: impl FnOnce(&Knobs) -> R) -> Result<R, Error> {
    Ok(f(&try_ref!(ctx).core.settings().knobs))
}

/// Reads a connection's knobs.
fn ssl_read<R>(ssl: *const SSL, f: impl FnOnce(&Knobs) -> R) -> Result<R, Error> {
    Ok(f(&try_ref!(ssl).setup().settings.knobs))
}

/// `SSL_CTX_set_num_tickets`: TLS 1.3 tickets a server sends after a handshake; 1.
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_set_num_tickets(ctx: *mut SSL_CTX, n: usize) -> c_int {
    entry(|| ctx_knobs(ctx, true, |k| k.num_tickets = n).map(|()| 1))
}

/// `SSL_CTX_get_num_tickets`.
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_get_num_tickets(ctx: *const SSL_CTX) -> usize {
    entry(|| ctx_read(ctx, |k| k.num_tickets))
}

/// `SSL_set_num_tickets`: 1.
#[no_mangle]
pub unsafe extern "C" fn SSL_set_num_tickets(ssl: *mut SSL, n: usize) -> c_int {
    entry(|| ssl_knobs(ssl, true, |k| k.num_tickets = n).map(|()| 1))
}

/// `SSL_get_num_tickets`.
#[no_mangle]
pub unsafe extern "C" fn SSL_get_num_tickets(ssl: *const SSL) -> usize {
    entry(|| ssl_read(ssl, |k| k.num_tickets))
}

/// OpenSSL's rule for a padding block size: 1 means none; at most one record's plaintext.
fn block_padding(k: &mut Knobs, size: usize) -> c_int {
    if size == 1 {
        k.block_padding = 0;
    } else if size <= 16384 {
        k.block_padding = size;
    } else {
        return 0;
    }
    1
}

/// `SSL_CTX_set_block_padding`: stored; TLS 1.3 records are not padded (see the README);
/// 0 for a block larger than a record.
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_set_block_padding(ctx: *mut SSL_CTX, size: usize) -> c_int {
    entry(|| ctx_knobs(ctx, false, |k| block_padding(k, size)))
}

/// `SSL_set_block_padding`.
#[no_mangle]
pub unsafe extern "C" fn SSL_set_block_padding(ssl: *mut SSL, size: usize) -> c_int {
    entry(|| ssl_knobs(ssl, false, |k| block_padding(k, size)))
}

/// `SSL_CTX_set_recv_max_early_data`: stored (rustls bounds 0-RTT data by the
/// announced limit); 1.
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_set_recv_max_early_data(ctx: *mut SSL_CTX, n: u32) -> c_int {
    entry(|| ctx_knobs(ctx, false, |k| k.recv_max_early_data = n).map(|()| 1))
}

/// `SSL_CTX_get_recv_max_early_data`.
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_get_recv_max_early_data(ctx: *const SSL_CTX) -> u32 {
    entry(|| ctx_read(ctx, |k| k.recv_max_early_data))
}

/// `SSL_set_recv_max_early_data`: 1.
#[no_mangle]
pub unsafe extern "C" fn SSL_set_recv_max_early_data(ssl: *mut SSL, n: u32) -> c_int {
    entry(|| ssl_knobs(ssl, false, |k| k.recv_max_early_data = n).map(|()| 1))
}

/// `SSL_get_recv_max_early_data`.
#[no_mangle]
pub unsafe extern "C" fn SSL_get_recv_max_early_data(ssl: *const SSL) -> u32 {
    entry(|| ssl_read(ssl, |k| k.recv_max_early_data))
}

/// `SSL_set_max_early_data`: this connection's 0-RTT limit; 1.
#[no_mangle]
pub unsafe extern "C" fn SSL_set_max_early_data(ssl: *mut SSL, n: u32) -> c_int {
    entry(|| {
        try_ref!(ssl).setup().update(|s| s.max_early_data = n);
        Ok(1)
    })
}

/// `SSL_get_max_early_data`.
#[no_mangle]
pub unsafe extern "C" fn SSL_get_max_early_data(ssl: *const SSL) -> u32 {
    entry(|| Ok(try_ref!(ssl).setup().settings.max_early_data))
}

/// `SSL_CTX_set_default_read_buffer_len`: stored (record buffers are sized per record).
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_set_default_read_buffer_len(ctx: *mut SSL_CTX, len: usize) {
    entry(|| ctx_knobs(ctx, false, |k| k.read_buffer_len = len))
}

/// `SSL_set_default_read_buffer_len`.
#[no_mangle]
pub unsafe extern "C" fn SSL_set_default_read_buffer_len(ssl: *mut SSL, len: usize) {
    entry(|| ssl_knobs(ssl, false, |k| k.read_buffer_len = len))
}

/// OpenSSL's check of a max_fragment_length mode: disabled (0) or 512..4096 (1..=4).
fn max_fragment_length(k: &mut Knobs, mode: u8) -> Result<c_int, Error> {
    if mode > sys::TLSEXT_max_fragment_length_4096 as u8 {
        return Err(Error::Reason(
            sys::SSL_R_SSL3_EXT_INVALID_MAX_FRAGMENT_LENGTH,
        ));
    }
    k.max_fragment_length = mode;
    Ok(1)
}

/// `SSL_CTX_set_tlsext_max_fragment_length`: stored; rustls does not send the extension
/// (the peer's usual record size applies, as with a server that ignores it); 1, or 0 for an
/// invalid mode.
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_set_tlsext_max_fragment_length(
    ctx: *mut SSL_CTX,
    mode: u8,
) -> c_int {
    entry(|| ctx_knobs(ctx, false, |k| max_fragment_length(k, mode))?)
}

/// `SSL_set_tlsext_max_fragment_length`.
#[no_mangle]
pub unsafe extern "C" fn SSL_set_tlsext_max_fragment_length(ssl: *mut SSL, mode: u8) -> c_int {
    entry(|| ssl_knobs(ssl, false, |k| max_fragment_length(k, mode))?)
}

/// `SSL_CTX_set_quiet_shutdown`: connections made afterwards shut down quietly.
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_set_quiet_shutdown(ctx: *mut SSL_CTX, mode: c_int) {
    entry(|| {
        try_ref!(ctx)
            .core
            .update_settings(|s| s.quiet_shutdown = mode != 0);
        Ok(())
    })
}

/// `SSL_CTX_get_quiet_shutdown`.
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_get_quiet_shutdown(ctx: *const SSL_CTX) -> c_int {
    entry(|| Ok(c_bool(try_ref!(ctx).core.settings().quiet_shutdown)))
}

/// `SSL_CTX_set_purpose`: the verification purpose (`X509_PURPOSE_*`); 1 or 0.
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_set_purpose(ctx: *mut SSL_CTX, purpose: c_int) -> c_int {
    entry(|| {
        let param = try_ref!(ctx).core.param().as_ptr();
        // SAFETY: the context's parameter set is alive.
        Ok(unsafe { sys::X509_VERIFY_PARAM_set_purpose(param, purpose) })
    })
}

/// `SSL_set_purpose`: as [`SSL_CTX_set_purpose`] for one connection.
#[no_mangle]
pub unsafe extern "C" fn SSL_set_purpose(ssl: *mut SSL, purpose: c_int) -> c_int {
    entry(|| {
        let param = try_ref!(ssl).setup().param.as_ptr();
        // SAFETY: the connection's parameter set is alive.
        Ok(unsafe { sys::X509_VERIFY_PARAM_set_purpose(param, purpose) })
    })
}

/// `SSL_CTX_set_trust`: the trust setting (`X509_TRUST_*`); 1 or 0.
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_set_trust(ctx: *mut SSL_CTX, trust: c_int) -> c_int {
    entry(|| {
        let param = try_ref!(ctx).core.param().as_ptr();
        // SAFETY: the context's parameter set is alive.
        Ok(unsafe { sys::X509_VERIFY_PARAM_set_trust(param, trust) })
    })
}

/// `SSL_set_trust`.
#[no_mangle]
pub unsafe extern "C" fn SSL_set_trust(ssl: *mut SSL, trust: c_int) -> c_int {
    entry(|| {
        let param = try_ref!(ssl).setup().param.as_ptr();
        // SAFETY: the connection's parameter set is alive.
        Ok(unsafe { sys::X509_VERIFY_PARAM_set_trust(param, trust) })
    })
}

/// `SSL_CTX_set1_param`: copies `vpm` into the context's verification parameters; 1 or 0.
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_set1_param(
    ctx: *mut SSL_CTX,
    vpm: *mut sys::X509_VERIFY_PARAM,
) -> c_int {
    entry(|| {
        let ctx = try_ref!(ctx);
        // SAFETY: both parameter sets are alive (vpm per the API).
        Ok(unsafe { sys::X509_VERIFY_PARAM_set1(ctx.core.param().as_ptr(), vpm) })
    })
}

/// `SSL_set1_param`.
#[no_mangle]
pub unsafe extern "C" fn SSL_set1_param(ssl: *mut SSL, vpm: *mut sys::X509_VERIFY_PARAM) -> c_int {
    entry(|| {
        let param = try_ref!(ssl).setup().param.as_ptr();
        // SAFETY: both parameter sets are alive.
        Ok(unsafe { sys::X509_VERIFY_PARAM_set1(param, vpm) })
    })
}

/// `SSL_set_debug`: does nothing (deprecated in OpenSSL, where it does nothing either).
#[no_mangle]
pub unsafe extern "C" fn SSL_set_debug(ssl: *mut SSL, _debug: c_int) {
    entry(|| {
        try_ref!(ssl);
        Ok(())
    })
}

/// `SSL_free_buffers`: 1 when no record is half read or written (buffers are released
/// whenever they are empty anyway), else 0.
#[no_mangle]
pub unsafe extern "C" fn SSL_free_buffers(ssl: *mut SSL) -> c_int {
    entry(|| {
        let ssl = try_ref!(ssl);
        Ok(match ssl.conn() {
            Ok(conn) => c_bool(!conn.has_pending()),
            Err(_) => 0,
        })
    })
}

/// `SSL_alloc_buffers`: 1 (buffers come from a pool when records flow).
#[no_mangle]
pub unsafe extern "C" fn SSL_alloc_buffers(ssl: *mut SSL) -> c_int {
    entry(|| {
        try_ref!(ssl);
        Ok(1)
    })
}
