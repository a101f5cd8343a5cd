/* nonblocking: the WANT_READ/WANT_WRITE contract, against `s_server -rev` (server REV,
 * which echoes each line reversed).
 * 1. SSL_set_fd on a non-blocking socket, driven with poll().
 * 2. A BIO pair whose far end the program pumps to and from the socket by hand (the way
 *    curl and nginx drive their own BIOs), with an SSL_write larger than the pair's buffer
 *    that must return WANT_WRITE and then succeed when retried with the same arguments.
 * Which WANT_* codes appear, and how often, depends on timing (on a socket the server's
 * answer may already be there): the program prints whether WANT_READ was seen only where it
 * is certain (BIO pair: nothing arrives before the program pumps), else only whether any
 * code other than WANT_* appeared. */
#include <fcntl.h>
#include <poll.h>

#include "common.h"

struct codes {
    int want_read, want_write, other;
};

static void note(struct codes *c, int e)
{
    if (e == SSL_ERROR_WANT_READ)
        c->want_read++;
    else if (e == SSL_ERROR_WANT_WRITE)
        c->want_write++;
    else
        c->other = e;
}

static void print_codes(const char *what, const struct codes *c, int show_want_read)
{
    if (show_want_read)
        printf("%s: want_read seen: %s, ", what, c->want_read ? "yes" : "no");
    else
        printf("%s: ", what);
    printf("other codes: %s\n", c->other ? ssl_error_name(c->other) : "none");
}

static void wait_fd(int fd, int e)
{
    struct pollfd p = {fd, e == SSL_ERROR_WANT_WRITE ? POLLOUT : POLLIN, 0};
    if (poll(&p, 1, 10000) != 1)
        die("poll timed out");
}

/* Retries op until it returns > 0 or fails with something other than WANT_*. */
#define RETRY(ssl, fd, codes, ret, op)                                                    \
    for (;;) {                                                                            \
        ret = (op);                                                                       \
        if (ret > 0)                                                                      \
            break;                                                                        \
        int e_ = SSL_get_error(ssl, ret);                                                 \
        note(&codes, e_);                                                                 \
        if (e_ != SSL_ERROR_WANT_READ && e_ != SSL_ERROR_WANT_WRITE)                      \
            break;                                                                        \
        wait_fd(fd, e_);                                                                  \
    }

static void nonblocking_socket(const char *title, int max_version)
{
    printf("== non-blocking socket, %s\n", title);
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    SSL_CTX_load_verify_locations(ctx, cert_path("root.pem"), NULL);
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
    if (max_version)
        SSL_CTX_set_max_proto_version(ctx, max_version);
    SSL *ssl = SSL_new(ctx);
    int fd = connect_to("REV");
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    SSL_set_fd(ssl, fd);
    SSL_set1_host(ssl, "localhost");

    struct codes c = {0, 0, 0};
    int ret;
    RETRY(ssl, fd, c, ret, SSL_connect(ssl));
    print_io(ssl, "connect", ret);
    print_codes("connect", &c, 0);
    printf("version: %s\n", SSL_get_version(ssl));

    /* Nothing was sent yet: the server has nothing to say. */
    char buf[64];
    ret = SSL_read(ssl, buf, sizeof(buf));
    print_io(ssl, "read with nothing to read", ret);
    print_first_error("  queue");

    ret = SSL_write(ssl, "non-blocking\n", 13);
    print_io(ssl, "write", ret);
    size_t len = 0;
    memset(&c, 0, sizeof(c));
    while (len == 0 || buf[len - 1] != '\n') {
        RETRY(ssl, fd, c, ret, SSL_read(ssl, buf + len, (int)(sizeof(buf) - 1 - len)));
        if (ret <= 0) {
            print_io(ssl, "read", ret);
            break;
        }
        len += (size_t)ret;
    }
    buf[len] = '\0';
    printf("echo: %s", buf);
    print_codes("read", &c, 0);

    ret = SSL_shutdown(ssl);
    printf("shutdown: %d\n", ret);
    if (ret == 0) {
        /* Wait for the server's close_notify: -1/WANT_READ until it arrives, then 1. */
        for (int i = 0; i < 1000; i++) {
            ret = SSL_shutdown(ssl);
            if (ret != -1 || SSL_get_error(ssl, ret) != SSL_ERROR_WANT_READ)
                break;
            wait_fd(fd, SSL_ERROR_WANT_READ);
        }
        print_shutdown(ssl, "shutdown until close_notify", ret);
    }
    print_first_error("  queue");
    close(fd);
    SSL_free(ssl);
    SSL_CTX_free(ctx);
}

/* --- BIO pair pumped by hand ----------------------------------------------------------- */

static void pump_out(BIO *net, int fd)
{
    char buf[4096];
    while (BIO_ctrl_pending(net) > 0) {
        int n = BIO_read(net, buf, sizeof(buf));
        if (n <= 0)
            die("BIO_read from the pair");
        for (int off = 0; off < n;) {
            ssize_t w = send(fd, buf + off, (size_t)(n - off), 0);
            if (w <= 0)
                die("send");
            off += (int)w;
        }
    }
}

/* Moves what the socket has (blocking until something arrives) into the pair. */
static void pump_in(BIO *net, int fd)
{
    char buf[4096];
    size_t room = BIO_ctrl_get_write_guarantee(net);
    if (room == 0)
        return;
    ssize_t n = recv(fd, buf, room < sizeof(buf) ? room : sizeof(buf), 0);
    if (n == 0) {
        BIO_shutdown_wr(net);
        return;
    }
    if (n < 0)
        die("recv");
    if (BIO_write(net, buf, (int)n) != (int)n)
        die("BIO_write to the pair");
}

/* Pumps for one SSL call that failed with e; returns 0 when the call should not be retried. */
static int pump(BIO *net, int fd, int e)
{
    if (e == SSL_ERROR_WANT_WRITE) {
        pump_out(net, fd);
        return 1;
    }
    if (e == SSL_ERROR_WANT_READ) {
        pump_out(net, fd);
        pump_in(net, fd);
        return 1;
    }
    return 0;
}

#define BIG (64 * 1024)

static void bio_pair(const char *title, int max_version)
{
    printf("== BIO pair, %s\n", title);
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    SSL_CTX_load_verify_locations(ctx, cert_path("root.pem"), NULL);
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
    if (max_version)
        SSL_CTX_set_max_proto_version(ctx, max_version);
    SSL *ssl = SSL_new(ctx);
    int fd = connect_to("REV");
    BIO *inner = NULL, *net = NULL;
    printf("new_bio_pair: %d\n", BIO_new_bio_pair(&inner, 0, &net, 0)); /* 17 KiB buffers */
    SSL_set_bio(ssl, inner, inner);
    SSL_set1_host(ssl, "localhost");
    SSL_set_connect_state(ssl);

    struct codes c = {0, 0, 0};
    int ret;
    for (;;) {
        ret = SSL_do_handshake(ssl);
        if (ret == 1)
            break;
        int e = SSL_get_error(ssl, ret);
        note(&c, e);
        if (!pump(net, fd, e))
            break;
    }
    print_io(ssl, "do_handshake", ret);
    print_codes("handshake", &c, 1);
    printf("version: %s\n", SSL_get_version(ssl));

    /* 64 lines of 1023 bytes + '\n': more than the pair holds, so the write must stop. */
    static char big[BIG], back[BIG], expect[BIG];
    for (int i = 0; i < BIG; i++)
        big[i] = (i % 1024 == 1023) ? '\n' : (char)('a' + (i / 1024 + i % 1024) % 26);
    for (int line = 0; line < BIG / 1024; line++)
        for (int i = 0; i < 1023; i++)
            expect[line * 1024 + i] = big[line * 1024 + 1022 - i];
    for (int line = 0; line < BIG / 1024; line++)
        expect[line * 1024 + 1023] = '\n';

    ret = SSL_write(ssl, big, BIG);
    print_io(ssl, "first write of 64 KiB, nothing pumped", ret);
    memset(&c, 0, sizeof(c));
    while (ret <= 0) {
        int e = SSL_get_error(ssl, ret);
        note(&c, e);
        if (!pump(net, fd, e))
            break;
        ret = SSL_write(ssl, big, BIG); /* same buffer, same length */
    }
    print_io(ssl, "write retried with the same buffer", ret);
    printf("write: want_write seen: %s, other codes: %s\n", c.want_write ? "yes" : "no",
           c.other ? ssl_error_name(c.other) : "none");
    pump_out(net, fd);

    size_t got = 0;
    memset(&c, 0, sizeof(c));
    while (got < BIG) {
        ret = SSL_read(ssl, back + got, (int)(BIG - got));
        if (ret > 0) {
            got += (size_t)ret;
            continue;
        }
        int e = SSL_get_error(ssl, ret);
        note(&c, e);
        if (!pump(net, fd, e)) {
            print_io(ssl, "read", ret);
            break;
        }
    }
    printf("echoed back: %zu bytes, %s\n", got, memcmp(back, expect, BIG) == 0 ? "all reversed lines match" : "MISMATCH");
    print_codes("read", &c, 1);

    ret = SSL_shutdown(ssl);
    printf("shutdown: %d\n", ret);
    for (int i = 0; ret <= 0 && i < 100; i++) {
        int e = ret == 0 ? SSL_ERROR_WANT_READ : SSL_get_error(ssl, ret);
        if (!pump(net, fd, e))
            break;
        ret = SSL_shutdown(ssl);
    }
    print_shutdown(ssl, "shutdown until close_notify", ret);
    print_first_error("  queue");
    close(fd);
    SSL_free(ssl); /* frees inner */
    BIO_free(net);
    SSL_CTX_free(ctx);
}

int main(void)
{
    nonblocking_socket("TLS 1.2", TLS1_2_VERSION);
    nonblocking_socket("TLS 1.3", 0);
    bio_pair("TLS 1.2", TLS1_2_VERSION);
    bio_pair("TLS 1.3", 0);
    return 0;
}
