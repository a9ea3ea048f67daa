//! Rounds through the API: creating one, reading it with its form, replacing the form
//! while it may change, and the list of its applications for its admins. Each answers 404
//! and 403 before it reads the body. The use cases are `convene_app::{rounds, forms}` and
//! `convene_app::applications::list`.

use crate::api::{ApiError, ApiResult, RawJson};
use crate::application_list::{ListQuery, PER_PAGE};
use crate::auth::ApiUser;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, Query, State};
use convene_app::applications::{self as applying, Listed};
use convene_app::forms::{self, FormError};
use convene_app::rounds;
use convene_domain::forms::FormDefinition;
use convene_domain::policy::{Action, Resource, allows};
use convene_domain::programmes::Round;
use convene_domain::rounds::RoundForm;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::{IntoParams, ToSchema};

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
    /// The version of the form below; null when there is none or it is not shown.
    pub form_version: Option<i64>,
    /// Ordered sections of questions; null until the form is built, and for applicants
    /// until the round opens.
    #[schema(value_type = Option<Form>)]
    pub form: Option<FormDefinition>,
}

/// The body of a round with its current form.
async fn round_body(state: &AppState, round: Round) -> Result<RoundBody, ApiError> {
    let form = forms::versions(state, &round).await?.current;
    Ok(RoundBody {
        id: round.id.0,
        programme_id: round.programme_id.0,
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

/// The round with this id, or 404.
pub(crate) async fn round_or_404(state: &AppState, id: i64) -> Result<Round, ApiError> {
    Ok(rounds::by_id(state, id).await?.1)
}

/// A new round, as the "Create a round" page takes it: text as typed, dates as day, month
/// and year (and a time, like 9am or 17:00) in UK time. The checks across fields (real
/// dates, the deadline after the opening, ...) are the page's, answered with 422.
#[derive(Deserialize, ToSchema)]
pub struct NewRound {
    #[schema(min_length = 1, max_length = 120, pattern = r"\S")]
    pub name: String,
    /// 2 to 12 letters, numbers or dashes, starting with a letter, like LV-2027.
    #[schema(pattern = r"^\s*[A-Za-z][A-Za-z0-9-]{1,11}\s*$")]
    pub reference_prefix: String,
    #[schema(pattern = r"^\s*[0-9]{1,2}\s*$")]
    pub opens_day: String,
    #[schema(pattern = r"^\s*[0-9]{1,2}\s*$")]
    pub opens_month: String,
    #[schema(pattern = r"^\s*[0-9]{4}\s*$")]
    pub opens_year: String,
    /// Like 9am, 11:59pm or 17:00.
    #[schema(min_length = 1, pattern = r"\S")]
    pub opens_time: String,
    #[schema(pattern = r"^\s*[0-9]{1,2}\s*$")]
    pub closes_day: String,
    #[schema(pattern = r"^\s*[0-9]{1,2}\s*$")]
    pub closes_month: String,
    #[schema(pattern = r"^\s*[0-9]{4}\s*$")]
    pub closes_year: String,
    /// The deadline's time, like 5pm or 23:59 (the last second of that minute).
    #[schema(min_length = 1, pattern = r"\S")]
    pub closes_time: String,
    /// A whole number.
    #[schema(pattern = r"^\s*[0-9]+\s*$")]
    pub places_offered: String,
    /// In pounds, like 100000 or 100,000.
    #[schema(min_length = 1, pattern = r"\S")]
    pub value_per_place: String,
    #[schema(min_length = 1, pattern = r"\S")]
    pub eligibility: String,
    #[schema(pattern = r"^\s*[0-9]{1,2}\s*$")]
    pub review_ends_day: String,
    #[schema(pattern = r"^\s*[0-9]{1,2}\s*$")]
    pub review_ends_month: String,
    #[schema(pattern = r"^\s*[0-9]{4}\s*$")]
    pub review_ends_year: String,
    #[schema(pattern = r"^\s*[0-9]{1,2}\s*$")]
    pub notify_day: String,
    #[schema(pattern = r"^\s*[0-9]{1,2}\s*$")]
    pub notify_month: String,
    #[schema(pattern = r"^\s*[0-9]{4}\s*$")]
    pub notify_year: String,
    /// The launch event's date and time, all empty when there is none.
    #[serde(default)]
    pub launch_day: String,
    #[serde(default)]
    pub launch_month: String,
    #[serde(default)]
    pub launch_year: String,
    #[serde(default)]
    pub launch_time: String,
    #[serde(default)]
    pub launch_location: String,
    /// One a line.
    #[serde(default)]
    pub themes: String,
    /// Whether the board chair must sign off answers before submission (yes when absent).
    #[serde(default)]
    pub signoff_required: YesNo,
}

/// Yes or no.
#[derive(Deserialize, ToSchema, Default, Clone, Copy)]
#[serde(rename_all = "lowercase")]
pub enum YesNo {
    #[default]
    Yes,
    No,
}

impl From<NewRound> for RoundForm {
    fn from(r: NewRound) -> RoundForm {
        RoundForm {
            name: r.name,
            reference_prefix: r.reference_prefix,
            opens_day: r.opens_day,
            opens_month: r.opens_month,
            opens_year: r.opens_year,
            opens_time: r.opens_time,
            closes_day: r.closes_day,
            closes_month: r.closes_month,
            closes_year: r.closes_year,
            closes_time: r.closes_time,
            places_offered: r.places_offered,
            value_per_place: r.value_per_place,
            eligibility: r.eligibility,
            review_ends_day: r.review_ends_day,
            review_ends_month: r.review_ends_month,
            review_ends_year: r.review_ends_year,
            notify_day: r.notify_day,
            notify_month: r.notify_month,
            notify_year: r.notify_year,
            launch_day: r.launch_day,
            launch_month: r.launch_month,
            launch_year: r.launch_year,
            launch_time: r.launch_time,
            launch_location: r.launch_location,
            themes: r.themes,
            signoff_required: match r.signoff_required {
                YesNo::Yes => "yes",
                YesNo::No => "no",
            }
            .into(),
        }
    }
}

/// Creates a round in a programme (its admins).
#[utoipa::path(post, path = "/programmes/{slug}/rounds", operation_id = "create_round", tag = "applications",
    params(("slug" = String, Path, description = "The programme's slug")),
    request_body = NewRound,
    responses(
        (status = 200, description = "The new round", body = RoundBody),
        (status = 403, description = "Not an admin of the programme", content_type = "application/problem+json"),
        (status = 404, description = "No such programme", content_type = "application/problem+json"),
        (status = 422, description = "A field is not valid, or the programme has a round of that name (per-field errors)", content_type = "application/problem+json"),
))]
pub async fn create_round(
    State(state): State<AppState>,
    ApiUser(person): ApiUser,
    Path(slug): Path<String>,
    body: RawJson,
) -> ApiResult<RoundBody> {
    let programme = convene_app::programmes::load(&state, &person.1, &slug, Action::Edit).await?;
    let form = RoundForm::from(body.parse::<NewRound>()?);
    match rounds::create(&state, &person.1, programme.id, &form).await? {
        Ok((id, _)) => {
            let round = round_or_404(&state, id).await?;
            Ok(Json(round_body(&state, round).await?))
        }
        Err(problems) => Err(ApiError::invalid(problems)),
    }
}

/// A round with its current form (calls for applications are public to every token).
#[utoipa::path(get, path = "/rounds/{id}", operation_id = "get_round", tag = "applications",
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

/// A round's application form, as the form builder keeps it (the body is read as
/// `convene_domain::forms::FormDefinition`; these types only document it).
#[derive(ToSchema)]
pub struct Form {
    #[schema(min_items = 1)]
    pub sections: Vec<FormSection>,
}

/// One page of the applicant's journey: a task in the task list.
#[derive(ToSchema)]
pub struct FormSection {
    /// Stable short name, used in links: lower-case letters, numbers, dashes or
    /// underscores, unique in the form.
    #[schema(pattern = r"^[a-z][a-z0-9_-]{0,59}$")]
    pub key: String,
    #[schema(min_length = 1, pattern = r"\S")]
    pub title: String,
    /// Shown under the page heading; may be empty.
    #[schema(required = false)]
    pub intro: String,
    #[schema(min_items = 1)]
    pub questions: Vec<FormQuestion>,
}

/// One question on a section page: a key, a label, a hint, whether it must be answered,
/// and its type with what that type adds. Written out as one object per type, which
/// generated clients read more easily than a type merged into common fields.
pub struct FormQuestion;

impl utoipa::PartialSchema for FormQuestion {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        let types = [
            (
                "long_text",
                "Paragraphs, with a word limit",
                serde_json::json!({
                    "word_limit": {"type": "integer", "format": "int32", "minimum": 1, "maximum": 5000}
                }),
                vec!["word_limit"],
            ),
            ("short_text", "One line of text", serde_json::json!({}), vec![]),
            ("yes_no", "\"yes\" or \"no\"", serde_json::json!({}), vec![]),
            (
                "money",
                "An amount in pence between two bounds (inclusive; the lowest no more than the highest); at most one question is the place's match contribution",
                serde_json::json!({
                    "min_pence": {"type": "integer", "format": "int64", "minimum": 0},
                    "max_pence": {"type": "integer", "format": "int64", "minimum": 0},
                    "match_pledge": {"type": "boolean"}
                }),
                vec!["min_pence", "max_pence"],
            ),
            (
                "theme",
                "One of the round's themes",
                serde_json::json!({}),
                vec![],
            ),
            (
                "organisations",
                "The place's partner organisations by org-id, one a line (GET /applications/{id}/partners)",
                serde_json::json!({}),
                vec![],
            ),
            (
                "file",
                "An uploaded document (uploads are not in the API)",
                serde_json::json!({}),
                vec![],
            ),
        ];
        let one_of: Vec<serde_json::Value> = types
            .into_iter()
            .map(|(kind, description, extra, extra_required)| {
                let mut properties = serde_json::json!({
                    "key": {"type": "string", "pattern": "^[a-z][a-z0-9_-]{0,59}$",
                        "description": "The answer's key: unique in the form, and not csrf_token, version, action or section"},
                    "label": {"type": "string", "minLength": 1, "pattern": "\\S"},
                    "hint": {"type": "string"},
                    "required": {"type": "boolean"},
                    "type": {"type": "string", "enum": [kind]},
                });
                if let (Some(all), serde_json::Value::Object(extra)) = (properties.as_object_mut(), extra) {
                    all.extend(extra);
                }
                let mut required = vec!["key", "label", "required", "type"];
                required.extend(extra_required);
                serde_json::json!({
                    "type": "object",
                    "description": description,
                    "required": required,
                    "properties": properties,
                })
            })
            .collect();
        let schema = serde_json::json!({"description": "One question on a section page", "oneOf": one_of});
        serde_json::from_value(schema).unwrap_or_default()
    }
}

impl ToSchema for FormQuestion {}

/// Replaces the round's form while it can still change: before the round opens, or a
/// version being prepared (programme admins).
#[utoipa::path(put, path = "/rounds/{id}/form", operation_id = "put_form", tag = "applications",
    params(("id" = i64, Path, description = "The round's id")),
    request_body = Form,
    responses(
        (status = 200, description = "The round with its new form", body = RoundBody),
        (status = 403, description = "Not an admin of the programme", content_type = "application/problem+json"),
        (status = 404, description = "No such round", content_type = "application/problem+json"),
        (status = 409, description = "The form is frozen", content_type = "application/problem+json"),
        (status = 422, description = "The form is not well formed (keys used twice, bounds out of order, ...)", content_type = "application/problem+json"),
))]
pub async fn put_form(
    State(state): State<AppState>,
    ApiUser(person): ApiUser,
    Path(id): Path<i64>,
    body: RawJson,
) -> ApiResult<RoundBody> {
    let round = round_or_404(&state, id).await?;
    let programme = Resource::Programme {
        id: round.programme_id,
    };
    if !allows(&person.1, Action::Edit, programme) {
        return Err(ApiError::forbidden());
    }
    // serde reads a tag given as a number as the variant at that index: refuse it first.
    let raw: serde_json::Value = body.parse()?;
    let numbered = raw["sections"].as_array().into_iter().flatten().any(|section| {
        let questions = section["questions"].as_array().into_iter().flatten();
        questions
            .into_iter()
            .any(|q| q.get("type").is_some_and(|t| !t.is_string()))
    });
    if numbered {
        return Err(ApiError::invalid(vec![(
            "form".to_string(),
            "Each question's type must be a name, like \"long_text\"".to_string(),
        )]));
    }
    let definition: FormDefinition = body.parse()?;
    let problems = definition.problems();
    if !problems.is_empty() {
        return Err(ApiError::invalid(
            problems.into_iter().map(|p| ("form".to_string(), p)).collect(),
        ));
    }
    match forms::save(&state, &person.1, &round, &definition).await {
        Ok(()) => {}
        Err(FormError::Forbidden) => return Err(ApiError::forbidden()),
        Err(FormError::RoundOpen | FormError::InUse) => {
            return Err(ApiError::conflict(
                "The form is frozen because the round has opened. Start a new version on the form page.",
            ));
        }
        Err(FormError::Store(e)) => return Err(convene_app::Error::from(e).into()),
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

/// Filters of the list; a value that names nothing is ignored.
#[derive(Deserialize, IntoParams)]
pub struct ListParams {
    /// draft, awaiting_signoff, submitted or withdrawn.
    pub status: Option<String>,
    /// council, stp_footprint, ics or other.
    pub kind: Option<String>,
    pub region: Option<String>,
    /// From 1 (a lower number is page 1; past the end, an empty page).
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
    let query = ListQuery {
        status: params.status.unwrap_or_default(),
        kind: params.kind.unwrap_or_default(),
        region: params.region.unwrap_or_default(),
        page: params.page,
    };
    let page = query.page.unwrap_or(1).max(1);
    let listed = applying::list(&state, &person.1, &round, &query.filter(), page, PER_PAGE).await?;
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
