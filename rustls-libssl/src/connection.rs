//! `SSL`: one TLS connection driven over the application's BIOs with OpenSSL's
//! non-blocking semantics (WANT_READ/WANT_WRITE, retries with the same buffer, shutdown
//! states).
//!
//! The connection runs rustls's unbuffered API: rustls keeps the protocol state and this
//! connection keeps the bytes. Its record buffers come from a small per-thread pool while
//! records are in flight and go back as soon as they are empty, so an idle connection (a
//! keep-alive connection waiting for its next request) holds no buffer at all.

use std::io;
use std::sync::Arc;

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
use crate::context::{Context, Method, Settings};
use crate::crypto_sys::{self as sys, Bio, Cert, VerifyParam};
use crate::current::{self, lock, ConnState, Events, VerifySetup};
use crate::error::{Error, Result};
use crate::established::{Established, Kernel, Negotiated};
use crate::record::MAX_FRAGMENT;
use crate::session::Session;

/// Which end of the connection this is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Role {
    Client,
    Server,
}

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
    /// A fatal error.
    Fatal(Error),
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
        match self {
            Self::Established(e) => e.negotiated.alpn.as_deref(),
            _ => self.common()?.alpn_protocol(),
        }
    }

    fn group(&self) -> Option<NamedGroup> {
        match self {
            Self::Established(e) => e.negotiated.group,
            _ => Some(self.common()?.negotiated_key_exchange_group()?.name()),
        }
    }

    fn resumed(&self) -> bool {
        match self {
            Self::Established(e) => e.negotiated.resumed,
            _ => {
                self.common().and_then(CommonState::handshake_kind) == Some(HandshakeKind::Resumed)
            }
        }
    }

    fn peer_certificates(&self) -> Option<&[CertificateDer<'static>]> {
        match self {
            Self::Established(e) => e.negotiated.peer_certificates.as_deref(),
            _ => self.common()?.peer_certificates(),
        }
    }
}

/// An `SSL`.
pub(crate) struct Connection {
    pub ctx: Arc<Context>,
    pub role: Option<Role>,
    /// `SSL_set_quiet_shutdown`: `SSL_shutdown` sends nothing.
    pub quiet_shutdown: bool,
    /// An OCSP response the application's status callback set, stapled by a server.
    pub stapled_ocsp: Option<Vec<u8>>,
    /// Settings copied from the context at `SSL_new`; `own_settings` says whether a
    /// per-connection setter changed them (then this connection builds its own config).
    pub settings: Arc<Settings>,
    pub own_settings: bool,
    /// `SSL_OP_*` bits of this connection (the config-relevant ones also in `settings`).
    pub options: u64,
    /// `SSL_MODE_*` bits of this connection.
    pub mode: u64,
    /// `SSL_set_read_ahead`: reads take all the read BIO has (up to a buffer), not just
    /// the current record.
    pub read_ahead: bool,
    pub state: Arc<ConnState>,
    /// SNI host name (`SSL_set_tlsext_host_name`).
    pub server_name: Option<String>,
    /// Verification parameters (`SSL_get0_param`), copied from the context.
    pub param: VerifyParam,
    /// `X509_STORE_CTX` ex_data index and the `SSL *` verify callbacks look up.
    pub verify_ex_data: Option<(i32, usize)>,
    tls: Option<Tls>,
    /// A server before its rustls connection exists: reading, or holding, the ClientHello.
    hello: Hello,
    /// Buffers and record tracking, dropped while the connection is idle.
    bufs: Option<Box<Buffers>>,
    /// Bytes of the current `SSL_write` buffer already encrypted.
    write_offset: usize,
    /// The ServerHello's random (the TLS 1.2 exporter needs it; rustls does not tell).
    server_random: Option<[u8; 32]>,
    /// Whether the negotiated version and suite have been published to the hooks.
    noted: bool,
    eof: bool,
    sent_close: bool,
    received_close: bool,
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
    /// A connection of `ctx` (`SSL_new`).
    pub(crate) fn new(ctx: Arc<Context>, events: Arc<dyn Events>) -> Result<Self> {
        let settings = ctx.settings().clone();
        let (options, mode, read_ahead) = (settings.options, settings.mode, settings.read_ahead);
        let param = VerifyParam::copy_of(ctx.param()).ok_or(Error::Crypto)?;
        Ok(Self {
            ctx,
            role: None,
            quiet_shutdown: false,
            stapled_ocsp: None,
            settings,
            own_settings: false,
            options,
            mode,
            read_ahead,
            state: Arc::new(ConnState::new(events)),
            server_name: None,
            param,
            verify_ex_data: None,
            tls: None,
            hello: Hello::Reading,
            bufs: None,
            write_offset: 0,
            server_random: None,
            noted: false,
            eof: false,
            sent_close: false,
            received_close: false,
        })
    }

    /// Changes this connection's settings (it stops sharing the context's config).
    pub(crate) fn update<R>(&mut self, f: impl FnOnce(&mut Settings) -> R) -> R {
        self.own_settings = true;
        let settings = Arc::make_mut(&mut self.settings);
        settings.options = self.options;
        f(settings)
    }

    /// `SSL_set_options`/`SSL_clear_options`: the connection's own config only when a bit
    /// the config depends on changes (nginx sets `SSL_OP_NO_RENEGOTIATION` on every
    /// connection, which rustls always does anyway).
    pub(crate) fn set_options(&mut self, options: u64) {
        let changed = (options ^ self.options) & crate::context::CONFIG_OPTIONS != 0;
        self.options = options;
        if changed {
            self.update(|_| ());
        }
    }

    /// Changes settings the shared configs do not depend on (verification mode,
    /// certificates): the connection keeps using its context's config.
    pub(crate) fn settings_mut(&mut self) -> &mut Settings {
        Arc::make_mut(&mut self.settings)
    }

    /// Whether the handshake has finished.
    pub(crate) fn is_established(&self) -> bool {
        self.tls.as_ref().is_some_and(Tls::is_established)
    }

    /// Whether the handshake has started.
    pub(crate) fn has_started(&self) -> bool {
        self.tls.is_some()
    }

    /// `SSL_do_handshake`: drives the handshake as far as the BIOs allow.
    pub(crate) fn handshake(&mut self, io: &Transport<'_>) -> Step<()> {
        self.begin(io)?;
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
                return Err(Stop::Fatal(handshake_eof()));
            }
            self.flush(io)?;
            if self.eof {
                return Err(Stop::Fatal(handshake_eof()));
            }
            self.fill(io)?;
        }
    }

    /// Creates the rustls connection if the handshake has not started.
    fn begin(&mut self, io: &Transport<'_>) -> Step<()> {
        if self.tls.is_some() {
            return Ok(());
        }
        // A method fixed to the other role has no handshake for this one.
        match (self.role, self.ctx.method) {
            (Some(Role::Server), Method::Client) | (Some(Role::Client), Method::Server) => Err(
                Stop::Fatal(Error::Reason(sys::ERR_R_SHOULD_NOT_HAVE_BEEN_CALLED)),
            ),
            (Some(Role::Server), _) => self.accept(io),
            _ => Ok(self.start_client()?),
        }
    }

    /// `SSL_read_early_data` (server): `Ok(Some(n))` for 0-RTT bytes read, `Ok(None)` once
    /// no more can come (none sent, rejected, or the handshake completed). rustls accepts
    /// 0-RTT only with stateful resumption (no ticket key), as replay protection.
    pub(crate) fn read_early_data(
        &mut self,
        io: &Transport<'_>,
        buf: &mut [u8],
    ) -> Step<Option<usize>> {
        if self.role != Some(Role::Server) {
            return Err(Stop::Fatal(Error::Reason(
                sys::ERR_R_SHOULD_NOT_HAVE_BEEN_CALLED,
            )));
        }
        if self.settings.max_early_data == 0 {
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
        if self.role != Some(Role::Server) {
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
        self.receive(io, buf, false)
    }

    /// `SSL_peek`: as [`Connection::read`], but what it returns stays buffered for the next
    /// read.
    pub(crate) fn peek(&mut self, io: &Transport<'_>, buf: &mut [u8]) -> Step<usize> {
        self.receive(io, buf, true)
    }

    /// [`Connection::read`] and, with `keep`, [`Connection::peek`].
    fn receive(&mut self, io: &Transport<'_>, buf: &mut [u8], keep: bool) -> Step<usize> {
        if self.role.is_none() {
            return Err(Stop::Fatal(Error::Reason(sys::SSL_R_UNINITIALIZED)));
        }
        if !self.is_established() {
            self.handshake(io)?;
        }
        self.establish(io)?;
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
                Event::PeerClosed => self.received_close = true,
                Event::NeedInput | Event::Wrote(_) => {
                    self.flush(io)?;
                    if self.eof {
                        return Err(self.unexpected_eof());
                    }
                    self.fill(io)?;
                }
                Event::Data(_) | Event::Early | Event::Progress => {}
            }
        }
    }

    /// EOF from the transport without the peer's close_notify.
    fn unexpected_eof(&mut self) -> Stop {
        if self.options & sys::SSL_OP_IGNORE_UNEXPECTED_EOF != 0 {
            self.received_close = true;
            return Stop::ZeroReturn;
        }
        Stop::Fatal(Error::UnexpectedEof)
    }

    /// `SSL_write`: all of `buf` or a stop; after WANT_WRITE the application calls again
    /// with the same buffer and the write continues where it stopped.
    pub(crate) fn write(&mut self, io: &Transport<'_>, buf: &[u8]) -> Step<usize> {
        if self.role.is_none() {
            return Err(Stop::Fatal(Error::Reason(sys::SSL_R_UNINITIALIZED)));
        }
        if !self.is_established() {
            self.handshake(io)?;
        }
        self.establish(io)?;
        if self.sent_close {
            return Err(Stop::Fatal(Error::Reason(sys::SSL_R_PROTOCOL_IS_SHUTDOWN)));
        }
        let partial = self.mode & sys::SSL_MODE_ENABLE_PARTIAL_WRITE as u64 != 0;
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
                Event::PeerClosed => self.received_close = true,
                Event::NeedInput => {
                    if self.eof {
                        return Err(self.unexpected_eof());
                    }
                    self.fill(io)?;
                }
                Event::Data(_) | Event::Early | Event::Progress => {}
            }
        }
    }

    /// `SSL_shutdown`: sends close_notify; `Ok(true)` once the peer's has arrived too.
    ///
    /// The first call sends close_notify and returns whether the peer's already arrived; a
    /// later call waits for it, discarding application data, as OpenSSL does. With quiet
    /// shutdown nothing is sent and both directions count as closed.
    pub(crate) fn shutdown(&mut self, io: &Transport<'_>) -> Step<bool> {
        if self.role.is_none() {
            return Err(Stop::Fatal(Error::Reason(sys::SSL_R_UNINITIALIZED)));
        }
        if self.quiet_shutdown {
            self.sent_close = true;
            self.received_close = true;
            return Ok(true);
        }
        if !self.is_established() {
            return Err(Stop::Fatal(Error::Reason(
                sys::SSL_R_SHUTDOWN_WHILE_IN_INIT,
            )));
        }
        if !self.sent_close {
            loop {
                match self.pump(io, &mut Want::CloseNotify)? {
                    Event::PeerClosed => self.received_close = true,
                    Event::Data(_) | Event::Early | Event::Progress => {}
                    Event::Wrote(_) | Event::NeedInput => break,
                }
            }
            self.sent_close = true;
            self.flush(io)?;
            return Ok(self.received_close);
        }
        self.flush(io)?;
        let mut scratch = [0u8; 512];
        while !self.received_close {
            match self.read(io, &mut scratch) {
                Ok(_) => {}
                Err(Stop::ZeroReturn) => break,
                Err(stop) => return Err(stop),
            }
        }
        Ok(true)
    }

    /// `SSL_get_shutdown` bits.
    pub(crate) fn shutdown_flags(&self) -> i32 {
        let mut flags = 0;
        if self.sent_close {
            flags |= sys::SSL_SENT_SHUTDOWN;
        }
        if self.received_close {
            flags |= sys::SSL_RECEIVED_SHUTDOWN;
        }
        flags
    }

    /// `SSL_set_shutdown`: marks directions closed without sending anything.
    pub(crate) fn set_shutdown_flags(&mut self, flags: i32) {
        self.sent_close |= flags & sys::SSL_SENT_SHUTDOWN != 0;
        self.received_close |= flags & sys::SSL_RECEIVED_SHUTDOWN != 0;
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

    /// The negotiated protocol version, once known.
    pub(crate) fn version(&self) -> Option<u16> {
        self.tls.as_ref()?.version().map(u16::from)
    }

    /// The settings in force: the connection's own once a per-connection setter changed
    /// them, else the context's current ones.
    pub(crate) fn effective_settings(&self) -> Arc<Settings> {
        if self.own_settings {
            Arc::clone(&self.settings)
        } else {
            Arc::clone(&self.ctx.settings())
        }
    }

    /// The negotiated cipher suite, once known.
    pub(crate) fn cipher(&self) -> Option<&'static Cipher> {
        Cipher::find(self.tls.as_ref()?.suite()?)
    }

    /// The negotiated ALPN protocol.
    pub(crate) fn alpn(&self) -> Option<&[u8]> {
        self.tls.as_ref()?.alpn()
    }

    /// The negotiated key-exchange group.
    pub(crate) fn group(&self) -> Option<NamedGroup> {
        self.tls.as_ref()?.group()
    }

    /// Whether the handshake resumed a session.
    pub(crate) fn session_reused(&self) -> bool {
        self.tls.as_ref().is_some_and(Tls::resumed)
    }

    /// `SSL_export_keying_material`.
    pub(crate) fn export_keying_material(
        &self,
        out: &mut [u8],
        label: &[u8],
        context: Option<&[u8]>,
    ) -> Result<()> {
        let suite = self
            .tls
            .as_ref()
            .filter(|t| t.is_established())
            .and_then(Tls::suite)
            .ok_or(Error::Reason(sys::SSL_R_UNINITIALIZED))?;
        let hash = match suite {
            SupportedCipherSuite::Tls12(s) => s.common.hash_provider.algorithm(),
            SupportedCipherSuite::Tls13(s) => s.common.hash_provider.algorithm(),
        };
        let secret = lock(&self.state.export);
        let secret = secret.as_ref().ok_or(Error::Internal)?;
        crate::exporter::export(
            secret,
            hash,
            self.server_random.as_ref(),
            out,
            label,
            context,
        )
    }

    /// The SNI host name: the one a server received, or the one a client sends.
    pub(crate) fn sni(&self) -> Option<String> {
        match self.role {
            Some(Role::Server) => lock(&self.state.hello)
                .as_ref()
                .and_then(|h| h.server_name.clone()),
            _ => self.server_name.clone(),
        }
    }

    /// Asks to resume `session` (`SSL_set_session`).
    pub(crate) fn set_session(&mut self, session: Option<Arc<Session>>) {
        *lock(&self.state.resume) = session;
    }

    /// Publishes what verification and the certificate hooks need for this handshake.
    fn prepare(&mut self) -> Result<()> {
        // A server that does not ask for a client certificate verifies nothing.
        let verifies = self.role != Some(Role::Server)
            || self.settings.verify_mode & sys::SSL_VERIFY_PEER != 0;
        *lock(&self.state.verify) = if verifies {
            Some(Box::new(VerifySetup {
                mode: self.settings.verify_mode,
                callback: self.settings.verify_callback,
                store: self.ctx.store(),
                param: VerifyParam::copy_of(&self.param),
                ex_data: self.verify_ex_data,
            }))
        } else {
            None
        };
        let mut credentials = self.settings.credentials.certified_keys()?;
        if self.mode & sys::SSL_MODE_NO_AUTO_CHAIN as u64 == 0 {
            // The leaves come parsed from the credentials (parsing one is slow).
            let store = self.ctx.store();
            let leaves = self.settings.credentials.leaves();
            for (key, leaf) in credentials.iter_mut().zip(leaves) {
                if key.cert.len() == 1 {
                    *key = crate::credentials::auto_chain(key, leaf, &store);
                }
            }
        }
        if let Some(allowed) = self.settings.sigalgs.as_deref() {
            for key in &mut credentials {
                *key = crate::credentials::restrict(key, allowed);
            }
        }
        if let Some(ocsp) = self.stapled_ocsp.take() {
            for key in &mut credentials {
                *key = Arc::new(CertifiedKey {
                    ocsp: Some(ocsp.clone()),
                    ..(**key).clone()
                });
            }
        }
        *lock(&self.state.credentials) = credentials;
        if self.role == Some(Role::Server) {
            *lock(&self.state.server_cache) = self.ctx.internal_sessions(&self.settings);
        }
        *lock(&self.state.session_timeout) = self.settings.session_timeout;
        *lock(&self.state.single_use_sessions) =
            self.settings.max_early_data > 0 && self.options & sys::SSL_OP_NO_ANTI_REPLAY == 0;
        Ok(())
    }

    fn start_client(&mut self) -> Result<()> {
        if self.role.is_none() {
            return Err(Error::Reason(sys::SSL_R_CONNECTION_TYPE_NOT_SET));
        }
        self.prepare()?;
        let config = if self.own_settings {
            Arc::new(crate::context::client_config(&self.settings)?)
        } else {
            self.ctx.client_config()?
        };
        // Without a host name rustls needs some name: an address sends no SNI, and
        // certificate names are checked by libcrypto from the verify parameters.
        let name = match self.server_name.as_deref().map(ServerName::try_from) {
            Some(Ok(name)) => name.to_owned(),
            _ => ServerName::IpAddress(std::net::Ipv4Addr::UNSPECIFIED.into()),
        };
        let alpn = self.settings.alpn.clone();
        let _current = current::enter(&self.state);
        let conn = UnbufferedClientConnection::new_with_alpn(config, name, alpn)?;
        self.tls = Some(Tls::Client(conn));
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
                            let tls13 = self
                                .settings
                                .versions
                                .enabled(self.options)
                                .contains(&&rustls::version::TLS13)
                                && info.raw_ciphers.chunks(2).any(|c| c[0] == 0x13);
                            lock(&self.state.negotiated).0 = if tls13 { 0x0304 } else { 0x0303 };
                            *lock(&self.state.hello) = Some(info);
                            self.hello = Hello::Received;
                            return Err(Stop::ClientHello);
                        }
                        // rustls rejects it, with the context's config.
                        crate::hello::Parsed::Invalid => self.hello = Hello::Decided(None),
                        crate::hello::Parsed::Incomplete => {
                            if self.eof {
                                return Err(Stop::Fatal(handshake_eof()));
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
                    let own = self.own_settings.then_some(&*self.settings);
                    let config = self.ctx.server_config(own, alpn.as_deref())?;
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
                if !self.noted {
                    self.note_negotiated();
                }
                match turned {
                    Ok(Event::Progress) => continue,
                    other => break other,
                }
            }
        };
        result.map_err(|e| self.fail(io, e))
    }

    /// One [`turn`] of whichever side this is (the caller has entered [`current`]).
    fn turn_once(&mut self, want: &mut Want<'_>) -> std::result::Result<Event, rustls::Error> {
        let bufs = self.bufs.get_or_insert_with(Box::default);
        match self.tls.as_mut() {
            Some(Tls::Client(c)) => turn::<ClientConnectionData>(c, bufs, want, None),
            Some(Tls::Server(s)) => {
                turn::<ServerConnectionData>(s, bufs, want, Some(&mut self.server_random))
            }
            Some(Tls::Established(e)) => e.turn(bufs, want),
            None => Err(rustls::Error::General("no connection".into())),
        }
    }

    /// A fatal rustls error: sends the alert rustls queued for it, then reports it.
    fn fail(&mut self, io: &Transport<'_>, e: rustls::Error) -> Stop {
        {
            let _current = current::enter(&self.state);
            for _ in 0..4 {
                if self.turn_once(&mut Want::Nothing) != Ok(Event::Progress) {
                    break;
                }
            }
        }
        let _ = self.flush(io);
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
        let Some(out) = self.bufs.as_mut().map(|b| &mut b.output) else {
            return Ok(());
        };
        if out.is_empty() {
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
        let bufs = self.bufs.get_or_insert_with(Box::default);
        let wanted = bufs.records.wanted();
        let space = bufs.input.space(wanted);
        let space = if self.read_ahead {
            space
        } else {
            &mut space[..wanted]
        };
        match rbio.read(space) {
            Ok(0) => self.eof = true,
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
                    self.received_close = true;
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
        Ok(())
    }

    /// Publishes the negotiated version and suite once known (new sessions carry them).
    fn note_negotiated(&mut self) {
        let Some(tls) = self.tls.as_ref() else { return };
        if let (Some(v), Some(suite)) = (tls.version(), tls.suite()) {
            *lock(&self.state.negotiated) = (u16::from(v), u16::from(suite.suite()));
            self.noted = true;
        }
    }

    /// Releases what only the handshake needed.
    fn finish_handshake(&mut self) {
        // Verification is over: keep the matched peer name, release the store and the
        // parameter copy.
        if let Some(setup) = lock(&self.state.verify).take() {
            if let Some(param) = setup.param.as_ref() {
                self.param.take_peername(param);
            }
        }
        // The certificate hooks are done too.
        *lock(&self.state.credentials) = Vec::new();
        // The hello random matters to the TLS 1.2 exporter only.
        if self.version() != Some(0x0303) {
            self.server_random = None;
        }
    }

    /// The verification outcome, with the peer's chain: after a resumed handshake the
    /// verifier did not run, and the chain is parsed from the session's certificates when
    /// first asked for (parsing certificates is slow and few applications ask).
    pub(crate) fn peer_outcome(&self) -> std::sync::MutexGuard<'_, current::Outcome> {
        let mut outcome = self.state.outcome();
        if outcome.peer_chain.is_empty() && self.is_established() {
            if let Some(certs) = self.tls.as_ref().and_then(Tls::peer_certificates) {
                outcome.peer_chain = certs.iter().filter_map(|c| Cert::from_der(c)).collect();
            }
        }
        outcome
    }

    fn tls_error(&self, e: rustls::Error) -> Error {
        // A server that never saw a ClientHello: maybe a plain HTTP request.
        if self.role == Some(Role::Server) && lock(&self.state.hello).is_none() {
            return self.hello_error(e);
        }
        let code = self.state.outcome().verify_result;
        match e {
            rustls::Error::InvalidCertificate(_) if code != 0 => {
                Error::Verify(i32::try_from(code).unwrap_or(i32::MAX))
            }
            e => Error::Tls(e),
        }
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

/// A server's progress towards its rustls connection.
enum Hello {
    /// Reading the ClientHello.
    Reading,
    /// The ClientHello arrived; the application's callbacks have not run yet.
    Received,
    /// The callbacks ran; the ALPN protocol they chose.
    Decided(Option<Vec<u8>>),
}
