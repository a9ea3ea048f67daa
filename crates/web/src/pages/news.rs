//! News and announcements: public lists, items with related news by shared tags, Atom
//! feeds for the service and each programme, and the programme admins' pages to write
//! them (Markdown, with a publish time that may be in the future).

use crate::auth::{CurrentUser, MaybeUser};
use crate::error::AppError;
use crate::pages::programmes::load_programme;
use crate::pages::public::{atom_time, public_chrome, public_page};
use crate::pages::{chrome, notify, take_notice};
use crate::state::AppState;
use crate::views::{Chrome, FormErrors};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Form, Router};
use convene_app::Cache;
use convene_domain::audit::AuditAction;
use convene_domain::policy::Action;
use convene_domain::time::{london_instant, parse_date_input, parse_time_input};
use convene_domain::{Timestamp, news as rules};
use convene_store::news::{self, Draft, NewsItem};
use convene_store::programmes::Programme;
use serde::Deserialize;

/// News routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/news", get(service_news))
        .route("/news.atom", get(service_feed))
        .route("/news/{slug}", get(item_page))
        .route("/programmes/{slug}/news", get(programme_news))
        .route("/programmes/{slug}/news.atom", get(programme_feed))
        .route("/programmes/{slug}/news/manage", get(manage))
        .route("/programmes/{slug}/news/new", get(new_form).post(create))
        .route("/programmes/{slug}/news/{id}/edit", get(edit_form).post(update))
}

/// How many items a list or feed shows.
const LIST_LIMIT: i64 = 50;

/// An item as lists show it.
pub struct ItemLine {
    pub slug: String,
    pub title: String,
    pub summary: String,
    /// "27 August 2026", UK time.
    pub date: String,
    /// "9am on Thursday 27 August 2026", UK time.
    pub when: String,
    /// For `<time datetime>`.
    pub iso: String,
    pub tags: Vec<String>,
    /// Not public yet: its publish time is still to come.
    pub scheduled: bool,
    pub id: i64,
}

impl ItemLine {
    pub fn of(item: &NewsItem, now: Timestamp) -> ItemLine {
        ItemLine {
            slug: item.slug.clone(),
            title: item.title.clone(),
            summary: item.summary.clone(),
            date: item.publish_at.london_date(),
            when: item.publish_at.london_words(),
            iso: item.publish_at.iso(),
            tags: item.tags.clone(),
            scheduled: item.publish_at > now,
            id: item.id,
        }
    }
}

#[derive(Template)]
#[template(path = "news/news_list.html")]
struct ListPage {
    chrome: Chrome,
    heading: String,
    feed: String,
    items: Vec<ItemLine>,
    programme: Option<(String, String)>,
}

async fn programme_by_slug(state: &AppState, slug: &str) -> Result<Programme, AppError> {
    let catalogue = state.catalogue.get(&state.db).await?;
    catalogue
        .iter()
        .find(|e| e.programme.slug == slug)
        .map(|e| e.programme.clone())
        .ok_or(AppError::NotFound)
}

async fn service_news(
    State(state): State<AppState>,
    who: MaybeUser,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    public_page(
        &state,
        &who,
        &headers,
        "/news",
        "text/html; charset=utf-8",
        async || {
            let now = state.clock.now();
            let items = news::published(&state.db, None, now, LIST_LIMIT).await?;
            let chrome = public_chrome(&state, &who, "News", "/news").await;
            Ok(ListPage {
                chrome,
                heading: "News".into(),
                feed: "/news.atom".into(),
                items: items.iter().map(|i| ItemLine::of(i, now)).collect(),
                programme: None,
            }
            .render()?)
        },
    )
    .await
}

async fn programme_news(
    State(state): State<AppState>,
    who: MaybeUser,
    headers: HeaderMap,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    let programme = programme_by_slug(&state, &slug).await?;
    let key = format!("/programmes/{slug}/news");
    public_page(
        &state,
        &who,
        &headers,
        &key,
        "text/html; charset=utf-8",
        async || {
            let now = state.clock.now();
            let items = news::published(&state.db, Some(programme.id), now, LIST_LIMIT).await?;
            let title = format!("News: {}", programme.name);
            let chrome = public_chrome(&state, &who, &title, &key).await;
            Ok(ListPage {
                chrome: chrome.with_back(format!("/programmes/{slug}/about")),
                heading: title,
                feed: format!("/programmes/{slug}/news.atom"),
                items: items.iter().map(|i| ItemLine::of(i, now)).collect(),
                programme: Some((slug.clone(), programme.name.clone())),
            }
            .render()?)
        },
    )
    .await
}

#[derive(Template)]
#[template(path = "news/news_item.html")]
struct ItemPage {
    chrome: Chrome,
    item: ItemLine,
    body_html: String,
    updated: Option<String>,
    related: Vec<ItemLine>,
    programme: Option<(String, String)>,
}

async fn item_page(
    State(state): State<AppState>,
    who: MaybeUser,
    headers: HeaderMap,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    let now = state.clock.now();
    // Not yet published: not found, for everyone (admins preview it from their list).
    let item = news::by_slug(&state.db, &slug)
        .await?
        .filter(|i| i.publish_at <= now)
        .ok_or(AppError::NotFound)?;
    let key = format!("/news/{slug}");
    public_page(
        &state,
        &who,
        &headers,
        &key,
        "text/html; charset=utf-8",
        async || {
            let related = news::related(&state.db, &item, now, 5).await?;
            let catalogue = state.catalogue.get(&state.db).await?;
            let programme = item.programme_id.and_then(|id| {
                catalogue
                    .iter()
                    .find(|e| e.programme.id == id)
                    .map(|e| (e.programme.slug.clone(), e.programme.name.clone()))
            });
            let chrome = public_chrome(&state, &who, &item.title, "/news").await;
            let back = match &programme {
                Some((s, _)) => format!("/programmes/{s}/news"),
                None => "/news".into(),
            };
            Ok(ItemPage {
                chrome: chrome.with_back(back),
                body_html: convene_app::markdown::render(&item.body_markdown),
                updated: changed_since_published(&item),
                item: ItemLine::of(&item, now),
                related: related.iter().map(|i| ItemLine::of(i, now)).collect(),
                programme,
            }
            .render()?)
        },
    )
    .await
}

/// The day an item was changed, when that was after it was published and on a later day
/// (a typo mended on the day, or a scheduled item edited before its time, is not news).
fn changed_since_published(item: &NewsItem) -> Option<String> {
    let published = item.publish_at.max(item.created_at);
    let day = item.updated_at.london_date();
    (item.updated_at > published && day != item.publish_at.london_date()).then_some(day)
}

/// An Atom feed of published items; `html_path` is the page it mirrors, and `author`
/// writes every entry (RFC 4287 asks a feed to name one).
fn feed(
    state: &AppState,
    title: &str,
    author: &str,
    self_path: &str,
    html_path: &str,
    items: &[NewsItem],
) -> String {
    use atom_syndication::{Category, Content, Entry, Feed, Link, Person, Text};
    let base = &state.config.public_url;
    let entries = items
        .iter()
        .map(|item| {
            let mut entry = Entry::default();
            entry.set_id(format!("{base}/news/{}", item.slug));
            entry.set_title(item.title.clone());
            entry.set_published(Some(atom_time(item.publish_at)));
            entry.set_updated(atom_time(item.updated_at.max(item.publish_at)));
            let mut link = Link::default();
            link.set_href(format!("{base}/news/{}", item.slug));
            entry.set_links(vec![link]);
            entry.set_summary(Some(Text::plain(item.summary.clone())));
            entry.set_categories(
                item.tags
                    .iter()
                    .map(|tag| {
                        let mut category = Category::default();
                        category.set_term(tag.clone());
                        category
                    })
                    .collect::<Vec<_>>(),
            );
            let mut content = Content::default();
            content.set_content_type(Some("html".to_string()));
            content.set_value(Some(convene_app::markdown::render(&item.body_markdown)));
            entry.set_content(Some(content));
            entry
        })
        .collect::<Vec<_>>();
    let mut feed = Feed::default();
    feed.set_id(format!("{base}{self_path}"));
    feed.set_title(title.to_string());
    let mut writer = Person::default();
    writer.set_name(author.to_string());
    feed.set_authors(vec![writer]);
    feed.set_updated(atom_time(
        items
            .iter()
            .map(|i| i.updated_at.max(i.publish_at))
            .max()
            .unwrap_or(Timestamp(0)),
    ));
    let mut me = Link::default();
    me.set_href(format!("{base}{self_path}"));
    me.set_rel("self");
    me.set_mime_type(Some("application/atom+xml".to_string()));
    let mut page = Link::default();
    page.set_href(format!("{base}{html_path}"));
    page.set_rel("alternate");
    page.set_mime_type(Some("text/html".to_string()));
    feed.set_links(vec![me, page]);
    feed.set_entries(entries);
    feed.to_string()
}

async fn service_feed(
    State(state): State<AppState>,
    who: MaybeUser,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let anonymous = MaybeUser { person: None, ..who };
    public_page(
        &state,
        &anonymous,
        &headers,
        "/news.atom",
        "application/atom+xml",
        async || {
            let items = news::published(&state.db, None, state.clock.now(), LIST_LIMIT).await?;
            Ok(feed(
                &state,
                "Convene: news",
                "Convene",
                "/news.atom",
                "/news",
                &items,
            ))
        },
    )
    .await
}

async fn programme_feed(
    State(state): State<AppState>,
    who: MaybeUser,
    headers: HeaderMap,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    let programme = programme_by_slug(&state, &slug).await?;
    let key = format!("/programmes/{slug}/news.atom");
    let anonymous = MaybeUser { person: None, ..who };
    public_page(
        &state,
        &anonymous,
        &headers,
        &key,
        "application/atom+xml",
        async || {
            let items = news::published(&state.db, Some(programme.id), state.clock.now(), LIST_LIMIT).await?;
            Ok(feed(
                &state,
                &format!("{}: news", programme.name),
                &programme.name,
                &key,
                &format!("/programmes/{slug}/news"),
                &items,
            ))
        },
    )
    .await
}

#[derive(Template, WebTemplate)]
#[template(path = "news/news_manage.html")]
struct ManagePage {
    chrome: Chrome,
    notice: Option<String>,
    slug: String,
    programme_name: String,
    items: Vec<ItemLine>,
}

async fn manage(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    let programme = load_programme(&state, &me, &slug, Action::Edit).await?;
    let now = state.clock.now();
    let items = news::of_programme(&state.db, programme.id).await?;
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
struct ItemForm {
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

impl ItemForm {
    fn of(item: &NewsItem) -> ItemForm {
        let zoned = item
            .publish_at
            .to_jiff()
            .to_zoned_datetime(convene_domain::time::london());
        ItemForm {
            title: item.title.clone(),
            summary: item.summary.clone(),
            body: item.body_markdown.clone(),
            tags: item.tags.join(", "),
            publish_day: zoned.day().to_string(),
            publish_month: zoned.month().to_string(),
            publish_year: zoned.year().to_string(),
            publish_time: format!("{}:{:02}", zoned.hour(), zoned.minute()),
        }
    }

    /// The item to store, once checked.
    fn draft<'a>(&'a self, programme_id: i64, tags: &'a [String], publish_at: Timestamp) -> Draft<'a> {
        Draft {
            programme_id: Some(programme_id),
            title: self.title.trim(),
            summary: self.summary.trim(),
            body_markdown: self.body.trim(),
            publish_at,
            tags,
        }
    }

    /// The checked item, or every problem by field (a date's problem is on its first box,
    /// a time's on the time box, so the error summary links to what needs changing).
    fn check(&self) -> Result<(Vec<String>, Timestamp), FormErrors> {
        use convene_domain::time::DateInputError;
        let mut errors = FormErrors::default();
        let limit = |errors: &mut FormErrors, field: &str, value: &str, what: &str, max: usize| {
            if value.trim().is_empty() {
                errors.add(field, format!("Enter {what}"));
                false
            } else if value.chars().count() > max {
                let name = match field {
                    "title" => "Title",
                    "summary" => "Summary",
                    _ => "Text",
                };
                errors.add(
                    field,
                    format!("{name} must be {} characters or fewer", thousands(max)),
                );
                false
            } else {
                true
            }
        };
        limit(&mut errors, "title", &self.title, "a title", 120);
        limit(&mut errors, "summary", &self.summary, "a summary", 300);
        if limit(
            &mut errors,
            "body",
            &self.body,
            "the text of the news item",
            20_000,
        ) && let Some(problem) = convene_app::markdown::check(&self.body)
        {
            errors.add("body", problem);
        }
        let tags = rules::parse_tags(&self.tags).unwrap_or_else(|e| {
            errors.add("tags", e);
            Vec::new()
        });
        let publish_at = match parse_date_input(&self.publish_day, &self.publish_month, &self.publish_year) {
            Err(e) => {
                let message = match e {
                    DateInputError::Missing => "Enter the date to publish on".to_string(),
                    other => other.to_string(),
                };
                errors.add("publish_day", message);
                None
            }
            Ok(date) => {
                let typed = self.publish_time.trim();
                match parse_time_input(if typed.is_empty() { "9am" } else { typed }) {
                    Err(_) => {
                        errors.add("publish_time", "Enter a time, like 9am or 14:30");
                        None
                    }
                    Ok(time) => match london_instant(date, time, false) {
                        Ok(t) => Some(t),
                        Err(e) => {
                            errors.add("publish_day", e.to_string());
                            None
                        }
                    },
                }
            }
        };
        match publish_at {
            Some(t) if errors.is_empty() => Ok((tags, t)),
            _ => Err(errors),
        }
    }
}

/// 20000 → "20,000".
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[derive(Template, WebTemplate)]
#[template(path = "news/news_form.html")]
struct FormPage {
    chrome: Chrome,
    errors: FormErrors,
    action: String,
    form: ItemForm,
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
    form: ItemForm,
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

async fn new_form(
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
        ItemForm::default(),
        FormErrors::default(),
        false,
    )
    .await)
}

async fn create(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(slug): Path<String>,
    Form(form): Form<ItemForm>,
) -> Result<Response, AppError> {
    let programme = load_programme(&state, &me, &slug, Action::Edit).await?;
    let action = format!("/programmes/{slug}/news/new");
    let (tags, publish_at) = match form.check() {
        Ok(ok) => ok,
        Err(errors) => return Ok(form_page(&state, &me, &slug, action, form, errors, false).await),
    };
    let now = state.clock.now();
    let draft = form.draft(programme.id, &tags, publish_at);
    let mut work = state.begin(Some(me.user().id)).await?;
    let (id, item_slug) = news::create(work.tx(), &draft, Some(me.user().id), now).await?;
    // The item's address is kept with the entry: it names the item even once edited.
    work.audit_with(AuditAction::NewsCreated, Some(id), &item_slug)
        .await?;
    work.clears(Cache::Catalogue);
    work.commit().await?;
    notify(&me.session, &saved_notice(publish_at, now)).await;
    Ok(Redirect::to(&format!("/programmes/{slug}/news/manage")).into_response())
}

/// The notice after saving: whether readers can see the item yet.
fn saved_notice(publish_at: Timestamp, now: Timestamp) -> String {
    if publish_at > now {
        format!(
            "The news item has been saved. It will be published at {}.",
            publish_at.london_words()
        )
    } else {
        "The news item has been saved and published.".to_string()
    }
}

/// An item of this programme, for its admins.
async fn own_item(
    state: &AppState,
    me: &CurrentUser,
    slug: &str,
    id: i64,
) -> Result<(Programme, NewsItem), AppError> {
    let programme = load_programme(state, me, slug, Action::Edit).await?;
    let item = news::by_id(&state.db, id)
        .await?
        .filter(|i| i.programme_id == Some(programme.id))
        .ok_or(AppError::NotFound)?;
    Ok((programme, item))
}

async fn edit_form(
    State(state): State<AppState>,
    me: CurrentUser,
    Path((slug, id)): Path<(String, i64)>,
) -> Result<Response, AppError> {
    let (_, item) = own_item(&state, &me, &slug, id).await?;
    let action = format!("/programmes/{slug}/news/{id}/edit");
    Ok(form_page(
        &state,
        &me,
        &slug,
        action,
        ItemForm::of(&item),
        FormErrors::default(),
        true,
    )
    .await)
}

async fn update(
    State(state): State<AppState>,
    me: CurrentUser,
    Path((slug, id)): Path<(String, i64)>,
    Form(form): Form<ItemForm>,
) -> Result<Response, AppError> {
    let (programme, item) = own_item(&state, &me, &slug, id).await?;
    let action = format!("/programmes/{slug}/news/{id}/edit");
    let (tags, publish_at) = match form.check() {
        Ok(ok) => ok,
        Err(errors) => return Ok(form_page(&state, &me, &slug, action, form, errors, true).await),
    };
    let now = state.clock.now();
    let draft = form.draft(programme.id, &tags, publish_at);
    let mut work = state.begin(Some(me.user().id)).await?;
    news::update(work.tx(), id, &draft, now).await?;
    work.audit_with(AuditAction::NewsChanged, Some(id), &item.slug)
        .await?;
    work.clears(Cache::Catalogue);
    work.commit().await?;
    notify(&me.session, &saved_notice(publish_at, now)).await;
    Ok(Redirect::to(&format!("/programmes/{slug}/news/manage")).into_response())
}
