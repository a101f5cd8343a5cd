//! An established connection without a handshake, for unit tests and fuzzing: record keys
//! from fixed secrets, moved on by TLS 1.3's key update schedule, and a [`Peer`] that
//! seals records for the connection and opens the ones it sends.
//!
//! The secrets are fixed, not negotiated: nothing here protects anything.

use aws_lc_rs::hkdf;
use rustls::crypto::cipher::{AeadKey, Iv};
use rustls::{
    ConnectionTrafficSecrets, ContentType, Error, HandshakeType, ProtocolVersion,
    SupportedCipherSuite,
};

use crate::established::{Established, Kernel, Negotiated};
use crate::record::{Protection, MAX_FRAGMENT, SEAL_OVERHEAD};
use crate::traffic::TrafficSchedule;

/// The suites a fixed connection can use (those with 32-byte keys).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Suite {
    Tls13Aes256Gcm,
    Tls13Chacha20,
    Tls12Aes256Gcm,
    Tls12Chacha20,
}

impl Suite {
    pub(crate) const ALL: [Self; 4] = [
        Self::Tls13Aes256Gcm,
        Self::Tls13Chacha20,
        Self::Tls12Aes256Gcm,
        Self::Tls12Chacha20,
    ];

    pub(crate) fn tls13(self) -> bool {
        matches!(self, Self::Tls13Aes256Gcm | Self::Tls13Chacha20)
    }

    fn chacha(self) -> bool {
        matches!(self, Self::Tls13Chacha20 | Self::Tls12Chacha20)
    }

    fn negotiated(self) -> Negotiated {
        use rustls::crypto::aws_lc_rs::cipher_suite as cs;
        let (version, suite) = match self {
            Self::Tls13Aes256Gcm => (ProtocolVersion::TLSv1_3, cs::TLS13_AES_256_GCM_SHA384),
            Self::Tls13Chacha20 => (ProtocolVersion::TLSv1_3, cs::TLS13_CHACHA20_POLY1305_SHA256),
            Self::Tls12Aes256Gcm => (
                ProtocolVersion::TLSv1_2,
                cs::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
            ),
            Self::Tls12Chacha20 => (
                ProtocolVersion::TLSv1_2,
                cs::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
            ),
        };
        Negotiated { version, suite }
    }

    fn hkdf(self) -> hkdf::Algorithm {
        match self {
            Self::Tls13Aes256Gcm | Self::Tls12Aes256Gcm => hkdf::HKDF_SHA384,
            Self::Tls13Chacha20 | Self::Tls12Chacha20 => hkdf::HKDF_SHA256,
        }
    }

    /// The length of a secret: the hash's.
    fn secret_len(self) -> usize {
        match self {
            Self::Tls13Aes256Gcm | Self::Tls12Aes256Gcm => 48,
            Self::Tls13Chacha20 | Self::Tls12Chacha20 => 32,
        }
    }
}

/// One side's sending and receiving traffic secrets.
pub(crate) struct Schedule {
    suite: Suite,
    tx: Vec<u8>,
    rx: Vec<u8>,
}

impl Schedule {
    fn new(suite: Suite, client: bool) -> Self {
        let len = suite.secret_len();
        let (to_server, to_client) = (vec![0x11; len], vec![0x22; len]);
        let (tx, rx) = if client {
            (to_server, to_client)
        } else {
            (to_client, to_server)
        };
        Self { suite, tx, rx }
    }

    fn keys(&self, secret: &[u8]) -> (u64, ConnectionTrafficSecrets) {
        let alg = self.suite.hkdf();
        let mut key = [0u8; 32];
        let mut iv = [0u8; 12];
        expand_label(alg, secret, b"key", &mut key);
        expand_label(alg, secret, b"iv", &mut iv);
        let (key, iv) = (AeadKey::from(key), Iv::new(iv));
        let secrets = if self.suite.chacha() {
            ConnectionTrafficSecrets::Chacha20Poly1305 { key, iv }
        } else {
            ConnectionTrafficSecrets::Aes256Gcm { key, iv }
        };
        (0, secrets)
    }

    /// The same secrets as a [`TrafficSchedule`] (TLS 1.3 suites only).
    fn traffic(&self) -> Option<TrafficSchedule> {
        match self.suite.negotiated().suite {
            SupportedCipherSuite::Tls13(suite) => TrafficSchedule::new(suite, &self.tx, &self.rx),
            SupportedCipherSuite::Tls12(_) => None,
        }
    }

    fn tx_keys(&self) -> (u64, ConnectionTrafficSecrets) {
        self.keys(&self.tx)
    }

    fn rx_keys(&self) -> (u64, ConnectionTrafficSecrets) {
        self.keys(&self.rx)
    }

    /// The next sending key: `secret = HKDF-Expand-Label(secret, "traffic upd", "", len)`.
    pub(crate) fn update_tx(&mut self) -> (u64, ConnectionTrafficSecrets) {
        self.tx = next_secret(self.suite.hkdf(), &self.tx);
        self.tx_keys()
    }

    /// The next receiving key.
    pub(crate) fn update_rx(&mut self) -> (u64, ConnectionTrafficSecrets) {
        self.rx = next_secret(self.suite.hkdf(), &self.rx);
        self.rx_keys()
    }
}

/// The connection (a client with `client`) and its peer, both with sequence numbers 0.
pub(crate) fn pair(suite: Suite, client: bool) -> (Established, Peer) {
    let ours = Schedule::new(suite, client);
    let secrets = rustls::ExtractedSecrets {
        tx: ours.tx_keys(),
        rx: ours.rx_keys(),
    };
    // Fixed 32-byte keys of a suite rustls implements: nothing here can fail.
    // The connection moves its keys on with the schedule a real TLS 1.3 server uses; the
    // peer with this module's own derivation, written apart from it.
    let kernel = Kernel::Fixed {
        client,
        traffic: ours.traffic(),
    };
    let established = Established::new(suite.negotiated(), secrets, kernel)
        .unwrap_or_else(|e| panic!("fixed keys: {e}"));
    let theirs = Schedule::new(suite, !client);
    let protection = Protection::new(suite.tls13(), theirs.tx_keys(), theirs.rx_keys(), u64::MAX)
        .unwrap_or_else(|e| panic!("fixed keys: {e}"));
    let peer = Peer {
        tls13: suite.tls13(),
        protection,
        schedule: theirs,
    };
    (established, peer)
}

/// A record's type and plaintext.
pub(crate) type Record = (ContentType, Vec<u8>);

/// The other end of a fixed connection.
pub(crate) struct Peer {
    tls13: bool,
    protection: Protection,
    schedule: Schedule,
}

impl Peer {
    /// `plain` (at most [`MAX_FRAGMENT`] bytes) sealed as one record of type `typ`. In TLS
    /// 1.3 `typ` is the last plaintext byte: another type, or `Unknown(0)` with the real
    /// type and padding at the end of `plain`, makes any inner plaintext.
    pub(crate) fn seal(&mut self, typ: ContentType, plain: &[u8]) -> Vec<u8> {
        let plain = &plain[..plain.len().min(MAX_FRAGMENT)];
        let mut out = vec![0u8; plain.len() + SEAL_OVERHEAD];
        match self.protection.seal(typ, plain, &mut out) {
            Ok(n) => out.truncate(n),
            Err(e) => panic!("peer seal: {e}"),
        }
        out
    }

    /// A KeyUpdate record (`requested`: asking for one back); later records go under the
    /// next key.
    pub(crate) fn key_update(&mut self, requested: bool) -> Vec<u8> {
        let message = [
            u8::from(HandshakeType::KeyUpdate),
            0,
            0,
            1,
            u8::from(requested),
        ];
        let record = self.seal(ContentType::Handshake, &message);
        self.next_tx_key();
        record
    }

    /// Moves the sending key on without saying so (after a KeyUpdate sent by hand).
    pub(crate) fn next_tx_key(&mut self) {
        let keys = self.schedule.update_tx();
        if let Err(e) = self.protection.set_tx(keys) {
            panic!("peer key update: {e}");
        }
    }

    /// Opens every whole record in `bytes` (what the connection sent), following its key
    /// updates; returns each record's type and plaintext, and the bytes used.
    pub(crate) fn open(&mut self, bytes: &[u8]) -> Result<(Vec<Record>, usize), Error> {
        let mut records = Vec::new();
        let mut at = 0;
        while let Some(header) = bytes.get(at..at + 5) {
            let len = 5 + usize::from(u16::from_be_bytes([header[3], header[4]]));
            let Some(record) = bytes.get(at..at + len) else {
                break;
            };
            let mut record = record.to_vec();
            let opened = self.protection.open(&mut record)?;
            let plain = record[opened.start..opened.end].to_vec();
            // The connection sends each KeyUpdate alone in its record.
            if self.tls13
                && opened.typ == ContentType::Handshake
                && plain.first() == Some(&u8::from(HandshakeType::KeyUpdate))
            {
                let keys = self.schedule.update_rx();
                self.protection.set_rx(keys)?;
            }
            records.push((opened.typ, plain));
            at += len;
        }
        Ok((records, at))
    }
}

fn next_secret(alg: hkdf::Algorithm, secret: &[u8]) -> Vec<u8> {
    let mut next = vec![0u8; secret.len()];
    expand_label(alg, secret, b"traffic upd", &mut next);
    next
}

/// TLS 1.3's HKDF-Expand-Label with an empty context, into `out`.
fn expand_label(alg: hkdf::Algorithm, secret: &[u8], label: &[u8], out: &mut [u8]) {
    struct Len(usize);
    impl hkdf::KeyType for Len {
        fn len(&self) -> usize {
            self.0
        }
    }
    let mut info = Vec::with_capacity(10 + label.len());
    info.extend_from_slice(&u16::try_from(out.len()).unwrap_or(0).to_be_bytes());
    info.push(u8::try_from(6 + label.len()).unwrap_or(0));
    info.extend_from_slice(b"tls13 ");
    info.extend_from_slice(label);
    info.push(0);
    let prk = hkdf::Prk::new_less_safe(alg, secret);
    let filled = prk
        .expand(&[&info], Len(out.len()))
        .and_then(|okm| okm.fill(out));
    // Lengths of at most 48 bytes, far below HKDF's limit.
    if filled.is_err() {
        panic!("HKDF-Expand-Label of {} bytes", out.len());
    }
}
