#!/bin/bash
# The FIPS build at work: tests/beyond/fips.sh LIBDIR (a library built with `make FIPS=1`).
#
# Its debug banner says the FIPS module is active; Debian's nginx on it serves OpenSSL 3.0's
# s_client (system library) over FIPS-approved suites and groups only: a default client gets
# AES-GCM over P-256 (X25519 is refused), a client offering only X25519 or only
# ChaCha20-Poly1305 (TLS 1.3 or 1.2) gets a handshake_failure alert.
# Prints one `ok`/`FAIL` line per check and `N passed, N failed`; exit 1 on a failure.
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
PY=python3
# shellcheck source=../lib.sh
. "$HERE/../lib.sh"
unset LD_PRELOAD OPENSSL_CONF SSLKEYLOGFILE
export LC_ALL=C

[ -e "${1:-}/libssl.so.3" ] || { echo "usage: $0 LIBDIR (built with make FIPS=1)" >&2; exit 2; }
LIBDIR=$(cd "$1" && pwd)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/rustls-libssl-fips.XXXXXX")
NGINX_PID=
cleanup() {
    [ -n "$NGINX_PID" ] && stop_pids 30 "$NGINX_PID"
    rm -rf "$WORK"
}
trap cleanup EXIT
pass=0 failed=0
check() {
    if [ "$2" = 0 ]; then echo "ok $1"; pass=$((pass + 1)); else echo "FAIL $1: $3"; failed=$((failed + 1)); fi
}

"$HERE/../curl/gen-certs.sh" "$WORK/pki" >"$WORK/gen.log" 2>&1 || { cat "$WORK/gen.log"; exit 2; }
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
        ssl_protocols TLSv1.2 TLSv1.3;
        ssl_ciphers ECDHE+AESGCM:ECDHE+CHACHA20;
        ssl_certificate $WORK/pki/server-chain.pem;
        ssl_certificate_key $WORK/pki/server.key;
        location / { return 200 "ok\n"; }
    }
}
CONF
RUSTLS_LIBSSL_DEBUG=info LD_LIBRARY_PATH=$LIBDIR /usr/sbin/nginx -p "$WORK/" -c "$WORK/nginx.conf" \
    -g 'daemon off;' >"$WORK/nginx.out" 2>&1 &
NGINX_PID=$!
wait_listen "$PORT" "$NGINX_PID" || { cat "$WORK/nginx.out" "$WORK/error.log"; exit 1; }
banner=$(grep -m1 'rustls-libssl.*info' "$WORK/nginx.out")
echo "# $banner"
[[ $banner == *"FIPS module active"* ]]
check banner $? "the debug banner does not say 'FIPS module active': $banner"

# sc NAME EXPECT ARGS...: s_client (system OpenSSL) with ARGS; EXPECT is a regex of its output.
sc() {
    local name=$1 want=$2
    shift 2
    echo | timeout 10 env -u LD_LIBRARY_PATH openssl s_client -connect "127.0.0.1:$PORT" \
        -CAfile "$WORK/pki/root.pem" "$@" >"$WORK/$name.out" 2>&1
    grep -Eq -- "$want" "$WORK/$name.out"
    check "$name" $? "s_client $* did not print /$want/: $(grep -E 'Cipher is|Temp Key|alert' "$WORK/$name.out" | tr '\n' ' ')"
}
sc tls13_default 'Server Temp Key: ECDH, prime256v1'
sc tls13_aes 'Cipher is TLS_AES_(128|256)_GCM_SHA(256|384)'
sc tls13_x25519_only 'alert handshake failure' -groups X25519
sc tls13_chacha_only 'alert handshake failure' -ciphersuites TLS_CHACHA20_POLY1305_SHA256
sc tls12_default 'Cipher is ECDHE-RSA-AES(128|256)-GCM-SHA(256|384)' -tls1_2
sc tls12_chacha_only 'alert handshake failure' -tls1_2 -cipher ECDHE-RSA-CHACHA20-POLY1305
echo "$pass passed, $failed failed"
[ "$failed" = 0 ]
