//! The shape of a form: sections of questions, the answers kept against them, and the
//! checks on a form as a whole before it is saved.

use super::kinds::QuestionKind;
use crate::money::Pence;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A round's application form, as built by a programme admin.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormDefinition {
    pub sections: Vec<Section>,
}

/// One page of the applicant's journey: a task in the task list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Section {
    /// Stable short name, used in links ("breakthrough-issue").
    pub key: String,
    pub title: String,
    /// Shown under the page heading; may be empty.
    #[serde(default)]
    pub intro: String,
    pub questions: Vec<Question>,
}

/// One question on a section page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Question {
    /// Stable short name: the form field and the export column ("gain_for_residents").
    pub key: String,
    pub label: String,
    #[serde(default)]
    pub hint: String,
    pub required: bool,
    #[serde(flatten)]
    pub kind: QuestionKind,
}

/// Answers by question key. Values are normalised: money in pence, yes/no as "yes" or
/// "no", organisations as org-ids one per line, files as the upload's id.
pub type Answers = BTreeMap<String, String>;

/// A problem with one field: the field's id and the message shown beside it.
pub type FieldProblem = (String, String);

/// Field names a question key may not take, because the section page uses them.
const RESERVED_KEYS: [&str; 4] = ["csrf_token", "version", "action", "section"];

impl FormDefinition {
    /// The section with `key`.
    pub fn section(&self, key: &str) -> Option<&Section> {
        self.sections.iter().find(|s| s.key == key)
    }

    /// Every question, in page order.
    pub fn questions(&self) -> impl Iterator<Item = &Question> {
        self.sections.iter().flat_map(|s| s.questions.iter())
    }

    /// The question whose answer is the place's match pledge, if the form has one.
    pub fn pledge_question(&self) -> Option<&Question> {
        self.questions().find(|q| q.kind.is_pledge())
    }

    /// The pledge in `answers`, if the form asks for one and it is answered.
    pub fn pledge(&self, answers: &Answers) -> Option<Pence> {
        let q = self.pledge_question()?;
        answers.get(&q.key)?.parse().ok().map(Pence)
    }

    /// Checks the form as a whole: every key well formed and unique, every question
    /// labelled, bounds in order. Returns the problems, in order.
    pub fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        if self.sections.is_empty() {
            problems.push("Add at least one section".to_string());
        }
        let mut section_keys = Vec::new();
        let mut question_keys = Vec::new();
        for section in &self.sections {
            if !valid_key(&section.key) {
                problems.push(format!("Section key \u{201c}{}\u{201d} must be lower-case letters, numbers, dashes or underscores", section.key));
            }
            if section_keys.contains(&section.key.as_str()) {
                problems.push(format!(
                    "Two sections have the key \u{201c}{}\u{201d}",
                    section.key
                ));
            }
            section_keys.push(section.key.as_str());
            if section.title.trim().is_empty() {
                problems.push("Every section needs a title".to_string());
            }
            if section.questions.is_empty() {
                problems.push(format!("Add a question to \u{201c}{}\u{201d}", section.title));
            }
            for q in &section.questions {
                question_problems(q, &question_keys, &mut problems);
                question_keys.push(q.key.as_str());
            }
        }
        if self.questions().filter(|q| q.kind.is_pledge()).count() > 1 {
            problems.push("Only one question can be the place's match contribution".to_string());
        }
        problems
    }
}

/// Adds what is wrong with one question to `problems`: its key (against the keys `taken`
/// by the questions before it), its text and its kind's bounds.
fn question_problems(q: &Question, taken: &[&str], problems: &mut Vec<String>) {
    if !valid_key(&q.key) || RESERVED_KEYS.contains(&q.key.as_str()) {
        problems.push(format!(
            "Question key \u{201c}{}\u{201d} must be lower-case letters, numbers or underscores, and not a reserved name",
            q.key
        ));
    }
    if taken.contains(&q.key.as_str()) {
        problems.push(format!("Two questions have the key \u{201c}{}\u{201d}", q.key));
    }
    if q.label.trim().is_empty() {
        problems.push("Every question needs its question text".to_string());
    }
    match q.kind {
        QuestionKind::LongText { word_limit } if word_limit == 0 || word_limit > 5000 => {
            problems.push(format!(
                "The word limit of \u{201c}{}\u{201d} must be between 1 and 5,000",
                q.label
            ));
        }
        QuestionKind::Money {
            min_pence, max_pence, ..
        } if min_pence > max_pence || min_pence < 0 => {
            problems.push(format!(
                "The lowest amount for \u{201c}{}\u{201d} must be £0 or more and no more than the highest",
                q.label
            ));
        }
        _ => {}
    }
}

fn valid_key(key: &str) -> bool {
    (1..=60).contains(&key.len())
        && key.starts_with(|c: char| c.is_ascii_lowercase())
        && key
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-')
}

#[cfg(test)]
mod tests {
    use super::super::local_vision_template;
    use super::*;

    #[test]
    fn the_builder_refuses_malformed_forms() {
        let mut form = local_vision_template();
        form.sections[1].questions[0].key = "partners".into();
        form.sections[2].questions[0].key = "csrf_token".into();
        form.sections[3].questions[0].kind = QuestionKind::LongText { word_limit: 0 };
        let problems = form.problems();
        assert_eq!(problems.len(), 3, "{problems:?}");
        assert!(FormDefinition::default().problems()[0].contains("at least one section"));
    }

    #[test]
    fn only_one_question_is_the_match_pledge() {
        let mut form = local_vision_template();
        let pledge = form.sections[5].questions[0].clone();
        form.sections[5].questions.push(Question {
            key: "second_pledge".into(),
            ..pledge
        });
        assert_eq!(
            form.problems(),
            ["Only one question can be the place's match contribution"]
        );
    }
}
