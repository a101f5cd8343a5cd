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
use crate::crypto_sys::{self as sys, Cert, NameStack};
use crate::current::lock;
use crate::error::Error;

/// The two lists of a context or connection.
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

    /// The names a server sends: the client CA list, else the general one.
    fn sent(&self) -> Vec<Vec<u8>> {
        self.client
            .as_ref()
            .or(self.general.as_ref())
            .map(NameStack::ders)
            .unwrap_or_default()
    }
}

/// Replaces a context's list (taking the stack) and what its handshakes send.
fn set_ctx(ctx: &SSL_CTX, which: Which, list: Option<NameStack>) {
    let names = {
        let mut lists = lock(&ctx.ca_lists);
        *lists.get_mut(which) = list;
        lists.sent()
    };
    ctx.core
        .update(|s| s.client_ca_names = names.into_iter().map(Into::into).collect());
}

/// Replaces a connection's list (taking the stack) and what its handshake sends.
fn set_ssl(ssl: &SSL, which: Which, list: Option<NameStack>) {
    let names = {
        let mut lists = lock(&ssl.ca_lists);
        *lists.get_mut(which) = list;
        let own = lists.sent();
        if own.is_empty() {
            lock(&ssl.ctx().ca_lists).sent()
        } else {
            own
        }
    };
    ssl.setup()
        .update(|s| s.client_ca_names = names.into_iter().map(Into::into).collect());
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
        if ssl.setup().role != Some(crate::setup::Role::Server) {
            return peer_names(ssl);
        }
        let own = raw(lock(&ssl.ca_lists).get(Which::Client));
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

/// The names the server asked for, as a stack the connection keeps (get0).
fn peer_names(ssl: &SSL) -> Result<*mut sys::stack_st_X509_NAME, Error> {
    let names = lock(&ssl.state.peer_ca_names).clone();
    let Some(names) = names else {
        return Ok(std::ptr::null_mut());
    };
    let mut kept = lock(&ssl.peer_ca_stack);
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
        add(&ssl.ca_lists, Which::Client, x)?;
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
        add(&ssl.ca_lists, Which::General, x)?;
        refresh_ssl(ssl);
        Ok(1)
    })
}

/// Recomputes the names a context's handshakes send after a list changed in place.
fn refresh_ctx(ctx: &SSL_CTX) {
    let names = lock(&ctx.ca_lists).sent();
    ctx.core
        .update(|s| s.client_ca_names = names.into_iter().map(Into::into).collect());
}

/// As [`refresh_ctx`] for one connection.
fn refresh_ssl(ssl: &SSL) {
    let names = lock(&ssl.ca_lists).sent();
    ssl.setup()
        .update(|s| s.client_ca_names = names.into_iter().map(Into::into).collect());
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
        let own = raw(lock(&ssl.ca_lists).get(Which::General));
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
        let certs = sys::Bio::open_file(path)
            .map_err(Error::File)?
            .read_pem_certs();
        if certs.is_empty() {
            return Err(Error::Crypto);
        }
        let stack = NameStack::new().ok_or(Error::Crypto)?;
        // SAFETY: the stack is ours.
        if !unsafe { sys::add_file_subjects(stack.as_ptr(), path) } {
            return Err(Error::Crypto);
        }
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
/// PEM file that `stack` does not hold yet; 1, or 0 if the file cannot be read.
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
        if std::fs::metadata(path).is_err() {
            return Err(Error::File(std::io::Error::last_os_error()));
        }
        // SAFETY: stack is a valid stack of names per the API.
        Ok(c_int::from(unsafe {
            sys::add_file_subjects(stack.cast(), path)
        }))
    })
}

/// `SSL_add_dir_cert_subjects_to_stack`: as [`SSL_add_file_cert_subjects_to_stack`] for
/// every file of a directory (subdirectories skipped); 1 or 0.
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
        let entries = std::fs::read_dir(dir).map_err(Error::File)?;
        let mut paths: Vec<_> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        paths.sort();
        for path in paths {
            if path.is_dir() {
                continue;
            }
            let Some(p) = path.to_str() else {
                return Err(Error::BadValue);
            };
            // SAFETY: stack is a valid stack of names per the API.
            if !unsafe { sys::add_file_subjects(stack.cast(), p) } {
                return Err(Error::Silent);
            }
        }
        Ok(1)
    })
}

/// `SSL_add_store_cert_subjects_to_stack`: the subjects of the certificates an
/// `OSSL_STORE` URI names (a file or directory path here); 1 or 0.
#[no_mangle]
pub unsafe extern "C" fn SSL_add_store_cert_subjects_to_stack(
    stack: *mut sys::stack_st_X509_NAME,
    uri: *const c_char,
) -> c_int {
    entry(|| {
        // SAFETY: uri is a C string per the API.
        let path = unsafe { c_str(uri) }?;
        let path = path.strip_prefix("file:").unwrap_or(path);
        if std::path::Path::new(path).is_dir() {
            let c = std::ffi::CString::new(path).map_err(|_| Error::BadValue)?;
            // SAFETY: as the directory form.
            return Ok(unsafe { SSL_add_dir_cert_subjects_to_stack(stack, c.as_ptr()) });
        }
        let c = std::ffi::CString::new(path).map_err(|_| Error::BadValue)?;
        // SAFETY: as the file form.
        Ok(unsafe { SSL_add_file_cert_subjects_to_stack(stack, c.as_ptr()) })
    })
}
