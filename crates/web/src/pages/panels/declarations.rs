//! A member's own declarations: conflicts of interest and bids.

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
use convene_app::panels::assignment::{self, BidLine};
use convene_app::panels::conflicts::{self, Declaration, Mine};
use convene_domain::{ApplicationId, RoundId};
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/panels/{round}/conflicts", get(show_conflicts).post(declare))
        .route("/panels/{round}/bids", get(show_bids).post(save_bids))
}

#[derive(Template, WebTemplate)]
#[template(path = "panels/conflicts.html")]
struct ConflictsPage {
    chrome: Chrome,
    notice: Option<String>,

    mine: Mine,
    with: String,
    reason: String,
    errors: FormErrors,
}

#[derive(Deserialize, Default)]
struct DeclareForm {
    #[serde(default)]
    with: String,
    #[serde(default)]
    reason: String,
}

async fn render_conflicts(
    state: &AppState,
    me: &CurrentUser,
    round: i64,
    form: DeclareForm,
    errors: FormErrors,
) -> Result<Response, AppError> {
    let mine = conflicts::mine(state, me.principal(), RoundId(round)).await?;
    let chrome = frame(
        state,
        me,
        "Conflicts of interest",
        &errors,
        &format!("/panels/{round}"),
    )
    .await;
    Ok(ConflictsPage {
        chrome,
        notice: take_notice(&me.session).await,
        mine,
        with: form.with,
        reason: form.reason,
        errors,
    }
    .into_response())
}

async fn show_conflicts(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(round): Path<i64>,
) -> Result<Response, AppError> {
    render_conflicts(&state, &me, round, DeclareForm::default(), FormErrors::default()).await
}

async fn declare(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(round): Path<i64>,
    Form(form): Form<DeclareForm>,
) -> Result<Response, AppError> {
    let input = Declaration {
        with: form.with.clone(),
        reason: form.reason.clone(),
    };
    match conflicts::declare(&state, me.principal(), RoundId(round), &input).await {
        Ok(_) => {
            notify(&me.session, "Your conflict of interest has been recorded.").await;
            Ok(Redirect::to(&format!("/panels/{round}/conflicts")).into_response())
        }
        Err(e) => {
            let errors = form_problems(e, "with")?;
            render_conflicts(&state, &me, round, form, errors).await
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "panels/bids.html")]
struct BidsPage {
    chrome: Chrome,
    notice: Option<String>,

    round_id: i64,
    round_name: String,
    lines: Vec<BidLine>,
    /// What was typed, by application id, when the page is shown again with errors.
    typed: Vec<(String, String)>,
    errors: FormErrors,
}

impl BidsPage {
    fn chosen(&self, line: &BidLine, value: &u8) -> bool {
        let name = format!("bid-{}", line.application.listed.id);
        match self.typed.iter().find(|(k, _)| *k == name) {
            Some((_, v)) => *v == value.to_string(),
            None => line.bid == *value,
        }
    }
}

async fn render_bids(
    state: &AppState,
    me: &CurrentUser,
    round: i64,
    typed: Vec<(String, String)>,
    errors: FormErrors,
) -> Result<Response, AppError> {
    let (panel, lines) = assignment::biddable(state, me.principal(), RoundId(round)).await?;
    let chrome = frame(state, me, "Bids", &errors, &format!("/panels/{round}")).await;
    Ok(BidsPage {
        chrome,
        notice: take_notice(&me.session).await,
        round_id: round,
        round_name: panel.round.name,
        lines,
        typed,
        errors,
    }
    .into_response())
}

async fn show_bids(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(round): Path<i64>,
) -> Result<Response, AppError> {
    render_bids(&state, &me, round, Vec::new(), FormErrors::default()).await
}

/// Saves every bid that changed; a bid outside 0–3 is named beside its application and
/// the rest of what was typed is kept.
async fn save_bids(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(round): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let (_, lines) = assignment::biddable(&state, me.principal(), RoundId(round)).await?;
    let mut errors = FormErrors::default();
    for line in &lines {
        let name = format!("bid-{}", line.application.listed.id);
        let typed = field(&pairs, &name);
        if typed.is_empty() || typed == line.bid.to_string() {
            continue;
        }
        let id = ApplicationId(line.application.listed.id);
        if let Err(e) = assignment::bid(&state, me.principal(), id, &typed).await {
            for item in form_problems(e, &name)?.items {
                errors.add(&name, item.message);
            }
        }
    }
    if !errors.is_empty() {
        return render_bids(&state, &me, round, pairs, errors).await;
    }
    notify(&me.session, "Your bids have been saved.").await;
    Ok(Redirect::to(&format!("/panels/{round}/bids")).into_response())
}
