#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests fail loudly by design.
//! Support offers through the use cases, on SQLite and PostgreSQL: an admin adds an offer,
//! funded places request units (more than is left refused), two admins approving at once
//! never give out more than the offer holds, a decline needs a reason, and a decision is
//! made once.

mod common;

use common::Demo;
use convene_app::enablers::PanelError;
use convene_app::enablers::support::{self, OfferInput};
use convene_domain::Timestamp;
use convene_store::testing::Backend;

fn problem(result: Result<impl std::fmt::Debug, PanelError>) -> String {
    match result {
        Err(PanelError::Invalid(p)) => format!("{}: {}", p[0].field, p[0].message),
        other => panic!("expected problems, got {other:?}"),
    }
}

async fn offers_within_what_is_left(backend: Backend) {
    let d = Demo::at(backend, Timestamp::from_london(2013, 9, 2, 10, 0, 0).unwrap()).await;
    let (app, lv, admin) = (&d.app, d.programme, &d.admin);
    let accepted = &d.accepted;
    let lead = |i: usize| d.lead(i);

    let input = |units: &str| OfferInput {
        kind: "consultancy_days".into(),
        name: "Strategy days".into(),
        partner: "Harbourside Consulting".into(),
        units: units.into(),
    };
    assert_eq!(
        problem(support::create_offer(app, admin, lv, &input("none")).await),
        "units: Enter a whole number more than 0, like 10"
    );
    let refused = support::create_offer(app, &lead(0), lv, &input("10")).await;
    assert!(matches!(refused, Err(PanelError::NotFound)), "{refused:?}");
    let offer = support::create_offer(app, admin, lv, &input("10")).await.unwrap();

    let too_many = support::request(app, &lead(0), (offer, accepted[0].id), "11", "").await;
    assert_eq!(
        problem(too_many),
        "units: Strategy days has 10 left: ask for 10 or fewer"
    );
    let refused = support::request(app, &lead(1), (offer, accepted[0].id), "1", "").await;
    assert!(
        matches!(refused, Err(PanelError::NotFound)),
        "another place's lead: {refused:?}"
    );
    let one = support::request(app, &lead(0), (offer, accepted[0].id), "6", "For the board")
        .await
        .unwrap();
    let two = support::request(app, &lead(1), (offer, accepted[1].id), "6", "For the board")
        .await
        .unwrap();

    // Two admins approve at once: one approval, and the other is told what is left.
    let (a, b) = tokio::join!(
        support::decide(app, admin, one, true, ""),
        support::decide(app, admin, two, true, "")
    );
    let approved = [&a, &b].iter().filter(|r| r.is_ok()).count();
    assert_eq!(approved, 1, "{a:?} {b:?}");
    let refused = if a.is_err() { a } else { b };
    assert!(problem(refused).contains("has only 4 left"));
    let offers = support::offers(app, admin, lv).await.unwrap();
    assert_eq!((offers[0].approved, offers[0].left()), (6, 4));

    // A decline needs a reason, and a decision is made once.
    let waiting = if support::of_place(app, &lead(0), accepted[0].id).await.unwrap()[0].status
        == convene_store::enablers::support::SupportStatus::Approved
    {
        two
    } else {
        one
    };
    assert!(problem(support::decide(app, admin, waiting, false, " ").await).starts_with("reason"));
    support::decide(app, admin, waiting, false, "Only four days are left")
        .await
        .unwrap();
    let again = support::decide(app, admin, waiting, false, "Again").await;
    assert!(matches!(again, Err(PanelError::State(_))), "{again:?}");
    d.t.remove().await;
}

#[tokio::test]
async fn offers_within_what_is_left_sqlite() {
    offers_within_what_is_left(Backend::Sqlite).await;
}

#[tokio::test]
async fn offers_within_what_is_left_postgres() {
    offers_within_what_is_left(Backend::Postgres).await;
}
