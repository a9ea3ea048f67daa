//! Panel review, tried as an attacker would: a member reaching an application their
//! conflicts cover (by its page, its scoring page, a bid, the moderation record, the API),
//! scoring what is not theirs, replaying a submitted review, reading others' scores early,
//! recording the agreed score without chairing, and an admin putting a conflicted member
//! on by hand. The demo's third Local Vision round is under review: Pat chairs it and has
//! declared a conflict with Lampwick Green.

use crate::common::*;
use convene_domain::{ApplicationId, RoundId, UserId};
use convene_store::panels::{assignment, reviews};
use convene_store::{applications, programmes, users};

const PAT: &str = "pat.panel@example.org";
const CASEY: &str = "casey.critwell@example.org";
const ADMIN: &str = "priya.programme@example.org";

struct Third {
    round: RoundId,
    /// Lampwick Green's application, which Pat's conflict covers.
    covered: ApplicationId,
    reference: String,
}

async fn third_round(app: &TestApp) -> Third {
    let db = &app.state.db;
    let lv = programmes::by_slug(db, "local-vision").await.unwrap().unwrap();
    let round = programmes::rounds(db, lv.id)
        .await
        .unwrap()
        .into_iter()
        .find(|r| r.slug == "2026-third-round")
        .unwrap()
        .id;
    let place = app.place_id("PL-0033").await; // Lampwick Green
    let covered = applications::for_place_in_round(db, round, convene_domain::PlaceId(place))
        .await
        .unwrap()
        .unwrap();
    Third {
        round,
        covered: covered.id,
        reference: covered.reference.clone().unwrap(),
    }
}

async fn user_id(app: &TestApp, email: &str) -> UserId {
    let email = convene_domain::Email::parse(email).unwrap();
    users::by_email(&app.state.db, &email).await.unwrap().unwrap().id
}

crate::on_both!(a_conflicted_member_reaches_nothing_of_the_application, |app| {
    let t = third_round(&app).await;
    let pat = app.signed_in(PAT).await;
    let id = t.covered.0;
    // Its page, its files' list and its scoring page: nothing, and nothing of it named.
    let (status, body) = app.get(&pat, &format!("/applications/{id}")).await;
    assert_eq!(status, 404);
    assert!(!body.contains("Lampwick"), "{body}");
    let (status, body) = app.get(&pat, &format!("/applications/{id}/review")).await;
    assert_eq!(status, 403);
    assert!(
        !body.contains("Lampwick") && !body.contains(&t.reference),
        "{body}"
    );
    // The lists a member reads leave it out.
    for page in ["moderation", "bids", "reviews"] {
        let (status, body) = app.get(&pat, &format!("/panels/{}/{page}", t.round.0)).await;
        assert_eq!(status, 200, "{page}");
        assert!(
            !body.contains(&t.reference),
            "{page} names {}:\n{body}",
            t.reference
        );
    }
    let (status, body) = app
        .get(&pat, &format!("/panels/{}/moderation/{id}", t.round.0))
        .await;
    assert_eq!(status, 404);
    assert!(
        !body.contains("Lampwick") && !body.contains(&t.reference),
        "{body}"
    );
    // A bid crafted for it changes nothing.
    let bids = format!("/panels/{}/bids", t.round.0);
    let field = format!("bid-{id}");
    app.post_form(&pat, &bids, &bids, &[(field.as_str(), "3")]).await;
    let mine = assignment::bids_of_member(&app.state.db, t.round, user_id(&app, PAT).await)
        .await
        .unwrap();
    assert!(
        !mine.contains_key(&t.covered),
        "a bid on a conflicted application was kept"
    );
    // The chair may not record its agreed score.
    let moderation = format!("/panels/{}/moderation", t.round.0);
    let res = app
        .post_form(
            &pat,
            &moderation,
            &format!("/applications/{id}/moderation"),
            &[("agreed_score", "4"), ("note", "x"), ("version", "0")],
        )
        .await;
    assert_eq!(res.status(), 403);
    assert!(
        reviews::moderation(&app.state.db, t.covered)
            .await
            .unwrap()
            .is_none()
    );
    // The API tells no more than the pages.
    let token = app.create_api_token(&pat, "attack").await;
    let api = app.client();
    for path in [
        format!("/api/v1/applications/{id}"),
        format!("/api/v1/applications/{id}/review"),
    ] {
        let res = api.get(app.at(&path)).bearer_auth(&token).send().await.unwrap();
        assert!(
            matches!(res.status().as_u16(), 403 | 404),
            "{path}: {}",
            res.status()
        );
        let body = res.text().await.unwrap();
        assert!(
            !body.contains("Lampwick") && !body.contains(&t.reference),
            "{path}: {body}"
        );
    }
    let res = api
        .get(app.at(&format!("/api/v1/rounds/{}/moderation", t.round.0)))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(!res.text().await.unwrap().contains(&t.reference));
    app.stop().await;
});

crate::on_both!(
    scoring_what_is_not_yours_or_replaying_a_submission_is_refused,
    |app| {
        let t = third_round(&app).await;
        let db = &app.state.db;
        let casey_id = user_id(&app, CASEY).await;
        let pairs = assignment::assignments(db, t.round).await.unwrap();
        let unassigned = pairs
            .iter()
            .map(|p| p.application_id)
            .find(|a| {
                !pairs
                    .iter()
                    .any(|p| p.application_id == *a && p.user_id == casey_id)
            })
            .unwrap();
        let casey = app.signed_in(CASEY).await;
        let res = casey
            .post(app.at(&format!("/applications/{}/review", unassigned.0)))
            .form(&[
                ("version", "0"),
                ("action", "submit"),
                ("scores.gain_for_residents", "5"),
            ])
            .send()
            .await
            .unwrap();
        // No CSRF token: refused before anything; with one, still refused.
        assert_eq!(res.status(), 403);
        let (status, _) = app
            .get(&casey, &format!("/applications/{}/review", unassigned.0))
            .await;
        assert_eq!(status, 403);
        assert!(reviews::review(db, unassigned, casey_id).await.unwrap().is_none());
        // A review Casey has submitted cannot be saved again over its version.
        let submitted = reviews::of_member(db, t.round, casey_id)
            .await
            .unwrap()
            .into_iter()
            .find(|r| r.submitted())
            .expect("the demo has Casey's submitted reviews");
        let page = format!("/applications/{}/review", submitted.application_id.0);
        let version = submitted.version.to_string();
        let mut fields = vec![("version", version.as_str()), ("action", "submit")];
        let keys: Vec<String> = submitted
            .scores
            .iter()
            .map(|s| format!("scores.{}", s.criterion))
            .collect();
        for k in &keys {
            fields.push((k.as_str(), "1"));
        }
        let res = app.post_form(&casey, &page, &page, &fields).await;
        assert_eq!(res.status(), 200);
        let body = res.text().await.unwrap();
        assert!(body.contains("they are final"), "{body}");
        let after = reviews::review(db, submitted.application_id, casey_id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(after.scores, submitted.scores, "a submitted review changed");
        app.stop().await;
    }
);

crate::on_both!(others_scores_stay_hidden_until_your_own_is_in, |app| {
    let t = third_round(&app).await;
    let db = &app.state.db;
    let pat_id = user_id(&app, PAT).await;
    let submitted = reviews::submitted_in_round(db, t.round).await.unwrap();
    // An application assigned to Pat, not yet scored by Pat, that someone else has scored.
    let mine = assignment::assigned_to(db, t.round, pat_id).await.unwrap();
    let (application, other) = mine
        .iter()
        .find_map(|p| {
            let others: Vec<_> = submitted
                .iter()
                .filter(|r| r.application_id == p.application_id)
                .collect();
            let pat_done = others.iter().any(|r| r.user_id == pat_id);
            let other = others.iter().find(|r| r.user_id != pat_id)?;
            (!pat_done).then(|| (p.application_id, (*other).clone()))
        })
        .expect("an application of Pat's that another reviewer has scored");
    let comment = other
        .scores
        .iter()
        .find(|s| !s.comment.is_empty())
        .unwrap()
        .comment
        .clone();
    let pat = app.signed_in(PAT).await;
    let (status, body) = app
        .get(&pat, &format!("/applications/{}/review", application.0))
        .await;
    assert_eq!(status, 200);
    let shown = body.replace("&#39;", "'").replace("&quot;", "\"");
    assert!(
        !shown.contains(&comment),
        "another reviewer's comment shows before Pat has scored"
    );
    let token = app.create_api_token(&pat, "peek").await;
    let res = app
        .client()
        .get(app.at(&format!("/api/v1/applications/{}/review", application.0)))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(!res.text().await.unwrap().contains(&comment));
    app.stop().await;
});

crate::on_both!(only_the_chair_records_and_no_admin_breaks_a_conflict, |app| {
    let t = third_round(&app).await;
    let db = &app.state.db;
    // Casey sits on the panel but does not chair it.
    let other = assignment::assignments(db, t.round)
        .await
        .unwrap()
        .into_iter()
        .find(|p| p.application_id != t.covered)
        .unwrap();
    let casey = app.signed_in(CASEY).await;
    let moderation = format!("/panels/{}/moderation", t.round.0);
    let res = app
        .post_form(
            &casey,
            &moderation,
            &format!("/applications/{}/moderation", other.application_id.0),
            &[("agreed_score", "4"), ("note", "x"), ("version", "0")],
        )
        .await;
    assert_eq!(res.status(), 403);
    assert!(
        reviews::moderation(db, other.application_id)
            .await
            .unwrap()
            .is_none()
    );
    // The admin cannot put Pat on the application Pat's conflict covers.
    let pat_id = user_id(&app, PAT).await;
    let before = assignment::assignments(db, t.round).await.unwrap();
    let on_it = before.iter().find(|p| p.application_id == t.covered).unwrap();
    assert!(
        !before
            .iter()
            .any(|p| p.application_id == t.covered && p.user_id == pat_id)
    );
    let admin = app.signed_in(ADMIN).await;
    let page = format!("/panels/{}/assignment", t.round.0);
    let res = app
        .post_form(
            &admin,
            &page,
            &format!("{page}/change"),
            &[
                ("application", &t.covered.0.to_string()),
                ("remove", &on_it.user_id.0.to_string()),
                ("add", &pat_id.0.to_string()),
            ],
        )
        .await;
    assert_eq!(res.status(), 200);
    let body = res.text().await.unwrap();
    assert!(
        body.contains("conflict of interest with this application"),
        "{body}"
    );
    assert_eq!(assignment::assignments(db, t.round).await.unwrap(), before);
    // Another round's panel member sees nothing of this panel.
    let (status, _) = app
        .get(&app.signed_in(PAT).await, &format!("/panels/{}", t.round.0))
        .await;
    assert_eq!(status, 200);
    let lee = app.signed_in("lee.lead@example.org").await;
    for page in ["", "/moderation", "/assignment", "/reviews"] {
        let (status, _) = app.get(&lee, &format!("/panels/{}{page}", t.round.0)).await;
        assert!(matches!(status, 403 | 404), "{page}: {status}");
    }
    app.stop().await;
});
