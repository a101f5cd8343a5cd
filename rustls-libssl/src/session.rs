//! `SSL_SESSION`: resumption state handed to the application, and the rustls session-store
//! hooks that exchange it with the connection in progress (client: the new-session callback
//! and `SSL_set_session`; server: the new/get/remove callbacks of an external cache such as
//! nginx's shared cache, and `i2d`/`d2i_SSL_SESSION`).

use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use rustls::client::{ClientSessionStore, Tls12ClientSessionValue, Tls13ClientSessionValue};
use rustls::server::StoresServerSessions;
use rustls::NamedGroup;
use rustls_pki_types::ServerName;

use crate::current::{self, lock};

/// A session. TLS 1.3 client tickets are single-use (rustls, after RFC 8446 C.4): the
/// sessions of one resumption lineage share their tickets in a [`TicketPool`].
#[derive(Debug)]
pub(crate) struct Session {
    /// Protocol version (`TLS1_2_VERSION`/`TLS1_3_VERSION`), 0 if unknown.
    pub version: u16,
    /// IANA id of the cipher suite, 0 if unknown.
    pub cipher: u16,
    /// The session id: the server's cache key, or a local random id.
    pub id: Vec<u8>,
    /// Creation time, seconds since the epoch.
    pub time: Mutex<u64>,
    /// Lifetime in seconds.
    pub timeout: Mutex<u64>,
    state: Mutex<State>,
}

#[derive(Debug, Default)]
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
const MAGIC: &[u8; 4] = b"RLS1";

impl Session {
    /// An empty session (`SSL_SESSION_new`): nothing to resume.
    pub(crate) fn empty() -> Self {
        Self::with(0, 0, random_id(), State::Empty, 300)
    }

    /// A non-resumable session describing an established connection (what
    /// `SSL_get_session` returns when no resumable session exists).
    pub(crate) fn describing(version: u16, cipher: u16) -> Self {
        Self::with(version, cipher, random_id(), State::Empty, 300)
    }

    fn with(version: u16, cipher: u16, id: Vec<u8>, state: State, timeout: u64) -> Self {
        let time = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        Self {
            version,
            cipher,
            id,
            time: Mutex::new(time),
            timeout: Mutex::new(timeout),
            state: Mutex::new(state),
        }
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

    /// The serialised form (`i2d_SSL_SESSION`); only server sessions have one (rustls does
    /// not expose client session state).
    pub(crate) fn encode(&self) -> Option<Vec<u8>> {
        let state = lock(&self.state);
        let State::Server(value) = &*state else {
            return None;
        };
        let id_len = u8::try_from(self.id.len()).ok()?;
        let value_len = u32::try_from(value.len()).ok()?;
        let mut out = Vec::with_capacity(4 + 2 + 2 + 8 + 8 + 1 + self.id.len() + 4 + value.len());
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&self.version.to_be_bytes());
        out.extend_from_slice(&self.cipher.to_be_bytes());
        out.extend_from_slice(&lock(&self.time).to_be_bytes());
        out.extend_from_slice(&lock(&self.timeout).to_be_bytes());
        out.push(id_len);
        out.extend_from_slice(&self.id);
        out.extend_from_slice(&value_len.to_be_bytes());
        out.extend_from_slice(value);
        Some(out)
    }

    /// Parses [`Session::encode`]'s form; returns the session and the bytes used.
    pub(crate) fn decode(data: &[u8]) -> Option<(Self, usize)> {
        let mut r = Reader(data);
        if r.take(4)? != MAGIC {
            return None;
        }
        let version = u16::from_be_bytes(r.take(2)?.try_into().ok()?);
        let cipher = u16::from_be_bytes(r.take(2)?.try_into().ok()?);
        let time = u64::from_be_bytes(r.take(8)?.try_into().ok()?);
        let timeout = u64::from_be_bytes(r.take(8)?.try_into().ok()?);
        let id_len = usize::from(r.take(1)?[0]);
        let id = r.take(id_len)?.to_vec();
        let value_len = usize::try_from(u32::from_be_bytes(r.take(4)?.try_into().ok()?)).ok()?;
        let value = r.take(value_len)?.to_vec();
        let used = data.len() - r.0.len();
        let session = Self {
            version,
            cipher,
            id,
            time: Mutex::new(time),
            timeout: Mutex::new(timeout),
            state: Mutex::new(State::Server(value)),
        };
        Some((session, used))
    }

    fn server_value(&self) -> Option<Vec<u8>> {
        match &*lock(&self.state) {
            State::Server(v) => Some(v.clone()),
            _ => None,
        }
    }

    fn is_expired(&self) -> bool {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        now > lock(&self.time).saturating_add(*lock(&self.timeout))
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
        // rustls keeps the TLS 1.2 session id and suite private; the application only needs
        // an opaque identifier for its cache.
        new_session(0x0303, 0, State::Client12(value));
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
        // The lineage: the session this connection resumed (or tried to), else the one its
        // previous ticket made, else a new one.
        let resumed = lock(&state.resume).as_ref().and_then(|s| s.pool());
        let pool = resumed
            .or_else(|| lock(&state.last_session).as_ref().and_then(|s| s.pool()))
            .unwrap_or_default();
        pool.push(value);
        new_session(0x0304, cipher, State::Client13(pool));
    }

    fn take_tls13_ticket(&self, _: &ServerName<'static>) -> Option<Tls13ClientSessionValue> {
        let state = current::current()?;
        let session = lock(&state.resume).clone()?;
        let pool = session.pool()?;
        pool.take_newest()
    }
}

/// Records a new session on the connection in progress and offers it to the application.
fn new_session(version: u16, cipher: u16, value: State) {
    let Some(state) = current::current() else {
        return;
    };
    let timeout = *lock(&state.session_timeout);
    let session = Arc::new(Session::with(version, cipher, random_id(), value, timeout));
    *lock(&state.last_session) = Some(Arc::clone(&session));
    state.events.new_session(session, false);
}

/// The rustls server session store shared by every server config: the context's internal
/// cache (unless disabled), then the application's external cache callbacks.
#[derive(Debug)]
pub(crate) struct ServerSessionHook;

impl StoresServerSessions for ServerSessionHook {
    fn put(&self, key: Vec<u8>, value: Vec<u8>) -> bool {
        let Some(state) = current::current() else {
            return false;
        };
        let cache = lock(&state.server_cache).clone();
        let mut stored = cache
            .as_ref()
            .is_some_and(|c| c.put(key.clone(), value.clone()));
        let (version, cipher) = {
            let status = lock(&state.status);
            (status.version, status.cipher.map_or(0, |c| c.iana_id()))
        };
        let timeout = *lock(&state.session_timeout);
        let session = Arc::new(Session::with(
            version,
            cipher,
            key,
            State::Server(value),
            timeout,
        ));
        *lock(&state.last_session) = Some(Arc::clone(&session));
        stored |= state.events.new_session(session, true);
        stored
    }

    fn get(&self, key: &[u8]) -> Option<Vec<u8>> {
        let state = current::current()?;
        if let Some(value) = lock(&state.server_cache).clone().and_then(|c| c.get(key)) {
            return Some(value);
        }
        let session = state.events.get_session(key)?;
        if session.is_expired() {
            return None;
        }
        let value = session.server_value()?;
        *lock(&state.last_session) = Some(session);
        Some(value)
    }

    /// rustls takes TLS 1.3 stateful sessions for single use; OpenSSL does that only for
    /// 0-RTT anti-replay, and otherwise lets a session resume again.
    fn take(&self, key: &[u8]) -> Option<Vec<u8>> {
        let state = current::current()?;
        if !*lock(&state.single_use_sessions) {
            return self.get(key);
        }
        if let Some(value) = lock(&state.server_cache).clone().and_then(|c| c.take(key)) {
            return Some(value);
        }
        let session = state.events.get_session(key)?;
        state.events.remove_session(&session);
        if session.is_expired() {
            return None;
        }
        session.server_value()
    }

    fn can_cache(&self) -> bool {
        true
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
        let s = Session::with(
            0x0304,
            0x1302,
            vec![7; 32],
            State::Server(b"state".to_vec()),
            300,
        );
        let der = s.encode().unwrap_or_default();
        let (back, used) = Session::decode(&der).unwrap_or_else(|| (Session::empty(), 0));
        assert_eq!(used, der.len());
        assert_eq!(
            (back.version, back.cipher, back.id.clone()),
            (0x0304, 0x1302, vec![7; 32])
        );
        assert_eq!(back.server_value(), Some(b"state".to_vec()));
        assert_eq!(*lock(&back.timeout), 300);
        assert!(Session::decode(&der[..der.len() - 1]).is_none());
        assert!(Session::decode(b"junk").is_none());
        assert!(Session::empty().encode().is_none());
    }
}
