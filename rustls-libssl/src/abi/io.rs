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

/// Why an I/O call failed, for its return value (`SSL_get_error` reads the stored code).
#[derive(Clone, Copy, Debug)]
pub(super) struct Halt {
    /// `SSL_read` and `SSL_peek` return 0, not -1: close_notify, the peer's fatal alert,
    /// or the transport's end.
    pub zero: bool,
}

/// Runs one I/O operation: clears the thread's error queue when the operation runs a
/// handshake step or takes a TLS 1.3 post-handshake message (as OpenSSL's state machine
/// does on entry), records what `SSL_get_error` will say, and pushes the error of a fatal
/// stop. The info and message callbacks get the operation's events once the protocol
/// engine's lock is released.
fn drive<T>(
    ssl: &SSL,
    mut op: impl FnMut(&mut Connection, &Transport<'_>) -> Step<T>,
) -> Result<T, Halt> {
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let rbio = lock(&ssl.rbio).clone();
        let wbio = lock(&ssl.wbio).clone();
        let io = Transport {
            rbio: rbio.as_ref(),
            wbio: wbio.as_ref(),
        };
        if ssl.conn()?.enters_handshake() {
            crate::crypto_sys::clear_errors();
        }
        loop {
            let step = {
                let mut conn = ssl.conn()?;
                conn.listeners(ssl.info_callback().is_some(), ssl.msg_callback().is_some());
                let step = op(&mut conn, &io);
                if conn.took_post_handshake_message() {
                    crate::crypto_sys::clear_errors();
                }
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
                let mut conn = ssl.conn()?;
                let failed: Step<T> = conn.stopped(stop);
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
        Err(Stop::ZeroReturn | Stop::ZeroReturnFailedRead) => sys::SSL_ERROR_ZERO_RETURN,
        Err(Stop::WantClientHello) => sys::SSL_ERROR_WANT_CLIENT_HELLO_CB,
        Err(Stop::Fatal(Error::Io(_)) | Stop::Ended(Error::Io(_))) => sys::SSL_ERROR_SYSCALL,
        Err(Stop::Fatal(_) | Stop::Ended(_) | Stop::ClientHello) => sys::SSL_ERROR_SSL,
    };
    ssl.last_error.store(code, Ordering::Relaxed);
    match result {
        Ok(v) => Ok(v),
        Err(Stop::Fatal(e)) => {
            crate::debug::log!(
                crate::debug::Level::Warn,
                "handshake or I/O call failed: {}",
                super::err::describe(&e)
            );
            push_error(&e);
            Err(Halt { zero: false })
        }
        Err(Stop::Ended(e)) => {
            crate::debug::log!(
                crate::debug::Level::Info,
                "read ended: {}",
                super::err::describe(&e)
            );
            push_error(&e);
            Err(Halt { zero: true })
        }
        Err(Stop::ZeroReturn) => Err(Halt { zero: true }),
        Err(_) => Err(Halt { zero: false }),
    }
}

/// The end of an operation for the state machine: its last events, and the error state
/// after a fatal stop.
fn end<T>(conn: &mut Connection, step: &Step<T>) {
    match step {
        Err(Stop::WantRead) => conn.end_operation(true),
        _ => conn.end_operation(false),
    }
}

/// Same as [`drive`] for a NULL-checked pointer.
fn with_ssl<T>(
    ssl: *const SSL,
    op: impl FnMut(&mut Connection, &Transport<'_>) -> Step<T>,
) -> Result<T, Halt> {
    let r: Result<&SSL, Error> = (|| Ok(try_ref!(ssl)))();
    match r {
        Ok(ssl) => drive(ssl, op),
        Err(e) => {
            push_error(&e);
            Err(Halt { zero: false })
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
        Ok(n) => {
            if !count.is_null() {
                // SAFETY: guaranteed by the caller.
                unsafe { *count = n };
            }
            1
        }
        Err(_) => 0,
    }
}

/// `SSL_do_handshake`: 1 when complete; -1 with `SSL_get_error` saying why not.
#[no_mangle]
pub unsafe extern "C" fn SSL_do_handshake(ssl: *mut SSL) -> c_int {
    with_ssl(ssl, |conn, io| conn.handshake(io)).map_or(-1, |()| 1)
}

/// Gives a connection without a role this one (`SSL_connect`/`SSL_accept` do so first).
fn default_role(ssl: *const SSL, role: Role) {
    // SAFETY: NULL or a live SSL per the API.
    if let Some(ssl) = unsafe { ssl.as_ref() } {
        let mut setup = ssl.setup();
        if setup.role.is_none() {
            setup.role = Some(role);
        }
    }
}

/// `SSL_connect`: becomes a client (unless a role is set) and runs the handshake; 1 or -1.
#[no_mangle]
pub unsafe extern "C" fn SSL_connect(ssl: *mut SSL) -> c_int {
    default_role(ssl, Role::Client);
    with_ssl(ssl, |conn, io| conn.handshake(io)).map_or(-1, |()| 1)
}

/// `SSL_accept`: becomes a server (unless a role is set) and runs the handshake; 1 or -1.
#[no_mangle]
pub unsafe extern "C" fn SSL_accept(ssl: *mut SSL) -> c_int {
    default_role(ssl, Role::Server);
    with_ssl(ssl, |conn, io| conn.handshake(io)).map_or(-1, |()| 1)
}

/// Reads (or, with `keep`, peeks) up to `buf.len()` decrypted bytes.
pub(super) fn read_bytes(ssl: *const SSL, buf: &mut [u8], keep: bool) -> Result<usize, Halt> {
    with_ssl(ssl, |conn, io| {
        if keep {
            conn.peek(io, buf)
        } else {
            conn.read(io, buf)
        }
    })
}

/// `SSL_read`/`SSL_peek`: bytes read; 0 after close_notify, the peer's fatal alert or the
/// transport's end; -1 otherwise (a negative `num` is "bad length").
///
/// # Safety
/// As `SSL_read`: `buf` writable for `num` bytes.
unsafe fn int_read(ssl: *mut SSL, buf: *mut c_void, num: c_int, keep: bool) -> c_int {
    let Ok(num) = usize::try_from(num) else {
        push_error(&Error::Reason(sys::SSL_R_BAD_LENGTH));
        return -1;
    };
    if buf.is_null() && num > 0 {
        push_error(&Error::NullArgument);
        return -1;
    }
    // SAFETY: the caller's guarantee for buf.
    let out = unsafe { super::out_slice(buf, num) };
    match read_bytes(ssl, out, keep) {
        Ok(n) => c_int::try_from(n).unwrap_or(c_int::MAX),
        Err(Halt { zero: true }) => 0,
        Err(Halt { zero: false }) => -1,
    }
}

/// `SSL_read`: bytes read (>0); 0 after close_notify, a fatal alert or EOF; -1 otherwise
/// (see `SSL_get_error`).
#[no_mangle]
pub unsafe extern "C" fn SSL_read(ssl: *mut SSL, buf: *mut c_void, num: c_int) -> c_int {
    // SAFETY: buf is writable for num bytes per the API.
    unsafe { int_read(ssl, buf, num, false) }
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
    unsafe { int_read(ssl, buf, num, true) }
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

/// Writes `buf` (all of it unless partial writes are enabled): the count, or why not.
pub(super) fn write_bytes(ssl: *const SSL, buf: &[u8]) -> Result<usize, Halt> {
    with_ssl(ssl, |conn, io| conn.write(io, buf))
}

/// `SSL_write`: `num` on success (all of it unless partial writes are enabled); -1 otherwise
/// (a negative `num` is "bad length").
#[no_mangle]
pub unsafe extern "C" fn SSL_write(ssl: *mut SSL, buf: *const c_void, num: c_int) -> c_int {
    let Ok(num) = usize::try_from(num) else {
        push_error(&Error::Reason(sys::SSL_R_BAD_LENGTH));
        return -1;
    };
    if num == 0 {
        return 0;
    }
    if buf.is_null() {
        push_error(&Error::NullArgument);
        return -1;
    }
    // SAFETY: buf is readable for num bytes per the API.
    let data = unsafe { super::in_slice(buf, num) };
    match write_bytes(ssl, data) {
        Ok(n) => c_int::try_from(n).unwrap_or(c_int::MAX),
        Err(_) => -1,
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
        Ok(true) => 1,
        Ok(false) => 0,
        Err(_) => -1,
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
        Ok(Some(n)) => (sys::SSL_READ_EARLY_DATA_SUCCESS, n),
        Ok(None) => (sys::SSL_READ_EARLY_DATA_FINISH, 0),
        // As in OpenSSL, `*readbytes` is left alone.
        Err(_) => return sys::SSL_READ_EARLY_DATA_ERROR,
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

/// `SSL_sendfile`: -1. OpenSSL 3.0 sends a file only over kernel TLS, which this library
/// never enables (`BIO_get_ktls_send` is 0, so nginx does not call it); the errors are
/// OpenSSL's: "uninitialized" without a role or kernel TLS, "protocol is shutdown" after
/// `SSL_shutdown`.
#[no_mangle]
pub unsafe extern "C" fn SSL_sendfile(
    ssl: *mut SSL,
    _fd: c_int,
    _offset: libc::off_t,
    _size: usize,
    _flags: c_int,
) -> isize {
    // SAFETY: NULL or a live SSL per the API.
    let reason = match unsafe { ssl.as_ref() } {
        None => Error::NullArgument,
        Some(s) if s.setup().role.is_some() && s.status().sent_close => {
            Error::Reason(sys::SSL_R_PROTOCOL_IS_SHUTDOWN)
        }
        Some(_) => Error::Reason(sys::SSL_R_UNINITIALIZED),
    };
    push_error(&reason);
    -1
}
