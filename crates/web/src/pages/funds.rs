//! A programme's fund: each partner body's contribution is recorded here, and the total,
//! what is awarded and what is left are worked out from them, never typed in.

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
use axum::routing::post;
use axum::{Form, Router};
use convene_app::programmes::set_contribution as record;
use convene_domain::policy::Action;
use convene_domain::programmes::Programme;
use serde::Deserialize;

/// Fund routes.
pub fn router() -> Router<AppState> {
    Router::new().route(
        "/programmes/{slug}/contributions",
        post(set_contribution).get(contribution_form),
    )
}

#[derive(Template, WebTemplate)]
#[template(path = "programmes/contribution.html")]
struct ContributionPage {
    chrome: Chrome,
    programme_name: String,
    programme_slug: String,
    org_id: String,
    amount: String,
    errors: FormErrors,
}

#[derive(Deserialize, Default)]
struct ContributionForm {
    #[serde(default)]
    org_id: String,
    #[serde(default)]
    amount: String,
}

async fn render(
    state: &AppState,
    me: &CurrentUser,
    programme: Programme,
    form: ContributionForm,
    errors: FormErrors,
) -> Response {
    let mut chrome = chrome(
        state,
        Some(&me.person),
        &me.session,
        "Record a partner's contribution",
        "/programmes",
    )
    .await;
    chrome.has_errors = !errors.is_empty();
    ContributionPage {
        chrome: chrome.with_back(format!("/programmes/{}", programme.slug)),
        programme_name: programme.name,
        programme_slug: programme.slug,
        org_id: form.org_id,
        amount: form.amount,
        errors,
    }
    .into_response()
}

async fn contribution_form(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    let programme = load_programme(&state, &me, &slug, Action::Edit).await?;
    Ok(render(
        &state,
        &me,
        programme,
        ContributionForm::default(),
        FormErrors::default(),
    )
    .await)
}

async fn set_contribution(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(slug): Path<String>,
    Form(form): Form<ContributionForm>,
) -> Result<Response, AppError> {
    let programme = load_programme(&state, &me, &slug, Action::Edit).await?;
    let amount = match record(&state, me.principal(), &programme, &form.org_id, &form.amount).await? {
        Ok(amount) => amount,
        Err(problems) => return Ok(render(&state, &me, programme, form, form_errors(problems)).await),
    };
    notify(
        &me.session,
        &format!("A contribution of {amount} has been recorded."),
    )
    .await;
    Ok(Redirect::to(&format!("/programmes/{slug}")).into_response())
}
