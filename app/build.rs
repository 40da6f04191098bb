//! Generates the typed translation module from `locales/*.json` (leptos_i18n).
//!
//! This calls leptos_i18n's parser and code generator directly rather than through
//! `leptos_i18n_build`, which is the same two calls plus ICU data generation that Portico
//! does not use (it takes `icu_compiled_data`): that crate made every build compile about
//! 90 more crates (icu_provider_source, rustls, a wasm interpreter, rayon, zip…) for this
//! build script, once per target directory (tests, server, wasm).
use leptos_i18n_parser::parse_locales::{
    options::{Config, ParseOptions},
    parse_locales,
};
use std::{error::Error, fs, path::PathBuf};

fn main() -> Result<(), Box<dyn Error>> {
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-changed=Cargo.toml");
    // `sqlx::migrate!` (infra/db.rs) embeds the migrations but cannot see a new file in
    // the directory on stable Rust: without this a new migration was missing from the
    // binary until some source file changed.
    println!("cargo::rerun-if-changed=../migrations");
    let dir = PathBuf::from(std::env::var_os("OUT_DIR").ok_or("OUT_DIR unset")?).join("i18n");
    // interpolate_display: interpolated strings also as plain text (attributes, errors).
    let cfg =
        Config::new("en")?.add_locale("es")?.parse_options(ParseOptions::new().interpolate_display(true));
    let locales = parse_locales(None, cfg)?;
    for path in locales.tracked_files.iter().flatten() {
        println!("cargo::rerun-if-changed={path}");
    }
    for warning in locales.diag.warnings().iter() {
        println!("cargo::warning={warning}");
    }
    for error in locales.diag.errors().iter() {
        println!("cargo::error={error}");
    }
    let code = leptos_i18n_codegen::gen_code(&locales, None, false, None, true)?;
    fs::create_dir_all(&dir)?;
    fs::write(dir.join("mod.rs"), code.to_string())?;
    Ok(())
}
