//! Saving one section: what was typed (and any file chosen) is checked and saved over the
//! version it was typed over; a problem or a conflicting save shows the page again with
//! everything typed kept.

use super::*;

/// A section form as posted: its fields and, from an upload form, the file chosen.
pub(super) struct Posted {
    fields: Vec<(String, String)>,
    file: Option<(String, String, bytes::Bytes)>,
}

pub(super) async fn read_posted(state: &AppState, req: Request) -> Result<Posted, AppError> {
    let multipart = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    if !multipart {
        let Form(fields) = Form::<Vec<(String, String)>>::from_request(req, state)
            .await
            .map_err(|_| AppError::internal("unreadable form"))?;
        return Ok(Posted { fields, file: None });
    }
    let mut mp = Multipart::from_request(req, state)
        .await
        .map_err(|_| AppError::internal("unreadable upload"))?;
    let mut posted = Posted {
        fields: Vec::new(),
        file: None,
    };
    loop {
        let field = match mp.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE => {
                return Err(AppError::TooLarge);
            }
            Err(e) => return Err(AppError::internal(format!("upload: {e}"))),
        };
        let name = field.name().unwrap_or_default().to_string();
        if let Some(file_name) = field.file_name().map(str::to_string) {
            let content = field.bytes().await.map_err(|_| AppError::TooLarge)?;
            if !file_name.is_empty() && !content.is_empty() {
                let key = name.trim_end_matches("__file").to_string();
                posted.file = Some((key, file_name, content));
            }
        } else {
            let text = field.text().await.unwrap_or_default();
            posted.fields.push((name, text));
        }
    }
    Ok(posted)
}

/// What a posted section form says: the answers typed by question (several ticked
/// organisations become one answer), the version typed over, where to go after, and how.
fn typed_input(section: &Section, posted: &Posted) -> (BTreeMap<String, String>, i64, String, SaveMode) {
    let field = |name: &str| {
        posted
            .fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let mode = if field("action") == "later" {
        SaveMode::Later
    } else {
        SaveMode::Continue
    };
    let input = section
        .questions
        .iter()
        .map(|q| {
            let values: Vec<&str> = posted
                .fields
                .iter()
                .filter(|(k, _)| *k == q.key)
                .map(|(_, v)| v.as_str())
                .collect();
            (q.key.clone(), values.join("\n"))
        })
        .collect();
    (
        input,
        field("version").parse().unwrap_or(0),
        field("return"),
        mode,
    )
}

const SUBMITTED: &str = "This application has been submitted, so its answers can no longer change.";

pub(super) async fn save_section(
    State(state): State<AppState>,
    me: CurrentUser,
    Path((id, key)): Path<(i64, String)>,
    req: Request,
) -> Result<Response, AppError> {
    let loaded = load(&state, &me, id, Action::Edit).await?;
    if let Some(r) = editable_or_redirect(&loaded) {
        notify(&me.session, SUBMITTED).await;
        return Ok(r);
    }
    let section = loaded
        .definition()
        .section(&key)
        .ok_or(AppError::NotFound)?
        .clone();
    let posted = read_posted(&state, req).await?;
    let (mut values, version, return_to, mode) = typed_input(&section, &posted);
    let mut form = SectionForm {
        values: BTreeMap::new(),
        errors: FormErrors::default(),
        version,
        return_to,
        conflict: None,
    };
    if let Some((question, file_name, content)) = &posted.file {
        match applying::upload(&state, me.principal(), &loaded, question, file_name, content).await {
            // The file is kept even if another answer fails: it is not asked for again.
            Ok(public_id) => {
                values.insert(question.clone(), public_id);
            }
            Err(ApplicationError::Invalid(problems)) => add_problems(&mut form.errors, problems),
            Err(e) => return Err(e.into()),
        }
    }
    form.values = values;
    if !form.errors.is_empty() {
        return render_section(&state, &me, &loaded, &key, form).await;
    }
    let outcome =
        applying::save_section(&state, me.principal(), &loaded, &key, &form.values, mode, version).await;
    match outcome {
        Ok(applying::SaveOutcome::Saved { voided_signoffs, .. }) => {
            Ok(after_saving(&me, id, &form.return_to, mode, voided_signoffs).await)
        }
        Ok(_) => Err(AppError::internal("unexpected save outcome")),
        Err(ApplicationError::Invalid(problems)) => {
            add_problems(&mut form.errors, problems);
            render_section(&state, &me, &loaded, &key, form).await
        }
        Err(ApplicationError::Conflict(current)) => {
            let at = current
                .as_ref()
                .map(|c| c.updated_at.london_words())
                .unwrap_or_default();
            form.errors.add(
                "conflict",
                format!(
                    "This section was changed at {at}, in another tab or by another lead, while you were editing. Your answers below have not been saved yet: compare them with the saved answers, then save again"
                ),
            );
            form.version = current.as_ref().map_or(0, |c| c.version);
            form.conflict = current;
            render_section(&state, &me, &loaded, &key, form).await
        }
        Err(ApplicationError::NotEditable(_)) => {
            notify(&me.session, SUBMITTED).await;
            Ok(Redirect::to(&format!("/applications/{id}")).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// Where a saved section goes: back to the task list, which says what was saved from the
/// address (no session write on the busiest path); from "check your answers", back there.
async fn after_saving(
    me: &CurrentUser,
    id: i64,
    return_to: &str,
    mode: SaveMode,
    voided_signoffs: bool,
) -> Response {
    let saved = match (voided_signoffs, mode) {
        (true, _) => "voided",
        (false, SaveMode::Later) => "later",
        (false, SaveMode::Continue) => "done",
    };
    let to = if return_to == "check" && mode == SaveMode::Continue {
        notify(&me.session, saved_message(saved).unwrap_or_default()).await;
        format!("/applications/{id}/check")
    } else {
        format!("/applications/{id}?saved={saved}")
    };
    Redirect::to(&to).into_response()
}
