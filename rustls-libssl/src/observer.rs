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
use crate::record::{Aead, Opener, HEADER_LEN, MAX_BODY};
use crate::secrets::{key_block, tls12_opener, Finished, LoggedSecret, SecretLabel};
use crate::statem::{message, msg, Msg, Note, Statem};

mod messages;

/// Record content types, and the message callback's pseudo-types.
const CHANGE_CIPHER_SPEC: u8 = 20;
const ALERT: u8 = 21;
const HANDSHAKE: u8 = 22;
const APPLICATION_DATA: u8 = 23;
pub(crate) const RT_HEADER: i32 = 256;
pub(crate) const RT_INNER_CONTENT_TYPE: i32 = 257;

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
    /// A TLS 1.3 server: where in the input the client's Finished record ends, once read.
    /// What follows is protected under the application keys, read by the connection's own
    /// record layer, not rustls ([`Observer::handshake_input_end`]).
    peer_done_at: Option<usize>,
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
            peer_done_at: None,
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
            if self.server && self.tls13() && self.peer.finished && self.peer_done_at.is_none() {
                self.peer_done_at = Some(self.seen);
            }
        }
        // Before rustls reads these records (and makes sessions of the tickets among them).
        if self.name_acked && !self.server {
            lock(&state.status).name_acked = true;
        }
        if std::mem::take(&mut self.chain_ready) {
            state.outcome().chain_ahead = self.chain.take().map(Box::new);
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
        self.peer_done_at = self.peer_done_at.map(|end| end.saturating_sub(n));
    }

    /// How much of the input rustls may read: a TLS 1.3 server's handshake ends with the
    /// client's Finished, and records that came with it (the first request, or whatever a
    /// peer sends) go to the connection's own record layer once the handshake is done, as
    /// OpenSSL's would: rustls would try to decrypt a record of any type, where OpenSSL
    /// refuses an unprotected record of an unexpected type as such ("bad record type").
    pub(crate) fn handshake_input_end(&self) -> Option<usize> {
        self.peer_done_at
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

    /// The newest secret with `label` the observer took from the key-log hook.
    pub(crate) fn secret(&self, label: SecretLabel) -> Option<&[u8]> {
        crate::secrets::newest(&self.secrets, label)
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
