//! One section of questions as its page shows it: what is saved, or what was typed with
//! the problems found, or (after a conflicting save) both.

use super::*;

/// A question as its page shows it.
pub struct QuestionView {
    pub key: String,
    pub label: String,
    pub hint: String,
    /// Which control: textarea, text, yes_no, money, theme, organisations, file.
    pub widget: &'static str,
    pub value: String,
    pub error: Option<String>,
    pub word_limit: u32,
    pub options: Vec<ChoiceView>,
    /// The file already uploaded: (link, name and size).
    pub file: Option<(String, String)>,
}

/// A radio or checkbox.
pub struct ChoiceView {
    pub value: String,
    pub label: String,
    pub checked: bool,
}

impl QuestionView {
    /// The `aria-describedby` ids of this question's hint and error.
    pub fn described_by(&self) -> String {
        let mut ids = Vec::new();
        if !self.hint.is_empty() {
            ids.push(format!("{}-hint", self.key));
        }
        if self.widget == "textarea" {
            ids.push(format!("{}-info", self.key));
        }
        if self.error.is_some() {
            ids.push(format!("{}-error", self.key));
        }
        ids.join(" ")
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "applications/section.html")]
pub(super) struct SectionPage {
    chrome: Chrome,
    errors: FormErrors,
    application_id: i64,
    place_name: String,
    section_key: String,
    title: String,
    intro: String,
    questions: Vec<QuestionView>,
    version: i64,
    multipart: bool,
    return_to: String,
    /// Set when another save got in first: what is saved now.
    conflict: Option<Vec<(String, String)>>,
}

#[derive(Deserialize, Default)]
pub(super) struct ReturnTo {
    #[serde(default, rename = "return")]
    return_to: String,
}

/// What a section page shows in its fields: the values (saved or typed), the problems
/// found, the version they were typed over, where to go after, and the answers another
/// save left when it got in first.
pub(super) struct SectionForm {
    pub values: BTreeMap<String, String>,
    pub errors: FormErrors,
    pub version: i64,
    pub return_to: String,
    pub conflict: Option<SavedSection>,
}

/// The choices a question offers, as radios or checkboxes ticked from `value`.
fn choices<'a>(
    items: impl Iterator<Item = (&'a str, &'a str)>,
    checked: impl Fn(&str) -> bool,
) -> Vec<ChoiceView> {
    items
        .map(|(value, label)| ChoiceView {
            checked: checked(value),
            value: value.to_string(),
            label: label.to_string(),
        })
        .collect()
}

/// The control a question is shown with, its word limit and its choices.
fn widget(
    q: &Question,
    value: &str,
    round: &Round,
    partners: &[(String, String)],
) -> (&'static str, u32, Vec<ChoiceView>) {
    match &q.kind {
        QuestionKind::LongText { word_limit } => ("textarea", *word_limit, Vec::new()),
        QuestionKind::ShortText => ("text", 0, Vec::new()),
        QuestionKind::YesNo => (
            "yes_no",
            0,
            choices([("yes", "Yes"), ("no", "No")].into_iter(), |v| value == v),
        ),
        QuestionKind::Money { .. } => ("money", 0, Vec::new()),
        QuestionKind::Theme => (
            "theme",
            0,
            choices(round.themes.iter().map(|t| (t.as_str(), t.as_str())), |v| {
                value == v
            }),
        ),
        QuestionKind::Organisations => (
            "organisations",
            0,
            choices(
                partners.iter().map(|(org, name)| (org.as_str(), name.as_str())),
                |v| value.lines().any(|l| l.trim() == v),
            ),
        ),
        QuestionKind::File => ("file", 0, Vec::new()),
    }
}

/// Builds and renders a section page.
pub(super) async fn render_section(
    state: &AppState,
    me: &CurrentUser,
    loaded: &Loaded,
    key: &str,
    form: SectionForm,
) -> Result<Response, AppError> {
    let section = loaded.definition().section(key).ok_or(AppError::NotFound)?;
    let partners = applying::partner_choices(state, loaded.place.id).await?;
    let files = applying::uploaded_files(state, loaded).await?;
    let id = loaded.application.id;
    let SectionForm {
        values,
        errors,
        version,
        return_to,
        conflict,
    } = form;
    let questions: Vec<QuestionView> = section
        .questions
        .iter()
        .map(|q| {
            let value = values.get(&q.key).cloned().unwrap_or_default();
            let (widget, word_limit, options) = widget(q, &value, &loaded.round, &partners);
            let file = (q.kind == QuestionKind::File)
                .then(|| files.iter().find(|f| f.public_id == value))
                .flatten()
                .map(|f| file_link(id.0, f));
            QuestionView {
                key: q.key.clone(),
                label: q.label.clone(),
                hint: q.hint.clone(),
                widget,
                value,
                error: errors.for_field(&q.key).map(str::to_string),
                word_limit,
                options,
                file,
            }
        })
        .collect();
    let conflict = conflict.map(|saved| {
        section
            .questions
            .iter()
            .map(|q| {
                let v = saved.answers.get(&q.key).map(String::as_str).unwrap_or("");
                (q.label.clone(), display_answer(q, v))
            })
            .collect()
    });
    let chrome = form_chrome(state, me, &section.title, "/dashboard", &errors).await;
    let back = if return_to == "check" {
        format!("/applications/{id}/check")
    } else {
        format!("/applications/{id}")
    };
    Ok(SectionPage {
        chrome: chrome.with_back(back),
        errors,
        application_id: id.0,
        place_name: loaded.place.name.clone(),
        section_key: section.key.clone(),
        title: section.title.clone(),
        intro: section.intro.clone(),
        multipart: questions.iter().any(|q| q.widget == "file"),
        questions,
        version,
        return_to,
        conflict,
    }
    .into_response())
}

pub(super) async fn section_page(
    State(state): State<AppState>,
    me: CurrentUser,
    Path((id, key)): Path<(i64, String)>,
    Query(q): Query<ReturnTo>,
) -> Result<Response, AppError> {
    let loaded = load(&state, &me, id, Action::Edit).await?;
    if let Some(r) = editable_or_redirect(&loaded) {
        return Ok(r);
    }
    let section = loaded.definition().section(&key).ok_or(AppError::NotFound)?;
    let values: BTreeMap<String, String> = section
        .questions
        .iter()
        .map(|q| {
            let v = loaded.answers.get(&q.key).map(String::as_str).unwrap_or("");
            (q.key.clone(), input_value(q, v))
        })
        .collect();
    let form = SectionForm {
        values,
        errors: FormErrors::default(),
        version: loaded.section_version(&key),
        return_to: q.return_to,
        conflict: None,
    };
    render_section(&state, &me, &loaded, &key, form).await
}
