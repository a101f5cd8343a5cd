#!/bin/bash
# run.sh LIBDIR — valgrind's memcheck over nginx and curl on the shim.
#
# (a) Debian's nginx on the shim (one worker, master_process on) run under
#     `valgrind --trace-children=yes`, which follows the master into every worker it forks,
#     serving VALGRIND_REQUESTS (default 10,000) HTTPS requests from tests/load/loadclient on
#     the system OpenSSL (TLS 1.3 and 1.2, about half the handshakes resumed, by ticket on one
#     port and by nginx's shared session cache on the other, 1-4 keep-alive requests a
#     connection), in VALGRIND_RELOADS (default 100) rounds: each round starts two clients
#     with its share of the requests, sends SIGHUP (reload) to the master while they run, and
#     waits for them and for the new worker. Then SIGQUIT, and every process's leak check.
# (b) curl on the shim under valgrind, against a second nginx (on the system OpenSSL, not under
#     valgrind): a few dozen transfers, TLS 1.3 and 1.2, resumed sessions (new connections in
#     one curl process), and failures (an untrusted certificate, a wrong host name).
#
# memcheck: --leak-check=full, definitely and indirectly lost blocks shown and counted as
# errors. Every memory error (invalid access, uninitialised value, bad free...) fails the run,
# and so does every loss record with a frame in the shim; loss records of libcrypto's and of
# the program's own are reported with their bytes (see summarize). tests/valgrind/valgrind.supp
# holds the suppressions, each with its reason. Prints the wall times.
# Sizes: about 3 minutes on 2 shared cores at the defaults (nginx 154 s, curl 22 s);
# VALGRIND_REQUESTS=1000 VALGRIND_RELOADS=10 takes under a minute. KEEP_LOGS=1 keeps the work directory
# (valgrind logs: nginx/vg.PID.log, curl/vg.*.log).
set -u

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PY=/usr/bin/python3
# shellcheck source=../lib.sh
. "$HERE/../lib.sh"
NGINX=/usr/sbin/nginx
CURL=/usr/bin/curl
REQUESTS=${VALGRIND_REQUESTS:-10000}
RELOADS=${VALGRIND_RELOADS:-100}
export LC_ALL=C
unset LD_PRELOAD OPENSSL_CONF SSL_CERT_FILE SSL_CERT_DIR SSLKEYLOGFILE CURL_CA_BUNDLE

if [ $# -ne 1 ] || [ ! -e "$1/libssl.so.3" ]; then
    echo "usage: $0 LIBDIR   (LIBDIR holds the shim's libssl.so.3)" >&2
    exit 2
fi
LIBDIR=$(cd "$1" && pwd)
unset LD_LIBRARY_PATH
need valgrind nginx curl openssl libssl-dev gcc python3 ||
    { echo "SKIP: valgrind, nginx, curl, openssl, libssl-dev, gcc and python3 are needed"; exit 77; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/rustls-libssl-valgrind.XXXXXX")
chmod 755 "$WORK"
T=$WORK
PKI=$WORK/pki
FAILED=0
VG_NGINX=
CLIENTS=()
finish() {
    stop_pids 20 "${CLIENTS[@]}"
    [ -n "$VG_NGINX" ] && stop_pids 300 "$VG_NGINX"
    stop_servers
    if [ "$FAILED" -eq 0 ] && [ "${KEEP_LOGS:-0}" != 1 ]; then rm -rf "$WORK"; else echo "# logs kept in $WORK"; fi
}
trap finish EXIT
trap 'exit 124' TERM INT

VALGRIND=(valgrind --tool=memcheck --trace-children=yes --leak-check=full
    --show-leak-kinds=definite,indirect --errors-for-leak-kinds=definite,indirect
    --num-callers=40 --suppressions="$HERE/valgrind.supp")

bash "$HERE/../curl/gen-certs.sh" "$PKI" >"$WORK/gen-certs.log" 2>&1 ||
    { cat "$WORK/gen-certs.log"; echo "FAIL: certificate generation"; FAILED=1; exit 1; }
chmod -R a+rX "$PKI"
cc -O2 -Wall -Wextra -Werror -o "$WORK/loadclient" "$HERE/../load/loadclient.c" -lssl -lcrypto ||
    { echo "FAIL: could not build tests/load/loadclient.c"; FAILED=1; exit 1; }

# nginx_conf DIR PORT-TICKETS PORT-CACHE: the configuration for both nginx runs.
nginx_conf() {
    mkdir -p "$1/tmp"
    cat >"$1/nginx.conf" <<EOF
worker_processes 1;
pid $1/nginx.pid;
error_log $1/error.log notice;
events { worker_connections 512; }
http {
    access_log off;
    client_body_temp_path tmp/cb; proxy_temp_path tmp/proxy; fastcgi_temp_path tmp/fcgi;
    uwsgi_temp_path tmp/uwsgi; scgi_temp_path tmp/scgi;
    default_type text/plain;
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_certificate $PKI/ec.pem;
    ssl_certificate_key $PKI/ec.key;
    ssl_session_cache shared:SSL:1m;
    server {
        listen 127.0.0.1:$2 ssl;
        location / { return 200 "\$ssl_session_reused\n"; }
    }
    server {
        listen 127.0.0.1:$3 ssl;
        ssl_session_tickets off;
        location / { return 200 "\$ssl_session_reused\n"; }
    }
}
EOF
    chmod -R a+rX "$1"
    chown -R nobody "$1/tmp"
}

# summarize DIR LABEL: per valgrind log, the memory errors (anything but leaks) and the loss
# records (definitely and indirectly lost), each put down to the shim (a frame in
# rustls_libssl or LIBDIR/libssl.so.3), libcrypto, or the program itself. Fails on any memory
# error and on any loss record of the shim's; the others are reported (the program's own, as
# nginx's connection arrays that a worker never frees, are not the shim's to fix). Adds to
# VG_ERRORS, VG_SHIM_DEF, VG_SHIM_IND, VG_LOGS.
VG_ERRORS=0 VG_SHIM_DEF=0 VG_SHIM_IND=0 VG_LOGS=0
summarize() {
    local dir=$1 label=$2 f line procs=0
    local t_err=0 t_sd=0 t_si=0 t_cd=0 t_ci=0 t_pd=0 t_pi=0 t_sr=0
    for f in "$dir"/vg.*.log; do
        [ -e "$f" ] || continue
        procs=$((procs + 1))
        if ! grep -q 'ERROR SUMMARY' "$f"; then
            echo "FAIL ($label): $(basename "$f") has no error summary (the process did not exit normally)"
            tail -n 5 "$f" | sed 's/^/  | /'
            FAILED=1
            continue
        fi
        # errors shim_def shim_ind crypto_def crypto_ind prog_def prog_ind shim_records
        line=$(awk -v lib="$LIBDIR/libssl.so.3" '
            function flush() {
                if (!rec) return
                who = shim ? "s" : crypto ? "c" : "p"
                b[who kind] += bytes
                if (shim) sr++
                rec = 0
            }
            /ERROR SUMMARY:/ {e = $4; gsub(/,/, "", e)}
            /are (definitely|indirectly) lost in loss record/ {
                flush(); rec = 1; shim = 0; crypto = 0; lost++
                kind = ($0 ~ /definitely/) ? "d" : "i"
                t = $0; sub(/^==[0-9]+== /, "", t)
                if (t ~ /direct,/) {sub(/^[0-9,]+ \(/, "", t)}
                split(t, w, " "); bytes = w[1]; gsub(/,/, "", bytes)
                next
            }
            rec && /^==[0-9]+== *$/ {flush(); next}
            rec && (index($0, lib) || /rustls_libssl/) {shim = 1}
            rec && /libcrypto\.so/ {crypto = 1}
            END {flush(); printf "%d %d %d %d %d %d %d %d\n", e - lost, b["sd"], b["si"], b["cd"], b["ci"], b["pd"], b["pi"], sr}' "$f")
        read -r e sd si cd ci pd pi sr <<<"$line"
        t_err=$((t_err + e)) t_sd=$((t_sd + sd)) t_si=$((t_si + si)) t_cd=$((t_cd + cd))
        t_ci=$((t_ci + ci)) t_pd=$((t_pd + pd)) t_pi=$((t_pi + pi)) t_sr=$((t_sr + sr))
        if [ "$e" -gt 0 ] || [ "$sr" -gt 0 ]; then
            echo "== $label $(basename "$f"): $e memory errors, $sr loss records of the shim's"
            awk '/^==[0-9]+== [A-Z].*(Invalid|uninitialised|Mismatched|overlap|Syscall param|are (definitely|indirectly) lost)/ {n = 16}
                 n > 0 {print; n--}' "$f" | sed 's/^==[0-9]*== /  | /' | head -n 160
        fi
    done
    echo "# $label: $procs processes under valgrind; memory errors $t_err; definitely/indirectly lost bytes: shim $t_sd/$t_si, libcrypto $t_cd/$t_ci, the program's own $t_pd/$t_pi"
    VG_ERRORS=$((VG_ERRORS + t_err + t_sr))
    VG_SHIM_DEF=$((VG_SHIM_DEF + t_sd))
    VG_SHIM_IND=$((VG_SHIM_IND + t_si))
    VG_LOGS=$((VG_LOGS + procs))
}

# --- (a) nginx under valgrind --------------------------------------------------------------
t0=$(date +%s)
D=$WORK/nginx
nginx_conf "$D" "$(free_port)" "$(free_port)"
PA=$(sed -n 's/.*listen 127.0.0.1:\([0-9]*\) ssl;.*/\1/p' "$D/nginx.conf" | sed -n 1p)
PB=$(sed -n 's/.*listen 127.0.0.1:\([0-9]*\) ssl;.*/\1/p' "$D/nginx.conf" | sed -n 2p)
SERVER_TIMEOUT=1800
bg nginx-valgrind env "LD_LIBRARY_PATH=$LIBDIR" "${VALGRIND[@]}" --log-file="$D/vg.%p.log" \
    "$NGINX" -p "$D/" -c "$D/nginx.conf" -e "$D/error.log" -g 'daemon off; master_process on;'
VG_NGINX=$BG_PID
for i in $(seq 1 600); do
    is_listening "$PA" && is_listening "$PB" && [ -s "$D/nginx.pid" ] && break
    kill -0 "$VG_NGINX" 2>/dev/null || break
    sleep 0.1
done
if ! is_listening "$PB" || [ ! -s "$D/nginx.pid" ]; then
    cat "$WORK/nginx-valgrind.out" "$D/error.log" 2>/dev/null | tail -n 20
    echo "FAIL: nginx under valgrind did not start"
    FAILED=1
    exit 1
fi
MASTER=$(cat "$D/nginx.pid")
worker() { ps -o pid= --ppid "$MASTER" | tr -d ' ' | while read -r p; do grep -q 'shutting down' "/proc/$p/cmdline" 2>/dev/null || echo "$p"; done | head -n 1; }
for i in $(seq 1 600); do [ -n "$(worker)" ] && break; sleep 0.1; done
echo "# nginx under valgrind: master $MASTER, worker $(worker) maps $(mapped_libssl "$(worker)"); ports $PA (tickets) and $PB (session cache)"
[ "$(readlink -f "$(mapped_libssl "$(worker)")")" = "$(readlink -f "$LIBDIR/libssl.so.3")" ] ||
    { echo "FAIL: the worker does not map the shim"; FAILED=1; exit 1; }

per_round=$(((REQUESTS + RELOADS - 1) / RELOADS))
sums=$WORK/client-results.txt
: >"$sums"
reloads=0
for round in $(seq 1 "$RELOADS"); do
    port=$PA
    [ $((round % 2)) -eq 0 ] && port=$PB
    old=$(worker)
    CLIENTS=()
    for c in 1 2; do
        env -u LD_LIBRARY_PATH "$WORK/loadclient" "$port" "$PKI/root.pem" 600 $(((per_round + c - 1) / 2)) \
            >>"$sums" 2>>"$WORK/client-errors.txt" &
        CLIENTS+=($!)
    done
    # The reload lands while the clients are running.
    sleep 1
    kill -HUP "$MASTER" && reloads=$((reloads + 1))
    for p in "${CLIENTS[@]}"; do wait "$p"; done
    CLIENTS=()
    for i in $(seq 1 600); do
        w=$(worker)
        [ -n "$w" ] && [ "$w" != "$old" ] && break
        sleep 0.1
    done
    [ -n "$w" ] && [ "$w" != "$old" ] || { echo "FAIL: no new worker 60 s after reload $round"; FAILED=1; break; }
    [ $((round % 10)) -eq 0 ] && echo "# round $round/$RELOADS: $(( $(date +%s) - t0 )) s"
done
totals=$(awk '{for (i = 1; i <= NF; i++) {split($i, kv, "="); s[kv[1]] += kv[2]; if (!(kv[1] in o)) {o[kv[1]] = ++n; k[n] = kv[1]}}}
    END {for (i = 1; i <= n; i++) printf "%s=%d ", k[i], s[k[i]]}' "$sums")
kill -QUIT "$MASTER"
for i in $(seq 1 1200); do kill -0 "$VG_NGINX" 2>/dev/null || break; sleep 0.1; done
wait "$VG_NGINX" 2>/dev/null
VG_NGINX=
t1=$(date +%s)
echo "# nginx: $reloads reloads; clients: $totals"
errors=$(echo "$totals" | sed -n 's/.*errors=\([0-9]*\).*/\1/p')
[ "${errors:-1}" -eq 0 ] || { echo "FAIL: $errors client errors"; sort "$WORK/client-errors.txt" | uniq -c | sort -rn | head | sed 's/^/  | /'; FAILED=1; }
crashes=$(grep -aEc 'exited on signal|\[(alert|emerg)\]' "$D/error.log")
[ "$crashes" -eq 0 ] || { echo "FAIL: crashes/alerts in nginx's error log"; grep -aE 'exited on signal|\[(alert|emerg)\]' "$D/error.log" | head -n 5; FAILED=1; }
summarize "$D" nginx
echo "# nginx under valgrind: $((t1 - t0)) s"

# --- (b) curl under valgrind ----------------------------------------------------------------
t2=$(date +%s)
C=$WORK/curl
mkdir -p "$C"
nginx_conf "$C" "$(free_port)" "$(free_port)"
CA=$(sed -n 's/.*listen 127.0.0.1:\([0-9]*\) ssl;.*/\1/p' "$C/nginx.conf" | sed -n 1p)
CB=$(sed -n 's/.*listen 127.0.0.1:\([0-9]*\) ssl;.*/\1/p' "$C/nginx.conf" | sed -n 2p)
SERVER_TIMEOUT=900
bg nginx-curl env -u LD_LIBRARY_PATH "$NGINX" -p "$C/" -c "$C/nginx.conf" -e "$C/error.log" -g 'daemon off;'
wait_listen "$CB" "$BG_PID" || { cat "$WORK/nginx-curl.out"; echo "FAIL: nginx for curl did not start"; FAILED=1; exit 1; }
# curl_vg NAME EXPECTED-EXIT ARGS...: curl on the shim under valgrind.
ncurl=0 transfers=0
curl_vg() {
    local name=$1 want=$2 rc
    shift 2
    env "LD_LIBRARY_PATH=$LIBDIR" "${VALGRIND[@]}" --log-file="$C/vg.$name.log" \
        "$CURL" -sS --cacert "$PKI/root.pem" "$@" >"$C/$name.out" 2>"$C/$name.err"
    rc=$?
    ncurl=$((ncurl + 1))
    transfers=$((transfers + $(grep -c '^[0-9][0-9][0-9] ' "$C/$name.out")))
    if [ "$rc" -ne "$want" ]; then
        echo "FAIL: curl $name exited $rc, expected $want: $(head -c 300 "$C/$name.err")"
        FAILED=1
    fi
}
urls() { local p=$1 n=$2 i; for i in $(seq 1 "$n"); do printf 'https://localhost:%s/%s\n' "$p" "$i"; done; }
# New connection per transfer (Connection: close), so the later ones resume the first's session.
for v in 1.3 1.2; do
    if [ "$v" = 1.3 ]; then tls=(--tlsv1.3); else tls=(--tlsv1.2 --tls-max 1.2); fi
    for p in "$CA" "$CB"; do
        curl_vg "resume-$v-$p" 0 "${tls[@]}" -H 'Connection: close' $(urls "$p" 6) -w '%{http_code} %{num_connects}\n'
        curl_vg "keepalive-$v-$p" 0 "${tls[@]}" $(urls "$p" 4) -w '%{http_code} %{num_connects}\n'
    done
done
# Failures: an untrusted certificate (60), a name the certificate does not have (60).
curl_vg untrusted 60 --cacert "$PKI/selfsigned.pem" "https://localhost:$CA/" -w '%{http_code}\n' -o /dev/null
curl_vg wrong-name 60 --resolve "wrong.example:$CA:127.0.0.1" "https://wrong.example:$CA/" -w '%{http_code}\n' -o /dev/null
t3=$(date +%s)
stop_servers
# nginx answers $ssl_session_reused: `r` for a resumed session, `.` for a full handshake.
new_conns=$(cat "$C"/resume-*.out | grep -c '^200 1$')
resumed=$(cat "$C"/resume-*.out | grep -c '^r')
echo "# curl: $ncurl runs, $transfers transfers, $new_conns on a new connection of which $resumed resumed"
[ "$resumed" -ge $((new_conns - 4)) ] || { echo "FAIL: curl resumed $resumed of $new_conns new connections (all but the first of each run should)"; FAILED=1; }
summarize "$C" curl
echo "# curl under valgrind: $((t3 - t2)) s"

echo "valgrind: $VG_LOGS processes, $VG_ERRORS failures (memory errors and the shim's loss records); lost in the shim's records: definitely $VG_SHIM_DEF bytes, indirectly $VG_SHIM_IND bytes"
[ "$VG_ERRORS" -eq 0 ] || FAILED=1
[ "$FAILED" -eq 0 ] && echo "valgrind: ok" || echo "valgrind: FAILED"
exit "$FAILED"
