#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests fail loudly by design.
//! Self-service accounts over HTTP, on both stores: registering, confirming the address,
//! asking to act for a place, an admin deciding, invitations, and every bad input.

mod common;

use common::TestApp;

const LEAD: &str = "lee.lead@example.org";
const ADMIN: &str = "priya.programme@example.org";
const APPLY: &str = "/programmes/local-vision/rounds/demo-open/apply";
const PASSWORD: &str = "Quilted lantern orchard";

async fn mail_to(app: &TestApp, to: &str) -> Vec<convene_store::outbox::Message> {
    let mail = convene_store::outbox::recent(&app.state.db, 100).await.unwrap();
    mail.into_iter().filter(|m| m.to_address == to).collect()
}

async fn register(
    app: &TestApp,
    client: &reqwest::Client,
    name: &str,
    email: &str,
    password: &str,
) -> (u16, String) {
    let res = app
        .post_form(
            client,
            "/register",
            "/register",
            &[
                ("name", name),
                ("email", email),
                ("organisation", "Fennick Borough Council"),
                ("job_role", "Head of Public Health Strategy"),
                ("password", password),
                ("next", APPLY),
            ],
        )
        .await;
    (res.status().as_u16(), res.text().await.unwrap())
}

/// Signs in with the test password; returns where it went.
async fn sign_in(app: &TestApp, client: &reqwest::Client, email: &str, next: &str) -> String {
    let res = app
        .post_form(
            client,
            "/sign-in",
            "/sign-in",
            &[("email", email), ("password", PASSWORD), ("next", next)],
        )
        .await;
    assert_eq!(res.status(), 303, "{}", res.text().await.unwrap());
    res.headers()["location"].to_str().unwrap().to_string()
}

on_both!(
    a_newcomer_registers_asks_for_a_place_and_applies_once_approved,
    |app| {
        let newcomer = app.client();
        // "Start now" on the public page sends a visitor to sign in, which offers an account.
        let res = newcomer.get(app.at(APPLY)).send().await.unwrap();
        assert_eq!(res.status(), 303);
        let to_sign_in = res.headers()["location"].to_str().unwrap().to_string();
        let (_, sign_in_page) = app.get(&newcomer, &to_sign_in).await;
        assert!(sign_in_page.contains("Create an account"), "{sign_in_page}");
        let (status, page) = register(
            &app,
            &newcomer,
            "Wren Caddington",
            "wren.caddington@example.org",
            PASSWORD,
        )
        .await;
        assert_eq!(status, 200);
        assert!(page.contains("<h1>Check your email</h1>"), "{page}");
        // Until the address is confirmed, the account cannot sign in: the answer is the one a
        // wrong password gets, so it tells nobody that the address has an account.
        let res = app
            .post_form(
                &newcomer,
                "/sign-in",
                "/sign-in",
                &[("email", "wren.caddington@example.org"), ("password", PASSWORD)],
            )
            .await;
        assert_eq!(res.status(), 200);
        let html = res.text().await.unwrap();
        assert!(html.contains("New account? Confirm it first"), "{html}");
        let westermoor = app.place_id("PL-0001").await.to_string();
        let larkspur = app.place_id("PL-0010").await.to_string();
        // The emailed link confirms it, with a button (mail scanners open links).
        let link = app
            .emailed_link("wren.caddington@example.org", "/verify-email/")
            .await;
        let (status, confirm) = app.get(&newcomer, &link).await;
        assert_eq!(status, 200);
        assert!(confirm.contains("Confirm email address"));
        let res = app.post_form(&newcomer, &link, &link, &[]).await;
        assert_eq!(res.status(), 303);
        let to_sign_in = res.headers()["location"].to_str().unwrap().to_string();
        assert!(to_sign_in.starts_with("/sign-in?next="), "{to_sign_in}");
        assert_eq!(
            sign_in(&app, &newcomer, "wren.caddington@example.org", APPLY).await,
            APPLY,
            "back to where they started"
        );
        // The link is spent.
        let (status, spent) = app.get(&newcomer, &link).await;
        assert_eq!(status, 410);
        assert!(spent.contains("This link has already been used"));
        // Applying without a place leads to asking for one.
        let (_, apply) = app.get(&newcomer, APPLY).await;
        assert!(apply.contains("Ask to act for a place"), "{apply}");
        // Asking without a reason or place is refused beside the fields.
        let join = "/programmes/local-vision/join";
        let res = app.post_form(&newcomer, join, join, &[("reason", "")]).await;
        let html = res.text().await.unwrap();
        assert!(
            html.contains("Select the place you want to act for")
                && html.contains("Enter your role at this place")
        );
        let res = app
            .post_form(
                &newcomer,
                join,
                join,
                &[
                    ("place", &larkspur),
                    ("reason", "Director of Public Health, Larkspur"),
                ],
            )
            .await;
        assert_eq!(res.status(), 303);
        let (_, join_page) = app.get(&newcomer, join).await;
        assert!(join_page.contains("Waiting for a decision"), "{join_page}");
        // Asking twice is refused.
        let res = app
            .post_form(
                &newcomer,
                join,
                join,
                &[("place", &larkspur), ("reason", "Again")],
            )
            .await;
        assert!(
            res.text()
                .await
                .unwrap()
                .contains("You have already asked to act for")
        );
        // The programme admin is told, and decides.
        let admin_link = app.emailed_link(ADMIN, "/requests/").await;
        let admin = app.signed_in(ADMIN).await;
        let (_, dashboard) = app.get(&admin, "/dashboard").await;
        assert!(
            dashboard
                .contains("1 request to act for a place or join the enabler pool in Systems Leadership – Local Vision is waiting"),
            "{dashboard}"
        );
        let (_, list) = app.get(&admin, "/programmes/local-vision/requests").await;
        assert!(
            list.contains("Wren Caddington") && list.contains("Larkspur"),
            "{list}"
        );
        let (_, decide_page) = app.get(&admin, &admin_link).await;
        assert!(decide_page.contains("Head of Public Health Strategy"));
        // The newcomer cannot decide their own request, nor see it.
        let (status, _) = app.get(&newcomer, &admin_link).await;
        assert_eq!(status, 403);
        let res = app
            .post_form(
                &admin,
                &admin_link,
                &admin_link,
                &[("decision", "approve"), ("reason", "")],
            )
            .await;
        assert_eq!(res.status(), 303);
        let approved = mail_to(&app, "wren.caddington@example.org").await;
        assert!(
            approved
                .iter()
                .any(|m| m.subject.starts_with("You can now act for"))
        );
        // A second decision changes nothing.
        let res = app
            .post_form(
                &admin,
                &admin_link,
                &admin_link,
                &[("decision", "decline"), ("reason", "Changed mind")],
            )
            .await;
        assert_eq!(res.status(), 303);
        let (_, after) = app.get(&admin, res.headers()["location"].to_str().unwrap()).await;
        assert!(
            after.contains("That request had already been decided, so nothing has changed."),
            "{after}"
        );
        let declined = mail_to(&app, "wren.caddington@example.org").await;
        assert!(
            !declined.iter().any(|m| m.subject.contains("was declined")),
            "no second decision is sent"
        );
        // Now the newcomer lands on the task list of their place's application.
        let (_, apply) = app.get(&newcomer, APPLY).await;
        assert!(apply.contains("You are applying for"), "{apply}");
        let res = app
            .post_form(&newcomer, APPLY, APPLY, &[("place", &larkspur)])
            .await;
        assert_eq!(res.status(), 303);
        let task_list = res.headers()["location"].to_str().unwrap().to_string();
        let (_, tasks) = app.get(&newcomer, &task_list).await;
        assert!(
            tasks.contains("Apply for") && tasks.contains("About your place"),
            "{tasks}"
        );
        // They act for Larkspur only.
        let res = app
            .post_form(&newcomer, APPLY, APPLY, &[("place", &westermoor)])
            .await;
        assert_ne!(res.status(), 303);
        app.stop().await;
    }
);

/// The page with the address typed taken out.
fn comparable(html: &str, email: &str) -> String {
    assert!(
        !html.contains("csrf_token"),
        "the answer page holds no per-request token"
    );
    html.replace(email, "EMAIL")
}

on_both!(a_used_email_gets_the_same_answer_as_a_new_one, |app| {
    let (status_new, page_new) = register(
        &app,
        &app.client(),
        "Ash Penberthy",
        "ash.penberthy@example.org",
        PASSWORD,
    )
    .await;
    let (status_used, page_used) = register(&app, &app.client(), "Someone Else", LEAD, PASSWORD).await;
    assert_eq!(status_new, status_used);
    assert_eq!(
        comparable(&page_new, "ash.penberthy@example.org"),
        comparable(&page_used, LEAD)
    );
    // The owner of the used address is told; their account is untouched.
    let to_owner = mail_to(&app, LEAD).await;
    assert!(
        to_owner
            .iter()
            .any(|m| m.subject == "You already have a Convene account")
    );
    let lead = convene_store::users::by_email(&app.state.db, &convene_domain::Email::parse(LEAD).unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_ne!(lead.name, "Someone Else");
    app.signed_in(LEAD).await;
    // Through the API too.
    let api = |email: &'static str| {
        let client = app.client();
        let url = app.at("/api/v1/registrations");
        async move {
            let res = client
                .post(url)
                .json(&serde_json::json!({"name": "Api Person", "email": email, "organisation": "Larkspur ICB", "job_role": "Analyst", "password": PASSWORD}))
                .send()
                .await
                .unwrap();
            (res.status().as_u16(), res.text().await.unwrap())
        }
    };
    let (s1, b1) = api("api.person@example.org").await;
    let (s2, b2) = api(ADMIN).await;
    assert_eq!(s1, 202, "{b1}");
    assert_eq!((s1, b1), (s2, b2));
    app.stop().await;
});

on_both!(bad_registrations_and_links_get_clear_messages, |app| {
    let client = app.client();
    let (_, page) = register(&app, &client, "", "not-an-email", "password1234").await;
    assert!(page.contains("<title>Error: Create an account"), "{page}");
    assert!(page.contains("Enter your full name"));
    assert!(page.contains("on a list of common passwords"), "{page}");
    assert!(page.contains("value=\"not-an-email\""), "what was typed is kept");
    assert!(!page.contains("password1234"), "passwords are never echoed");
    let (_, page) = register(&app, &client, "Rook Ellery", "rook.ellery@example.org", "short").await;
    assert!(page.contains("12 characters or more"));
    assert!(
        mail_to(&app, "rook.ellery@example.org").await.is_empty(),
        "nothing half-done"
    );
    // Tampered and expired verification links.
    let (status, page) = app.get(&client, "/verify-email/0000").await;
    assert_eq!(status, 410);
    assert!(page.contains("This link is not valid"));
    register(&app, &client, "Rook Ellery", "rook.ellery@example.org", PASSWORD).await;
    let link = app
        .emailed_link("rook.ellery@example.org", "/verify-email/")
        .await;
    // Change the last character of the secret (to something else, whatever it was).
    let last = if link.ends_with('f') { '0' } else { 'f' };
    let tampered = format!("{}{last}", &link[..link.len() - 1]);
    assert_ne!(tampered, link);
    let res = app.post_form(&client, "/register", &tampered, &[]).await;
    assert_eq!(res.status(), 410);
    convene_store::testing::expire_links(&app.state.db).await.unwrap();
    let (status, page) = app.get(&client, &link).await;
    assert_eq!(status, 410);
    assert!(page.contains("This link has expired"), "{page}");
    app.stop().await;
});

on_both!(
    a_request_for_a_place_with_a_lead_tells_the_admin_and_a_decline_needs_a_reason,
    |app| {
        let client = app.client();
        register(&app, &client, "Tamsin Vell", "tamsin.vell@example.org", PASSWORD).await;
        let link = app
            .emailed_link("tamsin.vell@example.org", "/verify-email/")
            .await;
        app.post_form(&client, &link, &link, &[]).await;
        sign_in(&app, &client, "tamsin.vell@example.org", "/dashboard").await;
        let westermoor = app.place_id("PL-0001").await.to_string();
        let join = "/programmes/local-vision/join";
        let res = app
            .post_form(
                &client,
                join,
                join,
                &[("place", &westermoor), ("reason", "Deputy director")],
            )
            .await;
        assert_eq!(res.status(), 303);
        let admin = app.signed_in(ADMIN).await;
        let request = app.emailed_link(ADMIN, "/requests/").await;
        let (_, page) = app.get(&admin, &request).await;
        assert!(page.contains("This place already has a lead"), "{page}");
        let res = app
            .post_form(&admin, &request, &request, &[("decision", "decline")])
            .await;
        let html = res.text().await.unwrap();
        assert!(html.contains("Enter the reason for declining"), "{html}");
        let res = app.post_form(&admin, &request, &request, &[]).await;
        assert!(
            res.text()
                .await
                .unwrap()
                .contains("Select whether to approve or decline")
        );
        let res = app
            .post_form(
                &admin,
                &request,
                &request,
                &[
                    ("decision", "decline"),
                    ("reason", "Westermoor's lead is already applying"),
                ],
            )
            .await;
        assert_eq!(res.status(), 303);
        let told = mail_to(&app, "tamsin.vell@example.org").await;
        assert!(
            told.iter()
                .any(|m| m.body_text.contains("Westermoor's lead is already applying"))
        );
        // Not granted.
        let (_, apply) = app.get(&client, APPLY).await;
        assert!(apply.contains("Ask to act for a place"));
        // A place lead of another programme's place cannot decide it.
        let lead = app.signed_in(LEAD).await;
        let (status, _) = app.get(&lead, &request).await;
        assert_eq!(status, 403);
        app.stop().await;
    }
);

on_both!(
    an_invitation_makes_an_account_with_the_role_and_works_once,
    |app| {
        let admin = app.signed_in(ADMIN).await;
        let greyhollow = app.place_id("PL-0012").await.to_string();
        let invite = "/programmes/local-vision/invite";
        let res = app
            .post_form(&admin, invite, invite, &[("email", "bad"), ("place", "")])
            .await;
        let html = res.text().await.unwrap();
        assert!(
            html.contains("Select the role you are inviting them to"),
            "{html}"
        );
        let res = app
            .post_form(
                &admin,
                invite,
                invite,
                &[("email", "bad"), ("role", "place_lead"), ("place", "")],
            )
            .await;
        let html = res.text().await.unwrap();
        assert!(html.contains("Select the place they will act for"), "{html}");
        // A panel member for a round of this programme, by the same mechanism.
        let round = convene_store::programmes::by_slug(&app.state.db, "local-vision")
            .await
            .unwrap()
            .unwrap();
        let rounds = convene_store::programmes::rounds(&app.state.db, round.id)
            .await
            .unwrap();
        let round_id = rounds[0].id.to_string();
        let res = app
            .post_form(
                &admin,
                invite,
                invite,
                &[
                    ("email", "pell.ashgrove@example.org"),
                    ("role", "panel_member"),
                    ("round", &round_id),
                ],
            )
            .await;
        assert_eq!(res.status(), 303);
        let panel_link = app
            .emailed_link("pell.ashgrove@example.org", "/invitations/")
            .await;
        let panellist = app.client();
        let (_, page) = app.get(&panellist, &panel_link).await;
        assert!(
            page.contains(&format!("sit on the panel of {}", rounds[0].name)),
            "{page}"
        );
        let res = app
            .post_form(
                &panellist,
                &panel_link,
                &panel_link,
                &[
                    ("name", "Pell Ashgrove"),
                    ("organisation", "A partner body"),
                    ("job_role", "Director"),
                    ("password", PASSWORD),
                ],
            )
            .await;
        assert_eq!(res.status(), 303);
        let email = convene_domain::Email::parse("pell.ashgrove@example.org").unwrap();
        let pell = convene_store::users::by_email(&app.state.db, &email)
            .await
            .unwrap()
            .unwrap();
        let grants = convene_store::users::grants(&app.state.db, pell.id)
            .await
            .unwrap();
        assert!(
            grants
                .iter()
                .any(|g| g.role == convene_domain::accounts::Role::PanelMember
                    && g.scope_id == Some(rounds[0].id.0))
        );
        let res = app
            .post_form(
                &admin,
                invite,
                invite,
                &[
                    ("email", "juno.marchetti@example.org"),
                    ("role", "place_lead"),
                    ("place", &greyhollow),
                ],
            )
            .await;
        assert_eq!(res.status(), 303);
        let link = app
            .emailed_link("juno.marchetti@example.org", "/invitations/")
            .await;
        let invitee = app.client();
        let (status, page) = app.get(&invitee, &link).await;
        assert_eq!(status, 200);
        assert!(page.contains("Create your account"));
        let res = app
            .post_form(
                &invitee,
                &link,
                &link,
                &[
                    ("name", "Juno Marchetti"),
                    ("organisation", "Greyhollow Council"),
                    ("job_role", "Programme manager"),
                    ("password", "123456789012"),
                ],
            )
            .await;
        assert!(
            res.text().await.unwrap().contains("Error: "),
            "a guessable password is refused"
        );
        let res = app
            .post_form(
                &invitee,
                &link,
                &link,
                &[
                    ("name", "Juno Marchetti"),
                    ("organisation", "Greyhollow Council"),
                    ("job_role", "Programme manager"),
                    ("password", PASSWORD),
                ],
            )
            .await;
        assert_eq!(res.status(), 303);
        let (_, apply) = app.get(&invitee, APPLY).await;
        assert!(apply.contains("You are applying for"), "{apply}");
        // The link is spent.
        let (status, page) = app.get(&app.client(), &link).await;
        assert_eq!(status, 410);
        assert!(page.contains("already been used"));
        app.stop().await;
    }
);

on_both!(the_pages_the_law_requires_are_in_every_footer, |app| {
    let visitor = app.client();
    for (path, must_hold) in [
        (
            "/accessibility",
            &[
                "How accessible this service is",
                "Feedback and contact information",
                "Enforcement procedure",
                "Compliance status",
                "Non-accessible content",
                "Preparation of this accessibility statement",
                "Public Sector Bodies (Websites and Mobile Applications) (No. 2) Accessibility Regulations 2018",
            ][..],
        ),
        (
            "/privacy",
            &[
                "Your rights",
                "How long we keep it",
                "Information Commissioner",
                "/account",
            ][..],
        ),
        ("/cookies", &["convene_session", "strictly necessary"][..]),
        ("/contact", &["/open-calls", "Forgotten your password?"][..]),
    ] {
        let (status, html) = app.get(&visitor, path).await;
        assert_eq!(status, 200, "{path}");
        for text in must_hold {
            assert!(html.contains(text), "{path} lacks {text}");
        }
    }
    // Every page's footer links to all four, signed in or not.
    let lead = app.signed_in(LEAD).await;
    for (client, path) in [
        (&visitor, "/open-calls"),
        (&visitor, "/register"),
        (&lead, "/dashboard"),
        (&lead, "/account"),
    ] {
        let (_, html) = app.get(client, path).await;
        for link in [
            "href=\"/accessibility\"",
            "href=\"/privacy\"",
            "href=\"/cookies\"",
            "href=\"/contact\"",
        ] {
            assert!(html.contains(link), "{path} footer lacks {link}");
        }
    }
    // Anonymous readers get no cookie, as the cookies page says.
    let res = visitor
        .get(app.at("/programmes/local-vision/about"))
        .send()
        .await
        .unwrap();
    assert!(res.headers().get("set-cookie").is_none());
    app.stop().await;
});

on_both!(
    the_api_reads_in_public_and_takes_role_requests_under_the_same_rules,
    |app| {
        let anon = app.client();
        let res = anon
            .get(app.at("/api/v1/programmes/local-vision"))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        let programme: serde_json::Value = res.json().await.unwrap();
        assert!(
            programme["page_html"]
                .as_str()
                .unwrap()
                .contains("Commissioning Academy")
        );
        assert!(
            programme["rounds"]
                .as_array()
                .unwrap()
                .iter()
                .any(|r| r["status"] == "open")
        );
        assert_eq!(
            anon.get(app.at("/api/v1/programmes/nope"))
                .send()
                .await
                .unwrap()
                .status(),
            404
        );
        let calls: serde_json::Value = anon
            .get(app.at("/api/v1/open-calls"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert!(
            calls
                .as_array()
                .unwrap()
                .iter()
                .any(|c| c["round"] == "Local Vision 2013" && c["status"] == "closed")
        );
        // Register and confirm through the API.
        let res = anon
        .post(app.at("/api/v1/registrations"))
        .json(&serde_json::json!({"name": "Sorrel Dunmoor", "email": "sorrel.dunmoor@example.org", "organisation": "Fennick Marsh Council", "job_role": "Analyst", "password": "password"}))
        .send()
        .await
        .unwrap();
        assert_eq!(res.status(), 422);
        let problem: serde_json::Value = res.json().await.unwrap();
        assert!(
            problem["errors"]["password"]
                .as_str()
                .unwrap()
                .contains("12 characters")
        );
        let res = anon
        .post(app.at("/api/v1/registrations"))
        .json(&serde_json::json!({"name": "Sorrel Dunmoor", "email": "sorrel.dunmoor@example.org", "organisation": "Fennick Marsh Council", "job_role": "Analyst", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
        assert_eq!(res.status(), 202);
        let link = app
            .emailed_link("sorrel.dunmoor@example.org", "/verify-email/")
            .await;
        let token = link.trim_start_matches("/verify-email/").to_string();
        let verify = |t: String| {
            anon.post(app.at("/api/v1/email-verifications"))
                .json(&serde_json::json!({ "token": t }))
                .send()
        };
        assert_eq!(verify(token.clone()).await.unwrap().status(), 204);
        assert_eq!(verify(token).await.unwrap().status(), 410, "a link works once");
        // Ask for a place with a token; the admin lists and decides.
        let sorrel = app.client();
        sign_in(&app, &sorrel, "sorrel.dunmoor@example.org", "/dashboard").await;
        let sorrel_token = app.create_api_token(&sorrel, "script").await;
        let fennick = app.place_id("PL-0011").await;
        let res = anon
            .post(app.at("/api/v1/programmes/local-vision/role-requests"))
            .bearer_auth(&sorrel_token)
            .json(&serde_json::json!({ "place_id": fennick, "reason": "Analyst for the bid" }))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 201);
        let request: serde_json::Value = res.json().await.unwrap();
        let id = request["id"].as_i64().unwrap();
        // The requester cannot list or decide requests.
        let res = anon
            .get(app.at("/api/v1/programmes/local-vision/role-requests"))
            .bearer_auth(&sorrel_token)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 403);
        let res = anon
            .post(app.at(&format!("/api/v1/role-requests/{id}/decision")))
            .bearer_auth(&sorrel_token)
            .json(&serde_json::json!({ "approve": true }))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 403);
        let admin = app.signed_in(ADMIN).await;
        let admin_token = app.create_api_token(&admin, "admin script").await;
        let list: serde_json::Value = anon
            .get(app.at("/api/v1/programmes/local-vision/role-requests"))
            .bearer_auth(&admin_token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert!(
            list.as_array()
                .unwrap()
                .iter()
                .any(|r| r["id"] == id && r["status"] == "pending")
        );
        let decide = |body: serde_json::Value| {
            anon.post(app.at(&format!("/api/v1/role-requests/{id}/decision")))
                .bearer_auth(&admin_token)
                .json(&body)
                .send()
        };
        assert_eq!(
            decide(serde_json::json!({ "approve": false }))
                .await
                .unwrap()
                .status(),
            422,
            "a decline needs a reason"
        );
        let res = decide(serde_json::json!({ "approve": true })).await.unwrap();
        assert_eq!(res.status(), 200);
        assert_eq!(
            decide(serde_json::json!({ "approve": false, "reason": "late" }))
                .await
                .unwrap()
                .status(),
            409
        );
        let me: serde_json::Value = anon
            .get(app.at("/api/v1/me"))
            .bearer_auth(&sorrel_token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert!(
            me["roles"]
                .as_array()
                .unwrap()
                .iter()
                .any(|r| r["role"] == "place_lead" && r["scope_id"] == fennick)
        );
        app.stop().await;
    }
);
