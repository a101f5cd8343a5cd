//! Peer authentication hooks shared by every rustls config: the server-certificate verifier
//! (chain checks through libcrypto's `X509_verify_cert`, handshake signatures through rustls)
//! and the client-certificate resolver.

use std::sync::{Arc, OnceLock};

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::ResolvesClientCert;
use rustls::crypto::{
    verify_tls12_signature, verify_tls13_signature, verify_tls13_signature_with_raw_key,
    WebPkiSupportedAlgorithms,
};
use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;
use rustls::{
    CertificateError, DigitallySignedStruct, DistinguishedName, OtherError, SignatureScheme,
};
use rustls_pki_types::{CertificateDer, ServerName, SubjectPublicKeyInfoDer, UnixTime};

use crate::crypto_sys::{
    self as sys, validate_ct, verify_chain, Cert, ChainCheck, CtVerdict, SctList,
};
use crate::current::{self, lock};

/// `SSL_VERIFY_PEER`.
pub(crate) const VERIFY_PEER: i32 = sys::SSL_VERIFY_PEER;
/// `SSL_VERIFY_FAIL_IF_NO_PEER_CERT`.
pub(crate) const VERIFY_FAIL_IF_NO_PEER_CERT: i32 = sys::SSL_VERIFY_FAIL_IF_NO_PEER_CERT;

/// The server-certificate verifier of a client config: one shared instance (rustls only
/// resumes sessions under the verifier that made them, and curl makes a new SSL_CTX per
/// transfer), or one carrying the CA names a TLS 1.3 client sends.
pub(crate) fn server_verifier(ca_names: &[DistinguishedName]) -> Arc<dyn ServerCertVerifier> {
    static ONE: OnceLock<Arc<PeerVerifier>> = OnceLock::new();
    if ca_names.is_empty() {
        return ONE.get_or_init(|| Arc::new(PeerVerifier::new())).clone();
    }
    Arc::new(PeerVerifier {
        hints: ca_names.to_vec(),
        ..PeerVerifier::new()
    })
}

/// The one client-certificate resolver, for the same reason.
pub(crate) fn client_cert_resolver() -> Arc<dyn ResolvesClientCert> {
    static ONE: OnceLock<Arc<ClientCertHook>> = OnceLock::new();
    ONE.get_or_init(|| Arc::new(ClientCertHook)).clone()
}

/// The client-certificate verifier of a server config: one shared instance, or one
/// carrying the CA names the CertificateRequest lists.
pub(crate) fn client_verifier(ca_names: &[DistinguishedName]) -> Arc<dyn ClientCertVerifier> {
    static ONE: OnceLock<Arc<PeerVerifier>> = OnceLock::new();
    if ca_names.is_empty() {
        return ONE.get_or_init(|| Arc::new(PeerVerifier::new())).clone();
    }
    Arc::new(PeerVerifier {
        hints: ca_names.to_vec(),
        ..PeerVerifier::new()
    })
}

/// The one server-certificate resolver (servers).
pub(crate) fn server_cert_resolver() -> Arc<dyn ResolvesServerCert> {
    static ONE: OnceLock<Arc<ServerCertHook>> = OnceLock::new();
    ONE.get_or_init(|| Arc::new(ServerCertHook)).clone()
}

/// Verifies the peer of the connection in progress ([`current`]) as OpenSSL would.
#[derive(Debug)]
pub(crate) struct PeerVerifier {
    algs: WebPkiSupportedAlgorithms,
    /// CA names sent to clients (servers), or to servers (TLS 1.3 clients).
    hints: Vec<DistinguishedName>,
}

impl PeerVerifier {
    fn new() -> Self {
        Self {
            algs: rustls::crypto::aws_lc_rs::default_provider().signature_verification_algorithms,
            hints: Vec::new(),
        }
    }
}

impl PeerVerifier {
    /// The schemes this side offers to verify (a client's `signature_algorithms`, a
    /// server's certificate request), as OpenSSL offers them: the connection's configured
    /// list (`SSL_CTX_set1_client_sigalgs` for a server's request, else
    /// `SSL_CTX_set1_sigalgs`), or OpenSSL's default order; those rustls cannot verify
    /// left out.
    fn offered_schemes(&self, server: bool) -> Vec<SignatureScheme> {
        let supported = self.algs.supported_schemes();
        let configured = current::current().and_then(|state| {
            let setup = state.setup();
            let s = &setup.settings;
            let client_list = s.knobs.client_sigalgs.as_ref().filter(|_| server);
            client_list.or(s.sigalgs.as_ref()).cloned()
        });
        match configured {
            Some(list) => list.into_iter().filter(|s| supported.contains(s)).collect(),
            None => crate::sigalgs::in_openssl_order(&supported),
        }
    }
}

impl ServerCertVerifier for PeerVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        match verdict_ahead(end_entity) {
            Some(result) => result?,
            None => verify_peer(end_entity, intermediates, ocsp_response, c"ssl_server")?,
        }
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        handshake_signature(false, message, cert, dss, &self.algs)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        handshake_signature(true, message, cert, dss, &self.algs)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.offered_schemes(false)
    }

    fn root_hint_subjects(&self) -> Option<&[DistinguishedName]> {
        (!self.hints.is_empty()).then_some(&self.hints[..])
    }
}

impl ClientCertVerifier for PeerVerifier {
    fn offer_client_auth(&self) -> bool {
        requests_certificate()
    }

    fn client_auth_mandatory(&self) -> bool {
        requests_certificate() && verify_mode() & VERIFY_FAIL_IF_NO_PEER_CERT != 0
    }

    fn root_hint_subjects(&self) -> &[DistinguishedName] {
        &self.hints
    }

    fn verify_client_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        _now: UnixTime,
    ) -> Result<ClientCertVerified, rustls::Error> {
        verify_peer(end_entity, intermediates, &[], c"ssl_client")?;
        Ok(ClientCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        handshake_signature(false, message, cert, dss, &self.algs)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        handshake_signature(true, message, cert, dss, &self.algs)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.offered_schemes(true)
    }
}

/// Checks a handshake signature with the peer certificate's key.
///
/// OpenSSL accepts any certificate libcrypto can parse, whose key signs the handshake
/// (X.509 v1 certificates included, which webpki refuses): a certificate webpki cannot
/// parse has its key read by libcrypto instead, and the signature is checked against that
/// SubjectPublicKeyInfo with the same algorithms.
fn handshake_signature(
    tls13: bool,
    message: &[u8],
    cert: &CertificateDer<'_>,
    dss: &DigitallySignedStruct,
    algs: &WebPkiSupportedAlgorithms,
) -> Result<HandshakeSignatureValid, rustls::Error> {
    if let Some(state) = current::current() {
        lock(&state.status).peer_scheme = Some(dss.scheme);
    }
    if webpki::EndEntityCert::try_from(cert).is_ok() {
        return if tls13 {
            verify_tls13_signature(message, cert, dss, algs)
        } else {
            verify_tls12_signature(message, cert, dss, algs)
        };
    }
    let spki = Cert::from_der(cert)
        .and_then(|c| c.spki_der())
        .ok_or(CertificateError::BadEncoding)?;
    let spki = SubjectPublicKeyInfoDer::from(spki);
    if tls13 {
        return verify_tls13_signature_with_raw_key(message, &spki, dss, algs);
    }
    // TLS 1.2 schemes do not name an ECDSA curve: try each algorithm of the scheme.
    let key =
        webpki::RawPublicKeyEntity::try_from(&spki).map_err(|_| CertificateError::BadEncoding)?;
    let candidates = algs
        .mapping
        .iter()
        .find(|(scheme, _)| *scheme == dss.scheme)
        .map(|(_, a)| *a)
        .ok_or(rustls::PeerMisbehaved::SignedHandshakeWithUnadvertisedSigScheme)?;
    for alg in candidates {
        match key.verify_signature(*alg, message, dss.signature()) {
            Ok(()) => return Ok(HandshakeSignatureValid::assertion()),
            Err(webpki::Error::UnsupportedSignatureAlgorithmForPublicKeyContext(_)) => continue,
            Err(_) => return Err(CertificateError::BadSignature.into()),
        }
    }
    Err(CertificateError::BadSignature.into())
}

/// Whether the server of the handshake in progress asks for the client's certificate, as
/// OpenSSL's does: when verifying peers, except in a TLS 1.3 handshake with
/// `SSL_VERIFY_POST_HANDSHAKE` (OpenSSL asks after the handshake then, when the
/// application calls `SSL_verify_client_post_handshake`; rustls cannot, see the README).
/// Recorded for `SSL_get_peer_cert_chain`.
fn requests_certificate() -> bool {
    let Some(state) = current::current() else {
        return false;
    };
    let mode = lock(&state.verify).as_ref().map_or(0, |v| v.mode);
    let tls13 = lock(&state.status).version == crate::versions::TLS1_3;
    let asks = mode & VERIFY_PEER != 0 && !(tls13 && mode & sys::SSL_VERIFY_POST_HANDSHAKE != 0);
    state.outcome().certificate_requested = asks;
    asks
}

/// The verification mode of the connection in progress.
fn verify_mode() -> i32 {
    current::current().map_or(0, |state| {
        lock(&state.verify).as_ref().map_or(0, |v| v.mode)
    })
}

/// Checks the peer's chain with libcrypto, records the outcome on the connection, and
/// fails when verification failed and the mode requires it.
fn verify_peer(
    end_entity: &CertificateDer<'_>,
    intermediates: &[CertificateDer<'_>],
    ocsp_response: &[u8],
    purpose: &'static std::ffi::CStr,
) -> Result<(), rustls::Error> {
    let state = current::current()
        .ok_or_else(|| rustls::Error::General("no connection in progress".into()))?;
    let mut chain = Vec::with_capacity(1 + intermediates.len());
    for der in std::iter::once(end_entity).chain(intermediates) {
        chain.push(crate::peer_certs::parse(der).ok_or(CertificateError::BadEncoding)?);
    }
    state.outcome().ocsp_response = ocsp_response.into();
    let guard = lock(&state.verify);
    let Some(setup) = guard.as_ref() else {
        return Err(rustls::Error::General("verification not configured".into()));
    };
    // Out of its lock while libcrypto writes the match into it (a verify callback may ask
    // for it meanwhile and then finds none).
    let dane = lock(&state.dane).take();
    let check = ChainCheck {
        store: &setup.store,
        param: setup.param.as_ref(),
        callback: setup.callback,
        ex_data: setup.ex_data,
        purpose,
        replace: setup.replace,
        dane: dane.as_deref(),
    };
    let result = verify_chain(&chain[0], &chain[1..], &check);
    if dane.is_some() {
        *lock(&state.dane) = dane;
    }
    let accepted = result.ok || setup.mode & VERIFY_PEER == 0;
    {
        let mut outcome = state.outcome();
        outcome.verify_result = i64::from(result.error);
        outcome.verified_chain = result.verified_chain;
        // As in OpenSSL, a certificate that failed required verification is not the peer
        // certificate; a client keeps the chain the server sent all the same.
        if accepted || purpose == c"ssl_server" {
            outcome.peer_chain = chain;
            outcome.leaf_rejected = !accepted;
        }
    }
    if !accepted {
        return Err(verify_failure(result.error));
    }
    drop(guard);
    if purpose == c"ssl_server" {
        check_ct(&state)?;
    }
    Ok(())
}

/// The verdict on `leaf` reached ahead of rustls ([`crate::chain_ahead`]), taken.
fn verdict_ahead(leaf: &CertificateDer<'_>) -> Option<Result<(), rustls::Error>> {
    let state = current::current()?;
    let mut outcome = state.outcome();
    if outcome.verdict_ahead.as_ref()?.leaf.as_ref() != leaf.as_ref() {
        return None;
    }
    outcome.verdict_ahead.take().map(|v| v.result)
}

/// Certificate Transparency (`SSL_CTX_enable_ct`), as OpenSSL's client checks it once the
/// server's chain is verified: skipped for a chain that failed verification, has no
/// issuer, or was authenticated by a DANE-TA/DANE-EE record; otherwise the SCTs are
/// validated against the context's logs and the callback decides. A refusal fails the
/// handshake and the verification result becomes `X509_V_ERR_NO_VALID_SCTS`.
fn check_ct(state: &current::ConnState) -> Result<(), rustls::Error> {
    let (ct, logs) = {
        let setup = state.setup();
        (setup.settings.knobs.ct_validation, setup.ctx.ct_logs())
    };
    let Some((callback, arg)) = ct else {
        return Ok(());
    };
    let dane_usage = lock(&state.dane)
        .as_ref()
        .filter(|d| d.active())
        .and_then(|d| d.matched().1)
        .map(|(usage, ..)| usage);
    if matches!(dane_usage, Some(2 | 3)) {
        return Ok(());
    }
    let (leaf, issuer, scts) = {
        let mut outcome = state.outcome();
        if outcome.verify_result != 0 || outcome.verified_chain.len() <= 1 {
            return Ok(());
        }
        let Some(leaf) = outcome.peer_chain.first().cloned() else {
            return Ok(());
        };
        let issuer = outcome.verified_chain[1].clone();
        if !outcome.scts_parsed {
            outcome.scts = Some(SctList::collect(Some(&leaf), &outcome.ocsp_response));
            outcome.scts_parsed = true;
        }
        (leaf, issuer, outcome.scts.take())
    };
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let verdict = validate_ct(
        scts.as_ref(),
        &leaf,
        &issuer,
        logs.as_deref(),
        now,
        callback,
        arg,
    );
    let mut outcome = state.outcome();
    outcome.scts = scts;
    let reason = match verdict {
        CtVerdict::Accepted => return Ok(()),
        CtVerdict::Refused => sys::SSL_R_CALLBACK_FAILED,
        CtVerdict::Failed => sys::SSL_R_SCT_VERIFICATION_FAILED,
    };
    outcome.verify_result = i64::from(sys::X509_V_ERR_NO_VALID_SCTS);
    outcome.hook_error = Some(reason);
    // A handshake_failure alert, as OpenSSL sends.
    Err(rustls::Error::General("certificate transparency".into()))
}

/// The rustls error for an `X509_V_ERR_*` code, chosen for the alert rustls sends with it:
/// the alert OpenSSL's `ssl_x509err2alert` table gives each code. OpenSSL's
/// handshake_failure is what rustls sends for an error that is not a certificate error
/// ([`VERIFY_FAILED`]); internal_error (OpenSSL's for X509_V_ERR_UNSPECIFIED, a verify
/// callback that refused without saying why, and a few others) has no rustls equivalent:
/// rustls writes certificate_unknown and the connection changes it
/// ([`sends_internal_error`]).
fn verify_failure(code: i32) -> rustls::Error {
    use CertificateError as C;
    let e = match code {
        sys::X509_V_ERR_APPLICATION_VERIFICATION => {
            return rustls::Error::General(VERIFY_FAILED.into());
        }
        sys::X509_V_ERR_CERT_CHAIN_TOO_LONG
        | sys::X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT
        | sys::X509_V_ERR_INVALID_CA
        | sys::X509_V_ERR_PATH_LENGTH_EXCEEDED
        | sys::X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN
        | sys::X509_V_ERR_UNABLE_TO_GET_CRL
        | sys::X509_V_ERR_UNABLE_TO_GET_CRL_ISSUER
        | sys::X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT
        | sys::X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY
        | sys::X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE => C::UnknownIssuer,
        sys::X509_V_ERR_CERT_HAS_EXPIRED | sys::X509_V_ERR_CRL_HAS_EXPIRED => C::Expired,
        sys::X509_V_ERR_CERT_REVOKED => C::Revoked,
        sys::X509_V_ERR_CERT_SIGNATURE_FAILURE | sys::X509_V_ERR_CRL_SIGNATURE_FAILURE => {
            C::BadSignature
        }
        sys::X509_V_ERR_INVALID_PURPOSE => C::InvalidPurpose,
        sys::X509_V_ERR_CA_KEY_TOO_SMALL
        | sys::X509_V_ERR_EC_KEY_EXPLICIT_PARAMS
        | sys::X509_V_ERR_CA_MD_TOO_WEAK
        | sys::X509_V_ERR_CERT_NOT_YET_VALID
        | sys::X509_V_ERR_CERT_REJECTED
        | sys::X509_V_ERR_CERT_UNTRUSTED
        | sys::X509_V_ERR_CRL_NOT_YET_VALID
        | sys::X509_V_ERR_DANE_NO_MATCH
        | sys::X509_V_ERR_EE_KEY_TOO_SMALL
        | sys::X509_V_ERR_EMAIL_MISMATCH
        | sys::X509_V_ERR_ERROR_IN_CERT_NOT_AFTER_FIELD
        | sys::X509_V_ERR_ERROR_IN_CERT_NOT_BEFORE_FIELD
        | sys::X509_V_ERR_ERROR_IN_CRL_LAST_UPDATE_FIELD
        | sys::X509_V_ERR_ERROR_IN_CRL_NEXT_UPDATE_FIELD
        | sys::X509_V_ERR_HOSTNAME_MISMATCH
        | sys::X509_V_ERR_IP_ADDRESS_MISMATCH
        | sys::X509_V_ERR_UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY
        | sys::X509_V_ERR_UNABLE_TO_DECRYPT_CERT_SIGNATURE
        | sys::X509_V_ERR_UNABLE_TO_DECRYPT_CRL_SIGNATURE => C::BadEncoding,
        _ => C::Other(OtherError(Arc::new(VerifyFailed(code)))),
    };
    rustls::Error::InvalidCertificate(e)
}

/// Whether OpenSSL answers the verification failure `code` with internal_error (its
/// `ssl_x509err2alert` table): rustls sends certificate_unknown for these (see
/// [`verify_failure`]), which the connection changes.
pub(crate) fn sends_internal_error(code: i64) -> bool {
    [
        sys::X509_V_ERR_UNSPECIFIED,
        sys::X509_V_ERR_OUT_OF_MEM,
        sys::X509_V_ERR_INVALID_CALL,
        sys::X509_V_ERR_STORE_LOOKUP,
    ]
    .iter()
    .any(|c| i64::from(*c) == code)
}

/// The message of the error [`verify_failure`] gives for a failure OpenSSL answers with
/// handshake_failure; the connection reports it as the verification failure it is.
pub(crate) const VERIFY_FAILED: &str = "certificate verify failed";

/// An `X509_V_ERR_*` code without a closer rustls equivalent.
#[derive(Debug)]
struct VerifyFailed(i32);

impl std::fmt::Display for VerifyFailed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "certificate verification failed (X509_V_ERR {})", self.0)
    }
}

impl std::error::Error for VerifyFailed {}

/// Offers the client certificate of the connection in progress.
#[derive(Debug)]
pub(crate) struct ClientCertHook;

impl ResolvesClientCert for ClientCertHook {
    fn resolve(
        &self,
        root_hint_subjects: &[&[u8]],
        sigschemes: &[SignatureScheme],
    ) -> Option<Arc<CertifiedKey>> {
        let state = current::current()?;
        // `SSL_get_client_CA_list` on a client reports the names the server asked for,
        // `SSL_get_sigalgs` its schemes. As in OpenSSL, a TLS 1.2 request always has a
        // list (maybe empty); a TLS 1.3 one has names only in its certificate_authorities
        // extension, and without it there is no list (NULL: stunnel logs "list not
        // found"). rustls hands over no names for a missing extension, which cannot be
        // empty when present.
        let tls13 = lock(&state.status).version == crate::versions::TLS1_3;
        *lock(&state.peer_ca_names) = (!tls13 || !root_hint_subjects.is_empty())
            .then(|| root_hint_subjects.iter().map(|n| n.to_vec()).collect());
        state.outcome().peer_sigalgs = Some(sigschemes.iter().map(|s| u16::from(*s)).collect());
        // The server's chain, read ahead, is verified first (crate::chain_ahead), as
        // OpenSSL verifies it before it asks for a certificate; after a failure the
        // application is not asked, and rustls's verifier fails the handshake.
        let ahead = state.outcome().chain_ahead.take();
        if let Some((leaf, rest)) = ahead.as_ref().and_then(|a| a.certs.split_first()) {
            let ocsp = ahead.as_ref().map_or(&[][..], |a| &a.ocsp[..]);
            let result = verify_peer(leaf, rest, ocsp, c"ssl_server");
            let failed = result.is_err();
            state.outcome().verdict_ahead = Some(Box::new(crate::chain_ahead::Verdict {
                leaf: leaf.clone(),
                result,
            }));
            if failed {
                return None;
            }
        }
        // The application's certificate callbacks may set the certificate now.
        match state.events.client_cert_requested() {
            Ok(false) => {}
            Ok(true) => {
                let keys = crate::credentials::presented(&state.setup()).ok()?;
                *lock(&state.credentials) = keys;
            }
            Err(reason) => {
                state.outcome().hook_error = Some(reason);
                return None;
            }
        }
        let keys = lock(&state.credentials);
        pick(&keys, sigschemes)
    }

    fn has_certs(&self) -> bool {
        true
    }
}

/// Presents a certificate of the connection in progress (servers) whose key can sign with
/// a scheme the client offered.
#[derive(Debug)]
pub(crate) struct ServerCertHook;

impl ResolvesServerCert for ServerCertHook {
    fn resolve(&self, hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        let state = current::current()?;
        let offered = hello.signature_schemes();
        let keys = lock(&state.credentials);
        // With no scheme left (rustls drops those of suites the client does not share),
        // offer the first key anyway: rustls then fails the handshake as "no shared
        // cipher" with a handshake_failure alert, which is what OpenSSL reports.
        pick(&keys, offered).or_else(|| keys.first().cloned())
    }
}

/// The first key able to sign with the peer's most preferred scheme that any key supports
/// (an ECDSA certificate for a client that lists ECDSA first, RSA otherwise).
fn pick(keys: &[Arc<CertifiedKey>], schemes: &[SignatureScheme]) -> Option<Arc<CertifiedKey>> {
    schemes.iter().find_map(|scheme| {
        keys.iter()
            .find(|k| k.key.choose_scheme(std::slice::from_ref(scheme)).is_some())
            .cloned()
    })
}
