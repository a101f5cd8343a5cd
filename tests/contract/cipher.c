/* Export contract: cipher suites (the SSL_CIPHER accessors on every suite of the default
 * list and on suites looked up by their wire bytes), cipher strings and TLS 1.3 suite lists,
 * the ciphers and signature algorithms negotiated in TLS 1.2 and 1.3 handshakes, group
 * names, and compression (which OpenSSL 3.0 offers none of here). */
#include <openssl/comp.h>

#include "contract.h"

/* Every accessor on one suite, one line each, keyed ACCESSOR.SUITE. */
static void cipher_lines(SSL *ssl, const SSL_CIPHER *c)
{
    const char *n = SSL_CIPHER_get_name(c);
    char key[128], desc[256];
    int alg_bits = SENT_INT;
    const EVP_MD *md;
    unsigned char wire[2];
    char *alloc;

#define K(what) (snprintf(key, sizeof(key), "%s.%s", what, n), key)
    report(K("SSL_CIPHER_get_name"), "%s", STR(SSL_CIPHER_get_name(c)));
    report(K("SSL_CIPHER_standard_name"), "%s", STR(SSL_CIPHER_standard_name(c)));
    report(K("OPENSSL_cipher_name"), "%s", STR(OPENSSL_cipher_name(SSL_CIPHER_standard_name(c))));
    report(K("SSL_CIPHER_get_id"), "%#x", (unsigned)SSL_CIPHER_get_id(c));
    report(K("SSL_CIPHER_get_protocol_id"), "%#x", (unsigned)SSL_CIPHER_get_protocol_id(c));
    report(K("SSL_CIPHER_get_version"), "%s", STR(SSL_CIPHER_get_version(c)));
    REPORT_OUT(K("SSL_CIPHER_get_bits"), int, SSL_CIPHER_get_bits(c, &alg_bits), "%d, alg_bits %d", alg_bits);
    report(K("SSL_CIPHER_get_bits.null_out"), "%d", SSL_CIPHER_get_bits(c, NULL));
    report(K("SSL_CIPHER_get_cipher_nid"), "%s", OBJ_nid2sn(SSL_CIPHER_get_cipher_nid(c)));
    report(K("SSL_CIPHER_get_digest_nid"), "%s", OBJ_nid2sn(SSL_CIPHER_get_digest_nid(c)));
    report(K("SSL_CIPHER_get_kx_nid"), "%s", OBJ_nid2sn(SSL_CIPHER_get_kx_nid(c)));
    report(K("SSL_CIPHER_get_auth_nid"), "%s", OBJ_nid2sn(SSL_CIPHER_get_auth_nid(c)));
    md = SSL_CIPHER_get_handshake_digest(c);
    report(K("SSL_CIPHER_get_handshake_digest"), "%s", md ? EVP_MD_get0_name(md) : "NULL");
    report(K("SSL_CIPHER_is_aead"), "%d", SSL_CIPHER_is_aead(c));
    memset(desc, 0, sizeof(desc));
    REPORT_WITH(K("SSL_CIPHER_description"), char *, SSL_CIPHER_description(c, desc, sizeof(desc)), "%s, buf %s",
               SAME(ret_, desc), STR(strtok(desc, "\n")));
    alloc = SSL_CIPHER_description(c, NULL, 0);
    report(K("SSL_CIPHER_description.alloc"), "%s", alloc ? STR(strtok(alloc, "\n")) : "NULL");
    OPENSSL_free(alloc);
    report(K("SSL_CIPHER_description.short_buf"), "%s", P(SSL_CIPHER_description(c, desc, 100)));
    wire[0] = (unsigned char)(SSL_CIPHER_get_protocol_id(c) >> 8);
    wire[1] = (unsigned char)SSL_CIPHER_get_protocol_id(c);
    report(K("SSL_CIPHER_find"), "%s", SAME(SSL_CIPHER_find(ssl, wire), c));
#undef K
}

static void default_list(void)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_method());
    SSL *ssl = SSL_new(ctx);
    STACK_OF(SSL_CIPHER) *sk = SSL_CTX_get_ciphers(ctx);
    char joined[8000] = "";
    const char *name;
    int i;

    report("OSSL_default_cipher_list", "%s", STR(OSSL_default_cipher_list()));
    report("OSSL_default_ciphersuites", "%s", STR(OSSL_default_ciphersuites()));
    report("SSL_CTX_get_ciphers", "%s", CIPHERS(sk));
    report("SSL_get_ciphers", "%s", CIPHERS(SSL_get_ciphers(ssl)));
    for (i = 0; (name = SSL_get_cipher_list(ssl, i)) != NULL && i < 500; i++) {
        strncat(joined, i ? ":" : "", sizeof(joined) - strlen(joined) - 1);
        strncat(joined, name, sizeof(joined) - strlen(joined) - 1);
    }
    report("SSL_get_cipher_list", "%d names [%s]", i, joined);
    report("SSL_get_cipher_list.past_end", "%s", STR(SSL_get_cipher_list(ssl, 10000)));
    report("SSL_CIPHER_get_name.null", "%s", STR(SSL_CIPHER_get_name(NULL)));
    report("SSL_CIPHER_standard_name.null", "%s", STR(SSL_CIPHER_standard_name(NULL)));
    report("SSL_CIPHER_get_version.null", "%s", STR(SSL_CIPHER_get_version(NULL)));
    report("SSL_CIPHER_get_bits.null", "%d", SSL_CIPHER_get_bits(NULL, NULL));
    report("SSL_CIPHER_get_cipher_nid.null", "%d", SSL_CIPHER_get_cipher_nid(NULL));
    report("OPENSSL_cipher_name.unknown", "%s", STR(OPENSSL_cipher_name("TLS_NO_SUCH_SUITE")));
    report("OPENSSL_cipher_name.null", "%s", STR(OPENSSL_cipher_name(NULL)));
    report("OPENSSL_cipher_name.tls12", "%s", STR(OPENSSL_cipher_name("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256")));
    SSL_free(ssl);
    SSL_CTX_free(ctx);
}

/* The accessors on every suite of OpenSSL's default list (looked up by wire bytes, in the
 * list's order, so that they run even where SSL_CTX_get_ciphers does not), then on suites
 * outside it, and bytes that name no suite. */
static void find_and_describe(const unsigned char (*ids)[2], size_t n)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_method());
    SSL *ssl = SSL_new(ctx);

    for (size_t i = 0; i < n; i++) {
        const SSL_CIPHER *c = SSL_CIPHER_find(ssl, ids[i]);
        char key[64];
        snprintf(key, sizeof(key), "SSL_CIPHER_find.%02X%02X", ids[i][0], ids[i][1]);
        report(key, "%s", CIPHER(c));
        if (c != NULL)
            cipher_lines(ssl, c);
    }
    SSL_free(ssl);
    SSL_CTX_free(ctx);
}

static void properties(void)
{
    static const unsigned char ids[][2] = {
        {0x13, 0x02}, /* TLS_AES_256_GCM_SHA384 */
        {0x13, 0x03}, /* TLS_CHACHA20_POLY1305_SHA256 */
        {0x13, 0x01}, /* TLS_AES_128_GCM_SHA256 */
        {0xC0, 0x2C}, /* ECDHE-ECDSA-AES256-GCM-SHA384 */
        {0xC0, 0x30}, /* ECDHE-RSA-AES256-GCM-SHA384 */
        {0x00, 0x9F}, /* DHE-RSA-AES256-GCM-SHA384 */
        {0xCC, 0xA9}, /* ECDHE-ECDSA-CHACHA20-POLY1305 */
        {0xCC, 0xA8}, /* ECDHE-RSA-CHACHA20-POLY1305 */
        {0xCC, 0xAA}, /* DHE-RSA-CHACHA20-POLY1305 */
        {0xC0, 0x2B}, /* ECDHE-ECDSA-AES128-GCM-SHA256 */
        {0xC0, 0x2F}, /* ECDHE-RSA-AES128-GCM-SHA256 */
        {0x00, 0x9E}, /* DHE-RSA-AES128-GCM-SHA256 */
        {0xC0, 0x24}, /* ECDHE-ECDSA-AES256-SHA384 */
        {0xC0, 0x28}, /* ECDHE-RSA-AES256-SHA384 */
        {0x00, 0x6B}, /* DHE-RSA-AES256-SHA256 */
        {0xC0, 0x23}, /* ECDHE-ECDSA-AES128-SHA256 */
        {0xC0, 0x27}, /* ECDHE-RSA-AES128-SHA256 */
        {0x00, 0x67}, /* DHE-RSA-AES128-SHA256 */
        {0xC0, 0x0A}, /* ECDHE-ECDSA-AES256-SHA */
        {0xC0, 0x14}, /* ECDHE-RSA-AES256-SHA */
        {0x00, 0x39}, /* DHE-RSA-AES256-SHA */
        {0xC0, 0x09}, /* ECDHE-ECDSA-AES128-SHA */
        {0xC0, 0x13}, /* ECDHE-RSA-AES128-SHA */
        {0x00, 0x33}, /* DHE-RSA-AES128-SHA */
        {0x00, 0xAD}, /* RSA-PSK-AES256-GCM-SHA384 */
        {0x00, 0xAB}, /* DHE-PSK-AES256-GCM-SHA384 */
        {0xCC, 0xAE}, /* RSA-PSK-CHACHA20-POLY1305 */
        {0xCC, 0xAD}, /* DHE-PSK-CHACHA20-POLY1305 */
        {0xCC, 0xAC}, /* ECDHE-PSK-CHACHA20-POLY1305 */
        {0x00, 0x9D}, /* AES256-GCM-SHA384 */
        {0x00, 0xA9}, /* PSK-AES256-GCM-SHA384 */
        {0xCC, 0xAB}, /* PSK-CHACHA20-POLY1305 */
        {0x00, 0xAC}, /* RSA-PSK-AES128-GCM-SHA256 */
        {0x00, 0xAA}, /* DHE-PSK-AES128-GCM-SHA256 */
        {0x00, 0x9C}, /* AES128-GCM-SHA256 */
        {0x00, 0xA8}, /* PSK-AES128-GCM-SHA256 */
        {0x00, 0x3D}, /* AES256-SHA256 */
        {0x00, 0x3C}, /* AES128-SHA256 */
        {0xC0, 0x38}, /* ECDHE-PSK-AES256-CBC-SHA384 */
        {0xC0, 0x36}, /* ECDHE-PSK-AES256-CBC-SHA */
        {0xC0, 0x21}, /* SRP-RSA-AES-256-CBC-SHA */
        {0xC0, 0x20}, /* SRP-AES-256-CBC-SHA */
        {0x00, 0xB7}, /* RSA-PSK-AES256-CBC-SHA384 */
        {0x00, 0xB3}, /* DHE-PSK-AES256-CBC-SHA384 */
        {0x00, 0x95}, /* RSA-PSK-AES256-CBC-SHA */
        {0x00, 0x91}, /* DHE-PSK-AES256-CBC-SHA */
        {0x00, 0x35}, /* AES256-SHA */
        {0x00, 0xAF}, /* PSK-AES256-CBC-SHA384 */
        {0x00, 0x8D}, /* PSK-AES256-CBC-SHA */
        {0xC0, 0x37}, /* ECDHE-PSK-AES128-CBC-SHA256 */
        {0xC0, 0x35}, /* ECDHE-PSK-AES128-CBC-SHA */
        {0xC0, 0x1E}, /* SRP-RSA-AES-128-CBC-SHA */
        {0xC0, 0x1D}, /* SRP-AES-128-CBC-SHA */
        {0x00, 0xB6}, /* RSA-PSK-AES128-CBC-SHA256 */
        {0x00, 0xB2}, /* DHE-PSK-AES128-CBC-SHA256 */
        {0x00, 0x94}, /* RSA-PSK-AES128-CBC-SHA */
        {0x00, 0x90}, /* DHE-PSK-AES128-CBC-SHA */
        {0x00, 0x2F}, /* AES128-SHA */
        {0x00, 0xAE}, /* PSK-AES128-CBC-SHA256 */
        {0x00, 0x8C}, /* PSK-AES128-CBC-SHA */
    };
    find_and_describe(ids, sizeof(ids) / sizeof(ids[0]));
}

static void find(void)
{
    static const unsigned char ids[][2] = {
        {0x00, 0x0A}, /* DES-CBC3-SHA */
        {0x13, 0x04}, /* TLS_AES_128_CCM_SHA256 */
        {0x13, 0x05}, /* TLS_AES_128_CCM_8_SHA256 */
        {0xC0, 0x9C}, /* AES128-CCM */
        {0x00, 0x3B}, /* NULL-SHA256 */
        {0xFE, 0xFE}, /* none */
        {0x00, 0xFF}, /* TLS_EMPTY_RENEGOTIATION_INFO_SCSV */
        {0x56, 0x00}, /* TLS_FALLBACK_SCSV */
    };
    find_and_describe(ids, sizeof(ids) / sizeof(ids[0]));
}

static void setting(void)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_method());
    SSL *ssl;

    report("SSL_CTX_set_cipher_list.ecdhe_aesgcm", "%d", SSL_CTX_set_cipher_list(ctx, "ECDHE+AESGCM"));
    report("SSL_CTX_get_ciphers.ecdhe_aesgcm", "%s", CIPHERS(SSL_CTX_get_ciphers(ctx)));
    report("SSL_CTX_set_cipher_list.high", "%d", SSL_CTX_set_cipher_list(ctx, "HIGH:!aNULL:!MD5:@STRENGTH"));
    report("SSL_CTX_get_ciphers.high", "%s", CIPHERS(SSL_CTX_get_ciphers(ctx)));
    report("SSL_CTX_set_cipher_list.nginx_default", "%d", SSL_CTX_set_cipher_list(ctx, "HIGH:!aNULL:!MD5"));
    report("SSL_CTX_set_cipher_list.seclevel0", "%d", SSL_CTX_set_cipher_list(ctx, "DEFAULT:@SECLEVEL=0"));
    report("SSL_CTX_get_security_level.after_seclevel0", "%d", SSL_CTX_get_security_level(ctx));
    report("SSL_CTX_set_cipher_list.nomatch", "%d", SSL_CTX_set_cipher_list(ctx, "NOSUCHCIPHER"));
    report("SSL_CTX_get_ciphers.after_nomatch", "%s", CIPHERS(SSL_CTX_get_ciphers(ctx)));
    report("SSL_CTX_set_cipher_list.partly_unknown", "%d", SSL_CTX_set_cipher_list(ctx, "NOSUCH:AES128-GCM-SHA256"));
    report("SSL_CTX_get_ciphers.partly_unknown", "%s", CIPHERS(SSL_CTX_get_ciphers(ctx)));
    report("SSL_CTX_set_cipher_list.empty", "%d", SSL_CTX_set_cipher_list(ctx, ""));
    report("SSL_CTX_set_ciphersuites.one", "%d", SSL_CTX_set_ciphersuites(ctx, "TLS_CHACHA20_POLY1305_SHA256"));
    report("SSL_CTX_get_ciphers.one_suite", "%s", CIPHERS(SSL_CTX_get_ciphers(ctx)));
    report("SSL_CTX_set_ciphersuites.unknown", "%d", SSL_CTX_set_ciphersuites(ctx, "TLS_FOO_BAR"));
    report("SSL_CTX_set_ciphersuites.partly_unknown", "%d", SSL_CTX_set_ciphersuites(ctx, "TLS_FOO_BAR:TLS_AES_128_GCM_SHA256"));
    report("SSL_CTX_set_ciphersuites.tls12_name", "%d", SSL_CTX_set_ciphersuites(ctx, "ECDHE-RSA-AES128-GCM-SHA256"));
    report("SSL_CTX_set_ciphersuites.empty", "%d", SSL_CTX_set_ciphersuites(ctx, ""));
    report("SSL_CTX_get_ciphers.no_tls13", "%s", CIPHERS(SSL_CTX_get_ciphers(ctx)));
    SSL_CTX_set_cipher_list(ctx, "ECDHE+CHACHA20");
    SSL_CTX_set_ciphersuites(ctx, "TLS_AES_256_GCM_SHA384:TLS_AES_128_GCM_SHA256");
    ssl = SSL_new(ctx);
    report("SSL_get_ciphers.inherited", "%s", CIPHERS(SSL_get_ciphers(ssl)));
    report("SSL_set_cipher_list", "%d", SSL_set_cipher_list(ssl, "AES256-GCM-SHA384"));
    report("SSL_get_ciphers.after_set_cipher_list", "%s", CIPHERS(SSL_get_ciphers(ssl)));
    report("SSL_set_cipher_list.nomatch", "%d", SSL_set_cipher_list(ssl, "FOO"));
    report("SSL_set_ciphersuites", "%d", SSL_set_ciphersuites(ssl, "TLS_AES_128_GCM_SHA256"));
    report("SSL_get_ciphers.after_set_ciphersuites", "%s", CIPHERS(SSL_get_ciphers(ssl)));
    report("SSL_set_ciphersuites.bad", "%d", SSL_set_ciphersuites(ssl, "TLS_AES_128_GCM_SHA256:BOGUS"));
    report("SSL_CTX_get_ciphers.unchanged_by_ssl", "%s", CIPHERS(SSL_CTX_get_ciphers(ctx)));
    SSL_free(ssl);
    SSL_CTX_free(ctx);
}

static void supported(void)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    SSL *ssl;
    STACK_OF(SSL_CIPHER) *sk;

    ssl = SSL_new(ctx);
    sk = SSL_get1_supported_ciphers(ssl);
    report("SSL_get1_supported_ciphers.client_default", "%s", CIPHERS(sk));
    sk_SSL_CIPHER_free(sk);
    SSL_set_min_proto_version(ssl, TLS1_3_VERSION);
    sk = SSL_get1_supported_ciphers(ssl);
    report("SSL_get1_supported_ciphers.tls13_only", "%s", CIPHERS(sk));
    sk_SSL_CIPHER_free(sk);
    SSL_set_min_proto_version(ssl, TLS1_2_VERSION);
    SSL_set_max_proto_version(ssl, TLS1_2_VERSION);
    sk = SSL_get1_supported_ciphers(ssl);
    report("SSL_get1_supported_ciphers.tls12_only", "%s", CIPHERS(sk));
    sk_SSL_CIPHER_free(sk);
    report("SSL_get_client_ciphers.client", "%s", CIPHERS(SSL_get_client_ciphers(ssl)));
    report("SSL_get_current_cipher.before", "%s", CIPHER(SSL_get_current_cipher(ssl)));
    report("SSL_get_pending_cipher.before", "%s", CIPHER(SSL_get_pending_cipher(ssl)));
    report("SSL_get_current_compression.before", "%s", P(SSL_get_current_compression(ssl)));
    report("SSL_get_current_expansion.before", "%s", P(SSL_get_current_expansion(ssl)));
    SSL_free(ssl);
    SSL_CTX_free(ctx);
}

static void negotiated(int version)
{
    struct pair p;
    char buf[4096], small[12];
    const char *side[2] = {"client", "server"};

    pair_new(&p, version);
    SSL_CTX_set_verify(p.sctx, SSL_VERIFY_PEER, NULL);
    client_ctx_cert(p.cctx);
    SSL_set_cipher_list(p.c, "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-CHACHA20-POLY1305:AES128-SHA");
    if (!pair_handshake(&p) || !pair_exchange(&p))
        fixture_failed("handshake");
    for (int i = 0; i < 2; i++) {
        SSL *s = i ? p.s : p.c;
        char key[96];
        int sign = SENT_INT, hash = SENT_INT, signhash = SENT_INT, n, nid = SENT_INT;
        unsigned char rsig = 0xEE, rhash = 0xEE;

#define K(what) (snprintf(key, sizeof(key), "%s.%s", what, side[i]), key)
        report(K("SSL_get_current_cipher"), "%s", CIPHER(SSL_get_current_cipher(s)));
        report(K("SSL_get_pending_cipher"), "%s", CIPHER(SSL_get_pending_cipher(s)));
        report(K("SSL_get_client_ciphers"), "%s", CIPHERS(SSL_get_client_ciphers(s)));
        memset(buf, 0, sizeof(buf));
        REPORT_WITH(K("SSL_get_shared_ciphers"), char *, SSL_get_shared_ciphers(s, buf, sizeof(buf)), "%s, buf %s",
                   SAME(ret_, buf), STR(buf));
        memset(small, 0, sizeof(small));
        REPORT_WITH(K("SSL_get_shared_ciphers.small_buf"), char *, SSL_get_shared_ciphers(s, small, sizeof(small)),
                   "%s, buf %s", SAME(ret_, small), STR(small));
        report(K("SSL_get_current_compression"), "%s", P(SSL_get_current_compression(s)));
        report(K("SSL_get_current_expansion"), "%s", P(SSL_get_current_expansion(s)));
        n = SSL_get_sigalgs(s, -1, NULL, NULL, NULL, NULL, NULL);
        report(K("SSL_get_sigalgs.count"), "%d", n);
        REPORT_OUT(K("SSL_get_sigalgs.0"), int, SSL_get_sigalgs(s, 0, &sign, &hash, &signhash, &rsig, &rhash),
                   "%d, sign %s, hash %s, signhash %s, rsig %#x, rhash %#x", OBJ_nid2sn(sign), OBJ_nid2sn(hash),
                   OBJ_nid2sn(signhash), rsig, rhash);
        report(K("SSL_get_sigalgs.past_end"), "%d", SSL_get_sigalgs(s, 1000, NULL, NULL, NULL, NULL, NULL));
        sign = hash = signhash = SENT_INT;
        rsig = rhash = 0xEE;
        REPORT_OUT(K("SSL_get_shared_sigalgs.0"), int, SSL_get_shared_sigalgs(s, 0, &sign, &hash, &signhash, &rsig, &rhash),
                   "%d, sign %s, hash %s, signhash %s, rsig %#x, rhash %#x", sign == SENT_INT ? "unwritten" : OBJ_nid2sn(sign),
                   hash == SENT_INT ? "unwritten" : OBJ_nid2sn(hash), signhash == SENT_INT ? "unwritten" : OBJ_nid2sn(signhash),
                   rsig, rhash);
        report(K("SSL_get_shared_sigalgs.negative"), "%d", SSL_get_shared_sigalgs(s, -1, NULL, NULL, NULL, NULL, NULL));
        REPORT_OUT(K("SSL_get_peer_signature_type_nid"), int, SSL_get_peer_signature_type_nid(s, &nid), "%d, %s",
                   nid == SENT_INT ? "unwritten" : OBJ_nid2sn(nid));
        nid = SENT_INT;
        REPORT_OUT(K("SSL_get_signature_type_nid"), int, SSL_get_signature_type_nid(s, &nid), "%d, %s",
                   nid == SENT_INT ? "unwritten" : OBJ_nid2sn(nid));
        report(K("SSL_group_to_name.negotiated"), "%s", STR(SSL_group_to_name(s, (int)SSL_get_negotiated_group(s))));
        report(K("SSL_group_to_name.secp384r1"), "%s", STR(SSL_group_to_name(s, NID_secp384r1)));
        report(K("SSL_group_to_name.ffdhe2048"), "%s", STR(SSL_group_to_name(s, NID_ffdhe2048)));
        report(K("SSL_group_to_name.unknown"), "%s", STR(SSL_group_to_name(s, NID_sha256)));
#undef K
    }
    {
        static const unsigned char bytes[] = {0x13, 0x01, 0xC0, 0x2F, 0x00, 0xFF, 0xFE, 0xFE, 0x00, 0x9C};
        static const unsigned char v2[] = {0x00, 0x13, 0x01, 0x00, 0x00, 0x2F, 0x01, 0x00, 0x80};
        STACK_OF(SSL_CIPHER) *sk = SENT, *scsvs = SENT;

        REPORT_OUT("SSL_bytes_to_cipher_list", int, SSL_bytes_to_cipher_list(p.s, bytes, sizeof(bytes), 0, &sk, &scsvs),
                   "%d, ciphers %s, scsvs %s", CIPHERS(sk), CIPHERS(scsvs));
        if (sk != SENT)
            sk_SSL_CIPHER_free(sk);
        if (scsvs != SENT)
            sk_SSL_CIPHER_free(scsvs);
        sk = SENT;
        REPORT_OUT("SSL_bytes_to_cipher_list.no_scsvs", int, SSL_bytes_to_cipher_list(p.s, bytes, 4, 0, &sk, NULL),
                   "%d, ciphers %s", CIPHERS(sk));
        if (sk != SENT)
            sk_SSL_CIPHER_free(sk);
        sk = scsvs = SENT;
        REPORT_OUT("SSL_bytes_to_cipher_list.v2", int, SSL_bytes_to_cipher_list(p.s, v2, sizeof(v2), 1, &sk, &scsvs),
                   "%d, ciphers %s, scsvs %s", CIPHERS(sk), CIPHERS(scsvs));
        if (sk != SENT)
            sk_SSL_CIPHER_free(sk);
        if (scsvs != SENT)
            sk_SSL_CIPHER_free(scsvs);
        sk = scsvs = SENT;
        REPORT_OUT("SSL_bytes_to_cipher_list.odd_length", int, SSL_bytes_to_cipher_list(p.s, bytes, 3, 0, &sk, &scsvs),
                   "%d, ciphers %s, scsvs %s", CIPHERS(sk), CIPHERS(scsvs));
        sk = scsvs = SENT;
        REPORT_OUT("SSL_bytes_to_cipher_list.empty", int, SSL_bytes_to_cipher_list(p.s, bytes, 0, 0, &sk, &scsvs),
                   "%d, ciphers %s, scsvs %s", CIPHERS(sk), CIPHERS(scsvs));
    }
    pair_free(&p);
}

static void negotiated_tls12(void)
{
    negotiated(TLS1_2_VERSION);
}

static void negotiated_tls13(void)
{
    negotiated(TLS1_3_VERSION);
}

/* Compression: OpenSSL 3.0 here has no method (no zlib); programs list the methods, or
 * clear the list to be sure none is used. */
static void compression(void)
{
    STACK_OF(SSL_COMP) *methods = SSL_COMP_get_compression_methods(), *mine, *old;
    COMP_METHOD *zlib = COMP_zlib();

    report("SSL_COMP_get_compression_methods", "%s, %d methods", P(methods), sk_SSL_COMP_num(methods));
    for (int i = 0; i < sk_SSL_COMP_num(methods); i++) {
        const SSL_COMP *comp = sk_SSL_COMP_value(methods, i);
        char key[64];
        snprintf(key, sizeof(key), "SSL_COMP_get0_name.%d", i);
        report(key, "%s", STR(SSL_COMP_get0_name(comp)));
        snprintf(key, sizeof(key), "SSL_COMP_get_id.%d", i);
        report(key, "%d", SSL_COMP_get_id(comp));
    }
    report("SSL_COMP_get_name.zlib", "%s", STR(SSL_COMP_get_name(zlib)));
    report("SSL_COMP_get_name.null", "%s", STR(SSL_COMP_get_name(NULL)));
    report("SSL_COMP_add_compression_method.zlib_private_id", "%d", SSL_COMP_add_compression_method(200, zlib));
    report("SSL_COMP_add_compression_method.null", "%d", SSL_COMP_add_compression_method(200, NULL));
    report("SSL_COMP_get_compression_methods.after_add", "%d methods", sk_SSL_COMP_num(SSL_COMP_get_compression_methods()));
    mine = sk_SSL_COMP_new_null();
    old = SSL_COMP_set0_compression_methods(mine);
    report("SSL_COMP_set0_compression_methods", "%s", SAME(old, methods));
    report("SSL_COMP_get_compression_methods.after_set0", "%s", SAME(SSL_COMP_get_compression_methods(), mine));
    old = SSL_COMP_set0_compression_methods(methods);
    report("SSL_COMP_set0_compression_methods.restore", "%s", SAME(old, mine));
    sk_SSL_COMP_free(mine);
}

GROUPS({"default_list", default_list, NULL}, {"properties", properties, NULL}, {"find", find, NULL},
       {"setting", setting, NULL}, {"supported", supported, NULL}, {"negotiated_tls12", negotiated_tls12, NULL},
       {"negotiated_tls13", negotiated_tls13, NULL}, {"compression", compression, NULL})
