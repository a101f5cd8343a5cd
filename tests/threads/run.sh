#!/bin/bash
# run.sh LIBDIR — shared SSL_CTXs under threads (tests/threads/threads.c): 16 threads each
# create, handshake, use, resume and free 200 connections from one server and one client
# context while other threads change those contexts. Built against the system OpenSSL 3
# headers, run on the system libssl and on the shim (LD_LIBRARY_PATH=LIBDIR); the stdouts
# (counts only) must be identical, and each run must exit 0 within TIMEOUT seconds.
#
# Three runs: the system libssl and the shim with the context changes OpenSSL allows while
# the context is in use (options, the session cache, ex_data), then the shim again with
# SSL_CTX_set_cipher_list/set_ciphersuites racing the handshakes too, which OpenSSL does not
# survive (a freed cipher list copied by SSL_new: openssl-threads(7); it crashes) and the shim
# must. A few seconds in all.
#
# ThreadSanitizer is no use here: the shim's Rust code is not instrumented, so its
# synchronisation (atomics in Arc, futex-based locks) is invisible and every Arc drop or
# buffer copy across threads is reported as a race (94 reports in one run, all between
# malloc/free/memcpy inside libssl.so.3). THREADS_HELGRIND=1 adds a small run under
# valgrind's helgrind, which has the same blind spot (README.md here).
set -u

if [ $# -ne 1 ] || [ ! -e "$1/libssl.so.3" ]; then
    echo "usage: $0 LIBDIR   (LIBDIR holds the shim's libssl.so.3)" >&2
    exit 2
fi
LIBDIR=$(cd "$1" && pwd)
HERE=$(cd "$(dirname "$0")" && pwd)
unset LD_LIBRARY_PATH LD_PRELOAD OPENSSL_CONF
TIMEOUT=${THREADS_TIMEOUT:-120}

WORK=$(mktemp -d "${TMPDIR:-/tmp}/threads-test.XXXXXX")
trap '[ -n "${KEEP_LOGS:-}" ] && echo "# logs kept in $WORK" || rm -rf "$WORK"' EXIT
trap 'exit 1' INT TERM HUP

if ! bash "$HERE/../curl/gen-certs.sh" "$WORK/pki" >"$WORK/gen-certs.log" 2>&1; then
    cat "$WORK/gen-certs.log"
    echo "FAIL: gen-certs.sh"
    exit 1
fi
if ! cc -O1 -g -Wall -Wextra -Werror -o "$WORK/threads" "$HERE/threads.c" -lssl -lcrypto -lpthread; then
    echo "FAIL: threads.c does not compile"
    exit 1
fi
if ! LD_LIBRARY_PATH=$LIBDIR ldd "$WORK/threads" | grep -q "libssl.so.3 => $LIBDIR/libssl.so.3"; then
    echo "FAIL: LD_LIBRARY_PATH=$LIBDIR does not select $LIBDIR/libssl.so.3"
    exit 1
fi

failed=0
# run NAME LIBDIR|system MUTATORS
run() {
    local name=$1 lib=$2 start end rc
    local envs=(env "THREADS_MUTATORS=$3")
    [ "$lib" = system ] || envs+=("LD_LIBRARY_PATH=$lib")
    start=$(date +%s.%N)
    "${envs[@]}" timeout -k 5 "$TIMEOUT" "$WORK/threads" "$WORK/pki" >"$WORK/$name.out" 2>"$WORK/$name.err"
    rc=$?
    end=$(date +%s.%N)
    printf '# %s: exit %d, %.1f s\n' "$name" "$rc" "$(echo "$end - $start" | bc)"
    if [ $rc -ne 0 ]; then
        [ $rc -eq 124 ] && echo "FAIL $name: hung (killed after ${TIMEOUT}s)" || echo "FAIL $name: exit status $rc"
        tail -n 20 "$WORK/$name.err" | sed 's/^/  | /'
        failed=1
    fi
}

run system system 023
run shim "$LIBDIR" 023
run shim-cipher-lists "$LIBDIR" 0123
sed 's/^/  /' "$WORK/system.out"
for name in shim shim-cipher-lists; do
    if cmp -s "$WORK/system.out" "$WORK/$name.out"; then
        echo "ok $name: same counts as the system libssl"
    else
        echo "FAIL $name: counts differ from the system libssl"
        diff -u --label system --label "$name" "$WORK/system.out" "$WORK/$name.out" | sed 's/^/  /'
        failed=1
    fi
done

if [ "${THREADS_HELGRIND:-0}" = 1 ]; then
    for lib in system "$LIBDIR"; do
        envs=(env THREADS_CONNS=8 THREADS_MUTATORS=023)
        [ "$lib" = system ] || envs+=("LD_LIBRARY_PATH=$lib")
        "${envs[@]}" valgrind --tool=helgrind "$WORK/threads" "$WORK/pki" >/dev/null 2>"$WORK/helgrind.err"
        echo "# helgrind ($lib): $(grep -E 'ERROR SUMMARY' "$WORK/helgrind.err")"
    done
fi

[ $failed -eq 0 ] && echo "threads: ok" || echo "threads: FAILED"
exit $failed
