#!/bin/bash
# Installs the Debian 12 packages the build, the demo and the tests need (run as root on a
# fresh machine; a no-op when everything is there). The Rust toolchain itself (cargo, rustc
# >= 1.85) is expected on PATH: Debian 12's own rustc is too old for rustls.
set -eu
PKGS=(
  build-essential pkg-config libssl-dev libclang-dev clang cmake   # build: bindgen needs libclang
  openssl curl ca-certificates nginx libnginx-mod-stream libnginx-mod-mail nghttp2-client
  python3 tshark ntpsec iproute2                                                   # tests and demo
  golang-go                                                      # make FIPS=1: aws-lc-fips-sys
)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "missing Debian packages (run as root to install): ${missing[*]}" >&2
    exit 1
  fi
  echo "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${missing[@]}"
  # Debian enables the packaged nginx and ntpsec services on install; the tests start their
  # own instances on other ports.
  systemctl disable --now nginx ntpsec 2>/dev/null || true
  service nginx stop 2>/dev/null || true
  service ntpsec stop 2>/dev/null || true
fi
if ! command -v cargo >/dev/null; then
  echo "cargo not found: install a Rust toolchain (rustup) first" >&2
  exit 1
fi
