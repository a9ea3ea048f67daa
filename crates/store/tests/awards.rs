#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests fail loudly by design.
//! The awards store (`convene_store::awards`): the fund, awards and their answers,
//! decisions, letters and the selection helper's inputs, on SQLite and PostgreSQL alike.

use convene_domain::awards::{AwardDates, AwardStatus, LetterKind, Outcome};
use convene_domain::selection::Rule;
use convene_domain::{ApplicationId, Pence, PlaceId, ProgrammeId, RoundId, Timestamp, UserId};
use convene_store::applications::{self, ListFilter};
use convene_store::awards::{self, NewAward, decisions, letters, selection};
use convene_store::testing::{Backend, TestDb};
use convene_store::{Db, demo, on_db, programmes};

const NOW: Timestamp = Timestamp(1_700_000_000_000_000);
const DAY: i64 = 24 * 3600;

/// The demo's third round: its programme, id and submitted applications with their place.
struct Fixture {
    t: TestDb,
    programme: ProgrammeId,
    round: RoundId,
    apps: Vec<(ApplicationId, PlaceId)>,
    admin: UserId,
}

async fn on_both(body: impl AsyncFn(&Fixture, &Db)) {
    for backend in Backend::BOTH {
        eprintln!("on {backend:?}");
        let t = TestDb::new(backend).await;
        demo::load(&t.db, NOW).await.unwrap();
        let rounds = programmes::all_rounds(&t.db).await.unwrap();
        let third = rounds.iter().find(|r| r.slug == "2026-third-round").unwrap();
        let listed = applications::list(&t.db, third.id, &ListFilter::default(), 1, 100)
            .await
            .unwrap()
            .rows;
        let mut apps = Vec::new();
        for l in listed.iter().filter(|l| l.submitted_at.is_some()) {
            let a = applications::by_id(&t.db, l.id).await.unwrap().unwrap();
            apps.push((a.id, a.place_id));
        }
        let (admin,): (i64,) = on_db!(&t.db, |pool| sqlx::query_as(
            "SELECT id FROM users WHERE email = 'priya.programme@example.org'"
        )
        .fetch_one(pool)
        .await
        .unwrap());
        let f = Fixture {
            programme: third.programme_id,
            round: third.id,
            apps,
            admin: UserId(admin),
            t,
        };
        body(&f, &f.t.db).await;
        f.t.remove().await;
    }
}

fn dates(offered_at: Timestamp) -> AwardDates {
    AwardDates {
        offered_at,
        respond_by: offered_at.plus_seconds(14 * DAY),
        starts_at: offered_at.plus_seconds(20 * DAY),
        ends_at: offered_at.plus_seconds(300 * DAY),
    }
}

/// Makes an award on the fixture's `n`th application, in a transaction of its own, after
/// taking the fund; `None` when the fund cannot pay `value`.
async fn fund_one(f: &Fixture, n: usize, value: Pence) -> Option<i64> {
    let (application, place) = f.apps[n];
    let mut tx = f.t.db.begin().await.unwrap();
    let fund = awards::lock_fund(&mut tx, f.programme).await.unwrap();
    if fund.available() < value {
        return None;
    }
    let recipient = awards::recipient(&mut tx, place).await.unwrap().unwrap();
    let reference = format!("TEST-{n}");
    let award = NewAward {
        programme_id: f.programme,
        round_id: Some(f.round),
        application_id: Some(application),
        place_id: place,
        reference: &reference,
        recipient_organisation_id: recipient,
        value,
        match_pledge: Pence::pounds(10_000),
        breakthrough_issue: "Falls at home",
        dates: dates(NOW.plus_seconds(7 * DAY)),
        replaces_award_id: None,
        by: Some(f.admin),
    };
    // Give a racing transaction every chance to read the same fund.
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    let id = awards::insert(&mut tx, &award, NOW).await.unwrap();
    tx.commit().await.unwrap();
    Some(id)
}

#[tokio::test]
async fn two_admins_funding_at_once_never_overspend() {
    on_both(async |f, db| {
        let before = awards::fund(db, f.programme).await.unwrap();
        assert!(before.available().0 > 0);
        // Each award is more than half of what is left: only one can be paid.
        let value = Pence(before.available().0 / 3 * 2);
        let (a, b) = tokio::join!(fund_one(f, 0, value), fund_one(f, 1, value));
        assert_eq!(
            usize::from(a.is_some()) + usize::from(b.is_some()),
            1,
            "exactly one of two racing awards is made: {a:?} {b:?}"
        );
        let after = awards::fund(db, f.programme).await.unwrap();
        assert_eq!(after.committed.0 - before.committed.0, value.0);
        assert!(after.available().0 >= 0);
        assert_eq!(awards::of_round(db, f.round).await.unwrap().len(), 1);
    })
    .await;
}

#[tokio::test]
async fn the_fund_counts_announced_awards_accepted_pledges_and_frees_declined_ones() {
    on_both(async |f, db| {
        let before = awards::fund(db, f.programme).await.unwrap();
        let value = Pence::pounds(35_000);
        let first = fund_one(f, 0, value).await.unwrap();
        let second = fund_one(f, 1, value).await.unwrap();
        let fund = awards::fund(db, f.programme).await.unwrap();
        // Decided, not announced: committed, not awarded; the public "left" is unchanged.
        assert_eq!(fund.committed.0 - before.committed.0, 2 * value.0);
        assert_eq!(fund.left(), before.left());
        let award = awards::award(db, first).await.unwrap();
        assert_eq!(award.status, AwardStatus::Offered);
        assert_eq!(award.announced_at, None);
        // Nobody answers an offer before it is announced.
        let mut tx = db.begin().await.unwrap();
        assert!(
            !awards::respond(&mut tx, first, AwardStatus::Accepted, f.admin, NOW)
                .await
                .unwrap()
        );
        for (app, _) in &f.apps[..2] {
            awards::announce(&mut tx, *app, NOW).await.unwrap();
        }
        assert!(
            awards::respond(&mut tx, first, AwardStatus::Accepted, f.admin, NOW)
                .await
                .unwrap()
        );
        // An answer is given once.
        assert!(
            !awards::respond(&mut tx, first, AwardStatus::Declined, f.admin, NOW)
                .await
                .unwrap()
        );
        // Not after the date to answer by.
        let late = NOW.plus_seconds(30 * DAY);
        assert!(
            !awards::respond(&mut tx, second, AwardStatus::Declined, f.admin, late)
                .await
                .unwrap()
        );
        assert!(
            awards::respond(&mut tx, second, AwardStatus::Declined, f.admin, NOW)
                .await
                .unwrap()
        );
        tx.commit().await.unwrap();
        let fund = awards::fund(db, f.programme).await.unwrap();
        assert_eq!(
            fund.awarded.0 - before.awarded.0,
            value.0,
            "the declined award is freed"
        );
        assert_eq!(
            fund.match_pledged.0 - before.match_pledged.0,
            Pence::pounds(10_000).0
        );
        assert_eq!(fund.committed, before.committed);
        // The programme record shows the same fund as the public sees it.
        let programme = programmes::by_ids(db, &[f.programme])
            .await
            .unwrap()
            .pop()
            .unwrap();
        assert_eq!(programme.fund.total, fund.total());
        assert_eq!(programme.fund.left, fund.left());
        let declined = awards::declined_unreplaced(db, f.round).await.unwrap();
        assert_eq!(declined.iter().map(|a| a.id).collect::<Vec<_>>(), vec![second]);
        let open = awards::open_data::published(db, f.programme).await.unwrap();
        assert!(open.iter().any(|a| a.id == first));
        assert!(!open.iter().any(|a| a.id == second));
    })
    .await;
}

#[tokio::test]
async fn an_unannounced_award_is_withdrawn_and_an_announced_one_is_not() {
    on_both(async |f, db| {
        let first = fund_one(f, 0, Pence::pounds(1_000)).await.unwrap();
        fund_one(f, 1, Pence::pounds(1_000)).await.unwrap();
        let mut tx = db.begin().await.unwrap();
        awards::announce(&mut tx, f.apps[1].0, NOW).await.unwrap();
        assert!(awards::withdraw_unannounced(&mut tx, f.apps[0].0).await.unwrap());
        assert!(!awards::withdraw_unannounced(&mut tx, f.apps[1].0).await.unwrap());
        tx.commit().await.unwrap();
        assert!(awards::award(db, first).await.is_err());
        assert_eq!(awards::of_round(db, f.round).await.unwrap().len(), 1);
    })
    .await;
}

#[tokio::test]
async fn decisions_are_saved_over_their_version() {
    on_both(async |f, db| {
        let (app, _) = f.apps[2];
        let save = |version, outcome| decisions::DecisionSave {
            round_id: f.round,
            application_id: app,
            expected_version: version,
            outcome,
            feedback: "A clear plan with partners who have worked together before.",
            override_reason: None,
            by: f.admin,
        };
        let mut tx = db.begin().await.unwrap();
        assert_eq!(
            decisions::save(&mut tx, &save(0, Outcome::Reserve), NOW)
                .await
                .unwrap(),
            Some(1)
        );
        // A second first save, or a save over an old version, is told, not applied.
        assert_eq!(
            decisions::save(&mut tx, &save(0, Outcome::Fund), NOW)
                .await
                .unwrap(),
            None
        );
        assert_eq!(
            decisions::save(&mut tx, &save(1, Outcome::Decline), NOW)
                .await
                .unwrap(),
            Some(2)
        );
        assert_eq!(
            decisions::save(&mut tx, &save(1, Outcome::Fund), NOW)
                .await
                .unwrap(),
            None
        );
        // Only a reserve is promoted.
        assert!(
            !decisions::promote_reserve(&mut tx, app, f.admin, NOW)
                .await
                .unwrap()
        );
        tx.commit().await.unwrap();
        let d = decisions::of_application(db, app).await.unwrap().unwrap();
        assert_eq!((d.outcome, d.version), (Outcome::Decline, 2));
        assert_eq!(decisions::of_round(db, f.round).await.unwrap(), vec![d]);
    })
    .await;
}

#[tokio::test]
async fn letters_wait_for_their_time_go_once_and_only_the_last_unsent_one_stays() {
    on_both(async |f, db| {
        let (app, _) = f.apps[3];
        let notify = NOW.plus_seconds(DAY);
        let mut tx = db.begin().await.unwrap();
        letters::queue(
            &mut tx,
            app,
            f.round,
            LetterKind::Funded,
            "First thoughts",
            notify,
            NOW,
        )
        .await
        .unwrap();
        letters::queue(
            &mut tx,
            app,
            f.round,
            LetterKind::Reserve,
            "Second thoughts",
            notify,
            NOW,
        )
        .await
        .unwrap();
        assert!(!letters::announced(&mut tx, app, NOW).await.unwrap());
        tx.commit().await.unwrap();
        let all = letters::of_round(db, f.round).await.unwrap();
        assert_eq!(all.len(), 1, "a changed decision replaces its unsent letter");
        assert_eq!(
            (all[0].kind, all[0].feedback.as_str()),
            (LetterKind::Reserve, "Second thoughts")
        );
        // Not due before the notification date; nothing of it is shown to the place.
        assert!(letters::due_unsent(db, NOW, 10).await.unwrap().is_empty());
        assert!(letters::sent_for_application(db, app).await.unwrap().is_empty());
        let due = letters::due_unsent(db, notify, 10).await.unwrap();
        assert_eq!(due.len(), 1);
        // Two servers claim it: one sends it.
        let mut a = db.begin().await.unwrap();
        assert!(letters::claim(&mut a, due[0].id, notify).await.unwrap());
        a.commit().await.unwrap();
        let mut b = db.begin().await.unwrap();
        assert!(!letters::claim(&mut b, due[0].id, notify).await.unwrap());
        assert!(letters::announced(&mut b, app, notify).await.unwrap());
        b.commit().await.unwrap();
        let sent = letters::sent_for_application(db, app).await.unwrap();
        assert_eq!(sent.len(), 1);
        assert_eq!(sent[0].sent_at, Some(notify));
    })
    .await;
}

#[tokio::test]
async fn selection_rules_values_and_runs_are_kept() {
    on_both(async |f, db| {
        let rules = vec![
            Rule::AtMostInRegion {
                region: "London".into(),
                most: 2,
            },
            Rule::AtLeastInTheme {
                theme: "Alcohol".into(),
                least: 1,
            },
        ];
        let (app, _) = f.apps[4];
        let mut tx = db.begin().await.unwrap();
        selection::set_rules(&mut tx, f.round, &rules).await.unwrap();
        selection::set_value(&mut tx, f.round, app, Some(Pence::pounds(20_000)), f.admin, NOW)
            .await
            .unwrap();
        let run = selection::Run {
            id: 0,
            run_by: Some(f.admin),
            run_at: NOW,
            outcome: "proposed".into(),
            budget: Pence::pounds(300_000),
            total_score: 3_456,
            explanation: "{}".into(),
        };
        let id = selection::record_run(&mut tx, f.round, &run).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(selection::rules(db, f.round).await.unwrap(), rules);
        assert_eq!(
            selection::values(db, f.round).await.unwrap(),
            vec![(app, Pence::pounds(20_000))]
        );
        let latest = selection::latest_run(db, f.round).await.unwrap().unwrap();
        assert_eq!(latest, selection::Run { id, ..run });
        let mut tx = db.begin().await.unwrap();
        selection::set_rules(&mut tx, f.round, &[]).await.unwrap();
        selection::set_value(&mut tx, f.round, app, None, f.admin, NOW)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert!(selection::rules(db, f.round).await.unwrap().is_empty());
        assert!(selection::values(db, f.round).await.unwrap().is_empty());
    })
    .await;
}
