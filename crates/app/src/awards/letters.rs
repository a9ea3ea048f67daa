//! Outcome letters: each decision queues its letter for the round's notification date;
//! the outcome-letters job sends it then to the place's leads and, in the same change,
//! announces the award it offers. From that moment (never before) the place sees it.

use super::Result;
use crate::App;
use crate::mail::{OfferTerms, OutcomeLetter};
use convene_domain::audit::AuditAction;
use convene_store::awards::{self as store, letters};
use convene_store::{StoreError, users};

/// How many due letters one run of the job sends at most (the next run sends the rest).
const BATCH: i64 = 200;

/// Sends every letter whose time has come; returns how many were sent. Each letter is
/// claimed by one server only, so several servers running the job send it once.
pub async fn send_due(app: &App) -> Result<usize, StoreError> {
    let now = app.clock.now();
    let due = letters::due_unsent(&app.db, now, BATCH).await?;
    let mut sent = 0;
    for letter in due {
        if send_one(app, &letter).await? {
            sent += 1;
        }
    }
    Ok(sent)
}

async fn send_one(app: &App, letter: &letters::Letter) -> Result<bool, StoreError> {
    let Some(application) = convene_store::applications::by_id(&app.db, letter.application_id.0).await?
    else {
        return Ok(false);
    };
    let Some((programme, round)) = app.catalogue.round(&app.db, letter.round_id).await? else {
        return Ok(false);
    };
    let place = convene_store::programmes::place(&app.db, application.place_id.0)
        .await?
        .ok_or(StoreError::NotFound)?;
    let award = store::of_application(&app.db, letter.application_id).await?;
    let leads = users::place_lead_emails(&app.db, application.place_id).await?;
    let mut work = app.begin(None).await?;
    let now = work.now();
    if !letters::claim(work.tx(), letter.id, now).await? {
        return Ok(false);
    }
    let offer = match (&award, letter.kind.offers_award()) {
        (Some(a), true) => {
            store::announce(work.tx(), letter.application_id, now).await?;
            Some(OfferTerms {
                value: a.value.to_string(),
                match_pledge: a.match_pledge.to_string(),
                respond_by: a.respond_by.london_words(),
            })
        }
        _ => None,
    };
    for to in leads {
        work.send(&OutcomeLetter {
            to,
            place: place.name.clone(),
            round: round.name.clone(),
            heading: letter.kind.heading().into(),
            feedback: letter.feedback.clone(),
            offer: offer.clone(),
            link: format!(
                "{}/applications/{}/outcome",
                app.settings.public_url, letter.application_id.0
            ),
            contact: programme.contact_email.clone(),
        })
        .await?;
    }
    work.audit_with(
        AuditAction::LetterSent,
        Some(letter.application_id.0),
        letter.kind.key(),
    )
    .await?;
    // The public fund counts an award from its announcement.
    work.clears(crate::Cache::Catalogue);
    work.commit().await?;
    Ok(true)
}
