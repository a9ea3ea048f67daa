//! Convene's use cases: one module per capability, named as in domain, store, pages, API
//! and templates. Each action is one function: who is asking and what they typed in, a
//! typed result or the capability's error out. Pages, the API and the CLI call these and
//! never each other; none of them opens a transaction itself (`scripts/check-layers.sh`).
//!
//! A change goes through a [`Work`]: begin, the action, a typed audit entry, commit, then
//! wake the mailer and clear the caches it names.

pub mod accounts;
pub mod applications;
pub mod awards;
pub mod catalogue;
pub mod dashboard;
pub mod enablers;
mod error;
pub mod files;
pub mod forms;
pub mod jobs;
pub mod links;
pub mod mail;
pub mod markdown;
pub mod news;
pub mod panels;
pub mod people;
pub mod personal_data;
pub mod places;
pub mod programmes;
pub mod registration;
pub mod retention;
pub mod rounds;
pub mod sessions;
pub mod two_factor;
mod work;

/// The store handle: callers build an [`App`] over it and pass it on, never query it.
pub use convene_store::Db;
pub use error::{Error, Result};
pub use work::{Cache, Work};

use catalogue::Catalogue;
use convene_domain::Clock;
use people::PeopleCache;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// How long a process may trust what it read about a person or the programme catalogue.
/// Changes made by another server show here within this time; changes made through this
/// process clear the cache at once (see [`Cache`]).
pub const CACHE_TTL: Duration = Duration::from_secs(5);

/// What the use cases need from the running service.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    /// The address people reach the service at, for links in mail.
    pub public_url: String,
    /// clamd's Unix socket: when set, every upload is scanned before it is kept.
    pub clamd_socket: Option<PathBuf>,
}

/// The service's use cases over one store, cheap to clone.
#[derive(Clone)]
pub struct App {
    /// The store. The use cases read through it and change it through [`App::begin`];
    /// pages and the API never touch it (`scripts/check-layers.sh`). Tests and the CLI's
    /// set-up may.
    pub db: Db,
    pub clock: Arc<dyn Clock>,
    pub settings: Arc<Settings>,
    pub catalogue: Arc<Catalogue>,
    pub people: Arc<PeopleCache>,
    /// Each round's moderation ranking, kept as briefly as the catalogue.
    pub rankings: Arc<panels::ranking::RankingCache>,
    /// Wakes the mail worker when a message is queued.
    pub mail_wake: Arc<tokio::sync::Notify>,
}

impl App {
    /// Use cases over `db`, with `clock` as the source of "now".
    pub fn new(db: Db, clock: Arc<dyn Clock>, settings: Settings) -> App {
        App {
            db,
            clock,
            settings: Arc::new(settings),
            catalogue: Arc::new(Catalogue::default()),
            people: Arc::new(PeopleCache::default()),
            rankings: Arc::default(),
            mail_wake: Arc::new(tokio::sync::Notify::new()),
        }
    }
}

impl App {
    /// Whether the store answers, and which store it is ("sqlite" or "postgres").
    pub async fn health(&self) -> Result<&'static str> {
        self.db.ping().await?;
        Ok(self.db.backend())
    }

    /// The store's connection pool: (open connections, idle ones).
    pub fn pool_usage(&self) -> (u32, usize) {
        self.db.pool_usage()
    }

    /// Closes the store's connections, for a clean stop.
    pub async fn close(&self) {
        self.db.close().await;
    }
}
