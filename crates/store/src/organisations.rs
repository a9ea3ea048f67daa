//! Organisations and places as imported from spreadsheets: upserted by their identifiers,
//! so importing the same file twice changes nothing.

use crate::{Db, Result, Tx, on_db, on_tx};
use convene_domain::PlaceId;
use convene_domain::audit::AuditAction;
use convene_domain::imports::{NewOrganisation, NewPlace};

/// Creates or updates an organisation by its org-id; returns its id.
pub async fn upsert_organisation(tx: &mut Tx, org: &NewOrganisation) -> Result<i64> {
    on_tx!(tx, |conn| {
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO organisations (org_id, name, kind) VALUES ($1, $2, $3) \
             ON CONFLICT (org_id) DO UPDATE SET name = excluded.name, kind = excluded.kind RETURNING id",
        )
        .bind(org.org_id.as_str())
        .bind(&org.name)
        .bind(&org.kind)
        .fetch_one(conn)
        .await?;
        Ok(id)
    })
}

/// The id of the organisation with this org-id, if there is one.
pub async fn organisation_id(tx: &mut Tx, org_id: &str) -> Result<Option<i64>> {
    on_tx!(tx, |conn| {
        let row: Option<(i64,)> = sqlx::query_as("SELECT id FROM organisations WHERE org_id = $1")
            .bind(org_id)
            .fetch_optional(conn)
            .await?;
        Ok(row.map(|(id,)| id))
    })
}

/// Creates or updates a place by its reference, with its accountable organisation and its
/// partners (given as organisation ids); returns the place's id.
pub async fn upsert_place(
    tx: &mut Tx,
    place: &NewPlace,
    accountable: Option<i64>,
    partners: &[i64],
) -> Result<i64> {
    let id = on_tx!(tx, |conn| {
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO places (reference, name, kind, ons_code, region, accountable_organisation_id, \
             hwb_chair_name, hwb_chair_email) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
             ON CONFLICT (reference) DO UPDATE SET name = excluded.name, kind = excluded.kind, \
             ons_code = excluded.ons_code, region = excluded.region, \
             accountable_organisation_id = excluded.accountable_organisation_id, \
             hwb_chair_name = excluded.hwb_chair_name, hwb_chair_email = excluded.hwb_chair_email RETURNING id",
        )
        .bind(&place.reference)
        .bind(&place.name)
        .bind(place.kind.key())
        .bind(&place.ons_code)
        .bind(&place.region)
        .bind(accountable)
        .bind(&place.hwb_chair_name)
        .bind(place.hwb_chair_email.as_ref().map(|e| e.as_str()))
        .fetch_one(&mut *conn)
        .await?;
        sqlx::query("DELETE FROM place_partners WHERE place_id = $1")
            .bind(id)
            .execute(&mut *conn)
            .await?;
        for org in partners {
            sqlx::query("INSERT INTO place_partners (place_id, organisation_id) VALUES ($1, $2)")
                .bind(id)
                .bind(*org)
                .execute(&mut *conn)
                .await?;
        }
        id
    });
    Ok(id)
}

/// The org-ids of a place's partner organisations, sorted.
pub async fn place_partner_org_ids(tx: &mut Tx, place_id: PlaceId) -> Result<Vec<String>> {
    on_tx!(tx, |conn| {
        let rows: Vec<(String,)> = sqlx::query_as(
            "SELECT o.org_id FROM place_partners pp JOIN organisations o ON o.id = pp.organisation_id \
             WHERE pp.place_id = $1 ORDER BY o.org_id",
        )
        .bind(place_id.0)
        .fetch_all(conn)
        .await?;
        Ok(rows.into_iter().map(|(o,)| o).collect())
    })
}

/// A place's partner organisations as (org-id, name), by name.
pub async fn place_partners(db: &Db, place_id: PlaceId) -> Result<Vec<(String, String)>> {
    on_db!(db, |pool| {
        let rows: Vec<(String, String)> = sqlx::query_as(
            "SELECT o.org_id, o.name FROM place_partners pp JOIN organisations o ON o.id = pp.organisation_id \
             WHERE pp.place_id = $1 ORDER BY o.name",
        )
        .bind(place_id.0)
        .fetch_all(pool)
        .await?;
        Ok(rows)
    })
}

/// What an import did, or why it did nothing.
#[derive(Debug)]
pub enum Imported {
    /// Every row was written, in one transaction.
    Done { rows: usize },
    /// Nothing was written: these rows name organisations that do not exist.
    Refused(Vec<convene_domain::imports::RowError>),
}

/// Writes parsed organisations in one transaction; `on_row` is called after each.
pub async fn import_organisations(
    db: &crate::Db,
    rows: &[(usize, NewOrganisation)],
    actor: Option<i64>,
    now: convene_domain::Timestamp,
    mut on_row: impl FnMut(),
) -> Result<Imported> {
    let mut tx = db.begin().await?;
    for (_, org) in rows {
        upsert_organisation(&mut tx, org).await?;
        on_row();
    }
    let detail = format!("{} organisations", rows.len());
    crate::audit::record(
        &mut tx,
        crate::audit::Entry {
            actor_user_id: actor,
            action: AuditAction::OrganisationsImported,
            record_id: None,
            detail: &detail,
        },
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(Imported::Done { rows: rows.len() })
}

/// Writes parsed places in one transaction, resolving the organisations they name; if any
/// row names an organisation that does not exist, nothing is written.
pub async fn import_places(
    db: &crate::Db,
    rows: &[(usize, NewPlace)],
    actor: Option<i64>,
    now: convene_domain::Timestamp,
    mut on_row: impl FnMut(),
) -> Result<Imported> {
    use convene_domain::imports::RowError;
    let mut tx = db.begin().await?;
    let mut errors = Vec::new();
    for (line, place) in rows {
        let unknown = |field: &str, org: &str| RowError {
            line: *line,
            field: field.to_string(),
            message: format!("No organisation {org} exists: import it first"),
        };
        let accountable = match &place.accountable_org_id {
            Some(org) => match organisation_id(&mut tx, org.as_str()).await? {
                Some(id) => Some(id),
                None => {
                    errors.push(unknown("accountable_org_id", org.as_str()));
                    None
                }
            },
            None => None,
        };
        let mut partners = Vec::new();
        for org in &place.partner_org_ids {
            match organisation_id(&mut tx, org.as_str()).await? {
                Some(id) => partners.push(id),
                None => errors.push(unknown("partner_org_ids", org.as_str())),
            }
        }
        if errors.is_empty() {
            upsert_place(&mut tx, place, accountable, &partners).await?;
        }
        on_row();
    }
    if !errors.is_empty() {
        // Dropping the transaction rolls back every row already written.
        return Ok(Imported::Refused(errors));
    }
    let detail = format!("{} places", rows.len());
    crate::audit::record(
        &mut tx,
        crate::audit::Entry {
            actor_user_id: actor,
            action: AuditAction::PlacesImported,
            record_id: None,
            detail: &detail,
        },
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(Imported::Done { rows: rows.len() })
}
