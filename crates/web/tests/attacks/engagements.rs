//! Engagements, tried at their seams: a lead querying, through their own engagement's
//! page, an entry of another place's engagement; an enabler reaching another's engagement
//! or pushing a day past 24 hours; and the list telling anyone of engagements that are not
//! theirs. The demo's 2013–14 year: lee leads Westermoor (PL-0001), supported by eden.

use crate::common::*;
use convene_domain::Email;
use convene_store::enablers::engagements::{self, Engagement};
use convene_store::enablers::queries;

const LEE: &str = "lee.lead@example.org";
const EDEN: &str = "eden.enabler@example.org";

/// Lee's Westermoor engagement, and one of a place neither lee nor eden has anything to do with.
async fn engagements_of(app: &TestApp) -> (Engagement, Engagement) {
    let db = &app.state.db;
    let lee = convene_store::users::by_email(db, &Email::parse(LEE).unwrap())
        .await
        .unwrap()
        .unwrap()
        .id;
    let westermoor = app.place_id("PL-0001").await;
    let mine = engagements::of_person(db, lee).await.unwrap();
    let lees = mine.iter().find(|e| e.place_id.0 == westermoor).unwrap().clone();
    let lv = convene_store::programmes::by_slug(db, "local-vision")
        .await
        .unwrap()
        .unwrap();
    let other = engagements::of_programme(db, lv.id)
        .await
        .unwrap()
        .into_iter()
        .find(|e| !mine.iter().any(|m| m.id == e.id) && e.enabler_name != "Eden Enablewell")
        .unwrap();
    (lees, other)
}

crate::on_both!(
    an_entry_of_another_engagement_cannot_be_queried_through_ones_own,
    |app| {
        let (lees, other) = engagements_of(&app).await;
        let db = &app.state.db;
        let theirs = engagements::contact(db, other.id).await.unwrap()[0].id;
        let lee = app.signed_in(LEE).await;
        let own = format!("/engagements/{}", lees.id);
        let path = format!("{own}/entries/{theirs}/query");
        let (status, _) = app.get(&lee, &path).await;
        assert_eq!(status, 404);
        let res = app
            .post_form(&lee, &own, &path, &[("reason", "Not ours at all")])
            .await;
        assert_eq!(res.status(), 404);
        assert!(
            queries::of_engagement(db, other.id).await.unwrap().is_empty(),
            "nothing saved"
        );
        // Their engagement's own page is not found either, nor does lee's list name it.
        let (status, html) = app.get(&lee, &format!("/engagements/{}", other.id)).await;
        assert_eq!(status, 404);
        assert!(!html.contains(&other.place_name));
        let (_, list) = app.get(&lee, "/engagements").await;
        assert!(
            list.contains(&lees.place_name) && !list.contains(&other.place_name),
            "{list}"
        );
        app.stop().await;
    }
);

crate::on_both!(
    an_enabler_logs_only_on_their_own_engagement_and_never_past_a_day,
    |app| {
        let (lees, other) = engagements_of(&app).await;
        let db = &app.state.db;
        let eden = app.signed_in(EDEN).await;
        let fields = [
            ("date_day", "4"),
            ("date_month", "9"),
            ("date_year", "2013"),
            ("hours", "2"),
            ("kind", "meeting"),
        ];
        let theirs = format!("/engagements/{}", other.id);
        let own = format!("/engagements/{}", lees.id);
        let res = app.post_form(&eden, &own, &theirs, &fields).await;
        assert_eq!(res.status(), 404, "another enabler's engagement");
        assert_eq!(
            engagements::engagement(db, other.id).await.unwrap().used_minutes,
            other.used_minutes
        );
        // The demo logged 7.5 hours on 3 September; 17 more on that day is refused.
        let fields = [
            ("date_day", "3"),
            ("date_month", "9"),
            ("date_year", "2013"),
            ("hours", "17"),
            ("kind", "meeting"),
        ];
        let res = app.post_form(&eden, &own, &own, &fields).await;
        assert_eq!(res.status(), 200);
        let html = res.text().await.unwrap();
        assert!(
            html.contains("nhsuk-error-summary") && html.contains("enter 16.5 hours or less"),
            "{html}"
        );
        assert_eq!(
            engagements::engagement(db, lees.id).await.unwrap().used_minutes,
            lees.used_minutes
        );
        // After the engagement's last day: refused too.
        let fields = [
            ("date_day", "1"),
            ("date_month", "4"),
            ("date_year", "2014"),
            ("hours", "1"),
            ("kind", "meeting"),
        ];
        let res = app.post_form(&eden, &own, &own, &fields).await;
        assert!(res.text().await.unwrap().contains("nhsuk-error-summary"));
        assert_eq!(
            engagements::engagement(db, lees.id).await.unwrap().used_minutes,
            lees.used_minutes
        );
        app.stop().await;
    }
);
