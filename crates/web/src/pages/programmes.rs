//! A programme as its admins see it: partners and fund, rounds, places; and the summary
//! they can edit.

use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::pages::dashboard::{PlaceLine, ProgrammeCard, programme_card, programme_cards};
use crate::pages::{chrome, notify, take_notice};
use crate::state::AppState;
use crate::views::{Chrome, FormErrors};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use convene_app::awards::Fund;
use convene_app::catalogue::Entry;
use convene_app::programmes::{self, Overview};
use convene_domain::forms::FieldProblem;
use convene_domain::policy::{Action, Resource, allows};
use convene_domain::programmes::Programme;
use serde::Deserialize;

/// Programme management routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/programmes", get(list))
        .route("/programmes/{slug}", get(show))
        .route("/programmes/{slug}/summary", post(edit_summary))
        .route("/programmes/{slug}/page", get(page_form).post(save_page))
}

/// Loads a programme by slug and checks that `me` may do `action` to it.
pub async fn load_programme(
    state: &AppState,
    me: &CurrentUser,
    slug: &str,
    action: Action,
) -> Result<Programme, AppError> {
    Ok(programmes::load(state, me.principal(), slug, action).await?)
}

/// The problems a use case found, by field, as a form shows them.
pub fn form_errors(problems: Vec<FieldProblem>) -> FormErrors {
    let mut errors = FormErrors::default();
    for (field, message) in problems {
        errors.add(&field, message);
    }
    errors
}

#[derive(Template, WebTemplate)]
#[template(path = "programmes/programmes.html")]
struct ListPage {
    chrome: Chrome,
    programmes: Vec<ProgrammeCard>,
}

async fn list(State(state): State<AppState>, me: CurrentUser) -> Result<Response, AppError> {
    let cards = programme_cards(&state, |p| {
        allows(me.principal(), Action::View, Resource::Programme { id: p.id })
    })
    .await?;
    let chrome = chrome(&state, Some(&me.person), &me.session, "Programmes", "/programmes").await;
    Ok(ListPage {
        chrome,
        programmes: cards,
    }
    .into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "programmes/programme.html")]
struct ProgrammePage {
    chrome: Chrome,
    notice: Option<String>,
    errors: FormErrors,
    card: ProgrammeCard,
    summary: String,
    partners: Vec<(String, String, String)>,
    places: Vec<PlaceLine>,
    /// Match contributions pledged in submitted applications: the total and how many.
    pledged: String,
    pledges: i64,
    fund: FundFigures,
}

/// The fund as the programme page words it (docs/decisions/0011): what partners pooled,
/// the match contributions of places that accepted, the total, what is awarded and left.
struct FundFigures {
    partners: String,
    matched: String,
    total: String,
    awarded: String,
    left: String,
    /// Awards decided but not yet announced, and what is free to award after them; shown
    /// only when there are some.
    committed: Option<(String, String)>,
}

impl From<Fund> for FundFigures {
    fn from(fund: Fund) -> Self {
        FundFigures {
            partners: fund.contributions.to_string(),
            matched: fund.match_pledged.to_string(),
            total: fund.total().to_string(),
            awarded: fund.awarded.to_string(),
            left: fund.left().to_string(),
            committed: (fund.committed.0 > 0)
                .then(|| (fund.committed.to_string(), fund.available().to_string())),
        }
    }
}

async fn render(
    state: &AppState,
    me: &CurrentUser,
    slug: &str,
    errors: FormErrors,
    typed: Option<String>,
) -> Result<Response, AppError> {
    let Overview {
        programme,
        rounds,
        partners,
        places,
        pledged,
        pledges,
    } = programmes::overview(state, me.principal(), slug).await?;
    let fund = convene_app::awards::fund(state, programme.id).await?.into();
    let partners = partners
        .into_iter()
        .map(|p| (p.organisation_name, p.org_id, p.contribution.to_string()))
        .collect();
    let places = places
        .into_iter()
        .map(|p| PlaceLine {
            issue: p
                .in_programme(programme.id)
                .and_then(|m| m.breakthrough_issue.clone())
                .unwrap_or_default(),
            id: p.id.0,
            name: p.name,
            region: p.region.unwrap_or_default(),
        })
        .collect();
    let summary = typed.unwrap_or_else(|| programme.summary.clone());
    let title = programme.name.clone();
    let card = programme_card(&Entry::new(programme, rounds), state.clock.now());
    let notice = take_notice(&me.session).await;
    let mut chrome = chrome(state, Some(&me.person), &me.session, &title, "/programmes").await;
    chrome.has_errors = !errors.is_empty();
    Ok(ProgrammePage {
        chrome: chrome.with_back("/dashboard"),
        notice,
        errors,
        card,
        summary,
        partners,
        places,
        pledged: pledged.to_string(),
        pledges,
        fund,
    }
    .into_response())
}

async fn show(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    render(&state, &me, &slug, FormErrors::default(), None).await
}

#[derive(Deserialize)]
struct SummaryForm {
    #[serde(default)]
    summary: String,
}

async fn edit_summary(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(slug): Path<String>,
    Form(form): Form<SummaryForm>,
) -> Result<Response, AppError> {
    let programme = load_programme(&state, &me, &slug, Action::Edit).await?;
    if let Err(problems) = programmes::set_summary(&state, me.principal(), &programme, &form.summary).await? {
        return render(&state, &me, &slug, form_errors(problems), Some(form.summary)).await;
    }
    notify(&me.session, "The programme summary has been saved.").await;
    Ok(Redirect::to(&format!("/programmes/{slug}")).into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "programmes/programme_page_edit.html")]
struct PageEditPage {
    chrome: Chrome,
    errors: FormErrors,
    slug: String,
    markdown: String,
    /// The rendered page when the admin asked to preview it.
    preview: Option<String>,
}

async fn page_editor(
    state: &AppState,
    me: &CurrentUser,
    programme: &Programme,
    errors: FormErrors,
    markdown: String,
    preview: Option<String>,
) -> Response {
    let path = format!("/programmes/{}/page", programme.slug);
    let mut frame = chrome(
        state,
        Some(&me.person),
        &me.session,
        "Edit the public page",
        &path,
    )
    .await;
    frame.has_errors = !errors.is_empty();
    PageEditPage {
        chrome: frame.with_back(format!("/programmes/{}", programme.slug)),
        errors,
        slug: programme.slug.clone(),
        markdown,
        preview,
    }
    .into_response()
}

async fn page_form(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    let programme = load_programme(&state, &me, &slug, Action::Edit).await?;
    let markdown = programme.page_markdown.clone();
    Ok(page_editor(&state, &me, &programme, FormErrors::default(), markdown, None).await)
}

#[derive(Deserialize)]
struct PageForm {
    #[serde(default)]
    markdown: String,
    /// Present when the admin pressed "Preview" rather than "Save".
    preview: Option<String>,
}

async fn save_page(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(slug): Path<String>,
    Form(form): Form<PageForm>,
) -> Result<Response, AppError> {
    let programme = load_programme(&state, &me, &slug, Action::Edit).await?;
    if form.preview.is_some() {
        let mut errors = FormErrors::default();
        let preview = match programmes::check_page(&form.markdown) {
            Some(problem) => {
                errors.add("markdown", problem);
                None
            }
            None => Some(convene_app::markdown::render(&form.markdown)),
        };
        return Ok(page_editor(&state, &me, &programme, errors, form.markdown, preview).await);
    }
    if let Err(problems) = programmes::save_page(&state, me.principal(), &programme, &form.markdown).await? {
        let errors = form_errors(problems);
        return Ok(page_editor(&state, &me, &programme, errors, form.markdown, None).await);
    }
    notify(&me.session, "The public page has been saved.").await;
    Ok(Redirect::to(&format!("/programmes/{slug}")).into_response())
}
