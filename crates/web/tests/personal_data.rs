#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests fail loudly by design.
//! Personal data rights on both stores: a subject access download holds every record that
//! names the person; an erasure leaves neither their name nor their address in any table;
//! people without accounts have the same rights; nobody downloads someone else's data.

mod common;

use common::TestApp;
use serde_json::Value;

const ADMIN: &str = "ada.admin@example.org";
const PROGRAMME_ADMIN: &str = "priya.programme@example.org";
const LEAD: &str = "lee.lead@example.org";
const NAME: &str = "Isolde Brackenridge-Fane";
const EMAIL: &str = "isolde.brackenridge@example.org";
const PASSWORD: &str = "Pewter harbour skylark";
const APPLY: &str = "/programmes/local-vision/rounds/demo-open/apply";

/// Anything allowed to stay after an erasure, by table: nothing. An application she
/// started stays (the programme must keep it) but holds neither her name nor her address;
/// the audit log names her by id only.
const ALLOWED_TO_STAY: &[&str] = &[];

/// The newest link under `prefix` emailed to `to`.
async fn emailed_link(app: &TestApp, to: &str, prefix: &str) -> String {
    let mail = convene_store::outbox::recent(&app.state.db, 100).await.unwrap();
    let body = &mail
        .iter()
        .find(|m| m.to_address == to && m.body_text.contains(prefix))
        .unwrap()
        .body_text;
    body[body.find(prefix).unwrap()..]
        .split_whitespace()
        .next()
        .unwrap()
        .to_string()
}

/// Makes Isolde leave a trace in every kind of record: an account, a failed sign-in, a
/// confirmed address, a role request granted, an application started and saved, an API
/// token, mail, and a proposal naming her as a board chair. Returns her signed-in client.
async fn a_person_with_a_history(app: &TestApp) -> reqwest::Client {
    let client = app.client();
    let res = app
        .post_form(
            &client,
            "/register",
            "/register",
            &[
                ("name", NAME),
                ("email", EMAIL),
                ("organisation", "Larkspur Bay Council"),
                ("job_role", "Consultant in Public Health"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(res.status(), 200);
    let link = emailed_link(app, EMAIL, "/verify-email/").await;
    app.post_form(&client, &link, &link, &[]).await;
    let res = app
        .post_form(
            &client,
            "/sign-in",
            "/sign-in",
            &[("email", EMAIL), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(res.status(), 303);
    let larkspur = app.place_id("PL-0010").await.to_string();
    let join = "/programmes/local-vision/join";
    let res = app
        .post_form(
            &client,
            join,
            join,
            &[("place", &larkspur), ("reason", "Consultant leading the bid")],
        )
        .await;
    assert_eq!(res.status(), 303);
    let admin = app.signed_in(PROGRAMME_ADMIN).await;
    let request = emailed_link(app, PROGRAMME_ADMIN, "/requests/").await;
    let res = app
        .post_form(&admin, &request, &request, &[("decision", "approve")])
        .await;
    assert_eq!(res.status(), 303);
    let res = app
        .post_form(&client, APPLY, APPLY, &[("place", &larkspur)])
        .await;
    assert_eq!(res.status(), 303);
    app.create_api_token(&client, "Isolde's spreadsheet").await;
    // Westermoor's lead proposes her as the board chair's contact.
    let lead = app.signed_in(LEAD).await;
    let westermoor = app.place_id("PL-0001").await;
    let place = format!("/places/{westermoor}");
    let res = app
        .post_form(
            &lead,
            &place,
            &format!("{place}/chair/proposals"),
            &[("chair_name", NAME), ("chair_email", EMAIL)],
        )
        .await;
    assert!(res.status().is_redirection(), "{}", res.text().await.unwrap());
    // A mistyped password elsewhere is recorded against her address.
    let elsewhere = app.client();
    let res = app
        .post_form(
            &elsewhere,
            "/sign-in",
            "/sign-in",
            &[("email", EMAIL), ("password", "wrong password!")],
        )
        .await;
    assert_eq!(res.status(), 200);
    client
}

/// Rows (by table) that hold the person's name or address.
async fn traces(app: &TestApp, name: &str, email: &str) -> Vec<(String, String)> {
    convene_store::testing::dump_all_text(&app.state.db)
        .await
        .unwrap()
        .into_iter()
        .filter(|(_, row)| {
            let row = row.to_lowercase();
            row.contains(&name.to_lowercase()) || row.contains(&email.to_lowercase())
        })
        .collect()
}

async fn json(res: reqwest::Response) -> Value {
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["cache-control"], "no-store");
    serde_json::from_str(&res.text().await.unwrap()).unwrap()
}

on_both!(
    a_subject_access_download_holds_every_record_that_names_them,
    |app| {
        let isolde = a_person_with_a_history(&app).await;
        let data = json(
            isolde
                .get(app.at("/account/your-data.json"))
                .send()
                .await
                .unwrap(),
        )
        .await;
        let records = data["records"].as_object().unwrap();
        assert_eq!(data["email"], EMAIL);
        assert_eq!(records["account"][0]["name"], NAME);
        assert_eq!(records["account"][0]["job_role"], "Consultant in Public Health");
        assert_eq!(records["roles"][0]["role"], "place_lead");
        assert_eq!(records["role_requests"][0]["place"], "Larkspur Bay");
        assert_eq!(records["api_tokens"][0]["name"], "Isolde's spreadsheet");
        assert_eq!(records["applications_started"][0]["place"], "Larkspur Bay");
        assert!(records["failed_sign_ins"].as_array().unwrap().len() == 1);
        assert!(records["emails_sent_to_you"].as_array().unwrap().len() >= 2);
        assert_eq!(records["proposed_as_board_chair"][0]["place"], "Westermoor");
        assert!(
            records["actions_recorded"]
                .as_array()
                .unwrap()
                .iter()
                .any(|a| a["action"] == "registered")
        );
        // Every table that names her is covered by a section of the download.
        let covered: &[(&str, &str)] = &[
            ("users", "account"),
            ("email_verifications", "email_confirmations"),
            ("outbox", "emails_sent_to_you"),
            ("sign_in_failures", "failed_sign_ins"),
            ("chair_proposals", "proposed_as_board_chair"),
        ];
        for (table, _) in traces(&app, NAME, EMAIL).await {
            let section = covered
                .iter()
                .find(|(t, _)| *t == table)
                .unwrap_or_else(|| panic!("table {table} names her but no section of the download covers it"))
                .1;
            assert!(records.contains_key(section), "{section} missing for {table}");
        }
        // A service admin finds the same by email; the download is audited.
        let admin = app.signed_in(ADMIN).await;
        let (_, page) = app.get(&admin, &format!("/admin/people?email={EMAIL}")).await;
        assert!(
            page.contains(&format!("This address belongs to the account of {NAME}")),
            "{page}"
        );
        let by_admin = json(
            admin
                .get(app.at(&format!("/admin/people/data.json?email={EMAIL}")))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(by_admin["records"]["account"], data["records"]["account"]);
        // People without an account have the same rights: the chair named on a place.
        let chair = json(
            admin
                .get(app.at("/admin/people/data.json?email=hwb.chair@westermoor.example.org"))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(chair["records"]["board_chair_of"][0]["name"], "Westermoor");
        // Nobody else may download it: not through the admin page, nor by id through the API.
        let lead = app.signed_in(LEAD).await;
        let (status, _) = app
            .get(&lead, &format!("/admin/people/data.json?email={EMAIL}"))
            .await;
        assert_eq!(status, 403);
        let isolde_id = records["account"][0]["id"].as_str().unwrap().to_string();
        let token = app.create_api_token(&lead, "lead tool").await;
        let res = app
            .client()
            .get(app.at(&format!("/api/v1/people/{isolde_id}/data")))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 403);
        let own = app.create_api_token(&isolde, "own").await;
        let res = app
            .client()
            .get(app.at(&format!("/api/v1/people/{isolde_id}/data")))
            .bearer_auth(&own)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        app.stop().await;
    }
);

on_both!(an_erasure_leaves_neither_name_nor_address_in_any_table, |app| {
    let isolde = a_person_with_a_history(&app).await;
    assert!(
        !traces(&app, NAME, EMAIL).await.is_empty(),
        "the history names her before"
    );
    let admin = app.signed_in(ADMIN).await;
    let erase = "/admin/people/erase";
    let form = format!("{erase}?email={EMAIL}");
    // Not confirmed: nothing happens.
    let res = app.post_form(&admin, &form, erase, &[("email", EMAIL)]).await;
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("Confirm that you want to erase")
    );
    assert!(!traces(&app, NAME, EMAIL).await.is_empty());
    let res = app
        .post_form(&admin, &form, erase, &[("email", EMAIL), ("confirm", "yes")])
        .await;
    assert_eq!(res.status(), 303);
    let (_, done) = app.get(&admin, res.headers()["location"].to_str().unwrap()).await;
    assert!(done.contains("The person&#39;s data has been erased."), "{done}");
    let left: Vec<_> = traces(&app, NAME, EMAIL)
        .await
        .into_iter()
        .filter(|(table, _)| !ALLOWED_TO_STAY.contains(&table.as_str()))
        .collect();
    assert!(left.is_empty(), "still naming her after erasure: {left:#?}");
    // The erasure is in the audit log, by ids.
    let audit = convene_store::testing::dump_all_text(&app.state.db)
        .await
        .unwrap();
    assert!(
        audit
            .iter()
            .any(|(t, row)| t == "audit_log" && row.contains("person_erased"))
    );
    // Asked twice: said plainly, nothing changes.
    let res = app
        .post_form(&admin, &form, erase, &[("email", EMAIL), ("confirm", "yes")])
        .await;
    assert_eq!(res.status(), 303);
    let (_, page) = app.get(&admin, &format!("/admin/people?email={EMAIL}")).await;
    assert!(
        page.contains("there is nothing to erase. It may have been erased already"),
        "{page}"
    );
    // Her session has ended and her account cannot sign in.
    let (status, _) = app.get(&isolde, "/dashboard").await;
    assert_eq!(status, 303);
    let res = app
        .post_form(
            &app.client(),
            "/sign-in",
            "/sign-in",
            &[("email", EMAIL), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(res.status(), 200);
    // Her application stays, started by a former member.
    let started = convene_store::testing::dump_all_text(&app.state.db)
        .await
        .unwrap();
    assert!(
        started
            .iter()
            .any(|(t, row)| t == "users" && row.contains("Former member"))
    );
    // A person without an account: the board chair on Westermoor's record.
    let chair = "hwb.chair@westermoor.example.org";
    let token = app.create_api_token(&admin, "dpo tool").await;
    let erase_api = |email: &'static str| {
        let client = app.client();
        let url = app.at("/api/v1/erasures");
        let token = token.clone();
        async move {
            client
                .post(url)
                .bearer_auth(token)
                .json(&serde_json::json!({ "email": email }))
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    assert_eq!(erase_api(chair).await, 200);
    assert!(
        traces(&app, "\u{1}", chair).await.is_empty(),
        "the chair's address is gone"
    );
    // Only service admins erase.
    let lead = app.signed_in(LEAD).await;
    let lead_token = app.create_api_token(&lead, "lead tool").await;
    let res = app
        .client()
        .post(app.at("/api/v1/erasures"))
        .bearer_auth(lead_token)
        .json(&serde_json::json!({ "email": PROGRAMME_ADMIN }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    let (status, _) = app.get(&lead, "/admin/people").await;
    assert_eq!(status, 403);
    app.stop().await;
});

on_both!(an_erasure_asked_twice_through_the_api_is_a_conflict, |app| {
    let admin = app.signed_in(ADMIN).await;
    let token = app.create_api_token(&admin, "dpo tool").await;
    let post = || {
        app.client()
            .post(app.at("/api/v1/erasures"))
            .bearer_auth(token.clone())
            .json(&serde_json::json!({ "email": "parker.participant@example.org" }))
            .send()
    };
    assert_eq!(post().await.unwrap().status(), 200);
    let again = post().await.unwrap();
    // The address is gone with the first, so the second finds nothing: said, not redone.
    assert_eq!(again.status(), 409);
    assert!(
        again
            .text()
            .await
            .unwrap()
            .contains("Nothing is held about this address")
    );
    app.stop().await;
});
