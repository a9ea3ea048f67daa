//! The ways into an account other than its password: API tokens (made, listed and revoked
//! on the account page, checked on every API call) and sessions, which end together with
//! the emailed links ("sign out everywhere"; docs/decisions/0003-credentials-end-together.md).

use super::{AccountError, Problems, Result};
use crate::{App, Work, links};
use convene_domain::UserId;
use convene_domain::accounts::{new_secret, secret_digest};
use convene_domain::audit::AuditAction;
use convene_domain::policy::{Action, Principal, Resource, allows};
use convene_store::tokens::{self, ApiToken};
use convene_store::{StoreError, sessions};

/// What the account page shows besides the person's details.
#[derive(Debug, Clone)]
pub struct AccountOverview {
    /// Live API tokens, newest first.
    pub tokens: Vec<ApiToken>,
    /// Live sessions: browsers and devices signed in.
    pub sessions: i64,
}

/// The account page's tokens and count of sessions.
pub async fn overview(app: &App, user_id: UserId) -> Result<AccountOverview> {
    Ok(AccountOverview {
        tokens: tokens::api_tokens_of(&app.db, user_id).await?,
        sessions: sessions::count_for_user(&app.db, user_id, app.clock.now()).await?,
    })
}

/// Makes an API token named `name`; returns its secret, shown once and kept nowhere.
pub async fn create_api_token(app: &App, user_id: UserId, name: &str) -> Result<String> {
    let name = name.trim();
    let mut problems = Problems::default();
    if name.is_empty() {
        problems.add(
            "name",
            "Enter a name for the token, such as the tool that will use it",
        );
    } else if name.chars().count() > 100 {
        problems.add("name", "Token name must be 100 characters or fewer");
    }
    problems.check()?;
    let secret = new_secret();
    let mut work = app.begin(Some(user_id.0)).await?;
    let now = work.now();
    let id = tokens::create_api_token(work.tx(), user_id, name, &secret_digest(&secret), now).await?;
    work.audit(AuditAction::ApiTokenCreated, Some(id)).await?;
    work.commit().await?;
    Ok(secret)
}

/// Revokes a live token its owner (or someone allowed) names; returns it as it was.
pub async fn revoke_api_token(app: &App, who: &Principal, id: i64) -> Result<ApiToken> {
    let token = tokens::api_token(&app.db, id)
        .await?
        .ok_or(AccountError::NotFound)?;
    if !allows(
        who,
        Action::Edit,
        Resource::ApiToken {
            owner_id: UserId(token.user_id),
        },
    ) {
        return Err(AccountError::Forbidden);
    }
    let mut work = app.begin(Some(who.user_id.0)).await?;
    let now = work.now();
    tokens::revoke_api_token(work.tx(), id, now).await?;
    work.audit(AuditAction::ApiTokenRevoked, Some(id)).await?;
    work.commit().await?;
    Ok(token)
}

/// The account a live API token with this secret belongs to (marking it used).
pub async fn api_token_owner(app: &App, secret: &str) -> Result<Option<i64>> {
    Ok(tokens::user_for_api_token(&app.db, &secret_digest(secret), app.clock.now()).await?)
}

/// Ends every way into an account but its password, in `work`, after the password is
/// reset or changed or the person signs out everywhere: API tokens and unspent emailed
/// links. Sessions end once it commits (the web layer's `end_sessions`, over
/// [`crate::sessions::end_for_user`]).
pub(crate) async fn revoke_credentials(work: &mut Work, user_id: UserId) -> Result<(), StoreError> {
    let now = work.now();
    tokens::revoke_api_tokens_of_user(work.tx(), user_id, now).await?;
    links::void_for_person(work, user_id).await?;
    Ok(())
}

/// Revokes the account's tokens and links and records that it signed out everywhere; the
/// caller then ends its sessions.
pub async fn sign_out_everywhere(app: &App, user_id: UserId) -> Result<()> {
    let mut work = app.begin(Some(user_id.0)).await?;
    revoke_credentials(&mut work, user_id).await?;
    work.audit(AuditAction::SignedOutEverywhere, Some(user_id.0))
        .await?;
    work.commit().await?;
    Ok(())
}
