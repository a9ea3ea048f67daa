//! Convene's persistence: one code base over SQLite (embedded default) and PostgreSQL.
//!
//! Each capability has a module whose functions take the [`Db`] (or a [`Tx`]) and return
//! domain types. SQL is written once with `$1` placeholders, which both stores accept; the
//! [`on_db!`] and [`on_tx!`] macros expand one body for each backend.

pub mod applications;
pub mod audit;
pub mod awards;
#[cfg(feature = "demo")]
pub mod demo;
pub mod enablers;
pub mod forms;
#[cfg(feature = "demo")]
pub mod national;
pub mod news;
pub mod organisations;
pub mod outbox;
pub mod panels;
pub mod personal_data;
pub mod programmes;
pub mod requests;
pub mod retention;
pub mod sessions;
pub mod signoffs;
pub mod throttle;
pub mod tokens;
pub mod two_factor;
pub mod uploads;
pub mod users;

mod connect;
mod migrations;
mod rows;
#[cfg(any(test, feature = "testing"))]
pub mod testing;

pub use connect::{ConnectError, connect, redact};

use sqlx::{PgPool, Postgres, Sqlite, SqlitePool, Transaction};

/// A connection pool on one of the two supported stores.
#[derive(Clone, Debug)]
pub enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// A transaction on either store; changes and the mail or audit rows they cause are
/// written together.
pub enum Tx {
    Sqlite(Transaction<'static, Sqlite>),
    Postgres(Transaction<'static, Postgres>),
}

/// Runs `$body` with `$pool` bound to the concrete pool of whichever store `$db` is.
#[macro_export]
macro_rules! on_db {
    ($db:expr, |$pool:ident| $body:expr) => {
        match $db {
            $crate::Db::Sqlite($pool) => $body,
            $crate::Db::Postgres($pool) => $body,
        }
    };
}

/// Runs `$body` with `$conn` bound to the concrete connection of the transaction `$tx`.
#[macro_export]
macro_rules! on_tx {
    ($tx:expr, |$conn:ident| $body:expr) => {
        match $tx {
            $crate::Tx::Sqlite(t) => {
                let $conn = &mut **t;
                $body
            }
            $crate::Tx::Postgres(t) => {
                let $conn = &mut **t;
                $body
            }
        }
    };
}

/// What went wrong in the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A unique constraint refused the write; the name says which.
    #[error("a record with the same {0} already exists")]
    Duplicate(String),
    #[error("record not found")]
    NotFound,
    #[error("database error: {0}")]
    Database(sqlx::Error),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("stored data is malformed: {0}")]
    Malformed(String),
}

impl From<sqlx::Error> for StoreError {
    fn from(err: sqlx::Error) -> Self {
        match &err {
            sqlx::Error::RowNotFound => StoreError::NotFound,
            sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Duplicate(
                db.constraint()
                    .map(str::to_string)
                    .unwrap_or_else(|| db.message().to_string()),
            ),
            _ => StoreError::Database(err),
        }
    }
}

/// Shorthand for store results.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

impl Db {
    /// Which store this is, for logs and `/health`.
    pub fn backend(&self) -> &'static str {
        match self {
            Db::Sqlite(_) => "sqlite",
            Db::Postgres(_) => "postgres",
        }
    }

    /// Starts a transaction.
    pub async fn begin(&self) -> Result<Tx> {
        Ok(match self {
            Db::Sqlite(p) => Tx::Sqlite(p.begin().await?),
            Db::Postgres(p) => Tx::Postgres(p.begin().await?),
        })
    }

    /// Applies every migration not yet applied.
    pub async fn migrate(&self) -> Result<()> {
        match self {
            Db::Sqlite(p) => migrations::sqlite().run(p).await?,
            Db::Postgres(p) => migrations::postgres().run(p).await?,
        }
        Ok(())
    }

    /// Answers when the database does (for `/health`).
    pub async fn ping(&self) -> Result<()> {
        on_db!(self, |pool| {
            sqlx::query("SELECT 1").execute(pool).await?;
        });
        Ok(())
    }

    /// Connections open and idle, for `/metrics`.
    pub fn pool_usage(&self) -> (u32, usize) {
        on_db!(self, |pool| (pool.size(), pool.num_idle()))
    }

    /// Closes every connection (on shutdown).
    pub async fn close(&self) {
        on_db!(self, |pool| pool.close().await)
    }

    /// The name of every table and its columns, sorted: used to keep both schemas in step.
    pub async fn schema(&self) -> Result<Vec<(String, Vec<String>)>> {
        let rows: Vec<(String, String)> = match self {
            Db::Sqlite(p) => {
                sqlx::query_as(
                    "SELECT m.name, c.name FROM sqlite_master m JOIN pragma_table_info(m.name) c \
                     WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name NOT LIKE '\\_sqlx%' ESCAPE '\\' \
                     ORDER BY m.name, c.name",
                )
                .fetch_all(p)
                .await?
            }
            Db::Postgres(p) => {
                sqlx::query_as(
                    "SELECT table_name::TEXT, column_name::TEXT FROM information_schema.columns \
                     WHERE table_schema = current_schema() AND table_name NOT LIKE '\\_sqlx%' \
                     ORDER BY table_name, column_name",
                )
                .fetch_all(p)
                .await?
            }
        };
        let mut tables: Vec<(String, Vec<String>)> = Vec::new();
        for (table, column) in rows {
            match tables.last_mut() {
                Some((t, cols)) if *t == table => cols.push(column),
                _ => tables.push((table, vec![column])),
            }
        }
        Ok(tables)
    }
}

impl Tx {
    /// Locks one row of `table` (a constant name) for the rest of the transaction, so that
    /// what is read next about it is current and a second transaction doing the same waits:
    /// PostgreSQL locks the row; SQLite takes its single write lock by writing (so call
    /// this first in the transaction there, before it holds an older snapshot).
    pub(crate) async fn lock_row(&mut self, table: &'static str, id: i64) -> Result<()> {
        match self {
            Tx::Sqlite(conn) => {
                let sql = format!("UPDATE {table} SET id = id WHERE id = $1");
                sqlx::query(sqlx::AssertSqlSafe(sql))
                    .bind(id)
                    .execute(&mut **conn)
                    .await?;
            }
            Tx::Postgres(conn) => {
                let sql = format!("SELECT id FROM {table} WHERE id = $1 FOR UPDATE");
                sqlx::query(sqlx::AssertSqlSafe(sql))
                    .bind(id)
                    .execute(&mut **conn)
                    .await?;
            }
        }
        Ok(())
    }

    /// Makes the transaction's changes permanent.
    pub async fn commit(self) -> Result<()> {
        match self {
            Tx::Sqlite(t) => t.commit().await?,
            Tx::Postgres(t) => t.commit().await?,
        }
        Ok(())
    }
}
