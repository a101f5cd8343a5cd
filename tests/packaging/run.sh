#!/bin/bash
# The Debian packages, installed and purged in a fresh Debian 12 root (debootstrap).
#
# usage: tests/packaging/run.sh DEBDIR
#   DEBDIR  where make deb put rustls-libssl_<version>_amd64.deb and its siblings
#
# In a root made by debootstrap (cached in target/packaging/root-base; KEEP_ROOT=1 keeps the
# work root): rustls-libssl installs beside the system libssl and leaves it and every program
# alone; nginx and curl run on it through with-rustls-libssl (and LD_PRELOAD), with the
# handshakes in their logs; rustls-libssl-nginx writes and removes its systemd drop-in (the
# drop-in's environment starts nginx on the shim); purging leaves the root as it was.
# rustls-libssl-system (only ever in that root) makes the shim the system's libssl.so.3 by
# dpkg-divert and puts OpenSSL's back on purge; rustls-libssl-dev builds a program linked to
# the shim. On this machine: with-rustls-libssl --check on nginx, curl, ntpd and programs
# that need a missing symbol or unsupported functions.
# Prints `ok NAME` / `FAIL NAME: why` lines, then `N passed, N failed`; exit 1 on failure.
set -u

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
DEBDIR=$(cd "${1:?usage: tests/packaging/run.sh DEBDIR}" && pwd)
CACHE=$ROOT/target/packaging
BASE=$CACHE/root-base
R=$CACHE/root
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
MULTIARCH=/usr/lib/x86_64-linux-gnu
LIBDIR=$MULTIARCH/rustls-libssl
# What the root has before our packages: what the tests run, and what --check needs.
ROOT_PKGS=nginx,curl,openssl,binutils,gcc,libc6-dev,libssl-dev,pkgconf,procps,ca-certificates

VERSION=$(sed -n 's/^version = "\(.*\)"$/\1/p' "$ROOT/rustls-libssl/Cargo.toml" | head -n 1)
DEB=$DEBDIR/rustls-libssl_${VERSION}_amd64.deb
DEB_SYSTEM=$DEBDIR/rustls-libssl-system_${VERSION}_amd64.deb
DEB_DEV=$DEBDIR/rustls-libssl-dev_${VERSION}_amd64.deb
export LC_ALL=C
unset LD_LIBRARY_PATH LD_PRELOAD RUSTLS_LIBSSL_DEBUG

pass=0 failed=0
ok() { echo "ok $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1: $2"; failed=$((failed + 1)); }
# check NAME COMMAND...: ok if COMMAND succeeds, else FAIL with its output's last lines.
check() {
    local name=$1 out
    shift
    if out=$("$@" 2>&1); then ok "$name"; else bad "$name" "$(echo "$out" | tail -n 5 | tr '\n' '|')"; fi
}
log() { echo "# $*"; }

for f in "$DEB" "$DEB_SYSTEM" "$DEB_DEV"; do
    [ -f "$f" ] || { echo "missing $f (make deb)" >&2; exit 2; }
done
[ "$(id -u)" = 0 ] || { echo "tests/packaging needs root (debootstrap, chroot)" >&2; exit 2; }
command -v debootstrap >/dev/null || {
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends debootstrap >/dev/null 2>&1 ||
        { apt-get update -q >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends debootstrap >/dev/null 2>&1; }
} || { echo "cannot install debootstrap" >&2; exit 2; }

# in_root COMMAND: a shell command in the root, with a clean environment.
in_root() {
    env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LC_ALL=C DEBIAN_FRONTEND=noninteractive \
        chroot "$R" /bin/sh -c "$1"
}

WORK=$(mktemp -d "${TMPDIR:-/tmp}/packaging.XXXXXX")
cleanup() {
    [ -d "$R/proc" ] && in_root 'for p in /run/nginx*.pid; do [ -f "$p" ] && kill $(cat "$p"); done' 2>/dev/null
    sleep 0.3
    mountpoint -q "$R/proc" && umount -l "$R/proc"
    [ -n "${KEEP_ROOT:-}" ] || rm -rf "$R"
    rm -rf "$WORK"
}
trap cleanup EXIT

###########################################################################
# The root: debootstrap (minbase) plus ROOT_PKGS, cached; each run works on a copy.
###########################################################################
if [ "$(cat "$BASE.stamp" 2>/dev/null)" != "$ROOT_PKGS" ]; then
    log "debootstrap bookworm into $BASE (minbase, then $ROOT_PKGS)"
    rm -rf "$BASE" "$BASE.stamp"
    mkdir -p "$CACHE"
    if ! debootstrap --variant=minbase bookworm "$BASE" "$MIRROR" >"$CACHE/debootstrap.log" 2>&1; then
        tail -n 20 "$CACHE/debootstrap.log"
        echo "debootstrap failed" >&2
        exit 2
    fi
    cp /etc/resolv.conf "$BASE/etc/resolv.conf" 2>/dev/null
    # No service starts inside the root.
    printf '#!/bin/sh\nexit 101\n' >"$BASE/usr/sbin/policy-rc.d"
    chmod 0755 "$BASE/usr/sbin/policy-rc.d"
    mount -t proc proc "$BASE/proc"
    R=$BASE in_root "apt-get update -q && apt-get install -y -q --no-install-recommends $(echo "$ROOT_PKGS" | tr , ' ') && apt-get clean" \
        >"$CACHE/apt.log" 2>&1
    rc=$?
    umount -l "$BASE/proc"
    if [ $rc != 0 ]; then
        tail -n 20 "$CACHE/apt.log"
        echo "installing $ROOT_PKGS in the root failed" >&2
        exit 2
    fi
    echo "$ROOT_PKGS" >"$BASE.stamp"
fi
rm -rf "$R"
cp -a "$BASE" "$R"
mount -t proc proc "$R/proc"
mkdir -p "$R/tmp/debs" "$R/srv/t"
cp "$DEB" "$DEB_SYSTEM" "$DEB_DEV" "$R/tmp/debs/"

# What the root holds: every file with its checksum (links with their target), and the
# dpkg state, less what changes by itself.
manifest() {
    (
        cd "$R" || exit 1
        local skip='-path ./proc -o -path ./tmp -o -path ./run -o -path ./srv -o -path ./var/log -o -path ./var/cache -o -path ./var/lib/dpkg -o -path ./var/lib/nginx -o -path ./root'
        # shellcheck disable=SC2086
        find . -xdev \( $skip \) -prune -o -type f -print0 | sort -z | xargs -0 -r md5sum
        # shellcheck disable=SC2086
        find . -xdev \( $skip \) -prune -o ! -type f -printf '%y %p %l\n' | sort
    )
    in_root 'dpkg-query -W -f="\${Package} \${Version} \${Status}\n"; dpkg-divert --list'
}
manifest >"$WORK/before"
SYS_MD5=$(md5sum <"$R$MULTIARCH/libssl.so.3")

# A certificate for localhost (made here with the system openssl), and an nginx
# configuration serving TLS on a free port.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 -subj /CN=localhost \
    -addext subjectAltName=DNS:localhost,IP:127.0.0.1 -keyout "$R/srv/t/key.pem" -out "$R/srv/t/cert.pem" 2>/dev/null
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat >"$R/srv/t/nginx.conf" <<EOF
worker_processes 1;
pid /run/nginx.pid;
error_log /srv/t/error.log info;
events { worker_connections 64; }
http {
    access_log off;
    server {
        listen 127.0.0.1:$PORT ssl;
        ssl_certificate /srv/t/cert.pem;
        ssl_certificate_key /srv/t/key.pem;
        ssl_protocols TLSv1.2 TLSv1.3;
        location / { return 200 "hello from nginx\n"; }
    }
}
EOF
URL="https://localhost:$PORT/"
CURL="curl -sS --max-time 10 --cacert /srv/t/cert.pem"

# start_nginx ENV...: nginx with the test configuration (ENV as env(1) arguments), its
# workers up and listening.
start_nginx() {
    : >"$R/srv/t/error.log"
    in_root "env $* nginx -c /srv/t/nginx.conf" >"$R/srv/t/start.log" 2>&1 || { cat "$R/srv/t/start.log"; return 1; }
    for _ in $(seq 50); do
        in_root "$CURL -o /dev/null $URL" 2>/dev/null && return 0
        sleep 0.1
    done
    return 1
}
stop_nginx() {
    in_root '[ -f /run/nginx.pid ] && kill $(cat /run/nginx.pid); for i in $(seq 50); do [ -f /run/nginx.pid ] || exit 0; sleep 0.1; done; exit 1'
}
# nginx_libs: the libssl.so.3 the nginx master and its worker have mapped (host paths).
nginx_libs() {
    local m w
    m=$(cat "$R/run/nginx.pid" 2>/dev/null) || return 1
    for w in "$m" $(ps -o pid= --ppid "$m"); do
        grep -o '/[^ ]*libssl\.so\.3' "/proc/$w/maps" | head -n 1
    done
}
# all_on PATH: every nginx process has PATH (in the root) mapped as its libssl.so.3.
all_on() {
    local libs
    libs=$(nginx_libs) || return 1
    [ "$(echo "$libs" | wc -l)" -ge 2 ] || { echo "no worker: $libs"; return 1; }
    [ -z "$(echo "$libs" | grep -vx "$R$1")" ] || { echo "mapped: $libs"; return 1; }
}
grep_in() { # FILE REGEX: FILE (in the root) has a line matching REGEX
    grep -qE "$2" "$R$1" || { echo "no /$2/ in $1:"; tail -n 5 "$R$1"; return 1; }
}

###########################################################################
# rustls-libssl beside the system libssl
###########################################################################
log "rustls-libssl $VERSION in a debootstrap root ($R)"
check install_package in_root "dpkg -i /tmp/debs/rustls-libssl_${VERSION}_amd64.deb"
check files_in_place in_root "test -f $LIBDIR/libssl.so.3 && test -x /usr/bin/with-rustls-libssl &&
    test -x /usr/sbin/rustls-libssl-nginx && test -f /usr/share/man/man1/with-rustls-libssl.1.gz &&
    test -f /usr/share/man/man8/rustls-libssl-nginx.8.gz && test -f /usr/share/doc/rustls-libssl/README.md &&
    test -f /usr/share/doc/rustls-libssl/copyright && test -f /usr/share/rustls-libssl/unsupported-exports.txt"
check system_libssl_untouched sh -c "[ '$(md5sum <"$R$MULTIARCH/libssl.so.3")' = '$SYS_MD5' ] &&
    env -i /usr/sbin/chroot '$R' ldd /usr/sbin/nginx | grep -q '=> /lib/x86_64-linux-gnu/libssl.so.3 '"
version_out=$(in_root "with-rustls-libssl --version" 2>&1)
if echo "$version_out" | grep -qx "rustls-libssl $VERSION (rustls 0\.[0-9.]*, aws-lc-rs [0-9.]*, aws-lc-sys [0-9.]*)" &&
    echo "$version_out" | grep -qx "with-rustls-libssl $VERSION"; then
    ok version
else
    bad version "$version_out"
fi

# nginx through with-rustls-libssl, the handshakes in its error log (its stderr).
check nginx_through_wrapper start_nginx "RUSTLS_LIBSSL_DEBUG=info with-rustls-libssl"
check nginx_on_shim all_on "$LIBDIR/libssl.so.3"
check nginx_serves sh -c "env -i /usr/sbin/chroot '$R' $CURL $URL | grep -qx 'hello from nginx'"
check nginx_logs_handshakes grep_in /srv/t/error.log \
    'rustls-libssl\[[0-9]+\]: info: server handshake done: TLSv1\.3 TLS_[A-Z0-9_]+ group [A-Za-z0-9]+, full handshake, SNI localhost, ALPN [^,]+, no peer certificate'
# The master reads the variable while it reads its configuration, before its stderr goes to
# the error log: the version line goes where its stderr went (systemd: the journal).
check nginx_logs_version grep_in /srv/t/start.log "rustls-libssl\\[[0-9]+\\]: info: rustls-libssl $VERSION \\(rustls .* serving /usr/sbin/nginx; debug level info, to stderr"

# curl through with-rustls-libssl (and LD_PRELOAD), against that nginx.
out=$(in_root "with-rustls-libssl --debug $CURL $URL" 2>&1)
if echo "$out" | grep -qx 'hello from nginx' &&
    echo "$out" | grep -qE 'info: client handshake done: TLSv1\.3 .*SNI localhost, .*peer certificate verify result 0 \(ok\)'; then
    ok curl_through_wrapper
else
    bad curl_through_wrapper "$out"
fi
out=$(in_root "RUSTLS_LIBSSL_DEBUG=info LD_PRELOAD=$LIBDIR/libssl.so.3 $CURL --tls-max 1.2 $URL" 2>&1)
if echo "$out" | grep -qx 'hello from nginx' && echo "$out" | grep -q 'client handshake done: TLSv1\.2 ECDHE-'; then
    ok curl_ld_preload
else
    bad curl_ld_preload "$out"
fi
out=$(in_root "with-rustls-libssl --preload --debug=info:/srv/t/curl.log $CURL $URL" 2>&1)
if echo "$out" | grep -qx 'hello from nginx' && grep -q 'client handshake done' "$R/srv/t/curl.log"; then
    ok curl_preload_to_file
else
    bad curl_preload_to_file "$out $(cat "$R/srv/t/curl.log" 2>/dev/null)"
fi
# An unsupported feature (TLS-SRP) is named at level warn; curl fails as the README says.
out=$(in_root "with-rustls-libssl --debug=warn $CURL --tlsuser u --tlspassword p $URL" 2>&1)
if echo "$out" | grep -q 'warn: not supported: TLS-SRP'; then ok debug_names_unsupported; else bad debug_names_unsupported "$out"; fi
# Without the variable the library says nothing.
out=$(in_root "with-rustls-libssl $CURL $URL" 2>&1)
if [ "$out" = 'hello from nginx' ]; then ok quiet_by_default; else bad quiet_by_default "$out"; fi
check stop_nginx stop_nginx

# rustls-libssl-nginx: the drop-in it writes, what that environment does, status, disable.
DROPIN=/etc/systemd/system/nginx.service.d/rustls-libssl.conf
check nginx_enable in_root "rustls-libssl-nginx enable --debug"
expected="# Written by rustls-libssl-nginx enable: nginx on rustls-libssl.
# Remove with rustls-libssl-nginx disable (a hand edit is lost at the next enable).
[Service]
Environment=LD_LIBRARY_PATH=$LIBDIR
Environment=RUSTLS_LIBSSL_DEBUG=info"
if [ "$(cat "$R$DROPIN" 2>/dev/null)" = "$expected" ]; then ok dropin_content; else bad dropin_content "$(cat "$R$DROPIN" 2>&1)"; fi
# Start nginx with the drop-in's environment, as systemd would.
env_args=$(sed -n 's/^Environment=//p' "$R$DROPIN" | tr '\n' ' ')
check nginx_with_dropin_env start_nginx "$env_args"
check dropin_puts_nginx_on_shim all_on "$LIBDIR/libssl.so.3"
check dropin_log_shows_rustls grep_in /srv/t/error.log 'rustls-libssl\[[0-9]+\]: info: server handshake done'
out=$(in_root "rustls-libssl-nginx status" 2>&1)
if echo "$out" | grep -q "^enabled: $DROPIN" && echo "$out" | grep -q 'nginx master [0-9]*: .*(rustls-libssl)' &&
    echo "$out" | grep -q 'nginx worker [0-9]*: .*(rustls-libssl)'; then
    ok nginx_status
else
    bad nginx_status "$out"
fi
check stop_nginx_2 stop_nginx
check nginx_disable in_root "rustls-libssl-nginx disable"
check dropin_removed in_root "! test -e $DROPIN && ! test -e ${DROPIN%/*}"
# A configuration nginx refuses on the shim (here: a certificate file that is not there)
# is not enabled.
in_root "cp /etc/nginx/nginx.conf /srv/t/nginx.conf.orig"
printf 'server { listen 127.0.0.1:1 ssl; ssl_certificate /srv/t/none.pem; ssl_certificate_key /srv/t/key.pem; }\n' \
    >"$R/etc/nginx/conf.d/rustls-libssl-test.conf"
check enable_refuses_bad_config in_root "! rustls-libssl-nginx enable && ! test -e $DROPIN"
rm -f "$R/etc/nginx/conf.d/rustls-libssl-test.conf"
in_root "cp /srv/t/nginx.conf.orig /etc/nginx/nginx.conf"
check enable_again in_root "rustls-libssl-nginx enable --no-restart && test -e $DROPIN"

# Purge: the drop-in goes with the package, and the root is as it was.
check purge in_root "dpkg --purge rustls-libssl"
manifest >"$WORK/after"
if diff -u "$WORK/before" "$WORK/after" >"$WORK/diff"; then ok nothing_left; else bad nothing_left "$(head -n 20 "$WORK/diff")"; fi

###########################################################################
# rustls-libssl-system: the system's libssl.so.3, diverted and restored
###########################################################################
check install_system in_root "dpkg -i /tmp/debs/rustls-libssl_${VERSION}_amd64.deb /tmp/debs/rustls-libssl-system_${VERSION}_amd64.deb"
check system_link in_root "[ \"\$(readlink -f $MULTIARCH/libssl.so.3)\" = $LIBDIR/libssl.so.3 ]"
check original_kept sh -c "[ '$(md5sum <"$R$MULTIARCH/openssl-libssl/libssl.so.3" 2>/dev/null)' = '$SYS_MD5' ] &&
    env -i /usr/sbin/chroot '$R' dpkg-divert --list | grep -q 'diversion of $MULTIARCH/libssl.so.3 to $MULTIARCH/openssl-libssl/libssl.so.3 by rustls-libssl-system'"
check survives_ldconfig in_root "ldconfig && [ \"\$(readlink -f $MULTIARCH/libssl.so.3)\" = $LIBDIR/libssl.so.3 ]"
check nginx_system_wide start_nginx "RUSTLS_LIBSSL_DEBUG=info"
check nginx_system_on_shim all_on "$LIBDIR/libssl.so.3"
out=$(in_root "RUSTLS_LIBSSL_DEBUG=info $CURL $URL" 2>&1)
if echo "$out" | grep -qx 'hello from nginx' && echo "$out" | grep -q 'client handshake done'; then
    ok curl_system_wide
else
    bad curl_system_wide "$out"
fi
check system_log_shows_rustls grep_in /srv/t/error.log 'server handshake done'
out=$(in_root "with-rustls-libssl --check curl" 2>&1)
if echo "$out" | grep -q 'libssl.so.3 when started as usual: .*(rustls-libssl)'; then ok check_sees_system_shim; else bad check_sees_system_shim "$out"; fi
# One program back on OpenSSL: the diverted original, by LD_LIBRARY_PATH.
out=$(in_root "LD_LIBRARY_PATH=$MULTIARCH/openssl-libssl RUSTLS_LIBSSL_DEBUG=info $CURL $URL" 2>&1)
if [ "$out" = 'hello from nginx' ]; then ok openssl_for_one_program; else bad openssl_for_one_program "$out"; fi
check stop_nginx_3 stop_nginx
check purge_system in_root "dpkg --purge rustls-libssl-system"
check original_restored sh -c "[ '$(md5sum <"$R$MULTIARCH/libssl.so.3")' = '$SYS_MD5' ] && ! test -L '$R$MULTIARCH/libssl.so.3' &&
    ! test -e '$R$MULTIARCH/openssl-libssl' && ! env -i /usr/sbin/chroot '$R' dpkg-divert --list | grep -q rustls"
check purge_after_system in_root "dpkg --purge rustls-libssl"
manifest >"$WORK/after"
if diff -u "$WORK/before" "$WORK/after" >"$WORK/diff"; then ok nothing_left_system; else bad nothing_left_system "$(head -n 20 "$WORK/diff")"; fi

###########################################################################
# rustls-libssl-dev: a program built against the shim
###########################################################################
check install_dev in_root "dpkg -i /tmp/debs/rustls-libssl_${VERSION}_amd64.deb /tmp/debs/rustls-libssl-dev_${VERSION}_amd64.deb"
cp "$HERE/tlsget.c" "$R/srv/t/"
check build_against_shim in_root 'cc -Wall -Werror -o /srv/t/tlsget /srv/t/tlsget.c $(pkg-config --cflags --libs rustls-libssl)'
check linked_to_shim sh -c "readelf -d '$R/srv/t/tlsget' | grep -q 'NEEDED.*\\[libssl.so.3\\]' &&
    readelf -d '$R/srv/t/tlsget' | grep -q 'RUNPATH.*\\[$LIBDIR\\]' &&
    env -i /usr/sbin/chroot '$R' ldd /srv/t/tlsget | grep -q '=> $LIBDIR/libssl.so.3 '"
check nginx_for_dev start_nginx ""
out=$(in_root "RUSTLS_LIBSSL_DEBUG=info /srv/t/tlsget 127.0.0.1 $PORT /srv/t/cert.pem" 2>&1)
if echo "$out" | grep -q '^HTTP/1.1 200' && echo "$out" | grep -q 'client handshake done'; then ok dev_program_runs; else bad dev_program_runs "$out"; fi
check stop_nginx_4 stop_nginx
check purge_dev in_root "dpkg --purge rustls-libssl-dev rustls-libssl"
rm -f "$R/srv/t/tlsget"
manifest >"$WORK/after"
if diff -u "$WORK/before" "$WORK/after" >"$WORK/diff"; then ok nothing_left_dev; else bad nothing_left_dev "$(head -n 20 "$WORK/diff")"; fi

###########################################################################
# with-rustls-libssl --check, on this machine's programs, from the package's files
###########################################################################
X=$WORK/x
dpkg-deb -x "$DEB" "$X"
wrl() { RUSTLS_LIBSSL_LIBDIR=$X$LIBDIR RUSTLS_LIBSSL_DATADIR=$X/usr/share/rustls-libssl sh "$X/usr/bin/with-rustls-libssl" "$@"; }
# check_prog NAME EXPECTED-EXIT REGEX... : --check on a program, exit status and output lines
check_prog() {
    local name=$1 want=$2 out rc re
    shift 2
    out=$(wrl --check "$@" 2>&1)
    rc=$?
    echo "$out" >"$WORK/check-$name.txt"
    case " $want " in *" $rc "*) ;; *) bad "check_$name" "exit $rc, wanted $want: $(echo "$out" | head -n 12 | tr '\n' '|')"; return ;; esac
    for re in "${CHECK_RES[@]}"; do
        echo "$out" | grep -qE -- "$re" || { bad "check_$name" "no /$re/ in: $(echo "$out" | head -n 12 | tr '\n' '|')"; return; }
    done
    ok "check_$name"
}
SHIMLINE='through with-rustls-libssl: +/.*/libssl\.so\.3 \(rustls-libssl\)'
# ctrl command counts: those of shared/abi/ctrl-commands.txt, made from the programs' sources.
CHECK_RES=("$SHIMLINE" '^/usr/sbin/nginx: [0-9]{2,} libssl function' 'ctrl commands: 20 distinct' '^Summary: 0 missing')
check_prog nginx "0 1" /usr/sbin/nginx
CHECK_RES=("$SHIMLINE" 'libcurl\.so\.4: [0-9]{2,} libssl function' 'unsupported +SSL_CTX_set_srp_username: not supported: TLS-SRP' 'ctrl commands: 12 distinct' '^Summary: 0 missing')
check_prog curl 1 curl
CHECK_RES=("$SHIMLINE" '^/usr/sbin/ntpd: [0-9]{2,} libssl function' 'ctrl commands: 3 distinct' '^Summary: 0 missing')
check_prog ntpd "0 1" /usr/sbin/ntpd
# A program built against an OpenSSL with a function the shim lacks (3.2's
# SSL_get0_group_name), and one that uses an unsupported function and ctrl command.
cat >"$WORK/fake.c" <<'EOF'
void *TLS_method(void) { return 0; }
void *SSL_CTX_new(void *m) { return m; }
const char *SSL_get0_group_name(void *s) { return s; }
EOF
printf 'OPENSSL_3.0.0 { global: TLS_method; SSL_CTX_new; local: *; };\nOPENSSL_3.2.0 { global: SSL_get0_group_name; } OPENSSL_3.0.0;\n' >"$WORK/fake.map"
mkdir -p "$WORK/fake"
cc -shared -fPIC -o "$WORK/fake/libssl.so.3" -Wl,-soname,libssl.so.3 -Wl,--version-script="$WORK/fake.map" "$WORK/fake.c"
ln -s libssl.so.3 "$WORK/fake/libssl.so"
cat >"$WORK/needs32.c" <<'EOF'
void *TLS_method(void);
void *SSL_CTX_new(void *);
const char *SSL_get0_group_name(void *);
int main(void) { return SSL_get0_group_name(SSL_CTX_new(TLS_method())) != 0; }
EOF
cc -o "$WORK/needs32" "$WORK/needs32.c" -L"$WORK/fake" -lssl
CHECK_RES=('MISSING +SSL_get0_group_name@OPENSSL_3\.2\.0: rustls-libssl does not export it' '^Summary: 1 missing')
check_prog missing_symbol 2 "$WORK/needs32"
out=$(wrl "$WORK/needs32" 2>&1)
if echo "$out" | grep -q "version .OPENSSL_3.2.0' not found"; then ok missing_symbol_really_missing; else bad missing_symbol_really_missing "$out"; fi
cat >"$WORK/unsupported.c" <<'EOF'
#include <openssl/ssl.h>
int main(void)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_method());
    SSL_CTX_set_srp_username(ctx, "user");
    SSL_CTX_ctrl(ctx, SSL_CTRL_SET_MTU, 1200, NULL);
    SSL_CTX_free(ctx);
    return 0;
}
EOF
cc -Wno-deprecated-declarations -o "$WORK/unsupported" "$WORK/unsupported.c" -lssl -lcrypto
CHECK_RES=('unsupported +SSL_CTX_set_srp_username: not supported: TLS-SRP'
    'ctrl +SSL_CTX_ctrl\(SSL_CTRL_SET_MTU = 17\): unknown' '^Summary: 0 missing symbol\(s\), 1 unsupported function\(s\) or ctrl command\(s\), 1 ctrl command')
check_prog unsupported 1 "$WORK/unsupported"
out=$(RUSTLS_LIBSSL_DEBUG=warn wrl "$WORK/unsupported" 2>&1)
if echo "$out" | grep -q 'not supported: TLS-SRP' && echo "$out" | grep -q 'SSL_CTX_ctrl: unsupported command 17'; then
    ok unsupported_seen_at_run_time
else
    bad unsupported_seen_at_run_time "$out"
fi
CHECK_RES=('imports nothing from libssl\.so\.3|No examined object imports')
check_prog no_libssl 0 /bin/true

echo "$pass passed, $failed failed"
[ "$failed" = 0 ]
