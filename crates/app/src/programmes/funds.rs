//! A programme's fund: each partner body's contribution is recorded here; the total, what
//! is awarded and what is left are worked out from them, never typed in.

use super::permit;
use crate::{App, Cache, Result};
use convene_domain::Pence;
use convene_domain::audit::AuditAction;
use convene_domain::forms::FieldProblem;
use convene_domain::policy::{Action, Principal};
use convene_domain::programmes::{OrgId, Programme};
use convene_store::{organisations, programmes};

/// Records (or changes) what the organisation `org_id` puts into the programme's fund, as
/// typed in pounds. Returns the amount, or the problems by field.
pub async fn set_contribution(
    app: &App,
    who: &Principal,
    programme: &Programme,
    org_id: &str,
    amount: &str,
) -> Result<std::result::Result<Pence, Vec<FieldProblem>>> {
    permit(who, Action::Edit, programme)?;
    let mut problems: Vec<FieldProblem> = Vec::new();
    let org_id = OrgId::parse(org_id)
        .map_err(|e| problems.push(("org_id".into(), e.to_string())))
        .ok();
    let amount = match Pence::parse_pounds(amount) {
        Ok(p) if p.0 >= 0 => Some(p),
        Ok(_) => {
            problems.push(("amount".into(), "The contribution cannot be negative".into()));
            None
        }
        Err(e) => {
            problems.push(("amount".into(), e.to_string()));
            None
        }
    };
    let mut work = app.begin(Some(who.user_id.0)).await?;
    let organisation = match &org_id {
        Some(o) => organisations::organisation_id(work.tx(), o.as_str()).await?,
        None => None,
    };
    if org_id.is_some() && organisation.is_none() {
        problems.push((
            "org_id".into(),
            "No organisation has that identifier: import it first with convene import organisations".into(),
        ));
    }
    let (Some(organisation), Some(amount), true) = (organisation, amount, problems.is_empty()) else {
        return Ok(Err(problems));
    };
    programmes::set_contribution(work.tx(), programme.id, organisation, amount).await?;
    work.audit(AuditAction::ContributionRecorded, Some(programme.id.0))
        .await?;
    work.clears(Cache::Catalogue);
    work.commit().await?;
    Ok(Ok(amount))
}
