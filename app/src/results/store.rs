//! SQL for results. Every patient-side query is bounded by `patient_id`, by
//! `released_at IS NOT NULL` (a held result does not exist for the patient) and by the
//! reader's `Visibility` (a result marked confidential does not exist for a proxy).
use super::{Component, Flag, Point, ResultDetail, ResultSummary, UnitSeries};
use crate::access::{ChartScope, StaffAccess, Unseen, Visibility};
use crate::infra::{db::DbKind, sqlite_inline::from_columns, Db};

/// At most this many results in one list answer (newest first).
pub const LIST_LIMIT: i64 = 200;

/// The results list: $1 the patient, $2 `LIST_LIMIT`, $3 the reader's highest confidential
/// flag. Read newest first from `diagnostic_reports_patient_collected` (migration 0038), so
/// its cost does not grow with the chart: it runs on the request's thread on SQLite.
pub const LIST_SQL: &str = "SELECT r.id, r.name, r.collected_at, r.patient_seen_at, \
         CAST(CASE WHEN EXISTS (SELECT 1 FROM observations o WHERE o.report_id = r.id AND o.flag IS NOT NULL) \
         THEN 1 ELSE 0 END AS BIGINT) AS abnormal \
         FROM diagnostic_reports r WHERE r.patient_id = $1 AND r.released_at IS NOT NULL \
         AND r.confidential <= $3 ORDER BY r.collected_at DESC, r.id DESC LIMIT $2";

pub async fn list_released(chart: &ChartScope) -> Result<Vec<ResultSummary>, sqlx::Error> {
    let (patient_id, max_flag) = (chart.patient_id(), chart.visibility().max_flag());
    let rows: Vec<SummaryRow> = match &chart.db().inline {
        Some(inline) => {
            inline.fetch_all(LIST_SQL, &[&patient_id, &LIST_LIMIT, &max_flag], SummaryRow::from_inline_row)?
        }
        None => {
            sqlx::query_as(LIST_SQL)
                .bind(patient_id)
                .bind(LIST_LIMIT)
                .bind(max_flag)
                .fetch_all(&chart.db().read)
                .await?
        }
    };
    let clock = &chart.state().clock;
    Ok(rows.into_iter().map(|row| row.view(clock)).collect())
}

/// A released result in the list, as stored (`view.rs` words it).
#[derive(Debug, PartialEq, sqlx::FromRow)]
pub struct SummaryRow {
    pub id: i64,
    pub name: String,
    pub collected_at: i64,
    pub patient_seen_at: Option<i64>,
    pub abnormal: i64,
}

impl SummaryRow {
    /// A row of the list's columns read by `infra::sqlite_inline`.
    fn from_inline_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<SummaryRow> {
        Ok(from_columns!(row => SummaryRow { id, name, collected_at, patient_seen_at, abnormal }))
    }
}

/// One report, as stored.
#[derive(Debug, sqlx::FromRow)]
pub struct ReportRow {
    pub id: i64,
    pub name: String,
    pub collected_at: i64,
    pub released_at: Option<i64>,
    pub reviewed_at: Option<i64>,
    pub ordered_by: Option<String>,
    /// 1 when the report belongs to an inpatient, emergency or observation encounter.
    pub hospital: i64,
}

/// One value of a report, as stored.
#[derive(Debug, sqlx::FromRow)]
pub struct ComponentRow {
    pub loinc: String,
    pub name: String,
    pub value_num: Option<f64>,
    pub value_text: Option<String>,
    pub unit: String,
    pub ref_low: Option<f64>,
    pub ref_high: Option<f64>,
    pub ref_text: Option<String>,
    pub flag: Option<String>,
    pub has_trend: i64,
}

/// A result in the clinician's queue, as stored.
#[derive(Debug, sqlx::FromRow)]
pub struct QueueRow {
    pub id: i64,
    pub patient_id: i64,
    pub name: String,
    pub collected_at: i64,
    pub released_at: Option<i64>,
    pub held_reason: Option<String>,
    pub reviewed_at: Option<i64>,
    pub given_name: String,
    pub family_name: String,
    pub mrn: String,
}

/// Released results not yet opened: the newest (at most `limit`) and how many there are in
/// all, for Home on SQLite (`home::store`; PostgreSQL reads the same inside Home's one
/// statement, `home::store::HOME_SQL`): one query, the count a window over every new row,
/// taken before the LIMIT.
pub async fn new_released(chart: &ChartScope, limit: usize) -> Result<(i64, Vec<SummaryRow>), sqlx::Error> {
    const SQL: &str = "SELECT r.id, r.name, r.collected_at, r.patient_seen_at, \
         CAST(CASE WHEN EXISTS (SELECT 1 FROM observations o WHERE o.report_id = r.id AND o.flag IS NOT NULL) \
         THEN 1 ELSE 0 END AS BIGINT) AS abnormal, CAST(COUNT(*) OVER () AS BIGINT) AS total \
         FROM diagnostic_reports r WHERE r.patient_id = $1 AND r.released_at IS NOT NULL \
         AND r.patient_seen_at IS NULL AND r.confidential <= $3 \
         ORDER BY r.collected_at DESC, r.id DESC LIMIT $2";
    let (patient_id, limit, max_flag) = (chart.patient_id(), limit as i64, chart.visibility().max_flag());
    let rows: Vec<NewRow> = match &chart.db().inline {
        Some(inline) => inline.fetch_all(SQL, &[&patient_id, &limit, &max_flag], |row| {
            Ok(NewRow { summary: SummaryRow::from_inline_row(row)?, total: row.get("total")? })
        })?,
        None => {
            sqlx::query_as(SQL)
                .bind(patient_id)
                .bind(limit)
                .bind(max_flag)
                .fetch_all(&chart.db().read)
                .await?
        }
    };
    let total = rows.first().map_or(0, |row| row.total);
    Ok((total, rows.into_iter().map(|row| row.summary).collect()))
}

/// A row of `new_released`: a summary and the count of all new results.
#[derive(Debug, sqlx::FromRow)]
struct NewRow {
    #[sqlx(flatten)]
    summary: SummaryRow,
    total: i64,
}

/// One released result of this patient, or None (another chart's id, or held).
pub async fn released_detail(
    chart: &ChartScope,
    report_id: i64,
) -> Result<Option<ResultDetail>, sqlx::Error> {
    let (db, patient_id, vis) = (chart.db(), chart.patient_id(), chart.visibility());
    let Some(report) = sqlx::query_as::<_, ReportRow>(
        "SELECT r.id, r.name, r.collected_at, r.released_at, r.reviewed_at, p.display_name AS ordered_by, \
         CAST(CASE WHEN e.class_code IN ('IMP', 'EMER', 'ACUTE', 'OBSENC') THEN 1 ELSE 0 END AS BIGINT) AS hospital \
         FROM diagnostic_reports r LEFT JOIN providers p ON p.id = r.ordered_by \
         LEFT JOIN encounters e ON e.id = r.encounter_id AND e.patient_id = r.patient_id \
         WHERE r.id = $1 AND r.patient_id = $2 AND r.released_at IS NOT NULL AND r.confidential <= $3",
    )
    .bind(report_id)
    .bind(patient_id)
    .bind(vis.max_flag())
    .fetch_optional(&db.read)
    .await?
    else {
        return Ok(None);
    };
    let components = components_of(db, patient_id, report_id, vis).await?;
    Ok(Some(report.view(components, &chart.state().clock)))
}

async fn components_of(
    db: &Db,
    patient_id: i64,
    report_id: i64,
    vis: Visibility,
) -> Result<Vec<Component>, sqlx::Error> {
    // has_trend: another released numeric value of the same analyte exists.
    let rows: Vec<ComponentRow> = sqlx::query_as(
        "SELECT o.loinc, o.name, o.value_num, o.value_text, o.unit, o.ref_low, o.ref_high, o.ref_text, o.flag, \
         CAST(CASE WHEN EXISTS (SELECT 1 FROM observations o2 JOIN diagnostic_reports r2 ON r2.id = o2.report_id \
                 WHERE o2.patient_id = o.patient_id AND o2.loinc = o.loinc AND o2.id <> o.id \
                 AND o2.value_num IS NOT NULL AND r2.released_at IS NOT NULL AND r2.confidential <= $3) \
         THEN 1 ELSE 0 END AS BIGINT) AS has_trend \
         FROM observations o WHERE o.report_id = $1 AND o.patient_id = $2 ORDER BY o.position, o.id",
    )
    .bind(report_id)
    .bind(patient_id)
    .bind(vis.max_flag())
    .fetch_all(&db.read)
    .await?;
    Ok(rows.into_iter().map(ComponentRow::view).collect())
}

/// Marks a result opened by the patient (the first time only).
pub async fn mark_seen(chart: &ChartScope, report_id: i64, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE diagnostic_reports SET patient_seen_at = $1 \
         WHERE id = $2 AND patient_id = $3 AND patient_seen_at IS NULL AND released_at IS NOT NULL",
    )
    .bind(now)
    .bind(report_id)
    .bind(chart.patient_id())
    .execute(&chart.db().write)
    .await?;
    Ok(())
}

/// Every released numeric value of one analyte, oldest first, grouped by unit; with the
/// analyte's name. None when the patient has no released value of it.
///
/// Read from `result_series` while it is current (migration 0003 explains the version), else
/// built from the observations and stored for the next view. Each audience has its own
/// stored series (migration 0005): a proxy's never held a confidential value.
pub async fn trend(
    chart: &ChartScope,
    loinc: &str,
) -> Result<Option<(String, Vec<UnitSeries>)>, sqlx::Error> {
    let (db, patient_id, vis) = (chart.db(), chart.patient_id(), chart.visibility());
    let stored: Option<(String, String)> = sqlx::query_as(
        "SELECT s.name, s.series FROM result_series s \
         JOIN patients p ON p.id = s.patient_id AND p.results_version = s.version \
         WHERE s.patient_id = $1 AND s.loinc = $2 AND s.audience = $3",
    )
    .bind(patient_id)
    .bind(loinc)
    .bind(vis.max_flag())
    .fetch_optional(&db.read)
    .await?;
    let (name, series) = match stored {
        Some(found) => found,
        None => match build_series(db, patient_id, loinc, vis).await? {
            Some(built) => built,
            None => return Ok(None),
        },
    };
    Ok(Some((name, parse_series(&series, &chart.state().clock))))
}

/// Rebuilds the stored series of one report's analytes in the background, after a write
/// made in the app (a new or released result): the patient's next graph is then ready
/// instead of paying the rebuild. A failure only leaves the rebuild to that next view.
pub fn refresh_series_later(db: &Db, report_id: i64) {
    let db = db.clone();
    tokio::spawn(async move {
        let analytes: Result<Vec<(i64, String)>, _> = sqlx::query_as(
            "SELECT DISTINCT patient_id, loinc FROM observations WHERE report_id = $1 AND value_num IS NOT NULL",
        )
        .bind(report_id)
        .fetch_all(&db.read)
        .await;
        for (patient_id, loinc) in analytes.unwrap_or_default() {
            for vis in [Visibility::Everything, Visibility::NotConfidential] {
                if let Err(error) = build_series(&db, patient_id, &loinc, vis).await {
                    tracing::warn!(%error, "could not rebuild a result series");
                }
            }
        }
    });
}

/// Aggregates the series from the observations and stores it under the version it was read
/// at. The series comes back as ONE row, aggregated in SQL: a row per value through sqlx's
/// SQLite worker costs far more than the query (10,000 values: 62 ms as rows, 9 as one string).
async fn build_series(
    db: &Db,
    patient_id: i64,
    loinc: &str,
    vis: Visibility,
) -> Result<Option<(String, String)>, sqlx::Error> {
    // The one statement per database, whole at compile time: only the aggregate and the
    // separator functions differ between SQLite and PostgreSQL.
    macro_rules! series_sql {
        ($aggregate:literal, $unit_sep:literal, $record_sep:literal) => {
            concat!(
                "SELECT (SELECT results_version FROM patients WHERE id = $1) AS version, MIN(o.name) AS name, ",
                $aggregate,
                "(COALESCE(CAST(o.effective_at AS TEXT), '') || ", $unit_sep,
                " || COALESCE(CAST(o.value_num AS TEXT), '') || ", $unit_sep,
                " || COALESCE(CAST(o.flag AS TEXT), '') || ", $unit_sep,
                " || COALESCE(CAST(o.unit AS TEXT), '') || ", $unit_sep,
                " || COALESCE(CAST(o.ref_low AS TEXT), '') || ", $unit_sep,
                " || COALESCE(CAST(o.ref_high AS TEXT), ''), ",
                $record_sep,
                " ORDER BY o.effective_at, o.id) AS series \
                 FROM observations o JOIN diagnostic_reports r ON r.id = o.report_id \
                 WHERE o.patient_id = $1 AND o.loinc = $2 AND o.value_num IS NOT NULL AND r.released_at IS NOT NULL \
                 AND r.confidential <= $3"
            )
        };
    }
    // One statement, so the version and the values it stands for come from one snapshot.
    let sql = match db.kind {
        DbKind::Sqlite => series_sql!("group_concat", "char(31)", "char(30)"),
        DbKind::Postgres => series_sql!("string_agg", "chr(31)", "chr(30)"),
    };
    let row: (Option<i64>, Option<String>, Option<String>) =
        sqlx::query_as(sql).bind(patient_id).bind(loinc).bind(vis.max_flag()).fetch_one(&db.read).await?;
    let (Some(version), Some(name), Some(series)) = row else {
        return Ok(None);
    };
    // A newer series stored meanwhile is kept; failing to store only costs the next view time.
    let stored = sqlx::query(
        "INSERT INTO result_series (patient_id, loinc, audience, version, name, series) \
         VALUES ($1, $2, $6, $3, $4, $5) ON CONFLICT (patient_id, loinc, audience) DO UPDATE \
         SET version = excluded.version, name = excluded.name, series = excluded.series \
         WHERE result_series.version < excluded.version",
    )
    .bind(patient_id)
    .bind(loinc)
    .bind(version)
    .bind(&name)
    .bind(&series)
    .bind(vis.max_flag())
    .execute(&db.write)
    .await;
    if let Err(error) = stored {
        tracing::warn!(%error, "could not store a result series");
    }
    Ok(Some((name, series)))
}

/// 1970-01-01 as a Julian day number.
const UNIX_EPOCH_JULIAN_DAY: i32 = 2_440_588;

/// Reads the aggregated series (records split by U+001E, fields by U+001F).
fn parse_series(text: &str, clock: &crate::infra::Clock) -> Vec<UnitSeries> {
    let mut series: Vec<UnitSeries> = Vec::new();
    for record in text.split('\u{1e}') {
        let mut fields = record.split('\u{1f}');
        let mut next = || fields.next().unwrap_or_default();
        let (at, value, flag, unit, low, high) = (next(), next(), next(), next(), next(), next());
        let (Ok(at_ms), Ok(value)) = (at.parse::<i64>(), value.parse::<f64>()) else { continue };
        let day = i64::from(clock.local_date(at_ms).to_julian_day() - UNIX_EPOCH_JULIAN_DAY);
        let point = Point { at_ms, day, value, flag: Flag::parse(flag) };
        let (low, high) = (low.parse::<f64>().ok(), high.parse::<f64>().ok());
        match series.iter_mut().find(|s| s.unit == unit) {
            Some(s) => {
                s.points.push(point);
                // Oldest first: the band ends up as the latest range.
                (s.ref_low, s.ref_high) = (low, high);
            }
            None => series.push(UnitSeries {
                unit: unit.to_owned(),
                ref_low: low,
                ref_high: high,
                points: vec![point],
            }),
        }
    }
    series
}

/// A result to record: one panel's values (in catalogue order) for one patient.
pub struct NewReport<'a> {
    pub patient_id: i64,
    pub panel: &'a super::catalog::Panel,
    pub values: &'a [f64],
    pub ordered_by: Option<i64>,
    pub collected_at: i64,
    pub resulted_at: i64,
    /// None: held (with `held_reason`), not visible to the patient.
    pub released_at: Option<i64>,
    pub held_reason: Option<&'a str>,
    pub held_by: Option<i64>,
    pub reviewed: Option<(i64, i64)>,
    pub seen_at: Option<i64>,
    /// The visit or stay the test was done in, when known.
    pub encounter_id: Option<i64>,
}

/// Writes the report and its observations in one transaction; returns the report id.
pub async fn insert_report(db: &Db, new: &NewReport<'_>) -> Result<i64, sqlx::Error> {
    let mut tx = db.write.begin().await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO diagnostic_reports (patient_id, code, name, ordered_by, collected_at, resulted_at, \
         released_at, held_reason, held_by, reviewed_by, reviewed_at, patient_seen_at, encounter_id) \
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13) RETURNING id",
    )
    .bind(new.patient_id)
    .bind(new.panel.loinc)
    .bind(new.panel.name)
    .bind(new.ordered_by)
    .bind(new.collected_at)
    .bind(new.resulted_at)
    .bind(new.released_at)
    .bind(new.held_reason)
    .bind(new.held_by)
    .bind(new.reviewed.map(|r| r.0))
    .bind(new.reviewed.map(|r| r.1))
    .bind(new.seen_at)
    .bind(new.encounter_id)
    .fetch_one(&mut *tx)
    .await?;
    for (position, (analyte, value)) in new.panel.analytes.iter().zip(new.values).enumerate() {
        // sqlx's Any driver binds a missing f64 as a 4-byte float on PostgreSQL, which
        // breaks the cached statement for the next row that has one; NaN in, NULL stored.
        sqlx::query(
            "INSERT INTO observations (report_id, patient_id, loinc, name, value_num, unit, ref_low, ref_high, \
             flag, effective_at, position) VALUES ($1,$2,$3,$4,$5,$6,NULLIF($7,'NaN'),NULLIF($8,'NaN'),$9,$10,$11)",
        )
        .bind(id)
        .bind(new.patient_id)
        .bind(analyte.loinc)
        .bind(analyte.name)
        .bind(*value)
        .bind(analyte.unit)
        .bind(analyte.low.unwrap_or(f64::NAN))
        .bind(analyte.high.unwrap_or(f64::NAN))
        .bind(Flag::of(*value, analyte.low, analyte.high).map(Flag::code))
        .bind(new.collected_at)
        .bind(position as i64)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(id)
}

/// The clinician's queue: results not yet reviewed or released, each with its chart (the
/// rows reach the clinician through `StaffAccess::show`, which logs each patient).
pub async fn staff_queue(
    staff: &StaffAccess,
    limit: i64,
) -> Result<Unseen<super::StaffResultRow>, sqlx::Error> {
    // Only the patients this clinician cares for (access::reach).
    let query = sqlx::query(concat!(
        "SELECT r.id, r.patient_id, r.name, r.collected_at, r.released_at, r.held_reason, r.reviewed_at, \
         p.given_name, p.family_name, p.mrn FROM diagnostic_reports r JOIN patients p ON p.id = r.patient_id \
         WHERE (r.reviewed_at IS NULL OR r.released_at IS NULL) AND ",
        crate::cares_for!("r.patient_id", "$2", "$3", "$4"),
        " ORDER BY r.resulted_at DESC, r.id DESC LIMIT $1"
    ))
    .bind(limit);
    let rows = crate::access::reach::bind_reach(query, staff).fetch_all(&staff.db().read).await?;
    let rows: Vec<QueueRow> = rows.iter().map(sqlx::FromRow::from_row).collect::<Result<_, _>>()?;
    let clock = &staff.state().clock;
    Ok(Unseen::new(rows.into_iter().map(|r| (Some(r.patient_id), r.view(clock))).collect()))
}

/// The patient a report belongs to (for staff actions, which are audited against it).
pub async fn report_patient(db: &Db, report_id: i64) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar("SELECT patient_id FROM diagnostic_reports WHERE id = $1")
        .bind(report_id)
        .fetch_optional(&db.read)
        .await
}

pub async fn release(chart: &ChartScope, report_id: i64, now: i64) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE diagnostic_reports SET released_at = $1, held_reason = NULL \
         WHERE id = $2 AND patient_id = $3 AND released_at IS NULL",
    )
    .bind(now)
    .bind(report_id)
    .bind(chart.patient_id())
    .execute(&chart.db().write)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Whether the chart's report is confidential (its notice then skips every proxy).
pub async fn report_is_confidential(chart: &ChartScope, report_id: i64) -> Result<bool, sqlx::Error> {
    let flag: Option<i64> =
        sqlx::query_scalar("SELECT confidential FROM diagnostic_reports WHERE id = $1 AND patient_id = $2")
            .bind(report_id)
            .bind(chart.patient_id())
            .fetch_optional(&chart.db().read)
            .await?;
    // Not found cannot happen after a release in the same chart; fail closed all the same.
    Ok(flag.is_none_or(|f| f != 0))
}

pub async fn mark_reviewed(chart: &ChartScope, report_id: i64, now: i64) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE diagnostic_reports SET reviewed_by = $1, reviewed_at = $2 \
         WHERE id = $3 AND patient_id = $4 AND reviewed_at IS NULL",
    )
    .bind(chart.reader_user_id())
    .bind(now)
    .bind(report_id)
    .bind(chart.patient_id())
    .execute(&chart.db().write)
    .await?;
    Ok(done.rows_affected() == 1)
}

#[cfg(test)]
mod tests {
    use super::parse_series;

    #[test]
    fn an_aggregated_series_splits_by_unit_and_keeps_the_latest_band() {
        let text = "1000\u{1f}5.5\u{1f}\u{1f}%\u{1f}4\u{1f}5.6\u{1e}\
                    2000\u{1f}7.1\u{1f}H\u{1f}%\u{1f}4\u{1f}6\u{1e}\
                    3000\u{1f}53\u{1f}\u{1f}mmol/mol\u{1f}\u{1f}42";
        let series = parse_series(text, &crate::infra::Clock::manual(0));
        assert_eq!(series.len(), 2);
        assert_eq!(series[0].unit, "%");
        assert_eq!(series[0].points.len(), 2);
        assert_eq!(series[0].points[1].flag, Some(super::Flag::High));
        assert_eq!((series[0].ref_low, series[0].ref_high), (Some(4.0), Some(6.0)));
        assert_eq!((series[1].ref_low, series[1].ref_high), (None, Some(42.0)));
        assert_eq!(series[1].points[0].at_ms, 3000);
        assert_eq!(series[1].points[0].date(), "1970-01-01");
    }

    #[test]
    fn a_point_is_dated_on_the_clinics_day() {
        // 02:00 UTC on March 14 is still the evening of March 13 in New York.
        let at = "2026-03-14T02:00:00Z".parse::<jiff::Timestamp>().unwrap().as_millisecond();
        let text = format!("{at}\u{1f}5.5\u{1f}\u{1f}%\u{1f}\u{1f}");
        let new_york = crate::infra::clock::time_zone("America/New_York").unwrap();
        let series = parse_series(&text, &crate::infra::Clock::manual_in(0, new_york));
        assert_eq!(series[0].points[0].date(), "2026-03-13");
        assert_eq!(parse_series(&text, &crate::infra::Clock::manual(0))[0].points[0].date(), "2026-03-14");
    }
}
