//! Rounds: a programme's calls for applications.

use crate::{Db, Result, Tx, on_db, on_tx};
use convene_domain::{Pence, Timestamp};

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
