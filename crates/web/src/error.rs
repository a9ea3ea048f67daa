//! Errors and how they look: NHS-styled pages for people, problem+json for the API.
//! Internal causes are logged, never shown.

use crate::views::Chrome;
use askama::Template;
use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Redirect, Response};

/// Why a page request failed.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    #[error("forbidden")]
    Forbidden,
    /// Not signed in: the person is sent to sign in and brought back.
    #[error("sign in required")]
    SignInRequired { next: String },
    /// Signed in, but two-factor sign-in must be set up before anything else.
    #[error("two-factor setup required")]
    TwoFactorSetupRequired,
    /// A body over the route's limit (an upload over 10 MB).
    #[error("too large")]
    TooLarge,
    /// A write refused because the record already exists (a unique constraint).
    #[error("already exists")]
    Conflict,
    /// Something broke; the cause is kept for the log, never shown.
    #[error("internal error")]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl AppError {
    /// An internal failure, keeping its cause.
    pub fn internal(cause: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> AppError {
        AppError::Internal(cause.into())
    }
}

impl From<convene_app::Error> for AppError {
    fn from(err: convene_app::Error) -> Self {
        use convene_app::Error as E;
        match err {
            E::NotFound => AppError::NotFound,
            E::Forbidden => AppError::Forbidden,
            E::Conflict(_) => AppError::Conflict,
            E::Store(cause) => AppError::internal(cause),
        }
    }
}

impl From<askama::Error> for AppError {
    fn from(err: askama::Error) -> Self {
        AppError::internal(err)
    }
}

impl From<convene_app::applications::ApplicationError> for AppError {
    fn from(e: convene_app::applications::ApplicationError) -> Self {
        use convene_app::applications::ApplicationError as E;
        match e {
            E::NotFound => AppError::NotFound,
            E::Forbidden => AppError::Forbidden,
            E::Store(s) => convene_app::Error::from(s).into(),
            other => AppError::internal(format!("unhandled application outcome: {other:?}")),
        }
    }
}

impl From<convene_app::forms::FormError> for AppError {
    fn from(e: convene_app::forms::FormError) -> Self {
        use convene_app::forms::FormError as E;
        match e {
            E::Forbidden => AppError::Forbidden,
            E::Store(s) => convene_app::Error::from(s).into(),
            other => AppError::internal(other),
        }
    }
}

/// The error and every cause under it, for the log.
pub fn cause_chain(err: &dyn std::error::Error) -> String {
    let mut out = err.to_string();
    let mut next = err.source();
    while let Some(cause) = next {
        out.push_str(": ");
        out.push_str(&cause.to_string());
        next = cause.source();
    }
    out
}

#[derive(Template)]
#[template(path = "layout/error.html")]
struct ErrorPage {
    chrome: Chrome,
    heading: &'static str,
    body: &'static str,
}

/// Words for each status a person may meet.
fn wording(status: StatusCode) -> (&'static str, &'static str) {
    match status.as_u16() {
        400 => (
            "Sorry, there is a problem with that request",
            "Go back and try again.",
        ),
        403 => (
            "You do not have permission to see this page",
            "If you followed a link or submitted a form, your session may have ended: go back, reload the page and try again. If you think you should have access, contact your programme team.",
        ),
        404 => (
            "Page not found",
            "If you typed the web address, check it is correct. If you pasted the web address, check you copied the entire address.",
        ),
        409 => (
            "That has already been done",
            "Someone may have made the same change a moment ago. Go back, reload the page and check.",
        ),
        405 => (
            "Sorry, that action is not available here",
            "Go back and use the links on the page.",
        ),
        413 => (
            "The file or form you sent is too large",
            "Files can be up to 10MB. Go back and send a smaller file, or shorten your answer.",
        ),
        429 => ("Too many attempts", "Wait a minute, then try again."),
        _ => (
            "Sorry, there is a problem with the service",
            "Try again later. Anything you saved before this happened is safe.",
        ),
    }
}

/// An NHS-styled error page for `status`.
pub fn error_page(status: StatusCode) -> Response {
    let (heading, body) = wording(status);
    let page = ErrorPage {
        chrome: Chrome::new(heading, None, String::new(), ""),
        heading,
        body,
    };
    match page.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(_) => (status, heading).into_response(),
    }
}

/// A problem+json body for `status` (RFC 9457).
pub fn problem(status: StatusCode, detail: &str) -> Response {
    let body = serde_json::json!({
        "type": "about:blank",
        "title": status.canonical_reason().unwrap_or("Error"),
        "status": status.as_u16(),
        "detail": detail,
    });
    let mut res = (status, body.to_string()).into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/problem+json"),
    );
    res
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        match self {
            AppError::NotFound => error_page(StatusCode::NOT_FOUND),
            AppError::Forbidden => error_page(StatusCode::FORBIDDEN),
            AppError::TooLarge => error_page(StatusCode::PAYLOAD_TOO_LARGE),
            AppError::SignInRequired { next } => {
                let target = format!("/sign-in?next={}", urlencode(&next));
                Redirect::to(&target).into_response()
            }
            AppError::TwoFactorSetupRequired => Redirect::to("/account/two-factor").into_response(),
            AppError::Conflict => error_page(StatusCode::CONFLICT),
            AppError::Internal(cause) => {
                tracing::error!(cause = %cause_chain(cause.as_ref()), "request failed");
                error_page(StatusCode::INTERNAL_SERVER_ERROR)
            }
        }
    }
}

/// Percent-encodes a value for a query string.
pub fn urlencode(value: &str) -> String {
    serde_urlencoded::to_string([("", value)])
        .map(|s| s.trim_start_matches('=').to_string())
        .unwrap_or_default()
}

/// Gives every bare error response (a 404 from no route, a 405, a 413 from a body limit, a
/// 403 from the CSRF wall, a 500 from a panic) its proper body: an NHS page, or problem+json
/// under `/api/`. Responses that already have a body type pass through.
pub async fn render_bare_errors(req: Request, next: Next) -> Response {
    let api = req.uri().path().starts_with("/api/");
    let res = next.run(req).await;
    let status = res.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return res;
    }
    let typed = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("text/html") || ct.starts_with("application/problem+json"));
    if typed {
        return res;
    }
    let (parts, _) = res.into_parts();
    let mut fresh = if api {
        problem(status, wording(status).0)
    } else {
        error_page(status)
    };
    // Keep headers such as Allow (405) and Retry-After.
    for (name, value) in parts.headers.iter() {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            fresh.headers_mut().insert(name.clone(), value.clone());
        }
    }
    fresh
}

/// Turns a panic inside a handler into a logged 500 (the server keeps running).
pub fn panic_response(err: Box<dyn std::any::Any + Send + 'static>) -> Response<Body> {
    let detail = err
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| err.downcast_ref::<&str>().copied())
        .unwrap_or("unknown panic");
    tracing::error!(panic = detail, "handler panicked");
    // This layer is the outermost, so the page is rendered here.
    crate::ops::with_security_headers(error_page(StatusCode::INTERNAL_SERVER_ERROR))
}
