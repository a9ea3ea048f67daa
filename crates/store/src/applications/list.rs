//! The admin list of a round's applications, filtered and paged, and the export in batches.

use super::sections::decode_answers;
use crate::rows::named_row;
use crate::{Db, Result, StoreError, on_db};
use convene_domain::RoundId;
use convene_domain::applications::ApplicationStatus;
use convene_domain::forms::Answers;
use convene_domain::{Pence, Timestamp};

/// Filters for the admin list of a round's applications.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListFilter {
    pub status: Option<ApplicationStatus>,
    /// A place kind key ("council").
    pub place_kind: Option<String>,
    pub region: Option<String>,
}

/// One line of the admin list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listed {
    pub id: i64,
    pub reference: Option<String>,
    pub status: ApplicationStatus,
    pub place_name: String,
    pub place_kind: String,
    pub region: Option<String>,
    pub pledge: Option<Pence>,
    pub updated_at: Timestamp,
    pub submitted_at: Option<Timestamp>,
}

/// A page of the admin list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListPage {
    pub rows: Vec<Listed>,
    /// How many match the filter, over every page.
    pub total: i64,
    /// How many of the round's applications are in each status, whatever the filter.
    pub counts: Vec<(ApplicationStatus, i64)>,
}

named_row! {
    /// One line of the admin list as stored.
    struct ListRow {
        id: i64,
        reference: Option<String>,
        status: String,
        place_name: String,
        place_kind: String,
        region: Option<String>,
        pledge_pence: Option<i64>,
        updated_at: i64,
        submitted_at: Option<i64>,
    }
}

/// The columns of a [`ListRow`], from applications `a` joined to places `p`.
const LIST_COLUMNS: &str = "a.id, a.reference, a.status, p.name AS place_name, p.kind AS place_kind, p.region, \
     a.pledge_pence, a.updated_at, a.submitted_at";

impl ListRow {
    /// The list line; a status this version does not know is malformed data.
    fn into_listed(self) -> Result<Listed> {
        let status = ApplicationStatus::from_key(&self.status)
            .ok_or_else(|| StoreError::Malformed(format!("status {}", self.status)))?;
        Ok(Listed {
            id: self.id,
            reference: self.reference,
            status,
            place_name: self.place_name,
            place_kind: self.place_kind,
            region: self.region,
            pledge: self.pledge_pence.map(Pence),
            updated_at: Timestamp(self.updated_at),
            submitted_at: self.submitted_at.map(Timestamp),
        })
    }
}

named_row! {
    /// One section of one exported application: the list line's columns, the form, and
    /// the section's answers as JSON (none when nothing is saved yet).
    struct ExportRow {
        id: i64,
        reference: Option<String>,
        status: String,
        place_name: String,
        place_kind: String,
        region: Option<String>,
        pledge_pence: Option<i64>,
        updated_at: i64,
        submitted_at: Option<i64>,
        form_id: i64,
        answers: Option<String>,
    }
}

impl ExportRow {
    /// The list line's part, the form id and the answers' JSON.
    fn split(self) -> (ListRow, i64, Option<String>) {
        let line = ListRow {
            id: self.id,
            reference: self.reference,
            status: self.status,
            place_name: self.place_name,
            place_kind: self.place_kind,
            region: self.region,
            pledge_pence: self.pledge_pence,
            updated_at: self.updated_at,
            submitted_at: self.submitted_at,
        };
        (line, self.form_id, self.answers)
    }
}

/// Builds the WHERE clause of a filter; values go in as binds after `$1` (the round).
fn filter_sql(filter: &ListFilter) -> (String, Vec<String>) {
    let mut clause = String::from("a.round_id = $1");
    let mut binds = Vec::new();
    if let Some(status) = filter.status {
        binds.push(status.key().to_string());
        clause.push_str(&format!(" AND a.status = ${}", binds.len() + 1));
    }
    if let Some(kind) = &filter.place_kind {
        binds.push(kind.clone());
        clause.push_str(&format!(" AND p.kind = ${}", binds.len() + 1));
    }
    if let Some(region) = &filter.region {
        binds.push(region.clone());
        clause.push_str(&format!(" AND p.region = ${}", binds.len() + 1));
    }
    (clause, binds)
}

/// One page of a round's applications (by place name), with the total and the counts.
pub async fn list(
    db: &Db,
    round_id: RoundId,
    filter: &ListFilter,
    page: i64,
    per_page: i64,
) -> Result<ListPage> {
    let (clause, binds) = filter_sql(filter);
    // Saturating: a page number far past the end is an empty page, never an overflow.
    let offset = (page.max(1) - 1).saturating_mul(per_page);
    let rows_sql = format!(
        "SELECT {LIST_COLUMNS} FROM applications a JOIN places p ON p.id = a.place_id WHERE {clause} \
         ORDER BY p.name, a.id LIMIT {per_page} OFFSET {offset}"
    );
    let total_sql =
        format!("SELECT COUNT(*) FROM applications a JOIN places p ON p.id = a.place_id WHERE {clause}");
    let (rows, total, counts): (Vec<ListRow>, i64, Vec<(String, i64)>) = on_db!(db, |pool| {
        let mut q = sqlx::query_as(sqlx::AssertSqlSafe(rows_sql)).bind(round_id.0);
        let mut t = sqlx::query_as(sqlx::AssertSqlSafe(total_sql)).bind(round_id.0);
        for b in &binds {
            q = q.bind(b);
            t = t.bind(b);
        }
        let rows = q.fetch_all(pool).await?;
        let (total,): (i64,) = t.fetch_one(pool).await?;
        let counts =
            sqlx::query_as("SELECT status, COUNT(*) FROM applications WHERE round_id = $1 GROUP BY status")
                .bind(round_id.0)
                .fetch_all(pool)
                .await?;
        (rows, total, counts)
    });
    let rows = rows
        .into_iter()
        .map(ListRow::into_listed)
        .collect::<Result<Vec<_>>>()?;
    let counts = ApplicationStatus::ALL
        .into_iter()
        .map(|s| {
            let n = counts.iter().find(|(k, _)| k == s.key()).map_or(0, |(_, n)| *n);
            (s, n)
        })
        .collect();
    Ok(ListPage { rows, total, counts })
}

/// One application as exported: its list line and every answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exported {
    pub listed: Listed,
    pub form_id: i64,
    pub answers: Answers,
}

/// The next `limit` applications of a round after id `after` (by id), with their answers:
/// exports page through a round with this, so memory does not grow with its size.
pub async fn export_batch(
    db: &Db,
    round_id: RoundId,
    filter: &ListFilter,
    after: i64,
    limit: i64,
) -> Result<Vec<Exported>> {
    let (clause, binds) = filter_sql(filter);
    let after_bind = binds.len() + 2;
    let sql = format!(
        "SELECT {LIST_COLUMNS}, a.form_id, s.answers FROM (SELECT a.* FROM applications a JOIN places p ON p.id = a.place_id \
         WHERE {clause} AND a.id > ${after_bind} ORDER BY a.id LIMIT {limit}) a \
         JOIN places p ON p.id = a.place_id LEFT JOIN application_sections s ON s.application_id = a.id \
         ORDER BY a.id"
    );
    let rows: Vec<ExportRow> = on_db!(db, |pool| {
        let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(round_id.0);
        for b in &binds {
            q = q.bind(b);
        }
        q.bind(after).fetch_all(pool).await?
    });
    let mut out: Vec<Exported> = Vec::new();
    for row in rows {
        let (line, form_id, json) = row.split();
        let answers = match &json {
            Some(json) => decode_answers(json)?,
            None => Answers::new(),
        };
        if let Some(last) = out.last_mut().filter(|e| e.listed.id == line.id) {
            last.answers.extend(answers);
            continue;
        }
        out.push(Exported {
            listed: line.into_listed()?,
            form_id,
            answers,
        });
    }
    Ok(out)
}
