#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests fail loudly by design.
//! Applying to a round over HTTP, on both stores: the journey, sign-off by signed link,
//! the deadline to the second, idempotent submission, two tabs, and every bad input.

mod common;

use common::{TestApp, csrf_token};
use convene_domain::Timestamp;
use convene_domain::{ApplicationId, PlaceId};
use convene_store::applications;

const LEAD: &str = "lee.lead@example.org";
const ADMIN: &str = "priya.programme@example.org";
const APPLY: &str = "/programmes/local-vision/rounds/demo-open/apply";

/// Starts Westermoor's application to the open demonstration round; returns its id.
async fn start(app: &TestApp, client: &reqwest::Client) -> i64 {
    start_for(app, client, "PL-0001").await
}

/// Starts the application of the place with this reference.
async fn start_for(app: &TestApp, client: &reqwest::Client, reference: &str) -> i64 {
    let place = app.place_id(reference).await.to_string();
    let res = app.post_form(client, APPLY, APPLY, &[("place", &place)]).await;
    assert_eq!(res.status(), 303);
    let location = res.headers()["location"].to_str().unwrap().to_string();
    location.trim_start_matches("/applications/").parse().unwrap()
}

/// Posts a section page as its form would, with the token and version the page carries.
async fn save(
    app: &TestApp,
    client: &reqwest::Client,
    id: i64,
    section: &str,
    fields: &[(&str, &str)],
) -> (u16, String) {
    let page = format!("/applications/{id}/sections/{section}");
    let (_, html) = app.get(client, &page).await;
    let version = field_value(&html, "version");
    let mut body: Vec<(&str, &str)> = vec![("version", version.as_str()), ("action", "continue")];
    body.extend_from_slice(fields);
    let res = post(app, client, &page, &csrf_token(&html), &body).await;
    let status = res.status().as_u16();
    (status, res.text().await.unwrap())
}

async fn post(
    app: &TestApp,
    client: &reqwest::Client,
    path: &str,
    token: &str,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    let mut body: Vec<(&str, &str)> = vec![("csrf_token", token)];
    body.extend_from_slice(fields);
    client
        .post(app.at(path))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(serde_urlencoded::to_string(&body).unwrap())
        .send()
        .await
        .unwrap()
}

/// The value of the hidden input named `name`.
fn field_value(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no {name} in\n{html}"))
        + marker.len();
    html[start..].split('"').next().unwrap().to_string()
}

fn words(n: usize) -> String {
    vec!["residents"; n].join(" ")
}

/// Answers every section of Westermoor's Local Vision form correctly.
async fn answer_everything(app: &TestApp, client: &reqwest::Client, id: i64) {
    answer_everything_for(app, client, id, "PL-0001").await
}

/// Answers every section for the place with this reference.
async fn answer_everything_for(app: &TestApp, client: &reqwest::Client, id: i64, reference: &str) {
    let steps: [(&str, Vec<(&str, String)>); 6] = [
        (
            "about-your-place",
            vec![
                ("partners", format!("GB-DEMO-{reference}-COUNCIL")),
                ("partners", format!("GB-DEMO-{reference}-CCG")),
                ("theme", "Physical activity".into()),
            ],
        ),
        ("breakthrough-issue", vec![("breakthrough_issue", words(120))]),
        ("gain-for-residents", vec![("gain_for_residents", words(80))]),
        ("local-leadership", vec![("leadership_impact", words(80))]),
        ("lessons", vec![("wider_lessons", words(80))]),
        ("contribution", vec![("contribution", "£10,000".into())]),
    ];
    for (section, fields) in steps {
        let borrowed: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let (status, html) = save(app, client, id, section, &borrowed).await;
        assert_eq!(status, 303, "{section}: {html}");
    }
}

/// The newest sign-off link emailed to `to`, as a path.
async fn emailed_link(app: &TestApp, to: &str) -> String {
    let mail = convene_store::outbox::recent(&app.state.db, 50).await.unwrap();
    let message = mail
        .iter()
        .find(|m| m.to_address == to)
        .unwrap_or_else(|| panic!("no mail to {to}"));
    let start = message.body_text.find("/sign-off/").expect("a sign-off link");
    message.body_text[start..]
        .split_whitespace()
        .next()
        .unwrap()
        .to_string()
}

async fn sign_off(app: &TestApp, link: &str) -> reqwest::Response {
    let anon = app.client();
    let (status, html) = app.get(&anon, link).await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("Do you confirm this application on behalf of the board?"));
    post(
        app,
        &anon,
        link,
        &csrf_token(&html),
        &[
            ("name", "Morgan Chairwell"),
            ("role", "Chair, Health and Wellbeing Board"),
            ("comment", "The board backs this."),
            ("confirm", "yes"),
        ],
    )
    .await
}

on_both!(a_place_lead_applies_and_the_chair_signs_off, |app| {
    let lead = app.signed_in(LEAD).await;
    // The demo lead leads two places, so the journey asks which.
    let (status, html) = app.get(&lead, APPLY).await;
    assert_eq!(status, 200);
    assert!(html.contains("Which place are you applying for?"), "{html}");
    assert!(html.contains("Westermoor") && html.contains("Oakhurst Cross"));
    let res = app.post_form(&lead, APPLY, APPLY, &[]).await;
    let html = res.text().await.unwrap();
    assert!(html.contains("Select the place you are applying for"), "{html}");

    let id = start(&app, &lead).await;
    assert_eq!(
        start(&app, &lead).await,
        id,
        "a place has one application per round"
    );
    let (_, tasks) = app.get(&lead, &format!("/applications/{id}")).await;
    assert!(
        tasks.contains("Apply for Local Vision (demonstration round)"),
        "{tasks}"
    );
    assert!(tasks.contains("You must submit by 11:59pm on"), "{tasks}");
    assert!(tasks.contains("Not yet started"));
    assert!(tasks.contains("Cannot start yet"));

    // A failed check keeps every answer typed.
    let too_long = words(501);
    let (status, html) = save(
        &app,
        &lead,
        id,
        "gain-for-residents",
        &[("gain_for_residents", &too_long)],
    )
    .await;
    assert_eq!(status, 200);
    assert!(html.contains("<title>Error: The gain for local residents – Convene</title>"));
    assert!(html.contains("Your answer must be 500 words or fewer. You have 1 word too many"));
    assert!(html.contains(&too_long), "the typed answer is shown again");
    let (status, html) = save(&app, &lead, id, "contribution", &[("contribution", "9999")]).await;
    assert_eq!(status, 200);
    assert!(
        html.contains("The amount must be between £10,000 and £100,000"),
        "{html}"
    );
    assert!(html.contains("value=\"9999\""));

    answer_everything(&app, &lead, id).await;
    let (_, tasks) = app.get(&lead, &format!("/applications/{id}")).await;
    assert_eq!(tasks.matches("Completed").count(), 6, "{tasks}");

    // Submitting before the chair signs off is refused, with the reason.
    let (_, check) = app.get(&lead, &format!("/applications/{id}/sign-off")).await;
    let res = post(
        &app,
        &lead,
        &format!("/applications/{id}/submit"),
        &csrf_token(&check),
        &[],
    )
    .await;
    let html = res.text().await.unwrap();
    assert!(
        html.contains("must sign off your answers before you submit"),
        "{html}"
    );

    let res = post(
        &app,
        &lead,
        &format!("/applications/{id}/sign-off/send"),
        &csrf_token(&check),
        &[],
    )
    .await;
    assert_eq!(res.status(), 303);
    let chair = "hwb.chair@westermoor.example.org";
    let link = emailed_link(&app, chair).await;
    let (_, tasks) = app.get(&lead, &format!("/applications/{id}")).await;
    assert!(tasks.contains("Waiting for sign-off"), "{tasks}");

    let res = sign_off(&app, &link).await;
    assert_eq!(res.status(), 200);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("your sign-off has been recorded")
    );
    // The link is spent by that POST: a second use says so.
    let (status, html) = app.get(&app.client(), &link).await;
    assert_eq!(status, 410);
    assert!(html.contains("This link has already been used"));

    let (_, check) = app.get(&lead, &format!("/applications/{id}/check")).await;
    assert!(check.contains("Check your answers before submitting your application"));
    assert!(check.contains("Confirmed by Morgan Chairwell"), "{check}");
    assert!(check.contains("£10,000"));
    let token = csrf_token(&check);
    let res = post(&app, &lead, &format!("/applications/{id}/submit"), &token, &[]).await;
    assert_eq!(res.status(), 303);
    assert_eq!(
        res.headers()["location"],
        format!("/applications/{id}/confirmation")
    );
    // A second click submits nothing new and shows the same reference.
    let res = post(&app, &lead, &format!("/applications/{id}/submit"), &token, &[]).await;
    assert_eq!(res.status(), 303);
    let (_, done) = app.get(&lead, &format!("/applications/{id}/confirmation")).await;
    assert!(done.contains("Application submitted"));
    assert!(done.contains("LV-DEMO-0001"), "{done}");
    let stored = applications::by_id(&app.state.db, id).await.unwrap().unwrap();
    assert_eq!(stored.reference.as_deref(), Some("LV-DEMO-0001"));
    let mail = convene_store::outbox::recent(&app.state.db, 50).await.unwrap();
    let receipts: Vec<_> = mail
        .iter()
        .filter(|m| m.subject.contains("LV-DEMO-0001"))
        .collect();
    assert_eq!(receipts.len(), 1, "one confirmation email");
    assert_eq!(receipts[0].to_address, LEAD);

    // Submitted means read-only: the section page goes to the application, and a post
    // from a page opened earlier changes nothing.
    let (status, _) = app
        .get(&lead, &format!("/applications/{id}/sections/lessons"))
        .await;
    assert_eq!(status, 303);
    let res = post(
        &app,
        &lead,
        &format!("/applications/{id}/sections/lessons"),
        &token,
        &[("version", "1"), ("wider_lessons", "changed")],
    )
    .await;
    assert_eq!(res.status(), 303);
    let after = applications::sections(&app.state.db, ApplicationId(id))
        .await
        .unwrap();
    assert!(!applications::merge(&after)["wider_lessons"].contains("changed"));
    app.stop().await;
});

on_both!(an_answer_changed_after_sign_off_voids_it, |app| {
    let lead = app.signed_in(LEAD).await;
    let id = start(&app, &lead).await;
    answer_everything(&app, &lead, id).await;
    let (_, page) = app.get(&lead, &format!("/applications/{id}/sign-off")).await;
    post(
        &app,
        &lead,
        &format!("/applications/{id}/sign-off/send"),
        &csrf_token(&page),
        &[],
    )
    .await;
    let link = emailed_link(&app, "hwb.chair@westermoor.example.org").await;
    let (_, tasks) = app.get(&lead, &format!("/applications/{id}")).await;
    assert!(
        tasks.contains("1 sign-off request has been sent by email."),
        "{tasks}"
    );
    let (status, _) = save(
        &app,
        &lead,
        id,
        "lessons",
        &[("wider_lessons", "A different answer")],
    )
    .await;
    assert_eq!(status, 303);
    let (status, html) = app.get(&app.client(), &link).await;
    assert_eq!(status, 410);
    assert!(
        html.contains("The application has changed since this link was sent"),
        "{html}"
    );
    let (_, tasks) = app.get(&lead, &format!("/applications/{id}")).await;
    assert!(
        tasks.contains("sign-off has been cancelled") || tasks.contains("sign-off was cancelled"),
        "{tasks}"
    );
    // A tampered link is simply not valid.
    let mut tampered = link.clone();
    let last = tampered.pop();
    tampered.push(if last == Some('0') { '1' } else { '0' });
    let (status, html) = app.get(&app.client(), &tampered).await;
    assert_eq!(status, 404);
    assert!(html.contains("not valid"));
    let (status, _) = app.get(&app.client(), "/sign-off/not-a-token").await;
    assert_eq!(status, 404);
    app.stop().await;
});

on_both!(the_later_of_two_tabs_is_told_not_applied, |app| {
    let lead = app.signed_in(LEAD).await;
    let id = start(&app, &lead).await;
    let page = format!("/applications/{id}/sections/lessons");
    let (_, first_tab) = app.get(&lead, &page).await;
    let (_, second_tab) = app.get(&lead, &page).await;
    let v = field_value(&first_tab, "version");
    let res = post(
        &app,
        &lead,
        &page,
        &csrf_token(&first_tab),
        &[
            ("version", &v),
            ("action", "later"),
            ("wider_lessons", "First tab's words"),
        ],
    )
    .await;
    assert_eq!(res.status(), 303);
    let v2 = field_value(&second_tab, "version");
    let res = post(
        &app,
        &lead,
        &page,
        &csrf_token(&second_tab),
        &[
            ("version", &v2),
            ("action", "later"),
            ("wider_lessons", "Second tab's words"),
        ],
    )
    .await;
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    assert!(html.contains("This section was changed at"), "{html}");
    assert!(
        html.contains("Second tab&#39;s words") || html.contains("Second tab's words"),
        "typed text kept"
    );
    assert!(
        html.contains("First tab&#39;s words") || html.contains("First tab's words"),
        "saved text shown"
    );
    let saved = applications::merge(
        &applications::sections(&app.state.db, ApplicationId(id))
            .await
            .unwrap(),
    );
    assert_eq!(saved["wider_lessons"], "First tab's words");
    // Saving again from the re-shown page is a deliberate overwrite.
    let v3 = field_value(&html, "version");
    let res = post(
        &app,
        &lead,
        &page,
        &csrf_token(&html),
        &[
            ("version", &v3),
            ("action", "later"),
            ("wider_lessons", "Second tab's words"),
        ],
    )
    .await;
    assert_eq!(res.status(), 303);
    app.stop().await;
});

/// Moves the demo round's deadline to `closes_at` and the clock to `now`.
async fn set_deadline(app: &TestApp, closes_at: Timestamp) {
    let round = convene_store::programmes::all_rounds(&app.state.db)
        .await
        .unwrap()
        .into_iter()
        .find(|r| r.slug == "demo-open")
        .unwrap();
    let mut tx = app.state.db.begin().await.unwrap();
    convene_store::testing::set_round_dates(&mut tx, round.id.0, round.opens_at, closes_at)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    app.state.catalogue.invalidate();
}

/// Answers, signs off and returns an application ready to submit, with its check page.
async fn ready_to_submit(
    app: &TestApp,
    lead: &reqwest::Client,
    reference: &str,
    chair: &str,
) -> (i64, String) {
    let id = start_for(app, lead, reference).await;
    answer_everything_for(app, lead, id, reference).await;
    let (_, page) = app.get(lead, &format!("/applications/{id}/sign-off")).await;
    post(
        app,
        lead,
        &format!("/applications/{id}/sign-off/send"),
        &csrf_token(&page),
        &[],
    )
    .await;
    let link = emailed_link(app, chair).await;
    assert_eq!(sign_off(app, &link).await.status(), 200);
    let (_, check) = app.get(lead, &format!("/applications/{id}/check")).await;
    (id, check)
}

on_both!(the_deadline_is_kept_to_the_second_across_bst, |app| {
    let lead = app.signed_in(LEAD).await;
    let (summer, summer_check) =
        ready_to_submit(&app, &lead, "PL-0001", "hwb.chair@westermoor.example.org").await;
    let (winter, winter_check) =
        ready_to_submit(&app, &lead, "PL-0009", "hwb.chair@oakhurst-cross.example.org").await;
    // British Summer Time ends at 2am on Sunday 25 October 2026. A deadline of 11:59pm on
    // the Saturday is in BST (22:59:59 UTC); on the Sunday it is in GMT (23:59:59 UTC).
    for (id, check, (y, m, d), utc) in [
        (summer, &summer_check, (2026, 10, 24), "2026-10-24T22:59:59Z"),
        (winter, &winter_check, (2026, 10, 25), "2026-10-25T23:59:59Z"),
    ] {
        let deadline = Timestamp::from_london(y, m, d, 23, 59, 59).unwrap();
        assert_eq!(deadline.iso(), utc);
        set_deadline(&app, deadline).await;
        app.clock.set(deadline.plus_seconds(1));
        let submit = format!("/applications/{id}/submit");
        let res = post(&app, &lead, &submit, &csrf_token(check), &[]).await;
        assert_eq!(res.status(), 200);
        let html = res.text().await.unwrap();
        assert!(
            html.contains(&format!(
                "The deadline was 11:59pm on {} October 2026. Your answers are saved",
                if d == 24 { "Saturday 24" } else { "Sunday 25" }
            )),
            "{html}"
        );
        let kept = applications::by_id(&app.state.db, id).await.unwrap().unwrap();
        assert!(
            kept.status.is_editable() && kept.reference.is_none(),
            "the draft is kept"
        );
        app.clock.set(deadline);
        let res = post(&app, &lead, &submit, &csrf_token(check), &[]).await;
        assert_eq!(res.status(), 303, "accepted in the last second");
        let done = applications::by_id(&app.state.db, id).await.unwrap().unwrap();
        assert_eq!(done.submitted_at, Some(deadline));
    }
    app.stop().await;
});

on_both!(applications_are_private_to_their_place_and_programme, |app| {
    let lead = app.signed_in(LEAD).await;
    let id = start(&app, &lead).await;
    let path = format!("/applications/{id}");
    let (status, _) = app
        .get(&app.signed_in("pat.panel@example.org").await, &path)
        .await;
    assert_eq!(status, 404, "a panel member of another round cannot see a draft");
    let (status, _) = app
        .get(&app.signed_in("eden.enabler@example.org").await, &path)
        .await;
    assert_eq!(status, 404);
    let admin = app.signed_in(ADMIN).await;
    let (status, html) = app.get(&admin, &path).await;
    assert_eq!(status, 200);
    assert!(html.contains("Westermoor"));
    let (status, _) = app.get(&admin, &format!("{path}/sections/lessons")).await;
    assert_eq!(
        status, 403,
        "admins read applications; only the place's leads write them"
    );
    app.stop().await;
});

on_both!(withdrawing_needs_a_reason, |app| {
    let lead = app.signed_in(LEAD).await;
    let id = start(&app, &lead).await;
    let page = format!("/applications/{id}/withdraw");
    let res = app.post_form(&lead, &page, &page, &[("reason", "  ")]).await;
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("Enter why you are withdrawing the application")
    );
    let res = app
        .post_form(&lead, &page, &page, &[("reason", "We will apply next year.")])
        .await;
    assert_eq!(res.status(), 303);
    let (_, html) = app.get(&lead, &format!("/applications/{id}")).await;
    assert!(
        html.contains("Withdrawn") && html.contains("We will apply next year."),
        "{html}"
    );
    app.stop().await;
});

/// A `multipart/form-data` body, as a browser sends an upload form.
fn multipart(fields: &[(&str, &str)], file: Option<(&str, &str, &[u8])>) -> (String, Vec<u8>) {
    let boundary = "convene-test-boundary-7d3f";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
                .as_bytes(),
        );
    }
    if let Some((name, file_name, content)) = file {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(content);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

const PDF: &[u8] = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n";
const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89";

async fn upload(
    app: &TestApp,
    client: &reqwest::Client,
    id: i64,
    name: &str,
    content: &[u8],
) -> reqwest::Response {
    let page = format!("/applications/{id}/sections/contribution");
    let (_, html) = app.get(client, &page).await;
    assert!(html.contains("enctype=\"multipart/form-data\""), "{html}");
    let token = csrf_token(&html);
    let version = field_value(&html, "version");
    let (content_type, body) = multipart(
        &[
            ("csrf_token", &token),
            ("version", &version),
            ("action", "later"),
            ("contribution", "10,000"),
            ("supporting_letter", ""),
        ],
        Some(("supporting_letter__file", name, content)),
    );
    client
        .post(app.at(&page))
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap()
}

on_both!(uploads_are_checked_by_content_and_served_only_to_readers, |app| {
    let lead = app.signed_in(LEAD).await;
    let id = start(&app, &lead).await;
    // A PNG named as a PDF is refused beside the field, and the typed amount is kept.
    let res = upload(&app, &lead, id, "letter.pdf", PNG).await;
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    assert!(
        html.contains("is named as a PDF but its content is a PNG image"),
        "{html}"
    );
    assert!(html.contains("value=\"10,000\""));
    let too_big = vec![b'%'; 10 * 1024 * 1024 + 1];
    let res = upload(&app, &lead, id, "big.pdf", &too_big).await;
    assert!(res.text().await.unwrap().contains("must be smaller than 10MB"));
    let huge = vec![0u8; 12 * 1024 * 1024];
    let res = upload(&app, &lead, id, "huge.pdf", &huge).await;
    assert_eq!(res.status(), 413, "over the upload route's limit");

    let res = upload(&app, &lead, id, "Our letter.pdf", PDF).await;
    assert_eq!(res.status(), 303);
    let files = convene_store::uploads::for_application(&app.state.db, ApplicationId(id))
        .await
        .unwrap();
    assert_eq!(files.len(), 1);
    assert_eq!(files[0].content_type, "application/pdf");
    let href = format!("/applications/{id}/files/{}", files[0].public_id);
    let (_, page) = app
        .get(&lead, &format!("/applications/{id}/sections/contribution"))
        .await;
    assert!(page.contains(&href), "the uploaded file is linked on its page");
    let res = lead.get(app.at(&href)).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(
        res.headers()["content-disposition"],
        "attachment; filename=\"Our letter.pdf\""
    );
    assert_eq!(res.bytes().await.unwrap().as_ref(), PDF);
    let admin = app.signed_in(ADMIN).await;
    assert_eq!(admin.get(app.at(&href)).send().await.unwrap().status(), 200);
    let enabler = app.signed_in("eden.enabler@example.org").await;
    assert_eq!(enabler.get(app.at(&href)).send().await.unwrap().status(), 404);
    app.stop().await;
});

on_both!(admins_list_filter_and_export_a_round, |app| {
    let admin = app.signed_in(ADMIN).await;
    let base = "/programmes/local-vision/rounds/2013/applications";
    let (status, html) = app.get(&admin, base).await;
    assert_eq!(status, 200);
    // Oakhurst Cross's and 29 more submitted, and one in each other state.
    assert!(html.contains("<strong>33</strong> applications match"), "{html}");
    for name in ["Oakhurst Cross", "Larkspur Bay", "Fennick Marsh", "Greyhollow"] {
        assert!(html.contains(name), "{name}");
    }
    let (_, submitted) = app.get(&admin, &format!("{base}?status=submitted")).await;
    assert!(
        submitted.contains("<strong>30</strong> applications match"),
        "{submitted}"
    );
    assert!(submitted.contains("LV-2013-0001") && submitted.contains("LV-2013-0031"));
    assert!(!submitted.contains("Greyhollow"), "Greyhollow's is a draft");
    let (_, london) = app.get(&admin, &format!("{base}?region=London")).await;
    assert!(london.contains("Oakhurst Cross") && !london.contains("Larkspur Bay"));

    let res = admin.get(app.at(&format!("{base}.csv"))).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert!(
        res.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("2013-applications.csv")
    );
    let csv = res.text().await.unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 34, "a header and one row per application:\n{csv}");
    assert!(lines[0].starts_with("Reference,Place,Type of place,Region,Status"));
    assert!(lines[0].contains("How much will your place contribute?"));
    let oakhurst = lines.iter().find(|l| l.contains("Oakhurst Cross")).unwrap();
    assert!(oakhurst.starts_with("LV-2013-0001,"), "{oakhurst}");
    assert!(oakhurst.contains("10000.00"), "money in pounds: {oakhurst}");

    let res = admin
        .get(app.at(&format!("{base}.xlsx?status=submitted")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(
        res.headers()["content-type"],
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    let bytes = res.bytes().await.unwrap();
    assert!(bytes.starts_with(b"PK"), "an XLSX is a zip file");
    assert!(bytes.len() > 1000);

    // Match contributions pledged in submitted applications are shown beside the fund: the
    // 2013 round's thirty, and the thirty of the demo's third round (under review).
    let (_, programme) = app.get(&admin, "/programmes/local-vision").await;
    assert!(
        programme.contains("£600,000</span> match contributions pledged by 60 places"),
        "{programme}"
    );
    let lead = app.signed_in(LEAD).await;
    let (status, _) = app.get(&lead, base).await;
    assert_eq!(status, 403);
    assert_eq!(
        lead.get(app.at(&format!("{base}.csv")))
            .send()
            .await
            .unwrap()
            .status(),
        403
    );
    app.stop().await;
});

on_both!(the_form_is_frozen_once_the_round_opens, |app| {
    let admin = app.signed_in(ADMIN).await;
    let lead = app.signed_in(LEAD).await;
    let before = start(&app, &lead).await;
    let page = "/programmes/local-vision/rounds/demo-open/form";
    let (status, html) = app.get(&admin, page).await;
    assert_eq!(status, 200);
    assert!(html.contains("is frozen because the round has opened"), "{html}");
    let res = app
        .post_form(
            &admin,
            page,
            page,
            &[("action", "add_section"), ("section_title", "Extra")],
        )
        .await;
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("The form is frozen because the round has opened")
    );
    // A new version is prepared apart, then published for new applications only.
    let res = app
        .post_form(&admin, page, page, &[("action", "new_version")])
        .await;
    assert_eq!(res.status(), 303);
    let res = app
        .post_form(
            &admin,
            page,
            page,
            &[
                ("action", "add_section"),
                ("section_title", "Your evaluation plan"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    let res = app
        .post_form(
            &admin,
            page,
            page,
            &[
                ("action", "add_question"),
                ("target", "your-evaluation-plan"),
                ("label", "How will you evaluate it?"),
                ("kind", "long_text"),
                ("required", "yes"),
                ("word_limit", "abc"),
            ],
        )
        .await;
    let html = res.text().await.unwrap();
    assert!(html.contains("Enter a word limit between 1 and 5,000"), "{html}");
    assert!(
        html.contains("How will you evaluate it?"),
        "what was typed is kept"
    );
    let res = app
        .post_form(
            &admin,
            page,
            page,
            &[
                ("action", "add_question"),
                ("target", "your-evaluation-plan"),
                ("label", "How will you evaluate it?"),
                ("kind", "long_text"),
                ("required", "yes"),
                ("word_limit", "300"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    let res = app
        .post_form(
            &admin,
            page,
            "/programmes/local-vision/rounds/demo-open/form/publish",
            &[],
        )
        .await;
    assert_eq!(res.status(), 303);
    // The application started before keeps version 1; a new one gets version 2.
    let old = convene_store::applications::by_id(&app.state.db, before)
        .await
        .unwrap()
        .unwrap();
    let old_form = convene_store::forms::by_id(&app.state.db, old.form_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(old_form.version, 1);
    assert!(old_form.definition.section("your-evaluation-plan").is_none());
    let newer = start_for(&app, &lead, "PL-0009").await;
    let (_, tasks) = app.get(&lead, &format!("/applications/{newer}")).await;
    assert!(tasks.contains("Your evaluation plan"), "{tasks}");
    let (_, tasks) = app.get(&lead, &format!("/applications/{before}")).await;
    assert!(!tasks.contains("Your evaluation plan"));
    app.stop().await;
});

on_both!(the_api_applies_under_the_same_rules, |app| {
    let lead = app.signed_in(LEAD).await;
    let token = app.create_api_token(&lead, "bench").await;
    let api = reqwest::Client::new();
    let round = convene_store::programmes::all_rounds(&app.state.db)
        .await
        .unwrap()
        .into_iter()
        .find(|r| r.slug == "demo-open")
        .unwrap();
    let westermoor = app.place_id("PL-0001").await;
    let call = |method: reqwest::Method, path: String| api.request(method, app.at(&path)).bearer_auth(&token);
    let res = call(reqwest::Method::GET, format!("/api/v1/rounds/{}", round.id))
        .send()
        .await
        .unwrap();
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["form"]["sections"][0]["key"], "about-your-place");
    let res = call(
        reqwest::Method::POST,
        format!("/api/v1/rounds/{}/applications", round.id),
    )
    .json(&serde_json::json!({ "place_id": westermoor }))
    .send()
    .await
    .unwrap();
    assert_eq!(res.status(), 200);
    let application: serde_json::Value = res.json().await.unwrap();
    let id = application["id"].as_i64().unwrap();
    let save = |version: i64, pence: &str| {
        call(reqwest::Method::PUT, format!("/api/v1/applications/{id}/sections/contribution"))
            .json(&serde_json::json!({ "version": version, "complete": true, "answers": { "contribution": pence } }))
    };
    let res = save(0, "500000").send().await.unwrap();
    assert_eq!(res.status(), 422);
    let problem: serde_json::Value = res.json().await.unwrap();
    assert_eq!(
        problem["errors"]["contribution"],
        "The amount must be between £10,000 and £100,000"
    );
    let res = save(0, "1500000").send().await.unwrap();
    assert_eq!(res.status(), 200);
    let saved: serde_json::Value = res.json().await.unwrap();
    let section = saved["sections"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["key"] == "contribution")
        .unwrap()
        .clone();
    assert_eq!(section["answers"]["contribution"], "1500000", "money in pence");
    assert_eq!(section["version"], 1);
    let res = save(0, "1600000").send().await.unwrap();
    assert_eq!(res.status(), 409, "a stale version is refused");
    let res = call(reqwest::Method::POST, format!("/api/v1/applications/{id}/submit"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        409,
        "not ready is the application's state, not a bad request"
    );
    let problem: serde_json::Value = res.json().await.unwrap();
    assert!(problem["errors"]["breakthrough-issue"].is_string(), "{problem}");
    // Someone else's token sees nothing of it.
    let enabler = app.signed_in("eden.enabler@example.org").await;
    let other = app.create_api_token(&enabler, "other").await;
    let res = api
        .get(app.at(&format!("/api/v1/applications/{id}")))
        .bearer_auth(&other)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    let res = api
        .get(app.at(&format!("/api/v1/rounds/{}/applications", round.id)))
        .bearer_auth(&other)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    app.stop().await;
});

on_both!(a_round_without_sign_off_and_an_extended_deadline, |app| {
    let lead = app.signed_in(LEAD).await;
    let id = start(&app, &lead).await;
    answer_everything(&app, &lead, id).await;
    let round = convene_store::applications::by_id(&app.state.db, id)
        .await
        .unwrap()
        .unwrap()
        .round_id;
    let mut tx = app.state.db.begin().await.unwrap();
    convene_store::programmes::set_signoff_required(&mut tx, round, false)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    app.state.catalogue.invalidate();
    // The deadline passes, and an admin gives this one application more time.
    let opens = convene_store::programmes::round(&app.state.db, round.0)
        .await
        .unwrap()
        .unwrap()
        .opens_at;
    let mut tx = app.state.db.begin().await.unwrap();
    convene_store::testing::set_round_dates(&mut tx, round.0, opens, app.clock_now_plus(-60))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    app.state.catalogue.invalidate();
    let admin = app.signed_in(ADMIN).await;
    let page = format!("/applications/{id}");
    let deadline = format!("{page}/deadline");
    let res = app
        .post_form(
            &admin,
            &page,
            &deadline,
            &[
                ("extend_day", "30"),
                ("extend_month", "2"),
                ("extend_year", "2027"),
                ("extend_reason", "Flood"),
            ],
        )
        .await;
    let html = res.text().await.unwrap();
    assert!(html.contains("Enter a real date for the new deadline"), "{html}");
    assert!(html.contains("value=\"Flood\""));
    let res = app
        .post_form(
            &admin,
            &page,
            &deadline,
            &[
                ("extend_day", "5"),
                ("extend_month", "2"),
                ("extend_year", "2027"),
                ("extend_time", "5pm"),
                ("extend_reason", ""),
            ],
        )
        .await;
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("Enter the reason for the extension")
    );
    let res = app
        .post_form(
            &admin,
            &page,
            &deadline,
            &[
                ("extend_day", "5"),
                ("extend_month", "2"),
                ("extend_year", "2027"),
                ("extend_time", "5pm"),
                ("extend_reason", "A flood closed the council offices"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    let audit = convene_store::audit::recent(&app.state.db, 10).await.unwrap();
    assert!(
        audit
            .iter()
            .any(|e| e.action == "deadline_extended" && e.detail.contains("flood"))
    );
    let (_, tasks) = app.get(&lead, &page).await;
    assert!(
        tasks.contains("You must submit by 5pm on Friday 5 February 2027"),
        "{tasks}"
    );
    // Without a required sign-off, a complete application is submitted as it is.
    let (_, check) = app.get(&lead, &format!("{page}/check")).await;
    let res = post(&app, &lead, &format!("{page}/submit"), &csrf_token(&check), &[]).await;
    assert_eq!(res.status(), 303);
    app.stop().await;
});

on_both!(
    drafts_and_awaited_sign_offs_are_reminded_once_before_the_deadline,
    |app| {
        let lead = app.signed_in(LEAD).await;
        let id = start(&app, &lead).await;
        answer_everything(&app, &lead, id).await;
        let (_, page) = app.get(&lead, &format!("/applications/{id}/sign-off")).await;
        post(
            &app,
            &lead,
            &format!("/applications/{id}/sign-off/send"),
            &csrf_token(&page),
            &[],
        )
        .await;
        let first_link = emailed_link(&app, "hwb.chair@westermoor.example.org").await;
        assert_eq!(
            convene_app::applications::send_reminders(&app.state)
                .await
                .unwrap(),
            0,
            "the deadline is weeks away"
        );
        let round = applications::by_id(&app.state.db, id)
            .await
            .unwrap()
            .unwrap()
            .round_id;
        let opens = convene_store::programmes::round(&app.state.db, round.0)
            .await
            .unwrap()
            .unwrap()
            .opens_at;
        let mut tx = app.state.db.begin().await.unwrap();
        convene_store::testing::set_round_dates(&mut tx, round.0, opens, app.clock_now_plus(2 * 24 * 3600))
            .await
            .unwrap();
        tx.commit().await.unwrap();
        app.state.catalogue.invalidate();
        assert_eq!(
            convene_app::applications::send_reminders(&app.state)
                .await
                .unwrap(),
            1
        );
        assert_eq!(
            convene_app::applications::send_reminders(&app.state)
                .await
                .unwrap(),
            0,
            "once only"
        );
        let mail = convene_store::outbox::recent(&app.state.db, 50).await.unwrap();
        let to_lead: Vec<_> = mail
            .iter()
            .filter(|m| m.to_address == LEAD && m.subject.starts_with("Reminder:"))
            .collect();
        assert_eq!(to_lead.len(), 1);
        assert!(to_lead[0].body_text.contains(&format!("/applications/{id}")));
        let to_chair: Vec<_> = mail
            .iter()
            .filter(|m| {
                m.to_address == "hwb.chair@westermoor.example.org" && m.subject.starts_with("Reminder:")
            })
            .collect();
        assert_eq!(to_chair.len(), 1);
        // The reminder carries a fresh link; the first one no longer works.
        let fresh = emailed_link(&app, "hwb.chair@westermoor.example.org").await;
        assert_ne!(fresh, first_link);
        assert_eq!(app.get(&app.client(), &first_link).await.0, 410);
        assert_eq!(sign_off(&app, &fresh).await.status(), 200);
        app.stop().await;
    }
);

on_both!(
    a_lead_proposes_a_new_chair_contact_and_an_admin_approves_it,
    |app| {
        let lead = app.signed_in(LEAD).await;
        let place = app.place_id("PL-0001").await;
        let page = format!("/places/{place}");
        let res = app
            .post_form(
                &lead,
                &page,
                &format!("{page}/chair"),
                &[("chair_name", "Nope"), ("chair_email", "nope@example.org")],
            )
            .await;
        assert_eq!(res.status(), 403, "a lead cannot change the contact directly");
        let proposals = format!("{page}/chair/proposals");
        let res = app
            .post_form(
                &lead,
                &page,
                &proposals,
                &[("chair_name", "Robin Newchair"), ("chair_email", "not an email")],
            )
            .await;
        let html = res.text().await.unwrap();
        assert!(
            html.contains("Enter an email address in the correct format"),
            "{html}"
        );
        assert!(html.contains("value=\"Robin Newchair\""));
        let res = app
            .post_form(
                &lead,
                &page,
                &proposals,
                &[
                    ("chair_name", "Robin Newchair"),
                    ("chair_email", "robin.newchair@example.org"),
                ],
            )
            .await;
        assert_eq!(res.status(), 303);
        let before = convene_store::programmes::place(&app.state.db, place)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            before.hwb_chair_email.as_deref(),
            Some("hwb.chair@westermoor.example.org"),
            "unchanged until approved"
        );
        let pending = convene_store::programmes::open_chair_proposals(&app.state.db, PlaceId(place))
            .await
            .unwrap();
        assert_eq!(pending.len(), 1);
        let decide = format!("{proposals}/{}", pending[0].id);
        assert_eq!(
            app.post_form(&lead, &page, &decide, &[("decision", "approve")])
                .await
                .status(),
            403
        );
        let admin = app.signed_in(ADMIN).await;
        let (_, html) = app.get(&admin, &page).await;
        assert!(
            html.contains("Robin Newchair, robin.newchair@example.org"),
            "{html}"
        );
        assert_eq!(
            app.post_form(&admin, &page, &decide, &[("decision", "approve")])
                .await
                .status(),
            303
        );
        let after = convene_store::programmes::place(&app.state.db, place)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            after.hwb_chair_email.as_deref(),
            Some("robin.newchair@example.org")
        );
        assert!(
            convene_store::programmes::open_chair_proposals(&app.state.db, PlaceId(place))
                .await
                .unwrap()
                .is_empty()
        );
        app.stop().await;
    }
);

on_both!(admins_create_rounds_and_forms_through_the_api, |app| {
    let admin = app.signed_in(ADMIN).await;
    let token = app.create_api_token(&admin, "rounds").await;
    let api = reqwest::Client::new();
    let mut round = serde_json::json!({
        "name": "Local Vision 2028", "reference_prefix": "LV-2028",
        "opens_day": "1", "opens_month": "3", "opens_year": "2028", "opens_time": "9am",
        "closes_day": "30", "closes_month": "2", "closes_year": "2028", "closes_time": "11:59pm",
        "places_offered": "12", "value_per_place": "35,000", "eligibility": "Made-up places",
        "review_ends_day": "20", "review_ends_month": "4", "review_ends_year": "2028",
        "notify_day": "1", "notify_month": "5", "notify_year": "2028",
        "signoff_required": "no"
    });
    let post = |body: &serde_json::Value| {
        api.post(app.at("/api/v1/programmes/local-vision/rounds"))
            .bearer_auth(&token)
            .json(body)
            .send()
    };
    let res = post(&round).await.unwrap();
    assert_eq!(res.status(), 422);
    let problem: serde_json::Value = res.json().await.unwrap();
    assert!(
        problem["errors"]["closes_day"]
            .as_str()
            .unwrap()
            .contains("real date"),
        "{problem}"
    );
    round["closes_day"] = "31".into();
    round["closes_month"] = "3".into();
    let res = post(&round).await.unwrap();
    assert_eq!(res.status(), 200);
    let created: serde_json::Value = res.json().await.unwrap();
    assert_eq!(created["closes_at"], "2028-03-31T22:59:59Z", "BST");
    assert_eq!(created["signoff_required"], false);
    assert!(created["form"].is_null());
    // Before it opens, its form is written through the API too.
    let form = serde_json::to_value(convene_domain::forms::local_vision_template()).unwrap();
    let res = api
        .put(app.at(&format!("/api/v1/rounds/{}/form", created["id"])))
        .bearer_auth(&token)
        .json(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let with_form: serde_json::Value = res.json().await.unwrap();
    assert_eq!(with_form["form_version"], 1);
    assert_eq!(post(&round).await.unwrap().status(), 422, "the same name twice");
    let lead = app.signed_in(LEAD).await;
    let lead_token = app.create_api_token(&lead, "nope").await;
    let res = api
        .post(app.at("/api/v1/programmes/local-vision/rounds"))
        .bearer_auth(&lead_token)
        .json(&round)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    app.stop().await;
});
