# Sourced by the Makefile's recipes and scripts: tools installed by bootstrap.sh on PATH
# (npm's wasm-opt and esbuild for the site build), and the build settings every cargo call
# shares, so that the test build and the release build reuse each other.
export PATH="$PWD/end2end/node_modules/.bin:$HOME/.cargo/bin:$PATH"
# Leptos reads this at compile time to name the wasm file in each page (<name>.wasm; without
# it, <name>_bg.wasm). Set for every build, so that any server binary, the test build's too,
# serves the site scripts/build-site.sh makes (the browser tests use the test build's).
export LEPTOS_OUTPUT_NAME=portico
# Leptos' erased components (`--cfg erase_components`) on both sides, server and wasm, which
# must agree (the server's HTML carries the markers the wasm hydrates): views become boxed
# instead of one type per view tree. The whole app's wasm shrank from 950 KB to 581 KB
# brotli, and every build compiles faster. Set for every cargo call through this file.
PORTICO_RUSTFLAGS="--cfg erase_components"
export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="$PORTICO_RUSTFLAGS"
# The wasm carries the source path of every place that can panic (Rust's panic locations;
# shortening them needs nightly): the crates' as `crates/…`, ours relative. About 16 KB of
# the wasm every page loads were registry paths.
# (Fixed strings, not a listing of the registry: the flags, and so the build, must be the
# same before and after the first download. crates.io's directory name is fixed for the
# pinned toolchain; for rustc the last matching prefix wins.)
CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS+=" --remap-path-prefix=${CARGO_HOME:-$HOME/.cargo}/registry/src=crates"
CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS+=" --remap-path-prefix=${CARGO_HOME:-$HOME/.cargo}/registry/src/index.crates.io-1949cf8c6b5b557f=crates"
CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS+=" --remap-path-prefix=$PWD/="
export CARGO_TARGET_X86_64_UNKNOWN_LINUX_GNU_RUSTFLAGS="$PORTICO_RUSTFLAGS"
# mold links the large test binaries and the server in seconds instead of a minute each.
# Host target only: the wasm build keeps its own linker.
if command -v mold >/dev/null 2>&1; then
  CARGO_TARGET_X86_64_UNKNOWN_LINUX_GNU_RUSTFLAGS+=" -C link-arg=-fuse-ld=mold"
fi
