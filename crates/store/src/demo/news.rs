//! The demo's made-up Local Vision news.

use crate::{Result, Tx, on_tx};
use convene_domain::Timestamp;

/// A news item: slug, title, summary, body, days from now to publish, tags.
type DemoItem = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    i64,
    &'static [&'static str],
);

/// Two published items and one scheduled a month ahead.
const ITEMS: [DemoItem; 3] = [
    (
        "applications-for-the-next-nine-cohorts-open-on-27-august",
        "Applications for the next nine cohorts open on 27 August",
        "Places can apply to join one of nine new cohorts of the programme from 27 August.",
        "Applications for the next nine cohorts open on **27 August**.\n\nEach cohort brings together leaders from \
         several places to work on their breakthrough issues with an enabler. Read the call on the \
         [programme page](/programmes/local-vision/about) and start your application from there.",
        -3,
        &["applications", "cohorts"],
    ),
    (
        "learning-from-the-first-places-on-the-knowledge-hub",
        "Learning from the first places, now on the knowledge hub",
        "The eight places already underway are sharing what they have learned so far.",
        "The places already underway have started sharing their learning on the knowledge hub: \
         what worked when changing patterns of sedentary behaviour, and what data sharing between \
         agencies needed.\n\n- Notes from the first learning network\n- Short case studies from two places",
        -10,
        &["knowledge-hub", "learning"],
    ),
    (
        "launch-event-for-new-places",
        "Launch event for new places",
        "Successful places will meet at a launch event in central London.",
        "Successful applicants will be invited to a launch event in central London. Please hold the \
         date in your diaries once your place hears it has been successful.",
        30,
        &["applications", "launch-event"],
    ),
];

/// Writes the made-up news items with their tags, keyed by slug so loading again adds
/// nothing.
pub(super) async fn demo_news(tx: &mut Tx, programme_id: i64, now: Timestamp) -> Result<()> {
    let day = 24 * 3600;
    for (slug, title, summary, body, days, tags) in ITEMS {
        on_tx!(tx, |conn| {
            sqlx::query(
                "INSERT INTO news_items (programme_id, slug, title, summary, body_markdown, publish_at, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $6) ON CONFLICT (slug) DO NOTHING",
            )
            .bind(programme_id)
            .bind(slug)
            .bind(title)
            .bind(summary)
            .bind(body)
            .bind(now.plus_seconds(days * day).0)
            .bind(now.0)
            .execute(&mut *conn)
            .await?;
            for tag in tags {
                sqlx::query(
                    "INSERT INTO news_tags (news_id, tag) SELECT id, $2 FROM news_items WHERE slug = $1 \
                     ON CONFLICT (news_id, tag) DO NOTHING",
                )
                .bind(slug)
                .bind(*tag)
                .execute(&mut *conn)
                .await?;
            }
        });
    }
    Ok(())
}
