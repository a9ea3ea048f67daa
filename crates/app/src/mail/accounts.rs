//! Mail about accounts: confirming an address, a used address, a change of address asked
//! for, a password changed, and a password reset link.

use super::message;

/// The link that confirms an address (on registering, asking again, or moving an account
/// to a new address).
#[derive(Debug, Clone)]
pub struct ConfirmEmail {
    pub to: String,
    pub name: String,
    /// The `/verify-email/<secret>` link: removed from the stored copy once sent.
    pub link: String,
}
message!(
    ConfirmEmail,
    "mail/confirm_email.txt",
    "mail/confirm_email.html",
    |_m| "Confirm your email address for Convene".to_string()
);

/// To the owner of an address someone tried to register with again (registration answers
/// a used address exactly as a new one).
#[derive(Debug, Clone)]
pub struct AccountExists {
    pub to: String,
    /// The address the service is reached at, for the sign-in and forgotten password pages.
    pub public_url: String,
}
message!(
    AccountExists,
    "mail/account_exists.txt",
    "mail/account_exists.html",
    |_m| "You already have a Convene account".to_string()
);

/// To the owner of an address someone asked to move another account to.
#[derive(Debug, Clone)]
pub struct EmailInUse {
    pub to: String,
}
message!(
    EmailInUse,
    "mail/email_in_use.txt",
    "mail/email_in_use.html",
    |_m| "Your email address is already in use on Convene".to_string()
);

/// To an account's current address when a move to another address is asked for.
#[derive(Debug, Clone)]
pub struct EmailChangeAsked {
    pub to: String,
}
message!(
    EmailChangeAsked,
    "mail/email_change_asked.txt",
    "mail/email_change_asked.html",
    |_m| "A change of email address was asked for".to_string()
);

/// To an account whose password was just changed.
#[derive(Debug, Clone)]
pub struct PasswordChanged {
    pub to: String,
}
message!(
    PasswordChanged,
    "mail/password_changed.txt",
    "mail/password_changed.html",
    |_m| "Your Convene password was changed".to_string()
);

/// The link to choose a new password.
#[derive(Debug, Clone)]
pub struct PasswordReset {
    pub to: String,
    pub name: String,
    /// The `/reset-password/<secret>` link: removed from the stored copy once sent.
    pub link: String,
}
message!(
    PasswordReset,
    "mail/password_reset.txt",
    "mail/password_reset.html",
    |_m| "Reset your Convene password".to_string()
);
