//! Applications and their answers through the API, under the same rules as the pages (the
//! shared logic is in `convene_app::applications`): starting one, reading it, the partner
//! organisations its answers may name, saving a section, asking for sign-off, submitting
//! and withdrawing. A refusal that depends on the application's state is 409.

use crate::api::rounds::round_or_404;
use crate::api::{ApiError, ApiResult, RawJson};
use crate::auth::ApiUser;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use convene_app::applications::{self as applying, ApplicationError, Loaded};
use convene_domain::PlaceId;
use convene_domain::applications::Blocker;
use convene_domain::forms::{QuestionKind, SaveMode, input_value};
use convene_domain::policy::Action;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::ToSchema;

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
            ApplicationError::Blocked(blockers) => state_refusal(
                "The application cannot be submitted yet.",
                blocker_fields(&blockers),
            ),
            ApplicationError::Store(s) => convene_app::Error::from(s).into(),
        }
    }
}

/// 409 for a well-formed request the record's state refuses, with what stands in the way
/// by field.
fn state_refusal(detail: &str, fields: Vec<(String, String)>) -> ApiError {
    ApiError {
        status: StatusCode::CONFLICT,
        detail: detail.to_string(),
        fields,
    }
}

/// What stops a submission, by the field (section key) it is about.
fn blocker_fields(blockers: &[Blocker]) -> Vec<(String, String)> {
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
        .collect()
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
        id: a.id.0,
        round_id: a.round_id.0,
        place_id: a.place_id.0,
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
        (status = 403, description = "Not a lead of that place, or the place does not take part in the round's programme", content_type = "application/problem+json"),
        (status = 404, description = "No such round or place", content_type = "application/problem+json"),
        (status = 409, description = "The round is not open, or has no form yet", content_type = "application/problem+json"),
))]
pub async fn start(
    State(state): State<AppState>,
    ApiUser(person): ApiUser,
    Path(id): Path<i64>,
    body: RawJson,
) -> ApiResult<ApplicationBody> {
    let round = round_or_404(&state, id).await?;
    let body: StartBody = body.parse()?;
    let app_id = match applying::start(&state, &person.1, &round, PlaceId(body.place_id)).await {
        Ok(id) => id,
        // Every refusal of a well-formed request here is the round's state: not open, or
        // no form yet.
        Err(ApplicationError::Invalid(fields)) => {
            return Err(state_refusal("The round does not take applications now.", fields));
        }
        Err(e) => return Err(e.into()),
    };
    let loaded = applying::load(&state, &person.1, app_id, Action::View).await?;
    Ok(Json(application_body(&state, &loaded).await?))
}

/// One application with its answers (its place's leads, the programme's admins, and the
/// round's panel once submitted).
#[utoipa::path(get, path = "/applications/{id}", operation_id = "get_application", tag = "applications",
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
#[utoipa::path(put, path = "/applications/{id}/sections/{key}", operation_id = "save_section", tag = "applications",
    params(("id" = i64, Path, description = "The application's id"), ("key" = String, Path, description = "The section's key")),
    request_body = SaveBody,
    responses(
        (status = 200, description = "The application after the save", body = ApplicationBody),
        (status = 404, description = "No such application or section, or not yours to see", content_type = "application/problem+json"),
        (status = 409, description = "Saved elsewhere since that version, or no longer editable", content_type = "application/problem+json"),
        (status = 422, description = "An answer is not valid for its question (per-field errors)", content_type = "application/problem+json"),
))]
pub async fn save_section(
    State(state): State<AppState>,
    ApiUser(person): ApiUser,
    Path((id, key)): Path<(i64, String)>,
    body: RawJson,
) -> ApiResult<ApplicationBody> {
    let loaded = applying::load(&state, &person.1, id, Action::Edit).await?;
    let section = loaded
        .definition()
        .section(&key)
        .ok_or_else(ApiError::not_found)?;
    let body: SaveBody = body.parse()?;
    let mode = if body.complete {
        SaveMode::Continue
    } else {
        SaveMode::Later
    };
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
        (status = 404, description = "No such application, or not yours to see", content_type = "application/problem+json"),
        (status = 409, description = "Withdrawn, not ready (what is missing, per section), or past the deadline; the draft is kept", content_type = "application/problem+json"),
))]
pub async fn submit(
    State(state): State<AppState>,
    ApiUser(person): ApiUser,
    Path(id): Path<i64>,
) -> ApiResult<SubmittedBody> {
    let loaded = applying::load(&state, &person.1, id, Action::Edit).await?;
    let submitted = applying::submit(&state, &person.1, &person.0.email, &loaded).await;
    let (reference, newly_submitted) = match submitted {
        Ok(done) => done,
        // Nothing in the request is wrong: the application is not ready yet.
        Err(ApplicationError::Blocked(blockers)) => {
            return Err(state_refusal(
                "The application cannot be submitted yet.",
                blocker_fields(&blockers),
            ));
        }
        Err(e) => return Err(e.into()),
    };
    Ok(Json(SubmittedBody {
        reference,
        newly_submitted,
    }))
}

/// Why the application is withdrawn.
#[derive(Deserialize, ToSchema)]
pub struct WithdrawBody {
    /// Up to 2,000 characters, not only spaces.
    #[schema(min_length = 1, max_length = 2000, pattern = r"\S")]
    pub reason: String,
}

/// Withdraws the application, with a reason.
#[utoipa::path(post, path = "/applications/{id}/withdraw", operation_id = "withdraw_application", tag = "applications",
    params(("id" = i64, Path, description = "The application's id")),
    request_body = WithdrawBody,
    responses(
        (status = 200, description = "The withdrawn application", body = ApplicationBody),
        (status = 404, description = "No such application, or not yours to see", content_type = "application/problem+json"),
        (status = 409, description = "Already withdrawn, or submitted", content_type = "application/problem+json"),
        (status = 422, description = "No reason given, or one too long", content_type = "application/problem+json"),
))]
pub async fn withdraw(
    State(state): State<AppState>,
    ApiUser(person): ApiUser,
    Path(id): Path<i64>,
    body: RawJson,
) -> ApiResult<ApplicationBody> {
    let loaded = applying::load(&state, &person.1, id, Action::Edit).await?;
    let body: WithdrawBody = body.parse()?;
    applying::withdraw(&state, &person.1, &loaded, &body.reason).await?;
    let reloaded = applying::load(&state, &person.1, id, Action::View).await?;
    Ok(Json(application_body(&state, &reloaded).await?))
}

/// An organisation an "organisations" answer may name.
#[derive(Serialize, ToSchema)]
pub struct PartnerBody {
    /// What the answer names it by, one a line.
    pub org_id: String,
    pub name: String,
}

/// The partner organisations of the application's place: what its "organisations"
/// questions may name (whoever may read the application).
#[utoipa::path(get, path = "/applications/{id}/partners", operation_id = "list_application_partners", tag = "applications",
    params(("id" = i64, Path, description = "The application's id")),
    responses(
        (status = 200, description = "The place's partner organisations", body = Vec<PartnerBody>),
        (status = 404, description = "No such application, or not yours to see", content_type = "application/problem+json"),
))]
pub async fn partners(
    State(state): State<AppState>,
    ApiUser(person): ApiUser,
    Path(id): Path<i64>,
) -> ApiResult<Vec<PartnerBody>> {
    let loaded = applying::load(&state, &person.1, id, Action::View).await?;
    let choices = applying::partner_choices(&state, loaded.place.id).await?;
    Ok(Json(
        choices
            .into_iter()
            .map(|(org_id, name)| PartnerBody { org_id, name })
            .collect(),
    ))
}

/// How many sign-off requests went out.
#[derive(Serialize, ToSchema)]
pub struct SignoffSent {
    /// Links emailed: to the board chair and each partner contact who has not confirmed
    /// the current answers.
    pub sent: i64,
}

/// Emails the sign-off links: to the place's Health and Wellbeing Board chair and every
/// partner contact who has not confirmed the current answers (as the page's "Send"). Every
/// section must be complete first.
#[utoipa::path(post, path = "/applications/{id}/signoff-requests", operation_id = "send_for_signoff", tag = "applications",
    params(("id" = i64, Path, description = "The application's id")),
    responses(
        (status = 200, description = "Sent; the application awaits sign-off", body = SignoffSent),
        (status = 404, description = "No such application, or not yours to see", content_type = "application/problem+json"),
        (status = 409, description = "Not ready for sign-off (sections incomplete, no chair on record, the chair is you) or no longer editable", content_type = "application/problem+json"),
))]
pub async fn send_for_signoff(
    State(state): State<AppState>,
    ApiUser(person): ApiUser,
    Path(id): Path<i64>,
) -> ApiResult<SignoffSent> {
    let loaded = applying::load(&state, &person.1, id, Action::Edit).await?;
    match applying::send_signoff_requests(&state, &person.1, &person.0.email, &loaded).await {
        Ok(sent) => Ok(Json(SignoffSent {
            sent: i64::try_from(sent).unwrap_or(i64::MAX),
        })),
        Err(ApplicationError::Invalid(fields)) => Err(state_refusal(
            "The application is not ready for sign-off.",
            fields,
        )),
        Err(e) => Err(e.into()),
    }
}
