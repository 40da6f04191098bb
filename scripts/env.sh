# Sourced by the Makefile's recipes: tools installed by bootstrap.sh on PATH
# (cargo-leptos runs npm's wasm-opt from PATH for release builds).
export PATH="$PWD/end2end/node_modules/.bin:$HOME/.cargo/bin:$PATH"
