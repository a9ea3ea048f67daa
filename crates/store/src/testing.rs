//! Fresh databases for tests, on both stores. Used by this crate's tests and the web
//! crate's; never by the running service.

use crate::{Db, connect, on_db};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};

/// Which store a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// Both stores, for tests that must pass on each.
    pub const BOTH: [Backend; 2] = [Backend::Sqlite, Backend::Postgres];
}

/// A migrated, empty database that is removed when dropped.
pub struct TestDb {
    pub db: Db,
    pub url: String,
    cleanup: Cleanup,
}

enum Cleanup {
    Dir(PathBuf),
    Database { admin_url: String, name: String },
}

/// The PostgreSQL server tests use: `CONVENE_TEST_POSTGRES_URL`, or the local one.
pub fn postgres_admin_url() -> String {
    std::env::var("CONVENE_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

static COUNTER: AtomicU64 = AtomicU64::new(0);

fn unique_name(prefix: &str) -> String {
    let n = COUNTER.fetch_add(1, Ordering::SeqCst);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!("{prefix}_{}_{n}_{nanos}", std::process::id())
}

fn with_database(admin_url: &str, name: &str) -> String {
    match admin_url.rfind('/') {
        Some(i) if i > "postgres://".len() => format!("{}/{name}", &admin_url[..i]),
        _ => format!("{admin_url}/{name}"),
    }
}

/// A migration-content fingerprint, so a changed schema gets a new template.
fn template_name() -> String {
    let all = crate::migrations::postgres()
        .migrations
        .iter()
        .map(|m| m.checksum.to_vec())
        .collect::<Vec<_>>()
        .concat();
    let digest = convene_domain::accounts::secret_digest(&String::from_utf8_lossy(&all));
    format!("convene_template_{}", &digest[..16])
}

impl TestDb {
    /// A fresh database on `backend`: a SQLite file in a new temporary folder, or a new
    /// PostgreSQL database copied from a migrated template.
    pub async fn new(backend: Backend) -> TestDb {
        match backend {
            Backend::Sqlite => {
                let dir = std::env::temp_dir().join(unique_name("convene_test"));
                std::fs::create_dir_all(&dir)
                    .unwrap_or_else(|e| panic!("cannot create {}: {e}", dir.display()));
                let url = format!("sqlite://{}", dir.join("convene.sqlite").display());
                let db = connect(&url, 8).await.unwrap_or_else(|e| panic!("{e}"));
                db.migrate().await.unwrap_or_else(|e| panic!("{e}"));
                TestDb {
                    db,
                    url,
                    cleanup: Cleanup::Dir(dir),
                }
            }
            Backend::Postgres => {
                let admin_url = postgres_admin_url();
                let template = ensure_template(&admin_url).await;
                let name = unique_name("convene_test");
                let admin = connect(&admin_url, 1)
                    .await
                    .unwrap_or_else(|e| panic!("PostgreSQL is required for tests: {e}"));
                on_db!(&admin, |pool| {
                    sqlx::query(sqlx::AssertSqlSafe(format!(
                        "CREATE DATABASE {name} TEMPLATE {template}"
                    )))
                    .execute(pool)
                    .await
                    .unwrap_or_else(|e| panic!("cannot create test database: {e}"));
                });
                admin.close().await;
                let url = with_database(&admin_url, &name);
                let db = connect(&url, 8).await.unwrap_or_else(|e| panic!("{e}"));
                TestDb {
                    db,
                    url,
                    cleanup: Cleanup::Database { admin_url, name },
                }
            }
        }
    }

    /// Closes the pool and removes the database.
    pub async fn remove(self) {
        self.db.close().await;
        match self.cleanup {
            Cleanup::Dir(dir) => {
                let _ = std::fs::remove_dir_all(dir);
            }
            Cleanup::Database { admin_url, name } => {
                if let Ok(admin) = connect(&admin_url, 1).await {
                    on_db!(&admin, |pool| {
                        let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
                            "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                        )))
                        .execute(pool)
                        .await;
                    });
                    admin.close().await;
                }
            }
        }
    }
}

/// Creates and migrates the template once per schema, under an advisory lock so parallel
/// test processes do not race.
async fn ensure_template(admin_url: &str) -> String {
    let template = template_name();
    let admin = connect(admin_url, 1)
        .await
        .unwrap_or_else(|e| panic!("PostgreSQL is required for tests: {e}"));
    let crate::Db::Postgres(pool) = &admin else {
        panic!("CONVENE_TEST_POSTGRES_URL must be a postgres:// URL")
    };
    let mut conn = pool.acquire().await.unwrap_or_else(|e| panic!("{e}"));
    sqlx::query("SELECT pg_advisory_lock(7314)")
        .execute(&mut *conn)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let exists: Option<(i32,)> = sqlx::query_as("SELECT 1 FROM pg_database WHERE datname = $1")
        .bind(&template)
        .fetch_optional(&mut *conn)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    if exists.is_none() {
        let building = format!("{template}_building");
        let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
            "DROP DATABASE IF EXISTS {building} WITH (FORCE)"
        )))
        .execute(&mut *conn)
        .await;
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {building}")))
            .execute(&mut *conn)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let db = connect(&with_database(admin_url, &building), 1)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        db.migrate().await.unwrap_or_else(|e| panic!("{e}"));
        db.close().await;
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "ALTER DATABASE {building} RENAME TO {template}"
        )))
        .execute(&mut *conn)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    }
    sqlx::query("SELECT pg_advisory_unlock(7314)")
        .execute(&mut *conn)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    drop(conn);
    admin.close().await;
    template
}

/// Moves a round's opening and deadline (tests of the deadline edge).
pub async fn set_round_dates(
    tx: &mut crate::Tx,
    round_id: i64,
    opens_at: convene_domain::Timestamp,
    closes_at: convene_domain::Timestamp,
) -> crate::Result<()> {
    crate::on_tx!(tx, |conn| {
        sqlx::query("UPDATE rounds SET opens_at = $2, closes_at = $3 WHERE id = $1")
            .bind(round_id)
            .bind(opens_at.0)
            .bind(closes_at.0)
            .execute(conn)
            .await?;
    });
    Ok(())
}

/// Adds a place to another programme, with its standing there (tests of places shared by
/// programmes; the demo has none).
pub async fn add_place_to_programme(
    db: &crate::Db,
    programme_id: i64,
    place_id: i64,
    status: &str,
    breakthrough_issue: &str,
) -> crate::Result<()> {
    crate::on_db!(db, |pool| {
        sqlx::query(
            "INSERT INTO programme_places (programme_id, place_id, status, breakthrough_issue) VALUES ($1, $2, $3, $4)",
        )
        .bind(programme_id)
        .bind(place_id)
        .bind(status)
        .bind(breakthrough_issue)
        .execute(pool)
        .await?;
    });
    Ok(())
}

/// Makes every verification and invitation link expired (tests of expired links; the
/// clock cannot jump a day ahead without ending the test's sessions).
pub async fn expire_links(db: &crate::Db) -> crate::Result<()> {
    crate::on_db!(db, |pool| {
        sqlx::query("UPDATE email_verifications SET expires_at = 0")
            .execute(pool)
            .await?;
        sqlx::query("UPDATE invitations SET expires_at = 0")
            .execute(pool)
            .await?;
    });
    Ok(())
}

/// Every row of every table as text, one string per row, with its table's name: for tests
/// that prove something (an erased person) is nowhere in the database.
pub async fn dump_all_text(db: &crate::Db) -> crate::Result<Vec<(String, String)>> {
    use sqlx::Row;
    let mut out = Vec::new();
    match db {
        crate::Db::Sqlite(pool) => {
            let tables: Vec<(String,)> = sqlx::query_as(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_sqlx%'",
            )
            .fetch_all(pool)
            .await?;
            for (table,) in tables {
                let columns: Vec<(String,)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                    "SELECT name FROM pragma_table_info('{table}')"
                )))
                .fetch_all(pool)
                .await?;
                let expr = columns
                    .iter()
                    .map(|(c,)| format!("COALESCE(CAST(\"{c}\" AS TEXT), '')"))
                    .collect::<Vec<_>>()
                    .join(" || ' | ' || ");
                let rows = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {expr} FROM \"{table}\"")))
                    .fetch_all(pool)
                    .await?;
                for row in rows {
                    out.push((table.clone(), row.try_get::<String, usize>(0)?));
                }
            }
        }
        crate::Db::Postgres(pool) => {
            let tables: Vec<(String,)> = sqlx::query_as(
                "SELECT table_name::text FROM information_schema.tables WHERE table_schema = current_schema() \
                 AND table_type = 'BASE TABLE' AND table_name NOT LIKE '_sqlx%'",
            )
            .fetch_all(pool)
            .await?;
            for (table,) in tables {
                let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
                    "SELECT row_to_json(t)::text FROM \"{table}\" t"
                )))
                .fetch_all(pool)
                .await?;
                for row in rows {
                    out.push((table.clone(), row.try_get::<String, usize>(0)?));
                }
            }
        }
    }
    Ok(out)
}
