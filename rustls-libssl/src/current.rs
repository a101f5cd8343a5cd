//! Per-connection state that rustls's shared hooks (certificate verifier, session store, key
//! log) need while one connection's rustls call is in progress.
//!
//! One rustls config is shared by every connection of an SSL_CTX, so the hooks inside it
//! cannot hold per-connection data. The connection publishes its [`ConnState`] in a
//! thread-local for the duration of each rustls call ([`enter`]); the hooks read it there.

use std::cell::RefCell;
use std::sync::atomic::{AtomicBool, AtomicU64};
use std::sync::{Arc, Mutex, MutexGuard};

use rustls::sign::CertifiedKey;

use rustls::pki_types::CertificateDer;
use rustls::{NamedGroup, SupportedCipherSuite};

use crate::cache::SessionCache;
use crate::ciphers::Cipher;
use crate::crypto_sys::{self as sys, Cert, VerifyCallback, VerifyParam, X509Store};
use crate::error::{Error, Result};
use crate::exporter::ExportSecret;
use crate::secrets::{Finished, LoggedSecret};
use crate::session::Session;
use crate::setup::Setup;

/// The lock every user of [`ConnState`]'s fields takes them with.
pub(crate) use crate::sync::lock;

/// What a server made of a ticket it was offered, for the application's decryption
/// callback (`SSL_CTX_set_session_ticket_cb`; OpenSSL's `SSL_TICKET_*` statuses).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TicketStatus {
    /// The client offered an empty ticket (TLS 1.2: "send me one").
    Empty,
    /// The ticket did not open (another key, damaged, expired).
    NoDecrypt,
    /// The ticket opened.
    Success,
    /// The ticket opened and a new one will replace it (TLS 1.3 tickets are single-use).
    SuccessRenew,
}

/// The application's verdict on a ticket.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TicketVerdict {
    /// Resume with it.
    Use,
    /// Resume with it, and issue a new ticket.
    UseRenew,
    /// Do not resume (a full handshake); with `Empty`, issue no ticket.
    Ignore,
    /// Do not resume, but issue a new ticket.
    IgnoreRenew,
    /// Fail (the shim cannot fail the handshake from here: the ticket is not used).
    Abort,
}

/// Application callbacks the core triggers; implemented by the ABI layer, which knows the
/// C function pointers and the `SSL *` they take.
pub(crate) trait Events: Send + Sync {
    /// A new session to offer to the application's session cache (`server`: made by a
    /// server); true if a callback was there to take it.
    fn new_session(&self, session: Arc<Session>, server: bool) -> bool;
    /// A session from the application's external cache (server), by id.
    fn get_session(&self, id: &[u8]) -> Option<Arc<Session>>;
    /// Tells the application's cache a session is no longer valid.
    fn remove_session(&self, session: &Arc<Session>);
    /// Whether the application has a remove-session callback (OpenSSL then keeps a
    /// server's TLS 1.3 ticket sessions in the internal cache too, to report their end).
    fn wants_session_removals(&self) -> bool {
        false
    }
    /// Whether a key-log callback is installed (so secrets are formatted only when needed).
    fn wants_keylog(&self) -> bool;
    /// Whether an info callback is installed (the connection's own, or its context's).
    fn wants_info(&self) -> bool;
    /// Whether a message callback is installed.
    fn wants_messages(&self) -> bool;
    /// Seals a session ticket with the application's ticket-key callback.
    fn seal_ticket(&self, plain: &[u8]) -> Option<Vec<u8>>;
    /// Opens a ticket sealed by [`Events::seal_ticket`] (here or in another process).
    fn open_ticket(&self, ticket: &[u8]) -> Option<Vec<u8>>;
    /// A client about to offer TLS 1.3: runs the application's external-PSK callbacks, as
    /// OpenSSL does while it builds the ClientHello; an error if the handshake cannot go on.
    fn client_psk(&self) -> Result<()> {
        Ok(())
    }
    /// A server is about to seal a ticket: the application's generation callback
    /// (`SSL_CTX_set_session_ticket_cb`) may attach data to the session; false to send none.
    fn ticket_generating(&self) -> bool {
        true
    }
    /// A server was offered a ticket: the application's decryption callback decides
    /// (`None`: no callback).
    fn ticket_opened(
        &self,
        _session: Option<&Arc<Session>>,
        _keyname: &[u8],
        _status: TicketStatus,
    ) -> Option<TicketVerdict> {
        None
    }
    /// A server asked this client for a certificate: runs the application's certificate
    /// callbacks, which may set one on the connection. `Ok(true)` if one ran; `Err` with
    /// the `SSL_R_*` reason if one failed (the handshake then fails).
    fn client_cert_requested(&self) -> std::result::Result<bool, i32>;
}

/// How to verify the peer's certificate for this connection.
pub(crate) struct VerifySetup {
    /// `SSL_VERIFY_*` bits.
    pub mode: i32,
    pub callback: VerifyCallback,
    pub store: X509Store,
    pub param: Option<VerifyParam>,
    /// ex_data index and `SSL *` value for `X509_STORE_CTX`.
    pub ex_data: Option<(i32, usize)>,
    /// The application's replacement for `X509_verify_cert`, and its argument.
    pub replace: Option<(crate::crypto_sys::ReplaceVerify, usize)>,
}

/// The peer's share of the last key exchange, for groups libcrypto can represent as an
/// `EVP_PKEY` (X25519 and the NIST curves; OpenSSL 3.0 knows no hybrid groups).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct PeerShare {
    pub group: NamedGroup,
    pub key: Box<[u8]>,
}

/// What the handshake learned that the application reads afterwards.
#[derive(Default)]
pub(crate) struct Outcome {
    /// `SSL_get_verify_result`: `X509_V_OK` (0) until verification says otherwise.
    pub verify_result: i64,
    /// The peer's chain as sent (leaf first), parsed.
    pub peer_chain: Vec<Cert>,
    /// The server's chain failed verification: as in OpenSSL, a client keeps the chain
    /// (`SSL_get_peer_cert_chain`) but has no peer certificate.
    pub leaf_rejected: bool,
    /// The peer's chain as sent, when the verifier did not parse it (a resumed handshake,
    /// or a server that did not ask for a certificate): parsed when first asked for.
    pub peer_ders: Box<[CertificateDer<'static>]>,
    /// The chain verification built (leaf to trust anchor).
    pub verified_chain: Vec<Cert>,
    /// A stapled OCSP response, if the peer sent one.
    pub ocsp_response: Box<[u8]>,
    /// The peer's key-exchange share (`SSL_get_peer_tmp_key`) and this side's
    /// (`SSL_get_tmp_key`), as far as OpenSSL keeps them.
    pub peer_share: Option<PeerShare>,
    pub own_share: Option<PeerShare>,
    /// The schemes a server's certificate request asked for (clients).
    pub peer_sigalgs: Option<Box<[u16]>>,
    /// The server asked for the client's certificate in the handshake (servers): the
    /// client answered with a Certificate message, perhaps empty.
    pub certificate_requested: bool,
    /// A failure inside a rustls hook that cannot fail the handshake itself (a client
    /// certificate callback): the `SSL_R_*` reason the handshake then fails with.
    pub hook_error: Option<i32>,
    /// `SSL_get0_peer_scts`: the peer's SCTs, collected once (`scts_parsed`), also when
    /// asked before the handshake, as OpenSSL does.
    pub scts: Option<crate::crypto_sys::SctList>,
    pub scts_parsed: bool,
    /// A client the server asked for a certificate: the server's chain as the observer read
    /// it, before rustls verifies it, and what verifying it ahead gave
    /// ([`crate::chain_ahead`]).
    pub chain_ahead: Option<Box<crate::chain_ahead::ChainAhead>>,
    pub verdict_ahead: Option<Box<crate::chain_ahead::Verdict>>,
}

/// State shared between a connection and the hooks running inside its rustls calls.
pub(crate) struct ConnState {
    pub events: Arc<dyn Events>,
    /// Set for the handshake only.
    pub verify: Mutex<Option<Box<VerifySetup>>>,
    pub outcome: Mutex<Outcome>,
    /// The session the application asked to resume (`SSL_set_session`).
    pub resume: Mutex<Option<Arc<Session>>>,
    /// The certificates and keys this side can present (one per key type).
    pub credentials: Mutex<Vec<Arc<CertifiedKey>>>,
    /// What the client offered, for a server (callbacks and `$ssl_*` getters read it).
    pub hello: Mutex<Option<HelloInfo>>,
    /// The session this connection made or resumed (`SSL_get_session`).
    pub last_session: Mutex<Option<Arc<Session>>>,
    /// This side's internal session cache for new sessions (a server's, or a client's
    /// with `SSL_SESS_CACHE_CLIENT`), unless the application disabled storing in it.
    pub server_cache: Mutex<Option<Arc<SessionCache>>>,
    /// The internal cache a server looks sessions up in (also with
    /// `SSL_SESS_CACHE_NO_INTERNAL_STORE`), unless the application disabled lookups.
    pub cache_lookup: Mutex<Option<Arc<SessionCache>>>,
    /// How the application set the connection up.
    pub setup: Mutex<Setup>,
    /// What the connection has learned so far.
    pub status: Mutex<Status>,
    /// Lifetime given to new server sessions.
    pub session_timeout: AtomicU64,
    /// Sessions are single use (0-RTT anti-replay), else resumable again, as in OpenSSL.
    pub single_use_sessions: AtomicBool,
    /// A server's handshake accepted a ticket (and whether its key callback asked for a
    /// renewal).
    pub ticket_use: Mutex<TicketUse>,
    /// The CA names a server's CertificateRequest listed (clients).
    pub peer_ca_names: Mutex<Option<Vec<Vec<u8>>>>,
    /// The secret keying-material exporters derive from, from the key-log hook.
    pub export: Mutex<Option<ExportSecret>>,
    /// `SSL_get0_dane`: DANE flags, TLSA records and what verification matched; made when
    /// the application first uses DANE.
    pub dane: Mutex<Option<Box<crate::crypto_sys::Dane>>>,
    /// Traffic secrets from the key-log hook, for the handshake's observer to take.
    pub secrets: Mutex<Vec<LoggedSecret>>,
    /// Key-log lines (`SSLKEYLOGFILE` format, no newline) for the application's callback,
    /// with their labels: the connection hands them over in OpenSSL's order.
    pub keylog: Mutex<Vec<(&'static str, String)>>,
    /// Both Finished messages' verify_data, once the handshake has seen them.
    pub finished: Mutex<Finished>,
}

/// The parts of a ClientHello the application can ask about (boxed slices, not vectors:
/// a server keeps them for its connection's life).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct HelloInfo {
    /// The ClientHello's `legacy_version` (the highest version a client without
    /// `supported_versions` offers).
    pub legacy_version: u16,
    /// The versions of `supported_versions`, if the extension was sent.
    pub versions: Option<Box<[u16]>>,
    pub server_name: Option<Box<str>>,
    /// ALPN protocols offered, in the client's order.
    pub alpn: Box<[Vec<u8>]>,
    /// Cipher suites offered, as on the wire (two bytes each).
    pub raw_ciphers: Box<[u8]>,
    /// Named groups offered.
    pub groups: Box<[u16]>,
    /// EC point formats offered (TLS 1.2 `ec_point_formats`), if the extension was sent.
    pub ec_point_formats: Option<Box<[u8]>>,
    /// The legacy session id the client sent (a TLS 1.2 ticket session takes it).
    pub session_id: Box<[u8]>,
    /// The length of the `session_ticket` extension's data, if the client sent one (0:
    /// it asks for a ticket without offering one).
    pub session_ticket: Option<usize>,
    /// Signature schemes offered (`signature_algorithms`), if the extension was sent.
    pub sigalgs: Option<Box<[u16]>>,
    /// CA names the client listed (`certificate_authorities`, DER), if it sent them.
    pub ca_names: Option<Box<[Vec<u8>]>>,
    /// The whole ClientHello body, for `SSL_client_hello_get*`; released once the
    /// server name callback has run, as OpenSSL releases it.
    pub body: Box<[u8]>,
    /// The application's SNI callback acknowledged the name (`SSL_TLSEXT_ERR_OK`): as in
    /// OpenSSL, only then does the session record it.
    pub sni_acked: bool,
    /// The client offered 0-RTT data, and post-handshake authentication.
    pub early_data: bool,
    pub post_handshake_auth: bool,
    /// The ClientHello callback has accepted it: its extensions (the server name) count
    /// from then on.
    pub accepted: bool,
}

impl ConnState {
    /// A state with nothing learned yet.
    pub(crate) fn new(events: Arc<dyn Events>, setup: Setup) -> Self {
        Self {
            events,
            verify: Mutex::new(None),
            outcome: Mutex::new(Outcome::default()),
            resume: Mutex::new(None),
            credentials: Mutex::new(Vec::new()),
            hello: Mutex::new(None),
            last_session: Mutex::new(None),
            server_cache: Mutex::new(None),
            cache_lookup: Mutex::new(None),
            setup: Mutex::new(setup),
            status: Mutex::new(Status::default()),
            session_timeout: AtomicU64::new(300),
            single_use_sessions: AtomicBool::new(false),
            ticket_use: Mutex::default(),
            export: Mutex::new(None),
            peer_ca_names: Mutex::new(None),
            dane: Mutex::new(None),
            secrets: Mutex::new(Vec::new()),
            keylog: Mutex::new(Vec::new()),
            finished: Mutex::new(Finished::default()),
        }
    }

    /// The outcome, for reading or updating.
    pub(crate) fn outcome(&self) -> MutexGuard<'_, Outcome> {
        lock(&self.outcome)
    }

    /// The verification outcome, with the peer's chain parsed (certificates are slow to
    /// parse and few applications ask, so this happens on first use).
    pub(crate) fn peer_outcome(&self) -> MutexGuard<'_, Outcome> {
        let mut outcome = lock(&self.outcome);
        if outcome.peer_chain.is_empty() && !outcome.peer_ders.is_empty() {
            let ders = std::mem::take(&mut outcome.peer_ders);
            outcome.peer_chain = ders
                .iter()
                .filter_map(|c| crate::peer_certs::parse(c))
                .collect();
        }
        outcome
    }

    /// The setup, for reading or changing (never held while calling out).
    pub(crate) fn setup(&self) -> MutexGuard<'_, Setup> {
        lock(&self.setup)
    }

    /// A copy of the status.
    pub(crate) fn status(&self) -> Status {
        lock(&self.status).clone()
    }

    /// The verify_data of this side's Finished message (`peer`: of the peer's), as
    /// `SSL_get_finished` reports it: empty before it went by. A TLS 1.2 Finished the
    /// observer kept sealed is opened now, with the master secret the exporter keeps.
    pub(crate) fn finished(&self, peer: bool) -> Vec<u8> {
        let mut finished = lock(&self.finished);
        if finished.sealed {
            let client = self.setup().role != Some(crate::setup::Role::Server);
            let suite = lock(&self.status).cipher.and_then(Cipher::rustls_suite);
            let export = lock(&self.export);
            match (suite, export.as_ref()) {
                (Some(suite), Some(e)) => {
                    let server_random = e.server_random.unwrap_or_default();
                    finished.open(
                        client,
                        suite,
                        e.master_secret(),
                        &e.client_random,
                        &server_random,
                    );
                }
                _ => *finished = Finished::default(),
            }
        }
        finished.get(peer).to_vec()
    }

    /// `SSL_export_keying_material`, once the handshake is complete.
    pub(crate) fn export_keying_material(
        &self,
        out: &mut [u8],
        label: &[u8],
        context: Option<&[u8]>,
    ) -> Result<()> {
        let status = self.status();
        let cipher = status
            .cipher
            .filter(|_| status.established)
            .ok_or(Error::Reason(sys::SSL_R_UNINITIALIZED))?;
        let suite = cipher.rustls_suite().ok_or(Error::Internal)?;
        let hash = match suite {
            SupportedCipherSuite::Tls12(s) => s.common.hash_provider.algorithm(),
            SupportedCipherSuite::Tls13(s) => s.common.hash_provider.algorithm(),
        };
        let secret = lock(&self.export);
        let secret = secret.as_ref().ok_or(Error::Internal)?;
        crate::exporter::export(secret, hash, out, label, context)
    }
}

/// What a server did with the ticket its client offered, and the tickets it issued.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct TicketUse {
    /// The ticket opened and the handshake resumes from it.
    pub accepted: bool,
    /// The client gets a new ticket for the one it resumed with, as in OpenSSL: a TLS 1.3
    /// ticket of the context's own keys, or an application's key callback that returned
    /// 2, unless the decryption callback answered USE (USE_RENEW renews).
    pub renew: bool,
    /// TLS 1.3 tickets (stateless or stateful) issued after this handshake.
    pub issued13: usize,
}

/// What a connection has learned and how far its handshake has come, published by the
/// connection as it goes so that getters answer at any time, also from inside callbacks.
#[derive(Clone, Debug, Default)]
pub(crate) struct Status {
    /// The handshake has started.
    pub started: bool,
    /// The handshake is complete.
    pub established: bool,
    /// A fatal error ended the connection: OpenSSL's error state, in which it counts as
    /// "in init" again and every further handshake, read or write fails at once.
    pub failed: bool,
    /// A server received 0-RTT data.
    pub early_data_received: bool,
    /// The version negotiated before `SSL_clear` (OpenSSL's client version until the next
    /// handshake starts), 0 if none.
    pub cleared_version: u16,
    /// The negotiated version, 0 until known (a server that has read the ClientHello
    /// publishes the version it expects to pick, for callbacks that ask first).
    pub version: u16,
    /// The negotiated suite, once known.
    pub cipher: Option<&'static Cipher>,
    /// The negotiated ALPN protocol.
    pub alpn: Option<Vec<u8>>,
    /// The negotiated key-exchange group.
    pub group: Option<NamedGroup>,
    /// Whether the handshake resumed a session.
    pub resumed: bool,
    /// close_notify sent / received (`SSL_get_shutdown`).
    pub sent_close: bool,
    pub received_close: bool,
    /// The scheme the peer signed the handshake with, and the one this side signed with.
    pub peer_scheme: Option<rustls::SignatureScheme>,
    pub own_scheme: Option<rustls::SignatureScheme>,
    /// A client's server_name was acknowledged by the server: as in OpenSSL, only then
    /// does the client's new session record the name.
    pub name_acked: bool,
    /// OpenSSL's handshake state (`SSL_get_state`).
    pub hand_state: crate::statem::State,
    /// `SSL_renegotiate` was called before the handshake completed (it asks for nothing
    /// more then: the handshake under way is the one asked for).
    pub renegotiate: bool,
    /// A key update `SSL_key_update` asked for, not sent yet: whether it requests one
    /// back.
    pub key_update: Option<bool>,
    /// `SSL_get_early_data_status`.
    pub early_data: i32,
    /// The legacy version of the ClientHello sent or received (`SSL_client_version`).
    pub client_version: u16,
}

thread_local! {
    static CURRENT: RefCell<Option<Arc<ConnState>>> = const { RefCell::new(None) };
}

/// Publishes `state` as the current connection until the guard drops (calls nest).
pub(crate) fn enter(state: &Arc<ConnState>) -> Guard {
    // After the thread's locals are gone (an `atexit` handler calling SSL_shutdown), the
    // hooks find no connection instead of the call panicking.
    let previous = CURRENT
        .try_with(|c| c.replace(Some(Arc::clone(state))))
        .ok()
        .flatten();
    Guard { previous }
}

/// Restores the previously current connection.
pub(crate) struct Guard {
    previous: Option<Arc<ConnState>>,
}

impl Drop for Guard {
    fn drop(&mut self) {
        let previous = self.previous.take();
        let _ = CURRENT.try_with(|c| c.replace(previous));
    }
}

/// The connection whose rustls call is in progress on this thread.
pub(crate) fn current() -> Option<Arc<ConnState>> {
    CURRENT.try_with(|c| c.borrow().clone()).ok().flatten()
}
