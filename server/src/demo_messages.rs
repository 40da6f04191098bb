//! Avery's messages for the demo: an answered question to Dr. Rivera (done) and a billing
//! question whose answer is still unread (the menu shows "Messages 1"). Sent through the
//! same store function as the app, with fixed idempotency keys, so a second run adds nothing.
use app::{
    dates::DAY_MS,
    infra::AppState,
    messages::{
        store::{send, Outgoing, Route},
        Pool,
    },
};

use crate::anyhow_lite::Result;

pub struct DemoPeople {
    pub patient_id: i64,
    pub patient_user: i64,
    pub rivera_user: i64,
    pub billing_user: i64,
}

/// Creates the threads once; returns whether it did.
pub async fn avery(state: &AppState, people: &DemoPeople) -> Result<bool> {
    let db = &state.db;
    let existing: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM message_threads WHERE patient_id = $1")
        .bind(people.patient_id)
        .fetch_one(&db.read)
        .await?;
    if existing > 0 {
        return Ok(false);
    }
    let rivera =
        app::patients::store::provider_of_user(db, people.rivera_user).await?.ok_or("no provider")?;
    let department = app::patients::store::department_of(db, rivera).await?;
    let care: Route = (Pool::Care, Some(department), Some(rivera));
    let sugars = thread(
        state,
        people,
        &care,
        "Morning blood sugar readings",
        &[
            (true, 40, "My morning sugars have been 140 to 160 this week. Should I change anything before my next visit?"),
            (false, 39, "Thank you for sending these. Keep taking metformin as prescribed and keep a log of your morning readings. We will recheck your HbA1c at your next visit; if you see readings over 250, call the office."),
        ],
    )
    .await?;
    sqlx::query(
        "UPDATE message_threads SET patient_read_upto = last_staff_message_id, status = 'done' WHERE id = $1",
    )
    .bind(sugars)
    .execute(&db.write)
    .await?;
    let billing: Route = (Pool::Billing, None, None);
    thread(
        state,
        people,
        &billing,
        "Question about my statement",
        &[
            (true, 3, "My last statement shows two charges for the same lab visit. Could you check?"),
            (false, 1, "Thank you for letting us know. The second charge was a duplicate and has been removed; your next statement will show the correction."),
        ],
    )
    .await?;
    Ok(true)
}

/// One thread: (from the patient?, days ago, text) in order.
pub(crate) async fn thread(
    state: &AppState,
    people: &DemoPeople,
    route: &Route,
    subject: &str,
    messages: &[(bool, i64, &str)],
) -> Result<i64> {
    let mut thread_id = None;
    for (n, (from_patient, days_ago, body)) in messages.iter().enumerate() {
        let key = format!("demo-{}-{n}-{}", subject.len(), days_ago);
        let author = match (from_patient, route.0) {
            (true, _) => people.patient_user,
            (false, Pool::Care) => people.rivera_user,
            (false, _) => people.billing_user,
        };
        let key = app::input::IdempotencyKey::parse(&format!("{key:-<16}"))
            .ok_or("a demo key of the wrong shape")?;
        let outcome = send(
            &state.db,
            &Outgoing {
                patient_id: people.patient_id,
                author_id: author,
                from_patient: *from_patient,
                proxy_relationship: None,
                new_thread: thread_id.is_none().then_some((route, subject)),
                billing_account_id: None,
                thread_id,
                body,
                schedule_reason: None,
                files: &[],
                idempotency_key: &key,
                now: state.clock.now_ms() - days_ago * DAY_MS,
                hourly_limit: i64::MAX,
            },
        )
        .await?;
        thread_id = match outcome {
            app::messages::store::Outcome::Sent { thread_id, .. }
            | app::messages::store::Outcome::Repeated { thread_id, .. } => Some(thread_id),
            app::messages::store::Outcome::RateLimited { .. } => return Err("rate limited".into()),
        };
    }
    thread_id.ok_or_else(|| "an empty thread".into())
}
