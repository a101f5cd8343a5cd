#!/bin/bash
# haproxy integration tests for rustls-libssl.
#
# usage: tests/haproxy/run.sh LIBDIR|system [TEST...]
#        tests/haproxy/run.sh --list
#
#   LIBDIR  directory holding the libssl.so.3 under test; Debian's haproxy 2.6 runs with
#           LD_LIBRARY_PATH=LIBDIR.  The literal word `system` runs it on the system
#           OpenSSL, which must pass 100%.
#   TEST    optional test names to run only those.
#
# haproxy's peers always use the system OpenSSL: curl and openssl s_client are the
# clients of its TLS frontends (whose answer, an `http-request return`, describes the TLS
# connection as haproxy sees it: protocol, cipher, ALPN, SNI, resumption, client
# certificate), and tlsbackend.py (Python's ssl) is the HTTPS server behind its TLS
# backends (its answer describes the connection as the server sees it).  Every test runs
# its scenario twice with the same configuration and the same requests: first haproxy on
# the system library (the reference), then on the library under test.  Both runs must
# give the answers the test expects, what the stats socket's `show ssl ...` commands print
# must be the same in both, and haproxy's output (its log, in a log-format that records
# the TLS parameters of both sides, and its notices, warnings and alerts) must have the
# same lines in both runs once dates, ports and pids are masked.
#
# Output: one `ok NAME` / `FAIL NAME: why` / `skip NAME: why` line per test, then
# `N passed, N failed, N skipped`.  KEEP_LOGS=1 keeps the temporary directory.
set -u

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../lib.sh
. "$HERE/../lib.sh"
SELF="$HERE/$(basename "${BASH_SOURCE[0]}")"
HAPROXY=/usr/sbin/haproxy
CURL=/usr/bin/curl
OPENSSL=/usr/bin/openssl
PY=/usr/bin/python3
BACKEND=$HERE/tlsbackend.py
CLIENT_TIMEOUT=20
SERVER_TIMEOUT=60
TEST_TIMEOUT=120

unset LD_PRELOAD OPENSSL_CONF SSL_CERT_FILE SSL_CERT_DIR SSLKEYLOGFILE CURL_CA_BUNDLE CURL_HOME \
      http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY no_proxy NO_PROXY
export LC_ALL=C

# What a frontend answers and logs about its TLS connection
FC='fc=%[ssl_fc_protocol],%[ssl_fc_cipher] alpn=%[ssl_fc_alpn] sni=%[ssl_fc_sni] resumed=%[ssl_fc_is_resumed] cn=%[ssl_c_s_dn(cn)] verify=%[ssl_c_verify]'
BC='bc=%[ssl_bc_protocol],%[ssl_bc_cipher] bresumed=%[ssl_bc_is_resumed]'
RETURN="http-request return status 200 content-type text/plain lf-string \"$FC\\n\""

###########################################################################
# Helpers used inside tests (T = the test's directory)
###########################################################################

PROGRAM_NAME=haproxy

# conf [GLOBAL-LINES]: writes $T/$RUN.cfg: a global section (log on stdout, one thread so
# that the backend session cache is deterministic, the stats socket $T/$RUN.sock, then
# GLOBAL-LINES), defaults (HTTP, our log-format), then stdin (the test's proxies).
conf() {
    {
        cat <<EOF
global
    log stdout format raw local0 info
    nbthread 1
    stats socket $T/$RUN.sock mode 600 level admin
${1:-}
defaults
    mode http
    log global
    timeout connect 5s
    timeout client 10s
    timeout server 10s
    log-format "%ci %ft %b/%s %ST %tsc %{+Q}r $FC $BC"
EOF
        cat
    } >"$T/$RUN.cfg"
}

# start PORT...: haproxy -db with $T/$RUN.cfg on $LIB; waits for every PORT to listen.
# Its output (log and messages) is $T/$RUN-haproxy.out.
start() {
    local p pid
    lib_env "$LIB"
    bg "$RUN-haproxy" "${LIB_ENV[@]}" "$HAPROXY" -db -f "$T/$RUN.cfg"
    for p in "$@"; do
        if ! wait_listen "$p" "$BG_PID"; then
            sed 's/^/  log| /' "$T/$RUN-haproxy.out"
            fail "haproxy ($RUN, lib $LIB) did not start: $(grep -E 'ALERT|WARNING' "$T/$RUN-haproxy.out" | head -2 | tr '\n' ' ' | cut -c1-300)"
        fi
    done
    pid=$(ps -o pid= --ppid "$BG_PID" | tr -d ' ' | head -1)
    expect_mapped "$pid" "$LIB"
}

# backend PORT ARGS...: tlsbackend.py on PORT (system OpenSSL) with our server
# certificate; its lines in $T/$RUN-backend.out
backend() {
    local port=$1
    shift
    bg "$RUN-backend" "$PY" "$BACKEND" "$port" --cert "$PKI/server-chain.pem" --key "$PKI/server.key" "$@"
    wait_listen "$port" "$BG_PID" || { cat "$T/$RUN-backend.out"; fail "TLS backend did not listen"; }
}

client() { env -u LD_LIBRARY_PATH timeout -k 5 "$CLIENT_TIMEOUT" "$@"; }

# cu NAME ARGS...: curl (system) trusting our root, every name connecting to 127.0.0.1.
# Body in $T/$RUN-NAME.body, -v in $T/$RUN-NAME.err, exit code RC.
cu() {
    local name=$1
    shift
    echo "+ [$RUN] curl $*"
    client "$CURL" -q -sS -v --max-time 15 --cacert "$PKI/root.pem" --connect-to ::127.0.0.1: "$@" \
        >"$T/$RUN-$name.body" 2>"$T/$RUN-$name.err" </dev/null
    RC=$?
    echo "  exit code: $RC; body: $(head -c 300 "$T/$RUN-$name.body")"
    grep -E '^\* (SSL connection|ALPN|  subject)|^< HTTP|^curl:' "$T/$RUN-$name.err" | head -8 | sed 's/^/  | /'
    [ "$RC" -eq 124 ] && fail "curl hung"
    [ "$RC" -ge 125 ] && fail "curl crashed or could not start (exit $RC)"
    return 0
}
rc_is() { [ "$RC" -eq "$2" ] || fail "curl $1 ($RUN) exit code $RC, want $2 ($(grep '^curl:' "$T/$RUN-$1.err" | tail -1))"; }
body_has() { grep -qF -- "$2" "$T/$RUN-$1.body" || fail "curl $1 ($RUN): body '$(head -c 300 "$T/$RUN-$1.body" | tr '\n' ' ')' lacks '$2'"; }
err_has() { grep -qE -- "$2" "$T/$RUN-$1.err" || fail "curl $1 ($RUN): -v output lacks /$2/: $(grep -E '^curl:|SSL connection' "$T/$RUN-$1.err" | head -2 | tr '\n' ' ')"; }

# sc NAME PORT ARGS...: openssl s_client (system) sending one HTTP/1.1 request; output
# $T/$RUN-NAME.sc, exit code RC.  (Its session-ticket dumps may interleave with the
# answer: the checks look for substrings.)
sc() {
    local name=$1 port=$2
    shift 2
    echo "+ [$RUN] s_client -connect 127.0.0.1:$port $*"
    printf 'GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n' |
        client "$OPENSSL" s_client -connect "127.0.0.1:$port" -CAfile "$PKI/root.pem" -ign_eof "$@" \
        >"$T/$RUN-$name.sc" 2>&1
    RC=$?
    echo "  exit code: $RC"
    grep -E '^(subject=|New,|Verify return|Server public key|Peer signature type|ALPN|No ALPN|HTTP/|fc=|.*alert|.*error)' "$T/$RUN-$name.sc" | head -12 | sed 's/^/  | /'
    return 0
}
sc_has() { grep -qF -- "$2" "$T/$RUN-$1.sc" || fail "s_client $1 ($RUN) output lacks '$2': $(grep -E '^(subject=|New,|fc=|.*error)' "$T/$RUN-$1.sc" | head -3 | tr '\n' ' ')"; }
sc_ok() { [ "$RC" -eq 0 ] && grep -q 'HTTP/1.1 200' "$T/$RUN-$1.sc" || fail "s_client $1 ($RUN): no 200 response (exit $RC): $(grep -iE 'error|alert' "$T/$RUN-$1.sc" | head -2 | tr '\n' ' ')"; }
sc_failed() {
    grep -q 'HTTP/1.1 200' "$T/$RUN-$1.sc" && fail "s_client $1 ($RUN): got a response; expected a handshake failure"
    return 0
}

# stats NAME CMD [AWK]: CMD (with its payload, if any) on the stats socket; the answer in
# $T/$RUN-NAME.stats (only what the awk program AWK prints of it, if given: the lines
# worth comparing between the runs)
stats() {
    echo "+ [$RUN] stats: $(echo "$2" | head -1)"
    client "$PY" -c '
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.settimeout(10)
s.connect(sys.argv[1])
s.sendall(sys.argv[2].encode() + b"\n")
out = b""
while True:
    d = s.recv(65536)
    if not d:
        break
    out += d
sys.stdout.write(out.decode())
' "$T/$RUN.sock" "$2" >"$T/$RUN-$1.raw" 2>&1 || fail "stats socket: '$2' failed: $(head -2 "$T/$RUN-$1.raw")"
    # (haproxy 2.6 prints a NUL after a crt-list line's ALPN list)
    tr -d '\000' <"$T/$RUN-$1.raw" | awk "${3:-1}" >"$T/$RUN-$1.stats"
    sed 's/^/  | /' "$T/$RUN-$1.stats" | head -20
}
stats_has() { grep -aqF -- "$2" "$T/$RUN-$1.stats" || fail "stats $1 ($RUN) lacks '$2': $(head -3 "$T/$RUN-$1.stats" | tr '\n' ' ')"; }

# log_has REGEX / backend_has REGEX: haproxy's (or the backend's) output of this run must
# match; checked once the servers are stopped.
LOG_WANT=()
log_has() { LOG_WANT+=("haproxy	$1"); }
backend_has() { LOG_WANT+=("backend	$1"); }
check_logs() {
    local w who re
    for w in "${LOG_WANT[@]}"; do
        who=${w%%	*}
        re=${w#*	}
        grep -qE -- "$re" "$T/$RUN-$who.out" || fail "$who output ($RUN) lacks /$re/"
    done
    LOG_WANT=()
}

# wait_log REGEX: wait (<= 10 s) until haproxy's output of this run matches
wait_log() {
    local i
    for i in $(seq 1 100); do
        grep -qE -- "$1" "$T/$RUN-haproxy.out" && return 0
        sleep 0.1
    done
    fail "haproxy ($RUN) did not log /$1/ within 10 s"
}

# no_panic FILE...: no Rust panic or backtrace in any of them
no_panic() {
    local f
    for f in "$@"; do
        [ -f "$f" ] || continue
        if grep -qE "panicked at|stack backtrace|RUST_BACKTRACE" "$f"; then
            grep -E -A3 "panicked at" "$f" | head -8 | sed 's/^/  panic| /'
            fail "$(basename "$f"): Rust panic: $(grep -E 'panicked at' -A1 "$f" | tail -1 | cut -c1-200)"
        fi
    done
    return 0
}

# normalized FILE: haproxy's output with dates, ports, pids and check durations masked
normalized() {
    sed -E -e 's/127\.0\.0\.1:[0-9]+/127.0.0.1:PORT/g' \
        -e 's#(https?://[a-z0-9.]+):[0-9]+/#\1:PORT/#g' \
        -e 's#\[[0-9]{2}/[A-Z][a-z]{2}/[0-9]{4}:[0-9:.]+\]#[DATE]#g' \
        -e 's/^\[(NOTICE|WARNING|ALERT)\] +\([0-9]+\) :/[\1] (PID) :/' \
        -e 's/check duration: [0-9]+ms/check duration: Nms/' \
        -e 's#/(ref|lib)\.(cfg|sock)#/RUN.\2#g' "$1" | sort -u
}

# same_lines WHO REF GOT
same_lines() {
    local extra missing
    extra=$(comm -13 <(normalized "$2") <(normalized "$3"))
    missing=$(comm -23 <(normalized "$2") <(normalized "$3"))
    [ -n "$extra" ] && echo "$extra" | sed "s/^/  $1 extra| /"
    [ -n "$missing" ] && echo "$missing" | sed "s/^/  $1 missing| /"
    [ -n "$extra" ] && fail "$1 has a line the system run does not: $(echo "$extra" | head -1 | cut -c1-220)"
    [ -n "$missing" ] && fail "$1 lacks a line the system run has: $(echo "$missing" | head -1 | cut -c1-220)"
    return 0
}

# quiet FILE: wait (<= 5 s) until FILE has not grown for half a second: the server has
# logged what the last client's exchange makes it log before it is stopped.
quiet() {
    local i last=-1 size same=0
    for i in $(seq 1 50); do
        size=$(stat -c %s "$1" 2>/dev/null || echo 0)
        if [ "$size" = "$last" ]; then
            same=$((same + 1))
            [ $same -ge 5 ] && return 0
        else
            same=0
        fi
        last=$size
        sleep 0.1
    done
    return 0
}

# twice FUNC: runs `FUNC` with RUN=ref and LIB=system, then with RUN=lib and LIB=LIBDIR
# (each starting and stopping its own servers), then compares haproxy's output and the
# stats socket's answers of both runs.
twice() {
    local f
    RUN=ref LIB=system
    echo "=== reference run: haproxy on the system library"
    "$1"
    quiet "$T/$RUN-haproxy.out"
    stop_servers
    check_logs
    RUN=lib LIB=$LIBDIR
    echo "=== haproxy on $LIBDIR"
    "$1"
    quiet "$T/$RUN-haproxy.out"
    stop_servers
    check_logs
    no_panic "$T"/*.out "$T"/*.err "$T"/*.sc
    same_lines "haproxy's output" "$T/ref-haproxy.out" "$T/lib-haproxy.out"
    for f in "$T"/ref-*.stats; do
        [ -f "$f" ] || continue
        f=$(basename "$f" .stats)
        f=${f#ref-}
        same_lines "stats '$f'" "$T/ref-$f.stats" "$T/lib-$f.stats"
    done
    return 0
}

###########################################################################
# Tests
###########################################################################

TESTS=(
    loaded_lib
    fe_basic fe_crt_dir fe_strict_sni fe_crt_list fe_ciphers fe_versions
    fe_client_cert fe_client_cert_optional fe_client_cert_ignore_err
    fe_resume fe_resume_tls12 fe_resume_tls12_no_tickets
    be_basic be_tls12_ciphers be_client_cert be_verify_fail be_health_check
    show_ssl set_ssl_cert
)

t_loaded_lib() {
    local p
    p=$(free_port)
    RUN=lib LIB=$LIBDIR
    conf <<EOF
frontend fe
    bind 127.0.0.1:$p ssl crt $PKI/rsa.pem
    $RETURN
EOF
    start "$p"
    cu main "https://localhost:$p/"
    rc_is main 0
    body_has main "fc=TLSv1.3,TLS_AES_256_GCM_SHA384"
}

# One certificate, `alpn h2,http/1.1`: HTTP/2 and HTTP/1.1 through ALPN, TLS 1.2, a
# client without ALPN.
fe_basic() {
    local p
    p=$(free_port)
    conf <<EOF
frontend fe
    bind 127.0.0.1:$p ssl crt $PKI/rsa.pem alpn h2,http/1.1
    $RETURN
EOF
    start "$p"
    cu h2 "https://localhost:$p/"
    rc_is h2 0
    body_has h2 "fc=TLSv1.3,TLS_AES_256_GCM_SHA384 alpn=h2 sni=localhost resumed=0"
    err_has h2 '^\* ALPN: server accepted h2'
    cu h1 --http1.1 "https://localhost:$p/"
    rc_is h1 0
    body_has h1 "alpn=http/1.1 sni=localhost"
    cu t12 --tls-max 1.2 "https://localhost:$p/"
    rc_is t12 0
    body_has t12 "fc=TLSv1.2,ECDHE-RSA-AES256-GCM-SHA384 alpn=h2"
    sc noalpn "$p" -servername localhost
    sc_ok noalpn
    sc_has noalpn "No ALPN negotiated"
    sc_has noalpn "Server public key is 2048 bit"
    sc_has noalpn "Verify return code: 0 (ok)"
    log_has '^127\.0\.0\.1 fe~ fe/<NOSRV> 200 LR-- "GET https://localhost:[0-9]+/ HTTP/2\.0" fc=TLSv1\.3,TLS_AES_256_GCM_SHA384 alpn=h2'
}
t_fe_basic() { twice fe_basic; }

# `crt DIR` holding an RSA and an ECDSA certificate for localhost and an ECDSA one for
# second.test: haproxy picks the certificate in its ClientHello callback, by SNI and by
# what the client supports (ECDSA first).
fe_crt_dir() {
    local p
    p=$(free_port)
    conf <<EOF
frontend fe
    bind 127.0.0.1:$p ssl crt $PKI/crtdir alpn h2,http/1.1
    $RETURN
EOF
    start "$p"
    sc ec "$p" -servername localhost
    sc_ok ec
    sc_has ec "subject=CN = localhost"
    sc_has ec "Server public key is 256 bit"
    sc rsa "$p" -servername localhost -sigalgs "RSA-PSS+SHA256:RSA+SHA256"
    sc_ok rsa
    sc_has rsa "Server public key is 2048 bit"
    sc rsa12 "$p" -servername localhost -tls1_2 -cipher ECDHE-RSA-AES128-GCM-SHA256
    sc_ok rsa12
    sc_has rsa12 "New, TLSv1.2, Cipher is ECDHE-RSA-AES128-GCM-SHA256"
    sc_has rsa12 "Server public key is 2048 bit"
    sc ec12 "$p" -servername localhost -tls1_2 -cipher ECDHE-ECDSA-AES128-GCM-SHA256
    sc_ok ec12
    sc_has ec12 "New, TLSv1.2, Cipher is ECDHE-ECDSA-AES128-GCM-SHA256"
    sc second "$p" -servername second.test
    sc_ok second
    sc_has second "subject=CN = second.test"
    sc_has second "fc=TLSv1.3,TLS_AES_256_GCM_SHA384 alpn= sni=second.test"
    sc other "$p" -servername unknown.test
    sc_ok other
    sc_has other "subject=CN = localhost"
    sc none "$p" -noservername
    sc_ok none
    sc_has none "subject=CN = localhost"
    cu second "https://second.test:$p/"
    rc_is second 0
    body_has second "alpn=h2 sni=second.test"
}
t_fe_crt_dir() { twice fe_crt_dir; }

# strict-sni: a name without a certificate, or no name, is refused
fe_strict_sni() {
    local p
    p=$(free_port)
    conf <<EOF
frontend fe
    bind 127.0.0.1:$p ssl crt $PKI/crtdir strict-sni
    $RETURN
EOF
    start "$p"
    sc good "$p" -servername second.test
    sc_ok good
    sc_has good "subject=CN = second.test"
    sc other "$p" -servername unknown.test
    sc_failed other
    sc none "$p" -noservername
    sc_failed none
    cu other "https://unknown.test:$p/"
    [ "$RC" -ne 0 ] || fail "curl to an unknown name got an answer (strict-sni)"
    log_has 'fe/1: SSL handshake failure'
}
t_fe_strict_sni() { twice fe_strict_sni; }

# crt-list with per-line options: each line makes its own SSL_CTX (ALPN, ciphers,
# versions, client verification), which haproxy switches to in its ClientHello callback.
fe_crt_list() {
    local p
    p=$(free_port)
    cat >"$T/crt-list" <<EOF
$PKI/rsa.pem [alpn http/1.1] localhost
$PKI/second.pem [alpn h2 ciphers ECDHE-ECDSA-CHACHA20-POLY1305 ssl-max-ver TLSv1.2] second.test
$PKI/rsa.pem [verify required ca-file $PKI/root.pem] secure.test
EOF
    conf <<EOF
frontend fe
    bind 127.0.0.1:$p ssl crt-list $T/crt-list alpn h2,http/1.1
    $RETURN
EOF
    start "$p"
    cu local "https://localhost:$p/"
    rc_is local 0
    body_has local "fc=TLSv1.3,TLS_AES_256_GCM_SHA384 alpn=http/1.1 sni=localhost"
    cu second "https://second.test:$p/"
    rc_is second 0
    body_has second "fc=TLSv1.2,ECDHE-ECDSA-CHACHA20-POLY1305 alpn=h2 sni=second.test"
    sc secure "$p" -servername secure.test -cert "$PKI/client.pem" -key "$PKI/client.key"
    sc_ok secure
    sc_has secure "cn=testclient verify=0"
    sc nocert "$p" -servername secure.test -tls1_2
    sc_failed nocert
    sc_has nocert "alert handshake failure"
}
t_fe_crt_list() { twice fe_crt_list; }

# ssl-default-bind-ciphers / -ciphersuites: what is negotiated, and what is refused
fe_ciphers() {
    local p
    p=$(free_port)
    conf "    ssl-default-bind-ciphers ECDHE-RSA-CHACHA20-POLY1305:ECDHE-RSA-AES128-GCM-SHA256
    ssl-default-bind-ciphersuites TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256" <<EOF
frontend fe
    bind 127.0.0.1:$p ssl crt $PKI/rsa.pem
    $RETURN
EOF
    start "$p"
    cu t13 "https://localhost:$p/"
    rc_is t13 0
    body_has t13 "fc=TLSv1.3,TLS_CHACHA20_POLY1305_SHA256"
    cu t12 --tls-max 1.2 "https://localhost:$p/"
    rc_is t12 0
    body_has t12 "fc=TLSv1.2,ECDHE-RSA-CHACHA20-POLY1305"
    sc aes128 "$p" -tls1_2 -cipher ECDHE-RSA-AES128-GCM-SHA256
    sc_ok aes128
    sc_has aes128 "fc=TLSv1.2,ECDHE-RSA-AES128-GCM-SHA256"
    sc aes256 "$p" -tls1_2 -cipher ECDHE-RSA-AES256-GCM-SHA384
    sc_failed aes256
    sc_has aes256 "alert handshake failure"
    sc t13aes256 "$p" -tls1_3 -ciphersuites TLS_AES_256_GCM_SHA384
    sc_failed t13aes256
    sc_has t13aes256 "alert handshake failure"
    log_has 'fe/1: SSL handshake failure'
}
t_fe_ciphers() { twice fe_ciphers; }

# ssl-min-ver on one bind, ssl-max-ver on another (global ssl-default-bind-options
# ssl-min-ver TLSv1.2)
fe_versions() {
    local p p2
    p=$(free_port); p2=$(free_port)
    conf "    ssl-default-bind-options ssl-min-ver TLSv1.2" <<EOF
frontend fe
    bind 127.0.0.1:$p ssl crt $PKI/rsa.pem ssl-min-ver TLSv1.3
    bind 127.0.0.1:$p2 ssl crt $PKI/rsa.pem ssl-max-ver TLSv1.2
    $RETURN
EOF
    start "$p" "$p2"
    cu t13 "https://localhost:$p/"
    rc_is t13 0
    body_has t13 "fc=TLSv1.3"
    cu old "https://localhost:$p/" --tls-max 1.2
    rc_is old 35
    err_has old 'alert protocol version'
    cu t12 "https://localhost:$p2/"
    rc_is t12 0
    body_has t12 "fc=TLSv1.2,ECDHE-RSA-AES256-GCM-SHA384"
    sc new "$p2" -tls1_3
    sc_failed new
    sc_has new "alert protocol version"
    sc t11 "$p2" -tls1_1 -cipher DEFAULT@SECLEVEL=0
    sc_failed t11
    log_has 'fe/[12]: SSL handshake failure'
}
t_fe_versions() { twice fe_versions; }

# verify required ca-file: our client's certificate is accepted (its CN in the answer);
# none, or one from another CA, is refused with haproxy's messages
fe_client_cert() {
    local p
    p=$(free_port)
    conf <<EOF
frontend fe
    bind 127.0.0.1:$p ssl crt $PKI/rsa.pem verify required ca-file $PKI/root.pem
    $RETURN
EOF
    start "$p"
    cu good --cert "$PKI/client.pem" --key "$PKI/client.key" "https://localhost:$p/"
    rc_is good 0
    body_has good "cn=testclient verify=0"
    cu good12 --tls-max 1.2 --cert "$PKI/client.pem" --key "$PKI/client.key" "https://localhost:$p/"
    rc_is good12 0
    body_has good12 "fc=TLSv1.2,ECDHE-RSA-AES256-GCM-SHA384 alpn= sni=localhost resumed=0 cn=testclient verify=0"
    cu none12 --tls-max 1.2 "https://localhost:$p/"
    rc_is none12 35
    err_has none12 'alert handshake failure'
    cu other12 --tls-max 1.2 --cert "$PKI/other-client.pem" --key "$PKI/other-client.key" "https://localhost:$p/"
    rc_is other12 35
    err_has other12 'alert unknown ca'
    cu none13 "https://localhost:$p/"
    [ "$RC" -ne 0 ] || fail "curl without a client certificate got an answer (TLS 1.3)"
    cu other13 --cert "$PKI/other-client.pem" --key "$PKI/other-client.key" "https://localhost:$p/"
    [ "$RC" -ne 0 ] || fail "curl with another CA's certificate got an answer (TLS 1.3)"
    log_has 'fe/1: SSL handshake failure'
    log_has 'fe/1: SSL client certificate not trusted'
}
t_fe_client_cert() { twice fe_client_cert; }

# verify optional: with and without a certificate
fe_client_cert_optional() {
    local p
    p=$(free_port)
    conf <<EOF
frontend fe
    bind 127.0.0.1:$p ssl crt $PKI/rsa.pem verify optional ca-file $PKI/root.pem
    $RETURN
EOF
    start "$p"
    cu none "https://localhost:$p/"
    rc_is none 0
    body_has none "cn= verify=0"
    cu good --cert "$PKI/client.pem" --key "$PKI/client.key" "https://localhost:$p/"
    rc_is good 0
    body_has good "cn=testclient verify=0"
}
t_fe_client_cert_optional() { twice fe_client_cert_optional; }

# crt-ignore-err / ca-ignore-err: another CA's certificate is let in and ssl_c_verify
# reports OpenSSL's verify error
fe_client_cert_ignore_err() {
    local p
    p=$(free_port)
    conf <<EOF
frontend fe
    bind 127.0.0.1:$p ssl crt $PKI/rsa.pem verify required ca-file $PKI/root.pem crt-ignore-err all ca-ignore-err all
    $RETURN
EOF
    start "$p"
    cu other --cert "$PKI/other-client.pem" --key "$PKI/other-client.key" "https://localhost:$p/"
    rc_is other 0
    # X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE
    body_has other "cn=otherclient verify=21"
    cu good --cert "$PKI/client.pem" --key "$PKI/client.key" "https://localhost:$p/"
    rc_is good 0
    body_has good "cn=testclient verify=0"
}
t_fe_client_cert_ignore_err() { twice fe_client_cert_ignore_err; }

# resume NAME PORT CURL-ARGS...: one curl, two requests over two connections; the second
# resumes the first one's session
resume() {
    local name=$1 p=$2
    shift 2
    cu "$name" --http1.1 -H "Connection: close" "$@" "https://localhost:$p/" "https://localhost:$p/"
    rc_is "$name" 0
    [ "$(grep -c 'resumed=0' "$T/$RUN-$name.body")" -eq 1 ] && [ "$(grep -c 'resumed=1' "$T/$RUN-$name.body")" -eq 1 ] ||
        fail "curl $name ($RUN): want a new then a resumed session, got: $(tr '\n' ' ' <"$T/$RUN-$name.body")"
}

# Session resumption on the frontend: TLS 1.3 tickets
fe_resume() {
    local p
    p=$(free_port)
    conf <<EOF
frontend fe
    bind 127.0.0.1:$p ssl crt $PKI/rsa.pem
    $RETURN
EOF
    start "$p"
    resume main "$p"
    body_has main "fc=TLSv1.3,TLS_AES_256_GCM_SHA384"
}
t_fe_resume() { twice fe_resume; }

# TLS 1.2 tickets
fe_resume_tls12() {
    local p
    p=$(free_port)
    conf <<EOF
frontend fe
    bind 127.0.0.1:$p ssl crt $PKI/rsa.pem
    $RETURN
EOF
    start "$p"
    resume main "$p" --tls-max 1.2
    body_has main "fc=TLSv1.2,ECDHE-RSA-AES256-GCM-SHA384"
}
t_fe_resume_tls12() { twice fe_resume_tls12; }

# TLS 1.2 without tickets: session ids in haproxy's shared session cache
fe_resume_tls12_no_tickets() {
    local p
    p=$(free_port)
    conf <<EOF
frontend fe
    bind 127.0.0.1:$p ssl crt $PKI/rsa.pem no-tls-tickets
    $RETURN
EOF
    start "$p"
    resume main "$p" --tls-max 1.2
    stats info "show info" '/^SslCache(Lookups|Misses):/' 
    stats_has info "SslCacheLookups: 1"
    stats_has info "SslCacheMisses: 0"
}
t_fe_resume_tls12_no_tickets() { twice fe_resume_tls12_no_tickets; }

# be_conf FP SERVER-OPTIONS: a plain HTTP frontend on FP and a backend whose server is
# tlsbackend.py on BP (set by the caller), with SERVER-OPTIONS
be_conf() {
    conf <<EOF
frontend fe
    bind 127.0.0.1:$1
    default_backend be
backend be
    server s1 127.0.0.1:$BP $2
EOF
}

# get NAME FP: curl http://127.0.0.1:FP/ (plain, to the frontend)
get() {
    cu "$1" "http://127.0.0.1:$2/"
}

# A TLS backend: `server ... ssl verify required ca-file sni`, and haproxy's session
# reuse with it (one thread: one session cache)
be_basic() {
    local fp
    fp=$(free_port); BP=$(free_port)
    backend "$BP"
    be_conf "$fp" "ssl verify required ca-file $PKI/root.pem sni str(localhost)"
    start "$fp"
    get r1 "$fp"
    rc_is r1 0
    body_has r1 "backend TLSv1.3 TLS_AES_256_GCM_SHA384 reused=no sni=localhost alpn=- peer=-"
    get r2 "$fp"
    body_has r2 "backend TLSv1.3 TLS_AES_256_GCM_SHA384 reused=yes sni=localhost"
    get r3 "$fp"
    body_has r3 "reused=yes"
    log_has 'fe be/s1 200 ---- "GET / HTTP/1\.1" .* bc=TLSv1\.3,TLS_AES_256_GCM_SHA384 bresumed=0'
    log_has 'fe be/s1 200 ---- "GET / HTTP/1\.1" .* bc=TLSv1\.3,TLS_AES_256_GCM_SHA384 bresumed=1'
}
t_be_basic() { twice be_basic; }

# ssl-max-ver and ciphers on the server line; TLS 1.2 session reuse (tickets)
be_tls12_ciphers() {
    local fp
    fp=$(free_port); BP=$(free_port)
    backend "$BP"
    be_conf "$fp" "ssl verify required ca-file $PKI/root.pem sni str(localhost) ssl-max-ver TLSv1.2 ciphers ECDHE-RSA-AES128-GCM-SHA256"
    start "$fp"
    get r1 "$fp"
    rc_is r1 0
    body_has r1 "backend TLSv1.2 ECDHE-RSA-AES128-GCM-SHA256 reused=no"
    get r2 "$fp"
    body_has r2 "backend TLSv1.2 ECDHE-RSA-AES128-GCM-SHA256 reused=yes"
    log_has 'bc=TLSv1\.2,ECDHE-RSA-AES128-GCM-SHA256 bresumed=1'
}
t_be_tls12_ciphers() { twice be_tls12_ciphers; }

# crt on the server line: haproxy presents a client certificate the backend requires
be_client_cert() {
    local fp
    fp=$(free_port); BP=$(free_port)
    backend "$BP" --ca "$PKI/root.pem"
    be_conf "$fp" "ssl verify required ca-file $PKI/root.pem sni str(localhost) crt $PKI/client-combined.pem"
    start "$fp"
    get r1 "$fp"
    rc_is r1 0
    body_has r1 "backend TLSv1.3 TLS_AES_256_GCM_SHA384 reused=no sni=localhost alpn=- peer=testclient"
}
t_be_client_cert() { twice be_client_cert; }

# The backend's certificate does not verify (another CA file; a name it does not hold):
# 503, termination state SC, and the backend gets OpenSSL's alert
be_verify_fail() {
    local fp fp2
    fp=$(free_port); fp2=$(free_port); BP=$(free_port)
    backend "$BP"
    conf <<EOF
frontend fe
    bind 127.0.0.1:$fp
    default_backend be
frontend fe2
    bind 127.0.0.1:$fp2
    default_backend be2
backend be
    server s1 127.0.0.1:$BP ssl verify required ca-file $PKI/selfsigned.pem sni str(localhost)
backend be2
    server s2 127.0.0.1:$BP ssl verify required ca-file $PKI/root.pem sni str(wrong.example)
EOF
    start "$fp" "$fp2"
    get ca "$fp"
    rc_is ca 0
    body_has ca "503 Service Unavailable"
    get name "$fp2"
    body_has name "503 Service Unavailable"
    log_has 'fe be/s1 503 SC-- "GET / HTTP/1\.1"'
    log_has 'fe2 be2/s2 503 SC-- "GET / HTTP/1\.1"'
    backend_has '^error: SSLError: \[SSL: TLSV1_ALERT_UNKNOWN_CA\]'
    # haproxy's verify callback refuses the name without an X509 error: internal_error
    backend_has '^error: SSLError: \[SSL: TLSV1_ALERT_INTERNAL_ERROR\]'
}
t_be_verify_fail() { twice be_verify_fail; }

# check-ssl health checks: a server whose certificate does not verify goes DOWN with
# haproxy's usual message; one that does stays UP
be_health_check() {
    local fp
    fp=$(free_port); BP=$(free_port)
    backend "$BP"
    conf <<EOF
frontend fe
    bind 127.0.0.1:$fp
    default_backend be
backend be
    server good 127.0.0.1:$BP ssl verify required ca-file $PKI/root.pem sni str(localhost) check check-ssl inter 300ms
    server bad 127.0.0.1:$BP ssl verify required ca-file $PKI/selfsigned.pem sni str(localhost) check check-ssl inter 300ms
EOF
    start "$fp"
    wait_log 'Server be/bad is DOWN'
    sleep 1
    # backend, server, operational state (2: running, 0: stopped), admin state
    stats servers "show servers state be" '/^[0-9]/ { print $2, $4, $6, $7 }' 
    log_has 'Server be/bad is DOWN, reason: Layer6 invalid response, info: "SSL handshake failure", check duration: [0-9]+ms\. 1 active and 0 backup servers left\.'
    grep -q 'Server be/good is DOWN' "$T/$RUN-haproxy.out" && fail "the server with a good certificate went DOWN ($RUN)"
    get r1 "$fp"
    rc_is r1 0
    body_has r1 "backend TLSv1.3"
}
t_be_health_check() { twice be_health_check; }

# The stats socket's `show ssl` commands on a frontend with a crt-list and a crt file
show_ssl() {
    local p p2
    p=$(free_port); p2=$(free_port)
    cat >"$T/crt-list" <<EOF
$PKI/second.pem [alpn h2] second.test
$PKI/ecdsa.pem
EOF
    conf <<EOF
frontend fe
    bind 127.0.0.1:$p ssl crt $PKI/rsa.pem ca-file $PKI/root.pem verify optional
    bind 127.0.0.1:$p2 ssl crt-list $T/crt-list
    $RETURN
EOF
    start "$p" "$p2"
    stats certs "show ssl cert"
    stats_has certs "$PKI/rsa.pem"
    stats_has certs "$PKI/second.pem"
    stats rsa "show ssl cert $PKI/rsa.pem"
    stats_has rsa "Subject: /CN=localhost"
    stats_has rsa "Chain Subject: /CN=Test Intermediate CA/O=rustls-libssl tests"
    stats ec "show ssl cert $PKI/ecdsa.pem"
    stats_has ec "Algorithm: EC256"
    stats lists "show ssl crt-list"
    stats_has lists "$T/crt-list"
    stats list "show ssl crt-list -n $T/crt-list"
    stats_has list "$PKI/second.pem:1 [alpn h2] second.test"
    stats cafiles "show ssl ca-file"
    stats_has cafiles "$PKI/root.pem"
    stats cafile "show ssl ca-file $PKI/root.pem"
    stats_has cafile "Subject: /O=rustls-libssl tests/CN=Test Root CA"
    sc second "$p2" -servername second.test
    sc_ok second
    sc_has second "subject=CN = second.test"
}
t_show_ssl() { twice show_ssl; }

# `set ssl cert` + `commit ssl cert` replace a certificate at run time (haproxy builds a
# new SSL_CTX): new connections get the new one
set_ssl_cert() {
    local p
    p=$(free_port)
    conf <<EOF
frontend fe
    bind 127.0.0.1:$p ssl crt $PKI/rsa.pem
    $RETURN
EOF
    start "$p"
    sc before "$p" -servername localhost
    sc_ok before
    sc_has before "subject=CN = localhost"
    stats set "set ssl cert $PKI/rsa.pem <<
$(cat "$PKI/wrong-combined.pem")
"
    stats_has set "Transaction created for certificate $PKI/rsa.pem!"
    stats commit "commit ssl cert $PKI/rsa.pem"
    stats_has commit "Success!"
    stats show "show ssl cert $PKI/rsa.pem"
    stats_has show "Subject: /CN=wrong.example"
    sc after "$p" -servername localhost
    sc_ok after
    sc_has after "subject=CN = wrong.example"
}
t_set_ssl_cert() { twice set_ssl_cert; }

###########################################################################
# Driver
###########################################################################

# gen_extra DIR: haproxy's combined PEM files (certificate, chain and key), a certificate
# for second.test (ECDSA), a crt directory (RSA and ECDSA for localhost, second.test),
# a client certificate under an unrelated CA.  Uses the root of tests/curl/gen-certs.sh.
gen_extra() {
    local d=$1 o=$OPENSSL
    cd "$d" || return 1
    cat server-chain.pem server.key >rsa.pem
    cat ec.pem ec.key >ecdsa.pem
    cat wrong.pem wrong.key >wrong-combined.pem
    cat client.pem client.key >client-combined.pem
    $o req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout second.key \
        -subj /CN=second.test -out second.csr || return 1
    printf 'subjectAltName=DNS:second.test\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' >second.ext
    $o x509 -req -in second.csr -CA root.pem -CAkey root.key -CAcreateserial -days 30 \
        -extfile second.ext -out second.crt || return 1
    cat second.crt second.key >second.pem
    mkdir -p crtdir
    cp rsa.pem crtdir/1-rsa.pem
    cp ecdsa.pem crtdir/2-ecdsa.pem
    cp second.pem crtdir/3-second.pem
    $o req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout other-ca.key \
        -subj "/CN=Other CA" -days 30 -addext basicConstraints=critical,CA:TRUE \
        -addext keyUsage=critical,keyCertSign -out other-ca.pem || return 1
    $o req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout other-client.key \
        -subj /CN=otherclient -out other-client.csr || return 1
    printf 'basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\n' >other-client.ext
    $o x509 -req -in other-client.csr -CA other-ca.pem -CAkey other-ca.key -CAcreateserial -days 30 \
        -extfile other-client.ext -out other-client.pem || return 1
}

# show_logs: haproxy's and the backend's output, into the test's log
show_logs() {
    local f
    for f in "$T"/*.out; do
        [ -f "$f" ] && sed "s#^#  $(basename "$f" .out)| #" "$f"
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
    need_quiet haproxy haproxy curl openssl python3 procps ||
        { echo "haproxy, curl, openssl, python3 and procps are required" >&2; exit 2; }
    [ -x "$PY" ] || PY=$(command -v python3)
    WORK=$(mktemp -d "${TMPDIR:-/tmp}/rustls-libssl-haproxy.XXXXXX")
    PKI=$WORK/pki
    export LIBDIR WORK PKI PY
    if ! { "$HERE/../curl/gen-certs.sh" "$PKI" && (unset LD_LIBRARY_PATH; gen_extra "$PKI"); } >"$WORK/gen-certs.log" 2>&1; then
        cat "$WORK/gen-certs.log" "$PKI/gen.log" 2>/dev/null
        echo "certificate generation failed" >&2
        exit 2
    fi
    mkdir -p "$WORK/tests"
    echo "# library: $LIBDIR; $("$HAPROXY" -v 2>&1 | head -1 | cut -d' ' -f1-3); logs: $WORK"
    run_tests
}

{ main "$@"; exit $?; }
