#!/bin/bash
# nginx benchmarks: one nginx (Debian's, one worker) on one libssl.so.3, driven by tlsbench's
# TCP clients on the system OpenSSL.  Called by bench/run.py once per library and round; can be
# run by hand.
#
# usage: bench/nginx.sh --lib LIBDIR|system --tlsbench PATH --certdir DIR [--short] [--stability]
#
#   LIBDIR    directory holding the libssl.so.3 nginx loads (LD_LIBRARY_PATH); `system` runs
#             nginx on the system library.  The worker's /proc/PID/maps must show that library.
#   PATH      a tlsbench binary (bench/tlsbench.c); DIR holds its certificates (ca.pem,
#             ec.pem, ec.key).
#   --short   the CI sizes (below); default is the full sizes.
#   --stability  also run (d), the long memory-stability test.
#
# One line of key=value results on stdout (progress on stderr), in this order of measurement:
#   (b) worker CPU per full handshake over HS_K1 handshakes, each on a new connection with one
#       request (hs_worker_cpu_us), and the client's rate (hs_per_s);
#   (d) with --stability: worker VmRSS after those HS_K1 handshakes and after HS_K2 in all
#       (rss_k1_kb, rss_k2_kb, rss_growth_kb);
#   (a) idle keep-alive memory: worker VmRSS growth while IDLE_N connections, each after one
#       request, stay open (idle_bytes_per_conn);
#   (c) worker CPU per GB (1e9 bytes) of response body for downloads of /big with each TLS 1.3
#       cipher (dl_<cipher>_cpu_s_per_gb), and the client's rate (dl_<cipher>_mb_per_s).
# A warm-up comes first: WARM_N connections kept open then closed, WARM_N handshakes, and one
# download of /big (so the file is in the page cache).
# Worker CPU time is the on-CPU time in /proc/PID/schedstat (nanoseconds), or utime+stime of
# /proc/PID/stat (clock ticks, 10 ms) where schedstat is not available (cpu_source= says which).
# Exit status 1 on any failure: nginx not starting, the wrong library mapped, a failed
# connection, a worker that crashed or was replaced, alerts in the error log.  nginx is stopped
# on every exit path.
set -u

NGINX_BIN=/usr/sbin/nginx
SYSTEM_LIBSSL=/usr/lib/x86_64-linux-gnu/libssl.so.3
CIPHERS="TLS_AES_128_GCM_SHA256 TLS_AES_256_GCM_SHA384 TLS_CHACHA20_POLY1305_SHA256"

unset LD_PRELOAD OPENSSL_CONF SSLKEYLOGFILE
export LC_ALL=C
# free_port and is_listening, shared with the test suites (log and fail are redefined below).
PY=python3
# shellcheck source=../tests/lib.sh
. "$(dirname "$0")/../tests/lib.sh"

usage() {
    echo "usage: $0 --lib LIBDIR|system --tlsbench PATH --certdir DIR [--short] [--stability]" >&2
    exit 2
}

LIB= TLSBENCH= CERTDIR= SHORT=0 STABILITY=0
while [ $# -gt 0 ]; do
    case $1 in
        --lib) LIB=${2:-}; shift 2 ;;
        --tlsbench) TLSBENCH=${2:-}; shift 2 ;;
        --certdir) CERTDIR=${2:-}; shift 2 ;;
        --short) SHORT=1; shift ;;
        --stability) STABILITY=1; shift ;;
        *) usage ;;
    esac
done
[ -n "$LIB" ] && [ -x "$TLSBENCH" ] && [ -r "$CERTDIR/ec.pem" ] || usage
[ -x "$NGINX_BIN" ] || { echo "nginx.sh: $NGINX_BIN is missing (apt-get install nginx)" >&2; exit 2; }
TLSBENCH=$(readlink -f "$TLSBENCH")
CERTDIR=$(readlink -f "$CERTDIR")
if [ "$LIB" = system ]; then
    WANT_LIB=$(readlink -f "$SYSTEM_LIBSSL")
else
    [ -e "$LIB/libssl.so.3" ] || { echo "nginx.sh: $LIB has no libssl.so.3" >&2; exit 2; }
    LIB=$(readlink -f "$LIB")
    WANT_LIB=$(readlink -f "$LIB/libssl.so.3")
fi
# Use LD_LIBRARY_PATH for nginx only; every client runs on the system library.
unset LD_LIBRARY_PATH

if [ "$SHORT" = 1 ]; then
    WARM_N=300 HS_K1=5000 HS_K2=50000 IDLE_N=2000 BIG_MB=256 DL_COUNT=1 SERVER_TIMEOUT=600
else
    WARM_N=500 HS_K1=10000 HS_K2=1000000 IDLE_N=4000 BIG_MB=512 DL_COUNT=4 SERVER_TIMEOUT=7200
fi
# Environment overrides, for experiments.
WARM_N=${BENCH_WARM_N:-$WARM_N} HS_K1=${BENCH_HS_K1:-$HS_K1} HS_K2=${BENCH_HS_K2:-$HS_K2}
IDLE_N=${BENCH_IDLE_N:-$IDLE_N} BIG_MB=${BENCH_BIG_MB:-$BIG_MB} DL_COUNT=${BENCH_DL_COUNT:-$DL_COUNT}
HS_CONC=16
CLK_TCK=$(getconf CLK_TCK)
# The load client costs more CPU per handshake than the worker: the stability run (a throughput
# test) uses two client processes; the CPU measurement uses one so the worker keeps a core.
STAB_PROCS=2

log() { echo "# nginx[$LIB] $*" >&2; }

fail() {
    echo "nginx.sh: FAIL ($LIB): $*" >&2
    if [ -s "${D:-/nonexistent}/error.log" ]; then
        echo "nginx.sh: last lines of the error log:" >&2
        tail -n 15 "$D/error.log" | sed 's/^/  | /' >&2
    fi
    exit 1
}

###########################################################################
# nginx lifecycle; cleanup runs on every exit
###########################################################################

NGX_PID=      # the `timeout` wrapper around the master
MASTER=
WORKER=
CLIENT_PID=
D=

cleanup() {
    local pid i kids=()
    trap - EXIT INT TERM
    exec 7>&-
    if [ -n "$CLIENT_PID" ]; then
        kill -TERM "$CLIENT_PID" 2>/dev/null
        wait "$CLIENT_PID" 2>/dev/null
    fi
    if [ -n "$MASTER" ]; then
        kids=($(ps -o pid= --ppid "$MASTER" 2>/dev/null))
        kill -TERM "$MASTER" 2>/dev/null
    fi
    [ -n "$NGX_PID" ] && kill -TERM "$NGX_PID" 2>/dev/null
    for pid in $NGX_PID $MASTER "${kids[@]}"; do
        for i in $(seq 1 50); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL "$pid" 2>/dev/null
    done
    [ -n "$NGX_PID" ] && wait "$NGX_PID" 2>/dev/null
    if [ -n "$D" ]; then
        if [ "${KEEP_LOGS:-0}" = 1 ]; then echo "# logs kept in $D" >&2; else rm -rf "$D"; fi
    fi
}
trap cleanup EXIT
trap 'echo "nginx.sh: interrupted" >&2; exit 130' INT TERM

write_conf() {
    local user=
    [ "$(id -u)" -eq 0 ] && user="user nobody nogroup;"
    cat >"$D/nginx.conf" <<EOF
$user
worker_processes 1;
worker_rlimit_nofile 20000;
pid $D/nginx.pid;
error_log $D/error.log notice;
events { worker_connections 10000; }
http {
    access_log off;
    client_body_temp_path tmp/cb; proxy_temp_path tmp/proxy; fastcgi_temp_path tmp/fcgi;
    uwsgi_temp_path tmp/uwsgi; scgi_temp_path tmp/scgi;
    default_type application/octet-stream;
    keepalive_timeout 600s;
    keepalive_requests 1000000;
    ssl_protocols TLSv1.3;
    ssl_certificate $CERTDIR/ec.pem;
    ssl_certificate_key $CERTDIR/ec.key;
    server {
        listen 127.0.0.1:$PORT ssl backlog=4096;
        root $D/www;
        location = / { return 200 "ok\n"; }
        location = /big { }
    }
}
EOF
}

start_nginx() {
    local i env_cmd=(env -u LD_LIBRARY_PATH)
    [ "$LIB" != system ] && env_cmd=(env "LD_LIBRARY_PATH=$LIB")
    "${env_cmd[@]}" "$NGINX_BIN" -t -q -p "$D/" -c "$D/nginx.conf" -e "$D/error.log" >"$D/t.out" 2>&1 ||
        fail "nginx -t: $(head -3 "$D/t.out" | tr '\n' ' ')"
    timeout -k 3 "$SERVER_TIMEOUT" "${env_cmd[@]}" "$NGINX_BIN" -p "$D/" -c "$D/nginx.conf" -e "$D/error.log" \
        -g 'daemon off; master_process on;' >"$D/nginx.out" 2>&1 </dev/null &
    NGX_PID=$!
    for i in $(seq 1 100); do
        is_listening "$PORT" && [ -s "$D/nginx.pid" ] && break
        kill -0 "$NGX_PID" 2>/dev/null || fail "nginx exited at start: $(tail -3 "$D/nginx.out" | tr '\n' ' ')"
        sleep 0.1
    done
    is_listening "$PORT" || fail "nginx is not listening on $PORT after 10 s"
    MASTER=$(cat "$D/nginx.pid")
    for i in $(seq 1 50); do
        WORKER=$(ps -o pid= --ppid "$MASTER" | tr -d ' ')
        [ -n "$WORKER" ] && break
        sleep 0.1
    done
    [ "$(echo "$WORKER" | wc -w)" -eq 1 ] || fail "expected one worker, found '$WORKER'"
    check_worker_lib
    CPU_SOURCE=stat
    [ "$(awk '{print $1}' "/proc/$WORKER/schedstat" 2>/dev/null)" -gt 0 ] 2>/dev/null && CPU_SOURCE=schedstat
}

# The worker must have mapped the library under test (and no other libssl).
check_worker_lib() {
    local libs
    libs=$(awk '$6 ~ /\/libssl\.so/ {print $6}' "/proc/$WORKER/maps" | sort -u)
    [ -n "$libs" ] || fail "worker $WORKER has no libssl mapped"
    [ "$(echo "$libs" | wc -l)" -eq 1 ] || fail "worker maps several libssl: $(echo "$libs" | tr '\n' ' ')"
    [ "$(readlink -f "$libs")" = "$WANT_LIB" ] || fail "worker maps $libs, expected $WANT_LIB"
    log "worker $WORKER maps $libs"
}

# The worker must still be the one we measured, and the error log free of crashes and alerts.
check_worker_alive() {
    kill -0 "$WORKER" 2>/dev/null || fail "worker $WORKER died"
    [ "$(ps -o pid= --ppid "$MASTER" | tr -d ' ')" = "$WORKER" ] || fail "the worker was replaced (crash?)"
    if grep -qE 'exited on signal|\[(alert|crit|emerg)\]' "$D/error.log"; then
        fail "error log: $(grep -E 'exited on signal|\[(alert|crit|emerg)\]' "$D/error.log" | head -2 | tr '\n' ' ')"
    fi
}

# Worker CPU time in ns, and VmRSS in kB.
worker_cpu_ns() {
    if [ "$CPU_SOURCE" = schedstat ]; then
        awk '{print $1}' "/proc/$WORKER/schedstat"
    else
        sed 's/^.*) //' "/proc/$WORKER/stat" | awk -v hz="$CLK_TCK" '{printf "%.0f", ($12 + $13) * 1e9 / hz}'
    fi
}
worker_rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$WORKER/status"; }

###########################################################################
# Clients (system OpenSSL)
###########################################################################

# tb LIMIT ARGS...: run tlsbench (system library) for at most LIMIT seconds; stdout in
# $D/client.out, stderr in $D/client.err.  In the background plus `wait`, so that a TERM to this
# script runs cleanup at once instead of after the client.
tb() {
    local limit=$1 rc
    shift
    env -u LD_LIBRARY_PATH timeout -k 5 "$limit" "$TLSBENCH" "$@" >"$D/client.out" 2>"$D/client.err" </dev/null &
    CLIENT_PID=$!
    wait "$CLIENT_PID"
    rc=$?
    CLIENT_PID=
    return $rc
}

client_err() { head -5 "$D/client.err" | tr '\n' ' '; }

# kv LINE KEY: the value of KEY in a key=value line
kv() { echo "$1" | tr ' ' '\n' | sed -n "s/^$2=//p" | head -n 1; }

# hsload N [PROCS]: N full handshakes + GET, each on a new connection; sets HS_RATE.
hsload() {
    local n=$1 procs=${2:-1} out
    tb $((60 + n / 200)) client hsload --port "$PORT" --n "$n" --conc "$HS_CONC" --procs "$procs" --tls 1.3 \
        --certdir "$CERTDIR" ||
        fail "hsload --n $n: $(client_err)"
    out=$(cat "$D/client.out")
    [ "$(kv "$out" failures)" = 0 ] && [ "$(kv "$out" count)" = "$n" ] || fail "hsload: $out"
    HS_RATE=$(kv "$out" hs_per_s)
}

# idle_open N: open N keep-alive connections (one request each) and hold them until idle_close.
idle_open() {
    local n=$1 i
    rm -f "$D/idle.fifo" "$D/idle.out"
    mkfifo "$D/idle.fifo"
    # not through tb(): CLIENT_PID must be the `timeout` process itself
    env -u LD_LIBRARY_PATH timeout -k 5 $((120 + n / 20)) "$TLSBENCH" client idle --port "$PORT" --n "$n" \
        --tls 1.3 --certdir "$CERTDIR" <"$D/idle.fifo" >"$D/idle.out" 2>"$D/client.err" &
    CLIENT_PID=$!
    exec 7>"$D/idle.fifo"
    for i in $(seq 1 $((600 + n / 5))); do
        grep -q '^ready' "$D/idle.out" 2>/dev/null && break
        kill -0 "$CLIENT_PID" 2>/dev/null || break
        sleep 0.1
    done
    grep -q '^ready' "$D/idle.out" || fail "idle client not ready: $(client_err)"
    local line
    line=$(grep '^ready' "$D/idle.out")
    [ "$(kv "$line" failures)" = 0 ] && [ "$(kv "$line" count)" = "$n" ] || fail "idle: $line"
}

# download CIPHER [COUNT]: GET /big COUNT (default DL_COUNT) times on one connection; sets
# DL_BYTES and DL_RATE.
download() {
    local count=${2:-$DL_COUNT} out
    tb 300 client download --port "$PORT" --path /big --tls 1.3 --cipher "$1" --count "$count" \
        --certdir "$CERTDIR" || fail "download ($1): $(client_err)"
    out=$(cat "$D/client.out")
    DL_BYTES=$(kv "$out" bytes)
    DL_RATE=$(kv "$out" mb_per_s)
    [ "$DL_BYTES" = $((BIG_MB * 1048576 * count)) ] || fail "download ($1): $out"
}

# per_unit NS COUNT SCALE: worker seconds from NS, divided by COUNT, times SCALE
per_unit() { awk -v t="$1" -v n="$2" -v k="$3" 'BEGIN {printf "%.4g", t / 1e9 / n * k}'; }

idle_close() {
    exec 7>&-
    wait "$CLIENT_PID" || fail "idle client exited with status $?: $(client_err)"
    CLIENT_PID=
}

###########################################################################
# Benchmark
###########################################################################

D=$(mktemp -d "${TMPDIR:-/tmp}/tlsbench-nginx.XXXXXX")
chmod 755 "$D"
mkdir -p "$D/www" "$D/tmp"
truncate -s "${BIG_MB}M" "$D/www/big"
chmod -R a+rX "$D/www"
PORT=$(free_port)
write_conf
start_nginx

log "warm-up: $WARM_N idle connections, $WARM_N handshakes, one download"
idle_open "$WARM_N"
idle_close
hsload "$WARM_N" "$STAB_PROCS"
download TLS_AES_128_GCM_SHA256 1
sleep 0.5

results="worker_libssl=$WANT_LIB cpu_source=$CPU_SOURCE"
log "$HS_K1 full handshakes"
c0=$(worker_cpu_ns)
hsload "$HS_K1"
c1=$(worker_cpu_ns)
results+=" hs_count=$HS_K1 hs_worker_cpu_us=$(per_unit $((c1 - c0)) "$HS_K1" 1e6) hs_per_s=$HS_RATE"
check_worker_alive

if [ "$STABILITY" = 1 ]; then
    sleep 0.3
    rss_k1=$(worker_rss_kb)
    log "$((HS_K2 - HS_K1)) more full handshakes (memory stability)"
    hsload $((HS_K2 - HS_K1)) "$STAB_PROCS"
    sleep 0.3
    rss_k2=$(worker_rss_kb)
    check_worker_alive
    results+=" k1=$HS_K1 k2=$HS_K2 rss_k1_kb=$rss_k1 rss_k2_kb=$rss_k2 rss_growth_kb=$((rss_k2 - rss_k1))"
fi

log "$IDLE_N idle keep-alive connections"
rss0=$(worker_rss_kb)
idle_open "$IDLE_N"
sleep 1
rss1=$(worker_rss_kb)
check_worker_alive
idle_close

results+=" idle_conns=$IDLE_N idle_bytes_per_conn=$(((rss1 - rss0) * 1024 / IDLE_N))"

for cipher in $CIPHERS; do
    log "download ${DL_COUNT} x ${BIG_MB} MiB with $cipher"
    c0=$(worker_cpu_ns)
    download "$cipher"
    c1=$(worker_cpu_ns)
    name=$(echo "$cipher" | sed 's/^TLS_//; s/_SHA[0-9]*$//' | tr 'A-Z' 'a-z')
    results+=" dl_${name}_cpu_s_per_gb=$(per_unit $((c1 - c0)) "$DL_BYTES" 1e9) dl_${name}_mb_per_s=$DL_RATE"
done
check_worker_alive
check_worker_lib
echo "$results"
