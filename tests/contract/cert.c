/* Export contract: certificates and private keys of a context and of a connection (from
 * objects, DER, PEM and DER files, chain files, the deprecated RSA calls), key checks,
 * password callbacks for encrypted keys, certificate callbacks on both sides, server info,
 * and the peer's certificates after a handshake. */
#include <openssl/rsa.h>

#include "contract.h"

static void ctx_files(void)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());

    report("SSL_CTX_get0_certificate.none", "%s", CERT(SSL_CTX_get0_certificate(ctx)));
    report("SSL_CTX_get0_privatekey.none", "%s", PKEY(SSL_CTX_get0_privatekey(ctx)));
    report("SSL_CTX_check_private_key.nothing", "%d", SSL_CTX_check_private_key(ctx));
    report("SSL_CTX_use_certificate_file.missing", "%d", SSL_CTX_use_certificate_file(ctx, pki("no-such-file.pem"), SSL_FILETYPE_PEM));
    report("SSL_CTX_use_certificate_file.pem_as_asn1", "%d", SSL_CTX_use_certificate_file(ctx, pki("server.pem"), SSL_FILETYPE_ASN1));
    report("SSL_CTX_use_certificate_file.key_file", "%d", SSL_CTX_use_certificate_file(ctx, pki("server.key"), SSL_FILETYPE_PEM));
    report("SSL_CTX_use_certificate_file.bad_type", "%d", SSL_CTX_use_certificate_file(ctx, pki("server.pem"), 99));
    report("SSL_CTX_use_certificate_file", "%d", SSL_CTX_use_certificate_file(ctx, pki("server.pem"), SSL_FILETYPE_PEM));
    report("SSL_CTX_get0_certificate", "%s", CERT(SSL_CTX_get0_certificate(ctx)));
    report("SSL_CTX_check_private_key.no_key", "%d", SSL_CTX_check_private_key(ctx));
    report("SSL_CTX_use_PrivateKey_file.mismatch", "%d", SSL_CTX_use_PrivateKey_file(ctx, pki("client.key"), SSL_FILETYPE_PEM));
    report("SSL_CTX_check_private_key.mismatch", "%d", SSL_CTX_check_private_key(ctx));
    report("SSL_CTX_use_PrivateKey_file.missing", "%d", SSL_CTX_use_PrivateKey_file(ctx, pki("nokey.pem"), SSL_FILETYPE_PEM));
    report("SSL_CTX_use_PrivateKey_file.cert_file", "%d", SSL_CTX_use_PrivateKey_file(ctx, pki("server.pem"), SSL_FILETYPE_PEM));
    report("SSL_CTX_use_PrivateKey_file", "%d", SSL_CTX_use_PrivateKey_file(ctx, pki("server.key"), SSL_FILETYPE_PEM));
    report("SSL_CTX_get0_privatekey", "%s", PKEY(SSL_CTX_get0_privatekey(ctx)));
    report("SSL_CTX_check_private_key", "%d", SSL_CTX_check_private_key(ctx));
    report("SSL_CTX_use_certificate_chain_file", "%d", SSL_CTX_use_certificate_chain_file(ctx, pki("server-chain.pem")));
    report("SSL_CTX_use_certificate_chain_file.missing", "%d", SSL_CTX_use_certificate_chain_file(ctx, pki("none.pem")));
    report("SSL_CTX_use_certificate_chain_file.key_file", "%d", SSL_CTX_use_certificate_chain_file(ctx, pki("server.key")));
    {
        STACK_OF(X509) *chain = SENT;
        REPORT_OUT("SSL_CTX_get0_chain_certs.after_chain_file", long, SSL_CTX_get0_chain_certs(ctx, &chain), "%ld, %s", CHAIN(chain));
    }
    /* An ECDSA certificate next to the RSA one. */
    report("SSL_CTX_use_certificate_file.ec", "%d", SSL_CTX_use_certificate_file(ctx, pki("ec.pem"), SSL_FILETYPE_PEM));
    report("SSL_CTX_use_PrivateKey_file.ec", "%d", SSL_CTX_use_PrivateKey_file(ctx, pki("ec.key"), SSL_FILETYPE_PEM));
    report("SSL_CTX_get0_certificate.current_is_ec", "%s", CERT(SSL_CTX_get0_certificate(ctx)));
    report("SSL_CTX_get0_privatekey.current_is_ec", "%s", PKEY(SSL_CTX_get0_privatekey(ctx)));
    report("SSL_CTX_check_private_key.ec", "%d", SSL_CTX_check_private_key(ctx));
    SSL_CTX_free(ctx);

    /* DER files, written from the PEM ones. */
    ctx = SSL_CTX_new(TLS_server_method());
    {
        int n;
        unsigned char *der = cert_der("server.pem", &n);
        const char *path = scratch("server.der");
        FILE *f = fopen(path, "wb");
        fwrite(der, 1, (size_t)n, f);
        fclose(f);
        OPENSSL_free(der);
        report("SSL_CTX_use_certificate_file.asn1", "%d", SSL_CTX_use_certificate_file(ctx, path, SSL_FILETYPE_ASN1));
        remove(path);
        der = key_der("server.key", &n);
        path = scratch("server-key.der");
        f = fopen(path, "wb");
        fwrite(der, 1, (size_t)n, f);
        fclose(f);
        OPENSSL_free(der);
        report("SSL_CTX_use_PrivateKey_file.asn1", "%d", SSL_CTX_use_PrivateKey_file(ctx, path, SSL_FILETYPE_ASN1));
        remove(path);
    }
    report("SSL_CTX_check_private_key.asn1", "%d", SSL_CTX_check_private_key(ctx));
    SSL_CTX_free(ctx);
}

static void ctx_objects(void)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
    X509 *cert = load_cert("server.pem"), *inter = load_cert("inter.pem");
    EVP_PKEY *key = load_key("server.key"), *eckey = load_key("ec.key");
    STACK_OF(X509) *chain = sk_X509_new_null();
    unsigned char *der;
    int n;

    sk_X509_push(chain, inter);
    report("SSL_CTX_use_certificate", "%d", SSL_CTX_use_certificate(ctx, cert));
    report("SSL_CTX_get0_certificate.same_object", "%s", SAME(SSL_CTX_get0_certificate(ctx), cert));
    report("SSL_CTX_use_PrivateKey", "%d", SSL_CTX_use_PrivateKey(ctx, key));
    report("SSL_CTX_get0_privatekey.same_object", "%s", SAME(SSL_CTX_get0_privatekey(ctx), key));
    report("SSL_CTX_use_PrivateKey.wrong_type_for_cert", "%d", SSL_CTX_use_PrivateKey(ctx, eckey));
    report("SSL_CTX_use_cert_and_key", "%d", SSL_CTX_use_cert_and_key(ctx, cert, key, chain, 1));
    report("SSL_CTX_use_cert_and_key.no_override", "%d", SSL_CTX_use_cert_and_key(ctx, cert, key, NULL, 0));
    report("SSL_CTX_use_cert_and_key.mismatch", "%d", SSL_CTX_use_cert_and_key(ctx, cert, eckey, NULL, 1));
    {
        STACK_OF(X509) *got = SENT;
        REPORT_OUT("SSL_CTX_use_cert_and_key.chain", long, SSL_CTX_get0_chain_certs(ctx, &got), "%ld, %s", CHAIN(got));
    }
    SSL_CTX_free(ctx);

    ctx = SSL_CTX_new(TLS_server_method());
    der = cert_der("server.pem", &n);
    report("SSL_CTX_use_certificate_ASN1", "%d", SSL_CTX_use_certificate_ASN1(ctx, n, der));
    report("SSL_CTX_use_certificate_ASN1.truncated", "%d", SSL_CTX_use_certificate_ASN1(ctx, n / 2, der));
    OPENSSL_free(der);
    report("SSL_CTX_get0_certificate.asn1", "%s", CERT(SSL_CTX_get0_certificate(ctx)));
    der = key_der("server.key", &n);
    report("SSL_CTX_use_PrivateKey_ASN1", "%d", SSL_CTX_use_PrivateKey_ASN1(EVP_PKEY_RSA, ctx, der, n));
    report("SSL_CTX_use_PrivateKey_ASN1.wrong_type", "%d", SSL_CTX_use_PrivateKey_ASN1(EVP_PKEY_EC, ctx, der, n));
    report("SSL_CTX_use_RSAPrivateKey_ASN1", "%d", SSL_CTX_use_RSAPrivateKey_ASN1(ctx, der, n));
    OPENSSL_free(der);
    report("SSL_CTX_check_private_key.asn1", "%d", SSL_CTX_check_private_key(ctx));
    {
        RSA *rsa = EVP_PKEY_get1_RSA(key);
        report("SSL_CTX_use_RSAPrivateKey", "%d", SSL_CTX_use_RSAPrivateKey(ctx, rsa));
        RSA_free(rsa);
    }
    report("SSL_CTX_use_RSAPrivateKey_file", "%d", SSL_CTX_use_RSAPrivateKey_file(ctx, pki("server.key"), SSL_FILETYPE_PEM));
    report("SSL_CTX_use_RSAPrivateKey_file.ec_key", "%d", SSL_CTX_use_RSAPrivateKey_file(ctx, pki("ec.key"), SSL_FILETYPE_PEM));
    report("SSL_CTX_use_RSAPrivateKey_file.missing", "%d", SSL_CTX_use_RSAPrivateKey_file(ctx, pki("missing.key"), SSL_FILETYPE_PEM));
    report("SSL_CTX_check_private_key.rsa", "%d", SSL_CTX_check_private_key(ctx));
    SSL_CTX_free(ctx);
    X509_free(cert);
    EVP_PKEY_free(key);
    EVP_PKEY_free(eckey);
    sk_X509_pop_free(chain, X509_free);
}

static void ssl_objects(void)
{
    SSL_CTX *ctx = server_ctx();
    SSL *ssl = SSL_new(ctx);
    X509 *ec = load_cert("ec.pem"), *server = load_cert("server.pem");
    EVP_PKEY *eckey = load_key("ec.key"), *key = load_key("server.key");
    unsigned char *der;
    int n;

    report("SSL_get_certificate.inherited", "%s", CERT(SSL_get_certificate(ssl)));
    report("SSL_get_privatekey.inherited", "%s", PKEY(SSL_get_privatekey(ssl)));
    report("SSL_check_private_key.inherited", "%d", SSL_check_private_key(ssl));
    report("SSL_use_certificate", "%d", SSL_use_certificate(ssl, ec));
    report("SSL_get_certificate.after_use", "%s", SAME(SSL_get_certificate(ssl), ec));
    report("SSL_use_PrivateKey", "%d", SSL_use_PrivateKey(ssl, eckey));
    report("SSL_get_privatekey.after_use", "%s", SAME(SSL_get_privatekey(ssl), eckey));
    report("SSL_check_private_key", "%d", SSL_check_private_key(ssl));
    report("SSL_CTX_get0_certificate.not_changed_by_ssl", "%s", CERT(SSL_CTX_get0_certificate(ctx)));
    report("SSL_use_cert_and_key", "%d", SSL_use_cert_and_key(ssl, server, key, NULL, 1));
    report("SSL_use_cert_and_key.mismatch", "%d", SSL_use_cert_and_key(ssl, server, eckey, NULL, 1));
    {
        STACK_OF(X509) *chain = sk_X509_new_null();
        X509 *inter = load_cert("inter.pem");
        sk_X509_push(chain, inter);
        report("SSL_check_chain", "%#x", (unsigned)SSL_check_chain(ssl, server, key, chain));
        report("SSL_check_chain.ec", "%#x", (unsigned)SSL_check_chain(ssl, ec, eckey, NULL));
        sk_X509_pop_free(chain, X509_free);
    }
    SSL_certs_clear(ssl);
    report("SSL_certs_clear", "void");
    report("SSL_get_certificate.after_clear", "%s", CERT(SSL_get_certificate(ssl)));
    report("SSL_get_privatekey.after_clear", "%s", PKEY(SSL_get_privatekey(ssl)));
    report("SSL_check_private_key.after_clear", "%d", SSL_check_private_key(ssl));
    report("SSL_CTX_get0_certificate.after_ssl_clear", "%s", CERT(SSL_CTX_get0_certificate(ctx)));

    report("SSL_use_certificate_file", "%d", SSL_use_certificate_file(ssl, pki("ec.pem"), SSL_FILETYPE_PEM));
    report("SSL_use_certificate_file.missing", "%d", SSL_use_certificate_file(ssl, pki("missing.pem"), SSL_FILETYPE_PEM));
    report("SSL_use_PrivateKey_file", "%d", SSL_use_PrivateKey_file(ssl, pki("ec.key"), SSL_FILETYPE_PEM));
    report("SSL_use_PrivateKey_file.mismatch", "%d", SSL_use_PrivateKey_file(ssl, pki("client.key"), SSL_FILETYPE_PEM));
    report("SSL_use_certificate_chain_file", "%d", SSL_use_certificate_chain_file(ssl, pki("server-chain.pem")));
    report("SSL_use_certificate_chain_file.missing", "%d", SSL_use_certificate_chain_file(ssl, pki("missing.pem")));
    report("SSL_get_certificate.chain_file", "%s", CERT(SSL_get_certificate(ssl)));
    der = cert_der("server.pem", &n);
    report("SSL_use_certificate_ASN1", "%d", SSL_use_certificate_ASN1(ssl, der, n));
    report("SSL_use_certificate_ASN1.garbage", "%d", SSL_use_certificate_ASN1(ssl, (const unsigned char *)"xx", 2));
    OPENSSL_free(der);
    der = key_der("server.key", &n);
    report("SSL_use_PrivateKey_ASN1", "%d", SSL_use_PrivateKey_ASN1(EVP_PKEY_RSA, ssl, der, n));
    report("SSL_use_RSAPrivateKey_ASN1", "%d", SSL_use_RSAPrivateKey_ASN1(ssl, der, n));
    report("SSL_use_RSAPrivateKey_ASN1.garbage", "%d", SSL_use_RSAPrivateKey_ASN1(ssl, (const unsigned char *)"xx", 2));
    OPENSSL_free(der);
    {
        RSA *rsa = EVP_PKEY_get1_RSA(key);
        report("SSL_use_RSAPrivateKey", "%d", SSL_use_RSAPrivateKey(ssl, rsa));
        RSA_free(rsa);
    }
    report("SSL_use_RSAPrivateKey_file", "%d", SSL_use_RSAPrivateKey_file(ssl, pki("server.key"), SSL_FILETYPE_PEM));
    report("SSL_use_RSAPrivateKey_file.missing", "%d", SSL_use_RSAPrivateKey_file(ssl, pki("missing.key"), SSL_FILETYPE_PEM));
    report("SSL_check_private_key.rsa", "%d", SSL_check_private_key(ssl));
    X509_free(ec);
    X509_free(server);
    EVP_PKEY_free(eckey);
    EVP_PKEY_free(key);
    SSL_free(ssl);
    SSL_CTX_free(ctx);
}

static int passwd_calls;
static int passwd_cb(char *buf, int size, int rwflag, void *userdata)
{
    const char *pw = userdata ? userdata : "secret";
    (void)rwflag;
    passwd_calls++;
    strncpy(buf, pw, (size_t)size);
    buf[size - 1] = 0;
    return (int)strlen(buf);
}

static void passwords(void)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
    SSL *ssl;
    static char right[] = "secret", wrong[] = "wrong";

    report("SSL_CTX_get_default_passwd_cb.default", "%s", FN(SSL_CTX_get_default_passwd_cb(ctx), passwd_cb));
    report("SSL_CTX_get_default_passwd_cb_userdata.default", "%s", P(SSL_CTX_get_default_passwd_cb_userdata(ctx)));
    SSL_CTX_set_default_passwd_cb(ctx, passwd_cb);
    report("SSL_CTX_set_default_passwd_cb", "void");
    SSL_CTX_set_default_passwd_cb_userdata(ctx, wrong);
    report("SSL_CTX_set_default_passwd_cb_userdata", "void");
    report("SSL_CTX_get_default_passwd_cb", "%s", FN(SSL_CTX_get_default_passwd_cb(ctx), passwd_cb));
    report("SSL_CTX_get_default_passwd_cb_userdata", "%s", SAME(SSL_CTX_get_default_passwd_cb_userdata(ctx), wrong));
    SSL_CTX_use_certificate_file(ctx, pki("client.pem"), SSL_FILETYPE_PEM);
    report("SSL_CTX_use_PrivateKey_file.encrypted_wrong_password", "%d", SSL_CTX_use_PrivateKey_file(ctx, pki("client-enc.key"), SSL_FILETYPE_PEM));
    SSL_CTX_set_default_passwd_cb_userdata(ctx, right);
    report("SSL_CTX_use_PrivateKey_file.encrypted", "%d", SSL_CTX_use_PrivateKey_file(ctx, pki("client-enc.key"), SSL_FILETYPE_PEM));
    note("SSL_CTX_set_default_passwd_cb.calls", "%d", passwd_calls);
    report("SSL_CTX_check_private_key.encrypted", "%d", SSL_CTX_check_private_key(ctx));

    ssl = SSL_new(ctx);
    report("SSL_get_default_passwd_cb.inherited", "%s", FN(SSL_get_default_passwd_cb(ssl), passwd_cb));
    report("SSL_get_default_passwd_cb_userdata.inherited", "%s", SAME(SSL_get_default_passwd_cb_userdata(ssl), right));
    SSL_set_default_passwd_cb(ssl, NULL);
    report("SSL_set_default_passwd_cb.null", "void");
    report("SSL_get_default_passwd_cb.after_null", "%s", FN(SSL_get_default_passwd_cb(ssl), passwd_cb));
    SSL_set_default_passwd_cb(ssl, passwd_cb);
    SSL_set_default_passwd_cb_userdata(ssl, wrong);
    report("SSL_set_default_passwd_cb_userdata", "void");
    report("SSL_get_default_passwd_cb_userdata", "%s", SAME(SSL_get_default_passwd_cb_userdata(ssl), wrong));
    passwd_calls = 0;
    report("SSL_use_PrivateKey_file.encrypted_wrong_password", "%d", SSL_use_PrivateKey_file(ssl, pki("client-enc.key"), SSL_FILETYPE_PEM));
    SSL_set_default_passwd_cb_userdata(ssl, right);
    report("SSL_use_PrivateKey_file.encrypted", "%d", SSL_use_PrivateKey_file(ssl, pki("client-enc.key"), SSL_FILETYPE_PEM));
    note("SSL_set_default_passwd_cb.calls", "%d", passwd_calls);
    report("SSL_CTX_get_default_passwd_cb_userdata.not_changed_by_ssl", "%s", SAME(SSL_CTX_get_default_passwd_cb_userdata(ctx), right));
    SSL_free(ssl);
    SSL_CTX_free(ctx);
}

/* A server that picks its certificate in the certificate callback, as SNI-driven servers
 * do, and a client whose certificate callback runs when the server asks for one. */
static int server_cert_cb_calls, client_cert_cb_calls, client_cert_cb2_calls;
static int server_cert_cb(SSL *s, void *arg)
{
    (void)arg;
    server_cert_cb_calls++;
    if (SSL_use_certificate_chain_file(s, pki("server-chain.pem")) != 1
        || SSL_use_PrivateKey_file(s, pki("server.key"), SSL_FILETYPE_PEM) != 1)
        return 0;
    return 1;
}

static int client_cert_cb(SSL *s, void *arg)
{
    (void)arg;
    client_cert_cb_calls++;
    return SSL_use_certificate_file(s, pki("client.pem"), SSL_FILETYPE_PEM) == 1
        && SSL_use_PrivateKey_file(s, pki("client.key"), SSL_FILETYPE_PEM) == 1;
}

/* The order of a client's verify and certificate callbacks: OpenSSL verifies the server's
 * chain first, then asks for a client certificate (and the server's is known by then). */
static char cb_order[128];
static void order_add(const char *what)
{
    size_t n = strlen(cb_order);
    snprintf(cb_order + n, sizeof(cb_order) - n, "%s%s", n ? " " : "", what);
}

static int order_verify_cb(int ok, X509_STORE_CTX *ctx)
{
    order_add(fmt("verify%d", X509_STORE_CTX_get_error_depth(ctx)));
    return ok;
}

static int old_client_cert_cb(SSL *s, X509 **x509, EVP_PKEY **pkey)
{
    order_add(SSL_get0_peer_certificate(s) != NULL ? "client_cert(peer known)" : "client_cert(no peer)");
    client_cert_cb2_calls++;
    *x509 = load_cert("client.pem");
    *pkey = load_key("client.key");
    return 1;
}

static void cert_callbacks(int version)
{
    struct pair p;
    X509 *peer;

    p.sctx = SSL_CTX_new(TLS_server_method());
    p.cctx = client_ctx(version);
    SSL_CTX_load_verify_locations(p.sctx, pki("root.pem"), NULL);
    SSL_CTX_set_verify(p.sctx, SSL_VERIFY_PEER, NULL);
    SSL_CTX_set_cert_cb(p.sctx, server_cert_cb, NULL);
    report("SSL_CTX_set_cert_cb", "void");
    pair_connect(&p);
    SSL_set_cert_cb(p.c, client_cert_cb, NULL);
    report("SSL_set_cert_cb", "void");
    report_handshake("handshake", &p);
    note("SSL_CTX_set_cert_cb.calls", "%s", server_cert_cb_calls > 0 ? "> 0" : "0");
    note("SSL_set_cert_cb.calls", "%s", client_cert_cb_calls > 0 ? "> 0" : "0");
    peer = SSL_get1_peer_certificate(p.s);
    report("SSL_get1_peer_certificate.server_sees", "%s", CERT(peer));
    X509_free(peer);
    report("SSL_get0_peer_certificate.client_sees", "%s", CERT(SSL_get0_peer_certificate(p.c)));
    pair_free(&p);

    /* The older client certificate callback. */
    pair_new(&p, version);
    SSL_CTX_set_verify(p.sctx, SSL_VERIFY_PEER, NULL);
    report("SSL_CTX_get_client_cert_cb.default", "%s", FN(SSL_CTX_get_client_cert_cb(p.cctx), old_client_cert_cb));
    SSL_CTX_set_client_cert_cb(p.cctx, old_client_cert_cb);
    report("SSL_CTX_set_client_cert_cb", "void");
    report("SSL_CTX_get_client_cert_cb", "%s", FN(SSL_CTX_get_client_cert_cb(p.cctx), old_client_cert_cb));
    SSL_free(p.c);
    SSL_free(p.s);
    SSL_CTX_set_verify(p.cctx, SSL_VERIFY_PEER, order_verify_cb);
    pair_connect(&p);
    cb_order[0] = 0;
    report_handshake("client_cert_cb.handshake", &p);
    note("SSL_CTX_set_client_cert_cb.calls", "%d", client_cert_cb2_calls);
    note("client_cert_cb.order", "%s", cb_order);
    report("SSL_get0_peer_certificate.client_cert_from_cb", "%s", CERT(SSL_get0_peer_certificate(p.s)));
    SSL_free(p.c);
    SSL_free(p.s);

    /* A server chain that fails verification: no client certificate callback. */
    SSL_CTX_free(p.cctx);
    p.cctx = SSL_CTX_new(TLS_client_method());
    SSL_CTX_set_min_proto_version(p.cctx, version);
    SSL_CTX_set_max_proto_version(p.cctx, version);
    SSL_CTX_set_verify(p.cctx, SSL_VERIFY_PEER, order_verify_cb);
    SSL_CTX_set_client_cert_cb(p.cctx, old_client_cert_cb);
    pair_connect(&p);
    cb_order[0] = 0;
    report_handshake("client_cert_cb.untrusted_server", &p);
    note("client_cert_cb.untrusted_server_order", "%s", cb_order);
    pair_free(&p);
}

static void cert_callbacks_tls12(void)
{
    cert_callbacks(TLS1_2_VERSION);
}

static void cert_callbacks_tls13(void)
{
    cert_callbacks(TLS1_3_VERSION);
}

static void peer_certs(int version)
{
    struct pair p;
    X509 *x;

    pair_new(&p, version);
    SSL_CTX_set_verify(p.sctx, SSL_VERIFY_PEER, NULL);
    client_ctx_cert(p.cctx);
    SSL_free(p.c);
    SSL_free(p.s);
    pair_connect(&p);
    report("SSL_get0_peer_certificate.before", "%s", CERT(SSL_get0_peer_certificate(p.c)));
    report("SSL_get1_peer_certificate.before", "%s", CERT(x = SSL_get1_peer_certificate(p.c)));
    X509_free(x);
    report("SSL_get_peer_cert_chain.before", "%s", CHAIN(SSL_get_peer_cert_chain(p.c)));
    if (!pair_handshake(&p))
        fixture_failed("handshake");
    report("SSL_get0_peer_certificate.client", "%s", CERT(SSL_get0_peer_certificate(p.c)));
    report("SSL_get0_peer_certificate.server", "%s", CERT(SSL_get0_peer_certificate(p.s)));
    x = SSL_get1_peer_certificate(p.c);
    report("SSL_get1_peer_certificate.client", "%s", CERT(x));
    report("SSL_get1_peer_certificate.is_get0_object", "%s", SAME(x, SSL_get0_peer_certificate(p.c)));
    X509_free(x);
    report("SSL_get_peer_cert_chain.client", "%s", CHAIN(SSL_get_peer_cert_chain(p.c)));
    report("SSL_get_peer_cert_chain.server", "%s", CHAIN(SSL_get_peer_cert_chain(p.s)));
    report("SSL_get_certificate.server_after", "%s", CERT(SSL_get_certificate(p.s)));
    report("SSL_get_certificate.client_after", "%s", CERT(SSL_get_certificate(p.c)));
    report("SSL_get_privatekey.client_after", "%s", PKEY(SSL_get_privatekey(p.c)));
    pair_free(&p);
}

static void peer_certs_tls12(void)
{
    peer_certs(TLS1_2_VERSION);
}

static void peer_certs_tls13(void)
{
    peer_certs(TLS1_3_VERSION);
}

/* SSL_check_chain once the peer's signature algorithms, groups and CA names are known:
 * on the server (its own chains) and on a client asked for a certificate. */
static void check_chain_after(int version)
{
    struct pair p;
    X509 *server = load_cert("server.pem"), *ec = load_cert("ec.pem"), *client = load_cert("client.pem");
    X509 *inter = load_cert("inter.pem");
    EVP_PKEY *key = load_key("server.key"), *eckey = load_key("ec.key"), *ckey = load_key("client.key");
    STACK_OF(X509) *chain = sk_X509_new_null();

    sk_X509_push(chain, inter);
    pair_new(&p, version);
    SSL_CTX_set_verify(p.sctx, SSL_VERIFY_PEER, NULL);
    SSL_CTX_set_client_CA_list(p.sctx, SSL_load_client_CA_file(pki("root.pem")));
    client_ctx_cert(p.cctx);
    SSL_free(p.c);
    SSL_free(p.s);
    pair_connect(&p);
    if (!pair_handshake(&p))
        fixture_failed("handshake");
    report("SSL_check_chain.server_rsa", "%#x", (unsigned)SSL_check_chain(p.s, server, key, chain));
    report("SSL_check_chain.server_ec", "%#x", (unsigned)SSL_check_chain(p.s, ec, eckey, NULL));
    report("SSL_check_chain.client", "%#x", (unsigned)SSL_check_chain(p.c, client, ckey, NULL));
    report("SSL_check_chain.client_wrong_issuer", "%#x", (unsigned)SSL_check_chain(p.c, server, key, chain));
    report("SSL_check_chain.no_key", "%#x", (unsigned)SSL_check_chain(p.c, client, NULL, NULL));
    pair_free(&p);
    sk_X509_pop_free(chain, X509_free);
    X509_free(server);
    X509_free(ec);
    X509_free(client);
    EVP_PKEY_free(key);
    EVP_PKEY_free(eckey);
    EVP_PKEY_free(ckey);
}

static void check_chain_tls12(void)
{
    check_chain_after(TLS1_2_VERSION);
}

static void check_chain_tls13(void)
{
    check_chain_after(TLS1_3_VERSION);
}

/* Server info: extension data a server sends in its hello (v1: type and length; v2: a
 * context before them). */
static void serverinfo(void)
{
    SSL_CTX *ctx = server_ctx();
    /* Each call registers its extension types, so each uses types of its own. */
    static const unsigned char v1[] = {0x03, 0xE8, 0x00, 0x03, 'o', 'n', 'e'};
    static const unsigned char v1b[] = {0x03, 0xE9, 0x00, 0x03, 't', 'w', 'o'};
    static const unsigned char v1c[] = {0x03, 0xEB, 0x00, 0x04, 'f', 'i', 'l', 'e'};
    static const unsigned char v2[] = {0x00, 0x00, 0x01, 0xD0, 0x03, 0xEA, 0x00, 0x02, 'v', '2'};
    static const unsigned char bad[] = {0x03, 0xEC, 0x00, 0x09, 'S'};
    static const unsigned char sct[] = {0x00, 0x12, 0x00, 0x03, 'S', 'C', 'T'};
    const char *path = scratch("serverinfo.pem");
    BIO *b;

    report("SSL_CTX_use_serverinfo", "%d", SSL_CTX_use_serverinfo(ctx, v1, sizeof(v1)));
    report("SSL_CTX_use_serverinfo.bad_length", "%d", SSL_CTX_use_serverinfo(ctx, bad, sizeof(bad)));
    report("SSL_CTX_use_serverinfo_ex.v2", "%d", SSL_CTX_use_serverinfo_ex(ctx, SSL_SERVERINFOV2, v2, sizeof(v2)));
    report("SSL_CTX_use_serverinfo_ex.v1", "%d", SSL_CTX_use_serverinfo_ex(ctx, SSL_SERVERINFOV1, v1b, sizeof(v1b)));
    report("SSL_CTX_use_serverinfo.same_type_again", "%d", SSL_CTX_use_serverinfo(ctx, v1, sizeof(v1)));
    report("SSL_CTX_use_serverinfo.builtin_sct", "%d", SSL_CTX_use_serverinfo(ctx, sct, sizeof(sct)));
    report("SSL_CTX_use_serverinfo_ex.bad_version", "%d", SSL_CTX_use_serverinfo_ex(ctx, 7, v2, sizeof(v2)));
    b = BIO_new_file(path, "w");
    PEM_write_bio(b, "SERVERINFO FOR CONTRACT", "", v1c, sizeof(v1c));
    BIO_free(b);
    report("SSL_CTX_use_serverinfo_file", "%d", SSL_CTX_use_serverinfo_file(ctx, path));
    remove(path);
    report("SSL_CTX_use_serverinfo_file.missing", "%d", SSL_CTX_use_serverinfo_file(ctx, pki("missing.pem")));
    report("SSL_CTX_use_serverinfo_file.no_serverinfo", "%d", SSL_CTX_use_serverinfo_file(ctx, pki("server.pem")));
    SSL_CTX_free(ctx);

    ctx = SSL_CTX_new(TLS_server_method());
    report("SSL_CTX_use_serverinfo.no_certificate", "%d", SSL_CTX_use_serverinfo(ctx, v1, sizeof(v1)));
    SSL_CTX_free(ctx);
}

GROUPS({"ctx_files", ctx_files, NULL}, {"ctx_objects", ctx_objects, NULL}, {"ssl_objects", ssl_objects, NULL},
       {"passwords", passwords, NULL}, {"cert_callbacks_tls12", cert_callbacks_tls12, NULL},
       {"cert_callbacks_tls13", cert_callbacks_tls13, NULL}, {"peer_certs_tls12", peer_certs_tls12, NULL},
       {"peer_certs_tls13", peer_certs_tls13, NULL}, {"check_chain_tls12", check_chain_tls12, NULL},
       {"check_chain_tls13", check_chain_tls13, NULL}, {"serverinfo", serverinfo, NULL})
