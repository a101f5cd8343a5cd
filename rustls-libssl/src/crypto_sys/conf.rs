//! The `ssl_conf` module of libcrypto's configuration: libcrypto parses the `ssl_conf`
//! sections of a configuration file (`openssl.cnf`) and keeps each named list of
//! `SSL_CONF` commands; libssl reads them back by name (`SSL_CTX_config`, and the
//! `system_default` list every new context applies). These three functions are exported
//! by libcrypto for libssl (`internal/sslconf.h`), not declared in its public headers.

use std::ffi::{c_char, c_int, CStr, CString};

/// libcrypto's `SSL_CONF_CMD` (opaque: read only through `conf_ssl_get_cmd`).
#[repr(C)]
struct SslConfCmd {
    _opaque: [u8; 0],
}

extern "C" {
    fn conf_ssl_name_find(name: *const c_char, idx: *mut usize) -> c_int;
    fn conf_ssl_get(idx: usize, name: *mut *const c_char, cnt: *mut usize) -> *const SslConfCmd;
    fn conf_ssl_get_cmd(
        cmd: *const SslConfCmd,
        idx: usize,
        cmdstr: *mut *mut c_char,
        arg: *mut *mut c_char,
    );
}

/// The commands of the `ssl_conf` list `name` (command, argument), in file order; `None`
/// if the loaded configuration has no such list.
pub fn ssl_conf_commands(name: &CStr) -> Option<Vec<(CString, CString)>> {
    let mut idx = 0usize;
    // SAFETY: name is a C string; idx is writable.
    if unsafe { conf_ssl_name_find(name.as_ptr(), &mut idx) } == 0 {
        return None;
    }
    let mut list_name: *const c_char = std::ptr::null();
    let mut count = 0usize;
    // SAFETY: idx names an existing list; the outputs are writable. The list stays valid
    // while the configuration is loaded (libcrypto frees it only when modules unload).
    let cmds = unsafe { conf_ssl_get(idx, &mut list_name, &mut count) };
    let mut out = Vec::with_capacity(count);
    for i in 0..count {
        let mut cmd: *mut c_char = std::ptr::null_mut();
        let mut arg: *mut c_char = std::ptr::null_mut();
        // SAFETY: i < count; the outputs are writable and receive libcrypto's strings.
        unsafe { conf_ssl_get_cmd(cmds, i, &mut cmd, &mut arg) };
        if cmd.is_null() || arg.is_null() {
            continue;
        }
        // SAFETY: both are C strings owned by libcrypto's list; copied at once.
        let pair = unsafe {
            (
                CStr::from_ptr(cmd).to_owned(),
                CStr::from_ptr(arg).to_owned(),
            )
        };
        out.push(pair);
    }
    Some(out)
}
