/* tlsbench: TLS benchmarks written against the libssl.so.3 ABI.
 *
 * Built once with the system OpenSSL 3 headers (`cc -O2 -o tlsbench tlsbench.c -lssl -lcrypto`),
 * the same binary runs on the system libssl or, with LD_LIBRARY_PATH=DIR, on any other
 * libssl.so.3.  Every subcommand prints one line of `key=value` results on stdout (the first key
 * is always `libssl`, the path of the libssl.so.3 the process mapped); errors go to stderr and
 * end the program with status 1.
 *
 * In-process (client and server in this thread, connected by the pipe BIO below):
 *   mem  --n N --tls 1.2|1.3 --key ec|rsa --certdir D
 *   hs   --n N --tls 1.2|1.3 --key ec|rsa --resume 0|1|2 --certdir D
 *   bulk --mb M --tls 1.2|1.3 --cipher NAME --dir c2s|s2c --certdir D
 * (--cafile F: the client's CA file instead of D/ca.pem, e.g. a system bundle plus ca.pem;
 *  --groups LIST: SSL_CTX_set1_groups_list on both sides, e.g. X25519 for a like-for-like key
 *  exchange where the shim would negotiate X25519MLKEM768.)
 * Setup cost:
 *   ctx  --n N --cafile F
 * Signing alone (libcrypto's, as a server signs a TLS 1.3 handshake):
 *   sign --n N --key ec|rsa --certdir D
 * Another program, measured (for one-shot clients; bench/oneshot.sh):
 *   spawn OUTFILE PROGRAM ARG...
 * TCP clients (for the nginx benchmarks; normally run on the system library):
 *   client hsload   --host H --port P --n N --conc C --procs K --tls 1.3 [--resume 2] [--key K] --certdir D
 *   client idle     --host H --port P --n N --tls 1.3 [--key K] --certdir D
 *   client download --host H --port P --path /big --tls 1.3 --cipher NAME --count K --certdir D
 *
 * D holds ca.pem, ec.pem/ec.key (ECDSA P-256) and rsa.pem/rsa.key (RSA 2048); the leaves are
 * for localhost and 127.0.0.1.  Clients verify the server (SSL_VERIFY_PEER, SSL_set1_host);
 * hsload and idle also check that its certificate's key is of the --key type (default ec). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <arpa/inet.h>
#include <time.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

#define RECORD 16384      /* SSL_write / SSL_read size for bulk transfers */
#define EXCHANGE 1024     /* bytes each way per connection in `mem` */
#define BULK_BATCH 8      /* records written before the receiver reads them */
#define HOSTNAME "localhost"

/* ------------------------------------------------------------------------------------------ */
/* Options and errors                                                                          */
/* ------------------------------------------------------------------------------------------ */

struct opts {
    long n;
    long conc;
    long mb;
    long count;
    long procs;
    int resume;
    int port;
    const char *tls;
    const char *key;
    const char *cipher;
    const char *dir;
    const char *host;
    const char *path;
    const char *certdir;
    const char *cafile;
    const char *groups;
};

static void die(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));

static void die(const char *fmt, ...)
{
    va_list ap;
    fputs("tlsbench: error: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    ERR_print_errors_fp(stderr);
    exit(1);
}

static long num_arg(const char *name, const char *v)
{
    char *end;
    errno = 0;
    long x = strtol(v, &end, 10);
    if (errno != 0 || *end != '\0' || x < 0)
        die("--%s wants a non-negative number, got '%s'", name, v);
    return x;
}

static void parse_opts(int argc, char **argv, struct opts *o)
{
    memset(o, 0, sizeof(*o));
    o->n = 1000;
    o->conc = 16;
    o->mb = 64;
    o->count = 1;
    o->procs = 1;
    o->tls = "1.3";
    o->key = "ec";
    o->cipher = NULL;
    o->dir = "c2s";
    o->host = "127.0.0.1";
    o->path = "/big";
    o->certdir = ".";
    for (int i = 0; i < argc; i += 2) {
        const char *name = argv[i];
        if (strncmp(name, "--", 2) != 0 || i + 1 >= argc)
            die("bad argument '%s' (options are --name value)", name);
        name += 2;
        const char *v = argv[i + 1];
        if (strcmp(name, "n") == 0)
            o->n = num_arg(name, v);
        else if (strcmp(name, "conc") == 0)
            o->conc = num_arg(name, v);
        else if (strcmp(name, "mb") == 0)
            o->mb = num_arg(name, v);
        else if (strcmp(name, "count") == 0)
            o->count = num_arg(name, v);
        else if (strcmp(name, "procs") == 0)
            o->procs = num_arg(name, v);
        else if (strcmp(name, "resume") == 0)
            o->resume = (int)num_arg(name, v);
        else if (strcmp(name, "port") == 0)
            o->port = (int)num_arg(name, v);
        else if (strcmp(name, "tls") == 0)
            o->tls = v;
        else if (strcmp(name, "key") == 0)
            o->key = v;
        else if (strcmp(name, "cipher") == 0)
            o->cipher = v;
        else if (strcmp(name, "dir") == 0)
            o->dir = v;
        else if (strcmp(name, "host") == 0)
            o->host = v;
        else if (strcmp(name, "path") == 0)
            o->path = v;
        else if (strcmp(name, "certdir") == 0)
            o->certdir = v;
        else if (strcmp(name, "cafile") == 0)
            o->cafile = v;
        else if (strcmp(name, "groups") == 0)
            o->groups = v;
        else
            die("unknown option --%s", name);
    }
    if (strcmp(o->tls, "1.2") != 0 && strcmp(o->tls, "1.3") != 0)
        die("--tls wants 1.2 or 1.3");
    if (strcmp(o->key, "ec") != 0 && strcmp(o->key, "rsa") != 0)
        die("--key wants ec or rsa");
    if (strcmp(o->dir, "c2s") != 0 && strcmp(o->dir, "s2c") != 0)
        die("--dir wants c2s or s2c");
    if (o->resume < 0 || o->resume > 2)
        die("--resume wants 0, 1 or 2");
    if (o->n < 1 || o->conc < 1 || o->count < 1 || o->procs < 1)
        die("--n, --conc, --count and --procs must be at least 1");
}

static const char *cert_file(const struct opts *o, const char *name)
{
    static char buf[4][4096];
    static int next;
    char *p = buf[next++ % 4];
    snprintf(p, sizeof(buf[0]), "%s/%s", o->certdir, name);
    return p;
}

/* ------------------------------------------------------------------------------------------ */
/* Clocks and process memory                                                                   */
/* ------------------------------------------------------------------------------------------ */

static int64_t clock_ns(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int64_t cpu_ns(void) { return clock_ns(CLOCK_THREAD_CPUTIME_ID); }
static int64_t wall_ns(void) { return clock_ns(CLOCK_MONOTONIC); }

/* A field of /proc/self/status in kB (VmRSS, VmHWM). */
static long status_kb(const char *field)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kb = -1;
    size_t len = strlen(field);
    if (f == NULL)
        die("cannot open /proc/self/status");
    while (fgets(line, sizeof(line), f) != NULL) {
        if (strncmp(line, field, len) == 0 && line[len] == ':') {
            kb = strtol(line + len + 1, NULL, 10);
            break;
        }
    }
    fclose(f);
    if (kb < 0)
        die("no %s in /proc/self/status", field);
    return kb;
}

/* Bytes the program holds from malloc: small chunks plus mmapped blocks. */
static long heap_bytes(void)
{
    struct mallinfo2 mi = mallinfo2();
    return (long)(mi.uordblks + mi.hblkhd);
}

/* Reset VmHWM to the current RSS (Linux 4.0+); harmless if it fails. */
static void reset_peak_rss(void)
{
    FILE *f = fopen("/proc/self/clear_refs", "w");
    if (f != NULL) {
        fputs("5", f);
        fclose(f);
    }
}

/* The path of the libssl.so.3 this process mapped (from /proc/self/maps). */
static const char *libssl_path(void)
{
    static char path[4096];
    char line[4608];
    FILE *f = fopen("/proc/self/maps", "r");
    if (f == NULL)
        die("cannot open /proc/self/maps");
    path[0] = '\0';
    while (fgets(line, sizeof(line), f) != NULL) {
        char *p = strchr(line, '/');
        if (p == NULL || strstr(p, "/libssl.so") == NULL)
            continue;
        p[strcspn(p, "\n")] = '\0';
        snprintf(path, sizeof(path), "%s", p);
        break;
    }
    fclose(f);
    return path[0] != '\0' ? path : "unknown";
}

/* ------------------------------------------------------------------------------------------ */
/* The pipe BIO: an in-process byte queue per direction                                        */
/* ------------------------------------------------------------------------------------------ */

/* A connection's two ends share two pipes; each end's BIO reads from one and writes to the
 * other.  A pipe frees its buffer once drained when `g_release_pipes` is set, so that idle
 * connections in `mem` hold no transport buffers and the figures measure the TLS library only. */
struct pipe {
    unsigned char *buf;
    size_t off, len, cap;
};

struct end {
    struct pipe *in, *out;
};

static int g_release_pipes;
static BIO_METHOD *g_pipe_method;

static int pipe_write(BIO *b, const char *data, int len)
{
    struct end *e = BIO_get_data(b);
    struct pipe *p = e->out;
    BIO_clear_retry_flags(b);
    if (len <= 0)
        return 0;
    size_t n = (size_t)len;
    if (p->off + p->len + n > p->cap) {
        if (p->off > 0) {
            memmove(p->buf, p->buf + p->off, p->len);
            p->off = 0;
        }
        if (p->len + n > p->cap) {
            size_t cap = p->cap ? p->cap : 4096;
            while (cap < p->len + n)
                cap *= 2;
            unsigned char *nb = realloc(p->buf, cap);
            if (nb == NULL)
                die("out of memory");
            p->buf = nb;
            p->cap = cap;
        }
    }
    memcpy(p->buf + p->off + p->len, data, n);
    p->len += n;
    return len;
}

static int pipe_read(BIO *b, char *out, int len)
{
    struct end *e = BIO_get_data(b);
    struct pipe *p = e->in;
    BIO_clear_retry_flags(b);
    if (len <= 0)
        return 0;
    if (p->len == 0) {
        BIO_set_retry_read(b);
        return -1;
    }
    size_t n = p->len < (size_t)len ? p->len : (size_t)len;
    memcpy(out, p->buf + p->off, n);
    p->off += n;
    p->len -= n;
    if (p->len == 0) {
        p->off = 0;
        if (g_release_pipes) {
            free(p->buf);
            p->buf = NULL;
            p->cap = 0;
        }
    }
    return (int)n;
}

static long pipe_ctrl(BIO *b, int cmd, long num, void *ptr)
{
    struct end *e = BIO_get_data(b);
    (void)num;
    (void)ptr;
    switch (cmd) {
    case BIO_CTRL_FLUSH:
        return 1;
    case BIO_CTRL_PENDING:
        return e != NULL ? (long)e->in->len : 0;
    case BIO_CTRL_WPENDING:
        return 0;
    default:
        return 0;
    }
}

static int pipe_create(BIO *b)
{
    BIO_set_init(b, 1);
    return 1;
}

static void pipe_init(void)
{
    g_pipe_method = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "tlsbench pipe");
    if (g_pipe_method == NULL || !BIO_meth_set_write(g_pipe_method, pipe_write) ||
        !BIO_meth_set_read(g_pipe_method, pipe_read) || !BIO_meth_set_ctrl(g_pipe_method, pipe_ctrl) ||
        !BIO_meth_set_create(g_pipe_method, pipe_create))
        die("BIO_meth_new");
}

static BIO *pipe_bio(struct end *e)
{
    BIO *b = BIO_new(g_pipe_method);
    if (b == NULL)
        die("BIO_new");
    BIO_set_data(b, e);
    return b;
}

static void pipe_free(struct pipe *p)
{
    free(p->buf);
    memset(p, 0, sizeof(*p));
}

/* ------------------------------------------------------------------------------------------ */
/* Contexts                                                                                    */
/* ------------------------------------------------------------------------------------------ */

static int tls_version(const char *tls)
{
    return strcmp(tls, "1.2") == 0 ? TLS1_2_VERSION : TLS1_3_VERSION;
}

static void set_versions(SSL_CTX *ctx, const char *tls)
{
    int v = tls_version(tls);
    if (!SSL_CTX_set_min_proto_version(ctx, v) || !SSL_CTX_set_max_proto_version(ctx, v))
        die("SSL_CTX_set_min/max_proto_version(%s)", tls);
}

/* Restrict to one cipher suite (TLS 1.3 name, or an OpenSSL cipher-list name for TLS 1.2). */
static void set_groups(SSL_CTX *ctx, const char *groups)
{
    if (groups != NULL && SSL_CTX_set1_groups_list(ctx, groups) != 1)
        die("SSL_CTX_set1_groups_list(%s)", groups);
}

static void set_cipher(SSL_CTX *ctx, const char *tls, const char *cipher)
{
    if (cipher == NULL)
        return;
    if (tls_version(tls) == TLS1_3_VERSION) {
        if (!SSL_CTX_set_ciphersuites(ctx, cipher))
            die("SSL_CTX_set_ciphersuites(%s)", cipher);
    } else if (!SSL_CTX_set_cipher_list(ctx, cipher)) {
        die("SSL_CTX_set_cipher_list(%s)", cipher);
    }
}

static SSL_CTX *server_ctx(const struct opts *o)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_method());
    if (ctx == NULL)
        die("SSL_CTX_new (server)");
    set_versions(ctx, o->tls);
    set_cipher(ctx, o->tls, o->cipher);
    set_groups(ctx, o->groups);
    const char *chain = cert_file(o, strcmp(o->key, "ec") == 0 ? "ec.pem" : "rsa.pem");
    const char *key = cert_file(o, strcmp(o->key, "ec") == 0 ? "ec.key" : "rsa.key");
    if (SSL_CTX_use_certificate_chain_file(ctx, chain) != 1)
        die("SSL_CTX_use_certificate_chain_file(%s)", chain);
    if (SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1)
        die("SSL_CTX_use_PrivateKey_file(%s)", key);
    if (SSL_CTX_check_private_key(ctx) != 1)
        die("SSL_CTX_check_private_key");
    SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
    /* Resumption, where used, is by session tickets: no server-side session store. */
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
    return ctx;
}

static SSL_CTX *client_ctx(const struct opts *o)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_method());
    if (ctx == NULL)
        die("SSL_CTX_new (client)");
    set_versions(ctx, o->tls);
    set_cipher(ctx, o->tls, o->cipher);
    set_groups(ctx, o->groups);
    const char *ca = o->cafile != NULL ? o->cafile : cert_file(o, "ca.pem");
    if (SSL_CTX_load_verify_locations(ctx, ca, NULL) != 1)
        die("SSL_CTX_load_verify_locations(%s)", ca);
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
    SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
    return ctx;
}

/* ------------------------------------------------------------------------------------------ */
/* In-process connections                                                                      */
/* ------------------------------------------------------------------------------------------ */

/* CPU time spent inside each side's libssl calls. */
struct meter {
    int64_t client_ns, server_ns;
};

struct pair {
    SSL *c, *s;
    struct pipe c2s, s2c;
    struct end ce, se;
};

static void pair_open(struct pair *p, SSL_CTX *cctx, SSL_CTX *sctx, SSL_SESSION *sess, struct meter *m)
{
    memset(p, 0, sizeof(*p));
    p->ce.in = &p->s2c;
    p->ce.out = &p->c2s;
    p->se.in = &p->c2s;
    p->se.out = &p->s2c;
    BIO *cb = pipe_bio(&p->ce);
    BIO *sb = pipe_bio(&p->se);

    int64_t t = cpu_ns();
    p->c = SSL_new(cctx);
    if (p->c == NULL)
        die("SSL_new (client)");
    SSL_set_bio(p->c, cb, cb);
    SSL_set_connect_state(p->c);
    if (!SSL_set_tlsext_host_name(p->c, HOSTNAME) || !SSL_set1_host(p->c, HOSTNAME))
        die("SSL_set_tlsext_host_name / SSL_set1_host");
    if (sess != NULL && !SSL_set_session(p->c, sess))
        die("SSL_set_session");
    int64_t t2 = cpu_ns();
    m->client_ns += t2 - t;

    p->s = SSL_new(sctx);
    if (p->s == NULL)
        die("SSL_new (server)");
    SSL_set_bio(p->s, sb, sb);
    SSL_set_accept_state(p->s);
    m->server_ns += cpu_ns() - t2;
}

/* Both sides send close_notify, as real peers do.  (OpenSSL marks the session of a connection
 * freed without it as not resumable.) */
static void pair_shutdown(struct pair *p, struct meter *m)
{
    int64_t t = cpu_ns();
    int rc = SSL_shutdown(p->c);
    int64_t t2 = cpu_ns();
    int rs = SSL_shutdown(p->s);
    m->server_ns += cpu_ns() - t2;
    m->client_ns += t2 - t;
    if (rc < 0 || rs < 0)
        die("SSL_shutdown: client %d, server %d", rc, rs);
}

static void pair_free_client(struct pair *p, struct meter *m)
{
    int64_t t = cpu_ns();
    SSL_free(p->c);
    m->client_ns += cpu_ns() - t;
    p->c = NULL;
}

static void pair_free_server(struct pair *p, struct meter *m)
{
    int64_t t = cpu_ns();
    SSL_free(p->s);
    m->server_ns += cpu_ns() - t;
    p->s = NULL;
}

static void pair_free(struct pair *p, struct meter *m)
{
    pair_free_client(p, m);
    pair_free_server(p, m);
    pipe_free(&p->c2s);
    pipe_free(&p->s2c);
}

/* One SSL_do_handshake step of one side: 1 when that side is done, 0 when it waits for the
 * peer; anything else is fatal. */
static int hs_step(SSL *ssl, const char *side, int64_t *ns)
{
    int64_t t = cpu_ns();
    int r = SSL_do_handshake(ssl);
    *ns += cpu_ns() - t;
    if (r == 1)
        return 1;
    int err = SSL_get_error(ssl, r);
    if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE)
        return 0;
    die("%s handshake failed: SSL_do_handshake=%d SSL_get_error=%d verify=%ld", side, r, err,
        SSL_get_verify_result(ssl));
}

/* Read (and expect) nothing: lets the client process post-handshake messages such as TLS 1.3
 * session tickets. */
static void client_drain(struct pair *p, struct meter *m)
{
    char buf[256];
    while (p->s2c.len > 0) {
        int64_t t = cpu_ns();
        int r = SSL_read(p->c, buf, sizeof(buf));
        m->client_ns += cpu_ns() - t;
        if (r > 0)
            die("client got %d bytes of unexpected application data", r);
        int err = SSL_get_error(p->c, r);
        if (err != SSL_ERROR_WANT_READ)
            die("client SSL_read after the handshake: %d (SSL_get_error %d)", r, err);
    }
}

/* Both sides' handshakes to completion, then the client reads what the server sent after its
 * Finished (tickets).  Checks the certificate verification result. */
static void handshake(struct pair *p, struct meter *m)
{
    int cdone = 0, sdone = 0;
    for (int round = 0; !(cdone && sdone); round++) {
        if (round > 50)
            die("handshake stalled (client %s, server %s)", cdone ? "done" : "waiting",
                sdone ? "done" : "waiting");
        if (!cdone)
            cdone = hs_step(p->c, "client", &m->client_ns);
        if (!sdone)
            sdone = hs_step(p->s, "server", &m->server_ns);
    }
    client_drain(p, m);
    long v = SSL_get_verify_result(p->c);
    if (v != X509_V_OK)
        die("client verification result %ld (%s)", v, X509_verify_cert_error_string(v));
}

/* Write all of buf (the pipe never pushes back). */
static void write_all(SSL *ssl, const char *side, const unsigned char *buf, int len, int64_t *ns)
{
    int64_t t = cpu_ns();
    int r = SSL_write(ssl, buf, len);
    *ns += cpu_ns() - t;
    if (r != len)
        die("%s SSL_write(%d) = %d (SSL_get_error %d)", side, len, r, SSL_get_error(ssl, r));
}

/* Read until `want` bytes came or the pipe ran dry; returns the bytes read. */
static long read_some(SSL *ssl, const char *side, unsigned char *buf, int cap, long want, int64_t *ns)
{
    long got = 0;
    int64_t t = cpu_ns();
    while (got < want) {
        int r = SSL_read(ssl, buf, cap);
        if (r > 0) {
            got += r;
            continue;
        }
        int err = SSL_get_error(ssl, r);
        if (err == SSL_ERROR_WANT_READ)
            break;
        die("%s SSL_read = %d (SSL_get_error %d)", side, r, err);
    }
    *ns += cpu_ns() - t;
    return got;
}

/* EXCHANGE bytes client -> server, then EXCHANGE bytes server -> client. */
static void exchange(struct pair *p, struct meter *m)
{
    unsigned char out[EXCHANGE], in[EXCHANGE];
    memset(out, 'x', sizeof(out));
    write_all(p->c, "client", out, EXCHANGE, &m->client_ns);
    if (read_some(p->s, "server", in, EXCHANGE, EXCHANGE, &m->server_ns) != EXCHANGE)
        die("server did not receive %d bytes", EXCHANGE);
    write_all(p->s, "server", out, EXCHANGE, &m->server_ns);
    if (read_some(p->c, "client", in, EXCHANGE, EXCHANGE, &m->client_ns) != EXCHANGE)
        die("client did not receive %d bytes", EXCHANGE);
    if (memcmp(in, out, EXCHANGE) != 0)
        die("exchanged data differs");
}

/* ------------------------------------------------------------------------------------------ */
/* mem                                                                                         */
/* ------------------------------------------------------------------------------------------ */

static int cmd_mem(const struct opts *o)
{
    struct meter m = {0, 0};
    g_release_pipes = 1;
    SSL_CTX *sctx = server_ctx(o);
    SSL_CTX *cctx = client_ctx(o);
    struct pair *pairs = calloc((size_t)o->n, sizeof(*pairs));
    if (pairs == NULL)
        die("out of memory");

    /* Warm-up: one complete connection, so lazily built state (the contexts' configs, the
     * libraries' tables) is in the baseline. */
    struct pair warm;
    pair_open(&warm, cctx, sctx, NULL, &m);
    handshake(&warm, &m);
    exchange(&warm, &m);
    pair_free(&warm, &m);

    long rss_base = status_kb("VmRSS");
    long heap_base = heap_bytes();
    reset_peak_rss();

    for (long i = 0; i < o->n; i++) {
        pair_open(&pairs[i], cctx, sctx, NULL, &m);
        handshake(&pairs[i], &m);
    }
    for (long i = 0; i < o->n; i++)
        exchange(&pairs[i], &m);
    long heap_pairs = heap_bytes();
    long hwm = status_kb("VmHWM");

    for (long i = 0; i < o->n; i++)
        pair_free_client(&pairs[i], &m);
    long heap_servers = heap_bytes();

    for (long i = 0; i < o->n; i++)
        pair_free(&pairs[i], &m);
    long heap_after = heap_bytes();

    printf("libssl=%s n=%ld rss_base_kb=%ld heap_base=%ld peak_rss_per_pair=%ld heap_per_pair=%ld "
           "heap_per_server=%ld heap_left_per_pair=%ld\n",
           libssl_path(), o->n, rss_base, heap_base, (hwm - rss_base) * 1024 / o->n,
           (heap_pairs - heap_base) / o->n, (heap_servers - heap_base) / o->n,
           (heap_after - heap_base) / o->n);
    free(pairs);
    SSL_CTX_free(cctx);
    SSL_CTX_free(sctx);
    return 0;
}

/* ------------------------------------------------------------------------------------------ */
/* hs                                                                                          */
/* ------------------------------------------------------------------------------------------ */

/* --resume 0: every handshake is a full one (and must not be a resumption).
 * --resume 1: every handshake resumes the one session the client got from a full handshake
 *             before the loop (with TLS 1.3, the same ticket every time, which OpenSSL allows).
 * --resume 2: every handshake resumes the newest session the client got, from the previous
 *             connection (TLS 1.3: a fresh ticket each time, as RFC 8446 recommends).
 * A handshake that should resume and does not, on either side, is a failure. */

static int cmd_hs(const struct opts *o)
{
    struct meter m = {0, 0};
    SSL_CTX *sctx = server_ctx(o);
    SSL_CTX *cctx = client_ctx(o);
    SSL_SESSION *sess = NULL;
    struct pair p;

    /* Warm-up, and the session to resume from. */
    for (int i = 0; i < 5; i++) {
        pair_open(&p, cctx, sctx, NULL, &m);
        handshake(&p, &m);
        if (i == 4 && o->resume) {
            sess = SSL_get1_session(p.c);
            if (sess == NULL)
                die("SSL_get1_session returned NULL after a full handshake");
        }
        pair_shutdown(&p, &m);
        pair_free(&p, &m);
    }

    m.client_ns = m.server_ns = 0;
    int64_t w0 = wall_ns();
    for (long i = 0; i < o->n; i++) {
        pair_open(&p, cctx, sctx, sess, &m);
        handshake(&p, &m);
        int creused = SSL_session_reused(p.c), sreused = SSL_session_reused(p.s);
        if (o->resume && (!creused || !sreused))
            die("handshake %ld: session not resumed (client reused=%d, server reused=%d)", i, creused,
                sreused);
        if (!o->resume && (creused || sreused))
            die("handshake %ld: a full handshake was a resumption", i);
        if (o->resume == 2) {
            int64_t t = cpu_ns();
            SSL_SESSION_free(sess);
            sess = SSL_get1_session(p.c);
            m.client_ns += cpu_ns() - t;
            if (sess == NULL)
                die("handshake %ld: SSL_get1_session returned NULL", i);
        }
        pair_shutdown(&p, &m);
        pair_free(&p, &m);
    }
    double wall = (double)(wall_ns() - w0) / 1e9;

    printf("libssl=%s n=%ld hs_per_s=%.1f client_us_per_hs=%.2f server_us_per_hs=%.2f\n", libssl_path(),
           o->n, (double)o->n / wall, (double)m.client_ns / 1e3 / (double)o->n,
           (double)m.server_ns / 1e3 / (double)o->n);
    SSL_SESSION_free(sess);
    SSL_CTX_free(cctx);
    SSL_CTX_free(sctx);
    return 0;
}

/* ------------------------------------------------------------------------------------------ */
/* ctx: the cost of the first context with a CA file, and of each one after it                */
/* ------------------------------------------------------------------------------------------ */

/* SSL_CTX_new + SSL_CTX_load_verify_locations(F): the first one in the process (which also
 * initialises the library), then N more, each freed.  RSS is taken at the start of main (the
 * libraries are mapped and their constructors have run) and after the first context. */
/* OpenSSL's libcrypto signing alone, as a TLS 1.3 server signs (RSA-PSS-SHA256 for an RSA key,
 * ECDSA-SHA256 for a P-256 key): N signatures of a 130-byte message, wall time per signature.
 * The shim's counterpart is rustls-libssl/examples/sign_speed.rs (aws-lc). */
static int cmd_sign(const struct opts *o)
{
    const char *path = cert_file(o, strcmp(o->key, "ec") == 0 ? "ec.key" : "rsa.key");
    FILE *f = fopen(path, "r");
    EVP_PKEY *key = f != NULL ? PEM_read_PrivateKey(f, NULL, NULL, NULL) : NULL;
    if (f != NULL)
        fclose(f);
    if (key == NULL)
        die("reading %s", path);
    int rsa = EVP_PKEY_get_base_id(key) == EVP_PKEY_RSA;
    unsigned char msg[130], sig[512];
    memset(msg, 0x20, sizeof(msg));
    int64_t t0 = 0;
    long warm = o->n < 20 ? o->n : 20;
    for (long i = -warm; i < o->n; i++) {
        if (i == 0)
            t0 = wall_ns();
        EVP_MD_CTX *md = EVP_MD_CTX_new();
        EVP_PKEY_CTX *pctx = NULL;
        size_t len = sizeof(sig);
        if (md == NULL || EVP_DigestSignInit(md, &pctx, EVP_sha256(), NULL, key) != 1)
            die("EVP_DigestSignInit");
        if (rsa && (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
                    EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) != 1))
            die("RSA-PSS parameters");
        if (EVP_DigestSign(md, sig, &len, msg, sizeof(msg)) != 1)
            die("EVP_DigestSign");
        EVP_MD_CTX_free(md);
    }
    printf("libssl=%s n=%ld us_per_sign=%.2f\n", libssl_path(), o->n, (double)(wall_ns() - t0) / 1e3 / (double)o->n);
    EVP_PKEY_free(key);
    return 0;
}

static int cmd_ctx(const struct opts *o)
{
    if (o->cafile == NULL)
        die("ctx wants --cafile");
    long rss_start = status_kb("VmRSS");
    int64_t w0 = wall_ns(), c0 = cpu_ns();
    SSL_CTX *first = SSL_CTX_new(TLS_method());
    if (first == NULL || SSL_CTX_load_verify_locations(first, o->cafile, NULL) != 1)
        die("SSL_CTX_new + SSL_CTX_load_verify_locations(%s)", o->cafile);
    int64_t first_wall = wall_ns() - w0, first_cpu = cpu_ns() - c0;
    long rss_first = status_kb("VmRSS");

    c0 = cpu_ns();
    for (long i = 0; i < o->n; i++) {
        SSL_CTX *ctx = SSL_CTX_new(TLS_method());
        if (ctx == NULL || SSL_CTX_load_verify_locations(ctx, o->cafile, NULL) != 1)
            die("SSL_CTX_new + SSL_CTX_load_verify_locations(%s)", o->cafile);
        SSL_CTX_free(ctx);
    }
    int64_t next_cpu = cpu_ns() - c0;
    printf("libssl=%s n=%ld rss_start_kb=%ld rss_first_kb=%ld rss_added_kb=%ld first_wall_ms=%.3f "
           "first_cpu_ms=%.3f next_cpu_ms=%.3f\n",
           libssl_path(), o->n, rss_start, rss_first, rss_first - rss_start, (double)first_wall / 1e6,
           (double)first_cpu / 1e6, (double)next_cpu / 1e6 / (double)o->n);
    SSL_CTX_free(first);
    return 0;
}

/* ------------------------------------------------------------------------------------------ */
/* spawn: one run of another program                                                           */
/* ------------------------------------------------------------------------------------------ */

/* Runs argv[0] with argv (stdin /dev/null, stdout to `out`) and prints its wall time, CPU time
 * (user + system) and peak RSS (ru_maxrss).  The program is started with fork() from this small
 * process, not from a large one: the kernel carries the forking process's peak RSS into the
 * child's ru_maxrss across exec. */
static int cmd_spawn(const char *out, char **argv)
{
    int64_t w0 = wall_ns();
    pid_t pid = fork();
    if (pid < 0)
        die("fork: %s", strerror(errno));
    if (pid == 0) {
        int in = open("/dev/null", O_RDONLY);
        int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (in < 0 || fd < 0 || dup2(in, 0) < 0 || dup2(fd, 1) < 0)
            _exit(126);
        execv(argv[0], argv);
        _exit(127);
    }
    int status;
    struct rusage ru;
    if (wait4(pid, &status, 0, &ru) != pid)
        die("wait4: %s", strerror(errno));
    int64_t wall = wall_ns() - w0;
    double cpu_ms = (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 +
                    (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    printf("libssl=%s status=%d wall_ms=%.3f cpu_ms=%.3f rss_kb=%ld\n", libssl_path(), code,
           (double)wall / 1e6, cpu_ms, ru.ru_maxrss);
    return 0;
}

/* ------------------------------------------------------------------------------------------ */
/* bulk                                                                                        */
/* ------------------------------------------------------------------------------------------ */

static int cmd_bulk(const struct opts *o)
{
    struct meter m = {0, 0};
    SSL_CTX *sctx = server_ctx(o);
    SSL_CTX *cctx = client_ctx(o);
    struct pair p;
    static unsigned char out[RECORD], in[RECORD];
    for (size_t i = 0; i < sizeof(out); i++)
        out[i] = (unsigned char)(i * 7 + 1);

    pair_open(&p, cctx, sctx, NULL, &m);
    handshake(&p, &m);
    const char *got_cipher = SSL_CIPHER_get_name(SSL_get_current_cipher(p.c));
    if (o->cipher != NULL && (got_cipher == NULL || strcmp(got_cipher, o->cipher) != 0))
        die("negotiated cipher %s, wanted %s", got_cipher ? got_cipher : "(none)", o->cipher);

    int c2s = strcmp(o->dir, "c2s") == 0;
    SSL *tx = c2s ? p.c : p.s, *rx = c2s ? p.s : p.c;
    int64_t tx_ns = 0, rx_ns = 0;
    long total = o->mb * 1024 * 1024, sent = 0, received = 0;

    int64_t w0 = wall_ns();
    while (sent < total) {
        for (int k = 0; k < BULK_BATCH && sent < total; k++) {
            int len = total - sent < RECORD ? (int)(total - sent) : RECORD;
            write_all(tx, "sender", out, len, &tx_ns);
            sent += len;
        }
        received += read_some(rx, "receiver", in, RECORD, total - received, &rx_ns);
    }
    double wall = (double)(wall_ns() - w0) / 1e9;
    if (received != total)
        die("received %ld of %ld bytes", received, total);
    if (memcmp(in, out, 64) != 0)
        die("received data differs");

    /* GB = 1e9 bytes, so CPU seconds per GB equal CPU nanoseconds per byte. */
    printf("libssl=%s cipher=%s bytes=%ld mb_per_s=%.1f sender_cpu_s_per_gb=%.3f receiver_cpu_s_per_gb=%.3f\n",
           libssl_path(), got_cipher, total, (double)total / 1e6 / wall, (double)tx_ns / (double)total,
           (double)rx_ns / (double)total);
    pair_shutdown(&p, &m);
    pair_free(&p, &m);
    SSL_CTX_free(cctx);
    SSL_CTX_free(sctx);
    return 0;
}

/* ------------------------------------------------------------------------------------------ */
/* TCP clients                                                                                 */
/* ------------------------------------------------------------------------------------------ */

enum cstate { C_FREE, C_CONNECTING, C_HANDSHAKE, C_SEND, C_RECV, C_IDLE };

struct conn {
    enum cstate state;
    int fd;
    SSL *ssl;
    size_t sent;
    char head[1024]; /* the start of the response */
    size_t head_len;
    long total;      /* response bytes read */
    long want;       /* header + Content-Length once known, else -1 */
};

static const char *g_request;
static int g_keepalive;  /* idle: stop at the end of the response and keep the connection */
static int g_peer_key;   /* the server certificate's key type (--key): EVP_PKEY_EC or _RSA */
static long g_fail_shown;

static void raise_nofile(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
}

static struct sockaddr_in server_addr(const struct opts *o)
{
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)o->port);
    if (inet_pton(AF_INET, o->host, &sa.sin_addr) != 1)
        die("--host wants an IPv4 address, got '%s'", o->host);
    if (o->port <= 0 || o->port > 65535)
        die("--port missing or out of range");
    return sa;
}

/* The total response length once the header is complete (header + Content-Length), else -1. */
static long response_length(const char *head, size_t len)
{
    const char *end = memmem(head, len, "\r\n\r\n", 4);
    if (end == NULL)
        return -1;
    const char *cl = strcasestr(head, "\r\nContent-Length:");
    if (cl == NULL || cl > end)
        return -2;
    return (long)(end + 4 - head) + strtol(cl + 17, NULL, 10);
}

static void conn_close(struct conn *c)
{
    if (c->ssl != NULL)
        SSL_free(c->ssl);
    if (c->fd >= 0)
        close(c->fd);
    c->ssl = NULL;
    c->fd = -1;
    c->state = C_FREE;
}

static int conn_failed(struct conn *c, const char *what, int r)
{
    if (g_fail_shown++ < 5) {
        int err = c->ssl != NULL ? SSL_get_error(c->ssl, r) : 0;
        fprintf(stderr, "tlsbench: connection failed: %s (ret %d, SSL_get_error %d, errno %s)\n", what, r,
                err, strerror(errno));
        ERR_print_errors_fp(stderr);
    }
    ERR_clear_error();
    conn_close(c);
    return -1;
}

/* Start a non-blocking connect. */
static int conn_start(struct conn *c, const struct sockaddr_in *sa)
{
    memset(c, 0, sizeof(*c));
    c->want = -1;
    c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (c->fd < 0)
        return conn_failed(c, "socket", -1);
    int one = 1;
    setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    c->state = C_CONNECTING;
    if (connect(c->fd, (const struct sockaddr *)sa, sizeof(*sa)) != 0 && errno != EINPROGRESS)
        return conn_failed(c, "connect", -1);
    return 0;
}

/* The poll events a connection waits for after an SSL call returned r. */
static int want_events(struct conn *c, int r, short *events, const char *what)
{
    int err = SSL_get_error(c->ssl, r);
    if (err == SSL_ERROR_WANT_READ)
        *events = POLLIN;
    else if (err == SSL_ERROR_WANT_WRITE)
        *events = POLLOUT;
    else
        return conn_failed(c, what, r);
    return 0;
}

/* The session of a finished connection, to resume from next: the newest one, from the last
 * TLS 1.3 ticket read (the client reads to the end of the response, so the server's tickets,
 * sent after its Finished, have arrived).  Replaces *sess; 0 if there is no resumable one.
 * The connection ended cleanly (the whole response, then the server's close): it is marked
 * shut down without writing to the closed socket, else SSL_free would take it for a broken
 * one and make its session not resumable. */
static int keep_session(struct conn *c, SSL_SESSION **sess)
{
    SSL_set_shutdown(c->ssl, SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
    SSL_SESSION *s = SSL_get1_session(c->ssl);
    if (s == NULL || !SSL_SESSION_is_resumable(s)) {
        SSL_SESSION_free(s);
        return 0;
    }
    SSL_SESSION_free(*sess);
    *sess = s;
    return 1;
}

/* Advance one connection.  With `sess` (resuming clients), the connection resumes *sess if it
 * is set (and must: SSL_session_reused), else makes a full handshake; at its end *sess becomes
 * its newest session.  Without `sess`, every handshake must be a full one.  Returns 1 when it
 * finished (closed after a full response, or idle with a full response), 0 when it waits
 * (events set), -1 on failure (closed). */
static int conn_step(struct conn *c, SSL_CTX *ctx, SSL_SESSION **sess, short *events)
{
    int r;
    int resume = sess != NULL && *sess != NULL;
    switch (c->state) {
    case C_CONNECTING: {
        int soerr = 0;
        socklen_t sl = sizeof(soerr);
        if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) != 0 || soerr != 0) {
            errno = soerr;
            return conn_failed(c, "connect", -1);
        }
        c->ssl = SSL_new(ctx);
        if (c->ssl == NULL || !SSL_set_fd(c->ssl, c->fd) || !SSL_set_tlsext_host_name(c->ssl, HOSTNAME) ||
            !SSL_set1_host(c->ssl, HOSTNAME))
            return conn_failed(c, "SSL_new/SSL_set_fd", 0);
        if (resume && !SSL_set_session(c->ssl, *sess))
            return conn_failed(c, "SSL_set_session", 0);
        SSL_set_connect_state(c->ssl);
        c->state = C_HANDSHAKE;
    }
    /* fall through */
    case C_HANDSHAKE:
        r = SSL_do_handshake(c->ssl);
        if (r != 1)
            return want_events(c, r, events, "handshake");
        if (SSL_get_verify_result(c->ssl) != X509_V_OK)
            return conn_failed(c, "certificate verification", r);
        if (SSL_get0_peer_certificate(c->ssl) == NULL ||
            EVP_PKEY_get_base_id(X509_get0_pubkey(SSL_get0_peer_certificate(c->ssl))) != g_peer_key)
            return conn_failed(c, "the server's certificate is not of the --key type", r);
        if (resume && !SSL_session_reused(c->ssl))
            return conn_failed(c, "session not resumed", r);
        if (!resume && SSL_session_reused(c->ssl))
            return conn_failed(c, "a full handshake was a resumption", r);
        c->state = C_SEND;
    /* fall through */
    case C_SEND:
        while (c->sent < strlen(g_request)) {
            r = SSL_write(c->ssl, g_request + c->sent, (int)(strlen(g_request) - c->sent));
            if (r <= 0)
                return want_events(c, r, events, "SSL_write");
            c->sent += (size_t)r;
        }
        c->state = C_RECV;
    /* fall through */
    case C_RECV:
        for (;;) {
            char buf[RECORD];
            r = SSL_read(c->ssl, buf, sizeof(buf));
            if (r > 0) {
                if (c->head_len < sizeof(c->head) - 1) {
                    size_t n = (size_t)r < sizeof(c->head) - 1 - c->head_len ? (size_t)r
                                                                              : sizeof(c->head) - 1 - c->head_len;
                    memcpy(c->head + c->head_len, buf, n);
                    c->head_len += n;
                    c->head[c->head_len] = '\0';
                }
                c->total += r;
                if (c->want < 0)
                    c->want = response_length(c->head, c->head_len);
                if (c->want == -2)
                    return conn_failed(c, "response without Content-Length", r);
                if (c->want >= 0 && c->total > c->want)
                    return conn_failed(c, "response longer than its Content-Length", r);
                if (g_keepalive && c->want >= 0 && c->total == c->want)
                    break;
                continue;
            }
            int err = SSL_get_error(c->ssl, r);
            if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) {
                *events = err == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT;
                return 0;
            }
            if (err == SSL_ERROR_ZERO_RETURN || (err == SSL_ERROR_SYSCALL && ERR_peek_error() == 0))
                break; /* end of stream */
            return conn_failed(c, "SSL_read", r);
        }
        if (strncmp(c->head, "HTTP/1.1 200 ", 13) != 0)
            return conn_failed(c, "status is not 200", 0);
        if (c->want < 0 || c->total != c->want)
            return conn_failed(c, "incomplete response", 0);
        if (sess != NULL && !keep_session(c, sess))
            return conn_failed(c, "no resumable session after the response", 0);
        if (g_keepalive) {
            c->state = C_IDLE;
            *events = 0;
            return 1;
        }
        conn_close(c);
        return 1;
    case C_FREE:
    case C_IDLE:
        break;
    }
    return 0;
}

static SSL_CTX *tcp_client_ctx(const struct opts *o)
{
    SSL_CTX *ctx = client_ctx(o);
    /* Without --resume, never resume: no ticket is asked for and no session is ever set.  With
     * it, sessions are kept by the caller (SSL_get1_session), not in the context's cache. */
    SSL_CTX_set_options(ctx, SSL_OP_IGNORE_UNEXPECTED_EOF | (o->resume ? 0 : SSL_OP_NO_TICKET));
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
    return ctx;
}

/* Run N connections through conn_step with at most `conc` in progress at a time.  With
 * `keep` the finished connections are returned in *kept (idle, still open).  With `sess` (an
 * array of `conc` sessions), slot i's connections resume sess[i], each the session of the one
 * before it in that slot (a NULL entry: a full handshake). */
static void run_conns(const struct opts *o, SSL_CTX *ctx, long conc, long *ok, long *failed, struct conn **kept,
                      SSL_SESSION **sess)
{
    struct sockaddr_in sa = server_addr(o);
    struct conn *slots = calloc((size_t)conc, sizeof(*slots));
    struct pollfd *pfd = calloc((size_t)conc, sizeof(*pfd));
    struct conn *keep = g_keepalive ? calloc((size_t)o->n, sizeof(*keep)) : NULL;
    long started = 0, done = 0;
    if (slots == NULL || pfd == NULL || (g_keepalive && keep == NULL))
        die("out of memory");
    *ok = *failed = 0;
    for (long i = 0; i < conc; i++) {
        slots[i].state = C_FREE;
        slots[i].fd = -1;
    }
    while (done < o->n) {
        for (long i = 0; i < conc; i++) {
            while (slots[i].state == C_FREE && started < o->n) {
                started++;
                if (conn_start(&slots[i], &sa) == 0) {
                    pfd[i].events = POLLOUT;
                } else {
                    (*failed)++;
                    done++;
                }
            }
            pfd[i].fd = slots[i].state == C_FREE ? -1 : slots[i].fd;
            pfd[i].revents = 0;
        }
        if (done >= o->n)
            break;
        int r = poll(pfd, (nfds_t)conc, 15000);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            die("poll: %s", strerror(errno));
        if (r == 0)
            die("no progress for 15 s (%ld of %ld connections done)", done, o->n);
        for (long i = 0; i < conc; i++) {
            if (pfd[i].fd < 0 || pfd[i].revents == 0)
                continue;
            int s = conn_step(&slots[i], ctx, sess != NULL ? &sess[i] : NULL, &pfd[i].events);
            if (s == 0)
                continue;
            done++;
            if (s < 0) {
                (*failed)++;
                continue;
            }
            if (g_keepalive) {
                keep[*ok] = slots[i];
                slots[i].state = C_FREE;
                slots[i].ssl = NULL;
                slots[i].fd = -1;
            }
            (*ok)++;
        }
    }
    free(slots);
    free(pfd);
    if (kept != NULL)
        *kept = keep;
    else
        free(keep);
}

/* Block until stdin is at its end (a FIFO closed by the caller; at once with /dev/null). */
static void wait_stdin_eof(void)
{
    char buf[256];
    while (read(0, buf, sizeof(buf)) > 0)
        ;
}

/* hsload: with --procs K, K processes share N and C (a client handshake costs more CPU than a
 * server one: one process cannot keep a server busy).
 * --resume 2: every one of the N handshakes resumes the newest session of the connection
 * before it in the same slot (a ticket is used once, as RFC 8446 recommends); one full
 * handshake per slot, before the N, gets the first sessions.
 * Before the N handshakes the client prints `ready sessions=S` (S: the sessions it got) and
 * waits for the end of stdin, so that a caller can measure the server from there. */
static int client_hsload(const struct opts *o)
{
    static char req[] = "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    SSL_CTX *ctx = tcp_client_ctx(o);
    long ok = 0, failed = 0;
    long per_proc = o->conc / o->procs > 0 ? o->conc / o->procs : 1;
    SSL_SESSION **sess = NULL;
    int fds[2];
    g_request = req;
    g_keepalive = 0;
    if (o->resume == 1)
        die("client hsload resumes with --resume 2 (the newest ticket) only");
    if (o->resume) {
        struct opts prime = *o;
        prime.n = per_proc * o->procs;
        sess = calloc((size_t)prime.n, sizeof(*sess));
        if (sess == NULL)
            die("out of memory");
        run_conns(&prime, ctx, prime.n, &ok, &failed, NULL, sess);
        if (failed != 0)
            die("%ld of the %ld full handshakes before resuming failed", failed, prime.n);
        ok = 0;
    }
    printf("ready sessions=%ld\n", sess != NULL ? per_proc * o->procs : 0L);
    fflush(stdout);
    wait_stdin_eof();
    if (pipe(fds) != 0)
        die("pipe: %s", strerror(errno));
    int64_t w0 = wall_ns();
    for (long k = 0; k < o->procs; k++) {
        pid_t pid = fork();
        if (pid < 0)
            die("fork: %s", strerror(errno));
        if (pid > 0)
            continue;
        struct opts mine = *o;
        long res[2] = {0, 0};
        mine.n = o->n / o->procs + (k < o->n % o->procs ? 1 : 0);
        mine.conc = per_proc;
        close(fds[0]);
        if (mine.n > 0)
            run_conns(&mine, ctx, mine.conc, &res[0], &res[1], NULL, sess != NULL ? sess + k * per_proc : NULL);
        if (write(fds[1], res, sizeof(res)) != (ssize_t)sizeof(res))
            _exit(1);
        _exit(0);
    }
    close(fds[1]);
    for (long k = 0; k < o->procs; k++) {
        long res[2];
        if (read(fds[0], res, sizeof(res)) != (ssize_t)sizeof(res))
            die("a load process died");
        ok += res[0];
        failed += res[1];
    }
    for (long k = 0; k < o->procs; k++) {
        int status;
        if (wait(&status) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
            die("a load process failed");
    }
    double wall = (double)(wall_ns() - w0) / 1e9;
    printf("libssl=%s count=%ld failures=%ld hs_per_s=%.1f\n", libssl_path(), ok, failed, (double)ok / wall);
    for (long i = 0; sess != NULL && i < per_proc * o->procs; i++)
        SSL_SESSION_free(sess[i]);
    free(sess);
    SSL_CTX_free(ctx);
    return failed == 0 ? 0 : 1;
}

static int client_idle(const struct opts *o)
{
    static char req[] = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
    SSL_CTX *ctx = tcp_client_ctx(o);
    struct conn *kept = NULL;
    long ok, failed;
    g_request = req;
    g_keepalive = 1;
    run_conns(o, ctx, o->conc < 64 ? o->conc : 64, &ok, &failed, &kept, NULL);
    printf("ready libssl=%s count=%ld failures=%ld\n", libssl_path(), ok, failed);
    fflush(stdout);
    wait_stdin_eof();
    for (long i = 0; i < ok; i++) {
        SSL_shutdown(kept[i].ssl);
        conn_close(&kept[i]);
    }
    free(kept);
    SSL_CTX_free(ctx);
    return failed == 0 ? 0 : 1;
}

/* Blocking I/O with a 30 s timeout on every socket call. */
static SSL *blocking_connect(const struct opts *o, SSL_CTX *ctx)
{
    struct sockaddr_in sa = server_addr(o);
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct timeval tv = {30, 0};
    if (fd < 0)
        die("socket: %s", strerror(errno));
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
    if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0)
        die("connect to %s:%d: %s", o->host, o->port, strerror(errno));
    SSL *ssl = SSL_new(ctx);
    if (ssl == NULL || !SSL_set_fd(ssl, fd) || !SSL_set_tlsext_host_name(ssl, HOSTNAME) ||
        !SSL_set1_host(ssl, HOSTNAME))
        die("SSL_new/SSL_set_fd");
    int r = SSL_connect(ssl);
    if (r != 1)
        die("handshake failed: %d (SSL_get_error %d, verify %ld)", r, SSL_get_error(ssl, r),
            SSL_get_verify_result(ssl));
    return ssl;
}

static int client_download(const struct opts *o)
{
    SSL_CTX *ctx = tcp_client_ctx(o);
    SSL *ssl = blocking_connect(o, ctx);
    const char *cipher = SSL_CIPHER_get_name(SSL_get_current_cipher(ssl));
    if (o->cipher != NULL && strcmp(cipher, o->cipher) != 0)
        die("negotiated cipher %s, wanted %s", cipher, o->cipher);
    char req[1024];
    snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: x\r\n\r\n", o->path);
    static char buf[RECORD];
    long body_total = 0;
    int64_t w0 = wall_ns();
    for (long k = 0; k < o->count; k++) {
        if (SSL_write(ssl, req, (int)strlen(req)) != (int)strlen(req))
            die("SSL_write of the request failed");
        char head[4096];
        size_t head_len = 0;
        long want = -1, got = 0;
        while (want < 0 || got < want) {
            int r = SSL_read(ssl, buf, sizeof(buf));
            if (r <= 0)
                die("SSL_read: %d (SSL_get_error %d) after %ld bytes of response %ld", r, SSL_get_error(ssl, r),
                    got, k + 1);
            if (want < 0) {
                size_t n = (size_t)r < sizeof(head) - 1 - head_len ? (size_t)r : sizeof(head) - 1 - head_len;
                memcpy(head + head_len, buf, n);
                head_len += n;
                head[head_len] = '\0';
                want = response_length(head, head_len);
                if (want == -2)
                    die("response without Content-Length");
                if (want < 0 && head_len == sizeof(head) - 1)
                    die("response header too long");
                if (want >= 0 && strncmp(head, "HTTP/1.1 200 ", 13) != 0)
                    die("status is not 200: %.40s", head);
            }
            got += r;
        }
        if (got != want)
            die("response longer than its Content-Length");
        const char *body = memmem(head, head_len, "\r\n\r\n", 4);
        body_total += want - (long)(body + 4 - head);
    }
    double wall = (double)(wall_ns() - w0) / 1e9;
    printf("libssl=%s cipher=%s bytes=%ld mb_per_s=%.1f\n", libssl_path(), cipher, body_total,
           (double)body_total / 1e6 / wall);
    SSL_shutdown(ssl);
    int fd = SSL_get_fd(ssl);
    SSL_free(ssl);
    close(fd);
    SSL_CTX_free(ctx);
    return 0;
}

static int cmd_client(int argc, char **argv)
{
    struct opts o;
    if (argc < 1)
        die("client wants a mode: hsload, idle or download");
    parse_opts(argc - 1, argv + 1, &o);
    raise_nofile();
    g_peer_key = strcmp(o.key, "ec") == 0 ? EVP_PKEY_EC : EVP_PKEY_RSA;
    if (strcmp(argv[0], "hsload") == 0)
        return client_hsload(&o);
    if (strcmp(argv[0], "idle") == 0)
        return client_idle(&o);
    if (strcmp(argv[0], "download") == 0)
        return client_download(&o);
    die("unknown client mode '%s'", argv[0]);
}

int main(int argc, char **argv)
{
    struct opts o;
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc < 2) {
        fprintf(stderr, "usage: tlsbench mem|hs|bulk|ctx|sign|client MODE|info [--name value]...|spawn OUT PROG ARG...\n");
        return 2;
    }
    pipe_init();
    if (strcmp(argv[1], "spawn") == 0) {
        if (argc < 4)
            die("usage: tlsbench spawn OUTFILE PROGRAM [ARG...]");
        return cmd_spawn(argv[2], argv + 3);
    }
    if (strcmp(argv[1], "client") == 0)
        return cmd_client(argc - 2, argv + 2);
    parse_opts(argc - 2, argv + 2, &o);
    if (strcmp(argv[1], "mem") == 0)
        return cmd_mem(&o);
    if (strcmp(argv[1], "hs") == 0)
        return cmd_hs(&o);
    if (strcmp(argv[1], "bulk") == 0)
        return cmd_bulk(&o);
    if (strcmp(argv[1], "sign") == 0)
        return cmd_sign(&o);
    if (strcmp(argv[1], "ctx") == 0)
        return cmd_ctx(&o);
    if (strcmp(argv[1], "info") == 0) {
        /* libcrypto's version string (the libssl under test uses the same libcrypto), with
         * spaces as underscores to keep the line key=value. */
        char version[256];
        snprintf(version, sizeof(version), "%s", OpenSSL_version(OPENSSL_VERSION));
        for (char *c = version; *c != '\0'; c++)
            if (*c == ' ')
                *c = '_';
        printf("libssl=%s version=%s\n", libssl_path(), version);
        return 0;
    }
    die("unknown subcommand '%s'", argv[1]);
}
