/* session: client-side resumption against `s_server -www` (server WWW), TLS 1.2 and 1.3.
 * The first connection's session is taken from SSL_CTX_sess_set_new_cb with
 * SSL_SESS_CACHE_CLIENT (in TLS 1.3 the tickets arrive after the handshake, while the
 * response is read); the second connection offers it with SSL_set_session and must resume. */
#include "common.h"

static SSL_SESSION *saved;
static int new_cb_calls;

/* Keeps the newest session: returning 1 takes over the reference. */
static int new_session(SSL *ssl, SSL_SESSION *sess)
{
    (void)ssl;
    new_cb_calls++;
    SSL_SESSION_free(saved);
    saved = sess;
    return 1;
}

/* GET / and read to the end; returns SSL_session_reused. */
static int fetch(SSL_CTX *ctx, SSL_SESSION *offer, const char *label)
{
    SSL *ssl = SSL_new(ctx);
    int fd = connect_to("WWW");
    SSL_set_fd(ssl, fd);
    SSL_set_tlsext_host_name(ssl, "localhost");
    SSL_set1_host(ssl, "localhost");
    if (offer != NULL)
        printf("%s set_session: %d\n", label, SSL_set_session(ssl, offer));
    int ret = SSL_connect(ssl);
    print_io(ssl, "  connect", ret);
    printf("  version: %s\n", SSL_get_version(ssl));
    int reused = SSL_session_reused(ssl);
    printf("  session_reused after handshake: %d\n", reused);
    printf("  verify result: %ld\n", SSL_get_verify_result(ssl));
    printf("  peer certificate: %s\n", SSL_get0_peer_certificate(ssl) ? "present" : "NULL");

    const char req[] = "GET / HTTP/1.0\r\n\r\n";
    SSL_write(ssl, req, (int)strlen(req));
    char buf[4096];
    while ((ret = SSL_read(ssl, buf, sizeof(buf))) > 0)
        ;
    printf("  read end: %s\n", ssl_error_name(SSL_get_error(ssl, ret)));
    printf("  shutdown: %d\n", SSL_shutdown(ssl));
    print_first_error("  queue");
    close(fd);
    SSL_free(ssl);
    return reused;
}

static void resume(const char *title, int version)
{
    printf("== %s\n", title);
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    SSL_CTX_load_verify_locations(ctx, cert_path("root.pem"), NULL);
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
    SSL_CTX_set_min_proto_version(ctx, version);
    SSL_CTX_set_max_proto_version(ctx, version);
    printf("set_session_cache_mode: %ld\n", SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_CLIENT));
    SSL_CTX_sess_set_new_cb(ctx, new_session);
    saved = NULL;
    new_cb_calls = 0;

    fetch(ctx, NULL, "first");
    printf("new session callback called: %s\n", new_cb_calls > 0 ? "yes" : "no");
    if (saved == NULL) {
        SSL_CTX_free(ctx);
        return;
    }
    printf("session is_resumable: %d\n", SSL_SESSION_is_resumable(saved));
    printf("session protocol version: 0x%x\n", SSL_SESSION_get_protocol_version(saved));
    unsigned int id_len = 0;
    SSL_SESSION_get_id(saved, &id_len);
    printf("session id length: %s\n", id_len > 0 ? "non-zero" : "0");
    printf("session timeout: %ld\n", SSL_SESSION_get_timeout(saved));

    SSL_SESSION *offer = saved;
    SSL_SESSION_up_ref(offer); /* the callback may replace `saved` during the second fetch */
    fetch(ctx, offer, "second");
    SSL_SESSION_free(offer);
    SSL_SESSION_free(saved);
    saved = NULL;
    SSL_CTX_free(ctx);
}

int main(void)
{
    resume("TLS 1.2", TLS1_2_VERSION);
    resume("TLS 1.3", TLS1_3_VERSION);
    return 0;
}
