//! Two-factor sign-in: checking the code after the password ([`check_code`]), turning it
//! on once a code proves the app has the secret ([`enable`]), fresh recovery codes
//! ([`replace_recovery_codes`]) and turning it off ([`turn_off`]). TOTP secrets are kept
//! sealed with the service's [`SecretKey`] (docs/decisions/0005-secrets-at-rest.md); a
//! code's step and a recovery code each work once.
//!
//! The secret being set up is kept (sealed) in the person's session until then: that, and
//! the QR code, belong to the web layer.

use crate::accounts::{AccountError, Problems, Result, User, passwords};
use crate::sessions::{FAILURE_WINDOW_SECONDS, wait_seconds};
use crate::{App, Cache};
use convene_domain::UserId;
use convene_domain::audit::AuditAction;
use convene_domain::policy::Principal;
use convene_domain::secret_box::{self, SecretKey};
use convene_domain::two_factor;
use convene_store::{throttle, users};

/// The service's secret key, which seals every TOTP secret.
fn required_key(key: Option<&SecretKey>) -> Result<&SecretKey> {
    key.ok_or_else(|| {
        AccountError::Internal(
            "no secret key: set CONVENE_SECRET_KEY or --secret-key-file to use two-factor sign-in".into(),
        )
    })
}

/// Now, in whole seconds since 1970, for TOTP.
pub fn unix_seconds(app: &App) -> u64 {
    u64::try_from(app.clock.now().0 / 1_000_000).unwrap_or(0)
}

/// True when `who`'s role needs a second factor and the server enforces it: then it cannot
/// be turned off.
pub fn required(who: &Principal, enforce_two_factor: bool) -> bool {
    enforce_two_factor && who.grants.iter().any(|g| g.role.needs_two_factor())
}

/// A person's TOTP secret, opened with the service's key, and the last step used; none
/// when two-factor sign-in is off.
async fn open_secret(
    app: &App,
    key: Option<&SecretKey>,
    user_id: UserId,
) -> Result<Option<(String, Option<i64>)>> {
    let Some((sealed, last_step)) = convene_store::two_factor::secret(&app.db, user_id).await? else {
        return Ok(None);
    };
    let secret = required_key(key)?
        .open_text(&secret_box::totp_secret_context(user_id.0), &sealed)
        .map_err(|e| {
            AccountError::Internal(format!(
                "cannot open the two-factor secret of user {user_id}: {e}"
            ))
        })?;
    Ok(Some((secret, last_step)))
}

/// True when `typed` is a current code (not used before) or an unused recovery code.
async fn code_is_good(app: &App, key: Option<&SecretKey>, user_id: UserId, typed: &str) -> Result<bool> {
    let Some((secret, last_step)) = open_secret(app, key, user_id).await? else {
        return Ok(false);
    };
    if let Some(step) = two_factor::verify(&secret, typed, unix_seconds(app), last_step) {
        return Ok(convene_store::two_factor::spend_step(&app.db, user_id, step).await?);
    }
    let recovery = two_factor::normalise_recovery_code(typed);
    if recovery.len() == two_factor::RECOVERY_CODE_CHARS
        && let Some(digest) = two_factor::recovery_code_digest(&secret, &recovery)
    {
        let used = convene_store::two_factor::spend_recovery_code(&app.db, user_id, &digest, app.clock.now())
            .await?;
        if used {
            let mut work = app.begin(Some(user_id.0)).await?;
            work.audit(AuditAction::RecoveryCodeUsed, Some(user_id.0)).await?;
            work.commit().await?;
        }
        return Ok(used);
    }
    Ok(false)
}

/// Checks the code typed after a right password. Wrong codes count per account towards
/// the same growing delay as wrong passwords, taken and checked in one statement, and are
/// never cleared by a right password. A refused code is an [`AccountError::Invalid`].
pub async fn check_code(app: &App, key: Option<&SecretKey>, user_id: UserId, typed: &str) -> Result<()> {
    let user = users::by_id(&app.db, user_id.0)
        .await?
        .ok_or(AccountError::NotFound)?;
    if typed.trim().is_empty() {
        return Err(Problems::one(
            "code",
            "Enter the 6-digit code from your authenticator app, or a recovery code",
        )
        .into());
    }
    let now = app.clock.now();
    let throttle_key = throttle::code_key(user.id);
    let taken = throttle::take_try(
        &app.db,
        &throttle_key,
        now,
        now.plus_seconds(-FAILURE_WINDOW_SECONDS),
    )
    .await?;
    if !taken.allowed {
        let wait = wait_seconds(taken.ready_at, now);
        let message = format!("Too many wrong codes. Wait {wait} seconds, then try again");
        return Err(Problems::throttled("code", message, wait).into());
    }
    if !code_is_good(app, key, user_id, typed).await? {
        return Err(Problems::one(
            "code",
            "The code is not right. Check your authenticator app and enter the newest code",
        )
        .into());
    }
    throttle::clear(&app.db, &throttle_key).await?;
    Ok(())
}

/// How many unused recovery codes a person has.
pub async fn recovery_codes_left(app: &App, user_id: UserId) -> Result<i64> {
    Ok(convene_store::two_factor::recovery_codes_left(&app.db, user_id).await?)
}

/// Fresh recovery codes and their keyed digests, for a person whose secret is `secret`.
fn recovery_codes_for(secret: &str) -> Result<(Vec<String>, Vec<String>)> {
    let codes = two_factor::new_recovery_codes();
    let digests = codes
        .iter()
        .map(|c| two_factor::recovery_code_digest(secret, c))
        .collect::<Option<_>>()
        .ok_or_else(|| AccountError::Internal("cannot digest recovery codes".into()))?;
    Ok((codes, digests))
}

/// Turns two-factor sign-in on with `secret` (the one being set up) once `code` proves the
/// person's app has it; returns the recovery codes, shown once.
pub async fn enable(
    app: &App,
    key: &SecretKey,
    user_id: UserId,
    secret: &str,
    code: &str,
) -> Result<Vec<String>> {
    let Some(step) = two_factor::verify(secret, code, unix_seconds(app), None) else {
        return Err(Problems::one(
            "code",
            "The code is not right. Enter the 6-digit code your app shows now",
        )
        .into());
    };
    let (codes, digests) = recovery_codes_for(secret)?;
    let sealed = key.seal_text(&secret_box::totp_secret_context(user_id.0), secret);
    let mut work = app.begin(Some(user_id.0)).await?;
    let now = work.now();
    convene_store::two_factor::enable(work.tx(), user_id, &sealed, step, &digests, now).await?;
    work.audit(AuditAction::TwoFactorEnabled, Some(user_id.0)).await?;
    work.clears(Cache::Person(user_id.0));
    work.commit().await?;
    Ok(codes)
}

/// Fresh recovery codes (the current password first, else a problem beside
/// `codes_password`), replacing any left: for someone who has used or lost theirs, or
/// whose codes were made before they were long enough to keep. `None` when two-factor
/// sign-in is off.
pub async fn replace_recovery_codes(
    app: &App,
    key: Option<&SecretKey>,
    user: &User,
    password: &str,
) -> Result<Option<Vec<String>>> {
    if !passwords::matches(password, Some(&user.password_hash)).await? {
        return Err(Problems::one(
            "codes_password",
            "Enter your current password to make new recovery codes",
        )
        .into());
    }
    let Some((secret, _)) = open_secret(app, key, user.id).await? else {
        return Ok(None);
    };
    let (codes, digests) = recovery_codes_for(&secret)?;
    let mut work = app.begin(Some(user.id.0)).await?;
    convene_store::two_factor::replace_recovery_codes(work.tx(), user.id, &digests).await?;
    work.audit(AuditAction::RecoveryCodesReplaced, Some(user.id.0))
        .await?;
    work.commit().await?;
    Ok(Some(codes))
}

/// Turns two-factor sign-in off (the current password first), unless the person's role
/// needs it and the server enforces it ([`AccountError::Forbidden`]).
pub async fn turn_off(
    app: &App,
    user: &User,
    who: &Principal,
    enforce_two_factor: bool,
    password: &str,
) -> Result<()> {
    if required(who, enforce_two_factor) {
        return Err(AccountError::Forbidden);
    }
    if !passwords::matches(password, Some(&user.password_hash)).await? {
        return Err(Problems::one(
            "password",
            "Enter your current password to turn two-factor sign-in off",
        )
        .into());
    }
    let mut work = app.begin(Some(user.id.0)).await?;
    convene_store::two_factor::disable(work.tx(), user.id).await?;
    work.audit(AuditAction::TwoFactorDisabled, Some(user.id.0))
        .await?;
    work.clears(Cache::Person(user.id.0));
    work.commit().await?;
    Ok(())
}
