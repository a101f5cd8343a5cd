#!/bin/bash
# run.sh LIBDIR — differential C tests: every tests/abi/*.c is compiled against the system
# OpenSSL 3 headers (ASan + UBSan), run once against the system libssl and once with
# LD_LIBRARY_PATH=LIBDIR (the shim's libssl.so.3), and the two stdouts must be identical.
#
# The programs talk to `openssl s_server` instances (system OpenSSL) started here on
# 127.0.0.1 with dynamic ports, passed to them as ABI_PORT_<NAME>; the test PKI comes from
# tests/curl/gen-certs.sh and is passed as ABI_CERTS. exporter.c is also checked against the
# keying material its server prints. A program also fails when it exits non-zero under
# either library (ASan, UBSan and LeakSanitizer errors, a 60 s timeout, a broken harness).
# Prints `ok shim_is_loaded` (LD_LIBRARY_PATH really selects LIBDIR), then one
# `ok NAME`/`FAIL NAME` line per program with the diff of any mismatch, and
# `N passed, N failed` last; exits 1 on any failure. ABI_KEEP=1 keeps the work directory
# (outputs, stderr, server logs) for inspection.
set -u

if [ $# -ne 1 ] || [ ! -e "$1/libssl.so.3" ]; then
    echo "usage: $0 LIBDIR   (LIBDIR holds the shim's libssl.so.3)" >&2
    exit 2
fi
LIBDIR=$(cd "$1" && pwd)
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
# The servers, the compiler and the first run must see the system libssl only.
unset LD_LIBRARY_PATH LD_PRELOAD

# --- dependencies (fresh Debian 12) -----------------------------------------------------
need=()
command -v cc >/dev/null || need+=(gcc libc6-dev)
[ -f /usr/include/openssl/ssl.h ] || need+=(libssl-dev)
command -v openssl >/dev/null || need+=(openssl)
command -v diff >/dev/null || need+=(diffutils)
if [ ${#need[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ]; then
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
    else
        echo "missing packages: ${need[*]} (run as root to install them)" >&2
        exit 2
    fi
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/abi-tests.XXXXXX")
SERVER_PIDS=()
cleanup() {
    for pid in "${SERVER_PIDS[@]}"; do
        kill "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
    done
    exec 9>&- 2>/dev/null
    [ -n "${ABI_KEEP:-}" ] && echo "kept $WORK" >&2 || rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

pass=0 fail=0
ok() { echo "ok $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1${2:+: $2}"; fail=$((fail + 1)); }

# --- test PKI and servers ---------------------------------------------------------------
if ! bash "$ROOT/tests/curl/gen-certs.sh" "$WORK/pki" >"$WORK/gen-certs.log" 2>&1; then
    cat "$WORK/gen-certs.log" >&2
    echo "gen-certs.sh failed" >&2
    exit 1
fi
export ABI_CERTS=$WORK/pki

# s_server without -www/-rev reads its stdin and quits at EOF: give every server the read
# end of a FIFO that is never written and never closed.
mkfifo "$WORK/stdin"
exec 9<>"$WORK/stdin"

# start_server NAME s_server-args...: exports ABI_PORT_NAME; the log is $WORK/NAME.log.
start_server() {
    local name=$1 port="" i
    shift
    : >"$WORK/$name.log"
    stdbuf -oL -eL openssl s_server -accept 127.0.0.1:0 "$@" <&9 >"$WORK/$name.log" 2>&1 &
    SERVER_PIDS+=($!)
    for i in $(seq 100); do
        port=$(sed -n 's/^ACCEPT 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$WORK/$name.log")
        [ -n "$port" ] && break
        sleep 0.1
    done
    if [ -z "$port" ]; then
        cat "$WORK/$name.log" >&2
        echo "s_server $name did not start" >&2
        exit 1
    fi
    export "ABI_PORT_$name=$port"
}
P=$WORK/pki
start_server WWW -cert "$P/server.pem" -key "$P/server.key" -cert_chain "$P/inter.pem" -www
start_server REV -cert "$P/server.pem" -key "$P/server.key" -cert_chain "$P/inter.pem" -rev
start_server EXPIRED -cert "$P/expired.pem" -key "$P/expired.key" -www
start_server SELFSIGNED -cert "$P/selfsigned.pem" -key "$P/selfsigned.key" -www
start_server WRONG -cert "$P/wrong.pem" -key "$P/wrong.key" -www
export ABI_KEYMAT_LABEL="EXPERIMENTAL rustls-libssl"
start_server KEYMAT -cert "$P/server.pem" -key "$P/server.key" -cert_chain "$P/inter.pem" \
    -keymatexport "$ABI_KEYMAT_LABEL" -keymatexportlen 32

# --- build ------------------------------------------------------------------------------
CFLAGS=(-Wall -Wextra -Werror -g -fsanitize=address,undefined -fno-omit-frame-pointer)
# LeakSanitizer is on: a leak fails the program (exit status 99). lsan.supp lists what lives
# on purpose until exit; ABI_DETECT_LEAKS=0 turns leak detection off.
# fast_unwind_on_malloc=0: the Rust std in the shim has no frame pointers, and the
# suppressions need whole stacks.
export ASAN_OPTIONS=detect_leaks=${ABI_DETECT_LEAKS:-1}:fast_unwind_on_malloc=0:abort_on_error=0:exitcode=99
export LSAN_OPTIONS=suppressions=$HERE/lsan.supp:print_suppressions=0
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1:exitcode=98
mkdir -p "$WORK/bin"

# Sanity: a program run with LD_LIBRARY_PATH=LIBDIR must really load the shim.
printf '#include <openssl/ssl.h>\nint main(void){return SSL_CTX_new(TLS_method())==0;}\n' >"$WORK/probe.c"
cc -o "$WORK/probe" "$WORK/probe.c" -lssl -lcrypto
if LD_LIBRARY_PATH=$LIBDIR ldd "$WORK/probe" | grep -q "libssl.so.3 => $LIBDIR/libssl.so.3"; then
    ok shim_is_loaded
else
    bad shim_is_loaded "LD_LIBRARY_PATH=$LIBDIR does not select $LIBDIR/libssl.so.3"
fi

# --- run --------------------------------------------------------------------------------
# exporter.c prints `keymat NAME: HEX` for each connection whose value its server also
# printed; check them against the server log lines that the run appended.
check_keymat() { # OUT LOG-OFFSET-BEFORE
    local ours theirs
    ours=$(sed -n 's/^keymat [^:]*: //p' "$1")
    theirs=$(tail -c +"$(($2 + 1))" "$WORK/KEYMAT.log" | sed -n 's/^ *Keying material: //p')
    [ -n "$ours" ] && [ "$ours" = "$theirs" ] && return 0
    echo "  client keying material: $(echo $ours)"
    echo "  server keying material: $(echo $theirs)"
    return 1
}

for src in "$HERE"/*.c; do
    name=$(basename "$src" .c)
    [ "$name" = header_check ] && continue # compiled by header-check.sh
    bin=$WORK/bin/$name
    if ! cc "${CFLAGS[@]}" -I"$HERE" -o "$bin" "$src" -lssl -lcrypto 2>"$WORK/$name.cc"; then
        bad "$name" "does not compile"
        sed 's/^/  /' "$WORK/$name.cc" | head -20
        continue
    fi
    why=""
    for lib in sys shim; do
        off=$(stat -c %s "$WORK/KEYMAT.log")
        if [ $lib = sys ]; then
            (cd "$WORK" && timeout 60 "$bin" >"$WORK/$name.$lib.out" 2>"$WORK/$name.$lib.err")
        else
            (cd "$WORK" && LD_LIBRARY_PATH=$LIBDIR timeout 60 "$bin" >"$WORK/$name.$lib.out" 2>"$WORK/$name.$lib.err")
        fi
        rc=$?
        if [ $rc != 0 ]; then
            why+="${why:+; }exit status $rc with the $lib libssl"
            echo "  --- stderr ($lib) ---"
            tail -n 30 "$WORK/$name.$lib.err" | sed 's/^/  /'
        fi
        if [ "$name" = exporter ]; then
            if ! check_keymat "$WORK/$name.$lib.out" "$off"; then
                why+="${why:+; }keying material differs from the server's with the $lib libssl"
            fi
            sed -i 's/^\(keymat [^:]*:\) .*/\1 (checked against the server)/' "$WORK/$name.$lib.out"
        fi
    done
    if ! cmp -s "$WORK/$name.sys.out" "$WORK/$name.shim.out"; then
        why+="${why:+; }stdout differs (system vs shim)"
        diff -u --label "$name (system libssl)" --label "$name (shim)" \
            "$WORK/$name.sys.out" "$WORK/$name.shim.out" | sed 's/^/  /'
    fi
    if [ -z "$why" ]; then ok "$name"; else bad "$name" "$why"; fi
done

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
