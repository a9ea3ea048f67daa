//! Sign-in sessions, kept in the database so several servers share them.

use crate::{Db, Result, on_db};
use convene_domain::Timestamp;
use convene_domain::UserId;

/// A stored session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored {
    pub user_id: Option<i64>,
    pub data: String,
    pub expires_at: Timestamp,
}

/// Creates a session; false when the id is taken (the caller picks another).
pub async fn create(
    db: &Db,
    id: &str,
    user_id: Option<i64>,
    data: &str,
    expires_at: Timestamp,
) -> Result<bool> {
    let done = on_db!(db, |pool| {
        sqlx::query(
            "INSERT INTO sessions (id, user_id, data, expires_at) VALUES ($1, $2, $3, $4) ON CONFLICT (id) DO NOTHING",
        )
        .bind(id)
        .bind(user_id)
        .bind(data)
        .bind(expires_at.0)
        .execute(pool)
        .await?
        .rows_affected()
    });
    Ok(done == 1)
}

/// Updates a live session; false when it no longer exists (it was signed out, perhaps by
/// "sign out everywhere"), so an ended session is never written back to life.
pub async fn update(
    db: &Db,
    id: &str,
    user_id: Option<i64>,
    data: &str,
    expires_at: Timestamp,
) -> Result<bool> {
    let done = on_db!(db, |pool| {
        sqlx::query("UPDATE sessions SET user_id = $2, data = $3, expires_at = $4 WHERE id = $1")
            .bind(id)
            .bind(user_id)
            .bind(data)
            .bind(expires_at.0)
            .execute(pool)
            .await?
            .rows_affected()
    });
    Ok(done == 1)
}

/// Reads a session that has not expired.
pub async fn load(db: &Db, id: &str, now: Timestamp) -> Result<Option<Stored>> {
    let row: Option<(Option<i64>, String, i64)> = on_db!(db, |pool| {
        sqlx::query_as("SELECT user_id, data, expires_at FROM sessions WHERE id = $1 AND expires_at > $2")
            .bind(id)
            .bind(now.0)
            .fetch_optional(pool)
            .await?
    });
    Ok(row.map(|(user_id, data, expires_at)| Stored {
        user_id,
        data,
        expires_at: Timestamp(expires_at),
    }))
}

/// Ends one session.
pub async fn delete(db: &Db, id: &str) -> Result<()> {
    on_db!(db, |pool| {
        sqlx::query("DELETE FROM sessions WHERE id = $1")
            .bind(id)
            .execute(pool)
            .await?;
    });
    Ok(())
}

/// Ends every session of a person ("sign out everywhere", password change, erasure).
pub async fn delete_for_user(db: &Db, user_id: UserId) -> Result<u64> {
    let done = on_db!(db, |pool| {
        sqlx::query("DELETE FROM sessions WHERE user_id = $1")
            .bind(user_id.0)
            .execute(pool)
            .await?
            .rows_affected()
    });
    Ok(done)
}

/// Removes expired sessions.
pub async fn delete_expired(db: &Db, now: Timestamp) -> Result<u64> {
    let done = on_db!(db, |pool| {
        sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
            .bind(now.0)
            .execute(pool)
            .await?
            .rows_affected()
    });
    Ok(done)
}

/// How many live sessions a person has (browsers and devices signed in).
pub async fn count_for_user(db: &Db, user_id: UserId, now: Timestamp) -> Result<i64> {
    let (n,): (i64,) = on_db!(db, |pool| {
        sqlx::query_as("SELECT COUNT(*) FROM sessions WHERE user_id = $1 AND expires_at > $2")
            .bind(user_id.0)
            .bind(now.0)
            .fetch_one(pool)
            .await?
    });
    Ok(n)
}

/// Ends every session of a person but one (after a password change, keep the one in use).
pub async fn delete_others(db: &Db, user_id: UserId, keep: &str) -> Result<u64> {
    let done = on_db!(db, |pool| {
        sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND id <> $2")
            .bind(user_id.0)
            .bind(keep)
            .execute(pool)
            .await?
            .rows_affected()
    });
    Ok(done)
}
