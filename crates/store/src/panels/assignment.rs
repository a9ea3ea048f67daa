//! Bids, runs of the reviewer assignment, the pairs it made, and admins' hand changes.

use std::collections::BTreeMap;

use crate::rows::named_row;
use crate::{Db, Result, Tx, on_db, on_tx};
use convene_domain::{ApplicationId, RoundId, Timestamp, UserId};

/// Sets (or changes) a member's bid on an application.
pub async fn set_bid(
    tx: &mut Tx,
    application_id: ApplicationId,
    user_id: UserId,
    bid: u8,
    now: Timestamp,
) -> Result<()> {
    on_tx!(tx, |conn| {
        sqlx::query(
        "INSERT INTO review_bids (application_id, user_id, bid, updated_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (application_id, user_id) DO UPDATE SET bid = excluded.bid, updated_at = excluded.updated_at"
    )
    .bind(application_id.0)
    .bind(user_id.0)
    .bind(i64::from(bid))
    .bind(now.0)
    .execute(&mut *conn)
    .await
    .map(|_| ())?
    });
    Ok(())
}

/// Every bid placed on a round's applications: (application, member, bid).
pub async fn bids_of_round(db: &Db, round_id: RoundId) -> Result<Vec<(ApplicationId, UserId, u8)>> {
    let rows: Vec<(i64, i64, i64)> = on_db!(db, |pool| sqlx::query_as(
        "SELECT b.application_id, b.user_id, b.bid FROM review_bids b \
         JOIN applications a ON a.id = b.application_id WHERE a.round_id = $1"
    )
    .bind(round_id.0)
    .fetch_all(pool)
    .await?);
    Ok(rows
        .into_iter()
        .map(|(a, u, b)| (ApplicationId(a), UserId(u), u8::try_from(b).unwrap_or(0)))
        .collect())
}

/// One member's bids in a round, by application.
pub async fn bids_of_member(
    db: &Db,
    round_id: RoundId,
    user_id: UserId,
) -> Result<BTreeMap<ApplicationId, u8>> {
    let rows: Vec<(i64, i64)> = on_db!(db, |pool| {
        sqlx::query_as(
        "SELECT b.application_id, b.bid FROM review_bids b JOIN applications a ON a.id = b.application_id \
         WHERE a.round_id = $1 AND b.user_id = $2"
    )
    .bind(round_id.0)
    .bind(user_id.0)
    .fetch_all(pool)
    .await?
    });
    Ok(rows
        .into_iter()
        .map(|(a, b)| (ApplicationId(a), u8::try_from(b).unwrap_or(0)))
        .collect())
}

/// A run of the assignment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Run {
    pub id: i64,
    pub run_at: Timestamp,
    /// "assigned" or "short".
    pub outcome: String,
    pub total_affinity: i64,
    /// JSON: what the run found (the applications left short).
    pub explanation: String,
}

named_row! {
    struct RunRow {
        id: i64,
        run_at: i64,
        outcome: String,
        total_affinity: i64,
        explanation: String,
    }
}

/// The latest run in a round.
pub async fn latest_run(db: &Db, round_id: RoundId) -> Result<Option<Run>> {
    let row: Option<RunRow> = on_db!(db, |pool| sqlx::query_as(
        "SELECT id, run_at, outcome, total_affinity, explanation FROM assignment_runs \
         WHERE round_id = $1 ORDER BY run_at DESC, id DESC LIMIT 1"
    )
    .bind(round_id.0)
    .fetch_optional(pool)
    .await?);
    Ok(row.map(|r| Run {
        id: r.id,
        run_at: Timestamp(r.run_at),
        outcome: r.outcome,
        total_affinity: r.total_affinity,
        explanation: r.explanation,
    }))
}

/// One assigned pair, with its affinity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Assigned {
    pub application_id: ApplicationId,
    pub user_id: UserId,
    pub affinity: i64,
    pub by_hand: bool,
}

/// Records a run; when it assigned (`pairs` not empty), its pairs replace the round's.
pub async fn record_run(
    tx: &mut Tx,
    round_id: RoundId,
    by: UserId,
    run: &Run,
    pairs: &[Assigned],
) -> Result<i64> {
    let id: i64 = on_tx!(tx, |conn| {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO assignment_runs (round_id, run_by, run_at, outcome, total_affinity, explanation) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(round_id.0)
        .bind(by.0)
        .bind(run.run_at.0)
        .bind(&run.outcome)
        .bind(run.total_affinity)
        .bind(&run.explanation)
        .fetch_one(&mut *conn)
        .await?;
        if !pairs.is_empty() {
            sqlx::query("DELETE FROM review_assignments WHERE round_id = $1")
                .bind(round_id.0)
                .execute(&mut *conn)
                .await?;
            for p in pairs {
                sqlx::query(
                    "INSERT INTO review_assignments (application_id, user_id, round_id, affinity, by_hand, assigned_at) \
                     VALUES ($1, $2, $3, $4, 0, $5)",
                )
                .bind(p.application_id.0)
                .bind(p.user_id.0)
                .bind(round_id.0)
                .bind(p.affinity)
                .bind(run.run_at.0)
                .execute(&mut *conn)
                .await?;
            }
        }
        id
    });
    Ok(id)
}

named_row! {
    struct AssignedRow {
        application_id: i64,
        user_id: i64,
        affinity: i64,
        by_hand: i64,
    }
}

impl From<AssignedRow> for Assigned {
    fn from(r: AssignedRow) -> Self {
        Assigned {
            application_id: ApplicationId(r.application_id),
            user_id: UserId(r.user_id),
            affinity: r.affinity,
            by_hand: r.by_hand == 1,
        }
    }
}

/// Every pair assigned in a round.
pub async fn assignments(db: &Db, round_id: RoundId) -> Result<Vec<Assigned>> {
    let rows: Vec<AssignedRow> = on_db!(db, |pool| sqlx::query_as(
        "SELECT application_id, user_id, affinity, by_hand FROM review_assignments WHERE round_id = $1 \
         ORDER BY application_id, user_id"
    )
    .bind(round_id.0)
    .fetch_all(pool)
    .await?);
    Ok(rows.into_iter().map(Assigned::from).collect())
}

/// The applications assigned to one member in a round.
pub async fn assigned_to(db: &Db, round_id: RoundId, user_id: UserId) -> Result<Vec<Assigned>> {
    let rows: Vec<AssignedRow> = on_db!(db, |pool| sqlx::query_as(
        "SELECT application_id, user_id, affinity, by_hand FROM review_assignments \
         WHERE round_id = $1 AND user_id = $2 ORDER BY application_id"
    )
    .bind(round_id.0)
    .bind(user_id.0)
    .fetch_all(pool)
    .await?);
    Ok(rows.into_iter().map(Assigned::from).collect())
}

/// True when the member is assigned the application.
pub async fn is_assigned(db: &Db, application_id: ApplicationId, user_id: UserId) -> Result<bool> {
    let n: i64 = on_db!(db, |pool| sqlx::query_scalar(
        "SELECT COUNT(*) FROM review_assignments WHERE application_id = $1 AND user_id = $2"
    )
    .bind(application_id.0)
    .bind(user_id.0)
    .fetch_one(pool)
    .await?);
    Ok(n > 0)
}

/// An admin's change of one pair.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub application_id: ApplicationId,
    pub removed: Option<UserId>,
    pub added: Option<UserId>,
    pub affinity_lost: i64,
    pub changed_at: Timestamp,
}

/// Replaces `removed` by `added` on an application, recording what it lost. Returns false
/// when `removed` is no longer assigned it or `added` already is: the caller then drops the
/// transaction, so nothing of it is kept.
pub async fn change(
    tx: &mut Tx,
    round_id: RoundId,
    by: UserId,
    change: &Change,
    added_affinity: i64,
) -> Result<bool> {
    let (Some(removed), Some(added)) = (change.removed, change.added) else {
        return Ok(false);
    };
    let done = on_tx!(tx, |conn| {
        let gone = sqlx::query("DELETE FROM review_assignments WHERE application_id = $1 AND user_id = $2")
            .bind(change.application_id.0)
            .bind(removed.0)
            .execute(&mut *conn)
            .await?
            .rows_affected();
        let put = sqlx::query(
            "INSERT INTO review_assignments (application_id, user_id, round_id, affinity, by_hand, assigned_at) \
             VALUES ($1, $2, $3, $4, 1, $5) ON CONFLICT (application_id, user_id) DO NOTHING",
        )
        .bind(change.application_id.0)
        .bind(added.0)
        .bind(round_id.0)
        .bind(added_affinity)
        .bind(change.changed_at.0)
        .execute(&mut *conn)
        .await?
        .rows_affected();
        if gone == 1 && put == 1 {
            sqlx::query(
                "INSERT INTO assignment_changes (round_id, application_id, removed_user_id, added_user_id, \
                 affinity_lost, changed_by, changed_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(round_id.0)
            .bind(change.application_id.0)
            .bind(removed.0)
            .bind(added.0)
            .bind(change.affinity_lost)
            .bind(by.0)
            .bind(change.changed_at.0)
            .execute(&mut *conn)
            .await?;
        }
        gone == 1 && put == 1
    });
    Ok(done)
}

named_row! {
    struct ChangeRow {
        application_id: i64,
        removed_user_id: Option<i64>,
        added_user_id: Option<i64>,
        affinity_lost: i64,
        changed_at: i64,
    }
}

/// Every hand change in a round, oldest first.
pub async fn changes(db: &Db, round_id: RoundId) -> Result<Vec<Change>> {
    let rows: Vec<ChangeRow> = on_db!(db, |pool| {
        sqlx::query_as(
            "SELECT application_id, removed_user_id, added_user_id, affinity_lost, changed_at \
             FROM assignment_changes WHERE round_id = $1 ORDER BY changed_at, id",
        )
        .bind(round_id.0)
        .fetch_all(pool)
        .await?
    });
    Ok(rows
        .into_iter()
        .map(|r| Change {
            application_id: ApplicationId(r.application_id),
            removed: r.removed_user_id.map(UserId),
            added: r.added_user_id.map(UserId),
            affinity_lost: r.affinity_lost,
            changed_at: Timestamp(r.changed_at),
        })
        .collect())
}
