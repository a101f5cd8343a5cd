//! rustls-libssl: the OpenSSL 3 libssl ABI implemented on rustls.
//!
//! `abi` holds every exported C function; the modules beside it are the safe core, which
//! never sees a raw pointer; `crypto_sys` binds the system libcrypto.

#![deny(unsafe_code)]

#[allow(unsafe_code)]
mod abi;
#[allow(unsafe_code)]
mod crypto_sys;

mod buffers;
mod cache;
mod cert_compression;
mod chain_ahead;
mod check_chain;
mod ciphers;
mod conf;
mod connection;
mod context;
mod credentials;
mod current;
mod debug;
mod error;
mod established;
mod exporter;
#[cfg(any(test, fuzzing))]
mod fixed_keys;
#[cfg(any(test, fuzzing))]
#[doc(hidden)]
pub mod fuzzing;
mod groups;
mod hello;
mod hkdf;
mod keylog;
mod legacy;
mod observer;
mod peer_certs;
mod peer_key;
mod record;
mod resumption;
mod secrets;
mod serverinfo;
mod session;
mod setup;
mod sigalgs;
mod statem;
mod stats;
mod sync;
mod tickets;
mod trace;
mod traffic;
mod turn;
mod verify;
mod versions;
