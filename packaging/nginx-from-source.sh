#!/bin/bash
# nginx-from-source.sh: Debian's nginx source package built linked to rustls-libssl, as a
# distribution would build a program against it, then this repository's nginx suite run on
# that build.
#
# usage: packaging/nginx-from-source.sh LIBDIR PKGCONFIGDIR [TEST...]
#   LIBDIR        the build's libssl.so.3 directory (target/release)
#   PKGCONFIGDIR  where rustls-libssl.pc for that build is (make deb: target/deb/pkgconfig)
#
# The source comes from `apt-get source nginx` (a deb-src entry is added from the system's
# deb entries if there is none), into target/nginx-src. It is configured with the flags of
# Debian's package (debian/rules), without the modules that need more libraries (geoip,
# image filter, perl, xslt), plus `pkg-config --cflags/--libs rustls-libssl`: nginx compiles
# against OpenSSL's headers (the ABI is OpenSSL's) and links the shim, which its RUNPATH
# names. readelf -d and ldd check that; then tests/nginx/run.sh runs with NGINX_BIN and
# NGINX_MODDIR set to the build.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
LIBDIR=$(cd "$1" && pwd)
PCDIR=$(cd "$2" && pwd)
shift 2
WORK=$ROOT/target/nginx-src
# shellcheck source=../tests/lib.sh
. "$ROOT/tests/lib.sh"

say() { echo "# $*"; }

need dpkg-dev gcc make libc6-dev libssl-dev libpcre2-dev zlib1g-dev pkgconf binutils ||
    { echo "nginx-from-source: missing build packages" >&2; exit 2; }

# deb-src: the same repositories as the deb entries.
have_deb_src() {
    grep -qsE '^Types:.*\bdeb-src\b' /etc/apt/sources.list.d/*.sources ||
        grep -qsE '^deb-src ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list
}
if ! have_deb_src; then
    [ "$(id -u)" = 0 ] || { echo "nginx-from-source: no deb-src entry, and not root to add one" >&2; exit 2; }
    src=/etc/apt/sources.list.d/rustls-libssl-deb-src.sources
    if [ -f /etc/apt/sources.list.d/debian.sources ]; then
        sed 's/^Types: .*/Types: deb-src/' /etc/apt/sources.list.d/debian.sources >"$src"
    else
        grep -hE '^deb ' /etc/apt/sources.list 2>/dev/null | sed 's/^deb /deb-src /' \
            >/etc/apt/sources.list.d/rustls-libssl-deb-src.list
    fi
    say "added deb-src entries ($src)"
    apt-get update -q >/dev/null
fi

# The source package: the newest version whose files the mirror has (a security update's
# .dsc can be missing there while its index already names it).
mkdir -p "$WORK"
SRC=$(find "$WORK" -maxdepth 1 -type d -name 'nginx-1.*' | sort -V | tail -n 1)
if [ -z "$SRC" ] || [ ! -f "$SRC/debian/rules" ]; then
    for v in $(apt-cache showsrc nginx | sed -n 's/^Version: //p' | sort -rV | uniq); do
        say "apt-get source nginx=$v"
        if (cd "$WORK" && apt-get source -q "nginx=$v" >"$WORK/apt-source.log" 2>&1); then
            break
        fi
        tail -n 2 "$WORK/apt-source.log" | sed 's/^/#   /'
    done
    SRC=$(find "$WORK" -maxdepth 1 -type d -name 'nginx-1.*' | sort -V | tail -n 1)
fi
[ -n "$SRC" ] && [ -f "$SRC/debian/rules" ] || { echo "nginx-from-source: apt-get source nginx failed" >&2; exit 2; }
say "source: $SRC ($(dpkg-parsechangelog -l "$SRC/debian/changelog" -S Version))"

export PKG_CONFIG_PATH=$PCDIR
CFLAGS="$(dpkg-buildflags --get CFLAGS) -fPIC $(dpkg-buildflags --get CPPFLAGS) $(pkg-config --cflags rustls-libssl)"
LDFLAGS="$(dpkg-buildflags --get LDFLAGS) -fPIC $(pkg-config --libs rustls-libssl)"
# Debian's flags (debian/rules: basic and bin configure flags), less four dynamic modules.
FLAGS=(--prefix=/usr/share/nginx --conf-path=/etc/nginx/nginx.conf
    --http-log-path=/var/log/nginx/access.log --error-log-path=stderr
    --lock-path=/var/lock/nginx.lock --pid-path=/run/nginx.pid
    --modules-path=/usr/lib/nginx/modules
    --http-client-body-temp-path=/var/lib/nginx/body --http-fastcgi-temp-path=/var/lib/nginx/fastcgi
    --http-proxy-temp-path=/var/lib/nginx/proxy --http-scgi-temp-path=/var/lib/nginx/scgi
    --http-uwsgi-temp-path=/var/lib/nginx/uwsgi
    --with-compat --with-debug --with-pcre-jit --with-http_ssl_module --with-http_stub_status_module
    --with-http_realip_module --with-http_auth_request_module --with-http_v2_module
    --with-http_dav_module --with-http_slice_module --with-threads
    --with-http_addition_module --with-http_flv_module --with-http_gunzip_module
    --with-http_gzip_static_module --with-http_mp4_module --with-http_random_index_module
    --with-http_secure_link_module --with-http_sub_module --with-mail_ssl_module
    --with-stream_ssl_module --with-stream_ssl_preread_module --with-stream_realip_module
    --with-mail=dynamic --with-stream=dynamic)
STAMP="$CFLAGS|$LDFLAGS|${FLAGS[*]}"
if [ "$(cat "$SRC/.rustls-libssl-configured" 2>/dev/null)" != "$STAMP" ]; then
    say "configure (Debian's flags; cc-opt and ld-opt with pkg-config rustls-libssl)"
    (cd "$SRC" && ./configure --with-cc-opt="$CFLAGS" --with-ld-opt="$LDFLAGS" "${FLAGS[@]}") \
        >"$WORK/configure.log" 2>&1 || { tail -n 20 "$WORK/configure.log"; exit 1; }
    echo "$STAMP" >"$SRC/.rustls-libssl-configured"
fi
say "make -j$(nproc)"
make -C "$SRC" -j"$(nproc)" >"$WORK/make.log" 2>&1 || { tail -n 30 "$WORK/make.log"; exit 1; }

# Linked to the shim: NEEDED libssl.so.3, RUNPATH the shim's directory, and the dynamic
# linker resolves it there without any environment.
BIN=$SRC/objs/nginx
fail=0
readelf -d "$BIN" | grep -E 'NEEDED.*libssl|RUNPATH' | sed 's/^/#   /'
readelf -d "$BIN" | grep -q "NEEDED.*\[libssl.so.3\]" || { echo "FAIL: $BIN does not need libssl.so.3"; fail=1; }
readelf -d "$BIN" | grep -q "RUNPATH.*\[$LIBDIR\]" || { echo "FAIL: $BIN has no RUNPATH $LIBDIR"; fail=1; }
resolved=$(env -u LD_LIBRARY_PATH -u LD_PRELOAD ldd "$BIN" | sed -n 's/^\s*libssl\.so\.3 => \(\S*\).*/\1/p')
echo "#   ldd: libssl.so.3 => $resolved"
[ "$resolved" = "$LIBDIR/libssl.so.3" ] || { echo "FAIL: ldd resolves libssl.so.3 to $resolved"; fail=1; }
version=$(env -u LD_LIBRARY_PATH "$BIN" -V 2>&1) || { echo "FAIL: $BIN -V: $version"; fail=1; }
echo "$version" | sed -n '1,3s/^/#   /p'
[ "$fail" = 0 ] || exit 1

say "tests/nginx/run.sh on $BIN (modules from $SRC/objs)"
NGINX_BIN=$BIN NGINX_MODDIR=$SRC/objs bash "$ROOT/tests/nginx/run.sh" "$LIBDIR" "$@"
