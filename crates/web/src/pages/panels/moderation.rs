//! The moderation meeting: the round's applications ranked by weighted mean with their
//! spread and disagreements flagged (the list), and each application's scores, comments and
//! who stood aside, where the chair records the agreed score (its own page).

use super::{form_problems, frame};
use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::pages::{notify, take_notice};
use crate::state::AppState;
use crate::views::{Chrome, FormErrors};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use convene_app::panels::Criterion;
use convene_app::panels::moderation::{self, Detail, Ranking, Record};
use convene_app::panels::ranking::Standing;
use convene_app::panels::reviews::Review;
use convene_domain::ApplicationId;
use convene_domain::RoundId;
use convene_domain::panels::scoring::{show_hundredths, show_tenths};
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/panels/{round}/moderation", get(show))
        .route("/panels/{round}/moderation/{application}", get(show_one))
        .route("/applications/{id}/moderation", post(record))
}

fn mean(s: &Standing) -> String {
    s.summary
        .mean
        .map_or_else(|| "Not scored".into(), show_hundredths)
}

fn spread(s: &Standing) -> String {
    s.summary.spread.map_or_else(String::new, show_hundredths)
}

fn agreed(s: &Standing) -> String {
    s.moderation
        .as_ref()
        .map(|m| show_tenths(m.agreed_tenths))
        .unwrap_or_default()
}

#[derive(Template, WebTemplate)]
#[template(path = "panels/moderation.html")]
struct ModerationPage {
    chrome: Chrome,
    notice: Option<String>,
    ranking: Ranking,
}

async fn show(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(round): Path<i64>,
) -> Result<Response, AppError> {
    let ranking = moderation::ranking(&state, me.principal(), RoundId(round)).await?;
    let chrome = frame(
        &state,
        &me,
        "Moderation",
        &FormErrors::default(),
        &format!("/panels/{round}"),
    )
    .await;
    Ok(ModerationPage {
        chrome,
        notice: take_notice(&me.session).await,
        ranking,
    }
    .into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "panels/moderation_application.html")]
struct ApplicationPage {
    chrome: Chrome,
    notice: Option<String>,
    detail: Detail,
    agreed_score: String,
    note: String,
    /// The version the chair's form carries: what they typed over, or what is saved.
    version: i64,
    errors: FormErrors,
}

impl ApplicationPage {
    fn title(&self, key: &str) -> String {
        self.detail
            .panel
            .rubric
            .criterion(key)
            .map_or_else(|| key.to_string(), |c| c.title.clone())
    }

    fn score(&self, review: &Review, c: &Criterion) -> String {
        review
            .scores
            .iter()
            .find(|s| s.criterion == c.key)
            .and_then(|s| s.score)
            .map_or_else(|| "–".into(), |v| v.to_string())
    }

    fn comments<'a>(&self, review: &'a Review) -> Vec<(String, &'a str)> {
        review
            .scores
            .iter()
            .filter(|s| !s.comment.is_empty())
            .map(|s| (self.title(&s.criterion), s.comment.as_str()))
            .collect()
    }

    /// What someone else saved since the chair's page loaded, to show beside their typing.
    fn saved_since(&self) -> Option<(String, String)> {
        let m = self.detail.standing.moderation.as_ref()?;
        (self.version != m.version).then(|| (show_tenths(m.agreed_tenths), m.note.clone()))
    }
}

/// What the chair typed, shown again beside its errors.
struct Typed {
    agreed_score: String,
    note: String,
    version: i64,
}

async fn render_one(
    state: &AppState,
    me: &CurrentUser,
    detail: Detail,
    typed: Option<Typed>,
    errors: FormErrors,
) -> Result<Response, AppError> {
    let back = format!("/panels/{}/moderation", detail.panel.round.id);
    let title = detail.standing.listed.place_name.clone();
    let chrome = frame(state, me, &title, &errors, &back).await;
    let saved = detail.standing.moderation.as_ref();
    let typed = typed.unwrap_or_else(|| Typed {
        agreed_score: saved.map(|m| show_tenths(m.agreed_tenths)).unwrap_or_default(),
        note: saved.map(|m| m.note.clone()).unwrap_or_default(),
        version: saved.map_or(0, |m| m.version),
    });
    Ok(ApplicationPage {
        chrome,
        notice: take_notice(&me.session).await,
        detail,
        agreed_score: typed.agreed_score,
        note: typed.note,
        version: typed.version,
        errors,
    }
    .into_response())
}

async fn show_one(
    State(state): State<AppState>,
    me: CurrentUser,
    Path((round, application)): Path<(i64, i64)>,
) -> Result<Response, AppError> {
    let detail = moderation::detail(&state, me.principal(), ApplicationId(application)).await?;
    if detail.panel.round.id != RoundId(round) {
        return Err(AppError::NotFound);
    }
    render_one(&state, &me, detail, None, FormErrors::default()).await
}

#[derive(Deserialize)]
struct RecordForm {
    #[serde(default)]
    agreed_score: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    version: i64,
}

async fn record(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<RecordForm>,
) -> Result<Response, AppError> {
    let input = Record {
        agreed_score: form.agreed_score.clone(),
        note: form.note.clone(),
        expected_version: form.version,
    };
    let outcome = moderation::record(&state, me.principal(), ApplicationId(id), &input).await;
    let errors = match outcome {
        Ok(_) => None,
        Err(e) => Some(form_problems(e, "agreed_score")?),
    };
    // Only an allowed record gets here (refusals are error pages), so it may be shown.
    let detail = moderation::detail(&state, me.principal(), ApplicationId(id)).await?;
    let Some(errors) = errors else {
        notify(&me.session, "The panel's agreed score has been recorded.").await;
        let round = detail.panel.round.id.0;
        return Ok(Redirect::to(&format!("/panels/{round}/moderation/{id}")).into_response());
    };
    let typed = Typed {
        agreed_score: form.agreed_score,
        note: form.note,
        version: form.version,
    };
    render_one(&state, &me, detail, Some(typed), errors).await
}
