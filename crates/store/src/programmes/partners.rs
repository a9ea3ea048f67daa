//! A programme's partner bodies and what each puts into its fund.

use crate::{Db, Result, Tx, on_db, on_tx};
use convene_domain::Pence;
use convene_domain::ProgrammeId;

/// A partner body's contribution to a programme's fund.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Partner {
    pub organisation_name: String,
    pub org_id: String,
    pub contribution: Pence,
}

/// A programme's partner bodies and what each put in.
pub async fn partners(db: &Db, programme_id: ProgrammeId) -> Result<Vec<Partner>> {
    let rows: Vec<(String, String, i64)> = on_db!(db, |pool| {
        sqlx::query_as(
            "SELECT o.name, o.org_id, pp.contribution_pence FROM programme_partners pp \
             JOIN organisations o ON o.id = pp.organisation_id WHERE pp.programme_id = $1 ORDER BY o.name",
        )
        .bind(programme_id.0)
        .fetch_all(pool)
        .await?
    });
    Ok(rows
        .into_iter()
        .map(|(organisation_name, org_id, c)| Partner {
            organisation_name,
            org_id,
            contribution: Pence(c),
        })
        .collect())
}

/// Records (or changes) a partner body's contribution to a programme's fund.
pub async fn set_contribution(
    tx: &mut Tx,
    programme_id: ProgrammeId,
    organisation_id: i64,
    amount: Pence,
) -> Result<()> {
    on_tx!(tx, |conn| {
        sqlx::query(
            "INSERT INTO programme_partners (programme_id, organisation_id, contribution_pence) VALUES ($1, $2, $3) \
             ON CONFLICT (programme_id, organisation_id) DO UPDATE SET contribution_pence = excluded.contribution_pence",
        )
        .bind(programme_id.0)
        .bind(organisation_id)
        .bind(amount.0)
        .execute(conn)
        .await?;
        Ok(())
    })
}
