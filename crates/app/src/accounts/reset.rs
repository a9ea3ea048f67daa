//! Choosing a new password by an emailed link (a [`LinkKind::PasswordReset`], one hour).
//! Asking answers the same whether or not the address has an account.

use super::{AccountError, Problems, Result, passwords, revoke_credentials};
use crate::links::{self, LinkKind, LinkState, NewLink, Record, Spend};
use crate::{App, mail};
use convene_domain::Email;
use convene_domain::UserId;
use convene_domain::accounts::check_new_password;
use convene_domain::audit::AuditAction;
use convene_store::users;

/// Emails a password-reset link to the account with this address, if there is one (the
/// caller answers the same either way, without waiting for this).
pub async fn send_reset_link(app: &App, email: &Email) -> Result<()> {
    let Some(user) = users::by_email(&app.db, email).await? else {
        return Ok(());
    };
    let mut work = app.begin(None).await?;
    let link = links::issue(app, &mut work, NewLink::PasswordReset { user_id: user.id.0 }).await?;
    work.send(&mail::PasswordReset {
        to: email.to_string(),
        name: user.name,
        link: link.url,
    })
    .await?;
    work.commit().await?;
    Ok(())
}

/// True while a reset link can be used.
pub async fn reset_link_live(app: &App, secret: &str) -> Result<bool> {
    Ok(links::show(app, LinkKind::PasswordReset, secret).await?.state == LinkState::Live)
}

/// Spends a reset link and sets the new password (typed twice). The link reached the
/// address, so the address is confirmed too; every other way in ends. Returns the account,
/// whose sessions the caller then ends. A link that cannot be used is an
/// [`AccountError::Link`].
pub async fn reset_password(app: &App, secret: &str, password: &str, confirm: &str) -> Result<i64> {
    let mut problems = Problems::default();
    if let Err(e) = check_new_password(password) {
        problems.add("password", e.to_string());
    } else if password != confirm {
        problems.add("confirm", "The passwords do not match");
    }
    problems.check()?;
    let hash = passwords::hash(password).await?;
    let mut work = app.begin(None).await?;
    let Some(Record::PasswordReset { user_id }) =
        links::spend(app, &mut work, secret, Spend::PasswordReset).await?
    else {
        drop(work);
        let why = links::show(app, LinkKind::PasswordReset, secret).await?.state;
        return Err(AccountError::Link(if why == LinkState::Live {
            LinkState::Used
        } else {
            why
        }));
    };
    work.set_actor(Some(user_id));
    users::set_password_hash(work.tx(), UserId(user_id), &hash).await?;
    if let Some(user) = users::by_id(&app.db, user_id).await? {
        let now = work.now();
        users::mark_verified(work.tx(), UserId(user_id), &user.email, now).await?;
    }
    work.audit(AuditAction::PasswordReset, Some(user_id)).await?;
    // A new password ends every other way in: tokens, links, sessions.
    revoke_credentials(&mut work, UserId(user_id)).await?;
    work.commit().await?;
    Ok(user_id)
}
