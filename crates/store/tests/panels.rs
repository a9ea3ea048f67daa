#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests fail loudly by design.
//! The panel-review store (`convene_store::panels`), on SQLite and on PostgreSQL alike.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use convene_domain::accounts::{Grant, Role};
use convene_domain::imports::{self, NewOrganisation, Row};
use convene_domain::panels::conflicts::{ConflictWith, Parties};
use convene_domain::panels::rubric::Rubric;
use convene_domain::panels::scoring::CriterionScore;
use convene_domain::programmes::OrgId;
use convene_domain::{ApplicationId, Email, PlaceId, RoundId, Timestamp, UserId};
use convene_store::organisations::{organisation_id, upsert_organisation, upsert_place};
use convene_store::panels::assignment::{self, Assigned, Change, Run};
use convene_store::panels::reviews::{self, ModerationSave, ReviewSave, ReviewSaved};
use convene_store::panels::{self, MemberSettings, conflicts};
use convene_store::testing::{Backend, TestDb};
use convene_store::{Db, StoreError, Tx, applications, demo, forms, on_db, programmes, users};

const NOW: Timestamp = Timestamp(1_700_000_000_000_000);

/// Awaits a store call that must succeed.
macro_rules! ok {
    ($call:expr) => {
        $call.await.unwrap()
    };
}

/// Runs one store write in a transaction of its own and commits it; the write must succeed.
macro_rules! committed {
    ($db:expr, |$tx:ident| $call:expr) => {{
        let mut tx = $db.begin().await.unwrap();
        let $tx = &mut tx;
        let out = $call.await.unwrap();
        tx.commit().await.unwrap();
        out
    }};
}

/// The demo data, and in its open round `a` (from Quill, made up here), `b` (from the demo's
/// Westermoor) and a draft. The 2013 round's own submitted application (`other_app`) is
/// what nothing done to the open round may touch.
struct Fixture {
    t: TestDb,
    round: RoundId,
    other_round: RoundId,
    other_app: ApplicationId,
    a: ApplicationId,
    b: ApplicationId,
    /// Who `a` and `b` name, partners sorted.
    pa: Parties,
    pb: Parties,
    /// Reviewers Ash, Birch, Cedar and Dale.
    people: [UserId; 4],
}

/// An application and the member reviewing (or moderating) it.
type Who = (ApplicationId, UserId);

/// Runs `body` on a fresh fixture (and its database) on each store.
async fn on_both(body: impl AsyncFn(&Fixture, &Db)) {
    for backend in Backend::BOTH {
        // Shown with a failure's output: which store it failed on.
        eprintln!("on {backend:?}");
        let f = Fixture::new(backend).await;
        body(&f, &f.t.db).await;
        f.t.remove().await;
    }
}

/// Quill's organisation of this kind (`Council`), made up.
async fn organisation(tx: &mut Tx, kind: &str) -> i64 {
    let org_id = OrgId::parse(&format!("GB-TEST-QUILL-{kind}")).unwrap();
    let (name, kind) = (format!("Quill {kind}"), "charity".into());
    ok!(upsert_organisation(tx, &NewOrganisation { org_id, name, kind }))
}

async fn application(db: &Db, round: RoundId, place: PlaceId, form: i64, submit: bool) -> ApplicationId {
    let (id, _) = committed!(db, |tx| applications::start(tx, round, place, form, None, NOW));
    if submit {
        committed!(db, |tx| applications::submit(tx, ApplicationId(id), NOW));
    }
    ApplicationId(id)
}

async fn place_id(db: &Db, reference: &str) -> PlaceId {
    PlaceId(ok!(programmes::place_by_reference(db, reference)).unwrap())
}

/// Quill, a made-up place with an accountable body and two partners.
async fn quill(tx: &mut Tx) -> Parties {
    let council = organisation(tx, "Council").await;
    let hospice = organisation(tx, "Hospice").await;
    let housing = organisation(tx, "Housing").await;
    let cells = HashMap::from([("reference", "PL-9001"), ("name", "Quill"), ("kind", "council")]);
    let place = imports::place(&Row { line: 2, cells }).unwrap();
    let place_id = PlaceId(ok!(upsert_place(tx, &place, Some(council), &[hospice, housing])));
    Parties {
        place_id,
        accountable_organisation: Some(council),
        // Made in this order, so sorted.
        partners: vec![hospice, housing],
    }
}

/// Westermoor as the demo makes it: three partners, its council (one of them) accountable.
async fn westermoor(db: &Db, tx: &mut Tx) -> Parties {
    let mut partners = Vec::new();
    for suffix in ["COUNCIL", "CCG", "CVS"] {
        let org_id = format!("GB-DEMO-PL-0001-{suffix}");
        partners.push(ok!(organisation_id(tx, &org_id)).unwrap());
    }
    let council = ok!(organisation_id(tx, "GB-DEMO-PL-0001-COUNCIL")).unwrap();
    partners.sort();
    let place_id = place_id(db, "PL-0001").await;
    Parties {
        place_id,
        accountable_organisation: Some(council),
        partners,
    }
}

impl Fixture {
    async fn new(backend: Backend) -> Fixture {
        let t = TestDb::new(backend).await;
        let db = &t.db;
        ok!(demo::load(db, NOW));
        let rounds = ok!(programmes::all_rounds(db));
        let round_of = |slug: &str| rounds.iter().find(|r| r.slug == slug).unwrap().id;
        let (round, other_round) = (round_of("demo-open"), round_of("2013"));
        let form = ok!(forms::current(db, round)).unwrap().id;
        let mut tx = db.begin().await.unwrap();
        let (pa, pb) = (quill(&mut tx).await, westermoor(db, &mut tx).await);
        let mut people = Vec::new();
        for name in ["Ash", "Birch", "Cedar", "Dale"] {
            let email = Email::parse(&format!("reviewer.{}@example.org", name.to_lowercase())).unwrap();
            let name = format!("Reviewer {name}");
            people.push(UserId(ok!(users::create(&mut tx, &email, &name, "x", NOW))));
        }
        tx.commit().await.unwrap();
        let a = application(db, round, pa.place_id, form, true).await;
        let b = application(db, round, pb.place_id, form, true).await;
        application(db, round, place_id(db, "PL-0002").await, form, false).await;
        let apps = ok!(applications::for_places(db, &[place_id(db, "PL-0009").await.0]));
        let other_app = apps.iter().find(|x| x.round_id == other_round).unwrap().id;
        Fixture {
            t,
            round,
            other_round,
            other_app,
            a,
            b,
            pa,
            pb,
            people: people.try_into().unwrap(),
        }
    }

    /// The round an application is in.
    async fn round_of(&self, app: ApplicationId) -> RoundId {
        ok!(applications::by_id(&self.t.db, app.0)).unwrap().round_id
    }

    async fn put(&self, round: RoundId, user: UserId, load_cap: u32, region: Option<&str>, themes: &[&str]) {
        let themes: Vec<String> = themes.iter().map(|t| t.to_string()).collect();
        let settings = MemberSettings {
            load_cap,
            region,
            themes: &themes,
        };
        committed!(&self.t.db, |tx| panels::put_member(
            tx, round, user, settings, NOW
        ));
    }

    /// The round's panel in order, the chair starred.
    async fn panel(&self) -> String {
        let members = ok!(panels::members(&self.t.db, self.round));
        let star = |chair: bool| if chair { "*" } else { "" };
        let names: Vec<String> = members.into_iter().map(|m| m.name + star(m.is_chair)).collect();
        names.join(", ")
    }

    async fn declare(&self, round: RoundId, user: UserId, with: ConflictWith, reason: &str, at: i64) -> i64 {
        let (db, at) = (&self.t.db, NOW.plus_seconds(at));
        committed!(db, |tx| conflicts::declare(tx, round, user, with, reason, at))
    }

    async fn record(&self, round: RoundId, at: i64, outcome: &str, pairs: &[Assigned]) -> i64 {
        let total = pairs.iter().map(|p| p.affinity).sum();
        let (db, run, by) = (&self.t.db, run(at, outcome, total), self.people[3]);
        committed!(db, |tx| assignment::record_run(tx, round, by, &run, pairs))
    }

    async fn assignments(&self, round: RoundId) -> Vec<Assigned> {
        ok!(assignment::assignments(&self.t.db, round))
    }

    /// Saves a review over version `over`, `over + 1` seconds past NOW: its new version, or
    /// None when stale.
    async fn save(&self, who: Who, over: i64, scores: &[CriterionScore], submit: bool) -> Option<i64> {
        let save = ReviewSave {
            round_id: self.round_of(who.0).await,
            application_id: who.0,
            user_id: who.1,
            expected_version: over,
            scores,
            submit,
        };
        let (db, at) = (&self.t.db, NOW.plus_seconds(over + 1));
        match committed!(db, |tx| reviews::save(tx, &save, at)) {
            ReviewSaved::Saved { version } => Some(version),
            ReviewSaved::Stale => None,
        }
    }

    /// Moderates over version `over`, `over + 1` seconds past NOW.
    async fn moderate(&self, (app, by): Who, over: i64, agreed_tenths: i64, note: &str) -> Option<i64> {
        let save = ModerationSave {
            round_id: self.round_of(app).await,
            application_id: app,
            expected_version: over,
            agreed_tenths,
            note,
            by,
        };
        let (db, at) = (&self.t.db, NOW.plus_seconds(over + 1));
        committed!(db, |tx| reviews::moderate(tx, &save, at))
    }
}

fn run(at: i64, outcome: &str, total_affinity: i64) -> Run {
    Run {
        id: 0,
        run_at: NOW.plus_seconds(at),
        outcome: outcome.into(),
        total_affinity,
        explanation: format!("{{\"run\":{at}}}"),
    }
}

fn pair(application_id: ApplicationId, user_id: UserId, affinity: i64) -> Assigned {
    Assigned {
        application_id,
        user_id,
        affinity,
        by_hand: false,
    }
}

/// A score on a criterion (`gain`, `issue`, `leadership`: short keys, listed in the order
/// the store gives them back, by key).
fn score(criterion: &str, score: Option<u8>) -> CriterionScore {
    CriterionScore {
        criterion: criterion.into(),
        score,
        comment: format!("{criterion} {score:?}"),
    }
}

/// The items' `f`s, in order.
fn each<T, U>(items: &[T], f: impl Fn(&T) -> U) -> Vec<U> {
    items.iter().map(f).collect()
}

#[tokio::test]
async fn a_member_is_put_once_with_one_grant_and_the_panel_has_one_chair() {
    on_both(async |f, db| {
        let ([ash, birch, cedar, dale], round, other_round) = (f.people, f.round, f.other_round);
        f.put(round, ash, 4, Some("North West"), &["Alcohol"]).await;
        // Put again: new settings, no second grant.
        f.put(round, ash, 6, None, &["Frailty", "Alcohol"]).await;
        let m = ok!(panels::member(db, round, ash)).unwrap();
        let themes = vec!["Frailty".to_string(), "Alcohol".to_string()];
        assert_eq!((m.load_cap, m.region, m.themes), (6, None, themes));
        let grant = |round: RoundId| Grant::new(Role::PanelMember, Some(round.0)).unwrap();
        assert_eq!(ok!(users::grants(db, ash)), [grant(round)]);
        f.put(other_round, ash, 2, None, &[]).await;
        assert_eq!(ok!(users::grants(db, ash)), [grant(round), grant(other_round)]);
        f.put(round, cedar, 3, Some("London"), &[]).await;
        f.put(round, birch, 3, None, &[]).await;
        assert_eq!(ok!(panels::member(db, round, dale)), None);
        assert_eq!(f.panel().await, "Reviewer Ash, Reviewer Birch, Reviewer Cedar");
        committed!(db, |tx| panels::set_chair(tx, round, cedar));
        assert_eq!(f.panel().await, "Reviewer Cedar*, Reviewer Ash, Reviewer Birch");
        // Another chair: the chair moves.
        committed!(db, |tx| panels::set_chair(tx, round, birch));
        assert_eq!(f.panel().await, "Reviewer Birch*, Reviewer Ash, Reviewer Cedar");
        // Refused, and the transaction dropped, as callers do on an error.
        let mut tx = db.begin().await.unwrap();
        let refused = panels::set_chair(&mut tx, round, dale).await;
        drop(tx);
        assert!(matches!(refused, Err(StoreError::NotFound)), "{refused:?}");
        assert_eq!(f.panel().await, "Reviewer Birch*, Reviewer Ash, Reviewer Cedar");
        // The other round's panel is its own: Ash is on it, not its chair.
        let other = ok!(panels::members(db, other_round));
        assert_eq!(each(&other, |m| (m.user_id, m.is_chair)), [(ash, false)]);
    })
    .await;
}

#[tokio::test]
async fn reviews_per_application_and_the_rubric_are_kept_per_round() {
    on_both(async |f, db| {
        let (round, other_round) = (f.round, f.other_round);
        assert_eq!(ok!(panels::reviews_per_application(db, round)), 3);
        committed!(db, |tx| panels::set_reviews_per_application(tx, round, 5));
        assert_eq!(ok!(panels::reviews_per_application(db, round)), 5);
        assert_eq!(ok!(panels::reviews_per_application(db, other_round)), 3);
        let missing = panels::reviews_per_application(db, RoundId(999_999)).await;
        assert!(matches!(missing, Err(StoreError::NotFound)), "{missing:?}");
        assert_eq!(ok!(panels::rubric(db, round)), None);
        let rubric = Rubric::local_vision();
        committed!(db, |tx| panels::set_rubric(tx, round, &rubric, NOW));
        assert_eq!(ok!(panels::rubric(db, round)), Some(rubric.clone()));
        let mut changed = rubric.clone();
        changed.criteria[0].title = "The issue, in a sentence".into();
        changed.criteria.swap(1, 2);
        committed!(db, |tx| panels::set_rubric(tx, round, &changed, NOW));
        assert_eq!(ok!(panels::rubric(db, round)), Some(changed));
        assert_eq!(ok!(panels::rubric(db, other_round)), None);
    })
    .await;
}

#[tokio::test]
async fn conflicts_are_listed_by_member_and_round_with_names() {
    on_both(async |f, db| {
        let ([ash, birch, cedar, _], round, other_round) = (f.people, f.round, f.other_round);
        let org = ConflictWith::Organisation(f.pa.accountable_organisation.unwrap());
        let place = ConflictWith::Place(f.pa.place_id);
        let c1 = f.declare(round, ash, org, "Worked there", 1).await;
        let c2 = f.declare(round, ash, place, "Lives there", 2).await;
        let hospice = ConflictWith::Organisation(f.pa.partners[0]);
        let c3 = f.declare(round, birch, hospice, "Trustee", 3).await;
        let westermoor = ConflictWith::Place(f.pb.place_id);
        f.declare(other_round, ash, westermoor, "Another round", 4).await;
        let mine = ok!(conflicts::of_member(db, round, ash));
        let seen = each(&mine, |d| (d.id, d.user_id, d.with, d.declared_at));
        assert_eq!(
            seen,
            [
                (c1, ash, org, NOW.plus_seconds(1)),
                (c2, ash, place, NOW.plus_seconds(2))
            ]
        );
        let seen = each(&mine, |d| format!("{}: {}", d.name, d.reason));
        assert_eq!(seen, ["Quill Council: Worked there", "Quill: Lives there"]);
        assert!(ok!(conflicts::of_member(db, round, cedar)).is_empty());
        let all = ok!(conflicts::of_round(db, round));
        let seen = each(&all, |d| (d.id, d.user_id));
        assert_eq!(seen, [(c1, ash), (c2, ash), (c3, birch)]);
        assert_eq!(all[2].name, "Quill Hospice");
        let other = ok!(conflicts::of_round(db, other_round));
        assert_eq!(each(&other, |d| d.name.clone()), ["Westermoor"]);
    })
    .await;
}

#[tokio::test]
async fn parties_and_declarable_name_only_submitted_applications() {
    on_both(async |f, db| {
        // The store gives partners in no set order.
        let sorted = |mut parties: Parties| {
            parties.partners.sort();
            parties
        };
        assert_eq!(sorted(ok!(conflicts::parties(db, f.a))), f.pa);
        assert_eq!(sorted(ok!(conflicts::parties(db, f.b))), f.pb);
        let missing = conflicts::parties(db, ApplicationId(999_999)).await;
        assert!(matches!(missing, Err(StoreError::NotFound)), "{missing:?}");
        let round = ok!(conflicts::parties_of_round(db, f.round));
        let round: BTreeMap<_, _> = round.into_iter().map(|(id, p)| (id, sorted(p))).collect();
        // Not the draft, nor the 2013 round's.
        assert_eq!(round, BTreeMap::from([(f.a, f.pa.clone()), (f.b, f.pb.clone())]));
        let declarable = ok!(conflicts::declarable(db, f.round));
        let places = each(&declarable.places, |(id, n)| (*id, n.clone()));
        let want = [(f.pa.place_id, "Quill"), (f.pb.place_id, "Westermoor")];
        assert_eq!(places, want.map(|(id, n)| (id, n.to_string())));
        let names = each(&declarable.organisations, |(_, n)| n.clone());
        let westermoor = ["Clinical Commissioning Group", "Council", "Voluntary Action"];
        let westermoor = westermoor.map(|n| format!("Westermoor {n}"));
        assert_eq!(names[..3], ["Quill Council", "Quill Hospice", "Quill Housing"]);
        assert_eq!(names[3..], westermoor);
        let ids = BTreeSet::from_iter(each(&declarable.organisations, |(id, _)| *id));
        let council = f.pa.accountable_organisation.unwrap();
        let want = [&f.pa.partners[..], &f.pb.partners, &[council]].concat();
        assert_eq!(ids, BTreeSet::from_iter(want));
    })
    .await;
}

#[tokio::test]
async fn a_conflict_row_names_exactly_one_organisation_or_place() {
    on_both(async |f, db| {
        let insert = async |org: Option<i64>, place: Option<PlaceId>| {
            on_db!(db, |pool| sqlx::query(
                "INSERT INTO conflicts (round_id, user_id, organisation_id, place_id, reason, declared_at) \
                 VALUES ($1, $2, $3, $4, 'raw', 0)"
            )
            .bind(f.round.0)
            .bind(f.people[0].0)
            .bind(org)
            .bind(place.map(|p| p.0))
            .execute(pool)
            .await
            .map(|_| ()))
        };
        let (org, place) = (f.pa.accountable_organisation, Some(f.pa.place_id));
        assert!(insert(org, None).await.is_ok());
        assert!(insert(None, place).await.is_ok());
        assert!(insert(org, place).await.is_err(), "both");
        assert!(insert(None, None).await.is_err(), "neither");
        assert_eq!(ok!(conflicts::of_round(db, f.round)).len(), 2);
    })
    .await;
}

#[tokio::test]
async fn bids_are_upserted_and_read_by_round_and_member() {
    on_both(async |f, db| {
        let ([ash, birch, cedar, _], round, a, b) = (f.people, f.round, f.a, f.b);
        let bid = async |app: ApplicationId, user: UserId, bid: u8| {
            committed!(db, |tx| assignment::set_bid(tx, app, user, bid, NOW))
        };
        bid(a, ash, 2).await;
        bid(b, ash, 1).await;
        bid(a, birch, 3).await;
        bid(f.other_app, ash, 3).await;
        // A second bid replaces the first.
        bid(a, ash, 0).await;
        let mine = ok!(assignment::bids_of_member(db, round, ash));
        assert_eq!(mine, BTreeMap::from([(a, 0), (b, 1)]));
        let mut all = ok!(assignment::bids_of_round(db, round));
        all.sort();
        assert_eq!(all, [(a, ash, 0), (a, birch, 3), (b, ash, 1)]);
        assert!(ok!(assignment::bids_of_member(db, round, cedar)).is_empty());
        let other = ok!(assignment::bids_of_round(db, f.other_round));
        assert_eq!(other, [(f.other_app, ash, 3)]);
    })
    .await;
}

#[tokio::test]
async fn a_run_with_pairs_replaces_the_rounds_and_a_short_run_keeps_them() {
    on_both(async |f, db| {
        let ([ash, birch, cedar, _], round, a, b) = (f.people, f.round, f.a, f.b);
        assert_eq!(ok!(assignment::latest_run(db, round)), None);
        let other = [pair(f.other_app, ash, 2)];
        f.record(f.other_round, 0, "assigned", &other).await;
        let first = [pair(a, ash, 3), pair(a, birch, 2), pair(b, cedar, 1)];
        let first_id = f.record(round, 10, "assigned", &first).await;
        assert_eq!(f.assignments(round).await, first);
        let latest = ok!(assignment::latest_run(db, round)).unwrap();
        assert_eq!((latest.id, latest.total_affinity), (first_id, 6));
        let second = [pair(a, ash, 1), pair(b, birch, 2)];
        f.record(round, 20, "assigned", &second).await;
        assert_eq!(f.assignments(round).await, second);
        // A short run (no pairs) is recorded but keeps the pairs.
        let short = f.record(round, 30, "short", &[]).await;
        assert_eq!(f.assignments(round).await, second);
        let mut want = run(30, "short", 0);
        want.id = short;
        assert_eq!(ok!(assignment::latest_run(db, round)), Some(want));
        // Another round's pairs stay.
        assert_eq!(f.assignments(f.other_round).await, other);
        assert_eq!(ok!(assignment::assigned_to(db, round, ash)), [second[0]]);
        assert!(ok!(assignment::assigned_to(db, round, cedar)).is_empty());
        assert!(ok!(assignment::is_assigned(db, a, ash)));
        assert!(!ok!(assignment::is_assigned(db, b, ash)));
        assert!(!ok!(assignment::is_assigned(db, b, cedar)));
    })
    .await;
}

#[tokio::test]
async fn a_hand_change_swaps_one_pair_and_records_what_it_lost() {
    on_both(async |f, db| {
        let ([ash, birch, cedar, dale], round, a, b) = (f.people, f.round, f.a, f.b);
        let first = [pair(a, ash, 3), pair(a, birch, 2), pair(b, birch, 1)];
        f.record(round, 10, "assigned", &first).await;
        let change = |removed: Option<UserId>, added: Option<UserId>| Change {
            application_id: a,
            removed,
            added,
            affinity_lost: 3,
            changed_at: NOW.plus_seconds(20),
        };
        let swap = change(Some(ash), Some(cedar));
        assert!(committed!(db, |tx| assignment::change(tx, round, dale, &swap, 0)));
        let mut by_hand = pair(a, cedar, 0);
        by_hand.by_hand = true;
        let after = vec![pair(a, birch, 2), by_hand, pair(b, birch, 1)];
        assert_eq!(f.assignments(round).await, after);
        assert_eq!(ok!(assignment::changes(db, round)), std::slice::from_ref(&swap));
        // Refused, each transaction then dropped as callers do: Ash is off `a`, Birch on it, no one out.
        let (ash_gone, birch_there) = (change(Some(ash), Some(dale)), change(Some(cedar), Some(birch)));
        for refused in [ash_gone, birch_there, change(None, Some(dale))] {
            let mut tx = db.begin().await.unwrap();
            let done = ok!(assignment::change(&mut tx, round, dale, &refused, 0));
            assert!(!done, "{refused:?}");
        }
        assert_eq!(f.assignments(round).await, after);
        assert_eq!(ok!(assignment::changes(db, round)), [swap]);
    })
    .await;
}

#[tokio::test]
async fn a_review_is_saved_over_its_version_and_final_once_submitted() {
    on_both(async |f, db| {
        let who = (f.a, f.people[0]);
        let stored = async || ok!(reviews::review(db, who.0, who.1)).unwrap();
        assert!(!ok!(reviews::any_in_round(db, f.round)));
        let first = [score("gain", None), score("issue", Some(3))];
        assert_eq!(f.save(who, 0, &first, false).await, Some(1));
        assert!(ok!(reviews::any_in_round(db, f.round)));
        assert!(!ok!(reviews::any_in_round(db, f.other_round)));
        let r = stored().await;
        assert_eq!((r.version, r.submitted(), r.scores), (1, false, first.to_vec()));
        // Saved over a version that is no longer the latest: nothing is written.
        let other_tab = [score("issue", Some(1))];
        assert_eq!(f.save(who, 0, &other_tab, false).await, None);
        assert_eq!(stored().await.scores, first);
        let second = [score("issue", Some(4)), score("leadership", Some(2))];
        assert_eq!(f.save(who, 1, &second, false).await, Some(2));
        assert_eq!(f.save(who, 1, &other_tab, false).await, None);
        let r = stored().await;
        let seen = (r.version, r.updated_at, r.scores);
        assert_eq!(seen, (2, NOW.plus_seconds(2), second.to_vec()));
        assert_eq!(f.save(who, 2, &second, true).await, Some(3));
        let three = NOW.plus_seconds(3);
        assert_eq!(stored().await.submitted_at, Some(three));
        // Submitted is final, even saved over the latest version.
        assert_eq!(f.save(who, 3, &other_tab, false).await, None);
        assert_eq!(f.save(who, 3, &other_tab, true).await, None);
        let r = stored().await;
        let seen = (r.version, r.updated_at, r.submitted_at, r.scores);
        assert_eq!(seen, (3, three, Some(three), second.to_vec()));
    })
    .await;
}

#[tokio::test]
async fn only_submitted_reviews_of_the_round_are_listed_with_their_scores() {
    on_both(async |f, db| {
        let ([ash, birch, cedar, _], round, a, b) = (f.people, f.round, f.a, f.b);
        let mut full = vec![score("gain", Some(3)), score("issue", Some(4))];
        full.push(score("leadership", None));
        let one = [score("issue", Some(2))];
        f.save((a, ash), 0, &full, true).await;
        f.save((a, birch), 0, &one, false).await;
        f.save((b, cedar), 0, &one, true).await;
        f.save((f.other_app, ash), 0, &one, true).await;
        let submitted = ok!(reviews::submitted_in_round(db, round));
        let pairs = each(&submitted, |r| (r.application_id, r.user_id));
        // Not Birch's draft, nor Ash's review in the 2013 round.
        assert_eq!(pairs, [(a, ash), (b, cedar)]);
        assert_eq!(submitted[0].scores, full);
        // A criterion without a score is left out of the map.
        let map = BTreeMap::from([("issue".to_string(), 4), ("gain".to_string(), 3)]);
        assert_eq!(submitted[0].score_map(), map);
        assert_eq!(
            submitted[1].score_map(),
            BTreeMap::from([("issue".to_string(), 2)])
        );
        let of_a = ok!(reviews::of_application(db, a));
        let seen = each(&of_a, |r| (r.user_id, r.submitted()));
        assert_eq!(seen, [(ash, true), (birch, false)]);
        let mine = ok!(reviews::of_member(db, round, ash));
        assert_eq!(each(&mine, |r| r.application_id), [a]);
    })
    .await;
}

#[tokio::test]
async fn moderation_is_saved_over_its_version_and_the_later_save_is_told() {
    on_both(async |f, db| {
        let ([ash, birch, cedar, _], a, b) = (f.people, f.a, f.b);
        assert_eq!(ok!(reviews::moderation(db, a)), None);
        assert_eq!(f.moderate((a, ash), 0, 35, "Strong").await, Some(1));
        assert_eq!(f.moderate((a, birch), 0, 40, "Other tab").await, None);
        let m = ok!(reviews::moderation(db, a)).unwrap();
        let seen = (m.application_id, m.agreed_tenths, m.note.as_str(), m.version);
        assert_eq!(seen, (a, 35, "Strong", 1));
        assert_eq!((m.updated_by, m.updated_at), (Some(ash), NOW.plus_seconds(1)));
        assert_eq!(f.moderate((a, birch), 1, 42, "Agreed").await, Some(2));
        assert_eq!(f.moderate((a, cedar), 1, 20, "Too late").await, None);
        // The first save over version 1 stands.
        let m = ok!(reviews::moderation(db, a)).unwrap();
        let seen = (m.agreed_tenths, m.note.as_str(), m.version, m.updated_by);
        assert_eq!(seen, (42, "Agreed", 2, Some(birch)));
        assert_eq!(f.moderate((b, ash), 0, 30, "Fair").await, Some(1));
        assert_eq!(f.moderate((f.other_app, ash), 0, 25, "Elsewhere").await, Some(1));
        let all = ok!(reviews::moderations(db, f.round));
        assert_eq!(all.keys().copied().collect::<Vec<_>>(), [a, b]);
        assert_eq!((all[&a].application_id, all[&a].note.as_str()), (a, "Agreed"));
        assert_eq!((all[&b].application_id, all[&b].note.as_str()), (b, "Fair"));
    })
    .await;
}
