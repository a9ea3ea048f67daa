//! A round's panel through the API: reading it (its admins and members), and for its
//! admins putting members on it, naming the chair, setting how many reviews each
//! application needs and the rubric. The use cases are `convene_app::panels`.

use super::{Whole, parse_after, renamed};
use crate::api::{ApiResult, RawJson};
use crate::auth::ApiUser;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use convene_app::panels::{self, Criterion, MemberInput, Panel, PanelMember, Rubric};
use convene_domain::policy::Action;
use convene_domain::{RoundId, UserId};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A member of a round's panel.
#[derive(Serialize, ToSchema)]
pub struct MemberBody {
    pub user_id: i64,
    pub name: String,
    /// Only for the programme's admins (null for members).
    pub email: Option<String>,
    pub is_chair: bool,
    /// The most applications the member reviews.
    pub load_cap: u32,
    /// One of England's nine regions, or null.
    pub region: Option<String>,
    /// The round's themes the member knows.
    pub themes: Vec<String>,
}

impl MemberBody {
    fn of(m: &PanelMember, admin: bool) -> MemberBody {
        MemberBody {
            user_id: m.user_id.0,
            name: m.name.clone(),
            email: admin.then(|| m.email.clone()),
            is_chair: m.is_chair,
            load_cap: m.load_cap,
            region: m.region.clone(),
            themes: m.themes.clone(),
        }
    }
}

/// One criterion of a rubric: a key scores are given under, a title, a weight in percent
/// and what each point of the 1 to 5 scale means.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct CriterionBody {
    /// Unique in the rubric, like breakthrough_issue.
    #[schema(min_length = 1)]
    pub key: String,
    #[schema(min_length = 1)]
    pub title: String,
    /// The criterion's share of the whole score, in percent; the weights add up to 100.
    #[schema(minimum = 1, maximum = 100)]
    pub weight: u32,
    /// What a score of 1, 2, 3, 4 and 5 means, in that order.
    #[schema(value_type = Vec<String>, min_items = 5, max_items = 5)]
    pub descriptors: [String; 5],
}

/// The criteria applications are scored against (none until an admin sets them).
#[derive(Serialize, Deserialize, ToSchema)]
pub struct RubricBody {
    pub criteria: Vec<CriterionBody>,
}

impl RubricBody {
    pub(super) fn of(r: &Rubric) -> RubricBody {
        RubricBody {
            criteria: r
                .criteria
                .iter()
                .map(|c| CriterionBody {
                    key: c.key.clone(),
                    title: c.title.clone(),
                    weight: c.weight,
                    descriptors: c.descriptors.clone(),
                })
                .collect(),
        }
    }

    fn into_rubric(self) -> Rubric {
        Rubric {
            criteria: self
                .criteria
                .into_iter()
                .map(|c| Criterion {
                    key: c.key,
                    title: c.title,
                    weight: c.weight,
                    descriptors: c.descriptors,
                })
                .collect(),
        }
    }
}

/// A round's panel, its settings and rubric.
#[derive(Serialize, ToSchema)]
pub struct PanelBody {
    pub round_id: i64,
    pub round_name: String,
    /// How many members review each application.
    pub reviews_per_application: u32,
    pub rubric: RubricBody,
    /// The chair first, then by name.
    pub members: Vec<MemberBody>,
    /// Your own membership, or null when you are not on the panel.
    pub you: Option<MemberBody>,
}

impl PanelBody {
    fn of(p: &Panel) -> PanelBody {
        PanelBody {
            round_id: p.round.id.0,
            round_name: p.round.name.clone(),
            reviews_per_application: p.reviews_per_application,
            rubric: RubricBody::of(&p.rubric),
            members: p.members.iter().map(|m| MemberBody::of(m, p.admin)).collect(),
            you: p.me.as_ref().map(|m| MemberBody::of(m, p.admin)),
        }
    }
}

/// The panel as it is now, for the asker.
async fn panel_now(
    state: &AppState,
    who: &convene_domain::policy::Principal,
    round: RoundId,
) -> ApiResult<PanelBody> {
    let panel = panels::panel(state, who, round, Action::View).await?;
    Ok(Json(PanelBody::of(&panel)))
}

/// A round's panel: its members, how many reviews each application needs, the rubric, and
/// your own membership (the programme's admins and the panel's members).
#[utoipa::path(get, path = "/rounds/{id}/panel", operation_id = "get_panel", tag = "panels",
    params(("id" = i64, Path, description = "The round's id")),
    responses(
        (status = 200, description = "The panel", body = PanelBody),
        (status = 404, description = "No such round, or you neither run its programme nor sit on its panel", content_type = "application/problem+json"),
))]
pub async fn get_panel(
    State(state): State<AppState>,
    ApiUser(person): ApiUser,
    Path(id): Path<i64>,
) -> ApiResult<PanelBody> {
    panel_now(&state, &person.1, RoundId(id)).await
}

/// Someone with a Convene account to put on the panel, or a member's new settings.
#[derive(Deserialize, ToSchema)]
pub struct PutMemberBody {
    /// The email address of their account.
    pub email: String,
    /// The most applications they review, 1 to 500.
    pub load_cap: Whole,
    /// One of England's nine regions; empty or absent for none.
    #[serde(default)]
    pub region: Option<String>,
    /// Themes from the round's list.
    #[serde(default)]
    pub themes: Vec<String>,
}

/// Puts someone with an account on the panel, or changes a member's load cap, region and
/// themes (programme admins).
#[utoipa::path(put, path = "/rounds/{id}/panel/members", operation_id = "put_panel_member", tag = "panels",
    params(("id" = i64, Path, description = "The round's id")),
    request_body = PutMemberBody,
    responses(
        (status = 200, description = "The panel after the change", body = PanelBody),
        (status = 403, description = "A panel member, not an admin of the programme", content_type = "application/problem+json"),
        (status = 404, description = "No such round, or not yours", content_type = "application/problem+json"),
        (status = 422, description = "No account has that address, a load cap outside 1 to 500, an unknown region, or themes not the round's (per-field errors)", content_type = "application/problem+json"),
))]
pub async fn put_member(
    State(state): State<AppState>,
    ApiUser(person): ApiUser,
    Path(id): Path<i64>,
    body: RawJson,
) -> ApiResult<PanelBody> {
    let round = RoundId(id);
    let body: PutMemberBody =
        parse_after(&body, panels::panel(&state, &person.1, round, Action::Edit)).await?;
    let input = MemberInput {
        email: body.email,
        load_cap: body.load_cap.typed(),
        region: body.region.unwrap_or_default(),
        themes: body.themes,
    };
    panels::put_member(&state, &person.1, round, &input).await?;
    panel_now(&state, &person.1, round).await
}

/// The member to chair the panel.
#[derive(Deserialize, ToSchema)]
pub struct PanelChairBody {
    pub user_id: i64,
}

/// Makes a member of the panel its chair (programme admins).
#[utoipa::path(put, path = "/rounds/{id}/panel/chair", operation_id = "set_panel_chair", tag = "panels",
    params(("id" = i64, Path, description = "The round's id")),
    request_body = PanelChairBody,
    responses(
        (status = 200, description = "The panel with its chair", body = PanelBody),
        (status = 403, description = "A panel member, not an admin of the programme", content_type = "application/problem+json"),
        (status = 404, description = "No such round, or not yours", content_type = "application/problem+json"),
        (status = 422, description = "Not a member of this panel (user_id)", content_type = "application/problem+json"),
))]
pub async fn set_chair(
    State(state): State<AppState>,
    ApiUser(person): ApiUser,
    Path(id): Path<i64>,
    body: RawJson,
) -> ApiResult<PanelBody> {
    let round = RoundId(id);
    let body: PanelChairBody =
        parse_after(&body, panels::panel(&state, &person.1, round, Action::Edit)).await?;
    panels::set_chair(&state, &person.1, round, UserId(body.user_id))
        .await
        .map_err(|e| renamed(e, &[("chair", "user_id")]))?;
    panel_now(&state, &person.1, round).await
}

/// The panel's settings.
#[derive(Deserialize, ToSchema)]
pub struct SettingsBody {
    /// How many members review each application: from 1 to the panel's size.
    pub reviews_per_application: Whole,
}

/// Sets how many reviews each application needs (programme admins).
#[utoipa::path(put, path = "/rounds/{id}/panel/settings", operation_id = "set_panel_settings", tag = "panels",
    params(("id" = i64, Path, description = "The round's id")),
    request_body = SettingsBody,
    responses(
        (status = 200, description = "The panel with its settings", body = PanelBody),
        (status = 403, description = "A panel member, not an admin of the programme", content_type = "application/problem+json"),
        (status = 404, description = "No such round, or not yours", content_type = "application/problem+json"),
        (status = 422, description = "Zero, or more than the panel has members (reviews_per_application)", content_type = "application/problem+json"),
))]
pub async fn set_settings(
    State(state): State<AppState>,
    ApiUser(person): ApiUser,
    Path(id): Path<i64>,
    body: RawJson,
) -> ApiResult<PanelBody> {
    let round = RoundId(id);
    let body: SettingsBody =
        parse_after(&body, panels::panel(&state, &person.1, round, Action::Edit)).await?;
    panels::set_reviews_per_application(&state, &person.1, round, &body.reviews_per_application.typed())
        .await?;
    panel_now(&state, &person.1, round).await
}

/// Sets the round's rubric (programme admins), until anyone has begun scoring.
#[utoipa::path(put, path = "/rounds/{id}/rubric", operation_id = "set_rubric", tag = "panels",
    params(("id" = i64, Path, description = "The round's id")),
    request_body = RubricBody,
    responses(
        (status = 200, description = "The panel with its new rubric", body = PanelBody),
        (status = 403, description = "A panel member, not an admin of the programme", content_type = "application/problem+json"),
        (status = 404, description = "No such round, or not yours", content_type = "application/problem+json"),
        (status = 409, description = "Scoring has begun, so the rubric can no longer change", content_type = "application/problem+json"),
        (status = 422, description = "No criteria, or weights that do not add up to 100 (criteria); a criterion without a title, with a key used twice, a weight of 0 or a descriptor left empty (criteria.N.title, .key, .weight, .descriptors)", content_type = "application/problem+json"),
))]
pub async fn set_rubric(
    State(state): State<AppState>,
    ApiUser(person): ApiUser,
    Path(id): Path<i64>,
    body: RawJson,
) -> ApiResult<PanelBody> {
    let round = RoundId(id);
    let body: RubricBody = parse_after(&body, panels::panel(&state, &person.1, round, Action::Edit)).await?;
    panels::set_rubric(&state, &person.1, round, &body.into_rubric()).await?;
    panel_now(&state, &person.1, round).await
}
