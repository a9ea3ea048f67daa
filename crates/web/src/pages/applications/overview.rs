//! An application at a glance: the task list while it is a draft, the read-only answers after.

use super::*;

/// One task in the task list.
pub(super) struct Task {
    title: String,
    href: Option<String>,
    status: String,
    tag_class: &'static str,
}

#[derive(Template, WebTemplate)]
#[template(path = "applications/task_list.html")]
pub(super) struct TaskListPage {
    chrome: Chrome,
    notice: Option<String>,
    loaded: Loaded,
    deadline: String,
    past_deadline: bool,
    completed: usize,
    total: usize,
    tasks: Vec<Task>,
}

#[derive(Template, WebTemplate)]
#[template(path = "applications/application.html")]
pub(super) struct ApplicationPage {
    chrome: Chrome,
    notice: Option<String>,
    errors: FormErrors,
    loaded: Loaded,
    summary: Vec<SummarySection>,
    signoffs: Vec<SignoffLine>,
    is_lead: bool,
    is_admin: bool,
    is_withdrawn: bool,
    deadline: String,
    status_label: &'static str,
    status_class: &'static str,
    extend: ExtendForm,
    /// True once an outcome letter has gone out that this person may read.
    has_outcome: bool,
}

pub(super) async fn show(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(id): Path<i64>,
    Query(q): Query<SavedQuery>,
) -> Result<Response, AppError> {
    let loaded = load(&state, &me, id, Action::View).await?;
    if is_lead(&me, &loaded) && loaded.application.status.is_editable() {
        return task_list(&state, &me, loaded, saved_message(&q.saved)).await;
    }
    render_application(&state, &me, loaded, FormErrors::default(), ExtendForm::default()).await
}

pub(super) async fn render_application(
    state: &AppState,
    me: &CurrentUser,
    loaded: Loaded,
    errors: FormErrors,
    extend: ExtendForm,
) -> Result<Response, AppError> {
    let summary = summary(state, &loaded, false).await?;
    let signoff = applying::signoff_state(state, &loaded).await?;
    let signoffs = signoff_lines(&signoff, &loaded.application.answers_digest);
    let has_outcome = convene_app::awards::offers::outcome_sent(state, me.principal(), &loaded).await?;
    let notice = take_notice(&me.session).await;
    let title = format!("{}: application to {}", loaded.place.name, loaded.round.name);
    let chrome = form_chrome(state, me, &title, "/dashboard", &errors).await;
    let is_admin = allows(
        me.principal(),
        Action::Edit,
        Resource::Programme {
            id: loaded.round.programme_id,
        },
    );
    let back = if is_admin {
        format!(
            "/programmes/{}/rounds/{}/applications",
            loaded.programme.slug, loaded.round.slug
        )
    } else {
        "/dashboard".to_string()
    };
    Ok(ApplicationPage {
        chrome: chrome.with_back(back),
        notice,
        errors,
        summary,
        signoffs,
        is_lead: is_lead(me, &loaded),
        is_admin,
        is_withdrawn: loaded.application.status == ApplicationStatus::Withdrawn,
        deadline: loaded.deadline().london_words(),
        status_label: loaded.application.status.label(),
        status_class: loaded.application.status.tag_class(),
        loaded,
        extend,
        has_outcome,
    }
    .into_response())
}

pub(super) async fn task_list(
    state: &AppState,
    me: &CurrentUser,
    loaded: Loaded,
    saved: Option<&str>,
) -> Result<Response, AppError> {
    let now = state.clock.now();
    let id = loaded.application.id;
    let signoff = applying::signoff_state(state, &loaded).await?;
    let mut tasks: Vec<Task> = loaded
        .definition()
        .sections
        .iter()
        .map(|s| {
            let status = s.status(&loaded.answers);
            Task {
                title: s.title.clone(),
                href: Some(format!("/applications/{id}/sections/{}", s.key)),
                status: status.label().to_string(),
                tag_class: status.tag_class(),
            }
        })
        .collect();
    let all_done = loaded
        .definition()
        .sections
        .iter()
        .all(|s| s.status(&loaded.answers) == SectionStatus::Completed);
    tasks.push(signoff_task(
        id.0,
        &signoff,
        &loaded.application.answers_digest,
        all_done,
    ));
    let ready = applying::blockers(&loaded, &signoff, now)
        .iter()
        .all(|b| matches!(b, Blocker::PastDeadline { .. }));
    tasks.push(check_task(id.0, ready));
    let total = tasks.len() - 1;
    let completed = tasks
        .iter()
        .filter(|t| t.status == "Completed" || t.status == "Signed off")
        .count();
    let mut notice = match saved {
        Some(message) => Some(message.to_string()),
        None => take_notice(&me.session).await,
    };
    if notice.is_none() && signoff.voided_by_change() && signoff.chair.is_none() {
        notice = Some(
            "You changed an answer after sign-off was asked for, so the sign-off was cancelled. Ask again when your answers are final."
                .into(),
        );
    }
    let title = format!("Apply for {}", loaded.round.name);
    let chrome = chrome(state, Some(&me.person), &me.session, &title, "/dashboard").await;
    Ok(TaskListPage {
        chrome: chrome.with_back("/dashboard"),
        notice,
        deadline: loaded.deadline().london_words(),
        past_deadline: now > loaded.deadline(),
        loaded,
        completed,
        total,
        tasks,
    }
    .into_response())
}

/// The sign-off task: signed off, waiting, or not yet possible until every section is done.
fn signoff_task(id: i64, signoff: &SignoffState, digest: &str, all_done: bool) -> Task {
    let (status, tag_class) = if signoff.chair_signed(digest) {
        ("Signed off".to_string(), SectionStatus::Completed.tag_class())
    } else if signoff.chair.is_some() {
        ("Waiting for sign-off".to_string(), "nhsuk-tag--yellow")
    } else {
        let state = if all_done {
            SectionStatus::NotStarted
        } else {
            SectionStatus::CannotStartYet
        };
        (state.label().to_string(), state.tag_class())
    };
    Task {
        title: "Sign-off by the Health and Wellbeing Board chair, and partner confirmations".into(),
        href: Some(format!("/applications/{id}/sign-off")),
        status,
        tag_class,
    }
}

/// The last task: check and submit, open once nothing but the deadline stands in the way.
fn check_task(id: i64, ready: bool) -> Task {
    let state = if ready {
        SectionStatus::NotStarted
    } else {
        SectionStatus::CannotStartYet
    };
    Task {
        title: "Check your answers and submit".into(),
        href: ready.then(|| format!("/applications/{id}/check")),
        status: state.label().to_string(),
        tag_class: state.tag_class(),
    }
}
