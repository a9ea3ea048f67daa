//! The moderation meeting: the round's applications ranked by weighted mean, spread and
//! disagreements flagged, every comment, who stood aside; the chair records agreed scores.

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
use convene_app::panels::moderation::{self, Line, Meeting, Record};
use convene_app::panels::reviews;
use convene_domain::panels::scoring::{show_hundredths, show_tenths};
use convene_domain::{ApplicationId, RoundId};
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/panels/{round}/moderation", get(show))
        .route("/applications/{id}/moderation", post(record))
}

/// What the chair typed for one application, shown again beside its errors.
struct Typed {
    application_id: i64,
    agreed_score: String,
    note: String,
    version: i64,
}

#[derive(Template, WebTemplate)]
#[template(path = "panels/moderation.html")]
struct ModerationPage {
    chrome: Chrome,
    notice: Option<String>,

    meeting: Meeting,
    typed: Option<Typed>,
    errors: FormErrors,
}

impl ModerationPage {
    fn mean(&self, l: &Line) -> String {
        l.summary
            .mean
            .map_or_else(|| "Not scored".into(), show_hundredths)
    }

    fn spread(&self, l: &Line) -> String {
        l.summary.spread.map_or_else(String::new, show_hundredths)
    }

    fn title(&self, key: &str) -> String {
        self.meeting
            .panel
            .rubric
            .criterion(key)
            .map_or_else(|| key.to_string(), |c| c.title.clone())
    }

    fn score(&self, review: &convene_app::panels::reviews::Review, c: &Criterion) -> String {
        review
            .scores
            .iter()
            .find(|s| s.criterion == c.key)
            .and_then(|s| s.score)
            .map_or_else(|| "–".into(), |v| v.to_string())
    }

    fn comments<'a>(&self, review: &'a convene_app::panels::reviews::Review) -> Vec<(String, &'a str)> {
        review
            .scores
            .iter()
            .filter(|s| !s.comment.is_empty())
            .map(|s| (self.title(&s.criterion), s.comment.as_str()))
            .collect()
    }

    fn agreed(&self, l: &Line) -> String {
        match &self.typed {
            Some(t) if t.application_id == l.listed.id => t.agreed_score.clone(),
            _ => l
                .moderation
                .as_ref()
                .map(|m| show_tenths(m.agreed_tenths))
                .unwrap_or_default(),
        }
    }

    fn note(&self, l: &Line) -> String {
        match &self.typed {
            Some(t) if t.application_id == l.listed.id => t.note.clone(),
            _ => l.moderation.as_ref().map(|m| m.note.clone()).unwrap_or_default(),
        }
    }

    /// The version the form carries: what the chair typed over, or what is saved.
    fn version(&self, l: &Line) -> i64 {
        match &self.typed {
            Some(t) if t.application_id == l.listed.id => t.version,
            _ => l.moderation.as_ref().map_or(0, |m| m.version),
        }
    }

    /// What someone else saved since the chair's page loaded, to show beside their typing.
    fn saved_since(&self, l: &Line) -> Option<(String, String)> {
        let m = l.moderation.as_ref()?;
        (self.version(l) != m.version).then(|| (show_tenths(m.agreed_tenths), m.note.clone()))
    }

    fn error(&self, l: &Line, field: &str) -> Option<&str> {
        match &self.typed {
            Some(t) if t.application_id == l.listed.id => {
                self.errors.for_field(&format!("{field}-{}", l.listed.id))
            }
            _ => None,
        }
    }
}

async fn render(
    state: &AppState,
    me: &CurrentUser,
    round: i64,
    typed: Option<Typed>,
    errors: FormErrors,
) -> Result<Response, AppError> {
    let meeting = moderation::meeting(state, me.principal(), RoundId(round)).await?;
    let chrome = frame(state, me, "Moderation", &errors, &format!("/panels/{round}")).await;
    Ok(ModerationPage {
        chrome,
        notice: take_notice(&me.session).await,
        meeting,
        typed,
        errors,
    }
    .into_response())
}

async fn show(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(round): Path<i64>,
) -> Result<Response, AppError> {
    render(&state, &me, round, None, FormErrors::default()).await
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
    // Only an allowed record reaches here (refusals are error pages), so its round may be named.
    let round = || async {
        reviews::application_round(&state, ApplicationId(id))
            .await
            .map(|(r, _)| r.0)
    };
    match outcome {
        Ok(_) => {
            notify(&me.session, "The panel's agreed score has been recorded.").await;
            let round = round().await?;
            Ok(Redirect::to(&format!("/panels/{round}/moderation#application-{id}")).into_response())
        }
        Err(e) => {
            let mut errors = FormErrors::default();
            for item in form_problems(e, "agreed_score")?.items {
                errors.add(&format!("{}-{id}", item.field), item.message);
            }
            let typed = Typed {
                application_id: id,
                agreed_score: form.agreed_score,
                note: form.note,
                version: form.version,
            };
            render(&state, &me, round().await?, Some(typed), errors).await
        }
    }
}
