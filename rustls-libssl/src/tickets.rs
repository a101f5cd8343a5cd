//! Session tickets sealed by the application's ticket-key callback
//! (`SSL_CTX_set_tlsext_ticket_key_cb`, nginx's `ssl_session_ticket_key`): a ticket issued by
//! one process is accepted by another given the same key file.

use rustls::server::ProducesTickets;

use crate::current::{self, lock};

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
        current::current()?.events.seal_ticket(plain)
    }

    fn decrypt(&self, cipher: &[u8]) -> Option<Vec<u8>> {
        current::current()?.events.open_ticket(cipher)
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
        self.0.encrypt(plain)
    }

    fn decrypt(&self, cipher: &[u8]) -> Option<Vec<u8>> {
        self.0.decrypt(cipher)
    }
}
