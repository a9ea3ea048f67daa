//! People, their roles and the secrets that prove who they are.

use crate::ids::UserId;
use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fmt;

/// What a person may act as. Sponsors and partner contacts act through signed links and
/// have no role here.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    ServiceAdmin,
    ProgrammeAdmin,
    PanelMember,
    PlaceLead,
    Enabler,
    Participant,
}

impl Role {
    /// Every role, most powerful first.
    pub const ALL: [Role; 6] = [
        Role::ServiceAdmin,
        Role::ProgrammeAdmin,
        Role::PanelMember,
        Role::PlaceLead,
        Role::Enabler,
        Role::Participant,
    ];

    /// The name stored in the database and typed on the command line.
    pub fn key(self) -> &'static str {
        match self {
            Role::ServiceAdmin => "service_admin",
            Role::ProgrammeAdmin => "programme_admin",
            Role::PanelMember => "panel_member",
            Role::PlaceLead => "place_lead",
            Role::Enabler => "enabler",
            Role::Participant => "participant",
        }
    }

    /// Reads a stored or typed role name.
    pub fn from_key(key: &str) -> Option<Role> {
        Role::ALL
            .into_iter()
            .find(|r| r.key() == key.trim().replace('-', "_"))
    }

    /// The role as people say it.
    pub fn label(self) -> &'static str {
        match self {
            Role::ServiceAdmin => "Service admin",
            Role::ProgrammeAdmin => "Programme admin",
            Role::PanelMember => "Panel member",
            Role::PlaceLead => "Place lead",
            Role::Enabler => "Enabler",
            Role::Participant => "Participant",
        }
    }

    /// True for the roles that must sign in with a second factor.
    pub fn needs_two_factor(self) -> bool {
        matches!(
            self,
            Role::ServiceAdmin | Role::ProgrammeAdmin | Role::PanelMember
        )
    }

    /// What kind of record a grant of this role must name.
    pub fn scope_kind(self) -> ScopeKind {
        match self {
            Role::ServiceAdmin | Role::Enabler | Role::Participant => ScopeKind::None,
            Role::ProgrammeAdmin => ScopeKind::Programme,
            Role::PanelMember => ScopeKind::Round,
            Role::PlaceLead => ScopeKind::Place,
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// The kind of record a role is granted over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScopeKind {
    None,
    Programme,
    Round,
    Place,
}

/// One role a person holds, over the record it names (if the role needs one).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Grant {
    pub role: Role,
    /// The programme, round or place id the grant covers, as its role's `scope_kind` says.
    pub scope_id: Option<i64>,
}

/// Why a grant is malformed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GrantError {
    #[error("The {0} role needs a scope")]
    MissingScope(&'static str),
    #[error("The {0} role takes no scope")]
    UnexpectedScope(&'static str),
}

impl Grant {
    /// A grant that names a scope exactly when its role needs one.
    pub fn new(role: Role, scope_id: Option<i64>) -> Result<Grant, GrantError> {
        match (role.scope_kind(), scope_id) {
            (ScopeKind::None, Some(_)) => Err(GrantError::UnexpectedScope(role.label())),
            (ScopeKind::None, None) => Ok(Grant { role, scope_id: None }),
            (_, None) => Err(GrantError::MissingScope(role.label())),
            (_, Some(id)) => Ok(Grant {
                role,
                scope_id: Some(id),
            }),
        }
    }
}

/// Shortest password accepted (NCSC guidance: length, not composition rules).
pub const MIN_PASSWORD_LENGTH: usize = 12;

/// Why a new password is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordError {
    #[error("Enter a password")]
    Empty,
    #[error("Password must be {MIN_PASSWORD_LENGTH} characters or more")]
    TooShort,
    #[error("Password must be 128 characters or fewer")]
    TooLong,
    #[error(
        "This password is on a list of common passwords. Choose one that is harder to guess, such as three random words"
    )]
    Common,
    #[error(
        "This password is too easy to guess, for example a repeated word or a keyboard pattern. Choose one that is harder to guess, such as three random words"
    )]
    Guessable,
}

/// Checks a new password as NCSC advises: a minimum length (counted in characters, as a
/// person counts them), no composition rules, and not on a list of common passwords (the
/// lists zxcvbn ships) nor otherwise trivially guessable (repeats, keyboard runs).
pub fn check_new_password(password: &str) -> Result<(), PasswordError> {
    let n = password.chars().count();
    if n == 0 {
        return Err(PasswordError::Empty);
    } else if n < MIN_PASSWORD_LENGTH {
        return Err(PasswordError::TooShort);
    } else if n > 128 {
        return Err(PasswordError::TooLong);
    }
    let estimate = zxcvbn::zxcvbn(password, &[]);
    let whole_common_password = matches!(
        estimate.sequence(),
        [only] if matches!(&only.pattern, zxcvbn::matching::patterns::MatchPattern::Dictionary(d)
            // The dictionary's type is not exported; its name is.
            if format!("{:?}", d.dictionary_name) == "Passwords")
    );
    if whole_common_password {
        Err(PasswordError::Common)
    } else if estimate.score() < zxcvbn::Score::Two {
        Err(PasswordError::Guessable)
    } else {
        Ok(())
    }
}

/// Hashes a password with argon2id and a random salt (slow on purpose: call off the async
/// runtime).
pub fn hash_password(password: &str) -> Result<String, argon2::password_hash::Error> {
    let mut salt = [0u8; 16];
    rand::rng().fill_bytes(&mut salt);
    Ok(Argon2::default()
        .hash_password_with_salt(password.as_bytes(), &salt)?
        .to_string())
}

/// True when `password` matches the stored argon2 hash.
pub fn verify_password(password: &str, stored_hash: &str) -> bool {
    Argon2::default()
        .verify_password(password.as_bytes(), stored_hash)
        .is_ok()
}

/// A hash that no password matches, verified against when an email is unknown so that a
/// wrong address takes as long as a wrong password.
pub fn dummy_password_hash() -> &'static str {
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$4lMnUCsO0+YoX7m+r9jdoS0zbJ8eaADHHXPt2pX6GnM"
}

/// Failed sign-ins allowed before a delay starts.
pub const FREE_SIGN_IN_FAILURES: i64 = 5;

/// How long to wait after the latest failure before another try is checked: none for the
/// first few failures, then doubling from 2 seconds up to 5 minutes. Never a lockout.
pub fn sign_in_delay_seconds(recent_failures: i64) -> i64 {
    if recent_failures < FREE_SIGN_IN_FAILURES {
        return 0;
    }
    let steps = (recent_failures - FREE_SIGN_IN_FAILURES).min(20) as u32;
    (2i64 << steps).min(300)
}

/// A fresh random secret for links and tokens (256 bits, URL-safe hex).
pub fn new_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// What is stored for a secret: its SHA-256, so a leaked table grants nothing.
pub fn secret_digest(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_round_trip_through_keys() {
        for role in Role::ALL {
            assert_eq!(Role::from_key(role.key()), Some(role));
        }
        assert_eq!(Role::from_key("place-lead"), Some(Role::PlaceLead));
        assert_eq!(Role::from_key("sponsor"), None);
    }

    #[test]
    fn grants_need_the_right_scope() {
        assert!(Grant::new(Role::ProgrammeAdmin, None).is_err());
        assert!(Grant::new(Role::ServiceAdmin, Some(1)).is_err());
        assert!(Grant::new(Role::PlaceLead, Some(3)).is_ok());
        assert!(Grant::new(Role::Enabler, None).is_ok());
    }

    #[test]
    fn password_length_rules() {
        assert_eq!(check_new_password(""), Err(PasswordError::Empty));
        assert_eq!(check_new_password("short"), Err(PasswordError::TooShort));
        assert_eq!(check_new_password("correct horse battery"), Ok(()));
        assert_eq!(check_new_password("Larkspur kettle uplands"), Ok(()));
        assert_eq!(check_new_password("Convene-demo-2026"), Ok(()));
    }

    #[test]
    fn common_and_guessable_passwords_are_refused() {
        assert_eq!(check_new_password("password1234"), Err(PasswordError::Common));
        assert_eq!(check_new_password("qwertyuiop123"), Err(PasswordError::Common));
        assert_eq!(
            check_new_password("aaaaaaaaaaaaaaaa"),
            Err(PasswordError::Guessable)
        );
        assert_eq!(
            check_new_password("passwordpassword"),
            Err(PasswordError::Guessable)
        );
    }

    #[test]
    fn password_hash_verifies_only_the_right_password() {
        let hash = hash_password("correct horse battery").unwrap();
        assert!(verify_password("correct horse battery", &hash));
        assert!(!verify_password("wrong horse battery", &hash));
        assert!(!verify_password("anything", "not a hash"));
        assert!(!verify_password("anything", dummy_password_hash()));
    }

    #[test]
    fn sign_in_delay_grows_without_locking_out() {
        assert_eq!(sign_in_delay_seconds(0), 0);
        assert_eq!(sign_in_delay_seconds(4), 0);
        assert_eq!(sign_in_delay_seconds(5), 2);
        assert_eq!(sign_in_delay_seconds(6), 4);
        assert_eq!(sign_in_delay_seconds(100), 300);
    }

    #[test]
    fn secrets_are_fresh_and_digests_stable() {
        assert_ne!(new_secret(), new_secret());
        assert_eq!(secret_digest("abc"), secret_digest("abc"));
        assert_eq!(secret_digest("abc").len(), 64);
    }
}

/// A person with an account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: UserId,
    pub email: String,
    pub name: String,
    pub password_hash: String,
    pub organisation: String,
    pub job_role: String,
    /// False until the person opens the link sent to their address: they can read, but
    /// not ask for a role.
    pub email_verified: bool,
    /// True once two-factor sign-in is set up.
    pub totp_enabled: bool,
}
