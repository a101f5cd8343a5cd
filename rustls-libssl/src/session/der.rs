//! OpenSSL's serialised session (`i2d_SSL_SESSION`): the DER `SSL_SESSION_ASN1` sequence
//! of `ssl/ssl_asn1.c`, field for field, so that applications see the lengths and bytes
//! OpenSSL would give them. The resumption state rustls keeps private follows as one more
//! field of this library's own ([`STATE_TAG`]), after every field OpenSSL defines.
//!
//! A serialised session is self-delimiting: `d2i_SSL_SESSION` reads one DER sequence and
//! ignores what follows (nginx hands it a buffer that may be longer than the session).

/// The version OpenSSL writes first (`SSL_SESSION_ASN1_VERSION`).
const ASN1_VERSION: u64 = 1;
/// The context tag of the shim's resumption state (OpenSSL's fields use 0 to 19).
pub(super) const STATE_TAG: u8 = 30;

/// Everything the sequence carries.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Fields {
    pub ssl_version: i64,
    pub cipher: [u8; 2],
    pub session_id: Vec<u8>,
    pub master_key: Vec<u8>,
    pub time: i64,
    pub timeout: i64,
    /// The peer certificate, DER.
    pub peer: Option<Vec<u8>>,
    pub sid_ctx: Vec<u8>,
    pub verify_result: i64,
    pub hostname: Option<Vec<u8>>,
    pub tick_lifetime_hint: u64,
    pub tick: Option<Vec<u8>>,
    pub flags: u64,
    pub tick_age_add: u32,
    pub max_early_data: u32,
    pub alpn: Option<Vec<u8>>,
    pub max_fragment_len_mode: u32,
    pub ticket_appdata: Option<Vec<u8>>,
    pub kex_group: u32,
    /// The shim's resumption state.
    pub state: Option<Vec<u8>>,
}

/// Why a serialised session was refused, as OpenSSL reports it.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum DecodeError {
    /// The outer header is unreadable or longer than the data (OpenSSL's ASN.1 decoder:
    /// "too long", "bad object header", "nested asn1 error").
    Header,
    /// The sequence is malformed inside ("nested asn1 error").
    Body,
    /// A field OpenSSL rejects with this `SSL_R_*` reason.
    Reason(i32),
    /// A field OpenSSL rejects without queueing anything (an unknown cipher, a too long
    /// id or key).
    Silent,
}

/// DER universal tags.
const INTEGER: u8 = 0x02;
const OCTET_STRING: u8 = 0x04;
const SEQUENCE: u8 = 0x30;

impl Fields {
    /// The DER encoding.
    pub(crate) fn encode(&self) -> Vec<u8> {
        let mut body = Vec::with_capacity(256);
        tlv(&mut body, INTEGER, &uint(ASN1_VERSION));
        tlv(&mut body, INTEGER, &int(self.ssl_version));
        tlv(&mut body, OCTET_STRING, &self.cipher);
        tlv(&mut body, OCTET_STRING, &self.session_id);
        tlv(&mut body, OCTET_STRING, &self.master_key);
        if self.time != 0 {
            explicit(&mut body, 1, INTEGER, &int(self.time));
        }
        if self.timeout != 0 {
            explicit(&mut body, 2, INTEGER, &int(self.timeout));
        }
        if let Some(peer) = &self.peer {
            // The certificate's own DER, as it is.
            let mut inner = Vec::new();
            inner.extend_from_slice(peer);
            tlv(&mut body, 0xa0 | 3, &inner);
        }
        explicit(&mut body, 4, OCTET_STRING, &self.sid_ctx);
        if self.verify_result != 0 {
            explicit(&mut body, 5, INTEGER, &int(self.verify_result));
        }
        if let Some(h) = &self.hostname {
            explicit(&mut body, 6, OCTET_STRING, h);
        }
        if self.tick_lifetime_hint != 0 {
            explicit(&mut body, 9, INTEGER, &uint(self.tick_lifetime_hint));
        }
        if let Some(t) = &self.tick {
            explicit(&mut body, 10, OCTET_STRING, t);
        }
        if self.flags != 0 {
            explicit(&mut body, 13, INTEGER, &uint(self.flags));
        }
        if self.tick_age_add != 0 {
            explicit(&mut body, 14, INTEGER, &uint(u64::from(self.tick_age_add)));
        }
        if self.max_early_data != 0 {
            explicit(
                &mut body,
                15,
                INTEGER,
                &uint(u64::from(self.max_early_data)),
            );
        }
        if let Some(a) = &self.alpn {
            explicit(&mut body, 16, OCTET_STRING, a);
        }
        if self.max_fragment_len_mode != 0 {
            explicit(
                &mut body,
                17,
                INTEGER,
                &uint(u64::from(self.max_fragment_len_mode)),
            );
        }
        if let Some(d) = &self.ticket_appdata {
            explicit(&mut body, 18, OCTET_STRING, d);
        }
        explicit(&mut body, 19, INTEGER, &uint(u64::from(self.kex_group)));
        if let Some(s) = &self.state {
            explicit(&mut body, STATE_TAG, OCTET_STRING, s);
        }
        let mut out = Vec::with_capacity(body.len() + 4);
        tlv(&mut out, SEQUENCE, &body);
        out
    }

    /// Reads one encoded session from the start of `data`; returns it and the bytes used.
    pub(crate) fn decode(data: &[u8]) -> Result<(Self, usize), DecodeError> {
        let (tag, body, used) = read_tlv(data).ok_or(DecodeError::Header)?;
        if tag != SEQUENCE {
            return Err(DecodeError::Body);
        }
        let mut r = body;
        let version = take_uint(&mut r)?;
        let ssl_version = take_int(&mut r)?;
        let cipher = take_octets(&mut r)?;
        let session_id = take_octets(&mut r)?.to_vec();
        let master_key = take_octets(&mut r)?.to_vec();
        let mut f = Self {
            ssl_version,
            session_id,
            master_key,
            ..Self::default()
        };
        let mut last_tag = None;
        while !r.is_empty() {
            let (tag, content, n) = read_tlv(r).ok_or(DecodeError::Body)?;
            r = &r[n..];
            // Context-specific, constructed, in increasing order (as OpenSSL's template).
            if tag & 0xe0 != 0xa0 || last_tag.is_some_and(|t| tag <= t) {
                return Err(DecodeError::Body);
            }
            last_tag = Some(tag);
            let number = tag & 0x1f;
            if number == 3 {
                f.peer = Some(content.to_vec());
                continue;
            }
            let (inner_tag, inner, m) = read_tlv(content).ok_or(DecodeError::Body)?;
            if m != content.len() {
                return Err(DecodeError::Body);
            }
            let octets = || {
                if inner_tag == OCTET_STRING {
                    Ok(inner.to_vec())
                } else {
                    Err(DecodeError::Body)
                }
            };
            let integer = || {
                if inner_tag == INTEGER {
                    read_int(inner).ok_or(DecodeError::Body)
                } else {
                    Err(DecodeError::Body)
                }
            };
            let unsigned = |max: u64| {
                let v = integer()?;
                u64::try_from(v)
                    .ok()
                    .filter(|v| *v <= max)
                    .ok_or(DecodeError::Body)
            };
            let u32max = u64::from(u32::MAX);
            match number {
                // key_arg (SSLv2), PSK identities, compression, SRP user: never written by
                // this library; read and dropped.
                0 | 7 | 8 | 11 | 12 => {}
                1 => f.time = i64::try_from(integer()?).map_err(|_| DecodeError::Body)?,
                2 => f.timeout = i64::try_from(integer()?).map_err(|_| DecodeError::Body)?,
                4 => f.sid_ctx = octets()?,
                5 => {
                    f.verify_result =
                        i64::from(i32::try_from(integer()?).map_err(|_| DecodeError::Body)?);
                }
                6 => f.hostname = Some(octets()?),
                9 => f.tick_lifetime_hint = unsigned(u64::MAX)?,
                10 => f.tick = Some(octets()?),
                13 => f.flags = unsigned(u64::MAX)?,
                14 => f.tick_age_add = u32::try_from(unsigned(u32max)?).unwrap_or(0),
                15 => f.max_early_data = u32::try_from(unsigned(u32max)?).unwrap_or(0),
                16 => f.alpn = Some(octets()?),
                17 => f.max_fragment_len_mode = u32::try_from(unsigned(u32max)?).unwrap_or(0),
                18 => f.ticket_appdata = Some(octets()?),
                19 => f.kex_group = u32::try_from(unsigned(u32max)?).unwrap_or(0),
                STATE_TAG => f.state = Some(octets()?),
                _ => return Err(DecodeError::Body),
            }
        }
        // OpenSSL's checks after the ASN.1 decoding, in its order.
        if version != ASN1_VERSION {
            return Err(DecodeError::Reason(
                crate::crypto_sys::SSL_R_UNKNOWN_SSL_VERSION,
            ));
        }
        let major = f.ssl_version >> 8;
        if major != 0x03 && major != 0xfe && f.ssl_version != 0x100 {
            return Err(DecodeError::Reason(
                crate::crypto_sys::SSL_R_UNSUPPORTED_SSL_VERSION,
            ));
        }
        f.cipher = cipher
            .try_into()
            .map_err(|_| DecodeError::Reason(crate::crypto_sys::SSL_R_CIPHER_CODE_WRONG_LENGTH))?;
        if f.session_id.len() > 32 || f.master_key.len() > 64 || f.sid_ctx.len() > 32 {
            return Err(DecodeError::Silent);
        }
        Ok((f, used))
    }
}

/// Appends tag, DER length and content.
fn tlv(out: &mut Vec<u8>, tag: u8, content: &[u8]) {
    out.push(tag);
    let len = content.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let skip = bytes.iter().take_while(|b| **b == 0).count();
        out.push(0x80 | (bytes.len() - skip) as u8);
        out.extend_from_slice(&bytes[skip..]);
    }
    out.extend_from_slice(content);
}

/// `[n] EXPLICIT` around one universal value.
fn explicit(out: &mut Vec<u8>, n: u8, tag: u8, content: &[u8]) {
    let mut inner = Vec::with_capacity(content.len() + 4);
    tlv(&mut inner, tag, content);
    tlv(out, 0xa0 | n, &inner);
}

/// The minimal two's-complement content octets of `v`.
fn int(v: i64) -> Vec<u8> {
    let bytes = v.to_be_bytes();
    let mut start = 0;
    while start < 7 {
        let (b, next) = (bytes[start], bytes[start + 1]);
        if (b == 0 && next & 0x80 == 0) || (b == 0xff && next & 0x80 != 0) {
            start += 1;
        } else {
            break;
        }
    }
    bytes[start..].to_vec()
}

/// The content octets of a non-negative `v` (a leading zero when the top bit is set).
fn uint(v: u64) -> Vec<u8> {
    let bytes = v.to_be_bytes();
    let skip = bytes.iter().take_while(|b| **b == 0).count().min(7);
    let mut out = Vec::with_capacity(9);
    if bytes[skip] & 0x80 != 0 {
        out.push(0);
    }
    out.extend_from_slice(&bytes[skip..]);
    out
}

/// Reads one tag-length-value (single-byte tag, definite length); returns the tag, the
/// content and the bytes used. `None` if it does not fit in `data`.
fn read_tlv(data: &[u8]) -> Option<(u8, &[u8], usize)> {
    let (&tag, rest) = data.split_first()?;
    if tag & 0x1f == 0x1f {
        return None;
    }
    let (&first, rest) = rest.split_first()?;
    let (len, header) = if first < 0x80 {
        (usize::from(first), 2)
    } else {
        let n = usize::from(first & 0x7f);
        if n == 0 || n > 4 || rest.len() < n {
            return None;
        }
        let len = rest[..n]
            .iter()
            .fold(0usize, |acc, b| (acc << 8) | usize::from(*b));
        (len, 2 + n)
    };
    let end = header.checked_add(len)?;
    let content = data.get(header..end)?;
    Some((tag, content, end))
}

/// A two's-complement integer's value (at most 9 content octets).
fn read_int(content: &[u8]) -> Option<i128> {
    if content.is_empty() || content.len() > 9 {
        return None;
    }
    let negative = content[0] & 0x80 != 0;
    let init: i128 = if negative { -1 } else { 0 };
    Some(
        content
            .iter()
            .fold(init, |acc, b| (acc << 8) | i128::from(*b)),
    )
}

fn take<'a>(r: &mut &'a [u8], want: u8) -> Result<&'a [u8], DecodeError> {
    let (tag, content, n) = read_tlv(r).ok_or(DecodeError::Body)?;
    if tag != want {
        return Err(DecodeError::Body);
    }
    *r = &r[n..];
    Ok(content)
}

fn take_int(r: &mut &[u8]) -> Result<i64, DecodeError> {
    let v = read_int(take(r, INTEGER)?).ok_or(DecodeError::Body)?;
    i64::try_from(v).map_err(|_| DecodeError::Body)
}

fn take_uint(r: &mut &[u8]) -> Result<u64, DecodeError> {
    let v = read_int(take(r, INTEGER)?).ok_or(DecodeError::Body)?;
    u64::try_from(v).map_err(|_| DecodeError::Body)
}

fn take_octets<'a>(r: &mut &'a [u8]) -> Result<&'a [u8], DecodeError> {
    take(r, OCTET_STRING)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What OpenSSL 3.0.19 writes for a session made by hand (TLS 1.3, AES-128-GCM, a
    /// 32-byte id, a 32-byte context, a 48-byte key, host name, ALPN, time, timeout, early
    /// data, application data): the length it reports is 205.
    fn crafted() -> Fields {
        Fields {
            ssl_version: 0x0304,
            cipher: [0x13, 0x01],
            session_id: (0xa0..0xc0).collect(),
            master_key: (0..48).collect(),
            time: 1_000_000,
            timeout: 600,
            sid_ctx: vec![0x5c; 32],
            verify_result: 1,
            hostname: Some(b"session.example".to_vec()),
            max_early_data: 4096,
            alpn: Some(b"h2".to_vec()),
            max_fragment_len_mode: 255,
            ticket_appdata: Some(b"appdata".to_vec()),
            ..Fields::default()
        }
    }

    #[test]
    fn openssl_layout() {
        let der = crafted().encode();
        assert_eq!(der.len(), 205);
        assert_eq!(&der[..3], &[0x30, 0x81, 202]);
        // [17] max_fragment_len_mode 255 and [19] kex_group 0 close the sequence.
        assert_eq!(&der[183..189], &[0xb1, 4, 2, 2, 0, 0xff]);
        assert_eq!(&der[200..], &[0xb3, 3, 2, 1, 0]);
        let (back, used) = Fields::decode(&der).expect("decodes");
        assert_eq!(used, der.len());
        assert_eq!(back, crafted());
    }

    #[test]
    fn trailing_bytes_and_damage() {
        let mut f = crafted();
        f.state = Some(vec![1, 2, 3]);
        let mut der = f.encode();
        let len = der.len();
        der.extend_from_slice(b"trailing garbage");
        assert_eq!(Fields::decode(&der).map(|(_, n)| n), Ok(len));
        assert_eq!(Fields::decode(&der[..len / 2]), Err(DecodeError::Header));
        assert_eq!(Fields::decode(b"garbage"), Err(DecodeError::Header));
        for cut in 0..len {
            let _ = Fields::decode(&der[..cut]);
        }
        for i in 0..len {
            let mut bad = der.clone();
            bad[i] ^= 0x55;
            let _ = Fields::decode(&bad);
        }
    }

    #[test]
    fn integers() {
        assert_eq!(int(0), vec![0]);
        assert_eq!(int(127), vec![127]);
        assert_eq!(int(128), vec![0, 128]);
        assert_eq!(int(-1), vec![0xff]);
        assert_eq!(int(-129), vec![0xff, 0x7f]);
        assert_eq!(uint(255), vec![0, 255]);
        assert_eq!(uint(u64::MAX).len(), 9);
        for v in [0i64, 1, -1, 300, -300, i64::MAX, i64::MIN, 1_000_000] {
            assert_eq!(read_int(&int(v)), Some(i128::from(v)));
        }
    }
}
