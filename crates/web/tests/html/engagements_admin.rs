//! The programme's admins' engagement pages for the Nu HTML Checker: the programme's table
//! of engagements, an engagement with the form to end it early, and that form with every
//! error shown.

use crate::common::TestApp;
use convene_store::enablers::engagements;

const PRIYA: &str = "priya.programme@example.org";

/// Adds the pages under their names.
pub async fn collect(app: &TestApp, pages: &mut Vec<(String, String)>) {
    let db = &app.state.db;
    let place = app.place_id("PL-0001").await;
    let lv = convene_store::programmes::by_slug(db, "local-vision")
        .await
        .unwrap()
        .unwrap();
    let engagement = engagements::of_programme(db, lv.id)
        .await
        .unwrap()
        .into_iter()
        .find(|e| e.place_id.0 == place)
        .unwrap()
        .id;
    let admin = app.signed_in(PRIYA).await;
    let (status, html) = app.get(&admin, "/programmes/local-vision/engagements").await;
    assert_eq!(status, 200, "{html}");
    pages.push(("engagements table".into(), html));
    let page = format!("/engagements/{engagement}");
    let (_, html) = app.get(&admin, &page).await;
    assert!(html.contains("End this engagement early"), "{html}");
    pages.push(("engagement as priya".into(), html));
    let fields = [
        ("end_date_day", "31"),
        ("end_date_month", "2"),
        ("end_date_year", "2014"),
        ("enabler", ""),
        ("start_date_day", "1"),
    ];
    let res = app
        .post_form(&admin, &page, &format!("{page}/end"), &fields)
        .await;
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    assert!(
        html.contains("href=\"#end_date_day\"") && html.contains("href=\"#enabler\""),
        "{html}"
    );
    pages.push(("end early errors".into(), html));
}
