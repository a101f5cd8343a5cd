//! Starting the handshake: what verification and the certificate hooks need is published,
//! then rustls's connection is made: a client's at once, a server's once the ClientHello
//! has arrived and the application's callbacks have chosen its config.

use std::sync::atomic::Ordering;
use std::sync::Arc;

use rustls::client::UnbufferedClientConnection;
use rustls::pki_types::ServerName;
use rustls::server::UnbufferedServerConnection;
use rustls::sign::CertifiedKey;

use crate::crypto_sys::{self as sys, VerifyParam};
use crate::current::{self, lock, VerifySetup};
use crate::error::{Error, Result};
use crate::setup::Role;

use super::{Connection, Step, Stop, Tls, Transport};

impl Connection {
    /// Publishes what verification and the certificate hooks need for this handshake.
    fn prepare(&mut self) -> Result<()> {
        let mut setup = self.setup();
        // A server that does not ask for a client certificate verifies nothing.
        let verifies = self.role != Some(Role::Server)
            || setup.settings.verify_mode & sys::SSL_VERIFY_PEER != 0;
        *lock(&self.state.verify) = if verifies {
            Some(Box::new(VerifySetup {
                mode: setup.settings.verify_mode,
                callback: setup.settings.verify_callback,
                store: setup
                    .settings
                    .verify_store
                    .clone()
                    .unwrap_or_else(|| setup.ctx.store()),
                param: VerifyParam::copy_of(&setup.param),
                ex_data: setup.verify_ex_data,
                replace: setup.settings.cert_verify,
            }))
        } else {
            None
        };
        let mut credentials = crate::credentials::presented(&setup)?;
        if let Some(ocsp) = setup.stapled_ocsp.take() {
            for key in &mut credentials {
                *key = Arc::new(CertifiedKey {
                    ocsp: Some(ocsp.clone()),
                    ..(**key).clone()
                });
            }
        }
        *lock(&self.state.credentials) = credentials;
        // The internal cache of this side's sessions (clients keep theirs there too with
        // SSL_SESS_CACHE_CLIENT, as in OpenSSL).
        // The mode is the session context's, as it is now (as OpenSSL reads it).
        let server = self.role == Some(Role::Server);
        let session_ctx = Arc::clone(&setup.session_ctx);
        let ctx_settings = Arc::clone(&session_ctx.settings());
        *lock(&self.state.server_cache) = session_ctx.internal_sessions(&ctx_settings, server);
        *lock(&self.state.cache_lookup) = if server {
            session_ctx.internal_lookup(&ctx_settings)
        } else {
            None
        };
        self.state
            .session_timeout
            .store(setup.settings.session_timeout, Ordering::Relaxed);
        self.state.single_use_sessions.store(
            setup.settings.max_early_data > 0 && setup.options & sys::SSL_OP_NO_ANTI_REPLAY == 0,
            Ordering::Relaxed,
        );
        Ok(())
    }

    pub(super) fn start_client(&mut self) -> Result<()> {
        if self.role.is_none() {
            return Err(Error::Reason(sys::SSL_R_CONNECTION_TYPE_NOT_SET));
        }
        self.prepare()?;
        let tls13 = {
            let setup = self.setup();
            let versions = setup.settings.versions.enabled(setup.options);
            versions.contains(&&rustls::version::TLS13)
        };
        if tls13 {
            self.state.events.client_psk()?;
        }
        let (config, name, alpn) = {
            let setup = self.setup();
            let config = if setup.own_settings {
                Arc::new(crate::context::client_config(&setup.settings)?)
            } else {
                setup.ctx.client_config()?
            };
            // Without a host name rustls needs some name: an address sends no SNI, and
            // certificate names are checked by libcrypto from the verify parameters.
            let name = match setup.server_name.as_deref().map(ServerName::try_from) {
                Some(Ok(name)) => name.to_owned(),
                _ => ServerName::IpAddress(std::net::Ipv4Addr::UNSPECIFIED.into()),
            };
            (config, name, setup.settings.alpn.clone())
        };
        let _current = current::enter(&self.state);
        let conn = UnbufferedClientConnection::new_with_alpn(config, name, alpn)?;
        self.tls = Some(Tls::Client(Box::new(conn)));
        lock(&self.state.status).started = true;
        Ok(())
    }

    /// Server: reads the ClientHello, stops once for the application's callbacks, then
    /// starts the rustls connection with the config their choices select, which reads the
    /// same ClientHello from the input buffer.
    pub(super) fn accept(&mut self, io: &Transport<'_>) -> Step<()> {
        loop {
            match std::mem::replace(&mut self.hello, Hello::Reading) {
                Hello::Reading => {
                    let received = self.bufs.as_ref().map_or(&[][..], |b| b.input.pending());
                    match crate::hello::parse(received) {
                        crate::hello::Parsed::Hello(info) => {
                            // The version rustls will pick, for callbacks that ask before it
                            // is known (TLS 1.3 enabled, offered in supported_versions, with
                            // a TLS 1.3 suite, means TLS 1.3).
                            let tls13 = {
                                let setup = self.setup();
                                setup
                                    .settings
                                    .versions
                                    .enabled(setup.options)
                                    .contains(&&rustls::version::TLS13)
                            } && info
                                .versions
                                .as_ref()
                                .is_some_and(|v| v.contains(&crate::versions::TLS1_3))
                                && info.raw_ciphers.chunks(2).any(|c| c[0] == 0x13);
                            {
                                let mut status = lock(&self.state.status);
                                status.started = true;
                                status.version = if tls13 { 0x0304 } else { 0x0303 };
                            }
                            *lock(&self.state.hello) = Some(*info);
                            self.hello = Hello::Received;
                            // The state machine reads the ClientHello before its callbacks.
                            if let (Some(observer), Some(bufs)) =
                                (self.observer.as_mut(), self.bufs.as_ref())
                            {
                                observer.incoming(
                                    bufs.input.pending(),
                                    &self.state,
                                    &mut self.statem,
                                );
                            }
                            self.publish_state();
                            return Err(Stop::ClientHello);
                        }
                        // rustls rejects it, with the context's config.
                        crate::hello::Parsed::Invalid => self.hello = Hello::Decided(None),
                        crate::hello::Parsed::Incomplete => {
                            if self.eof {
                                return Err(self.transport_eof());
                            }
                            self.fill(io)?;
                        }
                    }
                }
                Hello::Received => {
                    // The application must be asked first.
                    self.hello = Hello::Received;
                    return Err(Stop::ClientHello);
                }
                Hello::Decided(alpn) => {
                    self.prepare()?;
                    let config = {
                        let setup = self.setup();
                        let own = setup.own_settings.then_some(&*setup.settings);
                        setup.ctx.server_config(own, alpn.as_deref())?
                    };
                    let _current = current::enter(&self.state);
                    let conn = UnbufferedServerConnection::new(config).map_err(Error::Tls)?;
                    self.tls = Some(Tls::Server(Box::new(conn)));
                    return Ok(());
                }
            }
        }
    }

    /// Records the application's choices after [`Stop::ClientHello`]: the ALPN protocol to
    /// select (`None` for none).
    pub(crate) fn hello_decided(&mut self, alpn: Option<Vec<u8>>) {
        if let Hello::Received = self.hello {
            self.hello = Hello::Decided(alpn);
        }
    }

    /// OpenSSL names a plain HTTP request or proxy CONNECT sent to a TLS port.
    pub(super) fn hello_error(&self, e: rustls::Error) -> Error {
        if let rustls::Error::InvalidMessage(_) = e {
            let head = self.first_bytes();
            for method in [
                &b"GET "[..],
                b"POST ",
                b"HEAD ",
                b"PUT ",
                b"DELETE",
                b"OPTIO",
            ] {
                if head.starts_with(&method[..method.len().min(5)]) {
                    return Error::Reason(sys::SSL_R_HTTP_REQUEST);
                }
            }
            if head.starts_with(b"CONNE") {
                return Error::Reason(sys::SSL_R_HTTPS_PROXY_REQUEST);
            }
        }
        Error::Tls(e)
    }
}

/// A server's progress towards its rustls connection.
pub(super) enum Hello {
    /// Reading the ClientHello.
    Reading,
    /// The ClientHello arrived; the application's callbacks have not run yet.
    Received,
    /// The callbacks ran; the ALPN protocol they chose.
    Decided(Option<Vec<u8>>),
}
