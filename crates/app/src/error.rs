//! The error of the use cases that need no enum of their own. A capability whose callers
//! must tell outcomes apart (applications, forms) has its own enum; every enum keeps the
//! store's error as its cause, so the log shows the whole chain.

use convene_store::StoreError;

/// Why a use case did not happen.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The record does not exist, or the asker may not know it does.
    #[error("not found")]
    NotFound,
    /// The asker may not do this.
    #[error("not allowed")]
    Forbidden,
    /// The record already exists, or its state has moved on (a unique constraint, a
    /// request already decided).
    #[error("conflict: {0}")]
    Conflict(String),
    /// The store failed; the cause is kept.
    #[error("store failed")]
    Store(#[source] StoreError),
}

impl From<StoreError> for Error {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => Error::NotFound,
            StoreError::Duplicate(what) => Error::Conflict(what),
            other => Error::Store(other),
        }
    }
}

/// What a use case returns.
pub type Result<T, E = Error> = std::result::Result<T, E>;
