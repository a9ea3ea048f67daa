//! Engagements: a funded place paired with an enabler (a coach), and the contact time
//! between them. An engagement is allocated one day per working week from its start to the
//! end of the financial year (31 March), a week's share being its working days ÷ 5, and
//! England and Wales bank holidays are not working days. Enablers log contact in hours; a
//! day is the programme's day length (7.5 hours unless it sets another).
//!
//! Time is kept in whole minutes ([`Minutes`]): contact is logged to the minute, and a day
//! length is whole minutes in 5-minute steps, so one working day's share (a fifth of a day)
//! is whole minutes too. Every allocation, split and remainder is then exact, and only
//! what is shown is rounded ("12.40 days").

pub mod bank_holidays;
mod contact;
mod pace;

pub use contact::{
    ContactEntry, ContactKind, MAX_MINUTES_A_DAY, MAX_NOTES, MIN_MINUTES, contact_problems, hours_text,
    parse_hours,
};
pub use pace::{BurnPoint, PACE_GRACE_DAYS, PACE_TOLERANCE_PERCENT, Pace, burn_down, expected_use, pace};

use jiff::civil::{Date, Weekday};
use serde::{Deserialize, Serialize};

use crate::panels::Problem;

/// A length of contact time in whole minutes. Negative only as a shortfall: more used
/// than was allocated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Minutes(pub i64);

impl Minutes {
    pub const ZERO: Minutes = Minutes(0);

    /// Whole hours as minutes.
    pub const fn hours(hours: i64) -> Minutes {
        Minutes(hours * 60)
    }

    /// The sum of many lengths; saturates rather than wrapping.
    pub fn sum<I: IntoIterator<Item = Minutes>>(items: I) -> Minutes {
        Minutes(items.into_iter().fold(0i64, |acc, m| acc.saturating_add(m.0)))
    }
}

/// How long a day of contact is: 7.5 hours unless the programme sets another figure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct DayLength(u32);

impl Default for DayLength {
    fn default() -> Self {
        DayLength::STANDARD
    }
}

impl DayLength {
    /// 7.5 hours.
    pub const STANDARD: DayLength = DayLength(450);

    /// A day of `minutes`, from 1 to 24 hours in 5-minute steps: the steps keep a fifth
    /// of a day, one working day's share, in whole minutes.
    pub fn from_minutes(minutes: u32) -> Option<DayLength> {
        ((60..=1440).contains(&minutes) && minutes.is_multiple_of(5)).then_some(DayLength(minutes))
    }

    pub fn minutes(self) -> u32 {
        self.0
    }

    /// `time` in hundredths of a day, rounded half away from zero (5580 minutes in
    /// 7.5-hour days is 1240).
    pub fn hundredths(self, time: Minutes) -> i64 {
        let day = i128::from(self.0);
        let scaled = i128::from(time.0) * 100;
        let rounded = (scaled.abs() * 2 + day) / (day * 2);
        let rounded = i64::try_from(rounded).unwrap_or(i64::MAX);
        if time.0 < 0 { -rounded } else { rounded }
    }

    /// `time` in days to two decimals, as a figure for a table: "12.40".
    pub fn days_figure(self, time: Minutes) -> String {
        let h = self.hundredths(time);
        let sign = if h < 0 { "-" } else { "" };
        format!("{sign}{}.{:02}", h.abs() / 100, h.abs() % 100)
    }

    /// `time` in days to two decimals: "12.40 days".
    pub fn days_text(self, time: Minutes) -> String {
        format!("{} days", self.days_figure(time))
    }
}

/// A year the bank holiday table does not cover, so working days cannot be counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("Bank holidays for {year} are not known yet, so the allocation cannot be worked out")]
pub struct NotCovered {
    pub year: i16,
}

/// The end of the financial year `date` falls in: the 31 March on or after it.
pub fn financial_year_end(date: Date) -> Date {
    let year = if date.month() <= 3 {
        date.year()
    } else {
        date.year().saturating_add(1)
    };
    Date::new(year, 3, 31).unwrap_or(Date::MAX)
}

/// The working days from `from` to `to`, both included: Monday to Friday, less England
/// and Wales bank holidays. None when `to` is before `from`.
pub fn working_days(from: Date, to: Date) -> Result<u32, NotCovered> {
    if to < from {
        return Ok(0);
    }
    bank_holidays::check_covered(from, to)?;
    let days = days_from(from, to) + 1;
    let first = i64::from(from.weekday().to_monday_zero_offset());
    let partial = (0..days % 7).filter(|i| (first + i) % 7 < 5).count();
    let weekdays = days / 7 * 5 + i64::try_from(partial).unwrap_or(0);
    // Every listed bank holiday is a weekday: weekend ones appear as their substitute day.
    let holidays = i64::try_from(bank_holidays::between(from, to).len()).unwrap_or(0);
    Ok(u32::try_from(weekdays - holidays).unwrap_or(0))
}

/// The contact time allocated from `start` to `end`, both included: a fifth of a day for
/// every working day, which is one day per full working week.
pub fn allocation(start: Date, end: Date, day: DayLength) -> Result<Minutes, NotCovered> {
    let days = working_days(start, end)?;
    Ok(Minutes(i64::from(days) * i64::from(day.minutes() / 5)))
}

/// Days from `from` to `to` (negative when `to` is earlier).
pub(crate) fn days_from(from: Date, to: Date) -> i64 {
    from.duration_until(to).as_secs() / 86_400
}

/// "18 September 2013".
pub fn date_words(date: Date) -> String {
    date.strftime("%-d %B %Y").to_string()
}

/// The Friday ending the working week `date` is in (a Saturday or Sunday looks ahead).
pub(crate) fn week_ending(date: Date) -> Date {
    let ahead = date.weekday().until(Weekday::Friday);
    date.checked_add(jiff::Span::new().days(ahead))
        .unwrap_or(Date::MAX)
}

/// A confirmed pairing: its dates, both included, and the contact time allocated to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Engagement {
    pub start: Date,
    pub end: Date,
    pub allocation: Minutes,
}

/// An engagement ended before its planned end, and what it leaves for a successor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EarlyEnd {
    /// The engagement as ended: its end moved to the day it ended and its allocation cut
    /// to what it used (never more than it had), so nothing is counted twice.
    pub ended: Engagement,
    /// What is left for a successor: the allocation less what was used, never below zero.
    pub left: Minutes,
    /// The end the engagement had planned, which a successor keeps.
    pub planned_end: Date,
}

impl Engagement {
    /// A new engagement from `start` to the end of its financial year, with the whole
    /// allocation for that time.
    pub fn starting(start: Date, day: DayLength) -> Result<Engagement, NotCovered> {
        let end = financial_year_end(start);
        Ok(Engagement {
            start,
            end,
            allocation: allocation(start, end, day)?,
        })
    }

    /// Ends the engagement on `on`, having used `used`. The day must be within its dates.
    pub fn end_early(&self, on: Date, used: Minutes) -> Result<EarlyEnd, Problem> {
        let problem = |message: String| Problem {
            field: "end_date".into(),
            message,
        };
        if on < self.start {
            return Err(problem(format!(
                "The end date must be on or after {}, when the engagement started",
                date_words(self.start)
            )));
        }
        if on > self.end {
            return Err(problem(format!(
                "The end date must be on or before {}, when the engagement was due to end",
                date_words(self.end)
            )));
        }
        let kept = Minutes(used.0.clamp(0, self.allocation.0.max(0)));
        Ok(EarlyEnd {
            ended: Engagement {
                end: on,
                allocation: kept,
                ..*self
            },
            left: Minutes(self.allocation.0.saturating_sub(kept.0).max(0)),
            planned_end: self.end,
        })
    }
}

impl EarlyEnd {
    /// The engagement that carries on from `start` with what is left, to the planned end:
    /// its pace is what is left spread over its own working days.
    pub fn successor(&self, start: Date) -> Result<Engagement, Problem> {
        let problem = |message: String| Problem {
            field: "start_date".into(),
            message,
        };
        if start <= self.ended.end {
            return Err(problem(format!(
                "The new engagement must start after {}, when the last one ended",
                date_words(self.ended.end)
            )));
        }
        if start > self.planned_end {
            return Err(problem(format!(
                "The new engagement must start on or before {}, the end of the financial year",
                date_words(self.planned_end)
            )));
        }
        Ok(Engagement {
            start,
            end: self.planned_end,
            allocation: self.left,
        })
    }
}

#[cfg(test)]
mod tests;
