//! Password hashing and checking (argon2id, in the domain) run off the async threads, a
//! few at a time, so a flood of sign-ins cannot exhaust the machine.

use crate::error::AppError;
use crate::state::AppState;

/// Runs a password hash or check off the async threads, a few at a time.
pub async fn hashing<T: Send + 'static>(
    state: &AppState,
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, AppError> {
    let _permit = state
        .password_checks
        .acquire()
        .await
        .map_err(AppError::internal)?;
    tokio::task::spawn_blocking(work)
        .await
        .map_err(AppError::internal)
}
