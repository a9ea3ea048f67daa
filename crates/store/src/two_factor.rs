//! Two-factor sign-in records: a person's TOTP secret (sealed under the service's secret key
//! by the caller, `convene_domain::secret_box`; never stored plainly), the last step accepted
//! (so a code works once), and their one-time recovery codes (keyed digests only).

use crate::{Db, Result, Tx, on_db, on_tx};
use convene_domain::Timestamp;
use convene_domain::UserId;

/// A person's sealed TOTP secret and the last step accepted, when two-factor sign-in is on.
pub async fn secret(db: &Db, user_id: UserId) -> Result<Option<(String, Option<i64>)>> {
    let row: Option<(Option<String>, Option<i64>, Option<i64>)> = on_db!(db, |pool| {
        sqlx::query_as("SELECT totp_secret, totp_last_step, totp_enabled_at FROM users WHERE id = $1")
            .bind(user_id.0)
            .fetch_optional(pool)
            .await?
    });
    Ok(match row {
        Some((Some(secret), last, Some(_))) => Some((secret, last)),
        _ => None,
    })
}

/// Turns two-factor sign-in on with a confirmed secret (sealed) and the keyed digests of
/// fresh recovery codes (replacing any earlier ones).
pub async fn enable(
    tx: &mut Tx,
    user_id: UserId,
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
        .bind(user_id.0)
        .execute(&mut *conn)
        .await?;
        Ok::<(), crate::StoreError>(())
    })?;
    replace_recovery_codes(tx, user_id, recovery_digests).await
}

/// Replaces a person's recovery codes with fresh ones (given as keyed digests); the old
/// ones stop working.
pub async fn replace_recovery_codes(tx: &mut Tx, user_id: UserId, recovery_digests: &[String]) -> Result<()> {
    on_tx!(tx, |conn| {
        sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1")
            .bind(user_id.0)
            .execute(&mut *conn)
            .await?;
        for digest in recovery_digests {
            sqlx::query("INSERT INTO recovery_codes (user_id, code_digest) VALUES ($1, $2)")
                .bind(user_id.0)
                .bind(digest)
                .execute(&mut *conn)
                .await?;
        }
        Ok(())
    })
}

/// Turns two-factor sign-in off and removes the recovery codes.
pub async fn disable(tx: &mut Tx, user_id: UserId) -> Result<()> {
    on_tx!(tx, |conn| {
        sqlx::query("UPDATE users SET totp_secret = NULL, totp_enabled_at = NULL, totp_last_step = NULL WHERE id = $1")
            .bind(user_id.0)
            .execute(&mut *conn)
            .await?;
        sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1")
            .bind(user_id.0)
            .execute(&mut *conn)
            .await?;
        Ok(())
    })
}

/// Records that a code of `step` was used; false if that step (or a later one) already was,
/// so two requests racing with one code cannot both succeed.
pub async fn spend_step(db: &Db, user_id: UserId, step: i64) -> Result<bool> {
    let done = on_db!(db, |pool| {
        sqlx::query(
            "UPDATE users SET totp_last_step = $1 WHERE id = $2 AND (totp_last_step IS NULL OR totp_last_step < $1)",
        )
        .bind(step)
        .bind(user_id.0)
        .execute(pool)
        .await?
        .rows_affected()
    });
    Ok(done == 1)
}

/// Spends a recovery code by its digest; false when it is not one of theirs or was used.
pub async fn spend_recovery_code(db: &Db, user_id: UserId, digest: &str, now: Timestamp) -> Result<bool> {
    let done = on_db!(db, |pool| {
        sqlx::query("UPDATE recovery_codes SET used_at = $1 WHERE user_id = $2 AND code_digest = $3 AND used_at IS NULL")
            .bind(now.0)
            .bind(user_id.0)
            .bind(digest)
            .execute(pool)
            .await?
            .rows_affected()
    });
    Ok(done == 1)
}

/// How many unused recovery codes a person has left.
pub async fn recovery_codes_left(db: &Db, user_id: UserId) -> Result<i64> {
    let (n,): (i64,) = on_db!(db, |pool| {
        sqlx::query_as("SELECT COUNT(*) FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL")
            .bind(user_id.0)
            .fetch_one(pool)
            .await?
    });
    Ok(n)
}

/// Every stored TOTP secret (sealed, or plain if written before secrets were encrypted), by
/// user id: what a secret key is checked against at start-up.
pub async fn stored_secrets(db: &Db) -> Result<Vec<(i64, String)>> {
    let rows: Vec<(i64, String)> = on_db!(db, |pool| {
        sqlx::query_as("SELECT id, totp_secret FROM users WHERE totp_secret IS NOT NULL ORDER BY id")
            .fetch_all(pool)
            .await?
    });
    Ok(rows)
}

/// Rewrites every stored TOTP secret through `change` (given the user id and the stored
/// value; `None` leaves it as it is) in one transaction: all are rewritten or none. Used to
/// seal secrets left plain by an older version, and to rotate the secret key. `change`
/// refusing one value (`Err`) rolls everything back and returns its reason; so does a value
/// changed by someone else meanwhile (each write is conditional on the value read).
pub async fn reseal_all(
    db: &Db,
    change: impl Fn(i64, &str) -> std::result::Result<Option<String>, String>,
) -> Result<std::result::Result<usize, String>> {
    let mut tx = db.begin().await?;
    let rows: Vec<(i64, String)> = on_tx!(&mut tx, |conn| {
        sqlx::query_as("SELECT id, totp_secret FROM users WHERE totp_secret IS NOT NULL ORDER BY id")
            .fetch_all(&mut *conn)
            .await?
    });
    let mut changed = 0;
    for (user_id, stored) in rows {
        let fresh = match change(user_id, &stored) {
            Ok(Some(fresh)) => fresh,
            Ok(None) => continue,
            Err(reason) => {
                // Dropping the transaction rolls it back.
                drop(tx);
                return Ok(Err(reason));
            }
        };
        let done = on_tx!(&mut tx, |conn| {
            sqlx::query("UPDATE users SET totp_secret = $1 WHERE id = $2 AND totp_secret = $3")
                .bind(&fresh)
                .bind(user_id)
                .bind(&stored)
                .execute(&mut *conn)
                .await?
                .rows_affected()
        });
        if done != 1 {
            drop(tx);
            return Ok(Err(format!(
                "the two-factor secret of user {user_id} changed meanwhile: nothing was changed; stop every server and try again"
            )));
        }
        changed += 1;
    }
    tx.commit().await?;
    Ok(Ok(changed))
}
