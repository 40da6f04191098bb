//! wasm-bindgen for the split main module, as
//! `wasm-bindgen --target web --keep-lld-exports --no-demangle --no-typescript
//!  --out-name <name> --out-dir <pkg-dir> <input.wasm>` does, through the library the CLI
//! is built on (pinned to the workspace's wasm-bindgen version in Cargo.toml).
//!
//! `portico-wasm-bindgen <input.wasm> <pkg-dir> <output-name>` writes `<name>.js` and
//! `<name>.wasm` (not `<name>_bg.wasm`: Leptos asks for `<name>.wasm`) to pkg-dir.
use std::path::Path;

fn main() -> eyre::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [input, pkg_dir, output_name] = args.as_slice() else {
        eyre::bail!("usage: portico-wasm-bindgen <input.wasm> <pkg-dir> <output-name>");
    };
    let pkg_dir = Path::new(pkg_dir);
    wasm_bindgen_cli_support::Bindgen::new()
        .input_path(input)
        .out_name(output_name)
        .web(true)
        .map_err(|e| eyre::eyre!("{e:#}"))?
        // The split's chunk modules call the main module's exports that lld produced.
        .keep_lld_exports(true)
        .demangle(false)
        .typescript(false)
        // What the CLI passes when a flag is absent, where the library's default differs.
        .omit_default_module_path(false)
        .generate(pkg_dir)
        .map_err(|e| eyre::eyre!("{e:#}"))?;
    std::fs::rename(
        pkg_dir.join(format!("{output_name}_bg.wasm")),
        pkg_dir.join(format!("{output_name}.wasm")),
    )?;
    Ok(())
}
