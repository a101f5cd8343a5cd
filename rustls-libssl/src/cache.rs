//! A context's internal session cache, as OpenSSL keeps one per `SSL_CTX`: sessions by
//! id, at most `size` of them (the oldest go first), expired ones dropped when met or
//! flushed (`SSL_CTX_flush_sessions`), with the statistics `SSL_CTX_sess_*` report.
//!
//! A server resumes from it by session id; `SSL_CTX_add_session` and
//! `SSL_CTX_remove_session` change it directly.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

use crate::session::{now, Session};
use crate::sync::lock;

/// OpenSSL's default cache size (`SSL_SESSION_CACHE_MAX_SIZE_DEFAULT`).
pub(crate) const DEFAULT_SIZE: usize = 1024 * 20;

/// The cache of one context.
#[derive(Default)]
pub(crate) struct SessionCache {
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    by_id: HashMap<Vec<u8>, Arc<Session>>,
    /// Ids in insertion order, for evicting the oldest.
    order: VecDeque<Vec<u8>>,
    /// 0: unlimited, as in OpenSSL.
    size: usize,
    /// Sessions evicted because the cache was full (`SSL_CTX_sess_cache_full`).
    full: u64,
}

impl SessionCache {
    /// An empty cache holding at most `size` sessions (0: no limit).
    pub(crate) fn new(size: usize) -> Self {
        Self {
            inner: Mutex::new(Inner {
                size,
                ..Inner::default()
            }),
        }
    }

    /// Adds `session` under its id; false if one with that id was there already (it is
    /// replaced, as in OpenSSL, which then also reports 0).
    pub(crate) fn add(&self, session: Arc<Session>) -> bool {
        let id = session.meta().id.clone();
        let mut inner = lock(&self.inner);
        let had = inner.by_id.insert(id.clone(), session).is_some();
        if had {
            inner.order.retain(|i| *i != id);
        }
        inner.order.push_back(id);
        inner.evict();
        !had
    }

    /// The session with `id`, if cached and alive (an expired one is dropped).
    pub(crate) fn get(&self, id: &[u8]) -> Option<Arc<Session>> {
        let mut inner = lock(&self.inner);
        let session = inner.by_id.get(id)?.clone();
        if session.is_expired_at(now()) {
            inner.take(id);
            return None;
        }
        Some(session)
    }

    /// Removes the session with `id`; the removed session, if there was one.
    pub(crate) fn remove(&self, id: &[u8]) -> Option<Arc<Session>> {
        lock(&self.inner).take(id)
    }

    /// Removes every session expired at `time`; returns them (the application's remove
    /// callback hears of each).
    pub(crate) fn flush(&self, time: u64) -> Vec<Arc<Session>> {
        let mut inner = lock(&self.inner);
        let expired: Vec<Vec<u8>> = inner
            .by_id
            .iter()
            .filter(|(_, s)| s.is_expired_at(time))
            .map(|(id, _)| id.clone())
            .collect();
        expired.iter().filter_map(|id| inner.take(id)).collect()
    }

    /// The cached sessions, in insertion order.
    pub(crate) fn sessions(&self) -> Vec<Arc<Session>> {
        let inner = lock(&self.inner);
        inner
            .order
            .iter()
            .filter_map(|id| inner.by_id.get(id).cloned())
            .collect()
    }

    /// How many sessions are cached.
    pub(crate) fn len(&self) -> usize {
        lock(&self.inner).by_id.len()
    }

    /// The size limit (0: none).
    pub(crate) fn size(&self) -> usize {
        lock(&self.inner).size
    }

    /// Sets the size limit; returns the previous one. Extra sessions go at once.
    pub(crate) fn set_size(&self, size: usize) -> usize {
        let mut inner = lock(&self.inner);
        let old = std::mem::replace(&mut inner.size, size);
        inner.evict();
        old
    }

    /// Sessions evicted because the cache was full.
    pub(crate) fn full_count(&self) -> u64 {
        lock(&self.inner).full
    }
}

impl Inner {
    fn take(&mut self, id: &[u8]) -> Option<Arc<Session>> {
        let s = self.by_id.remove(id)?;
        self.order.retain(|i| i != id);
        Some(s)
    }

    fn evict(&mut self) {
        while self.size > 0 && self.by_id.len() > self.size {
            let Some(oldest) = self.order.pop_front() else {
                break;
            };
            self.by_id.remove(&oldest);
            self.full += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session(id: u8, time: u64) -> Arc<Session> {
        let s = Session::empty();
        {
            let mut m = s.meta();
            m.id = vec![id; 4];
            m.time = crate::session::seconds(time);
            m.timeout = 10;
        }
        s
    }

    #[test]
    fn evicts_oldest_and_expired() {
        let now = now();
        let cache = SessionCache::new(2);
        assert!(cache.add(session(1, now)));
        assert!(cache.add(session(2, now)));
        assert!(cache.add(session(3, now)));
        assert_eq!(cache.len(), 2);
        assert!(cache.get(&[1; 4]).is_none());
        assert!(cache.get(&[3; 4]).is_some());
        assert_eq!(cache.full_count(), 1);
        assert!(!cache.add(session(3, now)));
        assert!(cache.add(session(4, now - 100)));
        assert_eq!(cache.flush(now).len(), 1);
        assert!(cache.remove(&[3; 4]).is_some());
        assert_eq!(cache.len(), 0);
    }
}
