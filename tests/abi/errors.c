/* errors: bad arguments and edge cases of the context API, no network. Each line prints a
 * return value and, where OpenSSL queues one, the first error's ERR_error_string_n. */
#include "common.h"

static SSL_CTX *client_ctx(void)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    if (ctx == NULL)
        die("SSL_CTX_new");
    return ctx;
}

static void ciphers(void)
{
    SSL_CTX *ctx = client_ctx();
    printf("== cipher strings\n");
    ERR_clear_error();
    printf("set_cipher_list(NOPE): %d\n", SSL_CTX_set_cipher_list(ctx, "NOPE"));
    print_first_error("  error");
    printf("set_cipher_list(HIGH:!aNULL:!MD5): %d\n", SSL_CTX_set_cipher_list(ctx, "HIGH:!aNULL:!MD5"));
    print_first_error("  error");
    printf("set_cipher_list(ECDHE+AESGCM): %d\n", SSL_CTX_set_cipher_list(ctx, "ECDHE+AESGCM"));
    print_first_error("  error");
    printf("set_cipher_list(DEFAULT:NOPE): %d\n", SSL_CTX_set_cipher_list(ctx, "DEFAULT:NOPE"));
    print_first_error("  error");
    printf("set_ciphersuites(TLS_BOGUS): %d\n", SSL_CTX_set_ciphersuites(ctx, "TLS_BOGUS"));
    print_first_error("  error");
    printf("set_ciphersuites(TLS_AES_128_GCM_SHA256:TLS_BOGUS): %d\n",
           SSL_CTX_set_ciphersuites(ctx, "TLS_AES_128_GCM_SHA256:TLS_BOGUS"));
    print_first_error("  error");
    printf("set_ciphersuites(TLS_AES_128_GCM_SHA256): %d\n", SSL_CTX_set_ciphersuites(ctx, "TLS_AES_128_GCM_SHA256"));
    print_first_error("  error");
    printf("set_ciphersuites(empty): %d\n", SSL_CTX_set_ciphersuites(ctx, ""));
    print_first_error("  error");

    SSL *ssl = SSL_new(ctx);
    printf("SSL_set_cipher_list(NOPE): %d\n", SSL_set_cipher_list(ssl, "NOPE"));
    print_first_error("  error");
    SSL_free(ssl);
    SSL_CTX_free(ctx);
}

static void groups_and_versions(void)
{
    SSL_CTX *ctx = client_ctx();
    printf("== groups and versions\n");
    printf("set1_groups_list(bogus): %ld\n", SSL_CTX_set1_groups_list(ctx, "bogus"));
    print_first_error("  error");
    printf("ctrl 92 (SET_GROUPS_LIST) bogus: %ld\n", SSL_CTX_ctrl(ctx, 92, 0, (void *)"P-256:bogus"));
    print_first_error("  error");
    printf("set1_groups_list(X25519:P-256): %ld\n", SSL_CTX_set1_groups_list(ctx, "X25519:P-256"));
    print_first_error("  error");
    printf("set_min_proto_version(0x1234): %ld\n", SSL_CTX_set_min_proto_version(ctx, 0x1234));
    print_first_error("  error");
    printf("set_max_proto_version(0x0305): %ld\n", SSL_CTX_set_max_proto_version(ctx, 0x0305));
    print_first_error("  error");
    printf("set_min_proto_version(TLS1_2_VERSION): %ld\n", SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION));
    printf("get_min_proto_version: 0x%lx\n", SSL_CTX_get_min_proto_version(ctx));
    printf("set_max_proto_version(0): %ld\n", SSL_CTX_set_max_proto_version(ctx, 0));
    printf("get_max_proto_version: 0x%lx\n", SSL_CTX_get_max_proto_version(ctx));
    print_first_error("  error");
    SSL_CTX_free(ctx);
}

static void files(void)
{
    SSL_CTX *ctx = client_ctx();
    unsigned long e;
    printf("== certificate and key files\n");
    ERR_clear_error();
    printf("use_certificate_file(missing): %d\n",
           SSL_CTX_use_certificate_file(ctx, cert_path("missing.pem"), SSL_FILETYPE_PEM));
    e = ERR_get_error();
    printf("  error queued: %s, lib %d\n", e ? "yes" : "no", ERR_GET_LIB(e));
    ERR_clear_error();
    printf("use_PrivateKey_file(missing): %d\n",
           SSL_CTX_use_PrivateKey_file(ctx, cert_path("missing.key"), SSL_FILETYPE_PEM));
    e = ERR_get_error();
    printf("  error queued: %s, lib %d\n", e ? "yes" : "no", ERR_GET_LIB(e));
    ERR_clear_error();
    printf("check_private_key (nothing loaded): %d\n", SSL_CTX_check_private_key(ctx));
    print_first_error("  error");

    printf("use_certificate_file(server.pem): %d\n",
           SSL_CTX_use_certificate_file(ctx, cert_path("server.pem"), SSL_FILETYPE_PEM));
    print_first_error("  error");
    printf("use_PrivateKey_file(client.key, mismatching): %d\n",
           SSL_CTX_use_PrivateKey_file(ctx, cert_path("client.key"), SSL_FILETYPE_PEM));
    print_first_error("  error");
    printf("check_private_key: %d\n", SSL_CTX_check_private_key(ctx));
    print_first_error("  error");

    printf("use_certificate_file(server.pem): %d\n",
           SSL_CTX_use_certificate_file(ctx, cert_path("server.pem"), SSL_FILETYPE_PEM));
    printf("use_PrivateKey_file(server.key): %d\n",
           SSL_CTX_use_PrivateKey_file(ctx, cert_path("server.key"), SSL_FILETYPE_PEM));
    printf("check_private_key: %d\n", SSL_CTX_check_private_key(ctx));
    print_first_error("  error");
    printf("use_certificate_file(server.key as cert): %d\n",
           SSL_CTX_use_certificate_file(ctx, cert_path("server.key"), SSL_FILETYPE_PEM));
    e = ERR_get_error();
    printf("  error queued: %s, lib %d\n", e ? "yes" : "no", ERR_GET_LIB(e));
    ERR_clear_error();
    printf("use_certificate_chain_file(server-chain.pem): %d\n",
           SSL_CTX_use_certificate_chain_file(ctx, cert_path("server-chain.pem")));
    print_first_error("  error");
    printf("load_verify_locations(missing): %d\n", SSL_CTX_load_verify_locations(ctx, cert_path("missing.pem"), NULL));
    e = ERR_get_error();
    printf("  error queued: %s\n", e ? "yes" : "no");
    ERR_clear_error();
    SSL_CTX_free(ctx);
}

static void alpn(void)
{
    SSL_CTX *ctx = client_ctx();
    printf("== alpn (0 means success)\n");
    static const unsigned char good[] = "\x02h2\x08http/1.1";
    static const unsigned char bad_len[] = "\x05h2";
    static const unsigned char zero_len[] = "\x00\x02h2";
    printf("set_alpn_protos(h2,http/1.1): %d\n", SSL_CTX_set_alpn_protos(ctx, good, sizeof(good) - 1));
    print_first_error("  error");
    printf("set_alpn_protos(length overrun): %d\n", SSL_CTX_set_alpn_protos(ctx, bad_len, sizeof(bad_len) - 1));
    print_first_error("  error");
    printf("set_alpn_protos(empty name): %d\n", SSL_CTX_set_alpn_protos(ctx, zero_len, sizeof(zero_len) - 1));
    print_first_error("  error");
    printf("set_alpn_protos(NULL, 0) clears: %d\n", SSL_CTX_set_alpn_protos(ctx, NULL, 0));
    print_first_error("  error");
    SSL *ssl = SSL_new(ctx);
    printf("SSL_set_alpn_protos(h2,http/1.1): %d\n", SSL_set_alpn_protos(ssl, good, sizeof(good) - 1));
    printf("SSL_set_alpn_protos(length overrun): %d\n", SSL_set_alpn_protos(ssl, bad_len, sizeof(bad_len) - 1));
    print_first_error("  error");
    const unsigned char *sel = NULL;
    unsigned int sel_len = 99;
    SSL_get0_alpn_selected(ssl, &sel, &sel_len);
    printf("alpn selected before handshake: %s len %u\n", sel ? "non-NULL" : "NULL", sel_len);
    SSL_free(ssl);
    SSL_CTX_free(ctx);
}

static void fresh_ssl(void)
{
    SSL_CTX *ctx = client_ctx();
    SSL *ssl = SSL_new(ctx);
    printf("== fresh SSL\n");
    ERR_clear_error();
    printf("get_error(ret 1): %d\n", SSL_get_error(ssl, 1));
    printf("get_error(ret 0): %d\n", SSL_get_error(ssl, 0));
    printf("get_error(ret -1): %d\n", SSL_get_error(ssl, -1));
    printf("version: %s\n", SSL_get_version(ssl));
    printf("current cipher: %s\n", SSL_get_current_cipher(ssl) ? "non-NULL" : "NULL");
    printf("cipher name of NULL: %s\n", SSL_CIPHER_get_name(NULL));
    printf("is_init_finished: %d in_init: %d in_before: %d\n", SSL_is_init_finished(ssl),
           SSL_in_init(ssl), SSL_in_before(ssl));
    printf("is_server: %d\n", SSL_is_server(ssl));
    printf("rbio: %s\n", SSL_get_rbio(ssl) ? "non-NULL" : "NULL");
    printf("pending: %d has_pending: %d\n", SSL_pending(ssl), SSL_has_pending(ssl));
    printf("session_reused: %d\n", SSL_session_reused(ssl));
    printf("verify result: %ld\n", SSL_get_verify_result(ssl));
    printf("peer certificate: %s\n", SSL_get0_peer_certificate(ssl) ? "non-NULL" : "NULL");
    printf("peer chain: %s\n", SSL_get_peer_cert_chain(ssl) ? "non-NULL" : "NULL");
    printf("get_shutdown: %d\n", SSL_get_shutdown(ssl));
    printf("SSL_get_SSL_CTX is ctx: %d\n", SSL_get_SSL_CTX(ssl) == ctx);
    print_first_error("queue after the getters");
    /* OpenSSL's SSL_get_fd without a BIO also queues BIO_find_type's "passed a null
     * parameter": an artifact, not a behaviour to copy, so only the value is compared. */
    printf("get_fd: %d\n", SSL_get_fd(ssl));
    ERR_clear_error();

    /* No BIO attached: I/O fails. */
    char buf[8];
    int ret = SSL_connect(ssl);
    print_io(ssl, "connect without a BIO", ret);
    print_first_error("  error");
    SSL_free(ssl);

    ssl = SSL_new(ctx);
    ret = SSL_read(ssl, buf, sizeof(buf));
    print_io(ssl, "read before connect, no BIO", ret);
    print_first_error("  error");
    SSL_free(ssl);
    SSL_CTX_free(ctx);
}

static void null_frees(void)
{
    printf("== NULL frees are no-ops\n");
    SSL_CTX_free(NULL);
    SSL_free(NULL);
    SSL_SESSION_free(NULL);
    print_first_error("queue");
}

static void alerts(void)
{
    static const int codes[] = {0, 10, 20, 40, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 70, 80, 86, 90, 100, 109, 110, 112, 115, 116, 120, 255};
    printf("== alert strings\n");
    for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
        printf("alert %d: %s\n", codes[i], SSL_alert_desc_string_long(codes[i]));
    printf("alert type 1<<8: %s / %s\n", SSL_alert_type_string_long(1 << 8), SSL_alert_type_string(1 << 8));
    printf("alert type 2<<8: %s / %s\n", SSL_alert_type_string_long(2 << 8), SSL_alert_type_string(2 << 8));
    printf("alert type 0: %s / %s\n", SSL_alert_type_string_long(0), SSL_alert_type_string(0));
}

static void misc(void)
{
    printf("== misc\n");
    printf("SSL_CTX_new(NULL): %s\n", SSL_CTX_new(NULL) ? "non-NULL" : "NULL");
    print_first_error("  error");
    SSL_CTX *ctx = client_ctx();
    printf("get_verify_mode: %d\n", SSL_CTX_get_verify_mode(ctx));
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
    printf("get_verify_mode: %d\n", SSL_CTX_get_verify_mode(ctx));
    printf("get_timeout: %ld\n", SSL_CTX_get_timeout(ctx));
    printf("set_timeout(100) returns old: %ld\n", SSL_CTX_set_timeout(ctx, 100));
    printf("get_timeout: %ld\n", SSL_CTX_get_timeout(ctx));
    printf("session cache mode: %ld\n", SSL_CTX_get_session_cache_mode(ctx));
    printf("set_session_cache_mode(CLIENT) returns old: %ld\n", SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_CLIENT));
    printf("mode: 0x%lx\n", SSL_CTX_get_mode(ctx));
    printf("set_mode(RELEASE_BUFFERS): 0x%lx\n", SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS));
    printf("up_ref: %d\n", SSL_CTX_up_ref(ctx));
    SSL_CTX_free(ctx);
    SSL_CTX_free(ctx);
    print_first_error("queue");
}

int main(void)
{
    ciphers();
    groups_and_versions();
    files();
    alpn();
    fresh_ssl();
    null_frees();
    alerts();
    misc();
    return 0;
}
