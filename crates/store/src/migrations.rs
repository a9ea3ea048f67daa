//! Migrations for both stores, compiled into the binary. The two folders hold the same
//! files by name; a test checks that they produce the same tables and columns.

use sqlx::migrate::{Migration, MigrationType, Migrator};
use sqlx::{AssertSqlSafe, SqlSafeStr};
use std::borrow::Cow;

macro_rules! migration_set {
    ($dir:literal, [$(($version:literal, $name:literal)),* $(,)?]) => {
        vec![$(Migration::new(
            $version,
            Cow::Borrowed($name),
            MigrationType::Simple,
            AssertSqlSafe(include_str!(concat!("../../../migrations/", $dir, "/", $name, ".sql"))).into_sql_str(),
            false,
        )),*]
    };
}

fn migrator(migrations: Vec<Migration>) -> Migrator {
    Migrator {
        migrations: Cow::Owned(migrations),
        ..Migrator::DEFAULT
    }
}

/// Every SQLite migration, in order.
pub fn sqlite() -> Migrator {
    migrator(migration_set!(
        "sqlite",
        [
            (1, "0001_foundation"),
            (2, "0002_place_partners"),
            (3, "0003_applications"),
            (4, "0004_front_door"),
            (5, "0005_security"),
            (6, "0006_mail_html"),
            (7, "0007_panels"),
            (8, "0008_awards"),
            (9, "0009_enablers")
        ]
    ))
}

/// Every PostgreSQL migration, in order.
pub fn postgres() -> Migrator {
    migrator(migration_set!(
        "postgres",
        [
            (1, "0001_foundation"),
            (2, "0002_place_partners"),
            (3, "0003_applications"),
            (4, "0004_front_door"),
            (5, "0005_security"),
            (6, "0006_mail_html"),
            (7, "0007_panels"),
            (8, "0008_awards"),
            (9, "0009_enablers")
        ]
    ))
}
