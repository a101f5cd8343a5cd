//! How the application set up one connection (`SSL_set_*`): the role, the settings copied
//! from the context and changed per connection, options, modes, the SNI name, the verify
//! parameters.
//!
//! A connection's setup lives outside the lock its protocol engine holds while it runs, so
//! the application may read and change it at any time, also from inside a callback the
//! handshake runs (a verify, info or ticket callback of the same `SSL`), as OpenSSL allows.
//! The engine copies what it needs at each step and never holds this lock while it calls
//! out.

use std::sync::Arc;

use crate::context::{Context, Settings, CONFIG_OPTIONS};
use crate::crypto_sys::VerifyParam;
use crate::error::{Error, Result};

/// Which end of the connection this is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Role {
    Client,
    Server,
}

/// One connection's setup.
pub(crate) struct Setup {
    /// The context whose settings and configs the connection uses (`SSL_set_SSL_CTX`
    /// switches it during the SNI callback).
    pub ctx: Arc<Context>,
    /// The context the connection was made from, which counts its handshakes.
    pub session_ctx: Arc<Context>,
    pub role: Option<Role>,
    /// `SSL_set_quiet_shutdown`: `SSL_shutdown` sends nothing.
    pub quiet_shutdown: bool,
    /// An OCSP response the application's status callback set, stapled by a server.
    pub stapled_ocsp: Option<Vec<u8>>,
    /// Settings copied from the context at `SSL_new`; `own_settings` says whether a
    /// per-connection setter changed them (then this connection builds its own config).
    pub settings: Arc<Settings>,
    pub own_settings: bool,
    /// `SSL_set_cipher_list` or `SSL_set_ciphersuites` gave the connection its own cipher
    /// list; until then OpenSSL reads the current context's (see [`Setup::switch_ctx`]).
    pub own_ciphers: bool,
    /// `SSL_OP_*` bits of this connection (the config-relevant ones also in `settings`).
    pub options: u64,
    /// `SSL_MODE_*` bits of this connection.
    pub mode: u64,
    /// `SSL_set_read_ahead`: reads take all the read BIO has (up to a buffer), not just
    /// the current record.
    pub read_ahead: bool,
    /// SNI host name a client sends (`SSL_set_tlsext_host_name`).
    pub server_name: Option<String>,
    /// Verification parameters (`SSL_get0_param`), copied from the context.
    pub param: VerifyParam,
    /// `X509_STORE_CTX` ex_data index and the `SSL *` verify callbacks look up.
    pub verify_ex_data: Option<(i32, usize)>,
}

impl Setup {
    /// The setup of a new connection of `ctx` (`SSL_new`).
    pub(crate) fn new(ctx: Arc<Context>) -> Result<Self> {
        let settings = ctx.settings().clone();
        let param = VerifyParam::copy_of(ctx.param()).ok_or(Error::Crypto)?;
        Ok(Self {
            role: None,
            quiet_shutdown: settings.quiet_shutdown,
            stapled_ocsp: None,
            own_settings: false,
            own_ciphers: false,
            options: settings.options,
            mode: settings.mode,
            read_ahead: settings.read_ahead,
            settings,
            server_name: None,
            param,
            verify_ex_data: None,
            session_ctx: Arc::clone(&ctx),
            ctx,
        })
    }

    /// Changes this connection's settings (it stops sharing the context's config).
    pub(crate) fn update<R>(&mut self, f: impl FnOnce(&mut Settings) -> R) -> R {
        self.own_settings = true;
        let settings = Arc::make_mut(&mut self.settings);
        settings.options = self.options;
        f(settings)
    }

    /// `SSL_set_options`/`SSL_clear_options`: the connection's own config only when a bit
    /// the config depends on changes (nginx sets `SSL_OP_NO_RENEGOTIATION` on every
    /// connection, which rustls always does anyway).
    pub(crate) fn set_options(&mut self, options: u64) {
        let changed = (options ^ self.options) & CONFIG_OPTIONS != 0;
        self.options = options;
        if changed {
            self.update(|_| ());
        }
    }

    /// `SSL_set_SSL_CTX`: the connection moves to `ctx` and takes what OpenSSL keeps in
    /// the context's certificate settings (its `CERT`: certificates and keys, security
    /// level, signature algorithms, chain and verify stores, certificate types) and,
    /// unless the connection set its own, the context's cipher lists (OpenSSL reads the
    /// current context's list: haproxy's `ciphers` on a crt-list line apply once its
    /// ClientHello callback switches). The session id context follows when it was the
    /// old context's. Options, versions and the verify mode stay the connection's.
    pub(crate) fn switch_ctx(&mut self, ctx: Arc<Context>) {
        let new = Arc::clone(&ctx.settings());
        let old_sid_ctx = self.ctx.settings().session_id_context.clone();
        let own_ciphers = self.own_ciphers;
        let s = Arc::make_mut(&mut self.settings);
        s.credentials = new.credentials.clone();
        s.security_level = new.security_level;
        s.sigalgs.clone_from(&new.sigalgs);
        s.knobs.client_sigalgs.clone_from(&new.knobs.client_sigalgs);
        s.knobs
            .client_cert_types
            .clone_from(&new.knobs.client_cert_types);
        s.knobs.cert_flags = new.knobs.cert_flags;
        s.verify_store.clone_from(&new.verify_store);
        s.chain_store.clone_from(&new.chain_store);
        if !own_ciphers {
            s.tls12_ciphers = new.tls12_ciphers.clone();
            s.tls13_ciphers = new.tls13_ciphers.clone();
        }
        if s.session_id_context == old_sid_ctx {
            s.session_id_context.clone_from(&new.session_id_context);
        }
        self.ctx = ctx;
    }

    /// Changes settings the shared configs do not depend on (verification mode,
    /// certificates): the connection keeps using its context's config.
    pub(crate) fn settings_mut(&mut self) -> &mut Settings {
        Arc::make_mut(&mut self.settings)
    }
}
