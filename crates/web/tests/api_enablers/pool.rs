//! The pool through the API, on both stores: asking to join (each bad field named, a
//! second ask refused), the pool as a lead sees it (approved enablers, no addresses) and
//! as an admin does, a profile changed over its version, and both rankings read back.

use super::{ADMIN, EDEN, LEE, get, post, put, refused, token, year};
use crate::common::TestApp;
use serde_json::{Value, json};

const LV: &str = "/api/v1/programmes/local-vision";

fn profile(capacity: i64, from: &str) -> Value {
    json!({
        "bio": "Facilitation for place-based partnerships.",
        "expertise": ["Facilitation"],
        "sectors": ["Voluntary sector"],
        "regions": ["London"],
        "capacity": capacity,
        "available_from": from,
        "available_to": "2014-03-31",
    })
}

crate::on_both!(the_pool_is_joined_browsed_and_edited_through_the_api, |app| {
    run_pool(&app).await;
});

async fn run_pool(app: &TestApp) {
    let parker = token(app, "parker.participant@example.org").await;
    let bad = post(app, &format!("{LV}/enablers"), &parker, profile(0, "2013-02-30")).await;
    assert!(refused(&bad, "capacity").contains("from 1 to 20"));
    refused(&bad, "available_from");
    let (status, made) = post(app, &format!("{LV}/enablers"), &parker, profile(2, "2013-09-01")).await;
    assert_eq!(status, 201, "{made}");
    assert!(made["request_id"].as_i64().is_some());
    let again = post(app, &format!("{LV}/enablers"), &parker, profile(2, "2013-09-01")).await;
    assert_eq!(again.0, 409, "{}", again.1);

    // A lead sees approved enablers only, and no addresses; the admin sees everyone.
    let lee = token(app, LEE).await;
    let (status, pool) = get(app, &format!("{LV}/enablers?region=North%20West"), &lee).await;
    assert_eq!(status, 200);
    let names: Vec<&str> = pool
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["name"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"Eden Enablewell"), "{names:?}");
    assert!(
        pool.as_array().unwrap().iter().all(|e| e.get("email").is_none()),
        "{pool}"
    );
    let admin = token(app, ADMIN).await;
    let (_, all) = get(app, &format!("{LV}/enablers?region=London"), &admin).await;
    let pending = all
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["status"] == "pending")
        .expect("the admin sees the pending enabler");
    assert_eq!(pending["email"], "parker.participant@example.org");

    // Eden changes her profile over the version she read; the same version again is stale.
    let y = year(app).await;
    let eden = token(app, EDEN).await;
    let path = format!("/api/v1/enablers/{}", y.eden_id);
    let (_, mine) = get(app, &path, &eden).await;
    assert_eq!(mine["caseload"].as_array().unwrap().len(), 3, "{mine}");
    let mut change = profile(4, "2013-07-01");
    change["version"] = mine["enabler"]["version"].clone();
    assert_eq!(put(app, &path, &eden, change.clone()).await.0, 204);
    assert_eq!(put(app, &path, &eden, change).await.0, 409);
    let (_, seen) = get(app, &path, &lee).await;
    assert_eq!(seen["enabler"]["capacity"], 4);
    assert!(
        seen.get("caseload").is_none() && seen["enabler"].get("email").is_none(),
        "{seen}"
    );

    // Both rankings read back what was saved.
    let choices = format!("/api/v1/awards/{}/enabler-choices", y.award);
    assert_eq!(
        put(app, &choices, &y.lee, json!({"enablers": [y.eden_id]}))
            .await
            .0,
        204
    );
    assert_eq!(get(app, &choices, &y.lee).await.1["enablers"], json!([y.eden_id]));
    let (status, places) = get(app, &format!("{path}/place-choices"), &eden).await;
    assert_eq!(status, 200);
    assert_eq!(places[0]["award_id"], y.award);
    assert_eq!(places[0]["their_rank"], 1);
}
