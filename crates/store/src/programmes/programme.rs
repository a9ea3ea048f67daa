//! Programmes: the record, its public page and summary, and its fund, worked out from
//! what the partner bodies put in.

use crate::rows::named_row;
use crate::{Db, Result, Tx, on_db, on_tx};
use convene_domain::Pence;
use convene_domain::ProgrammeId;
use convene_domain::programmes::fund_position;

pub use convene_domain::programmes::Programme;

named_row! {
    /// A programme as stored, with what its partners put in.
    struct ProgrammeRow {
        id: i64,
        slug: String,
        name: String,
        summary: String,
        contact_email: String,
        contributed_pence: i64,
        pledged_pence: i64,
        awarded_pence: i64,
        page_markdown: String,
    }
}

// The sums are CAST to BIGINT so both stores return the same type. The fund holds the
// partners' contributions and the match contributions of places that accepted.
const PROGRAMME_SELECT: &str = "SELECT p.id, p.slug, p.name, p.summary, p.contact_email, \
     CAST(COALESCE((SELECT SUM(pp.contribution_pence) FROM programme_partners pp WHERE pp.programme_id = p.id), 0) AS BIGINT) \
     AS contributed_pence, \
     CAST(COALESCE((SELECT SUM(a.match_pledge_pence) FROM awards a WHERE a.programme_id = p.id \
       AND a.status = 'accepted'), 0) AS BIGINT) AS pledged_pence, \
     CAST(COALESCE((SELECT SUM(a.value_pence) FROM awards a WHERE a.programme_id = p.id \
       AND a.status <> 'declined' AND a.announced_at IS NOT NULL), 0) AS BIGINT) AS awarded_pence, \
     p.page_markdown FROM programmes p";

impl From<ProgrammeRow> for Programme {
    fn from(row: ProgrammeRow) -> Self {
        // Announced awards only: what is decided but not yet announced is the staff's to know
        // (convene_domain::awards::Fund).
        let fund = fund_position(
            &[Pence(row.contributed_pence), Pence(row.pledged_pence)],
            &[Pence(row.awarded_pence)],
        );
        Programme {
            id: ProgrammeId(row.id),
            slug: row.slug,
            name: row.name,
            summary: row.summary,
            contact_email: row.contact_email,
            fund,
            page_markdown: row.page_markdown,
        }
    }
}

/// Every programme, by name.
pub async fn list(db: &Db) -> Result<Vec<Programme>> {
    let sql = format!("{PROGRAMME_SELECT} ORDER BY LOWER(p.name), p.id");
    let rows: Vec<ProgrammeRow> = on_db!(db, |pool| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .fetch_all(pool)
        .await?);
    Ok(rows.into_iter().map(Programme::from).collect())
}

/// The programmes with these ids, by name.
pub async fn by_ids(db: &Db, ids: &[ProgrammeId]) -> Result<Vec<Programme>> {
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
    Ok(row.map(Programme::from))
}

/// Changes a programme's summary text.
pub async fn set_summary(tx: &mut Tx, programme_id: ProgrammeId, summary: &str) -> Result<bool> {
    on_tx!(tx, |conn| {
        let done = sqlx::query("UPDATE programmes SET summary = $1 WHERE id = $2")
            .bind(summary)
            .bind(programme_id.0)
            .execute(conn)
            .await?;
        Ok(done.rows_affected() == 1)
    })
}

/// Changes a programme's public page (Markdown).
pub async fn set_page_markdown(tx: &mut Tx, programme_id: ProgrammeId, markdown: &str) -> Result<bool> {
    on_tx!(tx, |conn| {
        let done = sqlx::query("UPDATE programmes SET page_markdown = $1 WHERE id = $2")
            .bind(markdown)
            .bind(programme_id.0)
            .execute(conn)
            .await?;
        Ok(done.rows_affected() == 1)
    })
}

/// How long a day of an enabler's contact is in the programme, in minutes.
pub async fn contact_day_minutes(db: &Db, programme_id: ProgrammeId) -> Result<i64> {
    let row: Option<(i64,)> = on_db!(db, |pool| sqlx::query_as(
        "SELECT contact_day_minutes FROM programmes WHERE id = $1"
    )
    .bind(programme_id.0)
    .fetch_optional(pool)
    .await?);
    row.map(|(m,)| m).ok_or(crate::StoreError::NotFound)
}
