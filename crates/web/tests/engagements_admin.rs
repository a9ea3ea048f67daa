#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests fail loudly by design.
//! The programme's admins' pages for engagements and support, over HTTP on both stores: the
//! table of a programme's engagements and its CSV and XLSX exports holding the demo's year;
//! an engagement ended early with a successor, the two adding up to the first allocation
//! (with a bad form shown again as typed); and support offered, asked for, approved within
//! what is left and declined with a reason.

mod common;

use common::TestApp;
use convene_domain::engagements::{DayLength, Minutes};
use convene_domain::{Email, ProgrammeId};
use convene_store::enablers::engagements::{self, Engagement};
use convene_store::enablers::{self as pool, PoolStatus};
use std::process::Command;

const ADMIN: &str = "priya.programme@example.org";
const LEE: &str = "lee.lead@example.org";
const TABLE: &str = "/programmes/local-vision/engagements";

async fn local_vision(app: &TestApp) -> ProgrammeId {
    convene_store::programmes::by_slug(&app.state.db, "local-vision")
        .await
        .unwrap()
        .unwrap()
        .id
}

/// Lee's Westermoor engagement with eden.
async fn westermoor(app: &TestApp) -> Engagement {
    let db = &app.state.db;
    let place = app.place_id("PL-0001").await;
    let lee = convene_store::users::by_email(db, &Email::parse(LEE).unwrap())
        .await
        .unwrap()
        .unwrap()
        .id;
    engagements::of_person(db, lee)
        .await
        .unwrap()
        .into_iter()
        .find(|e| e.place_id.0 == place)
        .unwrap()
}

/// Days as the table and the exports write them.
fn days(minutes: i64) -> String {
    DayLength::STANDARD.days_figure(Minutes(minutes))
}

/// The text of every cell of an XLSX workbook, read by Python's zipfile and ElementTree.
fn xlsx_texts(bytes: &[u8]) -> Vec<String> {
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), bytes).unwrap();
    let script = "import sys, zipfile, xml.etree.ElementTree as ET\n\
        z = zipfile.ZipFile(sys.argv[1])\n\
        for n in z.namelist():\n\
        \x20   if n.startswith('xl/worksheets/') or n == 'xl/sharedStrings.xml':\n\
        \x20       for el in ET.fromstring(z.read(n)).iter():\n\
        \x20           if el.tag.endswith('}t') and el.text: print(el.text)\n";
    let out = Command::new("/usr/bin/python3")
        .arg("-c")
        .arg(script)
        .arg(file.path())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect()
}

on_both!(the_exports_hold_every_engagement_of_the_programme, |app| {
    let demo = engagements::of_programme(&app.state.db, local_vision(&app).await)
        .await
        .unwrap();
    assert!(demo.len() > 5, "the demo has a year of engagements");
    let admin = app.signed_in(ADMIN).await;
    let (status, html) = app.get(&admin, TABLE).await;
    assert_eq!(status, 200);
    for e in &demo {
        assert!(
            html.contains(&format!("href=\"/engagements/{}\"", e.id)),
            "{html}"
        );
    }
    assert!(
        html.contains("% behind pace"),
        "the demo's engagement under pace: {html}"
    );

    let res = admin.get(app.at(&format!("{TABLE}.csv"))).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "text/csv; charset=utf-8");
    let disposition = res.headers()["content-disposition"].to_str().unwrap().to_string();
    assert!(
        disposition.contains("local-vision-engagements.csv"),
        "{disposition}"
    );
    let text = res.text().await.unwrap();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let headers = reader.headers().unwrap().clone();
    assert_eq!(&headers[0], "Engagement");
    assert_eq!(&headers[5], "Allocation (days)");
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), demo.len(), "one row per engagement:\n{text}");
    for e in &demo {
        let row = rows.iter().find(|r| r[0] == e.id.to_string()).unwrap();
        assert_eq!(&row[1], e.place_name);
        assert_eq!(&row[2], e.enabler_name);
        assert_eq!(&row[3], e.starts_on.to_string());
        assert_eq!(&row[4], e.last_day().to_string());
        assert_eq!(&row[5], days(e.allocation_minutes));
        assert_eq!(&row[6], days(e.used_minutes));
        assert_eq!(&row[9], "Finished", "the demo's year ended in March 2014");
    }

    let res = admin.get(app.at(&format!("{TABLE}.xlsx"))).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(
        res.headers()["content-type"],
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    let texts = xlsx_texts(&res.bytes().await.unwrap());
    assert!(texts.contains(&"Left (days)".to_string()), "{texts:?}");
    for e in &demo {
        for value in [
            &e.place_name,
            &e.enabler_name,
            &e.id.to_string(),
            &days(e.allocation_minutes),
        ] {
            assert!(texts.contains(value), "{value} is in the workbook: {texts:?}");
        }
    }

    // A place's lead is told nothing of the table or its exports.
    let lee = app.signed_in(LEE).await;
    for path in [TABLE.to_string(), format!("{TABLE}.csv"), format!("{TABLE}.xlsx")] {
        let (status, body) = app.get(&lee, &path).await;
        assert_eq!(status, 404, "{path}");
        assert!(!body.contains("Eden Enablewell"));
    }
    app.stop().await;
});

on_both!(an_early_end_and_its_successor_add_up_to_the_allocation, |app| {
    let db = &app.state.db;
    let before = westermoor(&app).await;
    let last_contact = engagements::contact(db, before.id)
        .await
        .unwrap()
        .last()
        .unwrap()
        .on_date;
    let successor = pool::of_programme(db, before.programme_id)
        .await
        .unwrap()
        .into_iter()
        .find(|e| e.status == PoolStatus::Approved && e.id != before.enabler_id)
        .unwrap();
    let admin = app.signed_in(ADMIN).await;
    let page = format!("/engagements/{}", before.id);
    let end = format!("{page}/end");
    let (status, html) = app.get(&admin, &page).await;
    assert_eq!(status, 200);
    assert!(html.contains("End this engagement early"), "{html}");
    let chosen = successor.id.to_string();

    // A date that is not one: shown again as typed, with the error beside it.
    let bad = [
        ("end_date_day", "31"),
        ("end_date_month", "2"),
        ("end_date_year", "2014"),
        ("enabler", chosen.as_str()),
    ];
    let res = app.post_form(&admin, &page, &end, &bad).await;
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    assert!(html.contains("Enter a real date for the last day"), "{html}");
    assert!(html.contains("href=\"#end_date_day\""), "{html}");
    assert!(html.contains("name=\"end_date_day\" type=\"text\" inputmode=\"numeric\" value=\"31\""));
    assert!(
        html.contains(&format!("<option value=\"{chosen}\" selected>")),
        "{html}"
    );
    // Before the last contact logged: the use case's error, beside the field.
    let early = [
        ("end_date_day", "2"),
        ("end_date_month", "9"),
        ("end_date_year", "2013"),
        ("enabler", chosen.as_str()),
    ];
    let res = app.post_form(&admin, &page, &end, &early).await;
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    assert!(html.contains("Contact is logged up to"), "{html}");
    assert_eq!(westermoor(&app).await, before, "nothing was changed");

    // Ended on the day of the last contact; the successor starts the day after.
    let (day, month, year) = (
        last_contact.day().to_string(),
        last_contact.month().to_string(),
        last_contact.year().to_string(),
    );
    let good = [
        ("end_date_day", day.as_str()),
        ("end_date_month", month.as_str()),
        ("end_date_year", year.as_str()),
        ("enabler", chosen.as_str()),
    ];
    let res = app.post_form(&admin, &page, &end, &good).await;
    assert_eq!(res.status(), 303);
    let next_page = res.headers()["location"].to_str().unwrap().to_string();
    let next_id: i64 = next_page.trim_start_matches("/engagements/").parse().unwrap();
    let ended = engagements::engagement(db, before.id).await.unwrap();
    let next = engagements::engagement(db, next_id).await.unwrap();
    assert_eq!(ended.ended_on, Some(last_contact));
    assert_eq!(next.follows_id, Some(before.id));
    assert_eq!(next.enabler_id, successor.id);
    assert_eq!(next.starts_on, last_contact.tomorrow().unwrap());
    assert_eq!(
        ended.allocation_minutes, before.used_minutes,
        "it keeps what it used"
    );
    assert_eq!(
        ended.allocation_minutes + next.allocation_minutes,
        before.allocation_minutes,
        "the two add up to the first allocation"
    );

    let (_, html) = app.get(&admin, &next_page).await;
    assert!(html.carries(&successor.name), "{html}");
    assert!(html.contains("Carries on from") && html.contains(&format!("href=\"{page}\"")));
    let (_, html) = app.get(&admin, &page).await;
    assert!(html.contains("(ended early)"));
    assert!(
        !html.contains("End this engagement early"),
        "an ended engagement is not ended twice"
    );

    // Both in the programme's table, as they add up.
    let (_, html) = app.get(&admin, TABLE).await;
    assert!(html.contains("Ended early"), "{html}");
    assert!(html.contains(&format!(
        "href=\"/engagements/{next_id}\">Followed by a successor"
    )));
    let text = admin
        .get(app.at(&format!("{TABLE}.csv")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let row = |id: i64| rows.iter().find(|r| r[0] == id.to_string()).unwrap().clone();
    let (old, new) = (row(before.id), row(next_id));
    assert_eq!(&old[5], days(before.used_minutes));
    assert_eq!(&old[7], "0.00", "nothing is left of the ended one");
    assert_eq!(&old[9], "Ended early, followed by a successor");
    assert_eq!(&new[5], days(before.allocation_minutes - before.used_minutes));
    assert_eq!(&new[10], before.id.to_string());
    let hundredths = |text: &str| -> i64 { text.replace('.', "").parse().unwrap() };
    let whole = DayLength::STANDARD.hundredths(Minutes(before.allocation_minutes));
    let split = hundredths(&old[5]) + hundredths(&new[5]);
    assert!(
        (split - whole).abs() <= 1,
        "{split} against {whole}: rounding only"
    );
    app.stop().await;
});

/// What an HTML page says of a text, escaped as askama escapes it.
trait Carries {
    fn carries(&self, text: &str) -> bool;
}

impl Carries for String {
    fn carries(&self, text: &str) -> bool {
        self.contains(&text.replace('&', "&amp;").replace('\'', "&#39;"))
    }
}

on_both!(
    support_is_offered_asked_for_and_decided_within_what_is_left,
    |app| {
        let db = &app.state.db;
        let lv = local_vision(&app).await;
        let award = westermoor(&app).await.award_id;
        let admin = app.signed_in(ADMIN).await;
        let page = "/programmes/local-vision/support";
        let (status, html) = app.get(&admin, page).await;
        assert_eq!(status, 200);
        assert!(html.contains("There are no offers yet"), "{html}");
        let res = app
            .post_form(
                &admin,
                page,
                page,
                &[("kind", ""), ("name", " "), ("units", "lots")],
            )
            .await;
        assert_eq!(res.status(), 200);
        let html = res.text().await.unwrap();
        assert!(html.contains("Choose what kind of support it is"), "{html}");
        assert!(html.contains("value=\"lots\""), "what was typed is kept");
        let offer = [
            ("kind", "consultancy_days"),
            ("name", "Systems leadership coaching"),
            ("partner", "Northfold Partners"),
            ("units", "5"),
        ];
        let res = app.post_form(&admin, page, page, &offer).await;
        assert_eq!(res.status(), 303);
        let offer_id = convene_store::enablers::support::offers(db, lv).await.unwrap()[0].id;

        let lee = app.signed_in(LEE).await;
        let own = format!("/awards/{award}/support");
        let (status, html) = app.get(&lee, &own).await;
        assert_eq!(status, 200);
        assert!(
            html.contains("Systems leadership coaching") && html.contains("5 days"),
            "{html}"
        );
        let id = offer_id.to_string();
        let res = app.post_form(&lee, &own, &own, &[("units", "3")]).await;
        assert_eq!(res.status(), 200);
        let html = res.text().await.unwrap();
        assert!(html.contains("Choose the support you are asking for"), "{html}");
        assert!(html.contains("value=\"3\""), "what was typed is kept");
        for units in ["3", "3"] {
            let ask = [
                ("offer", id.as_str()),
                ("units", units),
                ("note", "For the board"),
            ];
            let res = app.post_form(&lee, &own, &own, &ask).await;
            assert_eq!(res.status(), 303);
        }
        let requests = convene_store::enablers::support::requests_of_award(db, award)
            .await
            .unwrap();
        assert_eq!(requests.len(), 2);

        // The first approved leaves 2 days: the second asks for 3 and cannot be approved.
        let decide = |r: i64| format!("{page}/requests/{r}");
        let res = app
            .post_form(&admin, page, &decide(requests[0].id), &[("decision", "approve")])
            .await;
        assert_eq!(res.status(), 303);
        let res = app
            .post_form(&admin, page, &decide(requests[1].id), &[("decision", "approve")])
            .await;
        assert_eq!(res.status(), 200);
        let html = res.text().await.unwrap();
        assert!(html.contains("has only 2 left"), "{html}");
        assert!(
            html.contains(&format!("href=\"#decision-{}\"", requests[1].id)),
            "{html}"
        );
        let res = app
            .post_form(&admin, page, &decide(requests[1].id), &[("decision", "decline")])
            .await;
        assert_eq!(res.status(), 200);
        let html = res.text().await.unwrap();
        assert!(html.contains("Say why the request is declined"), "{html}");
        let declined = [
            ("decision", "decline"),
            ("reason", "Ask again for 2 days or fewer"),
        ];
        let res = app
            .post_form(&admin, page, &decide(requests[1].id), &declined)
            .await;
        assert_eq!(res.status(), 303);
        let (_, html) = app.get(&admin, page).await;
        assert!(html.contains("No requests are waiting"), "{html}");
        assert!(html.contains("<strong>2 days</strong>"), "2 days left: {html}");

        let (_, html) = app.get(&lee, &own).await;
        assert!(html.contains("Approved") && html.contains("Declined"), "{html}");
        assert!(html.contains("Ask again for 2 days or fewer"));
        // The admin reads the place's support but does not ask in its place.
        let (status, _) = app.get(&admin, &own).await;
        assert_eq!(status, 200);
        let res = app
            .post_form(&admin, &own, &own, &[("offer", id.as_str()), ("units", "1")])
            .await;
        assert_eq!(res.status(), 403);
        app.stop().await;
    }
);
