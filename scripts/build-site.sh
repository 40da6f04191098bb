#!/usr/bin/env bash
# Builds the release front end into target/site: what `cargo leptos build --release --split
# --precompress --frontend-only` does, with tools that install in seconds instead of a
# 20-minute compile of cargo-leptos (which stays optional, for `cargo leptos watch`):
#   1. the wasm: the frontend crate, profile wasm-release, relocations kept for the split
#   2. the split at the lazy islands and 3. wasm-bindgen: scripts/site-tools, two small
#      binaries on the libraries cargo-leptos and the wasm-bindgen CLI are built on
#   4. wasm-opt -Oz on every module (npm's binaryen: Debian's breaks hydration), in one
#      process per core (scripts/wasm-opt-all.mjs)
#   5. the JS glue, frontend/client.js and the CSS minified (npm's esbuild)
#   6. public/ copied beside pkg/
#   7. every file precompressed (brotli 11, gzip 9): the server sends .br/.gz when asked
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
NAME=$LEPTOS_OUTPUT_NAME
SITE=target/site
PKG=$SITE/pkg
FRONT=target/front/wasm32-unknown-unknown/wasm-release
JOBS=$(nproc)

log() { printf '\033[1m[site]\033[0m %s\n' "$*"; }

log "wasm (frontend, wasm-release)"
# The split reads the relocations; the lazy islands import from a placeholder module that
# only the split resolves. Added here alone, to the wasm target's flags (scripts/env.sh).
CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="$CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS -Clink-args=--emit-relocs" cargo build --package frontend --lib \
  --target wasm32-unknown-unknown --profile wasm-release --target-dir target/front
# Its own target directory, so that it never waits on a server build running beside it;
# a build tool's profile (no LTO, opt-level 1): it compiles in a third of the time and runs
# for a fraction of a second either way.
CARGO_PROFILE_RELEASE_OPT_LEVEL=1 CARGO_PROFILE_RELEASE_CODEGEN_UNITS=256 \
  cargo build --quiet --release --package portico-site-tools --target-dir target/tools
TOOLS=target/tools/release

# The rest takes minutes (wasm-opt on every module): skip it when nothing it reads changed.
inputs=$({
  cat "$FRONT/frontend.wasm" style/main.css frontend/client.js scripts/build-site.sh
  find public -type f | sort
  find public -type f -print0 | sort -z | xargs -0 cat
} | sha256sum | cut -d' ' -f1)
if [ -f "$PKG/$NAME.wasm" ] && [ "$(cat "$FRONT/site.stamp" 2>/dev/null)" = "$inputs" ]; then
  log "up to date: $SITE"
  exit 0
fi
rm -rf "$SITE" "$FRONT/site.stamp"
mkdir -p "$PKG"
log "split at the lazy islands"
$TOOLS/portico-wasm-split "$FRONT/frontend.wasm" "$FRONT/frontend_split.wasm" "$PKG" "$NAME" \
  > "$FRONT/split-modules.txt" 2> "$FRONT/split.log" || { cat "$FRONT/split.log" >&2; exit 1; }
# A data segment the split could not lay out again stays whole in the main module: every
# page would carry every island's data (49 KB brotli). frontend/src/lib.rs: SPLIT_SLACK.
if grep -q 'Overlong segment' "$FRONT/split.log"; then
  cat "$FRONT/split.log" >&2
  echo "the split kept a data segment whole in the main module: raise SPLIT_SLACK in frontend/src/lib.rs" >&2
  exit 1
fi
log "wasm-bindgen"
# Writes <name>.wasm, not <name>_bg.wasm: what Leptos asks for when LEPTOS_OUTPUT_NAME was
# set at the server's compile time.
$TOOLS/portico-wasm-bindgen "$FRONT/frontend_split.wasm" "$PKG" "$NAME"

log "wasm-opt -Oz ($(($(wc -l < "$FRONT/split-modules.txt") + 1)) modules)"
# binaryen warns about every module's extended name subsection, which it drops anyway.
mapfile -t modules < "$FRONT/split-modules.txt"
node scripts/wasm-opt-all.mjs "$JOBS" "$PKG/$NAME.wasm" "${modules[@]}" \
  > "$FRONT/wasm-opt.log" 2>&1 || { grep -v 'unknown name subsection' "$FRONT/wasm-opt.log" >&2; exit 1; }

log "JS and CSS"
esbuild "$PKG/$NAME.js" --minify --format=esm --log-level=warning --allow-overwrite --outfile="$PKG/$NAME.js"
esbuild style/main.css --minify --log-level=warning --outfile="$PKG/$NAME.css"
esbuild frontend/client.js --minify --format=esm --log-level=warning --outfile="$PKG/client.js"
cp -r public/. "$SITE/"
# Each release caches its shell under its own name (public/sw.js).
sed -i "s/BUILD_DIGEST/${inputs:0:16}/" "$SITE/sw.js"

log "precompress"
find "$SITE" -type f ! -name '*.br' ! -name '*.gz' -print0 |
  xargs -0 -P "$JOBS" -n 8 sh -c 'for f; do brotli -q 11 -f -k "$f" && gzip -9 -n -f -k "$f"; done' sh
log "done: $(find "$SITE" -type f ! -name '*.br' ! -name '*.gz' | wc -l) files, $(du -sh "$SITE" | cut -f1)"
echo "$inputs" > "$FRONT/site.stamp"
