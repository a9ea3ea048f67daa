//! Places: the local areas taking part in programmes, where each stands in each
//! programme, and its Health and Wellbeing Board chair's contact.

use crate::{Db, Result, Tx, on_db, on_tx};
use convene_domain::programmes::PlaceKind;

/// A local area taking part in programmes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    pub id: i64,
    pub reference: String,
    pub name: String,
    pub kind: PlaceKind,
    pub ons_code: Option<String>,
    pub region: Option<String>,
    pub hwb_chair_name: Option<String>,
    pub hwb_chair_email: Option<String>,
    /// The programmes this place takes part in.
    pub programme_ids: Vec<i64>,
    /// Where it stands in each of those programmes, in the same order: a place shared by
    /// programmes has a status and a breakthrough issue in each.
    pub memberships: Vec<PlaceInProgramme>,
}

/// A place's standing in one programme.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlaceInProgramme {
    pub programme_id: i64,
    /// "underway", "applicant", ...
    pub status: Option<String>,
    pub breakthrough_issue: Option<String>,
}

impl Place {
    /// Where the place stands in one programme, if it takes part in it.
    pub fn in_programme(&self, programme_id: i64) -> Option<&PlaceInProgramme> {
        self.memberships.iter().find(|m| m.programme_id == programme_id)
    }
}

type PlaceRow = (
    i64,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<i64>,
    Option<String>,
    Option<String>,
);

const PLACE_SELECT: &str = "SELECT pl.id, pl.reference, pl.name, pl.kind, pl.ons_code, pl.region, \
     pl.hwb_chair_name, pl.hwb_chair_email, pp.programme_id, pp.status, pp.breakthrough_issue \
     FROM places pl LEFT JOIN programme_places pp ON pp.place_id = pl.id";

/// Folds rows of place × programme into places with their programme ids.
fn to_places(rows: Vec<PlaceRow>) -> Vec<Place> {
    let mut places: Vec<Place> = Vec::new();
    for r in rows {
        let membership = r.8.map(|programme_id| PlaceInProgramme {
            programme_id,
            status: r.9.clone(),
            breakthrough_issue: r.10.clone(),
        });
        if let Some(last) = places.last_mut().filter(|p| p.id == r.0) {
            last.programme_ids.extend(r.8);
            last.memberships.extend(membership);
            continue;
        }
        places.push(Place {
            id: r.0,
            reference: r.1,
            name: r.2,
            kind: PlaceKind::from_key(&r.3).unwrap_or(PlaceKind::Other),
            ons_code: r.4,
            region: r.5,
            hwb_chair_name: r.6,
            hwb_chair_email: r.7,
            programme_ids: r.8.into_iter().collect(),
            memberships: membership.into_iter().collect(),
        });
    }
    places
}

/// One place with the programmes it takes part in.
pub async fn place(db: &Db, id: i64) -> Result<Option<Place>> {
    let sql = format!("{PLACE_SELECT} WHERE pl.id = $1 ORDER BY pl.id, pp.programme_id");
    let rows: Vec<PlaceRow> = on_db!(db, |pool| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_all(pool)
        .await?);
    Ok(to_places(rows).pop())
}

/// The places taking part in a programme, by name.
pub async fn places_in(db: &Db, programme_id: i64) -> Result<Vec<Place>> {
    let sql = format!(
        "{PLACE_SELECT} WHERE pl.id IN (SELECT place_id FROM programme_places WHERE programme_id = $1) \
         ORDER BY LOWER(pl.name), pl.id, pp.programme_id"
    );
    let rows: Vec<PlaceRow> = on_db!(db, |pool| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(programme_id)
        .fetch_all(pool)
        .await?);
    Ok(to_places(rows))
}

/// The places with these ids, by name.
pub async fn places_by_ids(db: &Db, ids: &[i64]) -> Result<Vec<Place>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    // One query for all of them: a placeholder per id, which both stores accept.
    let placeholders: Vec<String> = (1..=ids.len()).map(|i| format!("${i}")).collect();
    let sql = format!(
        "{PLACE_SELECT} WHERE pl.id IN ({}) ORDER BY LOWER(pl.name), pl.id, pp.programme_id",
        placeholders.join(", ")
    );
    let rows: Vec<PlaceRow> = on_db!(db, |pool| {
        let mut query = sqlx::query_as(sqlx::AssertSqlSafe(sql));
        for id in ids {
            query = query.bind(*id);
        }
        query.fetch_all(pool).await?
    });
    Ok(to_places(rows))
}

/// Changes the Health and Wellbeing Board chair's contact on a place.
pub async fn set_hwb_chair(tx: &mut Tx, place_id: i64, name: &str, email: &str) -> Result<bool> {
    on_tx!(tx, |conn| {
        let done = sqlx::query("UPDATE places SET hwb_chair_name = $1, hwb_chair_email = $2 WHERE id = $3")
            .bind(name)
            .bind(email)
            .bind(place_id)
            .execute(conn)
            .await?;
        Ok(done.rows_affected() == 1)
    })
}

/// A place's id from its reference ("PL-0001").
pub async fn place_by_reference(db: &Db, reference: &str) -> Result<Option<i64>> {
    let row: Option<(i64,)> = on_db!(db, |pool| {
        sqlx::query_as("SELECT id FROM places WHERE reference = $1")
            .bind(reference.trim())
            .fetch_optional(pool)
            .await?
    });
    Ok(row.map(|(id,)| id))
}
