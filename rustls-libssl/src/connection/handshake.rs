//! Driving the handshake (`SSL_do_handshake`) to its end, then handing record protection
//! from rustls to [`Established`] and releasing what only the handshake needed.

use std::sync::Arc;

use rustls::{ProtocolVersion, SupportedCipherSuite};

use crate::context::Method;
use crate::crypto_sys as sys;
use crate::current::{lock, ConnState};
use crate::error::Error;
use crate::established::{Established, Kernel, Negotiated};
use crate::observer::Observer;
use crate::secrets::SecretLabel;
use crate::setup::Role;
use crate::statem::Statem;
use crate::stats::Stats;
use crate::traffic::TrafficSchedule;
use crate::turn::{Event, Want};

use super::start::Hello;
use super::{Connection, Step, Stop, Tls, Transport};

impl Connection {
    /// `SSL_do_handshake`: drives the handshake as far as the BIOs allow (and sends a key
    /// update `SSL_key_update` asked for).
    pub(crate) fn handshake(&mut self, io: &Transport<'_>) -> Step<()> {
        self.refuse_failed()?;
        let step = self.handshake_steps(io).map_err(Stop::in_handshake);
        self.track(step)
    }

    fn handshake_steps(&mut self, io: &Transport<'_>) -> Step<()> {
        self.begin(io)?;
        self.send_key_update()?;
        loop {
            let event = self.pump(io, &mut Want::Nothing)?;
            if self.is_established() {
                self.flush(io)?;
                self.finish_handshake();
                self.establish(io)?;
                self.release_if_idle();
                return Ok(());
            }
            if event == Event::PeerClosed {
                // close_notify in the middle of the handshake: OpenSSL's read returns 0
                // and SSL_get_error says ZERO_RETURN.
                self.set_closed(false, true);
                return Err(Stop::ZeroReturn);
            }
            self.flush(io)?;
            if self.eof {
                return Err(self.transport_eof());
            }
            self.fill(io)?;
        }
    }

    /// Creates the rustls connection if the handshake has not started.
    pub(super) fn begin(&mut self, io: &Transport<'_>) -> Step<()> {
        if !self.is_established() {
            self.watch();
        }
        if self.tls.is_some() {
            return Ok(());
        }
        let (method, dtls, session_ctx) = {
            let setup = self.setup();
            let m = setup.ctx.method;
            (m.roles, m.dtls, Arc::clone(&setup.session_ctx))
        };
        if dtls {
            return Err(Stop::Fatal(Error::NotSupported("DTLS")));
        }
        let role = self.current_role();
        // Once per handshake, however many calls it takes.
        if !std::mem::replace(&mut self.counted, true) {
            match role {
                Some(Role::Server) => Stats::bump(&session_ctx.stats.accept),
                _ => Stats::bump(&session_ctx.stats.connect),
            }
        }
        // A method fixed to the other role has no handshake for this one.
        match (role, method) {
            (Some(Role::Server), Method::Client) | (Some(Role::Client), Method::Server) => Err(
                Stop::Fatal(Error::Reason(sys::ERR_R_SHOULD_NOT_HAVE_BEEN_CALLED)),
            ),
            (Some(Role::Server), _) => self.accept(io),
            _ => Ok(self.start_client()?),
        }
    }

    /// The handshake runs in this operation: its state machine starts with the first one,
    /// and its observer watches the records from then on.
    fn watch(&mut self) {
        if self.observer.is_none() && self.tls.is_none() && matches!(self.hello, Hello::Reading) {
            let server = self.current_role() == Some(Role::Server);
            let (info, messages) = (
                self.state.events.wants_info(),
                self.state.events.wants_messages(),
            );
            // The version OpenSSL reports with messages before one is negotiated: a client's
            // highest, a server's "any".
            let hello_version = if server {
                // OpenSSL's server has not picked a version yet: TLS 1.3, the highest.
                sys::TLS1_3_VERSION
            } else {
                let setup = self.setup();
                let versions = setup.settings.versions.enabled(setup.options);
                if versions.contains(&&rustls::version::TLS13) {
                    sys::TLS1_3_VERSION
                } else if versions.is_empty() && setup.settings.versions.max != 0 {
                    // A version rustls lacks (TLS 1.1 and below): OpenSSL's highest.
                    i32::from(setup.settings.versions.max)
                } else {
                    sys::TLS1_2_VERSION
                }
            };
            if !server {
                // A client reports its highest version until the server picks one.
                lock(&self.state.status).version = u16::try_from(hello_version).unwrap_or(0);
            }
            self.statem = Statem::new(server, info);
            self.statem.messages = messages;
            self.observer = Some(Box::new(Observer::new(server, hello_version, messages)));
        }
        self.statem.run();
    }

    /// Sends the key update `SSL_key_update` asked for, once record protection is ours.
    pub(super) fn send_key_update(&mut self) -> Step<()> {
        let Some(Tls::Established(established)) = self.tls.as_mut() else {
            return Ok(());
        };
        let Some(requested) = lock(&self.state.status).key_update.take() else {
            return Ok(());
        };
        let bufs = self.bufs.get_or_insert_with(Box::default);
        established
            .key_update(&mut bufs.output, requested, &mut self.statem)
            .map_err(|e| Stop::Fatal(Error::Tls(e)))
    }

    /// Hands record protection from rustls to [`Established`] once the handshake is over
    /// and rustls holds nothing back: no record to send, no received bytes it has seen. A
    /// connection where that is not so yet tries again at its next read or write.
    pub(super) fn establish(&mut self, io: &Transport<'_>) -> Step<()> {
        if !matches!(self.tls, Some(Tls::Client(_) | Tls::Server(_))) || !self.is_established() {
            return Ok(());
        }
        loop {
            match self.pump(io, &mut Want::Nothing)? {
                Event::NeedInput => break,
                // rustls keeps the connection to its end.
                Event::PeerClosed => {
                    self.set_closed(false, true);
                    return Ok(());
                }
                Event::Progress | Event::Data(_) | Event::Early | Event::Wrote(_) => {}
            }
        }
        // rustls hands over once it has read what it was given: all the input, or (a TLS 1.3
        // server) everything up to the client's Finished, the rest being for the connection's
        // own record layer.
        let handshake_read =
            self.observer.as_ref().and_then(|o| o.handshake_input_end()) == Some(0);
        if self.bufs.as_ref().is_some_and(|b| !b.input.is_empty()) && !handshake_read {
            return Ok(());
        }
        self.flush(io)?;
        let Some(negotiated) = self
            .tls
            .as_ref()
            .and_then(Tls::common)
            .and_then(Negotiated::of)
        else {
            return Ok(());
        };
        let extracted = match self.tls.take() {
            Some(Tls::Client(c)) => c
                .dangerous_into_kernel_connection()
                .map(|(secrets, k)| (secrets, Kernel::Client(Box::new(k)))),
            Some(Tls::Server(s)) => {
                // A server keeps its traffic secrets, not rustls's whole key schedule.
                let schedule = traffic_schedule(&negotiated, self.observer.as_deref(), &self.state);
                let tls12 = negotiated.version == ProtocolVersion::TLSv1_2;
                s.dangerous_into_kernel_connection().map(|(secrets, k)| {
                    let kernel = match schedule {
                        Some(schedule) => Kernel::Traffic(schedule),
                        None if tls12 => Kernel::Tls12Server,
                        None => Kernel::Server(Box::new(k)),
                    };
                    (secrets, kernel)
                })
            }
            other => {
                self.tls = other;
                return Ok(());
            }
        };
        let (secrets, kernel) = extracted.map_err(Error::Tls)?;
        let established = Established::new(negotiated, secrets, kernel).map_err(Error::Tls)?;
        self.tls = Some(Tls::Established(Box::new(established)));
        // Record protection is ours from here: the established connection reports what
        // the observer did.
        self.observer = None;
        *lock(&self.state.secrets) = Vec::new();
        Ok(())
    }

    /// Releases what only the handshake needed, and counts the handshake.
    pub(super) fn finish_handshake(&mut self) {
        if std::mem::replace(&mut self.finished, true) {
            return;
        }
        if crate::debug::enabled(crate::debug::Level::Info) {
            crate::debug::handshake_done(self.role == Some(Role::Server), &self.state);
        }
        if let Some(observer) = self.observer.as_mut() {
            let suite = self.tls.as_ref().and_then(Tls::suite);
            observer.update(&self.state, suite, &mut self.statem);
            *lock(&self.state.finished) = observer.finished;
            let mut status = lock(&self.state.status);
            status.early_data = observer.early_data_status();
            status.renegotiate = false;
        }
        self.statem.completed();
        self.publish_state();
        let session_ctx = Arc::clone(&self.setup().session_ctx);
        let stats = &session_ctx.stats;
        if self.role == Some(Role::Server) {
            Stats::bump(&stats.accept_good);
        } else {
            Stats::bump(&stats.connect_good);
        }
        // Both sides count resumptions, as OpenSSL does; a client also counts the session it
        // offered and the server did not resume.
        if lock(&self.state.status).resumed {
            Stats::bump(&stats.hit);
        } else if self.role == Some(Role::Client)
            && lock(&self.state.resume)
                .as_ref()
                .is_some_and(|s| s.is_resumable() && !s.meta().id.is_empty())
        {
            Stats::bump(&stats.miss);
        }
        // Verification is over: keep the matched peer name, release the store and the
        // parameter copy.
        if let Some(verify) = lock(&self.state.verify).take() {
            if let Some(param) = verify.param.as_ref() {
                self.setup().param.take_peername(param);
            }
        }
        // The certificate hooks are done too, and the ClientHello's callbacks.
        *lock(&self.state.credentials) = Vec::new();
        if let Some(hello) = lock(&self.state.hello).as_mut() {
            hello.body = Box::default();
        }
        // The exporter (TLS 1.2) and SSL_get_server_random need the ServerHello's random.
        if let Some(secret) = lock(&self.state.export).as_mut() {
            secret.server_random = self.server_random.take();
        }
    }
}

/// A TLS 1.3 server's key schedule from the application traffic secrets its handshake
/// logged (the newest of each: the key-log hook's, else those the observer took); `None`
/// for TLS 1.2, or if either secret is missing.
fn traffic_schedule(
    negotiated: &Negotiated,
    observer: Option<&Observer>,
    state: &ConnState,
) -> Option<TrafficSchedule> {
    let SupportedCipherSuite::Tls13(suite) = negotiated.suite else {
        return None;
    };
    let logged = lock(&state.secrets);
    let find = |label: SecretLabel| {
        crate::secrets::newest(&logged, label).or_else(|| observer.and_then(|o| o.secret(label)))
    };
    let tx = find(SecretLabel::ServerApplication)?;
    let rx = find(SecretLabel::ClientApplication)?;
    TrafficSchedule::new(suite, tx, rx)
}
