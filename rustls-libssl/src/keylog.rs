//! The rustls key-log hook: forwards NSS key-log lines to the application's callback
//! (`SSL_CTX_set_keylog_callback`; curl writes them to `SSLKEYLOGFILE`), keeps the secret
//! `SSL_export_keying_material` derives from, and hands the traffic secrets to the
//! handshake's [`crate::observer`].

use std::fmt::Write as _;

use crate::current;
use crate::exporter::{ExportSecret, SecretKind};
use crate::observer::{LoggedSecret, SecretLabel};

/// Shared by every connection of a context; finds the connection through [`current`].
#[derive(Debug)]
pub(crate) struct KeyLogHook;

impl rustls::KeyLog for KeyLogHook {
    fn log(&self, label: &str, client_random: &[u8], secret: &[u8]) {
        let Some(state) = current::current() else {
            return;
        };
        if let (Some(kind), Ok(client_random)) =
            (SecretKind::from_label(label), client_random.try_into())
        {
            *current::lock(&state.export) = ExportSecret::new(kind, client_random, secret);
        }
        if let Some(label) = SecretLabel::from_label(label) {
            current::lock(&state.secrets).push(LoggedSecret {
                label,
                secret: secret.to_vec(),
            });
        }
        if state.events.wants_keylog() {
            state.events.keylog(&line(label, client_random, secret));
        }
    }

    /// The exporter's secret is always taken (`SSL_export_keying_material`), and the
    /// traffic secrets the handshake's observer opens records with; the others only for the
    /// application's key-log callback.
    fn will_log(&self, label: &str) -> bool {
        SecretKind::from_label(label).is_some()
            || SecretLabel::from_label(label).is_some()
            || current::current().is_some_and(|s| s.events.wants_keylog())
    }
}

/// `LABEL <client random hex> <secret hex>`.
pub(crate) fn line(label: &str, client_random: &[u8], secret: &[u8]) -> String {
    let mut out = String::with_capacity(label.len() + 2 + 2 * (client_random.len() + secret.len()));
    out.push_str(label);
    out.push(' ');
    for b in client_random {
        let _ = write!(out, "{b:02x}");
    }
    out.push(' ');
    for b in secret {
        let _ = write!(out, "{b:02x}");
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn format() {
        assert_eq!(
            super::line("CLIENT_RANDOM", &[0xab, 1], &[0xff]),
            "CLIENT_RANDOM ab01 ff"
        );
    }
}
