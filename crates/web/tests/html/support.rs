//! The support offers' pages for the Nu HTML Checker: the programme's page (empty, with an
//! offer's errors, with a request waiting and a decision's error) and a funded place's page
//! (with its request's errors).

use crate::common::TestApp;
use convene_domain::awards::AwardStatus;

const PRIYA: &str = "priya.programme@example.org";
const LEE: &str = "lee.lead@example.org";
const PAGE: &str = "/programmes/local-vision/support";

/// Adds the pages under their names.
pub async fn collect(app: &TestApp, pages: &mut Vec<(String, String)>) {
    let db = &app.state.db;
    let lv = convene_store::programmes::by_slug(db, "local-vision")
        .await
        .unwrap()
        .unwrap()
        .id;
    let westermoor = app.place_id("PL-0001").await;
    let award = convene_store::awards::of_programme(db, lv)
        .await
        .unwrap()
        .into_iter()
        .find(|a| a.place_id.0 == westermoor && a.status == AwardStatus::Accepted)
        .unwrap()
        .id;
    let admin = app.signed_in(PRIYA).await;
    pages.push(("support offers, none".into(), app.get(&admin, PAGE).await.1));
    let res = app
        .post_form(&admin, PAGE, PAGE, &[("name", ""), ("units", "0")])
        .await;
    assert_eq!(res.status(), 200);
    pages.push(("support offer errors".into(), res.text().await.unwrap()));
    let offer = [
        ("kind", "national_programme"),
        ("name", "Leading across boundaries"),
        ("partner", ""),
        ("units", "4"),
    ];
    let res = app.post_form(&admin, PAGE, PAGE, &offer).await;
    assert_eq!(res.status(), 303);
    let offer = convene_store::enablers::support::offers(db, lv).await.unwrap()[0].id;

    let lee = app.signed_in(LEE).await;
    let own = format!("/awards/{award}/support");
    pages.push(("place support".into(), app.get(&lee, &own).await.1));
    let offer = offer.to_string();
    let res = app
        .post_form(&lee, &own, &own, &[("offer", offer.as_str()), ("units", "9")])
        .await;
    assert_eq!(res.status(), 200);
    pages.push(("place support errors".into(), res.text().await.unwrap()));
    let ask = [
        ("offer", offer.as_str()),
        ("units", "1"),
        ("note", "For the chief executive"),
    ];
    let res = app.post_form(&lee, &own, &own, &ask).await;
    assert_eq!(res.status(), 303);
    pages.push(("place support asked".into(), app.get(&lee, &own).await.1));

    let request = convene_store::enablers::support::requests_of_award(db, award)
        .await
        .unwrap()[0]
        .id;
    pages.push(("support offers, waiting".into(), app.get(&admin, PAGE).await.1));
    let decide = format!("{PAGE}/requests/{request}");
    let res = app
        .post_form(&admin, PAGE, &decide, &[("decision", "decline")])
        .await;
    assert_eq!(res.status(), 200);
    pages.push(("support decision errors".into(), res.text().await.unwrap()));
    let res = app
        .post_form(&admin, PAGE, &decide, &[("decision", "approve")])
        .await;
    assert_eq!(res.status(), 303);
    pages.push(("support offers, decided".into(), app.get(&admin, PAGE).await.1));
}
