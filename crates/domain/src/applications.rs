//! An application's life: its status, its reference, the deadline that applies to it,
//! what must be done before it can be submitted, and the fingerprint a sign-off is given on.

use crate::forms::{Answers, FormDefinition, SectionStatus};
use crate::ids::{ApplicationId, PlaceId, RoundId};
use crate::money::Pence;
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Where an application stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ApplicationStatus {
    /// Being written.
    Draft,
    /// Sign-off has been asked for; not yet submitted.
    AwaitingSignoff,
    /// Submitted: read-only from now on.
    Submitted,
    /// Withdrawn by the applicant, with a reason.
    Withdrawn,
}

impl ApplicationStatus {
    pub const ALL: [ApplicationStatus; 4] = [
        ApplicationStatus::Draft,
        ApplicationStatus::AwaitingSignoff,
        ApplicationStatus::Submitted,
        ApplicationStatus::Withdrawn,
    ];

    /// The stored name.
    pub fn key(self) -> &'static str {
        match self {
            ApplicationStatus::Draft => "draft",
            ApplicationStatus::AwaitingSignoff => "awaiting_signoff",
            ApplicationStatus::Submitted => "submitted",
            ApplicationStatus::Withdrawn => "withdrawn",
        }
    }

    /// Reads a stored name.
    pub fn from_key(key: &str) -> Option<ApplicationStatus> {
        Self::ALL.into_iter().find(|s| s.key() == key)
    }

    /// The status in words.
    pub fn label(self) -> &'static str {
        match self {
            ApplicationStatus::Draft => "Draft",
            ApplicationStatus::AwaitingSignoff => "Waiting for sign-off",
            ApplicationStatus::Submitted => "Submitted",
            ApplicationStatus::Withdrawn => "Withdrawn",
        }
    }

    /// The NHS.UK tag colour modifier.
    pub fn tag_class(self) -> &'static str {
        match self {
            ApplicationStatus::Draft => "nhsuk-tag--grey",
            ApplicationStatus::AwaitingSignoff => "nhsuk-tag--yellow",
            ApplicationStatus::Submitted => "nhsuk-tag--green",
            ApplicationStatus::Withdrawn => "nhsuk-tag--red",
        }
    }

    /// True while the applicant may still change the answers.
    pub fn is_editable(self) -> bool {
        matches!(
            self,
            ApplicationStatus::Draft | ApplicationStatus::AwaitingSignoff
        )
    }
}

/// The reference people quote: the round's prefix and a four-digit number ("LV-2013-0007").
pub fn reference(prefix: &str, number: i64) -> String {
    format!("{prefix}-{number:04}")
}

/// The deadline that applies to one application: the round's, unless an admin extended it.
pub fn deadline(round_closes_at: Timestamp, extended_to: Option<Timestamp>) -> Timestamp {
    extended_to.unwrap_or(round_closes_at)
}

/// True when a submission at `now` meets `deadline`, the last instant still accepted
/// (so 22:59:59 UTC is in time for a 23:59:59 BST deadline and 23:00:00 is not).
pub fn in_time(deadline: Timestamp, now: Timestamp) -> bool {
    now <= deadline
}

/// Why an application cannot be submitted yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Blocker {
    /// A section still has unanswered required questions.
    Incomplete { section_key: String, title: String },
    /// The round needs the board chair's sign-off on the current answers first.
    NeedsSignoff,
    /// The deadline has passed; the draft is kept.
    PastDeadline { deadline: Timestamp },
    /// The application is not a draft (already submitted or withdrawn).
    NotEditable(ApplicationStatus),
}

impl Blocker {
    /// The blocker in words, for the check-answers page and the API.
    pub fn message(&self) -> String {
        match self {
            Blocker::Incomplete { title, .. } => format!("Complete \u{201c}{title}\u{201d}"),
            Blocker::NeedsSignoff => {
                "The Health and Wellbeing Board chair must sign off your answers before you submit"
                    .to_string()
            }
            Blocker::PastDeadline { deadline } => format!(
                "The deadline was {}. Your answers are saved, but the application can no longer be submitted",
                deadline.london_words()
            ),
            Blocker::NotEditable(status) => format!(
                "This application is {} and cannot be submitted again",
                status.label().to_lowercase()
            ),
        }
    }
}

/// Everything standing between an application and its submission, in the order to fix.
pub fn blockers(
    form: &FormDefinition,
    answers: &Answers,
    status: ApplicationStatus,
    signoff_needed_and_missing: bool,
    deadline: Timestamp,
    now: Timestamp,
) -> Vec<Blocker> {
    if !status.is_editable() {
        return vec![Blocker::NotEditable(status)];
    }
    let mut found: Vec<Blocker> = form
        .sections
        .iter()
        .filter(|s| s.status(answers) != SectionStatus::Completed)
        .map(|s| Blocker::Incomplete {
            section_key: s.key.clone(),
            title: s.title.clone(),
        })
        .collect();
    if signoff_needed_and_missing {
        found.push(Blocker::NeedsSignoff);
    }
    if !in_time(deadline, now) {
        found.push(Blocker::PastDeadline { deadline });
    }
    found
}

/// A fingerprint of the answers: a sign-off records the one it saw, and any later change
/// to the answers changes it, which voids the sign-off.
pub fn answers_digest(answers: &Answers) -> String {
    let mut hasher = Sha256::new();
    for (key, value) in answers.iter().filter(|(_, v)| !v.is_empty()) {
        // Length-prefixed, so no two different maps hash the same bytes.
        hasher.update((key.len() as u64).to_le_bytes());
        hasher.update(key.as_bytes());
        hasher.update((value.len() as u64).to_le_bytes());
        hasher.update(value.as_bytes());
    }
    hex::encode(hasher.finalize())
}

/// What a saved section changes about its application.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AfterSave {
    /// The fingerprint of every answer now held.
    pub answers_digest: String,
    /// The pledge the answers now make, if the form asks for one.
    pub pledge: Option<crate::Pence>,
    /// The application's status after the save.
    pub status: ApplicationStatus,
    /// True when sign-offs given or asked for on the earlier answers no longer stand.
    pub void_signoffs: bool,
}

/// The rule for a section save: a change to any answer voids every sign-off given or asked
/// for, and an application waiting for sign-off goes back to draft (its links no longer
/// work, so it must ask again). A save that changes nothing leaves both alone.
pub fn after_save(
    form: &FormDefinition,
    answers: &Answers,
    status: ApplicationStatus,
    digest_before: &str,
) -> AfterSave {
    let answers_digest = answers_digest(answers);
    let changed = answers_digest != digest_before;
    let status = if changed && status == ApplicationStatus::AwaitingSignoff {
        ApplicationStatus::Draft
    } else {
        status
    };
    AfterSave {
        pledge: form.pledge(answers),
        answers_digest,
        status,
        void_signoffs: changed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::forms::local_vision_template;

    #[test]
    fn a_changed_answer_voids_sign_off_and_reopens_the_draft() {
        let form = local_vision_template();
        let mut answers = Answers::new();
        answers.insert("breakthrough_issue".into(), "Loneliness in later life".into());
        let before = answers_digest(&answers);
        let same = after_save(&form, &answers, ApplicationStatus::AwaitingSignoff, &before);
        assert_eq!(same.status, ApplicationStatus::AwaitingSignoff);
        assert!(!same.void_signoffs);
        answers.insert("breakthrough_issue".into(), "Loneliness at any age".into());
        let changed = after_save(&form, &answers, ApplicationStatus::AwaitingSignoff, &before);
        assert_eq!(changed.status, ApplicationStatus::Draft);
        assert!(changed.void_signoffs);
        assert_ne!(changed.answers_digest, before);
        let draft = after_save(&form, &answers, ApplicationStatus::Draft, &before);
        assert_eq!(draft.status, ApplicationStatus::Draft);
        assert!(draft.void_signoffs);
    }

    #[test]
    fn references_are_prefix_and_four_digits() {
        assert_eq!(reference("LV-2013", 7), "LV-2013-0007");
        assert_eq!(reference("LV-2013", 12345), "LV-2013-12345");
    }

    #[test]
    fn the_deadline_is_the_last_instant_accepted_across_bst() {
        // 11:59pm on Friday 24 May 2013, London (BST): 22:59:59 UTC.
        let deadline = Timestamp::from_london(2013, 5, 24, 23, 59, 59).unwrap();
        assert_eq!(deadline.iso(), "2013-05-24T22:59:59Z");
        assert!(in_time(deadline, deadline));
        assert!(in_time(deadline, deadline.plus_seconds(-1)));
        assert!(!in_time(deadline, deadline.plus_seconds(1)));
        // In winter (GMT) the same wall-clock deadline is 23:59:59 UTC.
        let winter = Timestamp::from_london(2013, 11, 29, 23, 59, 59).unwrap();
        assert_eq!(winter.iso(), "2013-11-29T23:59:59Z");
        // An extension replaces the round's deadline for one application.
        let later = deadline.plus_seconds(86_400);
        assert_eq!(super::deadline(deadline, Some(later)), later);
        assert_eq!(super::deadline(deadline, None), deadline);
    }

    #[test]
    fn blockers_list_what_is_left_and_keep_the_deadline_last() {
        let form = local_vision_template();
        let deadline = Timestamp::from_london(2013, 5, 24, 23, 59, 59).unwrap();
        let empty = Answers::new();
        let found = blockers(
            &form,
            &empty,
            ApplicationStatus::Draft,
            true,
            deadline,
            deadline.plus_seconds(1),
        );
        assert_eq!(found.len(), form.sections.len() + 2);
        assert_eq!(found.last(), Some(&Blocker::PastDeadline { deadline }));
        assert!(
            found
                .last()
                .unwrap()
                .message()
                .contains("11:59pm on Friday 24 May 2013")
        );
        let done = blockers(
            &form,
            &empty,
            ApplicationStatus::Submitted,
            false,
            deadline,
            deadline,
        );
        assert_eq!(done, vec![Blocker::NotEditable(ApplicationStatus::Submitted)]);
    }

    #[test]
    fn the_digest_changes_with_any_answer() {
        let mut a = Answers::new();
        a.insert("x".into(), "one".into());
        let first = answers_digest(&a);
        a.insert("y".into(), String::new());
        assert_eq!(answers_digest(&a), first, "an empty answer is no answer");
        a.insert("x".into(), "one ".into());
        assert_ne!(answers_digest(&a), first);
        let mut b = Answers::new();
        b.insert("xo".into(), "ne".into());
        assert_ne!(answers_digest(&b), first);
    }

    #[test]
    fn statuses_round_trip_through_their_keys() {
        for s in ApplicationStatus::ALL {
            assert_eq!(ApplicationStatus::from_key(s.key()), Some(s));
        }
        assert!(ApplicationStatus::AwaitingSignoff.is_editable());
        assert!(!ApplicationStatus::Withdrawn.is_editable());
    }
}

/// An application, without its answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Application {
    pub id: ApplicationId,
    pub round_id: RoundId,
    pub place_id: PlaceId,
    pub form_id: i64,
    pub status: ApplicationStatus,
    pub reference: Option<String>,
    pub pledge: Option<Pence>,
    pub answers_digest: String,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub submitted_at: Option<Timestamp>,
    pub withdrawn_at: Option<Timestamp>,
    pub withdrawn_reason: Option<String>,
    pub deadline_extended_to: Option<Timestamp>,
}
