//! After a session ends mid-form: the person signs in again and sees what they typed, ready
//! to save (DECISIONS: nothing typed is ever lost, not even on a timeout).

use crate::auth::CurrentUser;
use crate::csrf::{CARRIED_KEY, CarriedForm};
use crate::error::AppError;
use crate::pages::chrome;
use crate::state::AppState;
use crate::views::Chrome;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;

/// The resume route.
pub fn router() -> Router<AppState> {
    Router::new().route("/resume", get(resume))
}

#[derive(Template, WebTemplate)]
#[template(path = "accounts/resume.html")]
struct ResumePage {
    chrome: Chrome,
    action: String,
    /// Label, field name and value of each carried field.
    fields: Vec<(String, String, String)>,
}

/// "chair_email" as "Chair email".
fn label(name: &str) -> String {
    crate::views::sentence_case(&name.replace(['_', '-'], " "))
}

async fn resume(State(state): State<AppState>, me: CurrentUser) -> Result<Response, AppError> {
    let carried: Option<CarriedForm> = me.session.get(CARRIED_KEY).await.ok().flatten();
    let _ = me.session.remove::<CarriedForm>(CARRIED_KEY).await;
    // Only the account that typed it sees it again; anyone else signing in on the same
    // browser gets their dashboard, and the typed values are gone.
    let Some(form) = carried.filter(|f| f.typed_by == Some(me.user().id.0)) else {
        return Ok(Redirect::to("/dashboard").into_response());
    };
    let chrome = chrome(
        &state,
        Some(&me.person),
        &me.session,
        "Save what you typed",
        "/resume",
    )
    .await;
    let fields = form.fields.into_iter().map(|(n, v)| (label(&n), n, v)).collect();
    Ok(ResumePage {
        chrome,
        action: form.action,
        fields,
    }
    .into_response())
}
