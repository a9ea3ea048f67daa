//! The panel's decisions, one per application, saved over a version so the later of two
//! saves is told rather than applied.

use crate::rows::named_row;
use crate::{Db, Result, StoreError, Tx, on_db, on_tx};
use convene_domain::awards::Outcome;
use convene_domain::{ApplicationId, RoundId, Timestamp, UserId};

/// A decision as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub application_id: ApplicationId,
    pub outcome: Outcome,
    pub feedback: String,
    pub override_reason: Option<String>,
    pub version: i64,
    pub decided_by: Option<UserId>,
    pub decided_at: Timestamp,
}

named_row! {
    struct DecisionRow {
        application_id: i64,
        outcome: String,
        feedback: String,
        override_reason: Option<String>,
        version: i64,
        decided_by: Option<i64>,
        decided_at: i64,
    }
}

impl TryFrom<DecisionRow> for Decision {
    type Error = StoreError;
    fn try_from(r: DecisionRow) -> Result<Self> {
        Ok(Decision {
            application_id: ApplicationId(r.application_id),
            outcome: Outcome::from_key(&r.outcome)
                .ok_or_else(|| StoreError::Malformed(format!("decision outcome {}", r.outcome)))?,
            feedback: r.feedback,
            override_reason: r.override_reason,
            version: r.version,
            decided_by: r.decided_by.map(UserId),
            decided_at: Timestamp(r.decided_at),
        })
    }
}

const SELECT: &str = "SELECT application_id, outcome, feedback, override_reason, version, decided_by, decided_at \
     FROM decisions";

/// Every decision of a round.
pub async fn of_round(db: &Db, round_id: RoundId) -> Result<Vec<Decision>> {
    let sql = format!("{SELECT} WHERE round_id = $1 ORDER BY application_id");
    let rows: Vec<DecisionRow> = on_db!(db, |pool| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(round_id.0)
        .fetch_all(pool)
        .await?);
    rows.into_iter().map(Decision::try_from).collect()
}

/// The decision on one application, if made.
pub async fn of_application(db: &Db, application_id: ApplicationId) -> Result<Option<Decision>> {
    let sql = format!("{SELECT} WHERE application_id = $1");
    let row: Option<DecisionRow> = on_db!(db, |pool| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(application_id.0)
        .fetch_optional(pool)
        .await?);
    row.map(Decision::try_from).transpose()
}

/// A decision to save over `expected_version` (0 for the first).
#[derive(Debug, Clone, Copy)]
pub struct DecisionSave<'a> {
    pub round_id: RoundId,
    pub application_id: ApplicationId,
    pub expected_version: i64,
    pub outcome: Outcome,
    pub feedback: &'a str,
    pub override_reason: Option<&'a str>,
    pub by: UserId,
}

/// Saves a decision over the version it was typed on; `None` when someone saved since.
pub async fn save(tx: &mut Tx, save: &DecisionSave<'_>, now: Timestamp) -> Result<Option<i64>> {
    let written = on_tx!(tx, |conn| {
        if save.expected_version == 0 {
            sqlx::query(
                "INSERT INTO decisions (application_id, round_id, outcome, feedback, override_reason, version, \
                 decided_by, decided_at) VALUES ($1, $2, $3, $4, $5, 1, $6, $7) ON CONFLICT (application_id) DO NOTHING",
            )
            .bind(save.application_id.0)
            .bind(save.round_id.0)
            .bind(save.outcome.key())
            .bind(save.feedback)
            .bind(save.override_reason)
            .bind(save.by.0)
            .bind(now.0)
            .execute(&mut *conn)
            .await?
            .rows_affected()
        } else {
            sqlx::query(
                "UPDATE decisions SET outcome = $1, feedback = $2, override_reason = $3, version = version + 1, \
                 decided_by = $4, decided_at = $5 WHERE application_id = $6 AND version = $7",
            )
            .bind(save.outcome.key())
            .bind(save.feedback)
            .bind(save.override_reason)
            .bind(save.by.0)
            .bind(now.0)
            .bind(save.application_id.0)
            .bind(save.expected_version)
            .execute(&mut *conn)
            .await?
            .rows_affected()
        }
    });
    match written {
        0 => Ok(None),
        1 => Ok(Some(save.expected_version + 1)),
        _ => Err(StoreError::Malformed("decision written twice".into())),
    }
}

/// Turns a reserve into a funded decision when it is offered a declined place.
pub async fn promote_reserve(
    tx: &mut Tx,
    application_id: ApplicationId,
    by: UserId,
    now: Timestamp,
) -> Result<bool> {
    let n = on_tx!(tx, |conn| sqlx::query(
        "UPDATE decisions SET outcome = 'fund', version = version + 1, decided_by = $1, decided_at = $2 \
         WHERE application_id = $3 AND outcome = 'reserve'"
    )
    .bind(by.0)
    .bind(now.0)
    .bind(application_id.0)
    .execute(conn)
    .await?
    .rows_affected());
    Ok(n == 1)
}
