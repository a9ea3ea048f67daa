//! What the pages and the API share about accounts (the use cases are in
//! `convene_app::{accounts, registration, sessions, two_factor}`): the registration form as
//! both take it, and how an [`AccountError`] reads as a page and as problem+json.

use crate::api::ApiError;
use crate::error::AppError;
use crate::views::FormErrors;
use axum::http::StatusCode;
use convene_app::accounts::{AccountError, Problems};
use convene_app::links::LinkState;
use convene_app::registration::Details;

/// An email address as `convene_domain::Email::parse` takes it, for the API's schemas (the
/// server checks it the same way whatever the schema says). Schema attributes take only
/// literals, so each email field repeats it; a test checks that they agree.
pub const EMAIL: &str =
    r"^\s*[^@\s<>\x00-\x1f\x7f-\x9f]{1,64}@[^@\s<>.\x00-\x1f\x7f-\x9f]+(\.[^@\s<>.\x00-\x1f\x7f-\x9f]+)+\s*$";

/// What a person types to register. The schema attributes state the rules for the API's
/// document; the page form takes missing fields as empty and shows the same rules' messages.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct Registration {
    #[serde(default)]
    #[schema(required = true, min_length = 1, max_length = 100, pattern = r"\S")]
    pub name: String,
    #[serde(default)]
    #[schema(
        required = true,
        max_length = 254,
        pattern = r"^\s*[^@\s<>\x00-\x1f\x7f-\x9f]{1,64}@[^@\s<>.\x00-\x1f\x7f-\x9f]+(\.[^@\s<>.\x00-\x1f\x7f-\x9f]+)+\s*$"
    )]
    pub email: String,
    #[serde(default)]
    #[schema(required = true, min_length = 1, max_length = 150, pattern = r"\S")]
    pub organisation: String,
    #[serde(default)]
    #[schema(required = true, min_length = 1, max_length = 100, pattern = r"\S")]
    pub job_role: String,
    /// At least 12 characters, and not a common or guessable password.
    #[serde(default)]
    #[schema(required = true, min_length = 12, max_length = 128)]
    pub password: String,
}

impl Registration {
    /// The fields as the use cases take them.
    pub fn details(&self) -> Details<'_> {
        Details {
            name: &self.name,
            email: &self.email,
            organisation: &self.organisation,
            job_role: &self.job_role,
            password: &self.password,
        }
    }
}

impl From<Problems> for FormErrors {
    fn from(problems: Problems) -> Self {
        let mut errors = FormErrors::default();
        for (field, message) in problems.into_vec() {
            errors.add(&field, message);
        }
        errors
    }
}

/// A page shows [`AccountError::Invalid`], [`AccountError::State`] and
/// [`AccountError::Link`] itself; any other outcome is an error page.
impl From<AccountError> for AppError {
    fn from(err: AccountError) -> Self {
        match err {
            AccountError::NotFound => AppError::NotFound,
            AccountError::Forbidden => AppError::Forbidden,
            AccountError::Conflict(_) | AccountError::AlreadyDecided | AccountError::State(_) => {
                AppError::Conflict
            }
            AccountError::Link(_) => AppError::NotFound,
            other => AppError::internal(other),
        }
    }
}

/// Per-field problems are 422; a link no one was sent 404, a used or expired one 410; a
/// request decided already, or one the record's state refuses, 409.
impl From<AccountError> for ApiError {
    fn from(err: AccountError) -> Self {
        match err {
            AccountError::Invalid(problems) => ApiError::invalid(problems.into_vec()),
            AccountError::State(problems) => {
                let fields = problems.into_vec();
                let detail = fields
                    .first()
                    .map(|(_, message)| format!("{message}."))
                    .unwrap_or_else(|| "The record's current state refuses this.".into());
                ApiError {
                    status: StatusCode::CONFLICT,
                    detail,
                    fields,
                }
            }
            AccountError::Link(LinkState::Unknown) => ApiError {
                status: StatusCode::NOT_FOUND,
                detail: "No link has this token.".into(),
                fields: Vec::new(),
            },
            AccountError::Link(_) => ApiError {
                status: StatusCode::GONE,
                detail: "This link is used, expired or not valid.".into(),
                fields: Vec::new(),
            },
            AccountError::AlreadyDecided => ApiError::conflict("This request has already been decided."),
            other => ApiError::from(AppError::from(other)),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use utoipa::PartialSchema;

    fn email_pattern<T: PartialSchema>() -> String {
        let schema = serde_json::to_value(T::schema()).unwrap();
        schema["properties"]["email"]["pattern"]
            .as_str()
            .unwrap()
            .to_string()
    }

    #[test]
    fn every_email_field_states_the_same_pattern() {
        assert_eq!(email_pattern::<Registration>(), EMAIL);
        assert_eq!(email_pattern::<crate::api::people::ErasureRequest>(), EMAIL);
        assert_eq!(email_pattern::<crate::api::places::ChairBody>(), EMAIL);
    }
}
