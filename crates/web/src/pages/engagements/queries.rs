//! Answering and settling a query from the engagement's page: the enabler answers, an
//! admin settles. A problem is shown beside that query's own field (its id carries the
//! query's), with the rest of the page as it was.

use super::{ContactForm, TypedQuery, form_errors, render_with};
use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::pages::notify;
use crate::state::AppState;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use convene_app::enablers::{PanelError, queries};
use serde::Deserialize;

#[derive(Deserialize, Default)]
pub(super) struct AnswerForm {
    #[serde(default)]
    answer: String,
}

#[derive(Deserialize, Default)]
pub(super) struct SettleForm {
    #[serde(default)]
    outcome: String,
    #[serde(default)]
    note: String,
}

/// The page again with the use case's problems beside this query's fields.
async fn again(
    state: &AppState,
    me: &CurrentUser,
    (id, typed): (i64, TypedQuery),
    problems: Vec<convene_app::enablers::Problem>,
) -> Result<Response, AppError> {
    let query = typed.query;
    let problems = problems
        .into_iter()
        .map(|mut p| {
            p.field = format!("{}-{query}", p.field);
            p
        })
        .collect();
    let forms = (ContactForm::default(), Default::default(), typed);
    render_with(state, me, id, forms, form_errors(problems)).await
}

pub(super) async fn answer(
    State(state): State<AppState>,
    me: CurrentUser,
    Path((id, query)): Path<(i64, i64)>,
    Form(form): Form<AnswerForm>,
) -> Result<Response, AppError> {
    queries::of_engagement(&state, me.principal(), id, query).await?;
    match queries::answer(&state, me.principal(), query, &form.answer).await {
        Ok(()) => {
            notify(&me.session, "Your answer was sent to the place").await;
            Ok(Redirect::to(&format!("/engagements/{id}")).into_response())
        }
        Err(PanelError::Invalid(problems)) => {
            let typed = TypedQuery {
                query,
                answer: Some(form.answer),
                ..TypedQuery::default()
            };
            again(&state, &me, (id, typed), problems).await
        }
        Err(e) => Err(e.into()),
    }
}

pub(super) async fn settle(
    State(state): State<AppState>,
    me: CurrentUser,
    Path((id, query)): Path<(i64, i64)>,
    Form(form): Form<SettleForm>,
) -> Result<Response, AppError> {
    queries::of_engagement(&state, me.principal(), id, query).await?;
    match queries::settle(&state, me.principal(), query, &form.outcome, &form.note).await {
        Ok(()) => {
            notify(&me.session, "The query is settled").await;
            Ok(Redirect::to(&format!("/engagements/{id}")).into_response())
        }
        Err(PanelError::Invalid(problems)) => {
            let typed = TypedQuery {
                query,
                answer: None,
                note: form.note,
                outcome: form.outcome,
            };
            again(&state, &me, (id, typed), problems).await
        }
        Err(e) => Err(e.into()),
    }
}
