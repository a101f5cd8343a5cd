//! The application's ticket-key callbacks (`SSL_CTX_set_tlsext_ticket_key_cb` with an
//! `HMAC_CTX`, `SSL_CTX_set_tlsext_ticket_key_evp_cb` with an `EVP_MAC_CTX`) as key
//! sources for OpenSSL-format tickets (`crypto_sys::tickets`).

use std::ffi::c_int;

use super::ctx::SSL_CTX;
use super::{entry, try_ref, SSL};
use crate::crypto_sys as sys;
use crate::crypto_sys::tickets::{KeySource, Mac};

/// `SSL_CTX_set_tlsext_ticket_key_cb`'s callback.
pub type TicketKeyCallback = Option<
    unsafe extern "C" fn(
        *mut SSL,
        *mut u8,
        *mut u8,
        *mut sys::EVP_CIPHER_CTX,
        *mut sys::HMAC_CTX,
        c_int,
    ) -> c_int,
>;

/// `SSL_CTX_set_tlsext_ticket_key_evp_cb`'s callback.
pub type TicketKeyEvpCallback = Option<
    unsafe extern "C" fn(
        *mut SSL,
        *mut u8,
        *mut u8,
        *mut sys::EVP_CIPHER_CTX,
        *mut sys::EVP_MAC_CTX,
        c_int,
    ) -> c_int,
>;

/// One of the application's callbacks, for one connection ([`Callbacks::app_keys`] makes
/// one only for a callback that is set).
///
/// [`Callbacks::app_keys`]: super::callbacks::Callbacks::app_keys
pub(super) enum AppKeys {
    Hmac(TicketKeyCallback, *mut SSL),
    Evp(TicketKeyEvpCallback, *mut SSL),
}

impl KeySource for AppKeys {
    fn evp_mac(&self) -> bool {
        matches!(self, Self::Evp(..))
    }

    /// # Safety
    /// As [`KeySource::init`].
    unsafe fn init(
        &self,
        key_name: *mut u8,
        iv: *mut u8,
        cipher: *mut sys::EVP_CIPHER_CTX,
        mac: &Mac,
        enc: c_int,
    ) -> c_int {
        // SAFETY: the application's callback, with the buffers and fresh contexts the
        // caller guarantees, and the connection whose handshake is running.
        unsafe {
            match (self, mac) {
                (Self::Hmac(Some(cb), ssl), Mac::Hmac(h)) => {
                    cb(*ssl, key_name, iv, cipher, *h, enc)
                }
                (Self::Evp(Some(cb), ssl), Mac::Evp(m)) => cb(*ssl, key_name, iv, cipher, *m, enc),
                _ => -1,
            }
        }
    }
}

/// `SSL_CTX_set_tlsext_ticket_key_evp_cb`: the callback that chooses ticket keys (with an
/// `EVP_MAC_CTX` for the MAC); replaces one set the legacy way. 1.
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_set_tlsext_ticket_key_evp_cb(
    ctx: *mut SSL_CTX,
    cb: TicketKeyEvpCallback,
) -> c_int {
    entry(|| {
        let ctx = try_ref!(ctx);
        {
            let mut cbs = crate::abi::callbacks::ctx_callbacks_mut(ctx);
            cbs.ticket_key_evp = cb;
        }
        let external = ctx.callbacks().has_ticket_keys();
        ctx.core.update(|s| s.external_tickets = external);
        Ok(1)
    })
}

impl super::callbacks::Callbacks {
    /// Whether the application seals tickets itself (either callback is set).
    pub(crate) fn has_ticket_keys(&self) -> bool {
        self.ticket_key.is_some() || self.ticket_key_evp.is_some()
    }

    /// The application's ticket key source for `ssl`, if it has one (the EVP flavour wins,
    /// as in OpenSSL).
    pub(super) fn app_keys(&self, ssl: *mut SSL) -> Option<AppKeys> {
        if self.ticket_key_evp.is_some() {
            return Some(AppKeys::Evp(self.ticket_key_evp, ssl));
        }
        self.ticket_key
            .is_some()
            .then_some(AppKeys::Hmac(self.ticket_key, ssl))
    }
}
