//! Mail about outcomes: the letter every applicant gets on the round's notification date.

use super::message;

/// To each lead of a place, on the round's notification date (or when a reserve is offered
/// a declined place): the outcome, the panel's feedback and, with an offer, what to do.
#[derive(Debug, Clone)]
pub struct OutcomeLetter {
    pub to: String,
    pub place: String,
    pub round: String,
    /// The letter's heading (`LetterKind::heading`).
    pub heading: String,
    pub feedback: String,
    /// With an offer: its value, match contribution and the date to answer by, in words.
    pub offer: Option<OfferTerms>,
    /// The page to read the letter (and answer an offer) in the service.
    pub link: String,
    /// The programme's contact address.
    pub contact: String,
}

/// What an offer comes with, in words.
#[derive(Debug, Clone)]
pub struct OfferTerms {
    pub value: String,
    pub match_pledge: String,
    pub respond_by: String,
}

message!(
    OutcomeLetter,
    "mail/outcome_letter.txt",
    "mail/outcome_letter.html",
    |m| format!("{}: {}", m.round, m.heading)
);
