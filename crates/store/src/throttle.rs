//! Failed sign-ins, per account and per client address, for a growing delay (never a
//! lockout: a lockout would let anyone lock a victim out).

use crate::{Db, Result, on_db};
use convene_domain::Timestamp;

/// Records a failed sign-in.
pub async fn record_failure(db: &Db, email: &str, client: &str, now: Timestamp) -> Result<()> {
    on_db!(db, |pool| {
        sqlx::query("INSERT INTO sign_in_failures (email, client, at) VALUES ($1, $2, $3)")
            .bind(email)
            .bind(client)
            .bind(now.0)
            .execute(pool)
            .await?;
    });
    Ok(())
}

/// Failures since `since` for this email and for this client, and the latest of them.
pub async fn recent_failures(
    db: &Db,
    email: &str,
    client: &str,
    since: Timestamp,
) -> Result<(i64, i64, Option<i64>)> {
    let row: (i64, i64, Option<i64>) = on_db!(db, |pool| {
        sqlx::query_as(
            "SELECT \
               (SELECT COUNT(*) FROM sign_in_failures WHERE email = $1 AND at > $3), \
               (SELECT COUNT(*) FROM sign_in_failures WHERE client = $2 AND at > $3), \
               (SELECT MAX(at) FROM sign_in_failures WHERE (email = $1 OR client = $2) AND at > $3)",
        )
        .bind(email)
        .bind(client)
        .bind(since.0)
        .fetch_one(pool)
        .await?
    });
    Ok(row)
}

/// Forgets an account's failures after a successful sign-in.
pub async fn clear(db: &Db, email: &str) -> Result<()> {
    on_db!(db, |pool| {
        sqlx::query("DELETE FROM sign_in_failures WHERE email = $1")
            .bind(email)
            .execute(pool)
            .await?;
    });
    Ok(())
}

/// Forgets failures older than `before` (housekeeping).
pub async fn delete_before(db: &Db, before: Timestamp) -> Result<u64> {
    let done = on_db!(db, |pool| {
        sqlx::query("DELETE FROM sign_in_failures WHERE at < $1")
            .bind(before.0)
            .execute(pool)
            .await?
            .rows_affected()
    });
    Ok(done)
}
