//! `SSL`: one TLS connection driven over the application's BIOs with OpenSSL's
//! non-blocking semantics (WANT_READ/WANT_WRITE, retries with the same buffer, shutdown
//! states).
//!
//! The connection runs rustls's unbuffered API: rustls keeps the protocol state and this
//! connection keeps the bytes. Its record buffers come from a small per-thread pool while
//! records are in flight and go back as soon as they are empty, so an idle connection (a
//! keep-alive connection waiting for its next request) holds no buffer at all.

use std::io;
use std::sync::{Arc, MutexGuard};

use rustls::client::{ClientConnectionData, UnbufferedClientConnection};
use rustls::pki_types::CertificateDer;
use rustls::pki_types::ServerName;
use rustls::server::{ServerConnectionData, UnbufferedServerConnection};
use rustls::sign::CertifiedKey;
use rustls::unbuffered::{
    ConnectionState, EncodeError, EncryptError, InsufficientSizeError, ReadEarlyData,
    UnbufferedConnectionCommon, UnbufferedStatus,
};
use rustls::{CommonState, HandshakeKind, NamedGroup, ProtocolVersion, SupportedCipherSuite};

use crate::buffers::{Buffers, PlainBuffer, RecordBuffer};
use crate::ciphers::Cipher;
use crate::context::{Method, Stats};
use crate::crypto_sys::{self as sys, Bio, VerifyParam};
use crate::current::{self, lock, ConnState, Events, VerifySetup};
use crate::error::{Error, Result};
use crate::established::{Established, Kernel, Negotiated};
use crate::observer::Observer;
use crate::record::MAX_FRAGMENT;
pub(crate) use crate::setup::Role;
use crate::setup::Setup;
use crate::statem::{Note, Statem};

/// Why an operation did not complete: what `SSL_get_error` reports.
#[derive(Debug)]
pub(crate) enum Stop {
    /// The read BIO has no data yet.
    WantRead,
    /// The write BIO cannot take more data yet.
    WantWrite,
    /// The peer closed the connection with close_notify.
    ZeroReturn,
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
pub(crate) type Step<T> = std::result::Result<T, Stop>;

/// The BIOs an operation reads from and writes to.
pub(crate) struct Transport<'a> {
    pub rbio: Option<&'a Bio>,
    pub wbio: Option<&'a Bio>,
}

/// The protocol side of a connection: rustls during the handshake, then the connection's
/// own record protection with rustls's key schedule ([`Established`]).
enum Tls {
    Client(UnbufferedClientConnection),
    Server(UnbufferedServerConnection),
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
    /// A TLS 1.2 server failing for want of a client certificate: the alert rustls writes
    /// becomes OpenSSL's (see [`tls12_handshake_failure_alert`]).
    tls12_no_certificate: bool,
    /// A verification failure OpenSSL answers with internal_error, where rustls writes
    /// certificate_unknown: the alert is changed (see [`Observer::rewrite_alert`]).
    internal_error_alert: bool,
    /// The read BIO reached its end; `eof_flagged`: and says so (`BIO_eof`), which makes it
    /// a protocol error (no close_notify) rather than a transport one.
    eof: bool,
    eof_flagged: bool,
    sent_close: bool,
    received_close: bool,
    /// A fatal error happened: OpenSSL's error state (see [`Connection::track`]).
    failed: bool,
}

/// What an operation asks of rustls when application data may flow.
pub(crate) enum Want<'a> {
    /// Nothing: drive the handshake (decrypted data is kept for a later read).
    Nothing,
    /// Decrypted data for this buffer.
    Read(&'a mut [u8]),
    /// Encrypt (up to one record of) these bytes.
    Write(&'a [u8]),
    /// Encrypt a close_notify alert.
    CloseNotify,
}

/// What one turn of rustls's state machine produced.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Event {
    /// Handshake or alert bytes went to the output buffer: turn again.
    Progress,
    /// rustls needs more bytes from the peer.
    NeedInput,
    /// Application data may be sent: this many bytes of the write were encrypted (or the
    /// close_notify was).
    Wrote(usize),
    /// Decrypted application data: this many bytes went to the read's buffer; the rest of
    /// the record, or all of it when nobody reads, was kept.
    Data(usize),
    /// 0-RTT data was kept for `SSL_read_early_data`.
    Early,
    /// The peer's close_notify arrived.
    PeerClosed,
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
        *lock(&self.state.credentials) = Vec::new();
        *lock(&self.state.hello) = None;
        *lock(&self.state.peer_ca_names) = None;
        *lock(&self.state.export) = None;
        *lock(&self.state.ticket_use) = current::TicketUse::default();
        *lock(&self.state.finished) = crate::observer::Finished::default();
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
            tls12_no_certificate: false,
            internal_error_alert: false,
            statem: Statem::default(),
            observer: None,
            early_read: EarlyRead::NotStarted,
            held_keylog: Vec::new(),
            keylog_done: false,
            published_state: None,
            eof: false,
            eof_flagged: false,
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

    /// `SSL_do_handshake`: drives the handshake as far as the BIOs allow (and sends a key
    /// update `SSL_key_update` asked for).
    pub(crate) fn handshake(&mut self, io: &Transport<'_>) -> Step<()> {
        self.refuse_failed()?;
        let step = self.handshake_steps(io).map_err(Stop::in_handshake);
        self.track(step)
    }

    fn handshake_steps(&mut self, io: &Transport<'_>) -> Step<()> {
        self.begin(io)?;
        self.send_key_update()?;
        loop {
            let event = self.pump(io, &mut Want::Nothing)?;
            if self.is_established() {
                self.flush(io)?;
                self.finish_handshake();
                self.establish(io)?;
                self.release_if_idle();
                return Ok(());
            }
            if event == Event::PeerClosed {
                // close_notify in the middle of the handshake: OpenSSL's read returns 0
                // and SSL_get_error says ZERO_RETURN.
                self.set_closed(false, true);
                return Err(Stop::ZeroReturn);
            }
            self.flush(io)?;
            if self.eof {
                return Err(self.transport_eof());
            }
            self.fill(io)?;
        }
    }

    /// Creates the rustls connection if the handshake has not started.
    fn begin(&mut self, io: &Transport<'_>) -> Step<()> {
        if !self.is_established() {
            self.watch();
        }
        if self.tls.is_some() {
            return Ok(());
        }
        let (method, dtls, session_ctx) = {
            let setup = self.setup();
            let m = setup.ctx.method;
            (m.roles, m.dtls, Arc::clone(&setup.session_ctx))
        };
        if dtls {
            return Err(Stop::Fatal(Error::NotSupported("DTLS")));
        }
        let role = self.current_role();
        // Once per handshake, however many calls it takes.
        if !std::mem::replace(&mut self.counted, true) {
            match role {
                Some(Role::Server) => Stats::bump(&session_ctx.stats.accept),
                _ => Stats::bump(&session_ctx.stats.connect),
            }
        }
        // A method fixed to the other role has no handshake for this one.
        match (role, method) {
            (Some(Role::Server), Method::Client) | (Some(Role::Client), Method::Server) => Err(
                Stop::Fatal(Error::Reason(sys::ERR_R_SHOULD_NOT_HAVE_BEEN_CALLED)),
            ),
            (Some(Role::Server), _) => self.accept(io),
            _ => Ok(self.start_client()?),
        }
    }

    /// The handshake runs in this operation: its state machine starts with the first one,
    /// and its observer watches the records from then on.
    fn watch(&mut self) {
        if self.observer.is_none() && self.tls.is_none() && matches!(self.hello, Hello::Reading) {
            let server = self.current_role() == Some(Role::Server);
            let (info, messages) = (
                self.state.events.wants_info(),
                self.state.events.wants_messages(),
            );
            // The version OpenSSL reports with messages before one is negotiated: a client's
            // highest, a server's "any".
            let hello_version = if server {
                // OpenSSL's server has not picked a version yet: TLS 1.3, the highest.
                sys::TLS1_3_VERSION
            } else {
                let setup = self.setup();
                let versions = setup.settings.versions.enabled(setup.options);
                if versions.contains(&&rustls::version::TLS13) {
                    sys::TLS1_3_VERSION
                } else if versions.is_empty() && setup.settings.versions.max != 0 {
                    // A version rustls lacks (TLS 1.1 and below): OpenSSL's highest.
                    i32::from(setup.settings.versions.max)
                } else {
                    sys::TLS1_2_VERSION
                }
            };
            if !server {
                // A client reports its highest version until the server picks one.
                lock(&self.state.status).version = u16::try_from(hello_version).unwrap_or(0);
            }
            self.statem = Statem::new(server, info);
            self.statem.messages = messages;
            self.observer = Some(Box::new(Observer::new(server, hello_version, messages)));
        }
        self.statem.run();
    }

    /// Sends the key update `SSL_key_update` asked for, once record protection is ours.
    fn send_key_update(&mut self) -> Step<()> {
        let Some(Tls::Established(established)) = self.tls.as_mut() else {
            return Ok(());
        };
        let Some(requested) = lock(&self.state.status).key_update.take() else {
            return Ok(());
        };
        let bufs = self.bufs.get_or_insert_with(Box::default);
        established
            .key_update(&mut bufs.output, requested, &mut self.statem)
            .map_err(|e| Stop::Fatal(Error::Tls(e)))
    }

    /// Whether the application has an info callback and a message callback now (OpenSSL
    /// looks at each event; the state machine keeps events only for callbacks there are).
    pub(crate) fn listeners(&mut self, info: bool, messages: bool) {
        self.statem.info = info;
        self.statem.messages = messages;
        if let Some(observer) = self.observer.as_mut() {
            observer.messages = messages;
        }
    }

    /// The operation ends (`waiting`: for the peer's data): the state machine's last
    /// events, and its state published.
    pub(crate) fn end_operation(&mut self, waiting: bool) {
        self.statem.end_operation(waiting);
        self.publish_state();
    }

    /// An alert went out by another way than the protocol engine (a callback refused the
    /// ClientHello): the info and message callbacks hear of it.
    pub(crate) fn alert_sent(&mut self, level: u8, description: u8) {
        if self.statem.messages {
            self.statem
                .message(true, sys::TLS_ANY_VERSION, 21, &[level, description]);
        }
        self.statem.alert(true, level, description);
    }

    /// The events for the application's info, message and key-log callbacks, in order
    /// (key-log lines after the operation's other events, in OpenSSL's order).
    pub(crate) fn take_notes(&mut self) -> Vec<Note> {
        let mut notes = self.statem.take_notes();
        if self.keylog_done {
            return notes;
        }
        let all = self.finished || self.statem.in_error();
        self.keylog_done = all;
        let mut lines = std::mem::take(&mut *lock(&self.state.keylog));
        if !lines.is_empty() || !self.held_keylog.is_empty() {
            let server = self.role == Some(Role::Server);
            crate::keylog::order(&mut lines, &mut self.held_keylog, server, all);
            notes.extend(lines.into_iter().map(|(_, line)| Note::Keylog(line)));
        }
        notes
    }

    /// Publishes the state machine's state (only when it changed: this runs with every
    /// read and write).
    fn publish_state(&mut self) {
        let version = self.observer.as_ref().and_then(|o| o.client_version);
        let acked = self.observer.as_ref().is_some_and(|o| o.name_acked);
        let now = (self.statem.state(), self.statem.in_error(), version, acked);
        if self.published_state == Some(now) {
            return;
        }
        self.published_state = Some(now);
        let mut status = lock(&self.state.status);
        status.hand_state = now.0;
        status.failed = now.1;
        if let Some(version) = version {
            status.client_version = version;
        }
        status.name_acked |= acked;
    }

    /// `SSL_read_early_data` (server): `Ok(Some(n))` for 0-RTT bytes read, `Ok(None)` once
    /// no more can come (none sent, rejected, or the handshake completed). rustls accepts
    /// 0-RTT only with stateful resumption (no ticket key), as replay protection.
    pub(crate) fn read_early_data(
        &mut self,
        io: &Transport<'_>,
        buf: &mut [u8],
    ) -> Step<Option<usize>> {
        let refused = Stop::Fatal(Error::Reason(sys::ERR_R_SHOULD_NOT_HAVE_BEEN_CALLED));
        if self.current_role() != Some(Role::Server) {
            return Err(refused);
        }
        // As in OpenSSL: from the handshake's start (before it) until "finish".
        match self.early_read {
            EarlyRead::Finished => return Err(refused),
            EarlyRead::NotStarted if self.statem.started() => return Err(refused),
            _ => self.early_read = EarlyRead::Reading,
        }
        if self.setup().settings.max_early_data == 0 {
            self.early_read = EarlyRead::Finished;
            return Ok(None);
        }
        self.begin(io)?;
        loop {
            if let Some(b) = self.bufs.as_mut().filter(|b| b.early.has_data()) {
                return Ok(Some(b.early.take(buf)));
            }
            if self.is_established() {
                self.flush(io)?;
                self.finish_handshake();
                self.early_read = EarlyRead::Finished;
                return Ok(None);
            }
            match self.pump(io, &mut Want::Nothing)? {
                Event::Early => continue,
                Event::PeerClosed => return Err(Stop::Fatal(handshake_eof())),
                _ if self.is_established() => continue,
                _ => {}
            }
            self.flush(io)?;
            if self.eof {
                return Err(Stop::Fatal(handshake_eof()));
            }
            self.fill(io)?;
        }
    }

    /// `SSL_write_early_data` on a server: data written before the handshake completes
    /// (sent once the server's flight is out). Clients cannot send 0-RTT.
    pub(crate) fn write_early_data(&mut self, io: &Transport<'_>, buf: &[u8]) -> Step<usize> {
        if self.current_role() != Some(Role::Server) {
            // OpenSSL refuses without a session that allows 0-RTT, before the handshake.
            let allowed = self.tls.is_none()
                && lock(&self.state.resume)
                    .as_ref()
                    .is_some_and(|s| s.meta().max_early_data > 0);
            if !allowed {
                return Err(Stop::Fatal(Error::Reason(
                    sys::ERR_R_SHOULD_NOT_HAVE_BEEN_CALLED,
                )));
            }
            return Err(Stop::Fatal(Error::NotSupported(
                "sending 0-RTT data as a client",
            )));
        }
        self.begin(io)?;
        let mut written = 0;
        while written < buf.len() {
            match self.pump(io, &mut Want::Write(&buf[written..]))? {
                Event::Wrote(n) => written += n,
                Event::NeedInput => {
                    self.flush(io)?;
                    if self.eof {
                        return Err(Stop::Fatal(handshake_eof()));
                    }
                    self.fill(io)?;
                }
                Event::PeerClosed => return Err(Stop::Fatal(handshake_eof())),
                Event::Progress | Event::Data(_) | Event::Early => {}
            }
        }
        // The bytes are committed: a write BIO that is full now gets them later.
        match self.flush(io) {
            Ok(()) | Err(Stop::WantWrite) => Ok(written),
            Err(stop) => Err(stop),
        }
    }

    /// `SSL_read`: returns decrypted bytes (at most one record's), doing the handshake
    /// first if needed.
    pub(crate) fn read(&mut self, io: &Transport<'_>, buf: &mut [u8]) -> Step<usize> {
        let step = self.receive(io, buf, false);
        self.track(step)
    }

    /// `SSL_peek`: as [`Connection::read`], but what it returns stays buffered for the next
    /// read.
    pub(crate) fn peek(&mut self, io: &Transport<'_>, buf: &mut [u8]) -> Step<usize> {
        let step = self.receive(io, buf, true);
        self.track(step)
    }

    /// [`Connection::read`] and, with `keep`, [`Connection::peek`].
    fn receive(&mut self, io: &Transport<'_>, buf: &mut [u8], keep: bool) -> Step<usize> {
        if self.current_role().is_none() {
            return Err(Stop::Fatal(Error::Reason(sys::SSL_R_UNINITIALIZED)));
        }
        self.refuse_failed()?;
        if !self.is_established() {
            self.handshake(io)?;
        }
        self.establish(io).map_err(Stop::in_handshake)?;
        self.send_key_update()?;
        if buf.is_empty() {
            return Ok(0);
        }
        loop {
            if let Some(b) = self.bufs.as_mut().filter(|b| b.plain.has_data()) {
                if keep {
                    return Ok(b.plain.peek(buf));
                }
                let n = b.plain.take(buf);
                self.release_if_idle();
                return Ok(n);
            }
            if self.received_close {
                return Err(Stop::ZeroReturn);
            }
            // A read takes a record's data straight into `buf`; a peek decrypts into the
            // plaintext buffer, to be copied from there.
            let mut want = if keep {
                Want::Nothing
            } else {
                Want::Read(&mut *buf)
            };
            match self.pump(io, &mut want)? {
                Event::Data(n) if n > 0 => {
                    // Like OpenSSL's SSL_MODE_RELEASE_BUFFERS: nothing is kept once the
                    // record is consumed.
                    self.release_if_idle();
                    return Ok(n);
                }
                Event::PeerClosed => self.set_closed(false, true),
                Event::NeedInput | Event::Wrote(_) => {
                    self.flush(io)?;
                    if self.eof {
                        return Err(self.transport_eof());
                    }
                    self.fill(io)?;
                }
                Event::Data(_) | Event::Early | Event::Progress => {}
            }
        }
    }

    /// The read BIO's end before the peer's close_notify. A BIO that says it is at its
    /// end (`BIO_eof`: a socket or BIO pair) makes it a protocol error, "unexpected eof
    /// while reading", or with `SSL_OP_IGNORE_UNEXPECTED_EOF` the same as close_notify;
    /// a BIO that does not is a transport error (SSL_ERROR_SYSCALL, nothing queued), as
    /// in OpenSSL's record layer.
    fn transport_eof(&mut self) -> Stop {
        // The next call reads again: a transport error does not end the connection.
        self.eof = false;
        if !self.eof_flagged {
            return Stop::Ended(Error::Io(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "EOF without close_notify",
            )));
        }
        if self.setup().options & sys::SSL_OP_IGNORE_UNEXPECTED_EOF != 0 {
            self.set_closed(false, true);
            return Stop::ZeroReturn;
        }
        Stop::Ended(Error::UnexpectedEof)
    }

    /// `SSL_write`: all of `buf` or a stop; after WANT_WRITE the application calls again
    /// with the same buffer and the write continues where it stopped.
    pub(crate) fn write(&mut self, io: &Transport<'_>, buf: &[u8]) -> Step<usize> {
        let step = self.send(io, buf).map_err(Stop::in_handshake);
        self.track(step)
    }

    fn send(&mut self, io: &Transport<'_>, buf: &[u8]) -> Step<usize> {
        if self.current_role().is_none() {
            return Err(Stop::Fatal(Error::Reason(sys::SSL_R_UNINITIALIZED)));
        }
        if self.sent_close {
            return Err(Stop::Fatal(Error::Reason(sys::SSL_R_PROTOCOL_IS_SHUTDOWN)));
        }
        self.refuse_failed()?;
        if !self.is_established() {
            self.handshake(io)?;
        }
        self.establish(io)?;
        self.send_key_update()?;
        let partial = self.setup().mode & sys::SSL_MODE_ENABLE_PARTIAL_WRITE as u64 != 0;
        loop {
            self.flush(io)?;
            let offset = self.write_offset.min(buf.len());
            if offset >= buf.len() || (partial && offset > 0) {
                self.write_offset = 0;
                self.release_if_idle();
                return Ok(offset);
            }
            match self.pump(io, &mut Want::Write(&buf[offset..]))? {
                Event::Wrote(n) => self.write_offset = offset + n,
                Event::PeerClosed => self.set_closed(false, true),
                Event::NeedInput => {
                    if self.eof {
                        return Err(self.transport_eof());
                    }
                    self.fill(io)?;
                }
                Event::Data(_) | Event::Early | Event::Progress => {}
            }
        }
    }

    /// `SSL_shutdown`: sends close_notify; `Ok(true)` once the peer's has arrived too.
    ///
    /// As OpenSSL's: the first call sends close_notify and says whether the peer's has
    /// already arrived; a call after WANT_WRITE finishes sending it; a later call waits for
    /// the peer's, and application data arriving instead is a fatal error ("application
    /// data after close notify": the application should have read it with `SSL_read`).
    /// With quiet shutdown nothing is sent and both directions count as closed. A
    /// connection whose handshake is not complete, or that failed, cannot be shut down.
    pub(crate) fn shutdown(&mut self, io: &Transport<'_>) -> Step<bool> {
        let step = self.close(io);
        self.track(step)
    }

    fn close(&mut self, io: &Transport<'_>) -> Step<bool> {
        if self.current_role().is_none() {
            return Err(Stop::Fatal(Error::Reason(sys::SSL_R_UNINITIALIZED)));
        }
        if self.failed || !self.is_established() {
            return Err(Stop::Fatal(Error::Reason(
                sys::SSL_R_SHUTDOWN_WHILE_IN_INIT,
            )));
        }
        if self.setup().quiet_shutdown {
            self.set_closed(true, true);
            return Ok(true);
        }
        if !self.sent_close {
            loop {
                match self.pump(io, &mut Want::CloseNotify)? {
                    Event::PeerClosed => self.set_closed(false, true),
                    Event::Data(_) | Event::Early | Event::Progress => {}
                    Event::Wrote(_) | Event::NeedInput => break,
                }
            }
            self.set_closed(true, false);
            self.flush(io)?;
            return Ok(self.received_close);
        }
        if self.output_pending() {
            self.flush(io)?;
        } else {
            self.await_close_notify(io)?;
        }
        Ok(self.received_close)
    }

    /// The second `SSL_shutdown`: reads until the peer's close_notify.
    fn await_close_notify(&mut self, io: &Transport<'_>) -> Step<()> {
        while !self.received_close {
            if self.bufs.as_ref().is_some_and(|b| b.plain.has_data()) {
                return Err(Stop::Fatal(Error::Reason(
                    sys::SSL_R_APPLICATION_DATA_AFTER_CLOSE_NOTIFY,
                )));
            }
            match self.pump(io, &mut Want::Nothing)? {
                Event::PeerClosed => self.set_closed(false, true),
                Event::NeedInput | Event::Wrote(_) => {
                    self.flush(io)?;
                    if self.eof {
                        match self.transport_eof() {
                            Stop::ZeroReturn => continue,
                            stop => return Err(stop.in_handshake()),
                        }
                    }
                    self.fill(io)?;
                }
                Event::Data(_) | Event::Early | Event::Progress => {}
            }
        }
        self.release_if_idle();
        Ok(())
    }

    /// Whether records wait in the output buffer for the write BIO.
    fn output_pending(&self) -> bool {
        self.bufs.as_ref().is_some_and(|b| !b.output.is_empty())
    }

    /// `SSL_set_shutdown`: marks directions closed without sending anything.
    pub(crate) fn set_shutdown_flags(&mut self, flags: i32) {
        self.set_closed(
            flags & sys::SSL_SENT_SHUTDOWN != 0,
            flags & sys::SSL_RECEIVED_SHUTDOWN != 0,
        );
    }

    /// Marks directions closed (never reopens one) and publishes it.
    fn set_closed(&mut self, sent: bool, received: bool) {
        self.sent_close |= sent;
        self.received_close |= received;
        let mut status = lock(&self.state.status);
        status.sent_close = self.sent_close;
        status.received_close = self.received_close;
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

    /// Publishes what verification and the certificate hooks need for this handshake.
    fn prepare(&mut self) -> Result<()> {
        let mut setup = self.setup();
        // A server that does not ask for a client certificate verifies nothing.
        let verifies = self.role != Some(Role::Server)
            || setup.settings.verify_mode & sys::SSL_VERIFY_PEER != 0;
        *lock(&self.state.verify) = if verifies {
            Some(Box::new(VerifySetup {
                mode: setup.settings.verify_mode,
                callback: setup.settings.verify_callback,
                store: setup
                    .settings
                    .verify_store
                    .clone()
                    .unwrap_or_else(|| setup.ctx.store()),
                param: VerifyParam::copy_of(&setup.param),
                ex_data: setup.verify_ex_data,
                replace: setup.settings.cert_verify,
            }))
        } else {
            None
        };
        let mut credentials = crate::credentials::presented(&setup)?;
        if let Some(ocsp) = setup.stapled_ocsp.take() {
            for key in &mut credentials {
                *key = Arc::new(CertifiedKey {
                    ocsp: Some(ocsp.clone()),
                    ..(**key).clone()
                });
            }
        }
        *lock(&self.state.credentials) = credentials;
        // The internal cache of this side's sessions (clients keep theirs there too with
        // SSL_SESS_CACHE_CLIENT, as in OpenSSL).
        // The mode is the session context's, as it is now (as OpenSSL reads it).
        let server = self.role == Some(Role::Server);
        let session_ctx = Arc::clone(&setup.session_ctx);
        let ctx_settings = Arc::clone(&session_ctx.settings());
        *lock(&self.state.server_cache) = session_ctx.internal_sessions(&ctx_settings, server);
        *lock(&self.state.cache_lookup) = if server {
            session_ctx.internal_lookup(&ctx_settings)
        } else {
            None
        };
        *lock(&self.state.session_timeout) = setup.settings.session_timeout;
        *lock(&self.state.single_use_sessions) =
            setup.settings.max_early_data > 0 && setup.options & sys::SSL_OP_NO_ANTI_REPLAY == 0;
        Ok(())
    }

    fn start_client(&mut self) -> Result<()> {
        if self.role.is_none() {
            return Err(Error::Reason(sys::SSL_R_CONNECTION_TYPE_NOT_SET));
        }
        self.prepare()?;
        let tls13 = {
            let setup = self.setup();
            let versions = setup.settings.versions.enabled(setup.options);
            versions.contains(&&rustls::version::TLS13)
        };
        if tls13 {
            self.state.events.client_psk()?;
        }
        let (config, name, alpn) = {
            let setup = self.setup();
            let config = if setup.own_settings {
                Arc::new(crate::context::client_config(&setup.settings)?)
            } else {
                setup.ctx.client_config()?
            };
            // Without a host name rustls needs some name: an address sends no SNI, and
            // certificate names are checked by libcrypto from the verify parameters.
            let name = match setup.server_name.as_deref().map(ServerName::try_from) {
                Some(Ok(name)) => name.to_owned(),
                _ => ServerName::IpAddress(std::net::Ipv4Addr::UNSPECIFIED.into()),
            };
            (config, name, setup.settings.alpn.clone())
        };
        let _current = current::enter(&self.state);
        let conn = UnbufferedClientConnection::new_with_alpn(config, name, alpn)?;
        self.tls = Some(Tls::Client(conn));
        lock(&self.state.status).started = true;
        Ok(())
    }

    /// Server: reads the ClientHello, stops once for the application's callbacks, then
    /// starts the rustls connection with the config their choices select, which reads the
    /// same ClientHello from the input buffer.
    fn accept(&mut self, io: &Transport<'_>) -> Step<()> {
        loop {
            match std::mem::replace(&mut self.hello, Hello::Reading) {
                Hello::Reading => {
                    let received = self.bufs.as_ref().map_or(&[][..], |b| b.input.pending());
                    match crate::hello::parse(received) {
                        crate::hello::Parsed::Hello(info) => {
                            // The version rustls will pick, for callbacks that ask before it
                            // is known (a TLS 1.3 suite offered and enabled means TLS 1.3).
                            let tls13 = {
                                let setup = self.setup();
                                setup
                                    .settings
                                    .versions
                                    .enabled(setup.options)
                                    .contains(&&rustls::version::TLS13)
                            } && info.raw_ciphers.chunks(2).any(|c| c[0] == 0x13);
                            {
                                let mut status = lock(&self.state.status);
                                status.started = true;
                                status.version = if tls13 { 0x0304 } else { 0x0303 };
                            }
                            *lock(&self.state.hello) = Some(*info);
                            self.hello = Hello::Received;
                            // The state machine reads the ClientHello before its callbacks.
                            if let (Some(observer), Some(bufs)) =
                                (self.observer.as_mut(), self.bufs.as_ref())
                            {
                                observer.incoming(
                                    bufs.input.pending(),
                                    &self.state,
                                    &mut self.statem,
                                );
                            }
                            self.publish_state();
                            return Err(Stop::ClientHello);
                        }
                        // rustls rejects it, with the context's config.
                        crate::hello::Parsed::Invalid => self.hello = Hello::Decided(None),
                        crate::hello::Parsed::Incomplete => {
                            if self.eof {
                                return Err(self.transport_eof());
                            }
                            self.fill(io)?;
                        }
                    }
                }
                Hello::Received => {
                    // The application must be asked first.
                    self.hello = Hello::Received;
                    return Err(Stop::ClientHello);
                }
                Hello::Decided(alpn) => {
                    self.prepare()?;
                    let config = {
                        let setup = self.setup();
                        let own = setup.own_settings.then_some(&*setup.settings);
                        setup.ctx.server_config(own, alpn.as_deref())?
                    };
                    let _current = current::enter(&self.state);
                    let conn = UnbufferedServerConnection::new(config).map_err(Error::Tls)?;
                    self.tls = Some(Tls::Server(conn));
                    return Ok(());
                }
            }
        }
    }

    /// Records the application's choices after [`Stop::ClientHello`]: the ALPN protocol to
    /// select (`None` for none).
    pub(crate) fn hello_decided(&mut self, alpn: Option<Vec<u8>>) {
        if let Hello::Received = self.hello {
            self.hello = Hello::Decided(alpn);
        }
    }

    /// OpenSSL names a plain HTTP request or proxy CONNECT sent to a TLS port.
    fn hello_error(&self, e: rustls::Error) -> Error {
        if let rustls::Error::InvalidMessage(_) = e {
            let head = self
                .bufs
                .as_ref()
                .map_or(&[][..], |b| b.records.first_bytes());
            for method in [
                &b"GET "[..],
                b"POST ",
                b"HEAD ",
                b"PUT ",
                b"DELETE",
                b"OPTIO",
            ] {
                if head.starts_with(&method[..method.len().min(5)]) {
                    return Error::Reason(sys::SSL_R_HTTP_REQUEST);
                }
            }
            if head.starts_with(b"CONNE") {
                return Error::Reason(sys::SSL_R_HTTPS_PROXY_REQUEST);
            }
        }
        Error::Tls(e)
    }

    /// Turns rustls's state machine until it needs something: more input, or the
    /// operation's data (`want`) to flow. Output accumulates in the output buffer.
    fn pump(&mut self, io: &Transport<'_>, want: &mut Want<'_>) -> Step<Event> {
        let result = {
            let _current = current::enter(&self.state);
            loop {
                let turned = self.turn_once(want);
                if !self.published {
                    self.publish();
                }
                if turned == Ok(Event::Early) {
                    lock(&self.state.status).early_data_received = true;
                }
                match turned {
                    Ok(Event::Progress) => continue,
                    other => break other,
                }
            }
        };
        self.publish_state();
        // A hook failure OpenSSL reports with its own reason (a client certificate
        // callback, certificate transparency): the handshake fails with it, after the
        // alert rustls queued, if any.
        let hook_error = self.state.outcome().hook_error.take();
        if let Some(reason) = hook_error {
            if let Err(e) = result {
                let _ = self.fail(io, e);
            }
            return Err(Stop::Fatal(Error::Reason(reason)));
        }
        result.map_err(|e| self.fail(io, e))
    }

    /// One [`turn`] of whichever side this is (the caller has entered [`current`]).
    /// The observer (during the handshake) sees the received records before rustls reads
    /// them and the records rustls wrote after.
    fn turn_once(&mut self, want: &mut Want<'_>) -> std::result::Result<Event, rustls::Error> {
        let bufs = self.bufs.get_or_insert_with(Box::default);
        if let Some(observer) = self.observer.as_mut() {
            observer.incoming(bufs.input.pending(), &self.state, &mut self.statem);
        }
        let (input_before, output_before) =
            (bufs.input.pending().len(), bufs.output.pending().len());
        let result = match self.tls.as_mut() {
            Some(Tls::Client(c)) => turn::<ClientConnectionData>(c, bufs, want, None),
            Some(Tls::Server(s)) => {
                turn::<ServerConnectionData>(s, bufs, want, Some(&mut self.server_random))
            }
            Some(Tls::Established(e)) => e.turn(bufs, want, &mut self.statem),
            None => Err(rustls::Error::General("no connection".into())),
        };
        if self.tls12_no_certificate {
            if let Some(written) = bufs.output.filled_mut().get_mut(output_before..) {
                tls12_handshake_failure_alert(written);
            }
        }
        if self.internal_error_alert {
            let observer = self.observer.as_mut();
            let written = bufs.output.filled_mut().get_mut(output_before..);
            if let (Some(observer), Some(written)) = (observer, written) {
                let suite = self.tls.as_ref().and_then(Tls::suite);
                let alerts = (CERTIFICATE_UNKNOWN, INTERNAL_ERROR);
                if observer.rewrite_alert(written, &self.state, suite, &mut self.statem, alerts) {
                    self.internal_error_alert = false;
                }
            }
        }
        if let Some(observer) = self.observer.as_mut() {
            observer.consumed(input_before.saturating_sub(bufs.input.pending().len()));
            let suite = self.tls.as_ref().and_then(Tls::suite);
            let written = bufs
                .output
                .pending()
                .get(output_before..)
                .unwrap_or_default();
            observer.outgoing(written, &self.state, suite, &mut self.statem);
        }
        result
    }

    /// A fatal rustls error: sends the alert rustls queued for it, then reports it.
    fn fail(&mut self, io: &Transport<'_>, e: rustls::Error) -> Stop {
        // A certificate that fails stops OpenSSL's reading of the peer's flight there.
        if let rustls::Error::InvalidCertificate(_) | rustls::Error::NoCertificatesPresented = e {
            self.statem.failed_at(crate::statem::msg::CERTIFICATE);
        } else {
            self.statem.failed();
        }
        // rustls's TLS 1.2 server answers a missing client certificate with TLS 1.3's
        // certificate_required alert; OpenSSL sends handshake_failure (TLS 1.2 has no other).
        self.tls12_no_certificate = matches!(e, rustls::Error::NoCertificatesPresented)
            && self.role == Some(Role::Server)
            && lock(&self.state.status).version == crate::versions::TLS1_2;
        // A verification failure OpenSSL answers with internal_error (a verify callback
        // that refused without an error code): rustls's verifier API can only make it send
        // certificate_unknown, so the alert is changed before it goes out.
        self.internal_error_alert =
            matches!(
                e,
                rustls::Error::InvalidCertificate(rustls::CertificateError::Other(_))
            ) && crate::verify::sends_internal_error(self.state.outcome().verify_result);
        {
            let _current = current::enter(&self.state);
            for _ in 0..4 {
                if self.turn_once(&mut Want::Nothing) != Ok(Event::Progress) {
                    break;
                }
            }
        }
        let _ = self.flush(io);
        if let rustls::Error::AlertReceived(_) = e {
            // The peer's fatal alert also closes its side (SSL_RECEIVED_SHUTDOWN), and
            // ends a read with 0.
            self.set_closed(false, true);
            return Stop::Ended(self.tls_error(e));
        }
        Stop::Fatal(self.tls_error(e))
    }

    /// Drops the buffers while nothing is in them (an idle keep-alive connection).
    fn release_if_idle(&mut self) {
        if self.bufs.as_mut().is_some_and(|b| b.release_idle()) {
            self.bufs = None;
        }
    }

    /// Writes the output buffer to the write BIO; the buffer goes back to the pool once
    /// empty.
    fn flush(&mut self, io: &Transport<'_>) -> Step<()> {
        let client_in_handshake = self.role == Some(Role::Client) && !self.is_established();
        let Some(out) = self.bufs.as_mut().map(|b| &mut b.output) else {
            return Ok(());
        };
        if out.is_empty() {
            return Ok(());
        }
        // A TLS 1.3 client's middlebox-compatibility ChangeCipherSpec, which rustls emits as
        // soon as the ServerHello arrives, waits for the client's next flight (its Finished,
        // or an alert), as OpenSSL sends it: written alone it is a small segment whose
        // delayed ACK makes Nagle's algorithm hold back the next one, and a client that
        // then fails and closes with unread data resets the connection before its alert
        // leaves (socat's server then reports "Connection reset by peer", not the alert).
        if client_in_handshake && out.pending() == FAKE_CCS {
            return Ok(());
        }
        let wbio = io.wbio.ok_or_else(no_bio)?;
        while !out.is_empty() {
            match wbio.write(out.pending()) {
                Ok(n) => out.consume(n),
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Err(Stop::WantWrite),
                Err(e) => return Err(Stop::Fatal(Error::Io(e))),
            }
        }
        out.release();
        Ok(())
    }

    /// Reads from the read BIO. Without read-ahead no further than the end of the current
    /// record, as OpenSSL does: bytes of the next record stay in the socket, so an
    /// application that polls the socket before reading again, as curl does, still sees
    /// them. With read-ahead (nginx sets it) as much as the input buffer has room for,
    /// which saves a system call per record header. Sets `eof` at the end of the stream.
    fn fill(&mut self, io: &Transport<'_>) -> Step<()> {
        let rbio = io.rbio.ok_or_else(no_bio)?;
        let read_ahead = self.setup().read_ahead;
        let bufs = self.bufs.get_or_insert_with(Box::default);
        let wanted = bufs.records.wanted();
        let space = bufs.input.space(wanted);
        let space = if read_ahead {
            space
        } else {
            &mut space[..wanted]
        };
        match rbio.read(space) {
            Ok(0) => {
                self.eof = true;
                self.eof_flagged = rbio.eof();
            }
            Ok(n) => {
                bufs.records.consumed(&space[..n]);
                bufs.input.filled(n);
                // The server's first record is its ServerHello, at the front of the input
                // until rustls has all of it.
                if self.server_random.is_none() && self.role == Some(Role::Client) {
                    self.server_random = server_hello_random(bufs.input.pending());
                }
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                if bufs.release_idle() {
                    self.bufs = None;
                }
                return Err(Stop::WantRead);
            }
            Err(e) => return Err(Stop::Fatal(Error::Io(e))),
        }
        Ok(())
    }

    /// Hands record protection from rustls to [`Established`] once the handshake is over
    /// and rustls holds nothing back: no record to send, no received bytes it has seen. A
    /// connection where that is not so yet tries again at its next read or write.
    fn establish(&mut self, io: &Transport<'_>) -> Step<()> {
        if !matches!(self.tls, Some(Tls::Client(_) | Tls::Server(_))) || !self.is_established() {
            return Ok(());
        }
        loop {
            match self.pump(io, &mut Want::Nothing)? {
                Event::NeedInput => break,
                // rustls keeps the connection to its end.
                Event::PeerClosed => {
                    self.set_closed(false, true);
                    return Ok(());
                }
                Event::Progress | Event::Data(_) | Event::Early | Event::Wrote(_) => {}
            }
        }
        if self.bufs.as_ref().is_some_and(|b| !b.input.is_empty()) {
            return Ok(());
        }
        self.flush(io)?;
        let Some(negotiated) = self
            .tls
            .as_ref()
            .and_then(Tls::common)
            .and_then(Negotiated::of)
        else {
            return Ok(());
        };
        let extracted = match self.tls.take() {
            Some(Tls::Client(c)) => c
                .dangerous_into_kernel_connection()
                .map(|(secrets, k)| (secrets, Kernel::Client(k))),
            Some(Tls::Server(s)) => s
                .dangerous_into_kernel_connection()
                .map(|(secrets, k)| (secrets, Kernel::Server(k))),
            other => {
                self.tls = other;
                return Ok(());
            }
        };
        let (secrets, kernel) = extracted.map_err(Error::Tls)?;
        let established = Established::new(negotiated, secrets, kernel).map_err(Error::Tls)?;
        self.tls = Some(Tls::Established(Box::new(established)));
        // Record protection is ours from here: the established connection reports what
        // the observer did.
        self.observer = None;
        *lock(&self.state.secrets) = Vec::new();
        Ok(())
    }

    /// Publishes the negotiated version and suite once known (new sessions carry them).
    fn publish(&mut self) {
        let Some(tls) = self.tls.as_ref() else { return };
        let established = tls.is_established();
        let mut status = lock(&self.state.status);
        if let Some(v) = tls.version() {
            status.version = u16::from(v);
        }
        status.cipher = tls.suite().and_then(Cipher::find);
        status.alpn = tls.alpn().map(<[u8]>::to_vec);
        status.group = tls.group();
        status.resumed = tls.resumed();
        status.established = established;
        drop(status);
        if established {
            // The peer's certificates as sent, for getters (parsed when first asked for:
            // after a resumed handshake the verifier did not parse them).
            let mut outcome = self.state.outcome();
            if outcome.peer_chain.is_empty() {
                outcome.peer_ders = tls
                    .peer_certificates()
                    .map(|c| c.to_vec())
                    .unwrap_or_default();
            }
        }
        self.published = established;
    }

    /// Releases what only the handshake needed, and counts the handshake.
    fn finish_handshake(&mut self) {
        if std::mem::replace(&mut self.finished, true) {
            return;
        }
        if crate::debug::enabled(crate::debug::Level::Info) {
            crate::debug::handshake_done(self.role == Some(Role::Server), &self.state);
        }
        if let Some(observer) = self.observer.as_mut() {
            let suite = self.tls.as_ref().and_then(Tls::suite);
            observer.update(&self.state, suite, &mut self.statem);
            *lock(&self.state.finished) = observer.finished;
            let mut status = lock(&self.state.status);
            status.early_data = observer.early_data_status();
            status.renegotiate = false;
        }
        self.statem.completed();
        self.publish_state();
        let session_ctx = Arc::clone(&self.setup().session_ctx);
        let stats = &session_ctx.stats;
        if self.role == Some(Role::Server) {
            Stats::bump(&stats.accept_good);
        } else {
            Stats::bump(&stats.connect_good);
        }
        // Both sides count resumptions, as OpenSSL does.
        if lock(&self.state.status).resumed {
            Stats::bump(&stats.hit);
        }
        // Verification is over: keep the matched peer name, release the store and the
        // parameter copy.
        if let Some(verify) = lock(&self.state.verify).take() {
            if let Some(param) = verify.param.as_ref() {
                self.setup().param.take_peername(param);
            }
        }
        // The certificate hooks are done too, and the ClientHello's callbacks.
        *lock(&self.state.credentials) = Vec::new();
        if let Some(hello) = lock(&self.state.hello).as_mut() {
            hello.body = Vec::new();
        }
        // The exporter (TLS 1.2) and SSL_get_server_random need the ServerHello's random.
        if let Some(secret) = lock(&self.state.export).as_mut() {
            secret.server_random = self.server_random.take();
        }
    }

    fn tls_error(&self, e: rustls::Error) -> Error {
        // A server that never saw a ClientHello: maybe a plain HTTP request.
        if self.role == Some(Role::Server) && lock(&self.state.hello).is_none() {
            return self.hello_error(e);
        }
        // OpenSSL picks the suite before the key exchange: a client that offers no suite
        // rustls implements fails with "no shared cipher", whatever else it lacks (a TLS 1.2
        // client offering only RSA key exchange sends no supported_groups).
        if let rustls::Error::PeerIncompatible(
            rustls::PeerIncompatible::NoKxGroupsInCommon
            | rustls::PeerIncompatible::NamedGroupsExtensionRequired,
        ) = e
        {
            let offers_usable = lock(&self.state.hello).as_ref().is_some_and(|h| {
                h.raw_ciphers
                    .chunks_exact(2)
                    .filter_map(|c| Cipher::by_id(u16::from_be_bytes([c[0], c[1]])))
                    .any(Cipher::is_implemented)
            });
            if self.role == Some(Role::Server) && !offers_usable {
                return Error::Reason(sys::SSL_R_NO_SHARED_CIPHER);
            }
        }
        let code = self.state.outcome().verify_result;
        match e {
            rustls::Error::General(ref m) if code != 0 && m == crate::verify::VERIFY_FAILED => {
                Error::Verify(i32::try_from(code).unwrap_or(i32::MAX))
            }
            rustls::Error::InvalidCertificate(_) if code != 0 => {
                Error::Verify(i32::try_from(code).unwrap_or(i32::MAX))
            }
            e => Error::Tls(e),
        }
    }
}

/// The alerts a verification failure's is changed from and to (see
/// [`Observer::rewrite_alert`]).
const CERTIFICATE_UNKNOWN: u8 = 46;
const INTERNAL_ERROR: u8 = 80;

/// Rewrites a plaintext TLS 1.2 fatal certificate_required alert record in `written` (what
/// one turn wrote) into handshake_failure, the alert OpenSSL's TLS 1.2 server sends when
/// the client has no certificate. The client's Certificate comes before its
/// ChangeCipherSpec, so the server's alert is still a plaintext record here.
fn tls12_handshake_failure_alert(written: &mut [u8]) {
    const CERTIFICATE_REQUIRED: [u8; 7] = [21, 3, 3, 0, 2, 2, 116];
    if let Some(at) = written
        .windows(CERTIFICATE_REQUIRED.len())
        .position(|w| w == CERTIFICATE_REQUIRED)
    {
        written[at + 6] = 40;
    }
}

/// The two sides of rustls's unbuffered API, for code written once for both.
trait Side: Sized {
    fn process<'c, 'i>(
        conn: &'c mut UnbufferedConnectionCommon<Self>,
        input: &'i mut [u8],
    ) -> UnbufferedStatus<'c, 'i, Self>;

    /// Moves received 0-RTT data to `out` (servers only get any).
    fn take_early(
        early: ReadEarlyData<'_, '_, Self>,
        out: &mut PlainBuffer,
    ) -> std::result::Result<(), rustls::Error>;
}

impl Side for ClientConnectionData {
    fn process<'c, 'i>(
        conn: &'c mut UnbufferedConnectionCommon<Self>,
        input: &'i mut [u8],
    ) -> UnbufferedStatus<'c, 'i, Self> {
        conn.process_tls_records(input)
    }

    fn take_early(
        _: ReadEarlyData<'_, '_, Self>,
        _: &mut PlainBuffer,
    ) -> std::result::Result<(), rustls::Error> {
        Ok(())
    }
}

impl Side for ServerConnectionData {
    fn process<'c, 'i>(
        conn: &'c mut UnbufferedConnectionCommon<Self>,
        input: &'i mut [u8],
    ) -> UnbufferedStatus<'c, 'i, Self> {
        conn.process_tls_records(input)
    }

    fn take_early(
        mut early: ReadEarlyData<'_, '_, Self>,
        out: &mut PlainBuffer,
    ) -> std::result::Result<(), rustls::Error> {
        while let Some(record) = early.next_record() {
            out.extend(record?.payload);
        }
        Ok(())
    }
}

/// One turn of rustls's state machine over the received bytes, doing what the state asks:
/// encoding handshake records into the output buffer, encrypting the operation's data,
/// moving decrypted data out. `server_random` (servers) is filled from the ServerHello
/// record as it is encoded.
fn turn<D: Side>(
    conn: &mut UnbufferedConnectionCommon<D>,
    bufs: &mut Buffers,
    want: &mut Want<'_>,
    server_random: Option<&mut Option<[u8; 32]>>,
) -> std::result::Result<Event, rustls::Error> {
    let Buffers {
        input,
        output,
        plain,
        early,
        records: _,
    } = bufs;
    let status = D::process(conn, input.filled_mut());
    let mut discard = status.discard;
    let event = match status.state {
        Err(e) => Err(e),
        Ok(ConnectionState::ReadTraffic(mut traffic)) => {
            let mut copied = 0;
            match want {
                // One record per read, as OpenSSL returns; what does not fit is kept.
                Want::Read(buf) => {
                    if let Some(record) = traffic.next_record() {
                        let record = record?;
                        discard += record.discard;
                        copied = record.payload.len().min(buf.len());
                        buf[..copied].copy_from_slice(&record.payload[..copied]);
                        plain.extend(&record.payload[copied..]);
                    }
                }
                _ => {
                    while let Some(record) = traffic.next_record() {
                        let record = record?;
                        discard += record.discard;
                        plain.extend(record.payload);
                    }
                }
            }
            Ok(Event::Data(copied))
        }
        Ok(ConnectionState::ReadEarlyData(data)) => {
            D::take_early(data, early).map(|()| Event::Early)
        }
        Ok(ConnectionState::EncodeTlsData(mut encode)) => {
            let mut need = 0;
            loop {
                let space = output.space(need);
                match encode.encode(space) {
                    Ok(n) => {
                        if let Some(random) = server_random.filter(|r| r.is_none()) {
                            *random = server_hello_random(&space[..n]);
                        }
                        output.filled(n);
                        break Ok(Event::Progress);
                    }
                    Err(EncodeError::InsufficientSize(InsufficientSizeError { required_size })) => {
                        need = required_size;
                    }
                    Err(EncodeError::AlreadyEncoded) => break Ok(Event::Progress),
                }
            }
        }
        Ok(ConnectionState::TransmitTlsData(transmit)) => {
            // The records are in the output buffer, which the operation flushes.
            transmit.done();
            Ok(Event::Progress)
        }
        Ok(ConnectionState::WriteTraffic(mut traffic)) => match want {
            Want::Write(data) => {
                let chunk = &data[..data.len().min(MAX_FRAGMENT)];
                encrypt_into(output, chunk.len() + 64, |out| traffic.encrypt(chunk, out))
                    .map(|()| Event::Wrote(chunk.len()))
            }
            Want::CloseNotify => encrypt_into(output, 64, |out| traffic.queue_close_notify(out))
                .map(|()| Event::Wrote(0)),
            Want::Nothing | Want::Read(_) => Ok(Event::NeedInput),
        },
        Ok(ConnectionState::BlockedHandshake) => Ok(Event::NeedInput),
        Ok(ConnectionState::PeerClosed | ConnectionState::Closed) => Ok(Event::PeerClosed),
        Ok(_) => Err(rustls::Error::General("unexpected rustls state".into())),
    };
    input.consume(discard);
    event
}

/// Runs `encrypt` on the output buffer's free space (at least `need` bytes), growing it to
/// the size rustls asks for when that is not enough.
fn encrypt_into(
    output: &mut RecordBuffer,
    mut need: usize,
    mut encrypt: impl FnMut(&mut [u8]) -> std::result::Result<usize, EncryptError>,
) -> std::result::Result<(), rustls::Error> {
    loop {
        match encrypt(output.space(need)) {
            Ok(n) => {
                output.filled(n);
                return Ok(());
            }
            Err(EncryptError::InsufficientSize(InsufficientSizeError { required_size })) => {
                need = required_size;
            }
            Err(e) => return Err(rustls::Error::General(e.to_string())),
        }
    }
}

/// The ChangeCipherSpec record TLS 1.3 sends for middlebox compatibility.
const FAKE_CCS: [u8; 6] = [0x14, 0x03, 0x03, 0x00, 0x01, 0x01];

/// The random of a ServerHello record (`record` is a whole record).
fn server_hello_random(record: &[u8]) -> Option<[u8; 32]> {
    // Record header (5), handshake type 2 and length (4), legacy version (2), random (32).
    if record.len() < 43 || record[0] != 22 || record[5] != 2 {
        return None;
    }
    record[11..43].try_into().ok()
}

/// EOF during the handshake: OpenSSL reports it as SSL_ERROR_SYSCALL with nothing queued
/// (nginx: "peer closed connection in SSL handshake", at info).
fn handshake_eof() -> Error {
    Error::Io(io::Error::new(
        io::ErrorKind::UnexpectedEof,
        "EOF during the handshake",
    ))
}

/// No BIO set: OpenSSL fails the I/O as a transport error (SSL_ERROR_SYSCALL), queueing
/// nothing.
fn no_bio() -> Error {
    Error::Io(io::Error::new(io::ErrorKind::NotConnected, "no BIO set"))
}

/// A server's progress through `SSL_read_early_data`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum EarlyRead {
    NotStarted,
    Reading,
    /// It reported that no more 0-RTT data can come.
    Finished,
}

/// A server's progress towards its rustls connection.
enum Hello {
    /// Reading the ClientHello.
    Reading,
    /// The ClientHello arrived; the application's callbacks have not run yet.
    Received,
    /// The callbacks ran; the ALPN protocol they chose.
    Decided(Option<Vec<u8>>),
}

#[cfg(test)]
mod tests {
    use super::tls12_handshake_failure_alert;

    #[test]
    fn tls12_missing_certificate_alert() {
        // After other records, the fatal certificate_required alert becomes handshake_failure.
        let mut out = vec![22, 3, 3, 0, 1, 0, 21, 3, 3, 0, 2, 2, 116];
        tls12_handshake_failure_alert(&mut out);
        assert_eq!(out[6..], [21, 3, 3, 0, 2, 2, 40]);
        // Nothing else is touched: another alert, a truncated record, an empty turn.
        let mut other = vec![21, 3, 3, 0, 2, 2, 42];
        tls12_handshake_failure_alert(&mut other);
        assert_eq!(other, [21, 3, 3, 0, 2, 2, 42]);
        let mut short = vec![21, 3, 3, 0, 2, 2];
        tls12_handshake_failure_alert(&mut short);
        assert_eq!(short, [21, 3, 3, 0, 2, 2]);
        tls12_handshake_failure_alert(&mut []);
    }
}
