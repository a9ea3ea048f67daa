//! The demo's made-up places, each in Local Vision with three local partners.

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

/// Makes (or finds) the places, puts them in Local Vision with their partners; returns
/// their ids in the order of [`PLACES`].
pub(super) async fn load_places(tx: &mut Tx, local_vision: i64) -> Result<Vec<i64>> {
    let mut place_ids = Vec::new();
    for (name, reference, region, issue, status) in PLACES {
        let id = upsert_place(tx, name, reference, region).await?;
        add_place_to_programme(tx, local_vision, id, status, issue).await?;
        add_local_partners(tx, id, name, reference).await?;
        place_ids.push(id);
    }
    Ok(place_ids)
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

/// Makes a council place unless one has the reference, its chair's contact made up from
/// its name; returns its id.
async fn upsert_place(tx: &mut Tx, name: &str, reference: &str, region: &str) -> Result<i64> {
    let chair = format!("Chair of {name} Health and Wellbeing Board");
    let chair_email = format!("hwb.chair@{}.example.org", name.to_lowercase().replace(' ', "-"));
    on_tx!(tx, |conn| {
        sqlx::query(
            "INSERT INTO places (reference, name, kind, region, hwb_chair_name, hwb_chair_email) \
             VALUES ($1, $2, 'council', $3, $4, $5) ON CONFLICT (reference) DO NOTHING",
        )
        .bind(reference)
        .bind(name)
        .bind(region)
        .bind(&chair)
        .bind(&chair_email)
        .execute(&mut *conn)
        .await?;
        let (id,): (i64,) = sqlx::query_as("SELECT id FROM places WHERE reference = $1")
            .bind(reference)
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
