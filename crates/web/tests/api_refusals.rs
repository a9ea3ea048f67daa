#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests fail loudly by design.
//! How the API refuses the front door's and the admins' writes: a record that does not
//! exist is 404 (an unknown link, place or request), one the asker may not touch 403, a
//! refusal that depends on a record's state 409 (a used link is 410), and only what was
//! typed 422; 404 and 403 come before the body is read. The pages show the same refusals
//! as before, beside the fields.

mod common;

use common::TestApp;
use serde_json::{Value, json};

const SERVICE_ADMIN: &str = "ada.admin@example.org";
const ADMIN: &str = "priya.programme@example.org";
const LEAD: &str = "lee.lead@example.org";
const PARTICIPANT: &str = "parker.participant@example.org";

/// Sends JSON to the API with an optional token; returns the status and the body.
async fn send(
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> (u16, Value) {
    let mut req = reqwest::Client::new().request(method, app.at(path));
    if let Some(token) = token {
        req = req.bearer_auth(token);
    }
    if let Some(body) = body {
        req = req.json(&body);
    }
    let res = req.send().await.unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

async fn post(app: &TestApp, path: &str, token: Option<&str>, body: Value) -> (u16, Value) {
    send(app, reqwest::Method::POST, path, token, Some(body)).await
}

async fn token(app: &TestApp, email: &str) -> String {
    let body = json!({"email": email, "password": convene_store::demo::DEMO_PASSWORD, "name": "refusals"});
    let (status, made) = post(app, "/api/v1/tokens", None, body).await;
    assert_eq!(status, 201, "{made}");
    made["token"].as_str().unwrap().to_string()
}

on_both!(an_unknown_link_is_404_and_a_used_one_410, |app| {
    let newcomer = json!({
        "name": "Wren Caddington",
        "email": "wren.api@example.org",
        "organisation": "Caddington Council",
        "job_role": "Director of Public Health",
        "password": "a long and unguessable passphrase 7",
    });
    let (status, body) = post(&app, "/api/v1/registrations", None, newcomer).await;
    assert_eq!(status, 202, "{body}");
    let link = app.emailed_link("wren.api@example.org", "/verify-email/").await;
    let secret = link.rsplit('/').next().unwrap().to_string();
    let verify = "/api/v1/email-verifications";
    let (status, problem) = post(&app, verify, None, json!({"token": "no-link-has-this-secret"})).await;
    assert_eq!(status, 404, "{problem}");
    assert_eq!(problem["detail"], "No link has this token.");
    let (status, _) = post(&app, verify, None, json!({"token": secret})).await;
    assert_eq!(status, 204);
    let (status, problem) = post(&app, verify, None, json!({"token": secret})).await;
    assert_eq!(status, 410, "used: {problem}");
});

on_both!(asking_for_a_place_is_404_unknown_and_409_in_state, |app| {
    let lead = token(&app, LEAD).await;
    let parker = token(&app, PARTICIPANT).await;
    let ask = "/api/v1/programmes/local-vision/role-requests";
    let (status, problem) = post(
        &app,
        ask,
        Some(&parker),
        json!({"place_id": 999_999, "reason": "Lead"}),
    )
    .await;
    assert_eq!(status, 404, "no such place: {problem}");
    let (status, _) = post(
        &app,
        "/api/v1/programmes/no-such-programme/role-requests",
        Some(&parker),
        json!({"place_id": app.place_id("PL-0001").await, "reason": "Lead"}),
    )
    .await;
    assert_eq!(status, 404, "no such programme");
    // Already acting for the place: what was typed is fine, the state refuses it.
    let westermoor = app.place_id("PL-0001").await;
    let (status, problem) = post(
        &app,
        ask,
        Some(&lead),
        json!({"place_id": westermoor, "reason": "Lead"}),
    )
    .await;
    assert_eq!(status, 409, "{problem}");
    assert_eq!(
        problem["errors"]["place"], "You already act for Westermoor",
        "{problem}"
    );
    // What was typed is still 422 first.
    let (status, problem) = post(
        &app,
        ask,
        Some(&lead),
        json!({"place_id": westermoor, "reason": " "}),
    )
    .await;
    assert_eq!(status, 422, "{problem}");
    // Asking twice: the first waits for a decision.
    let larkspur = app.place_id("PL-0010").await;
    let body = json!({"place_id": larkspur, "reason": "Director of Public Health"});
    let (status, made) = post(&app, ask, Some(&parker), body.clone()).await;
    assert_eq!(status, 201, "{made}");
    let (status, problem) = post(&app, ask, Some(&parker), body).await;
    assert_eq!(status, 409, "{problem}");
    assert!(
        problem["errors"]["place"]
            .as_str()
            .unwrap()
            .starts_with("You have already asked to act for"),
        "{problem}"
    );
});

on_both!(deciding_is_404_403_then_the_body, |app| {
    let admin = token(&app, ADMIN).await;
    let lead = token(&app, LEAD).await;
    let parker = token(&app, PARTICIPANT).await;
    let ask = "/api/v1/programmes/local-vision/role-requests";
    let larkspur = app.place_id("PL-0010").await;
    let (_, made) = post(
        &app,
        ask,
        Some(&parker),
        json!({"place_id": larkspur, "reason": "Lead"}),
    )
    .await;
    let id = made["id"].as_i64().unwrap();
    let not_a_decision = json!({"approve": "perhaps"});
    let (status, _) = post(
        &app,
        "/api/v1/role-requests/999999/decision",
        Some(&admin),
        not_a_decision.clone(),
    )
    .await;
    assert_eq!(status, 404);
    let decide = format!("/api/v1/role-requests/{id}/decision");
    let (status, _) = post(&app, &decide, Some(&lead), not_a_decision.clone()).await;
    assert_eq!(status, 403, "not an admin of the programme");
    let (status, problem) = post(&app, &decide, Some(&admin), not_a_decision).await;
    assert_eq!(status, 422);
    assert!(problem["errors"]["approve"].is_string(), "{problem}");
    // Declining needs a reason.
    let (status, problem) = post(&app, &decide, Some(&admin), json!({"approve": false})).await;
    assert_eq!(status, 422);
    assert!(problem["errors"]["reason"].is_string(), "{problem}");
    let declined = json!({"approve": false, "reason": "Another lead covers it"});
    let (status, body) = post(&app, &decide, Some(&admin), declined.clone()).await;
    assert_eq!(
        (status, body["status"].as_str()),
        (200, Some("declined")),
        "{body}"
    );
    let (status, _) = post(&app, &decide, Some(&admin), declined).await;
    assert_eq!(status, 409, "decided already");
    // Nobody decides their own request.
    let (status, made) = post(
        &app,
        ask,
        Some(&admin),
        json!({"place_id": larkspur, "reason": "Cover"}),
    )
    .await;
    assert_eq!(status, 201, "{made}");
    let own = format!("/api/v1/role-requests/{}/decision", made["id"]);
    let (status, _) = post(&app, &own, Some(&admin), json!({"approve": true})).await;
    assert_eq!(status, 403, "one's own request");
});

on_both!(erasing_is_403_then_the_body_and_never_yourself, |app| {
    let service_admin = token(&app, SERVICE_ADMIN).await;
    let admin = token(&app, ADMIN).await;
    let (status, _) = post(&app, "/api/v1/erasures", Some(&admin), json!({"email": 7})).await;
    assert_eq!(status, 403, "not a service admin, whatever the body");
    let (status, problem) = post(
        &app,
        "/api/v1/erasures",
        Some(&service_admin),
        json!({"email": ""}),
    )
    .await;
    assert_eq!(status, 422, "{problem}");
    let (status, problem) = post(
        &app,
        "/api/v1/erasures",
        Some(&service_admin),
        json!({"email": SERVICE_ADMIN}),
    )
    .await;
    assert_eq!(status, 409, "{problem}");
    assert_eq!(
        problem["detail"],
        "You cannot erase your own account: ask another service admin."
    );
});

on_both!(a_chair_body_is_read_after_404_and_403, |app| {
    let service_admin = token(&app, SERVICE_ADMIN).await;
    let lead = token(&app, LEAD).await;
    let bad = Some(json!({"name": 1}));
    let put = reqwest::Method::PUT;
    let (status, _) = send(
        &app,
        put.clone(),
        "/api/v1/places/999999/chair",
        Some(&service_admin),
        bad.clone(),
    )
    .await;
    assert_eq!(status, 404);
    let path = format!("/api/v1/places/{}/chair", app.place_id("PL-0001").await);
    let (status, _) = send(&app, put.clone(), &path, Some(&lead), bad.clone()).await;
    assert_eq!(
        status, 403,
        "the lead sees the place but may not change its chair"
    );
    let (status, problem) = send(&app, put.clone(), &path, Some(&service_admin), bad).await;
    assert_eq!(status, 422, "{problem}");
    let chair = Some(json!({"name": "Dr Alys Penhallow", "email": "alys.penhallow@example.org"}));
    let (status, place) = send(&app, put, &path, Some(&service_admin), chair).await;
    assert_eq!(status, 200, "{place}");
    assert_eq!(place["hwb_chair_email"], "alys.penhallow@example.org");
});

on_both!(the_join_page_shows_state_refusals_beside_the_field, |app| {
    let lead = app.signed_in(LEAD).await;
    let join = "/programmes/local-vision/join";
    let westermoor = app.place_id("PL-0001").await.to_string();
    let res = app
        .post_form(&lead, join, join, &[("place", &westermoor), ("reason", "Lead")])
        .await;
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    assert!(html.contains("You already act for Westermoor"), "{html}");
    // A place that is not in the programme is chosen again.
    let res = app
        .post_form(&lead, join, join, &[("place", "999999"), ("reason", "Lead")])
        .await;
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    assert!(html.contains("Select the place you want to act for"), "{html}");
});
