#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests fail loudly by design.
//! The programme's 360Giving open data, checked against the standard's own files: the
//! public JSON and CSV of the demo's Local Vision awards go through
//! scripts/open_data/check-360giving.py (the package and grant schemas with format assertion
//! on, the codelists, and `flattentool unflatten` turning the CSV back into the same grants),
//! whose own self-test must show that broken data fails. A programme with no awards gets a
//! clear 404 for both files (crates/cli/tests/export.rs checks that `convene export 360giving`
//! writes the same files).
//!
//! The check needs its Python tools (`bash scripts/open_data/setup.sh` makes the
//! virtualenv; scripts/test.sh runs it first) and the schemas in
//! ../shared/external/360giving beside the repository, as CI clones it. Without either,
//! these tests fail; they never skip.

mod common;

use common::TestApp;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const PROGRAMME: &str = "local-vision";
/// A demo programme with no awards.
const EMPTY: &str = "leadership-for-change";
/// What the demo's Local Vision has awarded: 22 places in 2013 and the 8 places already
/// underway with their earlier awards.
const GRANTS: usize = 30;
const ID_PREFIX: &str = "360G-localvision-";
const NO_AWARDS: &str = "has no accepted awards yet, so there are no grants to publish";
const SETUP: &str =
    "run `bash scripts/open_data/setup.sh` (scripts/test.sh does) to make the 360Giving check's virtualenv";

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The 360Giving schemas and codelists, beside the repository in ../shared.
fn schemas() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/external/360giving");
    for file in ["360-giving-package-schema.json", "360-giving-schema.json"] {
        assert!(
            dir.join(file).is_file(),
            "the 360Giving schemas are missing: no {} (the repository is cloned beside ../shared, \
             whose external/360giving holds them); then {SETUP}",
            dir.join(file).display()
        );
    }
    dir
}

/// The check's Python, where scripts/open_data/setup.sh puts it.
fn python() -> PathBuf {
    let venv = match std::env::var_os("OPEN_DATA_VENV") {
        Some(v) => PathBuf::from(v),
        None => {
            let target =
                std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| repo().join("target"), PathBuf::from);
            repo().join(target).join("open_data/venv")
        }
    };
    let python = venv.join("bin/python");
    assert!(
        python.is_file() && venv.join("bin/flatten-tool").is_file(),
        "the 360Giving check's tools are missing at {}: {SETUP}",
        venv.display()
    );
    python
}

/// Runs check-360giving.py with these arguments after `--schemas`.
fn check(args: &[&Path]) -> Output {
    let mut command = Command::new(python());
    command
        .arg(repo().join("scripts/open_data/check-360giving.py"))
        .arg("--schemas")
        .arg(schemas());
    for a in args {
        command.arg(a);
    }
    command.output().unwrap()
}

fn said(out: &Output) -> String {
    format!(
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// GETs a public path with no session: status, content type and body.
async fn fetch(app: &TestApp, path: &str) -> (u16, String, String) {
    let res = app.client().get(app.at(path)).send().await.unwrap();
    let status = res.status().as_u16();
    let kind = res.headers()["content-type"].to_str().unwrap().to_string();
    (status, kind, res.text().await.unwrap())
}

on_both!(the_published_grants_are_valid_360giving, |app| {
    let (status, kind, json) = fetch(&app, &format!("/programmes/{PROGRAMME}/360giving.json")).await;
    assert_eq!(status, 200, "{json}");
    assert_eq!(kind, "application/json");
    let package: serde_json::Value = serde_json::from_str(&json).unwrap();
    let grants = package["grants"].as_array().unwrap();
    assert_eq!(grants.len(), GRANTS);
    for g in grants {
        let id = g["id"].as_str().unwrap();
        assert!(id.starts_with(ID_PREFIX), "{id}");
        assert_eq!(g["currency"], "GBP", "{id}");
    }

    let res = app
        .client()
        .get(app.at(&format!("/programmes/{PROGRAMME}/360giving.csv")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
    assert_eq!(res.headers()["content-type"], "text/csv; charset=utf-8");
    assert_eq!(
        res.headers()["content-disposition"],
        format!("attachment; filename=\"{PROGRAMME}-360giving.csv\"")
    );
    let csv = res.text().await.unwrap();
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let titles = reader.headers().unwrap().clone();
    assert_eq!(
        titles.get(0).map(|t| t.trim_start_matches('\u{feff}')),
        Some("Identifier")
    );
    assert!(titles.iter().any(|t| t == "Amount Awarded"), "{titles:?}");
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), GRANTS);
    assert!(rows.iter().all(|r| r[0].starts_with(ID_PREFIX)));

    let dir = tempfile::tempdir().unwrap();
    let (json_file, csv_file) = (dir.path().join("grants.json"), dir.path().join("grants.csv"));
    std::fs::write(&json_file, &json).unwrap();
    std::fs::write(&csv_file, &csv).unwrap();
    let out = check(&[Path::new("--json"), &json_file, Path::new("--csv"), &csv_file]);
    assert!(out.status.success(), "the 360Giving check failed: {}", said(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains(&format!("{GRANTS} grant(s)")), "{stdout}");
    app.stop().await;
});

#[test]
fn the_check_fails_broken_360giving_data() {
    let out = check(&[Path::new("--selftest")]);
    assert!(
        out.status.success(),
        "the check's self-test failed: {}",
        said(&out)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("ok: selftest: the good package passes"),
        "{stdout}"
    );
    // Each broken case names why it fails, the impossible date among them.
    assert!(stdout.matches("ok: ").count() > 5, "{stdout}");
}

on_both!(a_programme_without_awards_says_so_for_both_files, |app| {
    let (status, kind, body) = fetch(&app, &format!("/programmes/{EMPTY}/360giving.json")).await;
    assert_eq!(status, 404, "{body}");
    assert_eq!(kind, "application/problem+json");
    let problem: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert!(problem["detail"].as_str().unwrap().contains(NO_AWARDS), "{body}");

    let (status, kind, body) = fetch(&app, &format!("/programmes/{EMPTY}/360giving.csv")).await;
    assert_eq!(status, 404);
    assert!(kind.starts_with("text/html"), "{kind}");
    assert!(body.contains("There are no grants to download yet"), "{body}");
    assert!(body.contains(NO_AWARDS), "{body}");

    let (status, _, _) = fetch(&app, "/programmes/no-such-programme/360giving.json").await;
    assert_eq!(status, 404);
    app.stop().await;
});
