//! The pool, ranking and matching pages for the Nu HTML Checker: the pool as a funded
//! place's lead and as an admin (filtered), the join page with its errors and a request
//! to join as its decider sees it, a profile with its form and errors, both rankings with
//! their errors, and the matching page before and after a run with its forms' errors.

use crate::common::TestApp;

const EDEN: &str = "eden.enabler@example.org";
const LEE: &str = "lee.lead@example.org";
const PRIYA: &str = "priya.programme@example.org";

/// Adds the pages under their names.
pub async fn collect(app: &TestApp, pages: &mut Vec<(String, String)>) {
    let db = &app.state.db;
    let lee = app.signed_in(LEE).await;
    let priya = app.signed_in(PRIYA).await;
    let eden = app.signed_in(EDEN).await;
    let lv = "/programmes/local-vision";
    let mut get = async |label: &str, client: &reqwest::Client, path: &str| {
        let (status, html) = app.get(client, path).await;
        assert_eq!(status, 200, "{path}: {html}");
        pages.push((label.into(), html));
    };
    get("pool as lee", &lee, &format!("{lv}/enablers")).await;
    get(
        "pool filtered as priya",
        &priya,
        &format!("{lv}/enablers?region=North+West"),
    )
    .await;

    let place = app.place_id("PL-0001").await;
    let award = convene_store::awards::of_place(db, convene_domain::PlaceId(place))
        .await
        .unwrap()
        .into_iter()
        .find(|a| a.status == convene_domain::awards::AwardStatus::Accepted)
        .unwrap()
        .id;
    let ranking = format!("/awards/{award}/enablers");
    get("place ranking as lee", &lee, &ranking).await;
    let enabler = convene_store::enablers::of_user(db, user_id(app, EDEN).await)
        .await
        .unwrap()[0]
        .id;
    get("profile as eden", &eden, &format!("/enablers/{enabler}")).await;
    get("profile as lee", &lee, &format!("/enablers/{enabler}")).await;
    get(
        "enabler ranking as eden",
        &eden,
        &format!("/enablers/{enabler}/places"),
    )
    .await;
    get("matching as priya", &priya, &format!("{lv}/matching")).await;

    // Each form again with its errors.
    let join = format!("{lv}/enablers/join");
    let parker = app.signed_in("parker.participant@example.org").await;
    let fields = [
        ("capacity", "0"),
        ("available_from_day", "1"),
        ("available_from_month", "7"),
        ("available_from_year", "2013"),
        ("available_to_day", "31"),
        ("available_to_month", "2"),
        ("available_to_year", "2014"),
    ];
    let html = form(app, &parker, &join, &fields).await;
    assert!(html.contains("a whole number from 1 to 20"), "{html}");
    pages.push(("join errors".into(), html));
    let field = format!("rank_{enabler}");
    let html = form(app, &lee, &ranking, &[(field.as_str(), "first")]).await;
    assert!(html.contains("Enter a whole number from 1"), "{html}");
    pages.push(("place ranking errors".into(), html));
    let profile = format!("/enablers/{enabler}");
    let html = form(app, &eden, &profile, &[("bio", ""), ("version", "0")]).await;
    pages.push(("profile errors".into(), html));
    let matching = format!("{lv}/matching");
    let html = form(app, &priya, &matching, &[("award", "")]).await;
    assert!(html.contains("Choose the place to change"), "{html}");
    pages.push(("matching change errors".into(), html));

    // A request to join, as the admin who decides it sees it.
    let good = [
        ("bio", "Facilitation for place-based partnerships."),
        ("expertise", "Facilitation"),
        ("sectors", "Voluntary sector"),
        ("regions", "London"),
        ("capacity", "2"),
        ("available_from_day", "1"),
        ("available_from_month", "9"),
        ("available_from_year", "2013"),
        ("available_to_day", "31"),
        ("available_to_month", "3"),
        ("available_to_year", "2014"),
    ];
    let res = app.post_form(&parker, &join, &join, &good).await;
    assert_eq!(res.status(), 303);
    let requests = convene_store::requests::of_user(db, user_id(app, "parker.participant@example.org").await)
        .await
        .unwrap();
    let asked = requests.iter().find(|r| r.role.key() == "enabler").unwrap().id;
    let (status, html) = app.get(&priya, &format!("/requests/{asked}")).await;
    assert_eq!(status, 200);
    assert!(html.contains("Request to join the enabler pool of"), "{html}");
    assert!(
        html.contains("Facilitation for place-based partnerships."),
        "{html}"
    );
    pages.push(("pool request as priya".into(), html));
}

/// Posts a form to the page it is on and returns the page shown again.
async fn form(app: &TestApp, client: &reqwest::Client, page: &str, fields: &[(&str, &str)]) -> String {
    let action = match page.ends_with("/matching") {
        true => format!("{page}/change"),
        false => page.to_string(),
    };
    let res = app.post_form(client, page, &action, fields).await;
    assert_eq!(res.status(), 200, "{page}");
    res.text().await.unwrap()
}

async fn user_id(app: &TestApp, email: &str) -> convene_domain::UserId {
    let email = convene_domain::Email::parse(email).unwrap();
    convene_store::users::by_email(&app.state.db, &email)
        .await
        .unwrap()
        .unwrap()
        .id
}
