//! The rustls session-store hooks that exchange sessions ([`crate::session`]) with the
//! connection in progress (client: the new-session callback and `SSL_set_session`; server:
//! the new/get/remove callbacks of an external cache such as nginx's shared cache), and the
//! sessions that session tickets make.

use std::ffi::CString;
use std::sync::atomic::Ordering;
use std::sync::Arc;

use rustls::client::{ClientSessionStore, Tls12ClientSessionValue, Tls13ClientSessionValue};
use rustls::server::StoresServerSessions;
use rustls::NamedGroup;
use rustls_pki_types::ServerName;

use crate::current::{self, lock, ConnState};
use crate::session::{now, random_id, seconds, Meta, Session, State, FLAG_EXTMS};

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
            .and_then(|h| h.server_name.as_deref().map(str::to_owned))
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
        time: seconds(now()),
        timeout: seconds(state.session_timeout.load(Ordering::Relaxed)),
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
                *resumed.state() = State::Client12(Box::new(value));
                details.apply_resumed(&mut resumed.meta());
                *lock(&state.last_session) = Some(resumed);
                return;
            }
        }
        // rustls keeps the TLS 1.2 session id private; the application only needs an
        // opaque identifier for its cache. The suite is the one negotiated.
        let cipher = lock(&state.status).cipher.map_or(0, |c| c.iana_id());
        let mut meta = describe(&state, 0x0303, cipher, random_id(), false);
        details.apply(&mut meta);
        new_session(&state, meta, State::Client12(Box::new(value)));
    }

    fn tls12_session(&self, _: &ServerName<'_>) -> Option<Tls12ClientSessionValue> {
        let state = current::current()?;
        let session = lock(&state.resume).clone()?;
        if !session.is_resumable() {
            return None;
        }
        let value = match &*session.state() {
            State::Client12(v) => Some(Tls12ClientSessionValue::clone(v)),
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
        if !session.is_resumable() {
            return None;
        }
        let pool = session.pool()?;
        pool.take_newest()
    }
}

/// A TLS 1.3 server is about to issue a ticket: whether it does. OpenSSL's sends its
/// number of tickets (`SSL_CTX_set_num_tickets`) after a full handshake, but after a
/// resumption one if it renews the client's ticket (`renew`: always for a stateful
/// ticket), else none; rustls sends the number after both, so the others are not made.
/// Counts the ticket.
pub(crate) fn tls13_ticket_slot(state: &ConnState, renew: bool) -> bool {
    let resumed = lock(&state.status).resumed;
    let mut used = lock(&state.ticket_use);
    if resumed && (!renew || used.issued13 > 0) {
        return false;
    }
    used.issued13 += 1;
    true
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
        let internal = state.single_use_sessions.load(Ordering::Relaxed)
            || state.events.wants_session_removals();
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
    // The suite is not negotiated yet when the ticket is opened: the ticket names it.
    let (version, cipher) = match server_value_suite(plain) {
        Some(vs) => vs,
        None => {
            let status = lock(&state.status);
            (status.version, status.cipher.map_or(0, |c| c.iana_id()))
        }
    };
    let id = if version == crate::versions::TLS1_3 {
        random_id()
    } else {
        lock(&state.hello)
            .as_ref()
            .map(|h| h.session_id.to_vec())
            .unwrap_or_default()
    };
    let mut meta = describe(state, version, cipher, id, true);
    meta.time = seconds(issued);
    meta.timeout = seconds(timeout);
    meta.ticket_appdata = appdata;
    if let Some(secret) = server_value_secret(plain) {
        meta.master_key = secret;
    }
    *lock(&state.last_session) = Some(Session::create(meta, State::Empty));
}

/// Whether a ticket's plaintext (rustls's encoding of a server session) names TLS 1.2 or
/// 1.3, a suite this library knows and a master secret of at most 64 bytes (TLS 1.2:
/// exactly 48, which rustls assumes: it panics on another length). A ticket that
/// opens to anything else is treated as one that did not open, as OpenSSL treats a ticket
/// whose session does not decode: its session never becomes the connection's (it would
/// encode to DER that `d2i_SSL_SESSION` refuses).
pub(crate) fn server_value_usable(value: &[u8]) -> bool {
    let Some((version, cipher)) = server_value_suite(value) else {
        return false;
    };
    let secret_ok = server_value_secret(value).is_some_and(|s| match version {
        crate::versions::TLS1_2 => s.len() == 48,
        _ => !s.is_empty() && s.len() <= 64,
    });
    (version == crate::versions::TLS1_2 || version == crate::versions::TLS1_3)
        && crate::ciphers::Cipher::by_id(cipher).is_some()
        && secret_ok
}

/// The master secret in rustls's encoding of a server session (`ServerSessionValue`:
/// an optional SNI name, version, suite, then the secret with a one-byte length); `None`
/// if it does not parse.
fn server_value_secret(value: &[u8]) -> Option<Vec<u8>> {
    let at = server_value_version_at(value)? + 2 + 2;
    let len = usize::from(*value.get(at)?);
    Some(value.get(at + 1..at + 1 + len)?.to_vec())
}

/// The protocol version and suite (IANA id) in rustls's encoding of a server session.
fn server_value_suite(value: &[u8]) -> Option<(u16, u16)> {
    let at = server_value_version_at(value)?;
    let field = |i: usize| Some(u16::from_be_bytes(value.get(i..i + 2)?.try_into().ok()?));
    Some((field(at)?, field(at + 2)?))
}

/// Where the version starts in a `ServerSessionValue` (after the optional SNI name).
fn server_value_version_at(value: &[u8]) -> Option<usize> {
    Some(if *value.first()? == 1 {
        1 + 1 + usize::from(*value.get(1)?)
    } else {
        1
    })
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

    /// [`Tls12Details::apply`] to the session a handshake resumed. Without a new ticket
    /// rustls keeps the old one but reports no lifetime: the session keeps the hint it
    /// had, as OpenSSL's resumed session does.
    fn apply_resumed(&self, meta: &mut Meta) {
        let kept = (self.ticket == meta.ticket).then_some(meta.ticket_lifetime_hint);
        self.apply(meta);
        if let Some(hint) = kept {
            meta.ticket_lifetime_hint = hint;
        }
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
        if version == crate::versions::TLS1_3 && !tls13_ticket_slot(&state, true) {
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
        let single_use = state.single_use_sessions.load(Ordering::Relaxed);
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
                // OpenSSL counts a miss of its internal lookup, whether the application's
                // cache then has the session or not.
                if internal.is_some() {
                    let session_ctx = Arc::clone(&state.setup().session_ctx);
                    crate::stats::Stats::bump(&session_ctx.stats.miss);
                }
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

#[cfg(test)]
mod tests {
    use super::*;

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
    fn resumed_tls12_keeps_lifetime() {
        let mut meta = Meta {
            ticket: vec![1, 2],
            ticket_lifetime_hint: 7200,
            ..Meta::default()
        };
        let same = Tls12Details {
            ticket: vec![1, 2],
            lifetime: 0,
            extended_ms: true,
        };
        same.apply_resumed(&mut meta);
        assert_eq!(meta.ticket_lifetime_hint, 7200);
        let renewed = Tls12Details {
            ticket: vec![3],
            lifetime: 300,
            extended_ms: true,
        };
        renewed.apply_resumed(&mut meta);
        assert_eq!(
            (meta.ticket.clone(), meta.ticket_lifetime_hint),
            (vec![3], 300)
        );
    }

    #[test]
    fn server_value_secrets() {
        // no SNI, TLS 1.3, TLS_AES_256_GCM_SHA384, a 3-byte secret, then the rest.
        let v = [0, 3, 4, 0x13, 2, 3, 9, 8, 7, 0, 0];
        assert_eq!(server_value_secret(&v), Some(vec![9, 8, 7]));
        let sni = [1, 2, b'a', b'b', 3, 3, 0xc0, 0x30, 1, 5];
        assert_eq!(server_value_secret(&sni), Some(vec![5]));
        assert_eq!(server_value_secret(&[1, 9]), None);
        assert_eq!(server_value_suite(&v), Some((0x0304, 0x1302)));
        assert_eq!(server_value_suite(&sni), Some((0x0303, 0xc030)));
        assert_eq!(server_value_suite(&[0, 3]), None);
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
