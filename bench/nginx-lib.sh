# shellcheck shell=bash
# Shared by the benchmarks that measure one nginx worker (bench/nginx.sh, bench/h2load.sh):
# Debian's nginx with one worker on the libssl.so.3 under test, started and stopped, its
# worker's mapped libssl checked, its CPU time and memory read from /proc; clients run on the
# system library.  Sourced, after the script has set BENCH (its name, for messages).
#
# The sourcing script calls lib_select LIB, nginx_dir, sets PORT (the port start_nginx waits
# for), write_conf SERVER_BLOCKS and start_nginx LIMIT; cleanup runs on every exit.

NGINX_BIN=/usr/sbin/nginx
SYSTEM_LIBSSL=/usr/lib/x86_64-linux-gnu/libssl.so.3

unset LD_PRELOAD OPENSSL_CONF SSLKEYLOGFILE
export LC_ALL=C
# free_port and is_listening, shared with the test suites (log and fail are redefined below).
# shellcheck disable=SC2034 # read by tests/lib.sh's free_port
PY=python3
# shellcheck source=../tests/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../tests/lib.sh"

CLK_TCK=$(getconf CLK_TCK)

log() { echo "# ${BENCH}[$LIB] $*" >&2; }

fail() {
    echo "$BENCH.sh: FAIL ($LIB): $*" >&2
    if [ -s "${D:-/nonexistent}/error.log" ]; then
        echo "$BENCH.sh: last lines of the error log:" >&2
        tail -n 15 "$D/error.log" | sed 's/^/  | /' >&2
    fi
    exit 1
}

# lib_select LIBDIR|system: sets LIB (absolute) and WANT_LIB, the file the worker must map.
# LD_LIBRARY_PATH is given to nginx only; every client runs on the system library.
lib_select() {
    LIB=$1
    [ -x "$NGINX_BIN" ] || { echo "$BENCH.sh: $NGINX_BIN is missing (apt-get install nginx)" >&2; exit 2; }
    if [ "$LIB" = system ]; then
        WANT_LIB=$(readlink -f "$SYSTEM_LIBSSL")
    else
        [ -e "$LIB/libssl.so.3" ] || { echo "$BENCH.sh: $LIB has no libssl.so.3" >&2; exit 2; }
        LIB=$(readlink -f "$LIB")
        WANT_LIB=$(readlink -f "$LIB/libssl.so.3")
    fi
    unset LD_LIBRARY_PATH
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
    local pid kids=()
    trap - EXIT INT TERM
    exec 7>&-
    if [ -n "$CLIENT_PID" ]; then
        kill -TERM "$CLIENT_PID" 2>/dev/null
        wait "$CLIENT_PID" 2>/dev/null
    fi
    if [ -n "$MASTER" ]; then
        mapfile -t kids < <(ps -o pid= --ppid "$MASTER" 2>/dev/null | tr -d ' ')
        kill -TERM "$MASTER" 2>/dev/null
    fi
    [ -n "$NGX_PID" ] && kill -TERM "$NGX_PID" 2>/dev/null
    for pid in $NGX_PID $MASTER "${kids[@]}"; do
        for _ in $(seq 1 50); do
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
trap 'echo "$BENCH.sh: interrupted" >&2; exit 130' INT TERM

# nginx_dir: the working directory D (configuration, logs, document root $D/www).
nginx_dir() {
    D=$(mktemp -d "${TMPDIR:-/tmp}/tlsbench-$BENCH.XXXXXX")
    chmod 755 "$D"
    mkdir -p "$D/www" "$D/tmp"
}

# write_conf SERVER_BLOCKS: one worker, TLS 1.3 only, the ECDSA leaf of CERTDIR unless a server
# block names another, long keep-alive; SERVER_BLOCKS (nginx `server { }` text) go inside http.
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
$1
}
EOF
}

# start_nginx LIMIT: nginx for at most LIMIT seconds; sets MASTER, WORKER and CPU_SOURCE.
start_nginx() {
    local limit=$1 env_cmd=(env -u LD_LIBRARY_PATH)
    [ "$LIB" != system ] && env_cmd=(env "LD_LIBRARY_PATH=$LIB")
    "${env_cmd[@]}" "$NGINX_BIN" -t -q -p "$D/" -c "$D/nginx.conf" -e "$D/error.log" >"$D/t.out" 2>&1 ||
        fail "nginx -t: $(head -3 "$D/t.out" | tr '\n' ' ')"
    timeout -k 3 "$limit" "${env_cmd[@]}" "$NGINX_BIN" -p "$D/" -c "$D/nginx.conf" -e "$D/error.log" \
        -g 'daemon off; master_process on;' >"$D/nginx.out" 2>&1 </dev/null &
    NGX_PID=$!
    for _ in $(seq 1 100); do
        is_listening "$PORT" && [ -s "$D/nginx.pid" ] && break
        kill -0 "$NGX_PID" 2>/dev/null || fail "nginx exited at start: $(tail -3 "$D/nginx.out" | tr '\n' ' ')"
        sleep 0.1
    done
    is_listening "$PORT" || fail "nginx is not listening on $PORT after 10 s"
    MASTER=$(cat "$D/nginx.pid")
    for _ in $(seq 1 50); do
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

# Worker CPU time in ns (the on-CPU time of schedstat, or utime+stime in clock ticks), and its
# VmRSS / VmHWM in kB.
worker_cpu_ns() {
    if [ "$CPU_SOURCE" = schedstat ]; then
        awk '{print $1}' "/proc/$WORKER/schedstat"
    else
        sed 's/^.*) //' "/proc/$WORKER/stat" | awk -v hz="$CLK_TCK" '{printf "%.0f", ($12 + $13) * 1e9 / hz}'
    fi
}
worker_rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$WORKER/status"; }
worker_hwm_kb() { awk '/^VmHWM:/ {print $2}' "/proc/$WORKER/status"; }

###########################################################################
# Clients (system OpenSSL) and figures
###########################################################################

# run_client LIMIT PROGRAM ARGS...: run a client on the system library for at most LIMIT
# seconds; stdout in $D/client.out, stderr in $D/client.err.  In the background plus `wait`, so
# that a TERM to this script runs cleanup at once instead of after the client.
run_client() {
    local limit=$1 rc
    shift
    env -u LD_LIBRARY_PATH timeout -k 5 "$limit" "$@" >"$D/client.out" 2>"$D/client.err" </dev/null &
    CLIENT_PID=$!
    wait "$CLIENT_PID"
    rc=$?
    CLIENT_PID=
    return $rc
}

client_err() { head -5 "$D/client.err" | tr '\n' ' '; }

# kv LINE KEY: the value of KEY in a key=value line
kv() { echo "$1" | tr ' ' '\n' | sed -n "s/^$2=//p" | head -n 1; }

# per_unit NS COUNT SCALE: worker seconds from NS, divided by COUNT, times SCALE
per_unit() { awk -v t="$1" -v n="$2" -v k="$3" 'BEGIN {printf "%.4g", t / 1e9 / n * k}'; }
