#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests fail loudly by design.
//! Email goes out through a real SMTP server, and a server that is down loses nothing.

mod common;

use common::{Options, SmtpSink, TestApp, free_port};
use convene_domain::links::LINK_REMOVED;
use convene_store::testing::Backend;

async fn reset_password_mail(backend: Backend) {
    let sink = SmtpSink::start(0).await;
    let options = Options {
        smtp_url: Some(format!("smtp://127.0.0.1:{}", sink.port)),
        ..Options::default()
    };
    let app = TestApp::spawn_with(backend, options).await;
    let client = app.client();
    app.post_form(
        &client,
        "/forgot-password",
        "/forgot-password",
        &[("email", "lee.lead@example.org")],
    )
    .await;
    let messages = sink.wait_for(1).await;
    assert_eq!(messages.len(), 1, "{backend:?}: one message delivered");
    assert!(
        messages[0].contains("To: lee.lead@example.org"),
        "{}",
        messages[0]
    );
    assert!(messages[0].contains("Subject: Reset your Convene password"));
    assert!(messages[0].contains("/reset-password/"));
    // The worker records the send just after the server has the message.
    let mut recorded = false;
    for _ in 0..100 {
        let outbox = convene_store::outbox::recent(&app.state.db, 5).await.unwrap();
        if outbox[0].sent_at.is_some() {
            recorded = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(recorded, "{backend:?}: the outbox records the send");
    app.stop().await;
}

#[tokio::test]
async fn mail_is_delivered_over_smtp_sqlite() {
    reset_password_mail(Backend::Sqlite).await;
}

#[tokio::test]
async fn mail_is_delivered_over_smtp_postgres() {
    reset_password_mail(Backend::Postgres).await;
}

async fn server_down_loses_nothing(backend: Backend) {
    let port = free_port();
    let options = Options {
        smtp_url: Some(format!("smtp://127.0.0.1:{port}")),
        ..Options::default()
    };
    let app = TestApp::spawn_with(backend, options).await;
    let client = app.client();
    app.post_form(
        &client,
        "/forgot-password",
        "/forgot-password",
        &[("email", "lee.lead@example.org")],
    )
    .await;
    // With nothing listening, the attempt fails and the message waits with its error.
    app.wait_for_mail("lee.lead@example.org", "/reset-password/")
        .await;
    let mut failed = None;
    for _ in 0..100 {
        let m = convene_store::outbox::recent(&app.state.db, 1)
            .await
            .unwrap()
            .remove(0);
        if m.attempts > 0 {
            failed = Some(m);
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let failed = failed.expect("the worker tried to send");
    assert!(
        failed.sent_at.is_none() && failed.last_error.is_some(),
        "{backend:?}: {failed:?}"
    );
    // The server comes up; once the retry is due the message goes.
    let sink = SmtpSink::start(port).await;
    app.clock.set(app.clock_now_plus(31));
    app.state.mail_wake.notify_one();
    let messages = sink.wait_for(1).await;
    assert_eq!(
        messages.len(),
        1,
        "{backend:?}: delivered after the server came back"
    );
    assert!(messages[0].contains("To: lee.lead@example.org"));
    app.stop().await;
}

#[tokio::test]
async fn smtp_down_then_up_sqlite() {
    server_down_loses_nothing(Backend::Sqlite).await;
}

#[tokio::test]
async fn smtp_down_then_up_postgres() {
    server_down_loses_nothing(Backend::Postgres).await;
}

/// A raw message as a mail program reads it (Python's `email` package): its content type
/// and each leaf part's type and decoded text.
fn mime_parts(raw: &str) -> (String, Vec<(String, String)>) {
    use std::io::Write;
    let script = "import email, json, sys\n\
        m = email.message_from_string(sys.stdin.read())\n\
        parts = [[p.get_content_type(), p.get_payload(decode=True).decode(p.get_content_charset() or 'ascii')]\n\
                 for p in m.walk() if not p.is_multipart()]\n\
        print(json.dumps([m.get_content_type(), parts]))";
    let mut child = std::process::Command::new("/usr/bin/python3")
        .args(["-c", script])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(raw.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "python could not read the message");
    serde_json::from_slice(&out.stdout).unwrap()
}

/// A message from templates goes as multipart/alternative, text then HTML, with the same
/// link in both; once sent, neither stored part keeps the secret link.
async fn templated_mail_has_both_parts(backend: Backend) {
    let sink = SmtpSink::start(0).await;
    let options = Options {
        smtp_url: Some(format!("smtp://127.0.0.1:{}", sink.port)),
        ..Options::default()
    };
    let app = TestApp::spawn_with(backend, options).await;
    let secret = "3f9a0c1b2d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f6071829304a5b6c7d8";
    let link = format!("{}/reset-password/{secret}", app.url);
    let mut work = app.state.begin(None).await.unwrap();
    work.send(&convene_app::mail::PasswordReset {
        to: "lee.lead@example.org".into(),
        name: "Lee O'Lead".into(),
        link: link.clone(),
    })
    .await
    .unwrap();
    work.commit().await.unwrap();
    let messages = sink.wait_for(1).await;
    assert_eq!(messages.len(), 1, "{backend:?}: one message delivered");
    assert!(messages[0].contains("Subject: Reset your Convene password"));
    let (kind, parts) = mime_parts(&messages[0]);
    assert_eq!(kind, "multipart/alternative", "{backend:?}: {}", messages[0]);
    let kinds: Vec<&str> = parts.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(
        kinds,
        ["text/plain", "text/html"],
        "{backend:?}: text first, then HTML"
    );
    let (text, html) = (&parts[0].1, &parts[1].1);
    assert!(
        text.starts_with("Dear Lee O'Lead,") && text.contains(&format!("\n{link}\n")),
        "{text}"
    );
    assert!(html.contains("Dear Lee O&#39;Lead,"), "{html}");
    assert!(
        html.contains(&format!("<a href=\"{link}\"")),
        "{backend:?}: the same link: {html}"
    );
    // Once the send is recorded, both stored parts have lost the link.
    let mut stored = None;
    for _ in 0..100 {
        let m = convene_store::outbox::recent(&app.state.db, 1)
            .await
            .unwrap()
            .remove(0);
        if m.sent_at.is_some() {
            stored = Some(m);
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let stored = stored.expect("the outbox records the send");
    let html = stored.body_html.unwrap_or_default();
    for part in [&stored.body_text, &html] {
        assert!(
            !part.contains(secret) && part.contains(LINK_REMOVED),
            "{backend:?}: {part}"
        );
    }
    app.stop().await;
}

#[tokio::test]
async fn templated_mail_is_multipart_alternative_sqlite() {
    templated_mail_has_both_parts(Backend::Sqlite).await;
}

#[tokio::test]
async fn templated_mail_is_multipart_alternative_postgres() {
    templated_mail_has_both_parts(Backend::Postgres).await;
}

/// The demo's outbox page shows a message's text, and its HTML part as source (escaped,
/// so it is shown, not drawn into the page).
#[tokio::test]
async fn the_demo_outbox_shows_both_parts() {
    let app = TestApp::spawn_demo().await;
    let mut work = app.state.begin(None).await.unwrap();
    work.send(&convene_app::mail::RoleRequestWaiting {
        to: "ada.admin@example.org".into(),
        what: "act for Westermoor <Hill>".into(),
        link: format!("{}/requests/1", app.url),
    })
    .await
    .unwrap();
    work.commit().await.unwrap();
    let (status, page) = app.get(&app.client(), "/dev/mail").await;
    assert_eq!(status, 200);
    if let Ok(path) = std::env::var("CONVENE_DUMP_DEV_MAIL") {
        std::fs::write(path, &page).unwrap();
    }
    assert!(
        page.contains("Someone has asked to act for Westermoor &#60;Hill&#62;."),
        "{page}"
    );
    assert!(page.contains("HTML part (source)"), "{page}");
    assert!(
        page.contains("&#60;!DOCTYPE html&#62;") && page.contains("Westermoor &#38;#60;Hill&#38;#62;"),
        "the HTML part is shown as source: {page}"
    );
    app.stop().await;
}
