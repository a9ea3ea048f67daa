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
    // Looked up once: pages show many dates.
    static LONDON: std::sync::LazyLock<TimeZone> =
        std::sync::LazyLock::new(|| TimeZone::get("Europe/London").unwrap_or(TimeZone::UTC));
    LONDON.clone()
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
    /// The day it is in London at this instant.
    pub fn london_day(self) -> civil::Date {
        self.to_jiff().to_zoned_datetime(london()).date()
    }

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

/// Why a date or time typed into a form could not be read; each names the part to fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DateInputError {
    #[error("Enter a date")]
    Missing,
    #[error("The date must include a day, month and year")]
    Incomplete,
    #[error("Enter a real date")]
    NotADate,
    #[error("Enter a time, like 9am or 23:59")]
    NotATime,
}

/// Reads a date typed into the NHS.UK date input (day, month and year boxes).
pub fn parse_date_input(day: &str, month: &str, year: &str) -> Result<civil::Date, DateInputError> {
    let parts = [day.trim(), month.trim(), year.trim()];
    if parts.iter().all(|p| p.is_empty()) {
        return Err(DateInputError::Missing);
    }
    if parts.iter().any(|p| p.is_empty()) {
        return Err(DateInputError::Incomplete);
    }
    let number = |p: &str| p.parse::<i16>().map_err(|_| DateInputError::NotADate);
    let (d, m, y) = (number(parts[0])?, number(parts[1])?, number(parts[2])?);
    if !(1000..=9999).contains(&y) {
        return Err(DateInputError::NotADate);
    }
    let (Ok(d), Ok(m)) = (i8::try_from(d), i8::try_from(m)) else {
        return Err(DateInputError::NotADate);
    };
    civil::Date::new(y, m, d).map_err(|_| DateInputError::NotADate)
}

/// Reads a time of day as people type it: "23:59", "9am", "11:59pm", "12pm" (midday).
pub fn parse_time_input(input: &str) -> Result<civil::Time, DateInputError> {
    let t = input.trim().to_lowercase().replace(' ', "").replace('.', ":");
    let (clock, suffix) = if let Some(c) = t.strip_suffix("am") {
        (c, Some(false))
    } else if let Some(c) = t.strip_suffix("pm") {
        (c, Some(true))
    } else {
        (t.as_str(), None)
    };
    let (h, m) = match clock.split_once(':') {
        Some((h, m)) => (h, m),
        None => (clock, "0"),
    };
    let h: i8 = h.parse().map_err(|_| DateInputError::NotATime)?;
    let m: i8 = m.parse().map_err(|_| DateInputError::NotATime)?;
    let h = match suffix {
        Some(pm) if (1..=12).contains(&h) => (h % 12) + if pm { 12 } else { 0 },
        Some(_) => return Err(DateInputError::NotATime),
        None => h,
    };
    civil::Time::new(h, m, 0, 0).map_err(|_| DateInputError::NotATime)
}

/// The instant a London date and time names. A deadline typed as "23:59" means the last
/// second of that minute, so `last_second_of_minute` stretches it to :59.
pub fn london_instant(
    date: civil::Date,
    time: civil::Time,
    last_second_of_minute: bool,
) -> Result<Timestamp, TimeError> {
    let second = if last_second_of_minute { 59 } else { 0 };
    Timestamp::from_london(
        date.year(),
        date.month(),
        date.day(),
        time.hour(),
        time.minute(),
        second,
    )
}

#[cfg(test)]
mod input_tests {
    use super::*;

    #[test]
    fn dates_as_typed() {
        assert_eq!(
            parse_date_input("24", "5", "2013").map(|d| d.to_string()),
            Ok("2013-05-24".into())
        );
        assert_eq!(parse_date_input("", "", ""), Err(DateInputError::Missing));
        assert_eq!(
            parse_date_input("24", "", "2013"),
            Err(DateInputError::Incomplete)
        );
        assert_eq!(parse_date_input("30", "2", "2013"), Err(DateInputError::NotADate));
        assert_eq!(parse_date_input("29", "2", "2024").map(|d| d.day()), Ok(29));
        assert_eq!(parse_date_input("1", "13", "2013"), Err(DateInputError::NotADate));
        assert_eq!(parse_date_input("1", "1", "13"), Err(DateInputError::NotADate));
        assert_eq!(parse_date_input("x", "1", "2013"), Err(DateInputError::NotADate));
    }

    #[test]
    fn times_as_typed() {
        let hm = |s: &str| parse_time_input(s).map(|t| (t.hour(), t.minute()));
        assert_eq!(hm("23:59"), Ok((23, 59)));
        assert_eq!(hm("11:59pm"), Ok((23, 59)));
        assert_eq!(hm("9am"), Ok((9, 0)));
        assert_eq!(hm("12pm"), Ok((12, 0)));
        assert_eq!(hm("12am"), Ok((0, 0)));
        assert_eq!(hm("9.30 am"), Ok((9, 30)));
        assert_eq!(hm("25:00"), Err(DateInputError::NotATime));
        assert_eq!(hm("13pm"), Err(DateInputError::NotATime));
        assert_eq!(hm("noonish"), Err(DateInputError::NotATime));
    }

    #[test]
    fn a_deadline_minute_runs_to_its_last_second() {
        let d = parse_date_input("24", "5", "2013").unwrap();
        let t = parse_time_input("11:59pm").unwrap();
        assert_eq!(london_instant(d, t, true).unwrap().iso(), "2013-05-24T22:59:59Z");
        assert_eq!(
            london_instant(d, parse_time_input("9am").unwrap(), false)
                .unwrap()
                .iso(),
            "2013-05-24T08:00:00Z"
        );
    }
}
