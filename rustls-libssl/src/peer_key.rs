//! The ephemeral key-exchange shares (`SSL_get_peer_tmp_key`, `SSL_get_tmp_key`), which
//! rustls uses and drops. Each key-exchange group of a config is wrapped so that completing
//! the exchange records the shares on the connection in progress ([`crate::current`]),
//! keeping what OpenSSL 3.0 keeps after the handshake: the peer's share, except on a TLS 1.2
//! server (it frees the client's once the secret is derived), and this side's own share in
//! TLS 1.3 only (its public half: rustls keeps the private key to itself). A hybrid share a
//! server answered with its X25519 part counts as X25519.

use std::sync::{Mutex, OnceLock};

use rustls::crypto::{ActiveKeyExchange, CompletedKeyExchange, SharedSecret, SupportedKxGroup};
use rustls::ffdhe_groups::FfdheGroup;
use rustls::{NamedGroup, ProtocolVersion, SupportedProtocolVersion};

use crate::current::{self, lock, PeerShare};

/// `group` wrapped so that its exchanges record the peer's share (one wrapper per group,
/// made once and kept for the process).
pub(crate) fn observed(group: &'static dyn SupportedKxGroup) -> &'static dyn SupportedKxGroup {
    static WRAPPED: OnceLock<Mutex<Vec<&'static Observed>>> = OnceLock::new();
    let mut wrapped = lock(WRAPPED.get_or_init(Mutex::default));
    let inner = group as *const dyn SupportedKxGroup as *const ();
    if let Some(w) = wrapped
        .iter()
        .find(|w| w.inner as *const dyn SupportedKxGroup as *const () == inner)
    {
        return *w;
    }
    // A handful of groups exist: the wrappers live for the rest of the process.
    let new: &'static Observed = Box::leak(Box::new(Observed { inner: group }));
    wrapped.push(new);
    new
}

/// Records the shares of a completed exchange on the connection in progress: the peer's,
/// and with `own` this side's.
fn record(group: NamedGroup, peer: &[u8], own: Option<&[u8]>) {
    let representable = matches!(
        group,
        NamedGroup::X25519 | NamedGroup::secp256r1 | NamedGroup::secp384r1 | NamedGroup::secp521r1
    );
    let Some(state) = current::current() else {
        return;
    };
    let share = |key: &[u8]| {
        representable.then(|| PeerShare {
            group,
            key: key.into(),
        })
    };
    let mut outcome = state.outcome();
    outcome.peer_share = share(peer);
    outcome.own_share = own.and_then(share);
}

/// Whether the connection in progress is a server.
fn is_server() -> bool {
    current::current().is_some_and(|s| s.setup().role == Some(crate::setup::Role::Server))
}

#[derive(Debug)]
struct Observed {
    inner: &'static dyn SupportedKxGroup,
}

impl SupportedKxGroup for Observed {
    fn start(&self) -> Result<Box<dyn ActiveKeyExchange>, rustls::Error> {
        Ok(Box::new(Active(self.inner.start()?)))
    }

    fn start_and_complete(
        &self,
        peer_pub_key: &[u8],
    ) -> Result<CompletedKeyExchange, rustls::Error> {
        let done = self.inner.start_and_complete(peer_pub_key)?;
        record(done.group, peer_pub_key, Some(&done.pub_key));
        Ok(done)
    }

    fn ffdhe_group(&self) -> Option<FfdheGroup<'static>> {
        self.inner.ffdhe_group()
    }

    fn name(&self) -> NamedGroup {
        self.inner.name()
    }

    fn fips(&self) -> bool {
        self.inner.fips()
    }

    fn usable_for_version(&self, version: ProtocolVersion) -> bool {
        self.inner.usable_for_version(version)
    }
}

struct Active(Box<dyn ActiveKeyExchange>);

impl ActiveKeyExchange for Active {
    // rustls calls this for a TLS 1.3 client.
    fn complete(self: Box<Self>, peer_pub_key: &[u8]) -> Result<SharedSecret, rustls::Error> {
        let group = self.0.group();
        let own = self.0.pub_key().to_vec();
        let secret = self.0.complete(peer_pub_key)?;
        record(group, peer_pub_key, Some(&own));
        Ok(secret)
    }

    fn complete_for_tls_version(
        self: Box<Self>,
        peer_pub_key: &[u8],
        tls_version: &SupportedProtocolVersion,
    ) -> Result<SharedSecret, rustls::Error> {
        let group = self.0.group();
        let tls13 = tls_version.version == ProtocolVersion::TLSv1_3;
        let own = tls13.then(|| self.0.pub_key().to_vec());
        let secret = self.0.complete_for_tls_version(peer_pub_key, tls_version)?;
        if tls13 || !is_server() {
            record(group, peer_pub_key, own.as_deref());
        }
        Ok(secret)
    }

    fn hybrid_component(&self) -> Option<(NamedGroup, &[u8])> {
        self.0.hybrid_component()
    }

    fn complete_hybrid_component(
        self: Box<Self>,
        peer_pub_key: &[u8],
    ) -> Result<SharedSecret, rustls::Error> {
        let part = self.0.hybrid_component().map(|(g, k)| (g, k.to_vec()));
        let secret = self.0.complete_hybrid_component(peer_pub_key)?;
        if let Some((group, own)) = part {
            record(group, peer_pub_key, Some(&own));
        }
        Ok(secret)
    }

    fn pub_key(&self) -> &[u8] {
        self.0.pub_key()
    }

    fn ffdhe_group(&self) -> Option<FfdheGroup<'static>> {
        self.0.ffdhe_group()
    }

    fn group(&self) -> NamedGroup {
        self.0.group()
    }
}
