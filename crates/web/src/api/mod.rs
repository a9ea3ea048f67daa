//! The JSON API under `/api/v1`: bearer tokens, the same policy as the pages, errors as
//! `application/problem+json`, and an OpenAPI 3.1 document generated from the handlers.

pub mod accounts;
pub mod applications;
pub mod awards;
mod body;
pub mod enablers;
pub mod me;
pub mod newcomers;
pub mod news;
pub mod panels;
pub mod people;
pub mod places;
pub mod programmes;
pub mod rounds;

pub use body::{JsonBody, RawJson};

use crate::error::problem;
use crate::state::AppState;
use axum::Json;
use axum::Router;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tower_http::catch_panic::CatchPanicLayer;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

#[derive(OpenApi)]
#[openapi(
    info(title = "Convene API", description = "Programmes, places, rounds, application forms, applications, panel review, decisions and awards, and people of Convene. Authenticate with a bearer token: make one with POST /api/v1/tokens (your email address and password), or on your account page."),
    modifiers(&BearerAuth),
    security(("bearer" = [])),
    components(schemas(Problem))
)]
struct ApiDoc;

/// Every refusal and failure (RFC 9457 problem details), as `application/problem+json`.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct Problem {
    /// Always about:blank: the status says what kind of problem it is.
    #[serde(rename = "type")]
    pub kind: String,
    /// The status's name, such as "Unprocessable Entity".
    pub title: String,
    pub status: u16,
    /// What went wrong, in a sentence.
    pub detail: String,
    /// A message for each field that needs correcting, by the field's name (only when
    /// there are any).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<std::collections::BTreeMap<String, String>>,
}

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme("bearer", SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)));
    }
}

/// Documents the answers every route can give besides its own, all
/// `application/problem+json`: 401 and 403 where a token is needed (403 also when the
/// token's role needs two-factor sign-in not yet set up), 404 where the path names a
/// record, 400 for a malformed id in the path or a body that is not JSON, 413 for a body
/// over 1 MB, 415 for a body that is not `application/json`, and 422 for JSON of the wrong
/// shape. Public operations (declared with `security(())`) get `security: []`: no token.
struct StandardResponses;

impl StandardResponses {
    /// The standard answers of one operation.
    fn of(path: &str, public: bool, has_body: bool, has_query: bool) -> Vec<(&'static str, &'static str)> {
        let mut standard = Vec::new();
        if !public {
            standard.push(("401", "No token, or one that is not valid or was revoked"));
            standard.push((
                "403",
                "Not allowed for this token's account (or its role needs two-factor sign-in set up first)",
            ));
        }
        if path.contains('{') {
            standard.push(("404", "No such record"));
        }
        if path.contains("{id}") || has_body || has_query {
            standard.push((
                "400",
                "A malformed id or query parameter, or a body that is not valid JSON",
            ));
        }
        if has_body {
            standard.push(("413", "The body is over 1 MB"));
            standard.push(("415", "The body is not application/json"));
            standard.push((
                "422",
                "The body is not the JSON this operation takes, or a field is not valid (per-field errors)",
            ));
        }
        standard
    }
}

impl Modify for StandardResponses {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::path::ParameterIn;
        use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};
        let problem_schema = || RefOr::Ref(Ref::from_schema_name("Problem"));
        let problem = |description: &str| {
            RefOr::T(
                ResponseBuilder::new()
                    .description(description)
                    .content(
                        "application/problem+json",
                        ContentBuilder::new().schema(Some(problem_schema())).build(),
                    )
                    .build(),
            )
        };
        for (path, item) in openapi.paths.paths.iter_mut() {
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
                // `security(())` gives one empty requirement ("a token is optional"); a
                // public operation takes none at all: `security: []`.
                let public = op
                    .security
                    .as_ref()
                    .is_some_and(|s| s.iter().all(|r| *r == Default::default()));
                if public {
                    op.security = Some(Vec::new());
                }
                let has_query = op
                    .parameters
                    .iter()
                    .flatten()
                    .any(|p| matches!(p, RefOr::T(p) if p.parameter_in == ParameterIn::Query));
                let standard = StandardResponses::of(path, public, op.request_body.is_some(), has_query);
                for (status, description) in standard {
                    op.responses
                        .responses
                        .entry(status.to_string())
                        .or_insert_with(|| problem(description));
                }
                // The operations' own refusals have the same body.
                for response in op.responses.responses.values_mut() {
                    if let RefOr::T(response) = response
                        && let Some(RefOr::T(content)) = response.content.get_mut("application/problem+json")
                        && content.schema.is_none()
                    {
                        content.schema = Some(problem_schema());
                    }
                }
            }
        }
    }
}

/// The API routes and their OpenAPI document, all under `/api/v1`.
fn documented() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    let v1 = OpenApiRouter::new()
        .routes(routes!(me::me))
        .routes(routes!(newcomers::create_token))
        .routes(routes!(newcomers::places_to_join))
        .routes(routes!(programmes::list))
        .routes(routes!(programmes::places))
        .routes(routes!(places::get_place))
        .routes(routes!(places::set_chair))
        .routes(routes!(rounds::create_round))
        .routes(routes!(rounds::get_round))
        .routes(routes!(rounds::put_form))
        .routes(routes!(rounds::list, applications::start))
        .routes(routes!(applications::get_application))
        .routes(routes!(applications::partners))
        .routes(routes!(applications::save_section))
        .routes(routes!(applications::send_for_signoff))
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
        .routes(routes!(programmes::public))
        .routes(routes!(panels::settings::get_panel))
        .routes(routes!(panels::settings::put_member))
        .routes(routes!(panels::settings::set_chair))
        .routes(routes!(panels::settings::set_settings))
        .routes(routes!(panels::settings::set_rubric))
        .routes(routes!(panels::assignment::mine, panels::assignment::declare))
        .routes(routes!(panels::assignment::bids))
        .routes(routes!(panels::assignment::bid))
        .routes(routes!(panels::assignment::run))
        .routes(routes!(panels::assignment::overview))
        .routes(routes!(panels::assignment::change))
        .routes(routes!(panels::scoring::queue))
        .routes(routes!(panels::scoring::get_review, panels::scoring::save_review))
        .routes(routes!(panels::scoring::meeting))
        .routes(routes!(panels::scoring::record))
        .routes(routes!(awards::selection::get_selection))
        .routes(routes!(awards::selection::run))
        .routes(routes!(awards::selection::set_rules))
        .routes(routes!(awards::selection::set_value))
        .routes(routes!(awards::decisions::board))
        .routes(routes!(awards::decisions::record))
        .routes(routes!(awards::decisions::replace))
        .routes(routes!(awards::offers::outcome))
        .routes(routes!(awards::offers::respond))
        .routes(routes!(awards::open_data::package))
        .routes(routes!(awards::open_data::table))
        .merge(enablers::router());
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
    router
        .route("/api/v1/openapi.json", get(move || serve_doc(doc.clone())))
        // A panic in an API handler is a problem+json 500 like any other failure (the
        // outermost catcher, for pages, renders an HTML page).
        .layer(CatchPanicLayer::custom(panic_problem))
}

/// Turns a panic inside an API handler into a logged problem+json 500.
fn panic_problem(err: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let detail = err
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| err.downcast_ref::<&str>().copied())
        .unwrap_or("unknown panic");
    tracing::error!(panic = detail, "API handler panicked");
    problem(
        StatusCode::INTERNAL_SERVER_ERROR,
        "The service could not complete the request.",
    )
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

impl From<convene_app::Error> for ApiError {
    fn from(err: convene_app::Error) -> Self {
        use convene_app::Error as E;
        match err {
            E::NotFound => ApiError::not_found(),
            E::Forbidden => ApiError::forbidden(),
            E::Conflict(_) => ApiError::conflict("A record with the same details already exists."),
            E::Store(cause) => ApiError::internal(&cause),
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

impl From<convene_app::panels::PanelError> for ApiError {
    fn from(err: convene_app::panels::PanelError) -> Self {
        use convene_app::panels::PanelError as E;
        match err {
            E::NotFound => ApiError::not_found(),
            E::Forbidden => ApiError::forbidden(),
            E::Invalid(problems) => {
                // One message per field: two problems with one field are told together.
                let mut fields: Vec<(String, String)> = Vec::new();
                for p in problems {
                    match fields.iter_mut().find(|(field, _)| *field == p.field) {
                        Some((_, message)) => *message = format!("{message}. {}", p.message),
                        None => fields.push((p.field, p.message)),
                    }
                }
                ApiError::invalid(fields)
            }
            // The later of two saves over the same version is told, and nothing of it kept.
            E::Stale => ApiError::conflict(
                "This was saved elsewhere since it was loaded, so your save was not applied. Fetch it again and send your change over its current version.",
            ),
            E::State(message) => ApiError::conflict(message),
            E::Store(cause) => ApiError::internal(&cause),
        }
    }
}

impl From<convene_app::awards::open_data::OpenDataError> for ApiError {
    fn from(err: convene_app::awards::open_data::OpenDataError) -> Self {
        use convene_app::awards::open_data::OpenDataError as E;
        match err {
            E::NotFound => ApiError::not_found(),
            // Nothing to publish yet (no accepted awards, or no prefix): not found, saying why.
            E::Nothing(message) => ApiError {
                status: StatusCode::NOT_FOUND,
                detail: message,
                fields: Vec::new(),
            },
            E::Store(cause) => ApiError::internal(&cause),
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use tower::ServiceExt;

    async fn boom() -> &'static str {
        panic!("something broke")
    }

    #[tokio::test]
    async fn a_panicking_api_handler_answers_problem_json() {
        let app: Router = Router::new()
            .route("/api/v1/boom", get(boom))
            .layer(CatchPanicLayer::custom(panic_problem));
        let req = axum::http::Request::get("/api/v1/boom")
            .body(axum::body::Body::empty())
            .unwrap();
        let res = app.oneshot(req).await.unwrap();
        assert_eq!(res.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(res.headers()["content-type"], "application/problem+json");
        let body = axum::body::to_bytes(res.into_body(), 10_000).await.unwrap();
        let problem: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(problem["status"], 500);
        assert!(
            !problem.to_string().contains("something broke"),
            "the cause is logged, never shown"
        );
    }
}
