//! TLS 1.3 certificate compression (RFC 8879), which OpenSSL 3.0 lacks: a server sends its
//! chain compressed (brotli or zlib) to a client that offers a `compress_certificate`
//! algorithm, and a client offers both and accepts a compressed chain. Peers that do not
//! offer it are served as before, so it is on by default.
//!
//! The switches are OpenSSL 3.2's: `SSL_OP_NO_TX_CERTIFICATE_COMPRESSION` (do not send
//! compressed certificates) and `SSL_OP_NO_RX_CERTIFICATE_COMPRESSION` (do not offer or accept
//! them), set with `SSL_CTX_set_options` or by `SSL_CONF_cmd`'s `Options =
//! -TxCertificateCompression, -RxCertificateCompression` (in `openssl.cnf`'s
//! `system_default` section too) and the `-no_tx_cert_comp` / `-no_rx_cert_comp` switches.

use rustls::compress::{
    default_cert_compressors, default_cert_decompressors, CertCompressor, CertDecompressor,
};

/// `SSL_OP_NO_TX_CERTIFICATE_COMPRESSION` (OpenSSL 3.2; unused in 3.0).
pub(crate) const NO_TX: u64 = 1 << 32;
/// `SSL_OP_NO_RX_CERTIFICATE_COMPRESSION` (OpenSSL 3.2; unused in 3.0).
pub(crate) const NO_RX: u64 = 1 << 33;

/// The algorithms a connection compresses its own certificate with, for these options.
pub(crate) fn compressors(options: u64) -> Vec<&'static dyn CertCompressor> {
    if options & NO_TX != 0 {
        return Vec::new();
    }
    default_cert_compressors().to_vec()
}

/// The algorithms a connection offers and accepts for the peer's certificate.
pub(crate) fn decompressors(options: u64) -> Vec<&'static dyn CertDecompressor> {
    if options & NO_RX != 0 {
        return Vec::new();
    }
    default_cert_decompressors().to_vec()
}

#[cfg(test)]
mod tests {
    #[test]
    fn switches() {
        assert_eq!(super::compressors(0).len(), 2);
        assert_eq!(super::decompressors(0).len(), 2);
        assert!(super::compressors(super::NO_TX).is_empty());
        assert_eq!(super::decompressors(super::NO_TX).len(), 2);
        assert!(super::decompressors(super::NO_RX).is_empty());
    }
}
