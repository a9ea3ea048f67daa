//! Panel review through the API, calling only `convene_app::panels`: a round's panel, its
//! settings and rubric ([`settings`]); conflicts, bids and the reviewer assignment
//! ([`assignment`]); scoring and the moderation meeting ([`scoring`]). Every permission is
//! decided in those use cases, as for the pages, so a member conflicted on an application
//! is told 404 or 403 and nothing of it, and lists leave it out for them. Every write
//! answers 404 and 403 before anything about its body.

pub mod assignment;
pub mod scoring;
pub mod settings;

use crate::api::{ApiError, RawJson};
use convene_app::panels::PanelError;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use utoipa::ToSchema;

/// A whole number, sent as a JSON number or as the text a form would send ("12").
#[derive(Deserialize, ToSchema)]
#[serde(untagged)]
pub enum Whole {
    Number(i64),
    Text(String),
}

impl Whole {
    /// What the use cases read: the number as it would have been typed.
    fn typed(&self) -> String {
        match self {
            Whole::Number(n) => n.to_string(),
            Whole::Text(t) => t.clone(),
        }
    }
}

/// The body as `T`. When it is not the JSON this operation takes, `check` runs first: a
/// use case that reads nothing of the body, or one given an input it refuses before it
/// writes anything. Someone who may not act here is then told 404 or 403, as they would be
/// with a good body, and never what is wrong with the body.
pub(crate) async fn parse_after<T, R>(
    body: &RawJson,
    check: impl Future<Output = Result<R, PanelError>>,
) -> Result<T, ApiError>
where
    T: DeserializeOwned,
{
    match body.parse::<T>() {
        Ok(parsed) => Ok(parsed),
        Err(shape) => match check.await {
            Err(refused @ (PanelError::NotFound | PanelError::Forbidden | PanelError::Store(_))) => {
                Err(refused.into())
            }
            _ => Err(shape),
        },
    }
}

/// The use case's refusal, with the fields it names by the pages' form fields renamed to
/// this API's body fields (`(page, api)` pairs).
pub(crate) fn renamed(err: PanelError, names: &[(&str, &str)]) -> ApiError {
    match err {
        PanelError::Invalid(mut problems) => {
            for p in &mut problems {
                if let Some((_, api)) = names.iter().find(|(page, _)| *page == p.field) {
                    p.field = (*api).to_string();
                }
            }
            PanelError::Invalid(problems).into()
        }
        other => other.into(),
    }
}
