#!/bin/bash
# Regenerates rustls-libssl/text-order.txt, the order in which the linker lays out the
# library's functions (`make lib` passes it to rust-lld as --symbol-ordering-file).
#
# usage: bench/text-order.sh [LIBDIR]     (default target/release; needs valgrind, nginx, curl)
#
# The functions the library executes in common runs (`curl --version`, a first context with a
# CA file, curl one-shot GETs with one CA and with the system store, tlsbench handshakes on both
# sides: TLS 1.3 and 1.2, ECDSA and RSA, full and resumed) are listed first, in that order, so
# they sit together in a few hundred KiB at the start of .text instead of being spread over its
# ~4.4 MB: a process maps (and counts in its RSS) only the pages around the code it runs, and
# pays a page fault for each group of them; a program that only makes a context maps a quarter
# of a MiB.
# The list names symbols as the archive has them (Rust's legacy mangling, hash included: it
# depends on the item's path and the crate's identity, not on function bodies, but a new
# toolchain or dependency version changes it). A stale list only costs memory: run this again
# after such an update (bench/README.md).
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(dirname "$HERE")
LIB=$(readlink -f "${1:-$REPO/target/release}")
OUT=$REPO/rustls-libssl/text-order.txt
W=$(mktemp -d "${TMPDIR:-/tmp}/text-order.XXXXXX")
NGINX_PID=
PY=python3
# shellcheck source=../tests/lib.sh
. "$REPO/tests/lib.sh"
cleanup() { [ -n "$NGINX_PID" ] && stop_pids 30 "$NGINX_PID"; rm -rf "$W"; }
trap cleanup EXIT

cc -O2 -o "$W/tlsbench" "$HERE/tlsbench.c" -lssl -lcrypto
mkdir "$W/certs"
python3 -c "import sys; sys.path.insert(0, '$HERE'); import run; run.make_pki('$W/certs', run.lib_env('system'))"
PORT=$(free_port)
mkdir -p "$W/tmp"
cat >"$W/nginx.conf" <<CONF
worker_processes 1;
pid $W/nginx.pid;
error_log $W/error.log notice;
events { worker_connections 64; }
http {
    access_log off;
    client_body_temp_path $W/tmp/cb; proxy_temp_path $W/tmp/proxy; fastcgi_temp_path $W/tmp/fcgi;
    uwsgi_temp_path $W/tmp/uwsgi; scgi_temp_path $W/tmp/scgi;
    server {
        listen 127.0.0.1:$PORT ssl;
        ssl_certificate $W/certs/ec.pem;
        ssl_certificate_key $W/certs/ec.key;
        location = / { return 200 "ok\n"; }
    }
}
CONF
env -u LD_LIBRARY_PATH /usr/sbin/nginx -p "$W/" -c "$W/nginx.conf" -e "$W/error.log" -g 'daemon off;' \
    >"$W/nginx.out" 2>&1 </dev/null &
NGINX_PID=$!
wait_listen "$PORT" "$NGINX_PID"

n=0
profile() {
    n=$((n + 1))
    env LD_LIBRARY_PATH="$LIB" valgrind -q --tool=callgrind --demangle=no --dump-instr=no \
        --callgrind-out-file="$W/cg.$(printf %02d $n)" "$@" >/dev/null
}
URL=https://127.0.0.1:$PORT/
# Start-up first (what every process runs), then a client's handshake, then the rest.
profile /usr/bin/curl --version
# A context with a CA file (what every TLS program does next), apart from the handshake code.
profile "$W/tlsbench" ctx --n 1 --cafile "$W/certs/ca.pem"
profile /usr/bin/curl -sS -o /dev/null --cacert "$W/certs/ca.pem" "$URL"
profile /usr/bin/curl -sS -o /dev/null --cacert "$W/certs/bundle.pem" "$URL"
for args in "--tls 1.3 --key ec --resume 0" "--tls 1.3 --key ec --resume 2" "--tls 1.2 --key ec --resume 0" \
    "--tls 1.2 --key ec --resume 1" "--tls 1.3 --key rsa --resume 0" "--tls 1.2 --key rsa --resume 0"; do
    # shellcheck disable=SC2086
    profile "$W/tlsbench" hs --n 2 $args --certdir "$W/certs"
done

# The functions of libssl.so.3 that ran, per profile, in the order of the profiles.
python3 - "$W"/cg.* >"$OUT.tmp" <<'PY'
import re
import sys

seen, out = set(), []
for path in sys.argv[1:]:
    objs, fns, obj, found = {}, {}, None, set()
    for line in open(path, errors="replace"):
        line = line.rstrip("\n")
        m = re.match(r"(c?ob)=\((\d+)\)(?: (.*))?$", line)
        if m:
            if m.group(3):
                objs[m.group(2)] = m.group(3)
            if m.group(1) == "ob":
                obj = objs.get(m.group(2), "")
            continue
        m = re.match(r"(c?fn)=\((\d+)\)(?: (.*))?$", line)
        if m:
            if m.group(3):
                fns[m.group(2)] = m.group(3)
            if m.group(1) == "fn" and obj.endswith("/libssl.so.3"):
                found.add(fns[m.group(2)])
    for name in sorted(found):
        if name.startswith("0x"):
            continue  # no symbol: assembly without its own section
        if name not in seen:
            seen.add(name)
            out.append(name)
print("\n".join(out))
PY
mv "$OUT.tmp" "$OUT"
echo "$OUT: $(wc -l <"$OUT") functions"
