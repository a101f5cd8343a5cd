//! The rustls key-log hook: forwards NSS key-log lines to the application's callback
//! (`SSL_CTX_set_keylog_callback`; curl writes them to `SSLKEYLOGFILE`).

use std::fmt::Write as _;

use crate::current;

/// Shared by every connection of a context; finds the connection through [`current`].
#[derive(Debug)]
pub(crate) struct KeyLogHook;

impl rustls::KeyLog for KeyLogHook {
    fn log(&self, label: &str, client_random: &[u8], secret: &[u8]) {
        let Some(state) = current::current() else {
            return;
        };
        if !state.events.wants_keylog() {
            return;
        }
        state.events.keylog(&line(label, client_random, secret));
    }

    fn will_log(&self, _label: &str) -> bool {
        current::current().is_some_and(|s| s.events.wants_keylog())
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
