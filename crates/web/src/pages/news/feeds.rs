//! The Atom feeds of published news: the whole service's, and each programme's. Feeds are
//! the same for everyone, so they are always served as to an anonymous visitor.

use super::{LIST_LIMIT, programme_by_slug};
use crate::auth::MaybeUser;
use crate::error::AppError;
use crate::pages::public::{atom_time, public_page};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use convene_app::news::{self, NewsItem};
use convene_domain::Timestamp;

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
    use atom_syndication::{Feed, Link, Person};
    let base = &state.config.public_url;
    let entries = items.iter().map(|item| entry(base, item)).collect::<Vec<_>>();
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

/// One item as a feed entry, with its text rendered from Markdown.
fn entry(base: &str, item: &NewsItem) -> atom_syndication::Entry {
    use atom_syndication::{Category, Content, Entry, Link, Text};
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
}

pub(super) async fn service_feed(
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
            let items = news::published(&state, None, LIST_LIMIT).await?;
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

pub(super) async fn programme_feed(
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
            let items = news::published(&state, Some(programme.id.0), LIST_LIMIT).await?;
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
