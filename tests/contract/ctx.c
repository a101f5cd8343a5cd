/* Export contract: SSL_CTX lifetime and its plain settings, each set the way programs set it
 * and read back through its getter (and through a connection made afterwards, which
 * inherits it), with the defaults a fresh context reports. */
#include <openssl/dh.h>
#include <openssl/engine.h>

#include "contract.h"

static void lifetime(void)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_method());

    report("SSL_CTX_new", "%s", P(ctx));
    report("SSL_CTX_up_ref", "%d", SSL_CTX_up_ref(ctx));
    SSL_CTX_free(ctx);
    report("SSL_CTX_free.one_of_two_refs", "void");
    report("SSL_CTX_get_timeout.still_alive", "%ld", SSL_CTX_get_timeout(ctx));
    SSL_CTX_free(ctx);
    report("SSL_CTX_free.last_ref", "void");
    SSL_CTX_free(NULL);
    report("SSL_CTX_free.null", "void");
}

static void options(void)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_method());
    SSL *ssl;

    report("SSL_CTX_get_options.default", "%#llx", (unsigned long long)SSL_CTX_get_options(ctx));
    report("SSL_CTX_set_options", "%#llx", (unsigned long long)SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET | SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_RENEGOTIATION));
    report("SSL_CTX_set_options.legacy_bits", "%#llx", (unsigned long long)SSL_CTX_set_options(ctx, SSL_OP_NO_SSLv3 | SSL_OP_NO_COMPRESSION | SSL_OP_ALL));
    report("SSL_CTX_clear_options", "%#llx", (unsigned long long)SSL_CTX_clear_options(ctx, SSL_OP_NO_TICKET | SSL_OP_ALL));
    report("SSL_CTX_get_options.after", "%#llx", (unsigned long long)SSL_CTX_get_options(ctx));
    ssl = SSL_new(ctx);
    report("SSL_get_options.inherited", "%#llx", (unsigned long long)SSL_get_options(ssl));
    report("SSL_CTX_set_options.after_SSL_new", "%#llx", (unsigned long long)SSL_CTX_set_options(ctx, SSL_OP_NO_TLSv1_3));
    report("SSL_get_options.not_shared", "%#llx", (unsigned long long)SSL_get_options(ssl));
    SSL_free(ssl);
    SSL_CTX_free(ctx);
}

static int security_cb(const SSL *s, const SSL_CTX *ctx, int op, int bits, int nid, void *other, void *ex)
{
    (void)s, (void)ctx, (void)op, (void)bits, (void)nid, (void)other, (void)ex;
    return 1;
}

static size_t padding_cb(SSL *s, int type, size_t len, void *arg)
{
    (void)s, (void)type, (void)len, (void)arg;
    return 0;
}

static int gen_session_id(SSL *s, unsigned char *id, unsigned int *len)
{
    (void)s;
    memset(id, 7, *len);
    return 1;
}

static int not_resumable(SSL *s, int is_forward_secure)
{
    (void)s, (void)is_forward_secure;
    return 0;
}

static int allow_early(SSL *s, void *arg)
{
    (void)s, (void)arg;
    return 1;
}

static int async_cb(SSL *s, void *arg)
{
    (void)s, (void)arg;
    return 1;
}

static DH *tmp_dh_cb(SSL *s, int is_export, int keylength)
{
    (void)s, (void)is_export, (void)keylength;
    return NULL;
}

static void settings(void)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_method());
    SSL *ssl;
    int idx = SSL_CTX_get_ex_new_index(0, NULL, NULL, NULL, NULL);
    static int exdata, secdata, padarg;

    report("SSL_CTX_get_timeout.default", "%ld", SSL_CTX_get_timeout(ctx));
    report("SSL_CTX_set_timeout", "%ld", SSL_CTX_set_timeout(ctx, 1234));
    report("SSL_CTX_get_timeout", "%ld", SSL_CTX_get_timeout(ctx));
    report("SSL_CTX_get_quiet_shutdown.default", "%d", SSL_CTX_get_quiet_shutdown(ctx));
    SSL_CTX_set_quiet_shutdown(ctx, 1);
    report("SSL_CTX_set_quiet_shutdown", "void");
    report("SSL_CTX_get_quiet_shutdown", "%d", SSL_CTX_get_quiet_shutdown(ctx));
    report("SSL_CTX_get_security_level.default", "%d", SSL_CTX_get_security_level(ctx));
    SSL_CTX_set_security_level(ctx, 3);
    report("SSL_CTX_set_security_level", "void");
    report("SSL_CTX_get_security_level", "%d", SSL_CTX_get_security_level(ctx));
    SSL_CTX_set_security_level(ctx, 1);
    report("SSL_CTX_get_security_callback.default", "%s", SSL_CTX_get_security_callback(ctx) ? "non-NULL" : "NULL");
    SSL_CTX_set_security_callback(ctx, security_cb);
    report("SSL_CTX_set_security_callback", "void");
    report("SSL_CTX_get_security_callback", "%s", FN(SSL_CTX_get_security_callback(ctx), security_cb));
    report("SSL_CTX_get0_security_ex_data.default", "%s", P(SSL_CTX_get0_security_ex_data(ctx)));
    SSL_CTX_set0_security_ex_data(ctx, &secdata);
    report("SSL_CTX_set0_security_ex_data", "void");
    report("SSL_CTX_get0_security_ex_data", "%s", SAME(SSL_CTX_get0_security_ex_data(ctx), &secdata));
    report("SSL_CTX_get_ex_new_index", "%s", idx >= 0 ? ">= 0" : "< 0");
    report("SSL_CTX_get_ex_data.unset", "%s", P(SSL_CTX_get_ex_data(ctx, idx)));
    report("SSL_CTX_set_ex_data", "%d", SSL_CTX_set_ex_data(ctx, idx, &exdata));
    report("SSL_CTX_get_ex_data", "%s", SAME(SSL_CTX_get_ex_data(ctx, idx), &exdata));
    report("SSL_CTX_get_ex_data.bad_index", "%s", P(SSL_CTX_get_ex_data(ctx, 12345)));
    SSL_CTX_set_default_read_buffer_len(ctx, 32768);
    report("SSL_CTX_set_default_read_buffer_len", "void");
    report("SSL_CTX_get_num_tickets.default", "%zu", SSL_CTX_get_num_tickets(ctx));
    report("SSL_CTX_set_num_tickets", "%d", SSL_CTX_set_num_tickets(ctx, 5));
    report("SSL_CTX_get_num_tickets", "%zu", SSL_CTX_get_num_tickets(ctx));
    report("SSL_CTX_get_max_early_data.default", "%u", SSL_CTX_get_max_early_data(ctx));
    report("SSL_CTX_set_max_early_data", "%d", SSL_CTX_set_max_early_data(ctx, 16384));
    report("SSL_CTX_get_max_early_data", "%u", SSL_CTX_get_max_early_data(ctx));
    report("SSL_CTX_get_recv_max_early_data.default", "%u", SSL_CTX_get_recv_max_early_data(ctx));
    report("SSL_CTX_set_recv_max_early_data", "%d", SSL_CTX_set_recv_max_early_data(ctx, 1000));
    report("SSL_CTX_get_recv_max_early_data", "%u", SSL_CTX_get_recv_max_early_data(ctx));
    report("SSL_CTX_set_block_padding.16", "%d", SSL_CTX_set_block_padding(ctx, 16));
    report("SSL_CTX_set_block_padding.1", "%d", SSL_CTX_set_block_padding(ctx, 1));
    report("SSL_CTX_set_block_padding.too_big", "%d", SSL_CTX_set_block_padding(ctx, 20000));
    SSL_CTX_set_record_padding_callback(ctx, padding_cb);
    report("SSL_CTX_set_record_padding_callback", "void");
    report("SSL_CTX_get_record_padding_callback_arg.default", "%s", P(SSL_CTX_get_record_padding_callback_arg(ctx)));
    SSL_CTX_set_record_padding_callback_arg(ctx, &padarg);
    report("SSL_CTX_set_record_padding_callback_arg", "void");
    report("SSL_CTX_get_record_padding_callback_arg", "%s", SAME(SSL_CTX_get_record_padding_callback_arg(ctx), &padarg));
    SSL_CTX_set_post_handshake_auth(ctx, 1);
    report("SSL_CTX_set_post_handshake_auth", "void");
    report("SSL_CTX_get_info_callback.default", "%s", FN(SSL_CTX_get_info_callback(ctx), count_info_cb));
    SSL_CTX_set_info_callback(ctx, count_info_cb);
    report("SSL_CTX_set_info_callback", "void");
    report("SSL_CTX_get_info_callback", "%s", FN(SSL_CTX_get_info_callback(ctx), count_info_cb));
    SSL_CTX_set_msg_callback(ctx, count_msg_cb);
    report("SSL_CTX_set_msg_callback", "void");
    report("SSL_CTX_get_keylog_callback.default", "%s", FN(SSL_CTX_get_keylog_callback(ctx), count_keylog_cb));
    SSL_CTX_set_keylog_callback(ctx, count_keylog_cb);
    report("SSL_CTX_set_keylog_callback", "void");
    report("SSL_CTX_get_keylog_callback", "%s", FN(SSL_CTX_get_keylog_callback(ctx), count_keylog_cb));
    report("SSL_CTX_set_tlsext_max_fragment_length.512", "%d", SSL_CTX_set_tlsext_max_fragment_length(ctx, TLSEXT_max_fragment_length_512));
    report("SSL_CTX_set_tlsext_max_fragment_length.disabled", "%d", SSL_CTX_set_tlsext_max_fragment_length(ctx, TLSEXT_max_fragment_length_DISABLED));
    report("SSL_CTX_set_tlsext_max_fragment_length.invalid", "%d", SSL_CTX_set_tlsext_max_fragment_length(ctx, 9));
    report("SSL_CTX_set_generate_session_id", "%d", SSL_CTX_set_generate_session_id(ctx, gen_session_id));
    SSL_CTX_set_not_resumable_session_callback(ctx, not_resumable);
    report("SSL_CTX_set_not_resumable_session_callback", "void");
    SSL_CTX_set_allow_early_data_cb(ctx, allow_early, NULL);
    report("SSL_CTX_set_allow_early_data_cb", "void");
    report("SSL_CTX_set_async_callback", "%d", SSL_CTX_set_async_callback(ctx, async_cb));
    report("SSL_CTX_set_async_callback_arg", "%d", SSL_CTX_set_async_callback_arg(ctx, &exdata));
    report("SSL_CTX_set_client_cert_engine.null", "%d", SSL_CTX_set_client_cert_engine(ctx, NULL));
    SSL_CTX_set_tmp_dh_callback(ctx, tmp_dh_cb);
    report("SSL_CTX_set_tmp_dh_callback", "void");
    {
        EVP_PKEY *dh = NULL;
        EVP_PKEY_CTX *pctx = EVP_PKEY_CTX_new_from_name(NULL, "DH", NULL);
        OSSL_PARAM params[2];
        params[0] = OSSL_PARAM_construct_utf8_string("group", (char *)"ffdhe2048", 0);
        params[1] = OSSL_PARAM_construct_end();
        if (pctx == NULL || EVP_PKEY_paramgen_init(pctx) <= 0 || EVP_PKEY_CTX_set_params(pctx, params) <= 0
            || EVP_PKEY_paramgen(pctx, &dh) <= 0)
            fixture_failed("ffdhe2048");
        EVP_PKEY_CTX_free(pctx);
        report("SSL_CTX_set0_tmp_dh_pkey", "%d", SSL_CTX_set0_tmp_dh_pkey(ctx, dh));
    }

    /* A connection made now inherits what it should. */
    ssl = SSL_new(ctx);
    report("SSL_get_security_level.inherited", "%d", SSL_get_security_level(ssl));
    report("SSL_get_security_callback.inherited", "%s", FN(SSL_get_security_callback(ssl), security_cb));
    report("SSL_get0_security_ex_data.inherited", "%s", SAME(SSL_get0_security_ex_data(ssl), &secdata));
    report("SSL_get_quiet_shutdown.inherited", "%d", SSL_get_quiet_shutdown(ssl));
    report("SSL_get_num_tickets.inherited", "%zu", SSL_get_num_tickets(ssl));
    report("SSL_get_max_early_data.inherited", "%u", SSL_get_max_early_data(ssl));
    report("SSL_get_recv_max_early_data.inherited", "%u", SSL_get_recv_max_early_data(ssl));
    report("SSL_get_record_padding_callback_arg.inherited", "%s", SAME(SSL_get_record_padding_callback_arg(ssl), &padarg));
    report("SSL_get_info_callback.inherited", "%s", FN(SSL_get_info_callback(ssl), count_info_cb));
    report("SSL_get_default_timeout", "%ld", SSL_get_default_timeout(ssl));
    report("SSL_get_ex_data.ctx_index_on_ssl", "%s", P(SSL_get_ex_data(ssl, idx)));
    SSL_free(ssl);
    SSL_CTX_free(ctx);
}

static void verify_param(void)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_method());
    X509_VERIFY_PARAM *param = SSL_CTX_get0_param(ctx), *vpm;
    SSL *ssl;

    report("SSL_CTX_get0_param", "%s", P(param));
    report("SSL_CTX_get0_param.same_again", "%s", SAME(SSL_CTX_get0_param(ctx), param));
    report("SSL_CTX_set_purpose.ssl_server", "%d", SSL_CTX_set_purpose(ctx, X509_PURPOSE_SSL_SERVER));
    report("SSL_CTX_set_purpose.invalid", "%d", SSL_CTX_set_purpose(ctx, 999));
    report("SSL_CTX_set_trust.ssl_server", "%d", SSL_CTX_set_trust(ctx, X509_TRUST_SSL_SERVER));
    report("SSL_CTX_set_trust.invalid", "%d", SSL_CTX_set_trust(ctx, 999));
    vpm = X509_VERIFY_PARAM_new();
    X509_VERIFY_PARAM_set_depth(vpm, 7);
    X509_VERIFY_PARAM_set_flags(vpm, X509_V_FLAG_PARTIAL_CHAIN);
    X509_VERIFY_PARAM_set1_host(vpm, "example.com", 0);
    report("SSL_CTX_set1_param", "%d", SSL_CTX_set1_param(ctx, vpm));
    X509_VERIFY_PARAM_free(vpm);
    report("SSL_CTX_set1_param.depth", "%d", X509_VERIFY_PARAM_get_depth(SSL_CTX_get0_param(ctx)));
    report("SSL_CTX_set1_param.flags", "%#lx", X509_VERIFY_PARAM_get_flags(SSL_CTX_get0_param(ctx)));
    report("SSL_CTX_get_verify_depth.after_set1_param", "%d", SSL_CTX_get_verify_depth(ctx));
    ssl = SSL_new(ctx);
    report("SSL_get0_param.inherited_depth", "%d", X509_VERIFY_PARAM_get_depth(SSL_get0_param(ssl)));
    report("SSL_get0_param.not_ctx_param", "%s", SAME(SSL_get0_param(ssl), param));
    report("SSL_get0_param.inherited_host", "%s", STR(X509_VERIFY_PARAM_get0_host(SSL_get0_param(ssl), 0)));
    SSL_free(ssl);
    SSL_CTX_free(ctx);
}

GROUPS({"lifetime", lifetime, NULL}, {"options", options, NULL}, {"settings", settings, NULL},
       {"verify_param", verify_param, NULL})
