#!/bin/bash
# Certificate compression (RFC 8879) on the wire: what nginx's first flight weighs when the
# client is on the same library as nginx.  Called by bench/run.py once per library; can be
# run by hand.
#
# usage: bench/certcomp.sh --lib LIBDIR|system
#
# nginx (Debian's, on LIB) serves an RSA-2048 leaf and its intermediate (tests/curl/gen-certs.sh)
# over TLS 1.3; tests/beyond/firstflight.c, also on LIB and offering only X25519 (so that both
# libraries carry the same key share), makes one request. On OpenSSL 3.0 neither side knows
# certificate compression; on the shim the client offers it and nginx compresses.
# One line of key=value results on stdout: cert_msg_bytes (the server's Certificate or
# CompressedCertificate message), first_flight_bytes (everything the client read up to the end
# of the handshake), libssl (the file the client loaded). nginx is stopped on every exit path.
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
unset LD_PRELOAD OPENSSL_CONF SSLKEYLOGFILE
export LC_ALL=C
PY=python3
# shellcheck source=../tests/lib.sh
. "$HERE/../tests/lib.sh"

[ "${1:-}" = --lib ] && [ -n "${2:-}" ] || { echo "usage: $0 --lib LIBDIR|system" >&2; exit 2; }
LIB=$2
WORK=$(mktemp -d "${TMPDIR:-/tmp}/certcomp.XXXXXX")
NGINX_PID=
cleanup() {
    [ -n "$NGINX_PID" ] && stop_pids 30 "$NGINX_PID"
    rm -rf "$WORK"
}
trap cleanup EXIT

"$HERE/../tests/curl/gen-certs.sh" "$WORK/pki" >"$WORK/gen.log" 2>&1 || { cat "$WORK/gen.log" >&2; exit 1; }
cc -O1 -o "$WORK/firstflight" "$HERE/../tests/beyond/firstflight.c" -lssl -lcrypto || exit 1
PORT=$(free_port)
mkdir -p "$WORK/tmp"
cat >"$WORK/nginx.conf" <<CONF
worker_processes 1;
pid $WORK/nginx.pid;
error_log $WORK/error.log info;
events { worker_connections 16; }
http {
    access_log off;
    client_body_temp_path $WORK/tmp;
    server {
        listen 127.0.0.1:$PORT ssl;
        ssl_protocols TLSv1.3;
        ssl_certificate $WORK/pki/server-chain.pem;
        ssl_certificate_key $WORK/pki/server.key;
        location / { return 200 "ok\n"; }
    }
}
CONF
lib_env "$LIB"
"${LIB_ENV[@]}" /usr/sbin/nginx -p "$WORK/" -c "$WORK/nginx.conf" -g 'daemon off;' >"$WORK/nginx.out" 2>&1 &
NGINX_PID=$!
wait_listen "$PORT" "$NGINX_PID" || { cat "$WORK/nginx.out" "$WORK/error.log" >&2; exit 1; }
FIRSTFLIGHT_GROUPS=X25519 timeout 20 "${LIB_ENV[@]}" "$WORK/firstflight" "$PORT" "$WORK/pki/root.pem" \
    >"$WORK/out" 2>"$WORK/err" || { cat "$WORK/out" "$WORK/err" >&2; exit 1; }
grep -q '^response: HTTP/1.1 200' "$WORK/out" || { cat "$WORK/out" >&2; exit 1; }
printf 'cert_msg_bytes=%s first_flight_bytes=%s libssl=%s\n' \
    "$(sed -n 's/^certificate message bytes: //p' "$WORK/out")" \
    "$(sed -n 's/^handshake bytes: //p' "$WORK/out")" \
    "$(sed -n 's/^libssl: //p' "$WORK/err")"
