//! Creating a round: a programme admin sets its dates (in UK time), places, eligibility,
//! review and notification dates and launch event.

use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::pages::programmes::{form_errors, load_programme};
use crate::pages::{chrome, notify};
use crate::state::AppState;
use crate::views::{Chrome, FormErrors};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Form, Router};
use convene_domain::policy::Action;
use convene_domain::programmes::Programme;
use convene_domain::rounds::RoundForm;

/// Round routes.
pub fn router() -> Router<AppState> {
    Router::new().route("/programmes/{slug}/rounds/new", get(new_round).post(create_round))
}

#[derive(Template, WebTemplate)]
#[template(path = "rounds/round_new.html")]
struct NewRoundPage {
    chrome: Chrome,
    programme_name: String,
    programme_slug: String,
    form: RoundForm,
    errors: FormErrors,
}

impl NewRoundPage {
    /// The first problem with a date group (its day, month, year or time).
    fn date_error(&self, prefix: &str) -> Option<&str> {
        self.errors
            .for_field(&format!("{prefix}_day"))
            .or_else(|| self.errors.for_field(&format!("{prefix}_time")))
    }
}

async fn render(
    state: &AppState,
    me: &CurrentUser,
    programme: Programme,
    form: RoundForm,
    errors: FormErrors,
) -> Response {
    let mut chrome = chrome(
        state,
        Some(&me.person),
        &me.session,
        "Create a round",
        "/programmes",
    )
    .await;
    chrome.has_errors = !errors.is_empty();
    let back = format!("/programmes/{}", programme.slug);
    NewRoundPage {
        chrome: chrome.with_back(back),
        programme_name: programme.name,
        programme_slug: programme.slug,
        form,
        errors,
    }
    .into_response()
}

async fn new_round(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    let programme = load_programme(&state, &me, &slug, Action::Edit).await?;
    let form = RoundForm {
        opens_time: "9am".into(),
        closes_time: "11:59pm".into(),
        launch_time: "10am".into(),
        ..RoundForm::default()
    };
    Ok(render(&state, &me, programme, form, FormErrors::default()).await)
}

async fn create_round(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(slug): Path<String>,
    Form(form): Form<RoundForm>,
) -> Result<Response, AppError> {
    let programme = load_programme(&state, &me, &slug, Action::Edit).await?;
    let plan = match convene_app::rounds::create(&state, me.principal(), programme.id, &form).await? {
        Ok((_, plan)) => plan,
        Err(problems) => return Ok(render(&state, &me, programme, form, form_errors(problems)).await),
    };
    notify(&me.session, &format!("{} has been created.", plan.name)).await;
    Ok(Redirect::to(&format!("/programmes/{slug}")).into_response())
}
