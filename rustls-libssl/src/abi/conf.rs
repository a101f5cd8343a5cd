//! `SSL_CONF_CTX` and `SSL_CONF_cmd`: configuration by command name (nginx's
//! `ssl_conf_command`, `openssl.cnf` sections, command lines). The table is the core's
//! `conf` module; every command is carried out with the function an application would
//! call for it (`SSL_CTX_set_cipher_list`, `SSL_CTX_use_certificate_chain_file`...), so it
//! behaves and fails as that function does.

use std::ffi::{c_char, c_int, c_uint, CString};
use std::sync::{Arc, Mutex};

use super::ctx::{ctx_arc, SSL_CTX};
use super::{c_str, entry, push_error, try_ref, SSL};
use crate::conf::{self, Action, Flag, Source};
use crate::crypto_sys::{self as sys, NameStack};
use crate::current::lock;
use crate::error::Error;

/// An `SSL_CONF_CTX`: flags, prefix, the context (or connection) commands apply to, and
/// what `SSL_CONF_CTX_finish` completes.
pub struct SSL_CONF_CTX {
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    flags: c_uint,
    prefix: Option<String>,
    ctx: Option<Arc<SSL_CTX>>,
    ssl: usize,
    /// Certificate files given, by key type, whose key may still have to be loaded from
    /// the same file (`SSL_CONF_FLAG_REQUIRE_PRIVATE`).
    cert_files: Vec<(i32, String)>,
    /// CA names from `RequestCAFile`/`ClientCAFile`..., set by `SSL_CONF_CTX_finish`.
    ca_names: Option<NameStack>,
}

/// Where commands go.
enum Target {
    Ctx(*mut SSL_CTX),
    Ssl(*mut SSL),
    None,
}

impl Inner {
    fn target(&self) -> Target {
        if let Some(ctx) = &self.ctx {
            Target::Ctx(Arc::as_ptr(ctx).cast_mut())
        } else if self.ssl != 0 {
            Target::Ssl(self.ssl as *mut SSL)
        } else {
            Target::None
        }
    }
}

/// `SSL_CONF_CTX_new`: a new configuration context (free with `SSL_CONF_CTX_free`).
#[no_mangle]
pub extern "C" fn SSL_CONF_CTX_new() -> *mut SSL_CONF_CTX {
    Box::into_raw(Box::new(SSL_CONF_CTX {
        inner: Mutex::new(Inner::default()),
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
        let mut inner = lock(&try_ref!(cctx).inner);
        inner.flags |= flags;
        Ok(inner.flags)
    })
}

/// `SSL_CONF_CTX_clear_flags`: removes flags; returns the new flags.
#[no_mangle]
pub unsafe extern "C" fn SSL_CONF_CTX_clear_flags(
    cctx: *mut SSL_CONF_CTX,
    flags: c_uint,
) -> c_uint {
    entry(|| {
        let mut inner = lock(&try_ref!(cctx).inner);
        inner.flags &= !flags;
        Ok(inner.flags)
    })
}

/// `SSL_CONF_CTX_set1_prefix`: command names must start with `pre` (NULL: no prefix); 1.
#[no_mangle]
pub unsafe extern "C" fn SSL_CONF_CTX_set1_prefix(
    cctx: *mut SSL_CONF_CTX,
    pre: *const c_char,
) -> c_int {
    entry(|| {
        let cctx = try_ref!(cctx);
        let prefix = if pre.is_null() {
            None
        } else {
            // SAFETY: a C string per the API.
            Some(unsafe { c_str(pre) }?.to_owned())
        };
        lock(&cctx.inner).prefix = prefix;
        Ok(1)
    })
}

/// `SSL_CONF_CTX_set_ssl_ctx`: commands apply to `ctx` (NULL: to nothing).
#[no_mangle]
pub unsafe extern "C" fn SSL_CONF_CTX_set_ssl_ctx(cctx: *mut SSL_CONF_CTX, ctx: *mut SSL_CTX) {
    entry(|| {
        let cctx = try_ref!(cctx);
        let mut inner = lock(&cctx.inner);
        // SAFETY: ctx is NULL or a live context.
        inner.ctx = (!ctx.is_null()).then(|| unsafe { ctx_arc(ctx) });
        inner.ssl = 0;
        Ok(())
    })
}

/// `SSL_CONF_CTX_set_ssl`: commands apply to `ssl` (NULL: to nothing).
#[no_mangle]
pub unsafe extern "C" fn SSL_CONF_CTX_set_ssl(cctx: *mut SSL_CONF_CTX, ssl: *mut SSL) {
    entry(|| {
        let cctx = try_ref!(cctx);
        let mut inner = lock(&cctx.inner);
        inner.ctx = None;
        inner.ssl = ssl as usize;
        Ok(())
    })
}

/// `SSL_CONF_cmd`: 2 when the command used its value (1 for a switch), -2 for an unknown
/// command, 0 (or -3 for a missing value) when the value was refused; with
/// `SSL_CONF_FLAG_SHOW_ERRORS` the failure is queued with the command, as in OpenSSL.
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
    if cmd.is_null() {
        push_error(&Error::Reason(sys::SSL_R_INVALID_NULL_CMD_NAME));
        return 0;
    }
    // SAFETY: cmd is a C string per the API.
    let name = unsafe { std::ffi::CStr::from_ptr(cmd) }
        .to_string_lossy()
        .into_owned();
    let (flags, prefix) = {
        let inner = lock(&cctx.inner);
        (inner.flags, inner.prefix.clone())
    };
    let show = flags & sys::SSL_CONF_FLAG_SHOW_ERRORS as c_uint != 0;
    let command =
        conf::strip_prefix(&name, prefix.as_deref(), flags).and_then(|n| conf::find(n, flags));
    let Some(command) = command else {
        if show {
            let shown = conf::strip_prefix(&name, prefix.as_deref(), flags).unwrap_or(&name);
            push_error(&Error::Detailed(
                sys::SSL_R_UNKNOWN_CMD_NAME,
                format!("cmd={shown}"),
            ));
        }
        return -2;
    };
    let bare = conf::strip_prefix(&name, prefix.as_deref(), flags)
        .unwrap_or(&name)
        .to_owned();
    if let Action::Switch { bits, invert, cert } = command.action {
        apply_switch(cctx, bits, invert, cert);
        return 1;
    }
    let bad_value = |rv: c_int, shown: &str| {
        if show {
            push_error(&Error::Detailed(
                sys::SSL_R_BAD_VALUE,
                format!("cmd={bare}, value={shown}"),
            ));
        }
        rv
    };
    if value.is_null() {
        return bad_value(-3, "<EMPTY>");
    }
    // SAFETY: value is a C string per the API.
    let text = unsafe { std::ffi::CStr::from_ptr(value) }
        .to_string_lossy()
        .into_owned();
    match run(cctx, command.action, value, &text) {
        r if r > 0 => 2,
        -2 => bad_value(-2, &text),
        _ => bad_value(0, &text),
    }
}

/// Sets (or clears) the option or certificate flag bits of a command-line switch.
fn apply_switch(cctx: &SSL_CONF_CTX, bits: u64, invert: bool, cert: bool) {
    let target = lock(&cctx.inner).target();
    let flag = if cert {
        Flag::CertBits(bits, !invert)
    } else {
        Flag::Option(bits, !invert)
    };
    apply_flags(&target, &[flag]);
}

/// Applies parsed `Protocol`/`Options`/`VerifyMode` flags to the target.
fn apply_flags(target: &Target, flags: &[Flag]) {
    for flag in flags {
        // SAFETY: for every call below, the target is a live context or connection, set by
        // the application with SSL_CONF_CTX_set_ssl_ctx/set_ssl.
        unsafe {
            match (*flag, target) {
                (Flag::Option(bits, true), Target::Ctx(c)) => {
                    super::ctx::SSL_CTX_set_options(*c, bits);
                }
                (Flag::Option(bits, false), Target::Ctx(c)) => {
                    super::ctx::SSL_CTX_clear_options(*c, bits);
                }
                (Flag::Option(bits, true), Target::Ssl(s)) => {
                    super::ssl::SSL_set_options(*s, bits);
                }
                (Flag::Option(bits, false), Target::Ssl(s)) => {
                    super::ssl::SSL_clear_options(*s, bits);
                }
                (Flag::CertBits(bits, on), Target::Ctx(c)) => {
                    let cmd = if on {
                        sys::SSL_CTRL_CERT_FLAGS
                    } else {
                        sys::SSL_CTRL_CLEAR_CERT_FLAGS
                    };
                    super::ctrl::SSL_CTX_ctrl(*c, cmd, bits as i64, std::ptr::null_mut());
                }
                (Flag::CertBits(bits, on), Target::Ssl(s)) => {
                    let cmd = if on {
                        sys::SSL_CTRL_CERT_FLAGS
                    } else {
                        sys::SSL_CTRL_CLEAR_CERT_FLAGS
                    };
                    super::ctrl::SSL_ctrl(*s, cmd, bits as i64, std::ptr::null_mut());
                }
                (Flag::Verify(bits, on), Target::Ctx(c)) => {
                    let mode = super::verify::SSL_CTX_get_verify_mode(*c);
                    let mode = if on { mode | bits } else { mode & !bits };
                    let cb = super::verify::SSL_CTX_get_verify_callback(*c);
                    super::verify::SSL_CTX_set_verify(*c, mode, cb);
                }
                (Flag::Verify(bits, on), Target::Ssl(s)) => {
                    let mode = super::verify::SSL_get_verify_mode(*s);
                    let mode = if on { mode | bits } else { mode & !bits };
                    let cb = super::verify::SSL_get_verify_callback(*s);
                    super::verify::SSL_set_verify(*s, mode, cb);
                }
                (_, Target::None) => {}
            }
        }
    }
}

/// Carries out one command with a value; OpenSSL's `cmd_*` result (> 0 success, -2
/// "not for this context", else failure).
fn run(cctx: &SSL_CONF_CTX, action: Action, value: *const c_char, text: &str) -> c_int {
    let (target, flags) = {
        let inner = lock(&cctx.inner);
        (inner.target(), inner.flags)
    };
    // SAFETY: for every call below, the target is a live context or connection the
    // application set; `value` is the application's C string.
    unsafe {
        match action {
            Action::SignatureAlgorithms | Action::ClientSignatureAlgorithms => {
                let cmd = if action == Action::SignatureAlgorithms {
                    sys::SSL_CTRL_SET_SIGALGS_LIST
                } else {
                    sys::SSL_CTRL_SET_CLIENT_SIGALGS_LIST
                };
                let rv = match target {
                    Target::Ssl(s) => super::ctrl::SSL_ctrl(s, cmd, 0, value.cast_mut().cast()),
                    Target::Ctx(c) => super::ctrl::SSL_CTX_ctrl(c, cmd, 0, value.cast_mut().cast()),
                    // Without a target OpenSSL checks the syntax.
                    Target::None => super::ctrl::SSL_CTX_ctrl(
                        std::ptr::null_mut(),
                        cmd,
                        0,
                        value.cast_mut().cast(),
                    ),
                };
                c_int::from(rv > 0)
            }
            Action::Groups => groups_list(&target, value),
            Action::EcdhParameters => {
                // Values of OpenSSL 1.0.2 meaning "automatic" are accepted and ignored.
                if (flags & sys::SSL_CONF_FLAG_FILE as c_uint != 0
                    && (text.eq_ignore_ascii_case("+automatic")
                        || text.eq_ignore_ascii_case("automatic")))
                    || (flags & sys::SSL_CONF_FLAG_CMDLINE as c_uint != 0 && text == "auto")
                {
                    return 1;
                }
                if text.contains(':') {
                    return 0;
                }
                match target {
                    Target::None => 1,
                    _ => groups_list(&target, value),
                }
            }
            Action::CipherString => match target {
                Target::Ctx(c) => super::ctx::SSL_CTX_set_cipher_list(c, value),
                Target::Ssl(s) => super::ssl::SSL_set_cipher_list(s, value),
                Target::None => 1,
            },
            Action::Ciphersuites => match target {
                Target::Ctx(c) => super::ctx::SSL_CTX_set_ciphersuites(c, value),
                Target::Ssl(s) => super::ssl::SSL_set_ciphersuites(s, value),
                Target::None => 1,
            },
            Action::Protocol | Action::Options | Action::VerifyMode => {
                match conf::flag_list(action, text, flags) {
                    Some(list) => {
                        apply_flags(&target, &list);
                        1
                    }
                    None => 0,
                }
            }
            Action::MinProtocol | Action::MaxProtocol => {
                let Some(v) = conf::protocol_version(text) else {
                    return 0;
                };
                let cmd = if action == Action::MinProtocol {
                    sys::SSL_CTRL_SET_MIN_PROTO_VERSION
                } else {
                    sys::SSL_CTRL_SET_MAX_PROTO_VERSION
                };
                let rv = match target {
                    Target::Ctx(c) => super::ctrl::SSL_CTX_ctrl(c, cmd, v, std::ptr::null_mut()),
                    Target::Ssl(s) => super::ctrl::SSL_ctrl(s, cmd, v, std::ptr::null_mut()),
                    Target::None => 0,
                };
                c_int::from(rv > 0)
            }
            Action::Certificate => {
                let rv = match target {
                    Target::Ctx(c) => super::cert::SSL_CTX_use_certificate_chain_file(c, value),
                    Target::Ssl(s) => super::cert::SSL_use_certificate_chain_file(s, value),
                    Target::None => 1,
                };
                if rv > 0 && flags & sys::SSL_CONF_FLAG_REQUIRE_PRIVATE as c_uint != 0 {
                    let kind = current_key_kind(&target);
                    let mut inner = lock(&cctx.inner);
                    inner.cert_files.retain(|(k, _)| *k != kind);
                    inner.cert_files.push((kind, text.to_owned()));
                }
                rv
            }
            Action::PrivateKey => {
                if flags & sys::SSL_CONF_FLAG_CERTIFICATE as c_uint == 0 {
                    return -2;
                }
                match target {
                    Target::Ctx(c) => {
                        super::cert::SSL_CTX_use_PrivateKey_file(c, value, sys::SSL_FILETYPE_PEM)
                    }
                    Target::Ssl(s) => {
                        super::cert::SSL_use_PrivateKey_file(s, value, sys::SSL_FILETYPE_PEM)
                    }
                    Target::None => 1,
                }
            }
            Action::ServerInfoFile => match target {
                Target::Ctx(c) => super::serverinfo::SSL_CTX_use_serverinfo_file(c, value),
                _ => 1,
            },
            Action::ChainCa(src) | Action::VerifyCa(src) => {
                let chain = matches!(action, Action::ChainCa(_));
                add_to_store(&target, chain, src, text)
            }
            Action::RequestCa(src) => {
                let mut inner = lock(&cctx.inner);
                if inner.ca_names.is_none() {
                    inner.ca_names = NameStack::new();
                }
                let Some(stack) = inner.ca_names.as_ref() else {
                    return 0;
                };
                let stack = stack.as_ptr().cast();
                drop(inner);
                match src {
                    Source::File => {
                        super::ca_list::SSL_add_file_cert_subjects_to_stack(stack, value)
                    }
                    Source::Dir => super::ca_list::SSL_add_dir_cert_subjects_to_stack(stack, value),
                    Source::Store => {
                        super::ca_list::SSL_add_store_cert_subjects_to_stack(stack, value)
                    }
                }
            }
            Action::DhParameters => {
                let Some(key) = sys::PKey::read_dh_params_file(text) else {
                    return 0;
                };
                match target {
                    Target::Ctx(c) => super::dh::SSL_CTX_set0_tmp_dh_pkey(c, key.into_raw()),
                    Target::Ssl(s) => super::dh::SSL_set0_tmp_dh_pkey(s, key.into_raw()),
                    Target::None => 1,
                }
            }
            Action::RecordPadding => {
                let Ok(n) = atoi(text).try_into() else {
                    return 0;
                };
                match target {
                    Target::Ctx(c) => super::knobs::SSL_CTX_set_block_padding(c, n),
                    Target::Ssl(s) => super::knobs::SSL_set_block_padding(s, n),
                    Target::None => 0,
                }
            }
            Action::NumTickets => {
                let Ok(n) = atoi(text).try_into() else {
                    return 0;
                };
                match target {
                    Target::Ctx(c) => super::knobs::SSL_CTX_set_num_tickets(c, n),
                    Target::Ssl(s) => super::knobs::SSL_set_num_tickets(s, n),
                    Target::None => 0,
                }
            }
            Action::Switch { .. } => 1,
        }
    }
}

/// C's `atoi`: leading blanks, a sign, digits; 0 when there are none.
fn atoi(s: &str) -> i64 {
    let s = s.trim_start();
    let (neg, digits) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let n = digits
        .bytes()
        .take_while(u8::is_ascii_digit)
        .fold(0i64, |acc, d| {
            acc.saturating_mul(10).saturating_add(i64::from(d - b'0'))
        });
    if neg {
        -n
    } else {
        n
    }
}

/// `SSL_CTX_set1_groups_list` / `SSL_set1_groups_list` on the target (syntax only without).
///
/// # Safety
/// `value` is a C string; the target is alive.
unsafe fn groups_list(target: &Target, value: *const c_char) -> c_int {
    let cmd = sys::SSL_CTRL_SET_GROUPS_LIST;
    // SAFETY: guaranteed by the caller.
    let rv = unsafe {
        match target {
            Target::Ssl(s) => super::ctrl::SSL_ctrl(*s, cmd, 0, value.cast_mut().cast()),
            Target::Ctx(c) => super::ctrl::SSL_CTX_ctrl(*c, cmd, 0, value.cast_mut().cast()),
            Target::None => {
                super::ctrl::SSL_CTX_ctrl(std::ptr::null_mut(), cmd, 0, value.cast_mut().cast())
            }
        }
    };
    c_int::from(rv > 0)
}

/// The key type of the target's current certificate (the slot `Certificate` filled).
fn current_key_kind(target: &Target) -> i32 {
    // SAFETY: the target is a live context or connection.
    let cert = unsafe {
        match target {
            Target::Ctx(c) => super::cert::SSL_CTX_get0_certificate(*c),
            Target::Ssl(s) => super::cert::SSL_get_certificate(*s),
            Target::None => std::ptr::null_mut(),
        }
    };
    // SAFETY: NULL or a certificate the target owns.
    unsafe { sys::Cert::from_ptr_up_ref(cert) }.map_or(0, |c| c.key_base_id())
}

/// Loads certificates into the target's chain or verify store (made on first use), as
/// `ChainCAFile`/`VerifyCAPath`... do; 1 or 0.
fn add_to_store(target: &Target, chain: bool, src: Source, what: &str) -> c_int {
    let (set, get) = if chain {
        (
            sys::SSL_CTRL_SET_CHAIN_CERT_STORE,
            sys::SSL_CTRL_GET_CHAIN_CERT_STORE,
        )
    } else {
        (
            sys::SSL_CTRL_SET_VERIFY_CERT_STORE,
            sys::SSL_CTRL_GET_VERIFY_CERT_STORE,
        )
    };
    let ctrl = |cmd: c_int, larg: i64, parg: *mut std::ffi::c_void| -> i64 {
        // SAFETY: the target is a live context or connection; parg suits the command.
        unsafe {
            match target {
                Target::Ctx(c) => super::ctrl::SSL_CTX_ctrl(*c, cmd, larg, parg),
                Target::Ssl(s) => super::ctrl::SSL_ctrl(*s, cmd, larg, parg),
                Target::None => 1,
            }
        }
    };
    if matches!(target, Target::None) {
        return 1;
    }
    let mut store: *mut sys::X509_STORE = std::ptr::null_mut();
    ctrl(get, 0, (&mut store as *mut *mut sys::X509_STORE).cast());
    if store.is_null() {
        let Some(new) = sys::X509Store::new() else {
            return 0;
        };
        store = new.as_ptr();
        // set1: the target takes its own reference; ours goes with `new`.
        ctrl(set, 1, store.cast());
    }
    let Some(path) = CString::new(what).ok() else {
        return 0;
    };
    // SAFETY: the store is alive (the target holds it); path is a C string.
    let ok = unsafe {
        match src {
            Source::File => sys::X509_STORE_load_file(store, path.as_ptr()),
            Source::Dir => sys::X509_STORE_load_path(store, path.as_ptr()),
            Source::Store => sys::X509_STORE_load_store(store, path.as_ptr()),
        }
    };
    c_int::from(ok == 1)
}

/// `SSL_CONF_cmd_argv`: runs the command at `(*pargv)[0]` with its value `(*pargv)[1]`
/// (a command line); the number of arguments used (and `*pargv`, `*pargc` advanced), 0
/// for an unknown switch, -1 for a failed command, -3 for a missing value.
#[no_mangle]
pub unsafe extern "C" fn SSL_CONF_cmd_argv(
    cctx: *mut SSL_CONF_CTX,
    pargc: *mut c_int,
    pargv: *mut *mut *mut c_char,
) -> c_int {
    entry(|| {
        let c = try_ref!(cctx);
        if pargv.is_null() {
            return Err(Error::NullArgument);
        }
        // SAFETY: pargc is NULL or readable, pargv points at the argument vector.
        let (argc, argv) = unsafe { (pargc.as_ref().copied(), *pargv) };
        if argc == Some(0) || argv.is_null() {
            return Ok(0);
        }
        // SAFETY: argv has at least one entry (argc > 0 or NULL-terminated).
        let arg = unsafe { *argv };
        if arg.is_null() {
            return Ok(0);
        }
        let argn = if argc.is_none_or(|n| n > 1) {
            // SAFETY: a second entry exists (argc > 1, or the vector is NULL-terminated).
            unsafe { *argv.add(1) }
        } else {
            std::ptr::null_mut()
        };
        {
            let mut inner = lock(&c.inner);
            inner.flags &= !(sys::SSL_CONF_FLAG_FILE as c_uint);
            inner.flags |= sys::SSL_CONF_FLAG_CMDLINE as c_uint;
        }
        // SAFETY: the strings are the application's arguments.
        let rv = unsafe { SSL_CONF_cmd(cctx, arg, argn) };
        if rv > 0 {
            // SAFETY: advancing within the vector by the arguments used.
            unsafe {
                *pargv = argv.add(rv as usize);
                if !pargc.is_null() {
                    *pargc -= rv;
                }
            }
            return Ok(rv);
        }
        Ok(match rv {
            -2 => 0,
            0 => -1,
            other => other,
        })
    })
}

/// `SSL_CONF_cmd_value_type`: `SSL_CONF_TYPE_*` of a command, `UNKNOWN` if there is none.
#[no_mangle]
pub unsafe extern "C" fn SSL_CONF_cmd_value_type(
    cctx: *mut SSL_CONF_CTX,
    cmd: *const c_char,
) -> c_int {
    entry(|| {
        let (flags, prefix) = {
            let inner = lock(&try_ref!(cctx).inner);
            (inner.flags, inner.prefix.clone())
        };
        if cmd.is_null() {
            return Ok(sys::SSL_CONF_TYPE_UNKNOWN);
        }
        // SAFETY: cmd is a C string per the API.
        let name = unsafe { c_str(cmd) }?;
        Ok(conf::strip_prefix(name, prefix.as_deref(), flags)
            .and_then(|n| conf::find(n, flags))
            .map_or(sys::SSL_CONF_TYPE_UNKNOWN, |c| c.value.code()))
    })
}

/// `SSL_CONF_CTX_finish`: loads private keys from the certificate files given without
/// one (with `SSL_CONF_FLAG_REQUIRE_PRIVATE`) and sets the CA names the commands
/// collected; 1 or 0.
#[no_mangle]
pub unsafe extern "C" fn SSL_CONF_CTX_finish(cctx: *mut SSL_CONF_CTX) -> c_int {
    entry(|| {
        let c = try_ref!(cctx);
        let (target, flags, files, names) = {
            let mut inner = lock(&c.inner);
            (
                inner.target(),
                inner.flags,
                std::mem::take(&mut inner.cert_files),
                inner.ca_names.take(),
            )
        };
        if flags & sys::SSL_CONF_FLAG_REQUIRE_PRIVATE as c_uint != 0 {
            for (_, file) in &files {
                let Ok(path) = CString::new(file.as_str()) else {
                    return Err(Error::BadValue);
                };
                // SAFETY: the target is alive; path is a C string.
                let has_key = unsafe {
                    match target {
                        Target::Ctx(ctx) => !super::cert::SSL_CTX_get0_privatekey(ctx).is_null(),
                        Target::Ssl(s) => !super::cert::SSL_get_privatekey(s).is_null(),
                        Target::None => true,
                    }
                };
                if !has_key && run(c, Action::PrivateKey, path.as_ptr(), file) <= 0 {
                    return Err(Error::Silent);
                }
            }
        }
        if let Some(names) = names {
            // SAFETY: the target is alive; set0 hands the stack over.
            unsafe {
                match target {
                    Target::Ssl(s) => super::ca_list::SSL_set0_CA_list(s, names.into_raw().cast()),
                    Target::Ctx(ctx) => {
                        super::ca_list::SSL_CTX_set0_CA_list(ctx, names.into_raw().cast())
                    }
                    Target::None => drop(names),
                }
            }
        }
        Ok(1)
    })
}
