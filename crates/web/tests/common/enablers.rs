//! Awards made in the store for tests: an award on a 2013 application the panel did not
//! fund, answered as a test needs. The demo's funded places all have enablers, so a place
//! funded late (such an award, accepted, led by lee) is the one that ranks and is matched.

use crate::common::{TestApp, now};
use convene_domain::awards::{AwardStatus, Outcome, award_dates};
use convene_domain::{ApplicationId, RoundId};
use convene_store::awards::{self, NewAward, decisions};

/// The first application of `round` that was not funded.
pub async fn not_funded(app: &TestApp, round: RoundId) -> ApplicationId {
    decisions::of_round(&app.state.db, round)
        .await
        .unwrap()
        .into_iter()
        .find(|d| d.outcome == Outcome::Decline)
        .expect("the round has not-funded applications")
        .application_id
}

/// An award on `application` of `round`, announced and answered `answer` by the
/// programme's admin; its id.
pub async fn award_on(
    app: &TestApp,
    (round, application): (RoundId, ApplicationId),
    answer: AwardStatus,
) -> i64 {
    let db = &app.state.db;
    let found = convene_store::applications::by_id(db, application.0)
        .await
        .unwrap()
        .unwrap();
    let email = convene_domain::Email::parse("priya.programme@example.org").unwrap();
    let admin = convene_store::users::by_email(db, &email).await.unwrap().unwrap();
    let lv = convene_store::programmes::by_slug(db, "local-vision")
        .await
        .unwrap()
        .unwrap();
    let now = now();
    let mut tx = db.begin().await.unwrap();
    let recipient = awards::recipient(&mut tx, found.place_id).await.unwrap().unwrap();
    let new = NewAward {
        programme_id: lv.id,
        round_id: Some(round),
        application_id: Some(application),
        place_id: found.place_id,
        reference: found.reference.as_deref().unwrap_or("LV-2013-X"),
        recipient_organisation_id: recipient,
        value: convene_domain::Pence::pounds(35_000),
        match_pledge: convene_domain::Pence(0),
        breakthrough_issue: "Healthy ageing",
        dates: award_dates(now, None, now),
        replaces_award_id: None,
        by: Some(admin.id),
    };
    let award = awards::insert(&mut tx, &new, now).await.unwrap();
    awards::announce(&mut tx, application, now).await.unwrap();
    assert!(
        awards::respond(&mut tx, award, answer, admin.id, now)
            .await
            .unwrap()
    );
    tx.commit().await.unwrap();
    award
}

/// A late-funded place of the 2013 round: (its accepted award, the place's name). Lee leads it.
pub async fn late_funded_place(app: &TestApp) -> (i64, String) {
    let db = &app.state.db;
    let lv = convene_store::programmes::by_slug(db, "local-vision")
        .await
        .unwrap()
        .unwrap();
    let rounds = convene_store::programmes::rounds(db, lv.id).await.unwrap();
    let round = rounds.iter().find(|r| r.slug == "2013").unwrap().id;
    let application = not_funded(app, round).await;
    let award = award_on(app, (round, application), AwardStatus::Accepted).await;
    let found = awards::award(db, award).await.unwrap();
    let email = convene_domain::Email::parse("lee.lead@example.org").unwrap();
    let lee = convene_store::users::by_email(db, &email).await.unwrap().unwrap();
    let lead = convene_domain::accounts::Grant {
        role: convene_domain::accounts::Role::PlaceLead,
        scope_id: Some(found.place_id.0),
    };
    let mut tx = db.begin().await.unwrap();
    convene_store::users::grant(&mut tx, lee.id, lead, now())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    (award, found.place_name)
}
