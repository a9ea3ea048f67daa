//! Password hashing and checking (argon2id, in the domain) run off the async threads, a
//! few at a time across the whole process, so a flood of sign-ins cannot exhaust the
//! machine (each hash takes about 19 MiB and a core for a moment).

use super::{AccountError, Result};
use convene_domain::accounts::{dummy_password_hash, hash_password, verify_password};
use tokio::sync::Semaphore;

/// How many hashes are computed at once in this process.
static CHECKS: Semaphore = Semaphore::const_new(4);

/// Runs `work` off the async threads, a few at a time.
async fn off_thread<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> Result<T> {
    let _permit = CHECKS
        .acquire()
        .await
        .map_err(|e| AccountError::Internal(format!("password checks closed: {e}")))?;
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| AccountError::Internal(format!("password check failed: {e}")))
}

/// The stored form of a new password.
pub async fn hash(password: &str) -> Result<String> {
    let password = password.to_string();
    off_thread(move || hash_password(&password))
        .await?
        .map_err(|e| AccountError::Internal(format!("cannot hash a password: {e}")))
}

/// True when `typed` is the password `stored_hash` was made from. With no hash (no such
/// account), a dummy one is checked, so an unknown address costs the same as a known one.
pub async fn matches(typed: &str, stored_hash: Option<&str>) -> Result<bool> {
    let typed = typed.to_string();
    let hash = stored_hash.unwrap_or_else(|| dummy_password_hash()).to_string();
    off_thread(move || verify_password(&typed, &hash)).await
}
