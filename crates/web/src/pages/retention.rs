//! A programme's retention rules, set by its admins, and the log of each run.

use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::pages::programmes::load_programme;
use crate::pages::{chrome, notify, take_notice};
use crate::state::AppState;
use crate::views::{Chrome, FormErrors};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Form, Router};
use convene_app::retention;
use convene_domain::policy::Action;
use convene_domain::retention::RetentionKind;
use serde::Deserialize;
use std::collections::HashMap;

/// Retention routes.
pub fn router() -> Router<AppState> {
    Router::new().route("/programmes/{slug}/retention", get(page).post(save))
}

/// One rule's row in the form.
struct RuleField {
    key: &'static str,
    label: &'static str,
    days: String,
}

/// One line of the run log.
struct RunView {
    at: String,
    by: String,
    what: &'static str,
    removed: i64,
}

#[derive(Template, WebTemplate)]
#[template(path = "people/retention.html")]
struct RetentionPage {
    chrome: Chrome,
    notice: Option<String>,
    errors: FormErrors,
    slug: String,
    programme_name: String,
    fields: Vec<RuleField>,
    runs: Vec<RunView>,
}

async fn render(
    state: &AppState,
    me: &CurrentUser,
    slug: &str,
    errors: FormErrors,
    typed: Option<HashMap<String, String>>,
) -> Result<Response, AppError> {
    let programme = load_programme(state, me, slug, Action::Edit).await?;
    let retention::Settings { rules, runs } = retention::settings(state, me.principal(), &programme).await?;
    let fields = RetentionKind::ALL
        .into_iter()
        .map(|kind| RuleField {
            key: kind.key(),
            label: kind.label(),
            days: match &typed {
                Some(t) => t.get(kind.key()).cloned().unwrap_or_default(),
                None => rules
                    .iter()
                    .find(|r| r.kind == kind)
                    .map(|r| r.after_days.to_string())
                    .unwrap_or_default(),
            },
        })
        .collect();
    let runs = runs
        .into_iter()
        .map(|r| RunView {
            at: r.at.london_words(),
            by: if r.triggered_by == "scheduler" {
                "Daily run".into()
            } else {
                "Command".into()
            },
            what: RetentionKind::from_key(&r.kind)
                .map(|k| k.label())
                .unwrap_or("Records"),
            removed: r.removed,
        })
        .collect();
    let path = format!("/programmes/{slug}/retention");
    let mut frame = chrome(
        state,
        Some(&me.person),
        &me.session,
        "How long records are kept",
        &path,
    )
    .await;
    frame.has_errors = !errors.is_empty();
    let notice = take_notice(&me.session).await;
    Ok(RetentionPage {
        chrome: frame.with_back(format!("/programmes/{slug}")),
        notice,
        errors,
        slug: slug.to_string(),
        programme_name: programme.name,
        fields,
        runs,
    }
    .into_response())
}

async fn page(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    render(&state, &me, &slug, FormErrors::default(), None).await
}

#[derive(Deserialize)]
struct RulesForm {
    #[serde(flatten)]
    days: HashMap<String, String>,
}

async fn save(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(slug): Path<String>,
    Form(form): Form<RulesForm>,
) -> Result<Response, AppError> {
    let programme = load_programme(&state, &me, &slug, Action::Edit).await?;
    let typed = |key: &str| form.days.get(key).cloned().unwrap_or_default();
    if let Err(problems) = retention::save(&state, me.principal(), &programme, typed).await? {
        let mut errors = FormErrors::default();
        for (field, message) in problems {
            errors.add(&field, message);
        }
        return render(&state, &me, &slug, errors, Some(form.days)).await;
    }
    notify(
        &me.session,
        "The retention rules have been saved. They are applied every day.",
    )
    .await;
    Ok(Redirect::to(&format!("/programmes/{slug}/retention")).into_response())
}
