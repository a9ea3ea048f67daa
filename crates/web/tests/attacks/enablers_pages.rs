//! The pool and the rankings, tried at their seams: someone who does not lead a funded
//! place ranking for it, or reading its ranking; an enabler ranking a place that never chose
//! them; a pending enabler's profile, or any enabler's address, shown to a place's lead;
//! an admin deciding their own request to join; and a request to join breaking the
//! subject access download, which read every request as one for a place.

use crate::common::*;
use convene_domain::Email;

const LEE: &str = "lee.lead@example.org";
const EDEN: &str = "eden.enabler@example.org";
const PRIYA: &str = "priya.programme@example.org";
const OUTSIDER: &str = "parker.participant@example.org";
const JOIN: &str = "/programmes/local-vision/enablers/join";

async fn user(app: &TestApp, email: &str) -> convene_domain::UserId {
    convene_store::users::by_email(&app.state.db, &Email::parse(email).unwrap())
        .await
        .unwrap()
        .unwrap()
        .id
}

/// Westermoor's accepted award (lee leads it) and eden's id in the pool.
async fn westermoor_and_eden(app: &TestApp) -> (i64, i64) {
    let db = &app.state.db;
    let place = convene_domain::PlaceId(app.place_id("PL-0001").await);
    let award = convene_store::awards::of_place(db, place)
        .await
        .unwrap()
        .into_iter()
        .find(|a| a.status == convene_domain::awards::AwardStatus::Accepted)
        .unwrap()
        .id;
    let eden = convene_store::enablers::of_user(db, user(app, EDEN).await)
        .await
        .unwrap()[0]
        .id;
    (award, eden)
}

async fn local_vision(app: &TestApp) -> convene_domain::ProgrammeId {
    convene_store::programmes::by_slug(&app.state.db, "local-vision")
        .await
        .unwrap()
        .unwrap()
        .id
}

const PROFILE: [(&str, &str); 11] = [
    ("bio", "Peer support for new leaders."),
    ("expertise", "Peer support"),
    ("sectors", "NHS"),
    ("regions", "South West"),
    ("capacity", "1"),
    ("available_from_day", "1"),
    ("available_from_month", "9"),
    ("available_from_year", "2013"),
    ("available_to_day", "31"),
    ("available_to_month", "3"),
    ("available_to_year", "2014"),
];

crate::on_both!(only_a_places_leads_read_and_set_its_ranking, |app| {
    let (award, eden) = westermoor_and_eden(&app).await;
    let outsider = app.signed_in(OUTSIDER).await;
    let path = format!("/awards/{award}/enablers");
    assert_eq!(app.get(&outsider, &path).await.0, 404);
    // Their own dashboard's token, posted at another place's ranking.
    let field = format!("rank_{eden}");
    let res = app
        .post_form(&outsider, "/dashboard", &path, &[(&field, "1")])
        .await;
    assert_eq!(res.status(), 404);
    let (chosen, _) = convene_store::enablers::rankings(&app.state.db, local_vision(&app).await)
        .await
        .unwrap();
    assert!(!chosen.iter().any(|(a, _, _)| *a == award), "nothing was saved");
});

crate::on_both!(an_enabler_cannot_rank_a_place_that_never_chose_them, |app| {
    let (award, eden) = westermoor_and_eden(&app).await;
    let client = app.signed_in(EDEN).await;
    let path = format!("/enablers/{eden}/places");
    let field = format!("choice_{award}");
    let res = app.post_form(&client, &path, &path, &[(&field, "1")]).await;
    assert_eq!(res.status(), 200);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("Rank only the places that chose you")
    );
    let (_, mine) = convene_store::enablers::rankings(&app.state.db, local_vision(&app).await)
        .await
        .unwrap();
    assert!(!mine.iter().any(|(e, c)| *e == eden && c.award_id == award));
});

crate::on_both!(a_lead_sees_no_pending_enabler_and_no_enablers_address, |app| {
    let parker = app.signed_in("parker.participant@example.org").await;
    assert_eq!(app.post_form(&parker, JOIN, JOIN, &PROFILE).await.status(), 303);
    let pending =
        convene_store::enablers::of_user(&app.state.db, user(&app, "parker.participant@example.org").await)
            .await
            .unwrap()[0]
            .id;
    let lee = app.signed_in(LEE).await;
    assert_eq!(app.get(&lee, &format!("/enablers/{pending}")).await.0, 404);
    let (_, pool) = app.get(&lee, "/programmes/local-vision/enablers").await;
    assert!(!pool.contains("Peer support for new leaders"), "{pool}");
    assert!(!pool.contains(EDEN), "a lead is not shown addresses: {pool}");
    let (_, eden) = app
        .get(&lee, &format!("/enablers/{}", westermoor_and_eden(&app).await.1))
        .await;
    assert!(!eden.contains(EDEN) && !eden.contains("Caseload"), "{eden}");
});

crate::on_both!(an_admin_cannot_approve_their_own_request_to_join, |app| {
    let priya = app.signed_in(PRIYA).await;
    assert_eq!(app.post_form(&priya, JOIN, JOIN, &PROFILE).await.status(), 303);
    let db = &app.state.db;
    let request = convene_store::requests::of_user(db, user(&app, PRIYA).await)
        .await
        .unwrap()
        .into_iter()
        .find(|r| r.role.key() == "enabler")
        .unwrap()
        .id;
    let page = format!("/requests/{request}");
    let res = app
        .post_form(&priya, &page, &page, &[("decision", "approve"), ("reason", "")])
        .await;
    assert_ne!(res.status(), 303);
    let mine = convene_store::enablers::of_user(db, user(&app, PRIYA).await)
        .await
        .unwrap();
    assert_eq!(mine[0].status.key(), "pending");
});

crate::on_both!(a_request_to_join_is_in_the_subject_access_download, |app| {
    let parker = app.signed_in("parker.participant@example.org").await;
    assert_eq!(app.post_form(&parker, JOIN, JOIN, &PROFILE).await.status(), 303);
    let res = parker
        .get(app.at("/account/your-data.json"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let data: serde_json::Value = res.json().await.unwrap();
    let records = &data["records"];
    let requests = records["role_requests"].to_string();
    assert!(requests.contains("enabler"), "{requests}");
    assert!(requests.contains("Local Vision"), "{requests}");
    let pools = records["enabler_pools"].to_string();
    assert!(pools.contains("Peer support for new leaders"), "{pools}");
});

crate::on_both!(an_enablers_download_holds_their_rankings_and_engagements, |app| {
    // Their ranking of places and the engagements they hold were missing from it.
    let (award, eden) = westermoor_and_eden(&app).await;
    let mut tx = app.state.db.begin().await.unwrap();
    let choice = convene_store::enablers::EnablerChoice {
        award_id: award,
        rank: Some(1),
        cannot_take: false,
    };
    convene_store::enablers::set_enabler_choices(&mut tx, eden, &[choice])
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let client = app.signed_in(EDEN).await;
    let res = client
        .get(app.at("/account/your-data.json"))
        .send()
        .await
        .unwrap();
    let data: serde_json::Value = res.json().await.unwrap();
    let records = &data["records"];
    assert_eq!(records["places_you_ranked"][0]["place"], "Westermoor");
    let held = records["engagements_as_enabler"].as_array().unwrap();
    assert_eq!(held.len(), 3, "eden's caseload: {held:?}");
});

crate::on_both!(a_pending_request_to_join_does_not_outlive_an_erasure, |app| {
    // The pool record was withdrawn but the request stayed waiting, undecidable, for ever.
    let parker = app.signed_in("parker.participant@example.org").await;
    assert_eq!(app.post_form(&parker, JOIN, JOIN, &PROFILE).await.status(), 303);
    let db = &app.state.db;
    let id = user(&app, "parker.participant@example.org").await;
    let admin = user(&app, "ada.admin@example.org").await;
    let principal = convene_domain::policy::Principal {
        user_id: admin,
        grants: convene_store::users::grants(db, admin).await.unwrap(),
    };
    let email = Email::parse("parker.participant@example.org").unwrap();
    convene_app::personal_data::erase(&app.state, &principal, &email)
        .await
        .unwrap();
    let left = convene_store::requests::of_user(db, id).await.unwrap();
    assert!(left.iter().all(|r| r.status.key() != "pending"), "{left:?}");
});

crate::on_both!(a_place_learns_nothing_of_an_award_before_its_letter, |app| {
    // The support requests of an award not yet announced answered 200 to its place's lead.
    let db = &app.state.db;
    let lv = convene_store::programmes::by_slug(db, "local-vision")
        .await
        .unwrap()
        .unwrap();
    let rounds = convene_store::programmes::rounds(db, lv.id).await.unwrap();
    let round = rounds.iter().find(|r| r.slug == "2013").unwrap().id;
    let application = crate::common::enablers::not_funded(&app, round).await;
    let found = convene_store::applications::by_id(db, application.0)
        .await
        .unwrap()
        .unwrap();
    let now = crate::common::now();
    let mut tx = db.begin().await.unwrap();
    let recipient = convene_store::awards::recipient(&mut tx, found.place_id)
        .await
        .unwrap()
        .unwrap();
    let new = convene_store::awards::NewAward {
        programme_id: lv.id,
        round_id: Some(round),
        application_id: Some(application),
        place_id: found.place_id,
        reference: "LV-2013-UNANNOUNCED",
        recipient_organisation_id: recipient,
        value: convene_domain::Pence::pounds(30_000),
        match_pledge: convene_domain::Pence(0),
        breakthrough_issue: "Healthy ageing",
        dates: convene_domain::awards::award_dates(now, None, now),
        replaces_award_id: None,
        by: None,
    };
    let award = convene_store::awards::insert(&mut tx, &new, now).await.unwrap();
    let lead = convene_domain::accounts::Grant {
        role: convene_domain::accounts::Role::PlaceLead,
        scope_id: Some(found.place_id.0),
    };
    convene_store::users::grant(&mut tx, user(&app, LEE).await, lead, now)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let token = crate::common::api::token(&app, LEE).await;
    for path in [
        format!("/api/v1/awards/{award}/support-requests"),
        format!("/api/v1/awards/{award}/enabler-choices"),
    ] {
        let (status, body) = crate::common::api::get(&app, &path, &token).await;
        assert_eq!(status, 404, "{path}: {body}");
    }
    let lee = app.signed_in(LEE).await;
    assert_eq!(app.get(&lee, &format!("/awards/{award}/support")).await.0, 404);
});
