//! Sending notices. The text says only that something is waiting and where to sign in: no
//! name, no test, no medication, no message text.
use super::{store, NoticeKind};
use crate::{
    access::{ChartScope, Section},
    infra::{
        mail_language::{MailLanguage, MailText},
        AppState,
    },
};

/// What the notice says happened (in general terms) and the page to sign in to.
fn what_and_page(kind: NoticeKind, lang: MailLanguage) -> (&'static str, &'static str, &'static str) {
    use MailLanguage::{English, Spanish};
    match (kind, lang) {
        (NoticeKind::Message, English) => {
            ("You have a new message in Portico", "You have a new message in Portico.", "messages")
        }
        (NoticeKind::Message, Spanish) => {
            ("Tiene un mensaje nuevo en Portico", "Tiene un mensaje nuevo en Portico.", "messages")
        }
        (NoticeKind::Result, English) => (
            "A new test result is available in Portico",
            "A new test result is available in Portico.",
            "results",
        ),
        (NoticeKind::Result, Spanish) => (
            "Hay un resultado de prueba nuevo en Portico",
            "Hay un resultado de prueba nuevo en Portico.",
            "results",
        ),
        (NoticeKind::Renewal, English) => (
            "Your renewal request was answered in Portico",
            "A renewal request was answered in Portico.",
            "medications",
        ),
        (NoticeKind::Renewal, Spanish) => (
            "Se respondió su solicitud de renovación en Portico",
            "Se respondió una solicitud de renovación en Portico.",
            "medications",
        ),
        (NoticeKind::Access, English) => (
            "Your request for access was decided in Portico",
            "A request for access to a chart was decided in Portico.",
            "sharing",
        ),
        (NoticeKind::Access, Spanish) => (
            "Se decidió su solicitud de acceso en Portico",
            "Se decidió una solicitud de acceso a un expediente en Portico.",
            "sharing",
        ),
        (NoticeKind::Reminder, English) => {
            ("A health reminder is due in Portico", "A health reminder is due in Portico.", "reminders")
        }
        (NoticeKind::Document, English) => (
            "News in your Document Center in Portico",
            "A copy or an archive you asked for in the Document Center is ready or was answered in Portico.",
            "documents",
        ),
        (NoticeKind::Document, Spanish) => (
            "Novedades en su Centro de documentos de Portico",
            "Una copia o un archivo que pidió en el Centro de documentos está listo o tiene respuesta en Portico.",
            "documents",
        ),
        (NoticeKind::Reminder, Spanish) => (
            "Vence un recordatorio de salud en Portico",
            "Vence un recordatorio de salud en Portico.",
            "reminders",
        ),
    }
}

/// The notice: what happened (in general terms), the page to sign in to, the settings link.
pub fn text(state: &AppState, kind: NoticeKind, lang: MailLanguage) -> MailText {
    let (subject, what, page) = what_and_page(kind, lang);
    let url = &state.config.public_url;
    let org = &state.config.org.name;
    let body = match lang {
        MailLanguage::English => format!(
            "{what}\n\nSign in to see it: {url}{page}\n\n\
             For your privacy, this e-mail never says more than that.\n\
             Choose which e-mails you get: {url}account/notices\n\n{org}\n"
        ),
        MailLanguage::Spanish => format!(
            "{what}\n\nInicie sesión para verlo: {url}{page}\n\n\
             Por su privacidad, este correo nunca dice nada más.\n\
             Elija qué correos recibe: {url}account/notices\n\n{org}\n"
        ),
    };
    MailText { subject, body }
}

/// Tells the chart's account and its proxies (see `store::chart_recipients`). Call after
/// the change is committed; failures are logged, never returned.
pub async fn to_chart(chart: &ChartScope, kind: NoticeKind, section: Section, confidential: bool) {
    let state = chart.state();
    let addresses = match store::chart_recipients(chart, kind, section, confidential).await {
        Ok(addresses) => addresses,
        Err(error) => return tracing::warn!(%error, "could not read whom to notify"),
    };
    for (to, lang) in addresses {
        state.mail_later(to, text(state, kind, lang));
    }
}

/// Tells one person (the requester of proxy access), unless they turned `kind` off.
pub async fn to_user(state: &AppState, user_id: i64, kind: NoticeKind) {
    match store::user_recipient(&state.db, user_id, kind).await {
        Ok(Some((to, lang))) => state.mail_later(to, text(state, kind, lang)),
        Ok(None) => {}
        Err(error) => tracing::warn!(%error, "could not read whom to notify"),
    }
}
