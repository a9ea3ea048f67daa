//! The JSON API under `/api/v1`: bearer tokens, the same policy as the pages, errors as
//! `application/problem+json`, and an OpenAPI 3.1 document generated from the handlers.

pub mod accounts;
pub mod applications;
pub mod me;
pub mod news;
pub mod people;
pub mod places;
pub mod programmes;

use crate::error::problem;
use crate::state::AppState;
use axum::Json;
use axum::Router;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

#[derive(OpenApi)]
#[openapi(
    info(title = "Convene API", description = "Programmes, places, rounds, application forms, applications and people of Convene. Authenticate with a bearer token created on your account page."),
    modifiers(&BearerAuth),
    security(("bearer" = []))
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme("bearer", SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)));
    }
}

/// Documents the answers every route can give besides its own: 401 and 403 where a token
/// is needed (403 also when the token's role needs two-factor sign-in not yet set up), 404
/// where the path names a record, 400
/// for a malformed id or body, 413 for a body over 1 MB, 415 for a body that is not JSON and
/// 422 for JSON of the wrong shape. All are `application/problem+json`.
struct StandardResponses;

impl Modify for StandardResponses {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::{ContentBuilder, RefOr, ResponseBuilder};
        let problem = |description: &str| {
            RefOr::T(
                ResponseBuilder::new()
                    .description(description)
                    .content("application/problem+json", ContentBuilder::new().build())
                    .build(),
            )
        };
        for (path, item) in openapi.paths.paths.iter_mut() {
            let takes_id = path.contains("{id}");
            let names_a_record = path.contains('{');
            for op in [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
                &mut item.patch,
            ]
            .into_iter()
            .flatten()
            {
                // Public operations declare an empty security requirement.
                let public = op
                    .security
                    .as_ref()
                    .is_some_and(|s| s.iter().all(|r| *r == Default::default()));
                let has_body = op.request_body.is_some();
                let mut standard = Vec::new();
                if !public {
                    standard.push(("401", "No token, or one that is not valid or was revoked"));
                    standard.push((
                        "403",
                        "Not allowed for this token's account (or its role needs two-factor sign-in set up first)",
                    ));
                }
                if names_a_record {
                    standard.push(("404", "No such record"));
                }
                if takes_id || has_body {
                    standard.push((
                        "400",
                        "A malformed id in the path, or a body that is not valid JSON",
                    ));
                }
                if has_body {
                    standard.push(("413", "The body is over 1 MB"));
                    standard.push(("415", "The body is not application/json"));
                    standard.push((
                        "422",
                        "The body is not the JSON this operation takes, or a field is not valid",
                    ));
                }
                for (status, description) in standard {
                    op.responses
                        .responses
                        .entry(status.to_string())
                        .or_insert_with(|| problem(description));
                }
            }
        }
    }
}

/// The API routes and their OpenAPI document, all under `/api/v1`.
fn documented() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    let v1 = OpenApiRouter::new()
        .routes(routes!(me::me))
        .routes(routes!(programmes::list))
        .routes(routes!(programmes::places))
        .routes(routes!(places::get_place))
        .routes(routes!(places::set_chair))
        .routes(routes!(applications::create_round))
        .routes(routes!(applications::get_round))
        .routes(routes!(applications::put_form))
        .routes(routes!(applications::list, applications::start))
        .routes(routes!(applications::get_application))
        .routes(routes!(applications::save_section))
        .routes(routes!(applications::submit))
        .routes(routes!(applications::withdraw))
        .routes(routes!(accounts::open_calls))
        .routes(routes!(accounts::register))
        .routes(routes!(accounts::verify_email))
        .routes(routes!(accounts::request_role, accounts::list_requests))
        .routes(routes!(accounts::decide))
        .routes(routes!(people::download))
        .routes(routes!(people::erase))
        .routes(routes!(news::all))
        .routes(routes!(news::of_programme))
        .routes(routes!(programmes::public));
    let (router, mut openapi) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .nest("/api/v1", v1)
        .split_for_parts();
    // After the routes are in: a modifier named in `#[openapi]` runs before they are.
    StandardResponses.modify(&mut openapi);
    (router, openapi)
}

/// The API routes, with the OpenAPI document at `/api/v1/openapi.json`.
pub fn router() -> Router<AppState> {
    let (router, openapi) = documented();
    let doc = openapi.to_json().unwrap_or_else(|_| "{}".into());
    router.route("/api/v1/openapi.json", get(move || serve_doc(doc.clone())))
}

/// The OpenAPI document, as pretty JSON (for the snapshot test and the README).
pub fn openapi_json() -> String {
    documented().1.to_pretty_json().unwrap_or_default()
}

async fn serve_doc(doc: String) -> Response {
    ([(axum::http::header::CONTENT_TYPE, "application/json")], doc).into_response()
}

/// An API error: a status and a sentence, sent as problem+json, with field errors for 422.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub detail: String,
    pub fields: Vec<(String, String)>,
}

impl ApiError {
    /// 404 for a record that does not exist.
    pub fn not_found() -> Self {
        ApiError {
            status: StatusCode::NOT_FOUND,
            detail: "No such record.".into(),
            fields: Vec::new(),
        }
    }

    /// 403 for a record the token's owner may not see or change.
    pub fn forbidden() -> Self {
        ApiError {
            status: StatusCode::FORBIDDEN,
            detail: "You do not have permission for this record.".into(),
            fields: Vec::new(),
        }
    }

    /// 422 with a message per field.
    pub fn invalid(fields: Vec<(String, String)>) -> Self {
        ApiError {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            detail: "Some fields are not valid.".into(),
            fields,
        }
    }
}

impl ApiError {
    /// 409 for a write the record's current state refuses.
    pub fn conflict(detail: impl Into<String>) -> Self {
        ApiError {
            status: StatusCode::CONFLICT,
            detail: detail.into(),
            fields: Vec::new(),
        }
    }

    /// 500, with the cause logged and never shown.
    fn internal(cause: &dyn std::error::Error) -> Self {
        tracing::error!(cause = %crate::error::cause_chain(cause), "API request failed");
        ApiError {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            detail: "The service could not complete the request.".into(),
            fields: Vec::new(),
        }
    }
}

impl From<convene_store::StoreError> for ApiError {
    fn from(err: convene_store::StoreError) -> Self {
        match err {
            convene_store::StoreError::NotFound => ApiError::not_found(),
            convene_store::StoreError::Duplicate(_) => {
                ApiError::conflict("A record with the same details already exists.")
            }
            other => ApiError::internal(&other),
        }
    }
}

impl From<crate::error::AppError> for ApiError {
    fn from(err: crate::error::AppError) -> Self {
        use crate::error::AppError;
        match err {
            AppError::NotFound => ApiError::not_found(),
            AppError::Forbidden => ApiError::forbidden(),
            AppError::Conflict => ApiError::conflict("A record with the same details already exists."),
            other => ApiError::internal(&other),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if self.fields.is_empty() {
            return problem(self.status, &self.detail);
        }
        let mut res = problem(self.status, &self.detail);
        let errors: serde_json::Map<String, serde_json::Value> = self
            .fields
            .into_iter()
            .map(|(k, v)| (k, serde_json::Value::String(v)))
            .collect();
        let body = serde_json::json!({
            "type": "about:blank",
            "title": self.status.canonical_reason().unwrap_or("Error"),
            "status": self.status.as_u16(),
            "detail": self.detail,
            "errors": errors,
        });
        *res.body_mut() = axum::body::Body::from(body.to_string());
        res
    }
}

/// JSON success bodies.
pub type ApiResult<T> = Result<Json<T>, ApiError>;
