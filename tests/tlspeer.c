/* tlspeer: a TLS peer on the system OpenSSL that does what curl and nginx never do to the
 * library under test after the handshake: a TLS 1.3 key update that asks for one back, a
 * forged application-data record, an oversized record header.  The curl and nginx suites
 * build it against the system libssl and run the program under test against it.
 *
 *   tlspeer server MODE PORTFILE CERT KEY   one connection on 127.0.0.1 (port written to
 *                                           PORTFILE), answering one HTTP request
 *   tlspeer client MODE PORT                one HTTP request to 127.0.0.1:PORT
 *
 * MODE: keyupdate  a key update (update_requested) before the response (server) or the
 *                  request (client); prints how many key updates the peer sent back.
 *       forged     a record of random bytes where the response (server) or the request
 *                  (client) would be; prints the error the peer's alert gives.
 *       oversized  a record header announcing 20000 bytes, then nothing; prints the error
 *                  the peer's alert gives.
 *       badversion the forged record with TLS 1.0's record version.
 * Prints "peer error: none" when the peer sent no alert.  TLSPEER_TLS12 set: TLS 1.2 at most.  Exits 1 on a setup failure. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int key_updates_received;

static void msg_cb(int write_p, int version, int content_type, const void *buf, size_t len,
                   SSL *ssl, void *arg)
{
    (void)version, (void)ssl, (void)arg;
    const unsigned char *p = buf;
    if (!write_p && content_type == SSL3_RT_HANDSHAKE && len > 0 && p[0] == SSL3_MT_KEY_UPDATE)
        key_updates_received++;
}

static void die(const char *what)
{
    fprintf(stderr, "tlspeer: %s\n", what);
    ERR_print_errors_fp(stderr);
    exit(1);
}

/* Reads until the end of the HTTP head (the request, or a response's head). */
static void read_head(SSL *ssl)
{
    char buf[4096];
    size_t have = 0;
    while (have < sizeof(buf) - 1) {
        int n = SSL_read(ssl, buf + have, (int)(sizeof(buf) - 1 - have));
        if (n <= 0)
            die("reading the request");
        have += (size_t)n;
        buf[have] = 0;
        if (strstr(buf, "\r\n\r\n"))
            return;
    }
}

/* Writes raw bytes past the TLS layer. */
static void write_raw(int fd, const unsigned char *p, size_t len)
{
    if (write(fd, p, len) != (ssize_t)len)
        die("writing a raw record");
}

/* Sends MODE's bad record. */
static void send_bad(int fd, const char *mode)
{
    unsigned char rec[5 + 48];
    rec[0] = 0x17, rec[1] = 3, rec[2] = 3;
    if (strcmp(mode, "forged") == 0 || strcmp(mode, "badversion") == 0) {
        if (strcmp(mode, "badversion") == 0)
            rec[2] = 1; /* TLS 1.0's record version */
        rec[3] = 0, rec[4] = 48;
        for (int i = 5; i < (int)sizeof(rec); i++)
            rec[i] = (unsigned char)(i * 37 + 11);
        write_raw(fd, rec, sizeof(rec));
    } else {
        rec[3] = 20000 >> 8, rec[4] = 20000 & 0xff;
        write_raw(fd, rec, 5);
    }
}

/* Reads until the peer's alert or EOF; prints the error it gave. */
static void report_peer_error(SSL *ssl)
{
    char buf[4096];
    ERR_clear_error();
    while (SSL_read(ssl, buf, sizeof(buf)) > 0) {
    }
    unsigned long e = ERR_peek_error();
    printf("peer error: %s\n", e ? ERR_reason_error_string(e) : "none");
}

static int finish(SSL_CTX *ctx, SSL *ssl, int fd)
{
    SSL_free(ssl);
    close(fd);
    SSL_CTX_free(ctx);
    return 0;
}

static SSL *setup(SSL_CTX *ctx, int fd)
{
    SSL_CTX_set_msg_callback(ctx, msg_cb);
    if (getenv("TLSPEER_TLS12"))
        SSL_CTX_set_max_proto_version(ctx, TLS1_2_VERSION);
    SSL *ssl = SSL_new(ctx);
    if (!ssl || !SSL_set_fd(ssl, fd))
        die("SSL_new");
    return ssl;
}

static int server(const char *mode, const char *portfile, const char *cert, const char *key)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
    if (!ctx || SSL_CTX_use_certificate_chain_file(ctx, cert) != 1 ||
        SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1)
        die("server context");
    int ls = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t salen = sizeof(sa);
    if (ls < 0 || bind(ls, (struct sockaddr *)&sa, sizeof(sa)) || listen(ls, 1) ||
        getsockname(ls, (struct sockaddr *)&sa, &salen))
        die("listening");
    FILE *f = fopen(portfile, "w");
    if (!f)
        die("port file");
    fprintf(f, "%d\n", ntohs(sa.sin_port));
    fclose(f);
    int fd = accept(ls, NULL, NULL);
    if (fd < 0)
        die("accept");
    SSL *ssl = setup(ctx, fd);
    if (SSL_accept(ssl) != 1)
        die("handshake");
    read_head(ssl);
    if (strcmp(mode, "keyupdate") == 0) {
        if (SSL_key_update(ssl, SSL_KEY_UPDATE_REQUESTED) != 1)
            die("SSL_key_update");
        static char body[100000];
        memset(body, 'k', sizeof(body));
        char head[256];
        int n = snprintf(head, sizeof(head),
                         "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n",
                         sizeof(body));
        if (SSL_write(ssl, head, n) != n || SSL_write(ssl, body, sizeof(body)) != sizeof(body))
            die("writing the response");
        report_peer_error(ssl);
        printf("key updates received: %d\n", key_updates_received);
    } else {
        send_bad(fd, mode);
        report_peer_error(ssl);
    }
    return finish(ctx, ssl, fd);
}

static int client(const char *mode, int port)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    if (!ctx)
        die("client context");
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((unsigned short)port),
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)))
        die("connect");
    SSL *ssl = setup(ctx, fd);
    if (SSL_connect(ssl) != 1)
        die("handshake");
    printf("version: %s\n", SSL_get_version(ssl));
    if (strcmp(mode, "keyupdate") == 0) {
        if (SSL_key_update(ssl, SSL_KEY_UPDATE_REQUESTED) != 1)
            die("SSL_key_update");
        const char req[] = "GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
        if (SSL_write(ssl, req, sizeof(req) - 1) != (int)sizeof(req) - 1)
            die("writing the request");
        char buf[4096];
        int n, total = 0;
        while ((n = SSL_read(ssl, buf, sizeof(buf) - 1)) > 0) {
            buf[n] = 0;
            if (total == 0)
                printf("response: %s\n", strtok(buf, "\r"));
            total += n;
        }
        printf("response bytes: %d\n", total);
        printf("key updates received: %d\n", key_updates_received);
    } else {
        send_bad(fd, mode);
        report_peer_error(ssl);
    }
    return finish(ctx, ssl, fd);
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc == 6 && strcmp(argv[1], "server") == 0)
        return server(argv[2], argv[3], argv[4], argv[5]);
    if (argc == 4 && strcmp(argv[1], "client") == 0)
        return client(argv[2], atoi(argv[3]));
    fprintf(stderr, "usage: tlspeer server MODE PORTFILE CERT KEY | tlspeer client MODE PORT\n");
    return 2;
}
