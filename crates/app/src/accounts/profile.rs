//! Changing what the account page shows: name, organisation and job title; the email
//! address (confirmed again by a link to the new address); the password (the current one
//! first, and every other way in ends).

use super::{Problems, Result, User, check_profile, passwords, revoke_credentials};
use crate::{App, Cache, mail, registration};
use convene_domain::Email;
use convene_domain::UserId;
use convene_domain::accounts::check_new_password;
use convene_domain::audit::AuditAction;
use convene_store::users;

/// Saves a person's name, organisation and job title.
pub async fn save_details(
    app: &App,
    user_id: UserId,
    name: &str,
    organisation: &str,
    job_role: &str,
) -> Result<()> {
    let mut problems = Problems::default();
    check_profile(&mut problems, name, organisation, job_role);
    problems.check()?;
    let mut work = app.begin(Some(user_id.0)).await?;
    users::set_profile(
        work.tx(),
        user_id,
        name.trim(),
        organisation.trim(),
        job_role.trim(),
    )
    .await?;
    work.audit(AuditAction::ProfileChanged, Some(user_id.0)).await?;
    work.clears(Cache::Person(user_id.0));
    work.commit().await?;
    Ok(())
}

/// Sends a link to a new address (the current password first); the account moves to it
/// once the link is opened. A used address gets the same answer, and its owner is told.
/// Returns the new address as it will be kept.
pub async fn change_email(app: &App, user: &User, new_email: &str, password: &str) -> Result<Email> {
    let mut problems = Problems::default();
    let email = match Email::parse(new_email) {
        Ok(e) if e.as_str() == user.email => {
            problems.add("email", "This is already your email address");
            None
        }
        Ok(e) => Some(e),
        Err(e) => {
            problems.add("email", e.to_string());
            None
        }
    };
    if !passwords::matches(password, Some(&user.password_hash)).await? {
        problems.add("password", "Enter your current password");
    }
    let Some(email) = email.filter(|_| problems.is_empty()) else {
        return Err(problems.into());
    };
    registration::move_to_address(app, user, &email).await?;
    Ok(email)
}

/// Changes the password (the current one first), ends the account's tokens and emailed
/// links and tells the person by email. The caller ends every other session.
pub async fn change_password(app: &App, user: &User, current: &str, new_password: &str) -> Result<()> {
    let mut problems = Problems::default();
    if !passwords::matches(current, Some(&user.password_hash)).await? {
        problems.add("current", "Enter your current password");
    }
    if let Err(e) = check_new_password(new_password) {
        problems.add("password", e.to_string());
    }
    problems.check()?;
    let hash = passwords::hash(new_password).await?;
    let mut work = app.begin(Some(user.id.0)).await?;
    users::set_password_hash(work.tx(), user.id, &hash).await?;
    work.audit(AuditAction::PasswordChanged, Some(user.id.0)).await?;
    revoke_credentials(&mut work, user.id).await?;
    work.send(&mail::PasswordChanged {
        to: user.email.clone(),
    })
    .await?;
    work.commit().await?;
    Ok(())
}
