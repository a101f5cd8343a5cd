/* SSL_CIPHER and the cipher lists: every suite of OpenSSL's table through SSL_CIPHER_find
 * (names, ids, bits, NIDs, handshake digest, SSL_CIPHER_description), description buffer
 * rules, OPENSSL_cipher_name, the default strings, cipher strings and TLS 1.3 suite lists
 * (acceptance, errors, SSL_CTX_get_ciphers, SSL_get_ciphers, SSL_get_cipher_list,
 * SSL_get1_supported_ciphers, security levels), SSL_bytes_to_cipher_list, and on a connected
 * in-memory pair SSL_get_client_ciphers and SSL_get_shared_ciphers.
 *
 * OpenSSL's lists also hold the suites rustls lacks; the shim keeps only those it can
 * negotiate, in OpenSSL's order. So lists are printed filtered to those nine suites, and the
 * pair's client offers only them. */
#include "common.h"

#include <openssl/evp.h>
#include <openssl/objects.h>

static const char *const implemented[] = {
    "TLS_AES_128_GCM_SHA256",        "TLS_AES_256_GCM_SHA384",
    "TLS_CHACHA20_POLY1305_SHA256",  "ECDHE-ECDSA-AES128-GCM-SHA256",
    "ECDHE-ECDSA-AES256-GCM-SHA384", "ECDHE-RSA-AES128-GCM-SHA256",
    "ECDHE-RSA-AES256-GCM-SHA384",   "ECDHE-RSA-CHACHA20-POLY1305",
    "ECDHE-ECDSA-CHACHA20-POLY1305",
};

static int is_implemented(const char *name)
{
    for (size_t i = 0; i < sizeof(implemented) / sizeof(implemented[0]); i++)
        if (strcmp(name, implemented[i]) == 0)
            return 1;
    return 0;
}

/* "LABEL: n1:n2:..." with the implemented suites of the stack, or "LABEL: NULL". */
static void print_stack(const char *label, STACK_OF(SSL_CIPHER) *sk)
{
    printf("%s:", label);
    if (sk == NULL) {
        printf(" NULL\n");
        return;
    }
    const char *sep = " ";
    for (int i = 0; i < sk_SSL_CIPHER_num(sk); i++) {
        const char *name = SSL_CIPHER_get_name(sk_SSL_CIPHER_value(sk, i));
        if (is_implemented(name)) {
            printf("%s%s", sep, name);
            sep = ":";
        }
    }
    printf("\n");
}

/* SSL_get1_supported_ciphers, freed. The shim answers NULL where OpenSSL's stack holds only
 * suites the shim lacks: both print as an empty list. */
static void print_supported(const char *label, SSL *ssl)
{
    STACK_OF(SSL_CIPHER) *sk = SSL_get1_supported_ciphers(ssl);
    if (sk == NULL)
        printf("%s:\n", label);
    else
        print_stack(label, sk);
    sk_SSL_CIPHER_free(sk);
}

/* Every stack entry, whatever the library implements (for stacks of known ids). */
static void print_all(const char *label, STACK_OF(SSL_CIPHER) *sk)
{
    printf("%s (%d):", label, sk == NULL ? -1 : sk_SSL_CIPHER_num(sk));
    for (int i = 0; sk != NULL && i < sk_SSL_CIPHER_num(sk); i++)
        printf(" %s", SSL_CIPHER_get_name(sk_SSL_CIPHER_value(sk, i)));
    printf("\n");
}

static void table(SSL *ssl)
{
    int found = 0;
    printf("== table\n");
    for (unsigned id = 0; id < 0x10000; id++) {
        unsigned char b[2] = {(unsigned char)(id >> 8), (unsigned char)id};
        const SSL_CIPHER *c = SSL_CIPHER_find(ssl, b);
        if (c == NULL)
            continue;
        found++;
        int alg = -1, bits = SSL_CIPHER_get_bits(c, &alg);
        const char *std = SSL_CIPHER_standard_name(c);
        const EVP_MD *md = SSL_CIPHER_get_handshake_digest(c);
        char line[128];
        printf("%04X %08lX %04X %s std=%s bits=%d/%d %s nids=%d,%d,%d,%d hs=%s aead=%d\n", id,
               (unsigned long)SSL_CIPHER_get_id(c), SSL_CIPHER_get_protocol_id(c),
               SSL_CIPHER_get_name(c), std == NULL ? "NULL" : std, bits, alg,
               SSL_CIPHER_get_version(c), SSL_CIPHER_get_cipher_nid(c),
               SSL_CIPHER_get_digest_nid(c), SSL_CIPHER_get_kx_nid(c),
               SSL_CIPHER_get_auth_nid(c), md == NULL ? "NULL" : EVP_MD_get0_name(md),
               SSL_CIPHER_is_aead(c));
        printf("  %s", SSL_CIPHER_description(c, line, sizeof(line)));
    }
    printf("suites found: %d\n", found);
}

static void names_and_descriptions(SSL *ssl)
{
    unsigned char id[2] = {0xC0, 0x2F};
    const SSL_CIPHER *c = SSL_CIPHER_find(ssl, id);
    char small[127], big[200];

    printf("== names and descriptions\n");
    char *line = SSL_CIPHER_description(c, NULL, 0);
    printf("allocated: %s", line);
    OPENSSL_free(line);
    printf("size 127: %s\n", SSL_CIPHER_description(c, small, sizeof(small)) == NULL ? "NULL" : "buf");
    printf("size 200: %s", SSL_CIPHER_description(c, big, sizeof(big)));
    printf("handshake digest is EVP_sha256(): %d\n",
           SSL_CIPHER_get_handshake_digest(c) == EVP_sha256());
    unsigned char id13[2] = {0x13, 0x02};
    printf("TLS 1.3 digest is EVP_sha384(): %d\n",
           SSL_CIPHER_get_handshake_digest(SSL_CIPHER_find(ssl, id13)) == EVP_sha384());
    printf("NULL cipher: %s %s %s %d %d\n", SSL_CIPHER_get_name(NULL),
           SSL_CIPHER_standard_name(NULL), SSL_CIPHER_get_version(NULL),
           SSL_CIPHER_get_bits(NULL, NULL), SSL_CIPHER_get_cipher_nid(NULL));
    const char *rfc[] = {"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384",
                         "TLS_RSA_WITH_AES_128_CBC_SHA", "TLS_FALLBACK_SCSV",
                         "ECDHE-RSA-AES128-GCM-SHA256", "", "TLS_BOGUS"};
    for (size_t i = 0; i < sizeof(rfc) / sizeof(rfc[0]); i++)
        printf("OPENSSL_cipher_name(%s): %s\n", rfc[i], OPENSSL_cipher_name(rfc[i]));
    printf("OPENSSL_cipher_name(NULL): %s\n", OPENSSL_cipher_name(NULL));
    printf("OSSL_default_cipher_list: %s\n", OSSL_default_cipher_list());
    printf("OSSL_default_ciphersuites: %s\n", OSSL_default_ciphersuites());
    unsigned char unknown[2] = {0x0A, 0x0A};
    printf("SSL_CIPHER_find(0A0A): %s\n", SSL_CIPHER_find(ssl, unknown) == NULL ? "NULL" : "found");
}

static void lists(void)
{
    static const char *const strings[] = {
        "DEFAULT",
        "HIGH:!aNULL:!MD5",
        "ECDHE+AESGCM",
        "EECDH+AESGCM:AES256+EECDH:CHACHA20:!SHA1:!SHA256:!SHA384",
        "kEECDH+ECDSA:kEECDH:!SHA1",
        "CHACHA20:+aECDSA",
        "AES128-SHA:DHE-RSA-AES256-GCM-SHA384",
        "DEFAULT:@SECLEVEL=4",
        "NOPE",
        "!ALL",
        "ALL:!",
        "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
        "-ALL:ECDHE-RSA-AES128-GCM-SHA256",
    };
    printf("== cipher strings\n");
    for (size_t i = 0; i < sizeof(strings) / sizeof(strings[0]); i++) {
        SSL_CTX *ctx = SSL_CTX_new(TLS_method());
        printf("-- %s\n", strings[i]);
        int r = SSL_CTX_set_cipher_list(ctx, strings[i]);
        printf("set_cipher_list: %d\n", r);
        if (r != 1)
            print_first_error("error");
        printf("security level: %d\n", SSL_CTX_get_security_level(ctx));
        print_stack("ctx ciphers", SSL_CTX_get_ciphers(ctx));
        SSL *ssl = SSL_new(ctx);
        STACK_OF(SSL_CIPHER) *sk = SSL_get_ciphers(ssl);
        print_stack("ssl ciphers", sk);
        printf("same stack again: %d\n", SSL_get_ciphers(ssl) == sk);
        printf("cipher_list:");
        for (int n = 0; SSL_get_cipher_list(ssl, n) != NULL; n++)
            if (is_implemented(SSL_get_cipher_list(ssl, n)))
                printf(" %s", SSL_get_cipher_list(ssl, n));
        printf("\ncipher_list(-1): %s\n", SSL_get_cipher_list(ssl, -1) == NULL ? "NULL" : "?");
        print_supported("supported", ssl);
        SSL_set_max_proto_version(ssl, TLS1_2_VERSION);
        print_supported("supported up to TLS 1.2", ssl);
        SSL_free(ssl);
        SSL_CTX_free(ctx);
    }

    static const char *const suites[] = {
        "TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256",
        " TLS_AES_256_GCM_SHA384 : TLS_BOGUS ",
        "TLS_AES_128_CCM_SHA256",
        "TLS_BOGUS",
        "",
        "TLS_AES_128_GCM_SHA256,TLS_AES_256_GCM_SHA384",
    };
    printf("== TLS 1.3 suite lists\n");
    for (size_t i = 0; i < sizeof(suites) / sizeof(suites[0]); i++) {
        SSL_CTX *ctx = SSL_CTX_new(TLS_method());
        printf("-- '%s'\n", suites[i]);
        int r = SSL_CTX_set_ciphersuites(ctx, suites[i]);
        printf("set_ciphersuites: %d\n", r);
        if (r != 1)
            print_first_error("error");
        print_stack("ctx ciphers", SSL_CTX_get_ciphers(ctx));
        SSL *ssl = SSL_new(ctx);
        r = SSL_set_ciphersuites(ssl, "TLS_AES_256_GCM_SHA384");
        printf("SSL_set_ciphersuites: %d\n", r);
        print_stack("ssl ciphers", SSL_get_ciphers(ssl));
        SSL_free(ssl);
        SSL_CTX_free(ctx);
    }
    printf("SSL_get_ciphers(NULL): %s, SSL_CTX_get_ciphers(NULL): %s\n",
           SSL_get_ciphers(NULL) == NULL ? "NULL" : "?",
           SSL_CTX_get_ciphers(NULL) == NULL ? "NULL" : "?");
}

static void bytes_to_list(SSL *ssl)
{
    /* TLS 1.3, unknown (GREASE), the renegotiation SCSV, AES128-SHA, ECDHE-RSA-AES128-GCM,
     * a GOST suite, the fallback SCSV. */
    static const unsigned char wire[] = {0x13, 0x01, 0x0A, 0x0A, 0x00, 0xFF, 0x00, 0x2F,
                                         0xC0, 0x2F, 0x00, 0x81, 0x56, 0x00};
    static const unsigned char v2[] = {0x00, 0xC0, 0x30, 0x01, 0x00, 0x80, 0x00, 0x00, 0xFF};
    STACK_OF(SSL_CIPHER) *sk = NULL, *scsvs = NULL;

    printf("== SSL_bytes_to_cipher_list\n");
    printf("result: %d\n", SSL_bytes_to_cipher_list(ssl, wire, sizeof(wire), 0, &sk, &scsvs));
    print_all("suites", sk);
    print_all("scsvs", scsvs);
    sk_SSL_CIPHER_free(sk);
    sk_SSL_CIPHER_free(scsvs);
    sk = scsvs = NULL;
    printf("v2 result: %d\n", SSL_bytes_to_cipher_list(ssl, v2, sizeof(v2), 1, &sk, NULL));
    print_all("v2 suites", sk);
    sk_SSL_CIPHER_free(sk);
    sk = NULL;
    printf("empty: %d\n", SSL_bytes_to_cipher_list(ssl, wire, 0, 0, &sk, &scsvs));
    print_first_error("error");
    printf("odd: %d\n", SSL_bytes_to_cipher_list(ssl, wire, 3, 0, &sk, &scsvs));
    print_first_error("error");
}

static void pair(void)
{
    SSL_CTX *sctx = SSL_CTX_new(TLS_server_method());
    SSL_CTX *cctx = SSL_CTX_new(TLS_client_method());
    BIO *cb, *sb;
    SSL *c, *s;
    char buf[256];

    printf("== connected pair\n");
    if (sctx == NULL || cctx == NULL
        || SSL_CTX_use_certificate_chain_file(sctx, cert_path("server-chain.pem")) != 1
        || SSL_CTX_use_PrivateKey_file(sctx, cert_path("server.key"), SSL_FILETYPE_PEM) != 1)
        die("contexts");
    /* The client offers only suites both libraries implement. */
    if (SSL_CTX_set_cipher_list(cctx, "ECDHE-RSA-CHACHA20-POLY1305:ECDHE+AESGCM") != 1)
        die("client cipher list");
    SSL_CTX_set_max_proto_version(cctx, TLS1_2_VERSION);
    if (BIO_new_bio_pair(&cb, 0, &sb, 0) != 1)
        die("bio pair");
    c = SSL_new(cctx);
    s = SSL_new(sctx);
    SSL_set_bio(c, cb, cb);
    SSL_set_bio(s, sb, sb);
    SSL_set_connect_state(c);
    SSL_set_accept_state(s);

    print_stack("client ciphers before the hello", SSL_get_client_ciphers(s));
    printf("shared before the hello: %s\n",
           SSL_get_shared_ciphers(s, buf, sizeof(buf)) == NULL ? "NULL" : buf);

    int c_done = 0, s_done = 0;
    for (int i = 0; i < 50 && !(c_done && s_done); i++) {
        if (!c_done)
            c_done = SSL_do_handshake(c) == 1;
        if (!s_done)
            s_done = SSL_do_handshake(s) == 1;
    }
    printf("handshake: %d %d\n", c_done, s_done);
    const SSL_CIPHER *cur = SSL_get_current_cipher(s);
    printf("current: %s (%s)\n", SSL_CIPHER_get_name(cur), SSL_CIPHER_standard_name(cur));
    printf("  %s", SSL_CIPHER_description(cur, buf, sizeof(buf)));
    print_all("client ciphers (server side)", SSL_get_client_ciphers(s));
    printf("client ciphers (client side): %s\n",
           SSL_get_client_ciphers(c) == NULL ? "NULL" : "?");
    printf("client ciphers stable: %d\n", SSL_get_client_ciphers(s) == SSL_get_client_ciphers(s));
    printf("shared: %s\n", SSL_get_shared_ciphers(s, buf, sizeof(buf)));
    int full = (int)strlen(buf) + 1;
    int sizes[] = {full, full - 1, 29, 28, 27, 2, 1, 0};
    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        memset(buf, '#', sizeof(buf));
        char *r = SSL_get_shared_ciphers(s, buf, sizes[i]);
        printf("shared in %d bytes: %s\n", sizes[i],
               r == NULL ? "NULL" : r);
    }
    printf("shared on the client: %s\n",
           SSL_get_shared_ciphers(c, buf, sizeof(buf)) == NULL ? "NULL" : buf);
    SSL_free(c);
    SSL_free(s);
    SSL_CTX_free(cctx);
    SSL_CTX_free(sctx);
}

int main(void)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_method());
    SSL *ssl = SSL_new(ctx);
    if (ssl == NULL)
        die("SSL_new");
    table(ssl);
    names_and_descriptions(ssl);
    bytes_to_list(ssl);
    SSL_free(ssl);
    SSL_CTX_free(ctx);
    lists();
    pair();
    printf("error queue empty: %d\n", ERR_peek_error() == 0);
    return 0;
}
