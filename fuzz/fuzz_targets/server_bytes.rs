//! A client (SSL_connect over memory BIOs) reading whatever its server sends.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| rustls_libssl::fuzzing::server_bytes(data));
