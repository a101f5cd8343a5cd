//! `SSL_CIPHER`: OpenSSL's suite table, the negotiated suite, and the suite lists of a
//! context or connection as `STACK_OF(SSL_CIPHER)`.
//!
//! An `SSL_CIPHER *` points at a static entry of the core's copy of OpenSSL 3.0's table, so
//! every suite OpenSSL knows has one (also those rustls lacks). The lists a context or
//! connection keeps hold only the suites rustls implements, in OpenSSL's order: that is what
//! `SSL_get_ciphers` and its relatives report, where OpenSSL also lists the others.

use std::ffi::{c_char, c_int, CString};
use std::ptr::{null, null_mut};
use std::sync::Mutex;

use super::ctx::SSL_CTX;
use super::{c_bytes, c_str_bytes, entry, try_ref, SSL};
use crate::ciphers::{Cipher, CipherList, Offered, DEFAULT_RULE, DEFAULT_SUITES};
use crate::connection::Role;
use crate::crypto_sys::{self as sys, StaticStack};
use crate::current::lock;
use crate::error::Error;

/// `SSL_CIPHER` is a table entry of the core ([`Cipher`]); pointers to it are static.
///
/// cbindgen:ignore
/// (the header names OpenSSL's typedef: cbindgen must not see this one, or it would
/// emit it as a typedef of itself.)
pub(super) type SSL_CIPHER = Cipher;

/// A `STACK_OF(SSL_CIPHER)` handed out as get0 and kept until the list it shows changes (or
/// its owner is freed), as OpenSSL keeps its own list.
#[derive(Default)]
pub(super) struct KeptStack(Mutex<Option<(Vec<&'static Cipher>, StaticStack)>>);

impl KeptStack {
    /// The stack of `list`: the same one as last time if the list is unchanged.
    fn get(&self, list: Vec<&'static Cipher>) -> Result<*mut sys::stack_st_SSL_CIPHER, Error> {
        let mut slot = lock(&self.0);
        if slot.as_ref().is_none_or(|(kept, _)| *kept != list) {
            let stack = StaticStack::new(&list).ok_or(Error::Crypto)?;
            *slot = Some((list, stack));
        }
        Ok(slot.as_ref().map_or(null_mut(), |(_, s)| s.as_ptr().cast()))
    }
}

/// `SSL_get_current_cipher`: the negotiated suite (static), or NULL before the handshake.
#[no_mangle]
pub unsafe extern "C" fn SSL_get_current_cipher(ssl: *const SSL) -> *const SSL_CIPHER {
    entry(|| {
        Ok(try_ref!(ssl)
            .status()
            .cipher
            .map_or(null(), |c| c as *const _))
    })
}

/// `SSL_get_pending_cipher`: same as the current cipher here.
#[no_mangle]
pub unsafe extern "C" fn SSL_get_pending_cipher(ssl: *const SSL) -> *const SSL_CIPHER {
    // SAFETY: same contract.
    unsafe { SSL_get_current_cipher(ssl) }
}

/// `SSL_CIPHER_find`: the suite with the two-byte id at `ptr` (static): any suite of
/// OpenSSL's table, also a signalling value; NULL if OpenSSL does not know the id.
#[no_mangle]
pub unsafe extern "C" fn SSL_CIPHER_find(ssl: *mut SSL, ptr: *const u8) -> *const SSL_CIPHER {
    entry(|| {
        try_ref!(ssl);
        // SAFETY: ptr points at two bytes per the API.
        let id = unsafe { c_bytes(ptr, 2) }?;
        let id = u16::from_be_bytes([id[0], id[1]]);
        Ok(Cipher::by_id(id).map_or(null(), |c| c as *const _))
    })
}

/// `SSL_CIPHER_get_name`: OpenSSL's name (static); "(NONE)" for NULL.
#[no_mangle]
pub unsafe extern "C" fn SSL_CIPHER_get_name(c: *const SSL_CIPHER) -> *const c_char {
    entry(|| {
        // SAFETY: NULL or a pointer into the table (from this library).
        Ok(unsafe { c.as_ref() }
            .map_or(c"(NONE)", Cipher::name)
            .as_ptr())
    })
}

/// `SSL_CIPHER_standard_name`: the RFC name (static); NULL for the few suites OpenSSL has
/// none for; "(NONE)" for NULL.
#[no_mangle]
pub unsafe extern "C" fn SSL_CIPHER_standard_name(c: *const SSL_CIPHER) -> *const c_char {
    entry(|| {
        // SAFETY: NULL or a pointer into the table.
        Ok(match unsafe { c.as_ref() } {
            Some(c) => c.standard_name().map_or(null(), |n| n.as_ptr()),
            None => c"(NONE)".as_ptr(),
        })
    })
}

/// `OPENSSL_cipher_name`: OpenSSL's name (static) of the suite with RFC name `rfc_name`;
/// "(NONE)" when it is NULL or unknown.
#[no_mangle]
pub unsafe extern "C" fn OPENSSL_cipher_name(rfc_name: *const c_char) -> *const c_char {
    entry(|| {
        if rfc_name.is_null() {
            return Ok(c"(NONE)".as_ptr());
        }
        // SAFETY: a NUL-terminated string per the API.
        let name = unsafe { c_str_bytes(rfc_name) }?;
        Ok(Cipher::by_standard_name(name)
            .map_or(c"(NONE)", Cipher::name)
            .as_ptr())
    })
}

/// `SSL_CIPHER_get_bits`: secret bits, also stored in `*alg_bits` if given; 0 for NULL.
#[no_mangle]
pub unsafe extern "C" fn SSL_CIPHER_get_bits(c: *const SSL_CIPHER, alg_bits: *mut c_int) -> c_int {
    entry(|| {
        // SAFETY: NULL or a pointer into the table.
        let Some(c) = (unsafe { c.as_ref() }) else {
            return Ok(0);
        };
        if !alg_bits.is_null() {
            // SAFETY: alg_bits is writable per the API.
            unsafe { *alg_bits = c.bits() };
        }
        Ok(c.bits())
    })
}

/// `SSL_CIPHER_get_version`: the lowest protocol version of the suite ("TLSv1.0",
/// "TLSv1.2"...; "unknown" for a signalling value), static; "(NONE)" for NULL.
#[no_mangle]
pub unsafe extern "C" fn SSL_CIPHER_get_version(c: *const SSL_CIPHER) -> *const c_char {
    entry(|| {
        // SAFETY: NULL or a pointer into the table.
        Ok(unsafe { c.as_ref() }
            .map_or(c"(NONE)", Cipher::version)
            .as_ptr())
    })
}

/// `SSL_CIPHER_get_id`: OpenSSL's id, 0x0300XXXX with XXXX the IANA id.
#[no_mangle]
pub unsafe extern "C" fn SSL_CIPHER_get_id(c: *const SSL_CIPHER) -> u32 {
    entry(|| Ok(try_ref!(c).openssl_id()))
}

/// `SSL_CIPHER_get_protocol_id`: the IANA id.
#[no_mangle]
pub unsafe extern "C" fn SSL_CIPHER_get_protocol_id(c: *const SSL_CIPHER) -> u16 {
    entry(|| Ok(try_ref!(c).iana_id()))
}

/// `SSL_CIPHER_get_cipher_nid`: the bulk cipher's NID; `NID_undef` for NULL ciphers and
/// for NULL.
#[no_mangle]
pub unsafe extern "C" fn SSL_CIPHER_get_cipher_nid(c: *const SSL_CIPHER) -> c_int {
    entry(|| {
        // SAFETY: NULL or a pointer into the table.
        Ok(unsafe { c.as_ref() }.map_or(sys::NID_undef, Cipher::cipher_nid))
    })
}

/// `SSL_CIPHER_get_digest_nid`: the MAC's digest NID; `NID_undef` for an AEAD suite.
#[no_mangle]
pub unsafe extern "C" fn SSL_CIPHER_get_digest_nid(c: *const SSL_CIPHER) -> c_int {
    entry(|| Ok(try_ref!(c).digest_nid()))
}

/// `SSL_CIPHER_get_kx_nid`: the key exchange's NID (`NID_kx_ecdhe`..., `NID_kx_any` for
/// TLS 1.3).
#[no_mangle]
pub unsafe extern "C" fn SSL_CIPHER_get_kx_nid(c: *const SSL_CIPHER) -> c_int {
    entry(|| Ok(try_ref!(c).kx_nid()))
}

/// `SSL_CIPHER_get_auth_nid`: the authentication's NID (`NID_auth_rsa`..., `NID_auth_any`
/// for TLS 1.3).
#[no_mangle]
pub unsafe extern "C" fn SSL_CIPHER_get_auth_nid(c: *const SSL_CIPHER) -> c_int {
    entry(|| Ok(try_ref!(c).auth_nid()))
}

/// `SSL_CIPHER_get_handshake_digest`: libcrypto's static digest of the handshake (and PRF)
/// hash (`EVP_sha256()`...; MD5-SHA1 below TLS 1.2); NULL when libcrypto has none.
#[no_mangle]
pub unsafe extern "C" fn SSL_CIPHER_get_handshake_digest(
    c: *const SSL_CIPHER,
) -> *const sys::EVP_MD {
    entry(|| Ok(sys::digest_by_nid(try_ref!(c).handshake_digest_nid())))
}

/// `SSL_CIPHER_is_aead`: 1 if the cipher authenticates itself (GCM, CCM, ChaCha20-Poly1305).
#[no_mangle]
pub unsafe extern "C" fn SSL_CIPHER_is_aead(c: *const SSL_CIPHER) -> c_int {
    entry(|| Ok(c_int::from(try_ref!(c).is_aead())))
}

/// `SSL_CIPHER_description`: OpenSSL's one-line description (`NAME VERSION Kx=.. Au=..
/// Enc=.. Mac=..`, newline-terminated) written into `buf` (cut to `size` bytes with the
/// NUL); with a NULL `buf`, into a new 128-byte buffer from `OPENSSL_malloc` the caller
/// frees. Returns the buffer, or NULL (no error queued) when `size` is below 128.
#[no_mangle]
pub unsafe extern "C" fn SSL_CIPHER_description(
    c: *const SSL_CIPHER,
    buf: *mut c_char,
    size: c_int,
) -> *mut c_char {
    entry(|| {
        let line = CString::new(try_ref!(c).description()).map_err(|_| Error::Internal)?;
        if buf.is_null() {
            let out = sys::malloc_cstr(&line, 128);
            return if out.is_null() {
                Err(Error::Reason(sys::ERR_R_MALLOC_FAILURE))
            } else {
                Ok(out)
            };
        }
        let size = match usize::try_from(size) {
            Ok(size) if size >= 128 => size,
            _ => return Ok(null_mut()),
        };
        // SAFETY: buf is writable for size bytes per the API.
        let out = unsafe { super::out_slice(buf.cast(), size) };
        let text = line.as_bytes_with_nul();
        let n = text.len().min(size);
        out[..n].copy_from_slice(&text[..n]);
        out[n - 1] = 0;
        Ok(buf)
    })
}

/// `OSSL_default_cipher_list`: the cipher string of a new context (static).
#[no_mangle]
pub unsafe extern "C" fn OSSL_default_cipher_list() -> *const c_char {
    entry(|| Ok(DEFAULT_RULE.as_ptr()))
}

/// `OSSL_default_ciphersuites`: the TLS 1.3 suites of a new context (static).
#[no_mangle]
pub unsafe extern "C" fn OSSL_default_ciphersuites() -> *const c_char {
    entry(|| Ok(DEFAULT_SUITES.as_ptr()))
}

/// `SSL_CTX_get_ciphers`: the context's suites, TLS 1.3 first (get0: owned by the context,
/// valid until its list changes); NULL for NULL. Lists only the suites rustls implements.
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_get_ciphers(ctx: *const SSL_CTX) -> *mut sys::stack_st_SSL_CIPHER {
    entry(|| {
        // SAFETY: NULL or a context from SSL_CTX_new.
        let Some(ctx) = (unsafe { ctx.as_ref() }) else {
            return Ok(null_mut());
        };
        let list = ctx.core.settings().ciphers();
        ctx.cipher_stack.get(list)
    })
}

/// `SSL_get_ciphers`: the connection's suites (its own, else its context's), TLS 1.3 first
/// (get0: owned by the SSL, valid until the list changes); NULL for NULL. Lists only the
/// suites rustls implements.
#[no_mangle]
pub unsafe extern "C" fn SSL_get_ciphers(ssl: *const SSL) -> *mut sys::stack_st_SSL_CIPHER {
    entry(|| {
        // SAFETY: NULL or a connection from SSL_new.
        let Some(ssl) = (unsafe { ssl.as_ref() }) else {
            return Ok(null_mut());
        };
        let list = ssl.setup().settings.ciphers();
        ssl.rare().cipher_stack.get(list)
    })
}

/// `SSL_get_cipher_list`: the OpenSSL name (static) of the `n`th suite of `SSL_get_ciphers`,
/// or NULL past the end.
#[no_mangle]
pub unsafe extern "C" fn SSL_get_cipher_list(ssl: *const SSL, n: c_int) -> *const c_char {
    entry(|| {
        // SAFETY: NULL or a connection from SSL_new.
        let Some(ssl) = (unsafe { ssl.as_ref() }) else {
            return Ok(null());
        };
        let list = ssl.setup().settings.ciphers();
        Ok(usize::try_from(n)
            .ok()
            .and_then(|n| list.get(n))
            .map_or(null(), |c| c.name().as_ptr()))
    })
}

/// `SSL_get1_supported_ciphers`: the suites of `SSL_get_ciphers` that the enabled protocol
/// versions and the security level allow, as a new stack the caller frees with
/// `sk_SSL_CIPHER_free` (get1); NULL when there is none.
#[no_mangle]
pub unsafe extern "C" fn SSL_get1_supported_ciphers(
    ssl: *mut SSL,
) -> *mut sys::stack_st_SSL_CIPHER {
    entry(|| {
        let (settings, options) = {
            let setup = try_ref!(ssl).setup();
            (std::sync::Arc::clone(&setup.settings), setup.options)
        };
        let versions = settings.versions.enabled(options);
        let versions = versions.iter().map(|v| u16::from(v.version));
        let (Some(min), Some(max)) = (versions.clone().min(), versions.max()) else {
            return Ok(null_mut());
        };
        let supported: Vec<_> = settings
            .ciphers()
            .into_iter()
            .filter(|c| c.allowed_for(min, max) && c.allowed_at(settings.security_level))
            .collect();
        if supported.is_empty() {
            return Ok(null_mut());
        }
        let stack = StaticStack::new(&supported).ok_or(Error::Crypto)?;
        Ok(stack.into_raw().cast())
    })
}

/// `SSL_get_client_ciphers`: on a server that has read the ClientHello, the suites the client
/// offered that OpenSSL knows, in its order (get0: owned by the SSL); otherwise NULL.
#[no_mangle]
pub unsafe extern "C" fn SSL_get_client_ciphers(ssl: *const SSL) -> *mut sys::stack_st_SSL_CIPHER {
    entry(|| {
        // SAFETY: NULL or a connection from SSL_new.
        let Some(ssl) = (unsafe { ssl.as_ref() }) else {
            return Ok(null_mut());
        };
        match client_suites(ssl) {
            Some(suites) => ssl.rare().client_cipher_stack.get(suites),
            None => Ok(null_mut()),
        }
    })
}

/// `SSL_get_shared_ciphers`: on a server that has read the ClientHello, writes into `buf`
/// the names of the client's suites that are also in `SSL_get_ciphers`, in the client's
/// order, colon-separated, as many whole names as fit in `size` bytes with the NUL. Returns
/// `buf`, or NULL (nothing written) if no name fits, none is shared, or `size` is below 2.
#[no_mangle]
pub unsafe extern "C" fn SSL_get_shared_ciphers(
    ssl: *const SSL,
    buf: *mut c_char,
    size: c_int,
) -> *mut c_char {
    entry(|| {
        let ssl = try_ref!(ssl);
        let size = match usize::try_from(size) {
            Ok(size) if size >= 2 && !buf.is_null() => size,
            _ => return Ok(null_mut()),
        };
        let Some(client) = client_suites(ssl) else {
            return Ok(null_mut());
        };
        let ours = ssl.setup().settings.ciphers();
        let Some(text) = CipherList::shared_names(&client, &ours, size) else {
            return Ok(null_mut());
        };
        // SAFETY: buf is writable for size bytes per the API.
        let out = unsafe { super::out_slice(buf.cast(), size) };
        // text is at most size bytes.
        out[..text.len()].copy_from_slice(&text);
        Ok(buf)
    })
}

/// `SSL_bytes_to_cipher_list`: decodes a ClientHello's cipher-suite list (two-byte ids, or
/// SSLv2's three-byte ones with `isv2format`) into new stacks the caller frees with
/// `sk_SSL_CIPHER_free` (get1): the suites OpenSSL knows into `*sk` and the signalling values
/// into `*scsvs`, each if not NULL. 1, or 0 for an empty or truncated list.
#[no_mangle]
pub unsafe extern "C" fn SSL_bytes_to_cipher_list(
    ssl: *mut SSL,
    bytes: *const u8,
    len: usize,
    isv2format: c_int,
    sk: *mut *mut sys::stack_st_SSL_CIPHER,
    scsvs: *mut *mut sys::stack_st_SSL_CIPHER,
) -> c_int {
    entry(|| {
        try_ref!(ssl);
        // SAFETY: bytes points at len readable bytes per the API.
        let raw = unsafe { c_bytes(bytes, len) }?;
        let offered = Offered::decode(raw, isv2format != 0)?;
        let suites = StaticStack::new(&offered.suites).ok_or(Error::Crypto)?;
        let signals = StaticStack::new(&offered.scsvs).ok_or(Error::Crypto)?;
        // SAFETY: each is NULL or writable per the API; the stacks pass to the caller.
        unsafe {
            if let Some(out) = sk.as_mut() {
                *out = suites.into_raw().cast();
            }
            if let Some(out) = scsvs.as_mut() {
                *out = signals.into_raw().cast();
            }
        }
        Ok(1)
    })
}

/// The suites a client offered, as a server read them from its ClientHello.
fn client_suites(ssl: &SSL) -> Option<Vec<&'static Cipher>> {
    if ssl.setup().role != Some(Role::Server) {
        return None;
    }
    let hello = lock(&ssl.state.hello);
    let offered = Offered::decode(&hello.as_ref()?.raw_ciphers, false).ok()?;
    Some(offered.suites)
}
