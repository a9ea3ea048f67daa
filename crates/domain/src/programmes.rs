//! Programmes, their partners and fund, rounds, places and organisations.

use crate::ids::{PlaceId, ProgrammeId, RoundId};
use crate::money::Pence;
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};

/// An org-id.guide style identifier: a list prefix such as `GB-LAE` or `GB-COH`, a dash,
/// then the identifier within that list (`GB-LAE-BIR`, `GB-COH-01234567`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct OrgId(String);

/// Why an identifier was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdentifierError {
    #[error("Enter an organisation identifier like GB-LAE-ABC or GB-COH-01234567")]
    OrgId,
    #[error("Enter an ONS code like E08000003")]
    OnsCode,
}

impl OrgId {
    /// Parses `XX-YYY-rest`: a two-letter country (or `XI`/`XM`), a list code of letters,
    /// and an identifier of letters, digits and dashes.
    pub fn parse(input: &str) -> Result<OrgId, IdentifierError> {
        let s = input.trim().to_uppercase();
        let mut parts = s.splitn(3, '-');
        let (Some(country), Some(list), Some(rest)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(IdentifierError::OrgId);
        };
        let ok = country.len() == 2
            && country.chars().all(|c| c.is_ascii_uppercase())
            && (2..=8).contains(&list.len())
            && list.chars().all(|c| c.is_ascii_uppercase())
            && !rest.is_empty()
            && rest.len() <= 64
            && rest.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
        if ok {
            Ok(OrgId(s))
        } else {
            Err(IdentifierError::OrgId)
        }
    }

    /// The identifier as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for OrgId {
    type Error = IdentifierError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        OrgId::parse(&value)
    }
}

impl From<OrgId> for String {
    fn from(value: OrgId) -> Self {
        value.0
    }
}

/// One partner body's share of a programme's fund.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contribution {
    pub organisation: String,
    pub amount: Pence,
}

/// What a fund holds, worked out from contributions and awards; never typed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FundPosition {
    pub total: Pence,
    pub awarded: Pence,
    pub left: Pence,
}

/// Derives a fund's position from partner contributions and the awards made from it.
pub fn fund_position(contributions: &[Pence], awards: &[Pence]) -> FundPosition {
    let total = Pence::sum(contributions.iter().copied());
    let awarded = Pence::sum(awards.iter().copied());
    FundPosition {
        total,
        awarded,
        left: Pence(total.0.saturating_sub(awarded.0)),
    }
}

/// Where a round stands at a given instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RoundStatus {
    NotOpenYet,
    Open,
    Closed,
}

impl RoundStatus {
    /// The status as a tag label.
    pub fn label(self) -> &'static str {
        match self {
            RoundStatus::NotOpenYet => "Opening soon",
            RoundStatus::Open => "Open",
            RoundStatus::Closed => "Closed",
        }
    }
}

/// A round's status: open from `opens_at` up to and including `closes_at`, the last
/// instant at which a submission is accepted.
pub fn round_status(opens_at: Timestamp, closes_at: Timestamp, now: Timestamp) -> RoundStatus {
    if now < opens_at {
        RoundStatus::NotOpenYet
    } else if now <= closes_at {
        RoundStatus::Open
    } else {
        RoundStatus::Closed
    }
}

/// The kind of local area a place is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PlaceKind {
    Council,
    StpFootprint,
    Ics,
    Other,
}

impl PlaceKind {
    /// Every kind, in the order forms list them.
    pub const ALL: [PlaceKind; 4] = [
        PlaceKind::Council,
        PlaceKind::StpFootprint,
        PlaceKind::Ics,
        PlaceKind::Other,
    ];

    /// The stored key.
    pub fn key(self) -> &'static str {
        match self {
            PlaceKind::Council => "council",
            PlaceKind::StpFootprint => "stp_footprint",
            PlaceKind::Ics => "ics",
            PlaceKind::Other => "other",
        }
    }

    /// Reads a stored key.
    pub fn from_key(key: &str) -> Option<PlaceKind> {
        [
            PlaceKind::Council,
            PlaceKind::StpFootprint,
            PlaceKind::Ics,
            PlaceKind::Other,
        ]
        .into_iter()
        .find(|k| k.key() == key)
    }

    /// As people say it.
    pub fn label(self) -> &'static str {
        match self {
            PlaceKind::Council => "Council",
            PlaceKind::StpFootprint => "STP footprint",
            PlaceKind::Ics => "Integrated care system",
            PlaceKind::Other => "Other",
        }
    }
}

/// Checks an ONS geography code: a letter (E, W, S or N), two digits, six digits.
pub fn parse_ons_code(input: &str) -> Result<String, IdentifierError> {
    let s = input.trim().to_uppercase();
    let b = s.as_bytes();
    let ok =
        b.len() == 9 && matches!(b[0], b'E' | b'W' | b'S' | b'N') && b[1..].iter().all(u8::is_ascii_digit);
    if ok { Ok(s) } else { Err(IdentifierError::OnsCode) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn org_ids() {
        assert_eq!(
            OrgId::parse("gb-lae-brk").map(|o| o.as_str().to_string()),
            Ok("GB-LAE-BRK".into())
        );
        assert!(OrgId::parse("GB-COH-01234567").is_ok());
        for bad in ["", "GB", "GB-LAE", "GB-LAE-", "G-LAE-X", "GB-L4E-X", "GB-LAE-A B"] {
            assert!(OrgId::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn ons_codes() {
        assert_eq!(parse_ons_code("e08000003"), Ok("E08000003".into()));
        assert!(parse_ons_code("E0800003").is_err());
        assert!(parse_ons_code("X08000003").is_err());
    }

    #[test]
    fn fund_is_derived() {
        let f = fund_position(
            &[Pence::pounds(600_000), Pence::pounds(450_000)],
            &[Pence::pounds(40_000)],
        );
        assert_eq!(f.total, Pence::pounds(1_050_000));
        assert_eq!(f.left, Pence::pounds(1_010_000));
    }

    #[test]
    fn deadline_is_inclusive() {
        let opens = Timestamp::from_london(2013, 4, 1, 9, 0, 0).unwrap();
        let closes = Timestamp::from_london(2013, 5, 24, 23, 59, 59).unwrap();
        assert_eq!(round_status(opens, closes, closes), RoundStatus::Open);
        assert_eq!(
            round_status(opens, closes, closes.plus_seconds(1)),
            RoundStatus::Closed
        );
        assert_eq!(
            round_status(opens, closes, opens.plus_seconds(-1)),
            RoundStatus::NotOpenYet
        );
    }
}

/// A call for applications.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Round {
    pub id: RoundId,
    pub programme_id: ProgrammeId,
    pub slug: String,
    pub name: String,
    pub reference_prefix: String,
    pub opens_at: Timestamp,
    pub closes_at: Timestamp,
    pub places_offered: i64,
    pub eligibility: String,
    pub review_ends_at: Timestamp,
    pub notify_by: Timestamp,
    pub launch_event_at: Option<Timestamp>,
    pub launch_event_location: Option<String>,
    pub value_per_place: Pence,
    pub themes: Vec<String>,
    /// True when an application counts as complete only with the board chair's sign-off.
    pub signoff_required: bool,
}

/// A local area taking part in programmes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    pub id: PlaceId,
    pub reference: String,
    pub name: String,
    pub kind: PlaceKind,
    pub ons_code: Option<String>,
    pub region: Option<String>,
    pub hwb_chair_name: Option<String>,
    pub hwb_chair_email: Option<String>,
    /// The programmes this place takes part in.
    pub programme_ids: Vec<ProgrammeId>,
    /// Where it stands in each of those programmes, in the same order: a place shared by
    /// programmes has a status and a breakthrough issue in each.
    pub memberships: Vec<PlaceInProgramme>,
}

/// A place's standing in one programme.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlaceInProgramme {
    pub programme_id: ProgrammeId,
    /// "underway", "applicant", ...
    pub status: Option<String>,
    pub breakthrough_issue: Option<String>,
}

impl Place {
    /// Where the place stands in one programme, if it takes part in it.
    pub fn in_programme(&self, programme_id: ProgrammeId) -> Option<&PlaceInProgramme> {
        self.memberships.iter().find(|m| m.programme_id == programme_id)
    }
}

/// A programme with its fund worked out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Programme {
    pub id: ProgrammeId,
    pub slug: String,
    pub name: String,
    pub summary: String,
    pub contact_email: String,
    pub fund: FundPosition,
    /// The public page, in Markdown (rendered and sanitised by the web layer).
    pub page_markdown: String,
}
