//! `SSL_SESSION`: resumption state handed to the application, and the rustls session-store
//! hook that exchanges it with the connection in progress.

use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use rustls::client::{ClientSessionStore, Tls12ClientSessionValue, Tls13ClientSessionValue};
use rustls::NamedGroup;
use rustls_pki_types::ServerName;

use crate::current::{self, lock};

/// A resumable session. TLS 1.3 tickets are single-use: resuming takes the ticket, and the
/// resumed connection delivers fresh ones through the new-session callback.
#[derive(Debug)]
pub(crate) struct Session {
    /// Protocol version (`TLS1_2_VERSION`/`TLS1_3_VERSION`).
    pub version: u16,
    /// IANA id of the cipher suite.
    pub cipher: u16,
    /// Session id (TLS 1.2) or a random-looking id derived from the ticket (TLS 1.3).
    pub id: Vec<u8>,
    /// Creation time, seconds since the epoch.
    pub time: u64,
    /// Lifetime in seconds.
    pub timeout: Mutex<u64>,
    client: Mutex<ClientState>,
}

#[derive(Debug, Default)]
enum ClientState {
    #[default]
    Empty,
    Tls12(Tls12ClientSessionValue),
    Tls13(Tls13ClientSessionValue),
}

impl Session {
    /// An empty session (`SSL_SESSION_new`): nothing to resume.
    pub(crate) fn empty() -> Self {
        Self::with(0, 0, Vec::new(), ClientState::Empty, 300)
    }

    fn with(version: u16, cipher: u16, id: Vec<u8>, client: ClientState, timeout: u64) -> Self {
        let time = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        Self {
            version,
            cipher,
            id,
            time,
            timeout: Mutex::new(timeout),
            client: Mutex::new(client),
        }
    }

    /// Whether the session can still resume a connection.
    pub(crate) fn is_resumable(&self) -> bool {
        !matches!(*lock(&self.client), ClientState::Empty)
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
        // rustls keeps the TLS 1.2 session id and suite private; the application only needs
        // an opaque identifier for its cache.
        let session = Session::with(0x0303, 0, random_id(), ClientState::Tls12(value), 300);
        state.events.new_session(Arc::new(session));
    }

    fn tls12_session(&self, _: &ServerName<'_>) -> Option<Tls12ClientSessionValue> {
        let state = current::current()?;
        let resume = lock(&state.resume);
        let session = resume.as_ref()?;
        let client = lock(&session.client);
        match &*client {
            ClientState::Tls12(v) => Some(v.clone()),
            _ => None,
        }
    }

    fn remove_tls12_session(&self, _: &ServerName<'static>) {}

    fn insert_tls13_ticket(&self, _: ServerName<'static>, value: Tls13ClientSessionValue) {
        let Some(state) = current::current() else {
            return;
        };
        let cipher = u16::from(value.suite().common.suite);
        let session = Session::with(0x0304, cipher, random_id(), ClientState::Tls13(value), 7200);
        state.events.new_session(Arc::new(session));
    }

    fn take_tls13_ticket(&self, _: &ServerName<'static>) -> Option<Tls13ClientSessionValue> {
        let state = current::current()?;
        let resume = lock(&state.resume);
        let session = resume.as_ref()?;
        let mut client = lock(&session.client);
        match std::mem::take(&mut *client) {
            ClientState::Tls13(v) => Some(v),
            other => {
                *client = other;
                None
            }
        }
    }
}

/// A fresh 32-byte session id (what OpenSSL assigns a ticket-based session locally).
fn random_id() -> Vec<u8> {
    let mut id = vec![0u8; 32];
    // An RNG failure leaves a zero id: the id only names the session in caches.
    let _ = aws_lc_rs::rand::fill(&mut id);
    id
}
