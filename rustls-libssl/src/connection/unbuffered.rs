//! One turn of rustls's unbuffered API, written once for both sides ([`Side`]): what each
//! state asks is done over the connection's buffers.

use rustls::client::ClientConnectionData;
use rustls::server::ServerConnectionData;
use rustls::unbuffered::{
    ConnectionState, EncodeError, EncryptError, InsufficientSizeError, ReadEarlyData,
    UnbufferedConnectionCommon, UnbufferedStatus,
};

use crate::buffers::{Buffers, PlainBuffer, RecordBuffer};
use crate::record::MAX_FRAGMENT;
use crate::turn::{Event, Want};

/// The two sides of rustls's unbuffered API, for code written once for both.
pub(super) trait Side: Sized {
    fn process<'c, 'i>(
        conn: &'c mut UnbufferedConnectionCommon<Self>,
        input: &'i mut [u8],
    ) -> UnbufferedStatus<'c, 'i, Self>;

    /// Moves received 0-RTT data to `out` (servers only get any).
    fn take_early(
        early: ReadEarlyData<'_, '_, Self>,
        out: &mut PlainBuffer,
    ) -> Result<(), rustls::Error>;
}

impl Side for ClientConnectionData {
    fn process<'c, 'i>(
        conn: &'c mut UnbufferedConnectionCommon<Self>,
        input: &'i mut [u8],
    ) -> UnbufferedStatus<'c, 'i, Self> {
        conn.process_tls_records(input)
    }

    fn take_early(
        _: ReadEarlyData<'_, '_, Self>,
        _: &mut PlainBuffer,
    ) -> Result<(), rustls::Error> {
        Ok(())
    }
}

impl Side for ServerConnectionData {
    fn process<'c, 'i>(
        conn: &'c mut UnbufferedConnectionCommon<Self>,
        input: &'i mut [u8],
    ) -> UnbufferedStatus<'c, 'i, Self> {
        conn.process_tls_records(input)
    }

    fn take_early(
        mut early: ReadEarlyData<'_, '_, Self>,
        out: &mut PlainBuffer,
    ) -> Result<(), rustls::Error> {
        while let Some(record) = early.next_record() {
            out.extend(record?.payload);
        }
        Ok(())
    }
}

/// One turn of rustls's state machine over the received bytes, doing what the state asks:
/// encoding handshake records into the output buffer, encrypting the operation's data,
/// moving decrypted data out. `server_random` (servers) is filled from the ServerHello
/// record as it is encoded. rustls reads at most `limit` bytes of the input, if given.
pub(super) fn turn<D: Side>(
    conn: &mut UnbufferedConnectionCommon<D>,
    bufs: &mut Buffers,
    want: &mut Want<'_>,
    server_random: Option<&mut Option<[u8; 32]>>,
    limit: Option<usize>,
) -> Result<Event, rustls::Error> {
    let Buffers {
        input,
        output,
        plain,
        early,
        records: _,
    } = bufs;
    let received = input.filled_mut();
    let end = limit.map_or(received.len(), |n| n.min(received.len()));
    let status = D::process(conn, &mut received[..end]);
    let mut discard = status.discard;
    let event = match status.state {
        Err(e) => Err(e),
        Ok(ConnectionState::ReadTraffic(mut traffic)) => {
            let mut copied = 0;
            match want {
                // One record per read, as OpenSSL returns; what does not fit is kept.
                Want::Read(buf) => {
                    if let Some(record) = traffic.next_record() {
                        let record = record?;
                        discard += record.discard;
                        copied = record.payload.len().min(buf.len());
                        buf[..copied].copy_from_slice(&record.payload[..copied]);
                        plain.extend(&record.payload[copied..]);
                    }
                }
                _ => {
                    while let Some(record) = traffic.next_record() {
                        let record = record?;
                        discard += record.discard;
                        plain.extend(record.payload);
                    }
                }
            }
            Ok(Event::Data(copied))
        }
        Ok(ConnectionState::ReadEarlyData(data)) => {
            D::take_early(data, early).map(|()| Event::Early)
        }
        Ok(ConnectionState::EncodeTlsData(mut encode)) => {
            let mut need = 0;
            loop {
                let space = output.space(need);
                match encode.encode(space) {
                    Ok(n) => {
                        if let Some(random) = server_random.filter(|r| r.is_none()) {
                            *random = server_hello_random(&space[..n]);
                        }
                        output.filled(n);
                        break Ok(Event::Progress);
                    }
                    Err(EncodeError::InsufficientSize(InsufficientSizeError { required_size })) => {
                        need = required_size;
                    }
                    Err(EncodeError::AlreadyEncoded) => break Ok(Event::Progress),
                }
            }
        }
        Ok(ConnectionState::TransmitTlsData(transmit)) => {
            // The records are in the output buffer, which the operation flushes.
            transmit.done();
            Ok(Event::Progress)
        }
        Ok(ConnectionState::WriteTraffic(mut traffic)) => match want {
            Want::Write(data) => {
                let chunk = &data[..data.len().min(MAX_FRAGMENT)];
                encrypt_into(output, chunk.len() + 64, |out| traffic.encrypt(chunk, out))
                    .map(|()| Event::Wrote(chunk.len()))
            }
            Want::CloseNotify => encrypt_into(output, 64, |out| traffic.queue_close_notify(out))
                .map(|()| Event::Wrote(0)),
            Want::Nothing | Want::Read(_) => Ok(Event::NeedInput),
        },
        Ok(ConnectionState::BlockedHandshake) => Ok(Event::NeedInput),
        Ok(ConnectionState::PeerClosed | ConnectionState::Closed) => Ok(Event::PeerClosed),
        Ok(_) => Err(rustls::Error::General("unexpected rustls state".into())),
    };
    input.consume(discard);
    event
}

/// Runs `encrypt` on the output buffer's free space (at least `need` bytes), growing it to
/// the size rustls asks for when that is not enough.
fn encrypt_into(
    output: &mut RecordBuffer,
    mut need: usize,
    mut encrypt: impl FnMut(&mut [u8]) -> Result<usize, EncryptError>,
) -> Result<(), rustls::Error> {
    loop {
        match encrypt(output.space(need)) {
            Ok(n) => {
                output.filled(n);
                return Ok(());
            }
            Err(EncryptError::InsufficientSize(InsufficientSizeError { required_size })) => {
                need = required_size;
            }
            Err(e) => return Err(rustls::Error::General(e.to_string())),
        }
    }
}

/// The random of a ServerHello record (`record` is a whole record).
pub(super) fn server_hello_random(record: &[u8]) -> Option<[u8; 32]> {
    // Record header (5), handshake type 2 and length (4), legacy version (2), random (32).
    if record.len() < 43 || record[0] != 22 || record[5] != 2 {
        return None;
    }
    record[11..43].try_into().ok()
}
