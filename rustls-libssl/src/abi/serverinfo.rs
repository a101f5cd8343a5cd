//! Server info: TLS extensions a server would send with a certificate
//! (`SSL_CTX_use_serverinfo*`), checked, registered and kept as OpenSSL does. rustls cannot
//! send an application's extensions, so they are never sent (see `crate::serverinfo`).

use std::ffi::{c_char, c_int, c_uint};

use super::ctx::SSL_CTX;
use super::{c_str, entry, try_ref};
use crate::crypto_sys::{self as sys, Bio};
use crate::error::Error;
use crate::serverinfo;

/// `SSL_CTX_use_serverinfo_ex`: server info of `version` (`SSL_SERVERINFOV1`/`V2`) for
/// the current certificate; 1, or 0 for data OpenSSL refuses (malformed; an extension
/// type OpenSSL handles itself or that is registered already: then the data is kept all
/// the same, as in OpenSSL).
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_use_serverinfo_ex(
    ctx: *mut SSL_CTX,
    version: c_uint,
    data: *const u8,
    len: usize,
) -> c_int {
    entry(|| {
        let ctx = try_ref!(ctx);
        if data.is_null() || len == 0 {
            return Err(Error::NullArgument);
        }
        // SAFETY: data points at len bytes per the API.
        let data = unsafe { std::slice::from_raw_parts(data, len) };
        let v2 = match i32::try_from(version) {
            Ok(sys::SSL_SERVERINFOV1) => serverinfo::v1_to_v2(data),
            Ok(sys::SSL_SERVERINFOV2) => data.to_vec(),
            _ => return Err(Error::Reason(sys::SSL_R_INVALID_SERVERINFO_DATA)),
        };
        use_v2(ctx, v2)
    })
}

/// Checks, keeps and registers version 2 server info.
fn use_v2(ctx: &SSL_CTX, v2: Vec<u8>) -> Result<c_int, Error> {
    let entries =
        serverinfo::parse_v2(&v2).ok_or(Error::Reason(sys::SSL_R_INVALID_SERVERINFO_DATA))?;
    ctx.core.update_settings(|s| {
        s.credentials.set_serverinfo(v2);
        let ct = s.knobs.ct_validation.is_some();
        for e in &entries {
            if !serverinfo::registrable(e, &s.knobs.serverinfo_types, ct) {
                return Err(Error::Reason(sys::SSL_R_INVALID_SERVERINFO_DATA));
            }
            s.knobs.serverinfo_types.push(e.ext_type);
        }
        Ok(1)
    })
}

/// `SSL_CTX_use_serverinfo`: version 1 server info (type, length, data; repeated).
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_use_serverinfo(
    ctx: *mut SSL_CTX,
    data: *const u8,
    len: usize,
) -> c_int {
    // SAFETY: same contract.
    unsafe { SSL_CTX_use_serverinfo_ex(ctx, sys::SSL_SERVERINFOV1 as c_uint, data, len) }
}

/// `SSL_CTX_use_serverinfo_file`: server info from the `SERVERINFO FOR ...` and
/// `SERVERINFOV2 FOR ...` PEM blocks of a file; 1 or 0.
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_use_serverinfo_file(
    ctx: *mut SSL_CTX,
    file: *const c_char,
) -> c_int {
    entry(|| {
        let ctx = try_ref!(ctx);
        // SAFETY: file is a C string per the API.
        let path = unsafe { c_str(file) }?;
        let bio = Bio::read_file(path).ok_or(Error::Reason(sys::ERR_R_SYS_LIB))?;
        let mut v2 = Vec::new();
        let mut blocks = 0;
        // As OpenSSL: each block is checked as it is read; the end of the file leaves
        // PEM's "no start line" queued.
        while let Some((name, data)) = bio.read_pem_block() {
            v2.extend(serverinfo::pem_block(&name, &data)?);
            blocks += 1;
        }
        if blocks == 0 {
            return Err(Error::Reason(sys::SSL_R_NO_PEM_EXTENSIONS));
        }
        use_v2(ctx, v2)
    })
}
