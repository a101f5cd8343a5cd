#!/bin/bash
# lighttpd (mod_openssl) integration tests for rustls-libssl.
#
# usage: tests/lighttpd/run.sh LIBDIR|system [TEST...]
#        tests/lighttpd/run.sh --list
#
#   LIBDIR  directory holding the libssl.so.3 under test; Debian's lighttpd 1.4 with
#           lighttpd-mod-openssl runs with LD_LIBRARY_PATH=LIBDIR.  The literal word
#           `system` runs it on the system OpenSSL, which must pass 100%.
#   TEST    optional test names to run only those.
#
# Clients (curl, openssl s_client) always use the system OpenSSL.  Every test runs its
# scenario twice, with the same configuration and the same requests: first lighttpd on the
# system library (the reference), then on the library under test.  Both runs must give the
# answers the test expects, and lighttpd's error log must have the same lines in both (once
# timestamps, ports and pids are masked): a line the system run does not log, or one it
# logs that is missing, fails the test.
#
# The configurations follow Debian's packaged layout (lighttpd.conf with conf-available/
# 10-ssl.conf: a global ssl.pemfile holding certificate and key, ssl.engine in a
# $SERVER["socket"] block, HTTP/2 enabled) on free ports of 127.0.0.1.  Only default_config
# and default_ciphers use lighttpd's built-in cipher list; the other tests name their
# cipher string (ssl.cipher-list) so that each of them reports its own subject.
#
# Output: one `ok NAME` / `FAIL NAME: why` / `skip NAME: why` line per test, then
# `N passed, N failed, N skipped`.  KEEP_LOGS=1 keeps the temporary directory.
set -u

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../lib.sh
. "$HERE/../lib.sh"
SELF="$HERE/$(basename "${BASH_SOURCE[0]}")"
LIGHTTPD=/usr/sbin/lighttpd
CURL=/usr/bin/curl
OPENSSL=/usr/bin/openssl
PY=/usr/bin/python3
CLIENT_TIMEOUT=20
SERVER_TIMEOUT=60
TEST_TIMEOUT=100

unset LD_PRELOAD OPENSSL_CONF SSL_CERT_FILE SSL_CERT_DIR SSLKEYLOGFILE CURL_CA_BUNDLE CURL_HOME \
      http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY no_proxy NO_PROXY
export LC_ALL=C

# The cipher string of every test but the default-list ones.  (lighttpd 1.4.69 applies its
# default list with SSL_CTX_set_cipher_list unless ssl.cipher-list names another, even when
# ssl.openssl.ssl-conf-cmd sets a CipherString afterwards.)
CIPHERS='ssl.cipher-list = "ECDHE+AESGCM:ECDHE+CHACHA20"'

###########################################################################
# Helpers used inside tests (T = the test's directory)
###########################################################################

PROGRAM_NAME=lighttpd

# conf NAME HTTP_PORT: writes $T/NAME/lighttpd.conf: Debian's lighttpd.conf (modules,
# HTTP/2, index file) plus mod_openssl, an access log with the remote user (%u), then
# stdin (the test's 10-ssl.conf).
conf() {
    local d=$T/$1
    mkdir -p "$d/www/second"
    echo "hello from lighttpd" >"$d/www/index.html"
    echo "second site" >"$d/www/second/index.html"
    {
        cat <<EOF
server.modules = ( "mod_indexfile", "mod_access", "mod_alias", "mod_redirect" )
server.document-root = "$d/www"
server.errorlog = "$d/error.log"
server.pid-file = "$d/lighttpd.pid"
server.bind = "127.0.0.1"
server.port = $2
server.feature-flags += ("server.h2proto" => "enable")
server.feature-flags += ("server.h2c" => "enable")
server.feature-flags += ("server.graceful-shutdown-timeout" => 5)
index-file.names = ( "index.html" )
url.access-deny = ( "~", ".inc" )
server.modules += ( "mod_openssl", "mod_accesslog" )
accesslog.filename = "$d/access.log"
accesslog.format = "%h %V %u \"%r\" %>s"
EOF
        cat
        echo 'server.modules += ( "mod_dirlisting", "mod_staticfile" )'
    } >"$d/lighttpd.conf"
}

# start NAME LIB PORT...: lighttpd -D with $T/NAME/lighttpd.conf on LIB; waits for every
# PORT to listen.  On failure: its error log in the reason.
start() {
    local name=$1 lib=$2 p
    shift 2
    lib_env "$lib"
    : >"$T/$name/error.log"
    bg "$name" "${LIB_ENV[@]}" "$LIGHTTPD" -D -f "$T/$name/lighttpd.conf"
    for p in "$@"; do
        if ! wait_listen "$p" "$BG_PID"; then
            sed 's/^/  log| /' "$T/$name/error.log" "$T/$name.out"
            fail "lighttpd ($name, lib $lib) did not start: $(grep -vE 'server started' "$T/$name/error.log" "$T/$name.out" | head -2 | cut -d' ' -f3- | tr '\n' ' ')"
        fi
    done
    LIGHTY=$(cat "$T/$name/lighttpd.pid" 2>/dev/null)
    [ -n "$LIGHTY" ] || LIGHTY=$(ps -o pid= --ppid "$BG_PID" | tr -d ' ' | head -1)
    [ "$name" = ref ] || expect_mapped "$LIGHTY" "$lib"
}

client() { env -u LD_LIBRARY_PATH timeout -k 5 "$CLIENT_TIMEOUT" "$@"; }

# cu ARGS...: curl (system) trusting our root, every name connecting to 127.0.0.1.
# Body in $T/out, -v in $T/err, exit code RC.
cu() {
    echo "+ curl $*"
    client "$CURL" -q -sS -v --max-time 15 --cacert "$PKI/root.pem" --connect-to ::127.0.0.1: "$@" \
        >"$T/out" 2>"$T/err" </dev/null
    RC=$?
    echo "  exit code: $RC; body: $(head -c 200 "$T/out")"
    grep -E '^\* (SSL connection|ALPN|  subject|  issuer|TLSv1.3 \(IN\), TLS alert|OpenSSL)|^< HTTP|^curl:' "$T/err" | head -12 | sed 's/^/  | /'
    [ "$RC" -eq 124 ] && fail "curl hung"
    [ "$RC" -ge 125 ] && fail "curl crashed or could not start (exit $RC)"
    return 0
}
rc_is() { [ "$RC" -eq "$1" ] || fail "curl exit code $RC, want $1 ($(grep '^curl:' "$T/err" | tail -1))"; }
body_is() { [ "$(cat "$T/out")" = "$1" ] || fail "body '$(head -c 200 "$T/out")', want '$1'"; }
err_has() { grep -qE -- "$1" "$T/err" || fail "curl -v output lacks /$1/: $(grep -E '^curl:|SSL connection' "$T/err" | head -2 | tr '\n' ' ')"; }

# sc NAME PORT ARGS...: openssl s_client (system), sends an HTTP/1.0 request; output
# $T/NAME.sc, exit code RC.
sc() {
    local name=$1 port=$2
    shift 2
    echo "+ s_client -connect 127.0.0.1:$port $*"
    printf 'GET / HTTP/1.0\r\nHost: localhost\r\n\r\n' |
        client "$OPENSSL" s_client -connect "127.0.0.1:$port" -CAfile "$PKI/root.pem" -ign_eof "$@" >"$T/$name.sc" 2>&1
    RC=$?
    echo "  exit code: $RC"
    grep -E '^(subject=|Protocol|New,|Verify return|Server public key|Peer signature type|HTTP/|.*alert|.*error)' "$T/$name.sc" | head -12 | sed 's/^/  | /'
    return 0
}
sc_has() { grep -qF -- "$2" "$T/$1.sc" || fail "s_client ($1) output lacks '$2': $(grep -E '^(subject=|New,|.*error)' "$T/$1.sc" | head -2 | tr '\n' ' ')"; }
sc_ok() { [ "$RC" -eq 0 ] && grep -q '^HTTP/1.0 200' "$T/$1.sc" || fail "s_client ($1): no 200 response (exit $RC): $(grep -iE 'error|alert' "$T/$1.sc" | head -2 | tr '\n' ' ')"; }
sc_failed() {
    grep -q '^HTTP/1.0 200' "$T/$1.sc" && fail "s_client ($1): got a response; expected a handshake failure"
    [ "$RC" -ne 0 ] || fail "s_client ($1) exit 0; expected a handshake failure"
}

# access_has REGEX: lighttpd's access log of this run must have a matching line; checked
# once lighttpd has stopped (it buffers the log).
ACCESS_WANT=()
access_has() { ACCESS_WANT+=("$1"); }
check_access() {
    local re
    for re in "${ACCESS_WANT[@]}"; do
        grep -qE -- "$re" "$T/$RUN/access.log" ||
            fail "access log ($RUN) lacks /$re/: $(tail -2 "$T/$RUN/access.log" | tr '\n' ' ')"
    done
    ACCESS_WANT=()
}

# normalized FILE: the error log without timestamps, with ports and pids masked
normalized() {
    sed -E -e 's/^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:]{8}: //' \
        -e 's/127\.0\.0\.1:[0-9]+/127.0.0.1:PORT/g' \
        -e 's/PID = [0-9]+/PID = N/' "$1" | sort -u
}

# twice FUNC: runs `FUNC` with RUN=ref and LIB=system, then with RUN=lib and LIB=LIBDIR
# (each starting and stopping its own lighttpd), then compares their error logs.
twice() {
    local extra missing
    RUN=ref LIB=system
    echo "=== reference run: lighttpd on the system library"
    "$1"
    stop_servers
    check_access
    RUN=lib LIB=$LIBDIR
    echo "=== lighttpd on $LIBDIR"
    "$1"
    stop_servers
    check_access
    extra=$(comm -13 <(normalized "$T/ref/error.log") <(normalized "$T/lib/error.log"))
    missing=$(comm -23 <(normalized "$T/ref/error.log") <(normalized "$T/lib/error.log"))
    [ -n "$extra" ] && fail "error log has a line the system run does not: $(echo "$extra" | head -1 | cut -c1-220)"
    [ -n "$missing" ] && fail "error log lacks a line the system run has: $(echo "$missing" | head -1 | cut -c1-220)"
    return 0
}

###########################################################################
# Tests
###########################################################################

TESTS=(
    loaded_lib
    default_config default_ciphers
    sni_host sni_socket
    client_cert_enforce client_cert_optional client_cert_wrong_ca
    conf_cmd_protocol
)

t_loaded_lib() {
    local hp tp
    hp=$(free_port); tp=$(free_port)
    RUN=lib
    conf lib "$hp" <<EOF
ssl.pemfile = "$PKI/server-combined.pem"
$CIPHERS
\$SERVER["socket"] == "127.0.0.1:$tp" { ssl.engine = "enable" }
EOF
    start lib "$LIBDIR" "$hp" "$tp"
    expect_mapped "$LIGHTY" "$LIBDIR"
    cu "https://localhost:$tp/"
    rc_is 0
    body_is "hello from lighttpd"
}

# The packaged 10-ssl.conf: one pemfile with certificate, chain and key; lighttpd's
# built-in cipher list; HTTP/2 through ALPN; plain HTTP on server.port.
default_config() {
    local hp tp
    hp=$(free_port); tp=$(free_port)
    conf "$RUN" "$hp" <<EOF
ssl.pemfile = "$PKI/server-combined.pem"
\$SERVER["socket"] == "127.0.0.1:$tp" { ssl.engine = "enable" }
EOF
    start "$RUN" "$LIB" "$hp" "$tp"
    cu "https://localhost:$tp/"
    rc_is 0
    body_is "hello from lighttpd"
    err_has '^\* SSL connection using TLSv1.3 / TLS_AES_256_GCM_SHA384'
    err_has '^\* ALPN: server accepted h2'
    err_has '^< HTTP/2 200'
    cu --http1.1 "https://localhost:$tp/second/"
    rc_is 0
    body_is "second site"
    err_has '^\* ALPN: server accepted http/1.1'
    cu "http://127.0.0.1:$hp/"
    rc_is 0
    body_is "hello from lighttpd"
    access_has "^127\.0\.0\.1 localhost:$tp - \"GET / HTTP/2.0\" 200"
}
t_default_config() { twice default_config; }

# lighttpd's default cipher list (EECDH+AESGCM:AES256+EECDH:CHACHA20:!SHA1:!SHA256:!SHA384)
# over TLS 1.2: its AEAD suites are accepted, CBC and static-RSA ones refused.
default_ciphers() {
    local hp tp
    hp=$(free_port); tp=$(free_port)
    conf "$RUN" "$hp" <<EOF
ssl.pemfile = "$PKI/server-combined.pem"
\$SERVER["socket"] == "127.0.0.1:$tp" { ssl.engine = "enable" }
EOF
    start "$RUN" "$LIB" "$hp" "$tp"
    sc any "$tp" -tls1_2
    sc_ok any
    sc_has any "Cipher is ECDHE-RSA-AES256-GCM-SHA384"
    sc chacha "$tp" -tls1_2 -cipher ECDHE-RSA-CHACHA20-POLY1305
    sc_ok chacha
    sc_has chacha "Cipher is ECDHE-RSA-CHACHA20-POLY1305"
    sc aes128gcm "$tp" -tls1_2 -cipher ECDHE-RSA-AES128-GCM-SHA256
    sc_ok aes128gcm
    # !SHA1 and !SHA256 exclude the CBC suites; kRSA is not in the list at all
    sc cbc1 "$tp" -tls1_2 -cipher ECDHE-RSA-AES256-SHA
    sc_failed cbc1
    sc cbc256 "$tp" -tls1_2 -cipher ECDHE-RSA-AES128-SHA256
    sc_failed cbc256
    sc krsa "$tp" -tls1_2 -cipher AES256-GCM-SHA384
    sc_failed krsa
    sc t13 "$tp" -tls1_3 -ciphersuites TLS_CHACHA20_POLY1305_SHA256
    sc_ok t13
    sc_has t13 "Cipher is TLS_CHACHA20_POLY1305_SHA256"
}
t_default_ciphers() { twice default_ciphers; }

# Two names on one socket: $HTTP["host"] selects another ssl.pemfile by the SNI name.
sni_host() {
    local hp tp
    hp=$(free_port); tp=$(free_port)
    conf "$RUN" "$hp" <<EOF
ssl.pemfile = "$PKI/server-combined.pem"
$CIPHERS
\$SERVER["socket"] == "127.0.0.1:$tp" { ssl.engine = "enable" }
\$HTTP["host"] == "second.test" {
    ssl.pemfile = "$PKI/second.pem"
    ssl.privkey = "$PKI/second.key"
    server.document-root = "$T/$RUN/www/second"
}
EOF
    start "$RUN" "$LIB" "$hp" "$tp"
    cu "https://second.test:$tp/"
    rc_is 0
    body_is "second site"
    err_has '^\*  subject: CN=second.test'
    cu "https://localhost:$tp/"
    rc_is 0
    body_is "hello from lighttpd"
    err_has '^\*  subject: CN=localhost'
    sc s2 "$tp" -servername second.test
    sc_ok s2
    sc_has s2 "subject=CN = second.test"
    sc_has s2 "Verify return code: 0 (ok)"
    sc s1 "$tp" -servername localhost
    sc_ok s1
    sc_has s1 "subject=CN = localhost"
    sc none "$tp" -noservername
    sc_ok none
    sc_has none "subject=CN = localhost"
    sc other "$tp" -servername unknown.test
    sc_has other "subject=CN = localhost"
}
t_sni_host() { twice sni_host; }

# Two TLS sockets, each with its own ssl.pemfile ($SERVER["socket"] conditionals): RSA on
# one, ECDSA on the other.
sni_socket() {
    local hp tp tp2
    hp=$(free_port); tp=$(free_port); tp2=$(free_port)
    conf "$RUN" "$hp" <<EOF
ssl.pemfile = "$PKI/server-combined.pem"
$CIPHERS
\$SERVER["socket"] == "127.0.0.1:$tp" { ssl.engine = "enable" }
\$SERVER["socket"] == "127.0.0.1:$tp2" {
    ssl.engine = "enable"
    ssl.pemfile = "$PKI/ec.pem"
    ssl.privkey = "$PKI/ec.key"
}
EOF
    start "$RUN" "$LIB" "$hp" "$tp" "$tp2"
    sc rsa "$tp" -servername localhost
    sc_ok rsa
    sc_has rsa "Server public key is 2048 bit"
    sc ec "$tp2" -servername localhost
    sc_ok ec
    sc_has ec "Server public key is 256 bit"
    sc_has ec "Peer signature type: ECDSA"
    cu "https://localhost:$tp2/"
    rc_is 0
    body_is "hello from lighttpd"
}
t_sni_socket() { twice sni_socket; }

# client_conf HTTP_PORT TLS_PORT ENFORCE: ssl.ca-file with our root, client certificates requested
# (and required when ENFORCE is enable), the certificate's CN as REMOTE_USER.
client_conf() {
    local hp=$1 tp=$2
    conf "$RUN" "$hp" <<EOF
$CIPHERS
\$SERVER["socket"] == "127.0.0.1:$tp" {
    ssl.engine = "enable"
    ssl.pemfile = "$PKI/server-combined.pem"
    ssl.ca-file = "$PKI/root.pem"
    ssl.verifyclient.activate = "enable"
    ssl.verifyclient.enforce = "$3"
    ssl.verifyclient.depth = 2
    ssl.verifyclient.username = "SSL_CLIENT_S_DN_CN"
}
EOF
}

client_cert_enforce() {
    local hp tp
    hp=$(free_port); tp=$(free_port)
    client_conf "$hp" "$tp" enable
    start "$RUN" "$LIB" "$hp" "$tp"
    cu --cert "$PKI/client.pem" --key "$PKI/client.key" "https://localhost:$tp/"
    rc_is 0
    body_is "hello from lighttpd"
    access_has '^127\.0\.0\.1 localhost:[0-9]+ testclient "GET / HTTP/2.0" 200'
    cu --http1.1 --cert "$PKI/client.pem" --key "$PKI/client.key" --tls-max 1.2 "https://localhost:$tp/"
    rc_is 0
    err_has 'SSL connection using TLSv1.2'
    # no certificate: refused (TLS 1.2, where curl sees the alert during the handshake)
    cu --tls-max 1.2 "https://localhost:$tp/"
    [ "$RC" -ne 0 ] || fail "curl without a client certificate got an answer (enforce)"
    err_has 'alert handshake failure|alert certificate required'
    sc nocert "$tp" -servername localhost
    grep -q '^HTTP/1.0 200' "$T/nocert.sc" && fail "s_client without a client certificate got a response (enforce)"
    return 0
}
t_client_cert_enforce() { twice client_cert_enforce; }

client_cert_optional() {
    local hp tp
    hp=$(free_port); tp=$(free_port)
    client_conf "$hp" "$tp" disable
    start "$RUN" "$LIB" "$hp" "$tp"
    cu "https://localhost:$tp/"
    rc_is 0
    body_is "hello from lighttpd"
    access_has '^127\.0\.0\.1 localhost:[0-9]+ - "GET / HTTP/2.0" 200'
    cu --cert "$PKI/client.pem" --key "$PKI/client.key" "https://localhost:$tp/"
    rc_is 0
    access_has '^127\.0\.0\.1 localhost:[0-9]+ testclient "GET / HTTP/2.0" 200'
}
t_client_cert_optional() { twice client_cert_optional; }

# A client certificate from an unknown CA: refused with the verify error in the log.
client_cert_wrong_ca() {
    local hp tp
    hp=$(free_port); tp=$(free_port)
    client_conf "$hp" "$tp" enable
    start "$RUN" "$LIB" "$hp" "$tp"
    cu --tls-max 1.2 --cert "$PKI/other-client.pem" --key "$PKI/other-client.key" "https://localhost:$tp/"
    [ "$RC" -ne 0 ] || fail "curl with a client certificate of an unknown CA got an answer"
    err_has 'alert unknown ca'
    cu --cert "$PKI/other-client.pem" --key "$PKI/other-client.key" "https://localhost:$tp/"
    [ "$RC" -ne 0 ] || fail "curl (TLS 1.3) with a client certificate of an unknown CA got an answer"
    grep -q 'unable to get issuer certificate\|unable to get local issuer certificate' "$T/$RUN/error.log" ||
        fail "error log lacks the verify error: $(tail -3 "$T/$RUN/error.log" | cut -d' ' -f3- | tr '\n' ' ')"
    cu --cert "$PKI/client.pem" --key "$PKI/client.key" "https://localhost:$tp/"
    rc_is 0
}
t_client_cert_wrong_ca() { twice client_cert_wrong_ca; }

# ssl.openssl.ssl-conf-cmd MinProtocol (SSL_CONF_cmd): TLS 1.2 clients refused.
conf_cmd_protocol() {
    local hp tp
    hp=$(free_port); tp=$(free_port)
    conf "$RUN" "$hp" <<EOF
ssl.pemfile = "$PKI/server-combined.pem"
$CIPHERS
ssl.openssl.ssl-conf-cmd = ("MinProtocol" => "TLSv1.3")
\$SERVER["socket"] == "127.0.0.1:$tp" { ssl.engine = "enable" }
EOF
    start "$RUN" "$LIB" "$hp" "$tp"
    cu "https://localhost:$tp/"
    rc_is 0
    err_has 'SSL connection using TLSv1.3'
    cu --tls-max 1.2 "https://localhost:$tp/"
    [ "$RC" -ne 0 ] || fail "TLS 1.2 client accepted with MinProtocol TLSv1.3"
    err_has 'alert protocol version'
}
t_conf_cmd_protocol() { twice conf_cmd_protocol; }

###########################################################################
# Driver
###########################################################################

# gen_extra DIR: a certificate for second.test (ECDSA, signed by the root), and a client
# certificate under an unrelated CA.  Uses the root of tests/curl/gen-certs.sh.
gen_extra() {
    local d=$1 o=$OPENSSL
    cd "$d" || return 1
    cat server-chain.pem server.key >server-combined.pem
    $o req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout second.key \
        -subj /CN=second.test -out second.csr || return 1
    printf 'subjectAltName=DNS:second.test\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' >second.ext
    $o x509 -req -in second.csr -CA root.pem -CAkey root.key -CAcreateserial -days 30 \
        -extfile second.ext -out second.pem || return 1
    $o req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout other-ca.key \
        -subj "/CN=Other CA" -days 30 -addext basicConstraints=critical,CA:TRUE \
        -addext keyUsage=critical,keyCertSign -out other-ca.pem || return 1
    $o req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout other-client.key \
        -subj /CN=otherclient -out other-client.csr || return 1
    printf 'basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\n' >other-client.ext
    $o x509 -req -in other-client.csr -CA other-ca.pem -CAkey other-ca.key -CAcreateserial -days 30 \
        -extfile other-client.ext -out other-client.pem || return 1
}

# show_logs: every lighttpd log of the test, into the test's log
show_logs() {
    local f
    for f in "$T"/*/error.log; do
        [ -f "$f" ] && sed "s#^#  $(basename "$(dirname "$f")") log| #" "$f"
    done
    return 0
}

# need_quiet SERVICE PKG...: `need` PKG...; when this run installed SERVICE's package (the
# first PKG), stop and disable the service Debian started on install: the tests run their
# own instances, and a service that was there before is left alone.
need_quiet() {
    local service=$1 fresh=0
    shift
    dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed' || fresh=1
    need "$@" || return 1
    if [ $fresh = 1 ]; then
        systemctl disable --now "$service" >/dev/null 2>&1
        service "$service" stop >/dev/null 2>&1
    fi
    return 0
}

run_one() {
    T=$WORK/tests/$1
    trap 'stop_servers; show_logs' EXIT
    trap 'echo "killed by watchdog"; exit 124' TERM
    "t_$1"
}

main() {
    suite_args "$@"
    need_quiet lighttpd lighttpd lighttpd-mod-openssl curl openssl python3 procps ||
        { echo "lighttpd, lighttpd-mod-openssl, curl, openssl, python3 and procps are required" >&2; exit 2; }
    [ -x "$PY" ] || PY=$(command -v python3)
    WORK=$(mktemp -d "${TMPDIR:-/tmp}/rustls-libssl-lighttpd.XXXXXX")
    PKI=$WORK/pki
    export LIBDIR WORK PKI PY
    if ! { "$HERE/../curl/gen-certs.sh" "$PKI" && (unset LD_LIBRARY_PATH; gen_extra "$PKI"); } >"$WORK/gen-certs.log" 2>&1; then
        cat "$WORK/gen-certs.log" "$PKI/gen.log" 2>/dev/null
        echo "certificate generation failed" >&2
        exit 2
    fi
    mkdir -p "$WORK/tests"
    echo "# library: $LIBDIR; $("$LIGHTTPD" -v 2>&1 | head -1 | cut -d' ' -f1); logs: $WORK"
    run_tests
}

{ main "$@"; exit $?; }
