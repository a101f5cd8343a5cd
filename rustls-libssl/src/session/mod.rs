//! `SSL_SESSION`: resumption state handed to the application, and its serialised form
//! (`i2d`/`d2i_SSL_SESSION`). The rustls session-store hooks that exchange sessions with the
//! connection in progress are in `resumption.rs`.

use std::ffi::CString;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{SystemTime, UNIX_EPOCH};

use rustls::client::{Tls12ClientSessionValue, Tls13ClientSessionValue};

use crate::crypto_sys::{Cert, ExClass, ExData};
use crate::sync::lock;

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
    /// Creation time, seconds since the epoch (signed, as OpenSSL's `time_t`: a session's
    /// DER may say any time).
    pub time: i64,
    /// Lifetime in seconds (signed, as OpenSSL's: negative in a DER session).
    pub timeout: i64,
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
    /// Taken out of a cache: no longer offered or resumed (OpenSSL's `not_resumable`, not
    /// serialised).
    pub not_resumable: bool,
}

/// `SSL_SESS_FLAG_EXTMS`.
pub(crate) const FLAG_EXTMS: u64 = 1;

#[derive(Debug, Default, Clone)]
pub(crate) enum State {
    #[default]
    Empty,
    /// Boxed: most sessions are TLS 1.3 or a server's, which need far less room.
    Client12(Box<Tls12ClientSessionValue>),
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
    pub(crate) fn push(&self, ticket: Tls13ClientSessionValue) {
        let mut tickets = lock(&self.0);
        if tickets.len() >= POOL_TICKETS {
            tickets.remove(0);
        }
        tickets.push(ticket);
    }

    pub(crate) fn take_newest(&self) -> Option<Tls13ClientSessionValue> {
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
    use crate::sync::lock;

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
    pub(crate) fn create(meta: Meta, state: State) -> Arc<Self> {
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
                time: seconds(now()),
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
        !meta.not_resumable && (!meta.id.is_empty() || !meta.ticket.is_empty())
    }

    /// Marks the session unresumable, as OpenSSL does to a session it takes out of a
    /// cache (`SSL_CTX_remove_session`, a connection that ended without close_notify).
    pub(crate) fn set_not_resumable(&self) {
        self.meta().not_resumable = true;
    }

    /// The resumption state, for reading or changing.
    pub(crate) fn state(&self) -> MutexGuard<'_, State> {
        lock(&self.state)
    }

    /// The ticket pool of a TLS 1.3 client session.
    pub(crate) fn pool(&self) -> Option<Arc<TicketPool>> {
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
            time: meta.time,
            timeout: meta.timeout,
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
            // As OpenSSL's d2i: any time and lifetime, negative ones too; an absent
            // (zero) time is now, an absent lifetime 3 seconds.
            time: if f.time != 0 { f.time } else { seconds(now()) },
            timeout: if f.timeout != 0 { f.timeout } else { 3 },
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
            not_resumable: false,
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

    pub(crate) fn server_value(&self) -> Option<Vec<u8>> {
        match &*lock(&self.state) {
            State::Server(v) => Some(v.clone()),
            _ => None,
        }
    }

    /// Whether the session's lifetime is over at `now`.
    pub(crate) fn is_expired_at(&self, now: u64) -> bool {
        let meta = self.meta();
        seconds(now) > meta.time.saturating_add(meta.timeout)
    }

    pub(crate) fn is_expired(&self) -> bool {
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

/// Seconds as a session's time or lifetime.
pub(crate) fn seconds(s: u64) -> i64 {
    i64::try_from(s).unwrap_or(i64::MAX)
}
/// A fresh 32-byte session id.
pub(crate) fn random_id() -> Vec<u8> {
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

    /// Found by the session_der fuzz target: a DER session with a negative time came back
    /// from d2i with time 0, which i2d leaves out and the next d2i reads as "now", so an
    /// expired session was new again after a round trip. Times are signed, as OpenSSL's:
    /// a negative time or lifetime stays as it is, expired, through any number of round
    /// trips.
    #[test]
    fn negative_times_survive_round_trips() {
        for (time, timeout) in [(-5, 300), (1000, -1), (i64::MIN, i64::MIN), (-1, 10)] {
            let meta = Meta {
                version: 0x0303,
                cipher: 0xc02f,
                id: vec![1; 32],
                master_key: vec![2; 48],
                time,
                timeout,
                ..Meta::default()
            };
            let der = Session::create(meta, State::Empty)
                .encode()
                .unwrap_or_default();
            let (back, _) = Session::decode(&der).unwrap_or_else(|_| (Session::empty(), 0));
            let m = back.meta().clone();
            assert_eq!((m.time, m.timeout), (time, timeout));
            assert!(back.is_expired_at(now()), "{time} {timeout}");
            assert_eq!(back.encode(), Some(der));
        }
    }
}
