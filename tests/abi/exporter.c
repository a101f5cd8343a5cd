/* exporter: SSL_export_keying_material (RFC 5705 / RFC 8446 7.5) against
 * `s_server -keymatexport LABEL -keymatexportlen 32` (server KEYMAT), which prints
 * "Keying material: HEX" for each connection (no context). The program prints its own value
 * as "keymat NAME: HEX"; run.sh checks those against the server's log and masks them before
 * the usual system-vs-shim stdout comparison. Values with a context cannot be compared with
 * the server, so only their relations are printed (TLS 1.3: an empty context equals no
 * context; TLS 1.2: it does not; a non-empty context changes the output). */
#include "common.h"

#define LEN 32

static void export_for(const char *title, int version)
{
    const char *label = env("ABI_KEYMAT_LABEL");
    unsigned char none[LEN], empty[LEN], ctxval[LEN], other[LEN];
    printf("== %s\n", title);
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    SSL_CTX_load_verify_locations(ctx, cert_path("root.pem"), NULL);
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
    SSL_CTX_set_min_proto_version(ctx, version);
    SSL_CTX_set_max_proto_version(ctx, version);
    SSL *ssl = SSL_new(ctx);
    int fd = connect_to("KEYMAT");
    SSL_set_fd(ssl, fd);
    SSL_set1_host(ssl, "localhost");

    printf("export before handshake: %d\n",
           SSL_export_keying_material(ssl, none, LEN, label, strlen(label), NULL, 0, 0));
    ERR_clear_error();

    print_io(ssl, "connect", SSL_connect(ssl));
    printf("version: %s\n", SSL_get_version(ssl));
    printf("export, no context: %d\n",
           SSL_export_keying_material(ssl, none, LEN, label, strlen(label), NULL, 0, 0));
    printf("keymat %s: ", title);
    for (int i = 0; i < LEN; i++)
        printf("%02X", none[i]);
    printf("\n");
    printf("export, empty context: %d\n",
           SSL_export_keying_material(ssl, empty, LEN, label, strlen(label), (const unsigned char *)"", 0, 1));
    printf("  equals no context: %s\n", memcmp(none, empty, LEN) == 0 ? "yes" : "no");
    printf("export, context \"abc\": %d\n",
           SSL_export_keying_material(ssl, ctxval, LEN, label, strlen(label), (const unsigned char *)"abc", 3, 1));
    printf("  equals no context: %s\n", memcmp(none, ctxval, LEN) == 0 ? "yes" : "no");
    printf("export, other label: %d\n",
           SSL_export_keying_material(ssl, other, LEN, "EXPERIMENTAL other", 18, NULL, 0, 0));
    printf("  equals first label: %s\n", memcmp(none, other, LEN) == 0 ? "yes" : "no");
    print_first_error("queue");

    /* Close, and wait until the server has closed too (it has printed its value by then). */
    SSL_shutdown(ssl);
    char buf[256];
    while (recv(fd, buf, sizeof(buf), 0) > 0)
        ;
    close(fd);
    SSL_free(ssl);
    SSL_CTX_free(ctx);
}

int main(void)
{
    export_for("TLS 1.3", TLS1_3_VERSION);
    export_for("TLS 1.2", TLS1_2_VERSION);
    return 0;
}
