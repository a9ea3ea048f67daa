//! The demo data: the Local Vision programme as the seeds describe it, two more programmes,
//! and made-up places and people. Loading it twice changes nothing.
//!
//! One file per kind of thing made: `programmes` (with their partners, rounds and forms),
//! `places`, `people` (the printed accounts), `applications` (the 2013 round's, one in
//! each state), `panels` (the third round, under review by a panel), `places_2013` (the
//! 2013 round's other applicants), `awards` (the places underway since 2012 and the 2013
//! round's decisions, letters and awards) and `news`.

mod applications;
mod awards;
mod enablers;
mod news;
mod panels;
mod people;
mod places;
mod places_2013;
mod programmes;
#[cfg(test)]
mod tests;

pub use people::{DEMO_ACCOUNTS, DEMO_PASSWORD, DemoAccount};

use crate::{Db, Result};
use convene_domain::Timestamp;
use convene_domain::forms::local_vision_template;

/// What loading the demo made, for the start-up message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Loaded {
    pub programmes: i64,
    pub places: i64,
    pub users: i64,
}

/// Loads the demo data (idempotent: everything is keyed by slug, reference or email).
pub async fn load(db: &Db, now: Timestamp) -> Result<Loaded> {
    let mut tx = db.begin().await?;
    let local_vision = programmes::load_programmes(&mut tx, now).await?;
    let (round_2013, open_id) = programmes::load_rounds(&mut tx, local_vision, now).await?;
    let place_ids = places::load_places(&mut tx, local_vision).await?;
    let template = local_vision_template();
    let form_2013 = programmes::ensure_form(&mut tx, round_2013, &template, now).await?;
    programmes::ensure_form(&mut tx, open_id, &template, now).await?;
    people::load_accounts(&mut tx, local_vision, round_2013, &place_ids, now).await?;
    // The 2013 round's made-up applicants, one in each state an application can be in.
    let applicants = &place_ids[8..];
    for (place_id, state) in applicants.iter().zip(applications::DEMO_APPLICATION_STATES) {
        applications::demo_application(&mut tx, round_2013, *place_id, form_2013, &template, state).await?;
    }
    panels::load_third_round(&mut tx, local_vision, &template, now).await?;
    // The rest of the 2013 round, made after the third round so that round's places and
    // applications keep their ids.
    let places_2013 = places_2013::load_places_2013(&mut tx, local_vision).await?;
    places_2013::submit_applications_2013(&mut tx, round_2013, &places_2013, form_2013, &template).await?;
    awards::load_awards(&mut tx, local_vision, round_2013).await?;
    enablers::load_enablers(&mut tx, local_vision, round_2013).await?;
    news::demo_news(&mut tx, local_vision, now).await?;
    tx.commit().await?;
    Ok(Loaded {
        programmes: 3,
        places: (places::PLACES.len()
            + places::THIRD_ROUND_PLACES.len()
            + places_2013::ROUND_2013_PLACES.len()) as i64,
        // The third round's panel is Pat and five more; the pool is Eden and eleven more.
        users: (DEMO_ACCOUNTS.len() + people::THIRD_ROUND_PANEL.len() - 1 + enablers::POOL.len()) as i64,
    })
}

/// A time of day in London, for the dates of the 2013 call.
fn london(y: i16, m: i8, d: i8, h: i8, min: i8, s: i8) -> Result<Timestamp> {
    Timestamp::from_london(y, m, d, h, min, s).map_err(|e| crate::StoreError::Malformed(e.to_string()))
}
