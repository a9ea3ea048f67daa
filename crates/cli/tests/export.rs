#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests fail loudly by design.
//! `convene export 360giving` on both stores: the very file the use case makes (which the
//! public pages serve, crates/web/tests/open_data.rs), and for a programme with no awards
//! one line and exit code 2, never an empty file.

use convene_store::testing::{Backend, TestDb};
use convene_web::state::SystemClock;
use std::process::{Command, Output};
use std::sync::Arc;

const PROGRAMME: &str = "local-vision";
/// A demo programme with no awards.
const EMPTY: &str = "leadership-for-change";
const NO_AWARDS: &str = "has no accepted awards yet, so there are no grants to publish";

fn said(out: &Output) -> String {
    format!(
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// `convene export 360giving` against `url`.
fn export(url: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_convene"))
        .args(["export", "360giving"])
        .args(args)
        .args(["--database-url", url])
        .env_remove("CONVENE_DATABASE_URL")
        .output()
        .unwrap()
}

async fn exports_the_use_cases_file(backend: Backend) {
    let db = TestDb::new(backend).await;
    convene_store::demo::load(&db.db, convene_domain::Clock::now(&SystemClock))
        .await
        .unwrap();
    let app = convene_app::App::new(
        db.db.clone(),
        Arc::new(SystemClock),
        convene_app::Settings::default(),
    );

    let out = export(&db.url, &["--programme", EMPTY]);
    assert_eq!(out.status.code(), Some(2), "{}", said(&out));
    assert!(out.stdout.is_empty(), "never an empty file: {}", said(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.trim().lines().count(), 1, "one line: {err}");
    assert!(err.contains(NO_AWARDS), "{err}");

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("360giving.json");
    let out = export(
        &db.url,
        &["--programme", PROGRAMME, "--output", file.to_str().unwrap()],
    );
    assert!(out.status.success(), "{}", said(&out));
    let written: serde_json::Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    let made = convene_app::awards::open_data::json(&app, PROGRAMME)
        .await
        .unwrap();
    let made: serde_json::Value = serde_json::from_str(&made).unwrap();
    assert_eq!(written, made, "the JSON the page serves");
    assert!(written["grants"].as_array().is_some_and(|g| !g.is_empty()));

    let out = export(&db.url, &["--programme", PROGRAMME, "--format", "csv"]);
    assert!(out.status.success(), "{}", said(&out));
    let made = convene_app::awards::open_data::csv(&app, PROGRAMME)
        .await
        .unwrap();
    assert_eq!(out.stdout, made, "the CSV the page serves, on standard output");
    db.remove().await;
}

#[tokio::test]
async fn exports_the_use_cases_file_sqlite() {
    exports_the_use_cases_file(Backend::Sqlite).await;
}

#[tokio::test]
async fn exports_the_use_cases_file_postgres() {
    exports_the_use_cases_file(Backend::Postgres).await;
}
