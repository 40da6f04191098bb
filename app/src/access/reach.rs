//! Which charts a clinician may open: those of the patients they care for. The patient is
//! on the care team of the clinician or of their department, has a visit with them or their
//! department in the last 24 months or upcoming, or wrote to them or their department's care
//! pool. Any other chart only after "breaking the glass" in this session (a reason given,
//! audited as such, reviewed by HIM). HIM, billing and support keep organisation-wide reach
//! for their own work, audited chart by chart.
use sqlx::{any::AnyArguments, query::Query, Any};

use super::StaffAccess;
use crate::{dates::DAY_MS, infra::Db};

/// How far back a visit makes a care relationship.
pub const VISIT_WINDOW_MS: i64 = 730 * DAY_MS;

/// The rule as SQL, on the patient column `$patient`, with the clinician's user id, the
/// visit window's start and the session id bound at `$user`, `$since` and `$session`.
/// Written out whole by `concat!` at compile time: nothing is spliced in at run time.
#[macro_export]
macro_rules! cares_for {
    ($patient:literal, $user:literal, $since:literal, $session:literal) => {
        concat!(
            "(EXISTS (SELECT 1 FROM providers me WHERE me.user_id = ",
            $user,
            " AND (",
            "EXISTS (SELECT 1 FROM care_team c JOIN providers cp ON cp.id = c.provider_id ",
            "WHERE c.patient_id = ",
            $patient,
            " AND (cp.id = me.id OR cp.department = me.department)) ",
            "OR EXISTS (SELECT 1 FROM encounters e WHERE e.patient_id = ",
            $patient,
            " ",
            "AND (e.provider_id = me.id OR e.department = me.department) AND e.start_at >= ",
            $since,
            ") ",
            "OR EXISTS (SELECT 1 FROM message_threads t WHERE t.patient_id = ",
            $patient,
            " ",
            "AND (t.provider_id = me.id OR (t.pool = 'care' AND t.department = me.department))))) ",
            "OR EXISTS (SELECT 1 FROM break_glass b WHERE b.session_id = ",
            $session,
            " ",
            "AND b.patient_id = ",
            $patient,
            "))"
        )
    };
}

/// Whether the clinician (`user_id`, in session `session_id`) may open `patient_id`'s chart.
pub async fn clinician_may_open(
    db: &Db,
    user_id: i64,
    session_id: i64,
    patient_id: i64,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let found: Option<i64> = sqlx::query_scalar(concat!(
        "SELECT 1 FROM patients WHERE id = $1 AND ",
        cares_for!("$1", "$2", "$3", "$4")
    ))
    .bind(patient_id)
    .bind(user_id)
    .bind(now - VISIT_WINDOW_MS)
    .bind(session_id)
    .fetch_optional(&db.read)
    .await?;
    Ok(found.is_some())
}

/// Binds, in order, what `cares_for!` reads for this staff member: their user id, the start
/// of the visit window, their session (the queues put them at `$2`, `$3`, `$4`).
pub fn bind_reach<'q>(
    query: Query<'q, Any, AnyArguments<'q>>,
    staff: &StaffAccess,
) -> Query<'q, Any, AnyArguments<'q>> {
    query.bind(staff.user_id()).bind(staff.state().clock.now_ms() - VISIT_WINDOW_MS).bind(staff.session_id())
}
