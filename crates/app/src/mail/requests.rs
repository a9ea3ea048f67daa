//! Mail about roles: a request for one — to act for a place, or to join an enabler pool —
//! (to the admins who decide it), its approval or refusal (to the person), and an
//! invitation to a role.

use super::message;

/// To each admin who may decide a new request.
#[derive(Debug, Clone)]
pub struct RoleRequestWaiting {
    pub to: String,
    /// What was asked, after "to": "act for Westermoor", "join the enabler pool of …".
    pub what: String,
    /// The request's page.
    pub link: String,
}
message!(
    RoleRequestWaiting,
    "mail/role_request_waiting.txt",
    "mail/role_request_waiting.html",
    |_m| "A request for a role is waiting".to_string()
);

/// To the person whose request was approved.
#[derive(Debug, Clone)]
pub struct RoleRequestApproved {
    pub to: String,
    pub name: String,
    /// What was asked, after "to".
    pub what: String,
    /// What they can do now, as a sentence without its full stop.
    pub next: String,
    /// The address the service is reached at, for the dashboard.
    pub public_url: String,
    /// What the admin added, trimmed; `None` when they added nothing.
    pub note: Option<String>,
}
message!(
    RoleRequestApproved,
    "mail/role_request_approved.txt",
    "mail/role_request_approved.html",
    |m| format!("You can now {}", m.what)
);

/// To the person whose request was declined, with the reason.
#[derive(Debug, Clone)]
pub struct RoleRequestDeclined {
    pub to: String,
    pub name: String,
    /// What was asked, after "to".
    pub what: String,
    /// The admin's reason, trimmed (always given when declining).
    pub reason: String,
}
message!(
    RoleRequestDeclined,
    "mail/role_request_declined.txt",
    "mail/role_request_declined.html",
    |m| format!("Your request to {} was declined", m.what)
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
