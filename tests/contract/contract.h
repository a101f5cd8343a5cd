/* Shared by the export-contract programs in tests/contract/: one line of output per call,
 * run in groups that each live in a forked child, and an in-memory client/server pair.
 *
 * Every line a program prints is `GROUP.CASE: VALUES | err: QUEUE`, where GROUP.CASE is
 * unique in the program (run.sh checks), VALUES are the return value and the output
 * parameters of one call (pointers only as NULL/ptr/same/other, strings quoted), and QUEUE
 * is the error queue drained right after the call as `lib/reason "reason string"` items
 * (never file, line, function or data: those legitimately differ). The system libssl's
 * output is the expectation; run.sh compares the shim's output with it line by line.
 *
 * A group runs in a child process, so a crash or a hang in one group (reported as
 * `GROUP.~status: ...`) does not hide the results of the others. After the group the child
 * reports errors left on the queue by unreported calls (`GROUP.~leftover`) and, under
 * LeakSanitizer, whether anything leaked (`GROUP.~leaks`).
 *
 * run.sh passes the test PKI (tests/curl/gen-certs.sh) as CONTRACT_CERTS and a scratch
 * directory as CONTRACT_TMP. */
#ifndef CONTRACT_H
#define CONTRACT_H

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#if defined(__has_include)
#if __has_include(<sanitizer/lsan_interface.h>) && defined(__SANITIZE_ADDRESS__)
#include <sanitizer/lsan_interface.h>
#define CONTRACT_LSAN 1
#endif
#endif

#define UNUSED __attribute__((unused))

/* ---- output -------------------------------------------------------------------------- */

static const char *current_group = "?";

/* Formats into one of a ring of static buffers, so that several helpers can be used as
 * arguments of one report(). */
static UNUSED __attribute__((format(printf, 1, 2))) const char *fmt(const char *f, ...)
{
    static char ring[16][8192];
    static int next;
    char *buf = ring[next++ % 16];
    va_list ap;
    va_start(ap, f);
    vsnprintf(buf, sizeof(ring[0]), f, ap);
    va_end(ap);
    return buf;
}

/* Drains the error queue onto stdout as ` | err: lib/reason "string" ...`. */
static UNUSED void print_errors(void)
{
    unsigned long e;
    const char *file, *func, *data;
    int line, flags, n = 0;

    fputs(" | err:", stdout);
    while ((e = ERR_get_error_all(&file, &line, &func, &data, &flags)) != 0) {
        const char *reason = ERR_reason_error_string(e);
        printf(" %d/%d \"%s\"", ERR_GET_LIB(e), ERR_GET_REASON(e), reason ? reason : "?");
        n++;
    }
    if (n == 0)
        fputs(" none", stdout);
}

/* report("CASE", "ret=%d", f(x)): the values of one call, then the error queue it left. */
static UNUSED __attribute__((format(printf, 2, 3))) void report(const char *name, const char *f, ...)
{
    va_list ap;
    printf("%s.%s: ", current_group, name);
    va_start(ap, f);
    vprintf(f, ap);
    va_end(ap);
    print_errors();
    putchar('\n');
}

/* REPORT_OUT("CASE", long, f(x, &out), "%ld, out %s", P(out)): for calls with output
 * parameters. The call runs first (its value is passed as the format's first argument),
 * then the other arguments are evaluated, so they see what the call wrote. */
#define REPORT_OUT(name, type, call, f, ...)                                                 \
    do {                                                                                     \
        type ret_ = (call);                                                                  \
        report(name, f, ret_, __VA_ARGS__);                                                  \
    } while (0)

/* REPORT_WITH: like REPORT_OUT, but the arguments name the call's value themselves as ret_
 * (for values that are printed through a helper, e.g. SAME(ret_, buf)). */
#define REPORT_WITH(name, type, call, f, ...)                                                \
    do {                                                                                     \
        type ret_ = (call);                                                                  \
        report(name, f, __VA_ARGS__);                                                        \
    } while (0)

/* A line with no call behind it (a fact the group observed, e.g. how often a callback ran);
 * the error queue is left alone. */
static UNUSED __attribute__((format(printf, 2, 3))) void note(const char *name, const char *f, ...)
{
    va_list ap;
    printf("%s.%s: ", current_group, name);
    va_start(ap, f);
    vprintf(f, ap);
    va_end(ap);
    putchar('\n');
}

/* Unwritten-output detection: output pointers start as SENT, output integers as -7777. */
static char sentinel_object;
#define SENT ((void *)&sentinel_object)
#define SENT_INT (-7777)

static UNUSED const char *P(const void *p)
{
    return p == NULL ? "NULL" : p == SENT ? "unwritten" : "ptr";
}

/* Pointer identity against the object the caller expects back. */
static UNUSED const char *SAME(const void *got, const void *want)
{
    return got == NULL ? "NULL" : got == SENT ? "unwritten" : got == want ? "same" : "other";
}

typedef void (*any_fn)(void);
#define FN(got, want) fn_same((any_fn)(got), (any_fn)(want))
static UNUSED const char *fn_same(any_fn got, any_fn want)
{
    return got == NULL ? "NULL" : got == want ? "same" : "other";
}

static UNUSED const char *STR(const char *s)
{
    if (s == NULL)
        return "NULL";
    if (s == (const char *)SENT)
        return "unwritten";
    return fmt("\"%s\"", s);
}

static UNUSED const char *HEX(const unsigned char *p, size_t n)
{
    static char ring[8][2048];
    static int next;
    char *buf = ring[next++ % 8];
    size_t i;

    if (p == NULL)
        return "NULL";
    if (p == SENT)
        return "unwritten";
    for (i = 0; i < n && i < 1000; i++)
        sprintf(buf + 2 * i, "%02X", p[i]);
    buf[2 * i] = '\0';
    return buf;
}

/* For values random by nature: length, and whether all bytes are zero. */
static UNUSED const char *RANDOM(const unsigned char *p, size_t n)
{
    size_t i, zero = 1;
    if (p == NULL)
        return "NULL";
    for (i = 0; i < n; i++)
        zero &= p[i] == 0;
    return fmt("%zu bytes%s", n, n == 0 ? "" : zero ? " all zero" : " not all zero");
}

static UNUSED const char *NAME(const X509_NAME *n)
{
    if ((const void *)n == SENT)
        return "unwritten";
    char buf[512];
    if (n == NULL)
        return "NULL";
    X509_NAME_oneline(n, buf, sizeof(buf));
    return fmt("%s", buf);
}

static UNUSED const char *CERT(const X509 *x)
{
    if ((const void *)x == SENT)
        return "unwritten";
    if (x == NULL)
        return "NULL";
    return NAME(X509_get_subject_name(x));
}

static UNUSED const char *PKEY(const EVP_PKEY *k)
{
    if ((const void *)k == SENT)
        return "unwritten";
    if (k == NULL)
        return "NULL";
    return fmt("%s-%d", OBJ_nid2sn(EVP_PKEY_get_base_id(k)), EVP_PKEY_get_bits(k));
}

static UNUSED const char *NAMES(const STACK_OF(X509_NAME) *sk)
{
    if ((const void *)sk == SENT)
        return "unwritten";
    char buf[4096] = "";
    if (sk == NULL)
        return "NULL";
    for (int i = 0; i < sk_X509_NAME_num(sk); i++) {
        strncat(buf, i ? ", " : "", sizeof(buf) - strlen(buf) - 1);
        strncat(buf, NAME(sk_X509_NAME_value(sk, i)), sizeof(buf) - strlen(buf) - 1);
    }
    return fmt("%d [%s]", sk_X509_NAME_num(sk), buf);
}

static UNUSED const char *CHAIN(const STACK_OF(X509) *sk)
{
    if ((const void *)sk == SENT)
        return "unwritten";
    char buf[4096] = "";
    if (sk == NULL)
        return "NULL";
    for (int i = 0; i < sk_X509_num(sk); i++) {
        strncat(buf, i ? ", " : "", sizeof(buf) - strlen(buf) - 1);
        strncat(buf, CERT(sk_X509_value(sk, i)), sizeof(buf) - strlen(buf) - 1);
    }
    return fmt("%d [%s]", sk_X509_num(sk), buf);
}

static UNUSED const char *CIPHERS(const STACK_OF(SSL_CIPHER) *sk)
{
    if ((const void *)sk == SENT)
        return "unwritten";
    char buf[8000] = "";
    if (sk == NULL)
        return "NULL";
    for (int i = 0; i < sk_SSL_CIPHER_num(sk); i++) {
        const SSL_CIPHER *c = sk_SSL_CIPHER_value(sk, i);
        strncat(buf, i ? ":" : "", sizeof(buf) - strlen(buf) - 1);
        strncat(buf, c ? SSL_CIPHER_get_name(c) : "NULL", sizeof(buf) - strlen(buf) - 1);
    }
    return fmt("%d [%s]", sk_SSL_CIPHER_num(sk), buf);
}

static UNUSED const char *CIPHER(const SSL_CIPHER *c)
{
    return c == NULL ? "NULL" : STR(SSL_CIPHER_get_name(c));
}

/* ---- groups -------------------------------------------------------------------------- */

struct group {
    const char *name;
    void (*run)(void);
    const void *arg; /* for groups that share a function: read it as group_arg */
};

static const void *group_arg;

/* Runs each group in a forked child (10 s alarm) and reports how the child ended:
 * `GROUP.~status: ok`, or the signal / sanitizer exit status. Returns 0. */
static UNUSED int run_groups(const struct group *groups, size_t n)
{
    const char *only = getenv("CONTRACT_GROUP");
    setvbuf(stdout, NULL, _IOLBF, 0);
#ifndef CONTRACT_NO_INIT
    /* As programs start: the library and its error strings loaded before the first call. */
    OPENSSL_init_ssl(OPENSSL_INIT_LOAD_SSL_STRINGS | OPENSSL_INIT_LOAD_CRYPTO_STRINGS, NULL);
#endif
    for (size_t i = 0; i < n; i++) {
        const struct group *g = &groups[i];
        int status;
        pid_t pid;

        if (only != NULL && *only != '\0' && strcmp(only, g->name) != 0)
            continue;
        fflush(stdout);
        fflush(stderr);
        pid = fork();
        if (pid < 0) {
            perror("fork");
            return 2;
        }
        if (pid == 0) {
            current_group = g->name;
            group_arg = g->arg;
            signal(SIGPIPE, SIG_IGN); /* as servers do: a closed peer is an error, not a signal */
            fprintf(stderr, "=== group %s\n", g->name);
            alarm(10);
            ERR_clear_error();
            g->run();
            report("~leftover", "errors left by unreported calls");
#ifdef CONTRACT_LSAN
            note("~leaks", "%s", __lsan_do_recoverable_leak_check() ? "found (see stderr)" : "none");
#endif
            fflush(stdout);
            fflush(stderr);
            _exit(0);
        }
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
            ;
        current_group = g->name;
        if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
            note("~status", "ok");
        else if (WIFSIGNALED(status))
            note("~status", "CRASH signal %d (%s)", WTERMSIG(status),
                 WTERMSIG(status) == SIGALRM ? "timeout" : strsignal(WTERMSIG(status)));
        else
            note("~status", "CRASH exit status %d (%s)", WEXITSTATUS(status),
                 WEXITSTATUS(status) == 99   ? "AddressSanitizer"
                 : WEXITSTATUS(status) == 98 ? "UndefinedBehaviorSanitizer"
                 : WEXITSTATUS(status) == 3  ? "fixture failed"
                                             : "?");
    }
    /* The parent only forked: leave without the exit-time leak check, which would count
     * what libssl's and libcrypto's own cleanup at exit lets go (each group's child checks
     * for leaks itself, before it exits). */
    fflush(stdout);
    _exit(0);
}

#define GROUPS(...)                                                                          \
    int main(void)                                                                           \
    {                                                                                        \
        static const struct group groups[] = {__VA_ARGS__};                                  \
        return run_groups(groups, sizeof(groups) / sizeof(groups[0]));                       \
    }

/* ---- fixtures ------------------------------------------------------------------------ */

/* Aborts the group (reported as CRASH exit status 3) when a fixture cannot be built. */
static UNUSED void fixture_failed(const char *what)
{
    printf("%s.~fixture: %s failed", current_group, what);
    print_errors();
    putchar('\n');
    fflush(stdout);
    _exit(3);
}

/* Path of a file of the test PKI (static buffer ring). */
static UNUSED const char *pki(const char *file)
{
    const char *dir = getenv("CONTRACT_CERTS");
    if (dir == NULL || *dir == '\0') {
        fprintf(stderr, "CONTRACT_CERTS is not set (run through tests/contract/run.sh)\n");
        exit(2);
    }
    return fmt("%s/%s", dir, file);
}

/* Path in the scratch directory. */
static UNUSED const char *scratch(const char *file)
{
    const char *dir = getenv("CONTRACT_TMP");
    return fmt("%s/%s.%d", dir != NULL && *dir != '\0' ? dir : "/tmp", file, (int)getpid());
}

static UNUSED X509 *load_cert(const char *file)
{
    BIO *b = BIO_new_file(pki(file), "r");
    X509 *x = b ? PEM_read_bio_X509(b, NULL, NULL, NULL) : NULL;
    BIO_free(b);
    if (x == NULL)
        fixture_failed(file);
    return x;
}

static UNUSED EVP_PKEY *load_key(const char *file)
{
    BIO *b = BIO_new_file(pki(file), "r");
    EVP_PKEY *k = b ? PEM_read_bio_PrivateKey(b, NULL, NULL, NULL) : NULL;
    BIO_free(b);
    if (k == NULL)
        fixture_failed(file);
    return k;
}

/* The whole content of a PKI file (caller frees), its length in *len. */
static UNUSED unsigned char *read_pki_file(const char *file, long *len)
{
    FILE *f = fopen(pki(file), "rb");
    unsigned char *buf;
    if (f == NULL)
        fixture_failed(file);
    fseek(f, 0, SEEK_END);
    *len = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = malloc((size_t)*len + 1);
    if (buf == NULL || fread(buf, 1, (size_t)*len, f) != (size_t)*len)
        fixture_failed(file);
    buf[*len] = 0;
    fclose(f);
    return buf;
}

/* DER of a PEM certificate or key file (caller frees with OPENSSL_free). */
static UNUSED unsigned char *cert_der(const char *file, int *len)
{
    X509 *x = load_cert(file);
    unsigned char *der = NULL;
    *len = i2d_X509(x, &der);
    X509_free(x);
    return der;
}

static UNUSED unsigned char *key_der(const char *file, int *len)
{
    EVP_PKEY *k = load_key(file);
    unsigned char *der = NULL;
    *len = i2d_PrivateKey(k, &der);
    EVP_PKEY_free(k);
    return der;
}

/* A server context with the RSA chain of localhost (root -> inter -> server), trusting the
 * root for client certificates. Nothing is reported. */
static UNUSED SSL_CTX *server_ctx(void)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
    if (ctx == NULL || SSL_CTX_use_certificate_chain_file(ctx, pki("server-chain.pem")) != 1
        || SSL_CTX_use_PrivateKey_file(ctx, pki("server.key"), SSL_FILETYPE_PEM) != 1
        || SSL_CTX_load_verify_locations(ctx, pki("root.pem"), NULL) != 1)
        fixture_failed("server_ctx");
    SSL_CTX_set_session_id_context(ctx, (const unsigned char *)"contract", 8);
    return ctx;
}

/* A client context trusting the root, verifying the server, for exactly `version`
 * (0: any). */
static UNUSED SSL_CTX *client_ctx(int version)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    if (ctx == NULL || SSL_CTX_load_verify_locations(ctx, pki("root.pem"), NULL) != 1)
        fixture_failed("client_ctx");
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
    if (version != 0
        && (SSL_CTX_set_min_proto_version(ctx, version) != 1
            || SSL_CTX_set_max_proto_version(ctx, version) != 1))
        fixture_failed("client_ctx version");
    return ctx;
}

/* Gives the client context the client certificate and key. */
static UNUSED void client_ctx_cert(SSL_CTX *ctx)
{
    if (SSL_CTX_use_certificate_file(ctx, pki("client.pem"), SSL_FILETYPE_PEM) != 1
        || SSL_CTX_use_PrivateKey_file(ctx, pki("client.key"), SSL_FILETYPE_PEM) != 1)
        fixture_failed("client certificate");
}

struct pair {
    SSL_CTX *cctx, *sctx;
    SSL *c, *s;
    const char *failed;
};

/* Two connections of the given contexts over a fresh BIO pair, client with SNI and host
 * name "localhost". The pair holds a reference to each context. */
static UNUSED void pair_connect(struct pair *p)
{
    BIO *cb, *sb;
    if (BIO_new_bio_pair(&cb, 0, &sb, 0) != 1)
        fixture_failed("BIO pair");
    p->c = SSL_new(p->cctx);
    p->s = SSL_new(p->sctx);
    if (p->c == NULL || p->s == NULL)
        fixture_failed("SSL_new");
    SSL_set_bio(p->c, cb, cb);
    SSL_set_bio(p->s, sb, sb);
    SSL_set_connect_state(p->c);
    SSL_set_accept_state(p->s);
    if (SSL_set_tlsext_host_name(p->c, "localhost") != 1 || SSL_set1_host(p->c, "localhost") != 1)
        fixture_failed("client host name");
}

/* Contexts (server_ctx, client_ctx(version)) and connections, not yet handshaken. */
static UNUSED void pair_new(struct pair *p, int version)
{
    p->sctx = server_ctx();
    p->cctx = client_ctx(version);
    pair_connect(p);
}

/* Drives both handshakes until both are done or one fails; 1 when both are done. A side
 * that fails stops the pump at once, so the error queue holds that side's errors (each
 * OpenSSL handshake step starts by clearing the queue) for the caller to report; p->failed
 * names the side ("client", "server", or "stalled" when neither can go on). */
static UNUSED int pair_handshake(struct pair *p)
{
    int c_done = 0, s_done = 0;
    p->failed = NULL;
    for (int round = 0; round < 50 && !(c_done && s_done); round++) {
        if (!c_done) {
            int r = SSL_do_handshake(p->c);
            if (r == 1)
                c_done = 1;
            else if (SSL_get_error(p->c, r) != SSL_ERROR_WANT_READ) {
                p->failed = "client";
                return 0;
            }
        }
        if (!s_done) {
            int r = SSL_do_handshake(p->s);
            if (r == 1)
                s_done = 1;
            else if (SSL_get_error(p->s, r) != SSL_ERROR_WANT_READ) {
                p->failed = "server";
                return 0;
            }
        }
    }
    if (!(c_done && s_done))
        p->failed = "stalled";
    return c_done && s_done;
}

/* "1" or "0 (client failed)" for reports of handshakes that may fail. */
static UNUSED const char *HS(struct pair *p, int ok)
{
    return ok ? "1" : fmt("0 (%s failed)", p->failed ? p->failed : "?");
}

/* pair_handshake, reported as one case; returns its result. */
static UNUSED int report_handshake(const char *name, struct pair *p)
{
    int ok = pair_handshake(p);
    report(name, "%s", HS(p, ok));
    return ok;
}

/* One byte each way, so that the client has read what the server sent after its handshake
 * (TLS 1.3 session tickets). 1 on success. */
static UNUSED int pair_exchange(struct pair *p)
{
    char b;
    return SSL_write(p->s, "s", 1) == 1 && SSL_read(p->c, &b, 1) == 1 && SSL_write(p->c, "c", 1) == 1
        && SSL_read(p->s, &b, 1) == 1;
}

/* pair_new + handshake + exchange; the group is aborted if any of it fails. */
static UNUSED void pair_up(struct pair *p, int version)
{
    pair_new(p, version);
    if (!pair_handshake(p))
        fixture_failed("handshake");
    if (!pair_exchange(p))
        fixture_failed("exchange");
}

/* Both sides close the connection cleanly, so that their sessions stay resumable. */
static UNUSED void pair_shutdown(struct pair *p)
{
    char b;
    SSL_shutdown(p->c);
    SSL_shutdown(p->s);
    SSL_read(p->c, &b, 1);
    SSL_shutdown(p->c);
    ERR_clear_error();
}

static UNUSED void pair_free(struct pair *p)
{
    SSL_free(p->c);
    SSL_free(p->s);
    SSL_CTX_free(p->cctx);
    SSL_CTX_free(p->sctx);
    memset(p, 0, sizeof(*p));
}

/* Callbacks that count their calls, for "a callback that never fires is stored" and
 * "the callback fired" cases. */
static int info_calls, msg_calls, keylog_calls;
static UNUSED void count_info_cb(const SSL *s, int where, int ret)
{
    (void)s, (void)where, (void)ret;
    info_calls++;
}
static UNUSED void count_msg_cb(int write_p, int version, int content_type, const void *buf,
                                size_t len, SSL *ssl, void *arg)
{
    (void)write_p, (void)version, (void)content_type, (void)buf, (void)len, (void)ssl, (void)arg;
    msg_calls++;
}
static UNUSED void count_keylog_cb(const SSL *s, const char *line)
{
    (void)s, (void)line;
    keylog_calls++;
}

#endif
