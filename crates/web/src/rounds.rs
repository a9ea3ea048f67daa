//! Creating a round, shared by the page and the API: every field checked, a name used twice
//! in a programme refused, the catalogue cleared.

use crate::state::AppState;
use convene_app::Cache;
use convene_domain::audit::AuditAction;
use convene_domain::rounds::RoundForm;
use convene_store::{StoreError, programmes};

/// Creates a round from what an admin typed (page or API): every field checked, a name
/// used twice in a programme refused. Returns the round's id and plan, or the problems by
/// field.
pub async fn create(
    state: &AppState,
    user_id: i64,
    programme_id: i64,
    form: &RoundForm,
) -> Result<Result<(i64, convene_domain::rounds::RoundPlan), Vec<(String, String)>>, StoreError> {
    let plan = match form.check() {
        Ok(plan) => plan,
        Err(problems) => return Ok(Err(problems)),
    };
    let mut work = state.begin(Some(user_id)).await?;
    let id = match programmes::insert_round(work.tx(), programme_id, &plan, false).await {
        Ok(id) => id,
        Err(StoreError::Duplicate(_)) => {
            return Ok(Err(vec![(
                "name".to_string(),
                "This programme already has a round with that name".to_string(),
            )]));
        }
        Err(e) => return Err(e),
    };
    if !form.requires_signoff() {
        programmes::set_signoff_required(work.tx(), id, false).await?;
    }
    work.audit(AuditAction::RoundCreated, Some(id)).await?;
    work.clears(Cache::Catalogue);
    work.commit().await?;
    Ok(Ok((id, plan)))
}
