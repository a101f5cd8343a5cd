//! `SSL`: the connection object, its hooks into the core, and its options; its life
//! (`lifecycle`), what it reads and writes through (`transport`) and its state queries and
//! per-connection settings (`properties`) are in the submodules.

use std::ffi::{c_int, c_void, CString};
use std::sync::atomic::{AtomicI32, AtomicU32, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use super::cipher::KeptStack;
use super::ctx::SSL_CTX;
use super::{entry, try_ref};
use crate::connection::Connection;
use crate::crypto_sys::{self as sys, Bio, ExData, X509Stack};
use crate::current::Status;
use crate::current::{lock, ConnState, Events};
use crate::error::Error;
use crate::session::Session;
use crate::setup::Setup;
use crate::versions;

mod lifecycle;
mod properties;
mod transport;

pub use lifecycle::{
    SSL_clear, SSL_dup, SSL_free, SSL_new, SSL_set_accept_state, SSL_set_connect_state,
};
/// For the fuzz targets ([`super::fuzzing`]).
#[cfg(any(test, fuzzing))]
pub(super) use properties::SSL_set_alpn_protos;
pub use properties::{
    SSL_get_security_level, SSL_in_init, SSL_set_cipher_list, SSL_set_ciphersuites,
};
pub use transport::{SSL_get_rbio, SSL_get_wbio, SSL_pending, SSL_set_bio};
#[cfg(test)]
pub(super) use {properties::SSL_get_version, transport::SSL_set_fd};

/// An `SSL`: the core connection, its BIOs, and C-side state.
pub(crate) struct SSL {
    /// References held (`SSL_up_ref` adds one, `SSL_free` drops one).
    refs: AtomicUsize,
    conn: Mutex<Connection>,
    /// The connection's state shared with rustls's hooks (readable while `conn` is busy).
    pub(crate) state: Arc<ConnState>,
    /// The current context (`SSL_set_SSL_CTX` switches it during the SNI callback).
    ctx: Mutex<Arc<SSL_CTX>>,
    /// The context the connection was made from (its sessions' context).
    session_ctx: Arc<SSL_CTX>,
    pub rbio: Mutex<Option<Bio>>,
    pub wbio: Mutex<Option<Bio>>,
    /// What `SSL_get_error` reports for the last failed call.
    pub last_error: AtomicI32,
    /// The handshake state `SSL_get_state` reports while an info or message callback runs
    /// (`u32::MAX`: none runs; the connection's current state).
    pub(super) shown_state: AtomicU32,
    pub ex_data: ExData,
    /// The string `SSL_get_servername` last returned (owned here, get0).
    servername: Mutex<Option<CString>>,
    /// `SSL_set_session(ssl, NULL)` left the connection without a session.
    pub(super) session_cleared: std::sync::atomic::AtomicBool,
    /// The connection's callbacks, copied from the context at `SSL_new` (the info
    /// callback is the connection's own only; the context's applies otherwise).
    pub(crate) callbacks: Mutex<super::callbacks::ConnCallbacks>,
    /// The parts few applications use, made when one is first used (an idle
    /// connection of a server that uses none of them saves their few hundred bytes).
    rare: std::sync::OnceLock<Box<Rare>>,
    /// A method set with `SSL_set_ssl_method` (NULL: the context's).
    pub(super) method: Mutex<Option<&'static super::method::SSL_METHOD>>,
}

/// The parts of an `SSL` that only some applications use (see [`SSL::rare`]).
#[derive(Default)]
pub(crate) struct Rare {
    pub(super) peer_chain_stack: Mutex<Option<X509Stack>>,
    pub(super) verified_chain_stack: Mutex<Option<X509Stack>>,
    /// The stacks `SSL_get_ciphers` and `SSL_get_client_ciphers` returned (owned, get0).
    pub(super) cipher_stack: KeptStack,
    pub(super) client_cipher_stack: KeptStack,
    /// The session `SSL_get0_session` last returned (kept alive for the application).
    pub(super) handed_session: Mutex<Option<Arc<Session>>>,
    /// The OCSP request extensions and responder ids a client set (owned, as OpenSSL
    /// owns them once set).
    pub(super) ocsp_request: Mutex<OcspRequest>,
    /// The connection's own CA name lists.
    pub(super) ca_lists: Mutex<super::ca_list::CaLists>,
    /// The CA names the server asked for, as a stack (get0).
    pub(super) peer_ca_stack: Mutex<Option<sys::NameStack>>,
    /// Stacks `SSL_get0_chain_certs` handed out (get0).
    pub(super) chain_stacks: Mutex<Vec<X509Stack>>,
    /// TLS-SRP values (`SSL_set_srp_server_param`...), kept, never used by a handshake.
    pub(super) srp: super::srp::SrpState,
    /// `SSL_set_tlsext_use_srtp`'s profiles.
    pub(super) srtp: super::srtp::SrtpProfiles,
}

/// `DTLS1_2_VERSION`: what a DTLS connection reports before a handshake.
const DTLS1_2: u16 = 0xfefd;
/// `DTLS_ANY_VERSION`: a flexible DTLS method's client version.
const DTLS_ANY_VERSION: c_int = 0x1ffff;

impl SSL {
    /// The negotiated version (before the handshake, the method's or the highest). It also answers
    /// from inside a callback the handshake runs (nginx's ticket-key callback asks).
    pub fn version(&self) -> u16 {
        let negotiated = lock(&self.state.status).version;
        if negotiated != 0 {
            return negotiated;
        }
        // Before a version is known, OpenSSL's: the method's version for a
        // version-specific method, else the highest it knows (DTLS 1.2 for DTLS).
        let fixed = self.setup().settings.versions.fixed;
        match fixed {
            0 if super::method::method_of(self).is_dtls() => DTLS1_2,
            0 => versions::TLS1_3,
            fixed => fixed,
        }
    }

    /// The connection's setup: readable and changeable at any time, also from inside a
    /// callback of this connection.
    pub(crate) fn setup(&self) -> MutexGuard<'_, Setup> {
        self.state.setup()
    }

    /// What the connection has learned so far (a copy).
    pub(crate) fn status(&self) -> Status {
        self.state.status()
    }

    /// The info callback OpenSSL calls: the connection's own, else its current context's.
    pub(crate) fn info_callback(&self) -> super::callbacks::InfoCallback {
        let own = lock(&self.callbacks).info;
        own.or_else(|| lock(&self.ctx).callbacks().info)
    }

    /// The message callback (`SSL_set_msg_callback`; connections copy their context's).
    pub(crate) fn msg_callback(&self) -> super::callbacks::MsgCallback {
        lock(&self.callbacks).msg
    }

    /// The parts few applications use, made on first use.
    pub(crate) fn rare(&self) -> &Rare {
        self.rare.get_or_init(Box::default)
    }

    /// The current context.
    pub(crate) fn ctx(&self) -> Arc<SSL_CTX> {
        Arc::clone(&lock(&self.ctx))
    }

    /// The protocol engine, for operations that move data (handshake, read, write,
    /// shutdown). Calling one of those from inside a callback of the same connection is
    /// refused with an error (OpenSSL's state machine is not re-entrant either).
    pub(crate) fn conn(&self) -> Result<MutexGuard<'_, Connection>, Error> {
        match self.conn.try_lock() {
            Ok(guard) => Ok(guard),
            Err(std::sync::TryLockError::Poisoned(p)) => Ok(p.into_inner()),
            Err(std::sync::TryLockError::WouldBlock) => {
                Err(Error::Reason(sys::ERR_R_SHOULD_NOT_HAVE_BEEN_CALLED))
            }
        }
    }
}

impl Drop for SSL {
    fn drop(&mut self) {
        // OpenSSL frees the write BIO, then the read BIO, each with its chain.
        for slot in [&mut self.wbio, &mut self.rbio] {
            let bio = slot
                .get_mut()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .take();
            if let Some(bio) = bio {
                bio.free_all();
            }
        }
    }
}

/// `SSL_set_tlsext_status_exts` / `_ids`: stacks the connection owns once they are set
/// (OpenSSL frees them with the connection). rustls sends a plain status request: they are
/// kept and handed back, not sent.
#[derive(Default)]
pub(crate) struct OcspRequest {
    pub exts: usize,
    pub ids: usize,
}

impl OcspRequest {
    /// Takes over `exts` (a `STACK_OF(X509_EXTENSION)`), freeing the previous stack.
    pub(crate) fn set_exts(&mut self, exts: *mut c_void) {
        self.free_exts();
        self.exts = exts as usize;
    }

    /// Takes over `ids` (a `STACK_OF(OCSP_RESPID)`), freeing the previous stack.
    pub(crate) fn set_ids(&mut self, ids: *mut c_void) {
        self.free_ids();
        self.ids = ids as usize;
    }

    fn free_exts(&mut self) {
        if self.exts != 0 {
            // SAFETY: a stack of extensions the application handed over; freed once.
            unsafe {
                sys::OPENSSL_sk_pop_free(self.exts as *mut sys::OPENSSL_STACK, Some(free_ext));
            }
            self.exts = 0;
        }
    }

    fn free_ids(&mut self) {
        if self.ids != 0 {
            // SAFETY: a stack of responder ids the application handed over; freed once.
            unsafe {
                sys::OPENSSL_sk_pop_free(self.ids as *mut sys::OPENSSL_STACK, Some(free_respid));
            }
            self.ids = 0;
        }
    }
}

impl Drop for OcspRequest {
    fn drop(&mut self) {
        self.free_exts();
        self.free_ids();
    }
}

/// Frees one element of a stack of extensions.
///
/// # Safety
/// Called by `OPENSSL_sk_pop_free` with an `X509_EXTENSION` the stack owns.
unsafe extern "C" fn free_ext(p: *mut c_void) {
    // SAFETY: an X509_EXTENSION of the stack being freed.
    unsafe { sys::X509_EXTENSION_free(p.cast()) };
}

/// Frees one element of a stack of responder ids.
///
/// # Safety
/// Called by `OPENSSL_sk_pop_free` with an `OCSP_RESPID` the stack owns.
unsafe extern "C" fn free_respid(p: *mut c_void) {
    // SAFETY: an OCSP_RESPID of the stack being freed.
    unsafe { sys::OCSP_RESPID_free(p.cast()) };
}

/// Runs the application's callbacks for one `SSL`.
struct SslEvents {
    ssl: AtomicUsize,
    ctx: Arc<SSL_CTX>,
}

impl Events for SslEvents {
    fn seal_ticket(&self, plain: &[u8]) -> Option<Vec<u8>> {
        let keys = self
            .ctx
            .callbacks()
            .app_keys(self.ssl.load(Ordering::Relaxed) as *mut SSL)?;
        sys::tickets::seal(&keys, plain)
    }

    fn open_ticket(&self, ticket: &[u8]) -> Option<Vec<u8>> {
        let keys = self
            .ctx
            .callbacks()
            .app_keys(self.ssl.load(Ordering::Relaxed) as *mut SSL)?;
        let (plain, renew) = sys::tickets::open(&keys, ticket)?;
        if let Some(state) = crate::current::current() {
            lock(&state.ticket_use).renew = renew;
        }
        Some(plain)
    }

    fn client_cert_requested(&self) -> Result<bool, c_int> {
        let ptr = self.ssl.load(Ordering::Relaxed) as *mut SSL;
        // SAFETY: the SSL is alive while its handshake runs (it owns these events).
        let Some(ssl) = (unsafe { ptr.as_ref() }) else {
            return Ok(false);
        };
        super::cert::run_client_cert_callbacks(ssl, ptr)
    }

    fn wants_keylog(&self) -> bool {
        self.ctx.callbacks().keylog.is_some() || super::keylog_file::enabled()
    }

    fn wants_info(&self) -> bool {
        // SAFETY: the SSL is alive while its handshake runs.
        let ssl = unsafe { &*(self.ssl.load(Ordering::Relaxed) as *const SSL) };
        ssl.info_callback().is_some()
    }

    fn wants_messages(&self) -> bool {
        // SAFETY: as above.
        let ssl = unsafe { &*(self.ssl.load(Ordering::Relaxed) as *const SSL) };
        ssl.msg_callback().is_some()
    }

    fn new_session(&self, session: Arc<Session>, server: bool) -> bool {
        let mode = self.ctx.core.settings().session_cache_mode;
        let bit = if server {
            sys::SSL_SESS_CACHE_SERVER
        } else {
            sys::SSL_SESS_CACHE_CLIENT
        };
        if mode & i64::from(bit) == 0 {
            return false;
        }
        let Some(cb) = self.ctx.callbacks().new_session else {
            return false;
        };
        let raw = Arc::into_raw(session).cast_mut();
        // SAFETY: the callback is the application's; it receives one reference, which it
        // keeps when it returns 1.
        let kept = unsafe { cb(self.ssl.load(Ordering::Relaxed) as *mut SSL, raw) };
        if kept == 0 {
            // SAFETY: the application did not keep the reference it was given.
            drop(unsafe { Arc::from_raw(raw) });
        }
        // The return value only says who owns the reference: nginx stores the session in
        // its shared cache and returns 0.
        true
    }

    fn get_session(&self, id: &[u8]) -> Option<Arc<Session>> {
        let cb = self.ctx.callbacks().get_session?;
        let len = c_int::try_from(id.len()).ok()?;
        let mut copy: c_int = 1;
        // SAFETY: the application's callback; id is readable for len bytes during the call.
        let raw = unsafe {
            cb(
                self.ssl.load(Ordering::Relaxed) as *mut SSL,
                id.as_ptr(),
                len,
                &mut copy,
            )
        };
        if raw.is_null() {
            return None;
        }
        // SAFETY: raw is a session from Arc::into_raw (SSL_SESSION_new/d2i_SSL_SESSION). With
        // *copy set the application keeps its reference and we take a new one; otherwise
        // its reference passes to us.
        unsafe {
            if copy != 0 {
                Arc::increment_strong_count(raw);
            }
            Some(Arc::from_raw(raw))
        }
    }

    fn ticket_generating(&self) -> bool {
        let (cb, arg) = {
            let cbs = self.ctx.callbacks();
            (cbs.ticket_gen, cbs.ticket_arg)
        };
        let Some(cb) = cb else {
            return true;
        };
        // SAFETY: the application's callback with its argument; the SSL is alive while its
        // handshake runs and no lock of it is held.
        unsafe {
            cb(
                self.ssl.load(Ordering::Relaxed) as *mut SSL,
                arg as *mut c_void,
            ) != 0
        }
    }

    fn ticket_opened(
        &self,
        session: Option<&Arc<Session>>,
        keyname: &[u8],
        status: crate::current::TicketStatus,
    ) -> Option<crate::current::TicketVerdict> {
        use crate::current::{TicketStatus as S, TicketVerdict as V};
        let (cb, arg) = {
            let cbs = self.ctx.callbacks();
            (cbs.ticket_dec?, cbs.ticket_arg)
        };
        let status = match status {
            S::Empty => sys::SSL_TICKET_EMPTY,
            S::NoDecrypt => sys::SSL_TICKET_NO_DECRYPT,
            S::Success => sys::SSL_TICKET_SUCCESS,
            S::SuccessRenew => sys::SSL_TICKET_SUCCESS_RENEW,
        };
        let sess = session.map_or(std::ptr::null_mut(), |s| Arc::as_ptr(s).cast_mut());
        // SAFETY: the application's callback; the session (if any) and the key name stay
        // alive during the call, which does not take a reference.
        let r = unsafe {
            cb(
                self.ssl.load(Ordering::Relaxed) as *mut SSL,
                sess,
                keyname.as_ptr(),
                keyname.len(),
                status,
                arg as *mut c_void,
            )
        };
        Some(match r {
            sys::SSL_TICKET_RETURN_USE => V::Use,
            sys::SSL_TICKET_RETURN_USE_RENEW => V::UseRenew,
            sys::SSL_TICKET_RETURN_IGNORE => V::Ignore,
            sys::SSL_TICKET_RETURN_IGNORE_RENEW => V::IgnoreRenew,
            _ => V::Abort,
        })
    }

    fn client_psk(&self) -> crate::error::Result<()> {
        super::psk::client_hello(self.ssl.load(Ordering::Relaxed) as *mut SSL)
    }

    fn wants_session_removals(&self) -> bool {
        self.ctx.callbacks().remove_session.is_some()
    }

    fn remove_session(&self, session: &Arc<Session>) {
        let Some(cb) = self.ctx.callbacks().remove_session else {
            return;
        };
        // SAFETY: the application's callback; the session stays alive during the call (we
        // hold a reference) and the callback does not take one.
        unsafe {
            cb(
                Arc::as_ptr(&self.ctx).cast_mut(),
                Arc::as_ptr(session).cast_mut(),
            )
        };
    }
}

/// `SSL_set_options`: adds option bits; returns the new options.
#[no_mangle]
pub unsafe extern "C" fn SSL_set_options(ssl: *mut SSL, op: u64) -> u64 {
    crate::debug::options("SSL_set_options", op);
    entry(|| {
        let mut setup = try_ref!(ssl).setup();
        let options = setup.options | op;
        setup.set_options(options);
        Ok(options)
    })
}

/// `SSL_clear_options`.
#[no_mangle]
pub unsafe extern "C" fn SSL_clear_options(ssl: *mut SSL, op: u64) -> u64 {
    entry(|| {
        let mut setup = try_ref!(ssl).setup();
        let options = setup.options & !op;
        setup.set_options(options);
        Ok(options)
    })
}

/// `SSL_get_options`.
#[no_mangle]
pub unsafe extern "C" fn SSL_get_options(ssl: *const SSL) -> u64 {
    entry(|| Ok(try_ref!(ssl).setup().options))
}
