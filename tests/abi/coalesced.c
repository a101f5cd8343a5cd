/* What a TLS 1.3 server does with records that arrive in the same read as the client's
 * Finished (a client sending its first request right behind it, or a hostile one sending
 * an unprotected record): in-process client and server over memory BIOs, the client's
 * second flight and what follows it handed to the server in one BIO_write.
 *   request    an application-data record: the handshake completes and the first
 *              SSL_read returns the request without reading again.
 *   heartbeat  an unprotected heartbeat record (type 24): the handshake completes, the
 *              next SSL_read fails ("bad record type").
 *   ccs        an unprotected ChangeCipherSpec: the same.
 *   garbage    an application-data record of random bytes: "decryption failed or bad
 *              record mac".
 * The server is set up as nginx sets it up (read-ahead, an info callback), so that it reads
 * everything the client sent at once. Prints only what OpenSSL and the shim must agree on. */
#include "common.h"

#include <openssl/rand.h>

static void info_cb(const SSL *ssl, int where, int ret)
{
    (void)ssl, (void)where, (void)ret;
}

static SSL_CTX *server_ctx(void)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
    if (ctx == NULL || SSL_CTX_use_certificate_chain_file(ctx, cert_path("server-chain.pem")) != 1
        || SSL_CTX_use_PrivateKey_file(ctx, cert_path("server.key"), SSL_FILETYPE_PEM) != 1)
        die("server context");
    SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION);
    /* As nginx sets them. */
    SSL_CTX_set_info_callback(ctx, info_cb);
    SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS | SSL_MODE_NO_AUTO_CHAIN);
    SSL_CTX_set_read_ahead(ctx, 1);
    return ctx;
}

static SSL_CTX *client_ctx(void)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    if (ctx == NULL || SSL_CTX_load_verify_locations(ctx, cert_path("root.pem"), NULL) != 1)
        die("client context");
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
    return ctx;
}

/* Moves everything `from` wrote to `to`'s read BIO in one write. */
static void move(SSL *from, SSL *to, const unsigned char *extra, size_t extra_len)
{
    BIO *out = SSL_get_wbio(from), *in = SSL_get_rbio(to);
    unsigned char buf[65536];
    int n = BIO_read(out, buf, sizeof(buf));
    size_t len = n > 0 ? (size_t)n : 0;
    if (extra_len > 0) {
        memcpy(buf + len, extra, extra_len);
        len += extra_len;
    }
    if (len > 0 && BIO_write(in, buf, (int)len) != (int)len)
        die("BIO_write");
}

static void run(const char *mode)
{
    SSL_CTX *sctx = server_ctx(), *cctx = client_ctx();
    SSL *s = SSL_new(sctx), *c = SSL_new(cctx);
    SSL_set_bio(s, BIO_new(BIO_s_mem()), BIO_new(BIO_s_mem()));
    SSL_set_bio(c, BIO_new(BIO_s_mem()), BIO_new(BIO_s_mem()));
    SSL_set_tlsext_host_name(c, "localhost");
    printf("== %s\n", mode);

    print_io(c, "client hello", SSL_connect(c));
    move(c, s, NULL, 0);
    print_io(s, "server flight", SSL_accept(s));
    move(s, c, NULL, 0);
    print_io(c, "client finished", SSL_connect(c));

    unsigned char extra[64];
    size_t extra_len = 0;
    if (strcmp(mode, "request") == 0) {
        print_io(c, "client write", SSL_write(c, "GET / HTTP/1.0\r\n\r\n", 18));
    } else if (strcmp(mode, "heartbeat") == 0) {
        static const unsigned char hb[] = {24, 3, 3, 0, 3, 1, 0, 0};
        memcpy(extra, hb, sizeof(hb));
        extra_len = sizeof(hb);
    } else if (strcmp(mode, "ccs") == 0) {
        static const unsigned char ccs[] = {20, 3, 3, 0, 1, 1};
        memcpy(extra, ccs, sizeof(ccs));
        extra_len = sizeof(ccs);
    } else {
        static const unsigned char head[] = {23, 3, 3, 0, 40};
        memcpy(extra, head, sizeof(head));
        if (RAND_bytes(extra + sizeof(head), 40) != 1)
            die("RAND_bytes");
        extra_len = sizeof(head) + 40;
    }
    move(c, s, extra, extra_len);
    ERR_clear_error();
    print_io(s, "server handshake", SSL_accept(s));
    print_first_error("server handshake error");
    char buf[256];
    int n = SSL_read(s, buf, sizeof(buf));
    print_io(s, "server read", n);
    if (n > 0)
        printf("server read: %.*s", n, buf);
    print_first_error("server read error");
    printf("server pending: %d\n", SSL_pending(s));

    SSL_free(c);
    SSL_free(s);
    SSL_CTX_free(cctx);
    SSL_CTX_free(sctx);
}

int main(void)
{
    run("request");
    run("heartbeat");
    run("ccs");
    run("garbage");
    return 0;
}
