//! `SSL_CTX` and `SSL_METHOD`: creation, reference counting, and the settings every
//! connection of a context shares.

use std::ffi::{c_char, c_int, c_long, c_uint, c_void};
use std::sync::{Arc, Mutex};

use super::callbacks::Callbacks;
use super::cipher::KeptStack;
use super::method::SSL_METHOD;
use super::{c_bytes, c_str_bytes, entry, try_ref};
use crate::context::Context;
use crate::crypto_sys::{self as sys, ExClass, ExData};
use crate::current::lock;
use crate::error::Error;

/// An `SSL_CTX`: the core context plus the C-side callbacks and application data.
pub(crate) struct SSL_CTX {
    /// The context's method (`SSL_CTX_get_ssl_method`; `SSL_CTX_set_ssl_version` changes it).
    pub method: Mutex<&'static SSL_METHOD>,
    pub core: Arc<Context>,
    pub callbacks: Mutex<super::callbacks::CtxCallbacks>,
    pub ex_data: ExData,
    /// The CA name lists (`SSL_CTX_set_client_CA_list`, `SSL_CTX_set0_CA_list`).
    pub ca_lists: Mutex<super::ca_list::CaLists>,
    /// The stacks `SSL_CTX_get_extra_chain_certs` returned (owned here, get0).
    pub extra_chain: Mutex<Vec<sys::X509Stack>>,
    /// The stack `SSL_CTX_get_ciphers` returned (owned here, get0).
    pub(super) cipher_stack: KeptStack,
    /// The hash table `SSL_CTX_sessions` returned (owned here, get0).
    pub(super) sessions_table: Mutex<Option<super::session::SessionTable>>,
    /// `SSL_CTX_set_tlsext_use_srtp`'s profiles.
    pub(super) srtp: super::srtp::SrtpProfiles,
}

impl Drop for SSL_CTX {
    fn drop(&mut self) {
        // The application's ex_data "free" callbacks see the context whole.
        self.ex_data.release();
    }
}

impl SSL_CTX {
    /// The context's method.
    pub(crate) fn method(&self) -> &'static SSL_METHOD {
        *lock(&self.method)
    }

    /// The callbacks, copied out so they run with no lock held.
    pub(crate) fn callbacks(&self) -> Callbacks {
        **lock(&self.callbacks)
    }
}

/// `SSL_CTX_new`: a context for `method`; returns a new reference or NULL.
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_new(method: *const SSL_METHOD) -> *mut SSL_CTX {
    crate::debug::init();
    entry(|| {
        // NULL or a static method from one of the *_method functions.
        // SAFETY: no settings: the defaults.
        if unsafe {
            super::err::OPENSSL_init_ssl(
                sys::OPENSSL_INIT_LOAD_SSL_STRINGS as u64,
                std::ptr::null(),
            )
        } == 0
        {
            return Err(Error::Crypto);
        }
        let method =
            SSL_METHOD::find(method).ok_or(Error::Reason(sys::SSL_R_NULL_SSL_METHOD_PASSED))?;
        let kind = method.kind()?;
        super::keylog_file::init();
        let ctx = SSL_CTX {
            method: Mutex::new(method),
            core: Arc::new(Context::new(kind)?),
            callbacks: Mutex::new(Arc::new(Callbacks {
                security: Some(super::security::default_security_callback),
                ..Callbacks::default()
            })),
            ex_data: ExData::new(ExClass::SslCtx),
            ca_lists: Mutex::new(super::ca_list::CaLists::for_ctx()),
            extra_chain: Mutex::new(Vec::new()),
            cipher_stack: KeptStack::default(),
            sessions_table: Mutex::new(None),
            srtp: super::srtp::SrtpProfiles::default(),
        };
        let mut ctx = Arc::new(ctx);
        let ptr = Arc::as_ptr(&ctx).cast_mut();
        if let Some(c) = Arc::get_mut(&mut ctx) {
            // The application's ex_data "new" callbacks see the new context.
            c.ex_data.init(ptr.cast());
        }
        let raw = Arc::into_raw(ctx).cast_mut();
        // SAFETY: raw is the live context just made.
        unsafe { super::config::system_default(raw) };
        Ok(raw)
    })
}

/// `SSL_CTX_new_ex`: as `SSL_CTX_new`; the library context and properties are ignored.
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_new_ex(
    _libctx: *mut sys::OSSL_LIB_CTX,
    _propq: *const c_char,
    method: *const SSL_METHOD,
) -> *mut SSL_CTX {
    // SAFETY: same contract as SSL_CTX_new.
    unsafe { SSL_CTX_new(method) }
}

/// `SSL_CTX_up_ref`: takes one more reference; 1 on success.
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_up_ref(ctx: *mut SSL_CTX) -> c_int {
    entry(|| {
        try_ref!(ctx);
        // SAFETY: ctx came from SSL_CTX_new (Arc::into_raw) and holds a reference.
        unsafe { Arc::increment_strong_count(ctx) };
        Ok(1)
    })
}

/// `SSL_CTX_free`: drops one reference; NULL is a no-op.
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_free(ctx: *mut SSL_CTX) {
    entry(|| {
        if !ctx.is_null() {
            // SAFETY: ctx came from SSL_CTX_new and the caller gives up one reference.
            drop(unsafe { Arc::from_raw(ctx) });
        }
        Ok(())
    })
}

/// Takes a new `Arc` to a context the caller holds a reference to.
///
/// # Safety
/// `ctx` came from `SSL_CTX_new` and is alive.
pub(super) unsafe fn ctx_arc(ctx: *const SSL_CTX) -> Arc<SSL_CTX> {
    // SAFETY: the caller guarantees a live Arc allocation; the count goes up first.
    unsafe {
        Arc::increment_strong_count(ctx);
        Arc::from_raw(ctx)
    }
}

/// `SSL_CTX_set_options`: adds option bits; returns the new options.
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_set_options(ctx: *mut SSL_CTX, op: u64) -> u64 {
    crate::debug::options("SSL_CTX_set_options", op);
    entry(|| {
        Ok(try_ref!(ctx).core.update(|s| {
            s.options |= op;
            s.options
        }))
    })
}

/// `SSL_CTX_clear_options`: removes option bits; returns the new options.
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_clear_options(ctx: *mut SSL_CTX, op: u64) -> u64 {
    entry(|| {
        Ok(try_ref!(ctx).core.update(|s| {
            s.options &= !op;
            s.options
        }))
    })
}

/// `SSL_CTX_get_options`.
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_get_options(ctx: *const SSL_CTX) -> u64 {
    entry(|| Ok(try_ref!(ctx).core.settings().options))
}

/// `SSL_CTX_set_cipher_list`: the suites of TLS 1.2 and below, as an OpenSSL cipher
/// string; rustls's suites among those OpenSSL selects are offered, in OpenSSL's order.
/// 1, or 0 with `SSL_R_INVALID_COMMAND` (list unchanged) or, when OpenSSL would select no
/// suite at all, `SSL_R_NO_CIPHER_MATCH` (list emptied, as in OpenSSL).
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_set_cipher_list(ctx: *mut SSL_CTX, s: *const c_char) -> c_int {
    entry(|| {
        let ctx = try_ref!(ctx);
        // SAFETY: s is a C string per the API.
        let rule = unsafe { c_str_bytes(s) }?;
        ctx.core.update(|s| s.set_cipher_list(rule))?;
        Ok(1)
    })
}

/// `SSL_CTX_set_ciphersuites`: the TLS 1.3 suites, as colon-separated standard names
/// (unknown ones skipped; those rustls lacks are accepted and not offered). 1, or 0 with
/// `SSL_R_NO_CIPHER_MATCH` when no name is known (list unchanged).
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_set_ciphersuites(ctx: *mut SSL_CTX, s: *const c_char) -> c_int {
    entry(|| {
        let ctx = try_ref!(ctx);
        // SAFETY: s is a C string per the API.
        let list = unsafe { c_str_bytes(s) }?;
        ctx.core.update(|s| s.set_ciphersuites(list))?;
        Ok(1)
    })
}

/// Parses ALPN wire format (length-prefixed names) into a list.
pub(super) fn parse_alpn(wire: &[u8]) -> Result<Vec<Vec<u8>>, Error> {
    let mut out = Vec::new();
    let mut rest = wire;
    while let Some((&len, tail)) = rest.split_first() {
        let len = usize::from(len);
        if len == 0 || tail.len() < len {
            return Err(Error::Silent); // OpenSSL queues nothing for a malformed list
        }
        out.push(tail[..len].to_vec());
        rest = &tail[len..];
    }
    Ok(out)
}

/// `SSL_CTX_set_alpn_protos`: protocols a client offers. Returns **0 on success**, 1 on
/// failure (OpenSSL's inverted convention).
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_set_alpn_protos(
    ctx: *mut SSL_CTX,
    p: *const u8,
    len: c_uint,
) -> c_int {
    let ok = entry(|| {
        let ctx = try_ref!(ctx);
        // SAFETY: p points at len bytes per the API.
        let list = parse_alpn(unsafe { c_bytes(p, len as usize) }?)?;
        ctx.core.update(|s| s.alpn = list);
        Ok(1)
    });
    1 - ok
}

/// `SSL_CTX_set_post_handshake_auth`: accepted; rustls clients do not do post-handshake
/// authentication, so a server's later CertificateRequest is refused.
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_set_post_handshake_auth(ctx: *mut SSL_CTX, _val: c_int) {
    entry(|| {
        try_ref!(ctx);
        Ok(())
    })
}

/// `SSL_CTX_set_timeout`: session lifetime in seconds; returns the previous one.
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_set_timeout(ctx: *mut SSL_CTX, t: c_long) -> c_long {
    entry(|| {
        let new = u64::try_from(t).map_err(|_| Error::BadValue)?;
        let old = try_ref!(ctx)
            .core
            .update(|s| std::mem::replace(&mut s.session_timeout, new));
        Ok(c_long::try_from(old).unwrap_or(c_long::MAX))
    })
}

/// `SSL_CTX_get_timeout`.
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_get_timeout(ctx: *const SSL_CTX) -> c_long {
    entry(|| {
        Ok(c_long::try_from(try_ref!(ctx).core.settings().session_timeout).unwrap_or(c_long::MAX))
    })
}

/// `SSL_CTX_set_ex_data`.
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_set_ex_data(
    ctx: *mut SSL_CTX,
    idx: c_int,
    arg: *mut c_void,
) -> c_int {
    entry(|| Ok(super::c_bool(try_ref!(ctx).ex_data.set(idx, arg))))
}

/// `SSL_CTX_get_ex_data`.
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_get_ex_data(ctx: *const SSL_CTX, idx: c_int) -> *mut c_void {
    entry(|| Ok(try_ref!(ctx).ex_data.get(idx)))
}

/// `SSL_CTX_set_max_early_data`: stores the limit. 0-RTT data is not accepted by this
/// implementation yet: servers answer `SSL_read_early_data` with "finished, nothing read"
/// and complete a normal handshake, as an OpenSSL server that rejects early data does.
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_set_max_early_data(ctx: *mut SSL_CTX, max: u32) -> c_int {
    entry(|| {
        try_ref!(ctx).core.update(|s| s.max_early_data = max);
        Ok(1)
    })
}

/// `SSL_CTX_get_max_early_data`.
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_get_max_early_data(ctx: *const SSL_CTX) -> u32 {
    entry(|| Ok(try_ref!(ctx).core.settings().max_early_data))
}

/// `SSL_select_next_proto`: picks the first of the server's protocols the client also
/// offers (`OPENSSL_NPN_NEGOTIATED`), else the client's first (`OPENSSL_NPN_NO_OVERLAP`).
/// `*out` points into the given lists.
#[no_mangle]
pub unsafe extern "C" fn SSL_select_next_proto(
    out: *mut *mut u8,
    outlen: *mut u8,
    server: *const u8,
    server_len: c_uint,
    client: *const u8,
    client_len: c_uint,
) -> c_int {
    let r = entry(|| {
        if out.is_null() || outlen.is_null() {
            return Err(Error::NullArgument);
        }
        // SAFETY: both lists are readable for their lengths per the API.
        let (server, client) = unsafe {
            (
                c_bytes(server, server_len as usize)?,
                c_bytes(client, client_len as usize)?,
            )
        };
        let (server_list, client_list) = (wire_entries(server), wire_entries(client));
        let (status, chosen) = match server_list
            .iter()
            .find(|s| client_list.iter().any(|c| c.1 == s.1))
        {
            Some(hit) => (sys::OPENSSL_NPN_NEGOTIATED, Some((server, *hit))),
            None => (
                sys::OPENSSL_NPN_NO_OVERLAP,
                client_list.first().map(|c| (client, *c)),
            ),
        };
        // SAFETY: out and outlen are writable; the pointer stays inside the caller's list.
        unsafe {
            match chosen {
                Some((list, (offset, proto))) => {
                    *out = list.as_ptr().add(offset).cast_mut();
                    *outlen = u8::try_from(proto.len()).unwrap_or(0);
                }
                None => {
                    *out = std::ptr::null_mut();
                    *outlen = 0;
                }
            }
        }
        Ok(status + 1)
    });
    // entry's failure value is 0; statuses are shifted by one to keep 0 distinct.
    if r == 0 {
        sys::OPENSSL_NPN_NO_OVERLAP
    } else {
        r - 1
    }
}

/// `(offset of the name, name)` for each entry of an ALPN wire list.
fn wire_entries(wire: &[u8]) -> Vec<(usize, &[u8])> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < wire.len() {
        let len = usize::from(wire[i]);
        if len == 0 || i + 1 + len > wire.len() {
            break;
        }
        out.push((i + 1, &wire[i + 1..i + 1 + len]));
        i += 1 + len;
    }
    out
}

/// `SSL_CTX_get_security_level`: the level set last (by `SSL_CTX_set_security_level` or a
/// cipher string's `@SECLEVEL=n`); 2, Debian 12's default, at first.
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_get_security_level(ctx: *const SSL_CTX) -> c_int {
    entry(|| Ok(try_ref!(ctx).core.settings().security_level))
}

/// `SSL_CTX_set_security_level`: sets the level. Of OpenSSL's checks it applies the one on
/// cipher suites (too few secret bits, no forward secrecy at level 3 and up): those are not
/// offered. Key sizes and signature algorithms are not checked against it.
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_set_security_level(ctx: *mut SSL_CTX, level: c_int) {
    entry(|| {
        try_ref!(ctx).core.update(|s| s.security_level = level);
        Ok(())
    })
}
