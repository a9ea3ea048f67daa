//! 360Giving open data: the grants a programme's funders awarded, as the standard's JSON
//! package and as a one-sheet CSV with the standard's column titles.
//!
//! Choices, each checked against the 360Giving 1.4 schemas by
//! `scripts/open_data/check-360giving.py`:
//! - A publisher's prefix is kept whole, "360G-" included ("360G-localvision"), because that
//!   is how 360Giving hands it out; a grant's id is "<prefix>-<reference>". A prefix without
//!   "360G-" is refused rather than silently given one.
//! - Amounts are pounds as JSON numbers: an integer for whole pounds (35000), otherwise a
//!   decimal (35000.5). The award date is RFC 3339 in UTC, to the second.
//! - Places benefit by their councils' ONS codes, each with its `geoCodeType` from the
//!   standard's codelist. A code whose type the codelist lacks (an integrated care board's
//!   E54, say) is an error, not skipped: dropping it would misstate where the money went.
//!   An integrated care system place is passed in as its councils.
//! - Repeated funders or areas (same id or code) are listed once.
//! - The CSV has one row per grant. Several funders or areas go in numbered columns
//!   ("Funding Org:0:Identifier", "Funding Org:1:Identifier", ...), which `flattentool
//!   unflatten --convert-titles` reads back into arrays; when no grant has more than one, the
//!   standard template's plain titles are used ("Funding Org:Identifier").

use crate::money::Pence;
use crate::time::Timestamp;
use serde_json::{Value, json};
use std::collections::HashSet;

/// The 360Giving schema version the package declares (major.minor, as its schema asks).
pub const SCHEMA_VERSION: &str = "1.4";
/// Every Convene amount is in pounds sterling.
pub const CURRENCY: &str = "GBP";
/// How every 360Giving prefix starts.
pub const PREFIX_START: &str = "360G-";

/// An organisation by its org-id (org-id.guide), such as "GB-LAE-YOR".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Org {
    pub org_id: String,
    pub name: String,
}

/// A council by its ONS code (E06, E07, E08 or E09 in England).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Area {
    pub ons_code: String,
    pub name: String,
}

/// One award, as published.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    /// The funder's own reference, such as "LV-2013-0012".
    pub reference: String,
    pub title: String,
    pub description: String,
    pub amount: Pence,
    pub award_date: Timestamp,
    pub planned_start: jiff::civil::Date,
    pub planned_end: jiff::civil::Date,
    pub recipient: Org,
    /// One per partner body that pooled the fund.
    pub funders: Vec<Org>,
    /// The councils that benefit; an integrated care system is listed as its councils.
    pub areas: Vec<Area>,
    /// The grant programme's title.
    pub programme: String,
}

/// Who publishes the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Publisher {
    /// The publisher's 360Giving prefix, "360G-" included, such as "360G-localvision".
    pub prefix: String,
    /// The name the data is published under, such as "Local Vision": the package's
    /// `publisher.name` and, as "Grants awarded by Local Vision", its `title`.
    pub title: String,
}

/// Why grants could not be published.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OpenDataError {
    #[error("This programme has made no awards yet, so there is nothing to publish")]
    NoGrants,
    #[error("The 360Giving prefix \"{0}\" must start with \"360G-\" and name the publisher")]
    BadPrefix(String),
    #[error("Two grants have the reference {0}: each grant needs its own")]
    DuplicateReference(String),
    #[error("Grant {0} has no funders: add the partner bodies that funded it")]
    NoFunders(String),
    #[error("Grant {0} ends before it starts: check its planned dates")]
    EndsBeforeStart(String),
    #[error(
        "Grant {grant} benefits {name} ({code}), which 360Giving has no geographic code type for: \
         list the place's councils instead"
    )]
    UnknownGeoCode {
        grant: String,
        code: String,
        name: String,
    },
}

/// A grant's 360Giving id: the publisher's prefix (which starts "360G-"), a dash, and the
/// grant's reference.
pub fn grant_id(prefix: &str, reference: &str) -> String {
    format!("{prefix}-{reference}")
}

/// The 360Giving `geoCodeType` of an ONS code, from the ONS entity (the first three
/// characters) per the standard's codelist `geoCodeType.csv`: E06 "UA", E07 "NMD", E08 "MD",
/// E09 "LONB", and so on. None for a malformed code or an entity the codelist lacks (E54,
/// integrated care boards).
pub fn geo_code_type(ons_code: &str) -> Option<&'static str> {
    let bytes = ons_code.as_bytes();
    if bytes.len() != 9 || !bytes[1..].iter().all(u8::is_ascii_digit) {
        return None;
    }
    let entity = ons_code.get(..3)?;
    GEO_CODE_TYPES
        .iter()
        .find(|(e, _)| *e == entity)
        .map(|(_, code)| *code)
}

/// The codelist geoCodeType.csv (360Giving 1.4.3) as (ONS entity, code) pairs; a unit test
/// compares it with the file.
pub(crate) const GEO_CODE_TYPES: [(&str, &str); 63] = [
    ("E00", "OA"),
    ("E01", "LSOA"),
    ("E02", "MSOA"),
    ("E04", "PAR"),
    ("E05", "WD"),
    ("E06", "UA"),
    ("E07", "NMD"),
    ("E08", "MD"),
    ("E09", "LONB"),
    ("E10", "CTY"),
    ("E12", "RGN/GOR"),
    ("E14", "WPC"),
    ("E15", "EER"),
    ("E21", "CANNET"),
    ("E22", "CSP"),
    ("E23", "PFA"),
    ("E25", "PUA"),
    ("E26", "NPARK"),
    ("E28", "REGD"),
    ("E29", "REGSD"),
    ("E30", "TTWA"),
    ("E31", "FRA"),
    ("E32", "LAC"),
    ("E33", "WZ"),
    ("E36", "CMWD"),
    ("E37", "LEP"),
    ("E38", "CCG"),
    ("E39", "NHSAT"),
    ("E41", "CMLAD"),
    ("E42", "CMCTY"),
    ("N00", "SA"),
    ("N06", "WPC"),
    ("S00", "OA"),
    ("S01", "DZ"),
    ("S02", "IG"),
    ("S03", "CHP"),
    ("S05", "ROA - CPP"),
    ("S06", "ROA - Local"),
    ("S08", "HB"),
    ("S12", "CA"),
    ("S13", "WD"),
    ("S14", "WPC"),
    ("S16", "SPC"),
    ("S22", "TTWA"),
    ("W00", "OA"),
    ("W01", "LSOA"),
    ("W02", "MSOA"),
    ("W03", "USOA"),
    ("W04", "COM"),
    ("W05", "WD"),
    ("W06", "UA"),
    ("W07", "WPC"),
    ("W09", "NAWC"),
    ("W14", "CDRP"),
    ("W20", "REGD"),
    ("W21", "REGSD"),
    ("W22", "TTWA"),
    ("W30", "AgricSmall"),
    ("W33", "CFA"),
    ("W35", "WZ"),
    ("W39", "CMWD"),
    ("W40", "CMLAD"),
    ("W41", "CMCTY"),
];

/// The 360Giving data package (JSON) of a publisher's grants.
pub fn package(publisher: &Publisher, grants: &[Grant]) -> Result<Value, OpenDataError> {
    let checked = check(publisher, grants)?;
    Ok(json!({
        "version": SCHEMA_VERSION,
        "title": format!("Grants awarded by {}", publisher.title),
        "publisher": { "name": publisher.title },
        "grants": checked.iter().map(grant_json).collect::<Vec<_>>(),
    }))
}

/// The same grants as a CSV: the header (the standard's column titles) and one row a grant.
pub fn table(
    publisher: &Publisher,
    grants: &[Grant],
) -> Result<(Vec<String>, Vec<Vec<String>>), OpenDataError> {
    let checked = check(publisher, grants)?;
    let most_funders = checked.iter().map(|c| c.funders.len()).max().unwrap_or(1);
    let most_areas = checked.iter().map(|c| c.areas.len()).max().unwrap_or(1);
    let mut header: Vec<String> = [
        "Identifier",
        "Title",
        "Description",
        "Currency",
        "Amount Awarded",
        "Award Date",
        "Planned Dates:Start Date",
        "Planned Dates:End Date",
        "Recipient Org:Identifier",
        "Recipient Org:Name",
    ]
    .map(String::from)
    .to_vec();
    header.extend(repeated_titles(
        "Beneficiary Location",
        &LOCATION_FIELDS,
        most_areas,
    ));
    header.extend(repeated_titles("Funding Org", &ORG_FIELDS, most_funders));
    header.push("Grant Programme:Title".to_string());
    let rows = checked.iter().map(|c| row(c, most_funders, most_areas)).collect();
    Ok((header, rows))
}

const LOCATION_FIELDS: [&str; 3] = ["Name", "Geographic Code", "Geographic Code Type"];
const ORG_FIELDS: [&str; 2] = ["Identifier", "Name"];

/// A grant that passed the checks, with its id, funders and typed areas worked out once.
struct Checked<'a> {
    id: String,
    grant: &'a Grant,
    funders: Vec<&'a Org>,
    areas: Vec<(&'a Area, &'static str)>,
}

fn check<'a>(publisher: &Publisher, grants: &'a [Grant]) -> Result<Vec<Checked<'a>>, OpenDataError> {
    if grants.is_empty() {
        return Err(OpenDataError::NoGrants);
    }
    if !publisher.prefix.starts_with(PREFIX_START) || publisher.prefix.len() == PREFIX_START.len() {
        return Err(OpenDataError::BadPrefix(publisher.prefix.clone()));
    }
    let mut ids = HashSet::new();
    let mut checked = Vec::with_capacity(grants.len());
    for grant in grants {
        let id = grant_id(&publisher.prefix, &grant.reference);
        if !ids.insert(id.clone()) {
            return Err(OpenDataError::DuplicateReference(grant.reference.clone()));
        }
        let mut seen = HashSet::new();
        let funders: Vec<&Org> = grant.funders.iter().filter(|f| seen.insert(&f.org_id)).collect();
        if funders.is_empty() {
            return Err(OpenDataError::NoFunders(id));
        }
        if grant.planned_end < grant.planned_start {
            return Err(OpenDataError::EndsBeforeStart(id));
        }
        let mut seen = HashSet::new();
        let mut areas = Vec::with_capacity(grant.areas.len());
        for area in grant.areas.iter().filter(|a| seen.insert(&a.ons_code)) {
            let Some(code_type) = geo_code_type(&area.ons_code) else {
                return Err(OpenDataError::UnknownGeoCode {
                    grant: id,
                    code: area.ons_code.clone(),
                    name: area.name.clone(),
                });
            };
            areas.push((area, code_type));
        }
        checked.push(Checked {
            id,
            grant,
            funders,
            areas,
        });
    }
    Ok(checked)
}

fn grant_json(c: &Checked) -> Value {
    let g = c.grant;
    let mut grant = json!({
        "id": c.id,
        "title": g.title,
        "description": g.description,
        "currency": CURRENCY,
        "amountAwarded": pounds(g.amount),
        "awardDate": award_date(g.award_date),
        "plannedDates": [{
            "startDate": g.planned_start.to_string(),
            "endDate": g.planned_end.to_string(),
        }],
        "recipientOrganization": [org_json(&g.recipient)],
        "fundingOrganization": c.funders.iter().map(|f| org_json(f)).collect::<Vec<_>>(),
        "grantProgramme": [{ "title": g.programme }],
    });
    if !c.areas.is_empty() {
        grant["beneficiaryLocation"] = c
            .areas
            .iter()
            .map(|(area, code_type)| {
                json!({ "name": area.name, "geoCode": area.ons_code, "geoCodeType": code_type })
            })
            .collect();
    }
    grant
}

fn org_json(org: &Org) -> Value {
    json!({ "id": org.org_id, "name": org.name })
}

/// Pence as pounds: an integer when whole, else a decimal. Exact below 2^53 pence.
fn pounds(amount: Pence) -> Value {
    if amount.0 % 100 == 0 {
        Value::from(amount.0 / 100)
    } else {
        Value::from(amount.0 as f64 / 100.0)
    }
}

/// RFC 3339 in UTC to the second: "2013-06-10T16:00:00Z".
fn award_date(at: Timestamp) -> String {
    at.to_jiff().strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// Column titles for a list of objects: plain ("Funding Org:Name") when no grant has more
/// than one, numbered ("Funding Org:0:Name", "Funding Org:1:Name") otherwise.
fn repeated_titles(group: &str, fields: &[&str], most: usize) -> Vec<String> {
    if most <= 1 {
        return fields.iter().map(|f| format!("{group}:{f}")).collect();
    }
    (0..most)
        .flat_map(|i| fields.iter().map(move |f| format!("{group}:{i}:{f}")))
        .collect()
}

fn row(c: &Checked, most_funders: usize, most_areas: usize) -> Vec<String> {
    let g = c.grant;
    let mut cells = vec![
        c.id.clone(),
        g.title.clone(),
        g.description.clone(),
        CURRENCY.to_string(),
        pounds(g.amount).to_string(),
        award_date(g.award_date),
        g.planned_start.to_string(),
        g.planned_end.to_string(),
        g.recipient.org_id.clone(),
        g.recipient.name.clone(),
    ];
    for i in 0..most_areas.max(1) {
        match c.areas.get(i) {
            Some((area, code_type)) => {
                cells.extend([area.name.clone(), area.ons_code.clone(), code_type.to_string()])
            }
            None => cells.extend(LOCATION_FIELDS.map(|_| String::new())),
        }
    }
    for i in 0..most_funders.max(1) {
        match c.funders.get(i) {
            Some(org) => cells.extend([org.org_id.clone(), org.name.clone()]),
            None => cells.extend(ORG_FIELDS.map(|_| String::new())),
        }
    }
    cells.push(g.programme.clone());
    cells
}

#[cfg(test)]
mod tests;
