//! What the application sees of the connection as it runs: the negotiated parameters and
//! the state machine's state, published to the shared [`crate::current::ConnState`] for
//! getters, and the state machine's events for the info, message and key-log callbacks.

use crate::ciphers::Cipher;
use crate::crypto_sys as sys;
use crate::current::lock;
use crate::setup::Role;
use crate::statem::Note;

use super::Connection;

impl Connection {
    /// Whether the application has an info callback and a message callback now (OpenSSL
    /// looks at each event; the state machine keeps events only for callbacks there are).
    pub(crate) fn listeners(&mut self, info: bool, messages: bool) {
        self.statem.info = info;
        self.statem.messages = messages;
        if let Some(observer) = self.observer.as_mut() {
            observer.messages = messages;
        }
    }

    /// The operation ends (`waiting`: for the peer's data): the state machine's last
    /// events, and its state published.
    pub(crate) fn end_operation(&mut self, waiting: bool) {
        self.statem.end_operation(waiting);
        self.publish_state();
    }

    /// An alert went out by another way than the protocol engine (a callback refused the
    /// ClientHello): the info and message callbacks hear of it.
    pub(crate) fn alert_sent(&mut self, level: u8, description: u8) {
        if self.statem.messages {
            self.statem
                .message(true, sys::TLS_ANY_VERSION, 21, &[level, description]);
        }
        self.statem.alert(true, level, description);
    }

    /// The events for the application's info, message and key-log callbacks, in order
    /// (key-log lines after the operation's other events, in OpenSSL's order).
    pub(crate) fn take_notes(&mut self) -> Vec<Note> {
        let mut notes = self.statem.take_notes();
        if self.keylog_done {
            return notes;
        }
        let all = self.finished || self.statem.in_error();
        self.keylog_done = all;
        let mut lines = std::mem::take(&mut *lock(&self.state.keylog));
        if !lines.is_empty() || !self.held_keylog.is_empty() {
            let server = self.role == Some(Role::Server);
            crate::keylog::order(&mut lines, &mut self.held_keylog, server, all);
            notes.extend(lines.into_iter().map(|(_, line)| Note::Keylog(line)));
        }
        notes
    }

    /// Publishes the state machine's state (only when it changed: this runs with every
    /// read and write).
    pub(super) fn publish_state(&mut self) {
        let version = self.observer.as_ref().and_then(|o| o.client_version);
        let acked = self.observer.as_ref().is_some_and(|o| o.name_acked);
        let now = (self.statem.state(), self.statem.in_error(), version, acked);
        if self.published_state == Some(now) {
            return;
        }
        self.published_state = Some(now);
        let mut status = lock(&self.state.status);
        status.hand_state = now.0;
        status.failed = now.1;
        if let Some(version) = version {
            status.client_version = version;
        }
        status.name_acked |= acked;
    }

    /// Publishes the negotiated version and suite once known (new sessions carry them).
    pub(super) fn publish(&mut self) {
        let Some(tls) = self.tls.as_ref() else { return };
        let established = tls.is_established();
        let mut status = lock(&self.state.status);
        if let Some(v) = tls.version() {
            status.version = u16::from(v);
        }
        status.cipher = tls.suite().and_then(Cipher::find);
        status.alpn = tls.alpn().map(<[u8]>::to_vec);
        status.group = tls.group();
        status.resumed = tls.resumed();
        status.established = established;
        drop(status);
        if established {
            // The peer's certificates as sent, for getters (parsed when first asked for:
            // after a resumed handshake the verifier did not parse them).
            let mut outcome = self.state.outcome();
            if outcome.peer_chain.is_empty() {
                outcome.peer_ders = tls.peer_certificates().map(Into::into).unwrap_or_default();
            }
        }
        self.published = established;
    }
}
