//! The enabler pool (here): a person's profile in a programme's pool, places' and
//! enablers' rankings of each other, and the matching's runs. Engagements and contact
//! time are in `engagements`, queries of contact in `queries`, support offers in
//! `support`.

pub mod engagements;
pub mod queries;
pub mod support;

use crate::rows::named_row;
use crate::{Db, Result, StoreError, Tx, on_db, on_tx};
use convene_domain::{ProgrammeId, Timestamp, UserId};

/// Where an enabler stands in a pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PoolStatus {
    /// Asked to join; an admin has not vetted them yet.
    Pending,
    Approved,
    Withdrawn,
}

impl PoolStatus {
    pub fn key(self) -> &'static str {
        match self {
            PoolStatus::Pending => "pending",
            PoolStatus::Approved => "approved",
            PoolStatus::Withdrawn => "withdrawn",
        }
    }

    fn from_key(key: &str) -> Result<Self> {
        match key {
            "pending" => Ok(PoolStatus::Pending),
            "approved" => Ok(PoolStatus::Approved),
            "withdrawn" => Ok(PoolStatus::Withdrawn),
            other => Err(StoreError::Malformed(format!("pool status {other}"))),
        }
    }
}

/// What an enabler tells places about themselves. Lists are one item per line.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Profile {
    pub bio: String,
    pub expertise: Vec<String>,
    pub sectors: Vec<String>,
    pub regions: Vec<String>,
    /// How many places they can hold this year.
    pub capacity: i64,
    /// ISO dates, 'YYYY-MM-DD'.
    pub available_from: String,
    pub available_to: String,
}

/// An enabler in a programme's pool.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Enabler {
    pub id: i64,
    pub programme_id: ProgrammeId,
    pub user_id: UserId,
    pub name: String,
    pub email: String,
    pub status: PoolStatus,
    pub profile: Profile,
    pub version: i64,
    pub created_at: Timestamp,
}

named_row! {
    struct EnablerRow {
        id: i64,
        programme_id: i64,
        user_id: i64,
        name: String,
        email: String,
        status: String,
        bio: String,
        expertise: String,
        sectors: String,
        regions: String,
        capacity: i64,
        available_from: String,
        available_to: String,
        version: i64,
        created_at: i64,
    }
}

fn lines(text: &str) -> Vec<String> {
    text.lines()
        .map(str::to_string)
        .filter(|l| !l.is_empty())
        .collect()
}

impl TryFrom<EnablerRow> for Enabler {
    type Error = StoreError;
    fn try_from(r: EnablerRow) -> Result<Self> {
        Ok(Enabler {
            id: r.id,
            programme_id: ProgrammeId(r.programme_id),
            user_id: UserId(r.user_id),
            name: r.name,
            email: r.email,
            status: PoolStatus::from_key(&r.status)?,
            profile: Profile {
                bio: r.bio,
                expertise: lines(&r.expertise),
                sectors: lines(&r.sectors),
                regions: lines(&r.regions),
                capacity: r.capacity,
                available_from: r.available_from,
                available_to: r.available_to,
            },
            version: r.version,
            created_at: Timestamp(r.created_at),
        })
    }
}

const ENABLER_SELECT: &str = "SELECT e.id, e.programme_id, e.user_id, u.name, u.email, e.status, e.bio, e.expertise, \
     e.sectors, e.regions, e.capacity, e.available_from, e.available_to, e.version, e.created_at \
     FROM enablers e JOIN users u ON u.id = e.user_id";

async fn enablers_where(db: &Db, filter: &str, id: i64) -> Result<Vec<Enabler>> {
    let sql = format!("{ENABLER_SELECT} WHERE {filter} ORDER BY u.name, e.id");
    let rows: Vec<EnablerRow> = on_db!(db, |pool| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_all(pool)
        .await?);
    rows.into_iter().map(Enabler::try_from).collect()
}

/// One enabler.
pub async fn enabler(db: &Db, id: i64) -> Result<Enabler> {
    enablers_where(db, "e.id = $1", id)
        .await?
        .into_iter()
        .next()
        .ok_or(StoreError::NotFound)
}

/// A programme's pool, every status, by name.
pub async fn of_programme(db: &Db, programme_id: ProgrammeId) -> Result<Vec<Enabler>> {
    enablers_where(db, "e.programme_id = $1", programme_id.0).await
}

/// A person's places in pools, every programme.
pub async fn of_user(db: &Db, user_id: UserId) -> Result<Vec<Enabler>> {
    enablers_where(db, "e.user_id = $1", user_id.0).await
}

/// Asks to join a programme's pool with a profile (pending until approved); returns the
/// id, or None when the person is in that pool already (any status).
pub async fn ask_to_join(
    tx: &mut Tx,
    programme_id: ProgrammeId,
    user_id: UserId,
    profile: &Profile,
    now: Timestamp,
) -> Result<Option<i64>> {
    // An empty row at version 0; the profile is then saved as every later edit is.
    let row: Option<(i64,)> = on_tx!(tx, |conn| {
        sqlx::query_as(
        "INSERT INTO enablers (programme_id, user_id, status, bio, expertise, sectors, regions, capacity, \
         available_from, available_to, version, created_at) \
         VALUES ($1, $2, 'pending', '', '', '', '', 1, '', '', 0, $3) \
         ON CONFLICT (programme_id, user_id) DO NOTHING RETURNING id"
    )
    .bind(programme_id.0)
    .bind(user_id.0)
    .bind(now.0)
    .fetch_optional(conn)
    .await?
    });
    let Some((id,)) = row else {
        return Ok(None);
    };
    save_profile(tx, id, profile, 0).await?;
    Ok(Some(id))
}

/// Saves a profile over the version the person saw: false when it changed since.
pub async fn save_profile(tx: &mut Tx, id: i64, profile: &Profile, expected_version: i64) -> Result<bool> {
    let n = on_tx!(tx, |conn| sqlx::query(
        "UPDATE enablers SET bio = $1, expertise = $2, sectors = $3, regions = $4, capacity = $5, \
         available_from = $6, available_to = $7, version = version + 1 WHERE id = $8 AND version = $9"
    )
    .bind(&profile.bio)
    .bind(profile.expertise.join("\n"))
    .bind(profile.sectors.join("\n"))
    .bind(profile.regions.join("\n"))
    .bind(profile.capacity)
    .bind(&profile.available_from)
    .bind(&profile.available_to)
    .bind(id)
    .bind(expected_version)
    .execute(conn)
    .await?
    .rows_affected());
    Ok(n == 1)
}

/// Moves an enabler from one status to another, once: true when this call moved it.
pub async fn set_status(
    tx: &mut Tx,
    id: i64,
    (from, to): (PoolStatus, PoolStatus),
    by: UserId,
    now: Timestamp,
) -> Result<bool> {
    let n = on_tx!(tx, |conn| {
        sqlx::query(
        "UPDATE enablers SET status = $1, approved_by = $2, approved_at = $3 WHERE id = $4 AND status = $5"
    )
    .bind(to.key())
    .bind(by.0)
    .bind(now.0)
    .bind(id)
    .bind(from.key())
    .execute(conn)
    .await?
    .rows_affected()
    });
    Ok(n == 1)
}

/// Replaces a place's ranking (by its award) with `enablers`, best first.
pub async fn set_place_choices(tx: &mut Tx, award_id: i64, enablers: &[i64]) -> Result<()> {
    on_tx!(tx, |conn| {
        sqlx::query("DELETE FROM place_choices WHERE award_id = $1")
            .bind(award_id)
            .execute(&mut *conn)
            .await?;
        for (rank, enabler) in (1_i64..).zip(enablers) {
            sqlx::query("INSERT INTO place_choices (award_id, enabler_id, rank) VALUES ($1, $2, $3)")
                .bind(award_id)
                .bind(enabler)
                .bind(rank)
                .execute(&mut *conn)
                .await?;
        }
    });
    Ok(())
}

/// An enabler's view of one place that listed them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EnablerChoice {
    pub award_id: i64,
    /// Their rank of it (1 best), or None while unranked.
    pub rank: Option<i64>,
    pub cannot_take: bool,
}

/// Replaces an enabler's rankings and conflicts.
pub async fn set_enabler_choices(tx: &mut Tx, enabler_id: i64, choices: &[EnablerChoice]) -> Result<()> {
    on_tx!(tx, |conn| {
        sqlx::query("DELETE FROM enabler_choices WHERE enabler_id = $1")
            .bind(enabler_id)
            .execute(&mut *conn)
            .await?;
        for c in choices {
            sqlx::query(
                "INSERT INTO enabler_choices (enabler_id, award_id, rank, cannot_take) VALUES ($1, $2, $3, $4)",
            )
            .bind(enabler_id)
            .bind(c.award_id)
            .bind(c.rank)
            .bind(i64::from(c.cannot_take))
            .execute(&mut *conn)
            .await?;
        }
    });
    Ok(())
}

/// Every ranking in a programme: places' (award, enabler, rank) and enablers' choices
/// (enabler, choice), in rank order, for building the matching's instance.
pub async fn rankings(
    db: &Db,
    programme_id: ProgrammeId,
) -> Result<(Vec<(i64, i64, i64)>, Vec<(i64, EnablerChoice)>)> {
    let places: Vec<(i64, i64, i64)> = on_db!(db, |pool| sqlx::query_as(
        "SELECT c.award_id, c.enabler_id, c.rank FROM place_choices c JOIN awards a ON a.id = c.award_id \
         WHERE a.programme_id = $1 ORDER BY c.award_id, c.rank"
    )
    .bind(programme_id.0)
    .fetch_all(pool)
    .await?);
    let rows: Vec<(i64, i64, Option<i64>, i64)> = on_db!(db, |pool| {
        sqlx::query_as(
        "SELECT c.enabler_id, c.award_id, c.rank, c.cannot_take FROM enabler_choices c \
         JOIN enablers e ON e.id = c.enabler_id WHERE e.programme_id = $1 ORDER BY c.enabler_id, c.rank IS NULL, c.rank, c.award_id"
    )
    .bind(programme_id.0)
    .fetch_all(pool)
    .await?
    });
    let enablers = rows
        .into_iter()
        .map(|(enabler, award_id, rank, cannot)| {
            let choice = EnablerChoice {
                award_id,
                rank,
                cannot_take: cannot == 1,
            };
            (enabler, choice)
        })
        .collect();
    Ok((places, enablers))
}

/// A run of the matching: its result as JSON (pairs, hand changes, reasons), and whether
/// an admin has confirmed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MatchingRun {
    pub id: i64,
    pub programme_id: ProgrammeId,
    pub run_at: Timestamp,
    pub result: String,
    pub version: i64,
    pub confirmed_at: Option<Timestamp>,
}

named_row! {
    struct RunRow {
        id: i64,
        programme_id: i64,
        run_at: i64,
        result: String,
        version: i64,
        confirmed_at: Option<i64>,
    }
}

/// Records a run; returns its id.
pub async fn insert_run(
    tx: &mut Tx,
    programme_id: ProgrammeId,
    result: &str,
    by: UserId,
    now: Timestamp,
) -> Result<i64> {
    let (id,): (i64,) = on_tx!(tx, |conn| {
        sqlx::query_as(
        "INSERT INTO matching_runs (programme_id, run_by, run_at, result, version) VALUES ($1, $2, $3, $4, 1) RETURNING id"
    )
    .bind(programme_id.0)
    .bind(by.0)
    .bind(now.0)
    .bind(result)
    .fetch_one(conn)
    .await?
    });
    Ok(id)
}

/// A programme's latest run.
pub async fn latest_run(db: &Db, programme_id: ProgrammeId) -> Result<Option<MatchingRun>> {
    let row: Option<RunRow> = on_db!(db, |pool| sqlx::query_as(
        "SELECT id, programme_id, run_at, result, version, confirmed_at FROM matching_runs \
         WHERE programme_id = $1 ORDER BY run_at DESC, id DESC LIMIT 1"
    )
    .bind(programme_id.0)
    .fetch_optional(pool)
    .await?);
    Ok(row.map(|r| MatchingRun {
        id: r.id,
        programme_id: ProgrammeId(r.programme_id),
        run_at: Timestamp(r.run_at),
        result: r.result,
        version: r.version,
        confirmed_at: r.confirmed_at.map(Timestamp),
    }))
}

/// Saves a changed result (a pair changed by hand) over the version the admin saw, while
/// unconfirmed: false when it changed since or is confirmed.
pub async fn change_run(tx: &mut Tx, id: i64, result: &str, expected_version: i64) -> Result<bool> {
    let n = on_tx!(tx, |conn| sqlx::query(
        "UPDATE matching_runs SET result = $1, version = version + 1 \
         WHERE id = $2 AND version = $3 AND confirmed_at IS NULL"
    )
    .bind(result)
    .bind(id)
    .bind(expected_version)
    .execute(conn)
    .await?
    .rows_affected());
    Ok(n == 1)
}

/// Confirms a run at the version the admin saw, once: true when this call confirmed it.
pub async fn confirm_run(
    tx: &mut Tx,
    id: i64,
    expected_version: i64,
    by: UserId,
    now: Timestamp,
) -> Result<bool> {
    let n = on_tx!(tx, |conn| sqlx::query(
        "UPDATE matching_runs SET confirmed_by = $1, confirmed_at = $2 \
         WHERE id = $3 AND version = $4 AND confirmed_at IS NULL"
    )
    .bind(by.0)
    .bind(now.0)
    .bind(id)
    .bind(expected_version)
    .execute(conn)
    .await?
    .rows_affected());
    Ok(n == 1)
}
