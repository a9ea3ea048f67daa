//! Sign-off by signed link: the board chair (from the place record) and the partner
//! contacts the applicant names each get a link. A link works once (spent by the
//! confirming POST, not by opening it), expires, and is voided when the answers change.

use crate::{Db, Result, Tx, on_db, on_tx};
use convene_domain::ApplicationId;
use convene_domain::Timestamp;

/// Who a sign-off is asked of.
pub const CHAIR: &str = "chair";
pub const PARTNER: &str = "partner";

/// A partner contact named on an application.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contact {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub organisation: String,
}

/// Names a partner contact; a second contact with the same email is a
/// [`crate::StoreError::Duplicate`].
pub async fn add_contact(
    tx: &mut Tx,
    application_id: ApplicationId,
    name: &str,
    email: &str,
    organisation: &str,
) -> Result<i64> {
    on_tx!(tx, |conn| {
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO application_contacts (application_id, name, email, organisation) VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(application_id.0)
        .bind(name)
        .bind(email)
        .bind(organisation)
        .fetch_one(conn)
        .await?;
        Ok(id)
    })
}

/// Removes a partner contact of an application, and voids any link sent to them.
pub async fn remove_contact(
    tx: &mut Tx,
    application_id: ApplicationId,
    contact_id: i64,
    now: Timestamp,
) -> Result<bool> {
    on_tx!(tx, |conn| {
        let removed: Option<(String,)> = sqlx::query_as(
            "DELETE FROM application_contacts WHERE id = $1 AND application_id = $2 RETURNING email",
        )
        .bind(contact_id)
        .bind(application_id.0)
        .fetch_optional(&mut *conn)
        .await?;
        let Some((email,)) = removed else {
            return Ok(false);
        };
        sqlx::query(
            "UPDATE signoffs SET voided_at = $3 WHERE application_id = $1 AND contact_email = $2 AND voided_at IS NULL",
        )
        .bind(application_id.0)
        .bind(&email)
        .bind(now.0)
        .execute(conn)
        .await?;
        Ok(true)
    })
}

/// The partner contacts of an application, by name.
pub async fn contacts(db: &Db, application_id: ApplicationId) -> Result<Vec<Contact>> {
    let rows: Vec<(i64, String, String, String)> = on_db!(db, |pool| {
        sqlx::query_as(
            "SELECT id, name, email, organisation FROM application_contacts WHERE application_id = $1 ORDER BY name, id",
        )
        .bind(application_id.0)
        .fetch_all(pool)
        .await?
    });
    Ok(rows
        .into_iter()
        .map(|(id, name, email, organisation)| Contact {
            id,
            name,
            email,
            organisation,
        })
        .collect())
}

/// A sign-off link sent, and what became of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signoff {
    pub id: i64,
    pub application_id: i64,
    pub kind: String,
    pub contact_name: String,
    pub contact_email: String,
    pub organisation: String,
    pub answers_digest: String,
    pub requested_at: Timestamp,
    pub expires_at: Timestamp,
    pub confirmed_at: Option<Timestamp>,
    pub confirmed_name: Option<String>,
    pub confirmed_role: Option<String>,
    pub comment: Option<String>,
    pub voided_at: Option<Timestamp>,
}

type Row = (
    i64,
    i64,
    String,
    String,
    String,
    String,
    String,
    i64,
    i64,
    Option<i64>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<i64>,
);

const COLUMNS: &str = "id, application_id, kind, contact_name, contact_email, organisation, answers_digest, \
     requested_at, expires_at, confirmed_at, confirmed_name, confirmed_role, comment, voided_at";

fn to_signoff(r: Row) -> Signoff {
    Signoff {
        id: r.0,
        application_id: r.1,
        kind: r.2,
        contact_name: r.3,
        contact_email: r.4,
        organisation: r.5,
        answers_digest: r.6,
        requested_at: Timestamp(r.7),
        expires_at: Timestamp(r.8),
        confirmed_at: r.9.map(Timestamp),
        confirmed_name: r.10,
        confirmed_role: r.11,
        comment: r.12,
        voided_at: r.13.map(Timestamp),
    }
}

/// A link to send: who to, and the digest of its secret.
#[derive(Debug, Clone)]
pub struct NewRequest<'a> {
    pub kind: &'a str,
    pub name: &'a str,
    pub email: &'a str,
    pub organisation: &'a str,
    pub token_digest: &'a str,
    pub answers_digest: &'a str,
    pub expires_at: Timestamp,
}

/// Records a link sent, voiding any earlier link to the same person that is still open.
pub async fn request(
    tx: &mut Tx,
    application_id: ApplicationId,
    new: &NewRequest<'_>,
    now: Timestamp,
) -> Result<i64> {
    on_tx!(tx, |conn| {
        sqlx::query(
            "UPDATE signoffs SET voided_at = $3 WHERE application_id = $1 AND contact_email = $2 \
             AND voided_at IS NULL AND confirmed_at IS NULL",
        )
        .bind(application_id.0)
        .bind(new.email)
        .bind(now.0)
        .execute(&mut *conn)
        .await?;
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO signoffs (application_id, kind, contact_name, contact_email, organisation, token_digest, \
             answers_digest, requested_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        )
        .bind(application_id.0)
        .bind(new.kind)
        .bind(new.name)
        .bind(new.email)
        .bind(new.organisation)
        .bind(new.token_digest)
        .bind(new.answers_digest)
        .bind(now.0)
        .bind(new.expires_at.0)
        .fetch_one(conn)
        .await?;
        Ok(id)
    })
}

/// The sign-off a link's secret digest belongs to, whatever its state.
pub async fn by_token(db: &Db, token_digest: &str) -> Result<Option<Signoff>> {
    let sql = format!("SELECT {COLUMNS} FROM signoffs WHERE token_digest = $1");
    let row: Option<Row> = on_db!(db, |pool| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(token_digest)
        .fetch_optional(pool)
        .await?);
    Ok(row.map(to_signoff))
}

/// Every link sent for an application, newest first.
pub async fn for_application(db: &Db, application_id: ApplicationId) -> Result<Vec<Signoff>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM signoffs WHERE application_id = $1 ORDER BY requested_at DESC, id DESC"
    );
    let rows: Vec<Row> = on_db!(db, |pool| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(application_id.0)
        .fetch_all(pool)
        .await?);
    Ok(rows.into_iter().map(to_signoff).collect())
}

/// What a person wrote when signing off.
#[derive(Debug, Clone)]
pub struct Confirmation<'a> {
    pub name: &'a str,
    pub role: &'a str,
    pub comment: &'a str,
}

/// Spends a link: records the sign-off when the link is open, unexpired and was sent on
/// the application's current answers. Returns false (and writes nothing) otherwise.
pub async fn confirm(tx: &mut Tx, id: i64, confirmation: &Confirmation<'_>, now: Timestamp) -> Result<bool> {
    on_tx!(tx, |conn| {
        let done = sqlx::query(
            "UPDATE signoffs SET confirmed_at = $2, confirmed_name = $3, confirmed_role = $4, comment = $5 \
             WHERE id = $1 AND confirmed_at IS NULL AND voided_at IS NULL AND expires_at >= $2 \
             AND answers_digest = (SELECT a.answers_digest FROM applications a WHERE a.id = signoffs.application_id)",
        )
        .bind(id)
        .bind(now.0)
        .bind(confirmation.name)
        .bind(confirmation.role)
        .bind(confirmation.comment)
        .execute(conn)
        .await?;
        Ok(done.rows_affected() == 1)
    })
}
