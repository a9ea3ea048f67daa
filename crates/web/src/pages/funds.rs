//! A programme's fund: each partner body's contribution is recorded here, and the total,
//! what is awarded and what is left are worked out from them, never typed in.

use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::pages::programmes::load_programme;
use crate::pages::{chrome, notify};
use crate::state::AppState;
use crate::views::{Chrome, FormErrors};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::post;
use axum::{Form, Router};
use convene_app::Cache;
use convene_domain::Pence;
use convene_domain::audit::AuditAction;
use convene_domain::policy::Action;
use convene_domain::programmes::OrgId;
use convene_store::organisations;
use convene_store::programmes::{self, Programme};
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
    let mut errors = FormErrors::default();
    let org_id = OrgId::parse(&form.org_id)
        .map_err(|e| errors.add("org_id", e.to_string()))
        .ok();
    let amount = match Pence::parse_pounds(&form.amount) {
        Ok(p) if p.0 >= 0 => Some(p),
        Ok(_) => {
            errors.add("amount", "The contribution cannot be negative");
            None
        }
        Err(e) => {
            errors.add("amount", e.to_string());
            None
        }
    };
    let mut work = state.begin(Some(me.user().id)).await?;
    let organisation = match &org_id {
        Some(o) => organisations::organisation_id(work.tx(), o.as_str()).await?,
        None => None,
    };
    if org_id.is_some() && organisation.is_none() {
        errors.add(
            "org_id",
            "No organisation has that identifier: import it first with convene import organisations",
        );
    }
    let (Some(organisation), Some(amount), true) = (organisation, amount, errors.is_empty()) else {
        drop(work);
        return Ok(render(&state, &me, programme, form, errors).await);
    };
    programmes::set_contribution(work.tx(), programme.id, organisation, amount).await?;
    work.audit(AuditAction::ContributionRecorded, Some(programme.id))
        .await?;
    work.clears(Cache::Catalogue);
    work.commit().await?;
    notify(
        &me.session,
        &format!("A contribution of {amount} has been recorded."),
    )
    .await;
    Ok(Redirect::to(&format!("/programmes/{slug}")).into_response())
}
