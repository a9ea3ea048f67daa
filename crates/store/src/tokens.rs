//! Secrets people hold: API bearer tokens and emailed links (password resets, address
//! confirmations), and what every table of emailed links shares ([`LinkTable`]: ending one
//! early). Only a digest of each secret is stored. The use cases reach links through
//! `convene_app::links`, never these functions directly.

use crate::{Db, Result, Tx, on_db, on_tx};
use convene_domain::Timestamp;
use convene_domain::UserId;

/// An API token as its owner sees it in their account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiToken {
    pub id: i64,
    pub user_id: i64,
    pub name: String,
    pub created_at: Timestamp,
    pub last_used_at: Option<Timestamp>,
}

type TokenRow = (i64, i64, String, i64, Option<i64>);

fn to_token((id, user_id, name, created_at, last_used_at): TokenRow) -> ApiToken {
    ApiToken {
        id,
        user_id,
        name,
        created_at: Timestamp(created_at),
        last_used_at: last_used_at.map(Timestamp),
    }
}

/// Stores a new API token by its digest.
pub async fn create_api_token(
    tx: &mut Tx,
    user_id: UserId,
    name: &str,
    digest: &str,
    now: Timestamp,
) -> Result<i64> {
    on_tx!(tx, |conn| {
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO api_tokens (user_id, name, token_digest, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(user_id.0)
        .bind(name)
        .bind(digest)
        .bind(now.0)
        .fetch_one(conn)
        .await?;
        Ok(id)
    })
}

/// A person's live tokens, newest first.
pub async fn api_tokens_of(db: &Db, user_id: UserId) -> Result<Vec<ApiToken>> {
    let rows: Vec<TokenRow> = on_db!(db, |pool| {
        sqlx::query_as(
            "SELECT id, user_id, name, created_at, last_used_at FROM api_tokens \
             WHERE user_id = $1 AND revoked_at IS NULL ORDER BY id DESC",
        )
        .bind(user_id.0)
        .fetch_all(pool)
        .await?
    });
    Ok(rows.into_iter().map(to_token).collect())
}

/// One token by id, revoked or not (the caller checks who owns it).
pub async fn api_token(db: &Db, id: i64) -> Result<Option<ApiToken>> {
    let row: Option<TokenRow> = on_db!(db, |pool| {
        sqlx::query_as(
            "SELECT id, user_id, name, created_at, last_used_at FROM api_tokens WHERE id = $1 AND revoked_at IS NULL",
        )
        .bind(id)
        .fetch_optional(pool)
        .await?
    });
    Ok(row.map(to_token))
}

/// The owner of a live token with this digest, marking it used.
pub async fn user_for_api_token(db: &Db, digest: &str, now: Timestamp) -> Result<Option<i64>> {
    let row: Option<(i64, i64, Option<i64>)> = on_db!(db, |pool| {
        sqlx::query_as(
            "SELECT id, user_id, last_used_at FROM api_tokens WHERE token_digest = $1 AND revoked_at IS NULL",
        )
        .bind(digest)
        .fetch_optional(pool)
        .await?
    });
    let Some((id, user_id, last_used)) = row else {
        return Ok(None);
    };
    // Recording use at most once a minute keeps API reads from becoming writes.
    if last_used.is_none_or(|t| now.0 - t > 60_000_000) {
        on_db!(db, |pool| {
            sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE id = $2")
                .bind(now.0)
                .bind(id)
                .execute(pool)
                .await?;
        });
    }
    Ok(Some(user_id))
}

/// Revokes a token.
pub async fn revoke_api_token(tx: &mut Tx, id: i64, now: Timestamp) -> Result<bool> {
    on_tx!(tx, |conn| {
        let done = sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
            .bind(now.0)
            .bind(id)
            .execute(conn)
            .await?;
        Ok(done.rows_affected() == 1)
    })
}

/// Revokes every credential of an account but its password: its API tokens and its unspent
/// email links (password resets, address confirmations and pending email changes), after a
/// password reset or change or "sign out everywhere". Returns how many were ended.
pub async fn revoke_all_for_user(tx: &mut Tx, user_id: UserId, now: Timestamp) -> Result<u64> {
    Ok(revoke_api_tokens_of_user(tx, user_id, now).await? + void_links_of_user(tx, user_id, now).await?)
}

/// Revokes every live API token of an account. Returns how many were revoked.
pub async fn revoke_api_tokens_of_user(tx: &mut Tx, user_id: UserId, now: Timestamp) -> Result<u64> {
    on_tx!(tx, |conn| {
        let done =
            sqlx::query("UPDATE api_tokens SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL")
                .bind(user_id.0)
                .bind(now.0)
                .execute(conn)
                .await?;
        Ok(done.rows_affected())
    })
}

/// Spends every unspent email link of an account (password resets, address confirmations
/// and pending email changes), so none works any more. Returns how many were ended.
pub async fn void_links_of_user(tx: &mut Tx, user_id: UserId, now: Timestamp) -> Result<u64> {
    on_tx!(tx, |conn| {
        let mut ended = 0;
        for sql in [
            "UPDATE password_resets SET used_at = $2 WHERE user_id = $1 AND used_at IS NULL",
            "UPDATE email_verifications SET used_at = $2 WHERE user_id = $1 AND used_at IS NULL",
        ] {
            ended += sqlx::query(sql)
                .bind(user_id.0)
                .bind(now.0)
                .execute(&mut *conn)
                .await?
                .rows_affected();
        }
        Ok(ended)
    })
}

/// Stores a password-reset link's digest; returns the link's id.
pub async fn create_password_reset(
    tx: &mut Tx,
    user_id: UserId,
    digest: &str,
    now: Timestamp,
    expires_at: Timestamp,
) -> Result<i64> {
    on_tx!(tx, |conn| {
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO password_resets (user_id, token_digest, created_at, expires_at) VALUES ($1, $2, $3, $4) \
             RETURNING id",
        )
        .bind(user_id.0)
        .bind(digest)
        .bind(now.0)
        .bind(expires_at.0)
        .fetch_one(conn)
        .await?;
        Ok(id)
    })
}

/// The person a live, unused reset link belongs to.
pub async fn password_reset_user(db: &Db, digest: &str, now: Timestamp) -> Result<Option<i64>> {
    let row: Option<(i64,)> = on_db!(db, |pool| {
        sqlx::query_as(
            "SELECT user_id FROM password_resets WHERE token_digest = $1 AND used_at IS NULL AND expires_at > $2",
        )
        .bind(digest)
        .bind(now.0)
        .fetch_optional(pool)
        .await?
    });
    Ok(row.map(|(id,)| id))
}

/// The person a reset link belongs to while it is live, or why it is not.
pub async fn password_reset(
    db: &Db,
    digest: &str,
    now: Timestamp,
) -> Result<std::result::Result<i64, LinkState>> {
    let row: Option<(i64, i64, Option<i64>)> = on_db!(db, |pool| {
        sqlx::query_as("SELECT user_id, expires_at, used_at FROM password_resets WHERE token_digest = $1")
            .bind(digest)
            .fetch_optional(pool)
            .await?
    });
    Ok(match row {
        None => Err(LinkState::Unknown),
        Some((_, _, Some(_))) => Err(LinkState::Used),
        Some((_, expires, None)) if expires <= now.0 => Err(LinkState::Expired),
        Some((user_id, _, None)) => Ok(user_id),
    })
}

/// Spends a reset link; `Some` (its person) only for the one request that spent it.
pub async fn spend_password_reset(tx: &mut Tx, digest: &str, now: Timestamp) -> Result<Option<i64>> {
    on_tx!(tx, |conn| {
        let row: Option<(i64,)> = sqlx::query_as(
            "UPDATE password_resets SET used_at = $1 WHERE token_digest = $2 AND used_at IS NULL \
             AND expires_at > $1 RETURNING user_id",
        )
        .bind(now.0)
        .bind(digest)
        .fetch_optional(&mut *conn)
        .await?;
        if let Some((user_id,)) = row {
            // Any other link the person asked for is spent too.
            sqlx::query("UPDATE password_resets SET used_at = $1 WHERE user_id = $2 AND used_at IS NULL")
                .bind(now.0)
                .bind(user_id)
                .execute(conn)
                .await?;
        }
        Ok(row.map(|(id,)| id))
    })
}

/// Stores an email-verification link's digest for `email` (the account's address, or the
/// new one it is moving to); returns the link's id.
pub async fn create_email_verification(
    tx: &mut Tx,
    user_id: UserId,
    email: &str,
    digest: &str,
    return_to: &str,
    now: Timestamp,
    expires_at: Timestamp,
) -> Result<i64> {
    on_tx!(tx, |conn| {
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO email_verifications (user_id, email, token_digest, return_to, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(user_id.0)
        .bind(email)
        .bind(digest)
        .bind(return_to)
        .bind(now.0)
        .bind(expires_at.0)
        .fetch_one(conn)
        .await?;
        Ok(id)
    })
}

/// A verification link as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailVerification {
    pub user_id: i64,
    pub email: String,
    pub return_to: String,
}

/// Why an emailed link (a confirmation, reset or invitation) cannot be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkState {
    Unknown,
    Used,
    Expired,
}

/// A live verification link, or why it is not.
pub async fn email_verification(
    db: &Db,
    digest: &str,
    now: Timestamp,
) -> Result<std::result::Result<EmailVerification, LinkState>> {
    let row: Option<(i64, String, String, i64, Option<i64>)> = on_db!(db, |pool| {
        sqlx::query_as(
            "SELECT user_id, email, return_to, expires_at, used_at FROM email_verifications WHERE token_digest = $1",
        )
        .bind(digest)
        .fetch_optional(pool)
        .await?
    });
    Ok(match row {
        None => Err(LinkState::Unknown),
        Some((_, _, _, _, Some(_))) => Err(LinkState::Used),
        Some((_, _, _, expires, None)) if expires <= now.0 => Err(LinkState::Expired),
        Some((user_id, email, return_to, _, None)) => Ok(EmailVerification {
            user_id,
            email,
            return_to,
        }),
    })
}

/// Spends a verification link; `Some` only for the one request that spent it.
pub async fn spend_email_verification(
    tx: &mut Tx,
    digest: &str,
    now: Timestamp,
) -> Result<Option<EmailVerification>> {
    on_tx!(tx, |conn| {
        let row: Option<(i64, String, String)> = sqlx::query_as(
            "UPDATE email_verifications SET used_at = $1 WHERE token_digest = $2 AND used_at IS NULL \
             AND expires_at > $1 RETURNING user_id, email, return_to",
        )
        .bind(now.0)
        .bind(digest)
        .fetch_optional(conn)
        .await?;
        Ok(row.map(|(user_id, email, return_to)| EmailVerification {
            user_id,
            email,
            return_to,
        }))
    })
}

/// A table of emailed links: each has an `id`, a `token_digest` and an `expires_at`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkTable {
    Signoffs,
    EmailVerifications,
    Invitations,
    PasswordResets,
}

/// Ends an unspent link's life now, so it reads as expired. False when it was already
/// spent, voided or expired. A sign-off link counts as expired only after its moment, so
/// every table is set a microsecond back.
pub async fn expire_link(tx: &mut Tx, table: LinkTable, id: i64, now: Timestamp) -> Result<bool> {
    let sql = match table {
        LinkTable::Signoffs => {
            "UPDATE signoffs SET expires_at = $2 - 1 WHERE id = $1 AND confirmed_at IS NULL \
             AND voided_at IS NULL AND expires_at >= $2"
        }
        LinkTable::EmailVerifications => {
            "UPDATE email_verifications SET expires_at = $2 - 1 WHERE id = $1 AND used_at IS NULL AND expires_at > $2"
        }
        LinkTable::Invitations => {
            "UPDATE invitations SET expires_at = $2 - 1 WHERE id = $1 AND accepted_at IS NULL AND expires_at > $2"
        }
        LinkTable::PasswordResets => {
            "UPDATE password_resets SET expires_at = $2 - 1 WHERE id = $1 AND used_at IS NULL AND expires_at > $2"
        }
    };
    on_tx!(tx, |conn| {
        let done = sqlx::query(sql).bind(id).bind(now.0).execute(conn).await?;
        Ok(done.rows_affected() == 1)
    })
}

/// Voids an unspent link: a sign-off link is marked voided; a confirmation or reset link,
/// whose table has no such column, is marked used; an invitation (with neither) expires.
/// False when it was already spent or voided.
pub async fn void_link(tx: &mut Tx, table: LinkTable, id: i64, now: Timestamp) -> Result<bool> {
    let sql = match table {
        LinkTable::Signoffs => {
            "UPDATE signoffs SET voided_at = $2 WHERE id = $1 AND voided_at IS NULL AND confirmed_at IS NULL"
        }
        LinkTable::EmailVerifications => {
            "UPDATE email_verifications SET used_at = $2 WHERE id = $1 AND used_at IS NULL"
        }
        LinkTable::PasswordResets => {
            "UPDATE password_resets SET used_at = $2 WHERE id = $1 AND used_at IS NULL"
        }
        LinkTable::Invitations => return expire_link(tx, table, id, now).await,
    };
    on_tx!(tx, |conn| {
        let done = sqlx::query(sql).bind(id).bind(now.0).execute(conn).await?;
        Ok(done.rows_affected() == 1)
    })
}
