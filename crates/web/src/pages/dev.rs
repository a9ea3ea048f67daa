//! The demo's outbox viewer at `/dev/mail`: only mounted by `convene demo`.

use crate::auth::MaybeUser;
use crate::error::AppError;
use crate::pages::chrome;
use crate::state::AppState;
use crate::views::Chrome;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use convene_app::mail;

/// The demo outbox route.
pub fn router() -> Router<AppState> {
    Router::new().route("/dev/mail", get(mail))
}

#[derive(Template, WebTemplate)]
#[template(path = "dev/dev_mail.html")]
struct MailPage {
    chrome: Chrome,
    messages: Vec<MessageView>,
}

struct MessageView {
    to: String,
    subject: String,
    body: String,
    /// The HTML part's source, if the message has one.
    html: Option<String>,
    queued: String,
    state: String,
}

async fn mail(State(state): State<AppState>, who: MaybeUser) -> Result<Response, AppError> {
    let messages = mail::recent(&state, 50)
        .await?
        .into_iter()
        .map(|m| MessageView {
            to: m.to_address,
            subject: m.subject,
            body: m.body_text,
            html: m.body_html,
            queued: m.created_at.london_words(),
            state: match (m.sent_at, m.last_error) {
                (Some(t), _) => format!("Sent at {}", t.london_words()),
                (None, Some(e)) => format!("Not sent yet: {e}"),
                (None, None) => "Kept in the outbox (no mail server configured)".into(),
            },
        })
        .collect();
    let chrome = chrome(
        &state,
        who.person.as_ref(),
        &who.session,
        "Demo outbox",
        "/dev/mail",
    )
    .await;
    Ok(MailPage { chrome, messages }.into_response())
}
