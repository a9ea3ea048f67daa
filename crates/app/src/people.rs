//! Who a user id is and what they may do, kept for a few seconds per process so that a
//! signed-in page costs no extra queries on a busy server.

use crate::CACHE_TTL;
use convene_domain::UserId;
use convene_domain::policy::Principal;
use convene_store::users::User;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// A person and what they may do.
pub type Person = Arc<(User, Principal)>;

/// The cache of people by user id.
#[derive(Default)]
pub struct PeopleCache {
    entries: Mutex<HashMap<i64, (Instant, Person)>>,
}

impl PeopleCache {
    /// A cached entry younger than [`CACHE_TTL`].
    pub fn get(&self, user_id: UserId) -> Option<Person> {
        let entries = self.entries.lock().ok()?;
        entries
            .get(&user_id.0)
            .filter(|(at, _)| at.elapsed() < CACHE_TTL)
            .map(|(_, v)| v.clone())
    }

    /// Remembers a person.
    pub fn put(&self, user_id: UserId, value: Person) {
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() > 10_000 {
                entries.retain(|_, (at, _)| at.elapsed() < CACHE_TTL);
            }
            entries.insert(user_id.0, (Instant::now(), value));
        }
    }

    /// Forgets a person at once (after a change made by this process).
    pub fn forget(&self, user_id: UserId) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.remove(&user_id.0);
        }
    }
}
