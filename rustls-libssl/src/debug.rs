//! `RUSTLS_LIBSSL_DEBUG`: what the library tells an operator about itself.
//!
//! The variable is `LEVEL[:TARGET]`, read once per process (the first `SSL_CTX_new`, so
//! a forking server's workers inherit the master's choice even when they clear their
//! environment, as nginx does):
//!
//! - LEVEL `off` (or `0`, unset, empty): nothing, and nothing costs more than one relaxed
//!   atomic load and a compare per call site;
//! - `warn` (`1`, and any other value): every call of a function or feature the library
//!   does not support, configuration it accepts but cannot honour (option bits, ctrl
//!   commands, a cipher string that selects only suites rustls lacks), and why a
//!   handshake or an I/O call failed;
//! - `info` (`2`): also one line per completed handshake (side, protocol, suite, group,
//!   new or resumed session, SNI, ALPN, the peer certificate's verify result), a line
//!   naming the library and its versions when the process starts using it, and the suites
//!   of a cipher string the library leaves out;
//! - `debug` (`3`): also rustls's own log messages.
//!
//! TARGET is `stderr` (the default: for nginx that is its error log), `syslog` (the local
//! syslog socket, `/dev/log`, facility user) or an absolute file name (appended to, one
//! line per message with a UTC timestamp; stderr if it cannot be opened).

use std::fmt;
use std::fs::{File, OpenOptions};
use std::io::Write as _;
use std::os::unix::net::UnixDatagram;
use std::sync::atomic::{AtomicU64, AtomicU8, Ordering};
use std::sync::OnceLock;
use std::time::{SystemTime, UNIX_EPOCH};

use crate::current::{lock, ConnState};
use crate::{groups, versions};

/// How much the library says; each level includes the ones below it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Level {
    Warn = 1,
    Info = 2,
    Debug = 3,
}

/// The library's version and the versions of rustls and aws-lc it was built with (from
/// `Cargo.lock`); `with-rustls-libssl --version` finds this text in the built library.
pub(crate) use build_info::VERSION;

mod build_info {
    include!(concat!(env!("OUT_DIR"), "/versions.rs"));
}

/// Writes one line at `level` if the configured level includes it; the arguments are not
/// evaluated otherwise.
macro_rules! log {
    ($level:expr, $($arg:tt)*) => {
        if $crate::debug::enabled($level) {
            $crate::debug::write($level, format_args!($($arg)*));
        }
    };
}
pub(crate) use log;

/// The level not read yet.
const UNREAD: u8 = u8::MAX;

static LEVEL: AtomicU8 = AtomicU8::new(UNREAD);
static CONFIG: OnceLock<Config> = OnceLock::new();

/// Whether messages of `level` are written: one relaxed load once the variable was read.
#[inline]
pub(crate) fn enabled(level: Level) -> bool {
    let mut current = LEVEL.load(Ordering::Relaxed);
    if current == UNREAD {
        current = start();
    }
    current >= level as u8
}

/// Reads `RUSTLS_LIBSSL_DEBUG` (once) and opens the target; returns the level (0 = off).
#[cold]
pub(crate) fn start() -> u8 {
    let config = CONFIG.get_or_init(|| {
        let value = std::env::var("RUSTLS_LIBSSL_DEBUG").unwrap_or_default();
        Config::parse(&value)
    });
    let level = config.level.map_or(0, |l| l as u8);
    if LEVEL.swap(level, Ordering::Relaxed) == UNREAD && level > 0 {
        for warning in &config.warnings {
            write(Level::Warn, format_args!("RUSTLS_LIBSSL_DEBUG: {warning}"));
        }
        if level >= Level::Info as u8 {
            let exe = std::env::current_exe()
                .map(|p| p.display().to_string())
                .unwrap_or_default();
            write(
                Level::Info,
                format_args!(
                    "{VERSION}{} serving {exe}; debug level {}, to {}",
                    fips_status(),
                    config.level_name(),
                    config.sink.name()
                ),
            );
        }
        if level >= Level::Debug as u8 && log::set_logger(&RUSTLS_LOG).is_ok() {
            log::set_max_level(log::LevelFilter::Debug);
        }
    }
    level
}

/// What a FIPS build (`make FIPS=1`) says of its module; nothing for the usual build.
fn fips_status() -> &'static str {
    match (cfg!(feature = "fips"), aws_lc_rs::try_fips_mode().is_ok()) {
        (false, _) => "",
        (true, true) => ", FIPS module active",
        (true, false) => ", FIPS build but the FIPS module is NOT active",
    }
}

/// Reads the variable now (the first `SSL_CTX_new` calls this: see the module's header).
pub(crate) fn init() {
    let _ = enabled(Level::Warn);
}

/// Writes one message to the target (callers check [`enabled`] first: see [`log!`]).
pub(crate) fn write(level: Level, args: fmt::Arguments<'_>) {
    let Some(config) = CONFIG.get() else { return };
    let name = match level {
        Level::Warn => "warn",
        Level::Info => "info",
        Level::Debug => "debug",
    };
    let pid = std::process::id();
    // Write errors are ignored: diagnostics must never change what the program sees.
    match &config.sink {
        Sink::Stderr => {
            let line = format!("rustls-libssl[{pid}]: {name}: {args}\n");
            let _ = std::io::stderr().lock().write_all(line.as_bytes());
        }
        Sink::File(file, _) => {
            let line = format!(
                "{} rustls-libssl[{pid}]: {name}: {args}\n",
                utc_timestamp(SystemTime::now())
            );
            // One write of an O_APPEND file: lines of concurrent writers do not interleave.
            let _ = (&*file).write_all(line.as_bytes());
        }
        Sink::Syslog(socket) => {
            // Facility user (1); severities warning (4), info (6), debug (7).
            let severity = match level {
                Level::Warn => 4,
                Level::Info => 6,
                Level::Debug => 7,
            };
            let line = format!("<{}>rustls-libssl[{pid}]: {name}: {args}", 8 + severity);
            let _ = socket.send(line.as_bytes());
        }
    }
}

/// A function or feature the program asked for that the library does not implement.
pub(crate) fn unsupported(what: &str) {
    log!(
        Level::Warn,
        "not supported: {what} (the call failed with a \"not supported\" error)"
    );
}

/// `SSL_OP_*` bits a program set that the library accepts but cannot act on: rustls has no
/// such behaviour, so the connection goes on as if the bit were clear. Each bit is reported
/// once per process.
pub(crate) fn options(function: &str, bits: u64) {
    static REPORTED: AtomicU64 = AtomicU64::new(0);
    if !enabled(Level::Warn) {
        return;
    }
    let new = bits & !REPORTED.fetch_or(bits, Ordering::Relaxed);
    let ignored: Vec<&str> = UNHONOURED_OPTIONS
        .iter()
        .filter(|(bit, _)| new & bit != 0)
        .map(|(_, name)| *name)
        .collect();
    if !ignored.is_empty() {
        write(
            Level::Warn,
            format_args!("{function}: option(s) not honoured: {}", ignored.join(", ")),
        );
    }
}

/// Option bits that ask for behaviour rustls does not have. The others are honoured, or
/// concern a feature the library never uses (compression, renegotiation, DTLS, old bug
/// workarounds), where OpenSSL's behaviour with the bit and without it is the same here.
const UNHONOURED_OPTIONS: &[(u64, &str)] = &[
    (
        crate::crypto_sys::SSL_OP_ALLOW_NO_DHE_KEX,
        "SSL_OP_ALLOW_NO_DHE_KEX (TLS 1.3 resumption always uses (EC)DHE)",
    ),
    (
        crate::crypto_sys::SSL_OP_PRIORITIZE_CHACHA,
        "SSL_OP_PRIORITIZE_CHACHA",
    ),
    (
        crate::crypto_sys::SSL_OP_ENABLE_KTLS,
        "SSL_OP_ENABLE_KTLS (no kernel TLS)",
    ),
    (
        crate::crypto_sys::SSL_OP_NO_EXTENDED_MASTER_SECRET,
        "SSL_OP_NO_EXTENDED_MASTER_SECRET (always used)",
    ),
    (
        crate::crypto_sys::SSL_OP_ALLOW_CLIENT_RENEGOTIATION,
        "SSL_OP_ALLOW_CLIENT_RENEGOTIATION (renegotiation is always refused)",
    ),
    (
        crate::crypto_sys::SSL_OP_ALLOW_UNSAFE_LEGACY_RENEGOTIATION,
        "SSL_OP_ALLOW_UNSAFE_LEGACY_RENEGOTIATION (renegotiation is always refused)",
    ),
    (
        crate::crypto_sys::SSL_OP_CLEANSE_PLAINTEXT,
        "SSL_OP_CLEANSE_PLAINTEXT",
    ),
];

/// Logs a completed handshake (level `info`): what it negotiated and, for the peer's
/// certificate, `SSL_get_verify_result`.
pub(crate) fn handshake_done(server: bool, state: &ConnState) {
    let status = lock(&state.status);
    let version = versions::protocol_text(status.version);
    let suite = status
        .cipher
        .map_or_else(|| "unknown".into(), |c| c.name().to_string_lossy());
    let group = status
        .group
        .and_then(|g| groups::name(u16::from(g)))
        .unwrap_or("none");
    let resumed = status.resumed;
    let alpn = status.alpn.as_ref().map_or_else(
        || "none".to_owned(),
        |a| String::from_utf8_lossy(a).into_owned(),
    );
    drop(status);
    let sni = if server {
        lock(&state.hello)
            .as_ref()
            .and_then(|h| h.server_name.as_deref().map(str::to_owned))
    } else {
        state.setup().server_name.clone()
    };
    let outcome = state.outcome();
    let peer_cert = !outcome.peer_chain.is_empty() || !outcome.peer_ders.is_empty();
    let code = outcome.verify_result;
    drop(outcome);
    let verify = if resumed {
        format!("verify result {code} (from the session)")
    } else if !peer_cert {
        "no peer certificate".to_owned()
    } else if code == 0 {
        "peer certificate verify result 0 (ok)".to_owned()
    } else {
        format!(
            "peer certificate verify result {code} ({})",
            crate::crypto_sys::verify_error_string(code)
        )
    };
    write(
        Level::Info,
        format_args!(
            "{} handshake done: {version} {suite} group {group}, {}, SNI {}, ALPN {alpn}, {verify}",
            if server { "server" } else { "client" },
            if resumed {
                "resumed session"
            } else {
                "full handshake"
            },
            sni.as_deref().unwrap_or("none"),
        ),
    );
}

/// The parsed variable.
struct Config {
    level: Option<Level>,
    sink: Sink,
    /// What could not be understood (reported once the target is open).
    warnings: Vec<String>,
}

enum Sink {
    Stderr,
    File(File, String),
    Syslog(UnixDatagram),
}

impl Sink {
    fn name(&self) -> &str {
        match self {
            Self::Stderr => "stderr",
            Self::File(_, path) => path,
            Self::Syslog(_) => "syslog",
        }
    }
}

impl Config {
    fn parse(value: &str) -> Self {
        let (level_text, target) = match value.split_once(':') {
            Some((l, t)) => (l.trim(), Some(t.trim())),
            None => (value.trim(), None),
        };
        let mut warnings = Vec::new();
        let level = match level_text.to_ascii_lowercase().as_str() {
            "" | "0" | "off" | "no" | "false" | "none" => None,
            "1" | "warn" | "warning" | "yes" | "true" | "on" => Some(Level::Warn),
            "2" | "info" => Some(Level::Info),
            "3" | "debug" | "trace" => Some(Level::Debug),
            other => {
                warnings.push(format!(
                    "unknown level {other:?} (off, warn, info or debug): using warn"
                ));
                Some(Level::Warn)
            }
        };
        let sink = match (level, target) {
            (None, _) | (_, None | Some("" | "stderr")) => Sink::Stderr,
            (_, Some("syslog")) => {
                match UnixDatagram::unbound().and_then(|s| s.connect("/dev/log").map(|()| s)) {
                    Ok(s) => Sink::Syslog(s),
                    Err(e) => {
                        warnings.push(format!(
                            "cannot reach syslog at /dev/log ({e}): using stderr"
                        ));
                        Sink::Stderr
                    }
                }
            }
            (_, Some(path)) if path.starts_with('/') => {
                match OpenOptions::new().append(true).create(true).open(path) {
                    Ok(f) => Sink::File(f, path.to_owned()),
                    Err(e) => {
                        warnings.push(format!("cannot open {path} ({e}): using stderr"));
                        Sink::Stderr
                    }
                }
            }
            (_, Some(other)) => {
                warnings.push(format!(
                    "unknown target {other:?} (stderr, syslog or an absolute file name): using stderr"
                ));
                Sink::Stderr
            }
        };
        Self {
            level,
            sink,
            warnings,
        }
    }

    fn level_name(&self) -> &'static str {
        match self.level {
            None => "off",
            Some(Level::Warn) => "warn",
            Some(Level::Info) => "info",
            Some(Level::Debug) => "debug",
        }
    }
}

/// rustls's own `log` records, forwarded at level `debug`.
struct RustlsLog;

static RUSTLS_LOG: RustlsLog = RustlsLog;

impl log::Log for RustlsLog {
    fn enabled(&self, metadata: &log::Metadata<'_>) -> bool {
        metadata.level() <= log::Level::Debug
    }

    fn log(&self, record: &log::Record<'_>) {
        if self.enabled(record.metadata()) {
            write(
                Level::Debug,
                format_args!("{} {}: {}", record.target(), record.level(), record.args()),
            );
        }
    }

    fn flush(&self) {}
}

/// `YYYY-MM-DDTHH:MM:SSZ` for a file target.
fn utc_timestamp(now: SystemTime) -> String {
    let secs = now.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let (days, rem) = (secs / 86_400, secs % 86_400);
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z % 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + u64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rem / 3_600,
        rem % 3_600 / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn levels_and_targets() {
        assert_eq!(Config::parse("").level, None);
        assert_eq!(Config::parse("0").level, None);
        assert_eq!(Config::parse("off:/tmp/x").level, None);
        assert_eq!(Config::parse("1").level, Some(Level::Warn));
        assert_eq!(Config::parse("yes").level, Some(Level::Warn));
        assert_eq!(Config::parse("INFO").level, Some(Level::Info));
        assert_eq!(Config::parse("debug:stderr").level, Some(Level::Debug));
        let odd = Config::parse("loud:nowhere");
        assert_eq!(odd.level, Some(Level::Warn));
        assert_eq!(odd.warnings.len(), 2);
        assert!(matches!(odd.sink, Sink::Stderr));
        let dir = std::env::temp_dir().join(format!("rustls-libssl-debug-{}", std::process::id()));
        let file = Config::parse(&format!("info:{}", dir.display()));
        assert!(matches!(file.sink, Sink::File(..)));
        let _ = std::fs::remove_file(&dir);
        let missing = Config::parse("info:/nonexistent-dir/log");
        assert!(matches!(missing.sink, Sink::Stderr));
        assert_eq!(missing.warnings.len(), 1);
    }

    #[test]
    fn timestamps() {
        assert_eq!(utc_timestamp(UNIX_EPOCH), "1970-01-01T00:00:00Z");
        let t = UNIX_EPOCH + Duration::from_secs(1_709_210_096); // a leap day
        assert_eq!(utc_timestamp(t), "2024-02-29T12:34:56Z");
    }

    #[test]
    fn version_names_the_dependencies() {
        assert!(VERSION.starts_with("rustls-libssl "));
        assert!(VERSION.contains("(rustls 0."));
        assert!(VERSION.contains(", aws-lc-rs 1."));
    }
}
