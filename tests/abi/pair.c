/* In-process client and server, both through the library under test, over a BIO pair:
 * TLS 1.2 and 1.3 handshakes pumped by hand (WANT_READ on each side), data both ways,
 * the shutdown states, server-side ALPN and SNI callbacks, client-certificate verification,
 * resumption through the new-session callback, SSL_get_error after close_notify, and
 * read-ahead (SSL_set_read_ahead, SSL_has_pending), SSL_peek.
 * Prints only what OpenSSL and the shim must agree on. */
#include "common.h"

static SSL_SESSION *saved;

static int new_session_cb(SSL *ssl, SSL_SESSION *sess)
{
    (void)ssl;
    if (saved != NULL)
        SSL_SESSION_free(saved);
    saved = sess;
    return 1; /* keep the reference */
}

static int alpn_cb(SSL *ssl, const unsigned char **out, unsigned char *outlen,
                   const unsigned char *in, unsigned int inlen, void *arg)
{
    static const unsigned char ours[] = "\x08http/1.1\x02h2";
    (void)ssl;
    (void)arg;
    if (SSL_select_next_proto((unsigned char **)out, outlen, ours, sizeof(ours) - 1, in, inlen)
        != OPENSSL_NPN_NEGOTIATED)
        return SSL_TLSEXT_ERR_NOACK;
    return SSL_TLSEXT_ERR_OK;
}

static int sni_seen;

static int servername_cb(SSL *ssl, int *alert, void *arg)
{
    const char *name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
    (void)alert;
    (void)arg;
    sni_seen = name != NULL && strcmp(name, "localhost") == 0;
    return SSL_TLSEXT_ERR_OK;
}

static SSL_CTX *server_ctx(void)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
    if (ctx == NULL || SSL_CTX_use_certificate_chain_file(ctx, cert_path("server-chain.pem")) != 1
        || SSL_CTX_use_PrivateKey_file(ctx, cert_path("server.key"), SSL_FILETYPE_PEM) != 1
        || SSL_CTX_load_verify_locations(ctx, cert_path("root.pem"), NULL) != 1)
        die("server context");
    SSL_CTX_set_alpn_select_cb(ctx, alpn_cb, NULL);
    SSL_CTX_set_tlsext_servername_callback(ctx, servername_cb);
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
    /* OpenSSL refuses to resume a verified session without a session id context. */
    SSL_CTX_set_session_id_context(ctx, (const unsigned char *)"pair", 4);
    return ctx;
}

static SSL_CTX *client_ctx(int version)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    static const unsigned char alpn[] = "\x02h2\x08http/1.1";
    if (ctx == NULL || SSL_CTX_load_verify_locations(ctx, cert_path("root.pem"), NULL) != 1
        || SSL_CTX_use_certificate_file(ctx, cert_path("client.pem"), SSL_FILETYPE_PEM) != 1
        || SSL_CTX_use_PrivateKey_file(ctx, cert_path("client.key"), SSL_FILETYPE_PEM) != 1)
        die("client context");
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
    SSL_CTX_set_min_proto_version(ctx, version);
    SSL_CTX_set_max_proto_version(ctx, version);
    SSL_CTX_set_alpn_protos(ctx, alpn, sizeof(alpn) - 1);
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_CLIENT);
    SSL_CTX_sess_set_new_cb(ctx, new_session_cb);
    return ctx;
}

/* Drives both handshakes to completion; returns 1 on success. */
static int pump_handshake(SSL *c, SSL *s, int *client_wants_read)
{
    int c_done = 0, s_done = 0, rounds;
    for (rounds = 0; rounds < 100 && !(c_done && s_done); rounds++) {
        if (!c_done) {
            int r = SSL_do_handshake(c);
            if (r == 1)
                c_done = 1;
            else if (SSL_get_error(c, r) == SSL_ERROR_WANT_READ)
                *client_wants_read = 1;
            else
                return 0;
        }
        if (!s_done) {
            int r = SSL_do_handshake(s);
            if (r == 1)
                s_done = 1;
            else if (SSL_get_error(s, r) != SSL_ERROR_WANT_READ)
                return 0;
        }
    }
    return c_done && s_done;
}

static void pair(SSL_CTX *cctx, SSL_CTX *sctx, SSL **c, SSL **s)
{
    BIO *cb, *sb;
    if (BIO_new_bio_pair(&cb, 0, &sb, 0) != 1)
        die("bio pair");
    *c = SSL_new(cctx);
    *s = SSL_new(sctx);
    SSL_set_bio(*c, cb, cb);
    SSL_set_bio(*s, sb, sb);
    SSL_set_connect_state(*c);
    SSL_set_accept_state(*s);
    SSL_set_tlsext_host_name(*c, "localhost");
    SSL_set1_host(*c, "localhost");
}

static void run(const char *label, int version)
{
    SSL_CTX *sctx = server_ctx(), *cctx = client_ctx(version);
    SSL *c, *s;
    char buf[64];
    const unsigned char *proto;
    unsigned int proto_len;
    int want_read = 0, n, ok;
    X509 *peer;
    STACK_OF(X509) *chain;

    printf("== %s\n", label);
    pair(cctx, sctx, &c, &s);
    ok = pump_handshake(c, s, &want_read);
    printf("handshake: %d (client saw WANT_READ: %d)\n", ok, want_read);
    printf("version: %s / %s\n", SSL_get_version(c), SSL_get_version(s));
    printf("cipher agrees: %d\n",
           strcmp(SSL_CIPHER_get_name(SSL_get_current_cipher(c)),
                  SSL_CIPHER_get_name(SSL_get_current_cipher(s))) == 0);
    SSL_get0_alpn_selected(s, &proto, &proto_len);
    printf("alpn (server): %.*s\n", (int)proto_len, proto);
    printf("sni seen by callback: %d\n", sni_seen);
    printf("verify results: %ld / %ld\n", SSL_get_verify_result(c), SSL_get_verify_result(s));
    peer = SSL_get1_peer_certificate(s);
    printf("server sees client cert: %d\n", peer != NULL);
    X509_free(peer);
    chain = SSL_get_peer_cert_chain(s);
    printf("server's peer chain: %d certificates\n", chain == NULL ? -1 : sk_X509_num(chain));
    chain = SSL_get_peer_cert_chain(c);
    printf("client's peer chain: %d certificates\n", chain == NULL ? -1 : sk_X509_num(chain));

    n = SSL_write(c, "ping", 4);
    printf("client write: %d\n", n);
    n = SSL_read(s, buf, sizeof(buf));
    printf("server read: %d %.*s\n", n, n > 0 ? n : 0, buf);
    n = SSL_write(s, "pong", 4);
    n = SSL_read(c, buf, sizeof(buf));
    printf("client read: %d %.*s\n", n, n > 0 ? n : 0, buf);
    n = SSL_read(c, buf, sizeof(buf));
    printf("client read again: %d, error %d\n", n, SSL_get_error(c, n));

    /* Read-ahead: the server takes all three records from the BIO at once, still returns
     * one record per read, and says more is buffered. */
    SSL_set_read_ahead(s, 1);
    printf("server read-ahead: %d\n", SSL_get_read_ahead(s));
    SSL_write(c, "a", 1);
    SSL_write(c, "bb", 2);
    SSL_write(c, "ccc", 3);
    for (int i = 0; i < 3; i++) {
        n = SSL_read(s, buf, sizeof(buf));
        printf("server read: %d %.*s, has_pending %d, pending %d, left in BIO %d\n", n,
               n > 0 ? n : 0, buf, SSL_has_pending(s), SSL_pending(s),
               (int)BIO_ctrl_pending(SSL_get_rbio(s)));
    }
    SSL_set_read_ahead(s, 0);

    /* SSL_peek returns what the next SSL_read returns, and leaves it there. */
    SSL_write(c, "peekaboo", 8);
    n = SSL_peek(s, buf, 4);
    printf("server peek: %d %.*s, pending %d\n", n, n > 0 ? n : 0, buf, SSL_pending(s));
    size_t got = 0;
    n = SSL_peek_ex(s, buf, sizeof(buf), &got);
    printf("server peek_ex: %d %.*s\n", n, (int)got, buf);
    n = SSL_read(s, buf, sizeof(buf));
    printf("server read after peek: %d %.*s, pending %d\n", n, n > 0 ? n : 0, buf, SSL_pending(s));

    n = SSL_shutdown(c);
    printf("client shutdown: %d, flags %d\n", n, SSL_get_shutdown(c));
    n = SSL_read(s, buf, sizeof(buf));
    printf("server read after close_notify: %d, error %d, flags %d\n", n, SSL_get_error(s, n),
           SSL_get_shutdown(s));
    n = SSL_shutdown(s);
    printf("server shutdown: %d, flags %d\n", n, SSL_get_shutdown(s));
    n = SSL_shutdown(c);
    printf("client shutdown again: %d, flags %d\n", n, SSL_get_shutdown(c));
    SSL_free(c);
    SSL_free(s);

    /* Resumption with the session the callback kept. */
    printf("session kept: %d\n", saved != NULL);
    pair(cctx, sctx, &c, &s);
    SSL_set_session(c, saved);
    want_read = 0;
    ok = pump_handshake(c, s, &want_read);
    printf("resumed handshake: %d, reused %d / %d\n", ok, SSL_session_reused(c), SSL_session_reused(s));
    SSL_free(c);
    SSL_free(s);
    SSL_SESSION_free(saved);
    saved = NULL;
    SSL_CTX_free(cctx);
    SSL_CTX_free(sctx);
    printf("error queue empty: %d\n", ERR_peek_error() == 0);
}

int main(void)
{
    run("TLS 1.2", TLS1_2_VERSION);
    run("TLS 1.3", TLS1_3_VERSION);
    return 0;
}
