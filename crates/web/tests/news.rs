#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests fail loudly by design.
//! News over HTTP, on both stores: written in advance and public only from its time,
//! related by tags, refused when it carries script, in Atom feeds and the API.

mod common;

use std::str::FromStr;

const ADMIN: &str = "priya.programme@example.org";
const LEAD: &str = "lee.lead@example.org";
const NEW: &str = "/programmes/local-vision/news/new";

/// The fields of a news item published at `day/month/year time`.
fn item<'a>(
    title: &'a str,
    body: &'a str,
    tags: &'a str,
    when: (&'a str, &'a str, &'a str, &'a str),
) -> Vec<(&'a str, &'a str)> {
    vec![
        ("title", title),
        ("summary", "A short summary for lists."),
        ("body", body),
        ("tags", tags),
        ("publish_day", when.0),
        ("publish_month", when.1),
        ("publish_year", when.2),
        ("publish_time", when.3),
    ]
}

on_both!(news_written_in_advance_is_public_only_from_its_time, |app| {
    let admin = app.signed_in(ADMIN).await;
    // The test clock reads 10am on 23 November 2026: this is for tomorrow.
    let res = app
        .post_form(
            &admin,
            NEW,
            NEW,
            &item(
                "Cohort places confirmed",
                "Places are *confirmed*.",
                "cohorts, Applications",
                ("24", "11", "2026", "9am"),
            ),
        )
        .await;
    assert_eq!(res.status(), 303);
    let (_, manage) = app.get(&admin, "/programmes/local-vision/news/manage").await;
    assert!(
        manage.contains("Scheduled") && manage.contains("Cohort places confirmed"),
        "{manage}"
    );
    let visitor = app.client();
    let (status, _) = app.get(&visitor, "/news/cohort-places-confirmed").await;
    assert_eq!(status, 404, "not before its time");
    for path in [
        "/news",
        "/news.atom",
        "/programmes/local-vision/news",
        "/programmes/local-vision/news.atom",
        "/api/v1/news",
    ] {
        let (_, body) = app.get(&visitor, path).await;
        assert!(!body.contains("Cohort places confirmed"), "{path} shows it early");
    }
    // Move it to the past (the clock cannot jump a day without ending the test's sessions).
    let item = convene_store::news::by_slug(&app.state.db, "cohort-places-confirmed")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(item.tags, vec!["applications".to_string(), "cohorts".to_string()]);
    let edit = format!("/programmes/local-vision/news/{}/edit", item.id);
    let res = app
        .post_form(
            &admin,
            &edit,
            &edit,
            &item_fields_now(
                "Cohort places confirmed",
                "Places are *confirmed*.",
                "cohorts, applications",
            ),
        )
        .await;
    assert_eq!(res.status(), 303);
    let (status, page) = app.get(&visitor, "/news/cohort-places-confirmed").await;
    assert_eq!(status, 200);
    assert!(page.contains("<em>confirmed</em>"), "{page}");
    // Related by a shared tag: the demo's item on the next nine cohorts.
    assert!(
        page.contains("Related news")
            && page.contains("Applications for the next nine cohorts open on 27 August"),
        "{page}"
    );
    assert!(
        !page.contains("Learning from the first places"),
        "no shared tag, not related"
    );
    assert!(
        page.contains("9:30am on Monday 23 November 2026"),
        "the publish time in words: {page}"
    );
    assert!(
        page.contains("href=\"/programmes/local-vision/about\""),
        "links back to the programme"
    );
    let (_, list) = app.get(&visitor, "/news").await;
    assert!(list.contains("Cohort places confirmed"));
    // Both feeds are Atom a reader can parse, with the item, its text and its tags.
    for path in ["/news.atom", "/programmes/local-vision/news.atom"] {
        let res = visitor.get(app.at(path)).send().await.unwrap();
        assert_eq!(res.headers()["content-type"], "application/atom+xml", "{path}");
        let body = res.text().await.unwrap();
        let feed = atom_syndication::Feed::from_str(&body).unwrap_or_else(|e| panic!("{path}: {e}\n{body}"));
        assert!(!feed.authors().is_empty(), "{path} names an author");
        assert!(
            feed.links()
                .iter()
                .any(|l| l.rel() == "self" && l.href().ends_with(path)),
            "{path}"
        );
        let entry = feed
            .entries()
            .iter()
            .find(|e| e.title().as_str() == "Cohort places confirmed")
            .unwrap_or_else(|| panic!("{path} lacks the item:\n{body}"));
        assert!(entry.id().ends_with("/news/cohort-places-confirmed"));
        let html = entry.content().and_then(|c| c.value()).unwrap();
        assert!(html.contains("<em>confirmed</em>"), "{html}");
        let terms: Vec<&str> = entry.categories().iter().map(|c| c.term()).collect();
        assert_eq!(terms, ["applications", "cohorts"]);
        assert!(
            feed.entries()
                .iter()
                .all(|e| e.title().as_str() != "Launch event for new places"),
            "{path}: the demo's scheduled item stays out"
        );
    }
    let (_, all) = app.get(&visitor, "/api/v1/news").await;
    assert!(all.contains("Cohort places confirmed"));
    // Each save is in the audit log, naming the item.
    let audit = convene_store::audit::recent(&app.state.db, 20).await.unwrap();
    for action in ["news_created", "news_changed"] {
        assert!(
            audit.iter().any(|e| e.action == action
                && e.record_id == Some(item.id)
                && e.detail == "cohort-places-confirmed"),
            "{action}: {audit:?}"
        );
    }
    let (_, api) = app.get(&visitor, "/api/v1/programmes/local-vision/news").await;
    let json: serde_json::Value = serde_json::from_str(&api).unwrap();
    assert!(json.as_array().unwrap().iter().any(
        |i| i["title"] == "Cohort places confirmed" && i["body_html"].as_str().unwrap().contains("<em>")
    ));
    // The public programme page lists it; lists revalidate with 304.
    let (_, about) = app.get(&visitor, "/programmes/local-vision/about").await;
    assert!(about.contains("Cohort places confirmed"));
    let res = visitor.get(app.at("/news")).send().await.unwrap();
    let etag = res.headers()["etag"].to_str().unwrap().to_string();
    let res = visitor
        .get(app.at("/news"))
        .header("if-none-match", etag)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 304);
    let res = visitor.get(app.at("/news.atom")).send().await.unwrap();
    let etag = res.headers()["etag"].to_str().unwrap().to_string();
    let res = visitor
        .get(app.at("/news.atom"))
        .header("if-none-match", etag)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 304, "feeds revalidate too");
    app.stop().await;
});

/// Fields that publish now (10am on 23 November 2026 by the test clock).
fn item_fields_now<'a>(title: &'a str, body: &'a str, tags: &'a str) -> Vec<(&'a str, &'a str)> {
    item(title, body, tags, ("23", "11", "2026", "9:30am"))
}

on_both!(
    news_with_script_or_bad_fields_is_refused_and_nothing_saved,
    |app| {
        let admin = app.signed_in(ADMIN).await;
        for body in [
            "Hello <script>alert(1)</script>",
            "<img src=x onerror=alert(1)>",
            "[Click](javascript:alert(1))",
        ] {
            let res = app
                .post_form(&admin, NEW, NEW, &item_fields_now("Bad news", body, ""))
                .await;
            assert_eq!(res.status(), 200);
            let html = res.text().await.unwrap();
            assert!(html.contains("<title>Error: Add a news item"), "{body}");
            assert!(
                html.contains("id=\"body-error\""),
                "{body}: the message is beside the text"
            );
            assert!(html.contains("value=\"Bad news\""), "the title is kept");
        }
        let res = app
            .post_form(
                &admin,
                NEW,
                NEW,
                &item("", "Fine", "not ok!", ("31", "2", "2027", "")),
            )
            .await;
        let html = res.text().await.unwrap();
        assert!(
            html.contains("Enter a title")
                && html.contains("Enter a real date")
                && html.contains("letters, numbers and hyphens"),
            "{html}"
        );
        assert!(
            html.contains("href=\"#publish_day\""),
            "the summary links to the date's first box"
        );
        assert!(html.contains("<textarea class=\"nhsuk-textarea\" id=\"body\" name=\"body\" rows=\"12\" aria-describedby=\"body-hint\">Fine</textarea>"), "the text is kept: {html}");
        // Too long, a tag too long, a time that is not one.
        let long_title = "x".repeat(121);
        let long_tag = format!("ok, {}", "t".repeat(41));
        let res = app
            .post_form(
                &admin,
                NEW,
                NEW,
                &item(&long_title, "Fine", &long_tag, ("1", "12", "2026", "25:00")),
            )
            .await;
        let html = res.text().await.unwrap();
        assert!(
            html.contains("Title must be 120 characters or fewer")
                && html.contains("Each tag must be 40 characters or fewer")
                && html.contains("Enter a time, like 9am or 14:30")
                && html.contains("href=\"#publish_time\"")
                && html.contains("value=\"25:00\""),
            "{html}"
        );
        let programme = convene_store::programmes::by_slug(&app.state.db, "local-vision")
            .await
            .unwrap()
            .unwrap();
        let listed = convene_store::news::of_programme(&app.state.db, programme.id)
            .await
            .unwrap();
        assert!(listed.iter().all(|i| i.title != long_title), "nothing saved");
        assert!(
            convene_store::news::by_slug(&app.state.db, "bad-news")
                .await
                .unwrap()
                .is_none(),
            "nothing saved"
        );
        app.stop().await;
    }
);

on_both!(only_the_programme_admins_write_its_news, |app| {
    let demo = convene_store::news::by_slug(&app.state.db, "launch-event-for-new-places")
        .await
        .unwrap()
        .unwrap();
    let edit = format!("/programmes/local-vision/news/{}/edit", demo.id);
    let lead = app.signed_in(LEAD).await;
    for path in ["/programmes/local-vision/news/manage", NEW, edit.as_str()] {
        let (status, _) = app.get(&lead, path).await;
        assert_eq!(status, 403, "{path}");
    }
    // Posting anyway (with a token from a page the lead may see) is refused, and saves nothing.
    for action in [NEW, edit.as_str()] {
        let res = app
            .post_form(
                &lead,
                "/account",
                action,
                &item_fields_now("Lead news", "Hello", "applications"),
            )
            .await;
        assert_eq!(res.status(), 403, "{action}");
    }
    // The same post from an admin goes through, so the lead's 403 was the permission check
    // and not the CSRF wall.
    let priya = app.signed_in(ADMIN).await;
    let res = app
        .post_form(
            &priya,
            "/account",
            NEW,
            &item_fields_now("Admin news", "Hello", "applications"),
        )
        .await;
    assert_eq!(res.status(), 303);
    assert!(
        convene_store::news::by_slug(&app.state.db, "lead-news")
            .await
            .unwrap()
            .is_none()
    );
    let unchanged = convene_store::news::by_id(&app.state.db, demo.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(unchanged, demo);
    // The scheduled item is not public, even by its address, nor to a signed-in reader.
    let (status, _) = app.get(&lead, "/news/launch-event-for-new-places").await;
    assert_eq!(status, 404);
    // An item is edited only under its own programme, even by a service admin.
    let other = format!("/programmes/leadership-for-change/news/{}/edit", demo.id);
    let (status, _) = app.get(&priya, &other).await;
    assert_eq!(status, 403, "not her programme");
    let ada = app.signed_in("ada.admin@example.org").await;
    let (status, _) = app.get(&ada, &other).await;
    assert_eq!(status, 404, "not that programme's item");
    let (status, form) = app.get(&priya, &edit).await;
    assert_eq!(status, 200);
    assert!(
        form.contains("value=\"Launch event for new places\"") && form.contains("applications, launch-event"),
        "the form holds the item: {form}"
    );
    app.stop().await;
});

on_both!(addresses_come_from_titles_and_stay_put, |app| {
    let admin = app.signed_in(ADMIN).await;
    for _ in 0..2 {
        let res = app
            .post_form(
                &admin,
                NEW,
                NEW,
                &item_fields_now(
                    "Panel dates set!",
                    "The panel meets in *June*.",
                    " Panel , panel,PANEL",
                ),
            )
            .await;
        assert_eq!(res.status(), 303);
    }
    let first = convene_store::news::by_slug(&app.state.db, "panel-dates-set")
        .await
        .unwrap()
        .unwrap();
    let second = convene_store::news::by_slug(&app.state.db, "panel-dates-set-2")
        .await
        .unwrap()
        .unwrap();
    assert_ne!(first.id, second.id);
    assert_eq!(first.tags, ["panel"]);
    // A new title keeps the address, so links to it keep working.
    let edit = format!("/programmes/local-vision/news/{}/edit", first.id);
    let res = app
        .post_form(
            &admin,
            &edit,
            &edit,
            &item_fields_now("Panel dates moved", "The panel meets in *July*.", "panel"),
        )
        .await;
    assert_eq!(res.status(), 303);
    let (_, manage) = app.get(&admin, "/programmes/local-vision/news/manage").await;
    assert!(
        manage.contains("The news item has been saved and published."),
        "{manage}"
    );
    let visitor = app.client();
    let (status, page) = app.get(&visitor, "/news/panel-dates-set").await;
    assert_eq!(status, 200);
    assert!(page.contains("Panel dates moved") && page.contains("<em>July</em>"));
    assert!(
        page.contains("Related news") && page.contains("href=\"/news/panel-dates-set-2\""),
        "the other item shares its tag: {page}"
    );
    app.stop().await;
});
