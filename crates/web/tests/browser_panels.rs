#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests fail loudly by design.
//! The panel review's acceptance journey in a real headless Chromium, with the keyboard
//! alone, once with JavaScript on (axe-core on every page, screenshots at desktop and phone
//! widths) and once with it off: a member declares conflicts of interest; the programme
//! admin is refused a re-run once scoring has begun, and on the 2013 round runs an
//! assignment that falls short, reads why, puts it right and runs it again; three
//! reviewers score one application and disagree, so it is flagged; the chair moderates it.
//! Then every panel page, with and without errors, goes through the Nu HTML Checker.

#[path = "common/browser.rs"]
mod chromium;
mod common;
#[path = "browser_panels/pages.rs"]
mod pages;

use chromium::{Walk, browser, choose, heading, sign_out, start_driver, tick};
use common::TestApp;
use convene_domain::{ApplicationId, Email, UserId};
use convene_store::panels::{assignment, conflicts, reviews};
use fantoccini::Locator;
use std::collections::BTreeMap;

const PRIYA: &str = "priya.programme@example.org";
const PAT: &str = "pat.panel@example.org";
/// Declares the conflicts (in both rounds) and scores nothing here.
const ROBIN: &str = "robin.reviewsmith@example.org";
const JORDAN: &str = "jordan.judgeley@example.org";
const CASEY: &str = "casey.critwell@example.org";
const SUBMIT: &str = "button[name=action][value=submit]";
/// The Local Vision rubric's criteria, in order.
const CRITERIA: [&str; 5] = [
    "breakthrough_issue",
    "gain_for_residents",
    "leadership_impact",
    "sharing_lessons",
    "local_contribution",
];
/// Each reviewer's score on the first criterion: 2 and 4 differ by two points, so the
/// application is flagged. Every other criterion gets 3.
const FIRST_SCORES: [u8; 3] = [2, 4, 3];
const NOTE: &str = "The panel agreed the issue is well evidenced locally but thin on history.";

/// What the journey works on, read from the demo data before it starts.
pub struct Cast {
    pub third: i64,
    pub old: i64,
    /// The place of the 2013 round's LV-2013-0001 (Oakhurst Cross): Robin declares a
    /// conflict with it.
    pub old_place: (i64, String),
    /// How many applications the 2013 round has submitted: the load cap of each member put
    /// on its panel, so two members cover every application but the one Robin stands aside
    /// from, and three cover all.
    pub old_submitted: usize,
    /// The third round's place Robin declares a conflict with.
    pub declared: (i64, String),
    /// The application three reviewers score: none of them Pat or Robin, nobody has
    /// started reviewing it, and Pat has no conflict on it.
    pub scored: i64,
    pub reviewers: Vec<(String, String)>,
}

impl Cast {
    pub async fn read(app: &TestApp) -> Cast {
        let db = &app.state.db;
        let rounds = convene_store::programmes::all_rounds(db).await.unwrap();
        let round = |slug: &str| rounds.iter().find(|r| r.slug == slug).unwrap().id;
        let (third, old) = (round("2026-third-round"), round("2013"));
        let person = |email: &str| {
            let email = Email::parse(email).unwrap();
            async move { convene_store::users::by_email(db, &email).await.unwrap().unwrap() }
        };
        let (pat, robin) = (person(PAT).await.id, person(ROBIN).await.id);
        let lampwick = app.place_id("PL-0033").await;
        let mut by_application: BTreeMap<ApplicationId, Vec<UserId>> = BTreeMap::new();
        for p in assignment::assignments(db, third).await.unwrap() {
            by_application
                .entry(p.application_id)
                .or_default()
                .push(p.user_id);
        }
        let mut scored = None;
        for (id, users) in &by_application {
            let place = place_of(app, *id).await;
            if users.len() == 3
                && !users.contains(&pat)
                && !users.contains(&robin)
                && place != lampwick
                && reviews::of_application(db, *id).await.unwrap().is_empty()
            {
                scored = Some((*id, place, users.clone()));
                break;
            }
        }
        let (scored, scored_place, users) = scored.expect("an application nobody has reviewed");
        let mut reviewers = Vec::new();
        for u in users {
            let user = convene_store::users::by_id(db, u.0).await.unwrap().unwrap();
            reviewers.push((user.email, user.name));
        }
        // Robin's conflict: a place whose application Robin is not assigned.
        let places = conflicts::declarable(db, third).await.unwrap().places;
        let mut declared = None;
        for (id, users) in &by_application {
            let place = place_of(app, *id).await;
            if !users.contains(&robin) && place != scored_place && declared.is_none() {
                let name = places.iter().find(|(p, _)| p.0 == place).unwrap().1.clone();
                declared = Some((place, name));
            }
        }
        let old_application = convene_store::applications::by_reference(db, "LV-2013-0001")
            .await
            .unwrap()
            .unwrap();
        let submitted = convene_store::applications::ListFilter {
            status: Some(convene_domain::applications::ApplicationStatus::Submitted),
            ..Default::default()
        };
        let old_submitted = convene_store::applications::list(db, old, &submitted, 1, 100)
            .await
            .unwrap()
            .total as usize;
        let old_places = conflicts::declarable(db, old).await.unwrap().places;
        let old_place = old_places
            .into_iter()
            .find(|(p, _)| *p == old_application.place_id)
            .map(|(p, name)| (p.0, name))
            .unwrap();
        Cast {
            third: third.0,
            old: old.0,
            old_place,
            old_submitted,
            declared: declared.unwrap(),
            scored: scored.0,
            reviewers,
        }
    }
}

async fn place_of(app: &TestApp, id: ApplicationId) -> i64 {
    convene_store::applications::by_id(&app.state.db, id.0)
        .await
        .unwrap()
        .unwrap()
        .place_id
        .0
}

/// One browser walking the panel journey, with the keyboard alone.
type Journey<'a> = Walk<'a>;

/// From the programme admin's dashboard to a round's panel page, by links.
async fn admin_to_panel(j: &Journey<'_>, round_name: &str, look: &str) {
    j.dashboard().await;
    j.follow("Systems Leadership – Local Vision").await;
    j.follow(round_name).await;
    j.look(&format!("{look}-round")).await;
    j.follow("the round's panel page").await;
    assert!(heading(j.client).await.ends_with("Panel review"));
    j.look(&format!("{look}-panel-home")).await;
}

/// Puts someone on the panel with the admin's form: load, region, one theme.
async fn add_member(j: &Journey<'_>, email: &str, name: &str, region: &str, load_cap: usize) {
    j.type_into("email", email).await;
    j.type_into("load_cap", &load_cap.to_string()).await;
    choose(j.client, "region", region).await;
    tick(j.client, "themes-1").await;
    j.press("form[action$='/members'] button").await;
    j.confirmed(&format!("{email} is on the panel.")).await;
    let members = j.text("main table").await;
    assert!(members.contains(name) && members.contains(region), "{members}");
}

/// Priya puts Jordan and Robin on the 2013 round's panel, each able to review every
/// application, two reviews each, and is refused a re-run of the third round's assignment,
/// which reviewers have begun scoring.
async fn priya_prepares(j: &Journey<'_>, cast: &Cast) {
    j.sign_in(PRIYA).await;
    j.look("admin-dashboard").await;
    admin_to_panel(j, "Local Vision 2026: third round", "third").await;
    j.follow("Assignment of reviewers").await;
    j.look("assignment").await;
    j.press("#run button").await;
    assert!(j.errors().await.contains("Scoring has begun"));
    j.look("assignment-refused").await;

    admin_to_panel(j, "Local Vision 2013", "old").await;
    let cap = cast.old_submitted;
    add_member(j, JORDAN, "Jordan Judgeley", "South West", cap).await;
    add_member(j, ROBIN, "Robin Reviewsmith", "Yorkshire and the Humber", cap).await;
    j.type_into("reviews_per_application", "2").await;
    j.press("form[action$='/settings'] button").await;
    j.confirmed("Each application now needs 2 reviews.").await;
    assert_eq!(j.value("reviews_per_application").await, "2");
    j.look("old-panel-members").await;
    sign_out(j.client).await;
}

/// Robin declares a conflict in the third round (first with no reason: told, and the
/// choice kept), then one in the 2013 round.
async fn robin_declares(j: &Journey<'_>, cast: &Cast) {
    j.sign_in(ROBIN).await;
    j.look("member-dashboard").await;
    j.press(&format!("main a[href='/panels/{}']", cast.third)).await;
    j.look("member-panel-home").await;
    j.follow("Conflicts of interest").await;
    j.look("conflicts").await;
    let (place, name) = &cast.declared;
    let with = format!("place:{place}");
    choose(j.client, "with", &with).await;
    j.press("form[action$='/conflicts'] button").await;
    assert!(
        j.errors()
            .await
            .contains("Say why you have a conflict of interest")
    );
    assert!(j.error_beside("reason").await.contains("Say why"));
    assert_eq!(j.value("with").await, with, "the choice is kept");
    j.look("conflicts-error").await;
    let reason = format!("My sister chairs the {name} partnership board.");
    j.type_into("reason", &reason).await;
    j.press("form[action$='/conflicts'] button").await;
    j.confirmed("Your conflict of interest has been recorded.").await;
    let main = j.text("main").await;
    assert!(main.contains(name) && main.contains(&reason), "{main}");
    j.look("conflicts-declared").await;

    j.dashboard().await;
    j.press(&format!("main a[href='/panels/{}']", cast.old)).await;
    j.follow("Conflicts of interest").await;
    choose(j.client, "with", &format!("place:{}", cast.old_place.0)).await;
    j.type_into("reason", "I was its programme manager until last year.")
        .await;
    j.press("form[action$='/conflicts'] button").await;
    j.confirmed("recorded").await;
    j.look("old-conflicts-declared").await;
    sign_out(j.client).await;
}

/// Priya runs the 2013 assignment: Robin stood aside from one place, so its application
/// cannot get two reviews (every other can), and the page says why; with Casey on the panel
/// the run succeeds.
async fn priya_runs_the_assignment(j: &Journey<'_>, cast: &Cast) {
    j.sign_in(PRIYA).await;
    admin_to_panel(j, "Local Vision 2013", "old-again").await;
    j.follow("Assignment of reviewers").await;
    j.look("old-assignment").await;
    j.press("#run button").await;
    let short = j.text("#shortfall").await;
    assert!(short.contains("No full assignment is possible"), "{short}");
    assert!(short.contains(&cast.old_place.1), "{short}");
    let cells = j
        .client
        .find_all(Locator::Css("#shortfall tbody td"))
        .await
        .unwrap();
    let mut texts = Vec::new();
    for c in cells {
        texts.push(c.text().await.unwrap());
    }
    assert_eq!(texts.len(), 4, "only that application is short: {texts:?}");
    assert!(texts[0].contains(&cast.old_place.1), "{texts:?}");
    assert!(texts[1].ends_with('1'), "one unconflicted member: {texts:?}");
    assert!(texts[3].ends_with('2'), "two reviews needed: {texts:?}");
    j.look("old-assignment-short").await;

    j.press("a.nhsuk-back-link__link").await;
    add_member(j, CASEY, "Casey Critwell", "North East", cast.old_submitted).await;
    j.follow("Assignment of reviewers").await;
    j.press("#run button").await;
    j.confirmed("the most possible").await;
    let main = j.text("main").await;
    assert!(main.contains("the highest total affinity possible"), "{main}");
    assert!(j.client.find(Locator::Id("shortfall")).await.is_err());
    // The declared place's row: reviewed by Jordan and Casey, Robin stood aside.
    let row = j
        .client
        .find(Locator::XPath(&format!(
            "//main//tbody/tr[td[1][contains(., '{}')]]",
            cast.old_place.1
        )))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for name in ["Jordan Judgeley", "Casey Critwell", "Robin Reviewsmith"] {
        assert!(row.contains(name), "{name} in {row}");
    }
    j.look("old-assignment-made").await;
    sign_out(j.client).await;
}

/// The `i`th reviewer scores the application: the first forgets a criterion and is told
/// beside it, with what they chose kept. Nobody sees others' scores before submitting.
async fn review(j: &Journey<'_>, cast: &Cast, i: usize) {
    let (email, _) = &cast.reviewers[i];
    j.sign_in(email).await;
    j.press(&format!("main a[href='/panels/{}']", cast.third)).await;
    j.follow("Applications to score").await;
    j.look(&format!("queue-{i}")).await;
    j.press(&format!("main a[href='/applications/{}/review']", cast.scored))
        .await;
    j.look(&format!("scoring-{i}")).await;
    let before = j.text("main").await;
    assert!(!before.contains("Other reviewers' scores"), "{before}");
    for (_, name) in &cast.reviewers[..i] {
        assert!(
            !before.contains(name.as_str()),
            "{name} is hidden until submitting"
        );
    }
    let comment = format!("Reviewer {} on the issue: scored {}.", i + 1, FIRST_SCORES[i]);
    for (c, key) in CRITERIA.iter().enumerate() {
        let score = if c == 0 { FIRST_SCORES[i] } else { 3 };
        if !(i == 0 && c == CRITERIA.len() - 1) {
            tick(j.client, &format!("scores.{key}-{score}")).await;
        }
    }
    j.type_into("comment.breakthrough_issue", &comment).await;
    if i == 0 {
        j.press(SUBMIT).await;
        let errors = j.errors().await;
        assert!(errors.contains("before you submit"), "{errors}");
        assert!(
            j.error_beside("scores.local_contribution")
                .await
                .contains("Score")
        );
        assert!(
            j.checked("scores.breakthrough_issue-2").await,
            "the scores are kept"
        );
        assert!(j.checked("scores.sharing_lessons-3").await, "the scores are kept");
        assert_eq!(j.value("comment.breakthrough_issue").await, comment);
        j.look("scoring-error").await;
        tick(j.client, "scores.local_contribution-3").await;
    }
    j.press(SUBMIT).await;
    j.confirmed("Your scores have been submitted.").await;
    let after = j.text("main").await;
    assert!(
        after.contains("You submitted your scores. They are final."),
        "{after}"
    );
    assert!(after.contains("Other reviewers' scores"), "{after}");
    if i == 0 {
        assert!(
            after.contains("No other reviewer has submitted scores yet."),
            "{after}"
        );
    }
    for (k, (_, name)) in cast.reviewers[..i].iter().enumerate() {
        assert!(after.contains(name.as_str()), "{name}'s scores show: {after}");
        assert!(
            after.contains(&format!("Reviewer {} on the issue", k + 1)),
            "{after}"
        );
    }
    j.look(&format!("scored-{i}")).await;
    sign_out(j.client).await;
}

/// Pat, the chair, finds the application flagged and records the panel's agreed score,
/// after one out of range (told beside the field, the note kept).
async fn pat_moderates(j: &Journey<'_>, cast: &Cast) {
    j.sign_in(PAT).await;
    j.press(&format!("main a[href='/panels/{}']", cast.third)).await;
    j.look("chair-panel-home").await;
    j.follow("Moderation").await;
    j.look("moderation").await;
    let id = cast.scored;
    assert!(j.text("main").await.contains("3 flagged for discussion."));
    // The ranked list marks it; its own page shows the scores and the chair's form.
    let link = format!("a[href='/panels/{}/moderation/{id}']", cast.third);
    let row = j
        .client
        .find(Locator::XPath(&format!(
            "//tr[.//a[@href='/panels/{}/moderation/{id}']]",
            cast.third
        )))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(row.contains("Reviewers differ"), "{row}");
    j.press(&link).await;
    j.look("moderation-application").await;
    let page = j.text("main").await;
    assert!(page.contains("Reviewers differ"), "{page}");
    assert!(
        page.contains("The breakthrough issue and its local history"),
        "{page}"
    );
    let (score, note) = ("agreed_score".to_string(), "note".to_string());
    let button = "main form button[type=submit]";
    j.type_into(&score, "7").await;
    j.type_into(&note, NOTE).await;
    j.press(button).await;
    assert!(!j.errors().await.is_empty());
    assert!(!j.error_beside(&score).await.is_empty());
    assert_eq!(j.value(&score).await, "7", "the typed score is kept");
    assert_eq!(j.value(&note).await, NOTE, "the note is kept");
    j.look("moderation-error").await;
    j.type_into(&score, "3.5").await;
    j.press(button).await;
    j.confirmed("The panel's agreed score has been recorded.").await;
    assert_eq!(j.value(&score).await, "3.5");
    assert_eq!(j.value(&note).await, NOTE);
    j.follow("Back").await;
    let row = j
        .client
        .find(Locator::XPath(&format!(
            "//tr[.//a[@href='/panels/{}/moderation/{id}']]",
            cast.third
        )))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(row.contains("Reviewers differ") && row.contains("3.5"), "{row}");
    j.look("moderation-agreed").await;
    sign_out(j.client).await;
}

async fn panel_journey(javascript: bool) {
    let app = TestApp::spawn_demo().await;
    let cast = Cast::read(&app).await;
    let mut driver = start_driver().await;
    let client = browser(&mut driver, javascript, 1280).await;
    let j = Journey {
        client: &client,
        app: &app,
        javascript,
        journey: "panels",
    };
    priya_prepares(&j, &cast).await;
    robin_declares(&j, &cast).await;
    priya_runs_the_assignment(&j, &cast).await;
    for i in 0..cast.reviewers.len() {
        review(&j, &cast, i).await;
    }
    pat_moderates(&j, &cast).await;
    client.close().await.unwrap();
    app.stop().await;
}

#[tokio::test]
async fn the_panel_reviews_with_javascript_on() {
    panel_journey(true).await;
}

#[tokio::test]
async fn the_panel_reviews_with_javascript_off() {
    panel_journey(false).await;
}

#[tokio::test]
async fn panel_pages_are_valid_html() {
    let app = TestApp::spawn_demo().await;
    let cast = Cast::read(&app).await;
    let pages = pages::collect(&app, &cast).await;
    let errors = pages::nu_errors(&pages);
    assert!(
        errors.is_empty(),
        "The Nu HTML Checker found errors ({} panel pages checked):\n{}",
        pages.len(),
        errors.join("\n")
    );
    app.stop().await;
}
