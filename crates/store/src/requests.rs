//! Asking for a role and being given one: a person's request to act for a place, decided
//! by an admin with a reason, and an admin's emailed invitation with a role. Later roles
//! (joining an enabler pool) use the same request records.

use crate::tokens::LinkState;
use crate::{Db, Result, StoreError, Tx, on_db, on_tx};
use convene_domain::Timestamp;
use convene_domain::accounts::Role;
use convene_domain::{PlaceId, ProgrammeId, UserId};

/// Where a request stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestStatus {
    Pending,
    Approved,
    Declined,
}

impl RequestStatus {
    pub fn key(self) -> &'static str {
        match self {
            RequestStatus::Pending => "pending",
            RequestStatus::Approved => "approved",
            RequestStatus::Declined => "declined",
        }
    }

    fn from_key(key: &str) -> Result<RequestStatus> {
        match key {
            "pending" => Ok(RequestStatus::Pending),
            "approved" => Ok(RequestStatus::Approved),
            "declined" => Ok(RequestStatus::Declined),
            other => Err(StoreError::Malformed(format!("request status {other}"))),
        }
    }
}

/// A request to hold a role, with who asked: a role over a place (`scope_id` is the
/// place), or a place in a programme's enabler pool (`scope_id` is the pool record, kept
/// pending until the request is decided).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleRequest {
    pub id: i64,
    pub user_id: i64,
    pub user_name: String,
    pub user_email: String,
    pub user_organisation: String,
    pub user_job_role: String,
    pub role: Role,
    pub scope_id: i64,
    /// The place's name, or for the pool the programme's.
    pub scope_name: String,
    pub programme_id: i64,
    pub reason: String,
    pub status: RequestStatus,
    pub created_at: Timestamp,
    pub decided_at: Option<Timestamp>,
    pub decision_reason: String,
}

impl RoleRequest {
    /// The place asked for, unless this is a request to join an enabler pool.
    pub fn place(&self) -> Option<PlaceId> {
        (self.role != Role::Enabler).then_some(PlaceId(self.scope_id))
    }

    /// What is asked, after "to": "act for Westermoor", or "join the enabler pool of
    /// Local Vision".
    pub fn what(&self) -> String {
        if self.role == Role::Enabler {
            format!("join {}", self.asks_for())
        } else {
            format!("act for {}", self.scope_name)
        }
    }

    /// What is asked for, as a sentence ends: "Westermoor", or "the enabler pool of Local
    /// Vision".
    pub fn asks_for(&self) -> String {
        if self.role == Role::Enabler {
            format!("the enabler pool of {}", self.scope_name)
        } else {
            self.scope_name.clone()
        }
    }
}

type RequestRow = (
    i64,
    i64,
    String,
    String,
    String,
    String,
    String,
    i64,
    String,
    i64,
    String,
    String,
    i64,
    Option<i64>,
    String,
);

const REQUEST_SELECT: &str = "SELECT r.id, r.user_id, u.name, u.email, u.organisation, u.job_role, r.role, r.scope_id, \
     CASE WHEN r.role = 'enabler' THEN g.name ELSE p.name END, r.programme_id, r.reason, r.status, r.created_at, \
     r.decided_at, r.decision_reason \
     FROM role_requests r JOIN users u ON u.id = r.user_id JOIN programmes g ON g.id = r.programme_id \
     LEFT JOIN places p ON p.id = r.scope_id AND r.role <> 'enabler'";

fn to_request(row: RequestRow) -> Result<RoleRequest> {
    let (
        id,
        user_id,
        user_name,
        user_email,
        user_organisation,
        user_job_role,
        role,
        scope_id,
        scope_name,
        programme_id,
        reason,
        status,
        created_at,
        decided_at,
        decision_reason,
    ) = row;
    Ok(RoleRequest {
        id,
        user_id,
        user_name,
        user_email,
        user_organisation,
        user_job_role,
        role: Role::from_key(&role).ok_or_else(|| StoreError::Malformed(format!("role {role}")))?,
        scope_id,
        scope_name,
        programme_id,
        reason,
        status: RequestStatus::from_key(&status)?,
        created_at: Timestamp(created_at),
        decided_at: decided_at.map(Timestamp),
        decision_reason,
    })
}

async fn select(db: &Db, filter: &str, id: i64) -> Result<Vec<RoleRequest>> {
    let sql = format!("{REQUEST_SELECT} {filter}");
    let rows: Vec<RequestRow> = on_db!(db, |pool| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_all(pool)
        .await?);
    rows.into_iter().map(to_request).collect()
}

/// Records a request to hold `role` over a place, through one programme.
pub async fn create(
    tx: &mut Tx,
    user_id: UserId,
    role: Role,
    place_id: PlaceId,
    programme_id: ProgrammeId,
    reason: &str,
    now: Timestamp,
) -> Result<i64> {
    insert(tx, (user_id, role, place_id.0), programme_id, reason, now).await
}

/// Records a request to join a programme's enabler pool, for its pending pool record.
pub async fn create_to_join_pool(
    tx: &mut Tx,
    user_id: UserId,
    enabler_id: i64,
    programme_id: ProgrammeId,
    now: Timestamp,
) -> Result<i64> {
    insert(tx, (user_id, Role::Enabler, enabler_id), programme_id, "", now).await
}

async fn insert(
    tx: &mut Tx,
    (user_id, role, scope_id): (UserId, Role, i64),
    programme_id: ProgrammeId,
    reason: &str,
    now: Timestamp,
) -> Result<i64> {
    on_tx!(tx, |conn| {
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO role_requests (user_id, role, scope_id, programme_id, reason, status, created_at) \
             VALUES ($1, $2, $3, $4, $5, 'pending', $6) RETURNING id",
        )
        .bind(user_id.0)
        .bind(role.key())
        .bind(scope_id)
        .bind(programme_id.0)
        .bind(reason)
        .bind(now.0)
        .fetch_one(conn)
        .await?;
        Ok(id)
    })
}

/// One request.
pub async fn by_id(db: &Db, id: i64) -> Result<Option<RoleRequest>> {
    Ok(select(db, "WHERE r.id = $1", id).await?.pop())
}

/// A programme's requests: waiting ones first (oldest first), then decided ones, newest first.
pub async fn for_programme(db: &Db, programme_id: ProgrammeId) -> Result<Vec<RoleRequest>> {
    select(
        db,
        "WHERE r.programme_id = $1 ORDER BY CASE WHEN r.status = 'pending' THEN 0 ELSE 1 END, \
         CASE WHEN r.status = 'pending' THEN r.created_at ELSE -r.created_at END, r.id",
        programme_id.0,
    )
    .await
}

/// A person's own requests, newest first.
pub async fn of_user(db: &Db, user_id: UserId) -> Result<Vec<RoleRequest>> {
    select(
        db,
        "WHERE r.user_id = $1 ORDER BY r.created_at DESC, r.id DESC",
        user_id.0,
    )
    .await
}

/// Decides a waiting request; false when it was already decided (by someone else, or a
/// second click).
pub async fn decide(
    tx: &mut Tx,
    id: i64,
    decided_by: i64,
    approve: bool,
    reason: &str,
    now: Timestamp,
) -> Result<bool> {
    let status = if approve {
        RequestStatus::Approved
    } else {
        RequestStatus::Declined
    };
    on_tx!(tx, |conn| {
        let done = sqlx::query(
            "UPDATE role_requests SET status = $1, decided_by = $2, decided_at = $3, decision_reason = $4 \
             WHERE id = $5 AND status = 'pending'",
        )
        .bind(status.key())
        .bind(decided_by)
        .bind(now.0)
        .bind(reason)
        .bind(id)
        .execute(conn)
        .await?;
        Ok(done.rows_affected() == 1)
    })
}

/// An admin's invitation to hold a role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invitation {
    pub id: i64,
    pub email: String,
    pub role: Role,
    pub scope_id: Option<i64>,
    pub programme_id: i64,
    /// The admin who sent it, who may never accept it themselves.
    pub invited_by: Option<i64>,
}

/// Stores an invitation link's digest.
#[allow(clippy::too_many_arguments)]
pub async fn create_invitation(
    tx: &mut Tx,
    email: &str,
    role: Role,
    scope_id: Option<i64>,
    programme_id: ProgrammeId,
    digest: &str,
    invited_by: i64,
    now: Timestamp,
    expires_at: Timestamp,
) -> Result<i64> {
    on_tx!(tx, |conn| {
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO invitations (email, role, scope_id, programme_id, token_digest, invited_by, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(email)
        .bind(role.key())
        .bind(scope_id)
        .bind(programme_id.0)
        .bind(digest)
        .bind(invited_by)
        .bind(now.0)
        .bind(expires_at.0)
        .fetch_one(conn)
        .await?;
        Ok(id)
    })
}

type InvitationRow = (i64, String, String, Option<i64>, i64, Option<i64>);

fn to_invitation((id, email, role, scope_id, programme_id, invited_by): InvitationRow) -> Result<Invitation> {
    Ok(Invitation {
        id,
        email,
        role: Role::from_key(&role).ok_or_else(|| StoreError::Malformed(format!("role {role}")))?,
        scope_id,
        programme_id,
        invited_by,
    })
}

/// A live invitation, or why it is not.
pub async fn invitation(
    db: &Db,
    digest: &str,
    now: Timestamp,
) -> Result<std::result::Result<Invitation, LinkState>> {
    // The invitation's columns, then when it expires and when it was accepted.
    type Row = (
        i64,
        String,
        String,
        Option<i64>,
        i64,
        Option<i64>,
        i64,
        Option<i64>,
    );
    let row: Option<Row> = on_db!(db, |pool| {
        sqlx::query_as(
            "SELECT id, email, role, scope_id, programme_id, invited_by, expires_at, accepted_at FROM invitations WHERE token_digest = $1",
        )
        .bind(digest)
        .fetch_optional(pool)
        .await?
    });
    Ok(match row {
        None => Err(LinkState::Unknown),
        Some((.., Some(_))) => Err(LinkState::Used),
        Some((_, _, _, _, _, _, expires, None)) if expires <= now.0 => Err(LinkState::Expired),
        Some((id, email, role, scope_id, programme_id, invited_by, _, None)) => Ok(to_invitation((
            id,
            email,
            role,
            scope_id,
            programme_id,
            invited_by,
        ))?),
    })
}

/// Spends an invitation for the account accepting it; `Some` only for the one request that
/// spent it.
pub async fn accept_invitation(
    tx: &mut Tx,
    digest: &str,
    user_id: UserId,
    now: Timestamp,
) -> Result<Option<Invitation>> {
    let row: Option<InvitationRow> = on_tx!(tx, |conn| {
        sqlx::query_as(
            "UPDATE invitations SET accepted_at = $1, accepted_by = $2 WHERE token_digest = $3 \
             AND accepted_at IS NULL AND expires_at > $1 RETURNING id, email, role, scope_id, programme_id, invited_by",
        )
        .bind(now.0)
        .bind(user_id.0)
        .bind(digest)
        .fetch_optional(conn)
        .await?
    });
    row.map(to_invitation).transpose()
}

/// How many requests wait for a decision in each programme, by programme id.
pub async fn pending_counts(db: &Db) -> Result<Vec<(i64, i64)>> {
    let rows: Vec<(i64, i64)> = on_db!(db, |pool| {
        sqlx::query_as(
            "SELECT programme_id, COUNT(*) FROM role_requests WHERE status = 'pending' GROUP BY programme_id",
        )
        .fetch_all(pool)
        .await?
    });
    Ok(rows)
}
