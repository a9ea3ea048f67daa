//! A later deadline for one application, granted by a programme admin with a reason.

use super::{ApplicationError, Loaded};
use crate::App;
use convene_domain::Timestamp;
use convene_domain::audit::AuditAction;
use convene_domain::policy::{Action, Principal, Resource, allows};

/// Moves a loaded application's deadline to `when`, for the reason given. Only the
/// programme's admins may; the new deadline must fall after the round's and a reason is
/// required (problems are named by the page's field names).
pub async fn extend_deadline(
    app: &App,
    who: &Principal,
    loaded: &Loaded,
    when: Option<Timestamp>,
    reason: &str,
) -> Result<Timestamp, ApplicationError> {
    let programme = Resource::Programme {
        id: loaded.round.programme_id,
    };
    if !allows(who, Action::Edit, programme) {
        return Err(ApplicationError::Forbidden);
    }
    let mut problems = Vec::new();
    if let Some(w) = when
        && w <= loaded.round.closes_at
    {
        problems.push((
            "extend_day".to_string(),
            "The new deadline must be after the round's deadline".to_string(),
        ));
    }
    let reason = reason.trim();
    if reason.is_empty() {
        problems.push((
            "extend_reason".to_string(),
            "Enter the reason for the extension".to_string(),
        ));
    }
    let (Some(when), true) = (when, problems.is_empty()) else {
        return Err(ApplicationError::Invalid(problems));
    };
    let id = loaded.application.id;
    let mut work = app.begin(Some(who.user_id.0)).await?;
    convene_store::applications::extend_deadline(work.tx(), id, when).await?;
    work.audit_with(
        AuditAction::DeadlineExtended,
        Some(id.0),
        &format!("to {}: {reason}", when.iso()),
    )
    .await?;
    work.commit().await?;
    Ok(when)
}
