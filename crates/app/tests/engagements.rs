#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests fail loudly by design.
//! Engagements through the use cases, on SQLite and PostgreSQL: the allocation across a
//! financial year (bank holidays, a start mid-week and mid-year), contact against it with
//! bad input refused and nothing saved, an early end and a successor with what is left, a
//! year whose bank holidays are not known, and a queried entry answered and settled.

use convene_app::enablers::engagements::{self, ContactInput};
use convene_app::enablers::{PanelError, queries};
use convene_app::{App, Settings};
use convene_domain::accounts::{Grant, Role};
use convene_domain::awards::AwardStatus;
use convene_domain::engagements::Pace;
use convene_domain::policy::Principal;
use convene_domain::time::FixedClock;
use convene_domain::{Email, Timestamp, UserId};
use convene_store::enablers::engagements as stored;
use convene_store::enablers::{self as pool, PoolStatus, Profile};
use convene_store::testing::{Backend, TestDb};
use convene_store::{Db, awards, demo, users};
use jiff::civil::{Date, date};
use std::sync::Arc;

fn at(d: Date) -> Timestamp {
    Timestamp::from_london(d.year(), d.month(), d.day(), 10, 0, 0).unwrap()
}

fn principal(user: UserId, grants: &[(Role, i64)]) -> Principal {
    let grants = grants
        .iter()
        .map(|(role, scope)| Grant {
            role: *role,
            scope_id: Some(*scope),
        })
        .collect();
    Principal {
        user_id: user,
        grants,
    }
}

/// Who takes part: the programme's admin, two approved enablers and a lead of the place.
struct Cast {
    admin: Principal,
    enabler: (i64, Principal),
    second: (i64, Principal),
    lead: Principal,
    other_lead: Principal,
    award: i64,
}

/// A new account.
async fn account(db: &Db, email: &str) -> UserId {
    let mut tx = db.begin().await.unwrap();
    let user = users::create(
        &mut tx,
        &Email::parse(email).unwrap(),
        "Ash Test-Person",
        "x",
        at(date(2013, 7, 1)),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    UserId(user)
}

async fn enabler(db: &Db, programme: i64, email: &str, admin: UserId) -> (i64, Principal) {
    let user = account(db, email).await.0;
    let mut tx = db.begin().await.unwrap();
    let profile = Profile {
        capacity: 2,
        ..Profile::default()
    };
    let id = pool::ask_to_join(
        &mut tx,
        convene_domain::ProgrammeId(programme),
        UserId(user),
        &profile,
        at(date(2013, 7, 1)),
    )
    .await
    .unwrap()
    .unwrap();
    let moved = (PoolStatus::Pending, PoolStatus::Approved);
    assert!(
        pool::set_status(&mut tx, id, moved, admin, at(date(2013, 7, 2)))
            .await
            .unwrap()
    );
    tx.commit().await.unwrap();
    (id, principal(UserId(user), &[(Role::Enabler, programme)]))
}

async fn cast(db: &Db) -> Cast {
    let programme = convene_store::programmes::by_slug(db, "local-vision")
        .await
        .unwrap()
        .unwrap()
        .id
        .0;
    let email = Email::parse("priya.programme@example.org").unwrap();
    let admin = users::by_email(db, &email).await.unwrap().unwrap().id.0;
    let accepted: Vec<_> = awards::of_programme(db, convene_domain::ProgrammeId(programme))
        .await
        .unwrap()
        .into_iter()
        .filter(|a| a.status == AwardStatus::Accepted)
        .collect();
    // The first accepted award (Westermoor) has the demo's engagement already.
    let (award, other) = (&accepted[1], &accepted[2]);
    Cast {
        admin: principal(UserId(admin), &[(Role::ProgrammeAdmin, programme)]),
        enabler: enabler(db, programme, "ash.enabler@example.org", UserId(admin)).await,
        second: enabler(db, programme, "birch.enabler@example.org", UserId(admin)).await,
        lead: principal(
            account(db, "lark.lead@example.org").await,
            &[(Role::PlaceLead, award.place_id.0)],
        ),
        other_lead: principal(
            account(db, "wren.lead@example.org").await,
            &[(Role::PlaceLead, other.place_id.0)],
        ),
        award: award.id,
    }
}

fn contact(day: Date, hours: &str, kind: &str) -> ContactInput {
    ContactInput {
        date: Some(day),
        hours: hours.into(),
        kind: kind.into(),
        notes: "Partnership board workshop".into(),
    }
}

fn fields(e: PanelError) -> Vec<String> {
    match e {
        PanelError::Invalid(problems) => problems.into_iter().map(|p| p.field).collect(),
        other => panic!("expected problems, got {other:?}"),
    }
}

async fn a_year_of_an_engagement(backend: Backend) {
    let t = TestDb::new(backend).await;
    demo::load(&t.db, at(date(2013, 7, 1))).await.unwrap();
    let clock = Arc::new(FixedClock::at(at(date(2013, 9, 18))));
    let app = App::new(t.db.clone(), clock.clone(), Settings::default());
    let c = cast(&t.db).await;
    let (enabler_id, enabler) = &c.enabler;

    // Wednesday 18 September 2013 to Monday 31 March 2014: 3 weekdays that first week, 27
    // full weeks (135) and Monday 31 March make 139, less Christmas Day, Boxing Day and New
    // Year's Day: 136 working days, 27.20 days of 450 minutes, 12,240 minutes.
    let id = engagements::start(&app, &c.admin, c.award, *enabler_id, date(2013, 9, 18))
        .await
        .unwrap();
    let e = stored::engagement(&t.db, id).await.unwrap();
    assert_eq!((e.ends_on, e.allocation_minutes), (date(2014, 3, 31), 12_240));
    // Only an admin starts one (nobody else learns of the award), and only one at a time.
    let refused = engagements::start(&app, enabler, c.award, *enabler_id, date(2013, 9, 18)).await;
    assert!(matches!(refused, Err(PanelError::NotFound)), "{refused:?}");
    let twice = engagements::start(&app, &c.admin, c.award, *enabler_id, date(2013, 9, 18)).await;
    assert!(matches!(twice, Err(PanelError::State(_))), "{twice:?}");

    // Bad contact is refused, every problem at once, and nothing is saved.
    let bad = engagements::log_contact(&app, enabler, id, &contact(date(2013, 9, 2), "25", "lunch")).await;
    assert_eq!(fields(bad.unwrap_err()), vec!["date", "hours", "kind"]);
    clock.set(at(date(2013, 10, 30)));
    for (day, hours) in [
        (date(2013, 9, 20), "7.5"),
        (date(2013, 10, 4), "3"),
        (date(2013, 10, 4), "1.5"),
    ] {
        engagements::log_contact(&app, enabler, id, &contact(day, hours, "workshop"))
            .await
            .unwrap();
    }
    let over =
        engagements::log_contact(&app, enabler, id, &contact(date(2013, 10, 4), "20", "meeting")).await;
    assert_eq!(
        fields(over.unwrap_err()),
        vec!["hours"],
        "4.5 + 20 hours on one day"
    );
    // Nobody but the enabler logs contact: 404 for a stranger, 403 for the admin and lead.
    let stranger = &c.second.1;
    let refused =
        engagements::log_contact(&app, stranger, id, &contact(date(2013, 10, 7), "1", "other")).await;
    assert!(matches!(refused, Err(PanelError::NotFound)), "{refused:?}");
    for who in [&c.admin, &c.lead] {
        let refused =
            engagements::log_contact(&app, who, id, &contact(date(2013, 10, 7), "1", "other")).await;
        assert!(matches!(refused, Err(PanelError::Forbidden)), "{refused:?}");
    }

    // Six weeks in, 12 hours (1.6 days) against about 5.2 expected is well behind pace.
    let view = engagements::view(&app, &c.lead, id).await.unwrap();
    assert_eq!(view.used().0, 720);
    assert!(
        matches!(view.pace, Pace::Behind { percent } if percent > 20),
        "{:?}",
        view.pace
    );
    assert!(view.burn_down.len() > 20 && view.is_lead && !view.is_admin);

    // The place queries an entry; its enabler answers; the admin settles it, once.
    let entry = stored::contact(&t.db, id).await.unwrap()[0].id;
    let refused = queries::raise(&app, &c.other_lead, entry, "Not us").await;
    assert!(matches!(refused, Err(PanelError::NotFound)), "{refused:?}");
    let refused = queries::raise(&app, enabler, entry, "Mine").await;
    assert!(matches!(refused, Err(PanelError::Forbidden)), "{refused:?}");
    let q = queries::raise(&app, &c.lead, entry, "That workshop was half a day")
        .await
        .unwrap();
    let twice = queries::raise(&app, &c.lead, entry, "And again").await;
    assert!(
        matches!(twice, Err(PanelError::State(_))),
        "one open query per entry: {twice:?}"
    );
    queries::answer(&app, enabler, q, "It ran all day with the board")
        .await
        .unwrap();
    queries::settle(&app, &c.admin, q, "upheld", "The agenda shows a full day")
        .await
        .unwrap();
    let again = queries::settle(&app, &c.admin, q, "corrected", "").await;
    assert!(matches!(again, Err(PanelError::State(_))), "{again:?}");

    // Not before the last contact logged (4 October).
    let too_soon = engagements::end_early(&app, &c.admin, id, date(2013, 9, 30), None).await;
    assert_eq!(fields(too_soon.unwrap_err()), vec!["end_date"]);
    // Ended early on 20 December; the second enabler carries on from 6 January with what
    // is left; together they hold exactly the first allocation.
    let (second_id, _) = &c.second;
    let early = engagements::end_early(
        &app,
        &c.admin,
        id,
        date(2013, 12, 20),
        Some((*second_id, date(2013, 12, 20))),
    )
    .await;
    assert_eq!(
        fields(early.unwrap_err()),
        vec!["start_date"],
        "a successor starts after the end"
    );
    let next = engagements::end_early(
        &app,
        &c.admin,
        id,
        date(2013, 12, 20),
        Some((*second_id, date(2014, 1, 6))),
    )
    .await
    .unwrap()
    .unwrap();
    let (ended, successor) = (
        stored::engagement(&t.db, id).await.unwrap(),
        stored::engagement(&t.db, next).await.unwrap(),
    );
    assert_eq!(
        (ended.last_day(), ended.allocation_minutes),
        (date(2013, 12, 20), 720)
    );
    assert_eq!(
        (successor.starts_on, successor.ends_on, successor.follows_id),
        (date(2014, 1, 6), date(2014, 3, 31), Some(id))
    );
    assert_eq!(ended.allocation_minutes + successor.allocation_minutes, 12_240);
    let twice = engagements::end_early(&app, &c.admin, id, date(2013, 12, 20), None).await;
    assert!(matches!(twice, Err(PanelError::State(_))), "{twice:?}");
    // Nothing more is logged on the ended engagement, so the two still add up.
    clock.set(at(date(2014, 1, 10)));
    let late =
        engagements::log_contact(&app, enabler, id, &contact(date(2013, 12, 18), "2", "meeting")).await;
    assert!(matches!(late, Err(PanelError::State(_))), "{late:?}");

    // A start whose year's bank holidays are not known is a clear error.
    let unknown = engagements::start(&app, &c.admin, c.award, *enabler_id, date(2030, 5, 1)).await;
    match unknown {
        Err(PanelError::Invalid(p)) => assert!(p[0].message.contains("Bank holidays for 2030"), "{p:?}"),
        other => panic!("{other:?}"),
    }
    t.remove().await;
}

#[tokio::test]
async fn a_year_of_an_engagement_sqlite() {
    a_year_of_an_engagement(Backend::Sqlite).await;
}

#[tokio::test]
async fn a_year_of_an_engagement_postgres() {
    a_year_of_an_engagement(Backend::Postgres).await;
}
