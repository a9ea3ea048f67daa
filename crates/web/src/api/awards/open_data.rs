//! A programme's open data through the API: its accepted awards as a 360Giving package
//! (JSON) and as the standard's flattened table (CSV). Public, like the pages that serve
//! the same files. The use cases are `convene_app::awards::open_data`.

use crate::api::ApiError;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use convene_app::awards::open_data;

/// The programme's accepted awards as a 360Giving data package (no token needed).
#[utoipa::path(get, path = "/programmes/{slug}/360giving.json", operation_id = "get_360giving_package", tag = "public",
    security(()), params(("slug" = String, Path, description = "The programme")), responses(
    (status = 200, description = "The 360Giving package: version, publisher and grants, as the 360Giving Data Standard defines them", body = Object, content_type = "application/json"),
    (status = 404, description = "No such programme, or it has no accepted awards (or no 360Giving prefix) yet", content_type = "application/problem+json"),
))]
pub async fn package(State(state): State<AppState>, Path(slug): Path<String>) -> Result<Response, ApiError> {
    let json = open_data::json(&state, &slug).await?;
    Ok(([(header::CONTENT_TYPE, "application/json")], json).into_response())
}

/// The programme's accepted awards as CSV under the 360Giving standard's column titles,
/// one row per grant (no token needed).
#[utoipa::path(get, path = "/programmes/{slug}/360giving.csv", operation_id = "get_360giving_table", tag = "public",
    security(()), params(("slug" = String, Path, description = "The programme")), responses(
    (status = 200, description = "The grants: a header row of the standard's titles, then one row per grant", body = String, content_type = "text/csv"),
    (status = 404, description = "No such programme, or it has no accepted awards (or no 360Giving prefix) yet", content_type = "application/problem+json"),
))]
pub async fn table(State(state): State<AppState>, Path(slug): Path<String>) -> Result<Response, ApiError> {
    // The same bytes as the public page serves (formula-like cells defused).
    let body = open_data::csv(&state, &slug).await?;
    Ok(([(header::CONTENT_TYPE, "text/csv; charset=utf-8")], body).into_response())
}
