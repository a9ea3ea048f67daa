//! Proposed changes to a place's board chair contact: a lead proposes, an admin decides.

use super::places::set_hwb_chair;
use crate::{Db, Result, Tx, on_db, on_tx};
use convene_domain::Timestamp;
use convene_domain::{PlaceId, UserId};

/// A lead's proposed change to a place's board chair contact, awaiting an admin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChairProposal {
    pub id: i64,
    pub place_id: i64,
    pub name: String,
    pub email: String,
    pub created_at: Timestamp,
}

/// Records a proposed change to the board chair's contact.
pub async fn propose_chair(
    tx: &mut Tx,
    place_id: PlaceId,
    user_id: UserId,
    name: &str,
    email: &str,
    now: Timestamp,
) -> Result<i64> {
    on_tx!(tx, |conn| {
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO chair_proposals (place_id, proposed_by, name, email, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(place_id.0)
        .bind(user_id.0)
        .bind(name)
        .bind(email)
        .bind(now.0)
        .fetch_one(conn)
        .await?;
        Ok(id)
    })
}

/// The undecided proposals for a place, oldest first.
pub async fn open_chair_proposals(db: &Db, place_id: PlaceId) -> Result<Vec<ChairProposal>> {
    let rows: Vec<(i64, i64, String, String, i64)> = on_db!(db, |pool| {
        sqlx::query_as(
            "SELECT id, place_id, name, email, created_at FROM chair_proposals \
             WHERE place_id = $1 AND decided_at IS NULL ORDER BY id",
        )
        .bind(place_id.0)
        .fetch_all(pool)
        .await?
    });
    Ok(rows
        .into_iter()
        .map(|(id, place_id, name, email, created_at)| ChairProposal {
            id,
            place_id,
            name,
            email,
            created_at: Timestamp(created_at),
        })
        .collect())
}

/// Decides a proposal of this place; on approval the place's chair contact changes.
/// Returns false when there is no such undecided proposal.
pub async fn decide_chair_proposal(
    tx: &mut Tx,
    place_id: PlaceId,
    proposal_id: i64,
    approve: bool,
    user_id: UserId,
    now: Timestamp,
) -> Result<bool> {
    let decided: Option<(String, String)> = on_tx!(tx, |conn| {
        sqlx::query_as(
            "UPDATE chair_proposals SET decided_at = $3, decided_by = $4, approved = $5 \
             WHERE id = $1 AND place_id = $2 AND decided_at IS NULL RETURNING name, email",
        )
        .bind(proposal_id)
        .bind(place_id.0)
        .bind(now.0)
        .bind(user_id.0)
        .bind(i64::from(approve))
        .fetch_optional(conn)
        .await?
    });
    match decided {
        None => Ok(false),
        Some((name, email)) => {
            if approve {
                set_hwb_chair(tx, place_id, &name, &email).await?;
            }
            Ok(true)
        }
    }
}
