//! The `SSL_CONF` command table (nginx `ssl_conf_command`, `openssl.cnf` sections, `-cipher`
//! style command lines), as OpenSSL 3.0 has it: each command's file name (case-insensitive)
//! and command-line name, which configuration contexts may use it (server, client,
//! certificate), what its value is, and what it does. The ABI layer carries the actions
//! out with the same functions an application would call.

use crate::cert_compression;
use crate::crypto_sys as sys;

/// What a command's value is (`SSL_CONF_TYPE_*`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ValueType {
    /// A switch on the command line: no value.
    None,
    String,
    File,
    Dir,
    Store,
}

impl ValueType {
    /// `SSL_CONF_cmd_value_type`'s number.
    pub(crate) fn code(self) -> i32 {
        match self {
            Self::None => sys::SSL_CONF_TYPE_NONE,
            Self::String => sys::SSL_CONF_TYPE_STRING,
            Self::File => sys::SSL_CONF_TYPE_FILE,
            Self::Dir => sys::SSL_CONF_TYPE_DIR,
            Self::Store => sys::SSL_CONF_TYPE_STORE,
        }
    }
}

/// Where a store command loads certificates from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Source {
    File,
    Dir,
    Store,
}

/// What a command does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Action {
    /// A command-line switch setting (or, `invert`, clearing) option bits; `cert` for the
    /// certificate flags instead of the options.
    Switch {
        bits: u64,
        invert: bool,
        cert: bool,
    },
    SignatureAlgorithms,
    ClientSignatureAlgorithms,
    Groups,
    EcdhParameters,
    CipherString,
    Ciphersuites,
    Protocol,
    MinProtocol,
    MaxProtocol,
    Options,
    VerifyMode,
    Certificate,
    PrivateKey,
    ServerInfoFile,
    ChainCa(Source),
    VerifyCa(Source),
    RequestCa(Source),
    DhParameters,
    RecordPadding,
    NumTickets,
}

/// One command of the table.
pub(crate) struct Command {
    pub file_name: Option<&'static str>,
    pub cmdline_name: Option<&'static str>,
    /// `SSL_CONF_FLAG_SERVER`/`CLIENT`/`CERTIFICATE`: contexts allowed to use it.
    pub flags: u32,
    pub value: ValueType,
    pub action: Action,
}

const SERVER: u32 = sys::SSL_CONF_FLAG_SERVER as u32;
const CLIENT: u32 = sys::SSL_CONF_FLAG_CLIENT as u32;
const CERT: u32 = sys::SSL_CONF_FLAG_CERTIFICATE as u32;
const CMDLINE: u32 = sys::SSL_CONF_FLAG_CMDLINE as u32;
const FILE: u32 = sys::SSL_CONF_FLAG_FILE as u32;

const fn switch(name: &'static str, flags: u32, bits: u64, invert: bool) -> Command {
    Command {
        file_name: None,
        cmdline_name: Some(name),
        flags,
        value: ValueType::None,
        action: Action::Switch {
            bits,
            invert,
            cert: false,
        },
    }
}

const fn cmd(
    file: &'static str,
    cmdline: Option<&'static str>,
    flags: u32,
    value: ValueType,
    action: Action,
) -> Command {
    Command {
        file_name: Some(file),
        cmdline_name: cmdline,
        flags,
        value,
        action,
    }
}

/// OpenSSL 3.0's commands, in its order.
pub(crate) static COMMANDS: &[Command] = &[
    switch("no_ssl3", 0, sys::SSL_OP_NO_SSLv3, false),
    switch("no_tls1", 0, sys::SSL_OP_NO_TLSv1, false),
    switch("no_tls1_1", 0, sys::SSL_OP_NO_TLSv1_1, false),
    switch("no_tls1_2", 0, sys::SSL_OP_NO_TLSv1_2, false),
    switch("no_tls1_3", 0, sys::SSL_OP_NO_TLSv1_3, false),
    switch("bugs", 0, sys::SSL_OP_ALL, false),
    switch("no_comp", 0, sys::SSL_OP_NO_COMPRESSION, false),
    switch("comp", 0, sys::SSL_OP_NO_COMPRESSION, true),
    // OpenSSL 3.2's certificate compression switches (crate::cert_compression).
    switch("no_tx_cert_comp", 0, cert_compression::NO_TX, false),
    switch("tx_cert_comp", 0, cert_compression::NO_TX, true),
    switch("no_rx_cert_comp", 0, cert_compression::NO_RX, false),
    switch("rx_cert_comp", 0, cert_compression::NO_RX, true),
    switch(
        "ecdh_single",
        SERVER,
        sys::SSL_OP_SINGLE_ECDH_USE as u64,
        false,
    ),
    switch("no_ticket", 0, sys::SSL_OP_NO_TICKET, false),
    switch(
        "serverpref",
        SERVER,
        sys::SSL_OP_CIPHER_SERVER_PREFERENCE,
        false,
    ),
    switch(
        "legacy_renegotiation",
        0,
        sys::SSL_OP_ALLOW_UNSAFE_LEGACY_RENEGOTIATION,
        false,
    ),
    switch(
        "client_renegotiation",
        SERVER,
        sys::SSL_OP_ALLOW_CLIENT_RENEGOTIATION,
        false,
    ),
    switch(
        "legacy_server_connect",
        CLIENT,
        sys::SSL_OP_LEGACY_SERVER_CONNECT,
        false,
    ),
    switch("no_renegotiation", 0, sys::SSL_OP_NO_RENEGOTIATION, false),
    switch(
        "no_resumption_on_reneg",
        SERVER,
        sys::SSL_OP_NO_SESSION_RESUMPTION_ON_RENEGOTIATION,
        false,
    ),
    switch(
        "no_legacy_server_connect",
        CLIENT,
        sys::SSL_OP_LEGACY_SERVER_CONNECT,
        true,
    ),
    switch("allow_no_dhe_kex", 0, sys::SSL_OP_ALLOW_NO_DHE_KEX, false),
    switch(
        "prioritize_chacha",
        SERVER,
        sys::SSL_OP_PRIORITIZE_CHACHA,
        false,
    ),
    Command {
        file_name: None,
        cmdline_name: Some("strict"),
        flags: 0,
        value: ValueType::None,
        action: Action::Switch {
            bits: sys::SSL_CERT_FLAG_TLS_STRICT as u64,
            invert: false,
            cert: true,
        },
    },
    switch("no_middlebox", 0, sys::SSL_OP_ENABLE_MIDDLEBOX_COMPAT, true),
    switch("anti_replay", SERVER, sys::SSL_OP_NO_ANTI_REPLAY, true),
    switch("no_anti_replay", SERVER, sys::SSL_OP_NO_ANTI_REPLAY, false),
    switch("no_etm", 0, sys::SSL_OP_NO_ENCRYPT_THEN_MAC, false),
    cmd(
        "SignatureAlgorithms",
        Some("sigalgs"),
        0,
        ValueType::String,
        Action::SignatureAlgorithms,
    ),
    cmd(
        "ClientSignatureAlgorithms",
        Some("client_sigalgs"),
        0,
        ValueType::String,
        Action::ClientSignatureAlgorithms,
    ),
    cmd(
        "Curves",
        Some("curves"),
        0,
        ValueType::String,
        Action::Groups,
    ),
    cmd(
        "Groups",
        Some("groups"),
        0,
        ValueType::String,
        Action::Groups,
    ),
    cmd(
        "ECDHParameters",
        Some("named_curve"),
        SERVER,
        ValueType::String,
        Action::EcdhParameters,
    ),
    cmd(
        "CipherString",
        Some("cipher"),
        0,
        ValueType::String,
        Action::CipherString,
    ),
    cmd(
        "Ciphersuites",
        Some("ciphersuites"),
        0,
        ValueType::String,
        Action::Ciphersuites,
    ),
    cmd("Protocol", None, 0, ValueType::String, Action::Protocol),
    cmd(
        "MinProtocol",
        Some("min_protocol"),
        0,
        ValueType::String,
        Action::MinProtocol,
    ),
    cmd(
        "MaxProtocol",
        Some("max_protocol"),
        0,
        ValueType::String,
        Action::MaxProtocol,
    ),
    cmd("Options", None, 0, ValueType::String, Action::Options),
    cmd("VerifyMode", None, 0, ValueType::String, Action::VerifyMode),
    cmd(
        "Certificate",
        Some("cert"),
        CERT,
        ValueType::File,
        Action::Certificate,
    ),
    cmd(
        "PrivateKey",
        Some("key"),
        CERT,
        ValueType::File,
        Action::PrivateKey,
    ),
    cmd(
        "ServerInfoFile",
        None,
        SERVER | CERT,
        ValueType::File,
        Action::ServerInfoFile,
    ),
    cmd(
        "ChainCAPath",
        Some("chainCApath"),
        CERT,
        ValueType::Dir,
        Action::ChainCa(Source::Dir),
    ),
    cmd(
        "ChainCAFile",
        Some("chainCAfile"),
        CERT,
        ValueType::File,
        Action::ChainCa(Source::File),
    ),
    cmd(
        "ChainCAStore",
        Some("chainCAstore"),
        CERT,
        ValueType::Store,
        Action::ChainCa(Source::Store),
    ),
    cmd(
        "VerifyCAPath",
        Some("verifyCApath"),
        CERT,
        ValueType::Dir,
        Action::VerifyCa(Source::Dir),
    ),
    cmd(
        "VerifyCAFile",
        Some("verifyCAfile"),
        CERT,
        ValueType::File,
        Action::VerifyCa(Source::File),
    ),
    cmd(
        "VerifyCAStore",
        Some("verifyCAstore"),
        CERT,
        ValueType::Store,
        Action::VerifyCa(Source::Store),
    ),
    cmd(
        "RequestCAFile",
        Some("requestCAFile"),
        CERT,
        ValueType::File,
        Action::RequestCa(Source::File),
    ),
    cmd(
        "ClientCAFile",
        None,
        SERVER | CERT,
        ValueType::File,
        Action::RequestCa(Source::File),
    ),
    cmd(
        "RequestCAPath",
        None,
        CERT,
        ValueType::Dir,
        Action::RequestCa(Source::Dir),
    ),
    cmd(
        "ClientCAPath",
        None,
        SERVER | CERT,
        ValueType::Dir,
        Action::RequestCa(Source::Dir),
    ),
    cmd(
        "RequestCAStore",
        Some("requestCAStore"),
        CERT,
        ValueType::Store,
        Action::RequestCa(Source::Store),
    ),
    cmd(
        "ClientCAStore",
        None,
        SERVER | CERT,
        ValueType::Store,
        Action::RequestCa(Source::Store),
    ),
    cmd(
        "DHParameters",
        Some("dhparam"),
        SERVER | CERT,
        ValueType::File,
        Action::DhParameters,
    ),
    cmd(
        "RecordPadding",
        Some("record_padding"),
        0,
        ValueType::String,
        Action::RecordPadding,
    ),
    cmd(
        "NumTickets",
        Some("num_tickets"),
        SERVER,
        ValueType::String,
        Action::NumTickets,
    ),
];

/// Finds a command as `SSL_CONF_cmd` does: `name` after the prefix has been removed,
/// among the commands the context's flags allow, by command-line name (exact) with
/// `SSL_CONF_FLAG_CMDLINE` and by file name (any case) with `SSL_CONF_FLAG_FILE`.
pub(crate) fn find(name: &str, cctx_flags: u32) -> Option<&'static Command> {
    COMMANDS
        .iter()
        .filter(|c| allowed(c, cctx_flags))
        .find(|c| {
            (cctx_flags & CMDLINE != 0 && c.cmdline_name == Some(name))
                || (cctx_flags & FILE != 0
                    && c.file_name.is_some_and(|f| f.eq_ignore_ascii_case(name)))
        })
}

fn allowed(c: &Command, cctx: u32) -> bool {
    [SERVER, CLIENT, CERT]
        .iter()
        .all(|f| c.flags & f == 0 || cctx & f != 0)
}

/// Strips the command prefix as OpenSSL does: with a prefix set, it must start the name
/// (exactly on the command line, in any case in files) and something must follow; without
/// one, a command-line name starts with `-`. `None`: not a command of this context.
pub(crate) fn strip_prefix<'a>(
    name: &'a str,
    prefix: Option<&str>,
    cctx_flags: u32,
) -> Option<&'a str> {
    match prefix {
        Some(p) => {
            if name.len() <= p.len() {
                return None;
            }
            let (head, rest) = name.split_at_checked(p.len())?;
            let ok = (cctx_flags & CMDLINE == 0 || head == p)
                && (cctx_flags & FILE == 0 || head.eq_ignore_ascii_case(p));
            ok.then_some(rest)
        }
        None if cctx_flags & CMDLINE != 0 => name.strip_prefix('-').filter(|r| !r.is_empty()),
        None => Some(name),
    }
}

/// What one element of a `Protocol`, `Options` or `VerifyMode` list changes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Flag {
    /// `SSL_OP_*` bits set (`on`) or cleared.
    Option(u64, bool),
    /// `SSL_CERT_FLAG_*` bits.
    CertBits(u64, bool),
    /// `SSL_VERIFY_*` bits.
    Verify(i32, bool),
}

/// A named flag of a list: applies to server and/or client contexts; `invert` flips its
/// sense (`SessionTicket` clears `SSL_OP_NO_TICKET`).
struct Named {
    name: &'static str,
    flags: u32,
    invert: bool,
    flag: Flag,
}

const BOTH: u32 = SERVER | CLIENT;

const fn opt(name: &'static str, flags: u32, invert: bool, bits: u64) -> Named {
    Named {
        name,
        flags,
        invert,
        flag: Flag::Option(bits, true),
    }
}

static PROTOCOLS: &[Named] = &[
    opt("ALL", BOTH, true, sys::SSL_OP_NO_SSL_MASK),
    opt("SSLv2", BOTH, true, sys::SSL_OP_NO_SSLv2 as u64),
    opt("SSLv3", BOTH, true, sys::SSL_OP_NO_SSLv3),
    opt("TLSv1", BOTH, true, sys::SSL_OP_NO_TLSv1),
    opt("TLSv1.1", BOTH, true, sys::SSL_OP_NO_TLSv1_1),
    opt("TLSv1.2", BOTH, true, sys::SSL_OP_NO_TLSv1_2),
    opt("TLSv1.3", BOTH, true, sys::SSL_OP_NO_TLSv1_3),
    opt("DTLSv1", BOTH, true, sys::SSL_OP_NO_DTLSv1),
    opt("DTLSv1.2", BOTH, true, sys::SSL_OP_NO_DTLSv1_2),
];

static OPTIONS: &[Named] = &[
    opt("SessionTicket", BOTH, true, sys::SSL_OP_NO_TICKET),
    opt(
        "EmptyFragments",
        BOTH,
        true,
        sys::SSL_OP_DONT_INSERT_EMPTY_FRAGMENTS,
    ),
    opt("Bugs", BOTH, false, sys::SSL_OP_ALL),
    opt("Compression", BOTH, true, sys::SSL_OP_NO_COMPRESSION),
    opt(
        "ServerPreference",
        SERVER,
        false,
        sys::SSL_OP_CIPHER_SERVER_PREFERENCE,
    ),
    opt(
        "NoResumptionOnRenegotiation",
        SERVER,
        false,
        sys::SSL_OP_NO_SESSION_RESUMPTION_ON_RENEGOTIATION,
    ),
    opt("DHSingle", SERVER, false, sys::SSL_OP_SINGLE_DH_USE as u64),
    opt(
        "ECDHSingle",
        SERVER,
        false,
        sys::SSL_OP_SINGLE_ECDH_USE as u64,
    ),
    opt(
        "UnsafeLegacyRenegotiation",
        BOTH,
        false,
        sys::SSL_OP_ALLOW_UNSAFE_LEGACY_RENEGOTIATION,
    ),
    opt(
        "UnsafeLegacyServerConnect",
        BOTH,
        false,
        sys::SSL_OP_LEGACY_SERVER_CONNECT,
    ),
    opt(
        "ClientRenegotiation",
        BOTH,
        false,
        sys::SSL_OP_ALLOW_CLIENT_RENEGOTIATION,
    ),
    opt(
        "EncryptThenMac",
        BOTH,
        true,
        sys::SSL_OP_NO_ENCRYPT_THEN_MAC,
    ),
    opt("NoRenegotiation", BOTH, false, sys::SSL_OP_NO_RENEGOTIATION),
    opt("AllowNoDHEKEX", BOTH, false, sys::SSL_OP_ALLOW_NO_DHE_KEX),
    opt(
        "PrioritizeChaCha",
        BOTH,
        false,
        sys::SSL_OP_PRIORITIZE_CHACHA,
    ),
    opt(
        "MiddleboxCompat",
        BOTH,
        false,
        sys::SSL_OP_ENABLE_MIDDLEBOX_COMPAT,
    ),
    opt("AntiReplay", BOTH, true, sys::SSL_OP_NO_ANTI_REPLAY),
    opt(
        "ExtendedMasterSecret",
        BOTH,
        true,
        sys::SSL_OP_NO_EXTENDED_MASTER_SECRET,
    ),
    opt("CANames", BOTH, true, sys::SSL_OP_DISABLE_TLSEXT_CA_NAMES),
    opt("KTLS", BOTH, false, sys::SSL_OP_ENABLE_KTLS),
    opt(
        "TxCertificateCompression",
        BOTH,
        true,
        cert_compression::NO_TX,
    ),
    opt(
        "RxCertificateCompression",
        BOTH,
        true,
        cert_compression::NO_RX,
    ),
];

const fn vfy(name: &'static str, flags: u32, bits: i32) -> Named {
    Named {
        name,
        flags,
        invert: false,
        flag: Flag::Verify(bits, true),
    }
}

static VERIFY_MODES: &[Named] = &[
    vfy("Peer", CLIENT, sys::SSL_VERIFY_PEER),
    vfy("Request", SERVER, sys::SSL_VERIFY_PEER),
    vfy(
        "Require",
        SERVER,
        sys::SSL_VERIFY_PEER | sys::SSL_VERIFY_FAIL_IF_NO_PEER_CERT,
    ),
    vfy(
        "Once",
        SERVER,
        sys::SSL_VERIFY_PEER | sys::SSL_VERIFY_CLIENT_ONCE,
    ),
    vfy(
        "RequestPostHandshake",
        SERVER,
        sys::SSL_VERIFY_PEER | sys::SSL_VERIFY_POST_HANDSHAKE,
    ),
    vfy(
        "RequirePostHandshake",
        SERVER,
        sys::SSL_VERIFY_PEER
            | sys::SSL_VERIFY_POST_HANDSHAKE
            | sys::SSL_VERIFY_FAIL_IF_NO_PEER_CERT,
    ),
];

/// Parses a `Protocol`, `Options` or `VerifyMode` value for a context with `cctx_flags`:
/// comma-separated names, each optionally `+`/`-` prefixed (blanks around them ignored);
/// `None` if a name is unknown or not for this kind of context (as OpenSSL fails).
pub(crate) fn flag_list(action: Action, value: &str, cctx_flags: u32) -> Option<Vec<Flag>> {
    let table = match action {
        Action::Protocol => PROTOCOLS,
        Action::Options => OPTIONS,
        Action::VerifyMode => VERIFY_MODES,
        _ => return None,
    };
    let mut out = Vec::new();
    for word in value.split(',').map(str::trim) {
        let (on, name) = match word.as_bytes().first() {
            Some(b'+') => (true, &word[1..]),
            Some(b'-') => (false, &word[1..]),
            _ => (true, word),
        };
        let named = table
            .iter()
            .find(|n| cctx_flags & n.flags & BOTH != 0 && n.name.eq_ignore_ascii_case(name))?;
        let on = on != named.invert;
        out.push(match named.flag {
            Flag::Option(bits, _) => Flag::Option(bits, on),
            Flag::CertBits(bits, _) => Flag::CertBits(bits, on),
            Flag::Verify(bits, _) => Flag::Verify(bits, on),
        });
    }
    Some(out)
}

/// OpenSSL's protocol version names (`MinProtocol`/`MaxProtocol`): `None` is 0 (no
/// bound); `Err` for an unknown name.
pub(crate) fn protocol_version(v: &str) -> Option<i64> {
    Some(match v {
        "None" => 0,
        "SSLv3" => 0x0300,
        "TLSv1" => 0x0301,
        "TLSv1.1" => 0x0302,
        "TLSv1.2" => 0x0303,
        "TLSv1.3" => 0x0304,
        "DTLSv1" => 0xfeff,
        "DTLSv1.2" => 0xfefd,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const F: u32 = FILE | SERVER | CERT;

    #[test]
    fn lookup() {
        assert_eq!(
            find("ciphersuites", F).map(|c| c.action),
            Some(Action::Ciphersuites)
        );
        assert_eq!(
            find("Certificate", F).map(|c| c.action),
            Some(Action::Certificate)
        );
        assert!(
            find("Certificate", FILE | SERVER).is_none(),
            "needs CERTIFICATE"
        );
        assert!(find("cipher", F).is_none(), "a command-line name");
        assert!(find("cipher", CMDLINE).is_some());
        assert!(find("NumTickets", FILE | CLIENT).is_none(), "server only");
        assert_eq!(strip_prefix("-cipher", None, CMDLINE), Some("cipher"));
        assert_eq!(strip_prefix("cipher", None, CMDLINE), None);
        assert_eq!(
            strip_prefix("SSLCipherString", Some("SSL"), FILE),
            Some("CipherString")
        );
        assert_eq!(
            strip_prefix("sslCipherString", Some("SSL"), FILE),
            Some("CipherString")
        );
        assert_eq!(strip_prefix("SSL", Some("SSL"), FILE), None);
    }

    #[test]
    fn lists() {
        assert_eq!(
            flag_list(
                Action::Options,
                "-SessionTicket, ServerPreference",
                FILE | SERVER
            ),
            Some(vec![
                Flag::Option(sys::SSL_OP_NO_TICKET, true),
                Flag::Option(sys::SSL_OP_CIPHER_SERVER_PREFERENCE, true)
            ])
        );
        assert_eq!(
            flag_list(Action::Options, "ServerPreference", FILE | CLIENT),
            None
        );
        assert_eq!(
            flag_list(Action::Options, "SessionTicket", FILE),
            None,
            "no role"
        );
        assert_eq!(
            flag_list(Action::Protocol, "-ALL,TLSv1.3", FILE | CLIENT),
            Some(vec![
                Flag::Option(sys::SSL_OP_NO_SSL_MASK, true),
                Flag::Option(sys::SSL_OP_NO_TLSv1_3, false)
            ])
        );
        assert_eq!(
            flag_list(Action::VerifyMode, "Require", FILE | SERVER),
            Some(vec![Flag::Verify(
                sys::SSL_VERIFY_PEER | sys::SSL_VERIFY_FAIL_IF_NO_PEER_CERT,
                true
            )])
        );
        assert_eq!(protocol_version("TLSv1.2"), Some(0x0303));
        assert_eq!(protocol_version("TLSv9"), None);
    }
}
