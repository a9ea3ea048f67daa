//! Every panel page as Pat (the chair) and Priya (the programme admin) see it, with and
//! without errors, for the Nu HTML Checker (npm vnu-jar), as `html.rs` checks the rest.

use crate::common::TestApp;
use crate::{CASEY, Cast, JORDAN, PAT, PRIYA, ROBIN};
use convene_domain::{ApplicationId, Email, RoundId, UserId};
use convene_store::panels::{self as store, assignment, reviews};
use std::process::Command;

/// (what the page is, its HTML).
type Pages = Vec<(String, String)>;

/// Gathers the pages, changing the demo as the journey does on the way.
pub async fn collect(app: &TestApp, cast: &Cast) -> Pages {
    let mut pages = Pages::new();
    chair_pages(app, cast, &mut pages).await;
    admin_pages(app, cast, &mut pages).await;
    shortfall_pages(app, cast, &mut pages).await;
    pages
}

async fn get(app: &TestApp, client: &reqwest::Client, path: &str, pages: &mut Pages, who: &str) {
    let (status, html) = app.get(client, path).await;
    assert_eq!(status, 200, "{path} as {who}");
    pages.push((format!("{path} as {who}"), html));
}

/// Posts a form from `form_page` and keeps the page shown again with errors.
async fn refused(
    app: &TestApp,
    client: &reqwest::Client,
    form_page: &str,
    action: &str,
    fields: &[(&str, &str)],
    pages: &mut Pages,
) {
    let res = app.post_form(client, form_page, action, fields).await;
    assert_eq!(res.status().as_u16(), 200, "{action} shows its errors");
    let html = res.text().await.unwrap();
    assert!(html.contains("nhsuk-error-summary"), "{action} shows its errors");
    pages.push((format!("{action} with errors"), html));
}

/// Posts a form from `form_page` that must succeed.
async fn done(
    app: &TestApp,
    client: &reqwest::Client,
    form_page: &str,
    action: &str,
    fields: &[(&str, &str)],
) {
    let res = app.post_form(client, form_page, action, fields).await;
    assert_eq!(res.status().as_u16(), 303, "{action} with {fields:?}");
}

async fn user_id(app: &TestApp, email: &str) -> UserId {
    let email = Email::parse(email).unwrap();
    convene_store::users::by_email(&app.state.db, &email)
        .await
        .unwrap()
        .unwrap()
        .id
}

/// Pat's pages: the panel, conflicts, bids, the queue, a review to do and one done, the
/// moderation meeting, and each form refused.
async fn chair_pages(app: &TestApp, cast: &Cast, pages: &mut Pages) {
    let pat = app.signed_in(PAT).await;
    let third = cast.third;
    for tail in ["", "/conflicts", "/bids", "/reviews", "/moderation"] {
        get(app, &pat, &format!("/panels/{third}{tail}"), pages, "Pat").await;
    }
    let db = &app.state.db;
    let pat_id = user_id(app, PAT).await;
    let (mut to_do, mut done_review) = (None, None);
    for a in assignment::assigned_to(db, RoundId(third), pat_id).await.unwrap() {
        match reviews::review(db, a.application_id, pat_id).await.unwrap() {
            Some(r) if r.submitted() => done_review = done_review.or(Some(a.application_id)),
            None => to_do = to_do.or(Some(a.application_id)),
            Some(_) => {}
        }
    }
    let (to_do, done_review): (ApplicationId, ApplicationId) = (to_do.unwrap(), done_review.unwrap());
    let review = format!("/applications/{}/review", to_do.0);
    get(app, &pat, &review, pages, "Pat").await;
    get(
        app,
        &pat,
        &format!("/applications/{}/review", done_review.0),
        pages,
        "Pat",
    )
    .await;
    let fields = [
        ("version", "0"),
        ("action", "submit"),
        ("scores.breakthrough_issue", "3"),
    ];
    refused(app, &pat, &review, &review, &fields, pages).await;
    let conflicts = format!("/panels/{third}/conflicts");
    let with = format!("place:{}", cast.declared.0);
    refused(
        app,
        &pat,
        &conflicts,
        &conflicts,
        &[("with", &with), ("reason", "")],
        pages,
    )
    .await;
    let bids = format!("/panels/{third}/bids");
    let bid = format!("bid-{}", cast.scored);
    refused(app, &pat, &bids, &bids, &[(&bid, "9")], pages).await;
    let moderation = format!("/panels/{third}/moderation/{}", cast.scored);
    get(app, &pat, &moderation, pages, "Pat").await;
    let fields = [("agreed_score", "7"), ("note", "x"), ("version", "0")];
    let action = format!("/applications/{}/moderation", cast.scored);
    refused(app, &pat, &moderation, &action, &fields, pages).await;
}

/// Priya's pages: both panels, the assignment, the rubric, moderation, each form refused,
/// and a pair changed by hand.
async fn admin_pages(app: &TestApp, cast: &Cast, pages: &mut Pages) {
    let priya = app.signed_in(PRIYA).await;
    let (third, old) = (cast.third, cast.old);
    for path in [
        format!("/panels/{third}"),
        format!("/panels/{third}/assignment"),
        format!("/panels/{third}/rubric"),
        format!("/panels/{third}/moderation"),
        format!("/panels/{third}/moderation/{}", cast.scored),
        format!("/panels/{old}"),
        format!("/panels/{old}/rubric"),
        format!("/panels/{old}/assignment"),
    ] {
        get(app, &priya, &path, pages, "Priya").await;
    }
    let home = format!("/panels/{third}");
    let member = [("email", "x"), ("load_cap", "0"), ("region", "Atlantis")];
    refused(app, &priya, &home, &format!("{home}/members"), &member, pages).await;
    let settings = [("reviews_per_application", "99")];
    refused(app, &priya, &home, &format!("{home}/settings"), &settings, pages).await;
    let assignment = format!("{home}/assignment");
    refused(app, &priya, &assignment, &format!("{assignment}/run"), &[], pages).await;
    refused(
        app,
        &priya,
        &assignment,
        &format!("{assignment}/change"),
        &[],
        pages,
    )
    .await;
    let rubric = format!("/panels/{old}/rubric");
    let criterion = [("criteria.0.title", "Only one"), ("criteria.0.weight", "50")];
    refused(app, &priya, &rubric, &rubric, &criterion, pages).await;

    // A pair changed by hand: the first member with room who can take one (only Sasha
    // has room in the demo).
    let pairs = assignment::assignments(&app.state.db, RoundId(third))
        .await
        .unwrap();
    let members = store::members(&app.state.db, RoundId(third)).await.unwrap();
    let mut changed = false;
    'pairs: for p in &pairs {
        let on_it = |u: UserId| {
            pairs
                .iter()
                .any(|q| q.application_id == p.application_id && q.user_id == u)
        };
        for m in members.iter().filter(|m| !on_it(m.user_id)) {
            let (application, remove) = (p.application_id.0.to_string(), p.user_id.0.to_string());
            let add = m.user_id.0.to_string();
            let fields = [
                ("application", application.as_str()),
                ("remove", &remove),
                ("add", &add),
            ];
            let res = app
                .post_form(&priya, &assignment, &format!("{assignment}/change"), &fields)
                .await;
            if res.status().as_u16() == 303 {
                changed = true;
                break 'pairs;
            }
        }
    }
    assert!(changed, "someone can take the pair");
    get(app, &priya, &assignment, pages, "Priya, after a change").await;
}

/// The 2013 round's assignment falling short (Robin declared a conflict), then made: each
/// member may review every application, as in the journey.
async fn shortfall_pages(app: &TestApp, cast: &Cast, pages: &mut Pages) {
    let priya = app.signed_in(PRIYA).await;
    let home = format!("/panels/{}", cast.old);
    let members = format!("{home}/members");
    let cap = cast.old_submitted.to_string();
    for email in [JORDAN, ROBIN] {
        done(
            app,
            &priya,
            &home,
            &members,
            &[("email", email), ("load_cap", &cap)],
        )
        .await;
    }
    done(
        app,
        &priya,
        &home,
        &format!("{home}/settings"),
        &[("reviews_per_application", "2")],
    )
    .await;
    let robin = app.signed_in(ROBIN).await;
    let conflicts = format!("{home}/conflicts");
    let with = format!("place:{}", cast.old_place.0);
    let fields = [("with", with.as_str()), ("reason", "I worked there.")];
    done(app, &robin, &conflicts, &conflicts, &fields).await;
    get(app, &robin, &conflicts, pages, "Robin").await;
    let assignment = format!("{home}/assignment");
    done(app, &priya, &assignment, &format!("{assignment}/run"), &[]).await;
    let (_, html) = app.get(&priya, &assignment).await;
    assert!(html.contains("id=\"shortfall\""), "the run falls short");
    pages.push(("2013 assignment, short".into(), html));
    done(
        app,
        &priya,
        &home,
        &members,
        &[("email", CASEY), ("load_cap", &cap)],
    )
    .await;
    done(app, &priya, &assignment, &format!("{assignment}/run"), &[]).await;
    let (_, html) = app.get(&priya, &assignment).await;
    assert!(!html.contains("id=\"shortfall\""), "the run is made");
    get(app, &priya, &assignment, pages, "Priya, assigned").await;
    let (robin_id, jordan_id) = (user_id(app, ROBIN).await, user_id(app, JORDAN).await);
    let application = convene_store::applications::by_reference(&app.state.db, "LV-2013-0001")
        .await
        .unwrap()
        .unwrap()
        .id
        .0
        .to_string();
    let (remove, add) = (jordan_id.0.to_string(), robin_id.0.to_string());
    let fields = [
        ("application", application.as_str()),
        ("remove", &remove),
        ("add", &add),
    ];
    refused(
        app,
        &priya,
        &assignment,
        &format!("{assignment}/change"),
        &fields,
        pages,
    )
    .await;
}

/// Runs the Nu HTML Checker on the pages; returns each error, named by page.
pub fn nu_errors(pages: &Pages) -> Vec<String> {
    let dir = std::env::temp_dir().join(format!("convene-vnu-panels-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let files: Vec<_> = pages
        .iter()
        .enumerate()
        .map(|(i, (_, html))| {
            let file = dir.join(format!("panel-page-{i:03}.html"));
            std::fs::write(&file, html).unwrap();
            file
        })
        .collect();
    let jar = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../node_modules/vnu-jar/build/dist/vnu.jar"
    );
    let output = Command::new("java")
        .args(["-jar", jar, "--errors-only", "--format", "json"])
        .args(&files)
        .output()
        .expect("java must be installed (Debian default-jre-headless) and npm ci run for vnu-jar");
    let _ = std::fs::remove_dir_all(&dir);
    let report: serde_json::Value = serde_json::from_slice(&output.stderr).unwrap_or_else(|e| {
        panic!(
            "vnu output is not JSON ({e}): {}",
            String::from_utf8_lossy(&output.stderr)
        )
    });
    report["messages"]
        .as_array()
        .expect("vnu lists its messages")
        .iter()
        .filter(|m| m["type"] == "error" || m["type"] == "non-document-error")
        .map(|m| {
            let url = m["url"].as_str().unwrap_or("");
            let page = files
                .iter()
                .position(|f| url.ends_with(&*f.to_string_lossy()))
                .map_or(url, |i| pages[i].0.as_str());
            format!(
                "{page}: line {}: {}",
                m["lastLine"],
                m["message"].as_str().unwrap_or("")
            )
        })
        .collect()
}
