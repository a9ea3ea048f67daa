//! Selection, decisions and awards, tried as an attacker would at the seams between them
//! and what came before: a place hearing of its outcome before the notification date (its
//! pages, the API, the public fund figures, the 360Giving files, its subject access
//! download), one place answering another's offer, two people funding past the fund, and
//! (in `awards_conflicts.rs`) a panel member reaching, through the decisions, an
//! application their conflicts cover. The demo's third Local Vision round is under review:
//! Pat chairs it and stands aside from Lampwick Green; it is told on its notification date.

#[path = "awards_conflicts.rs"]
mod conflicts;

use crate::common::*;
use convene_domain::accounts::{Grant, Role, hash_password};
use convene_domain::awards::AwardStatus;
use convene_domain::{ApplicationId, Email, PlaceId, RoundId, Timestamp, UserId};
use convene_store::awards::{self as awards, decisions, letters};
use convene_store::{applications, programmes, users};
use serde_json::{Value, json};

const PAT: &str = "pat.panel@example.org";
const ADMIN: &str = "priya.programme@example.org";
const SERVICE_ADMIN: &str = "ada.admin@example.org";
/// The panel's feedback in every decision these tests record: found nowhere a place may
/// look before its letter goes out.
const FEEDBACK: &str = "The panel was struck by the plan for the harbour wards";
const REASON: &str = "The panel met before the last reviews were in";

/// A submitted application of the third round.
#[derive(Debug, Clone)]
struct Applied {
    id: ApplicationId,
    reference: String,
    place: PlaceId,
    place_name: String,
}

/// The third round: its id and notification date, Lampwick Green's application (which
/// Pat's conflict covers) and the others.
struct Third {
    round: RoundId,
    notify_by: Timestamp,
    covered: Applied,
    others: Vec<Applied>,
}

async fn third_round(app: &TestApp) -> Third {
    let db = &app.state.db;
    let lv = programmes::by_slug(db, "local-vision").await.unwrap().unwrap();
    let round = programmes::rounds(db, lv.id)
        .await
        .unwrap()
        .into_iter()
        .find(|r| r.slug == "2026-third-round")
        .unwrap();
    let filter = applications::ListFilter {
        status: Some(convene_domain::applications::ApplicationStatus::Submitted),
        ..Default::default()
    };
    let listed = applications::list(db, round.id, &filter, 1, 100).await.unwrap();
    let lampwick = PlaceId(app.place_id("PL-0033").await);
    let mut all = Vec::new();
    for row in listed.rows {
        let a = applications::by_id(db, row.id).await.unwrap().unwrap();
        all.push(Applied {
            id: a.id,
            reference: row.reference.clone().unwrap(),
            place: a.place_id,
            place_name: row.place_name.clone(),
        });
    }
    let (covered, others): (Vec<Applied>, Vec<Applied>) = all.into_iter().partition(|a| a.place == lampwick);
    assert_eq!(covered.len(), 1, "Lampwick Green applied once");
    assert!(others.len() >= 4);
    Third {
        round: round.id,
        notify_by: round.notify_by,
        covered: covered[0].clone(),
        others,
    }
}

/// An account that leads `place`, made in the store, signed in; and its id.
async fn lead_of(app: &TestApp, email: &str, name: &str, place: PlaceId) -> (reqwest::Client, UserId) {
    let hash = hash_password(convene_store::demo::DEMO_PASSWORD).unwrap();
    let now = now();
    let mut tx = app.state.db.begin().await.unwrap();
    let id = users::create(&mut tx, &Email::parse(email).unwrap(), name, &hash, now)
        .await
        .unwrap();
    let grant = Grant::new(Role::PlaceLead, Some(place.0)).unwrap();
    users::grant(&mut tx, UserId(id), grant, now).await.unwrap();
    tx.commit().await.unwrap();
    (app.signed_in(email).await, UserId(id))
}

/// An API request with a bearer token (none for `""`): the status and the body as text.
async fn api(app: &TestApp, token: &str, method: &str, path: &str, body: Option<Value>) -> (u16, String) {
    let mut req = app.client().request(method.parse().unwrap(), app.at(path));
    if !token.is_empty() {
        req = req.bearer_auth(token);
    }
    if let Some(body) = body {
        req = req.json(&body);
    }
    let res = req.send().await.unwrap();
    (res.status().as_u16(), res.text().await.unwrap())
}

/// Records a decision on an application through the API, with the tests' feedback.
async fn decide(app: &TestApp, token: &str, application: ApplicationId, outcome: &str) -> (u16, String) {
    let body = json!({
        "outcome": outcome,
        "feedback": FEEDBACK,
        "override_reason": REASON,
        "expected_version": 0,
    });
    let path = format!("/api/v1/applications/{}/decision", application.0);
    api(app, token, "PUT", &path, Some(body)).await
}

/// Answers an award's offer through the API: its status and body.
async fn respond(app: &TestApp, token: &str, award: i64, answer: Value) -> (u16, String) {
    let path = format!("/api/v1/awards/{award}/response");
    api(app, token, "POST", &path, Some(answer)).await
}

/// Moves the clock past the round's notification date and runs the outcome letters job.
/// Sessions made before end with the jump (five weeks idle); people sign in again.
async fn notification_date(app: &TestApp, t: &Third) {
    app.clock.set(t.notify_by.plus_seconds(3600));
    convene_app::awards::letters::send_due(&app.state).await.unwrap();
}

/// The award made on an application.
async fn award_of(app: &TestApp, application: ApplicationId) -> Option<awards::Award> {
    awards::of_application(&app.state.db, application).await.unwrap()
}

/// What a place lead can see of its application and programme, by route: its pages, the
/// API, and the public files.
async fn lead_views(
    app: &TestApp,
    lead: &reqwest::Client,
    token: &str,
    a: &Applied,
) -> Vec<(String, String)> {
    let mut seen = Vec::new();
    for path in [
        "/dashboard".to_string(),
        format!("/applications/{}", a.id.0),
        format!("/applications/{}/confirmation", a.id.0),
        format!("/places/{}", a.place.0),
        "/programmes/local-vision/about".into(),
    ] {
        let (status, body) = app.get(lead, &path).await;
        seen.push((format!("{path} {status}"), body));
    }
    for path in [
        format!("/api/v1/applications/{}", a.id.0),
        format!("/api/v1/places/{}", a.place.0),
        "/api/v1/me".into(),
        "/api/v1/programmes/local-vision".into(),
        "/api/v1/programmes/local-vision/360giving.json".into(),
        "/api/v1/programmes/local-vision/360giving.csv".into(),
    ] {
        let (status, body) = api(app, token, "GET", &path, None).await;
        seen.push((format!("{path} {status}"), body));
    }
    for path in [
        "/programmes/local-vision/360giving.json",
        "/programmes/local-vision/360giving.csv",
    ] {
        let (status, body) = app.get(&app.client(), path).await;
        seen.push((format!("{path} {status}"), body));
    }
    seen
}

/// Where two texts first differ, with some context.
fn first_difference(a: &str, b: &str) -> String {
    let at = a.bytes().zip(b.bytes()).take_while(|(x, y)| x == y).count();
    let from = a[..at].char_indices().rev().nth(80).map_or(0, |(i, _)| i);
    let end = |s: &str| {
        s.char_indices()
            .map(|(i, _)| i)
            .find(|i| *i >= at + 200)
            .unwrap_or(s.len())
    };
    format!("before: …{}…\nafter:  …{}…", &a[from..end(a)], &b[from..end(b)])
}

crate::on_both!(
    a_place_hears_nothing_of_its_outcome_before_the_notification_date,
    |app| {
        let t = third_round(&app).await;
        let db = &app.state.db;
        let target = t.others[0].clone();
        let (lead, lead_id) = lead_of(&app, "tamsin.early@example.org", "Tamsin Early", target.place).await;
        let token = app.create_api_token(&lead, "probe").await;
        let before = lead_views(&app, &lead, &token, &target).await;
        let lv = programmes::by_slug(db, "local-vision").await.unwrap().unwrap().id;
        let fund_before = awards::fund(db, lv).await.unwrap();

        // The chair funds it, weeks before the round's notification date.
        let pat = app.signed_in(PAT).await;
        let pat_token = app.create_api_token(&pat, "decide").await;
        let (status, body) = decide(&app, &pat_token, target.id, "fund").await;
        assert_eq!(status, 200, "{body}");
        let award = award_of(&app, target.id).await.expect("funding makes the award");
        assert!(award.announced_at.is_none());
        // The outcome letters job runs before the date: nothing of it goes out.
        convene_app::awards::letters::send_due(&app.state).await.unwrap();
        assert!(award_of(&app, target.id).await.unwrap().announced_at.is_none());

        // Its outcome and its offer: not found, page and API, to look at or to answer.
        let outcome = format!("/applications/{}/outcome", target.id.0);
        let (status, html) = app.get(&lead, &outcome).await;
        assert_eq!(status, 404);
        assert!(!html.contains(FEEDBACK));
        let res = app
            .post_form(
                &lead,
                "/dashboard",
                &outcome,
                &[("answer", "accept"), ("confirm_pledge", "yes")],
            )
            .await;
        assert_eq!(res.status(), 404);
        let (status, body) = api(&app, &token, "GET", &format!("/api/v1{outcome}"), None).await;
        assert_eq!(status, 404, "{body}");
        let answer = json!({"answer": "accept", "confirm_pledge": true});
        let (status, body) = respond(&app, &token, award.id, answer).await;
        assert_eq!(status, 404, "{body}");
        assert_eq!(
            award_of(&app, target.id).await.unwrap().status,
            AwardStatus::Offered
        );

        // Every other route tells exactly what it told before the decision: the application,
        // the dashboard, the place, the programme's fund figures, the 360Giving files.
        let after = lead_views(&app, &lead, &token, &target).await;
        for ((route, was), (_, now)) in before.iter().zip(&after) {
            assert!(
                was == now,
                "{route} changed when the place's outcome was decided:\n{}",
                first_difference(was, now)
            );
            assert!(!now.contains(FEEDBACK), "{route}: {now}");
        }
        // A visitor's programme page (rendered now for the first time) counts only what is
        // announced: what is left is as before.
        let (_, public) = app.get(&app.client(), "/programmes/local-vision/about").await;
        let left = fund_before.left().to_string();
        assert!(public.contains(&left), "{left} left:\n{public}");

        // On the notification date the letter goes out, and the place sees it.
        notification_date(&app, &t).await;
        let lead = app.forged_session(lead_id.0).await;
        let (status, html) = app.get(&lead, &outcome).await;
        assert_eq!(status, 200);
        assert!(html.contains(FEEDBACK), "{html}");
        let (_, public) = app.get(&app.client(), "/programmes/local-vision/about").await;
        let left = awards::fund(db, lv).await.unwrap().left();
        assert!(left < fund_before.left() && public.contains(&left.to_string()));
        app.stop().await;
    }
);

crate::on_both!(
    a_subject_access_download_holds_no_outcome_before_it_is_announced,
    |app| {
        let t = third_round(&app).await;
        let target = t.others[1].clone();
        let email = "saul.access@example.org";
        let (lead, lead_id) = lead_of(&app, email, "Saul Access", target.place).await;
        let admin = app.signed_in(SERVICE_ADMIN).await;
        let by_admin = format!("/admin/people/data.json?email={email}");
        let records = async |client: &reqwest::Client, path: &str| {
            let (status, body) = app.get(client, path).await;
            assert_eq!(status, 200, "{path}");
            let data: Value = serde_json::from_str(&body).unwrap();
            data["records"].clone()
        };
        let own_before = records(&lead, "/account/your-data.json").await;
        let pat = app.signed_in(PAT).await;
        let token = app.create_api_token(&pat, "decide").await;
        let (status, body) = decide(&app, &token, target.id, "fund").await;
        assert_eq!(status, 200, "{body}");
        for (who, path) in [(&lead, "/account/your-data.json"), (&admin, by_admin.as_str())] {
            let now = records(who, path).await;
            let text = now.to_string();
            assert!(
                !text.contains(FEEDBACK) && !text.contains(&target.reference),
                "{path} tells of the outcome before its letter:\n{text}"
            );
            // Nothing about the person changed but their use of the service.
            for section in [
                "roles",
                "emails_sent_to_you",
                "offers_answered",
                "applications_started",
            ] {
                assert_eq!(now[section], own_before[section], "{path}: {section}");
            }
        }
        // Once the letter has gone out it is theirs, in the mail sent to them.
        notification_date(&app, &t).await;
        let lead = app.forged_session(lead_id.0).await;
        let mail = records(&lead, "/account/your-data.json").await["emails_sent_to_you"].to_string();
        assert!(mail.contains(FEEDBACK), "{mail}");
        app.stop().await;
    }
);

crate::on_both!(a_lead_answers_only_their_own_place_s_offer, |app| {
    let t = third_round(&app).await;
    let (theirs, mine) = (t.others[0].clone(), t.others[1].clone());
    let pat = app.signed_in(PAT).await;
    let token = app.create_api_token(&pat, "decide").await;
    for a in [&theirs, &mine] {
        let (status, body) = decide(&app, &token, a.id, "fund").await;
        assert_eq!(status, 200, "{body}");
    }
    lead_of(&app, "tess.owner@example.org", "Tess Owner", theirs.place).await;
    let (other, other_id) = lead_of(&app, "otto.other@example.org", "Otto Other", mine.place).await;
    let other_token = app.create_api_token(&other, "answer").await;
    let admin = app.signed_in(ADMIN).await;
    let admin_token = app.create_api_token(&admin, "answer").await;
    notification_date(&app, &t).await;
    let other = app.forged_session(other_id.0).await;
    let their_award = award_of(&app, theirs.id).await.unwrap();
    let my_award = award_of(&app, mine.id).await.unwrap();
    assert!(their_award.announced_at.is_some() && my_award.announced_at.is_some());

    // Their outcome, by its page and the API, to read or to answer: not found.
    let their_page = format!("/applications/{}/outcome", theirs.id.0);
    let my_page = format!("/applications/{}/outcome", mine.id.0);
    let (status, html) = app.get(&other, &their_page).await;
    assert_eq!(status, 404);
    assert!(!html.contains(&theirs.place_name), "{html}");
    let (status, _) = api(&app, &other_token, "GET", &format!("/api/v1{their_page}"), None).await;
    assert_eq!(status, 404);
    let fields = [("answer", "decline"), ("award_id", &my_award.id.to_string())];
    let res = app.post_form(&other, &my_page, &their_page, &fields).await;
    assert_eq!(res.status(), 404);
    let (status, body) = respond(&app, &other_token, their_award.id, json!({"answer": "decline"})).await;
    assert_eq!(status, 404, "{body}");
    assert!(!body.contains(&theirs.place_name), "{body}");
    // Their award's id in the form of their own offer is ignored: the page answers the
    // offer it shows.
    let fields = [("answer", "decline"), ("award_id", &their_award.id.to_string())];
    let res = app.post_form(&other, &my_page, &my_page, &fields).await;
    assert_eq!(res.status(), 303);
    let theirs_now = award_of(&app, theirs.id).await.unwrap();
    assert_eq!(theirs_now.status, AwardStatus::Offered);
    assert!(theirs_now.responded_at.is_none());
    assert_eq!(
        award_of(&app, mine.id).await.unwrap().status,
        AwardStatus::Declined
    );
    // Nor may an admin answer for a place.
    let (status, _) = respond(&app, &admin_token, their_award.id, json!({"answer": "accept"})).await;
    assert_eq!(status, 403);
    assert_eq!(
        award_of(&app, theirs.id).await.unwrap().status,
        AwardStatus::Offered
    );
    app.stop().await;
});

/// What one request to fund left behind for its application: a decision, an award, a
/// letter.
async fn saved(app: &TestApp, round: RoundId, application: ApplicationId) -> (bool, bool, bool) {
    let db = &app.state.db;
    let decision = decisions::of_application(db, application).await.unwrap();
    let letter = letters::of_round(db, round)
        .await
        .unwrap()
        .into_iter()
        .any(|l| l.application_id == application);
    (
        decision.is_some(),
        award_of(app, application).await.is_some(),
        letter,
    )
}

crate::on_both!(funding_past_the_fund_is_refused_whole, |app| {
    let t = third_round(&app).await;
    let (first, second) = (t.others[2].clone(), t.others[3].clone());
    let admin = app.signed_in(ADMIN).await;
    let admin_token = app.create_api_token(&admin, "fund").await;
    let pat = app.signed_in(PAT).await;
    let pat_token = app.create_api_token(&pat, "fund").await;
    let board = format!("/api/v1/rounds/{}/decisions", t.round.0);
    let (_, body) = api(&app, &admin_token, "GET", &board, None).await;
    let available = serde_json::from_str::<Value>(&body).unwrap()["fund"]["available_pence"]
        .as_i64()
        .unwrap();
    // Each award fits what is available; the two together do not.
    let value = available - 100;
    assert!(value > available / 2, "the fund has {available}p available");
    for a in [&first, &second] {
        let path = format!("/api/v1/applications/{}/award-value", a.id.0);
        let (status, body) = api(
            &app,
            &admin_token,
            "PUT",
            &path,
            Some(json!({"value_pence": value})),
        )
        .await;
        assert_eq!(status, 200, "{body}");
    }
    // The chair and the admin fund one each at the same moment.
    let (a, b) = tokio::join!(
        decide(&app, &pat_token, first.id, "fund"),
        decide(&app, &admin_token, second.id, "fund"),
    );
    let outcomes = [(a, &first), (b, &second)];
    let won: Vec<_> = outcomes.iter().filter(|((s, _), _)| *s == 200).collect();
    let lost: Vec<_> = outcomes.iter().filter(|((s, _), _)| *s != 200).collect();
    assert_eq!(won.len(), 1, "exactly one is funded: {outcomes:?}");
    let ((status, body), loser) = lost[0];
    assert_eq!(*status, 422, "{body}");
    assert!(body.contains("more than the fund has left to award"), "{body}");
    assert_eq!(saved(&app, t.round, loser.id).await, (false, false, false));
    assert_eq!(saved(&app, t.round, won[0].1.id).await, (true, true, true));
    // Asked again, one after the other, it is refused the same way.
    let (status, body) = decide(&app, &pat_token, loser.id, "fund").await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(saved(&app, t.round, loser.id).await, (false, false, false));
    let lv = programmes::by_slug(&app.state.db, "local-vision")
        .await
        .unwrap()
        .unwrap()
        .id;
    let fund = awards::fund(&app.state.db, lv).await.unwrap();
    assert_eq!(fund.available().0, 100, "one award of {value}p committed");
    app.stop().await;
});
