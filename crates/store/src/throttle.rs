//! Failed sign-ins and two-factor codes, for a growing delay (never a lockout: a lockout
//! would let anyone lock a victim out).
//!
//! Each try is taken, counted and checked by ONE statement on a per-key counter
//! ([`take_try`]): parallel requests are serialised on the counter's row, so the sixth of
//! twenty wrong codes sent at once is slowed like the sixth sent one by one. A try is
//! counted as a failure before it is checked; a right one is then released ([`release`]).
//! `sign_in_failures` keeps a plain record of failed sign-ins for subject access.
//! Why: docs/decisions/0002-throttles-counted-in-one-statement.md.

use crate::{Db, Result, on_db};
use convene_domain::Timestamp;
use convene_domain::UserId;
use convene_domain::accounts::sign_in_delay_seconds;
use std::sync::LazyLock;

/// What taking a try came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Try {
    /// False when the key must still wait: the try was not made (nor counted).
    pub allowed: bool,
    /// Failures in the window, this try included when it was allowed.
    pub failures: i64,
    /// When the next try may be made.
    pub ready_at: Timestamp,
}

/// The counter of password tries for an address (a digest, so the table names no one).
pub fn password_key(email: &str) -> String {
    format!(
        "password:{}",
        convene_domain::accounts::secret_digest(&email.trim().to_lowercase())
    )
}

/// The counter of password tries from a client address.
pub fn client_key(client: &str) -> String {
    format!("client:{client}")
}

/// The counter of two-factor code tries for an account; a right password never clears it.
pub fn code_key(user_id: UserId) -> String {
    format!("code:{user_id}")
}

/// The domain's delay after `n` failures, in microseconds, as an SQL expression over `n`
/// (an SQL expression), built from [`sign_in_delay_seconds`] so the rule has one home.
fn delay_sql(n: &str) -> String {
    let mut arms = String::new();
    let mut previous = None;
    for failures in 0..64 {
        let micros = sign_in_delay_seconds(failures) * 1_000_000;
        if previous != Some(micros) {
            if let Some(p) = previous {
                arms.push_str(&format!(" WHEN {n} < {failures} THEN {p}"));
            }
            previous = Some(micros);
        }
    }
    format!("(CASE{arms} ELSE {} END)", previous.unwrap_or(0))
}

static TAKE_TRY: LazyLock<String> = LazyLock::new(|| {
    // $1 key, $2 now, $3 start of the window. A key still waiting keeps its row as it is.
    let waiting = "attempt_counts.ready_at > $2";
    let stale = "attempt_counts.last_at < $3";
    format!(
        "INSERT INTO attempt_counts (key, failures, last_at, ready_at, counted) VALUES ($1, 1, $2, $2 + {first}, 1) \
         ON CONFLICT (key) DO UPDATE SET \
           counted = CASE WHEN {waiting} THEN 0 ELSE 1 END, \
           failures = CASE WHEN {waiting} THEN attempt_counts.failures WHEN {stale} THEN 1 \
                      ELSE attempt_counts.failures + 1 END, \
           last_at = CASE WHEN {waiting} THEN attempt_counts.last_at ELSE $2 END, \
           ready_at = CASE WHEN {waiting} THEN attempt_counts.ready_at WHEN {stale} THEN $2 + {first} \
                      ELSE $2 + {next} END \
         RETURNING failures, counted, ready_at",
        first = delay_sql("1"),
        next = delay_sql("(attempt_counts.failures + 1)"),
    )
});

/// Takes a try for `key` at `now`, counting failures since `window_start`: counted as a
/// failure and allowed, or refused because the key must wait.
pub async fn take_try(db: &Db, key: &str, now: Timestamp, window_start: Timestamp) -> Result<Try> {
    let sql = TAKE_TRY.as_str();
    let (failures, counted, ready_at): (i64, i64, i64) = on_db!(db, |pool| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(key)
            .bind(now.0)
            .bind(window_start.0)
            .fetch_one(pool)
            .await?
    });
    Ok(Try {
        allowed: counted == 1,
        failures,
        ready_at: Timestamp(ready_at),
    })
}

/// A try turned out right: it is not a failure after all.
pub async fn release(db: &Db, key: &str) -> Result<()> {
    let sql = format!(
        "UPDATE attempt_counts SET failures = failures - 1, ready_at = last_at + {} \
         WHERE key = $1 AND failures > 0",
        delay_sql("(failures - 1)")
    );
    on_db!(db, |pool| {
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(key)
            .execute(pool)
            .await?;
    });
    Ok(())
}

/// Forgets a key's failures (a right password clears its account's count).
pub async fn clear(db: &Db, key: &str) -> Result<()> {
    on_db!(db, |pool| {
        sqlx::query("DELETE FROM attempt_counts WHERE key = $1")
            .bind(key)
            .execute(pool)
            .await?;
    });
    Ok(())
}

/// Records a failed sign-in for the person's own record (subject access shows them).
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

/// Forgets failures and counters older than `before` (housekeeping).
pub async fn delete_before(db: &Db, before: Timestamp) -> Result<u64> {
    let done = on_db!(db, |pool| {
        let failures = sqlx::query("DELETE FROM sign_in_failures WHERE at < $1")
            .bind(before.0)
            .execute(pool)
            .await?
            .rows_affected();
        let counters = sqlx::query("DELETE FROM attempt_counts WHERE last_at < $1 AND ready_at < $1")
            .bind(before.0)
            .execute(pool)
            .await?
            .rows_affected();
        failures + counters
    });
    Ok(done)
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_delay_expression_follows_the_domain_rule() {
        let sql = super::delay_sql("n");
        assert!(
            sql.starts_with("(CASE WHEN n < 5 THEN 0 WHEN n < 6 THEN 2000000"),
            "{sql}"
        );
        assert!(sql.ends_with("ELSE 300000000 END)"), "{sql}");
    }
}
