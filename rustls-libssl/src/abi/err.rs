//! Library initialisation and error strings: registers the SSL reason strings with
//! libcrypto (which carries none for `ERR_LIB_SSL`) so `ERR_error_string_n` prints
//! "certificate verify failed" rather than "reason(134)".

use std::ffi::{c_char, c_int, c_ulong, CString};
use std::sync::OnceLock;

use crate::crypto_sys as sys;

mod table {
    include!(concat!(env!("OUT_DIR"), "/ssl_reasons.rs"));
}

/// Registers the SSL reason strings when an error is queued, unless the application
/// declined them (`OPENSSL_INIT_NO_LOAD_SSL_STRINGS`).
pub(super) fn load_strings_for_error() {
    if STRINGS_DECIDED.get() != Some(&false) {
        load_strings();
    }
}

/// Registers the SSL reason strings once per process.
pub(super) fn load_strings() {
    // The table's address, kept so that the table (and the strings it points to) stays
    // reachable after libcrypto frees its own index of it at exit (OPENSSL_cleanup): leak
    // checkers (valgrind, LeakSanitizer) would otherwise report it as definitely lost.
    static TABLE: OnceLock<usize> = OnceLock::new();
    TABLE.get_or_init(|| {
        let lib = sys::ERR_LIB_SSL as c_ulong;
        let mut entries: Vec<sys::ERR_STRING_DATA> = table::SSL_REASONS
            .iter()
            .filter_map(|&(code, text)| {
                let text = CString::new(text).ok()?;
                let error = (lib << 23) | (code as c_ulong & 0x7F_FFFF);
                // The strings live for the rest of the process, as libcrypto requires.
                Some(sys::ERR_STRING_DATA {
                    error,
                    string: text.into_raw(),
                })
            })
            .collect();
        entries.push(sys::ERR_STRING_DATA {
            error: 0,
            string: std::ptr::null(),
        });
        let entries: &'static [sys::ERR_STRING_DATA] = Vec::leak(entries);
        // SAFETY: the table is NUL-terminated and lives for the rest of the process.
        unsafe { sys::ERR_load_strings_const(entries.as_ptr()) };
        entries.as_ptr() as usize
    });
}

/// An error as `RUSTLS_LIBSSL_DEBUG` reports it: OpenSSL's reason text (what the program
/// logs), then the detail the shim knows.
pub(super) fn describe(e: &crate::error::Error) -> String {
    let (lib, reason) = e.code();
    let text = table::SSL_REASONS
        .iter()
        .find(|(code, _)| lib == sys::ERR_LIB_SSL && *code == reason)
        .map_or("", |(_, text)| *text);
    match e {
        _ if text.is_empty() => e.to_string(),
        crate::error::Error::Reason(_) => text.to_owned(),
        crate::error::Error::Verify(code) => format!(
            "{text} (verify result {code}: {})",
            sys::verify_error_string((*code).into())
        ),
        _ => format!("{text} ({e})"),
    }
}

/// Whether the SSL error strings were loaded or declined: the first of
/// `OPENSSL_INIT_LOAD_SSL_STRINGS` and `OPENSSL_INIT_NO_LOAD_SSL_STRINGS` decides, once.
static STRINGS_DECIDED: OnceLock<bool> = OnceLock::new();

/// `OPENSSL_init_ssl`: initialises libcrypto as OpenSSL does (all ciphers and digests, and
/// the configuration file unless `OPENSSL_INIT_NO_LOAD_CONFIG`: its `ssl_conf` sections
/// are what `SSL_CTX_config` and every new context read), then loads the SSL error strings
/// if asked to, unless an earlier call declined them; 1 on success.
#[no_mangle]
pub unsafe extern "C" fn OPENSSL_init_ssl(
    opts: u64,
    settings: *const sys::OPENSSL_INIT_SETTINGS,
) -> c_int {
    let mut opts =
        opts | sys::OPENSSL_INIT_ADD_ALL_CIPHERS as u64 | sys::OPENSSL_INIT_ADD_ALL_DIGESTS as u64;
    if opts & sys::OPENSSL_INIT_NO_LOAD_CONFIG as u64 == 0 {
        opts |= sys::OPENSSL_INIT_LOAD_CONFIG as u64;
    }
    // SAFETY: the settings are the caller's, passed through unchanged.
    if unsafe { sys::OPENSSL_init_crypto(opts, settings) } == 0 {
        return 0;
    }
    if opts & sys::OPENSSL_INIT_NO_LOAD_SSL_STRINGS as u64 != 0 {
        STRINGS_DECIDED.get_or_init(|| false);
    }
    if opts & sys::OPENSSL_INIT_LOAD_SSL_STRINGS as u64 != 0
        && *STRINGS_DECIDED.get_or_init(|| true)
    {
        load_strings();
    }
    1
}

/// `ERR_load_SSL_strings`: loads the SSL error strings; 1.
#[no_mangle]
pub extern "C" fn ERR_load_SSL_strings() -> c_int {
    load_strings();
    1
}

/// `SSL_alert_desc_string_long`: the alert's name, e.g. "unknown CA".
#[no_mangle]
pub extern "C" fn SSL_alert_desc_string_long(value: c_int) -> *const c_char {
    // The low byte: a description.
    crate::statem::alert_description(value.to_le_bytes()[0]).as_ptr()
}

/// `SSL_alert_desc_string`: the alert's two-letter code, e.g. "CA" (OpenSSL has none for
/// no_application_protocol and TLS 1.3's newer alerts: "UK").
#[no_mangle]
pub extern "C" fn SSL_alert_desc_string(value: c_int) -> *const c_char {
    let s = match value & 0xff {
        0 => c"CN",
        10 => c"UM",
        20 => c"BM",
        21 => c"DC",
        22 => c"RO",
        30 => c"DF",
        40 => c"HF",
        41 => c"NC",
        42 => c"BC",
        43 => c"UC",
        44 => c"CR",
        45 => c"CE",
        46 => c"CU",
        47 => c"IP",
        48 => c"CA",
        49 => c"AD",
        50 => c"DE",
        51 => c"CY",
        60 => c"ER",
        70 => c"PV",
        71 => c"IS",
        80 => c"IE",
        90 => c"US",
        100 => c"NR",
        110 => c"UE",
        111 => c"CO",
        112 => c"UN",
        113 => c"BR",
        114 => c"BH",
        115 => c"UP",
        _ => c"UK",
    };
    s.as_ptr()
}

/// `SSL_alert_type_string_long`: "warning", "fatal" or "unknown".
#[no_mangle]
pub extern "C" fn SSL_alert_type_string_long(value: c_int) -> *const c_char {
    match value >> 8 {
        1 => c"warning".as_ptr(),
        2 => c"fatal".as_ptr(),
        _ => c"unknown".as_ptr(),
    }
}

/// `SSL_alert_type_string`: "W", "F" or "U".
#[no_mangle]
pub extern "C" fn SSL_alert_type_string(value: c_int) -> *const c_char {
    match value >> 8 {
        1 => c"W".as_ptr(),
        2 => c"F".as_ptr(),
        _ => c"U".as_ptr(),
    }
}
