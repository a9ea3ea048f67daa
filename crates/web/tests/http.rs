#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests fail loudly by design.
//! Convene over HTTP, on both stores: operations, sign-in, CSRF, permissions, errors.

mod common;

use convene_domain::UserId;
use convene_store::demo::DEMO_ACCOUNTS;

const ADMIN: &str = "priya.programme@example.org";
const LEAD: &str = "lee.lead@example.org";

on_both!(health_metrics_and_openapi, |app| {
    let client = app.client();
    let res = client.get(app.at("/health")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["status"], "ok");
    let (_, _) = app.get(&client, "/").await;
    let res = client
        .get(app.at("/metrics"))
        .bearer_auth(common::METRICS_TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let metrics = res.text().await.unwrap();
    assert!(metrics.contains("http_requests_total{"), "{metrics}");
    assert!(metrics.contains("route=\"/\""), "{metrics}");
    assert!(
        metrics.contains("http_request_duration_seconds_bucket"),
        "{metrics}"
    );
    assert!(metrics.contains("db_pool_connections"), "{metrics}");
    let doc: serde_json::Value = client
        .get(app.at("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"), "{doc}");
    assert!(doc["paths"]["/api/v1/places/{id}"]["get"].is_object(), "{doc}");
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
    app.stop().await;
});

on_both!(every_role_signs_in_to_its_dashboard, |app| {
    for account in DEMO_ACCOUNTS {
        let client = app.signed_in(account.email).await;
        let (status, html) = app.get(&client, "/dashboard").await;
        assert_eq!(status, 200, "{}", account.email);
        assert!(html.contains(account.name), "{} sees their name", account.email);
        assert!(
            html.contains(account.role.label()),
            "{} sees their role",
            account.email
        );
        assert!(html.contains("<title>Dashboard – Convene</title>"));
    }
    let admin = app.signed_in(ADMIN).await;
    let (_, html) = app.get(&admin, "/dashboard").await;
    assert!(html.contains("Systems Leadership – Local Vision"));
    assert!(
        html.contains("£1,350,000"),
        "the fund total is derived: the partners' £1,050,000 and accepted match contributions, £300,000"
    );
    assert!(html.contains("Closed at 11:59pm on Friday 24 May 2013"));
    app.stop().await;
});

on_both!(signed_out_people_are_sent_to_sign_in, |app| {
    let client = app.client();
    let res = client.get(app.at("/dashboard")).send().await.unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/sign-in?next=%2Fdashboard");
    app.stop().await;
});

on_both!(wrong_password_and_unknown_email_get_one_message, |app| {
    let client = app.client();
    for (email, password) in [
        (ADMIN, "not the password"),
        ("nobody@example.org", "whatever it is"),
    ] {
        let res = app
            .post_form(
                &client,
                "/sign-in",
                "/sign-in",
                &[("email", email), ("password", password)],
            )
            .await;
        assert_eq!(res.status(), 200);
        let html = res.text().await.unwrap();
        assert!(
            html.contains("Enter a correct email address and password"),
            "{email}"
        );
        assert!(html.contains("<title>Error: Sign in – Convene</title>"));
        assert!(
            html.contains(&format!("value=\"{email}\"")),
            "the typed email is kept"
        );
    }
    app.stop().await;
});

on_both!(repeated_failures_slow_down_sign_in_without_locking_out, |app| {
    let client = app.client();
    for _ in 0..5 {
        app.post_form(
            &client,
            "/sign-in",
            "/sign-in",
            &[("email", LEAD), ("password", "wrong-password-x")],
        )
        .await;
    }
    let res = app
        .post_form(
            &client,
            "/sign-in",
            "/sign-in",
            &[("email", LEAD), ("password", convene_store::demo::DEMO_PASSWORD)],
        )
        .await;
    let html = res.text().await.unwrap();
    assert!(
        html.contains("Too many failed attempts. Wait"),
        "even the right password waits: {html}"
    );
    app.clock.set(app.clock_now_plus(10));
    app.sign_in(&client, LEAD).await;
    app.stop().await;
});

on_both!(form_posts_need_the_session_token, |app| {
    let client = app.signed_in(ADMIN).await;
    let post = |body: &'static str| {
        client
            .post(app.at("/account/tokens"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
    };
    let res = post("name=no-token").send().await.unwrap();
    assert_eq!(res.status(), 403);
    assert!(res.text().await.unwrap().contains("You do not have permission"));
    let res = post("name=wrong&csrf_token=forged").send().await.unwrap();
    assert_eq!(res.status(), 403);
    let (_, html) = app.get(&client, "/account").await;
    let token = common::csrf_token(&html);
    let res = client
        .post(app.at("/account/tokens"))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("sec-fetch-site", "cross-site")
        .body(format!("name=cross-site&csrf_token={token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        403,
        "a cross-site post is refused even with a token"
    );
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let (_, html) = app.get(&client, "/account").await;
    assert!(
        html.contains("You have no API tokens"),
        "nothing was created by refused posts"
    );
    app.stop().await;
});

on_both!(place_lead_reaches_only_their_own_place, |app| {
    let lead = app.signed_in(LEAD).await;
    let own = app.place_id("PL-0001").await;
    let other = app.place_id("PL-0002").await;
    let (_, dashboard) = app.get(&lead, "/dashboard").await;
    assert!(
        dashboard.contains(&format!("href=\"/places/{own}\"")),
        "the lead's dashboard lists their place"
    );
    assert!(!dashboard.contains("Northfold"), "and only their place");
    let (status, html) = app.get(&lead, &format!("/places/{own}")).await;
    assert_eq!(status, 200);
    assert!(html.contains("Westermoor"));
    assert!(
        !html.contains("Save contact"),
        "leads cannot edit the chair's contact"
    );
    let (status, html) = app.get(&lead, &format!("/places/{other}")).await;
    assert_eq!(status, 403);
    assert!(!html.contains("Northfold"), "nothing of the other place leaks");
    let res = app
        .post_form(
            &lead,
            "/account",
            &format!("/places/{own}/chair"),
            &[("chair_name", "Mallory"), ("chair_email", "m@example.org")],
        )
        .await;
    assert_eq!(
        res.status(),
        403,
        "a lead cannot change the chair's contact by posting directly"
    );
    let place = convene_store::programmes::place(&app.state.db, own)
        .await
        .unwrap()
        .unwrap();
    assert_ne!(place.hwb_chair_name.as_deref(), Some("Mallory"));
    app.stop().await;
});

on_both!(programme_admin_edits_only_their_programme, |app| {
    let admin = app.signed_in(ADMIN).await;
    let (status, _) = app.get(&admin, "/programmes/local-vision").await;
    assert_eq!(status, 200);
    let (status, _) = app.get(&admin, "/programmes/leadership-for-change").await;
    assert_eq!(status, 403);
    let res = app
        .post_form(
            &admin,
            "/programmes/local-vision",
            "/programmes/leadership-for-change/summary",
            &[("summary", "Taken over")],
        )
        .await;
    assert_eq!(res.status(), 403);
    let lfc = convene_store::programmes::by_slug(&app.state.db, "leadership-for-change")
        .await
        .unwrap()
        .unwrap();
    assert_ne!(lfc.summary, "Taken over");
    // An empty summary is refused next to the field and nothing is saved.
    let res = app
        .post_form(
            &admin,
            "/programmes/local-vision",
            "/programmes/local-vision/summary",
            &[("summary", "  ")],
        )
        .await;
    let html = res.text().await.unwrap();
    assert!(html.contains("Enter a summary of the programme"));
    assert!(
        html.contains("href=\"#summary\""),
        "the error summary links to the field"
    );
    let lv = convene_store::programmes::by_slug(&app.state.db, "local-vision")
        .await
        .unwrap()
        .unwrap();
    assert!(lv.summary.starts_with("The System Leadership programme"));
    // A good change is saved and audited.
    let res = app
        .post_form(
            &admin,
            "/programmes/local-vision",
            "/programmes/local-vision/summary",
            &[("summary", "A clearer summary.")],
        )
        .await;
    assert_eq!(res.status(), 303);
    let lv = convene_store::programmes::by_slug(&app.state.db, "local-vision")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(lv.summary, "A clearer summary.");
    let audit = convene_store::audit::recent(&app.state.db, 5).await.unwrap();
    assert!(
        audit
            .iter()
            .any(|e| e.action == "programme_summary_changed" && e.record_id == Some(lv.id.0))
    );
    // The admin may change the chair's contact of a place in their programme.
    let place = app.place_id("PL-0003").await;
    let res = app
        .post_form(
            &admin,
            &format!("/places/{place}"),
            &format!("/places/{place}/chair"),
            &[("chair_name", "Robin Chairwell"), ("chair_email", "not-an-email")],
        )
        .await;
    let html = res.text().await.unwrap();
    assert!(html.contains("Enter an email address in the correct format"));
    assert!(
        html.contains("value=\"Robin Chairwell\""),
        "what was typed is kept"
    );
    app.stop().await;
});

on_both!(api_tokens_follow_the_same_policy, |app| {
    let lead = app.signed_in(LEAD).await;
    let token = app.create_api_token(&lead, "My script").await;
    let (_, again) = app.get(&lead, "/account").await;
    assert!(!again.contains(&token), "the token is shown once");
    let api = reqwest::Client::new();
    let call = |path: &str| api.get(app.at(path)).bearer_auth(&token);
    let me: serde_json::Value = call("/api/v1/me").send().await.unwrap().json().await.unwrap();
    assert_eq!(me["email"], LEAD);
    let own = app.place_id("PL-0001").await;
    let other = app.place_id("PL-0002").await;
    assert_eq!(
        call(&format!("/api/v1/places/{own}"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    let res = call(&format!("/api/v1/places/{other}")).send().await.unwrap();
    assert_eq!(res.status(), 403);
    assert_eq!(res.headers()["content-type"], "application/problem+json");
    assert_eq!(
        call("/api/v1/programmes/local-vision/places")
            .send()
            .await
            .unwrap()
            .status(),
        403
    );
    let res = api
        .put(app.at(&format!("/api/v1/places/{own}/chair")))
        .bearer_auth(&token)
        .json(&serde_json::json!({"name": "Mallory", "email": "m@example.org"}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        403,
        "a lead cannot change the chair through the API either"
    );
    // The session cookie is never accepted by the API.
    assert_eq!(lead.get(app.at("/api/v1/me")).send().await.unwrap().status(), 401);
    assert_eq!(api.get(app.at("/api/v1/me")).send().await.unwrap().status(), 401);
    // Revoking the token ends its use.
    let token_id = convene_store::tokens::api_tokens_of(&app.state.db, UserId(me["id"].as_i64().unwrap()))
        .await
        .unwrap()[0]
        .id;
    let res = app
        .post_form(
            &lead,
            "/account",
            &format!("/account/tokens/{token_id}/revoke"),
            &[],
        )
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(call("/api/v1/me").send().await.unwrap().status(), 401);
    app.stop().await;
});

on_both!(nobody_revokes_someone_elses_token, |app| {
    let admin = app.signed_in(ADMIN).await;
    app.post_form(&admin, "/account", "/account/tokens", &[("name", "Admin tool")])
        .await;
    let admin_id =
        convene_store::users::by_email(&app.state.db, &convene_domain::Email::parse(ADMIN).unwrap())
            .await
            .unwrap()
            .unwrap()
            .id;
    let token_id = convene_store::tokens::api_tokens_of(&app.state.db, admin_id)
        .await
        .unwrap()[0]
        .id;
    let lead = app.signed_in(LEAD).await;
    let res = app
        .post_form(
            &lead,
            "/account",
            &format!("/account/tokens/{token_id}/revoke"),
            &[],
        )
        .await;
    assert_eq!(res.status(), 403);
    assert_eq!(
        convene_store::tokens::api_tokens_of(&app.state.db, admin_id)
            .await
            .unwrap()
            .len(),
        1
    );
    app.stop().await;
});

on_both!(api_validation_errors_name_the_field, |app| {
    let admin = app.signed_in(ADMIN).await;
    let token = app.create_api_token(&admin, "Admin tool").await;
    let place = app.place_id("PL-0004").await;
    let api = reqwest::Client::new();
    let res = api
        .put(app.at(&format!("/api/v1/places/{place}/chair")))
        .bearer_auth(&token)
        .json(&serde_json::json!({"name": "", "email": "nope"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    let body: serde_json::Value = res.json().await.unwrap();
    assert!(
        body["errors"]["email"].is_string() && body["errors"]["name"].is_string(),
        "{body}"
    );
    let res = api
        .put(app.at(&format!("/api/v1/places/{place}/chair")))
        .bearer_auth(&token)
        .json(&serde_json::json!({"name": "Robin Chairwell", "email": "robin.chairwell@example.org"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let res = api
        .put(app.at(&format!("/api/v1/places/{place}/chair")))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    assert_eq!(res.headers()["content-type"], "application/problem+json");
    app.stop().await;
});

on_both!(errors_have_proper_pages, |app| {
    let client = app.client();
    let res = client.get(app.at("/no/such/page")).send().await.unwrap();
    assert_eq!(res.status(), 404);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    assert!(res.text().await.unwrap().contains("Page not found"));
    let res = client.get(app.at("/dev/mail")).send().await.unwrap();
    assert_eq!(res.status(), 404, "the outbox viewer exists only in the demo");
    let res = client.get(app.at("/api/v1/nothing")).send().await.unwrap();
    assert_eq!(res.status(), 404);
    assert_eq!(res.headers()["content-type"], "application/problem+json");
    let res = client.delete(app.at("/health")).send().await.unwrap();
    assert_eq!(res.status(), 405);
    assert!(res.text().await.unwrap().contains("not available"));
    let big = "a".repeat(11 * 1024 * 1024);
    let res = client
        .post(app.at("/sign-in"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("email={big}"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 413);
    assert!(res.text().await.unwrap().contains("too large"));
    let res = client.get(app.at("/")).send().await.unwrap();
    let csp = res.headers()["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"));
    assert_eq!(res.headers()["x-content-type-options"], "nosniff");
    app.stop().await;
});

on_both!(password_reset_by_single_use_link, |app| {
    let client = app.client();
    let res = app
        .post_form(
            &client,
            "/forgot-password",
            "/forgot-password",
            &[("email", LEAD)],
        )
        .await;
    assert!(res.text().await.unwrap().contains("Check your email"));
    let res = app
        .post_form(
            &client,
            "/forgot-password",
            "/forgot-password",
            &[("email", "nobody@example.org")],
        )
        .await;
    assert!(
        res.text().await.unwrap().contains("Check your email"),
        "unknown addresses get the same answer"
    );
    app.wait_for_mail(LEAD, "/reset-password/").await;
    // The unknown address's request was made after the known one's; give it as long.
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let mail = convene_store::outbox::recent(&app.state.db, 10).await.unwrap();
    assert_eq!(mail.len(), 1, "only the real account is mailed");
    assert_eq!(mail[0].to_address, LEAD);
    let link = mail[0]
        .body_text
        .lines()
        .find(|l| l.contains("/reset-password/"))
        .unwrap()
        .trim()
        .to_string();
    let path = link.trim_start_matches(&app.url).to_string();
    let res = app
        .post_form(
            &client,
            &path,
            &path,
            &[("password", "short"), ("confirm", "short")],
        )
        .await;
    assert!(res.text().await.unwrap().contains("12 characters or more"));
    let new_password = "a brand new passphrase";
    let res = app
        .post_form(
            &client,
            &path,
            &path,
            &[("password", new_password), ("confirm", new_password)],
        )
        .await;
    assert_eq!(res.status(), 303);
    let (_, html) = app.get(&client, &path).await;
    assert!(html.contains("expired or has already been used"));
    let res = app
        .post_form(
            &client,
            "/sign-in",
            "/sign-in",
            &[("email", LEAD), ("password", new_password)],
        )
        .await;
    assert_eq!(res.status(), 303);
    app.stop().await;
});

on_both!(sign_out_everywhere_ends_other_sessions, |app| {
    let laptop = app.signed_in(LEAD).await;
    let phone = app.signed_in(LEAD).await;
    assert_eq!(app.get(&phone, "/dashboard").await.0, 200);
    let res = app
        .post_form(&laptop, "/account", "/account/sign-out-everywhere", &[])
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(
        app.get(&phone, "/dashboard").await.0,
        303,
        "the other device is signed out"
    );
    assert_eq!(app.get(&laptop, "/dashboard").await.0, 303);
    app.stop().await;
});

on_both!(
    a_form_posted_after_the_session_ended_is_kept_through_sign_in,
    |app| {
        let admin = app.signed_in(ADMIN).await;
        let (_, page) = app.get(&admin, "/programmes/local-vision").await;
        let token = common::csrf_token(&page);
        // The session ends (it timed out, or the person signed out everywhere on another device).
        let user =
            convene_store::users::by_email(&app.state.db, &convene_domain::Email::parse(ADMIN).unwrap())
                .await
                .unwrap()
                .unwrap();
        convene_store::sessions::delete_for_user(&app.state.db, user.id)
            .await
            .unwrap();
        app.state.sessions.forget_user(user.id.0);
        let res = admin
            .post(app.at("/programmes/local-vision/summary"))
            .header("content-type", "application/x-www-form-urlencoded")
            .header("sec-fetch-site", "same-origin")
            .body(
                serde_urlencoded::to_string([
                    ("csrf_token", token.as_str()),
                    ("summary", "Typed before the timeout"),
                ])
                .unwrap(),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 303);
        assert_eq!(res.headers()["location"], "/sign-in?next=/resume");
        let (_, sign_in) = app.get(&admin, "/sign-in?next=/resume").await;
        assert!(sign_in.contains("Your session ended, so nothing was saved"));
        let res = app
            .post_form(
                &admin,
                "/sign-in?next=/resume",
                "/sign-in",
                &[
                    ("email", ADMIN),
                    ("password", convene_store::demo::DEMO_PASSWORD),
                    ("next", "/resume"),
                ],
            )
            .await;
        assert_eq!(res.headers()["location"], "/resume");
        let (_, resume) = app.get(&admin, "/resume").await;
        assert!(
            resume.contains("Typed before the timeout"),
            "what was typed is shown: {resume}"
        );
        let res = app
            .post_form(
                &admin,
                "/account",
                "/programmes/local-vision/summary",
                &[("summary", "Typed before the timeout")],
            )
            .await;
        assert_eq!(res.status(), 303);
        let lv = convene_store::programmes::by_slug(&app.state.db, "local-vision")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(lv.summary, "Typed before the timeout");
        // Without the browser's word that the post came from this site, it is refused as before.
        let stranger = app.client();
        let res = stranger
            .post(app.at("/programmes/local-vision/summary"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body("csrf_token=guess&summary=x")
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 403);
        app.stop().await;
    }
);

on_both!(api_shows_fund_figures_only_to_programme_admins, |app| {
    let api = reqwest::Client::new();
    for (email, sees) in [(ADMIN, true), (LEAD, false)] {
        let client = app.signed_in(email).await;
        let token = app.create_api_token(&client, "Script").await;
        let list: serde_json::Value = api
            .get(app.at("/api/v1/programmes"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let lv = list
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["slug"] == "local-vision")
            .unwrap();
        assert_eq!(lv["fund_total_pence"].as_i64().is_some(), sees, "{email}: {lv}");
        if sees {
            // The partners' £1,050,000 and the accepted match contributions, £300,000.
            assert_eq!(lv["fund_total_pence"], 135_000_000);
        }
    }
    app.stop().await;
});

fn round_fields(name: &str, closes_day: &str) -> Vec<(&'static str, String)> {
    vec![
        ("name", name.to_string()),
        ("reference_prefix", "LV-2027".into()),
        ("opens_day", "1".into()),
        ("opens_month", "3".into()),
        ("opens_year", "2027".into()),
        ("opens_time", "9am".into()),
        ("closes_day", closes_day.to_string()),
        ("closes_month", "3".into()),
        ("closes_year", "2027".into()),
        ("closes_time", "11:59pm".into()),
        ("places_offered", "20".into()),
        ("value_per_place", "35,000".into()),
        ("eligibility", "Made-up places in England".into()),
        ("review_ends_day", "14".into()),
        ("review_ends_month", "4".into()),
        ("review_ends_year", "2027".into()),
        ("notify_day", "20".into()),
        ("notify_month", "4".into()),
        ("notify_year", "2027".into()),
        ("themes", "Alcohol\nData sharing between agencies".into()),
    ]
}

on_both!(a_programme_admin_creates_a_round, |app| {
    let admin = app.signed_in(ADMIN).await;
    let page = "/programmes/local-vision/rounds/new";
    let (status, html) = app.get(&admin, page).await;
    assert_eq!(status, 200);
    assert!(
        html.contains("value=\"11:59pm\""),
        "the deadline time defaults to the last minute of the day"
    );
    // 31 March exists; 30 February does not: the error names the field and keeps every answer.
    let bad = round_fields("Local Vision 2027", "30");
    let mut bad: Vec<(&str, String)> = bad;
    bad.iter_mut().find(|(k, _)| *k == "closes_month").unwrap().1 = "2".into();
    let fields: Vec<(&str, &str)> = bad.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let res = app.post_form(&admin, page, page, &fields).await;
    let html = res.text().await.unwrap();
    assert!(html.contains("Enter a real date for the deadline"), "{html}");
    assert!(html.contains("href=\"#closes_day\""));
    assert!(html.contains("value=\"Local Vision 2027\"") && html.contains("Made-up places in England"));
    assert!(html.contains("<title>Error: Create a round – Convene</title>"));
    // A good round is created, shown with its deadline in UK time, and audited.
    let good = round_fields("Local Vision 2027", "31");
    let fields: Vec<(&str, &str)> = good.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let res = app.post_form(&admin, page, page, &fields).await;
    assert_eq!(res.status(), 303);
    let (_, html) = app.get(&admin, "/programmes/local-vision").await;
    assert!(html.contains("Local Vision 2027 has been created"));
    assert!(html.contains("Opens at 9am on Monday 1 March 2027"), "{html}");
    let lv = convene_store::programmes::by_slug(&app.state.db, "local-vision")
        .await
        .unwrap()
        .unwrap();
    let rounds = convene_store::programmes::rounds(&app.state.db, lv.id)
        .await
        .unwrap();
    let r = rounds.iter().find(|r| r.slug == "local-vision-2027").unwrap();
    assert_eq!(
        r.closes_at.iso(),
        "2027-03-31T22:59:59Z",
        "11:59pm BST on 31 March is 22:59:59 UTC"
    );
    assert_eq!(r.themes.len(), 2);
    assert!(
        r.signoff_required,
        "sign-off is required unless the admin says not"
    );
    // Before the round opens its form is built and changed freely.
    let builder = "/programmes/local-vision/rounds/local-vision-2027/form";
    let (_, html) = app.get(&admin, builder).await;
    assert!(html.contains("This round has no application form yet"), "{html}");
    let res = app
        .post_form(&admin, builder, builder, &[("action", "template")])
        .await;
    assert_eq!(res.status(), 303);
    let (_, html) = app.get(&admin, builder).await;
    assert!(
        html.contains("You can change the questions until the round opens on 9am on Monday 1 March 2027"),
        "{html}"
    );
    let res = app
        .post_form(
            &admin,
            builder,
            builder,
            &[
                ("action", "add_question"),
                ("target", "contribution"),
                ("label", "Other funding"),
                ("kind", "money"),
                ("required", "no"),
                ("min_pounds", "5,000"),
                ("max_pounds", "1,000"),
            ],
        )
        .await;
    let html = res.text().await.unwrap();
    assert!(
        html.contains("The highest amount must be the same as or more than the lowest"),
        "{html}"
    );
    assert!(html.contains("href=\"#contribution-max_pounds\""));
    let res = app
        .post_form(
            &admin,
            builder,
            builder,
            &[("action", "remove_question"), ("target", "supporting_letter")],
        )
        .await;
    assert_eq!(res.status(), 303);
    let form = convene_store::forms::current(&app.state.db, r.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(form.version, 1, "edits before opening change version 1 in place");
    assert!(form.definition.questions().all(|q| q.key != "supporting_letter"));
    // The same name again is refused next to the name.
    let res = app.post_form(&admin, page, page, &fields).await;
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("already has a round with that name")
    );
    // A place lead can neither see the form nor post it.
    let lead = app.signed_in(LEAD).await;
    assert_eq!(app.get(&lead, page).await.0, 403);
    let mut other = round_fields("Sneaky round", "31");
    other.push(("x", String::new()));
    let fields: Vec<(&str, &str)> = other.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_eq!(
        app.post_form(&lead, "/account", page, &fields).await.status(),
        403
    );
    app.stop().await;
});

on_both!(the_fund_is_worked_out_from_recorded_contributions, |app| {
    let admin = app.signed_in(ADMIN).await;
    let page = "/programmes/local-vision/contributions";
    let res = app
        .post_form(
            &admin,
            page,
            page,
            &[("org_id", "GB-DEMO-NOPE"), ("amount", "ten pounds")],
        )
        .await;
    let html = res.text().await.unwrap();
    assert!(html.contains("No organisation has that identifier"), "{html}");
    assert!(html.contains("Enter an amount in pounds"));
    assert!(html.contains("value=\"ten pounds\""), "what was typed is kept");
    // The Local Government Association's share goes from £150,000 to £250,000.
    let res = app
        .post_form(
            &admin,
            page,
            page,
            &[("org_id", "gb-demo-lga"), ("amount", "£250,000")],
        )
        .await;
    assert_eq!(res.status(), 303);
    let (_, html) = app.get(&admin, "/programmes/local-vision").await;
    let pooled = "Total pooled by partners</th>";
    let fund = "The fund</th>";
    let row = |label: &str| {
        let at = html.find(label).unwrap_or_else(|| panic!("{label}: {html}"));
        html[at..].split("</tr>").next().unwrap().to_string()
    };
    assert!(
        row(pooled).contains("£1,150,000"),
        "the partners' total is derived from the contributions"
    );
    assert!(
        row(fund).contains("£1,450,000"),
        "the fund is the partners' total and the accepted match contributions, £300,000"
    );
    assert!(html.contains("A contribution of £250,000 has been recorded"));
    let (_, dash) = app.get(&admin, "/dashboard").await;
    assert!(
        dash.contains("£1,450,000"),
        "the dashboard's cached figures are cleared by the change"
    );
    let lead = app.signed_in(LEAD).await;
    assert_eq!(app.get(&lead, page).await.0, 403);
    let res = app
        .post_form(
            &lead,
            "/account",
            page,
            &[("org_id", "GB-DEMO-LGA"), ("amount", "1")],
        )
        .await;
    assert_eq!(res.status(), 403);
    let lv = convene_store::programmes::by_slug(&app.state.db, "local-vision")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(lv.fund.total, convene_domain::Pence::pounds(1_450_000));
    app.stop().await;
});

on_both!(open_calls_are_public_and_revalidated, |app| {
    let visitor = app.client();
    let res = visitor.get(app.at("/open-calls")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert!(
        res.headers().get("set-cookie").is_none(),
        "an anonymous visit makes no session"
    );
    assert_eq!(
        res.headers()["cache-control"],
        "public, max-age=60, must-revalidate"
    );
    let etag = res.headers()["etag"].to_str().unwrap().to_string();
    let html = res.text().await.unwrap();
    let open = html
        .find("Local Vision (demonstration round)")
        .expect("the open round is listed");
    let closed = html.find("Closed calls").expect("closed calls stay listed");
    assert!(open < closed);
    assert!(html[closed..].contains("Local Vision 2013"), "{html}");
    assert!(html[closed..].contains("The deadline was 11:59pm on Friday 24 May 2013"));
    assert!(html.contains("href=\"/programmes/local-vision/rounds/demo-open/apply\""));
    let again = visitor
        .get(app.at("/open-calls"))
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 304);
    let json: serde_json::Value = visitor
        .get(app.at("/open-calls.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let calls = json["calls"].as_array().unwrap();
    assert_eq!(calls[0]["round_slug"], "demo-open");
    assert_eq!(calls[0]["status"], "open");
    assert!(
        calls
            .iter()
            .any(|c| c["round_slug"] == "2013" && c["status"] == "closed")
    );
    let atom = visitor.get(app.at("/open-calls.atom")).send().await.unwrap();
    assert_eq!(atom.headers()["content-type"], "application/atom+xml");
    let atom = atom.text().await.unwrap();
    assert!(
        atom.contains("<feed") && atom.contains("Local Vision 2013") && atom.contains("<entry>"),
        "{atom}"
    );
    let (status, sitemap) = app.get(&visitor, "/sitemap.xml").await;
    assert_eq!(status, 200);
    assert!(sitemap.contains("/open-calls</loc>"));
    let (_, robots) = app.get(&visitor, "/robots.txt").await;
    assert!(robots.contains("Disallow: /applications/") && robots.contains("Sitemap: "));
    // Signed in, the page names the person, so it is private.
    let lead = app.signed_in(LEAD).await;
    let res = lead.get(app.at("/open-calls")).send().await.unwrap();
    assert_eq!(res.headers()["cache-control"], "private, no-cache");
    app.stop().await;
});

on_both!(the_public_programme_page_carries_the_call, |app| {
    let visitor = app.client();
    let res = visitor
        .get(app.at("/programmes/local-vision/about"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.headers().get("set-cookie").is_none());
    assert!(res.headers().get("etag").is_some());
    let html = res.text().await.unwrap();
    for fact in [
        "Systems Leadership – Local Vision",
        "Public Health England",
        "Leadership Centre",
        "These partner bodies have pooled £1,050,000:",
        "With the match contributions of the places that accepted an award (£300,000), \
         the fund holds £1,350,000, of which £300,000 is not yet awarded.",
        "Start now",
        "11:59pm on Friday 24 May 2013",
        "10 June 2013",
        "10am on Friday 28 June 2013, Central London. Successful places must attend.",
        "localvision@example.org",
        "Earlier rounds",
        // The admins' Markdown page: every fact of the 2013 call (seed 000).
        "What is this?",
        "I'm interested, tell me more",
        "How do we apply?",
        "up to 22 places to join with the 8 places already underway",
        "fund of over £1m to support up to 30 places",
        "one day per week until the end of this financial year",
        "learning networks hosted by the King",
        "Future Vision – a national leadership development programme",
        "access to the knowledge hub",
        "free consultancy days from a limited range of private sector partners",
        "participation in the Commissioning Academy",
        "signed off by the chair of your Health and Wellbeing Board",
        "Your willingness to contribute £10,000",
        "24 May 2013",
        "panel comprising the heads of the funding bodies",
        "launch event in central London on 28 June",
        "Systems Leadership group on the knowledge hub",
    ] {
        assert!(html.contains(fact), "{fact}");
    }
    assert!(html.contains("href=\"/programmes/local-vision/rounds/demo-open/apply\""));
    let (status, _) = app.get(&visitor, "/programmes/no-such-programme/about").await;
    assert_eq!(status, 404);
    let (_, sitemap) = app.get(&visitor, "/sitemap.xml").await;
    assert!(sitemap.contains("/programmes/local-vision/about</loc>"));
    app.stop().await;
});

on_both!(
    admins_write_the_public_page_in_markdown_and_scripts_are_refused,
    |app| {
        let admin = app.signed_in(ADMIN).await;
        let path = "/programmes/local-vision/page";
        let (status, form) = app.get(&admin, path).await;
        assert_eq!(status, 200);
        assert!(
            form.contains("King&#39;s Fund"),
            "the editor shows the current page"
        );
        for bad in [
            "## Hello\n\n<script>alert(1)</script>",
            "<p onmouseover=\"steal()\">hi</p>",
            "[Open](javascript:alert(1))",
        ] {
            let res = app.post_form(&admin, path, path, &[("markdown", bad)]).await;
            assert_eq!(res.status(), 200, "{bad}");
            let html = res.text().await.unwrap();
            assert!(html.contains("<title>Error: Edit the public page"), "{bad}");
            assert!(html.contains("nhsuk-error-summary"), "{bad}");
            // What was typed is kept, escaped.
            assert!(
                !html.contains("<script>alert") && !html.contains("<p onmouseover"),
                "{bad}"
            );
        }
        // Nothing was saved.
        let (_, public) = app.get(&app.client(), "/programmes/local-vision/about").await;
        assert!(public.contains("Commissioning Academy") && !public.contains("steal()"));
        // A preview renders without saving.
        let new_page = "## New heading\n\nNew *text*.";
        let res = app
            .post_form(&admin, path, path, &[("markdown", new_page), ("preview", "yes")])
            .await;
        let preview = res.text().await.unwrap();
        assert!(preview.contains("<h2>New heading</h2>") && preview.contains("<em>text</em>"));
        let (_, public) = app.get(&app.client(), "/programmes/local-vision/about").await;
        assert!(!public.contains("New heading"));
        // Saving publishes it.
        let res = app.post_form(&admin, path, path, &[("markdown", new_page)]).await;
        assert_eq!(res.status(), 303);
        let (_, public) = app.get(&app.client(), "/programmes/local-vision/about").await;
        assert!(public.contains("<h2>New heading</h2>"), "{public}");
        // A place lead may not edit it.
        let lead = app.signed_in(LEAD).await;
        let (status, _) = app.get(&lead, path).await;
        assert_eq!(status, 403);
        app.stop().await;
    }
);

on_both!(api_answers_bad_requests_with_the_documented_statuses, |app| {
    let admin = app.signed_in(ADMIN).await;
    let token = app.create_api_token(&admin, "contract").await;
    let api = app.client();
    let status_and_type = |res: reqwest::Response| {
        let kind = res
            .headers()
            .get("content-type")
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default();
        (res.status().as_u16(), kind)
    };
    // 400: a malformed id, and a body that is not JSON at all.
    let res = api
        .get(app.at("/api/v1/places/not-a-number"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(status_and_type(res), (400, "application/problem+json".into()));
    let chair = format!("/api/v1/places/{}/chair", app.place_id("PL-0001").await);
    let put_chair = |content_type: &'static str, body: String| {
        api.put(app.at(&chair))
            .bearer_auth(&token)
            .header("content-type", content_type)
            .body(body)
            .send()
    };
    let problem = |status: u16| (status, "application/problem+json".to_string());
    let res = put_chair("application/json", "{not json".into()).await.unwrap();
    assert_eq!(status_and_type(res), problem(400));
    // 415: not JSON; 422: JSON of the wrong shape; 413: over 1 MB.
    let res = put_chair("text/plain", "name=x".into()).await.unwrap();
    assert_eq!(status_and_type(res), problem(415));
    let res = put_chair("application/json", r#"{"nom": 1}"#.into())
        .await
        .unwrap();
    assert_eq!(status_and_type(res), problem(422));
    let big = format!(
        "{{\"name\": \"{}\", \"email\": \"a@example.org\"}}",
        "x".repeat(1_100_000)
    );
    let res = put_chair("application/json", big).await.unwrap();
    assert_eq!(status_and_type(res), problem(413));
    // 401: no token.
    let res = api.get(app.at("/api/v1/me")).send().await.unwrap();
    assert_eq!(status_and_type(res), (401, "application/problem+json".into()));
});
