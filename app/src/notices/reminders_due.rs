//! "A health reminder is due": Portico's own look, a few times a day, for reminders that
//! have come due. Each chart with someone to tell is read through `access::open_for_job`
//! (audited as the system's read), and each reminder that turned "due" is announced once:
//! to the patient, and separately to the proxies who may see reminders, reading as a proxy
//! does (a reminder that follows from something confidential is not theirs to hear of).
//! Overdue reminders are not announced: on the first run after an upgrade, a chart's old
//! gaps do not all arrive at once.
use super::{send, store, NoticeKind};
use crate::{
    access::{self, Section, Visibility},
    error::AppError,
    infra::{mail_language::MailLanguage, AppState},
    reminders::{self, ReminderStatus},
};

#[derive(Clone, Copy)]
enum Audience {
    Patient,
    Proxy,
}

impl Audience {
    fn as_str(self) -> &'static str {
        match self {
            Audience::Patient => "patient",
            Audience::Proxy => "proxy",
        }
    }

    fn visibility(self) -> Visibility {
        match self {
            Audience::Patient => Visibility::Everything,
            Audience::Proxy => Visibility::NotConfidential,
        }
    }
}

/// One look over every chart that has an account or a proxy. Returns the mails sent.
pub async fn run_once(state: &AppState) -> Result<usize, AppError> {
    let charts: Vec<i64> = sqlx::query_scalar(
        "SELECT id FROM patients WHERE id IN (SELECT patient_id FROM users WHERE patient_id IS NOT NULL) \
         OR id IN (SELECT patient_id FROM proxy_grants WHERE ended_at IS NULL) ORDER BY id",
    )
    .fetch_all(&state.db.read)
    .await?;
    let mut sent = 0;
    for patient_id in charts {
        for audience in [Audience::Patient, Audience::Proxy] {
            // One chart that fails (logged) does not stop the others.
            match announce(state, patient_id, audience).await {
                Ok(mails) => sent += mails,
                Err(error) => tracing::warn!(?error, patient_id, "reminder notices for a chart not sent"),
            }
        }
    }
    Ok(sent)
}

/// The confirmed addresses of `audience` on the chart who want reminder notices, each with
/// its owner's mail language.
async fn recipients(
    state: &AppState,
    patient_id: i64,
    audience: Audience,
) -> Result<Vec<(String, MailLanguage)>, sqlx::Error> {
    let db = &state.db;
    let people: Vec<(i64, Option<String>)> = match audience {
        Audience::Patient => {
            sqlx::query_as(
                "SELECT id, email FROM users WHERE patient_id = $1 AND email_confirmed_at IS NOT NULL",
            )
            .bind(patient_id)
            .fetch_all(&db.read)
            .await?
        }
        Audience::Proxy => {
            let (now, today) = (state.clock.now_ms(), state.clock.today());
            let policy = &state.config.org.teen_proxy_sections;
            access::grants::proxies_of(db, patient_id, now, today, policy)
                .await?
                .into_iter()
                .filter(|p| p.sections.contains(&Section::Reminders))
                .map(|p| (p.user_id, p.email))
                .collect()
        }
    };
    store::addresses_wanting(db, people, NoticeKind::Reminder).await
}

/// Announces the chart's newly due reminders to `audience`, once each. Returns the mails.
async fn announce(state: &AppState, patient_id: i64, audience: Audience) -> Result<usize, AppError> {
    let to = recipients(state, patient_id, audience).await?;
    if to.is_empty() {
        return Ok(0);
    }
    let chart = access::open_for_job(
        state,
        patient_id,
        audience.visibility(),
        Section::Reminders,
        "reminders.due-notice",
    )
    .await?;
    let facts = reminders::store::facts(&chart).await?;
    let due = reminders::rules::reminders(&facts, state.clock.today())
        .into_iter()
        .filter(|r| matches!(r.status, ReminderStatus::Due { .. }));
    let mut fresh = false;
    for reminder in due {
        // One statement: of two servers looking at once, one records it and one mails.
        let recorded = sqlx::query(
            "INSERT INTO reminder_notices (patient_id, kind, occurrence, audience, sent_at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
        )
        .bind(patient_id)
        .bind(reminder.kind.as_str())
        .bind(reminder.last_done.as_deref().unwrap_or("never"))
        .bind(audience.as_str())
        .bind(state.clock.now_ms())
        .execute(&state.db.write)
        .await?
        .rows_affected();
        fresh |= recorded == 1;
    }
    if !fresh {
        return Ok(0);
    }
    for (address, lang) in &to {
        state.mail_later(address.clone(), send::text(state, NoticeKind::Reminder, *lang));
    }
    Ok(to.len())
}
