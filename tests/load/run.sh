#!/bin/bash
# run.sh LIBDIR — nginx under load with reloads, on the shim and then on the system OpenSSL.
#
# For each library: Debian's nginx (master_process on, 2 workers) serving HTTPS, driven for
# LOAD_SECONDS (default 300) by LOAD_PROCS (default 4) tests/load/loadclient processes on the
# system OpenSSL: TLS 1.3 and 1.2, about half the handshakes resumed, 1-4 keep-alive requests a
# connection and a 1 MiB download every eighth connection; SIGHUP (reload) to the master every
# LOAD_RELOAD (default 30) seconds. Worker and master RSS are sampled every 2 s.
#
# Fails when a run has failed requests other than those a reload closes (the client's
# `errors`; the closed ones are counted and reported), a crash ("exited on signal" or an
# [alert]/[emerg] in the error log), fewer than 2 workers at the end, a worker serving on
# another libssl, or the shim's memory not flat: the newest workers' RssAnon at the end more
# than RSS_SLACK_KB (default 8192) above the first workers' just before the first reload (each
# reload starts workers afresh, so this compares workers of about the same age), or the
# master's (which builds a new SSL_CTX at every reload) more than RSS_SLACK_KB above its size
# after the first reload. VmRSS is reported too; it also counts the shared session cache's
# pages, which fill over the run.
# The system OpenSSL run is for comparison: reported, and failed only on errors and crashes.
# LOAD_SECONDS=60 is a CI-sized run (about two and a half minutes for both libraries).
# KEEP_LOGS=1 keeps the work directory.
set -u

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PY=/usr/bin/python3
# shellcheck source=../lib.sh
. "$HERE/../lib.sh"
NGINX=/usr/sbin/nginx
LOAD_SECONDS=${LOAD_SECONDS:-300}
LOAD_PROCS=${LOAD_PROCS:-4}
LOAD_RELOAD=${LOAD_RELOAD:-30}
RSS_SLACK_KB=${RSS_SLACK_KB:-8192}
export LC_ALL=C
unset LD_PRELOAD OPENSSL_CONF SSL_CERT_FILE SSL_CERT_DIR SSLKEYLOGFILE

if [ $# -ne 1 ] || [ ! -e "$1/libssl.so.3" ]; then
    echo "usage: $0 LIBDIR   (LIBDIR holds the shim's libssl.so.3)" >&2
    exit 2
fi
LIBDIR=$(cd "$1" && pwd)
unset LD_LIBRARY_PATH
need nginx openssl libssl-dev gcc python3 ||
    { echo "SKIP: nginx, openssl, libssl-dev, gcc and python3 are needed"; exit 77; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/rustls-libssl-load.XXXXXX")
chmod 755 "$WORK"
T=$WORK
FAILED=0
MASTER=
NGX_PID=
CLIENTS=()
cleanup() {
    local kids=()
    stop_pids 20 "${CLIENTS[@]}"
    if [ -n "$MASTER" ]; then
        kids=($(ps -o pid= --ppid "$MASTER" 2>/dev/null))
        kill -TERM "$MASTER" 2>/dev/null
    fi
    [ -n "$NGX_PID" ] && stop_pids 50 "$NGX_PID"
    [ ${#kids[@]} -gt 0 ] && kill -KILL "${kids[@]}" 2>/dev/null
    MASTER= NGX_PID=
}
finish() {
    cleanup
    if [ "$FAILED" -eq 0 ] && [ "${KEEP_LOGS:-0}" != 1 ]; then rm -rf "$WORK"; else echo "# logs kept in $WORK"; fi
}
trap finish EXIT
trap 'exit 124' TERM INT

bash "$HERE/../curl/gen-certs.sh" "$WORK/pki" >"$WORK/gen-certs.log" 2>&1 ||
    { cat "$WORK/gen-certs.log"; echo "FAIL: certificate generation"; FAILED=1; exit 1; }
chmod -R a+rX "$WORK/pki"
cc -O2 -Wall -Wextra -Werror -o "$WORK/loadclient" "$HERE/loadclient.c" -lssl -lcrypto ||
    { echo "FAIL: could not build tests/load/loadclient.c"; FAILED=1; exit 1; }

# rss PID: VmRSS and RssAnon in kB (VmRSS also counts the pages of the shared session cache
# each process has touched, which fill up over the run and survive reloads; RssAnon is the
# process's own heap).
rss() { awk '/^VmRSS:/ {r = $2} /^RssAnon:/ {a = $2} END {if (r != "") print r, a}' "/proc/$1/status" 2>/dev/null; }
# The master's workers that are not shutting down (after a reload the old ones linger).
workers() {
    local p
    for p in $(ps -o pid= --ppid "$MASTER" 2>/dev/null); do
        grep -q 'shutting down' "/proc/$p/cmdline" 2>/dev/null || echo "$p"
    done
}

# run_lib NAME LIB: one run; prints the figures and sets FAILED.
run_lib() {
    local name=$1 lib=$2 d=$WORK/$1 port i w maps want
    port=$(free_port)
    mkdir -p "$d/tmp" "$d/www"
    head -c 1048576 /dev/urandom >"$d/www/big"
    cat >"$d/nginx.conf" <<EOF
worker_processes 2;
worker_rlimit_nofile 4096;
pid $d/nginx.pid;
error_log $d/error.log notice;
events { worker_connections 2048; }
http {
    access_log off;
    client_body_temp_path tmp/cb; proxy_temp_path tmp/proxy; fastcgi_temp_path tmp/fcgi;
    uwsgi_temp_path tmp/uwsgi; scgi_temp_path tmp/scgi;
    default_type application/octet-stream;
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_certificate $WORK/pki/ec.pem;
    ssl_certificate_key $WORK/pki/ec.key;
    ssl_session_cache shared:SSL:10m;
    server {
        listen 127.0.0.1:$port ssl backlog=1024;
        root $d/www;
        location = / { return 200 "ok\n"; }
        location = /big { }
    }
}
EOF
    chmod -R a+rX "$d"
    chown -R nobody "$d/tmp"
    lib_env "$lib"
    SERVER_TIMEOUT=$((LOAD_SECONDS + 120))
    bg "nginx-$name" "${LIB_ENV[@]}" "$NGINX" -p "$d/" -c "$d/nginx.conf" -e "$d/error.log" \
        -g 'daemon off; master_process on;'
    NGX_PID=$BG_PID
    wait_listen "$port" "$NGX_PID" || { cat "$WORK/nginx-$name.out" "$d/error.log"; echo "FAIL: nginx ($name) did not start"; FAILED=1; return; }
    for i in $(seq 1 50); do [ -s "$d/nginx.pid" ] && break; sleep 0.1; done
    MASTER=$(cat "$d/nginx.pid")
    sleep 0.5
    want=$([ "$lib" = system ] && readlink -f /usr/lib/x86_64-linux-gnu/libssl.so.3 || readlink -f "$lib/libssl.so.3")
    for w in $(workers); do
        maps=$(mapped_libssl "$w")
        [ "$(readlink -f "$maps")" = "$want" ] || { echo "FAIL: nginx ($name) worker $w maps '$maps', not $want"; FAILED=1; return; }
    done
    echo "# nginx ($name): port $port, master $MASTER, workers $(workers | tr '\n' ' ')maps $want"

    local start end next_reload reloads=0 now samples=$d/rss.txt
    start=$(date +%s)
    end=$((start + LOAD_SECONDS))
    next_reload=$((start + LOAD_RELOAD))
    CLIENTS=()
    for i in $(seq 1 "$LOAD_PROCS"); do
        env -u LD_LIBRARY_PATH "$WORK/loadclient" "$port" "$WORK/pki/root.pem" "$LOAD_SECONDS" 0 /big \
            >"$d/client$i.out" 2>"$d/client$i.err" &
        CLIENTS+=($!)
    done
    : >"$samples"
    while :; do
        now=$(date +%s)
        [ "$now" -ge "$end" ] && break
        if [ "$now" -ge "$next_reload" ] && [ "$now" -lt $((end - 5)) ]; then
            kill -HUP "$MASTER"
            reloads=$((reloads + 1))
            next_reload=$((next_reload + LOAD_RELOAD))
        fi
        # seconds, master VmRSS and RssAnon, the largest VmRSS and RssAnon among the current
        # workers
        local wr=0 wa=0 r a
        for w in $(workers); do
            read -r r a <<<"$(rss "$w")"
            [ -n "$r" ] && [ "$r" -gt "$wr" ] && wr=$r
            [ -n "$a" ] && [ "$a" -gt "$wa" ] && wa=$a
        done
        echo "$((now - start)) $(rss "$MASTER") $wr $wa" >>"$samples"
        sleep 2
    done
    for i in "${!CLIENTS[@]}"; do wait "${CLIENTS[$i]}"; done
    CLIENTS=()
    local nworkers
    nworkers=$(workers | wc -l)
    local sums
    sums=$(cat "$d"/client*.out | awk '{for (i = 1; i <= NF; i++) {split($i, kv, "="); s[kv[1]] += kv[2]; if (!(kv[1] in o)) {o[kv[1]] = ++n; k[n] = kv[1]}}}
        END {for (i = 1; i <= n; i++) printf "%s=%d ", k[i], s[k[i]]}')
    local errors crashes alerts
    errors=$(echo "$sums" | sed -n 's/.*errors=\([0-9]*\).*/\1/p')
    crashes=$(grep -ac 'exited on signal' "$d/error.log")
    alerts=$(grep -aE '\[(alert|emerg)\]' "$d/error.log" | grep -avc 'exited on signal')
    cleanup
    # RSS (VmRSS/RssAnon): the workers' at the last sample before the first reload (warm), at
    # the end, the max; the master's after the first reload, at the end, the max.
    local figs
    figs=$(awk -v reload="$LOAD_RELOAD" '
        $1 < reload - 1 {ws = $4; wsa = $5}
        $1 >= reload + 4 && ms == "" {ms = $2; msa = $3}
        {if ($4 > wmax) wmax = $4; if ($5 > wamax) wamax = $5; if ($2 > mmax) mmax = $2; if ($3 > mamax) mamax = $3
         we = $4; wea = $5; me = $2; mea = $3}
        END {if (ws == "") {ws = we; wsa = wea}; if (ms == "") {ms = me; msa = mea}
             print ws, wsa, we, wea, wmax, wamax, ms, msa, me, mea, mmax, mamax}' "$samples")
    read -r ws wsa we wea wmax wamax ms msa me mea mmax mamax <<<"$figs"
    echo "== $name: ${LOAD_SECONDS}s, $LOAD_PROCS clients, $reloads reloads: $sums"
    echo "   worker VmRSS/RssAnon kB: before the first reload $ws/$wsa, end $we/$wea, max $wmax/$wamax"
    echo "   master VmRSS/RssAnon kB: after the first reload $ms/$msa, end $me/$mea, max $mmax/$mamax"
    echo "   crashes: $crashes, alerts/emergs: $alerts, workers at the end: $nworkers"
    [ -n "$errors" ] && [ "$errors" -eq 0 ] || { echo "FAIL ($name): $errors failed requests/handshakes (not reload closures):"; cat "$d"/client*.err | sort | uniq -c | sort -rn | head -n 10 | sed 's/^/  | /'; FAILED=1; }
    [ "$crashes" -eq 0 ] && [ "$alerts" -eq 0 ] || { echo "FAIL ($name): crashes or alerts in the error log:"; grep -aE '\[(alert|emerg)\]' "$d/error.log" | head -n 5 | sed 's/^/  | /'; FAILED=1; }
    [ "$nworkers" -eq 2 ] || { echo "FAIL ($name): $nworkers workers at the end, not 2"; FAILED=1; }
    if [ "$name" = shim ]; then
        [ "$wea" -le $((wsa + RSS_SLACK_KB)) ] || { echo "FAIL (shim): worker RssAnon grew from $wsa to $wea kB"; FAILED=1; }
        [ "$mea" -le $((msa + RSS_SLACK_KB)) ] || { echo "FAIL (shim): master RssAnon grew from $msa to $mea kB over the reloads"; FAILED=1; }
    fi
}

run_lib shim "$LIBDIR"
run_lib system system
[ "$FAILED" -eq 0 ] && echo "load: ok" || echo "load: FAILED"
exit "$FAILED"
