/* tlspeer: a TLS peer on the system OpenSSL that does what curl and nginx never do to the
 * library under test after the handshake: a TLS 1.3 key update that asks for one back, a
 * forged application-data record, an oversized record header, floods of warning alerts,
 * empty records and key updates.  The curl and nginx suites build it against the system
 * libssl and run the program under test against it.
 *
 *   tlspeer server MODE PORTFILE CERT KEY   one connection on 127.0.0.1 (port written to
 *                                           PORTFILE), answering one HTTP request
 *   tlspeer client MODE PORT                one HTTP request to 127.0.0.1:PORT
 *
 * MODE: keyupdate  a key update (update_requested) before the response (server) or the
 *                  request (client); prints how many key updates the peer sent back.
 *       forged     a record of random bytes where the response (server) or the request
 *                  (client) would be; prints the error the peer's alert gives.
 *       oversized  a record header announcing 20000 bytes, then nothing; prints the error
 *                  the peer's alert gives.
 *       badversion the forged record with TLS 1.0's record version.
 *       warn:N     N warning alerts (user_canceled) before the response or the request.
 *       empty:N    N empty application-data records before it.
 *       kuflood:N  N TLS 1.3 key updates asking for one back before it, none read until
 *                  the end; prints how many the peer sent back.
 *       hb:N       N heartbeat requests (content type 24, a claimed 16 KiB payload) before it.
 *       ccs:N      N ChangeCipherSpec records (sealed like the rest) before it.
 *                  These five write their records themselves, under the keys OpenSSL
 *                  derived (AES-128-GCM, no tickets), then the response or request too;
 *                  each prints the response's status line and size (client) and the
 *                  peer's error.
 * Prints "peer error: none" when the peer sent no alert.  TLSPEER_TLS12 set: TLS 1.2 at most.  Exits 1 on a setup failure. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/ssl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int key_updates_received;

static void msg_cb(int write_p, int version, int content_type, const void *buf, size_t len,
                   SSL *ssl, void *arg)
{
    (void)version, (void)ssl, (void)arg;
    const unsigned char *p = buf;
    if (!write_p && content_type == SSL3_RT_HANDSHAKE && len > 0 && p[0] == SSL3_MT_KEY_UPDATE)
        key_updates_received++;
}

static void die(const char *what)
{
    fprintf(stderr, "tlspeer: %s\n", what);
    ERR_print_errors_fp(stderr);
    exit(1);
}

/* Reads until the end of the HTTP head (the request, or a response's head). */
static void read_head(SSL *ssl)
{
    char buf[4096];
    size_t have = 0;
    while (have < sizeof(buf) - 1) {
        int n = SSL_read(ssl, buf + have, (int)(sizeof(buf) - 1 - have));
        if (n <= 0)
            die("reading the request");
        have += (size_t)n;
        buf[have] = 0;
        if (strstr(buf, "\r\n\r\n"))
            return;
    }
}

/* Writes raw bytes past the TLS layer. */
static void write_raw(int fd, const unsigned char *p, size_t len)
{
    if (write(fd, p, len) != (ssize_t)len)
        die("writing a raw record");
}

/* Sends MODE's bad record. */
static void send_bad(int fd, const char *mode)
{
    unsigned char rec[5 + 48];
    rec[0] = 0x17, rec[1] = 3, rec[2] = 3;
    if (strcmp(mode, "forged") == 0 || strcmp(mode, "badversion") == 0) {
        if (strcmp(mode, "badversion") == 0)
            rec[2] = 1; /* TLS 1.0's record version */
        rec[3] = 0, rec[4] = 48;
        for (int i = 5; i < (int)sizeof(rec); i++)
            rec[i] = (unsigned char)(i * 37 + 11);
        write_raw(fd, rec, sizeof(rec));
    } else {
        rec[3] = 20000 >> 8, rec[4] = 20000 & 0xff;
        write_raw(fd, rec, 5);
    }
}

/* --- records written by hand, for the raw modes ------------------------------------- */

/* The raw mode in MODE ("warn", "empty", "kuflood") and its count, or NULL. */
static const char *raw_mode(const char *mode, int *count)
{
    static const char *const modes[] = {"warn", "empty", "kuflood", "hb", "ccs"};
    for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
        size_t n = strlen(modes[i]);
        if (strncmp(mode, modes[i], n) == 0 && mode[n] == ':') {
            *count = atoi(mode + n + 1);
            return modes[i];
        }
    }
    return NULL;
}

/* The TLS 1.3 traffic secrets the keylog callback saw (SHA-256 suites: 32 bytes). */
static unsigned char client_secret[32], server_secret[32];

static void keylog_cb(const SSL *ssl, const char *line)
{
    (void)ssl;
    unsigned char *dest = NULL;
    if (strncmp(line, "CLIENT_TRAFFIC_SECRET_0 ", 24) == 0)
        dest = client_secret;
    else if (strncmp(line, "SERVER_TRAFFIC_SECRET_0 ", 24) == 0)
        dest = server_secret;
    if (!dest)
        return;
    const char *hex = strrchr(line, ' ') + 1;
    for (int i = 0; i < 32 && sscanf(hex + 2 * i, "%2hhx", &dest[i]) == 1; i++) {
    }
}

/* One direction's AES-128-GCM key, as this side writes. */
struct writer {
    int fd, tls13;
    unsigned char secret[32], key[16], iv[12];
    uint64_t seq;
};

static void kdf(const char *name, int expand_only, const unsigned char *secret, size_t secret_len,
                const unsigned char *info, size_t info_len, unsigned char *out, size_t out_len)
{
    EVP_KDF *k = EVP_KDF_fetch(NULL, name, NULL);
    EVP_KDF_CTX *ctx = k ? EVP_KDF_CTX_new(k) : NULL;
    int mode = EVP_KDF_HKDF_MODE_EXPAND_ONLY;
    OSSL_PARAM params[5], *p = params;
    *p++ = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, "SHA256", 0);
    *p++ = OSSL_PARAM_construct_octet_string(expand_only ? OSSL_KDF_PARAM_KEY
                                                         : OSSL_KDF_PARAM_SECRET,
                                             (void *)secret, secret_len);
    *p++ = OSSL_PARAM_construct_octet_string(expand_only ? OSSL_KDF_PARAM_INFO
                                                         : OSSL_KDF_PARAM_SEED,
                                             (void *)info, info_len);
    if (expand_only)
        *p++ = OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode);
    *p = OSSL_PARAM_construct_end();
    if (!ctx || EVP_KDF_derive(ctx, out, out_len, params) != 1)
        die(name);
    EVP_KDF_CTX_free(ctx);
    EVP_KDF_free(k);
}

/* TLS 1.3's HKDF-Expand-Label with an empty context. */
static void expand_label(const unsigned char *secret, const char *label, unsigned char *out,
                         size_t len)
{
    unsigned char info[64];
    size_t n = strlen(label);
    info[0] = 0, info[1] = (unsigned char)len, info[2] = (unsigned char)(6 + n);
    memcpy(info + 3, "tls13 ", 6);
    memcpy(info + 9, label, n);
    info[9 + n] = 0;
    kdf("HKDF", 1, secret, 32, info, 10 + n, out, len);
}

static void tls13_keys(struct writer *w)
{
    expand_label(w->secret, "key", w->key, sizeof(w->key));
    expand_label(w->secret, "iv", w->iv, sizeof(w->iv));
    w->seq = 0;
}

/* This side's sending key once the handshake is over (no record sent under it yet but,
 * in TLS 1.2, the Finished). */
static void writer_init(struct writer *w, SSL *ssl, int fd)
{
    int server = SSL_is_server(ssl);
    w->fd = fd;
    w->tls13 = SSL_version(ssl) == TLS1_3_VERSION;
    if (w->tls13) {
        memcpy(w->secret, server ? server_secret : client_secret, 32);
        tls13_keys(w);
        return;
    }
    /* key_block = client key, server key, client salt, server salt */
    unsigned char master[48], seed[13 + 64], block[40];
    size_t mlen = SSL_SESSION_get_master_key(SSL_get_session(ssl), master, sizeof(master));
    memcpy(seed, "key expansion", 13);
    SSL_get_server_random(ssl, seed + 13, 32);
    SSL_get_client_random(ssl, seed + 45, 32);
    kdf("TLS1-PRF", 0, master, mlen, seed, sizeof(seed), block, sizeof(block));
    memcpy(w->key, block + (server ? 16 : 0), 16);
    memset(w->iv, 0, sizeof(w->iv));
    memcpy(w->iv, block + (server ? 36 : 32), 4);
    w->seq = 1;
}

/* Seals LEN bytes of TYPE as one record and writes it. */
static void raw_record(struct writer *w, int type, const unsigned char *data, size_t len)
{
    unsigned char plain[2048], rec[2048 + 64], nonce[12], aad[13];
    size_t explicit_len = w->tls13 ? 0 : 8, n = len, aad_len;
    if (len > 1024)
        die("raw record too long");
    memcpy(plain, data, len);
    if (w->tls13)
        plain[n++] = (unsigned char)type;
    memcpy(nonce, w->iv, 12);
    for (int i = 0; i < 8; i++) {
        unsigned char b = (unsigned char)(w->seq >> (56 - 8 * i));
        if (w->tls13)
            nonce[4 + i] ^= b;
        else
            nonce[4 + i] = b;
    }
    size_t body = explicit_len + n + 16;
    rec[0] = (unsigned char)(w->tls13 ? 23 : type), rec[1] = 3, rec[2] = 3;
    rec[3] = (unsigned char)(body >> 8), rec[4] = (unsigned char)body;
    memcpy(rec + 5, nonce + 4, explicit_len);
    if (w->tls13) {
        memcpy(aad, rec, 5);
        aad_len = 5;
    } else {
        for (int i = 0; i < 8; i++)
            aad[i] = (unsigned char)(w->seq >> (56 - 8 * i));
        aad[8] = (unsigned char)type, aad[9] = 3, aad[10] = 3;
        aad[11] = (unsigned char)(len >> 8), aad[12] = (unsigned char)len;
        aad_len = 13;
    }
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
    int outl = 0, finl = 0;
    unsigned char *out = rec + 5 + explicit_len;
    if (!c || EVP_EncryptInit_ex(c, EVP_aes_128_gcm(), NULL, w->key, nonce) != 1 ||
        EVP_EncryptUpdate(c, NULL, &outl, aad, (int)aad_len) != 1 ||
        EVP_EncryptUpdate(c, out, &outl, plain, (int)n) != 1 ||
        EVP_EncryptFinal_ex(c, out + outl, &finl) != 1 ||
        EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, 16, out + n) != 1)
        die("sealing a record");
    EVP_CIPHER_CTX_free(c);
    w->seq++;
    write_raw(w->fd, rec, 5 + body);
}

/* MODE's records: COUNT warning alerts, empty records, key updates, heartbeats or
 * ChangeCipherSpecs. */
static void raw_flood(struct writer *w, const char *mode, int count)
{
    static const unsigned char warning[2] = {1, 90}, key_update[5] = {24, 0, 0, 1, 1},
                               heartbeat[3] = {1, 0x40, 0}, ccs[1] = {1};
    for (int i = 0; i < count; i++) {
        if (strcmp(mode, "warn") == 0) {
            raw_record(w, SSL3_RT_ALERT, warning, 2);
        } else if (strcmp(mode, "hb") == 0) {
            raw_record(w, 24, heartbeat, 3);
        } else if (strcmp(mode, "ccs") == 0) {
            raw_record(w, SSL3_RT_CHANGE_CIPHER_SPEC, ccs, 1);
        } else if (strcmp(mode, "empty") == 0) {
            raw_record(w, SSL3_RT_APPLICATION_DATA, NULL, 0);
        } else {
            raw_record(w, SSL3_RT_HANDSHAKE, key_update, 5);
            unsigned char next[32];
            expand_label(w->secret, "traffic upd", next, 32);
            memcpy(w->secret, next, 32);
            tls13_keys(w);
        }
    }
}

/* Application data written by hand, in records of at most 1024 bytes. */
static void raw_data(struct writer *w, const char *data, size_t len)
{
    for (size_t at = 0; at < len; at += 1024) {
        size_t n = len - at < 1024 ? len - at : 1024;
        raw_record(w, SSL3_RT_APPLICATION_DATA, (const unsigned char *)data + at, n);
    }
}

/* Reads until the peer's alert or EOF; prints the error it gave. */
static void report_peer_error(SSL *ssl)
{
    char buf[4096];
    ERR_clear_error();
    while (SSL_read(ssl, buf, sizeof(buf)) > 0) {
    }
    unsigned long e = ERR_peek_error();
    printf("peer error: %s\n", e ? ERR_reason_error_string(e) : "none");
}

static int finish(SSL_CTX *ctx, SSL *ssl, int fd)
{
    SSL_free(ssl);
    close(fd);
    SSL_CTX_free(ctx);
    return 0;
}

static SSL *setup(SSL_CTX *ctx, int fd, const char *mode)
{
    int count;
    SSL_CTX_set_msg_callback(ctx, msg_cb);
    if (getenv("TLSPEER_TLS12"))
        SSL_CTX_set_max_proto_version(ctx, TLS1_2_VERSION);
    if (raw_mode(mode, &count)) {
        /* Keys this program can use itself, and nothing sent under them before it. */
        if (SSL_CTX_set_ciphersuites(ctx, "TLS_AES_128_GCM_SHA256") != 1 ||
            SSL_CTX_set_cipher_list(ctx, "ECDHE-ECDSA-AES128-GCM-SHA256:"
                                         "ECDHE-RSA-AES128-GCM-SHA256") != 1 ||
            SSL_CTX_set_num_tickets(ctx, 0) != 1)
            die("raw mode settings");
        SSL_CTX_set_keylog_callback(ctx, keylog_cb);
    }
    SSL *ssl = SSL_new(ctx);
    if (!ssl || !SSL_set_fd(ssl, fd))
        die("SSL_new");
    return ssl;
}

static int server(const char *mode, const char *portfile, const char *cert, const char *key)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
    if (!ctx || SSL_CTX_use_certificate_chain_file(ctx, cert) != 1 ||
        SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1)
        die("server context");
    int ls = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t salen = sizeof(sa);
    if (ls < 0 || bind(ls, (struct sockaddr *)&sa, sizeof(sa)) || listen(ls, 1) ||
        getsockname(ls, (struct sockaddr *)&sa, &salen))
        die("listening");
    FILE *f = fopen(portfile, "w");
    if (!f)
        die("port file");
    fprintf(f, "%d\n", ntohs(sa.sin_port));
    fclose(f);
    int fd = accept(ls, NULL, NULL);
    if (fd < 0)
        die("accept");
    SSL *ssl = setup(ctx, fd, mode);
    if (SSL_accept(ssl) != 1)
        die("handshake");
    read_head(ssl);
    int count;
    const char *raw = raw_mode(mode, &count);
    if (raw) {
        struct writer w;
        writer_init(&w, ssl, fd);
        raw_flood(&w, raw, count);
        static char body[1000];
        memset(body, 'r', sizeof(body));
        char head[256];
        int n = snprintf(head, sizeof(head),
                         "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n",
                         sizeof(body));
        raw_data(&w, head, (size_t)n);
        raw_data(&w, body, sizeof(body));
        report_peer_error(ssl);
        if (strcmp(raw, "kuflood") == 0)
            printf("key updates received: %d\n", key_updates_received);
    } else if (strcmp(mode, "keyupdate") == 0) {
        if (SSL_key_update(ssl, SSL_KEY_UPDATE_REQUESTED) != 1)
            die("SSL_key_update");
        static char body[100000];
        memset(body, 'k', sizeof(body));
        char head[256];
        int n = snprintf(head, sizeof(head),
                         "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n",
                         sizeof(body));
        if (SSL_write(ssl, head, n) != n || SSL_write(ssl, body, sizeof(body)) != sizeof(body))
            die("writing the response");
        report_peer_error(ssl);
        printf("key updates received: %d\n", key_updates_received);
    } else {
        send_bad(fd, mode);
        report_peer_error(ssl);
    }
    return finish(ctx, ssl, fd);
}

static int client(const char *mode, int port)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    if (!ctx)
        die("client context");
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((unsigned short)port),
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)))
        die("connect");
    SSL *ssl = setup(ctx, fd, mode);
    if (SSL_connect(ssl) != 1)
        die("handshake");
    printf("version: %s\n", SSL_get_version(ssl));
    int count;
    const char *raw = raw_mode(mode, &count);
    if (raw) {
        struct writer w;
        writer_init(&w, ssl, fd);
        raw_flood(&w, raw, count);
        const char req[] = "GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
        raw_data(&w, req, sizeof(req) - 1);
        char buf[4096];
        int n, total = 0;
        ERR_clear_error();
        while ((n = SSL_read(ssl, buf, sizeof(buf) - 1)) > 0) {
            buf[n] = 0;
            if (total == 0)
                printf("response: %s\n", strtok(buf, "\r"));
            total += n;
        }
        printf("response bytes: %d\n", total);
        unsigned long e = ERR_peek_error();
        printf("peer error: %s\n", e ? ERR_reason_error_string(e) : "none");
        if (strcmp(raw, "kuflood") == 0)
            printf("key updates received: %d\n", key_updates_received);
    } else if (strcmp(mode, "keyupdate") == 0) {
        if (SSL_key_update(ssl, SSL_KEY_UPDATE_REQUESTED) != 1)
            die("SSL_key_update");
        const char req[] = "GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
        if (SSL_write(ssl, req, sizeof(req) - 1) != (int)sizeof(req) - 1)
            die("writing the request");
        char buf[4096];
        int n, total = 0;
        while ((n = SSL_read(ssl, buf, sizeof(buf) - 1)) > 0) {
            buf[n] = 0;
            if (total == 0)
                printf("response: %s\n", strtok(buf, "\r"));
            total += n;
        }
        printf("response bytes: %d\n", total);
        printf("key updates received: %d\n", key_updates_received);
    } else {
        send_bad(fd, mode);
        report_peer_error(ssl);
    }
    return finish(ctx, ssl, fd);
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc == 6 && strcmp(argv[1], "server") == 0)
        return server(argv[2], argv[3], argv[4], argv[5]);
    if (argc == 4 && strcmp(argv[1], "client") == 0)
        return client(argv[2], atoi(argv[3]));
    fprintf(stderr, "usage: tlspeer server MODE PORTFILE CERT KEY | tlspeer client MODE PORT\n");
    return 2;
}
