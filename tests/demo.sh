#!/bin/bash
# Shows the shim at work: Debian's nginx serves HTTPS (HTTP/2 and HTTP/1.1) to Debian's curl,
# both loading libssl.so.3 from LIBDIR. Prints protocol, cipher and which libssl each loaded.
set -eu
LIBDIR=${1:?usage: demo.sh LIBDIR}
HERE=$(cd "$(dirname "$0")" && pwd)
WORK=$(mktemp -d /tmp/rustls-libssl-demo.XXXXXX)
NGINX_PID=
cleanup() {
  [ -n "$NGINX_PID" ] && kill "$NGINX_PID" 2>/dev/null && wait "$NGINX_PID" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT

bash "$HERE/curl/gen-certs.sh" "$WORK/pki" >/dev/null
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
mkdir -p "$WORK/nginx/logs"
cat >"$WORK/nginx/nginx.conf" <<CONF
daemon off;
master_process on;
worker_processes 1;
error_log $WORK/nginx/logs/error.log info;
pid $WORK/nginx/nginx.pid;
events { worker_connections 64; }
http {
    access_log off;
    client_body_temp_path $WORK/nginx/cb; proxy_temp_path $WORK/nginx/px;
    fastcgi_temp_path $WORK/nginx/fc; uwsgi_temp_path $WORK/nginx/uw; scgi_temp_path $WORK/nginx/sc;
    server {
        listen 127.0.0.1:$PORT ssl http2;
        server_name localhost;
        ssl_certificate $WORK/pki/server-chain.pem;
        ssl_certificate_key $WORK/pki/server.key;
        ssl_protocols TLSv1.2 TLSv1.3;
        location / {
            return 200 "nginx says: \$ssl_protocol \$ssl_cipher, SNI \$ssl_server_name, ALPN \$ssl_alpn_protocol\n";
        }
    }
}
CONF
LD_LIBRARY_PATH="$LIBDIR" /usr/sbin/nginx -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" &
NGINX_PID=$!
for _ in $(seq 50); do
  [ -s "$WORK/nginx/nginx.pid" ] && pgrep -P "$(cat "$WORK/nginx/nginx.pid")" >/dev/null && break
  sleep 0.1
done
worker=$(pgrep -P "$(cat "$WORK/nginx/nginx.pid")" | head -n 1)

echo "== nginx worker $worker loaded: $(grep -o '/[^ ]*libssl\.so\.3' "/proc/$worker/maps" | sort -u)"
echo "== curl loads: $(LD_LIBRARY_PATH="$LIBDIR" LD_DEBUG=libs /usr/bin/curl --version 2>&1 >/dev/null \
  | sed -n 's/.*calling init: \(.*libssl\.so\.3\)$/\1/p' | head -n 1)"
for args in "--http2" "--http1.1" "--http1.1 --tlsv1.2 --tls-max 1.2"; do
  echo "== curl $args https://localhost:$PORT/"
  # shellcheck disable=SC2086
  LD_LIBRARY_PATH="$LIBDIR" /usr/bin/curl -sS --max-time 10 $args --cacert "$WORK/pki/root.pem" \
    -w '   curl says: HTTP/%{http_version}, exit %{exitcode}\n' "https://localhost:$PORT/"
done
echo "== curl -v (TLS details)"
LD_LIBRARY_PATH="$LIBDIR" /usr/bin/curl -sS -v --max-time 10 --cacert "$WORK/pki/root.pem" \
  "https://localhost:$PORT/" -o /dev/null 2>&1 | grep -E 'SSL connection|ALPN|subject:|verify' || true
