//! A server given a session ticket (sealed with its keys, or raw) in a TLS 1.2 or 1.3 resumption.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| rustls_libssl::fuzzing::ticket(data));
