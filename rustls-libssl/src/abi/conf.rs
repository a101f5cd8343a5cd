//! `SSL_CONF_CTX` and `SSL_CONF_cmd`: configuration by command name (nginx's
//! `ssl_conf_command`). The table of commands is the core's `conf` module.

use std::ffi::{c_char, c_int, c_uint};
use std::sync::{Arc, Mutex};

use super::ctx::{ctx_arc, SSL_CTX};
use super::{c_str, entry, push_error, try_ref, SSL};
use crate::conf::{self, ValueType};
use crate::crypto_sys as sys;
use crate::current::lock;
use crate::error::Error;

/// An `SSL_CONF_CTX`: flags and the context (or connection) commands apply to.
pub struct SSL_CONF_CTX {
    flags: Mutex<c_uint>,
    ctx: Mutex<Option<Arc<SSL_CTX>>>,
    ssl: Mutex<usize>,
}

/// `SSL_CONF_CTX_new`: a new configuration context (free with `SSL_CONF_CTX_free`).
#[no_mangle]
pub extern "C" fn SSL_CONF_CTX_new() -> *mut SSL_CONF_CTX {
    Box::into_raw(Box::new(SSL_CONF_CTX {
        flags: Mutex::new(0),
        ctx: Mutex::new(None),
        ssl: Mutex::new(0),
    }))
}

/// `SSL_CONF_CTX_free`: NULL is a no-op.
#[no_mangle]
pub unsafe extern "C" fn SSL_CONF_CTX_free(cctx: *mut SSL_CONF_CTX) {
    if !cctx.is_null() {
        // SAFETY: cctx came from SSL_CONF_CTX_new and the caller gives it up.
        drop(unsafe { Box::from_raw(cctx) });
    }
}

/// `SSL_CONF_CTX_set_flags`: adds flags; returns the new flags.
#[no_mangle]
pub unsafe extern "C" fn SSL_CONF_CTX_set_flags(cctx: *mut SSL_CONF_CTX, flags: c_uint) -> c_uint {
    entry(|| {
        let mut f = lock(&try_ref!(cctx).flags);
        *f |= flags;
        Ok(*f)
    })
}

/// `SSL_CONF_CTX_clear_flags`: removes flags; returns the new flags.
#[no_mangle]
pub unsafe extern "C" fn SSL_CONF_CTX_clear_flags(
    cctx: *mut SSL_CONF_CTX,
    flags: c_uint,
) -> c_uint {
    entry(|| {
        let mut f = lock(&try_ref!(cctx).flags);
        *f &= !flags;
        Ok(*f)
    })
}

/// `SSL_CONF_CTX_set_ssl_ctx`: commands apply to `ctx` (NULL: to nothing).
#[no_mangle]
pub unsafe extern "C" fn SSL_CONF_CTX_set_ssl_ctx(cctx: *mut SSL_CONF_CTX, ctx: *mut SSL_CTX) {
    entry(|| {
        let cctx = try_ref!(cctx);
        // SAFETY: ctx is NULL or a live context.
        *lock(&cctx.ctx) = (!ctx.is_null()).then(|| unsafe { ctx_arc(ctx) });
        *lock(&cctx.ssl) = 0;
        Ok(())
    })
}

/// `SSL_CONF_CTX_set_ssl`: commands apply to `ssl`.
#[no_mangle]
pub unsafe extern "C" fn SSL_CONF_CTX_set_ssl(cctx: *mut SSL_CONF_CTX, ssl: *mut SSL) {
    entry(|| {
        let cctx = try_ref!(cctx);
        *lock(&cctx.ctx) = None;
        *lock(&cctx.ssl) = ssl as usize;
        Ok(())
    })
}

/// `SSL_CONF_cmd`: 2 when the command used its value, -2 for an unknown command, -3 for
/// a missing value, 0 when the value was refused (errors are queued with
/// `SSL_CONF_FLAG_SHOW_ERRORS`, as in OpenSSL).
#[no_mangle]
pub unsafe extern "C" fn SSL_CONF_cmd(
    cctx: *mut SSL_CONF_CTX,
    cmd: *const c_char,
    value: *const c_char,
) -> c_int {
    // SAFETY: cctx is NULL or from SSL_CONF_CTX_new.
    let Some(cctx) = (unsafe { cctx.as_ref() }) else {
        push_error(&Error::NullArgument);
        return 0;
    };
    let flags = *lock(&cctx.flags);
    let show = flags & sys::SSL_CONF_FLAG_SHOW_ERRORS as c_uint != 0;
    // SAFETY: cmd is a C string per the API.
    let Ok(name) = (unsafe { c_str(cmd) }) else {
        return 0;
    };
    let Some(command) = conf::find(name, flags & sys::SSL_CONF_FLAG_CMDLINE as c_uint != 0) else {
        if show {
            push_error(&Error::Detailed(
                sys::SSL_R_UNKNOWN_CMD_NAME,
                format!("cmd={name}"),
            ));
        }
        return -2;
    };
    if value.is_null() {
        if show {
            push_error(&Error::Detailed(
                sys::SSL_R_BAD_VALUE,
                format!("cmd={name}"),
            ));
        }
        return -3;
    }
    // SAFETY: value is a C string per the API.
    let Ok(value) = (unsafe { c_str(value) }) else {
        return 0;
    };
    let applied = if let Some(ctx) = lock(&cctx.ctx).clone() {
        ctx.core.update(|s| command.apply(s, value))
    } else {
        let ssl = *lock(&cctx.ssl) as *const SSL;
        // SAFETY: a connection set with SSL_CONF_CTX_set_ssl outlives the configuration.
        match unsafe { ssl.as_ref() } {
            Some(ssl) => ssl.setup().update(|s| command.apply(s, value)),
            None => Ok(()), // no target: OpenSSL accepts and does nothing
        }
    };
    match applied {
        Ok(()) => 2,
        Err(e) => {
            if show {
                push_error(&e);
                push_error(&Error::Detailed(
                    sys::SSL_R_BAD_VALUE,
                    format!("cmd={name}, value={value}"),
                ));
            }
            0
        }
    }
}

/// `SSL_CONF_cmd_value_type`: `SSL_CONF_TYPE_*` of a command, `UNKNOWN` if there is none.
#[no_mangle]
pub unsafe extern "C" fn SSL_CONF_cmd_value_type(
    cctx: *mut SSL_CONF_CTX,
    cmd: *const c_char,
) -> c_int {
    entry(|| {
        let flags = *lock(&try_ref!(cctx).flags);
        // SAFETY: cmd is a C string per the API.
        let name = unsafe { c_str(cmd) }?;
        Ok(
            match conf::find(name, flags & sys::SSL_CONF_FLAG_CMDLINE as c_uint != 0)
                .map(|c| c.value)
            {
                Some(ValueType::String) => sys::SSL_CONF_TYPE_STRING,
                None => sys::SSL_CONF_TYPE_UNKNOWN,
            },
        )
    })
}

/// `SSL_CONF_CTX_finish`: 1 (commands take effect as they are given).
#[no_mangle]
pub unsafe extern "C" fn SSL_CONF_CTX_finish(cctx: *mut SSL_CONF_CTX) -> c_int {
    entry(|| {
        try_ref!(cctx);
        Ok(1)
    })
}
