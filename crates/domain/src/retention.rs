//! How long a programme keeps records it no longer needs. Each rule names a kind of record
//! and a number of days after the round closed (or the applicant's extended deadline).

/// The kinds of record a retention rule can remove.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RetentionKind {
    /// Applications never submitted (drafts, and those waiting for sign-off).
    UnsubmittedApplications,
    /// Applications their place withdrew.
    WithdrawnApplications,
}

impl RetentionKind {
    pub const ALL: [RetentionKind; 2] = [
        RetentionKind::UnsubmittedApplications,
        RetentionKind::WithdrawnApplications,
    ];

    /// The name stored in the database and shown in the run log.
    pub fn key(self) -> &'static str {
        match self {
            RetentionKind::UnsubmittedApplications => "unsubmitted_applications",
            RetentionKind::WithdrawnApplications => "withdrawn_applications",
        }
    }

    pub fn from_key(key: &str) -> Option<RetentionKind> {
        RetentionKind::ALL.into_iter().find(|k| k.key() == key)
    }

    /// The records as people say it.
    pub fn label(self) -> &'static str {
        match self {
            RetentionKind::UnsubmittedApplications => "Applications never submitted",
            RetentionKind::WithdrawnApplications => "Withdrawn applications",
        }
    }

    /// The application statuses the rule removes.
    pub fn statuses(self) -> &'static [&'static str] {
        match self {
            RetentionKind::UnsubmittedApplications => &["draft", "awaiting_signoff"],
            RetentionKind::WithdrawnApplications => &["withdrawn"],
        }
    }
}

/// The default rule of every programme: drafts never submitted go a year after the round closes.
pub const DEFAULT_DRAFT_DAYS: i64 = 365;

/// The longest a rule may keep records, in days (ten years).
pub const MAX_DAYS: i64 = 3653;

/// Why a typed number of days is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DaysError {
    #[error("Enter a whole number of days, such as 365")]
    NotANumber,
    #[error("The number of days must be between 30 and 3,653 (ten years)")]
    OutOfRange,
}

/// Reads a typed number of days; blank means "keep until removed by hand" (no rule).
pub fn parse_days(typed: &str) -> Result<Option<i64>, DaysError> {
    let typed = typed.trim().replace(',', "");
    if typed.is_empty() {
        return Ok(None);
    }
    let days: i64 = typed.parse().map_err(|_| DaysError::NotANumber)?;
    if !(30..=MAX_DAYS).contains(&days) {
        return Err(DaysError::OutOfRange);
    }
    Ok(Some(days))
}

/// Microseconds in `days` days, for comparing with stored times.
pub fn days_in_micros(days: i64) -> i64 {
    days * 24 * 3600 * 1_000_000
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_round_trip_and_name_their_statuses() {
        for kind in RetentionKind::ALL {
            assert_eq!(RetentionKind::from_key(kind.key()), Some(kind));
        }
        assert!(
            RetentionKind::UnsubmittedApplications
                .statuses()
                .contains(&"draft")
        );
        assert!(
            !RetentionKind::UnsubmittedApplications
                .statuses()
                .contains(&"submitted")
        );
    }

    #[test]
    fn days_are_checked() {
        assert_eq!(parse_days(""), Ok(None));
        assert_eq!(parse_days(" 365 "), Ok(Some(365)));
        assert_eq!(parse_days("1,000"), Ok(Some(1000)));
        assert_eq!(parse_days("a year"), Err(DaysError::NotANumber));
        assert_eq!(parse_days("7"), Err(DaysError::OutOfRange));
        assert_eq!(parse_days("99999"), Err(DaysError::OutOfRange));
        assert_eq!(days_in_micros(1), 86_400_000_000);
    }
}
