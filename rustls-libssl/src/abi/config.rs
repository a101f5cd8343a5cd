//! Application configuration through `openssl.cnf` (`SSL_CTX_config`, `SSL_config`, and
//! the `system_default` section every new context applies). libcrypto's configuration
//! loader keeps the `ssl_conf` sections (its built-in "ssl_conf" module, loaded by
//! `OPENSSL_init_ssl` and `CONF_modules_load_file`); each named section is a list of
//! `SSL_CONF` commands run here through `SSL_CONF_cmd`, as OpenSSL's `ssl_mcnf.c` runs
//! them.

use std::ffi::{c_char, c_int, CStr};

use super::conf::{
    SSL_CONF_CTX_finish, SSL_CONF_CTX_free, SSL_CONF_CTX_new, SSL_CONF_CTX_set_flags,
    SSL_CONF_CTX_set_ssl, SSL_CONF_CTX_set_ssl_ctx, SSL_CONF_cmd,
};
use super::ctx::SSL_CTX;
use super::method::SSL_METHOD;
use super::{push_error, SSL};
use crate::context::Method;
use crate::crypto_sys::{self as sys, conf};
use crate::error::Error;

/// `SSL_add_ssl_module`: nothing to do, libcrypto registers the "ssl_conf" module itself
/// (as in OpenSSL 3.0).
#[no_mangle]
pub extern "C" fn SSL_add_ssl_module() {}

/// `SSL_CTX_config`: applies the `ssl_conf` section `name` of the loaded configuration
/// (certificates included); 1 if every command succeeded, 0 otherwise
/// (`SSL_R_INVALID_CONFIGURATION_NAME` for an unknown name).
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_config(ctx: *mut SSL_CTX, name: *const c_char) -> c_int {
    // SAFETY: ctx is NULL or a live context; name is NULL or a C string.
    unsafe { run(Apply::Ctx(ctx), name, false) }
}

/// `SSL_config`: as [`SSL_CTX_config`] for one connection.
#[no_mangle]
pub unsafe extern "C" fn SSL_config(ssl: *mut SSL, name: *const c_char) -> c_int {
    // SAFETY: ssl is NULL or a live connection; name is NULL or a C string.
    unsafe { run(Apply::Ssl(ssl), name, false) }
}

/// The `system_default` section, applied to every new context as OpenSSL does at the end
/// of `SSL_CTX_new` (Debian's `openssl.cnf` may set `MinProtocol` and `CipherString`
/// there). Failures are ignored, as there.
///
/// # Safety
/// `ctx` is a live context.
pub(super) unsafe fn system_default(ctx: *mut SSL_CTX) {
    // SAFETY: guaranteed by the caller.
    unsafe { run(Apply::Ctx(ctx), std::ptr::null(), true) };
}

/// What a section applies to.
enum Apply {
    Ctx(*mut SSL_CTX),
    Ssl(*mut SSL),
}

/// Runs section `name` (`system_default` for the system configuration); 1 if every
/// command and the final `SSL_CONF_CTX_finish` succeeded.
///
/// # Safety
/// The target is NULL or live; `name` is NULL or a C string.
unsafe fn run(target: Apply, name: *const c_char, system: bool) -> c_int {
    let method = match target {
        // SAFETY: NULL or a live object, per the caller.
        Apply::Ctx(ctx) => unsafe { ctx.as_ref() }.map(|c| c.method()),
        // SAFETY: as above.
        Apply::Ssl(ssl) => unsafe { ssl.as_ref() }.map(super::method::method_of),
    };
    let Some(method) = method else {
        push_error(&Error::NullArgument);
        return 0;
    };
    let name = if name.is_null() && system {
        c"system_default"
    } else if name.is_null() {
        c"(null)"
    } else {
        // SAFETY: a C string per the API.
        unsafe { CStr::from_ptr(name) }
    };
    let Some(commands) = conf::ssl_conf_commands(name) else {
        if !system {
            push_error(&Error::Detailed(
                sys::SSL_R_INVALID_CONFIGURATION_NAME,
                format!("name={}", name.to_string_lossy()),
            ));
        }
        return 0;
    };
    let cctx = SSL_CONF_CTX_new();
    // SAFETY: cctx is new and freed below; the target is live; each command and value is a
    // C string owned by `commands`.
    unsafe {
        match target {
            Apply::Ctx(ctx) => SSL_CONF_CTX_set_ssl_ctx(cctx, ctx),
            Apply::Ssl(ssl) => SSL_CONF_CTX_set_ssl(cctx, ssl),
        }
        SSL_CONF_CTX_set_flags(cctx, flags(method, system));
        let mut failed = 0;
        for (cmd, value) in &commands {
            if SSL_CONF_cmd(cctx, cmd.as_ptr(), value.as_ptr()) <= 0 {
                failed += 1;
            }
        }
        if SSL_CONF_CTX_finish(cctx) == 0 {
            failed += 1;
        }
        SSL_CONF_CTX_free(cctx);
        c_int::from(failed == 0)
    }
}

/// The `SSL_CONF` flags OpenSSL uses for a section: commands from a file, for the roles
/// the method has; an application's section may also load certificates and keys.
fn flags(method: &SSL_METHOD, system: bool) -> u32 {
    let mut flags = sys::SSL_CONF_FLAG_FILE as u32;
    if !system {
        flags |= (sys::SSL_CONF_FLAG_CERTIFICATE | sys::SSL_CONF_FLAG_REQUIRE_PRIVATE) as u32;
    }
    let roles = method.kind().map_or(Method::Any, |k| k.roles);
    if roles != Method::Client {
        flags |= sys::SSL_CONF_FLAG_SERVER as u32;
    }
    if roles != Method::Server {
        flags |= sys::SSL_CONF_FLAG_CLIENT as u32;
    }
    flags
}
