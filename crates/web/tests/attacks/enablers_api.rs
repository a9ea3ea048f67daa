//! Enablers through the API, tried at their seams: a lead reading another place's
//! engagement or querying its entry (through it or through their own), an enabler or a
//! lead settling a query, and a place lead reading, running or confirming the matching. The
//! demo's 2013–14 year: lee leads Westermoor (PL-0001), supported by eden.

use crate::common::*;
use convene_domain::Email;
use convene_store::enablers::engagements::{self, Engagement};
use convene_store::enablers::queries;
use serde_json::{Value, json};

const LEE: &str = "lee.lead@example.org";
const EDEN: &str = "eden.enabler@example.org";
const ADMIN: &str = "priya.programme@example.org";

/// A bearer token for `email`, made with the demo password.
async fn token(app: &TestApp, email: &str) -> String {
    let body = json!({"email": email, "password": convene_store::demo::DEMO_PASSWORD, "name": "attack"});
    let res = reqwest::Client::new()
        .post(app.at("/api/v1/tokens"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    res.json::<Value>().await.unwrap()["token"]
        .as_str()
        .unwrap()
        .to_string()
}

/// The status and body text of an API request.
async fn api(app: &TestApp, token: &str, method: &str, path: &str, body: Option<Value>) -> (u16, String) {
    let mut req = reqwest::Client::new()
        .request(method.parse().unwrap(), app.at(path))
        .bearer_auth(token);
    if let Some(body) = body {
        req = req.json(&body);
    }
    let res = req.send().await.unwrap();
    (res.status().as_u16(), res.text().await.unwrap())
}

/// Lee's Westermoor engagement, and one of a place neither lee nor eden has anything to do with.
async fn engagements_of(app: &TestApp) -> (Engagement, Engagement) {
    let db = &app.state.db;
    let lee = convene_store::users::by_email(db, &Email::parse(LEE).unwrap())
        .await
        .unwrap()
        .unwrap()
        .id;
    let westermoor = app.place_id("PL-0001").await;
    let mine = engagements::of_person(db, lee).await.unwrap();
    let lees = mine.iter().find(|e| e.place_id.0 == westermoor).unwrap().clone();
    let lv = convene_store::programmes::by_slug(db, "local-vision")
        .await
        .unwrap()
        .unwrap();
    let other = engagements::of_programme(db, lv.id)
        .await
        .unwrap()
        .into_iter()
        .find(|e| !mine.iter().any(|m| m.id == e.id) && e.enabler_name != "Eden Enablewell")
        .unwrap();
    (lees, other)
}

crate::on_both!(another_places_engagement_is_not_found_through_the_api, |app| {
    let (lees, other) = engagements_of(&app).await;
    let db = &app.state.db;
    let lee = token(&app, LEE).await;
    let theirs = engagements::contact(db, other.id).await.unwrap()[0].id;
    let (status, body) = api(
        &app,
        &lee,
        "GET",
        &format!("/api/v1/engagements/{}", other.id),
        None,
    )
    .await;
    assert_eq!(status, 404);
    assert!(
        !body.contains(&other.place_name) && !body.contains(&other.enabler_name),
        "{body}"
    );
    let reason = json!({"reason": "Not ours at all"});
    for path in [
        format!("/api/v1/engagements/{}/entries/{theirs}/queries", other.id),
        format!("/api/v1/engagements/{}/entries/{theirs}/queries", lees.id),
    ] {
        let (status, body) = api(&app, &lee, "POST", &path, Some(reason.clone())).await;
        assert_eq!(status, 404, "{path}");
        assert!(!body.contains(&other.place_name), "{body}");
    }
    // A body of the wrong shape gets the same 404: nothing is read of it first.
    let path = format!("/api/v1/engagements/{}/entries/{theirs}/queries", other.id);
    let (status, _) = api(&app, &lee, "POST", &path, Some(json!({"reason": 7}))).await;
    assert_eq!(status, 404);
    assert!(
        queries::of_engagement(db, other.id).await.unwrap().is_empty(),
        "nothing saved"
    );
    let (_, list) = api(&app, &lee, "GET", "/api/v1/engagements", None).await;
    assert!(
        list.contains(&lees.place_name) && !list.contains(&other.place_name),
        "{list}"
    );
    app.stop().await;
});

crate::on_both!(only_an_admin_settles_a_query_through_the_api, |app| {
    let (lees, _) = engagements_of(&app).await;
    let db = &app.state.db;
    let query = queries::of_engagement(db, lees.id).await.unwrap()[0].clone();
    assert!(query.settlement.is_none());
    let path = format!("/api/v1/engagements/{}/queries/{}/settlement", lees.id, query.id);
    let settle = json!({"outcome": "corrected", "note": "Settled by the wrong person"});
    for who in [EDEN, LEE] {
        let t = token(&app, who).await;
        let (status, body) = api(&app, &t, "POST", &path, Some(settle.clone())).await;
        assert_eq!(status, 403, "{who}: {body}");
    }
    let now = queries::query(db, query.id).await.unwrap();
    assert!(
        now.settlement.is_none() && now.settled_at.is_none(),
        "nothing settled"
    );
    // Nor may the place answer for the enabler.
    let lee = token(&app, LEE).await;
    let answer = format!("/api/v1/engagements/{}/queries/{}/answer", lees.id, query.id);
    let (status, _) = api(&app, &lee, "POST", &answer, Some(json!({"answer": "Fine"}))).await;
    assert_eq!(status, 403);
    assert_eq!(queries::query(db, query.id).await.unwrap().answer, query.answer);
    app.stop().await;
});

crate::on_both!(a_place_lead_learns_nothing_of_the_matching, |app| {
    let db = &app.state.db;
    let lv = convene_store::programmes::by_slug(db, "local-vision")
        .await
        .unwrap()
        .unwrap();
    let lee = token(&app, LEE).await;
    let matching = "/api/v1/programmes/local-vision/matching";
    let (status, _) = api(
        &app,
        &lee,
        "POST",
        "/api/v1/programmes/local-vision/matching-runs",
        None,
    )
    .await;
    assert_eq!(status, 404);
    assert!(
        convene_store::enablers::latest_run(db, lv.id)
            .await
            .unwrap()
            .is_none(),
        "no run was made"
    );
    let admin = token(&app, ADMIN).await;
    let (status, run) = api(
        &app,
        &admin,
        "POST",
        "/api/v1/programmes/local-vision/matching-runs",
        None,
    )
    .await;
    assert_eq!(status, 201, "{run}");
    let run: Value = serde_json::from_str(&run).unwrap();
    let (status, body) = api(&app, &lee, "GET", matching, None).await;
    assert_eq!(status, 404);
    assert!(!body.contains("run_at"), "{body}");
    let confirm = json!({"run_id": run["id"], "version": run["version"], "start_date": "2026-11-02"});
    for (path, body) in [
        (format!("{matching}/confirmation"), confirm),
        (
            format!("{matching}/changes"),
            json!({"run_id": run["id"], "version": run["version"], "award_id": 1, "enabler_id": null}),
        ),
    ] {
        let (status, _) = api(&app, &lee, "POST", &path, Some(body)).await;
        assert_eq!(status, 404, "{path}");
    }
    let kept = convene_store::enablers::latest_run(db, lv.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((kept.version, kept.confirmed_at), (1, None), "unchanged");
    app.stop().await;
});
