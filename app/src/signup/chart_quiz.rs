//! The built-in identity verifier: three questions about the matched chart that only its
//! patient should know (a month they had a visit, a provider they saw, a medication or a
//! vaccine they had), each with three decoys drawn from other records. Without a chart
//! (none matched, or it may not sign up) the questions are all decoys, built the same way,
//! and no answer passes.
use futures::future::BoxFuture;
use rand::{rngs::StdRng, seq::SliceRandom, Rng, SeedableRng};
use serde::{Deserialize, Serialize};

use super::{
    store::{self, ChartFacts, DecoyPools},
    verifier::{Applicant, Challenge, IdentityVerifier},
    Question, QuestionKind, CHOICES, QUESTIONS,
};
use crate::{error::AppError, infra::AppState};

pub struct ChartQuiz;

/// What `check` needs, kept on the server with the sign-up.
#[derive(Serialize, Deserialize)]
struct Kept {
    chart: Option<i64>,
    right: Vec<usize>,
}

impl IdentityVerifier for ChartQuiz {
    fn start<'a>(
        &'a self,
        state: &'a AppState,
        applicant: &'a Applicant,
        chart: Option<i64>,
    ) -> BoxFuture<'a, Result<Challenge, AppError>> {
        Box::pin(async move {
            let pools = store::decoy_pools(&state.db).await?;
            let facts = match chart {
                Some(patient_id) => Some(store::chart_facts(&state.db, patient_id, &state.clock).await?),
                None => None,
            };
            let this_year = state.clock.today().year();
            // The same person gets the same questions at every try (seeded by a key only the
            // server holds): a new set of decoys each time would let the right answer be
            // found as the one choice every set shares.
            let mut rng = StdRng::from_seed(state.db.audit_key.derive("sign-up-quiz", &quiz_seed(applicant)));
            let real = facts.and_then(|f| questions_about(&f, &pools, this_year, &mut rng));
            // A chart with too little in it cannot be asked about: it gets decoys too.
            let (chart, (questions, right)) = match real {
                Some(quiz) => (chart, quiz),
                None => (None, decoy_questions(&pools, this_year, &mut rng)),
            };
            let kept = serde_json::to_string(&Kept { chart, right }).map_err(kept_state_error)?;
            Ok(Challenge { questions, kept })
        })
    }

    fn check<'a>(
        &'a self,
        _state: &'a AppState,
        kept: &'a str,
        answers: &'a [usize],
    ) -> BoxFuture<'a, Result<Option<i64>, AppError>> {
        Box::pin(async move {
            let kept: Kept = serde_json::from_str(kept).map_err(kept_state_error)?;
            Ok(kept.chart.filter(|_| answers == kept.right.as_slice()))
        })
    }
}

/// Who the questions are for: the name and birth date only, so that changing the postal
/// code or the phone (which decide whether a chart matched) changes nothing in them.
fn quiz_seed(a: &Applicant) -> String {
    format!("{}\u{0}{}\u{0}{}", a.given_name.to_lowercase(), a.family_name.to_lowercase(), a.birth_date)
}

/// Years a visit-month question may ask about, real or decoy: the three before this one
/// (all their months are past, and the decoys use the same years).
fn question_years(this_year: i32) -> std::ops::Range<i32> {
    this_year - 3..this_year
}

fn kept_state_error(e: serde_json::Error) -> AppError {
    tracing::error!(error = %e, "identity quiz state");
    AppError::Unavailable
}

/// Three questions about the chart, and the index of each right answer; `None` when the
/// chart has too few kinds of facts (or the clinic too few decoys) to ask three.
pub fn questions_about(
    facts: &ChartFacts,
    pools: &DecoyPools,
    this_year: i32,
    rng: &mut impl Rng,
) -> Option<(Vec<Question>, Vec<usize>)> {
    let years = question_years(this_year);
    let visits: Vec<(i32, u8)> =
        facts.visit_months.iter().copied().filter(|(y, _)| years.contains(y)).collect();
    let mut asked: Vec<(Question, usize)> = [
        visit_month(&visits, rng),
        one_of_theirs(QuestionKind::Provider, &facts.providers, &pools.providers, rng),
        one_of_theirs(QuestionKind::Medication, &facts.medications, &pools.medications, rng),
        one_of_theirs(QuestionKind::Immunization, &facts.immunizations, &pools.immunizations, rng),
    ]
    .into_iter()
    .flatten()
    .collect();
    if asked.len() < QUESTIONS {
        return None;
    }
    asked.shuffle(rng);
    Some(asked.into_iter().take(QUESTIONS).unzip())
}

/// "In which month of {year} did you have a visit?": a year with a visit and at least
/// three months without one; the choices in calendar order.
fn visit_month(visits: &[(i32, u8)], rng: &mut impl Rng) -> Option<(Question, usize)> {
    let mut years: Vec<i32> = visits.iter().map(|&(y, _)| y).collect();
    years.sort_unstable();
    years.dedup();
    years.retain(|&y| visits.iter().filter(|&&(vy, _)| vy == y).count() <= 12 - (CHOICES - 1));
    let year = *years.choose(rng)?;
    let mut visited: Vec<u8> = visits.iter().filter(|&&(y, _)| y == year).map(|&(_, m)| m).collect();
    visited.sort_unstable();
    visited.dedup();
    if visited.len() > 12 - (CHOICES - 1) {
        return None;
    }
    let right = *visited.choose(rng)?;
    let others: Vec<u8> = (1..=12).filter(|m| !visited.contains(m)).collect();
    let mut months: Vec<u8> = others.choose_multiple(rng, CHOICES - 1).copied().collect();
    months.push(right);
    months.sort_unstable();
    let index = months.iter().position(|&m| m == right)?;
    let choices = months.iter().map(u8::to_string).collect();
    Some((Question { kind: QuestionKind::VisitMonth { year }, choices }, index))
}

/// "Which of these … ?": one of the chart's own that is in the pool, and decoys from the
/// pool that are not the chart's, drawn as often as they occur.
fn one_of_theirs(
    kind: QuestionKind,
    theirs: &[String],
    pool: &[(String, u32)],
    rng: &mut impl Rng,
) -> Option<(Question, usize)> {
    let is_theirs = |name: &str| theirs.iter().any(|t| t.eq_ignore_ascii_case(name));
    let in_pool: Vec<&String> = pool.iter().map(|(n, _)| n).filter(|n| is_theirs(n)).collect();
    let right = (*in_pool.choose(rng)?).clone();
    let decoys: Vec<(String, u32)> = pool.iter().filter(|(n, _)| !is_theirs(n)).cloned().collect();
    let mut choices = weighted_names(&decoys, CHOICES - 1, rng)?;
    choices.push(right.clone());
    choices.shuffle(rng);
    let index = choices.iter().position(|c| *c == right)?;
    Some((Question { kind, choices }, index))
}

/// `count` different names from `pool`, each as likely as it is common; `None` when the
/// pool has fewer.
fn weighted_names(pool: &[(String, u32)], count: usize, rng: &mut impl Rng) -> Option<Vec<String>> {
    if pool.len() < count {
        return None;
    }
    let chosen = pool.choose_multiple_weighted(rng, count, |(_, n)| f64::from(*n)).ok()?;
    Some(chosen.map(|(name, _)| name.clone()).collect())
}

/// Questions of the same shapes with no right answer behind them: random months of a
/// recent year, random names from the clinic's records.
pub fn decoy_questions(
    pools: &DecoyPools,
    this_year: i32,
    rng: &mut impl Rng,
) -> (Vec<Question>, Vec<usize>) {
    let named = [
        (QuestionKind::Provider, &pools.providers),
        (QuestionKind::Medication, &pools.medications),
        (QuestionKind::Immunization, &pools.immunizations),
    ];
    let mut questions: Vec<Question> = named
        .into_iter()
        .filter_map(|(kind, pool)| Some(Question { kind, choices: weighted_names(pool, CHOICES, rng)? }))
        .collect();
    // As in a real quiz, a month question is one candidate among the others; more of them
    // (other years) only when the clinic's records are too few for anything else.
    let mut years: Vec<i32> = question_years(this_year).collect();
    years.shuffle(rng);
    questions.push(random_months(years[0], rng));
    questions.shuffle(rng);
    questions.truncate(QUESTIONS);
    for &year in &years[1..] {
        if questions.len() < QUESTIONS {
            questions.push(random_months(year, rng));
        }
    }
    let right = questions.iter().map(|_| rng.gen_range(0..CHOICES)).collect();
    (questions, right)
}

fn random_months(year: i32, rng: &mut impl Rng) -> Question {
    let mut months: Vec<u8> = (1..=12).collect::<Vec<u8>>().choose_multiple(rng, CHOICES).copied().collect();
    months.sort_unstable();
    Question { kind: QuestionKind::VisitMonth { year }, choices: months.iter().map(u8::to_string).collect() }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    fn counted(list: &[&str]) -> Vec<(String, u32)> {
        list.iter().map(|s| (s.to_string(), 2)).collect()
    }

    fn pools() -> DecoyPools {
        DecoyPools {
            providers: counted(&["Dr. A", "Dr. B", "Dr. C", "Dr. D", "Dr. E"]),
            medications: counted(&["Metformin", "Lisinopril", "Atorvastatin", "Albuterol", "Levothyroxine"]),
            immunizations: counted(&["Tdap", "Influenza", "COVID-19", "Hepatitis B"]),
        }
    }

    #[test]
    fn a_chart_quiz_has_one_right_answer_each_and_no_decoy_of_theirs() {
        let facts = ChartFacts {
            visit_months: vec![(2025, 3), (2025, 10)],
            providers: names(&["Dr. A"]),
            medications: names(&["Albuterol", "Levothyroxine"]),
            immunizations: names(&["Influenza"]),
        };
        for seed in 0..200 {
            let mut rng = StdRng::seed_from_u64(seed);
            let (questions, right) = questions_about(&facts, &pools(), 2026, &mut rng).expect("enough facts");
            assert_eq!(questions.len(), QUESTIONS);
            for (q, &r) in questions.iter().zip(&right) {
                assert_eq!(q.choices.len(), CHOICES);
                let theirs: Vec<&String> = q
                    .choices
                    .iter()
                    .filter(|c| match q.kind {
                        QuestionKind::VisitMonth { year } => {
                            assert_eq!(year, 2025);
                            c.as_str() == "3" || c.as_str() == "10"
                        }
                        QuestionKind::Provider => c.as_str() == "Dr. A",
                        QuestionKind::Medication => {
                            c.as_str() == "Albuterol" || c.as_str() == "Levothyroxine"
                        }
                        QuestionKind::Immunization => c.as_str() == "Influenza",
                    })
                    .collect();
                assert_eq!(theirs, vec![&q.choices[r]], "seed {seed}: {q:?}");
            }
        }
    }

    #[test]
    fn visits_this_year_or_long_ago_are_not_asked_about() {
        let facts = ChartFacts {
            visit_months: vec![(2026, 2), (2019, 5)],
            providers: names(&["Dr. A"]),
            medications: names(&["Albuterol"]),
            immunizations: names(&["Influenza"]),
        };
        for seed in 0..50 {
            let (questions, _) =
                questions_about(&facts, &pools(), 2026, &mut StdRng::seed_from_u64(seed)).unwrap();
            assert!(
                questions.iter().all(|q| !matches!(q.kind, QuestionKind::VisitMonth { .. })),
                "{questions:?}"
            );
        }
    }

    #[test]
    fn a_chart_with_two_kinds_of_facts_is_not_asked_about() {
        let facts =
            ChartFacts { visit_months: vec![(2025, 3)], providers: names(&["Dr. A"]), ..Default::default() };
        assert!(questions_about(&facts, &pools(), 2026, &mut StdRng::seed_from_u64(1)).is_none());
        // Nor one whose decoys run out.
        let few = DecoyPools { providers: counted(&["Dr. A", "Dr. B"]), ..pools() };
        let facts = ChartFacts { immunizations: vec![], medications: names(&["Albuterol"]), ..facts };
        assert!(questions_about(&facts, &few, 2026, &mut StdRng::seed_from_u64(1)).is_none());
    }

    #[test]
    fn decoy_quizzes_have_the_same_shape_even_from_an_empty_clinic() {
        for pools in [pools(), DecoyPools::default()] {
            for seed in 0..100 {
                let (questions, right) = decoy_questions(&pools, 2026, &mut StdRng::seed_from_u64(seed));
                assert_eq!(questions.len(), QUESTIONS);
                assert_eq!(right.len(), QUESTIONS);
                assert!(questions.iter().all(|q| q.choices.len() == CHOICES));
                let months =
                    questions.iter().filter(|q| matches!(q.kind, QuestionKind::VisitMonth { .. })).count();
                if !pools.providers.is_empty() {
                    assert!(months <= 1, "seed {seed}: {questions:?}");
                }
            }
        }
    }
}
