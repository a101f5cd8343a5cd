//! One turn of the protocol engine: what an operation asks of it ([`Want`]) and what the
//! turn produced ([`Event`]). rustls's side takes the turns during the handshake (the
//! connection's `unbuffered::turn`), `Established::turn` after it; the types belong to
//! neither.

/// What an operation asks of rustls when application data may flow.
pub(crate) enum Want<'a> {
    /// Nothing: drive the handshake (decrypted data is kept for a later read).
    Nothing,
    /// Decrypted data for this buffer.
    Read(&'a mut [u8]),
    /// Encrypt (up to one record of) these bytes.
    Write(&'a [u8]),
    /// Encrypt a close_notify alert.
    CloseNotify,
}

/// What one turn of rustls's state machine produced.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Event {
    /// Handshake or alert bytes went to the output buffer: turn again.
    Progress,
    /// rustls needs more bytes from the peer.
    NeedInput,
    /// Application data may be sent: this many bytes of the write were encrypted (or the
    /// close_notify was).
    Wrote(usize),
    /// Decrypted application data: this many bytes went to the read's buffer; the rest of
    /// the record, or all of it when nobody reads, was kept.
    Data(usize),
    /// 0-RTT data was kept for `SSL_read_early_data`.
    Early,
    /// The peer's close_notify arrived.
    PeerClosed,
}
