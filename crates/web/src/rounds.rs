//! Creating a round, for the API until it calls `convene_app::rounds::create` itself (the
//! page does already): the same use case, for the account `user_id`.

use crate::state::AppState;
use convene_domain::rounds::{RoundForm, RoundPlan};
use convene_domain::{ProgrammeId, UserId};

/// Creates a round from what an admin typed: every field checked, a name used twice in a
/// programme refused. Returns the round's id and plan, or the problems by field.
pub async fn create(
    state: &AppState,
    user_id: i64,
    programme_id: i64,
    form: &RoundForm,
) -> Result<Result<(i64, RoundPlan), Vec<(String, String)>>, convene_app::Error> {
    // Transitional: the API has the person already and should pass their principal.
    let person = convene_app::accounts::person(state, UserId(user_id))
        .await
        .map_err(|e| {
            tracing::error!(error = %e, "loading the person failed");
            convene_app::Error::Forbidden
        })?
        .ok_or(convene_app::Error::Forbidden)?;
    convene_app::rounds::create(state, &person.1, ProgrammeId(programme_id), form).await
}
