//! The names `SSL_trace` prints: OpenSSL's tables of versions, content and handshake types,
//! extensions, groups, point formats, signature algorithms, certificate types and the
//! other code points, and the lookups of a code, a cipher suite and an alert level.

pub(super) fn name(table: &[(u16, &'static str)], v: u16) -> &'static str {
    table
        .iter()
        .find(|(n, _)| *n == v)
        .map_or("UNKNOWN", |(_, s)| s)
}

pub(super) fn suite_name(id: u16) -> &'static str {
    crate::ciphers::Cipher::by_id(id)
        .and_then(|c| c.standard_name())
        .and_then(|n| n.to_str().ok())
        .filter(|n| !n.is_empty())
        .unwrap_or("UNKNOWN")
}

pub(super) fn alert_level(level: u8) -> &'static str {
    match level {
        1 => "warning",
        2 => "fatal",
        _ => "unknown",
    }
}

pub(super) const VERSIONS: &[(u16, &str)] = &[
    (0x0300, "SSL 3.0"),
    (0x0301, "TLS 1.0"),
    (0x0302, "TLS 1.1"),
    (0x0303, "TLS 1.2"),
    (0x0304, "TLS 1.3"),
    (0xfeff, "DTLS 1.0"),
    (0xfefd, "DTLS 1.2"),
    (0x0100, "DTLS 1.0 (bad)"),
];

pub(super) const CONTENT_TYPES: &[(u16, &str)] = &[
    (20, "ChangeCipherSpec"),
    (21, "Alert"),
    (22, "Handshake"),
    (23, "ApplicationData"),
];

pub(super) const HANDSHAKE_TYPES: &[(u16, &str)] = &[
    (0, "HelloRequest"),
    (1, "ClientHello"),
    (2, "ServerHello"),
    (3, "HelloVerifyRequest"),
    (4, "NewSessionTicket"),
    (5, "EndOfEarlyData"),
    (8, "EncryptedExtensions"),
    (11, "Certificate"),
    (12, "ServerKeyExchange"),
    (13, "CertificateRequest"),
    (14, "ServerHelloDone"),
    (15, "CertificateVerify"),
    (16, "ClientKeyExchange"),
    (20, "Finished"),
    (21, "CertificateUrl"),
    (22, "CertificateStatus"),
    (23, "SupplementalData"),
    (24, "KeyUpdate"),
    (67, "NextProto"),
    (254, "MessageHash"),
];

pub(super) const COMPRESSION: &[(u16, &str)] = &[(0, "No Compression"), (1, "Zlib Compression")];

pub(super) const EXTENSIONS: &[(u16, &str)] = &[
    (0, "server_name"),
    (1, "max_fragment_length"),
    (2, "client_certificate_url"),
    (3, "trusted_ca_keys"),
    (4, "truncated_hmac"),
    (5, "status_request"),
    (6, "user_mapping"),
    (7, "client_authz"),
    (8, "server_authz"),
    (9, "cert_type"),
    (10, "supported_groups"),
    (11, "ec_point_formats"),
    (12, "srp"),
    (13, "signature_algorithms"),
    (14, "use_srtp"),
    (16, "application_layer_protocol_negotiation"),
    (18, "signed_certificate_timestamps"),
    (21, "padding"),
    (22, "encrypt_then_mac"),
    (23, "extended_master_secret"),
    (35, "session_ticket"),
    (41, "psk"),
    (42, "early_data"),
    (43, "supported_versions"),
    (44, "cookie_ext"),
    (45, "psk_key_exchange_modes"),
    (47, "certificate_authorities"),
    (49, "post_handshake_auth"),
    (50, "signature_algorithms_cert"),
    (51, "key_share"),
    (0xff01, "renegotiate"),
    (13172, "next_proto_neg"),
];

pub(super) const GROUPS: &[(u16, &str)] = &[
    (1, "sect163k1 (K-163)"),
    (2, "sect163r1"),
    (3, "sect163r2 (B-163)"),
    (4, "sect193r1"),
    (5, "sect193r2"),
    (6, "sect233k1 (K-233)"),
    (7, "sect233r1 (B-233)"),
    (8, "sect239k1"),
    (9, "sect283k1 (K-283)"),
    (10, "sect283r1 (B-283)"),
    (11, "sect409k1 (K-409)"),
    (12, "sect409r1 (B-409)"),
    (13, "sect571k1 (K-571)"),
    (14, "sect571r1 (B-571)"),
    (15, "secp160k1"),
    (16, "secp160r1"),
    (17, "secp160r2"),
    (18, "secp192k1"),
    (19, "secp192r1 (P-192)"),
    (20, "secp224k1"),
    (21, "secp224r1 (P-224)"),
    (22, "secp256k1"),
    (23, "secp256r1 (P-256)"),
    (24, "secp384r1 (P-384)"),
    (25, "secp521r1 (P-521)"),
    (26, "brainpoolP256r1"),
    (27, "brainpoolP384r1"),
    (28, "brainpoolP512r1"),
    (29, "ecdh_x25519"),
    (30, "ecdh_x448"),
    (34, "GC256A"),
    (35, "GC256B"),
    (36, "GC256C"),
    (37, "GC256D"),
    (38, "GC512A"),
    (39, "GC512B"),
    (40, "GC512C"),
    (256, "ffdhe2048"),
    (257, "ffdhe3072"),
    (258, "ffdhe4096"),
    (259, "ffdhe6144"),
    (260, "ffdhe8192"),
    (0xff01, "arbitrary_explicit_prime_curves"),
    (0xff02, "arbitrary_explicit_char2_curves"),
];

pub(super) const POINT_FORMATS: &[(u16, &str)] = &[
    (0, "uncompressed"),
    (1, "ansiX962_compressed_prime"),
    (2, "ansiX962_compressed_char2"),
];

pub(super) const MAX_FRAGMENT: &[(u16, &str)] = &[
    (0, "disabled"),
    (1, "max_fragment_length := 2^9 (512 bytes)"),
    (2, "max_fragment_length := 2^10 (1024 bytes)"),
    (3, "max_fragment_length := 2^11 (2048 bytes)"),
    (4, "max_fragment_length := 2^12 (4096 bytes)"),
];

pub(super) const SIGALGS: &[(u16, &str)] = &[
    (0x0403, "ecdsa_secp256r1_sha256"),
    (0x0503, "ecdsa_secp384r1_sha384"),
    (0x0603, "ecdsa_secp521r1_sha512"),
    (0x0303, "ecdsa_sha224"),
    (0x0807, "ed25519"),
    (0x0808, "ed448"),
    (0x0203, "ecdsa_sha1"),
    (0x0804, "rsa_pss_rsae_sha256"),
    (0x0805, "rsa_pss_rsae_sha384"),
    (0x0806, "rsa_pss_rsae_sha512"),
    (0x0809, "rsa_pss_pss_sha256"),
    (0x080a, "rsa_pss_pss_sha384"),
    (0x080b, "rsa_pss_pss_sha512"),
    (0x0401, "rsa_pkcs1_sha256"),
    (0x0501, "rsa_pkcs1_sha384"),
    (0x0601, "rsa_pkcs1_sha512"),
    (0x0301, "rsa_pkcs1_sha224"),
    (0x0201, "rsa_pkcs1_sha1"),
    (0x0402, "dsa_sha256"),
    (0x0502, "dsa_sha384"),
    (0x0602, "dsa_sha512"),
    (0x0302, "dsa_sha224"),
    (0x0202, "dsa_sha1"),
    (0x0840, "gost2012_256"),
    (0x0841, "gost2012_512"),
    (0xeeee, "gost2012_256"),
    (0xefef, "gost2012_512"),
    (0xeded, "gost2001_gost94"),
];

pub(super) const CERT_TYPES: &[(u16, &str)] = &[
    (1, "rsa_sign"),
    (2, "dss_sign"),
    (3, "rsa_fixed_dh"),
    (4, "dss_fixed_dh"),
    (5, "rsa_ephemeral_dh"),
    (6, "dss_ephemeral_dh"),
    (20, "fortezza_dms"),
    (64, "ecdsa_sign"),
    (65, "rsa_fixed_ecdh"),
    (66, "ecdsa_fixed_ecdh"),
    (67, "gost_sign256"),
    (68, "gost_sign512"),
];

pub(super) const PSK_KEX_MODES: &[(u16, &str)] = &[(0, "psk_ke"), (1, "psk_dhe_ke")];

pub(super) const KEY_UPDATE: &[(u16, &str)] =
    &[(0, "update_not_requested"), (1, "update_requested")];
