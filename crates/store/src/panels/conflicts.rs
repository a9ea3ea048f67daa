//! Conflicts of interest as declared, and who each application names (its parties), for
//! the domain's rule (`convene_domain::panels::conflicts`) to decide what they cover.

use std::collections::BTreeMap;

use crate::rows::named_row;
use crate::{Db, Result, StoreError, Tx, on_db, on_tx};
use convene_domain::panels::conflicts::{ConflictWith, Parties};
use convene_domain::{ApplicationId, PlaceId, RoundId, Timestamp, UserId};

/// A declared conflict, with the name of what it is with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Declared {
    pub id: i64,
    pub user_id: UserId,
    pub with: ConflictWith,
    /// The organisation's or place's name.
    pub name: String,
    pub reason: String,
    pub declared_at: Timestamp,
}

named_row! {
    struct DeclaredRow {
        id: i64,
        user_id: i64,
        organisation_id: Option<i64>,
        place_id: Option<i64>,
        name: String,
        reason: String,
        declared_at: i64,
    }
}

impl DeclaredRow {
    fn into_record(self) -> Result<Declared> {
        let with = match (self.organisation_id, self.place_id) {
            (Some(org), None) => ConflictWith::Organisation(org),
            (None, Some(place)) => ConflictWith::Place(PlaceId(place)),
            _ => return Err(StoreError::Malformed(format!("conflict {}", self.id))),
        };
        Ok(Declared {
            id: self.id,
            user_id: UserId(self.user_id),
            with,
            name: self.name,
            reason: self.reason,
            declared_at: Timestamp(self.declared_at),
        })
    }
}

const DECLARED_SELECT: &str = "SELECT c.id, c.user_id, c.organisation_id, c.place_id, \
     COALESCE(o.name, p.name, '') AS name, c.reason, c.declared_at FROM conflicts c \
     LEFT JOIN organisations o ON o.id = c.organisation_id LEFT JOIN places p ON p.id = c.place_id";

async fn declared(
    db: &Db,
    filter: &str,
    round_id: RoundId,
    user_id: Option<UserId>,
) -> Result<Vec<Declared>> {
    let sql = format!("{DECLARED_SELECT} WHERE c.round_id = $1 {filter} ORDER BY c.declared_at, c.id");
    let rows: Vec<DeclaredRow> = on_db!(db, |pool| {
        let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(round_id.0);
        if let Some(u) = user_id {
            q = q.bind(u.0);
        }
        q.fetch_all(pool).await?
    });
    rows.into_iter().map(DeclaredRow::into_record).collect()
}

/// One member's conflicts in a round, oldest first.
pub async fn of_member(db: &Db, round_id: RoundId, user_id: UserId) -> Result<Vec<Declared>> {
    declared(db, "AND c.user_id = $2", round_id, Some(user_id)).await
}

/// Every conflict declared in a round.
pub async fn of_round(db: &Db, round_id: RoundId) -> Result<Vec<Declared>> {
    declared(db, "", round_id, None).await
}

/// Records a declaration; returns its id.
pub async fn declare(
    tx: &mut Tx,
    round_id: RoundId,
    user_id: UserId,
    with: ConflictWith,
    reason: &str,
    now: Timestamp,
) -> Result<i64> {
    let (org, place) = match with {
        ConflictWith::Organisation(o) => (Some(o), None),
        ConflictWith::Place(p) => (None, Some(p.0)),
    };
    let id: i64 = on_tx!(tx, |conn| sqlx::query_scalar(
        "INSERT INTO conflicts (round_id, user_id, organisation_id, place_id, reason, declared_at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id"
    )
    .bind(round_id.0)
    .bind(user_id.0)
    .bind(org)
    .bind(place)
    .bind(reason)
    .bind(now.0)
    .fetch_one(&mut *conn)
    .await?);
    Ok(id)
}

named_row! {
    struct PartyRow {
        application_id: i64,
        place_id: i64,
        accountable_organisation_id: Option<i64>,
        partner_id: Option<i64>,
    }
}

const PARTIES_SELECT: &str = "SELECT a.id AS application_id, a.place_id, pl.accountable_organisation_id, \
     pp.organisation_id AS partner_id FROM applications a JOIN places pl ON pl.id = a.place_id \
     LEFT JOIN place_partners pp ON pp.place_id = a.place_id";

fn gather(rows: Vec<PartyRow>) -> BTreeMap<ApplicationId, Parties> {
    let mut out: BTreeMap<ApplicationId, Parties> = BTreeMap::new();
    for r in rows {
        let parties = out
            .entry(ApplicationId(r.application_id))
            .or_insert_with(|| Parties {
                place_id: PlaceId(r.place_id),
                accountable_organisation: r.accountable_organisation_id,
                partners: Vec::new(),
            });
        parties.partners.extend(r.partner_id);
    }
    out
}

/// Who each submitted application of a round names.
pub async fn parties_of_round(db: &Db, round_id: RoundId) -> Result<BTreeMap<ApplicationId, Parties>> {
    let sql = format!("{PARTIES_SELECT} WHERE a.round_id = $1 AND a.status = 'submitted'");
    let rows: Vec<PartyRow> = on_db!(db, |pool| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(round_id.0)
        .fetch_all(pool)
        .await?);
    Ok(gather(rows))
}

/// Who one application names.
pub async fn parties(db: &Db, application_id: ApplicationId) -> Result<Parties> {
    let sql = format!("{PARTIES_SELECT} WHERE a.id = $1");
    let rows: Vec<PartyRow> = on_db!(db, |pool| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(application_id.0)
        .fetch_all(pool)
        .await?);
    gather(rows).remove(&application_id).ok_or(StoreError::NotFound)
}

/// What a member of a round's panel may declare a conflict with: the places that submitted
/// to it and the organisations those applications name, each `(id, name)` by name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Declarable {
    pub organisations: Vec<(i64, String)>,
    pub places: Vec<(PlaceId, String)>,
}

pub async fn declarable(db: &Db, round_id: RoundId) -> Result<Declarable> {
    type Named = Vec<(i64, String)>;
    let (orgs, places): (Named, Named) = on_db!(db, |pool| {
        let orgs = sqlx::query_as(
            "SELECT DISTINCT o.id, o.name FROM organisations o WHERE o.id IN ( \
               SELECT pl.accountable_organisation_id FROM applications a JOIN places pl ON pl.id = a.place_id \
               WHERE a.round_id = $1 AND a.status = 'submitted' \
               UNION SELECT pp.organisation_id FROM applications a JOIN place_partners pp ON pp.place_id = a.place_id \
               WHERE a.round_id = $1 AND a.status = 'submitted') ORDER BY o.name, o.id",
        )
        .bind(round_id.0)
        .fetch_all(pool)
        .await?;
        let places = sqlx::query_as(
            "SELECT DISTINCT pl.id, pl.name FROM applications a JOIN places pl ON pl.id = a.place_id \
             WHERE a.round_id = $1 AND a.status = 'submitted' ORDER BY pl.name, pl.id",
        )
        .bind(round_id.0)
        .fetch_all(pool)
        .await?;
        (orgs, places)
    });
    Ok(Declarable {
        organisations: orgs,
        places: places.into_iter().map(|(id, name)| (PlaceId(id), name)).collect(),
    })
}
