#!/bin/bash
# HTTP/2 under many connections: one nginx (Debian's, one worker, http2 on its TLS 1.3
# listener) on one libssl.so.3, loaded by h2load (nghttp2-client, on the system OpenSSL) with
# CONNS concurrent keep-alive connections, each making many requests for a small static file.
# Called by bench/run.py once per library and round; can be run by hand.
#
# usage: bench/h2load.sh --lib LIBDIR|system --certdir DIR [--short] [--conns C] [--requests R]
#
#   LIBDIR    directory holding the libssl.so.3 nginx loads (LD_LIBRARY_PATH); `system` runs
#             nginx on the system library.  The worker's /proc/PID/maps must show that library.
#   DIR       holds ec.pem and ec.key (ECDSA P-256), as bench/run.py makes them.
#   --short   the CI sizes (below); default is the full sizes.
#   C, R      connections (default 1000) and requests in all (default: short 100000, full
#             400000), overriding the mode's.
#
# After a warm-up (WARM_CONNS connections, WARM_REQS requests), the worker's peak RSS is reset
# (/proc/PID/clear_refs) and h2load opens CONNS connections at once (a full TLS 1.3 handshake
# each) and makes REQS requests in all, one at a time on each connection (-m 1), then closes
# them.  One line of key=value results on stdout (progress on stderr):
#   cpu_us_per_req   worker CPU over the run / REQS (the CONNS handshakes included)
#   req_per_s        h2load's rate
#   rss_before_kb    worker VmRSS before the run
#   rss_peak_kb      worker VmHWM at the end of the run: the peak during it
#   peak_bytes_per_conn  (rss_peak_kb - rss_before_kb) / CONNS
#   conns_max        the most established connections to nginx seen while sampling (every 0.2 s)
#   cipher           the TLS 1.3 cipher suite h2load negotiated
# Exit status 1 on any failure: nginx not starting, the wrong library mapped, a request that
# failed or errored or had a status other than 200, not TLS 1.3 or not h2, a worker that
# crashed or was replaced, alerts in the error log.  nginx is stopped on every exit path.
set -u

# shellcheck disable=SC2034 # read by nginx-lib.sh
BENCH=h2load
# shellcheck source=nginx-lib.sh
. "$(dirname "$0")/nginx-lib.sh"

H2LOAD=/usr/bin/h2load
CONNS=1000
SMALL_BYTES=1024

usage() {
    echo "usage: $0 --lib LIBDIR|system --certdir DIR [--short] [--conns C] [--requests R]" >&2
    exit 2
}

LIB='' CERTDIR='' SHORT=0 CONNS_ARG='' REQS_ARG=''
while [ $# -gt 0 ]; do
    case $1 in
        --lib) LIB=${2:-}; shift 2 ;;
        --certdir) CERTDIR=${2:-}; shift 2 ;;
        --short) SHORT=1; shift ;;
        --conns) CONNS_ARG=${2:-}; shift 2 ;;
        --requests) REQS_ARG=${2:-}; shift 2 ;;
        *) usage ;;
    esac
done
[ -n "$LIB" ] && [ -r "$CERTDIR/ec.pem" ] || usage
[ -x "$H2LOAD" ] || { echo "h2load.sh: $H2LOAD is missing (apt-get install nghttp2-client)" >&2; exit 2; }
CERTDIR=$(readlink -f "$CERTDIR")
lib_select "$LIB"

if [ "$SHORT" = 1 ]; then
    WARM_CONNS=100 WARM_REQS=10000 REQS=100000 SERVER_TIMEOUT=300
else
    WARM_CONNS=200 WARM_REQS=20000 REQS=400000 SERVER_TIMEOUT=900
fi
CONNS=${CONNS_ARG:-$CONNS} REQS=${REQS_ARG:-$REQS}
[ "$CONNS" -ge 1 ] 2>/dev/null && [ "$REQS" -ge "$CONNS" ] 2>/dev/null || usage

# h2load needs a descriptor per connection, nginx (worker_rlimit_nofile) raises its own.
ulimit -n "$(ulimit -Hn)" 2>/dev/null
[ "$(ulimit -n)" = unlimited ] || [ "$(ulimit -n)" -ge $((CONNS + 100)) ] || ulimit -n $((CONNS + 100)) 2>/dev/null ||
    { echo "h2load.sh: ulimit -n is $(ulimit -n), $CONNS connections need more" >&2; exit 2; }

# established connections to 127.0.0.1:PORT, from /proc (state 01)
conns_open() {
    awk -v p="$(printf ':%04X' "$PORT")" '$2 ~ p"$" && $4 == "01" {n++} END {print n + 0}' /proc/net/tcp
}

# h2 CONNS REQS: h2load (system library) with CONNS connections and REQS requests for /small;
# checks that every request succeeded with 200 over TLS 1.3 and h2; sets REQ_RATE, TLS_CIPHER
# and CONNS_MAX (sampled while it runs).
h2() {
    local conns=$1 reqs=$2 out n want rc=0
    env -u LD_LIBRARY_PATH timeout -k 5 $((60 + reqs / 1000)) "$H2LOAD" -c "$conns" -n "$reqs" -m 1 -t 1 \
        "https://127.0.0.1:$PORT/small" >"$D/client.out" 2>"$D/client.err" </dev/null &
    CLIENT_PID=$!
    CONNS_MAX=0
    while kill -0 "$CLIENT_PID" 2>/dev/null; do
        n=$(conns_open)
        [ "$n" -gt "$CONNS_MAX" ] && CONNS_MAX=$n
        sleep 0.2
    done
    wait "$CLIENT_PID" || rc=$?
    CLIENT_PID=
    out=$(cat "$D/client.out")
    [ "$rc" = 0 ] || fail "h2load exited with status $rc: $(tail -5 "$D/client.out" | tr '\n' ' ') $(client_err)"
    grep -q '^TLS Protocol: TLSv1.3$' "$D/client.out" || fail "h2load: not TLS 1.3: $(grep '^TLS' "$D/client.out")"
    grep -q '^Application protocol: h2$' "$D/client.out" || fail "h2load: not h2: $(grep '^App' "$D/client.out")"
    want="requests: $reqs total, $reqs started, $reqs done, $reqs succeeded, 0 failed, 0 errored, 0 timeout"
    echo "$out" | grep -qxF "$want" || fail "h2load: $(echo "$out" | grep '^requests:')"
    echo "$out" | grep -qxF "status codes: $reqs 2xx, 0 3xx, 0 4xx, 0 5xx" ||
        fail "h2load: $(echo "$out" | grep '^status codes:')"
    TLS_CIPHER=$(sed -n 's/^Cipher: //p' "$D/client.out")
    REQ_RATE=$(echo "$out" | sed -n 's/^finished in [^,]*, \([0-9.]*\) req\/s,.*/\1/p')
    [ -n "$REQ_RATE" ] || fail "h2load: no rate in: $(echo "$out" | grep '^finished')"
}

nginx_dir
head -c "$SMALL_BYTES" /dev/zero | tr '\0' x >"$D/www/small"
chmod -R a+rX "$D/www"
PORT=$(free_port)
write_conf "    server {
        listen 127.0.0.1:$PORT ssl http2 backlog=4096;
        root $D/www;
        location = /small { }
    }"
start_nginx "$SERVER_TIMEOUT"

log "warm-up: $WARM_CONNS connections, $WARM_REQS requests"
h2 "$WARM_CONNS" "$WARM_REQS"
sleep 0.5
check_worker_alive

log "$CONNS connections, $REQS requests"
echo 5 >"/proc/$WORKER/clear_refs" || fail "cannot reset the worker's VmHWM"
rss0=$(worker_rss_kb)
c0=$(worker_cpu_ns)
h2 "$CONNS" "$REQS"
c1=$(worker_cpu_ns)
hwm=$(worker_hwm_kb)
check_worker_alive
check_worker_lib
echo "worker_libssl=$WANT_LIB cpu_source=$CPU_SOURCE conns=$CONNS requests=$REQS cipher=$TLS_CIPHER" \
    "cpu_us_per_req=$(per_unit $((c1 - c0)) "$REQS" 1e6) req_per_s=$REQ_RATE" \
    "rss_before_kb=$rss0 rss_peak_kb=$hwm peak_bytes_per_conn=$(((hwm - rss0) * 1024 / CONNS)) conns_max=$CONNS_MAX"
