//! Billing estimates: what a planned service is expected to cost, a PDF the billing office
//! posts on a guarantor account (`access::staff(Need::Billing)`, audited on the guarantor's
//! chart). The guarantor's side downloads it from "View account" and from the Documents
//! center (`access::require(Billing)`, each download audited).
use leptos::prelude::*;
use server_fn::codec::{ByteStream, GetUrl, MultipartData, MultipartFormData, Streaming};

use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::{
    access::{self, ChartScope, Need, Section},
    problem::Problem,
};

/// The longest title an estimate takes.
pub const ESTIMATE_TITLE_MAX_CHARS: usize = 200;

/// Posts an estimate on an account: `account_id`, `served` (the patient it is for, one the
/// account covers), `confidential` ("on": shown only to that patient), `title`,
/// `document_date` (not in the future) and one PDF (`attachment`, by its bytes, at most the
/// documents' 20 MB).
#[server(endpoint = "staff/billing/estimate", input = MultipartFormData)]
pub async fn post_estimate(data: MultipartData) -> Result<(), AppError> {
    use crate::{
        documents::POST_FILE_MAX_BYTES,
        input::bounded,
        messages::upload::{read_form_within, FileLimits},
    };
    // Who, before reading up to 20 MB of someone's upload.
    let staff = access::staff(Need::Billing).await?;
    let limits =
        FileLimits { files: 1, bytes_per_file: POST_FILE_MAX_BYTES, too_big: Problem::DocumentsFileTooBig };
    let fields = ["account_id", "served", "confidential", "title", "document_date"];
    let (mut text, mut files) =
        read_form_within(data.into_inner().ok_or(AppError::Unavailable)?, &fields, limits).await?;
    let mut take = |name: &str| text.remove(name).unwrap_or_default();
    let (account_id, served, confidential) = (take("account_id"), take("served"), take("confidential"));
    let (title, date) = (take("title"), take("document_date"));
    let account_id: i64 = account_id.trim().parse().map_err(|_| AppError::NotFound)?;
    let served_id: i64 =
        served.trim().parse().map_err(|_| AppError::invalid("served", Problem::BillingChoosePatient))?;
    let title = bounded(
        &title,
        ESTIMATE_TITLE_MAX_CHARS,
        Some(Problem::DocumentsTitleRequired),
        Problem::DocumentsTitleTooLong,
    )
    .map_err(|p| AppError::invalid("title", p))?;
    let clock = &staff.state().clock;
    let date = crate::dates::parse_date(date.trim())
        .ok_or_else(|| AppError::invalid("document_date", Problem::DocumentsBadDate))?;
    if date > clock.today() {
        return Err(AppError::invalid("document_date", Problem::DocumentsDateInFuture));
    }
    let file = files.pop().ok_or_else(|| AppError::invalid("attachments", Problem::DocumentsChooseFile))?;
    if file.media_type != "application/pdf" {
        return Err(AppError::invalid("attachments", Problem::DocumentsCopyNotPdf));
    }
    let guarantor = super::office_store::guarantor_of(&staff, account_id).await?.ok_or(AppError::NotFound)?;
    let what = format!("staff.billing.estimate account={account_id}");
    let chart = staff.open_chart(guarantor, Section::Billing, &what).await?;
    let now = clock.now_ms();
    let date = date.to_string();
    let new = super::store::NewEstimate {
        account_id,
        served_id,
        confidential: confidential == "on",
        title: &title,
        document_date: &date,
    };
    let id = super::store::insert_estimate(&chart, &new, &file.bytes, now)
        .await?
        .ok_or_else(|| AppError::invalid("served", Problem::BillingChoosePatient))?;
    chart
        .audit_write(
            Section::Billing,
            "billing-estimate-posted",
            &format!("account={account_id} estimate={id}"),
        )
        .await?;
    if crate::ui::form::is_form_post() {
        leptos_axum::redirect(&format!("/staff/billing/accounts/{account_id}?done=estimate"));
    }
    Ok(())
}

/// An estimate of the chart's accounts, as a download.
#[server(endpoint = "billing/estimate", input = GetUrl, output = Streaming)]
pub async fn download_estimate(id: i64) -> Result<ByteStream<AppError>, AppError> {
    let chart = access::require(Section::Billing, &format!("billing.estimate id={id}")).await?;
    estimate_file(&chart, id).await
}

/// The estimate's file, for "View account" and the Documents center. A confidential one
/// is there only for the patient it serves (as the ledger's confidential charges are).
#[cfg(feature = "ssr")]
pub async fn estimate_file(chart: &ChartScope, id: i64) -> Result<ByteStream<AppError>, AppError> {
    let (served, confidential, pdf) =
        super::store::estimate_content(chart, id).await?.ok_or(AppError::NotFound)?;
    if confidential != 0 && !super::api::shows_confidential_of(chart, served) {
        return Err(AppError::NotFound);
    }
    Ok(crate::infra::download::file(&format!("estimate-{id}.pdf"), "application/pdf", pdf))
}

/// The estimates of the chart's accounts its reader may see: a confidential one only for
/// the patient it serves, on their own chart.
#[cfg(feature = "ssr")]
pub async fn visible_estimates(chart: &ChartScope) -> Result<Vec<super::store::EstimateRow>, AppError> {
    let rows = super::store::estimates(chart).await?;
    let shown = |e: &super::store::EstimateRow| {
        e.confidential == 0 || super::api::shows_confidential_of(chart, e.patient_id)
    };
    Ok(rows.into_iter().filter(shown).collect())
}
