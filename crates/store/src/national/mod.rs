//! A national-scale made-up data set for benchmarks (`convene generate`): one programme,
//! 10,000 places, and 100,000 applications over 200 open rounds, every one with all its
//! sections answered. Written with multi-row INSERTs in large transactions.
//!
//! Round 1 holds one application per place (10,000), round 2 exactly 1,000, and the rest
//! share the remaining rounds. The first 200 places are the benchmark's applicants
//! (`bench.applicant.NNN@example.org`): in every round after the second, their application
//! is a complete draft, ready to be saved and submitted.
//!
//! Here: the programme, places, rounds and people, in named steps; `applications` holds
//! the applications and their answers, `rows` the multi-row INSERT they all go through;
//! `panels` makes a round under review on the demo data, for the moderation benchmark.

mod applications;
pub mod panels;
mod rows;

use crate::{Db, Result, StoreError, Tx, forms, on_tx, programmes};
use applications::{Spread, write_applications};
use convene_domain::accounts::{Grant, Role, hash_password};
use convene_domain::forms::local_vision_template;
use convene_domain::imports::REGIONS;
use convene_domain::rounds::RoundPlan;
use convene_domain::{Pence, Timestamp};
use convene_domain::{ProgrammeId, RoundId, UserId};
use rows::{Val, insert_rows};

/// The generated programme's slug.
pub const SLUG: &str = "national-generated";
/// The password of every generated account.
pub const PASSWORD: &str = "generated-bench-2026";
/// How many places are benchmark applicants.
pub const APPLICANTS: usize = 200;

/// What to make.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    pub applications: usize,
    pub rounds: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            applications: 100_000,
            rounds: 200,
        }
    }
}

/// What was made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Generated {
    pub programme_id: i64,
    pub places: usize,
    pub rounds: usize,
    pub applications: usize,
    /// Round slugs by size: the largest round, and the round of 1,000 (when there is one).
    pub largest_round: String,
    pub thousand_round: Option<String>,
}

fn malformed(e: impl std::fmt::Display) -> StoreError {
    StoreError::Malformed(e.to_string())
}
/// Makes the data set. `progress` is called with the number of applications written so far.
pub async fn generate(
    db: &Db,
    options: Options,
    now: Timestamp,
    mut progress: impl FnMut(usize),
) -> Result<Generated> {
    if programmes::by_slug(db, SLUG).await?.is_some() {
        return Err(StoreError::Duplicate(format!(
            "programme {SLUG} (the data set is already here)"
        )));
    }
    let rounds_n = options.rounds.max(2);
    // Half as many places as applications, up to 10,000: enough for the largest round to
    // hold one application per place and the rest to share the other rounds.
    let places_n = (options.applications / 2).clamp(1, 10_000);
    let mut tx = db.begin().await?;
    let programme_id = insert_programme(&mut tx, now).await?;
    let place_ids = insert_places(&mut tx, programme_id, places_n).await?;
    let rounds = insert_rounds(&mut tx, programme_id, rounds_n, now).await?;
    tx.commit().await?;

    let spread = Spread::new(options.applications, places_n, rounds_n);
    let mut written = 0;
    for (r, round) in rounds.iter().enumerate() {
        let chosen = spread.places_for(r);
        write_applications(db, round, r, &chosen, &place_ids, now).await?;
        written += chosen.len();
        progress(written);
    }
    insert_people(db, programme_id, &place_ids, places_n, now).await?;
    Ok(Generated {
        programme_id,
        places: places_n,
        rounds: rounds_n,
        applications: written,
        largest_round: rounds[0].slug.clone(),
        thousand_round: (spread.second == 1_000).then(|| rounds[1].slug.clone()),
    })
}

/// The generated programme itself.
async fn insert_programme(tx: &mut Tx, now: Timestamp) -> Result<i64> {
    let programme_id: i64 = on_tx!(tx, |conn| {
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO programmes (slug, name, summary, contact_email, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(SLUG)
        .bind("National leadership fund (generated)")
        .bind("A made-up programme at national scale, for benchmarks.")
        .bind("generated@example.org")
        .bind(now.0)
        .fetch_one(conn)
        .await?;
        id
    });
    Ok(programme_id)
}

/// The rows of `places_n` places, and of their three partner organisations each.
fn place_and_organisation_rows(places_n: usize) -> (Vec<Vec<Val>>, Vec<Vec<Val>>) {
    let kinds = ["council", "council", "council", "ics", "stp_footprint", "other"];
    let mut place_rows = Vec::with_capacity(places_n);
    let mut org_rows = Vec::with_capacity(places_n * 3);
    for i in 0..places_n {
        let reference = format!("GEN-{:05}", i + 1);
        let name = format!("Generated Place {:05}", i + 1);
        place_rows.push(vec![
            Val::T(reference.clone()),
            Val::T(name.clone()),
            Val::T(kinds[i % kinds.len()].into()),
            Val::T(REGIONS[i % REGIONS.len()].into()),
            Val::T(format!("Chair of {name}")),
            Val::T(format!("chair.gen{:05}@example.org", i + 1)),
        ]);
        for (suffix, what) in [
            ("COUNCIL", "Council"),
            ("CCG", "Clinical Commissioning Group"),
            ("CVS", "Voluntary Action"),
        ] {
            org_rows.push(vec![
                Val::T(format!("GB-GEN-{reference}-{suffix}")),
                Val::T(format!("{name} {what}")),
                Val::T("local_partner".into()),
            ]);
        }
    }
    (place_rows, org_rows)
}

/// Places, each with three partner organisations, all in the programme as applicants.
/// Returns every place's id and reference, by reference.
async fn insert_places(tx: &mut Tx, programme_id: i64, places_n: usize) -> Result<Vec<(i64, String)>> {
    let (place_rows, org_rows) = place_and_organisation_rows(places_n);
    insert_rows(
        tx,
        "places",
        &[
            "reference",
            "name",
            "kind",
            "region",
            "hwb_chair_name",
            "hwb_chair_email",
        ],
        place_rows,
    )
    .await?;
    insert_rows(tx, "organisations", &["org_id", "name", "kind"], org_rows).await?;
    link_partners(tx).await?;
    on_tx!(tx, |conn| {
        sqlx::query(
            "INSERT INTO programme_places (programme_id, place_id, status) SELECT $1, id, 'applicant' FROM places \
             WHERE reference LIKE 'GEN-%'",
        )
        .bind(programme_id)
        .execute(&mut *conn)
        .await?;
    });
    let place_ids: Vec<(i64, String)> = on_tx!(tx, |conn| {
        sqlx::query_as("SELECT id, reference FROM places WHERE reference LIKE 'GEN-%' ORDER BY reference")
            .fetch_all(conn)
            .await?
    });
    Ok(place_ids)
}

/// Makes each generated organisation a partner of the place its org-id names.
async fn link_partners(tx: &mut Tx) -> Result<()> {
    let orgs: Vec<(i64, String)> = on_tx!(tx, |conn| {
        sqlx::query_as("SELECT id, org_id FROM organisations WHERE org_id LIKE 'GB-GEN-%'")
            .fetch_all(&mut *conn)
            .await?
    });
    let places: Vec<(i64, String)> = on_tx!(tx, |conn| {
        sqlx::query_as("SELECT id, reference FROM places WHERE reference LIKE 'GEN-%'")
            .fetch_all(&mut *conn)
            .await?
    });
    let place_of: std::collections::HashMap<&str, i64> =
        places.iter().map(|(id, r)| (r.as_str(), *id)).collect();
    let partner_rows: Vec<Vec<Val>> = orgs
        .iter()
        .filter_map(|(org, org_id)| {
            // GB-GEN-GEN-00001-CCG belongs to place GEN-00001.
            let reference = org_id.strip_prefix("GB-GEN-")?.rsplit_once('-')?.0;
            place_of
                .get(reference)
                .map(|place| vec![Val::I(*place), Val::I(*org)])
        })
        .collect();
    insert_rows(
        tx,
        "place_partners",
        &["place_id", "organisation_id"],
        partner_rows,
    )
    .await
}

/// A generated round as the applications need it.
struct GenRound {
    id: i64,
    form_id: i64,
    slug: String,
    reference_prefix: String,
}

/// The `r`th round (from 0): open now, closing in 60 days.
fn round_plan(r: usize, now: Timestamp) -> RoundPlan {
    let closes = now.plus_seconds(60 * 24 * 3600);
    RoundPlan {
        name: format!("Generated round {:03}", r + 1),
        slug: format!("round-{:03}", r + 1),
        reference_prefix: format!("GEN-{:03}", r + 1),
        opens_at: now.plus_seconds(-30 * 24 * 3600),
        closes_at: closes,
        places_offered: 50,
        value_per_place: Pence::pounds(35_000),
        eligibility: "Made-up places of the generated data set.".into(),
        review_ends_at: closes.plus_seconds(14 * 24 * 3600),
        notify_by: closes.plus_seconds(17 * 24 * 3600),
        launch_event_at: None,
        launch_event_location: None,
        themes: vec!["Physical activity".into(), "Alcohol".into(), "Other".into()],
    }
}

/// Rounds, all open now, each with the Local Vision form and no sign-off needed.
async fn insert_rounds(
    tx: &mut Tx,
    programme_id: i64,
    rounds_n: usize,
    now: Timestamp,
) -> Result<Vec<GenRound>> {
    let template = local_vision_template();
    let mut rounds = Vec::with_capacity(rounds_n);
    for r in 0..rounds_n {
        let plan = round_plan(r, now);
        let round_id = programmes::insert_round(tx, ProgrammeId(programme_id), &plan, false).await?;
        programmes::set_signoff_required(tx, RoundId(round_id), false).await?;
        let (form_id, _) = forms::insert_version(tx, RoundId(round_id), &template, now, true).await?;
        rounds.push(GenRound {
            id: round_id,
            form_id,
            slug: plan.slug,
            reference_prefix: plan.reference_prefix,
        });
    }
    Ok(rounds)
}

/// The benchmark's people: the applicants lead the first places; one programme admin.
async fn insert_people(
    db: &Db,
    programme_id: i64,
    place_ids: &[(i64, String)],
    places_n: usize,
    now: Timestamp,
) -> Result<()> {
    let applicants = APPLICANTS.min(places_n);
    let hash = hash_password(PASSWORD).map_err(malformed)?;
    let mut tx = db.begin().await?;
    let mut user_rows = Vec::new();
    for i in 0..applicants {
        user_rows.push(vec![
            Val::T(format!("bench.applicant.{:03}@example.org", i + 1)),
            Val::T(format!("Bench Applicant {:03}", i + 1)),
            Val::T(hash.clone()),
            Val::I(now.0),
            Val::I(now.0),
        ]);
    }
    user_rows.push(vec![
        Val::T("bench.admin@example.org".into()),
        Val::T("Bench Admin".into()),
        Val::T(hash.clone()),
        Val::I(now.0),
        Val::I(now.0),
    ]);
    insert_rows(
        &mut tx,
        "users",
        // Confirmed addresses: an unconfirmed account cannot sign in (docs/decisions/0001).
        &[
            "email",
            "name",
            "password_hash",
            "created_at",
            "email_verified_at",
        ],
        user_rows,
    )
    .await?;
    for (i, (place_id, _)) in place_ids.iter().enumerate().take(applicants) {
        let email = convene_domain::Email::parse(&format!("bench.applicant.{:03}@example.org", i + 1))
            .map_err(malformed)?;
        let user = crate::users::by_email_tx(&mut tx, &email)
            .await?
            .ok_or_else(|| malformed("user"))?;
        let grant = Grant::new(Role::PlaceLead, Some(*place_id)).map_err(malformed)?;
        crate::users::grant(&mut tx, UserId(user), grant, now).await?;
    }
    let email = convene_domain::Email::parse("bench.admin@example.org").map_err(malformed)?;
    let admin = crate::users::by_email_tx(&mut tx, &email)
        .await?
        .ok_or_else(|| malformed("admin"))?;
    crate::users::grant(
        &mut tx,
        UserId(admin),
        Grant::new(Role::ProgrammeAdmin, Some(programme_id)).map_err(malformed)?,
        now,
    )
    .await?;
    tx.commit().await
}
