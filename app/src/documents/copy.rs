//! A copy of the record, made from the chart as its reader may see it: the parts asked for,
//! visits, results and immunizations limited to the dates asked for (problems, allergies
//! and medications are today's lists). Used by HIM to answer a request for a copy.
use super::{
    records::{self, CopyContents, Header, MedicationLine, PrintedVisit},
    store, RecordPart,
};
use crate::{access::ChartScope, error::AppError, infra::mail_language::MailLanguage};

/// The dates a copy covers (YYYY-MM-DD, both ends included; None: open).
#[derive(Debug, Clone, Copy)]
pub struct Span<'a> {
    pub from: Option<&'a str>,
    pub to: Option<&'a str>,
}

impl Span<'_> {
    fn holds(&self, day: &str) -> bool {
        self.from.is_none_or(|from| day >= from) && self.to.is_none_or(|to| day <= to)
    }
}

/// The copy as a PDF, with the organisation, the patient and now on every page.
pub async fn record_pdf(
    chart: &ChartScope,
    parts: &[RecordPart],
    span: Span<'_>,
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
    with_header(chart, |header| records::record_copy(lang, header, &copy)).await
}

/// Makes a document with the organisation, the patient's name and birth date, and now
/// (every page of every PDF the document center makes carries them).
pub(super) async fn with_header(
    chart: &ChartScope,
    make: impl FnOnce(&Header<'_>) -> Vec<u8>,
) -> Result<Vec<u8>, AppError> {
    let state = chart.state();
    let patient = crate::patients::store::patient_by_id(chart.db(), chart.patient_id())
        .await?
        .ok_or(AppError::NotFound)?;
    let name = format!("{} {}", patient.given_name, patient.family_name);
    let generated = state.clock.local_date_time(state.clock.now_ms());
    let org = &state.config.org.name;
    Ok(make(&Header { org, patient_name: &name, birth_date: &patient.birth_date, generated: &generated }))
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
