//! The wasm entry point. Pages are rendered on the server only; the wasm holds the
//! interactive parts (islands, `#[island]` in the app crate), which frontend/client.js
//! hydrates one by one after calling `hydrate()`.
use wasm_bindgen::prelude::wasm_bindgen;

// Linking the app crate is what brings its islands' exported hydration functions in.
#[allow(unused_imports)]
use app as _;

#[wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
    // A server function that redirects (sign-in, enrollment) is followed by a client-side
    // navigation, as a link would be.
    let _ = server_fn::redirect::set_redirect_hook(|location: &str| app::ui::nav::go(location));
}

/// Room for the split (scripts/site-tools): it moves the read-only data that only a lazy
/// island uses into that island's module, but lays each module's share out again with
/// alignment padding. When the padded layout is longer than the linker's segment, it keeps
/// the whole segment in the main module: every island's strings and tables, 49 KB brotli on
/// every page. Nothing references these bytes, so no module carries them, and their length
/// in the linker's segment is the slack the padding may use.
#[used]
static SPLIT_SLACK: [u8; 4096] = [0x5a; 4096];
