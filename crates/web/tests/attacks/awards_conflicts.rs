//! The decisions as a panel member with a conflict of interest would try them: the
//! selection helper, the board, one application's decision, the panel pack and the API,
//! each of which must leave out what the member stands aside from, for the chair of the
//! third round (seated, conflicted with Lampwick Green) and for a member of the 2013 round
//! who holds the panel member role without a seat (as Pat does there, and anyone invited to
//! a panel).

use super::*;
use std::process::Command;

/// The text of every part of an XLSX file (the sheets' XML), through `unzip`.
fn xlsx_text(bytes: &[u8]) -> String {
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), bytes).unwrap();
    let out = Command::new("unzip")
        .arg("-p")
        .arg(file.path())
        .output()
        .expect("unzip must be installed (Debian package unzip)");
    assert!(out.status.success(), "not a zip file");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Asserts that nothing a member is shown of the round's selection, decisions and
/// moderation meeting (their session and API token), on the pages, in the panel pack or
/// through the API, names
/// `hidden` (by place name or reference), while `shown` is named (so the check is seen to
/// look); and that its own pages are not found.
async fn nothing_named(
    app: &TestApp,
    (who, token): (&reqwest::Client, &str),
    round: RoundId,
    hidden: &Applied,
    shown: &Applied,
) {
    let mut seen = Vec::new();
    for page in ["selection", "decisions", "moderation"] {
        let path = format!("/panels/{}/{page}", round.0);
        let (status, html) = app.get(who, &path).await;
        assert_eq!(status, 200, "{path}");
        seen.push((path, html));
    }
    let pack = format!("/panels/{}/panel-pack.xlsx", round.0);
    let res = who.get(app.at(&pack)).send().await.unwrap();
    assert_eq!(res.status(), 200);
    seen.push((pack, xlsx_text(&res.bytes().await.unwrap())));
    for path in [
        format!("/api/v1/rounds/{}/selection", round.0),
        format!("/api/v1/rounds/{}/decisions", round.0),
        format!("/api/v1/rounds/{}/moderation", round.0),
    ] {
        let (status, body) = api(app, token, "GET", &path, None).await;
        assert_eq!(status, 200, "{path}: {body}");
        seen.push((path, body));
    }
    // Every route that names it, not only the first.
    let mut leaks: Vec<String> = seen
        .iter()
        .filter(|(_, text)| text.contains(&hidden.place_name) || text.contains(&hidden.reference))
        .map(|(path, _)| path.clone())
        .collect();
    for path in [
        format!("/panels/{}/decisions/{}", round.0, hidden.id.0),
        format!("/panels/{}/selection/values/{}", round.0, hidden.id.0),
    ] {
        let (status, html) = app.get(who, &path).await;
        if status != 404 || html.contains(&hidden.place_name) {
            leaks.push(format!("{path} ({status})"));
        }
    }
    assert!(
        leaks.is_empty(),
        "{} {}, which the member stands aside from, is shown by: {leaks:#?}",
        hidden.reference,
        hidden.place_name
    );
    for (path, text) in &seen {
        assert!(text.contains(&shown.reference), "{path} lists nothing: {text}");
    }
}

/// The admin records the panel's agreed score of 5 on an application, so the helper
/// proposes it.
async fn agree_top_score(app: &TestApp, token: &str, a: &Applied) {
    let version = convene_store::panels::reviews::moderation(&app.state.db, a.id)
        .await
        .unwrap()
        .map_or(0, |m| m.version);
    let path = format!("/api/v1/applications/{}/moderation", a.id.0);
    let body = json!({"version": version, "agreed_score": "5", "note": "Agreed at the meeting"});
    let (status, body) = api(app, token, "PUT", &path, Some(body)).await;
    assert_eq!(status, 200, "{body}");
}

/// The chair tries to decide an application by the page and the API: not found each time.
async fn cannot_decide(app: &TestApp, (who, token): (&reqwest::Client, &str), round: RoundId, a: &Applied) {
    let page = format!("/panels/{}/decisions/{}", round.0, a.id.0);
    let board = format!("/panels/{}/decisions", round.0);
    let fields = [
        ("outcome", "decline"),
        ("feedback", "x"),
        ("override_reason", "x"),
        ("expected_version", "1"),
    ];
    let res = app.post_form(who, &board, &page, &fields).await;
    assert_eq!(res.status(), 404);
    let path = format!("/api/v1/applications/{}/decision", a.id.0);
    for version in [0, 1] {
        let body = json!({"outcome": "decline", "feedback": "x", "override_reason": "x", "expected_version": version});
        let (status, answer) = api(app, token, "PUT", &path, Some(body)).await;
        assert_eq!(status, 404, "{answer}");
    }
}

/// The latest proposal's total score less the scores of the chosen applications `token`
/// is shown: what the proposal counts that they are not shown.
async fn proposal_unshown_score(app: &TestApp, token: &str, round: RoundId) -> (i64, Value) {
    let path = format!("/api/v1/rounds/{}/selection", round.0);
    let (_, body) = api(app, token, "GET", &path, None).await;
    let helper: Value = serde_json::from_str(&body).unwrap();
    let lines = helper["applications"].as_array().unwrap();
    let latest = helper["latest"].clone();
    let shown: i64 = latest["chosen"]
        .as_array()
        .unwrap()
        .iter()
        .map(|id| {
            let line = lines.iter().find(|l| l["application_id"] == *id).unwrap();
            line["score"].as_i64().unwrap()
        })
        .sum();
    (latest["total_score"].as_i64().unwrap() - shown, latest)
}

crate::on_both!(
    a_conflicted_chair_reaches_nothing_of_it_through_the_decisions,
    |app| {
        let t = third_round(&app).await;
        let lampwick = &t.covered;
        let admin = app.signed_in(ADMIN).await;
        let admin_token = app.create_api_token(&admin, "run").await;
        // Lampwick Green is the panel's top choice, and funded by the admin.
        agree_top_score(&app, &admin_token, lampwick).await;
        let (status, body) = decide(&app, &admin_token, lampwick.id, "fund").await;
        assert_eq!(status, 200, "{body}");
        let pat = app.signed_in(PAT).await;
        let token = app.create_api_token(&pat, "attack").await;
        // The chair runs the helper, which weighs every application.
        let runs = format!("/api/v1/rounds/{}/selection/runs", t.round.0);
        let (status, body) = api(&app, &token, "POST", &runs, None).await;
        assert_eq!(status, 201, "{body}");
        let (_, run) = app.get(&admin, &format!("/panels/{}/selection", t.round.0)).await;
        assert!(run.contains(&lampwick.reference), "the admin is shown it all");
        nothing_named(&app, (&pat, &token), t.round, lampwick, &t.others[0]).await;
        cannot_decide(&app, (&pat, &token), t.round, lampwick).await;
        let decision = decisions::of_application(&app.state.db, lampwick.id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!((decision.outcome.key(), decision.version), ("fund", 1));
        // The proposal's total counts only what the chair is shown: else the chair reads
        // Lampwick Green's agreed score as what the chosen applications shown do not add up to.
        let (unshown, latest) = proposal_unshown_score(&app, &token, t.round).await;
        assert_eq!(
            unshown, 0,
            "the proposal's total counts a score the chair is not shown: {latest}"
        );
        app.stop().await;
    }
);

crate::on_both!(
    a_declined_offer_is_not_shown_to_the_chair_who_stands_aside,
    |app| {
        let t = third_round(&app).await;
        let lampwick = &t.covered;
        let admin = app.signed_in(ADMIN).await;
        let admin_token = app.create_api_token(&admin, "fund").await;
        let (status, body) = decide(&app, &admin_token, lampwick.id, "fund").await;
        assert_eq!(status, 200, "{body}");
        let (lead, _) = lead_of(&app, "lark.lampwick@example.org", "Lark Lampwick", lampwick.place).await;
        let lead_token = app.create_api_token(&lead, "answer").await;
        let pat = app.signed_in(PAT).await;
        let pat_token = app.create_api_token(&pat, "look").await;
        notification_date(&app, &t).await;
        // Lampwick Green declines its offer.
        let award = award_of(&app, lampwick.id).await.unwrap();
        let (status, body) = respond(&app, &lead_token, award.id, json!({"answer": "decline"})).await;
        assert_eq!(status, 200, "{body}");
        let admin = app.signed_in(ADMIN).await;
        let (_, html) = app.get(&admin, &format!("/panels/{}/decisions", t.round.0)).await;
        assert!(
            html.contains("Offers declined") && html.contains(&lampwick.place_name),
            "{html}"
        );
        // The chair, who stands aside from it, is not told of the decline either.
        let pat = app.signed_in(PAT).await;
        nothing_named(&app, (&pat, &pat_token), t.round, lampwick, &t.others[0]).await;
        app.stop().await;
    }
);

crate::on_both!(a_member_without_a_seat_stands_aside_as_well, |app| {
    // Pat holds the panel member role for the 2013 round without a seat on its panel, and
    // declares a conflict with Oakhurst Cross through the conflicts page.
    let db = &app.state.db;
    let lv = programmes::by_slug(db, "local-vision").await.unwrap().unwrap();
    let round = programmes::rounds(db, lv.id)
        .await
        .unwrap()
        .into_iter()
        .find(|r| r.slug == "2013")
        .unwrap()
        .id;
    let filter = applications::ListFilter {
        status: Some(convene_domain::applications::ApplicationStatus::Submitted),
        ..Default::default()
    };
    let oakhurst_place = PlaceId(app.place_id("PL-0009").await);
    let mut listed = Vec::new();
    for row in applications::list(db, round, &filter, 1, 100).await.unwrap().rows {
        let a = applications::by_id(db, row.id).await.unwrap().unwrap();
        listed.push(Applied {
            id: a.id,
            reference: row.reference.clone().unwrap(),
            place: a.place_id,
            place_name: row.place_name.clone(),
        });
    }
    let oakhurst = listed.iter().find(|a| a.place == oakhurst_place).unwrap();
    let other = listed.iter().find(|a| a.place != oakhurst_place).unwrap();
    let pat = app.signed_in(PAT).await;
    let token = app.create_api_token(&pat, "look").await;
    let conflicts = format!("/panels/{}/conflicts", round.0);
    let with = format!("place:{}", oakhurst.place.0);
    let fields = [
        ("with", with.as_str()),
        ("reason", "I chair its partnership board"),
    ];
    let res = app.post_form(&pat, &conflicts, &conflicts, &fields).await;
    assert_eq!(res.status(), 303, "the conflict is recorded");
    let (status, _) = app.get(&pat, &format!("/applications/{}", oakhurst.id.0)).await;
    assert_eq!(status, 404, "the application itself is hidden from Pat now");
    nothing_named(&app, (&pat, &token), round, oakhurst, other).await;
    app.stop().await;
});
