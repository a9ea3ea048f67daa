//! Awards from a programme's fund (here), the selection helper's rules, values and runs
//! (`selection`), the panel's decisions (`decisions`) and outcome letters (`letters`).

pub mod decisions;
pub mod letters;
pub mod open_data;
pub mod selection;

use crate::rows::named_row;
use crate::{Db, Result, StoreError, Tx, on_db, on_tx};
use convene_domain::awards::{AwardStatus, Fund};
use convene_domain::{ApplicationId, Pence, PlaceId, ProgrammeId, RoundId, Timestamp, UserId};

/// An award as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Award {
    pub id: i64,
    pub programme_id: ProgrammeId,
    pub round_id: Option<RoundId>,
    pub application_id: Option<ApplicationId>,
    pub place_id: PlaceId,
    pub place_name: String,
    pub reference: String,
    pub recipient_org_id: String,
    pub recipient_name: String,
    pub value: Pence,
    pub match_pledge: Pence,
    pub breakthrough_issue: String,
    pub starts_at: Timestamp,
    pub ends_at: Timestamp,
    pub offered_at: Timestamp,
    /// When its letter went out; before then only staff know of it.
    pub announced_at: Option<Timestamp>,
    pub respond_by: Timestamp,
    pub status: AwardStatus,
    pub responded_at: Option<Timestamp>,
    pub replaces_award_id: Option<i64>,
}

named_row! {
    struct AwardRow {
        id: i64,
        programme_id: i64,
        round_id: Option<i64>,
        application_id: Option<i64>,
        place_id: i64,
        place_name: String,
        reference: String,
        recipient_org_id: String,
        recipient_name: String,
        value_pence: i64,
        match_pledge_pence: i64,
        breakthrough_issue: String,
        starts_at: i64,
        ends_at: i64,
        offered_at: i64,
        announced_at: Option<i64>,
        respond_by: i64,
        status: String,
        responded_at: Option<i64>,
        replaces_award_id: Option<i64>,
    }
}

impl TryFrom<AwardRow> for Award {
    type Error = StoreError;
    fn try_from(r: AwardRow) -> Result<Self> {
        Ok(Award {
            id: r.id,
            programme_id: ProgrammeId(r.programme_id),
            round_id: r.round_id.map(RoundId),
            application_id: r.application_id.map(ApplicationId),
            place_id: PlaceId(r.place_id),
            place_name: r.place_name,
            reference: r.reference,
            recipient_org_id: r.recipient_org_id,
            recipient_name: r.recipient_name,
            value: Pence(r.value_pence),
            match_pledge: Pence(r.match_pledge_pence),
            breakthrough_issue: r.breakthrough_issue,
            starts_at: Timestamp(r.starts_at),
            ends_at: Timestamp(r.ends_at),
            offered_at: Timestamp(r.offered_at),
            announced_at: r.announced_at.map(Timestamp),
            respond_by: Timestamp(r.respond_by),
            status: AwardStatus::from_key(&r.status)
                .ok_or_else(|| StoreError::Malformed(format!("award status {}", r.status)))?,
            responded_at: r.responded_at.map(Timestamp),
            replaces_award_id: r.replaces_award_id,
        })
    }
}

const AWARD_SELECT: &str = "SELECT a.id, a.programme_id, a.round_id, a.application_id, a.place_id, \
     p.name AS place_name, a.reference, o.org_id AS recipient_org_id, o.name AS recipient_name, a.value_pence, \
     a.match_pledge_pence, a.breakthrough_issue, a.starts_at, a.ends_at, a.offered_at, a.announced_at, a.respond_by, a.status, \
     a.responded_at, a.replaces_award_id \
     FROM awards a JOIN places p ON p.id = a.place_id JOIN organisations o ON o.id = a.recipient_organisation_id";

async fn awards_where(db: &Db, filter: &str, id: i64) -> Result<Vec<Award>> {
    let sql = format!("{AWARD_SELECT} WHERE {filter} ORDER BY a.offered_at, a.reference");
    let rows: Vec<AwardRow> = on_db!(db, |pool| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_all(pool)
        .await?);
    rows.into_iter().map(Award::try_from).collect()
}

/// One award.
pub async fn award(db: &Db, id: i64) -> Result<Award> {
    awards_where(db, "a.id = $1", id)
        .await?
        .into_iter()
        .next()
        .ok_or(StoreError::NotFound)
}

/// A programme's awards, oldest first.
pub async fn of_programme(db: &Db, programme_id: ProgrammeId) -> Result<Vec<Award>> {
    awards_where(db, "a.programme_id = $1", programme_id.0).await
}

/// A round's awards.
pub async fn of_round(db: &Db, round_id: RoundId) -> Result<Vec<Award>> {
    awards_where(db, "a.round_id = $1", round_id.0).await
}

/// The award made on an application, if any.
pub async fn of_application(db: &Db, application_id: ApplicationId) -> Result<Option<Award>> {
    Ok(awards_where(db, "a.application_id = $1", application_id.0)
        .await?
        .into_iter()
        .next())
}

/// A place's awards in every programme.
pub async fn of_place(db: &Db, place_id: PlaceId) -> Result<Vec<Award>> {
    awards_where(db, "a.place_id = $1", place_id.0).await
}

named_row! {
    struct FundRow {
        contributions: i64,
        match_pledged: i64,
        awarded: i64,
        committed: i64,
    }
}

// Sums are CAST to BIGINT so both stores return the same type.
const FUND_SQL: &str = "SELECT \
     CAST(COALESCE((SELECT SUM(contribution_pence) FROM programme_partners WHERE programme_id = $1), 0) AS BIGINT) \
       AS contributions, \
     CAST(COALESCE((SELECT SUM(match_pledge_pence) FROM awards WHERE programme_id = $1 AND status = 'accepted'), 0) \
       AS BIGINT) AS match_pledged, \
     CAST(COALESCE((SELECT SUM(value_pence) FROM awards WHERE programme_id = $1 AND status <> 'declined' \
       AND announced_at IS NOT NULL), 0) AS BIGINT) AS awarded, \
     CAST(COALESCE((SELECT SUM(value_pence) FROM awards WHERE programme_id = $1 AND status <> 'declined' \
       AND announced_at IS NULL), 0) AS BIGINT) AS committed";

/// A programme's fund: announced awards are awarded; awards not yet announced committed.
pub async fn fund(db: &Db, programme_id: ProgrammeId) -> Result<Fund> {
    let row: FundRow = on_db!(db, |pool| sqlx::query_as(FUND_SQL)
        .bind(programme_id.0)
        .fetch_one(pool)
        .await?);
    Ok(fund_of(row))
}

fn fund_of(row: FundRow) -> Fund {
    Fund {
        contributions: Pence(row.contributions),
        match_pledged: Pence(row.match_pledged),
        awarded: Pence(row.awarded),
        committed: Pence(row.committed),
    }
}

/// Takes the programme's fund for the rest of the transaction, so that two people funding
/// at once are told one after the other what is left: PostgreSQL locks the programme's
/// row; SQLite takes its single write lock by writing (this must be the transaction's first
/// statement there, so it never holds an older snapshot). Returns the fund as it stands.
pub async fn lock_fund(tx: &mut Tx, programme_id: ProgrammeId) -> Result<Fund> {
    tx.lock_row("programmes", programme_id.0).await?;
    let row: FundRow = on_tx!(tx, |conn| sqlx::query_as(FUND_SQL)
        .bind(programme_id.0)
        .fetch_one(conn)
        .await?);
    Ok(fund_of(row))
}

/// An award to make. Call [`lock_fund`] first in the same transaction and check the value
/// against what it says is available.
#[derive(Debug, Clone)]
pub struct NewAward<'a> {
    pub programme_id: ProgrammeId,
    pub round_id: Option<RoundId>,
    pub application_id: Option<ApplicationId>,
    pub place_id: PlaceId,
    pub reference: &'a str,
    pub recipient_organisation_id: i64,
    pub value: Pence,
    pub match_pledge: Pence,
    pub breakthrough_issue: &'a str,
    pub dates: convene_domain::awards::AwardDates,
    pub replaces_award_id: Option<i64>,
    pub by: Option<UserId>,
}

/// Makes an award (offered); returns its id.
pub async fn insert(tx: &mut Tx, award: &NewAward<'_>, now: Timestamp) -> Result<i64> {
    let (id,): (i64,) = on_tx!(tx, |conn| {
        sqlx::query_as(
            "INSERT INTO awards (programme_id, round_id, application_id, place_id, reference, \
             recipient_organisation_id, value_pence, match_pledge_pence, breakthrough_issue, starts_at, ends_at, \
             offered_at, respond_by, status, replaces_award_id, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 'offered', $14, $15, $16) RETURNING id",
        )
        .bind(award.programme_id.0)
        .bind(award.round_id.map(|r| r.0))
        .bind(award.application_id.map(|a| a.0))
        .bind(award.place_id.0)
        .bind(award.reference)
        .bind(award.recipient_organisation_id)
        .bind(award.value.0)
        .bind(award.match_pledge.0)
        .bind(award.breakthrough_issue)
        .bind(award.dates.starts_at.0)
        .bind(award.dates.ends_at.0)
        .bind(award.dates.offered_at.0)
        .bind(award.dates.respond_by.0)
        .bind(award.replaces_award_id)
        .bind(award.by.map(|u| u.0))
        .bind(now.0)
        .fetch_one(conn)
        .await?
    });
    Ok(id)
}

/// Withdraws an offer not yet announced (the decision changed before the notification
/// date). Returns false when there was none, or it was already announced.
pub async fn withdraw_unannounced(tx: &mut Tx, application_id: ApplicationId) -> Result<bool> {
    let n = on_tx!(tx, |conn| sqlx::query(
        "DELETE FROM awards WHERE application_id = $1 AND status = 'offered' AND announced_at IS NULL"
    )
    .bind(application_id.0)
    .execute(conn)
    .await?
    .rows_affected());
    Ok(n > 0)
}

/// Records a place's answer to an offer, once: true when this call answered it.
pub async fn respond(
    tx: &mut Tx,
    award_id: i64,
    status: AwardStatus,
    by: UserId,
    now: Timestamp,
) -> Result<bool> {
    let n = on_tx!(tx, |conn| sqlx::query(
        "UPDATE awards SET status = $1, responded_at = $2, responded_by = $3 \
         WHERE id = $4 AND status = 'offered' AND respond_by >= $2 AND announced_at IS NOT NULL"
    )
    .bind(status.key())
    .bind(now.0)
    .bind(by.0)
    .bind(award_id)
    .execute(conn)
    .await?
    .rows_affected());
    Ok(n == 1)
}

/// The round's declined awards whose place has not been offered to anyone else yet.
pub async fn declined_unreplaced(db: &Db, round_id: RoundId) -> Result<Vec<Award>> {
    let rows = awards_where(
        db,
        "a.round_id = $1 AND a.status = 'declined' \
         AND NOT EXISTS (SELECT 1 FROM awards r WHERE r.replaces_award_id = a.id)",
        round_id.0,
    )
    .await?;
    Ok(rows)
}

/// True when a replacement for this declined award exists already.
pub async fn is_replaced(tx: &mut Tx, award_id: i64) -> Result<bool> {
    let (n,): (i64,) = on_tx!(tx, |conn| sqlx::query_as(
        "SELECT COUNT(*) FROM awards WHERE replaces_award_id = $1"
    )
    .bind(award_id)
    .fetch_one(conn)
    .await?);
    Ok(n > 0)
}

/// Marks the application's award announced (its letter has gone out).
pub async fn announce(tx: &mut Tx, application_id: ApplicationId, now: Timestamp) -> Result<()> {
    on_tx!(tx, |conn| {
        sqlx::query("UPDATE awards SET announced_at = $1 WHERE application_id = $2 AND announced_at IS NULL")
            .bind(now.0)
            .bind(application_id.0)
            .execute(conn)
            .await?;
    });
    Ok(())
}

/// The organisation accountable for a place (the recipient of its awards), if recorded.
pub async fn recipient(tx: &mut Tx, place_id: PlaceId) -> Result<Option<i64>> {
    let row: Option<(Option<i64>,)> = on_tx!(tx, |conn| sqlx::query_as(
        "SELECT accountable_organisation_id FROM places WHERE id = $1"
    )
    .bind(place_id.0)
    .fetch_optional(conn)
    .await?);
    Ok(row.and_then(|(id,)| id))
}

/// Marks a place underway in a programme once it has accepted an award there.
pub async fn mark_underway(
    tx: &mut Tx,
    programme_id: ProgrammeId,
    place_id: PlaceId,
    issue: &str,
) -> Result<()> {
    on_tx!(tx, |conn| {
        sqlx::query(
            "UPDATE programme_places SET status = 'underway', breakthrough_issue = $1 \
             WHERE programme_id = $2 AND place_id = $3",
        )
        .bind(issue)
        .bind(programme_id.0)
        .bind(place_id.0)
        .execute(conn)
        .await?;
    });
    Ok(())
}

/// The breakthrough issue a place named in a programme, if it has one.
pub async fn breakthrough_issue(
    tx: &mut Tx,
    programme_id: ProgrammeId,
    place_id: PlaceId,
) -> Result<Option<String>> {
    let row: Option<(Option<String>,)> = on_tx!(tx, |conn| sqlx::query_as(
        "SELECT breakthrough_issue FROM programme_places WHERE programme_id = $1 AND place_id = $2"
    )
    .bind(programme_id.0)
    .bind(place_id.0)
    .fetch_optional(conn)
    .await?);
    Ok(row.and_then(|(issue,)| issue).filter(|i| !i.trim().is_empty()))
}
