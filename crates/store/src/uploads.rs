//! Uploaded files, stored in the database under random public ids so that several
//! servers share them and one backup holds everything. Served only after the caller has
//! checked that the reader may read the application.

use crate::{Db, Result, Tx, on_db, on_tx};
use convene_domain::ApplicationId;
use convene_domain::Timestamp;

/// An uploaded file's description, without its content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadInfo {
    pub public_id: String,
    pub application_id: i64,
    pub question_key: String,
    pub file_name: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub created_at: Timestamp,
}

/// A file to store.
#[derive(Debug, Clone)]
pub struct NewUpload<'a> {
    pub public_id: &'a str,
    pub application_id: i64,
    pub question_key: &'a str,
    pub file_name: &'a str,
    pub content_type: &'a str,
    pub content: &'a [u8],
    pub uploaded_by: Option<i64>,
}

/// Stores a file.
pub async fn insert(tx: &mut Tx, upload: &NewUpload<'_>, now: Timestamp) -> Result<()> {
    on_tx!(tx, |conn| {
        sqlx::query(
            "INSERT INTO uploads (public_id, application_id, question_key, file_name, content_type, size_bytes, \
             content, uploaded_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(upload.public_id)
        .bind(upload.application_id)
        .bind(upload.question_key)
        .bind(upload.file_name)
        .bind(upload.content_type)
        .bind(upload.content.len() as i64)
        .bind(upload.content)
        .bind(upload.uploaded_by)
        .bind(now.0)
        .execute(conn)
        .await?;
        Ok(())
    })
}

type InfoRow = (String, i64, String, String, String, i64, i64);

fn to_info(r: InfoRow) -> UploadInfo {
    UploadInfo {
        public_id: r.0,
        application_id: r.1,
        question_key: r.2,
        file_name: r.3,
        content_type: r.4,
        size_bytes: r.5,
        created_at: Timestamp(r.6),
    }
}

const INFO: &str = "public_id, application_id, question_key, file_name, content_type, size_bytes, created_at";

/// The files of an application, newest first.
pub async fn for_application(db: &Db, application_id: ApplicationId) -> Result<Vec<UploadInfo>> {
    let sql =
        format!("SELECT {INFO} FROM uploads WHERE application_id = $1 ORDER BY created_at DESC, id DESC");
    let rows: Vec<InfoRow> = on_db!(db, |pool| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(application_id.0)
        .fetch_all(pool)
        .await?);
    Ok(rows.into_iter().map(to_info).collect())
}

/// A file's description by its public id.
pub async fn info(db: &Db, public_id: &str) -> Result<Option<UploadInfo>> {
    let sql = format!("SELECT {INFO} FROM uploads WHERE public_id = $1");
    let row: Option<InfoRow> = on_db!(db, |pool| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(public_id)
        .fetch_optional(pool)
        .await?);
    Ok(row.map(to_info))
}

/// A file's content by its public id.
pub async fn content(db: &Db, public_id: &str) -> Result<Option<Vec<u8>>> {
    let row: Option<(Vec<u8>,)> = on_db!(db, |pool| {
        sqlx::query_as("SELECT content FROM uploads WHERE public_id = $1")
            .bind(public_id)
            .fetch_optional(pool)
            .await?
    });
    Ok(row.map(|(c,)| c))
}
