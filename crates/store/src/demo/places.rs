//! The demo's made-up places, each in Local Vision with three local partners, its council
//! accountable for it and a made-up ONS code.

use super::programmes::upsert_organisation;
use crate::{Result, Tx, on_tx};

/// Made-up places: name, reference, region, breakthrough issue, status in Local Vision.
pub(super) const PLACES: [(&str, &str, &str, &str, &str); 12] = [
    (
        "Westermoor",
        "PL-0001",
        "North West",
        "Changing patterns of sedentary behaviour",
        "underway",
    ),
    (
        "Northfold",
        "PL-0002",
        "North East",
        "Addressing excessive alcohol consumption",
        "underway",
    ),
    (
        "Southmere Vale",
        "PL-0003",
        "South West",
        "Data sharing between agencies",
        "underway",
    ),
    (
        "Eldercombe",
        "PL-0004",
        "South East",
        "Integrated care pathways between health and social services",
        "underway",
    ),
    (
        "Ravensby",
        "PL-0005",
        "Yorkshire and the Humber",
        "Targeted support for vulnerable older people",
        "underway",
    ),
    (
        "Thornwick",
        "PL-0006",
        "East Midlands",
        "Changing patterns of sedentary behaviour",
        "underway",
    ),
    (
        "Millbrook Downs",
        "PL-0007",
        "West Midlands",
        "Data sharing between agencies",
        "underway",
    ),
    (
        "Ashvale",
        "PL-0008",
        "East of England",
        "Addressing excessive alcohol consumption",
        "underway",
    ),
    (
        "Oakhurst Cross",
        "PL-0009",
        "London",
        "Frailty education across a whole system",
        "applicant",
    ),
    (
        "Larkspur Bay",
        "PL-0010",
        "South West",
        "A redesigned low risk chest pain pathway",
        "applicant",
    ),
    (
        "Fennick Marsh",
        "PL-0011",
        "East of England",
        "Support for people leaving hospital",
        "applicant",
    ),
    (
        "Greyhollow",
        "PL-0012",
        "North West",
        "Young people's mental health",
        "applicant",
    ),
];

/// Made-up places applying to Local Vision's third round: name, reference, region,
/// breakthrough issue, and the round's theme closest to it.
pub(super) const THIRD_ROUND_PLACES: [(&str, &str, &str, &str, &str); 30] = [
    (
        "Brackenholt",
        "PL-0013",
        "North East",
        "Drinking at home among people over fifty",
        "Alcohol",
    ),
    (
        "Saltwhistle",
        "PL-0014",
        "North East",
        "Young people who stop playing sport at fourteen",
        "Physical activity",
    ),
    (
        "Kestrelmouth",
        "PL-0015",
        "North East",
        "Discharge from hospital into an empty home",
        "Integrated care pathways",
    ),
    (
        "Cindermoor",
        "PL-0016",
        "North West",
        "Falls among people living alone",
        "Support for vulnerable older people",
    ),
    (
        "Lanternfell",
        "PL-0017",
        "North West",
        "Three records for one family and no shared view",
        "Data sharing between agencies",
    ),
    (
        "Wrenbeck Heath",
        "PL-0018",
        "North West",
        "Alcohol-related visits to the emergency department",
        "Alcohol",
    ),
    (
        "Tinderley",
        "PL-0019",
        "North West",
        "Inactive commuters in a town built for cars",
        "Physical activity",
    ),
    (
        "Dunmarrow",
        "PL-0020",
        "Yorkshire and the Humber",
        "Loneliness in outlying villages",
        "Support for vulnerable older people",
    ),
    (
        "Quillbridge",
        "PL-0021",
        "Yorkshire and the Humber",
        "Mental health crisis care at night",
        "Integrated care pathways",
    ),
    (
        "Thistlegarth",
        "PL-0022",
        "Yorkshire and the Humber",
        "Sharing safeguarding concerns between agencies",
        "Data sharing between agencies",
    ),
    (
        "Copperlea",
        "PL-0023",
        "East Midlands",
        "Walking and cycling to school",
        "Physical activity",
    ),
    (
        "Marigold Cross",
        "PL-0024",
        "East Midlands",
        "Carers who cannot take a break",
        "Other",
    ),
    (
        "Emberwold",
        "PL-0025",
        "East Midlands",
        "Late-night drinking in the town centre",
        "Alcohol",
    ),
    (
        "Foxglove Reach",
        "PL-0026",
        "West Midlands",
        "Moving from hospital to care home",
        "Integrated care pathways",
    ),
    (
        "Ironmoss",
        "PL-0027",
        "West Midlands",
        "Homes too cold for frail residents",
        "Support for vulnerable older people",
    ),
    (
        "Pennywhistle Vale",
        "PL-0028",
        "West Midlands",
        "Parks nobody uses after dark",
        "Physical activity",
    ),
    (
        "Gallowmere",
        "PL-0029",
        "East of England",
        "One record of care across the district",
        "Data sharing between agencies",
    ),
    (
        "Reedmarsh Staithe",
        "PL-0030",
        "East of England",
        "Isolated farm workers and their health",
        "Other",
    ),
    (
        "Sorrelby Fen",
        "PL-0031",
        "East of England",
        "Knowing which older people live alone",
        "Data sharing between agencies",
    ),
    (
        "Hollowquay",
        "PL-0032",
        "London",
        "Street drinking near the river",
        "Alcohol",
    ),
    (
        "Lampwick Green",
        "PL-0033",
        "London",
        "Befriending for older people after a bereavement",
        "Support for vulnerable older people",
    ),
    (
        "Starling Wharf",
        "PL-0034",
        "London",
        "Diabetes care between the surgery and the hospital",
        "Integrated care pathways",
    ),
    (
        "Juniper Ridge",
        "PL-0035",
        "South East",
        "Swimming for people with long-term conditions",
        "Physical activity",
    ),
    (
        "Tallowgate",
        "PL-0036",
        "South East",
        "Shared records for people in temporary housing",
        "Data sharing between agencies",
    ),
    (
        "Whisperdown",
        "PL-0037",
        "South East",
        "Recovery from a stroke at home",
        "Integrated care pathways",
    ),
    (
        "Bramblecoat",
        "PL-0038",
        "South East",
        "Digital exclusion of people over seventy",
        "Support for vulnerable older people",
    ),
    (
        "Cobblecombe",
        "PL-0039",
        "South West",
        "Seasonal workers' drinking in the summer",
        "Alcohol",
    ),
    (
        "Periwinkle Sands",
        "PL-0040",
        "South West",
        "Coastal communities far from services",
        "Other",
    ),
    (
        "Mossbury Tor",
        "PL-0041",
        "South West",
        "Getting moving again after an operation",
        "Physical activity",
    ),
    (
        "Gorseholme",
        "PL-0042",
        "South West",
        "Dementia care shared across three partners",
        "Integrated care pathways",
    ),
];

/// Made-up bodies that are a partner of two of the third round's places each: org-id,
/// name and the places' references (panel members declare conflicts with them).
pub(super) const SHARED_PARTNERS: [(&str, &str, [&str; 2]); 2] = [
    (
        "GB-DEMO-NLRN",
        "Northern Lights Recovery Network",
        ["PL-0013", "PL-0018"],
    ),
    (
        "GB-DEMO-ESDC",
        "Eastern Shires Data Cooperative",
        ["PL-0029", "PL-0031"],
    ),
];

/// Makes (or finds) the third round's places: each in Local Vision as an applicant, its
/// council its accountable body, with three local partners and the shared partners;
/// returns their ids in the order of [`THIRD_ROUND_PLACES`].
pub(super) async fn load_third_round_places(tx: &mut Tx, local_vision: i64) -> Result<Vec<i64>> {
    let mut place_ids = Vec::new();
    for (name, reference, region, issue, _) in THIRD_ROUND_PLACES {
        let place = NewPlace {
            name,
            reference,
            region,
            kind: "council",
            issue,
            status: "applicant",
        };
        place_ids.push(load_place(tx, local_vision, &place).await?);
    }
    for (org_id, name, references) in SHARED_PARTNERS {
        let org = upsert_organisation(tx, org_id, name, "local_partner").await?;
        for reference in references {
            on_tx!(tx, |conn| {
                sqlx::query(
                    "INSERT INTO place_partners (place_id, organisation_id) \
                     SELECT id, $1 FROM places WHERE reference = $2 ON CONFLICT DO NOTHING",
                )
                .bind(org)
                .bind(reference)
                .execute(conn)
                .await?;
            });
        }
    }
    Ok(place_ids)
}

/// Makes (or finds) the places, puts them in Local Vision with their partners; returns
/// their ids in the order of [`PLACES`].
pub(super) async fn load_places(tx: &mut Tx, local_vision: i64) -> Result<Vec<i64>> {
    let mut place_ids = Vec::new();
    for (name, reference, region, issue, status) in PLACES {
        let place = NewPlace {
            name,
            reference,
            region,
            kind: "council",
            issue,
            status,
        };
        place_ids.push(load_place(tx, local_vision, &place).await?);
    }
    Ok(place_ids)
}

/// A made-up place to make.
pub(super) struct NewPlace<'a> {
    pub name: &'a str,
    pub reference: &'a str,
    pub region: &'a str,
    /// "council", or "ics" for an integrated care system.
    pub kind: &'a str,
    pub issue: &'a str,
    /// Its status in Local Vision when first put in it.
    pub status: &'a str,
}

/// Makes (or finds) a place and puts it in Local Vision with three local partners, its
/// council its accountable body (the recipient of its awards) and a made-up ONS code;
/// returns its id. What is already recorded is kept.
pub(super) async fn load_place(tx: &mut Tx, local_vision: i64, place: &NewPlace<'_>) -> Result<i64> {
    let id = upsert_place(tx, place).await?;
    add_place_to_programme(tx, local_vision, id, place.status, place.issue).await?;
    add_local_partners(tx, id, place.name, place.reference).await?;
    // The council is one of the three local partners made just now.
    let council = upsert_organisation(
        tx,
        &format!("GB-DEMO-{}-COUNCIL", place.reference),
        &format!("{} Council", place.name),
        "local_partner",
    )
    .await?;
    let code = ons_code(place.reference, place.region, place.kind);
    on_tx!(tx, |conn| {
        sqlx::query(
            "UPDATE places SET accountable_organisation_id = $1 WHERE id = $2 \
             AND accountable_organisation_id IS NULL",
        )
        .bind(council)
        .bind(id)
        .execute(&mut *conn)
        .await?;
        sqlx::query("UPDATE places SET ons_code = $1 WHERE id = $2 AND ons_code IS NULL")
            .bind(&code)
            .bind(id)
            .execute(conn)
            .await?;
    });
    Ok(id)
}

/// A made-up ONS code for a place: well-formed (a letter and eight digits) but never a
/// real one, whose fourth character is 0 where these have 9. The entity is the kind of
/// area: a London borough E09, other councils E06, E07 or E08 in turn, an integrated care
/// system E54; the last five digits are the place's number, so no two places share one.
pub(super) fn ons_code(reference: &str, region: &str, kind: &str) -> String {
    let n: u32 = reference.trim_start_matches("PL-").parse().unwrap_or(0);
    let entity = match (kind, region) {
        ("ics", _) => "E54",
        (_, "London") => "E09",
        _ => ["E06", "E07", "E08"][(n % 3) as usize],
    };
    format!("{entity}9{n:05}")
}

/// Three made-up local partners per place: the council, the health commissioners and the
/// voluntary sector.
async fn add_local_partners(tx: &mut Tx, place_id: i64, name: &str, reference: &str) -> Result<()> {
    for (suffix, what) in [
        ("COUNCIL", "Council"),
        ("CCG", "Clinical Commissioning Group"),
        ("CVS", "Voluntary Action"),
    ] {
        let org = upsert_organisation(
            tx,
            &format!("GB-DEMO-{reference}-{suffix}"),
            &format!("{name} {what}"),
            "local_partner",
        )
        .await?;
        on_tx!(tx, |conn| {
            sqlx::query(
                "INSERT INTO place_partners (place_id, organisation_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            )
            .bind(place_id)
            .bind(org)
            .execute(conn)
            .await?;
        });
    }
    Ok(())
}

/// Makes a place unless one has the reference, its chair's contact made up from its
/// name; returns its id.
async fn upsert_place(tx: &mut Tx, place: &NewPlace<'_>) -> Result<i64> {
    let chair = format!("Chair of {} Health and Wellbeing Board", place.name);
    let chair_email = format!(
        "hwb.chair@{}.example.org",
        place.name.to_lowercase().replace(' ', "-")
    );
    on_tx!(tx, |conn| {
        sqlx::query(
            "INSERT INTO places (reference, name, kind, region, hwb_chair_name, hwb_chair_email) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (reference) DO NOTHING",
        )
        .bind(place.reference)
        .bind(place.name)
        .bind(place.kind)
        .bind(place.region)
        .bind(&chair)
        .bind(&chair_email)
        .execute(&mut *conn)
        .await?;
        let (id,): (i64,) = sqlx::query_as("SELECT id FROM places WHERE reference = $1")
            .bind(place.reference)
            .fetch_one(conn)
            .await?;
        Ok(id)
    })
}

/// Puts a place in a programme with its status and breakthrough issue, unless it is in it.
async fn add_place_to_programme(
    tx: &mut Tx,
    programme_id: i64,
    place_id: i64,
    status: &str,
    issue: &str,
) -> Result<()> {
    on_tx!(tx, |conn| {
        sqlx::query(
            "INSERT INTO programme_places (programme_id, place_id, status, breakthrough_issue) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (programme_id, place_id) DO NOTHING",
        )
        .bind(programme_id)
        .bind(place_id)
        .bind(status)
        .bind(issue)
        .execute(conn)
        .await?;
        Ok(())
    })
}
