//! The kinds of question a form can ask, and their names in the builder.

use crate::money::Pence;
use serde::{Deserialize, Serialize};

/// What kind of answer a question takes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum QuestionKind {
    /// Paragraphs, with a word limit counted as a person counts words.
    LongText { word_limit: u32 },
    /// One line of text.
    ShortText,
    /// Yes or no.
    YesNo,
    /// An amount in pounds, held as pence, between two bounds (inclusive).
    Money {
        min_pence: i64,
        max_pence: i64,
        /// True for the place's own match contribution, which is shown beside the fund.
        #[serde(default)]
        match_pledge: bool,
    },
    /// One of the round's themes.
    Theme,
    /// Organisations engaged, chosen from the place's partner organisations (by org-id).
    Organisations,
    /// A document: PDF, DOCX, ODT, XLSX, PNG or JPEG up to 10 MB.
    File,
}

impl QuestionKind {
    /// The kind's name as the form builder and API spell it.
    pub fn key(&self) -> &'static str {
        match self {
            QuestionKind::LongText { .. } => "long_text",
            QuestionKind::ShortText => "short_text",
            QuestionKind::YesNo => "yes_no",
            QuestionKind::Money { .. } => "money",
            QuestionKind::Theme => "theme",
            QuestionKind::Organisations => "organisations",
            QuestionKind::File => "file",
        }
    }

    /// The kind in words, for the form builder.
    pub fn label(&self) -> String {
        match self {
            QuestionKind::LongText { word_limit } => format!("Long text, up to {word_limit} words"),
            QuestionKind::ShortText => "Short text".into(),
            QuestionKind::YesNo => "Yes or no".into(),
            QuestionKind::Money {
                min_pence, max_pence, ..
            } => format!("Money, {} to {}", Pence(*min_pence), Pence(*max_pence)),
            QuestionKind::Theme => "One of the round's themes".into(),
            QuestionKind::Organisations => "Partner organisations".into(),
            QuestionKind::File => "File upload".into(),
        }
    }

    /// True for the money question whose answer is the place's match contribution.
    pub(super) fn is_pledge(&self) -> bool {
        matches!(
            self,
            QuestionKind::Money {
                match_pledge: true,
                ..
            }
        )
    }
}
