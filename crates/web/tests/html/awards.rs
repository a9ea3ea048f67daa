//! The pages of selection, decisions and awards for the Nu HTML Checker: the chair's
//! selection helper before and after a run and with a rule refused, the decisions board
//! (with a declined offer to pass to the reserve), a decision form with errors, an award
//! value with an error, a place's outcome with its offer and with errors, the open data
//! settings and the CSV page of a programme with no grants.

use crate::common::{TestApp, now};
use convene_domain::accounts::{Grant, Role, hash_password};
use convene_domain::{Email, UserId};

const PAT: &str = "pat.panel@example.org";
const ADMIN: &str = "priya.programme@example.org";
const LEAD: &str = "lark.offered@example.org";

/// Adds the pages under `name`s, asked of the demo's third round (which it changes: run
/// last).
pub async fn collect(app: &TestApp, pages: &mut Vec<(String, String)>) {
    let db = &app.state.db;
    let lv = convene_store::programmes::by_slug(db, "local-vision")
        .await
        .unwrap()
        .unwrap();
    let third = convene_store::programmes::rounds(db, lv.id)
        .await
        .unwrap()
        .into_iter()
        .find(|r| r.slug == "2026-third-round")
        .unwrap();
    let chosen = first_submitted(app, third.id).await;
    let pat = app.signed_in(PAT).await;
    let admin = app.signed_in(ADMIN).await;
    chair_pages(app, &pat, third.id.0, chosen.id.0, pages).await;
    admin_pages(app, &admin, third.id.0, chosen.id.0, pages).await;
    // The place hears on the notification date: its lead answers the offer, with errors,
    // then declines, and the board shows the declined offer.
    let lead = lead_of(app, chosen.place_id.0).await;
    app.clock.set(third.notify_by.plus_seconds(3600));
    convene_app::awards::letters::send_due(&app.state).await.unwrap();
    outcome_pages(app, lead, chosen.id.0, pages).await;
    let admin = app.signed_in(ADMIN).await;
    let board = format!("/panels/{}/decisions", third.id.0);
    let html = shown(app, &admin, &board).await;
    assert!(html.contains("Offers declined"), "{html}");
    pages.push(("decisions board with a declined offer".into(), html));
}

/// The round's first submitted application.
async fn first_submitted(
    app: &TestApp,
    round: convene_domain::RoundId,
) -> convene_domain::applications::Application {
    let filter = convene_store::applications::ListFilter {
        status: Some(convene_domain::applications::ApplicationStatus::Submitted),
        ..Default::default()
    };
    let listed = convene_store::applications::list(&app.state.db, round, &filter, 1, 1)
        .await
        .unwrap();
    convene_store::applications::by_id(&app.state.db, listed.rows[0].id)
        .await
        .unwrap()
        .unwrap()
}

/// The chair's pages: the helper before a run, with a rule refused and after a run; the
/// board; a decision form, refused, then funding.
async fn chair_pages(
    app: &TestApp,
    pat: &reqwest::Client,
    round: i64,
    application: i64,
    pages: &mut Vec<(String, String)>,
) {
    let selection = format!("/panels/{round}/selection");
    pages.push(("selection before a run".into(), shown(app, pat, &selection).await));
    let rules = format!("{selection}/rules");
    let res = app.post_form(pat, &selection, &rules, &[("most-1", "x")]).await;
    assert_eq!(res.status(), 200);
    pages.push(("selection rule refused".into(), res.text().await.unwrap()));
    let run = format!("{selection}/run");
    let res = app.post_form(pat, &selection, &run, &[]).await;
    assert_eq!(res.status(), 303);
    pages.push(("selection after a run".into(), shown(app, pat, &selection).await));
    let board = format!("/panels/{round}/decisions");
    pages.push(("decisions board".into(), shown(app, pat, &board).await));
    let form = format!("{board}/{application}");
    pages.push(("decision form".into(), shown(app, pat, &form).await));
    let res = app.post_form(pat, &form, &form, &[("feedback", "")]).await;
    assert_eq!(res.status(), 200);
    pages.push(("decision form with errors".into(), res.text().await.unwrap()));
    let fund = [
        ("outcome", "fund"),
        ("feedback", "A clear plan, well led."),
        ("override_reason", "The panel met before every review was in."),
        ("expected_version", "0"),
    ];
    let res = app.post_form(pat, &form, &form, &fund).await;
    assert_eq!(res.status(), 303, "the chair funds it");
    pages.push((
        "decisions board after a decision".into(),
        shown(app, pat, &board).await,
    ));
}

/// The admin's pages: an award value with an error, the open data settings with an
/// error, and the CSV page of a programme with no grants.
async fn admin_pages(
    app: &TestApp,
    admin: &reqwest::Client,
    round: i64,
    application: i64,
    pages: &mut Vec<(String, String)>,
) {
    let value = format!("/panels/{round}/selection/values/{application}");
    pages.push(("award value".into(), shown(app, admin, &value).await));
    let res = app.post_form(admin, &value, &value, &[("value", "0")]).await;
    assert_eq!(res.status(), 200);
    pages.push(("award value with an error".into(), res.text().await.unwrap()));
    let open_data = "/programmes/local-vision/open-data";
    pages.push(("open data settings".into(), shown(app, admin, open_data).await));
    let res = app
        .post_form(admin, open_data, open_data, &[("grant_prefix", "x")])
        .await;
    assert_eq!(res.status(), 200);
    pages.push((
        "open data settings with an error".into(),
        res.text().await.unwrap(),
    ));
    let nothing = "/programmes/system-leadership-fund-2019/360giving.csv";
    let (status, html) = app.get(&app.client(), nothing).await;
    assert_eq!(status, 404);
    pages.push(("no grants to download".into(), html));
    // The demo lead's accepted award of 2013.
    let db = &app.state.db;
    let lv = convene_store::programmes::by_slug(db, "local-vision")
        .await
        .unwrap()
        .unwrap();
    let r2013 = convene_store::programmes::rounds(db, lv.id)
        .await
        .unwrap()
        .into_iter()
        .find(|r| r.slug == "2013")
        .unwrap();
    let place = convene_domain::PlaceId(app.place_id("PL-0009").await);
    let oakhurst = convene_store::applications::for_place_in_round(db, r2013.id, place)
        .await
        .unwrap()
        .unwrap();
    let lee = app.signed_in("lee.lead@example.org").await;
    let (status, html) = app
        .get(&lee, &format!("/applications/{}/outcome", oakhurst.id.0))
        .await;
    assert_eq!(status, 200);
    pages.push(("outcome accepted".into(), html));
}

/// The place's outcome with its offer, refused twice, then declined.
async fn outcome_pages(app: &TestApp, lead_id: UserId, application: i64, pages: &mut Vec<(String, String)>) {
    let lead = &app.forged_session(lead_id.0).await;
    let outcome = format!("/applications/{application}/outcome");
    let (status, html) = app.get(lead, &outcome).await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("accept"), "the offer can be answered: {html}");
    pages.push(("outcome with an offer".into(), html));
    for (label, fields) in [
        ("outcome with no answer", vec![]),
        ("outcome accepted without the pledge", vec![("answer", "accept")]),
    ] {
        let res = app.post_form(lead, &outcome, &outcome, &fields).await;
        assert_eq!(res.status(), 200);
        pages.push((label.into(), res.text().await.unwrap()));
    }
    let res = app
        .post_form(lead, &outcome, &outcome, &[("answer", "decline")])
        .await;
    assert_eq!(res.status(), 303);
    pages.push(("outcome declined".into(), shown(app, lead, &outcome).await));
}

/// A page that must be shown (200).
async fn shown(app: &TestApp, client: &reqwest::Client, path: &str) -> String {
    let (status, html) = app.get(client, path).await;
    assert_eq!(status, 200, "{path}: {html}");
    html
}

/// A lead of the place, made in the store; their id.
async fn lead_of(app: &TestApp, place: i64) -> UserId {
    let hash = hash_password(convene_store::demo::DEMO_PASSWORD).unwrap();
    let mut tx = app.state.db.begin().await.unwrap();
    let email = Email::parse(LEAD).unwrap();
    let id = convene_store::users::create(&mut tx, &email, "Lark Offered", &hash, now())
        .await
        .unwrap();
    let grant = Grant::new(Role::PlaceLead, Some(place)).unwrap();
    convene_store::users::grant(&mut tx, UserId(id), grant, now())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    UserId(id)
}
