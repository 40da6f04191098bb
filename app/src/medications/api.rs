use leptos::prelude::*;

use super::{Medication, Renewal};
#[cfg(feature = "ssr")]
use crate::access::{self, Section};
use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::problem::Problem;

#[server(endpoint = "medications/list")]
pub async fn list_medications() -> Result<Vec<Medication>, AppError> {
    let chart = access::require(Section::Medications, "medications.list").await?;
    let clock = &chart.state().clock;
    let rows = super::store::current(&chart, &clock.today().to_string()).await?;
    Ok(super::view::medications(rows, clock))
}

/// Asks for a renewal of a current medication. `key` is chosen by the browser for this
/// form: sending it again (a retry, a double click) makes no second request.
#[server(endpoint = "medications/request_renewal")]
pub async fn request_renewal(
    medication_id: i64,
    pharmacy: String,
    #[server(default)] comment: String,
    key: String,
) -> Result<Renewal, AppError> {
    use super::{store, COMMENT_MAX_CHARS, PHARMACY_MAX_CHARS};
    use crate::input::{bounded, IdempotencyKey};
    let required = Some(Problem::RenewalPharmacyRequired);
    let pharmacy = bounded(&pharmacy, PHARMACY_MAX_CHARS, required, Problem::RenewalPharmacyTooLong)
        .map_err(|p| AppError::invalid("pharmacy", p))?;
    let comment = bounded(&comment, COMMENT_MAX_CHARS, None, Problem::RenewalCommentTooLong)
        .map_err(|p| AppError::invalid("comment", p))?;
    let key = IdempotencyKey::parse(&key).ok_or_else(|| AppError::invalid("form", Problem::BadRequest))?;
    let chart =
        access::require(Section::Medications, &format!("medications.request_renewal id={medication_id}"))
            .await?;
    let state = chart.state();
    let today = state.clock.today().to_string();
    if !store::current_medication(&chart, medication_id, &today).await? {
        return Err(AppError::NotFound);
    }
    let outcome = store::request(
        &chart,
        &store::NewRenewal {
            medication_id,
            pharmacy: &pharmacy,
            comment: &comment,
            idempotency_key: &key,
            now: state.clock.now_ms(),
        },
    )
    .await?;
    match outcome {
        store::Requested::Created(id) => {
            chart.audit_write(Section::Medications, "renewal-requested", &format!("request={id}")).await?;
        }
        store::Requested::Repeated(_) => {}
        store::Requested::AlreadyPending => {
            return Err(AppError::invalid("form", Problem::RenewalAlreadyPending))
        }
    }
    if crate::ui::form::is_form_post() {
        leptos_axum::redirect("/medications");
    }
    let meds = super::view::medications(store::current(&chart, &today).await?, &chart.state().clock);
    meds.into_iter().find(|m| m.id == medication_id).and_then(|m| m.renewal).ok_or(AppError::Unavailable)
}
