#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests fail loudly by design.
//! Panel review through the API: the refusals of what was sent (422 naming the field),
//! who may do what (403 and 404, before the body), a conflicted member told nothing of the
//! application anywhere, saves over a stale version (409), and a whole review from a
//! declared conflict to the agreed score. Most tests seat their own panel on the demo's open
//! round, after submitting its one application through the API; one reads the demo's third
//! round.

mod common;

#[path = "api_panels/conflicts.rs"]
mod conflicts;
#[path = "api_panels/journey.rs"]
mod journey;

use common::TestApp;
use common::api::{get, put, send, token};
use reqwest::Method;
use serde_json::{Value, json};

const ADMIN: &str = "priya.programme@example.org";
const LEAD: &str = "lee.lead@example.org";
const PAT: &str = "pat.panel@example.org";
const EDEN: &str = "eden.enabler@example.org";
const PARKER: &str = "parker.participant@example.org";

async fn post(app: &TestApp, path: &str, token: &str, body: Option<Value>) -> (u16, Value) {
    send(app, Method::POST, path, token, body).await
}

async fn round_id(app: &TestApp, slug: &str) -> i64 {
    convene_store::programmes::all_rounds(&app.state.db)
        .await
        .unwrap()
        .into_iter()
        .find(|r| r.slug == slug)
        .unwrap()
        .id
        .0
}

/// Local Vision's five criteria, with the first weighed `first` (25 makes 100).
fn rubric(first: u32) -> Value {
    let criteria: Vec<Value> = [
        ("breakthrough_issue", first),
        ("gain_for_residents", 25),
        ("leadership_impact", 20),
        ("sharing_lessons", 20),
        ("local_contribution", 10),
    ]
    .iter()
    .map(|(key, weight)| {
        json!({"key": key, "title": format!("About {key}"), "weight": weight,
            "descriptors": ["Poor", "Weak", "Fair", "Good", "Excellent"]})
    })
    .collect();
    json!({ "criteria": criteria })
}

/// Every criterion of [`rubric`] scored `score`, with a comment.
fn scores(score: Value) -> Value {
    let keys = [
        "breakthrough_issue",
        "gain_for_residents",
        "leadership_impact",
        "sharing_lessons",
        "local_contribution",
    ];
    keys.iter()
        .map(|k| json!({"criterion": k, "score": score, "comment": format!("On {k}.")}))
        .collect()
}

/// The demo's open round with one submitted application (Westermoor's, see
/// [`submit_one`]) and a panel of Pat (chair), Eden and Parker, the Local Vision rubric and
/// two reviews per application.
struct Seated {
    round: i64,
    application: i64,
    admin: String,
    pat: String,
    eden: String,
    parker: String,
    ids: std::collections::HashMap<&'static str, i64>,
}

async fn seat_panel(app: &TestApp) -> Seated {
    let (round, submitted) = submit_one(app).await;
    let admin = token(app, ADMIN).await;
    let members = format!("/api/v1/rounds/{round}/panel/members");
    // A load cap may be sent as a number or as the text a form sends.
    for (email, cap) in [(PAT, json!(5)), (EDEN, json!("5")), (PARKER, json!(5.0))] {
        let (status, body) = put(app, &members, &admin, json!({"email": email, "load_cap": cap})).await;
        assert_eq!(status, 200, "{body}");
    }
    let (_, panel) = get(app, &format!("/api/v1/rounds/{round}/panel"), &admin).await;
    let id_of = |email: &str| {
        panel["members"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["email"] == email)
            .unwrap()["user_id"]
            .as_i64()
            .unwrap()
    };
    let ids = [(PAT, id_of(PAT)), (EDEN, id_of(EDEN)), (PARKER, id_of(PARKER))]
        .into_iter()
        .collect();
    let (status, body) = put(
        app,
        &format!("/api/v1/rounds/{round}/panel/chair"),
        &admin,
        json!({"user_id": id_of(PAT)}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["members"][0]["is_chair"], true, "{body}");
    let (status, body) = put(app, &format!("/api/v1/rounds/{round}/rubric"), &admin, rubric(25)).await;
    assert_eq!(status, 200, "{body}");
    let settings = format!("/api/v1/rounds/{round}/panel/settings");
    let (status, body) = put(app, &settings, &admin, json!({"reviews_per_application": 2})).await;
    assert_eq!(
        (status, body["reviews_per_application"].as_i64()),
        (200, Some(2)),
        "{body}"
    );
    let listed = format!("/api/v1/rounds/{round}/applications?status=submitted");
    let (_, list) = get(app, &listed, &admin).await;
    let in_round = self::ids(&list["applications"], "id");
    assert_eq!(in_round, [submitted], "the round's one: {list}");
    let application = submitted;
    Seated {
        round,
        application,
        pat: token(app, PAT).await,
        eden: token(app, EDEN).await,
        parker: token(app, PARKER).await,
        admin,
        ids,
    }
}

/// Westermoor's application to the demo's open round (which has none submitted), started,
/// answered and submitted through the API by its lead, after its board chair signs off on
/// the emailed link's page. Returns the round's id and the application's.
async fn submit_one(app: &TestApp) -> (i64, i64) {
    let round = round_id(app, "demo-open").await;
    let lead = token(app, LEAD).await;
    let westermoor = app.place_id("PL-0001").await;
    let start = format!("/api/v1/rounds/{round}/applications");
    let (status, started) = post(app, &start, &lead, Some(json!({"place_id": westermoor}))).await;
    assert_eq!(status, 200, "{started}");
    let id = started["id"].as_i64().unwrap();
    let words = |n: usize| vec!["residents"; n].join(" ");
    let partners = "GB-DEMO-PL-0001-COUNCIL\nGB-DEMO-PL-0001-CCG";
    let answers = [
        (
            "about-your-place",
            json!({"partners": partners, "theme": "Physical activity"}),
        ),
        ("breakthrough-issue", json!({"breakthrough_issue": words(120)})),
        ("gain-for-residents", json!({"gain_for_residents": words(80)})),
        ("local-leadership", json!({"leadership_impact": words(80)})),
        ("lessons", json!({"wider_lessons": words(80)})),
        ("contribution", json!({"contribution": "1000000"})),
    ];
    for (key, answers) in answers {
        let section = started["sections"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["key"] == key)
            .unwrap();
        let body = json!({"version": section["version"], "answers": answers, "complete": true});
        let path = format!("/api/v1/applications/{id}/sections/{key}");
        let (status, saved) = put(app, &path, &lead, body).await;
        assert_eq!(status, 200, "{key}: {saved}");
    }
    let signoff = format!("/api/v1/applications/{id}/signoff-requests");
    let (status, sent) = post(app, &signoff, &lead, None).await;
    assert_eq!(status, 200, "{sent}");
    let link = app
        .emailed_link("hwb.chair@westermoor.example.org", "/sign-off/")
        .await;
    let chair = [
        ("name", "Morgan Chairwell"),
        ("role", "Chair, Health and Wellbeing Board"),
        ("comment", ""),
        ("confirm", "yes"),
    ];
    let res = app.post_form(&app.client(), &link, &link, &chair).await;
    assert_eq!(res.status(), 200, "the chair signs off");
    let (status, done) = post(app, &format!("/api/v1/applications/{id}/submit"), &lead, None).await;
    assert_eq!(
        (status, done["newly_submitted"].as_bool()),
        (200, Some(true)),
        "{done}"
    );
    (round, id)
}

impl Seated {
    fn at(&self, tail: &str) -> String {
        format!("/api/v1/rounds/{}/{tail}", self.round)
    }

    fn of_application(&self, tail: &str) -> String {
        format!("/api/v1/applications/{}/{tail}", self.application)
    }

    /// `member` declares a conflict with the place that made the application.
    async fn declare_with_the_place(&self, app: &TestApp, member: &str) {
        let (status, mine) = get(app, &self.at("conflicts"), member).await;
        assert_eq!(status, 200, "{mine}");
        let place = mine["declarable"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["with"].as_str().unwrap().starts_with("place:"))
            .unwrap();
        let declare = json!({"with": place["with"], "reason": "I chair a partner of this place's board."});
        let (status, made) = post(app, &self.at("conflicts"), member, Some(declare)).await;
        assert_eq!((status, &made["with"]), (201, &place["with"]), "{made}");
    }
}

/// PUTs `body` and expects 422 naming `field`; returns the problem.
async fn put_refused(app: &TestApp, path: &str, token: &str, body: Value, field: &str) -> Value {
    let (status, problem) = put(app, path, token, body).await;
    assert_eq!(
        (status, problem["errors"][field].is_string()),
        (422, true),
        "{path} {field}: {problem}"
    );
    problem
}

/// The integers at `key` in each object of a JSON array.
fn ids(list: &Value, key: &str) -> Vec<i64> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|v| v[key].as_i64().unwrap())
        .collect()
}

on_both!(panel_settings_are_refused_naming_the_field, |app| {
    let s = seat_panel(&app).await;
    for k in [json!(0), json!(4), json!("two")] {
        let k = json!({"reviews_per_application": k});
        put_refused(
            &app,
            &s.at("panel/settings"),
            &s.admin,
            k,
            "reviews_per_application",
        )
        .await;
    }
    let problem = put_refused(&app, &s.at("rubric"), &s.admin, rubric(15), "criteria").await;
    assert!(
        problem["errors"]["criteria"].as_str().unwrap().contains("90"),
        "{problem}"
    );
    let mut bad = rubric(25);
    bad["criteria"][1]["title"] = json!(" ");
    put_refused(&app, &s.at("rubric"), &s.admin, bad, "criteria.1.title").await;
    let nobody = json!({"email": "nobody@example.org", "load_cap": 0});
    let problem = put_refused(&app, &s.at("panel/members"), &s.admin, nobody, "email").await;
    assert!(problem["errors"]["load_cap"].is_string(), "{problem}");
    put_refused(
        &app,
        &s.at("panel/chair"),
        &s.admin,
        json!({"user_id": 999_999}),
        "user_id",
    )
    .await;
    // Members read the panel without addresses; a member may not change it, nor may
    // anyone else reach it; both are told before anything about the body.
    let (status, panel) = get(&app, &s.at("panel"), &s.eden).await;
    assert_eq!(status, 200);
    assert!(
        panel["members"]
            .as_array()
            .unwrap()
            .iter()
            .all(|m| m["email"].is_null()),
        "{panel}"
    );
    assert_eq!(panel["you"]["user_id"], s.ids[EDEN], "{panel}");
    let lead = token(&app, LEAD).await;
    let (status, _) = get(&app, &s.at("panel"), &lead).await;
    assert_eq!(status, 404);
    let not_a_rubric = json!({"criteria": "none"});
    for (path, token, expected) in [
        (s.at("rubric"), &s.eden, 403),
        (s.at("rubric"), &lead, 404),
        ("/api/v1/rounds/999999/rubric".to_string(), &s.admin, 404),
    ] {
        let (status, problem) = put(&app, &path, token, not_a_rubric.clone()).await;
        assert_eq!(status, expected, "{path}: {problem}");
    }
    put_refused(&app, &s.at("rubric"), &s.admin, not_a_rubric, "criteria").await;
    let (status, _) = post(&app, &s.at("assignment-runs"), &s.pat, None).await;
    assert_eq!(status, 403, "the chair does not run the assignment");
});

on_both!(
    bids_and_scores_out_of_range_are_refused_and_nothing_saved,
    |app| {
        let s = seat_panel(&app).await;
        let bid = s.of_application("bid");
        for value in [json!(4), json!(-1), json!("lots")] {
            put_refused(&app, &bid, &s.eden, json!({"bid": value}), "bid").await;
        }
        let (status, _) = put(&app, &bid, &s.eden, json!({"bid": 3})).await;
        assert_eq!(status, 204);
        let (_, bids) = get(&app, &s.at("bids"), &s.eden).await;
        assert_eq!(
            (ids(&bids, "application_id"), ids(&bids, "bid")),
            (vec![s.application], vec![3]),
            "{bids}"
        );
        let (status, _) = put(&app, &bid, &s.admin, json!({"bid": 1})).await;
        assert_eq!(status, 403, "an admin does not bid");
        let (status, run) = post(&app, &s.at("assignment-runs"), &s.admin, None).await;
        let outcome = (status, run["outcome"].as_str(), run["pairs"].as_i64());
        assert_eq!(outcome, (201, Some("assigned"), Some(2)), "{run}");
        let (_, overview) = get(&app, &s.at("assignment"), &s.admin).await;
        let assigned = ids(&overview["pairs"], "user_id");
        assert!(assigned.contains(&s.ids[EDEN]), "Eden bid 3: {overview}");
        let (outsider, scorer) = if assigned.contains(&s.ids[PAT]) {
            (&s.parker, &s.pat)
        } else {
            (&s.pat, &s.parker)
        };
        scores_are_refused(&app, &s, outsider, scorer).await;
    }
);

/// An `outsider` not assigned the application may not score it; the `scorer` assigned it
/// is refused scores off the scale, criteria not in the rubric, and an incomplete
/// submission, with nothing saved.
async fn scores_are_refused(app: &TestApp, s: &Seated, outsider: &str, scorer: &str) {
    let review = s.of_application("review");
    let draft = json!({"version": 0, "submit": false, "scores": scores(json!(4))});
    let (status, problem) = put(app, &review, outsider, draft.clone()).await;
    assert_eq!(status, 403, "not assigned: {problem}");
    let (status, problem) = get(app, &review, outsider).await;
    assert_eq!(status, 403, "{problem}");
    let six = json!({"version": 0, "scores": scores(json!(6))});
    put_refused(app, &review, scorer, six, "scores.breakthrough_issue").await;
    let unknown = json!({"version": 0, "scores": [{"criterion": "charm", "score": 3, "comment": ""}]});
    put_refused(app, &review, scorer, unknown, "criterion").await;
    let (status, mine) = get(app, &review, scorer).await;
    assert_eq!(status, 200);
    let (version, state) = (mine["version"].as_i64(), mine["state"].as_str());
    assert_eq!(
        (version, state),
        (Some(0), Some("not_started")),
        "nothing saved: {mine}"
    );
    assert!(mine["scores"].as_array().unwrap().is_empty(), "{mine}");
    // Submitting needs every criterion scored.
    let partial =
        json!({"version": 0, "submit": true, "scores": [{"criterion": "breakthrough_issue", "score": 4}]});
    put_refused(app, &review, scorer, partial, "scores.local_contribution").await;
    let (status, saved) = put(app, &review, scorer, draft).await;
    let saved_as = (status, saved["version"].as_i64(), saved["state"].as_str());
    assert_eq!(saved_as, (200, Some(1), Some("draft")), "{saved}");
}
