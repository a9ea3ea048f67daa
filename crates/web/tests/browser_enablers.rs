#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests fail loudly by design.
//! The enablers' year in a real headless Chromium, with the keyboard alone, once with
//! JavaScript on (screenshots at desktop and phone widths) and once with it off, axe-core
//! on every page visited in both. A place funded late has no enabler: its lead ranks two
//! from the pool (first giving the same number twice, told); the enabler with room left
//! ranks the place first; the programme admin runs the matching, reads the pair, and
//! confirms it (first with a date that is not one, told), which starts the engagement and
//! emails both sides. The enabler logs a coaching session (first with hours that are not a
//! number, told) and the burn-down chart and its table count the day; the lead queries
//! the entry (first with no reason, told) and the query shows on the engagement's page.
//! Afterwards the admin's matching page still names the pair it confirmed.

#[path = "common/browser.rs"]
mod chromium;
mod common;

use chromium::{
    Walk, assert_accessible, browser, choose, heading, screenshot, sign_out, start_driver, tick, type_into,
};
use common::TestApp;
use convene_store::enablers::{self as pool, Enabler};
use fantoccini::key::Key;
use fantoccini::{Client, Locator};

const LEE: &str = "lee.lead@example.org";
const EDEN: &str = "eden.enabler@example.org";
const PRIYA: &str = "priya.programme@example.org";
const MATCHING: &str = "/programmes/local-vision/matching";
const NOTES: &str = "Coached the partnership's chair on the first board meeting of the year.";
const REASON: &str = "Our records show a one-hour call that day, not a full day of coaching.";

/// Who is in the journey: the late-funded place and two enablers it ranks.
struct Cast {
    award: i64,
    place: String,
    /// Eden: full (her capacity equals her live caseload), so ranked second.
    eden: i64,
    /// An approved enabler with room left, ranked first.
    chosen: Enabler,
}

impl Cast {
    async fn read(app: &TestApp) -> Cast {
        let (award, place) = common::enablers::late_funded_place(app).await;
        let db = &app.state.db;
        let email = convene_domain::Email::parse(EDEN).unwrap();
        let eden_user = convene_store::users::by_email(db, &email)
            .await
            .unwrap()
            .unwrap()
            .id;
        let eden = pool::of_user(db, eden_user).await.unwrap()[0].clone();
        let everyone = pool::of_programme(db, eden.programme_id).await.unwrap();
        let live = pool::engagements::of_programme(db, eden.programme_id)
            .await
            .unwrap();
        let room = |e: &Enabler| {
            let held = live
                .iter()
                .filter(|x| x.enabler_id == e.id && x.ended_on.is_none())
                .count();
            e.profile.capacity - i64::try_from(held).unwrap()
        };
        assert_eq!(room(&eden), 0, "the demo's Eden is full");
        let chosen = everyone
            .into_iter()
            .find(|e| e.id != eden.id && e.status.key() == "approved" && room(e) > 0)
            .expect("the demo leaves an enabler with room");
        Cast {
            award,
            place,
            eden: eden.id,
            chosen,
        }
    }
}

/// One browser walking the journey, with the keyboard alone, and who is in it.
struct Journey<'a> {
    walk: Walk<'a>,
    cast: &'a Cast,
    /// With JavaScript off, a second browser with it on, where axe-core checks each page
    /// as the first was served it (axe cannot run where scripts are off).
    checker: Option<Client>,
}

impl<'a> std::ops::Deref for Journey<'a> {
    type Target = Walk<'a>;
    fn deref(&self) -> &Walk<'a> {
        &self.walk
    }
}

impl Journey<'_> {
    /// axe-core on the page in both runs (the harness's `look` checks only with
    /// JavaScript on), and its screenshots.
    async fn check(&self, name: &str) {
        if let Some(checker) = &self.checker {
            let html = without_scripts(&self.client.source().await.unwrap());
            checker.goto(&self.app.at("/accessibility")).await.unwrap();
            checker
                .execute(
                    "document.open(); document.write(arguments[0]); document.close(); return true;",
                    vec![serde_json::Value::String(html)],
                )
                .await
                .unwrap();
            for _ in 0..200 {
                let ready = checker
                    .execute("return document.readyState === 'complete';", vec![])
                    .await
                    .unwrap();
                if ready == serde_json::Value::Bool(true) {
                    break;
                }
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            }
            // The checker has the page itself, styled (axe checks contrast against its CSS).
            assert_eq!(heading(checker).await, heading(self.client).await, "{name}");
            let styled = checker
                .execute(
                    "return document.styleSheets.length > 0 && document.styleSheets[0].cssRules.length > 0;",
                    vec![],
                )
                .await
                .unwrap();
            assert_eq!(styled, serde_json::Value::Bool(true), "{name} is styled");
            assert_accessible(checker, &format!("{name} (as served with JavaScript off)")).await;
        }
        self.look(name).await;
    }

    /// Screenshots of the whole page, at desktop and phone widths (with JavaScript on).
    async fn full_length(&self, name: &str) {
        if !self.javascript {
            return;
        }
        for (width, mode) in [(1280, "js"), (390, "phone")] {
            self.client.set_window_size(width, 1000).await.unwrap();
            let height = self
                .client
                .execute("return document.documentElement.scrollHeight;", vec![])
                .await
                .unwrap()
                .as_u64()
                .unwrap();
            let height = u32::try_from(height).unwrap() + 200;
            self.client.set_window_size(width, height).await.unwrap();
            screenshot(self.client, &format!("{}-{name}-full-{mode}", self.journey)).await;
        }
        self.client.set_window_size(1280, 1000).await.unwrap();
    }

    /// Types an address into the browser, for pages no link leads to from where we are.
    async fn visit(&self, path: &str) {
        self.client.goto(&self.app.at(path)).await.unwrap();
        self.client.wait().for_element(Locator::Css("h1")).await.unwrap();
    }

    /// The figures (expected, actual) of the chart table's row for `date`.
    async fn burn_down_row(&self, date: &str) -> Vec<f64> {
        let xpath = format!("//details//tr[th[starts-with(normalize-space(), '{date}')]]/td");
        let mut figures = Vec::new();
        for cell in self.client.find_all(Locator::XPath(&xpath)).await.unwrap() {
            let text = cell.text().await.unwrap();
            figures.push(text.trim().parse().unwrap_or_else(|_| panic!("{date}: {text:?}")));
        }
        assert_eq!(figures.len(), 2, "expected and actual on {date}");
        figures
    }

    /// The row of the summary list labelled `label`.
    async fn summary(&self, label: &str) -> String {
        self.text_at(&format!("//main//dl/div[dt[normalize-space()='{label}']]/dd"))
            .await
    }
}

/// The page without its scripts, with its doctype: as a browser with JavaScript off has it.
fn without_scripts(html: &str) -> String {
    let mut out = String::from("<!DOCTYPE html>");
    let mut rest = html;
    while let Some(start) = rest.find("<script") {
        out.push_str(&rest[..start]);
        let end = rest[start..]
            .find("</script>")
            .map_or(rest.len(), |e| start + e + "</script>".len());
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// The lead numbers the chosen enabler first and Eden second: the same number twice is
/// refused beside the box, with what was typed kept.
async fn lead_ranks(j: &Journey<'_>) {
    let c = j.cast;
    j.sign_in(LEE).await;
    j.visit(&format!("/awards/{}/enablers", c.award)).await;
    let h1 = heading(j.client).await;
    assert!(
        h1.contains(&c.place) && h1.ends_with("Choose the enablers you would accept"),
        "{h1}"
    );
    let (chosen_box, eden_box) = (format!("rank_{}", c.chosen.id), format!("rank_{}", c.eden));
    let label = j.text(&format!("label[for='{chosen_box}']")).await;
    assert_eq!(label, format!("Your choice number for {}", c.chosen.name));
    j.check("place-ranking").await;
    j.full_length("place-ranking").await;

    type_into(j.client, &chosen_box, "1").await;
    type_into(j.client, &eden_box, "1").await;
    j.press("main form button[type=submit]").await;
    let errors = j.errors().await;
    assert!(errors.contains("You gave choice 1 twice"), "{errors}");
    let beside = j.text("form .nhsuk-form-group--error .nhsuk-error-message").await;
    assert!(beside.contains("You gave choice 1 twice"), "{beside}");
    assert_eq!(j.value(&chosen_box).await, "1", "what was typed is kept");
    assert_eq!(j.value(&eden_box).await, "1", "what was typed is kept");
    j.check("place-ranking-error").await;
    j.full_length("place-ranking-error").await;

    type_into(j.client, &eden_box, "2").await;
    j.press("main form button[type=submit]").await;
    j.confirmed("Your 2 choices are saved").await;
    assert_eq!(j.value(&chosen_box).await, "1");
    assert_eq!(j.value(&eden_box).await, "2");
    j.check("place-ranking-saved").await;
    sign_out(j.client).await;
}

/// The chosen enabler, from their dashboard, ranks the place that chose them first.
async fn enabler_ranks(j: &Journey<'_>) {
    let c = j.cast;
    j.sign_in(&c.chosen.email).await;
    j.press(&format!("main a[href='/enablers/{}/places']", c.chosen.id))
        .await;
    assert!(
        heading(j.client)
            .await
            .ends_with("Rank the places that chose you")
    );
    let card = j
        .text_at(&format!(
            "//div[@id='places']/div[contains(@class, 'nhsuk-card')][.//select[@id='choice_{}']]",
            c.award
        ))
        .await;
    assert!(
        card.contains(&c.place) && card.contains("They made you their choice 1."),
        "{card}"
    );
    j.check("enabler-ranking").await;
    j.full_length("enabler-ranking").await;
    let field = format!("choice_{}", c.award);
    choose(j.client, &field, "1").await;
    j.press("main form button[type=submit]").await;
    j.confirmed("Your ranking is saved").await;
    assert_eq!(j.value(&field).await, "1");
    j.check("enabler-ranking-saved").await;
    sign_out(j.client).await;
}

/// The admin runs the matching, reads the pair, and confirms it from 6 January 2014 (a
/// 31 February first, told beside the date); the engagement starts and both are emailed.
async fn admin_matches(j: &Journey<'_>) -> i64 {
    let c = j.cast;
    j.sign_in(PRIYA).await;
    j.visit(MATCHING).await;
    assert!(heading(j.client).await.ends_with("Matching places with enablers"));
    assert!(!j.has("#confirm").await, "nothing to confirm before a run");
    j.check("matching").await;

    j.press("#run button").await;
    j.confirmed("The matching paired 1 place with enablers: every place that chose enablers has one")
        .await;
    let pair = j
        .text_at(&format!("//main//table//tr[td[contains(., \"{}\")]]", c.place))
        .await;
    assert!(pair.contains(&c.chosen.name), "{pair}");
    assert!(!j.has("#unstable").await, "the matching is stable");
    j.check("matching-run").await;
    j.full_length("matching-run").await;

    for (id, text) in [
        ("starts_day", "31"),
        ("starts_month", "2"),
        ("starts_year", "2014"),
    ] {
        type_into(j.client, id, text).await;
    }
    j.press("#confirm button").await;
    let errors = j.errors().await;
    assert!(errors.contains("for the engagements' start"), "{errors}");
    assert!(
        j.error_beside("starts")
            .await
            .contains("for the engagements' start")
    );
    assert_eq!(j.value("starts_day").await, "31", "the typed date is kept");
    j.check("matching-confirm-error").await;
    j.full_length("matching-confirm-error").await;

    type_into(j.client, "starts_day", "6").await;
    type_into(j.client, "starts_month", "1").await;
    j.press("#confirm button").await;
    j.confirmed("The matching is confirmed: 1 engagement starts, and both sides are emailed")
        .await;
    assert!(j.text("main").await.contains("Confirmed at"));
    assert!(!j.has("#confirm").await, "confirmed once");
    j.check("matching-confirmed").await;
    j.full_length("matching-confirmed").await;
    sign_out(j.client).await;

    let db = &j.app.state.db;
    let started = pool::engagements::of_award(db, c.award).await.unwrap();
    assert_eq!(started.len(), 1);
    assert_eq!(started[0].enabler_id, c.chosen.id);
    assert_eq!(started[0].starts_on.to_string(), "2014-01-06");
    assert_eq!(started[0].ends_on.to_string(), "2014-03-31");
    j.app.wait_for_mail(&c.chosen.email, &c.place).await;
    j.app.wait_for_mail(LEE, &c.place).await;
    started[0].id
}

/// From the dashboard to the engagement's page, by links.
async fn to_engagement(j: &Journey<'_>, engagement: i64) {
    j.press("main a[href='/engagements']").await;
    assert_eq!(heading(j.client).await, "Engagements");
    j.press(&format!("main a[href='/engagements/{engagement}']"))
        .await;
    let c = j.cast;
    assert_eq!(
        heading(j.client).await,
        format!("{} with {}", c.place, c.chosen.name)
    );
}

/// The enabler logs a day's coaching on 7 January 2014 (first with hours in words, told);
/// the summary, the chart's description and its table count the day.
async fn enabler_logs(j: &Journey<'_>, engagement: i64) {
    j.sign_in(&j.cast.chosen.email).await;
    to_engagement(j, engagement).await;
    assert_eq!(j.summary("Used").await, "0.00 days");
    assert!(j.text("main").await.contains("No contact has been logged yet."));
    j.check("engagement").await;

    for (id, text) in [("date_day", "7"), ("date_month", "1"), ("date_year", "2014")] {
        type_into(j.client, id, text).await;
    }
    type_into(j.client, "hours", "a day").await;
    tick(j.client, "kind-coaching").await;
    type_into(j.client, "notes", NOTES).await;
    let log = format!("form[action='/engagements/{engagement}'] button[type=submit]");
    j.press(&log).await;
    let errors = j.errors().await;
    assert!(errors.to_lowercase().contains("hours"), "{errors}");
    assert!(!j.error_beside("hours").await.is_empty());
    assert!(j.checked("kind-coaching").await, "the chosen kind is kept");
    assert_eq!(j.value("notes").await, NOTES, "the notes are kept");
    j.check("engagement-contact-error").await;

    type_into(j.client, "hours", "7.5").await;
    j.press(&log).await;
    j.confirmed("Contact on 7 January 2014 logged").await;
    assert_eq!(j.summary("Used").await, "1.00 days");
    let logged = j
        .text_at("//main//table[caption[normalize-space()='Contact logged']]//tbody/tr")
        .await;
    for said in ["7 January 2014", "Coaching session", "7.5", NOTES] {
        assert!(logged.contains(said), "{said} in {logged}");
    }
    burn_down_counts_the_day(j, engagement).await;
    j.check("engagement-logged").await;
    j.full_length("engagement-logged").await;
    sign_out(j.client).await;
}

/// The burn-down: its description counts the day used, and the table, opened with the
/// keyboard, has a day fewer left in the week of the contact than at the start.
async fn burn_down_counts_the_day(j: &Journey<'_>, engagement: i64) {
    let chart = format!(
        "svg.convene-chart[aria-labelledby='burn-down-{engagement}-title burn-down-{engagement}-desc']"
    );
    assert!(j.has(&chart).await, "the burn-down chart is drawn");
    let desc = j
        .client
        .find(Locator::Id(&format!("burn-down-{engagement}-desc")))
        .await
        .unwrap()
        .prop("textContent")
        .await
        .unwrap()
        .unwrap_or_default();
    assert!(
        desc.contains("1.00 of") && desc.contains("used by 31 March 2014"),
        "{desc}"
    );
    let points = j
        .client
        .find_all(Locator::Css(&format!("{chart} .convene-chart__point--primary")))
        .await
        .unwrap();
    assert!(!points.is_empty(), "the actual line has points");

    let summary = j
        .client
        .find(Locator::Css("details.nhsuk-details summary"))
        .await
        .unwrap();
    summary.send_keys(&Key::Enter.to_string()).await.unwrap();
    let details = j
        .client
        .find(Locator::Css("details.nhsuk-details"))
        .await
        .unwrap();
    assert_eq!(details.attr("open").await.unwrap().as_deref(), Some("true"));
    let start = j.burn_down_row("6 January 2014 (start)").await;
    let week = j.burn_down_row("10 January 2014").await;
    assert!(start[1] > 0.0, "{start:?}");
    assert!(
        (start[1] - week[1] - 1.0).abs() < 1e-9,
        "a day used: {start:?} then {week:?}"
    );
    let end = j.burn_down_row("31 March 2014").await;
    assert!((end[1] - week[1]).abs() < 1e-9, "nothing more used: {end:?}");
}

/// The lead opens the engagement from the dashboard and queries the entry (first with no
/// reason, told); the query shows on the engagement's page, the entry marked queried.
async fn lead_queries(j: &Journey<'_>, engagement: i64) {
    j.sign_in(LEE).await;
    to_engagement(j, engagement).await;
    assert!(
        !j.has(&format!("form[action='/engagements/{engagement}']")).await,
        "only the enabler logs contact"
    );
    j.check("engagement-lead").await;
    j.press(&format!(
        "main a[href^='/engagements/{engagement}/entries/'][href$='/query']"
    ))
    .await;
    assert_eq!(heading(j.client).await, "Query a contact entry");
    assert!(j.text("main dl").await.contains("7 January 2014"));
    j.check("query").await;

    j.press("main form button[type=submit]").await;
    let errors = j.errors().await;
    assert!(!errors.is_empty());
    assert!(!j.error_beside("reason").await.is_empty());
    j.check("query-error").await;

    type_into(j.client, "reason", REASON).await;
    j.press("main form button[type=submit]").await;
    j.confirmed("Your query was sent to the enabler").await;
    let query = j
        .text_at("//main//div[contains(@class, 'nhsuk-card')][.//h3[normalize-space()='The entry of 7 January 2014']]")
        .await;
    assert!(query.contains(REASON), "{query}");
    assert!(query.contains("The enabler has not answered yet."), "{query}");
    let row = j
        .text_at("//main//table[caption[normalize-space()='Contact logged']]//tbody/tr")
        .await;
    assert!(row.contains("Queried"), "{row}");
    j.check("engagement-queried").await;
    sign_out(j.client).await;

    let queries = pool::queries::of_engagement(&j.app.state.db, engagement)
        .await
        .unwrap();
    assert_eq!(queries.len(), 1);
    assert_eq!(queries[0].reason, REASON);
}

/// Afterwards the admin looks back at the confirmed matching: it still names the place
/// and the enabler of the pair it started.
async fn admin_looks_back(j: &Journey<'_>) {
    let c = j.cast;
    j.sign_in(PRIYA).await;
    j.visit(MATCHING).await;
    assert!(j.text("main").await.contains("Confirmed at"));
    let pairs = j.text("main table").await;
    assert!(
        pairs.contains(&c.place) && pairs.contains(&c.chosen.name),
        "the confirmed pair is named: {pairs}"
    );
    j.check("matching-afterwards").await;
    sign_out(j.client).await;
}

async fn enablers_journey(javascript: bool) {
    let app = TestApp::spawn_demo().await;
    let cast = Cast::read(&app).await;
    let mut driver = start_driver().await;
    let client = browser(&mut driver, javascript, 1280).await;
    let j = Journey {
        walk: Walk {
            client: &client,
            app: &app,
            javascript,
            journey: "enablers",
        },
        cast: &cast,
        checker: None,
    };
    let j = if javascript {
        j
    } else {
        let checker = browser(&mut driver, true, 1280).await;
        Journey {
            checker: Some(checker),
            ..j
        }
    };
    lead_ranks(&j).await;
    enabler_ranks(&j).await;
    let engagement = admin_matches(&j).await;
    enabler_logs(&j, engagement).await;
    lead_queries(&j, engagement).await;
    admin_looks_back(&j).await;
    if let Some(checker) = j.checker {
        checker.close().await.unwrap();
    }
    client.close().await.unwrap();
    app.stop().await;
}

#[tokio::test]
async fn places_and_enablers_are_matched_and_contact_logged_with_javascript_on() {
    enablers_journey(true).await;
}

#[tokio::test]
async fn places_and_enablers_are_matched_and_contact_logged_with_javascript_off() {
    enablers_journey(false).await;
}
