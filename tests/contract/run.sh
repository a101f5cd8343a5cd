#!/bin/bash
# run.sh LIBDIR — the export-contract test: every tests/contract/*.c is compiled against the
# system OpenSSL 3 headers (-Wall -Wextra -Werror, ASan + UBSan), run once on the system
# libssl and once with LD_LIBRARY_PATH=LIBDIR (the shim's libssl.so.3), and the two outputs
# are compared line by line. Each line is `GROUP.CASE: values | err: queue` (see
# contract.h); the system libssl's line is the expectation.
#
# A line may differ only when tests/contract/expected-differences.txt lists it (PROGRAM and
# a GROUP.CASE pattern, `*` matching anything, with the reason): a feature the shim
# deliberately does not have. Every other difference, a line missing on either side, a
# crashed group (`GROUP.~status`), a leak (`GROUP.~leaks`) or a program that exits non-zero
# or hangs fails the program. Listed lines that no longer differ are pointed out.
#
# Prints `ok NAME` / `FAIL NAME` per program with its differing lines (`-` system, `+` shim),
# then a summary; exits 1 on any failure. CONTRACT_KEEP=1 keeps the work directory (outputs
# and sanitizer reports in NAME.{sys,shim}.{out,err}); CONTRACT_ONLY=NAME runs one program.
set -u

if [ $# -ne 1 ] || [ ! -e "$1/libssl.so.3" ]; then
    echo "usage: $0 LIBDIR   (LIBDIR holds the shim's libssl.so.3)" >&2
    exit 2
fi
LIBDIR=$(cd "$1" && pwd)
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
unset LD_LIBRARY_PATH LD_PRELOAD

need=()
command -v cc >/dev/null || need+=(gcc libc6-dev)
[ -f /usr/include/openssl/ssl.h ] || need+=(libssl-dev)
command -v openssl >/dev/null || need+=(openssl)
command -v gawk >/dev/null || command -v awk >/dev/null || need+=(gawk)
if [ ${#need[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ]; then
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
    else
        echo "missing packages: ${need[*]} (run as root to install them)" >&2
        exit 2
    fi
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/contract-tests.XXXXXX")
cleanup() { [ -n "${CONTRACT_KEEP:-}" ] && echo "kept $WORK" >&2 || rm -rf "$WORK"; }
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

if ! bash "$ROOT/tests/curl/gen-certs.sh" "$WORK/pki" >"$WORK/gen-certs.log" 2>&1; then
    cat "$WORK/gen-certs.log" >&2
    echo "gen-certs.sh failed" >&2
    exit 1
fi
export CONTRACT_CERTS=$WORK/pki
# The default verify paths (SSL_CTX_set_default_verify_*) read these instead of the
# machine's CA bundle: the same answer on every machine, and fast under the sanitizers.
export SSL_CERT_FILE=$WORK/pki/root.pem SSL_CERT_DIR=$WORK/pki/hashdir
mkdir -p "$WORK/tmp" "$WORK/bin"
export CONTRACT_TMP=$WORK/tmp

# --- build (two at a time) --------------------------------------------------------------
CFLAGS=(-Wall -Wextra -Werror -Wno-deprecated-declarations -g -O0
    -fsanitize=address,undefined -fno-omit-frame-pointer)
progs=()
for src in "$HERE"/*.c; do
    name=$(basename "$src" .c)
    [ -n "${CONTRACT_ONLY:-}" ] && [ "$name" != "$CONTRACT_ONLY" ] && continue
    progs+=("$name")
done
printf '%s\n' "${progs[@]}" | xargs -P 2 -I{} sh -c \
    'cc "$@" -I"'"$HERE"'" -o "'"$WORK"'/bin/{}" "'"$HERE"'/{}.c" -lssl -lcrypto 2>"'"$WORK"'/{}.cc"' \
    _ "${CFLAGS[@]}"

# --- run --------------------------------------------------------------------------------
# LeakSanitizer runs in every group's child, before it exits (contract.h). Fast unwinding
# keeps the run ten times faster than slow unwinding; leak stacks through the shim's Rust
# frames come out shorter for it (rerun one program with CONTRACT_ONLY=NAME and
# CONTRACT_ASAN_OPTIONS=fast_unwind_on_malloc=0 to see them whole).
export ASAN_OPTIONS=detect_leaks=${CONTRACT_DETECT_LEAKS:-1}:fast_unwind_on_malloc=1:abort_on_error=0:exitcode=99${CONTRACT_ASAN_OPTIONS:+:$CONTRACT_ASAN_OPTIONS}
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1:exitcode=98

# compare PROGRAM SYS SHIM: prints the differing lines; exit 1 if any is not expected.
compare() {
    awk -v prog="$1" -v expfile="$HERE/expected-differences.txt" '
        function key(line) { return substr(line, 1, index(line, ": ") - 1) }
        # A group'"'"'s own lines (GROUP.~status, ~leaks, ~leftover) are never expected to differ.
        function expected(k,   i) {
            if (k ~ /^[^.]*\.~/) return ""
            for (i = 1; i <= npat; i++) if (k ~ pat[i]) return reason[i]
            return ""
        }
        function exact(k,   i) {
            for (i = 1; i <= npat; i++) if (k ~ pat[i] && !glob[i]) return 1
            return 0
        }
        BEGIN {
            while ((getline l < expfile) > 0) {
                if (l ~ /^[ \t]*(#|$)/) continue
                split(l, f, /[ \t]+/)
                if (f[1] != prog) continue
                p = f[2]; npat++; glob[npat] = index(p, "*") > 0
                gsub(/[.+?()|{}\[\]^$]/, "\\\\&", p); gsub(/\*/, ".*", p)
                pat[npat] = "^" p "$"; r = l; sub(/^[^ \t]+[ \t]+[^ \t]+[ \t]*/, "", r)
                reason[npat] = r
            }
        }
        FNR == 1 { file++ }
        {
            k = key($0)
            if (k == "") { k = "(unkeyed) " $0 }
            if (file == 1) { if (k in sys) dup[k] = 1; sys[k] = $0; order[++n] = k }
            else { if (k in shim) dup[k] = 1; shim[k] = $0; if (!(k in sys)) order[++n] = k }
        }
        END {
            bad = 0
            for (k in dup) { print "  duplicate case " k " (fix the program)"; bad = 1 }
            for (i = 1; i <= n; i++) {
                k = order[i]
                if ((k in sys) && (k in shim) && sys[k] == shim[k]) {
                    if (exact(k)) print "  note: " k " no longer differs; drop it from expected-differences.txt"
                    continue
                }
                why = expected(k)
                if (why != "") { nexp++; continue }
                bad = 1; ndiff++
                print "  - " ((k in sys) ? sys[k] : k ": (missing)")
                print "  + " ((k in shim) ? shim[k] : k ": (missing)")
            }
            if (ndiff) print "  " ndiff " differing lines" (nexp ? ", " nexp " expected" : "")
            exit bad
        }' "$2" "$3"
}

pass=0 fail=0
# The shim runs must really load LIBDIR's libssl.so.3 (else they would just repeat the
# system run and pass).
for name in "${progs[@]}"; do
    [ -x "$WORK/bin/$name" ] || continue
    if ! LD_LIBRARY_PATH=$LIBDIR ldd "$WORK/bin/$name" | grep -q "libssl.so.3 => $LIBDIR/libssl.so.3"; then
        echo "FAIL shim_is_loaded: LD_LIBRARY_PATH=$LIBDIR does not select $LIBDIR/libssl.so.3"
        fail=$((fail + 1))
    fi
    break
done
for name in "${progs[@]}"; do
    bin=$WORK/bin/$name
    if [ ! -x "$bin" ]; then
        echo "FAIL $name: does not compile"
        sed 's/^/  /' "$WORK/$name.cc" | head -30
        fail=$((fail + 1))
        continue
    fi
    why=""
    for lib in sys shim; do
        if [ $lib = sys ]; then
            timeout 60 "$bin" >"$WORK/$name.$lib.out" 2>"$WORK/$name.$lib.err"
        else
            LD_LIBRARY_PATH=$LIBDIR timeout 60 "$bin" >"$WORK/$name.$lib.out" 2>"$WORK/$name.$lib.err"
        fi
        rc=$?
        [ $rc != 0 ] && why+="${why:+; }exit status $rc with the $lib libssl"
        if [ $lib = sys ] && grep -q '\.~\(status\|leaks\): \(CRASH\|found\)' "$WORK/$name.sys.out"; then
            why+="${why:+; }the program itself fails on the system libssl (fix the program)"
            grep '\.~\(status\|leaks\): \(CRASH\|found\)' "$WORK/$name.sys.out" | sed 's/^/  sys: /'
        fi
    done
    # Shim-to-shim TLS 1.3 handshakes compress certificates (RFC 8879, beyond OpenSSL 3.0:
    # tests/beyond): the message callback traces (`<22.TYPE/VERSION`) show a
    # CompressedCertificate (25) where OpenSSL's show a Certificate (11). The type is put
    # back so that the rest of each line is still compared.
    sed -i -E 's#([<>]22\.)25/#\111/#g' "$WORK/$name.shim.out"
    if ! compare "$name" "$WORK/$name.sys.out" "$WORK/$name.shim.out" >"$WORK/$name.diff"; then
        why+="${why:+; }output differs (system vs shim)"
    fi
    if [ -z "$why" ]; then
        echo "ok $name ($(wc -l <"$WORK/$name.sys.out") lines)"
        pass=$((pass + 1))
    else
        echo "FAIL $name: $why"
        fail=$((fail + 1))
    fi
    cat "$WORK/$name.diff"
done

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
