//! The selection helper: the fund and places the round has, its balance rules (set by the
//! chair or an admin), the latest proposal with why it stops where it does, and each
//! application's award value (changed by admins). The panel decides; the helper advises.

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
use axum::routing::{get, post};
use axum::{Form, Router};
use convene_app::awards::selection::{self, Helper, Line, OutsideLine, Proposal, RulesInput};
use convene_domain::imports::REGIONS;
use convene_domain::selection::Rule;
use convene_domain::{ApplicationId, Pence, RoundId};
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/panels/{round}/selection", get(show))
        .route("/panels/{round}/selection/run", post(run))
        .route("/panels/{round}/selection/rules", post(set_rules))
        .route(
            "/panels/{round}/selection/values/{application}",
            get(value_form).post(save_value),
        )
}

/// A moderated score as people read it, or that there is none yet.
fn score(line: &Line) -> String {
    line.score.map_or_else(|| "Not scored".into(), selection::points)
}

/// A total score in hundredths as people read it.
fn points(hundredths: &i64) -> String {
    selection::points(*hundredths)
}

/// Pounds as typed in a form: "12,500" for £12,500.
fn typed_pounds(value: Pence) -> String {
    value.to_string().replacen('£', "", 1)
}

#[derive(Template, WebTemplate)]
#[template(path = "panels/selection.html")]
struct SelectionPage {
    chrome: Chrome,
    notice: Option<String>,

    helper: Helper,
    regions: &'static [&'static str],
    rules: RulesTyped,
    errors: FormErrors,
}

/// The balance rules as in the form: the most per region (typed, in `REGIONS` order) and
/// the themes ticked.
struct RulesTyped {
    at_most: Vec<String>,
    themes: Vec<String>,
}

impl RulesTyped {
    fn saved(rules: &[Rule]) -> RulesTyped {
        let at_most = REGIONS
            .iter()
            .map(|r| {
                rules
                    .iter()
                    .find_map(|rule| match rule {
                        Rule::AtMostInRegion { region, most } if region == r => Some(most.to_string()),
                        _ => None,
                    })
                    .unwrap_or_default()
            })
            .collect();
        let themes = rules
            .iter()
            .filter_map(|rule| match rule {
                Rule::AtLeastInTheme { theme, .. } => Some(theme.clone()),
                Rule::AtMostInRegion { .. } => None,
            })
            .collect();
        RulesTyped { at_most, themes }
    }

    fn typed(pairs: &[(String, String)]) -> RulesTyped {
        RulesTyped {
            at_most: (1..=REGIONS.len())
                .map(|i| field(pairs, &format!("most-{i}")))
                .collect(),
            themes: pairs
                .iter()
                .filter(|(k, _)| k == "at_least_one")
                .map(|(_, v)| v.clone())
                .collect(),
        }
    }
}

impl SelectionPage {
    fn most(&self, index: &usize) -> &str {
        self.rules
            .at_most
            .get(index.saturating_sub(1))
            .map_or("", String::as_str)
    }

    fn theme_checked(&self, theme: &str) -> bool {
        self.rules.themes.iter().any(|t| t == theme)
    }

    /// The saved rules in words, for those who may not change them.
    fn rules_in_words(&self) -> Vec<String> {
        self.helper
            .rules
            .iter()
            .map(|rule| match rule {
                Rule::AtMostInRegion { region, most } => format!("At most {most} in {region}"),
                Rule::AtLeastInTheme { theme, least } => format!("At least {least} in {theme}"),
            })
            .collect()
    }

    fn proposal(&self) -> Option<&Proposal> {
        self.helper.latest.as_ref().map(|(_, p)| p)
    }

    /// The proposed applications the asker may see, highest score first.
    fn chosen(&self) -> Vec<&Line> {
        self.proposal()
            .map(|p| p.chosen.iter().filter_map(|id| self.helper.line(*id)).collect())
            .unwrap_or_default()
    }

    fn outside(&self) -> Vec<(&Line, &OutsideLine)> {
        self.proposal()
            .map(|p| {
                p.outside
                    .iter()
                    .filter_map(|o| self.helper.line(o.application_id).map(|l| (l, o)))
                    .collect()
            })
            .unwrap_or_default()
    }

    fn scored(&self) -> usize {
        self.helper.lines.iter().filter(|l| l.score.is_some()).count()
    }
}

async fn render(
    state: &AppState,
    me: &CurrentUser,
    round: i64,
    typed: Option<RulesTyped>,
    errors: FormErrors,
) -> Result<Response, AppError> {
    let helper = selection::helper(state, me.principal(), RoundId(round)).await?;
    let chrome = frame(
        state,
        me,
        "Selection within budget",
        &errors,
        &format!("/panels/{round}"),
    )
    .await;
    Ok(SelectionPage {
        chrome,
        notice: take_notice(&me.session).await,
        rules: typed.unwrap_or_else(|| RulesTyped::saved(&helper.rules)),
        regions: &REGIONS,
        helper,
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

async fn run(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(round): Path<i64>,
) -> Result<Response, AppError> {
    match selection::run(&state, me.principal(), RoundId(round)).await {
        Ok(proposal) => {
            let message = match proposal.problem {
                Some(_) => "The helper could not propose a selection: the page says why.".to_string(),
                None => format!(
                    "The helper proposed {} {} for {} of the {} available. The panel decides.",
                    proposal.chosen.len(),
                    if proposal.chosen.len() == 1 {
                        "application"
                    } else {
                        "applications"
                    },
                    proposal.spent,
                    proposal.budget,
                ),
            };
            notify(&me.session, &message).await;
            Ok(Redirect::to(&format!("/panels/{round}/selection#proposal")).into_response())
        }
        Err(e) => {
            let errors = form_problems(e, "run")?;
            render(&state, &me, round, None, errors).await
        }
    }
}

async fn set_rules(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(round): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let typed = RulesTyped::typed(&pairs);
    let input = RulesInput {
        at_most: REGIONS
            .iter()
            .zip(&typed.at_most)
            .map(|(r, most)| (r.to_string(), most.clone()))
            .collect(),
        at_least_one: typed.themes.clone(),
    };
    match selection::set_rules(&state, me.principal(), RoundId(round), &input).await {
        Ok(rules) => {
            let message = match rules.len() {
                0 => "The round has no balance rules now.".to_string(),
                1 => "The balance rule has been saved. Propose a selection again to apply it.".to_string(),
                n => {
                    format!("The {n} balance rules have been saved. Propose a selection again to apply them.")
                }
            };
            notify(&me.session, &message).await;
            Ok(Redirect::to(&format!("/panels/{round}/selection")).into_response())
        }
        Err(e) => {
            let errors = form_problems(e, "rules")?;
            render(&state, &me, round, Some(typed), errors).await
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "panels/selection_value.html")]
struct ValuePage {
    chrome: Chrome,
    notice: Option<String>,

    helper: Helper,
    line: Line,
    value: String,
    errors: FormErrors,
}

/// The application's line in the round's helper, for an admin: 404 when it is not one of
/// the round's submitted applications, 403 for anyone else who may read the helper.
async fn value_line(
    state: &AppState,
    me: &CurrentUser,
    round: i64,
    application: i64,
) -> Result<(Helper, Line), AppError> {
    let helper = selection::helper(state, me.principal(), RoundId(round)).await?;
    let line = helper.line(application).cloned().ok_or(AppError::NotFound)?;
    if !helper.panel.admin {
        return Err(AppError::Forbidden);
    }
    Ok((helper, line))
}

async fn render_value(
    state: &AppState,
    me: &CurrentUser,
    (helper, line): (Helper, Line),
    typed: Option<String>,
    errors: FormErrors,
) -> Response {
    let back = format!("/panels/{}/selection", helper.panel.round.id);
    let chrome = frame(state, me, "Award value", &errors, &back).await;
    let value = typed.unwrap_or_else(|| {
        if line.value_set {
            typed_pounds(line.value)
        } else {
            String::new()
        }
    });
    ValuePage {
        chrome,
        notice: take_notice(&me.session).await,
        helper,
        line,
        value,
        errors,
    }
    .into_response()
}

async fn value_form(
    State(state): State<AppState>,
    me: CurrentUser,
    Path((round, application)): Path<(i64, i64)>,
) -> Result<Response, AppError> {
    let found = value_line(&state, &me, round, application).await?;
    Ok(render_value(&state, &me, found, None, FormErrors::default()).await)
}

#[derive(Deserialize)]
struct ValueForm {
    #[serde(default)]
    value: String,
}

async fn save_value(
    State(state): State<AppState>,
    me: CurrentUser,
    Path((round, application)): Path<(i64, i64)>,
    Form(form): Form<ValueForm>,
) -> Result<Response, AppError> {
    let (_, line) = value_line(&state, &me, round, application).await?;
    match selection::set_value(&state, me.principal(), ApplicationId(application), &form.value).await {
        Ok(value) => {
            let value = value.map_or_else(|| "the round's value per place".to_string(), |v| v.to_string());
            let message = format!(
                "The award value of {} {} is now {value}.",
                line.reference, line.place
            );
            notify(&me.session, &message).await;
            Ok(Redirect::to(&format!("/panels/{round}/selection")).into_response())
        }
        Err(e) => {
            let errors = form_problems(e, "value")?;
            let found = value_line(&state, &me, round, application).await?;
            Ok(render_value(&state, &me, found, Some(form.value), errors).await)
        }
    }
}
