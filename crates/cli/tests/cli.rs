#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests fail loudly by design.
//! The `convene` binary as people run it: bad settings give one clear line and exit code 2.
#![expect(
    clippy::unwrap_used,
    reason = "test helpers outside #[test] functions fail loudly, as tests do"
)]

use convene_domain::UserId;
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
        &["secret-key", "generate", "--help"],
        &["secret-key", "rotate", "--help"],
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

#[tokio::test]
async fn jobs_are_listed_and_run_by_name() {
    let out = convene(&["jobs", "list"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let listed = String::from_utf8_lossy(&out.stdout).to_string();
    for name in [
        "expired-sessions",
        "old-failures",
        "retention",
        "deadline-reminders",
    ] {
        assert!(listed.contains(name), "{listed}");
    }
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("jobs.sqlite").display());
    let db = convene_store::connect(&url, 1).await.unwrap();
    db.migrate().await.unwrap();
    let past = convene_domain::Timestamp(1);
    let future = convene_domain::Timestamp(i64::MAX / 2);
    convene_store::sessions::create(&db, "gone", None, "{}", past)
        .await
        .unwrap();
    convene_store::sessions::create(&db, "kept", None, "{}", future)
        .await
        .unwrap();
    db.close().await;
    let out = convene(&["jobs", "run", "expired-sessions", "--database-url", &url]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "expired-sessions: 1 expired sessions removed."
    );
    let out = convene(&["jobs", "run", "expired-sessions", "--database-url", &url]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("0 expired sessions removed"));
    let err = one_line_error(&convene(&["jobs", "run", "tidy-up", "--database-url", &url]));
    assert!(
        err.contains("no job is called \"tidy-up\"") && err.contains("retention"),
        "{err}"
    );
}

/// `convene` without any secret key in its environment.
fn convene_keyless(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_convene"))
        .args(args)
        .env_remove("CONVENE_DATABASE_URL")
        .env_remove("CONVENE_SECRET_KEY")
        .env_remove("CONVENE_SECRET_KEY_FILE")
        .output()
        .unwrap()
}

/// Writes `key` to a file readable only by its owner, as `convene secret-key generate` does.
fn key_file(dir: &std::path::Path, name: &str, key: &convene_domain::secret_box::SecretKey) -> String {
    use std::os::unix::fs::PermissionsExt;
    let path = dir.join(name);
    std::fs::write(&path, format!("{}\n", key.to_text())).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    path.display().to_string()
}

/// Two people with two-factor sign-in on, their secrets sealed with `key`; their ids and
/// secrets.
async fn people_with_two_factor(
    db: &convene_store::Db,
    key: &convene_domain::secret_box::SecretKey,
) -> Vec<(i64, String)> {
    use convene_domain::{Email, Timestamp, secret_box, two_factor};
    let mut out = Vec::new();
    for email in ["ada@example.org", "bo@example.org"] {
        let secret = two_factor::new_secret();
        let mut tx = db.begin().await.unwrap();
        let id = convene_store::users::create(
            &mut tx,
            &Email::parse(email).unwrap(),
            "Someone",
            "!",
            Timestamp(0),
        )
        .await
        .unwrap();
        let sealed = key.seal_text(&secret_box::totp_secret_context(id), &secret);
        let digests: Vec<String> = two_factor::new_recovery_codes()
            .iter()
            .map(|c| two_factor::recovery_code_digest(&secret, c).unwrap())
            .collect();
        convene_store::two_factor::enable(&mut tx, UserId(id), &sealed, 1, &digests, Timestamp(0))
            .await
            .unwrap();
        tx.commit().await.unwrap();
        out.push((id, secret));
    }
    out
}

async fn a_missing_secret_key_is_one_line_and_exit_2(backend: convene_store::testing::Backend) {
    use convene_domain::secret_box::SecretKey;
    let t = convene_store::testing::TestDb::new(backend).await;
    let dir = tempfile::tempdir().unwrap();
    let key = SecretKey::generate();
    people_with_two_factor(&t.db, &key).await;
    let serve = |extra: &[&str]| {
        let mut args = vec!["serve", "--database-url", &t.url, "--bind", "127.0.0.1:0"];
        args.extend_from_slice(extra);
        convene_keyless(&args)
    };
    let err = one_line_error(&serve(&[]));
    assert!(err.contains("holds 2 two-factor secrets"), "{err}");
    assert!(err.contains("CONVENE_SECRET_KEY"), "{err}");
    let wrong = key_file(dir.path(), "wrong.key", &SecretKey::generate());
    let err = one_line_error(&serve(&["--secret-key-file", &wrong]));
    assert!(err.contains("does not open"), "{err}");
    let bad = dir.path().join("bad.key");
    std::fs::write(&bad, "not a key\n").unwrap();
    let err = one_line_error(&serve(&["--secret-key-file", &bad.display().to_string()]));
    assert!(err.contains("32 bytes"), "{err}");
    t.remove().await;
}

#[tokio::test]
async fn a_missing_secret_key_is_one_line_and_exit_2_sqlite() {
    a_missing_secret_key_is_one_line_and_exit_2(convene_store::testing::Backend::Sqlite).await;
}

#[tokio::test]
async fn a_missing_secret_key_is_one_line_and_exit_2_postgres() {
    a_missing_secret_key_is_one_line_and_exit_2(convene_store::testing::Backend::Postgres).await;
}

async fn secret_key_rotation_re_encrypts_every_secret(backend: convene_store::testing::Backend) {
    use convene_domain::secret_box::{self, SecretKey};
    let t = convene_store::testing::TestDb::new(backend).await;
    let dir = tempfile::tempdir().unwrap();
    let old = SecretKey::generate();
    let new = SecretKey::generate();
    let people = people_with_two_factor(&t.db, &old).await;
    let old_file = key_file(dir.path(), "old.key", &old);
    let new_file = key_file(dir.path(), "new.key", &new);
    let before = convene_store::two_factor::stored_secrets(&t.db).await.unwrap();
    // The old key must be given, and be the right one; then nothing changes.
    let err = one_line_error(&convene_keyless(&[
        "secret-key",
        "rotate",
        "--new-key-file",
        &new_file,
        "--database-url",
        &t.url,
    ]));
    assert!(err.contains("current secret key"), "{err}");
    let err = one_line_error(&convene_keyless(&[
        "secret-key",
        "rotate",
        "--new-key-file",
        &old_file,
        "--secret-key-file",
        &new_file,
        "--database-url",
        &t.url,
    ]));
    assert!(err.contains("nothing was changed"), "{err}");
    assert_eq!(
        convene_store::two_factor::stored_secrets(&t.db).await.unwrap(),
        before
    );
    // Rotated: every secret opens with the new key, none with the old.
    let out = convene_keyless(&[
        "secret-key",
        "rotate",
        "--new-key-file",
        &new_file,
        "--secret-key-file",
        &old_file,
        "--database-url",
        &t.url,
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("Re-encrypted 2 two-factor secrets"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let after = convene_store::two_factor::stored_secrets(&t.db).await.unwrap();
    assert_eq!(after.len(), 2);
    for ((id, stored), (person, secret)) in after.iter().zip(&people) {
        assert_eq!(id, person);
        let context = secret_box::totp_secret_context(*id);
        assert_eq!(new.open_text(&context, stored).unwrap(), *secret);
        assert!(old.open_text(&context, stored).is_err());
        // The recovery codes' digests are keyed by the secret itself, so they still match.
    }
    // Serving now needs the new key: the old one is refused in one line.
    let err = one_line_error(&convene_keyless(&[
        "serve",
        "--database-url",
        &t.url,
        "--bind",
        "127.0.0.1:0",
        "--secret-key-file",
        &old_file,
    ]));
    assert!(err.contains("does not open"), "{err}");
    t.remove().await;
}

#[tokio::test]
async fn secret_key_rotation_re_encrypts_every_secret_sqlite() {
    secret_key_rotation_re_encrypts_every_secret(convene_store::testing::Backend::Sqlite).await;
}

#[tokio::test]
async fn secret_key_rotation_re_encrypts_every_secret_postgres() {
    secret_key_rotation_re_encrypts_every_secret(convene_store::testing::Backend::Postgres).await;
}

#[test]
fn secret_key_generate_writes_a_private_file() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("secret.key");
    let path_text = path.display().to_string();
    let out = convene_keyless(&["secret-key", "generate", "--out", &path_text]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let meta = std::fs::metadata(&path).unwrap();
    assert_eq!(meta.permissions().mode() & 0o777, 0o600);
    convene_domain::secret_box::SecretKey::parse(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let err = one_line_error(&convene_keyless(&["secret-key", "generate", "--out", &path_text]));
    assert!(err.contains("cannot write"), "never overwrites a key: {err}");
    let printed = convene_keyless(&["secret-key", "generate"]);
    convene_domain::secret_box::SecretKey::parse(&String::from_utf8_lossy(&printed.stdout)).unwrap();
}

/// Runs `convene demo` on `database` until /health answers, then stops it with SIGTERM.
fn run_demo_once(database: &std::path::Path) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new(env!("CARGO_BIN_EXE_convene"))
        .args(["demo", "--port", &port.to_string(), "--database"])
        .arg(database)
        .env_remove("CONVENE_SECRET_KEY")
        .env_remove("CONVENE_SECRET_KEY_FILE")
        .env_remove("CONVENE_PORT")
        .env_remove("CONVENE_DEMO_DATABASE")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut answered = false;
    for _ in 0..600 {
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
    assert!(
        Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status()
            .unwrap()
            .success()
    );
    let out = child.wait_with_output().unwrap();
    assert!(
        answered,
        "the demo answers: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn demo_makes_a_private_key_beside_its_database_and_reuses_it() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("demo.sqlite");
    run_demo_once(&database);
    let key_path = dir.path().join("demo.key");
    let meta = std::fs::metadata(&key_path).expect("the demo wrote demo.key");
    assert_eq!(meta.permissions().mode() & 0o777, 0o600);
    let first = std::fs::read_to_string(&key_path).unwrap();
    convene_domain::secret_box::SecretKey::parse(&first).unwrap();
    run_demo_once(&database);
    assert_eq!(std::fs::read_to_string(&key_path).unwrap(), first, "reused");
}
