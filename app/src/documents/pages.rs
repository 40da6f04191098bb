//! The Documents page: one list with a filter per kind, newest first, paged. Downloads are
//! plain form posts the browser sends itself (`data-download`: they work without the wasm,
//! and the client's navigation leaves them alone, else it would fetch each file twice); the visits to put in one
//! record are ticked in the list and sent by one form (`form="visit-records"`: a checkbox
//! belongs to that form wherever it sits).
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use super::{
    api::{list_documents, read_visit_records, DownloadDocument, DownloadVisitRecords},
    DocumentEntry, DocumentList, DocumentRef, EntryKind, Shelf,
};
use crate::{
    i18n::*,
    share::{viewer_pages::SharedVisitView, SharedVisit},
    ui::{
        errors::{field_error, form_error, url_result},
        form::FormMessage,
        loaded::Loaded,
        when::When,
    },
};

const DOWNLOAD_PATH: &str = <DownloadDocument as server_fn::ServerFn>::PATH;
const VISIT_RECORDS_PATH: &str = <DownloadVisitRecords as server_fn::ServerFn>::PATH;
const VISIT_RECORDS_FORM: &str = "visit-records";
/// The page where the chosen visits are read.
pub const READ_PATH: &str = "/documents/visits";

#[component]
pub fn DocumentsPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let shelf = move || query.read().get("kind").and_then(|k| Shelf::from_slug(&k));
    let page = move || query.read().get("page").and_then(|p| p.parse::<usize>().ok());
    let list = Resource::new(
        move || (shelf(), page()),
        |(shelf, page)| list_documents(shelf.map(|s| s.slug().to_owned()), page),
    );
    // A download the server refused comes back in the URL.
    let download = url_result::<DownloadDocument, ()>();
    let records = url_result::<DownloadVisitRecords, ()>();
    view! {
        <h1>{t!(i18n, documents.title)}</h1>
        <p>{t!(i18n, documents.intro)}</p>
        <ul class="links">
            <li><a href="/documents/request">{t!(i18n, documents.request_link)}</a></li>
            <li><a href="/documents/share">{t!(i18n, documents.share_link)}</a></li>
            <li><a href="/documents/export">{t!(i18n, documents.export_link)}</a></li>
        </ul>
        <ShelfFilter current=Signal::derive(shelf) />
        <FormMessage message=form_error(download, &[]) />
        <FormMessage message=form_error(records, &["from", "to"]) />
        <Loaded resource=list render=move |list| view! { <DocumentTable list=list shelf=shelf() /> } />
    }
}

/// The filter as links: each kind is a page of its own, and the back button works. Plain
/// links (the client navigates them in place): the router's `<A>` marks a link current by
/// its path alone, and all four share one.
#[component]
fn ShelfFilter(current: Signal<Option<Shelf>>) -> impl IntoView {
    let i18n = use_i18n();
    let link = move |shelf: Option<Shelf>, label: String| {
        let href = shelf.map_or("/documents".to_owned(), |s| format!("/documents?kind={}", s.slug()));
        let here = move || (current.get() == shelf).then_some("page");
        view! { <li><a href=href aria-current=here>{label}</a></li> }
    };
    view! {
        <nav aria-label=move || t_string!(i18n, documents.filter).to_string()>
            <ul class="filter-links">
                {link(None, t_string!(i18n, documents.all).to_string())}
                {Shelf::ALL.into_iter().map(|s| link(Some(s), shelf_label(i18n, s))).collect_view()}
            </ul>
        </nav>
    }
}

#[component]
fn DocumentTable(list: DocumentList, shelf: Option<Shelf>) -> impl IntoView {
    let i18n = use_i18n();
    if list.entries.is_empty() {
        return view! { <p class="empty">{t!(i18n, documents.none)}</p> }.into_any();
    }
    let has_visits = list.entries.iter().any(|e| e.kind == EntryKind::Visit);
    let pager = (list.pages > 1).then(|| view! { <Pager page=list.page pages=list.pages shelf=shelf /> });
    view! {
        {has_visits.then(|| view! {
            <form id=VISIT_RECORDS_FORM method="post" action=VISIT_RECORDS_PATH class="actions" data-download="">
                <p class="muted">{t!(i18n, documents.pick_visits)}</p>
                <DateRange />
                <button type="submit" name="format" value="pdf">{t!(i18n, documents.download_selected)}</button>
                <button type="submit" name="format" value="fhir" class="secondary">
                    {t!(i18n, documents.download_selected_fhir)}
                </button>
                // The same choice, read here: a plain GET to the reading page.
                <button type="submit" formmethod="get" formaction=READ_PATH class="secondary">
                    {t!(i18n, documents.read_selected)}
                </button>
            </form>
        })}
        <ul class="document-list">
            {list.entries.into_iter().map(|entry| view! { <DocumentRow entry=entry /> }).collect_view()}
        </ul>
        {pager}
    }
    .into_any()
}

/// The other way to choose: every visit between two days (either may stay empty).
#[component]
fn DateRange() -> impl IntoView {
    let i18n = use_i18n();
    let records = url_result::<DownloadVisitRecords, ()>();
    let date = move |field: &'static str, label: String| {
        let error = field_error(records, field);
        let id = format!("records-{field}");
        let error_id = format!("{id}-error");
        let described = error_id.clone();
        view! {
            <div class="field">
                <label for=id.clone()>{label}</label>
                <input type="date" id=id name=field
                    aria-invalid=move || error.get().is_some().then_some("true")
                    aria-describedby=move || error.get().map(|_| described.clone()) />
                {move || error.get().map(|m| view! { <p class="field-error" id=error_id.clone()>{m}</p> })}
            </div>
        }
    };
    view! {
        <fieldset class="date-range">
            <legend>{t!(i18n, documents.range_or_between)}</legend>
            {date("from", t_string!(i18n, documents.range_from).to_string())}
            {date("to", t_string!(i18n, documents.range_to).to_string())}
        </fieldset>
    }
}

#[component]
fn DocumentRow(entry: DocumentEntry) -> impl IntoView {
    let i18n = use_i18n();
    let title = if entry.title.is_empty() { kind_label(i18n, entry.kind) } else { entry.title.clone() };
    // The date makes each name unique (two "Lab visit - Blood draw"): said, not shown twice.
    let dated = if entry.date.is_empty() { title.clone() } else { format!("{title}, {}", entry.date) };
    let visit_id = match DocumentRef::parse(&entry.key) {
        Some(DocumentRef::Visit(id)) => Some(id),
        _ => None,
    };
    let heading = match visit_id {
        Some(id) => {
            let box_id = format!("pick-visit-{id}");
            let label_for = box_id.clone();
            view! {
                <label for=label_for class="check">
                    <input type="checkbox" id=box_id name="visits[]" value=id.to_string() form=VISIT_RECORDS_FORM
                        aria-label=dated.clone() />
                    <strong>{title.clone()}</strong>
                </label>
            }
            .into_any()
        }
        None => view! { <strong>{title.clone()}</strong> }.into_any(),
    };
    view! {
        <li class="document">
            <p class="document-title">{heading}</p>
            <p class="muted">
                {kind_label(i18n, entry.kind)}
                {(!entry.date.is_empty()).then(|| view! { " · " <When iso=entry.date.clone() /> })}
                " · " {entry.source.clone()}
            </p>
            <form method="post" action=DOWNLOAD_PATH data-download="">
                <input type="hidden" name="key" value=entry.key.clone() />
                <button type="submit" class="secondary">
                    {t!(i18n, documents.download)}
                    <span class="visually-hidden">" " {dated}</span>
                </button>
            </form>
        </li>
    }
}

#[component]
fn Pager(page: usize, pages: usize, shelf: Option<Shelf>) -> impl IntoView {
    let i18n = use_i18n();
    let href = move |n: usize| match shelf {
        Some(s) => format!("/documents?kind={}&page={n}", s.slug()),
        None => format!("/documents?page={n}"),
    };
    view! {
        <nav class="pager" aria-label=move || t_string!(i18n, documents.pages).to_string()>
            {(page > 1).then(|| view! { <a href=href(page - 1)>{t!(i18n, documents.newer)}</a> })}
            <span>{t_string!(i18n, documents.page_of, page = page, pages = pages).to_string()}</span>
            {(page < pages).then(|| view! { <a href=href(page + 1)>{t!(i18n, documents.older)}</a> })}
        </nav>
    }
}

fn shelf_label(i18n: leptos_i18n::I18nContext<Locale>, shelf: Shelf) -> String {
    match shelf {
        Shelf::VisitRecords => t_string!(i18n, documents.shelf_visits),
        Shelf::Requested => t_string!(i18n, documents.shelf_requested),
        Shelf::OnFile => t_string!(i18n, documents.shelf_on_file),
        Shelf::Forms => t_string!(i18n, documents.shelf_forms),
    }
    .to_string()
}

pub(super) fn kind_label(i18n: leptos_i18n::I18nContext<Locale>, kind: EntryKind) -> String {
    match kind {
        EntryKind::Visit => t_string!(i18n, documents.kind_visit),
        EntryKind::RequestedCopy => t_string!(i18n, documents.kind_requested),
        EntryKind::DischargeSummary => t_string!(i18n, documents.kind_discharge),
        EntryKind::OperativeReport => t_string!(i18n, documents.kind_operative),
        EntryKind::Letter => t_string!(i18n, documents.kind_letter),
        EntryKind::Other => t_string!(i18n, documents.kind_other),
        EntryKind::ImmunizationRecord => t_string!(i18n, documents.kind_immunizations),
        EntryKind::AdultProxyForm => t_string!(i18n, documents.kind_proxy_form),
        EntryKind::PrivacyNotice => t_string!(i18n, documents.kind_privacy_notice),
        EntryKind::ProxyAuthorization => t_string!(i18n, documents.kind_proxy_authorization),
        EntryKind::BillingStatement => t_string!(i18n, documents.kind_statement),
        EntryKind::BillingEstimate => t_string!(i18n, documents.kind_estimate),
    }
    .to_string()
}

/// The visits chosen on the Documents page (ticked, or between two dates), read here:
/// each with its After Visit Summary, its note and its results, as a clinician reads a
/// share. The choice comes in the address (`visits[]`, `from`, `to`), as the form sent it.
#[component]
pub fn VisitRecordsReadPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let chosen = move || {
        let query = query.read();
        let ids = query.get_all("visits[]").unwrap_or_default().join(",");
        (ids, query.get("from").unwrap_or_default(), query.get("to").unwrap_or_default())
    };
    let visits =
        Resource::new(chosen, |(ids, from, to)| read_visit_records(crate::input::NameList(ids), from, to));
    view! {
        <p><a href="/documents?kind=visit-records">{t!(i18n, documents.back)}</a></p>
        <h1>{t!(i18n, documents.read_title)}</h1>
        <Loaded resource=visits render={move |visits: Vec<SharedVisit>| view! {
            <h2 class="visually-hidden">{t!(i18n, share.visits)}</h2>
            {visits.into_iter().map(|v| view! { <SharedVisitView visit=v /> }).collect_view()}
        }} />
    }
}
