//! A national-scale made-up data set for benchmarks (`convene generate`): one programme,
//! 10,000 places, and 100,000 applications over 200 open rounds, every one with all its
//! sections answered. Written with multi-row INSERTs in large transactions.
//!
//! Round 1 holds one application per place (10,000), round 2 exactly 1,000, and the rest
//! share the remaining rounds. The first 200 places are the benchmark's applicants
//! (`bench.applicant.NNN@example.org`): in every round after the second, their application
//! is a complete draft, ready to be saved and submitted.

use crate::{Db, Result, StoreError, Tx, forms, on_tx, programmes};
use convene_domain::accounts::{Grant, Role, hash_password};
use convene_domain::applications::{answers_digest, reference};
use convene_domain::forms::{Answers, local_vision_template};
use convene_domain::imports::REGIONS;
use convene_domain::rounds::RoundPlan;
use convene_domain::{Pence, Timestamp};

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

/// A value to bind.
enum Val {
    I(i64),
    N(Option<i64>),
    T(String),
    O(Option<String>),
}

/// Inserts `rows` into `table` with one statement per `chunk` rows.
async fn insert_rows(tx: &mut Tx, table: &str, columns: &[&str], rows: Vec<Vec<Val>>) -> Result<()> {
    let width = columns.len();
    // Well under SQLite's 32,766 and PostgreSQL's 65,535 bound parameters; smaller
    // statements also prepare faster.
    let chunk = (3_000 / width).max(1);
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let batch: Vec<Vec<Val>> = rows.by_ref().take(chunk).collect();
        let mut sql = format!("INSERT INTO {table} ({}) VALUES ", columns.join(", "));
        for (r, _) in batch.iter().enumerate() {
            if r > 0 {
                sql.push(',');
            }
            sql.push('(');
            for c in 0..width {
                if c > 0 {
                    sql.push(',');
                }
                sql.push_str(&format!("${}", r * width + c + 1));
            }
            sql.push(')');
        }
        on_tx!(tx, |conn| {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for v in batch.into_iter().flatten() {
                q = match v {
                    Val::I(i) => q.bind(i),
                    Val::N(i) => q.bind(i),
                    Val::T(t) => q.bind(t),
                    Val::O(t) => q.bind(t),
                };
            }
            q.execute(conn).await?;
        });
    }
    Ok(())
}

fn malformed(e: impl std::fmt::Display) -> StoreError {
    StoreError::Malformed(e.to_string())
}

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
    let programme_id: i64 = on_tx!(&mut tx, |conn| {
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

    // Places, each with three partner organisations.
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
    insert_rows(
        &mut tx,
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
    insert_rows(&mut tx, "organisations", &["org_id", "name", "kind"], org_rows).await?;
    let orgs: Vec<(i64, String)> = on_tx!(&mut tx, |conn| {
        sqlx::query_as("SELECT id, org_id FROM organisations WHERE org_id LIKE 'GB-GEN-%'")
            .fetch_all(&mut *conn)
            .await?
    });
    let places: Vec<(i64, String)> = on_tx!(&mut tx, |conn| {
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
        &mut tx,
        "place_partners",
        &["place_id", "organisation_id"],
        partner_rows,
    )
    .await?;
    on_tx!(&mut tx, |conn| {
        sqlx::query(
            "INSERT INTO programme_places (programme_id, place_id, status) SELECT $1, id, 'applicant' FROM places \
             WHERE reference LIKE 'GEN-%'",
        )
        .bind(programme_id)
        .execute(&mut *conn)
        .await?;
    });
    let place_ids: Vec<(i64, String)> = on_tx!(&mut tx, |conn| {
        sqlx::query_as("SELECT id, reference FROM places WHERE reference LIKE 'GEN-%' ORDER BY reference")
            .fetch_all(conn)
            .await?
    });

    // Rounds, all open now, each with the Local Vision form and no sign-off needed.
    let template = local_vision_template();
    let closes = now.plus_seconds(60 * 24 * 3600);
    let mut rounds = Vec::with_capacity(rounds_n);
    for r in 0..rounds_n {
        let plan = RoundPlan {
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
        };
        let round_id = programmes::insert_round(&mut tx, programme_id, &plan, false).await?;
        programmes::set_signoff_required(&mut tx, round_id, false).await?;
        let (form_id, _) = forms::insert_version(&mut tx, round_id, &template, now, true).await?;
        rounds.push((round_id, form_id, plan.slug, plan.reference_prefix));
    }
    tx.commit().await?;

    // Which places apply to which round.
    let total = options.applications;
    let first = places_n.min(total);
    let second = 1_000.min(places_n).min(total.saturating_sub(first));
    let rest_rounds = rounds_n - 2;
    let rest = total.saturating_sub(first + second);
    let mut written = 0;
    for (r, (round_id, form_id, _, prefix)) in rounds.iter().enumerate() {
        let chosen: Vec<usize> = match r {
            0 => (0..first).collect(),
            1 => (0..second).collect(),
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
        };
        let mut tx = db.begin().await?;
        let mut next_reference = 0;
        let mut app_rows = Vec::with_capacity(chosen.len());
        let mut answers_by_place = Vec::with_capacity(chosen.len());
        for p in &chosen {
            let (place_id, place_ref) = &place_ids[*p];
            let sections = answers_for(place_ref);
            let merged: Answers = sections.iter().flat_map(|(_, a)| a.clone()).collect();
            let digest = answers_digest(&merged);
            let status = if r >= 2 && *p < APPLICANTS {
                "draft"
            } else {
                match mix(r as u64, *p as u64) % 10 {
                    0..=5 => "submitted",
                    6 | 7 => "draft",
                    8 => "awaiting_signoff",
                    _ => "withdrawn",
                }
            };
            let (reference_text, submitted_at) = if status == "submitted" {
                next_reference += 1;
                (
                    Some(reference(prefix, next_reference)),
                    Some(now.plus_seconds(-3600).0),
                )
            } else {
                (None, None)
            };
            app_rows.push(vec![
                Val::I(*round_id),
                Val::I(*place_id),
                Val::I(*form_id),
                Val::T(status.into()),
                Val::O(reference_text),
                Val::N(Some(1_000_000)),
                Val::T(digest),
                Val::I(now.0),
                Val::I(now.0),
                Val::N(submitted_at),
                Val::N((status == "withdrawn").then_some(now.0)),
                Val::O((status == "withdrawn").then(|| "Made-up reason.".to_string())),
            ]);
            answers_by_place.push((*place_id, sections));
        }
        insert_rows(
            &mut tx,
            "applications",
            &[
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
            ],
            app_rows,
        )
        .await?;
        let ids: Vec<(i64, i64)> = on_tx!(&mut tx, |conn| {
            sqlx::query_as("SELECT place_id, id FROM applications WHERE round_id = $1")
                .bind(*round_id)
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
            &mut tx,
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
        .await?;
        on_tx!(&mut tx, |conn| {
            sqlx::query("UPDATE rounds SET last_reference = $2 WHERE id = $1")
                .bind(*round_id)
                .bind(next_reference)
                .execute(conn)
                .await?;
        });
        tx.commit().await?;
        written += chosen.len();
        progress(written);
    }

    // The benchmark's people: the applicants lead the first places; one programme admin.
    let hash = hash_password(PASSWORD).map_err(malformed)?;
    let mut tx = db.begin().await?;
    let mut user_rows = Vec::new();
    for i in 0..APPLICANTS.min(places_n) {
        user_rows.push(vec![
            Val::T(format!("bench.applicant.{:03}@example.org", i + 1)),
            Val::T(format!("Bench Applicant {:03}", i + 1)),
            Val::T(hash.clone()),
            Val::I(now.0),
        ]);
    }
    user_rows.push(vec![
        Val::T("bench.admin@example.org".into()),
        Val::T("Bench Admin".into()),
        Val::T(hash.clone()),
        Val::I(now.0),
    ]);
    insert_rows(
        &mut tx,
        "users",
        &["email", "name", "password_hash", "created_at"],
        user_rows,
    )
    .await?;
    for (i, (place_id, _)) in place_ids.iter().enumerate().take(APPLICANTS.min(places_n)) {
        let email = convene_domain::Email::parse(&format!("bench.applicant.{:03}@example.org", i + 1))
            .map_err(malformed)?;
        let user = crate::users::by_email_tx(&mut tx, &email)
            .await?
            .ok_or_else(|| malformed("user"))?;
        let grant = Grant::new(Role::PlaceLead, Some(*place_id)).map_err(malformed)?;
        crate::users::grant(&mut tx, user, grant, now).await?;
    }
    let email = convene_domain::Email::parse("bench.admin@example.org").map_err(malformed)?;
    let admin = crate::users::by_email_tx(&mut tx, &email)
        .await?
        .ok_or_else(|| malformed("admin"))?;
    crate::users::grant(
        &mut tx,
        admin,
        Grant::new(Role::ProgrammeAdmin, Some(programme_id)).map_err(malformed)?,
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(Generated {
        programme_id,
        places: places_n,
        rounds: rounds_n,
        applications: written,
        largest_round: rounds[0].2.clone(),
        thousand_round: (second == 1_000).then(|| rounds[1].2.clone()),
    })
}
