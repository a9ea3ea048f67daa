//! News and announcements, of a programme or of the whole service, public from their
//! publish time (which may be in the future), with tags that relate them.

use crate::{Db, Result, Tx, on_db, on_tx};
use convene_domain::Timestamp;
use std::collections::HashMap;

/// A news item with its tags and programme.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewsItem {
    pub id: i64,
    pub programme_id: Option<i64>,
    pub slug: String,
    pub title: String,
    pub summary: String,
    pub body_markdown: String,
    pub publish_at: Timestamp,
    pub updated_at: Timestamp,
    pub tags: Vec<String>,
}

/// What an admin writes.
#[derive(Debug, Clone)]
pub struct Draft<'a> {
    pub programme_id: Option<i64>,
    pub title: &'a str,
    pub summary: &'a str,
    pub body_markdown: &'a str,
    pub publish_at: Timestamp,
    pub tags: &'a [String],
}

type ItemRow = (i64, Option<i64>, String, String, String, String, i64, i64);

const ITEM_SELECT: &str =
    "SELECT id, programme_id, slug, title, summary, body_markdown, publish_at, updated_at FROM news_items";

async fn with_tags(db: &Db, rows: Vec<ItemRow>) -> Result<Vec<NewsItem>> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    // News is small (hundreds of items): one query for every tag beats one per item.
    let tag_rows: Vec<(i64, String)> = on_db!(db, |pool| {
        sqlx::query_as("SELECT news_id, tag FROM news_tags ORDER BY tag")
            .fetch_all(pool)
            .await?
    });
    let mut tags: HashMap<i64, Vec<String>> = HashMap::new();
    for (id, tag) in tag_rows {
        tags.entry(id).or_default().push(tag);
    }
    Ok(rows
        .into_iter()
        .map(
            |(id, programme_id, slug, title, summary, body_markdown, publish_at, updated_at)| NewsItem {
                id,
                programme_id,
                slug,
                title,
                summary,
                body_markdown,
                publish_at: Timestamp(publish_at),
                updated_at: Timestamp(updated_at),
                tags: tags.remove(&id).unwrap_or_default(),
            },
        )
        .collect())
}

async fn replace_tags(tx: &mut Tx, id: i64, tags: &[String]) -> Result<()> {
    on_tx!(tx, |conn| {
        sqlx::query("DELETE FROM news_tags WHERE news_id = $1")
            .bind(id)
            .execute(&mut *conn)
            .await?;
        for tag in tags {
            sqlx::query("INSERT INTO news_tags (news_id, tag) VALUES ($1, $2)")
                .bind(id)
                .bind(tag)
                .execute(&mut *conn)
                .await?;
        }
        Ok(())
    })
}

/// Creates an item; its slug comes from the title, with "-2", "-3"… when taken.
pub async fn create(
    tx: &mut Tx,
    draft: &Draft<'_>,
    author: Option<i64>,
    now: Timestamp,
) -> Result<(i64, String)> {
    let base = convene_domain::news::slugify(draft.title);
    let id_and_slug = on_tx!(tx, |conn| {
        let mut slug = base.clone();
        let mut n = 1;
        loop {
            let taken: Option<(i64,)> = sqlx::query_as("SELECT id FROM news_items WHERE slug = $1")
                .bind(&slug)
                .fetch_optional(&mut *conn)
                .await?;
            if taken.is_none() {
                break;
            }
            n += 1;
            slug = format!("{base}-{n}");
        }
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO news_items (programme_id, slug, title, summary, body_markdown, publish_at, author_user_id, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id",
        )
        .bind(draft.programme_id)
        .bind(&slug)
        .bind(draft.title)
        .bind(draft.summary)
        .bind(draft.body_markdown)
        .bind(draft.publish_at.0)
        .bind(author)
        .bind(now.0)
        .fetch_one(&mut *conn)
        .await?;
        (id, slug)
    });
    replace_tags(tx, id_and_slug.0, draft.tags).await?;
    Ok(id_and_slug)
}

/// Changes an item (its address stays, so links keep working).
pub async fn update(tx: &mut Tx, id: i64, draft: &Draft<'_>, now: Timestamp) -> Result<()> {
    on_tx!(tx, |conn| {
        sqlx::query(
            "UPDATE news_items SET title = $1, summary = $2, body_markdown = $3, publish_at = $4, updated_at = $5 WHERE id = $6",
        )
        .bind(draft.title)
        .bind(draft.summary)
        .bind(draft.body_markdown)
        .bind(draft.publish_at.0)
        .bind(now.0)
        .bind(id)
        .execute(&mut *conn)
        .await?;
    });
    replace_tags(tx, id, draft.tags).await
}

/// One item by its address, published or not (callers decide who may see it).
pub async fn by_slug(db: &Db, slug: &str) -> Result<Option<NewsItem>> {
    let sql = format!("{ITEM_SELECT} WHERE slug = $1");
    let rows: Vec<ItemRow> = on_db!(db, |pool| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(slug)
        .fetch_all(pool)
        .await?);
    Ok(with_tags(db, rows).await?.pop())
}

/// One item by id.
pub async fn by_id(db: &Db, id: i64) -> Result<Option<NewsItem>> {
    let sql = format!("{ITEM_SELECT} WHERE id = $1");
    let rows: Vec<ItemRow> = on_db!(db, |pool| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_all(pool)
        .await?);
    Ok(with_tags(db, rows).await?.pop())
}

/// Published items, newest first: of one programme, or (with `None`) of the whole service.
pub async fn published(
    db: &Db,
    programme_id: Option<i64>,
    now: Timestamp,
    limit: i64,
) -> Result<Vec<NewsItem>> {
    let sql = format!(
        "{ITEM_SELECT} WHERE publish_at <= $1 AND ($2 IS NULL OR programme_id = $2) ORDER BY publish_at DESC, id DESC LIMIT $3"
    );
    let rows: Vec<ItemRow> = on_db!(db, |pool| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(now.0)
        .bind(programme_id)
        .bind(limit)
        .fetch_all(pool)
        .await?);
    with_tags(db, rows).await
}

/// Every item of a programme, scheduled ones included, newest publish time first (admins).
pub async fn of_programme(db: &Db, programme_id: i64) -> Result<Vec<NewsItem>> {
    let sql = format!("{ITEM_SELECT} WHERE programme_id = $1 ORDER BY publish_at DESC, id DESC");
    let rows: Vec<ItemRow> = on_db!(db, |pool| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(programme_id)
        .fetch_all(pool)
        .await?);
    with_tags(db, rows).await
}

/// Published items sharing a tag with `item`: most shared tags first, then newest.
pub async fn related(db: &Db, item: &NewsItem, now: Timestamp, limit: i64) -> Result<Vec<NewsItem>> {
    let ids: Vec<(i64,)> = on_db!(db, |pool| {
        sqlx::query_as(
            "SELECT n.id FROM news_tags t JOIN news_tags mine ON mine.tag = t.tag AND mine.news_id = $1 \
             JOIN news_items n ON n.id = t.news_id WHERE t.news_id <> $1 AND n.publish_at <= $2 \
             GROUP BY n.id, n.publish_at ORDER BY COUNT(*) DESC, n.publish_at DESC LIMIT $3",
        )
        .bind(item.id)
        .bind(now.0)
        .bind(limit)
        .fetch_all(pool)
        .await?
    });
    let mut out = Vec::new();
    for (id,) in ids {
        if let Some(found) = by_id(db, id).await? {
            out.push(found);
        }
    }
    Ok(out)
}
