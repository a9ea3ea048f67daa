//! Panel review: who may review what (conflicts), who reviews what (the exact assignment),
//! rubrics and scores, and the moderation a panel meeting works from.

pub mod assignment;
pub mod conflicts;
mod flow;
pub mod rubric;
pub mod scoring;

/// Something wrong with what was typed, by the field to correct.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub field: String,
    pub message: String,
}

#[cfg(test)]
mod tests;
