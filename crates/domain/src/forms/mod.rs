//! Application forms: ordered sections of questions, the answers people give, and the
//! checks an answer must pass. A form is frozen once its round opens, so answers are
//! always read against the questions that were asked.
//!
//! One file per concept: the form's shape (`definition`), the kinds of question (`kinds`),
//! the checks on answers (`answers`), word counting (`words`), where a section stands and
//! how it is saved (`status`), the builder's edits (`builder`) and the Local Vision
//! template, kept as data (`template`, `local_vision.json`). Everything is re-exported
//! here, so callers name `forms::X` whatever file `X` lives in.

mod answers;
mod builder;
mod definition;
mod kinds;
mod status;
mod template;
mod words;

pub use answers::{Choices, LONG_TEXT_MAX, SHORT_TEXT_MAX, display_answer, input_value};
pub use builder::{FormEdit, QuestionInput};
pub use definition::{Answers, FieldProblem, FormDefinition, Question, Section};
pub use kinds::QuestionKind;
pub use status::{SaveMode, SectionStatus};
pub use template::local_vision_template;
pub use words::word_count;
