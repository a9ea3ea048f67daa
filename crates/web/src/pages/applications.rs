//! The applicant's journey (JOURNEYS.md, journey 1): choose the place, the task list, one
//! section a page, sign-off, check your answers, submit, confirmation; and the read-only
//! application that programme admins and panel members see.

use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::pages::{chrome, form_chrome, notify, take_notice};
use crate::state::AppState;
use crate::views::{Chrome, FormErrors};
use askama::Template;
use askama_web::WebTemplate;
use axum::body::Body;
use axum::extract::{FromRequest, Multipart, Path, Query, Request, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use convene_app::applications::{self as applying, ApplicationError, Loaded, SignoffState};
use convene_domain::applications::{ApplicationStatus, Blocker};
use convene_domain::audit::AuditAction;
use convene_domain::forms::{QuestionKind, SaveMode, SectionStatus, display_answer, input_value};
use convene_domain::policy::{Action, Resource, allows};
use convene_domain::programmes::{RoundStatus, round_status};
use convene_store::applications::SavedSection;
use convene_store::programmes::{self, Place, Round};
use convene_store::{applications, uploads};
use serde::Deserialize;
use std::collections::BTreeMap;

/// Application routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/programmes/{slug}/rounds/{round}/apply",
            get(choose_place).post(start),
        )
        .route("/applications/{id}", get(show))
        .route(
            "/applications/{id}/sections/{key}",
            get(section_page)
                .post(save_section)
                .layer(axum::extract::DefaultBodyLimit::max(crate::csrf::UPLOAD_LIMIT)),
        )
        .route("/applications/{id}/sign-off", get(signoff_page))
        .route("/applications/{id}/sign-off/contacts", post(add_contact))
        .route(
            "/applications/{id}/sign-off/contacts/{contact}/remove",
            post(remove_contact),
        )
        .route("/applications/{id}/sign-off/send", post(send_signoff))
        .route("/applications/{id}/check", get(check_page))
        .route("/applications/{id}/submit", post(submit))
        .route("/applications/{id}/confirmation", get(confirmation))
        .route("/applications/{id}/withdraw", get(withdraw_page).post(withdraw))
        .route("/applications/{id}/deadline", post(extend_deadline))
        .route("/applications/{id}/files/{file}", get(download))
}

/// The round of a programme named in a path, for the start of the journey.
async fn round_by_slugs(state: &AppState, slug: &str, round_slug: &str) -> Result<Round, AppError> {
    let all = state.catalogue.get(&state.db).await?;
    all.iter()
        .find(|e| e.programme.slug == slug)
        .and_then(|e| e.rounds.iter().find(|r| r.slug == round_slug))
        .cloned()
        .ok_or(AppError::NotFound)
}

/// The places `me` leads that take part in the round's programme.
async fn my_places(state: &AppState, me: &CurrentUser, round: &Round) -> Result<Vec<Place>, AppError> {
    let ids: Vec<i64> = me
        .principal()
        .grants
        .iter()
        .filter(|g| g.role == convene_domain::accounts::Role::PlaceLead)
        .filter_map(|g| g.scope_id)
        .collect();
    Ok(programmes::places_by_ids(&state.db, &ids)
        .await?
        .into_iter()
        .filter(|p| p.programme_ids.contains(&round.programme_id))
        .collect())
}

#[derive(Template, WebTemplate)]
#[template(path = "applications/apply_start.html")]
struct ChoosePlacePage {
    chrome: Chrome,
    errors: FormErrors,
    programme_slug: String,
    round: Round,
    deadline: String,
    open: bool,
    places: Vec<PlaceChoice>,
}

struct PlaceChoice {
    id: i64,
    name: String,
    started: Option<&'static str>,
}

async fn render_choose(
    state: &AppState,
    me: &CurrentUser,
    programme_slug: String,
    round: Round,
    errors: FormErrors,
) -> Result<Response, AppError> {
    let now = state.clock.now();
    let places = my_places(state, me, &round).await?;
    let ids: Vec<i64> = places.iter().map(|p| p.id).collect();
    let started = applications::for_places(&state.db, &ids).await?;
    let places = places
        .into_iter()
        .map(|p| PlaceChoice {
            started: started
                .iter()
                .find(|a| a.place_id == p.id && a.round_id == round.id)
                .map(|a| a.status.label()),
            id: p.id,
            name: p.name,
        })
        .collect();
    let title = "Which place are you applying for?";
    let chrome = form_chrome(state, me, title, "/dashboard", &errors).await;
    Ok(ChoosePlacePage {
        chrome: chrome.with_back("/dashboard"),
        errors,
        programme_slug,
        deadline: round.closes_at.london_words(),
        open: round_status(round.opens_at, round.closes_at, now) == RoundStatus::Open,
        round,
        places,
    }
    .into_response())
}

async fn choose_place(
    State(state): State<AppState>,
    me: CurrentUser,
    Path((slug, round_slug)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let round = round_by_slugs(&state, &slug, &round_slug).await?;
    render_choose(&state, &me, slug, round, FormErrors::default()).await
}

#[derive(Deserialize)]
struct StartForm {
    #[serde(default)]
    place: String,
}

async fn start(
    State(state): State<AppState>,
    me: CurrentUser,
    Path((slug, round_slug)): Path<(String, String)>,
    Form(form): Form<StartForm>,
) -> Result<Response, AppError> {
    let round = round_by_slugs(&state, &slug, &round_slug).await?;
    let Ok(place_id) = form.place.trim().parse::<i64>() else {
        let mut errors = FormErrors::default();
        errors.add("place", "Select the place you are applying for");
        return render_choose(&state, &me, slug, round, errors).await;
    };
    match applying::start(&state, me.principal(), &round, place_id).await {
        Ok(id) => Ok(Redirect::to(&format!("/applications/{id}")).into_response()),
        Err(ApplicationError::Invalid(problems)) => {
            let mut errors = FormErrors::default();
            for (field, message) in problems {
                errors.add(&field, message);
            }
            render_choose(&state, &me, slug, round, errors).await
        }
        Err(e) => Err(e.into()),
    }
}

/// One task in the task list.
struct Task {
    title: String,
    href: Option<String>,
    status: String,
    tag_class: &'static str,
}

#[derive(Template, WebTemplate)]
#[template(path = "applications/task_list.html")]
struct TaskListPage {
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
struct ApplicationPage {
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
}

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
    let files = uploads::for_application(&state.db, loaded.application.id).await?;
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
                            if let Some(f) = files.iter().find(|f| f.public_id == value) {
                                file = Some((
                                    format!("/applications/{id}/files/{}", f.public_id),
                                    format!("{} ({})", f.file_name, size_words(f.size_bytes)),
                                ));
                            }
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

fn is_lead(me: &CurrentUser, loaded: &Loaded) -> bool {
    allows(me.principal(), Action::Edit, loaded.resource())
}

async fn load(state: &AppState, me: &CurrentUser, id: i64, action: Action) -> Result<Loaded, AppError> {
    Ok(applying::load(state, me.principal(), id, action).await?)
}

/// What a save says on the task list, by the `saved` value of its address.
fn saved_message(saved: &str) -> Option<&'static str> {
    match saved {
        "voided" => Some(
            "Your answers have been saved. Because they changed after sign-off was asked for, the sign-off has been cancelled: ask again when your answers are final.",
        ),
        "later" => Some(
            "Your answers have been saved. You can come back and finish them at any time before the deadline.",
        ),
        "done" => Some("Your answers have been saved."),
        _ => None,
    }
}

#[derive(Deserialize, Default)]
struct SavedQuery {
    #[serde(default)]
    saved: String,
}

async fn show(
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

async fn render_application(
    state: &AppState,
    me: &CurrentUser,
    loaded: Loaded,
    errors: FormErrors,
    extend: ExtendForm,
) -> Result<Response, AppError> {
    let summary = summary(state, &loaded, false).await?;
    let signoff = applying::signoff_state(state, &loaded).await?;
    let signoffs = signoff_lines(&signoff, &loaded.application.answers_digest);
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
    }
    .into_response())
}

async fn task_list(
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
    let digest = &loaded.application.answers_digest;
    let (signoff_status, signoff_class) = if signoff.chair_signed(digest) {
        ("Signed off".to_string(), SectionStatus::Completed.tag_class())
    } else if signoff.chair.is_some() {
        ("Waiting for sign-off".to_string(), "nhsuk-tag--yellow")
    } else if !all_done {
        (
            SectionStatus::CannotStartYet.label().to_string(),
            SectionStatus::CannotStartYet.tag_class(),
        )
    } else {
        (
            SectionStatus::NotStarted.label().to_string(),
            SectionStatus::NotStarted.tag_class(),
        )
    };
    tasks.push(Task {
        title: "Sign-off by the Health and Wellbeing Board chair, and partner confirmations".into(),
        href: Some(format!("/applications/{id}/sign-off")),
        status: signoff_status,
        tag_class: signoff_class,
    });
    let ready = applying::blockers(&loaded, &signoff, now)
        .iter()
        .all(|b| matches!(b, Blocker::PastDeadline { .. }));
    tasks.push(Task {
        title: "Check your answers and submit".into(),
        href: ready.then(|| format!("/applications/{id}/check")),
        status: if ready {
            SectionStatus::NotStarted.label().to_string()
        } else {
            SectionStatus::CannotStartYet.label().to_string()
        },
        tag_class: if ready {
            SectionStatus::NotStarted.tag_class()
        } else {
            SectionStatus::CannotStartYet.tag_class()
        },
    });
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

/// A question as its page shows it.
pub struct QuestionView {
    pub key: String,
    pub label: String,
    pub hint: String,
    pub required: bool,
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
struct SectionPage {
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
struct ReturnTo {
    #[serde(default, rename = "return")]
    return_to: String,
}

/// Builds and renders a section page from `values` (what is saved, or what was typed).
#[allow(clippy::too_many_arguments)]
async fn render_section(
    state: &AppState,
    me: &CurrentUser,
    loaded: &Loaded,
    key: &str,
    values: &BTreeMap<String, String>,
    errors: FormErrors,
    version: i64,
    return_to: String,
    conflict: Option<SavedSection>,
) -> Result<Response, AppError> {
    let section = loaded.definition().section(key).ok_or(AppError::NotFound)?;
    let partners = applying::partner_choices(state, loaded.place.id).await?;
    let files = uploads::for_application(&state.db, loaded.application.id).await?;
    let id = loaded.application.id;
    let questions: Vec<QuestionView> = section
        .questions
        .iter()
        .map(|q| {
            let value = values.get(&q.key).cloned().unwrap_or_default();
            let (widget, word_limit, options) = match &q.kind {
                QuestionKind::LongText { word_limit } => ("textarea", *word_limit, Vec::new()),
                QuestionKind::ShortText => ("text", 0, Vec::new()),
                QuestionKind::YesNo => (
                    "yes_no",
                    0,
                    [("yes", "Yes"), ("no", "No")]
                        .into_iter()
                        .map(|(v, l)| ChoiceView {
                            checked: value == v,
                            value: v.into(),
                            label: l.into(),
                        })
                        .collect(),
                ),
                QuestionKind::Money { .. } => ("money", 0, Vec::new()),
                QuestionKind::Theme => (
                    "theme",
                    0,
                    loaded
                        .round
                        .themes
                        .iter()
                        .map(|t| ChoiceView {
                            checked: value == *t,
                            value: t.clone(),
                            label: t.clone(),
                        })
                        .collect(),
                ),
                QuestionKind::Organisations => (
                    "organisations",
                    0,
                    partners
                        .iter()
                        .map(|(org, name)| ChoiceView {
                            checked: value.lines().any(|l| l.trim() == org),
                            value: org.clone(),
                            label: name.clone(),
                        })
                        .collect(),
                ),
                QuestionKind::File => ("file", 0, Vec::new()),
            };
            let file = (q.kind == QuestionKind::File)
                .then(|| files.iter().find(|f| f.public_id == value))
                .flatten()
                .map(|f| {
                    (
                        format!("/applications/{id}/files/{}", f.public_id),
                        format!("{} ({})", f.file_name, size_words(f.size_bytes)),
                    )
                });
            QuestionView {
                key: q.key.clone(),
                label: q.label.clone(),
                hint: q.hint.clone(),
                required: q.required,
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
        application_id: id,
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

/// Sends anyone who may no longer change the answers to the read-only application.
fn editable_or_redirect(loaded: &Loaded) -> Option<Response> {
    (!loaded.application.status.is_editable())
        .then(|| Redirect::to(&format!("/applications/{}", loaded.application.id)).into_response())
}

async fn section_page(
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
    let version = loaded.section_version(&key);
    render_section(
        &state,
        &me,
        &loaded,
        &key,
        &values,
        FormErrors::default(),
        version,
        q.return_to,
        None,
    )
    .await
}

/// A section form as posted: its fields and, from an upload form, the file chosen.
struct Posted {
    fields: Vec<(String, String)>,
    file: Option<(String, String, bytes::Bytes)>,
}

async fn read_posted(state: &AppState, req: Request) -> Result<Posted, AppError> {
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

async fn save_section(
    State(state): State<AppState>,
    me: CurrentUser,
    Path((id, key)): Path<(i64, String)>,
    req: Request,
) -> Result<Response, AppError> {
    let loaded = load(&state, &me, id, Action::Edit).await?;
    if let Some(r) = editable_or_redirect(&loaded) {
        notify(
            &me.session,
            "This application has been submitted, so its answers can no longer change.",
        )
        .await;
        return Ok(r);
    }
    let section = loaded
        .definition()
        .section(&key)
        .ok_or(AppError::NotFound)?
        .clone();
    let posted = read_posted(&state, req).await?;
    let field = |name: &str| {
        posted
            .fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let version: i64 = field("version").parse().unwrap_or(0);
    let return_to = field("return");
    let mode = if field("action") == "later" {
        SaveMode::Later
    } else {
        SaveMode::Continue
    };
    // What was typed, by question; several ticked organisations become one answer.
    let mut input: BTreeMap<String, String> = BTreeMap::new();
    for q in &section.questions {
        let values: Vec<&str> = posted
            .fields
            .iter()
            .filter(|(k, _)| *k == q.key)
            .map(|(_, v)| v.as_str())
            .collect();
        input.insert(q.key.clone(), values.join("\n"));
    }
    let mut errors = FormErrors::default();
    if let Some((question, file_name, content)) = &posted.file {
        match applying::upload(&state, me.principal(), &loaded, question, file_name, content).await {
            // The file is kept even if another answer fails: it is not asked for again.
            Ok(public_id) => {
                input.insert(question.clone(), public_id);
            }
            Err(ApplicationError::Invalid(problems)) => {
                for (f, m) in problems {
                    errors.add(&f, m);
                }
            }
            Err(e) => return Err(e.into()),
        }
    }
    if !errors.is_empty() {
        return render_section(
            &state, &me, &loaded, &key, &input, errors, version, return_to, None,
        )
        .await;
    }
    match applying::save_section(&state, me.principal(), &loaded, &key, &input, mode, version).await {
        Ok(applications::SaveOutcome::Saved { voided_signoffs, .. }) => {
            let message = saved_message(if voided_signoffs {
                "voided"
            } else if mode == SaveMode::Later {
                "later"
            } else {
                "done"
            })
            .unwrap_or_default();
            // Back to the task list, which says what was saved from the address: no session
            // write on the busiest path. From "check your answers", back there.
            let to = if return_to == "check" && mode == SaveMode::Continue {
                notify(&me.session, message).await;
                format!("/applications/{id}/check")
            } else {
                let saved = match (voided_signoffs, mode) {
                    (true, _) => "voided",
                    (false, SaveMode::Later) => "later",
                    (false, SaveMode::Continue) => "done",
                };
                format!("/applications/{id}?saved={saved}")
            };
            Ok(Redirect::to(&to).into_response())
        }
        Ok(_) => Err(AppError::internal("unexpected save outcome")),
        Err(ApplicationError::Invalid(problems)) => {
            for (f, m) in problems {
                errors.add(&f, m);
            }
            render_section(
                &state, &me, &loaded, &key, &input, errors, version, return_to, None,
            )
            .await
        }
        Err(ApplicationError::Conflict(current)) => {
            let at = current
                .as_ref()
                .map(|c| c.updated_at.london_words())
                .unwrap_or_default();
            errors.add(
                "conflict",
                format!(
                    "This section was changed at {at}, in another tab or by another lead, while you were editing. Your answers below have not been saved yet: compare them with the saved answers, then save again"
                ),
            );
            let newer = current.as_ref().map_or(0, |c| c.version);
            render_section(
                &state, &me, &loaded, &key, &input, errors, newer, return_to, current,
            )
            .await
        }
        Err(ApplicationError::NotEditable(_)) => {
            notify(
                &me.session,
                "This application has been submitted, so its answers can no longer change.",
            )
            .await;
            Ok(Redirect::to(&format!("/applications/{id}")).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "applications/signoff_task.html")]
struct SignoffTaskPage {
    chrome: Chrome,
    notice: Option<String>,
    errors: FormErrors,
    loaded: Loaded,
    signoffs: Vec<SignoffLine>,
    contacts: Vec<convene_store::signoffs::Contact>,
    all_done: bool,
    requested: bool,
    signoff_required: bool,
    contact: ContactForm,
}

#[derive(Deserialize, Default, Clone)]
struct ContactForm {
    #[serde(default)]
    contact_name: String,
    #[serde(default)]
    contact_email: String,
    #[serde(default)]
    contact_organisation: String,
}

async fn render_signoff(
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
    let chrome = form_chrome(
        state,
        me,
        "Sign-off and partner confirmations",
        "/dashboard",
        &errors,
    )
    .await;
    Ok(SignoffTaskPage {
        chrome: chrome.with_back(format!("/applications/{}", loaded.application.id)),
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

async fn signoff_page(
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

fn problems_to_errors(problems: Vec<(String, String)>) -> FormErrors {
    let mut errors = FormErrors::default();
    for (f, m) in problems {
        errors.add(&f, m);
    }
    errors
}

async fn add_contact(
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

async fn remove_contact(
    State(state): State<AppState>,
    me: CurrentUser,
    Path((id, contact)): Path<(i64, i64)>,
) -> Result<Response, AppError> {
    let loaded = load(&state, &me, id, Action::Edit).await?;
    if let Some(r) = editable_or_redirect(&loaded) {
        return Ok(r);
    }
    let now = state.clock.now();
    let mut work = state.begin(None).await?;
    let removed = convene_store::signoffs::remove_contact(work.tx(), id, contact, now).await?;
    work.commit().await?;
    if removed {
        notify(&me.session, "The partner contact has been removed.").await;
    }
    Ok(Redirect::to(&format!("/applications/{id}/sign-off")).into_response())
}

async fn send_signoff(
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

#[derive(Template, WebTemplate)]
#[template(path = "applications/check_answers.html")]
struct CheckPage {
    chrome: Chrome,
    notice: Option<String>,
    errors: FormErrors,
    loaded: Loaded,
    summary: Vec<SummarySection>,
    signoffs: Vec<SignoffLine>,
    deadline: String,
}

async fn render_check(
    state: &AppState,
    me: &CurrentUser,
    loaded: Loaded,
    errors: FormErrors,
) -> Result<Response, AppError> {
    let summary = summary(state, &loaded, true).await?;
    let signoff = applying::signoff_state(state, &loaded).await?;
    let signoffs = signoff_lines(&signoff, &loaded.application.answers_digest);
    let notice = take_notice(&me.session).await;
    let chrome = form_chrome(
        state,
        me,
        "Check your answers before submitting your application",
        "/dashboard",
        &errors,
    )
    .await;
    Ok(CheckPage {
        chrome: chrome.with_back(format!("/applications/{}", loaded.application.id)),
        notice,
        errors,
        summary,
        signoffs,
        deadline: loaded.deadline().london_words(),
        loaded,
    }
    .into_response())
}

async fn check_page(
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

fn blocker_errors(id: i64, blockers: &[Blocker]) -> FormErrors {
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

async fn submit(
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
struct ConfirmationPage {
    chrome: Chrome,
    reference: String,
    loaded: Loaded,
    steps: Vec<String>,
    email: String,
}

async fn confirmation(
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
struct WithdrawPage {
    chrome: Chrome,
    errors: FormErrors,
    loaded: Loaded,
    reason: String,
}

async fn render_withdraw(
    state: &AppState,
    me: &CurrentUser,
    loaded: Loaded,
    errors: FormErrors,
    reason: String,
) -> Result<Response, AppError> {
    let chrome = form_chrome(state, me, "Withdraw your application", "/dashboard", &errors).await;
    Ok(WithdrawPage {
        chrome: chrome.with_back(format!("/applications/{}", loaded.application.id)),
        errors,
        loaded,
        reason,
    }
    .into_response())
}

async fn withdraw_page(
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
struct WithdrawForm {
    #[serde(default)]
    reason: String,
}

async fn withdraw(
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

/// A new deadline for one application, as a programme admin types it.
#[derive(Deserialize, Default, Clone)]
pub struct ExtendForm {
    #[serde(default)]
    pub extend_day: String,
    #[serde(default)]
    pub extend_month: String,
    #[serde(default)]
    pub extend_year: String,
    #[serde(default)]
    pub extend_time: String,
    #[serde(default)]
    pub extend_reason: String,
}

async fn extend_deadline(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<ExtendForm>,
) -> Result<Response, AppError> {
    let loaded = load(&state, &me, id, Action::View).await?;
    if !allows(
        me.principal(),
        Action::Edit,
        Resource::Programme {
            id: loaded.round.programme_id,
        },
    ) {
        return Err(AppError::Forbidden);
    }
    let mut errors = FormErrors::default();
    let date =
        convene_domain::time::parse_date_input(&form.extend_day, &form.extend_month, &form.extend_year);
    let time_text = if form.extend_time.trim().is_empty() {
        "11:59pm"
    } else {
        form.extend_time.as_str()
    };
    let time = convene_domain::time::parse_time_input(time_text);
    let when = match (date, time) {
        (Ok(d), Ok(t)) => convene_domain::time::london_instant(d, t, true).ok(),
        (Err(e), _) => {
            errors.add("extend_day", format!("{e} for the new deadline"));
            None
        }
        (_, Err(e)) => {
            errors.add("extend_time", format!("{e} for the new deadline"));
            None
        }
    };
    if let Some(w) = when
        && w <= loaded.round.closes_at
    {
        errors.add(
            "extend_day",
            "The new deadline must be after the round's deadline",
        );
    }
    if form.extend_reason.trim().is_empty() {
        errors.add("extend_reason", "Enter the reason for the extension");
    }
    let (Some(when), true) = (when, errors.is_empty()) else {
        return render_application(&state, &me, loaded, errors, form).await;
    };
    let mut work = state.begin(Some(me.user().id)).await?;
    applications::extend_deadline(work.tx(), id, when).await?;
    work.audit_with(
        AuditAction::DeadlineExtended,
        Some(id),
        &format!("to {}: {}", when.iso(), form.extend_reason.trim()),
    )
    .await?;
    work.commit().await?;
    notify(
        &me.session,
        &format!(
            "The deadline for this application is now {}.",
            when.london_words()
        ),
    )
    .await;
    Ok(Redirect::to(&format!("/applications/{id}")).into_response())
}

async fn download(
    State(state): State<AppState>,
    me: CurrentUser,
    Path((id, file)): Path<(i64, String)>,
) -> Result<Response, AppError> {
    let loaded = load(&state, &me, id, Action::View).await?;
    let info = uploads::info(&state.db, &file).await?.ok_or(AppError::NotFound)?;
    if info.application_id != loaded.application.id {
        return Err(AppError::NotFound);
    }
    let content = uploads::content(&state.db, &file)
        .await?
        .ok_or(AppError::NotFound)?;
    let ascii: String = info
        .file_name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || ".-_ ".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let disposition = format!("attachment; filename=\"{ascii}\"");
    let mut res = Response::new(Body::from(content));
    let headers = res.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(&info.content_type)
            .unwrap_or(HeaderValue::from_static("application/octet-stream")),
    );
    headers.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_str(&disposition).unwrap_or(HeaderValue::from_static("attachment")),
    );
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    Ok(res)
}
