//! The audit log: who changed what, and when. People are named by user id only, so that
//! erasing a person never rewrites history.

use crate::{Db, Result, Tx, on_db, on_tx};
use convene_domain::Timestamp;
use convene_domain::audit::AuditAction;

/// One change to record.
#[derive(Debug, Clone)]
pub struct Entry<'a> {
    pub actor_user_id: Option<i64>,
    /// The change; it also names the kind of record (`record_type`).
    pub action: AuditAction,
    pub record_id: Option<i64>,
    pub detail: &'a str,
}

/// A recorded change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recorded {
    pub at: Timestamp,
    pub actor_user_id: Option<i64>,
    pub action: String,
    pub record_type: String,
    pub record_id: Option<i64>,
    pub detail: String,
}

/// Records a change in the same transaction as the change itself.
pub async fn record(tx: &mut Tx, entry: Entry<'_>, now: Timestamp) -> Result<()> {
    on_tx!(tx, |conn| {
        sqlx::query(
            "INSERT INTO audit_log (at, actor_user_id, action, record_type, record_id, detail) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(now.0)
        .bind(entry.actor_user_id)
        .bind(entry.action.key())
        .bind(entry.action.record().key())
        .bind(entry.record_id)
        .bind(entry.detail)
        .execute(conn)
        .await?;
        Ok(())
    })
}

/// The most recent entries, newest first.
pub async fn recent(db: &Db, limit: i64) -> Result<Vec<Recorded>> {
    type Row = (i64, Option<i64>, String, String, Option<i64>, String);
    let rows: Vec<Row> = on_db!(db, |pool| {
        sqlx::query_as(
            "SELECT at, actor_user_id, action, record_type, record_id, detail FROM audit_log \
             ORDER BY id DESC LIMIT $1",
        )
        .bind(limit)
        .fetch_all(pool)
        .await?
    });
    Ok(rows
        .into_iter()
        .map(
            |(at, actor_user_id, action, record_type, record_id, detail)| Recorded {
                at: Timestamp(at),
                actor_user_id,
                action,
                record_type,
                record_id,
                detail,
            },
        )
        .collect())
}

/// Records a change with no further detail: who, what, which record.
pub async fn log(
    tx: &mut Tx,
    actor_user_id: Option<i64>,
    action: AuditAction,
    record_id: Option<i64>,
    now: Timestamp,
) -> Result<()> {
    let entry = Entry {
        actor_user_id,
        action,
        record_id,
        detail: "",
    };
    record(tx, entry, now).await
}
