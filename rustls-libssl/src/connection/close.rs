//! Closing: close_notify sent and awaited (`SSL_shutdown`), directions marked closed
//! (`SSL_set_shutdown`), and the read BIO's end before the peer's close_notify.

use std::io;

use crate::crypto_sys as sys;
use crate::current::lock;
use crate::error::Error;
use crate::turn::{Event, Want};

use super::{Connection, Step, Stop, Transport};

impl Connection {
    /// `SSL_shutdown`: sends close_notify; `Ok(true)` once the peer's has arrived too.
    ///
    /// As OpenSSL's: the first call sends close_notify and says whether the peer's has
    /// already arrived; a call after WANT_WRITE finishes sending it; a later call waits for
    /// the peer's, and application data arriving instead is a fatal error ("application
    /// data after close notify": the application should have read it with `SSL_read`).
    /// With quiet shutdown nothing is sent and both directions count as closed. A
    /// connection whose handshake is not complete, or that failed, cannot be shut down.
    pub(crate) fn shutdown(&mut self, io: &Transport<'_>) -> Step<bool> {
        let step = self.close(io);
        self.track(step)
    }

    fn close(&mut self, io: &Transport<'_>) -> Step<bool> {
        if self.current_role().is_none() {
            return Err(Stop::Fatal(Error::Reason(sys::SSL_R_UNINITIALIZED)));
        }
        if self.failed || !self.is_established() {
            return Err(Stop::Fatal(Error::Reason(
                sys::SSL_R_SHUTDOWN_WHILE_IN_INIT,
            )));
        }
        if self.setup().quiet_shutdown {
            self.set_closed(true, true);
            return Ok(true);
        }
        if !self.sent_close {
            loop {
                match self.pump(io, &mut Want::CloseNotify)? {
                    Event::PeerClosed => self.set_closed(false, true),
                    Event::Data(_) | Event::Early | Event::Progress => {}
                    Event::Wrote(_) | Event::NeedInput => break,
                }
            }
            self.set_closed(true, false);
            self.flush(io)?;
            return Ok(self.received_close);
        }
        if self.output_pending() {
            self.flush(io)?;
        } else {
            self.await_close_notify(io)?;
        }
        Ok(self.received_close)
    }

    /// The second `SSL_shutdown`: reads until the peer's close_notify.
    fn await_close_notify(&mut self, io: &Transport<'_>) -> Step<()> {
        while !self.received_close {
            if self.bufs.as_ref().is_some_and(|b| b.plain.has_data()) {
                return Err(Stop::Fatal(Error::Reason(
                    sys::SSL_R_APPLICATION_DATA_AFTER_CLOSE_NOTIFY,
                )));
            }
            match self.pump(io, &mut Want::Nothing)? {
                Event::PeerClosed => self.set_closed(false, true),
                Event::NeedInput | Event::Wrote(_) => {
                    self.flush(io)?;
                    if self.eof {
                        match self.transport_eof() {
                            Stop::ZeroReturn | Stop::ZeroReturnFailedRead => continue,
                            stop => return Err(stop.in_handshake()),
                        }
                    }
                    self.fill(io)?;
                }
                Event::Data(_) | Event::Early | Event::Progress => {}
            }
        }
        self.release_if_idle();
        Ok(())
    }

    /// Whether records wait in the output buffer for the write BIO.
    fn output_pending(&self) -> bool {
        self.bufs.as_ref().is_some_and(|b| !b.output.is_empty())
    }

    /// `SSL_set_shutdown`: marks directions closed without sending anything.
    pub(crate) fn set_shutdown_flags(&mut self, flags: i32) {
        self.set_closed(
            flags & sys::SSL_SENT_SHUTDOWN != 0,
            flags & sys::SSL_RECEIVED_SHUTDOWN != 0,
        );
    }

    /// Marks directions closed (never reopens one) and publishes it.
    pub(super) fn set_closed(&mut self, sent: bool, received: bool) {
        self.sent_close |= sent;
        self.received_close |= received;
        let mut status = lock(&self.state.status);
        status.sent_close = self.sent_close;
        status.received_close = self.received_close;
    }

    /// The read BIO's end before the peer's close_notify. A BIO that says it is at its
    /// end (`BIO_eof`: a socket or BIO pair) makes it a protocol error, "unexpected eof
    /// while reading", or with `SSL_OP_IGNORE_UNEXPECTED_EOF` the same as close_notify;
    /// a BIO that does not is a transport error (SSL_ERROR_SYSCALL, nothing queued), as
    /// in OpenSSL's record layer. `SSL_read` returns what the BIO's read returned there: 0,
    /// or -1 from a BIO that fails at its end (Apache's).
    pub(super) fn transport_eof(&mut self) -> Stop {
        // The next call reads again: a transport error does not end the connection.
        self.eof = false;
        if !self.eof_flagged {
            return Stop::Ended(Error::Io(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "EOF without close_notify",
            )));
        }
        let failed = std::mem::take(&mut self.eof_failed);
        if self.setup().options & sys::SSL_OP_IGNORE_UNEXPECTED_EOF != 0 {
            self.set_closed(false, true);
            return if failed {
                Stop::ZeroReturnFailedRead
            } else {
                Stop::ZeroReturn
            };
        }
        if failed {
            Stop::Fatal(Error::UnexpectedEof)
        } else {
            Stop::Ended(Error::UnexpectedEof)
        }
    }
}
