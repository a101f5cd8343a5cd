/* threads: one server SSL_CTX and one client SSL_CTX shared by many threads, as ntpd and
 * libcurl's multi interface share theirs.
 *
 * WORKERS threads each run CONNS connections: both ends are created from the shared contexts,
 * joined by a BIO pair, handshaken, exchange data (the server echoes what the client sent),
 * shut down and freed. Connections come in fours per thread: a full TLS 1.3 handshake, a TLS
 * 1.3 resumption of its session, a full TLS 1.2 handshake, a TLS 1.2 resumption; the TLS 1.2
 * pairs alternate between a ticket and the server's session-ID cache (SSL_OP_NO_TICKET). The
 * client keeps its sessions the way libcurl does: the client context's new-session callback
 * stores each one in the connection's ex_data slot and keeps the reference.
 *
 * Meanwhile MUTATORS threads change the shared contexts: (0) options, set and cleared; (1) the
 * server's TLS 1.2 cipher list and TLS 1.3 suites, lists that all hold the one suite of each
 * version the client offers (so the choice, and whether a session resumes, never changes);
 * (2) sessions of their own added to and removed from the server cache, and the cache flushed;
 * (3) the server context's ex_data (read back by the servers' servername callback) and new
 * ex_data indexes. THREADS_MUTATORS=023 runs only those (all by default): OpenSSL's
 * SSL_CTX_set_cipher_list frees the list that a concurrent SSL_new copies (openssl-threads(7):
 * an object mutated while another thread uses it), so (1) runs on the shim only.
 *
 * Built against the system OpenSSL 3 headers; tests/threads/run.sh runs it on the system libssl
 * and on the shim and compares the stdout, which has only counts both must agree on.
 * usage: threads CERTDIR   (tests/curl/gen-certs.sh's ec.pem, ec.key, root.pem) */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#define WORKERS 16
#define CONNS 200 /* THREADS_CONNS=N for fewer (a run under valgrind) */
#define MUTATORS 4
#define MAX_ROUNDS 200 /* handshake turns before a connection counts as hung */

static SSL_CTX *server_ctx, *client_ctx;
static int conn_idx;      /* SSL ex_data: the client end's struct conn */
static int sctx_idx;      /* SSL_CTX ex_data on server_ctx: one of TOKENS */
static const char *certdir;
static atomic_int workers_done;
static atomic_long servername_calls, bad_ex_data, sessions_stored, mutator_errors;
static long conns_per_thread = CONNS;
static const char TOKENS[2][8] = {"token-a", "token-b"};

/* Per-thread totals, summed at the end. */
struct counts {
    long conns, full, resumed, not_resumed, tls13, tls12, bytes, clean_shutdowns, failed;
};

/* The client end's state, reachable from the new-session callback through ex_data. */
struct conn {
    SSL_SESSION *latest; /* the newest session the server gave, one reference held */
};

static void failf(struct counts *c, const char *what, long thread, long i)
{
    char buf[256];
    unsigned long e = ERR_get_error();
    ERR_error_string_n(e, buf, sizeof(buf));
    fprintf(stderr, "thread %ld conn %ld: %s (%s)\n", thread, i, what, e ? buf : "no error queued");
    ERR_clear_error();
    if (c != NULL)
        c->failed++;
}

static int new_session_cb(SSL *ssl, SSL_SESSION *sess)
{
    struct conn *conn = SSL_get_ex_data(ssl, conn_idx);
    if (conn == NULL)
        return 0; /* a mutator's connection: not kept */
    SSL_SESSION_free(conn->latest);
    conn->latest = sess;
    atomic_fetch_add(&sessions_stored, 1);
    return 1;
}

/* Reads the server context's ex_data on every handshake, while a mutator replaces it. */
static int servername_cb(SSL *ssl, int *alert, void *arg)
{
    (void)alert;
    (void)arg;
    const char *t = SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), sctx_idx);
    if (t != TOKENS[0] && t != TOKENS[1])
        atomic_fetch_add(&bad_ex_data, 1);
    atomic_fetch_add(&servername_calls, 1);
    return SSL_TLSEXT_ERR_OK;
}

static int want_more(SSL *ssl, int r)
{
    int e = SSL_get_error(ssl, r);
    return e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE;
}

/* Drives both ends until both finished the handshake; 0 on failure. */
static int handshake(SSL *cl, SSL *sv)
{
    int cdone = 0, sdone = 0;
    for (int round = 0; round < MAX_ROUNDS && !(cdone && sdone); round++) {
        if (!cdone) {
            int r = SSL_do_handshake(cl);
            if (r == 1)
                cdone = 1;
            else if (!want_more(cl, r))
                return 0;
        }
        if (!sdone) {
            int r = SSL_do_handshake(sv);
            if (r == 1)
                sdone = 1;
            else if (!want_more(sv, r))
                return 0;
        }
    }
    return cdone && sdone;
}

/* Reads exactly n bytes into buf from `to`, letting `from` (the other end) flush; 0 on
 * failure. */
static int read_all(SSL *to, SSL *from, unsigned char *buf, int n)
{
    int got = 0;
    for (int round = 0; got < n && round < MAX_ROUNDS; round++) {
        int r = SSL_read(to, buf + got, n - got);
        if (r > 0) {
            got += r;
            continue;
        }
        if (!want_more(to, r))
            return 0;
        /* Nothing buffered: the other end may have records to push (tickets, data). */
        unsigned char dummy;
        int fr = SSL_read(from, &dummy, 0);
        (void)fr;
    }
    return got == n;
}

/* Client sends n bytes, the server echoes them back; 1 when the echo matches. */
static int exchange(SSL *cl, SSL *sv, int n)
{
    unsigned char out[4096], in[4096], echo[4096];
    for (int k = 0; k < n; k++)
        out[k] = (unsigned char)(k * 7 + n);
    if (SSL_write(cl, out, n) != n)
        return 0;
    if (!read_all(sv, cl, in, n) || memcmp(in, out, (size_t)n) != 0)
        return 0;
    if (SSL_write(sv, in, n) != n)
        return 0;
    if (!read_all(cl, sv, echo, n) || memcmp(echo, out, (size_t)n) != 0)
        return 0;
    return 1;
}

/* close_notify both ways; 1 when both ends saw the other's. */
static int shutdown_both(SSL *cl, SSL *sv)
{
    unsigned char b;
    if (SSL_shutdown(cl) < 0)
        return 0;
    int r = SSL_read(sv, &b, 1);
    if (r > 0 || SSL_get_error(sv, r) != SSL_ERROR_ZERO_RETURN)
        return 0;
    if (SSL_shutdown(sv) != 1)
        return 0;
    r = SSL_read(cl, &b, 1);
    if (r > 0 || SSL_get_error(cl, r) != SSL_ERROR_ZERO_RETURN)
        return 0;
    return SSL_shutdown(cl) == 1;
}

/* One connection from the shared contexts. `resume` (may be NULL) is offered by the client;
 * with `conn` the client's new sessions are stored there. Returns 1 when everything worked
 * and sets *reused to both ends' SSL_session_reused. */
static int one_connection(int tls13, int no_ticket, SSL_SESSION *resume, struct conn *conn,
                          int bytes, int *reused, int *clean)
{
    SSL *cl = SSL_new(client_ctx), *sv = SSL_new(server_ctx);
    BIO *cb = NULL, *sb = NULL;
    int ok = 0;
    if (cl == NULL || sv == NULL || !BIO_new_bio_pair(&cb, 0, &sb, 0))
        goto out;
    SSL_set_bio(cl, cb, cb);
    SSL_set_bio(sv, sb, sb);
    SSL_set_connect_state(cl);
    SSL_set_accept_state(sv);
    if (!SSL_set_max_proto_version(cl, tls13 ? TLS1_3_VERSION : TLS1_2_VERSION))
        goto out;
    if (!SSL_set_tlsext_host_name(cl, "localhost") || !SSL_set1_host(cl, "localhost"))
        goto out;
    if (no_ticket)
        SSL_set_options(sv, SSL_OP_NO_TICKET);
    if (conn != NULL && !SSL_set_ex_data(cl, conn_idx, conn))
        goto out;
    if (resume != NULL && !SSL_set_session(cl, resume))
        goto out;
    if (!handshake(cl, sv))
        goto out;
    if (SSL_version(cl) != (tls13 ? TLS1_3_VERSION : TLS1_2_VERSION) ||
        SSL_get_verify_result(cl) != X509_V_OK)
        goto out;
    *reused = SSL_session_reused(cl) && SSL_session_reused(sv);
    if (SSL_session_reused(cl) != SSL_session_reused(sv))
        goto out;
    if (!exchange(cl, sv, bytes))
        goto out;
    *clean = shutdown_both(cl, sv);
    ok = 1;
out:
    SSL_free(cl);
    SSL_free(sv);
    return ok;
}

static void *worker(void *arg)
{
    long t = (long)(intptr_t)arg;
    struct counts *c = calloc(1, sizeof(*c));
    struct conn conn = {NULL};
    SSL_SESSION *prev = NULL;
    /* Every thread asks for an ex_data index of its own, concurrently with the others. */
    int own_idx = SSL_get_ex_new_index(0, NULL, NULL, NULL, NULL);
    if (own_idx < 0 || own_idx == conn_idx)
        failf(c, "SSL_get_ex_new_index", t, -1);
    for (long i = 0; i < conns_per_thread; i++) {
        int tls13 = (i % 4) < 2, resuming = (i % 2) == 1;
        int no_ticket = !tls13 && (i % 8) >= 4;
        int reused = 0, clean = 0;
        int bytes = 1 + (int)((t * 131 + i * 17) % 4000);
        if (resuming && prev == NULL) {
            failf(c, "no session to resume", t, i);
            continue;
        }
        if (!one_connection(tls13, no_ticket, resuming ? prev : NULL, &conn, bytes, &reused,
                            &clean)) {
            failf(c, "connection failed", t, i);
        } else {
            c->conns++;
            c->bytes += bytes;
            c->clean_shutdowns += clean;
            if (tls13)
                c->tls13++;
            else
                c->tls12++;
            if (reused)
                c->resumed++;
            else if (resuming) {
                c->not_resumed++;
                fprintf(stderr, "thread %ld conn %ld: TLS 1.%d%s session not resumed\n", t, i,
                        tls13 ? 3 : 2, no_ticket ? " (session-ID cache)" : "");
            }
            else
                c->full++;
        }
        SSL_SESSION_free(prev);
        prev = NULL;
        if (!resuming) {
            /* The next connection resumes this one's newest session. */
            prev = conn.latest;
            conn.latest = NULL;
            if (prev != NULL && !SSL_SESSION_is_resumable(prev)) {
                failf(c, "stored session not resumable", t, i);
                SSL_SESSION_free(prev);
                prev = NULL;
            }
        } else {
            SSL_SESSION_free(conn.latest);
            conn.latest = NULL;
        }
        ERR_clear_error();
    }
    SSL_SESSION_free(prev);
    SSL_SESSION_free(conn.latest);
    atomic_fetch_add(&workers_done, 1);
    return c;
}

static void merror(const char *what)
{
    fprintf(stderr, "mutator: %s failed\n", what);
    atomic_fetch_add(&mutator_errors, 1);
}

static void *mutator(void *arg)
{
    long m = (long)(intptr_t)arg;
    static const char *const lists12[] = {
        "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384",
        "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-ECDSA-AES128-GCM-SHA256:AES256-SHA",
    };
    static const char *const lists13[] = {
        "TLS_AES_128_GCM_SHA256:TLS_CHACHA20_POLY1305_SHA256",
        "TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256",
    };
    const char *only = getenv("THREADS_MUTATORS");
    char me = (char)('0' + m);
    if (only != NULL && strchr(only, me) == NULL)
        return NULL;
    for (unsigned long k = 0; atomic_load(&workers_done) < WORKERS; k++) {
        switch (m) {
        case 0: /* options on both contexts */
            if (!(SSL_CTX_set_options(server_ctx, SSL_OP_CIPHER_SERVER_PREFERENCE) &
                  SSL_OP_CIPHER_SERVER_PREFERENCE))
                merror("SSL_CTX_set_options");
            SSL_CTX_clear_options(server_ctx, SSL_OP_CIPHER_SERVER_PREFERENCE);
            SSL_CTX_set_options(client_ctx, SSL_OP_NO_RENEGOTIATION);
            SSL_CTX_clear_options(client_ctx, SSL_OP_NO_RENEGOTIATION);
            (void)SSL_CTX_get_options(server_ctx);
            break;
        case 1: /* cipher lists */
            if (!SSL_CTX_set_cipher_list(server_ctx, lists12[k % 2]))
                merror("SSL_CTX_set_cipher_list");
            if (!SSL_CTX_set_ciphersuites(server_ctx, lists13[k % 2]))
                merror("SSL_CTX_set_ciphersuites");
            break;
        case 2: { /* sessions of its own into and out of the server cache */
            SSL *cl = SSL_new(client_ctx), *sv = SSL_new(server_ctx);
            BIO *cb = NULL, *sb = NULL;
            SSL_SESSION *s = NULL;
            if (cl == NULL || sv == NULL || !BIO_new_bio_pair(&cb, 0, &sb, 0)) {
                merror("SSL_new");
            } else {
                SSL_set_bio(cl, cb, cb);
                SSL_set_bio(sv, sb, sb);
                SSL_set_connect_state(cl);
                SSL_set_accept_state(sv);
                SSL_set_max_proto_version(cl, TLS1_2_VERSION);
                SSL_set_options(sv, SSL_OP_NO_TICKET);
                SSL_set_tlsext_host_name(cl, "localhost");
                if (!handshake(cl, sv) || (s = SSL_get1_session(sv)) == NULL)
                    merror("mutator handshake");
            }
            for (int r = 0; s != NULL && r < 20; r++) {
                if (SSL_CTX_remove_session(server_ctx, s) != 1)
                    merror("SSL_CTX_remove_session");
                if (SSL_CTX_add_session(server_ctx, s) != 1)
                    merror("SSL_CTX_add_session");
                (void)SSL_CTX_sess_number(server_ctx);
            }
            if (s != NULL && SSL_CTX_remove_session(server_ctx, s) != 1)
                merror("SSL_CTX_remove_session (last)");
            SSL_SESSION_free(s);
            SSL_free(cl);
            SSL_free(sv);
            SSL_CTX_flush_sessions(server_ctx, (long)time(NULL));
            break;
        }
        case 3: /* the server context's ex_data, and new indexes */
            if (!SSL_CTX_set_ex_data(server_ctx, sctx_idx, (void *)TOKENS[k % 2]))
                merror("SSL_CTX_set_ex_data");
            if (k % 64 == 0 && SSL_CTX_get_ex_new_index(0, NULL, NULL, NULL, NULL) < 0)
                merror("SSL_CTX_get_ex_new_index");
            break;
        }
        ERR_clear_error();
        if (m != 2) {
            struct timespec ts = {0, 200000}; /* 0.2 ms: change often, leave CPU to handshakes */
            nanosleep(&ts, NULL);
        }
    }
    return NULL;
}

static char *path(const char *file)
{
    static char buf[3][4096];
    static int n;
    char *b = buf[n++ % 3];
    snprintf(b, sizeof(buf[0]), "%s/%s", certdir, file);
    return b;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s CERTDIR\n", argv[0]);
        return 2;
    }
    certdir = argv[1];
    if (getenv("THREADS_CONNS") != NULL)
        conns_per_thread = 4 * (atol(getenv("THREADS_CONNS")) / 4 > 0 ? atol(getenv("THREADS_CONNS")) / 4 : 1);
    setvbuf(stdout, NULL, _IOLBF, 0);
    server_ctx = SSL_CTX_new(TLS_server_method());
    client_ctx = SSL_CTX_new(TLS_client_method());
    if (server_ctx == NULL || client_ctx == NULL ||
        SSL_CTX_use_certificate_chain_file(server_ctx, path("ec.pem")) != 1 ||
        SSL_CTX_use_PrivateKey_file(server_ctx, path("ec.key"), SSL_FILETYPE_PEM) != 1 ||
        !SSL_CTX_set_session_id_context(server_ctx, (const unsigned char *)"threads", 7) ||
        !SSL_CTX_set_cipher_list(server_ctx, "ECDHE-ECDSA-AES128-GCM-SHA256") ||
        !SSL_CTX_set_ciphersuites(server_ctx, "TLS_AES_128_GCM_SHA256") ||
        !SSL_CTX_set_cipher_list(client_ctx, "ECDHE-ECDSA-AES128-GCM-SHA256") ||
        !SSL_CTX_set_ciphersuites(client_ctx, "TLS_AES_128_GCM_SHA256") ||
        SSL_CTX_load_verify_locations(client_ctx, path("root.pem"), NULL) != 1) {
        ERR_print_errors_fp(stderr);
        return 2;
    }
    SSL_CTX_set_verify(client_ctx, SSL_VERIFY_PEER, NULL);
    SSL_CTX_set_session_cache_mode(client_ctx, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL);
    SSL_CTX_sess_set_new_cb(client_ctx, new_session_cb);
    SSL_CTX_set_tlsext_servername_callback(server_ctx, servername_cb);
    conn_idx = SSL_get_ex_new_index(0, NULL, NULL, NULL, NULL);
    sctx_idx = SSL_CTX_get_ex_new_index(0, NULL, NULL, NULL, NULL);
    if (conn_idx < 0 || sctx_idx < 0 || !SSL_CTX_set_ex_data(server_ctx, sctx_idx, (void *)TOKENS[0]))
        return 2;

    pthread_t w[WORKERS], mt[MUTATORS];
    for (long m = 0; m < MUTATORS; m++)
        if (pthread_create(&mt[m], NULL, mutator, (void *)(intptr_t)m) != 0)
            return 2;
    for (long t = 0; t < WORKERS; t++)
        if (pthread_create(&w[t], NULL, worker, (void *)(intptr_t)t) != 0)
            return 2;
    struct counts sum = {0};
    for (long t = 0; t < WORKERS; t++) {
        void *r;
        pthread_join(w[t], &r);
        struct counts *c = r;
        sum.conns += c->conns;
        sum.full += c->full;
        sum.resumed += c->resumed;
        sum.not_resumed += c->not_resumed;
        sum.tls13 += c->tls13;
        sum.tls12 += c->tls12;
        sum.bytes += c->bytes;
        sum.clean_shutdowns += c->clean_shutdowns;
        sum.failed += c->failed;
        free(c);
    }
    for (long m = 0; m < MUTATORS; m++)
        pthread_join(mt[m], NULL);

    printf("threads %d x connections %ld\n", WORKERS, conns_per_thread);
    printf("connections ok: %ld\n", sum.conns);
    printf("failed: %ld\n", sum.failed);
    printf("full handshakes: %ld\n", sum.full);
    printf("resumed: %ld\n", sum.resumed);
    printf("offered a session, not resumed: %ld\n", sum.not_resumed);
    printf("TLS 1.3: %ld, TLS 1.2: %ld\n", sum.tls13, sum.tls12);
    printf("bytes echoed: %ld\n", sum.bytes);
    printf("clean shutdowns: %ld\n", sum.clean_shutdowns);
    printf("servername callback on every connection: %s\n",
           atomic_load(&servername_calls) >= sum.conns ? "yes" : "no");
    printf("ex_data read back torn or unknown: %ld\n", atomic_load(&bad_ex_data));
    printf("a session stored per connection: %s\n",
           atomic_load(&sessions_stored) >= sum.conns ? "yes" : "no");
    printf("context changes that failed: %ld\n", atomic_load(&mutator_errors));
    SSL_CTX_free(server_ctx);
    SSL_CTX_free(client_ctx);
    return sum.failed == 0 && atomic_load(&mutator_errors) == 0 ? 0 : 1;
}
