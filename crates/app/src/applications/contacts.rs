//! Removing a partner contact: any sign-off link sent to them stops working.

use super::{ApplicationError, Loaded};
use crate::App;

/// Removes contact `contact_id` from a loaded application (checked for editing by the
/// caller's load). False when there was no such contact.
pub async fn remove_contact(app: &App, loaded: &Loaded, contact_id: i64) -> Result<bool, ApplicationError> {
    let mut work = app.begin(None).await?;
    let now = work.now();
    let removed =
        convene_store::signoffs::remove_contact(work.tx(), loaded.application.id, contact_id, now).await?;
    work.commit().await?;
    Ok(removed)
}
