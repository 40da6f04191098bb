//! Splits the release wasm at its lazy islands, as `cargo leptos build --split` does: the one
//! step of scripts/build-site.sh that needs a library (wasm_split_cli_support, the crate
//! cargo-leptos itself uses) rather than a command-line tool.
//!
//! `portico-wasm-split <input.wasm> <main-out.wasm> <pkg-dir> <output-name>` writes the main
//! module (for wasm-bindgen) to main-out; the split and chunk modules, the JS link module and
//! `__wasm_split_manifest.json` (the prefetch map Leptos' HydrationScripts reads) to pkg-dir;
//! and prints the paths of the split modules, one a line, for wasm-opt.
use std::{collections::BTreeMap, path::PathBuf};

/// The link module the main wasm imports the chunk loaders from. Leptos names this file in
/// each page's prefetch hints; the 22 underscores stand where a content hash goes when
/// cargo-leptos hashes file names (Portico does not).
const LINK_NAME: &str = "./__wasm_split.______________________.js";

fn main() -> eyre::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [input, main_out, pkg_dir, output_name] = args.as_slice() else {
        eyre::bail!("usage: portico-wasm-split <input.wasm> <main-out.wasm> <pkg-dir> <output-name>");
    };
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .with_max_level(tracing::Level::WARN)
        .init();
    let input_wasm = std::fs::read(input)?;
    let (main_out, pkg_dir) = (PathBuf::from(main_out), PathBuf::from(pkg_dir));
    let main_module = format!("./{output_name}.js");

    let mut options = wasm_split_cli_support::Options::new(&input_wasm);
    options.output_dir = &pkg_dir;
    options.main_out_path = &main_out;
    options.main_module = &main_module;
    options.link_name = LINK_NAME;
    let split = wasm_split_cli_support::transform(options)?;

    // Sorted, so that the same wasm gives the same manifest byte for byte.
    let manifest: BTreeMap<_, _> = split.prefetch_map.into_iter().collect();
    std::fs::write(pkg_dir.join("__wasm_split_manifest.json"), serde_json::to_string_pretty(&manifest)?)?;
    for module in split.split_modules {
        println!("{}", module.display());
    }
    Ok(())
}
