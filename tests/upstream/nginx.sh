#!/bin/bash
# nginx's own TLS tests (nginx-tests, pinned in tests/upstream/) against Debian 12's
# /usr/sbin/nginx, once on the system OpenSSL and once on the shim.
#
# usage: tests/upstream/nginx.sh LIBDIR [FILE.t...]
#
# Only nginx loads the shim (through a wrapper that sets LD_LIBRARY_PATH); the Perl
# clients, the openssl CLI and the backends the tests start keep the system OpenSSL.
# Prints one line per file with its outcome on both libraries, the files whose outcome
# differs, and `N passed, M failed` for the shim: a file that runs on OpenSSL but skips
# on the shim (nginx refused to start) counts as failed. Exit status 1 if a file that
# passes on OpenSSL does not pass on the shim.
#
# Environment: JOBS (files run at once, default 2), KEEP_LOGS=1 keeps the logs,
# UPSTREAM_DIR (where the suite is unpacked; default target/upstream).
set -u

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
# shellcheck source=../lib.sh
. "$HERE/../lib.sh"

[ $# -ge 1 ] || { echo "usage: $0 LIBDIR [FILE.t...]" >&2; exit 2; }
LIBDIR=$(cd "$1" && pwd) || exit 2
shift
[ -e "$LIBDIR/libssl.so.3" ] || { echo "$LIBDIR has no libssl.so.3" >&2; exit 2; }

# The pinned copy lives in the repository (no registry has it), so a fresh clone runs it.
TARBALL=$(ls "$HERE"/nginx-tests-*.tar.gz 2>/dev/null | head -n 1)
[ -n "$TARBALL" ] || { echo "no nginx-tests tarball in tests/upstream/" >&2; exit 2; }
UPSTREAM_DIR=${UPSTREAM_DIR:-$ROOT/target/upstream}
JOBS=${JOBS:-2}
FILE_TIMEOUT=300

need nginx libnginx-mod-http-geoip libnginx-mod-http-image-filter libnginx-mod-http-perl \
    libnginx-mod-http-xslt-filter libnginx-mod-mail libnginx-mod-stream \
    libnginx-mod-stream-geoip libio-socket-ssl-perl libnet-ssleay-perl uwsgi \
    uwsgi-plugin-python3 openssl perl || { echo "missing packages" >&2; exit 1; }
# Debian starts the packaged services on install; the tests run their own.
service nginx stop >/dev/null 2>&1 || true
service uwsgi stop >/dev/null 2>&1 || true

unset LD_LIBRARY_PATH LD_PRELOAD SSLKEYLOGFILE OPENSSL_CONF
export LC_ALL=C

SUITE=$UPSTREAM_DIR/nginx-tests
if [ ! -d "$SUITE" ] || [ "$TARBALL" -nt "$SUITE" ]; then
    rm -rf "$SUITE"
    mkdir -p "$UPSTREAM_DIR"
    tar -xzf "$TARBALL" -C "$UPSTREAM_DIR" || exit 1
    touch "$SUITE"
fi

WORK=$(mktemp -d /tmp/upstream-nginx.XXXXXX)
# The wrapper Test::Nginx runs as "nginx": only nginx itself loads the shim.
cat >"$WORK/nginx-shim" <<EOF
#!/bin/sh
LD_LIBRARY_PATH='$LIBDIR' exec /usr/sbin/nginx "\$@"
EOF
chmod +x "$WORK/nginx-shim"
got=$(LD_LIBRARY_PATH=$LIBDIR ldd /usr/sbin/nginx | awk '/libssl.so.3/ {print $3}')
if [ "$got" != "$LIBDIR/libssl.so.3" ]; then
    echo "the wrapper's nginx loads $got, not $LIBDIR/libssl.so.3" >&2
    exit 1
fi

if [ $# -gt 0 ]; then
    FILES=("$@")
else
    mapfile -t FILES < <(cd "$SUITE" && ls ./*ssl*.t | sed 's|^\./||')
fi

# run_file LIB FILE: runs one test file with prove, its log in $WORK/LIB/FILE.log and a
# one-word outcome (pass, fail, skip) in $WORK/LIB/FILE.outcome.
run_file() {
    local lib=$1 file=$2 bin tmp rc outcome pid
    bin=/usr/sbin/nginx
    [ "$lib" = shim ] && bin=$WORK/nginx-shim
    tmp=$WORK/$lib/tmp-$file
    mkdir -p "$tmp"
    (
        cd "$SUITE" &&
            TMPDIR=$tmp TEST_NGINX_BINARY=$bin TEST_NGINX_MODULES=/usr/lib/nginx/modules \
                TEST_NGINX_GLOBALS="user root;" \
                timeout -k 10 "$FILE_TIMEOUT" prove -v "$file"
    ) >"$WORK/$lib/$file.log" 2>&1
    rc=$?
    # nginx processes a test left behind (a timeout) are found by their TMPDIR.
    for pid in $(pgrep -f -- "$tmp" 2>/dev/null); do
        kill -KILL "$pid" 2>/dev/null
    done
    if grep -q '^Result: NOTESTS' "$WORK/$lib/$file.log"; then
        outcome=skip
    elif grep -q '^Result: PASS' "$WORK/$lib/$file.log"; then
        outcome=pass
    else
        outcome=fail
    fi
    [ $rc -eq 124 ] && outcome=fail
    echo "$outcome" >"$WORK/$lib/$file.outcome"
    rm -rf "$tmp"
}

# reason LIB FILE: the skip reason or the first failed subtests, for the report.
reason() {
    local log=$WORK/$1/$2.log
    case $(cat "$WORK/$1/$2.outcome") in
        skip) grep -m1 -oE 'skipped: .*' "$log" ;;
        fail) grep -E '^not ok' "$log" | head -n 3 | sed 's/^not ok //' | paste -sd';' - ;;
        *) ;;
    esac
}

for lib in system shim; do
    mkdir -p "$WORK/$lib"
    running=0
    for f in "${FILES[@]}"; do
        run_file "$lib" "$f" &
        running=$((running + 1))
        if [ "$running" -ge "$JOBS" ]; then
            wait -n
            running=$((running - 1))
        fi
    done
    wait
done

# Subtests expected to fail on the shim (tests/upstream/nginx-expected.txt).
declare -A expected
while IFS=$'\t' read -r file subtest why; do
    case $file in '#'* | '') continue ;; esac
    expected["$file|$subtest"]=$why
done <"$HERE/nginx-expected.txt"

# only_expected FILE: the shim's failed subtests of FILE are all listed as expected.
only_expected() {
    local t n=0
    while IFS= read -r t; do
        [ -n "${expected["$1|$t"]:-}" ] || return 1
        n=$((n + 1))
    done < <(grep -E '^not ok' "$WORK/shim/$1.log" | sed -E 's/^not ok [0-9]+ - //')
    [ $n -gt 0 ]
}

passed=0
failed=0
differ=()
printf '%-44s %-8s %-8s\n' FILE OpenSSL shim
for f in "${FILES[@]}"; do
    sys=$(cat "$WORK/system/$f.outcome")
    shim=$(cat "$WORK/shim/$f.outcome")
    printf '%-44s %-8s %-8s\n' "$f" "$sys" "$shim"
    case $sys/$shim in
        pass/pass) passed=$((passed + 1)) ;;
        skip/skip) ;;
        fail/fail) failed=$((failed + 1)) ;;
        */pass) passed=$((passed + 1)) ;;
        pass/fail) if only_expected "$f"; then passed=$((passed + 1)); else failed=$((failed + 1)); fi ;;
        *) failed=$((failed + 1)) ;;
    esac
    if [ "$sys" != "$shim" ]; then
        if [ "$sys/$shim" = pass/fail ] && only_expected "$f"; then
            differ+=("$f: OpenSSL $sys, shim $shim: $(reason shim "$f") (expected: ${expected["$f|$(grep -m1 -E '^not ok' "$WORK/shim/$f.log" | sed -E 's/^not ok [0-9]+ - //')"]})")
        else
            differ+=("$f: OpenSSL $sys, shim $shim: $(reason shim "$f")")
        fi
    fi
done
echo
echo "# files whose outcome differs: ${#differ[@]}"
for d in "${differ[@]}"; do
    echo "#   $d"
done
# A failure on both libraries is nginx 1.22's own (see tests/upstream/README.md).
status=0
for f in "${FILES[@]}"; do
    if [ "$(cat "$WORK/system/$f.outcome")" = pass ] &&
        [ "$(cat "$WORK/shim/$f.outcome")" != pass ] && ! only_expected "$f"; then
        status=1
    fi
done
if [ $status -ne 0 ] || [ "${KEEP_LOGS:-0}" = 1 ]; then
    echo "# logs kept in $WORK"
else
    rm -rf "$WORK"
fi
echo "$passed passed, $failed failed"
exit $status
