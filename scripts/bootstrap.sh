#!/usr/bin/env bash
# Installs what Portico needs on a fresh Debian 12 machine, skipping what is present.
#   scripts/bootstrap.sh build   toolchain pieces for building and serving
#   scripts/bootstrap.sh test    the above, plus Chromium, PostgreSQL and the test packages
# Nothing here downloads from GitHub: crates.io, npm and Debian only (see SETUP notes).
set -euo pipefail
cd "$(dirname "$0")/.."
MODE="${1:-build}"
WASM_BINDGEN_VERSION=0.2.130

log() { printf '\033[1m[bootstrap]\033[0m %s\n' "$*"; }
export PATH="$HOME/.cargo/bin:$PATH"

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  log "adding the wasm32 target"; rustup target add wasm32-unknown-unknown
fi
# wasm-bindgen-cli compiled without LTO, in many codegen units and at opt-level 1: a build
# tool whose run time here is seconds either way. (The site is built by scripts/build-site.sh,
# not cargo-leptos, whose install compiles ~600 crates: 20 minutes on two cores. Install it
# yourself for `cargo leptos watch` if you like; the workspace metadata is still there.)
quick_install() {
  CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=256 \
    CARGO_PROFILE_RELEASE_OPT_LEVEL=1 cargo install "$@"
}
if ! wasm-bindgen --version 2>/dev/null | grep -q "$WASM_BINDGEN_VERSION"; then
  log "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION"
  # Not --locked: its lock file pins a crate version the registry does not serve.
  quick_install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION"
fi

apt_updated=0
apt_install() {
  local missing=()
  for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$apt_updated" = 0 ]; then apt-get update -qq; apt_updated=1; fi
  log "apt-get install ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}
# Never Debian's binaryen: its wasm-opt 108 silently breaks hydration. npm's is used.
if dpkg -s binaryen >/dev/null 2>&1; then
  log "removing Debian's binaryen (breaks hydration)"; apt-get remove -y -qq binaryen >/dev/null
fi

# npm packages: binaryen's wasm-opt and esbuild for the site build, Playwright and axe-core
# for tests.
if [ ! -x end2end/node_modules/.bin/wasm-opt ] || [ ! -x end2end/node_modules/.bin/esbuild ] || [ end2end/package-lock.json -nt end2end/node_modules/.stamp ]; then
  log "npm ci (end2end)"
  (cd end2end && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error && touch node_modules/.stamp)
fi

# mold: the linker scripts/env.sh uses for the server and the test binaries; brotli:
# scripts/build-site.sh precompresses the site with it.
apt_install mold brotli
if [ "$MODE" = test ]; then
  apt_install chromium postgresql
fi
log "ready ($MODE)"
