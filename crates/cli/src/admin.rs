//! `convene retention run` and `convene generate`: maintenance run by hand.

use crate::{Fail, open};
use convene_domain::Clock;
use convene_web::state::SystemClock;

/// `convene retention run`: applies every programme's retention rules now.
pub async fn retention(database_url: String) -> Result<(), Fail> {
    let db = open(&database_url, 2).await?;
    let lines = convene_store::retention::run_all(&db, SystemClock.now(), "command")
        .await
        .map_err(|e| Fail(format!("cannot apply retention rules: {e}")))?;
    if lines.is_empty() {
        println!("No programme has a retention rule.");
    }
    for (rule, removed) in lines {
        println!(
            "Programme {}: {} older than {} days after the round closed: {removed} removed.",
            rule.programme_id,
            rule.kind.label().to_lowercase(),
            rule.after_days
        );
    }
    Ok(())
}

/// `convene generate`: a national-scale data set for benchmarks.
pub async fn generate(database_url: String, applications: usize, rounds: usize) -> Result<(), Fail> {
    let db = open(&database_url, 4).await?;
    let started = std::time::Instant::now();
    let bar = indicatif::ProgressBar::new(applications as u64);
    let made = convene_store::national::generate(
        &db,
        convene_store::national::Options { applications, rounds },
        SystemClock.now(),
        |n| bar.set_position(n as u64),
    )
    .await
    .map_err(|e| Fail(format!("cannot generate: {e}")))?;
    bar.finish_and_clear();
    println!(
        "Generated {} applications over {} rounds for {} places in {:.1} s ({}). Sign in as bench.admin@example.org with the password {}.",
        made.applications,
        made.rounds,
        made.places,
        started.elapsed().as_secs_f64(),
        db.backend(),
        convene_store::national::PASSWORD,
    );
    Ok(())
}
