/* firstflight: one HTTPS request to 127.0.0.1:PORT, reporting what the server's first
 * flight looked like to the client.  Built against the system OpenSSL headers and run on
 * whichever libssl.so.3 the dynamic linker gives it (the system's or the shim).
 *
 *   firstflight PORT CAFILE [no-rx]
 *
 * Prints the protocol, the type of the server's certificate message (certificate, or
 * compressed_certificate: RFC 8879), the verification result and the response's status
 * line on stdout, and the bytes read from the socket up to the end of the handshake as
 * "handshake bytes: N".  no-rx sets SSL_OP_NO_RX_CERTIFICATE_COMPRESSION (OpenSSL 3.2's
 * bit 33; unused by OpenSSL 3.0).  FIRSTFLIGHT_GROUPS, if set, is the client's group list
 * (so that two libraries send the same key share).  Exits 1 if anything fails. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dlfcn.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int cert_type = -1;
static size_t cert_len;

static void msg_cb(int write_p, int version, int content_type, const void *buf, size_t len,
                   SSL *ssl, void *arg)
{
    const unsigned char *p = buf;
    (void)version, (void)ssl, (void)arg;
    if (write_p || content_type != SSL3_RT_HANDSHAKE || len < 4)
        return;
    if (p[0] == 11 || p[0] == 25) {
        cert_type = p[0];
        cert_len = len;
    }
}

static void die(const char *what)
{
    printf("error: %s\n", what);
    ERR_print_errors_fp(stdout);
    exit(1);
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: firstflight PORT CAFILE [no-rx]\n");
        return 2;
    }
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    if (ctx == NULL)
        die("SSL_CTX_new");
    if (argc > 3 && strcmp(argv[3], "no-rx") == 0)
        SSL_CTX_set_options(ctx, (uint64_t)1 << 33);
    const char *groups = getenv("FIRSTFLIGHT_GROUPS");
    if (groups != NULL && !SSL_CTX_set1_groups_list(ctx, groups))
        die("groups");
    if (!SSL_CTX_load_verify_locations(ctx, argv[2], NULL))
        die("load CA");
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
    SSL_CTX_set_msg_callback(ctx, msg_cb);

    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(atoi(argv[1]))};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0)
        die("connect");
    SSL *ssl = SSL_new(ctx);
    BIO *bio = BIO_new_socket(fd, BIO_CLOSE);
    SSL_set_bio(ssl, bio, bio);
    SSL_set_tlsext_host_name(ssl, "localhost");
    if (SSL_connect(ssl) != 1)
        die("handshake");
    unsigned long bytes = BIO_number_read(bio);
    printf("protocol: %s\n", SSL_get_version(ssl));
    printf("server certificate message: %s\n",
           cert_type == 25   ? "compressed_certificate"
           : cert_type == 11 ? "certificate"
                             : "none");
    printf("verify: %s\n", X509_verify_cert_error_string(SSL_get_verify_result(ssl)));

    const char req[] = "GET / HTTP/1.0\r\nHost: localhost\r\n\r\n";
    if (SSL_write(ssl, req, sizeof(req) - 1) <= 0)
        die("write");
    char buf[4096];
    int n = SSL_read(ssl, buf, sizeof(buf) - 1);
    if (n <= 0)
        die("read");
    buf[n] = 0;
    buf[strcspn(buf, "\r\n")] = 0;
    printf("response: %s\n", buf);
    printf("handshake bytes: %lu\n", bytes);
    printf("certificate message bytes: %zu\n", cert_len);
    Dl_info info;
    if (dladdr((void *)SSL_new, &info) && info.dli_fname != NULL)
        fprintf(stderr, "libssl: %s\n", info.dli_fname);
    SSL_shutdown(ssl);
    SSL_free(ssl);
    SSL_CTX_free(ctx);
    return 0;
}
