//! A section's answers: read, merged, and saved over the version they were typed over.

use crate::rows::named_row;
use crate::{Db, Result, StoreError, Tx, on_db, on_tx};
use convene_domain::ApplicationId;
use convene_domain::Timestamp;
use convene_domain::applications::{AfterSave, ApplicationStatus, after_save};
use convene_domain::forms::{Answers, FormDefinition};

/// A section's saved answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedSection {
    pub key: String,
    pub answers: Answers,
    pub version: i64,
    pub updated_at: Timestamp,
}

named_row! {
    /// A saved section as stored: its answers as JSON.
    struct SectionRow {
        section_key: String,
        answers: String,
        version: i64,
        updated_at: i64,
    }
}

const SECTION_COLUMNS: &str = "section_key, answers, version, updated_at";

impl SectionRow {
    /// The saved section; answers that are not valid JSON are malformed data.
    fn into_record(self) -> Result<SavedSection> {
        Ok(SavedSection {
            key: self.section_key,
            answers: decode_answers(&self.answers)?,
            version: self.version,
            updated_at: Timestamp(self.updated_at),
        })
    }
}

pub(super) fn decode_answers(json: &str) -> Result<Answers> {
    serde_json::from_str(json).map_err(|e| StoreError::Malformed(format!("answers: {e}")))
}

/// Every saved section of an application.
pub async fn sections(db: &Db, application_id: ApplicationId) -> Result<Vec<SavedSection>> {
    let sql = format!(
        "SELECT {SECTION_COLUMNS} FROM application_sections WHERE application_id = $1 ORDER BY section_key"
    );
    let rows: Vec<SectionRow> = on_db!(db, |pool| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(application_id.0)
        .fetch_all(pool)
        .await?);
    rows.into_iter().map(SectionRow::into_record).collect()
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

/// One section's answers to save, typed over `expected_version` (0 for a section never
/// saved), by `user_id`.
#[derive(Debug, Clone, Copy)]
pub struct SectionSave<'a> {
    pub application_id: ApplicationId,
    pub form: &'a FormDefinition,
    pub section_key: &'a str,
    pub answers: &'a Answers,
    pub expected_version: i64,
    pub user_id: Option<i64>,
}

/// Saves one section's answers over its expected version. Updates the application's
/// fingerprint and pledge as `after_save` decides: a changed fingerprint voids every
/// sign-off given or asked for, and an application waiting for sign-off goes back to draft.
pub async fn save_section(tx: &mut Tx, save: &SectionSave<'_>, now: Timestamp) -> Result<SaveOutcome> {
    let json = serde_json::to_string(save.answers).map_err(|e| StoreError::Malformed(e.to_string()))?;
    let (status, old_digest) = lock_application(tx, save.application_id).await?;
    if !status.is_editable() {
        return Ok(SaveOutcome::NotEditable(status));
    }
    let written = write_section(tx, save, &json, now).await?;
    let saved = sections_in(tx, save.application_id).await?;
    let this = saved.iter().find(|s| s.key == save.section_key).cloned();
    if written == 0 {
        return Ok(SaveOutcome::Conflict { current: this });
    }
    let after = after_save(save.form, &merge(&saved), status, &old_digest);
    let voided = apply_after_save(tx, save.application_id, &after, now).await?;
    Ok(SaveOutcome::Saved {
        version: this.map(|s| s.version).unwrap_or(1),
        voided_signoffs: voided > 0,
    })
}

/// Takes the application's row, which serialises saves to one application; its status and
/// fingerprint.
async fn lock_application(tx: &mut Tx, application_id: ApplicationId) -> Result<(ApplicationStatus, String)> {
    let (status, digest): (String, String) = on_tx!(tx, |conn| {
        sqlx::query_as(
            "UPDATE applications SET answers_digest = answers_digest WHERE id = $1 RETURNING status, answers_digest",
        )
        .bind(application_id.0)
        .fetch_one(conn)
        .await?
    });
    let status = ApplicationStatus::from_key(&status)
        .ok_or_else(|| StoreError::Malformed(format!("status {status}")))?;
    Ok((status, digest))
}

/// Writes the section if nobody saved it since its expected version; the rows written (0
/// on a conflict).
async fn write_section(tx: &mut Tx, save: &SectionSave<'_>, json: &str, now: Timestamp) -> Result<u64> {
    Ok(on_tx!(tx, |conn| {
        if save.expected_version == 0 {
            sqlx::query(
                "INSERT INTO application_sections (application_id, section_key, answers, version, updated_at, updated_by) \
                 VALUES ($1, $2, $3, 1, $4, $5) ON CONFLICT (application_id, section_key) DO NOTHING",
            )
            .bind(save.application_id.0)
            .bind(save.section_key)
            .bind(json)
            .bind(now.0)
            .bind(save.user_id)
            .execute(conn)
            .await?
            .rows_affected()
        } else {
            sqlx::query(
                "UPDATE application_sections SET answers = $3, version = version + 1, updated_at = $4, updated_by = $5 \
                 WHERE application_id = $1 AND section_key = $2 AND version = $6",
            )
            .bind(save.application_id.0)
            .bind(save.section_key)
            .bind(json)
            .bind(now.0)
            .bind(save.user_id)
            .bind(save.expected_version)
            .execute(conn)
            .await?
            .rows_affected()
        }
    }))
}

/// Every saved section, read inside the transaction.
async fn sections_in(tx: &mut Tx, application_id: ApplicationId) -> Result<Vec<SavedSection>> {
    let sql = format!("SELECT {SECTION_COLUMNS} FROM application_sections WHERE application_id = $1");
    let rows: Vec<SectionRow> = on_tx!(tx, |conn| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(application_id.0)
        .fetch_all(conn)
        .await?);
    rows.into_iter().map(SectionRow::into_record).collect()
}

/// Writes what `after_save` decided; the sign-offs voided.
async fn apply_after_save(
    tx: &mut Tx,
    application_id: ApplicationId,
    after: &AfterSave,
    now: Timestamp,
) -> Result<u64> {
    on_tx!(tx, |conn| {
        sqlx::query(
            "UPDATE applications SET answers_digest = $2, pledge_pence = $3, status = $4, updated_at = $5 WHERE id = $1",
        )
        .bind(application_id.0)
        .bind(&after.answers_digest)
        .bind(after.pledge.map(|p| p.0))
        .bind(after.status.key())
        .bind(now.0)
        .execute(&mut *conn)
        .await?;
        if !after.void_signoffs {
            return Ok(0);
        }
        Ok(
            sqlx::query("UPDATE signoffs SET voided_at = $2 WHERE application_id = $1 AND voided_at IS NULL")
                .bind(application_id.0)
                .bind(now.0)
                .execute(conn)
                .await?
                .rows_affected(),
        )
    })
}
