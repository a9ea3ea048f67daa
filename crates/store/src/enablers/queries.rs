//! A place lead's query of a contact entry: the enabler answers, an admin settles it
//! ('upheld': the entry stands; 'corrected': it was changed or taken off).

use crate::rows::named_row;
use crate::{Db, Result, StoreError, Tx, on_db, on_tx};
use convene_domain::{Timestamp, UserId};

/// A query as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query {
    pub id: i64,
    pub entry_id: i64,
    pub engagement_id: i64,
    pub reason: String,
    pub raised_at: Timestamp,
    pub answer: Option<String>,
    pub answered_at: Option<Timestamp>,
    pub settlement: Option<String>,
    pub settlement_note: Option<String>,
    pub settled_at: Option<Timestamp>,
}

named_row! {
    struct QueryRow {
        id: i64,
        entry_id: i64,
        engagement_id: i64,
        reason: String,
        raised_at: i64,
        answer: Option<String>,
        answered_at: Option<i64>,
        settlement: Option<String>,
        settlement_note: Option<String>,
        settled_at: Option<i64>,
    }
}

impl From<QueryRow> for Query {
    fn from(r: QueryRow) -> Self {
        Query {
            id: r.id,
            entry_id: r.entry_id,
            engagement_id: r.engagement_id,
            reason: r.reason,
            raised_at: Timestamp(r.raised_at),
            answer: r.answer,
            answered_at: r.answered_at.map(Timestamp),
            settlement: r.settlement,
            settlement_note: r.settlement_note,
            settled_at: r.settled_at.map(Timestamp),
        }
    }
}

const QUERY_SELECT: &str = "SELECT q.id, q.entry_id, c.engagement_id, q.reason, q.raised_at, q.answer, q.answered_at, \
     q.settlement, q.settlement_note, q.settled_at FROM contact_queries q JOIN contact_entries c ON c.id = q.entry_id";

/// An engagement's queries, oldest first.
pub async fn of_engagement(db: &Db, engagement_id: i64) -> Result<Vec<Query>> {
    let sql = format!("{QUERY_SELECT} WHERE c.engagement_id = $1 ORDER BY q.id");
    let rows: Vec<QueryRow> = on_db!(db, |pool| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(engagement_id)
        .fetch_all(pool)
        .await?);
    Ok(rows.into_iter().map(Query::from).collect())
}

/// One query.
pub async fn query(db: &Db, id: i64) -> Result<Query> {
    let sql = format!("{QUERY_SELECT} WHERE q.id = $1");
    let row: Option<QueryRow> = on_db!(db, |pool| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(pool)
        .await?);
    row.map(Query::from).ok_or(StoreError::NotFound)
}

/// Whether the entry has a query not yet settled.
pub async fn open_on(tx: &mut Tx, entry_id: i64) -> Result<bool> {
    let (n,): (i64,) = on_tx!(tx, |conn| sqlx::query_as(
        "SELECT COUNT(*) FROM contact_queries WHERE entry_id = $1 AND settled_at IS NULL"
    )
    .bind(entry_id)
    .fetch_one(conn)
    .await?);
    Ok(n > 0)
}

/// Raises a query of an entry; returns its id.
pub async fn raise(tx: &mut Tx, entry_id: i64, reason: &str, by: UserId, now: Timestamp) -> Result<i64> {
    let (id,): (i64,) = on_tx!(tx, |conn| {
        sqlx::query_as(
        "INSERT INTO contact_queries (entry_id, raised_by, reason, raised_at) VALUES ($1, $2, $3, $4) RETURNING id"
    )
    .bind(entry_id)
    .bind(by.0)
    .bind(reason)
    .bind(now.0)
    .fetch_one(conn)
    .await?
    });
    Ok(id)
}

/// The enabler's answer, while the query is not settled: true when saved.
pub async fn answer(tx: &mut Tx, id: i64, answer: &str, by: UserId, now: Timestamp) -> Result<bool> {
    let n = on_tx!(tx, |conn| {
        sqlx::query(
        "UPDATE contact_queries SET answer = $1, answered_by = $2, answered_at = $3 WHERE id = $4 AND settled_at IS NULL"
    )
    .bind(answer)
    .bind(by.0)
    .bind(now.0)
    .bind(id)
    .execute(conn)
    .await?
    .rows_affected()
    });
    Ok(n == 1)
}

/// An admin's settlement, once: true when this call settled it.
pub async fn settle(
    tx: &mut Tx,
    id: i64,
    (settlement, note): (&str, &str),
    by: UserId,
    now: Timestamp,
) -> Result<bool> {
    let n = on_tx!(tx, |conn| {
        sqlx::query(
        "UPDATE contact_queries SET settlement = $1, settlement_note = $2, settled_by = $3, settled_at = $4 \
         WHERE id = $5 AND settled_at IS NULL"
    )
    .bind(settlement)
    .bind(note)
    .bind(by.0)
    .bind(now.0)
    .bind(id)
    .execute(conn)
    .await?
    .rows_affected()
    });
    Ok(n == 1)
}
