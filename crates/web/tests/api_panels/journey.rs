//! Saves over a stale version, and a whole review from a declared conflict to the agreed
//! score.

use super::*;

on_both!(the_later_of_two_moderation_saves_is_refused, |app| {
    let s = seat_panel(&app).await;
    let moderation = s.of_application("moderation");
    let off_scale = json!({"version": 0, "agreed_score": "5.5"});
    put_refused(&app, &moderation, &s.pat, off_scale, "agreed_score").await;
    let (status, _) = put(
        &app,
        &moderation,
        &s.eden,
        json!({"version": 0, "agreed_score": "3.5"}),
    )
    .await;
    assert_eq!(status, 403, "only the chair or an admin records");
    let (status, _) = put(&app, &moderation, &s.eden, json!({"version": "zero"})).await;
    assert_eq!(status, 403, "told before anything about the body");
    let strong = json!({"version": 0, "agreed_score": "3.5", "note": "Strong."});
    let (status, first) = put(&app, &moderation, &s.pat, strong).await;
    assert_eq!((status, first["version"].as_i64()), (200, Some(1)), "{first}");
    // The admin's page was loaded before the chair saved: the later save is told.
    let weak = json!({"version": 0, "agreed_score": "2", "note": "Weak."});
    let (status, problem) = put(&app, &moderation, &s.admin, weak).await;
    assert_eq!(status, 409, "{problem}");
    assert!(
        problem["detail"].as_str().unwrap().contains("saved elsewhere"),
        "{problem}"
    );
    let (_, listed) = get(&app, &s.at("moderation"), &s.admin).await;
    let line = &listed["lines"][0];
    let agreed = (line["agreed"]["agreed_score"].as_str(), line["version"].as_i64());
    assert_eq!(agreed, (Some("3.5"), Some(1)), "{listed}");
    assert_eq!(line["agreed"]["note"], "Strong.");
    let (status, second) = put(
        &app,
        &moderation,
        &s.admin,
        json!({"version": 1, "agreed_score": "4"}),
    )
    .await;
    assert_eq!((status, second["version"].as_i64()), (200, Some(2)), "{second}");
});

/// Runs the assignment after `reviews_per_application` is set to `k`; returns the run.
async fn run_with(app: &TestApp, s: &Seated, k: i64) -> Value {
    let (status, _) = put(
        app,
        &s.at("panel/settings"),
        &s.admin,
        json!({"reviews_per_application": k}),
    )
    .await;
    assert_eq!(status, 200);
    let (status, run) = post(app, &s.at("assignment-runs"), &s.admin, None).await;
    assert_eq!(status, 201, "{run}");
    run
}

/// `member` finds the application in their queue, saves a draft scoring every criterion
/// `score`, is refused a save over the old version, and submits.
async fn score(app: &TestApp, s: &Seated, member: &str, score: i64) {
    let review = s.of_application("review");
    let (_, queue) = get(app, &s.at("reviews"), member).await;
    let first = (queue[0]["application_id"].as_i64(), queue[0]["state"].as_str());
    assert_eq!(first, (Some(s.application), Some("not_started")), "{queue}");
    let draft = json!({"version": 0, "scores": scores(json!(score))});
    let (status, draft) = put(app, &review, member, draft).await;
    assert_eq!((status, draft["version"].as_i64()), (200, Some(1)), "{draft}");
    assert!(
        draft["others"].is_null(),
        "nobody else's before submitting: {draft}"
    );
    let (status, problem) = put(app, &review, member, json!({"version": 0, "scores": []})).await;
    assert_eq!(status, 409, "a save over an old version: {problem}");
    let submit = json!({"version": 1, "submit": true, "scores": scores(json!(score))});
    let (status, done) = put(app, &review, member, submit).await;
    assert_eq!(
        (status, done["state"].as_str()),
        (200, Some("submitted")),
        "{done}"
    );
}

on_both!(a_review_from_a_declared_conflict_to_the_agreed_score, |app| {
    let s = seat_panel(&app).await;
    s.declare_with_the_place(&app, &s.parker).await;
    // Three reviews with one of three members conflicted: short, and why.
    let run = run_with(&app, &s, 3).await;
    let short = &run["short"][0];
    let why = (
        short["application_id"].as_i64(),
        short["unconflicted"].as_i64(),
        short["needed"].as_i64(),
    );
    assert_eq!(
        (run["outcome"].as_str(), why),
        (Some("short"), (Some(s.application), Some(2), Some(3))),
        "{run}"
    );
    let run = run_with(&app, &s, 2).await;
    assert_eq!(run["outcome"], "assigned", "{run}");
    let (_, overview) = get(&app, &s.at("assignment"), &s.admin).await;
    assert_eq!(overview["run"]["outcome"], "assigned", "{overview}");
    let mut pairs = ids(&overview["pairs"], "user_id");
    pairs.sort();
    let mut expected = vec![s.ids[PAT], s.ids[EDEN]];
    expected.sort();
    assert_eq!(pairs, expected, "{overview}");
    // Each sees the other's review only once their own is submitted.
    score(&app, &s, &s.pat, 4).await;
    score(&app, &s, &s.eden, 2).await;
    let (_, pats) = get(&app, &s.of_application("review"), &s.pat).await;
    assert_eq!(pats["others"][0]["reviewer"], "Eden Enablewell", "{pats}");
    // Scoring has begun: the assignment is not run again, but a pair may change by hand,
    // never to a conflicted member.
    let (status, _) = post(&app, &s.at("assignment-runs"), &s.admin, None).await;
    assert_eq!(status, 409);
    let change =
        json!({"application_id": s.application, "remove_user_id": s.ids[EDEN], "add_user_id": s.ids[PARKER]});
    let (status, problem) = post(&app, &s.at("assignment/changes"), &s.admin, Some(change)).await;
    assert_eq!(
        (status, problem["errors"]["add_user_id"].is_string()),
        (422, true),
        "{problem}"
    );
    // The meeting: the mean and spread in hundredths, the criteria in dispute, who stood
    // aside, and the chair's agreed score.
    let (_, listed) = get(&app, &s.at("moderation"), &s.pat).await;
    let line = &listed["lines"][0];
    assert_eq!(
        (line["mean"].as_i64(), line["spread"].as_i64()),
        (Some(300), Some(200)),
        "{listed}"
    );
    assert_eq!(line["flagged"].as_array().unwrap().len(), 5, "{listed}");
    assert_eq!(line["stood_aside"], json!(["Parker Partwell"]), "{listed}");
    assert_eq!(line["reviews"].as_array().unwrap().len(), 2, "{listed}");
    assert_eq!(listed["can_record"], true);
    let agreed = json!({"version": 0, "agreed_score": "3.5", "note": "Agreed after discussion."});
    let (status, _) = put(&app, &s.of_application("moderation"), &s.pat, agreed).await;
    assert_eq!(status, 200);
    let (_, listed) = get(&app, &s.at("moderation"), &s.eden).await;
    let seen = (
        listed["lines"][0]["agreed"]["agreed_score"].as_str(),
        listed["can_record"].as_bool(),
    );
    assert_eq!(seen, (Some("3.5"), Some(false)), "{listed}");
});
