/* Export contract: the SSL object itself: lifetime, duplication, switching contexts, its own
 * settings (set, then read back), host names, and the handshake state as programs observe
 * it before, during and after a handshake and a shutdown. */
#include "contract.h"

static void lifetime(void)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_method());
    SSL *ssl = SSL_new(ctx), *dup;

    report("SSL_new", "%s", P(ssl));
    report("SSL_new.null_ctx", "%s", P(SSL_new(NULL)));
    report("SSL_get_SSL_CTX", "%s", SAME(SSL_get_SSL_CTX(ssl), ctx));
    report("SSL_up_ref", "%d", SSL_up_ref(ssl));
    SSL_free(ssl);
    report("SSL_free.one_of_two_refs", "void");
    report("SSL_get_SSL_CTX.still_alive", "%s", SAME(SSL_get_SSL_CTX(ssl), ctx));
    SSL_set_options(ssl, SSL_OP_NO_TICKET);
    SSL_set_verify(ssl, SSL_VERIFY_PEER, NULL);
    SSL_set_connect_state(ssl);
    dup = SSL_dup(ssl);
    report("SSL_dup", "%s", P(dup));
    if (dup != NULL) {
        report("SSL_dup.options", "%#llx", (unsigned long long)(SSL_get_options(dup) & SSL_OP_NO_TICKET));
        report("SSL_dup.verify_mode", "%d", SSL_get_verify_mode(dup));
        report("SSL_dup.is_server", "%d", SSL_is_server(dup));
        report("SSL_dup.ctx", "%s", SAME(SSL_get_SSL_CTX(dup), ctx));
    }
    SSL_free(dup);
    SSL_free(ssl);
    report("SSL_free.last_ref", "void");
    SSL_free(NULL);
    report("SSL_free.null", "void");
    SSL_CTX_free(ctx);

    /* SSL_dup of a connection whose handshake has started shares it. */
    {
        struct pair p;
        pair_new(&p, 0);
        SSL_do_handshake(p.c);
        ERR_clear_error();
        dup = SSL_dup(p.c);
        report("SSL_dup.started", "%s", SAME(dup, p.c));
        SSL_free(dup);
        pair_free(&p);
    }
    /* SSL_clear after a complete shutdown keeps the session, which the next handshake on
     * the same BIOs resumes; without SSL_shutdown the session is dropped. */
    {
        struct pair p;
        int r, ok;
        pair_up(&p, TLS1_2_VERSION);
        r = SSL_shutdown(p.c);
        report("SSL_shutdown.client_first", "%d", r);
        r = SSL_shutdown(p.s);
        report("SSL_shutdown.server_first", "%d", r);
        r = SSL_shutdown(p.s);
        report("SSL_shutdown.server_second", "%d", r);
        r = SSL_shutdown(p.c);
        report("SSL_shutdown.client_second", "%d", r);
        report("SSL_clear.client", "%d", SSL_clear(p.c));
        report("SSL_clear.server", "%d", SSL_clear(p.s));
        report("SSL_clear.session_kept", "%s", P(SSL_get_session(p.c)));
        report("SSL_clear.in_before", "%d, is_server %d, shutdown %d", SSL_in_before(p.c), SSL_is_server(p.c),
               SSL_get_shutdown(p.c));
        ok = pair_handshake(&p);
        report("SSL_clear.handshake_again", "%s, reused %d / %d", HS(&p, ok), SSL_session_reused(p.c),
               SSL_session_reused(p.s));
        report("SSL_clear.without_shutdown", "%d", SSL_clear(p.c));
        report("SSL_clear.session_dropped", "%s", P(SSL_get_session(p.c)));
        pair_free(&p);
    }
}

static void switch_ctx(void)
{
    SSL_CTX *first = server_ctx(), *second = SSL_CTX_new(TLS_server_method());
    SSL *ssl;

    if (SSL_CTX_use_certificate_file(second, pki("ec.pem"), SSL_FILETYPE_PEM) != 1
        || SSL_CTX_use_PrivateKey_file(second, pki("ec.key"), SSL_FILETYPE_PEM) != 1)
        fixture_failed("second context");
    ssl = SSL_new(first);
    report("SSL_get_certificate.first", "%s", CERT(SSL_get_certificate(ssl)));
    report("SSL_set_SSL_CTX", "%s", SAME(SSL_set_SSL_CTX(ssl, second), second));
    report("SSL_get_SSL_CTX.after_switch", "%s", SAME(SSL_get_SSL_CTX(ssl), second));
    report("SSL_get_certificate.second", "%s", CERT(SSL_get_certificate(ssl)));
    report("SSL_get_privatekey.second", "%s", PKEY(SSL_get_privatekey(ssl)));
    report("SSL_set_SSL_CTX.same", "%s", SAME(SSL_set_SSL_CTX(ssl, second), second));
    report("SSL_set_SSL_CTX.null_means_session_ctx", "%s", SAME(SSL_set_SSL_CTX(ssl, NULL), first));
    SSL_free(ssl);
    SSL_CTX_free(first);
    SSL_CTX_free(second);
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
    memset(id, 9, *len);
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
    SSL *ssl = SSL_new(ctx);
    int idx = SSL_get_ex_new_index(0, NULL, NULL, NULL, NULL);
    static int exdata, secdata, padarg;
    X509_VERIFY_PARAM *vpm;

    report("SSL_get_options.default", "%#llx", (unsigned long long)SSL_get_options(ssl));
    report("SSL_set_options", "%#llx", (unsigned long long)SSL_set_options(ssl, SSL_OP_NO_TICKET | SSL_OP_NO_TLSv1_3));
    report("SSL_clear_options", "%#llx", (unsigned long long)SSL_clear_options(ssl, SSL_OP_NO_TLSv1_3));
    report("SSL_get_options", "%#llx", (unsigned long long)SSL_get_options(ssl));
    report("SSL_get_quiet_shutdown.default", "%d", SSL_get_quiet_shutdown(ssl));
    SSL_set_quiet_shutdown(ssl, 1);
    report("SSL_set_quiet_shutdown", "void");
    report("SSL_get_quiet_shutdown", "%d", SSL_get_quiet_shutdown(ssl));
    report("SSL_get_security_level.default", "%d", SSL_get_security_level(ssl));
    SSL_set_security_level(ssl, 0);
    report("SSL_set_security_level", "void");
    report("SSL_get_security_level", "%d", SSL_get_security_level(ssl));
    report("SSL_get_security_callback.default", "%s", SSL_get_security_callback(ssl) ? "non-NULL" : "NULL");
    SSL_set_security_callback(ssl, security_cb);
    report("SSL_set_security_callback", "void");
    report("SSL_get_security_callback", "%s", FN(SSL_get_security_callback(ssl), security_cb));
    report("SSL_get0_security_ex_data.default", "%s", P(SSL_get0_security_ex_data(ssl)));
    SSL_set0_security_ex_data(ssl, &secdata);
    report("SSL_set0_security_ex_data", "void");
    report("SSL_get0_security_ex_data", "%s", SAME(SSL_get0_security_ex_data(ssl), &secdata));
    report("SSL_get_ex_data.unset", "%s", P(SSL_get_ex_data(ssl, idx)));
    report("SSL_set_ex_data", "%d", SSL_set_ex_data(ssl, idx, &exdata));
    report("SSL_get_ex_data", "%s", SAME(SSL_get_ex_data(ssl, idx), &exdata));
    report("SSL_set_ex_data.overwrite_null", "%d", SSL_set_ex_data(ssl, idx, NULL));
    report("SSL_get_ex_data.after_null", "%s", P(SSL_get_ex_data(ssl, idx)));
    SSL_set_default_read_buffer_len(ssl, 20000);
    report("SSL_set_default_read_buffer_len", "void");
    report("SSL_get_num_tickets.default", "%zu", SSL_get_num_tickets(ssl));
    report("SSL_set_num_tickets", "%d", SSL_set_num_tickets(ssl, 0));
    report("SSL_get_num_tickets", "%zu", SSL_get_num_tickets(ssl));
    report("SSL_get_max_early_data.default", "%u", SSL_get_max_early_data(ssl));
    report("SSL_set_max_early_data", "%d", SSL_set_max_early_data(ssl, 1024));
    report("SSL_get_max_early_data", "%u", SSL_get_max_early_data(ssl));
    report("SSL_get_recv_max_early_data.default", "%u", SSL_get_recv_max_early_data(ssl));
    report("SSL_set_recv_max_early_data", "%d", SSL_set_recv_max_early_data(ssl, 2048));
    report("SSL_get_recv_max_early_data", "%u", SSL_get_recv_max_early_data(ssl));
    report("SSL_set_block_padding.256", "%d", SSL_set_block_padding(ssl, 256));
    report("SSL_set_block_padding.too_big", "%d", SSL_set_block_padding(ssl, 16385));
    report("SSL_set_record_padding_callback", "%d", SSL_set_record_padding_callback(ssl, padding_cb));
    SSL_set_record_padding_callback_arg(ssl, &padarg);
    report("SSL_set_record_padding_callback_arg", "void");
    report("SSL_get_record_padding_callback_arg", "%s", SAME(SSL_get_record_padding_callback_arg(ssl), &padarg));
    SSL_set_post_handshake_auth(ssl, 1);
    report("SSL_set_post_handshake_auth", "void");
    report("SSL_get_info_callback.default", "%s", FN(SSL_get_info_callback(ssl), count_info_cb));
    SSL_set_info_callback(ssl, count_info_cb);
    report("SSL_set_info_callback", "void");
    report("SSL_get_info_callback", "%s", FN(SSL_get_info_callback(ssl), count_info_cb));
    SSL_set_msg_callback(ssl, count_msg_cb);
    report("SSL_set_msg_callback", "void");
    report("SSL_set_generate_session_id", "%d", SSL_set_generate_session_id(ssl, gen_session_id));
    SSL_set_not_resumable_session_callback(ssl, not_resumable);
    report("SSL_set_not_resumable_session_callback", "void");
    SSL_set_allow_early_data_cb(ssl, allow_early, NULL);
    report("SSL_set_allow_early_data_cb", "void");
    report("SSL_set_async_callback", "%d", SSL_set_async_callback(ssl, async_cb));
    report("SSL_set_async_callback_arg", "%d", SSL_set_async_callback_arg(ssl, &exdata));
    SSL_set_tmp_dh_callback(ssl, tmp_dh_cb);
    report("SSL_set_tmp_dh_callback", "void");
    {
        EVP_PKEY *dh = NULL;
        EVP_PKEY_CTX *pctx = EVP_PKEY_CTX_new_from_name(NULL, "DH", NULL);
        OSSL_PARAM params[2];
        params[0] = OSSL_PARAM_construct_utf8_string("group", (char *)"ffdhe3072", 0);
        params[1] = OSSL_PARAM_construct_end();
        if (pctx == NULL || EVP_PKEY_paramgen_init(pctx) <= 0 || EVP_PKEY_CTX_set_params(pctx, params) <= 0
            || EVP_PKEY_paramgen(pctx, &dh) <= 0)
            fixture_failed("ffdhe3072");
        EVP_PKEY_CTX_free(pctx);
        report("SSL_set0_tmp_dh_pkey", "%d", SSL_set0_tmp_dh_pkey(ssl, dh));
    }
    report("SSL_set_tlsext_max_fragment_length.1024", "%d", SSL_set_tlsext_max_fragment_length(ssl, TLSEXT_max_fragment_length_1024));
    report("SSL_set_tlsext_max_fragment_length.invalid", "%d", SSL_set_tlsext_max_fragment_length(ssl, 5));
    report("SSL_set_purpose.ssl_client", "%d", SSL_set_purpose(ssl, X509_PURPOSE_SSL_CLIENT));
    report("SSL_set_purpose.invalid", "%d", SSL_set_purpose(ssl, 0));
    report("SSL_set_trust.ssl_client", "%d", SSL_set_trust(ssl, X509_TRUST_SSL_CLIENT));
    report("SSL_set_trust.invalid", "%d", SSL_set_trust(ssl, 1000));
    report("SSL_get0_param", "%s", P(SSL_get0_param(ssl)));
    vpm = X509_VERIFY_PARAM_new();
    X509_VERIFY_PARAM_set_depth(vpm, 3);
    report("SSL_set1_param", "%d", SSL_set1_param(ssl, vpm));
    X509_VERIFY_PARAM_free(vpm);
    report("SSL_get_verify_depth.after_set1_param", "%d", SSL_get_verify_depth(ssl));
    SSL_set_debug(ssl, 1);
    report("SSL_set_debug", "void");
    report("SSL_get_default_timeout", "%ld", SSL_get_default_timeout(ssl));
    report("SSL_test_functions", "%s", P(SSL_test_functions()));
    report("SSL_get_read_ahead.default", "%d", SSL_get_read_ahead(ssl));
    SSL_set_read_ahead(ssl, 1);
    report("SSL_set_read_ahead", "void");
    report("SSL_get_read_ahead", "%d", SSL_get_read_ahead(ssl));
    SSL_free(ssl);
    SSL_CTX_free(ctx);
}

static void hosts(void)
{
    struct pair p;

    pair_new(&p, 0);
    report("SSL_get0_peername.before", "%s", STR(SSL_get0_peername(p.c)));
    SSL_set_hostflags(p.c, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    report("SSL_set_hostflags", "void");
    report("SSL_set1_host.reset", "%d", SSL_set1_host(p.c, "nomatch.example"));
    report("SSL_add1_host", "%d", SSL_add1_host(p.c, "localhost"));
    report("SSL_add1_host.null", "%d", SSL_add1_host(p.c, NULL));
    report("SSL_get0_param.host0", "%s", STR(X509_VERIFY_PARAM_get0_host(SSL_get0_param(p.c), 0)));
    report("SSL_get0_param.host1", "%s", STR(X509_VERIFY_PARAM_get0_host(SSL_get0_param(p.c), 1)));
    report_handshake("handshake.second_name_matches", &p);
    report("SSL_get0_peername.after", "%s", STR(SSL_get0_peername(p.c)));
    report("SSL_get_verify_result", "%ld", SSL_get_verify_result(p.c));
    pair_free(&p);

    pair_new(&p, 0);
    report("SSL_set1_host.mismatch", "%d", SSL_set1_host(p.c, "other.example"));
    report_handshake("handshake.mismatch", &p);
    report("SSL_get_verify_result.mismatch", "%ld", SSL_get_verify_result(p.c));
    report("SSL_get0_peername.mismatch", "%s", STR(SSL_get0_peername(p.c)));
    pair_free(&p);

    pair_new(&p, 0);
    report("SSL_set1_host.null_clears", "%d", SSL_set1_host(p.c, NULL));
    report_handshake("handshake.no_host_check", &p);
    report("SSL_get0_peername.no_host_check", "%s", STR(SSL_get0_peername(p.c)));
    pair_free(&p);
}

/* What programs read to follow a handshake: state, state strings, want, init flags. */
static void state_line(const char *what, SSL *s)
{
    char key[96];
    snprintf(key, sizeof(key), "%s.SSL_get_state", what);
    report(key, "%d", (int)SSL_get_state(s));
    snprintf(key, sizeof(key), "%s.SSL_state_string", what);
    report(key, "%s", STR(SSL_state_string(s)));
    snprintf(key, sizeof(key), "%s.SSL_state_string_long", what);
    report(key, "%s", STR(SSL_state_string_long(s)));
    snprintf(key, sizeof(key), "%s.SSL_rstate_string", what);
    report(key, "%s", STR(SSL_rstate_string(s)));
    snprintf(key, sizeof(key), "%s.SSL_rstate_string_long", what);
    report(key, "%s", STR(SSL_rstate_string_long(s)));
    snprintf(key, sizeof(key), "%s.SSL_want", what);
    report(key, "%d", SSL_want(s));
    snprintf(key, sizeof(key), "%s.SSL_in_init", what);
    report(key, "%d", SSL_in_init(s));
    snprintf(key, sizeof(key), "%s.SSL_in_before", what);
    report(key, "%d", SSL_in_before(s));
    snprintf(key, sizeof(key), "%s.SSL_is_init_finished", what);
    report(key, "%d", SSL_is_init_finished(s));
    snprintf(key, sizeof(key), "%s.SSL_is_server", what);
    report(key, "%d", SSL_is_server(s));
    snprintf(key, sizeof(key), "%s.SSL_get_shutdown", what);
    report(key, "%d", SSL_get_shutdown(s));
    snprintf(key, sizeof(key), "%s.SSL_version", what);
    report(key, "%#x", (unsigned)SSL_version(s));
    snprintf(key, sizeof(key), "%s.SSL_client_version", what);
    report(key, "%#x", (unsigned)SSL_client_version(s));
    snprintf(key, sizeof(key), "%s.SSL_get_version", what);
    report(key, "%s", STR(SSL_get_version(s)));
}

static void states(int version)
{
    struct pair p;
    int r;
    char b;

    pair_new(&p, version);
    state_line("new.client", p.c);
    state_line("new.server", p.s);
    r = SSL_do_handshake(p.c);
    report("first_step.client.SSL_do_handshake", "%d, SSL_get_error %d", r, SSL_get_error(p.c, r));
    state_line("first_step.client", p.c);
    r = SSL_do_handshake(p.s);
    report("first_step.server.SSL_do_handshake", "%d, SSL_get_error %d", r, SSL_get_error(p.s, r));
    state_line("first_step.server", p.s);
    if (!pair_handshake(&p))
        fixture_failed("handshake");
    state_line("done.client", p.c);
    state_line("done.server", p.s);
    report("SSL_free_buffers.idle", "%d", SSL_free_buffers(p.c));
    report("SSL_alloc_buffers", "%d", SSL_alloc_buffers(p.c));
    SSL_write(p.s, "x", 1);
    report("SSL_free_buffers.unread_data", "%d", SSL_free_buffers(p.c));
    SSL_read(p.c, &b, 1);
    ERR_clear_error();
    report("SSL_shutdown.client", "%d", SSL_shutdown(p.c));
    state_line("shutdown_sent.client", p.c);
    r = SSL_read(p.s, &b, 1);
    report("SSL_read.server_after_close_notify", "%d, SSL_get_error %d", r, SSL_get_error(p.s, r));
    state_line("close_notify_received.server", p.s);
    SSL_set_shutdown(p.s, SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
    report("SSL_set_shutdown", "void");
    report("SSL_get_shutdown.after_set", "%d", SSL_get_shutdown(p.s));
    report("SSL_clear.client", "%d", SSL_clear(p.c));
    state_line("cleared.client", p.c);
    pair_free(&p);
}

static void states_tls12(void)
{
    states(TLS1_2_VERSION);
}

static void states_tls13(void)
{
    states(TLS1_3_VERSION);
}

static void roles(void)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_method());
    SSL *ssl = SSL_new(ctx);

    report("SSL_is_server.default", "%d", SSL_is_server(ssl));
    SSL_set_connect_state(ssl);
    report("SSL_set_connect_state", "void");
    report("SSL_is_server.connect_state", "%d", SSL_is_server(ssl));
    report("SSL_in_before.connect_state", "%d", SSL_in_before(ssl));
    SSL_set_accept_state(ssl);
    report("SSL_set_accept_state", "void");
    report("SSL_is_server.accept_state", "%d", SSL_is_server(ssl));
    report("SSL_get_servername.server_before", "%s", STR(SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name)));
    report("SSL_get_servername_type.server_before", "%d", SSL_get_servername_type(ssl));
    SSL_set_connect_state(ssl);
    SSL_set_tlsext_host_name(ssl, "example.org");
    report("SSL_get_servername.client_set", "%s", STR(SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name)));
    report("SSL_get_servername_type.client_set", "%d", SSL_get_servername_type(ssl));
    report("SSL_get_servername.bad_type", "%s", STR(SSL_get_servername(ssl, 1)));
    SSL_free(ssl);
    SSL_CTX_free(ctx);
}

GROUPS({"lifetime", lifetime, NULL}, {"switch_ctx", switch_ctx, NULL}, {"settings", settings, NULL},
       {"hosts", hosts, NULL}, {"states_tls12", states_tls12, NULL}, {"states_tls13", states_tls13, NULL},
       {"roles", roles, NULL})
