//! Ctrl commands on the settings a context and its connections share (modes, protocol
//! bounds, groups, signature algorithms, DH, status requests, certificate stores and chains):
//! one handler that `SSL_CTX_ctrl` runs on the context's settings and `SSL_ctrl` on the
//! connection's copy.

use std::ffi::c_long;

use super::{Ctrl, Reply};
use crate::abi::c_str;
use crate::context::Settings;
use crate::crypto_sys::{self as sys, Cert, PKey, X509Stack, X509Store};
use crate::error::Error;
use crate::groups;
use crate::sigalgs;

/// Commands on settings a context and its connections share; `None` if `ctrl` is not one.
/// `config` is set when the command changed what the rustls config is built from.
pub(super) fn settings_ctrl(
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
            let nids = match unsafe { crate::abi::c_bytes(list.cast::<u8>(), len * 4) } {
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
            match unsafe { crate::abi::c_bytes(types, len) } {
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
                crate::abi::session::write_opt(
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
