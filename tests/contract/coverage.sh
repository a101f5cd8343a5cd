#!/bin/bash
# coverage.sh — fails, listing them, when an export of libssl.so.3 (the 518 functions of
# rustls-libssl/libssl3-exports.txt) is not called by name in tests/contract/*.c.
#
# "Called" means the name followed by `(` in the code, after comments and string literals
# are removed; a macro that expands to the export (SSL_CTX_set_mode for SSL_CTX_ctrl) does
# not count, nor does a call in the shared contract.h (a fixture is not a case).
# Prints `contract coverage: N/518` and exits 1 when N is short.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
EXPORTS=$ROOT/rustls-libssl/libssl3-exports.txt

command -v cc >/dev/null || { echo "coverage.sh needs cc (for comment stripping)" >&2; exit 2; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/contract-coverage.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

grep -v '^#' "$EXPORTS" | cut -f1 | sed '/^$/d' | sort -u >"$WORK/exports"
total=$(wc -l <"$WORK/exports")

# Identifiers followed by `(`: comments gone (the preprocessor's -fpreprocessed mode strips
# them without expanding anything), then string and character literals.
for src in "$HERE"/*.c; do
    cc -fpreprocessed -dD -E -P "$src" 2>/dev/null
done | sed -E 's/"([^"\\]|\\.)*"//g; s/'"'"'([^'"'"'\\]|\\.)*'"'"'//g' \
    | grep -oE '\b[A-Za-z_][A-Za-z0-9_]*[[:space:]]*\(' | sed -E 's/[[:space:]]*\($//' \
    | sort -u >"$WORK/called"

comm -23 "$WORK/exports" "$WORK/called" >"$WORK/missing"
missing=$(wc -l <"$WORK/missing")
echo "contract coverage: $((total - missing))/$total exports called in tests/contract/*.c"
if [ "$missing" -gt 0 ]; then
    echo "not called:"
    sed 's/^/  /' "$WORK/missing"
    exit 1
fi
