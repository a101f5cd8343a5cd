/* Export contract: the SSL_METHOD constructors (TLS and DTLS, generic and per version), what
 * a context and a connection made from each report, switching methods, and handshakes
 * through the per-version methods. (The DTLS-only calls are in dtls_srp_psk.c.) */
#include "contract.h"

struct method {
    const char *name;
    const SSL_METHOD *(*fn)(void);
};

/* The method by a direct call of its constructor, as programs make it (the table below holds
 * the same functions as pointers). */
static const SSL_METHOD *direct_call(const char *name)
{
    if (strcmp(name, "TLS_method") == 0)
        return TLS_method();
    if (strcmp(name, "TLS_client_method") == 0)
        return TLS_client_method();
    if (strcmp(name, "TLS_server_method") == 0)
        return TLS_server_method();
    if (strcmp(name, "TLSv1_method") == 0)
        return TLSv1_method();
    if (strcmp(name, "TLSv1_client_method") == 0)
        return TLSv1_client_method();
    if (strcmp(name, "TLSv1_server_method") == 0)
        return TLSv1_server_method();
    if (strcmp(name, "TLSv1_1_method") == 0)
        return TLSv1_1_method();
    if (strcmp(name, "TLSv1_1_client_method") == 0)
        return TLSv1_1_client_method();
    if (strcmp(name, "TLSv1_1_server_method") == 0)
        return TLSv1_1_server_method();
    if (strcmp(name, "TLSv1_2_method") == 0)
        return TLSv1_2_method();
    if (strcmp(name, "TLSv1_2_client_method") == 0)
        return TLSv1_2_client_method();
    if (strcmp(name, "TLSv1_2_server_method") == 0)
        return TLSv1_2_server_method();
    if (strcmp(name, "DTLS_method") == 0)
        return DTLS_method();
    if (strcmp(name, "DTLS_client_method") == 0)
        return DTLS_client_method();
    if (strcmp(name, "DTLS_server_method") == 0)
        return DTLS_server_method();
    if (strcmp(name, "DTLSv1_method") == 0)
        return DTLSv1_method();
    if (strcmp(name, "DTLSv1_client_method") == 0)
        return DTLSv1_client_method();
    if (strcmp(name, "DTLSv1_server_method") == 0)
        return DTLSv1_server_method();
    if (strcmp(name, "DTLSv1_2_method") == 0)
        return DTLSv1_2_method();
    if (strcmp(name, "DTLSv1_2_client_method") == 0)
        return DTLSv1_2_client_method();
    if (strcmp(name, "DTLSv1_2_server_method") == 0)
        return DTLSv1_2_server_method();
    return NULL;
}

/* One group per method: the method, a context and a connection made from it. */
static void method_group(void)
{
    const struct method *m = group_arg;
    const SSL_METHOD *meth = m->fn(), *again = m->fn();
    SSL_CTX *ctx;
    SSL *ssl;

    report("method", "%s, second call %s", P(meth), SAME(again, meth));
    report("method.direct_call", "%s", SAME(direct_call(m->name), meth));
    ctx = SSL_CTX_new(meth);
    report("SSL_CTX_new", "%s", P(ctx));
    if (ctx == NULL)
        return;
    report("SSL_CTX_get_ssl_method", "%s", SAME(SSL_CTX_get_ssl_method(ctx), meth));
    report("SSL_CTX_get_min_proto_version", "%#lx", (unsigned long)SSL_CTX_get_min_proto_version(ctx));
    report("SSL_CTX_get_max_proto_version", "%#lx", (unsigned long)SSL_CTX_get_max_proto_version(ctx));
    ssl = SSL_new(ctx);
    report("SSL_new", "%s", P(ssl));
    if (ssl != NULL) {
        report("SSL_get_ssl_method", "%s", SAME(SSL_get_ssl_method(ssl), meth));
        report("SSL_is_dtls", "%d", SSL_is_dtls(ssl));
        report("SSL_version", "%#x", (unsigned)SSL_version(ssl));
        report("SSL_client_version", "%#x", (unsigned)SSL_client_version(ssl));
        report("SSL_get_version", "%s", STR(SSL_get_version(ssl)));
        report("SSL_is_server", "%d", SSL_is_server(ssl));
        report("SSL_in_before", "%d", SSL_in_before(ssl));
        report("SSL_get_min_proto_version", "%#lx", (unsigned long)SSL_get_min_proto_version(ssl));
        report("SSL_get_max_proto_version", "%#lx", (unsigned long)SSL_get_max_proto_version(ssl));
    }
    SSL_free(ssl);
    SSL_CTX_free(ctx);
}

#define M(fn) {#fn, fn}
static const struct method methods[] = {
    M(TLS_method),
    M(TLS_client_method),
    M(TLS_server_method),
    M(TLSv1_method),
    M(TLSv1_client_method),
    M(TLSv1_server_method),
    M(TLSv1_1_method),
    M(TLSv1_1_client_method),
    M(TLSv1_1_server_method),
    M(TLSv1_2_method),
    M(TLSv1_2_client_method),
    M(TLSv1_2_server_method),
    M(DTLS_method),
    M(DTLS_client_method),
    M(DTLS_server_method),
    M(DTLSv1_method),
    M(DTLSv1_client_method),
    M(DTLSv1_server_method),
    M(DTLSv1_2_method),
    M(DTLSv1_2_client_method),
    M(DTLSv1_2_server_method),
};

static void switching(void)
{
    SSL_CTX *ctx;
    SSL *ssl;

    report("SSL_CTX_new.null_method", "%s", P(SSL_CTX_new(NULL)));
    ctx = SSL_CTX_new_ex(NULL, NULL, TLS_method());
    report("SSL_CTX_new_ex.default_libctx", "%s", P(ctx));
    report("SSL_CTX_new_ex.get_ssl_method", "%s", SAME(SSL_CTX_get_ssl_method(ctx), TLS_method()));
    SSL_CTX_free(ctx);
    report("SSL_CTX_new_ex.null_method", "%s", P(SSL_CTX_new_ex(NULL, NULL, NULL)));

    ctx = SSL_CTX_new(TLS_method());
    report("SSL_CTX_set_ssl_version.tls12", "%d", SSL_CTX_set_ssl_version(ctx, TLSv1_2_method()));
    report("SSL_CTX_set_ssl_version.get", "%s", SAME(SSL_CTX_get_ssl_method(ctx), TLSv1_2_method()));
    report("SSL_CTX_set_ssl_version.client", "%d", SSL_CTX_set_ssl_version(ctx, TLS_client_method()));
    ssl = SSL_new(ctx);
    report("SSL_new.after_set_ssl_version", "%s", P(ssl));
    report("SSL_get_ssl_method.inherited", "%s", SAME(SSL_get_ssl_method(ssl), TLS_client_method()));
    report("SSL_set_ssl_method.server", "%d", SSL_set_ssl_method(ssl, TLS_server_method()));
    report("SSL_set_ssl_method.get", "%s", SAME(SSL_get_ssl_method(ssl), TLS_server_method()));
    report("SSL_set_ssl_method.tls12", "%d", SSL_set_ssl_method(ssl, TLSv1_2_method()));
    report("SSL_set_ssl_method.tls12.version", "%#x", (unsigned)SSL_version(ssl));
    report("SSL_set_ssl_method.tls12.get_version", "%s", STR(SSL_get_version(ssl)));
    report("SSL_set_ssl_method.back", "%d", SSL_set_ssl_method(ssl, TLS_method()));
    report("SSL_set_ssl_method.back.version", "%#x", (unsigned)SSL_version(ssl));
    SSL_free(ssl);
    SSL_CTX_free(ctx);
}

/* A client made with a per-version method against a TLS_server_method server. */
static void versioned_handshake(const char *name, const SSL_METHOD *client_method)
{
    struct pair p;
    int ok;

    p.sctx = server_ctx();
    p.cctx = SSL_CTX_new(client_method);
    if (p.cctx == NULL) {
        report(name, "client context NULL");
        SSL_CTX_free(p.sctx);
        return;
    }
    SSL_CTX_load_verify_locations(p.cctx, pki("root.pem"), NULL);
    SSL_CTX_set_verify(p.cctx, SSL_VERIFY_PEER, NULL);
    pair_connect(&p);
    ok = pair_handshake(&p);
    report(name, "handshake %s, versions %s / %s", HS(&p, ok), STR(SSL_get_version(p.c)),
           STR(SSL_get_version(p.s)));
    pair_free(&p);
}

static void handshakes(void)
{
    versioned_handshake("TLSv1_2_client_method.handshake", TLSv1_2_client_method());
    versioned_handshake("TLS_client_method.handshake", TLS_client_method());
    versioned_handshake("TLSv1_client_method.handshake", TLSv1_client_method());
    versioned_handshake("TLSv1_1_client_method.handshake", TLSv1_1_client_method());
    versioned_handshake("TLSv1_2_method.handshake", TLSv1_2_method());
}

int main(void)
{
    struct group groups[sizeof(methods) / sizeof(methods[0]) + 2];
    size_t n = 0;
    for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
        groups[n++] = (struct group){methods[i].name, method_group, &methods[i]};
    groups[n++] = (struct group){"switching", switching, NULL};
    groups[n++] = (struct group){"handshakes", handshakes, NULL};
    return run_groups(groups, n);
}
