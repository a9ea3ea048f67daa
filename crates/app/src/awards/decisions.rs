//! The panel's decisions: fund, reserve or decline per application, with feedback, once
//! every review is in (or with a reason to decide sooner). Funding makes the award in the
//! same change, never beyond what the fund has left; every decision queues its letter for
//! the round's notification date.

use super::{
    Award, Decision, Outcome, PanelError, Problem, Result, decision_panel, decision_resource, value_of,
};
use crate::panels::Panel;
use crate::panels::ranking::Standing;
use crate::{App, Work};
use convene_domain::applications::{Application, ApplicationStatus};
use convene_domain::audit::AuditAction;
use convene_domain::awards::{self as rules, AwardDates, Fund};
use convene_domain::policy::{Action, Principal, allows};
use convene_domain::{ApplicationId, Pence, RoundId, Timestamp};
use convene_store::awards::{self as store, NewAward, decisions as stored, letters, selection};
use convene_store::panels::assignment as assignments;

/// One application on the decisions page.
#[derive(Debug, Clone)]
pub struct Line {
    pub standing: Standing,
    pub score: Option<i64>,
    pub decision: Option<Decision>,
    pub award: Option<Award>,
    pub reviews_missing: u32,
    /// The members who stand aside from it, by name.
    pub stood_aside: Vec<String>,
    /// True once its letter has gone out or is due: the decision is then final.
    pub announced: bool,
}

impl Line {
    pub fn id(&self) -> ApplicationId {
        self.standing.id()
    }
}

/// A round's decisions as the chair and the panel see them.
#[derive(Debug, Clone)]
pub struct Board {
    pub panel: Panel,
    pub fund: Fund,
    pub lines: Vec<Line>,
    /// How many lines the asker's conflicts leave out.
    pub hidden: usize,
    pub can_decide: bool,
    /// Declined offers waiting for the chair to offer the place to the top reserve (none
    /// the asker's conflicts cover).
    pub declined: Vec<Award>,
    /// The round's top reserve among every application, seen or not: a reserve is offered
    /// a place in score order, whoever is asking.
    top_reserve: Option<ApplicationId>,
}

impl Board {
    pub fn counts(&self, outcome: Outcome) -> usize {
        self.lines
            .iter()
            .filter(|l| l.decision.as_ref().is_some_and(|d| d.outcome == outcome))
            .count()
    }

    pub fn undecided(&self) -> usize {
        self.lines.iter().filter(|l| l.decision.is_none()).count()
    }

    /// The reserve with the highest moderated score not yet offered a place, when the
    /// asker may see it.
    pub fn top_reserve(&self) -> Option<&Line> {
        let id = self.top_reserve?;
        self.lines.iter().find(|l| l.id() == id)
    }
}

/// The round's decisions for someone who may read them.
pub async fn board(app: &App, who: &Principal, round_id: RoundId) -> Result<Board> {
    let panel = decision_panel(app, who, round_id, Action::View).await?;
    let standings = crate::panels::ranking::standings(app, &panel).await?;
    let decisions = stored::of_round(&app.db, round_id).await?;
    let awards = store::of_round(&app.db, round_id).await?;
    let assigned = assignments::assignments(&app.db, round_id).await?;
    let sent = letters::of_round(&app.db, round_id).await?;
    let now = app.clock.now();
    let mut lines = Vec::new();
    for s in standings.iter() {
        let id = s.id();
        let assigned_n = assigned.iter().filter(|a| a.application_id == id).count();
        lines.push(Line {
            score: super::moderated_score(s),
            decision: decisions.iter().find(|d| d.application_id == id).cloned(),
            award: awards.iter().find(|a| a.application_id == Some(id)).cloned(),
            reviews_missing: super::reviews_missing(&panel, assigned_n, s.summary.reviews),
            stood_aside: s.stood_aside.iter().map(|u| panel.member_name(*u)).collect(),
            announced: sent
                .iter()
                .any(|l| l.application_id == id && (l.sent_at.is_some() || l.send_after <= now)),
            standing: s.clone(),
        });
    }
    let top_reserve = lines
        .iter()
        .filter(|l: &&Line| {
            l.decision.as_ref().is_some_and(|d| d.outcome == Outcome::Reserve) && l.award.is_none()
        })
        .max_by_key(|l| (l.score, std::cmp::Reverse(l.standing.listed.reference.clone())))
        .map(Line::id);
    let before = lines.len();
    let seen = |stood_aside: &[convene_domain::UserId]| panel.admin || !stood_aside.contains(&who.user_id);
    lines.retain(|l| seen(&l.standing.stood_aside));
    let hidden = before - lines.len();
    let mut declined = store::declined_unreplaced(&app.db, round_id).await?;
    declined.retain(|a| {
        a.application_id
            .and_then(|id| standings.iter().find(|s| s.id() == id))
            .is_none_or(|s| seen(&s.stood_aside))
    });
    Ok(Board {
        fund: store::fund(&app.db, panel.programme.id).await?,
        can_decide: allows(who, Action::Edit, decision_resource(&panel, false)),
        declined,
        lines,
        hidden,
        top_reserve,
        panel,
    })
}

/// A decision as typed.
#[derive(Debug, Clone, Default)]
pub struct DecisionInput {
    pub outcome: String,
    pub feedback: String,
    pub override_reason: String,
    /// The version the form was loaded with (0 for none yet).
    pub expected_version: i64,
}

/// What a decision is about, checked: the asker may make it, the application is
/// submitted, the outcome is known and the feedback (and any reason) given.
struct Deciding {
    panel: Panel,
    application: Application,
    outcome: Outcome,
    missing: u32,
}

async fn check(
    app: &App,
    who: &Principal,
    application_id: ApplicationId,
    input: &DecisionInput,
) -> Result<Deciding> {
    let (round_id, application) = crate::panels::reviews::application_round(app, application_id).await?;
    let panel = decision_panel(app, who, round_id, Action::View).await?;
    let conflicted = crate::panels::conflicted(app, who, round_id, application_id).await?;
    if !allows(who, Action::View, decision_resource(&panel, conflicted)) {
        return Err(PanelError::NotFound);
    }
    if !allows(who, Action::Edit, decision_resource(&panel, conflicted)) {
        return Err(PanelError::Forbidden);
    }
    if application.status != ApplicationStatus::Submitted {
        return Err(PanelError::State(
            "Only a submitted application can be decided".into(),
        ));
    }
    let outcome = Outcome::from_key(input.outcome.trim());
    let standing = crate::panels::ranking::standings(app, &panel)
        .await?
        .iter()
        .find(|s| s.id() == application_id)
        .cloned()
        .ok_or(PanelError::NotFound)?;
    let assigned = assignments::assignments(&app.db, round_id)
        .await?
        .iter()
        .filter(|a| a.application_id == application_id)
        .count();
    let missing = super::reviews_missing(&panel, assigned, standing.summary.reviews);
    let mut problems = rules::decision_problems(&input.feedback, missing, &input.override_reason);
    if outcome.is_none() {
        problems.insert(
            0,
            Problem {
                field: "outcome".into(),
                message: "Choose whether to fund the place, keep it in reserve or not fund it".into(),
            },
        );
    }
    let (Some(outcome), true) = (outcome, problems.is_empty()) else {
        return Err(PanelError::Invalid(problems));
    };
    Ok(Deciding {
        panel,
        application,
        outcome,
        missing,
    })
}

/// Records (or changes, until its letter is due) the decision on one application. Funding
/// makes the award; changing away from fund withdraws the award not yet announced.
pub async fn record(
    app: &App,
    who: &Principal,
    application_id: ApplicationId,
    input: &DecisionInput,
) -> Result<Decision> {
    let Deciding {
        panel,
        application,
        outcome,
        missing,
    } = check(app, who, application_id, input).await?;
    let round_id = panel.round.id;
    let values = selection::values(&app.db, round_id).await?;
    let value = value_of(&values, application_id, panel.round.value_per_place);
    let existing = store::of_application(&app.db, application_id).await?;
    let mut work = app.begin(Some(who.user_id.0)).await?;
    // First, so two people funding at once are told in turn what is left.
    let fund = store::lock_fund(work.tx(), panel.programme.id).await?;
    let now = work.now();
    if letters::announced(work.tx(), application_id, now).await? {
        return Err(PanelError::State(
            "This outcome has been announced to the place, so it can no longer change".into(),
        ));
    }
    let mut offered = None;
    if outcome == Outcome::Fund && existing.is_none() {
        let new = NewAwardOf {
            panel: &panel,
            application: &application,
            value,
            fund,
            replaces: None,
        };
        offered = Some(make_award(&mut work, &new, who).await?);
    } else if outcome != Outcome::Fund {
        store::withdraw_unannounced(work.tx(), application_id).await?;
    }
    let save = stored::DecisionSave {
        round_id,
        application_id,
        expected_version: input.expected_version,
        outcome,
        feedback: input.feedback.trim(),
        override_reason: Some(input.override_reason.trim()).filter(|r| !r.is_empty() && missing > 0),
        by: who.user_id,
    };
    let Some(version) = stored::save(work.tx(), &save, now).await? else {
        return Err(PanelError::Stale);
    };
    let send_after = panel.round.notify_by.max(now);
    letters::queue(
        work.tx(),
        application_id,
        round_id,
        outcome.letter(),
        save.feedback,
        send_after,
        now,
    )
    .await?;
    work.audit_with(
        AuditAction::DecisionRecorded,
        Some(application_id.0),
        outcome.key(),
    )
    .await?;
    if let Some(award_id) = offered {
        work.audit(AuditAction::AwardOffered, Some(award_id)).await?;
    }
    work.commit().await?;
    Ok(decided(&save, version, now))
}

/// The decision as saved.
fn decided(save: &stored::DecisionSave<'_>, version: i64, now: Timestamp) -> Decision {
    Decision {
        application_id: save.application_id,
        outcome: save.outcome,
        feedback: save.feedback.to_string(),
        override_reason: save.override_reason.map(str::to_string),
        version,
        decided_by: Some(save.by),
        decided_at: now,
    }
}

/// An award to make for a funded application.
pub(crate) struct NewAwardOf<'a> {
    pub panel: &'a Panel,
    pub application: &'a Application,
    pub value: Pence,
    /// The fund as [`store::lock_fund`] returned it in this change.
    pub fund: Fund,
    /// The declined award whose place this one takes.
    pub replaces: Option<i64>,
}

/// Makes the award in the change `work` (after [`store::lock_fund`]), never beyond what
/// the fund has available; returns its id.
pub(crate) async fn make_award(work: &mut Work, new: &NewAwardOf<'_>, who: &Principal) -> Result<i64> {
    if let Some(problem) = rules::value_problem(new.value, new.fund.available()) {
        return Err(super::invalid("outcome", problem));
    }
    let application = new.application;
    let reference = application.reference.clone().unwrap_or_default();
    let recipient = store::recipient(work.tx(), application.place_id).await?.ok_or_else(|| {
        PanelError::State(
            "The place has no accountable organisation recorded: an admin must add it before it can be funded".into(),
        )
    })?;
    let issue = store::breakthrough_issue(work.tx(), new.panel.programme.id, application.place_id)
        .await?
        .unwrap_or_else(|| format!("As set out in application {reference}"));
    let now = work.now();
    let award = NewAward {
        programme_id: new.panel.programme.id,
        round_id: Some(new.panel.round.id),
        application_id: Some(application.id),
        place_id: application.place_id,
        reference: &reference,
        recipient_organisation_id: recipient,
        value: new.value,
        match_pledge: application.pledge.unwrap_or(Pence(0)),
        breakthrough_issue: &issue,
        dates: dates_now(new.panel, now),
        replaces_award_id: new.replaces,
        by: Some(who.user_id),
    };
    Ok(store::insert(work.tx(), &award, now).await?)
}

/// The dates an award made now in this round would carry.
pub fn dates_now(panel: &Panel, now: Timestamp) -> AwardDates {
    rules::award_dates(panel.round.notify_by, panel.round.launch_event_at, now)
}
