//! Checking answers, submitting, the confirmation, and withdrawing.

use super::*;

#[derive(Template, WebTemplate)]
#[template(path = "applications/check_answers.html")]
pub(super) struct CheckPage {
    chrome: Chrome,
    notice: Option<String>,
    errors: FormErrors,
    loaded: Loaded,
    summary: Vec<SummarySection>,
    signoffs: Vec<SignoffLine>,
    deadline: String,
}

pub(super) async fn render_check(
    state: &AppState,
    me: &CurrentUser,
    loaded: Loaded,
    errors: FormErrors,
) -> Result<Response, AppError> {
    let summary = summary(state, &loaded, true).await?;
    let signoff = applying::signoff_state(state, &loaded).await?;
    let signoffs = signoff_lines(&signoff, &loaded.application.answers_digest);
    let notice = take_notice(&me.session).await;
    let title = "Check your answers before submitting your application";
    let chrome = step_chrome(state, me, title, &loaded, &errors).await;
    Ok(CheckPage {
        chrome,
        notice,
        errors,
        summary,
        signoffs,
        deadline: loaded.deadline().london_words(),
        loaded,
    }
    .into_response())
}

pub(super) async fn check_page(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let loaded = load(&state, &me, id, Action::Edit).await?;
    if let Some(r) = editable_or_redirect(&loaded) {
        return Ok(r);
    }
    render_check(&state, &me, loaded, FormErrors::default()).await
}

pub(super) fn blocker_errors(id: i64, blockers: &[Blocker]) -> FormErrors {
    let mut errors = FormErrors::default();
    for b in blockers {
        let field = match b {
            Blocker::Incomplete { section_key, .. } => format!("section-{section_key}"),
            Blocker::NeedsSignoff => "signoff".to_string(),
            _ => "submit".to_string(),
        };
        let _ = id;
        errors.add(&field, b.message());
    }
    errors
}

pub(super) async fn submit(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let loaded = load(&state, &me, id, Action::Edit).await?;
    let me_email = me.user().email.clone();
    match applying::submit(&state, me.principal(), &me_email, &loaded).await {
        Ok(_) => Ok(Redirect::to(&format!("/applications/{id}/confirmation")).into_response()),
        Err(ApplicationError::Blocked(blockers)) => {
            let errors = blocker_errors(id, &blockers);
            render_check(&state, &me, loaded, errors).await
        }
        Err(ApplicationError::NotEditable(_)) => {
            Ok(Redirect::to(&format!("/applications/{id}")).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "applications/confirmation.html")]
pub(super) struct ConfirmationPage {
    chrome: Chrome,
    reference: String,
    loaded: Loaded,
    steps: Vec<String>,
    email: String,
}

pub(super) async fn confirmation(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let loaded = load(&state, &me, id, Action::View).await?;
    let Some(reference) = loaded.application.reference.clone() else {
        return Ok(Redirect::to(&format!("/applications/{id}")).into_response());
    };
    let chrome = chrome(
        &state,
        Some(&me.person),
        &me.session,
        "Application submitted",
        "/dashboard",
    )
    .await;
    Ok(ConfirmationPage {
        chrome,
        reference,
        steps: applying::next_steps(&loaded.round),
        email: me.user().email.clone(),
        loaded,
    }
    .into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "applications/withdraw.html")]
pub(super) struct WithdrawPage {
    chrome: Chrome,
    errors: FormErrors,
    loaded: Loaded,
    reason: String,
}

pub(super) async fn render_withdraw(
    state: &AppState,
    me: &CurrentUser,
    loaded: Loaded,
    errors: FormErrors,
    reason: String,
) -> Result<Response, AppError> {
    let chrome = step_chrome(state, me, "Withdraw your application", &loaded, &errors).await;
    Ok(WithdrawPage {
        chrome,
        errors,
        loaded,
        reason,
    }
    .into_response())
}

pub(super) async fn withdraw_page(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let loaded = load(&state, &me, id, Action::Edit).await?;
    if loaded.application.status == ApplicationStatus::Withdrawn {
        return Ok(Redirect::to(&format!("/applications/{id}")).into_response());
    }
    render_withdraw(&state, &me, loaded, FormErrors::default(), String::new()).await
}

#[derive(Deserialize)]
pub(super) struct WithdrawForm {
    #[serde(default)]
    reason: String,
}

pub(super) async fn withdraw(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<WithdrawForm>,
) -> Result<Response, AppError> {
    let loaded = load(&state, &me, id, Action::Edit).await?;
    match applying::withdraw(&state, me.principal(), &loaded, &form.reason).await {
        Ok(()) => {
            notify(&me.session, "Your application has been withdrawn.").await;
            Ok(Redirect::to(&format!("/applications/{id}")).into_response())
        }
        Err(ApplicationError::Invalid(p)) => {
            render_withdraw(&state, &me, loaded, problems_to_errors(p), form.reason).await
        }
        Err(ApplicationError::NotEditable(_)) => {
            Ok(Redirect::to(&format!("/applications/{id}")).into_response())
        }
        Err(e) => Err(e.into()),
    }
}
