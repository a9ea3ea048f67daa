//! HTML pages, one module per capability, each exposing `router()`.

pub mod accounts;
pub mod applications;
pub mod dashboard;
pub mod dev;
pub mod enablers;
pub mod engagements;
pub mod funds;
pub mod info;
pub mod news;
pub mod open_data;
pub mod outcomes;
pub mod panels;
pub mod people;
pub mod places;
pub mod profile;
pub mod programmes;
pub mod public;
pub mod register;
pub mod resume;
pub mod retention;
pub mod round_admin;
pub mod rounds;
pub mod signoff;
pub mod support;
pub mod two_factor;

use crate::auth::Person;
use crate::csrf;
use crate::error::AppError;
use crate::state::AppState;
use crate::views::Chrome;
use crate::views::FormErrors;
use axum::Router;
use convene_app::panels::{PanelError, Problem};
use tower_sessions::Session;

pub use crate::notices::{notify, take, take_notice};

/// Every page route.
pub fn router(state: &AppState) -> Router<AppState> {
    let mut router = Router::new()
        .merge(info::router())
        .merge(public::router())
        .merge(accounts::router())
        .merge(register::router())
        .merge(people::router())
        .merge(two_factor::router())
        .merge(profile::router())
        .merge(retention::router())
        .merge(news::router())
        .merge(applications::router())
        .merge(dashboard::router())
        .merge(programmes::router())
        .merge(places::router())
        .merge(resume::router())
        .merge(rounds::router())
        .merge(round_admin::router())
        .merge(funds::router())
        .merge(signoff::router())
        .merge(panels::router())
        .merge(outcomes::router())
        .merge(engagements::router())
        .merge(open_data::router())
        .merge(enablers::router());
    if state.config.demo {
        router = router.merge(dev::router());
    }
    router
}

/// A use case's refusal as the form shows it: each problem beside its field, and a state
/// or a stale version against `general_field`; anything else is the error page.
pub(crate) fn form_problems(e: PanelError, general_field: &str) -> Result<FormErrors, AppError> {
    let mut errors = FormErrors::default();
    match e {
        PanelError::Invalid(problems) => add_problems(&mut errors, problems),
        PanelError::State(message) => errors.add(general_field, message),
        PanelError::Stale => errors.add(
            general_field,
            "Someone else saved this since you opened the page. Check what is saved now, then save again.",
        ),
        other => return Err(other.into()),
    }
    Ok(errors)
}

/// Each problem beside its field.
pub(crate) fn add_problems(errors: &mut FormErrors, problems: Vec<Problem>) {
    for p in problems {
        errors.add(&p.field, p.message);
    }
}

/// Builds the page frame for `person`, with a CSRF token and any pending notice.
pub async fn chrome(
    state: &AppState,
    person: Option<&Person>,
    session: &Session,
    title: &str,
    path: &str,
) -> Chrome {
    let token = csrf::token(session).await;
    let mut chrome = Chrome::new(title, person.map(|p| p.as_ref()), token, path);
    chrome.demo = state.config.demo;
    chrome
}

/// The frame of a signed-in form page: "Error: " goes before the title when `errors` has any.
pub async fn form_chrome(
    state: &AppState,
    me: &crate::auth::CurrentUser,
    title: &str,
    path: &str,
    errors: &crate::views::FormErrors,
) -> Chrome {
    let mut frame = chrome(state, Some(&me.person), &me.session, title, path).await;
    frame.has_errors = !errors.is_empty();
    frame
}
