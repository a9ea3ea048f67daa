//! Answers and sign-offs as NHS summary lists, shared by the overview and the check page.

use super::*;

/// A section of answers as a summary list.
pub struct SummarySection {
    pub title: String,
    pub change_href: Option<String>,
    pub rows: Vec<SummaryRow>,
}

/// One answer in a summary list.
pub struct SummaryRow {
    pub key: String,
    pub label: String,
    pub lines: Vec<String>,
    pub file: Option<(String, String)>,
}

/// Who was asked to sign off, and what became of it.
pub struct SignoffLine {
    pub who: String,
    pub organisation: String,
    pub state: String,
    pub words: Option<String>,
}

/// The answers of an application as summary lists. `change` adds "Change" links that
/// come back to the check-answers page.
pub async fn summary(
    state: &AppState,
    loaded: &Loaded,
    change: bool,
) -> Result<Vec<SummarySection>, AppError> {
    let partners = applying::partner_choices(state, loaded.place.id).await?;
    let files = applying::uploaded_files(state, loaded).await?;
    let id = loaded.application.id;
    Ok(loaded
        .definition()
        .sections
        .iter()
        .map(|section| SummarySection {
            title: section.title.clone(),
            change_href: change.then(|| format!("/applications/{id}/sections/{}?return=check", section.key)),
            rows: section
                .questions
                .iter()
                .map(|q| {
                    let value = loaded.answers.get(&q.key).map(String::as_str).unwrap_or("");
                    let mut file = None;
                    let lines: Vec<String> = match q.kind {
                        QuestionKind::Organisations => value
                            .lines()
                            .map(|org| {
                                partners
                                    .iter()
                                    .find(|(o, _)| o == org)
                                    .map_or_else(|| org.to_string(), |(_, name)| name.clone())
                            })
                            .collect(),
                        QuestionKind::File => {
                            file = files
                                .iter()
                                .find(|f| f.public_id == value)
                                .map(|f| file_link(id.0, f));
                            Vec::new()
                        }
                        _ => display_answer(q, value)
                            .split('\n')
                            .filter(|l| !l.trim().is_empty())
                            .map(str::to_string)
                            .collect(),
                    };
                    SummaryRow {
                        key: q.key.clone(),
                        label: q.label.clone(),
                        lines,
                        file,
                    }
                })
                .collect(),
        })
        .collect())
}

/// "2.4 MB", "310 KB".
pub fn size_words(bytes: i64) -> String {
    if bytes >= 1024 * 1024 {
        format!("{:.1} MB", bytes as f64 / (1024.0 * 1024.0))
    } else {
        format!("{} KB", (bytes + 1023) / 1024)
    }
}

/// Sign-off lines for the task list, the check page and the read-only application.
pub fn signoff_lines(signoff: &SignoffState, current_digest: &str) -> Vec<SignoffLine> {
    let mut seen: Vec<String> = Vec::new();
    let mut lines = Vec::new();
    for s in &signoff.all {
        let email = s.contact_email.to_lowercase();
        if seen.contains(&email) {
            continue;
        }
        seen.push(email);
        let (state, words) = match (s.confirmed_at, s.voided_at) {
            (_, Some(_)) => (
                "Cancelled: the answers changed after the request was sent".to_string(),
                None,
            ),
            (Some(at), None) if s.answers_digest == current_digest => (
                format!(
                    "Confirmed by {}, {}, at {}",
                    s.confirmed_name.clone().unwrap_or_default(),
                    s.confirmed_role.clone().unwrap_or_default(),
                    at.london_words()
                ),
                s.comment.clone().filter(|c| !c.trim().is_empty()),
            ),
            (Some(_), None) => ("Cancelled: the answers changed after sign-off".to_string(), None),
            (None, None) => (
                format!("Waiting: request sent at {}", s.requested_at.london_words()),
                None,
            ),
        };
        lines.push(SignoffLine {
            who: s.contact_name.clone(),
            organisation: s.organisation.clone(),
            state,
            words,
        });
    }
    lines
}

/// The link to an uploaded file, and its name with its size.
pub(super) fn file_link(application_id: i64, f: &applying::UploadInfo) -> (String, String) {
    (
        format!("/applications/{application_id}/files/{}", f.public_id),
        format!("{} ({})", f.file_name, size_words(f.size_bytes)),
    )
}
