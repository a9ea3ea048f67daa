#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests fail loudly by design.
//! News over HTTP, on both stores: written in advance and public only from its time,
//! related by tags, refused when it carries script, in Atom feeds and the API.

mod common;

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
    let (_, list) = app.get(&visitor, "/news").await;
    assert!(list.contains("Cohort places confirmed"));
    let feed = visitor
        .get(app.at("/programmes/local-vision/news.atom"))
        .send()
        .await
        .unwrap();
    assert_eq!(feed.headers()["content-type"], "application/atom+xml");
    let feed = feed.text().await.unwrap();
    assert!(
        feed.contains("<feed") && feed.contains("<title>Cohort places confirmed</title>"),
        "{feed}"
    );
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
            convene_store::news::by_slug(&app.state.db, "bad-news")
                .await
                .unwrap()
                .is_none(),
            "nothing saved"
        );
        // Only the programme's admins write news.
        let lead = app.signed_in(LEAD).await;
        let (status, _) = app.get(&lead, NEW).await;
        assert_eq!(status, 403);
        let (status, _) = app.get(&lead, "/programmes/local-vision/news/manage").await;
        assert_eq!(status, 403);
        app.stop().await;
    }
);
