//! Application forms: ordered sections of questions, the answers people give, and the
//! checks an answer must pass. A form is frozen once its round opens, so answers are
//! always read against the questions that were asked.

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
}

/// Answers by question key. Values are normalised: money in pence, yes/no as "yes" or
/// "no", organisations as org-ids one per line, files as the upload's id.
pub type Answers = BTreeMap<String, String>;

/// A problem with one field: the field's id and the message shown beside it.
pub type FieldProblem = (String, String);

/// The longest short answer, in characters.
pub const SHORT_TEXT_MAX: usize = 300;
/// The longest long answer, in characters, whatever its word limit.
pub const LONG_TEXT_MAX: usize = 30_000;
/// Field names a question key may not take, because the section page uses them.
const RESERVED_KEYS: [&str; 4] = ["csrf_token", "version", "action", "section"];

/// Counts words as the NHS.UK character count does: runs of non-whitespace.
pub fn word_count(text: &str) -> usize {
    text.split_whitespace().count()
}

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

/// What a section's answers are checked against besides the questions themselves.
#[derive(Debug, Clone, Copy)]
pub struct Choices<'a> {
    /// The round's themes.
    pub themes: &'a [String],
    /// Org-ids of the organisations the place may name as partners.
    pub partner_org_ids: &'a [String],
}

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
        self.questions().find(|q| {
            matches!(
                q.kind,
                QuestionKind::Money {
                    match_pledge: true,
                    ..
                }
            )
        })
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
                if !valid_key(&q.key) || RESERVED_KEYS.contains(&q.key.as_str()) {
                    problems.push(format!(
                        "Question key \u{201c}{}\u{201d} must be lower-case letters, numbers or underscores, and not a reserved name",
                        q.key
                    ));
                }
                if question_keys.contains(&q.key.as_str()) {
                    problems.push(format!("Two questions have the key \u{201c}{}\u{201d}", q.key));
                }
                question_keys.push(q.key.as_str());
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
        }
        if self
            .questions()
            .filter(|q| {
                matches!(
                    q.kind,
                    QuestionKind::Money {
                        match_pledge: true,
                        ..
                    }
                )
            })
            .count()
            > 1
        {
            problems.push("Only one question can be the place's match contribution".to_string());
        }
        problems
    }
}

fn valid_key(key: &str) -> bool {
    (1..=60).contains(&key.len())
        && key.starts_with(|c: char| c.is_ascii_lowercase())
        && key
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-')
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

fn check_answer(q: &Question, raw: &str, choices: Choices<'_>) -> Result<String, String> {
    let trimmed = raw.trim();
    match &q.kind {
        QuestionKind::LongText { word_limit } => {
            let words = word_count(raw);
            let limit = *word_limit as usize;
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
        } => {
            let amount = Pence::parse_pounds(trimmed).map_err(|e| e.to_string())?;
            if amount.0 < *min_pence || amount.0 > *max_pence {
                return Err(if min_pence == max_pence {
                    format!("The amount must be {}", Pence(*min_pence))
                } else {
                    format!(
                        "The amount must be between {} and {}",
                        Pence(*min_pence),
                        Pence(*max_pence)
                    )
                });
            }
            Ok(amount.0.to_string())
        }
        QuestionKind::Theme => {
            if choices.themes.iter().any(|t| t == trimmed) {
                Ok(trimmed.to_string())
            } else {
                Err("Select one of the themes listed".to_string())
            }
        }
        QuestionKind::Organisations => {
            let mut chosen: Vec<&str> = trimmed.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
            chosen.sort_unstable();
            chosen.dedup();
            if let Some(unknown) = chosen
                .iter()
                .find(|id| !choices.partner_org_ids.iter().any(|p| p == *id))
            {
                return Err(format!(
                    "\u{201c}{unknown}\u{201d} is not one of this place's partner organisations"
                ));
            }
            Ok(chosen.join("\n"))
        }
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
        let pounds =
            |field: &str, text: &str, problems: &mut Vec<FieldProblem>| match Pence::parse_pounds(text) {
                Ok(p) if p.0 >= 0 => Some(p.0),
                Ok(_) => {
                    problems.push((field.to_string(), "Enter an amount of £0 or more".to_string()));
                    None
                }
                Err(e) => {
                    problems.push((field.to_string(), e.to_string()));
                    None
                }
            };
        let kind = match self.kind.as_str() {
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
            "money" => {
                let min = pounds("min_pounds", &self.min_pounds, &mut problems);
                let max = pounds("max_pounds", &self.max_pounds, &mut problems);
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
            _ => {
                problems.push(("kind".to_string(), "Select the kind of answer".to_string()));
                None
            }
        };
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
}

fn move_within<T>(items: &mut [T], index: usize, up: bool) {
    if up && index > 0 {
        items.swap(index, index - 1);
    } else if !up && index + 1 < items.len() {
        items.swap(index, index + 1);
    }
}

impl FormDefinition {
    /// Applies one builder change, returning the new form or the problems with the change.
    pub fn edit(&self, edit: &FormEdit) -> Result<FormDefinition, Vec<FieldProblem>> {
        let mut form = self.clone();
        let not_found = || {
            vec![(
                "form".to_string(),
                "That part of the form no longer exists: reload the page".to_string(),
            )]
        };
        match edit {
            FormEdit::AddSection { title, intro } => {
                let title = title.trim();
                if title.is_empty() {
                    return Err(vec![(
                        "section_title".to_string(),
                        "Enter the section's title".to_string(),
                    )]);
                }
                let taken: Vec<&str> = self.sections.iter().map(|s| s.key.as_str()).collect();
                form.sections.push(Section {
                    key: unique(key_from(title, '-'), &taken),
                    title: title.to_string(),
                    intro: intro.trim().to_string(),
                    questions: Vec::new(),
                });
            }
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
            FormEdit::AddQuestion { section, question } => {
                let taken: Vec<&str> = self.questions().map(|q| q.key.as_str()).collect();
                let q = question.check(&taken)?;
                let s = form
                    .sections
                    .iter_mut()
                    .find(|s| &s.key == section)
                    .ok_or_else(not_found)?;
                s.questions.push(q);
            }
            FormEdit::RemoveQuestion { key } => {
                let s = form
                    .sections
                    .iter_mut()
                    .find(|s| s.questions.iter().any(|q| &q.key == key))
                    .ok_or_else(not_found)?;
                s.questions.retain(|q| &q.key != key);
            }
            FormEdit::MoveQuestion { key, up } => {
                let s = form
                    .sections
                    .iter_mut()
                    .find(|s| s.questions.iter().any(|q| &q.key == key))
                    .ok_or_else(not_found)?;
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
}

/// The Local Vision form, from the 2013 call: the place and its partners, the five
/// numbered points of the letter, and the £10,000 contribution.
pub fn local_vision_template() -> FormDefinition {
    let long = |key: &str, label: &str, hint: &str| Question {
        key: key.into(),
        label: label.into(),
        hint: hint.into(),
        required: true,
        kind: QuestionKind::LongText { word_limit: 500 },
    };
    FormDefinition {
        sections: vec![
            Section {
                key: "about-your-place".into(),
                title: "About your place".into(),
                intro: "Tell us which local partners are engaged. The Health and Wellbeing Board chair who signs off your application comes from your place's record.".into(),
                questions: vec![
                    Question {
                        key: "partners".into(),
                        label: "Which local partners are engaged?".into(),
                        hint: "Select all that apply.".into(),
                        required: true,
                        kind: QuestionKind::Organisations,
                    },
                    Question {
                        key: "theme".into(),
                        label: "Which theme is closest to your breakthrough issue?".into(),
                        hint: String::new(),
                        required: true,
                        kind: QuestionKind::Theme,
                    },
                ],
            },
            Section {
                key: "breakthrough-issue".into(),
                title: "Your breakthrough issue".into(),
                intro: String::new(),
                questions: vec![long(
                    "breakthrough_issue",
                    "What is the breakthrough issue you wish to undertake?",
                    "Say what makes it particularly pertinent for your place and the history of existing work on it locally.",
                )],
            },
            Section {
                key: "gain-for-residents".into(),
                title: "The gain for local residents".into(),
                intro: String::new(),
                questions: vec![long(
                    "gain_for_residents",
                    "What gain do you expect to see for local residents?",
                    "",
                )],
            },
            Section {
                key: "local-leadership".into(),
                title: "The impact on local leadership".into(),
                intro: String::new(),
                questions: vec![long(
                    "leadership_impact",
                    "What impact do you hope this will make on local leadership?",
                    "Include other areas where you might see the benefit of this impact in the future.",
                )],
            },
            Section {
                key: "lessons".into(),
                title: "Lessons for other places".into(),
                intro: String::new(),
                questions: vec![long(
                    "wider_lessons",
                    "What wider lessons might other places learn, and how will you share what you learn?",
                    "",
                )],
            },
            Section {
                key: "contribution".into(),
                title: "Your £10,000 contribution".into(),
                intro: "Funded places contribute £10,000 to the funding in their area.".into(),
                questions: vec![
                    Question {
                        key: "contribution".into(),
                        label: "How much will your place contribute?".into(),
                        hint: "In pounds. At least £10,000.".into(),
                        required: true,
                        kind: QuestionKind::Money {
                            min_pence: 1_000_000,
                            max_pence: 10_000_000,
                            match_pledge: true,
                        },
                    },
                    Question {
                        key: "supporting_letter".into(),
                        label: "Supporting letter (optional)".into(),
                        hint: "A PDF, Word, OpenDocument, Excel, PNG or JPEG file, up to 10 MB.".into(),
                        required: false,
                        kind: QuestionKind::File,
                    },
                ],
            },
        ],
    }
}

#[cfg(test)]
mod tests {
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
    fn words_are_runs_of_non_whitespace() {
        assert_eq!(word_count(""), 0);
        assert_eq!(word_count("  one  "), 1);
        assert_eq!(word_count("one two\nthree\t four"), 4);
        assert_eq!(word_count("well-being, e.g. this"), 3);
    }

    #[test]
    fn the_local_vision_template_is_well_formed() {
        let form = local_vision_template();
        assert_eq!(form.problems(), Vec::<String>::new());
        assert_eq!(form.sections.len(), 6);
        assert_eq!(
            form.pledge_question().map(|q| q.key.as_str()),
            Some("contribution")
        );
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

    #[test]
    fn answers_read_back_as_people_write_them() {
        let form = local_vision_template();
        let q = form.pledge_question().unwrap();
        assert_eq!(display_answer(q, "1000000"), "£10,000");
        assert_eq!(input_value(q, "1000050"), "10,000.50");
    }
}
