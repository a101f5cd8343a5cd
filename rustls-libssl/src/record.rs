//! Record protection once the handshake is over.
//!
//! rustls runs the handshake; when it is done the connection takes the traffic secrets
//! from rustls (its kernel-connection API, made for kTLS) and protects application records
//! itself. That lets a write encrypt straight from the application's buffer into the
//! record going to the write BIO (rustls's record layer copies the plaintext into a record
//! it allocates, then copies the record out: two copies and an allocation per 16 KiB),
//! and a read decrypt in place in the input buffer. rustls derives the keys of a client's
//! key updates and takes its TLS 1.3 session tickets; a TLS 1.3 server's key updates are
//! derived by [`crate::traffic`] from the traffic secrets rustls logged.
//!
//! This module is the record format and the AEAD (aws-lc-rs): RFC 8446 section 5 for TLS
//! 1.3, RFC 5288 and RFC 7905 for TLS 1.2's AES-GCM and ChaCha20-Poly1305.

use aws_lc_rs::aead::{
    Aad, LessSafeKey, Nonce, UnboundKey, AES_128_GCM, AES_256_GCM, CHACHA20_POLY1305,
};
use rustls::{AlertDescription, ConnectionTrafficSecrets, ContentType, Error, InvalidMessage};

use crate::crypto_sys as sys;
use crate::error::Refusal;

/// Record header length.
pub(crate) const HEADER_LEN: usize = 5;
/// The largest plaintext one record carries.
pub(crate) const MAX_FRAGMENT: usize = 16384;
/// The AEAD tag length of every suite here.
const TAG_LEN: usize = 16;
/// TLS 1.2 AES-GCM's explicit nonce, sent in each record.
const EXPLICIT_NONCE_LEN: usize = 8;
/// The most a record may expand its plaintext by (TLS 1.3 allows 256 bytes of padding and
/// tag; TLS 1.2 2048).
const MAX_EXPANSION_TLS13: usize = 256;
const MAX_EXPANSION_TLS12: usize = 2048;
/// The largest record body either version allows.
pub(crate) const MAX_BODY: usize = MAX_FRAGMENT + MAX_EXPANSION_TLS12;
/// The most [`Protection::seal`] adds to a plaintext.
pub(crate) const SEAL_OVERHEAD: usize = HEADER_LEN + EXPLICIT_NONCE_LEN + 1 + TAG_LEN;

/// One direction's key, nonce base and record sequence number.
struct DirectionKey {
    /// The key as aws-lc uses it (its AEAD context: about 600 bytes with AES-GCM's key
    /// schedule and GHASH tables); `None` while the connection is idle
    /// ([`Protection::release_keys`]), made again from `raw` for the next record.
    expanded: Option<LessSafeKey>,
    /// The key and IV as derived.
    raw: TrafficKey,
    seq: u64,
}

/// A record key and IV as derived (by rustls, or by the shim for a TLS 1.3 server's key
/// update, see [`crate::traffic`]); zeroed when dropped.
pub(crate) struct TrafficKey {
    aead: Aead,
    key: [u8; 32],
    iv: [u8; 12],
}

impl TrafficKey {
    /// An all-zero key of `aead`, to be filled through [`TrafficKey::parts_mut`].
    pub(crate) fn new(aead: Aead) -> Self {
        Self {
            aead,
            key: [0; 32],
            iv: [0; 12],
        }
    }

    /// A copy of `key` and `iv`, which must be the AEAD's lengths.
    fn copy_of(aead: Aead, key: &[u8], iv: &[u8]) -> Result<Self, Error> {
        let mut raw = Self::new(aead);
        let (k, i) = raw.parts_mut();
        if key.len() != k.len() {
            return Err(Error::General("bad traffic key".into()));
        }
        if iv.len() != i.len() {
            return Err(Error::General("bad traffic iv".into()));
        }
        k.copy_from_slice(key);
        i.copy_from_slice(iv);
        Ok(raw)
    }

    /// The key (as long as the AEAD's) and the IV, to fill.
    pub(crate) fn parts_mut(&mut self) -> (&mut [u8], &mut [u8]) {
        (&mut self.key[..self.aead.key_len()], &mut self.iv)
    }

    pub(crate) fn key(&self) -> &[u8] {
        &self.key[..self.aead.key_len()]
    }

    #[cfg(test)]
    pub(crate) fn iv(&self) -> &[u8] {
        &self.iv
    }

    /// The key set up for aws-lc.
    fn expand(&self) -> Result<LessSafeKey, Error> {
        UnboundKey::new(self.aead.algorithm(), self.key())
            .map(LessSafeKey::new)
            .map_err(|_| Error::General("bad traffic key".into()))
    }
}

impl Drop for TrafficKey {
    fn drop(&mut self) {
        self.key
            .iter_mut()
            .chain(self.iv.iter_mut())
            .for_each(|b| *b = 0);
    }
}

/// A direction's next key: rustls's (with its sequence number), or one the shim derived
/// (sequence number 0).
pub(crate) enum NewKey {
    Rustls(u64, ConnectionTrafficSecrets),
    Own(TrafficKey),
}

impl From<(u64, ConnectionTrafficSecrets)> for NewKey {
    fn from((seq, secrets): (u64, ConnectionTrafficSecrets)) -> Self {
        Self::Rustls(seq, secrets)
    }
}

impl From<TrafficKey> for NewKey {
    fn from(key: TrafficKey) -> Self {
        Self::Own(key)
    }
}

impl DirectionKey {
    fn of(key: NewKey) -> Result<Self, Error> {
        match key {
            NewKey::Rustls(seq, secrets) => Self::new(secrets, seq),
            NewKey::Own(raw) => Self::from_key(raw, 0),
        }
    }

    fn new(secrets: ConnectionTrafficSecrets, seq: u64) -> Result<Self, Error> {
        let (aead, key, iv) = match &secrets {
            ConnectionTrafficSecrets::Aes128Gcm { key, iv } => (Aead::Aes128Gcm, key, iv),
            ConnectionTrafficSecrets::Aes256Gcm { key, iv } => (Aead::Aes256Gcm, key, iv),
            ConnectionTrafficSecrets::Chacha20Poly1305 { key, iv } => {
                (Aead::Chacha20Poly1305, key, iv)
            }
            _ => return Err(Error::General("cipher not supported".into())),
        };
        Self::from_key(TrafficKey::copy_of(aead, key.as_ref(), iv.as_ref())?, seq)
    }

    fn from_key(raw: TrafficKey, seq: u64) -> Result<Self, Error> {
        Ok(Self {
            expanded: Some(raw.expand()?),
            raw,
            seq,
        })
    }

    /// The key, made again from the raw key if it was released.
    fn key(&mut self) -> Result<&LessSafeKey, Error> {
        let key = match self.expanded.take() {
            Some(key) => key,
            None => self.raw.expand()?,
        };
        Ok(self.expanded.insert(key))
    }

    /// The per-record nonce: the base with the sequence number XORed into its end.
    fn nonce(&self, seq: u64) -> [u8; 12] {
        let mut nonce = self.raw.iv;
        for (n, s) in nonce[4..].iter_mut().zip(seq.to_be_bytes()) {
            *n ^= s;
        }
        nonce
    }

    fn next_seq(&mut self) -> Result<u64, Error> {
        let seq = self.seq;
        self.seq = seq.checked_add(1).ok_or(Error::EncryptError)?;
        Ok(seq)
    }

    fn is_gcm(&self) -> bool {
        self.raw.aead != Aead::Chacha20Poly1305
    }
}

/// A received record after [`Protection::open`]: its content type and where its
/// plaintext lies in the record buffer.
pub(crate) struct Opened {
    pub typ: ContentType,
    pub start: usize,
    pub end: usize,
}

/// Both directions' record protection for one connection.
pub(crate) struct Protection {
    tls13: bool,
    tx: DirectionKey,
    rx: DirectionKey,
    /// Records one key may seal (the suite's confidentiality limit).
    limit: u64,
}

impl Protection {
    /// Record protection from rustls's secrets (with their sequence numbers).
    pub(crate) fn new(
        tls13: bool,
        tx: (u64, ConnectionTrafficSecrets),
        rx: (u64, ConnectionTrafficSecrets),
        limit: u64,
    ) -> Result<Self, Error> {
        Ok(Self {
            tls13,
            tx: DirectionKey::new(tx.1, tx.0)?,
            rx: DirectionKey::new(rx.1, rx.0)?,
            limit,
        })
    }

    /// Drops both directions' expanded keys while the connection is idle (they come back
    /// at the next record, at the cost of one key setup each: about 0.1 us for AES-GCM).
    pub(crate) fn release_keys(&mut self) {
        self.tx.expanded = None;
        self.rx.expanded = None;
    }

    /// Whether the receiving key's expanded form is released.
    pub(crate) fn receive_key_released(&self) -> bool {
        self.rx.expanded.is_none()
    }

    /// Whether both directions' keys are released (tests).
    #[cfg(test)]
    pub(crate) fn keys_released(&self) -> bool {
        self.tx.expanded.is_none() && self.rx.expanded.is_none()
    }

    /// Whether the sending key is at its confidentiality limit (TLS 1.3 then updates it).
    pub(crate) fn tx_exhausted(&self) -> bool {
        self.tx.seq >= self.limit
    }

    pub(crate) fn set_tx(&mut self, key: impl Into<NewKey>) -> Result<(), Error> {
        self.tx = DirectionKey::of(key.into())?;
        Ok(())
    }

    pub(crate) fn set_rx(&mut self, key: impl Into<NewKey>) -> Result<(), Error> {
        self.rx = DirectionKey::of(key.into())?;
        Ok(())
    }

    /// Seals `plain` (at most [`MAX_FRAGMENT`] bytes) as one record of type `typ` into
    /// `out`, which has room for `plain.len() + SEAL_OVERHEAD` bytes; returns the record's
    /// length.
    pub(crate) fn seal(
        &mut self,
        typ: ContentType,
        plain: &[u8],
        out: &mut [u8],
    ) -> Result<usize, Error> {
        let seq = self.tx.next_seq()?;
        let nonce = self.tx.nonce(seq);
        let n = plain.len();
        // TLS 1.3 hides the type: the outer one is application_data, the real one the last
        // plaintext byte. TLS 1.2's AES-GCM sends the nonce's last eight bytes.
        let inner_type = [u8::from(typ)];
        let (outer, inner, explicit): (_, &[u8], _) = if self.tls13 {
            (ContentType::ApplicationData, &inner_type, 0)
        } else if self.tx.is_gcm() {
            (typ, &[], EXPLICIT_NONCE_LEN)
        } else {
            (typ, &[], 0)
        };
        let body = explicit + n + inner.len() + TAG_LEN;
        let len = HEADER_LEN + body;
        let out = out.get_mut(..len).ok_or(Error::EncryptError)?;
        write_header(out, outer, body);
        out[HEADER_LEN..HEADER_LEN + explicit].copy_from_slice(&nonce[4..4 + explicit]);
        // TLS 1.3 authenticates the record header, TLS 1.2 its own pseudo-header.
        let mut aad = tls12_aad(seq, typ, n);
        let aad_len = if self.tls13 {
            aad[..HEADER_LEN].copy_from_slice(&out[..HEADER_LEN]);
            HEADER_LEN
        } else {
            aad.len()
        };
        let (ciphertext, tail) = out[HEADER_LEN + explicit..].split_at_mut(n);
        self.tx
            .key()?
            .seal_out_of_place_scatter(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(&aad[..aad_len]),
                plain,
                ciphertext,
                inner,
                tail,
            )
            .map_err(|_| Error::EncryptError)?;
        Ok(len)
    }

    /// Decrypts one whole record (header included) in place.
    pub(crate) fn open(&mut self, record: &mut [u8]) -> Result<Opened, Error> {
        open_record(self.tls13, &mut self.rx, record, true)
    }
}

/// Decrypts one whole record (header included) in place with `rx`, whose sequence number
/// advances with each record, or (`always_advance` false) with each record that opens.
fn open_record(
    tls13: bool,
    rx: &mut DirectionKey,
    record: &mut [u8],
    always_advance: bool,
) -> Result<Opened, Error> {
    let outer = ContentType::from(*record.first().ok_or(Error::DecryptError)?);
    let body = record.len().saturating_sub(HEADER_LEN);
    let max_expansion = if tls13 {
        MAX_EXPANSION_TLS13
    } else {
        MAX_EXPANSION_TLS12
    };
    if body > MAX_FRAGMENT + max_expansion {
        return Err(Error::PeerSentOversizedRecord);
    }
    if tls13 && outer != ContentType::ApplicationData {
        return Err(bad_record_type());
    }
    // TLS 1.3 carries the real type as the last plaintext byte; TLS 1.2's AES-GCM
    // sends the nonce's last eight bytes before the ciphertext.
    let explicit = if !tls13 && rx.is_gcm() {
        EXPLICIT_NONCE_LEN
    } else {
        0
    };
    if body < explicit + usize::from(tls13) + TAG_LEN {
        return Err(Error::DecryptError);
    }
    let start = HEADER_LEN + explicit;
    let n = record.len() - start - TAG_LEN;
    if !tls13 && n > MAX_FRAGMENT {
        return Err(Error::PeerSentOversizedRecord);
    }
    let seq = rx.seq;
    if always_advance {
        rx.next_seq()?;
    }
    let mut nonce = rx.nonce(seq);
    nonce[4..4 + explicit].copy_from_slice(&record[HEADER_LEN..start]);
    // TLS 1.3 authenticates the record header, TLS 1.2 its own pseudo-header.
    let mut aad = tls12_aad(seq, outer, n);
    let aad_len = if tls13 {
        aad[..HEADER_LEN].copy_from_slice(&record[..HEADER_LEN]);
        HEADER_LEN
    } else {
        aad.len()
    };
    let plain = rx
        .key()?
        .open_in_place(
            Nonce::assume_unique_for_key(nonce),
            Aad::from(&aad[..aad_len]),
            &mut record[start..],
        )
        .map_err(|_| Error::DecryptError)?;
    if !always_advance {
        rx.next_seq()?;
    }
    if !tls13 {
        return Ok(Opened {
            typ: outer,
            start,
            end: start + n,
        });
    }
    // The inner type is the last non-zero byte; zeros after it are padding.
    let Some(last) = plain.iter().rposition(|b| *b != 0) else {
        return Err(bad_record_type());
    };
    if last > MAX_FRAGMENT {
        return Err(Error::PeerSentOversizedRecord);
    }
    Ok(Opened {
        typ: ContentType::from(plain[last]),
        start,
        end: start + last,
    })
}

/// One direction's record decryption outside a connection's own record layer: the
/// observer of a handshake opens copies of the records rustls protects with it. A record
/// that does not open leaves the sequence number as it was (a server skips 0-RTT records it
/// cannot read).
pub(crate) struct Opener {
    tls13: bool,
    key: DirectionKey,
}

impl Opener {
    /// A key for records of the AEAD `aead` (16- or 32-byte AES-GCM key, or ChaCha20-Poly1305)
    /// with `iv` (12 bytes; TLS 1.2's AES-GCM uses its first four, the salt).
    pub(crate) fn new(tls13: bool, aead: Aead, key: &[u8], iv: &[u8]) -> Result<Self, Error> {
        let mut full_iv = [0u8; 12];
        full_iv
            .get_mut(..iv.len())
            .ok_or(Error::General("bad traffic iv".into()))?
            .copy_from_slice(iv);
        let raw = TrafficKey::copy_of(aead, key, &full_iv)?;
        Ok(Self {
            tls13,
            key: DirectionKey::from_key(raw, 0)?,
        })
    }

    /// Decrypts one whole record (header included) in place.
    pub(crate) fn open(&mut self, record: &mut [u8]) -> Result<Opened, Error> {
        open_record(self.tls13, &mut self.key, record, false)
    }

    /// Passes over `n` records that were not opened.
    pub(crate) fn skip(&mut self, n: u64) {
        self.key.seq = self.key.seq.saturating_add(n);
    }

    /// Changes what a record sealed with this key carries: `record` (header included) is
    /// the `ahead`th record after the next one this key opens; `edit` may change its
    /// plaintext in place (not its length or content type) and says whether it did. The
    /// record is then sealed again, with its own nonce, in place. The key's sequence
    /// number does not move. False, the record unchanged, if it does not open or `edit`
    /// declines.
    ///
    /// Only for a record that has not left the process: the first sealing is thrown away,
    /// so only one ciphertext under that nonce is ever seen.
    pub(crate) fn reseal(
        &mut self,
        ahead: u64,
        record: &mut [u8],
        edit: impl FnOnce(ContentType, &mut [u8]) -> bool,
    ) -> bool {
        let next = self.key.seq;
        let Some(seq) = next.checked_add(ahead) else {
            return false;
        };
        let mut copy = record.to_vec();
        self.key.seq = seq;
        let opened = open_record(self.tls13, &mut self.key, &mut copy, false);
        self.key.seq = next;
        let Ok(o) = opened else {
            return false;
        };
        if !edit(o.typ, &mut copy[o.start..o.end]) {
            return false;
        }
        // The nonce, additional data and length are the first sealing's: TLS 1.3's inner
        // type and padding stay where they were, after the edited plaintext.
        let end = copy.len() - TAG_LEN;
        let mut nonce = self.key.nonce(seq);
        let explicit = o.start - HEADER_LEN;
        nonce[4..4 + explicit].copy_from_slice(&copy[HEADER_LEN..o.start]);
        let mut aad = tls12_aad(seq, ContentType::from(copy[0]), end - o.start);
        let aad_len = if self.tls13 {
            aad[..HEADER_LEN].copy_from_slice(&copy[..HEADER_LEN]);
            HEADER_LEN
        } else {
            aad.len()
        };
        let Ok(key) = self.key.key() else {
            return false;
        };
        let sealed = key.seal_in_place_separate_tag(
            Nonce::assume_unique_for_key(nonce),
            Aad::from(&aad[..aad_len]),
            &mut copy[o.start..end],
        );
        let Ok(tag) = sealed else {
            return false;
        };
        copy[end..].copy_from_slice(tag.as_ref());
        record.copy_from_slice(&copy);
        true
    }
}

/// The AEADs of the suites rustls implements.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Aead {
    Aes128Gcm,
    Aes256Gcm,
    Chacha20Poly1305,
}

impl Aead {
    /// aws-lc's algorithm.
    fn algorithm(self) -> &'static aws_lc_rs::aead::Algorithm {
        match self {
            Self::Aes128Gcm => &AES_128_GCM,
            Self::Aes256Gcm => &AES_256_GCM,
            Self::Chacha20Poly1305 => &CHACHA20_POLY1305,
        }
    }

    /// The key length.
    pub(crate) fn key_len(self) -> usize {
        match self {
            Self::Aes128Gcm => 16,
            Self::Aes256Gcm | Self::Chacha20Poly1305 => 32,
        }
    }

    /// The AEAD of a suite, by its name.
    pub(crate) fn of(suite: rustls::SupportedCipherSuite) -> Option<Self> {
        let name = suite.suite().as_str()?;
        if name.contains("AES_128_GCM") {
            Some(Self::Aes128Gcm)
        } else if name.contains("AES_256_GCM") {
            Some(Self::Aes256Gcm)
        } else if name.contains("CHACHA20_POLY1305") {
            Some(Self::Chacha20Poly1305)
        } else {
            None
        }
    }
}

/// The alert a record-layer error sends to the peer (OpenSSL's choice where rustls has
/// none: a wrong record version gets protocol_version in TLS 1.2, decode_error in 1.3).
pub(crate) fn alert_for(e: &Error, tls13: bool) -> Option<AlertDescription> {
    if let Some(refusal) = Refusal::of(e) {
        return Some(refusal.alert);
    }
    Some(match e {
        Error::DecryptError => AlertDescription::BadRecordMac,
        Error::PeerSentOversizedRecord => AlertDescription::RecordOverflow,
        Error::InvalidMessage(InvalidMessage::UnknownProtocolVersion) if !tls13 => {
            AlertDescription::ProtocolVersion
        }
        Error::InvalidMessage(_) => AlertDescription::DecodeError,
        Error::InappropriateMessage { .. } | Error::InappropriateHandshakeMessage { .. } => {
            AlertDescription::UnexpectedMessage
        }
        Error::PeerMisbehaved(_) => AlertDescription::UnexpectedMessage,
        Error::AlertReceived(_) => return None,
        _ => AlertDescription::InternalError,
    })
}

/// A TLS 1.3 record whose outer or inner type is not one TLS 1.3 protects, as OpenSSL
/// reports it: "bad record type", with an unexpected_message alert.
pub(crate) fn bad_record_type() -> Error {
    Refusal::error(
        sys::SSL_R_BAD_RECORD_TYPE,
        AlertDescription::UnexpectedMessage,
    )
}

fn write_header(out: &mut [u8], typ: ContentType, body: usize) {
    out[0] = u8::from(typ);
    out[1] = 3;
    out[2] = 3;
    // A body is at most MAX_FRAGMENT plus a small overhead, well within u16.
    out[3..5].copy_from_slice(&u16::try_from(body).unwrap_or(u16::MAX).to_be_bytes());
}

/// TLS 1.2's additional data: sequence number, type, version, plaintext length.
fn tls12_aad(seq: u64, typ: ContentType, len: usize) -> [u8; 13] {
    let mut aad = [0u8; 13];
    aad[..8].copy_from_slice(&seq.to_be_bytes());
    aad[8] = u8::from(typ);
    aad[9] = 3;
    aad[10] = 3;
    aad[11..].copy_from_slice(&u16::try_from(len).unwrap_or(u16::MAX).to_be_bytes());
    aad
}

#[cfg(test)]
mod tests {
    use rustls::crypto::cipher::{AeadKey, Iv};

    use super::*;

    fn secrets(k: u8, chacha: bool) -> ConnectionTrafficSecrets {
        let (key, iv) = (AeadKey::from([k; 32]), Iv::new([k; 12]));
        if chacha {
            ConnectionTrafficSecrets::Chacha20Poly1305 { key, iv }
        } else {
            ConnectionTrafficSecrets::Aes256Gcm { key, iv }
        }
    }

    fn pair(tls13: bool, chacha: bool) -> (Protection, Protection) {
        let (one, two) = (secrets(1, chacha), secrets(2, chacha));
        let a = Protection::new(tls13, (0, one), (0, two), u64::MAX).expect("keys");
        let (one, two) = (secrets(1, chacha), secrets(2, chacha));
        let b = Protection::new(tls13, (0, two), (0, one), u64::MAX).expect("keys");
        (a, b)
    }

    #[test]
    fn seal_open_round_trip_and_tamper() {
        for (tls13, chacha) in [(true, false), (true, true), (false, false), (false, true)] {
            let (mut a, mut b) = pair(tls13, chacha);
            for size in [0, 1, 100, MAX_FRAGMENT] {
                let plain: Vec<u8> = (0..size).map(|i| (i % 251) as u8).collect();
                let mut out = vec![0u8; size + SEAL_OVERHEAD];
                let n = a
                    .seal(ContentType::ApplicationData, &plain, &mut out)
                    .expect("seal");
                let opened = b.open(&mut out[..n]).expect("open");
                assert_eq!(opened.typ, ContentType::ApplicationData);
                assert_eq!(&out[opened.start..opened.end], &plain[..]);
            }
            let mut out = vec![0u8; 10 + SEAL_OVERHEAD];
            let n = a.seal(ContentType::Alert, &[1, 0], &mut out).expect("seal");
            out[n - 1] ^= 1;
            assert_eq!(b.open(&mut out[..n]).err(), Some(Error::DecryptError));
        }
    }

    #[test]
    fn reseal_changes_an_alert_in_place() {
        for (tls13, chacha) in [(true, false), (true, true), (false, false), (false, true)] {
            let (mut a, mut b) = pair(tls13, chacha);
            // The writer's key as the observer holds it: key 1, its IV as written.
            let aead = if chacha {
                Aead::Chacha20Poly1305
            } else {
                Aead::Aes256Gcm
            };
            let iv_len = if tls13 || chacha { 12 } else { 4 };
            let mut observer = Opener::new(tls13, aead, &[1; 32], &[1; 12][..iv_len]).expect("key");
            // Two records: application data (seq 0), then a fatal certificate_unknown.
            let mut first = vec![0u8; 3 + SEAL_OVERHEAD];
            let n1 = a
                .seal(ContentType::ApplicationData, b"abc", &mut first)
                .expect("seal");
            let mut alert = vec![0u8; 2 + SEAL_OVERHEAD];
            let n2 = a
                .seal(ContentType::Alert, &[2, 46], &mut alert)
                .expect("seal");
            let alert = &mut alert[..n2];
            let original = alert.to_vec();
            // The wrong position does not open; a declining edit changes nothing.
            assert!(!observer.reseal(0, alert, |_, _| true));
            assert!(!observer.reseal(1, alert, |_, _| false));
            assert_eq!(alert, &original[..]);
            let edited = observer.reseal(1, alert, |typ, plain| {
                typ == ContentType::Alert && plain == [2, 46] && {
                    plain[1] = 80;
                    true
                }
            });
            assert!(edited);
            assert_eq!(alert.len(), original.len());
            assert_ne!(alert, &original[..]);
            // The reader opens both in order: the alert now says internal_error.
            let o = b.open(&mut first[..n1]).expect("open");
            assert_eq!(&first[o.start..o.end], b"abc");
            let o = b.open(alert).expect("open resealed");
            assert_eq!(o.typ, ContentType::Alert);
            assert_eq!(&alert[o.start..o.end], &[2, 80]);
            // The observer's own position did not move.
            let mut again = vec![0u8; 3 + SEAL_OVERHEAD];
            let (mut c, _) = pair(tls13, chacha);
            let n = c
                .seal(ContentType::ApplicationData, b"xyz", &mut again)
                .expect("seal");
            assert!(observer.open(&mut again[..n]).is_ok());
        }
    }
}
