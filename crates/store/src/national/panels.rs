//! A round under review at scale, for the moderation benchmark (`convene-bench moderation`):
//! 500 generated places (`GEN-00001`…, made here with their three partner organisations
//! each) have submitted to a closed round of the demo's Local Vision programme; eight
//! made-up panel members with the demo password, the first in the chair, have declared a
//! few conflicts, been assigned three to an application, and submitted every review, each
//! criterion scored with a comment of a sentence or two; reviewers differ by two points on
//! one criterion of every tenth application; the chair has recorded an agreed score on
//! every fourth.
//!
//! Needs the demo data (the programme and its admin) in a database without the generated
//! data set (the places would share its references). Written in three transactions. The
//! applications carry no answers: nothing that reads a panel's work needs them.

use std::collections::{BTreeMap, BTreeSet};

use super::rows::{Val, insert_rows};
use super::{insert_places, malformed, round_plan};
use crate::demo::{DEMO_ACCOUNTS, DEMO_PASSWORD};
use crate::panels::assignment::{Assigned, Run, record_run};
use crate::panels::reviews::{self, ModerationSave, ReviewSave, ReviewSaved};
use crate::panels::{self as store, MemberSettings};
use crate::{Db, Result, StoreError, Tx, forms, on_tx, programmes, users};
use convene_domain::accounts::{Role, hash_password};
use convene_domain::applications::{answers_digest, reference};
use convene_domain::forms::{Answers, local_vision_template};
use convene_domain::imports::REGIONS;
use convene_domain::panels::conflicts::{ConflictWith, Parties, conflicted};
use convene_domain::panels::rubric::Rubric;
use convene_domain::panels::scoring::CriterionScore;
use convene_domain::{ApplicationId, Email, PlaceId, ProgrammeId, RoundId, Timestamp, UserId};

/// How many places submit to the round.
pub const APPLICATIONS: usize = 500;
/// How many members review each application.
pub const REVIEWS_PER_APPLICATION: usize = 3;
const DAY: i64 = 24 * 3600;

/// The panel (made-up people): name and email. The first chairs.
const PANEL: [(&str, &str); 8] = [
    ("Avery Assessly", "avery.assessly@example.org"),
    ("Blair Benchmore", "blair.benchmore@example.org"),
    ("Carmen Criterio", "carmen.criterio@example.org"),
    ("Dale Deliberate", "dale.deliberate@example.org"),
    ("Emery Evidencia", "emery.evidencia@example.org"),
    ("Frankie Fairscore", "frankie.fairscore@example.org"),
    ("Gale Gradewell", "gale.gradewell@example.org"),
    ("Harper Heedwell", "harper.heedwell@example.org"),
];

/// What a member declared a conflict with.
enum With {
    /// The place at this position among the generated places.
    Place(usize),
    /// A partner organisation of that place, by the end of its org-id.
    Partner(usize, &'static str),
}

/// The declarations: the member (by position in [`PANEL`]), what with, and why.
const CONFLICTS: [(usize, With, &str); 4] = [
    (
        1,
        With::Place(6),
        "I chair the befriending network in Generated Place 00007.",
    ),
    (
        3,
        With::Partner(41, "CCG"),
        "I sat on this clinical commissioning group's board until last year.",
    ),
    (
        5,
        With::Place(99),
        "My partner leads the council's public health team in this place.",
    ),
    (
        5,
        With::Partner(249, "CVS"),
        "I am a trustee of this voluntary action charity.",
    ),
];

/// A panel member as the benchmark signs them in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seat {
    pub name: String,
    pub email: String,
    pub user_id: UserId,
    pub chair: bool,
    /// How many applications their moderation page lists: all but those their conflicts cover.
    pub sees: usize,
}

/// What was made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnderReview {
    pub round_id: RoundId,
    pub seats: Vec<Seat>,
    pub applications: usize,
    pub reviews: usize,
    pub conflicts: usize,
    pub moderations: usize,
}

/// Makes the round and everything in it (see the module comment).
pub async fn round_under_review(db: &Db, now: Timestamp) -> Result<UnderReview> {
    let programme = programmes::by_slug(db, "local-vision")
        .await?
        .ok_or(StoreError::NotFound)?;
    let mut tx = db.begin().await?;
    let (round, closes) = closed_round(&mut tx, programme.id, now).await?;
    let (applied, place_ids) = submit_applications(&mut tx, programme.id, round, closes).await?;
    tx.commit().await?;

    let parties = store::conflicts::parties_of_round(db, round).await?;
    let at = closes.plus_seconds(DAY);
    let mut tx = db.begin().await?;
    let members = seat_panel(&mut tx, round, at).await?;
    let covered = declare_conflicts(&mut tx, round, &members, &place_ids, &parties, at).await?;
    let pairs = assign(&mut tx, round, &members, &applied, &covered, at.plus_seconds(DAY)).await?;
    tx.commit().await?;

    let mut tx = db.begin().await?;
    let reviewed_at = at.plus_seconds(7 * DAY);
    score(&mut tx, round, &applied, &pairs, reviewed_at).await?;
    let moderations = moderate(
        &mut tx,
        round,
        members[0],
        &applied,
        reviewed_at.plus_seconds(DAY),
    )
    .await?;
    tx.commit().await?;

    let seats = PANEL
        .iter()
        .zip(&members)
        .enumerate()
        .map(|(m, ((name, email), user_id))| Seat {
            name: name.to_string(),
            email: email.to_string(),
            user_id: *user_id,
            chair: m == 0,
            sees: applied.len() - covered.iter().filter(|(who, _)| *who == m).count(),
        })
        .collect();
    Ok(UnderReview {
        round_id: round,
        seats,
        applications: applied.len(),
        reviews: pairs.len(),
        conflicts: CONFLICTS.len(),
        moderations,
    })
}

/// The round, its form, rubric and reviews per application: closed a fortnight before
/// `now`, its review ending four weeks after. Returns its id and closing time.
async fn closed_round(tx: &mut Tx, programme: ProgrammeId, now: Timestamp) -> Result<(RoundId, Timestamp)> {
    let closes_at = now.plus_seconds(-14 * DAY);
    let review_ends_at = closes_at.plus_seconds(42 * DAY);
    let plan = convene_domain::rounds::RoundPlan {
        name: "Local Vision: moderation benchmark round".into(),
        slug: "moderation-benchmark".into(),
        reference_prefix: "LV-MOD".into(),
        opens_at: closes_at.plus_seconds(-56 * DAY),
        closes_at,
        review_ends_at,
        notify_by: review_ends_at.plus_seconds(7 * DAY),
        ..round_plan(0, now)
    };
    let round = RoundId(programmes::insert_round(tx, programme, &plan, false).await?);
    forms::insert_version(
        tx,
        round,
        &local_vision_template(),
        plan.opens_at.plus_seconds(-DAY),
        true,
    )
    .await?;
    store::set_reviews_per_application(tx, round, REVIEWS_PER_APPLICATION as u32).await?;
    store::set_rubric(tx, round, &Rubric::local_vision(), plan.opens_at).await?;
    Ok((round, closes_at))
}

/// The generated places, and an application from each, submitted in the last three weeks
/// before `closes`. Returns the applications by id and the places (id, reference) in order.
async fn submit_applications(
    tx: &mut Tx,
    programme: ProgrammeId,
    round: RoundId,
    closes: Timestamp,
) -> Result<(Vec<ApplicationId>, Vec<(i64, String)>)> {
    let place_ids = insert_places(tx, programme.0, APPLICATIONS).await?;
    let form_id: i64 = on_tx!(tx, |conn| {
        sqlx::query_scalar("SELECT id FROM forms WHERE round_id = $1")
            .bind(round.0)
            .fetch_one(conn)
            .await?
    });
    let digest = answers_digest(&Answers::new());
    let rows = place_ids
        .iter()
        .enumerate()
        .map(|(i, (place_id, _))| {
            let submitted = closes.plus_seconds(-((i as i64 * 37) % 500) * 3600);
            vec![
                Val::I(round.0),
                Val::I(*place_id),
                Val::I(form_id),
                Val::T("submitted".into()),
                Val::T(reference("LV-MOD", i as i64 + 1)),
                Val::I(500_000 + (i as i64 % 7) * 250_000),
                Val::T(digest.clone()),
                Val::I(submitted.plus_seconds(-10 * DAY).0),
                Val::I(submitted.0),
                Val::I(submitted.0),
            ]
        })
        .collect();
    let columns = [
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
    ];
    insert_rows(tx, "applications", &columns, rows).await?;
    let ids: Vec<i64> = on_tx!(tx, |conn| {
        sqlx::query("UPDATE rounds SET last_reference = $2 WHERE id = $1")
            .bind(round.0)
            .bind(APPLICATIONS as i64)
            .execute(&mut *conn)
            .await?;
        sqlx::query_scalar("SELECT id FROM applications WHERE round_id = $1 ORDER BY id")
            .bind(round.0)
            .fetch_all(&mut *conn)
            .await?
    });
    Ok((ids.into_iter().map(ApplicationId).collect(), place_ids))
}

/// The panel's accounts (confirmed, with the demo password), on the panel with the first
/// in the chair; returns their ids in [`PANEL`]'s order.
async fn seat_panel(tx: &mut Tx, round: RoundId, at: Timestamp) -> Result<Vec<UserId>> {
    let hash = hash_password(DEMO_PASSWORD).map_err(malformed)?;
    let themes: Vec<String> = round_plan(0, at).themes;
    let mut ids = Vec::new();
    for (m, (name, email)) in PANEL.iter().enumerate() {
        let email = Email::parse(email).map_err(malformed)?;
        let id = UserId(users::create(tx, &email, name, &hash, at).await?);
        let settings = MemberSettings {
            load_cap: 200,
            region: Some(REGIONS[m % REGIONS.len()]),
            themes: &themes[m % 2..],
        };
        store::put_member(tx, round, id, settings, at).await?;
        ids.push(id);
    }
    store::set_chair(tx, round, ids[0]).await?;
    Ok(ids)
}

/// Records [`CONFLICTS`]; returns the (member, application) pairs they cover, by the
/// domain's rule.
async fn declare_conflicts(
    tx: &mut Tx,
    round: RoundId,
    members: &[UserId],
    place_ids: &[(i64, String)],
    parties: &BTreeMap<ApplicationId, Parties>,
    at: Timestamp,
) -> Result<BTreeSet<(usize, ApplicationId)>> {
    let mut declared: BTreeMap<usize, Vec<ConflictWith>> = BTreeMap::new();
    for (i, (m, with, reason)) in CONFLICTS.iter().enumerate() {
        let with = match with {
            With::Place(p) => ConflictWith::Place(PlaceId(place_ids[*p].0)),
            With::Partner(p, suffix) => {
                let org_id = format!("GB-GEN-{}-{suffix}", place_ids[*p].1);
                let id: i64 = on_tx!(tx, |conn| {
                    sqlx::query_scalar("SELECT id FROM organisations WHERE org_id = $1")
                        .bind(&org_id)
                        .fetch_one(conn)
                        .await?
                });
                ConflictWith::Organisation(id)
            }
        };
        let when = at.plus_seconds(i as i64 * 3600);
        store::conflicts::declare(tx, round, members[*m], with, reason, when).await?;
        declared.entry(*m).or_default().push(with);
    }
    let mut covered = BTreeSet::new();
    for (m, withs) in &declared {
        for (application, p) in parties {
            if conflicted(withs, p) {
                covered.insert((*m, *application));
            }
        }
    }
    Ok(covered)
}

/// Three members to each application, taken in turn around the panel (skipping anyone
/// conflicted on it), recorded as a run by the demo's programme admin.
async fn assign(
    tx: &mut Tx,
    round: RoundId,
    members: &[UserId],
    applied: &[ApplicationId],
    covered: &BTreeSet<(usize, ApplicationId)>,
    at: Timestamp,
) -> Result<Vec<Assigned>> {
    let mut pairs = Vec::new();
    for (a, application) in applied.iter().enumerate() {
        let chosen = (0..members.len())
            .map(|k| (a * REVIEWS_PER_APPLICATION + k) % members.len())
            .filter(|m| !covered.contains(&(*m, *application)))
            .take(REVIEWS_PER_APPLICATION);
        pairs.extend(chosen.map(|m| Assigned {
            application_id: *application,
            user_id: members[m],
            affinity: 1 + (m + a) as i64 % 3,
            by_hand: false,
        }));
    }
    let run = Run {
        id: 0,
        run_at: at,
        outcome: "assigned".into(),
        total_affinity: pairs.iter().map(|p| p.affinity).sum(),
        explanation: "[]".into(),
    };
    let admin = DEMO_ACCOUNTS
        .iter()
        .find(|a| a.role == Role::ProgrammeAdmin)
        .ok_or(StoreError::NotFound)?;
    let email = Email::parse(admin.email).map_err(malformed)?;
    let by = users::by_email_tx(tx, &email)
        .await?
        .ok_or(StoreError::NotFound)?;
    record_run(tx, round, UserId(by), &run, &pairs).await?;
    Ok(pairs)
}

/// What a comment is about, by criterion (the Local Vision rubric's, in order).
const SUBJECTS: [&str; 5] = [
    "The case for this issue",
    "What residents would gain",
    "The change to how local leaders work together",
    "The plan to share lessons",
    "The local contribution",
];

/// What a comment says of each point of the scale, after its subject.
const VERDICTS: [&str; 5] = [
    "is not made out: I could not find what would change, or for whom.",
    "is described only in general terms, with little local evidence behind it.",
    "is credible, though it leans on intentions more than on evidence so far.",
    "is well argued and backed by figures the partners already collect.",
    "is exceptional: specific, evidenced, and owned by every partner who signed.",
];

/// A second sentence some comments add.
const FOLLOW_UPS: [&str; 4] = [
    " I would ask at interview how the partners will keep this going once the funding ends.",
    " The letters from the voluntary sector strengthen this part considerably.",
    " A clearer timetable for the first year would help the panel judge it.",
    "",
];

/// Every assigned review, submitted, an application at a time.
async fn score(
    tx: &mut Tx,
    round: RoundId,
    applied: &[ApplicationId],
    pairs: &[Assigned],
    at: Timestamp,
) -> Result<()> {
    let rubric = Rubric::local_vision();
    let position: BTreeMap<ApplicationId, usize> =
        applied.iter().enumerate().map(|(a, id)| (*id, a)).collect();
    let mut reviewer = BTreeMap::new();
    for (i, pair) in pairs.iter().enumerate() {
        let a = position[&pair.application_id];
        let r: &mut usize = reviewer.entry(a).or_default();
        let scores = scores(&rubric, a, *r);
        *r += 1;
        let save = ReviewSave {
            round_id: round,
            application_id: pair.application_id,
            user_id: pair.user_id,
            expected_version: 0,
            scores: &scores,
            submit: true,
        };
        let ReviewSaved::Saved { .. } = reviews::save(tx, &save, at.plus_seconds(i as i64 * 600)).await?
        else {
            return Err(malformed("a benchmark review was already saved"));
        };
    }
    Ok(())
}

/// The `reviewer`th reviewer's scores on the `a`th application: 2 to 4 by application and
/// criterion, a point more from every other reviewer; on one criterion of every tenth
/// application the first reviewer gives 2 and the rest 4, so the page flags it.
fn scores(rubric: &Rubric, a: usize, reviewer: usize) -> Vec<CriterionScore> {
    let flagged_on = (a % 10 == 3).then_some((a / 10) % rubric.criteria.len());
    rubric
        .criteria
        .iter()
        .enumerate()
        .map(|(c, criterion)| {
            let score: u8 = match flagged_on {
                Some(f) if f == c => [2, 4][usize::from(reviewer > 0)],
                _ => (2 + (a / 2 + 2 * c) % 3 + (reviewer + c) % 2) as u8,
            };
            let subject = SUBJECTS[c % SUBJECTS.len()];
            let follow_up = FOLLOW_UPS[(a + reviewer + c) % FOLLOW_UPS.len()];
            CriterionScore {
                criterion: criterion.key.clone(),
                score: Some(score),
                comment: format!("{subject} {}{follow_up}", VERDICTS[usize::from(score) - 1]),
            }
        })
        .collect()
}

/// The chair's agreed score and note on every fourth application; returns how many.
async fn moderate(
    tx: &mut Tx,
    round: RoundId,
    chair: UserId,
    applied: &[ApplicationId],
    at: Timestamp,
) -> Result<usize> {
    let notes = [
        "Agreed after discussion: the panel accepted the second reviewer's reading of the evidence.",
        "The panel would fund this if a clearer first-year timetable is sent before the award.",
        "",
    ];
    let mut made = 0;
    for (a, application) in applied.iter().enumerate().step_by(4) {
        let save = ModerationSave {
            round_id: round,
            application_id: *application,
            expected_version: 0,
            agreed_tenths: 25 + (a as i64 * 3) % 20,
            note: notes[a % notes.len()],
            by: chair,
        };
        if reviews::moderate(tx, &save, at.plus_seconds(a as i64 * 60))
            .await?
            .is_none()
        {
            return Err(malformed("a benchmark moderation was already recorded"));
        }
        made += 1;
    }
    Ok(made)
}
