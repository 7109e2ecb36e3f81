#!/usr/bin/env bash
# Installs what the build and the tests need, skipping whatever is already there.
#   scripts/setup.sh          wasm toolchain + npm tools (for `make build`)
#   scripts/setup.sh browser  + Debian's Chromium and ChromeDriver (browser tests, demo e2e)
#   scripts/setup.sh xbrowser + Debian's Firefox ESR, WebKitGTK's driver and Xvfb, and geckodriver
#                               (cargo): the cross-browser tests
#   scripts/setup.sh node-versions V...  + those Node versions in target/node-versions/V/
# Nothing is downloaded from GitHub (unreachable here): wasm-pack runs with --mode no-install
# and finds wasm-bindgen and wasm-opt (npm package binaryen) on PATH.
set -euo pipefail
cd "$(dirname "$0")/.."

WASM_PACK_VERSION=0.15.1
GECKODRIVER_VERSION=0.37.1
say() { printf '[setup] %s\n' "$*" >&2; }
# apt_install [apt-get install options] PACKAGE...: from Debian, through sudo when not root.
apt_install() {
  local sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "$@" >/dev/null
}

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

# wasm-bindgen-cli must equal the wasm-bindgen version in Cargo.lock exactly.
bindgen_version=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/"/, "", $3); print $3; exit }' Cargo.lock)
if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$bindgen_version" ]; then
  say "installing wasm-bindgen-cli $bindgen_version (a few minutes)"
  # No --locked: one locked dependency is missing from the registry mirror.
  cargo install wasm-bindgen-cli --version "$bindgen_version"
fi

if [ "$(wasm-pack --version 2>/dev/null | awk '{print $2}')" != "$WASM_PACK_VERSION" ]; then
  say "installing wasm-pack $WASM_PACK_VERSION (about two minutes)"
  cargo install wasm-pack --version "$WASM_PACK_VERSION"
fi

# npm tools (esbuild, wasm-opt from binaryen, typescript, playwright-core): reinstall only
# when package-lock.json changed since the last install.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "installing npm tools"
  npm ci --no-audit --no-fund >&2
fi

if [ "${1:-}" = browser ]; then
  if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ] || ! fc-list 2>/dev/null | grep -qi "wenquanyi"; then
    say "installing chromium, chromium-driver and a CJK font from Debian"
    apt_install chromium chromium-driver fonts-wqy-zenhei
  fi
fi

if [ "${1:-}" = xbrowser ]; then
  # xauth: xvfb-run needs it, and xvfb only recommends it.
  if [ ! -x /usr/bin/firefox-esr ] || [ ! -x /usr/bin/WebKitWebDriver ] || ! command -v xvfb-run >/dev/null || ! command -v xauth >/dev/null; then
    say "installing firefox-esr, webkit2gtk-driver and xvfb from Debian"
    apt_install --no-install-recommends firefox-esr webkit2gtk-driver xvfb xauth
  fi
  # Where cargo installs it, which is where tests/xbrowser/ looks (GECKODRIVER=... to override).
  geckodriver="${CARGO_HOME:-$HOME/.cargo}/bin/geckodriver"
  if [ "$("$geckodriver" --version 2>/dev/null | awk 'NR == 1 { print $2 }')" != "$GECKODRIVER_VERSION" ]; then
    say "installing geckodriver $GECKODRIVER_VERSION (about two minutes)"
    cargo install --locked geckodriver --version "$GECKODRIVER_VERSION"
  fi
fi

# Node binaries for the version matrix (`make test-node-versions`): the npm registry's
# node-<platform>-<arch> packages carry Node's release binaries (nodejs.org is unreachable here).
if [ "${1:-}" = node-versions ]; then
  shift
  platform=$(node -p 'process.platform + "-" + process.arch')
  for version in "$@"; do
    dir=target/node-versions/$version
    if [ "$("$dir/bin/node" --version 2>/dev/null)" != "v$version" ]; then
      say "fetching Node $version (npm package node-$platform, about 55 MB)"
      rm -rf "$dir" && mkdir -p "$dir"
      tarball=$(npm pack --silent "node-$platform@$version" --pack-destination "$dir")
      tar xzf "$dir/$tarball" -C "$dir" --strip-components=1
      rm "$dir/$tarball"
    fi
  done
fi
