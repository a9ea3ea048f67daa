//! What the ranking pages and the matching page read: a funded place's ranking of the
//! pool, an enabler's ranking of the places that chose them, and the programme's matching
//! with the names behind its ids. The writes are in `matching`.

use super::{PanelError, Result};
use crate::App;
use convene_domain::awards::AwardStatus;
use convene_domain::policy::{Action, Principal, Resource, allows};
use convene_domain::programmes::Programme;
use convene_store::enablers::{self as pool, Enabler, MatchingRun, PoolStatus, Profile};
use std::collections::HashMap;

/// An enabler as places see them: no address, only what they tell places.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PoolMember {
    pub id: i64,
    pub name: String,
    pub profile: Profile,
    /// How many more places they can take: their capacity less their live engagements
    /// (filled in where it is shown).
    pub room: i64,
}

impl From<&Enabler> for PoolMember {
    fn from(e: &Enabler) -> Self {
        PoolMember {
            id: e.id,
            name: e.name.clone(),
            profile: e.profile.clone(),
            room: e.profile.capacity,
        }
    }
}

/// A funded place's ranking of the programme's approved pool.
#[derive(Debug, Clone)]
pub struct PlaceRanking {
    pub award_id: i64,
    pub place_name: String,
    pub pool: Vec<PoolMember>,
    /// The enablers it would accept, best first.
    pub chosen: Vec<i64>,
    /// True for the place's leads (admins only read it).
    pub can_edit: bool,
}

/// The ranking of a funded place (by its award), for its leads and the programme's admins.
pub async fn place_ranking(app: &App, who: &Principal, award_id: i64) -> Result<PlaceRanking> {
    let award = super::place_part(app, who, award_id, Action::View).await?;
    let live = convene_store::enablers::engagements::of_programme(&app.db, award.programme_id).await?;
    let pool: Vec<PoolMember> = pool::of_programme(&app.db, award.programme_id)
        .await?
        .iter()
        .filter(|e| e.status == PoolStatus::Approved)
        .map(|e| {
            let holds = live
                .iter()
                .filter(|x| x.enabler_id == e.id && x.ended_on.is_none())
                .count() as i64;
            PoolMember {
                room: (e.profile.capacity - holds).max(0),
                ..PoolMember::from(e)
            }
        })
        .collect();
    let (places, _) = pool::rankings(&app.db, award.programme_id).await?;
    let chosen = places
        .iter()
        .filter(|(a, _, _)| *a == award_id)
        .map(|(_, e, _)| *e)
        .collect();
    let can_edit = allows(
        who,
        Action::Edit,
        Resource::PlaceSupport {
            programme_id: award.programme_id,
            place_id: award.place_id,
        },
    );
    Ok(PlaceRanking {
        award_id,
        place_name: award.place_name,
        pool,
        chosen,
        can_edit,
    })
}

/// A place that chose an enabler, as the enabler ranks it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChoiceLine {
    pub award_id: i64,
    pub place_name: String,
    /// Where the place put this enabler (1 best).
    pub their_rank: i64,
    /// The enabler's rank of it, if ranked.
    pub rank: Option<i64>,
    pub cannot_take: bool,
}

/// An enabler's ranking of the places that chose them.
#[derive(Debug, Clone)]
pub struct EnablerRanking {
    pub enabler: PoolMember,
    pub status: PoolStatus,
    /// Ranked places first in rank order, then unranked, then those they cannot take.
    pub places: Vec<ChoiceLine>,
    /// True for the enabler themselves (admins only read it).
    pub can_edit: bool,
}

/// An enabler's ranking, for the enabler and the programme's admins.
pub async fn enabler_ranking(app: &App, who: &Principal, enabler_id: i64) -> Result<EnablerRanking> {
    let enabler = pool::enabler(&app.db, enabler_id).await?;
    let own = Resource::EnablerOwn {
        programme_id: enabler.programme_id,
        owner: enabler.user_id,
    };
    if !allows(who, Action::View, own) {
        return Err(PanelError::NotFound);
    }
    let names = accepted_places(app, enabler.programme_id).await?;
    let (places, mine) = pool::rankings(&app.db, enabler.programme_id).await?;
    let mut lines: Vec<ChoiceLine> = places
        .iter()
        .filter(|(_, e, _)| *e == enabler_id)
        .map(|(award_id, _, their_rank)| {
            let choice = mine
                .iter()
                .find(|(e, c)| *e == enabler_id && c.award_id == *award_id)
                .map(|(_, c)| *c);
            ChoiceLine {
                award_id: *award_id,
                place_name: names.get(award_id).cloned().unwrap_or_default(),
                their_rank: *their_rank,
                rank: choice.and_then(|c| c.rank),
                cannot_take: choice.is_some_and(|c| c.cannot_take),
            }
        })
        .collect();
    lines.sort_by_key(|l| (l.cannot_take, l.rank.is_none(), l.rank, l.place_name.clone()));
    Ok(EnablerRanking {
        enabler: PoolMember::from(&enabler),
        status: enabler.status,
        places: lines,
        can_edit: allows(who, Action::Edit, own),
    })
}

/// The programme's accepted awards' place names, by award.
async fn accepted_places(app: &App, programme: convene_domain::ProgrammeId) -> Result<HashMap<i64, String>> {
    Ok(convene_store::awards::of_programme(&app.db, programme)
        .await?
        .into_iter()
        .filter(|a| a.status == AwardStatus::Accepted)
        .map(|a| (a.id, a.place_name))
        .collect())
}

/// The programme's matching as its admins see it.
#[derive(Debug, Clone)]
pub struct MatchingOverview {
    pub programme: Programme,
    pub latest: Option<(MatchingRun, super::matching::Proposal)>,
    /// The latest run's blocking pairs, (award, enabler), under today's rankings: each
    /// would rather have the other. Empty while the matching is stable.
    pub blocking: Vec<(i64, i64)>,
    /// Every funded place (by award) with no live engagement, with its name and how many
    /// enablers it ranked.
    pub places: Vec<(i64, String, usize)>,
    /// How many funded places have a live engagement already.
    pub engaged: usize,
    /// Every funded place's name, by award, for naming the pairs of a confirmed run.
    pub names: HashMap<i64, String>,
    /// The approved pool, with the room each enabler has left (their capacity less their
    /// live engagements).
    pub enablers: Vec<(i64, String, i64)>,
}

impl MatchingOverview {
    /// A place's name by its award.
    pub fn place_name(&self, award_id: i64) -> &str {
        self.names
            .get(&award_id)
            .map_or("A place no longer funded", String::as_str)
    }

    /// An enabler's name by their id in the pool.
    pub fn enabler_name(&self, enabler_id: i64) -> &str {
        self.enablers
            .iter()
            .find(|(e, _, _)| *e == enabler_id)
            .map_or("An enabler no longer in the pool", |(_, n, _)| n)
    }
}

/// The programme with this slug's matching, for its admins (others: not found).
pub async fn overview(app: &App, who: &Principal, slug: &str) -> Result<MatchingOverview> {
    let programme = convene_store::programmes::by_slug(&app.db, slug)
        .await?
        .ok_or(PanelError::NotFound)?;
    let latest = super::matching::latest(app, who, programme.id).await?;
    let blocking = match &latest {
        Some((_, proposal)) => super::matching::blocking_now(app, programme.id, proposal).await?,
        None => Vec::new(),
    };
    let (chosen, _) = pool::rankings(&app.db, programme.id).await?;
    let live: Vec<(i64, i64)> = convene_store::enablers::engagements::of_programme(&app.db, programme.id)
        .await?
        .iter()
        .filter(|e| e.ended_on.is_none())
        .map(|e| (e.award_id, e.enabler_id))
        .collect();
    let engaged_award = |a: &i64| live.iter().any(|(x, _)| x == a);
    let funded = accepted_places(app, programme.id).await?;
    let engaged = funded.keys().filter(|a| engaged_award(a)).count();
    let names = funded.clone();
    let mut places: Vec<(i64, String, usize)> = funded
        .into_iter()
        .filter(|(a, _)| !engaged_award(a))
        .map(|(a, name)| (a, name, chosen.iter().filter(|(x, _, _)| *x == a).count()))
        .collect();
    places.sort_by(|a, b| a.1.cmp(&b.1).then(a.0.cmp(&b.0)));
    let enablers = pool::of_programme(&app.db, programme.id)
        .await?
        .into_iter()
        .filter(|e| e.status == PoolStatus::Approved)
        .map(|e| {
            let holds = live.iter().filter(|(_, x)| *x == e.id).count() as i64;
            (e.id, e.name, (e.profile.capacity - holds).max(0))
        })
        .collect();
    Ok(MatchingOverview {
        programme,
        latest,
        blocking,
        places,
        engaged,
        names,
        enablers,
    })
}

/// The pools the asker has joined or asked to join, for their dashboard.
pub async fn memberships(app: &App, who: &Principal) -> Result<Vec<Enabler>> {
    Ok(pool::of_user(&app.db, who.user_id).await?)
}
