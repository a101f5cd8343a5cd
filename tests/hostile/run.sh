#!/bin/bash
# Hostile-peer tests: nginx (Debian's /usr/sbin/nginx) on the library under test and on the
# system OpenSSL, each sent the same hostile input; the outcomes are compared.
#
# usage: tests/hostile/run.sh LIBDIR
#
# For every case, on both servers: the peer's outcome line (tests/hostile/peer.py, Debian's
# python3 on the system OpenSSL; tests/tlspeer.c for records sealed after the handshake;
# openssl s_client for renegotiation), the lines nginx's error log (level info) got for the
# connection, then a normal request that must still be answered by the same worker. A case
# passes when both servers give the same outcome and log lines, or when the difference is
# one README "Differences from OpenSSL" documents (EXPECTED below, with its reason) and the
# shim still failed cleanly (closed, no hang, worker alive); differences found and not yet
# fixed are listed in KNOWN and reported as such. Last, the worker's RSS before
# and after all cases (and after more rounds of the raw cases) is reported and must be
# back near its baseline. KEEP_LOGS=1 keeps the temporary directory.
set -u

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../lib.sh
. "$HERE/../lib.sh"
PY=/usr/bin/python3
NGINX=/usr/sbin/nginx
OPENSSL=/usr/bin/openssl
CURL=/usr/bin/curl
SERVER_TIMEOUT=300
HEADER_TIMEOUT=3        # client_header_timeout: nginx 1.22's handshake timeout too
RSS_SLACK_KB=4096       # how far above its baseline a worker's RSS may end
ROUNDS=6                # rounds of the raw cases repeated for the memory check
export LC_ALL=C
unset LD_PRELOAD OPENSSL_CONF SSL_CERT_FILE SSL_CERT_DIR SSLKEYLOGFILE

if [ $# -ne 1 ]; then
    echo "usage: $0 LIBDIR" >&2
    exit 2
fi
LIBDIR=$(cd "$1" 2>/dev/null && pwd) || { echo "no such directory: $1" >&2; exit 2; }
[ -e "$LIBDIR/libssl.so.3" ] || { echo "$LIBDIR has no libssl.so.3" >&2; exit 2; }
unset LD_LIBRARY_PATH
need nginx python3 openssl curl libssl-dev gcc ||
    { echo "SKIP: nginx, python3, openssl, curl, libssl-dev and gcc are needed"; exit 77; }

# Cases: NAME  PORT(a: plain TLS server, b: ssl_verify_client on)  HOW...
#   py MODE [ARGS]     tests/hostile/peer.py MODE PORT ARGS
#   peer MODE [12]     tests/tlspeer.c client MODE PORT (TLS 1.2 at most with 12)
#   reneg              openssl s_client -tls1_2 asking for a renegotiation (`R`)
CASES=(
    "bad-type a py bad-type"
    "bad-version a py bad-version"
    "oversized-pre a py oversized-pre"
    "oversized-post-13 a py oversized-post"
    "oversized-post-peer-13 a peer oversized"
    "oversized-post-peer-12 a peer oversized 12"
    "split1-13 a py split1-13"
    "split1-12 a py split1-12"
    "reneg-12 a reneg"
    "warn-flood-pre a py warn-flood-pre"
    "warn-flood-13 a peer warn:10"
    "warn-flood-12 a peer warn:10 12"
    "heartbeat-pre a py heartbeat-pre"
    "heartbeat-post-plain-13 a py heartbeat-post"
    "heartbeat-13 a peer hb:1"
    "heartbeat-12 a peer hb:1 12"
    "ccs-post-plain-13 a py ccs-post"
    "ccs-13 a peer ccs:1"
    "ccs-12 a peer ccs:1 12"
    "ext1000 a py ext1000"
    "tls10-hello a py tls10"
    "ssl3-hello a py ssl3"
    "ssl2-hello a py ssl2"
    "slowloris a py slowloris"
    "client-cert-good b py client-cert PKI/client.pem PKI/client.key"
    "client-cert-expired b py client-cert PKI/expired.pem PKI/expired.key"
    "client-cert-selfsigned b py client-cert PKI/selfsigned.pem PKI/selfsigned.key"
    "client-cert-wrong-ca b py client-cert PKI/other-client.pem PKI/other-client.key"
)
# The raw cases repeated for the memory check (fast, no timeouts).
REPEAT=(bad-type bad-version oversized-pre oversized-post-13 warn-flood-pre heartbeat-pre
    heartbeat-post-plain-13 ccs-post-plain-13 ext1000 tls10-hello ssl3-hello ssl2-hello
    warn-flood-13 heartbeat-12 ccs-12 client-cert-expired)
# Differences README "Differences from OpenSSL" documents, allowed when the shim fails
# cleanly: CASE -> reason.
declare -A EXPECTED=(
    [ssl2-hello]="SSLv2-format ClientHellos are not parsed (README: TLS 1.0 and older); refused as a bad record"
)
# Differences found by this suite and not fixed yet (bugs, reported as KNOWN): allowed only
# when the shim fails cleanly. All are the handshake record layer, which is rustls's: the
# alert or the reason differs, the connection ends either way.
declare -A KNOWN=(
    [bad-type]="a record of unknown type inside the ClientHello: rustls decode_error / 'wrong version number', OpenSSL unexpected_message / 'unexpected message'"
    [bad-version]="a first record with version 0x7f7f: rustls sends decode_error, OpenSSL no alert (same reason)"
    [oversized-pre]="a plaintext record of 2^14+257 bytes: rustls reads records up to 2^14+2048 and fails the message (decode_error, 'length mismatch'), OpenSSL record_overflow, 'data length too long'"
    [oversized-post-13]="a TLS 1.3 record of 2^14+257 bytes: same alert (record_overflow), reason 'packet length too long' where OpenSSL says 'encrypted length too long'"
    [warn-flood-pre]="a warning alert inside the ClientHello: no alert back, OpenSSL unexpected_message (same reason)"
    [heartbeat-pre]="a heartbeat record inside the ClientHello: no alert back, OpenSSL unexpected_message (same reason)"
)

WORK=$(mktemp -d "${TMPDIR:-/tmp}/rustls-libssl-hostile.XXXXXX")
chmod 755 "$WORK"
T=$WORK
PKI=$WORK/pki
FAILED=0
MASTERS=()

cleanup() {
    local m
    for m in "${MASTERS[@]}"; do
        kill -TERM "$m" 2>/dev/null
    done
    stop_pids 30 "${SERVER_PIDS[@]}"
    for m in "${MASTERS[@]}"; do
        pkill -KILL -P "$m" 2>/dev/null
    done
    if [ "$FAILED" -eq 0 ] && [ "${KEEP_LOGS:-0}" != 1 ]; then
        rm -rf "$WORK"
    else
        echo "# logs kept in $WORK"
    fi
}
trap cleanup EXIT
trap 'exit 124' TERM INT

# --- PKI: tests/curl's, and a CA nginx does not trust with a client certificate -------
if ! { bash "$HERE/../curl/gen-certs.sh" "$PKI" &&
       "$OPENSSL" req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 \
           -subj /CN=other-ca -keyout "$PKI/other-ca.key" -out "$PKI/other-ca.pem" &&
       "$OPENSSL" req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
           -subj /CN=otherclient -keyout "$PKI/other-client.key" -out "$PKI/other-client.csr" &&
       "$OPENSSL" x509 -req -in "$PKI/other-client.csr" -CA "$PKI/other-ca.pem" \
           -CAkey "$PKI/other-ca.key" -CAcreateserial -days 30 -out "$PKI/other-client.pem"
     } >"$WORK/gen-certs.log" 2>&1; then
    cat "$WORK/gen-certs.log"
    echo "FAIL: certificate generation"
    FAILED=1
    exit 1
fi
chmod -R a+rX "$PKI"
TLSPEER=$WORK/tlspeer
cc -O1 -Wall -Wextra -Werror -o "$TLSPEER" "$HERE/../tlspeer.c" -lssl -lcrypto ||
    { echo "FAIL: could not build tests/tlspeer.c"; FAILED=1; exit 1; }

# --- the two servers -------------------------------------------------------------------
# start_nginx NAME LIB: nginx with one worker on LIB (LIBDIR or `system`); sets
# PORT_A_NAME, PORT_B_NAME, MASTER_NAME.
declare -A PORT_A PORT_B MASTER
start_nginx() {
    local name=$1 lib=$2 d=$WORK/$1 pa pb i cmd=()
    pa=$(free_port); pb=$(free_port)
    mkdir -p "$d/tmp"
    cat >"$d/nginx.conf" <<EOF
worker_processes 1;
pid nginx.pid;
error_log $d/error.log info;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path tmp/cb; proxy_temp_path tmp/proxy; fastcgi_temp_path tmp/fcgi;
    uwsgi_temp_path tmp/uwsgi; scgi_temp_path tmp/scgi;
    default_type text/plain;
    client_header_timeout ${HEADER_TIMEOUT}s;
    # nginx 1.22's default, and TLS 1.3.
    ssl_protocols TLSv1 TLSv1.1 TLSv1.2 TLSv1.3;
    ssl_certificate $PKI/server-chain.pem;
    ssl_certificate_key $PKI/server.key;
    server {
        listen 127.0.0.1:$pa ssl;
        location / { return 200 "ok\n"; }
    }
    server {
        listen 127.0.0.1:$pb ssl;
        ssl_verify_client on;
        ssl_client_certificate $PKI/root.pem;
        location / { return 200 "client \$ssl_client_s_dn\n"; }
    }
}
EOF
    chown -R nobody "$d"
    if [ "$lib" = system ]; then cmd=(env -u LD_LIBRARY_PATH); else cmd=(env "LD_LIBRARY_PATH=$lib"); fi
    cmd+=(setpriv --reuid=nobody --regid=nogroup --clear-groups -- "$NGINX")
    bg "nginx-$name" "${cmd[@]}" -p "$d/" -c "$d/nginx.conf" -e "$d/error.log" -g 'daemon off;'
    if ! wait_listen "$pb" "$BG_PID" || ! wait_listen "$pa" "$BG_PID"; then
        cat "$WORK/nginx-$name.out" "$d/error.log"
        echo "FAIL: nginx ($name) did not start"
        FAILED=1
        exit 1
    fi
    for i in $(seq 1 50); do [ -s "$d/nginx.pid" ] && break; sleep 0.1; done
    MASTER[$name]=$(cat "$d/nginx.pid")
    MASTERS+=("${MASTER[$name]}")
    PORT_A[$name]=$pa
    PORT_B[$name]=$pb
    local maps
    maps=$(mapped_libssl "$(worker "$name")")
    echo "# nginx ($name): ports $pa (TLS) and $pb (client certificates), worker maps $maps"
}

worker() { ps -o pid= --ppid "${MASTER[$1]}" | tr -d ' ' | head -n 1; }
rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$(worker "$1")/status"; }

# check_request NAME: a normal request to server a must be answered "ok".
check_request() {
    local body
    body=$(env -u LD_LIBRARY_PATH timeout -k 3 15 "$CURL" -sS --max-time 10 -k \
        "https://127.0.0.1:${PORT_A[$1]}/" 2>&1)
    [ "$body" = ok ] || { echo "request failed: $body"; return 1; }
}

# run_case NAME SERVER PORTKEY HOW...: prints the peer's outcome on one line.
run_case() {
    local server=$1 portkey=$2 how=$3 port
    shift 3
    if [ "$portkey" = a ]; then port=${PORT_A[$server]}; else port=${PORT_B[$server]}; fi
    case $how in
        py)
            local mode=$1 args=()
            shift
            for a in "$@"; do args+=("${a//PKI\//$PKI/}"); done
            env -u LD_LIBRARY_PATH timeout -k 3 30 "$PY" "$HERE/peer.py" "$mode" "$port" "${args[@]}" 2>&1 |
                sed 's/^outcome: //' | tr '\n' ' ' | sed 's/ $//'
            ;;
        peer)
            local tls12=()
            [ "${2:-}" = 12 ] && tls12=(TLSPEER_TLS12=1)
            env -u LD_LIBRARY_PATH "${tls12[@]}" timeout -k 3 30 "$TLSPEER" client "$1" "$port" 2>&1 |
                grep -v '^ *$' | sed 's/^[0-9A-F]*:error:/error:/' | tr '\n' ';' | sed 's/;$//; s/;/; /g'
            ;;
        reneg)
            { printf 'R\n'; sleep 1.5; printf 'GET / HTTP/1.0\r\n\r\n'; sleep 1.5; } |
                env -u LD_LIBRARY_PATH timeout -k 3 30 "$OPENSSL" s_client -connect "127.0.0.1:$port" \
                    -servername localhost -tls1_2 -no_ign_eof >"$WORK/reneg-$server.out" 2>&1
            local rc=$?
            {
                grep -E '^RENEGOTIATING|^HTTP/|:error:|^read R BLOCK|^closed' "$WORK/reneg-$server.out" |
                    sed -E 's/^[0-9A-F]+:error:/error:/; s/:[^:]*\.c:[0-9]+:.*$//'
                echo "exit $rc"
            } | tr '\n' ';' | sed 's/;$//; s/;/; /g'
            ;;
    esac
}

# log_lines NAME OFFSET: the error-log lines for connections since byte OFFSET, without
# times, pids, connection numbers and addresses.
log_lines() {
    tail -c +"$(($2 + 1))" "$WORK/$1/error.log" | grep -aE '^[0-9/]+ [0-9:]+ \[[a-z]+\] [0-9]+#[0-9]+: \*' |
        sed -E 's/^[0-9/]+ [0-9:]+ //; s/ [0-9]+#[0-9]+: \*[0-9]+ / /; s/, client: .*$//' |
        grep -vE 'closed keepalive connection|client [0-9.]+ closed' | sort -u | tr '\n' ';' | sed 's/;$//; s/;/; /g'
}

log_size() { stat -c %s "$WORK/$1/error.log"; }

start_nginx system system
start_nginx shim "$LIBDIR"
for s in system shim; do
    check_request "$s" >/dev/null || { echo "FAIL: nginx ($s) does not answer a normal request"; FAILED=1; exit 1; }
done
# A few handshakes first, so that the baseline has what every connection leaves behind.
for i in 1 2 3 4 5; do check_request system >/dev/null; check_request shim >/dev/null; done
declare -A RSS0 W0
for s in system shim; do
    RSS0[$s]=$(rss_kb "$s")
    W0[$s]=$(worker "$s")
done

diffs=0 expected=0 known=0 same=0
for c in "${CASES[@]}"; do
    read -r -a f <<<"$c"
    name=${f[0]}
    declare -A OUT=() LOG=() OK=()
    for s in system shim; do
        off=$(log_size "$s")
        OUT[$s]=$(run_case "$s" "${f[1]}" "${f[@]:2}")
        sleep 0.3
        LOG[$s]=$(log_lines "$s" "$off")
        OK[$s]=yes
        if [ "$(worker "$s")" != "${W0[$s]}" ]; then
            OK[$s]="worker ${W0[$s]} gone (crashed?): $(grep -E 'exited on signal|\[alert\]' "$WORK/$s/error.log" | tail -n 2)"
            W0[$s]=$(worker "$s")
        elif ! msg=$(check_request "$s"); then
            OK[$s]=$msg
        elif grep -aqE '\[(alert|emerg)\]' <(tail -c +"$((off + 1))" "$WORK/$s/error.log"); then
            OK[$s]="alert/emerg in the error log: $(tail -c +"$((off + 1))" "$WORK/$s/error.log" | grep -aE '\[(alert|emerg)\]' | head -n 1)"
        fi
    done
    if [ "${OK[shim]}" != yes ] || [ "${OK[system]}" != yes ]; then
        verdict="FAIL (openssl: ${OK[system]}; shim: ${OK[shim]})"
        diffs=$((diffs + 1))
    elif [ "${OUT[system]}" = "${OUT[shim]}" ] && [ "${LOG[system]}" = "${LOG[shim]}" ]; then
        verdict="same"
        same=$((same + 1))
    elif [ -n "${EXPECTED[$name]:-}" ] && [[ "${OUT[shim]}" != *"left open"* ]]; then
        verdict="expected difference: ${EXPECTED[$name]}"
        expected=$((expected + 1))
    elif [ -n "${KNOWN[$name]:-}" ] && [[ "${OUT[shim]}" != *"left open"* ]]; then
        verdict="KNOWN DIFFERENCE (not fixed): ${KNOWN[$name]}"
        known=$((known + 1))
    else
        verdict="DIFFERENT"
        diffs=$((diffs + 1))
    fi
    echo "== $name: $verdict"
    echo "   openssl: ${OUT[system]}"
    echo "      log: ${LOG[system]:-(none)}"
    if [ "$verdict" != same ]; then
        echo "   shim:    ${OUT[shim]}"
        echo "      log: ${LOG[shim]:-(none)}"
    fi
done

declare -A RSS1 RSS2
for s in system shim; do RSS1[$s]=$(rss_kb "$s"); done
for round in $(seq 1 "$ROUNDS"); do
    for c in "${CASES[@]}"; do
        read -r -a f <<<"$c"
        [[ " ${REPEAT[*]} " == *" ${f[0]} "* ]] || continue
        for s in system shim; do run_case "$s" "${f[1]}" "${f[@]:2}" >/dev/null; done
    done
done
sleep 0.5
for s in system shim; do
    check_request "$s" >/dev/null || { echo "FAIL: nginx ($s) stopped answering during the repeated rounds"; diffs=$((diffs + 1)); }
    [ "$(worker "$s")" = "${W0[$s]}" ] || { echo "FAIL: nginx ($s) worker changed during the repeated rounds"; diffs=$((diffs + 1)); }
    RSS2[$s]=$(rss_kb "$s")
    echo "# worker RSS ($s): baseline ${RSS0[$s]} kB, after the cases ${RSS1[$s]} kB, after $ROUNDS more rounds of ${#REPEAT[@]} raw cases ${RSS2[$s]} kB"
done
if [ "${RSS2[shim]}" -gt $((RSS1[shim] + RSS_SLACK_KB)) ] || [ "${RSS2[shim]}" -gt $((RSS0[shim] + 2 * RSS_SLACK_KB)) ]; then
    echo "FAIL: the shim worker's RSS grew: ${RSS0[shim]} -> ${RSS1[shim]} -> ${RSS2[shim]} kB"
    diffs=$((diffs + 1))
fi

echo "$same same, $expected expected differences, $known known differences, $diffs failed (of ${#CASES[@]} cases)"
[ "$diffs" -eq 0 ] || FAILED=1
exit "$FAILED"
