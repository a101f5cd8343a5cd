#!/bin/bash
# ntpd (ntpsec) NTS integration tests for rustls-libssl.
#
# usage: tests/ntpd/run.sh LIBDIR|system [TEST...]
#        tests/ntpd/run.sh --list
#
#   LIBDIR  directory holding the libssl.so.3 under test.  The ntpd instances
#           that a test puts "on the shim" run with LD_LIBRARY_PATH=LIBDIR; the
#           others (and openssl s_server / s_client peers) use the system
#           OpenSSL.  The literal word `system` runs every ntpd on the system
#           OpenSSL, which must pass 100%.
#   TEST    optional test names (see README.md / --list) to run only those.
#
# Every test builds its own pair of network namespaces joined by a veth pair
# (server 10.123.0.1, client 10.123.0.2; those addresses exist only inside the
# namespaces), so that each ntpd owns UDP port 123 and the NTS-KE port 4460 of
# its namespace.  ntpd runs with -n, `disable ntp`, `disable kernel`, and
# without CAP_SYS_TIME (setpriv drops it from the bounding set), so it cannot
# step, slew or otherwise change the clock or the kernel time state even by
# mistake; the adjtimex state is compared before and after each test.
#
# Output: one `ok NAME` / `FAIL NAME: why` / `skip NAME: why` line per test
# (a failing test's log follows its line), then `N passed, N failed, N skipped`.
# Exit status 1 if any test failed.  KEEP_LOGS=1 keeps the temporary directory.
set -u

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../lib.sh
. "$HERE/../lib.sh"
SELF="$HERE/$(basename "${BASH_SOURCE[0]}")"
NTPD=/usr/sbin/ntpd
NTPQ=/usr/bin/ntpq
OPENSSL=/usr/bin/openssl
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
NTPD_TIMEOUT=120     # every ntpd / openssl peer dies by itself after this many seconds
TEST_TIMEOUT=150     # watchdog around one whole test
KE_WAIT=20           # seconds to wait for the NTS-KE outcome in the client log
NTP_WAIT=40          # seconds to wait for authenticated NTP packets after NTS-KE

SRV_IP=10.123.0.1
CLI_IP=10.123.0.2
CAP_SYS_TIME=25

unset LD_PRELOAD OPENSSL_CONF SSL_CERT_FILE SSL_CERT_DIR SSLKEYLOGFILE
export LC_ALL=C

###########################################################################
# Test PKI (openssl CLI, system OpenSSL)
###########################################################################

gen_pki() {
    local d=$1 o=$OPENSSL
    mkdir -p "$d" && cd "$d" || return 1
    local ecp=(-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes)
    $o req -x509 "${ecp[@]}" -keyout ca.key -out ca.pem -days 3650 -subj "/CN=NTS test CA" \
        -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" || return 1
    $o req -x509 "${ecp[@]}" -keyout other-ca.key -out other-ca.pem -days 3650 -subj "/CN=Unrelated CA" \
        -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" || return 1
    leaf() { # NAME SAN
        $o req "${ecp[@]}" -keyout "$1.key" -out "$1.csr" -subj "/CN=nts.test" || return 1
        printf 'subjectAltName=%s\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n' \
            "$2" >"$1.ext"
        $o x509 -req -in "$1.csr" -CA ca.pem -CAkey ca.key -CAcreateserial -out "$1.pem" -days 825 \
            -extfile "$1.ext" || return 1
    }
    # server: DNS nts.test + IP 10.123.0.1; dnsonly: no IP SAN
    leaf server "DNS:nts.test,IP:$SRV_IP" || return 1
    leaf dnsonly "DNS:nts.test" || return 1
    $o req -x509 "${ecp[@]}" -keyout selfsigned.key -out selfsigned.pem -days 825 -subj "/CN=nts.test" \
        -addext "subjectAltName=DNS:nts.test,IP:$SRV_IP" -addext "basicConstraints=critical,CA:FALSE" || return 1
    # hashed CA directory for `ca DIR`
    mkdir -p hashdir && cp ca.pem hashdir/ && $o rehash hashdir || return 1
    # a replacement for /etc/ssl/certs (bind-mounted in the client's namespace):
    # the bundle OpenSSL's default file points at plus the hashed directory.
    mkdir -p sysstore && cp ca.pem sysstore/nts-test-ca.pem && cp ca.pem sysstore/ca-certificates.crt &&
        $o rehash sysstore || return 1
    printf '127.0.0.1 localhost\n%s nts.test wrong.test\n' "$SRV_IP" >hosts
}

###########################################################################
# Helpers used inside tests.  A test runs in its own bash process with
# T=its private directory; `fail`/`skip` end it, the EXIT trap cleans up.
###########################################################################

PIDS=()
NETNS=()

fail() {
    local why="$*"
    [ ${#MISMATCH[@]} -gt 0 ] && why="$(printf '%s; ' "${MISMATCH[@]}")$why"
    echo "$why" >"$T/reason"
    echo "FAIL: $*"
    exit 1
}

# Log-line expectations do not end the test at once: all mismatches are
# collected and reported together (fail, or the end of the test).
MISMATCH=()
mismatch() {
    MISMATCH+=("$*")
    echo "MISMATCH: $*"
}

# kernel time state, read-only (adjtimex with modes=0)
timex() {
    "$PY" - <<'PY'
import ctypes, ctypes.util
class T(ctypes.Structure):
    _fields_ = [('modes', ctypes.c_uint)] + [(n, ctypes.c_long) for n in ('offset', 'freq', 'maxerror', 'esterror')] \
        + [('status', ctypes.c_int)] + [(n, ctypes.c_long) for n in ('constant', 'precision', 'tolerance', 'sec', 'usec',
        'tick', 'ppsfreq', 'jitter')] + [('shift', ctypes.c_int)] + [(n, ctypes.c_long) for n in ('stabil', 'jitcnt',
        'calcnt', 'errcnt', 'stbcnt')] + [('tai', ctypes.c_int), ('pad', ctypes.c_int * 11)]
t = T()
ctypes.CDLL(ctypes.util.find_library('c')).adjtimex(ctypes.byref(t))
print(f"status=0x{t.status:x} freq={t.freq} offset={t.offset} constant={t.constant} tick={t.tick}")
PY
}

cleanup() {
    local pid ns f
    stop_pids 30 "${PIDS[@]}"
    PIDS=()
    for ns in "${NETNS[@]}"; do
        # anything still inside the namespace (should be nothing)
        for pid in $(ip netns pids "$ns" 2>/dev/null); do
            kill -KILL "$pid" 2>/dev/null
        done
        ip netns del "$ns" 2>/dev/null
    done
    NETNS=()
    # ntpd's own log file (its stdout repeats the start of it), other peers' output
    for f in "$T"/*.log "$T"/*.out; do
        [ -s "$f" ] || continue
        case $f in *.out) [ -s "${f%.out}.log" ] && continue ;; esac
        echo "---- $(basename "$f")"
        grep -vE 'IO: (bind|unable to create socket|failed to init interface|Listen)|statistics directory|DNS: dns_' "$f" |
            sed 's/^/  /' | head -150
    done
    if [ -n "${TIMEX_BEFORE:-}" ]; then
        local after
        after=$(timex)
        if [ "$after" != "$TIMEX_BEFORE" ]; then
            echo "kernel time state changed: before '$TIMEX_BEFORE' after '$after'"
            echo "kernel time state changed" >"$T/reason"
            exit 1
        fi
    fi
}

# net_setup: two namespaces, veth pair, SRV_IP in NS_S, CLI_IP in NS_C.
net_setup() {
    NS_S=ntsS-$$
    NS_C=ntsC-$$
    ip netns add "$NS_S" || fail "ip netns add failed"
    NETNS+=("$NS_S")
    ip netns add "$NS_C" || fail "ip netns add failed"
    NETNS+=("$NS_C")
    ip link add vS netns "$NS_S" type veth peer name vC netns "$NS_C" || fail "cannot create veth pair"
    ip -n "$NS_S" addr add "$SRV_IP/24" dev vS &&
        ip -n "$NS_C" addr add "$CLI_IP/24" dev vC &&
        ip -n "$NS_S" link set lo up && ip -n "$NS_C" link set lo up &&
        ip -n "$NS_S" link set vS up && ip -n "$NS_C" link set vC up || fail "namespace network setup failed"
}

# lib_env shim|system: environment prefix for a process on that library
lib_env() {
    if [ "$1" = shim ] && [ "$LIBDIR" != system ]; then
        echo "LD_LIBRARY_PATH=$LIBDIR"
    else
        echo "NTS_TEST_LIB=system"
    fi
}

# in_ns NS NAME [--sysstore] CMD...: run CMD in the background inside NS with
# the test hosts file (and optionally the test CA as /etc/ssl/certs) bind-mounted
# in that command's private mount namespace, without CAP_SYS_TIME, bounded by
# NTPD_TIMEOUT; output in $T/NAME.out.  Sets BG_PID.
in_ns() {
    local ns=$1 name=$2 mounts
    shift 2
    mounts="mount --bind '$PKI/hosts' /etc/hosts || exit 97"
    if [ "${1:-}" = --sysstore ]; then
        shift
        mounts="$mounts; mount --bind '$PKI/sysstore' /etc/ssl/certs || exit 97"
    fi
    echo "+ [$name in $ns] $*"
    (cd "$T" && exec timeout -k 3 "$NTPD_TIMEOUT" ip netns exec "$ns" unshare -m --propagation private \
        sh -c "$mounts; exec setpriv --inh-caps=-sys_time --bounding-set=-sys_time \"\$@\"" sh "$@") \
        >"$T/$name.out" 2>&1 </dev/null &
    BG_PID=$!
    PIDS+=("$BG_PID")
}

# ns_run NS CMD...: run CMD in the foreground inside NS (timeout 15 s).
ns_run() {
    local ns=$1
    shift
    timeout -k 2 15 ip netns exec "$ns" "$@"
}

# conf files -------------------------------------------------------------

# server_conf [EXTRA LINES...]: $T/server.conf for an NTS-KE + NTP server
server_conf() {
    local cert=$PKI/server.pem key=$PKI/server.key l
    {
        echo "nts enable"
        for l in "$@"; do echo "$l"; done
        grep -q '^nts cert' <<<"$(printf '%s\n' "$@")" || echo "nts cert $cert"
        grep -q '^nts key' <<<"$(printf '%s\n' "$@")" || echo "nts key $key"
        echo "nts cookie $T/server-nts-keys"
        common_conf server
    } >"$T/server.conf"
}

# client_conf SERVERLINE [EXTRA LINES...]
client_conf() {
    local l
    {
        for l in "$@"; do echo "$l"; done
        common_conf client
    } >"$T/client.conf"
}

common_conf() {
    cat <<EOF
driftfile $T/$1.drift
logfile $T/$1.log
logconfig =all
disable ntp
disable kernel
restrict default
restrict 127.0.0.1
restrict ::1
EOF
}

# start_ntpd server|client shim|system [--sysstore]: start ntpd with $T/ROLE.conf
start_ntpd() {
    local role=$1 lib=$2 ns extra=()
    shift 2
    [ "${1:-}" = --sysstore ] && extra=(--sysstore)
    [ "$role" = server ] && ns=$NS_S || ns=$NS_C
    rm -f "$T/$role.pid"
    in_ns "$ns" "$role" "${extra[@]}" env $(lib_env "$lib") "$NTPD" -n -c "$T/$role.conf" -p "$T/$role.pid"
    eval "${role}_BG=$BG_PID"
    eval "${role}_LIB=$lib"
    local i
    for i in $(seq 1 100); do
        [ -s "$T/$role.pid" ] && break
        kill -0 "$BG_PID" 2>/dev/null || break
        sleep 0.1
    done
    [ -s "$T/$role.pid" ] || fail "$role ntpd did not start (no pid file)"
    eval "${role}_PID=$(cat "$T/$role.pid")"
    check_proc "$role"
    if [ "$role" = server ] && grep -q '^nts enable' "$T/server.conf"; then
        wait_log server 'NTSs: listen4 worked' 10 || fail "server ntpd did not start its NTS-KE listener"
    fi
}

# check_proc ROLE: the ntpd has no CAP_SYS_TIME and mapped the intended libssl.so.3
check_proc() {
    local role=$1 pid lib bnd maps want
    eval "pid=\$${role}_PID; lib=\$${role}_LIB"
    bnd=$(awk '/^CapBnd:/ {print $2}' "/proc/$pid/status" 2>/dev/null)
    [ -n "$bnd" ] || fail "$role ntpd (pid $pid) is gone"
    (((0x$bnd >> CAP_SYS_TIME) & 1)) && fail "$role ntpd still has CAP_SYS_TIME in its bounding set"
    maps=$(awk '$6 ~ /\/libssl\.so\.3$/ {print $6}' "/proc/$pid/maps" | sort -u)
    echo "# $role ntpd pid $pid ($lib) maps libssl: $maps"
    [ "$(wc -l <<<"$maps")" -eq 1 ] && [ -n "$maps" ] || fail "$role ntpd maps libssl.so.3 ${maps:-nowhere} (want exactly one)"
    if [ "$lib" = shim ] && [ "$LIBDIR" != system ]; then
        [ "$(readlink -f "$maps")" = "$(readlink -f "$LIBDIR/libssl.so.3")" ] ||
            fail "$role ntpd (on the shim) mapped $maps, not $LIBDIR/libssl.so.3"
    else
        case "$maps" in
            /lib/*|/usr/lib/*) ;;
            *) fail "$role ntpd (on the system OpenSSL) mapped $maps" ;;
        esac
    fi
}

# wait_log ROLE ERE SECONDS: wait until $T/ROLE.log has a line matching ERE
wait_log() {
    local i pid
    eval "pid=\${${1}_BG:-}"
    for i in $(seq 1 $(($3 * 5))); do
        grep -qE -- "$2" "$T/$1.log" 2>/dev/null && return 0
        [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null && { grep -qE -- "$2" "$T/$1.log" 2>/dev/null; return; }
        sleep 0.2
    done
    return 1
}

# expect_log ROLE ERE: $T/ROLE.log has a line matching ERE
expect_log() {
    grep -qE -- "$2" "$T/$1.log" 2>/dev/null || mismatch "$1 log lacks /$2/"
}

expect_no_log() {
    ! grep -qE -- "$2" "$T/$1.log" 2>/dev/null ||
        mismatch "$1 log unexpectedly has: $(grep -E -- "$2" "$T/$1.log" | head -1 | sed 's/.*ntpd\[[0-9]*\]: //')"
}

# fixed string, whole message after "ntpd[PID]: "
expect_msg() {
    grep -qF -- "]: $2" "$T/$1.log" 2>/dev/null || mismatch "$1 log lacks the line '$2'"
}

# wait for the client's NTS-KE verdict; sets KE_RESULT=OK|fail|none
wait_ke() {
    local host=${1:-$SRV_IP}
    KE_RESULT=none
    if wait_log client "NTSc: NTS-KE req to $host took [0-9.]+ sec, (OK|fail)" "$KE_WAIT"; then
        if grep -qE "NTSc: NTS-KE req to $host took [0-9.]+ sec, OK" "$T/client.log"; then KE_RESULT=OK; else KE_RESULT=fail; fi
    fi
    echo "# NTS-KE result: $KE_RESULT"
}

expect_ke_ok() {
    wait_ke "$@"
    [ "$KE_RESULT" = OK ] || fail "NTS-KE did not succeed (result: $KE_RESULT; $(grep -E 'NTSc: (certificate invalid|SSL_|No ALPN|Strange)|NTS: ' "$T/client.log" 2>/dev/null | head -3 | sed 's/.*ntpd\[[0-9]*\]: //' | tr '\n' ' '))"
}

expect_ke_fail() {
    wait_ke "$@"
    [ "$KE_RESULT" = fail ] || fail "NTS-KE should have failed (result: $KE_RESULT)"
}

# ntpq_var ROLE VAR: read a system variable of that ntpd (over mode 6 in its namespace)
ntpq_var() {
    local ns
    [ "$1" = server ] && ns=$NS_S || ns=$NS_C
    ns_run "$ns" "$NTPQ" -n -c "rv 0 $2" 127.0.0.1 2>/dev/null | grep -oE "$2=[0-9]+" | head -1 | cut -d= -f2
}

# expect_nts_traffic [MIN]: authenticated NTP packets went both ways:
# client nts_client_recv_good >= MIN and server nts_server_recv_good >= MIN,
# no bad ones, and the client's association says auth ok.
expect_nts_traffic() {
    local min=${1:-2} i cg cb sg sb assoc
    for i in $(seq 1 "$NTP_WAIT"); do
        cg=$(ntpq_var client nts_client_recv_good)
        [ "${cg:-0}" -ge "$min" ] && break
        sleep 1
    done
    cb=$(ntpq_var client nts_client_recv_bad)
    sg=$(ntpq_var server nts_server_recv_good)
    sb=$(ntpq_var server nts_server_recv_bad)
    echo "# client: nts_client_send=$(ntpq_var client nts_client_send) recv_good=$cg recv_bad=$cb"
    echo "# server: nts_server_recv_good=$sg recv_bad=$sb nts_server_send=$(ntpq_var server nts_server_send)"
    assoc=$(ns_run "$NS_C" "$NTPQ" -n -c associations 127.0.0.1 2>&1)
    echo "$assoc" | sed 's/^/  ntpq| /'
    [ -n "$cg" ] || fail "ntpq could not read the client's NTS counters"
    [ "$cg" -ge "$min" ] || fail "client got $cg authenticated NTP replies (want >= $min) in ${NTP_WAIT}s"
    [ "${cb:-x}" = 0 ] || fail "client nts_client_recv_bad=$cb"
    [ "${sg:-0}" -ge "$min" ] || fail "server nts_server_recv_good=${sg:-?} (want >= $min)"
    [ "${sb:-x}" = 0 ] || fail "server nts_server_recv_bad=$sb"
    echo "$assoc" | awk '$2 ~ /^[0-9]+$/ && $6 == "ok" {f=1} END {exit !f}' ||
        fail "client association does not show auth ok"
}

# the success lines of a normal NTS-KE (AES_SIV_CMAC_256 cookies)
expect_ke_success_lines() {
    local suite=${1:-TLS_AES_256_GCM_SHA384 (256)} host=${2:-$SRV_IP}
    expect_msg client "NTSc: Using TLSv1.3, $suite"
    expect_msg client "NTSc: certificate is valid."
    expect_msg client "NTSc: Good ALPN from $host"
    expect_log client "NTSc: Got 8 cookies, length 104, aead=15\."
    wait_log server "NTSs: NTS-KE from $CLI_IP:[0-9]+, Using TLSv1.3, ${suite//[()]/.}, took" 5 ||
        mismatch "server log lacks 'NTSs: NTS-KE from $CLI_IP:..., Using TLSv1.3, $suite, took ...'"
    expect_no_log server 'NTS: SSL_read error|NTS: SSL_write error'
}

###########################################################################
# Tests.  Order here is the run order.
###########################################################################

TESTS=(
    loaded_lib
    pair_shimcli_shimsrv pair_shimcli_syssrv pair_syscli_shimsrv pair_syscli_syssrv
    aead512_shimcli_syssrv aead384_syscli_shimsrv
    hostname_ok hostname_mismatch ip_mismatch wrong_ca no_ca_untrusted system_store ca_dir
    noval_untrusted noval_wrong_name
    tlsciphersuites_client tlsciphersuites_server no_shared_cipher_shimsrv no_shared_cipher_shimcli
    mintls_maxtls_tls13 maxtls_tls12_rejected tlsecdhcurves
    tls12_only_server tls12_only_client alpn_missing_server
    server_http_request server_garbage
)

# --- library check -------------------------------------------------------

t_loaded_lib() {
    net_setup
    server_conf
    start_ntpd server shim          # check_proc: maps LIBDIR/libssl.so.3, no CAP_SYS_TIME
    client_conf "server $SRV_IP nts ca $PKI/ca.pem iburst"
    start_ntpd client shim
    expect_log server 'INIT: Running with OpenSSL|INIT: OpenSSL '
    expect_ke_ok
}

# --- pairings: NTS-KE + authenticated NTP ---------------------------------

pairing() { # CLIENTLIB SERVERLIB
    net_setup
    server_conf
    start_ntpd server "$2"
    client_conf "server $SRV_IP nts ca $PKI/ca.pem iburst minpoll 3 maxpoll 4"
    start_ntpd client "$1"
    expect_ke_ok
    expect_ke_success_lines
    expect_msg client "NTSc: set cert host: $SRV_IP"
    expect_msg client "NTSc: certificate subject name: /CN=nts.test"
    expect_msg client "NTSc: certificate issuer name: /CN=NTS test CA"
    expect_msg client "NTSc: SAN:DNS nts.test"
    expect_nts_traffic 2
}

t_pair_shimcli_shimsrv() { pairing shim shim; }
t_pair_shimcli_syssrv() { pairing shim system; }
t_pair_syscli_shimsrv() { pairing system shim; }
t_pair_syscli_syssrv() { pairing system system; }

# AES-SIV-CMAC-512 / -384: 64- and 48-byte exported keys must agree across implementations
aead_pair() { # CLIENTLIB SERVERLIB AEADNAME AEADID
    net_setup
    server_conf
    start_ntpd server "$2"
    client_conf "server $SRV_IP nts ca $PKI/ca.pem aead $3 iburst minpoll 3 maxpoll 4"
    start_ntpd client "$1"
    expect_ke_ok
    expect_log client "NTSc: Got 8 cookies, length [0-9]+, aead=$4\."
    expect_log server "NTSs: Read [0-9]+, wrote [0-9]+ bytes.  AEAD=$4"
    expect_nts_traffic 2
}

t_aead512_shimcli_syssrv() { aead_pair shim system AES_SIV_CMAC_512 17; }
t_aead384_syscli_shimsrv() { aead_pair system shim AES_SIV_CMAC_384 16; }

# --- certificate verification (client on the shim, server on system) --------

t_hostname_ok() {
    net_setup
    server_conf
    start_ntpd server system
    client_conf "server nts.test nts ca $PKI/ca.pem iburst minpoll 3 maxpoll 4"
    start_ntpd client shim
    expect_ke_ok nts.test
    expect_msg client "NTSc: set cert host: nts.test"
    expect_ke_success_lines "TLS_AES_256_GCM_SHA384 (256)" nts.test
    expect_nts_traffic 1
}

t_hostname_mismatch() {
    net_setup
    server_conf
    start_ntpd server system
    client_conf "server wrong.test nts ca $PKI/ca.pem iburst"
    start_ntpd client shim
    expect_ke_fail wrong.test
    expect_msg client "NTSc: set cert host: wrong.test"
    expect_msg client "NTSc: Using TLSv1.3, TLS_AES_256_GCM_SHA384 (256)"
    expect_msg client "NTSc: certificate invalid: 62=>hostname mismatch"
    expect_no_log client 'certificate is valid'
}

t_ip_mismatch() {
    net_setup
    server_conf "nts cert $PKI/dnsonly.pem" "nts key $PKI/dnsonly.key"
    start_ntpd server system
    client_conf "server $SRV_IP nts ca $PKI/ca.pem iburst"
    start_ntpd client shim
    expect_ke_fail
    expect_msg client "NTSc: certificate invalid: 64=>IP address mismatch"
    expect_no_log client 'certificate is valid'
}

t_wrong_ca() {
    net_setup
    server_conf
    start_ntpd server system
    client_conf "server $SRV_IP nts ca $PKI/other-ca.pem iburst"
    start_ntpd client shim
    expect_ke_fail
    expect_msg client "NTSc: Using file $PKI/other-ca.pem for root certificates."
    expect_msg client "NTSc: Using TLSv1.3, TLS_AES_256_GCM_SHA384 (256)"
    expect_msg client "NTSc: certificate invalid: 20=>unable to get local issuer certificate"
    expect_no_log client 'certificate is valid'
}

# no `ca`: the real system store (which does not know the test CA)
t_no_ca_untrusted() {
    net_setup
    server_conf
    start_ntpd server system
    client_conf "server $SRV_IP nts iburst"
    start_ntpd client shim
    expect_ke_fail
    expect_msg client "NTSc: Using system default root certificates."
    expect_msg client "NTSc: certificate invalid: 20=>unable to get local issuer certificate"
}

# no `ca`: the system store, with /etc/ssl/certs replaced (in the client's
# mount namespace only) by a store holding the test CA
t_system_store() {
    net_setup
    server_conf
    start_ntpd server system
    client_conf "server $SRV_IP nts iburst minpoll 3 maxpoll 4"
    start_ntpd client shim --sysstore
    expect_ke_ok
    expect_msg client "NTSc: Using system default root certificates."
    expect_ke_success_lines
    expect_nts_traffic 1
}

t_ca_dir() {
    net_setup
    server_conf
    start_ntpd server system
    client_conf "server $SRV_IP nts ca $PKI/hashdir iburst"
    start_ntpd client shim
    expect_ke_ok
    expect_msg client "NTSc: Using dir $PKI/hashdir for root certificates."
    expect_msg client "NTSc: certificate is valid."
}

t_noval_untrusted() {
    net_setup
    server_conf "nts cert $PKI/selfsigned.pem" "nts key $PKI/selfsigned.key"
    start_ntpd server system
    client_conf "server $SRV_IP nts noval ca $PKI/ca.pem iburst minpoll 3 maxpoll 4"
    start_ntpd client shim
    expect_ke_ok
    expect_msg client "NTSc: certificate invalid: 18=>self-signed certificate"
    expect_msg client "NTSc: noval - accepting invalid cert."
    expect_log client "NTSc: Got 8 cookies, length 104, aead=15\."
    expect_nts_traffic 1
}

t_noval_wrong_name() {
    net_setup
    server_conf
    start_ntpd server system
    client_conf "server wrong.test nts noval ca $PKI/ca.pem iburst"
    start_ntpd client shim
    expect_ke_ok wrong.test
    expect_msg client "NTSc: certificate invalid: 62=>hostname mismatch"
    expect_msg client "NTSc: noval - accepting invalid cert."
}

# --- TLS options ----------------------------------------------------------

t_tlsciphersuites_client() {
    net_setup
    server_conf
    start_ntpd server system
    client_conf "server $SRV_IP nts ca $PKI/ca.pem iburst minpoll 3 maxpoll 4" \
        "nts tlsciphersuites TLS_CHACHA20_POLY1305_SHA256"
    start_ntpd client shim
    expect_ke_ok
    expect_msg client "NTS: set ciphersuites."
    expect_ke_success_lines "TLS_CHACHA20_POLY1305_SHA256 (256)"
    expect_nts_traffic 1
}

t_tlsciphersuites_server() {
    net_setup
    server_conf "nts tlsciphersuites TLS_AES_128_GCM_SHA256"
    start_ntpd server shim
    client_conf "server $SRV_IP nts ca $PKI/ca.pem iburst minpoll 3 maxpoll 4"
    start_ntpd client system
    expect_ke_ok
    expect_msg server "NTS: set ciphersuites."
    expect_ke_success_lines "TLS_AES_128_GCM_SHA256 (128)"
    expect_nts_traffic 1
}

t_no_shared_cipher_shimsrv() {
    net_setup
    server_conf "nts tlsciphersuites TLS_AES_128_GCM_SHA256"
    start_ntpd server shim
    client_conf "server $SRV_IP nts ca $PKI/ca.pem iburst" "nts tlsciphersuites TLS_CHACHA20_POLY1305_SHA256"
    start_ntpd client system
    expect_ke_fail
    wait_log server "NTSs: SSL accept from $CLI_IP:[0-9]+ failed" 5
    expect_log server "NTSs: SSL accept from $CLI_IP:[0-9]+ failed: no shared cipher, took"
    expect_msg client "NTSc: SSL_connect failed"
    expect_msg client "NTS: error:0A000410:SSL routines::sslv3 alert handshake failure"
}

t_no_shared_cipher_shimcli() {
    net_setup
    server_conf "nts tlsciphersuites TLS_AES_128_GCM_SHA256"
    start_ntpd server system
    client_conf "server $SRV_IP nts ca $PKI/ca.pem iburst" "nts tlsciphersuites TLS_CHACHA20_POLY1305_SHA256"
    start_ntpd client shim
    expect_ke_fail
    wait_log server "NTSs: SSL accept from $CLI_IP:[0-9]+ failed" 5
    expect_log server "NTSs: SSL accept from $CLI_IP:[0-9]+ failed: no shared cipher, took"
    expect_msg client "NTSc: SSL_connect failed"
    expect_msg client "NTS: error:0A000410:SSL routines::sslv3 alert handshake failure"
}

t_mintls_maxtls_tls13() {
    net_setup
    server_conf "nts mintls TLS1.3" "nts maxtls TLS1.3"
    start_ntpd server shim
    client_conf "server $SRV_IP nts ca $PKI/ca.pem iburst" "nts mintls TLS1.3" "nts maxtls TLS1.3"
    start_ntpd client shim
    expect_ke_ok
    expect_no_log server 'unrecognized version'
    expect_no_log client 'unrecognized version'
    expect_ke_success_lines
}

# ntpsec 1.2.2 accepts only "TLS1.3" for mintls/maxtls: a server configured with
# `maxtls TLS1.2` refuses to start (same on every libssl).
t_maxtls_tls12_rejected() {
    net_setup
    server_conf "nts maxtls TLS1.2"
    rm -f "$T/server.pid"
    in_ns "$NS_S" server env $(lib_env shim) "$NTPD" -n -c "$T/server.conf" -p "$T/server.pid"
    server_BG=$BG_PID
    wait_log server 'NTS: troubles during init\.  Bailing\.' 15 || fail "ntpd did not bail out"
    expect_msg server "NTS: TLS unrecognized version string: TLS1.2."
    local i
    for i in $(seq 1 50); do kill -0 "$BG_PID" 2>/dev/null || break; sleep 0.2; done
    kill -0 "$BG_PID" 2>/dev/null && fail "ntpd still running after 'Bailing'"
    return 0
}

# `nts tlsecdhcurves` (later ntpsec releases): skipped if this ntpd rejects the keyword.
t_tlsecdhcurves() {
    net_setup
    server_conf "nts tlsecdhcurves X25519"
    in_ns "$NS_S" probe env -u LD_LIBRARY_PATH "$NTPD" -n -c "$T/server.conf" -p "$T/probe.pid"
    server_BG=$BG_PID
    local i
    for i in $(seq 1 50); do
        grep -qE 'CONFIG: .*syntax error|NTSs: listen4 worked' "$T/server.log" "$T/probe.out" 2>/dev/null && break
        sleep 0.2
    done
    if grep -qE 'CONFIG: .*syntax error' "$T/server.log" "$T/probe.out" 2>/dev/null; then
        skip "ntpd $("$NTPD" --version 2>&1 | awk '{print $2}') has no 'nts tlsecdhcurves' option (config syntax error)"
    fi
    fail "ntpd accepted 'nts tlsecdhcurves'; this test does not know how to check it yet"
}

# --- TLS 1.2 peers (openssl CLI on the system OpenSSL) --------------------

# s_server ARGS...: openssl s_server on port 4460 in the server namespace (its
# stdin is kept open by a pipe: s_server quits on EOF).
s_server() {
    in_ns "$NS_S" s_server sh -c 'sleep 300 | exec "$@"' sh "$OPENSSL" s_server -accept 4460 \
        -cert "$PKI/server.pem" -key "$PKI/server.key" "$@"
    local i
    for i in $(seq 1 50); do
        grep -q '^ACCEPT' "$T/s_server.out" 2>/dev/null && return 0
        sleep 0.1
    done
    fail "openssl s_server did not start"
}

# openssl s_server offering only TLS 1.2 (with ALPN ntske/1): ntpd requires TLS 1.3
t_tls12_only_server() {
    net_setup
    s_server -tls1_2 -alpn ntske/1
    client_conf "server $SRV_IP nts ca $PKI/ca.pem iburst"
    start_ntpd client shim
    expect_ke_fail
    expect_msg client "NTSc: SSL_connect failed"
    expect_msg client "NTS: error:0A00042E:SSL routines::tlsv1 alert protocol version"
    expect_no_log client 'NTSc: Using TLS'
}

# openssl s_client limited to TLS 1.2 against the ntpd NTS-KE server on the shim
t_tls12_only_client() {
    net_setup
    server_conf
    start_ntpd server shim
    echo "+ s_client -tls1_2"
    ns_run "$NS_C" "$OPENSSL" s_client -connect "$SRV_IP:4460" -tls1_2 -alpn ntske/1 \
        -CAfile "$PKI/ca.pem" </dev/null >"$T/s_client.out" 2>&1
    echo "  s_client exit code: $?"
    wait_log server "NTSs: SSL accept from $CLI_IP:[0-9]+ failed" 5
    expect_log server "NTSs: SSL accept from $CLI_IP:[0-9]+ failed: unsupported protocol \\(TLSv1\\.2\\?\\), took"
    grep -q 'alert protocol version' "$T/s_client.out" ||
        mismatch "s_client did not get a protocol_version alert"
}

# a TLS 1.3 server without ALPN: the client must notice the missing ALPN
t_alpn_missing_server() {
    net_setup
    s_server -tls1_3
    client_conf "server $SRV_IP nts ca $PKI/ca.pem iburst"
    start_ntpd client shim
    expect_ke_fail
    expect_msg client "NTSc: certificate is valid."
    expect_log client "NTSc: No ALPN from $SRV_IP \("
}

# --- junk at the NTS-KE server (server on the shim) ------------------------

send_junk() { # BYTES (printf format)
    ns_run "$NS_C" "$PY" -c '
import socket, sys
s = socket.create_connection((sys.argv[1], 4460), timeout=5)
s.sendall(sys.argv[2].encode().decode("unicode_escape").encode("latin-1"))
try:
    print("got %r" % s.recv(4096)[:64])
except Exception as e:
    print("recv: %s" % e)
' "$SRV_IP" "$1"
}

t_server_http_request() {
    net_setup
    server_conf
    start_ntpd server shim
    send_junk 'GET / HTTP/1.0\r\n\r\n'
    wait_log server "NTSs: SSL accept from $CLI_IP:[0-9]+ failed" 5
    expect_log server "NTSs: SSL accept from $CLI_IP:[0-9]+ failed: http request, took"
}

t_server_garbage() {
    net_setup
    server_conf
    start_ntpd server shim
    send_junk '\x16\x03\x01\x00\x05\x01\x00\x00\x01\x00garbage-garbage-garbage'
    wait_log server "NTSs: SSL accept from $CLI_IP:[0-9]+ failed" 5
    # not one of the 4 reasons ntpd names (OpenSSL: "length too short"): the generic
    # form, followed by an error from the SSL library (ERR_LIB_SSL: 0A......)
    expect_log server "NTSs: SSL accept from $CLI_IP:[0-9]+ failed, took"
    expect_log server "NTS: error:0A[0-9A-F]{6}:SSL routines::"
    # the ntpd keeps serving afterwards: a normal client still succeeds
    client_conf "server $SRV_IP nts ca $PKI/ca.pem iburst"
    start_ntpd client system
    expect_ke_ok
}

###########################################################################
# Driver
###########################################################################

run_one() { # runs inside `timeout ... run.sh --one NAME`
    local name=$1
    T=$WORK/tests/$name
    TIMEX_BEFORE=$(timex)
    trap cleanup EXIT
    trap 'echo "killed by watchdog"; exit 124' TERM
    trap 'echo "interrupted"; exit 130' INT HUP
    "t_$name"
    [ ${#MISMATCH[@]} -eq 0 ] || fail "(log lines differ)"
}

main() {
    suite_args "$@"
    [ "$(id -u)" -eq 0 ] || { echo "must run as root (network namespaces, ntpd)" >&2; exit 2; }

    need ntpsec iproute2 openssl python3 util-linux ||
        { echo "ntpsec, iproute2, openssl, python3 and util-linux are required" >&2; exit 2; }
    [ -x "$PY" ] || PY=$(command -v python3)


    WORK=$(mktemp -d "${TMPDIR:-/tmp}/rustls-libssl-ntpd.XXXXXX")
    chmod 755 "$WORK"
    PKI=$WORK/pki
    export LIBDIR WORK PKI PY
    if ! (gen_pki "$PKI") >"$WORK/gen-pki.log" 2>&1; then
        cat "$WORK/gen-pki.log"
        echo "PKI generation failed" >&2
        exit 2
    fi
    mkdir -p "$WORK/tests"
    echo "# library: $LIBDIR; $("$NTPD" --version 2>&1); logs: $WORK"

    run_tests
}

{ main "$@"; exit $?; }  # one compound command: parsed whole before it runs
