//! Programmes: the record, its public page and summary, and its fund, worked out from
//! what the partner bodies put in.

use crate::{Db, Result, Tx, on_db, on_tx};
use convene_domain::Pence;
use convene_domain::programmes::{FundPosition, fund_position};

/// A programme with its fund worked out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Programme {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub summary: String,
    pub contact_email: String,
    pub fund: FundPosition,
    /// The public page, in Markdown (rendered and sanitised by the web layer).
    pub page_markdown: String,
}

type ProgrammeRow = (i64, String, String, String, String, i64, String);

const PROGRAMME_SELECT: &str = "SELECT p.id, p.slug, p.name, p.summary, p.contact_email, \
     CAST(COALESCE((SELECT SUM(pp.contribution_pence) FROM programme_partners pp WHERE pp.programme_id = p.id), 0) AS BIGINT), \
     p.page_markdown FROM programmes p";

fn to_programme((id, slug, name, summary, contact_email, total, page_markdown): ProgrammeRow) -> Programme {
    // Awards arrive with the review capability; until then nothing is awarded.
    let fund = fund_position(&[Pence(total)], &[]);
    Programme {
        id,
        slug,
        name,
        summary,
        contact_email,
        fund,
        page_markdown,
    }
}

/// Every programme, by name.
pub async fn list(db: &Db) -> Result<Vec<Programme>> {
    let sql = format!("{PROGRAMME_SELECT} ORDER BY LOWER(p.name), p.id");
    let rows: Vec<ProgrammeRow> = on_db!(db, |pool| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .fetch_all(pool)
        .await?);
    Ok(rows.into_iter().map(to_programme).collect())
}

/// The programmes with these ids, by name.
pub async fn by_ids(db: &Db, ids: &[i64]) -> Result<Vec<Programme>> {
    let all = list(db).await?;
    Ok(all.into_iter().filter(|p| ids.contains(&p.id)).collect())
}

/// One programme by its slug.
pub async fn by_slug(db: &Db, slug: &str) -> Result<Option<Programme>> {
    let sql = format!("{PROGRAMME_SELECT} WHERE p.slug = $1");
    let row: Option<ProgrammeRow> = on_db!(db, |pool| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(slug)
        .fetch_optional(pool)
        .await?);
    Ok(row.map(to_programme))
}

/// Changes a programme's summary text.
pub async fn set_summary(tx: &mut Tx, programme_id: i64, summary: &str) -> Result<bool> {
    on_tx!(tx, |conn| {
        let done = sqlx::query("UPDATE programmes SET summary = $1 WHERE id = $2")
            .bind(summary)
            .bind(programme_id)
            .execute(conn)
            .await?;
        Ok(done.rows_affected() == 1)
    })
}

/// Changes a programme's public page (Markdown).
pub async fn set_page_markdown(tx: &mut Tx, programme_id: i64, markdown: &str) -> Result<bool> {
    on_tx!(tx, |conn| {
        let done = sqlx::query("UPDATE programmes SET page_markdown = $1 WHERE id = $2")
            .bind(markdown)
            .bind(programme_id)
            .execute(conn)
            .await?;
        Ok(done.rows_affected() == 1)
    })
}
