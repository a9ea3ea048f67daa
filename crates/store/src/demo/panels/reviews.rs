//! The reviews in so far: every reviewer of every third application has submitted, except
//! that Pat has scored only two, and on two applications (the first with two reviews or
//! more) the reviewers differ by two points on one criterion, so the moderation list flags
//! them. Everywhere else reviewers differ by a point at most.

use std::collections::BTreeMap;

use super::Seated;
use crate::panels::assignment::Assigned;
use crate::panels::reviews::{self as store, ReviewSave, ReviewSaved};
use crate::{Result, StoreError, Tx};
use convene_domain::panels::rubric::Rubric;
use convene_domain::panels::scoring::CriterionScore;
use convene_domain::{ApplicationId, RoundId, Timestamp, UserId};

/// How many applications Pat has scored: the rest of Pat's wait for a newcomer.
const PAT_SCORED: usize = 2;

/// The criteria (by position in the rubric) the two flagged applications' reviewers
/// disagree on.
const FLAGGED_ON: [usize; 2] = [1, 4];

/// What a comment says of each criterion, and of each point of the scale.
const SUBJECTS: [&str; 5] = [
    "The breakthrough issue",
    "The gain for residents",
    "The change to local leadership",
    "The plan for sharing lessons",
    "The local contribution",
];
const VERDICTS: [&str; 5] = [
    "is missing or unclear.",
    "is thin; I would want to hear much more.",
    "is sound but could be more specific.",
    "is clear and well evidenced.",
    "is outstanding: specific, evidenced and ambitious.",
];

/// Submits the reviews described above, an hour apart from `at`.
pub(super) async fn score(
    tx: &mut Tx,
    round: RoundId,
    pairs: &[Assigned],
    seated: &Seated,
    at: Timestamp,
) -> Result<()> {
    let rubric = Rubric::local_vision();
    // Pat is the first of the panel as people.rs lists it.
    let chair = seated.order.iter().find(|(_, at)| *at == 0).map(|(u, _)| *u);
    let rank = |u: &UserId| seated.order.iter().position(|(x, _)| x == u);
    let mut by_application: BTreeMap<ApplicationId, Vec<UserId>> = BTreeMap::new();
    for p in pairs {
        by_application
            .entry(p.application_id)
            .or_default()
            .push(p.user_id);
    }
    let (mut pat_scored, mut flagged, mut hours) = (0, 0, 0);
    for (a, (application, reviewers)) in by_application.iter_mut().enumerate() {
        if a % 3 != 0 {
            continue;
        }
        reviewers.sort_by_key(rank);
        let mut scoring = Vec::new();
        for user in reviewers.iter() {
            if Some(*user) == chair {
                if pat_scored == PAT_SCORED {
                    continue;
                }
                pat_scored += 1;
            }
            scoring.push(*user);
        }
        let flag = (scoring.len() >= 2 && flagged < FLAGGED_ON.len()).then(|| {
            flagged += 1;
            FLAGGED_ON[flagged - 1]
        });
        for (r, user) in scoring.iter().enumerate() {
            let scores = scores(&rubric, a, r, flag);
            let save = ReviewSave {
                round_id: round,
                application_id: *application,
                user_id: *user,
                expected_version: 0,
                scores: &scores,
                submit: true,
            };
            let ReviewSaved::Saved { .. } = store::save(tx, &save, at.plus_seconds(hours * 3600)).await?
            else {
                return Err(StoreError::Malformed("a demo review was already saved".into()));
            };
            hours += 1;
        }
    }
    Ok(())
}

/// The `reviewer`th reviewer's scores on the `application`th application (every third is
/// scored): 2 to 4 by application and criterion, a point more from every other reviewer, so reviewers
/// differ by a point at most; on the `flag` criterion the first gives 2 and the rest 4.
fn scores(rubric: &Rubric, application: usize, reviewer: usize, flag: Option<usize>) -> Vec<CriterionScore> {
    rubric
        .criteria
        .iter()
        .enumerate()
        .map(|(c, criterion)| {
            let score = match flag {
                Some(f) if f == c && reviewer == 0 => 2,
                Some(f) if f == c => 4,
                _ => 2 + ((application / 3 + 2 * c) % 3 + (reviewer + c) % 2) as u8,
            };
            CriterionScore {
                criterion: criterion.key.clone(),
                score: Some(score),
                comment: format!("{} {}", SUBJECTS[c % 5], VERDICTS[usize::from(score - 1) % 5]),
            }
        })
        .collect()
}
