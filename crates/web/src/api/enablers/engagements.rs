//! Engagements through the API: each person's list, an engagement with its allocation,
//! contact, pace, burn-down and queries, the enabler's contact, and an admin's early end
//! (with a successor that carries on with what is left). The use cases are
//! `convene_app::enablers::engagements`.

use super::queries::ContactQueryBody;
use super::{ContactTimeBody, date_field, iso_date, parse_after, renamed};
use crate::api::{ApiError, ApiResult, RawJson};
use crate::auth::ApiUser;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use convene_app::enablers::PanelError;
use convene_app::enablers::engagements::{self, ContactInput, Engagement, EngagementView, LoggedContact};
use convene_domain::engagements::{BurnPoint, DayLength, Minutes, Pace, hours_text};
use convene_domain::policy::Principal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// An engagement: a funded place and its enabler, from its start to its last day.
#[derive(Serialize, ToSchema)]
pub struct EngagementBody {
    pub id: i64,
    pub programme_id: i64,
    /// The place's accepted award.
    pub award_id: i64,
    pub place_id: i64,
    pub place_name: String,
    pub enabler_id: i64,
    pub enabler_name: String,
    /// The first day (YYYY-MM-DD).
    pub starts_on: String,
    /// The planned last day: the 31 March after the start.
    pub ends_on: String,
    /// The day it ended early, or null.
    pub ended_on: Option<String>,
    /// The engagement this one carries on from, or null.
    pub follows_id: Option<i64>,
    /// A day of contact, in minutes (450 is 7.5 hours).
    pub day_minutes: i64,
    /// The contact time allocated (cut to what was used when it ended early).
    pub allocation: ContactTimeBody,
    pub used: ContactTimeBody,
    /// What is left: negative when more was used than allocated.
    pub left: ContactTimeBody,
}

impl From<&Engagement> for EngagementBody {
    fn from(e: &Engagement) -> Self {
        let day = u32::try_from(e.day_minutes)
            .ok()
            .and_then(DayLength::from_minutes)
            .unwrap_or_default();
        let time = |m: i64| ContactTimeBody::of(day, Minutes(m));
        EngagementBody {
            id: e.id,
            programme_id: e.programme_id.0,
            award_id: e.award_id,
            place_id: e.place_id.0,
            place_name: e.place_name.clone(),
            enabler_id: e.enabler_id,
            enabler_name: e.enabler_name.clone(),
            starts_on: e.starts_on.to_string(),
            ends_on: e.ends_on.to_string(),
            ended_on: e.ended_on.map(|d| d.to_string()),
            follows_id: e.follows_id,
            day_minutes: e.day_minutes,
            allocation: time(e.allocation_minutes),
            used: time(e.used_minutes),
            left: time(e.allocation_minutes - e.used_minutes),
        }
    }
}

/// The engagements you take part in: as their enabler, a lead of the place or an admin of
/// the programme, earliest first.
#[utoipa::path(get, path = "/engagements", operation_id = "list_engagements", tag = "enablers",
    responses((status = 200, description = "Your engagements", body = Vec<EngagementBody>)))]
pub async fn mine(State(state): State<AppState>, ApiUser(person): ApiUser) -> ApiResult<Vec<EngagementBody>> {
    let found = engagements::mine(&state, &person.1).await?;
    Ok(Json(found.iter().map(EngagementBody::from).collect()))
}

/// How the contact used compares with the pace the allocation sets.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PaceStatus {
    OnPace,
    Ahead,
    Behind,
}

/// The engagement's pace (flagged only from four weeks after the start).
#[derive(Serialize, ToSchema)]
pub struct PaceBody {
    pub status: PaceStatus,
    /// How far ahead or behind, in percent of what was expected by today (0 on pace).
    pub percent: u32,
}

impl From<Pace> for PaceBody {
    fn from(pace: Pace) -> Self {
        let (status, percent) = match pace {
            Pace::OnPace => (PaceStatus::OnPace, 0),
            Pace::Ahead { percent } => (PaceStatus::Ahead, percent),
            Pace::Behind { percent } => (PaceStatus::Behind, percent),
        };
        PaceBody { status, percent }
    }
}

/// A point of the burn-down: the contact time left at the end of a date.
#[derive(Serialize, ToSchema)]
pub struct BurnPointBody {
    /// YYYY-MM-DD: the start, the end of each working week, and the last day.
    pub date: String,
    /// What would be left had the allocation been used at an even pace.
    pub expected_remaining: ContactTimeBody,
    /// What is left after the contact logged up to the date; null after today.
    pub actual_remaining: Option<ContactTimeBody>,
}

/// A contact entry.
#[derive(Serialize, ToSchema)]
pub struct ContactEntryBody {
    pub id: i64,
    /// YYYY-MM-DD.
    pub date: String,
    pub minutes: i64,
    /// The hours as logged, like "1.5".
    pub hours: String,
    /// workshop, coaching, meeting or other.
    pub kind: String,
    pub notes: String,
    /// When it was logged (UTC, ISO 8601).
    pub logged_at: String,
}

impl From<&LoggedContact> for ContactEntryBody {
    fn from(c: &LoggedContact) -> Self {
        ContactEntryBody {
            id: c.id,
            date: c.on_date.to_string(),
            minutes: c.minutes,
            hours: hours_text(Minutes(c.minutes)),
            kind: c.kind.clone(),
            notes: c.notes.clone(),
            logged_at: c.logged_at.iso(),
        }
    }
}

/// An engagement with its contact, queries, pace and burn-down.
#[derive(Serialize, ToSchema)]
pub struct EngagementDetailBody {
    pub engagement: EngagementBody,
    pub pace: PaceBody,
    pub burn_down: Vec<BurnPointBody>,
    /// Oldest first.
    pub contact: Vec<ContactEntryBody>,
    /// Oldest first.
    pub queries: Vec<ContactQueryBody>,
    /// True when you are its enabler (you log contact and answer queries).
    pub is_enabler: bool,
    /// True when you lead its place (you query contact entries).
    pub is_lead: bool,
    /// True when you run its programme (you end it early and settle queries).
    pub is_admin: bool,
}

impl From<&EngagementView> for EngagementDetailBody {
    fn from(v: &EngagementView) -> Self {
        let time = |m: Minutes| ContactTimeBody::of(v.day, m);
        EngagementDetailBody {
            engagement: EngagementBody::from(&v.engagement),
            pace: PaceBody::from(v.pace),
            burn_down: v
                .burn_down
                .iter()
                .map(|p: &BurnPoint| BurnPointBody {
                    date: p.date.to_string(),
                    expected_remaining: time(p.expected_remaining),
                    actual_remaining: p.actual_remaining.map(time),
                })
                .collect(),
            contact: v.contact.iter().map(ContactEntryBody::from).collect(),
            queries: v.queries.iter().map(ContactQueryBody::from).collect(),
            is_enabler: v.is_enabler,
            is_lead: v.is_lead,
            is_admin: v.is_admin,
        }
    }
}

/// An engagement: its allocation, what is used and left (in minutes and days), its pace
/// and burn-down, the contact logged and the queries of it (its enabler, the place's leads
/// and the programme's admins).
#[utoipa::path(get, path = "/engagements/{id}", operation_id = "get_engagement", tag = "enablers",
    params(("id" = i64, Path, description = "The engagement's id")),
    responses(
        (status = 200, description = "The engagement", body = EngagementDetailBody),
        (status = 404, description = "No such engagement, or not one you take part in", content_type = "application/problem+json"),
        (status = 409, description = "Its dates' bank holidays are not known yet, so its pace cannot be worked out", content_type = "application/problem+json"),
))]
pub async fn view(
    State(state): State<AppState>,
    ApiUser(person): ApiUser,
    Path(id): Path<i64>,
) -> ApiResult<EngagementDetailBody> {
    let view = engagements::view(&state, &person.1, id).await?;
    Ok(Json(EngagementDetailBody::from(&view)))
}

/// What the contact was.
#[derive(Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ContactKindKey {
    Workshop,
    Coaching,
    Meeting,
    Other,
}

impl ContactKindKey {
    fn key(self) -> &'static str {
        match self {
            ContactKindKey::Workshop => "workshop",
            ContactKindKey::Coaching => "coaching",
            ContactKindKey::Meeting => "meeting",
            ContactKindKey::Other => "other",
        }
    }
}

/// Hours, sent as a JSON number (1.5) or as typed ("1.5").
#[derive(Deserialize, ToSchema)]
#[serde(untagged)]
pub enum HoursValue {
    Number(f64),
    Text(String),
}

impl HoursValue {
    fn typed(&self) -> String {
        match self {
            HoursValue::Number(n) => n.to_string(),
            HoursValue::Text(t) => t.clone(),
        }
    }
}

/// Contact to log.
#[derive(Deserialize, ToSchema)]
pub struct NewContactBody {
    /// The day of the contact (YYYY-MM-DD): within the engagement, and not after today.
    #[schema(format = Date)]
    pub date: String,
    /// From 0.25 to 24, to two decimals; at most 24 in all on one day.
    pub hours: HoursValue,
    pub kind: ContactKindKey,
    /// Up to 2,000 characters.
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub notes: String,
}

/// Logs contact against your engagement (its enabler). Every problem is told at once.
#[utoipa::path(post, path = "/engagements/{id}/contact", operation_id = "log_contact", tag = "enablers",
    params(("id" = i64, Path, description = "The engagement's id")),
    request_body = NewContactBody,
    responses(
        (status = 201, description = "Logged", body = ContactEntryBody),
        (status = 403, description = "A lead of the place or an admin, not its enabler", content_type = "application/problem+json"),
        (status = 404, description = "No such engagement, or not one you take part in", content_type = "application/problem+json"),
        (status = 409, description = "The engagement has ended: log contact on the one that carries on from it", content_type = "application/problem+json"),
        (status = 422, description = "Not a date, or one outside the engagement or after today (date); hours not a number, outside 0.25 to 24, or over 24 on the day (hours); notes too long (notes)", content_type = "application/problem+json"),
))]
pub async fn log_contact(
    State(state): State<AppState>,
    ApiUser(person): ApiUser,
    Path(id): Path<i64>,
    body: RawJson,
) -> Result<Response, ApiError> {
    let who = &person.1;
    // Nothing typed: refused after every check and before anything is written.
    let nothing = ContactInput::default();
    let refused = engagements::log_contact(&state, who, id, &nothing);
    let body: NewContactBody = parse_after(&body, refused).await?;
    let date = iso_date(&body.date);
    let input = ContactInput {
        date,
        hours: body.hours.typed(),
        kind: body.kind.key().into(),
        notes: body.notes,
    };
    let entry = match engagements::log_contact(&state, who, id, &input).await {
        Ok(entry) => entry,
        Err(PanelError::Invalid(mut problems)) => {
            // Say how the API takes a date, rather than how the page's boxes do.
            for p in problems
                .iter_mut()
                .filter(|p| p.field == "date" && date.is_none())
            {
                p.message = super::date_message(&body.date);
            }
            return Err(PanelError::Invalid(problems).into());
        }
        Err(e) => return Err(e.into()),
    };
    let view = engagements::view(&state, who, id).await?;
    let logged = view
        .contact
        .iter()
        .find(|c| c.id == entry)
        .ok_or_else(ApiError::not_found)?;
    Ok((StatusCode::CREATED, Json(ContactEntryBody::from(logged))).into_response())
}

/// The enabler who carries on, and from when.
#[derive(Deserialize, ToSchema)]
pub struct SuccessorBody {
    /// An enabler of the programme's approved pool.
    pub enabler_id: i64,
    /// After the last day, and on or before the planned end (YYYY-MM-DD).
    #[schema(format = Date)]
    pub start_date: String,
}

/// An early end.
#[derive(Deserialize, ToSchema)]
pub struct EarlyEndBody {
    /// The engagement's last day (YYYY-MM-DD): within its dates, and not before the last
    /// contact logged.
    #[schema(format = Date)]
    pub end_date: String,
    /// A successor that carries on with what is left to the planned end; null or absent
    /// for none.
    #[serde(default)]
    pub successor: Option<SuccessorBody>,
}

/// The engagement ended, and its successor.
#[derive(Serialize, ToSchema)]
pub struct EarlyEndedBody {
    /// Its allocation now what it used.
    pub engagement: EngagementBody,
    /// The engagement that carries on, or null.
    pub successor: Option<EngagementBody>,
}

/// 404 for who may not read the engagement, 403 for who may not end it: as the use case
/// decides, before the body is read.
async fn may_end(state: &AppState, who: &Principal, id: i64) -> Result<(), ApiError> {
    if engagements::view(state, who, id).await?.is_admin {
        Ok(())
    } else {
        Err(ApiError::forbidden())
    }
}

/// Ends an engagement early, keeping what it used, and optionally starts a successor with
/// what is left (the programme's admins).
#[utoipa::path(post, path = "/engagements/{id}/early-end", operation_id = "end_engagement_early", tag = "enablers",
    params(("id" = i64, Path, description = "The engagement's id")),
    request_body = EarlyEndBody,
    responses(
        (status = 200, description = "Ended, with its successor", body = EarlyEndedBody),
        (status = 403, description = "Its enabler or a lead of the place, not an admin of the programme", content_type = "application/problem+json"),
        (status = 404, description = "No such engagement, or not one you take part in", content_type = "application/problem+json"),
        (status = 409, description = "It has already ended", content_type = "application/problem+json"),
        (status = 422, description = "Not a date, outside its dates or before the last contact (end_date); an enabler not in the pool (successor.enabler_id); a start not after the end or after the planned end (successor.start_date)", content_type = "application/problem+json"),
))]
pub async fn end_early(
    State(state): State<AppState>,
    ApiUser(person): ApiUser,
    Path(id): Path<i64>,
    body: RawJson,
) -> ApiResult<EarlyEndedBody> {
    let who = &person.1;
    may_end(&state, who, id).await?;
    let body: EarlyEndBody = body.parse()?;
    let last_day = date_field(&body.end_date, "end_date")?;
    let successor = match &body.successor {
        Some(s) => Some((s.enabler_id, date_field(&s.start_date, "successor.start_date")?)),
        None => None,
    };
    let next = engagements::end_early(&state, who, id, last_day, successor)
        .await
        .map_err(|e| {
            renamed(
                e,
                &[
                    ("enabler", "successor.enabler_id"),
                    ("start_date", "successor.start_date"),
                ],
            )
        })?;
    let ended = engagements::view(&state, who, id).await?;
    let successor = match next {
        Some(next) => Some(EngagementBody::from(
            &engagements::view(&state, who, next).await?.engagement,
        )),
        None => None,
    };
    Ok(Json(EarlyEndedBody {
        engagement: EngagementBody::from(&ended.engagement),
        successor,
    }))
}
