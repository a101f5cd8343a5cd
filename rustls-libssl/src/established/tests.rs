//! The established connection against a peer that floods it: each bound fails the
//! connection with OpenSSL's reason and alert, at OpenSSL's count, and the output buffer
//! stays the same size however long the flood.

use rustls::{AlertDescription, ContentType, Error, HandshakeType};

use super::*;
use crate::buffers::Buffers;
use crate::error::tls_reason;
use crate::fixed_keys::{pair, Peer, Suite};
use crate::statem::Statem;
use crate::turn::{Event, Want};

/// A connection, its peer, and the connection's buffers.
struct Harness {
    conn: Established,
    peer: Peer,
    bufs: Buffers,
    statem: Statem,
    /// The application data read.
    read: Vec<u8>,
}

impl Harness {
    fn new(suite: Suite, client: bool) -> Self {
        let (conn, peer) = pair(suite, client);
        Self {
            conn,
            peer,
            bufs: Buffers::default(),
            statem: Statem::new(!client, true),
            read: Vec::new(),
        }
    }

    /// Hands `bytes` to the connection as received, and reads until it needs more.
    fn receive(&mut self, bytes: &[u8]) -> Result<Event, Error> {
        let space = self.bufs.input.space(bytes.len());
        space[..bytes.len()].copy_from_slice(bytes);
        self.bufs.input.filled(bytes.len());
        self.run()
    }

    /// Reads until the connection needs input, the peer closed, or it failed.
    fn run(&mut self) -> Result<Event, Error> {
        loop {
            let mut buf = [0u8; 100];
            let event = self
                .conn
                .turn(&mut self.bufs, &mut Want::Read(&mut buf), &mut self.statem);
            // The application's callbacks take their events after each operation.
            self.statem.take_notes();
            match event? {
                Event::Data(n) => self.read.extend_from_slice(&buf[..n]),
                Event::Progress => {}
                other => return Ok(other),
            }
        }
    }

    /// Has the connection encrypt `data` (one record).
    fn write(&mut self, data: &[u8]) {
        let event = self
            .conn
            .turn(&mut self.bufs, &mut Want::Write(data), &mut self.statem);
        assert_eq!(event, Ok(Event::Wrote(data.len())));
    }

    /// The records in the output buffer, opened by the peer, which takes them.
    fn sent(&mut self) -> Vec<(ContentType, Vec<u8>)> {
        let (records, used) = self
            .peer
            .open(self.bufs.output.pending())
            .expect("the peer opens what the connection sent");
        self.bufs.output.consume(used);
        records
    }

    /// The fatal alert the connection sent last.
    fn alert_sent(&mut self) -> Option<(ContentType, Vec<u8>)> {
        self.sent().pop()
    }

    /// The records `n` times.
    fn flood(&mut self, n: usize, record: impl Fn(&mut Peer) -> Vec<u8>) -> Result<Event, Error> {
        let mut bytes = Vec::new();
        for _ in 0..n {
            bytes.extend(record(&mut self.peer));
        }
        self.receive(&bytes)
    }
}

fn alert(level: u8, description: AlertDescription) -> impl Fn(&mut Peer) -> Vec<u8> {
    move |p| p.seal(ContentType::Alert, &[level, u8::from(description)])
}

fn empty_data(p: &mut Peer) -> Vec<u8> {
    p.seal(ContentType::ApplicationData, b"")
}

/// The connection failed with `reason` and sent a fatal `alert`.
fn assert_failed(
    h: &mut Harness,
    result: Result<Event, Error>,
    reason: i32,
    alert: AlertDescription,
) {
    let e = result.expect_err("the connection fails");
    assert_eq!(tls_reason(&e), reason, "{e:?}");
    let sent = h.alert_sent();
    assert_eq!(
        sent,
        Some((ContentType::Alert, vec![FATAL, u8::from(alert)]))
    );
    // It stays failed, and sends nothing more.
    let again = h.run().expect_err("still failed");
    assert_eq!(tls_reason(&again), reason);
    assert!(h.bufs.output.is_empty());
}

fn tls12() -> impl Iterator<Item = (Suite, bool)> {
    Suite::ALL
        .into_iter()
        .filter(|s| !s.tls13())
        .flat_map(|s| [(s, true), (s, false)])
}

fn tls13() -> impl Iterator<Item = (Suite, bool)> {
    Suite::ALL
        .into_iter()
        .filter(|s| s.tls13())
        .flat_map(|s| [(s, true), (s, false)])
}

fn all() -> impl Iterator<Item = (Suite, bool)> {
    tls12().chain(tls13())
}

/// TLS 1.2: four warnings in a row pass, the fifth is fatal ("too many warn alerts",
/// unexpected_message); a record with content in between starts the count again, an
/// empty one does not; a flood stops at the fifth.
#[test]
fn warning_alerts_bounded() {
    let warning = alert(WARNING, AlertDescription::UnsupportedCertificate);
    for (suite, client) in tls12() {
        let mut h = Harness::new(suite, client);
        assert_eq!(h.flood(4, &warning), Ok(Event::NeedInput));
        let data = h.peer.seal(ContentType::ApplicationData, b"x");
        assert_eq!(h.receive(&data), Ok(Event::NeedInput));
        assert_eq!(h.read, b"x");
        assert_eq!(h.flood(2, &warning), Ok(Event::NeedInput));
        assert_eq!(h.flood(1, empty_data), Ok(Event::NeedInput));
        assert_eq!(h.flood(2, &warning), Ok(Event::NeedInput));
        let result = h.flood(1, &warning);
        assert_failed(&mut h, result, 409, AlertDescription::UnexpectedMessage);

        let mut h = Harness::new(suite, client);
        let result = h.flood(10_000, &warning);
        assert_failed(&mut h, result, 409, AlertDescription::UnexpectedMessage);
        // The fifth record failed: the rest were not read.
        let record = warning(&mut Harness::new(suite, client).peer).len();
        assert_eq!(h.bufs.input.pending().len(), (10_000 - 4) * record);

        // OpenSSL counts a close_notify warning before it looks at it.
        let mut h = Harness::new(suite, client);
        assert_eq!(h.flood(4, &warning), Ok(Event::NeedInput));
        let result = h.flood(1, alert(WARNING, AlertDescription::CloseNotify));
        assert_failed(&mut h, result, 409, AlertDescription::UnexpectedMessage);
    }
}

/// TLS 1.3: user_canceled, at either level, is ignored and counted as a warning; other
/// warnings are the peer's error.
#[test]
fn user_canceled_bounded() {
    for (suite, client) in tls13() {
        let mut h = Harness::new(suite, client);
        assert_eq!(
            h.flood(2, alert(WARNING, AlertDescription::UserCanceled)),
            Ok(Event::NeedInput)
        );
        assert_eq!(
            h.flood(2, alert(FATAL, AlertDescription::UserCanceled)),
            Ok(Event::NeedInput)
        );
        let result = h.flood(100, alert(WARNING, AlertDescription::UserCanceled));
        assert_failed(&mut h, result, 409, AlertDescription::UnexpectedMessage);

        let mut h = Harness::new(suite, client);
        let result = h.flood(1, alert(WARNING, AlertDescription::UnsupportedCertificate));
        let e = result.expect_err("a TLS 1.3 warning is fatal");
        assert_eq!(
            e,
            Error::AlertReceived(AlertDescription::UnsupportedCertificate)
        );
    }
}

/// 32 empty records in a row pass, the 33rd is fatal ("record too small",
/// unexpected_message); a record with content starts the count again.
#[test]
fn empty_records_bounded() {
    for (suite, client) in all() {
        let mut h = Harness::new(suite, client);
        assert_eq!(h.flood(32, empty_data), Ok(Event::NeedInput));
        let data = h.peer.seal(ContentType::ApplicationData, b"y");
        assert_eq!(h.receive(&data), Ok(Event::NeedInput));
        assert_eq!(h.flood(32, empty_data), Ok(Event::NeedInput));
        let result = h.flood(1, empty_data);
        assert_failed(&mut h, result, 298, AlertDescription::UnexpectedMessage);

        let mut h = Harness::new(suite, client);
        let result = h.flood(100_000, empty_data);
        assert_failed(&mut h, result, 298, AlertDescription::UnexpectedMessage);
        let record = empty_data(&mut Harness::new(suite, client).peer).len();
        assert_eq!(h.bufs.input.pending().len(), (100_000 - 32) * record);
    }
}

/// TLS 1.2's empty handshake and alert records count as empty (the alert is then
/// refused, "invalid alert"); TLS 1.3's are refused at once ("bad length").
#[test]
fn empty_handshake_and_alert_records() {
    let empty_handshake = |p: &mut Peer| p.seal(ContentType::Handshake, b"");
    for (suite, client) in tls12() {
        let mut h = Harness::new(suite, client);
        assert_eq!(h.flood(32, empty_handshake), Ok(Event::NeedInput));
        let result = h.flood(1, empty_handshake);
        assert_failed(&mut h, result, 298, AlertDescription::UnexpectedMessage);

        let mut h = Harness::new(suite, client);
        let result = h.flood(1, |p| p.seal(ContentType::Alert, b""));
        assert_failed(&mut h, result, 205, AlertDescription::UnexpectedMessage);
    }
    for (suite, client) in tls13() {
        for typ in [ContentType::Handshake, ContentType::Alert] {
            let mut h = Harness::new(suite, client);
            let result = h.flood(1, |p| p.seal(typ, b""));
            assert_failed(&mut h, result, 271, AlertDescription::UnexpectedMessage);
        }
    }
}

/// A KeyUpdate flood asking for updates, never read: one reply waits in the output
/// buffer, whose size does not grow; once it is written, the next request gets a reply.
#[test]
fn key_update_requests_share_one_reply() {
    for (suite, client) in tls13() {
        let mut h = Harness::new(suite, client);
        assert_eq!(h.flood(10, |p| p.key_update(true)), Ok(Event::NeedInput));
        let after_ten = h.bufs.output.pending().len();
        for _ in 0..100 {
            assert_eq!(h.flood(100, |p| p.key_update(true)), Ok(Event::NeedInput));
            assert_eq!(h.bufs.output.pending().len(), after_ten);
        }
        let sent = h.sent();
        assert_eq!(sent.len(), 1);
        assert_eq!(sent[0], (ContentType::Handshake, vec![24, 0, 0, 1, 0]));
        // Both directions still work under the new keys.
        let data = h.peer.seal(ContentType::ApplicationData, b"after");
        assert_eq!(h.receive(&data), Ok(Event::NeedInput));
        assert_eq!(h.read, b"after");
        h.write(b"reply");
        assert_eq!(
            h.sent(),
            [(ContentType::ApplicationData, b"reply".to_vec())]
        );
        // The reply left: the next request gets its own.
        assert_eq!(h.flood(3, |p| p.key_update(true)), Ok(Event::NeedInput));
        assert_eq!(h.sent().len(), 1);
    }
}

/// A reply that has left the output buffer while later records wait does not answer a
/// request that arrives after it.
#[test]
fn key_update_reply_written_out() {
    for (suite, client) in tls13() {
        let mut h = Harness::new(suite, client);
        assert_eq!(h.flood(1, |p| p.key_update(true)), Ok(Event::NeedInput));
        let reply = h.bufs.output.pending().len();
        h.write(b"queued");
        // The write BIO took the reply only.
        let (records, used) = h
            .peer
            .open(&h.bufs.output.pending()[..reply])
            .expect("open");
        assert_eq!((records.len(), used), (1, reply));
        h.bufs.output.consume(reply);
        assert_eq!(h.flood(1, |p| p.key_update(true)), Ok(Event::NeedInput));
        let sent = h.sent();
        assert_eq!(sent.len(), 2, "{sent:?}");
        assert_eq!(sent[0].1, b"queued");
        assert_eq!(sent[1], (ContentType::Handshake, vec![24, 0, 0, 1, 0]));
    }
}

/// The application's own KeyUpdate still waiting answers a peer's request too.
#[test]
fn own_key_update_answers_request() {
    for (suite, client) in tls13() {
        let mut h = Harness::new(suite, client);
        let (conn, bufs, statem) = (&mut h.conn, &mut h.bufs, &mut h.statem);
        conn.key_update(&mut bufs.output, true, statem)
            .expect("key update");
        assert_eq!(h.flood(5, |p| p.key_update(true)), Ok(Event::NeedInput));
        assert_eq!(h.sent(), [(ContentType::Handshake, vec![24, 0, 0, 1, 1])]);
    }
}

/// TLS 1.2 renegotiation requests flooded: one no_renegotiation warning waits at a time.
#[test]
fn renegotiation_refusals_share_one() {
    for (suite, client) in tls12() {
        let mut h = Harness::new(suite, client);
        let request: Vec<u8> = if client {
            vec![u8::from(HandshakeType::HelloRequest), 0, 0, 0]
        } else {
            // A ClientHello's header and a body the refusal does not read.
            let mut m = vec![u8::from(HandshakeType::ClientHello), 0, 0, 40];
            m.extend([3; 40]);
            m
        };
        assert_eq!(
            h.flood(1, |p| p.seal(ContentType::Handshake, &request)),
            Ok(Event::NeedInput)
        );
        let one = h.bufs.output.pending().len();
        for _ in 0..50 {
            let result = h.flood(100, |p| p.seal(ContentType::Handshake, &request));
            assert_eq!(result, Ok(Event::NeedInput));
            assert_eq!(h.bufs.output.pending().len(), one);
        }
        let warning = vec![WARNING, u8::from(AlertDescription::NoRenegotiation)];
        assert_eq!(h.sent(), [(ContentType::Alert, warning.clone())]);
        assert_eq!(
            h.flood(2, |p| p.seal(ContentType::Handshake, &request)),
            Ok(Event::NeedInput)
        );
        assert_eq!(h.sent(), [(ContentType::Alert, warning)]);
    }
}

/// Alerts OpenSSL refuses: not two bytes ("invalid alert"), TLS 1.2's unknown level
/// ("unknown alert type", illegal_parameter), TLS 1.2's no_renegotiation warning ("no
/// renegotiation", handshake_failure); a fatal close_notify is the peer's error.
#[test]
fn alert_checks() {
    for (suite, client) in all() {
        let mut h = Harness::new(suite, client);
        let result = h.flood(1, |p| p.seal(ContentType::Alert, &[1, 0, 0]));
        assert_failed(&mut h, result, 205, AlertDescription::UnexpectedMessage);
    }
    for (suite, client) in tls12() {
        let mut h = Harness::new(suite, client);
        let result = h.flood(1, |p| p.seal(ContentType::Alert, &[3, 10]));
        assert_failed(&mut h, result, 246, AlertDescription::IllegalParameter);

        let mut h = Harness::new(suite, client);
        let result = h.flood(1, alert(WARNING, AlertDescription::NoRenegotiation));
        assert_failed(&mut h, result, 339, AlertDescription::HandshakeFailure);

        let mut h = Harness::new(suite, client);
        let result = h.flood(1, alert(FATAL, AlertDescription::CloseNotify));
        assert_eq!(
            result.err(),
            Some(Error::AlertReceived(AlertDescription::CloseNotify))
        );
    }
}

/// KeyUpdates OpenSSL refuses: a value other than 0 or 1 ("bad key update",
/// illegal_parameter), a body of two bytes ("excessive message size", illegal_parameter),
/// none ("bad key update", decode_error), one followed by more in its record ("not on
/// record boundary").
#[test]
fn key_update_checks() {
    let cases: [(&[u8], i32, AlertDescription); 4] = [
        (&[24, 0, 0, 1, 2], 122, AlertDescription::IllegalParameter),
        (
            &[24, 0, 0, 2, 0, 0],
            152,
            AlertDescription::IllegalParameter,
        ),
        (&[24, 0, 0, 0], 122, AlertDescription::DecodeError),
        (
            &[24, 0, 0, 1, 0, 24, 0],
            182,
            AlertDescription::UnexpectedMessage,
        ),
    ];
    for (suite, client) in tls13() {
        for (message, reason, alert) in cases {
            let mut h = Harness::new(suite, client);
            let result = h.flood(1, |p| p.seal(ContentType::Handshake, message));
            assert_failed(&mut h, result, reason, alert);
        }
    }
}

/// Record types: TLS 1.3's inner type must be one it protects ("bad record type"), and
/// a plaintext of zeros has none; TLS 1.2's ChangeCipherSpec is "ccs received early",
/// an unknown type "unexpected record".
#[test]
fn record_types() {
    for (suite, client) in tls13() {
        let inner: [(&[u8], ContentType); 3] = [
            (b"\x14", ContentType::Unknown(0)),
            (b"data", ContentType::ChangeCipherSpec),
            (b"\0\0\0", ContentType::Unknown(0)),
        ];
        for (plain, typ) in inner {
            let mut h = Harness::new(suite, client);
            let result = h.flood(1, |p| p.seal(typ, plain));
            assert_failed(&mut h, result, 443, AlertDescription::UnexpectedMessage);
        }
        // Padding after the type is allowed.
        let mut h = Harness::new(suite, client);
        let padded = h.peer.seal(ContentType::Unknown(0), b"pad\x17\0\0");
        assert_eq!(h.receive(&padded), Ok(Event::NeedInput));
        assert_eq!(h.read, b"pad");
    }
    for (suite, client) in tls12() {
        let mut h = Harness::new(suite, client);
        let result = h.flood(1, |p| p.seal(ContentType::ChangeCipherSpec, &[1]));
        assert_failed(&mut h, result, 133, AlertDescription::UnexpectedMessage);

        let mut h = Harness::new(suite, client);
        let result = h.flood(1, |p| p.seal(ContentType::Unknown(24), &[1]));
        assert_failed(&mut h, result, 245, AlertDescription::UnexpectedMessage);
    }
}

/// Records keep flowing both ways across idle periods that release the record keys: each
/// direction's sequence numbers carry on (the peer opens what follows, and the connection
/// what the peer sends), however many times the keys go and come back.
#[test]
fn released_keys_come_back_in_sequence() {
    for (suite, client) in all() {
        let mut h = Harness::new(suite, client);
        for round in 0..3u8 {
            let data = h.peer.seal(ContentType::ApplicationData, &[b'a' + round]);
            assert_eq!(h.receive(&data), Ok(Event::NeedInput));
            h.write(&[b'x' + round]);
            assert_eq!(
                h.sent(),
                [(ContentType::ApplicationData, vec![b'x' + round])]
            );
            h.conn.release_keys();
            assert!(h.conn.protection.keys_released());
        }
        assert_eq!(h.read, b"abc");
        // Releasing twice, or with nothing sent since, changes nothing.
        h.conn.release_keys();
        h.conn.release_keys();
        let data = h.peer.seal(ContentType::ApplicationData, b"d");
        assert_eq!(h.receive(&data), Ok(Event::NeedInput));
        assert_eq!(h.read, b"abcd");
        assert!(!h.conn.protection.keys_released());
    }
}

/// A record replayed, or altered, after the keys were released fails as it would with
/// them kept: bad_record_mac, the connection failed.
#[test]
fn replay_and_forgery_across_release_fail() {
    for (suite, client) in all() {
        let mut h = Harness::new(suite, client);
        let data = h.peer.seal(ContentType::ApplicationData, b"once");
        assert_eq!(h.receive(&data), Ok(Event::NeedInput));
        h.conn.release_keys();
        let result = h.receive(&data);
        assert_failed(
            &mut h,
            result,
            sys::SSL_R_DECRYPTION_FAILED_OR_BAD_RECORD_MAC,
            AlertDescription::BadRecordMac,
        );

        let mut h = Harness::new(suite, client);
        let mut forged = h.peer.seal(ContentType::ApplicationData, b"forged");
        h.conn.release_keys();
        let last = forged.len() - 1;
        forged[last] ^= 1;
        let result = h.receive(&forged);
        assert_failed(
            &mut h,
            result,
            sys::SSL_R_DECRYPTION_FAILED_OR_BAD_RECORD_MAC,
            AlertDescription::BadRecordMac,
        );
    }
}

/// A key update that arrives while the keys are released moves both directions on (the
/// request is answered under the old sending key, later records go under the new ones).
#[test]
fn key_update_while_released() {
    for (suite, client) in tls13() {
        let mut h = Harness::new(suite, client);
        h.conn.release_keys();
        assert_eq!(h.flood(1, |p| p.key_update(true)), Ok(Event::NeedInput));
        assert_eq!(h.sent(), [(ContentType::Handshake, vec![24, 0, 0, 1, 0])]);
        h.conn.release_keys();
        let data = h.peer.seal(ContentType::ApplicationData, b"new keys");
        assert_eq!(h.receive(&data), Ok(Event::NeedInput));
        assert_eq!(h.read, b"new keys");
        h.conn.release_keys();
        h.write(b"reply");
        assert_eq!(
            h.sent(),
            [(ContentType::ApplicationData, b"reply".to_vec())]
        );
    }
}
