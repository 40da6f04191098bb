//! The document center's records as FHIR R4: a Bundle of type "collection" that another
//! clinic's system or a health app reads. It is made from the same `CopyContents` as the
//! PDF, so the two hold the same facts: the patient, each visit (Encounter) with its After
//! Visit Summary and Progress Note (DocumentReference, the text as written) and its
//! released results (DiagnosticReport and Observation), and for a copy of the record the
//! problems (Condition), allergies (AllergyIntolerance), current medications
//! (MedicationStatement) and immunizations (Immunization).
//!
//! Written as JSON values here rather than with a FHIR model crate: fhirbolt's R4 model
//! costs 1 min 40 s of compile on this machine for every build, for eight resources out of
//! 146. The integration tests parse every bundle back into fhirbolt's R4 types in strict
//! mode (unknown or missing fields fail), so what is written here stays valid FHIR.
//!
//! Entries are linked by `urn:uuid:` full URLs, fresh for each file: a bundle is a
//! snapshot, and its ids must not be mistaken for our database's.
use base64::Engine;
use serde_json::{json, Map, Value};
use time::{format_description::well_known::Rfc3339, OffsetDateTime};

use super::{
    records::{CopyContents, PrintedVisit},
    store::ObservationRow,
};

/// Who the bundle is about.
pub struct Subject<'a> {
    pub mrn: &'a str,
    pub given_name: &'a str,
    pub family_name: &'a str,
    pub birth_date: &'a str,
    /// The organisation the record comes from.
    pub org: &'a str,
}

pub(crate) const LOINC: &str = "http://loinc.org";
pub(crate) const ACT_CODE: &str = "http://terminology.hl7.org/CodeSystem/v3-ActCode";
pub(crate) const ICD10CM: &str = "http://hl7.org/fhir/sid/icd-10-cm";
pub(crate) const CVX: &str = "http://hl7.org/fhir/sid/cvx";
pub(crate) const CLINICAL_STATUS: &str = "http://terminology.hl7.org/CodeSystem/condition-clinical";
pub(crate) const ALLERGY_STATUS: &str = "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical";
pub(crate) const INTERPRETATION: &str = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation";
pub(crate) const OBSERVATION_CATEGORY: &str = "http://terminology.hl7.org/CodeSystem/observation-category";
pub(crate) const IDENTIFIER_TYPE: &str = "http://terminology.hl7.org/CodeSystem/v2-0203";

/// The bundle as JSON bytes; `generated_ms` is its timestamp.
pub fn bundle(subject: &Subject<'_>, copy: &CopyContents<'_>, generated_ms: i64) -> Vec<u8> {
    let mut out = Bundle::new(generated_ms);
    let patient = out.add(patient(subject));
    for problem in copy.problems.iter().flatten() {
        let mut condition = json!({
            "resourceType": "Condition",
            "clinicalStatus": coded(CLINICAL_STATUS, "active", None),
            "code": coded(ICD10CM, &problem.code, Some(&problem.name)),
            "subject": patient,
        });
        if let Some(onset) = &problem.onset {
            condition["onsetDateTime"] = json!(onset);
        }
        out.add(condition);
    }
    for allergy in copy.allergies.iter().flatten() {
        let mut reaction = json!({ "manifestation": [text(&allergy.reaction)] });
        if let Some(severity) = severity(&allergy.severity) {
            reaction["severity"] = json!(severity);
        }
        out.add(json!({
            "resourceType": "AllergyIntolerance",
            "clinicalStatus": coded(ALLERGY_STATUS, "active", None),
            "code": text(&allergy.substance),
            "patient": patient,
            "reaction": [reaction],
        }));
    }
    for medication in copy.medications.iter().flatten() {
        out.add(json!({
            "resourceType": "MedicationStatement",
            "status": "active",
            "medicationCodeableConcept": text(&format!("{} {}", medication.name, medication.dose)),
            "subject": patient,
            "effectivePeriod": { "start": medication.start_date },
            "dosage": [{ "text": medication.sig }],
        }));
    }
    for dose in copy.immunizations.iter().flatten() {
        out.add(json!({
            "resourceType": "Immunization",
            "status": "completed",
            "vaccineCode": coded(CVX, &dose.cvx, Some(&dose.name)),
            "patient": patient,
            "occurrenceDateTime": dose.given_on,
        }));
    }
    for printed in copy.visits.iter().flatten() {
        add_visit(&mut out, &patient, subject.org, printed);
    }
    for (_, _, lines) in copy.results.iter().flatten() {
        add_report(&mut out, &patient, None, lines);
    }
    out.finish()
}

/// The bundle being written: each entry is serialized as it is added (a record with
/// 10,000 results is 40,000 resources: as JSON values at once they took 400 MB; as text,
/// a tenth of that). Each resource gets a fresh `urn:uuid:` and is referred to by it.
struct Bundle {
    json: Vec<u8>,
    entries: usize,
    /// The reports written so far: a copy with visits and results lists a visit's results
    /// in both parts (the PDF prints them twice); the bundle holds each once.
    reports: std::collections::HashSet<i64>,
}

impl Bundle {
    fn new(generated_ms: i64) -> Bundle {
        let head =
            json!({ "resourceType": "Bundle", "type": "collection", "timestamp": instant(generated_ms) });
        let mut json = serde_json::to_vec(&head).unwrap_or_default();
        // Open the entry list inside the object: `{...}` becomes `{...,"entry":[`.
        json.pop();
        json.extend_from_slice(br#","entry":["#);
        Bundle { json, entries: 0, reports: Default::default() }
    }

    /// Adds the resource (without the empty texts a chart may hold: FHIR has no empty
    /// string) and answers a Reference to it.
    fn add(&mut self, mut resource: Value) -> Value {
        drop_empty(&mut resource);
        let id = uuid::Uuid::new_v4().to_string();
        resource["id"] = json!(id);
        let url = format!("urn:uuid:{id}");
        if self.entries > 0 {
            self.json.push(b',');
        }
        self.json.push(b'\n');
        let entry = json!({ "fullUrl": url, "resource": resource });
        serde_json::to_writer(&mut self.json, &entry).expect("a JSON value writes to memory");
        self.entries += 1;
        json!({ "reference": url })
    }

    fn finish(mut self) -> Vec<u8> {
        self.json.extend_from_slice(b"\n]}\n");
        self.json
    }
}

fn patient(subject: &Subject<'_>) -> Value {
    json!({
        "resourceType": "Patient",
        "identifier": [{
            "type": coded(IDENTIFIER_TYPE, "MR", Some("Medical record number")),
            "value": subject.mrn,
            "assigner": { "display": subject.org },
        }],
        "name": [{ "family": subject.family_name, "given": [subject.given_name] }],
        "birthDate": subject.birth_date,
    })
}

/// A visit, its two documents and its results.
fn add_visit(out: &mut Bundle, patient: &Value, org: &str, printed: &PrintedVisit<'_>) {
    let row = printed.visit;
    let v = &row.visit;
    let mut encounter = json!({
        "resourceType": "Encounter",
        "status": "finished",
        "class": { "system": ACT_CODE, "code": row.class_code },
        "type": [text(&v.kind)],
        "serviceType": text(&v.department),
        "subject": patient,
        "period": { "start": instant(v.start_at) },
        "serviceProvider": { "display": org },
    });
    if let Some(provider) = &v.provider {
        encounter["participant"] = json!([{ "individual": { "display": provider } }]);
    }
    if !v.reason.is_empty() {
        encounter["reasonCode"] = json!([text(&v.reason)]);
    }
    let encounter = out.add(encounter);
    // The After Visit Summary has no LOINC code of its own; the note is a progress note.
    let documents =
        [(&row.avs_text, None, "After Visit Summary"), (&row.note_text, Some("11506-3"), "Progress note")];
    for (text_of, loinc, title) in documents {
        let Some(written) = text_of else { continue };
        let kind = match loinc {
            Some(code) => coded(LOINC, code, Some(title)),
            None => text(title),
        };
        out.add(json!({
            "resourceType": "DocumentReference",
            "status": "current",
            "type": kind,
            "subject": patient,
            "date": instant(v.start_at),
            "content": [{ "attachment": {
                "contentType": "text/plain; charset=utf-8",
                "data": base64::engine::general_purpose::STANDARD.encode(written),
                "title": title,
            }}],
            "context": { "encounter": [encounter] },
        }));
    }
    // Observations come ordered by report: one DiagnosticReport per run of them.
    for lines in printed.results.chunk_by(|a, b| a.report_id == b.report_id) {
        add_report(out, patient, Some(&encounter), lines);
    }
}

/// One report with its observations (all of `lines` share the report).
fn add_report(out: &mut Bundle, patient: &Value, encounter: Option<&Value>, lines: &[&ObservationRow]) {
    let Some(first) = lines.first() else { return };
    if !out.reports.insert(first.report_id) {
        return;
    }
    let mut results = Vec::with_capacity(lines.len());
    for line in lines {
        let mut observation = json!({
            "resourceType": "Observation",
            "status": "final",
            "category": [coded(OBSERVATION_CATEGORY, "laboratory", None)],
            "code": coded(LOINC, &line.loinc, Some(&line.name)),
            "subject": patient,
            "effectiveDateTime": instant(line.collected_at),
        });
        if let Some(encounter) = encounter {
            observation["encounter"] = encounter.clone();
        }
        match (&line.value_text, line.value_num) {
            (Some(words), _) => observation["valueString"] = json!(words),
            (None, Some(number)) => observation["valueQuantity"] = quantity(number, &line.unit),
            (None, None) => {}
        }
        if let Some(flag) = &line.flag {
            observation["interpretation"] = json!([coded(INTERPRETATION, flag, None)]);
        }
        results.push(out.add(observation));
    }
    let mut report = json!({
        "resourceType": "DiagnosticReport",
        "status": "final",
        "code": coded(LOINC, &first.report_code, Some(&first.report)),
        "subject": patient,
        "effectiveDateTime": instant(first.collected_at),
        "result": results,
    });
    if let Some(encounter) = encounter {
        report["encounter"] = encounter.clone();
    }
    out.add(report);
}

/// Removes empty strings, and the objects and arrays left empty by that, at any depth.
pub(crate) fn drop_empty(value: &mut Value) {
    let empty = |v: &Value| match v {
        Value::String(s) => s.trim().is_empty(),
        Value::Object(m) => m.is_empty(),
        Value::Array(a) => a.is_empty(),
        _ => false,
    };
    match value {
        Value::Object(map) => {
            map.values_mut().for_each(drop_empty);
            map.retain(|_, v| !empty(v));
        }
        Value::Array(items) => {
            items.iter_mut().for_each(drop_empty);
            items.retain(|v| !empty(v));
        }
        _ => {}
    }
}

pub(crate) fn quantity(value: f64, unit: &str) -> Value {
    let mut q = Map::new();
    q.insert("value".into(), json!(value));
    if !unit.is_empty() {
        q.insert("unit".into(), json!(unit));
    }
    Value::Object(q)
}

pub(crate) fn text(words: &str) -> Value {
    json!({ "text": words })
}

/// A CodeableConcept; a code the chart left empty is not written (FHIR has no empty code),
/// the words stay as text.
pub(crate) fn coded(system: &str, code: &str, display: Option<&str>) -> Value {
    if code.trim().is_empty() {
        return text(display.unwrap_or_default());
    }
    let mut coding = json!({ "system": system, "code": code });
    if let Some(display) = display {
        coding["display"] = json!(display);
    }
    let mut concept = json!({ "coding": [coding] });
    if let Some(display) = display {
        concept["text"] = json!(display);
    }
    concept
}

/// FHIR's reaction severities; the chart's own words stay in the manifestation otherwise.
pub(crate) fn severity(stored: &str) -> Option<&'static str> {
    match stored.to_ascii_lowercase().as_str() {
        "mild" => Some("mild"),
        "moderate" => Some("moderate"),
        "severe" => Some("severe"),
        _ => None,
    }
}

/// An instant as FHIR writes it (UTC, to the second).
pub(crate) fn instant(epoch_ms: i64) -> String {
    OffsetDateTime::from_unix_timestamp(epoch_ms.div_euclid(1000))
        .ok()
        .and_then(|t| t.format(&Rfc3339).ok())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instants_are_utc_to_the_second() {
        assert_eq!(instant(1_767_360_600_000), "2026-01-02T13:30:00Z");
    }

    #[test]
    fn empty_texts_are_left_out_at_any_depth() {
        let mut resource =
            json!({ "a": "", "b": { "text": "" }, "c": [{ "text": " " }], "d": "kept", "e": 0 });
        drop_empty(&mut resource);
        assert_eq!(resource, json!({ "d": "kept", "e": 0 }));
    }

    #[test]
    fn a_bundle_written_entry_by_entry_is_one_json_document() {
        let empty: Value = serde_json::from_slice(&Bundle::new(0).finish()).unwrap();
        assert_eq!(empty["entry"], json!([]));
        let mut out = Bundle::new(1_767_360_600_000);
        let first = out.add(json!({ "resourceType": "Patient", "gender": "" }));
        out.add(json!({ "resourceType": "Observation", "subject": first }));
        let bundle: Value = serde_json::from_slice(&out.finish()).unwrap();
        assert_eq!(
            (bundle["resourceType"].as_str(), bundle["timestamp"].as_str()),
            (Some("Bundle"), Some("2026-01-02T13:30:00Z"))
        );
        let entries = bundle["entry"].as_array().unwrap();
        assert_eq!(entries.len(), 2);
        assert!(entries[0]["resource"].get("gender").is_none(), "empty texts left out");
        assert_eq!(entries[1]["resource"]["subject"]["reference"], entries[0]["fullUrl"]);
    }

    #[test]
    fn codes_carry_their_display_as_text() {
        let concept = coded(CVX, "140", Some("Influenza"));
        assert_eq!(concept["coding"][0]["code"], "140");
        assert_eq!(concept["text"], "Influenza");
        assert!(coded(CVX, "140", None).get("text").is_none());
    }
}
