//! News and announcements: public lists, items with related news by shared tags, Atom
//! feeds for the service and each programme ([`feeds`]), and the programme admins' pages
//! to write them ([`manage`]: Markdown, with a publish time that may be in the future).

mod feeds;
mod manage;

use crate::auth::MaybeUser;
use crate::error::AppError;
use crate::pages::public::{public_chrome, public_page};
use crate::state::AppState;
use crate::views::Chrome;
use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::get;
use convene_app::news::{self, NewsItem};
use convene_app::programmes;
use convene_domain::Timestamp;
use convene_domain::programmes::Programme;

/// News routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/news", get(service_news))
        .route("/news.atom", get(feeds::service_feed))
        .route("/news/{slug}", get(item_page))
        .route("/programmes/{slug}/news", get(programme_news))
        .route("/programmes/{slug}/news.atom", get(feeds::programme_feed))
        .route("/programmes/{slug}/news/manage", get(manage::manage))
        .route(
            "/programmes/{slug}/news/new",
            get(manage::new_form).post(manage::create),
        )
        .route(
            "/programmes/{slug}/news/{id}/edit",
            get(manage::edit_form).post(manage::update),
        )
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

/// A programme by slug, for its public news (anyone may read it).
async fn programme_by_slug(state: &AppState, slug: &str) -> Result<Programme, AppError> {
    Ok(programmes::public(state, slug).await?.programme)
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
            let items = news::published(&state, None, LIST_LIMIT).await?;
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
            let items = news::published(&state, Some(programme.id.0), LIST_LIMIT).await?;
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
    let item = news::public_item(&state, &slug).await?;
    let key = format!("/news/{slug}");
    public_page(
        &state,
        &who,
        &headers,
        &key,
        "text/html; charset=utf-8",
        async || {
            let related = news::related(&state, &item, 5).await?;
            let catalogue = programmes::catalogue(&state).await?;
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
