#!/bin/bash
# OpenVPN integration tests for rustls-libssl.
#
# usage: tests/openvpn/run.sh LIBDIR|system [TEST...]
#        tests/openvpn/run.sh --list
#
#   LIBDIR  directory holding the libssl.so.3 under test.  Each test runs two Debian
#           openvpn 2.6 processes peer to peer over UDP on 127.0.0.1 (`--dev null`: no tun
#           device, `--tls-server` / `--tls-client`, the test PKI of tests/curl/gen-certs.sh);
#           the one the test names (server, client, or both) runs with
#           LD_LIBRARY_PATH=LIBDIR, the other on the system OpenSSL.  The literal word
#           `system` runs both on the system OpenSSL, which must pass 100%.
#   TEST    optional test names to run only those.
#
# Every test runs its scenario twice: once with both peers on the system library (the
# reference) and once with the library under test in the role it names.  A test checks what
# a user would look at: both peers reach "Initialization Sequence Completed", the control
# channel line (protocol, cipher, peer key, signature, key exchange) and the data channel
# cipher are the expected ones, keepalive pings cross the data channel in both directions
# (openvpn's status file counts authenticated bytes read; the data channel keys come from
# SSL_export_keying_material, "TLS_export=1"), no peer restarts; and that neither log has a
# line the reference run does not have, or lacks one it has, once timestamps, ports and
# session ids are masked and the few lines that depend only on timing are left out
# (VOLATILE below).  Failure tests run with --tls-exit and check openvpn's usual messages.
#
# Output: one `ok NAME` / `FAIL NAME: why` / `skip NAME: why` line per test, then
# `N passed, N failed, N skipped`.  KEEP_LOGS=1 keeps the temporary directory.
set -u

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../lib.sh
. "$HERE/../lib.sh"
SELF="$HERE/$(basename "${BASH_SOURCE[0]}")"
OPENVPN=/usr/sbin/openvpn
PY=/usr/bin/python3
SERVER_TIMEOUT=60       # every openvpn dies by itself after this many seconds
TEST_TIMEOUT=110        # watchdog around one whole test
UP_WAIT=15              # seconds for both peers to complete initialization
PING_WAIT=8             # then seconds for pings to be counted in both directions

unset LD_PRELOAD OPENSSL_CONF SSL_CERT_FILE SSL_CERT_DIR SSLKEYLOGFILE
export LC_ALL=C

# Log lines whose presence depends on timing only, with either library: a peer that sends
# before the other listens (ICMP refused), data packets that arrive a moment before the
# receiver installed its keys, packets of a session that a --tls-exit peer already closed,
# and the interrupted wait at SIGTERM.
VOLATILE='read UDPv4 \[ECONNREFUSED\]|Key \S+ \[[0-9]+\] not initialized \(yet\), dropping packet|TLS Error: Unroutable control packet|event_wait : Interrupted system call|net_route_v4_best_gw'

###########################################################################
# Helpers used inside tests (T = the test's directory)
###########################################################################

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

# signal_name RC: "SIGSEGV" for 139, etc.
signal_name() { [ "$1" -gt 128 ] && echo "SIG$(kill -l $(($1 - 128)) 2>/dev/null)"; }

# Arguments of each role.  The PKI: server-chain.pem (RSA leaf + intermediate), client.pem
# (RSA, root-signed, clientAuth), both under root.pem.
SERVER_ARGS=(--tls-server --dh none --remote-cert-tls client)
CLIENT_ARGS=(--tls-client --remote-cert-tls server)
server_creds() { echo "--ca $PKI/root.pem --cert $PKI/server-chain.pem --key $PKI/server.key"; }
client_creds() { echo "--ca $PKI/root.pem --cert $PKI/client.pem --key $PKI/client.key"; }

# start_peer NAME LIB LPORT RPORT ARGS...: openvpn peer to peer on 127.0.0.1 in the
# background (log $T/NAME.out, status file $T/NAME.status, pid file $T/NAME.pid); sets
# PEER_PID (the `timeout` around it).
start_peer() {
    local name=$1 lib=$2 lport=$3 rport=$4
    shift 4
    lib_env "$lib"
    bg "$name" "${LIB_ENV[@]}" "$OPENVPN" --dev null --proto udp \
        --local 127.0.0.1 --lport "$lport" --remote 127.0.0.1 --rport "$rport" \
        --data-ciphers AES-256-GCM:AES-128-GCM:CHACHA20-POLY1305 \
        --ping 1 --ping-restart 6 --connect-retry 1 --verb 3 \
        --status "$T/$name.status" 1 --writepid "$T/$name.pid" "$@"
    PEER_PID=$BG_PID
}

# exit_code PID: sets RC to the exit status of a background child that has exited (reaping
# it), or to "" if it still runs.  (Not in a $(...) subshell: only this shell can wait.)
exit_code() {
    RC=
    kill -0 "$1" 2>/dev/null && return 0
    wait "$1"
    RC=$?
}

# died NAME PID: fail if the peer is no longer running, with how it ended.
died() {
    local rc
    exit_code "$2"
    rc=$RC
    [ -z "$rc" ] && return 0
    tail -n 5 "$T/$1.out" | sed 's/^/  last| /'
    fail "openvpn $1 exited $rc $(signal_name "$rc"); last line: $(tail -n 1 "$T/$1.out" | cut -c1-200)"
}

# auth_read NAME: the "Auth read bytes" counter of the peer's status file (bytes of data
# channel packets that were authenticated and decrypted).
auth_read() { sed -n 's/^Auth read bytes,//p' "$T/$1.status" 2>/dev/null | tail -1; }

# tunnel NAME SLIB CLIB [EXTRA_SERVER_ARGS -- EXTRA_CLIENT_ARGS]: both peers up, pings
# crossing the data channel both ways, then stopped.  Logs $T/NAME-server.out and
# $T/NAME-client.out.
tunnel() {
    local name=$1 slib=$2 clib=$3 sp cp spid cpid i sa=() ca=() side=s a who
    shift 3
    for a in "$@"; do
        if [ "$a" = -- ]; then side=c; continue; fi
        if [ $side = s ]; then sa+=("$a"); else ca+=("$a"); fi
    done
    sp=$(free_port); cp=$(free_port)
    # shellcheck disable=SC2046
    start_peer "$name-server" "$slib" "$sp" "$cp" "${SERVER_ARGS[@]}" $(server_creds) "${sa[@]}"
    spid=$PEER_PID
    # shellcheck disable=SC2046
    start_peer "$name-client" "$clib" "$cp" "$sp" "${CLIENT_ARGS[@]}" $(client_creds) "${ca[@]}"
    cpid=$PEER_PID
    # both up; a peer that dies on the way fails the test at once with how it ended
    for i in $(seq 1 $((UP_WAIT * 10))); do
        grep -q 'Initialization Sequence Completed' "$T/$name-server.out" &&
            grep -q 'Initialization Sequence Completed' "$T/$name-client.out" && break
        died "$name-server" "$spid"
        died "$name-client" "$cpid"
        sleep 0.1
    done
    for who in server client; do
        grep -q 'Initialization Sequence Completed' "$T/$name-$who.out" && continue
        grep -E 'TLS Error|OpenSSL:|VERIFY|Control Channel' "$T/$name-$who.out" | head -5 | sed 's/^/  log| /'
        fail "openvpn $who ($name) did not complete initialization in ${UP_WAIT}s: $(grep -E 'TLS Error|OpenSSL:|VERIFY ERROR' "$T/$name-$who.out" | head -1 | cut -c21-220)"
    done
    [ "$name" = ref ] || {
        [ "$slib" = system ] || expect_mapped "$(cat "$T/$name-server.pid")" "$slib" "openvpn server"
        [ "$clib" = system ] || expect_mapped "$(cat "$T/$name-client.pid")" "$clib" "openvpn client"
    }
    # keepalive pings (every second) must be authenticated by each side
    for i in $(seq 1 $((PING_WAIT * 10))); do
        [ "$(auth_read "$name-server")" -gt 0 ] 2>/dev/null && [ "$(auth_read "$name-client")" -gt 0 ] 2>/dev/null && break
        sleep 0.1
    done
    echo "  $name: Auth read bytes: server $(auth_read "$name-server"), client $(auth_read "$name-client")"
    died "$name-server" "$spid"
    died "$name-client" "$cpid"
    stop_pids 30 "$spid" "$cpid"
    for who in server client; do
        sed 's/^/  '"$who"'| /' "$T/$name-$who.out" | head -60
    done
    [ "$(auth_read "$name-server")" -gt 0 ] 2>/dev/null ||
        fail "openvpn server ($name) authenticated no data channel packet in ${PING_WAIT}s (pings from the client)"
    [ "$(auth_read "$name-client")" -gt 0 ] 2>/dev/null ||
        fail "openvpn client ($name) authenticated no data channel packet in ${PING_WAIT}s (pings from the server)"
    for who in server client; do
        ! grep -qE 'Inactivity timeout|SIGUSR1|process restarting' "$T/$name-$who.out" ||
            fail "openvpn $who ($name) restarted: $(grep -E 'Inactivity timeout|SIGUSR1' "$T/$name-$who.out" | head -1 | cut -c21-)"
    done
}

# normalized FILE: the log without timestamps, with ports, session and peer ids and the
# soft-reset counters masked, without the VOLATILE lines.
normalized() {
    sed -E -e 's/^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:]{8} (us=[0-9]+ )?//' \
        -e 's/127\.0\.0\.1:[0-9]+/127.0.0.1:PORT/g' \
        -e 's/sid=[0-9a-f]+ [0-9a-f]+/sid=X/g' \
        -e 's/peer-id:? [0-9]+/peer-id N/g' \
        -e 's/soft reset sec=[0-9]+\/([0-9]+) bytes=[0-9]+\/(-?[0-9]+) pkts=[0-9]+\/([0-9]+)/soft reset sec=N\/\1 bytes=N\/\2 pkts=N\/\3/' "$1" |
        grep -vE -- "$VOLATILE" | sort -u
}

# same_log WHO REF GOT: normalized GOT has the same lines as normalized REF.
same_log() {
    local who=$1 extra missing
    extra=$(comm -13 <(normalized "$2") <(normalized "$3" | hybrid_key))
    missing=$(comm -23 <(normalized "$2") <(normalized "$3" | hybrid_key))
    [ -z "$extra$missing" ] && return 0
    [ -n "$extra" ] && echo "$extra" | sed "s/^/  $who extra| /"
    [ -n "$missing" ] && echo "$missing" | sed "s/^/  $who missing| /"
    if [ -n "$extra" ]; then
        fail "openvpn $who logged a line the system run does not: $(echo "$extra" | head -1 | cut -c1-220)"
    fi
    fail "openvpn $who lacks a line the system run logs: $(echo "$missing" | head -1 | cut -c1-220)"
}

# hybrid_key LOG: with the shim on both sides the hybrid X25519MLKEM768 is negotiated and
# openvpn logs no peer temporary key (see RSA_TLS13_HYBRID); the reference's X25519 key is
# put back on that line so that the rest of the log is compared. Lines of other runs pass
# unchanged.
hybrid_key() {
    if [ "${BOTH_SHIM:-0}" = 1 ]; then
        sed "s/^\(Control Channel: $RSA_TLS13_HYBRID\)\$/\1, peer temporary key: 253 bits X25519/" | sort -u
    else
        cat
    fi
}

# scenario NAME ROLE ARGS...: the reference run (both system) and the run with the library
# under test as ROLE (server|client|both); then compares the logs.
scenario() {
    local name=$1 role=$2 slib=system clib=system
    shift 2
    case $role in
        server) slib=$LIBDIR ;;
        client) clib=$LIBDIR ;;
        both) slib=$LIBDIR; clib=$LIBDIR ;;
    esac
    BOTH_SHIM=0
    [ "$role" = both ] && [ "$LIBDIR" != system ] && BOTH_SHIM=1
    reference tunnel "$@"
    tunnel "$name" "$slib" "$clib" "$@"
}

# reference FUNC ARGS...: `FUNC ref system system ARGS...`, the both-system run, whose logs
# (ref-server.out, ref-client.out) are kept in $WORK/ref and reused by the other tests that
# run the same scenario.
reference() {
    local func=$1 key
    shift
    key=$WORK/ref/$(echo "$func $*" | md5sum | cut -c1-16)
    if [ -s "$key/ref-server.out" ] && [ -s "$key/ref-client.out" ]; then
        echo "+ reference run: reusing $key"
        cp "$key"/ref-*.out "$T/"
        return 0
    fi
    "$func" ref system system "$@"
    mkdir -p "$key.tmp" && cp "$T"/ref-server.out "$T"/ref-client.out "$key.tmp/" && mv "$key.tmp" "$key"
}

compare_logs() {
    same_log server "$T/ref-server.out" "$T/$1-server.out"
    same_log client "$T/ref-client.out" "$T/$1-client.out"
}

# log_has NAME REGEX: the log of peer NAME has a matching line
log_has() {
    grep -qE -- "$2" "$T/$1.out" ||
        fail "log of openvpn $1 lacks /$2/; has: $(grep -E 'Control Channel|Data Channel:|TLS Error|OpenSSL' "$T/$1.out" | head -2 | cut -c21- | tr '\n' ' ')"
}

# control NAME TEXT: both peers logged a "Control Channel: TEXT..." line (a TLS 1.2 server
# does not log the peer's temporary key)
control() {
    local who
    for who in server client; do
        grep -qF "Control Channel: $2" "$T/$1-$who.out" ||
            fail "openvpn $who: no 'Control Channel: $2'; got: $(grep -F 'Control Channel:' "$T/$1-$who.out" | head -1 | cut -c21-)"
    done
}

# data_channel NAME CIPHER: both peers use CIPHER with keys exported from TLS (TLS_export=1)
data_channel() {
    local who
    for who in server client; do
        log_has "$1-$who" "P2P mode NCP negotiation result: TLS_export=1, DATA_v2=1, .*cipher=$2"
        log_has "$1-$who" "Data Channel: cipher '$2'"
    done
}

###########################################################################
# Tests
###########################################################################

TESTS=(
    p2p_server p2p_client p2p_both
    tls12_server tls12_client
    ciphersuites_server ciphersuites_client
    tls_cipher_server
    renegotiate_both
    verify_fail_client verify_fail_server
)

RSA_TLS13='TLSv1.3, cipher TLSv1.3 TLS_AES_256_GCM_SHA384, peer certificate: 2048 bits RSA, signature: RSA-SHA256, peer temporary key: 253 bits X25519'
# With the shim on both sides the post-quantum hybrid X25519MLKEM768 is negotiated (the shim
# offers it first, deliberately: see the README), a group OpenSSL 3.0's libcrypto has no key
# type for, so SSL_get_peer_tmp_key has no key and openvpn logs none.
RSA_TLS13_HYBRID='TLSv1.3, cipher TLSv1.3 TLS_AES_256_GCM_SHA384, peer certificate: 2048 bits RSA, signature: RSA-SHA256'

# The default configuration: TLS 1.3, AES-256-GCM on both channels.
p2p() {
    scenario p2p "$1"
    if [ "$1" = both ]; then control p2p "$RSA_TLS13_HYBRID"; else control p2p "$RSA_TLS13"; fi
    data_channel p2p AES-256-GCM
    log_has p2p-server 'VERIFY OK: depth=0, CN=testclient'
    log_has p2p-client 'VERIFY OK: depth=0, CN=localhost'
    log_has p2p-client 'VERIFY OK: depth=1, CN=Test Intermediate CA'
    compare_logs p2p
}
t_p2p_server() { p2p server; }
t_p2p_client() { p2p client; }
t_p2p_both() { p2p both; }

# --tls-version-max 1.2 on the side under test.
tls12() {
    local args=(--tls-version-max 1.2)
    if [ "$1" = server ]; then scenario tls12 server "${args[@]}" --; else scenario tls12 client -- "${args[@]}"; fi
    control tls12 'TLSv1.2, cipher TLSv1.2 ECDHE-RSA-AES256-GCM-SHA384, peer certificate: 2048 bits RSA, signature: RSA-SHA256'
    log_has tls12-client 'Control Channel: .*, peer temporary key: 253 bits X25519'
    data_channel tls12 AES-256-GCM
    compare_logs tls12
}
t_tls12_server() { tls12 server; }
t_tls12_client() { tls12 client; }

# --tls-ciphersuites (SSL_CTX_set_ciphersuites) on the side under test, and a data channel
# cipher both support.
ciphersuites() {
    local args=(--tls-ciphersuites TLS_CHACHA20_POLY1305_SHA256 --data-ciphers CHACHA20-POLY1305)
    if [ "$1" = server ]; then scenario cs server "${args[@]}" --; else scenario cs client -- "${args[@]}"; fi
    control cs 'TLSv1.3, cipher TLSv1.3 TLS_CHACHA20_POLY1305_SHA256, peer certificate: 2048 bits RSA, signature: RSA-SHA256, peer temporary key: 253 bits X25519'
    data_channel cs CHACHA20-POLY1305
    compare_logs cs
}
t_ciphersuites_server() { ciphersuites server; }
t_ciphersuites_client() { ciphersuites client; }

# --tls-cipher with an IANA name (openvpn translates it for SSL_CTX_set_cipher_list) over
# TLS 1.2.
t_tls_cipher_server() {
    scenario tc server --tls-version-max 1.2 --tls-cipher TLS-ECDHE-RSA-WITH-AES-128-GCM-SHA256 --
    control tc 'TLSv1.2, cipher TLSv1.2 ECDHE-RSA-AES128-GCM-SHA256, peer certificate: 2048 bits RSA, signature: RSA-SHA256'
    data_channel tc AES-256-GCM
    compare_logs tc
}

# --reneg-sec 2 on the server: new TLS sessions (new SSLs on the same SSL_CTX) replace the
# first while the tunnel runs; their exported keys take over the data channel.
reneg_run() { # NAME LIB
    local name=$1 lib=$2 sp cp spid cpid i n who
    sp=$(free_port); cp=$(free_port)
    # shellcheck disable=SC2046
    start_peer "$name-server" "$lib" "$sp" "$cp" "${SERVER_ARGS[@]}" $(server_creds) --reneg-sec 2
    spid=$PEER_PID
    # shellcheck disable=SC2046
    start_peer "$name-client" "$lib" "$cp" "$sp" "${CLIENT_ARGS[@]}" $(client_creds) --reneg-sec 0
    cpid=$PEER_PID
    for i in $(seq 1 150); do
        n=$(grep -c 'Control Channel:' "$T/$name-client.out" 2>/dev/null)
        [ "${n:-0}" -ge 3 ] && break
        kill -0 "$spid" 2>/dev/null && kill -0 "$cpid" 2>/dev/null || break
        sleep 0.1
    done
    sleep 1.5   # pings under the newest keys
    died "$name-server" "$spid"
    died "$name-client" "$cpid"
    stop_pids 30 "$spid" "$cpid"
    for who in server client; do
        sed 's/^/  '"$who"'| /' "$T/$name-$who.out" | head -80
    done
    local want=$RSA_TLS13
    [ "$lib" = system ] || want=$RSA_TLS13_HYBRID
    for who in server client; do
        n=$(grep -c "Control Channel: $want" "$T/$name-$who.out")
        [ "$n" -ge 3 ] || fail "openvpn $who ($name, lib $lib): $n TLS sessions in 15s with --reneg-sec 2, want 3 or more"
        ! grep -qE 'Inactivity timeout|SIGUSR1|TLS Error|OpenSSL:' "$T/$name-$who.out" ||
            fail "openvpn $who ($name): $(grep -E 'Inactivity timeout|SIGUSR1|TLS Error|OpenSSL:' "$T/$name-$who.out" | head -1 | cut -c21-)"
    done
    log_has "$name-server" 'TLS: soft reset'
}
t_renegotiate_both() {
    reneg_run ref system
    reneg_run reneg "$LIBDIR"
    BOTH_SHIM=0
    [ "$LIBDIR" != system ] && BOTH_SHIM=1
    compare_logs reneg
}

# fail_run NAME SLIB CLIB SERVER_ARGS -- CLIENT_ARGS: both with --tls-exit; waits until both
# have exited (or 15 s).
fail_run() {
    local name=$1 slib=$2 clib=$3 sp cp spid cpid i sa=() ca=() side=s a who
    shift 3
    for a in "$@"; do
        if [ "$a" = -- ]; then side=c; continue; fi
        if [ $side = s ]; then sa+=("$a"); else ca+=("$a"); fi
    done
    sp=$(free_port); cp=$(free_port)
    start_peer "$name-server" "$slib" "$sp" "$cp" "${SERVER_ARGS[@]}" --tls-exit --hand-window 5 "${sa[@]}"
    spid=$PEER_PID
    start_peer "$name-client" "$clib" "$cp" "$sp" "${CLIENT_ARGS[@]}" --tls-exit --hand-window 5 "${ca[@]}"
    cpid=$PEER_PID
    # until one of them gives up (--tls-exit), and a moment for the other's last words
    for i in $(seq 1 150); do
        kill -0 "$spid" 2>/dev/null && kill -0 "$cpid" 2>/dev/null || break
        sleep 0.1
    done
    sleep 1
    local src crc
    exit_code "$spid"; src=$RC
    exit_code "$cpid"; crc=$RC
    stop_pids 30 "$spid" "$cpid"
    for who in server client; do
        sed 's/^/  '"$who"'| /' "$T/$name-$who.out" | head -40
        local rc=$src
        [ $who = client ] && rc=$crc
        [ -n "$rc" ] && [ "$rc" -gt 128 ] && [ "$rc" -lt 160 ] &&
            fail "openvpn $who ($name) exited $rc $(signal_name "$rc"); last line: $(tail -n 1 "$T/$name-$who.out" | cut -c1-200)"
        grep -q 'Initialization Sequence Completed' "$T/$name-$who.out" &&
            fail "openvpn $who ($name) completed initialization with a peer it must not trust"
    done
    return 0
}

# The client trusts an unrelated certificate only: it refuses the server with OpenSSL's
# verify error, and exits (--tls-exit).
t_verify_fail_client() {
    # shellcheck disable=SC2046
    reference fail_run $(server_creds) -- --ca "$PKI/selfsigned.pem" --cert "$PKI/client.pem" --key "$PKI/client.key"
    # shellcheck disable=SC2046
    fail_run vf system "$LIBDIR" $(server_creds) -- --ca "$PKI/selfsigned.pem" --cert "$PKI/client.pem" --key "$PKI/client.key"
    log_has vf-client 'VERIFY ERROR: depth=1, error=unable to get local issuer certificate: CN=Test Intermediate CA'
    log_has vf-client 'OpenSSL: error:0A000086:SSL routines::certificate verify failed'
    log_has vf-client 'TLS Error: TLS handshake failed'
    same_log client "$T/ref-client.out" "$T/vf-client.out"
}

# The server trusts an unrelated certificate only: it refuses the client's certificate.
t_verify_fail_server() {
    # shellcheck disable=SC2046
    reference fail_run --ca "$PKI/selfsigned.pem" --cert "$PKI/server-chain.pem" --key "$PKI/server.key" -- $(client_creds)
    # shellcheck disable=SC2046
    fail_run vf "$LIBDIR" system --ca "$PKI/selfsigned.pem" --cert "$PKI/server-chain.pem" --key "$PKI/server.key" -- $(client_creds)
    # OpenSSL's client sends the root with its certificate (built from its --ca)
    log_has vf-server 'VERIFY ERROR: depth=1, error=self-signed certificate in certificate chain: O=rustls-libssl tests, CN=Test Root CA'
    log_has vf-server 'OpenSSL: error:0A000086:SSL routines::certificate verify failed'
    log_has vf-server 'TLS Error: TLS handshake failed'
    same_log server "$T/ref-server.out" "$T/vf-server.out"
}

###########################################################################
# Driver
###########################################################################

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
    trap stop_servers EXIT
    trap 'echo "killed by watchdog"; exit 124' TERM
    "t_$1"
}

main() {
    suite_args "$@"
    need_quiet openvpn openvpn openssl python3 procps || { echo "openvpn, openssl, python3 and procps are required" >&2; exit 2; }
    [ -x "$PY" ] || PY=$(command -v python3)
    WORK=$(mktemp -d "${TMPDIR:-/tmp}/rustls-libssl-openvpn.XXXXXX")
    PKI=$WORK/pki
    export LIBDIR WORK PKI PY
    if ! "$HERE/../curl/gen-certs.sh" "$PKI" >"$WORK/gen-certs.log" 2>&1; then
        cat "$WORK/gen-certs.log" "$PKI/gen.log" 2>/dev/null
        echo "certificate generation failed" >&2
        exit 2
    fi
    mkdir -p "$WORK/tests"
    echo "# library: $LIBDIR; $("$OPENVPN" --version | head -1 | cut -d' ' -f1-2); logs: $WORK"
    run_tests
}

{ main "$@"; exit $?; }
