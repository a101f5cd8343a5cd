/* Export contract: SSL_CTX_ctrl, SSL_ctrl, SSL_CTX_callback_ctrl and SSL_callback_ctrl,
 * through the macros of ssl.h that programs use (each case is named after the macro) and
 * directly by command number, on fresh objects, after TLS 1.2 and TLS 1.3 handshakes, and
 * with commands the object does not know. */
#include <openssl/dh.h>
#include <openssl/ec.h>
#include <openssl/ocsp.h>

#include "contract.h"

static void ctx_settings(void)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_method());
    int groups[] = {NID_X9_62_prime256v1, NID_X25519};
    int sigalgs[] = {NID_sha256, EVP_PKEY_RSA, NID_sha256, EVP_PKEY_EC};
    unsigned char ctypes[] = {1, 64};

    if (ctx == NULL)
        fixture_failed("SSL_CTX_new");
    report("SSL_CTX_get_mode.default", "%#lx", SSL_CTX_get_mode(ctx));
    report("SSL_CTX_set_mode", "%#lx", SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_RELEASE_BUFFERS));
    report("SSL_CTX_clear_mode", "%#lx", SSL_CTX_clear_mode(ctx, SSL_MODE_RELEASE_BUFFERS));
    report("SSL_CTX_get_mode.after", "%#lx", SSL_CTX_get_mode(ctx));
    report("SSL_CTX_get_read_ahead.default", "%ld", SSL_CTX_get_read_ahead(ctx));
    report("SSL_CTX_set_read_ahead", "%ld", SSL_CTX_set_read_ahead(ctx, 1));
    report("SSL_CTX_get_read_ahead.after", "%ld", SSL_CTX_get_read_ahead(ctx));
    report("SSL_CTX_sess_get_cache_size.default", "%ld", SSL_CTX_sess_get_cache_size(ctx));
    report("SSL_CTX_sess_set_cache_size", "%ld", SSL_CTX_sess_set_cache_size(ctx, 100));
    report("SSL_CTX_sess_set_cache_size.negative", "%ld", SSL_CTX_sess_set_cache_size(ctx, -1));
    report("SSL_CTX_sess_get_cache_size.after", "%ld", SSL_CTX_sess_get_cache_size(ctx));
    report("SSL_CTX_get_session_cache_mode.default", "%#lx", SSL_CTX_get_session_cache_mode(ctx));
    report("SSL_CTX_set_session_cache_mode", "%#lx", SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_BOTH | SSL_SESS_CACHE_NO_INTERNAL_LOOKUP));
    report("SSL_CTX_get_session_cache_mode.after", "%#lx", SSL_CTX_get_session_cache_mode(ctx));
    report("SSL_CTX_get_max_cert_list.default", "%ld", SSL_CTX_get_max_cert_list(ctx));
    report("SSL_CTX_set_max_cert_list", "%ld", SSL_CTX_set_max_cert_list(ctx, 4096));
    report("SSL_CTX_set_max_cert_list.negative", "%ld", SSL_CTX_set_max_cert_list(ctx, -5));
    report("SSL_CTX_get_max_cert_list.after", "%ld", SSL_CTX_get_max_cert_list(ctx));
    report("SSL_CTX_set_max_send_fragment", "%ld", SSL_CTX_set_max_send_fragment(ctx, 4096));
    report("SSL_CTX_set_max_send_fragment.too_small", "%ld", SSL_CTX_set_max_send_fragment(ctx, 100));
    report("SSL_CTX_set_max_send_fragment.too_big", "%ld", SSL_CTX_set_max_send_fragment(ctx, 20000));
    report("SSL_CTX_set_split_send_fragment", "%ld", SSL_CTX_set_split_send_fragment(ctx, 1024));
    report("SSL_CTX_set_split_send_fragment.above_max", "%ld", SSL_CTX_set_split_send_fragment(ctx, 8192));
    report("SSL_CTX_set_max_pipelines", "%ld", SSL_CTX_set_max_pipelines(ctx, 4));
    report("SSL_CTX_set_max_pipelines.zero", "%ld", SSL_CTX_set_max_pipelines(ctx, 0));
    report("SSL_CTX_set_min_proto_version.tls12", "%ld", SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION));
    report("SSL_CTX_get_min_proto_version.tls12", "%#lx", (unsigned long)SSL_CTX_get_min_proto_version(ctx));
    report("SSL_CTX_set_max_proto_version.tls13", "%ld", SSL_CTX_set_max_proto_version(ctx, TLS1_3_VERSION));
    report("SSL_CTX_get_max_proto_version.tls13", "%#lx", (unsigned long)SSL_CTX_get_max_proto_version(ctx));
    report("SSL_CTX_set_min_proto_version.dtls", "%ld", SSL_CTX_set_min_proto_version(ctx, DTLS1_2_VERSION));
    report("SSL_CTX_set_max_proto_version.bogus", "%ld", SSL_CTX_set_max_proto_version(ctx, 0x0399));
    report("SSL_CTX_set_min_proto_version.zero", "%ld", SSL_CTX_set_min_proto_version(ctx, 0));
    report("SSL_CTX_get_min_proto_version.zero", "%#lx", (unsigned long)SSL_CTX_get_min_proto_version(ctx));
    report("SSL_CTX_set1_groups_list", "%ld", SSL_CTX_set1_groups_list(ctx, "X25519:P-256:P-384"));
    report("SSL_CTX_set1_groups_list.unknown", "%ld", SSL_CTX_set1_groups_list(ctx, "X25519:nosuchgroup"));
    report("SSL_CTX_set1_curves_list", "%ld", SSL_CTX_set1_curves_list(ctx, "P-256"));
    report("SSL_CTX_set1_groups", "%ld", SSL_CTX_set1_groups(ctx, groups, 2));
    report("SSL_CTX_set1_sigalgs_list", "%ld", SSL_CTX_set1_sigalgs_list(ctx, "ECDSA+SHA256:RSA-PSS+SHA256:rsa_pss_rsae_sha384"));
    report("SSL_CTX_set1_sigalgs_list.unknown", "%ld", SSL_CTX_set1_sigalgs_list(ctx, "FOO+SHA256"));
    report("SSL_CTX_set1_sigalgs", "%ld", SSL_CTX_set1_sigalgs(ctx, sigalgs, 4));
    report("SSL_CTX_set1_client_sigalgs_list", "%ld", SSL_CTX_set1_client_sigalgs_list(ctx, "ECDSA+SHA256:RSA+SHA256"));
    report("SSL_CTX_set1_client_sigalgs", "%ld", SSL_CTX_set1_client_sigalgs(ctx, sigalgs, 4));
    report("SSL_CTX_set1_client_certificate_types", "%ld", SSL_CTX_set1_client_certificate_types(ctx, ctypes, 2));
    report("SSL_CTX_set_dh_auto", "%ld", SSL_CTX_set_dh_auto(ctx, 1));
    report("SSL_CTX_set_ecdh_auto", "%d", SSL_CTX_set_ecdh_auto(ctx, 1));
    {
        DH *dh = DH_new_by_nid(NID_ffdhe2048);
        report("SSL_CTX_set_tmp_dh", "%ld", SSL_CTX_set_tmp_dh(ctx, dh));
        report("SSL_CTX_set_tmp_dh.null", "%ld", SSL_CTX_set_tmp_dh(ctx, NULL));
        DH_free(dh);
    }
    {
        EC_KEY *ec = EC_KEY_new_by_curve_name(NID_X9_62_prime256v1);
        report("SSL_CTX_set_tmp_ecdh", "%ld", SSL_CTX_set_tmp_ecdh(ctx, ec));
        EC_KEY_free(ec);
    }
    report("SSL_CTX_set_msg_callback_arg", "%ld", SSL_CTX_set_msg_callback_arg(ctx, ctx));
    report("SSL_CTX_set_tlsext_status_type", "%ld", SSL_CTX_set_tlsext_status_type(ctx, TLSEXT_STATUSTYPE_ocsp));
    report("SSL_CTX_get_tlsext_status_type", "%ld", SSL_CTX_get_tlsext_status_type(ctx));
    report("SSL_CTX_set_tlsext_status_arg", "%ld", SSL_CTX_set_tlsext_status_arg(ctx, ctx));
    {
        void *arg = SENT;
        REPORT_OUT("SSL_CTX_get_tlsext_status_arg", long, SSL_CTX_get_tlsext_status_arg(ctx, &arg), "%ld, arg %s", SAME(arg, ctx));
    }
    report("SSL_CTX_set_tlsext_servername_arg", "%ld", SSL_CTX_set_tlsext_servername_arg(ctx, ctx));
    report("SSL_CTX_set_cert_flags", "%#lx", SSL_CTX_ctrl(ctx, SSL_CTRL_CERT_FLAGS, SSL_CERT_FLAG_TLS_STRICT, NULL));
    report("SSL_CTX_clear_cert_flags", "%#lx", SSL_CTX_ctrl(ctx, SSL_CTRL_CLEAR_CERT_FLAGS, SSL_CERT_FLAG_TLS_STRICT, NULL));

    /* Direct calls by command number, as older programs and bindings make them. */
    report("SSL_CTX_ctrl.direct.SET_MODE", "%#lx", SSL_CTX_ctrl(ctx, SSL_CTRL_MODE, SSL_MODE_AUTO_RETRY, NULL));
    report("SSL_CTX_ctrl.direct.GET_MODE", "%#lx", SSL_CTX_ctrl(ctx, SSL_CTRL_MODE, 0, NULL));
    report("SSL_CTX_ctrl.direct.SESS_NUMBER", "%ld", SSL_CTX_ctrl(ctx, SSL_CTRL_SESS_NUMBER, 0, NULL));
    report("SSL_CTX_ctrl.direct.GET_MAX_PROTO", "%#lx", SSL_CTX_ctrl(ctx, SSL_CTRL_GET_MAX_PROTO_VERSION, 0, NULL));
    report("SSL_CTX_ctrl.direct.SET_READ_AHEAD", "%ld", SSL_CTX_ctrl(ctx, SSL_CTRL_SET_READ_AHEAD, 0, NULL));
    report("SSL_CTX_ctrl.direct.GET_FLAGS_on_ctx", "%ld", SSL_CTX_ctrl(ctx, SSL_CTRL_GET_FLAGS, 0, NULL));
    report("SSL_CTX_ctrl.direct.unknown", "%ld", SSL_CTX_ctrl(ctx, 9999, 1, NULL));
    report("SSL_CTX_ctrl.direct.SET_TLSEXT_HOSTNAME_on_ctx", "%ld", SSL_CTX_ctrl(ctx, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name, (void *)"x"));


    report("SSL_CTX_ctrl.null_ctx.sigalgs_list", "%ld", SSL_CTX_ctrl(NULL, SSL_CTRL_SET_SIGALGS_LIST, 0, (void *)"RSA+SHA256"));
    report("SSL_CTX_ctrl.null_ctx.other", "%ld", SSL_CTX_ctrl(NULL, SSL_CTRL_MODE, 0, NULL));
    SSL_CTX_free(ctx);
}

static int servername_cb(SSL *s, int *al, void *arg)
{
    (void)s, (void)al, (void)arg;
    return SSL_TLSEXT_ERR_OK;
}

static int status_cb(SSL *s, void *arg)
{
    (void)s, (void)arg;
    return 1;
}

static int not_resumable_cb(SSL *s, int is_forward_secure)
{
    (void)s, (void)is_forward_secure;
    return 0;
}

static void debug_cb(SSL *s, int client_server, int type, const unsigned char *data, int len, void *arg)
{
    (void)s, (void)client_server, (void)type, (void)data, (void)len, (void)arg;
}

static int ticket_key_cb(SSL *s, unsigned char *name, unsigned char *iv, EVP_CIPHER_CTX *ectx, HMAC_CTX *hctx, int enc)
{
    (void)s, (void)name, (void)iv, (void)ectx, (void)hctx, (void)enc;
    return 0;
}

static void ctx_tlsext(void)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_method());
    unsigned char keys[80], keys2[80];
    int (*cb)(SSL *, void *) = (int (*)(SSL *, void *))SENT;

    report("SSL_CTX_set_tlsext_servername_callback", "%ld", SSL_CTX_set_tlsext_servername_callback(ctx, servername_cb));
    report("SSL_CTX_callback_ctrl.direct.SERVERNAME_CB", "%ld", SSL_CTX_callback_ctrl(ctx, SSL_CTRL_SET_TLSEXT_SERVERNAME_CB, (void (*)(void))servername_cb));
    report("SSL_CTX_callback_ctrl.direct.unknown", "%ld", SSL_CTX_callback_ctrl(ctx, 9999, (void (*)(void))servername_cb));
    report("SSL_CTX_set_tlsext_status_cb", "%ld", SSL_CTX_set_tlsext_status_cb(ctx, status_cb));
    REPORT_OUT("SSL_CTX_get_tlsext_status_cb", long, SSL_CTX_get_tlsext_status_cb(ctx, &cb), "%ld, cb %s", FN(cb, status_cb));
    report("SSL_CTX_set_tlsext_ticket_key_cb", "%ld", SSL_CTX_set_tlsext_ticket_key_cb(ctx, ticket_key_cb));
    report("SSL_CTX_callback_ctrl.direct.NOT_RESUMABLE_SESS_CB", "%ld", SSL_CTX_callback_ctrl(ctx, SSL_CTRL_SET_NOT_RESUMABLE_SESS_CB, (void (*)(void))not_resumable_cb));
    report("SSL_CTX_get_tlsext_ticket_keys.length", "%ld", SSL_CTX_get_tlsext_ticket_keys(ctx, NULL, 0));
    memset(keys, 0, sizeof(keys));
    REPORT_OUT("SSL_CTX_get_tlsext_ticket_keys", long, SSL_CTX_get_tlsext_ticket_keys(ctx, keys, sizeof(keys)), "%ld, keys %s", RANDOM(keys, sizeof(keys)));
    report("SSL_CTX_get_tlsext_ticket_keys.short", "%ld", SSL_CTX_get_tlsext_ticket_keys(ctx, keys, 48));
    for (size_t i = 0; i < sizeof(keys); i++)
        keys[i] = (unsigned char)i;
    report("SSL_CTX_set_tlsext_ticket_keys", "%ld", SSL_CTX_set_tlsext_ticket_keys(ctx, keys, sizeof(keys)));
    report("SSL_CTX_set_tlsext_ticket_keys.short", "%ld", SSL_CTX_set_tlsext_ticket_keys(ctx, keys, 32));
    REPORT_OUT("SSL_CTX_get_tlsext_ticket_keys.roundtrip", long, SSL_CTX_get_tlsext_ticket_keys(ctx, keys2, sizeof(keys2)), "%ld, equal %d", memcmp(keys, keys2, sizeof(keys)) == 0);
    SSL_CTX_free(ctx);
}

static void ctx_chain(void)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
    X509 *server = load_cert("server.pem"), *inter = load_cert("inter.pem"), *root = load_cert("root.pem");
    EVP_PKEY *key = load_key("server.key");
    STACK_OF(X509) *sk = (STACK_OF(X509) *)SENT, *chain;
    X509_STORE *store = (X509_STORE *)SENT;

    REPORT_OUT("SSL_CTX_get_extra_chain_certs.empty", long, SSL_CTX_get_extra_chain_certs(ctx, &sk), "%ld, %s", CHAIN(sk));
    SSL_CTX_use_certificate(ctx, server);
    SSL_CTX_use_PrivateKey(ctx, key);
    X509_up_ref(inter);
    report("SSL_CTX_add_extra_chain_cert", "%ld", SSL_CTX_add_extra_chain_cert(ctx, inter));
    sk = SENT;
    REPORT_OUT("SSL_CTX_get_extra_chain_certs", long, SSL_CTX_get_extra_chain_certs(ctx, &sk), "%ld, %s", CHAIN(sk));
    sk = SENT;
    REPORT_OUT("SSL_CTX_get_extra_chain_certs_only", long, SSL_CTX_get_extra_chain_certs_only(ctx, &sk), "%ld, %s", CHAIN(sk));
    report("SSL_CTX_clear_extra_chain_certs", "%ld", SSL_CTX_clear_extra_chain_certs(ctx));
    sk = SENT;
    REPORT_OUT("SSL_CTX_get_extra_chain_certs.cleared", long, SSL_CTX_get_extra_chain_certs_only(ctx, &sk), "%ld, %s", CHAIN(sk));

    report("SSL_CTX_add1_chain_cert", "%ld", SSL_CTX_add1_chain_cert(ctx, inter));
    sk = SENT;
    REPORT_OUT("SSL_CTX_get0_chain_certs", long, SSL_CTX_get0_chain_certs(ctx, &sk), "%ld, %s", CHAIN(sk));
    report("SSL_CTX_clear_chain_certs", "%ld", SSL_CTX_clear_chain_certs(ctx));
    chain = sk_X509_new_null();
    sk_X509_push(chain, inter);
    report("SSL_CTX_set1_chain", "%ld", SSL_CTX_set1_chain(ctx, chain));
    sk_X509_free(chain);
    sk = SENT;
    REPORT_OUT("SSL_CTX_get0_chain_certs.set1", long, SSL_CTX_get0_chain_certs(ctx, &sk), "%ld, %s", CHAIN(sk));
    X509_up_ref(inter);
    report("SSL_CTX_add0_chain_cert", "%ld", SSL_CTX_add0_chain_cert(ctx, inter));
    chain = sk_X509_new_null();
    X509_up_ref(inter);
    sk_X509_push(chain, inter);
    report("SSL_CTX_set0_chain", "%ld", SSL_CTX_set0_chain(ctx, chain));
    report("SSL_CTX_build_cert_chain.no_store", "%ld", SSL_CTX_build_cert_chain(ctx, 0));
    SSL_CTX_load_verify_locations(ctx, pki("root.pem"), NULL);
    report("SSL_CTX_build_cert_chain", "%ld", SSL_CTX_build_cert_chain(ctx, 0));
    sk = SENT;
    REPORT_OUT("SSL_CTX_get0_chain_certs.built", long, SSL_CTX_get0_chain_certs(ctx, &sk), "%ld, %s", CHAIN(sk));
    report("SSL_CTX_select_current_cert", "%ld", SSL_CTX_select_current_cert(ctx, server));
    report("SSL_CTX_select_current_cert.other", "%ld", SSL_CTX_select_current_cert(ctx, root));
    report("SSL_CTX_set_current_cert.first", "%ld", SSL_CTX_set_current_cert(ctx, SSL_CERT_SET_FIRST));
    report("SSL_CTX_set_current_cert.next", "%ld", SSL_CTX_set_current_cert(ctx, SSL_CERT_SET_NEXT));
    REPORT_OUT("SSL_CTX_get0_verify_cert_store.default", long, SSL_CTX_get0_verify_cert_store(ctx, &store), "%ld, %s", P(store));
    {
        X509_STORE *vs = X509_STORE_new();
        X509_STORE_add_cert(vs, root);
        report("SSL_CTX_set1_verify_cert_store", "%ld", SSL_CTX_set1_verify_cert_store(ctx, vs));
        store = SENT;
        REPORT_OUT("SSL_CTX_get0_verify_cert_store", long, SSL_CTX_get0_verify_cert_store(ctx, &store), "%ld, %s", SAME(store, vs));
        X509_STORE_free(vs);
        vs = X509_STORE_new();
        report("SSL_CTX_set0_chain_cert_store", "%ld", SSL_CTX_set0_chain_cert_store(ctx, vs));
        store = SENT;
        REPORT_OUT("SSL_CTX_get0_chain_cert_store", long, SSL_CTX_get0_chain_cert_store(ctx, &store), "%ld, %s", SAME(store, vs));
        vs = X509_STORE_new();
        report("SSL_CTX_set0_verify_cert_store", "%ld", SSL_CTX_set0_verify_cert_store(ctx, vs));
        report("SSL_CTX_set1_chain_cert_store", "%ld", SSL_CTX_set1_chain_cert_store(ctx, NULL));
    }
    X509_free(server);
    X509_free(inter);
    X509_free(root);
    EVP_PKEY_free(key);
    SSL_CTX_free(ctx);
}

static void ssl_settings(void)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_method());
    SSL *ssl;
    int groups[] = {NID_X25519};
    int sigalgs[] = {NID_sha256, EVP_PKEY_RSA};
    unsigned char ctypes[] = {1};
    const unsigned char *p = SENT;

    SSL_CTX_set_mode(ctx, SSL_MODE_AUTO_RETRY);
    SSL_CTX_set_max_cert_list(ctx, 5000);
    ssl = SSL_new(ctx);
    if (ssl == NULL)
        fixture_failed("SSL_new");
    report("SSL_get_mode.inherited", "%#lx", SSL_get_mode(ssl));
    report("SSL_set_mode", "%#lx", SSL_set_mode(ssl, SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER));
    report("SSL_clear_mode", "%#lx", SSL_clear_mode(ssl, SSL_MODE_AUTO_RETRY));
    report("SSL_get_mode.after", "%#lx", SSL_get_mode(ssl));
    report("SSL_get_max_cert_list.inherited", "%ld", SSL_get_max_cert_list(ssl));
    report("SSL_set_max_cert_list", "%ld", SSL_set_max_cert_list(ssl, 7000));
    report("SSL_get_max_cert_list.after", "%ld", SSL_get_max_cert_list(ssl));
    report("SSL_set_max_send_fragment", "%ld", SSL_set_max_send_fragment(ssl, 1024));
    report("SSL_set_max_send_fragment.too_small", "%ld", SSL_set_max_send_fragment(ssl, 10));
    report("SSL_set_split_send_fragment", "%ld", SSL_set_split_send_fragment(ssl, 512));
    report("SSL_set_split_send_fragment.zero", "%ld", SSL_set_split_send_fragment(ssl, 0));
    report("SSL_set_max_pipelines", "%ld", SSL_set_max_pipelines(ssl, 2));
    report("SSL_set_max_pipelines.read_ahead", "%d", SSL_get_read_ahead(ssl));
    report("SSL_set_max_pipelines.too_many", "%ld", SSL_set_max_pipelines(ssl, 1000));
    report("SSL_set_min_proto_version", "%ld", SSL_set_min_proto_version(ssl, TLS1_2_VERSION));
    report("SSL_get_min_proto_version", "%#lx", (unsigned long)SSL_get_min_proto_version(ssl));
    report("SSL_set_max_proto_version", "%ld", SSL_set_max_proto_version(ssl, TLS1_2_VERSION));
    report("SSL_get_max_proto_version", "%#lx", (unsigned long)SSL_get_max_proto_version(ssl));
    report("SSL_set_max_proto_version.bogus", "%ld", SSL_set_max_proto_version(ssl, 0x0200));
    report("SSL_set1_groups_list", "%ld", SSL_set1_groups_list(ssl, "P-256:X25519"));
    report("SSL_set1_groups_list.empty", "%ld", SSL_set1_groups_list(ssl, ""));
    report("SSL_set1_groups", "%ld", SSL_set1_groups(ssl, groups, 1));
    report("SSL_set1_curves_list", "%ld", SSL_set1_curves_list(ssl, "P-384"));
    report("SSL_set1_sigalgs_list", "%ld", SSL_set1_sigalgs_list(ssl, "RSA+SHA256:ECDSA+SHA384"));
    report("SSL_set1_sigalgs", "%ld", SSL_set1_sigalgs(ssl, sigalgs, 2));
    report("SSL_set1_client_sigalgs_list", "%ld", SSL_set1_client_sigalgs_list(ssl, "RSA+SHA256"));
    report("SSL_set1_client_sigalgs", "%ld", SSL_set1_client_sigalgs(ssl, sigalgs, 2));
    report("SSL_set1_client_certificate_types.client", "%ld", SSL_set1_client_certificate_types(ssl, ctypes, 1));
    report("SSL_set_dh_auto", "%ld", SSL_set_dh_auto(ssl, 1));
    {
        DH *dh = DH_new_by_nid(NID_ffdhe3072);
        report("SSL_set_tmp_dh", "%ld", SSL_set_tmp_dh(ssl, dh));
        DH_free(dh);
    }
    {
        EC_KEY *ec = EC_KEY_new_by_curve_name(NID_secp384r1);
        report("SSL_set_tmp_ecdh", "%ld", SSL_set_tmp_ecdh(ssl, ec));
        report("SSL_set_tmp_ecdh.null", "%ld", SSL_set_tmp_ecdh(ssl, NULL));
        EC_KEY_free(ec);
    }
    report("SSL_set_msg_callback_arg", "%ld", SSL_set_msg_callback_arg(ssl, ssl));
    report("SSL_set_tlsext_host_name", "%ld", SSL_set_tlsext_host_name(ssl, "example.org"));
    report("SSL_set_tlsext_host_name.null", "%ld", SSL_set_tlsext_host_name(ssl, NULL));
    report("SSL_set_tlsext_host_name.empty", "%ld", SSL_set_tlsext_host_name(ssl, ""));
    report("SSL_ctrl.direct.HOSTNAME_bad_type", "%ld", SSL_ctrl(ssl, SSL_CTRL_SET_TLSEXT_HOSTNAME, 7, (void *)"x"));
    report("SSL_set_tlsext_debug_arg", "%ld", SSL_set_tlsext_debug_arg(ssl, ssl));
    report("SSL_set_tlsext_debug_callback", "%ld", SSL_set_tlsext_debug_callback(ssl, debug_cb));
    report("SSL_get_tlsext_status_type.default", "%ld", SSL_get_tlsext_status_type(ssl));
    report("SSL_set_tlsext_status_type", "%ld", SSL_set_tlsext_status_type(ssl, TLSEXT_STATUSTYPE_ocsp));
    report("SSL_get_tlsext_status_type", "%ld", SSL_get_tlsext_status_type(ssl));
    {
        STACK_OF(X509_EXTENSION) *exts = (STACK_OF(X509_EXTENSION) *)SENT;
        STACK_OF(OCSP_RESPID) *ids = (STACK_OF(OCSP_RESPID) *)SENT;
        REPORT_OUT("SSL_get_tlsext_status_exts", long, SSL_get_tlsext_status_exts(ssl, &exts), "%ld, %s", P(exts));
        REPORT_OUT("SSL_get_tlsext_status_ids", long, SSL_get_tlsext_status_ids(ssl, &ids), "%ld, %s", P(ids));
    }
    REPORT_OUT("SSL_get_tlsext_status_ocsp_resp.none", long, SSL_get_tlsext_status_ocsp_resp(ssl, &p), "%ld, %s", P(p));
    report("SSL_get_secure_renegotiation_support.before", "%ld", SSL_get_secure_renegotiation_support(ssl));
    report("SSL_get_extms_support.before", "%ld", SSL_get_extms_support(ssl));
    report("SSL_num_renegotiations.before", "%ld", SSL_num_renegotiations(ssl));
    report("SSL_set_cert_flags", "%#lx", SSL_set_cert_flags(ssl, SSL_CERT_FLAG_SUITEB_128_LOS));
    report("SSL_clear_cert_flags", "%#lx", SSL_clear_cert_flags(ssl, SSL_CERT_FLAG_SUITEB_128_LOS));
    report("SSL_ctrl.direct.GET_READ_AHEAD", "%ld", SSL_ctrl(ssl, SSL_CTRL_GET_READ_AHEAD, 0, NULL));
    report("SSL_ctrl.direct.GET_RAW_CIPHERLIST_len", "%ld", SSL_ctrl(ssl, SSL_CTRL_GET_RAW_CIPHERLIST, 0, NULL));
    report("SSL_ctrl.direct.unknown", "%ld", SSL_ctrl(ssl, 9999, 0, NULL));
    report("SSL_ctrl.direct.ctx_only_SESS_NUMBER", "%ld", SSL_ctrl(ssl, SSL_CTRL_SESS_NUMBER, 0, NULL));
    report("SSL_callback_ctrl.direct.DEBUG_CB", "%ld", SSL_callback_ctrl(ssl, SSL_CTRL_SET_TLSEXT_DEBUG_CB, (void (*)(void))debug_cb));
    report("SSL_callback_ctrl.direct.NOT_RESUMABLE", "%ld", SSL_callback_ctrl(ssl, SSL_CTRL_SET_NOT_RESUMABLE_SESS_CB, (void (*)(void))not_resumable_cb));
    report("SSL_callback_ctrl.direct.MSG_CALLBACK", "%ld", SSL_callback_ctrl(ssl, SSL_CTRL_SET_MSG_CALLBACK, (void (*)(void))count_msg_cb));
    report("SSL_callback_ctrl.direct.unknown", "%ld", SSL_callback_ctrl(ssl, 9999, (void (*)(void))debug_cb));
    SSL_free(ssl);
    SSL_CTX_free(ctx);
}

static void ssl_chain(void)
{
    SSL_CTX *ctx = server_ctx();
    SSL *ssl = SSL_new(ctx);
    X509 *inter = load_cert("inter.pem"), *server = load_cert("server.pem");
    STACK_OF(X509) *sk = (STACK_OF(X509) *)SENT, *chain;
    X509_STORE *store = (X509_STORE *)SENT;

    REPORT_OUT("SSL_get0_chain_certs.inherited", long, SSL_get0_chain_certs(ssl, &sk), "%ld, %s", CHAIN(sk));
    report("SSL_clear_chain_certs", "%ld", SSL_clear_chain_certs(ssl));
    sk = SENT;
    REPORT_OUT("SSL_get0_chain_certs.cleared", long, SSL_get0_chain_certs(ssl, &sk), "%ld, %s", CHAIN(sk));
    report("SSL_add1_chain_cert", "%ld", SSL_add1_chain_cert(ssl, inter));
    X509_up_ref(inter);
    report("SSL_add0_chain_cert", "%ld", SSL_add0_chain_cert(ssl, inter));
    sk = SENT;
    REPORT_OUT("SSL_get0_chain_certs.added", long, SSL_get0_chain_certs(ssl, &sk), "%ld, %s", CHAIN(sk));
    chain = sk_X509_new_null();
    sk_X509_push(chain, inter);
    report("SSL_set1_chain", "%ld", SSL_set1_chain(ssl, chain));
    sk_X509_free(chain);
    chain = sk_X509_new_null();
    X509_up_ref(inter);
    sk_X509_push(chain, inter);
    report("SSL_set0_chain", "%ld", SSL_set0_chain(ssl, chain));
    report("SSL_build_cert_chain", "%ld", SSL_build_cert_chain(ssl, 0));
    sk = SENT;
    REPORT_OUT("SSL_get0_chain_certs.built", long, SSL_get0_chain_certs(ssl, &sk), "%ld, %s", CHAIN(sk));
    report("SSL_select_current_cert", "%ld", SSL_select_current_cert(ssl, server));
    report("SSL_set_current_cert.first", "%ld", SSL_set_current_cert(ssl, SSL_CERT_SET_FIRST));
    report("SSL_set_current_cert.server_before_handshake", "%ld", SSL_set_current_cert(ssl, SSL_CERT_SET_SERVER));
    REPORT_OUT("SSL_get0_verify_cert_store.default", long, SSL_get0_verify_cert_store(ssl, &store), "%ld, %s", P(store));
    {
        X509_STORE *vs = X509_STORE_new();
        report("SSL_set1_verify_cert_store", "%ld", SSL_set1_verify_cert_store(ssl, vs));
        store = SENT;
        REPORT_OUT("SSL_get0_verify_cert_store", long, SSL_get0_verify_cert_store(ssl, &store), "%ld, %s", SAME(store, vs));
        report("SSL_set0_verify_cert_store", "%ld", SSL_set0_verify_cert_store(ssl, vs));
        vs = X509_STORE_new();
        report("SSL_set1_chain_cert_store", "%ld", SSL_set1_chain_cert_store(ssl, vs));
        store = SENT;
        REPORT_OUT("SSL_get0_chain_cert_store", long, SSL_get0_chain_cert_store(ssl, &store), "%ld, %s", SAME(store, vs));
        report("SSL_set0_chain_cert_store", "%ld", SSL_set0_chain_cert_store(ssl, vs));
    }
    X509_free(inter);
    X509_free(server);
    SSL_free(ssl);
    SSL_CTX_free(ctx);
}

/* The read-only commands after a handshake, on both sides. */
static void after_handshake(int version)
{
    struct pair p;
    const char *side[2] = {"client", "server"};

    pair_new(&p, version);
    SSL_CTX_set_verify(p.sctx, SSL_VERIFY_PEER, NULL);
    client_ctx_cert(p.cctx);
    if (!pair_handshake(&p) || !pair_exchange(&p))
        fixture_failed("handshake");
    for (int i = 0; i < 2; i++) {
        SSL *s = i ? p.s : p.c;
        int nid = SENT_INT;
        EVP_PKEY *k = SENT;
        const unsigned char *data = SENT;
        int *list;
        long n;
        char key[64];

#define K(what) (snprintf(key, sizeof(key), "%s.%s", what, side[i]), key)
        REPORT_OUT(K("SSL_get_peer_signature_nid"), long, SSL_get_peer_signature_nid(s, &nid), "%ld, %s", nid == SENT_INT ? "unwritten" : OBJ_nid2sn(nid));
        nid = SENT_INT;
        REPORT_OUT(K("SSL_get_signature_nid"), long, SSL_get_signature_nid(s, &nid), "%ld, %s", nid == SENT_INT ? "unwritten" : OBJ_nid2sn(nid));
        REPORT_OUT(K("SSL_get_peer_tmp_key"), long, SSL_get_peer_tmp_key(s, &k), "%ld, %s", PKEY(k));
        if (k != SENT)
            EVP_PKEY_free(k);
        k = SENT;
        REPORT_OUT(K("SSL_get_server_tmp_key"), long, SSL_get_server_tmp_key(s, &k), "%ld, %s", PKEY(k));
        if (k != SENT)
            EVP_PKEY_free(k);
        k = SENT;
        REPORT_OUT(K("SSL_get_tmp_key"), long, SSL_get_tmp_key(s, &k), "%ld, %s", PKEY(k));
        if (k != SENT)
            EVP_PKEY_free(k);
        n = SSL_get_negotiated_group(s);
        report(K("SSL_get_negotiated_group"), "%ld (%s)", n, OBJ_nid2sn((int)n));
        n = SSL_get_shared_group(s, -1);
        report(K("SSL_get_shared_group.count"), "%ld", n);
        n = SSL_get_shared_group(s, 0);
        report(K("SSL_get_shared_group.0"), "%ld (%s)", n, OBJ_nid2sn((int)n));
        n = SSL_get1_groups(s, NULL);
        report(K("SSL_get1_groups.count"), "%ld", n);
        list = calloc((size_t)(n > 0 ? n : 1), sizeof(int));
        n = SSL_get1_groups(s, list);
        report(K("SSL_get1_groups"), "%ld, first %s", n, n > 0 ? OBJ_nid2sn(list[0]) : "-");
        free(list);
        n = SSL_get1_curves(s, NULL);
        report(K("SSL_get1_curves.count"), "%ld", n);
        data = SENT;
        n = SSL_get0_raw_cipherlist(s, &data);
        report(K("SSL_get0_raw_cipherlist"), "%ld, %s", n, P(data));
        data = SENT;
        n = SSL_get0_ec_point_formats(s, &data);
        report(K("SSL_get0_ec_point_formats"), "%ld, %s", n, n > 0 && data != SENT ? HEX(data, (size_t)n) : P(data));
        report(K("SSL_get_extms_support"), "%ld", SSL_get_extms_support(s));
        report(K("SSL_get_secure_renegotiation_support"), "%ld", SSL_get_secure_renegotiation_support(s));
        report(K("SSL_num_renegotiations"), "%ld", SSL_num_renegotiations(s));
        report(K("SSL_clear_num_renegotiations"), "%ld", SSL_clear_num_renegotiations(s));
        report(K("SSL_total_renegotiations"), "%ld", SSL_total_renegotiations(s));
        data = SENT;
        n = SSL_get0_certificate_types(s, &data);
        report(K("SSL_get0_certificate_types"), "%ld, %s", n, n > 0 && data != SENT ? HEX(data, (size_t)n) : P(data));
        data = SENT;
        REPORT_OUT(K("SSL_get_tlsext_status_ocsp_resp"), long, SSL_get_tlsext_status_ocsp_resp(s, &data), "%ld, %s", P(data));
        report(K("SSL_set_current_cert.server"), "%ld", SSL_set_current_cert(s, SSL_CERT_SET_SERVER));
        report(K("SSL_ctrl.direct.GET_FLAGS"), "%d", SSL_ctrl(s, SSL_CTRL_GET_FLAGS, 0, NULL) != 0);
        report(K("SSL_ctrl.direct.GET_CLIENT_CERT_REQUEST"), "%ld", SSL_ctrl(s, SSL_CTRL_GET_CLIENT_CERT_REQUEST, 0, NULL));
#undef K
    }
    pair_free(&p);
}

static void after_tls12(void)
{
    after_handshake(TLS1_2_VERSION);
}

static void after_tls13(void)
{
    after_handshake(TLS1_3_VERSION);
}

static void ctx_stats(void)
{
    struct pair p;
    SSL_SESSION *sess;

    pair_new(&p, TLS1_2_VERSION);
    SSL_CTX_set_session_cache_mode(p.cctx, SSL_SESS_CACHE_CLIENT);
    report("SSL_CTX_sess_number.before", "%ld", SSL_CTX_sess_number(p.sctx));
    if (!pair_handshake(&p) || !pair_exchange(&p))
        fixture_failed("handshake");
    sess = SSL_get1_session(p.c);
    pair_shutdown(&p);
    SSL_free(p.c);
    SSL_free(p.s);
    pair_connect(&p);
    SSL_set_session(p.c, sess);
    if (!pair_handshake(&p))
        fixture_failed("resumption");
    report("SSL_session_reused.resumed", "%d", SSL_session_reused(p.c));
    report("SSL_CTX_sess_number", "%ld / %ld", SSL_CTX_sess_number(p.cctx), SSL_CTX_sess_number(p.sctx));
    report("SSL_CTX_sess_connect", "%ld / %ld", SSL_CTX_sess_connect(p.cctx), SSL_CTX_sess_connect(p.sctx));
    report("SSL_CTX_sess_connect_good", "%ld / %ld", SSL_CTX_sess_connect_good(p.cctx), SSL_CTX_sess_connect_good(p.sctx));
    report("SSL_CTX_sess_connect_renegotiate", "%ld", SSL_CTX_sess_connect_renegotiate(p.cctx));
    report("SSL_CTX_sess_accept", "%ld / %ld", SSL_CTX_sess_accept(p.cctx), SSL_CTX_sess_accept(p.sctx));
    report("SSL_CTX_sess_accept_good", "%ld", SSL_CTX_sess_accept_good(p.sctx));
    report("SSL_CTX_sess_accept_renegotiate", "%ld", SSL_CTX_sess_accept_renegotiate(p.sctx));
    report("SSL_CTX_sess_hits", "%ld / %ld", SSL_CTX_sess_hits(p.cctx), SSL_CTX_sess_hits(p.sctx));
    report("SSL_CTX_sess_cb_hits", "%ld", SSL_CTX_sess_cb_hits(p.sctx));
    report("SSL_CTX_sess_misses", "%ld", SSL_CTX_sess_misses(p.sctx));
    report("SSL_CTX_sess_timeouts", "%ld", SSL_CTX_sess_timeouts(p.sctx));
    report("SSL_CTX_sess_cache_full", "%ld", SSL_CTX_sess_cache_full(p.sctx));
    SSL_SESSION_free(sess);
    pair_free(&p);
}

GROUPS({"ctx_settings", ctx_settings, NULL}, {"ctx_tlsext", ctx_tlsext, NULL}, {"ctx_chain", ctx_chain, NULL},
       {"ssl_settings", ssl_settings, NULL}, {"ssl_chain", ssl_chain, NULL}, {"after_tls12", after_tls12, NULL},
       {"after_tls13", after_tls13, NULL}, {"ctx_stats", ctx_stats, NULL})
