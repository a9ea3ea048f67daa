//! News and announcements, of a programme or of the whole service, public from their
//! publish time (which may be in the future), with tags that relate them.

use crate::{Db, Result, Tx, on_db, on_tx};
use convene_domain::ProgrammeId;
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
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    /// Lower case, sorted.
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

type ItemRow = (i64, Option<i64>, String, String, String, String, i64, i64, i64);

const ITEM_SELECT: &str = "SELECT id, programme_id, slug, title, summary, body_markdown, publish_at, created_at, \
     updated_at FROM news_items";

/// The items of `rows` with their tags, read in one query for all of them.
async fn with_tags(db: &Db, rows: Vec<ItemRow>) -> Result<Vec<NewsItem>> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    // A placeholder per id, which both stores accept (lists ask for at most a thousand).
    let placeholders: Vec<String> = (1..=rows.len()).map(|i| format!("${i}")).collect();
    let sql = format!(
        "SELECT news_id, tag FROM news_tags WHERE news_id IN ({}) ORDER BY tag",
        placeholders.join(", ")
    );
    let tag_rows: Vec<(i64, String)> = on_db!(db, |pool| {
        let mut query = sqlx::query_as(sqlx::AssertSqlSafe(sql));
        for row in &rows {
            query = query.bind(row.0);
        }
        query.fetch_all(pool).await?
    });
    let mut tags: HashMap<i64, Vec<String>> = HashMap::new();
    for (id, tag) in tag_rows {
        tags.entry(id).or_default().push(tag);
    }
    Ok(rows
        .into_iter()
        .map(
            |(id, programme_id, slug, title, summary, body_markdown, publish_at, created_at, updated_at)| {
                NewsItem {
                    id,
                    programme_id,
                    slug,
                    title,
                    summary,
                    body_markdown,
                    publish_at: Timestamp(publish_at),
                    created_at: Timestamp(created_at),
                    updated_at: Timestamp(updated_at),
                    tags: tags.remove(&id).unwrap_or_default(),
                }
            },
        )
        .collect())
}

/// Tags as stored: trimmed, lower case, no empty ones and no repeats (in the order given).
fn tidy_tags(tags: &[String]) -> Vec<String> {
    let mut tidy: Vec<String> = Vec::new();
    for tag in tags {
        let tag = tag.trim().to_lowercase();
        if !tag.is_empty() && !tidy.contains(&tag) {
            tidy.push(tag);
        }
    }
    tidy
}

async fn replace_tags(tx: &mut Tx, id: i64, tags: &[String]) -> Result<()> {
    let tags = tidy_tags(tags);
    on_tx!(tx, |conn| {
        sqlx::query("DELETE FROM news_tags WHERE news_id = $1")
            .bind(id)
            .execute(&mut *conn)
            .await?;
        for tag in &tags {
            sqlx::query("INSERT INTO news_tags (news_id, tag) VALUES ($1, $2)")
                .bind(id)
                .bind(tag)
                .execute(&mut *conn)
                .await?;
        }
        Ok(())
    })
}

/// Creates an item; its slug comes from the title, with "-2", "-3"… when taken. Tags are
/// stored trimmed, in lower case and once each. Returns the new id and slug.
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
            // A slug taken meanwhile (by another writer too) inserts nothing: try the next.
            let inserted: Option<(i64,)> = sqlx::query_as(
                "INSERT INTO news_items (programme_id, slug, title, summary, body_markdown, publish_at, author_user_id, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) ON CONFLICT (slug) DO NOTHING RETURNING id",
            )
            .bind(draft.programme_id)
            .bind(&slug)
            .bind(draft.title)
            .bind(draft.summary)
            .bind(draft.body_markdown)
            .bind(draft.publish_at.0)
            .bind(author)
            .bind(now.0)
            .fetch_optional(&mut *conn)
            .await?;
            if let Some((id,)) = inserted {
                break (id, slug);
            }
            n += 1;
            slug = format!("{base}-{n}");
        }
    });
    replace_tags(tx, id_and_slug.0, draft.tags).await?;
    Ok(id_and_slug)
}

/// Changes an item (its address and programme stay, so links keep working); tags are
/// replaced. [`crate::StoreError::NotFound`] when there is no such item.
pub async fn update(tx: &mut Tx, id: i64, draft: &Draft<'_>, now: Timestamp) -> Result<()> {
    let changed = on_tx!(tx, |conn| {
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
        .await?
        .rows_affected()
    });
    if changed == 0 {
        return Err(crate::StoreError::NotFound);
    }
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
pub async fn of_programme(db: &Db, programme_id: ProgrammeId) -> Result<Vec<NewsItem>> {
    let sql = format!("{ITEM_SELECT} WHERE programme_id = $1 ORDER BY publish_at DESC, id DESC");
    let rows: Vec<ItemRow> = on_db!(db, |pool| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(programme_id.0)
        .fetch_all(pool)
        .await?);
    with_tags(db, rows).await
}

/// Published items sharing a tag with `item`: most shared tags first, then newest.
pub async fn related(db: &Db, item: &NewsItem, now: Timestamp, limit: i64) -> Result<Vec<NewsItem>> {
    let rows: Vec<ItemRow> = on_db!(db, |pool| {
        sqlx::query_as(
            "SELECT n.id, n.programme_id, n.slug, n.title, n.summary, n.body_markdown, n.publish_at, \
             n.created_at, n.updated_at FROM news_items n JOIN (\
               SELECT t.news_id, COUNT(*) AS shared FROM news_tags t \
               JOIN news_tags mine ON mine.tag = t.tag AND mine.news_id = $1 \
               WHERE t.news_id <> $1 GROUP BY t.news_id\
             ) s ON s.news_id = n.id WHERE n.publish_at <= $2 \
             ORDER BY s.shared DESC, n.publish_at DESC, n.id DESC LIMIT $3",
        )
        .bind(item.id)
        .bind(now.0)
        .bind(limit)
        .fetch_all(pool)
        .await?
    });
    with_tags(db, rows).await
}
