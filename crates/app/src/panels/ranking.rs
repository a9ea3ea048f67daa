//! The moderation meeting's ranked list, read once per round and kept for a few seconds per
//! process (cleared at once by this process's writes that change it), so that a panel of
//! members reading it at once costs one read of the round's reviews, not one each.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use super::assignment::Conflicts;
use super::{Panel, Result};
use crate::{App, CACHE_TTL};
use convene_domain::applications::ApplicationStatus;
use convene_domain::panels::scoring::{Summary, summarise};
use convene_domain::{ApplicationId, RoundId, UserId};
use convene_store::applications::{self, ListFilter, Listed};
use convene_store::panels::reviews::{self as store, Moderation};

/// One application's place in the ranking.
#[derive(Debug, Clone)]
pub struct Standing {
    pub listed: Listed,
    pub summary: Summary,
    pub moderation: Option<Moderation>,
    /// Everyone whose declared conflicts cover it (seated on the panel or not).
    pub stood_aside: Vec<UserId>,
}

impl Standing {
    pub fn id(&self) -> ApplicationId {
        ApplicationId(self.listed.id)
    }
}

/// Every submitted application of a round, ranked by weighted mean (highest first,
/// unscored last, then by reference).
pub type Standings = Arc<Vec<Standing>>;

/// The per-process cache of rankings by round.
#[derive(Default)]
pub struct RankingCache {
    entries: Mutex<HashMap<RoundId, (Instant, Standings)>>,
}

impl RankingCache {
    fn get(&self, round_id: RoundId) -> Option<Standings> {
        let entries = self.entries.lock().ok()?;
        entries
            .get(&round_id)
            .filter(|(at, _)| at.elapsed() < CACHE_TTL)
            .map(|(_, s)| s.clone())
    }

    fn put(&self, round_id: RoundId, standings: Standings) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.retain(|_, (at, _)| at.elapsed() < CACHE_TTL);
            entries.insert(round_id, (Instant::now(), standings));
        }
    }

    /// Forgets a round's ranking at once (after a change made by this process).
    pub fn forget(&self, round_id: RoundId) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.remove(&round_id);
        }
    }
}

/// The round's standings, from the cache or read afresh. Callers check permission first
/// and leave out what the asker's conflicts cover.
pub(crate) async fn standings(app: &App, panel: &Panel) -> Result<Standings> {
    let round_id = panel.round.id;
    if let Some(s) = app.rankings.get(round_id) {
        return Ok(s);
    }
    let filter = ListFilter {
        status: Some(ApplicationStatus::Submitted),
        ..ListFilter::default()
    };
    let listed = applications::list(&app.db, round_id, &filter, 1, i64::from(u32::MAX))
        .await?
        .rows;
    let conflicts = Conflicts::of_round(app, round_id).await?;
    let mut scores: BTreeMap<ApplicationId, Vec<BTreeMap<String, u8>>> = BTreeMap::new();
    for r in store::submitted_in_round(&app.db, round_id).await? {
        scores.entry(r.application_id).or_default().push(r.score_map());
    }
    let mut moderations = store::moderations(&app.db, round_id).await?;
    let mut lines: Vec<Standing> = listed
        .into_iter()
        .map(|listed| {
            let id = ApplicationId(listed.id);
            Standing {
                summary: summarise(&panel.rubric, &scores.remove(&id).unwrap_or_default()),
                moderation: moderations.remove(&id),
                stood_aside: conflicts.covering(id),
                listed,
            }
        })
        .collect();
    lines.sort_by(|a, b| {
        b.summary
            .mean
            .cmp(&a.summary.mean)
            .then_with(|| a.listed.reference.cmp(&b.listed.reference))
    });
    let standings = Arc::new(lines);
    app.rankings.put(round_id, standings.clone());
    Ok(standings)
}
