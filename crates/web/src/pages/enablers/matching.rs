//! The admin's matching page: run the stable matching, read each pair with both sides'
//! ranks and why any place is left unmatched, change a pair by hand (warned of each
//! pair that would then rather have each other), and confirm, which starts the
//! engagements and emails both sides.

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
use convene_app::enablers::matching::{self, Pair, Unmatched};
use convene_app::enablers::rankings::{self, MatchingOverview};
use convene_domain::time::parse_date_input;
use serde::Deserialize;

#[derive(Template, WebTemplate)]
#[template(path = "enablers/matching.html")]
struct MatchingPage {
    chrome: Chrome,
    notice: Option<String>,
    errors: FormErrors,
    overview: MatchingOverview,
    change: ChangeForm,
    confirm: ConfirmForm,
}

impl MatchingPage {
    fn pairs(&self) -> &[Pair] {
        self.overview
            .latest
            .as_ref()
            .map_or(&[], |(_, p)| p.pairs.as_slice())
    }

    fn unmatched(&self) -> &[Unmatched] {
        self.overview
            .latest
            .as_ref()
            .map_or(&[], |(_, p)| p.unmatched.as_slice())
    }

    /// Why a place is unmatched, in words.
    fn reasons(&self, u: &Unmatched) -> String {
        if u.refused_by.is_empty() {
            return "Left unmatched by hand".into();
        }
        u.refused_by
            .iter()
            .map(|(e, why)| {
                let name = self.overview.enabler_name(*e);
                if why == "conflict" {
                    format!("{name} cannot take it")
                } else {
                    format!("{name} is full with places they prefer")
                }
            })
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn place(&self, award: &i64) -> &str {
        self.overview.place_name(*award)
    }

    fn enabler(&self, enabler: &i64) -> &str {
        self.overview.enabler_name(*enabler)
    }

    fn rank(rank: &Option<usize>) -> String {
        rank.map_or("Not ranked".into(), |r| r.to_string())
    }

    fn run_id(&self) -> i64 {
        self.overview.latest.as_ref().map_or(0, |(r, _)| r.id)
    }

    fn version(&self) -> i64 {
        self.overview.latest.as_ref().map_or(0, |(r, _)| r.version)
    }

    fn confirmed(&self) -> bool {
        self.overview
            .latest
            .as_ref()
            .is_some_and(|(r, _)| r.confirmed_at.is_some())
    }

    fn ranked_places(&self) -> usize {
        self.overview.places.iter().filter(|(_, _, n)| *n > 0).count()
    }

    /// `n` with the words for one or for several ("1 has", "3 have").
    fn count(&self, n: impl std::borrow::Borrow<usize>, one: &str, several: &str) -> String {
        let n = *n.borrow();
        format!("{n} {}", if n == 1 { one } else { several })
    }

    fn capacity(&self) -> usize {
        self.overview
            .enablers
            .iter()
            .map(|(_, _, c)| usize::try_from(*c).unwrap_or(0))
            .sum()
    }
}

#[derive(Deserialize, Default)]
pub(super) struct ChangeForm {
    #[serde(default)]
    award: String,
    #[serde(default)]
    enabler: String,
    #[serde(default)]
    run: i64,
    #[serde(default)]
    version: i64,
}

#[derive(Deserialize, Default)]
pub(super) struct ConfirmForm {
    #[serde(default)]
    starts_day: String,
    #[serde(default)]
    starts_month: String,
    #[serde(default)]
    starts_year: String,
    #[serde(default)]
    run: i64,
    #[serde(default)]
    version: i64,
}

async fn render(
    state: &AppState,
    me: &CurrentUser,
    slug: &str,
    (change, confirm): (ChangeForm, ConfirmForm),
    errors: FormErrors,
) -> Result<Response, AppError> {
    let overview = rankings::overview(state, me.principal(), slug).await?;
    let chrome = form_chrome(state, me, "Matching places with enablers", "/dashboard", &errors)
        .await
        .with_back(format!("/programmes/{slug}"));
    Ok(MatchingPage {
        chrome,
        notice: take_notice(&me.session).await,
        errors,
        overview,
        change,
        confirm,
    }
    .into_response())
}

fn forms() -> (ChangeForm, ConfirmForm) {
    (ChangeForm::default(), ConfirmForm::default())
}

pub(super) async fn show(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    render(&state, &me, &slug, forms(), FormErrors::default()).await
}

pub(super) async fn run(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    let overview = rankings::overview(&state, me.principal(), &slug).await?;
    match matching::run(&state, me.principal(), overview.programme.id).await {
        Ok((_, proposal)) => {
            let places = |n: usize| format!("{n} {}", if n == 1 { "place" } else { "places" });
            let message = match proposal.unmatched.len() {
                0 => format!(
                    "The matching paired {} with enablers: every place that chose enablers has one",
                    places(proposal.pairs.len())
                ),
                left => format!(
                    "The matching paired {} with enablers and left {} unmatched",
                    places(proposal.pairs.len()),
                    places(left)
                ),
            };
            notify(&me.session, &message).await;
            Ok(Redirect::to(&format!("/programmes/{slug}/matching")).into_response())
        }
        Err(e) => {
            let errors = form_problems(e, "run")?;
            render(&state, &me, &slug, forms(), errors).await
        }
    }
}

pub(super) async fn change(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(slug): Path<String>,
    Form(form): Form<ChangeForm>,
) -> Result<Response, AppError> {
    let overview = rankings::overview(&state, me.principal(), &slug).await?;
    let Ok(award) = form.award.parse::<i64>() else {
        let mut errors = FormErrors::default();
        errors.add("award", "Choose the place to change");
        return render(&state, &me, &slug, (form, ConfirmForm::default()), errors).await;
    };
    let enabler = form.enabler.parse::<i64>().ok();
    let pair = (award, enabler);
    let run = (form.run, form.version);
    match matching::change(&state, me.principal(), overview.programme.id, pair, run).await {
        Ok(blocking) => {
            let message = if blocking.is_empty() {
                format!(
                    "{} changed: the matching is still stable",
                    overview.place_name(award)
                )
            } else {
                format!(
                    "{} changed. The matching is no longer stable: read the warning below before you confirm",
                    overview.place_name(award)
                )
            };
            notify(&me.session, &message).await;
            Ok(Redirect::to(&format!("/programmes/{slug}/matching")).into_response())
        }
        Err(e) => {
            let errors = form_problems(e, "award")?;
            render(&state, &me, &slug, (form, ConfirmForm::default()), errors).await
        }
    }
}

pub(super) async fn confirm(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(slug): Path<String>,
    Form(form): Form<ConfirmForm>,
) -> Result<Response, AppError> {
    let overview = rankings::overview(&state, me.principal(), &slug).await?;
    let starts = match parse_date_input(&form.starts_day, &form.starts_month, &form.starts_year) {
        Ok(date) => date,
        Err(e) => {
            let mut errors = FormErrors::default();
            errors.add("starts_day", format!("{e} for the engagements' start"));
            return render(&state, &me, &slug, (ChangeForm::default(), form), errors).await;
        }
    };
    let run = (form.run, form.version);
    match matching::confirm(&state, me.principal(), overview.programme.id, run, starts).await {
        Ok(started) => {
            let message = match started.len() {
                1 => "The matching is confirmed: 1 engagement starts, and both sides are emailed".to_string(),
                n => format!(
                    "The matching is confirmed: {n} engagements start, and both sides of each are emailed"
                ),
            };
            notify(&me.session, &message).await;
            Ok(Redirect::to(&format!("/programmes/{slug}/matching")).into_response())
        }
        Err(e) => {
            let mut errors = form_problems(e, "confirm")?;
            if let Some(message) = errors.for_field("start_date").map(str::to_string) {
                errors = FormErrors::default();
                errors.add("starts_day", message);
            }
            render(&state, &me, &slug, (ChangeForm::default(), form), errors).await
        }
    }
}
