//! Mail about enablers: a confirmed match, to the place's leads and to the enabler.

use super::message;

/// A place and its enabler are matched, and their engagement starts.
#[derive(Debug, Clone)]
pub struct MatchConfirmed {
    pub to: String,
    pub place: String,
    pub enabler: String,
    /// The first day, in words.
    pub starts: String,
    /// The allocation, in days.
    pub allocation: String,
    /// The engagement's page.
    pub link: String,
}

message!(
    MatchConfirmed,
    "mail/match_confirmed.txt",
    "mail/match_confirmed.html",
    |m| format!("{} and {} are matched", m.place, m.enabler)
);
