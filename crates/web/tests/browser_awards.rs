#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests fail loudly by design.
//! Selection, decisions, letters and acceptance in a real headless Chromium, with the
//! keyboard alone, once with JavaScript on (axe-core on every page, screenshots at desktop
//! and phone widths) and once with it off. On the demo's third round, Pat, the chair, sets
//! balance rules (first mistyped, told), has the helper propose a selection and reads why it
//! stops where it does; records three decisions (fund, reserve, do not fund), giving a
//! reason for deciding before the reviews are in (first forgotten, told). Before the
//! notification date the places see nothing and no letter is sent; with the clock moved
//! past it the outcome-letters job sends the three letters, each lead reads theirs in the
//! service, and the funded place accepts its award, confirming its match contribution.

#[path = "browser_awards/cast.rs"]
mod cast;
#[path = "common/browser.rs"]
mod chromium;
mod common;

use cast::{Cast, PAT, Pick, Picks, letters_in_outbox};
use chromium::{Walk, browser, heading, sign_out, start_driver, tick, type_into};
use common::TestApp;
use convene_app::awards::selection::Proposal;
use convene_app::awards::{AwardStatus, LetterKind, Outcome};
use convene_app::jobs::{Job, Trigger};
use convene_domain::imports::REGIONS;
use fantoccini::Locator;

const FEEDBACK_FUND: &str =
    "The panel was struck by how clearly the partners named one issue and owned it together.";
const FEEDBACK_RESERVE: &str = "A strong bid: the panel would fund it if a place comes free.";
const FEEDBACK_DECLINE: &str = "The panel could not yet see who would lead the work locally.";
const OVERRIDE: &str = "The panel met on the closing date and agreed to decide with the reviews it had.";

/// One browser walking the awards journey, with the keyboard alone, and who is in it.
struct Journey<'a> {
    walk: Walk<'a>,
    cast: &'a Cast,
}

impl<'a> std::ops::Deref for Journey<'a> {
    type Target = Walk<'a>;
    fn deref(&self) -> &Walk<'a> {
        &self.walk
    }
}

impl Journey<'_> {
    /// From the dashboard to the third round's panel page, by links.
    async fn to_panel(&self) {
        self.press(&format!("main a[href='/panels/{}']", self.cast.round))
            .await;
        assert!(heading(self.client).await.ends_with("Panel review"));
    }

    /// The number a summary row of the decisions page shows beside `label`.
    async fn count(&self, label: &str) -> String {
        self.text_at(&format!("//main//dl/div[dt[normalize-space()='{label}']]/dd"))
            .await
    }
}

/// Pat proposes a selection, sets balance rules against what it proposed (a mistyped
/// number first), proposes again and reads the proposal and why it stops there.
async fn pat_proposes(j: &Journey<'_>) -> Proposal {
    let round = j.cast.round;
    j.sign_in(PAT).await;
    j.to_panel().await;
    j.look("panel-home").await;
    j.press(&format!("main a[href='/panels/{round}/selection']"))
        .await;
    assert!(heading(j.client).await.ends_with("Selection within budget"));
    assert!(
        j.text("#proposal")
            .await
            .contains("The helper has not proposed a selection yet.")
    );
    j.look("selection").await;
    j.press("#run button").await;
    j.confirmed("The helper proposed").await;
    j.confirmed("The panel decides.").await;
    let first = j.cast.proposal(j.app).await;
    assert!(first.problem.is_none(), "{first:?}");
    j.look("selection-proposed").await;

    let (region, theme) = j.cast.rules(&first);
    let most = format!("most-{}", REGIONS.iter().position(|r| *r == region).unwrap() + 1);
    let theme_box = j
        .client
        .find(Locator::Css(&format!(
            "input[name=at_least_one][value='{theme}']"
        )))
        .await
        .unwrap()
        .attr("id")
        .await
        .unwrap()
        .unwrap();
    type_into(j.client, &most, "one").await;
    tick(j.client, &theme_box).await;
    j.press("form[action$='/selection/rules'] button").await;
    let errors = j.errors().await;
    assert!(
        errors.contains(&format!("Enter the most places for {region} as a whole number")),
        "{errors}"
    );
    assert_eq!(j.value(&most).await, "one", "the typed rule is kept");
    assert!(j.checked(&theme_box).await, "the ticked theme is kept");
    j.look("selection-rules-error").await;
    type_into(j.client, &most, "1").await;
    j.press("form[action$='/selection/rules'] button").await;
    j.confirmed("The 2 balance rules have been saved.").await;
    assert_eq!(j.value(&most).await, "1");
    assert!(j.checked(&theme_box).await);
    j.look("selection-rules").await;

    j.press("#run button").await;
    j.confirmed("The helper proposed").await;
    let proposal = j.cast.proposal(j.app).await;
    check_proposal(j, &proposal, &region, &theme).await;
    j.look("selection-explained").await;
    proposal
}

/// The second proposal keeps the rules, and the page shows it with its explanation.
async fn check_proposal(j: &Journey<'_>, proposal: &Proposal, region: &str, theme: &str) {
    assert!(proposal.problem.is_none(), "{proposal:?}");
    let lines: Vec<_> = proposal.chosen.iter().map(|id| j.cast.line(*id)).collect();
    let in_region = lines
        .iter()
        .filter(|l| l.region.as_deref() == Some(region))
        .count();
    assert_eq!(in_region, 1, "at most one in {region}");
    assert!(lines.iter().any(|l| l.theme.as_deref() == Some(theme)));
    assert!(!proposal.outside.is_empty(), "{proposal:?}");

    let shown = j.text("#proposal").await;
    let table = j.text("#proposal table").await;
    for l in &lines {
        assert!(
            table.contains(&l.reference) && table.contains(&l.place),
            "{} in {table}",
            l.reference
        );
    }
    let limits = j
        .text_at("//*[@id='proposal']//h3[.='What limits the choice']/following-sibling::*[1]")
        .await;
    assert!(limits.contains(&format!("At most 1 in {region}")), "{limits}");
    assert!(shown.contains("Just outside"), "{shown}");
    for o in &proposal.outside {
        let l = j.cast.line(o.application_id);
        let said = format!("{} {}", l.reference, l.place);
        assert!(shown.contains(&said), "{said} is just outside: {shown}");
        assert!(shown.contains(&o.reason), "{} in {shown}", o.reason);
    }
}

/// Pat records one decision from the decisions page; `forget_reason` first saves it
/// without the reason for deciding before every review is in.
async fn decide(j: &Journey<'_>, pick: &Pick, outcome: Outcome, feedback: &str, forget_reason: bool) {
    let round = j.cast.round;
    j.press(&format!("main a[href='/panels/{round}/decisions/{}']", pick.id))
        .await;
    let h1 = heading(j.client).await;
    assert!(h1.ends_with("Decision") && h1.contains(&pick.reference), "{h1}");
    let name = format!("decision-{}", outcome.key());
    j.look(&name).await;
    tick(j.client, &format!("outcome-{}", outcome.key())).await;
    type_into(j.client, "feedback", feedback).await;
    let missing = j.has("#override_reason").await;
    if forget_reason {
        assert!(missing, "{} is still missing reviews", pick.reference);
        j.press("main form button[type=submit]").await;
        let errors = j.errors().await;
        assert!(errors.to_lowercase().contains("reason"), "{errors}");
        assert!(j.has("#override_reason-error").await);
        assert!(
            j.checked(&format!("outcome-{}", outcome.key())).await,
            "the choice is kept"
        );
        assert_eq!(j.value("feedback").await, feedback, "the feedback is kept");
        j.look(&format!("{name}-error")).await;
    }
    if missing {
        type_into(j.client, "override_reason", OVERRIDE).await;
    }
    j.press("main form button[type=submit]").await;
    let told = j.cast.notify_by.london_date();
    j.confirmed(&format!(
        "{} {}: {}. The place is told on {told}.",
        pick.reference,
        pick.place,
        outcome.label()
    ))
    .await;
    let row = j
        .client
        .find(Locator::XPath(&format!(
            "//tr[.//a[@href='/panels/{round}/decisions/{}']]",
            pick.id
        )))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(row.contains(outcome.label()), "{row}");
}

/// Pat records the three decisions and the board counts them.
async fn pat_decides(j: &Journey<'_>, picks: &Picks) {
    j.press("a.nhsuk-back-link__link").await;
    j.press(&format!("main a[href='/panels/{}/decisions']", j.cast.round))
        .await;
    assert!(heading(j.client).await.ends_with("Decisions"));
    let undecided = j.cast.lines.len();
    assert_eq!(j.count("Not decided yet").await, undecided.to_string());
    j.look("decisions").await;
    decide(j, &picks.decline, Outcome::Decline, FEEDBACK_DECLINE, true).await;
    decide(j, &picks.fund, Outcome::Fund, FEEDBACK_FUND, false).await;
    decide(j, &picks.reserve, Outcome::Reserve, FEEDBACK_RESERVE, false).await;
    assert_eq!(j.count("Funded").await, "1");
    assert_eq!(j.count("In reserve").await, "1");
    assert_eq!(j.count("Not funded").await, "1");
    assert_eq!(j.count("Not decided yet").await, (undecided - 3).to_string());
    j.look("decisions-recorded").await;
    sign_out(j.client).await;
}

/// From a lead's dashboard to their application's page.
async fn lead_to_application(j: &Journey<'_>, pick: &Pick) {
    j.sign_in(pick.lead.0).await;
    j.press(&format!("main a[href='/applications/{}']", pick.id))
        .await;
}

/// Before the notification date: the job sends nothing, and the funded place's lead finds
/// no outcome on the application and none at the outcome's address.
async fn before_the_date(j: &Journey<'_>, picks: &Picks) {
    let done = Job::OutcomeLetters
        .run(&j.app.state, Trigger::Hand)
        .await
        .unwrap();
    assert_eq!(done, "0 outcome letters sent");
    assert!(letters_in_outbox(j.app, &j.cast.round_name).await.is_empty());
    let pick = &picks.fund;
    lead_to_application(j, pick).await;
    let main = j.text("main").await;
    assert!(!main.contains("Read the outcome"), "{main}");
    j.look("lead-application-before").await;
    let outcome = j.app.at(&format!("/applications/{}/outcome", pick.id));
    j.client.goto(&outcome).await.unwrap();
    assert_eq!(heading(j.client).await, "Page not found");
    j.look("lead-outcome-before").await;
    j.follow("Go to the Convene home page").await;
    sign_out(j.client).await;
}

/// On the notification date the job sends one letter to each place's lead, and says so.
async fn on_the_date(app: &TestApp, cast: &Cast, picks: &Picks) {
    app.clock.set(cast.notify_by.plus_seconds(60));
    let done = Job::OutcomeLetters.run(&app.state, Trigger::Hand).await.unwrap();
    assert_eq!(done, "3 outcome letters sent");
    let mut sent = letters_in_outbox(app, &cast.round_name).await;
    sent.sort();
    let mut want = vec![
        (&picks.fund, LetterKind::Funded, FEEDBACK_FUND),
        (&picks.reserve, LetterKind::Reserve, FEEDBACK_RESERVE),
        (&picks.decline, LetterKind::NotFunded, FEEDBACK_DECLINE),
    ];
    want.sort_by_key(|(p, _, _)| p.lead.0);
    assert_eq!(sent.len(), 3, "{sent:?}");
    for ((to, subject, text), (pick, kind, feedback)) in sent.iter().zip(want) {
        assert_eq!(to, pick.lead.0);
        assert_eq!(subject, &format!("{}: {}", cast.round_name, kind.heading()));
        assert!(text.contains(feedback), "{text}");
        assert!(
            text.contains(&format!("/applications/{}/outcome", pick.id)),
            "{text}"
        );
    }
}

/// A lead reads their letter in the service, from the application's page.
async fn lead_reads(j: &Journey<'_>, pick: &Pick, kind: LetterKind, feedback: &str) {
    lead_to_application(j, pick).await;
    j.look(&format!("lead-application-{}", kind.key())).await;
    j.follow("Read the outcome").await;
    assert_eq!(heading(j.client).await, kind.heading());
    let main = j.text("main").await;
    assert!(main.contains("The panel's feedback"), "{main}");
    assert!(main.contains(feedback), "{main}");
    assert!(
        !main.contains(OVERRIDE),
        "the reason for deciding early is not for the place"
    );
    assert_eq!(kind.offers_award(), main.contains("Your award"), "{main}");
    j.look(&format!("lead-outcome-{}", kind.key())).await;
}

/// The funded place's lead accepts the award: first without confirming the match
/// contribution (told beside the box, the answer kept), then confirming it.
async fn lead_accepts(j: &Journey<'_>, pick: &Pick) {
    lead_reads(j, pick, LetterKind::Funded, FEEDBACK_FUND).await;
    assert!(j.text("main dl").await.contains("Offered"));
    tick(j.client, "answer").await;
    let submit = "main form button[type=submit]";
    let pledge = j.has("#confirm_pledge").await;
    if pledge {
        j.press(submit).await;
        let errors = j.errors().await;
        assert!(errors.contains("Confirm that"), "{errors}");
        assert!(j.has("#confirm_pledge-error").await);
        assert!(j.checked("answer").await, "the answer is kept");
        j.look("lead-accept-error").await;
        tick(j.client, "confirm_pledge").await;
    }
    j.press(submit).await;
    j.confirmed("You accepted the offer").await;
    let award = j.text("main dl").await;
    assert!(award.contains("Accepted"), "{award}");
    assert!(!j.has("main form[action$='/outcome']").await, "answered once");
    j.look("lead-accepted").await;
    sign_out(j.client).await;
    let stored =
        convene_store::awards::of_application(&j.app.state.db, convene_domain::ApplicationId(pick.id))
            .await
            .unwrap()
            .unwrap();
    assert_eq!(stored.status, AwardStatus::Accepted);
    assert!(
        pledge == (stored.match_pledge.0 > 0),
        "the box shows when a match is pledged"
    );
}

async fn awards_journey(javascript: bool) {
    let app = TestApp::spawn_demo().await;
    let cast = Cast::read(&app).await;
    let mut driver = start_driver().await;
    let client = browser(&mut driver, javascript, 1280).await;
    let j = Journey {
        walk: Walk {
            client: &client,
            app: &app,
            javascript,
            journey: "awards",
        },
        cast: &cast,
    };
    let proposal = pat_proposes(&j).await;
    let picks = cast.picks(&proposal);
    picks.add_leads(&app).await;
    pat_decides(&j, &picks).await;
    before_the_date(&j, &picks).await;
    on_the_date(&app, &cast, &picks).await;
    lead_reads(&j, &picks.reserve, LetterKind::Reserve, FEEDBACK_RESERVE).await;
    sign_out(&client).await;
    lead_reads(&j, &picks.decline, LetterKind::NotFunded, FEEDBACK_DECLINE).await;
    sign_out(&client).await;
    lead_accepts(&j, &picks.fund).await;
    client.close().await.unwrap();
    app.stop().await;
}

#[tokio::test]
async fn awards_are_decided_and_accepted_with_javascript_on() {
    awards_journey(true).await;
}

#[tokio::test]
async fn awards_are_decided_and_accepted_with_javascript_off() {
    awards_journey(false).await;
}
