//! `SSL`: creation, BIOs, state queries, and per-connection settings.

use std::ffi::{c_char, c_int, c_uint, c_void, CString};
use std::sync::atomic::{AtomicI32, AtomicU32, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use super::cipher::KeptStack;
use super::ctx::{ctx_arc, SSL_CTX};
use super::ex_data::store_ctx_index;
use super::{c_bool, c_bytes, c_str_bytes, entry, try_ref};
use crate::connection::{Connection, Role};
use crate::crypto_sys::{self as sys, Bio, ExClass, ExData, X509Stack};
use crate::current::Status;
use crate::current::{lock, ConnState, Events};
use crate::error::Error;
use crate::session::Session;
use crate::setup::Setup;
use crate::versions;

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
    pub(super) peer_chain_stack: Mutex<Option<X509Stack>>,
    pub(super) verified_chain_stack: Mutex<Option<X509Stack>>,
    /// The stacks `SSL_get_ciphers` and `SSL_get_client_ciphers` returned (owned, get0).
    pub(super) cipher_stack: KeptStack,
    pub(super) client_cipher_stack: KeptStack,
    /// The string `SSL_get_servername` last returned (owned here, get0).
    servername: Mutex<Option<CString>>,
    /// The session `SSL_get0_session` last returned (kept alive for the application).
    pub(super) handed_session: Mutex<Option<Arc<Session>>>,
    /// `SSL_set_session(ssl, NULL)` left the connection without a session.
    pub(super) session_cleared: std::sync::atomic::AtomicBool,
    /// The connection's callbacks, copied from the context at `SSL_new` (the info
    /// callback is the connection's own only; the context's applies otherwise).
    pub(crate) callbacks: Mutex<super::callbacks::Callbacks>,
    /// The OCSP request extensions and responder ids a client set (owned, as OpenSSL
    /// owns them once set).
    pub(super) ocsp_request: Mutex<OcspRequest>,
    /// The connection's own CA name lists.
    pub(super) ca_lists: Mutex<super::ca_list::CaLists>,
    /// The CA names the server asked for, as a stack (get0).
    pub(super) peer_ca_stack: Mutex<Option<sys::NameStack>>,
    /// Stacks `SSL_get0_chain_certs` handed out (get0).
    pub(super) chain_stacks: Mutex<Vec<X509Stack>>,
    /// A method set with `SSL_set_ssl_method` (NULL: the context's).
    pub(super) method: Mutex<Option<&'static super::method::SSL_METHOD>>,
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
        own.or_else(|| lock(&lock(&self.ctx).callbacks).info)
    }

    /// The message callback (`SSL_set_msg_callback`; connections copy their context's).
    pub(crate) fn msg_callback(&self) -> super::callbacks::MsgCallback {
        lock(&self.callbacks).msg
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
        self.ctx.callbacks().keylog.is_some()
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
        status: crate::tickets::TicketStatus,
    ) -> Option<crate::tickets::TicketVerdict> {
        use crate::tickets::{TicketStatus as S, TicketVerdict as V};
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

/// `SSL_new`: a connection using `ctx`'s settings; NULL on failure.
#[no_mangle]
pub unsafe extern "C" fn SSL_new(ctx: *mut SSL_CTX) -> *mut SSL {
    entry(|| {
        if ctx.is_null() {
            return Err(Error::Reason(sys::SSL_R_NULL_SSL_CTX));
        }
        // SAFETY: ctx is a live context from SSL_CTX_new.
        let ctx = unsafe { ctx_arc(ctx) };
        let events = Arc::new(SslEvents {
            ssl: AtomicUsize::new(0),
            ctx: Arc::clone(&ctx),
        });
        let setup = Setup::new(Arc::clone(&ctx.core))?;
        let ctx_callbacks = ctx.callbacks();
        let conn = Connection::new(setup, events.clone());
        let state = Arc::clone(&conn.state);
        let ssl = Box::new(SSL {
            conn: Mutex::new(conn),
            state,
            session_ctx: Arc::clone(&ctx),
            ctx: Mutex::new(ctx),
            rbio: Mutex::new(None),
            wbio: Mutex::new(None),
            last_error: AtomicI32::new(0),
            shown_state: AtomicU32::new(u32::MAX),
            ex_data: ExData::new(ExClass::Ssl),
            peer_chain_stack: Mutex::new(None),
            verified_chain_stack: Mutex::new(None),
            cipher_stack: KeptStack::default(),
            client_cipher_stack: KeptStack::default(),
            srtp: super::srtp::SrtpProfiles::default(),
            servername: Mutex::new(None),
            handed_session: Mutex::new(None),
            session_cleared: std::sync::atomic::AtomicBool::new(false),
            method: Mutex::new(None),
            srp: Mutex::default(),
            refs: AtomicUsize::new(1),
            ocsp_request: Mutex::new(OcspRequest::default()),
            chain_stacks: Mutex::new(Vec::new()),
            ca_lists: Mutex::new(super::ca_list::CaLists::default()),
            peer_ca_stack: Mutex::new(None),
            callbacks: Mutex::new(super::callbacks::Callbacks {
                info: None,
                ..ctx_callbacks
            }),
        });
        let raw = Box::into_raw(ssl);
        events.ssl.store(raw as usize, Ordering::Relaxed);
        // SAFETY: raw was just created from a Box and is uniquely ours here.
        let ssl = unsafe { &mut *raw };
        ssl.setup().verify_ex_data = Some((store_ctx_index(), raw as usize));
        // The application's ex_data "new" callbacks see the new connection.
        ssl.ex_data.init(raw.cast());
        Ok(raw.cast_const().cast_mut())
    })
}

/// `SSL_free`: frees the connection and its BIOs; NULL is a no-op. The session of a
/// connection that did not send its close_notify leaves the context's cache, as in
/// OpenSSL.
#[no_mangle]
pub unsafe extern "C" fn SSL_free(ssl: *mut SSL) {
    entry(|| {
        // SAFETY: ssl is NULL or a live connection from SSL_new.
        let Some(r) = (unsafe { ssl.as_ref() }) else {
            return Ok(());
        };
        if r.refs.fetch_sub(1, Ordering::AcqRel) != 1 {
            return Ok(());
        }
        // SAFETY: ssl came from SSL_new and this was its last reference.
        let mut ssl = unsafe { Box::from_raw(ssl) };
        // As OpenSSL does first: the ex_data "free" callbacks see the connection whole.
        ssl.ex_data.release();
        clear_bad_session(&ssl);
        drop(ssl);
        Ok(())
    })
}

/// `SSL_up_ref`: one more reference (each is given up with `SSL_free`); 1.
#[no_mangle]
pub unsafe extern "C" fn SSL_up_ref(ssl: *mut SSL) -> c_int {
    entry(|| {
        try_ref!(ssl).refs.fetch_add(1, Ordering::AcqRel);
        Ok(1)
    })
}

/// `SSL_get_SSL_CTX`: the context (get0).
#[no_mangle]
pub unsafe extern "C" fn SSL_get_SSL_CTX(ssl: *const SSL) -> *mut SSL_CTX {
    entry(|| Ok(Arc::as_ptr(&lock(&try_ref!(ssl).ctx)).cast_mut()))
}

/// `SSL_set_connect_state`: makes this a client.
#[no_mangle]
pub unsafe extern "C" fn SSL_set_connect_state(ssl: *mut SSL) {
    entry(|| {
        try_ref!(ssl).setup().role = Some(Role::Client);
        Ok(())
    })
}

/// `SSL_set_accept_state`: makes this a server.
#[no_mangle]
pub unsafe extern "C" fn SSL_set_accept_state(ssl: *mut SSL) {
    entry(|| {
        try_ref!(ssl).setup().role = Some(Role::Server);
        Ok(())
    })
}

/// `SSL_is_server`: 1 for a server; before a role is set, 1 unless the method is a
/// client-only one (OpenSSL's default from the method).
#[no_mangle]
pub unsafe extern "C" fn SSL_is_server(ssl: *const SSL) -> c_int {
    entry(|| {
        let ssl = try_ref!(ssl);
        let role = ssl.setup().role;
        Ok(c_bool(match role {
            Some(role) => role == Role::Server,
            None => super::method::method_of(ssl).accepts(),
        }))
    })
}

/// `SSL_set_fd`: reads and writes a socket (a socket BIO that does not close it).
#[no_mangle]
pub unsafe extern "C" fn SSL_set_fd(ssl: *mut SSL, fd: c_int) -> c_int {
    entry(|| {
        let ssl = try_ref!(ssl);
        let bio = Bio::socket(fd).ok_or(Error::Crypto)?;
        set_slot(&ssl.rbio, Some(bio.clone()));
        set_slot(&ssl.wbio, Some(bio));
        Ok(1)
    })
}

/// `SSL_set_rfd`.
#[no_mangle]
pub unsafe extern "C" fn SSL_set_rfd(ssl: *mut SSL, fd: c_int) -> c_int {
    entry(|| {
        set_slot(
            &try_ref!(ssl).rbio,
            Some(Bio::socket(fd).ok_or(Error::Crypto)?),
        );
        Ok(1)
    })
}

/// `SSL_set_wfd`.
#[no_mangle]
pub unsafe extern "C" fn SSL_set_wfd(ssl: *mut SSL, fd: c_int) -> c_int {
    entry(|| {
        set_slot(
            &try_ref!(ssl).wbio,
            Some(Bio::socket(fd).ok_or(Error::Crypto)?),
        );
        Ok(1)
    })
}

/// Puts `bio` in a BIO slot; the BIO it held is given up as OpenSSL does
/// (`BIO_free_all`: its chain goes with it when this was the last reference).
fn set_slot(slot: &Mutex<Option<Bio>>, bio: Option<Bio>) {
    let old = std::mem::replace(&mut *lock(slot), bio);
    if let Some(old) = old {
        old.free_all();
    }
}

/// `SSL_get_fd`: the descriptor of the read BIO, or -1.
#[no_mangle]
pub unsafe extern "C" fn SSL_get_fd(ssl: *const SSL) -> c_int {
    // SAFETY: same contract.
    unsafe { SSL_get_rfd(ssl) }
}

/// `SSL_get_rfd`: the descriptor of the first descriptor BIO in the read BIO's chain, or
/// -1 (with libcrypto's "passed a null parameter" when there is no read BIO, as OpenSSL).
#[no_mangle]
pub unsafe extern "C" fn SSL_get_rfd(ssl: *const SSL) -> c_int {
    // SAFETY: NULL or a live SSL per the API.
    unsafe { ssl.as_ref() }.map_or(-1, |ssl| chain_fd(&ssl.rbio))
}

/// `SSL_get_wfd`: as `SSL_get_rfd`, for the write BIO.
#[no_mangle]
pub unsafe extern "C" fn SSL_get_wfd(ssl: *const SSL) -> c_int {
    // SAFETY: NULL or a live SSL per the API.
    unsafe { ssl.as_ref() }.map_or(-1, |ssl| chain_fd(&ssl.wbio))
}

/// The descriptor of the first descriptor BIO (socket, fd) in a BIO slot's chain, or -1.
fn chain_fd(slot: &Mutex<Option<Bio>>) -> c_int {
    let bio = lock(slot)
        .as_ref()
        .map_or(std::ptr::null_mut(), Bio::as_ptr);
    let mut fd: c_int = -1;
    // SAFETY: bio is NULL (libcrypto queues its own error and returns NULL) or alive while
    // the slot holds it; BIO_C_GET_FD writes an int through the pointer.
    unsafe {
        let found = sys::BIO_find_type(bio, sys::BIO_TYPE_DESCRIPTOR);
        if !found.is_null() {
            sys::BIO_ctrl(found, sys::BIO_C_GET_FD, 0, (&mut fd as *mut c_int).cast());
        }
    }
    fd
}

/// `SSL_set_bio`: sets both BIOs with OpenSSL's ownership rules: references the caller
/// passes are taken over, one per slot that changes (one more is taken when `rbio ==
/// wbio`, which fills both slots); setting what is already set does nothing.
#[no_mangle]
pub unsafe extern "C" fn SSL_set_bio(ssl: *mut SSL, rbio: *mut sys::BIO, wbio: *mut sys::BIO) {
    entry(|| {
        let ssl = try_ref!(ssl);
        let cur = |slot: &Mutex<Option<Bio>>| {
            lock(slot)
                .as_ref()
                .map_or(std::ptr::null_mut(), Bio::as_ptr)
        };
        let (cur_r, cur_w) = (cur(&ssl.rbio), cur(&ssl.wbio));
        if rbio == cur_r && wbio == cur_w {
            return Ok(());
        }
        if !rbio.is_null() && rbio == wbio {
            // SAFETY: a valid BIO; the extra reference is the second slot's.
            unsafe { sys::BIO_up_ref(rbio) };
        }
        // The caller hands over one reference per slot set.
        if rbio == cur_r {
            // SAFETY: a valid BIO (or NULL) whose reference passes to the slot.
            set_slot(&ssl.wbio, unsafe { Bio::from_raw(wbio) });
            return Ok(());
        }
        if wbio == cur_w && cur_r != cur_w {
            // SAFETY: as above.
            set_slot(&ssl.rbio, unsafe { Bio::from_raw(rbio) });
            return Ok(());
        }
        // SAFETY: as above, one reference for each slot.
        let (r, w) = unsafe { (Bio::from_raw(rbio), Bio::from_raw(wbio)) };
        set_slot(&ssl.rbio, r);
        set_slot(&ssl.wbio, w);
        Ok(())
    })
}

/// `SSL_set0_rbio`: the read BIO, taking over the caller's reference.
#[no_mangle]
pub unsafe extern "C" fn SSL_set0_rbio(ssl: *mut SSL, rbio: *mut sys::BIO) {
    entry(|| {
        // SAFETY: the caller hands over its reference.
        set_slot(&try_ref!(ssl).rbio, unsafe { Bio::from_raw(rbio) });
        Ok(())
    })
}

/// `SSL_set0_wbio`: the write BIO, taking over the caller's reference.
#[no_mangle]
pub unsafe extern "C" fn SSL_set0_wbio(ssl: *mut SSL, wbio: *mut sys::BIO) {
    entry(|| {
        // SAFETY: the caller hands over its reference.
        set_slot(&try_ref!(ssl).wbio, unsafe { Bio::from_raw(wbio) });
        Ok(())
    })
}

/// `SSL_get_rbio`: the read BIO (get0).
#[no_mangle]
pub unsafe extern "C" fn SSL_get_rbio(ssl: *const SSL) -> *mut sys::BIO {
    entry(|| {
        Ok(lock(&try_ref!(ssl).rbio)
            .as_ref()
            .map_or(std::ptr::null_mut(), Bio::as_ptr))
    })
}

/// `SSL_get_wbio`: the write BIO (get0).
#[no_mangle]
pub unsafe extern "C" fn SSL_get_wbio(ssl: *const SSL) -> *mut sys::BIO {
    entry(|| {
        Ok(lock(&try_ref!(ssl).wbio)
            .as_ref()
            .map_or(std::ptr::null_mut(), Bio::as_ptr))
    })
}

/// `SSL_get_version`: "TLSv1.3", "TLSv1.2"; before a version is negotiated, the highest
/// enabled one (as OpenSSL reports its client version).
#[no_mangle]
pub unsafe extern "C" fn SSL_get_version(ssl: *const SSL) -> *const c_char {
    entry(|| {
        Ok(static_cstr(versions::protocol_name(
            try_ref!(ssl).version(),
        )))
    })
}

/// `SSL_version`: the negotiated protocol version number.
#[no_mangle]
pub unsafe extern "C" fn SSL_version(ssl: *const SSL) -> c_int {
    entry(|| Ok(c_int::from(try_ref!(ssl).version())))
}

/// `SSL_client_version`: OpenSSL's `client_version`: before the handshake the method's
/// version (`TLS_ANY_VERSION`, 0x10000, for the flexible methods), once it has started the
/// ClientHello's legacy version field (sent or received), and after
/// `SSL_clear` the version last negotiated.
#[no_mangle]
pub unsafe extern "C" fn SSL_client_version(ssl: *const SSL) -> c_int {
    entry(|| {
        let ssl = try_ref!(ssl);
        let status = ssl.status();
        Ok(if status.client_version != 0 {
            c_int::from(status.client_version)
        } else if status.started {
            c_int::from(versions::TLS1_2)
        } else if status.cleared_version != 0 {
            c_int::from(status.cleared_version)
        } else {
            let fixed = ssl.setup().settings.versions.fixed;
            match fixed {
                0 if super::method::method_of(ssl).is_dtls() => DTLS_ANY_VERSION,
                0 => sys::TLS_ANY_VERSION,
                fixed => c_int::from(fixed),
            }
        })
    })
}

/// NUL-terminated copies of the fixed strings the shim returns as `const char *`.
pub(super) fn static_cstr(s: &'static str) -> *const c_char {
    match s {
        "TLSv1.3" => c"TLSv1.3".as_ptr(),
        "TLSv1.2" => c"TLSv1.2".as_ptr(),
        "TLSv1.1" => c"TLSv1.1".as_ptr(),
        "TLSv1" => c"TLSv1".as_ptr(),
        "SSLv3" => c"SSLv3".as_ptr(),
        "DTLSv1.2" => c"DTLSv1.2".as_ptr(),
        "DTLSv1" => c"DTLSv1".as_ptr(),
        "DTLSv0.9" => c"DTLSv0.9".as_ptr(),
        _ => c"unknown".as_ptr(),
    }
}

/// `SSL_get0_alpn_selected`: the negotiated protocol (pointer into the connection, valid
/// while it lives), or NULL/0.
#[no_mangle]
pub unsafe extern "C" fn SSL_get0_alpn_selected(
    ssl: *const SSL,
    data: *mut *const u8,
    len: *mut c_uint,
) {
    entry(|| {
        let ssl = try_ref!(ssl);
        let status = lock(&ssl.state.status);
        // The protocol stays in the status as long as the connection lives.
        let (p, n) = match status.alpn.as_deref() {
            Some(proto) => (proto.as_ptr(), proto.len() as c_uint),
            None => (std::ptr::null(), 0),
        };
        // SAFETY: data and len are NULL or writable per the API.
        unsafe {
            if !data.is_null() {
                *data = p;
            }
            if !len.is_null() {
                *len = n;
            }
        }
        Ok(())
    })
}

/// `SSL_set_alpn_protos`: protocols this client offers. Returns **0 on success**.
#[no_mangle]
pub unsafe extern "C" fn SSL_set_alpn_protos(ssl: *mut SSL, p: *const u8, len: c_uint) -> c_int {
    let ok = entry(|| {
        let ssl = try_ref!(ssl);
        // SAFETY: p points at len bytes per the API.
        let list = super::ctx::parse_alpn(unsafe { c_bytes(p, len as usize) }?)?;
        ssl.setup().update(|s| s.alpn = list);
        Ok(1)
    });
    1 - ok
}

/// `SSL_get_shutdown`: `SSL_SENT_SHUTDOWN` | `SSL_RECEIVED_SHUTDOWN`.
#[no_mangle]
pub unsafe extern "C" fn SSL_get_shutdown(ssl: *const SSL) -> c_int {
    entry(|| {
        let status = try_ref!(ssl).status();
        let mut flags = 0;
        if status.sent_close {
            flags |= sys::SSL_SENT_SHUTDOWN;
        }
        if status.received_close {
            flags |= sys::SSL_RECEIVED_SHUTDOWN;
        }
        Ok(flags)
    })
}

/// `SSL_set_shutdown`: marks directions as closed (nothing is sent).
#[no_mangle]
pub unsafe extern "C" fn SSL_set_shutdown(ssl: *mut SSL, mode: c_int) {
    entry(|| {
        try_ref!(ssl).conn()?.set_shutdown_flags(mode);
        Ok(())
    })
}

/// `SSL_set_quiet_shutdown`: with 1, `SSL_shutdown` sends no close_notify and reports
/// both directions closed.
#[no_mangle]
pub unsafe extern "C" fn SSL_set_quiet_shutdown(ssl: *mut SSL, mode: c_int) {
    entry(|| {
        try_ref!(ssl).setup().quiet_shutdown = mode != 0;
        Ok(())
    })
}

/// `SSL_get_quiet_shutdown`.
#[no_mangle]
pub unsafe extern "C" fn SSL_get_quiet_shutdown(ssl: *const SSL) -> c_int {
    entry(|| Ok(c_bool(try_ref!(ssl).setup().quiet_shutdown)))
}

/// `SSL_set_read_ahead`: with 1, reads take as much as the read BIO has (up to one
/// buffer) instead of one record at a time; the application then checks
/// `SSL_has_pending` before waiting on the socket, as with OpenSSL.
#[no_mangle]
pub unsafe extern "C" fn SSL_set_read_ahead(ssl: *mut SSL, yes: c_int) {
    entry(|| {
        try_ref!(ssl).setup().read_ahead = yes != 0;
        Ok(())
    })
}

/// `SSL_get_read_ahead`.
#[no_mangle]
pub unsafe extern "C" fn SSL_get_read_ahead(ssl: *const SSL) -> c_int {
    entry(|| Ok(c_bool(try_ref!(ssl).setup().read_ahead)))
}

/// `SSL_pending`: decrypted bytes ready to read without touching the BIO.
#[no_mangle]
pub unsafe extern "C" fn SSL_pending(ssl: *const SSL) -> c_int {
    entry(|| Ok(c_int::try_from(try_ref!(ssl).conn()?.pending()).unwrap_or(c_int::MAX)))
}

/// `SSL_has_pending`: 1 if decrypted bytes, or received bytes not yet processed (with
/// read-ahead), are buffered.
#[no_mangle]
pub unsafe extern "C" fn SSL_has_pending(ssl: *const SSL) -> c_int {
    entry(|| Ok(c_bool(try_ref!(ssl).conn()?.has_pending())))
}

/// `SSL_set_ex_data` (`SSL_set_app_data` is index 0).
#[no_mangle]
pub unsafe extern "C" fn SSL_set_ex_data(ssl: *mut SSL, idx: c_int, data: *mut c_void) -> c_int {
    entry(|| Ok(c_bool(try_ref!(ssl).ex_data.set(idx, data))))
}

/// `SSL_get_ex_data`.
#[no_mangle]
pub unsafe extern "C" fn SSL_get_ex_data(ssl: *const SSL, idx: c_int) -> *mut c_void {
    entry(|| Ok(try_ref!(ssl).ex_data.get(idx)))
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

/// `SSL_set_cipher_list`: this connection's suites of TLS 1.2 and below, as an OpenSSL
/// cipher string; as `SSL_CTX_set_cipher_list`.
#[no_mangle]
pub unsafe extern "C" fn SSL_set_cipher_list(ssl: *mut SSL, s: *const c_char) -> c_int {
    entry(|| {
        let ssl = try_ref!(ssl);
        // SAFETY: s is a C string per the API.
        let rule = unsafe { c_str_bytes(s) }?;
        let mut setup = ssl.setup();
        let result = setup.update(|s| s.set_cipher_list(rule));
        // The list is the connection's own once replaced, also by a string that selects
        // no suite; a syntax error changes nothing.
        setup.own_ciphers |= match &result {
            Ok(()) => true,
            Err(e) => matches!(e, Error::Reason(r) if *r == sys::SSL_R_NO_CIPHER_MATCH),
        };
        result?;
        Ok(1)
    })
}

/// `SSL_set_ciphersuites`: this connection's TLS 1.3 suites; as `SSL_CTX_set_ciphersuites`.
#[no_mangle]
pub unsafe extern "C" fn SSL_set_ciphersuites(ssl: *mut SSL, s: *const c_char) -> c_int {
    entry(|| {
        let ssl = try_ref!(ssl);
        // SAFETY: s is a C string per the API.
        let list = unsafe { c_str_bytes(s) }?;
        let mut setup = ssl.setup();
        setup.update(|s| s.set_ciphersuites(list))?;
        setup.own_ciphers = true;
        Ok(1)
    })
}

/// `SSL_get_security_level`: the connection's level (its context's, unless set on it).
#[no_mangle]
pub unsafe extern "C" fn SSL_get_security_level(ssl: *const SSL) -> c_int {
    entry(|| Ok(try_ref!(ssl).setup().settings.security_level))
}

/// `SSL_set_security_level`: sets this connection's level; as `SSL_CTX_set_security_level`.
#[no_mangle]
pub unsafe extern "C" fn SSL_set_security_level(ssl: *mut SSL, level: c_int) {
    entry(|| {
        try_ref!(ssl).setup().update(|s| s.security_level = level);
        Ok(())
    })
}

/// `SSL_session_reused`: 1 if the handshake resumed a session.
#[no_mangle]
pub unsafe extern "C" fn SSL_session_reused(ssl: *const SSL) -> c_int {
    entry(|| Ok(c_bool(try_ref!(ssl).status().resumed)))
}

/// `SSL_is_init_finished`: 1 once the handshake is complete (0 again after a fatal error,
/// and while a key update asked for waits to be sent).
#[no_mangle]
pub unsafe extern "C" fn SSL_is_init_finished(ssl: *const SSL) -> c_int {
    entry(|| {
        let status = try_ref!(ssl).status();
        Ok(c_bool(
            status.established && !status.failed && status.key_update.is_none(),
        ))
    })
}

/// `SSL_in_init`: 1 while the handshake is not complete, after a fatal error, and while a
/// key update asked for is not sent yet (as OpenSSL).
#[no_mangle]
pub unsafe extern "C" fn SSL_in_init(ssl: *const SSL) -> c_int {
    entry(|| {
        let status = try_ref!(ssl).status();
        Ok(c_bool(
            !status.established || status.failed || status.key_update.is_some(),
        ))
    })
}

/// `SSL_in_before`: 1 before the handshake has started.
#[no_mangle]
pub unsafe extern "C" fn SSL_in_before(ssl: *const SSL) -> c_int {
    entry(|| Ok(c_bool(!try_ref!(ssl).status().started)))
}

/// `SSL_export_keying_material` (RFC 5705/8446 exporter): 1 on success.
#[no_mangle]
pub unsafe extern "C" fn SSL_export_keying_material(
    ssl: *mut SSL,
    out: *mut u8,
    olen: usize,
    label: *const c_char,
    llen: usize,
    context: *const u8,
    contextlen: usize,
    use_context: c_int,
) -> c_int {
    entry(|| {
        let ssl = try_ref!(ssl);
        if out.is_null() || label.is_null() {
            return Err(Error::NullArgument);
        }
        if !ssl.status().established {
            return Ok(-1); // OpenSSL's answer before the handshake, with nothing queued
        }
        // SAFETY: out is writable for olen bytes, label and context readable for their
        // lengths, per the API.
        let (out, label, ctx) = unsafe {
            (
                std::slice::from_raw_parts_mut(out, olen),
                c_bytes(label.cast(), llen)?,
                if use_context != 0 {
                    Some(c_bytes(context, contextlen)?)
                } else {
                    None
                },
            )
        };
        ssl.state.export_keying_material(out, label, ctx)?;
        Ok(1)
    })
}

/// `SSL_export_keying_material_early` (TLS 1.3 early exporter): 0. As in OpenSSL, 0
/// with nothing queued when no early secret exists (not TLS 1.3, or no 0-RTT data was
/// accepted); when 0-RTT data was accepted OpenSSL could derive it, but rustls does not
/// expose the early exporter master secret: 0 with "not supported".
#[no_mangle]
pub unsafe extern "C" fn SSL_export_keying_material_early(
    ssl: *mut SSL,
    _out: *mut u8,
    _olen: usize,
    _label: *const c_char,
    _llen: usize,
    _context: *const u8,
    _contextlen: usize,
) -> c_int {
    entry(|| {
        let status = try_ref!(ssl).status();
        if status.version == versions::TLS1_3 && status.early_data_received {
            return Err(Error::NotSupported("the TLS 1.3 early exporter"));
        }
        Ok(0)
    })
}

/// `SSL_set_SSL_CTX`: switches to `ctx`'s certificate settings and, unless the connection
/// set its own, its cipher lists (the SNI or ClientHello callback's way of choosing a
/// virtual server); options, versions and the verify mode stay the connection's, as in
/// OpenSSL (see `Setup::switch_ctx`). NULL means the context the connection was made
/// from. Returns the new context (get0), or NULL.
#[no_mangle]
pub unsafe extern "C" fn SSL_set_SSL_CTX(ssl: *mut SSL, ctx: *mut SSL_CTX) -> *mut SSL_CTX {
    entry(|| {
        let ssl = try_ref!(ssl);
        let ctx = if ctx.is_null() {
            Arc::as_ptr(&ssl.session_ctx).cast_mut()
        } else {
            ctx
        };
        if std::ptr::eq(Arc::as_ptr(&lock(&ssl.ctx)), ctx) {
            return Ok(ctx); // nginx re-selects the default server's context: nothing changes
        }
        // SAFETY: ctx is a live context.
        let new = unsafe { ctx_arc(ctx) };
        ssl.setup().switch_ctx(Arc::clone(&new.core));
        *lock(&ssl.ctx) = new;
        Ok(ctx)
    })
}

/// `SSL_get_servername`: the SNI host name (the one a server received, or the one a
/// client sends), or NULL.
#[no_mangle]
pub unsafe extern "C" fn SSL_get_servername(ssl: *const SSL, ty: c_int) -> *const c_char {
    entry(|| {
        let ssl = try_ref!(ssl);
        if ty != sys::TLSEXT_NAMETYPE_host_name {
            return Ok(std::ptr::null());
        }
        let name = sni(ssl).and_then(|n| CString::new(n).ok());
        let mut cached = lock(&ssl.servername);
        // Keep the string already handed out while the name is the same: the application
        // may still hold that pointer.
        if *cached != name {
            *cached = name;
        }
        Ok(cached.as_ref().map_or(std::ptr::null(), |c| c.as_ptr()))
    })
}

/// The SNI host name: the one a server received, or the one a client sends.
fn sni(ssl: &SSL) -> Option<String> {
    let setup = ssl.setup();
    match setup.role {
        // OpenSSL reads the name after the ClientHello callback.
        Some(Role::Server) => lock(&ssl.state.hello)
            .as_ref()
            .filter(|h| h.accepted)
            .and_then(|h| h.server_name.clone()),
        _ => setup.server_name.clone(),
    }
}

/// `SSL_get_servername_type`: `TLSEXT_NAMETYPE_host_name` if there is a name, else -1.
#[no_mangle]
pub unsafe extern "C" fn SSL_get_servername_type(ssl: *const SSL) -> c_int {
    // SAFETY: same contract.
    if unsafe { SSL_get_servername(ssl, sys::TLSEXT_NAMETYPE_host_name) }.is_null() {
        -1
    } else {
        sys::TLSEXT_NAMETYPE_host_name
    }
}

/// `SSL_clear`: resets the connection for a new handshake on the same settings, BIOs and
/// role (MariaDB and the SSL BIO's reset call it); 1. The session stays to be resumed by
/// the next handshake, unless the connection ended without `SSL_shutdown`: then it is
/// removed from the context's cache and dropped, as OpenSSL does. A method set with
/// `SSL_set_ssl_method` reverts to the context's.
#[no_mangle]
pub unsafe extern "C" fn SSL_clear(ssl: *mut SSL) -> c_int {
    entry(|| {
        let ssl = try_ref!(ssl);
        // As OpenSSL: not while a renegotiation asked for is pending.
        if ssl.status().renegotiate {
            return Err(Error::Internal);
        }
        let mut conn = ssl.conn()?;
        if clear_bad_session(ssl) {
            *lock(&ssl.state.last_session) = None;
            *lock(&ssl.state.resume) = None;
        } else {
            let session = lock(&ssl.state.last_session).clone();
            *lock(&ssl.state.resume) = session;
        }
        conn.clear();
        drop(conn);
        if lock(&ssl.method).take().is_some() {
            let fixed = ssl.ctx().core.settings().versions.fixed;
            ssl.setup().update(|s| s.versions.fixed = fixed);
        }
        ssl.last_error.store(0, Ordering::Relaxed);
        Ok(1)
    })
}

/// A connection whose handshake completed and which ends without having sent its
/// close_notify (`SSL_shutdown`, or a quiet shutdown) may have been cut short: as
/// OpenSSL's `ssl_clear_bad_session` (from `SSL_clear` and `SSL_free`), its session leaves
/// the context's cache, can no longer be resumed (on either side: a client's session is
/// no longer offered), and the application's remove callback hears of it. True if so.
fn clear_bad_session(ssl: &SSL) -> bool {
    let status = ssl.status();
    if !status.established || status.failed || status.sent_close {
        return false;
    }
    let session = lock(&ssl.state.last_session).clone();
    if let Some(session) = session {
        let id = session.meta().id.clone();
        if !id.is_empty() {
            let session_ctx = Arc::clone(&ssl.setup().session_ctx);
            session_ctx.session_cache().remove(&id);
            session.set_not_resumable();
            ssl.state.events.remove_session(&session);
        }
    }
    true
}

/// `SSL_dup`: a connection that has started its handshake is shared (one more reference,
/// the same pointer, as OpenSSL does); a fresh one is copied into a new connection of the
/// same context with its settings, role, session, callbacks and ex_data. NULL on failure.
#[no_mangle]
pub unsafe extern "C" fn SSL_dup(ssl: *mut SSL) -> *mut SSL {
    entry(|| {
        let from = try_ref!(ssl);
        if from.status().started {
            from.refs.fetch_add(1, Ordering::AcqRel);
            return Ok(ssl);
        }
        let ctx = Arc::as_ptr(&from.ctx()).cast_mut();
        // SAFETY: ctx is the live context `from` holds.
        let raw = unsafe { SSL_new(ctx) };
        // SAFETY: NULL or the connection just made, owned here.
        let Some(to) = (unsafe { raw.as_mut() }) else {
            return Err(Error::Crypto);
        };
        {
            let src = from.setup();
            let param = sys::VerifyParam::copy_of(&src.param).ok_or(Error::Crypto)?;
            let mut dst = to.setup();
            dst.settings = Arc::clone(&src.settings);
            dst.own_settings = src.own_settings;
            dst.options = src.options;
            dst.mode = src.mode;
            dst.read_ahead = src.read_ahead;
            dst.role = src.role;
            dst.param = param;
        }
        let session = lock(&from.state.last_session).clone();
        *lock(&to.state.resume) = session.clone();
        *lock(&to.state.last_session) = session;
        *lock(&to.method) = *lock(&from.method);
        *lock(&to.callbacks) = *lock(&from.callbacks);
        to.ex_data.dup_from(&from.ex_data);
        Ok(raw)
    })
}

/// Whether the connection has read a record header but not all of its body (not known
/// while the connection is busy in a callback: then "header").
fn reading_body(ssl: *const SSL) -> Result<bool, Error> {
    let ssl = try_ref!(ssl);
    Ok(ssl.conn.try_lock().is_ok_and(|c| c.reading_body()))
}

/// `SSL_rstate_string`: the record layer's read state, "RH" (header) or "RB" (body).
#[no_mangle]
pub unsafe extern "C" fn SSL_rstate_string(ssl: *const SSL) -> *const c_char {
    entry(|| Ok(if reading_body(ssl)? { c"RB" } else { c"RH" }.as_ptr()))
}

/// `SSL_rstate_string_long`: "read header" or "read body".
#[no_mangle]
pub unsafe extern "C" fn SSL_rstate_string_long(ssl: *const SSL) -> *const c_char {
    entry(|| {
        Ok(if reading_body(ssl)? {
            c"read body"
        } else {
            c"read header"
        }
        .as_ptr())
    })
}

/// `SSL_get_default_timeout`: the lifetime of new sessions by default, 7200 seconds (the
/// TLS methods' default; `SSL_CTX_set_timeout` sets a context's own).
#[no_mangle]
pub unsafe extern "C" fn SSL_get_default_timeout(ssl: *const SSL) -> std::ffi::c_long {
    entry(|| {
        try_ref!(ssl);
        Ok(7200)
    })
}

/// OpenSSL's `struct openssl_ssl_test_functions`: hooks its own unit tests call.
#[repr(C)]
pub struct openssl_ssl_test_functions {
    p_ssl_init_wbio_buffer: unsafe extern "C" fn(*mut SSL) -> c_int,
    p_ssl3_setup_buffers: unsafe extern "C" fn(*mut SSL) -> c_int,
}

/// A test hook that sets up a connection's buffers: they are made on demand here; 1.
///
/// # Safety
/// None: the argument is not read.
unsafe extern "C" fn buffers_ready(_ssl: *mut SSL) -> c_int {
    1
}

static TEST_FUNCTIONS: openssl_ssl_test_functions = openssl_ssl_test_functions {
    p_ssl_init_wbio_buffer: buffers_ready,
    p_ssl3_setup_buffers: buffers_ready,
};

/// `SSL_test_functions`: the hooks of OpenSSL's unit tests (static); each answers 1, the
/// shim's buffers need no setting up.
#[no_mangle]
pub extern "C" fn SSL_test_functions() -> *const openssl_ssl_test_functions {
    &TEST_FUNCTIONS
}
