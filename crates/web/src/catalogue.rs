//! The programmes and their rounds, read often and changed rarely, kept for a few seconds
//! per process so that dashboards cost no queries on a busy server.
//!
//! A change made through this process clears it at once ([`Catalogue::invalidate`]); a
//! change made by another server shows here within [`CACHE_TTL`].

use crate::state::CACHE_TTL;
use convene_store::programmes::{self, Programme, Round};
use convene_store::{Db, Result};
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// A programme with its rounds.
#[derive(Debug, Clone)]
pub struct Entry {
    pub programme: Programme,
    pub rounds: Vec<Round>,
    /// The public page, rendered from its Markdown once per load rather than per visit.
    pub page_html: String,
}

impl Entry {
    pub fn new(programme: Programme, rounds: Vec<Round>) -> Entry {
        let page_html = crate::markdown::render(&programme.page_markdown);
        Entry {
            programme,
            rounds,
            page_html,
        }
    }
}

/// The cached list of every programme, by name.
#[derive(Default)]
pub struct Catalogue {
    cached: Mutex<Option<(Instant, Arc<Vec<Entry>>)>>,
}

impl Catalogue {
    /// Every programme with its rounds, from the cache when fresh.
    pub async fn get(&self, db: &Db) -> Result<Arc<Vec<Entry>>> {
        if let Ok(guard) = self.cached.lock()
            && let Some((at, entries)) = guard.as_ref()
            && at.elapsed() < CACHE_TTL
        {
            return Ok(entries.clone());
        }
        let list = programmes::list(db).await?;
        let rounds = programmes::all_rounds(db).await?;
        let entries: Arc<Vec<Entry>> = Arc::new(
            list.into_iter()
                .map(|programme| {
                    let rounds = rounds
                        .iter()
                        .filter(|r| r.programme_id == programme.id)
                        .cloned()
                        .collect();
                    Entry::new(programme, rounds)
                })
                .collect(),
        );
        if let Ok(mut guard) = self.cached.lock() {
            *guard = Some((Instant::now(), entries.clone()));
        }
        Ok(entries)
    }

    /// A round and its programme, from the cache when it has them, else from the database
    /// (a round made on another server in the last few seconds).
    pub async fn round(&self, db: &Db, round_id: i64) -> Result<Option<(Programme, Round)>> {
        let all = self.get(db).await?;
        for entry in all.iter() {
            if let Some(r) = entry.rounds.iter().find(|r| r.id == round_id) {
                return Ok(Some((entry.programme.clone(), r.clone())));
            }
        }
        let Some(round) = programmes::round(db, round_id).await? else {
            return Ok(None);
        };
        Ok(programmes::by_ids(db, &[round.programme_id])
            .await?
            .pop()
            .map(|p| (p, round)))
    }

    /// Forgets the cached list (call after changing a programme or round).
    pub fn invalidate(&self) {
        if let Ok(mut guard) = self.cached.lock() {
            *guard = None;
        }
    }
}
