//! Labelled form fields whose errors sit next to them and are tied to them for screen
//! readers (`aria-invalid`, `aria-describedby`).
use leptos::prelude::*;

#[component]
pub fn TextField(
    #[prop(into)] name: Oco<'static, str>,
    /// The input's id when a page shows the same form more than once (default: from name).
    #[prop(optional, into)]
    id: Option<String>,
    #[prop(default = "text")] kind: &'static str,
    #[prop(optional)] autocomplete: Option<&'static str>,
    #[prop(optional, into)] error: Option<Signal<Option<String>>>,
    #[prop(optional)] hint_id: Option<&'static str>,
    #[prop(optional)] maxlength: Option<usize>,
    #[prop(default = true)] required: bool,
    #[prop(optional)] inputmode: Option<&'static str>,
    /// A pattern the browser checks before sending (the server checks again).
    #[prop(optional)]
    pattern: Option<&'static str>,
    /// Holds what is typed, for forms that carry it to a later step.
    #[prop(optional)]
    bind: Option<RwSignal<String>>,
    children: Children,
) -> impl IntoView {
    let id = id.unwrap_or_else(|| format!("field-{name}"));
    let error_id = format!("{id}-error");
    let error = error.unwrap_or_else(|| Signal::derive(|| None));
    let bind = bind.unwrap_or_else(|| RwSignal::new(String::new()));
    let described_by = {
        let error_id = error_id.clone();
        move || {
            let ids: Vec<&str> =
                hint_id.into_iter().chain(error.get().is_some().then_some(error_id.as_str())).collect();
            (!ids.is_empty()).then(|| ids.join(" "))
        }
    };
    // Also as the attribute: a page rendered on the server only (no wasm) shows it too.
    let initial = bind.get_untracked();
    view! {
        <div class="field">
            <label for=id.clone()>{children()}</label>
            <input
                id=id
                value=(!initial.is_empty()).then_some(initial)
                name=name
                type=kind
                required=required
                autocomplete=autocomplete
                maxlength=maxlength
                inputmode=inputmode
                pattern=pattern
                prop:value=bind
                on:input=move |ev| bind.set(event_target_value(&ev))
                aria-invalid=move || error.get().is_some().then_some("true")
                aria-describedby=described_by
            />
            {move || {
                error.get().map(|message| view! { <p class="field-error" id=error_id.clone()>{message}</p> })
            }}
        </div>
    }
}

/// A message for the whole form (not tied to one field), announced when it appears.
#[component]
pub fn FormMessage(#[prop(into)] message: Signal<Option<String>>) -> impl IntoView {
    view! {
        <div role="alert" class="form-message-slot">
            {move || message.get().map(|m| view! { <p class="form-error">{m}</p> })}
        </div>
    }
}

/// A labelled multi-line field with its error, and a count of characters left.
#[component]
pub fn TextArea(
    #[prop(into)] name: Oco<'static, str>,
    #[prop(optional, into)] id: Option<String>,
    #[prop(optional, into)] error: Option<Signal<Option<String>>>,
    max_chars: usize,
    #[prop(default = true)] required: bool,
    #[prop(default = 6)] rows: u32,
    /// Holds what is typed (the page reads it, e.g. to look for emergency words).
    bind: RwSignal<String>,
    /// A count of what is left as one types (an island); a page the server renders says
    /// the limit instead (nothing would update the count).
    #[prop(default = true)]
    live_count: bool,
    children: Children,
) -> impl IntoView {
    let id = id.unwrap_or_else(|| format!("field-{name}"));
    let (error_id, count_id) = (format!("{id}-error"), format!("{id}-count"));
    let error = error.unwrap_or_else(|| Signal::derive(|| None));
    let described_by = {
        let (error_id, count_id) = (error_id.clone(), count_id.clone());
        move || match error.get() {
            Some(_) => format!("{count_id} {error_id}"),
            None => count_id.clone(),
        }
    };
    let left = move || max_chars.saturating_sub(bind.with(|text| text.chars().count()));
    view! {
        <div class="field">
            <label for=id.clone()>{children()}</label>
            <textarea
                id=id
                name=name
                rows=rows
                required=required
                maxlength=max_chars
                prop:value=bind
                on:input=move |ev| bind.set(event_target_value(&ev))
                aria-invalid=move || error.get().is_some().then_some("true")
                aria-describedby=described_by
            ></textarea>
            <p class="hint" id=count_id>
                {move || if live_count { chars_left(left()) } else { chars_max(max_chars) }}
            </p>
            {move || {
                error.get().map(|message| view! { <p class="field-error" id=error_id.clone()>{message}</p> })
            }}
        </div>
    }
}

/// "1,234 characters left", in the reader's language.
pub fn chars_left(count: usize) -> String {
    let i18n = crate::i18n::use_i18n();
    crate::i18n::t_string!(i18n, common.chars_left, count).to_string()
}

/// "Up to N characters": the limit of a field on a page the server renders.
pub fn chars_max(count: usize) -> String {
    let i18n = crate::i18n::use_i18n();
    crate::i18n::t_string!(i18n, common.chars_max, count).to_string()
}

/// A random key for one submission of a form, so that a retried or double-clicked send is
/// recognised by the server and makes one request, not two.
pub fn idempotency_key() -> String {
    #[cfg(feature = "hydrate")]
    {
        let part = || format!("{:013x}", (js_sys::Math::random() * 4_503_599_627_370_496.0) as u64);
        format!("{}-{}-{}", part(), part(), part())
    }
    // A form the server renders (a plain form post) carries its key in the page.
    #[cfg(feature = "ssr")]
    return crate::infra::crypto::random_from_alphabet(b"0123456789abcdef", 32);
    #[cfg(not(any(feature = "hydrate", feature = "ssr")))]
    String::new()
}

/// A browser's own form post (it asks for a page), not the app's call (which asks for JSON):
/// the server function then answers with a redirect to the page that shows the outcome.
#[cfg(feature = "ssr")]
pub fn is_form_post() -> bool {
    use_context::<http::request::Parts>()
        .and_then(|parts| {
            parts.headers.get(http::header::ACCEPT)?.to_str().ok().map(|a| a.contains("text/html"))
        })
        .unwrap_or(false)
}

/// A button that posts one change to a server function as a plain form: the server makes
/// the change and sends the page back as it now stands (frontend/client.js patches it in; an
/// error comes back in the URL). For one-click changes on pages that are otherwise lists
/// rendered by the server: no wasm needed. `fields` are the function's arguments.
#[component]
pub fn PostButton(
    action: &'static str,
    fields: Vec<(&'static str, String)>,
    /// The button's accessible name when its text alone is ambiguous in a list.
    #[prop(optional, into)]
    label: Option<String>,
    #[prop(optional)] class: Option<&'static str>,
    children: Children,
) -> impl IntoView {
    view! {
        <form method="post" action=action class="inline">
            {fields.into_iter().map(|(name, value)| view! { <input type="hidden" name=name value=value /> }).collect_view()}
            <button type="submit" class=class aria-label=label>{children()}</button>
        </form>
    }
}
