#![allow(clippy::unwrap_used)] // Tests fail loudly by design.
//! The demo's awards and the 2013 round's decisions, on both stores: loaded twice, the
//! second load changes nothing.

use crate::awards::{self as store, decisions, letters, open_data};
use crate::testing::{Backend, TestDb};
use crate::{Db, on_db, programmes};
use convene_domain::awards::{AwardStatus, LetterKind, Outcome};
use convene_domain::{Pence, PlaceId, Timestamp};

const NOW: Timestamp = Timestamp(1_700_000_000_000_000);

/// How many rows the demo's tables hold.
async fn counts(db: &Db) -> Vec<(&'static str, i64)> {
    let mut out = Vec::new();
    for table in [
        "awards",
        "decisions",
        "outcome_letters",
        "places",
        "place_areas",
        "applications",
        "signoffs",
        "outbox",
        "enablers",
        "engagements",
        "contact_entries",
        "contact_queries",
    ] {
        let sql = format!("SELECT COUNT(*) FROM {table}");
        let (n,): (i64,) = on_db!(db, |pool| sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .fetch_one(pool)
            .await
            .unwrap());
        out.push((table, n));
    }
    out
}

#[tokio::test]
async fn the_demo_shows_its_awards_once() {
    for backend in Backend::BOTH {
        let t = TestDb::new(backend).await;
        super::load(&t.db, NOW).await.unwrap();
        let first = counts(&t.db).await;
        super::load(&t.db, NOW).await.unwrap();
        assert_eq!(
            counts(&t.db).await,
            first,
            "{backend:?}: a second load changes nothing"
        );
        let of = |table: &str| first.iter().find(|(t, _)| *t == table).unwrap().1;
        assert_eq!(
            (of("awards"), of("decisions"), of("outcome_letters")),
            (30, 30, 30),
            "{backend:?}"
        );
        assert_eq!(
            (of("places"), of("place_areas"), of("outbox")),
            (71, 3, 0),
            "{backend:?}"
        );
        let lv = programmes::by_slug(&t.db, "local-vision").await.unwrap().unwrap();
        let fund = store::fund(&t.db, lv.id).await.unwrap();
        assert_eq!(fund.total(), Pence::pounds(1_350_000), "{backend:?}");
        assert_eq!(fund.awarded, Pence::pounds(1_050_000), "{backend:?}");
        assert_eq!(
            (fund.left(), fund.available()),
            (Pence::pounds(300_000), Pence::pounds(300_000))
        );
        assert_eq!(
            open_data::grant_prefix(&t.db, lv.id).await.unwrap(),
            "360G-localvision"
        );
        let awards = store::of_programme(&t.db, lv.id).await.unwrap();
        assert!(
            awards
                .iter()
                .all(|a| a.status == AwardStatus::Accepted && a.announced_at.is_some()),
            "{backend:?}"
        );
        let earlier: Vec<&str> = awards
            .iter()
            .filter(|a| a.round_id.is_none())
            .map(|a| a.reference.as_str())
            .collect();
        assert_eq!(
            earlier,
            (1..=8).map(|n| format!("LV-2012-0{n}")).collect::<Vec<_>>()
        );
        round_2013(&t.db, backend).await;
        places(&t.db, lv.id, backend).await;
        t.remove().await;
    }
}

/// The 2013 round: 22 funded, 4 reserve, 4 not funded, every letter sent on the
/// notification date; its first four applications keep their states.
async fn round_2013(db: &Db, backend: Backend) {
    let rounds = programmes::all_rounds(db).await.unwrap();
    let round = rounds.iter().find(|r| r.slug == "2013").unwrap();
    let decided = decisions::of_round(db, round.id).await.unwrap();
    let n = |o: Outcome| decided.iter().filter(|d| d.outcome == o).count();
    assert_eq!(
        (n(Outcome::Fund), n(Outcome::Reserve), n(Outcome::Decline)),
        (22, 4, 4)
    );
    let sent = letters::of_round(db, round.id).await.unwrap();
    assert!(
        sent.iter().all(|l| l.sent_at == Some(round.notify_by)),
        "{backend:?}"
    );
    let funded = sent.iter().filter(|l| l.kind == LetterKind::Funded).count();
    assert_eq!(funded, 22);
    let awards = store::of_round(db, round.id).await.unwrap();
    assert_eq!(awards.len(), 22);
    assert!(awards.iter().all(|a| a.offered_at == round.notify_by
        && a.value == Pence::pounds(35_000)
        && a.match_pledge == Pence::pounds(10_000)));
    let oakhurst = crate::applications::by_reference(db, "LV-2013-0001")
        .await
        .unwrap()
        .unwrap();
    let award = store::of_application(db, oakhurst.id).await.unwrap().unwrap();
    assert_eq!(
        (award.place_name.as_str(), award.status),
        ("Oakhurst Cross", AwardStatus::Accepted)
    );
    let mut states = Vec::new();
    for reference in ["PL-0009", "PL-0010", "PL-0011", "PL-0012"] {
        let place = programmes::place_by_reference(db, reference)
            .await
            .unwrap()
            .unwrap();
        let mine = crate::applications::for_place_in_round(db, round.id, PlaceId(place))
            .await
            .unwrap();
        states.push(mine.unwrap().status.key());
    }
    assert_eq!(states, ["submitted", "awaiting_signoff", "withdrawn", "draft"]);
    let third = rounds.iter().find(|r| r.slug == "2026-third-round").unwrap();
    assert!(decisions::of_round(db, third.id).await.unwrap().is_empty());
}

/// Every place has a council accountable for it and its own well-formed ONS code; the
/// funded places are underway; the integrated care system is listed as its councils.
async fn places(db: &Db, programme: convene_domain::ProgrammeId, backend: Backend) {
    let rows: Vec<(String, String, Option<String>, Option<i64>)> = on_db!(db, |pool| sqlx::query_as(
        "SELECT reference, kind, ons_code, accountable_organisation_id FROM places ORDER BY reference"
    )
    .fetch_all(pool)
    .await
    .unwrap());
    let mut codes = std::collections::BTreeSet::new();
    for (reference, kind, code, accountable) in &rows {
        let code = code.clone().unwrap();
        let entity = if kind == "ics" { "E54" } else { "E0" };
        assert!(code.starts_with(entity) && convene_domain::programmes::parse_ons_code(&code).is_ok());
        assert!(
            accountable.is_some() && codes.insert(code),
            "{backend:?} {reference}"
        );
    }
    let underway = programmes::places_in(db, programme)
        .await
        .unwrap()
        .iter()
        .filter(|p| p.in_programme(programme).and_then(|m| m.status.as_deref()) == Some("underway"))
        .count();
    assert_eq!(underway, 30, "{backend:?}");
    let ics = programmes::place_by_reference(db, "PL-0046")
        .await
        .unwrap()
        .unwrap();
    let areas = open_data::areas(db, PlaceId(ics)).await.unwrap();
    assert_eq!(areas.len(), 3, "{backend:?}");
    assert!(areas.iter().all(|(code, _)| code.starts_with("E0")));
}

#[tokio::test]
async fn the_demo_pool_holds_a_year_of_support() {
    use crate::enablers::{self as pool, PoolStatus, engagements, queries};
    use convene_domain::engagements::{Minutes, Pace, pace};
    for backend in Backend::BOTH {
        let t = TestDb::new(backend).await;
        super::load(&t.db, NOW).await.unwrap();
        let lv = programmes::by_slug(&t.db, "local-vision").await.unwrap().unwrap();
        let enablers = pool::of_programme(&t.db, lv.id).await.unwrap();
        assert_eq!(enablers.len(), 12, "{backend:?}");
        assert!(enablers.iter().all(|e| e.status == PoolStatus::Approved));
        let eden = enablers
            .iter()
            .find(|e| e.email == "eden.enabler@example.org")
            .unwrap();
        let caseload = engagements::of_enabler(&t.db, eden.id).await.unwrap();
        assert_eq!(caseload.len(), 3, "{backend:?}: Eden's caseload");
        let all = engagements::of_programme(&t.db, lv.id).await.unwrap();
        assert_eq!(
            all.len(),
            23,
            "{backend:?}: 22 places of 2013 and the printed lead's"
        );
        // Judged on 31 January 2014, one engagement is well under pace and none over.
        let on = jiff::civil::date(2014, 1, 31);
        let mut behind = 0;
        for e in &all {
            let contact = engagements::contact(&t.db, e.id).await.unwrap();
            let used = Minutes(
                contact
                    .iter()
                    .filter(|c| c.on_date <= on)
                    .map(|c| c.minutes)
                    .sum(),
            );
            match pace(Minutes(e.allocation_minutes), used, e.starts_on, e.ends_on, on).unwrap() {
                Pace::Behind { .. } => behind += 1,
                Pace::OnPace => {}
                other => panic!("{backend:?}: {other:?}"),
            }
        }
        assert_eq!(behind, 1, "{backend:?}");
        let queried = queries::of_engagement(&t.db, caseload[0].id).await.unwrap();
        assert!(queried.len() == 1 && queried[0].answer.is_some() && queried[0].settled_at.is_none());
        t.remove().await;
    }
}
