//! OpenSSL cipher strings, TLS 1.3 suite lists and received suite lists.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| rustls_libssl::fuzzing::cipher_string(data));
