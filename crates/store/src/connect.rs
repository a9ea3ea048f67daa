//! Opening a pool from a database URL.

use crate::Db;
use sqlx::postgres::PgPoolOptions;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use std::str::FromStr;
use std::time::Duration;

/// Why a database could not be opened: each says what to fix in one line.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error("database URL must start with sqlite:// or postgres:// (got {0:?})")]
    Scheme(String),
    #[error("database URL {url:?} is malformed: {source}")]
    Malformed { url: String, source: sqlx::Error },
    #[error("cannot reach the database at {url}: {source}")]
    Unreachable { url: String, source: sqlx::Error },
}

/// Opens a pool on `url` (`sqlite://path` or `postgres://…`), checking it answers.
pub async fn connect(url: &str, max_connections: u32) -> Result<Db, ConnectError> {
    let shown = redact(url);
    if url.starts_with("sqlite:") {
        let opts = SqliteConnectOptions::from_str(url)
            .map_err(|source| ConnectError::Malformed {
                url: shown.clone(),
                source,
            })?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        let pool = SqlitePoolOptions::new()
            .max_connections(max_connections)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(opts)
            .await
            .map_err(|source| ConnectError::Unreachable { url: shown, source })?;
        Ok(Db::Sqlite(pool))
    } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
        let opts =
            sqlx::postgres::PgConnectOptions::from_str(url).map_err(|source| ConnectError::Malformed {
                url: shown.clone(),
                source,
            })?;
        let pool = PgPoolOptions::new()
            .max_connections(max_connections)
            .acquire_timeout(Duration::from_secs(5))
            .connect_with(opts)
            .await
            .map_err(|source| ConnectError::Unreachable { url: shown, source })?;
        Ok(Db::Postgres(pool))
    } else {
        Err(ConnectError::Scheme(shown))
    }
}

/// The URL with any password hidden, for messages and logs.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let userinfo = &url[scheme_end + 3..at];
            match userinfo.split_once(':') {
                Some((user, _)) => format!("{}{user}:****{}", &url[..scheme_end + 3], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn hides_passwords() {
        assert_eq!(
            redact("postgres://app:secret@db/convene"),
            "postgres://app:****@db/convene"
        );
        assert_eq!(redact("postgres://db/convene"), "postgres://db/convene");
        assert_eq!(redact("sqlite://x.sqlite"), "sqlite://x.sqlite");
    }
}
