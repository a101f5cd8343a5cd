//! SSL_CONF_cmd names and values on a fresh context or connection.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| rustls_libssl::fuzzing::conf_cmd(data));
