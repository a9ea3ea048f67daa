#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests fail loudly by design.
//! The `convene` binary as people run it: bad settings give one clear line and exit code 2.
#![expect(
    clippy::unwrap_used,
    reason = "test helpers outside #[test] functions fail loudly, as tests do"
)]

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn convene(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_convene"))
        .args(args)
        .env_remove("CONVENE_DATABASE_URL")
        .output()
        .unwrap()
}

fn one_line_error(out: &Output) -> String {
    assert_eq!(
        out.status.code(),
        Some(2),
        "exit code 2; stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    let lines: Vec<&str> = err.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "one line on stderr, got: {err}");
    assert!(!err.contains("panicked"), "{err}");
    err
}

#[test]
fn every_subcommand_has_help() {
    for args in [
        &["--help"][..],
        &["demo", "--help"],
        &["serve", "--help"],
        &["migrate", "--help"],
        &["user", "add", "--help"],
    ] {
        let out = convene(args);
        assert!(out.status.success(), "{args:?}");
        assert!(String::from_utf8_lossy(&out.stdout).contains("Usage"), "{args:?}");
    }
}

#[test]
fn malformed_database_url_is_one_line_and_exit_2() {
    let err = one_line_error(&convene(&["migrate", "--database-url", "mysql://nope"]));
    assert!(err.contains("must start with sqlite:// or postgres://"), "{err}");
}

#[test]
fn unreachable_database_is_one_line_and_exit_2() {
    let err = one_line_error(&convene(&[
        "migrate",
        "--database-url",
        "postgres://nobody@127.0.0.1:1/none",
    ]));
    assert!(err.contains("cannot reach the database"), "{err}");
}

#[test]
fn port_in_use_is_one_line_and_exit_2() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let dir = std::env::temp_dir().join(format!("convene-cli-port-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}", dir.join("db.sqlite").display());
    let err = one_line_error(&convene(&["serve", "--database-url", &url, "--bind", &addr]));
    assert!(err.contains("cannot listen on"), "{err}");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn user_add_creates_an_account_with_a_scoped_role() {
    let dir = std::env::temp_dir().join(format!("convene-cli-user-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}", dir.join("db.sqlite").display());
    assert!(convene(&["migrate", "--database-url", &url]).status.success());
    let add = |email: &str, role: &str, extra: &[&str], password: &str| {
        let mut child = Command::new(env!("CARGO_BIN_EXE_convene"))
            .args([
                "user",
                "add",
                "--email",
                email,
                "--name",
                "Sam Sampleton",
                "--role",
                role,
                "--password-stdin",
                "--database-url",
                &url,
            ])
            .args(extra)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(format!("{password}\n").as_bytes())
            .unwrap();
        child.wait_with_output().unwrap()
    };
    let ok = add("sam@example.org", "enabler", &[], "a long enough passphrase");
    assert!(ok.status.success(), "{}", String::from_utf8_lossy(&ok.stderr));
    assert!(
        String::from_utf8_lossy(&ok.stdout).contains("Created Sam Sampleton (sam@example.org) as Enabler")
    );
    let again = add("sam@example.org", "enabler", &[], "a long enough passphrase");
    assert!(one_line_error(&again).contains("already exists"));
    let short = add("short@example.org", "enabler", &[], "short");
    assert!(one_line_error(&short).contains("12 characters"));
    let unscoped = add(
        "admin@example.org",
        "programme_admin",
        &[],
        "a long enough passphrase",
    );
    assert!(one_line_error(&unscoped).contains("--programme"));
    let unknown = add("x@example.org", "sponsor", &[], "a long enough passphrase");
    assert!(one_line_error(&unknown).contains("unknown role"));
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn serve_answers_health_and_stops_cleanly_on_sigterm() {
    let dir = std::env::temp_dir().join(format!("convene-cli-serve-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}", dir.join("db.sqlite").display());
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new(env!("CARGO_BIN_EXE_convene"))
        .args([
            "serve",
            "--database-url",
            &url,
            "--bind",
            &format!("127.0.0.1:{port}"),
            "--log-format",
            "json",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut answered = false;
    for _ in 0..100 {
        if let Ok(mut s) = std::net::TcpStream::connect(("127.0.0.1", port)) {
            use std::io::Read;
            s.write_all(b"GET /health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
                .unwrap();
            let mut reply = String::new();
            let _ = s.read_to_string(&mut reply);
            answered = reply.starts_with("HTTP/1.1 200");
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert!(answered, "/health answers 200");
    assert!(
        Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status()
            .unwrap()
            .success()
    );
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "exits 0 after SIGTERM");
    let logs = String::from_utf8_lossy(&out.stderr);
    assert!(
        logs.lines().all(|l| l.trim().is_empty() || l.starts_with('{')),
        "JSON logs: {logs}"
    );
    assert!(logs.contains("shutting down"), "{logs}");
    let _ = std::fs::remove_dir_all(dir);
}

fn import(kind: &str, file: &std::path::Path, url: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_convene"))
        .args(["import", kind])
        .arg(file)
        .args(["--database-url", url])
        .output()
        .unwrap()
}

async fn import_reports_every_bad_row_and_imports_nothing(backend: convene_store::testing::Backend) {
    let t = convene_store::testing::TestDb::new(backend).await;
    let dir = std::env::temp_dir().join(format!("convene-cli-import-{}-{backend:?}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("bad.csv");
    std::fs::write(
        &bad,
        "org_id,name,kind\nGB-LAE-BRK,Brackenford Council,council\nnot-an-id,,council\nGB-CHC-1234567,Fenwick Trust,club\n",
    )
    .unwrap();
    let out = import("organisations", &bad, &t.url);
    assert_eq!(out.status.code(), Some(2));
    let report = String::from_utf8_lossy(&out.stderr);
    assert!(report.contains("nothing was imported"), "{report}");
    assert!(report.contains("line 3, org_id:"), "{report}");
    assert!(
        report.contains("line 3, name: Enter the organisation's name"),
        "{report}"
    );
    assert!(report.contains("line 4, kind:"), "{report}");
    let mut tx = t.db.begin().await.unwrap();
    assert_eq!(
        convene_store::organisations::organisation_id(&mut tx, "GB-LAE-BRK")
            .await
            .unwrap(),
        None,
        "the good row was not imported either"
    );
    drop(tx);

    let good = dir.join("good.csv");
    std::fs::write(
        &good,
        "org_id,name,kind\nGB-LAE-BRK,Brackenford Council,council\n",
    )
    .unwrap();
    let out = import("organisations", &good, &t.url);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("Imported 1 organisations"));
    let places = dir.join("places.csv");
    std::fs::write(
        &places,
        "reference,name,kind,ons_code,region,hwb_chair_name,hwb_chair_email,accountable_org_id,partner_org_ids\n\
         PL-0100,Brackenford,council,E06000999,North West,Robin Chairwell,robin@brackenford.example.org,GB-LAE-BRK,GB-LAE-BRK\n",
    )
    .unwrap();
    let out = import("places", &places, &t.url);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let place = convene_store::programmes::place_by_reference(&t.db, "PL-0100")
        .await
        .unwrap();
    assert!(place.is_some());
    let missing = dir.join("missing.csv");
    std::fs::write(&missing, "org_id,name\nGB-LAE-X,X\n").unwrap();
    assert!(one_line_error(&import("organisations", &missing, &t.url)).contains("has no column kind"));
    let _ = std::fs::remove_dir_all(dir);
    t.remove().await;
}

#[tokio::test]
async fn import_all_or_nothing_sqlite() {
    import_reports_every_bad_row_and_imports_nothing(convene_store::testing::Backend::Sqlite).await;
}

#[tokio::test]
async fn import_all_or_nothing_postgres() {
    import_reports_every_bad_row_and_imports_nothing(convene_store::testing::Backend::Postgres).await;
}

#[test]
fn retention_run_reports_each_rule() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("retention.sqlite").display());
    let out = convene(&["migrate", "--database-url", &url]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let out = convene(&["retention", "run", "--database-url", &url]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("No programme has a retention rule."));
    let err = one_line_error(&convene(&["retention", "run", "--database-url", "mysql://nope"]));
    assert!(err.contains("must start with sqlite:// or postgres://"), "{err}");
}
