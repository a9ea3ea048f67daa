//! The reminders before a deadline: once per application, however many servers run them.

use super::signoff::{Link, SIGNOFF_LINK_DAYS, SignoffState, issue_link};
use super::{ApplicationError, Loaded, load_for_signoff, signoff_state};
use crate::{App, mail};
use convene_store::StoreError;
use convene_store::applications;

/// How long before its deadline an unsubmitted application is reminded.
pub const REMINDER_HOURS: i64 = 72;

/// Reminds, once, the leads of every unsubmitted application whose deadline is near, and
/// sends a fresh link to everyone whose sign-off is still awaited. Returns how many
/// applications were reminded. Safe to run on several servers at once.
pub async fn send_reminders(app: &App) -> Result<usize, StoreError> {
    let now = app.clock.now();
    let due = applications::due_reminders(&app.db, now, now.plus_seconds(REMINDER_HOURS * 3600)).await?;
    let mut reminded = 0;
    for id in due {
        let loaded = match load_for_signoff(app, id).await {
            Ok(l) => l,
            Err(ApplicationError::Store(e)) => return Err(e),
            Err(_) => continue,
        };
        let current = match signoff_state(app, &loaded).await {
            Ok(s) => s,
            Err(ApplicationError::Store(e)) => return Err(e),
            Err(_) => continue,
        };
        if remind(app, &loaded, &current).await? {
            reminded += 1;
        }
    }
    Ok(reminded)
}

/// Reminds one application's leads and re-sends its open sign-off links, unless another
/// server claimed it first. True when this call sent them.
async fn remind(app: &App, loaded: &Loaded, current: &SignoffState) -> Result<bool, StoreError> {
    let id = loaded.application.id;
    let leads = convene_store::users::place_lead_emails(&app.db, loaded.place.id).await?;
    let mut work = app.begin(None).await?;
    let now = work.now();
    if !applications::claim_reminder(work.tx(), id, now).await? {
        return Ok(false);
    }
    let deadline = loaded.deadline().london_words();
    for lead in &leads {
        let reminder = mail::DeadlineReminder {
            to: lead.clone(),
            place: loaded.place.name.clone(),
            round: loaded.round.name.clone(),
            deadline: deadline.clone(),
            link: format!("{}/applications/{id}", app.settings.public_url),
        };
        work.send(&reminder).await?;
    }
    let expires_at = work.now().plus_seconds(SIGNOFF_LINK_DAYS * 24 * 3600);
    let awaited = current.all.iter().filter(|s| {
        s.voided_at.is_none()
            && s.confirmed_at.is_none()
            && s.answers_digest == loaded.application.answers_digest
    });
    for s in awaited {
        // Only the newest open link per person is in force; request() voids the rest.
        if current.in_force(&s.contact_email).map(|f| f.id) != Some(s.id) {
            continue;
        }
        let link = Link {
            kind: &s.kind,
            name: &s.contact_name,
            email: &s.contact_email,
            organisation: &s.organisation,
            expires_at,
            reminder: true,
        };
        issue_link(&mut work, &app.settings.public_url, loaded, &link).await?;
    }
    work.commit().await?;
    Ok(true)
}
