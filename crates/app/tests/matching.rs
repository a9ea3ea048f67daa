#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests fail loudly by design.
//! Choosing and the matching through the use cases, on SQLite and PostgreSQL: rankings with
//! bad input refused, a run that proposes the place-optimal stable matching and says why a
//! place is left out, a hand change warned with the pair it unsettles, and a confirmation
//! that starts each pair's engagement and emails both sides, once.

mod common;

use common::{Demo, enabler};
use convene_app::enablers::PanelError;
use convene_app::enablers::matching::{self, Unmatched};
use convene_domain::Timestamp;
use convene_store::testing::Backend;
use jiff::civil::date;

fn invalid(result: Result<(), PanelError>) -> String {
    match result {
        Err(PanelError::Invalid(p)) => p[0].message.clone(),
        other => panic!("expected problems, got {other:?}"),
    }
}

async fn choosing_and_matching(backend: Backend) {
    let d = Demo::at(backend, Timestamp::from_london(2014, 6, 2, 10, 0, 0).unwrap()).await;
    let (app, lv, admin) = (&d.app, d.programme, &d.admin);
    let (e1, e1_who) = enabler(&d, "fern.enabler@example.org", 1).await;
    let (e2, _) = enabler(&d, "hazel.enabler@example.org", 1).await;
    let accepted = &d.accepted;
    // From the second accepted award on: the first (Westermoor) has the demo's engagement.
    let lead = |i: usize| d.lead(i + 1);
    let (a, b, c) = (accepted[1].id, accepted[2].id, accepted[3].id);

    // Bad rankings are refused: none, one twice, one not in the pool; and only the place's
    // leads rank for it (not its admin, not the enabler).
    assert!(invalid(matching::set_place_choices(app, &lead(0), a, &[]).await).contains("at least one"));
    assert!(invalid(matching::set_place_choices(app, &lead(0), a, &[e1, e1]).await).contains("twice"));
    assert!(invalid(matching::set_place_choices(app, &lead(0), a, &[e1, -7]).await).contains("pool"));
    let refused = matching::set_place_choices(app, admin, a, &[e1]).await;
    assert!(matches!(refused, Err(PanelError::Forbidden)), "{refused:?}");
    let refused = matching::set_place_choices(app, &e1_who, a, &[e1]).await;
    assert!(matches!(refused, Err(PanelError::NotFound)), "{refused:?}");
    // A: e1 then e2; B: e1 only; C: e1 then e2. e1 prefers C, then A, and cannot take B.
    matching::set_place_choices(app, &lead(0), a, &[e1, e2])
        .await
        .unwrap();
    matching::set_place_choices(app, &lead(1), b, &[e1])
        .await
        .unwrap();
    matching::set_place_choices(app, &lead(2), c, &[e1, e2])
        .await
        .unwrap();
    let not_chosen =
        matching::set_enabler_choices(app, &e1_who, e1, &[c, a], &[accepted[2].id + 10_000]).await;
    assert!(invalid(not_chosen).contains("only the places that chose you"));
    matching::set_enabler_choices(app, &e1_who, e1, &[c, a], &[b])
        .await
        .unwrap();

    // The run: C with e1, A with e2 (e1 preferred C), B left out: e1 cannot take it.
    let refused = matching::run(app, &e1_who, lv).await;
    assert!(matches!(refused, Err(PanelError::NotFound)), "{refused:?}");
    let (run, proposal) = matching::run(app, admin, lv).await.unwrap();
    let pairs: Vec<(i64, i64, Option<usize>, Option<usize>)> = proposal
        .pairs
        .iter()
        .map(|p| (p.award_id, p.enabler_id, p.place_rank, p.enabler_rank))
        .collect();
    assert_eq!(pairs, vec![(a, e2, Some(2), None), (c, e1, Some(1), Some(1))]);
    assert_eq!(
        proposal.unmatched,
        vec![Unmatched {
            award_id: b,
            refused_by: vec![(e1, "conflict".into())]
        }]
    );

    // By hand: A to e1 would put two places with e1, who holds one.
    let over = matching::change(app, admin, lv, (a, Some(e1)), (run.id, run.version)).await;
    assert!(matches!(over, Err(PanelError::Invalid(_))), "{over:?}");
    // C left out by hand: e1 then has room, and both A (which put e1 first) and C would
    // each rather be with e1, who would take either.
    let warned = matching::change(app, admin, lv, (c, None), (run.id, run.version))
        .await
        .unwrap();
    assert_eq!(warned, vec![(a, e1), (c, e1)]);
    let stale = matching::change(app, admin, lv, (c, None), (run.id, run.version)).await;
    assert!(matches!(stale, Err(PanelError::Stale)), "{stale:?}");
    // Back as it was: stable again.
    let warned = matching::change(app, admin, lv, (c, Some(e1)), (run.id, run.version + 1))
        .await
        .unwrap();
    assert!(warned.is_empty(), "{warned:?}");

    // Confirmed once: the two engagements start, and both sides of each are emailed.
    let stale = matching::confirm(app, admin, lv, (run.id, run.version), date(2014, 6, 2)).await;
    assert!(matches!(stale, Err(PanelError::Stale)), "{stale:?}");
    let started = matching::confirm(app, admin, lv, (run.id, run.version + 2), date(2014, 6, 2))
        .await
        .unwrap();
    assert_eq!(started.len(), 2);
    let first = convene_store::enablers::engagements::engagement(&d.t.db, started[0])
        .await
        .unwrap();
    assert_eq!(
        (first.starts_on, first.ends_on),
        (date(2014, 6, 2), date(2015, 3, 31))
    );
    let sent: Vec<String> = convene_store::outbox::recent(&d.t.db, 50)
        .await
        .unwrap()
        .into_iter()
        .filter(|m| m.subject.contains("are matched"))
        .map(|m| m.to_address)
        .collect();
    assert!(
        sent.contains(&"fern.enabler@example.org".to_string())
            && sent.contains(&"hazel.enabler@example.org".to_string()),
        "{sent:?}"
    );
    let again = matching::confirm(app, admin, lv, (run.id, run.version + 2), date(2014, 6, 2)).await;
    assert!(
        matches!(again, Err(PanelError::Stale)),
        "confirmed once: {again:?}"
    );
    d.t.remove().await;
}

#[tokio::test]
async fn choosing_and_matching_sqlite() {
    choosing_and_matching(Backend::Sqlite).await;
}

#[tokio::test]
async fn choosing_and_matching_postgres() {
    choosing_and_matching(Backend::Postgres).await;
}
