//! `SSL_CTX_ctrl` and `SSL_CTX_callback_ctrl`: the commands only a context answers (session
//! cache, ticket keys, status and servername arguments, extra chain certificates) and the
//! callbacks it is given through the generic callback control.

use std::ffi::{c_int, c_long, c_void};

use super::settings::settings_ctrl;
use super::{kept_stack, log_unknown, Ctrl, GenericCallback, Reply};
use crate::abi::callbacks::{ServernameCallback, StatusCallback, TmpDhCallback};
use crate::abi::ctx::SSL_CTX;
use crate::abi::tickets::TicketKeyCallback;
use crate::abi::{c_str, entry, try_ref};
use crate::crypto_sys::{self as sys, Cert};
use crate::error::Error;
use crate::groups;
use crate::sigalgs;
use crate::stats::Stats;

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
            crate::abi::callbacks::ctx_callbacks_mut(ctx).msg_arg = arg as usize;
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
            crate::abi::callbacks::ctx_callbacks_mut(ctx).servername_arg = arg as usize;
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
            crate::abi::callbacks::ctx_callbacks_mut(ctx).status_arg = arg as usize;
            Ok(1)
        }
        Ctrl::GetStatusArg(out) => {
            // SAFETY: parg is a `void **` for this command.
            unsafe {
                crate::abi::session::write_opt(out, ctx.callbacks().status_arg as *mut c_void)
            };
            Ok(1)
        }
        Ctrl::GetStatusCallback(out) => {
            // SAFETY: parg is a pointer to a callback pointer for this command.
            unsafe { crate::abi::session::write_opt(out, ctx.callbacks().status) };
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
            unsafe { crate::abi::session::write_opt(out, ptr) };
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

/// `SSL_CTX_callback_ctrl`: callback-setting commands; 1, or 0 for unknown commands.
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_callback_ctrl(
    ctx: *mut SSL_CTX,
    cmd: c_int,
    fp: GenericCallback,
) -> c_long {
    entry(|| {
        let ctx = try_ref!(ctx);
        let mut cbs = crate::abi::callbacks::ctx_callbacks_mut(ctx);
        // SAFETY (every transmute below): for each command, OpenSSL's macro casts a
        // callback of the command's type to the generic function type; casting it back
        // restores its real type (an `Option` of any function pointer is one pointer,
        // NULL for `None`).
        match cmd {
            sys::SSL_CTRL_SET_MSG_CALLBACK => {
                // SAFETY: OpenSSL's macro cast a callback of this command's type (see above).
                cbs.msg = unsafe {
                    std::mem::transmute::<GenericCallback, crate::abi::callbacks::MsgCallback>(fp)
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
                    std::mem::transmute::<
                        GenericCallback,
                        crate::abi::callbacks::NotResumableCallback,
                    >(fp)
                };
            }
            sys::SSL_CTRL_SET_SRP_VERIFY_PARAM_CB => {
                // SAFETY: OpenSSL's macro cast a callback of this command's type (see above).
                cbs.srp_verify_param = unsafe {
                    std::mem::transmute::<
                        GenericCallback,
                        crate::abi::callbacks::SrpVerifyParamCallback,
                    >(fp)
                };
            }
            sys::SSL_CTRL_SET_TLS_EXT_SRP_USERNAME_CB => {
                // SAFETY: OpenSSL's macro cast a callback of this command's type (see above).
                cbs.srp_username = unsafe {
                    std::mem::transmute::<GenericCallback, crate::abi::callbacks::SrpUsernameCallback>(
                        fp,
                    )
                };
            }
            sys::SSL_CTRL_SET_SRP_GIVE_CLIENT_PWD_CB => {
                // SAFETY: OpenSSL's macro cast a callback of this command's type (see above).
                cbs.srp_client_pwd = unsafe {
                    std::mem::transmute::<
                        GenericCallback,
                        crate::abi::callbacks::SrpClientPwdCallback,
                    >(fp)
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
