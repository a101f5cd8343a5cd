#!/bin/bash
# Symbol check on the built library: SONAME libssl.so.3; every export is NAME@@OPENSSL_3.0.0
# and a name Debian's libssl.so.3 exports; every one of Debian's 518 is there; nothing else
# (no Rust, aws-lc or libc symbol) leaks; nginx, curl and ntpd find every symbol they import.
set -u
LIB=${1:?usage: symbols.sh path/to/libssl.so.3}
HERE=$(cd "$(dirname "$0")" && pwd)
EXPORTS="$HERE/../../rustls-libssl/libssl3-exports.txt"
pass=0 fail=0
check() { # NAME CONDITION-RESULT(0/1) DETAIL
    if [ "$2" = 0 ]; then echo "ok $1"; pass=$((pass + 1)); else echo "FAIL $1: $3"; fail=$((fail + 1)); fi
}

soname=$(readelf -d "$LIB" | sed -n 's/.*SONAME.*\[\(.*\)\]/\1/p')
[ "$soname" = libssl.so.3 ]; check soname $? "SONAME is '$soname'"

readelf -d "$LIB" | grep -q 'NEEDED.*\[libcrypto.so.3\]'; check links_system_libcrypto $? "no DT_NEEDED libcrypto.so.3"

defined=$(nm -D --defined-only --with-symbol-versions "$LIB" | awk '{print $3}')
bad=$(echo "$defined" | grep -v '@@OPENSSL_3\.0\.0$' | grep -vx 'OPENSSL_3\.0\.0')
[ -z "$bad" ]; check all_exports_versioned $? "not at OPENSSL_3.0.0: $(echo $bad | head -c 300)"

ours=$(echo "$defined" | sed 's/@@OPENSSL_3\.0\.0$//' | grep -vx 'OPENSSL_3\.0\.0' | sort -u)
theirs=$(grep -v '^#' "$EXPORTS" | cut -f1 | sort -u)
extra=$(comm -23 <(echo "$ours") <(echo "$theirs"))
missing=$(comm -13 <(echo "$ours") <(echo "$theirs"))
[ -z "$extra" ]; check no_leaked_symbols $? "exported but not in Debian's list: $(echo $extra | head -c 300)"
[ -z "$missing" ]; check all_debian_exports_present $? "missing: $(echo $missing | head -c 300)"
echo "# $(echo "$ours" | grep -c .) functions exported, Debian exports $(echo "$theirs" | grep -c .)"

dir=$(cd "$(dirname "$LIB")" && pwd)
for bin in /usr/bin/curl /usr/sbin/nginx /usr/sbin/ntpd; do
    [ -x "$bin" ] || { echo "skip load_$(basename "$bin"): not installed"; continue; }
    out=$(LD_LIBRARY_PATH="$dir" ldd -r "$bin" 2>&1)
    undefined=$(echo "$out" | grep -i 'undefined symbol' | head -3)
    echo "$out" | grep -q "libssl.so.3 => $dir/libssl.so.3"
    loaded=$?
    [ -z "$undefined" ] && [ $loaded = 0 ]
    check "load_$(basename "$bin")" $? "loaded=$loaded ${undefined}"
done

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
