//! `SSL_ctrl` and `SSL_callback_ctrl`: the commands only a connection answers (the peer's
//! hello, host name, OCSP request and response, negotiated groups and signatures, temporary
//! keys, its chain) and the callbacks it is given through the generic callback control.

use std::ffi::{c_int, c_long, c_void};

use super::settings::settings_ctrl;
use super::{group_nid, kept_stack, log_unknown, Ctrl, GenericCallback, Reply};
use crate::abi::callbacks::TmpDhCallback;
use crate::abi::{c_str, entry, try_ref, SSL};
use crate::crypto_sys as sys;
use crate::current::lock;
use crate::error::Error;
use crate::setup::Role;
use crate::sigalgs;

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
            unsafe {
                crate::abi::session::write_opt(
                    out,
                    lock(&ssl.rare().ocsp_request).exts as *mut c_void,
                )
            };
            Ok(1)
        }
        Ctrl::SetStatusExts(exts) => {
            lock(&ssl.rare().ocsp_request).set_exts(exts);
            Ok(1)
        }
        Ctrl::GetStatusIds(out) => {
            // SAFETY: parg is a `STACK_OF(OCSP_RESPID) **` for this command.
            unsafe {
                crate::abi::session::write_opt(
                    out,
                    lock(&ssl.rare().ocsp_request).ids as *mut c_void,
                )
            };
            Ok(1)
        }
        Ctrl::SetStatusIds(ids) => {
            lock(&ssl.rare().ocsp_request).set_ids(ids);
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
                        o.ocsp_response = r.as_slice().into();
                        let len = o.ocsp_response.len();
                        // SAFETY: parg is a `const unsigned char **`; get0.
                        unsafe { crate::abi::session::write_opt(out, o.ocsp_response.as_ptr()) };
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
                crate::abi::session::write_opt(
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
                let bytes = match unsafe { crate::abi::c_bytes(resp, len) } {
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
                .map(|h| h.groups.to_vec())
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
                .map(|h| h.groups.to_vec())
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
            unsafe { crate::abi::session::write_opt(out, sigalgs::hash_nid(scheme)) };
            Ok(1)
        }
        Ctrl::PeerTmpKey(out) => Ok(crate::abi::cert::tmp_key(ssl, out, true)),
        Ctrl::TmpKey(out) => Ok(crate::abi::cert::tmp_key(ssl, out, false)),
        Ctrl::EcPointFormats(out) => {
            let hello = lock(&ssl.state.hello);
            let Some(formats) = hello.as_ref().and_then(|h| h.ec_point_formats.as_ref()) else {
                return Some(Ok(0));
            };
            // SAFETY: parg is a `const unsigned char **`; get0, kept with the hello.
            unsafe { crate::abi::session::write_opt(out, formats.as_ptr()) };
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
                false => match kept_stack(&ssl.rare().chain_stacks, &chain) {
                    Ok(p) => p,
                    Err(e) => return Some(Err(e)),
                },
            };
            // SAFETY: parg is a `STACK_OF(X509) **` for this command; get0.
            unsafe { crate::abi::session::write_opt(out, ptr) };
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
                    std::mem::transmute::<GenericCallback, crate::abi::callbacks::MsgCallback>(fp)
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
                    std::mem::transmute::<
                        GenericCallback,
                        crate::abi::callbacks::NotResumableCallback,
                    >(fp)
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
