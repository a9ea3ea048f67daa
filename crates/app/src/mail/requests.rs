//! Mail about roles: a request to act for a place (to the admins who decide it), its
//! approval or refusal (to the person), and an invitation to a role.

use super::message;

/// To each admin who may decide a new request to act for a place.
#[derive(Debug, Clone)]
pub struct RoleRequestWaiting {
    pub to: String,
    pub place: String,
    /// The request's page.
    pub link: String,
}
message!(
    RoleRequestWaiting,
    "mail/role_request_waiting.txt",
    "mail/role_request_waiting.html",
    |_m| "A request to act for a place is waiting".to_string()
);

/// To the person whose request to act for a place was approved.
#[derive(Debug, Clone)]
pub struct RoleRequestApproved {
    pub to: String,
    pub name: String,
    pub place: String,
    /// The address the service is reached at, for the dashboard.
    pub public_url: String,
    /// What the admin added, trimmed; `None` when they added nothing.
    pub note: Option<String>,
}
message!(
    RoleRequestApproved,
    "mail/role_request_approved.txt",
    "mail/role_request_approved.html",
    |m| format!("You can now act for {}", m.place)
);

/// To the person whose request to act for a place was declined, with the reason.
#[derive(Debug, Clone)]
pub struct RoleRequestDeclined {
    pub to: String,
    pub name: String,
    pub place: String,
    /// The admin's reason, trimmed (always given when declining).
    pub reason: String,
}
message!(
    RoleRequestDeclined,
    "mail/role_request_declined.txt",
    "mail/role_request_declined.html",
    |m| format!("Your request to act for {} was declined", m.place)
);

/// An invitation to a role, with the link that accepts it.
#[derive(Debug, Clone)]
pub struct Invitation {
    pub to: String,
    /// The role in words ("act for Westermoor as its place lead", "sit on the panel of …",
    /// "be a programme admin of …").
    pub what: String,
    /// The `/invitations/<secret>` link: removed from the stored copy once sent.
    pub link: String,
}
message!(
    Invitation,
    "mail/invitation.txt",
    "mail/invitation.html",
    |m| format!("You are invited to {}", m.what)
);
