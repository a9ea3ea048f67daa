//! The form builder's edits: a programme admin adds, moves and removes sections and
//! questions, each question typed as text and checked before it joins the form.

use super::definition::{FieldProblem, FormDefinition, Question, Section};
use super::kinds::QuestionKind;
use crate::money::Pence;
use serde::Deserialize;

/// A change a programme admin makes in the form builder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FormEdit {
    AddSection {
        title: String,
        intro: String,
    },
    RemoveSection {
        key: String,
    },
    MoveSection {
        key: String,
        up: bool,
    },
    AddQuestion {
        section: String,
        question: QuestionInput,
    },
    RemoveQuestion {
        key: String,
    },
    MoveQuestion {
        key: String,
        up: bool,
    },
}

/// A question as typed into the form builder, as text.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct QuestionInput {
    pub label: String,
    pub hint: String,
    /// A [`QuestionKind::key`].
    pub kind: String,
    /// "yes" or "no".
    pub required: String,
    pub word_limit: String,
    pub min_pounds: String,
    pub max_pounds: String,
    /// "yes" when this money question is the place's match contribution.
    pub match_pledge: String,
}

/// Turns a label into a key: lower-case words joined by `sep`, at most 40 characters.
fn key_from(label: &str, sep: char) -> String {
    let mut key = String::new();
    for word in label
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        if key.len() + word.len() > 40 {
            break;
        }
        if !key.is_empty() {
            key.push(sep);
        }
        key.push_str(&word.to_ascii_lowercase());
    }
    if !key.starts_with(|c: char| c.is_ascii_lowercase()) {
        key.insert_str(0, if sep == '_' { "q_" } else { "s-" });
    }
    key
}

/// Makes `base` unique among `taken` by adding a number.
fn unique(base: String, taken: &[&str]) -> String {
    if !taken.contains(&base.as_str()) {
        return base;
    }
    (2..)
        .map(|n| format!("{base}{}{n}", if base.contains('-') { '-' } else { '_' }))
        .find(|k| !taken.contains(&k.as_str()))
        .unwrap_or(base)
}

impl QuestionInput {
    /// Checks the typed question; `key` is derived from the label.
    pub fn check(&self, taken_keys: &[&str]) -> Result<Question, Vec<FieldProblem>> {
        let mut problems = Vec::new();
        let label = self.label.trim();
        if label.is_empty() {
            problems.push(("label".to_string(), "Enter the question".to_string()));
        } else if label.chars().count() > 300 {
            problems.push((
                "label".to_string(),
                "The question must be 300 characters or fewer".to_string(),
            ));
        }
        let kind = self.kind(&mut problems);
        let required = match self.required.as_str() {
            "yes" => true,
            "no" => false,
            _ => {
                problems.push((
                    "required".to_string(),
                    "Select whether an answer is required".to_string(),
                ));
                false
            }
        };
        if !problems.is_empty() {
            return Err(problems);
        }
        let kind = kind.ok_or_else(|| vec![("kind".to_string(), "Select the kind of answer".to_string())])?;
        Ok(Question {
            key: unique(key_from(label, '_'), taken_keys),
            label: label.to_string(),
            hint: self.hint.trim().to_string(),
            required,
            kind,
        })
    }

    /// The kind of answer with its settings, or none with the problems added.
    fn kind(&self, problems: &mut Vec<FieldProblem>) -> Option<QuestionKind> {
        match self.kind.as_str() {
            "long_text" => match self.word_limit.trim().parse::<u32>() {
                Ok(n) if (1..=5000).contains(&n) => Some(QuestionKind::LongText { word_limit: n }),
                _ => {
                    problems.push((
                        "word_limit".to_string(),
                        "Enter a word limit between 1 and 5,000".to_string(),
                    ));
                    None
                }
            },
            "short_text" => Some(QuestionKind::ShortText),
            "yes_no" => Some(QuestionKind::YesNo),
            "theme" => Some(QuestionKind::Theme),
            "organisations" => Some(QuestionKind::Organisations),
            "file" => Some(QuestionKind::File),
            "money" => self.money_kind(problems),
            _ => {
                problems.push(("kind".to_string(), "Select the kind of answer".to_string()));
                None
            }
        }
    }

    /// A money question's bounds, both read in pounds and in order.
    fn money_kind(&self, problems: &mut Vec<FieldProblem>) -> Option<QuestionKind> {
        let min = pounds("min_pounds", &self.min_pounds, problems);
        let max = pounds("max_pounds", &self.max_pounds, problems);
        match (min, max) {
            (Some(min), Some(max)) if min > max => {
                problems.push((
                    "max_pounds".to_string(),
                    "The highest amount must be the same as or more than the lowest".to_string(),
                ));
                None
            }
            (Some(min_pence), Some(max_pence)) => Some(QuestionKind::Money {
                min_pence,
                max_pence,
                match_pledge: self.match_pledge == "yes",
            }),
            _ => None,
        }
    }
}

/// An amount of £0 or more typed in `field`, in pence, or none with the problem added.
fn pounds(field: &str, text: &str, problems: &mut Vec<FieldProblem>) -> Option<i64> {
    match Pence::parse_pounds(text) {
        Ok(p) if p.0 >= 0 => Some(p.0),
        Ok(_) => {
            problems.push((field.to_string(), "Enter an amount of £0 or more".to_string()));
            None
        }
        Err(e) => {
            problems.push((field.to_string(), e.to_string()));
            None
        }
    }
}

fn move_within<T>(items: &mut [T], index: usize, up: bool) {
    if up && index > 0 {
        items.swap(index, index - 1);
    } else if !up && index + 1 < items.len() {
        items.swap(index, index + 1);
    }
}

/// The answer to an edit of a section or question that another edit has removed.
fn not_found() -> Vec<FieldProblem> {
    vec![(
        "form".to_string(),
        "That part of the form no longer exists: reload the page".to_string(),
    )]
}

impl FormDefinition {
    /// Applies one builder change, returning the new form or the problems with the change.
    pub fn edit(&self, edit: &FormEdit) -> Result<FormDefinition, Vec<FieldProblem>> {
        let mut form = self.clone();
        match edit {
            FormEdit::AddSection { title, intro } => form.add_section(title, intro)?,
            FormEdit::RemoveSection { key } => {
                let before = form.sections.len();
                form.sections.retain(|s| &s.key != key);
                if form.sections.len() == before {
                    return Err(not_found());
                }
            }
            FormEdit::MoveSection { key, up } => {
                let i = form
                    .sections
                    .iter()
                    .position(|s| &s.key == key)
                    .ok_or_else(not_found)?;
                move_within(&mut form.sections, i, *up);
            }
            FormEdit::AddQuestion { section, question } => form.add_question(section, question)?,
            FormEdit::RemoveQuestion { key } => {
                form.section_asking(key)?.questions.retain(|q| &q.key != key);
            }
            FormEdit::MoveQuestion { key, up } => {
                let s = form.section_asking(key)?;
                let i = s
                    .questions
                    .iter()
                    .position(|q| &q.key == key)
                    .ok_or_else(not_found)?;
                move_within(&mut s.questions, i, *up);
            }
        }
        Ok(form)
    }

    /// Adds an empty section at the end, its key made from the title.
    fn add_section(&mut self, title: &str, intro: &str) -> Result<(), Vec<FieldProblem>> {
        let title = title.trim();
        if title.is_empty() {
            return Err(vec![(
                "section_title".to_string(),
                "Enter the section's title".to_string(),
            )]);
        }
        let taken: Vec<&str> = self.sections.iter().map(|s| s.key.as_str()).collect();
        let key = unique(key_from(title, '-'), &taken);
        self.sections.push(Section {
            key,
            title: title.to_string(),
            intro: intro.trim().to_string(),
            questions: Vec::new(),
        });
        Ok(())
    }

    /// Checks the typed question and adds it at the end of the section with key `section`.
    fn add_question(&mut self, section: &str, question: &QuestionInput) -> Result<(), Vec<FieldProblem>> {
        let taken: Vec<&str> = self.questions().map(|q| q.key.as_str()).collect();
        let q = question.check(&taken)?;
        let s = self
            .sections
            .iter_mut()
            .find(|s| s.key == section)
            .ok_or_else(not_found)?;
        s.questions.push(q);
        Ok(())
    }

    /// The section holding the question with key `key`.
    fn section_asking(&mut self, key: &str) -> Result<&mut Section, Vec<FieldProblem>> {
        self.sections
            .iter_mut()
            .find(|s| s.questions.iter().any(|q| q.key == key))
            .ok_or_else(not_found)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builder_adds_moves_and_removes() {
        let form = FormDefinition::default()
            .edit(&FormEdit::AddSection {
                title: "About you".into(),
                intro: String::new(),
            })
            .unwrap();
        let q = QuestionInput {
            label: "What is your plan?".into(),
            kind: "long_text".into(),
            required: "yes".into(),
            word_limit: "300".into(),
            ..QuestionInput::default()
        };
        let form = form
            .edit(&FormEdit::AddQuestion {
                section: "about-you".into(),
                question: q.clone(),
            })
            .unwrap();
        let form = form
            .edit(&FormEdit::AddQuestion {
                section: "about-you".into(),
                question: q,
            })
            .unwrap();
        let keys: Vec<&str> = form.questions().map(|q| q.key.as_str()).collect();
        assert_eq!(keys, ["what_is_your_plan", "what_is_your_plan_2"]);
        let moved = form
            .edit(&FormEdit::MoveQuestion {
                key: "what_is_your_plan_2".into(),
                up: true,
            })
            .unwrap();
        assert_eq!(moved.sections[0].questions[0].key, "what_is_your_plan_2");
        let bad = QuestionInput {
            label: "Amount".into(),
            kind: "money".into(),
            required: "yes".into(),
            min_pounds: "500".into(),
            max_pounds: "100".into(),
            ..QuestionInput::default()
        };
        let problems = form
            .edit(&FormEdit::AddQuestion {
                section: "about-you".into(),
                question: bad,
            })
            .unwrap_err();
        assert_eq!(problems[0].0, "max_pounds");
        assert!(
            form.edit(&FormEdit::RemoveSection { key: "nope".into() })
                .is_err()
        );
        assert_eq!(moved.problems(), Vec::<String>::new());
    }
}
