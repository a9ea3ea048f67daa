//! Email addresses, parsed once at the boundary.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A syntactically plausible email address, trimmed and lower-cased.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

/// Why an email address was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EmailError {
    #[error("Enter an email address")]
    Empty,
    #[error("Enter an email address in the correct format, like name@example.org")]
    Format,
}

impl Email {
    /// Parses an address as typed: one `@`, a dot in the domain, no spaces, at most 254 chars.
    pub fn parse(input: &str) -> Result<Email, EmailError> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(EmailError::Empty);
        }
        let lower = trimmed.to_lowercase();
        let Some((local, domain)) = lower.split_once('@') else {
            return Err(EmailError::Format);
        };
        let ok = !local.is_empty()
            && local.len() <= 64
            && lower.len() <= 254
            && !domain.contains('@')
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..")
            && !lower
                .chars()
                .any(|c| c.is_whitespace() || c.is_control() || c == '<' || c == '>');
        if ok {
            Ok(Email(lower))
        } else {
            Err(EmailError::Format)
        }
    }

    /// The address as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Email {
    type Error = EmailError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Email::parse(&value)
    }
}

impl From<Email> for String {
    fn from(value: Email) -> Self {
        value.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_and_normalises() {
        assert_eq!(
            Email::parse("  Ada.Lead@Example.ORG ").map(|e| e.to_string()),
            Ok("ada.lead@example.org".into())
        );
    }

    #[test]
    fn refuses_malformed() {
        assert_eq!(Email::parse(""), Err(EmailError::Empty));
        for bad in [
            "no-at-sign",
            "a@b",
            "a@@b.org",
            "@b.org",
            "a b@c.org",
            "a@.org",
            "a@b..org",
            "a@b.org.",
        ] {
            assert_eq!(Email::parse(bad), Err(EmailError::Format), "{bad}");
        }
    }
}
