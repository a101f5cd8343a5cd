//! Asynchronous jobs (`SSL_MODE_ASYNC`): OpenSSL runs a connection's operations as
//! `ASYNC_JOB`s so that an engine may pause them; without such an engine no job ever
//! pauses. rustls calls no engine: no operation pauses, no job is ever waited for, and the
//! wait context a connection in async mode gets holds no file descriptors.

use std::ffi::c_int;

use super::session::write_opt;
use super::{entry, try_ref, SSL};
use crate::crypto_sys as sys;

/// Whether OpenSSL would have made the connection's `ASYNC_WAIT_CTX` by now: it makes one
/// when a connection in `SSL_MODE_ASYNC` starts an operation (the handshake first).
fn has_wait_ctx(ssl: &SSL) -> bool {
    let async_mode = ssl.setup().mode & sys::SSL_MODE_ASYNC as u64 != 0;
    async_mode && ssl.status().started
}

/// `SSL_waiting_for_async`: 1 while a paused job waits; always 0.
#[no_mangle]
pub unsafe extern "C" fn SSL_waiting_for_async(ssl: *mut SSL) -> c_int {
    entry(|| {
        try_ref!(ssl);
        Ok(0)
    })
}

/// `SSL_get_all_async_fds`: the wait context's file descriptors: none. 0 (nothing
/// written) for a connection without a wait context, else 1 with `*numfds` 0.
#[no_mangle]
pub unsafe extern "C" fn SSL_get_all_async_fds(
    ssl: *mut SSL,
    _fds: *mut c_int,
    numfds: *mut usize,
) -> c_int {
    entry(|| {
        if !has_wait_ctx(try_ref!(ssl)) {
            return Ok(0);
        }
        // SAFETY: numfds is NULL or writable per the API.
        unsafe { write_opt(numfds, 0) };
        Ok(1)
    })
}

/// `SSL_get_changed_async_fds`: file descriptors added and removed since the last call:
/// none. 0 without a wait context, else 1 with both counts 0.
#[no_mangle]
pub unsafe extern "C" fn SSL_get_changed_async_fds(
    ssl: *mut SSL,
    _addfd: *mut c_int,
    numaddfds: *mut usize,
    _delfd: *mut c_int,
    numdelfds: *mut usize,
) -> c_int {
    entry(|| {
        if !has_wait_ctx(try_ref!(ssl)) {
            return Ok(0);
        }
        // SAFETY: the counts are NULL or writable per the API.
        unsafe {
            write_opt(numaddfds, 0);
            write_opt(numdelfds, 0);
        }
        Ok(1)
    })
}

/// `SSL_get_async_status`: the wait context's status: `ASYNC_STATUS_UNSUPPORTED` (0, no
/// engine reported anything). 0 (nothing written) without a wait context, else 1.
#[no_mangle]
pub unsafe extern "C" fn SSL_get_async_status(ssl: *mut SSL, status: *mut c_int) -> c_int {
    entry(|| {
        if !has_wait_ctx(try_ref!(ssl)) {
            return Ok(0);
        }
        // SAFETY: status is NULL or writable per the API.
        unsafe { write_opt(status, 0) };
        Ok(1)
    })
}
