//! Attacks on accounts and roles: taking an invitation by registering its address, guessing
//! two-factor codes and passwords, tokens that outlive a password, what the API tells a
//! requester, places shared by programmes, roles gained mid-session, account enumeration,
//! rounds before they open, and forms carried through a re-sign-in.

use crate::common::{FORGED_CSRF, TestApp, csrf_token, shown_recovery_codes};
use convene_domain::Clock;
use convene_domain::accounts::{Role, new_secret, secret_digest};
use convene_domain::two_factor;
use convene_domain::{ProgrammeId, UserId};
use convene_store::testing::Backend;

const ADMIN: &str = "priya.programme@example.org";
const SERVICE_ADMIN: &str = "ada.admin@example.org";
const LEAD: &str = "lee.lead@example.org";
const PARTICIPANT: &str = "parker.participant@example.org";
const DEMO_PASSWORD: &str = convene_store::demo::DEMO_PASSWORD;
const ATTACKER_PASSWORD: &str = "Marmalade kettle horizon";
const WRONG_SIGN_IN: &str = "Enter a correct email address and password";

async fn user_id(app: &TestApp, email: &str) -> i64 {
    let email = convene_domain::Email::parse(email).unwrap();
    (convene_store::users::by_email(&app.state.db, &email)
        .await
        .unwrap()
        .unwrap()
        .id)
        .0
}

async fn grants(app: &TestApp, email: &str) -> Vec<convene_domain::accounts::Grant> {
    convene_store::users::grants(&app.state.db, UserId(user_id(app, email).await))
        .await
        .unwrap()
}

/// Registers an account through the page; it stays unconfirmed.
async fn register(app: &TestApp, email: &str, password: &str) {
    let res = app
        .post_form(
            &app.client(),
            "/register",
            "/register",
            &[
                ("name", "Mallory Quince"),
                ("email", email),
                ("organisation", "Quince Holdings"),
                ("job_role", "Adviser"),
                ("password", password),
            ],
        )
        .await;
    assert_eq!(res.status(), 200, "the check-your-email page");
}

/// Posts a sign-in; returns the status and the page or redirect target.
async fn try_sign_in(app: &TestApp, client: &reqwest::Client, email: &str, password: &str) -> (u16, String) {
    let res = app
        .post_form(
            client,
            "/sign-in",
            "/sign-in",
            &[("email", email), ("password", password)],
        )
        .await;
    let status = res.status().as_u16();
    let location = res
        .headers()
        .get("location")
        .map(|l| l.to_str().unwrap().to_string());
    (status, location.unwrap_or(res.text().await.unwrap()))
}

/// Posts a form with the token a forged session holds.
async fn forged_post(app: &TestApp, client: &reqwest::Client, path: &str, fields: &[(&str, &str)]) -> u16 {
    let mut body = vec![("csrf_token", FORGED_CSRF)];
    body.extend_from_slice(fields);
    client
        .post(app.at(path))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(serde_urlencoded::to_string(&body).unwrap())
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

async fn api_get(app: &TestApp, token: &str, path: &str) -> reqwest::Response {
    app.client()
        .get(app.at(path))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
}

/// Priya invites `email` as a programme admin of Local Vision.
async fn invite_programme_admin(app: &TestApp, email: &str) {
    let admin = app.signed_in(ADMIN).await;
    let res = app
        .post_form(
            &admin,
            "/programmes/local-vision/invite",
            "/programmes/local-vision/invite",
            &[("email", email), ("role", "programme_admin")],
        )
        .await;
    assert_eq!(res.status(), 303, "{}", res.text().await.unwrap());
}

crate::on_both!(
    unconfirmed_account_cannot_take_an_invitation_meant_for_its_address,
    |app| {
        let invited = "new.admin@example.net";
        invite_programme_admin(&app, invited).await;
        // Someone else registers the invited address and cannot sign in with it...
        register(&app, invited, ATTACKER_PASSWORD).await;
        let (status, page) = try_sign_in(&app, &app.client(), invited, ATTACKER_PASSWORD).await;
        assert_eq!(status, 200, "no session for an unconfirmed account");
        assert!(page.contains(WRONG_SIGN_IN), "{page}");
        // ...and even a session of that account reaches nothing keyed by its address.
        let squatter = user_id(&app, invited).await;
        let session = app.forged_session(squatter).await;
        let res = session
            .get(app.at("/account/your-data.json"))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 303, "no subject access download");
        assert!(
            res.headers()["location"]
                .to_str()
                .unwrap()
                .starts_with("/sign-in")
        );
        let link = app.emailed_link(invited, "/invitations/").await;
        forged_post(&app, &session, &link, &[]).await;
        assert!(
            grants(&app, invited).await.is_empty(),
            "the invitation was not taken"
        );
        // The invited person registers through the link and takes the unconfirmed account over.
        let res = app
            .post_form(
                &app.client(),
                &link,
                &link,
                &[
                    ("name", "Nadia Oakhurst"),
                    ("organisation", "Local Vision partnership"),
                    ("job_role", "Programme manager"),
                    ("password", "Copper meadow lantern"),
                ],
            )
            .await;
        assert_eq!(res.status(), 303, "{}", res.text().await.unwrap());
        assert_eq!(
            user_id(&app, invited).await,
            squatter,
            "the same account, now theirs"
        );
        assert!(
            grants(&app, invited)
                .await
                .iter()
                .any(|g| g.role == Role::ProgrammeAdmin)
        );
        let (status, _) = try_sign_in(&app, &app.client(), invited, ATTACKER_PASSWORD).await;
        assert_eq!(status, 200, "the squatter's password no longer works");
        let (status, to) = try_sign_in(&app, &app.client(), invited, "Copper meadow lantern").await;
        assert_eq!((status, to.as_str()), (303, "/dashboard"));
    }
);

crate::on_both!(
    unconfirmed_account_has_no_download_tokens_or_role_requests,
    |app| {
        let email = "sorrel.unconfirmed@example.org";
        register(&app, email, ATTACKER_PASSWORD).await;
        let id = user_id(&app, email).await;
        let session = app.forged_session(id).await;
        for path in ["/account/your-data.json", "/account", "/dashboard"] {
            let res = session.get(app.at(path)).send().await.unwrap();
            assert_eq!(
                res.status(),
                303,
                "{path} sends an unconfirmed account to sign in"
            );
        }
        let place = app.place_id("PL-0011").await.to_string();
        let status = forged_post(&app, &session, "/account/tokens", &[("name", "script")]).await;
        assert_eq!(status, 303);
        let status = forged_post(
            &app,
            &session,
            "/programmes/local-vision/join",
            &[("place", &place), ("reason", "Analyst")],
        )
        .await;
        assert_eq!(status, 303);
        let tokens = convene_store::tokens::api_tokens_of(&app.state.db, UserId(id))
            .await
            .unwrap();
        assert!(tokens.is_empty(), "no token made");
        let requests = convene_store::requests::of_user(&app.state.db, UserId(id))
            .await
            .unwrap();
        assert!(requests.is_empty(), "no role request made");
        // A token of an unconfirmed account (made before this rule) answers nothing.
        let token = app.forged_api_token(id).await;
        assert_eq!(api_get(&app, &token, "/api/v1/me").await.status(), 401);
        let res = app
            .client()
            .post(app.at("/api/v1/programmes/local-vision/role-requests"))
            .bearer_auth(&token)
            .json(&serde_json::json!({ "place_id": place.parse::<i64>().unwrap(), "reason": "Analyst" }))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 401);
    }
);

crate::on_both!(
    signing_in_to_an_unconfirmed_account_answers_as_a_wrong_password,
    |app| {
        let email = "rowan.unconfirmed@example.org";
        register(&app, email, ATTACKER_PASSWORD).await;
        let before = convene_store::outbox::recent(&app.state.db, 200).await.unwrap();
        let links_before = before
            .iter()
            .filter(|m| m.to_address == email && m.body_text.contains("/verify-email/"))
            .count();
        let (right_status, right) = try_sign_in(&app, &app.client(), email, ATTACKER_PASSWORD).await;
        let (wrong_status, wrong) = try_sign_in(
            &app,
            &app.client(),
            "nobody.here@example.org",
            "Wrong password here",
        )
        .await;
        assert_eq!((right_status, wrong_status), (200, 200));
        let message = |page: &str| {
            let start = page.find(WRONG_SIGN_IN).expect("the one message");
            page[start..].split('<').next().unwrap().to_string()
        };
        assert_eq!(message(&right), message(&wrong), "the same words either way");
        // The owner of the address gets a fresh link to confirm it.
        let after = convene_store::outbox::recent(&app.state.db, 200).await.unwrap();
        let links_after = after
            .iter()
            .filter(|m| m.to_address == email && m.body_text.contains("/verify-email/"))
            .count();
        assert_eq!(links_after, links_before + 1);
    }
);

/// A new client that has given the lead's password and waits for a code.
async fn half_signed_in(app: &TestApp, email: &str) -> reqwest::Client {
    let client = app.client();
    let (status, to) = try_sign_in(app, &client, email, DEMO_PASSWORD).await;
    assert_eq!((status, to.as_str()), (303, "/sign-in/two-factor"));
    client
}

async fn post_code(app: &TestApp, client: &reqwest::Client, code: &str) -> String {
    let res = app
        .post_form(
            client,
            "/sign-in/two-factor",
            "/sign-in/two-factor",
            &[("code", code)],
        )
        .await;
    res.text().await.unwrap()
}

crate::on_both!(
    two_factor_codes_are_limited_per_account_not_cleared_by_a_password,
    |app| {
        let lead = app.signed_in(LEAD).await;
        app.set_up_two_factor(&lead).await;
        // Twenty wrong codes, each after a fresh, right password: the sixth is slowed, and so
        // is every one after it, though the password was right each time.
        let mut refused = 0;
        for n in 1..=20 {
            let client = half_signed_in(&app, LEAD).await;
            let page = post_code(&app, &client, "000000").await;
            if page.contains("Too many wrong codes") {
                refused += 1;
            } else {
                assert!(page.contains("The code is not right"), "{page}");
                assert!(n <= 5, "wrong code {n} was checked");
            }
        }
        assert_eq!(refused, 15);
        // A quarter of an hour later the count starts again; twenty sent at once are counted
        // one by one, so only five are checked.
        app.clock.set(app.clock.now().plus_seconds(16 * 60));
        let mut clients = Vec::new();
        for _ in 0..20 {
            let client = half_signed_in(&app, LEAD).await;
            let (_, html) = app.get(&client, "/sign-in/two-factor").await;
            clients.push((client, csrf_token(&html)));
        }
        let sends = clients.iter().map(|(client, token)| {
            client
                .post(app.at("/sign-in/two-factor"))
                .header("content-type", "application/x-www-form-urlencoded")
                .body(format!("csrf_token={token}&code=000000"))
                .send()
        });
        let mut checked = 0;
        for res in futures_util::future::join_all(sends).await {
            let page = res.unwrap().text().await.unwrap();
            if page.contains("The code is not right") {
                checked += 1;
            } else {
                assert!(page.contains("Too many wrong codes"), "{page}");
            }
        }
        assert_eq!(
            checked, 5,
            "no more than five guesses are checked, however they are sent"
        );
    }
);

crate::on_both!(password_guesses_sent_at_once_are_slowed_from_the_sixth, |app| {
    let client = app.client();
    let (_, html) = app.get(&client, "/sign-in").await;
    let token = csrf_token(&html);
    let sends = (0..20).map(|n| {
        client
            .post(app.at("/sign-in"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(format!(
                "csrf_token={token}&email=lee.lead%40example.org&password=guess-{n}-wrong"
            ))
            .send()
    });
    let mut checked = 0;
    for res in futures_util::future::join_all(sends).await {
        let page = res.unwrap().text().await.unwrap();
        if page.contains(WRONG_SIGN_IN) {
            checked += 1;
        } else {
            assert!(page.contains("Too many failed attempts"), "{page}");
        }
    }
    assert_eq!(checked, 5);
});

crate::on_both!(
    api_tokens_and_links_end_with_a_password_reset_change_or_sign_out_everywhere,
    |app| {
        let me = "/api/v1/me";
        // Sign out everywhere.
        let lead = app.signed_in(LEAD).await;
        let token = app.create_api_token(&lead, "script").await;
        assert_eq!(api_get(&app, &token, me).await.status(), 200);
        let (_, account) = app.get(&lead, "/account").await;
        assert!(
            account.contains("also revokes all your API tokens"),
            "said before it happens"
        );
        // A change of address is pending when it happens.
        let res = app
            .post_form(
                &lead,
                "/account/email",
                "/account/email",
                &[("email", "lee.moved@example.org"), ("password", DEMO_PASSWORD)],
            )
            .await;
        assert_eq!(res.status(), 303);
        let change_link = app.emailed_link("lee.moved@example.org", "/verify-email/").await;
        let res = app
            .post_form(&lead, "/account", "/account/sign-out-everywhere", &[])
            .await;
        assert_eq!(res.status(), 303);
        assert_eq!(api_get(&app, &token, me).await.status(), 401);
        let (status, _) = app.get(&app.client(), &change_link).await;
        assert_eq!(status, 410, "the pending change of address is cancelled");
        // A password change.
        let lead = app.signed_in(LEAD).await;
        let token = app.create_api_token(&lead, "script").await;
        let (_, page) = app.get(&lead, "/account/password").await;
        assert!(
            page.contains("all your API tokens are revoked"),
            "said before it happens"
        );
        let res = app
            .post_form(
                &lead,
                "/account/password",
                "/account/password",
                &[("current", DEMO_PASSWORD), ("password", "Bramble teapot quarry")],
            )
            .await;
        assert_eq!(res.status(), 303);
        assert_eq!(api_get(&app, &token, me).await.status(), 401);
        // A password reset, which also ends a session half signed in (password given, code
        // awaited): set two-factor up, leave a sign-in waiting for its code, then reset.
        let lead = app.client();
        let (status, _) = try_sign_in(&app, &lead, LEAD, "Bramble teapot quarry").await;
        assert_eq!(status, 303);
        let token = app.create_api_token(&lead, "script").await;
        let (secret, _) = app.set_up_two_factor(&lead).await;
        let waiting = app.client();
        let (status, to) = try_sign_in(&app, &waiting, LEAD, "Bramble teapot quarry").await;
        assert_eq!((status, to.as_str()), (303, "/sign-in/two-factor"));
        let (_, code_page) = app.get(&waiting, "/sign-in/two-factor").await;
        let waiting_token = csrf_token(&code_page);
        let res = app
            .post_form(
                &app.client(),
                "/forgot-password",
                "/forgot-password",
                &[("email", LEAD)],
            )
            .await;
        assert_eq!(res.status(), 200);
        app.wait_for_mail(LEAD, "/reset-password/").await;
        let reset_link = app.emailed_link(LEAD, "/reset-password/").await;
        let (_, reset_page) = app.get(&app.client(), &reset_link).await;
        assert!(
            reset_page.contains("revokes all your API tokens"),
            "said before it happens"
        );
        let res = app
            .post_form(
                &app.client(),
                &reset_link,
                &reset_link,
                &[
                    ("password", "Saffron ladder canal"),
                    ("confirm", "Saffron ladder canal"),
                ],
            )
            .await;
        assert_eq!(res.status(), 303);
        assert_eq!(api_get(&app, &token, me).await.status(), 401);
        let code = two_factor::code_at(&secret, app.unix_seconds()).unwrap();
        let res = waiting
            .post(app.at("/sign-in/two-factor"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(format!("csrf_token={waiting_token}&code={code}"))
            .send()
            .await
            .unwrap();
        let (status, _) = app.get(&waiting, "/dashboard").await;
        assert_ne!(res.status(), 200, "the half-signed-in session has ended");
        assert_eq!(status, 303, "and never reaches the dashboard");
    }
);

#[tokio::test]
async fn a_token_of_a_role_needing_two_factor_works_only_with_it_set_up() {
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let app = TestApp::spawn_enforcing_two_factor(backend).await;
        let token = app.forged_api_token(user_id(&app, ADMIN).await).await;
        assert_eq!(api_get(&app, &token, "/api/v1/me").await.status(), 403);
        let admin = app.client();
        let (status, to) = try_sign_in(&app, &admin, ADMIN, DEMO_PASSWORD).await;
        assert_eq!((status, to.as_str()), (303, "/account/two-factor"));
        app.set_up_two_factor(&admin).await;
        app.state.people.forget(UserId(user_id(&app, ADMIN).await));
        assert_eq!(api_get(&app, &token, "/api/v1/me").await.status(), 200);
        app.stop().await;
    }
}

crate::on_both!(role_request_api_tells_the_requester_nothing_of_the_leads, |app| {
    let participant = app.signed_in(PARTICIPANT).await;
    let token = app.create_api_token(&participant, "script").await;
    // Westermoor has a lead (Lee); asking to act for it must not say who.
    let westermoor = app.place_id("PL-0001").await;
    let res = app
        .client()
        .post(app.at("/api/v1/programmes/local-vision/role-requests"))
        .bearer_auth(&token)
        .json(&serde_json::json!({ "place_id": westermoor, "reason": "Public health analyst" }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let text = res.text().await.unwrap();
    assert!(!text.contains("existing_leads"), "{text}");
    assert!(!text.contains("Lee"), "{text}");
    // The admin who decides still sees them.
    let admin = app.signed_in(ADMIN).await;
    let admin_token = app.create_api_token(&admin, "script").await;
    let list = api_get(
        &app,
        &admin_token,
        "/api/v1/programmes/local-vision/role-requests",
    )
    .await;
    assert!(list.text().await.unwrap().contains("existing_leads"));
});

/// A second programme's id and an admin of it (made here; the demo has none).
async fn other_programme_admin(app: &TestApp) -> (i64, String) {
    let other = convene_store::programmes::list(&app.state.db)
        .await
        .unwrap()
        .into_iter()
        .find(|p| p.slug != "local-vision")
        .unwrap();
    let email = "olwen.other@example.org";
    let mut tx = app.state.db.begin().await.unwrap();
    let hash = convene_domain::accounts::hash_password(DEMO_PASSWORD).unwrap();
    let id = convene_store::users::create(
        &mut tx,
        &convene_domain::Email::parse(email).unwrap(),
        "Olwen Other",
        &hash,
        app.clock.now(),
    )
    .await
    .unwrap();
    convene_store::users::grant(
        &mut tx,
        UserId(id),
        convene_domain::accounts::Grant::new(Role::ProgrammeAdmin, Some(other.id.0)).unwrap(),
        app.clock.now(),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    (other.id.0, email.to_string())
}

crate::on_both!(
    a_place_shared_by_programmes_keeps_its_standing_in_each_and_its_chair,
    |app| {
        let (other, other_admin) = other_programme_admin(&app).await;
        let westermoor = app.place_id("PL-0001").await;
        convene_store::testing::add_place_to_programme(
            &app.state.db,
            other,
            westermoor,
            "applicant",
            "Frailty education",
        )
        .await
        .unwrap();
        // Its standing in each programme, not the first one's everywhere.
        let place = convene_store::programmes::place(&app.state.db, westermoor)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(place.memberships.len(), 2);
        assert_eq!(
            place
                .in_programme(ProgrammeId(other))
                .unwrap()
                .breakthrough_issue
                .as_deref(),
            Some("Frailty education")
        );
        let ada = app.signed_in(SERVICE_ADMIN).await;
        let (_, page) = app.get(&ada, &format!("/places/{westermoor}")).await;
        assert!(
            page.contains("Frailty education") && page.contains("Changing patterns of sedentary behaviour")
        );
        // Neither programme's admin alone moves the chair every programme's sign-off goes to.
        for admin in [ADMIN, other_admin.as_str()] {
            let client = app.signed_in(admin).await;
            let res = app
                .post_form(
                    &client,
                    &format!("/places/{westermoor}"),
                    &format!("/places/{westermoor}/chair"),
                    &[("chair_name", "Ivo Intruder"), ("chair_email", "ivo@example.net")],
                )
                .await;
            assert_eq!(res.status(), 403, "{admin} cannot change a shared chair");
            let token = app.create_api_token(&client, "script").await;
            let res = app
                .client()
                .put(app.at(&format!("/api/v1/places/{westermoor}/chair")))
                .bearer_auth(&token)
                .json(&serde_json::json!({ "name": "Ivo Intruder", "email": "ivo@example.net" }))
                .send()
                .await
                .unwrap();
            assert_eq!(
                res.status(),
                403,
                "{admin} cannot change a shared chair through the API"
            );
        }
        let place = convene_store::programmes::place(&app.state.db, westermoor)
            .await
            .unwrap()
            .unwrap();
        assert_ne!(place.hwb_chair_email.as_deref(), Some("ivo@example.net"));
        // A service admin can.
        let res = app
            .post_form(
                &ada,
                &format!("/places/{westermoor}"),
                &format!("/places/{westermoor}/chair"),
                &[
                    ("chair_name", "Wren Hallow"),
                    ("chair_email", "wren.hallow@example.org"),
                ],
            )
            .await;
        assert_eq!(res.status(), 303);
    }
);

crate::on_both!(nobody_invites_themselves_or_accepts_their_own_invitation, |app| {
    let admin = app.signed_in(ADMIN).await;
    let westermoor = app.place_id("PL-0001").await.to_string();
    let res = app
        .post_form(
            &admin,
            "/programmes/local-vision/invite",
            "/programmes/local-vision/invite",
            &[("email", ADMIN), ("role", "place_lead"), ("place", &westermoor)],
        )
        .await;
    let page = res.text().await.unwrap();
    assert!(page.contains("You cannot invite yourself"), "{page}");
    // Nor does an admin decide their own request to act for a place.
    let res = app
        .post_form(
            &admin,
            "/programmes/local-vision/join",
            "/programmes/local-vision/join",
            &[("place", &westermoor), ("reason", "Covering for the lead")],
        )
        .await;
    assert_eq!(res.status(), 303);
    let priya = user_id(&app, ADMIN).await;
    let own = convene_store::requests::of_user(&app.state.db, UserId(priya))
        .await
        .unwrap()
        .remove(0);
    let path = format!("/requests/{}", own.id);
    let res = app
        .post_form(&admin, &path, &path, &[("decision", "approve")])
        .await;
    let page = res.text().await.unwrap();
    assert!(page.contains("You cannot decide your own request"), "{page}");
    assert!(
        !grants(&app, ADMIN)
            .await
            .iter()
            .any(|g| g.role == Role::PlaceLead),
        "no role taken by deciding for oneself"
    );
    // Inviting another address, then moving one's own account to it, does not work either.
    let side = "priya.side@example.org";
    let res = app
        .post_form(
            &admin,
            "/programmes/local-vision/invite",
            "/programmes/local-vision/invite",
            &[("email", side), ("role", "place_lead"), ("place", &westermoor)],
        )
        .await;
    assert_eq!(res.status(), 303);
    let invitation = app.emailed_link(side, "/invitations/").await;
    let res = app
        .post_form(
            &admin,
            "/account/email",
            "/account/email",
            &[("email", side), ("password", DEMO_PASSWORD)],
        )
        .await;
    assert_eq!(res.status(), 303);
    let confirm = app.emailed_link(side, "/verify-email/").await;
    let res = app.post_form(&admin, &confirm, &confirm, &[]).await;
    assert_eq!(res.status(), 303);
    app.state.people.forget(UserId(user_id(&app, side).await));
    let res = app.post_form(&admin, &invitation, &invitation, &[]).await;
    assert_eq!(
        res.status(),
        410,
        "the inviter cannot accept their own invitation"
    );
    assert!(
        !grants(&app, side).await.iter().any(|g| g.role == Role::PlaceLead),
        "no place lead role"
    );
});

#[tokio::test]
async fn a_role_gained_mid_session_needs_two_factor_before_the_next_page() {
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let app = TestApp::spawn_enforcing_two_factor(backend).await;
        // The participant needs no second factor, and signs in with a password.
        let parker = app.signed_in(PARTICIPANT).await;
        // An invitation to sit on a panel arrives and is accepted in that session.
        let secret = new_secret();
        let round = convene_store::programmes::all_rounds(&app.state.db)
            .await
            .unwrap()[0]
            .clone();
        let mut tx = app.state.db.begin().await.unwrap();
        convene_store::requests::create_invitation(
            &mut tx,
            PARTICIPANT,
            Role::PanelMember,
            Some(round.id.0),
            round.programme_id,
            &secret_digest(&secret),
            user_id(&app, ADMIN).await,
            app.clock.now(),
            app.clock.now().plus_seconds(3600),
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let link = format!("/invitations/{secret}");
        let res = app.post_form(&parker, &link, &link, &[]).await;
        assert_eq!(res.status(), 303);
        let res = parker.get(app.at("/dashboard")).send().await.unwrap();
        assert_eq!(res.status(), 303);
        assert_eq!(
            res.headers()["location"],
            "/account/two-factor",
            "set it up first"
        );
        app.stop().await;
    }
}

crate::on_both!(
    forgot_password_does_the_same_work_for_known_and_unknown_addresses,
    |app| {
        let client = app.client();
        let (_, html) = app.get(&client, "/forgot-password").await;
        let token = csrf_token(&html);
        let time = |email: &'static str| {
            let client = client.clone();
            let token = token.clone();
            let url = app.at("/forgot-password");
            async move {
                let started = std::time::Instant::now();
                let res = client
                    .post(url)
                    .header("content-type", "application/x-www-form-urlencoded")
                    .body(format!("csrf_token={token}&email={email}"))
                    .send()
                    .await
                    .unwrap();
                let body = res.text().await.unwrap();
                (started.elapsed(), body)
            }
        };
        let mut known = Vec::new();
        let mut unknown = Vec::new();
        for _ in 0..15 {
            let (k, known_page) = time("lee.lead%40example.org").await;
            let (u, unknown_page) = time("no.one.here%40example.org").await;
            assert_eq!(known_page, unknown_page, "the same answer");
            known.push(k);
            unknown.push(u);
        }
        known.sort();
        unknown.sort();
        let (k, u) = (known[7], unknown[7]);
        let gap = k.abs_diff(u);
        assert!(
            gap < std::time::Duration::from_millis(3) || gap * 2 < k.max(u),
            "known {k:?} and unknown {u:?} addresses take as long"
        );
    }
);

crate::on_both!(api_round_hides_its_form_before_the_round_opens, |app| {
    let round = convene_store::programmes::all_rounds(&app.state.db)
        .await
        .unwrap()
        .into_iter()
        .find(|r| r.slug == "demo-open")
        .unwrap();
    let later = app.clock.now().plus_seconds(7 * 24 * 3600);
    let mut tx = app.state.db.begin().await.unwrap();
    convene_store::testing::set_round_dates(
        &mut tx,
        round.id.0,
        later,
        round.closes_at.plus_seconds(7 * 24 * 3600),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    app.state.catalogue.invalidate();
    let lead = app.signed_in(LEAD).await;
    let lead_token = app.create_api_token(&lead, "script").await;
    let path = format!("/api/v1/rounds/{}", round.id);
    let body: serde_json::Value = api_get(&app, &lead_token, &path).await.json().await.unwrap();
    assert!(body["form"].is_null(), "no form before the round opens: {body}");
    assert_eq!(
        body["name"],
        round.name.as_str(),
        "its public facts are still there"
    );
    let admin = app.signed_in(ADMIN).await;
    let admin_token = app.create_api_token(&admin, "script").await;
    let body: serde_json::Value = api_get(&app, &admin_token, &path).await.json().await.unwrap();
    assert!(body["form"].is_object(), "the programme's admins see it");
});

/// Lee types into the details form in a new browser, and the session ends before it is
/// saved: the post is carried through to a new sign-in. Returns that browser.
async fn lee_types_and_loses_the_session(app: &TestApp) -> reqwest::Client {
    let browser = app.signed_in(LEAD).await;
    let (_, html) = app.get(&browser, "/account/details").await;
    let token = csrf_token(&html);
    let lee = user_id(app, LEAD).await;
    convene_store::sessions::delete_for_user(&app.state.db, UserId(lee))
        .await
        .unwrap();
    app.state.sessions.forget_user(lee);
    let res = browser
        .post(app.at("/account/details"))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("sec-fetch-site", "same-origin")
        .body(format!(
            "csrf_token={token}&name=Lee+Private+Draft&organisation=Westermoor&job_role=Lead"
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    browser
}

crate::on_both!(a_carried_form_is_shown_only_to_the_account_that_typed_it, |app| {
    // Someone else signs in on the same browser: they never see it.
    let browser = lee_types_and_loses_the_session(&app).await;
    app.sign_in(&browser, PARTICIPANT).await;
    let (status, page) = app.get(&browser, "/resume").await;
    assert_ne!(status, 200, "{page}");
    assert!(!page.contains("Lee Private Draft"));
    // Lee, on another browser whose session ends the same way, gets it back.
    let browser = lee_types_and_loses_the_session(&app).await;
    app.sign_in(&browser, LEAD).await;
    let (status, page) = app.get(&browser, "/resume").await;
    assert_eq!(status, 200);
    assert!(page.contains("Lee Private Draft"));
});

crate::on_both!(new_recovery_codes_replace_the_old_ones_with_the_password, |app| {
    let lead = app.signed_in(LEAD).await;
    let (_, old) = app.set_up_two_factor(&lead).await;
    let path = "/account/two-factor/recovery-codes";
    let res = app
        .post_form(
            &lead,
            "/account/two-factor",
            path,
            &[("password", "not my password")],
        )
        .await;
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("Enter your current password to make new recovery codes")
    );
    let res = app
        .post_form(&lead, "/account/two-factor", path, &[("password", DEMO_PASSWORD)])
        .await;
    let new = shown_recovery_codes(&res.text().await.unwrap());
    assert_eq!((old.len(), new.len()), (10, 10));
    assert!(new.iter().all(|c| !old.contains(c)));
    let page = post_code(&app, &half_signed_in(&app, LEAD).await, &old[0]).await;
    assert!(
        page.contains("The code is not right"),
        "an old code no longer works"
    );
    let client = half_signed_in(&app, LEAD).await;
    post_code(&app, &client, &new[0]).await;
    let (status, _) = app.get(&client, "/dashboard").await;
    assert_eq!(status, 200, "a new code signs in");
});
