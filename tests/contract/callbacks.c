/* Export contract: what a server learns from a ClientHello and the callbacks that run on
 * it (client hello, server name, ALPN, NPN, custom extensions, SRTP), the calls those
 * callbacks make, and the informational callbacks (info, message, key log, SSL_trace),
 * with the alert strings they print.
 *
 * The server-side cases read a fixed ClientHello (captured once from OpenSSL 3.0's client:
 * SNI "localhost", ALPN h2 and http/1.1), so that what they report depends only on the
 * server under test, not on which library wrote the ClientHello. */
#include "contract.h"

static const unsigned char canned_hello[] = {
    0x16, 0x03, 0x01, 0x01, 0x48, 0x01, 0x00, 0x01, 0x44, 0x03, 0x03, 0x79, 0x44, 0x94, 0xDC, 0xA1,
    0xC9, 0x67, 0xB7, 0xFA, 0xD5, 0x8B, 0x58, 0x05, 0x5C, 0x59, 0xD5, 0xA2, 0x33, 0xC9, 0x66, 0x08,
    0x1F, 0x62, 0x90, 0x65, 0x65, 0xE7, 0xC1, 0x8E, 0x17, 0x2B, 0x0D, 0x20, 0x37, 0xB2, 0x40, 0xED,
    0x19, 0x1D, 0x5B, 0x0A, 0x60, 0xAF, 0x13, 0xF3, 0x98, 0x19, 0xB1, 0x6D, 0xC9, 0xE6, 0x90, 0x73,
    0xDB, 0x09, 0x95, 0x84, 0xF8, 0xE9, 0xB9, 0x22, 0x9E, 0x9D, 0x47, 0x3F, 0x00, 0x3E, 0x13, 0x02,
    0x13, 0x03, 0x13, 0x01, 0xC0, 0x2C, 0xC0, 0x30, 0x00, 0x9F, 0xCC, 0xA9, 0xCC, 0xA8, 0xCC, 0xAA,
    0xC0, 0x2B, 0xC0, 0x2F, 0x00, 0x9E, 0xC0, 0x24, 0xC0, 0x28, 0x00, 0x6B, 0xC0, 0x23, 0xC0, 0x27,
    0x00, 0x67, 0xC0, 0x0A, 0xC0, 0x14, 0x00, 0x39, 0xC0, 0x09, 0xC0, 0x13, 0x00, 0x33, 0x00, 0x9D,
    0x00, 0x9C, 0x00, 0x3D, 0x00, 0x3C, 0x00, 0x35, 0x00, 0x2F, 0x00, 0xFF, 0x01, 0x00, 0x00, 0xBD,
    0x00, 0x00, 0x00, 0x0E, 0x00, 0x0C, 0x00, 0x00, 0x09, 0x6C, 0x6F, 0x63, 0x61, 0x6C, 0x68, 0x6F,
    0x73, 0x74, 0x00, 0x0B, 0x00, 0x04, 0x03, 0x00, 0x01, 0x02, 0x00, 0x0A, 0x00, 0x16, 0x00, 0x14,
    0x00, 0x1D, 0x00, 0x17, 0x00, 0x1E, 0x00, 0x19, 0x00, 0x18, 0x01, 0x00, 0x01, 0x01, 0x01, 0x02,
    0x01, 0x03, 0x01, 0x04, 0x00, 0x23, 0x00, 0x00, 0x00, 0x10, 0x00, 0x0E, 0x00, 0x0C, 0x02, 0x68,
    0x32, 0x08, 0x68, 0x74, 0x74, 0x70, 0x2F, 0x31, 0x2E, 0x31, 0x00, 0x16, 0x00, 0x00, 0x00, 0x17,
    0x00, 0x00, 0x00, 0x0D, 0x00, 0x2A, 0x00, 0x28, 0x04, 0x03, 0x05, 0x03, 0x06, 0x03, 0x08, 0x07,
    0x08, 0x08, 0x08, 0x09, 0x08, 0x0A, 0x08, 0x0B, 0x08, 0x04, 0x08, 0x05, 0x08, 0x06, 0x04, 0x01,
    0x05, 0x01, 0x06, 0x01, 0x03, 0x03, 0x03, 0x01, 0x03, 0x02, 0x04, 0x02, 0x05, 0x02, 0x06, 0x02,
    0x00, 0x2B, 0x00, 0x09, 0x08, 0x03, 0x04, 0x03, 0x03, 0x03, 0x02, 0x03, 0x01, 0x00, 0x2D, 0x00,
    0x02, 0x01, 0x01, 0x00, 0x33, 0x00, 0x26, 0x00, 0x24, 0x00, 0x1D, 0x00, 0x20, 0xAD, 0xAF, 0x1D,
    0x30, 0xD4, 0x14, 0x42, 0x66, 0x13, 0xA8, 0xD2, 0x15, 0x41, 0x3A, 0x2D, 0xDE, 0x1C, 0x36, 0xC0,
    0x65, 0x08, 0x7A, 0x36, 0xAC, 0xF8, 0xCE, 0xC8, 0x95, 0x5C, 0x03, 0x5D, 0x69
};

/* A server connection fed the fixed ClientHello; its output goes to a memory BIO. */
static SSL *server_with_hello(SSL_CTX *sctx)
{
    SSL *s = SSL_new(sctx);
    BIO *in = BIO_new_mem_buf(canned_hello, sizeof(canned_hello)), *out = BIO_new(BIO_s_mem());
    BIO_set_mem_eof_return(in, -1);
    SSL_set_bio(s, in, out);
    SSL_set_accept_state(s);
    return s;
}

static struct {
    int calls, retry_once, fail;
    char log[64][160];
    int lines;
} hello;

static void hello_log(const char *f, const char *v)
{
    if (hello.lines < 64)
        snprintf(hello.log[hello.lines++], sizeof(hello.log[0]), "%s: %s", f, v);
}

static int client_hello_cb(SSL *s, int *al, void *arg)
{
    const unsigned char *p = SENT;
    size_t n = (size_t)SENT_INT;
    int *exts = SENT;
    size_t nexts = (size_t)SENT_INT;
    int r;

    (void)arg;
    hello.calls++;
    if (hello.retry_once && hello.calls == 1)
        return SSL_CLIENT_HELLO_RETRY;
    if (hello.fail) {
        *al = SSL_AD_HANDSHAKE_FAILURE;
        return SSL_CLIENT_HELLO_ERROR;
    }
    hello_log("SSL_client_hello_isv2", fmt("%d", SSL_client_hello_isv2(s)));
    hello_log("SSL_client_hello_get0_legacy_version", fmt("%#x", SSL_client_hello_get0_legacy_version(s)));
    n = SSL_client_hello_get0_random(s, &p);
    hello_log("SSL_client_hello_get0_random", fmt("%zu, %s", n, p == SENT ? "unwritten" : HEX(p, n)));
    p = SENT;
    n = SSL_client_hello_get0_session_id(s, &p);
    hello_log("SSL_client_hello_get0_session_id", fmt("%zu, %s", n, p == SENT ? "unwritten" : HEX(p, n)));
    p = SENT;
    n = SSL_client_hello_get0_ciphers(s, &p);
    hello_log("SSL_client_hello_get0_ciphers", fmt("%zu, %s", n, p == SENT ? "unwritten" : HEX(p, n)));
    p = SENT;
    n = SSL_client_hello_get0_compression_methods(s, &p);
    hello_log("SSL_client_hello_get0_compression_methods", fmt("%zu, %s", n, p == SENT ? "unwritten" : HEX(p, n)));
    r = SSL_client_hello_get1_extensions_present(s, &exts, &nexts);
    {
        char list[512] = "";
        for (size_t i = 0; r == 1 && exts != SENT && i < nexts; i++)
            snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%d", i ? "," : "", exts[i]);
        hello_log("SSL_client_hello_get1_extensions_present", fmt("%d, %zu [%s]", r, nexts, list));
        if (r == 1 && exts != SENT)
            OPENSSL_free(exts);
    }
    p = SENT;
    n = (size_t)SENT_INT;
    r = SSL_client_hello_get0_ext(s, TLSEXT_TYPE_server_name, &p, &n);
    hello_log("SSL_client_hello_get0_ext.server_name", fmt("%d, %zu, %s", r, n, p == SENT ? "unwritten" : HEX(p, r ? n : 0)));
    p = SENT;
    n = (size_t)SENT_INT;
    r = SSL_client_hello_get0_ext(s, TLSEXT_TYPE_application_layer_protocol_negotiation, &p, &n);
    hello_log("SSL_client_hello_get0_ext.alpn", fmt("%d, %zu, %s", r, n, p == SENT ? "unwritten" : HEX(p, r ? n : 0)));
    p = SENT;
    n = (size_t)SENT_INT;
    r = SSL_client_hello_get0_ext(s, 1000, &p, &n);
    hello_log("SSL_client_hello_get0_ext.absent", fmt("%d, len %zu, %s", r, n, P(p)));
    hello_log("SSL_get_servername.in_hello_cb", STR(SSL_get_servername(s, TLSEXT_NAMETYPE_host_name)));
    hello_log("SSL_is_server.in_hello_cb", fmt("%d", SSL_is_server(s)));
    hello_log("SSL_in_init.in_hello_cb", fmt("%d", SSL_in_init(s)));
    ERR_clear_error();
    return SSL_CLIENT_HELLO_SUCCESS;
}

static void client_hello(void)
{
    SSL_CTX *sctx = server_ctx();
    SSL *s;
    int r;
    unsigned char rnd[64];

    SSL_CTX_set_client_hello_cb(sctx, client_hello_cb, NULL);
    report("SSL_CTX_set_client_hello_cb", "void");
    s = server_with_hello(sctx);
    r = SSL_do_handshake(s);
    report("server_step", "%d, SSL_get_error %d", r, SSL_get_error(s, r));
    note("SSL_CTX_set_client_hello_cb.calls", "%d", hello.calls);
    for (int i = 0; i < hello.lines; i++)
        note(fmt("in_callback.%02d", i), "%s", hello.log[i]);
    report("SSL_get_servername.after_hello", "%s", STR(SSL_get_servername(s, TLSEXT_NAMETYPE_host_name)));
    report("SSL_get_servername_type.after_hello", "%d", SSL_get_servername_type(s));
    report("SSL_client_version.after_hello", "%#x", (unsigned)SSL_client_version(s));
    report("SSL_version.after_hello", "%#x", (unsigned)SSL_version(s));
    report("SSL_get_client_ciphers.after_hello", "%s", CIPHERS(SSL_get_client_ciphers(s)));
    report("SSL_get_pending_cipher.after_hello", "%s", CIPHER(SSL_get_pending_cipher(s)));
    memset(rnd, 0, sizeof(rnd));
    {
        size_t n = SSL_get_client_random(s, rnd, sizeof(rnd));
        report("SSL_get_client_random.after_hello", "%s", HEX(rnd, n));
    }
    {
        const unsigned char *p = SENT;
        unsigned int len = SENT_INT;
        SSL_get0_alpn_selected(s, &p, &len);
        report("SSL_get0_alpn_selected.no_callback", "%s, len %u", P(p), len);
    }
    SSL_free(s);

    /* The callback asks to be called again, then fails the handshake. */
    memset(&hello, 0, sizeof(hello));
    hello.retry_once = 1;
    s = server_with_hello(sctx);
    r = SSL_do_handshake(s);
    report("SSL_CLIENT_HELLO_RETRY.first", "%d, SSL_get_error %d", r, SSL_get_error(s, r));
    r = SSL_do_handshake(s);
    report("SSL_CLIENT_HELLO_RETRY.second", "%d, SSL_get_error %d", r, SSL_get_error(s, r));
    note("SSL_CLIENT_HELLO_RETRY.calls", "%d", hello.calls);
    SSL_free(s);
    memset(&hello, 0, sizeof(hello));
    hello.fail = 1;
    s = server_with_hello(sctx);
    r = SSL_do_handshake(s);
    report("SSL_CLIENT_HELLO_ERROR", "%d, SSL_get_error %d", r, SSL_get_error(s, r));
    report("SSL_CLIENT_HELLO_ERROR.alert_bytes", "%d", (int)BIO_ctrl_pending(SSL_get_wbio(s)));
    SSL_free(s);
    SSL_CTX_free(sctx);
}

/* ALPN: the server's selection callback with SSL_select_next_proto, as servers write it. */
static int alpn_mode, alpn_calls;
static int alpn_select(SSL *s, const unsigned char **out, unsigned char *outlen, const unsigned char *in,
                       unsigned int inlen, void *arg)
{
    static const unsigned char ours[] = "\x08http/1.1\x06spdy/3";
    (void)s, (void)arg;
    alpn_calls++;
    if (alpn_mode == 1)
        return SSL_TLSEXT_ERR_NOACK;
    if (alpn_mode == 2)
        return SSL_TLSEXT_ERR_ALERT_FATAL;
    if (SSL_select_next_proto((unsigned char **)out, outlen, ours, sizeof(ours) - 1, in, inlen) != OPENSSL_NPN_NEGOTIATED)
        return SSL_TLSEXT_ERR_NOACK;
    return SSL_TLSEXT_ERR_OK;
}

static void select_next_proto(void)
{
    static const unsigned char server[] = "\x02h2\x08http/1.1", client[] = "\x06spdy/3\x08http/1.1",
                               none[] = "\x03foo", bad[] = "\x09h2";
    unsigned char *out = SENT, outlen = 0xEE;
    int r;

    r = SSL_select_next_proto(&out, &outlen, server, sizeof(server) - 1, client, sizeof(client) - 1);
    report("SSL_select_next_proto.overlap", "%d, %s, in server list %d", r, out == SENT ? "unwritten" : fmt("\"%.*s\"", outlen, out),
           out >= server && out < server + sizeof(server));
    out = SENT;
    outlen = 0xEE;
    r = SSL_select_next_proto(&out, &outlen, server, sizeof(server) - 1, none, sizeof(none) - 1);
    report("SSL_select_next_proto.no_overlap", "%d, %s, in client list %d", r, out == SENT ? "unwritten" : fmt("\"%.*s\"", outlen, out),
           out >= none && out < none + sizeof(none));
    out = SENT;
    outlen = 0xEE;
    r = SSL_select_next_proto(&out, &outlen, bad, sizeof(bad) - 1, client, sizeof(client) - 1);
    report("SSL_select_next_proto.malformed_server", "%d, %s, outlen %u", r, P(out), outlen);
    out = SENT;
    outlen = 0xEE;
    r = SSL_select_next_proto(&out, &outlen, server, sizeof(server) - 1, client, 0);
    report("SSL_select_next_proto.empty_client", "%d, %s, outlen %u", r, P(out), outlen);
}

static void alpn(int version)
{
    struct pair p;
    const unsigned char *proto;
    unsigned int len;
    static const unsigned char protos[] = "\x02h2\x08http/1.1";

    pair_new(&p, version);
    report("SSL_CTX_set_alpn_protos", "%d", SSL_CTX_set_alpn_protos(p.cctx, protos, sizeof(protos) - 1));
    report("SSL_CTX_set_alpn_protos.malformed", "%d", SSL_CTX_set_alpn_protos(p.cctx, (const unsigned char *)"\x05h2", 3));
    report("SSL_CTX_set_alpn_protos.clear", "%d", SSL_CTX_set_alpn_protos(p.cctx, NULL, 0));
    SSL_CTX_set_alpn_protos(p.cctx, protos, sizeof(protos) - 1);
    SSL_CTX_set_alpn_select_cb(p.sctx, alpn_select, NULL);
    report("SSL_CTX_set_alpn_select_cb", "void");
    SSL_free(p.c);
    SSL_free(p.s);
    pair_connect(&p);
    report("SSL_set_alpn_protos", "%d", SSL_set_alpn_protos(p.c, protos, sizeof(protos) - 1));
    report("SSL_set_alpn_protos.malformed", "%d", SSL_set_alpn_protos(p.c, (const unsigned char *)"\x00", 1));
    proto = SENT;
    len = SENT_INT;
    SSL_get0_alpn_selected(p.c, &proto, &len);
    report("SSL_get0_alpn_selected.before", "%s, len %u", P(proto), len);
    report_handshake("handshake", &p);
    note("SSL_CTX_set_alpn_select_cb.calls", "%d", alpn_calls);
    SSL_get0_alpn_selected(p.c, &proto, &len);
    report("SSL_get0_alpn_selected.client", "%s", proto ? fmt("\"%.*s\"", (int)len, proto) : "NULL");
    SSL_get0_alpn_selected(p.s, &proto, &len);
    report("SSL_get0_alpn_selected.server", "%s", proto ? fmt("\"%.*s\"", (int)len, proto) : "NULL");
    report("SSL_get0_alpn_selected.session", "%s", SSL_get_session(p.c) ? "has session" : "none");
    pair_free(&p);

    for (alpn_mode = 1; alpn_mode <= 2; alpn_mode++) {
        const char *what = alpn_mode == 1 ? "noack" : "fatal";
        pair_new(&p, version);
        SSL_CTX_set_alpn_select_cb(p.sctx, alpn_select, NULL);
        SSL_free(p.s);
        p.s = NULL;
        SSL_free(p.c);
        pair_connect(&p);
        SSL_set_alpn_protos(p.c, protos, sizeof(protos) - 1);
        report_handshake(fmt("alpn_%s.handshake", what), &p);
        proto = SENT;
        len = SENT_INT;
        SSL_get0_alpn_selected(p.c, &proto, &len);
        report(fmt("alpn_%s.SSL_get0_alpn_selected", what), "%s, len %u", P(proto), len);
        pair_free(&p);
    }
    alpn_mode = 0;

    /* The client offers ALPN, the server has no callback. */
    pair_new(&p, version);
    SSL_set_alpn_protos(p.c, protos, sizeof(protos) - 1);
    report_handshake("alpn_no_server_cb.handshake", &p);
    proto = SENT;
    len = SENT_INT;
    SSL_get0_alpn_selected(p.c, &proto, &len);
    report("alpn_no_server_cb.SSL_get0_alpn_selected", "%s, len %u", P(proto), len);
    pair_free(&p);
}

static void alpn_tls12(void)
{
    alpn(TLS1_2_VERSION);
}

static void alpn_tls13(void)
{
    alpn(TLS1_3_VERSION);
}

/* Server name: the callback servers use to pick a context, and its return values. */
static int sni_mode, sni_calls;
static SSL_CTX *sni_other;
static int servername_cb(SSL *s, int *al, void *arg)
{
    (void)arg;
    sni_calls++;
    if (sni_mode == 1) {
        *al = SSL_AD_UNRECOGNIZED_NAME;
        return SSL_TLSEXT_ERR_ALERT_FATAL;
    }
    if (sni_mode == 2)
        return SSL_TLSEXT_ERR_NOACK;
    if (sni_other != NULL)
        SSL_set_SSL_CTX(s, sni_other);
    return SSL_TLSEXT_ERR_OK;
}

static void servername(void)
{
    struct pair p;

    for (sni_mode = 0; sni_mode <= 2; sni_mode++) {
        const char *what = sni_mode == 0 ? "ok" : sni_mode == 1 ? "fatal" : "noack";
        pair_new(&p, 0);
        SSL_CTX_set_tlsext_servername_callback(p.sctx, servername_cb);
        sni_calls = 0;
        report_handshake(fmt("%s.handshake", what), &p);
        note(fmt("%s.calls", what), "%d", sni_calls);
        report(fmt("%s.SSL_get_servername.server", what), "%s", STR(SSL_get_servername(p.s, TLSEXT_NAMETYPE_host_name)));
        report(fmt("%s.SSL_get_servername_type.server", what), "%d", SSL_get_servername_type(p.s));
        report(fmt("%s.SSL_get_servername.client", what), "%s", STR(SSL_get_servername(p.c, TLSEXT_NAMETYPE_host_name)));
        report(fmt("%s.SSL_SESSION_get0_hostname.client", what), "%s",
               SSL_get_session(p.c) ? STR(SSL_SESSION_get0_hostname(SSL_get_session(p.c))) : "no session");
        pair_free(&p);
    }
    sni_mode = 0;

    /* The callback switches to a context with the ECDSA certificate. */
    pair_new(&p, 0);
    sni_other = SSL_CTX_new(TLS_server_method());
    SSL_CTX_use_certificate_file(sni_other, pki("ec.pem"), SSL_FILETYPE_PEM);
    SSL_CTX_use_PrivateKey_file(sni_other, pki("ec.key"), SSL_FILETYPE_PEM);
    SSL_CTX_set_tlsext_servername_callback(p.sctx, servername_cb);
    report_handshake("switch.handshake", &p);
    report("switch.client_sees", "%s", CERT(SSL_get0_peer_certificate(p.c)));
    report("switch.SSL_get_SSL_CTX", "%s", SAME(SSL_get_SSL_CTX(p.s), sni_other));
    SSL_CTX_free(sni_other);
    sni_other = NULL;
    pair_free(&p);

    /* No SNI from the client. */
    pair_new(&p, 0);
    SSL_set_tlsext_host_name(p.c, NULL);
    report_handshake("no_sni.handshake", &p);
    report("no_sni.SSL_get_servername.server", "%s", STR(SSL_get_servername(p.s, TLSEXT_NAMETYPE_host_name)));
    report("no_sni.SSL_get_servername_type.server", "%d", SSL_get_servername_type(p.s));
    pair_free(&p);
}

/* NPN: negotiated only by OpenSSL (the shim has no NPN); without it the getter reports
 * nothing and TLS 1.3 never calls the callbacks. */
static int npn_adv_calls, npn_sel_calls;
static int npn_advertise(SSL *s, const unsigned char **out, unsigned int *outlen, void *arg)
{
    static const unsigned char list[] = "\x08http/1.1\x06spdy/2";
    (void)s, (void)arg;
    npn_adv_calls++;
    *out = list;
    *outlen = sizeof(list) - 1;
    return SSL_TLSEXT_ERR_OK;
}

static int npn_select(SSL *s, unsigned char **out, unsigned char *outlen, const unsigned char *in, unsigned int inlen,
                      void *arg)
{
    static const unsigned char ours[] = "\x06spdy/2";
    (void)s, (void)arg;
    npn_sel_calls++;
    SSL_select_next_proto(out, outlen, in, inlen, ours, sizeof(ours) - 1);
    return SSL_TLSEXT_ERR_OK;
}

static void npn(int version, const char *what)
{
    struct pair p;
    const unsigned char *proto = SENT;
    unsigned int len = SENT_INT;

    npn_adv_calls = npn_sel_calls = 0;
    pair_new(&p, version);
    SSL_CTX_set_next_protos_advertised_cb(p.sctx, npn_advertise, NULL);
    report(fmt("%s.SSL_CTX_set_next_protos_advertised_cb", what), "void");
    SSL_CTX_set_next_proto_select_cb(p.cctx, npn_select, NULL);
    report(fmt("%s.SSL_CTX_set_next_proto_select_cb", what), "void");
    SSL_free(p.c);
    SSL_free(p.s);
    pair_connect(&p);
    SSL_get0_next_proto_negotiated(p.c, &proto, &len);
    report(fmt("%s.SSL_get0_next_proto_negotiated.before", what), "%s, len %u", P(proto), len);
    report_handshake(fmt("%s.handshake", what), &p);
    note(fmt("%s.advertised_calls", what), "%d", npn_adv_calls);
    note(fmt("%s.select_calls", what), "%d", npn_sel_calls);
    proto = SENT;
    len = SENT_INT;
    SSL_get0_next_proto_negotiated(p.c, &proto, &len);
    report(fmt("%s.SSL_get0_next_proto_negotiated.client", what), "%s", proto == SENT || proto == NULL ? fmt("%s, len %u", P(proto), len) : fmt("\"%.*s\"", (int)len, proto));
    proto = SENT;
    len = SENT_INT;
    SSL_get0_next_proto_negotiated(p.s, &proto, &len);
    report(fmt("%s.SSL_get0_next_proto_negotiated.server", what), "%s", proto == SENT || proto == NULL ? fmt("%s, len %u", P(proto), len) : fmt("\"%.*s\"", (int)len, proto));
    pair_free(&p);
}

static void npn_tls12(void)
{
    npn(TLS1_2_VERSION, "npn_tls12");
}

static void npn_tls13(void)
{
    npn(TLS1_3_VERSION, "npn_tls13");
}

/* Custom extensions, old-style (client/server, TLS 1.2 contexts) and new-style. */
static int ext_add_calls[2], ext_parse_calls[2], ext_free_calls[2];
static char ext_seen[2][32];

static int old_add(SSL *s, unsigned int type, const unsigned char **out, size_t *outlen, int *al, void *arg)
{
    int server = SSL_is_server(s);
    (void)type, (void)al, (void)arg;
    ext_add_calls[server]++;
    *out = (const unsigned char *)(server ? "from-server" : "from-client");
    *outlen = 11;
    return 1;
}

static void old_free(SSL *s, unsigned int type, const unsigned char *out, void *arg)
{
    (void)type, (void)out, (void)arg;
    ext_free_calls[SSL_is_server(s)]++;
}

static int old_parse(SSL *s, unsigned int type, const unsigned char *in, size_t inlen, int *al, void *arg)
{
    int server = SSL_is_server(s);
    (void)type, (void)al, (void)arg;
    ext_parse_calls[server]++;
    snprintf(ext_seen[server], sizeof(ext_seen[0]), "%.*s", (int)inlen, in);
    return 1;
}

static int new_add(SSL *s, unsigned int type, unsigned int context, const unsigned char **out, size_t *outlen, X509 *x,
                   size_t chainidx, int *al, void *arg)
{
    (void)context, (void)x, (void)chainidx;
    return old_add(s, type, out, outlen, al, arg);
}

static void new_free(SSL *s, unsigned int type, unsigned int context, const unsigned char *out, void *arg)
{
    (void)context;
    old_free(s, type, out, arg);
}

static int new_parse(SSL *s, unsigned int type, unsigned int context, const unsigned char *in, size_t inlen, X509 *x,
                     size_t chainidx, int *al, void *arg)
{
    (void)context, (void)x, (void)chainidx;
    return old_parse(s, type, in, inlen, al, arg);
}

static void custom_ext(int version)
{
    struct pair p;
    unsigned int ctx13 = SSL_EXT_CLIENT_HELLO | SSL_EXT_TLS1_3_ENCRYPTED_EXTENSIONS | SSL_EXT_TLS1_2_SERVER_HELLO;

    memset(ext_add_calls, 0, sizeof(ext_add_calls));
    memset(ext_parse_calls, 0, sizeof(ext_parse_calls));
    memset(ext_free_calls, 0, sizeof(ext_free_calls));
    memset(ext_seen, 0, sizeof(ext_seen));
    pair_new(&p, version);
    report("SSL_CTX_add_client_custom_ext", "%d", SSL_CTX_add_client_custom_ext(p.cctx, 1000, old_add, old_free, NULL, old_parse, NULL));
    report("SSL_CTX_add_client_custom_ext.duplicate", "%d", SSL_CTX_add_client_custom_ext(p.cctx, 1000, old_add, old_free, NULL, old_parse, NULL));
    report("SSL_CTX_add_client_custom_ext.builtin", "%d", SSL_CTX_add_client_custom_ext(p.cctx, TLSEXT_TYPE_server_name, old_add, old_free, NULL, old_parse, NULL));
    report("SSL_CTX_add_server_custom_ext", "%d", SSL_CTX_add_server_custom_ext(p.sctx, 1000, old_add, old_free, NULL, old_parse, NULL));
    report("SSL_CTX_add_custom_ext", "%d", SSL_CTX_add_custom_ext(p.cctx, 1001, ctx13, new_add, new_free, NULL, new_parse, NULL));
    report("SSL_CTX_add_custom_ext.server", "%d", SSL_CTX_add_custom_ext(p.sctx, 1001, ctx13, new_add, new_free, NULL, new_parse, NULL));
    report("SSL_CTX_add_custom_ext.too_big_type", "%d", SSL_CTX_add_custom_ext(p.sctx, 70000, ctx13, new_add, new_free, NULL, new_parse, NULL));
    report("SSL_CTX_has_client_custom_ext", "%d", SSL_CTX_has_client_custom_ext(p.cctx, 1000));
    report("SSL_CTX_has_client_custom_ext.new_style", "%d", SSL_CTX_has_client_custom_ext(p.cctx, 1001));
    report("SSL_CTX_has_client_custom_ext.absent", "%d", SSL_CTX_has_client_custom_ext(p.cctx, 1002));
    SSL_free(p.c);
    SSL_free(p.s);
    pair_connect(&p);
    report_handshake("handshake", &p);
    note("client.add_calls", "%d", ext_add_calls[0]);
    note("server.add_calls", "%d", ext_add_calls[1]);
    note("client.parse_calls", "%d", ext_parse_calls[0]);
    note("server.parse_calls", "%d", ext_parse_calls[1]);
    note("client.free_calls", "%d", ext_free_calls[0]);
    note("server.free_calls", "%d", ext_free_calls[1]);
    note("client.seen", "%s", STR(ext_seen[0]));
    note("server.seen", "%s", STR(ext_seen[1]));
    pair_free(&p);
}

static void custom_ext_tls12(void)
{
    custom_ext(TLS1_2_VERSION);
}

static void custom_ext_tls13(void)
{
    custom_ext(TLS1_3_VERSION);
}

static void extension_supported(void)
{
    static const unsigned int types[] = {0, 1, 5, 10, 11, 13, 15, 16, 18, 21, 22, 23, 35, 41, 42, 43, 44, 45, 47, 49, 51, 13172, 65281, 1000, 65535};
    for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
        report(fmt("SSL_extension_supported.%u", types[i]), "%d", SSL_extension_supported(types[i]));
}

/* SRTP profiles (DTLS-SRTP): the settings and getters, as on a connection that does not
 * negotiate them. */
static void srtp(void)
{
    struct pair p;
    STACK_OF(SRTP_PROTECTION_PROFILE) *sk;

    pair_new(&p, TLS1_2_VERSION);
    report("SSL_CTX_set_tlsext_use_srtp", "%d", SSL_CTX_set_tlsext_use_srtp(p.cctx, "SRTP_AES128_CM_SHA1_80:SRTP_AEAD_AES_128_GCM"));
    report("SSL_CTX_set_tlsext_use_srtp.unknown", "%d", SSL_CTX_set_tlsext_use_srtp(p.sctx, "SRTP_FOO"));
    report("SSL_CTX_set_tlsext_use_srtp.server", "%d", SSL_CTX_set_tlsext_use_srtp(p.sctx, "SRTP_AEAD_AES_128_GCM"));
    SSL_free(p.c);
    SSL_free(p.s);
    pair_connect(&p);
    sk = SSL_get_srtp_profiles(p.c);
    report("SSL_get_srtp_profiles.inherited", "%d [%s%s%s]", sk ? sk_SRTP_PROTECTION_PROFILE_num(sk) : -1,
           sk && sk_SRTP_PROTECTION_PROFILE_num(sk) > 0 ? sk_SRTP_PROTECTION_PROFILE_value(sk, 0)->name : "",
           sk && sk_SRTP_PROTECTION_PROFILE_num(sk) > 1 ? ", " : "",
           sk && sk_SRTP_PROTECTION_PROFILE_num(sk) > 1 ? sk_SRTP_PROTECTION_PROFILE_value(sk, 1)->name : "");
    report("SSL_set_tlsext_use_srtp", "%d", SSL_set_tlsext_use_srtp(p.c, "SRTP_AEAD_AES_128_GCM:SRTP_AES128_CM_SHA1_32"));
    report("SSL_set_tlsext_use_srtp.unknown", "%d", SSL_set_tlsext_use_srtp(p.c, "SRTP_BAR"));
    sk = SSL_get_srtp_profiles(p.c);
    report("SSL_get_srtp_profiles", "%d", sk ? sk_SRTP_PROTECTION_PROFILE_num(sk) : -1);
    report("SSL_get_selected_srtp_profile.before", "%s", P(SSL_get_selected_srtp_profile(p.c)));
    /* No handshake: OpenSSL negotiates use_srtp only for DTLS (a TLS server rejects the
     * extension), and the shim has no DTLS. */
    pair_free(&p);

    /* Neither side asked for SRTP. */
    pair_up(&p, 0);
    report("SSL_get_srtp_profiles.none", "%s", P(SSL_get_srtp_profiles(p.c)));
    report("SSL_get_selected_srtp_profile.none", "%s", P(SSL_get_selected_srtp_profile(p.c)));
    pair_free(&p);
}

/* The informational callbacks during a handshake, a data exchange and a shutdown. */
static struct {
    int start, done, loop, exit, alert_read, alert_write, other;
    char alerts[256];
} info[2];

static void info_cb(const SSL *s, int where, int ret)
{
    int i = SSL_is_server(s);
    if (where & SSL_CB_HANDSHAKE_START)
        info[i].start++;
    if (where & SSL_CB_HANDSHAKE_DONE)
        info[i].done++;
    if (where & SSL_CB_LOOP)
        info[i].loop++;
    if (where & SSL_CB_EXIT)
        info[i].exit++;
    if (where & SSL_CB_ALERT) {
        size_t n = strlen(info[i].alerts);
        if (where & SSL_CB_READ)
            info[i].alert_read++;
        else
            info[i].alert_write++;
        snprintf(info[i].alerts + n, sizeof(info[i].alerts) - n, "%s%s %s/%s %s/%s", n ? "; " : "", (where & SSL_CB_READ) ? "read" : "write",
                 SSL_alert_type_string(ret), SSL_alert_desc_string(ret), SSL_alert_type_string_long(ret), SSL_alert_desc_string_long(ret));
    }
}

static int msg_types[2][300];
static void msg_cb(int write_p, int version, int content_type, const void *buf, size_t len, SSL *ssl, void *arg)
{
    (void)write_p, (void)version, (void)buf, (void)len, (void)arg;
    if (content_type >= 0 && content_type < 300)
        msg_types[SSL_is_server(ssl)][content_type]++;
}

static char keylog[2][512];
static void keylog_cb(const SSL *s, const char *line)
{
    int i = SSL_is_server(s);
    size_t n = strlen(keylog[i]), label = strcspn(line, " ");
    size_t fields = 1;
    for (const char *c = line; *c; c++)
        fields += *c == ' ';
    snprintf(keylog[i] + n, sizeof(keylog[i]) - n, "%s%.*s(%zu fields, %zu chars)", n ? " " : "", (int)label, line, fields, strlen(line));
}

static void observe(int version)
{
    struct pair p;
    const char *side[2] = {"client", "server"};

    memset(info, 0, sizeof(info));
    memset(msg_types, 0, sizeof(msg_types));
    memset(keylog, 0, sizeof(keylog));
    pair_new(&p, version);
    SSL_CTX_set_info_callback(p.cctx, info_cb);
    SSL_CTX_set_info_callback(p.sctx, info_cb);
    SSL_CTX_set_msg_callback(p.cctx, msg_cb);
    SSL_CTX_set_msg_callback(p.sctx, msg_cb);
    SSL_CTX_set_keylog_callback(p.cctx, keylog_cb);
    SSL_CTX_set_keylog_callback(p.sctx, keylog_cb);
    SSL_free(p.c);
    SSL_free(p.s);
    pair_connect(&p);
    if (!pair_handshake(&p) || !pair_exchange(&p))
        fixture_failed("handshake");
    pair_shutdown(&p);
    for (int i = 0; i < 2; i++) {
        char types[256] = "";
        note(fmt("SSL_CTX_set_info_callback.%s.handshake_start", side[i]), "%d", info[i].start);
        note(fmt("SSL_CTX_set_info_callback.%s.handshake_done", side[i]), "%d", info[i].done);
        note(fmt("SSL_CTX_set_info_callback.%s.loop", side[i]), "%s", info[i].loop > 0 ? "> 0" : "0");
        note(fmt("SSL_CTX_set_info_callback.%s.exit", side[i]), "%s", info[i].exit > 0 ? "> 0" : "0");
        note(fmt("SSL_CTX_set_info_callback.%s.alerts", side[i]), "%s", info[i].alerts);
        for (int t = 0; t < 300; t++)
            if (msg_types[i][t])
                snprintf(types + strlen(types), sizeof(types) - strlen(types), "%s%d", types[0] ? "," : "", t);
        note(fmt("SSL_CTX_set_msg_callback.%s.content_types", side[i]), "%s", types);
        note(fmt("SSL_CTX_set_keylog_callback.%s", side[i]), "%s", keylog[i]);
    }
    pair_free(&p);
}

static void observe_tls12(void)
{
    observe(TLS1_2_VERSION);
}

static void observe_tls13(void)
{
    observe(TLS1_3_VERSION);
}

static void alert_strings(void)
{
    static const int values[] = {0x0100, 0x0101, 0x010a, 0x0114, 0x0128, 0x022a, 0x022e, 0x0230, 0x0232, 0x0233, 0x0246, 0x0250,
                                 0x025a, 0x026d, 0x0270, 0x0273, 0x0274, 0x0278, 0x0200, 0x0264, 0x02ff, 0x0300, 0x0000};
    for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
        int v = values[i];
        report(fmt("SSL_alert_type_string.%04x", v), "%s", STR(SSL_alert_type_string(v)));
        report(fmt("SSL_alert_type_string_long.%04x", v), "%s", STR(SSL_alert_type_string_long(v)));
        report(fmt("SSL_alert_desc_string.%04x", v), "%s", STR(SSL_alert_desc_string(v)));
        report(fmt("SSL_alert_desc_string_long.%04x", v), "%s", STR(SSL_alert_desc_string_long(v)));
    }
}

/* SSL_trace, called the way OpenSSL calls a message callback, on fixed input. */
static void trace(void)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_method());
    SSL *ssl = SSL_new(ctx);
    BIO *b = BIO_new(BIO_s_mem());
    static const unsigned char alert[] = {1, 0}, header[] = {0x15, 0x03, 0x03, 0x00, 0x02};
    char line[256];
    int n = 0;

    SSL_trace(1, TLS1_2_VERSION, SSL3_RT_HEADER, header, sizeof(header), ssl, b);
    SSL_trace(1, TLS1_2_VERSION, SSL3_RT_ALERT, alert, sizeof(alert), ssl, b);
    SSL_trace(0, TLS1_3_VERSION, SSL3_RT_CHANGE_CIPHER_SPEC, alert, 1, ssl, b);
    report("SSL_trace", "void");
    while (BIO_gets(b, line, sizeof(line)) > 0) {
        line[strcspn(line, "\n")] = 0;
        note(fmt("SSL_trace.line%02d", n++), "%s", line);
    }
    note("SSL_trace.lines", "%d", n);
    BIO_free(b);

    /* As a message callback through a whole handshake. */
    {
        struct pair p;
        pair_new(&p, 0);
        b = BIO_new(BIO_s_mem());
        SSL_set_msg_callback(p.c, SSL_trace);
        SSL_set_msg_callback_arg(p.c, b);
        report_handshake("SSL_trace.as_msg_callback.handshake", &p);
        report("SSL_trace.as_msg_callback.text", "%s", BIO_ctrl_pending(b) > 1000 ? "> 1000 bytes" : fmt("%d bytes", (int)BIO_ctrl_pending(b)));
        BIO_free(b);
        pair_free(&p);
    }
    SSL_free(ssl);
    SSL_CTX_free(ctx);
}

/* The whole sequence of info-callback events (with the state each one sees) and of
 * protocol messages the message callback reports, through handshakes, a key update, the
 * shutdown and failing handshakes. Record headers and inner content types (256, 257) are
 * left out: how many records a flight takes is the TLS implementation's choice (rustls
 * puts several handshake messages in one record where OpenSSL writes one each). */
static char trail[2][8192];
static void trail_add(int side, const char *s)
{
    size_t n = strlen(trail[side]);
    snprintf(trail[side] + n, sizeof(trail[side]) - n, "%s%s", n ? " " : "", s);
}

static void trail_info(const SSL *s, int where, int ret)
{
    int i = SSL_is_server(s);
    if (where & SSL_CB_HANDSHAKE_START)
        trail_add(i, "start");
    if (where & SSL_CB_HANDSHAKE_DONE)
        trail_add(i, fmt("done:%s", SSL_state_string(s)));
    if (where & SSL_CB_LOOP)
        trail_add(i, fmt("loop:%s", SSL_state_string(s)));
    if (where & SSL_CB_EXIT)
        trail_add(i, fmt("exit%d:%s", ret, SSL_state_string(s)));
    if (where & SSL_CB_ALERT)
        trail_add(i, fmt("alert%s%s/%s", (where & SSL_CB_READ) ? "<" : ">", SSL_alert_type_string(ret), SSL_alert_desc_string(ret)));
}

static void trail_msg(int write_p, int version, int content_type, const void *buf, size_t len, SSL *ssl, void *arg)
{
    const unsigned char *b = buf;
    (void)arg;
    if (content_type == SSL3_RT_HEADER || content_type == SSL3_RT_INNER_CONTENT_TYPE)
        return;
    if (content_type == SSL3_RT_HANDSHAKE)
        trail_add(SSL_is_server(ssl), fmt("%s%d.%d/%x", write_p ? ">" : "<", content_type, b[0], (unsigned)version));
    else
        trail_add(SSL_is_server(ssl), fmt("%s%d(%zu)/%x", write_p ? ">" : "<", content_type, len, (unsigned)version));
}

static void trail_start(struct pair *p)
{
    memset(trail, 0, sizeof(trail));
    SSL_set_info_callback(p->c, trail_info);
    SSL_set_info_callback(p->s, trail_info);
    SSL_set_msg_callback(p->c, trail_msg);
    SSL_set_msg_callback(p->s, trail_msg);
}

static void trail_report(const char *name, struct pair *p)
{
    note(fmt("%s.client", name), "%s", trail[0]);
    note(fmt("%s.server", name), "%s", trail[1]);
    report(fmt("%s.SSL_state_string_long", name), "\"%s\" / \"%s\"", SSL_state_string_long(p->c), SSL_state_string_long(p->s));
    memset(trail, 0, sizeof(trail));
}

static void sequence(int version, int client_cert)
{
    struct pair p;
    char b;

    pair_new(&p, version);
    if (client_cert) {
        client_ctx_cert(p.cctx);
        SSL_CTX_set_verify(p.sctx, SSL_VERIFY_PEER, NULL);
        SSL_free(p.c);
        SSL_free(p.s);
        pair_connect(&p);
    }
    trail_start(&p);
    report_handshake("handshake", &p);
    trail_report("handshake", &p);
    pair_exchange(&p);
    trail_report("exchange", &p);
    if (version == TLS1_3_VERSION) {
        report("SSL_key_update", "%d", SSL_key_update(p.c, SSL_KEY_UPDATE_REQUESTED));
        report("SSL_write.key_update", "%d", SSL_write(p.c, "k", 1));
        report("SSL_read.key_update", "%d", SSL_read(p.s, &b, 1));
        report("SSL_write.key_update_reply", "%d", SSL_write(p.s, "k", 1));
        report("SSL_read.key_update_reply", "%d", SSL_read(p.c, &b, 1));
        trail_report("key_update", &p);
    }
    pair_shutdown(&p);
    trail_report("shutdown", &p);
    pair_free(&p);
}

static void sequence_tls13(void)
{
    sequence(TLS1_3_VERSION, 0);
}

static void sequence_tls12(void)
{
    sequence(TLS1_2_VERSION, 0);
}

static void sequence_client_cert_tls13(void)
{
    sequence(TLS1_3_VERSION, 1);
}

static void sequence_client_cert_tls12(void)
{
    sequence(TLS1_2_VERSION, 1);
}

/* Handshakes that fail: a server the client does not trust (both versions), and a TLS 1.3
 * client without the certificate the server requires. */
static void sequence_failures(void)
{
    struct pair p;
    const int versions[] = {TLS1_3_VERSION, TLS1_2_VERSION};

    for (int i = 0; i < 2; i++) {
        const char *v = versions[i] == TLS1_3_VERSION ? "tls13" : "tls12";
        int r;
        pair_new(&p, versions[i]);
        SSL_CTX_free(p.cctx);
        p.cctx = client_ctx(versions[i]);
        SSL_CTX_set_cert_store(p.cctx, X509_STORE_new());
        SSL_free(p.c);
        SSL_free(p.s);
        pair_connect(&p);
        trail_start(&p);
        report_handshake(fmt("untrusted_%s.handshake", v), &p);
        r = SSL_do_handshake(p.s);
        report(fmt("untrusted_%s.server_handshake", v), "%d, SSL_get_error %d", r, SSL_get_error(p.s, r));
        trail_report(fmt("untrusted_%s", v), &p);
        pair_free(&p);
    }
    pair_new(&p, TLS1_3_VERSION);
    SSL_CTX_set_verify(p.sctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
    SSL_free(p.c);
    SSL_free(p.s);
    pair_connect(&p);
    trail_start(&p);
    report_handshake("no_client_cert_tls13.handshake", &p);
    {
        char b;
        SSL_read(p.c, &b, 1);
        ERR_clear_error();
    }
    trail_report("no_client_cert_tls13", &p);
    pair_free(&p);
}

/* haproxy's crt-list: its ClientHello callback switches to a context with a cipher list of
 * its own and sets the connection's versions. The connection then uses that context's list
 * with its own server preference, unless it set a list of its own before. */
static SSL_CTX *switch_to;
static int switching_hello_cb(SSL *s, int *al, void *arg)
{
    (void)al, (void)arg;
    SSL_set_verify(s, SSL_CTX_get_verify_mode(switch_to), NULL);
    SSL_set_SSL_CTX(s, switch_to);
    SSL_set_min_proto_version(s, TLS1_2_VERSION);
    return SSL_CLIENT_HELLO_SUCCESS;
}

static void switch_ciphers_case(const char *name, int version, const char *own_list)
{
    struct pair p;

    pair_new(&p, version);
    SSL_CTX_set_options(p.sctx, SSL_OP_CIPHER_SERVER_PREFERENCE);
    SSL_CTX_set_client_hello_cb(p.sctx, switching_hello_cb, NULL);
    switch_to = server_ctx();
    SSL_CTX_set_options(switch_to, SSL_OP_CIPHER_SERVER_PREFERENCE);
    SSL_CTX_set_cipher_list(switch_to, "ECDHE-RSA-CHACHA20-POLY1305:ECDHE-RSA-AES128-GCM-SHA256");
    SSL_CTX_set_ciphersuites(switch_to, "TLS_CHACHA20_POLY1305_SHA256");
    if (own_list != NULL)
        report(fmt("%s.SSL_set_cipher_list", name), "%d", SSL_set_cipher_list(p.s, own_list));
    report_handshake(fmt("%s.handshake", name), &p);
    report(fmt("%s.cipher", name), "%s", CIPHER(SSL_get_current_cipher(p.s)));
    report(fmt("%s.SSL_get_cipher_list.0", name), "%s", STR(SSL_get_cipher_list(p.s, 0)));
    report(fmt("%s.SSL_get_SSL_CTX", name), "%s", SAME(SSL_get_SSL_CTX(p.s), switch_to));
    pair_free(&p);
    SSL_CTX_free(switch_to);
    switch_to = NULL;
}

static void switch_ciphers(void)
{
    switch_ciphers_case("tls12", TLS1_2_VERSION, NULL);
    switch_ciphers_case("tls13", TLS1_3_VERSION, NULL);
    switch_ciphers_case("tls12_own_list", TLS1_2_VERSION, "ECDHE-RSA-AES256-GCM-SHA384");
}

GROUPS({"client_hello", client_hello, NULL}, {"switch_ciphers", switch_ciphers, NULL},
       {"select_next_proto", select_next_proto, NULL}, {"alpn_tls12", alpn_tls12, NULL},
       {"alpn_tls13", alpn_tls13, NULL}, {"servername", servername, NULL}, {"npn_tls12", npn_tls12, NULL},
       {"npn_tls13", npn_tls13, NULL}, {"custom_ext_tls12", custom_ext_tls12, NULL}, {"custom_ext_tls13", custom_ext_tls13, NULL},
       {"extension_supported", extension_supported, NULL}, {"srtp", srtp, NULL}, {"observe_tls12", observe_tls12, NULL},
       {"observe_tls13", observe_tls13, NULL}, {"alert_strings", alert_strings, NULL}, {"trace", trace, NULL},
       {"sequence_tls13", sequence_tls13, NULL}, {"sequence_tls12", sequence_tls12, NULL},
       {"sequence_client_cert_tls13", sequence_client_cert_tls13, NULL},
       {"sequence_client_cert_tls12", sequence_client_cert_tls12, NULL}, {"sequence_failures", sequence_failures, NULL})
