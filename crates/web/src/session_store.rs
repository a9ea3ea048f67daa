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
pub struct SessionCache(Mutex<HashMap<i128, (Instant, Record)>>);

impl SessionCache {
    /// Drops every cached session of a person, so ending their sessions takes effect in
    /// this process at once.
    pub fn forget_user(&self, user_id: i64) {
        if let Ok(mut cache) = self.0.lock() {
            cache.retain(|_, (_, r)| owner(r) != Some(user_id));
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

    fn cached(&self, id: &Id) -> Option<Record> {
        let cache = self.cache.0.lock().ok()?;
        cache
            .get(&id.0)
            .filter(|(at, _)| at.elapsed() < CACHE_TTL)
            .map(|(_, r)| r.clone())
    }

    fn remember(&self, record: &Record) {
        if let Ok(mut cache) = self.cache.0.lock() {
            if cache.len() > 50_000 {
                cache.retain(|_, (at, _)| at.elapsed() < CACHE_TTL);
            }
            cache.insert(record.id.0, (Instant::now(), record.clone()));
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

#[async_trait::async_trait]
impl SessionStore for DbSessionStore {
    async fn create(&self, record: &mut Record) -> StoreResult<()> {
        let user_id = owner(record);
        let data = serde_json::to_string(&record.data).map_err(backend_error)?;
        let expires_at = to_timestamp(record.expiry_date);
        // A fresh random id practically never collides; pick again if it does.
        while !sessions::create(&self.app, &record.id.to_string(), user_id, &data, expires_at)
            .await
            .map_err(backend_error)?
        {
            record.id = Id::default();
        }
        self.remember(record);
        Ok(())
    }

    async fn save(&self, record: &Record) -> StoreResult<()> {
        let user_id = owner(record);
        let data = serde_json::to_string(&record.data).map_err(backend_error)?;
        let live = sessions::update(
            &self.app,
            &record.id.to_string(),
            user_id,
            &data,
            to_timestamp(record.expiry_date),
        )
        .await
        .map_err(backend_error)?;
        if live {
            self.remember(record);
        } else {
            // Ended elsewhere while this request ran: leave it ended.
            self.forget(&record.id);
        }
        Ok(())
    }

    async fn load(&self, id: &Id) -> StoreResult<Option<Record>> {
        if let Some(record) = self.cached(id) {
            let expired = to_timestamp(record.expiry_date) <= self.app.clock.now();
            return Ok(if expired { None } else { Some(record) });
        }
        let Some(stored) = sessions::load(&self.app, &id.to_string())
            .await
            .map_err(backend_error)?
        else {
            return Ok(None);
        };
        let data = serde_json::from_str(&stored.data).map_err(backend_error)?;
        let expiry_date =
            time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(stored.expires_at.0) * 1000)
                .map_err(backend_error)?;
        let record = Record {
            id: *id,
            data,
            expiry_date,
        };
        self.remember(&record);
        Ok(Some(record))
    }

    async fn delete(&self, id: &Id) -> StoreResult<()> {
        self.forget(id);
        sessions::delete(&self.app, &id.to_string())
            .await
            .map_err(backend_error)
    }
}
