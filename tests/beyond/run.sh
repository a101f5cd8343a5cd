#!/bin/bash
# What the shim gives an unmodified program beyond OpenSSL 3.0 (README "What you get
# beyond OpenSSL 3.0"): TLS 1.3 certificate compression (RFC 8879) and SSLKEYLOGFILE.
#
# usage: tests/beyond/run.sh LIBDIR [TEST...]
#        tests/beyond/run.sh --list
#
#   LIBDIR  directory holding the libssl.so.3 under test.  Debian's nginx runs on it
#           (LD_LIBRARY_PATH), and so does firstflight.c (a small client built against the
#           system headers) where a test says "shim client"; the same client on the system
#           library, curl and `openssl s_client` are the OpenSSL 3.0 peers.
#
# Output: one `ok NAME` / `FAIL NAME: why` / `skip NAME: why` line per test (with notes:
# the byte counts), then `N passed, N failed, N skipped`.  KEEP_LOGS=1 keeps the logs.
set -u

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../lib.sh
. "$HERE/../lib.sh"
SELF="$HERE/$(basename "${BASH_SOURCE[0]}")"
NGINX=/usr/sbin/nginx
CURL=/usr/bin/curl
OPENSSL=/usr/bin/openssl
PY=/usr/bin/python3
CLIENT_TIMEOUT=20
SERVER_TIMEOUT=60
TEST_TIMEOUT=100

unset LD_PRELOAD OPENSSL_CONF SSL_CERT_FILE SSL_CERT_DIR SSLKEYLOGFILE CURL_CA_BUNDLE CURL_HOME \
      http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY no_proxy NO_PROXY
export LC_ALL=C
PROGRAM_NAME=nginx

note() {
    echo "note: $*"
    echo "$*" >>"$T/note"
}

# nginx_start LIB [EXTRA...]: nginx on LIB (LIBDIR or `system`) serving HTTPS on a free
# port (PORT) with the RSA-2048 leaf and its intermediate, TLS 1.2 and 1.3 (nginx 1.22
# leaves 1.3 out by default); EXTRA lines go into the server
# block. The environment of this function (SSLKEYLOGFILE...) is nginx's.
nginx_start() {
    local lib=$1 d=$T/nginx
    shift
    PORT=$(free_port)
    mkdir -p "$d/tmp" "$d/www"
    echo "hello" >"$d/www/index.html"
    cat >"$d/nginx.conf" <<CONF
worker_processes 2;
pid $d/nginx.pid;
error_log $d/error.log info;
events { worker_connections 64; }
http {
    access_log off;
    client_body_temp_path $d/tmp/cb; proxy_temp_path $d/tmp/p; fastcgi_temp_path $d/tmp/f;
    uwsgi_temp_path $d/tmp/u; scgi_temp_path $d/tmp/s;
    server {
        listen 127.0.0.1:$PORT ssl;
        server_name localhost;
        ssl_certificate $PKI/server-chain.pem;
        ssl_certificate_key $PKI/server.key;
        ssl_protocols TLSv1.2 TLSv1.3;
        root $d/www;
        $*
    }
}
CONF
    lib_env "$lib"
    : >"$d/error.log"
    bg nginx "${LIB_ENV[@]}" "$NGINX" -p "$d/" -c "$d/nginx.conf" -g 'daemon off;'
    wait_listen "$PORT" "$BG_PID" || { cat "$d/error.log" "$T/nginx.out"; fail "nginx (lib $lib) did not start"; }
    NGINX_MASTER=$(cat "$d/nginx.pid")
    [ "$lib" = system ] || expect_mapped "$NGINX_MASTER" "$lib"
}

# flight LIB [ARGS...]: firstflight on LIB against nginx; output in $T/flight, BYTES.
flight() {
    local lib=$1
    shift
    lib_env "$lib"
    echo "+ firstflight (lib $lib) $*"
    timeout -k 5 "$CLIENT_TIMEOUT" "${LIB_ENV[@]}" "$FIRSTFLIGHT" "$PORT" "$PKI/root.pem" "$@" >"$T/flight" 2>&1
    local rc=$?
    sed 's/^/  | /' "$T/flight"
    [ $rc -eq 0 ] || fail "firstflight (lib $lib $*) exit $rc: $(grep -m1 error "$T/flight")"
    grep -q '^verify: ok$' "$T/flight" || fail "firstflight (lib $lib): verification did not succeed"
    grep -q '^response: HTTP/1.1 200 OK$' "$T/flight" || fail "firstflight (lib $lib): no 200 response"
    BYTES=$(sed -n 's/^handshake bytes: //p' "$T/flight")
}
cert_message_is() {
    grep -qx "server certificate message: $1" "$T/flight" ||
        fail "server certificate message: $(sed -n 's/^server certificate message: //p' "$T/flight"), want $1"
}

###########################################################################
# Certificate compression
###########################################################################

TESTS=(
    certcomp_shim_client certcomp_openssl_clients certcomp_openssl_server
    certcomp_off_server certcomp_off_openssl_cnf
    keylog_server keylog_tls12 keylog_wireshark keylog_app_callback_wins keylog_privileged
)

# nginx on the shim compresses its chain for a client that offers compression; the same
# client with SSL_OP_NO_RX_CERTIFICATE_COMPRESSION gets it whole. The difference is what
# compression saves on the wire.
t_certcomp_shim_client() {
    nginx_start "$LIBDIR"
    flight "$LIBDIR"
    cert_message_is compressed_certificate
    local compressed=$BYTES compressed_msg
    compressed_msg=$(sed -n 's/^certificate message bytes: //p' "$T/flight")
    flight "$LIBDIR" no-rx
    cert_message_is certificate
    local whole=$BYTES whole_msg
    whole_msg=$(sed -n 's/^certificate message bytes: //p' "$T/flight")
    [ "$compressed" -lt "$whole" ] || fail "compressed first flight $compressed bytes, uncompressed $whole"
    note "nginx's first flight (RSA-2048 leaf + intermediate): $whole bytes whole, $compressed compressed ($((whole - compressed)) saved); certificate message $whole_msg -> $compressed_msg bytes"
}

# Clients that do not offer compression (OpenSSL 3.0's) are served as before.
t_certcomp_openssl_clients() {
    nginx_start "$LIBDIR"
    flight system
    cert_message_is certificate
    printf 'GET / HTTP/1.0\r\nHost: localhost\r\n\r\n' |
        timeout -k 5 "$CLIENT_TIMEOUT" "$OPENSSL" s_client -connect "127.0.0.1:$PORT" \
            -servername localhost -CAfile "$PKI/root.pem" -verify_return_error -ign_eof \
            -msg >"$T/sc" 2>&1 || fail "s_client failed: $(grep -m1 -i error "$T/sc")"
    grep -q '^HTTP/1.1 200' "$T/sc" || fail "s_client: no 200 response"
    grep -q '<<< TLS 1.3, Handshake \[length [0-9a-f]*\], Certificate$' "$T/sc" ||
        fail "s_client did not receive a plain Certificate message"
}

# A shim client against nginx on OpenSSL 3.0 (which ignores the extension).
t_certcomp_openssl_server() {
    nginx_start system
    flight "$LIBDIR"
    cert_message_is certificate
}

# nginx's ssl_conf_command (SSL_CONF_cmd) turns sending compressed certificates off.
t_certcomp_off_server() {
    nginx_start "$LIBDIR" 'ssl_conf_command Options -TxCertificateCompression;'
    flight "$LIBDIR"
    cert_message_is certificate
}

# The system configuration (openssl.cnf's system_default section, OPENSSL_CONF) turns
# accepting them off for a client.
t_certcomp_off_openssl_cnf() {
    nginx_start "$LIBDIR"
    cat >"$T/openssl.cnf" <<CNF
openssl_conf = default_conf
[default_conf]
ssl_conf = ssl_sect
[ssl_sect]
system_default = system_default_sect
[system_default_sect]
Options = -RxCertificateCompression
CNF
    OPENSSL_CONF=$T/openssl.cnf flight "$LIBDIR"
    cert_message_is certificate
    flight "$LIBDIR"
    cert_message_is compressed_certificate
}

###########################################################################
# SSLKEYLOGFILE
###########################################################################

# keylog_pair VERSION: nginx on the shim with SSLKEYLOGFILE, curl on OpenSSL with its own
# SSLKEYLOGFILE (curl writes it from its key-log callback): the server's file has exactly
# the lines the client's has, two requests' worth.
keylog_pair() {
    local version=$1
    SSLKEYLOGFILE=$T/server.keys nginx_start "$LIBDIR"
    local i
    for i in 1 2; do
        SSLKEYLOGFILE=$T/client.keys timeout -k 5 "$CLIENT_TIMEOUT" env -u LD_LIBRARY_PATH \
            "$CURL" -sS --cacert "$PKI/root.pem" --resolve "localhost:$PORT:127.0.0.1" \
            "--tlsv$version" --tls-max "$version" "https://localhost:$PORT/" >"$T/out" 2>&1 ||
            fail "curl: $(cat "$T/out")"
    done
    stop_servers
    [ -s "$T/server.keys" ] || fail "nginx wrote no key-log file"
    [ "$(stat -c %a "$T/server.keys")" = 600 ] || fail "key-log file mode $(stat -c %a "$T/server.keys"), want 600"
    sed 's/^/  server| /' "$T/server.keys" | cut -c1-100
    if ! diff <(sort "$T/client.keys") <(sort "$T/server.keys") >"$T/diff"; then
        cat "$T/diff"
        fail "the server's key-log lines differ from the client's"
    fi
    note "TLS $version: $(wc -l <"$T/server.keys") lines, identical to curl's on OpenSSL"
}
t_keylog_server() { keylog_pair 1.3; }
t_keylog_tls12() { keylog_pair 1.2; }

# What the key-log file is for: Wireshark's tshark decrypts a capture of nginx's traffic
# (TLS 1.3 and 1.2) with the file nginx on the shim wrote.
t_keylog_wireshark() {
    [ "$(id -u)" -eq 0 ] || skip "needs root (dumpcap on the loopback interface)"
    command -v dumpcap >/dev/null && command -v tshark >/dev/null || skip "tshark is not installed"
    SSLKEYLOGFILE=$T/server.keys nginx_start "$LIBDIR"
    timeout 60 dumpcap -q -i lo -f "tcp port $PORT" -w "$T/capture.pcapng" >"$T/dumpcap.log" 2>&1 &
    local cap=$! i
    for i in $(seq 1 50); do
        grep -q 'Capturing on' "$T/dumpcap.log" 2>/dev/null && break
        sleep 0.1
    done
    sleep 0.5
    for v in 1.3 1.2; do
        timeout -k 5 "$CLIENT_TIMEOUT" env -u LD_LIBRARY_PATH "$CURL" -sS --cacert "$PKI/root.pem" \
            --resolve "localhost:$PORT:127.0.0.1" "--tlsv$v" --tls-max "$v" \
            "https://localhost:$PORT/wireshark-$v" >"$T/out" 2>&1
    done
    sleep 0.5
    kill -INT "$cap" 2>/dev/null
    wait "$cap" 2>/dev/null
    tshark -r "$T/capture.pcapng" -o "tls.keylog_file:$T/server.keys" -Y http \
        -T fields -e http.request.uri -e http.response.code >"$T/decoded" 2>"$T/tshark.err"
    sed 's/^/  tshark| /' "$T/decoded"
    for v in 1.3 1.2; do
        grep -q "^/wireshark-$v" "$T/decoded" || fail "tshark did not decrypt the TLS $v request"
    done
    [ "$(grep -c '^[[:space:]]*404' "$T/decoded")" -eq 2 ] || fail "tshark did not decrypt both responses"
}

# curl on the shim sets its own key-log callback when SSLKEYLOGFILE is set: its lines are
# written once (by curl), not twice.
t_keylog_app_callback_wins() {
    nginx_start "$LIBDIR"
    SSLKEYLOGFILE=$T/client.keys timeout -k 5 "$CLIENT_TIMEOUT" env "LD_LIBRARY_PATH=$LIBDIR" \
        "$CURL" -sS --cacert "$PKI/root.pem" --resolve "localhost:$PORT:127.0.0.1" \
        "https://localhost:$PORT/" >"$T/out" 2>&1 || fail "curl: $(cat "$T/out")"
    cut -c1-100 "$T/client.keys" | sed 's/^/  | /'
    local lines unique
    lines=$(wc -l <"$T/client.keys")
    unique=$(sort -u "$T/client.keys" | wc -l)
    [ "$lines" -eq 5 ] && [ "$unique" -eq 5 ] || fail "$lines key-log lines ($unique distinct), want 5 (TLS 1.3), each once"
}

# A process with elevated privileges (setuid: AT_SECURE) ignores SSLKEYLOGFILE. The client
# is linked with the shim's directory as its run path, which the dynamic linker follows in
# a setuid program too (it ignores LD_LIBRARY_PATH there); run as nobody, once as a plain
# program and once setuid root.
t_keylog_privileged() {
    [ "$(id -u)" -eq 0 ] || skip "needs root (a setuid copy of the client run as nobody)"
    nginx_start "$LIBDIR"
    local d=$T/priv mode
    mkdir -p "$d"
    chmod 755 "$T"
    chmod 777 "$d"
    cc -O1 -o "$d/client" "$HERE/firstflight.c" -Wl,-rpath,"$LIBDIR" -lssl -lcrypto || fail "cc"
    for mode in 755 4755; do
        chmod "$mode" "$d/client"
        rm -f "$d/keys"
        SSLKEYLOGFILE=$d/keys timeout 20 setpriv --reuid=nobody --regid=nogroup --clear-groups -- \
            "$d/client" "$PORT" "$PKI/root.pem" >"$T/flight" 2>&1 || fail "client (mode $mode): $(cat "$T/flight")"
        sed 's/^/  | /' "$T/flight"
        grep -qx "libssl: $LIBDIR/libssl.so.3" "$T/flight" || fail "client (mode $mode) did not load the shim: $(grep libssl: "$T/flight")"
        if [ "$mode" = 755 ]; then
            [ "$(wc -l <"$d/keys" 2>/dev/null || echo 0)" -eq 5 ] || fail "an unprivileged client wrote no key-log lines"
        else
            [ -e "$d/keys" ] && fail "a setuid client wrote the key-log file"
        fi
    done
    return 0
}

###########################################################################
# Driver
###########################################################################

run_one() {
    T=$WORK/tests/$1
    trap 'stop_servers; [ -f "$T/nginx/error.log" ] && sed "s/^/  nginx log| /" "$T/nginx/error.log" | grep -v "\[notice\]"' EXIT
    trap 'echo "killed by watchdog"; exit 124' TERM
    "t_$1"
}

main() {
    suite_args "$@"
    [ "$LIBDIR" != system ] || { echo "these tests are about the shim: give LIBDIR" >&2; exit 2; }
    need nginx curl openssl python3 procps gcc libc6-dev libssl-dev ||
        { echo "nginx, curl, openssl, python3, procps, gcc, libc6-dev and libssl-dev are required" >&2; exit 2; }
    WORK=$(mktemp -d "${TMPDIR:-/tmp}/rustls-libssl-beyond.XXXXXX")
    PKI=$WORK/pki
    FIRSTFLIGHT=$WORK/firstflight
    export LIBDIR WORK PKI PY FIRSTFLIGHT
    if ! "$HERE/../curl/gen-certs.sh" "$PKI" >"$WORK/gen-certs.log" 2>&1; then
        cat "$WORK/gen-certs.log"
        echo "certificate generation failed" >&2
        exit 2
    fi
    chmod -R a+rX "$WORK"
    cc -Wall -Wextra -Werror -O1 -o "$FIRSTFLIGHT" "$HERE/firstflight.c" -lssl -lcrypto || exit 2
    mkdir -p "$WORK/tests"
    echo "# library: $LIBDIR; logs: $WORK"
    run_tests
}

{ main "$@"; exit $?; }
