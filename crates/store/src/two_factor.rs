//! Two-factor sign-in records: a person's TOTP secret, the last step accepted (so a code
//! works once), and their one-time recovery codes (digests only).

use crate::{Db, Result, Tx, on_db, on_tx};
use convene_domain::Timestamp;

/// A person's TOTP secret and the last step accepted, when two-factor sign-in is on.
pub async fn secret(db: &Db, user_id: i64) -> Result<Option<(String, Option<i64>)>> {
    let row: Option<(Option<String>, Option<i64>, Option<i64>)> = on_db!(db, |pool| {
        sqlx::query_as("SELECT totp_secret, totp_last_step, totp_enabled_at FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_optional(pool)
            .await?
    });
    Ok(match row {
        Some((Some(secret), last, Some(_))) => Some((secret, last)),
        _ => None,
    })
}

/// Turns two-factor sign-in on with a confirmed secret and fresh recovery codes (replacing
/// any earlier ones).
pub async fn enable(
    tx: &mut Tx,
    user_id: i64,
    secret: &str,
    step: i64,
    recovery_digests: &[String],
    now: Timestamp,
) -> Result<()> {
    on_tx!(tx, |conn| {
        sqlx::query(
            "UPDATE users SET totp_secret = $1, totp_enabled_at = $2, totp_last_step = $3 WHERE id = $4",
        )
        .bind(secret)
        .bind(now.0)
        .bind(step)
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
        sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1")
            .bind(user_id)
            .execute(&mut *conn)
            .await?;
        for digest in recovery_digests {
            sqlx::query("INSERT INTO recovery_codes (user_id, code_digest) VALUES ($1, $2)")
                .bind(user_id)
                .bind(digest)
                .execute(&mut *conn)
                .await?;
        }
        Ok(())
    })
}

/// Turns two-factor sign-in off and removes the recovery codes.
pub async fn disable(tx: &mut Tx, user_id: i64) -> Result<()> {
    on_tx!(tx, |conn| {
        sqlx::query("UPDATE users SET totp_secret = NULL, totp_enabled_at = NULL, totp_last_step = NULL WHERE id = $1")
            .bind(user_id)
            .execute(&mut *conn)
            .await?;
        sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1")
            .bind(user_id)
            .execute(&mut *conn)
            .await?;
        Ok(())
    })
}

/// Records that a code of `step` was used; false if that step (or a later one) already was,
/// so two requests racing with one code cannot both succeed.
pub async fn spend_step(db: &Db, user_id: i64, step: i64) -> Result<bool> {
    let done = on_db!(db, |pool| {
        sqlx::query(
            "UPDATE users SET totp_last_step = $1 WHERE id = $2 AND (totp_last_step IS NULL OR totp_last_step < $1)",
        )
        .bind(step)
        .bind(user_id)
        .execute(pool)
        .await?
        .rows_affected()
    });
    Ok(done == 1)
}

/// Spends a recovery code by its digest; false when it is not one of theirs or was used.
pub async fn spend_recovery_code(db: &Db, user_id: i64, digest: &str, now: Timestamp) -> Result<bool> {
    let done = on_db!(db, |pool| {
        sqlx::query("UPDATE recovery_codes SET used_at = $1 WHERE user_id = $2 AND code_digest = $3 AND used_at IS NULL")
            .bind(now.0)
            .bind(user_id)
            .bind(digest)
            .execute(pool)
            .await?
            .rows_affected()
    });
    Ok(done == 1)
}

/// How many unused recovery codes a person has left.
pub async fn recovery_codes_left(db: &Db, user_id: i64) -> Result<i64> {
    let (n,): (i64,) = on_db!(db, |pool| {
        sqlx::query_as("SELECT COUNT(*) FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL")
            .bind(user_id)
            .fetch_one(pool)
            .await?
    });
    Ok(n)
}
