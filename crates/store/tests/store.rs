#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests fail loudly by design.
//! Store behaviour, on SQLite and on PostgreSQL alike.

use convene_domain::accounts::{Grant, Role};
use convene_domain::audit::AuditAction;
use convene_domain::{ApplicationId, PlaceId, ProgrammeId, UserId};
use convene_domain::{Email, Pence, Timestamp};
use convene_store::testing::{Backend, TestDb};
use convene_store::{StoreError, audit, demo, outbox, programmes, sessions, tokens, users};

const NOW: Timestamp = Timestamp(1_700_000_000_000_000);

#[tokio::test]
async fn both_schemas_have_the_same_tables_and_columns() {
    let sqlite = TestDb::new(Backend::Sqlite).await;
    let postgres = TestDb::new(Backend::Postgres).await;
    let a = sqlite.db.schema().await.unwrap();
    let b = postgres.db.schema().await.unwrap();
    assert!(a.iter().any(|(t, _)| t == "users"), "{a:?}");
    assert_eq!(a, b);
    sqlite.remove().await;
    postgres.remove().await;
}

#[tokio::test]
async fn demo_loads_once_on_both() {
    for backend in Backend::BOTH {
        let t = TestDb::new(backend).await;
        demo::load(&t.db, NOW).await.unwrap();
        demo::load(&t.db, NOW).await.unwrap();
        let all = programmes::list(&t.db).await.unwrap();
        assert_eq!(all.len(), 3, "{backend:?}");
        let lv = programmes::by_slug(&t.db, "local-vision").await.unwrap().unwrap();
        assert_eq!(
            lv.fund.total,
            Pence::pounds(1_350_000),
            "{backend:?}: the partners' £1,050,000 and the accepted match contributions, 30 × £10,000"
        );
        assert_eq!(
            lv.fund.awarded,
            Pence::pounds(1_050_000),
            "{backend:?}: 30 awards of £35,000"
        );
        assert_eq!(lv.fund.left, Pence::pounds(300_000), "{backend:?}");
        assert_eq!(programmes::partners(&t.db, lv.id).await.unwrap().len(), 6);
        let rounds = programmes::rounds(&t.db, lv.id).await.unwrap();
        assert_eq!(rounds.len(), 3);
        let r2013 = rounds.iter().find(|r| r.slug == "2013").unwrap();
        assert_eq!(r2013.closes_at.iso(), "2013-05-24T22:59:59Z");
        assert_eq!(r2013.places_offered, 22);
        let places = programmes::places_in(&t.db, lv.id).await.unwrap();
        assert_eq!(
            places
                .iter()
                .filter(|p| p.in_programme(lv.id).and_then(|m| m.status.as_deref()) == Some("underway"))
                .count(),
            30,
            "{backend:?}: the 8 underway since 2012 and the 22 funded in 2013"
        );
        // Started again months later, the demonstration round is open again.
        let later = NOW.plus_seconds(100 * 24 * 3600);
        demo::load(&t.db, later).await.unwrap();
        let rounds = programmes::rounds(&t.db, lv.id).await.unwrap();
        assert_eq!(rounds.len(), 3, "{backend:?}: no duplicate round");
        assert!(
            rounds.iter().any(|r| r.opens_at <= later && later <= r.closes_at),
            "{backend:?}: a round is open when the demo starts"
        );
        for account in demo::DEMO_ACCOUNTS {
            let u = users::by_email(&t.db, &Email::parse(account.email).unwrap())
                .await
                .unwrap()
                .unwrap();
            let grants = users::grants(&t.db, u.id).await.unwrap();
            // The demo lead leads two places and Pat sits on two panels; everyone else holds
            // one role once.
            let expected = match account.role {
                Role::PlaceLead | Role::PanelMember => 2,
                _ => 1,
            };
            assert_eq!(
                grants.len(),
                expected,
                "{backend:?} {}: no duplicate grants",
                account.email
            );
            assert!(grants.iter().all(|g| g.role == account.role));
        }
        // The 2013 round has 30 submitted applications and one in each other state, loaded once.
        let page = convene_store::applications::list(&t.db, r2013.id, &Default::default(), 1, 50)
            .await
            .unwrap();
        assert_eq!(page.total, 33, "{backend:?}");
        // A page far past the end is empty, never an overflow (the API takes any page number).
        let far = convene_store::applications::list(&t.db, r2013.id, &Default::default(), i64::MAX, 50)
            .await
            .unwrap();
        assert!(far.rows.is_empty(), "{backend:?}");
        assert_eq!(far.total, 33, "{backend:?}");
        let mut counts = page.counts.clone();
        counts.sort_by_key(|(status, _)| status.key());
        use convene_domain::applications::ApplicationStatus as S;
        let mut want = vec![
            (S::Submitted, 30),
            (S::AwaitingSignoff, 1),
            (S::Withdrawn, 1),
            (S::Draft, 1),
        ];
        want.sort_by_key(|(status, _)| status.key());
        assert_eq!(counts, want, "{backend:?}");
        let oakhurst = page
            .rows
            .iter()
            .find(|r| r.place_name == "Oakhurst Cross")
            .unwrap();
        assert_eq!(oakhurst.status, S::Submitted, "{backend:?}");
        assert_eq!(oakhurst.reference.as_deref(), Some("LV-2013-0001"));
        assert_eq!(oakhurst.pledge, Some(convene_domain::Pence::pounds(10_000)));
        third_round_is_under_review(&t.db, backend, &rounds, NOW).await;
        t.remove().await;
    }
}

/// The demo's third Local Vision round (loaded twice): 30 submitted applications, a panel of
/// six chaired by Pat, every application assigned three reviewers, and exactly two
/// applications flagged for the reviewers' disagreement.
async fn third_round_is_under_review(
    db: &convene_store::Db,
    backend: Backend,
    rounds: &[convene_domain::programmes::Round],
    now: Timestamp,
) {
    use convene_domain::panels::scoring::summarise;
    use convene_store::panels;
    use std::collections::BTreeMap;
    let third = rounds.iter().find(|r| r.slug == "2026-third-round").unwrap();
    assert!(third.closes_at < now, "{backend:?}: the third round has closed");
    let page = convene_store::applications::list(db, third.id, &Default::default(), 1, 50)
        .await
        .unwrap();
    assert_eq!(page.total, 30, "{backend:?}");
    assert!(
        page.rows
            .iter()
            .all(|r| r.status == convene_domain::applications::ApplicationStatus::Submitted)
    );
    let members = panels::members(db, third.id).await.unwrap();
    assert_eq!(members.len(), 6, "{backend:?}");
    let chairs: Vec<_> = members
        .iter()
        .filter(|m| m.is_chair)
        .map(|m| m.email.as_str())
        .collect();
    assert_eq!(chairs, ["pat.panel@example.org"], "{backend:?}");
    let pairs = panels::assignment::assignments(db, third.id).await.unwrap();
    assert_eq!(pairs.len(), 90, "{backend:?}");
    let run = panels::assignment::latest_run(db, third.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(run.outcome, "assigned");
    assert_eq!(run.total_affinity, pairs.iter().map(|p| p.affinity).sum::<i64>());
    let conflicts = panels::conflicts::of_round(db, third.id).await.unwrap();
    let declaring: std::collections::BTreeSet<_> = conflicts.iter().map(|c| c.user_id).collect();
    // Declared once however often the demo loads.
    assert_eq!(conflicts.len(), 5, "{backend:?}");
    assert!(declaring.len() >= 3, "{backend:?}: {conflicts:?}");
    let rubric = panels::rubric(db, third.id).await.unwrap().unwrap();
    let submitted = panels::reviews::submitted_in_round(db, third.id).await.unwrap();
    assert!(
        (25..=35).contains(&submitted.len()),
        "{backend:?}: about a third of 90 pairs scored"
    );
    let mut by_application: BTreeMap<_, Vec<_>> = BTreeMap::new();
    for r in &submitted {
        by_application
            .entry(r.application_id)
            .or_default()
            .push(r.score_map());
    }
    let flagged = by_application
        .values()
        .filter(|reviews| summarise(&rubric, reviews).flagged())
        .count();
    assert_eq!(flagged, 2, "{backend:?}: {} reviews", submitted.len());
    // Pat has reviews in and applications still to score.
    let pat = members.iter().find(|m| m.is_chair).unwrap().user_id;
    let mine = panels::assignment::assigned_to(db, third.id, pat).await.unwrap();
    let scored = submitted.iter().filter(|r| r.user_id == pat).count();
    assert!(
        scored > 0 && mine.len() > scored + 2,
        "{backend:?}: {scored} of {}",
        mine.len()
    );
}

#[tokio::test]
async fn duplicate_email_is_reported_as_such() {
    for backend in Backend::BOTH {
        let t = TestDb::new(backend).await;
        let email = Email::parse("sam.sample@example.org").unwrap();
        let mut tx = t.db.begin().await.unwrap();
        let id = users::create(&mut tx, &email, "Sam Sample", "x", NOW)
            .await
            .unwrap();
        users::grant(&mut tx, UserId(id), Grant::new(Role::Enabler, None).unwrap(), NOW)
            .await
            .unwrap();
        users::grant(&mut tx, UserId(id), Grant::new(Role::Enabler, None).unwrap(), NOW)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(users::grants(&t.db, UserId(id)).await.unwrap().len(), 1);
        let mut tx = t.db.begin().await.unwrap();
        let again = users::create(&mut tx, &email, "Sam Again", "y", NOW).await;
        assert!(
            matches!(again, Err(StoreError::Duplicate(_))),
            "{backend:?}: {again:?}"
        );
        drop(tx);
        t.remove().await;
    }
}

#[tokio::test]
async fn rolled_back_change_leaves_no_mail_or_audit() {
    for backend in Backend::BOTH {
        let t = TestDb::new(backend).await;
        let mut tx = t.db.begin().await.unwrap();
        outbox::enqueue(&mut tx, "a@example.org", "Hello", "Body", NOW)
            .await
            .unwrap();
        audit::record(
            &mut tx,
            audit::Entry {
                actor_user_id: None,
                action: AuditAction::ProfileChanged,
                record_id: None,
                detail: "",
            },
            NOW,
        )
        .await
        .unwrap();
        drop(tx);
        assert!(outbox::recent(&t.db, 10).await.unwrap().is_empty(), "{backend:?}");
        assert!(audit::recent(&t.db, 10).await.unwrap().is_empty(), "{backend:?}");
        t.remove().await;
    }
}

#[tokio::test]
async fn outbox_claims_each_message_once_and_retries_failures() {
    for backend in Backend::BOTH {
        let t = TestDb::new(backend).await;
        let mut tx = t.db.begin().await.unwrap();
        let id = outbox::enqueue(&mut tx, "a@example.org", "Hello", "Body", NOW)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let first = outbox::claim_due(&t.db, NOW, 10, 60).await.unwrap();
        assert_eq!(first.iter().map(|m| m.id).collect::<Vec<_>>(), vec![id]);
        assert!(
            outbox::claim_due(&t.db, NOW, 10, 60).await.unwrap().is_empty(),
            "{backend:?}: leased"
        );
        outbox::mark_failed(&t.db, id, "connection refused", NOW.plus_seconds(30))
            .await
            .unwrap();
        assert!(
            outbox::claim_due(&t.db, NOW.plus_seconds(29), 10, 60)
                .await
                .unwrap()
                .is_empty()
        );
        let retry = outbox::claim_due(&t.db, NOW.plus_seconds(30), 10, 60)
            .await
            .unwrap();
        assert_eq!(retry[0].attempts, 1);
        assert_eq!(retry[0].last_error.as_deref(), Some("connection refused"));
        outbox::mark_sent(&t.db, id, NOW.plus_seconds(31)).await.unwrap();
        assert!(
            outbox::claim_due(&t.db, NOW.plus_seconds(10_000), 10, 60)
                .await
                .unwrap()
                .is_empty()
        );
        t.remove().await;
    }
}

#[tokio::test]
async fn sessions_expire_and_end_everywhere() {
    for backend in Backend::BOTH {
        let t = TestDb::new(backend).await;
        let mut tx = t.db.begin().await.unwrap();
        let uid = users::create(&mut tx, &Email::parse("s@example.org").unwrap(), "S", "x", NOW)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert!(
            sessions::create(&t.db, "one", Some(uid), "{}", NOW.plus_seconds(60))
                .await
                .unwrap()
        );
        assert!(
            sessions::create(&t.db, "two", Some(uid), "{}", NOW.plus_seconds(60))
                .await
                .unwrap()
        );
        assert!(
            !sessions::create(&t.db, "one", None, "{}", NOW).await.unwrap(),
            "{backend:?}: ids are unique"
        );
        assert!(
            sessions::update(&t.db, "one", Some(uid), "{\"a\":1}", NOW.plus_seconds(120))
                .await
                .unwrap()
        );
        assert_eq!(
            sessions::load(&t.db, "one", NOW).await.unwrap().unwrap().data,
            "{\"a\":1}"
        );
        assert!(
            sessions::load(&t.db, "two", NOW.plus_seconds(61))
                .await
                .unwrap()
                .is_none(),
            "{backend:?}"
        );
        assert_eq!(sessions::delete_for_user(&t.db, UserId(uid)).await.unwrap(), 2);
        assert!(sessions::load(&t.db, "one", NOW).await.unwrap().is_none());
        assert!(
            !sessions::update(&t.db, "one", Some(uid), "{}", NOW.plus_seconds(600))
                .await
                .unwrap(),
            "{backend:?}: an ended session is never written back"
        );
        assert!(sessions::load(&t.db, "one", NOW).await.unwrap().is_none());
        t.remove().await;
    }
}

#[tokio::test]
async fn reset_links_are_single_use_and_expire() {
    for backend in Backend::BOTH {
        let t = TestDb::new(backend).await;
        let mut tx = t.db.begin().await.unwrap();
        let uid = users::create(&mut tx, &Email::parse("r@example.org").unwrap(), "R", "x", NOW)
            .await
            .unwrap();
        tokens::create_password_reset(&mut tx, UserId(uid), "digest-1", NOW, NOW.plus_seconds(3600))
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(
            tokens::password_reset_user(&t.db, "digest-1", NOW.plus_seconds(3601))
                .await
                .unwrap(),
            None
        );
        let mut tx = t.db.begin().await.unwrap();
        assert_eq!(
            tokens::spend_password_reset(&mut tx, "digest-1", NOW)
                .await
                .unwrap(),
            Some(uid)
        );
        assert_eq!(
            tokens::spend_password_reset(&mut tx, "digest-1", NOW)
                .await
                .unwrap(),
            None,
            "{backend:?}"
        );
        tx.commit().await.unwrap();
        t.remove().await;
    }
}

fn org_row(line: usize, org_id: &str, name: &str) -> (usize, convene_domain::imports::NewOrganisation) {
    let cells = [("org_id", org_id), ("name", name), ("kind", "council")]
        .into_iter()
        .collect();
    (
        line,
        convene_domain::imports::organisation(&convene_domain::imports::Row { line, cells }).unwrap(),
    )
}

fn place_row(line: usize, reference: &str, partners: &str) -> (usize, convene_domain::imports::NewPlace) {
    let cells = [
        ("reference", reference),
        ("name", "Brackenford"),
        ("kind", "council"),
        ("partner_org_ids", partners),
    ]
    .into_iter()
    .collect();
    (
        line,
        convene_domain::imports::place(&convene_domain::imports::Row { line, cells }).unwrap(),
    )
}

#[tokio::test]
async fn imports_are_all_or_nothing_and_repeatable() {
    use convene_store::organisations::{Imported, import_organisations, import_places};
    for backend in Backend::BOTH {
        let t = TestDb::new(backend).await;
        let orgs = vec![
            org_row(2, "GB-LAE-BRK", "Brackenford Council"),
            org_row(3, "GB-NHS-RX1", "Brackenford NHS Trust"),
        ];
        let mut seen = 0;
        assert!(matches!(
            import_organisations(&t.db, &orgs, None, NOW, || seen += 1)
                .await
                .unwrap(),
            Imported::Done { rows: 2 }
        ));
        assert_eq!(seen, 2, "progress is reported per row");
        let renamed = vec![org_row(2, "GB-LAE-BRK", "Brackenford Borough Council")];
        import_organisations(&t.db, &renamed, None, NOW, || {})
            .await
            .unwrap();
        let mut tx = t.db.begin().await.unwrap();
        assert!(
            convene_store::organisations::organisation_id(&mut tx, "GB-LAE-BRK")
                .await
                .unwrap()
                .is_some()
        );
        drop(tx);

        // A row naming an unknown organisation refuses the whole file, good rows included.
        let places = vec![
            place_row(2, "PL-0100", "GB-LAE-BRK"),
            place_row(3, "PL-0101", "GB-LAE-NOPE"),
        ];
        match import_places(&t.db, &places, None, NOW, || {}).await.unwrap() {
            Imported::Refused(errors) => {
                assert_eq!(errors.len(), 1, "{backend:?}");
                assert_eq!((errors[0].line, errors[0].field.as_str()), (3, "partner_org_ids"));
            }
            other => panic!("{backend:?}: {other:?}"),
        }
        assert_eq!(
            programmes::place_by_reference(&t.db, "PL-0100").await.unwrap(),
            None,
            "{backend:?}: nothing half-imported"
        );

        let places = vec![place_row(2, "PL-0100", "GB-LAE-BRK;GB-NHS-RX1")];
        import_places(&t.db, &places, None, NOW, || {}).await.unwrap();
        import_places(&t.db, &places, None, NOW, || {}).await.unwrap();
        let id = programmes::place_by_reference(&t.db, "PL-0100")
            .await
            .unwrap()
            .unwrap();
        let mut tx = t.db.begin().await.unwrap();
        assert_eq!(
            convene_store::organisations::place_partner_org_ids(&mut tx, PlaceId(id))
                .await
                .unwrap(),
            vec!["GB-LAE-BRK".to_string(), "GB-NHS-RX1".to_string()]
        );
        drop(tx);
        t.remove().await;
    }
}

/// The demonstration round and a draft application for the place with `reference`.
async fn draft_in_open_round(
    db: &convene_store::Db,
    reference: &str,
) -> (i64, convene_store::forms::StoredForm) {
    let round = programmes::all_rounds(db)
        .await
        .unwrap()
        .into_iter()
        .find(|r| r.slug == "demo-open")
        .unwrap();
    let form = convene_store::forms::current(db, round.id)
        .await
        .unwrap()
        .unwrap();
    let place = programmes::place_by_reference(db, reference)
        .await
        .unwrap()
        .unwrap();
    let mut tx = db.begin().await.unwrap();
    let (id, created) =
        convene_store::applications::start(&mut tx, round.id, PlaceId(place), form.id, None, NOW)
            .await
            .unwrap();
    tx.commit().await.unwrap();
    assert!(created);
    (id, form)
}

#[tokio::test]
async fn submissions_are_numbered_once_each_even_when_they_race() {
    use convene_store::applications::{self, SubmitOutcome};
    for backend in Backend::BOTH {
        let t = TestDb::new(backend).await;
        demo::load(&t.db, NOW).await.unwrap();
        let (first, _) = draft_in_open_round(&t.db, "PL-0001").await;
        let (second, _) = draft_in_open_round(&t.db, "PL-0009").await;
        // Two clicks of "Submit" at once: one submission, one reference.
        let submit = |id: i64| {
            let db = t.db.clone();
            tokio::spawn(async move {
                let mut tx = db.begin().await.unwrap();
                let outcome = applications::submit(&mut tx, ApplicationId(id), NOW)
                    .await
                    .unwrap();
                tx.commit().await.unwrap();
                outcome
            })
        };
        let (a, b) = tokio::join!(submit(first), submit(first));
        let outcomes = [a.unwrap(), b.unwrap()];
        let fresh = outcomes
            .iter()
            .filter(|o| matches!(o, SubmitOutcome::Submitted { .. }))
            .count();
        assert_eq!(fresh, 1, "{backend:?}: {outcomes:?}");
        for o in &outcomes {
            let reference = match o {
                SubmitOutcome::Submitted { reference } | SubmitOutcome::AlreadySubmitted { reference } => {
                    reference
                }
                SubmitOutcome::Withdrawn => panic!("not withdrawn"),
            };
            assert_eq!(reference, "LV-DEMO-0001", "{backend:?}");
        }
        let mut tx = t.db.begin().await.unwrap();
        let next = applications::submit(&mut tx, ApplicationId(second), NOW)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(
            next,
            SubmitOutcome::Submitted {
                reference: "LV-DEMO-0002".into()
            },
            "{backend:?}"
        );
        t.remove().await;
    }
}

#[tokio::test]
async fn a_section_saved_over_a_stale_version_is_refused() {
    use convene_store::applications::{self, SaveOutcome};
    for backend in Backend::BOTH {
        let t = TestDb::new(backend).await;
        demo::load(&t.db, NOW).await.unwrap();
        let (id, form) = draft_in_open_round(&t.db, "PL-0001").await;
        let answers = |text: &str| {
            let mut a = convene_domain::forms::Answers::new();
            a.insert("wider_lessons".into(), text.into());
            a
        };
        let save = |expected: i64, text: &'static str| {
            let db = t.db.clone();
            let definition = form.definition.clone();
            async move {
                let mut tx = db.begin().await.unwrap();
                let typed = answers(text);
                let save = applications::SectionSave {
                    application_id: ApplicationId(id),
                    form: &definition,
                    section_key: "lessons",
                    answers: &typed,
                    expected_version: expected,
                    user_id: None,
                };
                let out = applications::save_section(&mut tx, &save, NOW).await.unwrap();
                tx.commit().await.unwrap();
                out
            }
        };
        assert_eq!(
            save(0, "first").await,
            SaveOutcome::Saved {
                version: 1,
                voided_signoffs: false
            }
        );
        match save(0, "second tab").await {
            SaveOutcome::Conflict { current: Some(c) } => {
                assert_eq!(c.version, 1);
                assert_eq!(c.answers["wider_lessons"], "first");
            }
            other => panic!("{backend:?}: {other:?}"),
        }
        assert_eq!(
            save(1, "second").await,
            SaveOutcome::Saved {
                version: 2,
                voided_signoffs: false
            }
        );
        let stored = applications::merge(&applications::sections(&t.db, ApplicationId(id)).await.unwrap());
        assert_eq!(stored["wider_lessons"], "second");
        t.remove().await;
    }
}

#[tokio::test]
async fn the_generated_data_set_has_the_shape_the_benchmark_needs() {
    use convene_store::national::{self, Options};
    for backend in Backend::BOTH {
        let t = TestDb::new(backend).await;
        let made = national::generate(
            &t.db,
            Options {
                applications: 3_000,
                rounds: 4,
            },
            NOW,
            |_| {},
        )
        .await
        .unwrap();
        assert_eq!(made.applications, 3_000, "{backend:?}");
        assert_eq!(made.places, 1_500);
        assert!(made.thousand_round.is_some());
        // The benchmark signs its applicants and admin in: their addresses are confirmed
        // (an unconfirmed account cannot sign in).
        for email in ["bench.applicant.001@example.org", "bench.admin@example.org"] {
            let email = convene_domain::Email::parse(email).unwrap();
            let user = convene_store::users::by_email(&t.db, &email)
                .await
                .unwrap()
                .unwrap();
            assert!(user.email_verified, "{backend:?}: {email} is confirmed");
        }
        let rounds = programmes::rounds(&t.db, ProgrammeId(made.programme_id))
            .await
            .unwrap();
        assert_eq!(rounds.len(), 4);
        let largest = rounds.iter().find(|r| r.slug == made.largest_round).unwrap();
        let page = convene_store::applications::list(&t.db, largest.id, &Default::default(), 1, 50)
            .await
            .unwrap();
        assert_eq!(
            page.total, 1_500,
            "one application per place in the largest round"
        );
        // References are numbered without gaps and the round's counter agrees.
        let submitted = page
            .counts
            .iter()
            .find(|(s, _)| s.key() == "submitted")
            .unwrap()
            .1;
        assert!(submitted > 0);
        // An applicant's drafts in the later rounds are complete and can be submitted.
        let place = programmes::place_by_reference(&t.db, "GEN-00001")
            .await
            .unwrap()
            .unwrap();
        let drafts: Vec<_> = convene_store::applications::for_places(&t.db, &[place])
            .await
            .unwrap()
            .into_iter()
            .filter(|a| a.status == convene_domain::applications::ApplicationStatus::Draft)
            .collect();
        assert!(drafts.len() >= 2, "{backend:?}: {drafts:?}");
        let form = convene_store::forms::by_id(&t.db, drafts[0].form_id)
            .await
            .unwrap()
            .unwrap();
        let answers = convene_store::applications::merge(
            &convene_store::applications::sections(&t.db, drafts[0].id)
                .await
                .unwrap(),
        );
        for section in &form.definition.sections {
            assert_eq!(
                section.status(&answers),
                convene_domain::forms::SectionStatus::Completed,
                "{backend:?}: {}",
                section.key
            );
        }
        assert_eq!(
            convene_domain::applications::answers_digest(&answers),
            drafts[0].answers_digest
        );
        // A second run refuses rather than doubling the data.
        assert!(
            national::generate(&t.db, Options::default(), NOW, |_| {})
                .await
                .is_err()
        );
        t.remove().await;
    }
}
