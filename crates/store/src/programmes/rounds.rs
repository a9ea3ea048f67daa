//! Rounds: a programme's calls for applications.

use crate::rows::named_row;
use crate::{Db, Result, Tx, on_db, on_tx};
use convene_domain::{Pence, Timestamp};
use convene_domain::{ProgrammeId, RoundId};

pub use convene_domain::programmes::Round;

named_row! {
    /// A round as stored: times in seconds, themes one to a line, the sign-off flag 0 or 1.
    struct RoundRow {
        id: i64,
        programme_id: i64,
        slug: String,
        name: String,
        reference_prefix: String,
        opens_at: i64,
        closes_at: i64,
        places_offered: i64,
        eligibility: String,
        review_ends_at: i64,
        notify_by: i64,
        launch_event_at: Option<i64>,
        launch_event_location: Option<String>,
        value_per_place_pence: i64,
        themes: String,
        signoff_required: i64,
    }
}

const ROUND_COLUMNS: &str = "id, programme_id, slug, name, reference_prefix, opens_at, closes_at, places_offered, \
     eligibility, review_ends_at, notify_by, launch_event_at, launch_event_location, \
     value_per_place_pence, themes, signoff_required";

impl From<RoundRow> for Round {
    fn from(row: RoundRow) -> Self {
        Round {
            id: RoundId(row.id),
            programme_id: ProgrammeId(row.programme_id),
            slug: row.slug,
            name: row.name,
            reference_prefix: row.reference_prefix,
            opens_at: Timestamp(row.opens_at),
            closes_at: Timestamp(row.closes_at),
            places_offered: row.places_offered,
            eligibility: row.eligibility,
            review_ends_at: Timestamp(row.review_ends_at),
            notify_by: Timestamp(row.notify_by),
            launch_event_at: row.launch_event_at.map(Timestamp),
            launch_event_location: row.launch_event_location,
            value_per_place: Pence(row.value_per_place_pence),
            themes: row
                .themes
                .split('\n')
                .filter(|t| !t.is_empty())
                .map(str::to_string)
                .collect(),
            signoff_required: row.signoff_required != 0,
        }
    }
}

/// A programme's rounds, newest first.
pub async fn rounds(db: &Db, programme_id: ProgrammeId) -> Result<Vec<Round>> {
    let sql = format!("SELECT {ROUND_COLUMNS} FROM rounds WHERE programme_id = $1 ORDER BY opens_at DESC");
    let rows: Vec<RoundRow> = on_db!(db, |pool| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(programme_id.0)
        .fetch_all(pool)
        .await?);
    Ok(rows.into_iter().map(Round::from).collect())
}

/// One round by id.
pub async fn round(db: &Db, id: i64) -> Result<Option<Round>> {
    let sql = format!("SELECT {ROUND_COLUMNS} FROM rounds WHERE id = $1");
    let row: Option<RoundRow> = on_db!(db, |pool| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(pool)
        .await?);
    Ok(row.map(Round::from))
}

/// Every round of every programme, newest first.
pub async fn all_rounds(db: &Db) -> Result<Vec<Round>> {
    let sql = format!("SELECT {ROUND_COLUMNS} FROM rounds ORDER BY opens_at DESC");
    let rows: Vec<RoundRow> = on_db!(db, |pool| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .fetch_all(pool)
        .await?);
    Ok(rows.into_iter().map(Round::from).collect())
}

/// Creates a round in a programme; a name already used there gives
/// [`crate::StoreError::Duplicate`], or, with `keep_existing`, returns the existing round's
/// id unchanged (for loading fixed data twice).
pub async fn insert_round(
    tx: &mut Tx,
    programme_id: ProgrammeId,
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
            .bind(programme_id.0)
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
            .bind(programme_id.0)
            .bind(&plan.slug)
            .fetch_one(conn)
            .await?;
        Ok(id)
    })
}

/// Sets whether a round's applications need the board chair's sign-off to be submitted.
pub async fn set_signoff_required(tx: &mut Tx, round_id: RoundId, required: bool) -> Result<()> {
    on_tx!(tx, |conn| {
        sqlx::query("UPDATE rounds SET signoff_required = $2 WHERE id = $1")
            .bind(round_id.0)
            .bind(i64::from(required))
            .execute(conn)
            .await?;
        Ok(())
    })
}
