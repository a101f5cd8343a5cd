//! The system libcrypto: bindgen output plus small RAII owners for the objects that cross the
//! libssl API (X509, EVP_PKEY, X509_STORE, BIO). This is one of the two places with `unsafe`.

#![allow(
    non_camel_case_types,
    non_snake_case,
    non_upper_case_globals,
    dead_code,
    unreachable_pub,
    unused_qualifications,
    clippy::all,
    clippy::undocumented_unsafe_blocks,
    clippy::missing_safety_doc
)]

mod ffi {
    #![allow(
        non_camel_case_types,
        non_snake_case,
        non_upper_case_globals,
        dead_code
    )]
    #![allow(
        unreachable_pub,
        unused_qualifications,
        clippy::all,
        clippy::use_self,
        improper_ctypes
    )]
    include!(concat!(env!("OUT_DIR"), "/libcrypto.rs"));
}

pub use ffi::*;

/// `SSL_OP_*` option bits, generated from ssl.h.
pub mod options {
    include!(concat!(env!("OUT_DIR"), "/ssl_options.rs"));
}
pub use options::*;

/// `ERR_SYSTEM_FLAG` (a cast expression in err.h).
pub const ERR_SYSTEM_FLAG: u32 = 1 << 31;
/// `ERR_SYSTEM_MASK`.
pub const ERR_SYSTEM_MASK: u32 = (1 << 31) - 1;

mod owners;
pub use owners::*;

mod stacks;
pub use stacks::*;

mod tables;
pub use tables::*;

mod print;
pub use print::*;

mod verify;
pub use verify::*;

mod ex_data;
pub use ex_data::*;

pub mod conf;
pub mod lhash;
mod share;
pub mod srp;

mod engine;
pub use engine::ClientCertEngine;

pub mod names;

mod ct;
pub use ct::{ct_permissive, ct_strict, validate_ct, CtCallback, CtLogStore, CtVerdict, SctList};
pub use share::KeyKind;

mod dane;
pub use dane::{Dane, DaneMtypes};

pub mod tickets;

/// `SSL_OP_ALL` (a compound macro in ssl.h): the bug workarounds OpenSSL enables together.
pub const SSL_OP_ALL: u64 = SSL_OP_CRYPTOPRO_TLSEXT_BUG
    | SSL_OP_DONT_INSERT_EMPTY_FRAGMENTS
    | SSL_OP_LEGACY_SERVER_CONNECT
    | SSL_OP_TLSEXT_PADDING
    | SSL_OP_SAFARI_ECDHE_ECDSA_BUG;

/// `SSL_OP_NO_SSL_MASK`: every TLS version switch.
pub const SSL_OP_NO_SSL_MASK: u64 =
    SSL_OP_NO_SSLv3 | SSL_OP_NO_TLSv1 | SSL_OP_NO_TLSv1_1 | SSL_OP_NO_TLSv1_2 | SSL_OP_NO_TLSv1_3;
