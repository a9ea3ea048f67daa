//! Personal data rights, shared by the pages and the API: the subject access download as
//! one JSON document (built from what `convene_app::personal_data` gathers), and erasure,
//! after which the person's sessions cached in this process are forgotten too.

use crate::state::AppState;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use base64::Engine;
use convene_app::personal_data::{self as rights, Erased, Erasure, Holdings, Subject, Whom};
use convene_domain::Email;
use convene_domain::policy::Principal;
use serde_json::{Value, json};

/// Everything held about `whom`, with the files they uploaded, as a JSON attachment.
pub async fn download(
    state: &AppState,
    who: &Principal,
    whom: Whom<'_>,
    file_name: &str,
) -> Result<Response, convene_app::Error> {
    let holdings = rights::subject_access(state, who, whom).await?;
    Ok(json_download(&document(&holdings), file_name))
}

/// The subject access document.
fn document(holdings: &Holdings) -> Value {
    let files: Vec<Value> = holdings
        .files
        .iter()
        .map(|file| {
            json!({
                "application_id": file.application_id,
                "file_name": file.file_name,
                "content_type": file.content_type,
                "uploaded_at": file.created_at.iso(),
                "content_base64": base64::engine::general_purpose::STANDARD.encode(&file.content),
            })
        })
        .collect();
    json!({
        "about": "Everything Convene holds about this email address, as a subject access request under UK GDPR.",
        "email": holdings.subject.email,
        "generated_at": holdings.generated_at.iso(),
        "records": holdings.records,
        "uploaded_files": files,
    })
}

/// Erases what is held about `email` (a service admin, never their own), then forgets the
/// erased account's sessions cached here.
pub async fn erase(state: &AppState, who: &Principal, email: &Email) -> Result<Erasure, convene_app::Error> {
    let outcome = rights::erase(state, who, email).await?;
    if let Erasure::Done { user_id: Some(id) } = outcome {
        state.sessions.forget_user(id);
    }
    Ok(outcome)
}

/// Erases a subject already found (by the service admin `actor`), then forgets their
/// sessions cached here.
pub async fn erase_subject(
    state: &AppState,
    actor: &Principal,
    subject: &Subject,
) -> Result<Erased, convene_app::Error> {
    let outcome = rights::erase_subject(state, actor, subject).await?;
    if outcome == Erased::Done
        && let Some(id) = subject.user_id
    {
        state.sessions.forget_user(id);
    }
    Ok(outcome)
}

/// A JSON attachment that is never cached.
pub fn json_download(value: &Value, file_name: &str) -> Response {
    (
        [
            (header::CONTENT_TYPE, "application/json".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{file_name}\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        serde_json::to_string_pretty(value).unwrap_or_default(),
    )
        .into_response()
}
