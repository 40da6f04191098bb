//! The PDFs the document center makes from the chart: visit records, the immunization
//! record, and the blank adult proxy authorization. Each names the organisation, the
//! patient and their date of birth, when it was made, and its page numbers on every page
//! (a printed record handed to another clinic keeps its pages together). Labels are in the
//! reader's language; the chart's own text is as the clinicians wrote it.
use super::store::ObservationRow;
use crate::{
    infra::{mail_language::MailLanguage, pdf::TextDocument},
    summary::{Allergy, Immunization, Problem},
    visits::store::DocumentRow,
};

/// Who and what every page is about.
pub struct Header<'a> {
    pub org: &'a str,
    pub patient_name: &'a str,
    pub birth_date: &'a str,
    /// "2026-11-30 09:41" on the clinic's clock.
    pub generated: &'a str,
}

struct Words {
    record_copy: &'static str,
    covering: &'static str,
    from_start: &'static str,
    to_today: &'static str,
    problems: &'static str,
    allergies: &'static str,
    medications: &'static str,
    visits: &'static str,
    none: &'static str,
    onset: &'static str,
    started: &'static str,
    visit_records: &'static str,
    immunization_record: &'static str,
    birth_date: &'static str,
    generated: &'static str,
    page: &'static str,
    provider: &'static str,
    department: &'static str,
    reason: &'static str,
    summary: &'static str,
    note: &'static str,
    results: &'static str,
    nothing_written: &'static str,
    no_immunizations: &'static str,
    cvx: &'static str,
}

const ENGLISH: Words = Words {
    record_copy: "Copy of your health record",
    covering: "Covering",
    from_start: "the first entry",
    to_today: "today",
    problems: "Problems",
    allergies: "Allergies",
    medications: "Current medications",
    visits: "Visits",
    none: "None on record.",
    onset: "since",
    started: "started",
    visit_records: "Visit records",
    immunization_record: "Immunization record",
    birth_date: "Date of birth",
    generated: "Generated",
    page: "Page {page} of {pages}",
    provider: "Provider",
    department: "Department",
    reason: "Reason for visit",
    summary: "After Visit Summary",
    note: "Progress Note",
    results: "Test results",
    nothing_written: "No After Visit Summary, note or results for this visit.",
    no_immunizations: "No immunizations on record.",
    cvx: "CVX",
};

const SPANISH: Words = Words {
    record_copy: "Copia de su expediente médico",
    covering: "Período",
    from_start: "el primer registro",
    to_today: "hoy",
    problems: "Problemas de salud",
    allergies: "Alergias",
    medications: "Medicamentos actuales",
    visits: "Visitas",
    none: "No hay registros.",
    onset: "desde",
    started: "inicio",
    visit_records: "Registros de visitas",
    immunization_record: "Registro de vacunas",
    birth_date: "Fecha de nacimiento",
    generated: "Generado",
    page: "Página {page} de {pages}",
    provider: "Proveedor",
    department: "Departamento",
    reason: "Motivo de la visita",
    summary: "Resumen de la visita",
    note: "Nota de evolución",
    results: "Resultados de pruebas",
    nothing_written: "No hay resumen, nota ni resultados de esta visita.",
    no_immunizations: "No hay vacunas registradas.",
    cvx: "CVX",
};

fn words(lang: MailLanguage) -> &'static Words {
    match lang {
        MailLanguage::English => &ENGLISH,
        MailLanguage::Spanish => &SPANISH,
    }
}

/// A document with its title, the patient's lines under it, and the footer on every page.
fn start(title: &str, header: &Header<'_>, w: &Words) -> TextDocument {
    let mut doc = TextDocument::new(&format!("{title} - {}", header.patient_name));
    doc.set_footer(&format!(
        "{} - {} ({} {}) - {} {} - {}",
        header.org,
        header.patient_name,
        w.birth_date,
        header.birth_date,
        w.generated,
        header.generated,
        w.page
    ));
    doc.heading(title);
    doc.strong(header.org);
    doc.field(header.patient_name, &format!("{} {}", w.birth_date, header.birth_date));
    doc.field(w.generated, header.generated);
    doc
}

/// One visit as printed: when, what, who, why, then its documents and results.
pub struct PrintedVisit<'a> {
    pub visit: &'a DocumentRow,
    /// "2026-11-30 09:30" on the clinic's clock.
    pub starts: &'a str,
    pub results: Vec<&'a ObservationRow>,
}

pub fn visit_records(lang: MailLanguage, header: &Header<'_>, visits: &[PrintedVisit<'_>]) -> Vec<u8> {
    let w = words(lang);
    let mut doc = start(w.visit_records, header, w);
    print_visits(&mut doc, w, visits);
    doc.finish()
}

/// A current medication as a copy prints it.
pub struct MedicationLine {
    pub name: String,
    pub dose: String,
    pub sig: String,
    pub start_date: String,
}

/// What a copy of the record holds: each part asked for (None: not asked for), already
/// limited to the dates of the request.
#[derive(Default)]
pub struct CopyContents<'a> {
    pub from: Option<&'a str>,
    pub to: Option<&'a str>,
    pub problems: Option<Vec<Problem>>,
    pub allergies: Option<Vec<Allergy>>,
    pub medications: Option<Vec<MedicationLine>>,
    pub immunizations: Option<Vec<Immunization>>,
    pub visits: Option<Vec<PrintedVisit<'a>>>,
    /// Released results, grouped by report in the order collected: (report, when, lines).
    pub results: Option<Vec<(String, String, Vec<&'a ObservationRow>)>>,
}

/// A copy of the record: the parts asked for, each under its heading, "none on record"
/// where a part is empty.
pub fn record_copy(lang: MailLanguage, header: &Header<'_>, copy: &CopyContents<'_>) -> Vec<u8> {
    let w = words(lang);
    let mut doc = start(w.record_copy, header, w);
    let range = format!("{} - {}", copy.from.unwrap_or(w.from_start), copy.to.unwrap_or(w.to_today));
    doc.field(w.covering, &range);
    if let Some(problems) = &copy.problems {
        let lines = problems.iter().map(|p| match &p.onset {
            Some(onset) => format!("{} ({}), {} {onset}", p.name, p.code, w.onset),
            None => format!("{} ({})", p.name, p.code),
        });
        part(&mut doc, w.problems, w.none, lines);
    }
    if let Some(allergies) = &copy.allergies {
        let lines = allergies.iter().map(|a| format!("{}: {} ({})", a.substance, a.reaction, a.severity));
        part(&mut doc, w.allergies, w.none, lines);
    }
    if let Some(medications) = &copy.medications {
        let lines = medications
            .iter()
            .map(|m| format!("{} {}: {} ({} {})", m.name, m.dose, m.sig, w.started, m.start_date));
        part(&mut doc, w.medications, w.none, lines);
    }
    if let Some(doses) = &copy.immunizations {
        let lines = doses.iter().map(|d| format!("{}  {} ({} {})", d.given_on, d.name, w.cvx, d.cvx));
        part(&mut doc, w.immunization_record, w.none, lines);
    }
    if let Some(visits) = &copy.visits {
        doc.heading(w.visits);
        if visits.is_empty() {
            doc.note(w.none);
        }
        print_visits(&mut doc, w, visits);
    }
    if let Some(reports) = &copy.results {
        doc.heading(w.results);
        if reports.is_empty() {
            doc.note(w.none);
        }
        for (report, when, lines) in reports {
            doc.subheading(&format!("{when} - {report}"));
            for line in lines {
                doc.paragraph(&result_line(line));
            }
        }
    }
    doc.finish()
}

/// A part of a copy: its heading, then one paragraph per line, or "none on record".
fn part(doc: &mut TextDocument, heading: &str, none: &str, lines: impl Iterator<Item = String>) {
    doc.heading(heading);
    let mut any = false;
    for line in lines {
        doc.paragraph(&line);
        any = true;
    }
    if !any {
        doc.note(none);
    }
}

fn print_visits(doc: &mut TextDocument, w: &Words, visits: &[PrintedVisit<'_>]) {
    for printed in visits {
        let v = &printed.visit.visit;
        doc.subheading(&format!("{} - {}", printed.starts, v.kind));
        if let Some(provider) = &v.provider {
            doc.field(w.provider, provider);
        }
        doc.field(w.department, &v.department);
        if !v.reason.is_empty() {
            doc.field(w.reason, &v.reason);
        }
        let (summary, note) = (&printed.visit.avs_text, &printed.visit.note_text);
        if summary.is_none() && note.is_none() && printed.results.is_empty() {
            doc.note(w.nothing_written);
        }
        for (label, text) in [(w.summary, summary), (w.note, note)] {
            if let Some(text) = text {
                doc.strong(label);
                doc.text_block(text);
            }
        }
        if !printed.results.is_empty() {
            doc.strong(w.results);
            for r in &printed.results {
                doc.paragraph(&result_line(r));
            }
        }
    }
}

/// "Hemoglobin A1c (HbA1c): 7.4 % [H]".
pub fn result_line(r: &ObservationRow) -> String {
    let value = match (&r.value_text, r.value_num) {
        (Some(text), _) => text.clone(),
        (None, Some(n)) => format!("{n}"),
        (None, None) => String::new(),
    };
    let flag = r.flag.as_deref().map(|f| format!(" [{f}]")).unwrap_or_default();
    let unit = if r.unit.is_empty() { String::new() } else { format!(" {}", r.unit) };
    format!("{} ({}): {value}{unit}{flag}", r.name, r.report)
}

/// Newest dose first, as on the Health Summary.
pub fn immunization_record(lang: MailLanguage, header: &Header<'_>, doses: &[Immunization]) -> Vec<u8> {
    let w = words(lang);
    let mut doc = start(w.immunization_record, header, w);
    if doses.is_empty() {
        doc.note(w.no_immunizations);
    }
    for dose in doses {
        doc.paragraph(&format!("{}  {} ({} {})", dose.given_on, dose.name, w.cvx, dose.cvx));
    }
    doc.finish()
}

/// The blank adult proxy authorization the Sharing page asks for: the patient names who may
/// see their chart and signs. Nothing of any chart is on it.
pub fn adult_proxy_form(lang: MailLanguage, org: &str) -> Vec<u8> {
    let spanish = lang == MailLanguage::Spanish;
    let text = |en: &'static str, es: &'static str| if spanish { es } else { en };
    let title = text(
        "Authorization for proxy access (adult patient)",
        "Autorización de acceso de apoderado (paciente adulto)",
    );
    let mut doc = TextDocument::new(title);
    doc.heading(title);
    doc.strong(org);
    doc.paragraph(text(
        "I, the patient named below, allow the person named below to see my chart in Portico and to act for me there, in the sections I tick. I can end this at any time on the Sharing page or by asking the clinic.",
        "Yo, el paciente nombrado abajo, autorizo a la persona nombrada abajo a ver mi expediente en Portico y a actuar por mí allí, en las secciones que marque. Puedo cancelar esto en cualquier momento en la página Compartir o pidiéndolo a la clínica.",
    ));
    let blank = "______________________________________";
    for label in [
        text("Patient's full name", "Nombre completo del paciente"),
        text("Patient's date of birth", "Fecha de nacimiento del paciente"),
        text("Proxy's full name", "Nombre completo del apoderado"),
        text("Proxy's date of birth", "Fecha de nacimiento del apoderado"),
        text("Relationship to the patient", "Relación con el paciente"),
        text("Proxy's e-mail", "Correo electrónico del apoderado"),
    ] {
        doc.field(label, blank);
        doc.paragraph("");
    }
    doc.strong(text("Sections the proxy may see (tick):", "Secciones que el apoderado puede ver (marque):"));
    for choice in [
        text("[ ] Everything below", "[ ] Todo lo siguiente"),
        text("[ ] Visits", "[ ] Visitas"),
        text("[ ] Test results", "[ ] Resultados de pruebas"),
        text("[ ] Medications", "[ ] Medicamentos"),
        text("[ ] Health summary", "[ ] Resumen de salud"),
        text("[ ] Health reminders", "[ ] Recordatorios de salud"),
        text("[ ] Messages", "[ ] Mensajes"),
        text("[ ] Documents", "[ ] Documentos"),
    ] {
        doc.strong(choice);
    }
    doc.paragraph("");
    doc.paragraph(text(
        "Items your care team marks confidential are never shown to a proxy.",
        "Un apoderado nunca ve lo que su equipo de atención marca como confidencial.",
    ));
    for label in [text("Patient's signature", "Firma del paciente"), text("Date", "Fecha")] {
        doc.field(label, blank);
        doc.paragraph("");
    }
    doc.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::visits::store::VisitRow;

    fn header() -> Header<'static> {
        Header {
            org: "Portico Clinic",
            patient_name: "Avery Chen",
            birth_date: "1980-04-02",
            generated: "2026-11-30 09:41",
        }
    }

    #[test]
    fn a_visit_record_holds_the_visit_its_documents_and_its_results() {
        let row = DocumentRow {
            visit: VisitRow {
                id: 1,
                kind: "Office visit".into(),
                start_at: 0,
                department: "Family Medicine".into(),
                reason: "Annual physical".into(),
                status: "finished".into(),
                has_summary: 1,
                has_note: 1,
                note_confidential: 0,
                provider: Some("Dr. Rivera".into()),
            },
            avs_text: Some("Walk daily.".into()),
            note_text: Some("Doing well.".into()),
            class_code: "AMB".into(),
        };
        let result = ObservationRow {
            report_id: 1,
            encounter_id: Some(1),
            report: "HbA1c".into(),
            report_code: "4548-4".into(),
            loinc: "4548-4".into(),
            collected_at: 0,
            name: "Hemoglobin A1c".into(),
            value_num: Some(7.4),
            value_text: None,
            unit: "%".into(),
            flag: Some("H".into()),
        };
        let printed = [PrintedVisit { visit: &row, starts: "2026-01-02 09:30", results: vec![&result] }];
        let text = crate::infra::pdf::text_of(&visit_records(MailLanguage::English, &header(), &printed));
        for expected in [
            "2026-01-02 09:30 - Office visit",
            "Walk daily.",
            "Doing well.",
            "Hemoglobin A1c",
            "7.4 % [H]",
            "Page 1 of 1",
            "Avery Chen",
        ] {
            assert!(text.contains(expected), "{expected} is missing");
        }
    }
}
