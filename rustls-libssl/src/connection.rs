//! `SSL`: one TLS connection driven over the application's BIOs with OpenSSL's
//! non-blocking semantics (WANT_READ/WANT_WRITE, retries with the same buffer, shutdown
//! states).

use std::io::{self, Read, Write};
use std::sync::Arc;

use rustls::pki_types::ServerName;
use rustls::server::{Accepted, Acceptor};
use rustls::sign::CertifiedKey;
use rustls::{ClientConnection, HandshakeKind};

use crate::ciphers::Cipher;
use crate::context::{Context, Method, Settings};
use crate::crypto_sys::{self as sys, Bio, Cert, VerifyParam};
use crate::current::{self, lock, ConnState, Events, HelloInfo, VerifySetup};
use crate::error::{Error, Result};
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
    pub state: Arc<ConnState>,
    /// SNI host name (`SSL_set_tlsext_host_name`).
    pub server_name: Option<String>,
    /// Verification parameters (`SSL_get0_param`), copied from the context.
    pub param: VerifyParam,
    /// `X509_STORE_CTX` ex_data index and the `SSL *` verify callbacks look up.
    pub verify_ex_data: Option<(i32, usize)>,
    tls: Option<rustls::Connection>,
    /// A server before its rustls connection exists: reading, or holding, the ClientHello.
    hello: Hello,
    /// Bytes of the current `SSL_write` buffer already handed to rustls.
    write_offset: usize,
    /// Decrypted bytes rustls holds for the application.
    pending: usize,
    eof: bool,
    sent_close: bool,
    received_close: bool,
    records: RecordBoundary,
}

impl Connection {
    /// A connection of `ctx` (`SSL_new`).
    pub(crate) fn new(ctx: Arc<Context>, events: Arc<dyn Events>) -> Result<Self> {
        let settings = ctx.settings().clone();
        let param = VerifyParam::copy_of(ctx.param()).ok_or(Error::Crypto)?;
        Ok(Self {
            ctx,
            role: None,
            quiet_shutdown: false,
            stapled_ocsp: None,
            settings,
            own_settings: false,
            state: Arc::new(ConnState::new(events)),
            server_name: None,
            param,
            verify_ex_data: None,
            tls: None,
            hello: Hello::Reading(None),
            write_offset: 0,
            pending: 0,
            eof: false,
            sent_close: false,
            received_close: false,
            records: RecordBoundary::default(),
        })
    }

    /// Changes this connection's settings (it stops sharing the context's config).
    pub(crate) fn update<R>(&mut self, f: impl FnOnce(&mut Settings) -> R) -> R {
        self.own_settings = true;
        f(Arc::make_mut(&mut self.settings))
    }

    /// Changes settings the shared configs do not depend on (verification mode,
    /// certificates): the connection keeps using its context's config.
    pub(crate) fn settings_mut(&mut self) -> &mut Settings {
        Arc::make_mut(&mut self.settings)
    }

    /// Whether the handshake has finished.
    pub(crate) fn is_established(&self) -> bool {
        self.tls.as_ref().is_some_and(|t| !t.is_handshaking())
    }

    /// Whether the handshake has started.
    pub(crate) fn has_started(&self) -> bool {
        self.tls.is_some()
    }

    /// `SSL_do_handshake`: drives the handshake as far as the BIOs allow.
    pub(crate) fn handshake(&mut self, io: &Transport<'_>) -> Step<()> {
        self.begin(io)?;
        loop {
            self.flush(io)?;
            if self.is_established() {
                self.finish_handshake();
                return Ok(());
            }
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
        if self.settings.max_early_data == 0 || self.is_established() {
            return Ok(None);
        }
        self.begin(io)?;
        loop {
            if let Some(rustls::Connection::Server(server)) = self.tls.as_mut() {
                if let Some(mut early) = server.early_data() {
                    let n = early.read(buf).map_err(Error::Io)?;
                    if n > 0 {
                        return Ok(Some(n));
                    }
                }
            }
            self.flush(io)?;
            if self.is_established() {
                self.finish_handshake();
                return Ok(None);
            }
            if self.eof {
                return Err(Stop::Fatal(handshake_eof()));
            }
            self.fill(io)?;
        }
    }

    /// `SSL_write_early_data` on a server: data written before the handshake completes
    /// (rustls sends it once the client's Finished arrives). Clients cannot send 0-RTT.
    pub(crate) fn write_early_data(&mut self, io: &Transport<'_>, buf: &[u8]) -> Step<usize> {
        if self.role != Some(Role::Server) {
            return Err(Stop::Fatal(Error::NotSupported(
                "sending 0-RTT data as a client",
            )));
        }
        self.begin(io)?;
        let tls = self.tls.as_mut().ok_or(Error::Internal)?;
        let n = tls.writer().write(buf).map_err(Error::Io)?;
        self.flush(io)?;
        Ok(n)
    }

    /// `SSL_read`: returns decrypted bytes, doing the handshake first if needed.
    pub(crate) fn read(&mut self, io: &Transport<'_>, buf: &mut [u8]) -> Step<usize> {
        if self.role.is_none() {
            return Err(Stop::Fatal(Error::Reason(sys::SSL_R_UNINITIALIZED)));
        }
        if !self.is_established() {
            self.handshake(io)?;
        }
        loop {
            let tls = self.tls.as_mut().ok_or(Error::Internal)?;
            match tls.reader().read(buf) {
                Ok(0) if !buf.is_empty() => {
                    self.received_close = true;
                    return Err(Stop::ZeroReturn);
                }
                Ok(n) => {
                    self.pending = self.pending.saturating_sub(n);
                    return Ok(n);
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => {
                    if self.settings.options & sys::SSL_OP_IGNORE_UNEXPECTED_EOF != 0 {
                        return Err(Stop::ZeroReturn);
                    }
                    return Err(Stop::Fatal(Error::UnexpectedEof));
                }
                Err(e) => return Err(Stop::Fatal(Error::Io(e))),
            }
            if self.received_close {
                return Err(Stop::ZeroReturn);
            }
            self.flush(io)?;
            self.fill(io)?;
        }
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
        if self.sent_close {
            return Err(Stop::Fatal(Error::Reason(sys::SSL_R_PROTOCOL_IS_SHUTDOWN)));
        }
        let partial = self.settings.mode & sys::SSL_MODE_ENABLE_PARTIAL_WRITE as u64 != 0;
        loop {
            let offset = self.write_offset.min(buf.len());
            if offset < buf.len() {
                let tls = self.tls.as_mut().ok_or(Error::Internal)?;
                let n = tls.writer().write(&buf[offset..]).map_err(Error::Io)?;
                self.write_offset = offset + n;
            }
            self.flush(io)?;
            if self.write_offset >= buf.len() || partial {
                let n = self.write_offset.min(buf.len());
                self.write_offset = 0;
                return Ok(n);
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
        let Some(tls) = self.tls.as_mut().filter(|t| !t.is_handshaking()) else {
            return Err(Stop::Fatal(Error::Reason(
                sys::SSL_R_SHUTDOWN_WHILE_IN_INIT,
            )));
        };
        if !self.sent_close {
            tls.send_close_notify();
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
        self.pending
    }

    /// The negotiated protocol version, once known.
    pub(crate) fn version(&self) -> Option<u16> {
        self.tls.as_ref()?.protocol_version().map(u16::from)
    }

    /// The negotiated cipher suite, once known.
    pub(crate) fn cipher(&self) -> Option<&'static Cipher> {
        Cipher::find(self.tls.as_ref()?.negotiated_cipher_suite()?)
    }

    /// The negotiated ALPN protocol.
    pub(crate) fn alpn(&self) -> Option<&[u8]> {
        self.tls.as_ref()?.alpn_protocol()
    }

    /// The negotiated key-exchange group.
    pub(crate) fn group(&self) -> Option<rustls::NamedGroup> {
        Some(self.tls.as_ref()?.negotiated_key_exchange_group()?.name())
    }

    /// Whether the handshake resumed a session.
    pub(crate) fn session_reused(&self) -> bool {
        self.tls.as_ref().and_then(|t| t.handshake_kind()) == Some(HandshakeKind::Resumed)
    }

    /// `SSL_export_keying_material`.
    pub(crate) fn export_keying_material(
        &self,
        out: &mut [u8],
        label: &[u8],
        context: Option<&[u8]>,
    ) -> Result<()> {
        let tls = self
            .tls
            .as_ref()
            .filter(|t| !t.is_handshaking())
            .ok_or(Error::Reason(sys::SSL_R_UNINITIALIZED))?;
        tls.export_keying_material(out, label, context)
            .map(|_| ())
            .map_err(Error::Tls)
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
        *lock(&self.state.verify) = Some(VerifySetup {
            mode: self.settings.verify_mode,
            callback: self.settings.verify_callback,
            store: self.ctx.store(),
            param: VerifyParam::copy_of(&self.param),
            ex_data: self.verify_ex_data,
        });
        let mut credentials = self.settings.credentials.certified_keys()?;
        if self.settings.mode & sys::SSL_MODE_NO_AUTO_CHAIN as u64 == 0 {
            let store = self.ctx.store();
            for key in credentials.iter_mut().filter(|k| k.cert.len() == 1) {
                *key = crate::credentials::auto_chain(key, &store);
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
        *lock(&self.state.server_cache) = self.ctx.internal_sessions(&self.settings);
        *lock(&self.state.session_timeout) = self.settings.session_timeout;
        *lock(&self.state.single_use_sessions) = self.settings.max_early_data > 0
            && self.settings.options & sys::SSL_OP_NO_ANTI_REPLAY == 0;
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
        let conn = ClientConnection::new_with_alpn(config, name, alpn)?;
        self.tls = Some(conn.into());
        Ok(())
    }

    /// Server: reads the ClientHello, stops once for the application's callbacks, then
    /// builds the rustls connection with the config their choices select.
    fn accept(&mut self, io: &Transport<'_>) -> Step<()> {
        loop {
            match std::mem::replace(&mut self.hello, Hello::Reading(None)) {
                Hello::Reading(acceptor) => {
                    let mut acceptor = acceptor.unwrap_or_default();
                    match acceptor.accept() {
                        Ok(Some(accepted)) => {
                            let info = hello_info(&accepted);
                            // The version rustls will pick, for callbacks that ask before it
                            // is known (a TLS 1.3 suite offered and enabled means TLS 1.3).
                            let tls13 = self
                                .settings
                                .versions
                                .enabled(self.settings.options)
                                .contains(&&rustls::version::TLS13)
                                && info.raw_ciphers.chunks(2).any(|c| c[0] == 0x13);
                            lock(&self.state.negotiated).0 = if tls13 { 0x0304 } else { 0x0303 };
                            *lock(&self.state.hello) = Some(info);
                            self.hello = Hello::Received(Box::new(accepted));
                            return Err(Stop::ClientHello);
                        }
                        Ok(None) => {}
                        Err((e, mut alert)) => {
                            if let Some(wbio) = io.wbio {
                                let _ = alert.write_all(&mut BioWriter(wbio));
                            }
                            return Err(Stop::Fatal(self.hello_error(e)));
                        }
                    }
                    if self.eof {
                        return Err(Stop::Fatal(handshake_eof()));
                    }
                    let rbio = io.rbio.ok_or_else(no_bio)?;
                    let mut reader = BioReader {
                        bio: rbio,
                        records: &mut self.records,
                    };
                    let read = acceptor.read_tls(&mut reader);
                    self.hello = Hello::Reading(Some(acceptor));
                    match read {
                        Ok(0) => self.eof = true,
                        Ok(_) => {}
                        Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                            return Err(Stop::WantRead)
                        }
                        Err(e) => return Err(Stop::Fatal(Error::Io(e))),
                    }
                }
                Hello::Received(accepted) => {
                    // The application must be asked first.
                    self.hello = Hello::Received(accepted);
                    return Err(Stop::ClientHello);
                }
                Hello::Decided(accepted, alpn) => {
                    self.prepare()?;
                    let own = self.own_settings.then_some(&*self.settings);
                    let config = self.ctx.server_config(own, alpn.as_deref())?;
                    let _current = current::enter(&self.state);
                    match accepted.into_connection(config) {
                        Ok(conn) => {
                            self.tls = Some(conn.into());
                            self.note_negotiated();
                            return Ok(());
                        }
                        Err((e, mut alert)) => {
                            if let Some(wbio) = io.wbio {
                                let _ = alert.write_all(&mut BioWriter(wbio));
                            }
                            return Err(Stop::Fatal(self.tls_error(e)));
                        }
                    }
                }
            }
        }
    }

    /// Records the application's choices after [`Stop::ClientHello`]: the ALPN protocol to
    /// select (`None` for none).
    pub(crate) fn hello_decided(&mut self, alpn: Option<Vec<u8>>) {
        if let Hello::Received(accepted) = std::mem::replace(&mut self.hello, Hello::Reading(None))
        {
            self.hello = Hello::Decided(accepted, alpn);
        }
    }

    /// OpenSSL names a plain HTTP request or proxy CONNECT sent to a TLS port.
    fn hello_error(&self, e: rustls::Error) -> Error {
        if let rustls::Error::InvalidMessage(_) = e {
            let head = self.records.first_bytes();
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

    /// Writes everything rustls has queued to the write BIO.
    fn flush(&mut self, io: &Transport<'_>) -> Step<()> {
        let Some(tls) = self.tls.as_mut() else {
            return Ok(());
        };
        if !tls.wants_write() {
            return Ok(());
        }
        let wbio = io.wbio.ok_or_else(no_bio)?;
        while tls.wants_write() {
            match tls.write_tls(&mut BioWriter(wbio)) {
                Ok(_) => {}
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Err(Stop::WantWrite),
                Err(e) => return Err(Stop::Fatal(Error::Io(e))),
            }
        }
        Ok(())
    }

    /// Reads from the read BIO and processes what arrived.
    fn fill(&mut self, io: &Transport<'_>) -> Step<()> {
        let rbio = io.rbio.ok_or_else(no_bio)?;
        let tls = self.tls.as_mut().ok_or(Error::Internal)?;
        let mut reader = BioReader {
            bio: rbio,
            records: &mut self.records,
        };
        match tls.read_tls(&mut reader) {
            Ok(0) => self.eof = true,
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Err(Stop::WantRead),
            Err(e) => return Err(Stop::Fatal(Error::Io(e))),
        }
        let result = {
            let _current = current::enter(&self.state);
            tls.process_new_packets()
        };
        match result {
            Ok(state) => {
                self.note_negotiated();
                self.pending = state.plaintext_bytes_to_read();
                if state.peer_has_closed() && state.plaintext_bytes_to_read() == 0 {
                    self.received_close = true;
                }
                Ok(())
            }
            Err(e) => {
                // Send the alert rustls queued; the failure is what gets reported.
                let _ = self.flush(io);
                Err(Stop::Fatal(self.tls_error(e)))
            }
        }
    }

    /// Publishes the negotiated version and suite once known (new sessions carry them).
    fn note_negotiated(&self) {
        let Some(tls) = self.tls.as_ref() else { return };
        if let (Some(v), Some(suite)) = (tls.protocol_version(), tls.negotiated_cipher_suite()) {
            *lock(&self.state.negotiated) = (u16::from(v), u16::from(suite.suite()));
        }
    }

    /// After a resumed handshake the verifier did not run: the peer chain comes from the
    /// session rustls resumed (its verification result stays `X509_V_OK`).
    fn finish_handshake(&mut self) {
        // Verification is over: keep the matched peer name, release the store and the
        // parameter copy.
        if let Some(setup) = lock(&self.state.verify).take() {
            if let Some(param) = setup.param.as_ref() {
                self.param.take_peername(param);
            }
        }
        let Some(tls) = self.tls.as_ref() else { return };
        let mut outcome = self.state.outcome();
        if outcome.peer_chain.is_empty() {
            if let Some(certs) = tls.peer_certificates() {
                outcome.peer_chain = certs.iter().filter_map(|c| Cert::from_der(c)).collect();
            }
        }
    }

    fn tls_error(&self, e: rustls::Error) -> Error {
        let code = self.state.outcome().verify_result;
        match e {
            rustls::Error::InvalidCertificate(_) if code != 0 => {
                Error::Verify(i32::try_from(code).unwrap_or(i32::MAX))
            }
            e => Error::Tls(e),
        }
    }
}

/// Reads from the BIO no further than the end of the current TLS record, as OpenSSL does
/// without read-ahead: bytes of the next record stay in the socket, so an application that
/// polls the socket before calling `SSL_read` again (curl, nginx) still sees them.
struct BioReader<'a> {
    bio: &'a Bio,
    records: &'a mut RecordBoundary,
}

impl Read for BioReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let limit = buf.len().min(self.records.wanted());
        let n = self.bio.read(&mut buf[..limit])?;
        self.records.consumed(&buf[..n]);
        Ok(n)
    }
}

/// Tracks where the current record ends in the incoming byte stream.
#[derive(Default)]
struct RecordBoundary {
    header: [u8; 5],
    header_len: usize,
    body_left: usize,
    /// The first five bytes the peer sent (to name a plain-HTTP request).
    first: [u8; 5],
    first_len: usize,
}

impl RecordBoundary {
    fn first_bytes(&self) -> &[u8] {
        &self.first[..self.first_len]
    }

    /// Bytes to read to finish the current header or body.
    fn wanted(&self) -> usize {
        if self.body_left > 0 {
            self.body_left
        } else {
            self.header.len() - self.header_len
        }
    }

    /// Accounts for bytes read.
    fn consumed(&mut self, mut data: &[u8]) {
        let n = data.len().min(self.first.len() - self.first_len);
        self.first[self.first_len..self.first_len + n].copy_from_slice(&data[..n]);
        self.first_len += n;
        while !data.is_empty() {
            if self.body_left > 0 {
                let n = data.len().min(self.body_left);
                self.body_left -= n;
                data = &data[n..];
            } else {
                let n = data.len().min(self.header.len() - self.header_len);
                self.header[self.header_len..self.header_len + n].copy_from_slice(&data[..n]);
                self.header_len += n;
                data = &data[n..];
                if self.header_len == self.header.len() {
                    self.body_left =
                        usize::from(u16::from_be_bytes([self.header[3], self.header[4]]));
                    self.header_len = 0;
                }
            }
        }
    }
}

struct BioWriter<'a>(&'a Bio);

impl Write for BioWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
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
    Reading(Option<Box<Acceptor>>),
    /// The ClientHello arrived; the application's callbacks have not run yet.
    Received(Box<Accepted>),
    /// The callbacks ran; the ALPN protocol they chose.
    Decided(Box<Accepted>, Option<Vec<u8>>),
}

fn hello_info(accepted: &Accepted) -> HelloInfo {
    let hello = accepted.client_hello();
    HelloInfo {
        server_name: hello.server_name().map(str::to_owned),
        alpn: hello
            .alpn()
            .map(|a| a.map(<[u8]>::to_vec).collect())
            .unwrap_or_default(),
        raw_ciphers: hello
            .cipher_suites()
            .iter()
            .flat_map(|c| u16::from(*c).to_be_bytes())
            .collect(),
        groups: hello
            .named_groups()
            .map(|g| g.iter().map(|g| u16::from(*g)).collect())
            .unwrap_or_default(),
    }
}
