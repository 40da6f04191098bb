//! Patient- and proxy-side functions: the chart switcher, requests for access, the
//! Sharing page (who may see my chart, whose charts I may see) and "Who has seen my record".
//! The chart is the session's; a grant id is acted on only by its patient or its proxy.
use leptos::prelude::*;
use server_fn::codec::{MultipartData, MultipartFormData};

use super::{AccessEntry, ProxyRequest, Restriction, Sharing};
#[cfg(feature = "ssr")]
use crate::problem::Problem;
use crate::{access::Charts, error::AppError};
#[cfg(feature = "ssr")]
use crate::{
    access::{self, Account, Relationship, Section},
    infra::AppState,
};

/// The charts the signed-in person may open, and the one open now.
#[server(endpoint = "proxy/charts")]
pub async fn my_charts() -> Result<Charts, AppError> {
    access::account().await?.charts().await
}

/// Opens another chart (the user's own, or one granted now) for the rest of the session.
/// A refusal sends a form post back to its page with the error in the URL.
#[server(endpoint = "proxy/switch")]
pub async fn switch_chart(patient_id: i64) -> Result<Charts, AppError> {
    let mut account = access::account().await?;
    account.switch_chart(patient_id).await?;
    // A form post from the chart switcher lands on Home of the chart now open.
    leptos_axum::redirect("/");
    account.charts().await
}

/// Who may see my chart, whose charts I may see, and my requests.
#[server(endpoint = "proxy/sharing")]
pub async fn load_sharing() -> Result<Sharing, AppError> {
    let account = access::account().await?;
    let state = account.state();
    let now = state.clock.now_ms();
    let (on_my_chart, may_change, restrictions) = match account.own_patient_id() {
        Some(own) => {
            let chart = account.own_chart("proxy.sharing").await?;
            let grants = super::store::grants_on(&chart, now, &state.clock).await?;
            let restrictions = super::store::restrictions_on(&chart).await?;
            (grants, patient_is_adult(state, own).await?, restrictions)
        }
        None => (Vec::new(), false, Vec::new()),
    };
    Ok(Sharing {
        on_my_chart,
        may_change,
        mine: super::store::grants_held(
            account.db(),
            account.user_id(),
            now,
            &state.clock,
            &state.config.org.teen_proxy_sections,
        )
        .await?,
        requests: super::store::requests_of(account.db(), account.user_id(), &state.clock).await?,
        restrictions,
    })
}

/// Whether the patient is 18 or older today (an adult decides who sees their chart). A
/// birth date that cannot be read counts as a minor's: the narrower rights.
#[cfg(feature = "ssr")]
pub(crate) async fn patient_is_adult(state: &AppState, patient_id: i64) -> Result<bool, AppError> {
    let patient =
        crate::patients::store::patient_by_id(&state.db, patient_id).await?.ok_or(AppError::NotFound)?;
    let age = crate::dates::age_from(&patient.birth_date, state.clock.today());
    Ok(age.is_some_and(|age| age >= crate::dates::ADULT_AGE))
}

/// A parent's or guardian's request for a child's chart ("Request Minor Proxy Access").
#[server(endpoint = "proxy/request_minor")]
pub async fn request_minor_access(
    child_name: String,
    birth_date: String,
    relationship: String,
    #[server(default)] attest: Option<String>,
    key: String,
) -> Result<ProxyRequest, AppError> {
    let account = access::account().await?;
    let form = RequestForm { name: child_name, birth_date, relationship, attest, key };
    let checked = form.check(account.state(), super::RequestKind::Minor, "child_name")?;
    submit(&account, checked, None).await
}

/// An adult proxy authorization: fields `patient_name`, `birth_date`, `relationship`,
/// `attest`, `key` and the signed form as one `attachment` (PNG, JPEG or PDF, ≤ 10 MB).
#[server(endpoint = "proxy/request_adult", input = MultipartFormData)]
pub async fn request_adult_access(data: MultipartData) -> Result<ProxyRequest, AppError> {
    // Who, before reading someone's upload.
    let account = access::account().await?;
    let multipart = data.into_inner().ok_or(AppError::Unavailable)?;
    let fields = ["patient_name", "birth_date", "relationship", "attest", "key"];
    let (mut text, files) = crate::messages::upload::read_form(multipart, &fields).await?;
    let mut take = |name: &str| text.remove(name).unwrap_or_default();
    let attest = Some(take("attest")).filter(|a| !a.is_empty());
    let form = RequestForm {
        name: take("patient_name"),
        birth_date: take("birth_date"),
        relationship: take("relationship"),
        attest,
        key: take("key"),
    };
    let checked = form.check(account.state(), super::RequestKind::Adult, "patient_name")?;
    let file = match files.as_slice() {
        [one] => one,
        [] => return Err(AppError::invalid("attachments", Problem::ProxyFormRequired)),
        _ => return Err(AppError::invalid("attachments", Problem::MessagesTooManyAttachments)),
    };
    submit(&account, checked, Some(file)).await
}

#[cfg(feature = "ssr")]
struct RequestForm {
    name: String,
    birth_date: String,
    relationship: String,
    attest: Option<String>,
    key: String,
}

#[cfg(feature = "ssr")]
struct CheckedRequest {
    kind: super::RequestKind,
    name: String,
    birth_date: String,
    relationship: Relationship,
    key: crate::input::IdempotencyKey,
}

#[cfg(feature = "ssr")]
impl RequestForm {
    /// Every field, each refused with a message at its own field.
    fn check(
        self,
        state: &AppState,
        kind: super::RequestKind,
        name_field: &str,
    ) -> Result<CheckedRequest, AppError> {
        use super::RequestKind;
        use crate::input;
        let required = Some(Problem::ProxyNameRequired);
        let name = input::bounded(&self.name, super::NAME_MAX_CHARS, required, Problem::ProxyNameTooLong)
            .map_err(|p| AppError::invalid(name_field, p))?;
        let born = crate::dates::parse_date(&self.birth_date)
            .ok_or_else(|| AppError::invalid("birth_date", Problem::ProxyBirthDateInvalid))?;
        let today = state.clock.today();
        if born > today {
            return Err(AppError::invalid("birth_date", Problem::ProxyBirthDateFuture));
        }
        let age = crate::dates::age_on(born, today);
        match kind {
            RequestKind::Minor if age >= crate::dates::ADULT_AGE => {
                return Err(AppError::invalid("birth_date", Problem::ProxyNotAMinor))
            }
            RequestKind::Adult if age < crate::dates::ADULT_AGE => {
                return Err(AppError::invalid("birth_date", Problem::ProxyNotAnAdult))
            }
            _ => {}
        }
        let allowed: &[Relationship] = match kind {
            RequestKind::Minor => &Relationship::FOR_MINORS,
            RequestKind::Adult => &Relationship::ALL[1..],
        };
        let relationship = Relationship::parse(&self.relationship)
            .filter(|r| allowed.contains(r))
            .ok_or_else(|| AppError::invalid("relationship", Problem::ProxyRelationshipRequired))?;
        if !matches!(self.attest.as_deref(), Some("on" | "true" | "yes")) {
            return Err(AppError::invalid("attest", Problem::ProxyAttestRequired));
        }
        let key = input::IdempotencyKey::parse(&self.key)
            .ok_or_else(|| AppError::invalid("form", Problem::BadRequest))?;
        Ok(CheckedRequest { kind, name, birth_date: born.to_string(), relationship, key })
    }
}

/// Stores a checked request (at most `REQUESTS_PER_DAY` a day) with its due date.
#[cfg(feature = "ssr")]
async fn submit(
    account: &Account,
    request: CheckedRequest,
    file: Option<&crate::messages::upload::Upload>,
) -> Result<ProxyRequest, AppError> {
    let state = account.state();
    let now = state.clock.now_ms();
    let recent =
        super::store::requests_since(&state.db, account.user_id(), now - crate::dates::DAY_MS).await?;
    if recent >= super::REQUESTS_PER_DAY {
        return Err(AppError::TooManyAttempts { retry_after_secs: 3600 });
    }
    let today = state.clock.today();
    let due = crate::dates::business_days_after(today, &state.config.holidays, request.kind.business_days());
    let id = super::store::insert_request(
        &state.db,
        &super::store::NewRequest {
            requester_id: account.user_id(),
            kind: request.kind,
            patient_name: &request.name,
            birth_date: &request.birth_date,
            relationship: request.relationship,
            form: file.map(|f| (f.media_type, f.name.as_str(), f.bytes.as_slice())),
            now,
            due_at: state.clock.start_of_day(due),
            idempotency_key: &request.key,
        },
    )
    .await?;
    account.audit_event("proxy-requested", &format!("request={id} kind={}", request.kind.as_str())).await?;
    let (request, _) =
        super::store::request(&state.db, id, &state.clock).await?.ok_or(AppError::Unavailable)?;
    Ok(request)
}

/// Ends a grant: the adult patient of the chart may end any grant on it; a proxy may end
/// their own. Anyone else is told it does not exist.
#[server(endpoint = "proxy/end_grant")]
pub async fn end_grant(id: i64) -> Result<(), AppError> {
    let account = access::account().await?;
    let state = account.state();
    let (proxy, patient) = super::store::grant_parties(&state.db, id).await?.ok_or(AppError::NotFound)?;
    let as_patient = account.own_patient_id() == Some(patient);
    if as_patient && !patient_is_adult(state, patient).await? {
        return Err(AppError::Forbidden);
    }
    if !as_patient && proxy != account.user_id() {
        return Err(AppError::NotFound);
    }
    let reason = if as_patient { "ended by the patient" } else { "ended by the proxy" };
    if super::store::end_grant(&state.db, id, account.user_id(), reason, state.clock.now_ms()).await? {
        let detail = format!("grant={id}");
        account.audit_on(patient, !as_patient, Section::Sharing, "proxy-grant-ended", &detail).await?;
    }
    Ok(())
}

/// Narrows (or widens again) what a grant on the adult patient's own chart covers.
/// `sections`: the section names (`SectionNames`), at least one. Sent from its page as a
/// plain form, the browser then lands on Sharing.
#[server(endpoint = "proxy/set_sections")]
pub async fn set_grant_sections(
    id: i64,
    #[server(default)] sections: super::SectionNames,
) -> Result<(), AppError> {
    let account = access::account().await?;
    let state = account.state();
    let sections = parse_sections(&sections.0)?;
    let (_, patient) = super::store::grant_parties(&state.db, id).await?.ok_or(AppError::NotFound)?;
    if account.own_patient_id() != Some(patient) {
        return Err(AppError::NotFound);
    }
    if !patient_is_adult(state, patient).await? {
        return Err(AppError::Forbidden);
    }
    if super::store::set_sections(&state.db, id, &sections).await? {
        let detail = format!("grant={id}");
        account.audit_on(patient, false, Section::Sharing, "proxy-grant-sections", &detail).await?;
    }
    if crate::ui::form::is_form_post() {
        leptos_axum::redirect("/sharing");
    }
    Ok(())
}

/// A patient of 13–17 asks HIM to hide `sections` (at least one, each covered by the
/// grant) of their chart from a grant on it (from its page, a plain form: the browser then
/// lands on Sharing). An adult changes their grants themself; anyone else's grant id is
/// not found.
#[server(endpoint = "proxy/restrict")]
pub async fn request_restriction(
    grant_id: i64,
    #[server(default)] sections: super::SectionNames,
    #[server(default)] note: Option<String>,
    key: String,
) -> Result<Restriction, AppError> {
    use crate::input::{bounded, IdempotencyKey};
    let account = access::account().await?;
    let state = account.state();
    let own = account.own_patient_id().ok_or(AppError::NotFound)?;
    let (_, patient) = super::store::grant_parties(&state.db, grant_id).await?.ok_or(AppError::NotFound)?;
    if patient != own {
        return Err(AppError::NotFound);
    }
    if patient_is_adult(state, own).await? {
        return Err(AppError::Forbidden);
    }
    let hide = parse_sections(&sections.0)?;
    let note = bounded(
        note.as_deref().unwrap_or_default(),
        super::RESTRICTION_NOTE_MAX_CHARS,
        None,
        Problem::RestrictionNoteTooLong,
    )
    .map_err(|p| AppError::invalid("note", p))?;
    let key = IdempotencyKey::parse(&key).ok_or_else(|| AppError::invalid("form", Problem::BadRequest))?;
    let chart = account.own_chart("proxy.restrict").await?;
    let now = state.clock.now_ms();
    let recent = super::store::restrictions_since(&chart, now - crate::dates::DAY_MS).await?;
    if recent >= super::RESTRICTIONS_PER_DAY {
        return Err(AppError::TooManyAttempts { retry_after_secs: 3600 });
    }
    let due = crate::dates::business_days_after(
        state.clock.today(),
        &state.config.holidays,
        Restriction::BUSINESS_DAYS,
    );
    let new = super::store::NewRestriction {
        grant_id,
        sections: &hide,
        note: &note,
        now,
        due_at: state.clock.start_of_day(due),
        idempotency_key: &key,
    };
    let id = super::store::insert_restriction(&chart, &new)
        .await?
        .ok_or_else(|| AppError::invalid("sections", Problem::RestrictionPending))?;
    let detail = format!("restriction={id} grant={grant_id} sections={}", Section::join(&hide));
    chart.audit_write(Section::Sharing, "restriction-requested", &detail).await?;
    if crate::ui::form::is_form_post() {
        leptos_axum::redirect("/sharing");
    }
    let mine = super::store::restrictions_on(&chart).await?;
    mine.into_iter().find(|r| r.id == id).ok_or(AppError::Unavailable)
}

/// Grantable section names from a form ("home,visits"); at least one, each known.
#[cfg(feature = "ssr")]
pub fn parse_sections(text: &str) -> Result<Vec<Section>, AppError> {
    let mut sections = Vec::new();
    for name in text.split(',').map(str::trim).filter(|n| !n.is_empty()) {
        let section = Section::parse(name)
            .filter(|s| Section::GRANTABLE.contains(s))
            .ok_or_else(|| AppError::invalid("sections", Problem::BadRequest))?;
        if !sections.contains(&section) {
            sections.push(section);
        }
    }
    if sections.is_empty() {
        return Err(AppError::invalid("sections", Problem::ProxySectionsRequired));
    }
    Ok(sections)
}

/// "Who has seen my record": accesses to the signed-in patient's own chart, newest first;
/// `before` (an entry's `seq`) pages back.
#[server(endpoint = "proxy/access_log")]
pub async fn access_log(#[server(default)] before: Option<i64>) -> Result<Vec<AccessEntry>, AppError> {
    let chart = access::account().await?.own_chart("proxy.access_log").await?;
    let before = before.unwrap_or(i64::MAX);
    Ok(super::store::access_log(&chart, before).await?)
}
