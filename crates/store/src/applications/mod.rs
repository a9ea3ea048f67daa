//! Applications and their answers. Answers are saved a section at a time; each section
//! carries a version, and a save names the version it was typed over, so the later of two
//! conflicting saves is refused and told, never silently applied.

mod list;
mod sections;

pub use list::{Exported, ListFilter, ListPage, Listed, export_batch, list};
pub use sections::{SaveOutcome, SavedSection, SectionSave, merge, save_section, sections};

use crate::rows::named_row;
use crate::{Db, Result, StoreError, Tx, on_db, on_tx};
use convene_domain::applications::{ApplicationStatus, answers_digest};
use convene_domain::forms::Answers;
use convene_domain::{ApplicationId, PlaceId, ProgrammeId, RoundId};
use convene_domain::{Pence, Timestamp};

pub use convene_domain::applications::Application;

named_row! {
    /// An application as stored: its status as a key, times in seconds.
    struct ApplicationRow {
        id: i64,
        round_id: i64,
        place_id: i64,
        form_id: i64,
        status: String,
        reference: Option<String>,
        pledge_pence: Option<i64>,
        answers_digest: String,
        created_at: i64,
        updated_at: i64,
        submitted_at: Option<i64>,
        withdrawn_at: Option<i64>,
        withdrawn_reason: Option<String>,
        deadline_extended_to: Option<i64>,
    }
}

const COLUMNS: &str = "a.id, a.round_id, a.place_id, a.form_id, a.status, a.reference, a.pledge_pence, \
     a.answers_digest, a.created_at, a.updated_at, a.submitted_at, a.withdrawn_at, a.withdrawn_reason, \
     a.deadline_extended_to";

impl ApplicationRow {
    /// The record; a status this version does not know is malformed data.
    fn into_record(self) -> Result<Application> {
        let status = ApplicationStatus::from_key(&self.status).ok_or_else(|| {
            StoreError::Malformed(format!("application {} status {}", self.id, self.status))
        })?;
        Ok(Application {
            id: ApplicationId(self.id),
            round_id: RoundId(self.round_id),
            place_id: PlaceId(self.place_id),
            form_id: self.form_id,
            status,
            reference: self.reference,
            pledge: self.pledge_pence.map(Pence),
            answers_digest: self.answers_digest,
            created_at: Timestamp(self.created_at),
            updated_at: Timestamp(self.updated_at),
            submitted_at: self.submitted_at.map(Timestamp),
            withdrawn_at: self.withdrawn_at.map(Timestamp),
            withdrawn_reason: self.withdrawn_reason,
            deadline_extended_to: self.deadline_extended_to.map(Timestamp),
        })
    }
}

/// Starts a place's application to a round on the given form, or returns the one it
/// already has (a place has one application per round, shared by its leads).
pub async fn start(
    tx: &mut Tx,
    round_id: RoundId,
    place_id: PlaceId,
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
        .bind(round_id.0)
        .bind(place_id.0)
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
                .bind(round_id.0)
                .bind(place_id.0)
                .fetch_one(conn)
                .await?;
        Ok((id, false))
    })
}

/// One application by id.
pub async fn by_id(db: &Db, id: i64) -> Result<Option<Application>> {
    let sql = format!("SELECT {COLUMNS} FROM applications a WHERE a.id = $1");
    let row: Option<ApplicationRow> = on_db!(db, |pool| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(pool)
        .await?);
    row.map(ApplicationRow::into_record).transpose()
}

/// One application by its reference ("LV-2013-0007").
pub async fn by_reference(db: &Db, reference: &str) -> Result<Option<Application>> {
    let sql = format!("SELECT {COLUMNS} FROM applications a WHERE a.reference = $1");
    let row: Option<ApplicationRow> = on_db!(db, |pool| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(reference)
        .fetch_optional(pool)
        .await?);
    row.map(ApplicationRow::into_record).transpose()
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
    let rows: Vec<ApplicationRow> = on_db!(db, |pool| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .fetch_all(pool)
        .await?);
    rows.into_iter().map(ApplicationRow::into_record).collect()
}

/// The place's application to a round, if it has started one.
pub async fn for_place_in_round(
    db: &Db,
    round_id: RoundId,
    place_id: PlaceId,
) -> Result<Option<Application>> {
    let sql = format!("SELECT {COLUMNS} FROM applications a WHERE a.round_id = $1 AND a.place_id = $2");
    let row: Option<ApplicationRow> = on_db!(db, |pool| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(round_id.0)
        .bind(place_id.0)
        .fetch_optional(pool)
        .await?);
    row.map(ApplicationRow::into_record).transpose()
}

/// Marks an application as waiting for sign-off (when links go out).
pub async fn set_awaiting_signoff(tx: &mut Tx, application_id: ApplicationId) -> Result<()> {
    on_tx!(tx, |conn| {
        sqlx::query("UPDATE applications SET status = 'awaiting_signoff' WHERE id = $1 AND status = 'draft'")
            .bind(application_id.0)
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
pub async fn submit(tx: &mut Tx, application_id: ApplicationId, now: Timestamp) -> Result<SubmitOutcome> {
    on_tx!(tx, |conn| {
        let changed = sqlx::query(
            "UPDATE applications SET status = 'submitted', submitted_at = $2, updated_at = $2 \
             WHERE id = $1 AND status IN ('draft', 'awaiting_signoff')",
        )
        .bind(application_id.0)
        .bind(now.0)
        .execute(&mut *conn)
        .await?
        .rows_affected();
        if changed == 0 {
            let (status, reference): (String, Option<String>) =
                sqlx::query_as("SELECT status, reference FROM applications WHERE id = $1")
                    .bind(application_id.0)
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
        .bind(application_id.0)
        .fetch_one(&mut *conn)
        .await?;
        let reference = convene_domain::applications::reference(&prefix, number);
        sqlx::query("UPDATE applications SET reference = $2 WHERE id = $1")
            .bind(application_id.0)
            .bind(&reference)
            .execute(conn)
            .await?;
        Ok(SubmitOutcome::Submitted { reference })
    })
}

/// Withdraws an application that is not already withdrawn; false when it was.
pub async fn withdraw(
    tx: &mut Tx,
    application_id: ApplicationId,
    reason: &str,
    now: Timestamp,
) -> Result<bool> {
    on_tx!(tx, |conn| {
        let done = sqlx::query(
            "UPDATE applications SET status = 'withdrawn', withdrawn_at = $2, withdrawn_reason = $3, updated_at = $2 \
             WHERE id = $1 AND status <> 'withdrawn'",
        )
        .bind(application_id.0)
        .bind(now.0)
        .bind(reason)
        .execute(conn)
        .await?;
        Ok(done.rows_affected() == 1)
    })
}

/// Gives one application a later deadline than its round's.
pub async fn extend_deadline(tx: &mut Tx, application_id: ApplicationId, to: Timestamp) -> Result<bool> {
    on_tx!(tx, |conn| {
        let done = sqlx::query("UPDATE applications SET deadline_extended_to = $2 WHERE id = $1")
            .bind(application_id.0)
            .bind(to.0)
            .execute(conn)
            .await?;
        Ok(done.rows_affected() == 1)
    })
}

/// The match contributions pledged in a programme's submitted applications: the total and
/// how many places pledged.
pub async fn pledges_in_programme(db: &Db, programme_id: ProgrammeId) -> Result<(Pence, i64)> {
    let (total, count): (i64, i64) = on_db!(db, |pool| {
        sqlx::query_as(
            "SELECT CAST(COALESCE(SUM(a.pledge_pence), 0) AS BIGINT), COUNT(a.pledge_pence) FROM applications a \
             JOIN rounds r ON r.id = a.round_id WHERE r.programme_id = $1 AND a.status = 'submitted'",
        )
        .bind(programme_id.0)
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
pub async fn claim_reminder(tx: &mut Tx, application_id: ApplicationId, now: Timestamp) -> Result<bool> {
    on_tx!(tx, |conn| {
        let done =
            sqlx::query("UPDATE applications SET reminded_at = $2 WHERE id = $1 AND reminded_at IS NULL")
                .bind(application_id.0)
                .bind(now.0)
                .execute(conn)
                .await?;
        Ok(done.rows_affected() == 1)
    })
}
