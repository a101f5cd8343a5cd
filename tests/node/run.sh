#!/bin/bash
# Node.js (Debian 12's nodejs 18 / libnode108, which links the system libssl.so.3)
# integration tests for rustls-libssl.
#
# usage: tests/node/run.sh LIBDIR|system [TEST...]
#        tests/node/run.sh --list
#
#   LIBDIR  directory holding the libssl.so.3 under test.  The node process a test puts
#           under test runs with LIBDIR first in LD_LIBRARY_PATH: the https server of
#           https.js in the srv_* tests, the https client in the cli_* tests.  Its peer (the
#           other role of https.js, curl, openssl s_client) runs on the system OpenSSL.
#           `system` runs everything on the system OpenSSL, which must pass 100%.
#   TEST    optional test names to run only those.
#
# Which node: Debian's.  A NodeSource `nodejs` package carries its own static OpenSSL and
# never loads libssl.so.3, so it cannot test anything here.  If /usr/bin/node is Debian's
# build (dpkg says so and it links libnode.so.108) it is used as it is.  Otherwise (a
# NodeSource package of the same name owns /usr/bin/node) Debian's nodejs and libnode108
# packages are downloaded with `apt-get download` and unpacked under $NODE_CACHE, without
# touching the installed node; that node runs in a private mount namespace where Debian's
# node-acorn / node-cjs-module-lexer / node-undici files (which libnode loads from fixed
# paths under /usr/share/nodejs) are bind-mounted, and libnode.so.108 comes from
# LD_LIBRARY_PATH.  Each process checks which libssl it mapped.
#
# Output: one `ok NAME` / `FAIL NAME: why` / `skip NAME: why` line per test, then
# `N passed, N failed, N skipped`.  Exit status 1 if any test failed.  KEEP_LOGS=1 keeps
# the temporary directory.  After each test the stderr of every node process under test is
# searched for `error:` lines; any the test did not declare (LOG_ALLOW) fails it.
set -u

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../lib.sh
. "$HERE/../lib.sh"
SELF="$HERE/$(basename "${BASH_SOURCE[0]}")"
HTTPS_JS=$HERE/https.js
CURL=/usr/bin/curl
OPENSSL=/usr/bin/openssl
PY=/usr/bin/python3
NODE_CACHE=${NODE_CACHE:-/var/cache/rustls-libssl-tests/debian-nodejs}
CLIENT_TIMEOUT=30
SERVER_TIMEOUT=100
TEST_TIMEOUT=120

unset LD_PRELOAD SSLKEYLOGFILE SSL_CERT_FILE SSL_CERT_DIR OPENSSL_CONF CURL_CA_BUNDLE \
      NODE_OPTIONS NODE_EXTRA_CA_CERTS NODE_TLS_REJECT_UNAUTHORIZED NODE_PATH \
      http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY no_proxy NO_PROXY
export LC_ALL=C

###########################################################################
# Debian's node
###########################################################################

# find_node: sets NODE_BIN, NODE_LIBPATH (directory of libnode.so.108 for LD_LIBRARY_PATH,
# empty when installed) and NODE_SHARE (directory to bind-mount on /usr/share/nodejs, empty
# when installed).  Returns 1 with a reason on stderr when Debian's node cannot be had.
find_node() {
    local ver pkgs=(nodejs libnode108 node-acorn node-cjs-module-lexer node-undici) p v dl
    NODE_BIN=/usr/bin/node NODE_LIBPATH='' NODE_SHARE=''
    ver=$(dpkg-query -W -f='${Version}' nodejs 2>/dev/null)
    if [[ "$ver" == *dfsg* ]] && ldd /usr/bin/node 2>/dev/null | grep -q 'libnode\.so\.108'; then
        need libnode108 || return 1
        return 0
    fi
    echo "note: /usr/bin/node is nodejs $ver (not Debian's build); using Debian's nodejs from $NODE_CACHE" >&2
    # The shared libraries libnode108 links, from Debian as usual.
    need libbrotli1 libc-ares2 libicu72 libnghttp2-14 libuv1 zlib1g libssl3 || return 1
    # Debian's version is the one with +dfsg (apt-cache lists the newest first).
    ver=$(apt-cache madison nodejs 2>/dev/null | awk -F'|' '$3 ~ /Packages/ && $2 ~ /dfsg/ { gsub(/ /, "", $2); print $2; exit }')
    [ -n "$ver" ] || { echo "no Debian nodejs version known to apt (apt-get update?)" >&2; return 1; }
    dl=$NODE_CACHE/$ver
    if [ ! -e "$dl/.complete" ]; then
        [ "$(id -u)" -eq 0 ] || { echo "Debian's nodejs $ver is not unpacked in $dl and we are not root" >&2; return 1; }
        rm -rf "$dl" && mkdir -p "$dl/debs" "$dl/root" || return 1
        for p in "${pkgs[@]}"; do
            v=$ver
            case $p in node-*) v=$(apt-cache madison "$p" | awk -F'|' '$3 ~ /Packages/ { gsub(/ /, "", $2); print $2; exit }') ;; esac
            (cd "$dl/debs" && apt-get download -q "$p=$v" >/dev/null 2>&1) ||
                { echo "apt-get download $p=$v failed" >&2; return 1; }
        done
        for p in "$dl"/debs/*.deb; do dpkg-deb -x "$p" "$dl/root" || return 1; done
        touch "$dl/.complete"
    fi
    NODE_BIN=$dl/root/usr/bin/node
    NODE_LIBPATH=$dl/root/usr/lib/x86_64-linux-gnu
    NODE_SHARE=$dl/root/usr/share/nodejs
    # libnode reads its externalized builtins from here; the bind mount needs a mount point.
    [ -d /usr/share/nodejs ] || mkdir -p /usr/share/nodejs
    command -v unshare >/dev/null || { echo "unshare (util-linux) is required" >&2; return 1; }
}

# node_cmd ROLE: NODE_CMD, the command running Debian's node on the library under test
# (ROLE=test) or on the system OpenSSL (ROLE=system).
node_cmd() {
    local lp=$NODE_LIBPATH
    [ "$1" = test ] && [ "$LIBDIR" != system ] && lp=$LIBDIR${lp:+:$lp}
    if [ -n "$lp" ]; then NODE_CMD=(env "LD_LIBRARY_PATH=$lp"); else NODE_CMD=(env -u LD_LIBRARY_PATH); fi
    if [ -n "$NODE_SHARE" ]; then
        # shellcheck disable=SC2016
        NODE_CMD+=(unshare -m --propagation private sh -c 'mount --bind "$0" /usr/share/nodejs && exec "$@"' "$NODE_SHARE")
    fi
    NODE_CMD+=("$NODE_BIN")
}

###########################################################################
# Helpers (a test runs in its own bash process with T=its directory)
###########################################################################

SERVER_PIDS=()
LOG_ALLOW='^$'      # regex of `error:` lines the test expects from the node under test
UNDER_TEST_LOGS=()  # output files of node processes running on the library under test

note() { echo "note: $*"; echo "$*" >>"$T/note"; }

stop_servers() { stop_pids 30 "${SERVER_PIDS[@]}"; SERVER_PIDS=(); }

# want_lib ROLE FILE: the `libssl=` line https.js printed names the library ROLE expects.
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

# js_server NAME ROLE PORT [VAR=VALUE...]: https.js server in the background.
js_server() {
    local name=$1 role=$2 port=$3
    shift 3
    node_cmd "$role"
    bg "$name" env CERT="$PKI/server-chain.pem" KEY="$PKI/server.key" "$@" "${NODE_CMD[@]}" "$HTTPS_JS" server "$port"
    [ "$role" = test ] && UNDER_TEST_LOGS+=("$T/$name.out")
    wait_listen "$port" "$BG_PID" || { cat "$T/$name.out"; fail "node server $name did not listen on $port"; }
    sleep 0.1
    want_lib "$role" "$T/$name.out"
}

# js NAME ROLE URL [VAR=VALUE...]: https.js client; output $T/NAME.out (+ .err), exit RC.
js() {
    local name=$1 role=$2 url=$3
    shift 3
    node_cmd "$role"
    echo "+ [$name, lib $role] $* https.js client $url"
    timeout -k 5 "$CLIENT_TIMEOUT" env "$@" "${NODE_CMD[@]}" "$HTTPS_JS" client "$url" >"$T/$name.out" 2>"$T/$name.err"
    RC=$?
    echo "  exit code: $RC"
    sed 's/^/  | /' "$T/$name.out" "$T/$name.err" | head -40
    [ "$role" = test ] && UNDER_TEST_LOGS+=("$T/$name.err")
    [ "$RC" -ge 124 ] && fail "node client $name hung or crashed (exit $RC): $(tail -3 "$T/$name.err" | tr '\n' ' ')"
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
        env -u LD_LIBRARY_PATH timeout -k 5 10 "$OPENSSL" s_client -connect "127.0.0.1:$port" \
            -servername localhost -ign_eof "$@" >"$T/$name.sc" 2>&1
    RC=$?
    echo "  exit code: $RC"
    grep -E '^(Protocol|New,|Reused,|ALPN|No ALPN|Verify return|    Protocol|    Cipher|HTTP/|protocol=|alpn=|peer=|.*alert|.*error)' \
        "$T/$name.sc" | head -20 | sed 's/^/  | /'
}
sc_has() { grep -qE -- "$2" "$T/$1.sc" || fail "s_client $1 lacks /$2/"; }

check_logs() {
    local f bad
    for f in "${UNDER_TEST_LOGS[@]}"; do
        [ -f "$f" ] || continue
        bad=$(grep -E '^error:|Error|[Ww]arning' "$f" | grep -vE -- "$LOG_ALLOW" | head -3)
        [ -z "$bad" ] || fail "$(basename "$f"): $(echo "$bad" | head -1 | cut -c1-300)"
    done
}

md5_pattern() { head -c "$1" < <(yes abcdefghijklmnopqrstuvwxyz | tr -d '\n') | md5sum | cut -d' ' -f1; }
md5_x() { head -c "$1" /dev/zero | tr '\0' x | md5sum | cut -d' ' -f1; }

###########################################################################
# Tests: srv_* put node's https server under test, cli_* its https client
###########################################################################

TESTS=(
    srv_basic srv_tls12 srv_alpn srv_client_cert srv_client_cert_missing srv_resume_tls13
    srv_resume_tls12 srv_bulk srv_verify_fail_logged
    cli_basic cli_tls12 cli_alpn cli_client_cert cli_resume_tls13 cli_resume_tls12 cli_bulk
    cli_verify_unknown_ca cli_verify_hostname cli_verify_expired
)

# --- server under test ---------------------------------------------------------------------

t_srv_basic() {
    local p
    p=$(free_port)
    js_server srv test "$p"
    js c system "https://localhost:$p/basic" CA="$PKI/root.pem" KEEPALIVE=2
    rc_is 0 c
    count_is c '^status=200 protocol=TLSv1.3 cipher=TLS_AES_256_GCM_SHA384 ' 2
    has c '\| path=/basic'
    count_is c '^status=.* reused=false' 2
    sc chain "$p" -showcerts -CAfile "$PKI/root.pem" -verify_return_error
    [ "$(grep -c 'BEGIN CERTIFICATE' "$T/chain.sc")" -eq 2 ] || fail "server sent $(grep -c 'BEGIN CERTIFICATE' "$T/chain.sc") certificates, want 2"
    sc_has chain 'Verify return code: 0 \(ok\)'
    sc_has chain '^protocol=TLSv1.3'
    echo "+ curl"
    env -u LD_LIBRARY_PATH timeout 20 "$CURL" -sS --cacert "$PKI/root.pem" "https://localhost:$p/curl" >"$T/curl.out" 2>&1 ||
        fail "curl: $(cat "$T/curl.out")"
    grep -q '^path=/curl' "$T/curl.out" || fail "curl got: $(head -3 "$T/curl.out")"
}

t_srv_tls12() {
    local p
    p=$(free_port)
    js_server srv test "$p" MAX=TLSv1.2
    js c system "https://localhost:$p/" CA="$PKI/root.pem"
    rc_is 0 c
    has c '^status=200 protocol=TLSv1.2 cipher=ECDHE-RSA-AES128-GCM-SHA256 '
    sc c13 "$p" -tls1_3
    [ "$RC" -ne 0 ] || fail "a TLS 1.3-only client connected to a TLS 1.2-only server"
    LOG_ALLOW='error: tlsClientError: ERR_SSL_UNSUPPORTED_PROTOCOL: .*unsupported protocol'
    sc c256 "$p" -tls1_2 -cipher ECDHE-RSA-AES256-GCM-SHA384
    sc_has c256 'Cipher is ECDHE-RSA-AES256-GCM-SHA384'
    sc_has c256 '^HTTP/1.1 200'
}

t_srv_alpn() {
    local p
    p=$(free_port)
    js_server srv test "$p" ALPN=h2,http/1.1
    sc a "$p" -alpn http/1.1,h2 -CAfile "$PKI/root.pem"
    sc_has a 'ALPN protocol: h2'
    sc_has a '^alpn=h2'
    js b system "https://localhost:$p/" CA="$PKI/root.pem" ALPN=spdy/3,http/1.1
    rc_is 0 b
    has b '^status=200 .* alpn=http/1.1 '
    has b '\| alpn=http/1.1'
}

t_srv_client_cert() {
    local p
    p=$(free_port)
    js_server srv test "$p" CA="$PKI/root.pem" VERIFY=require
    js c system "https://localhost:$p/cc" CA="$PKI/root.pem" CERT="$PKI/client.pem" KEY="$PKI/client.key"
    rc_is 0 c
    has c '\| peer=testclient'
    has c '\| authorized=true'
    js c12 system "https://localhost:$p/cc" CA="$PKI/root.pem" CERT="$PKI/client.pem" KEY="$PKI/client.key" MAX=TLSv1.2
    rc_is 0 c12
    has c12 '^status=200 protocol=TLSv1.2 '
    has c12 '\| peer=testclient'
}

# VERIFY=require without a client certificate: the handshake fails and the server reports
# OpenSSL's reason.
t_srv_client_cert_missing() {
    local p
    p=$(free_port)
    js_server srv test "$p" CA="$PKI/root.pem" VERIFY=require
    js c system "https://localhost:$p/" CA="$PKI/root.pem"
    rc_is 1 c
    lacks c '^status='
    sleep 0.3
    grep -qE '^error: tlsClientError: ERR_SSL_PEER_DID_NOT_RETURN_A_CERTIFICATE: .*peer did not return a certificate' "$T/srv.out" ||
        fail "server log lacks OpenSSL's 'peer did not return a certificate': $(grep -m1 error "$T/srv.out")"
    LOG_ALLOW='peer did not return a certificate'
}

t_srv_resume_tls13() {
    local p
    p=$(free_port)
    js_server srv test "$p"
    js c system "https://localhost:$p/" CA="$PKI/root.pem" REQUESTS=3
    rc_is 0 c
    count_is c '^status=200 protocol=TLSv1.3 .* reused=true' 2
    count_is c '\| reused=true' 2
    sc s1 "$p" -sess_out "$T/sess" -CAfile "$PKI/root.pem"
    sc s2 "$p" -sess_in "$T/sess" -CAfile "$PKI/root.pem"
    sc_has s2 '^Reused, TLSv1.3'
}

# TLS 1.2 resumption: with tickets, and with session IDs only (SSL_OP_NO_TICKET).
t_srv_resume_tls12() {
    local p q
    p=$(free_port)
    q=$(free_port)
    js_server srv test "$p" MAX=TLSv1.2
    js c system "https://localhost:$p/" CA="$PKI/root.pem" REQUESTS=3
    rc_is 0 c
    count_is c '^status=200 protocol=TLSv1.2 .* reused=true' 2
    js_server srvnt test "$q" MAX=TLSv1.2 TICKETS=0
    js n system "https://localhost:$q/" CA="$PKI/root.pem" REQUESTS=3
    rc_is 0 n
    count_is n '^status=200 protocol=TLSv1.2 .* reused=true' 2
    sc s1 "$q" -sess_out "$T/sess" -CAfile "$PKI/root.pem"
    sc s2 "$q" -sess_in "$T/sess" -CAfile "$PKI/root.pem"
    sc_has s2 '^Reused, TLSv1.2'
}

t_srv_bulk() {
    local p
    p=$(free_port)
    js_server srv test "$p"
    js up system "https://localhost:$p/up" CA="$PKI/root.pem" POST_SIZE=1000000
    rc_is 0 up
    has up "\| posted=1000000 md5=$(md5_pattern 1000000)"
    js down system "https://localhost:$p/bytes/4000000" CA="$PKI/root.pem" KEEPALIVE=2
    rc_is 0 down
    count_is down "bytes=4000[0-9]{3} " 2
    count_is down "\| payload_md5=$(md5_x 4000000)" 2
}

# A client that rejects the server's certificate: the server logs OpenSSL's alert text.
t_srv_verify_fail_logged() {
    local p
    p=$(free_port)
    js_server srv test "$p"
    js c system "https://localhost:$p/" CA="$PKI/selfsigned.pem"
    rc_is 1 c
    has c '^error: UNABLE_TO_GET_ISSUER_CERT_LOCALLY: unable to get local issuer certificate'
    sleep 0.3
    grep -qE '^error: (tlsClientError|clientError): (ECONNRESET|ERR_SSL_TLSV1_ALERT_UNKNOWN_CA)' "$T/srv.out" ||
        fail "server log: $(grep -m1 error "$T/srv.out")"
    LOG_ALLOW='error: (tlsClientError|clientError): (ECONNRESET: socket hang up|ERR_SSL_TLSV1_ALERT_UNKNOWN_CA: .*tlsv1 alert unknown ca)'
    js ok system "https://localhost:$p/" CA="$PKI/root.pem"
    rc_is 0 ok
}

# --- client under test ---------------------------------------------------------------------

t_cli_basic() {
    local p
    p=$(free_port)
    js_server srv system "$p"
    js c test "https://localhost:$p/basic" CA="$PKI/root.pem" KEEPALIVE=2
    rc_is 0 c
    count_is c '^status=200 protocol=TLSv1.3 cipher=TLS_AES_256_GCM_SHA384 ' 2
    has c '\| path=/basic'
    js ip test "https://127.0.0.1:$p/ip" CA="$PKI/root.pem"
    rc_is 0 ip
    has ip '\| path=/ip'
}

t_cli_tls12() {
    local p
    p=$(free_port)
    js_server srv system "$p"
    js c test "https://localhost:$p/" CA="$PKI/root.pem" MAX=TLSv1.2
    rc_is 0 c
    has c '^status=200 protocol=TLSv1.2 cipher=ECDHE-RSA-AES128-GCM-SHA256 '
    js c256 test "https://localhost:$p/" CA="$PKI/root.pem" MAX=TLSv1.2 CIPHERS=ECDHE-RSA-AES256-GCM-SHA384
    rc_is 0 c256
    has c256 '^status=200 protocol=TLSv1.2 cipher=ECDHE-RSA-AES256-GCM-SHA384 '
}

t_cli_alpn() {
    local p
    p=$(free_port)
    js_server srv system "$p" ALPN=http/1.1
    js a test "https://localhost:$p/" CA="$PKI/root.pem" ALPN=h2,http/1.1
    rc_is 0 a
    has a '^status=200 protocol=TLSv1.3 .* alpn=http/1.1 '
    has a '\| alpn=http/1.1'
}

t_cli_client_cert() {
    local p
    p=$(free_port)
    js_server srv system "$p" CA="$PKI/root.pem" VERIFY=require
    js c test "https://localhost:$p/" CA="$PKI/root.pem" CERT="$PKI/client.pem" KEY="$PKI/client.key"
    rc_is 0 c
    has c '\| peer=testclient'
    js c12 test "https://localhost:$p/" CA="$PKI/root.pem" CERT="$PKI/client.pem" KEY="$PKI/client.key" MAX=TLSv1.2
    rc_is 0 c12
    has c12 '^status=200 protocol=TLSv1.2 '
    has c12 '\| peer=testclient'
}

# The agent caches each connection's session (the `session` event) and offers it next time.
t_cli_resume_tls13() {
    local p
    p=$(free_port)
    js_server srv system "$p"
    js c test "https://localhost:$p/" CA="$PKI/root.pem" REQUESTS=3
    rc_is 0 c
    count_is c '^status=200 protocol=TLSv1.3 .* reused=true' 2
    count_is c '\| reused=true' 2
}

t_cli_resume_tls12() {
    local p
    p=$(free_port)
    js_server srv system "$p" MAX=TLSv1.2 TICKETS=0
    js c test "https://localhost:$p/" CA="$PKI/root.pem" REQUESTS=3
    rc_is 0 c
    count_is c '^status=200 protocol=TLSv1.2 .* reused=true' 2
    count_is c '\| reused=true' 2
}

t_cli_bulk() {
    local p
    p=$(free_port)
    js_server srv system "$p"
    js up test "https://localhost:$p/up" CA="$PKI/root.pem" POST_SIZE=1000000
    rc_is 0 up
    has up "\| posted=1000000 md5=$(md5_pattern 1000000)"
    js down test "https://localhost:$p/bytes/4000000" CA="$PKI/root.pem" KEEPALIVE=2
    rc_is 0 down
    count_is down "\| payload_md5=$(md5_x 4000000)" 2
}

# cli_verify CERTNAME LINE: a server with $PKI/CERTNAME.pem; the client under test fails
# with node's usual error code and message.
cli_verify() {
    local p
    p=$(free_port)
    js_server srv system "$p" CERT="$PKI/$1.pem" KEY="$PKI/$1.key"
    js c test "https://localhost:$p/" CA="$PKI/root.pem"
    rc_is 1 c
    has c "^error: $2\$"
    lacks c '^status='
}
t_cli_verify_unknown_ca() { cli_verify selfsigned 'DEPTH_ZERO_SELF_SIGNED_CERT: self-signed certificate'; }
t_cli_verify_hostname() {
    cli_verify wrong "ERR_TLS_CERT_ALTNAME_INVALID: Hostname/IP does not match certificate's altnames: Host: localhost\\. is not in the cert's altnames: DNS:wrong\\.example"
}
t_cli_verify_expired() { cli_verify expired 'CERT_HAS_EXPIRED: certificate has expired'; }

###########################################################################
# Driver
###########################################################################

run_one() {
    local name=$1
    T=$WORK/tests/$name
    trap stop_servers EXIT
    trap 'echo "killed by watchdog"; exit 124' TERM
    find_node 2>/dev/null || fail "Debian's node is not available"
    "t_$name"
    stop_servers
    check_logs
}

main() {
    suite_args "$@"
    need openssl curl python3 util-linux ||
        { echo "openssl, curl, python3 and util-linux are required" >&2; exit 2; }
    find_node || { echo "Debian's nodejs 18 (libnode108) is required" >&2; exit 2; }
    WORK=$(mktemp -d "${TMPDIR:-/tmp}/rustls-libssl-node.XXXXXX")
    PKI=$WORK/pki
    export LIBDIR WORK PKI PY
    if ! "$HERE/../curl/gen-certs.sh" "$PKI" >"$WORK/gen-certs.log" 2>&1; then
        cat "$WORK/gen-certs.log" "$PKI/gen.log" 2>/dev/null
        echo "certificate generation failed" >&2
        exit 2
    fi
    mkdir -p "$WORK/tests"
    node_cmd system
    echo "# library: $LIBDIR; node: $("${NODE_CMD[@]}" -p 'process.version + " OpenSSL " + process.versions.openssl' 2>&1) ($NODE_BIN); logs: $WORK"
    run_tests
}

main "$@"
