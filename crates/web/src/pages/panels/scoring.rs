//! Scoring: the applications assigned to a member, and the scoring page of each (a draft
//! until submitted; other reviewers' scores only once the member's own is submitted).

use super::{field, form_problems, frame};
use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::pages::applications::{SummarySection, summary};
use crate::pages::{notify, take_notice};
use crate::state::AppState;
use crate::views::{Chrome, FormErrors};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Form, Router};
use convene_app::panels::reviews::{self, QueueLine, Review, ScoreInput, Scoring};
use convene_app::panels::{Criterion, Panel};
use convene_domain::{ApplicationId, RoundId};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/panels/{round}/reviews", get(queue))
        .route("/applications/{id}/review", get(show).post(save))
}

#[derive(Template, WebTemplate)]
#[template(path = "panels/queue.html")]
struct QueuePage {
    chrome: Chrome,
    panel: Panel,
    lines: Vec<QueueLine>,
}

async fn queue(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(round): Path<i64>,
) -> Result<Response, AppError> {
    let (panel, lines) = reviews::queue(&state, me.principal(), RoundId(round)).await?;
    let chrome = frame(
        &state,
        &me,
        "Applications to score",
        &FormErrors::default(),
        &format!("/panels/{round}"),
    )
    .await;
    Ok(QueuePage { chrome, panel, lines }.into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "panels/review.html")]
struct ReviewPage {
    chrome: Chrome,
    notice: Option<String>,

    scoring: Scoring,
    summary: Vec<SummarySection>,
    /// What is in the form: (criterion key, score, comment).
    typed: Vec<ScoreInput>,
    version: i64,
    errors: FormErrors,
}

impl ReviewPage {
    fn typed_for(&self, c: &Criterion) -> (String, String) {
        self.typed
            .iter()
            .find(|t| t.criterion == c.key)
            .map(|t| (t.score.clone(), t.comment.clone()))
            .unwrap_or_default()
    }

    fn submitted(&self) -> bool {
        self.scoring.mine.as_ref().is_some_and(Review::submitted)
    }

    /// A review's score and comment on a criterion, for showing.
    fn given(&self, review: &Review, c: &Criterion) -> (String, String) {
        review
            .scores
            .iter()
            .find(|s| s.criterion == c.key)
            .map(|s| {
                (
                    s.score
                        .map(|v| v.to_string())
                        .unwrap_or_else(|| "Not scored".into()),
                    s.comment.clone(),
                )
            })
            .unwrap_or_else(|| ("Not scored".into(), String::new()))
    }
}

fn typed_from(review: Option<&Review>) -> Vec<ScoreInput> {
    review
        .map(|r| {
            r.scores
                .iter()
                .map(|s| ScoreInput {
                    criterion: s.criterion.clone(),
                    score: s.score.map(|v| v.to_string()).unwrap_or_default(),
                    comment: s.comment.clone(),
                })
                .collect()
        })
        .unwrap_or_default()
}

async fn render(
    state: &AppState,
    me: &CurrentUser,
    scoring: Scoring,
    typed: Option<Vec<ScoreInput>>,
    errors: FormErrors,
) -> Result<Response, AppError> {
    let summary = summary(state, &scoring.application, false).await?;
    let back = format!("/panels/{}/reviews", scoring.panel.round.id);
    let chrome = frame(state, me, "Score this application", &errors, &back).await;
    Ok(ReviewPage {
        chrome,
        notice: take_notice(&me.session).await,
        typed: typed.unwrap_or_else(|| typed_from(scoring.mine.as_ref())),
        version: scoring.mine.as_ref().map_or(0, |r| r.version),
        summary,
        scoring,
        errors,
    }
    .into_response())
}

async fn show(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let scoring = reviews::open(&state, me.principal(), ApplicationId(id)).await?;
    render(&state, &me, scoring, None, FormErrors::default()).await
}

async fn save(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let scoring = reviews::open(&state, me.principal(), ApplicationId(id)).await?;
    let inputs: Vec<ScoreInput> = scoring
        .rubric
        .criteria
        .iter()
        .map(|c| ScoreInput {
            criterion: c.key.clone(),
            score: field(&pairs, &format!("scores.{}", c.key)),
            comment: field(&pairs, &format!("comment.{}", c.key)),
        })
        .collect();
    let version = field(&pairs, "version").parse().unwrap_or(-1);
    let submit = field(&pairs, "action") == "submit";
    match reviews::save(
        &state,
        me.principal(),
        ApplicationId(id),
        version,
        &inputs,
        submit,
    )
    .await
    {
        Ok(_) => {
            let message = if submit {
                "Your scores have been submitted. You can now see the other reviewers' scores."
            } else {
                "Your draft has been saved."
            };
            notify(&me.session, message).await;
            Ok(Redirect::to(&format!("/applications/{id}/review")).into_response())
        }
        Err(e) => {
            let errors = form_problems(e, "scores")?;
            let scoring = reviews::open(&state, me.principal(), ApplicationId(id)).await?;
            render(&state, &me, scoring, Some(inputs), errors).await
        }
    }
}
