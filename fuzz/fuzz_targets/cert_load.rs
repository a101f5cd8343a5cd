//! Certificates and keys loaded from DER, PEM and files, then used by a server.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| rustls_libssl::fuzzing::cert_load(data));
