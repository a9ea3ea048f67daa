//! A programme's open data: its accepted awards as 360Giving files anyone may download (JSON
//! and CSV), and the admins' page that sets the programme's 360Giving identifier prefix.
//!
//! The files answer with an `ETag` (304 on a match) and a minute's public caching, like the
//! other public pages, but not from the public page cache: its fast path keeps only a body
//! and its type, and the CSV needs its `Content-Disposition`. When there is nothing to
//! publish (no accepted award, no prefix) the files are 404 with the reason, never an empty
//! file: the JSON as problem+json (the NHS page would otherwise replace a plain JSON error
//! body), the CSV as an NHS page.

use crate::auth::{CurrentUser, MaybeUser};
use crate::error::{AppError, cause_chain, problem};
use crate::pages::programmes::load_programme;
use crate::pages::public::{public_chrome, revalidated};
use crate::pages::{form_chrome, notify, take_notice};
use crate::state::AppState;
use crate::views::{Chrome, FormErrors};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Form, Router};
use convene_app::awards::PanelError;
use convene_app::awards::open_data::{self, OpenDataError};
use convene_domain::policy::Action;
use convene_domain::programmes::Programme;
use serde::Deserialize;

/// Open data routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/programmes/{slug}/360giving.json", get(json_file))
        .route("/programmes/{slug}/360giving.csv", get(csv_file))
        .route("/programmes/{slug}/open-data", get(settings).post(save_prefix))
}

async fn json_file(State(state): State<AppState>, headers: HeaderMap, Path(slug): Path<String>) -> Response {
    match open_data::json(&state, &slug).await {
        Ok(body) => revalidated(&headers, "application/json", body, false),
        Err(OpenDataError::NotFound) => problem(StatusCode::NOT_FOUND, "No programme has this address"),
        Err(OpenDataError::Nothing(message)) => problem(StatusCode::NOT_FOUND, &message),
        Err(OpenDataError::Store(cause)) => {
            tracing::error!(cause = %cause_chain(&cause), "open data failed");
            problem(
                StatusCode::INTERNAL_SERVER_ERROR,
                "Sorry, there is a problem with the service",
            )
        }
    }
}

#[derive(Template)]
#[template(path = "open_data/nothing.html")]
struct NothingPage {
    chrome: Chrome,
    slug: String,
    message: String,
}

async fn csv_file(
    State(state): State<AppState>,
    who: MaybeUser,
    headers: HeaderMap,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    let body = match open_data::csv(&state, &slug).await {
        Ok(body) => body,
        Err(OpenDataError::NotFound) => return Err(AppError::NotFound),
        Err(OpenDataError::Store(cause)) => return Err(AppError::internal(cause)),
        Err(OpenDataError::Nothing(message)) => {
            let title = "There are no grants to download yet";
            let chrome = public_chrome(&state, &who, title, "/programmes").await;
            let page = NothingPage {
                chrome,
                slug,
                message,
            }
            .render()?;
            return Ok((StatusCode::NOT_FOUND, Html(page)).into_response());
        }
    };
    let body = String::from_utf8(body).map_err(AppError::internal)?;
    let mut res = revalidated(&headers, "text/csv; charset=utf-8", body, false);
    let disposition = format!("attachment; filename=\"{slug}-360giving.csv\"");
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        res.headers_mut().insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(res)
}

#[derive(Template, WebTemplate)]
#[template(path = "open_data/settings.html")]
struct SettingsPage {
    chrome: Chrome,
    notice: Option<String>,
    errors: FormErrors,
    name: String,
    slug: String,
    grant_prefix: String,
    /// How many grants the files publish, or why they publish none.
    published: Result<usize, String>,
}

/// What the public files hold now: how many grants, or why none.
async fn what_is_published(state: &AppState, slug: &str) -> Result<Result<usize, String>, AppError> {
    match open_data::table(state, slug).await {
        Ok((_, rows)) => Ok(Ok(rows.len())),
        Err(OpenDataError::Nothing(message)) => Ok(Err(message)),
        Err(OpenDataError::NotFound) => Err(AppError::NotFound),
        Err(OpenDataError::Store(cause)) => Err(AppError::internal(cause)),
    }
}

async fn render(
    state: &AppState,
    me: &CurrentUser,
    programme: Programme,
    typed: Option<String>,
    errors: FormErrors,
) -> Result<Response, AppError> {
    let published = what_is_published(state, &programme.slug).await?;
    let prefix = open_data::prefix(state, me.principal(), &programme).await?;
    let path = format!("/programmes/{}/open-data", programme.slug);
    let chrome = form_chrome(state, me, "Open data (360Giving)", &path, &errors)
        .await
        .with_back(format!("/programmes/{}", programme.slug));
    Ok(SettingsPage {
        chrome,
        notice: take_notice(&me.session).await,
        errors,
        name: programme.name,
        slug: programme.slug,
        grant_prefix: typed.unwrap_or(prefix),
        published,
    }
    .into_response())
}

async fn settings(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    let programme = load_programme(&state, &me, &slug, Action::Edit).await?;
    render(&state, &me, programme, None, FormErrors::default()).await
}

#[derive(Deserialize)]
struct PrefixForm {
    #[serde(default)]
    grant_prefix: String,
}

async fn save_prefix(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(slug): Path<String>,
    Form(form): Form<PrefixForm>,
) -> Result<Response, AppError> {
    let programme = load_programme(&state, &me, &slug, Action::Edit).await?;
    match open_data::set_prefix(&state, me.principal(), &programme, &form.grant_prefix).await {
        Ok(()) => {}
        Err(PanelError::Invalid(problems)) => {
            let mut errors = FormErrors::default();
            for p in problems {
                errors.add(&p.field, p.message);
            }
            return render(&state, &me, programme, Some(form.grant_prefix), errors).await;
        }
        Err(other) => return Err(other.into()),
    }
    notify(
        &me.session,
        &format!("The 360Giving prefix is now {}.", form.grant_prefix.trim()),
    )
    .await;
    Ok(Redirect::to(&format!("/programmes/{slug}/open-data")).into_response())
}
