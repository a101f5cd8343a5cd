#!/bin/bash
# socat integration tests for rustls-libssl.
#
# usage: tests/socat/run.sh LIBDIR|system [TEST...]
#        tests/socat/run.sh --list
#
#   LIBDIR  directory holding the libssl.so.3 under test.  In each test one socat (the
#           OPENSSL-LISTEN server or the OPENSSL client, named by the test) runs with
#           LD_LIBRARY_PATH=LIBDIR; its peer is a socat on the system OpenSSL.  The literal
#           word `system` runs both on the system OpenSSL, which must pass 100%.
#   TEST    optional test names to run only those.
#
# Every test runs its scenario twice: once with both socats on the system library (the
# reference) and once with the library under test in the role the test names.  Besides its
# own checks (exit codes, the 1 MiB echoed intact, protocol and cipher), a test fails when
# the stderr of either socat (`-d -d`: notices, warnings, errors) has a line the reference
# run does not have, or lacks one it has, after timestamps, pids, ports and fd numbers are
# masked; and when any output mentions a Rust panic.
#
# Output: one `ok NAME` / `FAIL NAME: why` / `skip NAME: why` line per test, then
# `N passed, N failed, N skipped`.  KEEP_LOGS=1 keeps the temporary directory.
set -u

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../lib.sh
. "$HERE/../lib.sh"
SELF="$HERE/$(basename "${BASH_SOURCE[0]}")"
SOCAT=/usr/bin/socat
PY=/usr/bin/python3
CLIENT_TIMEOUT=30       # `timeout` around every socat client
SERVER_TIMEOUT=60       # every socat server dies by itself after this many seconds
TEST_TIMEOUT=100        # watchdog around one whole test

unset LD_PRELOAD OPENSSL_CONF SSL_CERT_FILE SSL_CERT_DIR SSLKEYLOGFILE
export LC_ALL=C

###########################################################################
# Helpers used inside tests (T = the test's directory)
###########################################################################

note() {
    echo "note: $*"
    echo "$*" >>"$T/note"
}

# lib_env LIB: the `env` prefix that runs a command on LIB (a directory, or `system`).
# mapped_libssl PID: the libssl.so files PID has mapped
# expect_mapped PID LIB WHO: PID has LIB's libssl.so.3 mapped, and no other.
expect_mapped() {
    local maps want
    maps=$(mapped_libssl "$1")
    echo "$3 (pid $1) maps: $maps"
    [ -n "$maps" ] || fail "$3 maps no libssl"
    [ "$(echo "$maps" | wc -l)" -eq 1 ] || fail "$3 maps several libssl: $maps"
    if [ "$2" = system ]; then
        case $maps in /lib/*|/usr/lib/*) ;; *) fail "$3 should be on the system library but maps $maps" ;; esac
    else
        want=$(readlink -f "$2/libssl.so.3")
        [ "$(readlink -f "$maps")" = "$want" ] || fail "$3 maps $maps, not $want"
    fi
}

# The socat options of the two ends (PKI paths filled in by main).
srv_opts() { echo "cert=$PKI/server-chain.pem,key=$PKI/server.key,cafile=$PKI/root.pem,verify=1"; }
cli_opts() { echo "cert=$PKI/client.pem,key=$PKI/client.key,cafile=$PKI/root.pem,verify=1"; }

# run_pair NAME SRVLIB CLILIB SRVOPTS CLIOPTS: an echo server (OPENSSL-LISTEN ... PIPE) on
# SRVLIB and a client (OPENSSL) on CLILIB sending $WORK/data.  Leaves $T/NAME.srv (server
# stderr), $T/NAME.cli (client stderr), $T/NAME.out (what came back), SRV_RC, CLI_RC.
run_pair() {
    local name=$1 slib=$2 clib=$3 sopts=$4 copts=$5 port spid i
    port=$(free_port)
    lib_env "$slib"
    bg "$name-server" "${LIB_ENV[@]}" "$SOCAT" -d -d \
        "OPENSSL-LISTEN:$port,bind=127.0.0.1,reuseaddr,$sopts" PIPE
    spid=$BG_PID
    wait_listen "$port" "$spid" || { cat "$T/$name-server.out"; fail "socat server ($name) did not listen on $port"; }
    # the socat process itself: the child of `timeout`
    SRV_PID=$(ps -o pid= --ppid "$spid" | tr -d ' ' | head -1)
    [ "$name" = ref ] || [ "$slib" = system ] || expect_mapped "$SRV_PID" "$slib" "socat server"
    lib_env "$clib"
    echo "+ [$name-client] socat -d -d -t 5 - OPENSSL:127.0.0.1:$port,$copts (lib $clib)"
    timeout -k 3 "$CLIENT_TIMEOUT" "${LIB_ENV[@]}" "$SOCAT" -d -d -t 5 - \
        "OPENSSL:127.0.0.1:$port,$copts" <"$WORK/data" >"$T/$name.out" 2>"$T/$name.cli"
    CLI_RC=$?
    for i in $(seq 1 100); do
        kill -0 "$spid" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$spid" 2>/dev/null; then
        stop_pids 10 "$spid"
        SRV_RC=timeout
    else
        wait "$spid"
        SRV_RC=$?
    fi
    cp "$T/$name-server.out" "$T/$name.srv"
    echo "  $name: server (lib $slib) exit $SRV_RC, client (lib $clib) exit $CLI_RC, $(wc -c <"$T/$name.out") bytes back"
    sed 's/^/  srv| /' "$T/$name.srv" | head -40
    sed 's/^/  cli| /' "$T/$name.cli" | head -40
    [ "$CLI_RC" -ge 124 ] && fail "socat client ($name) hung or crashed (exit $CLI_RC)"
    [ "$SRV_RC" = timeout ] && fail "socat server ($name) did not exit after the client left"
    [ "$SRV_RC" -ge 124 ] && fail "socat server ($name) crashed (exit $SRV_RC)"
    return 0
}

# normalized FILE: socat's stderr lines without timestamp and pid, with addresses,
# ports and fd numbers masked; Rust panic output kept verbatim.
normalized() {
    sed -E -e 's#^[0-9]{4}/[0-9]{2}/[0-9]{2} [0-9:]{8} socat\[[0-9]+\] ##' \
        -e 's#AF=2 127\.0\.0\.1:[0-9]+#AF=2 ADDR#g' \
        -e 's#FDs \[[0-9,]+\] and \[[0-9,]+\]#FDs [..] and [..]#' \
        -e 's#\(fd [0-9]+\)#(fd N)#g' "$1" | sort -u
}

# same_log WHO REF GOT: the normalized lines of GOT equal those of REF (the system run).
same_log() {
    local who=$1 extra missing
    extra=$(comm -13 <(normalized "$2") <(normalized "$3"))
    missing=$(comm -23 <(normalized "$2") <(normalized "$3"))
    [ -z "$extra$missing" ] && return 0
    [ -n "$extra" ] && echo "$extra" | sed "s/^/  $who extra| /"
    [ -n "$missing" ] && echo "$missing" | sed "s/^/  $who missing| /"
    if [ -n "$extra" ]; then
        fail "$who printed a line the system run does not: $(echo "$extra" | head -1 | cut -c1-200)"
    fi
    fail "$who lacks a line the system run prints: $(echo "$missing" | head -1 | cut -c1-200)"
}

# no_panic FILE...: no Rust panic or backtrace in any of them
no_panic() {
    local f
    for f in "$@"; do
        if grep -qE "panicked at|stack backtrace|RUST_BACKTRACE" "$f"; then
            grep -E -A3 "panicked at" "$f" | head -8 | sed 's/^/  panic| /'
            fail "$(basename "$f"): Rust panic: $(grep -E 'panicked at' -A1 "$f" | tail -1 | cut -c1-200)"
        fi
    done
    return 0
}

# scenario NAME ROLE SRVOPTS CLIOPTS: the reference run (both system) and the run with
# the library under test as ROLE (server|client); compares their stderr.
scenario() {
    local name=$1 role=$2 sopts=$3 copts=$4 slib=system clib=system
    case $role in
        server) slib=$LIBDIR ;;
        client) clib=$LIBDIR ;;
        *) fail "bad role $role" ;;
    esac
    run_pair ref system system "$sopts" "$copts"
    REF_CLI_RC=$CLI_RC
    run_pair "$name" "$slib" "$clib" "$sopts" "$copts"
}

# compare_logs NAME [srv|cli]: no panic in either socat's stderr; both stderrs (or only
# the one named) as in the reference run.  A TLS 1.3 client finishes its handshake before the server has checked
# its certificate, so what the client prints when the server refuses it depends on timing
# (the alert, or a reset); those tests compare the server's stderr alone.
compare_logs() {
    no_panic "$T/$1.srv" "$T/$1.cli"
    [ "${2:-srv}" = srv ] && same_log "server" "$T/ref.srv" "$T/$1.srv"
    [ "${2:-cli}" = cli ] && same_log "client" "$T/ref.cli" "$T/$1.cli"
    return 0
}

# echo_ok NAME: both exited 0 and the client got back exactly what it sent.
echo_ok() {
    [ "$SRV_RC" -eq 0 ] || fail "socat server exited $SRV_RC: $(grep -E ' [EF] ' "$T/$1.srv" | head -1)"
    [ "$CLI_RC" -eq 0 ] || fail "socat client exited $CLI_RC: $(grep -E ' [EF] ' "$T/$1.cli" | head -1)"
    local want got
    want=$(sha256sum <"$WORK/data" | cut -d' ' -f1)
    got=$(sha256sum <"$T/$1.out" | cut -d' ' -f1)
    [ "$want" = "$got" ] || fail "echoed data differs: $(wc -c <"$T/$1.out") bytes back of $(wc -c <"$WORK/data"), sha256 $got"
}

# negotiated NAME PROTO CIPHER: both socats report PROTO and CIPHER.
negotiated() {
    local f
    for f in "$T/$1.srv" "$T/$1.cli"; do
        grep -qF "SSL proto version used: $2" "$f" || fail "$(basename "$f"): no 'SSL proto version used: $2'"
        grep -qF "SSL connection using $3" "$f" || fail "$(basename "$f"): no 'SSL connection using $3'"
    done
}

# exited NAME WHO RC: socat WHO (srv|cli) of run NAME exited RC
exited() {
    local rc
    if [ "$2" = srv ]; then rc=$SRV_RC; else rc=$CLI_RC; fi
    [ "$rc" = "$3" ] || fail "socat $2 exited $rc, want $3: $(grep -E ' [EF] ' "$T/$1.$2" | head -1)"
}

###########################################################################
# Tests
###########################################################################

TESTS=(
    loaded_lib
    echo_1m_server echo_1m_client
    tls12_server tls12_client
    cipher_chacha_server cipher_chacha_client
    wrong_ca_client wrong_ca_server wrong_ca_server_tls12
    no_client_cert_server no_client_cert_server_tls12 commonname_mismatch_client
)

# Both ends on the library under test: each maps it, and the echo still works.
t_loaded_lib() {
    local port spid cpid pid
    port=$(free_port)
    lib_env "$LIBDIR"
    bg server "${LIB_ENV[@]}" "$SOCAT" -d -d "OPENSSL-LISTEN:$port,bind=127.0.0.1,reuseaddr,$(srv_opts)" PIPE
    spid=$BG_PID
    wait_listen "$port" "$spid" || { cat "$T/server.out"; fail "socat server did not listen"; }
    pid=$(ps -o pid= --ppid "$spid" | tr -d ' ' | head -1)
    expect_mapped "$pid" "$LIBDIR" "socat server"
    { echo hello; sleep 2; } | timeout -k 3 "$CLIENT_TIMEOUT" "${LIB_ENV[@]}" "$SOCAT" -d -d - \
        "OPENSSL:127.0.0.1:$port,$(cli_opts)" >"$T/client.stdout" 2>"$T/client.err" &
    cpid=$!
    sleep 1
    pid=$(ps -o pid= --ppid "$cpid" | tr -d ' ' | head -1)
    [ -n "$pid" ] || { cat "$T/client.err"; fail "socat client is not running"; }
    expect_mapped "$pid" "$LIBDIR" "socat client"
    wait "$cpid"
    echo "client exit $?; got: $(cat "$T/client.stdout")"
    [ "$(cat "$T/client.stdout")" = hello ] || fail "echo through both socats: got '$(cat "$T/client.stdout")'"
    no_panic "$T/server.out" "$T/client.err"
}

# 1 MiB of random data echoed through the socat under test, TLS 1.3 (the default).
echo_1m() {
    scenario echo "$1" "$(srv_opts)" "$(cli_opts)"
    echo_ok echo
    negotiated echo TLSv1.3 TLS_AES_256_GCM_SHA384
    compare_logs echo
}
t_echo_1m_server() { echo_1m server; }
t_echo_1m_client() { echo_1m client; }

# TLS 1.2 only on the server: ECDHE-RSA with AES-256-GCM, the echo intact.
tls12() {
    scenario tls12 "$1" "$(srv_opts),openssl-max-proto-version=TLS1.2" "$(cli_opts)"
    echo_ok tls12
    negotiated tls12 TLSv1.2 ECDHE-RSA-AES256-GCM-SHA384
    compare_logs tls12
}
t_tls12_server() { tls12 server; }
t_tls12_client() { tls12 client; }

# An explicit cipher list (socat's `cipher=`, SSL_CTX_set_cipher_list) on both ends.
cipher_chacha() {
    scenario chacha "$1" "$(srv_opts),cipher=ECDHE-RSA-CHACHA20-POLY1305,openssl-max-proto-version=TLS1.2" \
        "$(cli_opts),cipher=ECDHE-RSA-CHACHA20-POLY1305"
    echo_ok chacha
    negotiated chacha TLSv1.2 ECDHE-RSA-CHACHA20-POLY1305
    compare_logs chacha
}
t_cipher_chacha_server() { cipher_chacha server; }
t_cipher_chacha_client() { cipher_chacha client; }

# The client trusts only an unrelated certificate: its handshake fails with OpenSSL's
# message (certificate verify failed), exit 1, and nothing is echoed.
t_wrong_ca_client() {
    scenario wrongca client "$(srv_opts)" "cert=$PKI/client.pem,key=$PKI/client.key,cafile=$PKI/selfsigned.pem,verify=1"
    exited wrongca cli 1
    [ "$REF_CLI_RC" = 1 ] || fail "reference client exited $REF_CLI_RC, want 1"
    grep -q 'SSL_connect(): error:0A000086:SSL routines::certificate verify failed' "$T/wrongca.cli" ||
        fail "client did not report 'certificate verify failed': $(grep -E ' [EF] ' "$T/wrongca.cli" | head -1)"
    [ ! -s "$T/wrongca.out" ] || fail "data came back over a connection that failed verification"
    compare_logs wrongca
}

# The server trusts only an unrelated certificate: it refuses the client's certificate with
# OpenSSL's message.  Over TLS 1.3 the client has finished its handshake and may have
# sent all its data by then: whether it sees the alert, a reset or (with either library,
# rarely) a plain end of stream depends on timing, so only the server is checked.
# [TLS12]: over TLS 1.2 the client's handshake fails on the server's alert, so the
# client's exit code and message are checked too.
wrong_ca_server() {
    local extra=${1:+,openssl-max-proto-version=TLS1.2}
    scenario wrongca server "cert=$PKI/server-chain.pem,key=$PKI/server.key,cafile=$PKI/selfsigned.pem,verify=1$extra" "$(cli_opts)"
    exited wrongca srv 1
    grep -q 'SSL_accept(): error:0A000086:SSL routines::certificate verify failed' "$T/wrongca.srv" ||
        fail "server did not report 'certificate verify failed': $(grep -E ' [EF] ' "$T/wrongca.srv" | head -1)"
    [ ! -s "$T/wrongca.out" ] || fail "data came back over a connection that failed verification"
    if [ -n "$extra" ]; then
        exited wrongca cli 1
        grep -q 'SSL_connect(): error:0A000418:SSL routines::tlsv1 alert unknown ca' "$T/wrongca.cli" ||
            fail "client did not get the unknown_ca alert: $(grep -E ' [EF] ' "$T/wrongca.cli" | head -1)"
        compare_logs wrongca
    else
        compare_logs wrongca srv
    fi
}
t_wrong_ca_server() { wrong_ca_server; }
t_wrong_ca_server_tls12() { wrong_ca_server tls12; }

# verify=1 on the server and no client certificate: the server refuses the handshake.
no_client_cert_server() {
    local extra=${1:+,openssl-max-proto-version=TLS1.2}
    scenario nocert server "$(srv_opts)$extra" "cafile=$PKI/root.pem,verify=1"
    exited nocert srv 1
    grep -q 'SSL_accept(): error:0A0000C7:SSL routines::peer did not return a certificate' "$T/nocert.srv" ||
        fail "server did not report 'peer did not return a certificate': $(grep -E ' [EF] ' "$T/nocert.srv" | head -1)"
    if [ -n "$extra" ]; then
        exited nocert cli 1
        grep -q 'SSL_connect(): error:0A000410:SSL routines::sslv3 alert handshake failure' "$T/nocert.cli" ||
            fail "client did not get the handshake_failure alert: $(grep -E ' [EF] ' "$T/nocert.cli" | head -1)"
        compare_logs nocert
    else
        compare_logs nocert srv
    fi
}
t_no_client_cert_server() { no_client_cert_server; }
t_no_client_cert_server_tls12() { no_client_cert_server tls12; }

# socat checks the server certificate's name itself (commonname=): a mismatch fails after
# the handshake, with socat's own message.  The client leaves at once, so whether the
# server's SSL_shutdown still reaches it depends on timing: only the client is compared.
t_commonname_mismatch_client() {
    scenario cn client "$(srv_opts)" "$(cli_opts),commonname=wrong.example"
    exited cn cli 1
    grep -qiE 'commonName|subjectAltName|does not match' "$T/cn.cli" ||
        fail "client did not report the name mismatch: $(grep -E ' [EF] ' "$T/cn.cli" | head -1)"
    compare_logs cn cli
}

###########################################################################
# Driver
###########################################################################

run_one() {
    T=$WORK/tests/$1
    trap stop_servers EXIT
    trap 'echo "killed by watchdog"; exit 124' TERM
    "t_$1"
}

main() {
    suite_args "$@"
    need socat openssl python3 procps || { echo "socat, openssl, python3 and procps are required" >&2; exit 2; }
    [ -x "$PY" ] || PY=$(command -v python3)
    WORK=$(mktemp -d "${TMPDIR:-/tmp}/rustls-libssl-socat.XXXXXX")
    PKI=$WORK/pki
    export LIBDIR WORK PKI PY
    if ! "$HERE/../curl/gen-certs.sh" "$PKI" >"$WORK/gen-certs.log" 2>&1; then
        cat "$WORK/gen-certs.log" "$PKI/gen.log" 2>/dev/null
        echo "certificate generation failed" >&2
        exit 2
    fi
    head -c 1048576 /dev/urandom >"$WORK/data"
    mkdir -p "$WORK/tests"
    echo "# library: $LIBDIR; $("$SOCAT" -V | sed -n 's/^socat version \([^ ]*\).*/socat \1/p'); logs: $WORK"
    run_tests
}

{ main "$@"; exit $?; }
