//! The selection helper through the API: what it weighs and its latest proposal, running
//! it, the round's balance rules and an application's award value. The use cases are
//! `convene_app::awards::selection`; the helper advises and the panel decides.

use super::{parse_after, renamed};
use crate::api::{ApiError, ApiResult, RawJson};
use crate::auth::ApiUser;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use convene_app::awards::PanelError;
use convene_app::awards::selection::{self, Helper, Line, Proposal, RulesInput};
use convene_domain::policy::Principal;
use convene_domain::selection::Rule;
use convene_domain::{ApplicationId, Pence, RoundId};
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::ToSchema;

/// An application the helper weighs.
#[derive(Serialize, ToSchema)]
pub struct SelectionLineBody {
    pub application_id: i64,
    pub reference: String,
    pub place_name: String,
    /// One of England's nine regions, or null.
    pub region: Option<String>,
    /// The round's theme the application chose, or null.
    pub theme: Option<String>,
    /// The moderated score in hundredths of a point (345 is 3.45 out of 5): the panel's
    /// agreed score, else the reviewers' mean; null until scored (then left out).
    pub score: Option<i64>,
    /// The award it would receive, in pence.
    pub value_pence: i64,
    /// True when an admin set the value; false when it is the round's value per place.
    pub value_set: bool,
}

impl From<&Line> for SelectionLineBody {
    fn from(l: &Line) -> Self {
        SelectionLineBody {
            application_id: l.application_id.0,
            reference: l.reference.clone(),
            place_name: l.place.clone(),
            region: l.region.clone(),
            theme: l.theme.clone(),
            score: l.score,
            value_pence: l.value.0,
            value_set: l.value_set,
        }
    }
}

/// The most places one region may have.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct RegionLimitBody {
    /// One of England's nine regions, like London.
    pub region: String,
    /// The most applications from it to choose (0 for none).
    pub most: u32,
}

/// The round's balance rules: the whole set, replaced at once.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct RulesBody {
    /// At most so many places in a region; one limit per region.
    pub at_most_in_region: Vec<RegionLimitBody>,
    /// The round's themes at least one chosen application must have; each once.
    pub at_least_one_in_theme: Vec<String>,
}

impl RulesBody {
    fn of(rules: &[Rule]) -> RulesBody {
        let mut body = RulesBody {
            at_most_in_region: Vec::new(),
            at_least_one_in_theme: Vec::new(),
        };
        for rule in rules {
            match rule {
                Rule::AtMostInRegion { region, most } => body.at_most_in_region.push(RegionLimitBody {
                    region: region.clone(),
                    most: *most,
                }),
                Rule::AtLeastInTheme { theme, .. } => body.at_least_one_in_theme.push(theme.clone()),
            }
        }
        body
    }
}

/// An application just outside the proposal.
#[derive(Serialize, ToSchema)]
pub struct OutsideBody {
    pub application_id: i64,
    /// The moderated score (hundredths) that would bring it in, or null when no score
    /// would (a limit keeps it out).
    pub needs: Option<i64>,
    /// What keeps it out, in words.
    pub reason: String,
}

/// What the helper proposed on a run.
#[derive(Serialize, ToSchema)]
pub struct ProposalBody {
    /// When it ran (UTC, ISO 8601).
    pub run_at: String,
    /// proposed, or infeasible when no choice meets every limit.
    pub outcome: String,
    /// The applications proposed (ids), highest score first.
    pub chosen: Vec<i64>,
    /// The proposal's total moderated score, in hundredths.
    pub total_score: i64,
    pub spent_pence: i64,
    /// The money it worked within.
    pub budget_pence: i64,
    /// The places it filled at most.
    pub places: u32,
    /// The limits that bind, in words.
    pub binding: Vec<String>,
    /// The applications just outside, with what keeps each out.
    pub outside: Vec<OutsideBody>,
    /// Why nothing could be proposed, naming the limits that conflict; null otherwise.
    pub problem: Option<String>,
}

impl ProposalBody {
    /// The helper's latest run, as the use case gives it to the asker (it leaves out what
    /// the asker's conflicts cover).
    fn latest(helper: &Helper) -> Option<ProposalBody> {
        let (run, p): &(_, Proposal) = helper.latest.as_ref()?;
        Some(ProposalBody {
            run_at: run.run_at.iso(),
            outcome: run.outcome.clone(),
            chosen: p.chosen.clone(),
            total_score: p.total_score,
            spent_pence: p.spent.0,
            budget_pence: p.budget.0,
            places: p.places,
            binding: p.binding.clone(),
            outside: p
                .outside
                .iter()
                .map(|o| OutsideBody {
                    application_id: o.application_id,
                    needs: o.needs,
                    reason: o.reason.clone(),
                })
                .collect(),
            problem: p.problem.clone(),
        })
    }
}

/// The selection helper of a round.
#[derive(Serialize, ToSchema)]
pub struct SelectionBody {
    pub round_id: i64,
    /// The fund available to the round, counting back what it has already awarded.
    pub budget_pence: i64,
    pub places_offered: i64,
    pub value_per_place_pence: i64,
    pub rules: RulesBody,
    /// The round's submitted applications, highest score first.
    pub applications: Vec<SelectionLineBody>,
    /// How many applications your conflicts of interest leave out.
    pub hidden: usize,
    /// True when you may run the helper and set its rules (the chair, or an admin).
    pub can_run: bool,
    /// The latest run, or null before the first.
    pub latest: Option<ProposalBody>,
}

impl From<&Helper> for SelectionBody {
    fn from(h: &Helper) -> Self {
        SelectionBody {
            round_id: h.panel.round.id.0,
            budget_pence: h.budget.0,
            places_offered: h.panel.round.places_offered,
            value_per_place_pence: h.panel.round.value_per_place.0,
            rules: RulesBody::of(&h.rules),
            applications: h.lines.iter().map(SelectionLineBody::from).collect(),
            hidden: h.hidden,
            can_run: h.can_run,
            latest: ProposalBody::latest(h),
        }
    }
}

/// The selection helper of a round: the money and places, the balance rules, the
/// applications it weighs and its latest proposal (programme admins and panel members; a
/// member sees nothing of an application they have a conflict with).
#[utoipa::path(get, path = "/rounds/{id}/selection", operation_id = "get_selection", tag = "awards",
    params(("id" = i64, Path, description = "The round's id")),
    responses(
        (status = 200, description = "The helper", body = SelectionBody),
        (status = 404, description = "No such round, or you neither run its programme nor sit on its panel", content_type = "application/problem+json"),
))]
pub async fn get_selection(
    State(state): State<AppState>,
    ApiUser(person): ApiUser,
    Path(id): Path<i64>,
) -> ApiResult<SelectionBody> {
    let helper = selection::helper(&state, &person.1, RoundId(id)).await?;
    Ok(Json(SelectionBody::from(&helper)))
}

/// Runs the helper over the round as it stands (the panel's chair or a programme admin):
/// the applications with the highest total moderated score within the fund, the places
/// and the rules, or which limits conflict. The run is recorded either way.
#[utoipa::path(post, path = "/rounds/{id}/selection/runs", operation_id = "run_selection", tag = "awards",
    params(("id" = i64, Path, description = "The round's id")),
    responses(
        (status = 201, description = "The run's proposal (outcome infeasible, with the problem, when no choice meets every limit)", body = ProposalBody),
        (status = 403, description = "A panel member who is not its chair", content_type = "application/problem+json"),
        (status = 404, description = "No such round, or you neither run its programme nor sit on its panel", content_type = "application/problem+json"),
        (status = 409, description = "No application has a moderated score yet", content_type = "application/problem+json"),
))]
pub async fn run(
    State(state): State<AppState>,
    ApiUser(person): ApiUser,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    let round = RoundId(id);
    selection::run(&state, &person.1, round).await?;
    let helper = selection::helper(&state, &person.1, round).await?;
    let proposal = ProposalBody::latest(&helper).ok_or_else(ApiError::not_found)?;
    Ok((StatusCode::CREATED, Json(proposal)).into_response())
}

/// Refuses who may not set the rules (404 or 403), reading nothing of the body.
async fn may_run(state: &AppState, who: &Principal, round: RoundId) -> Result<(), PanelError> {
    let helper = selection::helper(state, who, round).await?;
    if helper.can_run {
        Ok(())
    } else {
        Err(PanelError::Forbidden)
    }
}

/// Replaces the round's balance rules (the panel's chair or a programme admin).
#[utoipa::path(put, path = "/rounds/{id}/selection/rules", operation_id = "set_selection_rules", tag = "awards",
    params(("id" = i64, Path, description = "The round's id")),
    request_body = RulesBody,
    responses(
        (status = 200, description = "The rules now", body = RulesBody),
        (status = 403, description = "A panel member who is not its chair", content_type = "application/problem+json"),
        (status = 404, description = "No such round, or you neither run its programme nor sit on its panel", content_type = "application/problem+json"),
        (status = 422, description = "A region that is not one of England's nine, a theme not the round's, or either named twice (rules)", content_type = "application/problem+json"),
))]
pub async fn set_rules(
    State(state): State<AppState>,
    ApiUser(person): ApiUser,
    Path(id): Path<i64>,
    body: RawJson,
) -> ApiResult<RulesBody> {
    let round = RoundId(id);
    let body: RulesBody = parse_after(&body, may_run(&state, &person.1, round)).await?;
    let input = RulesInput {
        at_most: body
            .at_most_in_region
            .into_iter()
            .map(|l| (l.region, l.most.to_string()))
            .collect(),
        at_least_one: body.at_least_one_in_theme,
    };
    let rules = selection::set_rules(&state, &person.1, round, &input).await?;
    Ok(Json(RulesBody::of(&rules)))
}

/// Present, even as null: a missing field is refused rather than read as null.
fn present<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    Option::<i64>::deserialize(d)
}

/// An application's award value.
#[derive(Deserialize, ToSchema)]
pub struct AwardValueBody {
    /// The award in pence, more than 0; null for the round's value per place.
    #[serde(deserialize_with = "present")]
    #[schema(required = true, minimum = 1)]
    pub value_pence: Option<i64>,
}

/// An application's award value as set.
#[derive(Serialize, ToSchema)]
pub struct AwardValueSetBody {
    pub application_id: i64,
    /// The value set, in pence; null when it is the round's value per place.
    pub value_pence: Option<i64>,
}

/// Pence as the use case reads them typed: pounds, exactly ("£20,000", "£0.05").
fn pounds(pence: i64) -> String {
    Pence(pence).to_string()
}

/// Sets what one application would be awarded, or puts it back to the round's value per
/// place (programme admins). The helper and the decisions use it from then on.
#[utoipa::path(put, path = "/applications/{id}/award-value", operation_id = "set_award_value", tag = "awards",
    params(("id" = i64, Path, description = "The application's id")),
    request_body = AwardValueBody,
    responses(
        (status = 200, description = "The value set", body = AwardValueSetBody),
        (status = 403, description = "A panel member, not an admin of the programme", content_type = "application/problem+json"),
        (status = 404, description = "No such application, or you neither run its programme nor sit on its panel", content_type = "application/problem+json"),
        (status = 422, description = "A value of 0 or less, or too large (value_pence)", content_type = "application/problem+json"),
))]
pub async fn set_value(
    State(state): State<AppState>,
    ApiUser(person): ApiUser,
    Path(id): Path<i64>,
    body: RawJson,
) -> ApiResult<AwardValueSetBody> {
    let application = ApplicationId(id);
    // Not an amount: refused after every check and before anything is written.
    let refused = selection::set_value(&state, &person.1, application, "not an amount");
    let body: AwardValueBody = parse_after(&body, refused).await?;
    let typed = body.value_pence.map(pounds).unwrap_or_default();
    let value = selection::set_value(&state, &person.1, application, &typed)
        .await
        .map_err(|e| renamed(e, &[("value", "value_pence")]))?;
    Ok(Json(AwardValueSetBody {
        application_id: id,
        value_pence: value.map(|v| v.0),
    }))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn pence_are_typed_as_the_same_pounds() {
        for p in [1, 5, 99, 100, 2_000_000, 2_000_001, 123_456_789, i64::MAX] {
            assert_eq!(Pence::parse_pounds(&pounds(p)), Ok(Pence(p)), "{p}");
        }
    }

    #[test]
    fn a_value_must_be_sent_even_as_null() {
        let set: AwardValueBody = serde_json::from_str(r#"{"value_pence": null}"#).unwrap();
        assert_eq!(set.value_pence, None);
        let set: AwardValueBody = serde_json::from_str(r#"{"value_pence": 2000000}"#).unwrap();
        assert_eq!(set.value_pence, Some(2_000_000));
        assert!(serde_json::from_str::<AwardValueBody>("{}").is_err());
    }
}
