//! A copy of the record, made from the chart as its reader may see it: the parts asked for,
//! visits, results and immunizations limited to the dates asked for (problems, allergies
//! and medications are today's lists). Used by HIM to answer a request for a copy, as a
//! PDF or as a FHIR bundle.
use super::{
    fhir,
    records::{self, CopyContents, Header, MedicationLine, PrintedVisit},
    store, CopyFormat, RecordPart,
};
use crate::{access::ChartScope, error::AppError, infra::mail_language::MailLanguage};

/// The dates a copy covers (YYYY-MM-DD, both ends included; None: open).
#[derive(Debug, Clone, Copy)]
pub struct Span<'a> {
    pub from: Option<&'a str>,
    pub to: Option<&'a str>,
}

impl Span<'_> {
    pub fn holds(&self, day: &str) -> bool {
        self.from.is_none_or(|from| day >= from) && self.to.is_none_or(|to| day <= to)
    }
}

/// The copy as a file of the format asked for: a PDF in the reader's language, or a FHIR
/// R4 bundle; both made from the same contents, so they hold the same facts.
pub async fn record_file(
    chart: &ChartScope,
    parts: &[RecordPart],
    span: Span<'_>,
    format: CopyFormat,
    lang: MailLanguage,
) -> Result<Vec<u8>, AppError> {
    let clock = &chart.state().clock;
    let wants = |part: RecordPart| parts.contains(&part);
    // Results only for a reader who may see them (a visit's too), within the copy's dates.
    let observations = if chart.may(crate::access::Section::Results)
        && (wants(RecordPart::Results) || wants(RecordPart::Visits))
    {
        store::released_observations(chart).await?
    } else {
        Vec::new()
    };
    let visit_rows = if wants(RecordPart::Visits) { visits_in(chart, span).await? } else { Vec::new() };
    let starts: Vec<String> = visit_rows.iter().map(|r| clock.local_date_time(r.visit.start_at)).collect();
    let mut copy = CopyContents { from: span.from, to: span.to, ..CopyContents::default() };
    if wants(RecordPart::Problems) {
        copy.problems = Some(crate::summary::store::active_problems(chart).await?);
    }
    if wants(RecordPart::Allergies) {
        copy.allergies = Some(crate::summary::store::allergies(chart).await?);
    }
    if wants(RecordPart::Medications) {
        let today = clock.today().to_string();
        let rows = crate::medications::store::current(chart, &today).await?;
        copy.medications = Some(
            rows.into_iter()
                .map(|m| MedicationLine { name: m.name, dose: m.dose, sig: m.sig, start_date: m.start_date })
                .collect(),
        );
    }
    if wants(RecordPart::Immunizations) {
        let doses = crate::summary::store::immunizations(chart).await?;
        copy.immunizations = Some(doses.into_iter().filter(|d| span.holds(&d.given_on)).collect());
    }
    if wants(RecordPart::Visits) {
        let printed = visit_rows
            .iter()
            .zip(&starts)
            .map(|(row, starts)| PrintedVisit {
                visit: row,
                starts,
                results: observations.iter().filter(|o| o.encounter_id == Some(row.visit.id)).collect(),
            })
            .collect();
        copy.visits = Some(printed);
    }
    if wants(RecordPart::Results) {
        copy.results = Some(group_reports(chart, &observations, span));
    }
    let about = About::chart(chart).await?;
    Ok(match format {
        CopyFormat::Pdf => records::record_copy(lang, &about.header(), &copy),
        CopyFormat::Fhir => fhir::bundle(&about.subject(), &copy, about.generated_ms),
    })
}

/// The visits a file names, with their released results (for a reader who may see
/// Results), oldest first.
pub struct ChosenVisits {
    pub rows: Vec<crate::visits::store::DocumentRow>,
    /// When each began, on the clinic's clock.
    pub starts: Vec<String>,
    pub results: Vec<Vec<store::ObservationRow>>,
}

/// What an id that is not a finished visit this reader may see does to the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unseen {
    /// Refuses the whole file (`NotFound`): a record asked for now has no gaps.
    Refuse,
    /// Leaves the visit out: a share made earlier shows what its sharer may see now.
    Skip,
}

impl ChosenVisits {
    pub async fn load(chart: &ChartScope, ids: &[i64], unseen: Unseen) -> Result<ChosenVisits, AppError> {
        let clock = &chart.state().clock;
        let mut rows = Vec::with_capacity(ids.len());
        if chart.may(crate::access::Section::Visits) {
            for &id in ids {
                match crate::visits::store::document(chart, id).await? {
                    Some(row) if row.visit.status == "finished" => rows.push(row),
                    _ if unseen == Unseen::Refuse => return Err(AppError::NotFound),
                    _ => {}
                }
            }
        }
        rows.sort_by_key(|r| (r.visit.start_at, r.visit.id));
        let mut results = Vec::with_capacity(rows.len());
        for row in &rows {
            let found = if chart.may(crate::access::Section::Results) {
                store::visit_observations(chart, row.visit.id).await?
            } else {
                Vec::new()
            };
            results.push(found);
        }
        let starts = rows.iter().map(|r| clock.local_date_time(r.visit.start_at)).collect();
        Ok(ChosenVisits { rows, starts, results })
    }

    /// The visits as a page shows them (the Documents page's reading view, a share's).
    pub fn into_read(self) -> Vec<crate::share::SharedVisit> {
        let ChosenVisits { rows, starts, results } = self;
        rows.into_iter()
            .zip(starts)
            .zip(&results)
            .map(|((row, when), results)| crate::share::SharedVisit {
                when,
                kind: row.visit.kind,
                department: row.visit.department,
                provider: row.visit.provider,
                reason: row.visit.reason,
                summary: row.avs_text,
                note: row.note_text,
                results: results.iter().map(super::result_line).collect(),
            })
            .collect()
    }

    pub fn printed(&self) -> Vec<PrintedVisit<'_>> {
        self.rows
            .iter()
            .zip(&self.starts)
            .zip(&self.results)
            .map(|((visit, starts), results)| PrintedVisit {
                visit,
                starts,
                results: results.iter().collect(),
            })
            .collect()
    }
}

/// What a share holds as a FHIR bundle (the record its SMART Health Link answers with): a
/// summary's lists that the share shows, or its visits that the sharer may still see.
pub async fn share_bundle(chart: &ChartScope, visit_ids: &[i64]) -> Result<Vec<u8>, AppError> {
    if visit_ids.is_empty() {
        let summary =
            [RecordPart::Problems, RecordPart::Allergies, RecordPart::Medications, RecordPart::Immunizations];
        let parts: Vec<RecordPart> = summary.into_iter().filter(|p| chart.may(p.section())).collect();
        let span = Span { from: None, to: None };
        return record_file(chart, &parts, span, CopyFormat::Fhir, MailLanguage::English).await;
    }
    let chosen = ChosenVisits::load(chart, visit_ids, Unseen::Skip).await?;
    let contents = CopyContents { visits: Some(chosen.printed()), ..CopyContents::default() };
    let about = About::chart(chart).await?;
    Ok(fhir::bundle(&about.subject(), &contents, about.generated_ms))
}

/// Who a document is about and when it was made: the organisation, the patient's name,
/// birth date and MRN, and now (every page of every PDF the document center makes carries
/// them; a FHIR bundle carries them in its Patient and timestamp).
pub(super) struct About {
    org: String,
    patient: crate::patients::store::PatientRow,
    name: String,
    generated: String,
    pub generated_ms: i64,
}

impl About {
    pub async fn chart(chart: &ChartScope) -> Result<About, AppError> {
        let state = chart.state();
        let patient = crate::patients::store::patient_by_id(chart.db(), chart.patient_id())
            .await?
            .ok_or(AppError::NotFound)?;
        let generated_ms = state.clock.now_ms();
        Ok(About {
            org: state.config.org.name.clone(),
            name: format!("{} {}", patient.given_name, patient.family_name),
            patient,
            generated: state.clock.local_date_time(generated_ms),
            generated_ms,
        })
    }

    pub fn header(&self) -> Header<'_> {
        Header {
            org: &self.org,
            patient_name: &self.name,
            birth_date: &self.patient.birth_date,
            generated: &self.generated,
        }
    }

    pub fn subject(&self) -> fhir::Subject<'_> {
        fhir::Subject {
            mrn: &self.patient.mrn,
            given_name: &self.patient.given_name,
            family_name: &self.patient.family_name,
            birth_date: &self.patient.birth_date,
            org: &self.org,
        }
    }
}

/// The finished visits in the span with their documents, oldest first (all of them: the
/// list's limit is not a copy's).
async fn visits_in(
    chart: &ChartScope,
    span: Span<'_>,
) -> Result<Vec<crate::visits::store::DocumentRow>, AppError> {
    let clock = &chart.state().clock;
    let mut rows = crate::visits::store::finished_with_documents(chart).await?;
    rows.retain(|row| span.holds(&clock.date_of(row.visit.start_at)));
    Ok(rows)
}

/// Observations grouped by report (they come ordered by report), reports in the span only.
fn group_reports<'a>(
    chart: &ChartScope,
    observations: &'a [store::ObservationRow],
    span: Span<'_>,
) -> Vec<(String, String, Vec<&'a store::ObservationRow>)> {
    let clock = &chart.state().clock;
    let mut reports: Vec<(i64, String, String, Vec<&store::ObservationRow>)> = Vec::new();
    for o in observations {
        if !span.holds(&clock.date_of(o.collected_at)) {
            continue;
        }
        match reports.last_mut() {
            Some((id, _, _, lines)) if *id == o.report_id => lines.push(o),
            _ => {
                reports.push((o.report_id, o.report.clone(), clock.local_date_time(o.collected_at), vec![o]))
            }
        }
    }
    reports.into_iter().map(|(_, report, when, lines)| (report, when, lines)).collect()
}

#[cfg(test)]
mod tests {
    use super::Span;

    #[test]
    fn a_span_holds_its_ends_and_open_ends_hold_everything() {
        let span = Span { from: Some("2026-01-01"), to: Some("2026-01-31") };
        assert!(span.holds("2026-01-01") && span.holds("2026-01-31"));
        assert!(!span.holds("2025-12-31") && !span.holds("2026-02-01"));
        assert!(Span { from: None, to: None }.holds("1900-01-01"));
    }
}
