//! The checks on what an applicant types into a section page, and how a saved answer is
//! read back (on the page and into its form field).

use super::definition::{Answers, FieldProblem, Question, Section};
use super::kinds::QuestionKind;
use super::status::SaveMode;
use super::words::word_count;
use crate::money::Pence;
use std::collections::BTreeMap;

/// The longest short answer, in characters.
pub const SHORT_TEXT_MAX: usize = 300;
/// The longest long answer, in characters, whatever its word limit.
pub const LONG_TEXT_MAX: usize = 30_000;

/// What a section's answers are checked against besides the questions themselves.
#[derive(Debug, Clone, Copy)]
pub struct Choices<'a> {
    /// The round's themes.
    pub themes: &'a [String],
    /// Org-ids of the organisations the place may name as partners.
    pub partner_org_ids: &'a [String],
}

impl Section {
    /// Checks what was typed into this section's page. `input` holds the raw text by
    /// question key (several chosen organisations joined by newlines). On success returns
    /// the normalised answer of every question of the section (empty for unanswered ones,
    /// so a cleared answer is saved as cleared).
    pub fn check(
        &self,
        input: &BTreeMap<String, String>,
        mode: SaveMode,
        choices: Choices<'_>,
    ) -> Result<Answers, Vec<FieldProblem>> {
        let mut answers = Answers::new();
        let mut problems = Vec::new();
        for q in &self.questions {
            let raw = input.get(&q.key).map(String::as_str).unwrap_or("");
            let trimmed = raw.trim();
            if trimmed.is_empty() {
                if q.required && mode == SaveMode::Continue {
                    problems.push((q.key.clone(), missing_message(q)));
                }
                answers.insert(q.key.clone(), String::new());
                continue;
            }
            match check_answer(q, raw, choices) {
                Ok(value) => {
                    answers.insert(q.key.clone(), value);
                }
                Err(message) => problems.push((q.key.clone(), message)),
            }
        }
        if problems.is_empty() {
            Ok(answers)
        } else {
            Err(problems)
        }
    }
}

fn missing_message(q: &Question) -> String {
    let what = lower_first(&q.label);
    match q.kind {
        QuestionKind::YesNo | QuestionKind::Theme => format!("Select an answer: {what}"),
        QuestionKind::Organisations => "Select the partner organisations engaged".to_string(),
        QuestionKind::File => format!("Upload a file: {what}"),
        QuestionKind::Money { .. } => format!("Enter an amount: {what}"),
        _ => format!("Enter an answer: {what}"),
    }
}

fn lower_first(label: &str) -> String {
    let trimmed = label.trim().trim_end_matches(['?', '.', ':']);
    let mut chars = trimmed.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Checks one answer that is not blank, returning its normalised value.
fn check_answer(q: &Question, raw: &str, choices: Choices<'_>) -> Result<String, String> {
    let trimmed = raw.trim();
    match &q.kind {
        QuestionKind::LongText { word_limit } => check_long_text(raw, *word_limit),
        QuestionKind::ShortText => {
            if trimmed.chars().count() > SHORT_TEXT_MAX {
                return Err(format!(
                    "Your answer must be {SHORT_TEXT_MAX} characters or fewer"
                ));
            }
            Ok(trimmed.to_string())
        }
        QuestionKind::YesNo => match trimmed {
            "yes" | "no" => Ok(trimmed.to_string()),
            _ => Err("Select yes or no".to_string()),
        },
        QuestionKind::Money {
            min_pence, max_pence, ..
        } => check_money(trimmed, *min_pence, *max_pence),
        QuestionKind::Theme => {
            if choices.themes.iter().any(|t| t == trimmed) {
                Ok(trimmed.to_string())
            } else {
                Err("Select one of the themes listed".to_string())
            }
        }
        QuestionKind::Organisations => check_organisations(trimmed, choices.partner_org_ids),
        // Files arrive through the upload route; the answer is the upload's id.
        QuestionKind::File => {
            let ok = trimmed.len() <= 64 && trimmed.chars().all(|c| c.is_ascii_alphanumeric());
            if ok {
                Ok(trimmed.to_string())
            } else {
                Err("Upload the file again".to_string())
            }
        }
    }
}

/// Paragraphs within the word limit (and the character bound), kept as typed.
fn check_long_text(raw: &str, word_limit: u32) -> Result<String, String> {
    let words = word_count(raw);
    let limit = word_limit as usize;
    if words > limit {
        let over = words - limit;
        let plural = if over == 1 { "word" } else { "words" };
        return Err(format!(
            "Your answer must be {limit} words or fewer. You have {over} {plural} too many"
        ));
    }
    if raw.chars().count() > LONG_TEXT_MAX {
        return Err(format!("Your answer must be {LONG_TEXT_MAX} characters or fewer"));
    }
    // Keep paragraphs as typed; drop only blank lines at the ends.
    Ok(raw.trim_matches(['\n', '\r', ' ', '\t']).replace("\r\n", "\n"))
}

/// An amount in pounds between the bounds, held as pence.
fn check_money(trimmed: &str, min_pence: i64, max_pence: i64) -> Result<String, String> {
    let amount = Pence::parse_pounds(trimmed).map_err(|e| e.to_string())?;
    if amount.0 < min_pence || amount.0 > max_pence {
        return Err(if min_pence == max_pence {
            format!("The amount must be {}", Pence(min_pence))
        } else {
            format!(
                "The amount must be between {} and {}",
                Pence(min_pence),
                Pence(max_pence)
            )
        });
    }
    Ok(amount.0.to_string())
}

/// Org-ids one per line, each one of the place's partners; sorted and without repeats.
fn check_organisations(trimmed: &str, partner_org_ids: &[String]) -> Result<String, String> {
    let mut chosen: Vec<&str> = trimmed.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
    chosen.sort_unstable();
    chosen.dedup();
    if let Some(unknown) = chosen.iter().find(|id| !partner_org_ids.iter().any(|p| p == *id)) {
        return Err(format!(
            "\u{201c}{unknown}\u{201d} is not one of this place's partner organisations"
        ));
    }
    Ok(chosen.join("\n"))
}

/// An answer as a person reads it (money in pounds, yes/no capitalised).
pub fn display_answer(q: &Question, value: &str) -> String {
    if value.is_empty() {
        return String::new();
    }
    match q.kind {
        QuestionKind::Money { .. } => value
            .parse()
            .map(|p| Pence(p).to_string())
            .unwrap_or_else(|_| value.to_string()),
        QuestionKind::YesNo => match value {
            "yes" => "Yes".into(),
            "no" => "No".into(),
            other => other.into(),
        },
        _ => value.to_string(),
    }
}

/// An answer as it goes back into its form field (money as pounds without the sign).
pub fn input_value(q: &Question, value: &str) -> String {
    match q.kind {
        QuestionKind::Money { .. } => match value.parse::<i64>() {
            Ok(p) => Pence(p).to_string().trim_start_matches('£').to_string(),
            Err(_) => value.to_string(),
        },
        _ => value.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::super::{SectionStatus, local_vision_template};
    use super::*;

    fn themes() -> Vec<String> {
        vec!["Physical activity".into(), "Alcohol".into()]
    }

    fn input(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn a_word_limit_counts_words_not_characters() {
        let form = local_vision_template();
        let section = form.section("gain-for-residents").unwrap();
        let choices = Choices {
            themes: &[],
            partner_org_ids: &[],
        };
        let at_limit = vec!["word"; 500].join(" ");
        assert!(
            section
                .check(
                    &input(&[("gain_for_residents", &at_limit)]),
                    SaveMode::Continue,
                    choices
                )
                .is_ok()
        );
        let over = vec!["word"; 502].join("\n\n");
        let problems = section
            .check(
                &input(&[("gain_for_residents", &over)]),
                SaveMode::Continue,
                choices,
            )
            .unwrap_err();
        assert_eq!(
            problems,
            vec![(
                "gain_for_residents".to_string(),
                "Your answer must be 500 words or fewer. You have 2 words too many".to_string()
            )]
        );
    }

    #[test]
    fn money_must_be_within_bounds_and_is_held_in_pence() {
        let form = local_vision_template();
        let section = form.section("contribution").unwrap();
        let choices = Choices {
            themes: &[],
            partner_org_ids: &[],
        };
        let ok = section
            .check(
                &input(&[("contribution", "£10,000")]),
                SaveMode::Continue,
                choices,
            )
            .unwrap();
        assert_eq!(ok.get("contribution").map(String::as_str), Some("1000000"));
        assert_eq!(form.pledge(&ok), Some(Pence::pounds(10_000)));
        let low = section
            .check(
                &input(&[("contribution", "9,999.99")]),
                SaveMode::Continue,
                choices,
            )
            .unwrap_err();
        assert_eq!(low[0].1, "The amount must be between £10,000 and £100,000");
        let junk = section
            .check(&input(&[("contribution", "ten grand")]), SaveMode::Later, choices)
            .unwrap_err();
        assert_eq!(junk[0].1, "Enter an amount in pounds, like 10,000 or 10,000.50");
    }

    #[test]
    fn required_answers_are_needed_only_to_continue() {
        let form = local_vision_template();
        let section = form.section("about-your-place").unwrap();
        let partners = vec!["GB-COH-1".to_string(), "GB-COH-2".to_string()];
        let themes = themes();
        let choices = Choices {
            themes: &themes,
            partner_org_ids: &partners,
        };
        let partial = input(&[("partners", "GB-COH-2\nGB-COH-1")]);
        let problems = section.check(&partial, SaveMode::Continue, choices).unwrap_err();
        assert_eq!(problems[0].0, "theme");
        let saved = section.check(&partial, SaveMode::Later, choices).unwrap();
        assert_eq!(saved["partners"], "GB-COH-1\nGB-COH-2");
        assert_eq!(section.status(&saved), SectionStatus::InProgress);
        let unknown = input(&[("partners", "GB-COH-9"), ("theme", "Alcohol")]);
        assert!(section.check(&unknown, SaveMode::Later, choices).is_err());
        let other_theme = input(&[("partners", "GB-COH-1"), ("theme", "Knitting")]);
        assert!(section.check(&other_theme, SaveMode::Later, choices).is_err());
        let full = section
            .check(
                &input(&[("partners", "GB-COH-1"), ("theme", "Alcohol")]),
                SaveMode::Continue,
                choices,
            )
            .unwrap();
        assert_eq!(section.status(&full), SectionStatus::Completed);
        assert_eq!(section.status(&Answers::new()), SectionStatus::NotStarted);
    }

    #[test]
    fn answers_read_back_as_people_write_them() {
        let form = local_vision_template();
        let q = form.pledge_question().unwrap();
        assert_eq!(display_answer(q, "1000000"), "£10,000");
        assert_eq!(input_value(q, "1000050"), "10,000.50");
    }
}
