//! A connection's byte buffers: received records, records to send, decrypted data. The
//! record buffers come from a small per-thread pool while in use and go back as soon as
//! they are empty.

use std::cell::RefCell;

use crate::record::MAX_FRAGMENT;

/// Size of the buffers the pool hands out: the largest record (16 KiB of plaintext and
/// the most any cipher adds) and room for a small one besides.
const BUFFER_SIZE: usize = 5 + MAX_FRAGMENT + 2048 + 512;
/// Buffers kept per thread for reuse.
const POOL_SIZE: usize = 4;

thread_local! {
    static POOL: RefCell<Vec<Vec<u8>>> = const { RefCell::new(Vec::new()) };
}

/// A zeroed buffer of at least `min` bytes, reusing a pooled one when it fits.
fn take_buffer(min: usize) -> Vec<u8> {
    let size = min.max(BUFFER_SIZE);
    let pooled = if size == BUFFER_SIZE {
        POOL.try_with(|p| p.borrow_mut().pop()).ok().flatten()
    } else {
        None
    };
    pooled.unwrap_or_else(|| vec![0; size])
}

/// Returns a buffer to the pool (one of the standard size, while the pool has room).
fn give_buffer(buf: Vec<u8>) {
    if buf.len() != BUFFER_SIZE {
        return;
    }
    let _ = POOL.try_with(|p| {
        let mut pool = p.borrow_mut();
        if pool.len() < POOL_SIZE {
            pool.push(buf);
        }
    });
}

/// A connection's buffers; all empty (no memory) while the connection is idle.
#[derive(Default)]
pub(crate) struct Buffers {
    /// Received bytes rustls has not consumed: whole records and the start of the next.
    pub input: RecordBuffer,
    /// Records for the write BIO.
    pub output: RecordBuffer,
    /// Decrypted bytes the application's reads had no room for yet.
    pub plain: PlainBuffer,
    /// 0-RTT data not yet read (server).
    pub early: PlainBuffer,
    /// Where the record being received ends.
    pub records: RecordBoundary,
}

impl Buffers {
    /// Gives back the buffers that hold nothing; true if nothing at all is held (the
    /// connection can drop this state until it is busy again).
    pub(crate) fn release_idle(&mut self) -> bool {
        self.input.release();
        self.output.release();
        self.plain.release();
        self.input.buf.is_empty()
            && self.output.buf.is_empty()
            && !self.plain.has_data()
            && !self.early.has_data()
            && self.records.at_boundary()
    }
}

/// Bytes `buf[start..end]`; the storage is pooled and released when empty.
#[derive(Default)]
pub(crate) struct RecordBuffer {
    buf: Vec<u8>,
    start: usize,
    end: usize,
    /// Bytes consumed since the buffer was made: with the data's length, positions in the
    /// stream that passed through it.
    consumed: u64,
}

impl RecordBuffer {
    pub(crate) fn is_empty(&self) -> bool {
        self.start == self.end
    }

    /// Room for at least `n` more bytes after the data.
    pub(crate) fn space(&mut self, n: usize) -> &mut [u8] {
        if self.start == self.end {
            self.start = 0;
            self.end = 0;
        }
        if self.buf.len() < self.end + n {
            if self.buf.is_empty() {
                self.buf = take_buffer(n);
            } else {
                if self.start > 0 {
                    self.buf.copy_within(self.start..self.end, 0);
                    self.end -= self.start;
                    self.start = 0;
                }
                if self.buf.len() < self.end + n {
                    self.buf.resize(self.end + n, 0);
                }
            }
        }
        &mut self.buf[self.end..]
    }

    /// Marks `n` bytes of [`RecordBuffer::space`] as data.
    pub(crate) fn filled(&mut self, n: usize) {
        self.end += n;
    }

    pub(crate) fn filled_mut(&mut self) -> &mut [u8] {
        &mut self.buf[self.start..self.end]
    }

    pub(crate) fn pending(&self) -> &[u8] {
        &self.buf[self.start..self.end]
    }

    /// Drops `n` bytes from the front (written out, or rustls's discard count).
    pub(crate) fn consume(&mut self, n: usize) {
        let n = n.min(self.end - self.start);
        self.start += n;
        self.consumed = self.consumed.saturating_add(n as u64);
    }

    /// How many bytes have left the front of the buffer since it was made.
    pub(crate) fn consumed(&self) -> u64 {
        self.consumed
    }

    /// The stream position just after the data: what [`RecordBuffer::consumed`] will
    /// be once all of it has left.
    pub(crate) fn end_position(&self) -> u64 {
        self.consumed.saturating_add((self.end - self.start) as u64)
    }

    /// Gives the storage back if it holds no data.
    pub(crate) fn release(&mut self) {
        if self.start == self.end && !self.buf.is_empty() {
            give_buffer(std::mem::take(&mut self.buf));
            self.start = 0;
            self.end = 0;
        }
    }
}

/// Decrypted bytes waiting for the application.
#[derive(Default)]
pub(crate) struct PlainBuffer {
    data: Vec<u8>,
    pos: usize,
}

impl PlainBuffer {
    pub(crate) fn has_data(&self) -> bool {
        self.pos < self.data.len()
    }

    pub(crate) fn len(&self) -> usize {
        self.data.len() - self.pos
    }

    pub(crate) fn extend(&mut self, bytes: &[u8]) {
        if self.pos == self.data.len() {
            self.data.clear();
            self.pos = 0;
        }
        self.data.extend_from_slice(bytes);
    }

    /// Copies out as much as fits in `buf`, keeping it.
    pub(crate) fn peek(&self, buf: &mut [u8]) -> usize {
        let n = self.len().min(buf.len());
        buf[..n].copy_from_slice(&self.data[self.pos..self.pos + n]);
        n
    }

    /// Copies out as much as fits in `buf`.
    pub(crate) fn take(&mut self, buf: &mut [u8]) -> usize {
        let n = self.peek(buf);
        self.pos += n;
        if self.pos == self.data.len() {
            self.data.clear();
            self.pos = 0;
        }
        n
    }

    pub(crate) fn release(&mut self) {
        if !self.has_data() {
            self.data = Vec::new();
            self.pos = 0;
        }
    }
}

/// Tracks where the current record ends in the incoming byte stream.
#[derive(Default)]
pub(crate) struct RecordBoundary {
    header: [u8; 5],
    header_len: usize,
    body_left: usize,
    /// The first nine bytes the peer sent: a plain-HTTP request's start, or the first
    /// record's header and handshake message header.
    first: [u8; 9],
    first_len: usize,
}

impl RecordBoundary {
    pub(crate) fn first_bytes(&self) -> &[u8] {
        &self.first[..self.first_len]
    }

    /// Bytes to read to finish the current header or body.
    pub(crate) fn wanted(&self) -> usize {
        if self.body_left > 0 {
            self.body_left
        } else {
            self.header.len() - self.header_len
        }
    }

    /// Whether a record's header has been read and its body not yet all of it.
    pub(crate) fn in_body(&self) -> bool {
        self.body_left > 0
    }

    /// Whether the bytes read so far end with a whole record.
    pub(crate) fn at_boundary(&self) -> bool {
        self.body_left == 0 && self.header_len == 0
    }

    /// Accounts for bytes read.
    pub(crate) fn consumed(&mut self, mut data: &[u8]) {
        let n = data.len().min(self.first.len() - self.first_len);
        self.first[self.first_len..self.first_len + n].copy_from_slice(&data[..n]);
        self.first_len += n;
        while !data.is_empty() {
            if self.body_left > 0 {
                let n = data.len().min(self.body_left);
                self.body_left -= n;
                data = &data[n..];
            } else {
                let n = data.len().min(self.header.len() - self.header_len);
                self.header[self.header_len..self.header_len + n].copy_from_slice(&data[..n]);
                self.header_len += n;
                data = &data[n..];
                if self.header_len == self.header.len() {
                    self.body_left =
                        usize::from(u16::from_be_bytes([self.header[3], self.header[4]]));
                    self.header_len = 0;
                }
            }
        }
    }
}
