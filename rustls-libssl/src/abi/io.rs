//! Handshake and data transfer: `SSL_connect`, `SSL_accept`, `SSL_do_handshake`,
//! `SSL_read`, `SSL_write`, `SSL_shutdown`, and `SSL_get_error`, which reports what the last
//! of them stopped on.

use std::ffi::{c_int, c_void};
use std::sync::atomic::Ordering;

use super::{push_error, try_ref, SSL};
use crate::connection::{Connection, Role, Step, Stop, Transport};
use crate::crypto_sys as sys;
use crate::current::lock;
use crate::error::Error;

/// Runs one I/O operation: records what `SSL_get_error` will say and pushes the error of a
/// fatal stop. `None` when the operation stopped. The info and message callbacks get the
/// operation's events once the protocol engine's lock is released.
fn drive<T>(
    ssl: &SSL,
    mut op: impl FnMut(&mut Connection, &Transport<'_>) -> Step<T>,
) -> Option<T> {
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let rbio = lock(&ssl.rbio).clone();
        let wbio = lock(&ssl.wbio).clone();
        let io = Transport {
            rbio: rbio.as_ref(),
            wbio: wbio.as_ref(),
        };
        loop {
            let step = {
                let mut conn = ssl.conn()?;
                conn.listeners(ssl.info_callback().is_some(), ssl.msg_callback().is_some());
                let step = op(&mut conn, &io);
                if !matches!(step, Err(Stop::ClientHello)) {
                    end(&mut conn, &step);
                }
                let notes = conn.take_notes();
                drop(conn);
                // The connection lock is released: the callbacks may call any SSL_ function.
                super::statem::deliver(ssl, notes);
                step
            };
            let Err(Stop::ClientHello) = step else {
                return step;
            };
            if let Err(stop) = super::hello::run_callbacks(ssl, io.wbio) {
                let failed: Step<T> = Err(stop);
                let mut conn = ssl.conn()?;
                end(&mut conn, &failed);
                let notes = conn.take_notes();
                drop(conn);
                super::statem::deliver(ssl, notes);
                return failed;
            }
        }
    }))
    .unwrap_or(Err(Stop::Fatal(Error::Internal)));
    let code = match &result {
        Ok(_) => sys::SSL_ERROR_NONE,
        Err(Stop::WantRead) => sys::SSL_ERROR_WANT_READ,
        Err(Stop::WantWrite) => sys::SSL_ERROR_WANT_WRITE,
        Err(Stop::ZeroReturn) => sys::SSL_ERROR_ZERO_RETURN,
        Err(Stop::WantClientHello) => sys::SSL_ERROR_WANT_CLIENT_HELLO_CB,
        Err(Stop::Fatal(Error::Io(_))) => sys::SSL_ERROR_SYSCALL,
        Err(Stop::Fatal(_) | Stop::ClientHello) => sys::SSL_ERROR_SSL,
    };
    ssl.last_error.store(code, Ordering::Relaxed);
    if let Err(Stop::Fatal(e)) = &result {
        super::debug_log(&format!("handshake/IO failed: {e:?}"));
    }
    match result {
        Ok(v) => Some(v),
        Err(Stop::Fatal(e)) => {
            push_error(&e);
            None
        }
        Err(_) => None,
    }
}

/// The end of an operation for the state machine: its last events, and the error state
/// after a fatal stop.
fn end<T>(conn: &mut Connection, step: &Step<T>) {
    match step {
        Err(Stop::Fatal(e)) => {
            conn.failed(e);
            conn.end_operation(false);
        }
        Err(Stop::WantRead) => conn.end_operation(true),
        _ => conn.end_operation(false),
    }
}

/// Same as [`drive`] for a NULL-checked pointer.
fn with_ssl<T>(
    ssl: *const SSL,
    op: impl FnMut(&mut Connection, &Transport<'_>) -> Step<T>,
) -> Option<T> {
    let r: Result<&SSL, Error> = (|| Ok(try_ref!(ssl)))();
    match r {
        Ok(ssl) => drive(ssl, op),
        Err(e) => {
            push_error(&e);
            None
        }
    }
}

/// Runs a call that moves bytes: a NULL buffer with a length is a bad argument; on success
/// the count goes to `*count` (if given) and the result is 1, else 0.
///
/// # Safety
/// `count` is NULL or writable.
unsafe fn transfer(
    ssl: *const SSL,
    buf_missing: bool,
    count: *mut usize,
    op: impl FnMut(&mut Connection, &Transport<'_>) -> Step<usize>,
) -> c_int {
    if buf_missing {
        push_error(&Error::NullArgument);
        return 0;
    }
    match with_ssl(ssl, op) {
        Some(n) => {
            if !count.is_null() {
                // SAFETY: guaranteed by the caller.
                unsafe { *count = n };
            }
            1
        }
        None => 0,
    }
}

/// `SSL_do_handshake`: 1 when complete; -1 with `SSL_get_error` saying why not.
#[no_mangle]
pub unsafe extern "C" fn SSL_do_handshake(ssl: *mut SSL) -> c_int {
    with_ssl(ssl, |conn, io| conn.handshake(io)).map_or(-1, |()| 1)
}

/// `SSL_connect`: becomes a client and runs the handshake; 1 or -1.
#[no_mangle]
pub unsafe extern "C" fn SSL_connect(ssl: *mut SSL) -> c_int {
    with_ssl(ssl, |conn, io| {
        {
            let mut setup = conn.state.setup();
            if setup.role.is_none() {
                setup.role = Some(Role::Client);
            }
        }
        conn.handshake(io)
    })
    .map_or(-1, |()| 1)
}

/// `SSL_accept`: becomes a server and runs the handshake; 1 or -1.
#[no_mangle]
pub unsafe extern "C" fn SSL_accept(ssl: *mut SSL) -> c_int {
    with_ssl(ssl, |conn, io| {
        {
            let mut setup = conn.state.setup();
            if setup.role.is_none() {
                setup.role = Some(Role::Server);
            }
        }
        conn.handshake(io)
    })
    .map_or(-1, |()| 1)
}

/// `SSL_read`: bytes read (>0); 0 after close_notify; -1 otherwise (see `SSL_get_error`).
#[no_mangle]
pub unsafe extern "C" fn SSL_read(ssl: *mut SSL, buf: *mut c_void, num: c_int) -> c_int {
    // SAFETY: buf is writable for num bytes per the API.
    unsafe { int_read(SSL_read_ex, ssl, buf, num) }
}

/// `SSL_read`/`SSL_peek` on top of their `_ex` forms: bytes read, 0 after close_notify,
/// -1 otherwise.
///
/// # Safety
/// As `SSL_read`: `buf` writable for `num` bytes.
unsafe fn int_read(
    read_ex: unsafe extern "C" fn(*mut SSL, *mut c_void, usize, *mut usize) -> c_int,
    ssl: *mut SSL,
    buf: *mut c_void,
    num: c_int,
) -> c_int {
    let mut read = 0usize;
    // SAFETY: the caller's guarantee for buf; read is a valid out-pointer.
    let ok = unsafe { read_ex(ssl, buf, usize::try_from(num).unwrap_or(0), &mut read) };
    if ok == 1 {
        c_int::try_from(read).unwrap_or(c_int::MAX)
    } else if ssl_error(ssl) == sys::SSL_ERROR_ZERO_RETURN {
        0
    } else {
        -1
    }
}

/// `SSL_read_ex`: 1 with `*readbytes` set, or 0.
#[no_mangle]
pub unsafe extern "C" fn SSL_read_ex(
    ssl: *mut SSL,
    buf: *mut c_void,
    num: usize,
    readbytes: *mut usize,
) -> c_int {
    // SAFETY: `readbytes` is NULL or writable, and buf writable for num bytes (NULL only with
    // num 0), per the API.
    unsafe {
        transfer(ssl, buf.is_null() && num > 0, readbytes, |conn, io| {
            conn.read(io, super::out_slice(buf, num))
        })
    }
}

/// `SSL_peek`: as `SSL_read`, but the bytes stay to be read again.
#[no_mangle]
pub unsafe extern "C" fn SSL_peek(ssl: *mut SSL, buf: *mut c_void, num: c_int) -> c_int {
    // SAFETY: buf is writable for num bytes per the API.
    unsafe { int_read(SSL_peek_ex, ssl, buf, num) }
}

/// `SSL_peek_ex`: 1 with `*readbytes` set, or 0; the bytes stay to be read again.
#[no_mangle]
pub unsafe extern "C" fn SSL_peek_ex(
    ssl: *mut SSL,
    buf: *mut c_void,
    num: usize,
    readbytes: *mut usize,
) -> c_int {
    // SAFETY: as SSL_read_ex.
    unsafe {
        transfer(ssl, buf.is_null() && num > 0, readbytes, |conn, io| {
            conn.peek(io, super::out_slice(buf, num))
        })
    }
}

/// `SSL_write`: `num` on success (all of it unless partial writes are enabled); -1 otherwise.
#[no_mangle]
pub unsafe extern "C" fn SSL_write(ssl: *mut SSL, buf: *const c_void, num: c_int) -> c_int {
    let mut written = 0usize;
    if num <= 0 {
        return 0;
    }
    // SAFETY: buf is readable for num bytes per the API.
    let ok = unsafe { SSL_write_ex(ssl, buf, usize::try_from(num).unwrap_or(0), &mut written) };
    if ok == 1 {
        c_int::try_from(written).unwrap_or(c_int::MAX)
    } else {
        -1
    }
}

/// `SSL_write_ex`: 1 with `*written` set, or 0.
#[no_mangle]
pub unsafe extern "C" fn SSL_write_ex(
    ssl: *mut SSL,
    buf: *const c_void,
    num: usize,
    written: *mut usize,
) -> c_int {
    // SAFETY: `written` is NULL or writable, and buf readable for num bytes (NULL only with
    // num 0), per the API.
    unsafe {
        transfer(ssl, buf.is_null() && num > 0, written, |conn, io| {
            conn.write(io, super::in_slice(buf, num))
        })
    }
}

/// `SSL_shutdown`: 1 when both close_notifys are done, 0 when ours is sent, -1 on error or
/// WANT_*.
#[no_mangle]
pub unsafe extern "C" fn SSL_shutdown(ssl: *mut SSL) -> c_int {
    match with_ssl(ssl, |conn, io| conn.shutdown(io)) {
        Some(true) => 1,
        Some(false) => 0,
        None => -1,
    }
}

/// `SSL_get_error`: `SSL_ERROR_NONE` for `ret > 0`, otherwise why the last call stopped.
#[no_mangle]
pub unsafe extern "C" fn SSL_get_error(ssl: *const SSL, ret: c_int) -> c_int {
    if ret > 0 {
        return sys::SSL_ERROR_NONE;
    }
    ssl_error(ssl)
}

/// OpenSSL's order: a queued error says SSL (SYSCALL for a system error); then a pending
/// WANT_* or close_notify of the last call; otherwise SYSCALL.
fn ssl_error(ssl: *const SSL) -> c_int {
    // SAFETY: ERR_peek_error only reads this thread's error queue.
    let queued = unsafe { sys::ERR_peek_error() };
    if queued != 0 {
        return if crate::crypto_sys::err_lib(queued) == sys::ERR_LIB_SYS {
            sys::SSL_ERROR_SYSCALL
        } else {
            sys::SSL_ERROR_SSL
        };
    }
    // SAFETY: NULL or a live SSL per the API.
    let last = unsafe { ssl.as_ref() }.map_or(sys::SSL_ERROR_SYSCALL, |s| {
        s.last_error.load(Ordering::Relaxed)
    });
    match last {
        sys::SSL_ERROR_WANT_READ
        | sys::SSL_ERROR_WANT_WRITE
        | sys::SSL_ERROR_ZERO_RETURN
        | sys::SSL_ERROR_WANT_CLIENT_HELLO_CB => last,
        _ => sys::SSL_ERROR_SYSCALL,
    }
}

/// `SSL_read_early_data` (server): `SSL_READ_EARLY_DATA_SUCCESS` with 0-RTT bytes,
/// `SSL_READ_EARLY_DATA_FINISH` once no more can come (the application then goes on with
/// `SSL_do_handshake`/`SSL_read`), or `SSL_READ_EARLY_DATA_ERROR` (see `SSL_get_error`).
/// Differs from OpenSSL: 0-RTT is accepted only without session tickets (stateful
/// resumption), rustls's replay protection.
#[no_mangle]
pub unsafe extern "C" fn SSL_read_early_data(
    ssl: *mut SSL,
    buf: *mut c_void,
    num: usize,
    readbytes: *mut usize,
) -> c_int {
    if buf.is_null() && num > 0 {
        push_error(&Error::NullArgument);
        return sys::SSL_READ_EARLY_DATA_ERROR;
    }
    let r = with_ssl(ssl, |conn, io| {
        // SAFETY: buf is writable for num bytes per the API (checked above).
        let out = unsafe { super::out_slice(buf, num) };
        conn.read_early_data(io, out)
    });
    let (status, n) = match r {
        Some(Some(n)) => (sys::SSL_READ_EARLY_DATA_SUCCESS, n),
        Some(None) => (sys::SSL_READ_EARLY_DATA_FINISH, 0),
        // As in OpenSSL, `*readbytes` is left alone.
        None => return sys::SSL_READ_EARLY_DATA_ERROR,
    };
    if !readbytes.is_null() {
        // SAFETY: readbytes is writable per the API.
        unsafe { *readbytes = n };
    }
    status
}

/// `SSL_write_early_data` (server): queues data before the handshake completes; 1 with
/// `*written`, or 0. Clients cannot send 0-RTT data ("not supported").
#[no_mangle]
pub unsafe extern "C" fn SSL_write_early_data(
    ssl: *mut SSL,
    buf: *const c_void,
    num: usize,
    written: *mut usize,
) -> c_int {
    // SAFETY: `written` is NULL or writable, and buf readable for num bytes (NULL only with
    // num 0), per the API.
    unsafe {
        transfer(ssl, buf.is_null() && num > 0, written, |conn, io| {
            conn.write_early_data(io, super::in_slice(buf, num))
        })
    }
}
