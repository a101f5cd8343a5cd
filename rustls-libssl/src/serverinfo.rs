//! Server info (`SSL_CTX_use_serverinfo*`): TLS extensions a server sends for a
//! certificate, as OpenSSL checks and stores them. rustls cannot send extensions of the
//! application's, so the data is kept with the certificate and never sent: a client that
//! asks for one of these extensions gets a handshake without it.

use crate::crypto_sys as sys;
use crate::error::{Error, Result};

/// The context OpenSSL gives a version 1 entry (`SYNTHV1CONTEXT`: TLS 1.2 and below,
/// ClientHello, TLS 1.2 ServerHello, ignored on resumption).
pub(crate) const V1_CONTEXT: u32 = 0x01D0;

/// One extension of a server info block.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Entry {
    pub context: u32,
    pub ext_type: u16,
}

/// Parses version 2 data (context, type, length-prefixed data, repeated); `None` if it
/// is malformed or empty.
pub(crate) fn parse_v2(data: &[u8]) -> Option<Vec<Entry>> {
    if data.is_empty() {
        return None;
    }
    let mut rest = data;
    let mut out = Vec::new();
    while !rest.is_empty() {
        let head = rest.get(..8)?;
        let context = u32::from_be_bytes([head[0], head[1], head[2], head[3]]);
        let ext_type = u16::from_be_bytes([head[4], head[5]]);
        let len = usize::from(u16::from_be_bytes([head[6], head[7]]));
        rest = rest.get(8 + len..)?;
        out.push(Entry { context, ext_type });
    }
    Some(out)
}

/// Version 1 data (type, length-prefixed data, repeated) as version 2: each entry gets
/// [`V1_CONTEXT`]. Malformed data is converted as OpenSSL does (the check comes after).
pub(crate) fn v1_to_v2(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() + 4);
    out.extend_from_slice(&V1_CONTEXT.to_be_bytes());
    out.extend_from_slice(data);
    out
}

/// Whether an extension type can be registered for server info, as OpenSSL's custom
/// extension registry allows it: not one OpenSSL handles itself (SCTs excepted, unless
/// CT validation is on and the extension would be read in a ClientHello), not already
/// registered.
pub(crate) fn registrable(entry: &Entry, registered: &[u16], ct_enabled: bool) -> bool {
    let t = entry.ext_type;
    let client_hello = entry.context & sys::SSL_EXT_CLIENT_HELLO as u32 != 0;
    if t == 18 && client_hello && ct_enabled {
        return false;
    }
    if handled_by_openssl(t) && t != 18 {
        return false;
    }
    !registered.contains(&t)
}

/// `SSL_extension_supported` of OpenSSL 3.0.
pub(crate) fn handled_by_openssl(t: u16) -> bool {
    matches!(
        t,
        0 | 1
            | 5
            | 10
            | 11
            | 12
            | 13
            | 14
            | 16
            | 18
            | 21
            | 22
            | 23
            | 35
            | 41
            | 42
            | 43
            | 44
            | 45
            | 47
            | 49
            | 51
            | 13172
            | 0xff01
    )
}

/// One PEM block of a server info file as version 2 data: named `SERVERINFO FOR ...`
/// (version 1 data) or `SERVERINFOV2 FOR ...`, its length field checked.
pub(crate) fn pem_block(name: &str, data: &[u8]) -> Result<Vec<u8>> {
    const V1: &str = "SERVERINFO FOR ";
    const V2: &str = "SERVERINFOV2 FOR ";
    if name.len() < V1.len() {
        return Err(Error::Reason(sys::SSL_R_PEM_NAME_TOO_SHORT));
    }
    let v1 = name.starts_with(V1);
    if !v1 {
        if name.len() < V2.len() {
            return Err(Error::Reason(sys::SSL_R_PEM_NAME_TOO_SHORT));
        }
        if !name.starts_with(V2) {
            return Err(Error::Reason(sys::SSL_R_PEM_NAME_BAD_PREFIX));
        }
    }
    let header = if v1 { 4 } else { 8 };
    let ok = data.len() >= header
        && usize::from(u16::from_be_bytes([data[header - 2], data[header - 1]]))
            == data.len() - header;
    if !ok {
        return Err(Error::Reason(sys::SSL_R_BAD_DATA));
    }
    Ok(if v1 { v1_to_v2(data) } else { data.to_vec() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_like_openssl() {
        let v1 = [0x03, 0xE8, 0x00, 0x03, b'o', b'n', b'e'];
        let v2 = v1_to_v2(&v1);
        assert_eq!(
            parse_v2(&v2),
            Some(vec![Entry {
                context: V1_CONTEXT,
                ext_type: 1000
            }])
        );
        assert_eq!(parse_v2(&v1_to_v2(&[0x03, 0xEC, 0x00, 0x09, b'S'])), None);
        assert_eq!(parse_v2(&[]), None);
        let sct = Entry {
            context: V1_CONTEXT,
            ext_type: 18,
        };
        assert!(registrable(&sct, &[], false));
        assert!(!registrable(&sct, &[], true));
        assert!(!registrable(&sct, &[18], false));
        let alpn = Entry {
            context: V1_CONTEXT,
            ext_type: 16,
        };
        assert!(!registrable(&alpn, &[], false));
    }
}
