//! Home's three cards: the soonest visits, the new results and the facts the reminder rules
//! need. Each backend gets the shape that costs it least, measured side by side under load
//! (issue 13's closing note has the runs):
//! - PostgreSQL: one statement. Each statement is a round trip and a backend's wake-up,
//!   worth more than these small reads: Home answered about 2,450–2,850 requests a second
//!   against 2,000–2,200 with a statement per card. The three reads' rows are stacked in
//!   one shape (`CardRow`) and sorted back into their cards here.
//! - SQLite (in the process, no round trip): a statement per card. The stacked statement
//!   took SQLite longer to run (about 147 µs against 123 µs for the three) and its wider
//!   rows more to convert: Home answered about 3,100–3,250 a second against 3,550–4,050.
//!   The three run on the request's own thread (`infra::sqlite_inline`).
use crate::{
    access::ChartScope,
    infra::db::DbKind,
    reminders::{
        rules::{Facts, HBA1C_LOINC, LIPID_PANEL_LOINC},
        store::{facts_from, facts_sql, FactRow},
    },
    results::store::SummaryRow,
    visits::store::VisitRow,
};

/// Which cards the reader may see (a proxy without Results gets no results card).
#[derive(Debug, Clone, Copy)]
pub struct Wanted {
    pub visits: bool,
    pub results: bool,
    pub reminders: bool,
}

/// What the cards hold, as stored.
#[derive(Debug, PartialEq)]
pub struct Cards {
    /// The soonest planned visits, soonest first.
    pub upcoming: Vec<VisitRow>,
    /// The newest released results the patient has not opened, newest first…
    pub new_results: Vec<SummaryRow>,
    /// …and how many such results there are in all.
    pub new_result_count: i64,
    /// What the reminder rules need; None when the reader may not see reminders.
    pub facts: Option<Facts>,
}

/// One row of the stacked query. `card` says which read it comes from; the other columns
/// mean what `HOME_SQL` puts in them for that card.
#[derive(sqlx::FromRow)]
struct CardRow {
    card: String,
    id: i64,
    at: i64,
    n1: i64,
    n2: i64,
    n3: i64,
    t1: String,
    t2: String,
    t3: String,
    t4: String,
    t5: Option<String>,
}

/// Parameters: $1 to $6 as `reminders::store::facts_sql!` takes them (patient, the two test
/// codes, the reader's highest confidential flag, today, now); $7 and $8 the two cards'
/// limits; $9, $10 and $11 whether the reader may see visits, results and reminders (1 or
/// 0), so that a card the reader may not see reads nothing.
/// Columns per card:
/// - visit: id, at = start, n1 = has summary, n2 = has note, n3 = note's confidential flag,
///   t1 = kind, t2 = department, t3 = reason, t4 = status, t5 = provider;
/// - result: id, at = collected, n1 = abnormal, n2 = how many new results in all (a window
///   over every new row, taken before the LIMIT), t1 = name;
/// - fact: at = `number`, t1 = kind, t2 = code, t3 = day (see `FactRow`).
/// The columns a card does not use hold 0, '' or NULL.
/// The visit and result parts are the SQL of `visits::store::upcoming` and
/// `results::store::new_released` with this statement's parameters: change them together
/// (the test named at `card_by_card` fails when they disagree).
const HOME_SQL: &str = concat!(
    "SELECT 'visit' AS card, v.id AS id, v.start_at AS at, v.has_summary AS n1, v.has_note AS n2, \
     v.note_confidential AS n3, v.kind AS t1, v.department AS t2, v.reason AS t3, v.status AS t4, \
     v.provider AS t5 FROM (SELECT e.id, e.kind, e.start_at, e.department, e.reason, e.status, \
     CAST(CASE WHEN e.avs_text IS NOT NULL THEN 1 ELSE 0 END AS BIGINT) AS has_summary, \
     CAST(CASE WHEN e.note_text IS NOT NULL THEN 1 ELSE 0 END AS BIGINT) AS has_note, \
     e.note_confidential, p.display_name AS provider \
     FROM encounters e LEFT JOIN providers p ON p.id = e.provider_id \
     WHERE $9 = 1 AND e.patient_id = $1 AND e.status = 'planned' AND e.start_at >= $6 \
     AND e.note_confidential <= $4 ORDER BY e.start_at, e.id LIMIT $7) AS v \
     UNION ALL \
     SELECT 'result', r.id, r.collected_at, r.abnormal, r.total, CAST(0 AS BIGINT), r.name, '', '', '', NULL \
     FROM (SELECT r.id, r.name, r.collected_at, \
     CAST(CASE WHEN EXISTS (SELECT 1 FROM observations o WHERE o.report_id = r.id AND o.flag IS NOT NULL) \
     THEN 1 ELSE 0 END AS BIGINT) AS abnormal, CAST(COUNT(*) OVER () AS BIGINT) AS total \
     FROM diagnostic_reports r WHERE $10 = 1 AND r.patient_id = $1 AND r.released_at IS NOT NULL \
     AND r.patient_seen_at IS NULL AND r.confidential <= $4 \
     ORDER BY r.collected_at DESC, r.id DESC LIMIT $8) AS r \
     UNION ALL \
     SELECT 'fact', CAST(0 AS BIGINT), f.number, CAST(0 AS BIGINT), CAST(0 AS BIGINT), CAST(0 AS BIGINT), \
     f.kind, f.code, f.day, '', NULL FROM (",
    facts_sql!(),
    ") AS f WHERE $11 = 1"
);

pub async fn cards(
    chart: &ChartScope,
    wanted: Wanted,
    upcoming_limit: usize,
    results_limit: usize,
) -> Result<Cards, sqlx::Error> {
    match chart.db().kind {
        DbKind::Postgres => stacked(chart, wanted, upcoming_limit, results_limit).await,
        DbKind::Sqlite => card_by_card(chart, wanted, upcoming_limit, results_limit).await,
    }
}

/// SQLite's way (and a test's: `home_reads_the_same_cards_on_both_paths` holds both ways to
/// the same answer on each database).
pub async fn card_by_card(
    chart: &ChartScope,
    wanted: Wanted,
    upcoming_limit: usize,
    results_limit: usize,
) -> Result<Cards, sqlx::Error> {
    let now = chart.state().clock.now_ms();
    // One after another: side by side they woke three connections' threads at once on two
    // cores, and Home answered fewer requests a second under load.
    let upcoming = if wanted.visits {
        crate::visits::store::upcoming(chart, now, upcoming_limit).await?
    } else {
        Vec::new()
    };
    let (new_result_count, new_results) = if wanted.results {
        crate::results::store::new_released(chart, results_limit).await?
    } else {
        (0, Vec::new())
    };
    let facts = if wanted.reminders { Some(crate::reminders::store::facts(chart).await?) } else { None };
    Ok(Cards { upcoming, new_results, new_result_count, facts })
}

/// PostgreSQL's way: `HOME_SQL`.
pub async fn stacked(
    chart: &ChartScope,
    wanted: Wanted,
    upcoming_limit: usize,
    results_limit: usize,
) -> Result<Cards, sqlx::Error> {
    let clock = &chart.state().clock;
    let rows: Vec<CardRow> = sqlx::query_as(HOME_SQL)
        .bind(chart.patient_id())
        .bind(HBA1C_LOINC)
        .bind(LIPID_PANEL_LOINC)
        .bind(chart.visibility().max_flag())
        .bind(clock.today().to_string())
        .bind(clock.now_ms())
        .bind(upcoming_limit as i64)
        .bind(results_limit as i64)
        .bind(wanted.visits as i64)
        .bind(wanted.results as i64)
        .bind(wanted.reminders as i64)
        .fetch_all(&chart.db().read)
        .await?;
    Ok(sorted_into_cards(chart, wanted, rows))
}

/// Sorts the stacked rows back into their cards, each in its own order (the order of rows
/// out of a UNION ALL is not promised, so it is not relied on).
fn sorted_into_cards(chart: &ChartScope, wanted: Wanted, rows: Vec<CardRow>) -> Cards {
    let (mut upcoming, mut new_results, mut facts) = (Vec::new(), Vec::new(), Vec::new());
    let mut new_result_count = 0;
    for row in rows {
        match row.card.as_str() {
            "visit" => upcoming.push(VisitRow {
                id: row.id,
                kind: row.t1,
                start_at: row.at,
                department: row.t2,
                reason: row.t3,
                status: row.t4,
                has_summary: row.n1,
                has_note: row.n2,
                note_confidential: row.n3,
                provider: row.t5,
            }),
            "result" => {
                new_result_count = row.n2;
                new_results.push(SummaryRow {
                    id: row.id,
                    name: row.t1,
                    collected_at: row.at,
                    // The statement reads only results not yet opened.
                    patient_seen_at: None,
                    abnormal: row.n1,
                });
            }
            "fact" => facts.push(FactRow { kind: row.t1, code: row.t2, day: row.t3, number: row.at }),
            _ => {}
        }
    }
    upcoming.sort_by_key(|v| (v.start_at, v.id));
    new_results.sort_by_key(|r| std::cmp::Reverse((r.collected_at, r.id)));
    let facts = wanted.reminders.then(|| facts_from(chart, &facts));
    Cards { upcoming, new_results, new_result_count, facts }
}
