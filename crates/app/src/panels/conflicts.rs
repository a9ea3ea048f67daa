//! Conflicts of interest: a member declares them (and may add more at any time, with a
//! reason); what they cover is decided by `convene_domain::panels::conflicts`.

use super::{Panel, PanelError, Result, invalid, panel};
use crate::{App, Cache};
use convene_domain::audit::AuditAction;
use convene_domain::panels::conflicts::{ConflictWith, reason_problem};
use convene_domain::policy::{Action, Principal, Resource, allows};
use convene_domain::{PlaceId, RoundId};
use convene_store::panels::conflicts as store;
pub use convene_store::panels::conflicts::{Declarable, Declared};

/// A member's own conflicts, and what they may declare one with.
#[derive(Debug, Clone)]
pub struct Mine {
    pub panel: Panel,
    pub declared: Vec<Declared>,
    pub declarable: Declarable,
}

/// Checks that `who` is a member of the round's panel acting on their own part in it.
pub(super) async fn own_part(app: &App, who: &Principal, round_id: RoundId) -> Result<Panel> {
    let panel = panel(app, who, round_id, Action::View).await?;
    let own = Resource::PanelMembership {
        programme_id: panel.programme.id,
        round_id,
        owner: who.user_id,
    };
    // Only the member acts on their own part: reading it is checked as strictly as changing it.
    if !allows(who, Action::Edit, own) {
        return Err(PanelError::Forbidden);
    }
    Ok(panel)
}

/// The asker's declarations in a round.
pub async fn mine(app: &App, who: &Principal, round_id: RoundId) -> Result<Mine> {
    let panel = own_part(app, who, round_id).await?;
    Ok(Mine {
        declared: store::of_member(&app.db, round_id, who.user_id).await?,
        declarable: store::declarable(&app.db, round_id).await?,
        panel,
    })
}

/// What a member types: `with` is `organisation:ID` or `place:ID`, from the list offered.
#[derive(Debug, Clone, Default)]
pub struct Declaration {
    pub with: String,
    pub reason: String,
}

/// Reads `organisation:ID` or `place:ID`.
pub fn parse_with(with: &str) -> Option<ConflictWith> {
    let (kind, id) = with.split_once(':')?;
    let id: i64 = id.parse().ok()?;
    match kind {
        "organisation" => Some(ConflictWith::Organisation(id)),
        "place" => Some(ConflictWith::Place(PlaceId(id))),
        _ => None,
    }
}

/// Shows a conflict's target the way [`parse_with`] reads it.
pub fn with_key(with: ConflictWith) -> String {
    match with {
        ConflictWith::Organisation(id) => format!("organisation:{id}"),
        ConflictWith::Place(id) => format!("place:{}", id.0),
    }
}

/// Records the asker's conflict with an organisation or place named in the round.
pub async fn declare(app: &App, who: &Principal, round_id: RoundId, input: &Declaration) -> Result<i64> {
    let mine = mine(app, who, round_id).await?;
    let mut problems = Vec::new();
    let with = parse_with(&input.with).filter(|w| match w {
        ConflictWith::Organisation(id) => mine.declarable.organisations.iter().any(|(o, _)| o == id),
        ConflictWith::Place(id) => mine.declarable.places.iter().any(|(p, _)| p == id),
    });
    match with {
        None => problems.push(super::Problem {
            field: "with".into(),
            message: "Choose an organisation or place from the list".into(),
        }),
        Some(w) if mine.declared.iter().any(|d| d.with == w) => {
            return Err(invalid("with", "You have already declared this conflict"));
        }
        Some(_) => {}
    }
    if let Some(message) = reason_problem(&input.reason) {
        problems.push(super::Problem {
            field: "reason".into(),
            message: message.into(),
        });
    }
    let Some(with) = with.filter(|_| problems.is_empty()) else {
        return Err(PanelError::Invalid(problems));
    };
    let mut work = app.begin(Some(who.user_id.0)).await?;
    let now = work.now();
    let id = store::declare(work.tx(), round_id, who.user_id, with, input.reason.trim(), now).await?;
    work.audit_with(AuditAction::ConflictDeclared, Some(round_id.0), &with_key(with))
        .await?;
    work.clears(Cache::Ranking(round_id));
    work.commit().await?;
    Ok(id)
}

/// Every declaration in the round, for its admins.
pub async fn of_round(app: &App, who: &Principal, round_id: RoundId) -> Result<Vec<Declared>> {
    panel(app, who, round_id, Action::Edit).await?;
    Ok(store::of_round(&app.db, round_id).await?)
}
