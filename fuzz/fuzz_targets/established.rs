//! The established record layer (TLS 1.2 and 1.3, fixed keys) against a scripted peer.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| rustls_libssl::fuzzing::established(data));
