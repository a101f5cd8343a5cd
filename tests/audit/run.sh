#!/bin/bash
# tests/audit/run.sh: the unsafe-code audit and the dependency policy (make audit).
#
#   1. tests/audit/unsafe.py: counts `unsafe` blocks, fns and impls in rustls-libssl/src and
#      fails if one is outside src/abi/ and src/crypto_sys/ or lacks its SAFETY comment.
#   2. cargo deny (installed with `cargo install cargo-deny --locked` if missing, ~4 min):
#      licenses, bans and sources of the dependency tree against deny.toml, offline.
#      Advisories need the RustSec database from GitHub: `cargo deny check advisories`
#      by hand where GitHub is reachable (SECURITY.md).
set -u
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
CARGO=${CARGO:-cargo}
rc=0

echo "== unsafe code"
python3 "$HERE/unsafe.py" "$ROOT/rustls-libssl/src" || rc=1

echo "== dependency licenses, bans and sources (cargo deny, offline)"
if ! "$CARGO" deny --version >/dev/null 2>&1; then
    echo "note: installing cargo-deny (cargo install cargo-deny --locked)"
    "$CARGO" install cargo-deny --locked --quiet || { echo "FAIL: could not install cargo-deny"; exit 1; }
fi
"$CARGO" deny --version
# The crates must be in cargo's cache for an offline run (a no-op when they are).
(cd "$ROOT" && "$CARGO" fetch --locked --quiet) || rc=1
(cd "$ROOT" && "$CARGO" deny --frozen check --hide-inclusion-graph licenses bans sources) || rc=1
echo "note: advisories not checked (the RustSec database needs GitHub): cargo deny check advisories"
[ $rc -eq 0 ] && echo "audit ok" || echo "audit FAILED"
exit $rc
