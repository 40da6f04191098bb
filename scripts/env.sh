# Sourced by the Makefile's recipes and scripts: tools installed by bootstrap.sh on PATH
# (cargo-leptos runs npm's wasm-opt from PATH for release builds), and the build settings
# every cargo call shares, so that the test build and the release build reuse each other.
export PATH="$PWD/end2end/node_modules/.bin:$HOME/.cargo/bin:$PATH"
# cargo-leptos sets this when it builds the server; Leptos reads it at compile time to name
# the wasm file in each page. Set for every build, the server binary the test build makes
# serves the release wasm as well as cargo-leptos' own does (the browser tests use it).
export LEPTOS_OUTPUT_NAME=portico
# mold links the large test binaries and the server in seconds instead of a minute each.
# Host target only: the wasm build keeps its own linker.
if command -v mold >/dev/null 2>&1; then
  export CARGO_TARGET_X86_64_UNKNOWN_LINUX_GNU_RUSTFLAGS="-C link-arg=-fuse-ld=mold"
fi
