//! TLS 1.3 early (0-RTT) data on a server: `SSL_read_early_data` and
//! `SSL_write_early_data`.

use std::io;

use crate::crypto_sys as sys;
use crate::current::lock;
use crate::error::Error;
use crate::setup::Role;
use crate::turn::{Event, Want};

use super::{Connection, Step, Stop, Transport};

impl Connection {
    /// `SSL_read_early_data` (server): `Ok(Some(n))` for 0-RTT bytes read, `Ok(None)` once
    /// no more can come (none sent, rejected, or the handshake completed). rustls accepts
    /// 0-RTT only with stateful resumption (no ticket key), as replay protection.
    pub(crate) fn read_early_data(
        &mut self,
        io: &Transport<'_>,
        buf: &mut [u8],
    ) -> Step<Option<usize>> {
        let refused = Stop::Fatal(Error::Reason(sys::ERR_R_SHOULD_NOT_HAVE_BEEN_CALLED));
        if self.current_role() != Some(Role::Server) {
            return Err(refused);
        }
        // As in OpenSSL: from the handshake's start (before it) until "finish".
        match self.early_read {
            EarlyRead::Finished => return Err(refused),
            EarlyRead::NotStarted if self.statem.started() => return Err(refused),
            _ => self.early_read = EarlyRead::Reading,
        }
        if self.setup().settings.max_early_data == 0 {
            self.early_read = EarlyRead::Finished;
            return Ok(None);
        }
        self.begin(io)?;
        loop {
            if let Some(b) = self.bufs.as_mut().filter(|b| b.early.has_data()) {
                return Ok(Some(b.early.take(buf)));
            }
            if self.is_established() {
                self.flush(io)?;
                self.finish_handshake();
                self.early_read = EarlyRead::Finished;
                return Ok(None);
            }
            match self.pump(io, &mut Want::Nothing)? {
                Event::Early => continue,
                Event::PeerClosed => return Err(Stop::Fatal(handshake_eof())),
                _ if self.is_established() => continue,
                _ => {}
            }
            self.flush(io)?;
            if self.eof {
                return Err(Stop::Fatal(handshake_eof()));
            }
            self.fill(io)?;
        }
    }

    /// `SSL_write_early_data` on a server: data written before the handshake completes
    /// (sent once the server's flight is out). Clients cannot send 0-RTT.
    pub(crate) fn write_early_data(&mut self, io: &Transport<'_>, buf: &[u8]) -> Step<usize> {
        if self.current_role() != Some(Role::Server) {
            // OpenSSL refuses without a session that allows 0-RTT, before the handshake.
            let allowed = self.tls.is_none()
                && lock(&self.state.resume)
                    .as_ref()
                    .is_some_and(|s| s.meta().max_early_data > 0);
            if !allowed {
                return Err(Stop::Fatal(Error::Reason(
                    sys::ERR_R_SHOULD_NOT_HAVE_BEEN_CALLED,
                )));
            }
            return Err(Stop::Fatal(Error::NotSupported(
                "sending 0-RTT data as a client",
            )));
        }
        self.begin(io)?;
        let mut written = 0;
        while written < buf.len() {
            match self.pump(io, &mut Want::Write(&buf[written..]))? {
                Event::Wrote(n) => written += n,
                Event::NeedInput => {
                    self.flush(io)?;
                    if self.eof {
                        return Err(Stop::Fatal(handshake_eof()));
                    }
                    self.fill(io)?;
                }
                Event::PeerClosed => return Err(Stop::Fatal(handshake_eof())),
                Event::Progress | Event::Data(_) | Event::Early => {}
            }
        }
        // The bytes are committed: a write BIO that is full now gets them later.
        match self.flush(io) {
            Ok(()) | Err(Stop::WantWrite) => Ok(written),
            Err(stop) => Err(stop),
        }
    }
}

/// A server's progress through `SSL_read_early_data`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum EarlyRead {
    NotStarted,
    Reading,
    /// It reported that no more 0-RTT data can come.
    Finished,
}

/// EOF during the handshake: OpenSSL reports it as SSL_ERROR_SYSCALL with nothing queued
/// (nginx: "peer closed connection in SSL handshake", at info).
fn handshake_eof() -> Error {
    Error::Io(io::Error::new(
        io::ErrorKind::UnexpectedEof,
        "EOF during the handshake",
    ))
}
