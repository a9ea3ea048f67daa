//! Instants stored as UTC microseconds, shown in UK time in words.

use jiff::{civil, tz::TimeZone};
use serde::{Deserialize, Serialize};
use std::sync::atomic::{AtomicI64, Ordering};

/// An instant: microseconds since the Unix epoch, UTC. This is what both stores hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Timestamp(pub i64);

/// The zone every date and time is shown in.
pub fn london() -> TimeZone {
    // The tz database is bundled into the binary (jiff's `tzdb-bundle-always`), so this
    // lookup cannot fail on a machine without /usr/share/zoneinfo; UTC is a last resort.
    TimeZone::get("Europe/London").unwrap_or(TimeZone::UTC)
}

/// Why a date or time typed by a person could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TimeError {
    #[error("Enter a real date")]
    NoSuchDate,
    #[error("Enter a real time")]
    NoSuchTime,
}

impl Timestamp {
    /// Converts from jiff's timestamp.
    pub fn from_jiff(ts: jiff::Timestamp) -> Self {
        Timestamp(ts.as_microsecond())
    }

    /// Converts to jiff's timestamp (saturating at jiff's range).
    pub fn to_jiff(self) -> jiff::Timestamp {
        jiff::Timestamp::from_microsecond(self.0).unwrap_or(if self.0 < 0 {
            jiff::Timestamp::MIN
        } else {
            jiff::Timestamp::MAX
        })
    }

    /// A wall-clock date and time in London, resolving a clock-change gap forwards and a
    /// repeated hour to its first occurrence, as people expect.
    pub fn from_london(
        year: i16,
        month: i8,
        day: i8,
        hour: i8,
        minute: i8,
        second: i8,
    ) -> Result<Self, TimeError> {
        let date = civil::Date::new(year, month, day).map_err(|_| TimeError::NoSuchDate)?;
        let time = civil::Time::new(hour, minute, second, 0).map_err(|_| TimeError::NoSuchTime)?;
        let zoned = date
            .to_datetime(time)
            .to_zoned_datetime(london())
            .map_err(|_| TimeError::NoSuchTime)?;
        Ok(Timestamp::from_jiff(zoned.timestamp()))
    }

    /// This instant plus a number of seconds.
    pub fn plus_seconds(self, seconds: i64) -> Self {
        Timestamp(self.0.saturating_add(seconds.saturating_mul(1_000_000)))
    }

    /// "11:59pm on Friday 24 May 2013", in London time.
    pub fn london_words(self) -> String {
        let z = self.to_jiff().to_zoned_datetime(london());
        format!(
            "{} on {}",
            time_words(z.hour(), z.minute()),
            z.strftime("%A %-d %B %Y")
        )
    }

    /// "24 May 2013", in London time.
    pub fn london_date(self) -> String {
        self.to_jiff()
            .to_zoned_datetime(london())
            .strftime("%-d %B %Y")
            .to_string()
    }

    /// ISO 8601 in UTC, for APIs and `<time datetime>`.
    pub fn iso(self) -> String {
        self.to_jiff().to_string()
    }
}

fn time_words(hour: i8, minute: i8) -> String {
    let (h12, suffix) = match hour {
        0 => (12, "am"),
        1..=11 => (hour, "am"),
        12 => (12, "pm"),
        _ => (hour - 12, "pm"),
    };
    match (hour, minute) {
        (0, 0) => "midnight".to_string(),
        (12, 0) => "midday".to_string(),
        (_, 0) => format!("{h12}{suffix}"),
        _ => format!("{h12}:{minute:02}{suffix}"),
    }
}

/// Where "now" comes from. The app holds one; tests set it exactly.
pub trait Clock: Send + Sync {
    /// The current instant.
    fn now(&self) -> Timestamp;
}

/// A clock that tests and demos can set and move.
#[derive(Debug, Default)]
pub struct FixedClock(AtomicI64);

impl FixedClock {
    /// A clock standing at `at`.
    pub fn at(at: Timestamp) -> Self {
        FixedClock(AtomicI64::new(at.0))
    }

    /// Moves the clock to `at`.
    pub fn set(&self, at: Timestamp) {
        self.0.store(at.0, Ordering::SeqCst);
    }
}

impl Clock for FixedClock {
    fn now(&self) -> Timestamp {
        Timestamp(self.0.load(Ordering::SeqCst))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_vision_deadline_is_bst() {
        let deadline = Timestamp::from_london(2013, 5, 24, 23, 59, 59).unwrap();
        assert_eq!(deadline.iso(), "2013-05-24T22:59:59Z");
        assert_eq!(deadline.london_words(), "11:59pm on Friday 24 May 2013");
    }

    #[test]
    fn winter_is_gmt() {
        let t = Timestamp::from_london(2013, 1, 10, 9, 0, 0).unwrap();
        assert_eq!(t.iso(), "2013-01-10T09:00:00Z");
        assert_eq!(t.london_words(), "9am on Thursday 10 January 2013");
    }

    #[test]
    fn midday_and_midnight_in_words() {
        assert_eq!(
            Timestamp::from_london(2013, 6, 28, 12, 0, 0)
                .unwrap()
                .london_words(),
            "midday on Friday 28 June 2013"
        );
        assert_eq!(
            Timestamp::from_london(2013, 6, 28, 0, 0, 0)
                .unwrap()
                .london_words(),
            "midnight on Friday 28 June 2013"
        );
    }

    #[test]
    fn impossible_dates_are_refused() {
        assert_eq!(
            Timestamp::from_london(2013, 2, 30, 9, 0, 0),
            Err(TimeError::NoSuchDate)
        );
        assert_eq!(
            Timestamp::from_london(2013, 2, 1, 25, 0, 0),
            Err(TimeError::NoSuchTime)
        );
    }

    #[test]
    fn fixed_clock_moves() {
        let clock = FixedClock::at(Timestamp(5));
        clock.set(Timestamp(9));
        assert_eq!(clock.now(), Timestamp(9));
    }
}
