//! The API as a client calls it: a bearer token from POST /api/v1/tokens, and JSON sent
//! and read back with its status.

use super::TestApp;
use reqwest::Method;
use serde_json::{Value, json};

/// Sends JSON to the API with a token; returns the status and the body.
pub async fn send(
    app: &TestApp,
    method: Method,
    path: &str,
    token: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let mut req = reqwest::Client::new()
        .request(method, app.at(path))
        .bearer_auth(token);
    if let Some(body) = body {
        req = req.json(&body);
    }
    let res = req.send().await.unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

pub async fn get(app: &TestApp, path: &str, token: &str) -> (u16, Value) {
    send(app, Method::GET, path, token, None).await
}

pub async fn put(app: &TestApp, path: &str, token: &str, body: Value) -> (u16, Value) {
    send(app, Method::PUT, path, token, Some(body)).await
}

/// A token for `email`, made with the demo password.
pub async fn token(app: &TestApp, email: &str) -> String {
    let body = json!({"email": email, "password": convene_store::demo::DEMO_PASSWORD, "name": "tests"});
    let res = reqwest::Client::new()
        .post(app.at("/api/v1/tokens"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201, "a token for {email}");
    let made: Value = res.json().await.unwrap();
    made["token"].as_str().unwrap().to_string()
}
