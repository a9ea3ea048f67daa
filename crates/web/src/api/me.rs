//! `GET /api/v1/me`: who the token belongs to.

use crate::api::ApiResult;
use crate::auth::ApiUser;
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;

/// The token owner's account and roles.
#[derive(Serialize, ToSchema)]
pub struct Me {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub roles: Vec<RoleGrant>,
}

/// One role and the record it covers.
#[derive(Serialize, ToSchema)]
pub struct RoleGrant {
    /// service_admin, programme_admin, panel_member, place_lead, enabler or participant.
    pub role: String,
    /// The programme, round or place id the role covers, for roles that have one.
    pub scope_id: Option<i64>,
}

/// The account behind the bearer token.
#[utoipa::path(get, path = "/me", operation_id = "get_me", tag = "accounts", responses(
    (status = 200, description = "The token's account", body = Me),
    (status = 401, description = "Missing or revoked token", content_type = "application/problem+json"),
))]
pub async fn me(ApiUser(person): ApiUser) -> ApiResult<Me> {
    let (user, principal) = person.as_ref();
    Ok(Json(Me {
        id: user.id.0,
        name: user.name.clone(),
        email: user.email.clone(),
        roles: principal
            .grants
            .iter()
            .map(|g| RoleGrant {
                role: g.role.key().into(),
                scope_id: g.scope_id,
            })
            .collect(),
    }))
}
