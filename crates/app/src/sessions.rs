//! Signing in and the sessions that follow: checking a password under the throttles
//! ([`check_password`]), recording the sign-in ([`signed_in`]), the rows the web layer's
//! session store keeps ([`create`], [`update`], [`load`], [`delete`]), and ending an
//! account's sessions ([`end_for_user`]).
//!
//! Sessions live in the database so several servers share them. The cookie, the session's
//! keys and the per-process session cache belong to the web layer.

use crate::App;
use crate::accounts::{AccountError, Problems, Result, passwords};
use crate::registration::resend_confirmation;
use convene_domain::UserId;
use convene_domain::audit::AuditAction;
use convene_domain::{Email, Timestamp};
use convene_store::{sessions, throttle, users};

pub use convene_store::sessions::Stored;

/// The one answer to a sign-in that did not work, whatever was wrong (no such account, a
/// wrong password, or an address not confirmed yet), so it reveals nothing about accounts.
pub const WRONG_SIGN_IN: &str =
    "Enter a correct email address and password. New account? Confirm it first with the link we emailed you";
/// The window in which failed sign-ins (and wrong codes) count towards the delay.
pub(crate) const FAILURE_WINDOW_SECONDS: i64 = 15 * 60;

/// A right password for a confirmed account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PasswordRight {
    pub user_id: i64,
    /// True when the account has two-factor sign-in: a code comes next.
    pub code_needed: bool,
}

/// Seconds to wait before the next try, rounded up, from a throttle's `ready_at`.
pub(crate) fn wait_seconds(ready_at: Timestamp, now: Timestamp) -> i64 {
    (ready_at.0 - now.0) / 1_000_000 + 1
}

/// Checks an email address and password typed by someone at `client`, under a growing
/// delay per address and per client. Every failure is the same [`WRONG_SIGN_IN`]; the
/// right password for an address never confirmed sends it a fresh link (going on to
/// `return_to` once confirmed) and is answered the same.
pub async fn check_password(
    app: &App,
    email: &str,
    password: &str,
    client: &str,
    return_to: &str,
) -> Result<PasswordRight> {
    let typed_email = email.trim().to_lowercase();
    let mut problems = Problems::default();
    if typed_email.is_empty() {
        problems.add("email", "Enter your email address");
    }
    if password.is_empty() {
        problems.add("password", "Enter your password");
    }
    problems.check()?;
    let now = app.clock.now();
    let account_key = throttle::password_key(&typed_email);
    let client_key = throttle::client_key(client);
    if let Some(ready_at) = take_tries(app, &account_key, &client_key, now).await? {
        let wait = wait_seconds(ready_at, now);
        let message = format!("Too many failed attempts. Wait {wait} seconds, then try again");
        return Err(Problems::throttled("email", message, wait).into());
    }
    let user = match Email::parse(&typed_email) {
        Ok(email) => users::by_email(&app.db, &email).await?,
        Err(_) => None,
    };
    // Checked whether or not the account exists: an unknown address costs the same.
    let ok = passwords::matches(password, user.as_ref().map(|u| u.password_hash.as_str())).await?;
    match user {
        Some(user) if ok && user.email_verified => {
            throttle::clear(&app.db, &account_key).await?;
            throttle::release(&app.db, &client_key).await?;
            Ok(PasswordRight {
                user_id: user.id.0,
                code_needed: user.totp_enabled,
            })
        }
        unconfirmed_or_wrong => {
            if let Some(user) = unconfirmed_or_wrong.filter(|_| ok) {
                // The right password for an address never confirmed: a fresh link goes to
                // that address, and the answer is the same as for a wrong password, so
                // nobody learns that the account exists.
                resend_confirmation(app, &user, return_to).await?;
            }
            throttle::record_failure(&app.db, &typed_email, client, now).await?;
            Err(Problems::one("email", WRONG_SIGN_IN).into())
        }
    }
}

/// Takes a try for the address and then the client, each counted and checked in one
/// statement before the password is checked, so parallel guesses cannot slip past the
/// delay. The client's try is taken only once the address's is allowed, so refused tries
/// never inflate the other count. `Some(ready_at)` when either must still wait.
async fn take_tries(
    app: &App,
    account_key: &str,
    client_key: &str,
    now: Timestamp,
) -> Result<Option<Timestamp>> {
    let window = now.plus_seconds(-FAILURE_WINDOW_SECONDS);
    let by_account = throttle::take_try(&app.db, account_key, now, window).await?;
    if !by_account.allowed {
        return Ok(Some(by_account.ready_at));
    }
    let by_client = throttle::take_try(&app.db, client_key, now, window).await?;
    if !by_client.allowed {
        throttle::release(&app.db, account_key).await?;
        return Ok(Some(by_client.ready_at));
    }
    Ok(None)
}

/// Records that the person has signed in. True when their role needs a second factor they
/// have not set up (when `enforce_two_factor`): they are sent to set it up first.
pub async fn signed_in(app: &App, user_id: UserId, enforce_two_factor: bool) -> Result<bool> {
    let mut work = app.begin(Some(user_id.0)).await?;
    work.audit(AuditAction::SignedIn, Some(user_id.0)).await?;
    work.commit().await?;
    if !enforce_two_factor {
        return Ok(false);
    }
    let user = users::by_id(&app.db, user_id.0)
        .await?
        .ok_or(AccountError::NotFound)?;
    let needs = users::grants(&app.db, user_id)
        .await?
        .iter()
        .any(|g| g.role.needs_two_factor());
    Ok(needs && !user.totp_enabled)
}

/// Keeps a new session; false when the id is taken (the caller picks another).
pub async fn create(
    app: &App,
    id: &str,
    user_id: Option<i64>,
    data: &str,
    expires_at: Timestamp,
) -> Result<bool> {
    Ok(sessions::create(&app.db, id, user_id, data, expires_at).await?)
}

/// Writes a live session back; false when it was ended meanwhile (it stays ended).
pub async fn update(
    app: &App,
    id: &str,
    user_id: Option<i64>,
    data: &str,
    expires_at: Timestamp,
) -> Result<bool> {
    Ok(sessions::update(&app.db, id, user_id, data, expires_at).await?)
}

/// A session that has not expired.
pub async fn load(app: &App, id: &str) -> Result<Option<Stored>> {
    Ok(sessions::load(&app.db, id, app.clock.now()).await?)
}

/// Ends one session.
pub async fn delete(app: &App, id: &str) -> Result<()> {
    Ok(sessions::delete(&app.db, id).await?)
}

/// Ends an account's sessions, signed-in and half-signed-in (awaiting a code), but the one
/// with id `keep`. The caller forgets what its process cached of them.
pub async fn end_for_user(app: &App, user_id: UserId, keep: Option<&str>) -> Result<()> {
    match keep {
        Some(id) => sessions::delete_others(&app.db, user_id, id).await?,
        None => sessions::delete_for_user(&app.db, user_id).await?,
    };
    Ok(())
}
