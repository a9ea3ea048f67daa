//! Contact an enabler logs: the kind, the hours as typed, and the checks an entry must pass.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use super::{Engagement, Minutes, date_words};
use crate::panels::Problem;

/// The shortest entry: a quarter of an hour.
pub const MIN_MINUTES: i64 = 15;

/// No more than a day's 24 hours may be logged on one date, over all its entries.
pub const MAX_MINUTES_A_DAY: i64 = 24 * 60;

/// The longest notes kept with an entry.
pub const MAX_NOTES: usize = 2000;

const HOURS_RANGE: &str = "Enter hours between 0.25 and 24, like 1.5";

/// What the contact was.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ContactKind {
    Workshop,
    Coaching,
    Meeting,
    Other,
}

impl ContactKind {
    pub const ALL: [ContactKind; 4] = [
        ContactKind::Workshop,
        ContactKind::Coaching,
        ContactKind::Meeting,
        ContactKind::Other,
    ];

    pub fn key(self) -> &'static str {
        match self {
            ContactKind::Workshop => "workshop",
            ContactKind::Coaching => "coaching",
            ContactKind::Meeting => "meeting",
            ContactKind::Other => "other",
        }
    }

    pub fn from_key(key: &str) -> Option<ContactKind> {
        ContactKind::ALL.into_iter().find(|k| k.key() == key)
    }

    /// As the pages say it.
    pub fn label(self) -> &'static str {
        match self {
            ContactKind::Workshop => "Workshop",
            ContactKind::Coaching => "Coaching session",
            ContactKind::Meeting => "Meeting",
            ContactKind::Other => "Other",
        }
    }
}

/// One entry of contact as an enabler logs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactEntry {
    pub date: Date,
    pub minutes: Minutes,
    pub kind: ContactKind,
    pub notes: String,
}

/// Reads hours as people type them ("1.5", "0.25", "2 hours", ".75") into minutes, to the
/// nearest minute. Only the form is checked here: [`contact_problems`] checks the range.
pub fn parse_hours(text: &str) -> Result<Minutes, Problem> {
    let problem = |message: &str| Problem {
        field: "hours".into(),
        message: message.into(),
    };
    let lower = text.trim().to_lowercase();
    let number = ["hours", "hour", "hrs", "hr", "h"]
        .iter()
        .find_map(|unit| lower.strip_suffix(unit))
        .unwrap_or(&lower)
        .trim();
    if number.is_empty() {
        return Err(problem("Enter the hours of contact, like 1.5"));
    }
    let (negative, digits) = match number.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, number),
    };
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    let all_digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
    if (whole.is_empty() && fraction.is_empty()) || !all_digits(whole) || !all_digits(fraction) {
        return Err(problem("Enter hours as a number, like 1.5"));
    }
    if fraction.len() > 2 || whole.len() > 4 {
        return Err(problem(HOURS_RANGE));
    }
    let hundredths = format!("{whole}{fraction:0<2}").parse::<i64>().unwrap_or(0);
    // Hundredths of an hour to minutes, rounded half up: 0.33 hours is 20 minutes.
    let minutes = (hundredths * 60 + 50) / 100;
    Ok(Minutes(if negative { -minutes } else { minutes }))
}

/// Minutes as hours, to at most two decimals and no trailing zeros: "1.5", "0.25", "24".
pub fn hours_text(time: Minutes) -> String {
    let hundredths = (time.0.abs() * 100 + 30) / 60;
    let sign = if time.0 < 0 { "-" } else { "" };
    let (whole, part) = (hundredths / 100, hundredths % 100);
    match part {
        0 => format!("{sign}{whole}"),
        p if p % 10 == 0 => format!("{sign}{whole}.{}", p / 10),
        p => format!("{sign}{whole}.{p:02}"),
    }
}

/// "1 hour", "1.5 hours".
fn hours_words(time: Minutes) -> String {
    match hours_text(time).as_str() {
        "1" => "1 hour".into(),
        text => format!("{text} hours"),
    }
}

/// Every problem with a contact entry for `engagement`: hours outside a quarter of an hour
/// to 24, more than 24 hours on one date counting `logged_that_day` (the other entries on
/// that date, so not this one when it is being changed), a date outside the engagement's
/// dates or after `today`, and overlong notes.
pub fn contact_problems(
    entry: &ContactEntry,
    engagement: &Engagement,
    logged_that_day: Minutes,
    today: Date,
) -> Vec<Problem> {
    let mut problems = Vec::new();
    let mut push = |field: &str, message: String| {
        problems.push(Problem {
            field: field.into(),
            message,
        })
    };
    let minutes = entry.minutes.0;
    let already = logged_that_day.0.max(0);
    if !(MIN_MINUTES..=MAX_MINUTES_A_DAY).contains(&minutes) {
        push("hours", HOURS_RANGE.into());
    } else if already.saturating_add(minutes) > MAX_MINUTES_A_DAY {
        let on = date_words(entry.date);
        let logged = hours_words(Minutes(already));
        let left = MAX_MINUTES_A_DAY - already.min(MAX_MINUTES_A_DAY);
        let message = if left < MIN_MINUTES {
            format!("{logged} already logged on {on}, so no more can be added that day")
        } else {
            format!(
                "{logged} already logged on {on}: enter {} or less",
                hours_words(Minutes(left))
            )
        };
        push("hours", message);
    }
    if entry.date < engagement.start {
        push(
            "date",
            format!(
                "The date of the contact must be on or after {}, when the engagement started",
                date_words(engagement.start)
            ),
        );
    } else if entry.date > engagement.end {
        push(
            "date",
            format!(
                "The date of the contact must be on or before {}, the last day of the engagement",
                date_words(engagement.end)
            ),
        );
    } else if entry.date > today {
        push(
            "date",
            "The date of the contact must be today or in the past".into(),
        );
    }
    if entry.notes.chars().count() > MAX_NOTES {
        push("notes", "Notes must be 2,000 characters or fewer".into());
    }
    problems
}
