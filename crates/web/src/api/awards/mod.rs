//! After moderation, through the API, calling only `convene_app::awards`: the selection
//! helper, its rules and award values ([`selection`]); the panel's decisions and the offer
//! of a declined place to the top reserve ([`decisions`]); a place's outcome and its answer
//! to an offer ([`offers`]); and the programme's 360Giving open data ([`open_data`]).
//! Every permission is decided in those use cases, as for the pages: a member conflicted
//! on an application sees nothing of it, and a place hears nothing before its letter goes
//! out. Every write answers 404 and 403 before anything about its body.

pub mod decisions;
pub mod offers;
pub mod open_data;
pub mod selection;

use convene_app::awards::Award;
use serde::Serialize;
use utoipa::ToSchema;

pub(crate) use crate::api::panels::{parse_after, renamed};

/// An award from the programme's fund.
#[derive(Serialize, ToSchema)]
pub struct AwardBody {
    pub id: i64,
    pub programme_id: i64,
    pub round_id: Option<i64>,
    pub application_id: Option<i64>,
    pub place_id: i64,
    pub place_name: String,
    /// The grant's reference (the application's).
    pub reference: String,
    /// The accountable organisation the grant is paid to.
    pub recipient_name: String,
    pub value_pence: i64,
    /// The place's match contribution, confirmed on accepting.
    pub match_pledge_pence: i64,
    pub breakthrough_issue: String,
    /// offered, accepted or declined.
    pub status: String,
    /// The award date (UTC, ISO 8601): when the place is told.
    pub offered_at: String,
    /// When the letter offering it went out; null until then.
    pub announced_at: Option<String>,
    /// The end of the last day to accept or decline.
    pub respond_by: String,
    pub responded_at: Option<String>,
    pub starts_at: String,
    pub ends_at: String,
    /// The declined award whose place this one offers to a reserve.
    pub replaces_award_id: Option<i64>,
}

impl From<&Award> for AwardBody {
    fn from(a: &Award) -> Self {
        AwardBody {
            id: a.id,
            programme_id: a.programme_id.0,
            round_id: a.round_id.map(|r| r.0),
            application_id: a.application_id.map(|id| id.0),
            place_id: a.place_id.0,
            place_name: a.place_name.clone(),
            reference: a.reference.clone(),
            recipient_name: a.recipient_name.clone(),
            value_pence: a.value.0,
            match_pledge_pence: a.match_pledge.0,
            breakthrough_issue: a.breakthrough_issue.clone(),
            status: a.status.key().into(),
            offered_at: a.offered_at.iso(),
            announced_at: a.announced_at.map(|t| t.iso()),
            respond_by: a.respond_by.iso(),
            responded_at: a.responded_at.map(|t| t.iso()),
            starts_at: a.starts_at.iso(),
            ends_at: a.ends_at.iso(),
            replaces_award_id: a.replaces_award_id,
        }
    }
}
