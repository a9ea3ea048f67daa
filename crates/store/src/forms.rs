//! Application forms: one row per version of a round's form. The newest version is the
//! one new applications use; an application keeps the version it was started on.

use crate::{Db, Result, StoreError, Tx, on_db, on_tx};
use convene_domain::RoundId;
use convene_domain::Timestamp;
use convene_domain::forms::FormDefinition;

/// One version of a round's form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredForm {
    pub id: i64,
    pub round_id: i64,
    pub version: i64,
    pub definition: FormDefinition,
    pub created_at: Timestamp,
    /// When it became the form for new applications; none while being prepared.
    pub published_at: Option<Timestamp>,
}

type Row = (i64, i64, i64, String, i64, Option<i64>);

fn to_form((id, round_id, version, definition, created_at, published_at): Row) -> Result<StoredForm> {
    Ok(StoredForm {
        id,
        round_id,
        version,
        definition: serde_json::from_str(&definition)
            .map_err(|e| StoreError::Malformed(format!("form {id}: {e}")))?,
        created_at: Timestamp(created_at),
        published_at: published_at.map(Timestamp),
    })
}

const COLUMNS: &str = "id, round_id, version, definition, created_at, published_at";

/// The version of a round's form that new applications use: the newest published one.
pub async fn current(db: &Db, round_id: RoundId) -> Result<Option<StoredForm>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM forms WHERE round_id = $1 AND published_at IS NOT NULL ORDER BY version DESC LIMIT 1"
    );
    let row: Option<Row> = on_db!(db, |pool| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(round_id.0)
        .fetch_optional(pool)
        .await?);
    row.map(to_form).transpose()
}

/// A newer version being prepared (not yet published), if there is one.
pub async fn draft(db: &Db, round_id: RoundId) -> Result<Option<StoredForm>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM forms WHERE round_id = $1 AND published_at IS NULL ORDER BY version DESC LIMIT 1"
    );
    let row: Option<Row> = on_db!(db, |pool| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(round_id.0)
        .fetch_optional(pool)
        .await?);
    row.map(to_form).transpose()
}

/// One form version by id.
pub async fn by_id(db: &Db, id: i64) -> Result<Option<StoredForm>> {
    let sql = format!("SELECT {COLUMNS} FROM forms WHERE id = $1");
    let row: Option<Row> = on_db!(db, |pool| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(pool)
        .await?);
    row.map(to_form).transpose()
}

fn encode(definition: &FormDefinition) -> Result<String> {
    serde_json::to_string(definition).map_err(|e| StoreError::Malformed(e.to_string()))
}

/// Adds a new version of a round's form, published at once or kept as a draft, and
/// returns its id and version number.
pub async fn insert_version(
    tx: &mut Tx,
    round_id: RoundId,
    definition: &FormDefinition,
    now: Timestamp,
    published: bool,
) -> Result<(i64, i64)> {
    let json = encode(definition)?;
    on_tx!(tx, |conn| {
        let (version,): (i64,) =
            sqlx::query_as("SELECT COALESCE(MAX(version), 0) + 1 FROM forms WHERE round_id = $1")
                .bind(round_id.0)
                .fetch_one(&mut *conn)
                .await?;
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO forms (round_id, version, definition, created_at, published_at) VALUES ($1, $2, $3, $4, $5) \
             RETURNING id",
        )
        .bind(round_id.0)
        .bind(version)
        .bind(&json)
        .bind(now.0)
        .bind(published.then_some(now.0))
        .fetch_one(conn)
        .await?;
        Ok((id, version))
    })
}

/// Replaces the questions of a form version that is not yet frozen. Refuses (returns
/// false) when any application was started on it: those answers belong to its questions.
pub async fn replace_unfrozen(tx: &mut Tx, form_id: i64, definition: &FormDefinition) -> Result<bool> {
    let json = encode(definition)?;
    on_tx!(tx, |conn| {
        let done = sqlx::query(
            "UPDATE forms SET definition = $2 WHERE id = $1 \
             AND NOT EXISTS (SELECT 1 FROM applications a WHERE a.form_id = forms.id)",
        )
        .bind(form_id)
        .bind(&json)
        .execute(conn)
        .await?;
        Ok(done.rows_affected() == 1)
    })
}

/// Makes a prepared version the form for new applications.
pub async fn publish(tx: &mut Tx, form_id: i64, now: Timestamp) -> Result<bool> {
    on_tx!(tx, |conn| {
        let done = sqlx::query("UPDATE forms SET published_at = $2 WHERE id = $1 AND published_at IS NULL")
            .bind(form_id)
            .bind(now.0)
            .execute(conn)
            .await?;
        Ok(done.rows_affected() == 1)
    })
}

/// Every version of a round's form, oldest first (exports read each answer against the
/// version its application was started on).
pub async fn all_versions(db: &Db, round_id: RoundId) -> Result<Vec<StoredForm>> {
    let sql = format!("SELECT {COLUMNS} FROM forms WHERE round_id = $1 ORDER BY version");
    let rows: Vec<Row> = on_db!(db, |pool| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(round_id.0)
        .fetch_all(pool)
        .await?);
    rows.into_iter().map(to_form).collect()
}
