//! DocumentReference (US Core 6.1) and Binary: the document center as an app reads it.
//! A finished visit's After Visit Summary and progress note (their text, inline), and the
//! documents staff posted (a discharge summary, a letter… as a PDF or image, fetched from
//! `Binary/{id}`). The same store functions as the Documents page, at the reader's
//! visibility: a proxy's token never sees a confidential document, nor a visit whose
//! note is confidential; and, as on that page, a visit's summary and note only for a
//! reader who may open Visits (the app was granted visits, and a proxy holds Visits).
//!
//! One id space for the three sources: `row id × 4 + source`, so that a DocumentReference
//! id is a number like every other here, says where to look, and orders a search's pages.
use base64::Engine;
use serde_json::{json, Value};

use super::fhir_store::Page;
use crate::{
    access::{ChartScope, Section},
    documents::fhir::{coded, instant, text, LOINC},
    visits::store::DocumentRow,
};

const CATEGORY: &str = "http://hl7.org/fhir/us/core/CodeSystem/us-core-documentreference-category";
const PROFILE: &str = "http://hl7.org/fhir/us/core/StructureDefinition/us-core-documentreference";
const PROGRESS_NOTE: (&str, &str) = ("11506-3", "Progress note");

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Source {
    VisitSummary = 0,
    VisitNote = 1,
    Posted = 2,
}

fn document_id(row_id: i64, source: Source) -> i64 {
    row_id * 4 + source as i64
}

fn source_of(id: i64) -> Option<(i64, Source)> {
    let source = match id.rem_euclid(4) {
        0 => Source::VisitSummary,
        1 => Source::VisitNote,
        2 => Source::Posted,
        _ => return None,
    };
    (id >= 0).then_some((id / 4, source))
}

/// Whether a search's `category` names US Core's clinical note (every document here is one).
pub fn category_matches(value: &str) -> bool {
    value.split(',').any(|one| match one.split_once('|') {
        Some((s, c)) => (s.is_empty() || s == CATEGORY) && c == "clinical-note",
        None => one == "clinical-note",
    })
}

/// One page of the chart's documents, newest first, filtered as `page` says (`code` is the
/// type's LOINC code, `from_ms`/`to_ms` the date): the resources and the next page's cursor.
pub async fn search(
    chart: &ChartScope,
    page: &Page,
) -> Result<(Vec<Value>, Option<(i64, i64)>), sqlx::Error> {
    let mut found = all(chart).await?;
    found.retain(|(at, id, resource)| {
        (*at, *id) < page.after
            && (page.from_ms..page.to_ms).contains(at)
            && (page.code.is_empty() || resource["type"]["coding"][0]["code"] == page.code.as_str())
    });
    found.sort_by(|a, b| (b.0, b.1).cmp(&(a.0, a.1)));
    let more = found.len() as i64 > page.count;
    found.truncate(page.count as usize);
    let next = if more { found.last().map(|(at, id, _)| (*at, *id)) } else { None };
    Ok((found.into_iter().map(|(_, _, resource)| resource).collect(), next))
}

/// One document of this chart by id; None for another chart's, a hidden one or no such id.
pub async fn read(chart: &ChartScope, id: i64) -> Result<Option<Value>, sqlx::Error> {
    let Some((row_id, source)) = source_of(id) else { return Ok(None) };
    let patient_id = chart.patient_id();
    if source == Source::Posted {
        let posted = crate::documents::store::posted_one(chart, row_id).await?;
        return Ok(posted.map(|p| posted_document(patient_id, &p)));
    }
    if !chart.may(Section::Visits) {
        return Ok(None);
    }
    let visit = crate::visits::store::document(chart, row_id).await?;
    Ok(visit.filter(|v| v.visit.status == "finished").and_then(|v| {
        visit_documents(patient_id, &v).into_iter().find(|(_, doc_id, _)| *doc_id == id).map(|(_, _, r)| r)
    }))
}

/// A posted document's file (`Binary/{id}`, the id of its DocumentReference).
pub async fn file(
    chart: &ChartScope,
    id: i64,
) -> Result<Option<crate::documents::store::PostedFile>, sqlx::Error> {
    match source_of(id) {
        Some((row_id, Source::Posted)) => crate::documents::store::posted_file(chart, row_id).await,
        _ => Ok(None),
    }
}

/// Every document the reader may see, each with its date and id (the search's order).
async fn all(chart: &ChartScope) -> Result<Vec<(i64, i64, Value)>, sqlx::Error> {
    let patient_id = chart.patient_id();
    let mut found: Vec<(i64, i64, Value)> = Vec::new();
    if chart.may(Section::Visits) {
        for visit in crate::visits::store::finished_with_documents(chart).await? {
            found.extend(visit_documents(patient_id, &visit));
        }
    }
    for posted in crate::documents::store::posted(chart).await? {
        let resource = posted_document(patient_id, &posted);
        found.push((day_ms(&posted.document_date), document_id(posted.id, Source::Posted), resource));
    }
    Ok(found)
}

/// A visit's written documents: its After Visit Summary and its progress note, when written.
fn visit_documents(patient_id: i64, row: &DocumentRow) -> Vec<(i64, i64, Value)> {
    let v = &row.visit;
    let written = [(Source::VisitSummary, &row.avs_text), (Source::VisitNote, &row.note_text)];
    written
        .into_iter()
        .filter_map(|(source, text_of)| Some((source, text_of.as_deref()?)))
        .map(|(source, words)| {
            let id = document_id(v.id, source);
            let (kind, title) = match source {
                Source::VisitNote => (coded(LOINC, PROGRESS_NOTE.0, Some(PROGRESS_NOTE.1)), PROGRESS_NOTE.1),
                // The After Visit Summary has no LOINC document code of its own.
                _ => (text("After Visit Summary"), "After Visit Summary"),
            };
            let attachment = json!({
                "contentType": "text/plain; charset=utf-8",
                "data": base64::engine::general_purpose::STANDARD.encode(words),
                "title": title,
            });
            let mut resource = document(id, patient_id, kind, v.start_at, attachment);
            resource["context"] = json!({
                "encounter": [{ "reference": format!("Encounter/{}", v.id) }],
                "period": { "start": instant(v.start_at) },
            });
            if let Some(provider) = &v.provider {
                resource["author"] = json!([{ "display": provider }]);
            }
            (v.start_at, id, resource)
        })
        .collect()
}

fn posted_document(patient_id: i64, p: &crate::documents::store::PostedRow) -> Value {
    let id = document_id(p.id, Source::Posted);
    let attachment = json!({
        "contentType": p.media_type,
        "url": format!("Binary/{id}"),
        "title": p.title,
    });
    let mut resource = document(id, patient_id, posted_type(&p.kind), day_ms(&p.document_date), attachment);
    if !p.source.is_empty() {
        resource["custodian"] = json!({ "display": p.source });
    }
    resource
}

/// The LOINC document code of a posted document's kind (`documents::POSTED_KINDS`).
fn posted_type(kind: &str) -> Value {
    let (code, display) = match kind {
        "discharge-summary" => ("18842-5", "Discharge summary"),
        "operative-report" => ("11504-8", "Surgical operation note"),
        "letter" => ("51852-2", "Letter"),
        _ => ("34109-9", "Note"),
    };
    coded(LOINC, code, Some(display))
}

fn document(id: i64, patient_id: i64, kind: Value, at: i64, attachment: Value) -> Value {
    json!({
        "resourceType": "DocumentReference",
        "id": id.to_string(),
        "meta": { "profile": [PROFILE] },
        "status": "current",
        "type": kind,
        "category": [coded(CATEGORY, "clinical-note", Some("Clinical Note"))],
        "subject": { "reference": format!("Patient/{patient_id}") },
        "date": instant(at),
        "content": [{ "attachment": attachment }],
    })
}

/// A posted document's date ("YYYY-MM-DD", the clinic's day) as the start of that day, UTC.
fn day_ms(day: &str) -> i64 {
    time::Date::parse(day, &time::format_description::well_known::Iso8601::DATE)
        .map(|d| d.midnight().assume_utc().unix_timestamp() * 1000)
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_id_says_its_source_and_row() {
        for (row, source) in [(1, Source::VisitSummary), (7, Source::VisitNote), (12, Source::Posted)] {
            assert_eq!(source_of(document_id(row, source)), Some((row, source)));
        }
        assert_eq!(source_of(3), None, "no fourth source");
        assert_eq!(source_of(-4), None);
    }

    #[test]
    fn the_category_is_us_cores_clinical_note() {
        assert!(category_matches("clinical-note"));
        assert!(category_matches(&format!("{CATEGORY}|clinical-note")));
        assert!(category_matches("|clinical-note,other"));
        assert!(!category_matches("http://loinc.org|clinical-note"));
        assert!(!category_matches("imaging"));
    }
}
