/* Export contract: peer verification: modes, depth and callbacks on a context and a
 * connection, trust stores (files, directories, stores, the default paths), results of
 * verified and failed handshakes, the verify callback's view, the application's own
 * verification, post-handshake client authentication, DANE and certificate transparency. */
#include <openssl/ct.h>

#include "contract.h"

static int verify_cb(int ok, X509_STORE_CTX *x)
{
    (void)x;
    return ok;
}

static void settings(void)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_method());
    SSL *ssl;

    report("SSL_CTX_get_verify_mode.default", "%d", SSL_CTX_get_verify_mode(ctx));
    report("SSL_CTX_get_verify_depth.default", "%d", SSL_CTX_get_verify_depth(ctx));
    report("SSL_CTX_get_verify_callback.default", "%s", FN(SSL_CTX_get_verify_callback(ctx), verify_cb));
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, verify_cb);
    report("SSL_CTX_set_verify", "void");
    report("SSL_CTX_get_verify_mode", "%d", SSL_CTX_get_verify_mode(ctx));
    report("SSL_CTX_get_verify_callback", "%s", FN(SSL_CTX_get_verify_callback(ctx), verify_cb));
    SSL_CTX_set_verify_depth(ctx, 4);
    report("SSL_CTX_set_verify_depth", "void");
    report("SSL_CTX_get_verify_depth", "%d", SSL_CTX_get_verify_depth(ctx));
    ssl = SSL_new(ctx);
    report("SSL_get_verify_mode.inherited", "%d", SSL_get_verify_mode(ssl));
    report("SSL_get_verify_depth.inherited", "%d", SSL_get_verify_depth(ssl));
    report("SSL_get_verify_callback.inherited", "%s", FN(SSL_get_verify_callback(ssl), verify_cb));
    SSL_set_verify(ssl, SSL_VERIFY_NONE, NULL);
    report("SSL_set_verify", "void");
    report("SSL_get_verify_mode", "%d", SSL_get_verify_mode(ssl));
    report("SSL_get_verify_callback", "%s", FN(SSL_get_verify_callback(ssl), verify_cb));
    SSL_set_verify_depth(ssl, 1);
    report("SSL_set_verify_depth", "void");
    report("SSL_get_verify_depth", "%d", SSL_get_verify_depth(ssl));
    report("SSL_CTX_get_verify_depth.not_changed_by_ssl", "%d", SSL_CTX_get_verify_depth(ctx));
    report("SSL_get_verify_result.before", "%ld", SSL_get_verify_result(ssl));
    SSL_set_verify_result(ssl, X509_V_ERR_CERT_REVOKED);
    report("SSL_set_verify_result", "void");
    report("SSL_get_verify_result", "%ld", SSL_get_verify_result(ssl));
    report("SSL_get0_verified_chain.before", "%s", CHAIN(SSL_get0_verified_chain(ssl)));
    report("SSL_get_ex_data_X509_STORE_CTX_idx", "%s", SSL_get_ex_data_X509_STORE_CTX_idx() >= 0 ? ">= 0" : "< 0");
    report("SSL_get_ex_data_X509_STORE_CTX_idx.stable", "%d", SSL_get_ex_data_X509_STORE_CTX_idx() == SSL_get_ex_data_X509_STORE_CTX_idx());
    SSL_free(ssl);
    SSL_CTX_free(ctx);
}

static void stores(void)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_method());
    X509_STORE *store = SSL_CTX_get_cert_store(ctx), *mine;

    report("SSL_CTX_get_cert_store", "%s", P(store));
    report("SSL_CTX_get_cert_store.objects", "%d", sk_X509_OBJECT_num(X509_STORE_get0_objects(store)));
    report("SSL_CTX_load_verify_locations.file", "%d", SSL_CTX_load_verify_locations(ctx, pki("root.pem"), NULL));
    report("SSL_CTX_get_cert_store.objects_after_file", "%d", sk_X509_OBJECT_num(X509_STORE_get0_objects(store)));
    report("SSL_CTX_load_verify_locations.dir", "%d", SSL_CTX_load_verify_locations(ctx, NULL, pki("hashdir")));
    report("SSL_CTX_load_verify_locations.both_null", "%d", SSL_CTX_load_verify_locations(ctx, NULL, NULL));
    report("SSL_CTX_load_verify_locations.missing_file", "%d", SSL_CTX_load_verify_locations(ctx, pki("missing.pem"), NULL));
    report("SSL_CTX_load_verify_locations.not_pem", "%d", SSL_CTX_load_verify_locations(ctx, pki("ca.cnf"), NULL));
    report("SSL_CTX_load_verify_file", "%d", SSL_CTX_load_verify_file(ctx, pki("inter.pem")));
    report("SSL_CTX_load_verify_file.missing", "%d", SSL_CTX_load_verify_file(ctx, pki("missing.pem")));
    report("SSL_CTX_load_verify_dir", "%d", SSL_CTX_load_verify_dir(ctx, pki("hashdir")));
    report("SSL_CTX_load_verify_dir.missing", "%d", SSL_CTX_load_verify_dir(ctx, pki("missing-dir")));
    report("SSL_CTX_load_verify_store", "%d", SSL_CTX_load_verify_store(ctx, fmt("file:%s", pki("root.pem"))));
    report("SSL_CTX_load_verify_store.missing", "%d", SSL_CTX_load_verify_store(ctx, fmt("file:%s", pki("missing.pem"))));
    report("SSL_CTX_set_default_verify_paths", "%d", SSL_CTX_set_default_verify_paths(ctx));
    report("SSL_CTX_set_default_verify_dir", "%d", SSL_CTX_set_default_verify_dir(ctx));
    report("SSL_CTX_set_default_verify_file", "%d", SSL_CTX_set_default_verify_file(ctx));
    report("SSL_CTX_set_default_verify_store", "%d", SSL_CTX_set_default_verify_store(ctx));

    mine = X509_STORE_new();
    SSL_CTX_set_cert_store(ctx, mine);
    report("SSL_CTX_set_cert_store", "void");
    report("SSL_CTX_get_cert_store.after_set", "%s", SAME(SSL_CTX_get_cert_store(ctx), mine));
    mine = X509_STORE_new();
    report("SSL_CTX_set1_cert_store", "void");
    SSL_CTX_set1_cert_store(ctx, mine);
    report("SSL_CTX_get_cert_store.after_set1", "%s", SAME(SSL_CTX_get_cert_store(ctx), mine));
    X509_STORE_free(mine);
    report("SSL_CTX_load_verify_file.into_set1_store", "%d", SSL_CTX_load_verify_file(ctx, pki("root.pem")));
    SSL_CTX_free(ctx);
}

/* A client handshake against the localhost chain with the given trust and settings. */
struct hs_opts {
    const char *ca_file, *ca_dir, *server_cert, *server_key;
    int mode, depth;
    int (*cb)(int, X509_STORE_CTX *);
};

static void verified_handshake(const char *name, struct hs_opts o)
{
    struct pair p;
    char key[128];
    int ok;

    p.sctx = SSL_CTX_new(TLS_server_method());
    if (o.server_cert == NULL) {
        SSL_CTX_use_certificate_chain_file(p.sctx, pki("server-chain.pem"));
        SSL_CTX_use_PrivateKey_file(p.sctx, pki("server.key"), SSL_FILETYPE_PEM);
    } else {
        SSL_CTX_use_certificate_file(p.sctx, pki(o.server_cert), SSL_FILETYPE_PEM);
        SSL_CTX_use_PrivateKey_file(p.sctx, pki(o.server_key), SSL_FILETYPE_PEM);
    }
    p.cctx = SSL_CTX_new(TLS_client_method());
    if (o.ca_file != NULL)
        SSL_CTX_load_verify_file(p.cctx, pki(o.ca_file));
    if (o.ca_dir != NULL)
        SSL_CTX_load_verify_dir(p.cctx, pki(o.ca_dir));
    SSL_CTX_set_verify(p.cctx, o.mode, o.cb);
    if (o.depth >= 0)
        SSL_CTX_set_verify_depth(p.cctx, o.depth);
    pair_connect(&p);
    ok = pair_handshake(&p);
    snprintf(key, sizeof(key), "%s.handshake", name);
    report(key, "%s", HS(&p, ok));
    snprintf(key, sizeof(key), "%s.SSL_get_verify_result", name);
    report(key, "%ld (%s)", SSL_get_verify_result(p.c), X509_verify_cert_error_string(SSL_get_verify_result(p.c)));
    snprintf(key, sizeof(key), "%s.SSL_get0_verified_chain", name);
    report(key, "%s", CHAIN(SSL_get0_verified_chain(p.c)));
    snprintf(key, sizeof(key), "%s.SSL_get_peer_cert_chain", name);
    report(key, "%s", CHAIN(SSL_get_peer_cert_chain(p.c)));
    pair_free(&p);
}

static struct {
    int calls;
    char log[1024];
    SSL *ssl_seen;
} cb_state;

static int logging_verify_cb(int ok, X509_STORE_CTX *x)
{
    SSL *ssl = X509_STORE_CTX_get_ex_data(x, SSL_get_ex_data_X509_STORE_CTX_idx());
    size_t n = strlen(cb_state.log);
    cb_state.calls++;
    cb_state.ssl_seen = ssl;
    snprintf(cb_state.log + n, sizeof(cb_state.log) - n, "%s[depth %d ok %d err %d]", n ? " " : "",
             X509_STORE_CTX_get_error_depth(x), ok, X509_STORE_CTX_get_error(x));
    return ok;
}

static int accepting_verify_cb(int ok, X509_STORE_CTX *x)
{
    logging_verify_cb(ok, x);
    return 1;
}

static void results(void)
{
    verified_handshake("trusted_root", (struct hs_opts){"root.pem", NULL, NULL, NULL, SSL_VERIFY_PEER, -1, NULL});
    verified_handshake("hashed_dir", (struct hs_opts){NULL, "hashdir", NULL, NULL, SSL_VERIFY_PEER, -1, NULL});
    verified_handshake("untrusted", (struct hs_opts){NULL, NULL, NULL, NULL, SSL_VERIFY_PEER, -1, NULL});
    verified_handshake("untrusted_verify_none", (struct hs_opts){NULL, NULL, NULL, NULL, SSL_VERIFY_NONE, -1, NULL});
    verified_handshake("depth_0", (struct hs_opts){"root.pem", NULL, NULL, NULL, SSL_VERIFY_PEER, 0, NULL});
    verified_handshake("depth_1", (struct hs_opts){"root.pem", NULL, NULL, NULL, SSL_VERIFY_PEER, 1, NULL});
    verified_handshake("expired", (struct hs_opts){"root.pem", NULL, "expired.pem", "expired.key", SSL_VERIFY_PEER, -1, NULL});
    verified_handshake("self_signed", (struct hs_opts){"root.pem", NULL, "selfsigned.pem", "selfsigned.key", SSL_VERIFY_PEER, -1, NULL});
    verified_handshake("intermediate_missing", (struct hs_opts){"root.pem", NULL, "server.pem", "server.key", SSL_VERIFY_PEER, -1, NULL});
}

static void callbacks(void)
{
    struct pair p;

    memset(&cb_state, 0, sizeof(cb_state));
    verified_handshake("SSL_CTX_set_verify.callback_trusted", (struct hs_opts){"root.pem", NULL, NULL, NULL, SSL_VERIFY_PEER, -1, logging_verify_cb});
    note("SSL_CTX_set_verify.callback_trusted.calls", "%d: %s", cb_state.calls, cb_state.log);
    memset(&cb_state, 0, sizeof(cb_state));
    verified_handshake("SSL_CTX_set_verify.callback_accepts_failure", (struct hs_opts){NULL, NULL, NULL, NULL, SSL_VERIFY_PEER, -1, accepting_verify_cb});
    note("SSL_CTX_set_verify.callback_accepts_failure.calls", "%d: %s", cb_state.calls, cb_state.log);

    /* The callback sees the connection through SSL_get_ex_data_X509_STORE_CTX_idx. */
    memset(&cb_state, 0, sizeof(cb_state));
    pair_new(&p, 0);
    SSL_set_verify(p.c, SSL_VERIFY_PEER, logging_verify_cb);
    report_handshake("SSL_set_verify.callback.handshake", &p);
    note("SSL_set_verify.callback.calls", "%d: %s", cb_state.calls, cb_state.log);
    note("SSL_get_ex_data_X509_STORE_CTX_idx.connection_in_callback", "%s", SAME(cb_state.ssl_seen, p.c));
    pair_free(&p);
}

static int app_verify_calls;
static int app_verify(X509_STORE_CTX *x, void *arg)
{
    (void)arg;
    app_verify_calls++;
    X509_STORE_CTX_set_error(x, X509_V_OK);
    return 1;
}

static int app_verify_reject(X509_STORE_CTX *x, void *arg)
{
    (void)arg;
    app_verify_calls++;
    X509_STORE_CTX_set_error(x, X509_V_ERR_APPLICATION_VERIFICATION);
    return 0;
}

static void app_verification(void)
{
    struct pair p;

    p.sctx = server_ctx();
    p.cctx = SSL_CTX_new(TLS_client_method());
    SSL_CTX_set_verify(p.cctx, SSL_VERIFY_PEER, NULL);
    SSL_CTX_set_cert_verify_callback(p.cctx, app_verify, NULL);
    report("SSL_CTX_set_cert_verify_callback", "void");
    pair_connect(&p);
    report_handshake("SSL_CTX_set_cert_verify_callback.accepting.handshake", &p);
    note("SSL_CTX_set_cert_verify_callback.accepting.calls", "%d", app_verify_calls);
    report("SSL_CTX_set_cert_verify_callback.accepting.result", "%ld", SSL_get_verify_result(p.c));
    SSL_free(p.c);
    SSL_free(p.s);
    app_verify_calls = 0;
    SSL_CTX_set_cert_verify_callback(p.cctx, app_verify_reject, NULL);
    pair_connect(&p);
    report_handshake("SSL_CTX_set_cert_verify_callback.rejecting.handshake", &p);
    note("SSL_CTX_set_cert_verify_callback.rejecting.calls", "%d", app_verify_calls);
    report("SSL_CTX_set_cert_verify_callback.rejecting.result", "%ld", SSL_get_verify_result(p.c));
    pair_free(&p);
}

static void client_auth(int version)
{
    struct pair p;

    pair_new(&p, version);
    SSL_CTX_set_verify(p.sctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
    SSL_free(p.c);
    SSL_free(p.s);
    pair_connect(&p);
    report_handshake("no_client_cert.handshake", &p);
    report("no_client_cert.server_result", "%ld", SSL_get_verify_result(p.s));
    SSL_free(p.c);
    SSL_free(p.s);
    client_ctx_cert(p.cctx);
    pair_connect(&p);
    report_handshake("client_cert.handshake", &p);
    report("client_cert.SSL_get_verify_result.server", "%ld", SSL_get_verify_result(p.s));
    report("client_cert.SSL_get0_verified_chain.server", "%s", CHAIN(SSL_get0_verified_chain(p.s)));
    report("client_cert.SSL_get_peer_cert_chain.server", "%s", CHAIN(SSL_get_peer_cert_chain(p.s)));
    pair_free(&p);

    /* Optional: a client without a certificate answers with an empty Certificate message,
     * which OpenSSL keeps as an empty chain; a server that did not ask has none. */
    pair_new(&p, version);
    SSL_CTX_set_verify(p.sctx, SSL_VERIFY_PEER, NULL);
    SSL_free(p.c);
    SSL_free(p.s);
    pair_connect(&p);
    report_handshake("optional.handshake", &p);
    report("optional.SSL_get_peer_cert_chain.server", "%s", CHAIN(SSL_get_peer_cert_chain(p.s)));
    report("optional.SSL_get0_peer_certificate.server", "%s", CERT(SSL_get0_peer_certificate(p.s)));
    pair_free(&p);
    pair_new(&p, version);
    if (!pair_handshake(&p))
        fixture_failed("handshake");
    report("not_asked.SSL_get_peer_cert_chain.server", "%s", CHAIN(SSL_get_peer_cert_chain(p.s)));
    pair_free(&p);

    /* SSL_VERIFY_POST_HANDSHAKE: a TLS 1.3 server asks for no certificate in the handshake
     * (a TLS 1.2 one does). */
    pair_new(&p, version);
    client_ctx_cert(p.cctx);
    SSL_CTX_set_verify(p.sctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT | SSL_VERIFY_POST_HANDSHAKE, NULL);
    SSL_free(p.c);
    SSL_free(p.s);
    pair_connect(&p);
    SSL_set_post_handshake_auth(p.c, 1);
    report_handshake("post_handshake_mode.handshake", &p);
    report("post_handshake_mode.SSL_get0_peer_certificate.server", "%s", CERT(SSL_get0_peer_certificate(p.s)));
    report("post_handshake_mode.SSL_get_peer_cert_chain.server", "%s", CHAIN(SSL_get_peer_cert_chain(p.s)));
    pair_free(&p);
}

static void client_auth_tls12(void)
{
    client_auth(TLS1_2_VERSION);
}

static void client_auth_tls13(void)
{
    client_auth(TLS1_3_VERSION);
}

static void post_handshake(void)
{
    struct pair p;
    char b;
    int r;

    pair_new(&p, TLS1_3_VERSION);
    client_ctx_cert(p.cctx);
    SSL_set_post_handshake_auth(p.c, 1);
    if (report_handshake("post_handshake.handshake", &p))
        report("post_handshake.exchange", "%d", pair_exchange(&p));
    report("SSL_verify_client_post_handshake.client_side", "%d", SSL_verify_client_post_handshake(p.c));
    SSL_set_verify(p.s, SSL_VERIFY_PEER, NULL);
    report("SSL_verify_client_post_handshake", "%d", SSL_verify_client_post_handshake(p.s));
    report("SSL_verify_client_post_handshake.again", "%d", SSL_verify_client_post_handshake(p.s));
    r = SSL_do_handshake(p.s);
    report("post_handshake.server_do_handshake", "%d", r);
    r = SSL_write(p.s, "x", 1);
    report("post_handshake.server_write", "%d", r);
    r = SSL_read(p.c, &b, 1);
    report("post_handshake.client_read", "%d", r);
    r = SSL_write(p.c, "y", 1);
    report("post_handshake.client_write", "%d", r);
    r = SSL_read(p.s, &b, 1);
    report("post_handshake.server_read", "%d", r);
    report("post_handshake.SSL_get0_peer_certificate.server", "%s", CERT(SSL_get0_peer_certificate(p.s)));
    report("post_handshake.SSL_get_verify_result.server", "%ld", SSL_get_verify_result(p.s));
    pair_free(&p);

    pair_new(&p, TLS1_3_VERSION);
    if (!pair_handshake(&p))
        fixture_failed("handshake");
    report("SSL_verify_client_post_handshake.not_offered", "%d", SSL_verify_client_post_handshake(p.s));
    pair_free(&p);

    pair_new(&p, TLS1_2_VERSION);
    SSL_set_post_handshake_auth(p.c, 1);
    report_handshake("post_handshake.tls12.handshake", &p);
    report("SSL_verify_client_post_handshake.tls12", "%d", SSL_verify_client_post_handshake(p.s));
    pair_free(&p);

    pair_new(&p, TLS1_3_VERSION);
    report("SSL_verify_client_post_handshake.before_handshake", "%d", SSL_verify_client_post_handshake(p.s));
    pair_free(&p);
}

/* DANE-EE(3) SPKI(1) SHA-256(1) of the server key, as a DANE client configures it. */
static void dane(void)
{
    struct pair p;
    X509 *server = load_cert("server.pem");
    unsigned char spki_hash[32], *spki = NULL;
    unsigned int hlen;
    int n = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(server), &spki);
    uint8_t usage = 0xEE, selector = 0xEE, mtype = 0xEE;
    const unsigned char *data = SENT;
    size_t dlen = (size_t)SENT_INT;
    X509 *mcert = SENT;
    EVP_PKEY *mspki = SENT;

    EVP_Digest(spki, (size_t)n, spki_hash, &hlen, EVP_sha256(), NULL);
    OPENSSL_free(spki);
    pair_new(&p, 0);
    report("SSL_dane_enable.ctx_not_enabled", "%d", SSL_dane_enable(p.c, "localhost"));
    report("SSL_dane_tlsa_add.not_enabled", "%d", SSL_dane_tlsa_add(p.c, 3, 1, 1, spki_hash, 32));
    report("SSL_get0_dane_authority.not_enabled", "%d", SSL_get0_dane_authority(p.c, NULL, NULL));
    report("SSL_CTX_dane_enable", "%d", SSL_CTX_dane_enable(p.cctx));
    report("SSL_CTX_dane_enable.again", "%d", SSL_CTX_dane_enable(p.cctx));
    report("SSL_CTX_dane_mtype_set.sha512_off", "%d", SSL_CTX_dane_mtype_set(p.cctx, NULL, 2, 0));
    report("SSL_CTX_dane_mtype_set.full_with_md", "%d", SSL_CTX_dane_mtype_set(p.cctx, EVP_sha256(), 0, 1));
    report("SSL_CTX_dane_mtype_set.private", "%d", SSL_CTX_dane_mtype_set(p.cctx, EVP_sha256(), 255, 2));
    report("SSL_CTX_dane_set_flags", "%#lx", SSL_CTX_dane_set_flags(p.cctx, DANE_FLAG_NO_DANE_EE_NAMECHECKS));
    report("SSL_CTX_dane_clear_flags", "%#lx", SSL_CTX_dane_clear_flags(p.cctx, DANE_FLAG_NO_DANE_EE_NAMECHECKS));
    SSL_free(p.c);
    SSL_free(p.s);
    pair_connect(&p);
    report("SSL_dane_enable", "%d", SSL_dane_enable(p.c, "localhost"));
    report("SSL_dane_enable.again", "%d", SSL_dane_enable(p.c, "localhost"));
    report("SSL_get0_dane", "%s", P(SSL_get0_dane(p.c)));
    report("SSL_dane_set_flags", "%#lx", SSL_dane_set_flags(p.c, DANE_FLAG_NO_DANE_EE_NAMECHECKS));
    report("SSL_dane_clear_flags", "%#lx", SSL_dane_clear_flags(p.c, 0));
    report("SSL_dane_tlsa_add", "%d", SSL_dane_tlsa_add(p.c, 3, 1, 1, spki_hash, 32));
    report("SSL_dane_tlsa_add.bad_usage", "%d", SSL_dane_tlsa_add(p.c, 9, 1, 1, spki_hash, 32));
    report("SSL_dane_tlsa_add.bad_digest_length", "%d", SSL_dane_tlsa_add(p.c, 3, 1, 1, spki_hash, 20));
    report("SSL_dane_tlsa_add.disabled_mtype", "%d", SSL_dane_tlsa_add(p.c, 3, 1, 2, spki_hash, 32));
    report("SSL_dane_tlsa_add.null_data", "%d", SSL_dane_tlsa_add(p.c, 3, 1, 1, NULL, 32));
    report("SSL_get0_dane_authority.before_handshake", "%d", SSL_get0_dane_authority(p.c, NULL, NULL));
    SSL_set_verify(p.c, SSL_VERIFY_PEER, NULL);
    report_handshake("dane.handshake", &p);
    report("dane.SSL_get_verify_result", "%ld", SSL_get_verify_result(p.c));
    REPORT_OUT("SSL_get0_dane_authority", int, SSL_get0_dane_authority(p.c, &mcert, &mspki), "%d, mcert %s, mspki %s", mcert == SENT ? "unwritten" : CERT(mcert), P(mspki));
    REPORT_OUT("SSL_get0_dane_tlsa", int, SSL_get0_dane_tlsa(p.c, &usage, &selector, &mtype, &data, &dlen),
               "%d, usage %u selector %u mtype %u, data %s", usage, selector, mtype,
               data == SENT ? "unwritten" : data == NULL ? "NULL" : dlen == 32 && memcmp(data, spki_hash, 32) == 0 ? "the record's" : "other");
    pair_free(&p);
    X509_free(server);
}

/* TLSA data of a PKI certificate: its DER (selector 0) or its SubjectPublicKeyInfo
 * (selector 1), as is (mtype 0) or hashed (1: SHA-256, 2: SHA-512). */
static unsigned char *tlsa_data(const char *file, int selector, int mtype, size_t *len)
{
    X509 *x = load_cert(file);
    unsigned char *der = NULL, *out;
    int n = selector == 0 ? i2d_X509(x, &der) : i2d_X509_PUBKEY(X509_get_X509_PUBKEY(x), &der);
    unsigned int hlen = 0;

    X509_free(x);
    if (mtype == 0) {
        *len = (size_t)n;
        return der;
    }
    out = OPENSSL_malloc(EVP_MAX_MD_SIZE);
    EVP_Digest(der, (size_t)n, out, &hlen, mtype == 1 ? EVP_sha256() : EVP_sha512(), NULL);
    OPENSSL_free(der);
    *len = hlen;
    return out;
}

struct tlsa {
    uint8_t usage, selector, mtype;
    const char *file;
};

/* A DANE client (no trust store unless `trust_root`) against the server-chain.pem server
 * (leaf and intermediate, no root), with the given records. */
static void dane_case(const char *name, const char *basedomain, unsigned long flags, int trust_root,
                      const struct tlsa *recs, int nrecs)
{
    struct pair p;
    X509 *mcert = SENT;
    EVP_PKEY *mspki = SENT;
    uint8_t usage = 0xEE, selector = 0xEE, mtype = 0xEE;
    const unsigned char *data = SENT;
    size_t dlen = 0;
    int i, depth;

    pair_new(&p, 0);
    SSL_CTX_dane_enable(p.cctx);
    if (trust_root)
        SSL_CTX_load_verify_file(p.cctx, pki("root.pem"));
    SSL_free(p.c);
    SSL_free(p.s);
    pair_connect(&p);
    SSL_set_verify(p.c, SSL_VERIFY_PEER, NULL);
    if (SSL_dane_enable(p.c, basedomain) != 1)
        fixture_failed("SSL_dane_enable");
    SSL_dane_set_flags(p.c, flags);
    for (i = 0; i < nrecs; i++) {
        size_t n;
        unsigned char *d = tlsa_data(recs[i].file, recs[i].selector, recs[i].mtype, &n);
        report(fmt("%s.SSL_dane_tlsa_add.%d", name, i), "%d",
               SSL_dane_tlsa_add(p.c, recs[i].usage, recs[i].selector, recs[i].mtype, d, n));
        OPENSSL_free(d);
    }
    report_handshake(fmt("%s.handshake", name), &p);
    report(fmt("%s.SSL_get_verify_result", name), "%ld", SSL_get_verify_result(p.c));
    depth = SSL_get0_dane_authority(p.c, &mcert, &mspki);
    report(fmt("%s.SSL_get0_dane_authority", name), "%d, mcert %s, mspki %s", depth,
           mcert == SENT ? "unwritten" : CERT(mcert), mspki == SENT ? "unwritten" : P(mspki));
    depth = SSL_get0_dane_tlsa(p.c, &usage, &selector, &mtype, &data, &dlen);
    report(fmt("%s.SSL_get0_dane_tlsa", name), "%d, %u %u %u, dlen %zu", depth, usage, selector, mtype,
           data == SENT ? 0 : dlen);
    report(fmt("%s.SSL_get0_peername", name), "%s", STR(SSL_get0_peername(p.c)));
    pair_free(&p);
}

/* How TLSA records of each usage, selector and matching type authenticate the server. */
static void dane_usages(void)
{
    const struct tlsa ee_spki = {3, 1, 1, "server.pem"}, ee_cert_full = {3, 0, 0, "server.pem"};
    const struct tlsa ee_other = {3, 1, 1, "ec.pem"}, ee_other512 = {3, 1, 2, "ec.pem"};
    const struct tlsa ta_inter = {2, 1, 1, "inter.pem"}, ta_root_cert = {2, 0, 0, "root.pem"};
    const struct tlsa ta_root_spki = {2, 1, 0, "root.pem"}, ta_root512 = {2, 0, 2, "root.pem"};
    const struct tlsa pkix_ta_root = {0, 0, 1, "root.pem"}, pkix_ee = {1, 1, 1, "server.pem"};

    dane_case("dane_ee_spki_sha256", "localhost", 0, 0, &ee_spki, 1);
    dane_case("dane_ee_cert_full", "localhost", 0, 0, &ee_cert_full, 1);
    dane_case("dane_ee_mismatch", "localhost", 0, 0, &ee_other, 1);
    dane_case("dane_ee_wrong_name", "wrong.example", 0, 0, &ee_spki, 1);
    dane_case("dane_ee_wrong_name_no_namechecks", "wrong.example", DANE_FLAG_NO_DANE_EE_NAMECHECKS, 0, &ee_spki, 1);
    {
        /* SHA2-512 is preferred: a SHA2-256 record of the same usage and selector is not
         * tried once a SHA2-512 one is present. */
        const struct tlsa recs[] = {ee_spki, ee_other512};
        dane_case("dane_ee_digest_agility", "localhost", 0, 0, recs, 2);
    }
    {
        const struct tlsa recs[] = {ee_other, ta_inter};
        dane_case("dane_ee_then_ta", "localhost", 0, 0, recs, 2);
    }
    dane_case("dane_ta_intermediate", "localhost", 0, 0, &ta_inter, 1);
    dane_case("dane_ta_intermediate_wrong_name", "wrong.example", DANE_FLAG_NO_DANE_EE_NAMECHECKS, 0, &ta_inter, 1);
    dane_case("dane_ta_root_not_sent", "localhost", 0, 0, &ta_root_cert, 1);
    dane_case("dane_ta_root_bare_key", "localhost", 0, 0, &ta_root_spki, 1);
    dane_case("dane_ta_root_sha512_not_sent", "localhost", 0, 0, &ta_root512, 1);
    dane_case("pkix_ta_untrusted", "localhost", 0, 0, &pkix_ta_root, 1);
    dane_case("pkix_ta_trusted", "localhost", 0, 1, &pkix_ta_root, 1);
    dane_case("pkix_ee_trusted", "localhost", 0, 1, &pkix_ee, 1);
    dane_case("pkix_ee_untrusted", "localhost", 0, 0, &pkix_ee, 1);
}

static int ct_cb_calls;
static int ct_cb(const CT_POLICY_EVAL_CTX *ctx, const STACK_OF(SCT) *scts, void *arg)
{
    (void)ctx, (void)scts, (void)arg;
    ct_cb_calls++;
    return 1;
}

static void ct(void)
{
    struct pair p;
    const char *loglist = scratch("ct_logs.cnf");
    X509 *ec = load_cert("ec.pem");
    unsigned char *spki = NULL;
    int n = i2d_PUBKEY(X509_get0_pubkey(ec), &spki);
    FILE *f = fopen(loglist, "w");
    unsigned char b64[512];

    EVP_EncodeBlock(b64, spki, n);
    fprintf(f, "enabled_logs = test\n\n[test]\ndescription = Contract Test Log\nkey = %s\n", b64);
    fclose(f);
    OPENSSL_free(spki);
    X509_free(ec);

    pair_new(&p, 0);
    report("SSL_CTX_ct_is_enabled.default", "%d", SSL_CTX_ct_is_enabled(p.cctx));
    report("SSL_CTX_get0_ctlog_store.default", "%s", P(SSL_CTX_get0_ctlog_store(p.cctx)));
    report("SSL_CTX_set_ctlog_list_file", "%d", SSL_CTX_set_ctlog_list_file(p.cctx, loglist));
    report("SSL_CTX_set_ctlog_list_file.missing", "%d", SSL_CTX_set_ctlog_list_file(p.cctx, pki("missing.cnf")));
    report("SSL_CTX_set_default_ctlog_list_file", "%d", SSL_CTX_set_default_ctlog_list_file(p.cctx));
    SSL_CTX_set0_ctlog_store(p.cctx, CTLOG_STORE_new());
    report("SSL_CTX_set0_ctlog_store", "void");
    report("SSL_CTX_enable_ct.bad_mode", "%d", SSL_CTX_enable_ct(p.cctx, 7));
    report("SSL_CTX_enable_ct.permissive", "%d", SSL_CTX_enable_ct(p.cctx, SSL_CT_VALIDATION_PERMISSIVE));
    report("SSL_CTX_ct_is_enabled", "%d", SSL_CTX_ct_is_enabled(p.cctx));
    report("SSL_CTX_set_ct_validation_callback", "%d", SSL_CTX_set_ct_validation_callback(p.cctx, ct_cb, NULL));
    SSL_free(p.c);
    SSL_free(p.s);
    pair_connect(&p);
    report("SSL_ct_is_enabled.inherited", "%d", SSL_ct_is_enabled(p.c));
    report("SSL_set_ct_validation_callback.null", "%d", SSL_set_ct_validation_callback(p.c, NULL, NULL));
    report("SSL_ct_is_enabled.after_null", "%d", SSL_ct_is_enabled(p.c));
    report("SSL_enable_ct.strict", "%d", SSL_enable_ct(p.c, SSL_CT_VALIDATION_STRICT));
    report("SSL_enable_ct.permissive", "%d", SSL_enable_ct(p.c, SSL_CT_VALIDATION_PERMISSIVE));
    report("SSL_set_ct_validation_callback", "%d", SSL_set_ct_validation_callback(p.c, ct_cb, NULL));
    report("SSL_get0_peer_scts.before", "%s", P(SSL_get0_peer_scts(p.c)));
    report_handshake("ct.handshake", &p);
    note("SSL_set_ct_validation_callback.calls", "%d", ct_cb_calls);
    {
        const STACK_OF(SCT) *scts = SSL_get0_peer_scts(p.c);
        report("SSL_get0_peer_scts", "%s, %d", P(scts), scts ? sk_SCT_num(scts) : -1);
    }
    pair_free(&p);

    pair_new(&p, 0);
    SSL_CTX_set_ctlog_list_file(p.cctx, loglist);
    SSL_CTX_enable_ct(p.cctx, SSL_CT_VALIDATION_STRICT);
    SSL_free(p.c);
    SSL_free(p.s);
    pair_connect(&p);
    report_handshake("ct.strict_without_scts.handshake", &p);
    report("ct.strict_without_scts.result", "%ld", SSL_get_verify_result(p.c));
    pair_free(&p);
    remove(loglist);
}

static int ct_seen_calls, ct_seen_count, ct_refuse;
static int ct_seen_cb(const CT_POLICY_EVAL_CTX *ctx, const STACK_OF(SCT) *scts, void *arg)
{
    (void)ctx, (void)arg;
    ct_seen_calls++;
    ct_seen_count = scts ? sk_SCT_num(scts) : -1;
    return ct_refuse ? 0 : 1;
}

/* The server certificate re-issued by the intermediate with an embedded SCT list: one SCT
 * naming the test log, whose signature does not verify. */
static X509 *cert_with_sct(const char *log_b64_id)
{
    X509 *x = load_cert("server.pem");
    EVP_PKEY *inter_key = load_key("inter.key");
    STACK_OF(SCT) *list = sk_SCT_new_null();
    /* DigitallySigned: SHA-256 (4), ECDSA (3), 8 bytes that are no signature. */
    SCT *sct = SCT_new_from_base64(SCT_VERSION_V1, log_b64_id, CT_LOG_ENTRY_TYPE_X509, 1600000000000ULL, "",
                                   "BAMACDAGAgEBAgEB");

    if (sct == NULL || !sk_SCT_push(list, sct) || !X509_add1_ext_i2d(x, NID_ct_precert_scts, list, 0, 0)
        || !X509_sign(x, inter_key, EVP_sha256()))
        fixture_failed("certificate with SCTs");
    SCT_LIST_free(list);
    EVP_PKEY_free(inter_key);
    return x;
}

static void ct_case(const char *name, X509 *leaf, const char *loglist, int mode, int verify_peer)
{
    struct pair p;
    const STACK_OF(SCT) *scts;

    p.sctx = SSL_CTX_new(TLS_server_method());
    if (leaf != NULL) {
        X509 *inter = load_cert("inter.pem");
        SSL_CTX_use_certificate(p.sctx, leaf);
        SSL_CTX_add_extra_chain_cert(p.sctx, inter);
    } else {
        SSL_CTX_use_certificate_chain_file(p.sctx, pki("server-chain.pem"));
    }
    SSL_CTX_use_PrivateKey_file(p.sctx, pki("server.key"), SSL_FILETYPE_PEM);
    p.cctx = client_ctx(0);
    SSL_CTX_set_verify(p.cctx, verify_peer ? SSL_VERIFY_PEER : SSL_VERIFY_NONE, NULL);
    SSL_CTX_set_ctlog_list_file(p.cctx, loglist);
    if (mode >= 0)
        SSL_CTX_enable_ct(p.cctx, mode);
    else
        SSL_CTX_set_ct_validation_callback(p.cctx, ct_seen_cb, NULL);
    pair_connect(&p);
    ct_seen_calls = 0;
    ct_seen_count = -7;
    report_handshake(fmt("%s.handshake", name), &p);
    report(fmt("%s.SSL_get_verify_result", name), "%ld", SSL_get_verify_result(p.c));
    if (mode < 0)
        note(fmt("%s.callback", name), "calls %d, scts %d", ct_seen_calls, ct_seen_count);
    scts = SSL_get0_peer_scts(p.c);
    report(fmt("%s.SSL_get0_peer_scts", name), "%s, %d", P(scts), scts ? sk_SCT_num(scts) : -1);
    if (scts != NULL && sk_SCT_num(scts) > 0) {
        SCT *sct = sk_SCT_value(scts, 0);
        report(fmt("%s.SCT", name), "source %d, validation %d", SCT_get_source(sct), SCT_get_validation_status(sct));
    }
    pair_free(&p);
}

/* SCTs embedded in the server's certificate, validated against a log list, and what each
 * validation mode makes of them (and of none). */
static void ct_scts(void)
{
    char *loglist = strdup(scratch("ct_logs.cnf"));
    X509 *ec = load_cert("ec.pem"), *leaf;
    unsigned char *spki = NULL, id[32], b64[512], idb64[64];
    unsigned int idlen;
    int n = i2d_PUBKEY(X509_get0_pubkey(ec), &spki);
    FILE *f = fopen(loglist, "w");

    EVP_EncodeBlock(b64, spki, n);
    EVP_Digest(spki, (size_t)n, id, &idlen, EVP_sha256(), NULL);
    EVP_EncodeBlock(idb64, id, (int)idlen);
    fprintf(f, "enabled_logs = test\n\n[test]\ndescription = Contract Test Log\nkey = %s\n", b64);
    fclose(f);
    OPENSSL_free(spki);
    X509_free(ec);
    leaf = cert_with_sct((const char *)idb64);

    ct_case("embedded_permissive", leaf, loglist, SSL_CT_VALIDATION_PERMISSIVE, 1);
    ct_case("embedded_strict", leaf, loglist, SSL_CT_VALIDATION_STRICT, 1);
    ct_refuse = 0;
    ct_case("embedded_callback", leaf, loglist, -1, 1);
    ct_refuse = 1;
    ct_case("embedded_callback_refusing", leaf, loglist, -1, 1);
    ct_case("none_callback_refusing_verify_none", NULL, loglist, -1, 0);
    ct_case("none_strict_verify_none", NULL, loglist, SSL_CT_VALIDATION_STRICT, 0);
    ct_refuse = 0;
    ct_case("none_callback", NULL, loglist, -1, 1);
    X509_free(leaf);
    remove(loglist);
    free(loglist);
}

/* A verify callback that refuses a certificate without setting an error (stunnel's and
 * haproxy's host name checks): X509_V_ERR_UNSPECIFIED, which OpenSSL answers with the
 * internal_error alert, on either side and in either version. */
static int refusing_verify_cb(int ok, X509_STORE_CTX *x)
{
    (void)x;
    return ok && X509_STORE_CTX_get_error_depth(x) > 0;
}

static void refused(const char *name, int version, int server_refuses)
{
    struct pair p;
    SSL *refuser, *other;

    pair_new(&p, version);
    if (server_refuses) {
        client_ctx_cert(p.cctx);
        SSL_CTX_set_verify(p.sctx, SSL_VERIFY_PEER, refusing_verify_cb);
        SSL_CTX_set_ciphersuites(p.sctx, "TLS_CHACHA20_POLY1305_SHA256");
    } else {
        SSL_CTX_set_verify(p.cctx, SSL_VERIFY_PEER, refusing_verify_cb);
    }
    SSL_free(p.c);
    SSL_free(p.s);
    pair_connect(&p);
    refuser = server_refuses ? p.s : p.c;
    other = server_refuses ? p.c : p.s;
    report_handshake(fmt("%s.handshake", name), &p);
    report(fmt("%s.SSL_get_verify_result", name), "%ld", SSL_get_verify_result(refuser));
    /* The peer reads the alert. */
    {
        int r = SSL_do_handshake(other);
        char b;
        if (r == 1)
            r = SSL_read(other, &b, 1);
        report(fmt("%s.peer", name), "%d, error %d", r, SSL_get_error(other, r));
    }
    pair_free(&p);
}

static void refusing_callback(void)
{
    refused("client_tls12", TLS1_2_VERSION, 0);
    refused("client_tls13", TLS1_3_VERSION, 0);
    refused("server_tls12", TLS1_2_VERSION, 1);
    refused("server_tls13", TLS1_3_VERSION, 1);
}

GROUPS({"settings", settings, NULL}, {"stores", stores, NULL}, {"results", results, NULL},
       {"callbacks", callbacks, NULL}, {"refusing_callback", refusing_callback, NULL}, {"app_verification", app_verification, NULL},
       {"client_auth_tls12", client_auth_tls12, NULL}, {"client_auth_tls13", client_auth_tls13, NULL},
       {"post_handshake", post_handshake, NULL}, {"dane", dane, NULL}, {"dane_usages", dane_usages, NULL},
       {"ct", ct, NULL}, {"ct_scts", ct_scts, NULL})
