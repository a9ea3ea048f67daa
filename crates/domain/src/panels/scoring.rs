//! Scores against a rubric, and the figures a moderation meeting ranks applications by.

use std::collections::BTreeMap;

use super::Problem;
use super::rubric::{Rubric, SCALE};

/// The most characters a comment on one criterion may have.
pub const MAX_COMMENT: usize = 5000;

/// Reviewers who differ by this many points or more on a criterion are flagged.
pub const DISAGREEMENT: u8 = 2;

/// One reviewer's score and comment on one criterion (the score may be missing in a draft).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CriterionScore {
    pub criterion: String,
    pub score: Option<u8>,
    pub comment: String,
}

/// Every problem with a reviewer's scores (fields `criterion` or `scores.KEY`): a criterion
/// not in the rubric, a score outside the scale, an overlong comment, and, when the review
/// is being submitted, a criterion left unscored.
pub fn score_problems(rubric: &Rubric, scores: &[CriterionScore], submitting: bool) -> Vec<Problem> {
    let mut out = Vec::new();
    for s in scores {
        let field = format!("scores.{}", s.criterion);
        if rubric.criterion(&s.criterion).is_none() {
            out.push(Problem {
                field: "criterion".into(),
                message: format!("‘{}’ is not a criterion of this round's rubric", s.criterion),
            });
            continue;
        }
        if s.score.is_some_and(|v| !SCALE.contains(&v)) {
            out.push(Problem {
                field: field.clone(),
                message: "Choose a score from 1 to 5".into(),
            });
        }
        if s.comment.chars().count() > MAX_COMMENT {
            out.push(Problem {
                field,
                message: "A comment must be 5,000 characters or fewer".into(),
            });
        }
    }
    if submitting {
        for c in &rubric.criteria {
            let scored = scores.iter().any(|s| s.criterion == c.key && s.score.is_some());
            if !scored {
                out.push(Problem {
                    field: format!("scores.{}", c.key),
                    message: format!("Score ‘{}’ before you submit", c.title),
                });
            }
        }
    }
    out
}

/// A reviewer's weighted score in hundredths (100 to 500): Σ weight × score, weights being
/// percentages. `None` while any criterion is unscored.
pub fn weighted(rubric: &Rubric, scores: &BTreeMap<String, u8>) -> Option<i64> {
    rubric
        .criteria
        .iter()
        .map(|c| scores.get(&c.key).map(|s| i64::from(c.weight) * i64::from(*s)))
        .sum()
}

/// What the moderation list shows for one application, from its submitted reviews.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Summary {
    pub reviews: usize,
    /// The mean of the reviewers' weighted scores, in hundredths, rounded half up.
    pub mean: Option<i64>,
    /// The highest weighted score minus the lowest, in hundredths.
    pub spread: Option<i64>,
    /// The criteria (keys, in rubric order) on which reviewers differ by 2 points or more.
    pub flagged: Vec<String>,
}

impl Summary {
    pub fn flagged(&self) -> bool {
        !self.flagged.is_empty()
    }
}

/// Summarises an application's submitted reviews (each a map of criterion key to score).
pub fn summarise(rubric: &Rubric, reviews: &[BTreeMap<String, u8>]) -> Summary {
    let totals: Vec<i64> = reviews.iter().filter_map(|r| weighted(rubric, r)).collect();
    let mean = (!totals.is_empty()).then(|| {
        let n = totals.len() as i64;
        (2 * totals.iter().sum::<i64>() + n) / (2 * n)
    });
    let spread = totals
        .iter()
        .max()
        .zip(totals.iter().min())
        .map(|(hi, lo)| hi - lo);
    let flagged = rubric
        .criteria
        .iter()
        .filter(|c| {
            let given: Vec<u8> = reviews.iter().filter_map(|r| r.get(&c.key).copied()).collect();
            let (hi, lo) = (given.iter().max(), given.iter().min());
            hi.zip(lo).is_some_and(|(hi, lo)| hi - lo >= DISAGREEMENT)
        })
        .map(|c| c.key.clone())
        .collect();
    Summary {
        reviews: totals.len(),
        mean,
        spread,
        flagged,
    }
}

/// Shows hundredths as a score: 347 → "3.47".
pub fn show_hundredths(h: i64) -> String {
    format!("{}.{:02}", h / 100, h % 100)
}

/// Reads the panel's agreed score ("3.5", "4") into tenths (10 to 50).
pub fn parse_agreed(text: &str) -> Result<i64, &'static str> {
    const WRONG: &str = "Enter the agreed score as a number from 1 to 5, like 3.5";
    let text = text.trim();
    let (whole, tenth) = match text.split_once('.') {
        Some((w, t)) if t.len() == 1 => (w, t),
        Some(_) => return Err(WRONG),
        None => (text, "0"),
    };
    let whole: i64 = whole.parse().map_err(|_| WRONG)?;
    let tenth: i64 = tenth.parse().map_err(|_| WRONG)?;
    let tenths = whole * 10 + tenth;
    if whole < 0 || !(10..=50).contains(&tenths) {
        return Err(WRONG);
    }
    Ok(tenths)
}

/// Shows tenths as a score: 35 → "3.5".
pub fn show_tenths(t: i64) -> String {
    format!("{}.{}", t / 10, t % 10)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn review(scores: [u8; 5]) -> BTreeMap<String, u8> {
        Rubric::local_vision()
            .criteria
            .iter()
            .zip(scores)
            .map(|(c, s)| (c.key.clone(), s))
            .collect()
    }

    #[test]
    fn scores_outside_the_rubric_or_scale_are_refused() {
        let r = Rubric::local_vision();
        let bad = [
            CriterionScore {
                criterion: "charm".into(),
                score: Some(3),
                comment: String::new(),
            },
            CriterionScore {
                criterion: "gain_for_residents".into(),
                score: Some(6),
                comment: String::new(),
            },
            CriterionScore {
                criterion: "sharing_lessons".into(),
                score: Some(0),
                comment: String::new(),
            },
        ];
        let fields: Vec<_> = score_problems(&r, &bad, false)
            .into_iter()
            .map(|p| p.field)
            .collect();
        assert_eq!(
            fields,
            ["criterion", "scores.gain_for_residents", "scores.sharing_lessons"]
        );
        // A draft may leave criteria unscored; a submission may not.
        let partial = [CriterionScore {
            criterion: "gain_for_residents".into(),
            score: Some(4),
            comment: "Good".into(),
        }];
        assert!(score_problems(&r, &partial, false).is_empty());
        assert_eq!(score_problems(&r, &partial, true).len(), 4);
    }

    #[test]
    fn the_summary_ranks_by_weighted_mean_and_flags_disagreement() {
        let r = Rubric::local_vision();
        let s = summarise(
            &r,
            &[
                review([4, 4, 4, 4, 4]),
                review([4, 2, 4, 4, 4]),
                review([5, 3, 4, 4, 5]),
            ],
        );
        // 400, 350 and 25·5 + 25·3 + 20·4 + 20·4 + 10·5 = 410.
        assert_eq!(s.mean, Some(387));
        assert_eq!(s.spread, Some(60));
        assert_eq!(s.flagged, ["gain_for_residents"]);
        assert_eq!(show_hundredths(387), "3.87");
        let none = summarise(&r, &[]);
        assert_eq!((none.mean, none.spread, none.flagged()), (None, None, false));
    }

    #[test]
    fn agreed_scores_are_read_in_tenths() {
        assert_eq!(parse_agreed("3.5"), Ok(35));
        assert_eq!(parse_agreed(" 4 "), Ok(40));
        assert_eq!(show_tenths(35), "3.5");
        for bad in ["0.9", "5.1", "3.55", "three", "", "-1", "1e1"] {
            assert!(parse_agreed(bad).is_err(), "{bad}");
        }
    }
}
