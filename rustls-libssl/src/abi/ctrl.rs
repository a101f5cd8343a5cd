//! `SSL_CTX_ctrl`, `SSL_ctrl` and the `callback_ctrl`s: `cmd` is decoded at once into
//! [`Ctrl`] and handled by the same core code the named functions use. Unknown commands
//! return 0, as in OpenSSL.

use std::ffi::{c_char, c_int, c_long, c_void};

use super::ctx::{ServernameCallback, StatusCallback, SSL_CTX};
use super::tickets::TicketKeyCallback;
use super::{c_str, entry, try_ref, SSL};
use crate::context::Settings;
use crate::crypto_sys::{self as sys, Cert, X509Stack, X509Store};
use crate::current::lock;
use crate::error::Error;
use crate::groups;
use crate::versions::VersionRange;

/// A decoded ctrl command.
enum Ctrl {
    Mode(u64),
    ClearMode(u64),
    SetMinProto(c_long),
    SetMaxProto(c_long),
    GetMinProto,
    GetMaxProto,
    SetSessCacheMode(c_long),
    GetSessCacheMode,
    SetSessCacheSize,
    GroupsList(*const c_char),
    ExtraChainCert(*mut sys::X509),
    ClearChain,
    /// `SSL_CTX_set0_chain` (take the stack) / `set1_chain` (copy it).
    SetChain {
        stack: *mut c_void,
        take: bool,
    },
    ChainCert {
        cert: *mut sys::X509,
        add_ref: bool,
    },
    TlsextHostname(*const c_char),
    StatusReqType,
    GetOcspResp(*mut *const u8),
    GetNegotiatedGroup,
    ServernameArg(*mut c_void),
    StatusArg(*mut c_void),
    /// `SSL_set_tlsext_status_ocsp_resp`: takes over an `OPENSSL_malloc`ed buffer.
    SetOcspResp(*mut u8, c_long),
    GetExtraChainCerts(*mut *mut c_void),
    SelectCurrentCert(*mut sys::X509),
    GetGroups(*mut c_int),
    GetRawCipherlist(*mut *const u8),
    SetReadAhead(bool),
    /// `SSL_CTX_set{0,1}_verify_cert_store` (`chain`: the chain store); `add_ref` for set1.
    SetStore {
        store: *mut sys::X509_STORE,
        chain: bool,
        add_ref: bool,
    },
    /// `SSL_CTX_get0_verify_cert_store` / `get0_chain_cert_store`.
    GetStore {
        out: *mut *mut sys::X509_STORE,
        chain: bool,
    },
    GetReadAhead,
    /// Accepted with no effect here (DH parameters, msg callback argument...).
    Accept,
    Unknown(c_int),
}

impl Ctrl {
    fn decode(cmd: c_int, larg: c_long, parg: *mut c_void) -> Self {
        match cmd {
            sys::SSL_CTRL_MODE => Self::Mode(larg as u64),
            sys::SSL_CTRL_CLEAR_MODE => Self::ClearMode(larg as u64),
            sys::SSL_CTRL_SET_MIN_PROTO_VERSION => Self::SetMinProto(larg),
            sys::SSL_CTRL_SET_MAX_PROTO_VERSION => Self::SetMaxProto(larg),
            sys::SSL_CTRL_GET_MIN_PROTO_VERSION => Self::GetMinProto,
            sys::SSL_CTRL_GET_MAX_PROTO_VERSION => Self::GetMaxProto,
            sys::SSL_CTRL_SET_SESS_CACHE_MODE => Self::SetSessCacheMode(larg),
            sys::SSL_CTRL_GET_SESS_CACHE_MODE => Self::GetSessCacheMode,
            sys::SSL_CTRL_SET_SESS_CACHE_SIZE => Self::SetSessCacheSize,
            sys::SSL_CTRL_SET_GROUPS_LIST => Self::GroupsList(parg.cast()),
            sys::SSL_CTRL_EXTRA_CHAIN_CERT => Self::ExtraChainCert(parg.cast()),
            sys::SSL_CTRL_CHAIN if parg.is_null() => Self::ClearChain,
            sys::SSL_CTRL_CHAIN => Self::SetChain {
                stack: parg,
                take: larg == 0,
            },
            sys::SSL_CTRL_CHAIN_CERT => Self::ChainCert {
                cert: parg.cast(),
                add_ref: larg != 0,
            },
            sys::SSL_CTRL_SET_TLSEXT_HOSTNAME => Self::TlsextHostname(parg.cast()),
            sys::SSL_CTRL_SET_TLSEXT_STATUS_REQ_TYPE => Self::StatusReqType,
            sys::SSL_CTRL_GET_TLSEXT_STATUS_REQ_OCSP_RESP => Self::GetOcspResp(parg.cast()),
            sys::SSL_CTRL_GET_NEGOTIATED_GROUP => Self::GetNegotiatedGroup,
            sys::SSL_CTRL_SET_TLSEXT_SERVERNAME_ARG => Self::ServernameArg(parg),
            sys::SSL_CTRL_SET_TLSEXT_STATUS_REQ_CB_ARG => Self::StatusArg(parg),
            sys::SSL_CTRL_SET_TLSEXT_STATUS_REQ_OCSP_RESP => Self::SetOcspResp(parg.cast(), larg),
            sys::SSL_CTRL_GET_EXTRA_CHAIN_CERTS => Self::GetExtraChainCerts(parg.cast()),
            sys::SSL_CTRL_SELECT_CURRENT_CERT => Self::SelectCurrentCert(parg.cast()),
            sys::SSL_CTRL_GET_GROUPS => Self::GetGroups(parg.cast()),
            sys::SSL_CTRL_GET_RAW_CIPHERLIST => Self::GetRawCipherlist(parg.cast()),
            sys::SSL_CTRL_SET_READ_AHEAD => Self::SetReadAhead(larg != 0),
            sys::SSL_CTRL_GET_READ_AHEAD => Self::GetReadAhead,
            sys::SSL_CTRL_SET_VERIFY_CERT_STORE | sys::SSL_CTRL_SET_CHAIN_CERT_STORE => {
                Self::SetStore {
                    store: parg.cast(),
                    chain: cmd == sys::SSL_CTRL_SET_CHAIN_CERT_STORE,
                    add_ref: larg != 0,
                }
            }
            sys::SSL_CTRL_GET_VERIFY_CERT_STORE | sys::SSL_CTRL_GET_CHAIN_CERT_STORE => {
                Self::GetStore {
                    out: parg.cast(),
                    chain: cmd == sys::SSL_CTRL_GET_CHAIN_CERT_STORE,
                }
            }
            sys::SSL_CTRL_SET_MSG_CALLBACK_ARG
            | sys::SSL_CTRL_SET_TMP_DH
            | sys::SSL_CTRL_SET_TMP_ECDH
            | sys::SSL_CTRL_SET_DH_AUTO => Self::Accept,
            _ => Self::Unknown(cmd),
        }
    }
}

/// Applies a settings command shared by both levels; `None` if `ctrl` is not one.
fn settings_ctrl(ctrl: &Ctrl, s: &mut Settings) -> Option<Result<c_long, Error>> {
    let r = match *ctrl {
        Ctrl::Mode(bits) => {
            s.mode |= bits;
            Ok(s.mode as c_long)
        }
        Ctrl::ClearMode(bits) => {
            s.mode &= !bits;
            Ok(s.mode as c_long)
        }
        Ctrl::SetMinProto(v) | Ctrl::SetMaxProto(v) => {
            if !VersionRange::valid_bound(v) {
                return Some(Err(Error::Silent)); // OpenSSL queues nothing here
            }
            let v = u16::try_from(v).unwrap_or(0);
            if matches!(ctrl, Ctrl::SetMinProto(_)) {
                s.versions.min = v;
            } else {
                s.versions.max = v;
            }
            Ok(1)
        }
        Ctrl::GetMinProto => Ok(c_long::from(s.versions.min)),
        Ctrl::GetMaxProto => Ok(c_long::from(s.versions.max)),
        Ctrl::GroupsList(list) => {
            // SAFETY: parg is a C string for this command.
            match unsafe { c_str(list) }.and_then(groups::parse) {
                Ok(g) => {
                    s.groups = g;
                    Ok(1)
                }
                Err(e) => Err(e),
            }
        }
        Ctrl::ExtraChainCert(cert)
        | Ctrl::ChainCert {
            cert,
            add_ref: false,
        } => {
            // SAFETY: the caller hands over its reference (add0 / add_extra_chain_cert).
            match unsafe { Cert::from_raw(cert) } {
                Some(c) => {
                    s.credentials.add_chain(c);
                    Ok(1)
                }
                None => Err(Error::NullArgument),
            }
        }
        Ctrl::ChainCert {
            cert,
            add_ref: true,
        } => {
            // SAFETY: the caller keeps its reference (add1); we take a new one.
            match unsafe { Cert::from_ptr_up_ref(cert) } {
                Some(c) => {
                    s.credentials.add_chain(c);
                    Ok(1)
                }
                None => Err(Error::NullArgument),
            }
        }
        Ctrl::SetChain { stack, take } => {
            let certs = if take {
                // SAFETY: set0: the caller hands over the stack and its references.
                unsafe { X509Stack::from_raw(stack.cast()) }
                    .map(|st| st.to_vec())
                    .unwrap_or_default()
            } else {
                // SAFETY: set1: a valid stack the caller keeps.
                unsafe { X509Stack::certs_of(stack.cast()) }
            };
            s.credentials.set_chain(certs);
            Ok(1)
        }
        Ctrl::ClearChain => {
            s.credentials.set_chain(Vec::new());
            Ok(1)
        }
        Ctrl::SetSessCacheMode(mode) => Ok(std::mem::replace(&mut s.session_cache_mode, mode)),
        Ctrl::GetSessCacheMode => Ok(s.session_cache_mode),
        // Both return the value before the call, as OpenSSL's do.
        Ctrl::SetReadAhead(on) => Ok(c_long::from(std::mem::replace(&mut s.read_ahead, on))),
        Ctrl::GetReadAhead => Ok(c_long::from(s.read_ahead)),
        Ctrl::SetStore {
            store,
            chain,
            add_ref,
        } => {
            let store = if add_ref {
                // SAFETY: set1: a valid store (or NULL) the caller keeps.
                unsafe { X509Store::from_ptr_up_ref(store) }
            } else {
                // SAFETY: set0: the caller hands over its reference (or NULL).
                unsafe { X509Store::from_raw(store) }
            };
            if chain {
                s.chain_store = store;
            } else {
                s.verify_store = store;
            }
            Ok(1)
        }
        Ctrl::GetStore { out, chain } => {
            let store = if chain {
                &s.chain_store
            } else {
                &s.verify_store
            };
            if !out.is_null() {
                // SAFETY: parg is an `X509_STORE **` for this command; get0.
                unsafe {
                    *out = store
                        .as_ref()
                        .map_or(std::ptr::null_mut(), X509Store::as_ptr)
                };
            }
            Ok(1)
        }
        Ctrl::SetSessCacheSize => Ok(sys::SSL_SESSION_CACHE_MAX_SIZE_DEFAULT as c_long),
        Ctrl::Accept => Ok(1),
        _ => return None,
    };
    Some(r)
}

/// `SSL_CTX_ctrl`: context-level commands (modes, protocol bounds, groups, chains, session
/// cache mode...). Returns the command's value; 0 for unknown commands.
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_ctrl(
    ctx: *mut SSL_CTX,
    cmd: c_int,
    larg: c_long,
    parg: *mut c_void,
) -> c_long {
    entry(|| {
        let ctx = try_ref!(ctx);
        let ctrl = Ctrl::decode(cmd, larg, parg);
        match ctrl {
            Ctrl::Unknown(cmd) => {
                log_unknown("SSL_CTX_ctrl", cmd);
                return Ok(0);
            }
            Ctrl::ServernameArg(arg) => {
                lock(&ctx.callbacks).servername_arg = arg as usize;
                return Ok(1);
            }
            Ctrl::StatusArg(arg) => {
                lock(&ctx.callbacks).status_arg = arg as usize;
                return Ok(1);
            }
            Ctrl::GetExtraChainCerts(out) => {
                if out.is_null() {
                    return Err(Error::NullArgument);
                }
                let chain = ctx.core.settings().credentials.chain().to_vec();
                let stack = X509Stack::new(&chain).ok_or(Error::Crypto)?;
                // SAFETY: parg is a `STACK_OF(X509) **` for this command; the stack is
                // owned by the context (get0) and kept as long as it lives, since the
                // application may hold it (nginx asks once per certificate at startup).
                unsafe { *out = stack.as_ptr().cast() };
                lock(&ctx.extra_chain).push(stack);
                return Ok(1);
            }
            Ctrl::SelectCurrentCert(x) => {
                // Selecting changes no certificate: the shared config stays valid.
                let selected = ctx.core.update_credentials(|c| c.select(x));
                return Ok(c_long::from(selected));
            }
            _ => {}
        }
        match ctx.core.update(|s| settings_ctrl(&ctrl, s)) {
            Some(r) => r,
            None => Ok(0),
        }
    })
}

/// `SSL_ctrl`: connection-level commands (SNI name, OCSP request and response, protocol
/// bounds, negotiated group...). Returns the command's value; 0 for unknown commands.
#[no_mangle]
pub unsafe extern "C" fn SSL_ctrl(
    ssl: *mut SSL,
    cmd: c_int,
    larg: c_long,
    parg: *mut c_void,
) -> c_long {
    entry(|| {
        let ssl = try_ref!(ssl);
        let ctrl = Ctrl::decode(cmd, larg, parg);
        let mut conn = ssl.setup();
        match ctrl {
            Ctrl::TlsextHostname(name) => {
                if name.is_null() {
                    conn.server_name = None;
                    return Ok(1);
                }
                // SAFETY: parg is a C string for this command.
                let name = unsafe { c_str(name) }?;
                if name.is_empty() || name.len() > 255 {
                    return Err(Error::Reason(sys::SSL_R_SSL3_EXT_INVALID_SERVERNAME));
                }
                conn.server_name = Some(name.to_owned());
                Ok(1)
            }
            // rustls clients always ask for a stapled OCSP response.
            Ctrl::StatusReqType => Ok(1),
            Ctrl::GetOcspResp(out) => {
                let outcome = ssl.state.outcome();
                let resp = &outcome.ocsp_response;
                if !out.is_null() {
                    // SAFETY: parg is a writable `const unsigned char **` for this command;
                    // the response lives as long as the connection.
                    unsafe {
                        *out = if resp.is_empty() {
                            std::ptr::null()
                        } else {
                            resp.as_ptr()
                        }
                    };
                }
                Ok(if resp.is_empty() {
                    -1
                } else {
                    resp.len() as c_long
                })
            }
            Ctrl::GetNegotiatedGroup => Ok(ssl.status().group.map_or(0, group_nid)),
            Ctrl::SetOcspResp(resp, len) => {
                let len = usize::try_from(len).map_err(|_| Error::BadValue)?;
                // SAFETY: the caller hands over an OPENSSL_malloc'ed buffer of len bytes; it
                // is copied, then freed as OpenSSL would free it.
                let copy = unsafe { super::c_bytes(resp, len) }?.to_vec();
                // SAFETY: as above.
                unsafe { sys::CRYPTO_free(resp.cast(), c"rustls-libssl".as_ptr(), 0) };
                conn.stapled_ocsp = Some(copy);
                Ok(1)
            }
            Ctrl::GetGroups(out) => {
                let groups: Vec<u16> = match lock(&ssl.state.hello).as_ref() {
                    Some(h) => h.groups.clone(),
                    None => conn
                        .settings
                        .groups
                        .iter()
                        .map(|g| u16::from(g.name()))
                        .collect(),
                };
                if !out.is_null() {
                    for (i, g) in groups.iter().enumerate() {
                        // SAFETY: parg is an int array the caller sized with a first call.
                        unsafe { *out.add(i) = group_nid(rustls::NamedGroup::from(*g)) as c_int };
                    }
                }
                Ok(groups.len() as c_long)
            }
            Ctrl::GetRawCipherlist(out) => {
                let hello = lock(&ssl.state.hello);
                let Some(raw) = hello.as_ref().map(|h| &h.raw_ciphers) else {
                    return Ok(0);
                };
                if out.is_null() {
                    return Ok(2); // without a pointer: the size of one entry, as in OpenSSL
                }
                // SAFETY: parg is a `const unsigned char **`; the list lives as long as the
                // connection (get0).
                unsafe { *out = raw.as_ptr() };
                Ok(raw.len() as c_long)
            }
            Ctrl::ExtraChainCert(_)
            | Ctrl::ChainCert { .. }
            | Ctrl::ClearChain
            | Ctrl::SetChain { .. } => {
                // Certificates are read per connection at the handshake; changing them does
                // not need a config of its own.
                settings_ctrl(&ctrl, conn.settings_mut()).unwrap_or(Ok(0))
            }
            Ctrl::Mode(bits) => {
                conn.mode |= bits;
                Ok(conn.mode as c_long)
            }
            Ctrl::ClearMode(bits) => {
                conn.mode &= !bits;
                Ok(conn.mode as c_long)
            }
            Ctrl::SetReadAhead(on) => Ok(c_long::from(std::mem::replace(&mut conn.read_ahead, on))),
            Ctrl::GetReadAhead => Ok(c_long::from(conn.read_ahead)),
            Ctrl::Unknown(cmd) => {
                log_unknown("SSL_ctrl", cmd);
                Ok(0)
            }
            ref other => {
                // Verification-only and read-only commands do not change the rustls config.
                let changes_config = !matches!(
                    other,
                    Ctrl::GetMinProto | Ctrl::GetMaxProto | Ctrl::GetSessCacheMode
                );
                let r = if changes_config {
                    conn.update(|s| settings_ctrl(other, s))
                } else {
                    settings_ctrl(other, &mut (*conn.settings).clone())
                };
                r.unwrap_or(Ok(0))
            }
        }
    })
}

/// `SSL_CTX_callback_ctrl`: callback-setting commands: the SNI callback
/// (`SSL_CTX_set_tlsext_servername_callback`); 1, or 0 for commands not supported.
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_callback_ctrl(
    ctx: *mut SSL_CTX,
    cmd: c_int,
    fp: Option<unsafe extern "C" fn()>,
) -> c_long {
    entry(|| {
        let ctx = try_ref!(ctx);
        match cmd {
            sys::SSL_CTRL_SET_TLSEXT_SERVERNAME_CB => {
                // SAFETY: for this command OpenSSL's macro casts a servername callback to the
                // generic function type; casting it back restores its real type.
                let cb = fp.map(|f| unsafe {
                    std::mem::transmute::<unsafe extern "C" fn(), ServernameCallback>(f)
                });
                lock(&ctx.callbacks).servername = cb;
                Ok(1)
            }
            sys::SSL_CTRL_SET_TLSEXT_TICKET_KEY_CB => {
                // SAFETY: for this command OpenSSL's macro casts a ticket-key callback to the
                // generic function type; casting it back restores its real type.
                let cb = fp.map(|f| unsafe {
                    std::mem::transmute::<unsafe extern "C" fn(), TicketKeyCallback>(f)
                });
                lock(&ctx.callbacks).ticket_key = cb;
                ctx.core.update(|s| s.external_tickets = cb.is_some());
                Ok(1)
            }
            sys::SSL_CTRL_SET_TLSEXT_STATUS_REQ_CB => {
                // SAFETY: as above, for the OCSP status callback.
                let cb = fp.map(|f| unsafe {
                    std::mem::transmute::<unsafe extern "C" fn(), StatusCallback>(f)
                });
                lock(&ctx.callbacks).status = cb;
                Ok(1)
            }
            _ => {
                log_unknown("SSL_CTX_callback_ctrl", cmd);
                Ok(0)
            }
        }
    })
}

/// `SSL_callback_ctrl`: as above; returns 0.
#[no_mangle]
pub unsafe extern "C" fn SSL_callback_ctrl(
    ssl: *mut SSL,
    cmd: c_int,
    _fp: Option<unsafe extern "C" fn()>,
) -> c_long {
    entry(|| {
        try_ref!(ssl);
        log_unknown("SSL_callback_ctrl", cmd);
        Ok(0)
    })
}

/// OpenSSL's NID (or group id with `TLSEXT_nid_unknown` for groups without one).
fn group_nid(group: rustls::NamedGroup) -> c_long {
    use rustls::NamedGroup as G;
    match group {
        G::X448 => sys::NID_X448 as c_long,
        G::FFDHE2048 => sys::NID_ffdhe2048 as c_long,
        G::FFDHE3072 => sys::NID_ffdhe3072 as c_long,
        G::FFDHE4096 => sys::NID_ffdhe4096 as c_long,
        G::FFDHE6144 => sys::NID_ffdhe6144 as c_long,
        G::FFDHE8192 => sys::NID_ffdhe8192 as c_long,
        G::X25519 => sys::NID_X25519 as c_long,
        G::secp256r1 => sys::NID_X9_62_prime256v1 as c_long,
        G::secp384r1 => sys::NID_secp384r1 as c_long,
        G::secp521r1 => sys::NID_secp521r1 as c_long,
        other => TLSEXT_NID_UNKNOWN | c_long::from(u16::from(other)),
    }
}

/// `TLSEXT_nid_unknown` (tls1.h): marks a group id that has no NID.
const TLSEXT_NID_UNKNOWN: c_long = 0x0100_0000;

fn log_unknown(func: &str, cmd: c_int) {
    super::debug_log(&format!("{func}: unsupported command {cmd}, returning 0"));
}
