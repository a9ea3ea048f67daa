//! People with accounts and the roles granted to them.

use crate::rows::named_row;
use crate::{Db, Result, StoreError, Tx, on_db, on_tx};
use convene_domain::accounts::{Grant, Role};
use convene_domain::{Email, Timestamp};
use convene_domain::{PlaceId, ProgrammeId, UserId};

pub use convene_domain::accounts::User;

named_row! {
    /// An account as stored: when the address was confirmed and two-factor set up, if ever.
    struct UserRow {
        id: i64,
        email: String,
        name: String,
        password_hash: String,
        organisation: String,
        job_role: String,
        email_verified_at: Option<i64>,
        totp_enabled_at: Option<i64>,
    }
}

const USER_COLUMNS: &str =
    "id, email, name, password_hash, organisation, job_role, email_verified_at, totp_enabled_at";

impl From<UserRow> for User {
    fn from(row: UserRow) -> Self {
        User {
            id: UserId(row.id),
            email: row.email,
            name: row.name,
            password_hash: row.password_hash,
            organisation: row.organisation,
            job_role: row.job_role,
            email_verified: row.email_verified_at.is_some(),
            totp_enabled: row.totp_enabled_at.is_some(),
        }
    }
}

/// What a person gives when they register.
#[derive(Debug, Clone)]
pub struct NewAccount<'a> {
    pub email: &'a Email,
    pub name: &'a str,
    pub organisation: &'a str,
    pub job_role: &'a str,
    pub password_hash: &'a str,
    /// Set when the address is already proven (an invitation link, or an admin).
    pub verified: bool,
}

/// Creates a self-registered or invited account; a used email gives [`StoreError::Duplicate`].
pub async fn register(tx: &mut Tx, account: &NewAccount<'_>, now: Timestamp) -> Result<i64> {
    on_tx!(tx, |conn| {
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO users (email, name, password_hash, organisation, job_role, email_verified_at, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(account.email.as_str())
        .bind(account.name)
        .bind(account.password_hash)
        .bind(account.organisation)
        .bind(account.job_role)
        .bind(account.verified.then_some(now.0))
        .bind(now.0)
        .fetch_one(conn)
        .await?;
        Ok(id)
    })
}

/// Hands an account whose address was never confirmed to the person who has just proven
/// that address (by an invitation link): their profile and password replace what was
/// typed at registration, and any roles it held go. False if the address was confirmed
/// meanwhile.
pub async fn take_over_unconfirmed(
    tx: &mut Tx,
    user_id: UserId,
    account: &NewAccount<'_>,
    now: Timestamp,
) -> Result<bool> {
    on_tx!(tx, |conn| {
        let done = sqlx::query(
            "UPDATE users SET name = $1, organisation = $2, job_role = $3, password_hash = $4, email_verified_at = $5 \
             WHERE id = $6 AND email_verified_at IS NULL",
        )
        .bind(account.name)
        .bind(account.organisation)
        .bind(account.job_role)
        .bind(account.password_hash)
        .bind(now.0)
        .bind(user_id.0)
        .execute(&mut *conn)
        .await?;
        if done.rows_affected() == 1 {
            sqlx::query("DELETE FROM grants WHERE user_id = $1")
                .bind(user_id.0)
                .execute(&mut *conn)
                .await?;
        }
        Ok(done.rows_affected() == 1)
    })
}

/// Records that the person holds their address (and moves the account to `email` when it
/// was a change of address). False when another account has taken that address meanwhile.
pub async fn mark_verified(tx: &mut Tx, user_id: UserId, email: &str, now: Timestamp) -> Result<bool> {
    on_tx!(tx, |conn| {
        let taken: Option<(i64,)> = sqlx::query_as("SELECT id FROM users WHERE email = $1 AND id <> $2")
            .bind(email)
            .bind(user_id.0)
            .fetch_optional(&mut *conn)
            .await?;
        if taken.is_some() {
            return Ok(false);
        }
        sqlx::query(
            "UPDATE users SET email = $1, email_verified_at = COALESCE(CASE WHEN email = $1 THEN email_verified_at END, $2) \
             WHERE id = $3",
        )
        .bind(email)
        .bind(now.0)
        .bind(user_id.0)
        .execute(conn)
        .await?;
        Ok(true)
    })
}

/// Changes the name, organisation and job role a person goes by.
pub async fn set_profile(
    tx: &mut Tx,
    user_id: UserId,
    name: &str,
    organisation: &str,
    job_role: &str,
) -> Result<()> {
    on_tx!(tx, |conn| {
        sqlx::query("UPDATE users SET name = $1, organisation = $2, job_role = $3 WHERE id = $4")
            .bind(name)
            .bind(organisation)
            .bind(job_role)
            .bind(user_id.0)
            .execute(conn)
            .await?;
        Ok(())
    })
}

/// Creates an account with a vouched-for address; a used email gives [`StoreError::Duplicate`].
pub async fn create(
    tx: &mut Tx,
    email: &Email,
    name: &str,
    password_hash: &str,
    now: Timestamp,
) -> Result<i64> {
    on_tx!(tx, |conn| {
        let (id,): (i64,) = sqlx::query_as(
            // Made by an admin or the demo, who vouch for the address.
            "INSERT INTO users (email, name, password_hash, created_at, email_verified_at) VALUES ($1, $2, $3, $4, $4) RETURNING id",
        )
        .bind(email.as_str())
        .bind(name)
        .bind(password_hash)
        .bind(now.0)
        .fetch_one(conn)
        .await?;
        Ok(id)
    })
}

/// Gives a person a role (doing nothing if they already hold it).
pub async fn grant(tx: &mut Tx, user_id: UserId, grant: Grant, now: Timestamp) -> Result<()> {
    on_tx!(tx, |conn| {
        sqlx::query(
            "INSERT INTO grants (user_id, role, scope_id, created_at) \
             SELECT $1, $2, $3, $4 WHERE NOT EXISTS (SELECT 1 FROM grants WHERE user_id = $1 AND role = $2 \
             AND (scope_id = $3 OR (scope_id IS NULL AND $3 IS NULL)))",
        )
        .bind(user_id.0)
        .bind(grant.role.key())
        .bind(grant.scope_id)
        .bind(now.0)
        .execute(conn)
        .await?;
        Ok(())
    })
}

/// Finds an account by email.
pub async fn by_email(db: &Db, email: &Email) -> Result<Option<User>> {
    let row: Option<UserRow> = on_db!(db, |pool| {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {USER_COLUMNS} FROM users WHERE email = $1 AND erased_at IS NULL"
        )))
        .bind(email.as_str())
        .fetch_optional(pool)
        .await?
    });
    Ok(row.map(User::from))
}

/// Finds an account by id.
pub async fn by_id(db: &Db, id: i64) -> Result<Option<User>> {
    let row: Option<UserRow> = on_db!(db, |pool| {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {USER_COLUMNS} FROM users WHERE id = $1 AND erased_at IS NULL"
        )))
        .bind(id)
        .fetch_optional(pool)
        .await?
    });
    Ok(row.map(User::from))
}

/// Every role a person holds.
pub async fn grants(db: &Db, user_id: UserId) -> Result<Vec<Grant>> {
    let rows: Vec<(String, Option<i64>)> = on_db!(db, |pool| {
        sqlx::query_as("SELECT role, scope_id FROM grants WHERE user_id = $1 ORDER BY id")
            .bind(user_id.0)
            .fetch_all(pool)
            .await?
    });
    rows.into_iter()
        .map(|(role, scope_id)| {
            let role = Role::from_key(&role).ok_or_else(|| StoreError::Malformed(format!("role {role}")))?;
            Ok(Grant { role, scope_id })
        })
        .collect()
}

/// Replaces a person's password hash.
pub async fn set_password_hash(tx: &mut Tx, user_id: UserId, password_hash: &str) -> Result<()> {
    on_tx!(tx, |conn| {
        sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
            .bind(password_hash)
            .bind(user_id.0)
            .execute(conn)
            .await?;
        Ok(())
    })
}

/// Finds an account id by email inside a transaction.
pub async fn by_email_tx(tx: &mut Tx, email: &Email) -> Result<Option<i64>> {
    on_tx!(tx, |conn| {
        let row: Option<(i64,)> = sqlx::query_as("SELECT id FROM users WHERE email = $1")
            .bind(email.as_str())
            .fetch_optional(conn)
            .await?;
        Ok(row.map(|(id,)| id))
    })
}

/// The email addresses of a place's leads (people not erased), for reminders.
pub async fn place_lead_emails(db: &Db, place_id: PlaceId) -> Result<Vec<String>> {
    let rows: Vec<(String,)> = on_db!(db, |pool| {
        sqlx::query_as(
            "SELECT DISTINCT u.email FROM users u JOIN grants g ON g.user_id = u.id \
             WHERE g.role = 'place_lead' AND g.scope_id = $1 AND u.erased_at IS NULL ORDER BY u.email",
        )
        .bind(place_id.0)
        .fetch_all(pool)
        .await?
    });
    Ok(rows.into_iter().map(|(e,)| e).collect())
}

/// The addresses of everyone holding `role` over `scope_id` (or, with `None`, unscoped),
/// for notices such as "a request is waiting".
pub async fn role_holder_emails(db: &Db, role: Role, scope_id: Option<i64>) -> Result<Vec<String>> {
    let rows: Vec<(String,)> = on_db!(db, |pool| {
        sqlx::query_as(
            "SELECT DISTINCT u.email FROM users u JOIN grants g ON g.user_id = u.id \
             WHERE g.role = $1 AND (g.scope_id = $2 OR (g.scope_id IS NULL AND $2 IS NULL)) \
             AND u.erased_at IS NULL ORDER BY u.email",
        )
        .bind(role.key())
        .bind(scope_id)
        .fetch_all(pool)
        .await?
    });
    Ok(rows.into_iter().map(|(e,)| e).collect())
}

/// The names of a place's current leads.
pub async fn place_lead_names(db: &Db, place_id: PlaceId) -> Result<Vec<String>> {
    let rows: Vec<(String,)> = on_db!(db, |pool| {
        sqlx::query_as(
            "SELECT DISTINCT u.name FROM users u JOIN grants g ON g.user_id = u.id \
             WHERE g.role = 'place_lead' AND g.scope_id = $1 AND u.erased_at IS NULL ORDER BY u.name",
        )
        .bind(place_id.0)
        .fetch_all(pool)
        .await?
    });
    Ok(rows.into_iter().map(|(n,)| n).collect())
}

/// The names of the current leads of every place in a programme, by place id (one query
/// for a whole list of requests).
pub async fn place_lead_names_in(
    db: &Db,
    programme_id: ProgrammeId,
) -> Result<std::collections::HashMap<i64, Vec<String>>> {
    let rows: Vec<(i64, String)> = on_db!(db, |pool| {
        sqlx::query_as(
            "SELECT DISTINCT g.scope_id, u.name FROM users u JOIN grants g ON g.user_id = u.id \
             JOIN programme_places pp ON pp.place_id = g.scope_id AND pp.programme_id = $1 \
             WHERE g.role = 'place_lead' AND u.erased_at IS NULL ORDER BY u.name",
        )
        .bind(programme_id.0)
        .fetch_all(pool)
        .await?
    });
    let mut out: std::collections::HashMap<i64, Vec<String>> = std::collections::HashMap::new();
    for (place, name) in rows {
        out.entry(place).or_default().push(name);
    }
    Ok(out)
}
