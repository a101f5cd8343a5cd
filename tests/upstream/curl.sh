#!/bin/bash
# curl's own TLS test cases (runtests.pl from Debian's curl source package) against Debian
# 12's /usr/bin/curl, once on the system OpenSSL and once on the shim.
#
# usage: tests/upstream/curl.sh LIBDIR [CASE...]
#
# The first run adds a deb-src entry if the machine has none, fetches the source package of
# the installed curl with `apt-get source` into UPSTREAM_DIR/curl and builds only its test
# servers (tests/server); later runs reuse both. The cases: every test whose server
# terminates TLS (https, ftps, https-proxy, gophers, httptls+srp, HTTP/2 and HTTP/3 over
# TLS) and the HTTPS/FTPS/STARTTLS/HTTPS-proxy/GOPHERS/TLS-SRP keyword cases against plain
# servers, or the CASE numbers given. runtests.pl skips, with its reason, the cases that
# need a debug build, Schannel or a feature Debian's curl lacks; the ones that need a
# libtest program are skipped too (none is built).
#
# Only curl loads the shim (through a wrapper that sets LD_LIBRARY_PATH and execs
# /usr/bin/curl); the harness servers (sws, ftpserver.pl, stunnel4, gnutls-serv, nghttpx)
# and the curl runtests.pl checks them with keep the system OpenSSL. Prints one line per
# case with its outcome on both libraries, the cases whose outcome differs, and
# `N passed, M failed` for the shim: a case that runs on OpenSSL and skips on the shim
# counts as failed. Exit status 1 if a case that passes on OpenSSL does not pass on the
# shim.
#
# Environment: JOBS (1 runs the two libraries one after the other; default 2, side by
# side), KEEP_LOGS=1 keeps the logs, UPSTREAM_DIR (where the source is unpacked; default
# target/upstream).
set -u

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
# shellcheck source=../lib.sh
. "$HERE/../lib.sh"

[ $# -ge 1 ] || { echo "usage: $0 LIBDIR [CASE...]" >&2; exit 2; }
LIBDIR=$(cd "$1" && pwd) || exit 2
shift
[ -e "$LIBDIR/libssl.so.3" ] || { echo "$LIBDIR has no libssl.so.3" >&2; exit 2; }

UPSTREAM_DIR=${UPSTREAM_DIR:-$ROOT/target/upstream}
CACHE=$UPSTREAM_DIR/curl
RUN_TIMEOUT=900

# stunnel4 serves https/ftps/https-proxy/gophers, gnutls-serv the TLS-SRP cases, nghttpx
# HTTP/2 over TLS; dpkg-dev unpacks the source package; gcc, make and libc6-dev build the
# test servers; iproute2 brings up the loopback of the runs' network namespace.
need curl stunnel4 gnutls-bin nghttp2-proxy dpkg-dev gcc make libc6-dev perl iproute2 ||
    { echo "missing packages" >&2; exit 1; }
# Debian starts the packaged service on install; runtests.pl starts its own nghttpx.
service nghttpx stop >/dev/null 2>&1 || true

unset LD_LIBRARY_PATH LD_PRELOAD SSLKEYLOGFILE OPENSSL_CONF CURL_CA_BUNDLE SSL_CERT_FILE \
    SSL_CERT_DIR CURL_HOME http_proxy https_proxy HTTPS_PROXY all_proxy ALL_PROXY \
    no_proxy NO_PROXY
export LC_ALL=C
export NGHTTPX=/usr/sbin/nghttpx

# has_deb_src: some apt source already lists source packages.
has_deb_src() {
    grep -qsE '^[[:space:]]*(Types:.*deb-src|deb-src[[:space:]])' \
        /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources
}

# add_deb_src: a deb-src twin of the machine's Debian sources, then apt-get update.
add_deb_src() {
    [ "$(id -u)" -eq 0 ] || { echo "no deb-src entry and not root" >&2; return 1; }
    if [ -f /etc/apt/sources.list.d/debian.sources ]; then
        sed 's/^Types:.*/Types: deb-src/' /etc/apt/sources.list.d/debian.sources \
            >/etc/apt/sources.list.d/debian-src.sources
    else
        sed -n 's/^deb[[:space:]]\+/deb-src /p' /etc/apt/sources.list \
            >/etc/apt/sources.list.d/debian-src.list
    fi
    echo "note: added a deb-src entry, running apt-get update" >&2
    apt-get update -q >/dev/null 2>&1
}

# fetch_source VERSION: the curl source package (that version if the archive still has it,
# else the newest) unpacked in $CACHE, with the version asked for in $CACHE/wanted.
fetch_source() {
    local want=$1 new=$CACHE.new
    has_deb_src || add_deb_src || return 1
    rm -rf "$new"
    mkdir -p "$new"
    (
        cd "$new" &&
            { apt-get source -q "curl=$want" || apt-get source -q curl; }
    ) >"$new/fetch.log" 2>&1 || { cat "$new/fetch.log" >&2; return 1; }
    echo "$want" >"$new/wanted"
    rm -rf "$CACHE"
    mv "$new" "$CACHE"
}

# build_servers SRC: configure (no TLS library, none of the optional dependencies: only
# tests/server is built, and runtests.pl takes curl's features from `curl -V`) and make.
build_servers() {
    (
        cd "$1" &&
            ./configure --without-ssl --without-libpsl --without-zlib --without-brotli \
                --without-zstd --without-libidn2 --without-nghttp2 --without-libssh2 \
                --without-librtmp --without-libgsasl --disable-ldap \
                --disable-dependency-tracking &&
            make -C tests/server -j2
    ) >"$CACHE/build.log" 2>&1 || { tail -n 30 "$CACHE/build.log" >&2; return 1; }
}

mkdir -p "$UPSTREAM_DIR"
exec 9>"$UPSTREAM_DIR/.curl.lock"
flock 9
want=$(dpkg-query -W -f='${Version}' curl)
if [ "$(cat "$CACHE/wanted" 2>/dev/null)" != "$want" ]; then
    echo "note: fetching the source of curl $want" >&2
    fetch_source "$want" || { echo "apt-get source curl failed" >&2; exit 1; }
fi
SRC=
for d in "$CACHE"/curl-*/; do
    [ -f "$d/tests/runtests.pl" ] && SRC=${d%/}
done
[ -n "$SRC" ] || { echo "no curl source in $CACHE" >&2; exit 1; }
got=$(sed -n 's/^Version: //p' "$CACHE"/curl_*.dsc | head -n 1)
[ "$got" = "$want" ] || echo "note: testing with the tests of curl $got (installed: $want)" >&2
if [ ! -x "$SRC/tests/server/sws" ]; then
    echo "note: building curl's test servers" >&2
    build_servers "$SRC" || { echo "building curl's test servers failed" >&2; exit 1; }
fi
exec 9>&-

# select_cases: the numbers of the TLS cases, from the <server> and <keywords> sections.
select_cases() {
    awk '
        function flush(n) {
            if (file != "" && (hit || (h2 && h2tls))) {
                n = file
                sub(/.*\/test/, "", n)
                print n
            }
            hit = h2 = h2tls = 0
            sec = ""
        }
        FNR == 1 { flush(); file = FILENAME }
        /^[[:space:]]*<server>/ { sec = "server"; next }
        /^[[:space:]]*<keywords>/ { sec = "keywords"; next }
        /^[[:space:]]*<\/(server|keywords)>/ { sec = ""; next }
        sec == "server" && $1 ~ /^(https|ftps|https-proxy|gophers|httptls\+srp|http\/3)$/ {
            hit = 1
        }
        sec == "server" && $1 == "http/2" { h2 = 1 }
        /%HTTP2TLSPORT/ { h2tls = 1 }
        sec == "keywords" {
            k = toupper($0)
            gsub(/^[[:space:]]+|[[:space:]]+$/, "", k)
            if (k ~ /^(HTTPS|FTPS|STARTTLS|HTTPS-PROXY|GOPHERS|TLS-SRP)$/) hit = 1
        }
        END { flush() }
    ' "$SRC"/tests/data/test[0-9]* | sort -n
}

# case_name N: the <name> of test N.
case_name() {
    awk '
        /^[[:space:]]*<name>/ { on = 1; next }
        on { gsub(/^[[:space:]]+|[[:space:]]+$/, ""); print; exit }
    ' "$SRC/tests/data/test$1"
}

if [ $# -gt 0 ]; then
    CASES=()
    for c in "$@"; do
        c=${c#test}
        [[ $c =~ ^[0-9]+$ ]] || { echo "not a test case number: $c" >&2; exit 2; }
        c=$((10#$c))
        [ -f "$SRC/tests/data/test$c" ] || { echo "no test case $c" >&2; exit 2; }
        CASES+=("$c")
    done
else
    mapfile -t CASES < <(select_cases)
fi

WORK=$(mktemp -d /tmp/upstream-curl.XXXXXX)

# stop_leftovers DIR: ends what a runtests.pl run in DIR left behind (after a timeout):
# the servers named by its pid files and any process whose working directory is DIR.
stop_leftovers() {
    local dir=$1 f pid p pids=()
    for f in "$dir"/.*_server.pid; do
        [ -f "$f" ] || continue
        pid=$(tr -dc '0-9' <"$f")
        [ -n "$pid" ] && [ "$pid" -gt 1 ] && pids+=("$pid")
    done
    for p in /proc/[0-9]*; do
        [ "$(readlink "$p/cwd" 2>/dev/null)" = "$dir" ] || continue
        pid=${p#/proc/}
        [ "$pid" != $$ ] && [ "$pid" != "$BASHPID" ] && pids+=("$pid")
    done
    [ ${#pids[@]} -gt 0 ] && stop_pids 20 "${pids[@]}"
    return 0
}

RUN_PIDS=()
cleanup() {
    local d
    [ ${#RUN_PIDS[@]} -gt 0 ] && kill -TERM "${RUN_PIDS[@]}" 2>/dev/null
    for d in "$WORK"/*/tests; do
        [ -d "$d" ] && stop_leftovers "$d"
    done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The wrapper runtests.pl runs as "curl": only curl itself loads the shim.
cat >"$WORK/curl-shim" <<EOF
#!/bin/sh
LD_LIBRARY_PATH='$LIBDIR' exec /usr/bin/curl "\$@"
EOF
chmod +x "$WORK/curl-shim"

# loaded_libssl CMD: the libssl.so.3 the curl that CMD execs maps (CMD reads /dev/zero
# for a moment so that its memory map can be read).
loaded_libssl() {
    local pid lib=
    "$1" -s -o /dev/null --max-time 10 file:///dev/zero &
    pid=$!
    for _ in $(seq 1 100); do
        lib=$(awk '$6 ~ /\/libssl\.so\.3$/ { print $6; exit }' "/proc/$pid/maps" 2>/dev/null)
        [ -n "$lib" ] && break
        sleep 0.05
    done
    kill "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    [ -n "$lib" ] && readlink -f "$lib"
}
got=$(loaded_libssl "$WORK/curl-shim")
if [ "$got" != "$(readlink -f "$LIBDIR/libssl.so.3")" ]; then
    echo "the wrapper's curl loads ${got:-no libssl.so.3}, not $LIBDIR/libssl.so.3" >&2
    exit 1
fi
got=$(loaded_libssl /usr/bin/curl)
case $got in
    /usr/lib/* | /lib/*) ;;
    *) echo "/usr/bin/curl loads ${got:-no libssl.so.3}, not the system's" >&2; exit 1 ;;
esac

# curl's test servers listen on every interface: each runtests.pl run gets a network
# namespace of its own whose only interface is the loopback (the two runs cannot take each
# other's ports either).
if unshare --net -- true 2>/dev/null; then
    NETNS=(unshare --net -- sh -c 'ip link set lo up && exec "$@"' netns)
else
    echo "note: no network namespace (unshare --net failed): curl's test servers" \
        "listen on every interface" >&2
    NETNS=()
fi

# runtests.pl has no libtest programs to run (none is built): such cases are skipped.
cat >"$WORK/exclude" <<'EOF'
tool:^lib,^unit:needs a libtest program (this runner builds none)
EOF

# runtests LIB CURL SEED CASE...: one runtests.pl run in $WORK/LIB/tests (a copy of the
# source's tests/ directory), its output appended to $WORK/LIB/runtests.log.
runtests() {
    local lib=$1 curl=$2 seed=$3 dir=$WORK/$1
    shift 3
    {
        echo "### runtests.pl on $lib: $*"
        (
            cd "$dir/tests" &&
                timeout -k 10 "$RUN_TIMEOUT" "${NETNS[@]}" perl runtests.pl -n -a -p \
                    -E "$WORK/exclude" --seed="$seed" -c "$curl" -vc /usr/bin/curl "$@"
        )
        echo "### runtests.pl exit status $?"
    } >>"$dir/runtests.log" 2>&1
    stop_leftovers "$dir/tests"
}

# parse LIB: from $WORK/LIB/runtests.log, one line `N outcome reason` per case that ran or
# whose skip reason runtests.pl printed, into $WORK/LIB/outcomes (the last word wins), and
# each case's part of the log into $WORK/LIB/cases/N.log.
parse() {
    local dir=$WORK/$1
    mkdir -p "$dir/cases"
    awk -v cases="$dir/cases" '
        function num(s) { sub(/^0+/, "", s); return s == "" ? "0" : s }
        function close_case() {
            if (cur == "") return
            if (!(cur in done)) print cur, "fail", "no result (runtests.pl stopped)"
            close(cases "/" cur ".log")
            cur = ""
        }
        /^test [0-9]+\.\.\./ {
            close_case()
            cur = num(substr($2, 1, index($2, ".") - 1))
            why = ""
        }
        /^test [0-9]+ SKIPPED: / {
            close_case()
            r = $0
            sub(/^test [0-9]+ SKIPPED: /, "", r)
            print num($2), "skip", r
            next
        }
        /^TESTINFO: "/ {
            close_case()
            r = $0
            sub(/^TESTINFO: "/, "", r)
            list = r
            sub(/" [0-9]+ times? \(.*$/, "", r)
            sub(/.*" [0-9]+ times? \(/, "", list)
            sub(/( and [0-9]+ more)?\)$/, "", list)
            n = split(list, ns, /, /)
            for (i = 1; i <= n; i++) print ns[i], "skip", r
            next
        }
        /^(TESTDONE|TESTFAIL|IGNORED|###)/ { close_case() }
        cur == "" { next }
        { print > (cases "/" cur ".log") }
        / OK \([0-9]+ +out of [0-9]+/ && !(cur in done) { done[cur] = 1; print cur, "pass", "" }
        /FAILED|returned [0-9]+, when expecting/ && !(cur in done) {
            line = $0
            gsub(/^[[:space:]]+|[[:space:]]+$/, "", line)
            sub(/^[0-9]+: /, "", line)
            sub(/[:!]$/, "", line)
            why = why == "" ? line : why "; " line
            if (line ~ /FAILED/) { done[cur] = 1; print cur, "fail", why }
        }
        END { close_case() }
    ' "$dir/runtests.log" >"$dir/outcomes"
}

# unresolved LIB: the selected cases with no outcome yet.
unresolved() {
    local c
    for c in "${CASES[@]}"; do
        grep -q "^$c " "$WORK/$1/outcomes" || echo "$c"
    done
}

# run_lib LIB CURL SEED: all cases; then, as runtests.pl prints only the first few cases
# skipped for each reason, again with the cases whose skip reason is still unknown.
run_lib() {
    local lib=$1 curl=$2 seed=$3 dir=$WORK/$1 left round before=0
    mkdir -p "$dir"
    cp -a "$SRC/tests" "$dir/tests"
    rm -rf "$dir/tests/log" "$dir"/tests/.*_server.pid "$dir"/tests/.*_server.port
    ln -s "$SRC/lib" "$dir/lib"
    runtests "$lib" "$curl" "$seed" "${CASES[@]}"
    parse "$lib"
    for round in 1 2 3 4 5 6 7 8 9 10; do
        mapfile -t left < <(unresolved "$lib")
        [ ${#left[@]} -gt 0 ] || break
        [ "$round" -eq 1 ] || [ ${#left[@]} -lt "$before" ] || break
        before=${#left[@]}
        runtests "$lib" "$curl" "$seed" "${left[@]}"
        parse "$lib"
    done
    rm -rf "$dir/tests"
}

# The two runs go side by side (JOBS=1: one after the other): the cases spend most of their
# time waiting for servers. Without network namespaces, different seeds make them pick
# different ports for stunnel, gnutls-serv and nghttpx (the other servers take a free port
# from the kernel).
start=$(date +%s)
if [ "${JOBS:-2}" -ge 2 ]; then
    run_lib system /usr/bin/curl 1 &
    RUN_PIDS+=($!)
    run_lib shim "$WORK/curl-shim" 2 &
    RUN_PIDS+=($!)
    wait
    RUN_PIDS=()
else
    run_lib system /usr/bin/curl 1
    run_lib shim "$WORK/curl-shim" 2
fi

# outcome LIB N / reason LIB N: the last word runtests.pl gave on case N.
outcome() {
    local o
    o=$(awk -v n="$2" '$1 == n { o = $2 } END { print o }' "$WORK/$1/outcomes")
    echo "${o:-fail}"
}
reason() {
    local r
    r=$(awk -v n="$2" '$1 == n { $1 = ""; $2 = ""; r = substr($0, 3) } END { print r }' \
        "$WORK/$1/outcomes")
    echo "${r:-no outcome in runtests.pl output}"
}

# Cases expected to fail on the shim (tests/upstream/curl-expected.txt: CASE reason).
declare -A expected
while read -r c why; do
    case $c in '' | '#'*) continue ;; esac
    expected[$c]=$why
done <"$HERE/curl-expected.txt"

passed=0
failed=0
differ=()
status=0
declare -A count
printf '%-6s %-8s %-8s %s\n' CASE OpenSSL shim TEST
for c in "${CASES[@]}"; do
    sys=$(outcome system "$c")
    shim=$(outcome shim "$c")
    count[system.$sys]=$((${count[system.$sys]:-0} + 1))
    count[shim.$shim]=$((${count[shim.$shim]:-0} + 1))
    note=$(case_name "$c")
    if [ "$sys" = skip ] && [ "$shim" = skip ]; then
        note="$note [skipped: $(reason shim "$c")]"
    fi
    printf '%-6s %-8s %-8s %s\n' "$c" "$sys" "$shim" "$note"
    case $sys/$shim in
        pass/pass) passed=$((passed + 1)) ;;
        skip/skip) ;;
        fail/fail) failed=$((failed + 1)) ;;
        */pass) passed=$((passed + 1)) ;;
        *) failed=$((failed + 1)) ;;
    esac
    if [ "$sys" != "$shim" ]; then
        why=$(reason shim "$c")
        err=$(grep -m1 -oE 'curl: \([0-9]+\) .*' "$WORK/shim/cases/$c.log" 2>/dev/null)
        [ -n "$err" ] && why="$why ($err)"
        if [ -n "${expected[$c]:-}" ]; then
            why="expected: ${expected[$c]}"
        fi
        differ+=("$c: OpenSSL $sys, shim $shim: $why")
    fi
    if [ "$sys" = pass ] && [ "$shim" != pass ] && [ -z "${expected[$c]:-}" ]; then
        status=1
    fi
    if [ "$shim" = pass ] && [ -n "${expected[$c]:-}" ]; then
        echo "note: case $c passes on the shim but is listed in curl-expected.txt" >&2
    fi
done
echo
echo "# cases whose outcome differs: ${#differ[@]}"
for d in "${differ[@]}"; do
    echo "#   $d"
done
for lib in system shim; do
    echo "# $lib: ${#CASES[@]} cases, ${count[$lib.pass]:-0} passed," \
        "${count[$lib.fail]:-0} failed, ${count[$lib.skip]:-0} skipped"
done
echo "# runtests.pl ran for $(($(date +%s) - start)) s"
if [ $status -ne 0 ] || [ "${KEEP_LOGS:-0}" = 1 ]; then
    echo "# logs kept in $WORK (runtests.pl's output for case N in LIB/cases/N.log)"
else
    rm -rf "$WORK"
fi
echo "$passed passed, $failed failed"
exit $status
