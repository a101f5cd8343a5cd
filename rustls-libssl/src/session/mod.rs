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

mod der;
pub(crate) use der::DecodeError;

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
    /// The ticket a client received (empty: none; `SSL_SESSION_has_ticket`).
    pub ticket: Vec<u8>,
    /// The ticket's age obfuscation (TLS 1.3 clients).
    pub ticket_age_add: u32,
    /// OpenSSL's session flags (`SSL_SESS_FLAG_EXTMS`: extended master secret used).
    pub flags: u64,
    /// `SSL_SESSION_set1_ticket_appdata`.
    pub ticket_appdata: Option<Vec<u8>>,
    /// The 0-RTT limit of the session.
    pub max_early_data: u32,
    /// The max_fragment_length mode (255: unspecified, as in a new session).
    pub max_fragment_len_mode: u8,
    /// The key-exchange group of the handshake (its code point; 0 if unknown).
    pub kex_group: u16,
    /// The handle a serialised client session is found again by (see `registry`).
    pub client_handle: Option<[u8; 32]>,
}

/// `SSL_SESS_FLAG_EXTMS`.
pub(crate) const FLAG_EXTMS: u64 = 1;

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
}

/// Kinds of the resumption state in the serialised form's own field.
mod kind {
    /// A server session: rustls's encoding of it follows.
    pub(super) const SERVER: u8 = 1;
    /// A client session of this process: the 32-byte `registry` handle follows.
    pub(super) const CLIENT: u8 = 2;
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

    /// An empty session (`SSL_SESSION_new`): nothing to resume; as OpenSSL makes one,
    /// with its verify result "unspecified error" until a handshake sets it.
    pub(crate) fn empty() -> Arc<Self> {
        Self::create(
            Meta {
                time: now(),
                timeout: 304,
                verify_result: 1,
                max_fragment_len_mode: 255,
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

    /// `SSL_SESSION_is_resumable`, as OpenSSL decides it: the session has an id or a
    /// ticket, and was not marked unresumable.
    pub(crate) fn is_resumable(&self) -> bool {
        let meta = self.meta();
        !meta.id.is_empty() || !meta.ticket.is_empty()
    }

    /// The ticket pool of a TLS 1.3 client session.
    fn pool(&self) -> Option<Arc<TicketPool>> {
        match &*lock(&self.state) {
            State::Client13(pool) => Some(Arc::clone(pool)),
            _ => None,
        }
    }

    /// The serialised form (`i2d_SSL_SESSION`): OpenSSL's DER sequence, then the
    /// resumption state: a server's in full; a client's as a handle that this process can
    /// resolve (rustls keeps a client session's state private). `None` for a session
    /// without a cipher, which OpenSSL does not serialise.
    pub(crate) fn encode(&self) -> Option<Vec<u8>> {
        let meta = self.meta().clone();
        if meta.cipher == 0 {
            return None;
        }
        let state = match &*lock(&self.state) {
            State::Empty => None,
            State::Server(value) => {
                let mut v = Vec::with_capacity(1 + value.len());
                v.push(kind::SERVER);
                v.extend_from_slice(value);
                Some(v)
            }
            client => self.client_handle().map(|handle| {
                registry::put(handle, client.clone());
                let mut v = vec![kind::CLIENT];
                v.extend_from_slice(&handle);
                v
            }),
        };
        let fields = der::Fields {
            ssl_version: i64::from(meta.version),
            cipher: meta.cipher.to_be_bytes(),
            session_id: meta.id,
            master_key: meta.master_key,
            time: i64::try_from(meta.time).unwrap_or(i64::MAX),
            timeout: i64::try_from(meta.timeout).unwrap_or(i64::MAX),
            peer: meta.peer.as_ref().and_then(Cert::to_der),
            sid_ctx: meta.sid_ctx,
            verify_result: meta.verify_result,
            hostname: meta.hostname.map(|h| h.into_bytes()),
            tick_lifetime_hint: meta.ticket_lifetime_hint,
            tick: (!meta.ticket.is_empty()).then_some(meta.ticket),
            flags: meta.flags,
            tick_age_add: meta.ticket_age_add,
            max_early_data: meta.max_early_data,
            alpn: meta.alpn,
            max_fragment_len_mode: u32::from(meta.max_fragment_len_mode),
            ticket_appdata: meta.ticket_appdata,
            kex_group: u32::from(meta.kex_group),
            state,
        };
        Some(fields.encode())
    }

    /// The handle this client session is serialised under, made on first use.
    fn client_handle(&self) -> Option<[u8; 32]> {
        let mut meta = self.meta();
        if meta.client_handle.is_none() {
            let mut h = [0u8; 32];
            aws_lc_rs::rand::fill(&mut h).ok()?;
            meta.client_handle = Some(h);
        }
        meta.client_handle
    }

    /// Parses [`Session::encode`]'s form (or OpenSSL's); returns the session and the
    /// bytes used. Bytes after the sequence are not read.
    pub(crate) fn decode(data: &[u8]) -> Result<(Arc<Self>, usize), DecodeError> {
        let (f, used) = der::Fields::decode(data)?;
        let cipher = u16::from_be_bytes(f.cipher);
        if crate::ciphers::Cipher::by_id(cipher).is_none() {
            return Err(DecodeError::Silent);
        }
        let peer = match &f.peer {
            Some(d) => Some(Cert::from_der(d).ok_or(DecodeError::Body)?),
            None => None,
        };
        let hostname = f.hostname.map(|mut h| {
            // OpenSSL copies the name as a C string: up to a NUL.
            if let Some(nul) = h.iter().position(|b| *b == 0) {
                h.truncate(nul);
            }
            CString::new(h).unwrap_or_default()
        });
        let mut meta = Meta {
            version: u16::try_from(f.ssl_version).unwrap_or(0),
            cipher,
            id: f.session_id,
            sid_ctx: f.sid_ctx,
            master_key: f.master_key,
            time: if f.time != 0 {
                u64::try_from(f.time).unwrap_or(0)
            } else {
                now()
            },
            timeout: if f.timeout != 0 {
                u64::try_from(f.timeout).unwrap_or(0)
            } else {
                3
            },
            hostname,
            alpn: f.alpn,
            peer,
            verify_result: f.verify_result,
            ticket_lifetime_hint: f.tick_lifetime_hint,
            ticket: f.tick.unwrap_or_default(),
            ticket_age_add: f.tick_age_add,
            flags: f.flags,
            ticket_appdata: f.ticket_appdata,
            max_early_data: f.max_early_data,
            max_fragment_len_mode: u8::try_from(f.max_fragment_len_mode).unwrap_or(255),
            kex_group: u16::try_from(f.kex_group).unwrap_or(0),
            client_handle: None,
        };
        let state = match f.state.as_deref() {
            Some([kind::SERVER, value @ ..]) => State::Server(value.to_vec()),
            Some([kind::CLIENT, handle @ ..]) => {
                meta.client_handle = handle.try_into().ok();
                registry::get(handle).unwrap_or_default()
            }
            _ => State::Empty,
        };
        Ok((Self::create(meta, state), used))
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

/// Seconds since the epoch.
pub(crate) fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// What the connection in progress knows about the session it is making.
/// The name a client's new session records: the one it sent, if the server acknowledged
/// it; on resumption, the resumed session's (OpenSSL keeps it).
pub(crate) fn client_hostname(state: &ConnState, sent: Option<String>) -> Option<String> {
    let (acked, resumed) = {
        let status = lock(&state.status);
        (status.name_acked, status.resumed)
    };
    if resumed {
        if let Some(s) = lock(&state.resume).as_ref() {
            return s
                .meta()
                .hostname
                .as_ref()
                .and_then(|h| h.to_str().ok().map(str::to_owned));
        }
    }
    sent.filter(|_| acked)
}

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
            .filter(|h| h.sni_acked)
            .and_then(|h| h.server_name.clone())
    } else {
        client_hostname(state, client_name)
    };
    let (alpn, group) = {
        let status = lock(&state.status);
        (status.alpn.clone(), status.group)
    };
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
        kex_group: group.map_or(0, u16::from),
        // A server's session keeps OpenSSL's "unspecified" until a client asks for a
        // fragment length (rustls never negotiates one); a client's says "disabled".
        max_fragment_len_mode: if server { 255 } else { 0 },
        flags: if version == crate::versions::TLS1_2 {
            FLAG_EXTMS
        } else {
            0
        },
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
        let Some(state) = current::current() else {
            return;
        };
        let details = Tls12Details::of(&value);
        // A resumed session stays the connection's session, as in OpenSSL, with the state
        // of this handshake.
        if lock(&state.status).resumed {
            if let Some(resumed) = lock(&state.resume).clone() {
                *lock(&resumed.state) = State::Client12(value);
                details.apply(&mut resumed.meta());
                *lock(&state.last_session) = Some(resumed);
                return;
            }
        }
        // rustls keeps the TLS 1.2 session id private; the application only needs an
        // opaque identifier for its cache. The suite is the one negotiated.
        let cipher = lock(&state.status).cipher.map_or(0, |c| c.iana_id());
        let mut meta = describe(&state, 0x0303, cipher, random_id(), false);
        details.apply(&mut meta);
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
        if let Some(t) = ARRIVING.try_with(|a| a.borrow_mut().take()).ok().flatten() {
            meta.ticket = t.ticket;
            meta.ticket_lifetime_hint = u64::from(t.lifetime);
            meta.ticket_age_add = t.age_add;
        }
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

/// A server is sealing a ticket for the connection in progress (its plaintext is rustls's
/// encoding of the session): the ticket's session becomes the connection's, as OpenSSL
/// makes one per ticket. A TLS 1.2 ticket session has no id (OpenSSL's server leaves it
/// empty and does not cache it); a TLS 1.3 one gets a fresh id. Its master key is the
/// one the ticket carries (TLS 1.3: the resumption PSK).
pub(crate) fn ticket_issued(state: &ConnState, plain: &[u8], appdata: Option<Vec<u8>>) {
    let (version, cipher) = {
        let status = lock(&state.status);
        (status.version, status.cipher.map_or(0, |c| c.iana_id()))
    };
    let secret = server_value_secret(plain);
    // A TLS 1.2 ticket renewed on resumption (same master secret): the session stays the
    // resumed one.
    if version != crate::versions::TLS1_3 {
        let last = lock(&state.last_session);
        if last
            .as_ref()
            .is_some_and(|s| Some(&s.meta().master_key) == secret.as_ref())
        {
            return;
        }
    }
    let id = if version == crate::versions::TLS1_3 {
        random_id()
    } else {
        Vec::new()
    };
    let mut meta = describe(state, version, cipher, id, true);
    meta.max_early_data = state.setup().settings.max_early_data;
    if let Some(secret) = secret {
        meta.master_key = secret;
    }
    meta.ticket_appdata = appdata;
    let session = Session::create(meta, State::Empty);
    *lock(&state.last_session) = Some(Arc::clone(&session));
    // OpenSSL offers each TLS 1.3 ticket's session to the application's cache (its
    // ssl_update_cache runs as the NewSessionTicket is made; stunnel logs the session id
    // and the peer's chain there). A TLS 1.2 ticket session has no id and is not offered.
    if version == crate::versions::TLS1_3 {
        let internal = *lock(&state.single_use_sessions) || state.events.wants_session_removals();
        offer_server_session(state, session, internal);
    }
}

/// The application data the connection's session holds for its next ticket
/// (`SSL_SESSION_set1_ticket_appdata`, typically from the generation callback).
pub(crate) fn current_ticket_appdata(state: &ConnState) -> Option<Vec<u8>> {
    lock(&state.last_session)
        .as_ref()
        .and_then(|s| s.meta().ticket_appdata.clone())
}

/// Whether the ClientHello of a TLS 1.2 handshake asks for a ticket without offering one
/// (an empty `session_ticket` extension).
pub(crate) fn empty_ticket_offered(state: &ConnState) -> bool {
    if lock(&state.status).version != crate::versions::TLS1_2 {
        return false;
    }
    lock(&state.hello)
        .as_ref()
        .is_some_and(|h| h.session_ticket == Some(0))
}

/// A server accepted a ticket (issued at `issued` for `timeout` seconds): its session
/// becomes the connection's, with the ticket's master key, start time and lifetime. A
/// TLS 1.2 session takes the session id the client sent with the ticket, as OpenSSL's
/// does (so `$ssl_session_id` shows it); a TLS 1.3 one a fresh id.
pub(crate) fn ticket_opened(
    state: &ConnState,
    plain: &[u8],
    issued: u64,
    timeout: u64,
    appdata: Option<Vec<u8>>,
) {
    let (version, cipher) = {
        let status = lock(&state.status);
        (status.version, status.cipher.map_or(0, |c| c.iana_id()))
    };
    let id = if version == crate::versions::TLS1_3 {
        random_id()
    } else {
        lock(&state.hello)
            .as_ref()
            .map(|h| h.session_id.clone())
            .unwrap_or_default()
    };
    let mut meta = describe(state, version, cipher, id, true);
    meta.time = issued;
    meta.timeout = timeout;
    meta.ticket_appdata = appdata;
    if let Some(secret) = server_value_secret(plain) {
        meta.master_key = secret;
    }
    *lock(&state.last_session) = Some(Session::create(meta, State::Empty));
}

/// The master secret in rustls's encoding of a server session (`ServerSessionValue`:
/// an optional SNI name, version, suite, then the secret with a one-byte length); `None`
/// if it does not parse.
fn server_value_secret(value: &[u8]) -> Option<Vec<u8>> {
    let mut at = 0;
    if *value.first()? == 1 {
        at += 1 + 1 + usize::from(*value.get(1)?);
    } else {
        at += 1;
    }
    at += 2 + 2;
    let len = usize::from(*value.get(at)?);
    Some(value.get(at + 1..at + 1 + len)?.to_vec())
}

/// A TLS 1.3 NewSessionTicket the record layer is handing to rustls: what OpenSSL keeps of
/// it in the session (`SSL_SESSION_get0_ticket`, the lifetime hint), which rustls keeps
/// private.
#[derive(Debug, Default, PartialEq, Eq)]
struct ArrivingTicket {
    lifetime: u32,
    age_add: u32,
    ticket: Vec<u8>,
}

thread_local! {
    /// The ticket being processed on this thread, taken by `insert_tls13_ticket`.
    static ARRIVING: std::cell::RefCell<Option<ArrivingTicket>> = const { std::cell::RefCell::new(None) };
}

/// Notes the body of a TLS 1.3 NewSessionTicket about to be given to rustls on this thread
/// (lifetime, age_add, nonce, ticket, extensions).
pub(crate) fn ticket_arriving(body: &[u8]) {
    let parsed = (|| {
        let lifetime = u32::from_be_bytes(body.get(0..4)?.try_into().ok()?);
        let age_add = u32::from_be_bytes(body.get(4..8)?.try_into().ok()?);
        let nonce_len = usize::from(*body.get(8)?);
        let at = 9 + nonce_len;
        let len = usize::from(u16::from_be_bytes(body.get(at..at + 2)?.try_into().ok()?));
        let ticket = body.get(at + 2..at + 2 + len)?.to_vec();
        Some(ArrivingTicket {
            lifetime,
            age_add,
            ticket,
        })
    })();
    let _ = ARRIVING.try_with(|a| *a.borrow_mut() = parsed);
}

/// What OpenSSL reports about a TLS 1.2 client session that rustls keeps private: the
/// ticket, its lifetime hint and whether the extended master secret was used. rustls
/// shows them only in the value's `Debug` form (`common: ClientSessionCommon { ticket:
/// <hex>, epoch: .., lifetime_secs: .. }`, `extended_ms: bool`), read here; a form that
/// does not parse yields "no ticket" (the unit tests pin it for this rustls version).
#[derive(Debug, Default, PartialEq, Eq)]
struct Tls12Details {
    ticket: Vec<u8>,
    lifetime: u32,
    extended_ms: bool,
}

impl Tls12Details {
    fn of(value: &Tls12ClientSessionValue) -> Self {
        Self::parse(&format!("{value:?}"))
    }

    fn parse(debug: &str) -> Self {
        let field = |name: &str| {
            let start = debug.find(name)? + name.len();
            let rest = &debug[start..];
            let end = rest.find([',', ' ', '}']).unwrap_or(rest.len());
            Some(&rest[..end])
        };
        let ticket = field("ticket: ")
            .and_then(|hex| {
                (0..hex.len() / 2)
                    .map(|i| u8::from_str_radix(hex.get(2 * i..2 * i + 2)?, 16).ok())
                    .collect::<Option<Vec<u8>>>()
            })
            .unwrap_or_default();
        let lifetime = field("lifetime_secs: ")
            .and_then(|n| n.parse().ok())
            .unwrap_or(0);
        let extended_ms = field("extended_ms: ") == Some("true");
        Self {
            lifetime: if ticket.is_empty() { 0 } else { lifetime },
            ticket,
            extended_ms,
        }
    }

    fn apply(&self, meta: &mut Meta) {
        meta.ticket.clone_from(&self.ticket);
        meta.ticket_lifetime_hint = u64::from(self.lifetime);
        meta.flags = if self.extended_ms { FLAG_EXTMS } else { 0 };
    }
}

/// Records a new session on the connection in progress and offers it to the application.
fn new_session(state: &ConnState, meta: Meta, value: State) {
    let session = Session::create(meta, value);
    *lock(&state.last_session) = Some(Arc::clone(&session));
    // With SSL_SESS_CACHE_CLIENT, the context's internal cache keeps it (OpenSSL's
    // ssl_update_cache); nothing resumes from there by itself.
    if let Some(cache) = lock(&state.server_cache).clone() {
        cache.add(Arc::clone(&session));
    }
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
        // A TLS 1.2 session that goes out as a ticket is not cached (and has no id), as
        // in OpenSSL: rustls would also cache it.
        let tickets = state.setup().options & crate::crypto_sys::SSL_OP_NO_TICKET == 0;
        let offered = lock(&state.hello)
            .as_ref()
            .is_some_and(|h| h.session_ticket.is_some());
        if version == crate::versions::TLS1_2 && tickets && offered {
            return false;
        }
        let mut meta = describe(&state, version, cipher, key, true);
        meta.max_early_data = state.setup().settings.max_early_data;
        if let Some(secret) = server_value_secret(&value) {
            meta.master_key = secret;
        }
        let session = Session::create(meta, State::Server(value));
        *lock(&state.last_session) = Some(Arc::clone(&session));
        offer_server_session(&state, session, true)
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

/// OpenSSL's `ssl_update_cache` for a new server session: unless it may not be resumed
/// (no session id context while client certificates are verified), the internal cache
/// keeps it (when `internal` and the cache stores new sessions) and the application's
/// new-session callback is offered it. True if either took it.
fn offer_server_session(state: &ConnState, session: Arc<Session>, internal: bool) -> bool {
    let unresumable = {
        let setup = state.setup();
        setup.settings.session_id_context.is_empty()
            && setup.settings.verify_mode & crate::verify::VERIFY_PEER != 0
    };
    if unresumable {
        return false;
    }
    let cache = internal
        .then(|| lock(&state.server_cache).clone())
        .flatten();
    let stored = cache.as_ref().is_some_and(|c| c.add(Arc::clone(&session)));
    state.events.new_session(session, true) || stored
}

impl ServerSessionHook {
    /// The session `key` names, from the internal cache (unless lookups are off) then the
    /// application's (kept in the internal cache too unless it stores no new sessions, as
    /// in OpenSSL), if it is alive and belongs to this connection's session id context;
    /// `remove` takes it out of both caches.
    fn find(&self, state: &ConnState, key: &[u8], remove: bool) -> Option<Arc<Session>> {
        let internal = lock(&state.cache_lookup).clone();
        let session = match internal.as_ref().and_then(|c| c.get(key)) {
            Some(s) => s,
            None => {
                let s = state.events.get_session(key)?;
                if let Some(c) = lock(&state.server_cache).as_ref() {
                    c.add(Arc::clone(&s));
                }
                s
            }
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
            time: 1000,
            ..Meta::default()
        };
        let s = Session::create(meta, State::Server(b"state".to_vec()));
        let der = s.encode().unwrap_or_default();
        let (back, used) = Session::decode(&der).unwrap_or_else(|_| (Session::empty(), 0));
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
        assert_eq!(back.encode(), Some(der.clone()));
        for cut in 0..der.len() {
            // Every truncation is refused; none panics.
            assert!(Session::decode(&der[..cut]).is_err());
        }
        assert!(Session::decode(b"junk").is_err());
        // A new session has no cipher: OpenSSL does not serialise it.
        assert!(Session::empty().encode().is_none());
    }

    #[test]
    fn tls12_details_from_debug() {
        let debug = "Tls12ClientSessionValue { suite: Tls12CipherSuite { common: \
            CipherSuiteCommon { suite: TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384, .. } }, \
            session_id: 0102, extended_ms: true, common: ClientSessionCommon { ticket: \
            0a0bff, epoch: 1700000000, lifetime_secs: 7200, server_cert_chain: [], .. } }";
        let d = Tls12Details::parse(debug);
        assert_eq!(d.ticket, vec![0x0a, 0x0b, 0xff]);
        assert_eq!(d.lifetime, 7200);
        assert!(d.extended_ms);
        let none = Tls12Details::parse(
            "Tls12ClientSessionValue { extended_ms: false, \
            common: ClientSessionCommon { ticket: , epoch: 1, lifetime_secs: 0 } }",
        );
        assert_eq!(none, Tls12Details::default());
    }

    #[test]
    fn server_value_secrets() {
        // no SNI, TLS 1.3, TLS_AES_256_GCM_SHA384, a 3-byte secret, then the rest.
        let v = [0, 3, 4, 0x13, 2, 3, 9, 8, 7, 0, 0];
        assert_eq!(server_value_secret(&v), Some(vec![9, 8, 7]));
        let sni = [1, 2, b'a', b'b', 3, 3, 0xc0, 0x30, 1, 5];
        assert_eq!(server_value_secret(&sni), Some(vec![5]));
        assert_eq!(server_value_secret(&[1, 9]), None);
    }

    #[test]
    fn tls13_ticket_body() {
        // lifetime 7200, age_add 5, nonce 01 00, ticket aa bb cc, no extensions
        ticket_arriving(&[
            0, 0, 0x1c, 0x20, 0, 0, 0, 5, 2, 1, 0, 0, 3, 0xaa, 0xbb, 0xcc, 0, 0,
        ]);
        let t = ARRIVING.with(|a| a.borrow_mut().take());
        assert_eq!(
            t,
            Some(ArrivingTicket {
                lifetime: 7200,
                age_add: 5,
                ticket: vec![0xaa, 0xbb, 0xcc]
            })
        );
    }
}
