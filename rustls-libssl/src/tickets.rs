//! Session tickets sealed by the application's ticket-key callback
//! (`SSL_CTX_set_tlsext_ticket_key_cb`, nginx's `ssl_session_ticket_key`): a ticket issued by
//! one process is accepted by another given the same key file.

use rustls::server::ProducesTickets;

use crate::current::{self, lock, ConnState};

/// The rustls ticketer for contexts with a ticket-key callback; it reaches the callback of
/// the connection in progress ([`current`]).
#[derive(Debug)]
pub(crate) struct TicketHook;

impl ProducesTickets for TicketHook {
    fn enabled(&self) -> bool {
        true
    }

    fn lifetime(&self) -> u32 {
        current::current().map_or(300, |s| {
            u32::try_from(*lock(&s.session_timeout)).unwrap_or(u32::MAX)
        })
    }

    fn encrypt(&self, plain: &[u8]) -> Option<Vec<u8>> {
        let state = current::current()?;
        state.events.seal_ticket(&bind(&state, plain))
    }

    fn decrypt(&self, cipher: &[u8]) -> Option<Vec<u8>> {
        let state = current::current()?;
        unbind(&state, state.events.open_ticket(cipher)?)
    }
}

/// A context's own ticket key, announcing the context's session timeout as the ticket
/// lifetime (`ssl_session_timeout`), as OpenSSL does.
#[derive(Debug)]
pub(crate) struct OwnTickets(pub(crate) std::sync::Arc<dyn ProducesTickets>);

impl ProducesTickets for OwnTickets {
    fn enabled(&self) -> bool {
        self.0.enabled()
    }

    fn lifetime(&self) -> u32 {
        TicketHook.lifetime()
    }

    fn encrypt(&self, plain: &[u8]) -> Option<Vec<u8>> {
        let state = current::current()?;
        self.0.encrypt(&bind(&state, plain))
    }

    fn decrypt(&self, cipher: &[u8]) -> Option<Vec<u8>> {
        let state = current::current()?;
        unbind(&state, self.0.decrypt(cipher)?)
    }
}

/// Prefixes a ticket's plaintext with the session id context of the connection issuing
/// it (one length byte, at most 32 bytes): as OpenSSL records it in the session a ticket
/// carries, so that a ticket resumes only under the same context.
fn bind(state: &ConnState, plain: &[u8]) -> Vec<u8> {
    let sid_ctx = state.setup().settings.session_id_context.clone();
    let mut out = Vec::with_capacity(1 + sid_ctx.len() + plain.len());
    out.push(u8::try_from(sid_ctx.len()).unwrap_or(0));
    out.extend_from_slice(&sid_ctx);
    out.extend_from_slice(plain);
    out
}

/// The plaintext of a ticket made by [`bind`], if its context is this connection's.
fn unbind(state: &ConnState, mut opened: Vec<u8>) -> Option<Vec<u8>> {
    let len = usize::from(*opened.first()?);
    let ctx = opened.get(1..1 + len)?;
    if *ctx != *state.setup().settings.session_id_context {
        return None;
    }
    opened.drain(..1 + len);
    Some(opened)
}
