//! Panel review pages: the panel's home and its admin settings (here), conflicts and bids
//! (`declarations`), the assignment (`assignment`), scoring (`scoring`) and the moderation
//! meeting (`moderation`). Every action is a use case in `convene_app::panels`.

mod assignment;
mod decisions;
mod declarations;
mod moderation;
mod rubric;
mod scoring;
mod selection;

use crate::auth::CurrentUser;
use crate::error::AppError;
pub(super) use crate::pages::form_problems;
use crate::pages::{form_chrome, notify, take_notice};
use crate::state::AppState;
use crate::views::{Chrome, FormErrors};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use convene_app::panels::{self, MemberInput, Panel, PanelError};
use convene_domain::RoundId;
use convene_domain::imports::REGIONS;
use convene_domain::policy::Action;
use serde::Deserialize;

/// Panel routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/panels/{round}", get(home))
        .route("/panels/{round}/members", post(put_member))
        .route("/panels/{round}/chair", post(set_chair))
        .route("/panels/{round}/settings", post(set_settings))
        .merge(declarations::router())
        .merge(assignment::router())
        .merge(scoring::router())
        .merge(moderation::router())
        .merge(rubric::router())
        .merge(selection::router())
        .merge(decisions::router())
}

/// What went wrong with a form, to show beside its fields; any other outcome is an error
/// page.
impl From<PanelError> for AppError {
    fn from(e: PanelError) -> Self {
        match e {
            PanelError::NotFound => AppError::NotFound,
            PanelError::Forbidden => AppError::Forbidden,
            PanelError::Stale | PanelError::State(_) => AppError::Conflict,
            PanelError::Store(s) => convene_app::Error::from(s).into(),
            PanelError::Invalid(p) => AppError::internal(format!("unhandled panel problems: {p:?}")),
        }
    }
}

/// The page frame of a panel page, with a back link to the panel's home.
pub(super) async fn frame(
    state: &AppState,
    me: &CurrentUser,
    title: &str,
    errors: &FormErrors,
    back: &str,
) -> Chrome {
    form_chrome(state, me, title, "/", errors)
        .await
        .with_back(back.to_string())
}

#[derive(Template, WebTemplate)]
#[template(path = "panels/panel.html")]
struct PanelPage {
    chrome: Chrome,
    notice: Option<String>,

    panel: Panel,
    regions: &'static [&'static str],
    member: MemberFields,
    reviews_per_application: String,
    errors: FormErrors,
}

impl PanelPage {
    fn theme_checked(&self, theme: &str) -> bool {
        self.member.themes.iter().any(|t| t == theme)
    }
}

#[derive(Default, Clone)]
struct MemberFields {
    email: String,
    load_cap: String,
    region: String,
    themes: Vec<String>,
}

/// The first value of `key` in a form read as pairs (for forms with repeated keys).
pub(super) fn field(pairs: &[(String, String)], key: &str) -> String {
    pairs
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.clone())
        .unwrap_or_default()
}

async fn render_home(
    state: &AppState,
    me: &CurrentUser,
    panel: Panel,
    member: MemberFields,
    k: Option<String>,
    errors: FormErrors,
) -> Response {
    let chrome = frame(state, me, "Panel review", &errors, "/dashboard").await;
    PanelPage {
        chrome,
        notice: take_notice(&me.session).await,
        reviews_per_application: k.unwrap_or_else(|| panel.reviews_per_application.to_string()),
        panel,
        regions: &REGIONS,
        member,
        errors,
    }
    .into_response()
}

async fn home(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(round): Path<i64>,
) -> Result<Response, AppError> {
    let panel = panels::panel(&state, me.principal(), RoundId(round), Action::View).await?;
    let member = MemberFields {
        load_cap: "15".into(),
        ..MemberFields::default()
    };
    Ok(render_home(&state, &me, panel, member, None, FormErrors::default()).await)
}

async fn put_member(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(round): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let form = MemberFields {
        email: field(&pairs, "email"),
        load_cap: field(&pairs, "load_cap"),
        region: field(&pairs, "region"),
        themes: pairs
            .iter()
            .filter(|(k, _)| k == "themes")
            .map(|(_, v)| v.clone())
            .collect(),
    };
    let input = MemberInput {
        email: form.email.clone(),
        load_cap: form.load_cap.clone(),
        region: form.region.clone(),
        themes: form.themes.clone(),
    };
    match panels::put_member(&state, me.principal(), RoundId(round), &input).await {
        Ok(_) => {
            notify(&me.session, &format!("{} is on the panel.", form.email.trim())).await;
            Ok(Redirect::to(&format!("/panels/{round}")).into_response())
        }
        Err(e) => {
            let errors = form_problems(e, "email")?;
            let panel = panels::panel(&state, me.principal(), RoundId(round), Action::Edit).await?;
            Ok(render_home(&state, &me, panel, form, None, errors).await)
        }
    }
}

#[derive(Deserialize)]
struct ChairForm {
    #[serde(default)]
    chair: i64,
}

async fn set_chair(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(round): Path<i64>,
    Form(form): Form<ChairForm>,
) -> Result<Response, AppError> {
    let chair = convene_domain::UserId(form.chair);
    match panels::set_chair(&state, me.principal(), RoundId(round), chair).await {
        Ok(()) => {
            notify(&me.session, "The panel's chair has been changed.").await;
            Ok(Redirect::to(&format!("/panels/{round}")).into_response())
        }
        Err(e) => {
            let errors = form_problems(e, "chair")?;
            let panel = panels::panel(&state, me.principal(), RoundId(round), Action::Edit).await?;
            Ok(render_home(&state, &me, panel, MemberFields::default(), None, errors).await)
        }
    }
}

#[derive(Deserialize)]
struct SettingsForm {
    #[serde(default)]
    reviews_per_application: String,
}

async fn set_settings(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(round): Path<i64>,
    Form(form): Form<SettingsForm>,
) -> Result<Response, AppError> {
    let k = &form.reviews_per_application;
    match panels::set_reviews_per_application(&state, me.principal(), RoundId(round), k).await {
        Ok(k) => {
            notify(&me.session, &format!("Each application now needs {k} reviews.")).await;
            Ok(Redirect::to(&format!("/panels/{round}")).into_response())
        }
        Err(e) => {
            let errors = form_problems(e, "reviews_per_application")?;
            let panel = panels::panel(&state, me.principal(), RoundId(round), Action::Edit).await?;
            let member = MemberFields::default();
            Ok(render_home(
                &state,
                &me,
                panel,
                member,
                Some(form.reviews_per_application),
                errors,
            )
            .await)
        }
    }
}
