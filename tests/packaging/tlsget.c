/* tlsget HOST PORT CAFILE: one HTTPS GET with verification; prints the response.
 * Built by tests/packaging with `pkg-config --cflags --libs rustls-libssl`: the header is
 * rustls-libssl's, the library the one its RUNPATH names. */
#include <rustls-libssl.h>

#include <openssl/err.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: tlsget HOST PORT CAFILE\n");
        return 2;
    }
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((unsigned short)atoi(argv[2]))};
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (inet_pton(AF_INET, argv[1], &sa.sin_addr) != 1 || connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
        perror("connect");
        return 1;
    }
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
    if (SSL_CTX_load_verify_locations(ctx, argv[3], NULL) != 1) {
        ERR_print_errors_fp(stderr);
        return 1;
    }
    SSL *ssl = SSL_new(ctx);
    SSL_set1_host(ssl, argv[1]);
    SSL_set_fd(ssl, fd);
    if (SSL_connect(ssl) != 1) {
        ERR_print_errors_fp(stderr);
        return 1;
    }
    const char req[] = "GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
    SSL_write(ssl, req, (int)strlen(req));
    char buf[4096];
    int n;
    while ((n = SSL_read(ssl, buf, sizeof buf)) > 0)
        fwrite(buf, 1, (size_t)n, stdout);
    fprintf(stderr, "%s %s\n", SSL_get_version(ssl), SSL_get_cipher_name(ssl));
    SSL_shutdown(ssl);
    SSL_free(ssl);
    SSL_CTX_free(ctx);
    close(fd);
    return 0;
}
