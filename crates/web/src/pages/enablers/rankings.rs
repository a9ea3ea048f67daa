//! The two ranking pages: a funded place's leads number the enablers they would accept,
//! and an enabler numbers the places that chose them and marks those they cannot take.
//! Plain numbered choices, so the pages need no script.

use super::{fields_with, ranked};
use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::pages::{form_chrome, form_problems, notify, take_notice};
use crate::state::AppState;
use crate::views::{Chrome, FormErrors};
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use convene_app::enablers::matching;
use convene_app::enablers::rankings::{self, EnablerRanking, PlaceRanking};

/// What each box holds, by the id it is for.
type Typed = Vec<(i64, String)>;

#[derive(Template, WebTemplate)]
#[template(path = "enablers/place_ranking.html")]
struct PlacePage {
    chrome: Chrome,
    notice: Option<String>,
    errors: FormErrors,
    ranking: PlaceRanking,
    typed: Typed,
}

impl PlacePage {
    /// The number in an enabler's box: as typed, or as saved.
    fn value(&self, id: &i64) -> String {
        value_of(&self.typed, *id)
    }

    fn field(&self, id: &i64) -> String {
        format!("rank_{id}")
    }
}

fn value_of(typed: &Typed, id: i64) -> String {
    typed
        .iter()
        .find(|(x, _)| *x == id)
        .map(|(_, v)| v.clone())
        .unwrap_or_default()
}

async fn render_place(
    state: &AppState,
    me: &CurrentUser,
    award: i64,
    typed: Option<Typed>,
    errors: FormErrors,
) -> Result<Response, AppError> {
    let ranking = rankings::place_ranking(state, me.principal(), award).await?;
    let saved = (1..)
        .zip(&ranking.chosen)
        .map(|(rank, id): (u32, &i64)| (*id, rank.to_string()))
        .collect();
    let title = format!("Choose enablers for {}", ranking.place_name);
    let chrome = form_chrome(state, me, &title, "/dashboard", &errors)
        .await
        .with_back("/dashboard".to_string());
    Ok(PlacePage {
        chrome,
        notice: take_notice(&me.session).await,
        errors,
        typed: typed.unwrap_or(saved),
        ranking,
    }
    .into_response())
}

pub(super) async fn place_page(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(award): Path<i64>,
) -> Result<Response, AppError> {
    render_place(&state, &me, award, None, FormErrors::default()).await
}

pub(super) async fn save_place(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(award): Path<i64>,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let typed = fields_with("rank_", &form);
    let order = match ranked(&typed, |id| format!("rank_{id}")) {
        Ok(order) => order,
        Err((field, message)) => {
            let mut errors = FormErrors::default();
            errors.add(&field, message);
            return render_place(&state, &me, award, Some(typed), errors).await;
        }
    };
    match matching::set_place_choices(&state, me.principal(), award, &order).await {
        Ok(()) => {
            let message = format!("Your {} choices are saved", order.len());
            notify(&me.session, &message).await;
            Ok(Redirect::to(&format!("/awards/{award}/enablers")).into_response())
        }
        Err(e) => {
            let mut errors = form_problems(e, "enablers")?;
            // The list as a whole is the problem: point at its first box.
            if let (Some(message), Some((first, _))) = (errors.for_field("enablers"), typed.first()) {
                let message = message.to_string();
                errors = FormErrors::default();
                errors.add(&format!("rank_{first}"), message);
            }
            render_place(&state, &me, award, Some(typed), errors).await
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "enablers/enabler_ranking.html")]
struct EnablerPage {
    chrome: Chrome,
    notice: Option<String>,
    errors: FormErrors,
    id: i64,
    ranking: EnablerRanking,
    typed: Typed,
}

impl EnablerPage {
    fn value(&self, award: &i64) -> String {
        value_of(&self.typed, *award)
    }

    fn field(&self, award: &i64) -> String {
        format!("choice_{award}")
    }
}

async fn render_enabler(
    state: &AppState,
    me: &CurrentUser,
    id: i64,
    typed: Option<Typed>,
    errors: FormErrors,
) -> Result<Response, AppError> {
    let ranking = rankings::enabler_ranking(state, me.principal(), id).await?;
    let saved = ranking
        .places
        .iter()
        .map(|l| {
            let value = match (l.cannot_take, l.rank) {
                (true, _) => "cannot".to_string(),
                (false, Some(rank)) => rank.to_string(),
                (false, None) => String::new(),
            };
            (l.award_id, value)
        })
        .collect();
    let chrome = form_chrome(state, me, "Rank the places that chose you", "/dashboard", &errors)
        .await
        .with_back("/dashboard".to_string());
    Ok(EnablerPage {
        chrome,
        notice: take_notice(&me.session).await,
        errors,
        id,
        typed: typed.unwrap_or(saved),
        ranking,
    }
    .into_response())
}

pub(super) async fn enabler_page(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    render_enabler(&state, &me, id, None, FormErrors::default()).await
}

pub(super) async fn save_enabler(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let typed = fields_with("choice_", &form);
    let cannot: Vec<i64> = typed
        .iter()
        .filter(|(_, v)| v == "cannot")
        .map(|(award, _)| *award)
        .collect();
    let order = match ranked(&typed, |award| format!("choice_{award}")) {
        Ok(order) => order,
        Err((field, message)) => {
            let mut errors = FormErrors::default();
            errors.add(&field, message);
            return render_enabler(&state, &me, id, Some(typed), errors).await;
        }
    };
    match matching::set_enabler_choices(&state, me.principal(), id, &order, &cannot).await {
        Ok(()) => {
            notify(&me.session, "Your ranking is saved").await;
            Ok(Redirect::to(&format!("/enablers/{id}/places")).into_response())
        }
        Err(e) => {
            let errors = form_problems(e, "places")?;
            render_enabler(&state, &me, id, Some(typed), errors).await
        }
    }
}
