/* Export contract: library initialisation and error strings (this program does not
 * initialise the library before its groups run, so each group starts where a program's
 * main() starts), SSL_CONF commands from files and command lines, and application
 * configuration sections applied with SSL_CTX_config / SSL_config. */
#define CONTRACT_NO_INIT
#include <openssl/conf.h>

#include "contract.h"

static const char *reason(int r)
{
    const char *s = ERR_reason_error_string(ERR_PACK(ERR_LIB_SSL, 0, r));
    return s ? fmt("\"%s\"", s) : "NULL";
}

static void strings_explicit(void)
{
    note("reason.before_any_call", "%s", reason(SSL_R_NO_CIPHER_MATCH));
    report("ERR_load_SSL_strings", "%d", ERR_load_SSL_strings());
    note("reason.after_ERR_load_SSL_strings", "%s", reason(SSL_R_NO_CIPHER_MATCH));
    note("reason.unknown_reason", "%s", reason(4000));
}

static void strings_init(void)
{
    report("OPENSSL_init_ssl.nothing", "%d", OPENSSL_init_ssl(0, NULL));
    note("reason.after_init_nothing", "%s", reason(SSL_R_WRONG_VERSION_NUMBER));
    report("OPENSSL_init_ssl.strings", "%d", OPENSSL_init_ssl(OPENSSL_INIT_LOAD_SSL_STRINGS | OPENSSL_INIT_LOAD_CRYPTO_STRINGS, NULL));
    note("reason.after_init_strings", "%s", reason(SSL_R_WRONG_VERSION_NUMBER));
    report("OPENSSL_init_ssl.again", "%d", OPENSSL_init_ssl(OPENSSL_INIT_LOAD_SSL_STRINGS, NULL));
}

static void strings_no_load(void)
{
    report("OPENSSL_init_ssl.no_load_strings", "%d", OPENSSL_init_ssl(OPENSSL_INIT_NO_LOAD_SSL_STRINGS, NULL));
    note("reason.after_no_load", "%s", reason(SSL_R_WRONG_VERSION_NUMBER));
}

static void strings_via_ctx(void)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_method());
    report("SSL_CTX_new.first_call", "%s", P(ctx));
    note("reason.after_SSL_CTX_new", "%s", reason(SSL_R_NO_CIPHER_MATCH));
    report("SSL_CTX_set_cipher_list.error_string", "%d", SSL_CTX_set_cipher_list(ctx, "NOPE"));
    SSL_CTX_free(ctx);
}

static void ssl_module(void)
{
    SSL_add_ssl_module();
    report("SSL_add_ssl_module", "void");
}

static void conf_commands(void)
{
    SSL_CONF_CTX *cctx = SSL_CONF_CTX_new();
    SSL_CTX *ctx;
    SSL *ssl;

    OPENSSL_init_ssl(OPENSSL_INIT_LOAD_SSL_STRINGS, NULL);
    ctx = SSL_CTX_new(TLS_server_method());
    report("SSL_CONF_CTX_new", "%s", P(cctx));
    report("SSL_CONF_CTX_set_flags", "%#x", SSL_CONF_CTX_set_flags(cctx, SSL_CONF_FLAG_FILE | SSL_CONF_FLAG_SERVER | SSL_CONF_FLAG_CERTIFICATE | SSL_CONF_FLAG_SHOW_ERRORS));
    report("SSL_CONF_CTX_clear_flags", "%#x", SSL_CONF_CTX_clear_flags(cctx, SSL_CONF_FLAG_SHOW_ERRORS));
    report("SSL_CONF_cmd.before_ctx", "%d", SSL_CONF_cmd(cctx, "MinProtocol", "TLSv1.2"));
    SSL_CONF_CTX_set_ssl_ctx(cctx, ctx);
    report("SSL_CONF_CTX_set_ssl_ctx", "void");
    report("SSL_CONF_cmd.MinProtocol", "%d", SSL_CONF_cmd(cctx, "MinProtocol", "TLSv1.2"));
    report("SSL_CONF_cmd.MinProtocol.effect", "%#lx", (unsigned long)SSL_CTX_get_min_proto_version(ctx));
    report("SSL_CONF_cmd.MinProtocol.bad_value", "%d", SSL_CONF_cmd(cctx, "MinProtocol", "TLSv9"));
    report("SSL_CONF_cmd.MaxProtocol", "%d", SSL_CONF_cmd(cctx, "MaxProtocol", "TLSv1.3"));
    report("SSL_CONF_cmd.Options", "%d", SSL_CONF_cmd(cctx, "Options", "-SessionTicket,ServerPreference"));
    report("SSL_CONF_cmd.Options.effect", "%#llx", (unsigned long long)(SSL_CTX_get_options(ctx) & (SSL_OP_NO_TICKET | SSL_OP_CIPHER_SERVER_PREFERENCE)));
    report("SSL_CONF_cmd.Options.unknown", "%d", SSL_CONF_cmd(cctx, "Options", "NoSuchOption"));
    report("SSL_CONF_cmd.CipherString", "%d", SSL_CONF_cmd(cctx, "CipherString", "ECDHE+AESGCM"));
    report("SSL_CONF_cmd.CipherString.bad", "%d", SSL_CONF_cmd(cctx, "CipherString", "NOPE"));
    report("SSL_CONF_cmd.Ciphersuites", "%d", SSL_CONF_cmd(cctx, "Ciphersuites", "TLS_AES_256_GCM_SHA384"));
    report("SSL_CONF_cmd.Groups", "%d", SSL_CONF_cmd(cctx, "Groups", "X25519:P-256"));
    report("SSL_CONF_cmd.Groups.bad", "%d", SSL_CONF_cmd(cctx, "Groups", "nogroup"));
    report("SSL_CONF_cmd.SignatureAlgorithms", "%d", SSL_CONF_cmd(cctx, "SignatureAlgorithms", "RSA-PSS+SHA256:ECDSA+SHA256"));
    report("SSL_CONF_cmd.Protocol", "%d", SSL_CONF_cmd(cctx, "Protocol", "-TLSv1.1"));
    report("SSL_CONF_cmd.Certificate", "%d", SSL_CONF_cmd(cctx, "Certificate", pki("server-chain.pem")));
    report("SSL_CONF_cmd.PrivateKey", "%d", SSL_CONF_cmd(cctx, "PrivateKey", pki("server.key")));
    report("SSL_CONF_cmd.Certificate.missing", "%d", SSL_CONF_cmd(cctx, "Certificate", pki("missing.pem")));
    report("SSL_CONF_cmd.VerifyCAFile", "%d", SSL_CONF_cmd(cctx, "VerifyCAFile", pki("root.pem")));
    report("SSL_CONF_cmd.ClientCAFile", "%d", SSL_CONF_cmd(cctx, "ClientCAFile", pki("root.pem")));
    report("SSL_CONF_cmd.VerifyMode", "%d", SSL_CONF_cmd(cctx, "VerifyMode", "Request"));
    report("SSL_CONF_cmd.VerifyMode.effect", "%d", SSL_CTX_get_verify_mode(ctx));
    report("SSL_CONF_cmd.unknown", "%d", SSL_CONF_cmd(cctx, "NoSuchCommand", "x"));
    report("SSL_CONF_cmd.missing_value", "%d", SSL_CONF_cmd(cctx, "MinProtocol", NULL));
    report("SSL_CONF_cmd_value_type.MinProtocol", "%d", SSL_CONF_cmd_value_type(cctx, "MinProtocol"));
    report("SSL_CONF_cmd_value_type.Certificate", "%d", SSL_CONF_cmd_value_type(cctx, "Certificate"));
    report("SSL_CONF_cmd_value_type.VerifyCAPath", "%d", SSL_CONF_cmd_value_type(cctx, "VerifyCAPath"));
    report("SSL_CONF_cmd_value_type.unknown", "%d", SSL_CONF_cmd_value_type(cctx, "NoSuchCommand"));
    report("SSL_CONF_CTX_finish", "%d", SSL_CONF_CTX_finish(cctx));
    report("SSL_CONF_CTX_finish.certificate", "%s", CERT(SSL_CTX_get0_certificate(ctx)));
    report("SSL_CONF_CTX_finish.client_ca", "%s", NAMES(SSL_CTX_get_client_CA_list(ctx)));
    report("SSL_CONF_CTX_finish.ciphers", "%s", CIPHERS(SSL_CTX_get_ciphers(ctx)));

    ssl = SSL_new(ctx);
    SSL_CONF_CTX_set_ssl(cctx, ssl);
    report("SSL_CONF_CTX_set_ssl", "void");
    report("SSL_CONF_cmd.on_ssl.MaxProtocol", "%d", SSL_CONF_cmd(cctx, "MaxProtocol", "TLSv1.2"));
    report("SSL_CONF_cmd.on_ssl.effect", "%#lx", (unsigned long)SSL_get_max_proto_version(ssl));
    report("SSL_CONF_cmd.on_ssl.ctx_unchanged", "%#lx", (unsigned long)SSL_CTX_get_max_proto_version(ctx));
    SSL_free(ssl);
    SSL_CONF_CTX_free(cctx);
    SSL_CONF_CTX_free(NULL);
    report("SSL_CONF_CTX_free.null", "void");
    SSL_CTX_free(ctx);
}

/* Command-line style: "-name value" pairs, as s_server-like programs pass argv through. */
static void conf_argv(void)
{
    SSL_CONF_CTX *cctx = SSL_CONF_CTX_new();
    SSL_CTX *ctx;
    char *args[] = {(char *)"-min_protocol", (char *)"TLSv1.3", (char *)"-no_ticket", (char *)"-cipher", (char *)"HIGH",
                    (char *)"-bogus", (char *)"-sigalgs", NULL};
    char **argv = args;
    int argc = 7;

    OPENSSL_init_ssl(OPENSSL_INIT_LOAD_SSL_STRINGS, NULL);
    ctx = SSL_CTX_new(TLS_client_method());
    SSL_CONF_CTX_set_flags(cctx, SSL_CONF_FLAG_CMDLINE | SSL_CONF_FLAG_CLIENT);
    SSL_CONF_CTX_set_ssl_ctx(cctx, ctx);
    report("SSL_CONF_cmd.cmdline_without_prefix", "%d", SSL_CONF_cmd(cctx, "-no_ticket", NULL));
    report("SSL_CONF_CTX_set1_prefix", "%d", SSL_CONF_CTX_set1_prefix(cctx, "-"));
    for (int i = 0; i < 6 && argc > 0; i++) {
        const char *at = argv[0];
        REPORT_OUT(fmt("SSL_CONF_cmd_argv.%d", i), int, SSL_CONF_cmd_argv(cctx, &argc, &argv), "%d at %s, argc now %d", STR(at), argc);
        /* An unrecognised option is left in place; skip it as a program would. */
        if (argc > 0 && strcmp(argv[0], at) == 0) {
            argv++;
            argc--;
        }
    }
    report("SSL_CONF_cmd_argv.effect_min", "%#lx", (unsigned long)SSL_CTX_get_min_proto_version(ctx));
    report("SSL_CONF_cmd_argv.effect_options", "%#llx", (unsigned long long)(SSL_CTX_get_options(ctx) & SSL_OP_NO_TICKET));
    report("SSL_CONF_CTX_set1_prefix.null", "%d", SSL_CONF_CTX_set1_prefix(cctx, NULL));
    report("SSL_CONF_cmd.cmdline_after_null_prefix", "%d", SSL_CONF_cmd(cctx, "no_ticket", NULL));
    report("SSL_CONF_CTX_finish", "%d", SSL_CONF_CTX_finish(cctx));
    SSL_CONF_CTX_free(cctx);
    SSL_CTX_free(ctx);
}

/* An application configuration file with an ssl_conf section, loaded by libcrypto. */
static const char *write_config(void)
{
    const char *path = scratch("openssl.cnf");
    FILE *f = fopen(path, "w");
    if (f == NULL)
        fixture_failed("config file");
    fprintf(f, "contract_conf = contract_section\n\n"
               "[contract_section]\nssl_conf = ssl_section\n\n"
               "[ssl_section]\nmyapp = myapp_settings\nbroken = broken_settings\n\n"
               "[myapp_settings]\nMinProtocol = TLSv1.3\nOptions = -SessionTicket\nCiphersuites = TLS_CHACHA20_POLY1305_SHA256\n\n"
               "[broken_settings]\nMinProtocol = TLSv7\n");
    fclose(f);
    return path;
}

static void config_sections(const char *how)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_method());
    SSL *ssl;

    report(fmt("%s.SSL_CTX_config", how), "%d", SSL_CTX_config(ctx, "myapp"));
    report(fmt("%s.SSL_CTX_config.min_proto", how), "%#lx", (unsigned long)SSL_CTX_get_min_proto_version(ctx));
    report(fmt("%s.SSL_CTX_config.no_ticket", how), "%#llx", (unsigned long long)(SSL_CTX_get_options(ctx) & SSL_OP_NO_TICKET));
    report(fmt("%s.SSL_CTX_config.ciphers", how), "%s", CIPHERS(SSL_CTX_get_ciphers(ctx)));
    report(fmt("%s.SSL_CTX_config.missing", how), "%d", SSL_CTX_config(ctx, "nosuchapp"));
    report(fmt("%s.SSL_CTX_config.broken", how), "%d", SSL_CTX_config(ctx, "broken"));
    SSL_CTX_free(ctx);
    ctx = SSL_CTX_new(TLS_method());
    ssl = SSL_new(ctx);
    report(fmt("%s.SSL_config", how), "%d", SSL_config(ssl, "myapp"));
    report(fmt("%s.SSL_config.min_proto", how), "%#lx", (unsigned long)SSL_get_min_proto_version(ssl));
    report(fmt("%s.SSL_config.ctx_unchanged", how), "%#lx", (unsigned long)SSL_CTX_get_min_proto_version(ctx));
    report(fmt("%s.SSL_config.missing", how), "%d", SSL_config(ssl, "nosuchapp"));
    SSL_free(ssl);
    SSL_CTX_free(ctx);
}

static void config_loaded_by_conf(void)
{
    const char *path = write_config();
    OPENSSL_init_ssl(OPENSSL_INIT_LOAD_SSL_STRINGS, NULL);
    report("CONF_modules_load_file", "%d", CONF_modules_load_file(path, "contract_conf", 0));
    config_sections("conf_modules");
    remove(path);
}

static void config_loaded_by_init(void)
{
    const char *path = write_config();
    OPENSSL_INIT_SETTINGS *settings = OPENSSL_INIT_new();
    OPENSSL_INIT_set_config_filename(settings, path);
    OPENSSL_INIT_set_config_appname(settings, "contract_conf");
    report("OPENSSL_init_ssl.config", "%d", OPENSSL_init_ssl(OPENSSL_INIT_LOAD_CONFIG | OPENSSL_INIT_LOAD_SSL_STRINGS, settings));
    OPENSSL_INIT_free(settings);
    config_sections("init_settings");
    remove(path);
}

/* A system_default section applies to every new context, as a distribution's openssl.cnf
 * may set MinProtocol and CipherString there; connections inherit it; an application's
 * own settings come after it. */
static void config_system_default(void)
{
    const char *path = scratch("system.cnf");
    FILE *f = fopen(path, "w");
    OPENSSL_INIT_SETTINGS *settings = OPENSSL_INIT_new();
    SSL_CTX *ctx;
    SSL *ssl;

    if (f == NULL)
        fixture_failed("config file");
    fprintf(f, "openssl_conf = init\n\n[init]\nssl_conf = ssl_section\n\n"
               "[ssl_section]\nsystem_default = system_default_settings\n\n"
               "[system_default_settings]\nMinProtocol = TLSv1.3\nCipherString = DEFAULT@SECLEVEL=3\nOptions = -SessionTicket\n");
    fclose(f);
    OPENSSL_INIT_set_config_filename(settings, path);
    report("OPENSSL_init_ssl.config", "%d", OPENSSL_init_ssl(OPENSSL_INIT_LOAD_CONFIG | OPENSSL_INIT_LOAD_SSL_STRINGS, settings));
    OPENSSL_INIT_free(settings);
    ctx = SSL_CTX_new(TLS_method());
    report("SSL_CTX_new.min_proto", "%#lx", (unsigned long)SSL_CTX_get_min_proto_version(ctx));
    report("SSL_CTX_new.security_level", "%d", SSL_CTX_get_security_level(ctx));
    report("SSL_CTX_new.no_ticket", "%#llx", (unsigned long long)(SSL_CTX_get_options(ctx) & SSL_OP_NO_TICKET));
    ssl = SSL_new(ctx);
    report("SSL_new.min_proto", "%#lx", (unsigned long)SSL_get_min_proto_version(ssl));
    report("SSL_CTX_set_min_proto_version.after", "%ld", SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION));
    report("SSL_CTX_get_min_proto_version.after", "%#lx", (unsigned long)SSL_CTX_get_min_proto_version(ctx));
    report("SSL_CTX_config.system_default", "%d", SSL_CTX_config(ctx, "system_default"));
    SSL_free(ssl);
    SSL_CTX_free(ctx);
    remove(path);
}

static void config_none(void)
{
    OPENSSL_init_ssl(OPENSSL_INIT_LOAD_SSL_STRINGS, NULL);
    config_sections("no_config");
}

GROUPS({"strings_explicit", strings_explicit, NULL}, {"strings_init", strings_init, NULL},
       {"strings_no_load", strings_no_load, NULL}, {"strings_via_ctx", strings_via_ctx, NULL},
       {"ssl_module", ssl_module, NULL}, {"conf_commands", conf_commands, NULL}, {"conf_argv", conf_argv, NULL},
       {"config_loaded_by_conf", config_loaded_by_conf, NULL}, {"config_loaded_by_init", config_loaded_by_init, NULL},
       {"config_system_default", config_system_default, NULL},
       {"config_none", config_none, NULL})
