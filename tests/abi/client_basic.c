/* client_basic: a verifying TLS client against `openssl s_server -www` (server WWW, leaf
 * signed by an intermediate sent with -cert_chain) for TLS 1.2 and 1.3 and a few explicit
 * ciphers, then a client-initiated shutdown against `s_server -rev` (server REV). */
#include "common.h"

static SSL_CTX *new_ctx(int max_version, const char *cipher_list, const char *suites)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    if (ctx == NULL)
        die("SSL_CTX_new");
    printf("load_verify_locations: %d\n", SSL_CTX_load_verify_locations(ctx, cert_path("root.pem"), NULL));
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
    if (max_version != 0)
        printf("set_max_proto_version: %d\n", (int)SSL_CTX_set_max_proto_version(ctx, max_version));
    if (cipher_list != NULL)
        printf("set_cipher_list: %d\n", SSL_CTX_set_cipher_list(ctx, cipher_list));
    if (suites != NULL)
        printf("set_ciphersuites: %d\n", SSL_CTX_set_ciphersuites(ctx, suites));
    return ctx;
}

static SSL *new_ssl(SSL_CTX *ctx, const char *server)
{
    SSL *ssl = SSL_new(ctx);
    if (ssl == NULL)
        die("SSL_new");
    printf("set_fd: %d\n", SSL_set_fd(ssl, connect_to(server)));
    printf("set_tlsext_host_name: %d\n", (int)SSL_set_tlsext_host_name(ssl, "localhost"));
    printf("set1_host: %d\n", SSL_set1_host(ssl, "localhost"));
    return ssl;
}

static void print_session_info(SSL *ssl)
{
    const SSL_CIPHER *c = SSL_get_current_cipher(ssl);
    int alg_bits = 0;
    printf("version: %s\n", SSL_get_version(ssl));
    printf("version number: 0x%x\n", SSL_version(ssl));
    printf("cipher: %s\n", SSL_CIPHER_get_name(c));
    printf("cipher standard name: %s\n", SSL_CIPHER_standard_name(c));
    printf("cipher version: %s\n", SSL_CIPHER_get_version(c));
    printf("cipher bits: %d", SSL_CIPHER_get_bits(c, &alg_bits));
    printf(" alg_bits: %d\n", alg_bits);
    long v = SSL_get_verify_result(ssl);
    printf("verify result: %ld (%s)\n", v, X509_verify_cert_error_string(v));

    X509 *peer = SSL_get_peer_certificate(ssl);
    char name[256];
    if (peer != NULL) {
        X509_NAME_oneline(X509_get_subject_name(peer), name, sizeof(name));
        printf("peer subject: %s\n", name);
        X509_NAME_oneline(X509_get_issuer_name(peer), name, sizeof(name));
        printf("peer issuer: %s\n", name);
        X509_free(peer);
    } else {
        printf("peer certificate: NULL\n");
    }
    STACK_OF(X509) *chain = SSL_get_peer_cert_chain(ssl);
    printf("peer chain length: %d\n", chain ? sk_X509_num(chain) : -1);
    for (int i = 0; chain != NULL && i < sk_X509_num(chain); i++) {
        X509_NAME_oneline(X509_get_subject_name(sk_X509_value(chain, i)), name, sizeof(name));
        printf("  chain[%d]: %s\n", i, name);
    }
    STACK_OF(X509) *verified = SSL_get0_verified_chain(ssl);
    printf("verified chain length: %d\n", verified ? sk_X509_num(verified) : -1);
    printf("session_reused: %d\n", SSL_session_reused(ssl));
    printf("is_init_finished: %d\n", SSL_is_init_finished(ssl));
}

/* One HTTP GET to s_server -www, read until the server closes, then shut down. */
static void www(const char *title, int max_version, const char *cipher_list, const char *suites)
{
    printf("== %s\n", title);
    SSL_CTX *ctx = new_ctx(max_version, cipher_list, suites);
    SSL *ssl = new_ssl(ctx, "WWW");
    printf("version before handshake: %s\n", SSL_get_version(ssl));
    int ret = SSL_connect(ssl);
    print_io(ssl, "connect", ret);
    if (ret == 1) {
        print_session_info(ssl);
        const char req[] = "GET / HTTP/1.0\r\n\r\n";
        print_io(ssl, "write", SSL_write(ssl, req, (int)strlen(req)));

        char body[1 << 16];
        size_t len = 0;
        for (;;) {
            ret = SSL_read(ssl, body + len, (int)(sizeof(body) - 1 - len));
            if (ret <= 0)
                break;
            len += (size_t)ret;
            if (len == sizeof(body) - 1)
                len = 0; /* only the first line matters; keep reading */
        }
        body[len] = '\0';
        printf("read end: %d error %s\n", ret, ssl_error_name(SSL_get_error(ssl, ret)));
        print_first_error("read end queue");
        char *eol = strpbrk(body, "\r\n");
        if (eol != NULL)
            *eol = '\0';
        printf("first line: %s\n", body);
        printf("get_shutdown: %d\n", SSL_get_shutdown(ssl));
        print_shutdown(ssl, "shutdown", SSL_shutdown(ssl));
        printf("get_shutdown: %d\n", SSL_get_shutdown(ssl));
    } else {
        print_first_error("connect error");
    }
    close(SSL_get_fd(ssl));
    SSL_free(ssl);
    SSL_CTX_free(ctx);
}

/* Line echo with s_server -rev, then a shutdown started by the client. */
static void rev(const char *title, int max_version)
{
    printf("== %s\n", title);
    SSL_CTX *ctx = new_ctx(max_version, NULL, NULL);
    SSL *ssl = new_ssl(ctx, "REV");
    int ret = SSL_connect(ssl);
    print_io(ssl, "connect", ret);
    printf("version: %s\n", SSL_get_version(ssl));
    print_io(ssl, "write", SSL_write(ssl, "hello world\n", 12));
    char line[64];
    size_t len = 0;
    while (len < sizeof(line) - 1 && (len == 0 || line[len - 1] != '\n')) {
        ret = SSL_read(ssl, line + len, (int)(sizeof(line) - 1 - len));
        if (ret <= 0) {
            print_io(ssl, "read", ret);
            break;
        }
        len += (size_t)ret;
    }
    line[len] = '\0';
    printf("echo: %s", line);
    printf("pending: %d\n", SSL_pending(ssl));
    /* SSL_get_error is meaningless after SSL_shutdown returns 0 (OpenSSL documents a
     * spurious SYSCALL): print it for negative returns only. */
    ret = SSL_shutdown(ssl);
    print_shutdown(ssl, "shutdown 1", ret);
    printf("get_shutdown: %d\n", SSL_get_shutdown(ssl));
    if (ret == 0) {
        ret = SSL_shutdown(ssl);
        print_shutdown(ssl, "shutdown 2", ret);
        print_first_error("shutdown 2 queue");
        printf("get_shutdown: %d\n", SSL_get_shutdown(ssl));
    }
    close(SSL_get_fd(ssl));
    SSL_free(ssl);
    SSL_CTX_free(ctx);
}

int main(void)
{
    www("default", 0, NULL, NULL);
    www("max TLS 1.2", TLS1_2_VERSION, NULL, NULL);
    www("max TLS 1.3", TLS1_3_VERSION, NULL, NULL);
    www("TLS 1.2 ECDHE-RSA-AES128-GCM-SHA256", TLS1_2_VERSION, "ECDHE-RSA-AES128-GCM-SHA256", NULL);
    www("TLS 1.2 ECDHE-RSA-CHACHA20-POLY1305", TLS1_2_VERSION, "ECDHE-RSA-CHACHA20-POLY1305", NULL);
    www("TLS 1.3 TLS_AES_128_GCM_SHA256", 0, NULL, "TLS_AES_128_GCM_SHA256");
    www("TLS 1.3 TLS_CHACHA20_POLY1305_SHA256", 0, NULL, "TLS_CHACHA20_POLY1305_SHA256");
    rev("rev TLS 1.2", TLS1_2_VERSION);
    rev("rev TLS 1.3", 0);
    return 0;
}
