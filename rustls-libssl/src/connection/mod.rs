//! `SSL`: one TLS connection driven over the application's BIOs with OpenSSL's
//! non-blocking semantics (WANT_READ/WANT_WRITE, retries with the same buffer, shutdown
//! states).
//!
//! The connection runs rustls's unbuffered API: rustls keeps the protocol state and this
//! connection keeps the bytes. Its record buffers come from a small per-thread pool while
//! records are in flight and go back as soon as they are empty, so an idle connection (a
//! keep-alive connection waiting for its next request) holds no buffer at all.
//!
//! Its parts: [`start`] makes rustls's connection and [`handshake`] drives it to its end;
//! [`engine`] turns the protocol's state machine ([`unbuffered`] for rustls's side) and
//! moves records to and from the BIOs; [`data`] reads and writes application data,
//! [`early`] 0-RTT data; [`close`] handles close_notify and the transport's end;
//! [`publish`] tells the application what happened.

use std::sync::{Arc, MutexGuard};

use rustls::client::UnbufferedClientConnection;
use rustls::pki_types::CertificateDer;
use rustls::server::UnbufferedServerConnection;
use rustls::{CommonState, HandshakeKind, NamedGroup, ProtocolVersion, SupportedCipherSuite};

use crate::buffers::Buffers;
use crate::crypto_sys::Bio;
use crate::current::{self, lock, ConnState, Events};
use crate::error::Error;
use crate::established::Established;
use crate::observer::Observer;
pub(crate) use crate::setup::Role;
use crate::setup::Setup;
use crate::statem::Statem;

use self::early::EarlyRead;
use self::start::Hello;

mod close;
mod data;
mod early;
mod engine;
mod handshake;
mod publish;
mod start;
mod unbuffered;

/// Why an operation did not complete: what `SSL_get_error` reports.
#[derive(Debug)]
pub(crate) enum Stop {
    /// The read BIO has no data yet.
    WantRead,
    /// The write BIO cannot take more data yet.
    WantWrite,
    /// The peer closed the connection with close_notify.
    ZeroReturn,
    /// The read BIO failed (-1, not 0) at its end (`BIO_eof`), which
    /// `SSL_OP_IGNORE_UNEXPECTED_EOF` makes a close_notify: `SSL_get_error` says
    /// ZERO_RETURN, but `SSL_read` returns the BIO's -1, as OpenSSL's record layer passes
    /// the BIO's return on. Apache's BIO ends so.
    ZeroReturnFailedRead,
    /// A server received the ClientHello: the application's callbacks (SNI, ALPN) run now,
    /// with no lock held, then [`Connection::hello_decided`] and the operation is retried.
    ClientHello,
    /// The application's ClientHello callback asked to be called again later
    /// (`SSL_ERROR_WANT_CLIENT_HELLO_CB`).
    WantClientHello,
    /// A fatal error.
    Fatal(Error),
    /// Reading application data ended without close_notify: the peer's fatal alert or the
    /// transport's end. `SSL_read` returns 0 (not -1) for these, with the error queued as
    /// for [`Stop::Fatal`].
    Ended(Error),
}

impl Stop {
    /// The stop as a handshake reports it: the handshake has no 0 return.
    fn in_handshake(self) -> Self {
        match self {
            Self::Ended(e) => Self::Fatal(e),
            other => other,
        }
    }
}

impl From<Error> for Stop {
    fn from(e: Error) -> Self {
        Self::Fatal(e)
    }
}

/// Result of an operation that may stop.
pub(crate) type Step<T> = Result<T, Stop>;

/// The BIOs an operation reads from and writes to.
pub(crate) struct Transport<'a> {
    pub rbio: Option<&'a Bio>,
    pub wbio: Option<&'a Bio>,
}

/// The protocol side of a connection: rustls during the handshake, then the connection's
/// own record protection with rustls's key schedule ([`Established`]).
///
/// Each variant is boxed: rustls's connections are about 1 KiB, which an idle connection
/// would otherwise keep carrying inline in its `SSL` after the handshake.
enum Tls {
    Client(Box<UnbufferedClientConnection>),
    Server(Box<UnbufferedServerConnection>),
    Established(Box<Established>),
}

impl Tls {
    /// rustls's connection state, during the handshake.
    fn common(&self) -> Option<&CommonState> {
        match self {
            Self::Client(c) => Some(c),
            Self::Server(s) => Some(s),
            Self::Established(_) => None,
        }
    }

    fn is_established(&self) -> bool {
        self.common().is_none_or(|c| !c.is_handshaking())
    }

    fn version(&self) -> Option<ProtocolVersion> {
        match self {
            Self::Established(e) => Some(e.negotiated.version),
            _ => self.common()?.protocol_version(),
        }
    }

    fn suite(&self) -> Option<SupportedCipherSuite> {
        match self {
            Self::Established(e) => Some(e.negotiated.suite),
            _ => self.common()?.negotiated_cipher_suite(),
        }
    }

    fn alpn(&self) -> Option<&[u8]> {
        self.common()?.alpn_protocol()
    }

    fn group(&self) -> Option<NamedGroup> {
        Some(self.common()?.negotiated_key_exchange_group()?.name())
    }

    fn resumed(&self) -> bool {
        self.common().and_then(CommonState::handshake_kind) == Some(HandshakeKind::Resumed)
    }

    fn peer_certificates(&self) -> Option<&[CertificateDer<'static>]> {
        self.common()?.peer_certificates()
    }
}

/// An `SSL`'s protocol engine. What the application set up lives in the shared
/// [`ConnState`] ([`Setup`]), read at each step; what the engine learns is published there
/// too ([`current::Status`]).
pub(crate) struct Connection {
    pub state: Arc<ConnState>,
    /// The role the handshake runs in, fixed when it starts.
    role: Option<Role>,
    tls: Option<Tls>,
    /// A server before its rustls connection exists: reading, or holding, the ClientHello.
    hello: Hello,
    /// Buffers and record tracking, dropped while the connection is idle.
    bufs: Option<Box<Buffers>>,
    /// Bytes of the current `SSL_write` buffer already encrypted.
    write_offset: usize,
    /// The ServerHello's random (the TLS 1.2 exporter needs it; rustls does not tell).
    server_random: Option<[u8; 32]>,
    /// Whether the final negotiated state has been published.
    published: bool,
    /// Whether the handshake's end has been dealt with ([`Connection::finish_handshake`]).
    finished: bool,
    /// OpenSSL's state machine, as the application sees it.
    statem: Statem,
    /// Reads the handshake's records for it (until record protection is ours).
    observer: Option<Box<Observer>>,
    /// Where `SSL_read_early_data` is.
    early_read: EarlyRead,
    /// Key-log lines waiting for OpenSSL's order ([`crate::keylog::order`]).
    held_keylog: Vec<(&'static str, String)>,
    /// The last key-log lines went out (none come after the handshake).
    keylog_done: bool,
    /// What [`Connection::publish_state`] last published.
    published_state: Option<(crate::statem::State, bool, Option<u16>, bool)>,
    /// Whether the handshake's start has been counted (`SSL_CTX_sess_accept`...).
    counted: bool,
    /// A server refusing a ClientHello for its version as OpenSSL does: its reason (see
    /// [`crate::legacy`]).
    refusal: Option<crate::legacy::Refusal>,
    /// The alert OpenSSL sends for the failure being reported, where rustls writes another.
    alert_override: Option<engine::AlertOverride>,
    /// The read BIO reached its end; `eof_flagged`: and says so (`BIO_eof`), which makes it
    /// a protocol error (no close_notify) rather than a transport one; `eof_failed`: its
    /// read returned -1 there rather than 0.
    eof: bool,
    eof_flagged: bool,
    eof_failed: bool,
    sent_close: bool,
    received_close: bool,
    /// A fatal error happened: OpenSSL's error state (see [`Connection::track`]).
    failed: bool,
}

impl Connection {
    /// A connection set up as `setup` says (`SSL_new`).
    pub(crate) fn new(setup: Setup, events: Arc<dyn Events>) -> Self {
        Self::fresh(Arc::new(ConnState::new(events, setup)))
    }

    /// `SSL_clear`: back to before a handshake, for a new one on the same setup. What the
    /// last handshake learned goes (its session stays with the `SSL`, which decides about
    /// resuming it); what the application set up stays.
    pub(crate) fn clear(&mut self) {
        *self = Self::fresh(Arc::clone(&self.state));
        let mut status = lock(&self.state.status);
        let cleared_version = if status.started { status.version } else { 0 };
        *status = current::Status {
            cleared_version,
            ..current::Status::default()
        };
        drop(status);
        *lock(&self.state.verify) = None;
        {
            let mut outcome = self.state.outcome();
            outcome.chain_ahead = None;
            outcome.verdict_ahead = None;
        }
        *lock(&self.state.credentials) = Vec::new();
        *lock(&self.state.hello) = None;
        *lock(&self.state.peer_ca_names) = None;
        *lock(&self.state.export) = None;
        *lock(&self.state.ticket_use) = current::TicketUse::default();
        *lock(&self.state.finished) = crate::secrets::Finished::default();
        lock(&self.state.secrets).clear();
    }

    /// A connection before its handshake, sharing `state`.
    fn fresh(state: Arc<ConnState>) -> Self {
        Self {
            state,
            role: None,
            tls: None,
            hello: Hello::Reading,
            bufs: None,
            write_offset: 0,
            server_random: None,
            published: false,
            finished: false,
            counted: false,
            refusal: None,
            alert_override: None,
            statem: Statem::default(),
            observer: None,
            early_read: EarlyRead::NotStarted,
            held_keylog: Vec::new(),
            keylog_done: false,
            published_state: None,
            eof: false,
            eof_flagged: false,
            eof_failed: false,
            sent_close: false,
            received_close: false,
            failed: false,
        }
    }

    /// Whether the next handshake, read or write runs a handshake step, which starts by
    /// clearing the thread's error queue (OpenSSL's state machine does so on entry): the
    /// role is known, the handshake not complete, and the connection not failed.
    pub(crate) fn enters_handshake(&mut self) -> bool {
        !self.failed && !self.is_established() && self.current_role().is_some()
    }

    /// Records a fatal stop as OpenSSL's error state: from then on the connection counts
    /// as in init, a handshake, read or write fails at once with nothing queued, and
    /// `SSL_shutdown` refuses ("shutdown while in init"). Misuse of the API (no role, a
    /// write after shutdown) and transport errors do not end the connection.
    fn track<T>(&mut self, step: Step<T>) -> Step<T> {
        if let Err(Stop::Fatal(e) | Stop::Ended(e)) = &step {
            if e.is_fatal_to_connection() {
                self.failed = true;
                {
                    let mut status = lock(&self.state.status);
                    status.failed = true;
                    status.started = true;
                }
                self.statem.failed();
                self.publish_state();
            }
        }
        step
    }

    /// A stop decided outside the engine (an application's ClientHello callback refused
    /// the handshake), recorded as the engine records its own.
    pub(crate) fn stopped<T>(&mut self, stop: Stop) -> Step<T> {
        self.track(Err(stop.in_handshake()))
    }

    /// The stop of an operation on a failed connection: -1, nothing queued.
    fn refuse_failed(&self) -> Step<()> {
        if self.failed {
            return Err(Stop::Fatal(Error::Silent));
        }
        Ok(())
    }

    /// The setup, for reading (never held while calling out).
    fn setup(&self) -> MutexGuard<'_, Setup> {
        self.state.setup()
    }

    /// Whether the handshake has finished.
    pub(crate) fn is_established(&self) -> bool {
        self.tls.as_ref().is_some_and(Tls::is_established)
    }

    /// Whether the last operation handled a TLS 1.3 post-handshake message (a session
    /// ticket, a key update), for which OpenSSL enters its state machine, which starts by
    /// clearing the thread's error queue.
    pub(crate) fn took_post_handshake_message(&mut self) -> bool {
        match self.tls.as_mut() {
            Some(Tls::Established(e)) => e.take_post_handshake(),
            _ => false,
        }
    }

    /// Whether a record's header has been read but not all of its body
    /// (`SSL_rstate_string`'s "read body").
    pub(crate) fn reading_body(&self) -> bool {
        self.bufs.as_ref().is_some_and(|b| b.records.in_body())
    }

    /// `SSL_pending`: decrypted bytes ready to read.
    pub(crate) fn pending(&self) -> usize {
        self.bufs.as_ref().map_or(0, |b| b.plain.len())
    }

    /// `SSL_has_pending`: decrypted bytes, or received bytes not yet processed (read-ahead).
    pub(crate) fn has_pending(&self) -> bool {
        self.bufs
            .as_ref()
            .is_some_and(|b| b.plain.has_data() || !b.input.is_empty())
    }

    /// The role from the setup until the handshake starts, then the one it runs in.
    fn current_role(&mut self) -> Option<Role> {
        if self.tls.is_none() && matches!(self.hello, Hello::Reading) {
            let role = self.setup().role;
            self.role = role;
        }
        self.role
    }
}
