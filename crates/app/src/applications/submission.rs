//! Starting an application, submitting it (idempotently) and withdrawing it.

use super::{ApplicationError, Loaded, blockers, signoff_state};
use crate::{App, mail};
use convene_domain::PlaceId;
use convene_domain::Timestamp;
use convene_domain::applications::ApplicationStatus;
use convene_domain::audit::AuditAction;
use convene_domain::policy::{Action, Principal, Resource, allows};
use convene_store::applications::{self, SubmitOutcome};
use convene_store::forms;
use convene_store::programmes::{self, Round};

/// Submits the application. A second submission returns the first one's reference.
pub async fn submit(
    app: &App,
    who: &Principal,
    applicant_email: &str,
    loaded: &Loaded,
) -> Result<(String, bool), ApplicationError> {
    if let (ApplicationStatus::Submitted, Some(reference)) =
        (loaded.application.status, &loaded.application.reference)
    {
        return Ok((reference.clone(), false));
    }
    let now = app.clock.now();
    let signoff = signoff_state(app, loaded).await?;
    let found = blockers(loaded, &signoff, now);
    if !found.is_empty() {
        return Err(ApplicationError::Blocked(found));
    }
    let mut work = app.begin(Some(who.user_id.0)).await?;
    let now = work.now();
    let outcome = applications::submit(work.tx(), loaded.application.id, now).await?;
    let reference = match outcome {
        SubmitOutcome::AlreadySubmitted { reference } => return Ok((reference, false)),
        SubmitOutcome::Withdrawn => return Err(ApplicationError::NotEditable(ApplicationStatus::Withdrawn)),
        SubmitOutcome::Submitted { reference } => reference,
    };
    work.send(&receipt(loaded, applicant_email, &reference, now))
        .await?;
    work.audit(AuditAction::ApplicationSubmitted, Some(loaded.application.id.0))
        .await?;
    work.commit().await?;
    Ok((reference, true))
}

/// What happens after submission, in the same words on the page and in the email.
pub fn next_steps(round: &Round) -> Vec<String> {
    let mut steps = vec![
        format!(
            "A panel will review the applications. You will hear whether your place has been selected by {}.",
            round.notify_by.london_date()
        ),
        "If the programme team needs anything else from you, they will email you.".to_string(),
    ];
    if let Some(at) = round.launch_event_at {
        let place = round
            .launch_event_location
            .as_deref()
            .map(|l| format!(" in {}", l.to_lowercase()))
            .unwrap_or_default();
        steps.push(format!(
            "Successful places must attend the launch event at {}{place}. Please hold this time in your diary.",
            at.london_words()
        ));
    }
    steps
}

/// The mail that confirms a submission, with its reference and what happens next.
fn receipt(
    loaded: &Loaded,
    applicant_email: &str,
    reference: &str,
    now: Timestamp,
) -> mail::SubmissionReceived {
    mail::SubmissionReceived {
        to: applicant_email.to_string(),
        place: loaded.place.name.clone(),
        round: loaded.round.name.clone(),
        reference: reference.to_string(),
        submitted_at: now.london_words(),
        next_steps: next_steps(&loaded.round),
        contact: loaded.programme.contact_email.clone(),
    }
}

/// Withdraws the application with the applicant's reason.
pub async fn withdraw(
    app: &App,
    who: &Principal,
    loaded: &Loaded,
    reason: &str,
) -> Result<(), ApplicationError> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(ApplicationError::Invalid(vec![(
            "reason".into(),
            "Enter why you are withdrawing the application".into(),
        )]));
    }
    if reason.chars().count() > 2000 {
        return Err(ApplicationError::Invalid(vec![(
            "reason".into(),
            "The reason must be 2,000 characters or fewer".into(),
        )]));
    }
    let mut work = app.begin(Some(who.user_id.0)).await?;
    let now = work.now();
    if !applications::withdraw(work.tx(), loaded.application.id, reason, now).await? {
        return Err(ApplicationError::NotEditable(ApplicationStatus::Withdrawn));
    }
    work.audit(AuditAction::ApplicationWithdrawn, Some(loaded.application.id.0))
        .await?;
    work.commit().await?;
    Ok(())
}

/// Starts (or finds) a place's application to a round. The person must lead the place,
/// the place must take part in the programme, and the round must be open with a form.
pub async fn start(
    app: &App,
    who: &Principal,
    round: &Round,
    place_id: PlaceId,
) -> Result<i64, ApplicationError> {
    let place = programmes::place(&app.db, place_id.0)
        .await?
        .ok_or(ApplicationError::NotFound)?;
    // A new application is written by whoever may edit one of this place in this round:
    // the one policy decides, as for every later save.
    let new_application = Resource::Application {
        place_id: place.id,
        programme_id: round.programme_id,
        round_id: round.id,
        submitted: false,
        conflicted: false,
    };
    if !allows(who, Action::Edit, new_application) || !place.programme_ids.contains(&round.programme_id) {
        return Err(ApplicationError::Forbidden);
    }
    if let Some(existing) = applications::for_place_in_round(&app.db, round.id, place.id).await? {
        return Ok(existing.id.0);
    }
    let now = app.clock.now();
    let status = convene_domain::programmes::round_status(round.opens_at, round.closes_at, now);
    if status != convene_domain::programmes::RoundStatus::Open {
        return Err(ApplicationError::Invalid(vec![(
            "place".into(),
            format!("{} is not open for applications", round.name),
        )]));
    }
    let form = forms::current(&app.db, round.id).await?.ok_or_else(|| {
        ApplicationError::Invalid(vec![(
            "place".into(),
            "This round has no application form yet".into(),
        )])
    })?;
    let mut work = app.begin(Some(who.user_id.0)).await?;
    let (id, created) =
        applications::start(work.tx(), round.id, place.id, form.id, Some(who.user_id.0), now).await?;
    if created {
        work.audit(AuditAction::ApplicationStarted, Some(id)).await?;
    }
    work.commit().await?;
    Ok(id)
}
