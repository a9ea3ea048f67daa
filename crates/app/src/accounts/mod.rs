//! People's accounts, shared by the pages and the API: who a user id or an API token is
//! ([`person`], [`api_token_owner`]), the account page's API tokens and "sign out
//! everywhere" (`credentials`), changing one's details, address and password
//! (`profile`), and choosing a new password by emailed link (`reset`). Passwords are
//! hashed and checked off the async threads ([`passwords`]).
//!
//! Registering, role requests and invitations are in [`crate::registration`]; signing in
//! in [`crate::sessions`]; two-factor sign-in in [`crate::two_factor`]; every emailed link
//! in [`crate::links`]. They all answer with an [`AccountError`].

mod credentials;
pub mod passwords;
mod profile;
mod reset;

pub(crate) use credentials::revoke_credentials;
pub use credentials::{
    AccountOverview, api_token_owner, create_api_token, overview, revoke_api_token, sign_out_everywhere,
};
pub use profile::{change_email, change_password, save_details};
pub use reset::{reset_link_live, reset_password, send_reset_link};

pub use convene_domain::accounts::User;
pub use convene_store::tokens::ApiToken;

use crate::App;
use crate::links::LinkState;
use crate::people::Person;
use convene_domain::UserId;
use convene_domain::policy::Principal;
use convene_store::StoreError;
use convene_store::users;
use std::sync::Arc;

/// Why an account action did not happen.
#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    /// The record does not exist, or the asker may not know it does.
    #[error("not found")]
    NotFound,
    /// The asker may not do this.
    #[error("not allowed")]
    Forbidden,
    /// What was typed needs correcting, field by field; nothing changed.
    #[error("what was typed needs correcting")]
    Invalid(Problems),
    /// What was typed is fine, but the record's state refuses it (one acts for the place
    /// already, or a request waits for a decision), field by field; nothing changed. Pages
    /// show it as they show [`AccountError::Invalid`]; the API answers 409.
    #[error("the record's state refuses this")]
    State(Problems),
    /// The emailed link cannot be used (used, expired, voided or unknown).
    #[error("the link cannot be used: {0:?}")]
    Link(LinkState),
    /// The request was decided already (by someone else, or a second click).
    #[error("already decided")]
    AlreadyDecided,
    /// The record already exists (a unique constraint).
    #[error("conflict: {0}")]
    Conflict(String),
    /// Something the service needs broke (a password hash, a missing secret key).
    #[error("{0}")]
    Internal(String),
    /// The store failed; the cause is kept.
    #[error("store failed")]
    Store(#[source] StoreError),
}

impl From<StoreError> for AccountError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => AccountError::NotFound,
            StoreError::Duplicate(what) => AccountError::Conflict(what),
            other => AccountError::Store(other),
        }
    }
}

impl From<Problems> for AccountError {
    fn from(p: Problems) -> Self {
        AccountError::Invalid(p)
    }
}

/// What an account action returns.
pub type Result<T, E = AccountError> = std::result::Result<T, E>;

/// Problems with what was typed, in page order, each naming its field: shown as an error
/// summary and beside each field on pages, as per-field errors in the API. A refusal by a
/// throttle (too many failed tries) also says how long to wait ([`Problems::wait_seconds`]),
/// so the API can answer 429 with Retry-After without reading the message.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Problems {
    fields: Vec<(String, String)>,
    wait_seconds: Option<i64>,
}

impl Problems {
    /// Records a problem with `field`.
    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        self.fields.push((field.to_string(), message.into()));
    }

    /// One problem from a throttle: nothing may be tried for `wait_seconds`.
    pub fn throttled(field: &str, message: impl Into<String>, wait_seconds: i64) -> Problems {
        let mut p = Problems::one(field, message);
        p.wait_seconds = Some(wait_seconds);
        p
    }

    /// Seconds to wait before trying again, when a throttle refused the try.
    pub fn wait_seconds(&self) -> Option<i64> {
        self.wait_seconds
    }

    /// One problem.
    pub fn one(field: &str, message: impl Into<String>) -> Problems {
        let mut p = Problems::default();
        p.add(field, message);
        p
    }

    /// True when nothing is wrong.
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }

    /// `Ok` when nothing is wrong, else the problems as an [`AccountError::Invalid`].
    pub fn check(self) -> Result<()> {
        if self.is_empty() {
            Ok(())
        } else {
            Err(AccountError::Invalid(self))
        }
    }

    /// (field, message) pairs, in order.
    pub fn into_vec(self) -> Vec<(String, String)> {
        self.fields
    }
}

pub(crate) fn required(problems: &mut Problems, field: &str, value: &str, what: &str, limit: usize) {
    let value = value.trim();
    if value.is_empty() {
        problems.add(field, format!("Enter your {what}"));
    } else if value.chars().count() > limit {
        problems.add(field, format!("Your {what} must be {limit} characters or fewer"));
    }
}

/// Checks the profile fields (name, organisation, job role) shared by registering, the
/// account page and invitations.
pub fn check_profile(problems: &mut Problems, name: &str, organisation: &str, job_role: &str) {
    required(problems, "name", name, "full name", 100);
    required(problems, "organisation", organisation, "organisation", 150);
    required(problems, "job_role", job_role, "job title", 100);
}

/// A person and their roles, from the short cache when it is fresh ([`crate::people`]).
pub async fn person(app: &App, user_id: UserId) -> Result<Option<Person>> {
    if let Some(hit) = app.people.get(user_id) {
        return Ok(Some(hit));
    }
    let Some(user) = users::by_id(&app.db, user_id.0).await? else {
        return Ok(None);
    };
    let grants = users::grants(&app.db, user_id).await?;
    let person = Arc::new((user, Principal { user_id, grants }));
    app.people.put(user_id, person.clone());
    Ok(Some(person))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_throttle_says_how_long_to_wait_and_typing_does_not() {
        let throttled = Problems::throttled("email", "Too many failed attempts", 30);
        assert_eq!(throttled.wait_seconds(), Some(30));
        assert_eq!(
            throttled.into_vec(),
            vec![("email".to_string(), "Too many failed attempts".to_string())]
        );
        assert_eq!(
            Problems::one("email", "Enter your email address").wait_seconds(),
            None
        );
    }
}
