#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests fail loudly by design.
//! Retention rules on both stores: an admin sets them (bad numbers refused beside the
//! field), a run removes what is due and nothing else, and each run is logged with counts.

mod common;

use convene_domain::retention::RetentionKind;
use convene_store::applications;
use convene_store::retention;

const ADMIN: &str = "priya.programme@example.org";
const LEAD: &str = "lee.lead@example.org";
const PAGE: &str = "/programmes/local-vision/retention";

async fn statuses(app: &common::TestApp) -> Vec<String> {
    let rows = convene_store::testing::dump_all_text(&app.state.db)
        .await
        .unwrap();
    let mut out: Vec<String> = rows
        .into_iter()
        .filter(|(t, _)| t == "applications")
        .map(|(_, row)| {
            ["draft", "awaiting_signoff", "submitted", "withdrawn"]
                .into_iter()
                .find(|s| row.contains(&format!("\"{s}\"")) || row.contains(&format!("| {s} |")))
                .unwrap_or("?")
                .to_string()
        })
        .collect();
    out.sort();
    out
}

async fn section_rows(app: &common::TestApp) -> usize {
    let rows = convene_store::testing::dump_all_text(&app.state.db)
        .await
        .unwrap();
    rows.iter().filter(|(t, _)| t == "application_sections").count()
}

on_both!(retention_rules_remove_what_is_due_and_log_each_run, |app| {
    let admin = app.signed_in(ADMIN).await;
    let (status, page) = app.get(&admin, PAGE).await;
    assert_eq!(status, 200);
    assert!(page.contains("The rules have not run yet"));
    // Bad numbers are refused beside the field, and what was typed is kept.
    let res = app
        .post_form(
            &admin,
            PAGE,
            PAGE,
            &[
                ("unsubmitted_applications", "a year"),
                ("withdrawn_applications", "7"),
            ],
        )
        .await;
    let html = res.text().await.unwrap();
    assert!(
        html.contains("Enter a whole number of days") && html.contains("between 30 and 3,653"),
        "{html}"
    );
    assert!(html.contains("value=\"a year\""));
    assert!(
        retention::rules(&app.state.db, Some(1)).await.unwrap().is_empty(),
        "nothing saved"
    );
    let res = app
        .post_form(
            &admin,
            PAGE,
            PAGE,
            &[
                ("unsubmitted_applications", "365"),
                ("withdrawn_applications", ""),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    let programme = convene_store::programmes::by_slug(&app.state.db, "local-vision")
        .await
        .unwrap()
        .unwrap();
    let rules = retention::rules(&app.state.db, Some(programme.id.0))
        .await
        .unwrap();
    assert_eq!(rules.len(), 1);
    assert_eq!(rules[0].kind, RetentionKind::UnsubmittedApplications);
    // The 2013 round closed in May 2013, so its draft and its application waiting for
    // sign-off are due; the submitted and withdrawn ones stay.
    let before = statuses(&app).await;
    assert!(
        before.contains(&"draft".to_string()) && before.contains(&"awaiting_signoff".to_string()),
        "{before:?}"
    );
    let sections_before = section_rows(&app).await;
    let lines = retention::run_all(&app.state.db, common::now(), "command")
        .await
        .unwrap();
    let removed: i64 = lines
        .iter()
        .filter(|(r, _)| r.programme_id == programme.id)
        .map(|(_, n)| n)
        .sum();
    assert_eq!(removed, 2);
    let after = statuses(&app).await;
    assert!(
        !after.contains(&"draft".to_string()) && !after.contains(&"awaiting_signoff".to_string()),
        "{after:?}"
    );
    assert!(after.contains(&"submitted".to_string()) && after.contains(&"withdrawn".to_string()));
    assert!(
        applications::by_reference(&app.state.db, "LV-2013-0001")
            .await
            .unwrap()
            .is_some()
    );
    // Their answers went with them.
    assert!(
        section_rows(&app).await < sections_before,
        "answers removed with their applications"
    );
    // A second run finds nothing, and both runs are logged with their counts.
    let again = retention::run_all(&app.state.db, common::now(), "scheduler")
        .await
        .unwrap();
    assert!(again.iter().all(|(_, n)| *n == 0));
    let (_, page) = app.get(&admin, PAGE).await;
    assert!(
        page.contains("Applications never submitted")
            && page.contains("Daily run")
            && page.contains("Command"),
        "{page}"
    );
    assert!(
        retention::last_run_by(&app.state.db, "scheduler")
            .await
            .unwrap()
            .is_some()
    );
    // A place lead may not change the rules.
    let lead = app.signed_in(LEAD).await;
    let (status, _) = app.get(&lead, PAGE).await;
    assert_eq!(status, 403);
    app.stop().await;
});
