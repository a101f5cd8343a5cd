//! ALPN wire lists: the setters, SSL_select_next_proto, and a server's ALPN callback path.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| rustls_libssl::fuzzing::alpn(data));
