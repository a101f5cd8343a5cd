//! Application data: `SSL_read`, `SSL_peek` and `SSL_write`, each running the handshake
//! first while it is not complete.

use crate::crypto_sys as sys;
use crate::error::Error;
use crate::turn::{Event, Want};

use super::{Connection, Step, Stop, Transport};

impl Connection {
    /// `SSL_read`: returns decrypted bytes (at most one record's), doing the handshake
    /// first if needed.
    pub(crate) fn read(&mut self, io: &Transport<'_>, buf: &mut [u8]) -> Step<usize> {
        let step = self.receive(io, buf, false);
        self.track(step)
    }

    /// `SSL_peek`: as [`Connection::read`], but what it returns stays buffered for the next
    /// read.
    pub(crate) fn peek(&mut self, io: &Transport<'_>, buf: &mut [u8]) -> Step<usize> {
        let step = self.receive(io, buf, true);
        self.track(step)
    }

    /// [`Connection::read`] and, with `keep`, [`Connection::peek`].
    fn receive(&mut self, io: &Transport<'_>, buf: &mut [u8], keep: bool) -> Step<usize> {
        if self.current_role().is_none() {
            return Err(Stop::Fatal(Error::Reason(sys::SSL_R_UNINITIALIZED)));
        }
        self.refuse_failed()?;
        if !self.is_established() {
            self.handshake(io)?;
        }
        self.establish(io).map_err(Stop::in_handshake)?;
        self.send_key_update()?;
        if buf.is_empty() {
            return Ok(0);
        }
        loop {
            if let Some(b) = self.bufs.as_mut().filter(|b| b.plain.has_data()) {
                if keep {
                    return Ok(b.plain.peek(buf));
                }
                let n = b.plain.take(buf);
                self.release_if_idle();
                return Ok(n);
            }
            if self.received_close {
                return Err(Stop::ZeroReturn);
            }
            // A read takes a record's data straight into `buf`; a peek decrypts into the
            // plaintext buffer, to be copied from there.
            let mut want = if keep {
                Want::Nothing
            } else {
                Want::Read(&mut *buf)
            };
            match self.pump(io, &mut want)? {
                Event::Data(n) if n > 0 => {
                    // Like OpenSSL's SSL_MODE_RELEASE_BUFFERS: nothing is kept once the
                    // record is consumed.
                    self.release_if_idle();
                    return Ok(n);
                }
                Event::PeerClosed => self.set_closed(false, true),
                Event::NeedInput | Event::Wrote(_) => {
                    self.flush(io)?;
                    if self.eof {
                        return Err(self.transport_eof());
                    }
                    self.fill(io)?;
                }
                Event::Data(_) | Event::Early | Event::Progress => {}
            }
        }
    }

    /// `SSL_write`: all of `buf` or a stop; after WANT_WRITE the application calls again
    /// with the same buffer and the write continues where it stopped.
    pub(crate) fn write(&mut self, io: &Transport<'_>, buf: &[u8]) -> Step<usize> {
        let step = self.send(io, buf).map_err(Stop::in_handshake);
        self.track(step)
    }

    fn send(&mut self, io: &Transport<'_>, buf: &[u8]) -> Step<usize> {
        if self.current_role().is_none() {
            return Err(Stop::Fatal(Error::Reason(sys::SSL_R_UNINITIALIZED)));
        }
        if self.sent_close {
            return Err(Stop::Fatal(Error::Reason(sys::SSL_R_PROTOCOL_IS_SHUTDOWN)));
        }
        self.refuse_failed()?;
        if !self.is_established() {
            self.handshake(io)?;
        }
        self.establish(io)?;
        self.send_key_update()?;
        let partial = self.setup().mode & sys::SSL_MODE_ENABLE_PARTIAL_WRITE as u64 != 0;
        loop {
            self.write_out(io)?;
            let offset = self.write_offset.min(buf.len());
            if offset >= buf.len() || (partial && offset > 0) {
                self.write_offset = 0;
                self.release_if_idle();
                return Ok(offset);
            }
            match self.pump(io, &mut Want::Write(&buf[offset..]))? {
                Event::Wrote(n) => self.write_offset = offset + n,
                Event::PeerClosed => self.set_closed(false, true),
                Event::NeedInput => {
                    if self.eof {
                        return Err(self.transport_eof());
                    }
                    self.fill(io)?;
                }
                Event::Data(_) | Event::Early | Event::Progress => {}
            }
        }
    }
}
