//! Panel review: a round's panel and chair, its settings and rubric (here), conflicts of
//! interest (`conflicts`), bids and the assignment (`assignment`), reviews and moderation
//! (`reviews`).

pub mod assignment;
pub mod conflicts;
pub mod reviews;

use crate::rows::named_row;
use crate::{Db, Result, StoreError, Tx, on_db, on_tx};
use convene_domain::panels::rubric::Rubric;
use convene_domain::{RoundId, Timestamp, UserId};

/// A member of a round's panel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PanelMember {
    pub user_id: UserId,
    pub name: String,
    pub email: String,
    pub is_chair: bool,
    pub load_cap: u32,
    pub region: Option<String>,
    /// The round's themes the member knows.
    pub themes: Vec<String>,
}

named_row! {
    struct MemberRow {
        user_id: i64,
        name: String,
        email: String,
        is_chair: i64,
        load_cap: i64,
        region: Option<String>,
        themes: String,
    }
}

impl From<MemberRow> for PanelMember {
    fn from(r: MemberRow) -> Self {
        PanelMember {
            user_id: UserId(r.user_id),
            name: r.name,
            email: r.email,
            is_chair: r.is_chair == 1,
            load_cap: u32::try_from(r.load_cap).unwrap_or(0),
            region: r.region,
            themes: r
                .themes
                .lines()
                .filter(|t| !t.is_empty())
                .map(str::to_string)
                .collect(),
        }
    }
}

const MEMBER_SELECT: &str = "SELECT pm.user_id, u.name, u.email, pm.is_chair, pm.load_cap, pm.region, pm.themes \
     FROM panel_members pm JOIN users u ON u.id = pm.user_id";

/// Every member of a round's panel, the chair first, then by name.
pub async fn members(db: &Db, round_id: RoundId) -> Result<Vec<PanelMember>> {
    let sql = format!("{MEMBER_SELECT} WHERE pm.round_id = $1 ORDER BY pm.is_chair DESC, u.name, pm.user_id");
    let rows: Vec<MemberRow> = on_db!(db, |pool| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(round_id.0)
        .fetch_all(pool)
        .await?);
    Ok(rows.into_iter().map(PanelMember::from).collect())
}

/// One person's membership of a round's panel, if they have one.
pub async fn member(db: &Db, round_id: RoundId, user_id: UserId) -> Result<Option<PanelMember>> {
    let sql = format!("{MEMBER_SELECT} WHERE pm.round_id = $1 AND pm.user_id = $2");
    let row: Option<MemberRow> = on_db!(db, |pool| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(round_id.0)
        .bind(user_id.0)
        .fetch_optional(pool)
        .await?);
    Ok(row.map(PanelMember::from))
}

/// What an admin sets for a member.
#[derive(Debug, Clone, Copy)]
pub struct MemberSettings<'a> {
    pub load_cap: u32,
    pub region: Option<&'a str>,
    pub themes: &'a [String],
}

/// Adds a person to a round's panel (with the panel_member grant for the round), or
/// changes their settings when they are on it already.
pub async fn put_member(
    tx: &mut Tx,
    round_id: RoundId,
    user_id: UserId,
    settings: MemberSettings<'_>,
    now: Timestamp,
) -> Result<()> {
    on_tx!(tx, |conn| {
        sqlx::query(
            "INSERT INTO panel_members (round_id, user_id, is_chair, load_cap, region, themes, added_at) \
             VALUES ($1, $2, 0, $3, $4, $5, $6) ON CONFLICT (round_id, user_id) DO UPDATE SET \
             load_cap = excluded.load_cap, region = excluded.region, themes = excluded.themes",
        )
        .bind(round_id.0)
        .bind(user_id.0)
        .bind(i64::from(settings.load_cap))
        .bind(settings.region)
        .bind(settings.themes.join("\n"))
        .bind(now.0)
        .execute(&mut *conn)
        .await?;
        sqlx::query(
            "INSERT INTO grants (user_id, role, scope_id, created_at) SELECT $1, 'panel_member', $2, $3 \
             WHERE NOT EXISTS (SELECT 1 FROM grants WHERE user_id = $1 AND role = 'panel_member' AND scope_id = $2)",
        )
        .bind(user_id.0)
        .bind(round_id.0)
        .bind(now.0)
        .execute(&mut *conn)
        .await?;
    });
    Ok(())
}

/// Makes one member the round's chair (and nobody else). `NotFound` when they are not on
/// the panel.
pub async fn set_chair(tx: &mut Tx, round_id: RoundId, user_id: UserId) -> Result<()> {
    let changed = on_tx!(tx, |conn| {
        sqlx::query("UPDATE panel_members SET is_chair = 0 WHERE round_id = $1 AND is_chair = 1")
            .bind(round_id.0)
            .execute(&mut *conn)
            .await?;
        sqlx::query("UPDATE panel_members SET is_chair = 1 WHERE round_id = $1 AND user_id = $2")
            .bind(round_id.0)
            .bind(user_id.0)
            .execute(&mut *conn)
            .await?
            .rows_affected()
    });
    if changed == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// The reviews each application of the round needs.
pub async fn reviews_per_application(db: &Db, round_id: RoundId) -> Result<u32> {
    let k: Option<i64> = on_db!(db, |pool| sqlx::query_scalar(
        "SELECT reviews_per_application FROM rounds WHERE id = $1"
    )
    .bind(round_id.0)
    .fetch_optional(pool)
    .await?);
    let k = k.ok_or(StoreError::NotFound)?;
    u32::try_from(k).map_err(|_| StoreError::Malformed(format!("reviews per application {k}")))
}

pub async fn set_reviews_per_application(tx: &mut Tx, round_id: RoundId, k: u32) -> Result<()> {
    on_tx!(tx, |conn| sqlx::query(
        "UPDATE rounds SET reviews_per_application = $1 WHERE id = $2"
    )
    .bind(i64::from(k))
    .bind(round_id.0)
    .execute(&mut *conn)
    .await
    .map(|_| ())?);
    Ok(())
}

/// The round's rubric, if one has been set.
pub async fn rubric(db: &Db, round_id: RoundId) -> Result<Option<Rubric>> {
    let json: Option<String> = on_db!(db, |pool| sqlx::query_scalar(
        "SELECT definition FROM rubrics WHERE round_id = $1"
    )
    .bind(round_id.0)
    .fetch_optional(pool)
    .await?);
    json.map(|j| serde_json::from_str(&j).map_err(|e| StoreError::Malformed(format!("rubric: {e}"))))
        .transpose()
}

pub async fn set_rubric(tx: &mut Tx, round_id: RoundId, rubric: &Rubric, now: Timestamp) -> Result<()> {
    let json = serde_json::to_string(rubric).map_err(|e| StoreError::Malformed(e.to_string()))?;
    on_tx!(tx, |conn| {
        sqlx::query(
        "INSERT INTO rubrics (round_id, definition, updated_at) VALUES ($1, $2, $3) \
         ON CONFLICT (round_id) DO UPDATE SET definition = excluded.definition, updated_at = excluded.updated_at"
    )
    .bind(round_id.0)
    .bind(json)
    .bind(now.0)
    .execute(&mut *conn)
    .await
    .map(|_| ())?
    });
    Ok(())
}
