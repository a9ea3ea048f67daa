//! Enablers through the API, calling only `convene_app::enablers`: the pool, joining it
//! and profiles, and reading both sides' rankings ([`pool`]); both sides' rankings
//! and the programme's matching, its hand changes and confirmation ([`matching`]); the
//! engagements that follow, their contact and early ends ([`engagements`]); places'
//! queries of contact ([`queries`]); and support offers and requests ([`support`]).
//! Every permission is decided in those use cases, as for the pages: someone who may not
//! know a record exists is told 404 and nothing of it. Every write answers 404 and 403
//! before anything about its body.

pub mod engagements;
pub mod matching;
pub mod pool;
pub mod queries;
pub mod support;

use crate::api::ApiError;
use crate::api::panels::Whole;
use crate::state::AppState;
use convene_domain::ProgrammeId;
use convene_domain::engagements::{DayLength, Minutes};
use jiff::civil::Date;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub(crate) use crate::api::panels::{parse_after, renamed};

/// The enablers' routes and their part of the OpenAPI document.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(pool::list, pool::join))
        .routes(routes!(pool::profile, pool::save_profile))
        .routes(routes!(pool::place_ranking, matching::set_place_ranking))
        .routes(routes!(pool::enabler_ranking, matching::set_enabler_ranking))
        .routes(routes!(matching::run))
        .routes(routes!(matching::latest))
        .routes(routes!(matching::change))
        .routes(routes!(matching::confirm))
        .routes(routes!(engagements::mine))
        .routes(routes!(engagements::view))
        .routes(routes!(engagements::log_contact))
        .routes(routes!(engagements::end_early))
        .routes(routes!(queries::raise))
        .routes(routes!(queries::answer))
        .routes(routes!(queries::settle))
        .routes(routes!(support::offers, support::create_offer))
        .routes(routes!(support::of_place, support::request))
        .routes(routes!(support::decide))
}

/// The programme `slug` names (its facts are public, so this tells nobody anything); the
/// use case then decides who may act on it.
async fn programme_of(state: &AppState, slug: &str) -> Result<ProgrammeId, ApiError> {
    Ok(convene_app::programmes::public(state, slug).await?.programme.id)
}

/// A date sent as YYYY-MM-DD, or None when it is not one (or not a real date).
fn iso_date(text: &str) -> Option<Date> {
    let parts: Vec<&str> = text.trim().split('-').collect();
    let [year, month, day] = parts[..] else {
        return None;
    };
    let digits = |s: &str, n: usize| s.len() == n && s.chars().all(|c| c.is_ascii_digit());
    if !(digits(year, 4) && digits(month, 2) && digits(day, 2)) {
        return None;
    }
    Date::new(year.parse().ok()?, month.parse().ok()?, day.parse().ok()?).ok()
}

/// A date read from the body as YYYY-MM-DD, else 422 naming `field`.
fn date_field(text: &str, field: &str) -> Result<Date, ApiError> {
    iso_date(text).ok_or_else(|| ApiError::invalid(vec![(field.to_string(), date_message(text))]))
}

/// What to say of a date that is not YYYY-MM-DD.
fn date_message(text: &str) -> String {
    if text.trim().is_empty() {
        "Enter a date as YYYY-MM-DD, like 2013-09-18".into()
    } else {
        "Enter a real date as YYYY-MM-DD, like 2013-09-18".into()
    }
}

/// A whole number as the use case reads it typed.
fn typed(whole: &Whole) -> String {
    match whole {
        Whole::Number(n) => n.to_string(),
        Whole::Text(t) => t.clone(),
    }
}

/// Contact time: exact in minutes, and in days of the engagement's day length.
#[derive(Serialize, ToSchema)]
pub struct ContactTimeBody {
    pub minutes: i64,
    /// In days, to two decimals (5580 minutes of 7.5-hour days is 12.4).
    pub days: f64,
}

impl ContactTimeBody {
    fn of(day: DayLength, time: Minutes) -> ContactTimeBody {
        // Hundredths of a day are small enough to be exact as an f64.
        #[allow(clippy::cast_precision_loss)]
        let days = day.hundredths(time) as f64 / 100.0;
        ContactTimeBody {
            minutes: time.0,
            days,
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn dates_are_read_only_as_yyyy_mm_dd() {
        assert_eq!(iso_date("2013-09-18"), Some(jiff::civil::date(2013, 9, 18)));
        assert_eq!(iso_date(" 2024-02-29 "), Some(jiff::civil::date(2024, 2, 29)));
        for bad in [
            "",
            "2013-9-18",
            "18-09-2013",
            "2013-02-30",
            "2013/09/18",
            "2013-09-18T10:00",
            "+013-09-18",
        ] {
            assert_eq!(iso_date(bad), None, "{bad}");
        }
    }

    #[test]
    fn time_is_given_in_minutes_and_days() {
        let t = ContactTimeBody::of(DayLength::STANDARD, Minutes(5580));
        assert_eq!((t.minutes, t.days), (5580, 12.4));
        let t = ContactTimeBody::of(DayLength::STANDARD, Minutes(-90));
        assert_eq!(t.days, -0.2);
    }
}
