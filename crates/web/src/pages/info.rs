//! The pages every public service links from its footer.

use crate::auth::MaybeUser;
use crate::pages::chrome;
use crate::state::AppState;
use crate::views::Chrome;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::get;

/// Footer page routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/accessibility", get(accessibility))
        .route("/privacy", get(privacy))
        .route("/cookies", get(cookies))
        .route("/contact", get(contact))
}

#[derive(Template, WebTemplate)]
#[template(path = "public/info.html")]
struct InfoPage {
    chrome: Chrome,
    which: &'static str,
}

async fn page(state: &AppState, who: MaybeUser, title: &str, path: &str, which: &'static str) -> Response {
    let chrome = chrome(state, who.person.as_ref(), &who.session, title, path).await;
    InfoPage { chrome, which }.into_response()
}

async fn accessibility(State(state): State<AppState>, who: MaybeUser) -> Response {
    page(
        &state,
        who,
        "Accessibility statement",
        "/accessibility",
        "accessibility",
    )
    .await
}

async fn privacy(State(state): State<AppState>, who: MaybeUser) -> Response {
    page(&state, who, "Privacy notice", "/privacy", "privacy").await
}

async fn cookies(State(state): State<AppState>, who: MaybeUser) -> Response {
    page(&state, who, "Cookies", "/cookies", "cookies").await
}

async fn contact(State(state): State<AppState>, who: MaybeUser) -> Response {
    page(&state, who, "Contact us", "/contact", "contact").await
}
