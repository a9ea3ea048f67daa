//! The outbox as the mail worker and the demo's outbox page see it: claim what is due,
//! record a send (which removes the secret links from the stored copy) or a failure (and
//! when to try again).

use crate::{App, Result};
use convene_domain::Timestamp;
use convene_store::outbox;

/// A queued message, as stored: its text part, its HTML part if it has one, and how its
/// sending went.
pub use convene_store::outbox::Message as Queued;

/// The messages due for a send attempt, oldest first, leased for `lease_seconds` so that
/// no other worker (on this server or another) sends them meanwhile.
pub async fn claim_due(app: &App, limit: i64, lease_seconds: i64) -> Result<Vec<Queued>> {
    Ok(outbox::claim_due(&app.db, app.clock.now(), limit, lease_seconds).await?)
}

/// Records that a message was sent; its stored parts lose their secret links.
pub async fn mark_sent(app: &App, id: i64) -> Result<()> {
    Ok(outbox::mark_sent(&app.db, id, app.clock.now()).await?)
}

/// When a message that failed is tried again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NextAttempt {
    /// After a backoff of 30 seconds, doubling, at most an hour.
    At(Timestamp),
    /// Never: it failed too often (about half a day of retries).
    GivenUp,
}

/// Records a failed attempt at `message` with its error, and when to try again.
pub async fn mark_failed(app: &App, message: &Queued, error: &str) -> Result<NextAttempt> {
    let next = if message.attempts + 1 >= outbox::MAX_ATTEMPTS {
        NextAttempt::GivenUp
    } else {
        let delay = outbox::retry_delay_seconds(message.attempts);
        NextAttempt::At(app.clock.now().plus_seconds(delay))
    };
    let retry_at = match next {
        NextAttempt::At(at) => at,
        NextAttempt::GivenUp => Timestamp(i64::MAX),
    };
    outbox::mark_failed(&app.db, message.id, error, retry_at).await?;
    Ok(next)
}

/// The newest messages, for the demo's outbox page.
pub async fn recent(app: &App, limit: i64) -> Result<Vec<Queued>> {
    Ok(outbox::recent(&app.db, limit).await?)
}

/// An SMTP (or any) URL with its password hidden, for messages and logs.
pub fn url_without_password(url: &str) -> String {
    convene_store::redact(url)
}
