#!/bin/bash
# One-shot clients: what a short-lived program pays for the library.  Debian's /usr/bin/curl
# (LD_LIBRARY_PATH picks the library under test) makes one HTTPS GET to a local nginx that runs
# on the system OpenSSL, REPS times per call; bench/run.py calls this once per library and
# round, interleaved.  Can be run by hand.
#
# usage: bench/oneshot.sh --lib LIBDIR|system --tlsbench PATH --certdir DIR [--reps N]
#
#   PATH is a tlsbench binary (bench/tlsbench.c); DIR holds ca.pem, ec.pem and ec.key (as
#   bench/run.py makes them).
#
# Each curl process is started by `tlsbench spawn` (fork, exec, wait4: a small parent, since
# the kernel carries the forking process's peak RSS into the child's), which gives its wall
# time, its CPU time (user + system, from the kernel's rusage) and its peak RSS (ru_maxrss, the
# same as VmHWM).  Three commands, interleaved, after one warm-up run of each:
#   version  curl --version: the program and its libraries loaded and initialised, no TLS
#   one      curl --cacert ca.pem https://127.0.0.1:PORT/ (one CA)
#   bundle   curl --cacert B ..., B = /etc/ssl/certs/ca-certificates.crt + ca.pem (the system
#            store, about 145 CAs, plus the test root)
# One line of key=value results on stdout: for each command the median over the REPS runs of
# <cmd>_wall_ms, <cmd>_cpu_ms and <cmd>_rss_kb, and libssl (the file curl loads, from ldd).
# Any curl that fails (exit status, HTTP status other than 200) fails the script; nginx is
# stopped on every exit path.
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
unset LD_PRELOAD OPENSSL_CONF SSLKEYLOGFILE LD_LIBRARY_PATH
export LC_ALL=C
PY=python3
# shellcheck source=../tests/lib.sh
. "$HERE/../tests/lib.sh"

CURL=/usr/bin/curl
SYSTEM_BUNDLE=/etc/ssl/certs/ca-certificates.crt
LIB= TLSBENCH= CERTDIR= REPS=7
USAGE="usage: $0 --lib LIBDIR|system --tlsbench PATH --certdir DIR [--reps N]"
while [ $# -gt 0 ]; do
    case $1 in
        --lib) LIB=${2:-}; shift 2 ;;
        --tlsbench) TLSBENCH=${2:-}; shift 2 ;;
        --certdir) CERTDIR=${2:-}; shift 2 ;;
        --reps) REPS=${2:-}; shift 2 ;;
        *) echo "$USAGE" >&2; exit 2 ;;
    esac
done
[ -n "$LIB" ] && [ -x "$TLSBENCH" ] && [ -r "$CERTDIR/ca.pem" ] || { echo "$USAGE" >&2; exit 2; }
for f in /usr/sbin/nginx "$CURL" "$SYSTEM_BUNDLE"; do
    [ -e "$f" ] || { echo "oneshot.sh: $f is missing" >&2; exit 2; }
done
CERTDIR=$(readlink -f "$CERTDIR")
[ "$LIB" = system ] || LIB=$(readlink -f "$LIB")

WORK=$(mktemp -d "${TMPDIR:-/tmp}/oneshot.XXXXXX")
NGINX_PID=
cleanup() {
    [ -n "$NGINX_PID" ] && stop_pids 30 "$NGINX_PID"
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

cat "$SYSTEM_BUNDLE" "$CERTDIR/ca.pem" >"$WORK/bundle.pem"
PORT=$(free_port)
mkdir -p "$WORK/tmp"
cat >"$WORK/nginx.conf" <<CONF
worker_processes 1;
pid $WORK/nginx.pid;
error_log $WORK/error.log notice;
events { worker_connections 64; }
http {
    access_log off;
    client_body_temp_path $WORK/tmp/cb; proxy_temp_path $WORK/tmp/proxy; fastcgi_temp_path $WORK/tmp/fcgi;
    uwsgi_temp_path $WORK/tmp/uwsgi; scgi_temp_path $WORK/tmp/scgi;
    server {
        listen 127.0.0.1:$PORT ssl;
        ssl_certificate $CERTDIR/ec.pem;
        ssl_certificate_key $CERTDIR/ec.key;
        location = / { return 200 "ok\n"; }
    }
}
CONF
# nginx always runs on the system OpenSSL: only the client changes.
env -u LD_LIBRARY_PATH /usr/sbin/nginx -p "$WORK/" -c "$WORK/nginx.conf" -e "$WORK/error.log" \
    -g 'daemon off;' >"$WORK/nginx.out" 2>&1 </dev/null &
NGINX_PID=$!
wait_listen "$PORT" "$NGINX_PID" || { cat "$WORK/nginx.out" "$WORK/error.log" >&2; exit 1; }

# OpenSSL's curl also gets an LD_LIBRARY_PATH (a directory with a link to the system library):
# the dynamic loader then looks for each of curl's ~40 libraries there first on both sides,
# and the figures differ by the library only.
if [ "$LIB" = system ]; then
    mkdir "$WORK/syslib"
    ln -s "$(readlink -f /usr/lib/x86_64-linux-gnu/libssl.so.3)" "$WORK/syslib/libssl.so.3"
    lib_env "$WORK/syslib"
else
    lib_env "$LIB"
fi
MAPPED=$(readlink -f "$("${LIB_ENV[@]}" ldd "$CURL" | awk '$1 == "libssl.so.3" {print $3}')")

"${LIB_ENV[@]}" "$PY" - "$TLSBENCH" "$CURL" "$PORT" "$CERTDIR/ca.pem" "$WORK/bundle.pem" "$REPS" "$MAPPED" <<'PY'
import os
import statistics
import subprocess
import sys

tlsbench, curl, port, ca, bundle, reps, mapped = sys.argv[1:]
url = "https://127.0.0.1:%s/" % port
cmds = {
    "version": [curl, "--version"],
    "one": [curl, "-sS", "-o", "/dev/null", "-w", "%{http_code}", "--cacert", ca, url],
    "bundle": [curl, "-sS", "-o", "/dev/null", "-w", "%{http_code}", "--cacert", bundle, url],
}
out_path = os.path.join(os.path.dirname(bundle), "curl.out")


def once(name, argv):
    res = subprocess.run([tlsbench, "spawn", out_path] + argv, stdin=subprocess.DEVNULL,
                         capture_output=True, text=True, timeout=60)
    if res.returncode != 0:
        sys.exit("oneshot.sh: tlsbench spawn failed: %s" % res.stderr.strip())
    kv = dict(item.partition("=")[::2] for item in res.stdout.split())
    with open(out_path) as f:
        out = f.read()
    if kv["status"] != "0":
        sys.exit("oneshot.sh: %s: exit status %s" % (name, kv["status"]))
    if name != "version" and out.strip() != "200":
        sys.exit("oneshot.sh: %s: HTTP status %r" % (name, out.strip()))
    return float(kv["wall_ms"]), float(kv["cpu_ms"]), float(kv["rss_kb"])


# One warm-up of each (page cache, nginx's first connection), then the commands interleaved.
for name, argv in cmds.items():
    once(name, argv)
samples = {name: [] for name in cmds}
for _ in range(int(reps)):
    for name, argv in cmds.items():
        samples[name].append(once(name, argv))
fields = ["libssl=%s" % mapped]
for name, rows in samples.items():
    for i, what in enumerate(("wall_ms", "cpu_ms", "rss_kb")):
        fields.append("%s_%s=%.3f" % (name, what, statistics.median(r[i] for r in rows)))
print(" ".join(fields))
PY
