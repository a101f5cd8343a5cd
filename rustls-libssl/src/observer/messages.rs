//! The handshake messages the observer reads: whole messages cut from records, each moving
//! the state machine and becoming message-callback events, and what the ServerHello says
//! (retry request, version, acknowledged extensions, early data).

use super::{Observer, Phase, Side, HANDSHAKE};
use crate::statem::{message, msg, Msg, Statem};

/// The random of a HelloRetryRequest (RFC 8446 4.1.3).
const HRR_RANDOM: [u8; 32] = [
    0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
    0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
];

/// The server_name extension.
const SERVER_NAME: u16 = 0;
/// The early_data extension.
const EARLY_DATA: u16 = 42;
/// compress_certificate (RFC 8879).
const COMPRESS_CERTIFICATE: u16 = 27;

/// A handshake message longer than this is not one rustls would accept: stop watching.
const MAX_MESSAGE: usize = 0x2_0000;

impl Observer {
    /// Handshake bytes: each whole message is looked at.
    pub(super) fn handshake(&mut self, side: Side, data: &[u8], statem: &mut Statem) {
        // The common case: whole messages in one record, read in place.
        let buffered = std::mem::take(&mut self.dir(side).message);
        let joined;
        let bytes = if buffered.is_empty() {
            data
        } else {
            joined = [buffered.as_slice(), data].concat();
            &joined
        };
        let mut rest = bytes;
        while let Some(len) = message_len(rest) {
            if len > MAX_MESSAGE {
                self.dir(side).lost = true;
                return;
            }
            if rest.len() < len {
                break;
            }
            self.message(side, &rest[..len], statem);
            rest = &rest[len..];
        }
        self.dir(side).message = rest.to_vec();
    }

    /// One whole handshake message (with its four-byte header).
    fn message(&mut self, side: Side, m: &[u8], statem: &mut Statem) {
        let write = side == Side::Own;
        let typ = m[0];
        let body = &m[4..];
        if typ == msg::HELLO_REQUEST
            && !write
            && !self.server
            && statem.state() != crate::statem::OK
        {
            // OpenSSL skips a HelloRequest during a handshake (reporting its header only).
            if self.messages {
                let version = self.message_version();
                statem.message(false, version, i32::from(HANDSHAKE), &m[..4]);
            }
            return;
        }
        match typ {
            msg::CLIENT_HELLO => {
                self.client_random = body.get(2..34).and_then(|r| r.try_into().ok());
                if let Some(fields) = crate::hello::fields(body) {
                    self.client_version = Some(fields.legacy_version);
                    self.early_offered |= fields.extensions.iter().any(|e| e.0 == EARLY_DATA);
                }
                if write {
                    let compression = crate::hello::extension(body, COMPRESS_CERTIFICATE);
                    self.compression_offered = compression
                        .map(crate::chain_ahead::compression_algorithms)
                        .unwrap_or_default();
                }
            }
            msg::ENCRYPTED_EXTENSIONS => {
                self.early_accepted = has_extension(body, EARLY_DATA);
                self.name_acked |= has_extension(body, SERVER_NAME);
            }
            msg::SERVER_HELLO => self.server_hello(body, statem),
            msg::FINISHED => {
                self.dir(side).finished = true;
                self.finished.set(!write, body);
                if self.tls13() {
                    let dir = self.dir(side);
                    dir.phase = Phase::Application;
                    dir.key = None;
                }
            }
            msg::END_OF_EARLY_DATA => self.dir(side).early = None,
            msg::CERTIFICATE if !write && !self.server => {
                let tls13 = self.tls13();
                if !tls13 || std::mem::take(&mut self.awaiting_chain) {
                    self.chain = crate::chain_ahead::parse(body, tls13);
                    self.chain_ready = tls13;
                }
            }
            msg::COMPRESSED_CERTIFICATE
                if !write && !self.server && std::mem::take(&mut self.awaiting_chain) =>
            {
                let expanded = crate::chain_ahead::decompress(body, &self.compression_offered);
                self.chain = expanded.and_then(|c| crate::chain_ahead::parse(&c, true));
                self.chain_ready = true;
            }
            msg::CERTIFICATE_STATUS if !write && !self.server => {
                let ocsp = crate::chain_ahead::ocsp_status(body);
                if let (Some(chain), Some(ocsp)) = (self.chain.as_mut(), ocsp) {
                    chain.ocsp = ocsp;
                }
            }
            msg::CERTIFICATE_REQUEST if !write && !self.server => {
                if self.tls13() {
                    self.awaiting_chain = true;
                } else {
                    self.chain_ready = self.chain.is_some();
                }
            }
            // Anything else after a TLS 1.3 request goes to rustls.
            _ if !write => self.awaiting_chain = false,
            _ => {}
        }
        let version = self.message_version();
        let note = self
            .messages
            .then(|| message(write, version, i32::from(HANDSHAKE), m));
        if write {
            if let Some(ccs) = self.deferred_ccs.take() {
                statem.sent(Msg::ChangeCipherSpec, ccs);
            }
            let mut notes = std::mem::take(&mut self.written);
            notes.extend(note);
            statem.sent(Msg::Handshake(typ), notes);
        } else {
            statem.received(Msg::Handshake(typ), note);
        }
    }

    /// A ServerHello: its random, and the version it picks (TLS 1.3 protects what
    /// follows in both directions).
    fn server_hello(&mut self, body: &[u8], statem: &mut Statem) {
        let Some(random) = body.get(2..34).and_then(|r| <[u8; 32]>::try_from(r).ok()) else {
            return;
        };
        if random == HRR_RANDOM {
            return;
        }
        self.server_random = Some(random);
        let tls13 = selected_version(body) == Some(0x0304);
        if !tls13 {
            self.name_acked =
                server_hello_extensions(body).is_some_and(|e| has_extension(e, SERVER_NAME));
        }
        self.version = Some(if tls13 { 0x0304 } else { 0x0303 });
        statem.set_tls13(tls13);
        if tls13 {
            for side in [Side::Own, Side::Peer] {
                let dir = self.dir(side);
                dir.phase = Phase::Handshake;
                dir.key = None;
            }
        }
    }
}

/// The length of the handshake message at the start of `data` (header included), once
/// its header is there.
fn message_len(data: &[u8]) -> Option<usize> {
    let [_, a, b, c, ..] = *data else {
        return None;
    };
    Some(4 + (usize::from(a) << 16 | usize::from(b) << 8 | usize::from(c)))
}

/// Whether an extension list (a two-byte length, then the extensions) has one of `typ`.
fn has_extension(list: &[u8], typ: u16) -> bool {
    let mut rest = list.get(2..).unwrap_or_default();
    while let [a, b, c, d, ..] = *rest {
        if u16::from_be_bytes([a, b]) == typ {
            return true;
        }
        rest = rest
            .get(4 + usize::from(u16::from_be_bytes([c, d]))..)
            .unwrap_or_default();
    }
    false
}

/// A ServerHello body's extension list (with its two-byte length), if it has one.
fn server_hello_extensions(body: &[u8]) -> Option<&[u8]> {
    // version, random, session id, suite (2), compression (1), extensions.
    let sid_len = usize::from(*body.get(34)?);
    body.get(35 + sid_len + 3..)
}

/// The version a ServerHello body selects: its supported_versions extension, else its
/// legacy version.
fn selected_version(body: &[u8]) -> Option<u16> {
    let legacy = u16::from_be_bytes([*body.first()?, *body.get(1)?]);
    // version, random, session id, suite (2), compression (1), extensions.
    let sid_len = usize::from(*body.get(34)?);
    let mut at = 35 + sid_len + 3;
    let Some(ext) = body.get(at..at + 2) else {
        return Some(legacy);
    };
    let total = usize::from(u16::from_be_bytes([ext[0], ext[1]]));
    at += 2;
    let end = (at + total).min(body.len());
    while at + 4 <= end {
        let typ = u16::from_be_bytes([body[at], body[at + 1]]);
        let len = usize::from(u16::from_be_bytes([body[at + 2], body[at + 3]]));
        if typ == 43 && len == 2 {
            return Some(u16::from_be_bytes([*body.get(at + 4)?, *body.get(at + 5)?]));
        }
        at += 4 + len;
    }
    Some(legacy)
}
