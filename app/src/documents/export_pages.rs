//! The "Download my whole record" page: start an archive, watch its progress (the client
//! script fetches the page again every few seconds while it is in the making, from
//! `data-refresh-after`; no wasm), download it while it lasts. Plain form posts, as
//! everywhere in the Document Center.
use leptos::prelude::*;

use super::{
    export::{load_export, DownloadExport, StartExport},
    ExportStatus, ExportView, EXPORT_HOURS,
};
use crate::{
    i18n::*,
    ui::{
        errors::{form_error, url_result},
        form::FormMessage,
        loaded::Loaded,
    },
};

const START_PATH: &str = <StartExport as server_fn::ServerFn>::PATH;
const DOWNLOAD_PATH: &str = <DownloadExport as server_fn::ServerFn>::PATH;
/// Seconds between the page's own refreshes while the archive is made.
const REFRESH_SECS: &str = "3";

#[component]
pub fn ExportPage() -> impl IntoView {
    let i18n = use_i18n();
    let view = Resource::new(|| (), |_| load_export());
    let started = url_result::<StartExport, ()>();
    let downloaded = url_result::<DownloadExport, ()>();
    view! {
        <p><a href="/documents">{t!(i18n, documents.back)}</a></p>
        <h1>{t!(i18n, documents.export_title)}</h1>
        <p>{t_string!(i18n, documents.export_intro, hours = EXPORT_HOURS).to_string()}</p>
        <FormMessage message=form_error(started, &[]) />
        <FormMessage message=form_error(downloaded, &[]) />
        <Loaded resource=view render=move |view: ExportView| view! { <ExportState view=view /> } />
    }
}

#[component]
fn ExportState(view: ExportView) -> impl IntoView {
    let i18n = use_i18n();
    let start = move |label: String| {
        view! {
            <form method="post" action=START_PATH>
                <button type="submit" class="primary">{label}</button>
            </form>
        }
    };
    match view.status {
        None => start(t_string!(i18n, documents.export_start).to_string()).into_any(),
        Some(ExportStatus::Working { progress }) => view! {
            <div role="status" data-refresh-after=REFRESH_SECS>
                <p>{t_string!(i18n, documents.export_working, progress = progress).to_string()}</p>
                <progress max="100" value=progress.to_string()
                    aria-label=t_string!(i18n, documents.export_progress).to_string()>{format!("{progress}%")}</progress>
                <p class="muted">
                    {t!(i18n, documents.export_refresh)}" "
                    <a href="/documents/export">{t!(i18n, documents.export_check)}</a>
                </p>
            </div>
        }
        .into_any(),
        Some(ExportStatus::Ready { id, until, kilobytes }) => view! {
            <p role="status" class="success">{t_string!(i18n, documents.export_ready, until = until).to_string()}</p>
            <form method="post" action=DOWNLOAD_PATH data-download="">
                <input type="hidden" name="id" value=id.to_string() />
                <button type="submit" class="primary">
                    {t_string!(i18n, documents.export_download, size = kilobytes).to_string()}
                </button>
            </form>
            {start(t_string!(i18n, documents.export_again).to_string())}
        }
        .into_any(),
        Some(ExportStatus::Expired) => view! {
            <p>{t!(i18n, documents.export_expired)}</p>
            {start(t_string!(i18n, documents.export_start).to_string())}
        }
        .into_any(),
        Some(ExportStatus::Failed) => view! {
            <p class="form-error">{t!(i18n, documents.export_failed)}</p>
            {start(t_string!(i18n, documents.export_start).to_string())}
        }
        .into_any(),
    }
}
