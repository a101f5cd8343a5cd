//! `SSL_CTX_ctrl`, `SSL_ctrl` and the `callback_ctrl`s: `cmd` is decoded at once into
//! [`Ctrl`] and handled by the same core code the named functions use, command by command
//! as OpenSSL 3.0's `SSL_ctrl`/`ssl3_ctrl` (and their context forms) handle them: the
//! same return values, the same errors, the same commands refused at each level. Unknown
//! commands return 0, as in OpenSSL.

use std::ffi::{c_char, c_int, c_long, c_void};

use super::callbacks::{ServernameCallback, StatusCallback, TmpDhCallback};
use super::ctx::SSL_CTX;
use super::tickets::TicketKeyCallback;
use super::{c_str, entry, try_ref, SSL};
use crate::context::{Settings, Stats};
use crate::crypto_sys::{self as sys, Cert, PKey, X509Stack, X509Store};
use crate::current::lock;
use crate::error::Error;
use crate::groups;
use crate::setup::Role;
use crate::sigalgs;

/// A decoded ctrl command.
enum Ctrl {
    GetReadAhead,
    SetReadAhead(c_long),
    MsgCallbackArg(*mut c_void),
    Mode(c_long),
    ClearMode(c_long),
    GetMaxCertList,
    SetMaxCertList(c_long),
    SetMaxSendFragment(c_long),
    SetSplitSendFragment(c_long),
    SetMaxPipelines(c_long),
    CertFlags(c_long),
    ClearCertFlags(c_long),
    SetMinProto(c_long),
    SetMaxProto(c_long),
    GetMinProto,
    GetMaxProto,
    // Context only.
    SetSessCacheSize(c_long),
    GetSessCacheSize,
    SetSessCacheMode(c_long),
    GetSessCacheMode,
    SessStat(c_int),
    ServernameArg(*mut c_void),
    TicketKeys {
        get: bool,
        keys: *mut u8,
        len: c_long,
    },
    SetStatusArg(*mut c_void),
    GetStatusArg(*mut *mut c_void),
    GetStatusCallback(*mut StatusCallback),
    /// `SSL_CTRL_SET_SRP_ARG` shares its number with `SSL_CTRL_CLEAR_MODE`, which wins in
    /// OpenSSL too.
    SrpUsername,
    SrpPassword,
    SrpStrength(c_long),
    ExtraChainCert(*mut sys::X509),
    GetExtraChainCerts {
        out: *mut *mut sys::stack_st_X509,
        only_extra: bool,
    },
    ClearExtraChainCerts,
    // Connection only.
    GetRiSupport,
    SetRetryVerify,
    GetRawCipherlist(*mut *const u8),
    GetExtmsSupport,
    NoRenegotiations,
    ClearRenegotiations,
    GetFlags,
    TlsextHostname {
        kind: c_long,
        name: *const c_char,
    },
    DebugArg(*mut c_void),
    GetStatusExts(*mut *mut c_void),
    SetStatusExts(*mut c_void),
    GetStatusIds(*mut *mut c_void),
    SetStatusIds(*mut c_void),
    GetOcspResp(*mut *const u8),
    SetOcspResp(*mut u8, c_long),
    GetGroups(*mut c_int),
    GetSharedGroup(c_long),
    GetNegotiatedGroup,
    GetClientCertTypes,
    PeerSignatureNid(*mut c_int),
    SignatureNid(*mut c_int),
    PeerTmpKey(*mut *mut sys::EVP_PKEY),
    TmpKey(*mut *mut sys::EVP_PKEY),
    EcPointFormats(*mut *const u8),
    // Both levels.
    SetTmpDh(*mut sys::DH),
    SetTmpDhCb,
    DhAuto(c_long),
    SetTmpEcdh(*mut sys::EC_KEY),
    GetStatusType,
    SetStatusType(c_long),
    SetGroups(*const c_int, c_long),
    GroupsList(*const c_char),
    Sigalgs {
        nids: *const c_int,
        len: c_long,
        client: bool,
    },
    SigalgsList {
        list: *const c_char,
        client: bool,
    },
    SetClientCertTypes(*const u8, c_long),
    BuildCertChain(c_long),
    SetStore {
        store: *mut sys::X509_STORE,
        chain: bool,
        add_ref: bool,
    },
    GetStore {
        out: *mut *mut sys::X509_STORE,
        chain: bool,
    },
    Chain {
        stack: *mut sys::stack_st_X509,
        copy: bool,
    },
    ChainCert {
        cert: *mut sys::X509,
        add_ref: bool,
    },
    GetChainCerts(*mut *mut sys::stack_st_X509),
    SelectCurrentCert(*mut sys::X509),
    SetCurrentCert(c_long),
    Unknown,
}

impl Ctrl {
    fn decode(cmd: c_int, larg: c_long, parg: *mut c_void) -> Self {
        match cmd {
            sys::SSL_CTRL_GET_READ_AHEAD => Self::GetReadAhead,
            sys::SSL_CTRL_SET_READ_AHEAD => Self::SetReadAhead(larg),
            sys::SSL_CTRL_SET_MSG_CALLBACK_ARG => Self::MsgCallbackArg(parg),
            sys::SSL_CTRL_MODE => Self::Mode(larg),
            sys::SSL_CTRL_CLEAR_MODE => Self::ClearMode(larg),
            sys::SSL_CTRL_GET_MAX_CERT_LIST => Self::GetMaxCertList,
            sys::SSL_CTRL_SET_MAX_CERT_LIST => Self::SetMaxCertList(larg),
            sys::SSL_CTRL_SET_MAX_SEND_FRAGMENT => Self::SetMaxSendFragment(larg),
            sys::SSL_CTRL_SET_SPLIT_SEND_FRAGMENT => Self::SetSplitSendFragment(larg),
            sys::SSL_CTRL_SET_MAX_PIPELINES => Self::SetMaxPipelines(larg),
            sys::SSL_CTRL_CERT_FLAGS => Self::CertFlags(larg),
            sys::SSL_CTRL_CLEAR_CERT_FLAGS => Self::ClearCertFlags(larg),
            sys::SSL_CTRL_SET_MIN_PROTO_VERSION => Self::SetMinProto(larg),
            sys::SSL_CTRL_SET_MAX_PROTO_VERSION => Self::SetMaxProto(larg),
            sys::SSL_CTRL_GET_MIN_PROTO_VERSION => Self::GetMinProto,
            sys::SSL_CTRL_GET_MAX_PROTO_VERSION => Self::GetMaxProto,
            sys::SSL_CTRL_SET_SESS_CACHE_SIZE => Self::SetSessCacheSize(larg),
            sys::SSL_CTRL_GET_SESS_CACHE_SIZE => Self::GetSessCacheSize,
            sys::SSL_CTRL_SET_SESS_CACHE_MODE => Self::SetSessCacheMode(larg),
            sys::SSL_CTRL_GET_SESS_CACHE_MODE => Self::GetSessCacheMode,
            sys::SSL_CTRL_SESS_NUMBER..=sys::SSL_CTRL_SESS_CACHE_FULL => Self::SessStat(cmd),
            sys::SSL_CTRL_SET_TLSEXT_SERVERNAME_ARG => Self::ServernameArg(parg),
            sys::SSL_CTRL_SET_TLSEXT_TICKET_KEYS | sys::SSL_CTRL_GET_TLSEXT_TICKET_KEYS => {
                Self::TicketKeys {
                    get: cmd == sys::SSL_CTRL_GET_TLSEXT_TICKET_KEYS,
                    keys: parg.cast(),
                    len: larg,
                }
            }
            sys::SSL_CTRL_SET_TLSEXT_STATUS_REQ_CB_ARG => Self::SetStatusArg(parg),
            sys::SSL_CTRL_GET_TLSEXT_STATUS_REQ_CB_ARG => Self::GetStatusArg(parg.cast()),
            sys::SSL_CTRL_GET_TLSEXT_STATUS_REQ_CB => Self::GetStatusCallback(parg.cast()),
            sys::SSL_CTRL_SET_TLS_EXT_SRP_USERNAME => Self::SrpUsername,
            sys::SSL_CTRL_SET_TLS_EXT_SRP_PASSWORD => Self::SrpPassword,
            sys::SSL_CTRL_SET_TLS_EXT_SRP_STRENGTH => Self::SrpStrength(larg),
            sys::SSL_CTRL_EXTRA_CHAIN_CERT => Self::ExtraChainCert(parg.cast()),
            sys::SSL_CTRL_GET_EXTRA_CHAIN_CERTS => Self::GetExtraChainCerts {
                out: parg.cast(),
                only_extra: larg != 0,
            },
            sys::SSL_CTRL_CLEAR_EXTRA_CHAIN_CERTS => Self::ClearExtraChainCerts,
            sys::SSL_CTRL_GET_RI_SUPPORT => Self::GetRiSupport,
            sys::SSL_CTRL_SET_RETRY_VERIFY => Self::SetRetryVerify,
            sys::SSL_CTRL_GET_RAW_CIPHERLIST => Self::GetRawCipherlist(parg.cast()),
            sys::SSL_CTRL_GET_EXTMS_SUPPORT => Self::GetExtmsSupport,
            sys::SSL_CTRL_GET_NUM_RENEGOTIATIONS | sys::SSL_CTRL_GET_TOTAL_RENEGOTIATIONS => {
                Self::NoRenegotiations
            }
            sys::SSL_CTRL_CLEAR_NUM_RENEGOTIATIONS => Self::ClearRenegotiations,
            sys::SSL_CTRL_GET_FLAGS => Self::GetFlags,
            sys::SSL_CTRL_SET_TLSEXT_HOSTNAME => Self::TlsextHostname {
                kind: larg,
                name: parg.cast(),
            },
            sys::SSL_CTRL_SET_TLSEXT_DEBUG_ARG => Self::DebugArg(parg),
            sys::SSL_CTRL_GET_TLSEXT_STATUS_REQ_EXTS => Self::GetStatusExts(parg.cast()),
            sys::SSL_CTRL_SET_TLSEXT_STATUS_REQ_EXTS => Self::SetStatusExts(parg),
            sys::SSL_CTRL_GET_TLSEXT_STATUS_REQ_IDS => Self::GetStatusIds(parg.cast()),
            sys::SSL_CTRL_SET_TLSEXT_STATUS_REQ_IDS => Self::SetStatusIds(parg),
            sys::SSL_CTRL_GET_TLSEXT_STATUS_REQ_OCSP_RESP => Self::GetOcspResp(parg.cast()),
            sys::SSL_CTRL_SET_TLSEXT_STATUS_REQ_OCSP_RESP => Self::SetOcspResp(parg.cast(), larg),
            sys::SSL_CTRL_GET_GROUPS => Self::GetGroups(parg.cast()),
            sys::SSL_CTRL_GET_SHARED_GROUP => Self::GetSharedGroup(larg),
            sys::SSL_CTRL_GET_NEGOTIATED_GROUP => Self::GetNegotiatedGroup,
            sys::SSL_CTRL_GET_CLIENT_CERT_TYPES => Self::GetClientCertTypes,
            sys::SSL_CTRL_GET_PEER_SIGNATURE_NID => Self::PeerSignatureNid(parg.cast()),
            sys::SSL_CTRL_GET_SIGNATURE_NID => Self::SignatureNid(parg.cast()),
            sys::SSL_CTRL_GET_PEER_TMP_KEY => Self::PeerTmpKey(parg.cast()),
            sys::SSL_CTRL_GET_TMP_KEY => Self::TmpKey(parg.cast()),
            sys::SSL_CTRL_GET_EC_POINT_FORMATS => Self::EcPointFormats(parg.cast()),
            sys::SSL_CTRL_SET_TMP_DH => Self::SetTmpDh(parg.cast()),
            sys::SSL_CTRL_SET_TMP_DH_CB => Self::SetTmpDhCb,
            sys::SSL_CTRL_SET_DH_AUTO => Self::DhAuto(larg),
            sys::SSL_CTRL_SET_TMP_ECDH => Self::SetTmpEcdh(parg.cast()),
            sys::SSL_CTRL_GET_TLSEXT_STATUS_REQ_TYPE => Self::GetStatusType,
            sys::SSL_CTRL_SET_TLSEXT_STATUS_REQ_TYPE => Self::SetStatusType(larg),
            sys::SSL_CTRL_SET_GROUPS => Self::SetGroups(parg.cast(), larg),
            sys::SSL_CTRL_SET_GROUPS_LIST => Self::GroupsList(parg.cast()),
            sys::SSL_CTRL_SET_SIGALGS | sys::SSL_CTRL_SET_CLIENT_SIGALGS => Self::Sigalgs {
                nids: parg.cast(),
                len: larg,
                client: cmd == sys::SSL_CTRL_SET_CLIENT_SIGALGS,
            },
            sys::SSL_CTRL_SET_SIGALGS_LIST | sys::SSL_CTRL_SET_CLIENT_SIGALGS_LIST => {
                Self::SigalgsList {
                    list: parg.cast(),
                    client: cmd == sys::SSL_CTRL_SET_CLIENT_SIGALGS_LIST,
                }
            }
            sys::SSL_CTRL_SET_CLIENT_CERT_TYPES => Self::SetClientCertTypes(parg.cast(), larg),
            sys::SSL_CTRL_BUILD_CERT_CHAIN => Self::BuildCertChain(larg),
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
            sys::SSL_CTRL_CHAIN => Self::Chain {
                stack: parg.cast(),
                copy: larg != 0,
            },
            sys::SSL_CTRL_CHAIN_CERT => Self::ChainCert {
                cert: parg.cast(),
                add_ref: larg != 0,
            },
            sys::SSL_CTRL_GET_CHAIN_CERTS => Self::GetChainCerts(parg.cast()),
            sys::SSL_CTRL_SELECT_CURRENT_CERT => Self::SelectCurrentCert(parg.cast()),
            sys::SSL_CTRL_SET_CURRENT_CERT => Self::SetCurrentCert(larg),
            _ => Self::Unknown,
        }
    }
}

/// A ctrl result: the command's value, or a failure already decided.
type Reply = Result<c_long, Error>;

/// The generic callback type of `SSL_CTX_callback_ctrl` and `SSL_callback_ctrl`
/// (OpenSSL's `void (*)(void)`), which each command's callback is cast to and from.
type GenericCallback = Option<unsafe extern "C" fn()>;

/// Commands on settings a context and its connections share; `None` if `ctrl` is not one.
/// `config` is set when the command changed what the rustls config is built from.
fn settings_ctrl(
    ctrl: &Ctrl,
    s: &mut Settings,
    fixed_version: bool,
    config: &mut bool,
) -> Option<Reply> {
    let k = &mut s.knobs;
    let r = match *ctrl {
        Ctrl::GetReadAhead => Ok(c_long::from(s.read_ahead)),
        Ctrl::SetReadAhead(on) => Ok(c_long::from(std::mem::replace(&mut s.read_ahead, on != 0))),
        Ctrl::Mode(bits) => {
            s.mode |= bits as u64;
            Ok(s.mode as c_long)
        }
        Ctrl::ClearMode(bits) => {
            s.mode &= !(bits as u64);
            Ok(s.mode as c_long)
        }
        Ctrl::GetMaxCertList => Ok(k.max_cert_list),
        Ctrl::SetMaxCertList(n) if n < 0 => Ok(0),
        Ctrl::SetMaxCertList(n) => Ok(std::mem::replace(&mut k.max_cert_list, n)),
        Ctrl::SetMaxSendFragment(n) if !(512..=16384).contains(&n) => Ok(0),
        Ctrl::SetMaxSendFragment(n) => {
            k.max_send_fragment = n;
            k.split_send_fragment = k.split_send_fragment.min(n);
            Ok(1)
        }
        Ctrl::SetSplitSendFragment(n) if n == 0 || n > k.max_send_fragment => Ok(0),
        Ctrl::SetSplitSendFragment(n) => {
            k.split_send_fragment = n;
            Ok(1)
        }
        Ctrl::SetMaxPipelines(n) if !(1..=32).contains(&n) => Ok(0),
        Ctrl::SetMaxPipelines(n) => {
            k.max_pipelines = n;
            Ok(1)
        }
        Ctrl::CertFlags(bits) => {
            k.cert_flags |= bits;
            Ok(k.cert_flags)
        }
        Ctrl::ClearCertFlags(bits) => {
            k.cert_flags &= !bits;
            Ok(k.cert_flags)
        }
        Ctrl::SetMinProto(v) | Ctrl::SetMaxProto(v) => {
            let min = matches!(ctrl, Ctrl::SetMinProto(_));
            let (lo, hi) = if min {
                (v, c_long::from(s.versions.max))
            } else {
                (c_long::from(s.versions.min), v)
            };
            match version_bound(lo, hi, v) {
                None => Ok(0),
                // A version-specific method keeps its version, and OpenSSL accepts a DTLS
                // bound for a TLS method without applying it.
                Some(_) if fixed_version => Ok(1),
                Some(None) => Ok(1),
                Some(Some(v)) => {
                    if min {
                        s.versions.min = v;
                    } else {
                        s.versions.max = v;
                    }
                    *config = true;
                    Ok(1)
                }
            }
        }
        Ctrl::GetMinProto => Ok(c_long::from(s.versions.min)),
        Ctrl::GetMaxProto => Ok(c_long::from(s.versions.max)),
        Ctrl::SetTmpDh(dh) => {
            if dh.is_null() {
                return Some(Err(Error::NullArgument));
            }
            // SAFETY: a valid DH the caller keeps; the key holds its own reference.
            let key = unsafe { PKey::from_dh(dh) };
            match key {
                Some(key) => {
                    k.tmp_dh = Some(key);
                    Ok(1)
                }
                None => Err(Error::Crypto),
            }
        }
        Ctrl::SetTmpDhCb => Err(Error::Reason(sys::ERR_R_SHOULD_NOT_HAVE_BEEN_CALLED)),
        Ctrl::DhAuto(on) => {
            k.dh_auto = on;
            Ok(1)
        }
        Ctrl::SetTmpEcdh(key) => {
            if key.is_null() {
                return Some(Err(Error::NullArgument));
            }
            // SAFETY: a valid EC_KEY the caller keeps.
            let nid = unsafe { sys::EC_GROUP_get_curve_name(sys::EC_KEY_get0_group(key)) };
            match groups::from_nids(&[nid]) {
                Some(g) => {
                    s.groups = g;
                    *config = true;
                    Ok(1)
                }
                None => Err(Error::Reason(sys::SSL_R_UNSUPPORTED_ELLIPTIC_CURVE)),
            }
        }
        Ctrl::GetStatusType => Ok(k.status_type),
        Ctrl::SetStatusType(t) => {
            k.status_type = t;
            Ok(1)
        }
        Ctrl::SetGroups(list, len) => {
            let Ok(len) = usize::try_from(len) else {
                return Some(Ok(0));
            };
            // SAFETY: parg is an int array of larg entries for this command.
            let nids = match unsafe { super::c_bytes(list.cast::<u8>(), len * 4) } {
                // SAFETY: the bytes are len aligned ints (from the caller's int array).
                Ok(_) => unsafe { std::slice::from_raw_parts(list, len) },
                Err(e) => return Some(Err(e)),
            };
            match groups::from_nids(nids) {
                Some(g) if !g.is_empty() => {
                    s.groups = g;
                    *config = true;
                    Ok(1)
                }
                _ => Ok(0),
            }
        }
        Ctrl::GroupsList(list) => {
            // SAFETY: parg is a C string for this command.
            match unsafe { c_str(list) }.and_then(groups::parse) {
                Ok(g) => {
                    s.groups = g;
                    *config = true;
                    Ok(1)
                }
                Err(e) => Err(e),
            }
        }
        Ctrl::Sigalgs { nids, len, client } => {
            let Ok(len) = usize::try_from(len) else {
                return Some(Ok(0));
            };
            if nids.is_null() && len > 0 {
                return Some(Ok(0));
            }
            let slice = if len == 0 {
                &[][..]
            } else {
                // SAFETY: parg is an int array of larg entries for this command.
                unsafe { std::slice::from_raw_parts(nids, len) }
            };
            match sigalgs::from_nids(slice) {
                Some(list) if client => {
                    k.client_sigalgs = Some(list);
                    Ok(1)
                }
                Some(list) => {
                    s.sigalgs = Some(list);
                    Ok(1)
                }
                None => Ok(0),
            }
        }
        Ctrl::SigalgsList { list, client } => {
            // SAFETY: parg is a C string for this command.
            let parsed = unsafe { c_str(list) }.ok().and_then(sigalgs::parse_list);
            match parsed {
                Some(list) if client => {
                    k.client_sigalgs = Some(list);
                    Ok(1)
                }
                Some(list) => {
                    s.sigalgs = Some(list);
                    Ok(1)
                }
                None => Ok(0),
            }
        }
        Ctrl::SetClientCertTypes(types, len) => {
            let Ok(len) = usize::try_from(len) else {
                return Some(Ok(0));
            };
            // SAFETY: parg points at larg bytes for this command.
            match unsafe { super::c_bytes(types, len) } {
                Ok(t) if t.len() <= 0xff => {
                    k.client_cert_types = t.to_vec();
                    Ok(1)
                }
                Ok(_) => Ok(0),
                Err(e) => Err(e),
            }
        }
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
            // SAFETY: parg is an `X509_STORE **` for this command; get0.
            unsafe {
                super::session::write_opt(
                    out,
                    store
                        .as_ref()
                        .map_or(std::ptr::null_mut(), X509Store::as_ptr),
                )
            };
            Ok(1)
        }
        Ctrl::Chain { stack, copy } => {
            let certs = if stack.is_null() {
                Vec::new()
            } else if copy {
                // SAFETY: set1: a valid stack the caller keeps.
                unsafe { X509Stack::certs_of(stack.cast()) }
            } else {
                // SAFETY: set0: the caller hands over the stack and its references.
                unsafe { X509Stack::from_raw(stack.cast()) }
                    .map(|st| st.to_vec())
                    .unwrap_or_default()
            };
            match s.credentials.set_chain(certs) {
                true => Ok(1),
                false => Ok(0),
            }
        }
        Ctrl::ChainCert { cert, add_ref } => {
            let cert = if add_ref {
                // SAFETY: add1: the caller keeps its reference; we take a new one.
                unsafe { Cert::from_ptr_up_ref(cert) }
            } else {
                // SAFETY: add0: the caller hands over its reference.
                unsafe { Cert::from_raw(cert) }
            };
            match cert {
                Some(c) => Ok(c_long::from(s.credentials.add_chain(c))),
                None => Ok(0),
            }
        }
        Ctrl::SelectCurrentCert(x) => {
            // SAFETY: parg is NULL or a certificate the caller keeps for this command.
            match unsafe { Cert::from_ptr_up_ref(x) } {
                Some(cert) => Ok(c_long::from(s.credentials.select(&cert))),
                None => Ok(0),
            }
        }
        Ctrl::SetCurrentCert(op) => Ok(c_long::from(s.credentials.set_current(op))),
        _ => return None,
    };
    Some(r)
}

/// OpenSSL's checks of a protocol bound (`ssl_check_allowed_versions`,
/// `ssl_set_version_bound` for a TLS method): `None` when refused; `Some(None)` for a
/// DTLS version, accepted and ignored; `Some(Some(v))` to apply.
fn version_bound(min: c_long, max: c_long, v: c_long) -> Option<Option<u16>> {
    let is_dtls = |x: c_long| x == 0x100 || (x >> 8) == 0xfe;
    if (is_dtls(min) && !is_dtls(max) && max != 0) || (is_dtls(max) && !is_dtls(min) && min != 0) {
        return None;
    }
    if v == 0 {
        return Some(Some(0));
    }
    if (0x0300..=0x0304).contains(&v) {
        return Some(Some(u16::try_from(v).ok()?));
    }
    if v == 0x100 || v == 0xfeff || v == 0xfefd {
        return Some(None);
    }
    None
}

/// `SSL_CTX_ctrl`: context-level commands; the command's value, 0 for unknown ones.
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_ctrl(
    ctx: *mut SSL_CTX,
    cmd: c_int,
    larg: c_long,
    parg: *mut c_void,
) -> c_long {
    if ctx.is_null() {
        // OpenSSL checks the syntax of lists without a context.
        return entry(|| {
            Ok(match cmd {
                sys::SSL_CTRL_SET_GROUPS_LIST => {
                    // SAFETY: parg is a C string for this command.
                    c_long::from(
                        unsafe { c_str(parg.cast()) }
                            .and_then(groups::parse)
                            .is_ok(),
                    )
                }
                sys::SSL_CTRL_SET_SIGALGS_LIST | sys::SSL_CTRL_SET_CLIENT_SIGALGS_LIST => {
                    // SAFETY: as above.
                    let list = unsafe { c_str(parg.cast()) }.ok();
                    c_long::from(list.and_then(sigalgs::parse_list).is_some())
                }
                _ => 0,
            })
        });
    }
    entry(|| {
        let ctx = try_ref!(ctx);
        let ctrl = Ctrl::decode(cmd, larg, parg);
        if let Some(r) = ctx_only(ctx, &ctrl) {
            return r;
        }
        let fixed = ctx.core.settings().versions.fixed != 0;
        let mut config = false;
        let r = ctx
            .core
            .update_settings(|s| settings_ctrl(&ctrl, s, fixed, &mut config));
        if config {
            ctx.core.update(|_| ());
        }
        match r {
            Some(r) => r,
            None => {
                log_unknown("SSL_CTX_ctrl", cmd);
                Ok(0)
            }
        }
    })
}

/// The commands only a context answers.
fn ctx_only(ctx: &SSL_CTX, ctrl: &Ctrl) -> Option<Reply> {
    let core = &ctx.core;
    let r = match *ctrl {
        Ctrl::MsgCallbackArg(arg) => {
            lock(&ctx.callbacks).msg_arg = arg as usize;
            Ok(1)
        }
        Ctrl::SetSessCacheSize(n) if n < 0 => Ok(0),
        Ctrl::SetSessCacheSize(n) => {
            let old = core
                .session_cache()
                .set_size(usize::try_from(n).unwrap_or(0));
            Ok(c_long::try_from(old).unwrap_or(c_long::MAX))
        }
        Ctrl::GetSessCacheSize => {
            Ok(c_long::try_from(core.session_cache().size()).unwrap_or(c_long::MAX))
        }
        Ctrl::SetSessCacheMode(mode) => {
            Ok(core.update(|s| std::mem::replace(&mut s.session_cache_mode, mode)))
        }
        Ctrl::GetSessCacheMode => Ok(core.settings().session_cache_mode),
        Ctrl::SessStat(cmd) => {
            let st = &core.stats;
            Ok(match cmd {
                sys::SSL_CTRL_SESS_NUMBER => {
                    c_long::try_from(core.session_cache().len()).unwrap_or(0)
                }
                sys::SSL_CTRL_SESS_CONNECT => Stats::get(&st.connect),
                sys::SSL_CTRL_SESS_CONNECT_GOOD => Stats::get(&st.connect_good),
                sys::SSL_CTRL_SESS_ACCEPT => Stats::get(&st.accept),
                sys::SSL_CTRL_SESS_ACCEPT_GOOD => Stats::get(&st.accept_good),
                sys::SSL_CTRL_SESS_HIT => Stats::get(&st.hit),
                sys::SSL_CTRL_SESS_CB_HIT => Stats::get(&st.cb_hit),
                sys::SSL_CTRL_SESS_MISSES => Stats::get(&st.miss),
                sys::SSL_CTRL_SESS_TIMEOUTS => Stats::get(&st.timeout),
                sys::SSL_CTRL_SESS_CACHE_FULL => {
                    c_long::try_from(core.session_cache().full_count()).unwrap_or(0)
                }
                // Renegotiations never happen.
                _ => 0,
            })
        }
        Ctrl::ServernameArg(arg) => {
            lock(&ctx.callbacks).servername_arg = arg as usize;
            Ok(1)
        }
        Ctrl::TicketKeys { get, keys, len } => {
            if keys.is_null() {
                return Some(Ok(80));
            }
            if len != 80 {
                return Some(Err(Error::Reason(sys::SSL_R_INVALID_TICKET_KEYS_LENGTH)));
            }
            let tickets = match core.ticketer() {
                Ok(t) => t,
                Err(e) => return Some(Err(e)),
            };
            // SAFETY: parg points at 80 bytes for this command (checked by larg).
            let buf = unsafe { std::slice::from_raw_parts_mut(keys, 80) };
            if get {
                match tickets.get() {
                    Some(k) => buf.copy_from_slice(&k),
                    None => return Some(Err(Error::Crypto)),
                }
            } else {
                let mut k = [0u8; 80];
                k.copy_from_slice(buf);
                tickets.set(k);
            }
            Ok(1)
        }
        Ctrl::SetStatusArg(arg) => {
            lock(&ctx.callbacks).status_arg = arg as usize;
            Ok(1)
        }
        Ctrl::GetStatusArg(out) => {
            // SAFETY: parg is a `void **` for this command.
            unsafe { super::session::write_opt(out, ctx.callbacks().status_arg as *mut c_void) };
            Ok(1)
        }
        Ctrl::GetStatusCallback(out) => {
            // SAFETY: parg is a pointer to a callback pointer for this command.
            unsafe { super::session::write_opt(out, ctx.callbacks().status) };
            Ok(1)
        }
        // TLS-SRP authenticates with a password instead of a certificate. rustls has no
        // SRP: accepting the user name or password would let a handshake go on without
        // the authentication the application asked for, so both are refused (see the
        // README), as the named functions refuse them.
        Ctrl::SrpUsername | Ctrl::SrpPassword => Err(Error::NotSupported("TLS-SRP")),
        Ctrl::SrpStrength(n) => {
            core.update_settings(|s| s.knobs.srp_strength = n);
            Ok(1)
        }
        Ctrl::ExtraChainCert(cert) => {
            // SAFETY: the caller hands over its reference.
            match unsafe { Cert::from_raw(cert) } {
                Some(c) => {
                    core.update_credentials(|cr| cr.add_extra(c));
                    Ok(1)
                }
                None => Err(Error::NullArgument),
            }
        }
        Ctrl::GetExtraChainCerts { out, only_extra } => {
            let creds = core.settings().credentials.clone();
            let certs = if creds.extra().is_empty() && !only_extra {
                creds.chain().to_vec()
            } else {
                creds.extra().to_vec()
            };
            if out.is_null() {
                return Some(Err(Error::NullArgument));
            }
            // OpenSSL hands out its (unset) list: NULL when there is none.
            let ptr = if certs.is_empty() {
                std::ptr::null_mut()
            } else {
                match kept_stack(&ctx.extra_chain, &certs) {
                    Ok(p) => p,
                    Err(e) => return Some(Err(e)),
                }
            };
            // SAFETY: parg is a `STACK_OF(X509) **` for this command; get0.
            unsafe { *out = ptr };
            Ok(1)
        }
        Ctrl::ClearExtraChainCerts => {
            core.update_credentials(|cr| cr.clear_extra());
            Ok(1)
        }
        Ctrl::GetChainCerts(out) => {
            let chain = core.settings().credentials.chain().to_vec();
            // NULL when there is no chain, as OpenSSL's unset list.
            let ptr = match chain.is_empty() {
                true => std::ptr::null_mut(),
                false => match kept_stack(&ctx.extra_chain, &chain) {
                    Ok(p) => p,
                    Err(e) => return Some(Err(e)),
                },
            };
            // SAFETY: parg is a `STACK_OF(X509) **` for this command; get0.
            unsafe { super::session::write_opt(out, ptr) };
            Ok(1)
        }
        Ctrl::BuildCertChain(flags) => {
            let store = core
                .settings()
                .chain_store
                .clone()
                .unwrap_or_else(|| core.store());
            let creds = core.settings().credentials.clone();
            match crate::credentials::build_chain(&creds, &store, flags) {
                Ok((chain, rv)) => {
                    core.update_credentials(|cr| {
                        cr.set_chain(chain);
                    });
                    Ok(rv)
                }
                Err(e) => Err(e),
            }
        }
        // Connection-only commands: OpenSSL's context handler ignores them.
        Ctrl::GetRiSupport
        | Ctrl::SetRetryVerify
        | Ctrl::GetRawCipherlist(_)
        | Ctrl::GetExtmsSupport
        | Ctrl::NoRenegotiations
        | Ctrl::ClearRenegotiations
        | Ctrl::GetFlags
        | Ctrl::TlsextHostname { .. }
        | Ctrl::DebugArg(_)
        | Ctrl::GetStatusExts(_)
        | Ctrl::SetStatusExts(_)
        | Ctrl::GetStatusIds(_)
        | Ctrl::SetStatusIds(_)
        | Ctrl::GetOcspResp(_)
        | Ctrl::SetOcspResp(..)
        | Ctrl::GetGroups(_)
        | Ctrl::GetSharedGroup(_)
        | Ctrl::GetNegotiatedGroup
        | Ctrl::GetClientCertTypes
        | Ctrl::PeerSignatureNid(_)
        | Ctrl::SignatureNid(_)
        | Ctrl::PeerTmpKey(_)
        | Ctrl::TmpKey(_)
        | Ctrl::EcPointFormats(_) => Ok(0),
        _ => return None,
    };
    Some(r)
}

/// A `STACK_OF(X509)` of `certs` kept in `slot` (get0): the stack already handed out is
/// handed out again while the certificates are the same, so a pointer the application
/// holds stays valid until the chain changes, as with OpenSSL.
fn kept_stack(
    slot: &std::sync::Mutex<Vec<X509Stack>>,
    certs: &[Cert],
) -> Result<*mut sys::stack_st_X509, Error> {
    let mut kept = lock(slot);
    if let Some(st) = kept.iter().find(|st| {
        st.to_vec()
            .iter()
            .map(Cert::as_ptr)
            .eq(certs.iter().map(Cert::as_ptr))
    }) {
        return Ok(st.as_ptr().cast());
    }
    let st = X509Stack::new(certs).ok_or(Error::Crypto)?;
    let ptr = st.as_ptr().cast();
    kept.push(st);
    Ok(ptr)
}

/// `SSL_ctrl`: connection-level commands; the command's value, 0 for unknown ones.
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
        if let Some(r) = ssl_only(ssl, &ctrl) {
            return r;
        }
        let mut setup = ssl.setup();
        let fixed = setup.settings.versions.fixed != 0;
        let mut config = false;
        let mut copy = (*setup.settings).clone();
        let r = settings_ctrl(&ctrl, &mut copy, fixed, &mut config);
        if r.is_some()
            && !matches!(
                ctrl,
                Ctrl::GetReadAhead
                    | Ctrl::GetMaxCertList
                    | Ctrl::GetMinProto
                    | Ctrl::GetMaxProto
                    | Ctrl::GetStatusType
                    | Ctrl::GetStore { .. }
            )
        {
            // The connection keeps its context's config unless a command changed what
            // the config is built from.
            if config {
                setup.update(|s| *s = copy);
            } else {
                *setup.settings_mut() = copy;
            }
            // The connection reads its own mode and read-ahead.
            match ctrl {
                Ctrl::Mode(_) | Ctrl::ClearMode(_) => setup.mode = setup.settings.mode,
                Ctrl::SetReadAhead(_) => setup.read_ahead = setup.settings.read_ahead,
                // Pipelining reads ahead (OpenSSL turns read-ahead on with it).
                Ctrl::SetMaxPipelines(n) if n > 1 && matches!(r, Some(Ok(1))) => {
                    setup.read_ahead = true;
                }
                _ => {}
            }
        }
        match ctrl {
            Ctrl::GetReadAhead => return Ok(c_long::from(setup.read_ahead)),
            Ctrl::SetReadAhead(on) => {
                return Ok(c_long::from(std::mem::replace(
                    &mut setup.read_ahead,
                    on != 0,
                )));
            }
            Ctrl::Mode(bits) => {
                setup.mode |= bits as u64;
                return Ok(setup.mode as c_long);
            }
            Ctrl::ClearMode(bits) => {
                setup.mode &= !(bits as u64);
                return Ok(setup.mode as c_long);
            }
            _ => {}
        }
        match r {
            Some(r) => r,
            None => {
                log_unknown("SSL_ctrl", cmd);
                Ok(0)
            }
        }
    })
}

/// The commands only a connection answers.
fn ssl_only(ssl: &SSL, ctrl: &Ctrl) -> Option<Reply> {
    let r = match *ctrl {
        Ctrl::MsgCallbackArg(arg) => {
            lock(&ssl.callbacks).msg_arg = arg as usize;
            Ok(1)
        }
        Ctrl::GetRiSupport => {
            let st = ssl.status();
            let server = ssl.setup().role == Some(Role::Server);
            Ok(c_long::from(
                st.established && (st.version == crate::versions::TLS1_2 || server),
            ))
        }
        Ctrl::SetRetryVerify => Ok(1),
        Ctrl::GetRawCipherlist(out) => {
            let hello = lock(&ssl.state.hello);
            if out.is_null() {
                return Some(Ok(2));
            }
            let Some(raw) = hello.as_ref().map(|h| &h.raw_ciphers) else {
                return Some(Ok(0));
            };
            // SAFETY: parg is a `const unsigned char **`; the list lives as long as the
            // connection (get0).
            unsafe { *out = raw.as_ptr() };
            Ok(c_long::try_from(raw.len()).unwrap_or(0))
        }
        Ctrl::GetExtmsSupport => {
            let st = ssl.status();
            if !st.established {
                return Some(Ok(-1));
            }
            // rustls negotiates the extended master secret in every TLS 1.2 handshake
            // with a peer that offers it (OpenSSL peers always do); TLS 1.3 has none.
            Ok(c_long::from(st.version == crate::versions::TLS1_2))
        }
        // The connection's protocol flags: after a TLS 1.2 handshake with the extended
        // master secret (which rustls always negotiates with a peer offering it, as in
        // GetExtmsSupport above), OpenSSL's "received EMS".
        Ctrl::GetFlags => {
            let st = ssl.status();
            let ems = st.established && st.version == crate::versions::TLS1_2;
            Ok(if ems {
                sys::TLS1_FLAGS_RECEIVED_EXTMS as c_long
            } else {
                0
            })
        }
        // After a server's handshake, the certificate it used stays the current one.
        Ctrl::SetCurrentCert(op) if op == c_long::from(sys::SSL_CERT_SET_SERVER) => {
            let server = ssl.setup().role == Some(Role::Server);
            let used =
                ssl.status().established && ssl.setup().settings.credentials.leaf().is_some();
            Ok(c_long::from(server && used))
        }
        Ctrl::NoRenegotiations | Ctrl::ClearRenegotiations => Ok(0),
        Ctrl::TlsextHostname { kind, name } => {
            if kind != c_long::from(sys::TLSEXT_NAMETYPE_host_name) {
                return Some(Err(Error::Reason(
                    sys::SSL_R_SSL3_EXT_INVALID_SERVERNAME_TYPE,
                )));
            }
            let mut setup = ssl.setup();
            setup.server_name = None;
            if name.is_null() {
                return Some(Ok(1));
            }
            // SAFETY: parg is a C string for this command.
            let name = match unsafe { c_str(name) } {
                Ok(n) => n,
                Err(e) => return Some(Err(e)),
            };
            if name.is_empty() || name.len() > 255 {
                return Some(Err(Error::Reason(sys::SSL_R_SSL3_EXT_INVALID_SERVERNAME)));
            }
            setup.server_name = Some(name.to_owned());
            Ok(1)
        }
        Ctrl::DebugArg(arg) => {
            lock(&ssl.callbacks).debug_arg = arg as usize;
            Ok(1)
        }
        Ctrl::GetStatusExts(out) => {
            // SAFETY: parg is a `STACK_OF(X509_EXTENSION) **` for this command.
            unsafe { super::session::write_opt(out, lock(&ssl.ocsp_request).exts as *mut c_void) };
            Ok(1)
        }
        Ctrl::SetStatusExts(exts) => {
            lock(&ssl.ocsp_request).set_exts(exts);
            Ok(1)
        }
        Ctrl::GetStatusIds(out) => {
            // SAFETY: parg is a `STACK_OF(OCSP_RESPID) **` for this command.
            unsafe { super::session::write_opt(out, lock(&ssl.ocsp_request).ids as *mut c_void) };
            Ok(1)
        }
        Ctrl::SetStatusIds(ids) => {
            lock(&ssl.ocsp_request).set_ids(ids);
            Ok(1)
        }
        Ctrl::GetOcspResp(out) => {
            let server = ssl.setup().role == Some(Role::Server);
            let setup_resp = ssl.setup().stapled_ocsp.clone();
            let outcome = ssl.state.outcome();
            // A client reads the response the server stapled; a server the one it set.
            let resp: &[u8] = if server {
                match &setup_resp {
                    Some(r) => {
                        // The server's own response is kept in the outcome too, so that
                        // the pointer stays valid.
                        drop(outcome);
                        let mut o = ssl.state.outcome();
                        o.ocsp_response = r.clone();
                        let len = o.ocsp_response.len();
                        // SAFETY: parg is a `const unsigned char **`; get0.
                        unsafe { super::session::write_opt(out, o.ocsp_response.as_ptr()) };
                        return Some(Ok(c_long::try_from(len).unwrap_or(-1)));
                    }
                    None => &[],
                }
            } else {
                &outcome.ocsp_response
            };
            // SAFETY: parg is a `const unsigned char **` for this command; the response
            // lives as long as the connection (get0).
            unsafe {
                super::session::write_opt(
                    out,
                    if resp.is_empty() {
                        std::ptr::null()
                    } else {
                        resp.as_ptr()
                    },
                );
            }
            if resp.is_empty() {
                Ok(-1)
            } else {
                Ok(c_long::try_from(resp.len()).unwrap_or(-1))
            }
        }
        Ctrl::SetOcspResp(resp, len) => {
            let copy = if resp.is_null() {
                None
            } else {
                let Ok(len) = usize::try_from(len) else {
                    return Some(Err(Error::BadValue));
                };
                // SAFETY: the caller hands over an OPENSSL_malloc'ed buffer of len bytes; it
                // is copied, then freed as OpenSSL would free it.
                let bytes = match unsafe { super::c_bytes(resp, len) } {
                    Ok(b) => b.to_vec(),
                    Err(e) => return Some(Err(e)),
                };
                // SAFETY: as above.
                unsafe { sys::CRYPTO_free(resp.cast(), c"rustls-libssl".as_ptr(), 0) };
                Some(bytes)
            };
            ssl.setup().stapled_ocsp = copy;
            Ok(1)
        }
        Ctrl::GetGroups(out) => {
            let status = ssl.status();
            if !status.started {
                return Some(Ok(0));
            }
            let groups: Vec<u16> = lock(&ssl.state.hello)
                .as_ref()
                .map(|h| h.groups.clone())
                .unwrap_or_default();
            if !out.is_null() {
                for (i, g) in groups.iter().enumerate() {
                    // SAFETY: parg is an int array the caller sized with a first call.
                    unsafe { *out.add(i) = group_nid(rustls::NamedGroup::from(*g)) as c_int };
                }
            }
            Ok(c_long::try_from(groups.len()).unwrap_or(0))
        }
        Ctrl::GetSharedGroup(n) => {
            let own: Vec<u16> = ssl
                .setup()
                .settings
                .groups
                .iter()
                .map(|g| u16::from(g.name()))
                .collect();
            let peer: Vec<u16> = lock(&ssl.state.hello)
                .as_ref()
                .map(|h| h.groups.clone())
                .unwrap_or_default();
            let server_pref = ssl.setup().options & sys::SSL_OP_CIPHER_SERVER_PREFERENCE != 0;
            let shared: Vec<u16> = if server_pref {
                own.iter().filter(|g| peer.contains(g)).copied().collect()
            } else {
                peer.iter().filter(|g| own.contains(g)).copied().collect()
            };
            if n == -1 {
                return Some(Ok(c_long::try_from(shared.len()).unwrap_or(0)));
            }
            Ok(usize::try_from(n)
                .ok()
                .and_then(|i| shared.get(i))
                .map_or(0, |g| group_nid(rustls::NamedGroup::from(*g))))
        }
        Ctrl::GetNegotiatedGroup => Ok(ssl.status().group.map_or(0, group_nid)),
        Ctrl::GetClientCertTypes => Ok(0),
        Ctrl::PeerSignatureNid(out) | Ctrl::SignatureNid(out) => {
            let peer = matches!(ctrl, Ctrl::PeerSignatureNid(_));
            let status = ssl.status();
            let scheme = if peer {
                status.peer_scheme
            } else {
                status.own_scheme
            };
            let Some(scheme) = scheme else {
                return Some(Ok(0));
            };
            // SAFETY: parg is an `int *` for this command.
            unsafe { super::session::write_opt(out, sigalgs::hash_nid(scheme)) };
            Ok(1)
        }
        Ctrl::PeerTmpKey(out) => Ok(super::cert::tmp_key(ssl, out, true)),
        Ctrl::TmpKey(out) => Ok(super::cert::tmp_key(ssl, out, false)),
        Ctrl::EcPointFormats(out) => {
            let hello = lock(&ssl.state.hello);
            let Some(formats) = hello.as_ref().and_then(|h| h.ec_point_formats.as_ref()) else {
                return Some(Ok(0));
            };
            // SAFETY: parg is a `const unsigned char **`; get0, kept with the hello.
            unsafe { super::session::write_opt(out, formats.as_ptr()) };
            Ok(c_long::try_from(formats.len()).unwrap_or(0))
        }
        // OpenSSL's `s->server`: set by SSL_new for any method that can accept, until the
        // connection becomes a client.
        Ctrl::SetClientCertTypes(..)
            if match ssl.setup().role {
                Some(role) => role != Role::Server,
                None => ssl.ctx().core.method.roles == crate::context::Method::Client,
            } =>
        {
            Ok(0)
        }
        Ctrl::GetChainCerts(out) => {
            let chain = ssl.setup().settings.credentials.chain().to_vec();
            // NULL when there is no chain, as OpenSSL's unset list.
            let ptr = match chain.is_empty() {
                true => std::ptr::null_mut(),
                false => match kept_stack(&ssl.chain_stacks, &chain) {
                    Ok(p) => p,
                    Err(e) => return Some(Err(e)),
                },
            };
            // SAFETY: parg is a `STACK_OF(X509) **` for this command; get0.
            unsafe { super::session::write_opt(out, ptr) };
            Ok(1)
        }
        Ctrl::BuildCertChain(flags) => {
            let (store, creds) = {
                let setup = ssl.setup();
                (
                    setup
                        .settings
                        .chain_store
                        .clone()
                        .unwrap_or_else(|| setup.ctx.store()),
                    setup.settings.credentials.clone(),
                )
            };
            match crate::credentials::build_chain(&creds, &store, flags) {
                Ok((chain, rv)) => {
                    ssl.setup().settings_mut().credentials.set_chain(chain);
                    Ok(rv)
                }
                Err(e) => Err(e),
            }
        }
        // Context-only commands: OpenSSL's connection handler ignores them.
        Ctrl::SetSessCacheSize(_)
        | Ctrl::GetSessCacheSize
        | Ctrl::SetSessCacheMode(_)
        | Ctrl::GetSessCacheMode
        | Ctrl::SessStat(_)
        | Ctrl::ServernameArg(_)
        | Ctrl::TicketKeys { .. }
        | Ctrl::SetStatusArg(_)
        | Ctrl::GetStatusArg(_)
        | Ctrl::GetStatusCallback(_)
        | Ctrl::SrpUsername
        | Ctrl::SrpPassword
        | Ctrl::SrpStrength(_)
        | Ctrl::ExtraChainCert(_)
        | Ctrl::GetExtraChainCerts { .. }
        | Ctrl::ClearExtraChainCerts => Ok(0),
        _ => return None,
    };
    Some(r)
}

/// `SSL_CTX_callback_ctrl`: callback-setting commands; 1, or 0 for unknown commands.
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_callback_ctrl(
    ctx: *mut SSL_CTX,
    cmd: c_int,
    fp: GenericCallback,
) -> c_long {
    entry(|| {
        let ctx = try_ref!(ctx);
        let mut cbs = lock(&ctx.callbacks);
        // SAFETY (every transmute below): for each command, OpenSSL's macro casts a
        // callback of the command's type to the generic function type; casting it back
        // restores its real type (an `Option` of any function pointer is one pointer,
        // NULL for `None`).
        match cmd {
            sys::SSL_CTRL_SET_MSG_CALLBACK => {
                // SAFETY: OpenSSL's macro cast a callback of this command's type (see above).
                cbs.msg = unsafe {
                    std::mem::transmute::<GenericCallback, super::callbacks::MsgCallback>(fp)
                };
            }
            sys::SSL_CTRL_SET_TLSEXT_SERVERNAME_CB => {
                // SAFETY: OpenSSL's macro cast a callback of this command's type (see above).
                cbs.servername =
                    unsafe { std::mem::transmute::<GenericCallback, ServernameCallback>(fp) };
            }
            sys::SSL_CTRL_SET_TLSEXT_STATUS_REQ_CB => {
                // SAFETY: OpenSSL's macro cast a callback of this command's type (see above).
                cbs.status = unsafe { std::mem::transmute::<GenericCallback, StatusCallback>(fp) };
            }
            sys::SSL_CTRL_SET_TLSEXT_TICKET_KEY_CB => {
                // SAFETY: OpenSSL's macro cast a callback of this command's type (see above).
                cbs.ticket_key =
                    unsafe { std::mem::transmute::<GenericCallback, TicketKeyCallback>(fp) };
                let external = cbs.has_ticket_keys();
                drop(cbs);
                ctx.core.update(|s| s.external_tickets = external);
                return Ok(1);
            }
            sys::SSL_CTRL_SET_TMP_DH_CB => {
                // SAFETY: OpenSSL's macro cast a callback of this command's type (see above).
                cbs.tmp_dh = unsafe { std::mem::transmute::<GenericCallback, TmpDhCallback>(fp) };
            }
            sys::SSL_CTRL_SET_NOT_RESUMABLE_SESS_CB => {
                // SAFETY: OpenSSL's macro cast a callback of this command's type (see above).
                cbs.not_resumable = unsafe {
                    std::mem::transmute::<GenericCallback, super::callbacks::NotResumableCallback>(
                        fp,
                    )
                };
            }
            sys::SSL_CTRL_SET_SRP_VERIFY_PARAM_CB => {
                // SAFETY: OpenSSL's macro cast a callback of this command's type (see above).
                cbs.srp_verify_param = unsafe {
                    std::mem::transmute::<GenericCallback, super::callbacks::SrpVerifyParamCallback>(
                        fp,
                    )
                };
            }
            sys::SSL_CTRL_SET_TLS_EXT_SRP_USERNAME_CB => {
                // SAFETY: OpenSSL's macro cast a callback of this command's type (see above).
                cbs.srp_username = unsafe {
                    std::mem::transmute::<GenericCallback, super::callbacks::SrpUsernameCallback>(
                        fp,
                    )
                };
            }
            sys::SSL_CTRL_SET_SRP_GIVE_CLIENT_PWD_CB => {
                // SAFETY: OpenSSL's macro cast a callback of this command's type (see above).
                cbs.srp_client_pwd = unsafe {
                    std::mem::transmute::<GenericCallback, super::callbacks::SrpClientPwdCallback>(
                        fp,
                    )
                };
            }
            _ => {
                drop(cbs);
                log_unknown("SSL_CTX_callback_ctrl", cmd);
                return Ok(0);
            }
        }
        Ok(1)
    })
}

/// `SSL_callback_ctrl`: the message, temporary-DH, debug and not-resumable callbacks of
/// one connection; 1, or 0 for other commands.
#[no_mangle]
pub unsafe extern "C" fn SSL_callback_ctrl(
    ssl: *mut SSL,
    cmd: c_int,
    fp: GenericCallback,
) -> c_long {
    entry(|| {
        let ssl = try_ref!(ssl);
        let mut cbs = lock(&ssl.callbacks);
        // SAFETY (every transmute below): as in SSL_CTX_callback_ctrl.
        match cmd {
            sys::SSL_CTRL_SET_MSG_CALLBACK => {
                // SAFETY: OpenSSL's macro cast a callback of this command's type (see above).
                cbs.msg = unsafe {
                    std::mem::transmute::<GenericCallback, super::callbacks::MsgCallback>(fp)
                };
            }
            sys::SSL_CTRL_SET_TMP_DH_CB => {
                // SAFETY: OpenSSL's macro cast a callback of this command's type (see above).
                cbs.tmp_dh = unsafe { std::mem::transmute::<GenericCallback, TmpDhCallback>(fp) };
            }
            sys::SSL_CTRL_SET_TLSEXT_DEBUG_CB => {
                cbs.debug = fp.map_or(0, |f| f as usize);
            }
            sys::SSL_CTRL_SET_NOT_RESUMABLE_SESS_CB => {
                // SAFETY: OpenSSL's macro cast a callback of this command's type (see above).
                cbs.not_resumable = unsafe {
                    std::mem::transmute::<GenericCallback, super::callbacks::NotResumableCallback>(
                        fp,
                    )
                };
            }
            _ => {
                drop(cbs);
                log_unknown("SSL_callback_ctrl", cmd);
                return Ok(0);
            }
        }
        Ok(1)
    })
}

/// OpenSSL's NID (or group id with `TLSEXT_nid_unknown` for groups without one).
pub(super) fn group_nid(group: rustls::NamedGroup) -> c_long {
    c_long::from(groups::nid(u16::from(group)))
}

fn log_unknown(func: &str, cmd: c_int) {
    super::debug_log(&format!("{func}: unsupported command {cmd}, returning 0"));
}
