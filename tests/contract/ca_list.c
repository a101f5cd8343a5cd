/* Export contract: CA name lists: the client CA list a server sends in its certificate
 * request, the TLS 1.3 certificate_authorities list either side may send, loading names
 * from files, directories and stores, and what each side receives. */
#include "contract.h"

static void loading(void)
{
    STACK_OF(X509_NAME) *sk, *dup;

    sk = SSL_load_client_CA_file(pki("root.pem"));
    report("SSL_load_client_CA_file", "%s", NAMES(sk));
    sk_X509_NAME_pop_free(sk, X509_NAME_free);
    sk = SSL_load_client_CA_file(pki("server-chain.pem"));
    report("SSL_load_client_CA_file.two", "%s", NAMES(sk));
    dup = SSL_dup_CA_list(sk);
    report("SSL_dup_CA_list", "%s, distinct %d", NAMES(dup), dup != sk);
    sk_X509_NAME_pop_free(dup, X509_NAME_free);
    sk_X509_NAME_pop_free(sk, X509_NAME_free);
    report("SSL_load_client_CA_file.missing", "%s", NAMES(SSL_load_client_CA_file(pki("missing.pem"))));
    report("SSL_load_client_CA_file.no_certs", "%s", NAMES(SSL_load_client_CA_file(pki("server.key"))));
    sk = SSL_load_client_CA_file_ex(pki("inter.pem"), NULL, NULL);
    report("SSL_load_client_CA_file_ex", "%s", NAMES(sk));
    sk_X509_NAME_pop_free(sk, X509_NAME_free);
    report("SSL_load_client_CA_file_ex.missing", "%s", NAMES(SSL_load_client_CA_file_ex(pki("missing.pem"), NULL, NULL)));

    sk = sk_X509_NAME_new_null();
    report("SSL_add_file_cert_subjects_to_stack", "%d", SSL_add_file_cert_subjects_to_stack(sk, pki("server-chain.pem")));
    report("SSL_add_file_cert_subjects_to_stack.stack", "%s", NAMES(sk));
    report("SSL_add_file_cert_subjects_to_stack.duplicates", "%d", SSL_add_file_cert_subjects_to_stack(sk, pki("inter.pem")));
    report("SSL_add_file_cert_subjects_to_stack.stack_after_duplicates", "%s", NAMES(sk));
    report("SSL_add_file_cert_subjects_to_stack.missing", "%d", SSL_add_file_cert_subjects_to_stack(sk, pki("missing.pem")));
    report("SSL_add_dir_cert_subjects_to_stack", "%d", SSL_add_dir_cert_subjects_to_stack(sk, pki("hashdir")));
    report("SSL_add_dir_cert_subjects_to_stack.stack", "%s", NAMES(sk));
    report("SSL_add_dir_cert_subjects_to_stack.missing", "%d", SSL_add_dir_cert_subjects_to_stack(sk, pki("missing-dir")));
    report("SSL_add_store_cert_subjects_to_stack", "%d", SSL_add_store_cert_subjects_to_stack(sk, fmt("file:%s", pki("client.pem"))));
    report("SSL_add_store_cert_subjects_to_stack.stack", "%s", NAMES(sk));
    report("SSL_add_store_cert_subjects_to_stack.missing", "%d", SSL_add_store_cert_subjects_to_stack(sk, fmt("file:%s", pki("missing.pem"))));
    sk_X509_NAME_pop_free(sk, X509_NAME_free);
}

static void ctx_lists(void)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
    X509 *root = load_cert("root.pem"), *inter = load_cert("inter.pem");
    STACK_OF(X509_NAME) *sk;
    SSL *ssl;

    report("SSL_CTX_get_client_CA_list.default", "%s", NAMES(SSL_CTX_get_client_CA_list(ctx)));
    report("SSL_CTX_get0_CA_list.default", "%s", NAMES(SSL_CTX_get0_CA_list(ctx)));
    report("SSL_CTX_add_client_CA", "%d", SSL_CTX_add_client_CA(ctx, root));
    report("SSL_CTX_get_client_CA_list.after_add", "%s", NAMES(SSL_CTX_get_client_CA_list(ctx)));
    report("SSL_CTX_get0_CA_list.after_add_client_CA", "%s", NAMES(SSL_CTX_get0_CA_list(ctx)));
    report("SSL_CTX_add1_to_CA_list", "%d", SSL_CTX_add1_to_CA_list(ctx, inter));
    report("SSL_CTX_get0_CA_list.after_add1", "%s", NAMES(SSL_CTX_get0_CA_list(ctx)));
    report("SSL_CTX_get_client_CA_list.after_add1_to_CA_list", "%s", NAMES(SSL_CTX_get_client_CA_list(ctx)));
    SSL_CTX_set_client_CA_list(ctx, SSL_load_client_CA_file(pki("server-chain.pem")));
    report("SSL_CTX_set_client_CA_list", "void");
    report("SSL_CTX_get_client_CA_list.after_set", "%s", NAMES(SSL_CTX_get_client_CA_list(ctx)));
    sk = sk_X509_NAME_new_null();
    sk_X509_NAME_push(sk, X509_NAME_dup(X509_get_subject_name(root)));
    SSL_CTX_set0_CA_list(ctx, sk);
    report("SSL_CTX_set0_CA_list", "void");
    report("SSL_CTX_get0_CA_list.after_set0", "%s", NAMES(SSL_CTX_get0_CA_list(ctx)));

    ssl = SSL_new(ctx);
    report("SSL_get_client_CA_list.inherited", "%s", NAMES(SSL_get_client_CA_list(ssl)));
    report("SSL_get0_CA_list.inherited", "%s", NAMES(SSL_get0_CA_list(ssl)));
    report("SSL_add_client_CA", "%d", SSL_add_client_CA(ssl, inter));
    report("SSL_get_client_CA_list.after_add", "%s", NAMES(SSL_get_client_CA_list(ssl)));
    report("SSL_CTX_get_client_CA_list.not_changed_by_ssl", "%s", NAMES(SSL_CTX_get_client_CA_list(ctx)));
    SSL_set_client_CA_list(ssl, SSL_load_client_CA_file(pki("root.pem")));
    report("SSL_set_client_CA_list", "void");
    report("SSL_get_client_CA_list.after_set", "%s", NAMES(SSL_get_client_CA_list(ssl)));
    report("SSL_add1_to_CA_list", "%d", SSL_add1_to_CA_list(ssl, inter));
    report("SSL_get0_CA_list.after_add1", "%s", NAMES(SSL_get0_CA_list(ssl)));
    SSL_set0_CA_list(ssl, NULL);
    report("SSL_set0_CA_list.null", "void");
    report("SSL_get0_CA_list.after_set0_null", "%s", NAMES(SSL_get0_CA_list(ssl)));
    report("SSL_get0_peer_CA_list.before", "%s", NAMES(SSL_get0_peer_CA_list(ssl)));
    SSL_free(ssl);
    SSL_CTX_free(ctx);
    X509_free(root);
    X509_free(inter);
}

/* What each side receives: the server's client CA list in its certificate request, and
 * (TLS 1.3) the client's certificate_authorities extension. */
static void received(int version)
{
    struct pair p;

    pair_new(&p, version);
    SSL_CTX_set_verify(p.sctx, SSL_VERIFY_PEER, NULL);
    SSL_CTX_set_client_CA_list(p.sctx, SSL_load_client_CA_file(pki("root.pem")));
    SSL_CTX_set0_CA_list(p.cctx, SSL_load_client_CA_file(pki("inter.pem")));
    client_ctx_cert(p.cctx);
    SSL_free(p.c);
    SSL_free(p.s);
    pair_connect(&p);
    report("SSL_get_client_CA_list.client_before", "%s", NAMES(SSL_get_client_CA_list(p.c)));
    if (!pair_handshake(&p))
        fixture_failed("handshake");
    report("SSL_get_client_CA_list.client", "%s", NAMES(SSL_get_client_CA_list(p.c)));
    report("SSL_get0_peer_CA_list.client", "%s", NAMES(SSL_get0_peer_CA_list(p.c)));
    report("SSL_get_client_CA_list.server", "%s", NAMES(SSL_get_client_CA_list(p.s)));
    report("SSL_get0_peer_CA_list.server", "%s", NAMES(SSL_get0_peer_CA_list(p.s)));
    report("SSL_get0_CA_list.client", "%s", NAMES(SSL_get0_CA_list(p.c)));
    pair_free(&p);
}

static void received_tls12(void)
{
    received(TLS1_2_VERSION);
}

static void received_tls13(void)
{
    received(TLS1_3_VERSION);
}

/* A certificate request without CA names (stunnel logs "Received trusted client CA list
 * is empty" or "... not found" from its info callback): TLS 1.2's list is there and empty,
 * TLS 1.3 has none without the certificate_authorities extension. */
static int request_seen;
static void request_info_cb(const SSL *ssl, int where, int ret)
{
    (void)where, (void)ret;
    if (SSL_get_state(ssl) == TLS_ST_CR_CERT_REQ && !request_seen) {
        request_seen = 1;
        report("SSL_get_client_CA_list.in_info_callback", "%s", NAMES(SSL_get_client_CA_list(ssl)));
    }
}

static void received_none(int version)
{
    struct pair p;

    request_seen = 0;
    pair_new(&p, version);
    SSL_CTX_set_verify(p.sctx, SSL_VERIFY_PEER, NULL);
    client_ctx_cert(p.cctx);
    SSL_CTX_set_info_callback(p.cctx, request_info_cb);
    SSL_free(p.c);
    SSL_free(p.s);
    pair_connect(&p);
    if (!pair_handshake(&p))
        fixture_failed("handshake");
    note("request_seen", "%d", request_seen);
    report("SSL_get_client_CA_list.client", "%s", NAMES(SSL_get_client_CA_list(p.c)));
    report("SSL_get0_peer_CA_list.client", "%s", NAMES(SSL_get0_peer_CA_list(p.c)));
    pair_free(&p);
}

static void received_none_tls12(void)
{
    received_none(TLS1_2_VERSION);
}

static void received_none_tls13(void)
{
    received_none(TLS1_3_VERSION);
}

GROUPS({"loading", loading, NULL}, {"ctx_lists", ctx_lists, NULL}, {"received_tls12", received_tls12, NULL},
       {"received_tls13", received_tls13, NULL}, {"received_none_tls12", received_none_tls12, NULL},
       {"received_none_tls13", received_none_tls13, NULL})
