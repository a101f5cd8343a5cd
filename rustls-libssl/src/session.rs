//! `SSL_SESSION`: resumption state handed to the application, and the rustls session-store
//! hooks that exchange it with the connection in progress (client: the new-session callback
//! and `SSL_set_session`; server: the new/get/remove callbacks of an external cache such as
//! nginx's shared cache, and `i2d`/`d2i_SSL_SESSION`).

use std::ffi::CString;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{SystemTime, UNIX_EPOCH};

use rustls::client::{ClientSessionStore, Tls12ClientSessionValue, Tls13ClientSessionValue};
use rustls::server::StoresServerSessions;
use rustls::NamedGroup;
use rustls_pki_types::ServerName;

use crate::crypto_sys::{Cert, ExClass, ExData};
use crate::current::{self, lock, ConnState};

/// A session: what `SSL_SESSION_get*` report about it ([`Meta`]), the state that resumes
/// it, and the application's ex_data. TLS 1.3 client tickets are single-use (rustls, after
/// RFC 8446 C.4): the sessions of one resumption lineage share their tickets in a
/// [`TicketPool`].
pub(crate) struct Session {
    meta: Mutex<Meta>,
    state: Mutex<State>,
    /// `SSL_SESSION_set_ex_data` slots.
    pub ex_data: ExData,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let meta = lock(&self.meta);
        f.debug_struct("Session")
            .field("version", &meta.version)
            .field("cipher", &meta.cipher)
            .finish_non_exhaustive()
    }
}

/// Everything OpenSSL records about a session besides the resumption state.
#[derive(Clone, Debug, Default)]
pub(crate) struct Meta {
    /// Protocol version (`TLS1_2_VERSION`/`TLS1_3_VERSION`), 0 if unknown.
    pub version: u16,
    /// IANA id of the cipher suite, 0 if unknown.
    pub cipher: u16,
    /// The session id: the server's cache key, or a local random id (at most 32 bytes).
    pub id: Vec<u8>,
    /// The session id context of the connection that made it (at most 32 bytes).
    pub sid_ctx: Vec<u8>,
    /// The TLS 1.2 master secret (TLS 1.3: empty, see the README).
    pub master_key: Vec<u8>,
    /// Creation time, seconds since the epoch.
    pub time: u64,
    /// Lifetime in seconds.
    pub timeout: u64,
    /// The SNI host name of the handshake that made the session.
    pub hostname: Option<CString>,
    /// The ALPN protocol it negotiated.
    pub alpn: Option<Vec<u8>>,
    /// The peer's certificate.
    pub peer: Option<Cert>,
    /// The peer verification result.
    pub verify_result: i64,
    /// The lifetime a server announced with its ticket (clients), seconds.
    pub ticket_lifetime_hint: u64,
    /// Whether the session came with a ticket (clients).
    pub has_ticket: bool,
    /// `SSL_SESSION_set1_ticket_appdata`.
    pub ticket_appdata: Option<Vec<u8>>,
    /// The 0-RTT limit of the session.
    pub max_early_data: u32,
    /// The handle a serialised client session is found again by (see `registry`).
    pub client_handle: Option<[u8; 32]>,
}

#[derive(Debug, Default, Clone)]
enum State {
    #[default]
    Empty,
    Client12(Tls12ClientSessionValue),
    Client13(Arc<TicketPool>),
    /// A server session: rustls's own encoding of the resumption state.
    Server(Vec<u8>),
}

/// The TLS 1.3 tickets of the sessions of one resumption lineage: a connection's tickets,
/// and those of the connections that resumed from them. Resuming any of these sessions
/// takes the newest ticket; the resumed connection's new tickets refill the pool. So an
/// application that resumes the same `SSL_SESSION` again and again (OpenSSL allows it)
/// keeps resuming while the server sends tickets, without a ticket ever being used twice.
#[derive(Debug, Default)]
pub(crate) struct TicketPool(Mutex<Vec<Tls13ClientSessionValue>>);

/// Tickets kept per pool (each holds the server's certificate chain); the oldest go first.
const POOL_TICKETS: usize = 4;

impl TicketPool {
    fn push(&self, ticket: Tls13ClientSessionValue) {
        let mut tickets = lock(&self.0);
        if tickets.len() >= POOL_TICKETS {
            tickets.remove(0);
        }
        tickets.push(ticket);
    }

    fn take_newest(&self) -> Option<Tls13ClientSessionValue> {
        lock(&self.0).pop()
    }

    fn is_empty(&self) -> bool {
        lock(&self.0).is_empty()
    }
}

/// Tag and version of the serialised form (`i2d_SSL_SESSION`).
const MAGIC: &[u8; 4] = b"RLS2";

/// Field tags of the serialised form; unknown tags are skipped when reading.
mod tag {
    pub(super) const ID: u8 = 1;
    pub(super) const SID_CTX: u8 = 2;
    pub(super) const MASTER_KEY: u8 = 3;
    pub(super) const HOSTNAME: u8 = 4;
    pub(super) const ALPN: u8 = 5;
    pub(super) const PEER: u8 = 6;
    pub(super) const VERIFY_RESULT: u8 = 7;
    pub(super) const TICKET_HINT: u8 = 8;
    pub(super) const APPDATA: u8 = 9;
    pub(super) const MAX_EARLY: u8 = 10;
    pub(super) const SERVER_STATE: u8 = 11;
    pub(super) const HAS_TICKET: u8 = 12;
    pub(super) const CLIENT_HANDLE: u8 = 13;
}

/// Client sessions serialised by this process, by a random handle: rustls keeps a client
/// session's resumption state private, so `i2d_SSL_SESSION` writes a handle to it and
/// `d2i_SSL_SESSION` in the same process finds the state again (nginx keeps its upstream
/// sessions serialised in shared memory). Another process cannot resume them. Bounded: the
/// oldest handles are forgotten first.
mod registry {
    use std::collections::VecDeque;
    use std::sync::Mutex;

    use super::State;
    use crate::current::lock;

    /// How many serialised client sessions stay resumable.
    const CAPACITY: usize = 256;

    static HANDLES: Mutex<VecDeque<([u8; 32], State)>> = Mutex::new(VecDeque::new());

    /// Remembers `state` under `handle` (replacing an older entry of the same handle).
    pub(super) fn put(handle: [u8; 32], state: State) {
        let mut handles = lock(&HANDLES);
        handles.retain(|(h, _)| *h != handle);
        if handles.len() >= CAPACITY {
            handles.pop_front();
        }
        handles.push_back((handle, state));
    }

    /// The state serialised under `handle`, if still remembered.
    pub(super) fn get(handle: &[u8]) -> Option<State> {
        lock(&HANDLES)
            .iter()
            .find(|(h, _)| h[..] == *handle)
            .map(|(_, s)| s.clone())
    }
}

impl Session {
    /// A session with `meta` and resumption `state`; the application's ex_data "new"
    /// callbacks run with its pointer.
    fn create(meta: Meta, state: State) -> Arc<Self> {
        let mut session = Arc::new(Self {
            meta: Mutex::new(meta),
            state: Mutex::new(state),
            ex_data: ExData::new(ExClass::SslSession),
        });
        let ptr = Arc::as_ptr(&session).cast_mut().cast();
        if let Some(s) = Arc::get_mut(&mut session) {
            s.ex_data.init(ptr);
        }
        session
    }

    /// An empty session (`SSL_SESSION_new`): nothing to resume.
    pub(crate) fn empty() -> Arc<Self> {
        Self::create(
            Meta {
                time: now(),
                timeout: 304,
                ..Meta::default()
            },
            State::Empty,
        )
    }

    /// A session that describes a connection without being resumable (what
    /// `SSL_get_session` returns when no resumable session exists), with a fresh random
    /// id as OpenSSL gives every new session.
    pub(crate) fn describing(mut meta: Meta) -> Arc<Self> {
        if meta.id.is_empty() {
            meta.id = random_id();
        }
        Self::create(meta, State::Empty)
    }

    /// A copy (`SSL_SESSION_dup`), with the ex_data "dup" callbacks run.
    pub(crate) fn duplicate(&self) -> Arc<Self> {
        let mut copy = Self::create(self.meta().clone(), lock(&self.state).clone());
        if let Some(c) = Arc::get_mut(&mut copy) {
            c.ex_data.dup_from(&self.ex_data);
        }
        copy
    }

    /// The session's description, for reading or changing.
    pub(crate) fn meta(&self) -> MutexGuard<'_, Meta> {
        lock(&self.meta)
    }

    /// Whether the session can still resume a connection.
    pub(crate) fn is_resumable(&self) -> bool {
        match &*lock(&self.state) {
            State::Empty => false,
            State::Client13(pool) => !pool.is_empty(),
            State::Client12(_) | State::Server(_) => true,
        }
    }

    /// The ticket pool of a TLS 1.3 client session.
    fn pool(&self) -> Option<Arc<TicketPool>> {
        match &*lock(&self.state) {
            State::Client13(pool) => Some(Arc::clone(pool)),
            _ => None,
        }
    }

    /// The serialised form (`i2d_SSL_SESSION`). A client session's resumption state stays
    /// out (rustls keeps it private): read back, such a session describes the connection
    /// but cannot resume one.
    pub(crate) fn encode(&self) -> Vec<u8> {
        let meta = self.meta().clone();
        let mut out = Vec::with_capacity(256);
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&meta.version.to_be_bytes());
        out.extend_from_slice(&meta.cipher.to_be_bytes());
        out.extend_from_slice(&meta.time.to_be_bytes());
        out.extend_from_slice(&meta.timeout.to_be_bytes());
        let mut field = |tag: u8, value: &[u8]| {
            out.push(tag);
            out.extend_from_slice(&u32::try_from(value.len()).unwrap_or(0).to_be_bytes());
            out.extend_from_slice(value);
        };
        field(tag::ID, &meta.id);
        field(tag::SID_CTX, &meta.sid_ctx);
        field(tag::MASTER_KEY, &meta.master_key);
        if let Some(h) = &meta.hostname {
            field(tag::HOSTNAME, h.as_bytes());
        }
        if let Some(a) = &meta.alpn {
            field(tag::ALPN, a);
        }
        if let Some(der) = meta.peer.as_ref().and_then(Cert::to_der) {
            field(tag::PEER, &der);
        }
        field(tag::VERIFY_RESULT, &meta.verify_result.to_be_bytes());
        field(tag::TICKET_HINT, &meta.ticket_lifetime_hint.to_be_bytes());
        if let Some(d) = &meta.ticket_appdata {
            field(tag::APPDATA, d);
        }
        field(tag::MAX_EARLY, &meta.max_early_data.to_be_bytes());
        field(tag::HAS_TICKET, &[u8::from(meta.has_ticket)]);
        match &*lock(&self.state) {
            State::Server(value) => field(tag::SERVER_STATE, value),
            State::Empty => {}
            client => {
                let mut meta = self.meta();
                let handle = match meta.client_handle {
                    Some(h) => Some(h),
                    None => {
                        let mut h = [0u8; 32];
                        aws_lc_rs::rand::fill(&mut h).ok().map(|()| {
                            meta.client_handle = Some(h);
                            h
                        })
                    }
                };
                if let Some(handle) = handle {
                    registry::put(handle, client.clone());
                    field(tag::CLIENT_HANDLE, &handle);
                }
            }
        }
        out
    }

    /// Parses [`Session::encode`]'s form; returns the session and the bytes used.
    pub(crate) fn decode(data: &[u8]) -> Option<(Arc<Self>, usize)> {
        let mut r = Reader(data);
        if r.take(4)? != MAGIC {
            return None;
        }
        let mut meta = Meta {
            version: u16::from_be_bytes(r.array()?),
            cipher: u16::from_be_bytes(r.array()?),
            time: u64::from_be_bytes(r.array()?),
            timeout: u64::from_be_bytes(r.array()?),
            ..Meta::default()
        };
        let mut state = State::Empty;
        while let Some(&t) = r.0.first() {
            r.take(1)?;
            let len = usize::try_from(u32::from_be_bytes(r.array()?)).ok()?;
            let value = r.take(len)?;
            match t {
                tag::ID if len <= 32 => meta.id = value.to_vec(),
                tag::SID_CTX if len <= 32 => meta.sid_ctx = value.to_vec(),
                tag::MASTER_KEY if len <= 48 => meta.master_key = value.to_vec(),
                tag::HOSTNAME => meta.hostname = Some(CString::new(value).ok()?),
                tag::ALPN => meta.alpn = Some(value.to_vec()),
                tag::PEER => meta.peer = Some(Cert::from_der(value)?),
                tag::VERIFY_RESULT => {
                    meta.verify_result = i64::from_be_bytes(value.try_into().ok()?)
                }
                tag::TICKET_HINT => {
                    meta.ticket_lifetime_hint = u64::from_be_bytes(value.try_into().ok()?);
                }
                tag::APPDATA => meta.ticket_appdata = Some(value.to_vec()),
                tag::MAX_EARLY => meta.max_early_data = u32::from_be_bytes(value.try_into().ok()?),
                tag::HAS_TICKET => meta.has_ticket = value.first() == Some(&1),
                tag::SERVER_STATE => state = State::Server(value.to_vec()),
                tag::CLIENT_HANDLE => {
                    state = registry::get(value).unwrap_or_default();
                    meta.client_handle = value.try_into().ok();
                }
                tag::ID | tag::SID_CTX | tag::MASTER_KEY => return None,
                _ => {}
            }
        }
        Some((Self::create(meta, state), data.len()))
    }

    fn server_value(&self) -> Option<Vec<u8>> {
        match &*lock(&self.state) {
            State::Server(v) => Some(v.clone()),
            _ => None,
        }
    }

    /// Whether the session's lifetime is over at `now`.
    pub(crate) fn is_expired_at(&self, now: u64) -> bool {
        let meta = self.meta();
        now > meta.time.saturating_add(meta.timeout)
    }

    fn is_expired(&self) -> bool {
        self.is_expired_at(now())
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        // The application's free callbacks see the session whole.
        self.ex_data.release();
    }
}

struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if self.0.len() < n {
            return None;
        }
        let (head, tail) = self.0.split_at(n);
        self.0 = tail;
        Some(head)
    }

    fn array<const N: usize>(&mut self) -> Option<[u8; N]> {
        self.take(N)?.try_into().ok()
    }
}

/// Seconds since the epoch.
pub(crate) fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// What the connection in progress knows about the session it is making.
fn describe(state: &ConnState, version: u16, cipher: u16, id: Vec<u8>, server: bool) -> Meta {
    let (sid_ctx, client_name) = {
        let setup = state.setup();
        (
            setup.settings.session_id_context.clone(),
            setup.server_name.clone(),
        )
    };
    let hostname = if server {
        lock(&state.hello)
            .as_ref()
            .and_then(|h| h.server_name.clone())
    } else {
        client_name
    };
    let alpn = lock(&state.status).alpn.clone();
    let (peer, verify_result) = {
        let outcome = state.outcome();
        (outcome.peer_chain.first().cloned(), outcome.verify_result)
    };
    let master_key = lock(&state.export)
        .as_ref()
        .map(|e| e.master_secret().to_vec())
        .unwrap_or_default();
    Meta {
        version,
        cipher,
        id,
        sid_ctx,
        master_key,
        time: now(),
        timeout: *lock(&state.session_timeout),
        hostname: hostname.and_then(|h| CString::new(h).ok()),
        alpn,
        peer,
        verify_result,
        ..Meta::default()
    }
}

/// The rustls client session store, shared by every client config; it reads and writes the
/// session of the connection in progress ([`current`]).
#[derive(Debug)]
pub(crate) struct ClientSessionHook;

impl ClientSessionStore for ClientSessionHook {
    fn set_kx_hint(&self, _: ServerName<'static>, _: NamedGroup) {}

    fn kx_hint(&self, _: &ServerName<'_>) -> Option<NamedGroup> {
        None
    }

    fn set_tls12_session(&self, _: ServerName<'static>, value: Tls12ClientSessionValue) {
        // rustls keeps the TLS 1.2 session id private; the application only needs an
        // opaque identifier for its cache. The suite is the one negotiated.
        let Some(state) = current::current() else {
            return;
        };
        let cipher = lock(&state.status).cipher.map_or(0, |c| c.iana_id());
        let meta = describe(&state, 0x0303, cipher, random_id(), false);
        new_session(&state, meta, State::Client12(value));
    }

    fn tls12_session(&self, _: &ServerName<'_>) -> Option<Tls12ClientSessionValue> {
        let state = current::current()?;
        let session = lock(&state.resume).clone()?;
        let value = match &*lock(&session.state) {
            State::Client12(v) => Some(v.clone()),
            _ => None,
        };
        value
    }

    fn remove_tls12_session(&self, _: &ServerName<'static>) {}

    fn insert_tls13_ticket(&self, _: ServerName<'static>, value: Tls13ClientSessionValue) {
        let Some(state) = current::current() else {
            return;
        };
        let cipher = u16::from(value.suite().common.suite);
        let max_early_data = value.max_early_data_size();
        // The lineage: the session this connection resumed (or tried to), else the one its
        // previous ticket made, else a new one.
        let resumed = lock(&state.resume).as_ref().and_then(|s| s.pool());
        let pool = resumed
            .or_else(|| lock(&state.last_session).as_ref().and_then(|s| s.pool()))
            .unwrap_or_default();
        pool.push(value);
        let mut meta = describe(&state, 0x0304, cipher, random_id(), false);
        meta.has_ticket = true;
        meta.max_early_data = max_early_data;
        new_session(&state, meta, State::Client13(pool));
    }

    fn take_tls13_ticket(&self, _: &ServerName<'static>) -> Option<Tls13ClientSessionValue> {
        let state = current::current()?;
        let session = lock(&state.resume).clone()?;
        let pool = session.pool()?;
        pool.take_newest()
    }
}

/// Records a new session on the connection in progress and offers it to the application.
fn new_session(state: &ConnState, meta: Meta, value: State) {
    let session = Session::create(meta, value);
    *lock(&state.last_session) = Some(Arc::clone(&session));
    state.events.new_session(session, false);
}

/// The rustls server session store shared by every server config: the context's internal
/// cache (unless disabled), then the application's external cache callbacks. Values are
/// bound to the session id context of the connection that made them: a connection with
/// another context does not resume them, as in OpenSSL.
#[derive(Debug)]
pub(crate) struct ServerSessionHook;

impl StoresServerSessions for ServerSessionHook {
    fn put(&self, key: Vec<u8>, value: Vec<u8>) -> bool {
        let Some(state) = current::current() else {
            return false;
        };
        let (version, cipher) = {
            let status = lock(&state.status);
            (status.version, status.cipher.map_or(0, |c| c.iana_id()))
        };
        let mut meta = describe(&state, version, cipher, key, true);
        meta.max_early_data = state.setup().settings.max_early_data;
        let session = Session::create(meta, State::Server(value));
        let cache = lock(&state.server_cache).clone();
        let mut stored = cache.as_ref().is_some_and(|c| c.add(Arc::clone(&session)));
        *lock(&state.last_session) = Some(Arc::clone(&session));
        stored |= state.events.new_session(session, true);
        stored
    }

    fn get(&self, key: &[u8]) -> Option<Vec<u8>> {
        let state = current::current()?;
        let session = self.find(&state, key, false)?;
        let value = session.server_value()?;
        *lock(&state.last_session) = Some(session);
        Some(value)
    }

    /// rustls takes TLS 1.3 stateful sessions for single use; OpenSSL does that only for
    /// 0-RTT anti-replay, and otherwise lets a session resume again.
    fn take(&self, key: &[u8]) -> Option<Vec<u8>> {
        let state = current::current()?;
        let single_use = *lock(&state.single_use_sessions);
        let session = self.find(&state, key, single_use)?;
        let value = session.server_value()?;
        *lock(&state.last_session) = Some(session);
        Some(value)
    }

    fn can_cache(&self) -> bool {
        true
    }
}

impl ServerSessionHook {
    /// The session `key` names, from the internal cache then the application's, if it is
    /// alive and belongs to this connection's session id context; `remove` takes it out
    /// of both caches.
    fn find(&self, state: &ConnState, key: &[u8], remove: bool) -> Option<Arc<Session>> {
        let internal = lock(&state.server_cache).clone();
        let session = match internal.as_ref().and_then(|c| c.get(key)) {
            Some(s) => s,
            None => state.events.get_session(key)?,
        };
        if remove {
            if let Some(c) = internal.as_ref() {
                c.remove(key);
            }
            state.events.remove_session(&session);
        }
        if session.is_expired() {
            if let Some(c) = internal.as_ref() {
                c.remove(key);
            }
            return None;
        }
        let sid_ctx = state.setup().settings.session_id_context.clone();
        let same = session.meta().sid_ctx == sid_ctx;
        same.then_some(session)
    }
}

/// A fresh 32-byte session id.
fn random_id() -> Vec<u8> {
    let mut id = vec![0u8; 32];
    // An RNG failure leaves a zero id: the id only names the session in caches.
    let _ = aws_lc_rs::rand::fill(&mut id);
    id
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_session_round_trip() {
        let meta = Meta {
            version: 0x0304,
            cipher: 0x1302,
            id: vec![7; 32],
            sid_ctx: b"ctx".to_vec(),
            hostname: CString::new("example.org").ok(),
            alpn: Some(b"h2".to_vec()),
            timeout: 300,
            ..Meta::default()
        };
        let s = Session::create(meta, State::Server(b"state".to_vec()));
        let der = s.encode();
        let (back, used) = Session::decode(&der).unwrap_or_else(|| (Session::empty(), 0));
        assert_eq!(used, der.len());
        let m = back.meta().clone();
        assert_eq!((m.version, m.cipher, m.id), (0x0304, 0x1302, vec![7; 32]));
        assert_eq!(m.sid_ctx, b"ctx");
        assert_eq!(
            m.hostname.as_deref(),
            CString::new("example.org").ok().as_deref()
        );
        assert_eq!(m.alpn.as_deref(), Some(&b"h2"[..]));
        assert_eq!(back.server_value(), Some(b"state".to_vec()));
        assert_eq!(m.timeout, 300);
        for cut in 0..der.len() {
            // Every truncation is refused or reads fewer fields; none panics.
            let _ = Session::decode(&der[..cut]);
        }
        assert!(Session::decode(b"junk").is_none());
        let empty = Session::empty().encode();
        assert!(Session::decode(&empty).is_some_and(|(s, _)| !s.is_resumable()));
    }
}
