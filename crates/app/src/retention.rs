//! A programme's retention rules, set by its admins, and the log of each run. The daily
//! run itself is a job (`crate::jobs`).

/// A programme's rule for one kind of record, and one line of the run log.
pub use convene_store::retention::{Rule, RunLine};

use crate::{App, Error, Result};
use convene_domain::audit::AuditAction;
use convene_domain::forms::FieldProblem;
use convene_domain::policy::{Action, Principal, Resource, allows};
use convene_domain::programmes::Programme;
use convene_domain::retention::{RetentionKind, parse_days};
use convene_store::retention;

/// How many runs the log shows.
const RUNS_SHOWN: i64 = 20;

fn permit(who: &Principal, programme: &Programme) -> Result<()> {
    if allows(who, Action::Edit, Resource::Programme { id: programme.id }) {
        Ok(())
    } else {
        Err(Error::Forbidden)
    }
}

/// A programme's rules and its latest runs.
#[derive(Debug, Clone)]
pub struct Settings {
    pub rules: Vec<Rule>,
    pub runs: Vec<RunLine>,
}

/// The programme's rules and its latest runs (its admins).
pub async fn settings(app: &App, who: &Principal, programme: &Programme) -> Result<Settings> {
    permit(who, programme)?;
    let rules = retention::rules(&app.db, Some(programme.id.0)).await?;
    let runs = retention::recent_runs(&app.db, programme.id, RUNS_SHOWN).await?;
    Ok(Settings { rules, runs })
}

/// Sets the programme's rules from the days typed for each kind of record (`typed` gives
/// the text typed for a kind's key; empty removes the rule). Nothing is saved unless every
/// value is right; the problems are keyed by the kind.
pub async fn save(
    app: &App,
    who: &Principal,
    programme: &Programme,
    typed: impl Fn(&str) -> String,
) -> Result<std::result::Result<(), Vec<FieldProblem>>> {
    permit(who, programme)?;
    let mut problems = Vec::new();
    let mut parsed = Vec::new();
    for kind in RetentionKind::ALL {
        match parse_days(&typed(kind.key())) {
            Ok(days) => parsed.push((kind, days)),
            Err(e) => problems.push((kind.key().to_string(), e.to_string())),
        }
    }
    if !problems.is_empty() {
        return Ok(Err(problems));
    }
    let mut work = app.begin(Some(who.user_id.0)).await?;
    for (kind, days) in parsed {
        retention::set_rule(work.tx(), programme.id, kind, days).await?;
    }
    work.audit(AuditAction::RetentionRulesChanged, Some(programme.id.0))
        .await?;
    work.commit().await?;
    Ok(Ok(()))
}
