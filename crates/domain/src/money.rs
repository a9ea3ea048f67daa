//! Money in whole pence, shown as pounds the way people write them ("£10,000").

use serde::{Deserialize, Serialize};
use std::fmt;

/// An amount of money in pence (GBP). Negative amounts are allowed for adjustments.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Pence(pub i64);

impl Pence {
    /// Whole pounds as pence.
    pub const fn pounds(pounds: i64) -> Self {
        Pence(pounds * 100)
    }

    /// Sum of many amounts; saturates rather than wrapping.
    pub fn sum<I: IntoIterator<Item = Pence>>(items: I) -> Pence {
        Pence(items.into_iter().fold(0i64, |acc, p| acc.saturating_add(p.0)))
    }

    /// Parses an amount typed in pounds: "10000", "£10,000", "10,000.50".
    pub fn parse_pounds(input: &str) -> Result<Pence, MoneyError> {
        let cleaned: String = input
            .chars()
            .filter(|c| *c != ',' && *c != '£' && !c.is_whitespace())
            .collect();
        if cleaned.is_empty() {
            return Err(MoneyError::Empty);
        }
        let (negative, digits) = match cleaned.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, cleaned.as_str()),
        };
        let (whole, frac) = match digits.split_once('.') {
            Some((w, f)) => (w, f),
            None => (digits, ""),
        };
        let all_digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
        if whole.is_empty() || !all_digits(whole) || !all_digits(frac) || frac.len() > 2 {
            return Err(MoneyError::NotAnAmount);
        }
        let whole: i64 = whole.parse().map_err(|_| MoneyError::TooLarge)?;
        let frac: i64 = if frac.is_empty() {
            0
        } else {
            format!("{frac:0<2}")
                .parse()
                .map_err(|_| MoneyError::NotAnAmount)?
        };
        let pence = whole
            .checked_mul(100)
            .and_then(|p| p.checked_add(frac))
            .ok_or(MoneyError::TooLarge)?;
        Ok(Pence(if negative { -pence } else { pence }))
    }
}

/// Why a typed amount could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("Enter an amount")]
    Empty,
    #[error("Enter an amount in pounds, like 10,000 or 10,000.50")]
    NotAnAmount,
    #[error("The amount is too large")]
    TooLarge,
}

impl fmt::Display for Pence {
    /// "£10,000" for whole pounds, "£10,000.50" otherwise.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        let pounds = abs / 100;
        let pence = abs % 100;
        let digits = pounds.to_string();
        let mut grouped = String::with_capacity(digits.len() + digits.len() / 3);
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                grouped.push(',');
            }
            grouped.push(c);
        }
        if pence == 0 {
            write!(f, "{sign}£{grouped}")
        } else {
            write!(f, "{sign}£{grouped}.{pence:02}")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn shows_pounds_with_thousands_separators() {
        assert_eq!(Pence::pounds(10_000).to_string(), "£10,000");
        assert_eq!(Pence::pounds(1_000_000).to_string(), "£1,000,000");
        assert_eq!(Pence(1_000_050).to_string(), "£10,000.50");
        assert_eq!(Pence(5).to_string(), "£0.05");
        assert_eq!(Pence(-250).to_string(), "-£2.50");
        assert_eq!(Pence(0).to_string(), "£0");
    }

    #[test]
    fn parses_what_people_type() {
        assert_eq!(Pence::parse_pounds("£10,000"), Ok(Pence::pounds(10_000)));
        assert_eq!(Pence::parse_pounds(" 10000 "), Ok(Pence::pounds(10_000)));
        assert_eq!(Pence::parse_pounds("10,000.5"), Ok(Pence(1_000_050)));
        assert_eq!(Pence::parse_pounds(""), Err(MoneyError::Empty));
        assert_eq!(Pence::parse_pounds("ten"), Err(MoneyError::NotAnAmount));
        assert_eq!(Pence::parse_pounds("1.234"), Err(MoneyError::NotAnAmount));
        assert_eq!(
            Pence::parse_pounds("99999999999999999999"),
            Err(MoneyError::TooLarge)
        );
    }

    proptest! {
        #[test]
        fn display_then_parse_round_trips(p in -1_000_000_000_000i64..1_000_000_000_000i64) {
            prop_assert_eq!(Pence::parse_pounds(&Pence(p).to_string()), Ok(Pence(p)));
        }
    }
}
