//! Decisions, awards and outcome letters: the rules, without I/O. The panel decides fund,
//! reserve or decline per application; funding makes an award the place's lead accepts or
//! declines; every applicant is told by a letter on the round's notification date.

use crate::money::Pence;
use crate::panels::Problem;
use crate::time::{Timestamp, london};
use serde::{Deserialize, Serialize};

/// The longest feedback or reason kept.
pub const MAX_FEEDBACK: usize = 5000;

/// How long a place has to answer an offer, from the award date.
pub const DAYS_TO_RESPOND: i64 = 14;

/// The panel's decision on one application.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Fund,
    Reserve,
    Decline,
}

impl Outcome {
    pub const ALL: [Outcome; 3] = [Outcome::Fund, Outcome::Reserve, Outcome::Decline];

    pub fn key(self) -> &'static str {
        match self {
            Outcome::Fund => "fund",
            Outcome::Reserve => "reserve",
            Outcome::Decline => "decline",
        }
    }

    pub fn from_key(key: &str) -> Option<Outcome> {
        Outcome::ALL.into_iter().find(|o| o.key() == key)
    }

    /// As the pages say it.
    pub fn label(self) -> &'static str {
        match self {
            Outcome::Fund => "Fund",
            Outcome::Reserve => "Reserve",
            Outcome::Decline => "Do not fund",
        }
    }

    /// The letter this decision sends.
    pub fn letter(self) -> LetterKind {
        match self {
            Outcome::Fund => LetterKind::Funded,
            Outcome::Reserve => LetterKind::Reserve,
            Outcome::Decline => LetterKind::NotFunded,
        }
    }
}

/// The kinds of outcome letter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LetterKind {
    Funded,
    Reserve,
    NotFunded,
    /// A reserve offered the place another declined.
    Offered,
}

impl LetterKind {
    pub const ALL: [LetterKind; 4] = [
        LetterKind::Funded,
        LetterKind::Reserve,
        LetterKind::NotFunded,
        LetterKind::Offered,
    ];

    pub fn key(self) -> &'static str {
        match self {
            LetterKind::Funded => "funded",
            LetterKind::Reserve => "reserve",
            LetterKind::NotFunded => "not_funded",
            LetterKind::Offered => "offered",
        }
    }

    pub fn from_key(key: &str) -> Option<LetterKind> {
        LetterKind::ALL.into_iter().find(|k| k.key() == key)
    }

    /// The letter's heading.
    pub fn heading(self) -> &'static str {
        match self {
            LetterKind::Funded | LetterKind::Offered => "You have been offered a place",
            LetterKind::Reserve => "You are on the reserve list",
            LetterKind::NotFunded => "You have not been offered a place this time",
        }
    }

    /// True when the letter comes with an award to accept or decline.
    pub fn offers_award(self) -> bool {
        matches!(self, LetterKind::Funded | LetterKind::Offered)
    }
}

/// Where an award stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AwardStatus {
    Offered,
    Accepted,
    Declined,
}

impl AwardStatus {
    pub const ALL: [AwardStatus; 3] = [AwardStatus::Offered, AwardStatus::Accepted, AwardStatus::Declined];

    pub fn key(self) -> &'static str {
        match self {
            AwardStatus::Offered => "offered",
            AwardStatus::Accepted => "accepted",
            AwardStatus::Declined => "declined",
        }
    }

    pub fn from_key(key: &str) -> Option<AwardStatus> {
        AwardStatus::ALL.into_iter().find(|s| s.key() == key)
    }

    pub fn label(self) -> &'static str {
        match self {
            AwardStatus::Offered => "Offered",
            AwardStatus::Accepted => "Accepted",
            AwardStatus::Declined => "Declined",
        }
    }
}

/// A decision as typed, checked: feedback is required; before every review is in, so is
/// a reason to decide anyway.
pub fn decision_problems(feedback: &str, reviews_missing: u32, override_reason: &str) -> Vec<Problem> {
    let mut problems = Vec::new();
    let mut push = |field: &str, message: String| {
        problems.push(Problem {
            field: field.into(),
            message,
        })
    };
    if feedback.trim().is_empty() {
        push("feedback", "Enter the panel's feedback for the place".into());
    } else if feedback.chars().count() > MAX_FEEDBACK {
        push(
            "feedback",
            format!("Feedback must be {MAX_FEEDBACK} characters or fewer"),
        );
    }
    if reviews_missing > 0 && override_reason.trim().is_empty() {
        let message = if reviews_missing == 1 {
            "1 review is still to come: wait for it, or give a reason to decide now".to_string()
        } else {
            format!(
                "{reviews_missing} reviews are still to come: wait for them, or give a reason to decide now"
            )
        };
        push("override_reason", message);
    } else if override_reason.chars().count() > MAX_FEEDBACK {
        push(
            "override_reason",
            format!("The reason must be {MAX_FEEDBACK} characters or fewer"),
        );
    }
    problems
}

/// What a fund holds: partner contributions plus the match contributions pledged by
/// places that accepted, less the awards made. `committed` counts awards decided but not
/// yet announced: they are spent from the fund, but only staff may know of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Fund {
    pub contributions: Pence,
    pub match_pledged: Pence,
    /// Awards announced and not declined.
    pub awarded: Pence,
    /// Awards decided, not yet announced.
    pub committed: Pence,
}

impl Fund {
    pub fn total(&self) -> Pence {
        Pence(self.contributions.0.saturating_add(self.match_pledged.0))
    }

    /// What is left as the public sees it (announced awards only).
    pub fn left(&self) -> Pence {
        Pence(self.total().0.saturating_sub(self.awarded.0))
    }

    /// What may still be awarded: nothing decided may be spent twice.
    pub fn available(&self) -> Pence {
        Pence(
            self.total()
                .0
                .saturating_sub(self.awarded.0)
                .saturating_sub(self.committed.0),
        )
    }
}

/// Checks an award's value against what the fund has available.
pub fn value_problem(value: Pence, available: Pence) -> Option<String> {
    if value.0 <= 0 {
        Some("Enter an award value of more than £0".into())
    } else if value > available {
        Some(format!(
            "The award ({value}) is more than the fund has left to award ({available})"
        ))
    } else {
        None
    }
}

/// The dates an award is made with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AwardDates {
    /// The award date: when the place is told.
    pub offered_at: Timestamp,
    /// The end of the last day to accept or decline.
    pub respond_by: Timestamp,
    pub starts_at: Timestamp,
    pub ends_at: Timestamp,
}

/// An award's dates: made on the notification date (or now, when that has passed), to be
/// answered within [`DAYS_TO_RESPOND`] days, starting at the launch event (or the award
/// date) and running to the end of the financial year (31 March) at least six months on.
pub fn award_dates(notify_by: Timestamp, launch: Option<Timestamp>, now: Timestamp) -> AwardDates {
    let offered_at = notify_by.max(now);
    let respond_by = end_of_day(offered_at.plus_seconds(DAYS_TO_RESPOND * 24 * 3600));
    let starts_at = launch.filter(|l| *l > offered_at).unwrap_or(offered_at);
    let half_year_on = starts_at
        .to_jiff()
        .to_zoned_datetime(london())
        .date()
        .checked_add(jiff::Span::new().months(6))
        .unwrap_or(jiff::civil::Date::MAX);
    let year = if half_year_on.month() <= 3 {
        half_year_on.year()
    } else {
        half_year_on.year().saturating_add(1)
    };
    let ends_at = Timestamp::from_london(year, 3, 31, 23, 59, 59).unwrap_or(starts_at);
    AwardDates {
        offered_at,
        respond_by,
        starts_at,
        ends_at,
    }
}

/// 11:59:59pm, London time, on the day of `at`.
fn end_of_day(at: Timestamp) -> Timestamp {
    let d = at.to_jiff().to_zoned_datetime(london()).date();
    Timestamp::from_london(d.year(), d.month(), d.day(), 23, 59, 59).unwrap_or(at)
}

/// Whether a place may still answer an offer.
pub fn response_problem(status: AwardStatus, respond_by: Timestamp, now: Timestamp) -> Option<String> {
    match status {
        AwardStatus::Accepted => Some("This award has already been accepted".into()),
        AwardStatus::Declined => Some("This award has already been declined".into()),
        AwardStatus::Offered if now > respond_by => Some(format!(
            "The offer had to be answered by {}: contact the programme team",
            respond_by.london_words()
        )),
        AwardStatus::Offered => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(y: i16, m: i8, d: i8) -> Timestamp {
        Timestamp::from_london(y, m, d, 17, 0, 0).unwrap_or(Timestamp(0))
    }

    #[test]
    fn keys_round_trip() {
        for o in Outcome::ALL {
            assert_eq!(Outcome::from_key(o.key()), Some(o));
        }
        for k in LetterKind::ALL {
            assert_eq!(LetterKind::from_key(k.key()), Some(k));
        }
        for s in AwardStatus::ALL {
            assert_eq!(AwardStatus::from_key(s.key()), Some(s));
        }
        assert_eq!(Outcome::from_key("maybe"), None);
    }

    #[test]
    fn a_decision_needs_feedback_and_a_reason_before_every_review_is_in() {
        assert!(decision_problems("Strong partnership.", 0, "").is_empty());
        let p = decision_problems(" ", 2, "");
        assert_eq!(p.len(), 2);
        assert_eq!(p[0].field, "feedback");
        assert_eq!(p[1].field, "override_reason");
        assert!(p[1].message.starts_with("2 reviews are still to come"));
        assert!(decision_problems("Fine.", 1, "The reviewer is ill; the chair read it").is_empty());
        assert!(
            decision_problems("Fine.", 1, "")[0]
                .message
                .starts_with("1 review is")
        );
        assert_eq!(decision_problems(&"x".repeat(MAX_FEEDBACK + 1), 0, "").len(), 1);
    }

    #[test]
    fn the_fund_counts_pledges_and_keeps_decisions_from_the_public() {
        let fund = Fund {
            contributions: Pence::pounds(1_050_000),
            match_pledged: Pence::pounds(300_000),
            awarded: Pence::pounds(1_050_000),
            committed: Pence::pounds(70_000),
        };
        assert_eq!(fund.total(), Pence::pounds(1_350_000));
        assert_eq!(fund.left(), Pence::pounds(300_000));
        assert_eq!(fund.available(), Pence::pounds(230_000));
    }

    #[test]
    fn award_values_are_more_than_nothing_and_within_the_fund() {
        let left = Pence::pounds(50_000);
        assert!(value_problem(Pence(0), left).is_some());
        assert!(value_problem(Pence(-1), left).is_some());
        assert!(value_problem(Pence::pounds(50_001), left).is_some());
        assert_eq!(value_problem(Pence::pounds(50_000), left), None);
    }

    #[test]
    fn award_dates_follow_the_round() {
        let notify = at(2013, 6, 10);
        let launch_at = Timestamp::from_london(2013, 6, 28, 10, 0, 0).unwrap_or(Timestamp(0));
        let launch = Some(launch_at);
        let d = award_dates(notify, launch, at(2013, 6, 1));
        assert_eq!(d.offered_at, notify);
        assert_eq!(d.respond_by.london_words(), "11:59pm on Monday 24 June 2013");
        assert_eq!(d.starts_at, launch_at);
        assert_eq!(d.ends_at.london_date(), "31 March 2014");
        // Decided after the notification date: made now.
        let late = at(2013, 7, 1);
        assert_eq!(award_dates(notify, launch, late).offered_at, late);
        assert_eq!(award_dates(notify, None, late).starts_at, late);
        // A January start still runs to the next 31 March but one.
        assert_eq!(
            award_dates(at(2013, 1, 7), None, at(2012, 12, 1))
                .ends_at
                .london_date(),
            "31 March 2014"
        );
    }

    #[test]
    fn offers_are_answered_once_and_in_time() {
        let by = at(2013, 6, 24);
        assert_eq!(response_problem(AwardStatus::Offered, by, at(2013, 6, 20)), None);
        assert!(response_problem(AwardStatus::Offered, by, at(2013, 6, 25)).is_some());
        assert!(response_problem(AwardStatus::Accepted, by, at(2013, 6, 20)).is_some());
        assert!(response_problem(AwardStatus::Declined, by, at(2013, 6, 20)).is_some());
    }
}
