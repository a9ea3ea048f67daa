//! A round as its programme admins run it: the round page, the
//! form builder (frozen once the round opens; a new version is a new form), the list of
//! applications with filters and counts, and the CSV and XLSX exports.

use crate::application_list::{ListQuery, PER_PAGE};
use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::exports::{self, ExportFormat};
use crate::pages::{chrome, form_chrome, notify, take_notice};
use crate::state::AppState;
use crate::views::{Chrome, FormErrors};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use convene_app::applications::{self, Listed};
use convene_app::forms::FormError;
use convene_app::rounds::{self, Overview};
use convene_domain::applications::ApplicationStatus;
use convene_domain::forms::{FieldProblem, FormDefinition, FormEdit, QuestionInput, local_vision_template};
use convene_domain::imports::REGIONS;
use convene_domain::policy::Action;
use convene_domain::programmes::{PlaceKind, Programme, Round, RoundStatus, round_status};
use serde::Deserialize;

/// Admin routes for a round.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/programmes/{slug}/rounds/{round}", get(round_page))
        .route(
            "/programmes/{slug}/rounds/{round}/form",
            get(form_page).post(edit_form),
        )
        .route(
            "/programmes/{slug}/rounds/{round}/form/publish",
            post(publish_form),
        )
        .route("/programmes/{slug}/rounds/{round}/applications", get(list_page))
        .route(
            "/programmes/{slug}/rounds/{round}/applications.csv",
            get(export_csv),
        )
        .route(
            "/programmes/{slug}/rounds/{round}/applications.xlsx",
            get(export_xlsx),
        )
}

/// The programme and round named in a path, for someone who may `action` the programme.
async fn load_round(
    state: &AppState,
    me: &CurrentUser,
    slug: &str,
    round_slug: &str,
    action: Action,
) -> Result<(Programme, Round), AppError> {
    Ok(rounds::load(state, me.principal(), slug, round_slug, action).await?)
}

#[derive(Template, WebTemplate)]
#[template(path = "rounds/round.html")]
struct RoundPage {
    chrome: Chrome,
    notice: Option<String>,
    programme: Programme,
    round: Round,
    status: &'static str,
    status_class: &'static str,
    /// The current form and the applications counted by status.
    overview: Overview,
}

async fn round_page(
    State(state): State<AppState>,
    me: CurrentUser,
    Path((slug, round_slug)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let (programme, round) = load_round(&state, &me, &slug, &round_slug, Action::View).await?;
    let now = state.clock.now();
    let status = round_status(round.opens_at, round.closes_at, now);
    let overview = rounds::overview(&state, me.principal(), &round).await?;
    let notice = take_notice(&me.session).await;
    let chrome = chrome(&state, Some(&me.person), &me.session, &round.name, "/programmes").await;
    Ok(RoundPage {
        chrome: chrome.with_back(format!("/programmes/{slug}")),
        notice,
        status: status.label(),
        status_class: match status {
            RoundStatus::NotOpenYet => "nhsuk-tag--blue",
            RoundStatus::Open => "nhsuk-tag--green",
            RoundStatus::Closed => "nhsuk-tag--grey",
        },
        programme,
        round,
        overview,
    }
    .into_response())
}

/// Where the round's form stands for editing.
type FormState = convene_app::forms::Versions;

async fn form_state(state: &AppState, round: &Round) -> Result<FormState, AppError> {
    Ok(convene_app::forms::versions(state, round).await?)
}

#[derive(Template, WebTemplate)]
#[template(path = "rounds/form_builder.html")]
struct FormBuilderPage {
    chrome: Chrome,
    notice: Option<String>,
    errors: FormErrors,
    programme: Programme,
    round: Round,
    /// The version on show and whether it can be changed.
    definition: FormDefinition,
    version: i64,
    editable: bool,
    is_draft: bool,
    frozen_current: bool,
    has_form: bool,
    question: QuestionInput,
    target_section: String,
    section_title: String,
    kinds: Vec<(&'static str, &'static str)>,
}

/// The kinds of question offered in the builder: (key, words).
const KINDS: [(&str, &str); 7] = [
    ("long_text", "Long text with a word limit"),
    ("short_text", "Short text"),
    ("yes_no", "Yes or no"),
    ("money", "Money"),
    ("theme", "One of the round's themes"),
    ("organisations", "Partner organisations"),
    ("file", "File upload"),
];

async fn render_builder(
    state: &AppState,
    me: &CurrentUser,
    programme: Programme,
    round: Round,
    errors: FormErrors,
    typed: Option<(String, QuestionInput, String)>,
) -> Result<Response, AppError> {
    let fs = form_state(state, &round).await?;
    let (definition, version, editable, is_draft) = match (&fs.draft, &fs.current) {
        (Some(d), _) => (d.definition.clone(), d.version, true, true),
        (None, Some(c)) => (c.definition.clone(), c.version, !fs.frozen, false),
        (None, None) => (FormDefinition::default(), 0, true, false),
    };
    let (target_section, question, section_title) = typed.unwrap_or_default();
    let notice = take_notice(&me.session).await;
    let chrome = form_chrome(state, me, "Application form", "/programmes", &errors).await;
    Ok(FormBuilderPage {
        chrome: chrome.with_back(format!("/programmes/{}/rounds/{}", programme.slug, round.slug)),
        notice,
        errors,
        programme,
        round,
        definition,
        version,
        editable,
        is_draft,
        frozen_current: fs.frozen,
        has_form: fs.current.is_some() || fs.draft.is_some(),
        question,
        target_section,
        section_title,
        kinds: KINDS.to_vec(),
    }
    .into_response())
}

async fn form_page(
    State(state): State<AppState>,
    me: CurrentUser,
    Path((slug, round_slug)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let (programme, round) = load_round(&state, &me, &slug, &round_slug, Action::View).await?;
    render_builder(&state, &me, programme, round, FormErrors::default(), None).await
}

/// One press of a form builder button, with the fields it needs.
#[derive(Deserialize, Default)]
struct BuilderForm {
    #[serde(default)]
    action: String,
    #[serde(default)]
    target: String,
    #[serde(default)]
    section_title: String,
    #[serde(default)]
    section_intro: String,
    #[serde(flatten)]
    question: QuestionInput,
}

async fn edit_form(
    State(state): State<AppState>,
    me: CurrentUser,
    Path((slug, round_slug)): Path<(String, String)>,
    Form(input): Form<BuilderForm>,
) -> Result<Response, AppError> {
    let (programme, round) = load_round(&state, &me, &slug, &round_slug, Action::Edit).await?;
    let fs = form_state(&state, &round).await?;
    let back = format!("/programmes/{slug}/rounds/{round_slug}/form");
    // A new version copies the current one and is prepared apart from it.
    if input.action == "new_version" {
        convene_app::forms::start_version(&state, me.principal(), &round).await?;
        notify(
            &me.session,
            "A new version has been started. Applications already begun keep the questions they were asked.",
        )
        .await;
        return Ok(Redirect::to(&back).into_response());
    }
    let definition = match fs.editable() {
        Ok(Some(form)) => form.definition.clone(),
        Ok(None) => FormDefinition::default(),
        Err(_) => {
            let mut errors = FormErrors::default();
            errors.add(
                "form",
                "The form is frozen because the round has opened. Start a new version to change the questions for new applications",
            );
            return render_builder(&state, &me, programme, round, errors, None).await;
        }
    };
    let updated = match apply(&definition, &input).ok_or(AppError::NotFound)? {
        Ok(d) => d,
        Err(problems) => {
            let errors = builder_errors(&input, problems);
            let typed = Some((
                input.target.clone(),
                input.question.clone(),
                input.section_title.clone(),
            ));
            return render_builder(&state, &me, programme, round, errors, typed).await;
        }
    };
    match convene_app::forms::save(&state, me.principal(), &round, &updated).await {
        Ok(()) => {}
        Err(FormError::InUse | FormError::RoundOpen) => {
            let mut errors = FormErrors::default();
            errors.add("form", "Applications have been started on this version, so its questions can no longer change. Start a new version");
            return render_builder(&state, &me, programme, round, errors, None).await;
        }
        Err(e) => return Err(e.into()),
    }
    notify(&me.session, "The form has been saved.").await;
    Ok(Redirect::to(&back).into_response())
}

/// The form as one press of a builder button leaves it, or what is wrong with what was
/// typed; `None` for a button the builder does not have.
fn apply(
    definition: &FormDefinition,
    input: &BuilderForm,
) -> Option<Result<FormDefinition, Vec<FieldProblem>>> {
    let target = || input.target.clone();
    Some(match input.action.as_str() {
        "template" => Ok(local_vision_template()),
        "add_section" => definition.edit(&FormEdit::AddSection {
            title: input.section_title.clone(),
            intro: input.section_intro.clone(),
        }),
        "add_question" => definition.edit(&FormEdit::AddQuestion {
            section: target(),
            question: input.question.clone(),
        }),
        "remove_section" => definition.edit(&FormEdit::RemoveSection { key: target() }),
        "section_up" | "section_down" => definition.edit(&FormEdit::MoveSection {
            key: target(),
            up: input.action == "section_up",
        }),
        "remove_question" => definition.edit(&FormEdit::RemoveQuestion { key: target() }),
        "question_up" | "question_down" => definition.edit(&FormEdit::MoveQuestion {
            key: target(),
            up: input.action == "question_up",
        }),
        _ => return None,
    })
}

/// An edit's problems beside their fields: those of the add-question form carry the
/// section they belong to.
fn builder_errors(input: &BuilderForm, problems: Vec<FieldProblem>) -> FormErrors {
    let mut errors = FormErrors::default();
    for (field, message) in problems {
        let id = if input.action == "add_question" {
            format!("{}-{field}", input.target)
        } else {
            field
        };
        errors.add(&id, message);
    }
    errors
}

async fn publish_form(
    State(state): State<AppState>,
    me: CurrentUser,
    Path((slug, round_slug)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let (programme, round) = load_round(&state, &me, &slug, &round_slug, Action::Edit).await?;
    match convene_app::forms::publish(&state, me.principal(), &round).await? {
        Ok(None) => {}
        Ok(Some(version)) => {
            let message = format!("Version {version} is now the form for new applications.");
            notify(&me.session, &message).await;
        }
        Err(problems) => {
            let mut errors = FormErrors::default();
            for p in problems {
                errors.add("form", p);
            }
            return render_builder(&state, &me, programme, round, errors, None).await;
        }
    }
    Ok(Redirect::to(&format!("/programmes/{slug}/rounds/{round_slug}/form")).into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "rounds/round_applications.html")]
struct ListPage {
    chrome: Chrome,
    programme: Programme,
    round: Round,
    rows: Vec<Listed>,
    total: i64,
    counts: Vec<(ApplicationStatus, i64)>,
    query: ListQuery,
    query_string: String,
    page: i64,
    pages: i64,
    kinds: Vec<(&'static str, &'static str)>,
    regions: Vec<&'static str>,
    statuses: Vec<(&'static str, &'static str)>,
}

impl ListPage {
    fn kind_label(&self, key: &str) -> &'static str {
        PlaceKind::from_key(key).map_or("Other", |k| k.label())
    }
}

async fn list_page(
    State(state): State<AppState>,
    me: CurrentUser,
    Path((slug, round_slug)): Path<(String, String)>,
    Query(query): Query<ListQuery>,
) -> Result<Response, AppError> {
    let (programme, round) = load_round(&state, &me, &slug, &round_slug, Action::View).await?;
    let page = query.page.unwrap_or(1).max(1);
    let listed = applications::list(&state, me.principal(), &round, &query.filter(), page, PER_PAGE).await?;
    let pages = ((listed.total + PER_PAGE - 1) / PER_PAGE).max(1);
    let title = format!("Applications to {}", round.name);
    let chrome = chrome(&state, Some(&me.person), &me.session, &title, "/programmes").await;
    Ok(ListPage {
        chrome: chrome.with_back(format!("/programmes/{slug}/rounds/{round_slug}")),
        programme,
        round,
        rows: listed.rows,
        total: listed.total,
        counts: listed.counts,
        query_string: query.query_string(),
        query,
        page,
        pages,
        kinds: PlaceKind::ALL.iter().map(|k| (k.key(), k.label())).collect(),
        regions: REGIONS.to_vec(),
        statuses: ApplicationStatus::ALL
            .iter()
            .map(|s| (s.key(), s.label()))
            .collect(),
    }
    .into_response())
}

async fn export(
    state: AppState,
    me: CurrentUser,
    slug: String,
    round_slug: String,
    query: ListQuery,
    format: ExportFormat,
) -> Result<Response, AppError> {
    let (_, round) = load_round(&state, &me, &slug, &round_slug, Action::View).await?;
    let export = applications::export(&state, me.principal(), &round, query.filter()).await?;
    exports::respond(export, &round, format).await
}

async fn export_csv(
    State(state): State<AppState>,
    me: CurrentUser,
    Path((slug, round_slug)): Path<(String, String)>,
    Query(query): Query<ListQuery>,
) -> Result<Response, AppError> {
    export(state, me, slug, round_slug, query, ExportFormat::Csv).await
}

async fn export_xlsx(
    State(state): State<AppState>,
    me: CurrentUser,
    Path((slug, round_slug)): Path<(String, String)>,
    Query(query): Query<ListQuery>,
) -> Result<Response, AppError> {
    export(state, me, slug, round_slug, query, ExportFormat::Xlsx).await
}
