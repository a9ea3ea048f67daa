//! One-time notices shown on the next page ("The token has been revoked."), kept in the
//! session. Shared by pages and the CSRF layer.

use tower_sessions::Session;

/// The session key of a one-time notice shown on the next page.
const NOTICE_KEY: &str = "notice";

/// Leaves a notice for the next page.
pub async fn notify(session: &Session, message: &str) {
    let _ = session.insert(NOTICE_KEY, message).await;
}

/// Takes the pending notice, if any.
pub async fn take_notice(session: &Session) -> Option<String> {
    take(session, NOTICE_KEY).await
}

/// Takes a one-time value out of the session. Looks first: removing marks the session
/// changed, and a changed session is written back to the database.
pub async fn take(session: &Session, key: &str) -> Option<String> {
    let value = session.get::<String>(key).await.ok().flatten()?;
    let _ = session.remove::<String>(key).await;
    Some(value)
}
