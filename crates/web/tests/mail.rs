#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests fail loudly by design.
//! Email goes out through a real SMTP server, and a server that is down loses nothing.

mod common;

use common::{Options, SmtpSink, TestApp, free_port};
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
