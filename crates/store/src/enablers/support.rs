//! Support offers: limited consultancy days, national programme places and learning
//! network memberships in a programme, and funded places' requests for them. Approvals
//! take the offer's lock first ([`lock_offer`]) so two admins approving at once never give
//! out more than the offer holds.

use crate::rows::named_row;
use crate::{Db, Result, StoreError, Tx, on_db, on_tx};
use convene_domain::{ProgrammeId, Timestamp, UserId};

/// An offer with what is approved of it so far.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Offer {
    pub id: i64,
    pub programme_id: ProgrammeId,
    /// 'consultancy_days', 'national_programme' or 'learning_network'.
    pub kind: String,
    pub name: String,
    pub partner: String,
    pub units: i64,
    pub approved: i64,
}

impl Offer {
    /// Units not yet approved to anyone.
    pub fn left(&self) -> i64 {
        self.units - self.approved
    }
}

named_row! {
    struct OfferRow {
        id: i64,
        programme_id: i64,
        kind: String,
        name: String,
        partner: String,
        units: i64,
        approved: i64,
    }
}

impl From<OfferRow> for Offer {
    fn from(r: OfferRow) -> Self {
        Offer {
            id: r.id,
            programme_id: ProgrammeId(r.programme_id),
            kind: r.kind,
            name: r.name,
            partner: r.partner,
            units: r.units,
            approved: r.approved,
        }
    }
}

const OFFER_SELECT: &str = "SELECT o.id, o.programme_id, o.kind, o.name, o.partner, o.units, \
     CAST(COALESCE((SELECT SUM(r.units) FROM support_requests r WHERE r.offer_id = o.id AND r.status = 'approved'), 0) AS BIGINT) AS approved \
     FROM support_offers o";

/// Adds an offer; returns its id.
pub async fn create_offer(
    tx: &mut Tx,
    programme_id: ProgrammeId,
    (kind, name, partner): (&str, &str, &str),
    units: i64,
    now: Timestamp,
) -> Result<i64> {
    let (id,): (i64,) = on_tx!(tx, |conn| sqlx::query_as(
        "INSERT INTO support_offers (programme_id, kind, name, partner, units, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id"
    )
    .bind(programme_id.0)
    .bind(kind)
    .bind(name)
    .bind(partner)
    .bind(units)
    .bind(now.0)
    .fetch_one(conn)
    .await?);
    Ok(id)
}

/// A programme's offers, in the order they were added.
pub async fn offers(db: &Db, programme_id: ProgrammeId) -> Result<Vec<Offer>> {
    let sql = format!("{OFFER_SELECT} WHERE o.programme_id = $1 ORDER BY o.id");
    let rows: Vec<OfferRow> = on_db!(db, |pool| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(programme_id.0)
        .fetch_all(pool)
        .await?);
    Ok(rows.into_iter().map(Offer::from).collect())
}

/// Takes an offer's lock for the rest of the transaction (first, on SQLite: see
/// [`Tx::lock_row`]) and reads it as it then stands.
pub async fn lock_offer(tx: &mut Tx, offer_id: i64) -> Result<Offer> {
    tx.lock_row("support_offers", offer_id).await?;
    let sql = format!("{OFFER_SELECT} WHERE o.id = $1");
    let row: Option<OfferRow> = on_tx!(tx, |conn| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(offer_id)
        .fetch_optional(conn)
        .await?);
    row.map(Offer::from).ok_or(StoreError::NotFound)
}

/// Where a request for support stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SupportStatus {
    Requested,
    Approved,
    Declined,
}

impl SupportStatus {
    pub fn key(self) -> &'static str {
        match self {
            SupportStatus::Requested => "requested",
            SupportStatus::Approved => "approved",
            SupportStatus::Declined => "declined",
        }
    }

    fn from_key(key: &str) -> Result<Self> {
        match key {
            "requested" => Ok(SupportStatus::Requested),
            "approved" => Ok(SupportStatus::Approved),
            "declined" => Ok(SupportStatus::Declined),
            other => Err(StoreError::Malformed(format!("support request status {other}"))),
        }
    }
}

/// A place's request for units of an offer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SupportRequest {
    pub id: i64,
    pub offer_id: i64,
    pub award_id: i64,
    pub units: i64,
    pub note: String,
    pub status: SupportStatus,
    pub requested_at: Timestamp,
    pub decision_reason: String,
}

named_row! {
    struct RequestRow {
        id: i64,
        offer_id: i64,
        award_id: i64,
        units: i64,
        note: String,
        status: String,
        requested_at: i64,
        decision_reason: String,
    }
}

impl TryFrom<RequestRow> for SupportRequest {
    type Error = StoreError;
    fn try_from(r: RequestRow) -> Result<Self> {
        Ok(SupportRequest {
            id: r.id,
            offer_id: r.offer_id,
            award_id: r.award_id,
            units: r.units,
            note: r.note,
            status: SupportStatus::from_key(&r.status)?,
            requested_at: Timestamp(r.requested_at),
            decision_reason: r.decision_reason,
        })
    }
}

const REQUEST_SELECT: &str = "SELECT r.id, r.offer_id, r.award_id, r.units, r.note, r.status, r.requested_at, \
     r.decision_reason FROM support_requests r";

/// A place's request for `units` of an offer; returns its id.
pub async fn request(
    tx: &mut Tx,
    (offer_id, award_id): (i64, i64),
    units: i64,
    note: &str,
    by: UserId,
    now: Timestamp,
) -> Result<i64> {
    let (id,): (i64,) = on_tx!(tx, |conn| {
        sqlx::query_as(
        "INSERT INTO support_requests (offer_id, award_id, units, note, status, requested_by, requested_at) \
         VALUES ($1, $2, $3, $4, 'requested', $5, $6) RETURNING id"
    )
    .bind(offer_id)
    .bind(award_id)
    .bind(units)
    .bind(note)
    .bind(by.0)
    .bind(now.0)
    .fetch_one(conn)
    .await?
    });
    Ok(id)
}

/// One request, read inside a change (after [`lock_offer`], so its status is current).
pub async fn request_in(tx: &mut Tx, id: i64) -> Result<SupportRequest> {
    let sql = format!("{REQUEST_SELECT} WHERE r.id = $1");
    let row: Option<RequestRow> = on_tx!(tx, |conn| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(conn)
        .await?);
    row.ok_or(StoreError::NotFound)?.try_into()
}

/// One request.
pub async fn request_by_id(db: &Db, id: i64) -> Result<SupportRequest> {
    let sql = format!("{REQUEST_SELECT} WHERE r.id = $1");
    let row: Option<RequestRow> = on_db!(db, |pool| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(pool)
        .await?);
    row.ok_or(StoreError::NotFound)?.try_into()
}

/// The requests for a programme's offers, oldest first.
pub async fn requests_of_programme(db: &Db, programme_id: ProgrammeId) -> Result<Vec<SupportRequest>> {
    let sql = format!(
        "{REQUEST_SELECT} JOIN support_offers o ON o.id = r.offer_id WHERE o.programme_id = $1 ORDER BY r.id"
    );
    let rows: Vec<RequestRow> = on_db!(db, |pool| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(programme_id.0)
        .fetch_all(pool)
        .await?);
    rows.into_iter().map(SupportRequest::try_from).collect()
}

/// A place's requests (by its award), oldest first.
pub async fn requests_of_award(db: &Db, award_id: i64) -> Result<Vec<SupportRequest>> {
    let sql = format!("{REQUEST_SELECT} WHERE r.award_id = $1 ORDER BY r.id");
    let rows: Vec<RequestRow> = on_db!(db, |pool| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(award_id)
        .fetch_all(pool)
        .await?);
    rows.into_iter().map(SupportRequest::try_from).collect()
}

/// Decides a waiting request, once: true when this call decided it. Approving is for the
/// caller to check against [`lock_offer`]'s figures first, in the same transaction.
pub async fn decide(
    tx: &mut Tx,
    id: i64,
    status: SupportStatus,
    reason: &str,
    by: UserId,
    now: Timestamp,
) -> Result<bool> {
    let n = on_tx!(tx, |conn| sqlx::query(
        "UPDATE support_requests SET status = $1, decision_reason = $2, decided_by = $3, decided_at = $4 \
         WHERE id = $5 AND status = 'requested'"
    )
    .bind(status.key())
    .bind(reason)
    .bind(by.0)
    .bind(now.0)
    .bind(id)
    .execute(conn)
    .await?
    .rows_affected());
    Ok(n == 1)
}
