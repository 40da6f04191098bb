#!/usr/bin/env bash
# Installs what Portico needs on a fresh Debian 12 machine, skipping what is present.
#   scripts/bootstrap.sh build   toolchain pieces for building and serving
#   scripts/bootstrap.sh test    the above, plus Chromium, PostgreSQL and the test packages
# Nothing here downloads from GitHub: crates.io, npm and Debian only (see SETUP notes).
set -euo pipefail
cd "$(dirname "$0")/.."
MODE="${1:-build}"

log() { printf '\033[1m[bootstrap]\033[0m %s\n' "$*"; }
export PATH="$HOME/.cargo/bin:$PATH"

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  log "adding the wasm32 target"; rustup target add wasm32-unknown-unknown
fi
# No cargo installs: wasm-bindgen and the split are two small binaries of the workspace
# (scripts/site-tools) that scripts/build-site.sh builds; `cargo install wasm-bindgen-cli`
# took 2 minutes here and cargo-leptos 26 (install it yourself for `cargo leptos watch`;
# the workspace metadata is still there).

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

# npm packages: binaryen (wasm-opt) and esbuild for the site build, Playwright and axe-core
# for tests.
if [ ! -x end2end/node_modules/.bin/wasm-opt ] || [ ! -x end2end/node_modules/.bin/esbuild ] || [ end2end/package-lock.json -nt end2end/node_modules/.stamp ]; then
  log "npm ci (end2end)"
  (cd end2end && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error && touch node_modules/.stamp)
fi

# mold: the linker scripts/env.sh uses for the server and the test binaries; brotli:
# scripts/build-site.sh precompresses the site with it.
apt_install mold brotli
if [ "$MODE" = test ]; then
  # poppler-utils: pdftotext, with which the document tests read the PDFs they download;
  # unzip: the browser test lists the whole-record archive it downloads.
  apt_install chromium postgresql poppler-utils unzip
fi
log "ready ($MODE)"
