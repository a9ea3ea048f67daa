//! Selection within budget: the "selection helper" a panel uses after moderation.
//!
//! Among a round's moderated applications it proposes a set of greatest total moderated
//! score whose costs fit the fund left, no larger than the number of places offered, and
//! meeting the round's balance rules (at most so many in a region, at least so many in a
//! theme). It is a small 0/1 integer programme (`model`) solved exactly with good_lp and
//! microlp (`search`), and the answer is checked again in integer arithmetic before it is
//! returned. `explain` says which limits bind and what keeps the nearest candidates out.

mod explain;
mod model;
mod search;

use serde::{Deserialize, Serialize};

use crate::money::Pence;
use crate::panels::Problem;

/// The highest moderated score, in hundredths of a point (5.00 points).
pub const MAX_SCORE: i64 = 500;

/// How many unchosen candidates a selection explains.
pub const OUTSIDE_SHOWN: usize = 5;

/// An application as the selection sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Candidate {
    /// The application's reference, for showing.
    pub reference: String,
    /// The moderated score in hundredths of a point (3.45 points is 345).
    pub score: i64,
    /// What a funded place costs the fund.
    pub cost: Pence,
    pub region: Option<String>,
    pub theme: Option<String>,
}

/// A balance rule of the round.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    /// At most `most` chosen from the region.
    AtMostInRegion { region: String, most: u32 },
    /// At least `least` chosen in the theme.
    AtLeastInTheme { theme: String, least: u32 },
}

/// Everything a selection needs: candidates are numbered from 0 in the order given.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Instance {
    pub candidates: Vec<Candidate>,
    /// The fund left.
    pub budget: Pence,
    /// The number of places offered.
    pub places: u32,
    pub rules: Vec<Rule>,
}

/// A limit of the model, for explanations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Limit {
    Budget,
    Places,
    /// An index into [`Instance::rules`].
    Rule(usize),
}

/// An optimal selection and why it is what it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Selection {
    /// Candidate indices, ascending.
    pub chosen: Vec<usize>,
    /// The sum of the chosen candidates' scores: no selection within the limits has more.
    pub total_score: i64,
    /// The sum of the chosen candidates' costs.
    pub spent: Pence,
    /// The limits that bind: relaxing that one limit alone would raise the best total.
    pub binding: Vec<Limit>,
    /// The (up to) [`OUTSIDE_SHOWN`] highest-scoring candidates left out, best first.
    pub outside: Vec<Outside>,
}

/// A candidate just outside the selection, and what keeps it out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Outside {
    pub candidate: usize,
    pub keeps_out: KeepsOut,
}

/// What keeps a candidate out of the selection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum KeepsOut {
    /// Its score: with a score of `needs` (hundredths) it would tie, being in a selection
    /// as good as the one proposed; with any higher score it would be in every best
    /// selection; with any lower one, in none. `needs` is its score plus what the best
    /// selection containing it falls short of the best selection. Only when `needs` is at
    /// most [`MAX_SCORE`].
    Score { needs: i64 },
    /// No score up to [`MAX_SCORE`] would bring it in, because forcing it in breaks the
    /// limits or costs more score than that. These limits alone would still keep it out,
    /// and dropping any one of them, as the search found them, would not.
    Limits(Vec<Limit>),
}

/// Why no selection could be proposed, in words an admin can act on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SelectionError {
    /// No selection meets the limits. `conflicting` is a set of limits that cannot all be
    /// met together, though any one of them could be dropped to meet the rest.
    #[error("no selection meets all the limits together ({} of them conflict)", conflicting.len())]
    Infeasible { conflicting: Vec<Limit> },
    /// The fund left pays for no candidate at all.
    #[error("the fund left pays for no application: the cheapest costs {cheapest}")]
    NothingAffordable { cheapest: Pence },
    /// The solver failed, or gave an answer that does not check out exactly.
    #[error("the selection could not be worked out: {0}")]
    Solver(String),
}

impl Instance {
    /// Every limit of the instance: the budget, the places, then each rule.
    pub fn limits(&self) -> Vec<Limit> {
        let mut limits = vec![Limit::Budget, Limit::Places];
        limits.extend((0..self.rules.len()).map(Limit::Rule));
        limits
    }

    /// True when `chosen` meets every limit, in exact integer arithmetic.
    pub fn allows(&self, chosen: &[usize]) -> bool {
        model::violated(self, &self.limits(), chosen).is_none()
    }
}

/// Proposes a selection of greatest total score within the limits, with the limits that
/// bind and what keeps the nearest candidates out.
pub fn select(instance: &Instance) -> Result<Selection, SelectionError> {
    let (chosen, total_score) = solve(instance)?;
    let binding = explain::binding(instance, total_score)?;
    let outside = explain::outside(instance, &chosen, total_score)?;
    let spent = Pence::sum(chosen.iter().map(|i| instance.candidates[*i].cost));
    Ok(Selection {
        chosen,
        total_score,
        spent,
        binding,
        outside,
    })
}

/// Just the optimum, without explanations: the chosen indices (ascending) and their total
/// score.
pub fn solve(instance: &Instance) -> Result<(Vec<usize>, i64), SelectionError> {
    let candidates = &instance.candidates;
    if !candidates.is_empty() && candidates.iter().all(|c| c.cost > instance.budget) {
        let cheapest = candidates.iter().map(|c| c.cost).min().unwrap_or_default();
        return Err(SelectionError::NothingAffordable { cheapest });
    }
    match model::best(instance, &model::Ask::all(instance))? {
        Some(best) => Ok((best.chosen, best.total)),
        None => Err(SelectionError::Infeasible {
            conflicting: explain::conflicting(instance)?,
        }),
    }
}

/// Checks rules against the round: each names one of its regions or themes, a theme's
/// minimum is at least 1, and no region or theme has two rules.
pub fn check_rules(rules: &[Rule], regions: &[&str], themes: &[&str]) -> Vec<Problem> {
    let mut problems = Vec::new();
    let mut say = |message: String| {
        problems.push(Problem {
            field: "rules".to_string(),
            message,
        })
    };
    let mut seen_regions: Vec<&str> = Vec::new();
    let mut seen_themes: Vec<&str> = Vec::new();
    for rule in rules {
        match rule {
            Rule::AtMostInRegion { region, .. } => {
                if !regions.contains(&region.as_str()) {
                    say(format!(
                        "There is no region called \"{region}\": choose one of {}",
                        region_choices(regions)
                    ));
                } else if seen_regions.contains(&region.as_str()) {
                    say(format!("There are two rules for {region}: keep one"));
                }
                seen_regions.push(region);
            }
            Rule::AtLeastInTheme { theme, least } => {
                if themes.is_empty() {
                    say("This round has no themes, so a rule cannot ask for one".to_string());
                } else if !themes.contains(&theme.as_str()) {
                    say(format!(
                        "There is no theme called \"{theme}\" in this round: choose one of {}",
                        themes.join(", ")
                    ));
                } else if seen_themes.contains(&theme.as_str()) {
                    say(format!("There are two rules for {theme}: keep one"));
                }
                if *least == 0 {
                    say(format!("A rule for {theme} must ask for at least 1 application"));
                }
                seen_themes.push(theme);
            }
        }
    }
    problems
}

/// The regions a rule may name, for a message.
fn region_choices(regions: &[&str]) -> String {
    if regions == crate::imports::REGIONS {
        "England's nine regions".to_string()
    } else {
        regions.join(", ")
    }
}

/// Plain-English wording of a limit for pages: "The fund left (£300,000)", "The 12 places
/// offered", "At most 2 in London", "At least 1 in Alcohol".
pub fn describe(instance: &Instance, limit: &Limit) -> String {
    match limit {
        Limit::Budget => format!("The fund left ({})", instance.budget),
        Limit::Places if instance.places == 1 => "The 1 place offered".to_string(),
        Limit::Places => format!("The {} places offered", instance.places),
        Limit::Rule(i) => match instance.rules.get(*i) {
            Some(Rule::AtMostInRegion { region, most }) => format!("At most {most} in {region}"),
            Some(Rule::AtLeastInTheme { theme, least }) => format!("At least {least} in {theme}"),
            None => format!("Rule {} (no longer set)", i + 1),
        },
    }
}

#[cfg(test)]
mod tests;
