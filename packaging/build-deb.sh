#!/bin/bash
# build-deb.sh: the Debian packages of rustls-libssl, with dpkg-deb.
#
# usage: packaging/build-deb.sh LIBDIR OUTDIR
#   LIBDIR  the build's directory with libssl.so.3 (target/release)
#   OUTDIR  where the packages go (target/deb): rustls-libssl_<version>_amd64.deb,
#           rustls-libssl-system_<version>_amd64.deb, rustls-libssl-dev_<version>_amd64.deb,
#           and pkgconfig/rustls-libssl.pc for building against the build tree itself.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
BUILD=$(cd "$1" && pwd)
OUT=$(mkdir -p "$2" && cd "$2" && pwd)
LIB=$BUILD/libssl.so.3

VERSION=$(sed -n 's/^version = "\(.*\)"$/\1/p' "$ROOT/rustls-libssl/Cargo.toml" | head -n 1)
ARCH=amd64
MULTIARCH=/usr/lib/x86_64-linux-gnu
LIBDIR=$MULTIARCH/rustls-libssl
DATADIR=/usr/share/rustls-libssl

[ -f "$LIB" ] || { echo "build-deb.sh: $LIB missing (make lib)" >&2; exit 1; }
for tool in dpkg-deb readelf strip perl gzip; do
    command -v "$tool" >/dev/null || { echo "build-deb.sh: needs $tool" >&2; exit 1; }
done

subst() { # FILE -> stdout
    sed -e "s|@VERSION@|$VERSION|g" -e "s|@LIBDIR@|$LIBDIR|g" -e "s|@DATADIR@|$DATADIR|g" \
        -e "s|@MULTIARCH@|$MULTIARCH|g" -e "s|@SIZE@|${SIZE:-0}|g" "$1"
}

# doc PKGDIR PACKAGE: copyright and Debian changelog, as Debian policy asks.
doc() {
    local d=$1/usr/share/doc/$2
    install -d "$d"
    install -m 0644 "$HERE/debian/copyright" "$d/copyright"
    gzip -9n <"$HERE/debian/changelog" >"$d/changelog.Debian.gz"
}

# finish PKGDIR PACKAGE: control (with the installed size), md5sums, the .deb.
finish() {
    local dir=$1 pkg=$2 script
    SIZE=$(du -sk --exclude=DEBIAN "$dir" | cut -f1)
    install -d "$dir/DEBIAN"
    subst "$HERE/debian/$pkg.control" >"$dir/DEBIAN/control"
    for script in preinst postinst prerm postrm; do
        if [ -f "$HERE/debian/$pkg.$script" ]; then
            subst "$HERE/debian/$pkg.$script" >"$dir/DEBIAN/$script"
            chmod 0755 "$dir/DEBIAN/$script"
        fi
    done
    (cd "$dir" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | sort -z |
        xargs -0 -r md5sum >DEBIAN/md5sums)
    chmod 0644 "$dir/DEBIAN/md5sums" "$dir/DEBIAN/control"
    dpkg-deb --root-owner-group -Zxz --build "$dir" "$OUT/${pkg}_${VERSION}_${ARCH}.deb" >/dev/null
    echo "$OUT/${pkg}_${VERSION}_${ARCH}.deb"
}

STAGE=$OUT/stage
rm -rf "$STAGE"
umask 022

# rustls-libssl: the library beside the system's, the tools, their data and man pages.
P=$STAGE/rustls-libssl
install -d "$P$LIBDIR" "$P/usr/bin" "$P/usr/sbin" "$P$DATADIR" "$P/usr/share/man/man1" \
    "$P/usr/share/man/man8"
strip --strip-debug -o "$P$LIBDIR/libssl.so.3" "$LIB"
chmod 0644 "$P$LIBDIR/libssl.so.3"
subst "$HERE/bin/with-rustls-libssl" >"$P/usr/bin/with-rustls-libssl"
subst "$HERE/bin/rustls-libssl-nginx" >"$P/usr/sbin/rustls-libssl-nginx"
chmod 0755 "$P/usr/bin/with-rustls-libssl" "$P/usr/sbin/rustls-libssl-nginx"
install -m 0644 "$HERE/share/check.pl" "$P$DATADIR/check.pl"
perl "$HERE/gen-data.pl" "$ROOT" "$LIB" /usr/include "$P$DATADIR" >&2
subst "$HERE/man/with-rustls-libssl.1" | gzip -9n >"$P/usr/share/man/man1/with-rustls-libssl.1.gz"
subst "$HERE/man/rustls-libssl-nginx.8" | gzip -9n >"$P/usr/share/man/man8/rustls-libssl-nginx.8.gz"
doc "$P" rustls-libssl
install -m 0644 "$ROOT/README.md" "$ROOT/CHANGELOG.md" "$P/usr/share/doc/rustls-libssl/"
finish "$P" rustls-libssl

# rustls-libssl-system: the system's libssl.so.3 becomes a link to the library (the
# original is diverted by the preinst).
P=$STAGE/rustls-libssl-system
install -d "$P$MULTIARCH"
ln -s rustls-libssl/libssl.so.3 "$P$MULTIARCH/libssl.so.3"
doc "$P" rustls-libssl-system
finish "$P" rustls-libssl-system

# rustls-libssl-dev: pkg-config file, header, and the link-time name.
P=$STAGE/rustls-libssl-dev
install -d "$P/usr/include/rustls-libssl" "$P$MULTIARCH/pkgconfig" "$P$LIBDIR"
install -m 0644 "$ROOT/include/rustls-libssl.h" "$P/usr/include/rustls-libssl/"
subst "$HERE/rustls-libssl.pc.in" >"$P$MULTIARCH/pkgconfig/rustls-libssl.pc"
ln -s libssl.so.3 "$P$LIBDIR/libssl.so"
doc "$P" rustls-libssl-dev
finish "$P" rustls-libssl-dev

# A pkg-config file for the build tree itself (make nginx-from-source).
install -d "$OUT/pkgconfig"
sed -e "s|^libdir=.*|libdir=$BUILD|" -e "s|^includedir=.*|includedir=$ROOT/include|" \
    -e "s|@VERSION@|$VERSION|g" "$HERE/rustls-libssl.pc.in" >"$OUT/pkgconfig/rustls-libssl.pc"
rm -rf "$STAGE"
