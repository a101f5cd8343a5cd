//! Session tickets sealed by the application's ticket-key callback
//! (`SSL_CTX_set_tlsext_ticket_key_cb`, nginx's `ssl_session_ticket_key`): a ticket issued by
//! one process is accepted by another given the same key file.

use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};

use rustls::server::ProducesTickets;

use crate::crypto_sys::tickets::{self, FixedKeys};

use crate::current::{self, lock, ConnState, TicketStatus, TicketVerdict};

/// The rustls ticketer for contexts with a ticket-key callback; it reaches the callback of
/// the connection in progress ([`current`]).
#[derive(Debug)]
pub(crate) struct TicketHook;

impl ProducesTickets for TicketHook {
    fn enabled(&self) -> bool {
        true
    }

    fn lifetime(&self) -> u32 {
        current::current().map_or(300, |s| {
            u32::try_from(s.session_timeout.load(Ordering::Relaxed)).unwrap_or(u32::MAX)
        })
    }

    fn encrypt(&self, plain: &[u8]) -> Option<Vec<u8>> {
        let state = current::current()?;
        seal(&state, plain, |bound| state.events.seal_ticket(bound))
    }

    fn decrypt(&self, cipher: &[u8]) -> Option<Vec<u8>> {
        let state = current::current()?;
        // Renewed if the application's callback says so as it opens the ticket.
        lock(&state.ticket_use).renew = false;
        open(&state, cipher, state.events.open_ticket(cipher))
    }
}

/// Seals a ticket for the connection in progress: asks the application first (its
/// decryption callback hears of an empty TLS 1.2 ticket request, its generation callback
/// may attach data to the session), then seals the bound plaintext with `seal_with`. The
/// ticket's session becomes the connection's.
fn seal(
    state: &ConnState,
    plain: &[u8],
    seal_with: impl FnOnce(&[u8]) -> Option<Vec<u8>>,
) -> Option<Vec<u8>> {
    if crate::resumption::empty_ticket_offered(state)
        && state.events.ticket_opened(None, &[], TicketStatus::Empty) == Some(TicketVerdict::Ignore)
    {
        return None;
    }
    // OpenSSL's TLS 1.2 server keeps the ticket it resumed from (its client keeps resuming
    // with it) unless it is renewed; rustls would send a new one, so the shim sends an
    // empty ticket, which RFC 5077 allows and clients ignore. Its TLS 1.3 server sends one
    // ticket after a resumption only when renewing, none otherwise.
    let used = *lock(&state.ticket_use);
    let version = lock(&state.status).version;
    if used.accepted && !used.renew && version == crate::versions::TLS1_2 {
        return None;
    }
    if version == crate::versions::TLS1_3
        && !crate::resumption::tls13_ticket_slot(state, used.renew)
    {
        return None;
    }
    if !state.events.ticket_generating() {
        return None;
    }
    let appdata = crate::resumption::current_ticket_appdata(state);
    let sealed = seal_with(&bind(state, plain, appdata.as_deref()))?;
    crate::resumption::ticket_issued(state, plain, appdata);
    Some(sealed)
}

/// Opens a ticket (`opened`: its sealed plaintext, if the keys opened it): the session
/// it carries becomes the connection's unless the application's callback ignores it.
fn open(state: &ConnState, ticket: &[u8], opened: Option<Vec<u8>>) -> Option<Vec<u8>> {
    let keyname = &ticket[..ticket.len().min(16)];
    let Some(plain) = opened.and_then(|o| unbind(state, o)) else {
        state
            .events
            .ticket_opened(None, keyname, TicketStatus::NoDecrypt);
        return None;
    };
    let status = if lock(&state.ticket_use).renew {
        TicketStatus::SuccessRenew
    } else {
        TicketStatus::Success
    };
    let session = lock(&state.last_session).clone();
    let verdict = state
        .events
        .ticket_opened(session.as_ref(), keyname, status);
    match verdict {
        None | Some(TicketVerdict::Use | TicketVerdict::UseRenew) => {
            let mut used = lock(&state.ticket_use);
            used.accepted = true;
            match verdict {
                Some(TicketVerdict::Use) => used.renew = false,
                Some(TicketVerdict::UseRenew) => used.renew = true,
                _ => {}
            }
            Some(plain)
        }
        Some(_) => {
            *lock(&state.last_session) = None;
            None
        }
    }
}

/// A context's own ticket keys: rustls's rotating ticketer by default; once the
/// application sets (`SSL_CTX_set_tlsext_ticket_keys`) or reads
/// (`SSL_CTX_get_tlsext_ticket_keys`) the keys, fixed keys in OpenSSL's ticket format, so
/// that contexts given the same keys accept each other's tickets. Tickets made before the
/// switch still open.
pub(crate) struct TicketKeys {
    rotating: Arc<dyn ProducesTickets>,
    fixed: Mutex<Option<FixedKeys>>,
}

impl std::fmt::Debug for TicketKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TicketKeys")
    }
}

impl TicketKeys {
    /// Rotating keys (rustls's ticketer).
    pub(crate) fn new(rotating: Arc<dyn ProducesTickets>) -> Self {
        Self {
            rotating,
            fixed: Mutex::new(None),
        }
    }

    /// The 80 bytes of the fixed keys, made now if the context had none.
    pub(crate) fn get(&self) -> Option<[u8; 80]> {
        let mut fixed = lock(&self.fixed);
        if fixed.is_none() {
            *fixed = FixedKeys::random();
        }
        fixed.as_ref().map(|k| k.0)
    }

    /// Uses `keys` (name, HMAC key, AES key) from now on.
    pub(crate) fn set(&self, keys: [u8; 80]) {
        *lock(&self.fixed) = Some(FixedKeys(keys));
    }
}

/// A context's own ticket keys as rustls's ticketer, announcing the context's session
/// timeout as the ticket lifetime (`ssl_session_timeout`), as OpenSSL does.
#[derive(Debug)]
pub(crate) struct OwnTickets(pub(crate) Arc<TicketKeys>);

impl ProducesTickets for OwnTickets {
    fn enabled(&self) -> bool {
        true
    }

    fn lifetime(&self) -> u32 {
        TicketHook.lifetime()
    }

    fn encrypt(&self, plain: &[u8]) -> Option<Vec<u8>> {
        let state = current::current()?;
        seal(&state, plain, |bound| match lock(&self.0.fixed).clone() {
            Some(fixed) => tickets::seal(&fixed, bound),
            None => self.0.rotating.encrypt(bound),
        })
    }

    fn decrypt(&self, cipher: &[u8]) -> Option<Vec<u8>> {
        let state = current::current()?;
        // OpenSSL renews a TLS 1.3 ticket its own keys opened, not a TLS 1.2 one.
        let tls13 = lock(&state.status).version == crate::versions::TLS1_3;
        lock(&state.ticket_use).renew = tls13;
        let fixed = lock(&self.0.fixed).clone();
        let opened = fixed
            .and_then(|k| tickets::open(&k, cipher).map(|(plain, _)| plain))
            .or_else(|| self.0.rotating.decrypt(cipher));
        open(&state, cipher, opened)
    }
}

/// Prefixes a ticket's plaintext with the session id context of the connection issuing
/// it (one length byte, at most 32 bytes), as OpenSSL records it in the session a ticket
/// carries, so that a ticket resumes only under the same context; then the time it was
/// issued and the session lifetime (8 bytes each), so that it stops resuming when the
/// session would have expired (`ssl_session_timeout`), as in OpenSSL; then the
/// application's data for the session (`SSL_SESSION_set1_ticket_appdata`: a flag byte, and
/// with it a 2-byte length and the data).
fn bind(state: &ConnState, plain: &[u8], appdata: Option<&[u8]>) -> Vec<u8> {
    let sid_ctx = state.setup().settings.session_id_context.clone();
    let timeout = state.session_timeout.load(Ordering::Relaxed);
    let extra = appdata.map_or(0, <[u8]>::len);
    let mut out = Vec::with_capacity(1 + sid_ctx.len() + 19 + extra + plain.len());
    out.push(u8::try_from(sid_ctx.len()).unwrap_or(0));
    out.extend_from_slice(&sid_ctx);
    out.extend_from_slice(&crate::session::now().to_be_bytes());
    out.extend_from_slice(&timeout.to_be_bytes());
    match appdata.filter(|d| d.len() <= usize::from(u16::MAX)) {
        Some(d) => {
            out.push(1);
            out.extend_from_slice(&u16::try_from(d.len()).unwrap_or(0).to_be_bytes());
            out.extend_from_slice(d);
        }
        None => out.push(0),
    }
    out.extend_from_slice(plain);
    out
}

/// The plaintext of a ticket made by [`bind`], if its context is this connection's and
/// its session has not expired; the connection's session becomes the ticket's.
fn unbind(state: &ConnState, mut opened: Vec<u8>) -> Option<Vec<u8>> {
    let len = usize::from(*opened.first()?);
    let ctx = opened.get(1..1 + len)?;
    if *ctx != *state.setup().settings.session_id_context {
        return None;
    }
    let mut at = 1 + len;
    let issued = u64::from_be_bytes(opened.get(at..at + 8)?.try_into().ok()?);
    let timeout = u64::from_be_bytes(opened.get(at + 8..at + 16)?.try_into().ok()?);
    at += 16;
    let appdata = match *opened.get(at)? {
        0 => {
            at += 1;
            None
        }
        1 => {
            let n = usize::from(u16::from_be_bytes(
                opened.get(at + 1..at + 3)?.try_into().ok()?,
            ));
            let d = opened.get(at + 3..at + 3 + n)?.to_vec();
            at += 3 + n;
            Some(d)
        }
        _ => return None,
    };
    if crate::session::now() > issued.saturating_add(timeout)
        || !crate::resumption::server_value_usable(&opened[at..])
    {
        return None;
    }
    opened.drain(..at);
    crate::resumption::ticket_opened(state, &opened, issued, timeout, appdata);
    Some(opened)
}
