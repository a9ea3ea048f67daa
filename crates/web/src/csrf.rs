//! Cross-site request forgery protection for everything a cookie authenticates.
//!
//! Every HTML form carries a synchronizer token kept in the session; this middleware checks
//! it on every state-changing request outside `/api/` (the API takes bearer tokens, never
//! the cookie). tower-http's Origin / Sec-Fetch-Site check stands in front as a second wall.

use crate::error::error_page;
use axum::body::{Body, to_bytes};
use axum::extract::Request;
use axum::http::{Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tower_sessions::Session;

/// The session key and form field holding the token.
pub const FIELD: &str = "csrf_token";

/// Largest form body read here (ordinary forms; upload routes get their own limit).
pub const FORM_LIMIT: usize = 1024 * 1024;

/// Largest body of an upload route: a 10 MB file plus its form encoding.
pub const UPLOAD_LIMIT: usize = 11 * 1024 * 1024;

/// True for the routes that take `multipart/form-data` with a file: a section page of an
/// application (`/applications/{id}/sections/{key}`).
pub fn is_upload_path(path: &str) -> bool {
    let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
    matches!(parts.as_slice(), ["applications", id, "sections", _] if id.parse::<i64>().is_ok())
}

fn is_multipart(headers: &axum::http::HeaderMap) -> Option<String> {
    let value = headers.get(header::CONTENT_TYPE)?.to_str().ok()?;
    multer::parse_boundary(value).ok()
}

/// The text fields of a multipart body, without its files (read from memory).
async fn multipart_fields(bytes: &bytes::Bytes, boundary: String) -> Vec<(String, String)> {
    let stream = futures_util::stream::once({
        let bytes = bytes.clone();
        async move { Ok::<_, std::convert::Infallible>(bytes) }
    });
    let mut multipart = multer::Multipart::new(stream, boundary);
    let mut fields = Vec::new();
    while let Ok(Some(field)) = multipart.next_field().await {
        let name = field.name().unwrap_or_default().to_string();
        if field.file_name().is_some() {
            continue;
        }
        if let Ok(text) = field.text().await {
            fields.push((name, text));
        }
    }
    fields
}

/// The session's token, made on first use.
pub async fn token(session: &Session) -> String {
    if let Ok(Some(existing)) = session.get::<String>(FIELD).await {
        return existing;
    }
    let fresh = convene_domain::accounts::new_secret();
    // A failed insert only means the form will be refused and shown again.
    let _ = session.insert(FIELD, &fresh).await;
    fresh
}

/// Gives a session that has just signed in a fresh token that names its account, so that a
/// form typed in it and carried through a later re-sign-in is shown only to that account
/// (see [`carry_through`]).
pub async fn bind_to_account(session: &Session, user_id: i64) {
    let fresh = format!("{user_id}.{}", convene_domain::accounts::new_secret());
    let _ = session.insert(FIELD, &fresh).await;
}

/// The account a token was made for, if it names one.
fn token_account(token: &str) -> Option<i64> {
    token.split_once('.')?.0.parse().ok()
}

/// Refuses a state-changing form post whose token does not match the session's.
pub async fn verify(req: Request, next: Next) -> Response {
    // HTML forms can only GET or POST, and no page route takes another method, so POST is
    // where tokens are checked; any other method on a page route gets 405 (and the Origin
    // wall in front refuses cross-site ones regardless).
    if *req.method() != Method::POST || req.uri().path().starts_with("/api/") {
        return next.run(req).await;
    }
    let Some(session) = req.extensions().get::<Session>().cloned() else {
        return error_page(StatusCode::FORBIDDEN);
    };
    let expected: Option<String> = session.get(FIELD).await.ok().flatten();
    let (parts, body) = req.into_parts();
    let declared = parts
        .headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    let boundary = is_multipart(&parts.headers).filter(|_| is_upload_path(parts.uri.path()));
    let limit = if boundary.is_some() {
        UPLOAD_LIMIT
    } else {
        FORM_LIMIT
    };
    if declared.is_some_and(|n| n > limit) {
        return error_page(StatusCode::PAYLOAD_TOO_LARGE);
    }
    let Ok(bytes) = to_bytes(body, limit).await else {
        return error_page(StatusCode::PAYLOAD_TOO_LARGE);
    };
    let pairs = match boundary {
        Some(boundary) => multipart_fields(&bytes, boundary).await,
        None => serde_urlencoded::from_bytes::<Vec<(String, String)>>(&bytes).unwrap_or_default(),
    };
    let supplied = pairs.iter().find(|(k, _)| k == FIELD).map(|(_, v)| v.as_str());
    let matches = match (&expected, supplied) {
        (Some(e), Some(s)) => constant_time_eq(e.as_bytes(), s.as_bytes()),
        _ => false,
    };
    if expected.is_none() && supplied.is_some() && same_origin(&parts.headers) {
        // The form came from this site but its session has ended (it timed out, or the
        // person signed out elsewhere). Not an attack: keep what they typed and ask them to
        // sign in again.
        let typed_by = supplied.and_then(token_account);
        return carry_through(&session, parts.uri.path(), pairs, typed_by).await;
    }
    if !matches {
        // The route pattern, never the path: a refused post to a signed link would
        // otherwise write the link's secret into the log.
        tracing::info!(
            route = crate::ops::route_of(&parts.extensions),
            "form post refused: missing or wrong CSRF token"
        );
        return error_page(StatusCode::FORBIDDEN).into_response();
    }
    next.run(Request::from_parts(parts, Body::from(bytes))).await
}

/// The session key holding a form carried through a new sign-in.
pub const CARRIED_KEY: &str = "carried_form";

/// A form whose session ended before it was saved.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct CarriedForm {
    /// Where the form was posted.
    pub action: String,
    /// What was typed, in order, without the token or any password.
    pub fields: Vec<(String, String)>,
    /// The account whose page the form came from: only that account is shown it again (on
    /// a shared computer, the next person to sign in must not see it).
    #[serde(default)]
    pub typed_by: Option<i64>,
}

/// True when the browser says the request came from this site itself.
fn same_origin(headers: &axum::http::HeaderMap) -> bool {
    let fetch_site = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok());
    let origin_host = headers
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
        .and_then(|o| o.split_once("://").map(|(_, host)| host.to_string()));
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
    fetch_site == Some("same-origin") || (origin_host.is_some() && origin_host.as_deref() == host)
}

async fn carry_through(
    session: &Session,
    action: &str,
    pairs: Vec<(String, String)>,
    typed_by: Option<i64>,
) -> Response {
    let fields: Vec<(String, String)> = pairs
        .into_iter()
        .filter(|(k, _)| k != FIELD && !k.contains("password") && k != "confirm")
        .collect();
    let signing_in = action == "/sign-in";
    if !signing_in && !fields.is_empty() && typed_by.is_some() {
        let carried = CarriedForm {
            action: action.to_string(),
            fields,
            typed_by,
        };
        let _ = session.insert(CARRIED_KEY, &carried).await;
    }
    crate::notices::notify(
        session,
        "Your session ended, so nothing was saved. Sign in again to carry on.",
    )
    .await;
    let next = if signing_in { "/dashboard" } else { "/resume" };
    axum::response::Redirect::to(&format!("/sign-in?next={next}")).into_response()
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_section_pages_take_uploads() {
        assert!(super::is_upload_path("/applications/12/sections/contribution"));
        assert!(!super::is_upload_path("/applications/x/sections/contribution"));
        assert!(!super::is_upload_path("/account/tokens"));
        assert!(!super::is_upload_path("/applications/12/sections/a/b"));
    }

    #[test]
    fn a_bound_token_names_its_account() {
        assert_eq!(super::token_account("42.abcdef"), Some(42));
        assert_eq!(super::token_account("abcdef"), None);
        assert_eq!(super::token_account("x.abcdef"), None);
    }

    #[test]
    fn compares_whole_tokens() {
        assert!(super::constant_time_eq(b"abc", b"abc"));
        assert!(!super::constant_time_eq(b"abc", b"abd"));
        assert!(!super::constant_time_eq(b"abc", b"ab"));
    }
}
