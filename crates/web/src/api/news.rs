//! News through the API: public reads, no token needed.

use crate::api::ApiResult;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use convene_app::news::{self, NewsItem};
use convene_app::programmes;
use serde::Serialize;
use utoipa::ToSchema;

/// A published news item.
#[derive(Serialize, ToSchema)]
pub struct NewsBody {
    pub slug: String,
    pub title: String,
    pub summary: String,
    pub tags: Vec<String>,
    /// When it was (or is treated as) published: RFC 3339, UTC.
    pub published_at: String,
    /// The item's public page.
    pub url: String,
    /// The text, rendered from Markdown and sanitised.
    pub body_html: String,
}

fn bodies(state: &AppState, items: Vec<NewsItem>) -> Vec<NewsBody> {
    items
        .into_iter()
        .map(|i| NewsBody {
            url: format!("{}/news/{}", state.config.public_url, i.slug),
            body_html: convene_app::markdown::render(&i.body_markdown),
            published_at: i.publish_at.iso(),
            slug: i.slug,
            title: i.title,
            summary: i.summary,
            tags: i.tags,
        })
        .collect()
}

/// Published news of every programme and of the whole service, newest first (at most 50).
///
/// Items scheduled for later are left out until their time.
#[utoipa::path(get, path = "/news", tag = "public", operation_id = "list_news", security(()), responses(
    (status = 200, description = "Published news; no token needed", body = Vec<NewsBody>),
))]
pub async fn all(State(state): State<AppState>) -> ApiResult<Vec<NewsBody>> {
    let items = news::published(&state, None, 50).await?;
    Ok(Json(bodies(&state, items)))
}

/// Published news of one programme, newest first (at most 50).
///
/// Items scheduled for later are left out until their time.
#[utoipa::path(get, path = "/programmes/{slug}/news", tag = "public", operation_id = "list_programme_news",
    security(()), params(("slug" = String, Path, description = "The programme")), responses(
    (status = 200, description = "Published news; no token needed", body = Vec<NewsBody>),
    (status = 404, description = "No such programme", content_type = "application/problem+json"),
))]
pub async fn of_programme(
    State(state): State<AppState>,
    Path(slug): Path<String>,
) -> ApiResult<Vec<NewsBody>> {
    let programme = programmes::public(&state, &slug).await?.programme;
    let items = news::published(&state, Some(programme.id.0), 50).await?;
    Ok(Json(bodies(&state, items)))
}
