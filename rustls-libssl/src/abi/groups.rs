//! Key-exchange group names (`SSL_group_to_name`, from `SSL_CTX_set1_curves(3)`).

use std::ffi::{c_char, c_int, CStr};
use std::sync::OnceLock;

use super::{entry, try_ref, SSL};
use crate::groups;

/// `SSL_group_to_name`: the TLS name of the group with NID `nid` (or
/// `TLSEXT_nid_unknown | id`, as `SSL_get_negotiated_group` reports groups without a
/// NID), e.g. "x25519"; static, or NULL for a NID that names no group.
#[no_mangle]
pub unsafe extern "C" fn SSL_group_to_name(ssl: *mut SSL, nid: c_int) -> *const c_char {
    entry(|| {
        try_ref!(ssl);
        Ok(groups::name_of_nid(nid)
            .and_then(c_name)
            .map_or(std::ptr::null(), CStr::as_ptr))
    })
}

/// The NUL-terminated form of a group name from the static table.
fn c_name(name: &'static str) -> Option<&'static CStr> {
    static NAMES: OnceLock<Vec<(&'static str, std::ffi::CString)>> = OnceLock::new();
    let names = NAMES.get_or_init(|| {
        groups::all_names()
            .filter_map(|n| Some((n, std::ffi::CString::new(n).ok()?)))
            .collect()
    });
    names
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, c)| c.as_c_str())
}
