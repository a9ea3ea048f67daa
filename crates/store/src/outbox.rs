//! Mail waiting to be sent. A message is written here in the same transaction as the change
//! that causes it; a worker sends it later, retrying with backoff, so a mail server that is
//! down loses nothing.

use crate::{Db, Result, Tx, on_db, on_tx};
use convene_domain::Timestamp;
use convene_domain::links::redact_links;

/// A message to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub id: i64,
    pub to_address: String,
    pub subject: String,
    pub body_text: String,
    /// The HTML part, sent beside the text as multipart/alternative; `None` for a message
    /// queued as plain text only.
    pub body_html: Option<String>,
    pub created_at: Timestamp,
    pub attempts: i64,
    pub sent_at: Option<Timestamp>,
    pub last_error: Option<String>,
}

type Row = (
    i64,
    String,
    String,
    String,
    Option<String>,
    i64,
    i64,
    Option<i64>,
    Option<String>,
);

fn to_message(
    (id, to_address, subject, body_text, body_html, created_at, attempts, sent_at, last_error): Row,
) -> Message {
    Message {
        id,
        to_address,
        subject,
        body_text,
        body_html,
        created_at: Timestamp(created_at),
        attempts,
        sent_at: sent_at.map(Timestamp),
        last_error,
    }
}

const COLUMNS: &str =
    "id, to_address, subject, body_text, body_html, created_at, attempts, sent_at, last_error";

/// Queues a plain-text message inside the caller's transaction.
pub async fn enqueue(tx: &mut Tx, to: &str, subject: &str, body_text: &str, now: Timestamp) -> Result<i64> {
    enqueue_parts(tx, to, subject, body_text, None, now).await
}

/// Queues a message with its plain-text part and, when it has one, its HTML part.
pub async fn enqueue_parts(
    tx: &mut Tx,
    to: &str,
    subject: &str,
    body_text: &str,
    body_html: Option<&str>,
    now: Timestamp,
) -> Result<i64> {
    on_tx!(tx, |conn| {
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO outbox (to_address, subject, body_text, body_html, created_at, next_attempt_at) \
             VALUES ($1, $2, $3, $4, $5, $5) RETURNING id",
        )
        .bind(to)
        .bind(subject)
        .bind(body_text)
        .bind(body_html)
        .bind(now.0)
        .fetch_one(conn)
        .await?;
        Ok(id)
    })
}

/// Messages due for a send attempt, oldest first. On PostgreSQL the rows are locked with
/// `SKIP LOCKED` by [`claim_due`] so that several servers never send one message twice.
pub async fn claim_due(db: &Db, now: Timestamp, limit: i64, lease_seconds: i64) -> Result<Vec<Message>> {
    // Claiming pushes next_attempt_at past the lease, so a crashed worker's messages come
    // back after the lease and a live one is never raced by another process.
    let lease_until = now.plus_seconds(lease_seconds).0;
    let rows: Vec<Row> = match db {
        Db::Sqlite(pool) => {
            let sql = format!(
                "UPDATE outbox SET next_attempt_at = $1 WHERE id IN (SELECT id FROM outbox \
                 WHERE sent_at IS NULL AND next_attempt_at <= $2 ORDER BY id LIMIT $3) RETURNING {COLUMNS}"
            );
            sqlx::query_as(sqlx::AssertSqlSafe(sql))
                .bind(lease_until)
                .bind(now.0)
                .bind(limit)
                .fetch_all(pool)
                .await?
        }
        Db::Postgres(pool) => {
            let sql = format!(
                "UPDATE outbox SET next_attempt_at = $1 WHERE id IN (SELECT id FROM outbox \
                 WHERE sent_at IS NULL AND next_attempt_at <= $2 ORDER BY id LIMIT $3 FOR UPDATE SKIP LOCKED) \
                 RETURNING {COLUMNS}"
            );
            sqlx::query_as(sqlx::AssertSqlSafe(sql))
                .bind(lease_until)
                .bind(now.0)
                .bind(limit)
                .fetch_all(pool)
                .await?
        }
    };
    let mut messages: Vec<Message> = rows.into_iter().map(to_message).collect();
    messages.sort_by_key(|m| m.id);
    Ok(messages)
}

/// Marks a message sent, and in the same statement removes its secret links from both
/// stored parts ([`redact_links`]): once a sign-off, invitation, confirmation or password
/// link has gone to its addressee, no copy of it stays in the database. Each part is only
/// rewritten if it is still the one that was sent (an erasure meanwhile wins). Messages
/// not sent yet keep their links, since they must still go out (and the demo's outbox
/// viewer, with no mail server, shows them working).
pub async fn mark_sent(db: &Db, id: i64, now: Timestamp) -> Result<()> {
    let parts: Option<(String, Option<String>)> = on_db!(db, |pool| {
        sqlx::query_as("SELECT body_text, body_html FROM outbox WHERE id = $1")
            .bind(id)
            .fetch_optional(pool)
            .await?
    });
    let Some((text, html)) = parts else {
        return Ok(());
    };
    let redacted_text = redact_links(&text);
    let redacted_html = html.as_deref().map(redact_links);
    on_db!(db, |pool| {
        sqlx::query(
            "UPDATE outbox SET sent_at = $1, attempts = attempts + 1, last_error = NULL, \
             body_text = CASE WHEN body_text = $3 THEN $4 ELSE body_text END, \
             body_html = CASE WHEN body_html = $5 THEN $6 ELSE body_html END WHERE id = $2",
        )
        .bind(now.0)
        .bind(id)
        .bind(&text)
        .bind(&redacted_text)
        .bind(&html)
        .bind(&redacted_html)
        .execute(pool)
        .await?;
    });
    Ok(())
}

/// Records a failed attempt and when to try again.
pub async fn mark_failed(db: &Db, id: i64, error: &str, retry_at: Timestamp) -> Result<()> {
    on_db!(db, |pool| {
        sqlx::query(
            "UPDATE outbox SET attempts = attempts + 1, last_error = $1, next_attempt_at = $2 WHERE id = $3",
        )
        .bind(error)
        .bind(retry_at.0)
        .bind(id)
        .execute(pool)
        .await?;
    });
    Ok(())
}

/// The newest messages, for the demo's `/dev/mail` page and for tests.
pub async fn recent(db: &Db, limit: i64) -> Result<Vec<Message>> {
    let sql = format!("SELECT {COLUMNS} FROM outbox ORDER BY id DESC LIMIT $1");
    let rows: Vec<Row> = on_db!(db, |pool| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(limit)
        .fetch_all(pool)
        .await?);
    Ok(rows.into_iter().map(to_message).collect())
}

/// Attempts after which a message is given up (about half a day of retries).
pub const MAX_ATTEMPTS: i64 = 16;

/// Backoff before the next attempt: 30s, 1m, 2m, … capped at one hour.
pub fn retry_delay_seconds(attempts_so_far: i64) -> i64 {
    let exp = attempts_so_far.clamp(0, 7) as u32;
    (30i64 << exp).min(3600)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // Tests fail loudly by design.
mod tests {
    use super::*;
    use crate::testing::{Backend, TestDb};
    use convene_domain::links::LINK_REMOVED;

    const NOW: Timestamp = Timestamp(1_700_000_000_000_000);

    #[tokio::test]
    async fn sending_removes_secret_links_from_both_parts() {
        let link = "https://convene.example.org/reset-password/3f9a0c1b2d4e5f60718293a4b5c6d7e8";
        let text = format!("Open this link:\n\n{link}\n\nConvene");
        let html = format!("<p><a href=\"{link}\">{link}</a></p>");
        for backend in Backend::BOTH {
            let t = TestDb::new(backend).await;
            let mut tx = t.db.begin().await.unwrap();
            let id = enqueue_parts(&mut tx, "a@example.org", "Reset", &text, Some(&html), NOW)
                .await
                .unwrap();
            let plain = enqueue(&mut tx, "b@example.org", "Plain", &text, NOW)
                .await
                .unwrap();
            tx.commit().await.unwrap();
            let due = claim_due(&t.db, NOW, 10, 60).await.unwrap();
            assert_eq!(
                due[0].body_html.as_deref(),
                Some(html.as_str()),
                "{backend:?}: kept until sent"
            );
            assert_eq!(due[1].body_html, None, "{backend:?}");
            mark_sent(&t.db, id, NOW).await.unwrap();
            mark_sent(&t.db, plain, NOW).await.unwrap();
            let kept = recent(&t.db, 10).await.unwrap();
            for m in &kept {
                assert!(
                    !m.body_text.contains(link) && m.body_text.contains(LINK_REMOVED),
                    "{backend:?}: {m:?}"
                );
            }
            let sent = kept.iter().find(|m| m.id == id).unwrap();
            assert_eq!(
                sent.body_html.as_deref(),
                Some("<p><a href=\"[link removed]\">[link removed]</a></p>"),
                "{backend:?}"
            );
            assert_eq!(kept.iter().find(|m| m.id == plain).unwrap().body_html, None);
            t.remove().await;
        }
    }

    #[test]
    fn backoff_grows_and_caps() {
        assert_eq!(super::retry_delay_seconds(0), 30);
        assert_eq!(super::retry_delay_seconds(1), 60);
        assert_eq!(super::retry_delay_seconds(20), 3600);
    }
}
