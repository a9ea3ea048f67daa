//! The engagement pages for the Nu HTML Checker: each person's list, an engagement as its
//! enabler sees it (with the log form, then with every contact error) and as its place's
//! lead sees it, and the lead's query form with its error.

use crate::common::TestApp;
use convene_store::enablers::engagements;

const EDEN: &str = "eden.enabler@example.org";
const LEE: &str = "lee.lead@example.org";

/// Adds the pages under their names.
pub async fn collect(app: &TestApp, pages: &mut Vec<(String, String)>) {
    let db = &app.state.db;
    let lee_email = convene_domain::Email::parse(LEE).unwrap();
    let lee_id = convene_store::users::by_email(db, &lee_email)
        .await
        .unwrap()
        .unwrap()
        .id;
    let place = app.place_id("PL-0001").await;
    let theirs = engagements::of_person(db, lee_id).await.unwrap();
    let engagement = theirs.iter().find(|e| e.place_id.0 == place).unwrap().id;
    let entry = engagements::contact(db, engagement).await.unwrap()[0].id;
    let page = format!("/engagements/{engagement}");

    let eden = app.signed_in(EDEN).await;
    for (label, path) in [
        ("engagements as eden", "/engagements"),
        ("engagement as eden", page.as_str()),
    ] {
        let (status, html) = app.get(&eden, path).await;
        assert_eq!(status, 200, "{path}: {html}");
        pages.push((label.into(), html));
    }
    let fields = [
        ("date_day", "31"),
        ("date_month", "2"),
        ("date_year", "2014"),
        ("hours", "lots"),
        ("notes", "x"),
    ];
    let res = app.post_form(&eden, &page, &page, &fields).await;
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    assert!(html.contains("Choose what kind of contact it was"), "{html}");
    assert!(
        html.contains("href=\"#date_day\""),
        "the summary points at the day's box: {html}"
    );
    pages.push(("engagement contact errors".into(), html));

    let lee = app.signed_in(LEE).await;
    let (_, html) = app.get(&lee, &page).await;
    assert!(
        html.contains("/query\">Query"),
        "the lead may query entries: {html}"
    );
    pages.push(("engagement as lee".into(), html));
    let query = format!("{page}/entries/{entry}/query");
    pages.push(("query form".into(), app.get(&lee, &query).await.1));
    let res = app.post_form(&lee, &query, &query, &[("reason", "")]).await;
    pages.push(("query form errors".into(), res.text().await.unwrap()));
    let admin = app.signed_in("priya.programme@example.org").await;
    pages.push((
        "engagements as priya".into(),
        app.get(&admin, "/engagements").await.1,
    ));
}
