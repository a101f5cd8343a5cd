/* loadclient: an HTTPS load client for tests/load and tests/valgrind, run on the system
 * OpenSSL. One process, sequential connections, each blocking with 30 s timeouts; run several
 * processes for concurrency.
 *
 * usage: loadclient PORT CAFILE SECONDS MAXREQUESTS [BIGPATH]
 *
 * Connection j (from 0): TLS 1.3 when j % 2 == 0, else TLS 1.2; of the connections of one
 * version, every other one resumes the session of the one before (so about half the
 * handshakes are resumptions); 1 + j % 4 keep-alive requests of GET /; with BIGPATH, every
 * eighth connection also downloads BIGPATH (bulk). Stops after SECONDS or MAXREQUESTS requests
 * (0: no limit), then prints one line:
 *   conns= full= resumed= requests= bytes= closed_idle= closed_hs= errors=
 * closed_idle: a request on an established connection that the server closed before sending
 * any of the response (what a reload does to idle keep-alive connections; the request was not
 * answered, as with any HTTP keep-alive race); closed_hs: a handshake the server ended with a
 * plain close (no alert). errors: everything else that failed (an alert, a bad or partial
 * response, a timeout); described on stderr. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

static long conns, full, resumed, requests, bytes, closed_idle, closed_hs, errors;

static void error(const char *what, SSL *ssl, int r)
{
    char buf[256] = "";
    unsigned long e = ERR_peek_error();
    if (e)
        ERR_error_string_n(e, buf, sizeof(buf));
    fprintf(stderr, "loadclient: %s (ssl error %d, errno %d) %s\n", what,
            ssl ? SSL_get_error(ssl, r) : 0, errno, buf);
    ERR_clear_error();
    errors++;
}

static int tcp_connect(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    struct timeval tv = {30, 0};
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((unsigned short)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0)
        return -1;
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    if (connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

/* The server closed without an alert: EOF, a reset, or close_notify. */
static int plain_close(SSL *ssl, int r)
{
    int e = SSL_get_error(ssl, r);
    if (e == SSL_ERROR_ZERO_RETURN)
        return 1;
    if (e == SSL_ERROR_SYSCALL && (errno == 0 || errno == ECONNRESET || errno == EPIPE))
        return 1;
    /* OpenSSL 3 reports an EOF without close_notify as an SSL error "unexpected eof". */
    if (e == SSL_ERROR_SSL && ERR_GET_REASON(ERR_peek_error()) == SSL_R_UNEXPECTED_EOF_WHILE_READING)
        return 1;
    return 0;
}

/* One request; 1 answered, 0 closed before any byte of the response (counted), -1 error. */
static int request(SSL *ssl, const char *path)
{
    char req[256], buf[16384];
    int n = snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: localhost\r\n\r\n", path);
    int r = SSL_write(ssl, req, n);
    if (r != n) {
        if (plain_close(ssl, r)) {
            ERR_clear_error();
            closed_idle++;
            return 0;
        }
        error("write", ssl, r);
        return -1;
    }
    size_t have = 0;
    char *body;
    long len = -1;
    for (;;) {
        r = SSL_read(ssl, buf + have, (int)(sizeof(buf) - 1 - have));
        if (r <= 0) {
            if (have == 0 && plain_close(ssl, r)) {
                ERR_clear_error();
                closed_idle++;
                return 0;
            }
            error(have ? "response cut short in the header" : "read", ssl, r);
            return -1;
        }
        have += (size_t)r;
        buf[have] = 0;
        if ((body = strstr(buf, "\r\n\r\n")) != NULL)
            break;
        if (have == sizeof(buf) - 1) {
            error("response header too long", NULL, 0);
            return -1;
        }
    }
    body += 4;
    const char *cl = strcasestr(buf, "\r\nContent-Length:");
    if (strncmp(buf, "HTTP/1.1 200 ", 13) != 0 || cl == NULL || (len = atol(cl + 17)) < 0) {
        fprintf(stderr, "loadclient: bad response: %.60s\n", buf);
        errors++;
        return -1;
    }
    long got = (long)(have - (size_t)(body - buf));
    while (got < len) {
        r = SSL_read(ssl, buf, (int)sizeof(buf));
        if (r <= 0) {
            error("body cut short", ssl, r);
            return -1;
        }
        got += r;
    }
    if (got != len) {
        error("body longer than Content-Length", NULL, 0);
        return -1;
    }
    bytes += got;
    requests++;
    return 1;
}

int main(int argc, char **argv)
{
    if (argc < 5) {
        fprintf(stderr, "usage: %s PORT CAFILE SECONDS MAXREQUESTS [BIGPATH]\n", argv[0]);
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    int port = atoi(argv[1]);
    double seconds = atof(argv[3]);
    long max = atol(argv[4]);
    const char *big = argc > 5 ? argv[5] : NULL;
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    if (ctx == NULL || SSL_CTX_load_verify_locations(ctx, argv[2], NULL) != 1) {
        ERR_print_errors_fp(stderr);
        return 2;
    }
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
    SSL_SESSION *saved[2] = {NULL, NULL};
    struct timespec t0, now;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (long j = 0;; j++) {
        clock_gettime(CLOCK_MONOTONIC, &now);
        if ((double)(now.tv_sec - t0.tv_sec) + (double)(now.tv_nsec - t0.tv_nsec) / 1e9 >= seconds)
            break;
        if (max > 0 && requests + closed_idle >= max)
            break;
        int v = (int)(j % 2), resume = (j / 2) % 2 == 1;
        int fd = tcp_connect(port);
        if (fd < 0) {
            error("connect", NULL, 0);
            continue;
        }
        SSL *ssl = SSL_new(ctx);
        SSL_set_fd(ssl, fd);
        SSL_set_max_proto_version(ssl, v == 0 ? TLS1_3_VERSION : TLS1_2_VERSION);
        SSL_set_tlsext_host_name(ssl, "localhost");
        SSL_set1_host(ssl, "localhost");
        if (resume && saved[v] != NULL)
            SSL_set_session(ssl, saved[v]);
        int r = SSL_connect(ssl);
        if (r != 1) {
            if (plain_close(ssl, r)) {
                ERR_clear_error();
                closed_hs++;
            } else {
                error("handshake", ssl, r);
            }
            SSL_free(ssl);
            close(fd);
            continue;
        }
        conns++;
        if (SSL_session_reused(ssl))
            resumed++;
        else
            full++;
        int ok = 1;
        for (long k = 0; ok == 1 && k <= j % 4; k++)
            ok = request(ssl, "/");
        if (ok == 1 && big != NULL && j % 8 == 7)
            ok = request(ssl, big);
        if (!resume) {
            /* TLS 1.3 tickets arrive after the handshake: read with the responses. */
            SSL_SESSION_free(saved[v]);
            saved[v] = SSL_get1_session(ssl);
        }
        if (ok == 1)
            SSL_shutdown(ssl);
        SSL_free(ssl);
        close(fd);
    }
    printf("conns=%ld full=%ld resumed=%ld requests=%ld bytes=%ld closed_idle=%ld closed_hs=%ld "
           "errors=%ld\n",
           conns, full, resumed, requests, bytes, closed_idle, closed_hs, errors);
    SSL_SESSION_free(saved[0]);
    SSL_SESSION_free(saved[1]);
    SSL_CTX_free(ctx);
    return 0;
}
