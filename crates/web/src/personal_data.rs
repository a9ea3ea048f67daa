//! Personal data rights, shared by the pages and the API: everything held about a person as
//! one download (links' secrets taken out by the store), and erasure logged by ids only.

use crate::error::AppError;
use crate::state::AppState;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use base64::Engine;
use convene_app::Cache;
use convene_domain::audit::AuditAction;
use convene_domain::policy::Principal;
use convene_store::personal_data::{self, Erased, Subject};
use serde_json::{Value, json};

/// Everything held about `subject`, with the files they uploaded, as one JSON document.
pub async fn subject_access(state: &AppState, subject: &Subject) -> Result<Value, AppError> {
    let records = personal_data::holdings(&state.db, subject).await?;
    let mut files = Vec::new();
    if let Some(id) = subject.user_id {
        for file in personal_data::uploads_by(&state.db, id).await? {
            files.push(json!({
                "application_id": file.application_id,
                "file_name": file.file_name,
                "content_type": file.content_type,
                "uploaded_at": file.created_at.iso(),
                "content_base64": base64::engine::general_purpose::STANDARD.encode(&file.content),
            }));
        }
    }
    Ok(json!({
        "about": "Everything Convene holds about this email address, as a subject access request under UK GDPR.",
        "email": subject.email,
        "generated_at": state.clock.now().iso(),
        "records": records,
        "uploaded_files": files,
    }))
}

/// Erases a person (by the admin `actor`), logging the erasure by ids only.
pub async fn erase_subject(
    state: &AppState,
    actor: &Principal,
    subject: &Subject,
) -> Result<Erased, AppError> {
    let name = match subject.user_id {
        Some(id) => convene_store::users::by_id(&state.db, id).await?.map(|u| u.name),
        None => None,
    };
    if subject.user_id.is_none() && personal_data::holdings(&state.db, subject).await?.is_empty() {
        return Ok(Erased::NothingHeld);
    }
    let now = state.clock.now();
    let mut work = state.begin(Some(actor.user_id)).await?;
    let outcome = personal_data::erase(work.tx(), subject, name.as_deref(), now).await?;
    if outcome == Erased::Done {
        work.audit(AuditAction::PersonErased, subject.user_id).await?;
        if let Some(id) = subject.user_id {
            work.clears(Cache::Person(id));
        }
        work.commit().await?;
        if let Some(id) = subject.user_id {
            state.sessions.forget_user(id);
        }
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
