//! The programmes and their rounds, read often and changed rarely, kept for a few seconds
//! per process so that dashboards cost no queries on a busy server.
//!
//! A change made through this process clears it at once ([`Catalogue::invalidate`]); a
//! change made by another server shows here within [`CACHE_TTL`].

use crate::CACHE_TTL;
use convene_domain::RoundId;
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
    /// Requests to act for a place waiting for a decision (for the admins' dashboard).
    pub waiting_requests: i64,
}

impl Entry {
    pub fn new(programme: Programme, rounds: Vec<Round>) -> Entry {
        let page_html = crate::markdown::render(&programme.page_markdown);
        Entry {
            programme,
            rounds,
            page_html,
            waiting_requests: 0,
        }
    }
}

/// A public page as every anonymous visitor gets it: its body and strong ETag.
#[derive(Debug, Clone)]
pub struct PublicPage {
    pub content_type: &'static str,
    pub body: bytes::Bytes,
    pub etag: String,
}

impl PublicPage {
    pub fn new(content_type: &'static str, body: String) -> PublicPage {
        let etag = format!("\"{}\"", &convene_domain::accounts::secret_digest(&body)[..32]);
        PublicPage {
            content_type,
            body: bytes::Bytes::from(body),
            etag,
        }
    }
}

/// The cached list of every programme, by name, and the public pages made from it.
#[derive(Default)]
pub struct Catalogue {
    cached: Mutex<Option<(Instant, Arc<Vec<Entry>>)>>,
    /// Public pages by path, for anonymous visitors: the same for everyone, so rendered
    /// once per [`CACHE_TTL`] rather than once per visit.
    pages: Mutex<std::collections::HashMap<String, (Instant, Arc<PublicPage>)>>,
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
        let waiting = convene_store::requests::pending_counts(db).await?;
        let entries: Arc<Vec<Entry>> = Arc::new(
            list.into_iter()
                .map(|programme| {
                    let rounds = rounds
                        .iter()
                        .filter(|r| r.programme_id == programme.id)
                        .cloned()
                        .collect();
                    let mut entry = Entry::new(programme, rounds);
                    entry.waiting_requests = waiting
                        .iter()
                        .find(|(id, _)| *id == entry.programme.id)
                        .map_or(0, |(_, n)| *n);
                    entry
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
    pub async fn round(&self, db: &Db, round_id: RoundId) -> Result<Option<(Programme, Round)>> {
        let all = self.get(db).await?;
        for entry in all.iter() {
            if let Some(r) = entry.rounds.iter().find(|r| r.id == round_id) {
                return Ok(Some((entry.programme.clone(), r.clone())));
            }
        }
        let Some(round) = programmes::round(db, round_id.0).await? else {
            return Ok(None);
        };
        Ok(programmes::by_ids(db, &[round.programme_id])
            .await?
            .pop()
            .map(|p| (p, round)))
    }

    /// Forgets the cached list and pages (call after changing a programme, round, or
    /// anything a public page shows).
    pub fn invalidate(&self) {
        if let Ok(mut guard) = self.cached.lock() {
            *guard = None;
        }
        if let Ok(mut pages) = self.pages.lock() {
            pages.clear();
        }
    }

    /// A public page rendered in the last few seconds, if there is one.
    pub fn page(&self, path: &str) -> Option<Arc<PublicPage>> {
        let pages = self.pages.lock().ok()?;
        let (at, page) = pages.get(path)?;
        (at.elapsed() < CACHE_TTL).then(|| page.clone())
    }

    /// Keeps a freshly rendered public page.
    pub fn keep_page(&self, path: &str, page: Arc<PublicPage>) {
        if let Ok(mut pages) = self.pages.lock() {
            // Paths come from the router's few public routes, but bound the map anyway.
            if pages.len() > 1000 {
                pages.clear();
            }
            pages.insert(path.to_string(), (Instant::now(), page));
        }
    }
}
