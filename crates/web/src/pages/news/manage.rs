//! A programme's admins writing its news: the list of its items (scheduled ones marked),
//! and the form to add or change one. The checks and the saving are
//! `convene_app::news`'s; this turns them into pages.

use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::pages::programmes::{form_errors, load_programme};
use crate::pages::{chrome, notify, take_notice};
use crate::state::AppState;
use crate::views::{Chrome, FormErrors};
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use convene_app::news::{self, ItemInput, Saved};
use convene_domain::policy::Action;
use serde::Deserialize;

use super::ItemLine;

#[derive(Template, WebTemplate)]
#[template(path = "news/news_manage.html")]
struct ManagePage {
    chrome: Chrome,
    notice: Option<String>,
    slug: String,
    programme_name: String,
    items: Vec<ItemLine>,
}

pub(super) async fn manage(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    let programme = load_programme(&state, &me, &slug, Action::Edit).await?;
    let now = state.clock.now();
    let items = news::of_programme(&state, me.principal(), &programme).await?;
    let path = format!("/programmes/{slug}/news/manage");
    let frame = chrome(
        &state,
        Some(&me.person),
        &me.session,
        "News and announcements",
        &path,
    )
    .await;
    let notice = take_notice(&me.session).await;
    Ok(ManagePage {
        chrome: frame.with_back(format!("/programmes/{slug}")),
        notice,
        programme_name: programme.name,
        slug,
        items: items.iter().map(|i| ItemLine::of(i, now)).collect(),
    }
    .into_response())
}

/// The news form's fields, as typed.
#[derive(Deserialize, Default, Clone)]
pub(super) struct ItemForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    summary: String,
    #[serde(default)]
    body: String,
    #[serde(default)]
    tags: String,
    #[serde(default)]
    publish_day: String,
    #[serde(default)]
    publish_month: String,
    #[serde(default)]
    publish_year: String,
    #[serde(default)]
    publish_time: String,
}

impl From<ItemForm> for ItemInput {
    fn from(f: ItemForm) -> ItemInput {
        ItemInput {
            title: f.title,
            summary: f.summary,
            body: f.body,
            tags: f.tags,
            publish_day: f.publish_day,
            publish_month: f.publish_month,
            publish_year: f.publish_year,
            publish_time: f.publish_time,
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "news/news_form.html")]
struct FormPage {
    chrome: Chrome,
    errors: FormErrors,
    action: String,
    form: ItemInput,
    editing: bool,
}

impl FormPage {
    /// The publish date's or time's problem, shown above the date boxes.
    fn publish_error(&self) -> Option<&str> {
        self.errors
            .for_field("publish_day")
            .or_else(|| self.errors.for_field("publish_time"))
    }
}

async fn form_page(
    state: &AppState,
    me: &CurrentUser,
    slug: &str,
    action: String,
    form: ItemInput,
    errors: FormErrors,
    editing: bool,
) -> Response {
    let title = if editing {
        "Change a news item"
    } else {
        "Add a news item"
    };
    let mut frame = chrome(state, Some(&me.person), &me.session, title, &action).await;
    frame.has_errors = !errors.is_empty();
    FormPage {
        chrome: frame.with_back(format!("/programmes/{slug}/news/manage")),
        errors,
        action,
        form,
        editing,
    }
    .into_response()
}

pub(super) async fn new_form(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    load_programme(&state, &me, &slug, Action::Edit).await?;
    let action = format!("/programmes/{slug}/news/new");
    Ok(form_page(
        &state,
        &me,
        &slug,
        action,
        ItemInput::default(),
        FormErrors::default(),
        false,
    )
    .await)
}

pub(super) async fn create(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(slug): Path<String>,
    Form(form): Form<ItemForm>,
) -> Result<Response, AppError> {
    let programme = load_programme(&state, &me, &slug, Action::Edit).await?;
    let input = ItemInput::from(form);
    let saved = match news::create(&state, me.principal(), &programme, &input).await? {
        Ok(saved) => saved,
        Err(problems) => {
            let action = format!("/programmes/{slug}/news/new");
            let errors = form_errors(problems);
            return Ok(form_page(&state, &me, &slug, action, input, errors, false).await);
        }
    };
    notify(&me.session, &saved_notice(saved)).await;
    Ok(Redirect::to(&format!("/programmes/{slug}/news/manage")).into_response())
}

/// The notice after saving: whether readers can see the item yet.
fn saved_notice(saved: Saved) -> String {
    if saved.published {
        "The news item has been saved and published.".to_string()
    } else {
        format!(
            "The news item has been saved. It will be published at {}.",
            saved.publish_at.london_words()
        )
    }
}

pub(super) async fn edit_form(
    State(state): State<AppState>,
    me: CurrentUser,
    Path((slug, id)): Path<(String, i64)>,
) -> Result<Response, AppError> {
    let programme = load_programme(&state, &me, &slug, Action::Edit).await?;
    let item = news::item(&state, me.principal(), &programme, id).await?;
    let action = format!("/programmes/{slug}/news/{id}/edit");
    Ok(form_page(
        &state,
        &me,
        &slug,
        action,
        ItemInput::of(&item),
        FormErrors::default(),
        true,
    )
    .await)
}

pub(super) async fn update(
    State(state): State<AppState>,
    me: CurrentUser,
    Path((slug, id)): Path<(String, i64)>,
    Form(form): Form<ItemForm>,
) -> Result<Response, AppError> {
    let programme = load_programme(&state, &me, &slug, Action::Edit).await?;
    let input = ItemInput::from(form);
    let saved = match news::update(&state, me.principal(), &programme, id, &input).await? {
        Ok(saved) => saved,
        Err(problems) => {
            let action = format!("/programmes/{slug}/news/{id}/edit");
            let errors = form_errors(problems);
            return Ok(form_page(&state, &me, &slug, action, input, errors, true).await);
        }
    };
    notify(&me.session, &saved_notice(saved)).await;
    Ok(Redirect::to(&format!("/programmes/{slug}/news/manage")).into_response())
}
