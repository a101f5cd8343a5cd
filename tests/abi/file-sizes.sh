#!/bin/bash
# file-sizes.sh — STYLE "Layout": no source file of rustls-libssl/src passes MAX lines
# (default 800); a file that grows past it is split by concept. Lists the offenders and
# exits 1 if there are any.
#   bash tests/abi/file-sizes.sh [MAX]
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
MAX=${1:-800}
over=$(find "$ROOT/rustls-libssl/src" -name '*.rs' -exec wc -l {} + |
    awk -v max="$MAX" '$2 != "total" && $1 > max { print }' | sort -rn)
if [ -n "$over" ]; then
    echo "source files over $MAX lines (split them by concept):" >&2
    echo "$over" | sed "s|$ROOT/||; s/^ */  /" >&2
    exit 1
fi
echo "ok: every .rs file under rustls-libssl/src has at most $MAX lines"
