//! `SSL_METHOD`: the flexible `TLS_*_method`s, the version-specific ones (which fix the
//! protocol version, as in OpenSSL), and the DTLS ones. rustls has no DTLS: contexts and
//! connections made from a DTLS method take every setting (programs such as coturn make
//! their DTLS contexts at startup, next to the TLS ones), and their handshakes fail with
//! "not supported" (see `dtls.rs`).

use std::ffi::c_int;

use super::ctx::SSL_CTX;
use super::{entry, try_ref, SSL};
use crate::context::{Method, MethodKind};
use crate::error::Error;

/// An `SSL_METHOD`: static, never freed.
pub(crate) struct SSL_METHOD {
    roles: Method,
    /// The fixed version, 0 for a flexible method.
    version: u16,
    dtls: bool,
}

// SAFETY: the methods are immutable statics; the pointer to one is only compared.
unsafe impl Sync for SSL_METHOD {}

impl SSL_METHOD {
    /// The static method `p` points at; `None` for NULL or a pointer to no method.
    pub(crate) fn find(p: *const Self) -> Option<&'static Self> {
        ALL.iter().copied().find(|m| std::ptr::eq(*m, p))
    }

    /// Whether a connection of this method can be a server (OpenSSL makes a new connection
    /// a server by default unless its method is a client-only one).
    pub(crate) fn accepts(&self) -> bool {
        self.roles != Method::Client
    }

    /// The kind of context the method makes.
    pub(crate) fn kind(&self) -> Result<MethodKind, Error> {
        Ok(MethodKind {
            roles: self.roles,
            version: self.version,
            dtls: self.dtls,
        })
    }

    /// Whether this is a DTLS method.
    pub(crate) fn is_dtls(&self) -> bool {
        self.dtls
    }
}

macro_rules! methods {
    ($($(#[$doc:meta])* $name:ident, $static:ident, $roles:ident, $version:expr, $dtls:expr;)*) => {
        $(
            static $static: SSL_METHOD = SSL_METHOD {
                roles: Method::$roles,
                version: $version,
                dtls: $dtls,
            };

            $(#[$doc])*
            #[no_mangle]
            pub extern "C" fn $name() -> *const SSL_METHOD {
                &$static
            }
        )*

        /// Every method, for finding the one matching a role and version.
        static ALL: &[&SSL_METHOD] = &[$(&$static),*];
    };
}

methods! {
    /// `TLS_method` (`SSLv23_method`): client or server, any version. Static.
    TLS_method, TLS_ANY, Any, 0, false;
    /// `TLS_client_method`: client, any version. Static.
    TLS_client_method, TLS_CLIENT, Client, 0, false;
    /// `TLS_server_method`: server, any version. Static.
    TLS_server_method, TLS_SERVER, Server, 0, false;
    /// `TLSv1_2_method`: TLS 1.2 only, either role. Static.
    TLSv1_2_method, TLS12_ANY, Any, 0x0303, false;
    /// `TLSv1_2_client_method`. Static.
    TLSv1_2_client_method, TLS12_CLIENT, Client, 0x0303, false;
    /// `TLSv1_2_server_method`. Static.
    TLSv1_2_server_method, TLS12_SERVER, Server, 0x0303, false;
    /// `TLSv1_1_method`: TLS 1.1 only (rustls has no TLS 1.1: handshakes fail with "no
    /// protocols available", as OpenSSL's do at Debian's security level 2). Static.
    TLSv1_1_method, TLS11_ANY, Any, 0x0302, false;
    /// `TLSv1_1_client_method`. Static.
    TLSv1_1_client_method, TLS11_CLIENT, Client, 0x0302, false;
    /// `TLSv1_1_server_method`. Static.
    TLSv1_1_server_method, TLS11_SERVER, Server, 0x0302, false;
    /// `TLSv1_method`: TLS 1.0 only (as TLS 1.1). Static.
    TLSv1_method, TLS10_ANY, Any, 0x0301, false;
    /// `TLSv1_client_method`. Static.
    TLSv1_client_method, TLS10_CLIENT, Client, 0x0301, false;
    /// `TLSv1_server_method`. Static.
    TLSv1_server_method, TLS10_SERVER, Server, 0x0301, false;
    /// `DTLS_method`: DTLS, any version (handshakes fail: rustls has no DTLS). Static.
    DTLS_method, DTLS_ANY, Any, 0, true;
    /// `DTLS_client_method`. Static.
    DTLS_client_method, DTLS_CLIENT, Client, 0, true;
    /// `DTLS_server_method`. Static.
    DTLS_server_method, DTLS_SERVER, Server, 0, true;
    /// `DTLSv1_2_method`. Static.
    DTLSv1_2_method, DTLS12_ANY, Any, 0xfefd, true;
    /// `DTLSv1_2_client_method`. Static.
    DTLSv1_2_client_method, DTLS12_CLIENT, Client, 0xfefd, true;
    /// `DTLSv1_2_server_method`. Static.
    DTLSv1_2_server_method, DTLS12_SERVER, Server, 0xfefd, true;
    /// `DTLSv1_method`. Static.
    DTLSv1_method, DTLS10_ANY, Any, 0xfeff, true;
    /// `DTLSv1_client_method`. Static.
    DTLSv1_client_method, DTLS10_CLIENT, Client, 0xfeff, true;
    /// `DTLSv1_server_method`. Static.
    DTLSv1_server_method, DTLS10_SERVER, Server, 0xfeff, true;
}

/// `SSL_CTX_get_ssl_method`: the context's method (static).
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_get_ssl_method(ctx: *const SSL_CTX) -> *const SSL_METHOD {
    entry(|| Ok(std::ptr::from_ref(try_ref!(ctx).method())))
}

/// `SSL_get_ssl_method`: the connection's method (static): its context's, made
/// role-specific once the connection has a role, as OpenSSL's is.
#[no_mangle]
pub unsafe extern "C" fn SSL_get_ssl_method(ssl: *const SSL) -> *const SSL_METHOD {
    entry(|| {
        let ssl = try_ref!(ssl);
        let method = lock_method(ssl);
        Ok(method)
    })
}

/// The method an `SSL` reports.
fn lock_method(ssl: &SSL) -> *const SSL_METHOD {
    std::ptr::from_ref(method_of(ssl))
}

/// The connection's method: its own, else its context's.
pub(crate) fn method_of(ssl: &SSL) -> &'static SSL_METHOD {
    let own = *crate::current::lock(&ssl.method);
    own.unwrap_or_else(|| ssl.ctx().method())
}

/// `SSL_set_ssl_method`: switches the connection's method; 1, or 0 for a DTLS method.
/// A version-specific method fixes the connection's version; the flexible ones lift the
/// bounds a previous method fixed.
#[no_mangle]
pub unsafe extern "C" fn SSL_set_ssl_method(ssl: *mut SSL, method: *const SSL_METHOD) -> c_int {
    entry(|| {
        let ssl = try_ref!(ssl);
        try_ref!(method);
        let m = SSL_METHOD::find(method).ok_or(Error::Reason(
            crate::crypto_sys::SSL_R_NULL_SSL_METHOD_PASSED,
        ))?;
        let kind = m.kind()?;
        {
            let mut setup = ssl.setup();
            setup.update(|s| s.versions.fixed = kind.version);
            if setup.role.is_none() {
                setup.role = match kind.roles {
                    Method::Client => Some(crate::setup::Role::Client),
                    Method::Server => Some(crate::setup::Role::Server),
                    Method::Any => None,
                };
            }
        }
        *crate::current::lock(&ssl.method) = Some(m);
        Ok(1)
    })
}

/// `SSL_CTX_set_ssl_version`: switches the context's method (connections made from then
/// on take it, and `SSL_clear` reverts to it) and, as OpenSSL does, resets the cipher
/// list and TLS 1.3 suites to the defaults; 1, or 0 for a DTLS method.
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_set_ssl_version(
    ctx: *mut SSL_CTX,
    method: *const SSL_METHOD,
) -> c_int {
    entry(|| {
        let ctx = try_ref!(ctx);
        try_ref!(method);
        let m = SSL_METHOD::find(method).ok_or(Error::Reason(
            crate::crypto_sys::SSL_R_NULL_SSL_METHOD_PASSED,
        ))?;
        let kind = m.kind()?;
        ctx.core.update(|s| {
            s.versions.fixed = kind.version;
            s.default_ciphers();
        });
        *crate::current::lock(&ctx.method) = m;
        Ok(1)
    })
}

/// `SSL_is_dtls`: 1 for a connection of a DTLS method (whose handshake fails), else 0.
#[no_mangle]
pub unsafe extern "C" fn SSL_is_dtls(ssl: *const SSL) -> c_int {
    entry(|| Ok(c_int::from(method_of(try_ref!(ssl)).dtls)))
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_method_is_distinct() {
        for (i, a) in super::ALL.iter().enumerate() {
            for b in &super::ALL[i + 1..] {
                assert!(!std::ptr::eq(*a, *b));
            }
        }
    }
}
