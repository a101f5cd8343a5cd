//! Watches the records a connection sends and receives during its handshake, as OpenSSL's
//! record layer and state machine see them: record headers, protocol messages, alerts.
//! What it finds moves the [`Statem`] (`SSL_get_state`, the info callback), becomes the
//! message callback's events when the application has one, and keeps both Finished
//! messages (`SSL_get_finished`, `SSL_get_peer_finished`).
//!
//! rustls shows none of the handshake's messages, and protects most of them, so the observer
//! reads the records themselves: plaintext ones as they are, protected ones with keys it
//! derives from the secrets rustls's key-log hook hands over (the TLS 1.3 traffic secrets;
//! TLS 1.2's master secret with both hello randoms). It opens copies: the records rustls
//! reads and writes are never changed. A record whose key is not known yet (the server's
//! flight reaches a client before rustls has read the ServerHello that makes the keys)
//! waits, in order, until it is.

use std::collections::VecDeque;

use aws_lc_rs::hmac;
use rustls::crypto::hash::HashAlgorithm;
use rustls::{ContentType, SupportedCipherSuite};

use crate::current::{lock, ConnState};
use crate::exporter;
use crate::record::{Aead, Opener, HEADER_LEN, MAX_BODY};
use crate::statem::{message, msg, Msg, Note, Statem};

/// The random of a HelloRetryRequest (RFC 8446 4.1.3).
const HRR_RANDOM: [u8; 32] = [
    0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
    0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
];

/// Record content types, and the message callback's pseudo-types.
const CHANGE_CIPHER_SPEC: u8 = 20;
const ALERT: u8 = 21;
const HANDSHAKE: u8 = 22;
const APPLICATION_DATA: u8 = 23;
pub(crate) const RT_HEADER: i32 = 256;
pub(crate) const RT_INNER_CONTENT_TYPE: i32 = 257;

/// The server_name extension.
const SERVER_NAME: u16 = 0;
/// The early_data extension.
const EARLY_DATA: u16 = 42;
/// compress_certificate (RFC 8879).
const COMPRESS_CERTIFICATE: u16 = 27;

/// A handshake message longer than this is not one rustls would accept: stop watching.
const MAX_MESSAGE: usize = 0x2_0000;

/// Which secret a key-log line carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum SecretLabel {
    ClientEarly,
    ClientHandshake,
    ServerHandshake,
    ClientApplication,
    ServerApplication,
    /// TLS 1.2's master secret.
    Master,
}

impl SecretLabel {
    /// The secret a key-log label names, if the observer uses it.
    pub(crate) fn from_label(label: &str) -> Option<Self> {
        Some(match label {
            "CLIENT_EARLY_TRAFFIC_SECRET" => Self::ClientEarly,
            "CLIENT_HANDSHAKE_TRAFFIC_SECRET" => Self::ClientHandshake,
            "SERVER_HANDSHAKE_TRAFFIC_SECRET" => Self::ServerHandshake,
            "CLIENT_TRAFFIC_SECRET_0" => Self::ClientApplication,
            "SERVER_TRAFFIC_SECRET_0" => Self::ServerApplication,
            "CLIENT_RANDOM" => Self::Master,
            _ => return None,
        })
    }
}

/// A secret from the key-log hook, wiped when dropped.
pub(crate) struct LoggedSecret {
    pub label: SecretLabel,
    pub secret: Vec<u8>,
}

impl Drop for LoggedSecret {
    fn drop(&mut self) {
        self.secret.iter_mut().for_each(|b| *b = 0);
    }
}

/// The two directions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Side {
    /// The records this side writes.
    Own,
    /// The records the peer writes.
    Peer,
}

/// How a direction's records are protected.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum Phase {
    /// Not at all.
    #[default]
    Plain,
    /// TLS 1.3 handshake traffic keys.
    Handshake,
    /// TLS 1.3 application traffic keys.
    Application,
    /// TLS 1.2 keys from the key block (after ChangeCipherSpec).
    Tls12,
}

/// One direction's records.
#[derive(Default)]
struct Direction {
    /// The client's records (else the server's).
    client: bool,
    phase: Phase,
    key: Option<Opener>,
    /// A server's key for the client's 0-RTT records, and whether a handshake record has
    /// opened (after which no 0-RTT record can come).
    early: Option<Opener>,
    opened: bool,
    /// Records waiting for their key.
    waiting: VecDeque<Vec<u8>>,
    /// The start of a handshake message whose end is in a later record.
    message: Vec<u8>,
    /// Records stopped making sense: ignore the rest.
    lost: bool,
    /// TLS 1.2 records passed without their key (the key's sequence number skips them).
    skipped: u64,
    /// Its Finished has gone by.
    finished: bool,
}

impl Direction {
    /// Whether a record goes by unopened: a TLS 1.3 record under application keys
    /// (tickets, early application data) when no callback listens (what it holds moves
    /// no state anybody sees; its keys are not worth deriving).
    fn passes(&mut self, typ: u8, statem: &Statem) -> bool {
        if self.phase != Phase::Application
            || typ != APPLICATION_DATA
            || statem.info
            || statem.messages
        {
            return false;
        }
        match self.key.as_mut() {
            Some(key) => key.skip(1),
            None => self.skipped += 1,
        }
        true
    }

    /// Whether a record of this type is protected in the current phase: TLS 1.3 protects
    /// records as application_data (its compatibility ChangeCipherSpec, and an alert sent
    /// before the keys were in use, stay plaintext); TLS 1.2 protects every record after
    /// ChangeCipherSpec.
    fn protects(&self, typ: u8) -> bool {
        match self.phase {
            Phase::Plain => false,
            Phase::Handshake | Phase::Application => typ == APPLICATION_DATA,
            Phase::Tls12 => true,
        }
    }
}

/// What the observer learned that outlives the handshake.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Finished {
    /// The verify_data of this side's Finished message, and of the peer's; or, `sealed`,
    /// their TLS 1.2 records, not opened yet: without a message callback the observer
    /// does not derive TLS 1.2's key block (a TLS 1.2 PRF, a fifth of a resumed handshake)
    /// unless `SSL_get_finished` asks. Kept inline: every connection holds them.
    own: Short,
    peer: Short,
    pub sealed: bool,
}

/// Up to 64 bytes: a verify_data (12 to 48 bytes) or a TLS 1.2 Finished record (at most
/// 45 bytes with AES-GCM).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Short {
    data: [u8; 64],
    len: u8,
}

impl Default for Short {
    fn default() -> Self {
        Self {
            data: [0; 64],
            len: 0,
        }
    }
}

impl Short {
    fn new(bytes: &[u8]) -> Self {
        let mut short = Self::default();
        let n = bytes.len().min(64);
        short.data[..n].copy_from_slice(&bytes[..n]);
        short.len = u8::try_from(n).unwrap_or(0);
        short
    }

    fn get(&self) -> &[u8] {
        &self.data[..usize::from(self.len)]
    }
}

impl Finished {
    /// This side's verify_data (`peer`: the peer's), if it is not sealed.
    pub(crate) fn get(&self, peer: bool) -> &[u8] {
        match (self.sealed, peer) {
            (true, _) => &[],
            (false, true) => self.peer.get(),
            (false, false) => self.own.get(),
        }
    }

    fn set(&mut self, peer: bool, bytes: &[u8]) {
        let short = Short::new(bytes);
        if peer {
            self.peer = short;
        } else {
            self.own = short;
        }
    }

    /// Opens sealed TLS 1.2 Finished records (`client`: this side is the client) with the
    /// key block of `master`.
    pub(crate) fn open(
        &mut self,
        client: bool,
        suite: SupportedCipherSuite,
        master: &[u8],
        client_random: &[u8; 32],
        server_random: &[u8; 32],
    ) {
        if !std::mem::take(&mut self.sealed) {
            return;
        }
        let block = key_block(suite, master, client_random, server_random);
        for (peer, from_client) in [(false, client), (true, !client)] {
            let mut record = if peer { self.peer } else { self.own };
            let len = usize::from(record.len);
            let opener = block
                .as_ref()
                .and_then(|b| tls12_opener(suite, b, from_client));
            let opened = opener.and_then(|mut o| o.open(&mut record.data[..len]).ok());
            // verify_data, after the message's four-byte header.
            let verify_data = opened
                .and_then(|o| record.data.get(o.start + 4..o.end))
                .unwrap_or_default();
            self.set(peer, verify_data);
        }
    }
}

/// The observer of one handshake.
pub(crate) struct Observer {
    server: bool,
    /// 0x0303 or 0x0304, once a ServerHello (not a retry request) was seen.
    version: Option<u16>,
    /// The version OpenSSL reports with messages before one is negotiated.
    hello_version: i32,
    suite: Option<SupportedCipherSuite>,
    client_random: Option<[u8; 32]>,
    server_random: Option<[u8; 32]>,
    secrets: Vec<LoggedSecret>,
    own: Direction,
    peer: Direction,
    /// Bytes at the front of the input buffer already looked at.
    seen: usize,
    /// Keep message-callback events.
    pub messages: bool,
    pub finished: Finished,
    /// The legacy version of the ClientHello.
    pub client_version: Option<u16>,
    /// The ClientHello offered 0-RTT data; the EncryptedExtensions accepted it.
    early_offered: bool,
    early_accepted: bool,
    /// The server acknowledged the client's server_name (an empty extension in its
    /// ServerHello, TLS 1.2, or EncryptedExtensions, TLS 1.3).
    pub name_acked: bool,
    /// Message-callback events of this side's records not delivered yet: OpenSSL moves
    /// its state before it writes a message, so they follow the move the message makes.
    written: Vec<Note>,
    /// A TLS 1.3 client's compatibility ChangeCipherSpec, with its events: rustls sends it
    /// right after the ServerHello, OpenSSL just before the client's second flight, where
    /// the application hears of it.
    deferred_ccs: Option<Vec<Note>>,
    /// TLS 1.2's key block, once derived.
    key_block: Vec<u8>,
    /// A client's view of the server's chain for [`crate::chain_ahead`]: a TLS 1.3
    /// CertificateRequest waits for the Certificate after it; the chain (TLS 1.2: with
    /// its CertificateStatus), once the server asked for a certificate, goes to the
    /// connection.
    awaiting_chain: bool,
    chain: Option<crate::chain_ahead::ChainAhead>,
    chain_ready: bool,
    /// The certificate compression algorithms a client offered (RFC 8879), for reading a
    /// compressed chain ahead of rustls.
    compression_offered: Vec<u16>,
}

impl Observer {
    /// The observer of a handshake in `server` role; `hello_version` is the version OpenSSL
    /// would report with messages before one is negotiated; `messages`: the application
    /// has a message callback.
    pub(crate) fn new(server: bool, hello_version: i32, messages: bool) -> Self {
        Self {
            server,
            version: None,
            hello_version,
            suite: None,
            client_random: None,
            server_random: None,
            secrets: Vec::new(),
            own: Direction {
                client: !server,
                ..Direction::default()
            },
            peer: Direction {
                client: server,
                ..Direction::default()
            },
            seen: 0,
            messages,
            finished: Finished::default(),
            client_version: None,
            early_offered: false,
            early_accepted: false,
            name_acked: false,
            written: Vec::new(),
            deferred_ccs: None,
            key_block: Vec::new(),
            awaiting_chain: false,
            compression_offered: Vec::new(),
            chain: None,
            chain_ready: false,
        }
    }

    /// `SSL_get_early_data_status`'s answer.
    pub(crate) fn early_data_status(&self) -> i32 {
        use crate::crypto_sys as sys;
        if self.early_accepted {
            sys::SSL_EARLY_DATA_ACCEPTED
        } else if self.early_offered {
            sys::SSL_EARLY_DATA_REJECTED
        } else {
            sys::SSL_EARLY_DATA_NOT_SENT
        }
    }

    /// Looks at the whole records of `input` (the unread part of the input buffer) not
    /// looked at yet.
    pub(crate) fn incoming(&mut self, input: &[u8], state: &ConnState, statem: &mut Statem) {
        self.update(state, None, statem);
        while !self.peer.lost {
            let Some(rest) = input.get(self.seen..) else {
                break;
            };
            let Some(len) = record_len(rest) else {
                break;
            };
            let Some(len) = len else {
                self.peer.lost = true;
                break;
            };
            self.seen += len;
            self.record(Side::Peer, &rest[..len], statem);
        }
        // Before rustls reads these records (and makes sessions of the tickets among them).
        if self.name_acked && !self.server {
            lock(&state.status).name_acked = true;
        }
        if std::mem::take(&mut self.chain_ready) {
            state.outcome().chain_ahead = self.chain.take();
        }
    }

    /// Whether rustls must not read on yet: a TLS 1.3 client has the server's
    /// CertificateRequest but not the Certificate after it ([`crate::chain_ahead`]).
    pub(crate) fn holds_certificate_request(&self) -> bool {
        self.awaiting_chain && !self.peer.lost
    }

    /// `n` bytes left the front of the input buffer.
    pub(crate) fn consumed(&mut self, n: usize) {
        self.seen = self.seen.saturating_sub(n);
    }

    /// Looks at records this side wrote (whole records, as rustls writes them).
    pub(crate) fn outgoing(
        &mut self,
        mut records: &[u8],
        state: &ConnState,
        suite: Option<SupportedCipherSuite>,
        statem: &mut Statem,
    ) {
        // What the peer sent before comes first.
        self.update(state, suite, statem);
        while !self.own.lost && !records.is_empty() {
            let Some(Some(len)) = record_len(records) else {
                self.own.lost = true;
                break;
            };
            self.record(Side::Own, &records[..len], statem);
            records = &records[len..];
        }
    }

    /// Changes the fatal alert `from` that this side has just written into `to`, where
    /// OpenSSL sends another alert than rustls for the same failure. `written` holds the
    /// records of the turn, not looked at yet ([`Observer::outgoing`] comes after) and not
    /// sent: a protected alert is sealed again with its own key and nonce, which is sound
    /// because the first sealing never leaves the process. True if the alert was there.
    pub(crate) fn rewrite_alert(
        &mut self,
        written: &mut [u8],
        state: &ConnState,
        suite: Option<SupportedCipherSuite>,
        statem: &mut Statem,
        (from, to): (u8, u8),
    ) -> bool {
        self.update(state, suite, statem);
        if self.own.lost || !self.own.waiting.is_empty() {
            return false;
        }
        let is_alert = |typ: ContentType, plain: &mut [u8]| {
            if typ != ContentType::Alert || *plain != [2, from] {
                return false;
            }
            plain[1] = to;
            true
        };
        // Protected records of this turn before the alert: the alert's key opens them first.
        let mut ahead = 0;
        let mut at = 0;
        while let Some(Some(len)) = written.get(at..).and_then(record_len) {
            let record = &mut written[at..at + len];
            at += len;
            let typ = ContentType::from(record[0]);
            if !self.own.protects(record[0]) {
                if is_alert(typ, &mut record[HEADER_LEN..]) {
                    return true;
                }
                continue;
            }
            if self.own.key.is_none() && !self.ensure_key(Side::Own) {
                return false;
            }
            let Some(key) = self.own.key.as_mut() else {
                return false;
            };
            if key.reseal(ahead, record, is_alert) {
                return true;
            }
            ahead += 1;
        }
        false
    }

    /// Takes the secrets the key-log hook handed over and the negotiated suite, and opens
    /// the records that waited for them.
    pub(crate) fn update(
        &mut self,
        state: &ConnState,
        suite: Option<SupportedCipherSuite>,
        statem: &mut Statem,
    ) {
        if suite.is_some() {
            self.suite = suite;
        }
        {
            let mut logged = lock(&state.secrets);
            if !logged.is_empty() {
                self.secrets.append(&mut logged);
            }
        }
        for side in [Side::Peer, Side::Own] {
            self.drain(side, statem);
        }
    }

    fn dir(&mut self, side: Side) -> &mut Direction {
        match side {
            Side::Own => &mut self.own,
            Side::Peer => &mut self.peer,
        }
    }

    /// The version OpenSSL reports with a message: the negotiated one once known.
    fn message_version(&self) -> i32 {
        self.version.map_or(self.hello_version, i32::from)
    }

    fn tls13(&self) -> bool {
        self.version == Some(0x0304)
    }

    fn record(&mut self, side: Side, record: &[u8], statem: &mut Statem) {
        let messages = self.messages;
        let dir = self.dir(side);
        if dir.lost {
            return;
        }
        // TLS 1.2 protects only Finished in a handshake: with nobody to tell what a
        // record holds, the one that follows ChangeCipherSpec is it, kept sealed.
        if dir.phase == Phase::Tls12 && !messages && dir.waiting.is_empty() && dir.key.is_none() {
            dir.skipped += 1;
            if record[0] == HANDSHAKE && !dir.finished {
                dir.finished = true;
                self.finished.sealed = true;
                self.finished.set(side == Side::Peer, record);
                return self.sealed_finished(side, statem);
            }
            if record[0] != ALERT {
                return;
            }
            // An alert: worth the key block (the info callback names it).
            dir.skipped -= 1;
        }
        if dir.waiting.is_empty() && dir.passes(record[0], statem) {
            return;
        }
        if dir.protects(record[0]) || !dir.waiting.is_empty() {
            dir.waiting.push_back(record.to_vec());
            return self.drain(side, statem);
        }
        self.header(side, record, statem);
        self.content(side, record[0], &record[HEADER_LEN..], statem);
        self.flush_written(statem);
    }

    /// A TLS 1.2 Finished not opened: the state machine moves all the same.
    fn sealed_finished(&mut self, side: Side, statem: &mut Statem) {
        let finished = Msg::Handshake(msg::FINISHED);
        match side {
            Side::Own => {
                let notes = std::mem::take(&mut self.written);
                statem.sent(finished, notes);
            }
            Side::Peer => statem.received(finished, None),
        }
    }

    /// Delivers what this side's records carried that no move of the state machine took.
    fn flush_written(&mut self, statem: &mut Statem) {
        if !self.written.is_empty() {
            statem.push(std::mem::take(&mut self.written));
        }
    }

    /// A message-callback event of `side`: this side's wait for the move their message
    /// makes, the peer's are delivered now.
    fn note(&mut self, side: Side, note: Note, statem: &mut Statem) {
        if !self.messages {
            return;
        }
        match side {
            Side::Own => self.written.push(note),
            Side::Peer => statem.push([note]),
        }
    }

    /// Looks at the records that waited, in order, as far as their keys are known.
    fn drain(&mut self, side: Side, statem: &mut Statem) {
        loop {
            let dir = self.dir(side);
            let Some(typ) = dir.waiting.front().map(|r| r[0]) else {
                return;
            };
            if dir.passes(typ, statem) {
                dir.waiting.pop_front();
                continue;
            }
            if dir.protects(typ) && dir.key.is_none() && !self.ensure_key(side) {
                return;
            }
            if let Some(record) = self.dir(side).waiting.pop_front() {
                self.open(side, record, statem);
            }
        }
    }

    /// The message callback's record-header event.
    fn header(&mut self, side: Side, record: &[u8], statem: &mut Statem) {
        let version = i32::from(u16::from_be_bytes([record[1], record[2]]));
        let header = message(side == Side::Own, version, RT_HEADER, &record[..HEADER_LEN]);
        self.note(side, header, statem);
    }

    /// Opens a protected record (its key is known) and looks at what it carries; a
    /// plaintext record that waited behind one is looked at as it is.
    fn open(&mut self, side: Side, mut record: Vec<u8>, statem: &mut Statem) {
        if !self.dir(side).protects(record[0]) {
            self.header(side, &record, statem);
            self.content(side, record[0], &record[HEADER_LEN..], statem);
            self.flush_written(statem);
            return;
        }
        // A server that rejected 0-RTT skips the client's early records; one that accepted
        // them reads them with the early key.
        let tls13 = self.tls13();
        let may_be_early = side == Side::Peer && self.server && tls13 && !self.peer.opened;
        let copy = may_be_early.then(|| record.clone());
        let dir = self.dir(side);
        let opened = match dir.key.as_mut().and_then(|k| k.open(&mut record).ok()) {
            Some(o) => {
                dir.opened = true;
                Some((o, record))
            }
            None => match copy {
                Some(mut copy) => {
                    if self.peer.early.is_none() {
                        self.peer.early = self.tls13_key(SecretLabel::ClientEarly);
                    }
                    let early = self.peer.early.as_mut();
                    early
                        .and_then(|k| k.open(&mut copy).ok())
                        .map(|o| (o, copy))
                }
                None => {
                    // Not a record of this connection: rustls fails on it.
                    let dir = self.dir(side);
                    dir.lost = true;
                    dir.waiting.clear();
                    None
                }
            },
        };
        let Some((o, record)) = opened else {
            return;
        };
        let typ = u8::from(o.typ);
        self.header(side, &record, statem);
        if tls13 {
            // OpenSSL reports the record's version with a written one.
            let version = match side {
                Side::Own => i32::from(u16::from_be_bytes([record[1], record[2]])),
                Side::Peer => self.message_version(),
            };
            let inner = message(side == Side::Own, version, RT_INNER_CONTENT_TYPE, &[typ]);
            self.note(side, inner, statem);
        }
        self.content(side, typ, &record[o.start..o.end], statem);
        self.flush_written(statem);
    }

    /// What a record carries.
    fn content(&mut self, side: Side, typ: u8, data: &[u8], statem: &mut Statem) {
        match typ {
            HANDSHAKE => self.handshake(side, data, statem),
            CHANGE_CIPHER_SPEC => self.change_cipher_spec(side, statem),
            ALERT => {
                // The peer's alert goes to rustls at once, with what came before it.
                if side == Side::Peer {
                    self.awaiting_chain = false;
                }
                if let [level, description] = *data {
                    let version = self.message_version();
                    let note = message(side == Side::Own, version, i32::from(ALERT), data);
                    self.note(side, note, statem);
                    self.flush_written(statem);
                    statem.alert(side == Side::Own, level, description);
                }
            }
            _ => {}
        }
    }

    fn change_cipher_spec(&mut self, side: Side, statem: &mut Statem) {
        let write = side == Side::Own;
        if write {
            let version = self.message_version();
            let ccs = message(true, version, i32::from(CHANGE_CIPHER_SPEC), &[1]);
            self.note(side, ccs, statem);
        }
        // TLS 1.2's ChangeCipherSpec turns protection on; TLS 1.3's (or one before any
        // ServerHello: a client's 0-RTT) is for middleboxes only, and OpenSSL ignores
        // those it receives.
        if self.version == Some(0x0303) {
            self.dir(side).phase = Phase::Tls12;
            self.dir(side).key = None;
            if write {
                statem.sent(Msg::ChangeCipherSpec, std::mem::take(&mut self.written));
            } else {
                statem.received(Msg::ChangeCipherSpec, None);
            }
        } else if write && !self.server && self.version.is_some() {
            self.deferred_ccs = Some(std::mem::take(&mut self.written));
        } else if write {
            statem.sent(Msg::ChangeCipherSpec, std::mem::take(&mut self.written));
        }
    }

    /// Handshake bytes: each whole message is looked at.
    fn handshake(&mut self, side: Side, data: &[u8], statem: &mut Statem) {
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

    /// Derives the key of a direction's current phase if its secret has arrived.
    fn ensure_key(&mut self, side: Side) -> bool {
        let (client, phase) = {
            let dir = self.dir(side);
            (dir.client, dir.phase)
        };
        let key = match phase {
            Phase::Plain => return false,
            Phase::Handshake | Phase::Application => {
                let label = match (client, phase) {
                    (true, Phase::Handshake) => SecretLabel::ClientHandshake,
                    (false, Phase::Handshake) => SecretLabel::ServerHandshake,
                    (true, _) => SecretLabel::ClientApplication,
                    (false, _) => SecretLabel::ServerApplication,
                };
                self.tls13_key(label)
            }
            Phase::Tls12 => self.tls12_key(client),
        };
        let found = key.is_some();
        let dir = self.dir(side);
        dir.key = key.map(|mut k| {
            k.skip(std::mem::take(&mut dir.skipped));
            k
        });
        found
    }

    fn secret(&self, label: SecretLabel) -> Option<&[u8]> {
        self.secrets
            .iter()
            .rev()
            .find(|s| s.label == label)
            .map(|s| s.secret.as_slice())
    }

    /// RFC 8446 7.3: the record key and IV of a traffic secret. Both are shorter than the
    /// hash, so each HKDF-Expand-Label is one HMAC, with the key prepared once.
    fn tls13_key(&self, label: SecretLabel) -> Option<Opener> {
        let Some(SupportedCipherSuite::Tls13(suite)) = self.suite else {
            return None;
        };
        let aead = Aead::of(SupportedCipherSuite::Tls13(suite))?;
        let alg = match suite.common.hash_provider.algorithm() {
            HashAlgorithm::SHA256 => hmac::HMAC_SHA256,
            HashAlgorithm::SHA384 => hmac::HMAC_SHA384,
            _ => return None,
        };
        let prk = hmac::Key::new(alg, self.secret(label)?);
        let expand = |label: &[u8], len: usize| {
            // HkdfLabel (length, "tls13 " + label, empty context), then HKDF's counter.
            let len_bytes = u16::try_from(len).unwrap_or(0).to_be_bytes();
            let label_len = u8::try_from(6 + label.len()).unwrap_or(0);
            let mut ctx = hmac::Context::with_key(&prk);
            for part in [&len_bytes[..], &[label_len], b"tls13 ", label, &[0, 1]] {
                ctx.update(part);
            }
            ctx.sign()
        };
        let key = expand(b"key", aead.key_len());
        let iv = expand(b"iv", 12);
        Opener::new(
            true,
            aead,
            &key.as_ref()[..aead.key_len()],
            &iv.as_ref()[..12],
        )
        .ok()
    }

    /// RFC 5246 6.3: a direction's key and IV from the TLS 1.2 key block (computed once
    /// for both directions).
    fn tls12_key(&mut self, client: bool) -> Option<Opener> {
        let suite = self.suite?;
        if self.key_block.is_empty() {
            let master = self.secret(SecretLabel::Master)?;
            let (client_random, server_random) = (self.client_random?, self.server_random?);
            self.key_block = key_block(suite, master, &client_random, &server_random)?;
        }
        tls12_opener(suite, &self.key_block, client)
    }
}

/// The TLS 1.2 key block of a suite's AEAD: both write keys, then both IVs (RFC 5246 6.3).
fn key_block(
    suite: SupportedCipherSuite,
    master: &[u8],
    client_random: &[u8; 32],
    server_random: &[u8; 32],
) -> Option<Vec<u8>> {
    let SupportedCipherSuite::Tls12(tls12) = suite else {
        return None;
    };
    let (key_len, iv_len) = tls12_lengths(Aead::of(suite)?);
    let mut seed = [0u8; 13 + 64];
    seed[..13].copy_from_slice(b"key expansion");
    seed[13..45].copy_from_slice(server_random);
    seed[45..].copy_from_slice(client_random);
    let mut block = vec![0u8; 2 * (key_len + iv_len)];
    let hash = tls12.common.hash_provider.algorithm();
    exporter::tls12_prf(master, hash, &seed, &mut block).ok()?;
    Some(block)
}

/// A TLS 1.2 AEAD's key and fixed IV lengths.
fn tls12_lengths(aead: Aead) -> (usize, usize) {
    let iv_len = if aead == Aead::Chacha20Poly1305 {
        12
    } else {
        4
    };
    (aead.key_len(), iv_len)
}

/// The opener of the client's (`client`) or the server's records from a key block.
fn tls12_opener(suite: SupportedCipherSuite, block: &[u8], client: bool) -> Option<Opener> {
    let aead = Aead::of(suite)?;
    let (key_len, iv_len) = tls12_lengths(aead);
    let (key_at, iv_at) = if client {
        (0, 2 * key_len)
    } else {
        (key_len, 2 * key_len + iv_len)
    };
    let key = block.get(key_at..key_at + key_len)?;
    let iv = block.get(iv_at..iv_at + iv_len)?;
    Opener::new(false, aead, key, iv).ok()
}

impl Drop for Observer {
    fn drop(&mut self) {
        self.key_block.iter_mut().for_each(|b| *b = 0);
    }
}

/// The length of the whole record at the start of `data`: `None` until its header is
/// there, `Some(None)` if the header is not a TLS record's, else the record's length
/// (which may be more than `data` holds yet; the caller checks).
fn record_len(data: &[u8]) -> Option<Option<usize>> {
    let header = data.get(..HEADER_LEN)?;
    let body = usize::from(u16::from_be_bytes([header[3], header[4]]));
    if header[1] != 3 || body > MAX_BODY {
        return Some(None);
    }
    (data.len() >= HEADER_LEN + body).then_some(Some(HEADER_LEN + body))
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
