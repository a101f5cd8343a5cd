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
#             ec.pem, ec.key, rsa.pem, rsa.key).
#   --short   the CI sizes (below); default is the full sizes.
#   --stability  also run (d), the long memory-stability test.
#
# One line of key=value results on stdout (progress on stderr), in this order of measurement:
#   (b) worker CPU per full handshake over HS_K1 handshakes, each on a new connection with one
#       request (hs_worker_cpu_us), and the client's rate (hs_per_s); the same over HS_RES
#       resumed handshakes, each with the newest ticket of the connection before it in the same
#       client slot (hs_resumed_*; every one checked with SSL_session_reused), and over HS_RSA
#       full handshakes with the RSA-2048 certificate (a second server block; hs_rsa_*);
#   (d) with --stability: worker VmRSS after those HS_K1 handshakes and after HS_K2 in all
#       (rss_k1_kb, rss_k2_kb, rss_growth_kb);
#   (a) idle keep-alive memory: worker VmRSS growth while IDLE_N connections, each after one
#       request, stay open (idle_bytes_per_conn);
#   (c) worker CPU per GB (1e9 bytes) of response body for downloads of /big with each TLS 1.3
#       cipher (dl_<cipher>_cpu_s_per_gb), and the client's rate (dl_<cipher>_mb_per_s).
# A warm-up comes first: WARM_N connections kept open then closed, WARM_N handshakes of each
# kind, and one download of /big (so the file is in the page cache).
# Worker CPU time is the on-CPU time in /proc/PID/schedstat (nanoseconds), or utime+stime of
# /proc/PID/stat (clock ticks, 10 ms) where schedstat is not available (cpu_source= says which).
# Exit status 1 on any failure: nginx not starting, the wrong library mapped, a failed
# connection, a worker that crashed or was replaced, alerts in the error log.  nginx is stopped
# on every exit path.
set -u

# shellcheck disable=SC2034 # read by nginx-lib.sh
BENCH=nginx
CIPHERS="TLS_AES_128_GCM_SHA256 TLS_AES_256_GCM_SHA384 TLS_CHACHA20_POLY1305_SHA256"
# shellcheck source=nginx-lib.sh
. "$(dirname "$0")/nginx-lib.sh"

usage() {
    echo "usage: $0 --lib LIBDIR|system --tlsbench PATH --certdir DIR [--short] [--stability]" >&2
    exit 2
}

LIB='' TLSBENCH='' CERTDIR='' SHORT=0 STABILITY=0
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
TLSBENCH=$(readlink -f "$TLSBENCH")
CERTDIR=$(readlink -f "$CERTDIR")
lib_select "$LIB"

if [ "$SHORT" = 1 ]; then
    WARM_N=300 HS_K1=5000 HS_RES=5000 HS_RSA=2000 HS_K2=50000 IDLE_N=2000 BIG_MB=256 DL_COUNT=1
    SERVER_TIMEOUT=600
else
    WARM_N=500 HS_K1=10000 HS_RES=10000 HS_RSA=5000 HS_K2=1000000 IDLE_N=4000 BIG_MB=512 DL_COUNT=4
    SERVER_TIMEOUT=7200
fi
# Environment overrides, for experiments.
WARM_N=${BENCH_WARM_N:-$WARM_N} HS_K1=${BENCH_HS_K1:-$HS_K1} HS_K2=${BENCH_HS_K2:-$HS_K2}
HS_RES=${BENCH_HS_RES:-$HS_RES} HS_RSA=${BENCH_HS_RSA:-$HS_RSA}
IDLE_N=${BENCH_IDLE_N:-$IDLE_N} BIG_MB=${BENCH_BIG_MB:-$BIG_MB} DL_COUNT=${BENCH_DL_COUNT:-$DL_COUNT}
HS_CONC=16
# The load client costs more CPU per handshake than the worker: the stability run (a throughput
# test) uses two client processes; the CPU measurement uses one so the worker keeps a core.
STAB_PROCS=2

###########################################################################
# Clients (tlsbench on the system OpenSSL)
###########################################################################

# tb LIMIT ARGS...: tlsbench for at most LIMIT seconds (run_client: output in $D/client.out).
tb() {
    local limit=$1
    shift
    run_client "$limit" "$TLSBENCH" "$@"
}

# gate_open LIMIT ARGS...: tlsbench ARGS (at most LIMIT seconds) in the background, its stdin
# a FIFO this shell holds open (fd 7), until it prints its `ready` line (then it waits for the
# end of stdin); sets READY to that line.  gate_close lets it go on and waits for its end; its
# output is in $D/gate.out.
gate_open() {
    local limit=$1
    shift
    rm -f "$D/gate.fifo" "$D/gate.out"
    mkfifo "$D/gate.fifo"
    # not through tb(): CLIENT_PID must be the `timeout` process itself
    env -u LD_LIBRARY_PATH timeout -k 5 "$limit" "$TLSBENCH" "$@" <"$D/gate.fifo" >"$D/gate.out" \
        2>"$D/client.err" &
    CLIENT_PID=$!
    exec 7>"$D/gate.fifo"
    for _ in $(seq 1 $((limit * 10))); do
        grep -q '^ready' "$D/gate.out" 2>/dev/null && break
        kill -0 "$CLIENT_PID" 2>/dev/null || break
        sleep 0.1
    done
    READY=$(grep '^ready' "$D/gate.out") || fail "$2 client not ready: $(client_err)"
}

gate_close() {
    local rc=0
    exec 7>&-
    wait "$CLIENT_PID" || rc=$?
    CLIENT_PID=
    [ "$rc" = 0 ] || fail "client exited with status $rc: $(client_err)"
}

# hsload N [PROCS [KEY [RESUME]]]: N handshakes + GET, each on a new connection, to the server
# with the KEY (ec, the default, or rsa) certificate; full, or with RESUME=2 each resuming the
# newest session (ticket) of the connection before it (tlsbench checks SSL_session_reused and
# the certificate's key type on each).  Sets HS_RATE, and HS_CPU_NS: the worker's CPU time
# over the N (after the client's full handshakes that get the first sessions).
hsload() {
    local n=$1 procs=${2:-1} key=${3:-ec} resume=${4:-0} port=$PORT c0 out
    [ "$key" = rsa ] && port=$RSA_PORT
    gate_open $((60 + n / 200)) client hsload --port "$port" --n "$n" --conc "$HS_CONC" --procs "$procs" \
        --tls 1.3 --resume "$resume" --key "$key" --certdir "$CERTDIR"
    c0=$(worker_cpu_ns)
    gate_close
    HS_CPU_NS=$(($(worker_cpu_ns) - c0))
    out=$(grep -v '^ready' "$D/gate.out")
    [ "$(kv "$out" failures)" = 0 ] && [ "$(kv "$out" count)" = "$n" ] || fail "hsload: $out"
    HS_RATE=$(kv "$out" hs_per_s)
}

# hs_figures NAME N KEY RESUME: hsload N on one client process; adds NAME_worker_cpu_us (worker
# CPU per handshake) and NAME_per_s (the client's rate) to the results.
hs_figures() {
    hsload "$2" 1 "$3" "$4"
    results+=" ${1}_worker_cpu_us=$(per_unit "$HS_CPU_NS" "$2" 1e6) ${1}_per_s=$HS_RATE"
    check_worker_alive
}

# idle_open N: open N keep-alive connections (one request each) and hold them until gate_close.
idle_open() {
    gate_open $((120 + $1 / 20)) client idle --port "$PORT" --n "$1" --tls 1.3 --certdir "$CERTDIR"
    [ "$(kv "$READY" failures)" = 0 ] && [ "$(kv "$READY" count)" = "$1" ] || fail "idle: $READY"
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

###########################################################################
# Benchmark
###########################################################################

nginx_dir
truncate -s "${BIG_MB}M" "$D/www/big"
chmod -R a+rX "$D/www"
PORT=$(free_port)
RSA_PORT=$(free_port)
write_conf "    server {
        listen 127.0.0.1:$PORT ssl backlog=4096;
        root $D/www;
        location = / { return 200 \"ok\\n\"; }
        location = /big { }
    }
    server {
        listen 127.0.0.1:$RSA_PORT ssl backlog=4096;
        ssl_certificate $CERTDIR/rsa.pem;
        ssl_certificate_key $CERTDIR/rsa.key;
        location = / { return 200 \"ok\\n\"; }
    }"
start_nginx "$SERVER_TIMEOUT"
log "warm-up: $WARM_N idle connections, $WARM_N handshakes (ECDSA, ECDSA resumed, RSA), one download"
idle_open "$WARM_N"
gate_close
hsload "$WARM_N" "$STAB_PROCS"
hsload "$WARM_N" "$STAB_PROCS" ec 2
hsload "$WARM_N" "$STAB_PROCS" rsa
download TLS_AES_128_GCM_SHA256 1
sleep 0.5

results="worker_libssl=$WANT_LIB cpu_source=$CPU_SOURCE hs_count=$HS_K1"
log "$HS_K1 full handshakes"
hs_figures hs "$HS_K1" ec 0
log "$HS_RES resumed handshakes (the newest ticket of the connection before)"
results+=" hs_resumed_count=$HS_RES"
hs_figures hs_resumed "$HS_RES" ec 2
log "$HS_RSA full handshakes with the RSA-2048 certificate"
results+=" hs_rsa_count=$HS_RSA"
hs_figures hs_rsa "$HS_RSA" rsa 0

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
gate_close

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
