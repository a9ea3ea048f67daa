//! Convene's use cases: one module per capability, named as in domain, store, pages, API
//! and templates. Each action is one function: who is asking and what they typed in, a
//! typed result or the capability's error out. Pages, the API and the CLI call these and
//! never each other; none of them opens a transaction itself (`scripts/check-layers.sh`).
//!
//! A change goes through a [`Work`]: begin, the action, a typed audit entry, commit, then
//! wake the mailer and clear the caches it names.

pub mod applications;
pub mod catalogue;
pub mod files;
pub mod forms;
pub mod jobs;
pub mod markdown;
pub mod people;
mod work;

pub use work::{Cache, Work};

use catalogue::Catalogue;
use convene_domain::Clock;
use convene_store::Db;
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
    /// The store. Reads still made by handlers go through it until each capability moves
    /// here; changes go through [`App::begin`].
    pub db: Db,
    pub clock: Arc<dyn Clock>,
    pub settings: Arc<Settings>,
    pub catalogue: Arc<Catalogue>,
    pub people: Arc<PeopleCache>,
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
            mail_wake: Arc::new(tokio::sync::Notify::new()),
        }
    }
}
