//! The selection helper: proposes the applications that make the highest total moderated
//! score within the fund, the places offered and the round's balance rules, and says why
//! (convene_domain::selection). The panel decides; the helper advises.

use super::{PanelError, Result, decision_panel, invalid, moderated_score, value_of};
use crate::App;
use crate::panels::Panel;
use convene_domain::audit::AuditAction;
use convene_domain::imports::REGIONS;
use convene_domain::policy::{Action, Principal};
use convene_domain::selection::{self as rules, Candidate, Instance, KeepsOut, Rule, SelectionError};
use convene_domain::{ApplicationId, Pence, RoundId, UserId};
use convene_store::awards::{self as store, selection as stored};
use serde::{Deserialize, Serialize};

/// One application the helper weighs.
#[derive(Debug, Clone, Serialize)]
pub struct Line {
    pub application_id: ApplicationId,
    pub reference: String,
    pub place: String,
    pub region: Option<String>,
    pub theme: Option<String>,
    /// Moderated score in hundredths; `None` until scored (then left out).
    pub score: Option<i64>,
    pub value: Pence,
    /// True when an admin set the value (not the round's value per place).
    pub value_set: bool,
}

/// What the helper proposed, as stored with its run and shown on the page and in the API.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Proposal {
    /// The applications proposed, highest score first (application ids).
    pub chosen: Vec<i64>,
    pub total_score: i64,
    pub spent: Pence,
    pub budget: Pence,
    pub places: u32,
    /// The limits that bind, in words.
    pub binding: Vec<String>,
    /// The applications just outside, with what keeps each out.
    pub outside: Vec<OutsideLine>,
    /// Why nothing could be proposed, naming the limits that conflict.
    pub problem: Option<String>,
}

/// An application just outside the proposal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutsideLine {
    pub application_id: i64,
    /// The moderated score (hundredths) that would bring it in, when a score could.
    pub needs: Option<i64>,
    /// What keeps it out, in words.
    pub reason: String,
}

/// The helper's page: the round's fund and places, its rules, the applications weighed and
/// the latest proposal.
#[derive(Debug, Clone)]
pub struct Helper {
    pub panel: Panel,
    pub budget: Pence,
    pub rules: Vec<Rule>,
    /// What the asker may see (a member's conflicts leave lines out).
    pub lines: Vec<Line>,
    /// How many lines the asker's conflicts leave out.
    pub hidden: usize,
    pub latest: Option<(stored::Run, Proposal)>,
    /// True when the asker may run the helper and set the rules (the chair, admins).
    pub can_run: bool,
}

impl Helper {
    pub fn line(&self, id: i64) -> Option<&Line> {
        self.lines.iter().find(|l| l.application_id.0 == id)
    }
}

/// What the helper's money is: the fund available to the round, counting back what this
/// round has already awarded or decided (its own choice being what is advised on).
async fn budget(app: &App, panel: &Panel) -> Result<Pence> {
    let fund = store::fund(&app.db, panel.programme.id).await?;
    let own: i64 = store::of_round(&app.db, panel.round.id)
        .await?
        .iter()
        .filter(|a| a.status != convene_domain::awards::AwardStatus::Declined)
        .map(|a| a.value.0)
        .sum();
    Ok(Pence(fund.available().0.saturating_add(own)))
}

/// Every scored or unscored submitted application of the round with its value.
async fn lines(app: &App, panel: &Panel) -> Result<(Vec<Line>, Vec<Vec<convene_domain::UserId>>)> {
    let standings = crate::panels::ranking::standings(app, panel).await?;
    let submitted = crate::panels::assignment::submitted(app, panel.round.id).await?;
    let values = stored::values(&app.db, panel.round.id).await?;
    let mut out = Vec::new();
    let mut aside = Vec::new();
    for s in standings.iter() {
        let id = s.id();
        let theme = submitted
            .iter()
            .find(|a| a.id() == id)
            .and_then(|a| a.theme.clone());
        out.push(Line {
            application_id: id,
            reference: s.listed.reference.clone().unwrap_or_default(),
            place: s.listed.place_name.clone(),
            region: s.listed.region.clone(),
            theme,
            score: moderated_score(s),
            value: value_of(&values, id, panel.round.value_per_place),
            value_set: values.iter().any(|(a, _)| *a == id),
        });
        aside.push(s.stood_aside.clone());
    }
    Ok((out, aside))
}

/// The helper's page for someone who may read the round's decisions.
pub async fn helper(app: &App, who: &Principal, round_id: RoundId) -> Result<Helper> {
    let panel = decision_panel(app, who, round_id, Action::View).await?;
    let (all, aside) = lines(app, &panel).await?;
    let total = all.len();
    let lines: Vec<Line> = all
        .into_iter()
        .zip(aside)
        .filter(|(_, aside)| panel.admin || !aside.contains(&who.user_id))
        .map(|(l, _)| l)
        .collect();
    let latest = match stored::latest_run(&app.db, round_id).await? {
        Some(run) => {
            let proposal: Proposal = serde_json::from_str(&run.explanation).unwrap_or_default();
            let proposal = if panel.admin {
                proposal
            } else {
                seen_by(proposal, &lines)
            };
            Some((run, proposal))
        }
        None => None,
    };
    Ok(Helper {
        budget: budget(app, &panel).await?,
        rules: stored::rules(&app.db, round_id).await?,
        hidden: total - lines.len(),
        can_run: allows_run(who, &panel),
        lines,
        latest,
        panel,
    })
}

/// The proposal as someone who sees only `lines` may read it: what their conflicts cover
/// is left out, and the totals are of what is left, so no hidden score or value can be
/// worked out from them.
fn seen_by(mut proposal: Proposal, lines: &[Line]) -> Proposal {
    let seen = |id: i64| lines.iter().find(|l| l.application_id.0 == id);
    let before = proposal.chosen.len() + proposal.outside.len();
    proposal.chosen.retain(|id| seen(*id).is_some());
    proposal.outside.retain(|o| seen(o.application_id).is_some());
    if proposal.chosen.len() + proposal.outside.len() < before {
        proposal.total_score = proposal.chosen.iter().filter_map(|id| seen(*id)?.score).sum();
        proposal.spent = Pence(
            proposal
                .chosen
                .iter()
                .filter_map(|id| Some(seen(*id)?.value.0))
                .sum(),
        );
    }
    proposal
}

fn allows_run(who: &Principal, panel: &Panel) -> bool {
    convene_domain::policy::allows(who, Action::Edit, super::decision_resource(panel, false))
}

/// Runs the helper over the round as it stands and records what it proposed.
pub async fn run(app: &App, who: &Principal, round_id: RoundId) -> Result<Proposal> {
    let panel = decision_panel(app, who, round_id, Action::Edit).await?;
    let (lines, aside) = lines(app, &panel).await?;
    let scored: Vec<&Line> = lines.iter().filter(|l| l.score.is_some()).collect();
    if scored.is_empty() {
        return Err(PanelError::State(
            "No application has a moderated score yet: the helper works from the panel's scores".into(),
        ));
    }
    let instance = Instance {
        candidates: scored
            .iter()
            .map(|l| Candidate {
                reference: l.reference.clone(),
                score: l.score.unwrap_or(0),
                cost: l.value,
                region: l.region.clone(),
                theme: l.theme.clone(),
            })
            .collect(),
        budget: budget(app, &panel).await?,
        places: u32::try_from(panel.round.places_offered).unwrap_or(0),
        rules: stored::rules(&app.db, round_id).await?,
    };
    let proposal = propose(&instance, &scored);
    let outcome = if proposal.problem.is_none() {
        "proposed"
    } else {
        "infeasible"
    };
    let mut work = app.begin(Some(who.user_id.0)).await?;
    let now = work.now();
    let run = stored::Run {
        id: 0,
        run_by: Some(who.user_id),
        run_at: now,
        outcome: outcome.into(),
        budget: instance.budget,
        total_score: proposal.total_score,
        explanation: serde_json::to_string(&proposal).unwrap_or_default(),
    };
    stored::record_run(work.tx(), round_id, &run).await?;
    work.audit_with(AuditAction::SelectionRun, Some(round_id.0), outcome)
        .await?;
    work.commit().await?;
    // The runner reads it as the page does: nothing their conflicts cover.
    let seen: Vec<Line> = lines
        .iter()
        .zip(&aside)
        .filter(|(_, aside)| panel.admin || !aside.contains(&who.user_id))
        .map(|(l, _)| l.clone())
        .collect();
    Ok(if panel.admin {
        proposal
    } else {
        seen_by(proposal, &seen)
    })
}

/// Solves the instance and words the answer.
fn propose(instance: &Instance, scored: &[&Line]) -> Proposal {
    let mut proposal = Proposal {
        budget: instance.budget,
        places: instance.places,
        ..Proposal::default()
    };
    match rules::select(instance) {
        Ok(selection) => {
            let mut chosen: Vec<usize> = selection.chosen.clone();
            chosen.sort_by_key(|i| std::cmp::Reverse(instance.candidates[*i].score));
            proposal.chosen = chosen.iter().map(|i| scored[*i].application_id.0).collect();
            proposal.total_score = selection.total_score;
            proposal.spent = selection.spent;
            proposal.binding = selection
                .binding
                .iter()
                .map(|l| rules::describe(instance, l))
                .collect();
            proposal.outside = selection
                .outside
                .iter()
                .map(|o| {
                    let (needs, reason) = match &o.keeps_out {
                        KeepsOut::Score { needs } => (
                            Some(*needs),
                            format!(
                                "It would need a moderated score of {} to be chosen",
                                points(*needs)
                            ),
                        ),
                        KeepsOut::Limits(limits) => (
                            None,
                            format!(
                                "No score would bring it in: {}",
                                limits
                                    .iter()
                                    .map(|l| rules::describe(instance, l))
                                    .collect::<Vec<_>>()
                                    .join("; ")
                            ),
                        ),
                    };
                    OutsideLine {
                        application_id: scored[o.candidate].application_id.0,
                        needs,
                        reason,
                    }
                })
                .collect();
        }
        Err(SelectionError::Infeasible { conflicting }) => {
            proposal.problem = Some(format!(
                "No choice meets every limit. These conflict: {}",
                conflicting
                    .iter()
                    .map(|l| rules::describe(instance, l))
                    .collect::<Vec<_>>()
                    .join("; ")
            ));
        }
        Err(e) => proposal.problem = Some(e.to_string()),
    }
    proposal
}

/// A score in hundredths as people read it: "3.45".
pub fn points(hundredths: i64) -> String {
    format!("{}.{:02}", hundredths / 100, hundredths % 100)
}

/// The rules as typed: for each region, the most it may have ("" for no limit); for each
/// theme, whether at least one is required.
#[derive(Debug, Clone, Default)]
pub struct RulesInput {
    pub at_most: Vec<(String, String)>,
    pub at_least_one: Vec<String>,
}

/// Replaces the round's balance rules (the chair or an admin).
pub async fn set_rules(
    app: &App,
    who: &Principal,
    round_id: RoundId,
    input: &RulesInput,
) -> Result<Vec<Rule>> {
    let panel = decision_panel(app, who, round_id, Action::Edit).await?;
    let mut parsed = Vec::new();
    let mut problems = Vec::new();
    for (region, most) in &input.at_most {
        if most.trim().is_empty() {
            continue;
        }
        match most.trim().parse::<u32>() {
            Ok(most) => parsed.push(Rule::AtMostInRegion {
                region: region.clone(),
                most,
            }),
            Err(_) => problems.push(super::Problem {
                field: "rules".into(),
                message: format!("Enter the most places for {region} as a whole number, like 3"),
            }),
        }
    }
    for theme in &input.at_least_one {
        parsed.push(Rule::AtLeastInTheme {
            theme: theme.clone(),
            least: 1,
        });
    }
    let themes: Vec<&str> = panel.round.themes.iter().map(String::as_str).collect();
    problems.extend(rules::check_rules(&parsed, &REGIONS, &themes));
    if !problems.is_empty() {
        return Err(PanelError::Invalid(problems));
    }
    let mut work = app.begin(Some(who.user_id.0)).await?;
    stored::set_rules(work.tx(), round_id, &parsed).await?;
    work.audit(AuditAction::SelectionRulesSet, Some(round_id.0))
        .await?;
    work.commit().await?;
    Ok(parsed)
}

/// Sets an application's award value as typed in pounds ("" for the round's value per
/// place). Admins only.
pub async fn set_value(
    app: &App,
    who: &Principal,
    application_id: ApplicationId,
    typed: &str,
) -> Result<Option<Pence>> {
    let (round_id, _) = crate::panels::reviews::application_round(app, application_id).await?;
    let panel = crate::panels::panel(app, who, round_id, Action::View).await?;
    if crate::panels::conflicted(app, who, round_id, application_id).await? {
        return Err(PanelError::NotFound);
    }
    if !panel.admin {
        return Err(PanelError::Forbidden);
    }
    let value = if typed.trim().is_empty() {
        None
    } else {
        match Pence::parse_pounds(typed) {
            Ok(p) if p.0 > 0 => Some(p),
            Ok(_) => return Err(invalid("value", "Enter an award value of more than £0")),
            Err(e) => return Err(invalid("value", e.to_string())),
        }
    };
    let mut work = app.begin(Some(who.user_id.0)).await?;
    let now = work.now();
    stored::set_value(
        work.tx(),
        round_id,
        application_id,
        value,
        UserId(who.user_id.0),
        now,
    )
    .await?;
    work.audit(AuditAction::AwardValueSet, Some(application_id.0))
        .await?;
    work.commit().await?;
    Ok(value)
}
