#!/bin/bash
# curl integration tests for rustls-libssl.
#
# usage: tests/curl/run.sh LIBDIR [TEST...]
#
#   LIBDIR  directory holding the libssl.so.3 under test; Debian's /usr/bin/curl
#           is run with LD_LIBRARY_PATH=LIBDIR.  The literal word `system` runs
#           everything against the system OpenSSL (no LD_LIBRARY_PATH), which
#           must pass 100%.
#   TEST    optional test names (see README.md / `run.sh system --list`) to run
#           only those.
#
# Servers (openssl s_server, nginx, python3) always use the system libraries;
# only curl gets LD_LIBRARY_PATH.  Output: one `ok NAME` / `FAIL NAME: why` /
# `skip NAME: why` line per test, then `N passed, N failed, N skipped`.
# Exit status 1 if any test failed.  Environment knobs: KEEP_LOGS=1 keeps the
# temporary directory even when everything passed.
set -u

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../lib.sh
. "$HERE/../lib.sh"
SELF="$HERE/$(basename "${BASH_SOURCE[0]}")"
CURL=/usr/bin/curl
OPENSSL=/usr/bin/openssl
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
CURL_MAX_TIME=10        # curl --max-time
CURL_HARD_TIMEOUT=30    # `timeout` around every curl
SERVER_TIMEOUT=150      # every server dies by itself after this many seconds
TEST_TIMEOUT=180        # watchdog around one whole test

# Nothing from the caller's environment may redirect curl or the servers.
unset LD_PRELOAD SSLKEYLOGFILE CURL_CA_BUNDLE SSL_CERT_FILE SSL_CERT_DIR OPENSSL_CONF \
      http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY no_proxy NO_PROXY CURL_HOME NGINX
export LC_ALL=C

###########################################################################
# Helpers used inside tests.  A test runs in its own bash process with
# T=its private directory; `fail`/`skip` end it, the EXIT trap stops servers.
###########################################################################

SERVER_PIDS=()

# s_server NAME ARGS...: start `openssl s_server -accept 127.0.0.1:PORT ARGS`
# on a free port; sets PORT.  Retries with another port if binding fails.
s_server() {
    local name=$1 try
    shift
    for try in 1 2 3; do
        PORT=$(free_port)
        bg "$name" "$OPENSSL" s_server -accept "127.0.0.1:$PORT" "$@"
        wait_listen "$PORT" "$BG_PID" && return 0
        kill "$BG_PID" 2>/dev/null
        sed 's/^/  | /' "$T/$name.out"
    done
    fail "could not start s_server ($name)"
}

# Default server: RSA leaf for localhost + 127.0.0.1 via intermediate.
s_server_www() {
    s_server server -cert "$PKI/server.pem" -cert_chain "$PKI/inter.pem" -key "$PKI/server.key" -www "$@"
}

# py_server MODE [ARGS...]: start the inline python helper (see write_helpers); sets PORT.
py_server() {
    local mode=$1
    shift
    rm -f "$T/py.port"
    bg "py-$mode" "$PY" "$WORK/helper.py" "$mode" "$T/py.port" "$@"
    port_from_file "$T/py.port" "$T/py-$mode.out" "python helper $mode"
}

# port_from_file FILE LOG WHAT: waits for the background server $BG_PID to write its port
# to FILE; sets PORT, or fails showing LOG.
port_from_file() {
    local i
    for i in $(seq 1 100); do
        [ -s "$1" ] && break
        kill -0 "$BG_PID" 2>/dev/null || break
        sleep 0.1
    done
    [ -s "$1" ] || { sed 's/^/  | /' "$2"; fail "$3 did not start"; }
    PORT=$(cat "$1")
}

# Environment prefix that makes curl load the library under test.
curl_env() {
    if [ "$LIBDIR" = system ]; then
        env -u LD_LIBRARY_PATH "$@"
    else
        env LD_LIBRARY_PATH="$LIBDIR" "$@"
    fi
}

# run_curl ARGS...: run curl -v; stdout -> $T/out, stderr -> $T/err, exit code -> RC.
# Extra environment for curl can be given in CURL_EXTRA_ENV (array of VAR=value).
CURL_EXTRA_ENV=()
run_curl() {
    echo "+ curl $*"
    curl_env "${CURL_EXTRA_ENV[@]}" timeout -k 5 "$CURL_HARD_TIMEOUT" \
        "$CURL" -q -sS -v --max-time "$CURL_MAX_TIME" "$@" >"$T/out" 2>"$T/err" </dev/null
    RC=$?
    echo "  exit code: $RC"
    sed 's/^/  stderr| /' "$T/err" | head -150
    if [ -s "$T/out" ]; then
        head -c 2000 "$T/out" | sed 's/^/  stdout| /'
        echo
    fi
}

# Fail on a crash or hang right away, whatever was expected.
check_sane() {
    [ "$RC" -eq 124 ] && fail "curl hung (killed by timeout after ${CURL_HARD_TIMEOUT}s)"
    [ "$RC" -eq 126 ] || [ "$RC" -eq 127 ] && fail "curl could not be started (exit $RC): $(head -c 300 "$T/err")"
    [ "$RC" -ge 128 ] && fail "curl crashed: killed by signal $((RC - 128)) (exit $RC)"
    [ "$RC" -eq 125 ] && fail "timeout(1) itself failed (exit 125)"
    return 0
}

expect_rc() {
    check_sane
    [ "$RC" -eq "$1" ] || fail "expected curl exit $1, got $RC ($(last_error))"
}

last_error() {
    grep -E '^curl: \(' "$T/err" | tail -1 | cut -c1-200
}

# expect_err STRING: curl's stderr contains STRING (fixed string).
expect_err() {
    grep -qF -- "$1" "$T/err" || fail "stderr lacks '$1' (last error: $(last_error))"
}

expect_no_err() {
    ! grep -qF -- "$1" "$T/err" || fail "stderr unexpectedly contains '$1'"
}

# expect_out STRING: curl's stdout contains STRING (fixed string).
expect_out() {
    grep -qF -- "$1" "$T/out" || fail "stdout lacks '$1'"
}

# expect_out_line LINE: curl's stdout has exactly this line.
expect_out_line() {
    grep -qxF -- "$1" "$T/out" || fail "stdout lacks the line '$1'"
}

# expect_file FILE STRING
expect_file() {
    grep -qF -- "$2" "$1" || fail "$(basename "$1") lacks '$2'"
}

# A successful transfer of the s_server -www page.
expect_www_ok() {
    expect_rc 0
    expect_out "<HTML><BODY BGCOLOR=\"#ffffff\">"
    expect_out "Verify return code"
}

pubkey_pin() {
    "$OPENSSL" x509 -in "$1" -pubkey -noout | "$OPENSSL" pkey -pubin -outform der |
        "$OPENSSL" dgst -sha256 -binary | base64
}

###########################################################################
# Tests.  Keep each one to one behaviour; order here is the run order.
###########################################################################

TESTS=(
    loaded_lib
    tls13_default tls12 tls13_flag tls_max12_vs_tls13_only
    cipher_tls12 cipher_unusable tls13_ciphers
    curves_x25519 curves_p256 curves_prime256v1 curves_no_overlap
    sni sni_not_sent_for_ip
    alpn_h2 alpn_http11 pq_default pq_explicit_curves
    verify_cacert_chain verify_capath verify_no_cacert verify_expired verify_selfsigned
    verify_selfsigned_insecure verify_wrong_name verify_ip_san verify_crl_revoked verify_crl_good
    pinnedpubkey_ok pinnedpubkey_wrong
    client_cert client_cert_encrypted_key client_cert_wrong_pass client_cert_missing_tls13
    client_cert_missing_tls12
    resume_tls12 resume_tls13
    keylog_tls12 keylog_tls13 keylog_tshark
    cert_status_good cert_status_revoked cert_status_no_staple
    srp
    bad_garbage bad_truncated_handshake bad_alert bad_tls12_only_server bad_plain_http
    after_keyupdate after_forged_record_tls13 after_forged_record_tls12 after_oversized_record
    after_bad_record_version after_warning_alerts after_empty_records after_keyupdate_flood
)

# --- library check -------------------------------------------------------

t_loaded_lib() {
    echo "+ LD_DEBUG=libs curl -V"
    curl_env LD_DEBUG=libs timeout 30 "$CURL" -V >"$T/out" 2>"$T/err"
    RC=$?
    echo "  exit code: $RC"
    grep -E 'libssl|libcrypto|libcurl|error' "$T/err" | head -40 | sed 's/^/  stderr| /'
    expect_rc 0
    local line path
    line=$(grep -E 'calling init: .*/libssl\.so\.3$' "$T/err" | head -1)
    echo "init line: $line"
    [ -n "$line" ] || fail "no 'calling init: .../libssl.so.3' line in LD_DEBUG=libs output"
    path=${line##*calling init: }
    if [ "$LIBDIR" = system ]; then
        case "$path" in
            /lib/*|/usr/lib/*) ;;
            *) fail "system run loaded libssl from $path" ;;
        esac
    else
        [ "$(readlink -f "$(dirname "$path")")" = "$(readlink -f "$LIBDIR")" ] ||
            fail "libssl.so.3 loaded from $path, not from $LIBDIR"
    fi
    # and libcurl reports an SSL backend at all
    grep -q '^Features:.* SSL' "$T/out" || fail "curl -V does not list the SSL feature"
}

# --- protocol versions ---------------------------------------------------

t_tls13_default() {
    mkdir -p "$T/docroot"
    # 200 KiB of random bytes plus a text trailer: exercises many records.
    head -c 204800 /dev/urandom >"$T/docroot/data.bin"
    echo "end of test file" >>"$T/docroot/data.bin"
    s_server server -cert "$PKI/server.pem" -cert_chain "$PKI/inter.pem" -key "$PKI/server.key" -WWW
    # -WWW serves files relative to the server's cwd ($T)
    run_curl --cacert "$PKI/root.pem" -o "$T/body" -w '%{http_code} %{ssl_verify_result}' \
        "https://localhost:$PORT/docroot/data.bin"
    expect_rc 0
    [ "$(cat "$T/out")" = "200 0" ] || fail "http_code/ssl_verify_result = '$(cat "$T/out")', want '200 0'"
    cmp "$T/body" "$T/docroot/data.bin" || fail "downloaded body differs from the served file"
    expect_err "SSL connection using TLSv1.3 / "
}

t_tls12() {
    s_server_www
    run_curl --cacert "$PKI/root.pem" --tlsv1.2 --tls-max 1.2 "https://localhost:$PORT/"
    expect_www_ok
    expect_err "SSL connection using TLSv1.2 / "
    expect_out "Protocol  : TLSv1.2"
}

t_tls13_flag() {
    s_server_www
    run_curl --cacert "$PKI/root.pem" --tlsv1.3 "https://localhost:$PORT/"
    expect_www_ok
    expect_err "SSL connection using TLSv1.3 / "
    expect_out "Protocol  : TLSv1.3"
}

t_tls_max12_vs_tls13_only() {
    s_server_www -tls1_3
    run_curl --cacert "$PKI/root.pem" --tls-max 1.2 "https://localhost:$PORT/"
    expect_rc 35
}

# --- cipher suites -------------------------------------------------------

t_cipher_tls12() {
    s_server_www
    run_curl --cacert "$PKI/root.pem" --tlsv1.2 --tls-max 1.2 --ciphers ECDHE-RSA-AES128-GCM-SHA256 \
        "https://localhost:$PORT/"
    expect_www_ok
    expect_err "SSL connection using TLSv1.2 / ECDHE-RSA-AES128-GCM-SHA256"
    expect_out "Cipher    : ECDHE-RSA-AES128-GCM-SHA256"
}

t_cipher_unusable() {
    s_server_www
    run_curl --cacert "$PKI/root.pem" --ciphers NOPE-CIPHER "https://localhost:$PORT/"
    expect_rc 59
    expect_err "NOPE-CIPHER"
}

t_tls13_ciphers() {
    s_server_www
    run_curl --cacert "$PKI/root.pem" --tlsv1.3 --tls13-ciphers TLS_CHACHA20_POLY1305_SHA256 \
        "https://localhost:$PORT/"
    expect_www_ok
    expect_err "SSL connection using TLSv1.3 / TLS_CHACHA20_POLY1305_SHA256"
    expect_out "Cipher    : TLS_CHACHA20_POLY1305_SHA256"
}

# --- key exchange groups -------------------------------------------------
# The server only offers the one group, so success means it was used; the
# -www page's "Supported groups" line shows what the client offered.

t_curves_x25519() {
    s_server_www -groups X25519
    run_curl --cacert "$PKI/root.pem" --curves X25519 "https://localhost:$PORT/"
    expect_www_ok
    expect_out_line "Supported groups: x25519"
}

t_curves_p256() {
    s_server_www -groups P-256
    run_curl --cacert "$PKI/root.pem" --curves P-256 "https://localhost:$PORT/"
    expect_www_ok
    expect_out_line "Supported groups: secp256r1"
}

t_curves_prime256v1() {
    s_server_www -groups P-256
    run_curl --cacert "$PKI/root.pem" --curves prime256v1 "https://localhost:$PORT/"
    expect_www_ok
    expect_out_line "Supported groups: secp256r1"
}

t_curves_no_overlap() {
    s_server_www -groups P-256
    run_curl --cacert "$PKI/root.pem" --curves X25519 "https://localhost:$PORT/"
    expect_rc 35
}

# --- SNI -----------------------------------------------------------------

# Default certificate is for localhost; only when the client sends SNI
# "wrong.example" does s_server switch to the wrong.example certificate, and
# only that one verifies for https://wrong.example.
t_sni() {
    s_server_www -servername wrong.example -cert2 "$PKI/wrong.pem" -key2 "$PKI/wrong.key"
    run_curl --cacert "$PKI/root.pem" --resolve "wrong.example:$PORT:127.0.0.1" \
        "https://wrong.example:$PORT/"
    expect_www_ok
    expect_err "subject: CN=wrong.example"
}

# RFC 6066: no SNI for an IP address literal.  Were "127.0.0.1" sent as SNI,
# s_server would switch to the wrong.example certificate and curl would fail.
t_sni_not_sent_for_ip() {
    s_server_www -servername 127.0.0.1 -cert2 "$PKI/wrong.pem" -key2 "$PKI/wrong.key"
    run_curl --cacert "$PKI/root.pem" "https://127.0.0.1:$PORT/"
    expect_www_ok
    expect_err "subject: CN=localhost"
}

# --- ALPN via nginx ------------------------------------------------------

# nginx runs in the foreground with everything (config, pid, logs, temp
# paths, its copy of the key) under $T/nginx.  When the suite runs as root,
# nginx is started as `nobody` via setpriv so that it never runs as root.
# NGINX_ON_SHIM=1: nginx itself also loads LIBDIR's libssl (unless LIBDIR is `system`).
start_nginx() {
    local try dir=$T/nginx asuser=() libenv=()
    if [ "${NGINX_ON_SHIM:-0}" = 1 ] && [ "$LIBDIR" != system ]; then
        libenv=(env "LD_LIBRARY_PATH=$LIBDIR")
    fi
    mkdir -p "$dir/tmp" "$dir/logs"
    cp "$PKI/server-chain.pem" "$PKI/server.key" "$dir/"
    chmod 755 "$T" "$dir"
    if [ "$(id -u)" -eq 0 ]; then
        chown -R nobody "$dir"
        asuser=(setpriv --reuid=nobody --regid=nogroup --clear-groups --)
    fi
    for try in 1 2 3; do
        PORT=$(free_port)
        cat >"$dir/nginx.conf" <<EOF
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/logs/error.log info;
events { worker_connections 64; }
http {
    access_log $dir/logs/access.log;
    client_body_temp_path $dir/tmp/client_body;
    proxy_temp_path $dir/tmp/proxy;
    fastcgi_temp_path $dir/tmp/fastcgi;
    uwsgi_temp_path $dir/tmp/uwsgi;
    scgi_temp_path $dir/tmp/scgi;
    server {
        listen 127.0.0.1:$PORT ssl http2;
        server_name localhost;
        ssl_certificate $dir/server-chain.pem;
        ssl_certificate_key $dir/server.key;
        ssl_protocols TLSv1.2 TLSv1.3;
        location / {
            default_type text/plain;
            return 200 "hello from nginx\n";
        }
        location /group {
            default_type text/plain;
            return 200 "\$ssl_protocol \$ssl_curve";
        }
    }
}
EOF
        "${libenv[@]}" "${asuser[@]}" "$NGINX_BIN" -t -p "$dir" -c "$dir/nginx.conf" -e "$dir/logs/error.log" >"$T/nginx-t.out" 2>&1 ||
            { cat "$T/nginx-t.out"; fail "nginx -t rejected the config"; }
        bg nginx "${libenv[@]}" "${asuser[@]}" "$NGINX_BIN" -p "$dir" -c "$dir/nginx.conf" -e "$dir/logs/error.log" -g 'daemon off;'
        wait_listen "$PORT" "$BG_PID" && return 0
        kill "$BG_PID" 2>/dev/null
        cat "$T/nginx.out" "$dir/logs/error.log" 2>/dev/null
    done
    fail "could not start nginx"
}

t_alpn_h2() {
    [ -n "$NGINX_BIN" ] || skip "nginx not installed"
    start_nginx
    run_curl --cacert "$PKI/root.pem" --http2 -w '%{http_version}' -o "$T/body" "https://localhost:$PORT/"
    expect_rc 0
    [ "$(cat "$T/out")" = 2 ] || fail "http_version '$(cat "$T/out")', want 2"
    expect_err "ALPN: server accepted h2"
    [ "$(cat "$T/body")" = "hello from nginx" ] || fail "unexpected body: $(head -c 200 "$T/body")"
}

t_alpn_http11() {
    [ -n "$NGINX_BIN" ] || skip "nginx not installed"
    start_nginx
    run_curl --cacert "$PKI/root.pem" --http1.1 -w '%{http_version}' -o "$T/body" "https://localhost:$PORT/"
    expect_rc 0
    [ "$(cat "$T/out")" = 1.1 ] || fail "http_version '$(cat "$T/out")', want 1.1"
    expect_err "ALPN: server accepted http/1.1"
    [ "$(cat "$T/body")" = "hello from nginx" ] || fail "unexpected body: $(head -c 200 "$T/body")"
}

# --- post-quantum key exchange --------------------------------------------
# curl and nginx both on the library under test. The shim offers X25519MLKEM768 first and
# negotiates it; nginx 1.22 prints a group without an OpenSSL NID as its hex code point
# (0x11ec). OpenSSL 3.0 has no ML-KEM: on `system` the same request gets X25519.

t_pq_default() {
    [ -n "$NGINX_BIN" ] || skip "nginx not installed"
    NGINX_ON_SHIM=1 start_nginx
    run_curl --cacert "$PKI/root.pem" -o "$T/body" "https://localhost:$PORT/group"
    expect_rc 0
    if [ "$LIBDIR" = system ]; then want="TLSv1.3 X25519"; else want="TLSv1.3 0x11ec"; fi
    [ "$(cat "$T/body")" = "$want" ] || fail "nginx saw '$(cat "$T/body")', want '$want'"
}

t_pq_explicit_curves() {
    [ -n "$NGINX_BIN" ] || skip "nginx not installed"
    NGINX_ON_SHIM=1 start_nginx
    run_curl --cacert "$PKI/root.pem" --curves X25519MLKEM768:X25519 -o "$T/body" "https://localhost:$PORT/group"
    if [ "$LIBDIR" = system ]; then
        expect_rc 59   # OpenSSL 3.0 does not know the group: "failed setting curves list"
        return 0
    fi
    expect_rc 0
    [ "$(cat "$T/body")" = "TLSv1.3 0x11ec" ] || fail "nginx saw '$(cat "$T/body")'"
    run_curl --cacert "$PKI/root.pem" --curves X25519 -o "$T/body" "https://localhost:$PORT/group"
    expect_rc 0
    [ "$(cat "$T/body")" = "TLSv1.3 X25519" ] || fail "nginx saw '$(cat "$T/body")' with --curves X25519"
}

# --- certificate verification --------------------------------------------

t_verify_cacert_chain() {
    s_server_www
    run_curl --cacert "$PKI/root.pem" -w '%{ssl_verify_result}' -o "$T/body" "https://localhost:$PORT/"
    expect_rc 0
    [ "$(cat "$T/out")" = 0 ] || fail "ssl_verify_result '$(cat "$T/out")', want 0"
    expect_err "SSL certificate verify ok."
    expect_file "$T/body" "Verify return code"
}

t_verify_capath() {
    s_server_www
    run_curl --capath "$PKI/hashdir" -w '%{ssl_verify_result}' -o "$T/body" "https://localhost:$PORT/"
    expect_rc 0
    [ "$(cat "$T/out")" = 0 ] || fail "ssl_verify_result '$(cat "$T/out")', want 0"
    expect_file "$T/body" "Verify return code"
}

t_verify_no_cacert() {
    s_server_www
    run_curl "https://localhost:$PORT/"
    expect_rc 60
    expect_err "unable to get local issuer certificate"
}

t_verify_expired() {
    s_server server -cert "$PKI/expired.pem" -key "$PKI/expired.key" -www
    run_curl --cacert "$PKI/root.pem" "https://localhost:$PORT/"
    expect_rc 60
    expect_err "certificate has expired"
}

t_verify_selfsigned() {
    s_server server -cert "$PKI/selfsigned.pem" -key "$PKI/selfsigned.key" -www
    run_curl --cacert "$PKI/root.pem" "https://localhost:$PORT/"
    expect_rc 60
    expect_err "self-signed certificate"
}

t_verify_selfsigned_insecure() {
    s_server server -cert "$PKI/selfsigned.pem" -key "$PKI/selfsigned.key" -www
    run_curl --insecure --cacert "$PKI/root.pem" "https://localhost:$PORT/"
    expect_www_ok
}

t_verify_wrong_name() {
    s_server server -cert "$PKI/wrong.pem" -key "$PKI/wrong.key" -www
    run_curl --cacert "$PKI/root.pem" "https://localhost:$PORT/"
    expect_rc 60
    expect_err "no alternative certificate subject name matches target host name"
}

t_verify_ip_san() {
    s_server_www
    run_curl --cacert "$PKI/root.pem" "https://127.0.0.1:$PORT/"
    expect_www_ok
}

t_verify_crl_revoked() {
    s_server server -cert "$PKI/revoked.pem" -key "$PKI/revoked.key" -www
    run_curl --cacert "$PKI/root.pem" --crlfile "$PKI/root.crl.pem" "https://localhost:$PORT/"
    expect_rc 60
    expect_err "certificate revoked"
}

# Control for the above: same CRL, certificate not on it.
t_verify_crl_good() {
    s_server server -cert "$PKI/ec.pem" -key "$PKI/ec.key" -www
    run_curl --cacert "$PKI/root.pem" --crlfile "$PKI/root.crl.pem" "https://localhost:$PORT/"
    expect_www_ok
}

t_pinnedpubkey_ok() {
    local pin
    pin=$(pubkey_pin "$PKI/server.pem")
    s_server_www
    run_curl --cacert "$PKI/root.pem" --pinnedpubkey "sha256//$pin" "https://localhost:$PORT/"
    expect_www_ok
}

t_pinnedpubkey_wrong() {
    local pin
    pin=$(pubkey_pin "$PKI/ec.pem")
    s_server_www
    run_curl --cacert "$PKI/root.pem" --pinnedpubkey "sha256//$pin" "https://localhost:$PORT/"
    expect_rc 90
}

# --- client certificates -------------------------------------------------

s_server_mtls() {
    s_server_www -Verify 1 -CAfile "$PKI/root.pem" "$@"
}

# The -www page prints the client certificate as PEM; it must be ours.
expect_client_cert_on_page() {
    expect_out "Client certificate"
    "$PY" - "$T/out" "$PKI/client.pem" <<'EOF' || fail "page does not show client.pem"
import sys
page, pem = open(sys.argv[1], errors="replace").read(), open(sys.argv[2]).read().strip()
sys.exit(0 if pem in page else 1)
EOF
}

t_client_cert() {
    s_server_mtls
    run_curl --cacert "$PKI/root.pem" --cert "$PKI/client.pem" --key "$PKI/client.key" "https://localhost:$PORT/"
    expect_www_ok
    expect_client_cert_on_page
}

t_client_cert_encrypted_key() {
    s_server_mtls
    run_curl --cacert "$PKI/root.pem" --cert "$PKI/client.pem" --key "$PKI/client-enc.key" --pass secret \
        "https://localhost:$PORT/"
    expect_www_ok
    expect_client_cert_on_page
}

t_client_cert_wrong_pass() {
    s_server_mtls
    run_curl --cacert "$PKI/root.pem" --cert "$PKI/client.pem" --key "$PKI/client-enc.key" --pass wrong \
        "https://localhost:$PORT/"
    expect_rc 58
    expect_err "unable to set private key file"
}

# TLS 1.3: the handshake completes on the client side; the server's
# certificate_required alert arrives when curl reads the response.
t_client_cert_missing_tls13() {
    s_server_mtls
    run_curl --cacert "$PKI/root.pem" --tlsv1.3 "https://localhost:$PORT/"
    expect_rc 56
}

t_client_cert_missing_tls12() {
    s_server_mtls
    run_curl --cacert "$PKI/root.pem" --tlsv1.2 --tls-max 1.2 "https://localhost:$PORT/"
    expect_rc 35
}

# --- session resumption --------------------------------------------------
# s_server -www answers with HTTP/1.0 and closes, so the second URL needs a
# new connection; its page says "Reused" when the session was resumed.

resume_test() {
    s_server_www
    run_curl --cacert "$PKI/root.pem" "$@" "https://localhost:$PORT/first" "https://localhost:$PORT/second"
    expect_rc 0
    local conns
    conns=$(grep -c "Connected to localhost" "$T/err")
    [ "$conns" -eq 2 ] || fail "expected 2 connections, saw $conns"
    expect_err "SSL re-using session ID"
    grep -q "^New, " "$T/out" || fail "first transfer not a new session"
    grep -q "^Reused, " "$T/out" || fail "server did not report the second session as reused"
}

t_resume_tls12() {
    resume_test --tlsv1.2 --tls-max 1.2
    expect_out "Reused, TLSv1.2"
}

t_resume_tls13() {
    resume_test --tlsv1.3
    expect_out "Reused, TLSv1.3"
}

# --- SSLKEYLOGFILE -------------------------------------------------------
# The client's key log lines must also be in s_server's own -keylogfile, which
# proves the secrets are real and not just well formed.

keylog_test() {
    s_server_www -keylogfile "$T/server-keys.log"
    CURL_EXTRA_ENV=("SSLKEYLOGFILE=$T/keys.log")
    run_curl --cacert "$PKI/root.pem" "$@" "https://localhost:$PORT/"
    CURL_EXTRA_ENV=()
    expect_www_ok
    [ -s "$T/keys.log" ] || fail "SSLKEYLOGFILE was not written"
    echo "client key log:"; sed 's/^/  | /' "$T/keys.log"
    echo "server key log:"; sed 's/^/  | /' "$T/server-keys.log"
    local line n=0
    while IFS= read -r line; do
        case "$line" in '#'*|'') continue ;; esac
        echo "$line" | grep -qE '^[A-Z_0-9]+ [0-9a-f]{64} [0-9a-f]+$' || fail "malformed key log line: $line"
        grep -qxF -- "$line" "$T/server-keys.log" || fail "key log line not known to the server: $line"
        n=$((n + 1))
    done <"$T/keys.log"
    [ "$n" -gt 0 ] || fail "no key log lines"
}

t_keylog_tls12() {
    keylog_test --tlsv1.2 --tls-max 1.2
    grep -qE '^CLIENT_RANDOM [0-9a-f]{64} [0-9a-f]{96}$' "$T/keys.log" || fail "no CLIENT_RANDOM line"
}

t_keylog_tls13() {
    keylog_test --tlsv1.3
    local label
    for label in CLIENT_HANDSHAKE_TRAFFIC_SECRET SERVER_HANDSHAKE_TRAFFIC_SECRET \
                 CLIENT_TRAFFIC_SECRET_0 SERVER_TRAFFIC_SECRET_0; do
        grep -qE "^$label [0-9a-f]{64} [0-9a-f]{64,96}$" "$T/keys.log" || fail "no $label line"
    done
}

# Capture on lo, then let tshark decrypt the capture with curl's key log and
# find the HTTP request.  Skipped when tshark is missing or cannot capture.
t_keylog_tshark() {
    [ -n "$TSHARK" ] || skip "tshark not installed"
    s_server_www
    bg tshark "$TSHARK" -n -i lo -f "tcp port $PORT" -w "$T/cap.pcapng"
    local pid=$BG_PID i
    for i in $(seq 1 100); do
        grep -q "Capture started\|Capturing on" "$T/tshark.out" && break
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    if ! kill -0 "$pid" 2>/dev/null || ! grep -q "Capturing on" "$T/tshark.out"; then
        cat "$T/tshark.out"
        skip "tshark cannot capture on lo here"
    fi
    sleep 1 # dumpcap reports before the filter is fully live
    CURL_EXTRA_ENV=("SSLKEYLOGFILE=$T/keys.log")
    run_curl --cacert "$PKI/root.pem" --http1.1 -H "X-Test: keylog-$PORT" "https://localhost:$PORT/tshark-probe"
    CURL_EXTRA_ENV=()
    expect_www_ok
    sleep 1
    kill -INT "$pid" 2>/dev/null
    for i in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    cat "$T/tshark.out"
    [ -s "$T/cap.pcapng" ] || skip "tshark wrote no capture file"
    timeout 60 "$TSHARK" -n -r "$T/cap.pcapng" -o "tls.keylog_file:$T/keys.log" \
        -d "tcp.port==$PORT,tls" -o "http.tls.port:$PORT" \
        -Y http.request -T fields -e http.request.method -e http.request.uri -e http.request.line \
        >"$T/decoded.txt" 2>"$T/decoded.err"
    echo "decoded:"; sed 's/^/  | /' "$T/decoded.txt" "$T/decoded.err"
    grep -q "GET	/tshark-probe" "$T/decoded.txt" || fail "tshark could not decrypt the request line"
    grep -qF "X-Test: keylog-$PORT" "$T/decoded.txt" || fail "tshark did not show the request header"
}

# --- OCSP stapling -------------------------------------------------------
# The responses are signed by the root, the issuer of ec.pem/revoked.pem.
# curl computes the OCSP cert ID from the issuer found in the chain the
# server sends, so the server sends the root as its chain.

t_cert_status_good() {
    s_server server -cert "$PKI/ec.pem" -key "$PKI/ec.key" -cert_chain "$PKI/root.pem" -www -status_file "$PKI/ocsp-good.der"
    run_curl --cacert "$PKI/root.pem" --cert-status "https://localhost:$PORT/"
    expect_www_ok
    expect_err "SSL certificate status: good"
}

t_cert_status_revoked() {
    s_server server -cert "$PKI/revoked.pem" -key "$PKI/revoked.key" -cert_chain "$PKI/root.pem" -www -status_file "$PKI/ocsp-revoked.der"
    run_curl --cacert "$PKI/root.pem" --cert-status "https://localhost:$PORT/"
    expect_rc 91
    expect_err "SSL certificate status: revoked"
}

t_cert_status_no_staple() {
    s_server server -cert "$PKI/ec.pem" -key "$PKI/ec.key" -www
    run_curl --cacert "$PKI/root.pem" --cert-status "https://localhost:$PORT/"
    expect_rc 91
    expect_err "No OCSP response received"
}

# --- TLS-SRP -------------------------------------------------------------
# The one test whose expected outcome differs by library.  The shim does not
# implement SRP and must refuse cleanly; on the system library we only record
# the outcome (OpenSSL 3.0's s_server SRP lookup is broken, so the handshake
# fails with "unknown psk identity" even though curl does send SRP).

t_srp() {
    : >"$T/srp.vfile"
    "$OPENSSL" srp -srpvfile "$T/srp.vfile" -add -passout pass:secretpw u >"$T/srp-gen.out" 2>&1 ||
        { cat "$T/srp-gen.out"; fail "openssl srp failed"; }
    s_server_www -srpvfile "$T/srp.vfile"
    run_curl --cacert "$PKI/root.pem" --tls-max 1.2 --tlsuser u --tlspassword secretpw --tlsauthtype SRP \
        "https://localhost:$PORT/"
    check_sane
    if [ "$LIBDIR" = system ]; then
        echo "system OpenSSL outcome: exit $RC: $(last_error)"
        echo "exit $RC: $(last_error)" >"$T/note"
    else
        [ "$RC" -ne 0 ] || fail "SRP transfer succeeded on the shim"
        grep -qiE 'not supported|Unable to set SRP|failed setting SRP' "$T/err" ||
            fail "stderr does not explain the SRP failure (last error: $(last_error))"
    fi
}

# --- bad input -----------------------------------------------------------

t_bad_garbage() {
    py_server garbage
    run_curl --cacert "$PKI/root.pem" "https://localhost:$PORT/"
    expect_rc 35
}

# A real ServerHello from s_server, cut after 50 bytes, then EOF.
t_bad_truncated_handshake() {
    s_server_www
    local backend=$PORT
    py_server truncate "$backend" 50
    run_curl --cacert "$PKI/root.pem" "https://localhost:$PORT/"
    expect_rc 35
    expect_file "$T/py-truncate.out" "relayed 50 bytes"
}

t_bad_alert() {
    py_server alert
    run_curl --cacert "$PKI/root.pem" "https://localhost:$PORT/"
    expect_rc 35
}

t_bad_tls12_only_server() {
    s_server_www -tls1_2
    run_curl --cacert "$PKI/root.pem" --tlsv1.3 "https://localhost:$PORT/"
    expect_rc 35
}

t_bad_plain_http() {
    local try
    for try in 1 2 3; do
        PORT=$(free_port)
        bg http "$PY" -m http.server --bind 127.0.0.1 "$PORT"
        wait_listen "$PORT" "$BG_PID" && break
        kill "$BG_PID" 2>/dev/null
        PORT=
    done
    [ -n "$PORT" ] || fail "could not start python3 -m http.server"
    run_curl --cacert "$PKI/root.pem" "https://localhost:$PORT/"
    expect_rc 35
    expect_err "wrong version number"
}

# --- after the handshake: tests/tlspeer.c (system OpenSSL) as the server ----

# tlspeer_server MODE [TLS12]: one-connection tlspeer server; sets PORT.
tlspeer_server() {
    local mode=$1 tls12=${2:-}
    rm -f "$T/peer.port"
    if [ -n "$tls12" ]; then
        bg peer env TLSPEER_TLS12=1 "$TLSPEER" server "$mode" "$T/peer.port" "$PKI/server-chain.pem" "$PKI/server.key"
    else
        bg peer "$TLSPEER" server "$mode" "$T/peer.port" "$PKI/server-chain.pem" "$PKI/server.key"
    fi
    port_from_file "$T/peer.port" "$T/peer.out" "tlspeer server"
}

# The server's output once it has ended.
tlspeer_result() {
    local i
    for i in $(seq 1 100); do kill -0 "$BG_PID" 2>/dev/null || break; sleep 0.1; done
    sed 's/^/  peer| /' "$T/peer.out"
}

# A TLS 1.3 key update asking for one back, before the response: curl reads the response
# under the server's new keys.
t_after_keyupdate() {
    tlspeer_server keyupdate
    run_curl --cacert "$PKI/root.pem" -o "$T/body" "https://localhost:$PORT/"
    expect_rc 0
    [ "$(wc -c <"$T/body")" -eq 100000 ] || fail "body of $(wc -c <"$T/body") bytes, want 100000"
    tlspeer_result
}

# A response record that does not decrypt: curl fails with OpenSSL's reason and errno 0,
# and the server gets a bad_record_mac alert.
t_after_forged_record_tls13() {
    tlspeer_server forged
    run_curl --cacert "$PKI/root.pem" "https://localhost:$PORT/"
    expect_rc 56
    expect_err "decryption failed or bad record mac, errno 0"
    tlspeer_result
    expect_file "$T/peer.out" "peer error: sslv3 alert bad record mac"
}

# TLS 1.2: OpenSSL names a provider error first here ("cipher operation failed"), the
# shim OpenSSL's TLS reason; the alert is the same.
t_after_forged_record_tls12() {
    tlspeer_server forged tls12
    run_curl --cacert "$PKI/root.pem" "https://localhost:$PORT/"
    expect_rc 56
    tlspeer_result
    expect_file "$T/peer.out" "peer error: sslv3 alert bad record mac"
}

# A header announcing 20000 bytes, then nothing: refused at once with record_overflow.
t_after_oversized_record() {
    tlspeer_server oversized
    run_curl --cacert "$PKI/root.pem" "https://localhost:$PORT/"
    expect_rc 56
    expect_err "packet length too long"
    tlspeer_result
    expect_file "$T/peer.out" "peer error: tlsv1 alert record overflow"
}

# A record with TLS 1.0's version: "wrong version number", and OpenSSL's alert for each
# version (decode_error in TLS 1.3, protocol_version in TLS 1.2).
t_after_bad_record_version() {
    tlspeer_server badversion
    run_curl --cacert "$PKI/root.pem" "https://localhost:$PORT/"
    expect_rc 56
    expect_err "wrong version number"
    tlspeer_result
    expect_file "$T/peer.out" "peer error: tlsv1 alert decode error"
    tlspeer_server badversion tls12
    run_curl --cacert "$PKI/root.pem" "https://localhost:$PORT/"
    expect_rc 56
    expect_err "wrong version number"
    tlspeer_result
    expect_file "$T/peer.out" "peer error: tlsv1 alert protocol version"
}

# A TLS record layer's bounds, as OpenSSL's: four warning alerts in a row before the
# response pass, the fifth ends the connection ("too many warn alerts", unexpected_message
# to the server), in TLS 1.3 (user_canceled) and 1.2.
t_after_warning_alerts() {
    local tls12
    for tls12 in "" tls12; do
        tlspeer_server warn:4 $tls12
        run_curl --cacert "$PKI/root.pem" -o "$T/body" "https://localhost:$PORT/"
        expect_rc 0
        [ "$(wc -c <"$T/body")" -eq 1000 ] || fail "body of $(wc -c <"$T/body") bytes, want 1000"
        tlspeer_result
        tlspeer_server warn:5 $tls12
        run_curl --cacert "$PKI/root.pem" "https://localhost:$PORT/"
        expect_rc 56
        expect_err "too many warn alerts"
        tlspeer_result
        expect_file "$T/peer.out" "peer error: sslv3 alert unexpected message"
    done
}

# 32 empty records in a row pass, the 33rd ends the connection ("record too small").
t_after_empty_records() {
    local tls12
    for tls12 in "" tls12; do
        tlspeer_server empty:32 $tls12
        run_curl --cacert "$PKI/root.pem" -o "$T/body" "https://localhost:$PORT/"
        expect_rc 0
        [ "$(wc -c <"$T/body")" -eq 1000 ] || fail "body of $(wc -c <"$T/body") bytes, want 1000"
        tlspeer_result
        tlspeer_server empty:33 $tls12
        run_curl --cacert "$PKI/root.pem" "https://localhost:$PORT/"
        expect_rc 56
        expect_err "record too small"
        tlspeer_result
        expect_file "$T/peer.out" "peer error: sslv3 alert unexpected message"
    done
}

# 2000 key updates asking for one back, none read by the server until the response is
# out: curl reads the response, and answers with at least one key update (the shim with
# one for each batch it reads, OpenSSL with one each).
t_after_keyupdate_flood() {
    tlspeer_server kuflood:2000
    run_curl --cacert "$PKI/root.pem" -o "$T/body" "https://localhost:$PORT/"
    expect_rc 0
    [ "$(wc -c <"$T/body")" -eq 1000 ] || fail "body of $(wc -c <"$T/body") bytes, want 1000"
    tlspeer_result
    grep -qE '^key updates received: [1-9]' "$T/peer.out" || fail "no key update sent back"
}

###########################################################################
# Helper servers for the bad-input tests (python3, stdlib only)
###########################################################################

write_helpers() {
    cat >"$WORK/helper.py" <<'EOF'
import os, socket, sys, time

mode, portfile = sys.argv[1], sys.argv[2]
ls = socket.socket()
ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ls.bind(("127.0.0.1", 0))
ls.listen(8)
ls.settimeout(60)
with open(portfile + ".tmp", "w") as f:
    f.write("%d\n" % ls.getsockname()[1])
os.rename(portfile + ".tmp", portfile)

def read_record(c):
    """Read one whole TLS record (the ClientHello) from c."""
    buf = b""
    while len(buf) < 5 or len(buf) < 5 + int.from_bytes(buf[3:5], "big"):
        d = c.recv(65536)
        if not d:
            break
        buf += d
    return buf

def finish(c):
    """Half-close and wait for the peer to close, so no RST is sent."""
    try:
        c.shutdown(socket.SHUT_WR)
        c.settimeout(5)
        while c.recv(65536):
            pass
    except OSError:
        pass
    c.close()

conn, _ = ls.accept()
conn.settimeout(10)
hello = read_record(conn)
print("got %d bytes from client" % len(hello), flush=True)
if mode == "garbage":
    conn.sendall(b"\xde\xad\xbe\xef" * 256)
elif mode == "alert":
    # fatal handshake_failure alert, TLS 1.2 record version
    conn.sendall(b"\x15\x03\x03\x00\x02\x02\x28")
elif mode == "truncate":
    backend, n = int(sys.argv[3]), int(sys.argv[4])
    b = socket.create_connection(("127.0.0.1", backend), timeout=10)
    b.sendall(hello)
    resp = b""
    while len(resp) < n:
        d = b.recv(65536)
        if not d:
            break
        resp += d
    b.close()
    conn.sendall(resp[:n])
    print("relayed %d bytes of %d" % (min(n, len(resp)), len(resp)), flush=True)
else:
    sys.exit("unknown mode " + mode)
finish(conn)
EOF
}

###########################################################################
# Driver
###########################################################################

run_one() { # runs inside `timeout ... run.sh --one NAME`
    local name=$1
    T=$WORK/tests/$name
    trap stop_servers EXIT
    trap 'echo "killed by watchdog"; exit 124' TERM
    "t_$name"
}

main() {
    suite_args "$@"

    # ca-certificates: verify_no_cacert relies on curl's default CA bundle existing.
    need curl openssl python3 ca-certificates gcc libc6-dev libssl-dev ||
        { echo "curl, openssl, python3, ca-certificates, gcc and libssl-dev are required" >&2; exit 2; }
    need nginx || true
    need tshark || true
    NGINX_BIN=$(command -v nginx || true)
    [ -n "$NGINX_BIN" ] || { [ -x /usr/sbin/nginx ] && NGINX_BIN=/usr/sbin/nginx; }
    TSHARK=$(command -v tshark || true)
    [ -x "$PY" ] || PY=$(command -v python3)


    WORK=$(mktemp -d "${TMPDIR:-/tmp}/rustls-libssl-curl.XXXXXX")
    chmod 755 "$WORK"
    PKI=$WORK/pki
    export LIBDIR WORK PKI NGINX_BIN TSHARK PY
    if ! "$HERE/gen-certs.sh" "$PKI" >"$WORK/gen-certs.log" 2>&1; then
        cat "$WORK/gen-certs.log" "$PKI/gen.log" 2>/dev/null
        echo "gen-certs.sh failed" >&2
        exit 2
    fi
    write_helpers
    TLSPEER=$WORK/tlspeer
    cc -O1 -Wall -Wextra -Werror -o "$TLSPEER" "$HERE/../tlspeer.c" -lssl -lcrypto ||
        { echo "could not build tests/tlspeer.c" >&2; exit 2; }
    export TLSPEER
    mkdir -p "$WORK/tests"
    echo "# library: $LIBDIR; logs: $WORK"

    run_tests
}

main "$@"
