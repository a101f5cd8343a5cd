//! The SSL BIO (`BIO_f_ssl`): a filter BIO whose reads and writes go through an `SSL`,
//! and its constructors (`BIO_new_ssl`, `BIO_new_ssl_connect`,
//! `BIO_new_buffer_ssl_connect`). The method is built once with libcrypto's `BIO_meth_*`
//! and behaves as OpenSSL's: the same type (`BIO_TYPE_SSL`) and name, the retry flags set
//! from `SSL_get_error`, the SSL's read BIO becoming the next BIO of the chain, `BIO_push`
//! and `BIO_pop` attaching and detaching the transport, and the renegotiation counters
//! (rustls does not renegotiate: a renegotiation they trigger fails as `SSL_renegotiate`
//! does).

use std::ffi::{c_char, c_int, c_long, c_void, CStr};
use std::sync::OnceLock;

use super::ctx::SSL_CTX;
use super::io::{read_bytes, write_bytes, Halt, SSL_do_handshake, SSL_get_error, SSL_shutdown};
use super::protocol::SSL_renegotiate;
use super::ssl::{
    SSL_clear, SSL_dup, SSL_free, SSL_get_rbio, SSL_get_wbio, SSL_in_init, SSL_new, SSL_pending,
    SSL_set_accept_state, SSL_set_bio, SSL_set_connect_state,
};
use super::SSL;
use crate::crypto_sys as sys;
use crate::crypto_sys::{BIO, BIO_METHOD};

/// The state behind one SSL BIO (its `BIO_get_data`).
#[derive(Default)]
struct BioSsl {
    ssl: usize,
    /// Renegotiations the counters below triggered (`BIO_get_num_renegotiates`).
    num_renegotiates: c_long,
    /// Renegotiate after this many bytes (`BIO_set_ssl_renegotiate_bytes`, 0: never).
    renegotiate_count: u64,
    byte_count: u64,
    /// Renegotiate after this many seconds (`BIO_set_ssl_renegotiate_timeout`, 0: never).
    renegotiate_timeout: u64,
    last_time: u64,
}

impl BioSsl {
    fn ssl(&self) -> *mut SSL {
        self.ssl as *mut SSL
    }

    /// After `n` bytes moved: a renegotiation when a counter says so, as OpenSSL's SSL
    /// BIO requests one.
    fn count(&mut self, n: usize) {
        let mut renegotiated = false;
        if self.renegotiate_count > 0 {
            self.byte_count += n as u64;
            if self.byte_count > self.renegotiate_count {
                self.byte_count = 0;
                self.num_renegotiates += 1;
                // SAFETY: the BIO's live SSL.
                unsafe { SSL_renegotiate(self.ssl()) };
                renegotiated = true;
            }
        }
        if self.renegotiate_timeout > 0 && !renegotiated {
            let now = now();
            if now > self.last_time.saturating_add(self.renegotiate_timeout) {
                self.last_time = now;
                self.num_renegotiates += 1;
                // SAFETY: the BIO's live SSL.
                unsafe { SSL_renegotiate(self.ssl()) };
            }
        }
    }
}

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// The BIO's state.
///
/// # Safety
/// `b` is a live BIO of [`BIO_f_ssl`]'s method whose data is set (between create and
/// destroy), not accessed elsewhere for the returned lifetime.
unsafe fn data<'a>(b: *mut BIO) -> Option<&'a mut BioSsl> {
    // SAFETY: guaranteed by the caller: the data is the BioSsl `create` allocated.
    unsafe { sys::BIO_get_data(b).cast::<BioSsl>().as_mut() }
}

/// `BIO_f_ssl`: the SSL BIO method (static, the same pointer on every call); NULL only if
/// libcrypto cannot allocate it.
#[no_mangle]
pub extern "C" fn BIO_f_ssl() -> *const BIO_METHOD {
    static METHOD: OnceLock<usize> = OnceLock::new();
    *METHOD.get_or_init(|| {
        // SAFETY: BIO_meth_new returns an owned method (kept for the life of the process);
        // the functions set are this module's, with the signatures libcrypto expects.
        unsafe {
            let m = sys::BIO_meth_new(sys::BIO_TYPE_SSL, c"ssl".as_ptr());
            if !m.is_null() {
                sys::BIO_meth_set_write_ex(m, Some(ssl_write));
                sys::BIO_meth_set_read_ex(m, Some(ssl_read));
                sys::BIO_meth_set_puts(m, Some(ssl_puts));
                sys::BIO_meth_set_ctrl(m, Some(ssl_ctrl));
                sys::BIO_meth_set_create(m, Some(ssl_new));
                sys::BIO_meth_set_destroy(m, Some(ssl_free));
                sys::BIO_meth_set_callback_ctrl(m, Some(ssl_callback_ctrl));
            }
            m as usize
        }
    }) as *const BIO_METHOD
}

/// The SSL BIO method's create.
///
/// # Safety
/// Called by libcrypto with the BIO it is creating.
unsafe extern "C" fn ssl_new(b: *mut BIO) -> c_int {
    let state = Box::into_raw(Box::<BioSsl>::default());
    // SAFETY: b is the BIO libcrypto is creating; the data pointer is ours until destroy.
    unsafe {
        sys::BIO_set_init(b, 0);
        sys::BIO_set_data(b, state.cast());
        sys::BIO_clear_flags(b, !0);
    }
    1
}

/// The SSL BIO method's destroy.
///
/// # Safety
/// Called by libcrypto, once, with NULL or an SSL BIO made by `ssl_new`.
unsafe extern "C" fn ssl_free(b: *mut BIO) -> c_int {
    if b.is_null() {
        return 0;
    }
    // SAFETY: b is a live SSL BIO being freed; its data came from ssl_new.
    unsafe {
        release_ssl(b);
        let state = sys::BIO_get_data(b).cast::<BioSsl>();
        if !state.is_null() {
            drop(Box::from_raw(state));
        }
        sys::BIO_set_data(b, std::ptr::null_mut());
    }
    1
}

/// Lets go of the BIO's SSL: with `BIO_CLOSE` it is shut down (if its handshake is
/// complete) and freed.
///
/// # Safety
/// `b` is a live SSL BIO.
unsafe fn release_ssl(b: *mut BIO) {
    // SAFETY: guaranteed by the caller.
    unsafe {
        let Some(bs) = data(b) else { return };
        if sys::BIO_get_shutdown(b) != 0 {
            let ssl = bs.ssl();
            if !ssl.is_null() && SSL_in_init(ssl) == 0 {
                SSL_shutdown(ssl);
            }
            if sys::BIO_get_init(b) != 0 {
                SSL_free(ssl);
            }
            sys::BIO_clear_flags(b, !0);
            sys::BIO_set_init(b, 0);
        }
    }
}

/// Sets the BIO's retry flags from why the SSL call stopped (`ret` its result).
///
/// # Safety
/// `b` is a live SSL BIO and `ssl` its SSL.
unsafe fn set_retry(b: *mut BIO, ssl: *mut SSL, ret: c_int) -> c_int {
    // SAFETY: guaranteed by the caller.
    let code = unsafe { SSL_get_error(ssl, ret) };
    let mut reason = 0;
    let flags = match code {
        sys::SSL_ERROR_WANT_READ => sys::BIO_FLAGS_READ,
        sys::SSL_ERROR_WANT_WRITE => sys::BIO_FLAGS_WRITE,
        sys::SSL_ERROR_WANT_X509_LOOKUP => {
            reason = sys::BIO_RR_SSL_X509_LOOKUP;
            sys::BIO_FLAGS_IO_SPECIAL
        }
        sys::SSL_ERROR_WANT_CONNECT => {
            reason = sys::BIO_RR_CONNECT;
            sys::BIO_FLAGS_IO_SPECIAL
        }
        sys::SSL_ERROR_WANT_ACCEPT => {
            reason = sys::BIO_RR_ACCEPT;
            sys::BIO_FLAGS_IO_SPECIAL
        }
        _ => 0,
    };
    // SAFETY: b is live.
    unsafe {
        if flags != 0 {
            sys::BIO_set_flags(b, flags | sys::BIO_FLAGS_SHOULD_RETRY);
        }
        sys::BIO_set_retry_reason(b, reason);
    }
    code
}

/// # Safety
/// `b` is a live SSL BIO with an SSL (libcrypto calls read only on an initialised BIO);
/// `buf` is writable for `size` bytes and `readbytes` writable.
unsafe extern "C" fn ssl_read(
    b: *mut BIO,
    buf: *mut c_char,
    size: usize,
    readbytes: *mut usize,
) -> c_int {
    if buf.is_null() {
        return 0;
    }
    // SAFETY: guaranteed by libcrypto's contract with the method.
    unsafe {
        // The state is not held across the SSL call (callbacks it runs may use the BIO).
        let Some(ssl) = data(b).map(|bs| bs.ssl()) else {
            return 0;
        };
        clear_retry(b);
        let out = super::out_slice(buf.cast(), size);
        let ret = match read_bytes(ssl, out, false) {
            Ok(n) => {
                *readbytes = n;
                1
            }
            Err(Halt { zero: true }) => 0,
            Err(Halt { zero: false }) => -1,
        };
        if set_retry(b, ssl, ret) == sys::SSL_ERROR_NONE {
            if let Some(bs) = data(b) {
                bs.count(*readbytes);
            }
        }
        ret
    }
}

/// # Safety
/// `b` is a live SSL BIO with an SSL; `buf` is readable for `size` bytes and `written`
/// writable.
unsafe extern "C" fn ssl_write(
    b: *mut BIO,
    buf: *const c_char,
    size: usize,
    written: *mut usize,
) -> c_int {
    if buf.is_null() {
        return 0;
    }
    // SAFETY: guaranteed by libcrypto's contract with the method.
    unsafe {
        // As in ssl_read, the state is not held across the SSL call.
        let Some(ssl) = data(b).map(|bs| bs.ssl()) else {
            return 0;
        };
        clear_retry(b);
        let ret = match write_bytes(ssl, super::in_slice(buf.cast(), size)) {
            Ok(n) => {
                *written = n;
                1
            }
            Err(_) => -1,
        };
        if set_retry(b, ssl, ret) == sys::SSL_ERROR_NONE {
            if let Some(bs) = data(b) {
                bs.count(*written);
            }
        }
        ret
    }
}

/// The SSL BIO method's puts.
///
/// # Safety
/// Called by libcrypto with a live SSL BIO and what `BIO_puts` was given (a C string or NULL).
unsafe extern "C" fn ssl_puts(b: *mut BIO, s: *const c_char) -> c_int {
    if s.is_null() {
        return 0;
    }
    // SAFETY: s is a C string per BIO_puts; b is the live BIO it was called on.
    unsafe {
        let len = c_int::try_from(CStr::from_ptr(s).to_bytes().len()).unwrap_or(c_int::MAX);
        sys::BIO_write(b, s.cast(), len)
    }
}

/// `BIO_clear_retry_flags`.
///
/// # Safety
/// `b` is a live BIO.
unsafe fn clear_retry(b: *mut BIO) {
    // SAFETY: guaranteed by the caller.
    unsafe {
        sys::BIO_clear_flags(b, sys::BIO_FLAGS_RWS | sys::BIO_FLAGS_SHOULD_RETRY);
    }
}

/// The SSL BIO method's ctrl.
///
/// # Safety
/// Called by libcrypto with a live SSL BIO and the `ptr` that `BIO_ctrl` documents for `cmd`.
unsafe extern "C" fn ssl_ctrl(b: *mut BIO, cmd: c_int, num: c_long, ptr: *mut c_void) -> c_long {
    // SAFETY: b is a live SSL BIO (libcrypto calls ctrl only on its own BIOs); the SSL it
    // holds is live while set; each command's ptr is what BIO_ctrl documents for it.
    unsafe {
        let Some(bs) = data(b) else { return 0 };
        let next = sys::BIO_next(b);
        let ssl = bs.ssl();
        if ssl.is_null() && cmd != sys::BIO_C_SET_SSL {
            return 0;
        }
        match cmd {
            sys::BIO_CTRL_RESET => {
                SSL_shutdown(ssl);
                // The role stays (SSL_clear keeps it).
                if SSL_clear(ssl) == 0 {
                    return 0;
                }
                if !next.is_null() {
                    sys::BIO_ctrl(next, cmd, num, ptr)
                } else {
                    let rbio = SSL_get_rbio(ssl);
                    if rbio.is_null() {
                        1
                    } else {
                        sys::BIO_ctrl(rbio, cmd, num, ptr)
                    }
                }
            }
            sys::BIO_CTRL_INFO => 0,
            sys::BIO_C_SSL_MODE => {
                if num != 0 {
                    SSL_set_connect_state(ssl);
                } else {
                    SSL_set_accept_state(ssl);
                }
                1
            }
            sys::BIO_C_SET_SSL_RENEGOTIATE_TIMEOUT => {
                let old = c_long::try_from(bs.renegotiate_timeout).unwrap_or(c_long::MAX);
                let num = if num < 60 { 5 } else { num };
                bs.renegotiate_timeout = u64::try_from(num).unwrap_or(5);
                bs.last_time = now();
                old
            }
            sys::BIO_C_SET_SSL_RENEGOTIATE_BYTES => {
                let old = c_long::try_from(bs.renegotiate_count).unwrap_or(c_long::MAX);
                if num >= 512 {
                    bs.renegotiate_count = u64::try_from(num).unwrap_or(0);
                }
                old
            }
            sys::BIO_C_GET_SSL_NUM_RENEGOTIATES => bs.num_renegotiates,
            sys::BIO_C_SET_SSL => {
                if !ssl.is_null() {
                    // A second SSL replaces the first, which goes as at BIO_free.
                    release_ssl(b);
                }
                let Some(bs) = data(b) else { return 0 };
                *bs = BioSsl::default();
                sys::BIO_set_shutdown(b, num as c_int);
                let ssl = ptr.cast::<SSL>();
                bs.ssl = ssl as usize;
                let rbio = SSL_get_rbio(ssl);
                if !rbio.is_null() {
                    if !next.is_null() {
                        sys::BIO_push(rbio, next);
                    }
                    sys::BIO_set_next(b, rbio);
                    sys::BIO_up_ref(rbio);
                }
                sys::BIO_set_init(b, 1);
                1
            }
            sys::BIO_C_GET_SSL => {
                if ptr.is_null() {
                    0
                } else {
                    *ptr.cast::<*mut SSL>() = ssl;
                    1
                }
            }
            sys::BIO_CTRL_GET_CLOSE => c_long::from(sys::BIO_get_shutdown(b)),
            sys::BIO_CTRL_SET_CLOSE => {
                sys::BIO_set_shutdown(b, num as c_int);
                1
            }
            sys::BIO_CTRL_WPENDING => sys::BIO_ctrl(SSL_get_wbio(ssl), cmd, num, ptr),
            sys::BIO_CTRL_PENDING => match SSL_pending(ssl) {
                0 => sys::BIO_ctrl(
                    SSL_get_rbio(ssl),
                    sys::BIO_CTRL_PENDING,
                    0,
                    std::ptr::null_mut(),
                ),
                n => c_long::from(n),
            },
            sys::BIO_CTRL_FLUSH => {
                clear_retry(b);
                let ret = sys::BIO_ctrl(SSL_get_wbio(ssl), cmd, num, ptr);
                sys::BIO_copy_next_retry(b);
                ret
            }
            sys::BIO_CTRL_PUSH => {
                if !next.is_null() && next != SSL_get_rbio(ssl) {
                    // The SSL takes over a reference of its own to the transport.
                    sys::BIO_up_ref(next);
                    SSL_set_bio(ssl, next, next);
                }
                1
            }
            sys::BIO_CTRL_POP => {
                // Only when this BIO itself is popped off the chain.
                if b == ptr.cast::<BIO>() {
                    SSL_set_bio(ssl, std::ptr::null_mut(), std::ptr::null_mut());
                }
                1
            }
            sys::BIO_C_DO_STATE_MACHINE => {
                clear_retry(b);
                sys::BIO_set_retry_reason(b, 0);
                let ret = SSL_do_handshake(ssl);
                match SSL_get_error(ssl, ret) {
                    sys::SSL_ERROR_WANT_READ => {
                        sys::BIO_set_flags(b, sys::BIO_FLAGS_READ | sys::BIO_FLAGS_SHOULD_RETRY);
                    }
                    sys::SSL_ERROR_WANT_WRITE => {
                        sys::BIO_set_flags(b, sys::BIO_FLAGS_WRITE | sys::BIO_FLAGS_SHOULD_RETRY);
                    }
                    sys::SSL_ERROR_WANT_CONNECT => {
                        sys::BIO_set_flags(
                            b,
                            sys::BIO_FLAGS_IO_SPECIAL | sys::BIO_FLAGS_SHOULD_RETRY,
                        );
                        sys::BIO_set_retry_reason(b, sys::BIO_get_retry_reason(next));
                    }
                    sys::SSL_ERROR_WANT_X509_LOOKUP => {
                        sys::BIO_set_flags(
                            b,
                            sys::BIO_FLAGS_IO_SPECIAL | sys::BIO_FLAGS_SHOULD_RETRY,
                        );
                        sys::BIO_set_retry_reason(b, sys::BIO_RR_SSL_X509_LOOKUP);
                    }
                    _ => {}
                }
                c_long::from(ret)
            }
            sys::BIO_CTRL_DUP => {
                let to = ptr.cast::<BIO>();
                let Some(dbs) = data(to) else { return 0 };
                SSL_free(dbs.ssl());
                let copy = SSL_dup(ssl);
                dbs.ssl = copy as usize;
                dbs.num_renegotiates = bs.num_renegotiates;
                dbs.renegotiate_count = bs.renegotiate_count;
                dbs.byte_count = bs.byte_count;
                dbs.renegotiate_timeout = bs.renegotiate_timeout;
                dbs.last_time = bs.last_time;
                c_long::from(!copy.is_null())
            }
            sys::BIO_C_GET_FD => sys::BIO_ctrl(SSL_get_rbio(ssl), cmd, num, ptr),
            sys::BIO_CTRL_SET_CALLBACK => 0,
            _ => sys::BIO_ctrl(SSL_get_rbio(ssl), cmd, num, ptr),
        }
    }
}

/// The SSL BIO method's callback_ctrl.
///
/// # Safety
/// Called by libcrypto with a live SSL BIO.
unsafe extern "C" fn ssl_callback_ctrl(b: *mut BIO, cmd: c_int, fp: sys::BIO_info_cb) -> c_long {
    // SAFETY: b is a live SSL BIO; its SSL (if any) is live.
    unsafe {
        let Some(bs) = data(b) else { return 0 };
        let ssl = bs.ssl();
        if ssl.is_null() || cmd != sys::BIO_CTRL_SET_CALLBACK {
            return 0;
        }
        sys::BIO_callback_ctrl(SSL_get_rbio(ssl), cmd, fp)
    }
}

/// `BIO_new_ssl`: an SSL BIO owning (`BIO_CLOSE`) a new connection of `ctx`, in the
/// client role if `client` is non-zero, else the server role; NULL on failure.
#[no_mangle]
pub unsafe extern "C" fn BIO_new_ssl(ctx: *mut SSL_CTX, client: c_int) -> *mut BIO {
    // SAFETY: BIO_new with this module's method; SSL_new with the caller's context (NULL
    // is refused with its error); the BIO takes over the connection.
    unsafe {
        let b = sys::BIO_new(BIO_f_ssl());
        if b.is_null() {
            return b;
        }
        let ssl = SSL_new(ctx);
        if ssl.is_null() {
            sys::BIO_free(b);
            return std::ptr::null_mut();
        }
        if client != 0 {
            SSL_set_connect_state(ssl);
        } else {
            SSL_set_accept_state(ssl);
        }
        sys::BIO_ctrl(
            b,
            sys::BIO_C_SET_SSL,
            c_long::from(sys::BIO_CLOSE),
            ssl.cast(),
        );
        b
    }
}

/// `BIO_new_ssl_connect`: a client SSL BIO over a connect BIO (`BIO_s_connect`, set up
/// with `BIO_set_conn_hostname` through the SSL BIO); NULL on failure.
#[no_mangle]
pub unsafe extern "C" fn BIO_new_ssl_connect(ctx: *mut SSL_CTX) -> *mut BIO {
    // SAFETY: the BIOs are created here and handed to the caller as one chain.
    unsafe {
        let con = sys::BIO_new(sys::BIO_s_connect());
        if con.is_null() {
            return con;
        }
        let ssl = BIO_new_ssl(ctx, 1);
        if ssl.is_null() {
            sys::BIO_free(con);
            return ssl;
        }
        sys::BIO_push(ssl, con)
    }
}

/// `BIO_new_buffer_ssl_connect`: [`BIO_new_ssl_connect`] under a buffering BIO; NULL on
/// failure.
#[no_mangle]
pub unsafe extern "C" fn BIO_new_buffer_ssl_connect(ctx: *mut SSL_CTX) -> *mut BIO {
    // SAFETY: the BIOs are created here and handed to the caller as one chain.
    unsafe {
        let buf = sys::BIO_new(sys::BIO_f_buffer());
        if buf.is_null() {
            return buf;
        }
        let ssl = BIO_new_ssl_connect(ctx);
        if ssl.is_null() {
            sys::BIO_free(buf);
            return ssl;
        }
        sys::BIO_push(buf, ssl)
    }
}

/// The SSL of the first SSL BIO in the chain `b`, or NULL.
///
/// # Safety
/// `b` is NULL or a live BIO chain.
unsafe fn chain_ssl(b: *mut BIO) -> *mut SSL {
    // SAFETY: guaranteed by the caller.
    unsafe {
        let found = sys::BIO_find_type(b, sys::BIO_TYPE_SSL);
        if found.is_null() {
            return std::ptr::null_mut();
        }
        data(found).map_or(std::ptr::null_mut(), |bs| bs.ssl())
    }
}

/// `BIO_ssl_copy_session_id`: gives the SSL of chain `to` the session of chain `from`'s
/// (`SSL_copy_session_id`); 1, or 0 when either chain has no SSL BIO with a connection.
#[no_mangle]
pub unsafe extern "C" fn BIO_ssl_copy_session_id(to: *mut BIO, from: *mut BIO) -> c_int {
    // SAFETY: both are live BIO chains per the API.
    unsafe {
        let (t, f) = (chain_ssl(to), chain_ssl(from));
        if t.is_null() || f.is_null() {
            return 0;
        }
        c_int::from(super::session::SSL_copy_session_id(t, f) == 1)
    }
}

/// `BIO_ssl_shutdown`: `SSL_shutdown` on the SSL of every SSL BIO in the chain.
#[no_mangle]
pub unsafe extern "C" fn BIO_ssl_shutdown(b: *mut BIO) {
    let mut b = b;
    // SAFETY: b is NULL or a live BIO chain per the API.
    unsafe {
        while !b.is_null() {
            if sys::BIO_method_type(b) == sys::BIO_TYPE_SSL {
                if let Some(bs) = data(b) {
                    if !bs.ssl().is_null() {
                        SSL_shutdown(bs.ssl());
                    }
                }
            }
            b = sys::BIO_next(b);
        }
    }
}
