//! Saving a section's answers and uploading the files they name.

use super::{ApplicationError, Loaded, partner_choices};
use crate::App;
use convene_domain::accounts::new_secret;
use convene_domain::audit::AuditAction;
use convene_domain::forms::{Choices, QuestionKind, SaveMode};
use convene_domain::policy::Principal;
use convene_store::applications::{self, SaveOutcome};
use convene_store::uploads::{self, NewUpload};
use std::collections::BTreeMap;

/// The largest file accepted.
pub const MAX_UPLOAD_BYTES: usize = 10 * 1024 * 1024;

/// Saves one section's answers, typed over `expected_version`.
pub async fn save_section(
    app: &App,
    who: &Principal,
    loaded: &Loaded,
    section_key: &str,
    input: &BTreeMap<String, String>,
    mode: SaveMode,
    expected_version: i64,
) -> Result<SaveOutcome, ApplicationError> {
    let section = loaded
        .definition()
        .section(section_key)
        .ok_or(ApplicationError::NotFound)?;
    if !loaded.application.status.is_editable() {
        return Err(ApplicationError::NotEditable(loaded.application.status));
    }
    let asks_partners = section
        .questions
        .iter()
        .any(|q| q.kind == QuestionKind::Organisations);
    let partner_ids: Vec<String> = if asks_partners {
        partner_choices(app, loaded.place.id)
            .await?
            .into_iter()
            .map(|(id, _)| id)
            .collect()
    } else {
        Vec::new()
    };
    let answers = section
        .check(
            input,
            mode,
            Choices {
                themes: &loaded.round.themes,
                partner_org_ids: &partner_ids,
            },
        )
        .map_err(ApplicationError::Invalid)?;
    // A file answer must name a file uploaded to this application.
    for q in section.questions.iter().filter(|q| q.kind == QuestionKind::File) {
        if let Some(id) = answers.get(&q.key).filter(|v| !v.is_empty()) {
            let ok = uploads::info(&app.db, id)
                .await?
                .is_some_and(|u| u.application_id == loaded.application.id);
            if !ok {
                return Err(ApplicationError::Invalid(vec![(
                    q.key.clone(),
                    "Upload the file again".into(),
                )]));
            }
        }
    }
    let mut work = app.begin(Some(who.user_id.0)).await?;
    let now = work.now();
    let save = applications::SectionSave {
        application_id: loaded.application.id,
        form: loaded.definition(),
        section_key,
        answers: &answers,
        expected_version,
        user_id: Some(who.user_id.0),
    };
    let outcome = applications::save_section(work.tx(), &save, now).await?;
    match &outcome {
        SaveOutcome::Saved { .. } => {
            work.commit().await?;
            Ok(outcome)
        }
        SaveOutcome::Conflict { current } => Err(ApplicationError::Conflict(current.clone())),
        SaveOutcome::NotEditable(status) => Err(ApplicationError::NotEditable(*status)),
    }
}

/// Stores an uploaded file for a question of this application after checking its content.
/// Returns the upload's id, which becomes the question's answer.
pub async fn upload(
    app: &App,
    who: &Principal,
    loaded: &Loaded,
    question_key: &str,
    file_name: &str,
    content: &[u8],
) -> Result<String, ApplicationError> {
    let is_file_question = loaded
        .definition()
        .questions()
        .any(|q| q.key == question_key && q.kind == QuestionKind::File);
    if !is_file_question {
        return Err(ApplicationError::NotFound);
    }
    if !loaded.application.status.is_editable() {
        return Err(ApplicationError::NotEditable(loaded.application.status));
    }
    let checked = crate::files::check(file_name, content)
        .map_err(|message| ApplicationError::Invalid(vec![(question_key.to_string(), message)]))?;
    if let Some(socket) = &app.settings.clamd_socket {
        let refuse = |m: &str| ApplicationError::Invalid(vec![(question_key.to_string(), m.to_string())]);
        match crate::files::scan(socket, content).await {
            Ok(crate::files::Scan::Clean) => {}
            Ok(crate::files::Scan::Infected(name)) => {
                tracing::warn!(virus = %name, application = %loaded.application.id, "infected upload refused");
                return Err(refuse(
                    "The selected file contains a virus and has not been uploaded",
                ));
            }
            Err(e) => {
                tracing::error!(error = %e, "virus scan failed");
                return Err(refuse(
                    "The selected file could not be checked for viruses. Try again later",
                ));
            }
        }
    }
    let public_id = new_secret()[..32].to_string();
    let mut work = app.begin(Some(who.user_id.0)).await?;
    let now = work.now();
    uploads::insert(
        work.tx(),
        &NewUpload {
            public_id: &public_id,
            application_id: loaded.application.id.0,
            question_key,
            file_name: &checked.file_name,
            content_type: checked.content_type,
            content,
            uploaded_by: Some(who.user_id.0),
        },
        now,
    )
    .await?;
    work.audit(AuditAction::FileUploaded, Some(loaded.application.id.0))
        .await?;
    work.commit().await?;
    Ok(public_id)
}
