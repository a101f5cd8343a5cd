//! The handshake's secrets and Finished messages as a connection keeps them: the key-log
//! secrets the observer opens records with, both Finished messages
//! (`SSL_get_finished`, `SSL_get_peer_finished`), and TLS 1.2's key block, derived from
//! the master secret. The connection state (`current`) holds them; the observer
//! fills them.

use rustls::SupportedCipherSuite;

use crate::exporter;
use crate::record::{Aead, Opener};

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

/// The newest of `secrets` with `label`.
pub(crate) fn newest(secrets: &[LoggedSecret], label: SecretLabel) -> Option<&[u8]> {
    secrets
        .iter()
        .rev()
        .find(|s| s.label == label)
        .map(|s| s.secret.as_slice())
}

impl Drop for LoggedSecret {
    fn drop(&mut self) {
        self.secret.iter_mut().for_each(|b| *b = 0);
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

/// Up to 48 bytes: a verify_data (12 to 48 bytes) or a TLS 1.2 Finished record (at most
/// 45 bytes with AES-GCM, 37 with ChaCha20-Poly1305).
/// What [`Short`] holds at most.
const SHORT_MAX: usize = 48;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Short {
    data: [u8; SHORT_MAX],
    len: u8,
}

impl Default for Short {
    fn default() -> Self {
        Self {
            data: [0; SHORT_MAX],
            len: 0,
        }
    }
}

impl Short {
    fn new(bytes: &[u8]) -> Self {
        let mut short = Self::default();
        let n = bytes.len().min(SHORT_MAX);
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

    pub(crate) fn set(&mut self, peer: bool, bytes: &[u8]) {
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

/// The TLS 1.2 key block of a suite's AEAD: both write keys, then both IVs (RFC 5246 6.3).
pub(crate) fn key_block(
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
pub(crate) fn tls12_opener(
    suite: SupportedCipherSuite,
    block: &[u8],
    client: bool,
) -> Option<Opener> {
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
