//! tower-sessions over Convene's own `sessions` table, so several servers share sessions.
//!
//! A process keeps what it read for a few seconds ([`convene_app::CACHE_TTL`]), so a page
//! view costs no session query on a busy server; "sign out everywhere" deletes the rows
//! and takes effect everywhere once those seconds pass.

use convene_app::{App, CACHE_TTL, sessions};
use convene_domain::Timestamp;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;
use tower_sessions::SessionStore;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{Error, Result as StoreResult};

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "convene_session";

/// The session key holding the signed-in user's id (also copied to its own column).
pub const USER_ID_KEY: &str = "user_id";

/// The session key holding an account whose password was right and whose two-factor code
/// is awaited. Copied to the same column, so that ending an account's sessions also ends
/// the half-signed-in ones.
pub const PENDING_USER_KEY: &str = "pending_user_id";

/// The account a session belongs to: signed in, or half-way (password right, code awaited).
fn owner(record: &Record) -> Option<i64> {
    record
        .data
        .get(USER_ID_KEY)
        .or_else(|| record.data.get(PENDING_USER_KEY))
        .and_then(|v| v.as_i64())
}

/// Recently read sessions, shared by a process's store and the pages that end sessions.
#[derive(Default)]
pub struct SessionCache(Mutex<HashMap<i128, Cached>>);

/// A session as read or written, with when it was and its expiry on the app's clock.
struct Cached {
    at: Instant,
    record: Record,
    expires_at: Timestamp,
}

impl SessionCache {
    /// Drops every cached session of a person, so ending their sessions takes effect in
    /// this process at once.
    pub fn forget_user(&self, user_id: i64) {
        if let Ok(mut cache) = self.0.lock() {
            cache.retain(|_, c| owner(&c.record) != Some(user_id));
        }
    }
}

/// Sessions stored in the database (through `convene_app::sessions`) with a short read
/// cache.
#[derive(Clone)]
pub struct DbSessionStore {
    app: App,
    cache: Arc<SessionCache>,
}

impl std::fmt::Debug for DbSessionStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DbSessionStore").finish_non_exhaustive()
    }
}

impl DbSessionStore {
    /// A store over the use cases' database.
    pub fn new(app: App, cache: Arc<SessionCache>) -> Self {
        DbSessionStore { app, cache }
    }

    /// A recently read or written session, unless it has expired by the app's clock.
    fn cached(&self, id: &Id) -> Option<Option<Record>> {
        let cache = self.cache.0.lock().ok()?;
        let c = cache.get(&id.0).filter(|c| c.at.elapsed() < CACHE_TTL)?;
        Some((c.expires_at > self.app.clock.now()).then(|| c.record.clone()))
    }

    fn remember(&self, record: &Record, expires_at: Timestamp) {
        if let Ok(mut cache) = self.cache.0.lock() {
            if cache.len() > 50_000 {
                cache.retain(|_, c| c.at.elapsed() < CACHE_TTL);
            }
            let cached = Cached {
                at: Instant::now(),
                record: record.clone(),
                expires_at,
            };
            cache.insert(record.id.0, cached);
        }
    }

    fn forget(&self, id: &Id) {
        if let Ok(mut cache) = self.cache.0.lock() {
            cache.remove(&id.0);
        }
    }
}

fn backend_error(err: impl std::fmt::Display) -> Error {
    Error::Backend(err.to_string())
}

fn to_timestamp(t: time::OffsetDateTime) -> Timestamp {
    Timestamp((t.unix_timestamp_nanos() / 1000) as i64)
}

impl DbSessionStore {
    /// tower-sessions sets a record's expiry by the wall clock, while rows are kept and
    /// checked by the app's clock (a test or rehearsal may move it): how far the app's clock
    /// runs ahead of the wall clock, in microseconds (nothing on a running server).
    fn skew(&self) -> i64 {
        self.app.clock.now().0 - to_timestamp(time::OffsetDateTime::now_utc()).0
    }

    /// A record's expiry on the app's clock.
    fn expires_at(&self, record: &Record) -> Timestamp {
        Timestamp(to_timestamp(record.expiry_date).0 + self.skew())
    }

    /// A stored expiry on the wall clock, as tower-sessions reckons it.
    fn expiry_date(&self, expires_at: Timestamp) -> StoreResult<time::OffsetDateTime> {
        let wall = expires_at.0 - self.skew();
        time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(wall) * 1000).map_err(backend_error)
    }
}

#[async_trait::async_trait]
impl SessionStore for DbSessionStore {
    async fn create(&self, record: &mut Record) -> StoreResult<()> {
        let user_id = owner(record);
        let data = serde_json::to_string(&record.data).map_err(backend_error)?;
        let expires_at = self.expires_at(record);
        // A fresh random id practically never collides; pick again if it does.
        while !sessions::create(&self.app, &record.id.to_string(), user_id, &data, expires_at)
            .await
            .map_err(backend_error)?
        {
            record.id = Id::default();
        }
        self.remember(record, expires_at);
        Ok(())
    }

    async fn save(&self, record: &Record) -> StoreResult<()> {
        let user_id = owner(record);
        let data = serde_json::to_string(&record.data).map_err(backend_error)?;
        let expires_at = self.expires_at(record);
        let live = sessions::update(&self.app, &record.id.to_string(), user_id, &data, expires_at)
            .await
            .map_err(backend_error)?;
        if live {
            self.remember(record, expires_at);
        } else {
            // Ended elsewhere while this request ran: leave it ended.
            self.forget(&record.id);
        }
        Ok(())
    }

    async fn load(&self, id: &Id) -> StoreResult<Option<Record>> {
        if let Some(record) = self.cached(id) {
            return Ok(record);
        }
        let Some(stored) = sessions::load(&self.app, &id.to_string())
            .await
            .map_err(backend_error)?
        else {
            return Ok(None);
        };
        let data = serde_json::from_str(&stored.data).map_err(backend_error)?;
        let expiry_date = self.expiry_date(stored.expires_at)?;
        let record = Record {
            id: *id,
            data,
            expiry_date,
        };
        self.remember(&record, stored.expires_at);
        Ok(Some(record))
    }

    async fn delete(&self, id: &Id) -> StoreResult<()> {
        self.forget(id);
        sessions::delete(&self.app, &id.to_string())
            .await
            .map_err(backend_error)
    }
}
