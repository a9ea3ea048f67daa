//! Reading organisations and places from spreadsheet rows. Each row is checked whole: a row
//! either parses into a record or yields every problem with it, named by field, so a file
//! is imported completely or not at all.

use crate::Email;
use crate::programmes::{OrgId, PlaceKind, parse_ons_code};
use std::collections::HashMap;

/// A problem with one field of one row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    /// The line in the file (the header is line 1).
    pub line: usize,
    pub field: String,
    pub message: String,
}

impl std::fmt::Display for RowError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}, {}: {}", self.line, self.field, self.message)
    }
}

/// The kinds of organisation Convene knows.
pub const ORGANISATION_KINDS: [&str; 8] = [
    "partner_body",
    "funder",
    "council",
    "nhs_body",
    "charity",
    "company",
    "university",
    "other",
];

/// England's nine regions, as places are grouped in reports.
pub const REGIONS: [&str; 9] = [
    "North East",
    "North West",
    "Yorkshire and the Humber",
    "East Midlands",
    "West Midlands",
    "East of England",
    "London",
    "South East",
    "South West",
];

/// An organisation read from a row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewOrganisation {
    pub org_id: OrgId,
    pub name: String,
    pub kind: String,
}

/// A place read from a row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPlace {
    pub reference: String,
    pub name: String,
    pub kind: PlaceKind,
    pub ons_code: Option<String>,
    pub region: Option<String>,
    pub hwb_chair_name: Option<String>,
    pub hwb_chair_email: Option<Email>,
    pub accountable_org_id: Option<OrgId>,
    /// The partner organisations engaged in the place.
    pub partner_org_ids: Vec<OrgId>,
}

/// One row: column name to cell, with the file line it came from.
pub struct Row<'a> {
    pub line: usize,
    pub cells: HashMap<&'a str, &'a str>,
}

impl Row<'_> {
    fn get(&self, field: &str) -> &str {
        self.cells.get(field).map(|v| v.trim()).unwrap_or("")
    }

    fn error(&self, field: &str, message: impl Into<String>) -> RowError {
        RowError {
            line: self.line,
            field: field.to_string(),
            message: message.into(),
        }
    }

    fn required(&self, field: &str, what: &str, errors: &mut Vec<RowError>) -> String {
        let value = self.get(field);
        if value.is_empty() {
            errors.push(self.error(field, format!("Enter {what}")));
        } else if value.chars().count() > 200 {
            errors.push(self.error(field, "Must be 200 characters or fewer"));
        }
        value.to_string()
    }

    fn optional(&self, field: &str) -> Option<String> {
        Some(self.get(field).to_string()).filter(|v| !v.is_empty())
    }
}

/// The columns an organisations file must have.
pub const ORGANISATION_COLUMNS: [&str; 3] = ["org_id", "name", "kind"];

/// The columns a places file must have (the rest may be blank in a row).
pub const PLACE_COLUMNS: [&str; 9] = [
    "reference",
    "name",
    "kind",
    "ons_code",
    "region",
    "hwb_chair_name",
    "hwb_chair_email",
    "accountable_org_id",
    "partner_org_ids",
];

/// Reads an organisation, or every problem with the row.
pub fn organisation(row: &Row<'_>) -> Result<NewOrganisation, Vec<RowError>> {
    let mut errors = Vec::new();
    let org_id = OrgId::parse(row.get("org_id"))
        .map_err(|e| errors.push(row.error("org_id", e.to_string())))
        .ok();
    let name = row.required("name", "the organisation's name", &mut errors);
    let kind = row.get("kind").to_lowercase().replace([' ', '-'], "_");
    if !ORGANISATION_KINDS.contains(&kind.as_str()) {
        errors.push(row.error("kind", format!("Enter one of: {}", ORGANISATION_KINDS.join(", "))));
    }
    match org_id {
        Some(org_id) if errors.is_empty() => Ok(NewOrganisation { org_id, name, kind }),
        _ => Err(errors),
    }
}

/// Reads a place, or every problem with the row.
pub fn place(row: &Row<'_>) -> Result<NewPlace, Vec<RowError>> {
    let mut errors = Vec::new();
    let reference = row.required("reference", "the place's reference", &mut errors);
    let name = row.required("name", "the place's name", &mut errors);
    let kind_text = row.get("kind").to_lowercase().replace([' ', '-'], "_");
    let kind = PlaceKind::from_key(&kind_text);
    if kind.is_none() {
        errors.push(row.error("kind", "Enter council, stp_footprint, ics or other"));
    }
    let ons_code = row.optional("ons_code").and_then(|c| match parse_ons_code(&c) {
        Ok(code) => Some(code),
        Err(e) => {
            errors.push(row.error("ons_code", e.to_string()));
            None
        }
    });
    let region = row.optional("region").and_then(|r| {
        match REGIONS.iter().find(|known| known.eq_ignore_ascii_case(&r)) {
            Some(known) => Some(known.to_string()),
            None => {
                errors.push(row.error("region", "Enter one of England's nine regions, like North West"));
                None
            }
        }
    });
    let hwb_chair_name = row.optional("hwb_chair_name");
    let hwb_chair_email = row
        .optional("hwb_chair_email")
        .and_then(|e| match Email::parse(&e) {
            Ok(email) => Some(email),
            Err(err) => {
                errors.push(row.error("hwb_chair_email", err.to_string()));
                None
            }
        });
    let accountable_org_id = row
        .optional("accountable_org_id")
        .and_then(|o| match OrgId::parse(&o) {
            Ok(id) => Some(id),
            Err(e) => {
                errors.push(row.error("accountable_org_id", e.to_string()));
                None
            }
        });
    let mut partner_org_ids = Vec::new();
    for part in row
        .get("partner_org_ids")
        .split(';')
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        match OrgId::parse(part) {
            Ok(id) if !partner_org_ids.contains(&id) => partner_org_ids.push(id),
            Ok(_) => {}
            Err(_) => errors.push(row.error(
                "partner_org_ids",
                format!("{part:?} is not an organisation identifier"),
            )),
        }
    }
    match kind {
        Some(kind) if errors.is_empty() => Ok(NewPlace {
            reference,
            name,
            kind,
            ons_code,
            region,
            hwb_chair_name,
            hwb_chair_email,
            accountable_org_id,
            partner_org_ids,
        }),
        _ => Err(errors),
    }
}

/// The columns of `required` missing from a file's header.
pub fn missing_columns(header: &[&str], required: &[&str]) -> Vec<String> {
    required
        .iter()
        .filter(|c| !header.contains(c))
        .map(|c| c.to_string())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row<'a>(pairs: &[(&'a str, &'a str)]) -> Row<'a> {
        Row {
            line: 7,
            cells: pairs.iter().copied().collect(),
        }
    }

    #[test]
    fn a_good_organisation() {
        let org = organisation(&row(&[
            ("org_id", "gb-lae-wes"),
            ("name", "Westermoor Council"),
            ("kind", "Council"),
        ]));
        assert_eq!(
            org.map(|o| (o.org_id.as_str().to_string(), o.kind)),
            Ok(("GB-LAE-WES".into(), "council".into()))
        );
    }

    #[test]
    fn every_problem_in_a_row_is_named() {
        let errors = organisation(&row(&[("org_id", "nope"), ("name", ""), ("kind", "club")])).unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["org_id", "name", "kind"]);
        assert!(errors[0].to_string().starts_with("line 7, org_id: "));
    }

    #[test]
    fn a_good_place_with_partners() {
        let p = place(&row(&[
            ("reference", "PL-0100"),
            ("name", "Brackenford"),
            ("kind", "STP footprint"),
            ("ons_code", "e06000999"),
            ("region", "north west"),
            ("hwb_chair_email", "Chair@Brackenford.example.org"),
            ("partner_org_ids", "GB-LAE-BRK; GB-NHS-RX1;GB-LAE-BRK"),
        ]))
        .unwrap();
        assert_eq!(p.kind, PlaceKind::StpFootprint);
        assert_eq!(p.ons_code.as_deref(), Some("E06000999"));
        assert_eq!(p.region.as_deref(), Some("North West"));
        assert_eq!(
            p.hwb_chair_email.map(|e| e.to_string()),
            Some("chair@brackenford.example.org".into())
        );
        assert_eq!(p.partner_org_ids.len(), 2, "duplicates are dropped");
    }

    #[test]
    fn a_bad_place_names_each_field() {
        let errors = place(&row(&[
            ("reference", "PL-0101"),
            ("name", "Nowhere"),
            ("kind", "village"),
            ("ons_code", "E0800003"),
            ("region", "Atlantis"),
            ("hwb_chair_email", "not-an-email"),
            ("partner_org_ids", "GB-LAE-OK;bad id"),
        ]))
        .unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            ["kind", "ons_code", "region", "hwb_chair_email", "partner_org_ids"]
        );
    }

    #[test]
    fn missing_columns_are_listed() {
        assert_eq!(
            missing_columns(&["org_id", "name"], &ORGANISATION_COLUMNS),
            vec!["kind".to_string()]
        );
    }
}
