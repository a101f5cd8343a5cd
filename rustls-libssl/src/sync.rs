//! Locking shared by the core: every mutex here is locked through [`lock`].

use std::sync::{Mutex, MutexGuard};

/// Locks a mutex, recovering the data if a panic poisoned it (the panic was already turned
/// into an error at the C boundary; the data itself stays consistent field by field).
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}
