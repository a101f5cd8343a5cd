//! `SSLKEYLOGFILE` for every program, which OpenSSL 3.0 lacks: when the variable names a
//! file, the TLS secrets of every connection whose context has no key-log callback of its
//! own are appended to it in the NSS key-log format, so that Wireshark can decrypt an
//! unmodified program's traffic. An application's `SSL_CTX_set_keylog_callback` still
//! wins (curl writes the same file itself when it sets one).
//!
//! Anyone who can read the file can decrypt the traffic, so it is off unless the variable
//! is set, the file is created readable by its owner only, and a process running with
//! elevated privileges (setuid/setgid or file capabilities: `AT_SECURE`) ignores the
//! variable, as glibc's `secure_getenv` does. The variable is read and the file opened when
//! the first context is made: a server that clears its environment before forking workers
//! (nginx) keeps the file its master opened.

use std::fs::{File, OpenOptions};
use std::io::Write as _;
use std::os::unix::fs::OpenOptionsExt as _;
use std::sync::{Mutex, OnceLock};

use crate::current::lock;

static FILE: OnceLock<Option<Mutex<File>>> = OnceLock::new();

/// Reads `SSLKEYLOGFILE` and opens the file, once per process.
pub(crate) fn init() {
    FILE.get_or_init(open);
}

/// Whether secrets go to the file.
pub(crate) fn enabled() -> bool {
    matches!(FILE.get(), Some(Some(_)))
}

/// Appends one key-log line (`LABEL <client random> <secret>`).
pub(crate) fn write(line: &str) {
    let Some(Some(file)) = FILE.get() else {
        return;
    };
    let mut record = Vec::with_capacity(line.len() + 1);
    record.extend_from_slice(line.as_bytes());
    record.push(b'\n');
    // One write of a whole line to a file opened for appending: lines from several
    // processes (nginx's workers) do not interleave. A failed write is dropped, as a
    // key-log callback's would be.
    let _ = lock(file).write_all(&record);
}

fn open() -> Option<Mutex<File>> {
    let path = std::env::var_os("SSLKEYLOGFILE")?;
    if path.is_empty() {
        return None;
    }
    // SAFETY: getauxval only reads the process's auxiliary vector.
    if unsafe { libc::getauxval(libc::AT_SECURE) } != 0 {
        super::debug_log("SSLKEYLOGFILE ignored: the process runs with elevated privileges");
        return None;
    }
    let file = OpenOptions::new()
        .append(true)
        .create(true)
        .mode(0o600)
        .open(&path);
    match file {
        Ok(file) => Some(Mutex::new(file)),
        Err(e) => {
            super::debug_log(&format!("SSLKEYLOGFILE {}: {e}", path.to_string_lossy()));
            None
        }
    }
}
