/* Export contract: features rustls does not have, as programs use them when the feature is
 * not negotiated (settings kept, callbacks stored, getters reporting "nothing
 * negotiated"), and where the feature itself is in use (a DTLS handshake, PSK handshakes),
 * which expected-differences.txt lists: DTLS, SRP, external PSK, async. */
#include <openssl/async.h>
#include <openssl/srp.h>

#include "contract.h"

/* The DTLS-only calls on a DTLS connection that has not handshaken, as a DTLS server
 * starts: DTLSv1_listen with nothing received yet. */
static int timer_cb_calls;
static unsigned int timer_cb(SSL *s, unsigned int us)
{
    (void)s;
    timer_cb_calls++;
    return us == 0 ? 1000000 : 2 * us;
}

static int cookie_gen(SSL *s, unsigned char *cookie, unsigned int *len)
{
    (void)s;
    memcpy(cookie, "cookie", 6);
    *len = 6;
    return 1;
}

static int cookie_verify(SSL *s, const unsigned char *cookie, unsigned int len)
{
    (void)s;
    return len == 6 && memcmp(cookie, "cookie", 6) == 0;
}

static void dtls_calls(void)
{
    SSL_CTX *ctx = SSL_CTX_new(DTLS_server_method());
    SSL *ssl;
    BIO *rb, *wb;
    BIO_ADDR *addr;

    if (ctx == NULL)
        fixture_failed("DTLS context");
    SSL_CTX_set_cookie_generate_cb(ctx, cookie_gen);
    SSL_CTX_set_cookie_verify_cb(ctx, cookie_verify);
    ssl = SSL_new(ctx);
    if (ssl == NULL)
        fixture_failed("DTLS connection");
    report("DTLS_get_data_mtu.before_handshake", "%zu", DTLS_get_data_mtu(ssl));
    DTLS_set_timer_cb(ssl, timer_cb);
    report("DTLS_set_timer_cb", "void");
    rb = BIO_new(BIO_s_mem());
    wb = BIO_new(BIO_s_mem());
    BIO_set_mem_eof_return(rb, -1);
    SSL_set_bio(ssl, rb, wb);
    addr = BIO_ADDR_new();
    report("DTLSv1_listen.nothing_received", "%d", DTLSv1_listen(ssl, addr));
    report("DTLSv1_listen.wrote", "%d bytes", (int)BIO_ctrl_pending(wb));
    note("DTLS_set_timer_cb.calls", "%d", timer_cb_calls);
    BIO_ADDR_free(addr);
    SSL_free(ssl);

    /* DTLSv1_listen on a TLS connection. */
    SSL_CTX_free(ctx);
    ctx = SSL_CTX_new(TLS_server_method());
    ssl = SSL_new(ctx);
    rb = BIO_new(BIO_s_mem());
    BIO_set_mem_eof_return(rb, -1);
    SSL_set_bio(ssl, rb, rb);
    addr = BIO_ADDR_new();
    report("DTLSv1_listen.tls_connection", "%d", DTLSv1_listen(ssl, addr));
    BIO_ADDR_free(addr);
    SSL_free(ssl);
    SSL_CTX_free(ctx);
}

/* A DTLS handshake over a BIO pair: a feature the shim does not have (rustls has no DTLS). */
static void dtls_handshake(void)
{
    struct pair p;
    int ok;

    p.sctx = SSL_CTX_new(DTLS_server_method());
    p.cctx = SSL_CTX_new(DTLS_client_method());
    if (p.sctx == NULL || p.cctx == NULL) {
        report("DTLS_method.handshake", "context NULL");
        SSL_CTX_free(p.sctx);
        SSL_CTX_free(p.cctx);
        return;
    }
    SSL_CTX_use_certificate_chain_file(p.sctx, pki("server-chain.pem"));
    SSL_CTX_use_PrivateKey_file(p.sctx, pki("server.key"), SSL_FILETYPE_PEM);
    SSL_CTX_load_verify_locations(p.cctx, pki("root.pem"), NULL);
    SSL_CTX_set_verify(p.cctx, SSL_VERIFY_PEER, NULL);
    pair_connect(&p);
    ok = pair_handshake(&p);
    report("DTLS_method.handshake", "handshake %s, versions %s / %s", HS(&p, ok), STR(SSL_get_version(p.c)),
           STR(SSL_get_version(p.s)));
    report("DTLS_get_data_mtu.after_handshake", "%s",
           ok ? (DTLS_get_data_mtu(p.c) > 0 ? "> 0" : "0") : "no handshake");
    pair_free(&p);
}

static int srp_username_cb(SSL *s, int *ad, void *arg)
{
    (void)s, (void)ad, (void)arg;
    return SSL_ERROR_NONE;
}

static int srp_verify_cb(SSL *s, void *arg)
{
    (void)s, (void)arg;
    return 1;
}

static char *srp_pwd_cb(SSL *s, void *arg)
{
    (void)s, (void)arg;
    return OPENSSL_strdup("password");
}

static void srp(void)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_method());
    SSL *ssl;
    static int arg;
    int ad = SENT_INT;
    SRP_gN *gn = SRP_get_default_gN("2048");

    report("SSL_CTX_SRP_CTX_init", "%d", SSL_CTX_SRP_CTX_init(ctx));
    report("SSL_CTX_set_srp_username", "%d", SSL_CTX_set_srp_username(ctx, (char *)"alice"));
    report("SSL_CTX_set_srp_username.empty", "%d", SSL_CTX_set_srp_username(ctx, (char *)""));
    report("SSL_CTX_set_srp_username.again", "%d", SSL_CTX_set_srp_username(ctx, (char *)"alice"));
    report("SSL_CTX_set_srp_password", "%d", SSL_CTX_set_srp_password(ctx, (char *)"password"));
    report("SSL_CTX_set_srp_strength", "%d", SSL_CTX_set_srp_strength(ctx, 2048));
    report("SSL_CTX_set_srp_cb_arg", "%d", SSL_CTX_set_srp_cb_arg(ctx, &arg));
    report("SSL_CTX_set_srp_username_callback", "%d", SSL_CTX_set_srp_username_callback(ctx, srp_username_cb));
    report("SSL_CTX_set_srp_verify_param_callback", "%d", SSL_CTX_set_srp_verify_param_callback(ctx, srp_verify_cb));
    report("SSL_CTX_set_srp_client_pwd_callback", "%d", SSL_CTX_set_srp_client_pwd_callback(ctx, srp_pwd_cb));
    ssl = SSL_new(ctx);
    report("SSL_get_srp_username", "%s", STR(SSL_get_srp_username(ssl)));
    report("SSL_get_srp_userinfo", "%s", STR(SSL_get_srp_userinfo(ssl)));
    report("SSL_get_srp_N.unset", "%s", P(SSL_get_srp_N(ssl)));
    report("SSL_get_srp_g.unset", "%s", P(SSL_get_srp_g(ssl)));
    {
        /* SSL_new already set up the connection's SRP state; OpenSSL 3.0's init would
         * drop (leak) what it copied, so init and free run on a connection of a context
         * without SRP settings. */
        SSL_CTX *plain = SSL_CTX_new(TLS_method());
        SSL *fresh = SSL_new(plain);
        report("SSL_SRP_CTX_init", "%d", SSL_SRP_CTX_init(fresh));
        report("SSL_get_srp_username.after_ssl_init", "%s", STR(SSL_get_srp_username(fresh)));
        report("SSL_SRP_CTX_free.fresh", "%d", SSL_SRP_CTX_free(fresh));
        SSL_free(fresh);
        SSL_CTX_free(plain);
    }
    {
        BIGNUM *salt = BN_new(), *v = NULL, *s = NULL;
        SRP_create_verifier_BN("alice", "password", &s, &v, gn->N, gn->g);
        BN_set_word(salt, 12345);
        report("SSL_set_srp_server_param", "%d", SSL_set_srp_server_param(ssl, gn->N, gn->g, s, v, (char *)"info"));
        BN_free(salt);
        BN_free(s);
        BN_free(v);
    }
    report("SSL_get_srp_N", "%s", SSL_get_srp_N(ssl) ? fmt("%d bits", BN_num_bits(SSL_get_srp_N(ssl))) : "NULL");
    report("SSL_get_srp_g", "%s", SSL_get_srp_g(ssl) ? fmt("%s", BN_is_word(SSL_get_srp_g(ssl), 2) ? "2" : "other") : "NULL");
    report("SSL_get_srp_userinfo.after_param", "%s", STR(SSL_get_srp_userinfo(ssl)));
    REPORT_OUT("SSL_srp_server_param_with_username", int, SSL_srp_server_param_with_username(ssl, &ad), "%d, ad %d", ad);
    report("SRP_Calc_A_param", "%d", SRP_Calc_A_param(ssl));
    report("SSL_set_srp_server_param_pw.unknown_group", "%d", SSL_set_srp_server_param_pw(ssl, "alice", "password", "999"));
    {
        /* On a connection of its own: OpenSSL 3.0 replaces N and g here without freeing the
         * ones set above. */
        SSL *other = SSL_new(ctx);
        report("SSL_set_srp_server_param_pw", "%d", SSL_set_srp_server_param_pw(other, "alice", "password", "2048"));
        report("SSL_get_srp_N.after_param_pw", "%s", SSL_get_srp_N(other) ? fmt("%d bits", BN_num_bits(SSL_get_srp_N(other))) : "NULL");
        SSL_free(other);
    }
    report("SSL_SRP_CTX_free", "%d", SSL_SRP_CTX_free(ssl));
    report("SSL_get_srp_username.after_ssl_free", "%s", STR(SSL_get_srp_username(ssl)));
    SSL_free(ssl);
    report("SSL_CTX_SRP_CTX_free", "%d", SSL_CTX_SRP_CTX_free(ctx));
    SSL_CTX_free(ctx);
}

/* A client configured for SRP meets a certificate server: SRP is not used. */
static void srp_not_used(void)
{
    struct pair p;

    pair_new(&p, TLS1_2_VERSION);
    SSL_CTX_set_srp_username(p.cctx, (char *)"alice");
    SSL_CTX_set_srp_password(p.cctx, (char *)"password");
    SSL_free(p.c);
    SSL_free(p.s);
    pair_connect(&p);
    report_handshake("handshake", &p);
    report("cipher", "%s", CIPHER(SSL_get_current_cipher(p.c)));
    report("SSL_get_srp_username.server", "%s", STR(SSL_get_srp_username(p.s)));
    pair_free(&p);
}

/* psk_offer: whether the callbacks hand out a key (the PSK handshake) or decline, as an
 * application with no key for this peer does. */
static int psk_client_calls, psk_server_calls, psk_use_calls, psk_find_calls, psk_offer;
static unsigned int psk_client_cb(SSL *s, const char *hint, char *identity, unsigned int max_identity_len,
                                  unsigned char *psk, unsigned int max_psk_len)
{
    (void)s, (void)hint;
    psk_client_calls++;
    snprintf(identity, max_identity_len, "client-id");
    if (!psk_offer || max_psk_len < 16)
        return 0;
    memset(psk, 0x42, 16);
    return 16;
}

static unsigned int psk_server_cb(SSL *s, const char *identity, unsigned char *psk, unsigned int max_psk_len)
{
    (void)s;
    psk_server_calls++;
    if (!psk_offer || identity == NULL || strcmp(identity, "client-id") != 0 || max_psk_len < 16)
        return 0;
    memset(psk, 0x42, 16);
    return 16;
}

static int psk_use_session_cb(SSL *s, const EVP_MD *md, const unsigned char **id, size_t *idlen, SSL_SESSION **sess)
{
    (void)s, (void)md;
    psk_use_calls++;
    *id = NULL;
    *idlen = 0;
    *sess = NULL;
    return 1;
}

static int psk_find_session_cb(SSL *s, const unsigned char *id, size_t idlen, SSL_SESSION **sess)
{
    (void)s, (void)id, (void)idlen;
    psk_find_calls++;
    *sess = NULL;
    return 1;
}

static void psk_settings(void)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_method());
    SSL *ssl;
    char long_hint[200];

    memset(long_hint, 'h', sizeof(long_hint) - 1);
    long_hint[sizeof(long_hint) - 1] = 0;
    report("SSL_CTX_use_psk_identity_hint", "%d", SSL_CTX_use_psk_identity_hint(ctx, "hint"));
    report("SSL_CTX_use_psk_identity_hint.too_long", "%d", SSL_CTX_use_psk_identity_hint(ctx, long_hint));
    report("SSL_CTX_use_psk_identity_hint.null", "%d", SSL_CTX_use_psk_identity_hint(ctx, NULL));
    SSL_CTX_set_psk_client_callback(ctx, psk_client_cb);
    report("SSL_CTX_set_psk_client_callback", "void");
    SSL_CTX_set_psk_server_callback(ctx, psk_server_cb);
    report("SSL_CTX_set_psk_server_callback", "void");
    SSL_CTX_set_psk_use_session_callback(ctx, psk_use_session_cb);
    report("SSL_CTX_set_psk_use_session_callback", "void");
    SSL_CTX_set_psk_find_session_callback(ctx, psk_find_session_cb);
    report("SSL_CTX_set_psk_find_session_callback", "void");
    ssl = SSL_new(ctx);
    report("SSL_use_psk_identity_hint", "%d", SSL_use_psk_identity_hint(ssl, "conn-hint"));
    report("SSL_use_psk_identity_hint.too_long", "%d", SSL_use_psk_identity_hint(ssl, long_hint));
    report("SSL_get_psk_identity_hint.no_session", "%s", STR(SSL_get_psk_identity_hint(ssl)));
    report("SSL_get_psk_identity.no_session", "%s", STR(SSL_get_psk_identity(ssl)));
    SSL_set_psk_client_callback(ssl, NULL);
    report("SSL_set_psk_client_callback", "void");
    SSL_set_psk_server_callback(ssl, psk_server_cb);
    report("SSL_set_psk_server_callback", "void");
    SSL_set_psk_use_session_callback(ssl, NULL);
    report("SSL_set_psk_use_session_callback", "void");
    SSL_set_psk_find_session_callback(ssl, psk_find_session_cb);
    report("SSL_set_psk_find_session_callback", "void");
    SSL_free(ssl);
    SSL_CTX_free(ctx);
}

/* PSK callbacks set on both sides of a certificate handshake, declining to offer a key:
 * which of them OpenSSL calls, and what the getters report afterwards. */
static void psk_not_used(int version)
{
    struct pair p;

    psk_client_calls = psk_server_calls = psk_use_calls = psk_find_calls = psk_offer = 0;
    pair_new(&p, version);
    SSL_CTX_set_psk_client_callback(p.cctx, psk_client_cb);
    SSL_CTX_set_psk_server_callback(p.sctx, psk_server_cb);
    SSL_CTX_set_psk_use_session_callback(p.cctx, psk_use_session_cb);
    SSL_CTX_set_psk_find_session_callback(p.sctx, psk_find_session_cb);
    SSL_CTX_use_psk_identity_hint(p.sctx, "hint");
    SSL_free(p.c);
    SSL_free(p.s);
    pair_connect(&p);
    report_handshake("handshake", &p);
    report("cipher", "%s", CIPHER(SSL_get_current_cipher(p.c)));
    note("psk_client_callback.calls", "%d", psk_client_calls);
    note("psk_server_callback.calls", "%d", psk_server_calls);
    note("psk_use_session_callback.calls", "%d", psk_use_calls);
    note("psk_find_session_callback.calls", "%d", psk_find_calls);
    report("SSL_get_psk_identity.client", "%s", STR(SSL_get_psk_identity(p.c)));
    report("SSL_get_psk_identity.server", "%s", STR(SSL_get_psk_identity(p.s)));
    report("SSL_get_psk_identity_hint.client", "%s", STR(SSL_get_psk_identity_hint(p.c)));
    report("SSL_get_psk_identity_hint.server", "%s", STR(SSL_get_psk_identity_hint(p.s)));
    report("SSL_session_reused", "%d", SSL_session_reused(p.c));
    pair_free(&p);
}

static void psk_not_used_tls12(void)
{
    psk_not_used(TLS1_2_VERSION);
}

static void psk_not_used_tls13(void)
{
    psk_not_used(TLS1_3_VERSION);
}

/* A TLS 1.2 PSK cipher suite handshake: the feature in use (the shim has no external PSK). */
static void psk_handshake(void)
{
    struct pair p;

    psk_client_calls = psk_server_calls = 0;
    psk_offer = 1;
    pair_new(&p, TLS1_2_VERSION);
    SSL_CTX_set_psk_client_callback(p.cctx, psk_client_cb);
    SSL_CTX_set_psk_server_callback(p.sctx, psk_server_cb);
    SSL_CTX_use_psk_identity_hint(p.sctx, "hint");
    SSL_CTX_set_cipher_list(p.cctx, "PSK-AES128-GCM-SHA256");
    SSL_CTX_set_cipher_list(p.sctx, "PSK-AES128-GCM-SHA256");
    SSL_free(p.c);
    SSL_free(p.s);
    pair_connect(&p);
    report_handshake("handshake", &p);
    report("cipher", "%s", CIPHER(SSL_get_current_cipher(p.c)));
    note("calls", "client %d, server %d", psk_client_calls, psk_server_calls);
    report("SSL_get_psk_identity.server", "%s", STR(SSL_get_psk_identity(p.s)));
    report("SSL_get_psk_identity_hint.client", "%s", STR(SSL_get_psk_identity_hint(p.c)));
    pair_free(&p);
}

/* Async: no engine offloads anything, so there is never a job or a wait context. */
static void async(void)
{
    struct pair p;
    size_t numfds = (size_t)SENT_INT, add = (size_t)SENT_INT, del = (size_t)SENT_INT;
    int status = SENT_INT;

    pair_new(&p, 0);
    SSL_set_mode(p.c, SSL_MODE_ASYNC);
    report("SSL_waiting_for_async.before", "%d", SSL_waiting_for_async(p.c));
    REPORT_OUT("SSL_get_all_async_fds.before", int, SSL_get_all_async_fds(p.c, NULL, &numfds), "%d, numfds %zu", numfds);
    REPORT_OUT("SSL_get_async_status.before", int, SSL_get_async_status(p.c, &status), "%d, status %d", status);
    report_handshake("handshake.async_mode", &p);
    report("SSL_waiting_for_async", "%d", SSL_waiting_for_async(p.c));
    numfds = (size_t)SENT_INT;
    REPORT_OUT("SSL_get_all_async_fds", int, SSL_get_all_async_fds(p.c, NULL, &numfds), "%d, numfds %zu", numfds);
    REPORT_OUT("SSL_get_changed_async_fds", int, SSL_get_changed_async_fds(p.c, NULL, &add, NULL, &del), "%d, add %zu, del %zu", add, del);
    status = SENT_INT;
    REPORT_OUT("SSL_get_async_status", int, SSL_get_async_status(p.c, &status), "%d, status %d", status);
    numfds = (size_t)SENT_INT;
    REPORT_OUT("SSL_get_all_async_fds.server_not_async", int, SSL_get_all_async_fds(p.s, NULL, &numfds), "%d, numfds %zu", numfds);
    pair_free(&p);
}

GROUPS({"dtls_calls", dtls_calls, NULL}, {"dtls_handshake", dtls_handshake, NULL}, {"srp", srp, NULL},
       {"srp_not_used", srp_not_used, NULL}, {"psk_settings", psk_settings, NULL},
       {"psk_not_used_tls12", psk_not_used_tls12, NULL}, {"psk_not_used_tls13", psk_not_used_tls13, NULL},
       {"psk_handshake", psk_handshake, NULL}, {"async", async, NULL})
