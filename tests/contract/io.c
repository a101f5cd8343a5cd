/* Export contract: I/O: BIOs and file descriptors of a connection, the handshake calls,
 * reads, peeks and writes (partial and retried), SSL_get_error in each state, the error
 * queue around them, shutdown, the values derived from a handshake (finished messages,
 * randoms, exported keys), key updates, renegotiation requests, extra session tickets,
 * early data, stateless retries, SSL_sendfile, and the SSL BIO (BIO_f_ssl and its
 * constructors) driving a connection over a BIO pair and over a non-blocking socket. */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "contract.h"

static void nonblocking(int fd)
{
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
}

static void bios(void)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_method());
    SSL *ssl = SSL_new(ctx);
    BIO *a = BIO_new(BIO_s_mem()), *b = BIO_new(BIO_s_mem()), *c = BIO_new(BIO_s_mem());

    report("SSL_get_rbio.none", "%s", P(SSL_get_rbio(ssl)));
    report("SSL_get_wbio.none", "%s", P(SSL_get_wbio(ssl)));
    report("SSL_get_fd.none", "%d", SSL_get_fd(ssl));
    report("SSL_get_rfd.none", "%d", SSL_get_rfd(ssl));
    report("SSL_get_wfd.none", "%d", SSL_get_wfd(ssl));
    SSL_set_bio(ssl, a, a);
    report("SSL_set_bio.same", "void");
    report("SSL_get_rbio.same", "%s", SAME(SSL_get_rbio(ssl), a));
    report("SSL_get_wbio.same", "%s", SAME(SSL_get_wbio(ssl), a));
    report("SSL_get_fd.mem_bio", "%d", SSL_get_fd(ssl));
    SSL_set0_rbio(ssl, b);
    report("SSL_set0_rbio", "void");
    report("SSL_get_rbio.after_set0", "%s", SAME(SSL_get_rbio(ssl), b));
    report("SSL_get_wbio.after_set0_rbio", "%s", SAME(SSL_get_wbio(ssl), a));
    SSL_set0_wbio(ssl, c);
    report("SSL_set0_wbio", "void");
    report("SSL_get_wbio.after_set0", "%s", SAME(SSL_get_wbio(ssl), c));
    SSL_set_bio(ssl, b, b);
    report("SSL_set_bio.rbio_kept", "void");
    report("SSL_get_wbio.after_set_bio", "%s", SAME(SSL_get_wbio(ssl), b));
    SSL_set_bio(ssl, NULL, NULL);
    report("SSL_set_bio.null", "void");
    report("SSL_get_rbio.after_null", "%s", P(SSL_get_rbio(ssl)));
    SSL_free(ssl);
    /* A connection frees its BIOs with their chains (a leak would show). */
    ssl = SSL_new(ctx);
    a = BIO_push(BIO_new(BIO_f_buffer()), BIO_new(BIO_s_mem()));
    b = BIO_push(BIO_new(BIO_f_buffer()), BIO_new(BIO_s_mem()));
    SSL_set_bio(ssl, a, a);
    report("SSL_set_bio.chain", "%s", SAME(SSL_get_rbio(ssl), a));
    SSL_set0_wbio(ssl, b);
    report("SSL_set0_wbio.chain", "%s", SAME(SSL_get_wbio(ssl), b));
    report("SSL_get_fd.chain_without_fd", "%d", SSL_get_fd(ssl));
    SSL_free(ssl);
    report("SSL_free.chains", "void");
    SSL_CTX_free(ctx);
}

static void fds(void)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_method());
    SSL *ssl = SSL_new(ctx);
    int sv[2], sv2[2];

    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0 || socketpair(AF_UNIX, SOCK_STREAM, 0, sv2) != 0)
        fixture_failed("socketpair");
    report("SSL_set_fd", "%d", SSL_set_fd(ssl, sv[0]));
    report("SSL_get_fd", "%s", SSL_get_fd(ssl) == sv[0] ? "the fd" : fmt("%d", SSL_get_fd(ssl)));
    report("SSL_get_rfd", "%s", SSL_get_rfd(ssl) == sv[0] ? "the fd" : fmt("%d", SSL_get_rfd(ssl)));
    report("SSL_get_wfd", "%s", SSL_get_wfd(ssl) == sv[0] ? "the fd" : fmt("%d", SSL_get_wfd(ssl)));
    report("SSL_get_rbio.socket", "%s", SSL_get_rbio(ssl) ? OBJ_nid2sn(BIO_method_type(SSL_get_rbio(ssl)) & 0xff) : "NULL");
    report("SSL_get_rbio.socket_type", "%#x", (unsigned)BIO_method_type(SSL_get_rbio(ssl)));
    report("SSL_set_rfd", "%d", SSL_set_rfd(ssl, sv2[0]));
    report("SSL_get_rfd.after_set_rfd", "%s", SSL_get_rfd(ssl) == sv2[0] ? "the new fd" : fmt("%d", SSL_get_rfd(ssl)));
    report("SSL_get_wfd.after_set_rfd", "%s", SSL_get_wfd(ssl) == sv[0] ? "the fd" : fmt("%d", SSL_get_wfd(ssl)));
    report("SSL_set_wfd", "%d", SSL_set_wfd(ssl, sv2[1]));
    report("SSL_get_wfd.after_set_wfd", "%s", SSL_get_wfd(ssl) == sv2[1] ? "the new fd" : fmt("%d", SSL_get_wfd(ssl)));
    report("SSL_get_fd.after_both", "%s", SSL_get_fd(ssl) == sv2[0] ? "the read fd" : fmt("%d", SSL_get_fd(ssl)));
    SSL_free(ssl);
    SSL_CTX_free(ctx);
    close(sv[0]);
    close(sv[1]);
    close(sv2[0]);
    close(sv2[1]);
}

/* A handshake and data over a non-blocking socket pair, each side on its descriptor. */
static void over_fds(void)
{
    struct pair p;
    int sv[2];
    char buf[16];

    p.sctx = server_ctx();
    p.cctx = client_ctx(0);
    p.c = SSL_new(p.cctx);
    p.s = SSL_new(p.sctx);
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0)
        fixture_failed("socketpair");
    nonblocking(sv[0]);
    nonblocking(sv[1]);
    report("SSL_set_fd.client", "%d", SSL_set_fd(p.c, sv[0]));
    report("SSL_set_fd.server", "%d", SSL_set_fd(p.s, sv[1]));
    SSL_set_tlsext_host_name(p.c, "localhost");
    SSL_set1_host(p.c, "localhost");
    {
        int c_done = 0, s_done = 0, r, round;
        for (round = 0; round < 50 && !(c_done && s_done); round++) {
            if (!c_done) {
                r = SSL_connect(p.c);
                if (r == 1)
                    c_done = 1;
                else if (SSL_get_error(p.c, r) != SSL_ERROR_WANT_READ)
                    break;
            }
            if (!s_done) {
                r = SSL_accept(p.s);
                if (r == 1)
                    s_done = 1;
                else if (SSL_get_error(p.s, r) != SSL_ERROR_WANT_READ)
                    break;
            }
        }
        report("SSL_connect_SSL_accept.over_fds", "%d / %d", c_done, s_done);
    }
    report("SSL_write.over_fd", "%d", SSL_write(p.c, "fd data", 7));
    memset(buf, 0, sizeof(buf));
    REPORT_OUT("SSL_read.over_fd", int, SSL_read(p.s, buf, sizeof(buf)), "%d, %s", STR(buf));
    {
        int r = SSL_read(p.s, buf, sizeof(buf));
        report("SSL_read.over_fd_empty", "%d, SSL_get_error %d", r, SSL_get_error(p.s, r));
    }
    close(sv[1]);
    {
        int r = SSL_read(p.c, buf, sizeof(buf));
        report("SSL_read.peer_closed_socket", "%d, SSL_get_error %d", r, SSL_get_error(p.c, r));
    }
    close(sv[0]);
    pair_free(&p);
}

static void handshake_calls(void)
{
    struct pair p;
    int r;

    pair_new(&p, 0);
    r = SSL_connect(p.c);
    report("SSL_connect.first_step", "%d, SSL_get_error %d", r, SSL_get_error(p.c, r));
    r = SSL_accept(p.s);
    report("SSL_accept.first_step", "%d, SSL_get_error %d", r, SSL_get_error(p.s, r));
    r = SSL_connect(p.c);
    report("SSL_connect.second_step", "%d, SSL_get_error %d", r, SSL_get_error(p.c, r));
    r = SSL_accept(p.s);
    report("SSL_accept.second_step", "%d, SSL_get_error %d", r, SSL_get_error(p.s, r));
    r = SSL_connect(p.c);
    report("SSL_connect.done", "%d, SSL_get_error %d", r, SSL_get_error(p.c, r));
    r = SSL_do_handshake(p.c);
    report("SSL_do_handshake.already_done", "%d", r);
    pair_free(&p);

    /* SSL_do_handshake without a role. */
    {
        SSL_CTX *ctx = SSL_CTX_new(TLS_method());
        SSL *ssl = SSL_new(ctx);
        BIO *m = BIO_new(BIO_s_mem());
        SSL_set_bio(ssl, m, m);
        r = SSL_do_handshake(ssl);
        report("SSL_do_handshake.no_role", "%d, SSL_get_error %d", r, SSL_get_error(ssl, r));
        r = SSL_read(ssl, &r, 1);
        report("SSL_read.no_role", "%d, SSL_get_error %d", r, SSL_get_error(ssl, r));
        r = SSL_shutdown(ssl);
        report("SSL_shutdown.no_role", "%d", r);
        SSL_free(ssl);
        SSL_CTX_free(ctx);
    }
    /* No BIO at all. */
    {
        SSL_CTX *ctx = SSL_CTX_new(TLS_method());
        SSL *ssl = SSL_new(ctx);
        SSL_set_connect_state(ssl);
        r = SSL_do_handshake(ssl);
        report("SSL_do_handshake.no_bio", "%d, SSL_get_error %d", r, SSL_get_error(ssl, r));
        SSL_free(ssl);
        SSL_CTX_free(ctx);
    }
    /* The peer goes away before its hello: over a socket and over a BIO pair, and with
     * SSL_OP_IGNORE_UNEXPECTED_EOF. */
    {
        int sv[2];
        SSL_CTX *ctx = server_ctx();
        SSL *ssl = SSL_new(ctx);
        if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0)
            fixture_failed("socketpair");
        SSL_set_fd(ssl, sv[1]);
        close(sv[0]);
        r = SSL_accept(ssl);
        report("SSL_accept.eof_socket", "%d, SSL_get_error %d, in_init %d", r, SSL_get_error(ssl, r), SSL_in_init(ssl));
        r = SSL_accept(ssl);
        report("SSL_accept.after_eof", "%d, SSL_get_error %d", r, SSL_get_error(ssl, r));
        SSL_free(ssl);
        close(sv[1]);
        ssl = SSL_new(ctx);
        SSL_set_options(ssl, SSL_OP_IGNORE_UNEXPECTED_EOF);
        if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0)
            fixture_failed("socketpair");
        SSL_set_fd(ssl, sv[1]);
        close(sv[0]);
        r = SSL_accept(ssl);
        report("SSL_accept.eof_ignored", "%d, SSL_get_error %d, shutdown %d", r, SSL_get_error(ssl, r), SSL_get_shutdown(ssl));
        SSL_free(ssl);
        close(sv[1]);
        SSL_CTX_free(ctx);
    }
    pair_new(&p, 0);
    SSL_do_handshake(p.c);
    BIO_shutdown_wr(SSL_get_wbio(p.c));
    r = SSL_do_handshake(p.s);
    report("SSL_do_handshake.eof_bio_pair", "%d, SSL_get_error %d", r, SSL_get_error(p.s, r));
    pair_free(&p);
    /* An empty memory BIO that returns 0 (BIO_set_mem_eof_return 0) is at its end too. */
    {
        SSL_CTX *ctx = server_ctx();
        SSL *ssl = SSL_new(ctx);
        BIO *m = BIO_new(BIO_s_mem());
        BIO_set_mem_eof_return(m, 0);
        SSL_set_bio(ssl, m, m);
        r = SSL_accept(ssl);
        report("SSL_accept.mem_eof", "%d, SSL_get_error %d", r, SSL_get_error(ssl, r));
        SSL_free(ssl);
        SSL_CTX_free(ctx);
    }
    /* A handshake step clears what was left on the error queue before it. */
    pair_new(&p, 0);
    ERR_raise_data(ERR_LIB_USER, 1, "stale");
    r = SSL_do_handshake(p.c);
    report("SSL_do_handshake.stale_error_cleared", "%d, SSL_get_error %d", r, SSL_get_error(p.c, r));
    if (!pair_handshake(&p))
        fixture_failed("handshake");
    pair_exchange(&p);
    ERR_raise_data(ERR_LIB_USER, 1, "stale");
    {
        char b;
        r = SSL_read(p.c, &b, 1);
        report("SSL_read.stale_error_kept", "%d, SSL_get_error %d", r, SSL_get_error(p.c, r));
    }
    pair_free(&p);
    /* A TLS 1.3 client's read that takes the server's session tickets runs OpenSSL's state
     * machine for them, which clears the queue again; a server's write does not. */
    pair_new(&p, TLS1_3_VERSION);
    if (!pair_handshake(&p))
        fixture_failed("handshake");
    ERR_raise_data(ERR_LIB_USER, 1, "stale");
    {
        char b;
        r = SSL_read(p.c, &b, 1);
        report("SSL_read.tickets_stale_error", "%d, SSL_get_error %d", r, SSL_get_error(p.c, r));
        ERR_raise_data(ERR_LIB_USER, 1, "stale");
        r = SSL_write(p.s, "x", 1);
        report("SSL_write.server_stale_error", "%d, SSL_get_error %d", r, SSL_get_error(p.s, r));
    }
    pair_free(&p);
}

static void data(int version)
{
    struct pair p;
    char buf[64];
    size_t n = (size_t)SENT_INT;
    int r;

    pair_up(&p, version);
    report("SSL_pending.none", "%d", SSL_pending(p.s));
    report("SSL_has_pending.none", "%d", SSL_has_pending(p.s));
    report("SSL_write", "%d", SSL_write(p.c, "hello", 5));
    report("SSL_pending.unread_record", "%d", SSL_pending(p.s));
    memset(buf, 0, sizeof(buf));
    REPORT_OUT("SSL_peek", int, SSL_peek(p.s, buf, 2), "%d, %s", STR(buf));
    report("SSL_pending.after_peek", "%d", SSL_pending(p.s));
    report("SSL_has_pending.after_peek", "%d", SSL_has_pending(p.s));
    memset(buf, 0, sizeof(buf));
    REPORT_OUT("SSL_peek_ex", int, SSL_peek_ex(p.s, buf, sizeof(buf), &n), "%d, %zu, %s", n, STR(buf));
    memset(buf, 0, sizeof(buf));
    n = (size_t)SENT_INT;
    REPORT_OUT("SSL_read_ex.part", int, SSL_read_ex(p.s, buf, 3, &n), "%d, %zu, %s", n, STR(buf));
    report("SSL_pending.after_partial_read", "%d", SSL_pending(p.s));
    memset(buf, 0, sizeof(buf));
    REPORT_OUT("SSL_read.rest", int, SSL_read(p.s, buf, sizeof(buf)), "%d, %s", STR(buf));
    r = SSL_read(p.s, buf, sizeof(buf));
    report("SSL_read.nothing", "%d, SSL_get_error %d", r, SSL_get_error(p.s, r));
    n = (size_t)SENT_INT;
    REPORT_OUT("SSL_read_ex.nothing", int, SSL_read_ex(p.s, buf, sizeof(buf), &n), "%d, readbytes %zu, SSL_get_error %d", n,
               SSL_get_error(p.s, 0));
    n = (size_t)SENT_INT;
    REPORT_OUT("SSL_peek_ex.nothing", int, SSL_peek_ex(p.s, buf, sizeof(buf), &n), "%d, readbytes %zu", n);
    r = SSL_peek(p.s, buf, sizeof(buf));
    report("SSL_peek.nothing", "%d, SSL_get_error %d", r, SSL_get_error(p.s, r));
    n = (size_t)SENT_INT;
    REPORT_OUT("SSL_write_ex", int, SSL_write_ex(p.c, "world", 5, &n), "%d, written %zu", n);
    n = (size_t)SENT_INT;
    REPORT_OUT("SSL_write_ex.zero", int, SSL_write_ex(p.c, "", 0, &n), "%d, written %zu", n);
    r = SSL_write(p.c, "", 0);
    report("SSL_write.zero", "%d, SSL_get_error %d", r, SSL_get_error(p.c, r));
    r = SSL_read(p.s, buf, 0);
    report("SSL_read.zero_len", "%d, SSL_get_error %d", r, SSL_get_error(p.s, r));
    report("SSL_read.world", "%d", SSL_read(p.s, buf, sizeof(buf)));
    report("SSL_get_error.after_success", "%d", SSL_get_error(p.s, 5));

    /* Read-ahead: three records at once, read one by one. */
    SSL_set_read_ahead(p.s, 1);
    SSL_write(p.c, "a", 1);
    SSL_write(p.c, "bb", 2);
    SSL_write(p.c, "ccc", 3);
    for (int i = 0; i < 3; i++) {
        char key[64];
        snprintf(key, sizeof(key), "read_ahead.record%d", i);
        r = SSL_read(p.s, buf, sizeof(buf));
        report(key, "%d, has_pending %d, pending %d", r, SSL_has_pending(p.s), SSL_pending(p.s));
    }
    SSL_set_read_ahead(p.s, 0);

    /* A write bigger than the BIO pair holds: WANT_WRITE, then the same call again. */
    {
        static char big[40000];
        char sink[20000];
        int got = 0, rounds = 0, want_write = 0;
        memset(big, 'x', sizeof(big));
        for (;;) {
            r = SSL_write(p.c, big, sizeof(big));
            if (r > 0 || rounds++ > 20)
                break;
            if (SSL_get_error(p.c, r) != SSL_ERROR_WANT_WRITE)
                break;
            want_write = 1;
            while ((r = SSL_read(p.s, sink, sizeof(sink))) > 0)
                got += r;
        }
        report("SSL_write.big", "%d, saw WANT_WRITE %d", r, want_write);
        while ((r = SSL_read(p.s, sink, sizeof(sink))) > 0)
            got += r;
        report("SSL_read.big_total", "%d", got);
        SSL_set_mode(p.c, SSL_MODE_ENABLE_PARTIAL_WRITE);
        r = SSL_write(p.c, big, sizeof(big));
        report("SSL_write.partial_mode", "%d", r);
        while ((r = SSL_read(p.s, sink, sizeof(sink))) > 0)
            ;
        ERR_clear_error();
    }
    pair_free(&p);
}

static void data_tls12(void)
{
    data(TLS1_2_VERSION);
}

static void data_tls13(void)
{
    data(TLS1_3_VERSION);
}

/* A transport BIO that is at its end but, like many applications' own BIOs, does not say
 * so through BIO_CTRL_EOF. */
static int silent_eof_read(BIO *b, char *buf, int len)
{
    (void)buf, (void)len;
    BIO_clear_retry_flags(b);
    return 0;
}

static long silent_eof_ctrl(BIO *b, int cmd, long num, void *ptr)
{
    (void)b, (void)num, (void)ptr;
    return cmd == BIO_CTRL_FLUSH;
}

static BIO *silent_eof_bio(void)
{
    static BIO_METHOD *m;
    if (m == NULL) {
        m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "silent eof");
        BIO_meth_set_read(m, silent_eof_read);
        BIO_meth_set_ctrl(m, silent_eof_ctrl);
    }
    {
        BIO *b = BIO_new(m);
        BIO_set_init(b, 1);
        return b;
    }
}

/* A transport BIO whose read fails (-1, no retry) at its end and says so through
 * BIO_CTRL_EOF, as Apache mod_ssl's input BIO does. */
static int failing_eof_read(BIO *b, char *buf, int len)
{
    (void)buf, (void)len;
    BIO_clear_retry_flags(b);
    return -1;
}

static long failing_eof_ctrl(BIO *b, int cmd, long num, void *ptr)
{
    (void)b, (void)num, (void)ptr;
    return cmd == BIO_CTRL_FLUSH || cmd == BIO_CTRL_EOF;
}

static BIO *failing_eof_bio(void)
{
    static BIO_METHOD *m;
    if (m == NULL) {
        m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "failing eof");
        BIO_meth_set_read(m, failing_eof_read);
        BIO_meth_set_ctrl(m, failing_eof_ctrl);
    }
    {
        BIO *b = BIO_new(m);
        BIO_set_init(b, 1);
        return b;
    }
}

static void shutdowns(int version)
{
    struct pair p;
    char buf[8];
    int r;

    pair_new(&p, version);
    r = SSL_shutdown(p.c);
    report("SSL_shutdown.before_handshake", "%d, SSL_get_error %d", r, SSL_get_error(p.c, r));
    if (!pair_handshake(&p) || !pair_exchange(&p))
        fixture_failed("handshake");
    r = SSL_shutdown(p.c);
    report("SSL_shutdown.client_first", "%d, flags %d", r, SSL_get_shutdown(p.c));
    r = SSL_write(p.c, "x", 1);
    report("SSL_write.after_shutdown", "%d, SSL_get_error %d", r, SSL_get_error(p.c, r));
    r = SSL_read(p.s, buf, sizeof(buf));
    report("SSL_read.server_close_notify", "%d, SSL_get_error %d, flags %d", r, SSL_get_error(p.s, r), SSL_get_shutdown(p.s));
    r = SSL_read(p.s, buf, sizeof(buf));
    report("SSL_read.server_again", "%d, SSL_get_error %d", r, SSL_get_error(p.s, r));
    r = SSL_write(p.s, "late", 4);
    report("SSL_write.server_after_close_notify", "%d, SSL_get_error %d", r, SSL_get_error(p.s, r));
    r = SSL_shutdown(p.s);
    report("SSL_shutdown.server", "%d, flags %d", r, SSL_get_shutdown(p.s));
    r = SSL_shutdown(p.c);
    report("SSL_shutdown.client_second", "%d, flags %d", r, SSL_get_shutdown(p.c));
    r = SSL_shutdown(p.c);
    report("SSL_shutdown.client_third", "%d, flags %d", r, SSL_get_shutdown(p.c));
    pair_free(&p);

    /* The peer goes away without close_notify: a fatal error, after which the connection is
     * in OpenSSL's error state. */
    pair_up(&p, version);
    BIO_shutdown_wr(SSL_get_wbio(p.s));
    r = SSL_read(p.c, buf, sizeof(buf));
    report("SSL_read.eof_without_close_notify", "%d, SSL_get_error %d", r, SSL_get_error(p.c, r));
    report("after_fatal.SSL_is_init_finished", "%d", SSL_is_init_finished(p.c));
    report("after_fatal.SSL_in_init", "%d", SSL_in_init(p.c));
    report("after_fatal.SSL_in_before", "%d", SSL_in_before(p.c));
    r = SSL_read(p.c, buf, sizeof(buf));
    report("after_fatal.SSL_read", "%d, SSL_get_error %d", r, SSL_get_error(p.c, r));
    r = SSL_peek(p.c, buf, sizeof(buf));
    report("after_fatal.SSL_peek", "%d, SSL_get_error %d", r, SSL_get_error(p.c, r));
    r = SSL_write(p.c, "x", 1);
    report("after_fatal.SSL_write", "%d, SSL_get_error %d", r, SSL_get_error(p.c, r));
    ERR_raise_data(ERR_LIB_USER, 1, "stale");
    r = SSL_do_handshake(p.c);
    report("after_fatal.SSL_do_handshake", "%d, SSL_get_error %d", r, SSL_get_error(p.c, r));
    r = SSL_shutdown(p.c);
    report("after_fatal.SSL_shutdown", "%d, flags %d", r, SSL_get_shutdown(p.c));
    pair_free(&p);

    /* EOF from a BIO that does not report it: a transport error, not a fatal one. */
    pair_up(&p, version);
    SSL_set0_rbio(p.c, silent_eof_bio());
    r = SSL_read(p.c, buf, sizeof(buf));
    report("SSL_read.eof_not_reported", "%d, SSL_get_error %d", r, SSL_get_error(p.c, r));
    r = SSL_read(p.c, buf, sizeof(buf));
    report("SSL_read.eof_not_reported_again", "%d, SSL_get_error %d, init finished %d", r, SSL_get_error(p.c, r),
           SSL_is_init_finished(p.c));
    pair_free(&p);

    /* EOF from a BIO whose read fails there (-1) and that reports it: SSL_read returns the
     * BIO's -1; an unexpected EOF, or with SSL_OP_IGNORE_UNEXPECTED_EOF a close_notify. */
    pair_up(&p, version);
    SSL_set0_rbio(p.c, failing_eof_bio());
    r = SSL_read(p.c, buf, sizeof(buf));
    report("SSL_read.eof_failing_read", "%d, SSL_get_error %d, flags %d", r, SSL_get_error(p.c, r), SSL_get_shutdown(p.c));
    pair_free(&p);
    pair_up(&p, version);
    SSL_set_options(p.c, SSL_OP_IGNORE_UNEXPECTED_EOF);
    SSL_set0_rbio(p.c, failing_eof_bio());
    r = SSL_read(p.c, buf, sizeof(buf));
    report("SSL_read.eof_failing_read_ignored", "%d, SSL_get_error %d, flags %d", r, SSL_get_error(p.c, r), SSL_get_shutdown(p.c));
    r = SSL_read(p.c, buf, sizeof(buf));
    report("SSL_read.eof_failing_read_ignored_again", "%d, SSL_get_error %d", r, SSL_get_error(p.c, r));
    r = SSL_shutdown(p.c);
    report("SSL_shutdown.eof_failing_read_ignored", "%d, flags %d", r, SSL_get_shutdown(p.c));
    pair_free(&p);

    /* close_notify while the application left an error on the queue: SSL_read still
     * returns 0, SSL_get_error reads the queue first. */
    pair_up(&p, version);
    SSL_shutdown(p.s);
    ERR_raise_data(ERR_LIB_USER, 1, "stale");
    r = SSL_read(p.c, buf, sizeof(buf));
    report("SSL_read.close_notify_stale_error", "%d, SSL_get_error %d", r, SSL_get_error(p.c, r));
    r = SSL_read(p.c, buf, sizeof(buf));
    report("SSL_read.close_notify_again", "%d, SSL_get_error %d", r, SSL_get_error(p.c, r));
    r = SSL_shutdown(p.c);
    report("SSL_shutdown.after_close_notify", "%d, flags %d", r, SSL_get_shutdown(p.c));
    pair_free(&p);

    /* A record that does not decrypt: a fatal error, SSL_read returns -1. */
    pair_up(&p, version);
    {
        unsigned char rec[45] = {0x17, 0x03, 0x03, 0x00, 0x28};
        BIO_write(SSL_get_wbio(p.s), rec, sizeof(rec));
    }
    r = SSL_read(p.c, buf, sizeof(buf));
    report("SSL_read.bad_record", "%d, SSL_get_error %d", r, SSL_get_error(p.c, r));
    report("SSL_get_shutdown.bad_record", "%d, in_init %d", SSL_get_shutdown(p.c), SSL_in_init(p.c));
    r = SSL_read(p.c, buf, sizeof(buf));
    report("SSL_read.after_bad_record", "%d, SSL_get_error %d", r, SSL_get_error(p.c, r));
    pair_free(&p);

    pair_up(&p, version);
    SSL_set_options(p.c, SSL_OP_IGNORE_UNEXPECTED_EOF);
    BIO_shutdown_wr(SSL_get_wbio(p.s));
    r = SSL_read(p.c, buf, sizeof(buf));
    report("SSL_read.eof_ignored", "%d, SSL_get_error %d", r, SSL_get_error(p.c, r));
    pair_free(&p);

    /* Quiet shutdown: no close_notify is sent. */
    pair_up(&p, version);
    SSL_set_quiet_shutdown(p.c, 1);
    r = SSL_shutdown(p.c);
    report("SSL_shutdown.quiet", "%d, flags %d, bytes sent %d", r, SSL_get_shutdown(p.c), (int)BIO_ctrl_pending(SSL_get_wbio(p.c)));
    pair_free(&p);

    /* A fatal alert from the peer. */
    pair_new(&p, version);
    SSL_set_cipher_list(p.c, "AES128-SHA");
    SSL_set_ciphersuites(p.c, "TLS_AES_128_GCM_SHA256");
    SSL_set_cipher_list(p.s, "AES256-SHA");
    SSL_set_ciphersuites(p.s, "TLS_AES_256_GCM_SHA384");
    r = pair_handshake(&p);
    report("no_shared_cipher.handshake", "%s", HS(&p, r));
    r = SSL_do_handshake(p.c);
    report("no_shared_cipher.client", "%d, SSL_get_error %d", r, SSL_get_error(p.c, r));
    pair_free(&p);
}

static void shutdowns_tls12(void)
{
    shutdowns(TLS1_2_VERSION);
}

static void shutdowns_tls13(void)
{
    shutdowns(TLS1_3_VERSION);
}

static void derived(int version)
{
    struct pair p;
    unsigned char a[128], b[128];
    size_t na, nb;
    static const char label[] = "EXPERIMENTAL contract";

    pair_new(&p, version);
    report("SSL_get_finished.before", "%zu", SSL_get_finished(p.c, a, sizeof(a)));
    report("SSL_get_peer_finished.before", "%zu", SSL_get_peer_finished(p.c, a, sizeof(a)));
    report("SSL_get_client_random.size", "%zu", SSL_get_client_random(p.c, NULL, 0));
    memset(a, 0xEE, sizeof(a));
    na = SSL_get_client_random(p.c, a, sizeof(a));
    report("SSL_get_client_random.before", "%s", RANDOM(a, na));
    memset(a, 0xEE, sizeof(a));
    na = SSL_get_server_random(p.c, a, sizeof(a));
    report("SSL_get_server_random.before", "%s", RANDOM(a, na));
    report("SSL_export_keying_material.before", "%d", SSL_export_keying_material(p.c, a, 32, label, strlen(label), NULL, 0, 0));
    if (!pair_handshake(&p))
        fixture_failed("handshake");

    na = SSL_get_finished(p.c, a, sizeof(a));
    nb = SSL_get_peer_finished(p.s, b, sizeof(b));
    report("SSL_get_finished.client", "%zu", na);
    report("SSL_get_peer_finished.server", "%zu, equal to client's %d", nb, na == nb && memcmp(a, b, na) == 0);
    na = SSL_get_finished(p.s, a, sizeof(a));
    nb = SSL_get_peer_finished(p.c, b, sizeof(b));
    report("SSL_get_finished.server", "%zu", na);
    report("SSL_get_peer_finished.client", "%zu, equal to server's %d", nb, na == nb && memcmp(a, b, na) == 0);
    report("SSL_get_finished.short_buffer", "%zu", SSL_get_finished(p.c, a, 4));
    memset(a, 0, sizeof(a));
    memset(b, 0, sizeof(b));
    na = SSL_get_client_random(p.c, a, sizeof(a));
    nb = SSL_get_client_random(p.s, b, sizeof(b));
    report("SSL_get_client_random", "%s, both sides equal %d", RANDOM(a, na), na == nb && memcmp(a, b, na) == 0);
    report("SSL_get_client_random.short", "%zu", SSL_get_client_random(p.c, a, 8));
    memset(a, 0, sizeof(a));
    memset(b, 0, sizeof(b));
    na = SSL_get_server_random(p.c, a, sizeof(a));
    nb = SSL_get_server_random(p.s, b, sizeof(b));
    report("SSL_get_server_random", "%s, both sides equal %d", RANDOM(a, na), na == nb && memcmp(a, b, na) == 0);
    report("SSL_get_server_random.size", "%zu", SSL_get_server_random(p.s, NULL, 0));
    {
        unsigned char mk[64];
        size_t n = SSL_SESSION_get_master_key(SSL_get_session(p.c), mk, sizeof(mk));
        size_t m = SSL_SESSION_get_master_key(SSL_get_session(p.s), b, sizeof(b));
        report("SSL_SESSION_get_master_key.handshake", "%zu, both sides equal %d", n, n == m && memcmp(mk, b, n) == 0);
    }
    memset(a, 0, sizeof(a));
    memset(b, 0, sizeof(b));
    {
        int rc = SSL_export_keying_material(p.c, a, 32, label, strlen(label), NULL, 0, 0);
        int rs = SSL_export_keying_material(p.s, b, 32, label, strlen(label), NULL, 0, 0);
        report("SSL_export_keying_material", "%d / %d, %s, equal %d", rc, rs, RANDOM(a, 32), memcmp(a, b, 32) == 0);
    }
    {
        unsigned char with_ctx[32], empty_ctx[32];
        SSL_export_keying_material(p.c, with_ctx, 32, label, strlen(label), (const unsigned char *)"ctx", 3, 1);
        SSL_export_keying_material(p.s, b, 32, label, strlen(label), (const unsigned char *)"ctx", 3, 1);
        report("SSL_export_keying_material.context", "equal %d, differs from no context %d", memcmp(with_ctx, b, 32) == 0, memcmp(with_ctx, a, 32) != 0);
        SSL_export_keying_material(p.c, empty_ctx, 32, label, strlen(label), (const unsigned char *)"", 0, 1);
        report("SSL_export_keying_material.empty_context", "differs from no context %d", memcmp(empty_ctx, a, 32) != 0);
    }
    report("SSL_export_keying_material.long", "%d", SSL_export_keying_material(p.c, a, 100, label, strlen(label), NULL, 0, 0));
    report("SSL_export_keying_material.reserved_label", "%d", SSL_export_keying_material(p.c, a, 32, "client finished", 15, NULL, 0, 0));
    report("SSL_export_keying_material_early.no_early_data", "%d", SSL_export_keying_material_early(p.c, a, 32, label, strlen(label), NULL, 0));
    pair_free(&p);
}

static void derived_tls12(void)
{
    derived(TLS1_2_VERSION);
}

static void derived_tls13(void)
{
    derived(TLS1_3_VERSION);
}

static int new_session_calls;
static int count_new_session(SSL *s, SSL_SESSION *sess)
{
    (void)s, (void)sess;
    new_session_calls++;
    return 0;
}

static void key_update_and_tickets(void)
{
    struct pair p;
    char buf[8];
    int r;

    pair_new(&p, TLS1_3_VERSION);
    report("SSL_key_update.before_handshake", "%d", SSL_key_update(p.c, SSL_KEY_UPDATE_REQUESTED));
    report("SSL_new_session_ticket.before_handshake", "%d", SSL_new_session_ticket(p.s));
    SSL_CTX_set_session_cache_mode(p.cctx, SSL_SESS_CACHE_CLIENT);
    SSL_CTX_sess_set_new_cb(p.cctx, count_new_session);
    if (!pair_handshake(&p) || !pair_exchange(&p))
        fixture_failed("handshake");
    note("tickets.after_handshake", "%d", new_session_calls);
    report("SSL_get_key_update_type.none", "%d", SSL_get_key_update_type(p.c));
    report("SSL_key_update.invalid_type", "%d", SSL_key_update(p.c, 5));
    report("SSL_key_update.requested", "%d", SSL_key_update(p.c, SSL_KEY_UPDATE_REQUESTED));
    report("SSL_get_key_update_type.pending", "%d", SSL_get_key_update_type(p.c));
    report("SSL_write.after_key_update", "%d", SSL_write(p.c, "k", 1));
    report("SSL_get_key_update_type.sent", "%d", SSL_get_key_update_type(p.c));
    report("SSL_read.server_after_key_update", "%d", SSL_read(p.s, buf, sizeof(buf)));
    report("SSL_write.server_after_update", "%d", SSL_write(p.s, "r", 1));
    report("SSL_read.client_after_update", "%d", SSL_read(p.c, buf, sizeof(buf)));
    report("SSL_key_update.server_not_requested", "%d", SSL_key_update(p.s, SSL_KEY_UPDATE_NOT_REQUESTED));
    report("SSL_do_handshake.sends_key_update", "%d", SSL_do_handshake(p.s));
    report("SSL_get_key_update_type.server_sent", "%d", SSL_get_key_update_type(p.s));
    report("SSL_new_session_ticket.client", "%d", SSL_new_session_ticket(p.c));
    report("SSL_new_session_ticket", "%d", SSL_new_session_ticket(p.s));
    report("SSL_new_session_ticket.again", "%d", SSL_new_session_ticket(p.s));
    report("SSL_do_handshake.sends_tickets", "%d", SSL_do_handshake(p.s));
    r = SSL_read(p.c, buf, sizeof(buf));
    report("SSL_read.client_gets_tickets", "%d, SSL_get_error %d", r, SSL_get_error(p.c, r));
    note("tickets.after_new_session_ticket", "%d", new_session_calls);
    pair_free(&p);

    pair_up(&p, TLS1_2_VERSION);
    report("SSL_key_update.tls12", "%d", SSL_key_update(p.c, SSL_KEY_UPDATE_REQUESTED));
    report("SSL_new_session_ticket.tls12", "%d", SSL_new_session_ticket(p.s));
    pair_free(&p);
}

/* Renegotiation requests. Refusing them is what the shim does on purpose; the refusals
 * OpenSSL itself makes (TLS 1.3, SSL_OP_NO_RENEGOTIATION) must match. */
static void renegotiation(void)
{
    struct pair p;
    char buf[8];
    int r;

    pair_up(&p, TLS1_3_VERSION);
    report("SSL_renegotiate.tls13", "%d", SSL_renegotiate(p.c));
    report("SSL_renegotiate_abbreviated.tls13", "%d", SSL_renegotiate_abbreviated(p.c));
    report("SSL_renegotiate_pending.tls13", "%d", SSL_renegotiate_pending(p.c));
    pair_free(&p);

    pair_up(&p, TLS1_2_VERSION);
    report("SSL_renegotiate_pending.none", "%d", SSL_renegotiate_pending(p.c));
    SSL_set_options(p.c, SSL_OP_NO_RENEGOTIATION);
    report("SSL_renegotiate.refused_by_option", "%d", SSL_renegotiate(p.c));
    report("SSL_renegotiate_abbreviated.refused_by_option", "%d", SSL_renegotiate_abbreviated(p.c));
    SSL_clear_options(p.c, SSL_OP_NO_RENEGOTIATION);
    report("SSL_renegotiate.tls12", "%d", SSL_renegotiate(p.c));
    report("SSL_renegotiate_pending.requested", "%d", SSL_renegotiate_pending(p.c));
    r = SSL_do_handshake(p.c);
    report("renegotiation.client_step", "%d, SSL_get_error %d", r, SSL_get_error(p.c, r));
    r = SSL_read(p.s, buf, sizeof(buf));
    report("renegotiation.server_read", "%d, SSL_get_error %d", r, SSL_get_error(p.s, r));
    r = SSL_do_handshake(p.c);
    report("renegotiation.client_done", "%d, SSL_get_error %d", r, SSL_get_error(p.c, r));
    report("SSL_renegotiate_pending.after", "%d", SSL_renegotiate_pending(p.c));
    report("SSL_renegotiate_abbreviated.tls12", "%d", SSL_renegotiate_abbreviated(p.c));
    pair_free(&p);
}

/* 0-RTT: a resumed TLS 1.3 client sends early data, the server reads it. */
static void early_data(void)
{
    struct pair p;
    SSL_SESSION *sess;
    char buf[32];
    size_t n;
    int r;
    unsigned char a[32], b[32];

    pair_new(&p, TLS1_3_VERSION);
    SSL_CTX_set_max_early_data(p.sctx, 1024);
    SSL_free(p.c);
    SSL_free(p.s);
    pair_connect(&p);
    report("SSL_get_early_data_status.before", "%d", SSL_get_early_data_status(p.c));
    n = (size_t)SENT_INT;
    REPORT_OUT("SSL_write_early_data.no_session", int, SSL_write_early_data(p.c, "early", 5, &n), "%d, written %zu", n);
    SSL_free(p.c);
    p.c = NULL;
    SSL_free(p.s);
    pair_connect(&p);
    if (!pair_handshake(&p) || !pair_exchange(&p))
        fixture_failed("handshake");
    report("SSL_get_early_data_status.not_sent", "%d", SSL_get_early_data_status(p.c));
    n = (size_t)SENT_INT;
    REPORT_OUT("SSL_read_early_data.after_handshake", int, SSL_read_early_data(p.s, buf, sizeof(buf), &n), "%d, readbytes %zu", n);
    n = (size_t)SENT_INT;
    REPORT_OUT("SSL_read_early_data.client", int, SSL_read_early_data(p.c, buf, sizeof(buf), &n), "%d, readbytes %zu", n);
    sess = SSL_get1_session(p.c);
    report("SSL_SESSION_get_max_early_data.ticket", "%u", SSL_SESSION_get_max_early_data(sess));
    pair_shutdown(&p);
    SSL_free(p.c);
    SSL_free(p.s);

    pair_connect(&p);
    SSL_set_session(p.c, sess);
    n = (size_t)SENT_INT;
    REPORT_OUT("SSL_write_early_data", int, SSL_write_early_data(p.c, "early", 5, &n), "%d, written %zu", n);
    memset(buf, 0, sizeof(buf));
    n = (size_t)SENT_INT;
    REPORT_OUT("SSL_read_early_data", int, SSL_read_early_data(p.s, buf, sizeof(buf), &n), "%d, readbytes %zu, %s", n, STR(buf));
    n = (size_t)SENT_INT;
    r = SSL_read_early_data(p.s, buf, sizeof(buf), &n);
    report("SSL_read_early_data.wait", "%d, readbytes %zu, SSL_get_error %d", r, n, SSL_get_error(p.s, r));
    memset(a, 0, sizeof(a));
    memset(b, 0, sizeof(b));
    {
        int rc = SSL_export_keying_material_early(p.c, a, 32, "EXPERIMENTAL early", 18, NULL, 0);
        int rs = SSL_export_keying_material_early(p.s, b, 32, "EXPERIMENTAL early", 18, NULL, 0);
        report("SSL_export_keying_material_early", "%d / %d, equal %d", rc, rs, memcmp(a, b, 32) == 0);
    }
    r = SSL_do_handshake(p.c);
    report("early_data.client_handshake", "%d, SSL_get_error %d", r, SSL_get_error(p.c, r));
    n = (size_t)SENT_INT;
    r = SSL_read_early_data(p.s, buf, sizeof(buf), &n);
    report("SSL_read_early_data.finish", "%d, readbytes %zu", r, n);
    r = SSL_do_handshake(p.s);
    report("early_data.server_handshake", "%d", r);
    report("SSL_get_early_data_status.client", "%d", SSL_get_early_data_status(p.c));
    report("SSL_get_early_data_status.server", "%d", SSL_get_early_data_status(p.s));
    report("early_data.reused", "%d / %d", SSL_session_reused(p.c), SSL_session_reused(p.s));
    SSL_SESSION_free(sess);
    pair_free(&p);
}

/* A TLS 1.3 server that answers the first ClientHello with a stateless HelloRetryRequest
 * carrying a cookie. */
static int cookie_gen(SSL *s, unsigned char *cookie, size_t *len)
{
    (void)s;
    memcpy(cookie, "stateless-cookie", 16);
    *len = 16;
    return 1;
}

static int cookie_verify(SSL *s, const unsigned char *cookie, size_t len)
{
    (void)s;
    return len == 16 && memcmp(cookie, "stateless-cookie", 16) == 0;
}

static void stateless(void)
{
    struct pair p;
    int r;

    pair_new(&p, TLS1_3_VERSION);
    SSL_CTX_set_stateless_cookie_generate_cb(p.sctx, cookie_gen);
    report("SSL_CTX_set_stateless_cookie_generate_cb", "void");
    SSL_CTX_set_stateless_cookie_verify_cb(p.sctx, cookie_verify);
    report("SSL_CTX_set_stateless_cookie_verify_cb", "void");
    /* A middlebox-compatibility CCS after the HelloRetryRequest would reach the stateless
     * server as an unexpected record (OpenSSL's own test turns it off too). */
    SSL_clear_options(p.c, SSL_OP_ENABLE_MIDDLEBOX_COMPAT);
    r = SSL_do_handshake(p.c);
    report("stateless.client_hello", "%d, SSL_get_error %d", r, SSL_get_error(p.c, r));
    r = SSL_stateless(p.s);
    report("SSL_stateless.first", "%d", r);
    r = SSL_do_handshake(p.c);
    report("stateless.client_second_hello", "%d, SSL_get_error %d", r, SSL_get_error(p.c, r));
    r = SSL_stateless(p.s);
    report("SSL_stateless.second", "%d", r);
    report_handshake("stateless.handshake", &p);
    pair_free(&p);

    pair_new(&p, TLS1_2_VERSION);
    SSL_CTX_set_stateless_cookie_generate_cb(p.sctx, cookie_gen);
    SSL_CTX_set_stateless_cookie_verify_cb(p.sctx, cookie_verify);
    SSL_do_handshake(p.c);
    r = SSL_stateless(p.s);
    report("SSL_stateless.tls12_client", "%d", r);
    pair_free(&p);
}

static void sendfile_call(void)
{
    struct pair p;
    const char *path = scratch("sendfile.txt");
    FILE *f = fopen(path, "w");
    int fd;

    fputs("file content", f);
    fclose(f);
    fd = open(path, O_RDONLY);
    pair_new(&p, 0);
    report("SSL_sendfile.before_handshake", "%zd", (ssize_t)SSL_sendfile(p.c, fd, 0, 12, 0));
    if (!pair_handshake(&p))
        fixture_failed("handshake");
    report("SSL_sendfile.no_ktls", "%zd", (ssize_t)SSL_sendfile(p.c, fd, 0, 12, 0));
    pair_free(&p);
    {
        SSL_CTX *ctx = SSL_CTX_new(TLS_method());
        SSL *ssl = SSL_new(ctx);
        report("SSL_sendfile.no_role", "%zd", (ssize_t)SSL_sendfile(ssl, fd, 0, 12, 0));
        SSL_free(ssl);
        SSL_CTX_free(ctx);
    }
    close(fd);
    remove(path);
}

/* The SSL BIO over a BIO pair: a client written against BIO_read/BIO_write. */
static void ssl_bio(void)
{
    SSL_CTX *cctx = client_ctx(0), *sctx = server_ctx();
    const BIO_METHOD *m = BIO_f_ssl();
    BIO *cbio, *sbio, *net_c, *net_s, *plain;
    SSL *c = SENT, *s, *got = SENT;
    char buf[32];
    int r, rounds;

    report("BIO_f_ssl", "%s", P(m));
    if (m != NULL) {
        plain = BIO_new(m);
        report("BIO_f_ssl.BIO_new", "%s, type %#x, name %s", P(plain), (unsigned)BIO_method_type(plain), STR(BIO_method_name(plain)));
        REPORT_OUT("BIO_get_ssl.empty", long, BIO_get_ssl(plain, &got), "%ld, %s", P(got));
        BIO_free(plain);
    }
    report("BIO_f_ssl.same_again", "%s", SAME(BIO_f_ssl(), m));

    cbio = BIO_new_ssl(cctx, 1);
    report("BIO_new_ssl.client", "%s", P(cbio));
    if (cbio == NULL)
        return;
    REPORT_OUT("BIO_get_ssl", long, BIO_get_ssl(cbio, &c), "%ld, %s", P(c));
    if (c == NULL || c == SENT)
        return;
    report("BIO_new_ssl.client.is_server", "%d", SSL_is_server(c));
    report("BIO_new_ssl.client.ctx", "%s", SAME(SSL_get_SSL_CTX(c), cctx));
    if (BIO_new_bio_pair(&net_c, 0, &net_s, 0) != 1)
        fixture_failed("bio pair");
    SSL_set_tlsext_host_name(c, "localhost");
    SSL_set1_host(c, "localhost");
    /* As programs chain them: the SSL BIO on top of the transport BIO. */
    report("BIO_push.client", "%s", SAME(BIO_push(cbio, net_c), cbio));
    report("BIO_push.client.rbio", "%s", SAME(SSL_get_rbio(c), net_c));
    s = SSL_new(sctx);
    SSL_set_accept_state(s);
    sbio = BIO_new(BIO_f_ssl());
    report("BIO_set_ssl", "%ld", BIO_set_ssl(sbio, s, BIO_CLOSE));
    BIO_push(sbio, net_s);

    r = BIO_do_handshake(cbio);
    report("BIO_do_handshake.first", "%d, retry %d, should_read %d", r, BIO_should_retry(cbio), BIO_should_read(cbio));
    for (rounds = 0; rounds < 20; rounds++) {
        int rs = BIO_do_handshake(sbio);
        r = BIO_do_handshake(cbio);
        if (r == 1 && rs == 1)
            break;
    }
    report("BIO_do_handshake", "%d", r);
    report("BIO_write", "%d", BIO_write(cbio, "over ssl bio", 12));
    memset(buf, 0, sizeof(buf));
    REPORT_OUT("BIO_read.server", int, BIO_read(sbio, buf, sizeof(buf)), "%d, %s", STR(buf));
    r = BIO_read(cbio, buf, sizeof(buf));
    report("BIO_read.nothing", "%d, retry %d, should_read %d", r, BIO_should_retry(cbio), BIO_should_read(cbio));
    report("BIO_puts", "%d", BIO_puts(sbio, "reply\n"));
    report("BIO_pending.before_read", "%d", (int)BIO_pending(cbio));
    memset(buf, 0, sizeof(buf));
    REPORT_OUT("BIO_gets", int, BIO_gets(cbio, buf, sizeof(buf)), "%d, %s", STR(strtok(buf, "\n")));
    memset(buf, 0, sizeof(buf));
    REPORT_OUT("BIO_read.client", int, BIO_read(cbio, buf, sizeof(buf)), "%d, %s", STR(strtok(buf, "\n")));
    report("BIO_flush", "%d", BIO_flush(cbio));
    report("BIO_get_num_renegotiates", "%ld", BIO_get_num_renegotiates(cbio));
    report("BIO_set_ssl_renegotiate_bytes", "%ld", BIO_set_ssl_renegotiate_bytes(cbio, 0));
    BIO_ssl_shutdown(cbio);
    report("BIO_ssl_shutdown", "void");
    report("BIO_ssl_shutdown.flags", "%d", SSL_get_shutdown(c));
    r = BIO_read(sbio, buf, sizeof(buf));
    report("BIO_read.server_after_shutdown", "%d, SSL_get_error %d", r, SSL_get_error(s, r));

    /* A second client BIO resumes the first one's session. */
    {
        BIO *second = BIO_new_ssl(cctx, 1);
        SSL *c2 = NULL;
        BIO_get_ssl(second, &c2);
        report("BIO_ssl_copy_session_id", "%d", BIO_ssl_copy_session_id(second, cbio));
        report("BIO_ssl_copy_session_id.session", "%s", c2 ? SAME(SSL_get_session(c2), SSL_get_session(c)) : "no SSL");
        report("BIO_ssl_copy_session_id.not_ssl_bios", "%d", BIO_ssl_copy_session_id(BIO_next(cbio), BIO_next(sbio)));
        BIO_free_all(second);
    }
    /* BIO_ssl_shutdown on a BIO chain without an SSL BIO does nothing. */
    plain = BIO_new(BIO_s_mem());
    BIO_ssl_shutdown(plain);
    report("BIO_ssl_shutdown.no_ssl_bio", "void");
    BIO_free(plain);

    BIO_free_all(cbio);
    BIO_free_all(sbio);
    SSL_CTX_free(cctx);
    SSL_CTX_free(sctx);
}

/* Moves what one side's write BIO holds to the other side's read BIO. */
static void pump_mem(BIO *from, BIO *to)
{
    char buf[4096];
    int n;
    while ((n = BIO_read(from, buf, sizeof(buf))) > 0)
        BIO_write(to, buf, n);
}

/* The SSL BIO as OpenVPN uses it: the connection's own memory BIOs set first, an SSL BIO
 * over the connection without owning it (BIO_NOCLOSE), the handshake driven by reading
 * plaintext from the SSL BIO, ciphertext moved between the memory BIOs by hand. */
static void ssl_bio_mem(void)
{
    SSL_CTX *cctx = client_ctx(0), *sctx = server_ctx();
    SSL *c = SSL_new(cctx), *s = SSL_new(sctx);
    BIO *c_in = BIO_new(BIO_s_mem()), *c_out = BIO_new(BIO_s_mem());
    BIO *s_in = BIO_new(BIO_s_mem()), *s_out = BIO_new(BIO_s_mem());
    BIO *cb = BIO_new(BIO_f_ssl()), *sb = BIO_new(BIO_f_ssl());
    char buf[64];
    int r, done = 0;

    SSL_set_connect_state(c);
    SSL_set_accept_state(s);
    SSL_set_tlsext_host_name(c, "localhost");
    SSL_set1_host(c, "localhost");
    SSL_set_bio(c, c_in, c_out);
    SSL_set_bio(s, s_in, s_out);
    report("BIO_set_ssl.noclose", "%ld", BIO_set_ssl(cb, c, BIO_NOCLOSE));
    report("BIO_set_ssl.next_is_rbio", "%s", SAME(BIO_next(cb), c_in));
    report("BIO_get_close", "%d", BIO_get_close(cb));
    BIO_set_ssl(sb, s, BIO_NOCLOSE);
    r = BIO_read(cb, buf, sizeof(buf));
    report("BIO_read.starts_handshake", "%d, retry %d, should_read %d, ciphertext %d", r, BIO_should_retry(cb),
           BIO_should_read(cb), BIO_ctrl_pending(c_out) > 0);
    for (int i = 0; i < 20 && !done; i++) {
        pump_mem(c_out, s_in);
        BIO_read(sb, buf, sizeof(buf));
        pump_mem(s_out, c_in);
        BIO_read(cb, buf, sizeof(buf));
        done = SSL_is_init_finished(c) && SSL_is_init_finished(s);
    }
    report("handshake", "%d", done);
    report("BIO_write.plaintext", "%d", BIO_write(cb, "tunnel", 6));
    pump_mem(c_out, s_in);
    report("BIO_pending.ssl_bio", "%d", BIO_pending(sb) > 0);
    memset(buf, 0, sizeof(buf));
    REPORT_OUT("BIO_read.plaintext", int, BIO_read(sb, buf, sizeof(buf)), "%d, %s", STR(buf));
    r = BIO_read(sb, buf, sizeof(buf));
    report("BIO_read.nothing_more", "%d, retry %d, should_read %d", r, BIO_should_retry(sb), BIO_should_read(sb));
    report("BIO_get_fd.mem", "%ld", BIO_get_fd(cb, NULL));
    BIO_free_all(cb);
    BIO_free_all(sb);
    report("BIO_free_all.noclose", "client still usable %d", SSL_write(c, "x", 1));
    SSL_free(c);
    SSL_free(s);
    SSL_CTX_free(cctx);
    SSL_CTX_free(sctx);
}

/* BIO_new_ssl_connect and BIO_new_buffer_ssl_connect: a client that connects by host and
 * port, here to a server in this process on a non-blocking loopback socket. */
static void connect_bios(void)
{
    SSL_CTX *cctx = client_ctx(0), *sctx = server_ctx();
    BIO *b, *next;
    SSL *c = NULL, *s;
    int lfd, fd = -1, r = -1, rs = -1;
    struct sockaddr_in sa;
    socklen_t sl = sizeof(sa);
    char buf[32];

    b = BIO_new_buffer_ssl_connect(cctx);
    report("BIO_new_buffer_ssl_connect", "%s", P(b));
    if (b != NULL) {
        report("BIO_new_buffer_ssl_connect.first", "%#x", (unsigned)BIO_method_type(b));
        next = BIO_next(b);
        report("BIO_new_buffer_ssl_connect.second", "%#x", next ? (unsigned)BIO_method_type(next) : 0);
        next = next ? BIO_next(next) : NULL;
        report("BIO_new_buffer_ssl_connect.third", "%#x", next ? (unsigned)BIO_method_type(next) : 0);
        BIO_free_all(b);
    }

    lfd = socket(AF_INET, SOCK_STREAM, 0);
    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (lfd < 0 || bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) != 0 || listen(lfd, 1) != 0
        || getsockname(lfd, (struct sockaddr *)&sa, &sl) != 0)
        fixture_failed("listen");
    nonblocking(lfd);

    b = BIO_new_ssl_connect(cctx);
    report("BIO_new_ssl_connect", "%s", P(b));
    if (b == NULL) {
        close(lfd);
        SSL_CTX_free(cctx);
        SSL_CTX_free(sctx);
        return;
    }
    report("BIO_new_ssl_connect.first", "%#x", (unsigned)BIO_method_type(b));
    next = BIO_next(b);
    report("BIO_new_ssl_connect.second", "%#x", next ? (unsigned)BIO_method_type(next) : 0);
    BIO_get_ssl(b, &c);
    if (c != NULL) {
        SSL_set_tlsext_host_name(c, "localhost");
        SSL_set1_host(c, "localhost");
    }
    BIO_set_conn_hostname(b, fmt("127.0.0.1:%d", ntohs(sa.sin_port)));
    BIO_set_nbio(b, 1);
    s = SSL_new(sctx);
    SSL_set_accept_state(s);
    for (int round = 0; round < 200 && !(r == 1 && rs == 1); round++) {
        if (r != 1)
            r = (int)BIO_do_handshake(b);
        if (fd < 0) {
            fd = accept(lfd, NULL, NULL);
            if (fd >= 0) {
                nonblocking(fd);
                SSL_set_fd(s, fd);
            }
        }
        if (fd >= 0 && rs != 1)
            rs = SSL_do_handshake(s);
        if (r != 1 && !BIO_should_retry(b))
            break;
        usleep(1000);
    }
    ERR_clear_error();
    report("BIO_new_ssl_connect.handshake", "client %d, server %d", r, rs);
    report("BIO_new_ssl_connect.version", "%s", c ? STR(SSL_get_version(c)) : "no SSL");
    report("BIO_new_ssl_connect.write", "%d", BIO_write(b, "via connect bio", 15));
    memset(buf, 0, sizeof(buf));
    for (int round = 0; round < 200; round++) {
        if (SSL_read(s, buf, sizeof(buf)) > 0)
            break;
        usleep(1000);
    }
    ERR_clear_error();
    report("BIO_new_ssl_connect.server_read", "%s", STR(buf));
    BIO_free_all(b);
    SSL_free(s);
    if (fd >= 0)
        close(fd);
    close(lfd);
    SSL_CTX_free(cctx);
    SSL_CTX_free(sctx);
}

GROUPS({"bios", bios, NULL}, {"fds", fds, NULL}, {"over_fds", over_fds, NULL}, {"handshake_calls", handshake_calls, NULL},
       {"data_tls12", data_tls12, NULL}, {"data_tls13", data_tls13, NULL}, {"shutdowns_tls12", shutdowns_tls12, NULL},
       {"shutdowns_tls13", shutdowns_tls13, NULL}, {"derived_tls12", derived_tls12, NULL},
       {"derived_tls13", derived_tls13, NULL}, {"key_update_and_tickets", key_update_and_tickets, NULL},
       {"renegotiation", renegotiation, NULL}, {"early_data", early_data, NULL}, {"stateless", stateless, NULL},
       {"sendfile", sendfile_call, NULL}, {"ssl_bio", ssl_bio, NULL}, {"ssl_bio_mem", ssl_bio_mem, NULL}, {"connect_bios", connect_bios, NULL})
