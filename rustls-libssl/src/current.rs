//! Per-connection state that rustls's shared hooks (certificate verifier, session store, key
//! log) need while one connection's rustls call is in progress.
//!
//! One rustls config is shared by every connection of an SSL_CTX, so the hooks inside it
//! cannot hold per-connection data. The connection publishes its [`ConnState`] in a
//! thread-local for the duration of each rustls call ([`enter`]); the hooks read it there.

use std::cell::RefCell;
use std::sync::{Arc, Mutex, MutexGuard};

use rustls::server::StoresServerSessions;
use rustls::sign::CertifiedKey;

use crate::crypto_sys::{Cert, VerifyCallback, VerifyParam, X509Store};
use crate::exporter::ExportSecret;
use crate::session::Session;

/// Application callbacks the core triggers; implemented by the ABI layer, which knows the
/// C function pointers and the `SSL *` they take.
pub(crate) trait Events: Send + Sync {
    /// A key-log line (`SSLKEYLOGFILE` format, no newline).
    fn keylog(&self, line: &str);
    /// A new session to offer to the application's session cache (`server`: made by a
    /// server); true if a callback was there to take it.
    fn new_session(&self, session: Arc<Session>, server: bool) -> bool;
    /// A session from the application's external cache (server), by id.
    fn get_session(&self, id: &[u8]) -> Option<Arc<Session>>;
    /// Tells the application's cache a session is no longer valid.
    fn remove_session(&self, session: &Arc<Session>);
    /// Whether a key-log callback is installed (so secrets are formatted only when needed).
    fn wants_keylog(&self) -> bool;
    /// Seals a session ticket with the application's ticket-key callback.
    fn seal_ticket(&self, plain: &[u8]) -> Option<Vec<u8>>;
    /// Opens a ticket sealed by [`Events::seal_ticket`] (here or in another process).
    fn open_ticket(&self, ticket: &[u8]) -> Option<Vec<u8>>;
}

/// How to verify the peer's certificate for this connection.
pub(crate) struct VerifySetup {
    /// `SSL_VERIFY_*` bits.
    pub mode: i32,
    pub callback: VerifyCallback,
    pub store: X509Store,
    pub param: Option<VerifyParam>,
    /// ex_data index and `SSL *` value for `X509_STORE_CTX`.
    pub ex_data: Option<(i32, usize)>,
}

/// What the handshake learned that the application reads afterwards.
#[derive(Default)]
pub(crate) struct Outcome {
    /// `SSL_get_verify_result`: `X509_V_OK` (0) until verification says otherwise.
    pub verify_result: i64,
    /// The peer's chain as sent (leaf first).
    pub peer_chain: Vec<Cert>,
    /// The chain verification built (leaf to trust anchor).
    pub verified_chain: Vec<Cert>,
    /// A stapled OCSP response, if the peer sent one.
    pub ocsp_response: Vec<u8>,
}

/// State shared between a connection and the hooks running inside its rustls calls.
pub(crate) struct ConnState {
    pub events: Arc<dyn Events>,
    /// Set for the handshake only.
    pub verify: Mutex<Option<Box<VerifySetup>>>,
    pub outcome: Mutex<Outcome>,
    /// The session the application asked to resume (`SSL_set_session`).
    pub resume: Mutex<Option<Arc<Session>>>,
    /// The certificates and keys this side can present (one per key type).
    pub credentials: Mutex<Vec<Arc<CertifiedKey>>>,
    /// What the client offered, for a server (callbacks and `$ssl_*` getters read it).
    pub hello: Mutex<Option<HelloInfo>>,
    /// The session this connection made or resumed (`SSL_get_session`).
    pub last_session: Mutex<Option<Arc<Session>>>,
    /// A server's internal session cache, unless the application disabled it.
    pub server_cache: Mutex<Option<Arc<dyn StoresServerSessions>>>,
    /// Negotiated (version, cipher id) once known, for new sessions.
    pub negotiated: Mutex<(u16, u16)>,
    /// Lifetime given to new server sessions.
    pub session_timeout: Mutex<u64>,
    /// Sessions are single use (0-RTT anti-replay), else resumable again, as in OpenSSL.
    pub single_use_sessions: Mutex<bool>,
    /// The secret keying-material exporters derive from, from the key-log hook.
    pub export: Mutex<Option<ExportSecret>>,
}

/// The parts of a ClientHello the application can ask about.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct HelloInfo {
    pub server_name: Option<String>,
    /// ALPN protocols offered, in the client's order.
    pub alpn: Vec<Vec<u8>>,
    /// Cipher suites offered, as on the wire (two bytes each).
    pub raw_ciphers: Vec<u8>,
    /// Named groups offered.
    pub groups: Vec<u16>,
}

impl ConnState {
    /// A state with nothing learned yet.
    pub(crate) fn new(events: Arc<dyn Events>) -> Self {
        Self {
            events,
            verify: Mutex::new(None),
            outcome: Mutex::new(Outcome::default()),
            resume: Mutex::new(None),
            credentials: Mutex::new(Vec::new()),
            hello: Mutex::new(None),
            last_session: Mutex::new(None),
            server_cache: Mutex::new(None),
            negotiated: Mutex::new((0, 0)),
            session_timeout: Mutex::new(300),
            single_use_sessions: Mutex::new(false),
            export: Mutex::new(None),
        }
    }

    /// The outcome, for reading or updating.
    pub(crate) fn outcome(&self) -> MutexGuard<'_, Outcome> {
        lock(&self.outcome)
    }
}

/// Locks a mutex, recovering the data if a panic poisoned it (the panic was already turned
/// into an error at the C boundary; the data itself stays consistent field by field).
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

thread_local! {
    static CURRENT: RefCell<Option<Arc<ConnState>>> = const { RefCell::new(None) };
}

/// Publishes `state` as the current connection until the guard drops (calls nest).
pub(crate) fn enter(state: &Arc<ConnState>) -> Guard {
    let previous = CURRENT.with(|c| c.replace(Some(Arc::clone(state))));
    Guard { previous }
}

/// Restores the previously current connection.
pub(crate) struct Guard {
    previous: Option<Arc<ConnState>>,
}

impl Drop for Guard {
    fn drop(&mut self) {
        let previous = self.previous.take();
        CURRENT.with(|c| c.replace(previous));
    }
}

/// The connection whose rustls call is in progress on this thread.
pub(crate) fn current() -> Option<Arc<ConnState>> {
    CURRENT.with(|c| c.borrow().clone())
}
