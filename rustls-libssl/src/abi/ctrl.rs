//! `SSL_CTX_ctrl`, `SSL_ctrl` and the `callback_ctrl`s: `cmd` is decoded at once into
//! [`Ctrl`] and handled by the same core code the named functions use, command by command
//! as OpenSSL 3.0's `SSL_ctrl`/`ssl3_ctrl` (and their context forms) handle them: the
//! same return values, the same errors, the same commands refused at each level. Unknown
//! commands return 0, as in OpenSSL.

use std::ffi::{c_char, c_int, c_long, c_void};

use super::callbacks::StatusCallback;
use crate::crypto_sys::{self as sys, Cert, X509Stack};
use crate::current::lock;
use crate::error::Error;
use crate::groups;

mod connection;
mod context;
mod settings;

pub use connection::SSL_ctrl;
pub use context::SSL_CTX_ctrl;

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

/// OpenSSL's NID (or group id with `TLSEXT_nid_unknown` for groups without one).
pub(super) fn group_nid(group: rustls::NamedGroup) -> c_long {
    c_long::from(groups::nid(u16::from(group)))
}

fn log_unknown(func: &str, cmd: c_int) {
    super::debug_log(&format!("{func}: unsupported command {cmd}, returning 0"));
}
