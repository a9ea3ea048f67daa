//! Outcome letters: queued with a send-after time (the round's notification date), sent by
//! the outcome-letters job once it has come, and shown to the place's leads from the moment
//! it goes out.

use crate::rows::named_row;
use crate::{Db, Result, StoreError, Tx, on_db, on_tx};
use convene_domain::awards::LetterKind;
use convene_domain::{ApplicationId, RoundId, Timestamp};

/// A letter as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Letter {
    pub id: i64,
    pub application_id: ApplicationId,
    pub round_id: RoundId,
    pub kind: LetterKind,
    pub feedback: String,
    pub send_after: Timestamp,
    pub sent_at: Option<Timestamp>,
}

named_row! {
    struct LetterRow {
        id: i64,
        application_id: i64,
        round_id: i64,
        kind: String,
        feedback: String,
        send_after: i64,
        sent_at: Option<i64>,
    }
}

impl TryFrom<LetterRow> for Letter {
    type Error = StoreError;
    fn try_from(r: LetterRow) -> Result<Self> {
        Ok(Letter {
            id: r.id,
            application_id: ApplicationId(r.application_id),
            round_id: RoundId(r.round_id),
            kind: LetterKind::from_key(&r.kind)
                .ok_or_else(|| StoreError::Malformed(format!("letter kind {}", r.kind)))?,
            feedback: r.feedback,
            send_after: Timestamp(r.send_after),
            sent_at: r.sent_at.map(Timestamp),
        })
    }
}

const SELECT: &str =
    "SELECT id, application_id, round_id, kind, feedback, send_after, sent_at FROM outcome_letters";

/// Queues the letter a decision sends, replacing any of the application's letters not yet
/// due (a decision changed before the notification date sends only its last letter).
pub async fn queue(
    tx: &mut Tx,
    application_id: ApplicationId,
    round_id: RoundId,
    kind: LetterKind,
    feedback: &str,
    send_after: Timestamp,
    now: Timestamp,
) -> Result<()> {
    on_tx!(tx, |conn| {
        sqlx::query(
            "DELETE FROM outcome_letters WHERE application_id = $1 AND sent_at IS NULL AND send_after > $2",
        )
        .bind(application_id.0)
        .bind(now.0)
        .execute(&mut *conn)
        .await?;
        sqlx::query(
            "INSERT INTO outcome_letters (application_id, round_id, kind, feedback, send_after, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(application_id.0)
        .bind(round_id.0)
        .bind(kind.key())
        .bind(feedback)
        .bind(send_after.0)
        .bind(now.0)
        .execute(conn)
        .await?;
    });
    Ok(())
}

/// True once a letter about the application has come due (sent or about to be): its
/// decision can then no longer change.
pub async fn announced(tx: &mut Tx, application_id: ApplicationId, now: Timestamp) -> Result<bool> {
    let (n,): (i64,) = on_tx!(tx, |conn| sqlx::query_as(
        "SELECT COUNT(*) FROM outcome_letters WHERE application_id = $1 AND send_after <= $2"
    )
    .bind(application_id.0)
    .bind(now.0)
    .fetch_one(conn)
    .await?);
    Ok(n > 0)
}

/// The application's letters that have gone out, oldest first: what its place may read.
pub async fn sent_for_application(db: &Db, application_id: ApplicationId) -> Result<Vec<Letter>> {
    let sql = format!("{SELECT} WHERE application_id = $1 AND sent_at IS NOT NULL ORDER BY sent_at, id");
    let rows: Vec<LetterRow> = on_db!(db, |pool| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(application_id.0)
        .fetch_all(pool)
        .await?);
    rows.into_iter().map(Letter::try_from).collect()
}

/// True when a letter about the application has gone out.
pub async fn any_sent(db: &Db, application_id: ApplicationId) -> Result<bool> {
    let sql =
        "SELECT EXISTS (SELECT 1 FROM outcome_letters WHERE application_id = $1 AND sent_at IS NOT NULL)";
    let sent: bool = on_db!(db, |pool| sqlx::query_scalar(sql)
        .bind(application_id.0)
        .fetch_one(pool)
        .await?);
    Ok(sent)
}

/// Every letter of a round, due or not, for its staff.
pub async fn of_round(db: &Db, round_id: RoundId) -> Result<Vec<Letter>> {
    let sql = format!("{SELECT} WHERE round_id = $1 ORDER BY send_after, id");
    let rows: Vec<LetterRow> = on_db!(db, |pool| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(round_id.0)
        .fetch_all(pool)
        .await?);
    rows.into_iter().map(Letter::try_from).collect()
}

/// Up to `limit` letters due and not sent, oldest first.
pub async fn due_unsent(db: &Db, now: Timestamp, limit: i64) -> Result<Vec<Letter>> {
    let sql = format!("{SELECT} WHERE sent_at IS NULL AND send_after <= $1 ORDER BY send_after, id LIMIT $2");
    let rows: Vec<LetterRow> = on_db!(db, |pool| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(now.0)
        .bind(limit)
        .fetch_all(pool)
        .await?);
    rows.into_iter().map(Letter::try_from).collect()
}

/// Claims a due letter for sending, once across every server: true when this call did.
pub async fn claim(tx: &mut Tx, letter_id: i64, now: Timestamp) -> Result<bool> {
    let n = on_tx!(tx, |conn| sqlx::query(
        "UPDATE outcome_letters SET sent_at = $1 WHERE id = $2 AND sent_at IS NULL AND send_after <= $1"
    )
    .bind(now.0)
    .bind(letter_id)
    .execute(conn)
    .await?
    .rows_affected());
    Ok(n == 1)
}
