//! Where a section stands in the task list, and how a section page is saved.

use super::definition::{Answers, Question, Section};
use serde::{Deserialize, Serialize};

/// Where a task stands in the task list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SectionStatus {
    NotStarted,
    InProgress,
    Completed,
    CannotStartYet,
}

impl SectionStatus {
    /// The tag's words.
    pub fn label(self) -> &'static str {
        match self {
            SectionStatus::NotStarted => "Not yet started",
            SectionStatus::InProgress => "In progress",
            SectionStatus::Completed => "Completed",
            SectionStatus::CannotStartYet => "Cannot start yet",
        }
    }

    /// The NHS.UK tag colour modifier, or none for the plain (completed) tag.
    pub fn tag_class(self) -> &'static str {
        match self {
            SectionStatus::NotStarted => "nhsuk-tag--blue",
            SectionStatus::InProgress => "nhsuk-tag--light-blue",
            SectionStatus::Completed => "",
            SectionStatus::CannotStartYet => "nhsuk-tag--grey",
        }
    }
}

/// Whether a save is final for the section ("Save and continue") or a pause ("Save and
/// come back later"). A pause keeps unfinished answers; format problems still stop it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SaveMode {
    Continue,
    Later,
}

/// True when `question` has an answer in `answers`.
fn answered(question: &Question, answers: &Answers) -> bool {
    answers.get(&question.key).is_some_and(|v| !v.trim().is_empty())
}

impl Section {
    /// Where this section stands, from the answers saved so far.
    pub fn status(&self, answers: &Answers) -> SectionStatus {
        let any = self.questions.iter().any(|q| answers.contains_key(&q.key));
        let complete = self.questions.iter().all(|q| !q.required || answered(q, answers));
        match (any, complete) {
            (false, _) => SectionStatus::NotStarted,
            (true, true) => SectionStatus::Completed,
            (true, false) => SectionStatus::InProgress,
        }
    }
}
