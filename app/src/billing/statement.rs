//! A statement as a PDF: the account, the guarantor, the statement's date and due date, each
//! visit's charges with what insurance paid and adjusted, the payments and adjustments, and
//! the amount due, all as the ledger stood through the statement's last row. The same file
//! from "View account" and from the Documents center; a confidential service is named only
//! to the patient it served, as on the page.
use super::{ledger, store, ActivityKind, ServiceGroup};
use crate::{
    access::ChartScope,
    error::AppError,
    infra::{mail_language::MailLanguage, pdf::TextDocument},
};

/// A statement of the chart's accounts: its file name and its PDF; NotFound for any other.
pub async fn statement_pdf(
    chart: &ChartScope,
    statement_id: i64,
    lang: MailLanguage,
) -> Result<(String, Vec<u8>), AppError> {
    let found = store::statement(chart, statement_id).await?.ok_or(AppError::NotFound)?;
    let account = store::account(chart, found.account_id).await?.ok_or(AppError::NotFound)?;
    let rows: Vec<_> = store::ledger(chart, &account)
        .await?
        .into_iter()
        .filter(|r| r.id <= found.through_entry_id)
        .collect();
    let clock = &chart.state().clock;
    let (services, activity) = ledger::services_and_activity(
        &rows,
        |served| super::api::shows_confidential_of(chart, served),
        |ms| clock.date_of(ms),
    );
    let w = Words::of(lang);
    let mut doc = TextDocument::new(&format!("{} {}", w.title, account.number));
    doc.heading(&format!("{} {}", w.title, account.number));
    doc.strong(&chart.state().config.org.name);
    doc.field(w.guarantor, &account.guarantor);
    doc.field(w.service_area, &account.area);
    doc.field(w.issued, &found.issued_on);
    doc.field(w.due, &found.due_on);
    doc.field(w.amount_due, &ledger::balance(&rows).display());
    doc.subheading(w.services);
    if services.is_empty() {
        doc.note(w.no_services);
    }
    for group in &services {
        service_lines(&mut doc, group, &w);
    }
    if !activity.is_empty() {
        doc.subheading(w.activity);
        for a in &activity {
            let kind = match a.kind {
                ActivityKind::Payment => w.payment,
                ActivityKind::Refund => w.refund,
                ActivityKind::Adjustment => w.adjustment,
            };
            doc.paragraph(&format!("{}  {kind}  {}", a.on, a.amount.display()));
        }
    }
    doc.set_footer(&format!("{} {} · {} · {{page}}/{{pages}}", w.title, account.number, found.issued_on));
    Ok((format!("statement-{}-{}.pdf", account.number, found.issued_on), doc.finish()))
}

fn service_lines(doc: &mut TextDocument, group: &ServiceGroup, w: &Words) {
    doc.strong(&format!("{}  {}", group.service_date, group.patient));
    for line in &group.lines {
        let what = match (&line.description, &line.procedure_code) {
            (Some(d), Some(code)) => format!("{d} ({code})"),
            (Some(d), None) => d.clone(),
            (None, _) => w.confidential.to_owned(),
        };
        doc.field(&what, &line.amount.display());
    }
    doc.field(w.insurance_paid, &group.insurance_paid.display());
    doc.field(w.insurance_adjusted, &group.insurance_adjusted.display());
    doc.paragraph(&format!("{}: {}", w.your_share, group.owed.display()));
}

struct Words {
    title: &'static str,
    guarantor: &'static str,
    service_area: &'static str,
    issued: &'static str,
    due: &'static str,
    amount_due: &'static str,
    services: &'static str,
    no_services: &'static str,
    confidential: &'static str,
    insurance_paid: &'static str,
    insurance_adjusted: &'static str,
    your_share: &'static str,
    activity: &'static str,
    payment: &'static str,
    refund: &'static str,
    adjustment: &'static str,
}

impl Words {
    fn of(lang: MailLanguage) -> Words {
        match lang {
            MailLanguage::English => Words {
                title: "Statement, account",
                guarantor: "Guarantor",
                service_area: "Service area",
                issued: "Statement date",
                due: "Payment due",
                amount_due: "Amount due",
                services: "Visits and services",
                no_services: "No charges.",
                confidential: "Confidential service",
                insurance_paid: "Insurance paid",
                insurance_adjusted: "Insurance adjustments",
                your_share: "Your share",
                activity: "Payments and adjustments",
                payment: "Payment",
                refund: "Refund",
                adjustment: "Adjustment by the billing office",
            },
            MailLanguage::Spanish => Words {
                title: "Estado de cuenta, cuenta",
                guarantor: "Garante",
                service_area: "Área de servicio",
                issued: "Fecha del estado de cuenta",
                due: "Fecha de pago",
                amount_due: "Saldo a pagar",
                services: "Visitas y servicios",
                no_services: "Sin cargos.",
                confidential: "Servicio confidencial",
                insurance_paid: "Pagado por el seguro",
                insurance_adjusted: "Ajustes del seguro",
                your_share: "Su parte",
                activity: "Pagos y ajustes",
                payment: "Pago",
                refund: "Reembolso",
                adjustment: "Ajuste de la oficina de facturación",
            },
        }
    }
}
