#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests fail loudly by design.
//! Journeys in a real headless Chromium (Debian's chromium and chromedriver), with axe-core
//! checking every page visited against WCAG 2.2 AA and best practice. A second pass runs
//! with JavaScript off. Screenshots land in target/screenshots/.

#[path = "common/browser.rs"]
mod chromium;
mod common;

use chromium::{
    assert_accessible, browser, heading, look_in, path_of, press, screenshot, sign_in, sign_out,
    start_driver, tick, type_into,
};
use common::TestApp;
use convene_store::demo::{DEMO_ACCOUNTS, DEMO_PASSWORD};
use fantoccini::key::Key;
use fantoccini::{Client, Locator};

#[tokio::test]
async fn every_role_signs_in_and_every_page_passes_axe() {
    let app = TestApp::spawn_demo().await;
    let mut driver = start_driver().await;
    let client = browser(&mut driver, true, 1280).await;

    for page in [
        "/",
        "/sign-in",
        "/forgot-password",
        "/accessibility",
        "/privacy",
        "/cookies",
        "/contact",
        "/open-calls",
        "/programmes/local-vision/about",
        "/news",
        "/programmes/local-vision/news",
        "/news/applications-for-the-next-nine-cohorts-open-on-27-august",
        "/register",
        "/no-such-page",
    ] {
        client.goto(&app.at(page)).await.unwrap();
        assert_accessible(&client, page).await;
        if page == "/open-calls" || page.ends_with("/about") || page.starts_with("/news") {
            let name = page.trim_start_matches('/').replace('/', "-");
            screenshot(&client, &format!("{name}-visitor-desktop")).await;
        }
    }
    // A failed sign-in shows the error summary, which must be accessible too.
    client.goto(&app.at("/sign-in")).await.unwrap();
    client
        .find(Locator::Css("main button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    client
        .wait()
        .for_element(Locator::Css(".nhsuk-error-summary"))
        .await
        .unwrap();
    assert_eq!(client.title().await.unwrap(), "Error: Sign in – Convene");
    assert_accessible(&client, "sign-in with errors").await;
    screenshot(&client, "sign-in-errors-desktop").await;

    let lead_place = app.place_id("PL-0001").await;
    let submitted_2013 = convene_store::applications::by_reference(&app.state.db, "LV-2013-0001")
        .await
        .unwrap()
        .unwrap()
        .id;
    for account in DEMO_ACCOUNTS {
        sign_in(&client, &app, account.email).await;
        let heading = client
            .find(Locator::Css("h1"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(heading.contains("Welcome"), "{heading}");
        assert_accessible(&client, &format!("dashboard of {}", account.email)).await;
        let role = account.role.key();
        screenshot(&client, &format!("dashboard-{role}-desktop")).await;
        let mut pages = vec![
            "/account".to_string(),
            "/account/details".into(),
            "/account/email".into(),
            "/account/password".into(),
            "/account/two-factor".into(),
        ];
        match account.role {
            convene_domain::accounts::Role::ProgrammeAdmin | convene_domain::accounts::Role::ServiceAdmin => {
                pages.push("/programmes".into());
                pages.push("/programmes/local-vision".into());
                pages.push("/programmes/local-vision/rounds/new".into());
                pages.push("/programmes/local-vision/contributions".into());
                pages.push(format!("/places/{lead_place}"));
                pages.push("/programmes/local-vision/rounds/2013".into());
                pages.push("/programmes/local-vision/rounds/2013/form".into());
                pages.push("/programmes/local-vision/rounds/2013/applications".into());
                pages.push(format!("/applications/{submitted_2013}"));
                pages.push("/programmes/local-vision/page".into());
                pages.push("/programmes/local-vision/requests".into());
                pages.push("/programmes/local-vision/invite".into());
                pages.push("/programmes/local-vision/news/manage".into());
                pages.push("/programmes/local-vision/news/new".into());
                pages.push("/programmes/local-vision/retention".into());
            }
            convene_domain::accounts::Role::PlaceLead => pages.push(format!("/places/{lead_place}")),
            _ => {}
        }
        if account.role == convene_domain::accounts::Role::ServiceAdmin {
            pages.push("/dev/mail".into());
            pages.push("/admin/people?email=hwb.chair@westermoor.example.org".into());
            pages.push("/admin/people/erase?email=hwb.chair@westermoor.example.org".into());
        }
        for page in &pages {
            client.goto(&app.at(page)).await.unwrap();
            assert_accessible(&client, &format!("{page} as {}", account.email)).await;
            let name = page.trim_start_matches('/').replace('/', "-");
            screenshot(&client, &format!("{name}-{role}-desktop")).await;
        }
        sign_out(&client).await;
    }
    client.close().await.unwrap();
    app.stop().await;
}

#[tokio::test]
async fn sign_in_with_the_keyboard_alone_on_a_phone() {
    let app = TestApp::spawn_demo().await;
    let mut driver = start_driver().await;
    let client = browser(&mut driver, true, 390).await;
    client.goto(&app.at("/sign-in")).await.unwrap();
    screenshot(&client, "sign-in-phone").await;
    let body = client.find(Locator::Css("body")).await.unwrap();
    // Tab from the top of the page until the email field has focus.
    let mut reached = false;
    for _ in 0..15 {
        body.send_keys(&Key::Tab.to_string()).await.unwrap();
        let id = client
            .execute("return document.activeElement.id;", vec![])
            .await
            .unwrap();
        if id == "email" {
            reached = true;
            break;
        }
    }
    assert!(reached, "the email field is reachable with Tab");
    let active = client.active_element().await.unwrap();
    active.send_keys("priya.programme@example.org").await.unwrap();
    active.send_keys(&Key::Tab.to_string()).await.unwrap();
    let active = client.active_element().await.unwrap();
    active.send_keys(DEMO_PASSWORD).await.unwrap();
    active.send_keys(&Key::Enter.to_string()).await.unwrap();
    client.wait().for_element(Locator::Css("h1")).await.unwrap();
    assert_eq!(path_of(&client).await, "/dashboard");
    assert_accessible(&client, "dashboard on a phone").await;
    screenshot(&client, "dashboard-programme_admin-phone").await;
    client.goto(&app.at("/programmes/local-vision")).await.unwrap();
    screenshot(&client, "programme-programme_admin-phone").await;
    client.close().await.unwrap();
    app.stop().await;
}

#[tokio::test]
async fn journeys_work_with_javascript_off() {
    let app = TestApp::spawn_demo().await;
    let mut driver = start_driver().await;
    let client = browser(&mut driver, false, 1280).await;
    sign_in(&client, &app, "lee.lead@example.org").await;
    let place = app.place_id("PL-0001").await;
    client.goto(&app.at(&format!("/places/{place}"))).await.unwrap();
    let h1 = client
        .find(Locator::Css("h1"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(h1.contains("Westermoor"), "{h1}");
    // A form with an error, then a good submission, without JavaScript.
    client.goto(&app.at("/account")).await.unwrap();
    client
        .find(Locator::Css("form[action='/account/tokens'] button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    client
        .wait()
        .for_element(Locator::Css(".nhsuk-error-summary"))
        .await
        .unwrap();
    client
        .find(Locator::Id("name"))
        .await
        .unwrap()
        .send_keys("Reporting script")
        .await
        .unwrap();
    client
        .find(Locator::Css("form[action='/account/tokens'] button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    client
        .wait()
        .for_element(Locator::Css(".convene-token"))
        .await
        .unwrap();
    sign_out(&client).await;
    client.close().await.unwrap();
    app.stop().await;
}

/// Checks the page with axe-core when JavaScript is on (axe needs it) and saves a screenshot.
async fn look(client: &Client, javascript: bool, name: &str) {
    look_in(client, javascript, "apply", name).await;
}

const SAVE: &str = "button[value=continue]";

/// The applicant's journey, with the keyboard alone: a place lead applies, with one failed
/// check on the way; the board chair signs off from the emailed link; the lead submits.
async fn apply_journey(javascript: bool) {
    let app = TestApp::spawn_demo().await;
    let mut driver = start_driver().await;
    let client = browser(&mut driver, javascript, 1280).await;
    sign_in(&client, &app, "lee.lead@example.org").await;
    look(&client, javascript, "dashboard").await;
    press(&client, Locator::Css("a[href$='/rounds/demo-open/apply']")).await;
    assert_eq!(heading(&client).await, "Which place are you applying for?");
    look(&client, javascript, "which-place").await;
    let westermoor = app.place_id("PL-0001").await;
    client
        .find(Locator::Css(&format!("input[name=place][value='{westermoor}']")))
        .await
        .unwrap()
        .send_keys(" ")
        .await
        .unwrap();
    press(&client, Locator::Css("main button[type=submit]")).await;
    assert!(heading(&client).await.starts_with("Apply for Local Vision"));
    look(&client, javascript, "task-list").await;

    press(&client, Locator::LinkText("About your place")).await;
    tick(&client, "partners").await;
    tick(&client, "theme").await;
    look(&client, javascript, "about-your-place").await;
    press(&client, Locator::Css(SAVE)).await;
    let answers = [
        (
            "Your breakthrough issue",
            "breakthrough_issue",
            "Falls among older residents at home.",
        ),
        (
            "The gain for local residents",
            "gain_for_residents",
            "Fewer falls and fewer admissions.",
        ),
        (
            "The impact on local leadership",
            "leadership_impact",
            "One shared plan across partners.",
        ),
        (
            "Lessons for other places",
            "wider_lessons",
            "We will write it up and host visits.",
        ),
    ];
    for (i, (task, field, text)) in answers.iter().enumerate() {
        press(&client, Locator::LinkText(task)).await;
        if i == 1 {
            // One failed check on the way: too many words, shown beside the field and kept.
            type_into(&client, field, &vec!["word"; 501].join(" ")).await;
            press(&client, Locator::Css(SAVE)).await;
            client
                .wait()
                .for_element(Locator::Css(".nhsuk-error-summary"))
                .await
                .unwrap();
            assert!(client.title().await.unwrap().starts_with("Error: "));
            let kept = client
                .find(Locator::Id(field))
                .await
                .unwrap()
                .prop("value")
                .await
                .unwrap()
                .unwrap();
            assert_eq!(kept.split_whitespace().count(), 501, "the typed answer is kept");
            look(&client, javascript, "section-error").await;
        }
        type_into(&client, field, text).await;
        press(&client, Locator::Css(SAVE)).await;
    }
    press(&client, Locator::LinkText("Your £10,000 contribution")).await;
    type_into(&client, "contribution", "10,000").await;
    look(&client, javascript, "contribution").await;
    press(&client, Locator::Css(SAVE)).await;
    assert!(
        client
            .find(Locator::Css("main"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
            .contains("You have completed 6 of 7 sections"),
    );

    press(
        &client,
        Locator::LinkText("Sign-off by the Health and Wellbeing Board chair, and partner confirmations"),
    )
    .await;
    look(&client, javascript, "sign-off-task").await;
    press(&client, Locator::Css("form#send button")).await;
    assert!(
        client
            .find(Locator::Css("main"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
            .contains("Waiting for sign-off")
    );
    sign_out(&client).await;

    // The chair, with no account, follows the emailed link.
    let mail = convene_store::outbox::recent(&app.state.db, 20).await.unwrap();
    let body = &mail
        .iter()
        .find(|m| m.to_address == "hwb.chair@westermoor.example.org")
        .expect("the chair is emailed")
        .body_text;
    let start = body.find("http").unwrap();
    let link = body[start..].split_whitespace().next().unwrap().to_string();
    client.goto(&link).await.unwrap();
    assert_eq!(heading(&client).await, "Sign off Westermoor's application");
    look(&client, javascript, "chair-sign-off").await;
    type_into(&client, "role", "Chair, Health and Wellbeing Board").await;
    type_into(&client, "comment", "The board supports this.").await;
    tick(&client, "confirm").await;
    press(&client, Locator::Css("main button[type=submit]")).await;
    assert!(heading(&client).await.contains("your sign-off has been recorded"));
    look(&client, javascript, "chair-done").await;

    sign_in(&client, &app, "lee.lead@example.org").await;
    press(&client, Locator::Css("a[href^='/applications/']")).await;
    press(&client, Locator::LinkText("Check your answers and submit")).await;
    assert_eq!(
        heading(&client).await,
        "Check your answers before submitting your application"
    );
    look(&client, javascript, "check-answers").await;
    press(&client, Locator::Css("form#submit button")).await;
    assert_eq!(heading(&client).await, "Application submitted");
    let panel = client
        .find(Locator::Css(".nhsuk-panel"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(panel.contains("LV-DEMO-0001"), "{panel}");
    look(&client, javascript, "confirmation").await;
    client.close().await.unwrap();
    app.stop().await;
}

#[tokio::test]
async fn a_place_lead_applies_with_javascript_on() {
    apply_journey(true).await;
}

#[tokio::test]
async fn a_place_lead_applies_with_javascript_off() {
    apply_journey(false).await;
}

/// The front door with the keyboard alone: a newcomer reads the Local Vision page, follows
/// "Start now", registers (after one refused password), confirms their address from the
/// emailed link, asks to act for a made-up place; a programme admin approves; the newcomer
/// lands on the application task list.
async fn newcomer_journey(javascript: bool) {
    const EMAIL: &str = "morwenna.quillfeather@example.org";
    const PASSWORD: &str = "Heather tide lantern";
    let app = TestApp::spawn_demo().await;
    let mut driver = start_driver().await;
    let client = browser(&mut driver, javascript, 1280).await;
    let look = |name: &'static str| {
        let client = client.clone();
        async move { look_in(&client, javascript, "newcomer", name).await }
    };
    client
        .goto(&app.at("/programmes/local-vision/about"))
        .await
        .unwrap();
    assert_eq!(heading(&client).await, "Systems Leadership – Local Vision");
    look("programme-page").await;
    press(&client, Locator::Css("main a[href$='/rounds/demo-open/apply']")).await;
    assert_eq!(heading(&client).await, "Sign in");
    press(&client, Locator::LinkText("Create an account")).await;
    assert_eq!(heading(&client).await, "Create an account");
    look("register").await;
    type_into(&client, "name", "Morwenna Quillfeather").await;
    type_into(&client, "email", EMAIL).await;
    type_into(&client, "organisation", "Larkspur Bay Council").await;
    type_into(&client, "job_role", "Director of Public Health").await;
    type_into(&client, "password", "password1234").await;
    press(&client, Locator::Css("main button[type=submit]")).await;
    let summary = client
        .find(Locator::Css(".nhsuk-error-summary"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(summary.contains("common passwords"), "{summary}");
    look("register-error").await;
    // Everything but the password is kept.
    let kept = client
        .find(Locator::Id("organisation"))
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap();
    assert_eq!(kept.as_deref(), Some("Larkspur Bay Council"));
    type_into(&client, "password", PASSWORD).await;
    press(&client, Locator::Css("main button[type=submit]")).await;
    assert_eq!(heading(&client).await, "Check your email");
    look("check-email").await;

    let mail = convene_store::outbox::recent(&app.state.db, 20).await.unwrap();
    let body = &mail
        .iter()
        .find(|m| m.to_address == EMAIL)
        .expect("a confirmation email")
        .body_text;
    let start = body.find("http").unwrap();
    let link = body[start..].split_whitespace().next().unwrap().to_string();
    client.goto(&link).await.unwrap();
    assert_eq!(heading(&client).await, "Confirm your email address");
    look("confirm-email").await;
    press(&client, Locator::Css("main button[type=submit]")).await;
    assert_eq!(heading(&client).await, "Sign in");
    type_into(&client, "email", EMAIL).await;
    type_into(&client, "password", PASSWORD).await;
    press(&client, Locator::Css("main button[type=submit]")).await;
    assert_eq!(
        heading(&client).await,
        "You do not lead a place in this programme"
    );
    look("no-place-yet").await;
    press(&client, Locator::LinkText("Ask to act for a place")).await;
    assert_eq!(heading(&client).await, "Which place do you want to act for?");
    look("join").await;
    let larkspur = app.place_id("PL-0010").await;
    tick(&client, &format!("place-{larkspur}")).await;
    type_into(
        &client,
        "reason",
        "Director of Public Health, leading our application",
    )
    .await;
    press(&client, Locator::Css("main button[type=submit]")).await;
    let notice = client
        .find(Locator::Css(".nhsuk-notification-banner"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        notice.contains("You have asked to act for Larkspur Bay"),
        "{notice}"
    );
    look("join-sent").await;
    sign_out(&client).await;

    sign_in(&client, &app, "priya.programme@example.org").await;
    client
        .goto(&app.at("/programmes/local-vision/requests"))
        .await
        .unwrap();
    assert_eq!(heading(&client).await, "Requests to act for a place");
    look("requests").await;
    press(&client, Locator::Css("main a[href^='/requests/']")).await;
    assert_eq!(heading(&client).await, "Request to act for Larkspur Bay");
    look("decide").await;
    tick(&client, "decision").await;
    press(&client, Locator::Css("main button[type=submit]")).await;
    let notice = client
        .find(Locator::Css(".nhsuk-notification-banner"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(notice.contains("You have approved"), "{notice}");
    sign_out(&client).await;

    type_into(&client, "email", EMAIL).await;
    type_into(&client, "password", PASSWORD).await;
    press(&client, Locator::Css("main button[type=submit]")).await;
    press(&client, Locator::Css("main a[href$='/rounds/demo-open/apply']")).await;
    assert_eq!(heading(&client).await, "You are applying for Larkspur Bay");
    press(&client, Locator::Css("main button[type=submit]")).await;
    assert!(heading(&client).await.starts_with("Apply for Local Vision"));
    look("task-list").await;
    // Their account page, and setting up two-factor sign-in.
    client.goto(&app.at("/account")).await.unwrap();
    look("account").await;
    press(&client, Locator::Css("main a[href='/account/two-factor']")).await;
    assert_eq!(heading(&client).await, "Two-factor sign-in");
    look("two-factor").await;
    // Set it up with the key shown, keyboard only, then see the codes and the page once on.
    let secret = client
        .find(Locator::Css("code.convene-secret"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let code = convene_domain::two_factor::code_at(&secret, app.unix_seconds()).unwrap();
    type_into(&client, "code", &code).await;
    press(&client, Locator::Css("main button[type=submit]")).await;
    let codes = client
        .find_all(Locator::Css("ul.convene-recovery-codes li"))
        .await
        .unwrap();
    assert_eq!(codes.len(), 10, "ten recovery codes are shown once");
    look("recovery-codes").await;
    client.goto(&app.at("/account/two-factor")).await.unwrap();
    look("two-factor-on").await;
    // A wrong password for new recovery codes is told beside its own field.
    type_into(&client, "codes_password", "not the password").await;
    press(&client, Locator::Css("form[action$='/recovery-codes'] button")).await;
    let summary = client
        .find(Locator::Css(".nhsuk-error-summary"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(summary.contains("make new recovery codes"), "{summary}");
    look("recovery-codes-error").await;
    client.close().await.unwrap();
    app.stop().await;
}

#[tokio::test]
async fn a_newcomer_registers_and_reaches_the_task_list_with_javascript_on() {
    newcomer_journey(true).await;
}

#[tokio::test]
async fn a_newcomer_registers_and_reaches_the_task_list_with_javascript_off() {
    newcomer_journey(false).await;
}
