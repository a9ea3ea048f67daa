#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests fail loudly by design.
//! The enabler pool and the matching over HTTP, on both stores: a person asks to join
//! and an admin vets them on the requests page; a late-funded place ranks, an enabler
//! ranks, the admin runs the matching, changes a pair by hand (warned of the pair that
//! would rather have each other) and confirms, which starts the engagement and emails
//! both sides.

mod common;

use common::TestApp;

const LEE: &str = "lee.lead@example.org";
const EDEN: &str = "eden.enabler@example.org";
const PRIYA: &str = "priya.programme@example.org";
const PARKER: &str = "parker.participant@example.org";
const LV: &str = "/programmes/local-vision";

async fn user(app: &TestApp, email: &str) -> convene_domain::UserId {
    let email = convene_domain::Email::parse(email).unwrap();
    convene_store::users::by_email(&app.state.db, &email)
        .await
        .unwrap()
        .unwrap()
        .id
}

const PROFILE: [(&str, &str); 11] = [
    ("bio", "Facilitation for place-based partnerships."),
    ("expertise", "Facilitation\nSystems leadership"),
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

on_both!(a_person_asks_to_join_the_pool_and_an_admin_approves, |app| {
    let join = format!("{LV}/enablers/join");
    let parker = app.signed_in(PARKER).await;
    let res = app.post_form(&parker, &join, &join, &PROFILE).await;
    assert_eq!(res.status(), 303);
    let (_, page) = app.get(&parker, &join).await;
    assert!(page.contains("The programme's admins will decide"), "{page}");
    // Asking twice is refused with the page again, and nothing more is saved.
    let res = app.post_form(&parker, &join, &join, &PROFILE).await;
    assert_eq!(res.status(), 200);
    let db = &app.state.db;
    let mine = convene_store::enablers::of_user(db, user(&app, PARKER).await)
        .await
        .unwrap();
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0].status.key(), "pending");
    assert_eq!(mine[0].profile.expertise, ["Facilitation", "Systems leadership"]);

    // The admins are told; the lead may not see a pending enabler in the pool.
    app.wait_for_mail(PRIYA, "join the enabler pool of").await;
    let lee = app.signed_in(LEE).await;
    let (_, pool) = app.get(&lee, &format!("{LV}/enablers")).await;
    assert!(!pool.contains("Facilitation for place-based"), "{pool}");
    let request = convene_store::requests::of_user(db, user(&app, PARKER).await)
        .await
        .unwrap()
        .into_iter()
        .find(|r| r.role.key() == "enabler")
        .unwrap()
        .id;
    let priya = app.signed_in(PRIYA).await;
    let (_, listed) = app.get(&priya, &format!("{LV}/requests")).await;
    assert!(listed.contains("the enabler pool of"), "{listed}");
    let page = format!("/requests/{request}");
    let res = app
        .post_form(&priya, &page, &page, &[("decision", "approve"), ("reason", "")])
        .await;
    assert_eq!(res.status(), 303);
    let mine = convene_store::enablers::of_user(db, user(&app, PARKER).await)
        .await
        .unwrap();
    assert_eq!(mine[0].status.key(), "approved");
    let grants = convene_store::users::grants(db, user(&app, PARKER).await)
        .await
        .unwrap();
    assert!(
        grants
            .iter()
            .any(|g| g.role.key() == "enabler" && g.scope_id.is_none())
    );
    app.wait_for_mail(PARKER, "Funded places can now choose you")
        .await;
    let (_, pool) = app.get(&lee, &format!("{LV}/enablers?region=London")).await;
    assert!(pool.contains("Facilitation for place-based"), "{pool}");
    assert!(
        !pool.contains("Eden Enablewell"),
        "the filter leaves out other regions: {pool}"
    );
});

on_both!(
    a_late_funded_place_is_matched_changed_by_hand_and_confirmed,
    |app| {
        let (award, place) = common::enablers::late_funded_place(&app).await;
        let db = &app.state.db;
        let eden = convene_store::enablers::of_user(db, user(&app, EDEN).await)
            .await
            .unwrap()[0]
            .id;
        let pool = convene_store::enablers::of_programme(
            db,
            convene_store::enablers::enabler(db, eden)
                .await
                .unwrap()
                .programme_id,
        )
        .await
        .unwrap();
        // Another enabler with room left after their live engagements.
        let live = convene_store::enablers::engagements::of_programme(db, pool[0].programme_id)
            .await
            .unwrap();
        let room = |e: &convene_store::enablers::Enabler| {
            e.profile.capacity
                - live
                    .iter()
                    .filter(|x| x.enabler_id == e.id && x.ended_on.is_none())
                    .count() as i64
        };
        let other = pool
            .iter()
            .find(|e| e.id != eden && e.status.key() == "approved" && room(e) > 0)
            .expect("the demo leaves an enabler with room");

        // The lead ranks Eden first and another second; the same number twice is refused.
        let lee = app.signed_in(LEE).await;
        let ranking = format!("/awards/{award}/enablers");
        let (eden_box, other_box) = (format!("rank_{eden}"), format!("rank_{}", other.id));
        let res = app
            .post_form(&lee, &ranking, &ranking, &[(&eden_box, "1"), (&other_box, "1")])
            .await;
        assert_eq!(res.status(), 200);
        assert!(res.text().await.unwrap().contains("You gave choice 1 twice"));
        let res = app
            .post_form(&lee, &ranking, &ranking, &[(&eden_box, "1"), (&other_box, "2")])
            .await;
        assert_eq!(res.status(), 303);

        // Eden's caseload fills her capacity of 3: she makes room for two more.
        let eden_client = app.signed_in(EDEN).await;
        let profile = format!("/enablers/{eden}");
        let mut fields = PROFILE.to_vec();
        fields[4] = ("capacity", "5");
        fields.push(("version", "1"));
        let res = app.post_form(&eden_client, &profile, &profile, &fields).await;
        assert_eq!(res.status(), 303, "{}", res.text().await.unwrap());
        let (_, page) = app.get(&eden_client, &profile).await;
        assert!(page.contains("Caseload") && page.contains("Westermoor"), "{page}");

        // Eden sees the place and what it made her, and ranks it first.
        let places = format!("/enablers/{eden}/places");
        let (_, page) = app.get(&eden_client, &places).await;
        assert!(
            page.contains(&place) && page.contains("They made you their choice 1."),
            "{page}"
        );
        let choice = format!("choice_{award}");
        let res = app
            .post_form(&eden_client, &places, &places, &[(&choice, "1")])
            .await;
        assert_eq!(res.status(), 303);

        // The admin runs the matching: the place has Eden, each side's first choice.
        let priya = app.signed_in(PRIYA).await;
        let matching = format!("{LV}/matching");
        let res = app
            .post_form(&priya, &matching, &format!("{matching}/run"), &[])
            .await;
        assert_eq!(res.status(), 303);
        let (_, page) = app.get(&priya, &matching).await;
        assert!(page.contains("paired 1 place with enablers"), "{page}");
        assert!(!page.contains("This matching is not stable"), "{page}");
        let (run, version) = convene_store::enablers::latest_run(db, pool[0].programme_id)
            .await
            .unwrap()
            .map(|r| (r.id.to_string(), r.version.to_string()))
            .unwrap();

        // A hand change to the other enabler is made, with the warning naming the pair.
        let other_id = other.id.to_string();
        let award_text = award.to_string();
        let fields = [
            ("award", award_text.as_str()),
            ("enabler", other_id.as_str()),
            ("run", run.as_str()),
            ("version", version.as_str()),
        ];
        let res = app
            .post_form(&priya, &matching, &format!("{matching}/change"), &fields)
            .await;
        assert_eq!(res.status(), 303);
        let (_, page) = app.get(&priya, &matching).await;
        assert!(page.contains("This matching is not stable"), "{page}");
        assert!(page.contains(&format!("{place} and Eden Enablewell")), "{page}");
        // The same form again names a version now stale: refused, nothing changed.
        let res = app
            .post_form(&priya, &matching, &format!("{matching}/change"), &fields)
            .await;
        assert_eq!(res.status(), 200);
        assert!(res.text().await.unwrap().contains("Someone else saved this"));

        // Confirming with a date that is not one is refused beside the date.
        let version = (version.parse::<i64>().unwrap() + 1).to_string();
        let mut confirm = vec![
            ("run", run.as_str()),
            ("version", version.as_str()),
            ("starts_day", "31"),
            ("starts_month", "2"),
            ("starts_year", "2014"),
        ];
        let res = app
            .post_form(&priya, &matching, &format!("{matching}/confirm"), &confirm)
            .await;
        assert_eq!(res.status(), 200);
        assert!(res.text().await.unwrap().contains("href=\"#starts_day\""));
        confirm[2] = ("starts_day", "6");
        confirm[3] = ("starts_month", "1");
        let res = app
            .post_form(&priya, &matching, &format!("{matching}/confirm"), &confirm)
            .await;
        assert_eq!(res.status(), 303);

        // The engagement runs from 6 January to 31 March 2014 with the other enabler, and
        // both sides are emailed.
        let started = convene_store::enablers::engagements::of_award(db, award)
            .await
            .unwrap();
        assert_eq!(started.len(), 1);
        assert_eq!(started[0].enabler_id, other.id);
        assert_eq!(started[0].starts_on.to_string(), "2014-01-06");
        assert_eq!(started[0].ends_on.to_string(), "2014-03-31");
        app.wait_for_mail(&other.email, &place).await;
        app.wait_for_mail(LEE, &place).await;
        let (_, page) = app.get(&priya, &matching).await;
        assert!(page.contains("Confirmed at"), "{page}");
    }
);

on_both!(a_refused_answer_or_settlement_keeps_what_was_typed, |app| {
    let db = &app.state.db;
    let lee = user(&app, LEE).await;
    let place = app.place_id("PL-0001").await;
    let engagement = convene_store::enablers::engagements::of_person(db, lee)
        .await
        .unwrap()
        .into_iter()
        .find(|e| e.place_id.0 == place)
        .unwrap()
        .id;
    let query = convene_store::enablers::queries::of_engagement(db, engagement)
        .await
        .unwrap()[0]
        .id;
    let page = format!("/engagements/{engagement}");

    // No outcome chosen and a note over 2,000 characters: both named, the note kept.
    let priya = app.signed_in(PRIYA).await;
    let note = format!("Checked against the diary. {}", "x".repeat(2_000));
    let settle = format!("{page}/queries/{query}/settle");
    let res = app.post_form(&priya, &page, &settle, &[("note", &note)]).await;
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    assert!(html.contains(&format!("href=\"#outcome-{query}\"")), "{html}");
    assert!(html.contains(&format!("href=\"#note-{query}\"")), "{html}");
    assert!(html.contains(&note), "the note typed is shown again");

    // An answer too long is shown again as typed, not as the one saved before.
    let eden = app.signed_in(EDEN).await;
    let answer = format!("We met all day. {}", "y".repeat(2_000));
    let res = app
        .post_form(
            &eden,
            &page,
            &format!("{page}/queries/{query}/answer"),
            &[("answer", &answer)],
        )
        .await;
    assert_eq!(res.status(), 200);
    assert!(res.text().await.unwrap().contains(&answer));
    let kept = convene_store::enablers::queries::query(db, query).await.unwrap();
    assert!(kept.settlement.is_none() && kept.answer.as_deref() != Some(answer.as_str()));
});
