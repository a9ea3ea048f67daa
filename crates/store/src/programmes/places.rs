//! Places: the local areas taking part in programmes, where each stands in each
//! programme, and its Health and Wellbeing Board chair's contact.

use crate::rows::named_row;
use crate::{Db, Result, Tx, on_db, on_tx};
use convene_domain::programmes::PlaceKind;
use convene_domain::{PlaceId, ProgrammeId};

pub use convene_domain::programmes::{Place, PlaceInProgramme};

named_row! {
    /// A place joined to one programme it takes part in (the programme columns are empty
    /// when it takes part in none).
    struct PlaceRow {
        id: i64,
        reference: String,
        name: String,
        kind: String,
        ons_code: Option<String>,
        region: Option<String>,
        hwb_chair_name: Option<String>,
        hwb_chair_email: Option<String>,
        programme_id: Option<i64>,
        status: Option<String>,
        breakthrough_issue: Option<String>,
    }
}

const PLACE_SELECT: &str = "SELECT pl.id, pl.reference, pl.name, pl.kind, pl.ons_code, pl.region, \
     pl.hwb_chair_name, pl.hwb_chair_email, pp.programme_id, pp.status, pp.breakthrough_issue \
     FROM places pl LEFT JOIN programme_places pp ON pp.place_id = pl.id";

impl From<PlaceRow> for Place {
    /// The place with the one membership its row carries.
    fn from(row: PlaceRow) -> Self {
        let programme_id = row.programme_id.map(ProgrammeId);
        let membership = programme_id.map(|programme_id| PlaceInProgramme {
            programme_id,
            status: row.status,
            breakthrough_issue: row.breakthrough_issue,
        });
        Place {
            id: PlaceId(row.id),
            reference: row.reference,
            name: row.name,
            kind: PlaceKind::from_key(&row.kind).unwrap_or(PlaceKind::Other),
            ons_code: row.ons_code,
            region: row.region,
            hwb_chair_name: row.hwb_chair_name,
            hwb_chair_email: row.hwb_chair_email,
            programme_ids: programme_id.into_iter().collect(),
            memberships: membership.into_iter().collect(),
        }
    }
}

/// Folds rows of place × programme (ordered by place) into places with their programme ids.
fn to_places(rows: Vec<PlaceRow>) -> Vec<Place> {
    let mut places: Vec<Place> = Vec::new();
    for place in rows.into_iter().map(Place::from) {
        if let Some(last) = places.last_mut().filter(|p| p.id == place.id) {
            last.programme_ids.extend(place.programme_ids);
            last.memberships.extend(place.memberships);
            continue;
        }
        places.push(place);
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
pub async fn places_in(db: &Db, programme_id: ProgrammeId) -> Result<Vec<Place>> {
    let sql = format!(
        "{PLACE_SELECT} WHERE pl.id IN (SELECT place_id FROM programme_places WHERE programme_id = $1) \
         ORDER BY LOWER(pl.name), pl.id, pp.programme_id"
    );
    let rows: Vec<PlaceRow> = on_db!(db, |pool| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(programme_id.0)
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
pub async fn set_hwb_chair(tx: &mut Tx, place_id: PlaceId, name: &str, email: &str) -> Result<bool> {
    on_tx!(tx, |conn| {
        let done = sqlx::query("UPDATE places SET hwb_chair_name = $1, hwb_chair_email = $2 WHERE id = $3")
            .bind(name)
            .bind(email)
            .bind(place_id.0)
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
