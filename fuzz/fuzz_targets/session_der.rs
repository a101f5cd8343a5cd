//! d2i_SSL_SESSION's DER decoder, and the re-encoding of what it accepts.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| rustls_libssl::fuzzing::session_der(data));
