//! How a context and its connections share their callbacks: `SSL_new` copies the
//! context's (OpenSSL copies the whole set into each `SSL`); here the copy is a reference
//! until either side changes a callback.

use std::sync::{Arc, MutexGuard};

use super::{Callbacks, InfoCallback};
use crate::abi::ctx::SSL_CTX;
use crate::current::lock;

/// A context's callbacks. Connections made from the context share them (`SSL_new` copies
/// a reference, not the 400-odd bytes); changing them makes the context its own copy first,
/// so connections keep what they copied, as in OpenSSL.
pub(crate) type CtxCallbacks = Arc<Callbacks>;

/// Changes a context's callbacks (the connections made before keep theirs).
pub(crate) fn ctx_callbacks_mut(ctx: &SSL_CTX) -> MappedCallbacks<'_> {
    MappedCallbacks(lock(&ctx.callbacks))
}

/// The context's callbacks, locked for a change.
pub(crate) struct MappedCallbacks<'a>(MutexGuard<'a, CtxCallbacks>);

impl std::ops::Deref for MappedCallbacks<'_> {
    type Target = Callbacks;
    fn deref(&self) -> &Callbacks {
        &self.0
    }
}

impl std::ops::DerefMut for MappedCallbacks<'_> {
    fn deref_mut(&mut self) -> &mut Callbacks {
        Arc::make_mut(&mut self.0)
    }
}

/// A connection's callbacks: those it copied from its context at `SSL_new` (shared with
/// the context until either changes them) and its own info callback, which OpenSSL does
/// not copy.
#[derive(Clone)]
pub(crate) struct ConnCallbacks {
    shared: Arc<Callbacks>,
    /// `SSL_set_info_callback`'s (the context's applies while this is unset).
    pub info: InfoCallback,
}

impl ConnCallbacks {
    /// The callbacks a new connection of a context with `ctx` callbacks starts with.
    pub(crate) fn copied_from(ctx: &CtxCallbacks) -> Self {
        Self {
            shared: Arc::clone(ctx),
            info: None,
        }
    }

    /// All of them, copied out so they run with no lock held.
    pub(crate) fn get(&self) -> Callbacks {
        Callbacks {
            info: self.info,
            ..*self.shared
        }
    }
}

impl std::ops::Deref for ConnCallbacks {
    type Target = Callbacks;
    /// Every callback but the info callback (the field `info` of this struct is the
    /// connection's).
    fn deref(&self) -> &Callbacks {
        &self.shared
    }
}

impl std::ops::DerefMut for ConnCallbacks {
    fn deref_mut(&mut self) -> &mut Callbacks {
        Arc::make_mut(&mut self.shared)
    }
}
