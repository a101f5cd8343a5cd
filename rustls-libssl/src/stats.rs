//! The handshake statistics of a context (`SSL_CTX_sess_*`), counted by the connections
//! made from it and by the session hooks.

use std::sync::atomic::{AtomicI64, Ordering};

/// The handshake statistics a context counts (`SSL_CTX_sess_connect`...).
#[derive(Debug, Default)]
pub(crate) struct Stats {
    pub connect: AtomicI64,
    pub connect_good: AtomicI64,
    pub accept: AtomicI64,
    pub accept_good: AtomicI64,
    /// Resumptions (server).
    pub hit: AtomicI64,
    /// Resumptions from the application's external cache (server).
    pub cb_hit: AtomicI64,
    /// Session lookups of the internal cache that found nothing (server), and offered
    /// sessions the server did not resume (client).
    pub miss: AtomicI64,
    /// Sessions found expired (server).
    pub timeout: AtomicI64,
}

impl Stats {
    /// Counts one event.
    pub(crate) fn bump(counter: &AtomicI64) {
        counter.fetch_add(1, Ordering::Relaxed);
    }

    /// Reads a counter.
    pub(crate) fn get(counter: &AtomicI64) -> i64 {
        counter.load(Ordering::Relaxed)
    }
}
