//! CA name lists: the names a server sends in its CertificateRequest
//! (`SSL_CTX_set_client_CA_list`, `SSL_CTX_add_client_CA`, and the general CA list of
//! `SSL_CTX_set0_CA_list` used when no client CA list is set), the names a client
//! received (`SSL_get_client_CA_list` on a client, `SSL_get0_peer_CA_list`), and the
//! helpers that read names from files (`SSL_load_client_CA_file`,
//! `SSL_add_*_cert_subjects_to_stack`, `SSL_dup_CA_list`).
//!
//! The lists are the application's `STACK_OF(X509_NAME)` objects, kept as given (get0
//! returns them); the names the handshake sends are copied from them when they are set.

use std::ffi::{c_char, c_int};
use std::sync::Mutex;

use super::ctx::SSL_CTX;
use super::{c_str, entry, try_ref, SSL};
use crate::crypto_sys::{self as sys, names, Cert, NameStack};
use crate::current::lock;
use crate::error::Error;

/// The two lists of a context or connection (a context's start empty, a connection's
/// unset, as in OpenSSL).
#[derive(Default)]
pub(crate) struct CaLists {
    /// `SSL_CTX_set_client_CA_list` / `SSL_set_client_CA_list`.
    pub client: Option<NameStack>,
    /// `SSL_CTX_set0_CA_list` / `SSL_set0_CA_list`.
    pub general: Option<NameStack>,
}

/// Which list.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Which {
    Client,
    General,
}

impl CaLists {
    fn get(&self, which: Which) -> &Option<NameStack> {
        match which {
            Which::Client => &self.client,
            Which::General => &self.general,
        }
    }

    fn get_mut(&mut self, which: Which) -> &mut Option<NameStack> {
        match which {
            Which::Client => &mut self.client,
            Which::General => &mut self.general,
        }
    }

    /// A context's lists: both empty.
    pub(crate) fn for_ctx() -> Self {
        Self {
            client: NameStack::new(),
            general: NameStack::new(),
        }
    }

    /// The names a server sends: the client CA list, else (unset or empty) the general one.
    fn sent(&self) -> Vec<Vec<u8>> {
        let client = self
            .client
            .as_ref()
            .map(NameStack::ders)
            .unwrap_or_default();
        if !client.is_empty() {
            return client;
        }
        self.general_names()
    }

    /// The general list (a client sends it in TLS 1.3's `certificate_authorities`).
    fn general_names(&self) -> Vec<Vec<u8>> {
        self.general
            .as_ref()
            .map(NameStack::ders)
            .unwrap_or_default()
    }
}

/// The names a context's or connection's handshakes send: a server's in its certificate
/// request, a client's in its hello.
fn apply(s: &mut crate::context::Settings, sent: Vec<Vec<u8>>, general: Vec<Vec<u8>>) {
    s.client_ca_names = sent.into_iter().map(Into::into).collect();
    s.ca_names = general.into_iter().map(Into::into).collect();
}

/// What a context's lists make its handshakes send.
fn ctx_names(lists: &CaLists) -> (Vec<Vec<u8>>, Vec<Vec<u8>>) {
    (lists.sent(), lists.general_names())
}

/// What a connection's lists (else its context's) make its handshake send.
fn ssl_names(ssl: &SSL) -> (Vec<Vec<u8>>, Vec<Vec<u8>>) {
    let own = lock(&ssl.rare().ca_lists);
    let ctx = ssl.ctx();
    let ctx_lists = lock(&ctx.ca_lists);
    let client = own.client.as_ref().or(ctx_lists.client.as_ref());
    let general = own.general.as_ref().or(ctx_lists.general.as_ref());
    let merged = CaLists {
        client: client.and_then(|c| NameStack::from_ders(&c.ders())),
        general: general.and_then(|g| NameStack::from_ders(&g.ders())),
    };
    (merged.sent(), merged.general_names())
}

/// Replaces a context's list (taking the stack) and what its handshakes send.
fn set_ctx(ctx: &SSL_CTX, which: Which, list: Option<NameStack>) {
    let (sent, general) = {
        let mut lists = lock(&ctx.ca_lists);
        *lists.get_mut(which) = list;
        ctx_names(&lists)
    };
    ctx.core.update(|s| apply(s, sent, general));
}

/// Replaces a connection's list (taking the stack) and what its handshake sends.
fn set_ssl(ssl: &SSL, which: Which, list: Option<NameStack>) {
    *lock(&ssl.rare().ca_lists).get_mut(which) = list;
    refresh_ssl(ssl);
}

/// Appends `x`'s subject to a list (made if absent); the names sent follow.
fn add(lists: &Mutex<CaLists>, which: Which, x: *const sys::X509) -> Result<(), Error> {
    // SAFETY: x is NULL or a valid certificate the caller keeps.
    let cert = unsafe { Cert::from_ptr_up_ref(x.cast_mut()) }.ok_or(Error::Silent)?;
    let mut lists = lock(lists);
    let slot = lists.get_mut(which);
    if slot.is_none() {
        *slot = NameStack::new();
    }
    let stack = slot.as_ref().ok_or(Error::Crypto)?;
    // SAFETY: the stack is ours; the certificate is alive.
    if unsafe { sys::push_subject(stack.as_ptr(), &cert) } {
        Ok(())
    } else {
        Err(Error::Silent)
    }
}

/// `SSL_CTX_set_client_CA_list`: the names a server sends in CertificateRequest (takes
/// over the stack; NULL clears it).
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_set_client_CA_list(
    ctx: *mut SSL_CTX,
    list: *mut sys::stack_st_X509_NAME,
) {
    entry(|| {
        let ctx = try_ref!(ctx);
        // SAFETY: the caller hands over the stack.
        set_ctx(ctx, Which::Client, unsafe {
            NameStack::from_raw(list.cast())
        });
        Ok(())
    })
}

/// `SSL_set_client_CA_list`: as [`SSL_CTX_set_client_CA_list`] for one connection.
#[no_mangle]
pub unsafe extern "C" fn SSL_set_client_CA_list(ssl: *mut SSL, list: *mut sys::stack_st_X509_NAME) {
    entry(|| {
        let ssl = try_ref!(ssl);
        // SAFETY: the caller hands over the stack.
        set_ssl(ssl, Which::Client, unsafe {
            NameStack::from_raw(list.cast())
        });
        Ok(())
    })
}

/// `SSL_CTX_get_client_CA_list`: the context's list (get0), or NULL.
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_get_client_CA_list(
    ctx: *const SSL_CTX,
) -> *mut sys::stack_st_X509_NAME {
    entry(|| Ok(raw(lock(&try_ref!(ctx).ca_lists).get(Which::Client))))
}

/// `SSL_get_client_CA_list`: a server's list (its own, else its context's); on a client,
/// the names the server sent in its CertificateRequest (get0), or NULL.
#[no_mangle]
pub unsafe extern "C" fn SSL_get_client_CA_list(ssl: *const SSL) -> *mut sys::stack_st_X509_NAME {
    entry(|| {
        let ssl = try_ref!(ssl);
        if !is_server(ssl) {
            // A client: what the server asked for, once a version is negotiated.
            if ssl.status().version == 0 {
                return Ok(std::ptr::null_mut());
            }
            return peer_names(ssl);
        }
        let own = raw(lock(&ssl.rare().ca_lists).get(Which::Client));
        if !own.is_null() {
            return Ok(own);
        }
        Ok(raw(lock(&ssl.ctx().ca_lists).get(Which::Client)))
    })
}

/// `SSL_get0_peer_CA_list`: the CA names the peer sent (get0), or NULL.
#[no_mangle]
pub unsafe extern "C" fn SSL_get0_peer_CA_list(ssl: *const SSL) -> *const sys::stack_st_X509_NAME {
    entry(|| Ok(peer_names(try_ref!(ssl))?.cast_const()))
}

/// Whether OpenSSL counts the connection as a server: its role once set, else whether its
/// method can accept (`TLS_method` can).
fn is_server(ssl: &SSL) -> bool {
    let setup = ssl.setup();
    match setup.role {
        Some(role) => role == crate::setup::Role::Server,
        None => setup.ctx.method.roles != crate::context::Method::Client,
    }
}

/// The names the peer sent, as a stack the connection keeps (get0): a server's
/// certificate request (clients), a TLS 1.3 client's `certificate_authorities`
/// (servers).
fn peer_names(ssl: &SSL) -> Result<*mut sys::stack_st_X509_NAME, Error> {
    let names = if ssl.setup().role == Some(crate::setup::Role::Server) {
        let tls13 = ssl.status().version == crate::versions::TLS1_3;
        lock(&ssl.state.hello)
            .as_ref()
            .and_then(|h| h.ca_names.as_deref().map(<[Vec<u8>]>::to_vec))
            .filter(|_| tls13)
    } else {
        lock(&ssl.state.peer_ca_names).clone()
    };
    let Some(names) = names else {
        return Ok(std::ptr::null_mut());
    };
    let mut kept = lock(&ssl.rare().peer_ca_stack);
    if kept.is_none() {
        *kept = Some(NameStack::from_ders(&names).ok_or(Error::Crypto)?);
    }
    Ok(raw(&kept))
}

/// `SSL_CTX_add_client_CA`: appends `x`'s subject to the context's client CA list; 1 or 0.
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_add_client_CA(ctx: *mut SSL_CTX, x: *mut sys::X509) -> c_int {
    entry(|| {
        let ctx = try_ref!(ctx);
        add(&ctx.ca_lists, Which::Client, x)?;
        refresh_ctx(ctx);
        Ok(1)
    })
}

/// `SSL_add_client_CA`: as [`SSL_CTX_add_client_CA`] for one connection.
#[no_mangle]
pub unsafe extern "C" fn SSL_add_client_CA(ssl: *mut SSL, x: *mut sys::X509) -> c_int {
    entry(|| {
        let ssl = try_ref!(ssl);
        add(&ssl.rare().ca_lists, Which::Client, x)?;
        refresh_ssl(ssl);
        Ok(1)
    })
}

/// `SSL_CTX_add1_to_CA_list`: appends `x`'s subject to the context's general CA list.
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_add1_to_CA_list(ctx: *mut SSL_CTX, x: *const sys::X509) -> c_int {
    entry(|| {
        let ctx = try_ref!(ctx);
        add(&ctx.ca_lists, Which::General, x)?;
        refresh_ctx(ctx);
        Ok(1)
    })
}

/// `SSL_add1_to_CA_list`: as [`SSL_CTX_add1_to_CA_list`] for one connection.
#[no_mangle]
pub unsafe extern "C" fn SSL_add1_to_CA_list(ssl: *mut SSL, x: *const sys::X509) -> c_int {
    entry(|| {
        let ssl = try_ref!(ssl);
        add(&ssl.rare().ca_lists, Which::General, x)?;
        refresh_ssl(ssl);
        Ok(1)
    })
}

/// Recomputes the names a context's handshakes send after a list changed in place.
fn refresh_ctx(ctx: &SSL_CTX) {
    let (sent, general) = ctx_names(&lock(&ctx.ca_lists));
    ctx.core.update(|s| apply(s, sent, general));
}

/// As [`refresh_ctx`] for one connection.
fn refresh_ssl(ssl: &SSL) {
    let (sent, general) = ssl_names(ssl);
    ssl.setup().update(|s| apply(s, sent, general));
}

/// `SSL_CTX_set0_CA_list`: the context's general CA list (takes over the stack).
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_set0_CA_list(
    ctx: *mut SSL_CTX,
    list: *mut sys::stack_st_X509_NAME,
) {
    entry(|| {
        let ctx = try_ref!(ctx);
        // SAFETY: the caller hands over the stack.
        set_ctx(ctx, Which::General, unsafe {
            NameStack::from_raw(list.cast())
        });
        Ok(())
    })
}

/// `SSL_set0_CA_list`: as [`SSL_CTX_set0_CA_list`] for one connection.
#[no_mangle]
pub unsafe extern "C" fn SSL_set0_CA_list(ssl: *mut SSL, list: *mut sys::stack_st_X509_NAME) {
    entry(|| {
        let ssl = try_ref!(ssl);
        // SAFETY: the caller hands over the stack.
        set_ssl(ssl, Which::General, unsafe {
            NameStack::from_raw(list.cast())
        });
        Ok(())
    })
}

/// `SSL_CTX_get0_CA_list`: the context's general CA list (get0), or NULL.
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_get0_CA_list(
    ctx: *const SSL_CTX,
) -> *const sys::stack_st_X509_NAME {
    entry(|| Ok(raw(lock(&try_ref!(ctx).ca_lists).get(Which::General)).cast_const()))
}

/// `SSL_get0_CA_list`: the connection's general CA list, else its context's (get0).
#[no_mangle]
pub unsafe extern "C" fn SSL_get0_CA_list(ssl: *const SSL) -> *const sys::stack_st_X509_NAME {
    entry(|| {
        let ssl = try_ref!(ssl);
        let own = raw(lock(&ssl.rare().ca_lists).get(Which::General));
        if !own.is_null() {
            return Ok(own.cast_const());
        }
        Ok(raw(lock(&ssl.ctx().ca_lists).get(Which::General)).cast_const())
    })
}

/// The raw stack of a list (get0), or NULL.
fn raw(list: &Option<NameStack>) -> *mut sys::stack_st_X509_NAME {
    list.as_ref()
        .map_or(std::ptr::null_mut(), |s| s.as_ptr().cast())
}

/// `SSL_dup_CA_list`: a deep copy of a stack of names (the caller owns it); NULL on
/// failure.
#[no_mangle]
pub unsafe extern "C" fn SSL_dup_CA_list(
    sk: *const sys::stack_st_X509_NAME,
) -> *mut sys::stack_st_X509_NAME {
    entry(|| {
        // SAFETY: sk is NULL or a valid stack of names.
        let copy = unsafe { NameStack::dup_of(sk.cast()) }.ok_or(Error::Crypto)?;
        Ok(copy.into_raw().cast())
    })
}

/// `SSL_load_client_CA_file`: the distinct subject names of the certificates in a PEM
/// file, as a new stack the caller owns; NULL if the file holds none or cannot be read.
#[no_mangle]
pub unsafe extern "C" fn SSL_load_client_CA_file(
    file: *const c_char,
) -> *mut sys::stack_st_X509_NAME {
    entry(|| {
        // SAFETY: file is a C string per the API.
        let path = unsafe { c_str(file) }?;
        let stack = names::load_file_subjects(path).ok_or(Error::Crypto)?;
        Ok(stack.into_raw().cast())
    })
}

/// `SSL_load_client_CA_file_ex`: as [`SSL_load_client_CA_file`]; the library context and
/// properties are not used.
#[no_mangle]
pub unsafe extern "C" fn SSL_load_client_CA_file_ex(
    file: *const c_char,
    _libctx: *mut sys::OSSL_LIB_CTX,
    _propq: *const c_char,
) -> *mut sys::stack_st_X509_NAME {
    // SAFETY: same contract.
    unsafe { SSL_load_client_CA_file(file) }
}

/// `SSL_add_file_cert_subjects_to_stack`: appends the subjects of the certificates in a
/// PEM file that `stack` does not hold yet (sorting the names already there, as OpenSSL
/// does); 1, or 0 if the file cannot be read.
#[no_mangle]
pub unsafe extern "C" fn SSL_add_file_cert_subjects_to_stack(
    stack: *mut sys::stack_st_X509_NAME,
    file: *const c_char,
) -> c_int {
    entry(|| {
        if stack.is_null() {
            return Err(Error::NullArgument);
        }
        // SAFETY: file is a C string per the API.
        let path = unsafe { c_str(file) }?;
        // SAFETY: stack is a valid stack of names per the API.
        if unsafe { names::add_file_subjects(stack.cast(), path) } {
            Ok(1)
        } else {
            Err(Error::Crypto)
        }
    })
}

/// `SSL_add_dir_cert_subjects_to_stack`: as [`SSL_add_file_cert_subjects_to_stack`] for
/// every file of a directory (subdirectories skipped), in directory order; 1 or 0.
#[no_mangle]
pub unsafe extern "C" fn SSL_add_dir_cert_subjects_to_stack(
    stack: *mut sys::stack_st_X509_NAME,
    dir: *const c_char,
) -> c_int {
    entry(|| {
        if stack.is_null() {
            return Err(Error::NullArgument);
        }
        // SAFETY: dir is a C string per the API.
        let dir = unsafe { c_str(dir) }?;
        let entries = match std::fs::read_dir(dir) {
            Ok(e) => e,
            Err(e) => {
                // The system error, then the library's, as OpenSSL queues them.
                super::push_error(&Error::File(e));
                return Err(Error::Reason(sys::ERR_R_SYS_LIB));
            }
        };
        for entry in entries {
            let path = entry.map_err(Error::File)?.path();
            if path.is_dir() {
                continue;
            }
            let Some(p) = path.to_str() else {
                return Err(Error::BadValue);
            };
            // SAFETY: stack is a valid stack of names per the API.
            if !unsafe { names::add_file_subjects(stack.cast(), p) } {
                return Err(Error::Crypto);
            }
        }
        Ok(1)
    })
}

/// `SSL_add_store_cert_subjects_to_stack`: the subjects of the certificates an
/// `OSSL_STORE` URI names (libcrypto's store loaders: `file:` paths, directories one level
/// deep); 1 or 0.
#[no_mangle]
pub unsafe extern "C" fn SSL_add_store_cert_subjects_to_stack(
    stack: *mut sys::stack_st_X509_NAME,
    uri: *const c_char,
) -> c_int {
    entry(|| {
        if stack.is_null() {
            return Err(Error::NullArgument);
        }
        // SAFETY: uri is a C string per the API.
        let uri = unsafe { c_str(uri) }?;
        // SAFETY: stack is a valid stack of names per the API.
        if unsafe { names::add_store_subjects(stack.cast(), uri) } {
            Ok(1)
        } else {
            Err(Error::Crypto)
        }
    })
}
