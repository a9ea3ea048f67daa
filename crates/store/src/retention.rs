//! Retention rules per programme, applying them, and the log of each run with its counts.

use crate::{Db, Result, StoreError, Tx, on_db, on_tx};
use convene_domain::ProgrammeId;
use convene_domain::Timestamp;
use convene_domain::retention::{RetentionKind, days_in_micros};

/// A programme's rule for one kind of record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    pub programme_id: i64,
    pub kind: RetentionKind,
    pub after_days: i64,
}

/// One rule's part in a run: what it removed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunLine {
    pub at: Timestamp,
    pub triggered_by: String,
    pub programme_id: Option<i64>,
    pub kind: String,
    pub removed: i64,
}

/// Every rule of every programme (or of one).
pub async fn rules(db: &Db, programme_id: Option<i64>) -> Result<Vec<Rule>> {
    let rows: Vec<(i64, String, i64)> = on_db!(db, |pool| {
        sqlx::query_as(
            "SELECT programme_id, kind, after_days FROM retention_rules WHERE ($1 IS NULL OR programme_id = $1) ORDER BY programme_id, kind",
        )
        .bind(programme_id)
        .fetch_all(pool)
        .await?
    });
    rows.into_iter()
        .map(|(programme_id, kind, after_days)| {
            Ok(Rule {
                programme_id,
                kind: RetentionKind::from_key(&kind)
                    .ok_or_else(|| StoreError::Malformed(format!("retention kind {kind}")))?,
                after_days,
            })
        })
        .collect()
}

/// Sets (or, with `None`, removes) a programme's rule for one kind of record.
pub async fn set_rule(
    tx: &mut Tx,
    programme_id: ProgrammeId,
    kind: RetentionKind,
    after_days: Option<i64>,
) -> Result<()> {
    on_tx!(tx, |conn| {
        sqlx::query("DELETE FROM retention_rules WHERE programme_id = $1 AND kind = $2")
            .bind(programme_id.0)
            .bind(kind.key())
            .execute(&mut *conn)
            .await?;
        if let Some(days) = after_days {
            sqlx::query("INSERT INTO retention_rules (programme_id, kind, after_days) VALUES ($1, $2, $3)")
                .bind(programme_id.0)
                .bind(kind.key())
                .bind(days)
                .execute(&mut *conn)
                .await?;
        }
        Ok(())
    })
}

/// Applies one rule at `now` and logs it; returns how many records it removed. Removing an
/// application removes its answers, contacts, sign-off links and files with it.
pub async fn apply(tx: &mut Tx, rule: &Rule, now: Timestamp, triggered_by: &str) -> Result<i64> {
    let statuses = rule.kind.statuses();
    let cutoff = now.0 - days_in_micros(rule.after_days);
    let removed = on_tx!(tx, |conn| {
        // Statuses are two at most: bind both (the second repeats the first when alone).
        let done = sqlx::query(
            "DELETE FROM applications WHERE status IN ($1, $2) AND id IN (\
               SELECT a.id FROM applications a JOIN rounds r ON r.id = a.round_id \
               WHERE r.programme_id = $3 AND COALESCE(a.deadline_extended_to, r.closes_at) <= $4)",
        )
        .bind(statuses[0])
        .bind(statuses.get(1).copied().unwrap_or(statuses[0]))
        .bind(rule.programme_id)
        .bind(cutoff)
        .execute(&mut *conn)
        .await?;
        let removed = i64::try_from(done.rows_affected()).unwrap_or(i64::MAX);
        sqlx::query(
            "INSERT INTO retention_runs (at, triggered_by, programme_id, kind, removed) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(now.0)
        .bind(triggered_by)
        .bind(rule.programme_id)
        .bind(rule.kind.key())
        .bind(removed)
        .execute(&mut *conn)
        .await?;
        removed
    });
    Ok(removed)
}

/// Applies every rule in one transaction; returns each rule with what it removed.
pub async fn run_all(db: &Db, now: Timestamp, triggered_by: &str) -> Result<Vec<(Rule, i64)>> {
    let all = rules(db, None).await?;
    let mut tx = db.begin().await?;
    let mut out = Vec::new();
    for rule in all {
        let removed = apply(&mut tx, &rule, now, triggered_by).await?;
        out.push((rule, removed));
    }
    tx.commit().await?;
    Ok(out)
}

/// When the scheduler last ran the rules.
pub async fn last_run_by(db: &Db, triggered_by: &str) -> Result<Option<Timestamp>> {
    let (at,): (Option<i64>,) = on_db!(db, |pool| {
        sqlx::query_as("SELECT MAX(at) FROM retention_runs WHERE triggered_by = $1")
            .bind(triggered_by)
            .fetch_one(pool)
            .await?
    });
    Ok(at.map(Timestamp))
}

/// A programme's most recent run lines, newest first.
pub async fn recent_runs(db: &Db, programme_id: ProgrammeId, limit: i64) -> Result<Vec<RunLine>> {
    let rows: Vec<(i64, String, Option<i64>, String, i64)> = on_db!(db, |pool| {
        sqlx::query_as(
            "SELECT at, triggered_by, programme_id, kind, removed FROM retention_runs WHERE programme_id = $1 \
             ORDER BY at DESC, id DESC LIMIT $2",
        )
        .bind(programme_id.0)
        .bind(limit)
        .fetch_all(pool)
        .await?
    });
    Ok(rows
        .into_iter()
        .map(|(at, triggered_by, programme_id, kind, removed)| RunLine {
            at: Timestamp(at),
            triggered_by,
            programme_id,
            kind,
            removed,
        })
        .collect())
}
