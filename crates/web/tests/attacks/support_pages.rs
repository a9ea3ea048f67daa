//! Support offers' pages, tried at their seams: a lead of another funded place asking for
//! support on Westermoor's award, or reading what Westermoor has asked for; a place's own
//! lead approving their request through the programme's page; an admin of another
//! programme deciding it; and a service admin's decision sent through another programme's
//! page. The demo:
//! lee leads Westermoor (PL-0001), funded by Local Vision; priya runs Local Vision.

use crate::common::*;
use convene_domain::accounts::{Grant, Role, hash_password};
use convene_domain::awards::AwardStatus;
use convene_domain::{Email, ProgrammeId, UserId};
use convene_store::awards::{self, Award};
use convene_store::enablers::support::{self, SupportStatus};
use convene_store::{programmes, users};

const LEE: &str = "lee.lead@example.org";
const PRIYA: &str = "priya.programme@example.org";
const NOTE: &str = "Coaching for the board's new members";

/// Local Vision's accepted awards: Westermoor's and another funded place's.
async fn funded(app: &TestApp) -> (ProgrammeId, Award, Award) {
    let db = &app.state.db;
    let lv = programmes::by_slug(db, "local-vision").await.unwrap().unwrap().id;
    let westermoor = app.place_id("PL-0001").await;
    let lees_other = app.place_id("PL-0009").await;
    let accepted: Vec<Award> = awards::of_programme(db, lv)
        .await
        .unwrap()
        .into_iter()
        .filter(|a| a.status == AwardStatus::Accepted)
        .collect();
    let own = accepted
        .iter()
        .find(|a| a.place_id.0 == westermoor)
        .unwrap()
        .clone();
    let other = accepted
        .iter()
        .find(|a| a.place_id.0 != westermoor && a.place_id.0 != lees_other)
        .unwrap()
        .clone();
    (lv, own, other)
}

/// An account made in the store with one grant, signed in.
async fn account(app: &TestApp, email: &str, grant: Grant) -> reqwest::Client {
    let hash = hash_password(convene_store::demo::DEMO_PASSWORD).unwrap();
    let now = now();
    let mut tx = app.state.db.begin().await.unwrap();
    let id = users::create(
        &mut tx,
        &Email::parse(email).unwrap(),
        "Rowan Elsewhere",
        &hash,
        now,
    )
    .await
    .unwrap();
    users::grant(&mut tx, UserId(id), grant, now).await.unwrap();
    tx.commit().await.unwrap();
    app.signed_in(email).await
}

crate::on_both!(
    another_place_cannot_ask_for_or_read_westermoors_support_nor_a_lead_decide,
    |app| {
        let (lv, westermoor, other) = funded(&app).await;
        let db = &app.state.db;
        let priya = app.signed_in(PRIYA).await;
        let res = app
            .post_form(
                &priya,
                "/programmes/local-vision/support",
                "/programmes/local-vision/support",
                &[
                    ("kind", "consultancy_days"),
                    ("name", "Board coaching"),
                    ("partner", "Northfold Partners"),
                    ("units", "6"),
                ],
            )
            .await;
        assert_eq!(res.status(), 303, "the admin adds an offer");
        let offer = support::offers(db, lv).await.unwrap()[0].id;
        let lee = app.signed_in(LEE).await;
        let own = format!("/awards/{}/support", westermoor.id);
        let offer_field = offer.to_string();
        let ask = [("offer", offer_field.as_str()), ("units", "2"), ("note", NOTE)];
        let res = app.post_form(&lee, &own, &own, &ask).await;
        assert_eq!(res.status(), 303, "lee asks for Westermoor");
        let request = support::requests_of_award(db, westermoor.id).await.unwrap()[0].id;

        // A lead of another funded place: nothing of Westermoor's support is theirs to read
        // or ask for, and it is not even said to exist.
        let grant = Grant::new(Role::PlaceLead, Some(other.place_id.0)).unwrap();
        let rowan = account(&app, "rowan.elsewhere@example.org", grant).await;
        let their_own = format!("/awards/{}/support", other.id);
        let (status, _) = app.get(&rowan, &their_own).await;
        assert_eq!(status, 200, "their own place's support is theirs");
        let (status, html) = app.get(&rowan, &own).await;
        assert_eq!(status, 404);
        assert!(!html.contains(NOTE) && !html.contains(&westermoor.place_name));
        let res = app.post_form(&rowan, &their_own, &own, &ask).await;
        assert_eq!(res.status(), 404);
        // Nor through the programme's page, which is its admins' alone.
        let (status, html) = app.get(&rowan, "/programmes/local-vision/support").await;
        assert_eq!(status, 404);
        assert!(!html.contains(NOTE));

        // Lee, the place's own lead, cannot approve the request; nor can an admin of
        // another programme, through Local Vision's page or their own.
        let decide = format!("/programmes/local-vision/support/requests/{request}");
        let approve = [("decision", "approve"), ("reason", "")];
        let res = app.post_form(&lee, &own, &decide, &approve).await;
        assert_eq!(res.status(), 404);
        let fund_2019 = programmes::by_slug(db, "system-leadership-fund-2019")
            .await
            .unwrap()
            .unwrap();
        let grant = Grant::new(Role::ProgrammeAdmin, Some(fund_2019.id.0)).unwrap();
        let osric = account(&app, "osric.elsewhere@example.org", grant).await;
        let theirs = format!("/programmes/{}/support", fund_2019.slug);
        let (status, _) = app.get(&osric, &theirs).await;
        assert_eq!(status, 200, "their own programme's page is theirs");
        let res = app.post_form(&osric, &theirs, &decide, &approve).await;
        assert_eq!(res.status(), 404);
        let through_theirs = format!("{theirs}/requests/{request}");
        let res = app.post_form(&osric, &theirs, &through_theirs, &approve).await;
        assert_eq!(res.status(), 404);
        // A service admin, who may decide it, not through another programme's page.
        let ada = app.signed_in("ada.admin@example.org").await;
        let res = app.post_form(&ada, &theirs, &through_theirs, &approve).await;
        assert_eq!(res.status(), 404);

        let requests = support::requests_of_award(db, westermoor.id).await.unwrap();
        assert_eq!(requests.len(), 1, "nothing was asked for on Westermoor's behalf");
        assert_eq!(
            requests[0].status,
            SupportStatus::Requested,
            "and nothing decided"
        );
        assert!(support::requests_of_award(db, other.id).await.unwrap().is_empty());
        app.stop().await;
    }
);
