//! A round's rubric: the criteria applications are scored against, each with a weight and a
//! descriptor for every point of the 1–5 scale.

use serde::{Deserialize, Serialize};

use super::Problem;

/// The scale every criterion is scored on.
pub const SCALE: std::ops::RangeInclusive<u8> = 1..=5;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Criterion {
    /// A short stable key scores are stored under (`breakthrough_issue`).
    pub key: String,
    pub title: String,
    /// The criterion's share of the whole score, in percent.
    pub weight: u32,
    /// What each point of the scale means, from 1 to 5.
    pub descriptors: [String; 5],
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Rubric {
    pub criteria: Vec<Criterion>,
}

impl Rubric {
    pub fn criterion(&self, key: &str) -> Option<&Criterion> {
        self.criteria.iter().find(|c| c.key == key)
    }

    /// Every problem with the rubric (fields `criteria`, `criteria.N.title`, `.key`,
    /// `.weight`, `.descriptors`), empty when it can be used.
    pub fn problems(&self) -> Vec<Problem> {
        let mut out = Vec::new();
        let mut add = |field: String, message: &str| {
            out.push(Problem {
                field,
                message: message.into(),
            })
        };
        if self.criteria.is_empty() {
            add("criteria".into(), "Add at least one criterion");
        }
        for (i, c) in self.criteria.iter().enumerate() {
            if c.title.trim().is_empty() {
                add(format!("criteria.{i}.title"), "Enter the criterion's title");
            }
            if c.key.trim().is_empty() || self.criteria[..i].iter().any(|o| o.key == c.key) {
                add(format!("criteria.{i}.key"), "Each criterion needs its own key");
            }
            if c.weight == 0 {
                add(format!("criteria.{i}.weight"), "A weight must be at least 1");
            }
            if c.descriptors.iter().any(|d| d.trim().is_empty()) {
                add(
                    format!("criteria.{i}.descriptors"),
                    "Describe every point of the scale from 1 to 5",
                );
            }
        }
        let total: u32 = self.criteria.iter().map(|c| c.weight).sum();
        if !self.criteria.is_empty() && total != 100 {
            add(
                "criteria".into(),
                &format!("The weights must add up to 100 (they add up to {total})"),
            );
        }
        out
    }

    /// The five things the Local Vision call asks a letter of application to outline.
    pub fn local_vision() -> Rubric {
        let criterion = |key: &str, title: &str, weight: u32, d: [&str; 5]| Criterion {
            key: key.into(),
            title: title.into(),
            weight,
            descriptors: d.map(str::to_string),
        };
        Rubric {
            criteria: vec![
                criterion(
                    "breakthrough_issue",
                    "The breakthrough issue and its local history",
                    25,
                    [
                        "No clear issue, or no reason it matters here",
                        "An issue is named but why it matters locally is thin",
                        "A clear issue with some local evidence and history",
                        "A well-evidenced issue with a clear history of local work",
                        "A compelling issue, strongly evidenced, building on sustained local work",
                    ],
                ),
                criterion(
                    "gain_for_residents",
                    "The gain for local residents",
                    25,
                    [
                        "No gain for residents described",
                        "A vague gain, hard to see or measure",
                        "A plausible gain with some way to see it",
                        "A clear, measurable gain for named groups of residents",
                        "A significant, measurable gain with a credible way to show it",
                    ],
                ),
                criterion(
                    "leadership_impact",
                    "The impact on local leadership",
                    20,
                    [
                        "No effect on leadership described",
                        "Leadership is mentioned but not how it would change",
                        "Some change to how leaders work together",
                        "A clear change across several partners, with wider benefits",
                        "A lasting change in system leadership, with benefits beyond the issue",
                    ],
                ),
                criterion(
                    "sharing_lessons",
                    "Wider lessons and sharing what is learned",
                    20,
                    [
                        "No lessons or sharing described",
                        "A general wish to share, with no plan",
                        "Some lessons and a plan to share them",
                        "Clear lessons for other places and a good plan to share them",
                        "Lessons many places could use, and a strong commitment to learning in public",
                    ],
                ),
                criterion(
                    "local_contribution",
                    "The local contribution of £10,000",
                    10,
                    [
                        "No contribution offered",
                        "A contribution is uncertain",
                        "The contribution is offered but not yet agreed",
                        "The contribution is agreed by one partner",
                        "The contribution is agreed and shared across partners",
                    ],
                ),
            ],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_local_vision_rubric_is_usable_and_weighs_100() {
        let r = Rubric::local_vision();
        assert!(r.problems().is_empty());
        assert_eq!(r.criteria.len(), 5);
    }

    #[test]
    fn weights_that_do_not_sum_to_100_are_named() {
        let mut r = Rubric::local_vision();
        r.criteria[0].weight = 30;
        let p = r.problems();
        assert_eq!(p.len(), 1);
        assert_eq!(p[0].field, "criteria");
        assert!(p[0].message.contains("105"));
        r.criteria[1].descriptors[4] = " ".into();
        r.criteria[2].key = r.criteria[0].key.clone();
        let fields: Vec<_> = r.problems().into_iter().map(|p| p.field).collect();
        assert_eq!(fields, ["criteria.1.descriptors", "criteria.2.key", "criteria"]);
    }
}
