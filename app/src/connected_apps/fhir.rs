//! The FHIR R4 patient-access API (`/fhir/r4/…`, JSON only), shaped to US Core 6.1: read
//! and search within the one chart a token opens. Written as JSON values with the
//! document center's helpers (`documents::fhir`); the integration tests parse every answer
//! back into fhirbolt's R4 types in strict mode. Errors are OperationOutcomes: 401 without
//! a good token, 403 for a type not granted, 404 alike for "not there" and "another
//! chart's" (no hint that an id exists elsewhere).
use axum::{
    extract::{Path, RawQuery, State},
    http::{header, request::Parts, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
    routing::get,
    Router,
};
use serde_json::{json, Value};

use super::{
    fhir_documents,
    fhir_store::{self as store, IdPage, ObservationRow, Page, ReportRow},
    kinds::FhirType,
};
use crate::{
    access::{self, ChartScope, TokenRefusal},
    documents::fhir::{
        coded, instant, severity, text, ACT_CODE, ALLERGY_STATUS, CLINICAL_STATUS, CVX, IDENTIFIER_TYPE,
        INTERPRETATION, LOINC, OBSERVATION_CATEGORY,
    },
    infra::AppState,
};

const FHIR_JSON: &str = "application/fhir+json";
const UCUM: &str = "http://unitsofmeasure.org";
const DIAGNOSTIC_SERVICE: &str = "http://terminology.hl7.org/CodeSystem/v2-0074";
/// A search page's size: FHIR's `_count`, at most this many (50 when not given).
pub const PAGE_MAX: i64 = 100;
pub const PAGE_DEFAULT: i64 = 50;
const RXNORM: &str = "http://www.nlm.nih.gov/research/umls/rxnorm";
const CONDITION_CATEGORY: &str = "http://terminology.hl7.org/CodeSystem/condition-category";
const ALLERGY_VERIFICATION: &str = "http://terminology.hl7.org/CodeSystem/allergyintolerance-verification";
const NPI: &str = "http://hl7.org/fhir/sid/us-npi";
/// The types this API serves (the CapabilityStatement says the same), and Binary for the
/// document center's files (read only, with DocumentReference's grant).
pub const SERVED: [FhirType; 10] = [
    FhirType::Patient,
    FhirType::Observation,
    FhirType::DiagnosticReport,
    FhirType::AllergyIntolerance,
    FhirType::Condition,
    FhirType::Immunization,
    FhirType::MedicationRequest,
    FhirType::Encounter,
    FhirType::Practitioner,
    FhirType::DocumentReference,
];

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/fhir/r4/metadata", get(metadata))
        .route("/fhir/r4/{resource}", get(search))
        .route("/fhir/r4/{resource}/{id}", get(read))
}

fn base(state: &AppState) -> String {
    super::oauth::fhir_base(state)
}

fn fhir_answer(status: StatusCode, body: &Value) -> Response {
    let mut answer = (status, body.to_string()).into_response();
    answer.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(FHIR_JSON));
    answer
}

/// An OperationOutcome with one issue (FHIR's issue-type codes).
fn outcome(status: StatusCode, code: &str, diagnostics: &str) -> Response {
    let body = json!({
        "resourceType": "OperationOutcome",
        "issue": [{ "severity": "error", "code": code, "diagnostics": diagnostics }],
    });
    let mut answer = fhir_answer(status, &body);
    if status == StatusCode::UNAUTHORIZED {
        answer.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    }
    answer
}

fn not_found() -> Response {
    outcome(StatusCode::NOT_FOUND, "not-found", "no such resource")
}

fn unavailable() -> Response {
    outcome(StatusCode::SERVICE_UNAVAILABLE, "transient", "please try again")
}

/// The chart the request's bearer token opens for reading `wanted`, or the refusal.
async fn open(state: &AppState, parts: &Parts, wanted: FhirType, what: &str) -> Result<ChartScope, Response> {
    let bearer = parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .unwrap_or_default();
    if bearer.is_empty() {
        return Err(outcome(StatusCode::UNAUTHORIZED, "login", "a bearer token is required"));
    }
    let addr =
        crate::infra::client_addr_of(&parts.headers, &parts.extensions, state.config.trusted_proxy_hops);
    access::open_app_chart(state, bearer, wanted, &addr, what).await.map_err(|refusal| match refusal {
        TokenRefusal::NotValid => outcome(StatusCode::UNAUTHORIZED, "login", "the token is not valid"),
        TokenRefusal::NotGranted => {
            outcome(StatusCode::FORBIDDEN, "forbidden", "the patient did not grant this app this type")
        }
        TokenRefusal::Unavailable => unavailable(),
    })
}

/// The resource type of a path, when this API serves it.
fn served(resource: &str) -> Option<FhirType> {
    FhirType::parse(resource).filter(|t| SERVED.contains(t))
}

async fn read(
    State(state): State<AppState>,
    Path((resource, id)): Path<(String, String)>,
    parts: Parts,
) -> Response {
    if resource == "Binary" {
        return binary(&state, &parts, &id).await;
    }
    let Some(wanted) = served(&resource) else { return not_found() };
    let Ok(id) = id.parse::<i64>() else { return not_found() };
    let chart = match open(&state, &parts, wanted, &format!("fhir {resource}/{id}")).await {
        Ok(chart) => chart,
        Err(answer) => return answer,
    };
    let found = match wanted {
        FhirType::Patient if id == chart.patient_id() => {
            store::patient(&chart).await.map(|p| Some(patient(&state, &p)))
        }
        FhirType::Patient => Ok(None),
        FhirType::Observation => {
            store::observation(&chart, id).await.map(|row| row.map(|o| observation(chart.patient_id(), &o)))
        }
        FhirType::DiagnosticReport => store::report(&chart, id)
            .await
            .map(|rows| reports(chart.patient_id(), &rows).into_iter().next().map(|(r, _)| r)),
        FhirType::DocumentReference => fhir_documents::read(&chart, id).await,
        other => {
            let one = IdPage { before_id: i64::MAX, count: 1, only_id: id };
            id_paged(&chart, other, one).await.map(|rows| rows.into_iter().next().map(|(_, r)| r))
        }
    };
    match found {
        Ok(Some(resource)) => fhir_answer(StatusCode::OK, &resource),
        Ok(None) => not_found(),
        Err(_) => unavailable(),
    }
}

async fn search(
    State(state): State<AppState>,
    Path(resource): Path<String>,
    RawQuery(query): RawQuery,
    parts: Parts,
) -> Response {
    let Some(wanted) = served(&resource) else { return not_found() };
    let params: Vec<(String, String)> =
        url::form_urlencoded::parse(query.as_deref().unwrap_or_default().as_bytes()).into_owned().collect();
    let chart = match open(&state, &parts, wanted, &format!("fhir {resource} search")).await {
        Ok(chart) => chart,
        Err(answer) => return answer,
    };
    let filters = match search_filters(wanted, &params, chart.patient_id()) {
        Ok(filters) => filters,
        Err(answer) => return answer,
    };
    let base = base(&state);
    let self_url = search_url(&base, &resource, &params, None);
    let (resources, next) = match (wanted, filters) {
        (_, Filters::Nothing) => (Vec::new(), None),
        (FhirType::Patient, Filters::Page(_)) => match store::patient(&chart).await {
            Ok(p) => (vec![patient(&state, &p)], None),
            Err(_) => return unavailable(),
        },
        (FhirType::Observation, Filters::Page(page)) => match store::observations(&chart, &page).await {
            Ok(mut rows) => {
                let next = (rows.len() as i64 > page.count).then(|| {
                    rows.truncate(page.count as usize);
                    rows.last().map(|o| (o.effective_at, o.id))
                });
                (rows.iter().map(|o| observation(chart.patient_id(), o)).collect(), next.flatten())
            }
            Err(_) => return unavailable(),
        },
        (FhirType::DocumentReference, Filters::Page(page)) => {
            match fhir_documents::search(&chart, &page).await {
                Ok(found) => found,
                Err(_) => return unavailable(),
            }
        }
        (FhirType::DiagnosticReport, Filters::Page(page)) => match store::reports(&chart, &page).await {
            Ok(rows) => {
                let mut found = reports(chart.patient_id(), &rows);
                let next = (found.len() as i64 > page.count).then(|| {
                    found.truncate(page.count as usize);
                    found.last().map(|(_, cursor)| *cursor)
                });
                (found.into_iter().map(|(report, _)| report).collect(), next.flatten())
            }
            Err(_) => return unavailable(),
        },
        (other, Filters::Page(page)) => {
            let id_page = IdPage { before_id: page.after.1, count: page.count, only_id: 0 };
            match id_paged(&chart, other, id_page).await {
                Ok(mut rows) => {
                    let next = (rows.len() as i64 > page.count).then(|| {
                        rows.truncate(page.count as usize);
                        rows.last().map(|(id, _)| (0, *id))
                    });
                    (rows.into_iter().map(|(_, r)| r).collect(), next.flatten())
                }
                Err(_) => return unavailable(),
            }
        }
    };
    let next_url = next.map(|cursor| search_url(&base, &resource, &params, Some(cursor)));
    fhir_answer(StatusCode::OK, &searchset(&base, &self_url, next_url.as_deref(), resources))
}

/// A search's filters: a page to read, or nothing to read (a category or code system this
/// chart holds none of), or a 400 for what cannot be understood.
enum Filters {
    Page(Page),
    Nothing,
}

fn invalid(diagnostics: &str) -> Response {
    outcome(StatusCode::BAD_REQUEST, "invalid", diagnostics)
}

fn search_filters(
    wanted: FhirType,
    params: &[(String, String)],
    patient_id: i64,
) -> Result<Filters, Response> {
    let mut page = Page {
        code: String::new(),
        from_ms: i64::MIN,
        to_ms: i64::MAX,
        after: (i64::MAX, i64::MAX),
        count: PAGE_DEFAULT,
    };
    let mut nothing = false;
    for (name, value) in params {
        match name.as_str() {
            "_id" if wanted == FhirType::Patient => same_patient(value, patient_id)?,
            "patient" | "subject" if !matches!(wanted, FhirType::Patient | FhirType::Practitioner) => {
                same_patient(value, patient_id)?
            }
            "_count" => {
                page.count = value
                    .parse::<i64>()
                    .ok()
                    .filter(|n| *n >= 1)
                    .ok_or_else(|| invalid("_count must be a whole number from 1"))?
                    .min(PAGE_MAX);
            }
            "_cursor" => {
                page.after =
                    parse_cursor(value).ok_or_else(|| invalid("_cursor is not one this server gave"))?
            }
            "_format" if matches!(value.as_str(), "json" | "application/fhir+json" | "application/json") => {}
            "category"
                if matches!(
                    wanted,
                    FhirType::Observation | FhirType::DiagnosticReport | FhirType::Condition
                ) =>
            {
                nothing |= !category_matches(wanted, value)
            }
            "category" if wanted == FhirType::DocumentReference => {
                nothing |= !fhir_documents::category_matches(value)
            }
            // Every document here is current (none is superseded or entered in error).
            "status" if wanted == FhirType::DocumentReference => {
                nothing |= !value.split(',').any(|v| v == "current")
            }
            // Every medication here is an order.
            "intent" if wanted == FhirType::MedicationRequest => {
                nothing |= !value.split(',').any(|v| v == "order")
            }
            "code" if is_result(wanted) => match parse_code(value)? {
                Some(code) => page.code = code,
                None => nothing = true,
            },
            "type" if wanted == FhirType::DocumentReference => match parse_code(value)? {
                Some(code) => page.code = code,
                None => nothing = true,
            },
            "date" if is_result(wanted) || wanted == FhirType::DocumentReference => {
                let (from, to) =
                    parse_date(value).ok_or_else(|| invalid("date: [eq|ge|gt|le|lt]YYYY[-MM[-DD]]"))?;
                page.from_ms = page.from_ms.max(from);
                page.to_ms = page.to_ms.min(to);
            }
            _ => return Err(invalid(&format!("this server does not search {} by {name}", wanted.name()))),
        }
    }
    Ok(if nothing { Filters::Nothing } else { Filters::Page(page) })
}

fn is_result(t: FhirType) -> bool {
    matches!(t, FhirType::Observation | FhirType::DiagnosticReport)
}

/// Every result here is a laboratory one: Observation's `laboratory`, DiagnosticReport's
/// `LAB` (a comma is "or"; a system, when given, must be the category's own).
fn category_matches(wanted: FhirType, value: &str) -> bool {
    let (system, code) = match wanted {
        FhirType::DiagnosticReport => (DIAGNOSTIC_SERVICE, "LAB"),
        FhirType::Condition => (CONDITION_CATEGORY, "problem-list-item"),
        _ => (OBSERVATION_CATEGORY, "laboratory"),
    };
    value.split(',').any(|one| match one.split_once('|') {
        Some((s, c)) => (s.is_empty() || s == system) && c == code,
        None => one == code,
    })
}

/// A LOINC code (`http://loinc.org|2339-0` or `2339-0`); None for another system (nothing
/// here is coded in it). One code per search.
fn parse_code(value: &str) -> Result<Option<String>, Response> {
    if value.contains(',') {
        return Err(invalid("code: one code per search"));
    }
    let code = match value.split_once('|') {
        Some((system, code)) if system.is_empty() || system == LOINC => code,
        Some(_) => return Ok(None),
        None => value,
    };
    if code.is_empty() || code.len() > 64 {
        return Err(invalid("code: a LOINC code"));
    }
    Ok(Some(code.to_string()))
}

/// `[prefix]YYYY[-MM[-DD]]` as [from, to) in epoch ms (UTC days).
fn parse_date(value: &str) -> Option<(i64, i64)> {
    let (prefix, date) = match value.get(..2) {
        Some(p @ ("eq" | "ge" | "gt" | "le" | "lt")) => (p, &value[2..]),
        _ => ("eq", value),
    };
    let (start, end) = date_span(date)?;
    Some(match prefix {
        "eq" => (start, end),
        "ge" => (start, i64::MAX),
        "gt" => (end, i64::MAX),
        "le" => (i64::MIN, end),
        _ => (i64::MIN, start),
    })
}

/// The span of a year, month or day, in epoch ms.
fn date_span(date: &str) -> Option<(i64, i64)> {
    use time::{Date, Month};
    let parts: Vec<&str> = date.split('-').collect();
    let year: i32 = parts.first().filter(|y| y.len() == 4)?.parse().ok()?;
    let month = |s: &str| s.parse::<u8>().ok().and_then(|m| Month::try_from(m).ok());
    let ms = |d: Date| d.midnight().assume_utc().unix_timestamp() * 1000;
    match parts.as_slice() {
        [_] => Some((
            ms(Date::from_calendar_date(year, Month::January, 1).ok()?),
            ms(Date::from_calendar_date(year + 1, Month::January, 1).ok()?),
        )),
        [_, m] if m.len() == 2 => {
            let first = Date::from_calendar_date(year, month(m)?, 1).ok()?;
            let next = if first.month() == Month::December {
                Date::from_calendar_date(year + 1, Month::January, 1).ok()?
            } else {
                Date::from_calendar_date(year, first.month().next(), 1).ok()?
            };
            Some((ms(first), ms(next)))
        }
        [_, m, d] if m.len() == 2 && d.len() == 2 => {
            let day = Date::from_calendar_date(year, month(m)?, d.parse().ok()?).ok()?;
            Some((ms(day), ms(day.next_day()?)))
        }
        _ => None,
    }
}

/// A search's `patient` (or Patient's `_id`) must be the token's own: another chart's is
/// refused the same way whether or not it exists.
fn same_patient(value: &str, patient_id: i64) -> Result<(), Response> {
    let named = value.strip_prefix("Patient/").unwrap_or(value);
    if named == patient_id.to_string() {
        Ok(())
    } else {
        Err(outcome(StatusCode::FORBIDDEN, "forbidden", "this token is for another patient"))
    }
}

fn parse_cursor(value: &str) -> Option<(i64, i64)> {
    let (at, id) = value.split_once('.')?;
    Some((at.parse().ok()?, id.parse().ok()?))
}

/// The search's own address, with `_cursor` for the next page.
fn search_url(base: &str, resource: &str, params: &[(String, String)], cursor: Option<(i64, i64)>) -> String {
    let mut url = url::form_urlencoded::Serializer::new(String::new());
    for (name, value) in params.iter().filter(|(name, _)| name != "_cursor") {
        url.append_pair(name, value);
    }
    if let Some((at, id)) = cursor {
        url.append_pair("_cursor", &format!("{at}.{id}"));
    }
    let query = url.finish();
    if query.is_empty() {
        format!("{base}/{resource}")
    } else {
        format!("{base}/{resource}?{query}")
    }
}

fn searchset(base: &str, self_url: &str, next_url: Option<&str>, resources: Vec<Value>) -> Value {
    let mut links = vec![json!({ "relation": "self", "url": self_url })];
    if let Some(next) = next_url {
        links.push(json!({ "relation": "next", "url": next }));
    }
    let entries: Vec<Value> = resources
        .into_iter()
        .map(|resource| {
            let full_url = format!(
                "{base}/{}/{}",
                resource["resourceType"].as_str().unwrap_or_default(),
                resource["id"].as_str().unwrap_or_default()
            );
            json!({ "fullUrl": full_url, "resource": resource, "search": { "mode": "match" } })
        })
        .collect();
    json!({ "resourceType": "Bundle", "type": "searchset", "link": links, "entry": entries })
}

fn reference(kind: &str, id: i64) -> Value {
    json!({ "reference": format!("{kind}/{id}") })
}

fn patient(state: &AppState, p: &store::PatientRow) -> Value {
    let mut resource = json!({
        "resourceType": "Patient",
        "id": p.id.to_string(),
        "meta": { "profile": ["http://hl7.org/fhir/us/core/StructureDefinition/us-core-patient"] },
        "identifier": [{
            "type": coded(IDENTIFIER_TYPE, "MR", Some("Medical record number")),
            "system": format!("{}/mrn", state.config.public_origin()),
            "value": p.mrn,
        }],
        "name": [{ "family": p.family_name, "given": [p.given_name] }],
        // The chart does not record administrative sex; FHIR's code for that is "unknown".
        "gender": "unknown",
        "birthDate": p.birth_date,
    });
    if let Some(email) = p.email.as_deref().filter(|e| !e.is_empty()) {
        resource["telecom"] = json!([{ "system": "email", "value": email }]);
    }
    resource
}

fn ucum_quantity(value: f64, unit: &str) -> Value {
    let mut q = json!({ "value": value });
    if !unit.is_empty() {
        q["unit"] = json!(unit);
        q["system"] = json!(UCUM);
        q["code"] = json!(unit);
    }
    q
}

fn observation(patient_id: i64, o: &ObservationRow) -> Value {
    let mut resource = json!({
        "resourceType": "Observation",
        "id": o.id.to_string(),
        "meta": { "profile": ["http://hl7.org/fhir/us/core/StructureDefinition/us-core-observation-lab"] },
        "status": "final",
        "category": [coded(OBSERVATION_CATEGORY, "laboratory", Some("Laboratory"))],
        "code": coded(LOINC, &o.loinc, Some(&o.name)),
        "subject": reference("Patient", patient_id),
        "effectiveDateTime": instant(o.effective_at),
    });
    if let Some(encounter) = o.encounter_id {
        resource["encounter"] = reference("Encounter", encounter);
    }
    match (&o.value_text, o.value_num) {
        (Some(words), _) => resource["valueString"] = json!(words),
        (None, Some(number)) => resource["valueQuantity"] = ucum_quantity(number, &o.unit),
        (None, None) => {
            resource["dataAbsentReason"] =
                coded("http://terminology.hl7.org/CodeSystem/data-absent-reason", "unknown", Some("Unknown"))
        }
    }
    if let Some(flag) = &o.flag {
        resource["interpretation"] = json!([coded(INTERPRETATION, flag, None)]);
    }
    let mut range = serde_json::Map::new();
    if let Some(low) = o.ref_low {
        range.insert("low".into(), ucum_quantity(low, &o.unit));
    }
    if let Some(high) = o.ref_high {
        range.insert("high".into(), ucum_quantity(high, &o.unit));
    }
    if let Some(text) = o.ref_text.as_deref().filter(|t| !t.is_empty()) {
        range.insert("text".into(), json!(text));
    }
    if !range.is_empty() {
        resource["referenceRange"] = json!([range]);
    }
    resource
}

/// Reports from their rows (one per observation), in the rows' order, each with its
/// place in the order (the next page's cursor).
fn reports(patient_id: i64, rows: &[ReportRow]) -> Vec<(Value, (i64, i64))> {
    let mut out: Vec<(Value, (i64, i64))> = Vec::new();
    let mut current: Option<i64> = None;
    for row in rows {
        if current != Some(row.id) {
            current = Some(row.id);
            let mut report = json!({
                "resourceType": "DiagnosticReport",
                "id": row.id.to_string(),
                "meta": { "profile": ["http://hl7.org/fhir/us/core/StructureDefinition/us-core-diagnosticreport-lab"] },
                "status": "final",
                "category": [coded(DIAGNOSTIC_SERVICE, "LAB", Some("Laboratory"))],
                "code": coded(&row.code_system, &row.code, Some(&row.name)),
                "subject": reference("Patient", patient_id),
                "effectiveDateTime": instant(row.collected_at),
                "issued": instant(row.released_at),
                "result": [],
            });
            if let Some(encounter) = row.encounter_id {
                report["encounter"] = reference("Encounter", encounter);
            }
            out.push((report, (row.collected_at, row.id)));
        }
        if let (Some(observation), Some((report, _))) = (row.observation_id, out.last_mut()) {
            if let Some(results) = report["result"].as_array_mut() {
                results.push(reference("Observation", observation));
            }
        }
    }
    for (report, _) in &mut out {
        if let Some(fields) = report.as_object_mut() {
            if fields.get("result").and_then(Value::as_array).is_some_and(Vec::is_empty) {
                fields.remove("result");
            }
        }
    }
    out
}

/// The chart's smaller lists, as resources with their ids (newest entry first).
async fn id_paged(
    chart: &ChartScope,
    wanted: FhirType,
    page: IdPage,
) -> Result<Vec<(i64, Value)>, sqlx::Error> {
    let patient_id = chart.patient_id();
    Ok(match wanted {
        FhirType::AllergyIntolerance => {
            store::allergies(chart, page).await?.iter().map(|r| (r.id, allergy(patient_id, r))).collect()
        }
        FhirType::Condition => {
            store::problems(chart, page).await?.iter().map(|r| (r.id, condition(patient_id, r))).collect()
        }
        FhirType::Immunization => store::immunizations(chart, page)
            .await?
            .iter()
            .map(|r| (r.id, immunization(patient_id, r)))
            .collect(),
        FhirType::MedicationRequest => {
            store::medications(chart, page).await?.iter().map(|r| (r.id, medication(patient_id, r))).collect()
        }
        FhirType::Encounter => {
            store::encounters(chart, page).await?.iter().map(|r| (r.id, encounter(patient_id, r))).collect()
        }
        FhirType::Practitioner => {
            store::practitioners(chart, page).await?.iter().map(|r| (r.id, practitioner(r))).collect()
        }
        _ => Vec::new(),
    })
}

fn profile(name: &str) -> Value {
    json!({ "profile": [format!("http://hl7.org/fhir/us/core/StructureDefinition/{name}")] })
}

fn allergy(patient_id: i64, a: &store::AllergyRow) -> Value {
    let mut reaction = json!({ "manifestation": [text(&a.reaction)] });
    if let Some(severity) = severity(&a.severity) {
        reaction["severity"] = json!(severity);
    }
    json!({
        "resourceType": "AllergyIntolerance",
        "id": a.id.to_string(),
        "meta": profile("us-core-allergyintolerance"),
        "clinicalStatus": coded(ALLERGY_STATUS, "active", Some("Active")),
        "verificationStatus": coded(ALLERGY_VERIFICATION, "confirmed", Some("Confirmed")),
        "code": coded(&a.code_system, &a.code, Some(&a.substance)),
        "patient": reference("Patient", patient_id),
        "recordedDate": a.recorded_on,
        "reaction": [reaction],
    })
}

fn condition(patient_id: i64, c: &store::ProblemRow) -> Value {
    let mut resource = json!({
        "resourceType": "Condition",
        "id": c.id.to_string(),
        "meta": profile("us-core-condition-problems-health-concerns"),
        "clinicalStatus": coded(CLINICAL_STATUS, &c.status, None),
        "category": [coded(CONDITION_CATEGORY, "problem-list-item", Some("Problem List Item"))],
        "code": coded(&c.code_system, &c.code, Some(&c.name)),
        "subject": reference("Patient", patient_id),
    });
    if let Some(onset) = c.onset_date.as_deref().filter(|d| !d.is_empty()) {
        resource["onsetDateTime"] = json!(onset);
    }
    resource
}

fn immunization(patient_id: i64, i: &store::ImmunizationRow) -> Value {
    json!({
        "resourceType": "Immunization",
        "id": i.id.to_string(),
        "meta": profile("us-core-immunization"),
        "status": "completed",
        "vaccineCode": coded(CVX, &i.cvx, Some(&i.name)),
        "patient": reference("Patient", patient_id),
        "occurrenceDateTime": i.given_on,
    })
}

fn medication(patient_id: i64, m: &store::MedicationRow) -> Value {
    let mut resource = json!({
        "resourceType": "MedicationRequest",
        "id": m.id.to_string(),
        "meta": profile("us-core-medicationrequest"),
        "status": if m.end_date.is_some() { "completed" } else { "active" },
        "intent": "order",
        "medicationCodeableConcept": coded(RXNORM, &m.rxnorm, Some(&m.name)),
        "subject": reference("Patient", patient_id),
        "authoredOn": m.start_date,
        "dosageInstruction": [{ "text": format!("{} — {}", m.dose, m.sig) }],
    });
    if let Some(prescriber) = m.prescriber_id {
        resource["requester"] = reference("Practitioner", prescriber);
    }
    resource
}

fn encounter(patient_id: i64, e: &store::EncounterRow) -> Value {
    let mut period = json!({ "start": instant(e.start_at) });
    if let Some(end) = e.end_at {
        period["end"] = json!(instant(end));
    }
    let mut resource = json!({
        "resourceType": "Encounter",
        "id": e.id.to_string(),
        "meta": profile("us-core-encounter"),
        "status": e.status,
        "class": { "system": ACT_CODE, "code": e.class_code },
        "type": [text(&e.kind)],
        "serviceType": text(&e.department),
        "subject": reference("Patient", patient_id),
        "period": period,
    });
    if let Some(provider) = e.provider_id {
        resource["participant"] = json!([{ "individual": reference("Practitioner", provider) }]);
    }
    if !e.reason.trim().is_empty() {
        resource["reasonCode"] = json!([text(&e.reason)]);
    }
    resource
}

fn practitioner(p: &store::PractitionerRow) -> Value {
    let mut resource = json!({
        "resourceType": "Practitioner",
        "id": p.id.to_string(),
        "meta": profile("us-core-practitioner"),
        "name": [{ "text": p.display_name }],
    });
    if let Some(npi) = p.npi.as_deref().filter(|n| !n.is_empty()) {
        resource["identifier"] = json!([{ "system": NPI, "value": npi }]);
    }
    resource
}

/// `metadata`: what this server does, for apps to discover (no token needed).
async fn metadata(State(state): State<AppState>) -> Response {
    let origin = state.config.public_origin();
    let resources: Vec<Value> = SERVED
        .iter()
        .map(|t| {
            let names: &[&str] = match t {
                FhirType::Patient => &["_id:token"],
                FhirType::Practitioner => &[],
                FhirType::Observation | FhirType::DiagnosticReport => {
                    &["patient:reference", "category:token", "code:token", "date:date"]
                }
                FhirType::Condition => &["patient:reference", "category:token"],
                FhirType::MedicationRequest => &["patient:reference", "intent:token"],
                FhirType::DocumentReference => {
                    &["patient:reference", "category:token", "type:token", "date:date", "status:token"]
                }
                _ => &["patient:reference"],
            };
            let params: Vec<Value> = names
                .iter()
                .map(|p| {
                    let (name, kind) = p.split_once(':').unwrap_or((p, "token"));
                    json!({ "name": name, "type": kind })
                })
                .collect();
            let mut resource = json!({
                "type": t.name(),
                "interaction": [{ "code": "read" }, { "code": "search-type" }],
            });
            // FHIR JSON has no empty arrays.
            if !params.is_empty() {
                resource["searchParam"] = json!(params);
            }
            resource
        })
        .collect();
    let body = json!({
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": instant(state.clock.now_ms()),
        "kind": "instance",
        "software": { "name": "Portico" },
        "implementation": { "description": state.config.org.name, "url": base(&state) },
        "fhirVersion": "4.0.1",
        "format": ["json"],
        "instantiates": ["http://hl7.org/fhir/us/core/CapabilityStatement/us-core-server"],
        "rest": [{
            "mode": "server",
            "security": {
                "service": [coded("http://terminology.hl7.org/CodeSystem/restful-security-service", "SMART-on-FHIR", Some("SMART-on-FHIR"))],
                "extension": [{
                    "url": "http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris",
                    "extension": [
                        { "url": "authorize", "valueUri": format!("{origin}{}", super::oauth::AUTHORIZE_PATH) },
                        { "url": "token", "valueUri": format!("{origin}{}", super::oauth::TOKEN_PATH) },
                        { "url": "revoke", "valueUri": format!("{origin}{}", super::oauth::REVOKE_PATH) },
                    ],
                }],
            },
            "resource": resources.into_iter().chain([binary_capability()]).collect::<Vec<_>>(),
        }],
    });
    fhir_answer(StatusCode::OK, &body)
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: i64 = 86_400_000;

    #[test]
    fn dates_are_spans_and_prefixes_cut_them() {
        let (start, end) = parse_date("2026-03-01").unwrap();
        assert_eq!((start, end - start), (1_772_323_200_000, DAY));
        assert_eq!(parse_date("ge2026-03-01"), Some((start, i64::MAX)));
        assert_eq!(parse_date("gt2026-03-01"), Some((end, i64::MAX)));
        assert_eq!(parse_date("le2026-03-01"), Some((i64::MIN, end)));
        assert_eq!(parse_date("lt2026-03-01"), Some((i64::MIN, start)));
        let (feb, march) = parse_date("2026-02").unwrap();
        assert_eq!(march - feb, 28 * DAY);
        let (dec, next_year) = parse_date("2025-12").unwrap();
        assert_eq!(next_year - dec, 31 * DAY);
        assert_eq!(parse_date("2026").map(|(a, b)| (b - a) / DAY), Some(365));
        for bad in ["", "26-03-01", "2026-3-1", "2026-02-30", "ne2026", "2026-13", "soon"] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
    }

    #[test]
    fn categories_and_codes_read_as_fhir_writes_them() {
        assert!(category_matches(FhirType::Observation, "laboratory"));
        assert!(category_matches(FhirType::Observation, "vital-signs,laboratory"));
        assert!(category_matches(FhirType::Observation, &format!("{OBSERVATION_CATEGORY}|laboratory")));
        assert!(!category_matches(FhirType::Observation, "vital-signs"));
        assert!(!category_matches(FhirType::Observation, "http://other.example|laboratory"));
        assert!(category_matches(FhirType::DiagnosticReport, "LAB"));
        assert!(parse_code("http://loinc.org|2339-0").unwrap() == Some("2339-0".into()));
        assert!(parse_code("2339-0").unwrap() == Some("2339-0".into()));
        assert!(parse_code("http://snomed.info/sct|123").unwrap().is_none());
        assert!(parse_code("1,2").is_err());
    }

    #[test]
    fn the_next_link_keeps_the_search_and_replaces_the_cursor() {
        let params =
            vec![("patient".to_string(), "7".to_string()), ("_cursor".to_string(), "1.2".to_string())];
        assert_eq!(
            search_url("https://p.example/fhir/r4", "Observation", &params, Some((5, 9))),
            "https://p.example/fhir/r4/Observation?patient=7&_cursor=5.9"
        );
        assert_eq!(parse_cursor("5.9"), Some((5, 9)));
        assert_eq!(parse_cursor("5"), None);
    }
}

fn binary_capability() -> Value {
    json!({ "type": "Binary", "interaction": [{ "code": "read" }] })
}

/// `Binary/{id}`: a posted document's file, for a token granted DocumentReference. As the
/// file itself (its own type), or as a Binary resource when the app asks for FHIR JSON.
async fn binary(state: &AppState, parts: &Parts, id: &str) -> Response {
    let Ok(id) = id.parse::<i64>() else { return not_found() };
    let what = format!("fhir Binary/{id}");
    let chart = match open(state, parts, FhirType::DocumentReference, &what).await {
        Ok(chart) => chart,
        Err(answer) => return answer,
    };
    let file = match fhir_documents::file(&chart, id).await {
        Ok(Some(file)) => file,
        Ok(None) => return not_found(),
        Err(_) => return unavailable(),
    };
    let wants_fhir = parts
        .headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.contains(FHIR_JSON));
    if wants_fhir {
        use base64::Engine;
        let resource = json!({
            "resourceType": "Binary",
            "id": id.to_string(),
            "contentType": file.media_type,
            "data": base64::engine::general_purpose::STANDARD.encode(&file.content),
        });
        return fhir_answer(StatusCode::OK, &resource);
    }
    let content_type = HeaderValue::from_str(&file.media_type)
        .unwrap_or(HeaderValue::from_static("application/octet-stream"));
    let mut answer = (StatusCode::OK, file.content).into_response();
    answer.headers_mut().insert(header::CONTENT_TYPE, content_type);
    answer
}
