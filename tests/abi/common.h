/* Helpers shared by the differential programs in tests/abi/. Everything here only uses the
 * public OpenSSL 3 API, so the same binary runs against the system libssl and the shim.
 *
 * run.sh passes the test PKI directory and the servers' ports through the environment:
 *   ABI_CERTS            directory made by tests/curl/gen-certs.sh
 *   ABI_PORT_<NAME>      port of the `openssl s_server` called NAME (see run.sh)
 * Programs print only what both libraries must agree on: never a port, a time or a key. */
#ifndef ABI_COMMON_H
#define ABI_COMMON_H

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

/* Line-buffered stdout, so that a program killed by run.sh's timeout still shows how far
 * it got. */
__attribute__((constructor)) static void stdout_line_buffered(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
}

/* Aborts the program (run.sh reports FAIL) when the test harness itself is broken. */
static inline void die(const char *what)
{
    fprintf(stderr, "fatal: %s (errno %d)\n", what, errno);
    exit(2);
}

static inline const char *env(const char *name)
{
    const char *v = getenv(name);
    if (v == NULL || *v == '\0') {
        fprintf(stderr, "fatal: %s not set (run through tests/abi/run.sh)\n", name);
        exit(2);
    }
    return v;
}

/* Path of a file of the test PKI, e.g. cert_path("root.pem"). Static buffer, one at a time. */
static inline const char *cert_path(const char *file)
{
    static char buf[4096];
    snprintf(buf, sizeof(buf), "%s/%s", env("ABI_CERTS"), file);
    return buf;
}

/* A blocking TCP socket connected to 127.0.0.1 at the port of server NAME, with 10 s
 * send/receive timeouts so that a hung handshake fails instead of stalling the run. */
static inline int connect_to(const char *name)
{
    char var[128];
    snprintf(var, sizeof(var), "ABI_PORT_%s", name);
    int port = atoi(env(var));
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        die("socket");
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_port = htons((unsigned short)port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0)
        die("connect");
    struct timeval tv = {10, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
    return fd;
}

static inline const char *ssl_error_name(int e)
{
    switch (e) {
    case SSL_ERROR_NONE: return "NONE";
    case SSL_ERROR_SSL: return "SSL";
    case SSL_ERROR_WANT_READ: return "WANT_READ";
    case SSL_ERROR_WANT_WRITE: return "WANT_WRITE";
    case SSL_ERROR_WANT_X509_LOOKUP: return "WANT_X509_LOOKUP";
    case SSL_ERROR_SYSCALL: return "SYSCALL";
    case SSL_ERROR_ZERO_RETURN: return "ZERO_RETURN";
    case SSL_ERROR_WANT_CONNECT: return "WANT_CONNECT";
    case SSL_ERROR_WANT_ACCEPT: return "WANT_ACCEPT";
    default: return "?";
    }
}

/* Prints "LABEL: ERR_error_string_n of the first queued error" (or "no error"), then clears
 * the queue. The string includes the error:XXXXXXXX: code. */
static inline void print_first_error(const char *label)
{
    unsigned long e = ERR_get_error();
    char buf[256];
    if (e == 0) {
        printf("%s: no error\n", label);
    } else {
        ERR_error_string_n(e, buf, sizeof(buf));
        printf("%s: %s\n", label, buf);
    }
    ERR_clear_error();
}

/* Prints the return value of an SSL I/O call, with SSL_get_error when it failed. */
static inline void print_io(SSL *ssl, const char *what, int ret)
{
    if (ret > 0)
        printf("%s: %d\n", what, ret);
    else
        printf("%s: %d error %s\n", what, ret, ssl_error_name(SSL_get_error(ssl, ret)));
}

/* SSL_shutdown's 1/0/-1; SSL_get_error only for -1 (after 0 OpenSSL may flag a spurious
 * SSL_ERROR_SYSCALL, see SSL_shutdown(3)). */
static inline void print_shutdown(SSL *ssl, const char *what, int ret)
{
    if (ret >= 0)
        printf("%s: %d\n", what, ret);
    else
        printf("%s: %d error %s\n", what, ret, ssl_error_name(SSL_get_error(ssl, ret)));
}

static inline void print_hex(const char *label, const unsigned char *p, size_t n)
{
    printf("%s: ", label);
    for (size_t i = 0; i < n; i++)
        printf("%02X", p[i]);
    printf("\n");
}

#endif
