/* Export contract: SSL_SESSION: a session built by hand (every setter, then its getter,
 * printing, encoding), the sessions of TLS 1.2 and TLS 1.3 handshakes on both sides,
 * resumption, the session cache and its callbacks, session tickets and their callbacks. */
#include <time.h>

#include <openssl/core_names.h>

#include "contract.h"

/* The lines of a BIO's content, one report each (KEY.N), then its line count. */
static void report_bio_lines(const char *key, BIO *b)
{
    char line[1024], k[128];
    int n = 0;
    while (BIO_gets(b, line, sizeof(line)) > 0) {
        line[strcspn(line, "\r\n")] = 0;
        snprintf(k, sizeof(k), "%s.line%02d", key, n++);
        note(k, "%s", line);
    }
    snprintf(k, sizeof(k), "%s.lines", key);
    note(k, "%d", n);
}

static void crafted(void)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_method());
    SSL *ssl = SSL_new(ctx);
    SSL_SESSION *s = SSL_SESSION_new(), *dup, *dec;
    unsigned char id[32], sidctx[40], mk[48], out[64], *der = NULL;
    const unsigned char *p, *alpn = SENT, *tick = SENT;
    unsigned int len = SENT_INT;
    size_t slen = (size_t)SENT_INT;
    void *appdata = SENT;
    int idx = SSL_SESSION_get_ex_new_index(0, NULL, NULL, NULL, NULL), n;
    static int exdata;
    static const unsigned char tls13_aes128[2] = {0x13, 0x01};
    BIO *b;

    for (int i = 0; i < 32; i++)
        id[i] = (unsigned char)(0xA0 + i);
    memset(sidctx, 0x5C, sizeof(sidctx));
    for (int i = 0; i < 48; i++)
        mk[i] = (unsigned char)i;

    report("SSL_SESSION_new", "%s", P(s));
    /* A new session, before anything is set. */
    REPORT_WITH("SSL_SESSION_get_id.new", const unsigned char *, SSL_SESSION_get_id(s, &len), "%s, len %u", P(ret_), len);
    len = SENT_INT;
    REPORT_WITH("SSL_SESSION_get0_id_context.new", const unsigned char *, SSL_SESSION_get0_id_context(s, &len), "%s, len %u", P(ret_), len);
    report("SSL_SESSION_get_master_key.new", "%zu", SSL_SESSION_get_master_key(s, NULL, 0));
    report("SSL_SESSION_get0_cipher.new", "%s", CIPHER(SSL_SESSION_get0_cipher(s)));
    report("SSL_SESSION_get0_hostname.new", "%s", STR(SSL_SESSION_get0_hostname(s)));
    report("SSL_SESSION_get0_peer.new", "%s", CERT(SSL_SESSION_get0_peer(s)));
    report("SSL_SESSION_get_protocol_version.new", "%#x", (unsigned)SSL_SESSION_get_protocol_version(s));
    report("SSL_SESSION_get_timeout.new", "%ld", SSL_SESSION_get_timeout(s));
    report("SSL_SESSION_get_time.new", "%s", SSL_SESSION_get_time(s) > 0 ? "> 0" : "0");
    report("SSL_SESSION_has_ticket.new", "%d", SSL_SESSION_has_ticket(s));
    report("SSL_SESSION_get_ticket_lifetime_hint.new", "%lu", SSL_SESSION_get_ticket_lifetime_hint(s));
    SSL_SESSION_get0_ticket(s, &tick, &slen);
    report("SSL_SESSION_get0_ticket.new", "%s, len %zu", P(tick), slen);
    alpn = SENT;
    slen = (size_t)SENT_INT;
    SSL_SESSION_get0_alpn_selected(s, &alpn, &slen);
    report("SSL_SESSION_get0_alpn_selected.new", "%s, len %zu", P(alpn), slen);
    report("SSL_SESSION_get_max_early_data.new", "%u", SSL_SESSION_get_max_early_data(s));
    report("SSL_SESSION_get_max_fragment_length.new", "%u", SSL_SESSION_get_max_fragment_length(s));
    report("SSL_SESSION_get_compress_id.new", "%u", SSL_SESSION_get_compress_id(s));
    report("SSL_SESSION_is_resumable.new", "%d", SSL_SESSION_is_resumable(s));
    slen = (size_t)SENT_INT;
    REPORT_OUT("SSL_SESSION_get0_ticket_appdata.new", int, SSL_SESSION_get0_ticket_appdata(s, &appdata, &slen), "%d, %s, len %zu", P(appdata), slen);
    report("SSL_SESSION_get_ex_data.new", "%s", P(SSL_SESSION_get_ex_data(s, idx)));

    /* Every setter, then its getter. */
    report("SSL_SESSION_set1_id", "%d", SSL_SESSION_set1_id(s, id, sizeof(id)));
    report("SSL_SESSION_set1_id.too_long", "%d", SSL_SESSION_set1_id(s, sidctx, 33));
    len = SENT_INT;
    REPORT_WITH("SSL_SESSION_get_id", const unsigned char *, SSL_SESSION_get_id(s, &len), "%s", HEX(ret_, len));
    report("SSL_SESSION_set1_id_context", "%d", SSL_SESSION_set1_id_context(s, sidctx, 32));
    report("SSL_SESSION_set1_id_context.too_long", "%d", SSL_SESSION_set1_id_context(s, sidctx, 33));
    len = SENT_INT;
    REPORT_WITH("SSL_SESSION_get0_id_context", const unsigned char *, SSL_SESSION_get0_id_context(s, &len), "%s", HEX(ret_, len));
    report("SSL_SESSION_set1_master_key", "%d", SSL_SESSION_set1_master_key(s, mk, sizeof(mk)));
    report("SSL_SESSION_set1_master_key.too_long", "%d", SSL_SESSION_set1_master_key(s, out, 1000));
    memset(out, 0, sizeof(out));
    REPORT_OUT("SSL_SESSION_get_master_key", size_t, SSL_SESSION_get_master_key(s, out, sizeof(out)), "%zu, %s", HEX(out, 48));
    report("SSL_SESSION_get_master_key.short", "%zu", SSL_SESSION_get_master_key(s, out, 10));
    report("SSL_SESSION_set_cipher", "%d", SSL_SESSION_set_cipher(s, SSL_CIPHER_find(ssl, tls13_aes128)));
    report("SSL_SESSION_get0_cipher", "%s", CIPHER(SSL_SESSION_get0_cipher(s)));
    report("SSL_SESSION_set_protocol_version", "%d", SSL_SESSION_set_protocol_version(s, TLS1_3_VERSION));
    report("SSL_SESSION_get_protocol_version", "%#x", (unsigned)SSL_SESSION_get_protocol_version(s));
    report("SSL_SESSION_set1_hostname", "%d", SSL_SESSION_set1_hostname(s, "session.example"));
    report("SSL_SESSION_get0_hostname", "%s", STR(SSL_SESSION_get0_hostname(s)));
    report("SSL_SESSION_set1_alpn_selected", "%d", SSL_SESSION_set1_alpn_selected(s, (const unsigned char *)"h2", 2));
    alpn = SENT;
    slen = (size_t)SENT_INT;
    SSL_SESSION_get0_alpn_selected(s, &alpn, &slen);
    report("SSL_SESSION_get0_alpn_selected", "%s, len %zu", alpn == SENT || alpn == NULL ? P(alpn) : fmt("\"%.*s\"", (int)slen, alpn), slen);
    report("SSL_SESSION_set_time", "%ld", SSL_SESSION_set_time(s, 1000000));
    report("SSL_SESSION_get_time", "%ld", SSL_SESSION_get_time(s));
    report("SSL_SESSION_set_timeout", "%ld", SSL_SESSION_set_timeout(s, 600));
    report("SSL_SESSION_set_timeout.negative", "%ld", SSL_SESSION_set_timeout(s, -1));
    report("SSL_SESSION_get_timeout", "%ld", SSL_SESSION_get_timeout(s));
    report("SSL_SESSION_set_max_early_data", "%d", SSL_SESSION_set_max_early_data(s, 4096));
    report("SSL_SESSION_get_max_early_data", "%u", SSL_SESSION_get_max_early_data(s));
    report("SSL_SESSION_set1_ticket_appdata", "%d", SSL_SESSION_set1_ticket_appdata(s, "appdata", 7));
    appdata = SENT;
    slen = (size_t)SENT_INT;
    REPORT_OUT("SSL_SESSION_get0_ticket_appdata", int, SSL_SESSION_get0_ticket_appdata(s, &appdata, &slen), "%d, %s",
               appdata == SENT || appdata == NULL ? P(appdata) : fmt("\"%.*s\"", (int)slen, (char *)appdata));
    report("SSL_SESSION_set_ex_data", "%d", SSL_SESSION_set_ex_data(s, idx, &exdata));
    report("SSL_SESSION_get_ex_data", "%s", SAME(SSL_SESSION_get_ex_data(s, idx), &exdata));
    report("SSL_SESSION_is_resumable", "%d", SSL_SESSION_is_resumable(s));

    /* Printing: everything in the session is fixed, so the text is too. */
    b = BIO_new(BIO_s_mem());
    report("SSL_SESSION_print", "%d", SSL_SESSION_print(b, s));
    report_bio_lines("SSL_SESSION_print", b);
    BIO_free(b);
    b = BIO_new(BIO_s_mem());
    report("SSL_SESSION_print_keylog", "%d", SSL_SESSION_print_keylog(b, s));
    report_bio_lines("SSL_SESSION_print_keylog", b);
    BIO_free(b);
    {
        const char *path = scratch("session.txt");
        FILE *f = fopen(path, "w+");
        if (f == NULL)
            fixture_failed("scratch file");
        report("SSL_SESSION_print_fp", "%d", SSL_SESSION_print_fp(f, s));
        report("SSL_SESSION_print_fp.bytes", "%ld", ftell(f));
        fclose(f);
        remove(path);
    }

    /* Duplication and encoding keep every field. */
    dup = SSL_SESSION_dup(s);
    report("SSL_SESSION_dup", "%s", P(dup));
    if (dup != NULL) {
        len = SENT_INT;
        REPORT_WITH("SSL_SESSION_dup.id", const unsigned char *, SSL_SESSION_get_id(dup, &len), "%s", HEX(ret_, len));
        report("SSL_SESSION_dup.hostname", "%s", STR(SSL_SESSION_get0_hostname(dup)));
        report("SSL_SESSION_dup.cipher", "%s", CIPHER(SSL_SESSION_get0_cipher(dup)));
        report("SSL_SESSION_dup.time", "%ld", SSL_SESSION_get_time(dup));
        report("SSL_SESSION_dup.ex_data", "%s", P(SSL_SESSION_get_ex_data(dup, idx)));
    }
    SSL_SESSION_free(dup);
    n = i2d_SSL_SESSION(s, NULL);
    report("i2d_SSL_SESSION.length", "%d", n);
    {
        unsigned char *buf = OPENSSL_malloc((size_t)(n > 0 ? n : 1)), *q = buf;
        REPORT_OUT("i2d_SSL_SESSION", int, i2d_SSL_SESSION(s, &q), "%d, advanced %d", (int)(q - buf));
        der = buf;
    }
    p = der;
    dec = d2i_SSL_SESSION(NULL, &p, n);
    report("d2i_SSL_SESSION", "%s, consumed %d", P(dec), (int)(p - der));
    if (dec != NULL) {
        len = SENT_INT;
        REPORT_WITH("d2i_SSL_SESSION.id", const unsigned char *, SSL_SESSION_get_id(dec, &len), "%s", HEX(ret_, len));
        len = SENT_INT;
        REPORT_WITH("d2i_SSL_SESSION.id_context", const unsigned char *, SSL_SESSION_get0_id_context(dec, &len), "%s", HEX(ret_, len));
        report("d2i_SSL_SESSION.hostname", "%s", STR(SSL_SESSION_get0_hostname(dec)));
        report("d2i_SSL_SESSION.cipher", "%s", CIPHER(SSL_SESSION_get0_cipher(dec)));
        report("d2i_SSL_SESSION.version", "%#x", (unsigned)SSL_SESSION_get_protocol_version(dec));
        report("d2i_SSL_SESSION.time", "%ld", SSL_SESSION_get_time(dec));
        report("d2i_SSL_SESSION.timeout", "%ld", SSL_SESSION_get_timeout(dec));
        report("d2i_SSL_SESSION.max_early_data", "%u", SSL_SESSION_get_max_early_data(dec));
        appdata = SENT;
        slen = (size_t)SENT_INT;
        REPORT_OUT("d2i_SSL_SESSION.ticket_appdata", int, SSL_SESSION_get0_ticket_appdata(dec, &appdata, &slen), "%d, len %zu", slen);
        report("d2i_SSL_SESSION.master_key", "%zu", SSL_SESSION_get_master_key(dec, NULL, 0));
        {
            unsigned char *again = NULL;
            int m = i2d_SSL_SESSION(dec, &again);
            report("i2d_SSL_SESSION.roundtrip_equal", "%d", m == n && memcmp(again, der, (size_t)n) == 0);
            OPENSSL_free(again);
        }
    }
    SSL_SESSION_free(dec);
    {
        /* A buffer longer than the session (nginx keeps sessions in shared memory slots
         * sized for the largest one seen): only the session is read. */
        unsigned char *longer = OPENSSL_zalloc((size_t)n + 64);
        memcpy(longer, der, (size_t)n);
        memset(longer + n, 0xA5, 64);
        p = longer;
        dec = d2i_SSL_SESSION(NULL, &p, n + 64);
        report("d2i_SSL_SESSION.longer_buffer", "%s, consumed %d", P(dec), (int)(p - longer));
        SSL_SESSION_free(dec);
        OPENSSL_free(longer);
    }
    p = der;
    dec = d2i_SSL_SESSION(NULL, &p, n / 2);
    report("d2i_SSL_SESSION.truncated", "%s", P(dec));
    SSL_SESSION_free(dec);
    p = (const unsigned char *)"garbage";
    report("d2i_SSL_SESSION.garbage", "%s", P(dec = d2i_SSL_SESSION(NULL, &p, 7)));
    SSL_SESSION_free(dec);
    OPENSSL_free(der);

    /* PEM, through a BIO and through a FILE. */
    b = BIO_new(BIO_s_mem());
    report("PEM_write_bio_SSL_SESSION", "%d", PEM_write_bio_SSL_SESSION(b, s));
    dec = PEM_read_bio_SSL_SESSION(b, NULL, NULL, NULL);
    report("PEM_read_bio_SSL_SESSION", "%s, hostname %s", P(dec), dec ? STR(SSL_SESSION_get0_hostname(dec)) : "-");
    SSL_SESSION_free(dec);
    report("PEM_read_bio_SSL_SESSION.empty", "%s", P(dec = PEM_read_bio_SSL_SESSION(b, NULL, NULL, NULL)));
    SSL_SESSION_free(dec);
    BIO_free(b);
    {
        const char *path = scratch("session.pem");
        FILE *f = fopen(path, "w+");
        if (f == NULL)
            fixture_failed("scratch file");
        report("PEM_write_SSL_SESSION", "%d", PEM_write_SSL_SESSION(f, s));
        rewind(f);
        dec = PEM_read_SSL_SESSION(f, NULL, NULL, NULL);
        report("PEM_read_SSL_SESSION", "%s, hostname %s", P(dec), dec ? STR(SSL_SESSION_get0_hostname(dec)) : "-");
        SSL_SESSION_free(dec);
        fclose(f);
        remove(path);
    }

    report("SSL_SESSION_up_ref", "%d", SSL_SESSION_up_ref(s));
    SSL_SESSION_free(s);
    report("SSL_SESSION_free.one_of_two_refs", "void");
    report("SSL_SESSION_get_timeout.still_alive", "%ld", SSL_SESSION_get_timeout(s));
    SSL_SESSION_free(s);
    SSL_SESSION_free(NULL);
    report("SSL_SESSION_free.null", "void");
    SSL_free(ssl);
    SSL_CTX_free(ctx);
}

/* The fields of a session a handshake made, as a program logs them. */
static void session_lines(const char *side, SSL_SESSION *s, SSL *ssl)
{
    char key[96];
    unsigned int len = SENT_INT;
    size_t slen = (size_t)SENT_INT;
    const unsigned char *p = SENT;
    long t;

#define K(what) (snprintf(key, sizeof(key), "%s.%s", what, side), key)
    REPORT_WITH(K("SSL_SESSION_get_id"), const unsigned char *, SSL_SESSION_get_id(s, &len), "%s", RANDOM(ret_, len));
    len = SENT_INT;
    REPORT_WITH(K("SSL_SESSION_get0_id_context"), const unsigned char *, SSL_SESSION_get0_id_context(s, &len), "%s", HEX(ret_, len));
    report(K("SSL_SESSION_get_master_key"), "%zu", SSL_SESSION_get_master_key(s, NULL, 0));
    report(K("SSL_SESSION_get0_cipher"), "%s", CIPHER(SSL_SESSION_get0_cipher(s)));
    report(K("SSL_SESSION_get_protocol_version"), "%#x", (unsigned)SSL_SESSION_get_protocol_version(s));
    report(K("SSL_SESSION_get0_hostname"), "%s", STR(SSL_SESSION_get0_hostname(s)));
    report(K("SSL_SESSION_get0_peer"), "%s", CERT(SSL_SESSION_get0_peer(s)));
    SSL_SESSION_get0_alpn_selected(s, &p, &slen);
    report(K("SSL_SESSION_get0_alpn_selected"), "%s", p == SENT || p == NULL ? P(p) : fmt("\"%.*s\"", (int)slen, p));
    report(K("SSL_SESSION_has_ticket"), "%d", SSL_SESSION_has_ticket(s));
    p = SENT;
    slen = (size_t)SENT_INT;
    SSL_SESSION_get0_ticket(s, &p, &slen);
    report(K("SSL_SESSION_get0_ticket"), "%s", p == SENT ? "unwritten" : RANDOM(p, slen));
    report(K("SSL_SESSION_get_ticket_lifetime_hint"), "%lu", SSL_SESSION_get_ticket_lifetime_hint(s));
    t = SSL_SESSION_get_time(s);
    report(K("SSL_SESSION_get_time"), "%s", t > time(NULL) - 60 && t <= time(NULL) ? "now" : fmt("%ld", t));
    report(K("SSL_SESSION_get_timeout"), "%ld", SSL_SESSION_get_timeout(s));
    report(K("SSL_SESSION_is_resumable"), "%d", SSL_SESSION_is_resumable(s));
    report(K("SSL_SESSION_get_max_early_data"), "%u", SSL_SESSION_get_max_early_data(s));
    report(K("SSL_SESSION_get_max_fragment_length"), "%u", SSL_SESSION_get_max_fragment_length(s));
    report(K("SSL_SESSION_get_compress_id"), "%u", SSL_SESSION_get_compress_id(s));
    {
        unsigned char *der = NULL, *again = NULL;
        const unsigned char *q;
        int n = i2d_SSL_SESSION(s, &der), m = -1;
        SSL_SESSION *dec;
        q = der;
        dec = d2i_SSL_SESSION(NULL, &q, n);
        if (dec != NULL)
            m = i2d_SSL_SESSION(dec, &again);
        report(K("i2d_SSL_SESSION.roundtrip"), "%s, equal %d", n > 0 ? "> 0" : "<= 0", n > 0 && m == n && memcmp(der, again, (size_t)n) == 0);
        SSL_SESSION_free(dec);
        OPENSSL_free(der);
        OPENSSL_free(again);
    }
    {
        BIO *b = BIO_new(BIO_s_mem());
        REPORT_OUT(K("SSL_SESSION_print"), int, SSL_SESSION_print(b, s), "%d, %s", BIO_ctrl_pending(b) > 0 ? "text" : "no text");
        BIO_free(b);
        b = BIO_new(BIO_s_mem());
        REPORT_OUT(K("SSL_SESSION_print_keylog"), int, SSL_SESSION_print_keylog(b, s), "%d, %s", BIO_ctrl_pending(b) > 0 ? "text" : "no text");
        BIO_free(b);
    }
    report(K("SSL_get_session.same_as_get1"), "%s", ssl ? "checked below" : "-");
#undef K
}

static int new_session_calls;
static SSL_SESSION *kept;
static int new_session_cb(SSL *ssl, SSL_SESSION *s)
{
    (void)ssl;
    new_session_calls++;
    if (kept != NULL)
        SSL_SESSION_free(kept);
    kept = s;
    return 1;
}

static void handshake_sessions(int version)
{
    struct pair p;
    SSL_SESSION *cs, *ss, *one;
    static const unsigned char alpn[] = "\x02h2";

    pair_new(&p, version);
    SSL_CTX_set_verify(p.sctx, SSL_VERIFY_PEER, NULL);
    client_ctx_cert(p.cctx);
    SSL_CTX_set_session_cache_mode(p.cctx, SSL_SESS_CACHE_CLIENT);
    SSL_CTX_sess_set_new_cb(p.cctx, new_session_cb);
    report("SSL_CTX_sess_get_new_cb", "%s", FN(SSL_CTX_sess_get_new_cb(p.cctx), new_session_cb));
    SSL_set_alpn_protos(p.c, alpn, 3);
    report("SSL_get_session.before_handshake", "%s", P(SSL_get_session(p.c)));
    if (!pair_handshake(&p) || !pair_exchange(&p))
        fixture_failed("handshake");
    note("SSL_CTX_sess_set_new_cb.calls", "%d", new_session_calls);
    cs = SSL_get_session(p.c);
    ss = SSL_get_session(p.s);
    one = SSL_get1_session(p.c);
    report("SSL_get_session.client", "%s", P(cs));
    report("SSL_get1_session.client", "%s", SAME(one, cs));
    report("SSL_CTX_sess_set_new_cb.kept_is_current", "%s", SAME(kept, cs));
    session_lines("client", cs, p.c);
    session_lines("server", ss, p.s);
    {
        unsigned int len;
        const unsigned char *id = SSL_SESSION_get_id(ss, &len);
        unsigned char other[32] = {0};
        report("SSL_has_matching_session_id.server", "%d", SSL_has_matching_session_id(p.s, id, len));
        report("SSL_has_matching_session_id.other", "%d", SSL_has_matching_session_id(p.s, other, sizeof(other)));
        report("SSL_has_matching_session_id.too_long", "%d", SSL_has_matching_session_id(p.s, other, 33));
    }
    pair_shutdown(&p);
    SSL_free(p.c);
    SSL_free(p.s);

    /* Resumption with the session the client kept. */
    pair_connect(&p);
    SSL_set_alpn_protos(p.c, alpn, 3);
    report("SSL_set_session", "%d", SSL_set_session(p.c, one));
    report("SSL_get_session.after_set", "%s", SAME(SSL_get_session(p.c), one));
    report("SSL_session_reused.before_handshake", "%d", SSL_session_reused(p.c));
    report_handshake("resumption.handshake", &p);
    report("SSL_session_reused.client", "%d", SSL_session_reused(p.c));
    report("SSL_session_reused.server", "%d", SSL_session_reused(p.s));
    report("SSL_get_session.resumed_same_object", "%s", SAME(SSL_get_session(p.c), one));
    report("resumption.peer", "%s", CERT(SSL_SESSION_get0_peer(SSL_get_session(p.c))));
    report("resumption.verify_result", "%ld", SSL_get_verify_result(p.c));
    report("SSL_set_session.null", "%d", SSL_set_session(p.c, NULL));
    report("SSL_get_session.after_null", "%s", P(SSL_get_session(p.c)));
    SSL_SESSION_free(one);
    SSL_SESSION_free(kept);
    kept = NULL;
    pair_free(&p);
}

static void tls12(void)
{
    handshake_sessions(TLS1_2_VERSION);
}

static void tls13(void)
{
    handshake_sessions(TLS1_3_VERSION);
}

/* The server's cache: adding, removing, flushing, and the three callbacks. */
static int remove_calls, get_calls;
static void remove_cb(SSL_CTX *ctx, SSL_SESSION *s)
{
    (void)ctx, (void)s;
    remove_calls++;
}

static SSL_SESSION *external;
static SSL_SESSION *get_cb(SSL *ssl, const unsigned char *id, int len, int *copy)
{
    (void)ssl, (void)id, (void)len;
    get_calls++;
    *copy = 1;
    return external;
}

static int server_new_cb(SSL *ssl, SSL_SESSION *s)
{
    (void)ssl;
    if (external == NULL) {
        external = s;
        return 1;
    }
    return 0;
}

static void cache(void)
{
    struct pair p;
    SSL_SESSION *s1, *s2;
    unsigned char id[32];

    pair_new(&p, TLS1_2_VERSION);
    SSL_CTX_sess_set_remove_cb(p.sctx, remove_cb);
    report("SSL_CTX_sess_get_remove_cb", "%s", FN(SSL_CTX_sess_get_remove_cb(p.sctx), remove_cb));
    s1 = SSL_SESSION_new();
    memset(id, 1, sizeof(id));
    SSL_SESSION_set1_id(s1, id, sizeof(id));
    SSL_SESSION_set1_master_key(s1, id, sizeof(id));
    SSL_SESSION_set_protocol_version(s1, TLS1_2_VERSION);
    s2 = SSL_SESSION_new();
    memset(id, 2, sizeof(id));
    SSL_SESSION_set1_id(s2, id, sizeof(id));
    SSL_SESSION_set_protocol_version(s2, TLS1_2_VERSION);
    report("SSL_CTX_add_session", "%d", SSL_CTX_add_session(p.sctx, s1));
    report("SSL_CTX_add_session.again", "%d", SSL_CTX_add_session(p.sctx, s1));
    report("SSL_CTX_add_session.second", "%d", SSL_CTX_add_session(p.sctx, s2));
    report("SSL_CTX_sess_number.after_add", "%ld", SSL_CTX_sess_number(p.sctx));
    report("SSL_has_matching_session_id.added", "%d", SSL_has_matching_session_id(p.s, id, sizeof(id)));
    report("SSL_CTX_remove_session", "%d", SSL_CTX_remove_session(p.sctx, s1));
    report("SSL_CTX_remove_session.again", "%d", SSL_CTX_remove_session(p.sctx, s1));
    note("SSL_CTX_sess_set_remove_cb.calls_after_remove", "%d", remove_calls);
    SSL_CTX_flush_sessions(p.sctx, 0);
    report("SSL_CTX_flush_sessions.all", "void");
    note("SSL_CTX_sess_set_remove_cb.calls_after_flush", "%d", remove_calls);
    report("SSL_CTX_sess_number.after_flush", "%ld", SSL_CTX_sess_number(p.sctx));
    SSL_CTX_add_session(p.sctx, s2);
    SSL_CTX_flush_sessions(p.sctx, (long)time(NULL));
    report("SSL_CTX_flush_sessions.now", "void");
    report("SSL_CTX_sess_number.after_flush_now", "%ld", SSL_CTX_sess_number(p.sctx));
    SSL_SESSION_free(s1);
    SSL_SESSION_free(s2);
    pair_free(&p);

    /* An external cache: the server stores the session itself, finds it by callback. */
    p.sctx = server_ctx();
    p.cctx = client_ctx(TLS1_2_VERSION);
    SSL_CTX_set_options(p.sctx, SSL_OP_NO_TICKET);
    pair_connect(&p);
    SSL_CTX_set_session_cache_mode(p.sctx, SSL_SESS_CACHE_SERVER | SSL_SESS_CACHE_NO_INTERNAL);
    SSL_CTX_sess_set_new_cb(p.sctx, server_new_cb);
    SSL_CTX_sess_set_get_cb(p.sctx, get_cb);
    report("SSL_CTX_sess_get_get_cb", "%s", FN(SSL_CTX_sess_get_get_cb(p.sctx), get_cb));
    if (!pair_handshake(&p) || !pair_exchange(&p))
        fixture_failed("handshake");
    s1 = SSL_get1_session(p.c);
    note("external.stored", "%s", P(external));
    pair_shutdown(&p);
    SSL_free(p.c);
    SSL_free(p.s);
    pair_connect(&p);
    SSL_set_session(p.c, s1);
    report_handshake("external.resumption", &p);
    note("SSL_CTX_sess_set_get_cb.calls", "%d", get_calls);
    report("external.reused", "%d / %d", SSL_session_reused(p.c), SSL_session_reused(p.s));
    SSL_SESSION_free(s1);
    SSL_SESSION_free(external);
    external = NULL;
    pair_free(&p);
}

/* A connection freed without SSL_shutdown may have been cut short: its session leaves the
 * server's cache (the remove callback hears of it) and is no longer resumable on either
 * side (ssl_clear_bad_session), so the client's next offer is a miss; after a clean close
 * the session resumes. Both contexts count hits and misses. */
static void unclean_close(int version)
{
    struct pair p;
    SSL_SESSION *s1, *s2;

    remove_calls = 0;
    p.sctx = server_ctx();
    p.cctx = client_ctx(version);
    SSL_CTX_set_options(p.sctx, SSL_OP_NO_TICKET);
    SSL_CTX_sess_set_remove_cb(p.sctx, remove_cb);
    pair_connect(&p);
    if (!pair_handshake(&p) || !pair_exchange(&p))
        fixture_failed("handshake");
    s1 = SSL_get1_session(p.c);
    report("unclean.cached", "%ld", SSL_CTX_sess_number(p.sctx));
    report("unclean.resumable", "%d", SSL_SESSION_is_resumable(s1));
    SSL_free(p.c);
    SSL_free(p.s);
    report("unclean.cached_after_free", "%ld", SSL_CTX_sess_number(p.sctx));
    report("unclean.resumable_after_free", "%d", SSL_SESSION_is_resumable(s1));
    note("unclean.remove_calls", "%d", remove_calls);
    pair_connect(&p);
    SSL_set_session(p.c, s1);
    report_handshake("unclean.again", &p);
    report("unclean.reused", "%d / %d", SSL_session_reused(p.c), SSL_session_reused(p.s));
    if (!pair_exchange(&p))
        fixture_failed("exchange");
    s2 = SSL_get1_session(p.c);
    pair_shutdown(&p);
    SSL_free(p.c);
    SSL_free(p.s);
    report("clean.cached_after_free", "%ld", SSL_CTX_sess_number(p.sctx));
    report("clean.resumable_after_free", "%d", SSL_SESSION_is_resumable(s2));
    pair_connect(&p);
    SSL_set_session(p.c, s2);
    report_handshake("clean.again", &p);
    report("clean.reused", "%d / %d", SSL_session_reused(p.c), SSL_session_reused(p.s));
    report("stats.server", "hits %ld misses %ld", SSL_CTX_sess_hits(p.sctx), SSL_CTX_sess_misses(p.sctx));
    report("stats.client", "hits %ld misses %ld", SSL_CTX_sess_hits(p.cctx), SSL_CTX_sess_misses(p.cctx));
    SSL_SESSION_free(s1);
    SSL_SESSION_free(s2);
    pair_free(&p);
}

static void unclean_close_tls12(void)
{
    unclean_close(TLS1_2_VERSION);
}

static void unclean_close_tls13(void)
{
    unclean_close(TLS1_3_VERSION);
}

/* stunnel's server cache: SSL_SESS_CACHE_BOTH | SSL_SESS_CACHE_NO_INTERNAL_STORE, a
 * new-session callback that reads the peer's chain and the session's id, and each new
 * session added by hand with SSL_CTX_add_session after the handshake. The internal cache is
 * still looked up (TLS 1.2 resumption by id); a TLS 1.3 server offers every ticket's session
 * to the callback, a TLS 1.2 ticket session (no id) is not offered. */
static int app_new_calls, app_new_peer, app_new_id_len;
static int app_new_cb(SSL *ssl, SSL_SESSION *s)
{
    unsigned int len = 0;
    X509 *peer = SSL_get_peer_certificate(ssl);
    app_new_calls++;
    app_new_peer += peer != NULL;
    X509_free(peer);
    SSL_SESSION_get_id(s, &len);
    app_new_id_len = (int)len;
    return 0;
}

static void added_by_hand(int version, int no_ticket)
{
    struct pair p;
    SSL_SESSION *client, *server;
    char k[64];

#define K(what) (snprintf(k, sizeof(k), "%s%s", what, no_ticket ? ".no_ticket" : ""), k)
    app_new_calls = app_new_peer = 0;
    app_new_id_len = -1;
    p.sctx = server_ctx();
    p.cctx = client_ctx(version);
    if (no_ticket)
        SSL_CTX_set_options(p.sctx, SSL_OP_NO_TICKET);
    SSL_CTX_set_session_cache_mode(p.sctx, SSL_SESS_CACHE_BOTH | SSL_SESS_CACHE_NO_INTERNAL_STORE);
    SSL_CTX_sess_set_new_cb(p.sctx, app_new_cb);
    pair_connect(&p);
    if (!pair_handshake(&p) || !pair_exchange(&p))
        fixture_failed("handshake");
    note(K("new_cb.calls"), "%d", app_new_calls);
    note(K("new_cb.peer_certificates"), "%d", app_new_peer);
    note(K("new_cb.id_length"), "%d", app_new_id_len);
    report(K("SSL_CTX_sess_number.not_stored"), "%ld", SSL_CTX_sess_number(p.sctx));
    server = SSL_get1_session(p.s);
    report(K("SSL_session_reused.first"), "%d", SSL_session_reused(p.s));
    report(K("SSL_CTX_add_session"), "%d", SSL_CTX_add_session(p.sctx, server));
    report(K("SSL_CTX_sess_number.added"), "%ld", SSL_CTX_sess_number(p.sctx));
    SSL_SESSION_free(server);
    client = SSL_get1_session(p.c);
    pair_shutdown(&p);
    SSL_free(p.c);
    SSL_free(p.s);
    pair_connect(&p);
    SSL_set_session(p.c, client);
    report_handshake(K("resumption.handshake"), &p);
    report(K("resumption.reused"), "%d / %d", SSL_session_reused(p.c), SSL_session_reused(p.s));
    SSL_SESSION_free(client);
    pair_free(&p);
#undef K
}

static void added_by_hand_tls12(void)
{
    added_by_hand(TLS1_2_VERSION, 1);
    added_by_hand(TLS1_2_VERSION, 0);
}

static void added_by_hand_tls13(void)
{
    added_by_hand(TLS1_3_VERSION, 0);
}

/* The cache as a libcrypto hash table, as the few programs that walk it read it. */
static void sessions_lhash(void)
{
    SSL_CTX *ctx = server_ctx();
    SSL_SESSION *s = SSL_SESSION_new();
    unsigned char id[32];
    LHASH_OF(SSL_SESSION) *lh;

    lh = SSL_CTX_sessions(ctx);
    report("SSL_CTX_sessions", "%s", P(lh));
    if (lh != NULL)
        report("SSL_CTX_sessions.items", "%lu", OPENSSL_LH_num_items((OPENSSL_LHASH *)lh));
    memset(id, 3, sizeof(id));
    SSL_SESSION_set1_id(s, id, sizeof(id));
    SSL_CTX_add_session(ctx, s);
    report("SSL_CTX_sessions.same_table", "%s", SAME(SSL_CTX_sessions(ctx), lh));
    if (lh != NULL)
        report("SSL_CTX_sessions.items_after_add", "%lu", OPENSSL_LH_num_items((OPENSSL_LHASH *)lh));
    SSL_SESSION_free(s);
    SSL_CTX_free(ctx);
}

static void id_context(void)
{
    SSL_CTX *ctx = server_ctx();
    SSL *a = SSL_new(ctx), *b = SSL_new(ctx);
    unsigned char big[40];
    SSL_SESSION *s = SSL_SESSION_new();

    memset(big, 'x', sizeof(big));
    report("SSL_CTX_set_session_id_context", "%d", SSL_CTX_set_session_id_context(ctx, big, 32));
    report("SSL_CTX_set_session_id_context.too_long", "%d", SSL_CTX_set_session_id_context(ctx, big, 33));
    report("SSL_set_session_id_context", "%d", SSL_set_session_id_context(a, (const unsigned char *)"conn-a", 6));
    report("SSL_set_session_id_context.too_long", "%d", SSL_set_session_id_context(a, big, 33));
    SSL_set_session(a, s);
    report("SSL_copy_session_id", "%d", SSL_copy_session_id(b, a));
    report("SSL_copy_session_id.session", "%s", SAME(SSL_get_session(b), s));
    report("SSL_copy_session_id.certificate", "%s", CERT(SSL_get_certificate(b)));
    SSL_SESSION_free(s);
    SSL_free(a);
    SSL_free(b);
    SSL_CTX_free(ctx);
}

/* Tickets: the application data callback pair, the key callback programs use to rotate
 * ticket keys, and the client-side ticket extension calls. */
static int gen_calls, dec_calls, last_status = -1;
static char seen_appdata[32];
static int ticket_gen(SSL *s, void *arg)
{
    SSL_SESSION *sess = SSL_get_session(s);
    (void)arg;
    gen_calls++;
    return SSL_SESSION_set1_ticket_appdata(sess, "app-data", 8);
}

static SSL_TICKET_RETURN ticket_dec(SSL *s, SSL_SESSION *ss, const unsigned char *keyname, size_t keyname_len,
                                    SSL_TICKET_STATUS status, void *arg)
{
    void *data = NULL;
    size_t len = 0;
    (void)s, (void)keyname, (void)keyname_len, (void)arg;
    dec_calls++;
    last_status = (int)status;
    if (ss != NULL && SSL_SESSION_get0_ticket_appdata(ss, &data, &len) && data != NULL)
        snprintf(seen_appdata, sizeof(seen_appdata), "%.*s", (int)len, (char *)data);
    if (status == SSL_TICKET_SUCCESS)
        return SSL_TICKET_RETURN_USE;
    if (status == SSL_TICKET_SUCCESS_RENEW)
        return SSL_TICKET_RETURN_USE_RENEW;
    return SSL_TICKET_RETURN_IGNORE_RENEW;
}

static int key_cb_enc, key_cb_dec;
static int ticket_key_cb(SSL *s, unsigned char key_name[16], unsigned char iv[EVP_MAX_IV_LENGTH], EVP_CIPHER_CTX *ctx,
                         EVP_MAC_CTX *hctx, int enc)
{
    static const unsigned char name[16] = "contract-ticket";
    static unsigned char aes[32] = {1}, hmac[32] = {2};
    OSSL_PARAM params[2];
    (void)s;
    params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)"SHA256", 0);
    params[1] = OSSL_PARAM_construct_end();
    if (enc) {
        key_cb_enc++;
        memcpy(key_name, name, 16);
        memset(iv, 3, 16);
        if (!EVP_EncryptInit_ex(ctx, EVP_aes_256_cbc(), NULL, aes, iv) || !EVP_MAC_init(hctx, hmac, sizeof(hmac), params))
            return -1;
        return 1;
    }
    key_cb_dec++;
    if (memcmp(key_name, name, 16) != 0)
        return 0;
    if (!EVP_DecryptInit_ex(ctx, EVP_aes_256_cbc(), NULL, aes, iv) || !EVP_MAC_init(hctx, hmac, sizeof(hmac), params))
        return -1;
    return 1;
}

static int ext_cb(SSL *s, const unsigned char *data, int len, void *arg)
{
    (void)s, (void)data, (void)len, (void)arg;
    return 1;
}

static int secret_cb(SSL *s, void *secret, int *secret_len, STACK_OF(SSL_CIPHER) *peer_ciphers,
                     const SSL_CIPHER **cipher, void *arg)
{
    (void)s, (void)secret, (void)secret_len, (void)peer_ciphers, (void)cipher, (void)arg;
    return 0;
}

static void tickets(int version, int use_key_cb)
{
    struct pair p;
    SSL_SESSION *s;

    gen_calls = dec_calls = key_cb_enc = key_cb_dec = 0;
    last_status = -1;
    seen_appdata[0] = 0;
    pair_new(&p, version);
    if (use_key_cb)
        report("SSL_CTX_set_tlsext_ticket_key_evp_cb", "%d", SSL_CTX_set_tlsext_ticket_key_evp_cb(p.sctx, ticket_key_cb));
    else
        report("SSL_CTX_set_session_ticket_cb", "%d", SSL_CTX_set_session_ticket_cb(p.sctx, ticket_gen, ticket_dec, NULL));
    report("SSL_set_session_ticket_ext_cb", "%d", SSL_set_session_ticket_ext_cb(p.c, ext_cb, NULL));
    report("SSL_set_session_secret_cb", "%d", SSL_set_session_secret_cb(p.c, secret_cb, NULL));
    if (!pair_handshake(&p) || !pair_exchange(&p))
        fixture_failed("handshake");
    s = SSL_get1_session(p.c);
    report("first.has_ticket", "%d", SSL_SESSION_has_ticket(s));
    pair_shutdown(&p);
    SSL_free(p.c);
    SSL_free(p.s);
    /* Tickets sealed by the resumed handshake: none in TLS 1.2 (the client keeps its
     * ticket), one in TLS 1.3 (OpenSSL's server sends at most one after a resumption,
     * where a full handshake sends two). */
    {
        int enc_before = key_cb_enc, gen_before = gen_calls;
        pair_connect(&p);
        SSL_set_session(p.c, s);
        report_handshake("resumption.handshake", &p);
        report("resumption.reused", "%d / %d", SSL_session_reused(p.c), SSL_session_reused(p.s));
        note("resumption.tickets_sealed", "%d", use_key_cb ? key_cb_enc - enc_before : gen_calls - gen_before);
    }
    if (use_key_cb) {
        note("SSL_CTX_set_tlsext_ticket_key_evp_cb.encrypt_calls", "%s", key_cb_enc > 0 ? "> 0" : "0");
        note("SSL_CTX_set_tlsext_ticket_key_evp_cb.decrypt_calls", "%d", key_cb_dec);
    } else {
        note("SSL_CTX_set_session_ticket_cb.gen_calls", "%s", gen_calls > 0 ? "> 0" : "0");
        note("SSL_CTX_set_session_ticket_cb.dec_calls", "%d", dec_calls);
        note("SSL_CTX_set_session_ticket_cb.dec_status", "%d", last_status);
        note("SSL_CTX_set_session_ticket_cb.appdata", "%s", STR(seen_appdata));
    }
    SSL_SESSION_free(s);
    pair_free(&p);

    /* The client-side extension setter, before a handshake, as EAP-FAST peers call it. */
    pair_new(&p, version);
    report("SSL_set_session_ticket_ext", "%d", SSL_set_session_ticket_ext(p.c, (void *)"opaque", 6));
    report("SSL_set_session_ticket_ext.null", "%d", SSL_set_session_ticket_ext(p.c, NULL, 0));
    pair_free(&p);
}

static void tickets_appdata_tls12(void)
{
    tickets(TLS1_2_VERSION, 0);
}
static void tickets_appdata_tls13(void)
{
    tickets(TLS1_3_VERSION, 0);
}
static void tickets_keys_tls12(void)
{
    tickets(TLS1_2_VERSION, 1);
}
static void tickets_keys_tls13(void)
{
    tickets(TLS1_3_VERSION, 1);
}

GROUPS({"crafted", crafted, NULL}, {"tls12", tls12, NULL}, {"tls13", tls13, NULL}, {"cache", cache, NULL},
       {"added_by_hand_tls12", added_by_hand_tls12, NULL}, {"added_by_hand_tls13", added_by_hand_tls13, NULL},
       {"sessions_lhash", sessions_lhash, NULL},
       {"id_context", id_context, NULL}, {"tickets_appdata_tls12", tickets_appdata_tls12, NULL},
       {"tickets_appdata_tls13", tickets_appdata_tls13, NULL}, {"tickets_keys_tls12", tickets_keys_tls12, NULL},
       {"tickets_keys_tls13", tickets_keys_tls13, NULL}, {"unclean_close_tls12", unclean_close_tls12, NULL},
       {"unclean_close_tls13", unclean_close_tls13, NULL})
