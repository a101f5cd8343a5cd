#!/bin/bash
# Ruby (Debian 12's ruby 3.1 and its openssl extension) integration tests for rustls-libssl.
#
# usage: tests/ruby/run.sh LIBDIR|system [TEST...]
#        tests/ruby/run.sh --list
#
#   LIBDIR  directory holding the libssl.so.3 under test.  The Ruby process a test puts
#           under test runs with LD_LIBRARY_PATH=LIBDIR: the HTTPS server of https.rb
#           (OpenSSL::SSL::SSLServer) in the srv_* tests, the Net::HTTP / SSLSocket client
#           in the cli_* tests.  Its peer (the other role of https.rb, curl, openssl
#           s_client/s_server) runs on the system OpenSSL.  `system` runs everything on
#           the system OpenSSL, which must pass 100%.
#   TEST    optional test names to run only those.
#
# Output: one `ok NAME` / `FAIL NAME: why` / `skip NAME: why` line per test, then
# `N passed, N failed, N skipped`.  Exit status 1 if any test failed.  KEEP_LOGS=1 keeps
# the temporary directory.  After each test the stderr of every Ruby process under test is
# searched for `error:` lines; any the test did not declare (LOG_ALLOW) fails it.
set -u

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../lib.sh
. "$HERE/../lib.sh"
SELF="$HERE/$(basename "${BASH_SOURCE[0]}")"
RUBY=/usr/bin/ruby
HTTPS_RB=$HERE/https.rb
CURL=/usr/bin/curl
OPENSSL=/usr/bin/openssl
PY=/usr/bin/python3
CLIENT_TIMEOUT=30
SERVER_TIMEOUT=100
TEST_TIMEOUT=120

unset LD_PRELOAD SSLKEYLOGFILE SSL_CERT_FILE SSL_CERT_DIR OPENSSL_CONF CURL_CA_BUNDLE RUBYOPT RUBYLIB \
      http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY no_proxy NO_PROXY
export LC_ALL=C

###########################################################################
# Helpers (a test runs in its own bash process with T=its directory)
###########################################################################

SERVER_PIDS=()
LOG_ALLOW='^$'      # regex of `error:` lines the test expects from the Ruby under test
UNDER_TEST_LOGS=()  # stderr files of Ruby processes running on the library under test

note() { echo "note: $*"; echo "$*" >>"$T/note"; }

stop_servers() { stop_pids 30 "${SERVER_PIDS[@]}"; SERVER_PIDS=(); }

# libenv ROLE: the env(1) arguments that put a Ruby process on the library under test
# (ROLE=test) or on the system OpenSSL (ROLE=system).
libenv() {
    if [ "$1" = test ] && [ "$LIBDIR" != system ]; then
        echo "LD_LIBRARY_PATH=$LIBDIR"
    else
        echo "-u LD_LIBRARY_PATH"
    fi
}

# want_lib ROLE FILE: the `libssl=` line https.rb printed names the library ROLE expects.
want_lib() {
    local got want
    got=$(sed -n 's/^libssl=//p' "$2" | head -1)
    if [ "$1" = test ] && [ "$LIBDIR" != system ]; then
        want=$(readlink -f "$LIBDIR/libssl.so.3")
    else
        want=$(readlink -f /lib/x86_64-linux-gnu/libssl.so.3)
    fi
    [ "$(readlink -f "${got:-none}")" = "$want" ] || fail "$(basename "$2") mapped '$got', want $want"
}

# rb_server NAME ROLE PORT [VAR=VALUE...]: https.rb server in the background, on the
# library ROLE says; waits until it listens.
rb_server() {
    local name=$1 role=$2 port=$3
    shift 3
    # shellcheck disable=SC2046
    bg "$name" env $(libenv "$role") CERT="$PKI/server-chain.pem" KEY="$PKI/server.key" "$@" \
        "$RUBY" "$HTTPS_RB" server "$port"
    [ "$role" = test ] && UNDER_TEST_LOGS+=("$T/$name.out")
    wait_listen "$port" "$BG_PID" || { cat "$T/$name.out"; fail "ruby server $name did not listen on $port"; }
    want_lib "$role" "$T/$name.out"
}

# rb NAME ROLE MODE ARGS... [-- VAR=VALUE...]: https.rb client|socket on the library ROLE
# says; output in $T/NAME.out, exit code RC.
rb() {
    local name=$1 role=$2 mode=$3 args=() vars=()
    shift 3
    while [ $# -gt 0 ] && [ "$1" != -- ]; do args+=("$1"); shift; done
    [ "${1:-}" = -- ] && shift
    vars=("$@")
    echo "+ [$name, lib $role] ${vars[*]} https.rb $mode ${args[*]}"
    # shellcheck disable=SC2046
    timeout -k 5 "$CLIENT_TIMEOUT" env $(libenv "$role") "${vars[@]}" "$RUBY" "$HTTPS_RB" "$mode" "${args[@]}" \
        >"$T/$name.out" 2>"$T/$name.err"
    RC=$?
    echo "  exit code: $RC"
    sed 's/^/  | /' "$T/$name.out" "$T/$name.err" | head -40
    [ "$role" = test ] && UNDER_TEST_LOGS+=("$T/$name.err")
    [ "$RC" -ge 124 ] && fail "ruby $mode $name hung or crashed (exit $RC): $(tail -3 "$T/$name.err" | tr '\n' ' ')"
    want_lib "$role" "$T/$name.out"
}

has() { grep -qE -- "$2" "$T/$1.out" || fail "$1: output lacks /$2/: $(grep -m1 '^error' "$T/$1.out")"; }
lacks() { ! grep -qE -- "$2" "$T/$1.out" || fail "$1: output has /$2/"; }
count_is() { # NAME REGEX N
    local n
    n=$(grep -cE -- "$2" "$T/$1.out")
    [ "$n" -eq "$3" ] || fail "$1: $n lines match /$2/, want $3"
}
rc_is() { [ "$RC" -eq "$1" ] || fail "exit code $RC, want $1: $(grep -m1 '^error' "$T/$2.out" 2>/dev/null)"; }

# sc NAME PORT ARGS...: openssl s_client (system), one HTTP request; output $T/NAME.sc.
sc() {
    local name=$1 port=$2
    shift 2
    echo "+ s_client -connect 127.0.0.1:$port $*"
    printf 'GET /sc HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n' |
        env -u LD_LIBRARY_PATH timeout -k 5 "$CLIENT_TIMEOUT" "$OPENSSL" s_client -connect "127.0.0.1:$port" \
            -servername localhost -ign_eof "$@" >"$T/$name.sc" 2>&1
    RC=$?
    echo "  exit code: $RC"
    grep -E '^(Protocol|New,|Reused,|ALPN|No ALPN|Verify return|    Protocol|    Cipher|HTTP/|protocol=|alpn=|peer=|.*alert|.*error)' \
        "$T/$name.sc" | head -20 | sed 's/^/  | /'
}
sc_has() { grep -qE -- "$2" "$T/$1.sc" || fail "s_client $1 lacks /$2/"; }

# check_logs: no unexpected `error:` line from a Ruby process under test.
check_logs() {
    local f bad
    for f in "${UNDER_TEST_LOGS[@]}"; do
        [ -f "$f" ] || continue
        bad=$(grep -E '^error:|Error|warning' "$f" | grep -vE -- "$LOG_ALLOW" | head -3)
        [ -z "$bad" ] || fail "$(basename "$f"): $(echo "$bad" | head -1 | cut -c1-300)"
    done
}

###########################################################################
# Tests: srv_* put the Ruby server under test, cli_* the Ruby client
###########################################################################

TESTS=(
    srv_basic srv_tls12 srv_alpn srv_client_cert srv_client_cert_missing srv_resume_tls13
    srv_resume_tls12 srv_bulk srv_verify_fail_logged
    cli_basic cli_tls12 cli_alpn cli_client_cert cli_resume_tls13 cli_resume_tls12 cli_bulk
    cli_verify_unknown_ca cli_verify_hostname cli_verify_expired
)

# --- server under test ---------------------------------------------------------------------

# The server maps the library under test, sends its chain, answers Net::HTTP and curl over
# TLS 1.3 with two requests on one connection.
t_srv_basic() {
    local p
    p=$(free_port)
    rb_server srv test "$p"
    rb c system client "https://localhost:$p/basic" -- CA="$PKI/root.pem" KEEPALIVE=2
    rc_is 0 c
    count_is c '^status=200 protocol=TLSv1.3 cipher=TLS_AES_256_GCM_SHA384 ' 2
    has c '\| path=/basic'
    sc chain "$p" -showcerts -CAfile "$PKI/root.pem" -verify_return_error
    [ "$(grep -c 'BEGIN CERTIFICATE' "$T/chain.sc")" -eq 2 ] || fail "server sent $(grep -c 'BEGIN CERTIFICATE' "$T/chain.sc") certificates, want 2"
    sc_has chain 'Verify return code: 0 \(ok\)'
    sc_has chain '^protocol=TLSv1.3'
    echo "+ curl"
    env -u LD_LIBRARY_PATH timeout 20 "$CURL" -sS --cacert "$PKI/root.pem" "https://localhost:$p/curl" >"$T/curl.out" 2>&1 ||
        fail "curl: $(cat "$T/curl.out")"
    grep -q '^path=/curl' "$T/curl.out" || fail "curl got: $(head -3 "$T/curl.out")"
}

# MAX=TLS1_2: TLS 1.2 with the ECDHE-RSA suite OpenSSL picks; a TLS 1.3-only client fails.
t_srv_tls12() {
    local p
    p=$(free_port)
    rb_server srv test "$p" MAX=TLS1_2
    rb c system client "https://localhost:$p/" -- CA="$PKI/root.pem"
    rc_is 0 c
    has c '^status=200 protocol=TLSv1.2 cipher=ECDHE-RSA-AES256-GCM-SHA384 '
    sc c13 "$p" -tls1_3
    [ "$RC" -ne 0 ] || fail "a TLS 1.3-only client connected to a TLS 1.2-only server"
    LOG_ALLOW='SSL_accept returned=1 errno=0 peeraddr=\S+ state=error: unsupported protocol'
    sc c128 "$p" -tls1_2 -cipher ECDHE-RSA-AES128-GCM-SHA256
    sc_has c128 'Cipher is ECDHE-RSA-AES128-GCM-SHA256'
    sc_has c128 '^HTTP/1.1 200'
}

# alpn_select_cb: the server's preference wins among what the client offers.
t_srv_alpn() {
    local p
    p=$(free_port)
    rb_server srv test "$p" ALPN=h2,http/1.1
    sc a "$p" -alpn http/1.1,h2 -CAfile "$PKI/root.pem"
    sc_has a 'ALPN protocol: h2'
    sc_has a '^alpn=h2'
    rb b system socket localhost "$p" -- CA="$PKI/root.pem" ALPN=spdy/3,http/1.1
    rc_is 0 b
    has b '^alpn=http/1.1'
    has b '^response=HTTP/1.1 200 OK'
}

# VERIFY=require with a client certificate: the server sees its subject.
t_srv_client_cert() {
    local p
    p=$(free_port)
    rb_server srv test "$p" CA="$PKI/root.pem" VERIFY=require
    rb c system client "https://localhost:$p/cc" -- CA="$PKI/root.pem" CERT="$PKI/client.pem" KEY="$PKI/client.key"
    rc_is 0 c
    has c '\| peer=/CN=testclient'
    has c '^status=200 protocol=TLSv1.3 '
    rb c12 system client "https://localhost:$p/cc" -- CA="$PKI/root.pem" CERT="$PKI/client.pem" KEY="$PKI/client.key" MAX=TLS1_2
    rc_is 0 c12
    has c12 '\| peer=/CN=testclient'
    has c12 '^status=200 protocol=TLSv1.2 '
}

# VERIFY=require without a client certificate: the handshake fails on both sides, and the
# server reports OpenSSL's reason.
t_srv_client_cert_missing() {
    local p
    p=$(free_port)
    rb_server srv test "$p" CA="$PKI/root.pem" VERIFY=require
    rb c system client "https://localhost:$p/" -- CA="$PKI/root.pem"
    rc_is 1 c
    has c '^error: (OpenSSL::SSL::SSLError|Errno::ECONNRESET|EOFError)'
    sleep 0.3
    grep -qE 'error: OpenSSL::SSL::SSLError: SSL_accept returned=1 errno=0 peeraddr=\S+ state=error: peer did not return a certificate' \
        "$T/srv.out" || fail "server log lacks OpenSSL's 'peer did not return a certificate': $(grep -m1 error "$T/srv.out")"
    LOG_ALLOW='state=error: peer did not return a certificate'
}

# TLS 1.3 resumption with the server's tickets: the second and third connection resume.
t_srv_resume_tls13() {
    local p
    p=$(free_port)
    rb_server srv test "$p"
    rb c system client "https://localhost:$p/" -- CA="$PKI/root.pem" REQUESTS=3
    rc_is 0 c
    count_is c '^status=200 protocol=TLSv1.3 .* reused=true' 2
    sc s1 "$p" -sess_out "$T/sess" -CAfile "$PKI/root.pem"
    sc s2 "$p" -sess_in "$T/sess" -CAfile "$PKI/root.pem"
    sc_has s2 '^Reused, TLSv1.3'
}

# TLS 1.2 resumption with tickets, and with the session cache only (SSL_OP_NO_TICKET).
t_srv_resume_tls12() {
    local p q
    p=$(free_port)
    q=$(free_port)
    rb_server srv test "$p" MAX=TLS1_2
    rb c system client "https://localhost:$p/" -- CA="$PKI/root.pem" REQUESTS=3
    rc_is 0 c
    count_is c '^status=200 protocol=TLSv1.2 .* reused=true' 2
    rb_server srvnt test "$q" MAX=TLS1_2 TICKETS=0
    rb n system client "https://localhost:$q/" -- CA="$PKI/root.pem" REQUESTS=3
    rc_is 0 n
    count_is n '^status=200 protocol=TLSv1.2 .* reused=true' 2
    sc s1 "$q" -sess_out "$T/sess" -CAfile "$PKI/root.pem"
    sc s2 "$q" -sess_in "$T/sess" -CAfile "$PKI/root.pem"
    sc_has s2 '^Reused, TLSv1.2'
}

# 1 MB up, 4 MB down on one connection: byte counts and digests match.
t_srv_bulk() {
    local p want
    p=$(free_port)
    rb_server srv test "$p"
    rb up system client "https://localhost:$p/up" -- CA="$PKI/root.pem" POST_SIZE=1000000
    rc_is 0 up
    want=$(head -c 1000000 < <(yes abcdefghijklmnopqrstuvwxyz | tr -d '\n') | md5sum | cut -d' ' -f1)
    has up "\| posted=1000000 md5=$want"
    rb down system client "https://localhost:$p/bytes/4000000" -- CA="$PKI/root.pem" KEEPALIVE=2
    rc_is 0 down
    want=$(head -c 4000000 /dev/zero | tr '\0' x | md5sum | cut -d' ' -f1)
    count_is down "\| payload_md5=$want" 2
}

# A client that rejects the server's certificate: the server logs OpenSSL's alert text.
t_srv_verify_fail_logged() {
    local p
    p=$(free_port)
    rb_server srv test "$p"
    rb c system client "https://localhost:$p/" -- CA="$PKI/selfsigned.pem"
    rc_is 1 c
    has c 'certificate verify failed \(unable to get local issuer certificate\)'
    sleep 0.3
    grep -qE 'error: OpenSSL::SSL::SSLError: SSL_accept returned=1 errno=0 peeraddr=\S+ state=error: tlsv1 alert unknown ca' \
        "$T/srv.out" || fail "server log lacks OpenSSL's 'tlsv1 alert unknown ca': $(grep -m1 error "$T/srv.out")"
    LOG_ALLOW='state=error: tlsv1 alert unknown ca'
    rb ok system client "https://localhost:$p/" -- CA="$PKI/root.pem"
    rc_is 0 ok
}

# --- client under test ---------------------------------------------------------------------

t_cli_basic() {
    local p
    p=$(free_port)
    rb_server srv system "$p"
    rb c test client "https://localhost:$p/basic" -- CA="$PKI/root.pem" KEEPALIVE=2
    rc_is 0 c
    count_is c '^status=200 protocol=TLSv1.3 cipher=TLS_AES_256_GCM_SHA384 ' 2
    has c '\| path=/basic'
    rb ip test client "https://127.0.0.1:$p/ip" -- CA="$PKI/root.pem"
    rc_is 0 ip
    has ip '\| path=/ip'
}

t_cli_tls12() {
    local p
    p=$(free_port)
    rb_server srv system "$p"
    rb c test client "https://localhost:$p/" -- CA="$PKI/root.pem" MAX=TLS1_2
    rc_is 0 c
    has c '^status=200 protocol=TLSv1.2 cipher=ECDHE-RSA-AES256-GCM-SHA384 '
    rb c128 test client "https://localhost:$p/" -- CA="$PKI/root.pem" MAX=TLS1_2 CIPHERS=ECDHE-RSA-AES128-GCM-SHA256
    rc_is 0 c128
    has c128 '^status=200 protocol=TLSv1.2 cipher=ECDHE-RSA-AES128-GCM-SHA256 '
}

t_cli_alpn() {
    local p
    p=$(free_port)
    rb_server srv system "$p" ALPN=http/1.1
    rb a test socket localhost "$p" -- CA="$PKI/root.pem" ALPN=h2,http/1.1
    rc_is 0 a
    has a '^alpn=http/1.1'
    has a '^protocol=TLSv1.3'
    has a '^response=HTTP/1.1 200 OK'
}

t_cli_client_cert() {
    local p
    p=$(free_port)
    rb_server srv system "$p" CA="$PKI/root.pem" VERIFY=require
    rb c test client "https://localhost:$p/" -- CA="$PKI/root.pem" CERT="$PKI/client.pem" KEY="$PKI/client.key"
    rc_is 0 c
    has c '\| peer=/CN=testclient'
    rb c12 test client "https://localhost:$p/" -- CA="$PKI/root.pem" CERT="$PKI/client.pem" KEY="$PKI/client.key" MAX=TLS1_2
    rc_is 0 c12
    has c12 '^status=200 protocol=TLSv1.2 '
    has c12 '\| peer=/CN=testclient'
}

# Net::HTTP keeps the session from session_new_cb and offers it on the next connection.
t_cli_resume_tls13() {
    local p
    p=$(free_port)
    rb_server srv system "$p"
    rb c test client "https://localhost:$p/" -- CA="$PKI/root.pem" REQUESTS=3
    rc_is 0 c
    count_is c '^status=200 protocol=TLSv1.3 .* reused=true' 2
    count_is c '\| reused=true' 2
}

t_cli_resume_tls12() {
    local p
    p=$(free_port)
    rb_server srv system "$p" MAX=TLS1_2 TICKETS=0
    rb c test client "https://localhost:$p/" -- CA="$PKI/root.pem" REQUESTS=3
    rc_is 0 c
    count_is c '^status=200 protocol=TLSv1.2 .* reused=true' 2
    count_is c '\| reused=true' 2
}

t_cli_bulk() {
    local p want
    p=$(free_port)
    rb_server srv system "$p"
    rb up test client "https://localhost:$p/up" -- CA="$PKI/root.pem" POST_SIZE=1000000
    rc_is 0 up
    want=$(head -c 1000000 < <(yes abcdefghijklmnopqrstuvwxyz | tr -d '\n') | md5sum | cut -d' ' -f1)
    has up "\| posted=1000000 md5=$want"
    rb down test client "https://localhost:$p/bytes/4000000" -- CA="$PKI/root.pem" KEEPALIVE=2
    rc_is 0 down
    want=$(head -c 4000000 /dev/zero | tr '\0' x | md5sum | cut -d' ' -f1)
    count_is down "\| payload_md5=$want" 2
}

# cli_verify CERTNAME REASON: a server with $PKI/CERTNAME.pem; the client under test fails
# with Ruby's usual message and OpenSSL's verify reason.
cli_verify() {
    local p
    p=$(free_port)
    rb_server srv system "$p" CERT="$PKI/$1.pem" KEY="$PKI/$1.key"
    rb c test client "https://localhost:$p/" -- CA="$PKI/root.pem"
    rc_is 1 c
    has c "^error: OpenSSL::SSL::SSLError: SSL_connect returned=1 errno=0 peeraddr=127.0.0.1:$p state=error: certificate verify failed \\($2\\)\$"
    lacks c '^status='
}
t_cli_verify_unknown_ca() { cli_verify selfsigned 'self-signed certificate'; }
t_cli_verify_hostname() { cli_verify wrong 'hostname mismatch'; }
t_cli_verify_expired() { cli_verify expired 'certificate has expired'; }

###########################################################################
# Driver
###########################################################################

run_one() {
    local name=$1
    T=$WORK/tests/$name
    trap stop_servers EXIT
    trap 'echo "killed by watchdog"; exit 124' TERM
    "t_$name"
    stop_servers
    check_logs
}

main() {
    suite_args "$@"
    need ruby openssl curl python3 ||
        { echo "ruby, openssl, curl and python3 are required" >&2; exit 2; }
    WORK=$(mktemp -d "${TMPDIR:-/tmp}/rustls-libssl-ruby.XXXXXX")
    PKI=$WORK/pki
    export LIBDIR WORK PKI PY
    if ! "$HERE/../curl/gen-certs.sh" "$PKI" >"$WORK/gen-certs.log" 2>&1; then
        cat "$WORK/gen-certs.log" "$PKI/gen.log" 2>/dev/null
        echo "certificate generation failed" >&2
        exit 2
    fi
    mkdir -p "$WORK/tests"
    echo "# library: $LIBDIR; $("$RUBY" -v); logs: $WORK"
    run_tests
}

main "$@"
