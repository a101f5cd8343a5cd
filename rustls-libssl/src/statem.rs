//! OpenSSL's handshake state machine as an application sees it: the state `SSL_get_state`
//! reports and the info-callback events (`SSL_CTX_set_info_callback`) OpenSSL 3.0 fires.
//!
//! rustls runs the handshake; the connection's [`crate::observer`] says which message went
//! which way, and the states follow OpenSSL's rules: a state is named after the message last
//! written or read; the info callback's loop event fires before each move, with the state
//! being left; a flight that is written ends with one more loop event before reading
//! starts; the end of the first handshake fires "done" (OpenSSL fires it once: not again for
//! TLS 1.3 tickets or key updates, and never a "start" after the first handshake in TLS 1.3).
//! Every operation that ran the handshake ends with an exit event (1 when the handshake
//! completed in it, -1 otherwise).

use crate::crypto_sys as sys;

/// An `OSSL_HANDSHAKE_STATE` value.
pub(crate) type State = sys::OSSL_HANDSHAKE_STATE;

pub(crate) const BEFORE: State = sys::OSSL_HANDSHAKE_STATE_TLS_ST_BEFORE;
pub(crate) const OK: State = sys::OSSL_HANDSHAKE_STATE_TLS_ST_OK;
/// Set in the state an event carries once the connection has failed.
pub(crate) const ERROR: State = 1 << 31;

/// Handshake message types (RFC 8446 4, RFC 5246 7.4).
pub(crate) mod msg {
    pub(crate) const HELLO_REQUEST: u8 = 0;
    pub(crate) const CLIENT_HELLO: u8 = 1;
    pub(crate) const SERVER_HELLO: u8 = 2;
    pub(crate) const NEW_SESSION_TICKET: u8 = 4;
    pub(crate) const END_OF_EARLY_DATA: u8 = 5;
    pub(crate) const ENCRYPTED_EXTENSIONS: u8 = 8;
    pub(crate) const CERTIFICATE: u8 = 11;
    pub(crate) const SERVER_KEY_EXCHANGE: u8 = 12;
    pub(crate) const CERTIFICATE_REQUEST: u8 = 13;
    pub(crate) const SERVER_HELLO_DONE: u8 = 14;
    pub(crate) const CERTIFICATE_VERIFY: u8 = 15;
    pub(crate) const CLIENT_KEY_EXCHANGE: u8 = 16;
    pub(crate) const FINISHED: u8 = 20;
    pub(crate) const CERTIFICATE_STATUS: u8 = 22;
    pub(crate) const KEY_UPDATE: u8 = 24;
    /// RFC 8879 (OpenSSL 3.0 has no state for it: the Certificate states stand in).
    pub(crate) const COMPRESSED_CERTIFICATE: u8 = 25;
}

/// A protocol message that moves OpenSSL's state machine.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Msg {
    /// A handshake message of this type.
    Handshake(u8),
    /// A ChangeCipherSpec (TLS 1.3's compatibility one only when written: OpenSSL ignores
    /// those it receives).
    ChangeCipherSpec,
}

impl Msg {
    /// A CompressedCertificate moves the state machine as a Certificate does.
    fn uncompressed(self) -> Self {
        match self {
            Self::Handshake(msg::COMPRESSED_CERTIFICATE) => Self::Handshake(msg::CERTIFICATE),
            m => m,
        }
    }
}

/// One event for the application's callbacks, delivered once the operation that produced
/// it returns (no lock held): `SSL_get_state` answers `state` while it runs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Note {
    /// `info_callback(ssl, kind, value)`.
    Info { kind: i32, value: i32, state: State },
    /// `keylog_callback(ssl, line)`.
    Keylog(String),
    /// `msg_callback(write, version, content_type, bytes, ...)`.
    Message {
        write: bool,
        version: i32,
        content_type: i32,
        bytes: Vec<u8>,
        state: State,
    },
}

/// A message-callback event (stamped with the state when kept).
pub(crate) fn message(write: bool, version: i32, content_type: i32, bytes: &[u8]) -> Note {
    Note::Message {
        write,
        version,
        content_type,
        bytes: bytes.to_vec(),
        state: BEFORE,
    }
}

/// The state machine of one connection.
#[derive(Debug, Default)]
pub(crate) struct Statem {
    server: bool,
    tls13: bool,
    state: State,
    /// A flight is being written (OpenSSL's write sub-machine runs).
    writing: bool,
    started: bool,
    /// "done" fired (the first handshake is over).
    done: bool,
    /// The handshake machine ran in the current operation: an exit event is due.
    ran: bool,
    /// A fatal error ended the connection (`SSL_state_string_long` says "error").
    error: bool,
    /// Whether the application has an info callback (otherwise no info notes are kept).
    pub info: bool,
    /// Whether it has a message callback (record-level events after the handshake are
    /// kept only then).
    pub messages: bool,
    /// The handshake completed in the current operation.
    completed_now: bool,
    /// The peer's messages read in the current operation: type, and the events and state
    /// after it.
    marks: Vec<(u8, usize, State)>,
    /// Events not yet delivered.
    pub notes: Vec<Note>,
}

impl Statem {
    /// The machine of a connection in `server` role, before its handshake.
    pub(crate) fn new(server: bool, info: bool) -> Self {
        Self {
            server,
            info,
            state: BEFORE,
            ..Self::default()
        }
    }

    /// The current state.
    pub(crate) fn state(&self) -> State {
        self.state
    }

    /// Whether the handshake has started.
    pub(crate) fn started(&self) -> bool {
        self.started
    }

    /// Whether a fatal error ended the connection.
    pub(crate) fn in_error(&self) -> bool {
        self.error
    }

    /// The negotiated version is TLS 1.3 (known from the ServerHello).
    pub(crate) fn set_tls13(&mut self, tls13: bool) {
        self.tls13 = tls13;
    }

    /// An operation drives the handshake: the first one starts it.
    pub(crate) fn run(&mut self) {
        if self.done {
            return;
        }
        self.ran = true;
        if !self.started {
            self.started = true;
            self.info(sys::SSL_CB_HANDSHAKE_START, 1);
            // A server's first flight is empty: it goes straight to reading.
            if self.server {
                self.info(self.loop_kind(), 1);
            }
        }
    }

    /// This side wrote `m`; `notes` are its records' and its own message-callback events,
    /// which OpenSSL delivers after the move to the new state.
    pub(crate) fn sent(&mut self, m: Msg, notes: Vec<Note>) {
        let state = self.write_state(m);
        if self.state == OK {
            // A message after the handshake (a key update): OpenSSL runs its state
            // machine for it, without "start" or "done", and back to "ok".
            self.step(state);
            self.push(notes);
            return self.back_to_ok();
        }
        self.writing = true;
        self.step(state);
        // A TLS 1.3 server's first ticket ends the handshake: "done" fires as it is written.
        if self.tls13 && self.server && m == Msg::Handshake(msg::NEW_SESSION_TICKET) && !self.done {
            self.handshake_done();
        }
        self.push(notes);
    }

    /// The peer's `m` was read; `note` is its message-callback event (after the move).
    pub(crate) fn received(&mut self, m: Msg, note: Option<Note>) {
        let state = self.read_state(m);
        if self.state == OK {
            // A message after the handshake (a ticket, a key update): OpenSSL's write
            // machine finds nothing to write, then it reads the message, and back to "ok".
            self.info(self.loop_kind(), 1);
            self.step(state);
            self.push(note);
            return self.back_to_ok();
        }
        self.end_flight();
        self.step(state);
        self.push(note);
        if let (Msg::Handshake(typ), true) = (m, self.info || self.messages) {
            self.marks.push((typ, self.notes.len(), self.state));
        }
    }

    fn back_to_ok(&mut self) {
        self.step(OK);
        let kind = if self.server {
            sys::SSL_CB_ACCEPT_EXIT
        } else {
            sys::SSL_CB_CONNECT_EXIT
        };
        self.info(kind, 1);
    }

    /// Keeps message-callback events, stamped with the current state.
    pub(crate) fn push(&mut self, notes: impl IntoIterator<Item = Note>) {
        let shown = self.shown();
        for mut note in notes {
            if let Note::Message { state, .. } = &mut note {
                *state = shown;
            }
            self.notes.push(note);
        }
    }

    /// The peer's message of type `typ` failed the handshake: OpenSSL stops reading there,
    /// so what was read after it (rustls reads a whole flight first) is not reported. A
    /// CompressedCertificate counts as a Certificate.
    pub(crate) fn failed_at(&mut self, typ: u8) {
        let same = |t: u8| t == typ || (typ, t) == (msg::CERTIFICATE, msg::COMPRESSED_CERTIFICATE);
        if let Some(&(_, len, state)) = self.marks.iter().rev().find(|m| same(m.0)) {
            self.notes.truncate(len);
            self.state = state;
        }
        self.marks = Vec::new();
        self.error = true;
    }

    /// The handshake completed: OpenSSL's last transition, to "ok".
    pub(crate) fn completed(&mut self) {
        if self.state == OK {
            return;
        }
        self.step(OK);
        self.writing = false;
        self.completed_now = true;
        if !self.done {
            self.handshake_done();
        }
    }

    /// A fatal error.
    pub(crate) fn failed(&mut self) {
        self.error = true;
    }

    /// An alert went out (`write`) or came in: `level << 8 | description`.
    pub(crate) fn alert(&mut self, write: bool, level: u8, description: u8) {
        let kind = if write {
            sys::SSL_CB_WRITE_ALERT
        } else {
            sys::SSL_CB_READ_ALERT
        };
        self.info(kind, i32::from(level) << 8 | i32::from(description));
    }

    /// The operation ends (`waiting`: for the peer's next flight): a flight written before
    /// waiting ends with one more loop event, and an operation that ran the handshake with
    /// an exit event (1 if the handshake completed in it).
    pub(crate) fn end_operation(&mut self, waiting: bool) {
        if !std::mem::take(&mut self.ran) {
            return;
        }
        let completed = std::mem::take(&mut self.completed_now);
        if waiting && !completed {
            self.end_flight();
        }
        let kind = if self.server {
            sys::SSL_CB_ACCEPT_EXIT
        } else {
            sys::SSL_CB_CONNECT_EXIT
        };
        self.info(kind, if completed { 1 } else { -1 });
    }

    /// Takes the events not yet delivered.
    pub(crate) fn take_notes(&mut self) -> Vec<Note> {
        self.marks = Vec::new();
        std::mem::take(&mut self.notes)
    }

    /// Keeps a message-callback event now.
    pub(crate) fn message(&mut self, write: bool, version: i32, content_type: i32, bytes: &[u8]) {
        self.push([message(write, version, content_type, bytes)]);
    }

    fn handshake_done(&mut self) {
        self.done = true;
        self.info(sys::SSL_CB_HANDSHAKE_DONE, 1);
    }

    /// The written flight is over: OpenSSL's write machine makes its last transition (a
    /// TLS 1.3 server passes through "early data" first).
    fn end_flight(&mut self) {
        if !std::mem::take(&mut self.writing) {
            return;
        }
        if self.tls13 && self.server && self.state == sys::OSSL_HANDSHAKE_STATE_TLS_ST_SW_FINISHED {
            self.step(sys::OSSL_HANDSHAKE_STATE_TLS_ST_EARLY_DATA);
        }
        self.info(self.loop_kind(), 1);
    }

    /// A loop event with the state being left, then the move.
    fn step(&mut self, to: State) {
        self.info(self.loop_kind(), 1);
        self.state = to;
    }

    fn loop_kind(&self) -> i32 {
        if self.server {
            sys::SSL_CB_ACCEPT_LOOP
        } else {
            sys::SSL_CB_CONNECT_LOOP
        }
    }

    fn info(&mut self, kind: i32, value: i32) {
        if self.info {
            self.notes.push(Note::Info {
                kind,
                value,
                state: self.shown(),
            });
        }
    }

    /// The state an event is delivered with: with [`ERROR`] once the connection failed.
    fn shown(&self) -> State {
        if self.error {
            self.state | ERROR
        } else {
            self.state
        }
    }

    /// The state after writing `m`.
    fn write_state(&self, m: Msg) -> State {
        use sys::*;
        let Msg::Handshake(t) = m.uncompressed() else {
            return if self.server {
                OSSL_HANDSHAKE_STATE_TLS_ST_SW_CHANGE
            } else {
                OSSL_HANDSHAKE_STATE_TLS_ST_CW_CHANGE
            };
        };
        if self.server {
            match t {
                msg::HELLO_REQUEST => OSSL_HANDSHAKE_STATE_TLS_ST_SW_HELLO_REQ,
                msg::SERVER_HELLO => OSSL_HANDSHAKE_STATE_TLS_ST_SW_SRVR_HELLO,
                msg::NEW_SESSION_TICKET => OSSL_HANDSHAKE_STATE_TLS_ST_SW_SESSION_TICKET,
                msg::ENCRYPTED_EXTENSIONS => OSSL_HANDSHAKE_STATE_TLS_ST_SW_ENCRYPTED_EXTENSIONS,
                msg::CERTIFICATE => OSSL_HANDSHAKE_STATE_TLS_ST_SW_CERT,
                msg::SERVER_KEY_EXCHANGE => OSSL_HANDSHAKE_STATE_TLS_ST_SW_KEY_EXCH,
                msg::CERTIFICATE_REQUEST => OSSL_HANDSHAKE_STATE_TLS_ST_SW_CERT_REQ,
                msg::SERVER_HELLO_DONE => OSSL_HANDSHAKE_STATE_TLS_ST_SW_SRVR_DONE,
                msg::CERTIFICATE_VERIFY => OSSL_HANDSHAKE_STATE_TLS_ST_SW_CERT_VRFY,
                msg::FINISHED => OSSL_HANDSHAKE_STATE_TLS_ST_SW_FINISHED,
                msg::CERTIFICATE_STATUS => OSSL_HANDSHAKE_STATE_TLS_ST_SW_CERT_STATUS,
                msg::KEY_UPDATE => OSSL_HANDSHAKE_STATE_TLS_ST_SW_KEY_UPDATE,
                _ => self.state,
            }
        } else {
            match t {
                msg::CLIENT_HELLO => OSSL_HANDSHAKE_STATE_TLS_ST_CW_CLNT_HELLO,
                msg::END_OF_EARLY_DATA => OSSL_HANDSHAKE_STATE_TLS_ST_CW_END_OF_EARLY_DATA,
                msg::CERTIFICATE => OSSL_HANDSHAKE_STATE_TLS_ST_CW_CERT,
                msg::CLIENT_KEY_EXCHANGE => OSSL_HANDSHAKE_STATE_TLS_ST_CW_KEY_EXCH,
                msg::CERTIFICATE_VERIFY => OSSL_HANDSHAKE_STATE_TLS_ST_CW_CERT_VRFY,
                msg::FINISHED => OSSL_HANDSHAKE_STATE_TLS_ST_CW_FINISHED,
                msg::KEY_UPDATE => OSSL_HANDSHAKE_STATE_TLS_ST_CW_KEY_UPDATE,
                _ => self.state,
            }
        }
    }

    /// The state after reading `m`.
    fn read_state(&self, m: Msg) -> State {
        use sys::*;
        let Msg::Handshake(t) = m.uncompressed() else {
            return if self.server {
                OSSL_HANDSHAKE_STATE_TLS_ST_SR_CHANGE
            } else {
                OSSL_HANDSHAKE_STATE_TLS_ST_CR_CHANGE
            };
        };
        if self.server {
            match t {
                msg::CLIENT_HELLO => OSSL_HANDSHAKE_STATE_TLS_ST_SR_CLNT_HELLO,
                msg::END_OF_EARLY_DATA => OSSL_HANDSHAKE_STATE_TLS_ST_SR_END_OF_EARLY_DATA,
                msg::CERTIFICATE => OSSL_HANDSHAKE_STATE_TLS_ST_SR_CERT,
                msg::CLIENT_KEY_EXCHANGE => OSSL_HANDSHAKE_STATE_TLS_ST_SR_KEY_EXCH,
                msg::CERTIFICATE_VERIFY => OSSL_HANDSHAKE_STATE_TLS_ST_SR_CERT_VRFY,
                msg::FINISHED => OSSL_HANDSHAKE_STATE_TLS_ST_SR_FINISHED,
                msg::KEY_UPDATE => OSSL_HANDSHAKE_STATE_TLS_ST_SR_KEY_UPDATE,
                _ => self.state,
            }
        } else {
            match t {
                msg::HELLO_REQUEST => OSSL_HANDSHAKE_STATE_TLS_ST_CR_HELLO_REQ,
                msg::SERVER_HELLO => OSSL_HANDSHAKE_STATE_TLS_ST_CR_SRVR_HELLO,
                msg::NEW_SESSION_TICKET => OSSL_HANDSHAKE_STATE_TLS_ST_CR_SESSION_TICKET,
                msg::ENCRYPTED_EXTENSIONS => OSSL_HANDSHAKE_STATE_TLS_ST_CR_ENCRYPTED_EXTENSIONS,
                msg::CERTIFICATE => OSSL_HANDSHAKE_STATE_TLS_ST_CR_CERT,
                msg::SERVER_KEY_EXCHANGE => OSSL_HANDSHAKE_STATE_TLS_ST_CR_KEY_EXCH,
                msg::CERTIFICATE_REQUEST => OSSL_HANDSHAKE_STATE_TLS_ST_CR_CERT_REQ,
                msg::SERVER_HELLO_DONE => OSSL_HANDSHAKE_STATE_TLS_ST_CR_SRVR_DONE,
                msg::CERTIFICATE_VERIFY => OSSL_HANDSHAKE_STATE_TLS_ST_CR_CERT_VRFY,
                msg::FINISHED => OSSL_HANDSHAKE_STATE_TLS_ST_CR_FINISHED,
                msg::CERTIFICATE_STATUS => OSSL_HANDSHAKE_STATE_TLS_ST_CR_CERT_STATUS,
                msg::KEY_UPDATE => OSSL_HANDSHAKE_STATE_TLS_ST_CR_KEY_UPDATE,
                _ => self.state,
            }
        }
    }
}

/// `SSL_alert_desc_string_long`'s name of an alert description, e.g. "unknown CA".
pub(crate) fn alert_description(description: u8) -> &'static std::ffi::CStr {
    match description {
        0 => c"close notify",
        10 => c"unexpected_message",
        20 => c"bad record mac",
        21 => c"decryption failed",
        22 => c"record overflow",
        30 => c"decompression failure",
        40 => c"handshake failure",
        41 => c"no certificate",
        42 => c"bad certificate",
        43 => c"unsupported certificate",
        44 => c"certificate revoked",
        45 => c"certificate expired",
        46 => c"certificate unknown",
        47 => c"illegal parameter",
        48 => c"unknown CA",
        49 => c"access denied",
        50 => c"decode error",
        51 => c"decrypt error",
        60 => c"export restriction",
        70 => c"protocol version",
        71 => c"insufficient security",
        80 => c"internal error",
        90 => c"user canceled",
        100 => c"no renegotiation",
        110 => c"unsupported extension",
        111 => c"certificate unobtainable",
        112 => c"unrecognized name",
        113 => c"bad certificate status response",
        114 => c"bad certificate hash value",
        115 => c"unknown PSK identity",
        120 => c"no application protocol",
        _ => c"unknown",
    }
}

/// `SSL_state_string_long`'s text for a state.
pub(crate) fn long_name(state: State) -> &'static std::ffi::CStr {
    use sys::*;
    match state {
        OSSL_HANDSHAKE_STATE_TLS_ST_BEFORE => c"before SSL initialization",
        OSSL_HANDSHAKE_STATE_TLS_ST_OK => c"SSL negotiation finished successfully",
        OSSL_HANDSHAKE_STATE_TLS_ST_CR_CERT_STATUS => c"SSLv3/TLS read certificate status",
        OSSL_HANDSHAKE_STATE_TLS_ST_CW_NEXT_PROTO => c"SSLv3/TLS write next proto",
        OSSL_HANDSHAKE_STATE_TLS_ST_SR_NEXT_PROTO => c"SSLv3/TLS read next proto",
        OSSL_HANDSHAKE_STATE_TLS_ST_SW_CERT_STATUS => c"SSLv3/TLS write certificate status",
        OSSL_HANDSHAKE_STATE_TLS_ST_CW_CLNT_HELLO => c"SSLv3/TLS write client hello",
        OSSL_HANDSHAKE_STATE_TLS_ST_CR_SRVR_HELLO => c"SSLv3/TLS read server hello",
        OSSL_HANDSHAKE_STATE_TLS_ST_CR_CERT => c"SSLv3/TLS read server certificate",
        OSSL_HANDSHAKE_STATE_TLS_ST_CR_KEY_EXCH => c"SSLv3/TLS read server key exchange",
        OSSL_HANDSHAKE_STATE_TLS_ST_CR_CERT_REQ => c"SSLv3/TLS read server certificate request",
        OSSL_HANDSHAKE_STATE_TLS_ST_CR_SESSION_TICKET => c"SSLv3/TLS read server session ticket",
        OSSL_HANDSHAKE_STATE_TLS_ST_CR_SRVR_DONE => c"SSLv3/TLS read server done",
        OSSL_HANDSHAKE_STATE_TLS_ST_CW_CERT => c"SSLv3/TLS write client certificate",
        OSSL_HANDSHAKE_STATE_TLS_ST_CW_KEY_EXCH => c"SSLv3/TLS write client key exchange",
        OSSL_HANDSHAKE_STATE_TLS_ST_CW_CERT_VRFY => c"SSLv3/TLS write certificate verify",
        OSSL_HANDSHAKE_STATE_TLS_ST_CW_CHANGE | OSSL_HANDSHAKE_STATE_TLS_ST_SW_CHANGE => {
            c"SSLv3/TLS write change cipher spec"
        }
        OSSL_HANDSHAKE_STATE_TLS_ST_CW_FINISHED | OSSL_HANDSHAKE_STATE_TLS_ST_SW_FINISHED => {
            c"SSLv3/TLS write finished"
        }
        OSSL_HANDSHAKE_STATE_TLS_ST_CR_CHANGE | OSSL_HANDSHAKE_STATE_TLS_ST_SR_CHANGE => {
            c"SSLv3/TLS read change cipher spec"
        }
        OSSL_HANDSHAKE_STATE_TLS_ST_CR_FINISHED | OSSL_HANDSHAKE_STATE_TLS_ST_SR_FINISHED => {
            c"SSLv3/TLS read finished"
        }
        OSSL_HANDSHAKE_STATE_TLS_ST_SR_CLNT_HELLO => c"SSLv3/TLS read client hello",
        OSSL_HANDSHAKE_STATE_TLS_ST_SW_HELLO_REQ => c"SSLv3/TLS write hello request",
        OSSL_HANDSHAKE_STATE_TLS_ST_SW_SRVR_HELLO => c"SSLv3/TLS write server hello",
        OSSL_HANDSHAKE_STATE_TLS_ST_SW_CERT => c"SSLv3/TLS write certificate",
        OSSL_HANDSHAKE_STATE_TLS_ST_SW_KEY_EXCH => c"SSLv3/TLS write key exchange",
        OSSL_HANDSHAKE_STATE_TLS_ST_SW_CERT_REQ => c"SSLv3/TLS write certificate request",
        OSSL_HANDSHAKE_STATE_TLS_ST_SW_SESSION_TICKET => c"SSLv3/TLS write session ticket",
        OSSL_HANDSHAKE_STATE_TLS_ST_SW_SRVR_DONE => c"SSLv3/TLS write server done",
        OSSL_HANDSHAKE_STATE_TLS_ST_SR_CERT => c"SSLv3/TLS read client certificate",
        OSSL_HANDSHAKE_STATE_TLS_ST_SR_KEY_EXCH => c"SSLv3/TLS read client key exchange",
        OSSL_HANDSHAKE_STATE_TLS_ST_SR_CERT_VRFY => c"SSLv3/TLS read certificate verify",
        OSSL_HANDSHAKE_STATE_DTLS_ST_CR_HELLO_VERIFY_REQUEST => c"DTLS1 read hello verify request",
        OSSL_HANDSHAKE_STATE_DTLS_ST_SW_HELLO_VERIFY_REQUEST => c"DTLS1 write hello verify request",
        OSSL_HANDSHAKE_STATE_TLS_ST_SW_ENCRYPTED_EXTENSIONS => {
            c"TLSv1.3 write encrypted extensions"
        }
        OSSL_HANDSHAKE_STATE_TLS_ST_CR_ENCRYPTED_EXTENSIONS => c"TLSv1.3 read encrypted extensions",
        OSSL_HANDSHAKE_STATE_TLS_ST_CR_CERT_VRFY => c"TLSv1.3 read server certificate verify",
        OSSL_HANDSHAKE_STATE_TLS_ST_SW_CERT_VRFY => c"TLSv1.3 write server certificate verify",
        OSSL_HANDSHAKE_STATE_TLS_ST_CR_HELLO_REQ => c"SSLv3/TLS read hello request",
        OSSL_HANDSHAKE_STATE_TLS_ST_SW_KEY_UPDATE => c"TLSv1.3 write server key update",
        OSSL_HANDSHAKE_STATE_TLS_ST_CW_KEY_UPDATE => c"TLSv1.3 write client key update",
        OSSL_HANDSHAKE_STATE_TLS_ST_SR_KEY_UPDATE => c"TLSv1.3 read client key update",
        OSSL_HANDSHAKE_STATE_TLS_ST_CR_KEY_UPDATE => c"TLSv1.3 read server key update",
        OSSL_HANDSHAKE_STATE_TLS_ST_EARLY_DATA => c"TLSv1.3 early data",
        OSSL_HANDSHAKE_STATE_TLS_ST_PENDING_EARLY_DATA_END => c"TLSv1.3 pending early data end",
        OSSL_HANDSHAKE_STATE_TLS_ST_CW_END_OF_EARLY_DATA => c"TLSv1.3 write end of early data",
        OSSL_HANDSHAKE_STATE_TLS_ST_SR_END_OF_EARLY_DATA => c"TLSv1.3 read end of early data",
        _ => c"unknown state",
    }
}

/// `SSL_state_string`'s abbreviation for a state.
pub(crate) fn short_name(state: State) -> &'static std::ffi::CStr {
    use sys::*;
    match state {
        OSSL_HANDSHAKE_STATE_TLS_ST_SR_NEXT_PROTO => c"TRNP",
        OSSL_HANDSHAKE_STATE_TLS_ST_SW_SESSION_TICKET => c"TWST",
        OSSL_HANDSHAKE_STATE_TLS_ST_SW_CERT_STATUS => c"TWCS",
        OSSL_HANDSHAKE_STATE_TLS_ST_CR_CERT_STATUS => c"TRCS",
        OSSL_HANDSHAKE_STATE_TLS_ST_CR_SESSION_TICKET => c"TRST",
        OSSL_HANDSHAKE_STATE_TLS_ST_CW_NEXT_PROTO => c"TWNP",
        OSSL_HANDSHAKE_STATE_TLS_ST_BEFORE => c"PINIT",
        OSSL_HANDSHAKE_STATE_TLS_ST_OK => c"SSLOK",
        OSSL_HANDSHAKE_STATE_TLS_ST_CW_CLNT_HELLO => c"TWCH",
        OSSL_HANDSHAKE_STATE_TLS_ST_CR_SRVR_HELLO => c"TRSH",
        OSSL_HANDSHAKE_STATE_TLS_ST_CR_CERT => c"TRSC",
        OSSL_HANDSHAKE_STATE_TLS_ST_CR_KEY_EXCH => c"TRSKE",
        OSSL_HANDSHAKE_STATE_TLS_ST_CR_CERT_REQ => c"TRCR",
        OSSL_HANDSHAKE_STATE_TLS_ST_CR_SRVR_DONE => c"TRSD",
        OSSL_HANDSHAKE_STATE_TLS_ST_CW_CERT => c"TWCC",
        OSSL_HANDSHAKE_STATE_TLS_ST_CW_KEY_EXCH => c"TWCKE",
        OSSL_HANDSHAKE_STATE_TLS_ST_CW_CERT_VRFY => c"TWCV",
        OSSL_HANDSHAKE_STATE_TLS_ST_SW_CHANGE | OSSL_HANDSHAKE_STATE_TLS_ST_CW_CHANGE => c"TWCCS",
        OSSL_HANDSHAKE_STATE_TLS_ST_SW_FINISHED | OSSL_HANDSHAKE_STATE_TLS_ST_CW_FINISHED => {
            c"TWFIN"
        }
        OSSL_HANDSHAKE_STATE_TLS_ST_SR_CHANGE | OSSL_HANDSHAKE_STATE_TLS_ST_CR_CHANGE => c"TRCCS",
        OSSL_HANDSHAKE_STATE_TLS_ST_SR_FINISHED | OSSL_HANDSHAKE_STATE_TLS_ST_CR_FINISHED => {
            c"TRFIN"
        }
        OSSL_HANDSHAKE_STATE_TLS_ST_SW_HELLO_REQ => c"TWHR",
        OSSL_HANDSHAKE_STATE_TLS_ST_SR_CLNT_HELLO => c"TRCH",
        OSSL_HANDSHAKE_STATE_TLS_ST_SW_SRVR_HELLO => c"TWSH",
        OSSL_HANDSHAKE_STATE_TLS_ST_SW_CERT => c"TWSC",
        OSSL_HANDSHAKE_STATE_TLS_ST_SW_KEY_EXCH => c"TWSKE",
        OSSL_HANDSHAKE_STATE_TLS_ST_SW_CERT_REQ => c"TWCR",
        OSSL_HANDSHAKE_STATE_TLS_ST_SW_SRVR_DONE => c"TWSD",
        OSSL_HANDSHAKE_STATE_TLS_ST_SR_CERT => c"TRCC",
        OSSL_HANDSHAKE_STATE_TLS_ST_SR_KEY_EXCH => c"TRCKE",
        OSSL_HANDSHAKE_STATE_TLS_ST_SR_CERT_VRFY => c"TRCV",
        OSSL_HANDSHAKE_STATE_DTLS_ST_CR_HELLO_VERIFY_REQUEST => c"DRCHV",
        OSSL_HANDSHAKE_STATE_DTLS_ST_SW_HELLO_VERIFY_REQUEST => c"DWCHV",
        OSSL_HANDSHAKE_STATE_TLS_ST_SW_ENCRYPTED_EXTENSIONS => c"TWEE",
        OSSL_HANDSHAKE_STATE_TLS_ST_CR_ENCRYPTED_EXTENSIONS => c"TREE",
        OSSL_HANDSHAKE_STATE_TLS_ST_CR_CERT_VRFY => c"TRSCV",
        OSSL_HANDSHAKE_STATE_TLS_ST_SW_CERT_VRFY => c"TWSCV",
        OSSL_HANDSHAKE_STATE_TLS_ST_CR_HELLO_REQ => c"TRHR",
        OSSL_HANDSHAKE_STATE_TLS_ST_SW_KEY_UPDATE => c"TWSKU",
        OSSL_HANDSHAKE_STATE_TLS_ST_CW_KEY_UPDATE => c"TWCKU",
        OSSL_HANDSHAKE_STATE_TLS_ST_SR_KEY_UPDATE => c"TRCKU",
        OSSL_HANDSHAKE_STATE_TLS_ST_CR_KEY_UPDATE => c"TRSKU",
        OSSL_HANDSHAKE_STATE_TLS_ST_EARLY_DATA => c"TED",
        OSSL_HANDSHAKE_STATE_TLS_ST_PENDING_EARLY_DATA_END => c"TPEDE",
        // OpenSSL gives both end-of-early-data states the same abbreviation.
        OSSL_HANDSHAKE_STATE_TLS_ST_CW_END_OF_EARLY_DATA
        | OSSL_HANDSHAKE_STATE_TLS_ST_SR_END_OF_EARLY_DATA => c"TWEOED",
        _ => c"UNKWN",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn loops(notes: &[Note]) -> Vec<State> {
        notes
            .iter()
            .filter_map(|n| match n {
                Note::Info { kind, state, .. } if kind & sys::SSL_CB_LOOP != 0 => Some(*state),
                _ => None,
            })
            .collect()
    }

    /// A TLS 1.3 client's full handshake, as `openssl s_client -state` prints it.
    #[test]
    fn tls13_client() {
        use sys::*;
        let mut m = Statem::new(false, true);
        m.run();
        m.sent(Msg::Handshake(msg::CLIENT_HELLO), vec![]);
        m.end_operation(true);
        assert_eq!(m.state(), OSSL_HANDSHAKE_STATE_TLS_ST_CW_CLNT_HELLO);
        m.run();
        m.received(Msg::Handshake(msg::SERVER_HELLO), None);
        m.set_tls13(true);
        for t in [
            msg::ENCRYPTED_EXTENSIONS,
            msg::CERTIFICATE,
            msg::CERTIFICATE_VERIFY,
            msg::FINISHED,
        ] {
            m.received(Msg::Handshake(t), None);
        }
        m.sent(Msg::ChangeCipherSpec, vec![]);
        m.sent(Msg::Handshake(msg::FINISHED), vec![]);
        m.completed();
        m.end_operation(false);
        let notes = m.take_notes();
        assert_eq!(
            loops(&notes),
            [
                BEFORE,
                OSSL_HANDSHAKE_STATE_TLS_ST_CW_CLNT_HELLO,
                OSSL_HANDSHAKE_STATE_TLS_ST_CW_CLNT_HELLO,
                OSSL_HANDSHAKE_STATE_TLS_ST_CR_SRVR_HELLO,
                OSSL_HANDSHAKE_STATE_TLS_ST_CR_ENCRYPTED_EXTENSIONS,
                OSSL_HANDSHAKE_STATE_TLS_ST_CR_CERT,
                OSSL_HANDSHAKE_STATE_TLS_ST_CR_CERT_VRFY,
                OSSL_HANDSHAKE_STATE_TLS_ST_CR_FINISHED,
                OSSL_HANDSHAKE_STATE_TLS_ST_CW_CHANGE,
                OSSL_HANDSHAKE_STATE_TLS_ST_CW_FINISHED,
            ]
        );
        let kinds: Vec<i32> = notes
            .iter()
            .filter_map(|n| match n {
                Note::Info { kind, value, .. } if kind & SSL_CB_LOOP == 0 => {
                    Some(kind * 10 + value)
                }
                _ => None,
            })
            .collect();
        assert_eq!(
            kinds,
            [
                SSL_CB_HANDSHAKE_START * 10 + 1,
                SSL_CB_CONNECT_EXIT * 10 - 1,
                SSL_CB_HANDSHAKE_DONE * 10 + 1,
                SSL_CB_CONNECT_EXIT * 10 + 1,
            ]
        );
        assert_eq!(m.state(), OK);
        // A ticket afterwards: loop events and an exit, no start or done.
        m.received(Msg::Handshake(msg::NEW_SESSION_TICKET), None);
        let notes = m.take_notes();
        assert_eq!(
            loops(&notes),
            [OK, OK, OSSL_HANDSHAKE_STATE_TLS_ST_CR_SESSION_TICKET]
        );
        assert_eq!(notes.len(), 4);
    }

    /// A TLS 1.3 server stops in "early data" after its flight, and "done" fires with its
    /// first ticket.
    #[test]
    fn tls13_server() {
        use sys::*;
        let mut m = Statem::new(true, true);
        m.run();
        m.received(Msg::Handshake(msg::CLIENT_HELLO), None);
        m.sent(Msg::Handshake(msg::SERVER_HELLO), vec![]);
        m.set_tls13(true);
        for t in [
            msg::ENCRYPTED_EXTENSIONS,
            msg::CERTIFICATE,
            msg::CERTIFICATE_VERIFY,
            msg::FINISHED,
        ] {
            m.sent(Msg::Handshake(t), vec![]);
        }
        m.end_operation(true);
        assert_eq!(m.state(), OSSL_HANDSHAKE_STATE_TLS_ST_EARLY_DATA);
        m.take_notes();
        m.run();
        m.received(Msg::Handshake(msg::FINISHED), None);
        m.sent(Msg::Handshake(msg::NEW_SESSION_TICKET), vec![]);
        let done = m.take_notes();
        assert!(matches!(
            done.last(),
            Some(Note::Info {
                kind: SSL_CB_HANDSHAKE_DONE,
                ..
            })
        ));
        m.sent(Msg::Handshake(msg::NEW_SESSION_TICKET), vec![]);
        m.completed();
        m.end_operation(false);
        let notes = m.take_notes();
        assert!(!notes.iter().any(|n| matches!(
            n,
            Note::Info {
                kind: SSL_CB_HANDSHAKE_DONE,
                ..
            }
        )));
        assert_eq!(m.state(), OK);
    }
}
