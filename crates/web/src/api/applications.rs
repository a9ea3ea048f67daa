//! Rounds, forms, applications and their answers through the API, under the same rules
//! as the pages (the shared logic is in `convene_app::applications`).

use crate::api::{ApiError, ApiResult};
use crate::application_list::{ListQuery, PER_PAGE};
use crate::auth::ApiUser;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use convene_app::applications::{self as applying, ApplicationError, Loaded};
use convene_app::forms::FormError;
use convene_domain::applications::Blocker;
use convene_domain::forms::{FormDefinition, QuestionKind, SaveMode, input_value};
use convene_domain::policy::{Action, Resource, allows};
use convene_store::applications::{self, Listed};
use convene_store::forms;
use convene_store::programmes::{self, Round};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::{IntoParams, ToSchema};

impl From<ApplicationError> for ApiError {
    fn from(e: ApplicationError) -> Self {
        match e {
            ApplicationError::NotFound => ApiError::not_found(),
            ApplicationError::Forbidden => ApiError::forbidden(),
            ApplicationError::Invalid(fields) => ApiError::invalid(fields),
            ApplicationError::Conflict(current) => ApiError {
                status: StatusCode::CONFLICT,
                detail: format!(
                    "This section was saved by someone else since version you sent; it is now version {}. Fetch it, merge, and send again.",
                    current.map_or(0, |c| c.version)
                ),
                fields: Vec::new(),
            },
            ApplicationError::NotEditable(status) => ApiError {
                status: StatusCode::CONFLICT,
                detail: format!(
                    "The application is {} and can no longer change.",
                    status.label().to_lowercase()
                ),
                fields: Vec::new(),
            },
            ApplicationError::Blocked(blockers) => ApiError::invalid(
                blockers
                    .iter()
                    .map(|b| {
                        let field = match b {
                            Blocker::Incomplete { section_key, .. } => section_key.clone(),
                            Blocker::NeedsSignoff => "signoff".into(),
                            Blocker::PastDeadline { .. } => "deadline".into(),
                            Blocker::NotEditable(_) => "status".into(),
                        };
                        (field, b.message())
                    })
                    .collect(),
            ),
            ApplicationError::Store(s) => s.into(),
        }
    }
}

/// A round and the form new applications use.
#[derive(Serialize, ToSchema)]
pub struct RoundBody {
    pub id: i64,
    pub programme_id: i64,
    pub slug: String,
    pub name: String,
    /// The last instant a submission is accepted (UTC, ISO 8601).
    pub closes_at: String,
    pub opens_at: String,
    pub places_offered: i64,
    pub eligibility: String,
    pub themes: Vec<String>,
    pub signoff_required: bool,
    pub form_version: Option<i64>,
    /// Ordered sections of questions (see the form builder).
    #[schema(value_type = Object)]
    pub form: Option<FormDefinition>,
}

async fn round_or_404(state: &AppState, id: i64) -> Result<Round, ApiError> {
    programmes::round(&state.db, id)
        .await?
        .ok_or_else(ApiError::not_found)
}

async fn round_body(state: &AppState, round: Round) -> Result<RoundBody, ApiError> {
    let form = forms::current(&state.db, round.id).await?;
    Ok(RoundBody {
        id: round.id,
        programme_id: round.programme_id,
        slug: round.slug,
        name: round.name,
        closes_at: round.closes_at.iso(),
        opens_at: round.opens_at.iso(),
        places_offered: round.places_offered,
        eligibility: round.eligibility,
        themes: round.themes,
        signoff_required: round.signoff_required,
        form_version: form.as_ref().map(|f| f.version),
        form: form.map(|f| f.definition),
    })
}

/// Creates a round in a programme (its admins). The body has the fields of the "Create a
/// round" page, as text: dates as day, month, year and time in UK time.
#[utoipa::path(post, path = "/programmes/{slug}/rounds", tag = "applications",
    params(("slug" = String, Path, description = "The programme's slug")),
    request_body(content = Object, description = "name, reference_prefix, opens_day, opens_month, opens_year, opens_time, closes_day, closes_month, closes_year, closes_time, places_offered, value_per_place, eligibility, review_ends_day/month/year, notify_day/month/year, launch_day/month/year/time, launch_location, themes (one a line), signoff_required (yes or no)"),
    responses(
        (status = 200, description = "The new round", body = RoundBody),
        (status = 403, description = "Not an admin of the programme", content_type = "application/problem+json"),
        (status = 422, description = "A field is not valid", content_type = "application/problem+json"),
))]
pub async fn create_round(
    State(state): State<AppState>,
    ApiUser(person): ApiUser,
    Path(slug): Path<String>,
    Json(form): Json<convene_domain::rounds::RoundForm>,
) -> ApiResult<RoundBody> {
    let programme = programmes::by_slug(&state.db, &slug)
        .await?
        .ok_or_else(ApiError::not_found)?;
    if !allows(&person.1, Action::Edit, Resource::Programme { id: programme.id }) {
        return Err(ApiError::forbidden());
    }
    match crate::rounds::create(&state, person.0.id, programme.id, &form).await? {
        Ok((id, _)) => {
            let round = round_or_404(&state, id).await?;
            Ok(Json(round_body(&state, round).await?))
        }
        Err(problems) => Err(ApiError::invalid(problems)),
    }
}

/// A round with its current form (calls for applications are public to every token).
#[utoipa::path(get, path = "/rounds/{id}", tag = "applications",
    params(("id" = i64, Path, description = "The round's id")),
    responses(
        (status = 200, description = "The round; before it opens, its form only for the programme's admins", body = RoundBody),
        (status = 404, description = "No such round", content_type = "application/problem+json"),
))]
pub async fn get_round(
    State(state): State<AppState>,
    ApiUser(reader): ApiUser,
    Path(id): Path<i64>,
) -> ApiResult<RoundBody> {
    let round = round_or_404(&state, id).await?;
    // As on the pages: a round's facts are public, but its form is shown to applicants
    // only once the round opens (until then it may still change).
    let open = state.clock.now() >= round.opens_at;
    let may_read_form = allows(
        &reader.1,
        Action::View,
        Resource::RoundForm {
            programme_id: round.programme_id,
            open,
        },
    );
    let mut body = round_body(&state, round).await?;
    if !may_read_form {
        body.form = None;
        body.form_version = None;
    }
    Ok(Json(body))
}

/// Replaces the round's form while it can still change: before the round opens, or a
/// version being prepared (programme admins).
#[utoipa::path(put, path = "/rounds/{id}/form", tag = "applications",
    params(("id" = i64, Path, description = "The round's id")),
    request_body(content = Object, description = "The form: ordered sections of questions"),
    responses(
        (status = 200, description = "The round with its new form", body = RoundBody),
        (status = 403, description = "Not an admin of the programme", content_type = "application/problem+json"),
        (status = 409, description = "The form is frozen", content_type = "application/problem+json"),
        (status = 422, description = "The form is not well formed", content_type = "application/problem+json"),
))]
pub async fn put_form(
    State(state): State<AppState>,
    ApiUser(person): ApiUser,
    Path(id): Path<i64>,
    Json(definition): Json<FormDefinition>,
) -> ApiResult<RoundBody> {
    let round = round_or_404(&state, id).await?;
    if !allows(
        &person.1,
        Action::Edit,
        Resource::Programme {
            id: round.programme_id,
        },
    ) {
        return Err(ApiError::forbidden());
    }
    let problems = definition.problems();
    if !problems.is_empty() {
        return Err(ApiError::invalid(
            problems.into_iter().map(|p| ("form".to_string(), p)).collect(),
        ));
    }
    match convene_app::forms::save(&state, &person.1, &round, &definition).await {
        Ok(()) => {}
        Err(FormError::Forbidden) => return Err(ApiError::forbidden()),
        Err(FormError::RoundOpen | FormError::InUse) => {
            return Err(ApiError::conflict(
                "The form is frozen because the round has opened. Start a new version on the form page.",
            ));
        }
        Err(FormError::Store(e)) => return Err(e.into()),
    }
    Ok(Json(round_body(&state, round).await?))
}

/// One application in a list.
#[derive(Serialize, ToSchema)]
pub struct ListedBody {
    pub id: i64,
    pub reference: Option<String>,
    pub status: String,
    pub place_name: String,
    pub place_kind: String,
    pub region: Option<String>,
    /// The place's match contribution in pence.
    pub pledge_pence: Option<i64>,
    pub submitted_at: Option<String>,
}

impl From<Listed> for ListedBody {
    fn from(l: Listed) -> Self {
        ListedBody {
            id: l.id,
            reference: l.reference,
            status: l.status.key().into(),
            place_name: l.place_name,
            place_kind: l.place_kind,
            region: l.region,
            pledge_pence: l.pledge.map(|p| p.0),
            submitted_at: l.submitted_at.map(|t| t.iso()),
        }
    }
}

/// A page of a round's applications, with the counts by status.
#[derive(Serialize, ToSchema)]
pub struct ListBody {
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
    pub counts: BTreeMap<String, i64>,
    pub applications: Vec<ListedBody>,
}

/// Filters of the list.
#[derive(Deserialize, IntoParams)]
pub struct ListParams {
    /// draft, awaiting_signoff, submitted or withdrawn.
    pub status: Option<String>,
    /// council, stp_footprint, ics or other.
    pub kind: Option<String>,
    pub region: Option<String>,
    pub page: Option<i64>,
}

/// A round's applications, 50 a page (programme admins).
#[utoipa::path(get, path = "/rounds/{id}/applications", operation_id = "list_applications", tag = "applications",
    params(("id" = i64, Path, description = "The round's id"), ListParams),
    responses(
        (status = 200, description = "A page of applications", body = ListBody),
        (status = 403, description = "Not an admin of the programme", content_type = "application/problem+json"),
        (status = 404, description = "No such round", content_type = "application/problem+json"),
))]
pub async fn list(
    State(state): State<AppState>,
    ApiUser(person): ApiUser,
    Path(id): Path<i64>,
    Query(params): Query<ListParams>,
) -> ApiResult<ListBody> {
    let round = round_or_404(&state, id).await?;
    if !allows(
        &person.1,
        Action::View,
        Resource::Programme {
            id: round.programme_id,
        },
    ) {
        return Err(ApiError::forbidden());
    }
    let query = ListQuery {
        status: params.status.unwrap_or_default(),
        kind: params.kind.unwrap_or_default(),
        region: params.region.unwrap_or_default(),
        page: params.page,
    };
    let page = query.page.unwrap_or(1).max(1);
    let listed = applications::list(&state.db, round.id, &query.filter(), page, PER_PAGE).await?;
    Ok(Json(ListBody {
        total: listed.total,
        page,
        per_page: PER_PAGE,
        counts: listed
            .counts
            .into_iter()
            .map(|(s, n)| (s.key().to_string(), n))
            .collect(),
        applications: listed.rows.into_iter().map(ListedBody::from).collect(),
    }))
}

/// Which place to apply for.
#[derive(Deserialize, ToSchema)]
pub struct StartBody {
    pub place_id: i64,
}

/// A section's answers and where it stands.
#[derive(Serialize, ToSchema)]
pub struct SectionBody {
    pub key: String,
    pub title: String,
    /// not_started, in_progress or completed.
    pub status: String,
    /// Send this back when saving the section.
    pub version: i64,
    pub answers: BTreeMap<String, String>,
}

/// An application with its answers, by section.
#[derive(Serialize, ToSchema)]
pub struct ApplicationBody {
    pub id: i64,
    pub round_id: i64,
    pub place_id: i64,
    pub form_version: i64,
    /// draft, awaiting_signoff, submitted or withdrawn.
    pub status: String,
    pub reference: Option<String>,
    /// The deadline that applies to this application (UTC, ISO 8601).
    pub deadline: String,
    pub submitted_at: Option<String>,
    pub withdrawn_reason: Option<String>,
    pub chair_signed_off: bool,
    pub sections: Vec<SectionBody>,
    /// What still stands between the application and its submission.
    pub blockers: Vec<String>,
}

async fn application_body(state: &AppState, loaded: &Loaded) -> Result<ApplicationBody, ApiError> {
    let signoff = applying::signoff_state(state, loaded).await?;
    let now = state.clock.now();
    let a = &loaded.application;
    Ok(ApplicationBody {
        id: a.id,
        round_id: a.round_id,
        place_id: a.place_id,
        form_version: loaded.form.version,
        status: a.status.key().into(),
        reference: a.reference.clone(),
        deadline: loaded.deadline().iso(),
        submitted_at: a.submitted_at.map(|t| t.iso()),
        withdrawn_reason: a.withdrawn_reason.clone(),
        chair_signed_off: signoff.chair_signed(&a.answers_digest),
        sections: loaded
            .definition()
            .sections
            .iter()
            .map(|s| SectionBody {
                key: s.key.clone(),
                title: s.title.clone(),
                status: serde_json::to_value(s.status(&loaded.answers))
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default(),
                version: loaded.section_version(&s.key),
                answers: s
                    .questions
                    .iter()
                    .map(|q| {
                        (
                            q.key.clone(),
                            loaded.answers.get(&q.key).cloned().unwrap_or_default(),
                        )
                    })
                    .collect(),
            })
            .collect(),
        blockers: applying::blockers(loaded, &signoff, now)
            .iter()
            .map(Blocker::message)
            .collect(),
    })
}

/// Starts the place's application to the round, or returns the one it has (place leads).
#[utoipa::path(post, path = "/rounds/{id}/applications", operation_id = "start_application", tag = "applications",
    params(("id" = i64, Path, description = "The round's id")),
    request_body = StartBody,
    responses(
        (status = 200, description = "The application", body = ApplicationBody),
        (status = 403, description = "Not a lead of that place", content_type = "application/problem+json"),
        (status = 422, description = "The round is not open", content_type = "application/problem+json"),
))]
pub async fn start(
    State(state): State<AppState>,
    ApiUser(person): ApiUser,
    Path(id): Path<i64>,
    Json(body): Json<StartBody>,
) -> ApiResult<ApplicationBody> {
    let round = round_or_404(&state, id).await?;
    let app_id = applying::start(&state, &person.1, &round, body.place_id).await?;
    let loaded = applying::load(&state, &person.1, app_id, Action::View).await?;
    Ok(Json(application_body(&state, &loaded).await?))
}

/// One application with its answers (its place's leads, the programme's admins, and the
/// round's panel once submitted).
#[utoipa::path(get, path = "/applications/{id}", tag = "applications",
    params(("id" = i64, Path, description = "The application's id")),
    responses(
        (status = 200, description = "The application", body = ApplicationBody),
        (status = 404, description = "No such application, or not yours to see", content_type = "application/problem+json"),
))]
pub async fn get_application(
    State(state): State<AppState>,
    ApiUser(person): ApiUser,
    Path(id): Path<i64>,
) -> ApiResult<ApplicationBody> {
    let loaded = applying::load(&state, &person.1, id, Action::View).await?;
    Ok(Json(application_body(&state, &loaded).await?))
}

/// A section's answers to save, over the version last read.
#[derive(Deserialize, ToSchema)]
pub struct SaveBody {
    /// The section's version as last read (0 if never saved).
    pub version: i64,
    /// Answers by question key, as GET returns them: money in pence ("1000000"), yes/no
    /// as "yes" or "no", organisations as org-ids one per line, files as upload ids.
    pub answers: BTreeMap<String, String>,
    /// True to require every required answer (the page's "Save and continue").
    #[serde(default)]
    pub complete: bool,
}

/// Saves one section. A version that is no longer current is refused with 409.
#[utoipa::path(put, path = "/applications/{id}/sections/{key}", tag = "applications",
    params(("id" = i64, Path, description = "The application's id"), ("key" = String, Path, description = "The section's key")),
    request_body = SaveBody,
    responses(
        (status = 200, description = "The application after the save", body = ApplicationBody),
        (status = 409, description = "Saved elsewhere since that version, or no longer editable", content_type = "application/problem+json"),
        (status = 422, description = "An answer is not valid", content_type = "application/problem+json"),
))]
pub async fn save_section(
    State(state): State<AppState>,
    ApiUser(person): ApiUser,
    Path((id, key)): Path<(i64, String)>,
    Json(body): Json<SaveBody>,
) -> ApiResult<ApplicationBody> {
    let loaded = applying::load(&state, &person.1, id, Action::Edit).await?;
    let mode = if body.complete {
        SaveMode::Continue
    } else {
        SaveMode::Later
    };
    let section = loaded
        .definition()
        .section(&key)
        .ok_or_else(ApiError::not_found)?;
    // The section check reads money as typed in pounds; the API speaks pence.
    let typed: BTreeMap<String, String> = body
        .answers
        .iter()
        .map(|(k, v)| {
            let as_typed = match section.questions.iter().find(|q| &q.key == k) {
                Some(q) if matches!(q.kind, QuestionKind::Money { .. }) => input_value(q, v),
                _ => v.clone(),
            };
            (k.clone(), as_typed)
        })
        .collect();
    applying::save_section(&state, &person.1, &loaded, &key, &typed, mode, body.version).await?;
    let reloaded = applying::load(&state, &person.1, id, Action::Edit).await?;
    Ok(Json(application_body(&state, &reloaded).await?))
}

/// The reference a submission was given.
#[derive(Serialize, ToSchema)]
pub struct SubmittedBody {
    pub reference: String,
    /// False when it had already been submitted (a repeated request).
    pub newly_submitted: bool,
}

/// Submits the application. Repeating it returns the same reference.
#[utoipa::path(post, path = "/applications/{id}/submit", operation_id = "submit_application", tag = "applications",
    params(("id" = i64, Path, description = "The application's id")),
    responses(
        (status = 200, description = "Submitted", body = SubmittedBody),
        (status = 409, description = "Withdrawn", content_type = "application/problem+json"),
        (status = 422, description = "Not ready, or past the deadline; the draft is kept", content_type = "application/problem+json"),
))]
pub async fn submit(
    State(state): State<AppState>,
    ApiUser(person): ApiUser,
    Path(id): Path<i64>,
) -> ApiResult<SubmittedBody> {
    let loaded = applying::load(&state, &person.1, id, Action::Edit).await?;
    let (reference, newly_submitted) = applying::submit(&state, &person.1, &person.0.email, &loaded).await?;
    Ok(Json(SubmittedBody {
        reference,
        newly_submitted,
    }))
}

/// Why the application is withdrawn.
#[derive(Deserialize, ToSchema)]
pub struct WithdrawBody {
    pub reason: String,
}

/// Withdraws the application, with a reason.
#[utoipa::path(post, path = "/applications/{id}/withdraw", operation_id = "withdraw_application", tag = "applications",
    params(("id" = i64, Path, description = "The application's id")),
    request_body = WithdrawBody,
    responses(
        (status = 200, description = "The withdrawn application", body = ApplicationBody),
        (status = 409, description = "Already withdrawn", content_type = "application/problem+json"),
        (status = 422, description = "No reason given", content_type = "application/problem+json"),
))]
pub async fn withdraw(
    State(state): State<AppState>,
    ApiUser(person): ApiUser,
    Path(id): Path<i64>,
    Json(body): Json<WithdrawBody>,
) -> ApiResult<ApplicationBody> {
    let loaded = applying::load(&state, &person.1, id, Action::Edit).await?;
    applying::withdraw(&state, &person.1, &loaded, &body.reason).await?;
    let reloaded = applying::load(&state, &person.1, id, Action::View).await?;
    Ok(Json(application_body(&state, &reloaded).await?))
}
