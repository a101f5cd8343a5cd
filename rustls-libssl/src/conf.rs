//! The `SSL_CONF` command table (nginx `ssl_conf_command`, `openssl.cnf` sections):
//! commands by their file name (`Ciphersuites`) or command-line name (`-ciphersuites`),
//! applied to a context's settings.

use crate::context::Settings;
use crate::crypto_sys as sys;
use crate::error::{Error, Result};
use crate::groups;
use crate::versions;

/// What a command's value is (`SSL_CONF_cmd_value_type`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ValueType {
    String,
}

/// One command of the table.
pub(crate) struct Command {
    pub file_name: &'static str,
    pub cmdline_name: &'static str,
    pub value: ValueType,
    apply: fn(&mut Settings, &str) -> Result<()>,
}

/// The commands this library implements.
pub(crate) static COMMANDS: &[Command] = &[
    Command {
        file_name: "CipherString",
        cmdline_name: "cipher",
        value: ValueType::String,
        apply: cipher_string,
    },
    Command {
        file_name: "Ciphersuites",
        cmdline_name: "ciphersuites",
        value: ValueType::String,
        apply: ciphersuites,
    },
    Command {
        file_name: "Groups",
        cmdline_name: "groups",
        value: ValueType::String,
        apply: group_list,
    },
    Command {
        file_name: "Curves",
        cmdline_name: "curves",
        value: ValueType::String,
        apply: group_list,
    },
    Command {
        file_name: "MinProtocol",
        cmdline_name: "min_protocol",
        value: ValueType::String,
        apply: min_protocol,
    },
    Command {
        file_name: "MaxProtocol",
        cmdline_name: "max_protocol",
        value: ValueType::String,
        apply: max_protocol,
    },
    Command {
        file_name: "Protocol",
        cmdline_name: "protocol",
        value: ValueType::String,
        apply: protocol,
    },
    Command {
        file_name: "Options",
        cmdline_name: "options",
        value: ValueType::String,
        apply: options,
    },
    Command {
        file_name: "SignatureAlgorithms",
        cmdline_name: "sigalgs",
        value: ValueType::String,
        apply: sigalgs,
    },
];

/// Finds a command by name: file names are case-insensitive, command-line names start
/// with `-` and need `SSL_CONF_FLAG_CMDLINE`.
pub(crate) fn find(name: &str, cmdline: bool) -> Option<&'static Command> {
    if cmdline {
        let name = name.strip_prefix('-')?;
        COMMANDS.iter().find(|c| c.cmdline_name == name)
    } else {
        COMMANDS
            .iter()
            .find(|c| c.file_name.eq_ignore_ascii_case(name))
    }
}

impl Command {
    /// Applies the command to `settings`.
    pub(crate) fn apply(&self, settings: &mut Settings, value: &str) -> Result<()> {
        (self.apply)(settings, value)
    }
}

fn cipher_string(s: &mut Settings, v: &str) -> Result<()> {
    s.set_cipher_list(v.as_bytes())
}

fn ciphersuites(s: &mut Settings, v: &str) -> Result<()> {
    s.set_ciphersuites(v.as_bytes())
}

fn group_list(s: &mut Settings, v: &str) -> Result<()> {
    s.groups = groups::parse(v)?;
    Ok(())
}

/// OpenSSL's protocol names: `None` (no bound), `SSLv3` .. `TLSv1.3`.
fn protocol_version(v: &str) -> Result<u16> {
    match v {
        "None" => Ok(0),
        "SSLv3" => Ok(0x0300),
        "TLSv1" => Ok(0x0301),
        "TLSv1.1" => Ok(0x0302),
        "TLSv1.2" => Ok(versions::TLS1_2),
        "TLSv1.3" => Ok(versions::TLS1_3),
        _ => Err(Error::Reason(sys::SSL_R_BAD_VALUE)),
    }
}

fn min_protocol(s: &mut Settings, v: &str) -> Result<()> {
    s.versions.min = protocol_version(v)?;
    Ok(())
}

fn max_protocol(s: &mut Settings, v: &str) -> Result<()> {
    s.versions.max = protocol_version(v)?;
    Ok(())
}

/// `Protocol`: `ALL`, `-TLSv1.1`, `TLSv1.2`... each setting or clearing an `SSL_OP_NO_*`.
fn protocol(s: &mut Settings, v: &str) -> Result<()> {
    for word in v.split([',', ' ']).filter(|w| !w.is_empty()) {
        let (enable, name) = match word.as_bytes()[0] {
            b'-' => (false, &word[1..]),
            b'+' => (true, &word[1..]),
            _ => (true, word),
        };
        let bits = match name {
            "ALL" => {
                sys::SSL_OP_NO_SSLv3
                    | sys::SSL_OP_NO_TLSv1
                    | sys::SSL_OP_NO_TLSv1_1
                    | sys::SSL_OP_NO_TLSv1_2
                    | sys::SSL_OP_NO_TLSv1_3
            }
            "SSLv2" => 0,
            "SSLv3" => sys::SSL_OP_NO_SSLv3,
            "TLSv1" => sys::SSL_OP_NO_TLSv1,
            "TLSv1.1" => sys::SSL_OP_NO_TLSv1_1,
            "TLSv1.2" => sys::SSL_OP_NO_TLSv1_2,
            "TLSv1.3" => sys::SSL_OP_NO_TLSv1_3,
            _ => return Err(Error::Reason(sys::SSL_R_BAD_VALUE)),
        };
        if enable {
            s.options &= !bits;
        } else {
            s.options |= bits;
        }
    }
    Ok(())
}

/// `Options`: option names, each negated with `-` (`SessionTicket` is itself the negation
/// of `SSL_OP_NO_TICKET`, as in OpenSSL).
fn options(s: &mut Settings, v: &str) -> Result<()> {
    for word in v.split([',', ' ']).filter(|w| !w.is_empty()) {
        let (on, name) = match word.as_bytes()[0] {
            b'-' => (false, &word[1..]),
            b'+' => (true, &word[1..]),
            _ => (true, word),
        };
        let (bits, inverted) = match name {
            "SessionTicket" => (sys::SSL_OP_NO_TICKET, true),
            "Compression" => (sys::SSL_OP_NO_COMPRESSION, true),
            "EmptyFragments" => (sys::SSL_OP_DONT_INSERT_EMPTY_FRAGMENTS, true),
            "Bugs" => (
                sys::SSL_OP_CRYPTOPRO_TLSEXT_BUG
                    | sys::SSL_OP_DONT_INSERT_EMPTY_FRAGMENTS
                    | sys::SSL_OP_TLSEXT_PADDING
                    | sys::SSL_OP_SAFARI_ECDHE_ECDSA_BUG,
                false,
            ),
            "DHSingle" | "ECDHSingle" => (0, false),
            "ServerPreference" => (sys::SSL_OP_CIPHER_SERVER_PREFERENCE, false),
            "NoResumptionOnRenegotiation" => {
                (sys::SSL_OP_NO_SESSION_RESUMPTION_ON_RENEGOTIATION, false)
            }
            "NoRenegotiation" => (sys::SSL_OP_NO_RENEGOTIATION, false),
            "UnsafeLegacyRenegotiation" => (sys::SSL_OP_ALLOW_UNSAFE_LEGACY_RENEGOTIATION, false),
            "UnsafeLegacyServerConnect" => (sys::SSL_OP_LEGACY_SERVER_CONNECT, false),
            "EncryptThenMac" => (sys::SSL_OP_NO_ENCRYPT_THEN_MAC, true),
            "AllowNoDHEKEX" => (sys::SSL_OP_ALLOW_NO_DHE_KEX, false),
            "PrioritizeChaCha" => (sys::SSL_OP_PRIORITIZE_CHACHA, false),
            "MiddleboxCompat" => (sys::SSL_OP_ENABLE_MIDDLEBOX_COMPAT, false),
            "AntiReplay" => (sys::SSL_OP_NO_ANTI_REPLAY, true),
            "ExtendedMasterSecret" => (sys::SSL_OP_NO_EXTENDED_MASTER_SECRET, true),
            "IgnoreUnexpectedEOF" => (sys::SSL_OP_IGNORE_UNEXPECTED_EOF, false),
            "AllowClientRenegotiation" => (sys::SSL_OP_ALLOW_CLIENT_RENEGOTIATION, false),
            "KTLS" => (sys::SSL_OP_ENABLE_KTLS, false),
            _ => return Err(Error::Reason(sys::SSL_R_BAD_VALUE)),
        };
        if on != inverted {
            s.options |= bits;
        } else {
            s.options &= !bits;
        }
    }
    Ok(())
}

/// `SignatureAlgorithms`: `ECDSA+SHA256:rsa_pss_rsae_sha256:...`; restricts the schemes a
/// server signs with.
fn sigalgs(s: &mut Settings, v: &str) -> Result<()> {
    use rustls::SignatureScheme as S;
    let mut out = Vec::new();
    for name in v.split(':').filter(|n| !n.is_empty()) {
        let scheme = match name {
            "ECDSA+SHA256" | "ecdsa_secp256r1_sha256" => S::ECDSA_NISTP256_SHA256,
            "ECDSA+SHA384" | "ecdsa_secp384r1_sha384" => S::ECDSA_NISTP384_SHA384,
            "ECDSA+SHA512" | "ecdsa_secp521r1_sha512" => S::ECDSA_NISTP521_SHA512,
            "RSA-PSS+SHA256" | "rsa_pss_rsae_sha256" => S::RSA_PSS_SHA256,
            "RSA-PSS+SHA384" | "rsa_pss_rsae_sha384" => S::RSA_PSS_SHA384,
            "RSA-PSS+SHA512" | "rsa_pss_rsae_sha512" => S::RSA_PSS_SHA512,
            "RSA+SHA256" | "rsa_pkcs1_sha256" => S::RSA_PKCS1_SHA256,
            "RSA+SHA384" | "rsa_pkcs1_sha384" => S::RSA_PKCS1_SHA384,
            "RSA+SHA512" | "rsa_pkcs1_sha512" => S::RSA_PKCS1_SHA512,
            "ed25519" => S::ED25519,
            "ed448" => S::ED448,
            // Known to OpenSSL, not offered by rustls (SHA-1, PSS with PSS keys): accepted.
            "RSA+SHA1" | "ECDSA+SHA1" | "rsa_pss_pss_sha256" | "rsa_pss_pss_sha384"
            | "rsa_pss_pss_sha512" | "RSA+SHA224" | "ECDSA+SHA224" => continue,
            _ => return Err(Error::Reason(sys::SSL_R_BAD_VALUE)),
        };
        out.push(scheme);
    }
    s.sigalgs = Some(out);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands() {
        let mut s = Settings::default();
        let run = |s: &mut Settings, name: &str, v: &str| {
            find(name, false).map(|c| c.apply(s, v).is_ok())
        };
        assert_eq!(
            run(&mut s, "Ciphersuites", "TLS_CHACHA20_POLY1305_SHA256"),
            Some(true)
        );
        assert_eq!(s.tls13_ciphers.names(), "TLS_CHACHA20_POLY1305_SHA256");
        assert_eq!(run(&mut s, "minprotocol", "TLSv1.3"), Some(true));
        assert_eq!(s.versions.min, versions::TLS1_3);
        assert_eq!(run(&mut s, "MaxProtocol", "TLSv9"), Some(false));
        assert_eq!(
            run(&mut s, "Options", "-SessionTicket,ServerPreference"),
            Some(true)
        );
        assert_ne!(s.options & sys::SSL_OP_NO_TICKET, 0);
        assert_ne!(s.options & sys::SSL_OP_CIPHER_SERVER_PREFERENCE, 0);
        assert_eq!(run(&mut s, "Options", "SessionTicket"), Some(true));
        assert_eq!(s.options & sys::SSL_OP_NO_TICKET, 0);
        assert_eq!(run(&mut s, "Groups", "X25519MLKEM768:X25519"), Some(true));
        assert_eq!(
            run(&mut s, "SignatureAlgorithms", "ECDSA+SHA256:RSA-PSS+SHA256"),
            Some(true)
        );
        assert_eq!(run(&mut s, "Protocol", "-TLSv1.2"), Some(true));
        assert_ne!(s.options & sys::SSL_OP_NO_TLSv1_2, 0);
        assert_eq!(run(&mut s, "NoSuchCommand", "x"), None);
        assert!(find("-ciphersuites", true).is_some());
        assert!(find("-ciphersuites", false).is_none());
    }
}
