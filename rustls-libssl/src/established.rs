//! A connection after its handshake: application data, alerts and the few handshake
//! messages TLS allows afterwards (TLS 1.3 session tickets and key updates; TLS 1.2
//! renegotiation requests, refused), over [`crate::record::Protection`].
//!
//! rustls's kernel connection keeps the key schedule: it derives the keys of a key update
//! and stores the tickets a server sends. The rest of what rustls's record layer does after
//! the handshake is here, with the same outcomes: a peer's fatal alert ends the
//! connection, a bad record sends the alert rustls would and ends it too, a renegotiation
//! request gets a no_renegotiation warning.

use rustls::client::ClientConnectionData;
use rustls::kernel::KernelConnection;
use rustls::server::ServerConnectionData;
use rustls::{
    AlertDescription, CommonState, ContentType, Error, HandshakeType, InvalidMessage,
    PeerMisbehaved, ProtocolVersion, SupportedCipherSuite,
};

use crate::buffers::{Buffers, RecordBuffer};
use crate::observer::{RT_HEADER, RT_INNER_CONTENT_TYPE};
use crate::record::{self, Protection, HEADER_LEN, MAX_FRAGMENT, SEAL_OVERHEAD};
use crate::statem::{message, Msg, Note, Statem};
use crate::turn::{Event, Want};

/// Alert levels.
const WARNING: u8 = 1;
const FATAL: u8 = 2;

/// Post-handshake messages larger than this are refused (a ticket is far smaller).
const MAX_HANDSHAKE_MESSAGE: usize = 65536;

/// rustls's side of an established connection.
pub(crate) enum Kernel {
    Client(KernelConnection<ClientConnectionData>),
    Server(KernelConnection<ServerConnectionData>),
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
    failed: Option<Error>,
    /// A TLS 1.3 post-handshake message (ticket, key update) was handled since the last
    /// [`Established::take_post_handshake`]: OpenSSL runs its state machine for one.
    post_handshake: bool,
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
        })
    }

    fn tls13(&self) -> bool {
        self.negotiated.version == ProtocolVersion::TLSv1_3
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
            return Err(e.clone());
        }
        let result = self.turn_inner(bufs, want, statem);
        if let Err(e) = &result {
            if let Some(alert) = record::alert_for(e, self.tls13()) {
                let _ = self.send_alert(&mut bufs.output, FATAL, alert, statem);
            }
            self.failed = Some(e.clone());
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
        if statem.messages && self.tls13() {
            let inner = [u8::from(opened.typ)];
            statem.message(false, self.version(), RT_INNER_CONTENT_TYPE, &inner);
        }
        let payload = &record[opened.start..opened.end];
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
                if payload.is_empty() {
                    return Err(InvalidMessage::InvalidEmptyPayload.into());
                }
                self.handshake.extend_from_slice(payload);
                self.handshake_messages(output, statem)?;
                Event::Progress
            }
            _ => return Err(record::unexpected()),
        };
        input.consume(len);
        Ok(event)
    }

    /// A received alert: close_notify ends the peer's side, warnings (TLS 1.2, and TLS
    /// 1.3's user_canceled) are ignored, anything else is the peer's fatal error.
    fn alert(&mut self, payload: &[u8], statem: &mut Statem) -> Result<Event, Error> {
        let [level, description] = payload else {
            return Err(InvalidMessage::MessageTooShort.into());
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
        if description == AlertDescription::CloseNotify {
            return Ok(Event::PeerClosed);
        }
        let warning = *level == WARNING;
        if warning && (!self.tls13() || description == AlertDescription::UserCanceled) {
            return Ok(Event::Progress);
        }
        Err(Error::AlertReceived(description))
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
            // Renegotiation is refused with a warning, as rustls does.
            return match (&self.kernel, typ) {
                (Kernel::Client(_), HandshakeType::HelloRequest)
                | (Kernel::Server(_), HandshakeType::ClientHello) => {
                    self.send_alert(output, WARNING, AlertDescription::NoRenegotiation, statem)
                }
                _ => Err(refused),
            };
        }
        self.post_handshake = true;
        match (&mut self.kernel, typ) {
            (Kernel::Client(kernel), HandshakeType::NewSessionTicket) => {
                // What OpenSSL shows of the ticket, which rustls keeps private.
                crate::resumption::ticket_arriving(body);
                kernel.handle_new_session_ticket(body)
            }
            (_, HandshakeType::KeyUpdate) => {
                // A key change may not leave part of a message under the old key.
                if !last {
                    return Err(PeerMisbehaved::KeyEpochWithPendingFragment.into());
                }
                let requested = match body {
                    [0] => false,
                    [1] => true,
                    _ => return Err(InvalidMessage::InvalidKeyUpdate.into()),
                };
                let secrets = match &mut self.kernel {
                    Kernel::Client(k) => k.update_rx_secret(),
                    Kernel::Server(k) => k.update_rx_secret(),
                }?;
                self.protection.set_rx(secrets)?;
                if requested {
                    self.update_tx(output, statem)?;
                }
                Ok(())
            }
            _ => Err(refused),
        }
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
        let secrets = match &mut self.kernel {
            Kernel::Client(k) => k.update_tx_secret(),
            Kernel::Server(k) => k.update_tx_secret(),
        }?;
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
