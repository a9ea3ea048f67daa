//! Scoring: an assigned member with no conflict scores and comments on each criterion,
//! saves drafts and submits. Until their own review is submitted they see nobody else's.

use super::assignment::{Conflicts, Submitted, submitted};
use super::{Panel, PanelError, Problem, Result, Rubric, panel};
use crate::applications::{self, Loaded};
use crate::{App, Cache};
use convene_domain::applications::Application;
use convene_domain::audit::AuditAction;
use convene_domain::panels::scoring::{CriterionScore, score_problems};
use convene_domain::policy::{Action, Principal, Resource, allows};
use convene_domain::{ApplicationId, RoundId, UserId};
pub use convene_store::panels::reviews::{Review, ReviewSaved};
use convene_store::panels::{self as store, reviews as review_store};

/// The round an application belongs to, and the application (no permission is checked:
/// callers check what they do with it).
pub async fn application_round(app: &App, id: ApplicationId) -> Result<(RoundId, Application)> {
    let a = convene_store::applications::by_id(&app.db, id.0)
        .await?
        .ok_or(PanelError::NotFound)?;
    Ok((a.round_id, a))
}

/// Where a reviewer's review of one application stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReviewState {
    NotStarted,
    Draft,
    Submitted,
}

impl ReviewState {
    pub fn label(self) -> &'static str {
        match self {
            ReviewState::NotStarted => "Not started",
            ReviewState::Draft => "Draft saved",
            ReviewState::Submitted => "Submitted",
        }
    }
}

#[derive(Debug, Clone)]
pub struct QueueLine {
    pub application: Submitted,
    pub state: ReviewState,
}

/// The applications assigned to the asker in a round (any they are now conflicted on are
/// left out), with how far each review has got.
pub async fn queue(app: &App, who: &Principal, round_id: RoundId) -> Result<(Panel, Vec<QueueLine>)> {
    let panel = super::conflicts::own_part(app, who, round_id).await?;
    let assigned = store::assignment::assigned_to(&app.db, round_id, who.user_id).await?;
    let conflicts = Conflicts::of_round(app, round_id).await?;
    let mine = review_store::of_member(&app.db, round_id, who.user_id).await?;
    let lines = submitted(app, round_id)
        .await?
        .into_iter()
        .filter(|a| assigned.iter().any(|p| p.application_id == a.id()))
        .filter(|a| !conflicts.covers(who.user_id, a.id()))
        .map(|a| {
            let state = match mine.iter().find(|r| r.application_id == a.id()) {
                None => ReviewState::NotStarted,
                Some(r) if r.submitted() => ReviewState::Submitted,
                Some(_) => ReviewState::Draft,
            };
            QueueLine {
                application: a,
                state,
            }
        })
        .collect();
    Ok((panel, lines))
}

/// The scoring page's content.
#[derive(Debug, Clone)]
pub struct Scoring {
    pub panel: Panel,
    pub application: Loaded,
    pub rubric: Rubric,
    pub mine: Option<Review>,
    /// Other reviewers' submitted reviews, with their names: only once the asker's own is
    /// submitted (`None` before).
    pub others: Option<Vec<(String, Review)>>,
}

/// The asker's review of an application. 403 for anyone not assigned it or conflicted on
/// it (nothing of the application is read for them).
pub async fn open(app: &App, who: &Principal, application_id: ApplicationId) -> Result<Scoring> {
    let (round_id, _) = application_round(app, application_id).await?;
    let panel = panel(app, who, round_id, Action::View).await?;
    let assigned = store::assignment::is_assigned(&app.db, application_id, who.user_id).await?;
    let conflicted = super::conflicted(app, who, round_id, application_id).await?;
    let resource = Resource::Review {
        round_id,
        assigned,
        conflicted,
    };
    if !allows(who, Action::Edit, resource) {
        return Err(PanelError::Forbidden);
    }
    let application = applications::load(app, who, application_id.0, Action::View)
        .await
        .map_err(|_| PanelError::Forbidden)?;
    let mine = review_store::review(&app.db, application_id, who.user_id).await?;
    let others = match &mine {
        Some(r) if r.submitted() => Some(others(
            &panel,
            review_store::of_application(&app.db, application_id).await?,
            who.user_id,
        )),
        _ => None,
    };
    Ok(Scoring {
        rubric: panel.rubric.clone(),
        panel,
        application,
        mine,
        others,
    })
}

fn others(panel: &Panel, all: Vec<Review>, me: UserId) -> Vec<(String, Review)> {
    all.into_iter()
        .filter(|r| r.user_id != me && r.submitted())
        .map(|r| {
            let name = panel.member_name(r.user_id);
            (name, r)
        })
        .collect()
}

/// One criterion as typed: the score as text ("" when not chosen yet) and the comment.
#[derive(Debug, Clone, Default)]
pub struct ScoreInput {
    pub criterion: String,
    pub score: String,
    pub comment: String,
}

/// Reads what was typed into scores; a score that is not a whole number is a problem.
pub fn read_scores(inputs: &[ScoreInput]) -> (Vec<CriterionScore>, Vec<Problem>) {
    let mut problems = Vec::new();
    let scores = inputs
        .iter()
        .map(|i| {
            let text = i.score.trim();
            let score = if text.is_empty() {
                None
            } else {
                match text.parse::<u8>() {
                    Ok(v) => Some(v),
                    Err(_) => {
                        problems.push(Problem {
                            field: format!("scores.{}", i.criterion),
                            message: "Choose a score from 1 to 5".into(),
                        });
                        None
                    }
                }
            };
            CriterionScore {
                criterion: i.criterion.clone(),
                score,
                comment: i.comment.trim().to_string(),
            }
        })
        .collect();
    (scores, problems)
}

/// Saves the asker's draft (or submits it) over `expected_version`. Refused with every
/// problem named, nothing saved, for a score outside the scale, a criterion not in the
/// rubric, or (on submit) a criterion left unscored; `Stale` when saved elsewhere since.
pub async fn save(
    app: &App,
    who: &Principal,
    application_id: ApplicationId,
    expected_version: i64,
    inputs: &[ScoreInput],
    submit: bool,
) -> Result<i64> {
    let scoring = open(app, who, application_id).await?;
    if scoring.mine.as_ref().is_some_and(Review::submitted) {
        return Err(PanelError::State(
            "You have submitted your scores for this application: they are final".into(),
        ));
    }
    let (scores, mut problems) = read_scores(inputs);
    problems.extend(score_problems(&scoring.rubric, &scores, submit));
    if !problems.is_empty() {
        return Err(PanelError::Invalid(problems));
    }
    if scoring.rubric.criteria.is_empty() {
        return Err(PanelError::State("This round has no rubric yet".into()));
    }
    let round_id = scoring.panel.round.id;
    let mut work = app.begin(Some(who.user_id.0)).await?;
    let save = review_store::ReviewSave {
        round_id,
        application_id,
        user_id: who.user_id,
        expected_version,
        scores: &scores,
        submit,
    };
    let now = work.now();
    let ReviewSaved::Saved { version } = review_store::save(work.tx(), &save, now).await? else {
        return Err(PanelError::Stale);
    };
    let action = if submit {
        AuditAction::ReviewSubmitted
    } else {
        AuditAction::ReviewSaved
    };
    work.audit(action, Some(application_id.0)).await?;
    if submit {
        work.clears(Cache::Ranking(round_id));
    }
    work.commit().await?;
    Ok(version)
}
