//! Fuzz entry points that go through the exported C functions, as a program calls them with
//! bytes from the network or its configuration (`--cfg fuzzing` only; [`crate::fuzzing`]
//! hands them to the targets in `fuzz/`). Connections run over memory BIOs in this
//! process. Failures are expected answers; a crash, a panic (libfuzzer-sys aborts on any,
//! caught at the boundary or not), a hang or a broken invariant checked here is a bug.

use std::ffi::{c_int, c_long, c_uint, c_void, CString};
use std::path::PathBuf;
use std::ptr::{null, null_mut};
use std::sync::OnceLock;

use super::ctx::SSL_CTX;
use super::ssl::SSL;
use super::{callbacks, cert, conf, ctrl, ctx, io, method, session, ssl, verify};
use crate::crypto_sys as sys;
use crate::crypto_sys::tickets::{self, FixedKeys};
use crate::fuzzing::hello_records;

/// The server's certificate and key (P-256), committed in `fuzz/keys`.
const SERVER_CERT: &[u8] = include_bytes!("../../../fuzz/keys/ec-cert.der");
const SERVER_KEY: &[u8] = include_bytes!("../../../fuzz/keys/ec-key.der");

/// The server's ticket keys (`SSL_CTX_set_tlsext_ticket_keys`: name, HMAC key, AES key).
const TICKET_KEYS: [u8; 80] = {
    let mut k = [0x33u8; 80];
    let name = *b"rustls-libssl-fz";
    let mut i = 0;
    while i < name.len() {
        k[i] = name[i];
        i += 1;
    }
    k
};

/// The protocols the server's ALPN callback prefers, in wire form.
const SERVER_ALPN: &[u8] = b"\x02h2\x08http/1.1";

/// A client given the fuzzer's bytes as everything its server sends. The first byte
/// chooses the client: bits 0-1 the versions (any, TLS 1.2 only, TLS 1.3 only), bit 2 an
/// ALPN offer, bit 3 peer verification, bit 4 a server name, bits 5-7 the size of the
/// pieces the bytes arrive in. After the handshake (which random server bytes do not
/// finish) the client reads.
pub fn server_bytes(data: &[u8]) {
    let Some((&flags, stream)) = data.split_first() else {
        return;
    };
    static CTX: OnceLock<usize> = OnceLock::new();
    // SAFETY: TLS_client_method is static; the context lives for the whole process.
    let ctx = *CTX.get_or_init(|| unsafe { ctx::SSL_CTX_new(method::TLS_client_method()) } as usize)
        as *mut SSL_CTX;
    // SAFETY: ctx is a live context (or NULL, which Conn::new refuses).
    let Some(conn) = (unsafe { Conn::new(ctx, false) }) else {
        return;
    };
    // SAFETY: conn.ssl is live; the strings and lists are static.
    unsafe {
        match flags & 3 {
            1 => {
                ctrl::SSL_ctrl(
                    conn.ssl,
                    sys::SSL_CTRL_SET_MAX_PROTO_VERSION,
                    c_long::from(sys::TLS1_2_VERSION),
                    null_mut(),
                );
            }
            2 => {
                ctrl::SSL_ctrl(
                    conn.ssl,
                    sys::SSL_CTRL_SET_MIN_PROTO_VERSION,
                    c_long::from(sys::TLS1_3_VERSION),
                    null_mut(),
                );
            }
            _ => {}
        }
        if flags & 4 != 0 {
            ssl::SSL_set_alpn_protos(conn.ssl, SERVER_ALPN.as_ptr(), SERVER_ALPN.len() as c_uint);
        }
        if flags & 8 != 0 {
            verify::SSL_set_verify(conn.ssl, sys::SSL_VERIFY_PEER, None);
        }
        if flags & 16 != 0 {
            ctrl::SSL_ctrl(
                conn.ssl,
                sys::SSL_CTRL_SET_TLSEXT_HOSTNAME,
                c_long::from(sys::TLSEXT_NAMETYPE_host_name),
                c"fuzz.test".as_ptr().cast_mut().cast(),
            );
        }
    }
    let piece = [usize::MAX, 1, 7, 64, 512, 1500, 5000, 16389][usize::from(flags >> 5)];
    conn.handshake();
    for chunk in stream.chunks(piece) {
        conn.feed(chunk);
        conn.handshake();
    }
    conn.read_all();
}

/// A server offered a session ticket in a TLS 1.2 (first byte bit 0 clear) or TLS 1.3
/// ClientHello (a PSK identity). The ticket is the rest of the input sealed with the
/// server's ticket keys, so that the fuzzer writes the plaintext the shim and rustls read
/// (bit 1 set: the rest as the ticket, unsealed). Bit 2 gives the connection a session id
/// context. Checked: a sealed ticket opens to what was sealed, and the session the
/// connection ends with encodes to DER that decodes.
pub fn ticket(data: &[u8]) {
    let Some((&flags, rest)) = data.split_first() else {
        return;
    };
    let keys = FixedKeys(TICKET_KEYS);
    let sealed;
    let ticket = if flags & 2 != 0 {
        let _ = tickets::open(&keys, rest);
        rest
    } else {
        let Some(s) = tickets::seal(&keys, rest) else {
            return;
        };
        let (opened, _) =
            tickets::open(&keys, &s).unwrap_or_else(|| panic!("sealed ticket does not open"));
        assert_eq!(opened, rest, "ticket opened to other bytes");
        sealed = s;
        &sealed[..]
    };
    // SAFETY: the server context lives for the whole process.
    let Some(conn) = (unsafe { Conn::new(server_ctx(), true) }) else {
        return;
    };
    if flags & 4 != 0 {
        // SAFETY: conn.ssl is live; the context is 4 readable bytes.
        unsafe { session::SSL_set_session_id_context(conn.ssl, b"fuzz".as_ptr(), 4) };
    }
    conn.feed(&hello_records(
        flags & 1 != 0,
        Some(b"\x00\x03\x02h2"),
        Some(ticket),
    ));
    conn.handshake();
    conn.handshake();
    conn.session_round_trip();
}

/// ALPN wire lists. First byte bit 0 clear: the second byte splits the rest into two
/// lists, set as a context's and a connection's client offer and passed to
/// `SSL_select_next_proto`, and a server (whose callback selects with
/// `SSL_select_next_proto`) reads the ClientHello the client sent. Bit 0 set: the rest is
/// the body of the ALPN extension of a ClientHello the server reads. Checked: the setters
/// accept exactly the well-formed lists (OpenSSL: each entry 1-255 bytes, the empty list
/// clears), and the protocol selected lies within one of the lists.
pub fn alpn(data: &[u8]) {
    let Some((&flags, rest)) = data.split_first() else {
        return;
    };
    if flags & 1 != 0 {
        // SAFETY: the server context lives for the whole process.
        // SAFETY: the server context lives for the whole process.
        let Some(server) = (unsafe { Conn::new(server_ctx(), true) }) else {
            return;
        };
        server.feed(&hello_records(flags & 2 != 0, Some(rest), None));
        server.handshake();
        return;
    }
    let Some((&at, rest)) = rest.split_first() else {
        return;
    };
    let (a, b) = rest.split_at(usize::from(at).min(rest.len()));
    let mut out: *mut u8 = null_mut();
    let mut outlen = 0u8;
    // SAFETY: the lists are readable for their lengths; out and outlen are writable.
    let r = unsafe {
        ctx::SSL_select_next_proto(
            &mut out,
            &mut outlen,
            a.as_ptr(),
            a.len() as c_uint,
            b.as_ptr(),
            b.len() as c_uint,
        )
    };
    if !out.is_null() {
        let chosen = out as usize..out as usize + usize::from(outlen);
        let within = |l: &[u8]| {
            let range = l.as_ptr() as usize..l.as_ptr() as usize + l.len();
            range.start <= chosen.start && chosen.end <= range.end
        };
        assert!(
            within(a) || within(b),
            "selected protocol outside both lists"
        );
        if r == sys::OPENSSL_NPN_NEGOTIATED {
            assert!(within(a), "negotiated protocol not from the server's list");
        }
    }
    static CTX: OnceLock<usize> = OnceLock::new();
    // SAFETY: TLS_client_method is static; the context lives for the whole process.
    let ctx = *CTX.get_or_init(|| unsafe { ctx::SSL_CTX_new(method::TLS_client_method()) } as usize)
        as *mut SSL_CTX;
    // SAFETY: ctx is live or NULL (refused); the lists are readable for their lengths.
    let (ctx_r, conn) = unsafe {
        let r = ctx::SSL_CTX_set_alpn_protos(ctx, a.as_ptr(), a.len() as c_uint);
        (r, Conn::new(ctx, false))
    };
    if !ctx.is_null() {
        assert_eq!(
            ctx_r == 0,
            wire_list_ok(a),
            "SSL_CTX_set_alpn_protos on {a:?}"
        );
    }
    let Some(client) = conn else {
        return;
    };
    // SAFETY: client.ssl is live; b is readable for its length.
    let ssl_r = unsafe { ssl::SSL_set_alpn_protos(client.ssl, b.as_ptr(), b.len() as c_uint) };
    assert_eq!(ssl_r == 0, wire_list_ok(b), "SSL_set_alpn_protos on {b:?}");
    client.handshake();
    let hello = client.take();
    // SAFETY: the server context lives for the whole process.
    let Some(server) = (unsafe { Conn::new(server_ctx(), true) }) else {
        return;
    };
    server.feed(&hello);
    server.handshake();
}

/// `SSL_CONF_cmd` on a fresh context: first byte bit 0 a server context, bit 1 command-line
/// names (else file names), bit 2 on a connection (else the context), bit 3
/// `SSL_CONF_FLAG_SHOW_ERRORS`, bit 4 `SSL_CONF_FLAG_CERTIFICATE`; the rest is
/// NUL-separated name and value pairs. A file-valued command gets a file holding its
/// value, a directory-valued one an empty directory. Then `SSL_CONF_CTX_finish` and a
/// handshake's first step with what was set.
pub fn conf_cmd(data: &[u8]) {
    let Some((&flags, rest)) = data.split_first() else {
        return;
    };
    let server = flags & 1 != 0;
    let Some(dir) = scratch_dir() else {
        return;
    };
    let file = dir.join("value");
    let mut conf_flags = if server {
        sys::SSL_CONF_FLAG_SERVER
    } else {
        sys::SSL_CONF_FLAG_CLIENT
    };
    conf_flags |= if flags & 2 != 0 {
        sys::SSL_CONF_FLAG_CMDLINE
    } else {
        sys::SSL_CONF_FLAG_FILE
    };
    if flags & 8 != 0 {
        conf_flags |= sys::SSL_CONF_FLAG_SHOW_ERRORS;
    }
    if flags & 16 != 0 {
        conf_flags |= sys::SSL_CONF_FLAG_CERTIFICATE;
    }
    let Some(ctx) = OwnedCtx::new(server) else {
        return;
    };
    // SAFETY: ctx is live and dropped after conn.
    let Some(conn) = (unsafe { Conn::new(ctx.0, server) }) else {
        return;
    };
    let cctx = conf::SSL_CONF_CTX_new();
    // SAFETY: cctx, ctx and conn.ssl are live until the end of this function.
    unsafe {
        conf::SSL_CONF_CTX_set_flags(cctx, conf_flags as c_uint);
        if flags & 4 != 0 {
            conf::SSL_CONF_CTX_set_ssl(cctx, conn.ssl);
        } else {
            conf::SSL_CONF_CTX_set_ssl_ctx(cctx, ctx.0);
        }
    }
    let mut fields = rest.split(|&b| b == 0);
    while let Some(name) = fields.next() {
        let value = fields.next();
        let Ok(name) = CString::new(name) else {
            continue;
        };
        // SAFETY: cctx is live; name is a C string.
        let ty = unsafe { conf::SSL_CONF_cmd_value_type(cctx, name.as_ptr()) };
        let value = match value {
            None => None,
            Some(v) if ty == sys::SSL_CONF_TYPE_FILE || ty == sys::SSL_CONF_TYPE_STORE => {
                if std::fs::write(&file, v).is_err() {
                    continue;
                }
                path_cstring(&file)
            }
            Some(_) if ty == sys::SSL_CONF_TYPE_DIR => path_cstring(&dir.join("empty")),
            Some(v) => CString::new(v).ok(),
        };
        let value_ptr = value.as_ref().map_or(null(), |v| v.as_ptr());
        // SAFETY: cctx is live; name and value are C strings or NULL.
        unsafe { conf::SSL_CONF_cmd(cctx, name.as_ptr(), value_ptr) };
    }
    // SAFETY: cctx is live and freed once here.
    unsafe {
        conf::SSL_CONF_CTX_finish(cctx);
        conf::SSL_CONF_CTX_free(cctx);
    }
    let _ = std::fs::remove_file(&file);
    conn.handshake();
    drop(conn);
    drop(ctx);
    clear_errors();
}

/// Certificate and key loading into a fresh server context, then a ClientHello answered
/// with what was loaded. First byte: the loader (below), second byte bit 0-1 the key type
/// for the DER loaders, bit 2 DER files (else PEM); then a 2-byte length splits the rest
/// into the certificate part and the key part.
///
/// Loaders: 0 `SSL_CTX_use_certificate_ASN1` and `SSL_CTX_use_PrivateKey_ASN1`; 1 both
/// parts as one file to `SSL_CTX_use_certificate_chain_file` and
/// `SSL_CTX_use_PrivateKey_file`; 2 `SSL_CTX_use_certificate_file` and
/// `SSL_CTX_use_PrivateKey_file` on a file each; 3 the certificate from DER and
/// `SSL_CTX_use_RSAPrivateKey_ASN1`; 4 the connection's `SSL_use_certificate_ASN1` and
/// `SSL_use_PrivateKey_ASN1`; 5 `SSL_use_certificate_chain_file` on both parts.
pub fn cert_load(data: &[u8]) {
    let [mode, kind, hi, lo, rest @ ..] = data else {
        return;
    };
    let split = (usize::from(*hi) << 8 | usize::from(*lo)).min(rest.len());
    let (cert_part, key_part) = rest.split_at(split);
    let ty = [
        sys::EVP_PKEY_EC,
        sys::EVP_PKEY_RSA,
        sys::EVP_PKEY_ED25519,
        sys::EVP_PKEY_EC,
    ][usize::from(kind & 3)];
    let filetype = if kind & 4 != 0 {
        sys::SSL_FILETYPE_ASN1
    } else {
        sys::SSL_FILETYPE_PEM
    };
    let Some(dir) = scratch_dir() else {
        return;
    };
    let (cert_file, key_file) = (dir.join("cert"), dir.join("key"));
    let Some(ctx) = OwnedCtx::new(true) else {
        return;
    };
    // SAFETY: ctx is live and dropped after conn.
    let Some(conn) = (unsafe { Conn::new(ctx.0, true) }) else {
        return;
    };
    let written = |path: &PathBuf, parts: &[&[u8]]| {
        std::fs::write(path, parts.concat())
            .ok()
            .and_then(|()| path_cstring(path))
    };
    let (c, k) = (cert_part, key_part);
    // SAFETY: ctx and conn.ssl are live; every buffer is readable for the length passed
    // and every path a C string.
    unsafe {
        match mode % 6 {
            0 => {
                cert::SSL_CTX_use_certificate_ASN1(ctx.0, len_int(c), c.as_ptr());
                cert::SSL_CTX_use_PrivateKey_ASN1(ty, ctx.0, k.as_ptr(), len_long(k));
            }
            1 => {
                if let Some(path) = written(&cert_file, &[c, k]) {
                    cert::SSL_CTX_use_certificate_chain_file(ctx.0, path.as_ptr());
                    cert::SSL_CTX_use_PrivateKey_file(ctx.0, path.as_ptr(), sys::SSL_FILETYPE_PEM);
                }
            }
            2 => {
                if let (Some(cp), Some(kp)) = (written(&cert_file, &[c]), written(&key_file, &[k]))
                {
                    cert::SSL_CTX_use_certificate_file(ctx.0, cp.as_ptr(), filetype);
                    cert::SSL_CTX_use_PrivateKey_file(ctx.0, kp.as_ptr(), filetype);
                }
            }
            3 => {
                cert::SSL_CTX_use_certificate_ASN1(ctx.0, len_int(c), c.as_ptr());
                cert::SSL_CTX_use_RSAPrivateKey_ASN1(ctx.0, k.as_ptr(), len_long(k));
            }
            4 => {
                cert::SSL_use_certificate_ASN1(conn.ssl, c.as_ptr(), len_int(c));
                cert::SSL_use_PrivateKey_ASN1(ty, conn.ssl, k.as_ptr(), len_long(k));
            }
            _ => {
                if let Some(path) = written(&cert_file, &[c, k]) {
                    cert::SSL_use_certificate_chain_file(conn.ssl, path.as_ptr());
                }
            }
        }
        cert::SSL_CTX_check_private_key(ctx.0);
    }
    let _ = std::fs::remove_file(&cert_file);
    let _ = std::fs::remove_file(&key_file);
    conn.feed(&hello_records(kind & 8 != 0, None, None));
    conn.handshake();
    drop(conn);
    drop(ctx);
    clear_errors();
}

/// The shared server context: the committed certificate and key, fixed ticket keys, no
/// session cache (so runs do not accumulate sessions), and an ALPN callback that
/// selects with `SSL_select_next_proto`.
fn server_ctx() -> *mut SSL_CTX {
    static CTX: OnceLock<usize> = OnceLock::new();
    // SAFETY: the context is made and configured once and lives for the whole process;
    // the certificate, key and ticket keys are readable for the lengths passed.
    *CTX.get_or_init(|| unsafe {
        let ctx = ctx::SSL_CTX_new(method::TLS_server_method());
        if ctx.is_null() {
            return 0;
        }
        let ok =
            cert::SSL_CTX_use_certificate_ASN1(ctx, len_int(SERVER_CERT), SERVER_CERT.as_ptr())
                == 1
                && cert::SSL_CTX_use_PrivateKey_ASN1(
                    sys::EVP_PKEY_EC,
                    ctx,
                    SERVER_KEY.as_ptr(),
                    len_long(SERVER_KEY),
                ) == 1;
        assert!(ok, "the fuzzing server's certificate or key did not load");
        let mut keys = TICKET_KEYS;
        ctrl::SSL_CTX_ctrl(
            ctx,
            sys::SSL_CTRL_SET_TLSEXT_TICKET_KEYS,
            80,
            keys.as_mut_ptr().cast(),
        );
        ctrl::SSL_CTX_ctrl(ctx, sys::SSL_CTRL_SET_SESS_CACHE_MODE, 0, null_mut());
        callbacks::SSL_CTX_set_alpn_select_cb(ctx, Some(select_alpn), null_mut());
        ctx as usize
    }) as *mut SSL_CTX
}

/// The server's ALPN callback: `SSL_select_next_proto` between [`SERVER_ALPN`] and the
/// client's list.
///
/// # Safety
/// Called by the library with the client's list (`client`, `client_len` bytes) and
/// writable `out`/`outlen`, as `SSL_CTX_set_alpn_select_cb` documents.
unsafe extern "C" fn select_alpn(
    _ssl: *mut SSL,
    out: *mut *const u8,
    outlen: *mut u8,
    client: *const u8,
    client_len: c_uint,
    _arg: *mut c_void,
) -> c_int {
    let mut chosen: *mut u8 = null_mut();
    let mut len = 0u8;
    // SAFETY: the shim passes the client's list with its length; the rest is local.
    let r = unsafe {
        ctx::SSL_select_next_proto(
            &mut chosen,
            &mut len,
            SERVER_ALPN.as_ptr(),
            SERVER_ALPN.len() as c_uint,
            client,
            client_len,
        )
    };
    if r != sys::OPENSSL_NPN_NEGOTIATED {
        return sys::SSL_TLSEXT_ERR_NOACK;
    }
    // SAFETY: out and outlen are writable per the callback's contract.
    unsafe {
        *out = chosen;
        *outlen = len;
    }
    sys::SSL_TLSEXT_ERR_OK
}

/// OpenSSL's rule for the ALPN setters: the empty list, or entries of 1-255 bytes that
/// fill it exactly.
fn wire_list_ok(mut list: &[u8]) -> bool {
    while let Some((&len, rest)) = list.split_first() {
        if len == 0 || rest.len() < usize::from(len) {
            return false;
        }
        list = &rest[usize::from(len)..];
    }
    true
}

/// A context of this function's own, freed on drop.
struct OwnedCtx(*mut SSL_CTX);

impl OwnedCtx {
    fn new(server: bool) -> Option<Self> {
        let method = if server {
            method::TLS_server_method()
        } else {
            method::TLS_client_method()
        };
        // SAFETY: the method is static.
        let ctx = unsafe { ctx::SSL_CTX_new(method) };
        (!ctx.is_null()).then_some(Self(ctx))
    }
}

impl Drop for OwnedCtx {
    fn drop(&mut self) {
        // SAFETY: self.0 came from SSL_CTX_new and is freed once.
        unsafe { ctx::SSL_CTX_free(self.0) };
    }
}

/// A connection over two memory BIOs, freed on drop.
struct Conn {
    ssl: *mut SSL,
    rbio: *mut sys::BIO,
    wbio: *mut sys::BIO,
}

impl Conn {
    /// # Safety
    /// `ctx` is NULL or a live context that outlives the connection.
    unsafe fn new(ctx: *mut SSL_CTX, server: bool) -> Option<Self> {
        if ctx.is_null() {
            return None;
        }
        // SAFETY: ctx is live; the BIOs are new and handed to the connection, which frees
        // them with itself.
        unsafe {
            let ssl = ssl::SSL_new(ctx);
            if ssl.is_null() {
                return None;
            }
            let rbio = sys::BIO_new(sys::BIO_s_mem());
            let wbio = sys::BIO_new(sys::BIO_s_mem());
            if rbio.is_null() || wbio.is_null() {
                sys::BIO_free(rbio);
                sys::BIO_free(wbio);
                ssl::SSL_free(ssl);
                return None;
            }
            ssl::SSL_set_bio(ssl, rbio, wbio);
            if server {
                ssl::SSL_set_accept_state(ssl);
            } else {
                ssl::SSL_set_connect_state(ssl);
            }
            Some(Self { ssl, rbio, wbio })
        }
    }

    /// The peer's bytes, for the connection to read.
    fn feed(&self, bytes: &[u8]) {
        for chunk in bytes.chunks(1 << 20) {
            // SAFETY: rbio is owned by the live connection; chunk is readable.
            unsafe { sys::BIO_write(self.rbio, chunk.as_ptr().cast(), len_int(chunk)) };
        }
    }

    /// Handshake steps until the connection waits for input or stops; clears what it
    /// sent and the error queue.
    fn handshake(&self) {
        for _ in 0..8 {
            // SAFETY: ssl is live.
            let r = unsafe { io::SSL_do_handshake(self.ssl) };
            let sent = self.take();
            if r == 1 || sent.is_empty() {
                break;
            }
        }
        clear_errors();
    }

    /// Reads application data until the connection has none.
    fn read_all(&self) {
        let mut buf = [0u8; 4096];
        for _ in 0..64 {
            // SAFETY: ssl is live; buf is writable for its length.
            let r = unsafe { io::SSL_read(self.ssl, buf.as_mut_ptr().cast(), len_int(&buf)) };
            self.take();
            if r <= 0 {
                break;
            }
        }
        clear_errors();
    }

    /// What the connection sent, taken out of its write BIO.
    fn take(&self) -> Vec<u8> {
        let mut out = Vec::new();
        let mut buf = [0u8; 4096];
        loop {
            // SAFETY: wbio is owned by the live connection; buf is writable.
            let n = unsafe { sys::BIO_read(self.wbio, buf.as_mut_ptr().cast(), len_int(&buf)) };
            let Ok(n @ 1..) = usize::try_from(n) else {
                break;
            };
            out.extend_from_slice(&buf[..n]);
        }
        out
    }

    /// The connection's session (if any), encoded with `i2d_SSL_SESSION`, decodes with
    /// `d2i_SSL_SESSION`, and what that gives encodes the same each time from then on (not
    /// necessarily as the first time: a time of 0 is left out and decodes as now, as in
    /// OpenSSL).
    fn session_round_trip(&self) {
        // SAFETY: ssl is live; each session reference is freed once.
        unsafe {
            let s = session::SSL_get1_session(self.ssl);
            if s.is_null() {
                return;
            }
            let mut der = encode(s);
            session::SSL_SESSION_free(s);
            for round in 0..2 {
                let Some(bytes) = der else {
                    return;
                };
                let again = decode(&bytes);
                assert!(!again.is_null(), "the session's DER does not decode");
                der = encode(again);
                session::SSL_SESSION_free(again);
                if round == 1 {
                    assert_eq!(
                        der.as_deref(),
                        Some(&bytes[..]),
                        "the session re-encodes differently"
                    );
                }
            }
        }
        clear_errors();
    }
}

impl Drop for Conn {
    fn drop(&mut self) {
        // SAFETY: ssl came from SSL_new and is freed once (with its BIOs).
        unsafe { ssl::SSL_free(self.ssl) };
    }
}

/// `i2d_SSL_SESSION` into a buffer of the size it asks for.
///
/// # Safety
/// `s` is a live session.
unsafe fn encode(s: *mut session::SSL_SESSION) -> Option<Vec<u8>> {
    // SAFETY: s is live; the buffer has the length the first call reported.
    unsafe {
        let n = usize::try_from(session::i2d_SSL_SESSION(s, null_mut()))
            .ok()
            .filter(|&n| n > 0)?;
        let mut der = vec![0u8; n];
        let mut p = der.as_mut_ptr();
        let m = session::i2d_SSL_SESSION(s, &mut p);
        (usize::try_from(m).ok() == Some(n)).then_some(der)
    }
}

/// `d2i_SSL_SESSION` of all of `der` (NULL if it does not decode).
fn decode(der: &[u8]) -> *mut session::SSL_SESSION {
    let mut p = der.as_ptr();
    // SAFETY: p points at der's bytes, readable for their length.
    unsafe { session::d2i_SSL_SESSION(null_mut(), &mut p, len_long(der)) }
}

/// A directory of this process's own for the files the loaders read.
fn scratch_dir() -> Option<PathBuf> {
    static DIR: OnceLock<Option<PathBuf>> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("rustls-libssl-fuzz-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("empty")).ok()?;
        Some(dir)
    })
    .clone()
}

fn path_cstring(path: &std::path::Path) -> Option<CString> {
    use std::os::unix::ffi::OsStrExt;
    CString::new(path.as_os_str().as_bytes()).ok()
}

fn len_int(b: &[u8]) -> c_int {
    c_int::try_from(b.len()).unwrap_or(c_int::MAX)
}

fn len_long(b: &[u8]) -> c_long {
    c_long::try_from(b.len()).unwrap_or(c_long::MAX)
}

fn clear_errors() {
    // SAFETY: clears this thread's error queue.
    unsafe { sys::ERR_clear_error() };
}
