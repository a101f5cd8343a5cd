//! The shim's error type and its mapping to OpenSSL's (library, reason) codes.

use std::fmt;
use std::sync::Arc;

use rustls::{AlertDescription, CertificateError, InvalidMessage, OtherError, PeerIncompatible};

use crate::crypto_sys as sys;

/// Every failure the core reports. Each maps to exactly one OpenSSL (library, reason).
#[derive(Debug)]
pub(crate) enum Error {
    /// A required pointer argument was NULL.
    NullArgument,
    /// An argument had a value OpenSSL would also refuse.
    BadValue,
    /// A feature this implementation does not provide; the string names it.
    NotSupported(&'static str),
    /// A failure with a specific `SSL_R_*` reason, chosen where it was detected.
    Reason(i32),
    /// The TLS protocol failed, as reported by rustls.
    Tls(rustls::Error),
    /// Peer certificate verification failed with this `X509_V_ERR_*` code.
    Verify(i32),
    /// The transport reached EOF before the peer's close_notify.
    UnexpectedEof,
    /// The transport failed (errno-style).
    Io(std::io::Error),
    /// A file could not be read (queued as a system error with its errno, as OpenSSL does).
    File(std::io::Error),
    /// libcrypto failed and has already queued its own error.
    Crypto,
    /// A failure OpenSSL reports by its return value alone, queueing nothing.
    Silent,
    /// A failure with a reason and OpenSSL's extra data text (`cmd=NAME, value=V`).
    Detailed(i32, String),
    /// A panic was caught at the C boundary.
    Internal,
}

/// Shorthand for results of core functions.
///
/// cbindgen:ignore
/// (cbindgen resolves names without scopes: it would take every two-parameter `Result` of
/// the crate for this alias and fail.)
pub(crate) type Result<T> = std::result::Result<T, Error>;

impl Error {
    /// The (library, reason) pair OpenSSL would queue for this failure.
    pub(crate) fn code(&self) -> (i32, i32) {
        let ssl = sys::ERR_LIB_SSL;
        match self {
            Self::NullArgument => (ssl, sys::ERR_R_PASSED_NULL_PARAMETER),
            Self::BadValue => (ssl, sys::SSL_R_BAD_VALUE),
            Self::NotSupported(_) => (ssl, sys::ERR_R_UNSUPPORTED),
            Self::Reason(r) | Self::Detailed(r, _) => (ssl, *r),
            Self::Tls(e) => (ssl, tls_reason(e)),
            Self::Verify(_) => (ssl, sys::SSL_R_CERTIFICATE_VERIFY_FAILED),
            Self::UnexpectedEof => (ssl, sys::SSL_R_UNEXPECTED_EOF_WHILE_READING),
            Self::File(e) => (sys::ERR_LIB_SYS, e.raw_os_error().unwrap_or(0)),
            // OpenSSL reports transport failures through errno (SSL_ERROR_SYSCALL), not the queue.
            Self::Io(_) | Self::Crypto | Self::Silent => (0, 0),
            Self::Internal => (ssl, sys::ERR_R_INTERNAL_ERROR),
        }
    }
}

impl Error {
    /// The text OpenSSL attaches to the error it queues (programs print it after the
    /// reason), if any. OpenSSL attaches none to most protocol errors: rustls's own
    /// description of a TLS failure goes to RUSTLS_LIBSSL_DEBUG only. A peer's fatal alert
    /// carries its number, as OpenSSL's record layer queues it ("SSL alert number 70").
    pub(crate) fn data(&self) -> Option<String> {
        match self {
            Self::NotSupported(_) | Self::Detailed(..) => Some(self.to_string()),
            Self::Tls(rustls::Error::AlertReceived(alert)) => {
                Some(format!("SSL alert number {}", u8::from(*alert)))
            }
            _ => None,
        }
    }

    /// Whether OpenSSL puts a connection into its error state for this failure
    /// (`SSLfatal`): protocol failures do; a transport error, a call the connection is not
    /// ready for (no role, writing after shutdown) or a refused argument does not.
    pub(crate) fn is_fatal_to_connection(&self) -> bool {
        match self {
            Self::Io(_)
            | Self::Silent
            | Self::NullArgument
            | Self::BadValue
            | Self::NotSupported(_) => false,
            Self::Reason(r) => ![
                sys::SSL_R_UNINITIALIZED,
                sys::SSL_R_PROTOCOL_IS_SHUTDOWN,
                sys::SSL_R_SHUTDOWN_WHILE_IN_INIT,
                sys::SSL_R_CONNECTION_TYPE_NOT_SET,
                sys::ERR_R_SHOULD_NOT_HAVE_BEEN_CALLED,
            ]
            .contains(r),
            _ => true,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotSupported(what) => write!(f, "{what} is not supported by rustls-libssl"),
            Self::Tls(e) => write!(f, "{e}"),
            Self::Verify(code) => write!(f, "verify error {code}"),
            Self::Io(e) | Self::File(e) => write!(f, "{e}"),
            Self::Detailed(_, detail) => f.write_str(detail),
            other => write!(f, "{other:?}"),
        }
    }
}

impl From<rustls::Error> for Error {
    fn from(e: rustls::Error) -> Self {
        Self::Tls(e)
    }
}

/// A protocol failure for which OpenSSL has a reason and an alert of its own that no
/// rustls error names (the limits of its record layer, the checks of received alerts and
/// key updates). Code that speaks `rustls::Error` carries it as `rustls::Error::Other`:
/// [`tls_reason`] reports its reason and [`crate::record::alert_for`] sends its alert.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Refusal {
    /// The `SSL_R_*` reason.
    pub reason: i32,
    /// The alert sent to the peer.
    pub alert: AlertDescription,
}

impl Refusal {
    /// The rustls error that carries `reason` and `alert`.
    pub(crate) fn error(reason: i32, alert: AlertDescription) -> rustls::Error {
        rustls::Error::Other(OtherError(Arc::new(Self { reason, alert })))
    }

    /// The refusal `e` carries, if it is one.
    pub(crate) fn of(e: &rustls::Error) -> Option<Self> {
        match e {
            rustls::Error::Other(OtherError(inner)) => inner.downcast_ref::<Self>().copied(),
            _ => None,
        }
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SSL reason {} (alert {:?})", self.reason, self.alert)
    }
}

impl std::error::Error for Refusal {}

/// The `SSL_R_*` reason OpenSSL reports for the equivalent protocol failure.
pub(crate) fn tls_reason(e: &rustls::Error) -> i32 {
    use rustls::Error as E;

    if let Some(refusal) = Refusal::of(e) {
        return refusal.reason;
    }
    match e {
        E::AlertReceived(alert) => alert_reason(*alert),
        E::InappropriateMessage { .. } | E::InappropriateHandshakeMessage { .. } => {
            sys::SSL_R_UNEXPECTED_MESSAGE
        }
        E::InvalidMessage(m) => match m {
            InvalidMessage::InvalidContentType | InvalidMessage::UnknownProtocolVersion => {
                sys::SSL_R_WRONG_VERSION_NUMBER
            }
            InvalidMessage::MessageTooLarge => sys::SSL_R_PACKET_LENGTH_TOO_LONG,
            InvalidMessage::MessageTooShort | InvalidMessage::InvalidEmptyPayload => {
                sys::SSL_R_RECORD_TOO_SMALL
            }
            InvalidMessage::UnexpectedMessage(_) => sys::SSL_R_UNEXPECTED_MESSAGE,
            // Undecodable handshake messages: OpenSSL's length checks catch most of these.
            _ => sys::SSL_R_LENGTH_MISMATCH,
        },
        E::NoCertificatesPresented => sys::SSL_R_PEER_DID_NOT_RETURN_A_CERTIFICATE,
        E::DecryptError => sys::SSL_R_DECRYPTION_FAILED_OR_BAD_RECORD_MAC,
        E::PeerSentOversizedRecord => sys::SSL_R_PACKET_LENGTH_TOO_LONG,
        E::NoApplicationProtocol => sys::SSL_R_NO_APPLICATION_PROTOCOL,
        E::InvalidCertificate(CertificateError::Expired) => sys::SSL_R_CERTIFICATE_VERIFY_FAILED,
        E::InvalidCertificate(_) => sys::SSL_R_CERTIFICATE_VERIFY_FAILED,
        E::PeerIncompatible(p) => match p {
            PeerIncompatible::NoCipherSuitesInCommon => sys::SSL_R_NO_SHARED_CIPHER,
            PeerIncompatible::NoKxGroupsInCommon
            | PeerIncompatible::KeyShareExtensionRequired
            | PeerIncompatible::NamedGroupsExtensionRequired => sys::SSL_R_NO_SUITABLE_KEY_SHARE,
            PeerIncompatible::NoSignatureSchemesInCommon
            | PeerIncompatible::NoCertificateRequestSignatureSchemesInCommon => {
                sys::SSL_R_NO_SUITABLE_SIGNATURE_ALGORITHM
            }
            PeerIncompatible::NullCompressionRequired => sys::SSL_R_NO_COMPRESSION_SPECIFIED,
            // A client that cannot do TLS 1.2 or 1.3 (no signature_algorithms or
            // supported_versions extension), or versions disabled on either side.
            PeerIncompatible::ServerDoesNotSupportTls12Or13
            | PeerIncompatible::SignatureAlgorithmsExtensionRequired
            | PeerIncompatible::SupportedVersionsExtensionRequired
            | PeerIncompatible::ServerTlsVersionIsDisabledByOurConfig
            | PeerIncompatible::Tls12NotOffered
            | PeerIncompatible::Tls12NotOfferedOrEnabled
            | PeerIncompatible::Tls13RequiredForQuic => sys::SSL_R_UNSUPPORTED_PROTOCOL,
            _ => sys::SSL_R_SSL_HANDSHAKE_FAILURE,
        },
        // A peer breaking the protocol: the reason OpenSSL gives most such failures.
        E::PeerMisbehaved(_) => sys::SSL_R_UNEXPECTED_MESSAGE,
        E::HandshakeNotComplete => sys::SSL_R_UNEXPECTED_EOF_WHILE_READING,
        _ => sys::ERR_R_INTERNAL_ERROR,
    }
}

/// OpenSSL reports a received alert as `SSL_AD_REASON_OFFSET + alert code`
/// (e.g. 1048, "tlsv1 alert unknown ca").
pub(crate) fn alert_reason(alert: AlertDescription) -> i32 {
    sys::SSL_AD_REASON_OFFSET + i32::from(u8::from(alert))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Pins the reasons nginx and curl branch on to OpenSSL's numbers.
    #[test]
    fn reason_table() {
        let cases: &[(rustls::Error, i32)] = &[
            (
                rustls::Error::AlertReceived(AlertDescription::UnknownCA),
                1048,
            ),
            (
                rustls::Error::AlertReceived(AlertDescription::HandshakeFailure),
                1040,
            ),
            (
                rustls::Error::AlertReceived(AlertDescription::ProtocolVersion),
                1070,
            ),
            (
                rustls::Error::InvalidMessage(InvalidMessage::InvalidContentType),
                267,
            ),
            (
                rustls::Error::InvalidMessage(InvalidMessage::UnknownProtocolVersion),
                267,
            ),
            (rustls::Error::DecryptError, 281),
            (
                rustls::Error::InvalidCertificate(CertificateError::UnknownIssuer),
                134,
            ),
            (
                rustls::Error::PeerIncompatible(PeerIncompatible::NoCipherSuitesInCommon),
                193,
            ),
            (
                rustls::Error::PeerIncompatible(PeerIncompatible::NoKxGroupsInCommon),
                101,
            ),
            (rustls::Error::NoApplicationProtocol, 235),
            (
                rustls::Error::PeerIncompatible(
                    PeerIncompatible::SignatureAlgorithmsExtensionRequired,
                ),
                258,
            ),
        ];
        for (err, reason) in cases {
            assert_eq!(tls_reason(err), *reason, "{err:?}");
        }
    }

    /// Which failures put a connection into OpenSSL's error state.
    #[test]
    fn fatal_to_connection() {
        let io = std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "eof");
        assert!(!Error::Io(io).is_fatal_to_connection());
        assert!(!Error::Silent.is_fatal_to_connection());
        assert!(!Error::Reason(sys::SSL_R_UNINITIALIZED).is_fatal_to_connection());
        assert!(!Error::Reason(sys::SSL_R_PROTOCOL_IS_SHUTDOWN).is_fatal_to_connection());
        assert!(!Error::Reason(sys::SSL_R_SHUTDOWN_WHILE_IN_INIT).is_fatal_to_connection());
        assert!(Error::UnexpectedEof.is_fatal_to_connection());
        assert!(Error::Tls(rustls::Error::DecryptError).is_fatal_to_connection());
        assert!(Error::Verify(20).is_fatal_to_connection());
        assert!(
            Error::Reason(sys::SSL_R_APPLICATION_DATA_AFTER_CLOSE_NOTIFY).is_fatal_to_connection()
        );
    }

    /// A refusal reports its own reason and sends its own alert; another error carried as
    /// `Other` is an internal error.
    #[test]
    fn refusal_reason_and_alert() {
        let e = Refusal::error(
            sys::SSL_R_TOO_MANY_WARN_ALERTS,
            AlertDescription::UnexpectedMessage,
        );
        assert_eq!(tls_reason(&e), 409);
        assert_eq!(Error::Tls(e.clone()).code(), (20, 409));
        assert_eq!(
            crate::record::alert_for(&e, true),
            Some(AlertDescription::UnexpectedMessage)
        );
        let e = Refusal::error(
            sys::SSL_R_RECORD_TOO_SMALL,
            AlertDescription::UnexpectedMessage,
        );
        assert_eq!(tls_reason(&e), 298);
        let other = rustls::Error::Other(OtherError(Arc::new(fmt::Error)));
        assert_eq!(Refusal::of(&other), None);
        assert_eq!(tls_reason(&other), sys::ERR_R_INTERNAL_ERROR);
        assert_eq!(
            crate::record::alert_for(&other, false),
            Some(AlertDescription::InternalError)
        );
    }

    /// The text queued with an error: a peer's alert number, as OpenSSL's record layer
    /// adds it; nothing for other protocol failures.
    #[test]
    fn error_data() {
        let alert = Error::Tls(rustls::Error::AlertReceived(
            AlertDescription::ProtocolVersion,
        ));
        assert_eq!(alert.data().as_deref(), Some("SSL alert number 70"));
        let unknown = Error::Tls(rustls::Error::AlertReceived(AlertDescription::Unknown(200)));
        assert_eq!(unknown.data().as_deref(), Some("SSL alert number 200"));
        assert_eq!(Error::Tls(rustls::Error::DecryptError).data(), None);
        assert_eq!(Error::Verify(20).data(), None);
        assert!(Error::NotSupported("DTLS").data().is_some());
    }

    #[test]
    fn eof_and_verify_reasons() {
        assert_eq!(Error::UnexpectedEof.code(), (20, 294));
        assert_eq!(Error::Verify(20).code(), (20, 134));
    }
}
