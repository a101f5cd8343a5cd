//! Driving the protocol: the state machine (rustls's during the handshake, then
//! [`crate::established::Established`]'s) turns until it needs something, its failures are
//! reported, and records move between the buffers and the application's BIOs.

use std::io;

use rustls::client::ClientConnectionData;
use rustls::server::ServerConnectionData;

use crate::ciphers::Cipher;
use crate::crypto_sys as sys;
use crate::current::{self, lock, ConnState};
use crate::error::Error;
use crate::setup::Role;
use crate::turn::{Event, Want};

use super::unbuffered::{server_hello_random, turn};
use super::{Connection, Step, Stop, Tls, Transport};

impl Connection {
    /// Turns rustls's state machine until it needs something: more input, or the
    /// operation's data (`want`) to flow. Output accumulates in the output buffer.
    pub(super) fn pump(&mut self, io: &Transport<'_>, want: &mut Want<'_>) -> Step<Event> {
        let result = {
            let _current = current::enter(&self.state);
            loop {
                let turned = self.turn_once(want);
                if !self.published {
                    self.publish();
                }
                if turned == Ok(Event::Early) {
                    lock(&self.state.status).early_data_received = true;
                }
                match turned {
                    Ok(Event::Progress) => continue,
                    other => break other,
                }
            }
        };
        self.publish_state();
        // A hook failure OpenSSL reports with its own reason (a client certificate
        // callback, certificate transparency): the handshake fails with it, after the
        // alert rustls queued, if any.
        let hook_error = self.state.outcome().hook_error.take();
        if let Some(reason) = hook_error {
            if let Err(e) = result {
                let _ = self.fail(io, e);
            }
            return Err(Stop::Fatal(Error::Reason(reason)));
        }
        result.map_err(|e| self.fail(io, e))
    }

    /// One [`turn`] of whichever side this is (the caller has entered [`current`]).
    /// The observer (during the handshake) sees the received records before rustls reads
    /// them and the records rustls wrote after.
    fn turn_once(&mut self, want: &mut Want<'_>) -> Result<Event, rustls::Error> {
        let bufs = self.bufs.get_or_insert_with(Box::default);
        if let Some(observer) = self.observer.as_mut() {
            observer.incoming(bufs.input.pending(), &self.state, &mut self.statem);
            // A TLS 1.3 client's CertificateRequest waits for the server's Certificate
            // (crate::chain_ahead).
            if observer.holds_certificate_request() && matches!(self.tls, Some(Tls::Client(_))) {
                return Ok(Event::NeedInput);
            }
        }
        let (input_before, output_before) =
            (bufs.input.pending().len(), bufs.output.pending().len());
        let limit = self.observer.as_ref().and_then(|o| o.handshake_input_end());
        let result = match self.tls.as_mut() {
            Some(Tls::Client(c)) => turn::<ClientConnectionData>(c, bufs, want, None, limit),
            Some(Tls::Server(s)) => {
                let random = Some(&mut self.server_random);
                turn::<ServerConnectionData>(s, bufs, want, random, limit)
            }
            Some(Tls::Established(e)) => e.turn(bufs, want, &mut self.statem),
            None => Err(rustls::Error::General("no connection".into())),
        };
        if let Some(change) = self.alert_override {
            let written = bufs.output.filled_mut().get_mut(output_before..);
            let suite = self.tls.as_ref().and_then(Tls::suite);
            let observer = self.observer.as_deref_mut();
            let changed = written.is_some_and(|written| {
                change.apply(written, observer, &self.state, suite, &mut self.statem)
            });
            if changed {
                self.alert_override = None;
            }
        }
        if let Some(observer) = self.observer.as_mut() {
            observer.consumed(input_before.saturating_sub(bufs.input.pending().len()));
            let suite = self.tls.as_ref().and_then(Tls::suite);
            let written = bufs
                .output
                .pending()
                .get(output_before..)
                .unwrap_or_default();
            observer.outgoing(written, &self.state, suite, &mut self.statem);
        }
        result
    }

    /// A fatal rustls error: sends the alert rustls queued for it, then reports it.
    fn fail(&mut self, io: &Transport<'_>, e: rustls::Error) -> Stop {
        // A certificate that fails stops OpenSSL's reading of the peer's flight there.
        if let rustls::Error::InvalidCertificate(_) | rustls::Error::NoCertificatesPresented = e {
            self.statem.failed_at(crate::statem::msg::CERTIFICATE);
        } else {
            self.statem.failed();
        }
        self.refusal = self.openssl_refusal(&e);
        self.alert_override = self.openssl_alert(&e);
        {
            let _current = current::enter(&self.state);
            // rustls queued its fatal alert last: the first turn that writes sends it, and
            // the turns stop there. A turn after it would read on into what the peer sent
            // after the failing record (rustls keeps those bytes until it discards them),
            // and rustls would answer a second bad record with a second fatal alert;
            // OpenSSL reads nothing after a fatal error.
            for _ in 0..4 {
                let written = self.bufs.as_ref().map_or(0, |b| b.output.pending().len());
                if self.turn_once(&mut Want::Nothing) != Ok(Event::Progress)
                    || self.bufs.as_ref().map_or(0, |b| b.output.pending().len()) > written
                {
                    break;
                }
            }
        }
        let _ = self.flush(io);
        if let rustls::Error::AlertReceived(_) = e {
            // The peer's fatal alert also closes its side (SSL_RECEIVED_SHUTDOWN), and
            // ends a read with 0.
            self.set_closed(false, true);
            return Stop::Ended(self.tls_error(e));
        }
        Stop::Fatal(self.tls_error(e))
    }

    /// The first bytes the peer sent (at most nine).
    pub(super) fn first_bytes(&self) -> &[u8] {
        self.bufs
            .as_ref()
            .map_or(&[][..], |b| b.records.first_bytes())
    }

    /// How OpenSSL fails the handshake for what rustls reports as `e`, where the two
    /// differ: a server's refusals of a ClientHello for its version ([`crate::legacy`]),
    /// and a first message OpenSSL's state machine judges by its header before rustls's
    /// checks (see [`first_message_refusal`]).
    fn openssl_refusal(&self, e: &rustls::Error) -> Option<crate::legacy::Refusal> {
        if self.role != Some(Role::Server) {
            return None;
        }
        let hello = lock(&self.state.hello).clone();
        match (e, hello) {
            (rustls::Error::PeerIncompatible(_), Some(hello)) => {
                let setup = self.setup();
                crate::legacy::refusal(&setup.settings, setup.options, &hello)
            }
            (rustls::Error::InvalidMessage(_), None) => first_message_refusal(self.first_bytes()),
            _ => None,
        }
    }

    /// The alert OpenSSL sends for the failure `e` where rustls writes another: it is
    /// changed in the records of the turn that writes it ([`AlertOverride`]).
    fn openssl_alert(&self, e: &rustls::Error) -> Option<AlertOverride> {
        if let Some(refusal) = self.refusal {
            return Some(AlertOverride {
                from: None,
                to: refusal.alert,
            });
        }
        // rustls's TLS 1.2 server answers a missing client certificate with TLS 1.3's
        // certificate_required; OpenSSL sends handshake_failure (TLS 1.2 has no other). The
        // client's Certificate comes before its ChangeCipherSpec, so the alert is plaintext.
        let tls12_no_certificate = matches!(e, rustls::Error::NoCertificatesPresented)
            && self.role == Some(Role::Server)
            && lock(&self.state.status).version == crate::versions::TLS1_2;
        if tls12_no_certificate {
            return Some(AlertOverride {
                from: Some(CERTIFICATE_REQUIRED),
                to: HANDSHAKE_FAILURE,
            });
        }
        // A verification failure OpenSSL answers with internal_error (a verify callback
        // that refused without an error code): rustls's verifier API can only make it send
        // certificate_unknown (protected in TLS 1.3: the observer seals it again).
        let refused_without_code =
            matches!(
                e,
                rustls::Error::InvalidCertificate(rustls::CertificateError::Other(_))
            ) && crate::verify::sends_internal_error(self.state.outcome().verify_result);
        refused_without_code.then_some(AlertOverride {
            from: Some(CERTIFICATE_UNKNOWN),
            to: INTERNAL_ERROR,
        })
    }

    fn tls_error(&self, e: rustls::Error) -> Error {
        if let Some(refusal) = self.refusal {
            return Error::Reason(refusal.reason);
        }
        // A server that never saw a ClientHello: maybe a plain HTTP request.
        if self.role == Some(Role::Server) && lock(&self.state.hello).is_none() {
            return self.hello_error(e);
        }
        // OpenSSL picks the suite before the key exchange: a client that offers no suite
        // rustls implements fails with "no shared cipher", whatever else it lacks (a TLS 1.2
        // client offering only RSA key exchange sends no supported_groups).
        if let rustls::Error::PeerIncompatible(
            rustls::PeerIncompatible::NoKxGroupsInCommon
            | rustls::PeerIncompatible::NamedGroupsExtensionRequired,
        ) = e
        {
            let offers_usable = lock(&self.state.hello).as_ref().is_some_and(|h| {
                h.raw_ciphers
                    .chunks_exact(2)
                    .filter_map(|c| Cipher::by_id(u16::from_be_bytes([c[0], c[1]])))
                    .any(Cipher::is_implemented)
            });
            if self.role == Some(Role::Server) && !offers_usable {
                return Error::Reason(sys::SSL_R_NO_SHARED_CIPHER);
            }
        }
        let code = self.state.outcome().verify_result;
        match e {
            rustls::Error::General(ref m) if code != 0 && m == crate::verify::VERIFY_FAILED => {
                Error::Verify(i32::try_from(code).unwrap_or(i32::MAX))
            }
            rustls::Error::InvalidCertificate(_) if code != 0 => {
                Error::Verify(i32::try_from(code).unwrap_or(i32::MAX))
            }
            e => Error::Tls(e),
        }
    }

    /// Drops the buffers while nothing is in them (an idle keep-alive connection), and the
    /// sending key's expanded form too if the connection last found nothing to read (a
    /// server that answered a request and waits for the next).
    pub(super) fn release_if_idle(&mut self) {
        if self.bufs.as_mut().is_some_and(|b| b.release_idle()) {
            self.bufs = None;
            if let Some(Tls::Established(established)) = self.tls.as_mut() {
                established.release_send_key_if_reading_idle();
            }
        }
    }

    /// [`Connection::write_out`], then `BIO_flush` on the write BIO, as OpenSSL's state
    /// machine flushes after each flight and alert: a buffering BIO (Apache's output filter)
    /// sends nothing until then. Application data is written without a flush
    /// ([`Connection::write_out`]), as OpenSSL writes it.
    pub(super) fn flush(&mut self, io: &Transport<'_>) -> Step<()> {
        let had_output = self.bufs.as_ref().is_some_and(|b| !b.output.is_empty());
        self.write_out(io)?;
        if !had_output {
            return Ok(());
        }
        let Some(wbio) = io.wbio else {
            return Ok(());
        };
        match wbio.flush() {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => Err(Stop::WantWrite),
            Err(e) => Err(Stop::Fatal(Error::Io(e))),
        }
    }

    /// Writes the output buffer to the write BIO; the buffer goes back to the pool once
    /// empty.
    pub(super) fn write_out(&mut self, io: &Transport<'_>) -> Step<()> {
        let client_in_handshake = self.role == Some(Role::Client) && !self.is_established();
        let Some(out) = self.bufs.as_mut().map(|b| &mut b.output) else {
            return Ok(());
        };
        if out.is_empty() {
            return Ok(());
        }
        // A TLS 1.3 client's middlebox-compatibility ChangeCipherSpec, which rustls emits as
        // soon as the ServerHello arrives, waits for the client's next flight (its Finished,
        // or an alert), as OpenSSL sends it: written alone it is a small segment whose
        // delayed ACK makes Nagle's algorithm hold back the next one, and a client that
        // then fails and closes with unread data resets the connection before its alert
        // leaves (socat's server then reports "Connection reset by peer", not the alert).
        if client_in_handshake && out.pending() == FAKE_CCS {
            return Ok(());
        }
        let wbio = io.wbio.ok_or_else(no_bio)?;
        while !out.is_empty() {
            match wbio.write(out.pending()) {
                Ok(n) => out.consume(n),
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Err(Stop::WantWrite),
                Err(e) => return Err(Stop::Fatal(Error::Io(e))),
            }
        }
        out.release();
        Ok(())
    }

    /// Reads from the read BIO. Without read-ahead no further than the end of the current
    /// record, as OpenSSL does: bytes of the next record stay in the socket, so an
    /// application that polls the socket before reading again, as curl does, still sees
    /// them. With read-ahead (nginx sets it) as much as the input buffer has room for,
    /// which saves a system call per record header. Sets `eof` at the end of the stream.
    pub(super) fn fill(&mut self, io: &Transport<'_>) -> Step<()> {
        let rbio = io.rbio.ok_or_else(no_bio)?;
        let read_ahead = self.setup().read_ahead;
        let bufs = self.bufs.get_or_insert_with(Box::default);
        let wanted = bufs.records.wanted();
        let space = bufs.input.space(wanted);
        let space = if read_ahead {
            space
        } else {
            &mut space[..wanted]
        };
        match rbio.read(space) {
            Ok(0) => {
                self.eof = true;
                self.eof_flagged = rbio.eof();
                self.eof_failed = false;
            }
            Ok(n) => {
                bufs.records.consumed(&space[..n]);
                bufs.input.filled(n);
                // The server's first record is its ServerHello, at the front of the input
                // until rustls has all of it.
                if self.server_random.is_none() && self.role == Some(Role::Client) {
                    self.server_random = server_hello_random(bufs.input.pending());
                }
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                if bufs.release_idle() {
                    // Nothing in flight either way: the connection waits for its peer, with
                    // its record keys released too (an idle keep-alive connection).
                    self.bufs = None;
                    if let Some(Tls::Established(established)) = self.tls.as_mut() {
                        established.release_keys();
                    }
                }
                return Err(Stop::WantRead);
            }
            // A read that fails (-1) at the BIO's end is its end too, as in OpenSSL's
            // record layer, which asks `BIO_eof` whatever the read returned.
            Err(_) if rbio.eof() => {
                self.eof = true;
                self.eof_flagged = true;
                self.eof_failed = true;
            }
            Err(e) => return Err(Stop::Fatal(Error::Io(e))),
        }
        Ok(())
    }
}

/// The ChangeCipherSpec record TLS 1.3 sends for middlebox compatibility.
const FAKE_CCS: [u8; 6] = [0x14, 0x03, 0x03, 0x00, 0x01, 0x01];

/// No BIO set: OpenSSL fails the I/O as a transport error (SSL_ERROR_SYSCALL), queueing
/// nothing.
fn no_bio() -> Error {
    Error::Io(io::Error::new(io::ErrorKind::NotConnected, "no BIO set"))
}

/// Alert descriptions OpenSSL sends where rustls sends others ([`AlertOverride`]).
const HANDSHAKE_FAILURE: u8 = 40;
const CERTIFICATE_UNKNOWN: u8 = 46;
const INTERNAL_ERROR: u8 = 80;
const CERTIFICATE_REQUIRED: u8 = 116;

/// The longest ClientHello OpenSSL's server reads (`CLIENT_HELLO_MAX_LENGTH`).
const CLIENT_HELLO_MAX_LENGTH: u32 = 131_396;

/// OpenSSL's state machine reads a handshake message's type before its length: a
/// server's first message (`head`: the first bytes received) that is not a ClientHello
/// is an unexpected message, a ClientHello longer than OpenSSL reads an excessive message
/// size, whatever rustls finds wrong with it first.
fn first_message_refusal(head: &[u8]) -> Option<crate::legacy::Refusal> {
    let [22, 3, _, len_hi, len_lo, kind, ref length @ ..] = *head else {
        return None;
    };
    if [len_hi, len_lo] == [0, 0] {
        return None;
    }
    if kind != 1 {
        return Some(crate::legacy::Refusal {
            reason: sys::SSL_R_UNEXPECTED_MESSAGE,
            alert: 10,
        });
    }
    let [a, b, c] = *length else {
        return None;
    };
    (u32::from_be_bytes([0, a, b, c]) > CLIENT_HELLO_MAX_LENGTH).then_some(crate::legacy::Refusal {
        reason: sys::SSL_R_EXCESSIVE_MESSAGE_SIZE,
        alert: 47,
    })
}

/// An alert OpenSSL sends where rustls sends another for the same failure: rustls's fatal
/// alert `from` (any, if `None`) becomes `to` in the records of the turn that writes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct AlertOverride {
    pub from: Option<u8>,
    pub to: u8,
}

impl AlertOverride {
    /// Changes the alert in `written` (whole records one turn wrote, not sent yet): a
    /// plaintext one in place, a protected one through the observer, which opens and seals
    /// it again with its own key and nonce. True if the alert was there.
    fn apply(
        self,
        written: &mut [u8],
        observer: Option<&mut crate::observer::Observer>,
        state: &ConnState,
        suite: Option<rustls::SupportedCipherSuite>,
        statem: &mut crate::statem::Statem,
    ) -> bool {
        if self.replace_plain(written) {
            return true;
        }
        match (observer, self.from) {
            (Some(observer), Some(from)) => {
                observer.rewrite_alert(written, state, suite, statem, (from, self.to))
            }
            _ => false,
        }
    }

    /// The plaintext fatal alert record in `written`, if there is one to change.
    fn replace_plain(self, written: &mut [u8]) -> bool {
        let mut at = 0;
        while let Some(header) = written.get(at..at + 5) {
            let len = usize::from(u16::from_be_bytes([header[3], header[4]]));
            let fatal = header[0] == 21 && len == 2 && written.get(at + 5) == Some(&2);
            if fatal {
                if let Some(d) = written.get_mut(at + 6) {
                    if self.from.is_none_or(|from| *d == from) {
                        *d = self.to;
                        return true;
                    }
                }
            }
            at += 5 + len;
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use super::{first_message_refusal, AlertOverride, CERTIFICATE_REQUIRED, HANDSHAKE_FAILURE};
    use crate::crypto_sys as sys;

    #[test]
    fn first_message_judged_by_header() {
        let reason = |head: &[u8]| first_message_refusal(head).map(|r| (r.reason, r.alert));
        // "hello" as a handshake record: message type 0x68.
        assert_eq!(
            reason(b"\x16\x03\x01\x00\x05hell"),
            Some((sys::SSL_R_UNEXPECTED_MESSAGE, 10))
        );
        assert_eq!(
            reason(&[22, 3, 1, 0, 4, 1, 0xff, 0xff, 0xff]),
            Some((sys::SSL_R_EXCESSIVE_MESSAGE_SIZE, 47))
        );
        // A ClientHello of a size OpenSSL reads, an empty record, too few bytes: rustls's
        // reason stands.
        assert_eq!(reason(&[22, 3, 1, 0, 4, 1, 0, 1, 0]), None);
        assert_eq!(reason(&[22, 3, 1, 0, 0, 2]), None);
        assert_eq!(reason(&[22, 3, 1, 0, 4]), None);
        assert_eq!(reason(b"GET / HT"), None);
    }

    #[test]
    fn plain_alert_replaced() {
        let any = AlertOverride { from: None, to: 70 };
        let mut out = [22, 3, 3, 0, 1, 9, 21, 3, 3, 0, 2, 2, 40];
        assert!(any.replace_plain(&mut out));
        assert_eq!(out[12], 70);
        // Alert-like bytes inside another record are not an alert.
        let mut inside = [22, 3, 3, 0, 7, 21, 3, 3, 0, 2, 2, 40];
        assert!(!any.replace_plain(&mut inside));
        assert_eq!(inside[11], 40);
        // A warning alert, or a record cut short, is left alone.
        let mut warning = [21, 3, 3, 0, 2, 1, 0];
        assert!(!any.replace_plain(&mut warning));
        assert_eq!(warning[6], 0);
        let mut short = [21, 3, 3, 0, 2, 2];
        assert!(!any.replace_plain(&mut short));
        assert_eq!(short, [21, 3, 3, 0, 2, 2]);
    }

    #[test]
    fn tls12_missing_certificate_alert() {
        let change = AlertOverride {
            from: Some(CERTIFICATE_REQUIRED),
            to: HANDSHAKE_FAILURE,
        };
        // After other records, the fatal certificate_required alert becomes handshake_failure.
        let mut out = vec![22, 3, 3, 0, 1, 0, 21, 3, 3, 0, 2, 2, 116];
        assert!(change.replace_plain(&mut out));
        assert_eq!(out[6..], [21, 3, 3, 0, 2, 2, 40]);
        // Nothing else is touched: another alert, a truncated record, an empty turn.
        let mut other = vec![21, 3, 3, 0, 2, 2, 42];
        assert!(!change.replace_plain(&mut other));
        assert_eq!(other, [21, 3, 3, 0, 2, 2, 42]);
        let mut short = vec![21, 3, 3, 0, 2, 2];
        assert!(!change.replace_plain(&mut short));
        assert_eq!(short, [21, 3, 3, 0, 2, 2]);
        assert!(!change.replace_plain(&mut []));
    }
}
