//! The ClientHello reader a server runs before rustls sees the hello.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| rustls_libssl::fuzzing::client_hello(data));
