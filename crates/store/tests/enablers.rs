#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests fail loudly by design.
//! The enablers store (`convene_store::enablers`): the pool and its profiles, rankings,
//! matching runs, engagements with contact and queries, and support offers, on SQLite and
//! PostgreSQL alike.

use convene_domain::awards::AwardStatus;
use convene_domain::{Email, ProgrammeId, Timestamp, UserId};
use convene_store::enablers::engagements::{self, NewContact, NewEngagement};
use convene_store::enablers::support::{self, SupportStatus};
use convene_store::enablers::{self, EnablerChoice, PoolStatus, Profile, queries};
use convene_store::testing::{Backend, TestDb};
use convene_store::{Db, awards, demo, on_db, users};
use jiff::civil::date;

const NOW: Timestamp = Timestamp(1_700_000_000_000_000);

/// The demo's Local Vision, its accepted awards and its programme admin.
struct Fixture {
    t: TestDb,
    programme: ProgrammeId,
    awards: Vec<i64>,
    admin: UserId,
}

async fn on_both(body: impl AsyncFn(&Fixture, &Db)) {
    for backend in Backend::BOTH {
        eprintln!("on {backend:?}");
        let t = TestDb::new(backend).await;
        demo::load(&t.db, NOW).await.unwrap();
        let (programme, admin): (i64, i64) = on_db!(&t.db, |pool| sqlx::query_as(
            "SELECT (SELECT id FROM programmes WHERE slug = 'local-vision'), \
             (SELECT id FROM users WHERE email = 'priya.programme@example.org')"
        )
        .fetch_one(pool)
        .await
        .unwrap());
        let programme = ProgrammeId(programme);
        let awards = awards::of_programme(&t.db, programme)
            .await
            .unwrap()
            .into_iter()
            .filter(|a| a.status == AwardStatus::Accepted)
            .map(|a| a.id)
            .collect();
        let f = Fixture {
            programme,
            awards,
            admin: UserId(admin),
            t,
        };
        body(&f, &f.t.db).await;
        f.t.remove().await;
    }
}

/// A new account.
async fn person(db: &Db, email: &str) -> UserId {
    let mut tx = db.begin().await.unwrap();
    let id = users::create(
        &mut tx,
        &Email::parse(email).unwrap(),
        "Rowan Test-Enabler",
        "x",
        NOW,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    UserId(id)
}

fn profile(capacity: i64) -> Profile {
    Profile {
        bio: "Twenty years in community health partnerships.".into(),
        expertise: vec!["Coaching".into(), "Data sharing".into()],
        sectors: vec!["Local government".into()],
        regions: vec!["North West".into(), "London".into()],
        capacity,
        available_from: "2013-07-01".into(),
        available_to: "2014-03-31".into(),
    }
}

/// Joins the pool and is approved; the enabler's id.
async fn approved_enabler(f: &Fixture, email: &str) -> i64 {
    let user = person(&f.t.db, email).await;
    let mut tx = f.t.db.begin().await.unwrap();
    let id = enablers::ask_to_join(&mut tx, f.programme, user, &profile(3), NOW)
        .await
        .unwrap()
        .unwrap();
    let moved = (PoolStatus::Pending, PoolStatus::Approved);
    assert!(
        enablers::set_status(&mut tx, id, moved, f.admin, NOW)
            .await
            .unwrap()
    );
    tx.commit().await.unwrap();
    id
}

#[tokio::test]
async fn the_pool_keeps_profiles_rankings_and_runs() {
    on_both(async |f, db| {
        let user = person(db, "rowan.enabler@example.org").await;
        let mut tx = db.begin().await.unwrap();
        let id = enablers::ask_to_join(&mut tx, f.programme, user, &profile(2), NOW)
            .await
            .unwrap()
            .unwrap();
        // Asking twice does not make a second place in the pool.
        let again = enablers::ask_to_join(&mut tx, f.programme, user, &profile(2), NOW).await;
        assert_eq!(again.unwrap(), None);
        tx.commit().await.unwrap();
        let stored = enablers::enabler(db, id).await.unwrap();
        assert_eq!(
            (stored.status, stored.profile.clone()),
            (PoolStatus::Pending, profile(2))
        );

        // A profile saves over the version seen, once.
        let mut tx = db.begin().await.unwrap();
        assert!(enablers::save_profile(&mut tx, id, &profile(4), 1).await.unwrap());
        assert!(!enablers::save_profile(&mut tx, id, &profile(5), 1).await.unwrap());
        // Approved once; a second approval changes nothing.
        let moved = (PoolStatus::Pending, PoolStatus::Approved);
        assert!(
            enablers::set_status(&mut tx, id, moved, f.admin, NOW)
                .await
                .unwrap()
        );
        assert!(
            !enablers::set_status(&mut tx, id, moved, f.admin, NOW)
                .await
                .unwrap()
        );
        tx.commit().await.unwrap();
        let stored = enablers::enabler(db, id).await.unwrap();
        assert_eq!(
            (stored.status, stored.profile.capacity),
            (PoolStatus::Approved, 4)
        );

        // Rankings both ways, read back in rank order (an unranked place after the ranked).
        let other = approved_enabler(f, "sky.enabler@example.org").await;
        let (a, b, c) = (f.awards[0], f.awards[1], f.awards[2]);
        let mut tx = db.begin().await.unwrap();
        enablers::set_place_choices(&mut tx, a, &[other, id])
            .await
            .unwrap();
        enablers::set_place_choices(&mut tx, b, &[id]).await.unwrap();
        enablers::set_place_choices(&mut tx, c, &[id]).await.unwrap();
        let choice = |award_id, rank, cannot_take| EnablerChoice {
            award_id,
            rank,
            cannot_take,
        };
        let mine = [
            choice(c, None, false),
            choice(b, Some(1), false),
            choice(a, None, true),
        ];
        enablers::set_enabler_choices(&mut tx, id, &mine).await.unwrap();
        tx.commit().await.unwrap();
        let (places, chosen) = enablers::rankings(db, f.programme).await.unwrap();
        assert_eq!(places, vec![(a, other, 1), (a, id, 2), (b, id, 1), (c, id, 1)]);
        let ids: Vec<_> = chosen
            .iter()
            .map(|(e, c)| (*e, c.award_id, c.rank, c.cannot_take))
            .collect();
        assert_eq!(
            ids,
            vec![(id, b, Some(1), false), (id, a, None, true), (id, c, None, false)]
        );

        // A run changes over its version until confirmed, then not at all.
        let mut tx = db.begin().await.unwrap();
        let run = enablers::insert_run(&mut tx, f.programme, "{\"pairs\":[]}", f.admin, NOW)
            .await
            .unwrap();
        assert!(
            enablers::change_run(&mut tx, run, "{\"pairs\":[[1,2]]}", 1)
                .await
                .unwrap()
        );
        assert!(
            !enablers::confirm_run(&mut tx, run, 1, f.admin, NOW)
                .await
                .unwrap()
        );
        assert!(
            enablers::confirm_run(&mut tx, run, 2, f.admin, NOW)
                .await
                .unwrap()
        );
        assert!(!enablers::change_run(&mut tx, run, "{}", 2).await.unwrap());
        tx.commit().await.unwrap();
        let latest = enablers::latest_run(db, f.programme).await.unwrap().unwrap();
        assert_eq!(
            (latest.result.as_str(), latest.confirmed_at),
            ("{\"pairs\":[[1,2]]}", Some(NOW))
        );
    })
    .await;
}

/// Approves the request in a transaction of its own after taking the offer's lock, when
/// what is left covers it: true when approved.
async fn approve_within(db: &Db, offer: i64, request: i64, admin: UserId) -> bool {
    let mut tx = db.begin().await.unwrap();
    let locked = support::lock_offer(&mut tx, offer).await.unwrap();
    let wanted = support::request_in(&mut tx, request).await.unwrap();
    // Give a racing approval every chance to read the same figures.
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    if wanted.units > locked.left() {
        return false;
    }
    let approved = support::decide(&mut tx, request, SupportStatus::Approved, "", admin, NOW).await;
    tx.commit().await.unwrap();
    approved.unwrap()
}

#[tokio::test]
async fn two_admins_approving_at_once_never_over_allocate() {
    on_both(async |f, db| {
        let mut tx = db.begin().await.unwrap();
        let kind = ("consultancy_days", "Strategy days", "Harbourside Consulting");
        let offer = support::create_offer(&mut tx, f.programme, kind, 10, NOW)
            .await
            .unwrap();
        let mut asked = Vec::new();
        for award in &f.awards[..2] {
            let request = support::request(&mut tx, (offer, *award), 6, "For our board", f.admin, NOW);
            asked.push(request.await.unwrap());
        }
        tx.commit().await.unwrap();
        let (one, two) = tokio::join!(
            approve_within(db, offer, asked[0], f.admin),
            approve_within(db, offer, asked[1], f.admin)
        );
        assert_eq!(u8::from(one) + u8::from(two), 1, "6 + 6 days of 10: one approval");
        let offers = support::offers(db, f.programme).await.unwrap();
        assert_eq!((offers[0].approved, offers[0].left()), (6, 4));
        let statuses: Vec<_> = support::requests_of_programme(db, f.programme)
            .await
            .unwrap()
            .iter()
            .map(|r| r.status)
            .collect();
        assert!(statuses.contains(&SupportStatus::Approved) && statuses.contains(&SupportStatus::Requested));
    })
    .await;
}

#[tokio::test]
async fn contact_is_logged_queried_answered_and_settled() {
    on_both(async |f, db| {
        let enabler = approved_enabler(f, "rowan.enabler@example.org").await;
        let award = f.awards[0];
        let new = NewEngagement {
            programme_id: f.programme,
            award_id: award,
            enabler_id: enabler,
            starts_on: date(2013, 9, 18),
            ends_on: date(2014, 3, 31),
            allocation_minutes: 2_475 * 5,
            day_minutes: 450,
            follows_id: None,
        };
        let mut tx = db.begin().await.unwrap();
        let id = engagements::create(&mut tx, &new, Some(f.admin), NOW)
            .await
            .unwrap();
        let day = date(2013, 10, 2);
        for (minutes, kind) in [(90, "coaching"), (240, "workshop")] {
            let entry = NewContact {
                engagement_id: id,
                on_date: day,
                minutes,
                kind,
                notes: "Board away day",
            };
            engagements::log_contact(&mut tx, &entry, f.admin, NOW)
                .await
                .unwrap();
        }
        assert_eq!(engagements::minutes_on(&mut tx, id, day).await.unwrap(), 330);
        assert!(
            engagements::end_early(&mut tx, id, date(2013, 12, 20), 330)
                .await
                .unwrap()
        );
        assert!(
            !engagements::end_early(&mut tx, id, date(2013, 12, 21), 330)
                .await
                .unwrap()
        );
        tx.commit().await.unwrap();
        let stored = engagements::engagement(db, id).await.unwrap();
        assert_eq!(
            (stored.used_minutes, stored.last_day()),
            (330, date(2013, 12, 20))
        );
        let of_award = engagements::of_award(db, award).await.unwrap();
        assert!(
            of_award
                .iter()
                .any(|e| e.id == id && e.enabler_name == "Rowan Test-Enabler")
        );
        let admins = engagements::of_person(db, f.admin).await.unwrap();
        assert!(admins.iter().any(|e| e.id == id), "the programme's admin");
        let enabler_user = enablers::enabler(db, enabler).await.unwrap().user_id;
        let theirs = engagements::of_person(db, enabler_user).await.unwrap();
        assert_eq!(
            theirs.iter().map(|e| e.id).collect::<Vec<_>>(),
            vec![id],
            "the enabler's own only"
        );

        let entry = engagements::contact(db, id).await.unwrap()[1].id;
        let mut tx = db.begin().await.unwrap();
        let q = queries::raise(&mut tx, entry, "We had no workshop that day", f.admin, NOW)
            .await
            .unwrap();
        assert!(
            queries::answer(&mut tx, q, "It was the board's away day", f.admin, NOW)
                .await
                .unwrap()
        );
        assert!(
            queries::settle(&mut tx, q, ("upheld", "The minutes show it"), f.admin, NOW)
                .await
                .unwrap()
        );
        assert!(
            !queries::settle(&mut tx, q, ("corrected", ""), f.admin, NOW)
                .await
                .unwrap()
        );
        assert!(!queries::answer(&mut tx, q, "Later", f.admin, NOW).await.unwrap());
        tx.commit().await.unwrap();
        let settled = queries::query(db, q).await.unwrap();
        assert_eq!(
            (settled.engagement_id, settled.settlement.as_deref()),
            (id, Some("upheld"))
        );
        assert_eq!(queries::of_engagement(db, id).await.unwrap().len(), 1);
    })
    .await;
}

#[tokio::test]
async fn a_subject_access_download_holds_the_profile_and_erasure_clears_it() {
    use convene_store::personal_data::{self, Erased};
    on_both(async |f, db| {
        let id = approved_enabler(f, "rowan.enabler@example.org").await;
        let subject = personal_data::subject_by_email(db, "rowan.enabler@example.org")
            .await
            .unwrap();
        let held = personal_data::holdings(db, &subject).await.unwrap();
        let pools = held["enabler_pools"].to_string();
        assert!(
            pools.contains("community health partnerships") && pools.contains("Local Vision"),
            "{pools}"
        );
        let mut tx = db.begin().await.unwrap();
        let erased = personal_data::erase(&mut tx, &subject, Some("Rowan Test-Enabler"), NOW)
            .await
            .unwrap();
        assert_eq!(erased, Erased::Done);
        tx.commit().await.unwrap();
        let gone = enablers::enabler(db, id).await.unwrap();
        assert_eq!(
            (gone.status, gone.profile.bio.as_str()),
            (PoolStatus::Withdrawn, "")
        );
        assert!(gone.profile.regions.is_empty() && gone.profile.expertise.is_empty());
    })
    .await;
}
