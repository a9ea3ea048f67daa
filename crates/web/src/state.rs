//! What every handler can reach: the store, the clock, settings and short-lived caches.

use crate::config::Config;
use convene_domain::Clock;
use convene_domain::policy::Principal;
use convene_store::Db;
use convene_store::users::User;
use metrics_exporter_prometheus::PrometheusHandle;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Shared state, cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub clock: Arc<dyn Clock>,
    pub config: Arc<Config>,
    pub metrics: Option<PrometheusHandle>,
    pub people: Arc<PeopleCache>,
    pub sessions: Arc<crate::session_store::SessionCache>,
    pub catalogue: Arc<crate::catalogue::Catalogue>,
    /// Bounds the password hashes computed at once (each takes ~19 MiB and a core for a
    /// moment), so a flood of sign-ins cannot exhaust the machine.
    pub password_checks: Arc<tokio::sync::Semaphore>,
    /// Wakes the mail worker when a message is queued.
    pub mail_wake: Arc<tokio::sync::Notify>,
}

/// How long a process may trust what it read about a person (their name and roles).
/// "Sign out everywhere" and role changes take effect within this time on every server.
pub const CACHE_TTL: Duration = Duration::from_secs(5);

/// A person and what they may do.
pub type Person = Arc<(User, Principal)>;

/// A short-lived cache of who a user id is and what they may do, so that a signed-in page
/// costs no extra queries on a busy server.
#[derive(Default)]
pub struct PeopleCache {
    entries: Mutex<HashMap<i64, (Instant, Person)>>,
}

impl PeopleCache {
    /// A cached entry younger than [`CACHE_TTL`].
    pub fn get(&self, user_id: i64) -> Option<Person> {
        let entries = self.entries.lock().ok()?;
        entries
            .get(&user_id)
            .filter(|(at, _)| at.elapsed() < CACHE_TTL)
            .map(|(_, v)| v.clone())
    }

    /// Remembers a person.
    pub fn put(&self, user_id: i64, value: Person) {
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() > 10_000 {
                entries.retain(|_, (at, _)| at.elapsed() < CACHE_TTL);
            }
            entries.insert(user_id, (Instant::now(), value));
        }
    }

    /// Forgets a person at once (after a change made by this process).
    pub fn forget(&self, user_id: i64) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.remove(&user_id);
        }
    }
}

impl AppState {
    /// State over `db`, with `clock` as the source of "now".
    pub fn new(db: Db, clock: Arc<dyn Clock>, config: Config) -> AppState {
        AppState {
            db,
            clock,
            config: Arc::new(config),
            metrics: None,
            people: Arc::new(PeopleCache::default()),
            sessions: Arc::new(crate::session_store::SessionCache::default()),
            catalogue: Arc::new(crate::catalogue::Catalogue::default()),
            mail_wake: Arc::new(tokio::sync::Notify::new()),
            password_checks: Arc::new(tokio::sync::Semaphore::new(4)),
        }
    }
}

/// The wall clock, for running servers.
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> convene_domain::Timestamp {
        convene_domain::Timestamp::from_jiff(jiff::Timestamp::now())
    }
}
