#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests fail loudly by design.
//! Finding: erasure matched sessions and mail with unescaped `LIKE` patterns. A person who
//! registered as `%%%%%` (or `_____`) and asked to be erased took every session and every
//! mail with them; erasing `j_smith@example.org` also erased what mentions
//! `jasmith@example.org`. Now `%`, `_` and the escape character stand for themselves, and
//! an erasure touches nothing of anyone else.

use crate::common::*;
use convene_domain::UserId;
use convene_domain::policy::Principal;
use convene_domain::{Clock, Email};
use convene_store::personal_data::{self, Erased};
use convene_store::{outbox, sessions, users};
use std::collections::HashMap;

const SERVICE_ADMIN: &str = "ada.admin@example.org";
const LEAD: &str = "lee.lead@example.org";
const PROGRAMME_ADMIN: &str = "priya.programme@example.org";

/// A person the test makes.
struct Person {
    id: i64,
    name: String,
    email: String,
}

/// An account holding `email`, with the demo password, a mail that names them and their
/// address, and a session holding a passing mention of both (as a notice not yet shown
/// does), besides the session of signing in.
async fn person(app: &TestApp, name: &str, email: &str) -> (Person, reqwest::Client) {
    let demo = users::by_email(&app.state.db, &Email::parse(LEAD).unwrap())
        .await
        .unwrap()
        .unwrap();
    let now = app.clock.now();
    let mut tx = app.state.db.begin().await.unwrap();
    let id = users::create(
        &mut tx,
        &Email::parse(email).unwrap(),
        name,
        &demo.password_hash,
        now,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let client = app.signed_in(email).await;
    let someone = Person {
        id,
        name: name.into(),
        email: email.into(),
    };
    mentioned(app, &someone).await;
    (someone, client)
}

/// A mail to the person naming them and their address, and a session of theirs that
/// mentions both.
async fn mentioned(app: &TestApp, who: &Person) {
    let now = app.clock.now();
    let mut tx = app.state.db.begin().await.unwrap();
    outbox::enqueue(
        &mut tx,
        &who.email,
        "Your Convene account",
        &format!(
            "Dear {},\n\nYour address {} is confirmed.\n\nConvene",
            who.name, who.email
        ),
        now,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let data = serde_json::json!({ "notice": format!("A link was sent to {} ({})", who.email, who.name) });
    assert!(
        sessions::create(
            &app.state.db,
            &format!("attack-erasure-{}", who.id),
            Some(who.id),
            &data.to_string(),
            now.plus_seconds(3600),
        )
        .await
        .unwrap()
    );
}

/// A demo person signed in, with a mail and a session that mention them.
async fn bystander(app: &TestApp, email: &str) -> (Person, reqwest::Client) {
    let user = users::by_email(&app.state.db, &Email::parse(email).unwrap())
        .await
        .unwrap()
        .unwrap();
    let client = app.signed_in(email).await;
    let someone = Person {
        id: user.id.0,
        name: user.name,
        email: user.email,
    };
    mentioned(app, &someone).await;
    (someone, client)
}

/// Rows by table, counted (a multiset of the whole database).
async fn dump(app: &TestApp) -> HashMap<(String, String), usize> {
    let mut out = HashMap::new();
    for row in convene_store::testing::dump_all_text(&app.state.db)
        .await
        .unwrap()
    {
        *out.entry(row).or_insert(0) += 1;
    }
    out
}

/// The rows of `a` not in `b` (by count).
fn minus(
    a: &HashMap<(String, String), usize>,
    b: &HashMap<(String, String), usize>,
) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (row, n) in a {
        for _ in b.get(row).copied().unwrap_or(0)..*n {
            out.push(row.clone());
        }
    }
    out.sort();
    out
}

/// True when the row names `who` by name or address.
fn names(row: &str, who: &Person) -> bool {
    row.to_lowercase().contains(&who.email.to_lowercase()) || row.contains(&who.name)
}

/// Erases `subject` as a service admin does (the path the page and the API share), and
/// asserts that only the subject's rows changed, that the subject is gone, and that every
/// `bystander` keeps their sessions and mail.
async fn erase_and_check(app: &TestApp, subject: &Person, bystanders: &[(Person, reqwest::Client)]) {
    let now = app.clock.now();
    let sessions_of = |id: i64| sessions::count_for_user(&app.state.db, UserId(id), now);
    let their_sessions = sessions_of(subject.id).await.unwrap();
    assert!(their_sessions >= 2, "the subject has sessions to lose");
    let mut others = Vec::new();
    for (who, _) in bystanders {
        others.push(sessions_of(who.id).await.unwrap());
    }
    let before = dump(app).await;
    let admin = users::by_email(&app.state.db, &Email::parse(SERVICE_ADMIN).unwrap())
        .await
        .unwrap()
        .unwrap();
    let principal = Principal {
        user_id: admin.id,
        grants: users::grants(&app.state.db, admin.id).await.unwrap(),
    };
    let found = personal_data::subject_by_email(&app.state.db, &subject.email)
        .await
        .unwrap();
    assert_eq!(found.user_id, Some(subject.id));
    let outcome = convene_web::personal_data::erase_subject(&app.state, &principal, &found)
        .await
        .unwrap();
    assert_eq!(outcome, Erased::Done);
    let after = dump(app).await;

    // What went (or changed) is the subject's: rows naming them, and their own sessions
    // (every one of them, and no other).
    let gone = minus(&before, &after);
    for (table, row) in &gone {
        assert!(
            table == "sessions" || names(row, subject),
            "{}: a row of someone else changed: {table}: {row}",
            subject.email
        );
    }
    let sessions_gone = gone.iter().filter(|(table, _)| table == "sessions").count();
    assert_eq!(
        sessions_gone as i64, their_sessions,
        "{}: only the subject's sessions went: {gone:#?}",
        subject.email
    );
    // What came is the erasure's own record and the subject's rows, as a former member.
    for (table, row) in minus(&after, &before) {
        assert!(
            (table == "audit_log" && row.contains("person_erased")) || row.contains("erased"),
            "{}: a row appeared or changed that is not the erasure's: {table}: {row}",
            subject.email
        );
    }
    // The subject is gone.
    assert_eq!(sessions_of(subject.id).await.unwrap(), 0);
    let left: Vec<_> = after.keys().filter(|(_, row)| names(row, subject)).collect();
    assert!(left.is_empty(), "{}: still named: {left:#?}", subject.email);
    // Everyone else keeps their sessions, their mail and their sign-in.
    for ((who, client), had) in bystanders.iter().zip(others) {
        assert_eq!(
            sessions_of(who.id).await.unwrap(),
            had,
            "{} keeps every session",
            who.email
        );
        let mail = outbox::recent(&app.state.db, 500).await.unwrap();
        assert!(
            mail.iter().any(|m| m.to_address == who.email
                && m.body_text.contains(&who.email)
                && m.body_text.contains(&who.name)),
            "{} keeps the mail that names them",
            who.email
        );
        let (status, _) = app.get(client, "/dashboard").await;
        assert_eq!(status, 200, "{} is still signed in", who.email);
    }
}

crate::on_both!(erasure_of_percent_name_touches_no_one_else, |app| {
    let bystanders = vec![
        bystander(&app, LEAD).await,
        bystander(&app, PROGRAMME_ADMIN).await,
    ];
    let (subject, _) = person(&app, "%%%%%", "percent.person@example.org").await;
    erase_and_check(&app, &subject, &bystanders).await;
    app.stop().await;
});

crate::on_both!(erasure_of_underscore_name_touches_no_one_else, |app| {
    let bystanders = vec![
        bystander(&app, LEAD).await,
        bystander(&app, PROGRAMME_ADMIN).await,
    ];
    let (subject, _) = person(&app, "_____", "underscore.person@example.org").await;
    erase_and_check(&app, &subject, &bystanders).await;
    app.stop().await;
});

crate::on_both!(erasure_of_underscore_address_touches_no_one_else, |app| {
    let mut bystanders = vec![
        bystander(&app, LEAD).await,
        bystander(&app, PROGRAMME_ADMIN).await,
    ];
    bystanders.push(person(&app, "Jasper Asmith", "jasmith@example.org").await);
    let (subject, _) = person(&app, "Jocasta Smithfield", "j_smith@example.org").await;
    erase_and_check(&app, &subject, &bystanders).await;
    app.stop().await;
});
