#!/bin/bash
# stunnel4 integration tests for rustls-libssl.
#
# usage: tests/stunnel/run.sh LIBDIR|system [TEST...]
#        tests/stunnel/run.sh --list
#
#   LIBDIR  directory holding the libssl.so.3 under test; Debian's stunnel 5.68 runs with
#           LD_LIBRARY_PATH=LIBDIR.  The literal word `system` runs it on the system
#           OpenSSL, which must pass 100%.
#   TEST    optional test names to run only those.
#
# stunnel's peers always use the system OpenSSL: tlspeer.py (Python's ssl) as the TLS client
# of a server-mode stunnel and as the TLS echo server behind a client-mode one, and as the
# plain echo server or client on the other side.  Every test runs its scenario twice with
# the same configuration and the same connections: first stunnel on the system library
# (the reference), then on the library under test.  Both runs must give the results the
# test expects (what each connection negotiated, whether the session was resumed, what
# came back, who refused what), and stunnel's log (debug = 7, on stderr) must have the
# same lines at levels 0-6 in both runs, once timestamps, ports, fd numbers, session ids,
# the number of threads still running at shutdown and the source file:line of error-queue
# entries are masked.  Level-7 lines (the handshake
# state trace, fd events, heap statistics) stay in the test's log but are not compared.
#
# Output: one `ok NAME` / `FAIL NAME: why` / `skip NAME: why` line per test, then
# `N passed, N failed, N skipped`.  KEEP_LOGS=1 keeps the temporary directory.
set -u

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../lib.sh
. "$HERE/../lib.sh"
SELF="$HERE/$(basename "${BASH_SOURCE[0]}")"
STUNNEL=/usr/bin/stunnel4
OPENSSL=/usr/bin/openssl
PY=/usr/bin/python3
PEER=$HERE/tlspeer.py
CLIENT_TIMEOUT=30
SERVER_TIMEOUT=60
TEST_TIMEOUT=100

unset LD_PRELOAD OPENSSL_CONF SSL_CERT_FILE SSL_CERT_DIR SSLKEYLOGFILE
export LC_ALL=C

###########################################################################
# Helpers used inside tests (T = the test's directory)
###########################################################################

PROGRAM_NAME=stunnel

# conf: writes $T/$RUN.conf: stunnel's global options (foreground, log on stderr at
# debug 7, no pid file) followed by stdin (the test's service sections).
conf() {
    {
        cat <<EOF
foreground = yes
pid =
debug = 7
EOF
        cat
    } >"$T/$RUN.conf"
}

# start_stunnel PORT...: stunnel on $LIB with $T/$RUN.conf; waits for every PORT to
# listen.  Its log (stderr) is $T/$RUN-stunnel.out.
start_stunnel() {
    local p pid
    lib_env "$LIB"
    bg "$RUN-stunnel" "${LIB_ENV[@]}" "$STUNNEL" "$T/$RUN.conf"
    for p in "$@"; do
        if ! wait_listen "$p" "$BG_PID"; then
            sed 's/^/  log| /' "$T/$RUN-stunnel.out"
            fail "stunnel ($RUN, lib $LIB) did not start: $(grep -E 'LOG[0-3]' "$T/$RUN-stunnel.out" | head -2 | cut -d' ' -f3- | tr '\n' ' ')"
        fi
    done
    pid=$(ps -o pid= --ppid "$BG_PID" | tr -d ' ' | head -1)
    expect_mapped "$pid" "$LIB"
}

# backend PORT: the plain echo server behind a server-mode stunnel
backend() {
    bg "$RUN-backend" "$PY" "$PEER" server "$1" --plain
    wait_listen "$1" "$BG_PID" || { cat "$T/$RUN-backend.out"; fail "echo backend did not listen"; }
}

# peer PORT ARGS...: the TLS echo server behind a client-mode stunnel (system OpenSSL);
# one line per connection in $T/$RUN-peer.out.
peer() {
    local port=$1
    shift
    bg "$RUN-peer" "$PY" "$PEER" server "$port" --cert "$PKI/server-chain.pem" --key "$PKI/server.key" "$@"
    wait_listen "$port" "$BG_PID" || { cat "$T/$RUN-peer.out"; fail "TLS peer did not listen"; }
}

# cli NAME PORT ARGS...: tlspeer.py client (system OpenSSL); output $T/$RUN-NAME.cli, RC.
cli() {
    local name=$1 port=$2
    shift 2
    echo "+ [$RUN] tlspeer.py client $port $*"
    env -u LD_LIBRARY_PATH timeout -k 5 "$CLIENT_TIMEOUT" "$PY" "$PEER" client "$port" "$@" \
        >"$T/$RUN-$name.cli" 2>&1 </dev/null
    RC=$?
    echo "  exit code: $RC"
    sed 's/^/  | /' "$T/$RUN-$name.cli" | head -12
    [ "$RC" -ge 124 ] && fail "client ($name) hung or crashed (exit $RC)"
    return 0
}

# conn_is NAME N TEXT: connection N of client NAME printed `conn N: TEXT`
conn_is() {
    grep -qxF -- "conn $2: $3" "$T/$RUN-$1.cli" ||
        fail "client $1 ($RUN), connection $2: '$(grep "^conn $2:" "$T/$RUN-$1.cli" | cut -d' ' -f3- | cut -c1-200)', want '$3'"
}

# conn_err NAME N REGEX: connection N of client NAME failed with an error matching REGEX
conn_err() {
    grep -qE -- "^conn $2: error: .*$3" "$T/$RUN-$1.cli" ||
        fail "client $1 ($RUN), connection $2: '$(grep "^conn $2:" "$T/$RUN-$1.cli" | cut -d' ' -f3- | cut -c1-200)', want an error /$3/"
}

# log_has REGEX / peer_has REGEX / log_count N REGEX: stunnel's (or the TLS peer's) output
# of this run must match; checked once the servers are stopped.
LOG_WANT=()
log_has() { LOG_WANT+=("stunnel	1	$1"); }
log_count() { LOG_WANT+=("stunnel	$1	$2"); }
peer_has() { LOG_WANT+=("peer	1	$1"); }
check_logs() {
    local w who n re got
    for w in "${LOG_WANT[@]}"; do
        IFS='	' read -r who n re <<<"$w"
        got=$(grep -cE -- "$re" "$T/$RUN-$who.out")
        if [ "$n" = 1 ]; then
            [ "$got" -ge 1 ] || fail "$who log ($RUN) lacks /$re/"
        else
            [ "$got" -eq "$n" ] || fail "$who log ($RUN) has $got lines /$re/, want $n"
        fi
    done
    LOG_WANT=()
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

# normalized FILE: stunnel's log lines of levels 0-6 without timestamps, with ports, fd
# numbers, session ids and OpenSSL source locations masked
normalized() {
    grep -E '^[0-9]{4}\.[0-9]{2}\.[0-9]{2} [0-9:]{8} LOG[0-6]\[' "$1" |
        sed -E -e 's/^[0-9]{4}\.[0-9]{2}\.[0-9]{2} [0-9:]{8} //' \
            -e 's/127\.0\.0\.1:[0-9]+/127.0.0.1:PORT/g' \
            -e 's/FD=[0-9]+/FD=N/g' \
            -e 's/Terminating [0-9]+ service thread/Terminating N service thread/' \
            -e 's/Session id: [0-9A-F]+/Session id: ID/' \
            -e 's#/(ref|lib)\.conf$#/RUN.conf#' \
            -e 's#: [^ ]+:[0-9]+: error:#: FILE:LINE: error:#' | sort -u
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

# settle: wait (<= 10 s) until every connection stunnel accepted has been closed, then
# until its log is quiet
settle() {
    local i accepted closed
    for i in $(seq 1 100); do
        accepted=$(grep -cE 'LOG5\[[0-9]+\]: Service \[[^]]+\] accepted connection' "$T/$RUN-stunnel.out")
        closed=$(grep -cE 'LOG5\[[0-9]+\]: Connection (closed|reset)' "$T/$RUN-stunnel.out")
        [ "$closed" -ge "$accepted" ] && break
        sleep 0.1
    done
    quiet "$T/$RUN-stunnel.out"
}

# twice FUNC: runs `FUNC` with RUN=ref and LIB=system, then with RUN=lib and LIB=LIBDIR
# (each starting and stopping its own servers), then compares stunnel's logs.
twice() {
    local extra missing
    RUN=ref LIB=system
    echo "=== reference run: stunnel on the system library"
    "$1"
    settle
    stop_servers
    check_logs
    RUN=lib LIB=$LIBDIR
    echo "=== stunnel on $LIBDIR"
    "$1"
    settle
    stop_servers
    check_logs
    no_panic "$T"/*.out "$T"/*.cli
    extra=$(comm -13 <(normalized "$T/ref-stunnel.out") <(normalized "$T/lib-stunnel.out"))
    missing=$(comm -23 <(normalized "$T/ref-stunnel.out") <(normalized "$T/lib-stunnel.out"))
    [ -n "$extra" ] && echo "$extra" | sed 's/^/  extra| /'
    [ -n "$missing" ] && echo "$missing" | sed 's/^/  missing| /'
    [ -n "$extra" ] && fail "stunnel log has a line the system run does not: $(echo "$extra" | head -1 | cut -c1-220)"
    [ -n "$missing" ] && fail "stunnel log lacks a line the system run has: $(echo "$missing" | head -1 | cut -c1-220)"
    return 0
}

# server_conf ACCEPT CONNECT [LINES...]: a server-mode service [tls] with our server
# certificate, then the extra option lines.
server_conf() {
    local a=$1 c=$2 l
    shift 2
    {
        cat <<EOF
[tls]
accept = 127.0.0.1:$a
connect = 127.0.0.1:$c
cert = $PKI/server-chain.pem
key = $PKI/server.key
EOF
        for l in "$@"; do echo "$l"; done
    } | conf
}

# client_conf ACCEPT CONNECT [LINES...]: a client-mode service [tls] that trusts our root
# and checks the name localhost, then the extra option lines.
client_conf() {
    local a=$1 c=$2 l
    shift 2
    {
        cat <<EOF
[tls]
client = yes
accept = 127.0.0.1:$a
connect = 127.0.0.1:$c
CAfile = $PKI/root.pem
verifyChain = yes
checkHost = localhost
EOF
        for l in "$@"; do echo "$l"; done
    } | conf
}

# server SP BP [LINES...]: backend on BP, server-mode stunnel on SP
server() {
    local sp=$1 bp=$2
    shift 2
    backend "$bp"
    server_conf "$sp" "$bp" "$@"
    start_stunnel "$sp"
}

###########################################################################
# Tests
###########################################################################

TESTS=(
    loaded_lib
    server_default server_tls12 server_ciphers server_ciphersuites server_version_min
    server_resume_tickets server_resume_tls12_cache server_resume_tls12_tickets
    server_verify_chain server_verify_2 server_require_cert_no server_sni
    client_default client_sni client_resume client_resume_tls12 client_wrong_ca client_check_host
    client_cert client_version_min client_ciphers client_ciphersuites
)

t_loaded_lib() {
    local sp bp
    sp=$(free_port); bp=$(free_port)
    RUN=lib LIB=$LIBDIR
    server "$sp" "$bp"
    cli main "$sp" --ca "$PKI/root.pem"
    conn_is main 1 "TLSv1.3 TLS_AES_256_GCM_SHA384 reused=no peer=localhost echo=ok"
}

# Server mode with stunnel's defaults: TLS 1.3, 64 KiB echoed twice over one connection
# each, and the log's handshake summary.
server_default() {
    local sp bp
    sp=$(free_port); bp=$(free_port)
    server "$sp" "$bp"
    cli main "$sp" --ca "$PKI/root.pem" --bytes 262144
    conn_is main 1 "TLSv1.3 TLS_AES_256_GCM_SHA384 reused=no peer=localhost echo=ok"
    cli t12 "$sp" --ca "$PKI/root.pem" --tls-max 1.2
    conn_is t12 1 "TLSv1.2 ECDHE-RSA-AES256-GCM-SHA384 reused=no peer=localhost echo=ok"
    log_has 'LOG6\[0\]: TLS accepted: new session negotiated'
    log_has 'LOG6\[0\]: TLSv1.3 ciphersuite: TLS_AES_256_GCM_SHA384 \(256-bit encryption\)'
    log_has 'LOG6\[1\]: TLSv1.2 ciphersuite: ECDHE-RSA-AES256-GCM-SHA384 \(256-bit encryption\)'
    log_has 'LOG5\[0\]: Connection closed: 262144 byte\(s\) sent to TLS, 262144 byte\(s\) sent to socket'
}
t_server_default() { twice server_default; }

# sslVersionMax = TLSv1.2 on the server
server_tls12() {
    local sp bp
    sp=$(free_port); bp=$(free_port)
    server "$sp" "$bp" "sslVersionMax = TLSv1.2"
    cli main "$sp" --ca "$PKI/root.pem"
    conn_is main 1 "TLSv1.2 ECDHE-RSA-AES256-GCM-SHA384 reused=no peer=localhost echo=ok"
    log_has 'TLSv1.2 ciphersuite: ECDHE-RSA-AES256-GCM-SHA384'
}
t_server_tls12() { twice server_tls12; }

# ciphers = (TLS 1.2 list): the one suite is chosen; a client without it is refused with
# "no shared cipher"
server_ciphers() {
    local sp bp
    sp=$(free_port); bp=$(free_port)
    server "$sp" "$bp" "ciphers = ECDHE-RSA-CHACHA20-POLY1305" "sslVersionMax = TLSv1.2"
    cli main "$sp" --ca "$PKI/root.pem"
    conn_is main 1 "TLSv1.2 ECDHE-RSA-CHACHA20-POLY1305 reused=no peer=localhost echo=ok"
    cli other "$sp" --ca "$PKI/root.pem" --ciphers ECDHE-RSA-AES128-GCM-SHA256
    conn_err other 1 'SSLV3_ALERT_HANDSHAKE_FAILURE'
    log_has 'LOG3\[1\]: SSL_accept: .*error:0A0000C1:SSL routines::no shared cipher'
}
t_server_ciphers() { twice server_ciphers; }

# ciphersuites = (TLS 1.3 list)
server_ciphersuites() {
    local sp bp
    sp=$(free_port); bp=$(free_port)
    server "$sp" "$bp" "ciphersuites = TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256"
    cli main "$sp" --ca "$PKI/root.pem"
    conn_is main 1 "TLSv1.3 TLS_CHACHA20_POLY1305_SHA256 reused=no peer=localhost echo=ok"
    log_has 'TLSv1.3 ciphersuite: TLS_CHACHA20_POLY1305_SHA256 \(256-bit encryption\)'
    log_has 'LOG7\[ui\]: TLSv1.3 ciphersuites: TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256'
}
t_server_ciphersuites() { twice server_ciphersuites; }

# sslVersionMin = TLSv1.3: a TLS 1.2 client is refused with "unsupported protocol"
server_version_min() {
    local sp bp
    sp=$(free_port); bp=$(free_port)
    server "$sp" "$bp" "sslVersionMin = TLSv1.3"
    cli main "$sp" --ca "$PKI/root.pem"
    conn_is main 1 "TLSv1.3 TLS_AES_256_GCM_SHA384 reused=no peer=localhost echo=ok"
    cli old "$sp" --ca "$PKI/root.pem" --tls-max 1.2
    conn_err old 1 'TLSV1_ALERT_PROTOCOL_VERSION'
    log_has 'LOG3\[1\]: SSL_accept: .*error:0A000102:SSL routines::unsupported protocol'
}
t_server_version_min() { twice server_version_min; }

# TLS 1.3 resumption with stunnel's tickets: connections 2 and 3 resume the session of
# the one before.
server_resume_tickets() {
    local sp bp
    sp=$(free_port); bp=$(free_port)
    server "$sp" "$bp" "sessionCacheSize = 100" "sessionCacheTimeout = 300"
    cli main "$sp" --ca "$PKI/root.pem" --count 3
    conn_is main 1 "TLSv1.3 TLS_AES_256_GCM_SHA384 reused=no peer=localhost echo=ok"
    conn_is main 2 "TLSv1.3 TLS_AES_256_GCM_SHA384 reused=yes peer=localhost echo=ok"
    conn_is main 3 "TLSv1.3 TLS_AES_256_GCM_SHA384 reused=yes peer=localhost echo=ok"
    log_count 1 'TLS accepted: new session negotiated'
    log_count 2 'TLS accepted: previous session reused'
}
t_server_resume_tickets() { twice server_resume_tickets; }

# TLS 1.2 with options = NO_TICKET: resumption by session id from stunnel's cache
server_resume_tls12_cache() {
    local sp bp
    sp=$(free_port); bp=$(free_port)
    server "$sp" "$bp" "sslVersionMax = TLSv1.2" "options = NO_TICKET"
    cli main "$sp" --ca "$PKI/root.pem" --count 3
    conn_is main 1 "TLSv1.2 ECDHE-RSA-AES256-GCM-SHA384 reused=no peer=localhost echo=ok"
    conn_is main 2 "TLSv1.2 ECDHE-RSA-AES256-GCM-SHA384 reused=yes peer=localhost echo=ok"
    conn_is main 3 "TLSv1.2 ECDHE-RSA-AES256-GCM-SHA384 reused=yes peer=localhost echo=ok"
    log_count 1 'TLS accepted: new session negotiated'
    log_count 2 'TLS accepted: previous session reused'
}
t_server_resume_tls12_cache() { twice server_resume_tls12_cache; }

# TLS 1.2 with session tickets (the default)
server_resume_tls12_tickets() {
    local sp bp
    sp=$(free_port); bp=$(free_port)
    server "$sp" "$bp" "sslVersionMax = TLSv1.2"
    cli main "$sp" --ca "$PKI/root.pem" --count 2
    conn_is main 1 "TLSv1.2 ECDHE-RSA-AES256-GCM-SHA384 reused=no peer=localhost echo=ok"
    conn_is main 2 "TLSv1.2 ECDHE-RSA-AES256-GCM-SHA384 reused=yes peer=localhost echo=ok"
    log_count 1 'TLS accepted: previous session reused'
}
t_server_resume_tls12_tickets() { twice server_resume_tls12_tickets; }

# verify_clients CHAIN_OPTION: client certificates checked against CAfile: our client is
# accepted, a client without a certificate and one from another CA are refused with
# stunnel's usual messages.
verify_clients() {
    local sp bp
    sp=$(free_port); bp=$(free_port)
    server "$sp" "$bp" "CAfile = $PKI/root.pem" "$1"
    cli good "$sp" --ca "$PKI/root.pem" --cert "$PKI/client.pem" --key "$PKI/client.key"
    conn_is good 1 "TLSv1.3 TLS_AES_256_GCM_SHA384 reused=no peer=localhost echo=ok"
    cli none "$sp" --ca "$PKI/root.pem" --tls-max 1.2
    conn_err none 1 'SSLV3_ALERT_HANDSHAKE_FAILURE'
    cli other "$sp" --ca "$PKI/root.pem" --tls-max 1.2 --cert "$PKI/other-client.pem" --key "$PKI/other-client.key"
    conn_err other 1 'TLSV1_ALERT_UNKNOWN_CA'
    cli other13 "$sp" --ca "$PKI/root.pem" --cert "$PKI/other-client.pem" --key "$PKI/other-client.key"
    grep -q 'echo=ok' "$T/$RUN-other13.cli" && fail "a client certificate from another CA was accepted (TLS 1.3)"
    log_has 'LOG5\[0\]: Certificate accepted at depth=0: CN=testclient'
    log_has 'LOG3\[1\]: SSL_accept: .*error:0A0000C7:SSL routines::peer did not return a certificate'
    log_has 'LOG4\[2\]: Rejected by CERT at depth=0: CN=otherclient'
    log_has 'LOG3\[2\]: SSL_accept: .*error:0A000086:SSL routines::certificate verify failed'
    log_has 'LOG4\[3\]: Rejected by CERT at depth=0: CN=otherclient'
}
t_server_verify_chain() { twice verify_clients_chain; }
verify_clients_chain() { verify_clients "verifyChain = yes"; }
t_server_verify_2() { twice verify_clients_2; }
verify_clients_2() { verify_clients "verify = 2"; }

# verifyChain with requireCert = no: a client without a certificate is let in
server_require_cert_no() {
    local sp bp
    sp=$(free_port); bp=$(free_port)
    server "$sp" "$bp" "CAfile = $PKI/root.pem" "verifyChain = yes" "requireCert = no"
    cli none "$sp" --ca "$PKI/root.pem"
    conn_is none 1 "TLSv1.3 TLS_AES_256_GCM_SHA384 reused=no peer=localhost echo=ok"
    cli good "$sp" --ca "$PKI/root.pem" --cert "$PKI/client.pem" --key "$PKI/client.key" --tls-max 1.2
    conn_is good 1 "TLSv1.2 ECDHE-RSA-AES256-GCM-SHA384 reused=no peer=localhost echo=ok"
    log_has 'LOG5\[1\]: Certificate accepted at depth=0: CN=testclient'
}
t_server_require_cert_no() { twice server_require_cert_no; }

# A secondary service chosen by SNI (sni = tls:second.test) with its own ECDSA
# certificate; other names get the primary service's.
server_sni() {
    local sp bp
    sp=$(free_port); bp=$(free_port)
    backend "$bp"
    conf <<EOF
[tls]
accept = 127.0.0.1:$sp
connect = 127.0.0.1:$bp
cert = $PKI/server-chain.pem
key = $PKI/server.key
[second]
sni = tls:second.test
connect = 127.0.0.1:$bp
cert = $PKI/second.pem
key = $PKI/second.key
EOF
    start_stunnel "$sp"
    cli second "$sp" --ca "$PKI/root.pem" --sni second.test
    conn_is second 1 "TLSv1.3 TLS_AES_256_GCM_SHA384 reused=no peer=second.test echo=ok"
    cli first "$sp" --ca "$PKI/root.pem" --sni localhost
    conn_is first 1 "TLSv1.3 TLS_AES_256_GCM_SHA384 reused=no peer=localhost echo=ok"
    cli second12 "$sp" --ca "$PKI/root.pem" --sni second.test --tls-max 1.2
    conn_is second12 1 "TLSv1.2 ECDHE-ECDSA-AES256-GCM-SHA384 reused=no peer=second.test echo=ok"
    log_has 'SNI: matched pattern: second.test'
}
t_server_sni() { twice server_sni; }

# client-mode helpers: TLS echo peer on PP (ARGS for it), client-mode stunnel on SP
client_mode() {
    local sp=$1 pp=$2 pargs=$3
    shift 3
    # shellcheck disable=SC2086
    peer "$pp" $pargs
    client_conf "$sp" "$pp" "$@"
    start_stunnel "$sp"
}

# Client mode with the defaults: TLS 1.3, the server's chain verified and its name checked
client_default() {
    local sp pp
    sp=$(free_port); pp=$(free_port)
    client_mode "$sp" "$pp" ""
    cli main "$sp" --plain --bytes 262144
    conn_is main 1 "plain echo=ok"
    # stunnel sets the connect address as the SNI name (SSL_set_tlsext_host_name); OpenSSL
    # sends it as it is. Deliberate difference: rustls never puts an IP address in
    # server_name (RFC 6066 section 3 forbids literal addresses there; its ServerName for
    # an address sends no extension), so the shim's client sends none.
    if [ "$LIB" = system ]; then
        peer_has '^conn 1: TLSv1.3 TLS_AES_256_GCM_SHA384 reused=no peer=- sni=127\.0\.0\.1$'
    else
        peer_has '^conn 1: TLSv1.3 TLS_AES_256_GCM_SHA384 reused=no peer=- sni=-$'
    fi
    log_has 'LOG6\[0\]: SNI: sending servername: 127\.0\.0\.1'
    log_has 'LOG6\[0\]: TLS connected: new session negotiated'
    log_has 'LOG5\[0\]: Certificate accepted at depth=0: CN=localhost'
    log_has 'LOG5\[0\]: Connection closed: 262144 byte\(s\) sent to TLS, 262144 byte\(s\) sent to socket'
}
t_client_default() { twice client_default; }

# sni = NAME sends that name (without it stunnel sets the connect address, as
# client_default shows); sni = (empty) sends none
client_sni() {
    local sp pp sp2
    sp=$(free_port); pp=$(free_port); sp2=$(free_port)
    peer "$pp"
    conf <<EOF
[tls]
client = yes
accept = 127.0.0.1:$sp
connect = 127.0.0.1:$pp
CAfile = $PKI/root.pem
verifyChain = yes
checkHost = localhost
sni = second.test
[nosni]
client = yes
accept = 127.0.0.1:$sp2
connect = 127.0.0.1:$pp
CAfile = $PKI/root.pem
verifyChain = yes
checkHost = localhost
sni =
EOF
    start_stunnel "$sp" "$sp2"
    cli main "$sp" --plain
    conn_is main 1 "plain echo=ok"
    cli nosni "$sp2" --plain
    conn_is nosni 1 "plain echo=ok"
    peer_has '^conn 1: TLSv1.3 TLS_AES_256_GCM_SHA384 reused=no peer=- sni=second\.test$'
    peer_has '^conn 2: TLSv1.3 TLS_AES_256_GCM_SHA384 reused=no peer=- sni=-$'
    log_has 'LOG6\[0\]: SNI: sending servername: second.test'
}
t_client_sni() { twice client_sni; }

# stunnel keeps the session of its last connection and offers it on the next
client_resume() {
    local sp pp
    sp=$(free_port); pp=$(free_port)
    client_mode "$sp" "$pp" ""
    cli main "$sp" --plain --count 3
    conn_is main 3 "plain echo=ok"
    peer_has '^conn 1: TLSv1.3 TLS_AES_256_GCM_SHA384 reused=no'
    peer_has '^conn 2: TLSv1.3 TLS_AES_256_GCM_SHA384 reused=yes'
    peer_has '^conn 3: TLSv1.3 TLS_AES_256_GCM_SHA384 reused=yes'
    log_count 2 'TLS connected: previous session reused'
}
t_client_resume() { twice client_resume; }

client_resume_tls12() {
    local sp pp
    sp=$(free_port); pp=$(free_port)
    client_mode "$sp" "$pp" "--tls-max 1.2 --no-tickets"
    cli main "$sp" --plain --count 2
    conn_is main 2 "plain echo=ok"
    peer_has '^conn 1: TLSv1.2 ECDHE-RSA-AES256-GCM-SHA384 reused=no'
    peer_has '^conn 2: TLSv1.2 ECDHE-RSA-AES256-GCM-SHA384 reused=yes'
    log_count 1 'TLS connected: previous session reused'
}
t_client_resume_tls12() { twice client_resume_tls12; }

# The server's chain does not lead to the CAfile: stunnel refuses it, nothing is echoed
client_wrong_ca() {
    local sp pp
    sp=$(free_port); pp=$(free_port)
    peer "$pp"
    conf <<EOF
[tls]
client = yes
accept = 127.0.0.1:$sp
connect = 127.0.0.1:$pp
CAfile = $PKI/selfsigned.pem
verifyChain = yes
EOF
    start_stunnel "$sp"
    cli main "$sp" --plain
    grep -q 'echo=ok' "$T/$RUN-main.cli" && fail "data went through a connection whose verification failed"
    log_has 'LOG4\[0\]: Rejected by CERT at depth=1: CN=Test Intermediate CA, O=rustls-libssl tests'
    peer_has '^conn 1: error: SSLError: \[SSL: TLSV1_ALERT_UNKNOWN_CA\]'
    log_has 'LOG3\[0\]: SSL_connect: .*error:0A000086:SSL routines::certificate verify failed'
}
t_client_wrong_ca() { twice client_wrong_ca; }

# checkHost names another host: stunnel's own name check refuses the certificate
client_check_host() {
    local sp pp
    sp=$(free_port); pp=$(free_port)
    peer "$pp"
    conf <<EOF
[tls]
client = yes
accept = 127.0.0.1:$sp
connect = 127.0.0.1:$pp
CAfile = $PKI/root.pem
verifyChain = yes
checkHost = wrong.example
EOF
    start_stunnel "$sp"
    cli main "$sp" --plain
    grep -q 'echo=ok' "$T/$RUN-main.cli" && fail "data went through a connection whose host check failed"
    log_has 'LOG4\[0\]: CERT: Subject checks failed'
    log_has 'LOG4\[0\]: Rejected by CERT at depth=0: CN=localhost'
    # the verify callback refused without setting an error: OpenSSL's internal_error alert
    peer_has '^conn 1: error: SSLError: \[SSL: TLSV1_ALERT_INTERNAL_ERROR\]'
    log_has 'LOG3\[0\]: SSL_connect: .*error:0A000086:SSL routines::certificate verify failed'
}
t_client_check_host() { twice client_check_host; }

# stunnel presents a client certificate the peer requires
client_cert() {
    local sp pp
    sp=$(free_port); pp=$(free_port)
    client_mode "$sp" "$pp" "--ca $PKI/root.pem" "cert = $PKI/client.pem" "key = $PKI/client.key"
    cli main "$sp" --plain
    conn_is main 1 "plain echo=ok"
    peer_has '^conn 1: TLSv1.3 TLS_AES_256_GCM_SHA384 reused=no peer=testclient '
}
t_client_cert() { twice client_cert; }

# sslVersionMin = TLSv1.3 against a TLS 1.2 server: refused
client_version_min() {
    local sp pp
    sp=$(free_port); pp=$(free_port)
    client_mode "$sp" "$pp" "--tls-max 1.2" "sslVersionMin = TLSv1.3"
    cli main "$sp" --plain
    grep -q 'echo=ok' "$T/$RUN-main.cli" && fail "data went through with a protocol below sslVersionMin"
    log_has 'LOG3\[0\]: SSL_connect: .*error:0A00042E:SSL routines::tlsv1 alert protocol version'
    peer_has '^conn 1: error: SSLError: \[SSL: UNSUPPORTED_PROTOCOL\]'
}
t_client_version_min() { twice client_version_min; }

# ciphers = on a TLS 1.2 client-mode service
client_ciphers() {
    local sp pp
    sp=$(free_port); pp=$(free_port)
    client_mode "$sp" "$pp" "" "sslVersionMax = TLSv1.2" "ciphers = ECDHE-RSA-AES128-GCM-SHA256"
    cli main "$sp" --plain
    conn_is main 1 "plain echo=ok"
    peer_has '^conn 1: TLSv1.2 ECDHE-RSA-AES128-GCM-SHA256 reused=no'
    log_has 'TLSv1.2 ciphersuite: ECDHE-RSA-AES128-GCM-SHA256 \(128-bit encryption\)'
}
t_client_ciphers() { twice client_ciphers; }

# ciphersuites = on a client-mode service
client_ciphersuites() {
    local sp pp
    sp=$(free_port); pp=$(free_port)
    client_mode "$sp" "$pp" "" "ciphersuites = TLS_AES_128_GCM_SHA256"
    cli main "$sp" --plain
    conn_is main 1 "plain echo=ok"
    peer_has '^conn 1: TLSv1.3 TLS_AES_128_GCM_SHA256 reused=no'
}
t_client_ciphersuites() { twice client_ciphersuites; }

###########################################################################
# Driver
###########################################################################

# gen_extra DIR: a certificate for second.test (ECDSA, signed by the root), and a client
# certificate under an unrelated CA.  Uses the root of tests/curl/gen-certs.sh.
gen_extra() {
    local d=$1 o=$OPENSSL
    cd "$d" || return 1
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

# show_logs: stunnel's and the peers' output, into the test's log
show_logs() {
    local f
    for f in "$T"/*.out; do
        [ -f "$f" ] && sed "s#^#  $(basename "$f" .out)| #" "$f" | grep -vE 'LOG7\[(ui|cron)\]|LOG7\[[0-9]+\]: (FD=|Found|s_poll)'
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
    need_quiet stunnel4 stunnel4 openssl python3 procps ||
        { echo "stunnel4, openssl, python3 and procps are required" >&2; exit 2; }
    [ -x "$PY" ] || PY=$(command -v python3)
    WORK=$(mktemp -d "${TMPDIR:-/tmp}/rustls-libssl-stunnel.XXXXXX")
    PKI=$WORK/pki
    export LIBDIR WORK PKI PY
    if ! { "$HERE/../curl/gen-certs.sh" "$PKI" && (unset LD_LIBRARY_PATH; gen_extra "$PKI"); } >"$WORK/gen-certs.log" 2>&1; then
        cat "$WORK/gen-certs.log" "$PKI/gen.log" 2>/dev/null
        echo "certificate generation failed" >&2
        exit 2
    fi
    mkdir -p "$WORK/tests"
    echo "# library: $LIBDIR; $("$STUNNEL" -version 2>&1 | grep -m1 '^stunnel' | cut -d' ' -f1-2); logs: $WORK"
    run_tests
}

{ main "$@"; exit $?; }
