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
use convene_app::Cache;
use convene_app::catalogue::Entry;
use convene_domain::audit::AuditAction;
use convene_domain::policy::{Action, Resource, allows};
use convene_store::programmes::{self, Programme};
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
    let programme = programmes::by_slug(&state.db, slug)
        .await?
        .ok_or(AppError::NotFound)?;
    if !allows(me.principal(), action, Resource::Programme { id: programme.id }) {
        return Err(AppError::Forbidden);
    }
    Ok(programme)
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
}

async fn render(
    state: &AppState,
    me: &CurrentUser,
    slug: &str,
    errors: FormErrors,
    typed: Option<String>,
) -> Result<Response, AppError> {
    let programme = load_programme(state, me, slug, Action::View).await?;
    let partners = programmes::partners(&state.db, programme.id)
        .await?
        .into_iter()
        .map(|p| (p.organisation_name, p.org_id, p.contribution.to_string()))
        .collect();
    let places = programmes::places_in(&state.db, programme.id)
        .await?
        .into_iter()
        .map(|p| PlaceLine {
            issue: p
                .in_programme(programme.id)
                .and_then(|m| m.breakthrough_issue.clone())
                .unwrap_or_default(),
            id: p.id,
            name: p.name,
            region: p.region.unwrap_or_default(),
        })
        .collect();
    let (pledged, pledges) =
        convene_store::applications::pledges_in_programme(&state.db, programme.id).await?;
    let summary = typed.unwrap_or_else(|| programme.summary.clone());
    let title = programme.name.clone();
    let rounds = programmes::rounds(&state.db, programme.id).await?;
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
    let summary = form.summary.trim();
    let mut errors = FormErrors::default();
    if summary.is_empty() {
        errors.add("summary", "Enter a summary of the programme");
    } else if summary.chars().count() > 2000 {
        errors.add("summary", "Summary must be 2,000 characters or fewer");
    }
    if !errors.is_empty() {
        return render(&state, &me, &slug, errors, Some(form.summary)).await;
    }
    let mut work = state.begin(Some(me.user().id)).await?;
    programmes::set_summary(work.tx(), programme.id, summary).await?;
    work.audit(AuditAction::ProgrammeSummaryChanged, Some(programme.id))
        .await?;
    work.clears(Cache::Catalogue);
    work.commit().await?;
    notify(&me.session, "The programme summary has been saved.").await;
    Ok(Redirect::to(&format!("/programmes/{slug}")).into_response())
}

/// The longest public page accepted, in characters.
const PAGE_LIMIT: usize = 20_000;

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
    let mut errors = FormErrors::default();
    if let Some(problem) = convene_app::markdown::check(&form.markdown) {
        errors.add("markdown", problem);
    } else if form.markdown.chars().count() > PAGE_LIMIT {
        errors.add("markdown", "The page must be 20,000 characters or fewer");
    }
    if !errors.is_empty() || form.preview.is_some() {
        let preview = errors
            .is_empty()
            .then(|| convene_app::markdown::render(&form.markdown));
        return Ok(page_editor(&state, &me, &programme, errors, form.markdown, preview).await);
    }
    let mut work = state.begin(Some(me.user().id)).await?;
    programmes::set_page_markdown(work.tx(), programme.id, form.markdown.trim()).await?;
    work.audit(AuditAction::ProgrammePageChanged, Some(programme.id))
        .await?;
    work.clears(Cache::Catalogue);
    work.commit().await?;
    notify(&me.session, "The public page has been saved.").await;
    Ok(Redirect::to(&format!("/programmes/{slug}")).into_response())
}
