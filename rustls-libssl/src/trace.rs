//! `SSL_trace`: the message callback that prints each protocol event in OpenSSL's words
//! (`openssl s_client -trace`): record headers, alerts, ChangeCipherSpec, and every
//! handshake message decoded field by field (versions, randoms, suites, extensions,
//! certificates, key exchanges, signatures, tickets), with OpenSSL's names and layout.

use std::fmt::Write as _;

use crate::crypto_sys as sys;

mod names;

use names::{
    alert_level, name, suite_name, CERT_TYPES, COMPRESSION, CONTENT_TYPES, EXTENSIONS, GROUPS,
    HANDSHAKE_TYPES, KEY_UPDATE, MAX_FRAGMENT, POINT_FORMATS, PSK_KEX_MODES, SIGALGS, VERSIONS,
};

/// What the printer needs to know of the connection.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Context {
    /// The connection is a server.
    pub server: bool,
    /// It negotiated TLS 1.3.
    pub tls13: bool,
    /// The key exchange of the negotiated suite, as OpenSSL names it ("ECDHE").
    pub kx: &'static str,
}

/// The text `SSL_trace` prints for one message-callback event.
pub(crate) fn trace(write: bool, content_type: i32, msg: &[u8], ctx: &Context) -> String {
    let mut out = String::new();
    let dir = if write { "Sent" } else { "Received" };
    match content_type {
        crate::observer::RT_HEADER => {
            if msg.len() < 5 {
                out.push_str(dir);
                hex(&mut out, 0, " too short message", msg);
            } else {
                let version = u16::from_be_bytes([msg[1], msg[2]]);
                let len = u16::from_be_bytes([msg[msg.len() - 2], msg[msg.len() - 1]]);
                let _ = write!(
                    out,
                    "{dir} Record\nHeader:\n  Version = {} (0x{version:x})\n  Content Type = {} ({})\n  Length = {len}",
                    name(VERSIONS, version),
                    name(CONTENT_TYPES, u16::from(msg[0])),
                    msg[0]
                );
            }
        }
        crate::observer::RT_INNER_CONTENT_TYPE => {
            if let Some(&t) = msg.first() {
                let _ = write!(
                    out,
                    "  Inner Content Type = {} ({t})",
                    name(CONTENT_TYPES, u16::from(t))
                );
            }
        }
        22 => {
            // Whether the message is the server's.
            let server = if ctx.server { write } else { !write };
            if handshake(&mut out, ctx, server, msg, 4).is_none() {
                out.push_str("Message length parse error!\n");
            }
        }
        20 => {
            if msg == [1] {
                out.push_str("    change_cipher_spec (1)\n");
            } else {
                hex(&mut out, 4, "unknown value", msg);
            }
        }
        21 => {
            if let [level, description] = *msg {
                let _ = writeln!(
                    out,
                    "    Level={}({level}), description={}({description})",
                    alert_level(level),
                    crate::statem::alert_description(description).to_string_lossy()
                );
            } else {
                out.push_str("    Illegal Alert Length\n");
            }
        }
        _ => {}
    }
    out.push('\n');
    out
}

/// A reader over a message that fails (`None`) when it runs short.
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let head = self.0.get(..n)?;
        self.0 = &self.0[n..];
        Some(head)
    }

    fn u8(&mut self) -> Option<u8> {
        Some(self.take(1)?[0])
    }

    fn u16(&mut self) -> Option<u16> {
        let b = self.take(2)?;
        Some(u16::from_be_bytes([b[0], b[1]]))
    }

    fn u24(&mut self) -> Option<usize> {
        let b = self.take(3)?;
        Some(usize::from(b[0]) << 16 | usize::from(b[1]) << 8 | usize::from(b[2]))
    }

    fn u32(&mut self) -> Option<u32> {
        let b = self.take(4)?;
        Some(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }

    fn len(&self) -> usize {
        self.0.len()
    }
}

fn indent(out: &mut String, n: usize) {
    out.extend(std::iter::repeat_n(' ', n.min(80)));
}

/// `name (len=N): HEX`.
fn hex(out: &mut String, ind: usize, label: &str, data: &[u8]) {
    indent(out, ind);
    let _ = write!(out, "{label} (len={}): ", data.len());
    for b in data {
        let _ = write!(out, "{b:02X}");
    }
    out.push('\n');
}

/// A vector with a one- or two-byte length, printed as hex.
fn hexbuf(
    out: &mut String,
    ind: usize,
    label: &str,
    width: usize,
    r: &mut Reader<'_>,
) -> Option<()> {
    let len = if width == 1 {
        usize::from(r.u8()?)
    } else {
        usize::from(r.u16()?)
    };
    let data = r.take(len)?;
    hex(out, ind, label, data);
    Some(())
}

fn version(out: &mut String, ind: usize, label: &str, r: &mut Reader<'_>) -> Option<u16> {
    let v = r.u16()?;
    indent(out, ind);
    let _ = writeln!(out, "{label}=0x{v:x} ({})", name(VERSIONS, v));
    Some(v)
}

fn random(out: &mut String, ind: usize, r: &mut Reader<'_>) -> Option<()> {
    let time = r.u32()?;
    let bytes = r.take(28)?;
    indent(out, ind);
    out.push_str("Random:\n");
    indent(out, ind + 2);
    let _ = writeln!(out, "gmt_unix_time=0x{time:08X}");
    hex(out, ind + 2, "random_bytes", bytes);
    Some(())
}

/// Values of `width` bytes each, by name.
fn list(
    out: &mut String,
    ind: usize,
    data: &[u8],
    width: usize,
    table: &[(u16, &'static str)],
) -> Option<()> {
    if !data.len().is_multiple_of(width) {
        return None;
    }
    for v in data.chunks(width) {
        let v = if width == 2 {
            u16::from_be_bytes([v[0], v[1]])
        } else {
            u16::from(v[0])
        };
        indent(out, ind);
        let _ = writeln!(out, "{} ({v})", name(table, v));
    }
    Some(())
}

fn signature(out: &mut String, ind: usize, r: &mut Reader<'_>) -> Option<()> {
    let alg = r.u16()?;
    indent(out, ind);
    let _ = writeln!(
        out,
        "Signature Algorithm: {} (0x{alg:04x})",
        name(SIGALGS, alg)
    );
    hexbuf(out, ind, "Signature", 2, r)
}

fn dump(out: &mut String, data: &[u8], ind: usize) {
    out.push_str(&sys::dump_indent(data, i32::try_from(ind).unwrap_or(0)));
}

fn handshake(out: &mut String, ctx: &Context, server: bool, msg: &[u8], ind: usize) -> Option<()> {
    let mut r = Reader(msg);
    let typ = r.u8()?;
    let len = r.u24()?;
    indent(out, ind);
    let _ = writeln!(
        out,
        "{}, Length={len}",
        name(HANDSHAKE_TYPES, u16::from(typ))
    );
    if r.len() < len {
        return None;
    }
    let ind = ind + 2;
    match typ {
        1 => client_hello(out, ind, &mut r),
        2 => server_hello(out, ind, &mut r),
        12 => server_key_exchange(out, ind, ctx, &mut r),
        16 => client_key_exchange(out, ind, ctx, &mut r),
        11 => certificates(out, ind, ctx, server, &mut r),
        15 => signature(out, ind, &mut r),
        13 => certificate_request(out, ind, ctx, &mut r),
        20 => {
            hex(out, ind, "verify_data", r.0);
            Some(())
        }
        14 => {
            if r.len() != 0 {
                hex(out, ind, "unexpected value", r.0);
            }
            Some(())
        }
        4 => ticket(out, ind, ctx, &mut r),
        8 => extensions(out, ind, true, typ, &mut r),
        24 => {
            if r.len() != 1 {
                hex(out, ind, "unexpected value", r.0);
                return None;
            }
            list(out, ind, r.0, 1, KEY_UPDATE)
        }
        _ => {
            indent(out, ind);
            out.push_str("Unsupported, hex dump follows:\n");
            dump(out, r.0, ind + 2);
            Some(())
        }
    }
}

fn client_hello(out: &mut String, ind: usize, r: &mut Reader<'_>) -> Option<()> {
    version(out, ind, "client_version", r)?;
    random(out, ind, r)?;
    hexbuf(out, ind, "session_id", 1, r)?;
    let len = usize::from(r.u16()?);
    indent(out, ind);
    let _ = writeln!(out, "cipher_suites (len={len})");
    if r.len() < len || !len.is_multiple_of(2) {
        return None;
    }
    for cs in r.take(len)?.chunks(2) {
        indent(out, ind + 2);
        let _ = writeln!(
            out,
            "{{0x{:02X}, 0x{:02X}}} {}",
            cs[0],
            cs[1],
            suite_name(u16::from_be_bytes([cs[0], cs[1]]))
        );
    }
    let len = usize::from(r.u8()?);
    let methods = r.take(len)?;
    indent(out, ind);
    let _ = writeln!(out, "compression_methods (len={len})");
    for m in methods {
        indent(out, ind + 2);
        let _ = writeln!(out, "{} (0x{m:02X})", name(COMPRESSION, u16::from(*m)));
    }
    extensions(out, ind, false, 1, r)
}

fn server_hello(out: &mut String, ind: usize, r: &mut Reader<'_>) -> Option<()> {
    let v = version(out, ind, "server_version", r)?;
    random(out, ind, r)?;
    // OpenSSL looks at the legacy version here, which a TLS 1.3 ServerHello keeps at
    // TLS 1.2: the session id and compression method print for every version.
    let tls13 = i32::from(v) == sys::TLS1_3_VERSION;
    if !tls13 {
        hexbuf(out, ind, "session_id", 1, r)?;
    }
    let cs = r.take(2)?;
    indent(out, ind);
    let _ = writeln!(
        out,
        "cipher_suite {{0x{:02X}, 0x{:02X}}} {}",
        cs[0],
        cs[1],
        suite_name(u16::from_be_bytes([cs[0], cs[1]]))
    );
    if !tls13 {
        let m = r.u8()?;
        indent(out, ind);
        let _ = writeln!(
            out,
            "compression_method: {} (0x{m:02X})",
            name(COMPRESSION, u16::from(m))
        );
    }
    extensions(out, ind, true, 2, r)
}

fn extensions(
    out: &mut String,
    ind: usize,
    server: bool,
    mt: u8,
    r: &mut Reader<'_>,
) -> Option<()> {
    indent(out, ind);
    if r.len() == 0 {
        out.push_str("No extensions\n");
        return Some(());
    }
    let total = usize::from(r.u16()?);
    if total == 0 {
        out.push_str("No extensions\n");
        return Some(());
    }
    let mut exts = Reader(r.take(total)?);
    let _ = writeln!(out, "extensions, length = {total}");
    while exts.len() > 0 {
        if exts.len() < 4 {
            return None;
        }
        let typ = exts.u16()?;
        let len = usize::from(exts.u16()?);
        if exts.len() < len {
            let _ = writeln!(out, "extensions, extype = {typ}, extlen = {len}");
            dump(out, exts.0, ind + 2);
            return None;
        }
        let data = exts.take(len)?;
        extension(out, ind + 2, server, mt, typ, data)?;
    }
    Some(())
}

fn extension(
    out: &mut String,
    ind: usize,
    server: bool,
    mt: u8,
    typ: u16,
    ext: &[u8],
) -> Option<()> {
    indent(out, ind);
    let _ = writeln!(
        out,
        "extension_type={}({typ}), length={}",
        name(EXTENSIONS, typ),
        ext.len()
    );
    let mut r = Reader(ext);
    match i32::from(typ) {
        sys::TLSEXT_TYPE_max_fragment_length => {
            if ext.is_empty() {
                return None;
            }
            list(out, ind + 2, ext, 1, MAX_FRAGMENT)
        }
        sys::TLSEXT_TYPE_ec_point_formats => {
            let len = usize::from(r.u8()?);
            if ext.len() != len + 1 {
                return None;
            }
            list(out, ind + 2, &ext[1..], 1, POINT_FORMATS)
        }
        sys::TLSEXT_TYPE_supported_groups => {
            let len = usize::from(r.u16()?);
            if ext.len() != len + 2 {
                return None;
            }
            list(out, ind + 2, &ext[2..], 2, GROUPS)
        }
        sys::TLSEXT_TYPE_application_layer_protocol_negotiation => {
            let len = usize::from(r.u16()?);
            if ext.len() != len + 2 {
                return None;
            }
            while r.len() > 0 {
                let plen = usize::from(r.u8()?);
                let proto = r.take(plen)?;
                indent(out, ind + 2);
                out.push_str(&String::from_utf8_lossy(proto));
                out.push('\n');
            }
            Some(())
        }
        sys::TLSEXT_TYPE_signature_algorithms => {
            let len = usize::from(r.u16()?);
            if ext.len() != len + 2 || !len.is_multiple_of(2) {
                return None;
            }
            for alg in ext[2..].chunks(2) {
                let alg = u16::from_be_bytes([alg[0], alg[1]]);
                indent(out, ind + 2);
                let _ = writeln!(out, "{} (0x{alg:04x})", name(SIGALGS, alg));
            }
            Some(())
        }
        sys::TLSEXT_TYPE_renegotiate => {
            let len = usize::from(r.u8()?);
            if len + 1 != ext.len() {
                return None;
            }
            if len == 0 {
                indent(out, ind + 4);
                out.push_str("<EMPTY>\n");
            } else if server {
                if !len.is_multiple_of(2) {
                    return None;
                }
                hex(out, ind + 4, "client_verify_data", &ext[1..1 + len / 2]);
                hex(out, ind + 4, "server_verify_data", &ext[1 + len / 2..]);
            } else {
                hex(out, ind + 4, "client_verify_data", &ext[1..]);
            }
            Some(())
        }
        sys::TLSEXT_TYPE_session_ticket => {
            if !ext.is_empty() {
                hex(out, ind + 4, "ticket", ext);
            }
            Some(())
        }
        sys::TLSEXT_TYPE_key_share => key_share(out, ind, server, ext),
        sys::TLSEXT_TYPE_supported_versions => {
            if server {
                if ext.len() != 2 {
                    return None;
                }
                let v = u16::from_be_bytes([ext[0], ext[1]]);
                indent(out, ind + 4);
                let _ = writeln!(out, "{} ({v})", name(VERSIONS, v));
                return Some(());
            }
            let len = usize::from(r.u8()?);
            if ext.len() != len + 1 {
                return None;
            }
            list(out, ind + 2, &ext[1..], 2, VERSIONS)
        }
        sys::TLSEXT_TYPE_psk_kex_modes => {
            let len = usize::from(r.u8()?);
            if ext.len() != len + 1 {
                return None;
            }
            list(out, ind + 2, &ext[1..], 1, PSK_KEX_MODES)
        }
        sys::TLSEXT_TYPE_early_data => {
            if mt != 4 {
                return Some(());
            }
            if ext.len() != 4 {
                return None;
            }
            indent(out, ind + 2);
            let _ = writeln!(out, "max_early_data={}", r.u32()?);
            Some(())
        }
        _ => {
            dump(out, ext, ind + 2);
            Some(())
        }
    }
}

fn key_share(out: &mut String, ind: usize, server: bool, ext: &[u8]) -> Option<()> {
    if server && ext.len() == 2 {
        // A HelloRetryRequest's group.
        let group = u16::from_be_bytes([ext[0], ext[1]]);
        indent(out, ind + 4);
        let _ = writeln!(out, "NamedGroup: {} ({group})", name(GROUPS, group));
        return Some(());
    }
    let mut r = Reader(ext);
    if !server {
        let len = usize::from(r.u16()?);
        if ext.len() != len + 2 {
            return None;
        }
    }
    while r.len() > 0 {
        if r.len() < 4 {
            return None;
        }
        let group = r.u16()?;
        let len = usize::from(r.u16()?);
        let share = r.take(len)?;
        indent(out, ind + 4);
        let _ = writeln!(out, "NamedGroup: {} ({group})", name(GROUPS, group));
        hex(out, ind + 4, "key_exchange: ", share);
    }
    Some(())
}

fn server_key_exchange(
    out: &mut String,
    ind: usize,
    ctx: &Context,
    r: &mut Reader<'_>,
) -> Option<()> {
    indent(out, ind);
    let _ = writeln!(out, "KeyExchangeAlgorithm={}", ctx.kx);
    match ctx.kx {
        "ECDHE" => {
            let curve_type = r.u8()?;
            indent(out, ind + 2);
            match curve_type {
                1 => out.push_str("explicit_prime\n"),
                2 => out.push_str("explicit_char2\n"),
                3 => {
                    let curve = r.u16()?;
                    let _ = writeln!(out, "named_curve: {} ({curve})", name(GROUPS, curve));
                    hexbuf(out, ind + 2, "point", 1, r)?;
                }
                other => {
                    let _ = writeln!(out, "UNKNOWN CURVE PARAMETER TYPE {other}");
                    return None;
                }
            }
        }
        "DHE" => {
            hexbuf(out, ind + 2, "dh_p", 2, r)?;
            hexbuf(out, ind + 2, "dh_g", 2, r)?;
            hexbuf(out, ind + 2, "dh_Ys", 2, r)?;
        }
        "rsa" => {
            hexbuf(out, ind + 2, "rsa_modulus", 2, r)?;
            hexbuf(out, ind + 2, "rsa_exponent", 2, r)?;
        }
        _ => {}
    }
    let _ = signature(out, ind, r);
    (r.len() == 0).then_some(())
}

fn client_key_exchange(
    out: &mut String,
    ind: usize,
    ctx: &Context,
    r: &mut Reader<'_>,
) -> Option<()> {
    indent(out, ind);
    let _ = writeln!(out, "KeyExchangeAlgorithm={}", ctx.kx);
    match ctx.kx {
        "ECDHE" => hexbuf(out, ind + 2, "ecdh_Yc", 1, r)?,
        "DHE" => hexbuf(out, ind + 2, "dh_Yc", 2, r)?,
        "rsa" => hexbuf(out, ind + 2, "EncryptedPreMasterSecret", 2, r)?,
        _ => {}
    }
    (r.len() == 0).then_some(())
}

fn certificates(
    out: &mut String,
    ind: usize,
    ctx: &Context,
    server: bool,
    r: &mut Reader<'_>,
) -> Option<()> {
    if ctx.tls13 {
        hexbuf(out, ind, "context", 1, r)?;
    }
    let len = r.u24()?;
    if r.len() != len {
        return None;
    }
    indent(out, ind);
    let _ = writeln!(out, "certificate_list, length={len}");
    let mut certs = Reader(r.take(len)?);
    while certs.len() > 0 {
        let clen = certs.u24()?;
        let der = certs.take(clen)?;
        indent(out, ind + 2);
        let _ = write!(out, "ASN.1Cert, length={clen}");
        match sys::certificate_details(der) {
            Some((text, used)) => {
                out.push_str("\n------details-----\n");
                out.push_str(&text);
                out.push_str("------------------\n");
                if used != clen {
                    out.push_str("<TRAILING GARBAGE AFTER CERTIFICATE>\n");
                }
            }
            None => out.push_str("<UNPARSABLE CERTIFICATE>\n"),
        }
        if ctx.tls13 {
            extensions(out, ind + 2, server, 11, &mut certs)?;
        }
    }
    Some(())
}

fn certificate_request(
    out: &mut String,
    ind: usize,
    ctx: &Context,
    r: &mut Reader<'_>,
) -> Option<()> {
    if ctx.tls13 {
        hexbuf(out, ind, "request_context", 1, r)?;
        return extensions(out, ind, true, 13, r);
    }
    let len = usize::from(r.u8()?);
    let types = r.take(len)?;
    indent(out, ind);
    let _ = writeln!(out, "certificate_types (len={len})");
    list(out, ind + 2, types, 1, CERT_TYPES)?;
    let len = usize::from(r.u16()?);
    let algs = r.take(len)?;
    if !len.is_multiple_of(2) {
        return None;
    }
    indent(out, ind);
    let _ = writeln!(out, "signature_algorithms (len={len})");
    for alg in algs.chunks(2) {
        let alg = u16::from_be_bytes([alg[0], alg[1]]);
        indent(out, ind + 2);
        let _ = writeln!(out, "{} (0x{alg:04x})", name(SIGALGS, alg));
    }
    let len = usize::from(r.u16()?);
    indent(out, ind);
    let mut names = Reader(r.take(len)?);
    let _ = writeln!(out, "certificate_authorities (len={len})");
    while names.len() > 0 {
        let dlen = usize::from(names.u16()?);
        let der = names.take(dlen)?;
        indent(out, ind + 2);
        let _ = write!(out, "DistinguishedName (len={dlen}): ");
        match sys::name_oneline(der) {
            Some(text) => {
                out.push_str(&text);
                out.push('\n');
            }
            None => out.push_str("<UNPARSABLE DN>\n"),
        }
    }
    (r.len() == 0).then_some(())
}

fn ticket(out: &mut String, ind: usize, ctx: &Context, r: &mut Reader<'_>) -> Option<()> {
    if r.len() == 0 {
        indent(out, ind + 2);
        out.push_str("No Ticket\n");
        return Some(());
    }
    let life = r.u32()?;
    indent(out, ind + 2);
    let _ = writeln!(out, "ticket_lifetime_hint={life}");
    if ctx.tls13 {
        let age_add = r.u32()?;
        indent(out, ind + 2);
        let _ = writeln!(out, "ticket_age_add={age_add}");
        hexbuf(out, ind + 2, "ticket_nonce", 1, r)?;
    }
    hexbuf(out, ind + 2, "ticket", 2, r)?;
    if ctx.tls13 {
        extensions(out, ind + 2, false, 4, r)?;
    }
    (r.len() == 0).then_some(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The contract's fixed inputs, as OpenSSL prints them.
    #[test]
    fn record_alert_ccs() {
        let ctx = Context::default();
        assert_eq!(
            trace(true, 256, &[0x15, 3, 3, 0, 2], &ctx),
            "Sent Record\nHeader:\n  Version = TLS 1.2 (0x303)\n  Content Type = Alert (21)\n  Length = 2\n"
        );
        assert_eq!(
            trace(true, 21, &[1, 0], &ctx),
            "    Level=warning(1), description=close notify(0)\n\n"
        );
        assert_eq!(
            trace(false, 20, &[1], &ctx),
            "    change_cipher_spec (1)\n\n"
        );
        assert_eq!(
            trace(false, 22, &[20, 0, 0, 2, 0xab, 0xcd], &ctx),
            "    Finished, Length=2\n      verify_data (len=2): ABCD\n\n"
        );
        assert_eq!(
            trace(false, 22, &[20, 0, 0, 9], &ctx),
            "    Finished, Length=9\nMessage length parse error!\n\n"
        );
    }
}
