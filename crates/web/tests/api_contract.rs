#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests fail loudly by design.
//! The API's contract beyond each operation's happy path (scripts/contract.sh fuzzes it
//! with schemathesis; these are the cases it found, kept as fast tests): tokens from a
//! password under the sign-in throttle, how a body is refused (415, 400, 422 naming the
//! field, integral floats taken as integers), 404 and 403 before the body is read, and
//! refusals that depend on a record's state answered 409.

mod common;

use common::TestApp;
use serde_json::{Value, json};

const LEAD: &str = "lee.lead@example.org";
const PASSWORD: &str = convene_store::demo::DEMO_PASSWORD;

/// POSTs JSON to the API with an optional token; returns the status, the content type
/// and the body.
async fn send(
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> (u16, String, Value) {
    let mut req = reqwest::Client::new().request(method, app.at(path));
    if let Some(token) = token {
        req = req.bearer_auth(token);
    }
    if let Some(body) = body {
        req = req.json(&body);
    }
    let res = req.send().await.unwrap();
    let status = res.status().as_u16();
    let kind = res
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    let body = res.json().await.unwrap_or(Value::Null);
    (status, kind, body)
}

async fn token(app: &TestApp, email: &str) -> String {
    let body = json!({"email": email, "password": PASSWORD, "name": "contract test"});
    let (status, _, made) = send(app, reqwest::Method::POST, "/api/v1/tokens", None, Some(body)).await;
    assert_eq!(status, 201, "{made}");
    made["token"].as_str().unwrap().to_string()
}

on_both!(a_token_is_made_from_a_password_under_the_throttle, |app| {
    let lead = token(&app, LEAD).await;
    let (status, _, me) = send(&app, reqwest::Method::GET, "/api/v1/me", Some(&lead), None).await;
    assert_eq!((status, me["email"].as_str()), (200, Some(LEAD)));

    let wrong = json!({"email": LEAD, "password": "not the password at all", "name": "x"});
    let (status, kind, problem) = send(
        &app,
        reqwest::Method::POST,
        "/api/v1/tokens",
        None,
        Some(wrong.clone()),
    )
    .await;
    assert_eq!(status, 401, "{problem}");
    assert!(kind.starts_with("application/problem+json"));
    let (status, _, problem) = send(
        &app,
        reqwest::Method::POST,
        "/api/v1/tokens",
        None,
        Some(json!({"email": " ", "password": "", "name": "x"})),
    )
    .await;
    assert_eq!(status, 422, "{problem}");
    assert!(problem["errors"]["password"].is_string(), "{problem}");
    // Failed tries grow a delay: soon every try waits, and is told for how long.
    let mut throttled = None;
    for _ in 0..20 {
        let res = reqwest::Client::new()
            .post(app.at("/api/v1/tokens"))
            .json(&wrong)
            .send()
            .await
            .unwrap();
        if res.status() == 429 {
            throttled = res
                .headers()
                .get("retry-after")
                .map(|v| v.to_str().unwrap().to_string());
            break;
        }
        assert_eq!(res.status(), 401);
    }
    let wait: i64 = throttled
        .expect("no 429 after 20 wrong passwords")
        .parse()
        .unwrap();
    assert!(wait > 0);
});

on_both!(bodies_are_refused_naming_what_is_wrong, |app| {
    let lead = token(&app, LEAD).await;
    let round = convene_store::programmes::all_rounds(&app.state.db)
        .await
        .unwrap()
        .into_iter()
        .find(|r| r.slug == "demo-open")
        .unwrap();
    let westermoor = app.place_id("PL-0001").await;
    let start = format!("/api/v1/rounds/{}/applications", round.id);
    // An integral float is the integer it is.
    let (status, _, started) = send(
        &app,
        reqwest::Method::POST,
        &start,
        Some(&lead),
        Some(json!({"place_id": westermoor as f64})),
    )
    .await;
    assert_eq!(status, 200, "{started}");
    let (status, kind, problem) = send(
        &app,
        reqwest::Method::POST,
        &start,
        Some(&lead),
        Some(json!({"place_id": "Westermoor"})),
    )
    .await;
    assert_eq!(status, 422);
    assert!(kind.starts_with("application/problem+json"));
    assert!(problem["errors"]["place_id"].is_string(), "{problem}");
    let (status, _, problem) = send(&app, reqwest::Method::POST, &start, Some(&lead), Some(json!({}))).await;
    assert_eq!(problem["errors"]["place_id"], "is required", "{status} {problem}");
    let (status, _, _) = send(
        &app,
        reqwest::Method::POST,
        &start,
        Some(&lead),
        Some(json!([westermoor])),
    )
    .await;
    assert_eq!(status, 422, "an array is not the object asked for");
    // Not JSON at all, and JSON that does not parse.
    let res = reqwest::Client::new()
        .post(app.at(&start))
        .bearer_auth(&lead)
        .header("content-type", "text/plain")
        .body("place_id=1")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 415);
    let res = reqwest::Client::new()
        .post(app.at(&start))
        .bearer_auth(&lead)
        .header("content-type", "application/json")
        .body("{\"place_id\":")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/problem+json")
    );
});

on_both!(existence_and_permission_come_before_the_body, |app| {
    let lead = token(&app, LEAD).await;
    let admin = token(&app, "priya.programme@example.org").await;
    let not_a_form = Some(json!({"not": "a form"}));
    let (status, _, _) = send(
        &app,
        reqwest::Method::PUT,
        "/api/v1/rounds/999999/form",
        Some(&admin),
        not_a_form.clone(),
    )
    .await;
    assert_eq!(status, 404);
    let round = convene_store::programmes::all_rounds(&app.state.db)
        .await
        .unwrap()[0]
        .id;
    let path = format!("/api/v1/rounds/{round}/form");
    let (status, _, _) = send(&app, reqwest::Method::PUT, &path, Some(&lead), not_a_form.clone()).await;
    assert_eq!(status, 403);
    let (status, _, problem) = send(&app, reqwest::Method::PUT, &path, Some(&admin), not_a_form).await;
    assert_eq!(status, 422);
    assert_eq!(problem["errors"]["sections"], "is required", "{problem}");
});

on_both!(refusals_that_depend_on_state_are_409, |app| {
    let lead = token(&app, LEAD).await;
    let rounds = convene_store::programmes::all_rounds(&app.state.db)
        .await
        .unwrap();
    let open = rounds.iter().find(|r| r.slug == "demo-open").unwrap().id;
    let closed = rounds.iter().find(|r| r.slug == "2013").unwrap().id;
    let westermoor = app.place_id("PL-0001").await;
    let body = Some(json!({"place_id": westermoor}));
    let path = format!("/api/v1/rounds/{closed}/applications");
    let (status, _, problem) = send(&app, reqwest::Method::POST, &path, Some(&lead), body.clone()).await;
    assert_eq!(status, 409, "a round that is not open: {problem}");
    let path = format!("/api/v1/rounds/{open}/applications");
    let (_, _, started) = send(&app, reqwest::Method::POST, &path, Some(&lead), body).await;
    let id = started["id"].as_i64().unwrap();
    // Not ready: 409, with what is missing by section.
    let submit = format!("/api/v1/applications/{id}/submit");
    let (status, _, problem) = send(&app, reqwest::Method::POST, &submit, Some(&lead), None).await;
    assert_eq!(status, 409, "{problem}");
    assert!(
        problem["errors"].as_object().is_some_and(|e| !e.is_empty()),
        "{problem}"
    );
    let signoff = format!("/api/v1/applications/{id}/signoff-requests");
    let (status, _, problem) = send(&app, reqwest::Method::POST, &signoff, Some(&lead), None).await;
    assert_eq!(status, 409, "{problem}");
    // The partners an "organisations" answer may name.
    let partners = format!("/api/v1/applications/{id}/partners");
    let (status, _, list) = send(&app, reqwest::Method::GET, &partners, Some(&lead), None).await;
    assert_eq!(status, 200);
    assert!(
        list.as_array()
            .is_some_and(|l| l.iter().all(|p| p["org_id"].is_string())),
        "{list}"
    );
    // Withdrawn, it cannot be withdrawn again nor submitted.
    let withdraw = format!("/api/v1/applications/{id}/withdraw");
    let reason = Some(json!({"reason": "We will apply next year"}));
    let (status, _, _) = send(
        &app,
        reqwest::Method::POST,
        &withdraw,
        Some(&lead),
        reason.clone(),
    )
    .await;
    assert_eq!(status, 200);
    let (status, _, _) = send(&app, reqwest::Method::POST, &withdraw, Some(&lead), reason).await;
    assert_eq!(status, 409);
    let (status, _, _) = send(&app, reqwest::Method::POST, &submit, Some(&lead), None).await;
    assert_eq!(status, 409);
});

on_both!(a_newcomer_sees_the_places_to_join, |app| {
    let parker = token(&app, "parker.participant@example.org").await;
    let path = "/api/v1/programmes/local-vision/places-to-join";
    let (status, _, places) = send(&app, reqwest::Method::GET, path, Some(&parker), None).await;
    assert_eq!(status, 200);
    let places = places.as_array().unwrap();
    assert!(!places.is_empty());
    assert!(
        places.iter().all(|p| p["leads"] == false),
        "parker leads no place"
    );
    let (status, _, _) = send(
        &app,
        reqwest::Method::GET,
        "/api/v1/programmes/nope/places-to-join",
        Some(&parker),
        None,
    )
    .await;
    assert_eq!(status, 404);
});

// An account whose address is unconfirmed gets no token: the same 401 as wrong details
// (docs/decisions/0001), so the answer does not tell a stranger the account exists.
on_both!(an_unconfirmed_account_gets_no_token, |app| {
    let email = "una.confirmed@example.org";
    let password = "a long enough passphrase 42";
    let registration = json!({"name": "Una Confirmed", "email": email, "password": password,
        "organisation": "Fernbridge Council", "job_role": "Analyst"});
    let (status, _, body) = send(
        &app,
        reqwest::Method::POST,
        "/api/v1/registrations",
        None,
        Some(registration),
    )
    .await;
    assert_eq!(status, 202, "{body}");
    let ask = json!({"email": email, "password": password, "name": "x"});
    let (status, _, problem) = send(&app, reqwest::Method::POST, "/api/v1/tokens", None, Some(ask)).await;
    assert_eq!(status, 401, "{problem}");
    assert!(problem.get("token").is_none(), "{problem}");
    app.stop().await;
});
