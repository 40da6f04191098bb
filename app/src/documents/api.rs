//! The document center's server functions: the list, and each download (a browser's own
//! form post that answers with the file, so no wasm is needed to download). A refused
//! download sends the browser back to the page with the error in the URL.
use leptos::prelude::*;
use server_fn::codec::{ByteStream, Streaming};

use super::DocumentList;
#[cfg(feature = "ssr")]
use super::{
    copy::{About, ChosenVisits, Unseen},
    fhir,
    records::{self, CopyContents},
    store, CopyFormat, DocumentEntry, DocumentRef, EntryKind, Shelf, MAX_VISITS_PER_RECORD, PAGE_SIZE,
};
#[cfg(feature = "ssr")]
use crate::{
    access::{self, ChartScope, Section},
    infra::{download, mail_language::MailLanguage},
    problem::Problem,
};
use crate::{error::AppError, input::NameList};

/// One page of the list, newest first; `shelf` narrows it to one kind ("visit-records",
/// "on-file", "forms"; anything else lists everything).
#[server(endpoint = "documents/list")]
pub async fn list_documents(shelf: Option<String>, page: Option<usize>) -> Result<DocumentList, AppError> {
    let chart = access::require(Section::Documents, "documents.list").await?;
    let shelf = shelf.as_deref().and_then(Shelf::from_slug);
    let mut entries = entries(&chart).await?;
    entries.retain(|e| shelf.is_none_or(|s| e.kind.shelf() == s));
    // Newest first; a blank form has no date and goes last.
    entries.sort_by(|a, b| b.date.cmp(&a.date));
    let total = entries.len();
    let pages = total.div_ceil(PAGE_SIZE).max(1);
    let page = page.unwrap_or(1).clamp(1, pages);
    let entries = entries.into_iter().skip((page - 1) * PAGE_SIZE).take(PAGE_SIZE).collect();
    Ok(DocumentList { entries, page, pages, total })
}

#[cfg(feature = "ssr")]
async fn entries(chart: &ChartScope) -> Result<Vec<DocumentEntry>, AppError> {
    let clock = &chart.state().clock;
    // Documents shows no more than the other sections do: visit records for a reader who
    // may see Visits, the immunization record for one who may see the Health Summary (a
    // proxy granted Documents alone, or a teen's parent once Visits is hidden).
    let visits = if chart.may(Section::Visits) { store::finished_visits(chart).await? } else { Vec::new() };
    let mut entries: Vec<DocumentEntry> = visits
        .into_iter()
        .map(|v| DocumentEntry {
            key: DocumentRef::Visit(v.id).key(),
            kind: EntryKind::Visit,
            title: if v.reason.is_empty() { v.kind } else { format!("{} - {}", v.kind, v.reason) },
            date: clock.date_of(v.start_at),
            source: match v.provider {
                Some(p) => format!("{p}, {}", v.department),
                None => v.department,
            },
        })
        .collect();
    // Copies the reader asked for, once HIM has made them (`request_api` lists them all).
    for request in super::request_store::mine(chart).await? {
        let withdrawn = request.withdrawn_at.is_some();
        if let (Some(done), "fulfilled", false) = (request.decided_at, request.status.as_str(), withdrawn) {
            entries.push(DocumentEntry {
                key: DocumentRef::Request(request.id).key(),
                kind: EntryKind::RequestedCopy,
                title: String::new(),
                date: clock.date_of(done),
                source: chart.state().config.org.name.clone(),
            });
        }
    }
    entries.extend(store::posted(chart).await?.into_iter().map(|d| DocumentEntry {
        key: DocumentRef::OnFile(d.id).key(),
        kind: EntryKind::from_stored(&d.kind),
        title: d.title,
        date: d.document_date,
        source: d.source,
    }));
    // The immunization record is made from the chart: listed once there is a dose, dated
    // by the latest one.
    let doses = if chart.may(Section::HealthSummary) {
        crate::summary::store::immunizations(chart).await?
    } else {
        Vec::new()
    };
    if let Some(latest) = doses.first() {
        entries.push(DocumentEntry {
            key: DocumentRef::Immunizations.key(),
            kind: EntryKind::ImmunizationRecord,
            title: String::new(),
            date: latest.given_on.clone(),
            source: chart.state().config.org.name.clone(),
        });
    }
    // Signed proxy authorizations on this chart: the patient's every one, a proxy's own.
    entries.extend(crate::proxy::store::signed_forms(chart).await?.into_iter().map(|form| DocumentEntry {
        key: DocumentRef::Authorization(form.id).key(),
        kind: EntryKind::ProxyAuthorization,
        title: form.proxy_name,
        date: clock.date_of(form.decided_at),
        source: chart.state().config.org.name.clone(),
    }));
    // Billing statements of the chart's guarantor accounts, for a reader who may see billing
    // (a read of the chart's billing too, in its audit log).
    if chart.may(Section::Billing) {
        chart.audit_write(Section::Billing, "chart-read", "documents.list billing").await?;
        for (_, statement) in crate::billing::store::statements(chart).await? {
            entries.push(DocumentEntry {
                key: DocumentRef::Statement(statement.id).key(),
                kind: EntryKind::BillingStatement,
                title: statement.balance.display(),
                date: statement.issued_on,
                source: chart.state().config.org.name.clone(),
            });
        }
        for estimate in crate::billing::estimate_api::visible_estimates(chart).await? {
            entries.push(DocumentEntry {
                key: DocumentRef::Estimate(estimate.id).key(),
                kind: EntryKind::BillingEstimate,
                title: estimate.title,
                date: estimate.document_date,
                source: chart.state().config.org.name.clone(),
            });
        }
    }
    // The organisation's own notice, the same for every reader.
    if let Some(notice) = &chart.state().config.privacy_notice {
        entries.push(DocumentEntry {
            key: DocumentRef::PrivacyNotice.key(),
            kind: EntryKind::PrivacyNotice,
            title: String::new(),
            date: notice.date.clone(),
            source: chart.state().config.org.name.clone(),
        });
    }
    entries.push(DocumentEntry {
        key: DocumentRef::AdultProxyForm.key(),
        kind: EntryKind::AdultProxyForm,
        title: String::new(),
        date: String::new(),
        source: chart.state().config.org.name.clone(),
    });
    Ok(entries)
}

/// One document of the list as a file: a posted one as it was posted, the others made now.
#[server(endpoint = "documents/download", output = Streaming)]
pub async fn download_document(key: String) -> Result<ByteStream<AppError>, AppError> {
    // Checked after the door: a signed-out caller hears "sign in" whatever they sent.
    let reference = DocumentRef::parse(&key);
    let what = format!("documents.download {}", reference.map_or("(unknown)".into(), |r| r.key()));
    let chart = access::require(Section::Documents, &what).await?;
    let reference = reference.ok_or(AppError::NotFound)?;
    let lang = MailLanguage::of_request();
    match reference {
        DocumentRef::Visit(id) => visit_records_file(&chart, lang, CopyFormat::Pdf, &[id]).await,
        DocumentRef::OnFile(id) => {
            let file = store::posted_file(&chart, id).await?.ok_or(AppError::NotFound)?;
            let name = format!("document-{id}{}", extension(&file.media_type));
            Ok(download::file(&name, &file.media_type, file.content))
        }
        DocumentRef::Request(id) => {
            let copy = super::request_store::copy_file(&chart, id).await?.ok_or(AppError::NotFound)?;
            // A copy holds what its reader could see when it was made: not theirs once a
            // part of it, or what is confidential, is no longer theirs to see.
            let parts = super::RecordPart::parse_list(&copy.parts);
            if copy.max_confidential > chart.visibility().max_flag()
                || !parts.iter().all(|p| chart.may(p.section()))
            {
                return Err(AppError::Forbidden);
            }
            let name = format!("record-copy-{id}{}", extension(&copy.file_media_type));
            Ok(download::file(&name, &copy.file_media_type, copy.file_bytes))
        }
        DocumentRef::Immunizations => {
            if !chart.may(Section::HealthSummary) {
                return Err(AppError::Forbidden);
            }
            let doses = crate::summary::store::immunizations(&chart).await?;
            let about = About::chart(&chart).await?;
            let pdf = records::immunization_record(lang, &about.header(), &doses);
            Ok(download::file("immunization-record.pdf", "application/pdf", pdf))
        }
        DocumentRef::AdultProxyForm => {
            let pdf = records::adult_proxy_form(lang, &chart.state().config.org.name);
            Ok(download::file("proxy-authorization-form.pdf", "application/pdf", pdf))
        }
        DocumentRef::Authorization(id) => {
            let (media_type, bytes) =
                crate::proxy::store::signed_form_file(&chart, id).await?.ok_or(AppError::NotFound)?;
            let name = format!("proxy-authorization-{id}{}", extension(&media_type));
            Ok(download::file(&name, &media_type, bytes))
        }
        DocumentRef::Statement(id) => {
            if !chart.may(Section::Billing) {
                return Err(AppError::Forbidden);
            }
            let (name, pdf) = crate::billing::statement::statement_pdf(&chart, id, lang).await?;
            Ok(download::file(&name, "application/pdf", pdf))
        }
        DocumentRef::Estimate(id) => {
            if !chart.may(Section::Billing) {
                return Err(AppError::Forbidden);
            }
            crate::billing::estimate_api::estimate_file(&chart, id).await
        }
        DocumentRef::PrivacyNotice => {
            let notice = chart.state().config.privacy_notice.as_ref().ok_or(AppError::NotFound)?;
            Ok(download::file("notice-of-privacy-practices.pdf", "application/pdf", notice.pdf.to_vec()))
        }
    }
}

/// The chosen visits (`visits[]`, ids), or with none ticked every visit between `from` and
/// `to` (YYYY-MM-DD, either end open), as one file in the order they happened: a PDF, or
/// with `format=fhir` (the form's second button) a FHIR R4 bundle of the same facts.
#[server(endpoint = "documents/visit_records", output = Streaming)]
pub async fn download_visit_records(
    #[server(default)] visits: NameList,
    #[server(default)] format: String,
    #[server(default)] from: String,
    #[server(default)] to: String,
) -> Result<ByteStream<AppError>, AppError> {
    let ids = chosen_visits(&visits);
    let what = visit_records_what("documents.visit_records", &ids, &from, &to);
    let chart = access::require(Section::Documents, &what).await?;
    let ids = ticked_or_between(&chart, ids, &visits, &from, &to).await?;
    let format =
        CopyFormat::from_form(&format).ok_or_else(|| AppError::invalid("format", Problem::BadRequest))?;
    visit_records_file(&chart, MailLanguage::of_request(), format, &ids).await
}

/// The same visits as the download would hold (ticked, or between two dates), to read in
/// the page: each with its After Visit Summary, its note and its results.
#[server(endpoint = "documents/visit_records_read")]
pub async fn read_visit_records(
    #[server(default)] visits: NameList,
    #[server(default)] from: String,
    #[server(default)] to: String,
) -> Result<Vec<crate::share::SharedVisit>, AppError> {
    let ids = chosen_visits(&visits);
    let what = visit_records_what("documents.visit_records_read", &ids, &from, &to);
    let chart = access::require(Section::Documents, &what).await?;
    let ids = ticked_or_between(&chart, ids, &visits, &from, &to).await?;
    if !chart.may(Section::Visits) {
        return Err(AppError::Forbidden);
    }
    Ok(ChosenVisits::load(&chart, &ids, Unseen::Refuse).await?.into_read())
}

/// What the audit row says was asked for: the ids, or the dates.
#[cfg(feature = "ssr")]
fn visit_records_what(action: &str, ids: &Result<Vec<i64>, AppError>, from: &str, to: &str) -> String {
    let listed = ids.as_ref().map(|ids| ids.iter().map(i64::to_string).collect::<Vec<_>>().join(","));
    format!("{action} ids={} from={} to={}", listed.as_deref().unwrap_or("(none)"), from.trim(), to.trim())
}

/// The ticked visits, or with none ticked and a date given, every visit between the dates
/// (a bad or backwards date said at that date).
#[cfg(feature = "ssr")]
async fn ticked_or_between(
    chart: &ChartScope,
    ticked: Result<Vec<i64>, AppError>,
    visits: &NameList,
    from: &str,
    to: &str,
) -> Result<Vec<i64>, AppError> {
    let (from, to) = super::request_api::date_range(from, to)?;
    match ticked {
        Err(_) if visits.names().next().is_none() && (from.is_some() || to.is_some()) => {
            visits_between(chart, from.as_deref(), to.as_deref()).await
        }
        ticked => ticked,
    }
}

/// The ids in the form, each once; at least one and at most `MAX_VISITS_PER_RECORD`.
#[cfg(feature = "ssr")]
fn chosen_visits(visits: &NameList) -> Result<Vec<i64>, AppError> {
    let mut ids = Vec::new();
    for name in visits.names() {
        let id = name.parse::<i64>().map_err(|_| AppError::invalid("visits", Problem::BadRequest))?;
        if !ids.contains(&id) {
            // Refused as soon as it is too many: a long list costs nothing more.
            if ids.len() == MAX_VISITS_PER_RECORD {
                return Err(AppError::invalid("visits", Problem::DocumentsTooManyVisits));
            }
            ids.push(id);
        }
    }
    if ids.is_empty() {
        return Err(AppError::invalid("visits", Problem::DocumentsChooseVisit));
    }
    Ok(ids)
}

/// Every finished visit the reader may see between the two days (both included): at least
/// one, at most `MAX_VISITS_PER_RECORD`, each said at the dates.
#[cfg(feature = "ssr")]
async fn visits_between(
    chart: &ChartScope,
    from: Option<&str>,
    to: Option<&str>,
) -> Result<Vec<i64>, AppError> {
    if !chart.may(Section::Visits) {
        return Err(AppError::Forbidden);
    }
    let clock = &chart.state().clock;
    let span = super::copy::Span { from, to };
    let ids: Vec<i64> = store::finished_visits(chart)
        .await?
        .into_iter()
        .filter(|v| span.holds(&clock.date_of(v.start_at)))
        .map(|v| v.id)
        .collect();
    match ids.len() {
        0 => Err(AppError::invalid("from", Problem::DocumentsNoVisitsBetween)),
        n if n > MAX_VISITS_PER_RECORD => Err(AppError::invalid("from", Problem::DocumentsTooManyVisits)),
        _ => Ok(ids),
    }
}

/// A visit of another chart (or one hidden from this reader) is refused as not found: the
/// whole file, not a record with a gap.
#[cfg(feature = "ssr")]
async fn visit_records_file(
    chart: &ChartScope,
    lang: MailLanguage,
    format: CopyFormat,
    ids: &[i64],
) -> Result<ByteStream<AppError>, AppError> {
    if !chart.may(Section::Visits) {
        return Err(AppError::Forbidden);
    }
    let chosen = ChosenVisits::load(chart, ids, Unseen::Refuse).await?;
    let printed = chosen.printed();
    let about = About::chart(chart).await?;
    let (name, bytes) = match format {
        CopyFormat::Pdf => ("visit-records.pdf", records::visit_records(lang, &about.header(), &printed)),
        CopyFormat::Fhir => {
            let contents = CopyContents { visits: Some(printed), ..CopyContents::default() };
            ("visit-records.json", fhir::bundle(&about.subject(), &contents, about.generated_ms))
        }
    };
    Ok(download::file(name, format.media_type(), bytes))
}

#[cfg(feature = "ssr")]
pub(super) fn extension(media_type: &str) -> &'static str {
    match media_type {
        "application/pdf" => ".pdf",
        "image/png" => ".png",
        "image/jpeg" => ".jpg",
        "application/fhir+json" => ".json",
        _ => "",
    }
}
