//! What a programme publishes as open data: its accepted awards with the areas each place
//! covers, its funders, and its 360Giving identifier prefix.

use crate::{Db, Result, Tx, on_db, on_tx};
use convene_domain::{PlaceId, ProgrammeId};

/// The councils a place covers, by ONS code and name: its own code when it is a council,
/// otherwise the areas listed for it (an integrated care system's councils).
pub async fn areas(db: &Db, place_id: PlaceId) -> Result<Vec<(String, String)>> {
    let rows: Vec<(String, String)> = on_db!(db, |pool| sqlx::query_as(
        "SELECT ons_code, name FROM place_areas WHERE place_id = $1 \
         UNION SELECT ons_code, name FROM places WHERE id = $1 AND ons_code IS NOT NULL \
           AND NOT EXISTS (SELECT 1 FROM place_areas WHERE place_id = $1) \
         ORDER BY ons_code"
    )
    .bind(place_id.0)
    .fetch_all(pool)
    .await?);
    Ok(rows)
}

/// Lists the councils a place covers (replacing any listed before).
pub async fn set_areas(tx: &mut Tx, place_id: PlaceId, areas: &[(String, String)]) -> Result<()> {
    on_tx!(tx, |conn| {
        sqlx::query("DELETE FROM place_areas WHERE place_id = $1")
            .bind(place_id.0)
            .execute(&mut *conn)
            .await?;
        for (code, name) in areas {
            sqlx::query("INSERT INTO place_areas (place_id, ons_code, name) VALUES ($1, $2, $3)")
                .bind(place_id.0)
                .bind(code)
                .bind(name)
                .execute(&mut *conn)
                .await?;
        }
    });
    Ok(())
}

/// The programme's funders (its partner bodies) by org-id and name.
pub async fn funders(db: &Db, programme_id: ProgrammeId) -> Result<Vec<(String, String)>> {
    let rows: Vec<(String, String)> = on_db!(db, |pool| {
        sqlx::query_as(
        "SELECT o.org_id, o.name FROM programme_partners pp JOIN organisations o ON o.id = pp.organisation_id \
         WHERE pp.programme_id = $1 ORDER BY o.name"
    )
    .bind(programme_id.0)
    .fetch_all(pool)
    .await?
    });
    Ok(rows)
}

/// The programme's 360Giving identifier prefix ("" until set).
pub async fn grant_prefix(db: &Db, programme_id: ProgrammeId) -> Result<String> {
    let (prefix,): (String,) = on_db!(db, |pool| sqlx::query_as(
        "SELECT grant_prefix FROM programmes WHERE id = $1"
    )
    .bind(programme_id.0)
    .fetch_one(pool)
    .await?);
    Ok(prefix)
}

/// Sets the programme's 360Giving identifier prefix.
pub async fn set_grant_prefix(tx: &mut Tx, programme_id: ProgrammeId, prefix: &str) -> Result<()> {
    on_tx!(tx, |conn| {
        sqlx::query("UPDATE programmes SET grant_prefix = $1 WHERE id = $2")
            .bind(prefix)
            .bind(programme_id.0)
            .execute(conn)
            .await?;
    });
    Ok(())
}

/// The programme's awards that are public: accepted (so announced and answered).
pub async fn published(db: &Db, programme_id: ProgrammeId) -> Result<Vec<super::Award>> {
    let all = super::of_programme(db, programme_id).await?;
    Ok(all
        .into_iter()
        .filter(|a| a.status == convene_domain::awards::AwardStatus::Accepted && a.announced_at.is_some())
        .collect())
}
