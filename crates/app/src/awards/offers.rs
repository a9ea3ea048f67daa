//! A place's outcome as its leads see it (the letters sent and the award), their answer
//! to an offer, and the chair's offer of a declined place to the top reserve.

use super::{Award, AwardStatus, Letter, PanelError, Result, decision_panel, decision_resource, invalid};
use crate::App;
use convene_domain::audit::AuditAction;
use convene_domain::awards::{self as rules, LetterKind, Outcome};
use convene_domain::policy::{Action, Principal, Resource, allows};
use convene_domain::{ApplicationId, RoundId};
use convene_store::awards::{self as store, decisions, letters, selection};

/// What a place has been told about one application: the letters sent (oldest first) and
/// the award, once announced.
#[derive(Debug, Clone)]
pub struct PlaceOutcome {
    pub application_id: ApplicationId,
    pub reference: String,
    pub place: String,
    pub round: String,
    pub contact: String,
    pub letters: Vec<Letter>,
    pub award: Option<Award>,
    /// True when the asker may answer the offer now.
    pub can_respond: bool,
}

impl PlaceOutcome {
    /// The latest letter's heading.
    pub fn heading(&self) -> &'static str {
        self.letters.last().map_or("No outcome yet", |l| l.kind.heading())
    }
}

/// True when the asker may read an outcome letter of the loaded application: one has gone
/// out and the asker may read the place's outcomes. One query, for the application's page
/// (which links to the outcome); [`place_outcome`] reads the rest.
pub async fn outcome_sent(app: &App, who: &Principal, loaded: &crate::applications::Loaded) -> Result<bool> {
    let resource = Resource::Outcome {
        programme_id: loaded.programme.id,
        place_id: loaded.application.place_id,
        announced: true,
    };
    if loaded.application.submitted_at.is_none() || !allows(who, Action::View, resource) {
        return Ok(false);
    }
    Ok(letters::any_sent(&app.db, loaded.application.id).await?)
}

/// An application's outcome for its place's leads (and the programme's admins). Before its
/// letter goes out it is not found, for the place as for anyone outside the programme.
pub async fn place_outcome(
    app: &App,
    who: &Principal,
    application_id: ApplicationId,
) -> Result<PlaceOutcome> {
    let application = convene_store::applications::by_id(&app.db, application_id.0)
        .await?
        .ok_or(PanelError::NotFound)?;
    let (programme, round) = crate::rounds::by_id(app, application.round_id.0).await?;
    let sent = letters::sent_for_application(&app.db, application_id).await?;
    let resource = |announced| Resource::Outcome {
        programme_id: programme.id,
        place_id: application.place_id,
        announced,
    };
    if sent.is_empty() || !allows(who, Action::View, resource(true)) {
        return Err(PanelError::NotFound);
    }
    let award = store::of_application(&app.db, application_id)
        .await?
        .filter(|a| a.announced_at.is_some());
    let now = app.clock.now();
    let can_respond = award.as_ref().is_some_and(|a| {
        allows(who, Action::Edit, resource(true))
            && rules::response_problem(a.status, a.respond_by, now).is_none()
    });
    let place = convene_store::programmes::place(&app.db, application.place_id.0)
        .await?
        .ok_or(PanelError::NotFound)?;
    Ok(PlaceOutcome {
        application_id,
        reference: application.reference.clone().unwrap_or_default(),
        place: place.name,
        round: round.name,
        contact: programme.contact_email,
        letters: sent,
        award,
        can_respond,
    })
}

/// A place's answer to an offer.
#[derive(Debug, Clone, Default)]
pub struct Answer {
    /// "accept" or "decline".
    pub answer: String,
    /// Ticked to confirm the match contribution (needed to accept).
    pub confirm_pledge: bool,
}

/// Accepts (confirming the match contribution) or declines an announced offer, once, by
/// its deadline. Only the place's leads answer.
pub async fn respond(app: &App, who: &Principal, award_id: i64, answer: &Answer) -> Result<Award> {
    let award = store::award(&app.db, award_id).await?;
    let resource = Resource::Outcome {
        programme_id: award.programme_id,
        place_id: award.place_id,
        announced: award.announced_at.is_some(),
    };
    if !allows(who, Action::View, resource) {
        return Err(PanelError::NotFound);
    }
    if !allows(who, Action::Edit, resource) {
        return Err(PanelError::Forbidden);
    }
    let status = match answer.answer.trim() {
        "accept" => AwardStatus::Accepted,
        "decline" => AwardStatus::Declined,
        _ => return Err(invalid("answer", "Choose whether to accept or decline the offer")),
    };
    let now = app.clock.now();
    if let Some(problem) = rules::response_problem(award.status, award.respond_by, now) {
        return Err(PanelError::State(problem));
    }
    if status == AwardStatus::Accepted && award.match_pledge.0 > 0 && !answer.confirm_pledge {
        return Err(invalid(
            "confirm_pledge",
            format!(
                "Confirm that {} will contribute {} to accept",
                award.place_name, award.match_pledge
            ),
        ));
    }
    let mut work = app.begin(Some(who.user_id.0)).await?;
    let now = work.now();
    if !store::respond(work.tx(), award_id, status, who.user_id, now).await? {
        return Err(PanelError::State(
            "This offer has already been answered, or its time has passed".into(),
        ));
    }
    let action = if status == AwardStatus::Accepted {
        store::mark_underway(
            work.tx(),
            award.programme_id,
            award.place_id,
            &award.breakthrough_issue,
        )
        .await?;
        AuditAction::AwardAccepted
    } else {
        AuditAction::AwardDeclined
    };
    work.audit(action, Some(award_id)).await?;
    // The fund counts accepted pledges; a decline frees the award's value.
    work.clears(crate::Cache::Catalogue);
    work.commit().await?;
    Ok(store::award(&app.db, award_id).await?)
}

/// Offers the place a declined award frees to the round's top reserve: the chair (or an
/// admin) confirms `reserve`, which must be the reserve the decisions page names.
pub async fn offer_to_reserve(
    app: &App,
    who: &Principal,
    declined_award_id: i64,
    reserve: ApplicationId,
) -> Result<Award> {
    let declined = store::award(&app.db, declined_award_id).await?;
    let round_id: RoundId = declined.round_id.ok_or(PanelError::NotFound)?;
    let panel = decision_panel(app, who, round_id, Action::Edit).await?;
    let conflicted = crate::panels::conflicted(app, who, round_id, reserve).await?;
    if !allows(who, Action::Edit, decision_resource(&panel, conflicted)) {
        return Err(PanelError::Forbidden);
    }
    if declined.status != AwardStatus::Declined {
        return Err(PanelError::State("Only a declined offer frees a place".into()));
    }
    let board = super::decisions::board(app, who, round_id).await?;
    let top = board
        .top_reserve()
        .ok_or_else(|| PanelError::State("The round has no reserve left to offer".into()))?;
    if top.id() != reserve {
        return Err(PanelError::State(format!(
            "The top reserve is now {}: check the list again",
            top.standing.listed.place_name
        )));
    }
    let application = convene_store::applications::by_id(&app.db, reserve.0)
        .await?
        .ok_or(PanelError::NotFound)?;
    let values = selection::values(&app.db, round_id).await?;
    let value = super::value_of(&values, reserve, panel.round.value_per_place);
    let mut work = app.begin(Some(who.user_id.0)).await?;
    let fund = store::lock_fund(work.tx(), panel.programme.id).await?;
    let now = work.now();
    if store::is_replaced(work.tx(), declined_award_id).await? {
        return Err(PanelError::State(
            "This place has already been offered to a reserve".into(),
        ));
    }
    let new = super::decisions::NewAwardOf {
        panel: &panel,
        application: &application,
        value,
        fund,
        replaces: Some(declined_award_id),
    };
    let award_id = super::decisions::make_award(&mut work, &new, who).await?;
    if !decisions::promote_reserve(work.tx(), reserve, who.user_id, now).await? {
        return Err(PanelError::Stale);
    }
    let feedback = top
        .decision
        .as_ref()
        .map(|d| d.feedback.clone())
        .unwrap_or_default();
    letters::queue(
        work.tx(),
        reserve,
        round_id,
        LetterKind::Offered,
        &feedback,
        now,
        now,
    )
    .await?;
    work.audit_with(
        AuditAction::DecisionRecorded,
        Some(reserve.0),
        Outcome::Fund.key(),
    )
    .await?;
    work.audit(AuditAction::AwardOffered, Some(award_id)).await?;
    work.commit().await?;
    Ok(store::award(&app.db, award_id).await?)
}
