//! The sign-off task: partner contacts and sending the requests.

use super::*;

#[derive(Template, WebTemplate)]
#[template(path = "applications/signoff_task.html")]
pub(super) struct SignoffTaskPage {
    chrome: Chrome,
    notice: Option<String>,
    errors: FormErrors,
    loaded: Loaded,
    signoffs: Vec<SignoffLine>,
    contacts: Vec<applying::Contact>,
    all_done: bool,
    requested: bool,
    signoff_required: bool,
    contact: ContactForm,
}

#[derive(Deserialize, Default, Clone)]
pub(super) struct ContactForm {
    #[serde(default)]
    contact_name: String,
    #[serde(default)]
    contact_email: String,
    #[serde(default)]
    contact_organisation: String,
}

pub(super) async fn render_signoff(
    state: &AppState,
    me: &CurrentUser,
    loaded: Loaded,
    errors: FormErrors,
    contact: ContactForm,
) -> Result<Response, AppError> {
    let signoff = applying::signoff_state(state, &loaded).await?;
    let signoffs = signoff_lines(&signoff, &loaded.application.answers_digest);
    let all_done = loaded
        .definition()
        .sections
        .iter()
        .all(|s| s.status(&loaded.answers) == SectionStatus::Completed);
    let notice = take_notice(&me.session).await;
    let chrome = step_chrome(state, me, "Sign-off and partner confirmations", &loaded, &errors).await;
    Ok(SignoffTaskPage {
        chrome,
        notice,
        errors,
        signoffs,
        requested: signoff.chair.is_some(),
        contacts: signoff.contacts,
        all_done,
        signoff_required: loaded.round.signoff_required,
        loaded,
        contact,
    }
    .into_response())
}

pub(super) async fn signoff_page(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let loaded = load(&state, &me, id, Action::Edit).await?;
    if let Some(r) = editable_or_redirect(&loaded) {
        return Ok(r);
    }
    render_signoff(&state, &me, loaded, FormErrors::default(), ContactForm::default()).await
}

pub(super) async fn add_contact(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<ContactForm>,
) -> Result<Response, AppError> {
    let loaded = load(&state, &me, id, Action::Edit).await?;
    if let Some(r) = editable_or_redirect(&loaded) {
        return Ok(r);
    }
    let me_email = me.user().email.clone();
    match applying::add_contact(
        &state,
        &me_email,
        &loaded,
        &form.contact_name,
        &form.contact_email,
        &form.contact_organisation,
    )
    .await
    {
        Ok(()) => {
            notify(
                &me.session,
                &format!(
                    "{} has been added as a partner contact.",
                    form.contact_name.trim()
                ),
            )
            .await;
            Ok(Redirect::to(&format!("/applications/{id}/sign-off")).into_response())
        }
        Err(ApplicationError::Invalid(p)) => {
            render_signoff(&state, &me, loaded, problems_to_errors(p), form).await
        }
        Err(e) => Err(e.into()),
    }
}

pub(super) async fn remove_contact(
    State(state): State<AppState>,
    me: CurrentUser,
    Path((id, contact)): Path<(i64, i64)>,
) -> Result<Response, AppError> {
    let loaded = load(&state, &me, id, Action::Edit).await?;
    if let Some(r) = editable_or_redirect(&loaded) {
        return Ok(r);
    }
    let removed = applying::remove_contact(&state, &loaded, contact).await?;
    if removed {
        notify(&me.session, "The partner contact has been removed.").await;
    }
    Ok(Redirect::to(&format!("/applications/{id}/sign-off")).into_response())
}

pub(super) async fn send_signoff(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let loaded = load(&state, &me, id, Action::Edit).await?;
    if let Some(r) = editable_or_redirect(&loaded) {
        return Ok(r);
    }
    let me_email = me.user().email.clone();
    match applying::send_signoff_requests(&state, me.principal(), &me_email, &loaded).await {
        Ok(0) => {
            notify(&me.session, "Everyone has already confirmed these answers.").await;
            Ok(Redirect::to(&format!("/applications/{id}/sign-off")).into_response())
        }
        Ok(n) => {
            let plural = if n == 1 { "request has" } else { "requests have" };
            notify(&me.session, &format!("{n} sign-off {plural} been sent by email.")).await;
            Ok(Redirect::to(&format!("/applications/{id}")).into_response())
        }
        Err(ApplicationError::Invalid(p)) => {
            render_signoff(&state, &me, loaded, problems_to_errors(p), ContactForm::default()).await
        }
        Err(e) => Err(e.into()),
    }
}
