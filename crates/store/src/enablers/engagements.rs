//! Engagements (a confirmed place–enabler pair with its allocation), the contact logged
//! against them, and places' queries of that contact. Days in England are ISO text
//! ('YYYY-MM-DD'), read back as `jiff::civil::Date`.

use crate::rows::named_row;
use crate::{Db, Result, StoreError, Tx, on_db, on_tx};
use convene_domain::{PlaceId, ProgrammeId, Timestamp, UserId};
use jiff::civil::Date;

fn date(text: &str) -> Result<Date> {
    text.parse()
        .map_err(|e| StoreError::Malformed(format!("date {text}: {e}")))
}

/// An engagement as stored, with the contact logged against it so far.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Engagement {
    pub id: i64,
    pub programme_id: ProgrammeId,
    pub award_id: i64,
    pub enabler_id: i64,
    pub starts_on: Date,
    /// The planned last day: the 31 March after the start.
    pub ends_on: Date,
    /// The last day when it ended early.
    pub ended_on: Option<Date>,
    pub allocation_minutes: i64,
    pub day_minutes: i64,
    pub follows_id: Option<i64>,
    pub used_minutes: i64,
    pub place_id: PlaceId,
    pub place_name: String,
    pub enabler_user_id: UserId,
    pub enabler_name: String,
}

impl Engagement {
    /// Its last day: when it ended early, else as planned.
    pub fn last_day(&self) -> Date {
        self.ended_on.unwrap_or(self.ends_on)
    }
}

named_row! {
    struct EngagementRow {
        id: i64,
        programme_id: i64,
        award_id: i64,
        enabler_id: i64,
        starts_on: String,
        ends_on: String,
        ended_on: Option<String>,
        allocation_minutes: i64,
        day_minutes: i64,
        follows_id: Option<i64>,
        used_minutes: i64,
        place_id: i64,
        place_name: String,
        enabler_user_id: i64,
        enabler_name: String,
    }
}

impl TryFrom<EngagementRow> for Engagement {
    type Error = StoreError;
    fn try_from(r: EngagementRow) -> Result<Self> {
        Ok(Engagement {
            id: r.id,
            programme_id: ProgrammeId(r.programme_id),
            award_id: r.award_id,
            enabler_id: r.enabler_id,
            starts_on: date(&r.starts_on)?,
            ends_on: date(&r.ends_on)?,
            ended_on: r.ended_on.as_deref().map(date).transpose()?,
            allocation_minutes: r.allocation_minutes,
            day_minutes: r.day_minutes,
            follows_id: r.follows_id,
            used_minutes: r.used_minutes,
            place_id: PlaceId(r.place_id),
            place_name: r.place_name,
            enabler_user_id: UserId(r.enabler_user_id),
            enabler_name: r.enabler_name,
        })
    }
}

const ENGAGEMENT_SELECT: &str = "SELECT e.id, e.programme_id, e.award_id, e.enabler_id, e.starts_on, e.ends_on, \
     e.ended_on, e.allocation_minutes, e.day_minutes, e.follows_id, \
     CAST(COALESCE((SELECT SUM(c.minutes) FROM contact_entries c WHERE c.engagement_id = e.id), 0) AS BIGINT) AS used_minutes, \
     a.place_id, p.name AS place_name, n.user_id AS enabler_user_id, u.name AS enabler_name \
     FROM engagements e JOIN awards a ON a.id = e.award_id JOIN places p ON p.id = a.place_id \
     JOIN enablers n ON n.id = e.enabler_id JOIN users u ON u.id = n.user_id";

async fn engagements_where(db: &Db, filter: &str, id: i64) -> Result<Vec<Engagement>> {
    let sql = format!("{ENGAGEMENT_SELECT} WHERE {filter} ORDER BY e.starts_on, e.id");
    let rows: Vec<EngagementRow> = on_db!(db, |pool| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_all(pool)
        .await?);
    rows.into_iter().map(Engagement::try_from).collect()
}

/// One engagement.
pub async fn engagement(db: &Db, id: i64) -> Result<Engagement> {
    engagements_where(db, "e.id = $1", id)
        .await?
        .into_iter()
        .next()
        .ok_or(StoreError::NotFound)
}

/// A programme's engagements, earliest first.
pub async fn of_programme(db: &Db, programme_id: ProgrammeId) -> Result<Vec<Engagement>> {
    engagements_where(db, "e.programme_id = $1", programme_id.0).await
}

/// A place's engagements (by its award), earliest first.
pub async fn of_award(db: &Db, award_id: i64) -> Result<Vec<Engagement>> {
    engagements_where(db, "e.award_id = $1", award_id).await
}

/// The engagements someone takes part in: as the enabler, as a lead of the place, or as
/// an admin of the programme (by their grants), earliest first.
pub async fn of_person(db: &Db, user_id: UserId) -> Result<Vec<Engagement>> {
    engagements_where(
        db,
        "n.user_id = $1 \
         OR a.place_id IN (SELECT g.scope_id FROM grants g WHERE g.user_id = $1 AND g.role = 'place_lead') \
         OR e.programme_id IN (SELECT g.scope_id FROM grants g WHERE g.user_id = $1 AND g.role = 'programme_admin')",
        user_id.0,
    )
    .await
}

/// An enabler's engagements (their caseload), earliest first.
pub async fn of_enabler(db: &Db, enabler_id: i64) -> Result<Vec<Engagement>> {
    engagements_where(db, "e.enabler_id = $1", enabler_id).await
}

/// Locks an engagement for the rest of the change (first, on SQLite: see
/// [`Tx::lock_row`](crate::Tx)) and reads it as it then stands, with the last day contact
/// is logged on.
pub async fn lock(tx: &mut Tx, id: i64) -> Result<(Engagement, Option<Date>)> {
    tx.lock_row("engagements", id).await?;
    let sql = format!("{ENGAGEMENT_SELECT} WHERE e.id = $1");
    let row: Option<EngagementRow> = on_tx!(tx, |conn| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?);
    let engagement = Engagement::try_from(row.ok_or(StoreError::NotFound)?)?;
    let (last,): (Option<String>,) = on_tx!(tx, |conn| sqlx::query_as(
        "SELECT MAX(on_date) FROM contact_entries WHERE engagement_id = $1"
    )
    .bind(id)
    .fetch_one(&mut *conn)
    .await?);
    Ok((engagement, last.as_deref().map(date).transpose()?))
}

/// Whether the award has an engagement that has not ended early. Takes the award's lock
/// first, so two changes starting one are told in turn.
pub async fn live_for_award(tx: &mut Tx, award_id: i64) -> Result<bool> {
    tx.lock_row("awards", award_id).await?;
    let (n,): (i64,) = on_tx!(tx, |conn| sqlx::query_as(
        "SELECT COUNT(*) FROM engagements WHERE award_id = $1 AND ended_on IS NULL"
    )
    .bind(award_id)
    .fetch_one(conn)
    .await?);
    Ok(n > 0)
}

/// An engagement to start.
#[derive(Debug, Clone)]
pub struct NewEngagement {
    pub programme_id: ProgrammeId,
    pub award_id: i64,
    pub enabler_id: i64,
    pub starts_on: Date,
    pub ends_on: Date,
    pub allocation_minutes: i64,
    pub day_minutes: i64,
    pub follows_id: Option<i64>,
}

/// Starts an engagement; returns its id.
pub async fn create(tx: &mut Tx, new: &NewEngagement, by: Option<UserId>, now: Timestamp) -> Result<i64> {
    let (id,): (i64,) = on_tx!(tx, |conn| {
        sqlx::query_as(
        "INSERT INTO engagements (programme_id, award_id, enabler_id, starts_on, ends_on, allocation_minutes, \
         day_minutes, follows_id, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id"
    )
    .bind(new.programme_id.0)
    .bind(new.award_id)
    .bind(new.enabler_id)
    .bind(new.starts_on.to_string())
    .bind(new.ends_on.to_string())
    .bind(new.allocation_minutes)
    .bind(new.day_minutes)
    .bind(new.follows_id)
    .bind(by.map(|u| u.0))
    .bind(now.0)
    .fetch_one(conn)
    .await?
    });
    Ok(id)
}

/// Ends an engagement early on `last_day`, keeping `allocation_minutes` of its allocation
/// (what it used: the rest goes to a successor), once: true when this call ended it.
pub async fn end_early(tx: &mut Tx, id: i64, last_day: Date, allocation_minutes: i64) -> Result<bool> {
    let n = on_tx!(tx, |conn| sqlx::query(
        "UPDATE engagements SET ended_on = $1, allocation_minutes = $2 WHERE id = $3 AND ended_on IS NULL"
    )
    .bind(last_day.to_string())
    .bind(allocation_minutes)
    .bind(id)
    .execute(conn)
    .await?
    .rows_affected());
    Ok(n == 1)
}

/// Contact logged against an engagement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactEntry {
    pub id: i64,
    pub engagement_id: i64,
    pub on_date: Date,
    pub minutes: i64,
    /// 'workshop', 'coaching', 'meeting' or 'other'.
    pub kind: String,
    pub notes: String,
    pub logged_at: Timestamp,
    pub version: i64,
}

named_row! {
    struct EntryRow {
        id: i64,
        engagement_id: i64,
        on_date: String,
        minutes: i64,
        kind: String,
        notes: String,
        logged_at: i64,
        version: i64,
    }
}

impl TryFrom<EntryRow> for ContactEntry {
    type Error = StoreError;
    fn try_from(r: EntryRow) -> Result<Self> {
        Ok(ContactEntry {
            id: r.id,
            engagement_id: r.engagement_id,
            on_date: date(&r.on_date)?,
            minutes: r.minutes,
            kind: r.kind,
            notes: r.notes,
            logged_at: Timestamp(r.logged_at),
            version: r.version,
        })
    }
}

/// A contact entry to log.
#[derive(Debug, Clone)]
pub struct NewContact<'a> {
    pub engagement_id: i64,
    pub on_date: Date,
    pub minutes: i64,
    pub kind: &'a str,
    pub notes: &'a str,
}

/// Logs contact; returns the entry's id.
pub async fn log_contact(tx: &mut Tx, new: &NewContact<'_>, by: UserId, now: Timestamp) -> Result<i64> {
    let (id,): (i64,) = on_tx!(tx, |conn| {
        sqlx::query_as(
        "INSERT INTO contact_entries (engagement_id, on_date, minutes, kind, notes, logged_by, logged_at, version) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, 1) RETURNING id"
    )
    .bind(new.engagement_id)
    .bind(new.on_date.to_string())
    .bind(new.minutes)
    .bind(new.kind)
    .bind(new.notes)
    .bind(by.0)
    .bind(now.0)
    .fetch_one(conn)
    .await?
    });
    Ok(id)
}

/// Minutes already logged against an engagement on one day (a day holds 24 hours at most).
pub async fn minutes_on(tx: &mut Tx, engagement_id: i64, day: Date) -> Result<i64> {
    let (minutes,): (i64,) = on_tx!(tx, |conn| {
        sqlx::query_as(
        "SELECT CAST(COALESCE(SUM(minutes), 0) AS BIGINT) FROM contact_entries WHERE engagement_id = $1 AND on_date = $2"
    )
    .bind(engagement_id)
    .bind(day.to_string())
    .fetch_one(conn)
    .await?
    });
    Ok(minutes)
}

/// An engagement's contact, in date order.
pub async fn contact(db: &Db, engagement_id: i64) -> Result<Vec<ContactEntry>> {
    let rows: Vec<EntryRow> = on_db!(db, |pool| {
        sqlx::query_as(
        "SELECT id, engagement_id, on_date, minutes, kind, notes, logged_at, version FROM contact_entries \
         WHERE engagement_id = $1 ORDER BY on_date, id"
    )
    .bind(engagement_id)
    .fetch_all(pool)
    .await?
    });
    rows.into_iter().map(ContactEntry::try_from).collect()
}

/// One contact entry.
pub async fn entry(db: &Db, id: i64) -> Result<ContactEntry> {
    let row: Option<EntryRow> = on_db!(db, |pool| {
        sqlx::query_as(
        "SELECT id, engagement_id, on_date, minutes, kind, notes, logged_at, version FROM contact_entries WHERE id = $1"
    )
    .bind(id)
    .fetch_optional(pool)
    .await?
    });
    row.ok_or(StoreError::NotFound)?.try_into()
}
