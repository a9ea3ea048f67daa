//! A member with a conflict of interest is told nothing of the application, on a panel
//! seated on the demo's open round and in the demo's third round.

use super::*;

on_both!(a_conflicted_member_is_told_nothing_of_the_application, |app| {
    let s = seat_panel(&app).await;
    let application = format!("/api/v1/applications/{}", s.application);
    let (status, _) = get(&app, &application, &s.parker).await;
    assert_eq!(
        status, 200,
        "a member reads a submitted application before declaring"
    );
    let (_, listed) = get(&app, &s.at("moderation"), &s.parker).await;
    assert_eq!(
        ids(&listed["lines"], "application_id"),
        [s.application],
        "{listed}"
    );
    s.declare_with_the_place(&app, &s.parker).await;
    let (_, overview) = get(&app, &s.at("assignment"), &s.admin).await;
    let stood_aside = ids(&overview["applications"][0]["stood_aside"], "user_id");
    assert_eq!(stood_aside, [s.ids[PARKER]], "{overview}");
    let (status, _) = post(&app, &s.at("assignment-runs"), &s.admin, None).await;
    assert_eq!(status, 201);
    // What the conflicted member is told, everywhere: 404 or 403, and nothing of it.
    let (_, read) = get(&app, &application, &s.admin).await;
    let reference = read["reference"].as_str().unwrap().to_string();
    let (review, bid) = (s.of_application("review"), s.of_application("bid"));
    let moderation = s.of_application("moderation");
    let mut told = Vec::new();
    for (method, path, body) in [
        (Method::GET, application.clone(), None),
        (Method::GET, format!("{application}/partners"), None),
        (Method::GET, review.clone(), None),
        (
            Method::PUT,
            review.clone(),
            Some(json!({"version": 0, "scores": scores(json!(3))})),
        ),
        (Method::PUT, review.clone(), Some(json!({"not": "a review"}))),
        (Method::PUT, bid.clone(), Some(json!({"bid": 2}))),
        (Method::PUT, bid.clone(), Some(json!({"bid": 9}))),
        (
            Method::PUT,
            moderation,
            Some(json!({"version": 0, "agreed_score": "3"})),
        ),
    ] {
        let (status, body) = send(&app, method.clone(), &path, &s.parker, body).await;
        assert!(status == 403 || status == 404, "{method} {path}: {status} {body}");
        let silent = body["errors"].is_null() && !body.to_string().contains(&reference);
        assert!(silent, "{method} {path}: {body}");
        told.push(status);
    }
    assert_eq!(
        (told[0], told[5]),
        (404, 404),
        "the application is not there for them"
    );
    for list in ["bids", "reviews"] {
        let (status, lines) = get(&app, &s.at(list), &s.parker).await;
        assert_eq!(
            (status, lines.as_array().map(Vec::len)),
            (200, Some(0)),
            "{list}: {lines}"
        );
    }
    let (_, listed) = get(&app, &s.at("moderation"), &s.parker).await;
    assert!(listed["lines"].as_array().unwrap().is_empty(), "{listed}");
    assert!(!listed.to_string().contains(&reference), "{listed}");
    // Members without a conflict still see it.
    let (_, listed) = get(&app, &s.at("moderation"), &s.eden).await;
    assert_eq!(
        ids(&listed["lines"], "application_id"),
        [s.application],
        "{listed}"
    );
    let (_, bids) = get(&app, &s.at("bids"), &s.eden).await;
    assert_eq!(ids(&bids, "application_id"), [s.application], "{bids}");
});

on_both!(the_demo_round_keeps_its_members_from_their_conflicts, |app| {
    let round = round_id(&app, "2026-third-round").await;
    let admin = token(&app, ADMIN).await;
    let pat = token(&app, PAT).await;
    let at = |tail: &str| format!("/api/v1/rounds/{round}/{tail}");
    let (_, all) = get(&app, &at("moderation"), &admin).await;
    let lines = all["lines"].as_array().unwrap();
    assert_eq!(lines.len(), 30, "{all}");
    let stood_aside = |l: &&Value| {
        l["stood_aside"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n == "Pat Panelworth")
    };
    let pats: Vec<i64> = lines
        .iter()
        .filter(stood_aside)
        .map(|l| l["application_id"].as_i64().unwrap())
        .collect();
    assert!(!pats.is_empty(), "Pat declared a conflict: {all}");
    let (_, mine) = get(&app, &at("moderation"), &pat).await;
    let seen = ids(&mine["lines"], "application_id");
    assert_eq!(seen.len(), 30 - pats.len());
    let (_, bids) = get(&app, &at("bids"), &pat).await;
    let (_, queue) = get(&app, &at("reviews"), &pat).await;
    let (bids, queue) = (ids(&bids, "application_id"), ids(&queue, "application_id"));
    assert!(!queue.is_empty(), "Pat has applications to score");
    for id in &pats {
        assert!(!seen.contains(id) && !bids.contains(id) && !queue.contains(id));
        let (status, _) = get(&app, &format!("/api/v1/applications/{id}"), &pat).await;
        assert_eq!(status, 404);
        let (status, _) = get(&app, &format!("/api/v1/applications/{id}/review"), &pat).await;
        assert_eq!(status, 403);
    }
    let (_, panel) = get(&app, &at("panel"), &pat).await;
    let seats = (
        panel["members"].as_array().unwrap().len(),
        panel["you"]["is_chair"].as_bool(),
    );
    assert_eq!(seats, (6, Some(true)), "{panel}");
    let (status, _) = post(&app, &at("assignment-runs"), &admin, None).await;
    assert_eq!(status, 409, "scoring has begun in the demo round");
});
