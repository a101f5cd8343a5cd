//! `SSL_CTX`: settings shared by the connections made from it, and the rustls config built
//! from them once and shared by every connection until a setting changes.

use std::sync::{Arc, Mutex, MutexGuard, OnceLock};

use rustls::client::{Resumption, Tls12Resumption};
use rustls::compress::CompressionCache;
use rustls::crypto::CryptoProvider;
use rustls::server::NoServerSessionStorage;
use rustls::{ClientConfig, ServerConfig};

use crate::cache::{self, SessionCache};
use crate::cert_compression;
use crate::ciphers::{Cipher, CipherList};
use crate::credentials::Credentials;
use crate::crypto_sys::{self as sys, PasswordCallback, VerifyCallback, VerifyParam, X509Store};
use crate::current::lock;
use crate::error::{Error, Result};
use crate::groups::{self, Groups};
use crate::keylog::KeyLogHook;
use crate::resumption::{ClientSessionHook, ServerSessionHook};
use crate::stats::Stats;
use crate::tickets::{OwnTickets, TicketHook, TicketKeys};
use crate::verify;
use crate::versions::{VersionRange, TLS1_2, TLS1_3};

/// The `SSL_OP_*` bits the rustls configs are built from (protocol versions, server cipher
/// preference, tickets, certificate compression); the others are read per connection.
pub(crate) const CONFIG_OPTIONS: u64 = sys::SSL_OP_NO_SSLv3
    | sys::SSL_OP_NO_TLSv1
    | sys::SSL_OP_NO_TLSv1_1
    | sys::SSL_OP_NO_TLSv1_2
    | sys::SSL_OP_NO_TLSv1_3
    | sys::SSL_OP_CIPHER_SERVER_PREFERENCE
    | sys::SSL_OP_NO_TICKET
    | cert_compression::NO_TX
    | cert_compression::NO_RX;

/// Which roles a method allows (`TLS_method`, `TLS_client_method`, `TLS_server_method`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Method {
    Any,
    Client,
    Server,
}

/// A method: its roles, and the one protocol version a version-specific method
/// (`TLSv1_2_method`...) fixes (0 for the flexible `TLS_*_method`s).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct MethodKind {
    pub roles: Method,
    pub version: u16,
    /// A DTLS method: settings work, handshakes fail (rustls has no DTLS).
    pub dtls: bool,
}

/// Everything an application configures on a context (and, copied, on a connection).
#[derive(Clone)]
pub(crate) struct Settings {
    pub versions: VersionRange,
    /// `SSL_OP_*` bits.
    pub options: u64,
    /// `SSL_MODE_*` bits.
    pub mode: u64,
    /// `SSL_CTX_set_read_ahead`.
    pub read_ahead: bool,
    /// The TLS 1.2 suites (`SSL_CTX_set_cipher_list`), implemented ones in OpenSSL's order.
    pub tls12_ciphers: CipherList,
    /// The suites of the same cipher string that only TLS 1.0 and 1.1 could use
    /// ([`crate::ciphers::CipherString::legacy`]).
    pub legacy_ciphers: CipherList,
    /// The TLS 1.3 suites (`SSL_CTX_set_ciphersuites`).
    pub tls13_ciphers: CipherList,
    /// `SSL_CTX_set_security_level` or `@SECLEVEL=n`; it limits the suites offered.
    pub security_level: i32,
    pub groups: Groups,
    /// ALPN protocols offered by a client, in wire order.
    pub alpn: Vec<Vec<u8>>,
    /// `SSL_VERIFY_*` bits.
    pub verify_mode: i32,
    pub verify_callback: VerifyCallback,
    pub credentials: Credentials,
    pub password: PasswordCallback,
    /// `SSL_SESS_CACHE_*` bits.
    pub session_cache_mode: i64,
    /// Session lifetime in seconds.
    pub session_timeout: u64,
    /// `SSL_CTX_set_max_early_data` (stored; 0-RTT is not accepted yet).
    pub max_early_data: u32,
    /// The application seals tickets itself (a ticket-key callback is set).
    pub external_tickets: bool,
    /// Signature schemes a server may sign with (`SignatureAlgorithms`); `None`: any.
    pub sigalgs: Option<Vec<rustls::SignatureScheme>>,
    /// CA names a server sends in its CertificateRequest (`SSL_CTX_set_client_CA_list`).
    pub client_ca_names: Vec<rustls::DistinguishedName>,
    /// CA names a TLS 1.3 client sends in `certificate_authorities` (`SSL_CTX_set0_CA_list`).
    pub ca_names: Vec<rustls::DistinguishedName>,
    /// `SSL_CTX_set1_verify_cert_store`: verifies peers instead of the trust store.
    pub verify_store: Option<X509Store>,
    /// `SSL_CTX_set1_chain_cert_store`: builds this side's chain instead of the trust store.
    pub chain_store: Option<X509Store>,
    /// `SSL_CTX_set_session_id_context`: sessions resume only under the same context.
    pub session_id_context: Vec<u8>,
    /// Values OpenSSL stores and reports that need no rustls configuration.
    pub knobs: Knobs,
    /// `SSL_CTX_set_cert_verify_callback`: the application's chain verification.
    pub cert_verify: Option<(crate::crypto_sys::ReplaceVerify, usize)>,
    /// `SSL_CTX_set_quiet_shutdown`.
    pub quiet_shutdown: bool,
    /// `SSL_CTX_dane_enable` (and `SSL_CTX_dane_mtype_set`): the TLSA matching types.
    pub dane: Option<crate::crypto_sys::DaneMtypes>,
    /// `DANE_FLAG_*` (`SSL_CTX_dane_set_flags`); a connection starts with its context's.
    pub dane_flags: u64,
}

/// Settings OpenSSL keeps and reports back (`SSL_CTX_get_max_cert_list`...) which change
/// nothing rustls is configured with; several of them act in the shim itself.
#[derive(Clone, Debug)]
pub(crate) struct Knobs {
    /// `SSL_CTX_set_max_cert_list`.
    pub max_cert_list: i64,
    /// `SSL_CTX_set_max_send_fragment` / `split_send_fragment` / `max_pipelines`.
    pub max_send_fragment: i64,
    pub split_send_fragment: i64,
    pub max_pipelines: i64,
    /// `SSL_CERT_FLAG_*` (`SSL_CTX_ctrl(SSL_CTRL_CERT_FLAGS)`).
    pub cert_flags: i64,
    /// `SSL_CTX_set_tlsext_status_type`: -1 until set.
    pub status_type: i64,
    /// `SSL_CTX_set1_client_certificate_types`.
    pub client_cert_types: Vec<u8>,
    /// `SSL_CTX_set1_client_sigalgs`.
    pub client_sigalgs: Option<Vec<rustls::SignatureScheme>>,
    /// `SSL_CTX_set_dh_auto` and the temporary DH parameters (rustls has no finite-field
    /// DHE suites: kept, never used).
    pub dh_auto: i64,
    pub tmp_dh: Option<crate::crypto_sys::PKey>,
    /// `SSL_CTX_set_num_tickets`: TLS 1.3 tickets a server sends after a full handshake.
    pub num_tickets: usize,
    /// `SSL_CTX_set_block_padding`.
    pub block_padding: usize,
    /// `SSL_CTX_set_recv_max_early_data`.
    pub recv_max_early_data: u32,
    /// `SSL_CTX_set_default_read_buffer_len`.
    pub read_buffer_len: usize,
    /// `SSL_CTX_set_srp_strength` (kept; rustls has no SRP).
    pub srp_strength: i64,
    /// `SSL_CTX_use_psk_identity_hint`.
    pub psk_identity_hint: Option<String>,
    /// `SSL_CTX_set_ct_validation_callback` (`SSL_CTX_enable_ct`): the certificate
    /// transparency callback and its argument; CT is enabled while set.
    pub ct_validation: Option<(crate::crypto_sys::CtCallback, usize)>,
    /// `SSL_CTX_set_tlsext_max_fragment_length` mode.
    pub max_fragment_length: u8,
    /// Extension types server info registered (`SSL_CTX_use_serverinfo`).
    pub serverinfo_types: Vec<u16>,
    /// `SSL_CTX_set_client_cert_engine`.
    pub client_cert_engine: Option<crate::crypto_sys::ClientCertEngine>,
}

impl Default for Knobs {
    fn default() -> Self {
        Self {
            max_cert_list: 100 * 1024,
            max_send_fragment: 16384,
            split_send_fragment: 16384,
            max_pipelines: 0,
            cert_flags: 0,
            status_type: -1,
            client_cert_types: Vec::new(),
            client_sigalgs: None,
            dh_auto: 0,
            tmp_dh: None,
            num_tickets: 2,
            block_padding: 0,
            recv_max_early_data: 16384,
            read_buffer_len: 0,
            // OpenSSL's SRP_MINIMAL_N.
            srp_strength: 1024,
            psk_identity_hint: None,
            ct_validation: None,
            max_fragment_length: 0,
            serverinfo_types: Vec::new(),
            client_cert_engine: None,
        }
    }
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            versions: VersionRange::default(),
            options: (sys::SSL_OP_NO_COMPRESSION | sys::SSL_OP_ENABLE_MIDDLEBOX_COMPAT),
            mode: sys::SSL_MODE_AUTO_RETRY as u64,
            read_ahead: false,
            tls12_ciphers: CipherList::default_tls12(),
            legacy_ciphers: CipherList::default_legacy(),
            tls13_ciphers: CipherList::default_tls13(),
            // Debian 12 builds OpenSSL with security level 2 as the default.
            security_level: 2,
            groups: groups::default_groups(),
            alpn: Vec::new(),
            verify_mode: 0,
            verify_callback: None,
            credentials: Credentials::default(),
            password: PasswordCallback::default(),
            session_cache_mode: i64::from(sys::SSL_SESS_CACHE_SERVER),
            session_timeout: 7200,
            max_early_data: 0,
            external_tickets: false,
            sigalgs: None,
            client_ca_names: Vec::new(),
            ca_names: Vec::new(),
            verify_store: None,
            chain_store: None,
            session_id_context: Vec::new(),
            knobs: Knobs::default(),
            cert_verify: None,
            quiet_shutdown: false,
            dane: None,
            dane_flags: 0,
        }
    }
}

impl Settings {
    /// `SSL_CTX_set_cipher_list`: runs an OpenSSL cipher string. On a syntax error nothing
    /// changes; a string that selects no suite still replaces the list (leaving no TLS 1.2
    /// suite), as in OpenSSL, and then fails with `SSL_R_NO_CIPHER_MATCH`.
    pub(crate) fn set_cipher_list(&mut self, rule: &[u8]) -> Result<()> {
        let chosen = CipherList::parse_tls12(rule)?;
        self.tls12_ciphers = chosen.list;
        self.legacy_ciphers = chosen.legacy;
        if let Some(level) = chosen.security_level {
            self.security_level = level;
        }
        if chosen.matched {
            Ok(())
        } else {
            Err(Error::Reason(sys::SSL_R_NO_CIPHER_MATCH))
        }
    }

    /// A new context's suites (`SSL_CTX_set_ssl_method` resets them).
    pub(crate) fn default_ciphers(&mut self) {
        self.tls13_ciphers = CipherList::default_tls13();
        self.tls12_ciphers = CipherList::default_tls12();
        self.legacy_ciphers = CipherList::default_legacy();
    }

    /// `SSL_CTX_set_ciphersuites`: a TLS 1.3 suite list; nothing changes on error.
    pub(crate) fn set_ciphersuites(&mut self, list: &[u8]) -> Result<()> {
        self.tls13_ciphers = CipherList::parse_tls13(list)?;
        Ok(())
    }

    /// `SSL_get_ciphers`: the TLS 1.3 suites, then those of TLS 1.2.
    pub(crate) fn ciphers(&self) -> Vec<&'static Cipher> {
        let tls13 = self.tls13_ciphers.0.iter();
        tls13.chain(&self.tls12_ciphers.0).copied().collect()
    }
}

/// An `SSL_CTX`.
pub(crate) struct Context {
    pub method: MethodKind,
    /// Shared with the connections made since the last change (copy on write).
    settings: Mutex<Arc<Settings>>,
    store: Mutex<X509Store>,
    param: VerifyParam,
    client_config: Mutex<Option<Arc<ClientConfig>>>,
    /// Server configs, one per ALPN choice the application's callback made.
    server_configs: Mutex<Vec<ServerConfigEntry>>,
    /// Server-side resumption state, kept across config rebuilds; made on first use (rustls
    /// sizes the cache's tables for its capacity up front: about 2 MiB).
    sessions: OnceLock<Arc<SessionCache>>,
    ticketer: Mutex<Option<Arc<TicketKeys>>>,
    /// The CT log list (`SSL_CTX_get0_ctlog_store`), made on first use (outer `None`:
    /// not yet; inner `None`: the application set none).
    ct_logs: Mutex<Option<Option<Arc<crate::crypto_sys::CtLogStore>>>>,
    /// The server's compressed certificate chains, shared by all its configs so that a
    /// chain is compressed once, not per handshake or per ALPN choice.
    compressed_chains: Arc<CompressionCache>,
    /// `SSL_CTX_sess_*` statistics.
    pub stats: Stats,
}

impl Context {
    /// A context with OpenSSL's defaults and an empty trust store.
    pub(crate) fn new(method: MethodKind) -> Result<Self> {
        let ctx = Self {
            method,
            settings: Mutex::new(Arc::new(Settings {
                // A version-specific method fixes the version.
                versions: VersionRange {
                    fixed: method.version,
                    ..VersionRange::default()
                },
                ..Settings::default()
            })),
            store: Mutex::new(X509Store::new().ok_or(Error::Crypto)?),
            param: VerifyParam::new().ok_or(Error::Crypto)?,
            client_config: Mutex::new(None),
            server_configs: Mutex::new(Vec::new()),
            sessions: OnceLock::new(),
            ticketer: Mutex::new(None),
            ct_logs: Mutex::new(None),
            compressed_chains: Arc::new(CompressionCache::new(4)),
            stats: Stats::default(),
        };
        // A server context makes its ticket key now, as OpenSSL does: nginx creates contexts
        // before forking its workers, which then all accept each other's tickets.
        if method.roles != Method::Client {
            ctx.ticketer()?;
        }
        Ok(ctx)
    }

    /// Reads the settings.
    pub(crate) fn settings(&self) -> MutexGuard<'_, Arc<Settings>> {
        lock(&self.settings)
    }

    /// Changes the settings; the shared rustls config is rebuilt on next use.
    pub(crate) fn update<R>(&self, f: impl FnOnce(&mut Settings) -> R) -> R {
        let r = f(Arc::make_mut(&mut lock(&self.settings)));
        *lock(&self.client_config) = None;
        lock(&self.server_configs).clear();
        r
    }

    /// Changes only the credentials: connections read them at each handshake, so the
    /// shared rustls configs stay valid.
    pub(crate) fn update_credentials<R>(&self, f: impl FnOnce(&mut Credentials) -> R) -> R {
        f(&mut Arc::make_mut(&mut lock(&self.settings)).credentials)
    }

    /// Changes settings the rustls configs do not depend on (read by each connection at
    /// its handshake): the shared configs stay valid.
    pub(crate) fn update_settings<R>(&self, f: impl FnOnce(&mut Settings) -> R) -> R {
        f(Arc::make_mut(&mut lock(&self.settings)))
    }

    /// The trust store (`SSL_CTX_get_cert_store`).
    pub(crate) fn store(&self) -> X509Store {
        lock(&self.store).clone()
    }

    /// Replaces the trust store (`SSL_CTX_set_cert_store`).
    pub(crate) fn set_store(&self, store: X509Store) {
        *lock(&self.store) = store;
    }

    /// The CT log list (`SSL_CTX_get0_ctlog_store`); `None` only if libcrypto cannot
    /// make one.
    pub(crate) fn ct_logs(&self) -> Option<Arc<crate::crypto_sys::CtLogStore>> {
        lock(&self.ct_logs)
            .get_or_insert_with(|| crate::crypto_sys::CtLogStore::new().map(Arc::new))
            .clone()
    }

    /// Replaces the CT log list (`SSL_CTX_set0_ctlog_store`; `None` for NULL).
    pub(crate) fn set_ct_logs(&self, logs: Option<crate::crypto_sys::CtLogStore>) {
        *lock(&self.ct_logs) = Some(logs.map(Arc::new));
    }

    /// The verification parameters (`SSL_CTX_get0_param`).
    pub(crate) fn param(&self) -> &VerifyParam {
        &self.param
    }

    /// The client config for these settings, shared by every connection using them.
    pub(crate) fn client_config(&self) -> Result<Arc<ClientConfig>> {
        let mut cached = lock(&self.client_config);
        if let Some(config) = cached.as_ref() {
            return Ok(Arc::clone(config));
        }
        let config = Arc::new(client_config(&self.settings())?);
        *cached = Some(Arc::clone(&config));
        Ok(config)
    }
}

impl Context {
    /// The internal server session cache, unless the settings disable it.
    pub(crate) fn internal_sessions(
        &self,
        s: &Settings,
        server: bool,
    ) -> Option<Arc<SessionCache>> {
        let mode = s.session_cache_mode;
        let side = if server {
            sys::SSL_SESS_CACHE_SERVER
        } else {
            sys::SSL_SESS_CACHE_CLIENT
        };
        let on = mode & i64::from(side) != 0
            && mode & i64::from(sys::SSL_SESS_CACHE_NO_INTERNAL_STORE) == 0;
        on.then(|| self.session_cache())
    }

    /// The internal cache a server resumes from, unless the settings say
    /// `SSL_SESS_CACHE_NO_INTERNAL_LOOKUP`. As in OpenSSL, this does not depend on the
    /// cache storing new sessions by itself: stunnel sets `SSL_SESS_CACHE_NO_INTERNAL_STORE`
    /// and adds each new session with `SSL_CTX_add_session`.
    pub(crate) fn internal_lookup(&self, s: &Settings) -> Option<Arc<SessionCache>> {
        let off = s.session_cache_mode & i64::from(sys::SSL_SESS_CACHE_NO_INTERNAL_LOOKUP) != 0;
        (!off).then(|| self.session_cache())
    }

    /// The context's session cache (`SSL_CTX_add_session`, `SSL_CTX_sess_number`...),
    /// made on first use.
    pub(crate) fn session_cache(&self) -> Arc<SessionCache> {
        Arc::clone(
            self.sessions
                .get_or_init(|| Arc::new(SessionCache::new(cache::DEFAULT_SIZE))),
        )
    }

    /// The server config for these settings and the ALPN protocol the application chose
    /// (`None`: no ALPN), shared by every connection making the same choice.
    pub(crate) fn server_config(
        &self,
        settings: Option<&Settings>,
        alpn: Option<&[u8]>,
    ) -> Result<Arc<ServerConfig>> {
        if let Some(own) = settings {
            return Ok(Arc::new(self.build_server_config(own, alpn)?));
        }
        let mut cached = lock(&self.server_configs);
        if let Some((_, config)) = cached.iter().find(|(a, _)| a.as_deref() == alpn) {
            return Ok(Arc::clone(config));
        }
        let config = Arc::new(self.build_server_config(&self.settings(), alpn)?);
        cached.push((alpn.map(<[u8]>::to_vec), Arc::clone(&config)));
        Ok(config)
    }

    fn build_server_config(&self, s: &Settings, alpn: Option<&[u8]>) -> Result<ServerConfig> {
        let provider = Arc::new(provider(s)?);
        let versions = usable_versions(s, &provider);
        let mut config = ServerConfig::builder_with_provider(provider)
            .with_protocol_versions(&versions)
            .map_err(|_| Error::Reason(sys::SSL_R_NO_CIPHERS_AVAILABLE))?
            .with_client_cert_verifier(verify::client_verifier(&s.client_ca_names))
            .with_cert_resolver(verify::server_cert_resolver());
        config.alpn_protocols = alpn.map(|a| vec![a.to_vec()]).unwrap_or_default();
        config.key_log = Arc::new(KeyLogHook);
        // Connections protect their records themselves after the handshake (record.rs).
        config.enable_secret_extraction = true;
        config.max_early_data_size = s.max_early_data;
        config.send_tls13_tickets = s.knobs.num_tickets;
        // A server reading 0-RTT data answers before the client's Finished, as OpenSSL's
        // SSL_write_early_data does (nginx frees a connection still "in init" unsent).
        config.send_half_rtt_data = s.max_early_data > 0;
        config.ignore_client_order = s.options & sys::SSL_OP_CIPHER_SERVER_PREFERENCE != 0;
        config.cert_compressors = cert_compression::compressors(s.options);
        config.cert_decompressors = cert_compression::decompressors(s.options);
        config.cert_compression_cache = Arc::clone(&self.compressed_chains);
        let cache_off = s.session_cache_mode & i64::from(sys::SSL_SESS_CACHE_SERVER) == 0;
        config.session_storage = if cache_off {
            Arc::new(NoServerSessionStorage {})
        } else {
            Arc::new(ServerSessionHook)
        };
        if s.options & sys::SSL_OP_NO_TICKET == 0 {
            config.ticketer = if s.external_tickets {
                Arc::new(TicketHook)
            } else {
                Arc::new(OwnTickets(self.ticketer()?))
            };
        }
        Ok(config)
    }

    /// The context's session-ticket key, made on first use.
    pub(crate) fn ticketer(&self) -> Result<Arc<TicketKeys>> {
        let mut t = lock(&self.ticketer);
        if let Some(t) = t.as_ref() {
            return Ok(Arc::clone(t));
        }
        let rotating = rustls::crypto::aws_lc_rs::Ticketer::new().map_err(Error::Tls)?;
        let new = Arc::new(TicketKeys::new(rotating));
        *t = Some(Arc::clone(&new));
        Ok(new)
    }
}

/// A server config and the ALPN protocol it selects.
type ServerConfigEntry = (Option<Vec<u8>>, Arc<ServerConfig>);

/// The enabled versions that have at least one enabled suite.
fn usable_versions(
    s: &Settings,
    provider: &CryptoProvider,
) -> Vec<&'static rustls::SupportedProtocolVersion> {
    s.versions
        .enabled(s.options)
        .into_iter()
        .filter(|v| provider.cipher_suites.iter().any(|c| c.version() == *v))
        .collect()
}

/// Builds a rustls client config from settings.
pub(crate) fn client_config(s: &Settings) -> Result<ClientConfig> {
    let provider = Arc::new(provider(s)?);
    let versions = usable_versions(s, &provider);
    let mut config = ClientConfig::builder_with_provider(provider)
        .with_protocol_versions(&versions)
        .map_err(|_| Error::Reason(sys::SSL_R_NO_CIPHERS_AVAILABLE))?
        .dangerous()
        .with_custom_certificate_verifier(verify::server_verifier(&s.ca_names))
        .with_client_cert_resolver(verify::client_cert_resolver());
    config.alpn_protocols.clone_from(&s.alpn);
    config.key_log = Arc::new(KeyLogHook);
    config.enable_secret_extraction = true;
    config.cert_compressors = cert_compression::compressors(s.options);
    config.cert_decompressors = cert_compression::decompressors(s.options);
    let tls12 = if s.options & sys::SSL_OP_NO_TICKET != 0 {
        Tls12Resumption::SessionIdOnly
    } else {
        Tls12Resumption::SessionIdOrTickets
    };
    config.resumption = Resumption::store(Arc::new(ClientSessionHook)).tls12_resumption(tls12);
    Ok(config)
}

/// The aws-lc-rs provider narrowed to the configured suites and groups.
fn provider(s: &Settings) -> Result<CryptoProvider> {
    let versions = s.versions.enabled(s.options);
    if versions.is_empty() {
        return Err(Error::Reason(sys::SSL_R_NO_PROTOCOLS_AVAILABLE));
    }
    let has = |v: u16| versions.iter().any(|x| u16::from(x.version) == v);
    let allowed = |c: &&&Cipher| c.allowed_at(s.security_level);
    let mut suites = Vec::new();
    if has(TLS1_3) {
        let tls13 = s.tls13_ciphers.0.iter().filter(allowed);
        let tls13 = tls13.filter_map(|c| c.rustls_suite());
        suites.extend(tls13.map(crate::hkdf::with_prepared_hkdf));
    }
    if has(TLS1_2) {
        let tls12 = s.tls12_ciphers.0.iter().filter(allowed);
        suites.extend(tls12.filter_map(|c| c.rustls_suite()));
    }
    // A FIPS build offers only what the FIPS module approves, whatever the lists say.
    let fips = cfg!(feature = "fips");
    suites.retain(|suite| !fips || suite.fips());
    if suites.is_empty() {
        return Err(Error::Reason(sys::SSL_R_NO_CIPHERS_AVAILABLE));
    }
    let groups = s.groups.iter().filter(|g| !fips || g.fips());
    Ok(CryptoProvider {
        cipher_suites: suites,
        // Wrapped to record the peer's share (`SSL_get_peer_tmp_key`).
        kx_groups: groups.map(|g| crate::peer_key::observed(*g)).collect(),
        ..rustls::crypto::aws_lc_rs::default_provider()
    })
}
