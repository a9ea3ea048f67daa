#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests fail loudly by design.
//! The account page over HTTP, on both stores: changing details, email address (confirmed
//! again) and password; two-factor sign-in with a code that works once, recovery codes,
//! and the rule that admins must set it up.

mod common;

use common::{TestApp, shown_recovery_codes, shown_secret};
use convene_domain::two_factor;

const LEAD: &str = "lee.lead@example.org";
const ADMIN: &str = "priya.programme@example.org";
const PASSWORD: &str = convene_store::demo::DEMO_PASSWORD;

async fn password_sign_in(app: &TestApp, client: &reqwest::Client, email: &str) -> String {
    let res = app
        .post_form(
            client,
            "/sign-in",
            "/sign-in",
            &[("email", email), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(res.status(), 303);
    res.headers()["location"].to_str().unwrap().to_string()
}

on_both!(two_factor_sign_in_asks_for_a_code_that_works_once, |app| {
    let lead = app.signed_in(LEAD).await;
    let (_, setup) = app.get(&lead, "/account/two-factor").await;
    assert!(setup.contains("<svg"), "a QR code");
    let secret = shown_secret(&setup);
    // A wrong code is refused beside the field and nothing changes.
    let res = app
        .post_form(
            &lead,
            "/account/two-factor",
            "/account/two-factor",
            &[("code", "000000")],
        )
        .await;
    let html = res.text().await.unwrap();
    assert!(html.contains("The code is not right"), "{html}");
    let code = two_factor::code_at(&secret, app.unix_seconds()).unwrap();
    let res = app
        .post_form(
            &lead,
            "/account/two-factor",
            "/account/two-factor",
            &[("code", &code)],
        )
        .await;
    let html = res.text().await.unwrap();
    assert!(html.contains("Save your recovery codes"), "{html}");
    let recovery = shown_recovery_codes(&html);
    assert_eq!(recovery.len(), 10);
    // Signing in now takes the password, then a code.
    let client = app.client();
    assert_eq!(password_sign_in(&app, &client, LEAD).await, "/sign-in/two-factor");
    let (status, _) = app.get(&client, "/dashboard").await;
    assert_eq!(status, 303, "not signed in until the code is right");
    // The code used to set up cannot be used again.
    let res = app
        .post_form(
            &client,
            "/sign-in/two-factor",
            "/sign-in/two-factor",
            &[("code", &code)],
        )
        .await;
    assert!(res.text().await.unwrap().contains("The code is not right"));
    // The next step's code works, once.
    let next = two_factor::code_at(&secret, app.unix_seconds() + 30).unwrap();
    let res = app
        .post_form(
            &client,
            "/sign-in/two-factor",
            "/sign-in/two-factor",
            &[("code", &next)],
        )
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/dashboard");
    let (status, _) = app.get(&client, "/dashboard").await;
    assert_eq!(status, 200);
    let again = app.client();
    password_sign_in(&app, &again, LEAD).await;
    let res = app
        .post_form(
            &again,
            "/sign-in/two-factor",
            "/sign-in/two-factor",
            &[("code", &next)],
        )
        .await;
    assert!(
        res.text().await.unwrap().contains("The code is not right"),
        "a replayed code"
    );
    // A recovery code works once.
    let res = app
        .post_form(
            &again,
            "/sign-in/two-factor",
            "/sign-in/two-factor",
            &[("code", &recovery[0].to_uppercase())],
        )
        .await;
    assert_eq!(res.status(), 303);
    let third = app.client();
    password_sign_in(&app, &third, LEAD).await;
    let res = app
        .post_form(
            &third,
            "/sign-in/two-factor",
            "/sign-in/two-factor",
            &[("code", &recovery[0])],
        )
        .await;
    assert!(res.text().await.unwrap().contains("The code is not right"));
    // Turning it off needs the password; then a password alone signs in.
    let res = app
        .post_form(
            &lead,
            "/account/two-factor",
            "/account/two-factor/off",
            &[("password", "wrong")],
        )
        .await;
    assert!(res.text().await.unwrap().contains("Enter your current password"));
    let res = app
        .post_form(
            &lead,
            "/account/two-factor",
            "/account/two-factor/off",
            &[("password", PASSWORD)],
        )
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(password_sign_in(&app, &app.client(), LEAD).await, "/dashboard");
    app.stop().await;
});

#[tokio::test]
async fn admins_must_set_up_two_factor_where_the_server_enforces_it() {
    for backend in [
        convene_store::testing::Backend::Sqlite,
        convene_store::testing::Backend::Postgres,
    ] {
        let app = TestApp::spawn_enforcing_two_factor(backend).await;
        let admin = app.client();
        assert_eq!(password_sign_in(&app, &admin, ADMIN).await, "/account/two-factor");
        // Nothing else opens until it is set up.
        for path in ["/dashboard", "/programmes/local-vision", "/account"] {
            let res = admin.get(app.at(path)).send().await.unwrap();
            assert_eq!(res.status(), 303, "{path}");
            assert_eq!(res.headers()["location"], "/account/two-factor", "{path}");
        }
        let (_, setup) = app.get(&admin, "/account/two-factor").await;
        assert!(setup.contains("Your role needs two-factor sign-in"), "{setup}");
        let secret = shown_secret(&setup);
        let code = two_factor::code_at(&secret, app.unix_seconds()).unwrap();
        app.post_form(
            &admin,
            "/account/two-factor",
            "/account/two-factor",
            &[("code", &code)],
        )
        .await;
        let (status, _) = app.get(&admin, "/dashboard").await;
        assert_eq!(status, 200);
        // It cannot be turned off.
        let res = app
            .post_form(
                &admin,
                "/account/two-factor",
                "/account/two-factor/off",
                &[("password", PASSWORD)],
            )
            .await;
        assert_eq!(res.status(), 403);
        // A place lead is not asked.
        assert_eq!(password_sign_in(&app, &app.client(), LEAD).await, "/dashboard");
        app.stop().await;
    }
}

on_both!(details_email_and_password_change_from_the_account_page, |app| {
    let lead = app.signed_in(LEAD).await;
    let res = app
        .post_form(
            &lead,
            "/account/details",
            "/account/details",
            &[
                ("name", ""),
                ("organisation", "Westermoor Council"),
                ("job_role", "Lead"),
            ],
        )
        .await;
    let html = res.text().await.unwrap();
    assert!(html.contains("Enter your full name") && html.contains("value=\"Westermoor Council\""));
    let res = app
        .post_form(
            &lead,
            "/account/details",
            "/account/details",
            &[
                ("name", "Lee Lead-Harrow"),
                ("organisation", "Westermoor Council"),
                ("job_role", "Head of Strategy"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    let (_, account) = app.get(&lead, "/account").await;
    assert!(account.contains("Lee Lead-Harrow") && account.contains("Head of Strategy, Westermoor Council"));
    // A new address needs the password, and changes only when its link is opened.
    let res = app
        .post_form(
            &lead,
            "/account/email",
            "/account/email",
            &[("email", "lee.new@example.org"), ("password", "nope")],
        )
        .await;
    assert!(res.text().await.unwrap().contains("Enter your current password"));
    let res = app
        .post_form(
            &lead,
            "/account/email",
            "/account/email",
            &[("email", "lee.new@example.org"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(res.status(), 303);
    let (_, account) = app.get(&lead, "/account").await;
    assert!(account.contains(LEAD), "unchanged until confirmed");
    let mail = convene_store::outbox::recent(&app.state.db, 20).await.unwrap();
    let body = &mail
        .iter()
        .find(|m| m.to_address == "lee.new@example.org")
        .unwrap()
        .body_text;
    let link = body[body.find("/verify-email/").unwrap()..]
        .split_whitespace()
        .next()
        .unwrap()
        .to_string();
    assert!(
        mail.iter()
            .any(|m| m.to_address == LEAD && m.subject == "A change of email address was asked for")
    );
    let res = app.post_form(&lead, &link, &link, &[]).await;
    assert_eq!(res.status(), 303);
    let (_, account) = app.get(&lead, "/account").await;
    assert!(account.contains("lee.new@example.org"), "{account}");
    // Moving to an address already in use answers the same, and tells that address's owner.
    let res = app
        .post_form(
            &lead,
            "/account/email",
            "/account/email",
            &[("email", ADMIN), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(res.status(), 303);
    let mail = convene_store::outbox::recent(&app.state.db, 20).await.unwrap();
    assert!(
        mail.iter()
            .any(|m| m.to_address == ADMIN && m.subject == "Your email address is already in use on Convene")
    );
    // A new password: the current one first, a common one refused; other sessions end.
    let elsewhere = app.client();
    let res = app
        .post_form(
            &elsewhere,
            "/sign-in",
            "/sign-in",
            &[("email", "lee.new@example.org"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(res.status(), 303);
    let res = app
        .post_form(
            &lead,
            "/account/password",
            "/account/password",
            &[("current", PASSWORD), ("password", "password1234")],
        )
        .await;
    assert!(res.text().await.unwrap().contains("common passwords"));
    let res = app
        .post_form(
            &lead,
            "/account/password",
            "/account/password",
            &[("current", PASSWORD), ("password", "Marram grass bellwether")],
        )
        .await;
    assert_eq!(res.status(), 303);
    let (status, _) = app.get(&lead, "/account").await;
    assert_eq!(status, 200, "this session stays");
    let (status, _) = app.get(&elsewhere, "/account").await;
    assert_eq!(status, 303, "the other session has ended");
    app.stop().await;
});

on_both!(sessions_last_by_the_apps_clock, |app| {
    // Five weeks on (as a rehearsal of a notification date would move it), the session
    // made before has ended, and a new sign-in lasts from page to page.
    let lead = app.signed_in(LEAD).await;
    app.clock.set(app.clock_now_plus(35 * 24 * 3600));
    let signed_out = |res: reqwest::Response| {
        res.status() == 303
            && res.headers()["location"]
                .to_str()
                .unwrap()
                .starts_with("/sign-in")
    };
    let res = lead.get(app.at("/account")).send().await.unwrap();
    assert!(signed_out(res), "an 8-hour idle session has ended");
    app.sign_in(&lead, LEAD).await;
    for _ in 0..2 {
        let (status, html) = app.get(&lead, "/account").await;
        assert_eq!(status, 200, "still signed in: {html}");
    }
    // Nine idle hours later it has ended again.
    app.clock.set(app.clock_now_plus(9 * 3600));
    let res = lead.get(app.at("/account")).send().await.unwrap();
    assert!(signed_out(res), "ended after nine idle hours");
});
