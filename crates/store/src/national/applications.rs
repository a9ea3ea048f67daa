//! The generated applications: which places apply to which round, in which state, and
//! their answers, written a round per transaction.

use super::rows::{Val, insert_rows};
use super::{APPLICANTS, GenRound, malformed};
use crate::{Db, Result, Tx, on_tx};
use convene_domain::Timestamp;
use convene_domain::applications::{answers_digest, reference};
use convene_domain::forms::Answers;

/// A small deterministic mixer, so the data set is the same every time.
fn mix(a: u64, b: u64) -> u64 {
    let mut x = a.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ b.wrapping_add(0x632B_E59B_D9B4_E019);
    x ^= x >> 31;
    x = x.wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x ^ (x >> 29)
}

/// The answers of one application, by section, for the place with `place_ref`.
fn answers_for(place_ref: &str) -> Vec<(&'static str, Answers)> {
    let text = |t: &str| t.to_string();
    let mut out = Vec::new();
    let mut about = Answers::new();
    about.insert(
        "partners".into(),
        format!("GB-GEN-{place_ref}-CCG\nGB-GEN-{place_ref}-COUNCIL"),
    );
    about.insert("theme".into(), "Physical activity".into());
    out.push(("about-your-place", about));
    for (section, key, words) in [
        (
            "breakthrough-issue",
            "breakthrough_issue",
            "Too many residents are inactive; partners will redesign how parks, leisure and primary care work together so that moving more becomes the easy choice for every age.",
        ),
        (
            "gain-for-residents",
            "gain_for_residents",
            "More people active every week, fewer falls and fewer admissions, and healthier years of life.",
        ),
        (
            "local-leadership",
            "leadership_impact",
            "Leaders across the council, the health service and the voluntary sector will hold one shared plan.",
        ),
        (
            "lessons",
            "wider_lessons",
            "How to pool small budgets across partners; written up on the knowledge hub and shared at two visits.",
        ),
    ] {
        let mut a = Answers::new();
        a.insert(key.into(), text(words));
        out.push((section, a));
    }
    let mut money = Answers::new();
    money.insert("contribution".into(), "1000000".into());
    money.insert("supporting_letter".into(), String::new());
    out.push(("contribution", money));
    out
}

/// Which places apply to which round: every place to the first, 1,000 to the second, and
/// the rest of the applications shared out over the other rounds.
pub(super) struct Spread {
    places_n: usize,
    first: usize,
    /// How many apply to the second round (1,000 when there are places and applications
    /// enough).
    pub(super) second: usize,
    rest: usize,
    rest_rounds: usize,
}

impl Spread {
    /// Spreads `total` applications over `places_n` places and `rounds_n` rounds.
    pub(super) fn new(total: usize, places_n: usize, rounds_n: usize) -> Spread {
        let first = places_n.min(total);
        let second = 1_000.min(places_n).min(total.saturating_sub(first));
        Spread {
            places_n,
            first,
            second,
            rest: total.saturating_sub(first + second),
            rest_rounds: rounds_n - 2,
        }
    }

    /// The indexes (into the places by reference) of the places applying to round `r`.
    pub(super) fn places_for(&self, r: usize) -> Vec<usize> {
        let Spread {
            places_n,
            rest,
            rest_rounds,
            ..
        } = *self;
        match r {
            0 => (0..self.first).collect(),
            1 => (0..self.second).collect(),
            _ => {
                let k = r - 2;
                let n = rest / rest_rounds + usize::from(k < rest % rest_rounds);
                let n = n.min(places_n);
                // The benchmark's applicants first, then a window of the other places.
                let bench = APPLICANTS.min(n);
                let others = places_n.saturating_sub(APPLICANTS).max(1);
                (0..bench)
                    .chain((0..n - bench).map(|j| APPLICANTS + (k * (n - bench) + j) % others))
                    .filter(|p| *p < places_n)
                    .collect()
            }
        }
    }
}

/// The state of place `p`'s application to round `r`: the benchmark's applicants keep a
/// complete draft in every round after the second; the rest are mixed, mostly submitted.
fn status_of(r: usize, p: usize) -> &'static str {
    if r >= 2 && p < APPLICANTS {
        "draft"
    } else {
        match mix(r as u64, p as u64) % 10 {
            0..=5 => "submitted",
            6 | 7 => "draft",
            8 => "awaiting_signoff",
            _ => "withdrawn",
        }
    }
}

/// Writes round `r`'s applications by the `chosen` places, with their answers, in one
/// transaction.
pub(super) async fn write_applications(
    db: &Db,
    round: &GenRound,
    r: usize,
    chosen: &[usize],
    place_ids: &[(i64, String)],
    now: Timestamp,
) -> Result<()> {
    let mut tx = db.begin().await?;
    let mut next_reference = 0;
    let mut app_rows = Vec::with_capacity(chosen.len());
    let mut answers_by_place = Vec::with_capacity(chosen.len());
    for p in chosen {
        let (place_id, place_ref) = &place_ids[*p];
        let sections = answers_for(place_ref);
        let merged: Answers = sections.iter().flat_map(|(_, a)| a.clone()).collect();
        let status = status_of(r, *p);
        let (reference_text, submitted_at) = if status == "submitted" {
            next_reference += 1;
            (
                Some(reference(&round.reference_prefix, next_reference)),
                Some(now.plus_seconds(-3600).0),
            )
        } else {
            (None, None)
        };
        app_rows.push(vec![
            Val::I(round.id),
            Val::I(*place_id),
            Val::I(round.form_id),
            Val::T(status.into()),
            Val::O(reference_text),
            Val::N(Some(1_000_000)),
            Val::T(answers_digest(&merged)),
            Val::I(now.0),
            Val::I(now.0),
            Val::N(submitted_at),
            Val::N((status == "withdrawn").then_some(now.0)),
            Val::O((status == "withdrawn").then(|| "Made-up reason.".to_string())),
        ]);
        answers_by_place.push((*place_id, sections));
    }
    insert_rows(&mut tx, "applications", &APPLICATION_COLUMNS, app_rows).await?;
    write_sections(&mut tx, round.id, answers_by_place, now).await?;
    on_tx!(&mut tx, |conn| {
        sqlx::query("UPDATE rounds SET last_reference = $2 WHERE id = $1")
            .bind(round.id)
            .bind(next_reference)
            .execute(conn)
            .await?;
    });
    tx.commit().await
}

/// The columns of an application row, in the order `write_applications` gives them.
const APPLICATION_COLUMNS: [&str; 12] = [
    "round_id",
    "place_id",
    "form_id",
    "status",
    "reference",
    "pledge_pence",
    "answers_digest",
    "created_at",
    "updated_at",
    "submitted_at",
    "withdrawn_at",
    "withdrawn_reason",
];

/// Writes the answered sections of the round's applications just written, found by place.
async fn write_sections(
    tx: &mut Tx,
    round_id: i64,
    answers_by_place: Vec<(i64, Vec<(&'static str, Answers)>)>,
    now: Timestamp,
) -> Result<()> {
    let ids: Vec<(i64, i64)> = on_tx!(tx, |conn| {
        sqlx::query_as("SELECT place_id, id FROM applications WHERE round_id = $1")
            .bind(round_id)
            .fetch_all(&mut *conn)
            .await?
    });
    let id_of: std::collections::HashMap<i64, i64> = ids.into_iter().collect();
    let mut section_rows = Vec::with_capacity(answers_by_place.len() * 6);
    for (place_id, sections) in answers_by_place {
        let app_id = *id_of
            .get(&place_id)
            .ok_or_else(|| malformed("application not written"))?;
        for (key, answers) in sections {
            section_rows.push(vec![
                Val::I(app_id),
                Val::T(key.into()),
                Val::T(serde_json::to_string(&answers).map_err(malformed)?),
                Val::I(1),
                Val::I(now.0),
            ]);
        }
    }
    insert_rows(
        tx,
        "application_sections",
        &[
            "application_id",
            "section_key",
            "answers",
            "version",
            "updated_at",
        ],
        section_rows,
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The spread the module comment promises: the first round one application per place,
    /// the second 1,000, the rest sharing the remainder, the benchmark's applicants in each.
    #[test]
    fn applications_are_spread_as_described() {
        let spread = Spread::new(100_000, 10_000, 200);
        assert_eq!(spread.places_for(0).len(), 10_000);
        assert_eq!(spread.places_for(1).len(), 1_000);
        let rest: usize = (2..200).map(|r| spread.places_for(r).len()).sum();
        assert_eq!(rest, 100_000 - 11_000);
        let third = spread.places_for(2);
        assert_eq!(&third[..APPLICANTS], (0..APPLICANTS).collect::<Vec<_>>());
        assert_eq!(status_of(2, 0), "draft");
    }
}
