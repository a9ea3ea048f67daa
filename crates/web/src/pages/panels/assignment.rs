//! The assignment of reviewers, for the round's admins: run it, read why it fell short,
//! change pairs by hand (never breaking a conflict) and see the affinity each change lost.

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
use convene_app::panels::assignment::{self, Assigned, Overview, RunOutcome, ShortLine, Submitted};
use convene_domain::{ApplicationId, RoundId, UserId};
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/panels/{round}/assignment", get(show))
        .route("/panels/{round}/assignment/run", post(run))
        .route("/panels/{round}/assignment/change", post(change))
}

#[derive(Template, WebTemplate)]
#[template(path = "panels/assignment.html")]
struct AssignmentPage {
    chrome: Chrome,
    notice: Option<String>,

    overview: Overview,
    short: Vec<ShortLine>,
    change: ChangeForm,
    errors: FormErrors,
}

impl AssignmentPage {
    fn reviewers(&self, a: &Submitted) -> Vec<&Assigned> {
        self.overview
            .pairs
            .iter()
            .filter(|p| p.application_id == a.id())
            .collect()
    }

    fn stood_aside(&self, a: &Submitted) -> String {
        self.overview
            .stood_aside
            .get(&a.id())
            .map(|ids| {
                ids.iter()
                    .map(|id| self.overview.member_name(*id))
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .unwrap_or_default()
    }

    fn reference(&self, id: &ApplicationId) -> String {
        self.overview
            .applications
            .iter()
            .find(|a| a.id() == *id)
            .and_then(|a| a.listed.reference.clone())
            .unwrap_or_default()
    }

    fn name(&self, id: &Option<UserId>) -> &str {
        id.map_or("Former member", |id| self.overview.member_name(id))
    }

    /// What was chosen in one of the change form's member lists.
    fn chosen(&self, field: &str) -> &str {
        if field == "remove" {
            &self.change.remove
        } else {
            &self.change.add
        }
    }

    fn load(&self, id: &UserId) -> u32 {
        self.overview.loads.get(id).copied().unwrap_or(0)
    }
}

#[derive(Deserialize, Default)]
struct ChangeForm {
    #[serde(default)]
    application: String,
    #[serde(default)]
    remove: String,
    #[serde(default)]
    add: String,
}

async fn render(
    state: &AppState,
    me: &CurrentUser,
    round: i64,
    change: ChangeForm,
    errors: FormErrors,
) -> Result<Response, AppError> {
    let overview = assignment::overview(state, me.principal(), RoundId(round)).await?;
    let short = match &overview.run {
        Some(run) if run.outcome == "short" => assignment::shortfalls(run),
        _ => Vec::new(),
    };
    let chrome = frame(
        state,
        me,
        "Assignment of reviewers",
        &errors,
        &format!("/panels/{round}"),
    )
    .await;
    Ok(AssignmentPage {
        chrome,
        notice: take_notice(&me.session).await,
        overview,
        short,
        change,
        errors,
    }
    .into_response())
}

async fn show(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(round): Path<i64>,
) -> Result<Response, AppError> {
    render(&state, &me, round, ChangeForm::default(), FormErrors::default()).await
}

async fn run(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(round): Path<i64>,
) -> Result<Response, AppError> {
    match assignment::run(&state, me.principal(), RoundId(round)).await {
        Ok(RunOutcome::Assigned {
            pairs,
            total_affinity,
        }) => {
            let message = format!(
                "The assignment made {pairs} pairs with a total affinity of {total_affinity}, the most possible."
            );
            notify(&me.session, &message).await;
            Ok(Redirect::to(&format!("/panels/{round}/assignment")).into_response())
        }
        Ok(RunOutcome::Short(_)) => {
            Ok(Redirect::to(&format!("/panels/{round}/assignment#shortfall")).into_response())
        }
        Err(e) => {
            let errors = form_problems(e, "run")?;
            render(&state, &me, round, ChangeForm::default(), errors).await
        }
    }
}

async fn change(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(round): Path<i64>,
    Form(form): Form<ChangeForm>,
) -> Result<Response, AppError> {
    let mut errors = FormErrors::default();
    let id = |text: &str, field: &str, message: &str, errors: &mut FormErrors| match text.parse::<i64>() {
        Ok(id) => Some(id),
        Err(_) => {
            errors.add(field, message);
            None
        }
    };
    let application = id(
        &form.application,
        "application",
        "Choose an application",
        &mut errors,
    );
    let remove = id(
        &form.remove,
        "remove",
        "Choose the member to take off it",
        &mut errors,
    );
    let add = id(&form.add, "add", "Choose the member to put on it", &mut errors);
    let (Some(application), Some(remove), Some(add)) = (application, remove, add) else {
        return render(&state, &me, round, form, errors).await;
    };
    let outcome = assignment::change_pair(
        &state,
        me.principal(),
        ApplicationId(application),
        UserId(remove),
        UserId(add),
    )
    .await;
    match outcome {
        Ok(lost) => {
            notify(
                &me.session,
                &format!("The pair has been changed. It lost {lost} affinity against the optimum's pair."),
            )
            .await;
            Ok(Redirect::to(&format!("/panels/{round}/assignment")).into_response())
        }
        Err(e) => {
            let errors = form_problems(e, "application")?;
            render(&state, &me, round, form, errors).await
        }
    }
}
