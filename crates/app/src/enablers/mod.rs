//! Enablers: funded places and enablers choosing each other and the stable matching
//! ([`matching`]), the engagements that follow with contact logged against their
//! allocation ([`engagements`]), and places' queries of that contact ([`queries`]).
//! Shared by the pages and the API.
//!
//! Their actions end in the same ways as a panel's (not found, not allowed, input to
//! correct, saved elsewhere, a state that does not allow it), so they share its error.

pub mod engagements;
pub mod matching;
pub mod queries;
pub mod support;

pub use crate::panels::{PanelError, Problem, Result};

fn invalid(field: &str, message: impl Into<String>) -> PanelError {
    PanelError::Invalid(vec![Problem {
        field: field.into(),
        message: message.into(),
    }])
}
