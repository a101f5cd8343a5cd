//! The rustls key-log hook: forwards NSS key-log lines to the application's callback
//! (`SSL_CTX_set_keylog_callback`; curl writes them to `SSLKEYLOGFILE`), keeps the secret
//! `SSL_export_keying_material` derives from, and hands the traffic secrets to the
//! handshake's [`crate::observer`].

use std::fmt::Write as _;

use crate::current;
use crate::exporter::{ExportSecret, SecretKind};
use crate::secrets::{LoggedSecret, SecretLabel};

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
            let label = LABELS.iter().find(|l| **l == label).copied().unwrap_or("");
            current::lock(&state.keylog).push((label, line(label, client_random, secret)));
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

/// The labels rustls logs, in the order OpenSSL's client logs them (rustls logs both
/// handshake secrets at once, OpenSSL the client's when it first writes with it).
const LABELS: [&str; 7] = [
    "CLIENT_RANDOM",
    "CLIENT_EARLY_TRAFFIC_SECRET",
    "SERVER_HANDSHAKE_TRAFFIC_SECRET",
    "EXPORTER_SECRET",
    "SERVER_TRAFFIC_SECRET_0",
    "CLIENT_HANDSHAKE_TRAFFIC_SECRET",
    "CLIENT_TRAFFIC_SECRET_0",
];

/// Puts key-log lines in the order OpenSSL writes them: a client logs the server's
/// secrets before its own (its handshake secret once it writes its second flight, after
/// the server's traffic secret); a server logs both handshake secrets, then the exporter
/// and traffic secrets. A client's handshake secret that came before the server's traffic
/// secret waits (`held`) unless `all`.
pub(crate) fn order(
    lines: &mut Vec<(&'static str, String)>,
    held: &mut Vec<(&'static str, String)>,
    server: bool,
    all: bool,
) {
    lines.append(held);
    let rank = |label: &str| {
        let client_rank = LABELS.iter().position(|l| *l == label).unwrap_or(0);
        match (server, label) {
            (true, "CLIENT_HANDSHAKE_TRAFFIC_SECRET") => 3,
            (true, "EXPORTER_SECRET" | "SERVER_TRAFFIC_SECRET_0") => client_rank + 1,
            _ => client_rank,
        }
    };
    lines.sort_by_key(|(label, _)| rank(label));
    if !server && !all && !lines.iter().any(|(l, _)| *l == "SERVER_TRAFFIC_SECRET_0") {
        let (wait, now): (Vec<_>, Vec<_>) = lines
            .drain(..)
            .partition(|(l, _)| *l == "CLIENT_HANDSHAKE_TRAFFIC_SECRET");
        *held = wait;
        *lines = now;
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
    fn openssl_order() {
        let lines = |labels: &[&'static str]| -> Vec<(&'static str, String)> {
            labels.iter().map(|l| (*l, String::new())).collect()
        };
        let labels = |v: &[(&'static str, String)]| v.iter().map(|(l, _)| *l).collect::<Vec<_>>();
        // A client: both handshake secrets with the ServerHello, the rest with the
        // server's Finished.
        let mut held = Vec::new();
        let mut first = lines(&[
            "CLIENT_HANDSHAKE_TRAFFIC_SECRET",
            "SERVER_HANDSHAKE_TRAFFIC_SECRET",
        ]);
        super::order(&mut first, &mut held, false, false);
        assert_eq!(labels(&first), ["SERVER_HANDSHAKE_TRAFFIC_SECRET"]);
        let mut second = lines(&[
            "CLIENT_TRAFFIC_SECRET_0",
            "SERVER_TRAFFIC_SECRET_0",
            "EXPORTER_SECRET",
        ]);
        super::order(&mut second, &mut held, false, false);
        assert_eq!(
            labels(&second),
            [
                "EXPORTER_SECRET",
                "SERVER_TRAFFIC_SECRET_0",
                "CLIENT_HANDSHAKE_TRAFFIC_SECRET",
                "CLIENT_TRAFFIC_SECRET_0"
            ]
        );
        let mut server = lines(&[
            "CLIENT_HANDSHAKE_TRAFFIC_SECRET",
            "SERVER_HANDSHAKE_TRAFFIC_SECRET",
            "CLIENT_TRAFFIC_SECRET_0",
            "SERVER_TRAFFIC_SECRET_0",
            "EXPORTER_SECRET",
        ]);
        super::order(&mut server, &mut held, true, false);
        assert_eq!(
            labels(&server),
            [
                "SERVER_HANDSHAKE_TRAFFIC_SECRET",
                "CLIENT_HANDSHAKE_TRAFFIC_SECRET",
                "EXPORTER_SECRET",
                "SERVER_TRAFFIC_SECRET_0",
                "CLIENT_TRAFFIC_SECRET_0"
            ]
        );
    }

    #[test]
    fn format() {
        assert_eq!(
            super::line("CLIENT_RANDOM", &[0xab, 1], &[0xff]),
            "CLIENT_RANDOM ab01 ff"
        );
    }
}
