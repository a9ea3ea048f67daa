//! Applications and their answers. Answers are saved a section at a time; each section
//! carries a version, and a save names the version it was typed over, so the later of two
//! conflicting saves is refused and told, never silently applied.

use crate::{Db, Result, StoreError, Tx, on_db, on_tx};
use convene_domain::applications::{ApplicationStatus, after_save, answers_digest};
use convene_domain::forms::{Answers, FormDefinition};
use convene_domain::{Pence, Timestamp};

/// An application, without its answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Application {
    pub id: i64,
    pub round_id: i64,
    pub place_id: i64,
    pub form_id: i64,
    pub status: ApplicationStatus,
    pub reference: Option<String>,
    pub pledge: Option<Pence>,
    pub answers_digest: String,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub submitted_at: Option<Timestamp>,
    pub withdrawn_at: Option<Timestamp>,
    pub withdrawn_reason: Option<String>,
    pub deadline_extended_to: Option<Timestamp>,
}

type Row = (
    i64,
    i64,
    i64,
    i64,
    String,
    Option<String>,
    Option<i64>,
    String,
    i64,
    i64,
    Option<i64>,
    Option<i64>,
    Option<String>,
    Option<i64>,
);

const COLUMNS: &str = "a.id, a.round_id, a.place_id, a.form_id, a.status, a.reference, a.pledge_pence, \
     a.answers_digest, a.created_at, a.updated_at, a.submitted_at, a.withdrawn_at, a.withdrawn_reason, \
     a.deadline_extended_to";

fn to_application(r: Row) -> Result<Application> {
    Ok(Application {
        id: r.0,
        round_id: r.1,
        place_id: r.2,
        form_id: r.3,
        status: ApplicationStatus::from_key(&r.4)
            .ok_or_else(|| StoreError::Malformed(format!("application {} status {}", r.0, r.4)))?,
        reference: r.5,
        pledge: r.6.map(Pence),
        answers_digest: r.7,
        created_at: Timestamp(r.8),
        updated_at: Timestamp(r.9),
        submitted_at: r.10.map(Timestamp),
        withdrawn_at: r.11.map(Timestamp),
        withdrawn_reason: r.12,
        deadline_extended_to: r.13.map(Timestamp),
    })
}

/// Starts a place's application to a round on the given form, or returns the one it
/// already has (a place has one application per round, shared by its leads).
pub async fn start(
    tx: &mut Tx,
    round_id: i64,
    place_id: i64,
    form_id: i64,
    user_id: Option<i64>,
    now: Timestamp,
) -> Result<(i64, bool)> {
    let empty = answers_digest(&Answers::new());
    on_tx!(tx, |conn| {
        let inserted: Option<(i64,)> = sqlx::query_as(
            "INSERT INTO applications (round_id, place_id, form_id, status, answers_digest, created_by, created_at, updated_at) \
             VALUES ($1, $2, $3, 'draft', $4, $5, $6, $6) ON CONFLICT (round_id, place_id) DO NOTHING RETURNING id",
        )
        .bind(round_id)
        .bind(place_id)
        .bind(form_id)
        .bind(&empty)
        .bind(user_id)
        .bind(now.0)
        .fetch_optional(&mut *conn)
        .await?;
        if let Some((id,)) = inserted {
            return Ok((id, true));
        }
        let (id,): (i64,) =
            sqlx::query_as("SELECT id FROM applications WHERE round_id = $1 AND place_id = $2")
                .bind(round_id)
                .bind(place_id)
                .fetch_one(conn)
                .await?;
        Ok((id, false))
    })
}

/// One application by id.
pub async fn by_id(db: &Db, id: i64) -> Result<Option<Application>> {
    let sql = format!("SELECT {COLUMNS} FROM applications a WHERE a.id = $1");
    let row: Option<Row> = on_db!(db, |pool| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(pool)
        .await?);
    row.map(to_application).transpose()
}

/// One application by its reference ("LV-2013-0007").
pub async fn by_reference(db: &Db, reference: &str) -> Result<Option<Application>> {
    let sql = format!("SELECT {COLUMNS} FROM applications a WHERE a.reference = $1");
    let row: Option<Row> = on_db!(db, |pool| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(reference)
        .fetch_optional(pool)
        .await?);
    row.map(to_application).transpose()
}

/// The applications of the given places, newest first (for a place lead's dashboard).
pub async fn for_places(db: &Db, place_ids: &[i64]) -> Result<Vec<Application>> {
    if place_ids.is_empty() {
        return Ok(Vec::new());
    }
    let list = place_ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
    let sql = format!(
        "SELECT {COLUMNS} FROM applications a WHERE a.place_id IN ({list}) ORDER BY a.created_at DESC"
    );
    let rows: Vec<Row> = on_db!(db, |pool| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .fetch_all(pool)
        .await?);
    rows.into_iter().map(to_application).collect()
}

/// The place's application to a round, if it has started one.
pub async fn for_place_in_round(db: &Db, round_id: i64, place_id: i64) -> Result<Option<Application>> {
    let sql = format!("SELECT {COLUMNS} FROM applications a WHERE a.round_id = $1 AND a.place_id = $2");
    let row: Option<Row> = on_db!(db, |pool| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(round_id)
        .bind(place_id)
        .fetch_optional(pool)
        .await?);
    row.map(to_application).transpose()
}

/// A section's saved answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedSection {
    pub key: String,
    pub answers: Answers,
    pub version: i64,
    pub updated_at: Timestamp,
}

fn decode_answers(json: &str) -> Result<Answers> {
    serde_json::from_str(json).map_err(|e| StoreError::Malformed(format!("answers: {e}")))
}

/// Every saved section of an application.
pub async fn sections(db: &Db, application_id: i64) -> Result<Vec<SavedSection>> {
    let rows: Vec<(String, String, i64, i64)> = on_db!(db, |pool| {
        sqlx::query_as(
            "SELECT section_key, answers, version, updated_at FROM application_sections \
             WHERE application_id = $1 ORDER BY section_key",
        )
        .bind(application_id)
        .fetch_all(pool)
        .await?
    });
    rows.into_iter()
        .map(|(key, answers, version, updated_at)| {
            Ok(SavedSection {
                key,
                answers: decode_answers(&answers)?,
                version,
                updated_at: Timestamp(updated_at),
            })
        })
        .collect()
}

/// All of an application's answers in one map.
pub fn merge(sections: &[SavedSection]) -> Answers {
    sections
        .iter()
        .flat_map(|s| s.answers.iter().map(|(k, v)| (k.clone(), v.clone())))
        .collect()
}

/// What became of a section save.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SaveOutcome {
    /// Saved as this version. `voided_signoffs` is true when the change voided sign-offs
    /// given on the earlier answers.
    Saved { version: i64, voided_signoffs: bool },
    /// Someone saved this section since the page was loaded; nothing was written.
    Conflict { current: Option<SavedSection> },
    /// The application is submitted or withdrawn; nothing was written.
    NotEditable(ApplicationStatus),
}

/// Saves one section's answers over `expected_version` (0 for a section never saved).
/// Updates the application's fingerprint and pledge; a changed fingerprint voids every
/// sign-off given or asked for, and an application waiting for sign-off goes back to draft.
#[allow(clippy::too_many_arguments)]
pub async fn save_section(
    tx: &mut Tx,
    application_id: i64,
    form: &FormDefinition,
    section_key: &str,
    answers: &Answers,
    expected_version: i64,
    user_id: Option<i64>,
    now: Timestamp,
) -> Result<SaveOutcome> {
    let json = serde_json::to_string(answers).map_err(|e| StoreError::Malformed(e.to_string()))?;
    on_tx!(tx, |conn| {
        // Taking the application row first serialises saves to one application.
        let (status, old_digest): (String, String) = sqlx::query_as(
            "UPDATE applications SET answers_digest = answers_digest WHERE id = $1 RETURNING status, answers_digest",
        )
        .bind(application_id)
        .fetch_one(&mut *conn)
        .await?;
        let status = ApplicationStatus::from_key(&status)
            .ok_or_else(|| StoreError::Malformed(format!("status {status}")))?;
        if !status.is_editable() {
            return Ok(SaveOutcome::NotEditable(status));
        }
        let written = if expected_version == 0 {
            sqlx::query(
                "INSERT INTO application_sections (application_id, section_key, answers, version, updated_at, updated_by) \
                 VALUES ($1, $2, $3, 1, $4, $5) ON CONFLICT (application_id, section_key) DO NOTHING",
            )
            .bind(application_id)
            .bind(section_key)
            .bind(&json)
            .bind(now.0)
            .bind(user_id)
            .execute(&mut *conn)
            .await?
            .rows_affected()
        } else {
            sqlx::query(
                "UPDATE application_sections SET answers = $3, version = version + 1, updated_at = $4, updated_by = $5 \
                 WHERE application_id = $1 AND section_key = $2 AND version = $6",
            )
            .bind(application_id)
            .bind(section_key)
            .bind(&json)
            .bind(now.0)
            .bind(user_id)
            .bind(expected_version)
            .execute(&mut *conn)
            .await?
            .rows_affected()
        };
        let rows: Vec<(String, String, i64, i64)> = sqlx::query_as(
            "SELECT section_key, answers, version, updated_at FROM application_sections WHERE application_id = $1",
        )
        .bind(application_id)
        .fetch_all(&mut *conn)
        .await?;
        let saved: Vec<SavedSection> = rows
            .into_iter()
            .map(|(key, answers, version, updated_at)| {
                Ok(SavedSection {
                    key,
                    answers: decode_answers(&answers)?,
                    version,
                    updated_at: Timestamp(updated_at),
                })
            })
            .collect::<Result<_>>()?;
        let this = saved.iter().find(|s| s.key == section_key).cloned();
        if written == 0 {
            return Ok(SaveOutcome::Conflict { current: this });
        }
        let after = after_save(form, &merge(&saved), status, &old_digest);
        sqlx::query(
            "UPDATE applications SET answers_digest = $2, pledge_pence = $3, status = $4, updated_at = $5 WHERE id = $1",
        )
        .bind(application_id)
        .bind(&after.answers_digest)
        .bind(after.pledge.map(|p| p.0))
        .bind(after.status.key())
        .bind(now.0)
        .execute(&mut *conn)
        .await?;
        let voided = if after.void_signoffs {
            sqlx::query("UPDATE signoffs SET voided_at = $2 WHERE application_id = $1 AND voided_at IS NULL")
                .bind(application_id)
                .bind(now.0)
                .execute(&mut *conn)
                .await?
                .rows_affected()
        } else {
            0
        };
        Ok(SaveOutcome::Saved {
            version: this.map(|s| s.version).unwrap_or(1),
            voided_signoffs: voided > 0,
        })
    })
}

/// Marks an application as waiting for sign-off (when links go out).
pub async fn set_awaiting_signoff(tx: &mut Tx, application_id: i64) -> Result<()> {
    on_tx!(tx, |conn| {
        sqlx::query("UPDATE applications SET status = 'awaiting_signoff' WHERE id = $1 AND status = 'draft'")
            .bind(application_id)
            .execute(conn)
            .await?;
        Ok(())
    })
}

/// What became of a submission.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SubmitOutcome {
    /// Submitted now, with this reference.
    Submitted { reference: String },
    /// Already submitted (a second click): the reference it was given.
    AlreadySubmitted { reference: String },
    /// Withdrawn: cannot be submitted.
    Withdrawn,
}

/// Submits an application and gives it the round's next reference. Idempotent: a second
/// call returns the reference the first one gave, and never numbers it twice.
pub async fn submit(tx: &mut Tx, application_id: i64, now: Timestamp) -> Result<SubmitOutcome> {
    on_tx!(tx, |conn| {
        let changed = sqlx::query(
            "UPDATE applications SET status = 'submitted', submitted_at = $2, updated_at = $2 \
             WHERE id = $1 AND status IN ('draft', 'awaiting_signoff')",
        )
        .bind(application_id)
        .bind(now.0)
        .execute(&mut *conn)
        .await?
        .rows_affected();
        if changed == 0 {
            let (status, reference): (String, Option<String>) =
                sqlx::query_as("SELECT status, reference FROM applications WHERE id = $1")
                    .bind(application_id)
                    .fetch_one(&mut *conn)
                    .await?;
            return Ok(match (status.as_str(), reference) {
                ("submitted", Some(reference)) => SubmitOutcome::AlreadySubmitted { reference },
                _ => SubmitOutcome::Withdrawn,
            });
        }
        let (prefix, number): (String, i64) = sqlx::query_as(
            "UPDATE rounds SET last_reference = last_reference + 1 \
             WHERE id = (SELECT round_id FROM applications WHERE id = $1) RETURNING reference_prefix, last_reference",
        )
        .bind(application_id)
        .fetch_one(&mut *conn)
        .await?;
        let reference = convene_domain::applications::reference(&prefix, number);
        sqlx::query("UPDATE applications SET reference = $2 WHERE id = $1")
            .bind(application_id)
            .bind(&reference)
            .execute(conn)
            .await?;
        Ok(SubmitOutcome::Submitted { reference })
    })
}

/// Withdraws an application that is not already withdrawn; false when it was.
pub async fn withdraw(tx: &mut Tx, application_id: i64, reason: &str, now: Timestamp) -> Result<bool> {
    on_tx!(tx, |conn| {
        let done = sqlx::query(
            "UPDATE applications SET status = 'withdrawn', withdrawn_at = $2, withdrawn_reason = $3, updated_at = $2 \
             WHERE id = $1 AND status <> 'withdrawn'",
        )
        .bind(application_id)
        .bind(now.0)
        .bind(reason)
        .execute(conn)
        .await?;
        Ok(done.rows_affected() == 1)
    })
}

/// Gives one application a later deadline than its round's.
pub async fn extend_deadline(tx: &mut Tx, application_id: i64, to: Timestamp) -> Result<bool> {
    on_tx!(tx, |conn| {
        let done = sqlx::query("UPDATE applications SET deadline_extended_to = $2 WHERE id = $1")
            .bind(application_id)
            .bind(to.0)
            .execute(conn)
            .await?;
        Ok(done.rows_affected() == 1)
    })
}

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
pub async fn list(db: &Db, round_id: i64, filter: &ListFilter, page: i64, per_page: i64) -> Result<ListPage> {
    let (clause, binds) = filter_sql(filter);
    // Saturating: a page number far past the end is an empty page, never an overflow.
    let offset = (page.max(1) - 1).saturating_mul(per_page);
    let rows_sql = format!(
        "SELECT a.id, a.reference, a.status, p.name, p.kind, p.region, a.pledge_pence, a.updated_at, a.submitted_at \
         FROM applications a JOIN places p ON p.id = a.place_id WHERE {clause} \
         ORDER BY p.name, a.id LIMIT {per_page} OFFSET {offset}"
    );
    let total_sql =
        format!("SELECT COUNT(*) FROM applications a JOIN places p ON p.id = a.place_id WHERE {clause}");
    type ListRow = (
        i64,
        Option<String>,
        String,
        String,
        String,
        Option<String>,
        Option<i64>,
        i64,
        Option<i64>,
    );
    let (rows, total, counts): (Vec<ListRow>, i64, Vec<(String, i64)>) = on_db!(db, |pool| {
        let mut q = sqlx::query_as(sqlx::AssertSqlSafe(rows_sql)).bind(round_id);
        let mut t = sqlx::query_as(sqlx::AssertSqlSafe(total_sql)).bind(round_id);
        for b in &binds {
            q = q.bind(b);
            t = t.bind(b);
        }
        let rows = q.fetch_all(pool).await?;
        let (total,): (i64,) = t.fetch_one(pool).await?;
        let counts =
            sqlx::query_as("SELECT status, COUNT(*) FROM applications WHERE round_id = $1 GROUP BY status")
                .bind(round_id)
                .fetch_all(pool)
                .await?;
        (rows, total, counts)
    });
    let rows = rows
        .into_iter()
        .map(|r| {
            Ok(Listed {
                id: r.0,
                reference: r.1,
                status: ApplicationStatus::from_key(&r.2)
                    .ok_or_else(|| StoreError::Malformed(format!("status {}", r.2)))?,
                place_name: r.3,
                place_kind: r.4,
                region: r.5,
                pledge: r.6.map(Pence),
                updated_at: Timestamp(r.7),
                submitted_at: r.8.map(Timestamp),
            })
        })
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
    round_id: i64,
    filter: &ListFilter,
    after: i64,
    limit: i64,
) -> Result<Vec<Exported>> {
    let (clause, binds) = filter_sql(filter);
    let after_bind = binds.len() + 2;
    let sql = format!(
        "SELECT a.id, a.reference, a.status, p.name, p.kind, p.region, a.pledge_pence, a.updated_at, a.submitted_at, \
         a.form_id, s.answers FROM (SELECT a.* FROM applications a JOIN places p ON p.id = a.place_id \
         WHERE {clause} AND a.id > ${after_bind} ORDER BY a.id LIMIT {limit}) a \
         JOIN places p ON p.id = a.place_id LEFT JOIN application_sections s ON s.application_id = a.id \
         ORDER BY a.id"
    );
    type ExportRow = (
        i64,
        Option<String>,
        String,
        String,
        String,
        Option<String>,
        Option<i64>,
        i64,
        Option<i64>,
        i64,
        Option<String>,
    );
    let rows: Vec<ExportRow> = on_db!(db, |pool| {
        let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(round_id);
        for b in &binds {
            q = q.bind(b);
        }
        q.bind(after).fetch_all(pool).await?
    });
    let mut out: Vec<Exported> = Vec::new();
    for r in rows {
        let answers = match &r.10 {
            Some(json) => decode_answers(json)?,
            None => Answers::new(),
        };
        if let Some(last) = out.last_mut().filter(|e| e.listed.id == r.0) {
            last.answers.extend(answers);
            continue;
        }
        out.push(Exported {
            listed: Listed {
                id: r.0,
                reference: r.1,
                status: ApplicationStatus::from_key(&r.2)
                    .ok_or_else(|| StoreError::Malformed(format!("status {}", r.2)))?,
                place_name: r.3,
                place_kind: r.4,
                region: r.5,
                pledge: r.6.map(Pence),
                updated_at: Timestamp(r.7),
                submitted_at: r.8.map(Timestamp),
            },
            form_id: r.9,
            answers,
        });
    }
    Ok(out)
}

/// The match contributions pledged in a programme's submitted applications: the total and
/// how many places pledged.
pub async fn pledges_in_programme(db: &Db, programme_id: i64) -> Result<(Pence, i64)> {
    let (total, count): (i64, i64) = on_db!(db, |pool| {
        sqlx::query_as(
            "SELECT CAST(COALESCE(SUM(a.pledge_pence), 0) AS BIGINT), COUNT(a.pledge_pence) FROM applications a \
             JOIN rounds r ON r.id = a.round_id WHERE r.programme_id = $1 AND a.status = 'submitted'",
        )
        .bind(programme_id)
        .fetch_one(pool)
        .await?
    });
    Ok((Pence(total), count))
}

/// Unsubmitted applications whose deadline falls between `now` and `until` and that have
/// not been reminded yet.
pub async fn due_reminders(db: &Db, now: Timestamp, until: Timestamp) -> Result<Vec<i64>> {
    let rows: Vec<(i64,)> = on_db!(db, |pool| {
        sqlx::query_as(
            "SELECT a.id FROM applications a JOIN rounds r ON r.id = a.round_id \
             WHERE a.status IN ('draft', 'awaiting_signoff') AND a.reminded_at IS NULL \
             AND COALESCE(a.deadline_extended_to, r.closes_at) BETWEEN $1 AND $2 ORDER BY a.id",
        )
        .bind(now.0)
        .bind(until.0)
        .fetch_all(pool)
        .await?
    });
    Ok(rows.into_iter().map(|(id,)| id).collect())
}

/// Claims an application's reminder; false when another server already sent it.
pub async fn claim_reminder(tx: &mut Tx, application_id: i64, now: Timestamp) -> Result<bool> {
    on_tx!(tx, |conn| {
        let done =
            sqlx::query("UPDATE applications SET reminded_at = $2 WHERE id = $1 AND reminded_at IS NULL")
                .bind(application_id)
                .bind(now.0)
                .execute(conn)
                .await?;
        Ok(done.rows_affected() == 1)
    })
}
