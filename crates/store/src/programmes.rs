//! Programmes, their partner bodies and fund, rounds, and the places taking part.

use crate::{Db, Result, Tx, on_db, on_tx};
use convene_domain::programmes::{FundPosition, PlaceKind, fund_position};
use convene_domain::{Pence, Timestamp};

/// A programme with its fund worked out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Programme {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub summary: String,
    pub contact_email: String,
    pub fund: FundPosition,
    /// The public page, in Markdown (rendered and sanitised by the web layer).
    pub page_markdown: String,
}

/// A partner body's contribution to a programme's fund.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Partner {
    pub organisation_name: String,
    pub org_id: String,
    pub contribution: Pence,
}

/// A call for applications.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Round {
    pub id: i64,
    pub programme_id: i64,
    pub slug: String,
    pub name: String,
    pub reference_prefix: String,
    pub opens_at: Timestamp,
    pub closes_at: Timestamp,
    pub places_offered: i64,
    pub eligibility: String,
    pub review_ends_at: Timestamp,
    pub notify_by: Timestamp,
    pub launch_event_at: Option<Timestamp>,
    pub launch_event_location: Option<String>,
    pub value_per_place: Pence,
    pub themes: Vec<String>,
    /// True when an application counts as complete only with the board chair's sign-off.
    pub signoff_required: bool,
}

/// A local area taking part in programmes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    pub id: i64,
    pub reference: String,
    pub name: String,
    pub kind: PlaceKind,
    pub ons_code: Option<String>,
    pub region: Option<String>,
    pub hwb_chair_name: Option<String>,
    pub hwb_chair_email: Option<String>,
    /// The programmes this place takes part in.
    pub programme_ids: Vec<i64>,
    /// Where it stands in each of those programmes, in the same order: a place shared by
    /// programmes has a status and a breakthrough issue in each.
    pub memberships: Vec<PlaceInProgramme>,
}

/// A place's standing in one programme.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlaceInProgramme {
    pub programme_id: i64,
    /// "underway", "applicant", ...
    pub status: Option<String>,
    pub breakthrough_issue: Option<String>,
}

impl Place {
    /// Where the place stands in one programme, if it takes part in it.
    pub fn in_programme(&self, programme_id: i64) -> Option<&PlaceInProgramme> {
        self.memberships.iter().find(|m| m.programme_id == programme_id)
    }
}

type ProgrammeRow = (i64, String, String, String, String, i64, String);

const PROGRAMME_SELECT: &str = "SELECT p.id, p.slug, p.name, p.summary, p.contact_email, \
     CAST(COALESCE((SELECT SUM(pp.contribution_pence) FROM programme_partners pp WHERE pp.programme_id = p.id), 0) AS BIGINT), \
     p.page_markdown FROM programmes p";

fn to_programme((id, slug, name, summary, contact_email, total, page_markdown): ProgrammeRow) -> Programme {
    // Awards arrive with the review capability; until then nothing is awarded.
    let fund = fund_position(&[Pence(total)], &[]);
    Programme {
        id,
        slug,
        name,
        summary,
        contact_email,
        fund,
        page_markdown,
    }
}

/// Every programme, by name.
pub async fn list(db: &Db) -> Result<Vec<Programme>> {
    let sql = format!("{PROGRAMME_SELECT} ORDER BY LOWER(p.name), p.id");
    let rows: Vec<ProgrammeRow> = on_db!(db, |pool| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .fetch_all(pool)
        .await?);
    Ok(rows.into_iter().map(to_programme).collect())
}

/// The programmes with these ids, by name.
pub async fn by_ids(db: &Db, ids: &[i64]) -> Result<Vec<Programme>> {
    let all = list(db).await?;
    Ok(all.into_iter().filter(|p| ids.contains(&p.id)).collect())
}

/// One programme by its slug.
pub async fn by_slug(db: &Db, slug: &str) -> Result<Option<Programme>> {
    let sql = format!("{PROGRAMME_SELECT} WHERE p.slug = $1");
    let row: Option<ProgrammeRow> = on_db!(db, |pool| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(slug)
        .fetch_optional(pool)
        .await?);
    Ok(row.map(to_programme))
}

/// A programme's partner bodies and what each put in.
pub async fn partners(db: &Db, programme_id: i64) -> Result<Vec<Partner>> {
    let rows: Vec<(String, String, i64)> = on_db!(db, |pool| {
        sqlx::query_as(
            "SELECT o.name, o.org_id, pp.contribution_pence FROM programme_partners pp \
             JOIN organisations o ON o.id = pp.organisation_id WHERE pp.programme_id = $1 ORDER BY o.name",
        )
        .bind(programme_id)
        .fetch_all(pool)
        .await?
    });
    Ok(rows
        .into_iter()
        .map(|(organisation_name, org_id, c)| Partner {
            organisation_name,
            org_id,
            contribution: Pence(c),
        })
        .collect())
}

type RoundRow = (
    i64,
    i64,
    String,
    String,
    String,
    i64,
    i64,
    i64,
    String,
    i64,
    i64,
    Option<i64>,
    Option<String>,
    i64,
    String,
    i64,
);

/// A programme's rounds, newest first.
pub async fn rounds(db: &Db, programme_id: i64) -> Result<Vec<Round>> {
    let rows: Vec<RoundRow> = on_db!(db, |pool| {
        sqlx::query_as(
            "SELECT id, programme_id, slug, name, reference_prefix, opens_at, closes_at, places_offered, \
             eligibility, review_ends_at, notify_by, launch_event_at, launch_event_location, \
             value_per_place_pence, themes, signoff_required FROM rounds WHERE programme_id = $1 ORDER BY opens_at DESC",
        )
        .bind(programme_id)
        .fetch_all(pool)
        .await?
    });
    Ok(rows.into_iter().map(to_round).collect())
}

fn to_round(r: RoundRow) -> Round {
    Round {
        id: r.0,
        programme_id: r.1,
        slug: r.2,
        name: r.3,
        reference_prefix: r.4,
        opens_at: Timestamp(r.5),
        closes_at: Timestamp(r.6),
        places_offered: r.7,
        eligibility: r.8,
        review_ends_at: Timestamp(r.9),
        notify_by: Timestamp(r.10),
        launch_event_at: r.11.map(Timestamp),
        launch_event_location: r.12,
        value_per_place: Pence(r.13),
        themes: r
            .14
            .split('\n')
            .filter(|t| !t.is_empty())
            .map(str::to_string)
            .collect(),
        signoff_required: r.15 != 0,
    }
}

type PlaceRow = (
    i64,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<i64>,
    Option<String>,
    Option<String>,
);

const PLACE_SELECT: &str = "SELECT pl.id, pl.reference, pl.name, pl.kind, pl.ons_code, pl.region, \
     pl.hwb_chair_name, pl.hwb_chair_email, pp.programme_id, pp.status, pp.breakthrough_issue \
     FROM places pl LEFT JOIN programme_places pp ON pp.place_id = pl.id";

/// Folds rows of place × programme into places with their programme ids.
fn to_places(rows: Vec<PlaceRow>) -> Vec<Place> {
    let mut places: Vec<Place> = Vec::new();
    for r in rows {
        let membership = r.8.map(|programme_id| PlaceInProgramme {
            programme_id,
            status: r.9.clone(),
            breakthrough_issue: r.10.clone(),
        });
        if let Some(last) = places.last_mut().filter(|p| p.id == r.0) {
            last.programme_ids.extend(r.8);
            last.memberships.extend(membership);
            continue;
        }
        places.push(Place {
            id: r.0,
            reference: r.1,
            name: r.2,
            kind: PlaceKind::from_key(&r.3).unwrap_or(PlaceKind::Other),
            ons_code: r.4,
            region: r.5,
            hwb_chair_name: r.6,
            hwb_chair_email: r.7,
            programme_ids: r.8.into_iter().collect(),
            memberships: membership.into_iter().collect(),
        });
    }
    places
}

/// One place with the programmes it takes part in.
pub async fn place(db: &Db, id: i64) -> Result<Option<Place>> {
    let sql = format!("{PLACE_SELECT} WHERE pl.id = $1 ORDER BY pl.id, pp.programme_id");
    let rows: Vec<PlaceRow> = on_db!(db, |pool| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_all(pool)
        .await?);
    Ok(to_places(rows).pop())
}

/// The places taking part in a programme, by name.
pub async fn places_in(db: &Db, programme_id: i64) -> Result<Vec<Place>> {
    let sql = format!(
        "{PLACE_SELECT} WHERE pl.id IN (SELECT place_id FROM programme_places WHERE programme_id = $1) \
         ORDER BY LOWER(pl.name), pl.id, pp.programme_id"
    );
    let rows: Vec<PlaceRow> = on_db!(db, |pool| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(programme_id)
        .fetch_all(pool)
        .await?);
    Ok(to_places(rows))
}

/// The places with these ids, by name.
pub async fn places_by_ids(db: &Db, ids: &[i64]) -> Result<Vec<Place>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    // One query for all of them: a placeholder per id, which both stores accept.
    let placeholders: Vec<String> = (1..=ids.len()).map(|i| format!("${i}")).collect();
    let sql = format!(
        "{PLACE_SELECT} WHERE pl.id IN ({}) ORDER BY LOWER(pl.name), pl.id, pp.programme_id",
        placeholders.join(", ")
    );
    let rows: Vec<PlaceRow> = on_db!(db, |pool| {
        let mut query = sqlx::query_as(sqlx::AssertSqlSafe(sql));
        for id in ids {
            query = query.bind(*id);
        }
        query.fetch_all(pool).await?
    });
    Ok(to_places(rows))
}

/// Changes a programme's summary text.
pub async fn set_summary(tx: &mut Tx, programme_id: i64, summary: &str) -> Result<bool> {
    on_tx!(tx, |conn| {
        let done = sqlx::query("UPDATE programmes SET summary = $1 WHERE id = $2")
            .bind(summary)
            .bind(programme_id)
            .execute(conn)
            .await?;
        Ok(done.rows_affected() == 1)
    })
}

/// Changes a programme's public page (Markdown).
pub async fn set_page_markdown(tx: &mut Tx, programme_id: i64, markdown: &str) -> Result<bool> {
    on_tx!(tx, |conn| {
        let done = sqlx::query("UPDATE programmes SET page_markdown = $1 WHERE id = $2")
            .bind(markdown)
            .bind(programme_id)
            .execute(conn)
            .await?;
        Ok(done.rows_affected() == 1)
    })
}

/// Changes the Health and Wellbeing Board chair's contact on a place.
pub async fn set_hwb_chair(tx: &mut Tx, place_id: i64, name: &str, email: &str) -> Result<bool> {
    on_tx!(tx, |conn| {
        let done = sqlx::query("UPDATE places SET hwb_chair_name = $1, hwb_chair_email = $2 WHERE id = $3")
            .bind(name)
            .bind(email)
            .bind(place_id)
            .execute(conn)
            .await?;
        Ok(done.rows_affected() == 1)
    })
}

/// A place's id from its reference ("PL-0001").
pub async fn place_by_reference(db: &Db, reference: &str) -> Result<Option<i64>> {
    let row: Option<(i64,)> = on_db!(db, |pool| {
        sqlx::query_as("SELECT id FROM places WHERE reference = $1")
            .bind(reference.trim())
            .fetch_optional(pool)
            .await?
    });
    Ok(row.map(|(id,)| id))
}

/// One round by id.
pub async fn round(db: &Db, id: i64) -> Result<Option<Round>> {
    let row: Option<RoundRow> = on_db!(db, |pool| {
        sqlx::query_as(
            "SELECT id, programme_id, slug, name, reference_prefix, opens_at, closes_at, places_offered, \
             eligibility, review_ends_at, notify_by, launch_event_at, launch_event_location, \
             value_per_place_pence, themes, signoff_required FROM rounds WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(pool)
        .await?
    });
    Ok(row.map(to_round))
}

/// Every round of every programme, newest first.
pub async fn all_rounds(db: &Db) -> Result<Vec<Round>> {
    let rows: Vec<RoundRow> = on_db!(db, |pool| {
        sqlx::query_as(
            "SELECT id, programme_id, slug, name, reference_prefix, opens_at, closes_at, places_offered, \
             eligibility, review_ends_at, notify_by, launch_event_at, launch_event_location, \
             value_per_place_pence, themes, signoff_required FROM rounds ORDER BY opens_at DESC",
        )
        .fetch_all(pool)
        .await?
    });
    Ok(rows.into_iter().map(to_round).collect())
}

/// Creates a round in a programme; a name already used there gives
/// [`crate::StoreError::Duplicate`], or, with `keep_existing`, returns the existing round's
/// id unchanged (for loading fixed data twice).
pub async fn insert_round(
    tx: &mut Tx,
    programme_id: i64,
    plan: &convene_domain::rounds::RoundPlan,
    keep_existing: bool,
) -> Result<i64> {
    let on_conflict = if keep_existing {
        " ON CONFLICT (programme_id, slug) DO NOTHING"
    } else {
        ""
    };
    let sql = format!(
        "INSERT INTO rounds (programme_id, slug, name, reference_prefix, opens_at, closes_at, places_offered, \
         eligibility, review_ends_at, notify_by, launch_event_at, launch_event_location, value_per_place_pence, \
         themes) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14){on_conflict}"
    );
    on_tx!(tx, |conn| {
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(programme_id)
            .bind(&plan.slug)
            .bind(&plan.name)
            .bind(&plan.reference_prefix)
            .bind(plan.opens_at.0)
            .bind(plan.closes_at.0)
            .bind(plan.places_offered)
            .bind(&plan.eligibility)
            .bind(plan.review_ends_at.0)
            .bind(plan.notify_by.0)
            .bind(plan.launch_event_at.map(|t| t.0))
            .bind(&plan.launch_event_location)
            .bind(plan.value_per_place.0)
            .bind(plan.themes.join("\n"))
            .execute(&mut *conn)
            .await?;
        let (id,): (i64,) = sqlx::query_as("SELECT id FROM rounds WHERE programme_id = $1 AND slug = $2")
            .bind(programme_id)
            .bind(&plan.slug)
            .fetch_one(conn)
            .await?;
        Ok(id)
    })
}

/// Records (or changes) a partner body's contribution to a programme's fund.
pub async fn set_contribution(
    tx: &mut Tx,
    programme_id: i64,
    organisation_id: i64,
    amount: Pence,
) -> Result<()> {
    on_tx!(tx, |conn| {
        sqlx::query(
            "INSERT INTO programme_partners (programme_id, organisation_id, contribution_pence) VALUES ($1, $2, $3) \
             ON CONFLICT (programme_id, organisation_id) DO UPDATE SET contribution_pence = excluded.contribution_pence",
        )
        .bind(programme_id)
        .bind(organisation_id)
        .bind(amount.0)
        .execute(conn)
        .await?;
        Ok(())
    })
}

/// Sets whether a round's applications need the board chair's sign-off to be submitted.
pub async fn set_signoff_required(tx: &mut Tx, round_id: i64, required: bool) -> Result<()> {
    on_tx!(tx, |conn| {
        sqlx::query("UPDATE rounds SET signoff_required = $2 WHERE id = $1")
            .bind(round_id)
            .bind(i64::from(required))
            .execute(conn)
            .await?;
        Ok(())
    })
}

/// A lead's proposed change to a place's board chair contact, awaiting an admin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChairProposal {
    pub id: i64,
    pub place_id: i64,
    pub name: String,
    pub email: String,
    pub created_at: Timestamp,
}

/// Records a proposed change to the board chair's contact.
pub async fn propose_chair(
    tx: &mut Tx,
    place_id: i64,
    user_id: i64,
    name: &str,
    email: &str,
    now: Timestamp,
) -> Result<i64> {
    on_tx!(tx, |conn| {
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO chair_proposals (place_id, proposed_by, name, email, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(place_id)
        .bind(user_id)
        .bind(name)
        .bind(email)
        .bind(now.0)
        .fetch_one(conn)
        .await?;
        Ok(id)
    })
}

/// The undecided proposals for a place, oldest first.
pub async fn open_chair_proposals(db: &Db, place_id: i64) -> Result<Vec<ChairProposal>> {
    let rows: Vec<(i64, i64, String, String, i64)> = on_db!(db, |pool| {
        sqlx::query_as(
            "SELECT id, place_id, name, email, created_at FROM chair_proposals \
             WHERE place_id = $1 AND decided_at IS NULL ORDER BY id",
        )
        .bind(place_id)
        .fetch_all(pool)
        .await?
    });
    Ok(rows
        .into_iter()
        .map(|(id, place_id, name, email, created_at)| ChairProposal {
            id,
            place_id,
            name,
            email,
            created_at: Timestamp(created_at),
        })
        .collect())
}

/// Decides a proposal of this place; on approval the place's chair contact changes.
/// Returns false when there is no such undecided proposal.
pub async fn decide_chair_proposal(
    tx: &mut Tx,
    place_id: i64,
    proposal_id: i64,
    approve: bool,
    user_id: i64,
    now: Timestamp,
) -> Result<bool> {
    let decided: Option<(String, String)> = on_tx!(tx, |conn| {
        sqlx::query_as(
            "UPDATE chair_proposals SET decided_at = $3, decided_by = $4, approved = $5 \
             WHERE id = $1 AND place_id = $2 AND decided_at IS NULL RETURNING name, email",
        )
        .bind(proposal_id)
        .bind(place_id)
        .bind(now.0)
        .bind(user_id)
        .bind(i64::from(approve))
        .fetch_optional(conn)
        .await?
    });
    match decided {
        None => Ok(false),
        Some((name, email)) => {
            if approve {
                set_hwb_chair(tx, place_id, &name, &email).await?;
            }
            Ok(true)
        }
    }
}
