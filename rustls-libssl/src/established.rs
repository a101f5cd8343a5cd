//! A connection after its handshake: application data, alerts and the few handshake
//! messages TLS allows afterwards (TLS 1.3 session tickets and key updates; TLS 1.2
//! renegotiation requests, refused), over [`crate::record::Protection`].
//!
//! A client keeps rustls's kernel connection, which derives the keys of a key update and
//! stores the tickets a server sends; a TLS 1.3 server keeps only its traffic secrets
//! ([`crate::traffic`]), a TLS 1.2 server nothing. The rest of what rustls's record layer does after
//! the handshake is here, with the same outcomes: a peer's fatal alert ends the
//! connection, a bad record sends the alert rustls would and ends it too, a renegotiation
//! request gets a no_renegotiation warning.
//!
//! What a peer can make the connection do is bounded as OpenSSL 3.0's record layer
//! bounds it: the fifth warning alert in a row and the 33rd record in a row without
//! content end the connection ("too many warn alerts", "record too small"), and at most
//! one answer to the peer's requests (a KeyUpdate, or a refusal to renegotiate) waits in
//! the output buffer at a time: requests that arrive meanwhile share it.

use rustls::client::ClientConnectionData;
use rustls::kernel::KernelConnection;
use rustls::server::ServerConnectionData;
use rustls::{
    AlertDescription, CommonState, ContentType, Error, HandshakeType, InvalidMessage,
    PeerMisbehaved, ProtocolVersion, SupportedCipherSuite,
};

use crate::buffers::{Buffers, RecordBuffer};
use crate::crypto_sys as sys;
use crate::error::Refusal;
use crate::observer::{RT_HEADER, RT_INNER_CONTENT_TYPE};
use crate::record::{self, NewKey, Protection, HEADER_LEN, MAX_FRAGMENT, SEAL_OVERHEAD};
use crate::statem::{message, Msg, Note, Statem};
use crate::traffic::TrafficSchedule;
use crate::turn::{Event, Want};

/// Alert levels.
const WARNING: u8 = 1;
const FATAL: u8 = 2;

/// Post-handshake messages larger than this are refused (a ticket is far smaller).
const MAX_HANDSHAKE_MESSAGE: usize = 65536;

/// OpenSSL's `MAX_WARN_ALERT_COUNT`: the fifth warning alert in a row is fatal.
const MAX_WARNINGS: u8 = 5;

/// OpenSSL's `MAX_EMPTY_RECORDS`: more records without content in a row than this is fatal.
const MAX_EMPTY_RECORDS: u8 = 32;

/// The key schedule of an established connection, and a client's ticket store.
pub(crate) enum Kernel {
    /// rustls's kernel connection (boxed: it is large): a client's, which turns tickets
    /// into sessions, or a server's whose traffic secrets were not at hand.
    Client(Box<KernelConnection<ClientConnectionData>>),
    Server(Box<KernelConnection<ServerConnectionData>>),
    /// A TLS 1.3 server's traffic secrets alone (see [`crate::traffic`]).
    Traffic(TrafficSchedule),
    /// A TLS 1.2 server's: nothing (TLS 1.2 has no key update, and a server receives no
    /// tickets).
    Tls12Server,
    /// Keys from fixed secrets, with no handshake behind them (unit tests and fuzzing): a
    /// client or a server, whose TLS 1.3 keys move on as a real server's do.
    #[cfg(any(test, fuzzing))]
    Fixed {
        client: bool,
        traffic: Option<TrafficSchedule>,
    },
}

impl Kernel {
    fn is_client(&self) -> bool {
        match self {
            Self::Client(_) => true,
            Self::Server(_) | Self::Traffic(_) | Self::Tls12Server => false,
            #[cfg(any(test, fuzzing))]
            Self::Fixed { client, .. } => *client,
        }
    }

    /// The next sending key, after a KeyUpdate.
    fn update_tx(&mut self) -> Result<NewKey, Error> {
        match self {
            Self::Client(k) => k.update_tx_secret().map(NewKey::from),
            Self::Server(k) => k.update_tx_secret().map(NewKey::from),
            Self::Traffic(s) => s.update_tx().map(NewKey::from),
            Self::Tls12Server => Err(no_key_update()),
            #[cfg(any(test, fuzzing))]
            Self::Fixed { traffic, .. } => match traffic {
                Some(t) => t.update_tx().map(NewKey::from),
                None => Err(no_key_update()),
            },
        }
    }

    /// The next receiving key, after the peer's KeyUpdate.
    fn update_rx(&mut self) -> Result<NewKey, Error> {
        match self {
            Self::Client(k) => k.update_rx_secret().map(NewKey::from),
            Self::Server(k) => k.update_rx_secret().map(NewKey::from),
            Self::Traffic(s) => s.update_rx().map(NewKey::from),
            Self::Tls12Server => Err(no_key_update()),
            #[cfg(any(test, fuzzing))]
            Self::Fixed { traffic, .. } => match traffic {
                Some(t) => t.update_rx().map(NewKey::from),
                None => Err(no_key_update()),
            },
        }
    }

    /// A TLS 1.3 NewSessionTicket's body (a client's).
    fn ticket(&mut self, body: &[u8]) -> Result<(), Error> {
        match self {
            Self::Client(k) => k.handle_new_session_ticket(body),
            Self::Server(_) | Self::Traffic(_) | Self::Tls12Server => {
                Err(Error::General("a server receives no tickets".into()))
            }
            #[cfg(any(test, fuzzing))]
            Self::Fixed { .. } => Ok(()),
        }
    }
}

/// What rustls answers a key update on a TLS 1.2 connection with.
fn no_key_update() -> Error {
    Error::General("TLS 1.2 connections do not support traffic secret updates".into())
}

/// What the handshake negotiated, kept when rustls's connection goes.
pub(crate) struct Negotiated {
    pub version: ProtocolVersion,
    pub suite: SupportedCipherSuite,
}

impl Negotiated {
    /// Copies what `common` negotiated; `None` while the handshake is not over.
    pub(crate) fn of(common: &CommonState) -> Option<Self> {
        Some(Self {
            version: common.protocol_version()?,
            suite: common.negotiated_cipher_suite()?,
        })
    }
}

/// An established connection.
pub(crate) struct Established {
    pub negotiated: Negotiated,
    protection: Protection,
    kernel: Kernel,
    /// The start of a handshake message whose end is in a later record.
    handshake: Vec<u8>,
    /// The first fatal error: every later operation reports it again.
    failed: Option<Box<Error>>,
    /// A TLS 1.3 post-handshake message (ticket, key update) was handled since the last
    /// [`Established::take_post_handshake`]: OpenSSL runs its state machine for one.
    post_handshake: bool,
    /// Warning alerts received in a row (records with content in between reset it).
    warnings: u8,
    /// Records without content received in a row.
    empty: u8,
    /// Where in the output stream our last KeyUpdate (TLS 1.3) or renegotiation refusal
    /// (TLS 1.2) ends: while the output buffer has not passed it, the peer's requests
    /// get no other (RFC 8446 4.6.3: one update answers the requests received while
    /// silent; OpenSSL keeps one alert pending while its write buffer is full).
    reply_end: Option<u64>,
}

impl Established {
    pub(crate) fn new(
        negotiated: Negotiated,
        secrets: rustls::ExtractedSecrets,
        kernel: Kernel,
    ) -> Result<Self, Error> {
        let limit = match negotiated.suite {
            SupportedCipherSuite::Tls13(s) => s.common.confidentiality_limit,
            SupportedCipherSuite::Tls12(s) => s.common.confidentiality_limit,
        };
        let tls13 = negotiated.version == ProtocolVersion::TLSv1_3;
        Ok(Self {
            protection: Protection::new(tls13, secrets.tx, secrets.rx, limit)?,
            negotiated,
            kernel,
            handshake: Vec::new(),
            failed: None,
            post_handshake: false,
            warnings: 0,
            empty: 0,
            reply_end: None,
        })
    }

    fn tls13(&self) -> bool {
        self.negotiated.version == ProtocolVersion::TLSv1_3
    }

    /// Releases the record keys' expanded form while the connection is idle (see
    /// [`Protection::release_keys`]).
    pub(crate) fn release_keys(&mut self) {
        self.protection.release_keys();
    }

    /// Releases the sending key's expanded form if the receiving key's is released: the
    /// connection waits for its peer, with nothing of its own to send.
    pub(crate) fn release_send_key_if_reading_idle(&mut self) {
        if self.protection.receive_key_released() {
            self.protection.release_keys();
        }
    }

    /// Whether a TLS 1.3 post-handshake message was handled since the last call.
    pub(crate) fn take_post_handshake(&mut self) -> bool {
        std::mem::take(&mut self.post_handshake)
    }

    /// Does what `want` asks, or handles the next whole record in the input buffer: the
    /// post-handshake counterpart of rustls's turn. A failure queues the alert for it in
    /// the output buffer. What the application's info and message callbacks see goes to
    /// `statem`.
    pub(crate) fn turn(
        &mut self,
        bufs: &mut Buffers,
        want: &mut Want<'_>,
        statem: &mut Statem,
    ) -> Result<Event, Error> {
        if let Some(e) = &self.failed {
            return Err(Error::clone(e));
        }
        let result = self.turn_inner(bufs, want, statem);
        if let Err(e) = &result {
            if let Some(alert) = record::alert_for(e, self.tls13()) {
                let _ = self.send_alert(&mut bufs.output, FATAL, alert, statem);
            }
            self.failed = Some(Box::new(e.clone()));
        }
        result
    }

    /// The version the message callback is told.
    fn version(&self) -> i32 {
        i32::from(u16::from(self.negotiated.version))
    }

    fn turn_inner(
        &mut self,
        bufs: &mut Buffers,
        want: &mut Want<'_>,
        statem: &mut Statem,
    ) -> Result<Event, Error> {
        let Buffers {
            input,
            output,
            plain,
            ..
        } = bufs;
        // An empty output buffer has sent everything (and may be a new one, whose
        // positions start again).
        if output.is_empty() {
            self.reply_end = None;
        }
        match want {
            Want::Write(data) => {
                if self.protection.tx_exhausted() {
                    self.update_tx(output, statem)?;
                }
                let chunk = &data[..data.len().min(MAX_FRAGMENT)];
                self.send(output, ContentType::ApplicationData, chunk, statem)?;
                return Ok(Event::Wrote(chunk.len()));
            }
            Want::CloseNotify => {
                self.send_alert(output, WARNING, AlertDescription::CloseNotify, statem)?;
                return Ok(Event::Wrote(0));
            }
            Want::Read(_) | Want::Nothing => {}
        }
        let Some(len) = whole_record(input.pending())? else {
            return Ok(Event::NeedInput);
        };
        let record = &mut input.filled_mut()[..len];
        if statem.messages {
            let version = i32::from(u16::from_be_bytes([record[1], record[2]]));
            statem.message(false, version, RT_HEADER, &record[..HEADER_LEN]);
        }
        let opened = self.protection.open(record)?;
        let tls13 = self.tls13();
        if tls13
            && !matches!(
                opened.typ,
                ContentType::ApplicationData | ContentType::Alert | ContentType::Handshake
            )
        {
            return Err(record::bad_record_type());
        }
        if statem.messages && tls13 {
            let inner = [u8::from(opened.typ)];
            statem.message(false, self.version(), RT_INNER_CONTENT_TYPE, &inner);
        }
        let payload = &record[opened.start..opened.end];
        self.count(opened.typ, payload.len())?;
        let event = match opened.typ {
            ContentType::ApplicationData => {
                if !self.handshake.is_empty() {
                    return Err(PeerMisbehaved::MessageInterleavedWithHandshakeMessage.into());
                }
                let mut copied = 0;
                if let Want::Read(buf) = want {
                    copied = payload.len().min(buf.len());
                    buf[..copied].copy_from_slice(&payload[..copied]);
                }
                plain.extend(&payload[copied..]);
                Event::Data(copied)
            }
            ContentType::Alert => self.alert(payload, statem)?,
            ContentType::Handshake => {
                // TLS 1.2's empty handshake record is passed over, as OpenSSL does (TLS
                // 1.3's was refused by `count`).
                if !payload.is_empty() {
                    self.handshake.extend_from_slice(payload);
                    self.handshake_messages(output, statem)?;
                }
                Event::Progress
            }
            ContentType::ChangeCipherSpec => {
                return Err(unexpected(sys::SSL_R_CCS_RECEIVED_EARLY));
            }
            _ => return Err(unexpected(sys::SSL_R_UNEXPECTED_RECORD)),
        };
        input.consume(len);
        Ok(event)
    }

    /// OpenSSL's record-layer checks of a record's length, in its order: TLS 1.3's alert
    /// and handshake records may not be empty ("bad length"); more than
    /// [`MAX_EMPTY_RECORDS`] empty records in a row are fatal ("record too small"); a
    /// record with content that is not an alert ends a run of warning alerts.
    fn count(&mut self, typ: ContentType, len: usize) -> Result<(), Error> {
        if len == 0 {
            if self.tls13() && matches!(typ, ContentType::Alert | ContentType::Handshake) {
                return Err(unexpected(sys::SSL_R_BAD_LENGTH));
            }
            self.empty += 1;
            if self.empty > MAX_EMPTY_RECORDS {
                return Err(unexpected(sys::SSL_R_RECORD_TOO_SMALL));
            }
            return Ok(());
        }
        self.empty = 0;
        if typ != ContentType::Alert {
            self.warnings = 0;
        }
        Ok(())
    }

    /// A received alert, judged as OpenSSL's record layer does: each warning (and TLS
    /// 1.3's user_canceled at either level) counts towards [`MAX_WARNINGS`], close_notify
    /// ends the peer's side, TLS 1.2's other warnings and TLS 1.3's user_canceled are
    /// ignored, a fatal alert (or any other in TLS 1.3) is the peer's error; in TLS 1.2 a
    /// no_renegotiation that is not fatal ends the connection with handshake_failure and
    /// an unknown level with illegal_parameter.
    fn alert(&mut self, payload: &[u8], statem: &mut Statem) -> Result<Event, Error> {
        let [level, description] = payload else {
            return Err(unexpected(sys::SSL_R_INVALID_ALERT));
        };
        if statem.messages {
            statem.message(
                false,
                self.version(),
                i32::from(u8::from(ContentType::Alert)),
                payload,
            );
        }
        statem.alert(false, *level, *description);
        let description = AlertDescription::from(*description);
        let tls13 = self.tls13();
        let warning = *level == WARNING;
        let user_canceled = tls13 && description == AlertDescription::UserCanceled;
        if warning || user_canceled {
            self.warnings += 1;
            if self.warnings == MAX_WARNINGS {
                return Err(unexpected(sys::SSL_R_TOO_MANY_WARN_ALERTS));
            }
        }
        if user_canceled {
            return Ok(Event::Progress);
        }
        if description == AlertDescription::CloseNotify && (tls13 || warning) {
            return Ok(Event::PeerClosed);
        }
        if *level == FATAL || tls13 {
            return Err(Error::AlertReceived(description));
        }
        if description == AlertDescription::NoRenegotiation {
            return Err(Refusal::error(
                sys::SSL_R_NO_RENEGOTIATION,
                AlertDescription::HandshakeFailure,
            ));
        }
        if warning {
            return Ok(Event::Progress);
        }
        Err(Refusal::error(
            sys::SSL_R_UNKNOWN_ALERT_TYPE,
            AlertDescription::IllegalParameter,
        ))
    }

    /// Handles each whole handshake message received so far.
    fn handshake_messages(
        &mut self,
        output: &mut RecordBuffer,
        statem: &mut Statem,
    ) -> Result<(), Error> {
        let mut messages = std::mem::take(&mut self.handshake);
        let mut at = 0;
        let result = loop {
            let rest = &messages[at..];
            let [typ, a, b, c, ..] = *rest else {
                break Ok(());
            };
            let len = usize::from(a) << 16 | usize::from(b) << 8 | usize::from(c);
            if len > MAX_HANDSHAKE_MESSAGE {
                break Err(InvalidMessage::HandshakePayloadTooLarge.into());
            }
            // OpenSSL's largest KeyUpdate, checked when the header arrives.
            if self.tls13() && HandshakeType::from(typ) == HandshakeType::KeyUpdate && len > 1 {
                break Err(Refusal::error(
                    sys::SSL_R_EXCESSIVE_MESSAGE_SIZE,
                    AlertDescription::IllegalParameter,
                ));
            }
            if rest.len() < 4 + len {
                break Ok(());
            }
            let last = rest.len() == 4 + len;
            let note = statem.messages.then(|| {
                let handshake = i32::from(u8::from(ContentType::Handshake));
                message(false, self.version(), handshake, &rest[..4 + len])
            });
            statem.received(Msg::Handshake(typ), note);
            let body = &rest[4..4 + len];
            if let Err(e) = self.message(HandshakeType::from(typ), body, last, output, statem) {
                break Err(e);
            }
            at += 4 + len;
        };
        messages.drain(..at);
        if !messages.is_empty() {
            self.handshake = messages;
        }
        result
    }

    fn message(
        &mut self,
        typ: HandshakeType,
        body: &[u8],
        last: bool,
        output: &mut RecordBuffer,
        statem: &mut Statem,
    ) -> Result<(), Error> {
        let refused = Error::InappropriateHandshakeMessage {
            expect_types: vec![],
            got_type: typ,
        };
        if !self.tls13() {
            // Renegotiation is refused with a warning, as rustls does; one refusal waits
            // for the write BIO at a time.
            let request = if self.kernel.is_client() {
                HandshakeType::HelloRequest
            } else {
                HandshakeType::ClientHello
            };
            if typ != request {
                return Err(refused);
            }
            if self.reply_waiting(output) {
                return Ok(());
            }
            self.send_alert(output, WARNING, AlertDescription::NoRenegotiation, statem)?;
            self.reply_end = Some(output.end_position());
            return Ok(());
        }
        self.post_handshake = true;
        match typ {
            HandshakeType::NewSessionTicket if self.kernel.is_client() => {
                // What OpenSSL shows of the ticket, which rustls keeps private.
                crate::resumption::ticket_arriving(body);
                self.kernel.ticket(body)
            }
            HandshakeType::KeyUpdate => {
                // A key change may not leave part of a message under the old key.
                if !last {
                    return Err(unexpected(sys::SSL_R_NOT_ON_RECORD_BOUNDARY));
                }
                let requested = match body {
                    [0] => false,
                    [1] => true,
                    [_] => {
                        return Err(Refusal::error(
                            sys::SSL_R_BAD_KEY_UPDATE,
                            AlertDescription::IllegalParameter,
                        ))
                    }
                    _ => {
                        return Err(Refusal::error(
                            sys::SSL_R_BAD_KEY_UPDATE,
                            AlertDescription::DecodeError,
                        ))
                    }
                };
                let secrets = self.kernel.update_rx()?;
                self.protection.set_rx(secrets)?;
                // Our KeyUpdate still in the output buffer answers this request too.
                if requested && !self.reply_waiting(output) {
                    self.update_tx(output, statem)?;
                }
                Ok(())
            }
            _ => Err(refused),
        }
    }

    /// Whether our last KeyUpdate or renegotiation refusal is still in the output buffer.
    fn reply_waiting(&self, output: &RecordBuffer) -> bool {
        self.reply_end
            .is_some_and(|end| output.consumed() < end && end <= output.end_position())
    }

    /// Sends a KeyUpdate (not requesting one back) and switches to the next sending key.
    fn update_tx(&mut self, output: &mut RecordBuffer, statem: &mut Statem) -> Result<(), Error> {
        self.key_update(output, false, statem)
    }

    /// Sends a KeyUpdate (`requested`: asking the peer for one back) and switches to the
    /// next sending key (`SSL_key_update`).
    pub(crate) fn key_update(
        &mut self,
        output: &mut RecordBuffer,
        requested: bool,
        statem: &mut Statem,
    ) -> Result<(), Error> {
        let key_update = [
            u8::from(HandshakeType::KeyUpdate),
            0,
            0,
            1,
            u8::from(requested),
        ];
        // OpenSSL moves its state before it writes the message: its events follow.
        let mut notes = Vec::new();
        self.seal(
            output,
            ContentType::Handshake,
            &key_update,
            statem.messages,
            &mut notes,
        )?;
        if statem.messages {
            let handshake = i32::from(u8::from(ContentType::Handshake));
            notes.push(message(true, self.version(), handshake, &key_update));
        }
        statem.sent(Msg::Handshake(key_update[0]), notes);
        self.reply_end = Some(output.end_position());
        let secrets = self.kernel.update_tx()?;
        self.protection.set_tx(secrets)
    }

    fn send_alert(
        &mut self,
        output: &mut RecordBuffer,
        level: u8,
        description: AlertDescription,
        statem: &mut Statem,
    ) -> Result<(), Error> {
        let alert = [level, u8::from(description)];
        self.send(output, ContentType::Alert, &alert, statem)?;
        if statem.messages {
            statem.message(
                true,
                self.version(),
                i32::from(u8::from(ContentType::Alert)),
                &alert,
            );
        }
        statem.alert(true, alert[0], alert[1]);
        Ok(())
    }

    /// Seals `plain` (one record's worth) into the output buffer.
    fn send(
        &mut self,
        output: &mut RecordBuffer,
        typ: ContentType,
        plain: &[u8],
        statem: &mut Statem,
    ) -> Result<(), Error> {
        if !statem.messages {
            return self.seal(output, typ, plain, false, &mut Vec::new());
        }
        let mut notes = Vec::new();
        self.seal(output, typ, plain, true, &mut notes)?;
        statem.push(notes);
        Ok(())
    }

    /// Seals `plain` into the output buffer; with `trace`, the message callback's events
    /// for the record (its header and, in TLS 1.3, its inner type, both with the record's
    /// version, as OpenSSL reports them) go to `notes`.
    fn seal(
        &mut self,
        output: &mut RecordBuffer,
        typ: ContentType,
        plain: &[u8],
        trace: bool,
        notes: &mut Vec<Note>,
    ) -> Result<(), Error> {
        let space = output.space(plain.len() + SEAL_OVERHEAD);
        let n = self.protection.seal(typ, plain, space)?;
        if trace {
            let version = i32::from(u16::from_be_bytes([space[1], space[2]]));
            notes.push(message(true, version, RT_HEADER, &space[..HEADER_LEN]));
            if self.tls13() {
                let inner = [u8::from(typ)];
                notes.push(message(true, version, RT_INNER_CONTENT_TYPE, &inner));
            }
        }
        output.filled(n);
        Ok(())
    }
}

/// A protocol failure OpenSSL answers with an unexpected_message alert, with its `reason`.
fn unexpected(reason: i32) -> Error {
    Refusal::error(reason, AlertDescription::UnexpectedMessage)
}

/// The length of the whole record at the start of `input`, if it is all there; an error
/// as soon as the header announces more than any record may hold.
fn whole_record(input: &[u8]) -> Result<Option<usize>, Error> {
    let Some(header) = input.get(..HEADER_LEN) else {
        return Ok(None);
    };
    // After the handshake every record says TLS 1.2 (TLS 1.3 keeps that legacy value).
    if header[1..3] != [3, 3] {
        return Err(InvalidMessage::UnknownProtocolVersion.into());
    }
    let body = usize::from(u16::from_be_bytes([header[3], header[4]]));
    if body > record::MAX_BODY {
        return Err(Error::PeerSentOversizedRecord);
    }
    let len = HEADER_LEN + body;
    Ok((input.len() >= len).then_some(len))
}

#[cfg(test)]
mod tests;
