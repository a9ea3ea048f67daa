//! Public pages that need no sign-in: the open calls (as a page, an Atom feed and JSON),
//! and the sitemap and robots file. Each answers with an `ETag` and `Cache-Control`, and a
//! matching `If-None-Match` gets 304; anonymous visits make no session.

use crate::auth::MaybeUser;
use crate::error::AppError;
use crate::open_calls::{Call, calls};
use crate::pages::chrome;
use crate::state::AppState;
use crate::views::Chrome;
use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use convene_app::catalogue::PublicPage;
use convene_app::{news, programmes};
use convene_domain::Timestamp;
use convene_domain::programmes::{RoundStatus, round_status};

/// Public routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/open-calls", get(open_calls))
        .route("/open-calls.json", get(open_calls_json))
        .route("/open-calls.atom", get(open_calls_atom))
        .route("/programmes/{slug}/about", get(programme_page))
        .route("/sitemap.xml", get(sitemap))
        .route("/robots.txt", get(robots))
}

/// A response that can be revalidated: a strong `ETag` of the body, and 304 when the
/// browser already holds it. Pages for a signed-in person are private.
pub(crate) fn revalidated(
    request: &HeaderMap,
    content_type: &'static str,
    body: String,
    private: bool,
) -> Response {
    respond(request, &PublicPage::new(content_type, body), private)
}

/// A public page: for anonymous visitors from the catalogue's few-second cache when it
/// holds it, else rendered (and kept for the next visitor); for a signed-in person always
/// rendered, since it names them.
pub(crate) async fn public_page(
    state: &AppState,
    who: &MaybeUser,
    request: &HeaderMap,
    key: &str,
    content_type: &'static str,
    render: impl AsyncFnOnce() -> Result<String, AppError>,
) -> Result<Response, AppError> {
    let anonymous = who.person.is_none();
    if anonymous && let Some(page) = state.catalogue.page(key) {
        return Ok(respond(request, &page, false));
    }
    let page = std::sync::Arc::new(PublicPage::new(content_type, render().await?));
    if anonymous {
        state.catalogue.keep_page(key, page.clone());
    }
    Ok(respond(request, &page, !anonymous))
}

/// Answers an anonymous GET (one with no session cookie) straight from the public page
/// cache when it holds the path, before sessions, CSRF checks and the handler; anything
/// else goes on as usual. Only `public_page` fills the cache, so only public pages come
/// from it, and a person signed in (who has a session cookie) never does.
pub async fn serve_cached(
    State(state): State<AppState>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let anonymous = !req
        .headers()
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .any(|pair| {
            pair.trim()
                .split_once('=')
                .is_some_and(|(name, _)| name == crate::session_store::SESSION_COOKIE)
        });
    if anonymous
        && req.method() == axum::http::Method::GET
        && let Some(page) = state.catalogue.page(req.uri().path())
    {
        return respond(req.headers(), &page, false);
    }
    next.run(req).await
}

fn respond(request: &HeaderMap, page: &PublicPage, private: bool) -> Response {
    let tag = page.etag.as_str();
    let cache = if private {
        "private, no-cache"
    } else {
        "public, max-age=60, must-revalidate"
    };
    let matches = request
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == tag || t.trim() == "*"));
    let mut res = if matches {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        ([(header::CONTENT_TYPE, page.content_type)], page.body.clone()).into_response()
    };
    let headers = res.headers_mut();
    if let Ok(v) = HeaderValue::from_str(tag) {
        headers.insert(header::ETAG, v);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    res
}

/// The page frame for a public page: for an anonymous visitor it makes no session (no
/// CSRF token is needed on a page with no form), so the page can be cached.
pub(crate) async fn public_chrome(state: &AppState, who: &MaybeUser, title: &str, path: &str) -> Chrome {
    match &who.person {
        Some(person) => chrome(state, Some(person), &who.session, title, path).await,
        None => {
            let mut frame = Chrome::new(title, None, String::new(), path);
            frame.demo = state.config.demo;
            frame
        }
    }
}

#[derive(Template)]
#[template(path = "public/open_calls.html")]
struct OpenCallsPage {
    chrome: Chrome,
    open: Vec<Call>,
    closed: Vec<Call>,
}

async fn open_calls(
    State(state): State<AppState>,
    who: MaybeUser,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    public_page(
        &state,
        &who,
        &headers,
        "/open-calls",
        "text/html; charset=utf-8",
        async || {
            let (closed, open): (Vec<Call>, Vec<Call>) = calls(&state)
                .await?
                .into_iter()
                .partition(|c| c.status == RoundStatus::Closed);
            let chrome = public_chrome(&state, &who, "Open calls for applications", "/open-calls").await;
            Ok(OpenCallsPage { chrome, open, closed }.render()?)
        },
    )
    .await
}

async fn open_calls_json(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, AppError> {
    let body = serde_json::to_string(&serde_json::json!({ "calls": calls(&state).await? }))
        .map_err(AppError::internal)?;
    Ok(revalidated(&headers, "application/json", body, false))
}

pub(crate) fn atom_time(t: Timestamp) -> atom_syndication::FixedDateTime {
    atom_syndication::FixedDateTime::parse_from_rfc3339(&t.iso()).unwrap_or_default()
}

async fn open_calls_atom(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, AppError> {
    use atom_syndication::{Entry, Feed, Link, Text};
    let base = &state.config.public_url;
    let all = calls(&state).await?;
    let entries: Vec<Entry> = all
        .iter()
        .map(|c| {
            let mut entry = Entry::default();
            entry.set_id(format!(
                "{base}/programmes/{}/rounds/{}",
                c.programme_slug, c.round_slug
            ));
            entry.set_title(format!("{}: {}", c.programme, c.round));
            entry.set_updated(atom_time(c.opens));
            let mut link = Link::default();
            link.set_href(format!("{base}{}", c.apply_url));
            entry.set_links(vec![link]);
            let state_words = match c.status {
                RoundStatus::Open => "Open now",
                RoundStatus::NotOpenYet => "Opening soon",
                RoundStatus::Closed => "Closed",
            };
            entry.set_summary(Some(Text::plain(format!(
                "{state_words}. Deadline: {}. {} places. Who can apply: {}",
                c.deadline_in_words, c.places_offered, c.eligibility
            ))));
            entry
        })
        .collect();
    let mut feed = Feed::default();
    feed.set_id(format!("{base}/open-calls"));
    feed.set_title("Convene: open calls for applications");
    feed.set_updated(atom_time(
        all.iter().map(|c| c.opens).max().unwrap_or(Timestamp(0)),
    ));
    let mut me = Link::default();
    me.set_href(format!("{base}/open-calls.atom"));
    me.set_rel("self");
    feed.set_links(vec![me]);
    feed.set_entries(entries);
    Ok(revalidated(
        &headers,
        "application/atom+xml",
        feed.to_string(),
        false,
    ))
}

/// A round's key dates and facts, as the public programme page lists them.
pub struct RoundFacts {
    pub name: String,
    pub status: RoundStatus,
    pub opens: String,
    pub deadline: String,
    pub review_ends: String,
    pub notify_by: String,
    pub launch: Option<String>,
    pub places_offered: i64,
    pub value_per_place: String,
    pub eligibility: String,
    pub apply_url: String,
}

#[derive(Template)]
#[template(path = "public/programme_public.html")]
struct ProgrammePublicPage {
    chrome: Chrome,
    name: String,
    slug: String,
    /// The admins' page, rendered and sanitised; when empty, the summary is shown instead.
    page_html: String,
    /// The latest published news of the programme.
    news: Vec<crate::pages::news::ItemLine>,
    paragraphs: Vec<String>,
    partners: Vec<String>,
    /// What the partners pooled; the match contributions of the places that accepted an
    /// award (none yet: `None`); the fund they make; what of it is not yet awarded.
    pooled: String,
    matched: Option<String>,
    fund_total: String,
    fund_left: String,
    contact: String,
    open: Vec<RoundFacts>,
    upcoming: Vec<RoundFacts>,
    closed: Vec<RoundFacts>,
}

/// What a programme is, who funds it, what places receive, who can apply and how, the key
/// dates and a contact, with "Start now" while a round is open. No sign-in needed.
async fn programme_page(
    State(state): State<AppState>,
    who: MaybeUser,
    headers: HeaderMap,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    let key = format!("/programmes/{slug}/about");
    public_page(
        &state,
        &who,
        &headers,
        &key,
        "text/html; charset=utf-8",
        async || render_programme_page(&state, &who, &slug).await,
    )
    .await
}

async fn render_programme_page(state: &AppState, who: &MaybeUser, slug: &str) -> Result<String, AppError> {
    let now = state.clock.now();
    let entry = programmes::public(state, slug).await?;
    let partners = programmes::partner_names(state, entry.programme.id).await?;
    let mut open = Vec::new();
    let mut upcoming = Vec::new();
    let mut closed = Vec::new();
    for r in &entry.rounds {
        let status = round_status(r.opens_at, r.closes_at, now);
        let facts = RoundFacts {
            name: r.name.clone(),
            status,
            opens: r.opens_at.london_words(),
            deadline: r.closes_at.london_words(),
            review_ends: r.review_ends_at.london_date(),
            notify_by: r.notify_by.london_date(),
            launch: r.launch_event_at.map(|t| match &r.launch_event_location {
                Some(place) => format!("{}, {place}", t.london_words()),
                None => t.london_words(),
            }),
            places_offered: r.places_offered,
            value_per_place: r.value_per_place.to_string(),
            eligibility: r.eligibility.clone(),
            apply_url: format!("/programmes/{slug}/rounds/{}/apply", r.slug),
        };
        match status {
            RoundStatus::Open => open.push(facts),
            RoundStatus::NotOpenYet => upcoming.push(facts),
            RoundStatus::Closed => closed.push(facts),
        }
    }
    let p = &entry.programme;
    // Announced awards only: what is decided but not announced is for staff (Fund::left).
    let fund = convene_app::awards::fund(state, p.id).await?;
    let chrome = public_chrome(state, who, &p.name, "/programmes").await;
    let body = ProgrammePublicPage {
        chrome,
        name: p.name.clone(),
        slug: p.slug.clone(),
        page_html: entry.page_html.clone(),
        news: news::published(state, Some(p.id.0), 3)
            .await?
            .iter()
            .map(|i| crate::pages::news::ItemLine::of(i, now))
            .collect(),
        paragraphs: p
            .summary
            .split("\n\n")
            .map(|para| para.trim().to_string())
            .filter(|para| !para.is_empty())
            .collect(),
        partners,
        pooled: fund.contributions.to_string(),
        matched: (fund.match_pledged.0 > 0).then(|| fund.match_pledged.to_string()),
        fund_total: fund.total().to_string(),
        fund_left: fund.left().to_string(),
        contact: p.contact_email.clone(),
        open,
        upcoming,
        closed,
    }
    .render()?;
    Ok(body)
}

/// The public pages, for search engines.
async fn sitemap(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let base = &state.config.public_url;
    let mut paths: Vec<String> = [
        "/",
        "/open-calls",
        "/news",
        "/accessibility",
        "/privacy",
        "/cookies",
        "/contact",
    ]
    .iter()
    .map(|p| p.to_string())
    .collect();
    if let Ok(catalogue) = programmes::catalogue(&state).await {
        paths.extend(catalogue.iter().flat_map(|e| {
            [
                format!("/programmes/{}/about", e.programme.slug),
                format!("/programmes/{}/news", e.programme.slug),
            ]
        }));
    }
    if let Ok(items) = news::published(&state, None, 1000).await {
        paths.extend(items.iter().map(|i| format!("/news/{}", i.slug)));
    }
    let urls: String = paths
        .iter()
        .map(|p| format!("  <url><loc>{base}{p}</loc></url>\n"))
        .collect();
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n{urls}</urlset>\n"
    );
    revalidated(&headers, "application/xml", body, false)
}

async fn robots(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let body = format!(
        "User-agent: *\nDisallow: /applications/\nDisallow: /api/\nDisallow: /sign-off/\nDisallow: /account\nDisallow: /dev/\nSitemap: {}/sitemap.xml\n",
        state.config.public_url
    );
    revalidated(&headers, "text/plain; charset=utf-8", body, false)
}
