#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests fail loudly by design.
//! Every page is valid HTML: the Nu HTML Checker (npm vnu-jar) finds no error in any page a
//! visitor or each role can reach, including pages showing form errors.

#[path = "html/awards.rs"]
mod awards;
mod common;
#[path = "html/enablers.rs"]
mod enablers;
#[path = "html/engagements.rs"]
mod engagements;
#[path = "html/engagements_admin.rs"]
mod engagements_admin;
#[path = "html/support.rs"]
mod support;

use common::TestApp;
use convene_domain::ProgrammeId;
use convene_store::demo::DEMO_ACCOUNTS;
use std::process::Command;

#[tokio::test]
async fn every_page_is_valid_html() {
    let app = TestApp::spawn_demo().await;
    let mut pages: Vec<(String, String)> = Vec::new();
    let visitor = app.client();
    for path in [
        "/",
        "/sign-in",
        "/forgot-password",
        "/reset-password/not-a-real-link",
        "/accessibility",
        "/privacy",
        "/cookies",
        "/contact",
        "/no-such-page",
        "/dev/mail",
        "/open-calls",
        "/programmes/local-vision/about",
        "/news",
        "/programmes/local-vision/news",
        "/news/applications-for-the-next-nine-cohorts-open-on-27-august",
        "/register",
    ] {
        pages.push((path.to_string(), app.get(&visitor, path).await.1));
    }
    let failed = app
        .post_form(
            &visitor,
            "/sign-in",
            "/sign-in",
            &[("email", ""), ("password", "")],
        )
        .await;
    pages.push(("sign-in errors".into(), failed.text().await.unwrap()));
    let place = app.place_id("PL-0001").await;
    for account in DEMO_ACCOUNTS {
        let client = app.signed_in(account.email).await;
        for path in [
            "/dashboard".to_string(),
            "/account".into(),
            "/programmes".into(),
            "/programmes/local-vision".into(),
            format!("/places/{place}"),
        ] {
            let (status, html) = app.get(&client, &path).await;
            if status == 200 || status == 403 {
                pages.push((format!("{path} as {}", account.email), html));
            }
        }
    }
    let admin = app.signed_in("priya.programme@example.org").await;
    let (_, editor) = app.get(&admin, "/programmes/local-vision/page").await;
    pages.push(("public page editor".into(), editor));
    for (label, markdown) in [
        (
            "preview",
            "## Heading\n\n- a\n- b\n\n| a | b |\n|---|---|\n| 1 | 2 |",
        ),
        ("error", "<script>x</script>"),
    ] {
        let res = app
            .post_form(
                &admin,
                "/programmes/local-vision/page",
                "/programmes/local-vision/page",
                &[("markdown", markdown), ("preview", "yes")],
            )
            .await;
        pages.push((format!("public page editor {label}"), res.text().await.unwrap()));
    }
    let res = app
        .post_form(&admin, "/account", "/account/tokens", &[("name", "")])
        .await;
    pages.push(("account errors".into(), res.text().await.unwrap()));
    // Writing news, with errors.
    for path in [
        "/programmes/local-vision/news/manage",
        "/programmes/local-vision/news/new",
    ] {
        pages.push((path.to_string(), app.get(&admin, path).await.1));
    }
    let res = app
        .post_form(
            &admin,
            "/programmes/local-vision/news/new",
            "/programmes/local-vision/news/new",
            &[
                ("title", ""),
                ("body", "<b>x</b>"),
                ("tags", "!"),
                ("publish_day", "31"),
                ("publish_month", "2"),
            ],
        )
        .await;
    pages.push(("news form errors".into(), res.text().await.unwrap()));
    let scheduled = convene_store::news::by_slug(&app.state.db, "launch-event-for-new-places")
        .await
        .unwrap()
        .unwrap();
    let edit = format!("/programmes/local-vision/news/{}/edit", scheduled.id);
    pages.push(("news edit form".into(), app.get(&admin, &edit).await.1));
    let res = app
        .post_form(&admin, &edit, &edit, &[("title", "x"), ("publish_time", "25:00")])
        .await;
    pages.push(("news edit errors".into(), res.text().await.unwrap()));
    // Retention rules, with an error.
    pages.push((
        "retention".into(),
        app.get(&admin, "/programmes/local-vision/retention").await.1,
    ));
    let res = app
        .post_form(
            &admin,
            "/programmes/local-vision/retention",
            "/programmes/local-vision/retention",
            &[("unsubmitted_applications", "x")],
        )
        .await;
    pages.push(("retention errors".into(), res.text().await.unwrap()));
    // Personal data: finding a person, confirming an erasure.
    let service_admin = app.signed_in("ada.admin@example.org").await;
    for path in [
        "/admin/people",
        "/admin/people?email=lee.lead@example.org",
        "/admin/people?email=not-an-address",
        "/admin/people?email=nobody@example.org",
        "/admin/people/erase?email=lee.lead@example.org",
    ] {
        pages.push((path.to_string(), app.get(&service_admin, path).await.1));
    }
    let res = app
        .post_form(
            &service_admin,
            "/admin/people/erase?email=lee.lead@example.org",
            "/admin/people/erase",
            &[("email", "lee.lead@example.org")],
        )
        .await;
    pages.push(("erase errors".into(), res.text().await.unwrap()));
    // The front door: registering, links, asking for a place, deciding, inviting.
    let newcomer = app.client();
    pages.push((
        "register".into(),
        app.get(&newcomer, "/register?next=/dashboard").await.1,
    ));
    let res = app
        .post_form(
            &newcomer,
            "/register",
            "/register",
            &[("name", ""), ("email", "x"), ("password", "password1234")],
        )
        .await;
    pages.push(("register errors".into(), res.text().await.unwrap()));
    let registration = [
        ("name", "Vale Hartington"),
        ("email", "vale.hartington@example.org"),
        ("organisation", "Northfold Council"),
        ("job_role", "Policy officer"),
        ("password", "Granite meadow lanterns"),
    ];
    let res = app
        .post_form(&newcomer, "/register", "/register", &registration)
        .await;
    pages.push(("check your email".into(), res.text().await.unwrap()));
    pages.push((
        "bad link".into(),
        app.get(&newcomer, "/verify-email/nope").await.1,
    ));
    let mail = convene_store::outbox::recent(&app.state.db, 20).await.unwrap();
    let body = &mail
        .iter()
        .find(|m| m.to_address == "vale.hartington@example.org")
        .unwrap()
        .body_text;
    let link = body[body.find("/verify-email/").unwrap()..]
        .split_whitespace()
        .next()
        .unwrap()
        .to_string();
    pages.push(("confirm email".into(), app.get(&newcomer, &link).await.1));
    app.post_form(&newcomer, &link, &link, &[]).await;
    let res = app
        .post_form(
            &newcomer,
            "/sign-in",
            "/sign-in",
            &[
                ("email", "vale.hartington@example.org"),
                ("password", "Granite meadow lanterns"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    // The account pages: changes, and two-factor sign-in with its QR code.
    for path in [
        "/account",
        "/account/details",
        "/account/email",
        "/account/password",
        "/account/two-factor",
    ] {
        pages.push((format!("{path} (newcomer)"), app.get(&newcomer, path).await.1));
    }
    for (path, fields) in [
        ("/account/details", vec![("name", "")]),
        ("/account/email", vec![("email", "x")]),
        ("/account/password", vec![("current", "x")]),
        ("/account/two-factor", vec![("code", "1")]),
    ] {
        let res = app.post_form(&newcomer, path, path, &fields).await;
        pages.push((format!("{path} errors"), res.text().await.unwrap()));
    }
    let (_, setup) = app.get(&newcomer, "/account/two-factor").await;
    let marker = "<code class=\"convene-secret\">";
    let secret = setup[setup.find(marker).unwrap() + marker.len()..]
        .split('<')
        .next()
        .unwrap()
        .to_string();
    let code = convene_domain::two_factor::code_at(&secret, (common::now().0 / 1_000_000) as u64).unwrap();
    let res = app
        .post_form(
            &newcomer,
            "/account/two-factor",
            "/account/two-factor",
            &[("code", &code)],
        )
        .await;
    pages.push(("recovery codes".into(), res.text().await.unwrap()));
    pages.push((
        "two-factor on".into(),
        app.get(&newcomer, "/account/two-factor").await.1,
    ));
    let second = app.client();
    app.post_form(
        &second,
        "/sign-in",
        "/sign-in",
        &[
            ("email", "vale.hartington@example.org"),
            ("password", "Granite meadow lanterns"),
        ],
    )
    .await;
    pages.push((
        "code page".into(),
        app.get(&second, "/sign-in/two-factor").await.1,
    ));
    let res = app
        .post_form(
            &second,
            "/sign-in/two-factor",
            "/sign-in/two-factor",
            &[("code", "")],
        )
        .await;
    pages.push(("code page errors".into(), res.text().await.unwrap()));
    let join = "/programmes/local-vision/join";
    pages.push(("join".into(), app.get(&newcomer, join).await.1));
    let res = app.post_form(&newcomer, join, join, &[("reason", "")]).await;
    pages.push(("join errors".into(), res.text().await.unwrap()));
    let northfold = app.place_id("PL-0002").await.to_string();
    app.post_form(
        &newcomer,
        join,
        join,
        &[("place", &northfold), ("reason", "Policy officer")],
    )
    .await;
    pages.push(("join with a request".into(), app.get(&newcomer, join).await.1));
    pages.push((
        "requests".into(),
        app.get(&admin, "/programmes/local-vision/requests").await.1,
    ));
    let request = convene_store::requests::for_programme(&app.state.db, ProgrammeId(1))
        .await
        .unwrap();
    if let Some(r) = request.first() {
        let path = format!("/requests/{}", r.id);
        pages.push(("request".into(), app.get(&admin, &path).await.1));
        let res = app
            .post_form(&admin, &path, &path, &[("decision", "decline")])
            .await;
        pages.push(("request errors".into(), res.text().await.unwrap()));
    }
    let invite = "/programmes/local-vision/invite";
    pages.push(("invite".into(), app.get(&admin, invite).await.1));
    let res = app.post_form(&admin, invite, invite, &[("email", "x")]).await;
    pages.push(("invite errors".into(), res.text().await.unwrap()));
    app.post_form(
        &admin,
        invite,
        invite,
        &[
            ("email", "kit.farrow@example.org"),
            ("role", "place_lead"),
            ("place", &northfold),
        ],
    )
    .await;
    let mail = convene_store::outbox::recent(&app.state.db, 20).await.unwrap();
    let body = &mail
        .iter()
        .find(|m| m.to_address == "kit.farrow@example.org")
        .unwrap()
        .body_text;
    let link = body[body.find("/invitations/").unwrap()..]
        .split_whitespace()
        .next()
        .unwrap()
        .to_string();
    pages.push(("invitation".into(), app.get(&app.client(), &link).await.1));
    let res = app.post_form(&app.client(), &link, &link, &[("name", "")]).await;
    pages.push(("invitation errors".into(), res.text().await.unwrap()));
    let res = app
        .post_form(
            &admin,
            &format!("/places/{place}"),
            &format!("/places/{place}/chair"),
            &[("chair_name", ""), ("chair_email", "x")],
        )
        .await;
    pages.push(("place errors".into(), res.text().await.unwrap()));
    pages.push((
        "new round".into(),
        app.get(&admin, "/programmes/local-vision/rounds/new").await.1,
    ));
    let res = app
        .post_form(
            &admin,
            "/programmes/local-vision/rounds/new",
            "/programmes/local-vision/rounds/new",
            &[
                ("name", ""),
                ("closes_day", "31"),
                ("closes_month", "2"),
                ("closes_year", "2027"),
                ("launch_day", "1"),
            ],
        )
        .await;
    pages.push(("new round errors".into(), res.text().await.unwrap()));
    pages.push((
        "contribution".into(),
        app.get(&admin, "/programmes/local-vision/contributions").await.1,
    ));
    let res = app
        .post_form(
            &admin,
            "/programmes/local-vision/contributions",
            "/programmes/local-vision/contributions",
            &[("org_id", "x"), ("amount", "")],
        )
        .await;
    pages.push(("contribution errors".into(), res.text().await.unwrap()));
    app.post_form(&admin, "/account", "/account/tokens", &[("name", "Tool")])
        .await;
    pages.push(("account with token".into(), app.get(&admin, "/account").await.1));

    // Applying: every page of the journey, with and without errors.
    let lead = app.signed_in("lee.lead@example.org").await;
    let apply = "/programmes/local-vision/rounds/demo-open/apply";
    pages.push(("apply: which place".into(), app.get(&lead, apply).await.1));
    let res = app.post_form(&lead, apply, apply, &[]).await;
    pages.push(("apply: which place, error".into(), res.text().await.unwrap()));
    let res = app
        .post_form(&lead, apply, apply, &[("place", &place.to_string())])
        .await;
    let task_list = res.headers()["location"].to_str().unwrap().to_string();
    pages.push(("task list".into(), app.get(&lead, &task_list).await.1));
    for section in [
        "about-your-place",
        "breakthrough-issue",
        "gain-for-residents",
        "local-leadership",
        "lessons",
        "contribution",
    ] {
        let path = format!("{task_list}/sections/{section}");
        pages.push((path.clone(), app.get(&lead, &path).await.1));
        let res = app
            .post_form(&lead, &path, &path, &[("version", "0"), ("action", "continue")])
            .await;
        pages.push((format!("{path} with errors"), res.text().await.unwrap()));
    }
    for tail in ["/sign-off", "/check", "/withdraw"] {
        let path = format!("{task_list}{tail}");
        pages.push((path.clone(), app.get(&lead, &path).await.1));
    }
    let sign_off = format!("{task_list}/sign-off");
    let res = app
        .post_form(
            &lead,
            &sign_off,
            &format!("{sign_off}/contacts"),
            &[("contact_email", "nope")],
        )
        .await;
    pages.push(("sign-off contact errors".into(), res.text().await.unwrap()));
    let check = format!("{task_list}/check");
    let res = app
        .post_form(&lead, &check, &format!("{task_list}/submit"), &[])
        .await;
    pages.push(("submit refused".into(), res.text().await.unwrap()));
    pages.push((
        "sign-off link not valid".into(),
        app.get(&visitor, &format!("/sign-off/{}", "0".repeat(64)))
            .await
            .1,
    ));

    // Running the round: the round page, the form builder, the list, an application.
    for path in [
        "/programmes/local-vision/rounds/2013",
        "/programmes/local-vision/rounds/2013/form",
        "/programmes/local-vision/rounds/demo-open/form",
        "/programmes/local-vision/rounds/2013/applications",
        "/programmes/local-vision/rounds/2013/applications?status=submitted",
    ] {
        pages.push((path.to_string(), app.get(&admin, path).await.1));
    }
    let listed = convene_store::applications::list(
        &app.state.db,
        convene_store::programmes::all_rounds(&app.state.db)
            .await
            .unwrap()
            .iter()
            .find(|r| r.slug == "2013")
            .unwrap()
            .id,
        &Default::default(),
        1,
        50,
    )
    .await
    .unwrap();
    for row in &listed.rows {
        let path = format!("/applications/{}", row.id);
        pages.push((format!("{path} as admin"), app.get(&admin, &path).await.1));
    }
    let oakhurst = listed.rows.iter().find(|r| r.reference.is_some()).unwrap().id;
    pages.push((
        "confirmation".into(),
        app.get(&lead, &format!("/applications/{oakhurst}/confirmation"))
            .await
            .1,
    ));

    // Selection, decisions and awards (these move the clock, so they come last).
    engagements::collect(&app, &mut pages).await;
    enablers::collect(&app, &mut pages).await;
    engagements_admin::collect(&app, &mut pages).await;
    support::collect(&app, &mut pages).await;
    awards::collect(&app, &mut pages).await;

    let dir = std::env::temp_dir().join(format!("convene-vnu-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut files = Vec::new();
    for (i, (name, html)) in pages.iter().enumerate() {
        let file = dir.join(format!("page-{i:03}.html"));
        std::fs::write(&file, html).unwrap();
        files.push((file, name.clone()));
    }
    // A page known to be broken, so the check is seen to catch errors.
    let broken = dir.join("known-broken.html");
    std::fs::write(
        &broken,
        "<!DOCTYPE html><html lang=en><head><title>x</title></head><body><p><div></p></body></html>",
    )
    .unwrap();
    let errors = nu_errors(
        files
            .iter()
            .map(|(f, _)| f.clone())
            .chain([broken.clone()])
            .collect(),
    );
    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        errors.iter().any(|(file, _)| file.ends_with("known-broken.html")),
        "the checker reports a broken page"
    );
    let real: Vec<String> = errors
        .iter()
        .filter(|(file, _)| !file.ends_with("known-broken.html"))
        .map(|(file, message)| {
            let name = files
                .iter()
                .find(|(f, _)| file.ends_with(&*f.to_string_lossy()))
                .map(|(_, n)| n.as_str())
                .unwrap_or(file);
            format!("{name}: {message}")
        })
        .collect();
    assert!(
        real.is_empty(),
        "The Nu HTML Checker found errors ({} pages checked):\n{}",
        pages.len(),
        real.join("\n")
    );
    app.stop().await;
}

/// Runs the Nu HTML Checker on files; returns (file URL, message) for each error.
fn nu_errors(files: Vec<std::path::PathBuf>) -> Vec<(String, String)> {
    let jar = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../node_modules/vnu-jar/build/dist/vnu.jar"
    );
    let output = Command::new("java")
        .args(["-jar", jar, "--errors-only", "--format", "json"])
        .args(&files)
        .output()
        .expect("java must be installed (Debian default-jre-headless) and npm ci run for vnu-jar");
    let report: serde_json::Value = serde_json::from_slice(&output.stderr).unwrap_or_else(|e| {
        panic!(
            "vnu output is not JSON ({e}): {}",
            String::from_utf8_lossy(&output.stderr)
        )
    });
    report["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["type"] == "error" || m["type"] == "non-document-error")
        .map(|m| {
            (
                m["url"].as_str().unwrap_or("").to_string(),
                format!("line {}: {}", m["lastLine"], m["message"].as_str().unwrap_or("")),
            )
        })
        .collect()
}
