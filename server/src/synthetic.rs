//! `portico seed --synthetic N --seed S`: N generated patients for benchmarks, the same
//! for the same S. Believable rather than random: ages spread from newborns to the very
//! old; hypertension, high cholesterol and diabetes become likelier with age and drive the
//! labs (HbA1c every 6 months with diabetes, yearly lipids and metabolic panels) and the
//! medications; immunizations follow the childhood schedule, Tdap boosters and flu
//! seasons. Three years of history, counted back from today.
//!
//! Speed: rows go in as multi-row INSERTs inside one transaction per batch of patients,
//! so 100,000 patients take minutes, not hours. Only clinical tables are written; the
//! tables patients write to (renewal requests, later messages) are left untouched.
use std::collections::HashMap;

use app::{
    dates::DAY_MS,
    infra::{clock::utc_start_of_day, AppState},
    results::{
        catalog::{Panel, BASIC_METABOLIC_PANEL, HBA1C, LIPID_PANEL},
        Flag,
    },
};
use rand::{rngs::StdRng, Rng, SeedableRng};
use sqlx::{any::AnyArguments, query::Query, Any, Row};
use time::{Date, Duration};

use crate::anyhow_lite::Result;

/// Patients written per transaction.
const BATCH: usize = 500;
/// Rows per INSERT statement (well under both databases' bind-parameter limits).
const ROWS_PER_STATEMENT: usize = 500;

const GIVEN: &[&str] = &[
    "Ana", "Ben", "Carla", "David", "Elena", "Farid", "Grace", "Hiro", "Isabel", "Jamal", "Kim", "Luis",
    "Maya", "Noah", "Olga", "Pedro", "Quinn", "Rosa", "Sam", "Tara", "Uma", "Victor", "Wen", "Yusuf", "Zoe",
];
const FAMILY: &[&str] = &[
    "Garcia", "Smith", "Nguyen", "Johnson", "Patel", "Kim", "Lopez", "Brown", "Williams", "Chen", "Davis",
    "Martinez", "Wilson", "Anderson", "Khan", "Rossi", "Silva", "Okafor", "Novak", "Cohen",
];

#[derive(Default, Debug)]
pub struct Counts {
    pub patients: usize,
    pub reports: usize,
    pub observations: usize,
    pub medications: usize,
    pub immunizations: usize,
    pub encounters: usize,
}

/// One generated patient, before it has an id.
struct Person {
    mrn: String,
    given: &'static str,
    family: &'static str,
    birth: Date,
    hypertension: bool,
    cholesterol: bool,
    diabetes: bool,
}

/// `accounts`: the first this-many patients also get a patient account, `s{seed}.{index}`,
/// with `password` (for the load tests).
pub async fn generate(
    state: &AppState,
    patients: usize,
    seed: u64,
    accounts: usize,
    password: &str,
) -> Result<Counts> {
    let taken: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM patients WHERE mrn LIKE $1")
        .bind(format!("S{seed}-%"))
        .fetch_one(&state.db.read)
        .await?;
    if taken > 0 {
        return Err(format!("synthetic patients with seed {seed} already exist; use another --seed").into());
    }
    let mut rng = StdRng::seed_from_u64(seed);
    let today = state.clock.today();
    let now = state.clock.now_ms();
    let mut counts = Counts::default();
    let mut index = 0;
    while index < patients {
        let people: Vec<Person> =
            (index..(index + BATCH).min(patients)).map(|i| person(&mut rng, seed, i, today)).collect();
        index += people.len();
        write_batch(state, &mut rng, &people, today, now, &mut counts).await?;
    }
    create_accounts(state, seed, accounts.min(patients), password, now).await?;
    Ok(counts)
}

async fn create_accounts(
    state: &AppState,
    seed: u64,
    accounts: usize,
    password: &str,
    now: i64,
) -> Result<()> {
    if accounts == 0 {
        return Ok(());
    }
    let hash = state.hasher.hash(password).await.map_err(|e| format!("{e}"))?;
    for index in 0..accounts {
        let mrn = format!("S{seed}-{index:07}");
        let patient = app::patients::store::patient_by_mrn(&state.db, &mrn)
            .await?
            .ok_or("generated patient missing")?;
        let user = app::auth::store::NewUser {
            username: &format!("s{seed}.{index}"),
            password_hash: &hash,
            email: None,
            display_name: &format!("{} {}", patient.given_name, patient.family_name),
            role: app::auth::Role::Patient,
            patient_id: Some(patient.id),
            email_confirmed: true,
        };
        app::auth::store::insert_user(&state.db.write, &user, now).await?;
    }
    Ok(())
}

fn person(rng: &mut StdRng, seed: u64, index: usize, today: Date) -> Person {
    // Ages 0–95, fewer at the ends, like a clinic's panel.
    let age_days = (rng.gen_range(0.0..1.0f64).powf(1.15) * 95.0 * 365.25) as i64;
    let birth = today - Duration::days(age_days.max(30));
    let age = age_days / 365;
    let chance = |rng: &mut StdRng, p: f64| rng.gen_bool(p.clamp(0.0, 1.0));
    Person {
        mrn: format!("S{seed}-{index:07}"),
        given: GIVEN[rng.gen_range(0..GIVEN.len())],
        family: FAMILY[rng.gen_range(0..FAMILY.len())],
        birth,
        hypertension: age >= 25 && chance(rng, (age as f64 - 20.0) / 100.0),
        cholesterol: age >= 30 && chance(rng, (age as f64 - 25.0) / 110.0),
        diabetes: age >= 25 && chance(rng, (age as f64 - 20.0) / 400.0 + 0.02),
    }
}

/// Buffered multi-row INSERTs: `push` a row of values, `flush` when done.
struct Rows {
    head: &'static str,
    width: usize,
    /// Columns whose NaN stands for NULL (see results::store::insert_report for why).
    nan_is_null: &'static [usize],
    values: Vec<Value>,
}

enum Value {
    Int(i64),
    OptInt(Option<i64>),
    Real(f64),
    Text(String),
    OptText(Option<String>),
}

impl Rows {
    fn new(head: &'static str, width: usize) -> Self {
        Rows { head, width, nan_is_null: &[], values: Vec::new() }
    }

    fn push(&mut self, row: Vec<Value>) {
        debug_assert_eq!(row.len(), self.width);
        self.values.extend(row);
    }

    fn statement(&self, rows: usize, suffix: &str) -> String {
        let mut sql = String::from(self.head);
        for r in 0..rows {
            sql.push_str(if r == 0 { " VALUES (" } else { ", (" });
            for c in 0..self.width {
                if c > 0 {
                    sql.push(',');
                }
                let n = r * self.width + c + 1;
                if self.nan_is_null.contains(&c) {
                    sql.push_str(&format!("NULLIF(${n},'NaN')"));
                } else {
                    sql.push_str(&format!("${n}"));
                }
            }
            sql.push(')');
        }
        sql.push_str(suffix);
        sql
    }

    fn bind<'q>(
        mut q: Query<'q, Any, AnyArguments<'q>>,
        values: &'q [Value],
    ) -> Query<'q, Any, AnyArguments<'q>> {
        for v in values {
            q = match v {
                Value::Int(n) => q.bind(*n),
                Value::OptInt(n) => q.bind(*n),
                Value::Real(x) => q.bind(*x),
                Value::Text(s) => q.bind(s.as_str()),
                Value::OptText(s) => q.bind(s.as_deref()),
            };
        }
        q
    }

    async fn flush(&mut self, tx: &mut sqlx::Transaction<'_, Any>) -> Result<()> {
        let chunk = ROWS_PER_STATEMENT * self.width;
        for values in self.values.chunks(chunk) {
            let sql = self.statement(values.len() / self.width, "");
            Self::bind(sqlx::query(&sql), values).execute(&mut **tx).await?;
        }
        self.values.clear();
        Ok(())
    }
}

async fn write_batch(
    state: &AppState,
    rng: &mut StdRng,
    people: &[Person],
    today: Date,
    now: i64,
    counts: &mut Counts,
) -> Result<()> {
    let mut tx = state.db.write.begin().await?;
    // Patients, then their ids by MRN.
    let mut patients =
        Rows::new("INSERT INTO patients (mrn, given_name, family_name, birth_date, created_at)", 5);
    for p in people {
        patients.push(vec![
            Value::Text(p.mrn.clone()),
            Value::Text(p.given.to_owned()),
            Value::Text(p.family.to_owned()),
            Value::Text(p.birth.to_string()),
            Value::Int(now),
        ]);
    }
    let sql = patients.statement(people.len(), " RETURNING id, mrn");
    let rows = Rows::bind(sqlx::query(&sql), &patients.values).fetch_all(&mut *tx).await?;
    let mut ids = HashMap::new();
    for row in rows {
        ids.insert(row.try_get::<String, _>("mrn")?, row.try_get::<i64, _>("id")?);
    }

    let mut problems = Rows::new("INSERT INTO problems (patient_id, code, name, onset_date, status)", 5);
    let mut meds = Rows::new(
        "INSERT INTO medications (patient_id, rxnorm, name, dose, sig, start_date, refills_remaining)",
        7,
    );
    let mut shots = Rows::new("INSERT INTO immunizations (patient_id, cvx, name, given_on)", 4);
    let mut visits = Rows::new(
        "INSERT INTO encounters (patient_id, department, kind, class_code, status, start_at, end_at, reason, avs_text)",
        9,
    );
    let mut reports = Rows::new(
        "INSERT INTO diagnostic_reports (patient_id, code, name, collected_at, resulted_at, released_at, reviewed_at, patient_seen_at)",
        8,
    );
    let mut planned_observations: Vec<(i64, &'static Panel, i64, Vec<f64>)> = Vec::new();

    for p in people {
        let id = ids[&p.mrn];
        let age = (today - p.birth).whole_days() / 365;
        conditions(p, id, today, &mut problems, &mut meds, counts);
        immunizations(rng, p, id, today, &mut shots, counts);
        encounters(rng, id, age, today, &mut visits, counts);
        for (panel, at, values) in labs(rng, p, age, today) {
            reports.push(vec![
                Value::Int(id),
                Value::Text(panel.loinc.to_owned()),
                Value::Text(panel.name.to_owned()),
                Value::Int(at),
                Value::Int(at + 6 * 3_600_000),
                Value::Int(at + 6 * 3_600_000),
                Value::OptInt(Some(at + 2 * DAY_MS)),
                Value::OptInt(Some(at + 3 * DAY_MS)),
            ]);
            planned_observations.push((id, panel, at, values));
        }
    }
    problems.flush(&mut tx).await?;
    meds.flush(&mut tx).await?;
    shots.flush(&mut tx).await?;
    visits.flush(&mut tx).await?;

    // Reports, then their ids by (patient, code, collected_at) for the observations.
    let mut report_ids = HashMap::new();
    let chunk = ROWS_PER_STATEMENT * reports.width;
    for values in reports.values.chunks(chunk) {
        let sql =
            reports.statement(values.len() / reports.width, " RETURNING id, patient_id, code, collected_at");
        for row in Rows::bind(sqlx::query(&sql), values).fetch_all(&mut *tx).await? {
            let key = (
                row.try_get::<i64, _>("patient_id")?,
                row.try_get::<String, _>("code")?,
                row.try_get::<i64, _>("collected_at")?,
            );
            report_ids.insert(key, row.try_get::<i64, _>("id")?);
        }
    }
    counts.reports += report_ids.len();
    let mut observations = Rows::new(
        "INSERT INTO observations (report_id, patient_id, loinc, name, value_num, unit, ref_low, ref_high, flag, effective_at, position)",
        11,
    );
    observations.nan_is_null = &[6, 7];
    for (patient, panel, at, values) in planned_observations {
        let report = report_ids[&(patient, panel.loinc.to_owned(), at)];
        for (position, (analyte, value)) in panel.analytes.iter().zip(values).enumerate() {
            observations.push(vec![
                Value::Int(report),
                Value::Int(patient),
                Value::Text(analyte.loinc.to_owned()),
                Value::Text(analyte.name.to_owned()),
                Value::Real(value),
                Value::Text(analyte.unit.to_owned()),
                Value::Real(analyte.low.unwrap_or(f64::NAN)),
                Value::Real(analyte.high.unwrap_or(f64::NAN)),
                Value::OptText(Flag::of(value, analyte.low, analyte.high).map(|f| f.code().to_owned())),
                Value::Int(at),
                Value::Int(position as i64),
            ]);
            counts.observations += 1;
        }
    }
    observations.flush(&mut tx).await?;
    tx.commit().await?;
    counts.patients += people.len();
    Ok(())
}

fn conditions(p: &Person, id: i64, today: Date, problems: &mut Rows, meds: &mut Rows, counts: &mut Counts) {
    let onset = (today - Duration::days(900)).to_string();
    let list = [
        (
            p.hypertension,
            "I10",
            "Essential hypertension",
            ("314076", "Lisinopril", "10 mg tablet", "Take 1 tablet by mouth once a day"),
        ),
        (
            p.cholesterol,
            "E78.5",
            "Hyperlipidemia",
            ("617310", "Atorvastatin", "20 mg tablet", "Take 1 tablet by mouth at bedtime"),
        ),
        (
            p.diabetes,
            "E11.9",
            "Type 2 diabetes mellitus without complications",
            ("860975", "Metformin", "500 mg tablet", "Take 1 tablet by mouth twice a day"),
        ),
    ];
    for (has, code, name, (rxnorm, drug, dose, sig)) in list {
        if !has {
            continue;
        }
        problems.push(vec![
            Value::Int(id),
            Value::Text(code.into()),
            Value::Text(name.into()),
            Value::OptText(Some(onset.clone())),
            Value::Text("active".into()),
        ]);
        meds.push(vec![
            Value::Int(id),
            Value::Text(rxnorm.into()),
            Value::Text(drug.into()),
            Value::Text(dose.into()),
            Value::Text(sig.into()),
            Value::Text(onset.clone()),
            Value::Int(2),
        ]);
        counts.medications += 1;
    }
}

fn immunizations(rng: &mut StdRng, p: &Person, id: i64, today: Date, shots: &mut Rows, counts: &mut Counts) {
    let mut give = |cvx: &str, name: &str, day: Date| {
        if day <= today {
            shots.push(vec![
                Value::Int(id),
                Value::Text(cvx.into()),
                Value::Text(name.into()),
                Value::Text(day.to_string()),
            ]);
            counts.immunizations += 1;
        }
    };
    // The childhood schedule (days after birth).
    for (cvx, name, day) in [
        ("08", "Hepatitis B, pediatric", 0),
        ("20", "DTaP", 61),
        ("10", "Polio (IPV)", 61),
        ("20", "DTaP", 122),
        ("08", "Hepatitis B, pediatric", 183),
        ("03", "MMR", 366),
        ("21", "Varicella", 366),
        ("20", "DTaP", 487),
        ("03", "MMR", 1500),
        ("115", "Tdap", 4018),
    ] {
        give(cvx, name, p.birth + Duration::days(day));
    }
    // A Tdap booster every 10 years for most adults.
    let mut booster = p.birth + Duration::days(4018 + 3652);
    while booster <= today {
        if rng.gen_bool(0.7) {
            give("115", "Tdap", booster);
        }
        booster += Duration::days(3652);
    }
    // Flu shots in each of the last three autumns, about half the time.
    for years_back in 0..3 {
        let season = today - Duration::days(60 + 365 * years_back);
        if season > p.birth + Duration::days(183) && rng.gen_bool(0.5) {
            give("197", "Influenza, injectable, quadrivalent", season);
        }
    }
}

fn encounters(rng: &mut StdRng, id: i64, age: i64, today: Date, visits: &mut Rows, counts: &mut Counts) {
    let per_year = if age >= 65 { 3 } else { 1 + (age % 2) };
    for year in 0..3 {
        for v in 0..per_year {
            let day = today - Duration::days(365 * year + rng.gen_range(0..365) + v);
            let start = utc_start_of_day(day) + 9 * 3_600_000;
            visits.push(vec![
                Value::Int(id),
                Value::Text("Portico Family Medicine".into()),
                Value::Text("Office visit".into()),
                Value::Text("AMB".into()),
                Value::Text("finished".into()),
                Value::Int(start),
                Value::Int(start + 30 * 60_000),
                Value::Text("Follow-up".into()),
                Value::OptText(Some(
                    "Keep taking your medicines as prescribed. Come back as planned.".into(),
                )),
            ]);
            counts.encounters += 1;
        }
    }
}

/// (panel, collected at, values in catalogue order) over the last three years.
fn labs(rng: &mut StdRng, p: &Person, age: i64, today: Date) -> Vec<(&'static Panel, i64, Vec<f64>)> {
    let mut out = Vec::new();
    if age < 18 {
        return out;
    }
    let normal = |rng: &mut StdRng, mean: f64, sd: f64| {
        // Box–Muller: believable spread around the mean.
        let (u1, u2): (f64, f64) = (rng.gen_range(1e-9..1.0), rng.gen_range(0.0..1.0));
        mean + sd * (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
    };
    let at = |days_back: i64| utc_start_of_day(today - Duration::days(days_back)) + 8 * 3_600_000;
    let round = |x: f64, places: i32| (x * 10f64.powi(places)).round() / 10f64.powi(places);
    if p.diabetes {
        for i in 0..6 {
            let a1c = round(normal(rng, 7.2 - 0.1 * i as f64, 0.6).max(5.0), 1);
            out.push((&HBA1C, at(30 + 182 * i), vec![a1c]));
        }
    } else if age >= 40 && rng.gen_bool(0.4) {
        out.push((&HBA1C, at(rng.gen_range(30..1000)), vec![round(normal(rng, 5.4, 0.3), 1)]));
    }
    let lipid_years = if p.cholesterol || p.diabetes { 3 } else { usize::from(rng.gen_bool(0.5)) };
    for i in 0..lipid_years {
        let ldl = round(normal(rng, if p.cholesterol { 135.0 } else { 100.0 }, 25.0).max(40.0), 0);
        let hdl = round(normal(rng, 50.0, 10.0).max(20.0), 0);
        let tg = round(normal(rng, 140.0, 45.0).max(40.0), 0);
        out.push((&LIPID_PANEL, at(40 + 365 * i as i64), vec![round(ldl + hdl + tg / 5.0, 0), tg, hdl, ldl]));
    }
    if p.hypertension || p.diabetes {
        for i in 0..3 {
            let glucose = round(normal(rng, if p.diabetes { 140.0 } else { 92.0 }, 15.0), 0);
            let values = vec![
                glucose,
                round(normal(rng, 14.0, 3.0), 0),
                round(normal(rng, 0.95, 0.15), 2),
                round(normal(rng, 140.0, 2.0), 0),
                round(normal(rng, 4.2, 0.3), 1),
                round(normal(rng, 102.0, 2.0), 0),
                round(normal(rng, 25.0, 2.0), 0),
                round(normal(rng, 9.5, 0.3), 1),
            ];
            out.push((&BASIC_METABOLIC_PANEL, at(45 + 365 * i), values));
        }
    }
    out
}
