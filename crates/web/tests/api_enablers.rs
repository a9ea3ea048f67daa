#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests fail loudly by design.
//! Enablers through the API: rankings both ways, the matching's runs, hand changes and
//! confirmation, engagements and their contact, queries and support offers. Refusals of
//! what was sent are 422 naming the field; refusals of a record's state 409; and a whole
//! year, from a lead's ranking to an admin settling a query, on both stores. The demo's
//! 2013–14 year: lee leads Westermoor (PL-0001), supported by eden until 31 March 2014;
//! "today" is 23 November 2026.

mod common;

use common::TestApp;
use common::api::{get, put, send, token};

#[path = "api_enablers/pool.rs"]
mod pool;
use reqwest::Method;
use serde_json::{Value, json};

const ADMIN: &str = "priya.programme@example.org";
const LEE: &str = "lee.lead@example.org";
const EDEN: &str = "eden.enabler@example.org";

async fn post(app: &TestApp, path: &str, token: &str, body: Value) -> (u16, Value) {
    send(app, Method::POST, path, token, Some(body)).await
}

/// Asserts a 422 whose errors name `field`, and returns that field's message.
fn refused(answer: &(u16, Value), field: &str) -> String {
    let (status, body) = answer;
    assert_eq!(*status, 422, "{body}");
    assert_eq!(body["status"], 422, "{body}");
    body["errors"][field]
        .as_str()
        .unwrap_or_else(|| panic!("no error for {field}: {body}"))
        .to_string()
}

/// The people of the demo's year, their tokens, and Westermoor's 2013–14 engagement as lee
/// reads it in their list: with its award and eden's place in the pool.
struct Year {
    admin: String,
    lee: String,
    eden: String,
    engagement: i64,
    award: i64,
    eden_id: i64,
}

async fn year(app: &TestApp) -> Year {
    let (admin, lee, eden) = (
        token(app, ADMIN).await,
        token(app, LEE).await,
        token(app, EDEN).await,
    );
    let westermoor = app.place_id("PL-0001").await;
    let (status, list) = get(app, "/api/v1/engagements", &lee).await;
    assert_eq!(status, 200, "{list}");
    let own = list
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["place_id"] == westermoor)
        .expect("lee's list has Westermoor's engagement")
        .clone();
    assert_eq!(own["enabler_name"], "Eden Enablewell");
    Year {
        admin,
        lee,
        eden,
        engagement: own["id"].as_i64().unwrap(),
        award: own["award_id"].as_i64().unwrap(),
        eden_id: own["enabler_id"].as_i64().unwrap(),
    }
}

/// Priya ends Westermoor's 2013–14 engagement on its last day, with nothing carrying on
/// from it: until then the place has its engagement and eden's room is taken by it. The
/// engagement as ended.
async fn end_westermoors_year(app: &TestApp, y: &Year) -> Value {
    let end = format!("/api/v1/engagements/{}/early-end", y.engagement);
    let (status, ended) = post(app, &end, &y.admin, json!({"end_date": "2014-03-31"})).await;
    assert_eq!(status, 200, "{ended}");
    assert!(ended["successor"].is_null());
    ended["engagement"].clone()
}

/// Lee ranks eden for Westermoor (its last year ended) and priya runs the matching; the run.
async fn ranked_and_run(app: &TestApp, y: &Year) -> Value {
    end_westermoors_year(app, y).await;
    let ranking = format!("/api/v1/awards/{}/enabler-choices", y.award);
    let (status, body) = put(app, &ranking, &y.lee, json!({"enablers": [y.eden_id]})).await;
    assert_eq!(status, 204, "{body}");
    let (status, run) = post(
        app,
        "/api/v1/programmes/local-vision/matching-runs",
        &y.admin,
        json!({}),
    )
    .await;
    assert_eq!(status, 201, "{run}");
    run
}

on_both!(a_year_from_ranking_to_a_settled_query, |app| {
    let y = year(&app).await;
    let ended = end_westermoors_year(&app, &y).await;
    assert_eq!(ended["ended_on"], "2014-03-31");
    assert_eq!(
        ended["allocation"], ended["used"],
        "its allocation is what it used"
    );
    let (status, body) = put(
        &app,
        &format!("/api/v1/enablers/{}/place-choices", y.eden_id),
        &y.eden,
        json!({"ranked": []}),
    )
    .await;
    assert_eq!(status, 204, "an enabler may leave every place unranked: {body}");
    let ranking = format!("/api/v1/awards/{}/enabler-choices", y.award);
    let (status, _) = put(&app, &ranking, &y.lee, json!({"enablers": [y.eden_id]})).await;
    assert_eq!(status, 204);
    // Eden ranks the place that chose them.
    let (status, body) = put(
        &app,
        &format!("/api/v1/enablers/{}/place-choices", y.eden_id),
        &y.eden,
        json!({"ranked": [y.award], "cannot_take": []}),
    )
    .await;
    assert_eq!(status, 204, "{body}");
    let (status, run) = post(
        &app,
        "/api/v1/programmes/local-vision/matching-runs",
        &y.admin,
        json!({}),
    )
    .await;
    assert_eq!(status, 201, "{run}");
    assert_eq!(
        run["pairs"],
        json!([{"award_id": y.award, "enabler_id": y.eden_id, "place_rank": 1, "enabler_rank": 1, "by_hand": false}])
    );
    assert_eq!(run["unmatched"], json!([]));
    assert!(run["confirmed_at"].is_null());
    let (status, latest) = get(&app, "/api/v1/programmes/local-vision/matching", &y.admin).await;
    assert_eq!(status, 200);
    assert_eq!(latest["run"], run);
    let confirmation = json!({"run_id": run["id"], "version": run["version"], "start_date": "2026-11-02"});
    let confirm = "/api/v1/programmes/local-vision/matching/confirmation";
    let (status, confirmed) = post(&app, confirm, &y.admin, confirmation.clone()).await;
    assert_eq!(status, 201, "{confirmed}");
    let started = confirmed["engagement_ids"][0].as_i64().unwrap();
    for to in [LEE, EDEN] {
        app.wait_for_mail(to, &format!("/engagements/{started}")).await;
    }
    let (status, again) = post(&app, confirm, &y.admin, confirmation).await;
    assert_eq!(status, 409, "confirmed once: {again}");

    let engagement = format!("/api/v1/engagements/{started}");
    let (status, view) = get(&app, &engagement, &y.eden).await;
    assert_eq!(status, 200, "{view}");
    let e = &view["engagement"];
    assert_eq!(
        (e["starts_on"].as_str(), e["ends_on"].as_str()),
        (Some("2026-11-02"), Some("2027-03-31"))
    );
    assert_eq!(e["used"], json!({"minutes": 0, "days": 0.0}));
    assert!(e["allocation"]["minutes"].as_i64().unwrap() > 0);
    assert_eq!(view["burn_down"][0]["date"], "2026-11-02");
    assert_eq!(view["burn_down"][0]["expected_remaining"], e["allocation"]);
    assert_eq!(
        (view["is_enabler"].as_bool(), view["is_lead"].as_bool()),
        (Some(true), Some(false))
    );

    // Eden logs an hour and a half; lee queries it, eden answers, priya settles it.
    let contact = json!({"date": "2026-11-20", "hours": "1.5", "kind": "coaching", "notes": "The first coaching session"});
    let (status, entry) = post(&app, &format!("{engagement}/contact"), &y.eden, contact).await;
    assert_eq!(status, 201, "{entry}");
    assert_eq!(
        (entry["minutes"].as_i64(), entry["hours"].as_str()),
        (Some(90), Some("1.5"))
    );
    let entry = entry["id"].as_i64().unwrap();
    let reason = json!({"reason": "We met for an hour, not an hour and a half."});
    let (status, query) = post(
        &app,
        &format!("{engagement}/entries/{entry}/queries"),
        &y.lee,
        reason,
    )
    .await;
    assert_eq!(status, 201, "{query}");
    assert!(query["answer"].is_null() && query["settlement"].is_null());
    let queries = format!("{engagement}/queries/{}", query["id"]);
    let answer = json!({"answer": "The session ran over: the notes say 10:00 to 11:30."});
    let (status, answered) = post(&app, &format!("{queries}/answer"), &y.eden, answer).await;
    assert_eq!(status, 200, "{answered}");
    assert!(answered["answer"].as_str().unwrap().contains("10:00 to 11:30"));
    let settle = json!({"outcome": "upheld", "note": "Checked against the diary."});
    let (status, settled) = post(&app, &format!("{queries}/settlement"), &y.admin, settle.clone()).await;
    assert_eq!(status, 200, "{settled}");
    assert_eq!(settled["settlement"], "upheld");
    let (status, body) = post(&app, &format!("{queries}/settlement"), &y.admin, settle).await;
    assert_eq!(status, 409, "settled once: {body}");

    let (_, view) = get(&app, &engagement, &y.lee).await;
    assert_eq!(view["engagement"]["used"]["minutes"], 90);
    assert_eq!(view["engagement"]["used"]["days"], 0.2);
    assert_eq!(view["contact"].as_array().unwrap().len(), 1);
    assert_eq!(
        view["queries"][0]["settlement_note"],
        "Checked against the diary."
    );
    assert_eq!(
        (view["is_lead"].as_bool(), view["is_admin"].as_bool()),
        (Some(true), Some(false))
    );
    app.stop().await;
});

on_both!(rankings_name_what_cannot_be_matched, |app| {
    let y = year(&app).await;
    let ranking = format!("/api/v1/awards/{}/enabler-choices", y.award);
    let twice = put(
        &app,
        &ranking,
        &y.lee,
        json!({"enablers": [y.eden_id, y.eden_id]}),
    )
    .await;
    assert!(refused(&twice, "enablers").contains("twice"));
    refused(
        &put(&app, &ranking, &y.lee, json!({"enablers": []})).await,
        "enablers",
    );
    let unknown = put(&app, &ranking, &y.lee, json!({"enablers": [999_999]})).await;
    assert!(refused(&unknown, "enablers").contains("pool"));
    refused(
        &put(&app, &ranking, &y.lee, json!({"enablers": "eden"})).await,
        "enablers",
    );
    refused(&put(&app, &ranking, &y.lee, json!({})).await, "enablers");

    // Nobody chose eden yet: there is no place to rank.
    let places = format!("/api/v1/enablers/{}/place-choices", y.eden_id);
    let unchosen = put(&app, &places, &y.eden, json!({"ranked": [y.award]})).await;
    assert!(refused(&unchosen, "ranked").contains("chose you"));
    let unchosen = put(
        &app,
        &places,
        &y.eden,
        json!({"ranked": [], "cannot_take": [y.award]}),
    )
    .await;
    refused(&unchosen, "cannot_take");
    let (status, _) = put(&app, &ranking, &y.lee, json!({"enablers": [y.eden_id]})).await;
    assert_eq!(status, 204);
    refused(
        &put(&app, &places, &y.eden, json!({"ranked": [y.award, y.award]})).await,
        "ranked",
    );
    let both = put(
        &app,
        &places,
        &y.eden,
        json!({"ranked": [y.award], "cannot_take": [y.award]}),
    )
    .await;
    assert!(refused(&both, "ranked").contains("once"));
    refused(
        &put(&app, &places, &y.eden, json!({"cannot_take": []})).await,
        "ranked",
    );
    // A place the enabler cannot take is refused by the matching however the place ranked.
    end_westermoors_year(&app, &y).await;
    let (status, _) = put(
        &app,
        &places,
        &y.eden,
        json!({"ranked": [], "cannot_take": [y.award]}),
    )
    .await;
    assert_eq!(status, 204);
    let (status, run) = post(
        &app,
        "/api/v1/programmes/local-vision/matching-runs",
        &y.admin,
        json!({}),
    )
    .await;
    assert_eq!(status, 201, "{run}");
    assert_eq!(run["pairs"], json!([]));
    assert_eq!(
        run["unmatched"],
        json!([{"award_id": y.award, "refused_by": [{"enabler_id": y.eden_id, "reason": "conflict"}]}])
    );
    app.stop().await;
});

on_both!(a_hand_change_warns_and_a_stale_version_is_refused, |app| {
    let y = year(&app).await;
    let run = ranked_and_run(&app, &y).await;
    let changes = "/api/v1/programmes/local-vision/matching/changes";
    let unmatch = json!({"run_id": run["id"], "version": 1, "award_id": y.award, "enabler_id": null});
    let (status, changed) = post(&app, changes, &y.admin, unmatch.clone()).await;
    assert_eq!(status, 200, "{changed}");
    assert_eq!(
        changed["blocking_pairs"],
        json!([{"award_id": y.award, "enabler_id": y.eden_id}]),
        "both would rather be together"
    );
    assert_eq!(changed["run"]["version"], 2);
    assert_eq!(changed["run"]["pairs"], json!([]));
    assert_eq!(changed["run"]["unmatched"][0]["award_id"], y.award);
    let (status, body) = post(&app, changes, &y.admin, unmatch).await;
    assert_eq!(status, 409, "version 1 is stale: {body}");
    let other = json!({"run_id": run["id"], "version": 2, "award_id": y.award, "enabler_id": 999_999});
    refused(&post(&app, changes, &y.admin, other).await, "enabler_id");
    let missing = json!({"run_id": run["id"], "version": 2, "award_id": y.award});
    refused(&post(&app, changes, &y.admin, missing).await, "enabler_id");
    let back = json!({"run_id": run["id"], "version": 2, "award_id": y.award, "enabler_id": y.eden_id});
    let (status, changed) = post(&app, changes, &y.admin, back).await;
    assert_eq!(status, 200, "{changed}");
    assert_eq!(changed["blocking_pairs"], json!([]));
    assert_eq!(changed["run"]["pairs"][0]["by_hand"], true);

    let confirm = "/api/v1/programmes/local-vision/matching/confirmation";
    let at = |version: i64, date: &str| json!({"run_id": run["id"], "version": version, "start_date": date});
    for bad in ["2026-13-01", "2026-11-2", "2 November 2026", ""] {
        assert!(
            refused(&post(&app, confirm, &y.admin, at(3, bad)).await, "start_date").contains("YYYY-MM-DD")
        );
    }
    let (status, body) = post(&app, confirm, &y.admin, at(2, "2026-11-02")).await;
    assert_eq!(status, 409, "version 2 is stale: {body}");
    let (status, rerun) = post(
        &app,
        "/api/v1/programmes/local-vision/matching-runs",
        &y.admin,
        json!({}),
    )
    .await;
    assert_eq!(status, 201);
    assert_ne!(rerun["id"], run["id"]);
    let (status, body) = post(&app, confirm, &y.admin, at(3, "2026-11-02")).await;
    assert_eq!(status, 409, "an earlier run is stale: {body}");
    app.stop().await;
});

on_both!(contact_is_refused_field_by_field, |app| {
    let y = year(&app).await;
    let contact = format!("/api/v1/engagements/{}/contact", y.engagement);
    let (_, before) = get(&app, &format!("/api/v1/engagements/{}", y.engagement), &y.eden).await;
    let entry = |date: &str, hours: Value, kind: &str| json!({"date": date, "hours": hours, "kind": kind});
    let over = post(
        &app,
        &contact,
        &y.eden,
        entry("2013-09-04", json!("25"), "meeting"),
    )
    .await;
    assert!(refused(&over, "hours").contains("24"));
    refused(
        &post(
            &app,
            &contact,
            &y.eden,
            entry("2013-09-04", json!(24.5), "meeting"),
        )
        .await,
        "hours",
    );
    refused(
        &post(
            &app,
            &contact,
            &y.eden,
            entry("2013-09-04", json!("an hour"), "meeting"),
        )
        .await,
        "hours",
    );
    // The demo logged 7.5 hours on 3 September 2013.
    let day = post(&app, &contact, &y.eden, entry("2013-09-03", json!(17), "meeting")).await;
    assert!(refused(&day, "hours").contains("16.5 hours or less"));
    let after = post(
        &app,
        &contact,
        &y.eden,
        entry("2014-04-01", json!("1"), "meeting"),
    )
    .await;
    assert!(refused(&after, "date").contains("31 March 2014"));
    let before_start = post(
        &app,
        &contact,
        &y.eden,
        entry("2013-09-01", json!("1"), "meeting"),
    )
    .await;
    assert!(refused(&before_start, "date").contains("2 September 2013"));
    for bad in ["2013-02-30", "18/09/2013", ""] {
        let typed = post(&app, &contact, &y.eden, entry(bad, json!("1"), "meeting")).await;
        assert!(refused(&typed, "date").contains("YYYY-MM-DD"), "{bad}");
    }
    refused(
        &post(&app, &contact, &y.eden, entry("2013-09-04", json!("1"), "party")).await,
        "kind",
    );
    let long = json!({"date": "2013-09-04", "hours": "1", "kind": "other", "notes": "n".repeat(2001)});
    refused(&post(&app, &contact, &y.eden, long).await, "notes");
    // Every problem at once.
    let (status, body) = post(
        &app,
        &contact,
        &y.eden,
        entry("2014-04-01", json!("30"), "meeting"),
    )
    .await;
    assert_eq!(status, 422);
    assert!(
        body["errors"]["date"].is_string() && body["errors"]["hours"].is_string(),
        "{body}"
    );
    let (_, now) = get(&app, &format!("/api/v1/engagements/{}", y.engagement), &y.eden).await;
    assert_eq!(
        now["engagement"]["used"], before["engagement"]["used"],
        "nothing was logged"
    );
    let (status, logged) = post(&app, &contact, &y.eden, entry("2013-09-04", json!(2), "meeting")).await;
    assert_eq!(status, 201, "{logged}");
    assert_eq!(
        (logged["date"].as_str(), logged["minutes"].as_i64()),
        (Some("2013-09-04"), Some(120))
    );
    app.stop().await;
});

on_both!(queries_and_early_ends_name_what_is_wrong, |app| {
    let y = year(&app).await;
    let engagement = format!("/api/v1/engagements/{}", y.engagement);
    let (_, view) = get(&app, &engagement, &y.lee).await;
    let demo_query = &view["queries"][0];
    let queried = demo_query["entry_id"].as_i64().unwrap();
    let fresh = view["contact"][0]["id"].as_i64().unwrap();
    assert_ne!(fresh, queried);
    let raise = |entry: i64| format!("{engagement}/entries/{entry}/queries");
    refused(
        &post(&app, &raise(fresh), &y.lee, json!({"reason": "   "})).await,
        "reason",
    );
    let long = json!({"reason": "r".repeat(2001)});
    assert!(refused(&post(&app, &raise(fresh), &y.lee, long).await, "reason").contains("2,000"));
    let (status, body) = post(&app, &raise(queried), &y.lee, json!({"reason": "Again"})).await;
    assert_eq!(status, 409, "its query waits to be settled: {body}");
    let query = format!("{engagement}/queries/{}", demo_query["id"]);
    refused(
        &post(&app, &format!("{query}/answer"), &y.eden, json!({"answer": ""})).await,
        "answer",
    );
    let settle = format!("{query}/settlement");
    refused(
        &post(&app, &settle, &y.admin, json!({"outcome": "maybe"})).await,
        "outcome",
    );
    let long = json!({"outcome": "corrected", "note": "n".repeat(2001)});
    refused(&post(&app, &settle, &y.admin, long).await, "note");
    let (_, after) = get(&app, &engagement, &y.lee).await;
    assert!(after["queries"][0]["settlement"].is_null(), "nothing settled");

    let end = format!("{engagement}/early-end");
    let before_start = post(&app, &end, &y.admin, json!({"end_date": "2013-09-01"})).await;
    refused(&before_start, "end_date");
    // Contact is logged up to 25 March 2014.
    let before_contact = post(&app, &end, &y.admin, json!({"end_date": "2014-03-01"})).await;
    assert!(refused(&before_contact, "end_date").contains("25 March 2014"));
    refused(
        &post(&app, &end, &y.admin, json!({"end_date": "31/03/2014"})).await,
        "end_date",
    );
    let successor = |start: &str| json!({"end_date": "2014-03-26", "successor": {"enabler_id": y.eden_id, "start_date": start}});
    let early = post(&app, &end, &y.admin, successor("2014-03-26")).await;
    assert!(refused(&early, "successor.start_date").contains("after 26 March 2014"));
    refused(
        &post(&app, &end, &y.admin, successor("next week")).await,
        "successor.start_date",
    );
    let (status, ended) = post(&app, &end, &y.admin, successor("2014-03-27")).await;
    assert_eq!(status, 200, "{ended}");
    let next = &ended["successor"];
    assert_eq!(
        (next["starts_on"].as_str(), next["ends_on"].as_str()),
        (Some("2014-03-27"), Some("2014-03-31"))
    );
    assert_eq!(next["follows_id"], y.engagement);
    let (status, body) = post(&app, &end, &y.admin, json!({"end_date": "2014-03-26"})).await;
    assert_eq!(status, 409, "ended once: {body}");
    let (status, body) = post(
        &app,
        &format!("{engagement}/contact"),
        &y.eden,
        json!({"date": "2014-03-20", "hours": "1", "kind": "meeting"}),
    )
    .await;
    assert_eq!(status, 409, "no contact on an ended engagement: {body}");
    app.stop().await;
});

on_both!(support_is_given_within_what_is_left, |app| {
    let y = year(&app).await;
    let offers = "/api/v1/programmes/local-vision/support-offers";
    let offer = |kind: &str, name: &str, units: Value| json!({"kind": kind, "name": name, "partner": "Civic Partners", "units": units});
    let none = post(
        &app,
        offers,
        &y.admin,
        offer("consultancy_days", "Consultancy days", json!("0")),
    )
    .await;
    assert!(refused(&none, "units").contains("more than 0"));
    refused(
        &post(
            &app,
            offers,
            &y.admin,
            offer("consultancy_days", "Days", json!(2.5)),
        )
        .await,
        "units",
    );
    refused(
        &post(&app, offers, &y.admin, offer("gifts", "Gifts", json!(3))).await,
        "kind",
    );
    refused(
        &post(&app, offers, &y.admin, offer("learning_network", "  ", json!(3))).await,
        "name",
    );
    let (status, made) = post(
        &app,
        offers,
        &y.admin,
        offer("consultancy_days", "Consultancy days", json!("3")),
    )
    .await;
    assert_eq!(status, 201, "{made}");
    assert_eq!(
        (made["units"].as_i64(), made["left"].as_i64()),
        (Some(3), Some(3))
    );
    assert_eq!(made["kind_label"], "Consultancy days");
    let (status, seen) = get(&app, offers, &y.lee).await;
    assert_eq!(status, 200);
    assert_eq!(seen[0]["id"], made["id"]);

    let requests = format!("/api/v1/awards/{}/support-requests", y.award);
    let ask =
        |units: Value| json!({"offer_id": made["id"], "units": units, "note": "For the partnership board"});
    // A body of the wrong shape is refused after the same checks a ranking of no enabler
    // is refused after (see the handler): the place's ranking is left as it was.
    let ranking = format!("/api/v1/awards/{}/enabler-choices", y.award);
    let (status, _) = put(&app, &ranking, &y.lee, json!({"enablers": [y.eden_id]})).await;
    assert_eq!(status, 204);
    refused(
        &post(&app, &requests, &y.lee, json!({"offer_id": "first"})).await,
        "offer_id",
    );
    let lv = convene_store::programmes::by_slug(&app.state.db, "local-vision")
        .await
        .unwrap()
        .unwrap()
        .id;
    let (places, _) = convene_store::enablers::rankings(&app.state.db, lv)
        .await
        .unwrap();
    assert_eq!(places, [(y.award, y.eden_id, 1)], "the ranking is kept");
    let too_many = post(&app, &requests, &y.lee, ask(json!(4))).await;
    assert!(refused(&too_many, "units").contains("3 or fewer"));
    let (status, first) = post(&app, &requests, &y.lee, ask(json!(2))).await;
    assert_eq!(status, 201, "{first}");
    assert_eq!(first["status"], "requested");
    let (status, second) = post(&app, &requests, &y.lee, ask(json!("2"))).await;
    assert_eq!(status, 201, "nothing is approved yet: {second}");
    let unknown = json!({"offer_id": 999_999, "units": 1});
    let (status, _) = post(&app, &requests, &y.lee, unknown).await;
    assert_eq!(status, 404, "no such offer in the programme");

    let decide = |id: &Value| format!("/api/v1/support-requests/{id}/decision");
    let (status, body) = post(&app, &decide(&first["id"]), &y.admin, json!({"approve": true})).await;
    assert_eq!(status, 204, "{body}");
    let over = post(&app, &decide(&second["id"]), &y.admin, json!({"approve": true})).await;
    assert!(refused(&over, "approve").contains("only 1 left"));
    refused(
        &post(&app, &decide(&second["id"]), &y.admin, json!({"approve": false})).await,
        "reason",
    );
    let decline = json!({"approve": false, "reason": "One day is left: ask for one."});
    let (status, _) = post(&app, &decide(&second["id"]), &y.admin, decline.clone()).await;
    assert_eq!(status, 204);
    let (status, _) = post(&app, &decide(&second["id"]), &y.admin, decline).await;
    assert_eq!(status, 409, "decided once");
    let (status, asked) = get(&app, &requests, &y.lee).await;
    assert_eq!(status, 200);
    let statuses: Vec<&str> = asked
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["approved", "declined"]);
    assert_eq!(asked[1]["decision_reason"], "One day is left: ask for one.");
    let (_, seen) = get(&app, offers, &y.admin).await;
    assert_eq!(
        (seen[0]["approved"].as_i64(), seen[0]["left"].as_i64()),
        (Some(2), Some(1))
    );
    app.stop().await;
});
