//! The selection helper's inputs and runs: a round's balance rules, award values other
//! than the round's value per place, and each run with what it proposed.

use crate::rows::named_row;
use crate::{Db, Result, StoreError, Tx, on_db, on_tx};
use convene_domain::selection::Rule;
use convene_domain::{ApplicationId, Pence, RoundId, Timestamp, UserId};

named_row! {
    struct RuleRow {
        kind: String,
        name: String,
        amount: i64,
    }
}

/// A round's balance rules, regions first.
pub async fn rules(db: &Db, round_id: RoundId) -> Result<Vec<Rule>> {
    let rows: Vec<RuleRow> = on_db!(db, |pool| sqlx::query_as(
        "SELECT kind, name, amount FROM selection_rules WHERE round_id = $1 ORDER BY kind DESC, name"
    )
    .bind(round_id.0)
    .fetch_all(pool)
    .await?);
    rows.into_iter()
        .map(|r| {
            let amount = u32::try_from(r.amount).map_err(|_| StoreError::Malformed("rule amount".into()))?;
            match r.kind.as_str() {
                "at_most_in_region" => Ok(Rule::AtMostInRegion {
                    region: r.name,
                    most: amount,
                }),
                "at_least_in_theme" => Ok(Rule::AtLeastInTheme {
                    theme: r.name,
                    least: amount,
                }),
                other => Err(StoreError::Malformed(format!("selection rule kind {other}"))),
            }
        })
        .collect()
}

/// Replaces a round's balance rules.
pub async fn set_rules(tx: &mut Tx, round_id: RoundId, rules: &[Rule]) -> Result<()> {
    on_tx!(tx, |conn| {
        sqlx::query("DELETE FROM selection_rules WHERE round_id = $1")
            .bind(round_id.0)
            .execute(&mut *conn)
            .await?;
        for rule in rules {
            let (kind, name, amount) = match rule {
                Rule::AtMostInRegion { region, most } => ("at_most_in_region", region, most),
                Rule::AtLeastInTheme { theme, least } => ("at_least_in_theme", theme, least),
            };
            sqlx::query("INSERT INTO selection_rules (round_id, kind, name, amount) VALUES ($1, $2, $3, $4)")
                .bind(round_id.0)
                .bind(kind)
                .bind(name)
                .bind(i64::from(*amount))
                .execute(&mut *conn)
                .await?;
        }
    });
    Ok(())
}

/// The award values set by hand in a round, by application.
pub async fn values(db: &Db, round_id: RoundId) -> Result<Vec<(ApplicationId, Pence)>> {
    let rows: Vec<(i64, i64)> = on_db!(db, |pool| sqlx::query_as(
        "SELECT application_id, value_pence FROM award_values WHERE round_id = $1"
    )
    .bind(round_id.0)
    .fetch_all(pool)
    .await?);
    Ok(rows
        .into_iter()
        .map(|(a, v)| (ApplicationId(a), Pence(v)))
        .collect())
}

/// Sets an application's award value (`None`: back to the round's value per place).
pub async fn set_value(
    tx: &mut Tx,
    round_id: RoundId,
    application_id: ApplicationId,
    value: Option<Pence>,
    by: UserId,
    now: Timestamp,
) -> Result<()> {
    on_tx!(tx, |conn| {
        sqlx::query("DELETE FROM award_values WHERE application_id = $1")
            .bind(application_id.0)
            .execute(&mut *conn)
            .await?;
        if let Some(value) = value {
            sqlx::query(
                "INSERT INTO award_values (application_id, round_id, value_pence, set_by, set_at) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(application_id.0)
            .bind(round_id.0)
            .bind(value.0)
            .bind(by.0)
            .bind(now.0)
            .execute(conn)
            .await?;
        }
    });
    Ok(())
}

/// A run of the selection helper as stored; `explanation` is JSON.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Run {
    pub id: i64,
    pub run_by: Option<UserId>,
    pub run_at: Timestamp,
    pub outcome: String,
    pub budget: Pence,
    pub total_score: i64,
    pub explanation: String,
}

named_row! {
    struct RunRow {
        id: i64,
        run_by: Option<i64>,
        run_at: i64,
        outcome: String,
        budget_pence: i64,
        total_score: i64,
        explanation: String,
    }
}

/// Records a run; returns its id.
pub async fn record_run(tx: &mut Tx, round_id: RoundId, run: &Run) -> Result<i64> {
    let (id,): (i64,) = on_tx!(tx, |conn| {
        sqlx::query_as(
        "INSERT INTO selection_runs (round_id, run_by, run_at, outcome, budget_pence, total_score, explanation) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id"
    )
    .bind(round_id.0)
    .bind(run.run_by.map(|u| u.0))
    .bind(run.run_at.0)
    .bind(&run.outcome)
    .bind(run.budget.0)
    .bind(run.total_score)
    .bind(&run.explanation)
    .fetch_one(conn)
    .await?
    });
    Ok(id)
}

/// The round's latest run, if any.
pub async fn latest_run(db: &Db, round_id: RoundId) -> Result<Option<Run>> {
    let row: Option<RunRow> = on_db!(db, |pool| sqlx::query_as(
        "SELECT id, run_by, run_at, outcome, budget_pence, total_score, explanation FROM selection_runs \
         WHERE round_id = $1 ORDER BY run_at DESC, id DESC LIMIT 1"
    )
    .bind(round_id.0)
    .fetch_optional(pool)
    .await?);
    Ok(row.map(|r| Run {
        id: r.id,
        run_by: r.run_by.map(UserId),
        run_at: Timestamp(r.run_at),
        outcome: r.outcome,
        budget: Pence(r.budget_pence),
        total_score: r.total_score,
        explanation: r.explanation,
    }))
}
