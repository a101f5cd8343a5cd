/* client_verify_fail: certificate verification failures. With SSL_VERIFY_PEER the handshake
 * must fail with "certificate verify failed" and the X509_V_ERR code; with SSL_VERIFY_NONE
 * it must succeed and SSL_get_verify_result must still report the code (ntpsec relies on
 * it). Servers: EXPIRED, SELFSIGNED, WRONG (leaf for wrong.example), WWW (good chain; leaf
 * for localhost and IP 127.0.0.1). */
#include "common.h"

/* host: passed to SSL_set1_host (NULL: no name check). cafile: NULL loads no trust anchor. */
static void try_server(const char *title, const char *server, int mode, const char *host,
                       const char *cafile)
{
    printf("== %s\n", title);
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    if (ctx == NULL)
        die("SSL_CTX_new");
    if (cafile != NULL)
        printf("load_verify_locations: %d\n", SSL_CTX_load_verify_locations(ctx, cert_path(cafile), NULL));
    SSL_CTX_set_verify(ctx, mode, NULL);
    SSL *ssl = SSL_new(ctx);
    if (ssl == NULL)
        die("SSL_new");
    int fd = connect_to(server);
    SSL_set_fd(ssl, fd);
    SSL_set_tlsext_host_name(ssl, "localhost");
    if (host != NULL)
        printf("set1_host(%s): %d\n", host, SSL_set1_host(ssl, host));
    printf("verify result before handshake: %ld\n", SSL_get_verify_result(ssl));

    int ret = SSL_connect(ssl);
    print_io(ssl, "connect", ret);
    print_first_error("first error");
    long v = SSL_get_verify_result(ssl);
    printf("verify result: %ld (%s)\n", v, X509_verify_cert_error_string(v));
    X509 *peer = SSL_get1_peer_certificate(ssl);
    printf("peer certificate: %s\n", peer ? "present" : "NULL");
    X509_free(peer);
    if (ret == 1) {
        printf("peer chain length: %d\n", sk_X509_num(SSL_get_peer_cert_chain(ssl)));
        const char req[] = "GET / HTTP/1.0\r\n\r\n";
        print_io(ssl, "write", SSL_write(ssl, req, (int)strlen(req)));
        char buf[16];
        ret = SSL_read(ssl, buf, sizeof(buf) - 1);
        if (ret > 0) {
            buf[ret] = '\0';
            printf("read: %.8s\n", buf);
        } else {
            print_io(ssl, "read", ret);
        }
    }
    close(fd);
    SSL_free(ssl);
    SSL_CTX_free(ctx);
}

int main(void)
{
    try_server("expired, VERIFY_PEER", "EXPIRED", SSL_VERIFY_PEER, "localhost", "root.pem");
    try_server("self-signed, VERIFY_PEER", "SELFSIGNED", SSL_VERIFY_PEER, "localhost", "root.pem");
    try_server("wrong host, VERIFY_PEER", "WRONG", SSL_VERIFY_PEER, "localhost", "root.pem");
    try_server("unknown CA (no trust anchor), VERIFY_PEER", "WWW", SSL_VERIFY_PEER, "localhost", NULL);
    try_server("IP 127.0.0.1 matches, VERIFY_PEER", "WWW", SSL_VERIFY_PEER, "127.0.0.1", "root.pem");
    try_server("IP 127.0.0.1 mismatch, VERIFY_PEER", "WRONG", SSL_VERIFY_PEER, "127.0.0.1", "root.pem");
    try_server("IP 127.0.0.2 mismatch, VERIFY_PEER", "WWW", SSL_VERIFY_PEER, "127.0.0.2", "root.pem");
    try_server("name check off, wrong host, VERIFY_PEER", "WRONG", SSL_VERIFY_PEER, NULL, "root.pem");

    try_server("expired, VERIFY_NONE", "EXPIRED", SSL_VERIFY_NONE, "localhost", "root.pem");
    try_server("self-signed, VERIFY_NONE", "SELFSIGNED", SSL_VERIFY_NONE, "localhost", "root.pem");
    try_server("wrong host, VERIFY_NONE", "WRONG", SSL_VERIFY_NONE, "localhost", "root.pem");
    try_server("unknown CA, VERIFY_NONE", "WWW", SSL_VERIFY_NONE, "localhost", NULL);
    try_server("IP mismatch, VERIFY_NONE", "WRONG", SSL_VERIFY_NONE, "127.0.0.1", "root.pem");
    try_server("good, VERIFY_NONE", "WWW", SSL_VERIFY_NONE, "localhost", "root.pem");
    return 0;
}
