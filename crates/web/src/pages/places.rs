//! A place's own page: who leads it, its board chair, the programmes it is in.

use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::pages::{chrome, notify, take_notice};
use crate::state::AppState;
use crate::views::{Chrome, FormErrors};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use convene_app::places::{self, ChairProblem, ChairProposal, Standing};
use convene_domain::policy::Action;
use convene_domain::programmes::Place;
use serde::Deserialize;

/// Place routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/places/{id}", get(show))
        .route("/places/{id}/chair", post(edit_chair))
        .route("/places/{id}/chair/proposals", post(propose_chair))
        .route("/places/{id}/chair/proposals/{proposal}", post(decide_proposal))
}

#[derive(Template, WebTemplate)]
#[template(path = "programmes/place.html")]
struct PlacePage {
    chrome: Chrome,
    notice: Option<String>,
    errors: FormErrors,
    place: Place,
    kind: &'static str,
    programmes: Vec<ProgrammeLine>,
    /// May change the board chair's contact (admins of every programme the place is in).
    can_edit: bool,
    /// Runs some of the place's programmes but not all, so cannot change the chair alone.
    shared_chair: bool,
    chair_name: String,
    chair_email: String,
    proposals: Vec<ChairProposal>,
}

/// A programme the place takes part in, with where it stands there.
struct ProgrammeLine {
    name: String,
    status: Option<String>,
    issue: Option<String>,
}

/// Loads a place and checks `action` on it for `me`.
async fn load_allowed(
    state: &AppState,
    me: &CurrentUser,
    id: i64,
    action: Action,
) -> Result<Place, AppError> {
    Ok(places::load(state, me.principal(), id, action).await?)
}

async fn render(
    state: &AppState,
    me: &CurrentUser,
    place: Place,
    errors: FormErrors,
    typed: Option<(String, String)>,
) -> Result<Response, AppError> {
    let Standing {
        place,
        programmes,
        proposals,
        can_change_chair: can_edit,
        shared_chair,
    } = places::standing(state, me.principal(), place).await?;
    let programmes = programmes
        .into_iter()
        .map(|p| {
            let standing = place.in_programme(p.id);
            ProgrammeLine {
                name: p.name,
                status: standing
                    .and_then(|m| m.status.as_deref())
                    .map(crate::views::sentence_case),
                issue: standing.and_then(|m| m.breakthrough_issue.clone()),
            }
        })
        .collect();
    let (chair_name, chair_email) = typed.unwrap_or_else(|| {
        (
            place.hwb_chair_name.clone().unwrap_or_default(),
            place.hwb_chair_email.clone().unwrap_or_default(),
        )
    });
    let notice = take_notice(&me.session).await;
    let mut chrome = chrome(state, Some(&me.person), &me.session, &place.name, "/places").await;
    chrome.has_errors = !errors.is_empty();
    Ok(PlacePage {
        chrome: chrome.with_back("/dashboard"),
        notice,
        errors,
        kind: place.kind.label(),
        place,
        programmes,
        can_edit,
        shared_chair,
        chair_name,
        chair_email,
        proposals,
    }
    .into_response())
}

async fn show(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let place = load_allowed(&state, &me, id, Action::View).await?;
    render(&state, &me, place, FormErrors::default(), None).await
}

#[derive(Deserialize)]
struct ChairForm {
    #[serde(default)]
    chair_name: String,
    #[serde(default)]
    chair_email: String,
}

async fn edit_chair(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<ChairForm>,
) -> Result<Response, AppError> {
    let place = load_allowed(&state, &me, id, Action::View).await?;
    let changed = places::change_chair(
        &state,
        me.principal(),
        &place,
        &form.chair_name,
        &form.chair_email,
        places::Via::Page,
    )
    .await?;
    if let Err(problems) = changed {
        let typed = Some((form.chair_name, form.chair_email));
        return render(&state, &me, place, chair_errors(problems), typed).await;
    }
    notify(&me.session, "The board chair's contact has been saved.").await;
    Ok(Redirect::to(&format!("/places/{id}")).into_response())
}

/// A chair contact's problems, beside the fields of the page's form.
fn chair_errors(problems: Vec<ChairProblem>) -> FormErrors {
    let mut errors = FormErrors::default();
    for problem in problems {
        match problem {
            ChairProblem::NameMissing => errors.add(
                "chair_name",
                "Enter the name of the Health and Wellbeing Board chair",
            ),
            ChairProblem::Email(message) => errors.add("chair_email", message),
        }
    }
    errors
}

/// A place lead proposes a new board chair contact; a programme admin decides.
async fn propose_chair(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<ChairForm>,
) -> Result<Response, AppError> {
    let place = load_allowed(&state, &me, id, Action::View).await?;
    let proposed = places::propose_chair(
        &state,
        me.principal(),
        &place,
        &form.chair_name,
        &form.chair_email,
    )
    .await?;
    if let Err(problems) = proposed {
        let typed = Some((form.chair_name, form.chair_email));
        return render(&state, &me, place, chair_errors(problems), typed).await;
    }
    notify(
        &me.session,
        "Your proposed change has been sent to the programme team. Sign-off requests go to the current contact until they approve it.",
    )
    .await;
    Ok(Redirect::to(&format!("/places/{id}")).into_response())
}

#[derive(Deserialize)]
struct DecisionForm {
    #[serde(default)]
    decision: String,
}

/// A programme admin approves or rejects a proposed chair contact.
async fn decide_proposal(
    State(state): State<AppState>,
    me: CurrentUser,
    Path((id, proposal)): Path<(i64, i64)>,
    Form(form): Form<DecisionForm>,
) -> Result<Response, AppError> {
    let place = load_allowed(&state, &me, id, Action::View).await?;
    let approve = form.decision == "approve";
    let decided = places::decide_chair_proposal(&state, me.principal(), &place, proposal, approve).await?;
    let message = match (decided, approve) {
        (false, _) => "That proposal has already been decided.",
        (true, true) => "The proposed contact is now the board chair's contact.",
        (true, false) => "The proposal has been rejected.",
    };
    notify(&me.session, message).await;
    Ok(Redirect::to(&format!("/places/{id}")).into_response())
}
