//! The round's rubric, for its admins: criteria, weights that add up to 100, and what each
//! point of the 1–5 scale means.

use super::{field, form_problems, frame};
use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::pages::{notify, take_notice};
use crate::state::AppState;
use crate::views::{Chrome, FormErrors};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Form, Router};
use convene_app::panels::{self, Criterion, Panel, Rubric};
use convene_domain::RoundId;
use convene_domain::policy::Action;

pub fn router() -> Router<AppState> {
    Router::new().route("/panels/{round}/rubric", get(show).post(save))
}

/// A criterion as typed: the weight as text, so a wrong one is shown back as typed.
#[derive(Debug, Clone, Default)]
struct Row {
    key: String,
    title: String,
    weight: String,
    descriptors: [String; 5],
}

#[derive(Template, WebTemplate)]
#[template(path = "panels/rubric.html")]
struct RubricPage {
    chrome: Chrome,
    notice: Option<String>,

    panel: Panel,
    rows: Vec<Row>,
    errors: FormErrors,
}

impl RubricPage {
    fn error(&self, i: &usize, part: &str) -> Option<&str> {
        self.errors.for_field(&format!("criteria.{i}.{part}"))
    }
}

fn rows_of(rubric: &Rubric) -> Vec<Row> {
    let mut rows: Vec<Row> = rubric
        .criteria
        .iter()
        .map(|c| Row {
            key: c.key.clone(),
            title: c.title.clone(),
            weight: c.weight.to_string(),
            descriptors: c.descriptors.clone(),
        })
        .collect();
    rows.push(Row::default());
    rows
}

async fn render(
    state: &AppState,
    me: &CurrentUser,
    panel: Panel,
    rows: Vec<Row>,
    errors: FormErrors,
) -> Response {
    let back = format!("/panels/{}", panel.round.id);
    let chrome = frame(state, me, "Rubric", &errors, &back).await;
    RubricPage {
        chrome,
        notice: take_notice(&me.session).await,
        panel,
        rows,
        errors,
    }
    .into_response()
}

async fn show(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(round): Path<i64>,
) -> Result<Response, AppError> {
    let panel = panels::panel(&state, me.principal(), RoundId(round), Action::Edit).await?;
    // A round without a rubric starts from the Local Vision call's five questions.
    let start = if panel.rubric.criteria.is_empty() {
        Rubric::local_vision()
    } else {
        panel.rubric.clone()
    };
    let rows = rows_of(&start);
    Ok(render(&state, &me, panel, rows, FormErrors::default()).await)
}

/// A key for a new criterion, from its title.
fn key_from(title: &str) -> String {
    let key: String = title
        .to_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    key.split('_')
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("_")
}

async fn save(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(round): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let mut rows = Vec::new();
    for i in 0..50 {
        let get = |part: &str| field(&pairs, &format!("criteria.{i}.{part}")).trim().to_string();
        let row = Row {
            key: get("key"),
            title: get("title"),
            weight: get("weight"),
            descriptors: [get("d1"), get("d2"), get("d3"), get("d4"), get("d5")],
        };
        let blank =
            row.title.is_empty() && row.weight.is_empty() && row.descriptors.iter().all(String::is_empty);
        if !blank {
            rows.push(row);
        }
    }
    let mut errors = FormErrors::default();
    let criteria = rows
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let weight = r.weight.parse::<u32>().unwrap_or_else(|_| {
                errors.add(
                    &format!("criteria.{i}.weight"),
                    "Enter the weight as a whole number, like 25",
                );
                0
            });
            Criterion {
                key: if r.key.is_empty() {
                    key_from(&r.title)
                } else {
                    r.key.clone()
                },
                title: r.title.clone(),
                weight,
                descriptors: r.descriptors.clone(),
            }
        })
        .collect();
    let rubric = Rubric { criteria };
    let outcome = if errors.is_empty() {
        panels::set_rubric(&state, me.principal(), RoundId(round), &rubric).await
    } else {
        Ok(())
    };
    match outcome {
        Ok(()) if errors.is_empty() => {
            notify(&me.session, "The rubric has been saved.").await;
            Ok(Redirect::to(&format!("/panels/{round}")).into_response())
        }
        other => {
            if let Err(e) = other {
                errors = form_problems(e, "criteria")?;
            }
            let panel = panels::panel(&state, me.principal(), RoundId(round), Action::Edit).await?;
            rows.push(Row::default());
            Ok(render(&state, &me, panel, rows, errors).await)
        }
    }
}
