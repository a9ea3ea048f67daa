//! Applying to a round, shared by the pages and the API: loading an application with the
//! permission check ([`load`]), saving a section and uploading files ([`sections`]), asking
//! for sign-off ([`signoff`]), starting, submitting and withdrawing ([`submission`]) and the
//! reminders before a deadline ([`reminders`]). Every action returns an
//! [`ApplicationError`], which pages show as a page and the API as problem+json.

mod contacts;
mod deadlines;
mod list;
mod places;
mod reminders;
mod sections;
mod signoff;
mod submission;
mod uploads;

pub use contacts::remove_contact;
/// Rows the pages and the API show as they are.
pub use convene_store::applications::{SaveOutcome, SavedSection};
pub use convene_store::signoffs::Contact;
pub use convene_store::uploads::UploadInfo;
pub use deadlines::extend_deadline;
pub use list::{EXPORT_BATCH, Export, Exported, ListFilter, ListPage, Listed, export, list};
pub use places::{places_to_apply_for, round_by_slugs};
pub use reminders::{REMINDER_HOURS, send_reminders};
pub use sections::{MAX_UPLOAD_BYTES, save_section, upload};
pub use signoff::{
    Refusal, SIGNOFF_LINK_DAYS, SignOff, SignerWords, SignoffLink, SignoffState, Unusable, add_contact,
    open_signoff, send_signoff_requests, sign_off, signoff_state,
};
pub use submission::{next_steps, start, submit, withdraw};
pub use uploads::{download, uploaded_files};

use crate::App;
use convene_domain::Timestamp;
use convene_domain::applications::{self as rules, ApplicationStatus, Blocker};
use convene_domain::forms::{Answers, FieldProblem, FormDefinition};
use convene_domain::policy::{Action, Principal, Resource, allows};
use convene_domain::{PlaceId, ProgrammeId};
use convene_store::StoreError;
use convene_store::applications::{self, Application};
use convene_store::forms::{self, StoredForm};
use convene_store::organisations;
use convene_store::programmes::{self, Place, Programme, Round};

/// Why an application action did not happen.
#[derive(Debug, thiserror::Error)]
pub enum ApplicationError {
    #[error("no such application")]
    NotFound,
    #[error("not allowed")]
    Forbidden,
    /// Answers failed their checks; nothing was saved.
    #[error("the answers need correcting")]
    Invalid(Vec<FieldProblem>),
    /// The section was saved elsewhere since it was loaded; nothing was saved.
    #[error("saved elsewhere since it was loaded")]
    Conflict(Option<SavedSection>),
    /// The application is submitted or withdrawn.
    #[error("the application is {}", .0.label())]
    NotEditable(ApplicationStatus),
    /// Submission refused; the draft is kept.
    #[error("the application cannot be submitted yet")]
    Blocked(Vec<Blocker>),
    #[error(transparent)]
    Store(StoreError),
}

impl From<StoreError> for ApplicationError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => ApplicationError::NotFound,
            other => ApplicationError::Store(other),
        }
    }
}

/// An application with everything its pages need.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub application: Application,
    pub round: Round,
    pub programme: Programme,
    pub place: Place,
    pub form: StoredForm,
    pub sections: Vec<SavedSection>,
    pub answers: Answers,
    /// True when the person it was loaded for has a conflict of interest covering it.
    pub conflicted: bool,
}

impl Loaded {
    /// The deadline that applies to this application.
    pub fn deadline(&self) -> Timestamp {
        rules::deadline(self.round.closes_at, self.application.deadline_extended_to)
    }

    /// The question definitions.
    pub fn definition(&self) -> &FormDefinition {
        &self.form.definition
    }

    /// The saved version of a section (0 when never saved).
    pub fn section_version(&self, key: &str) -> i64 {
        self.sections
            .iter()
            .find(|s| s.key == key)
            .map_or(0, |s| s.version)
    }

    /// The permission resource this application is.
    pub fn resource(&self) -> Resource<'static> {
        resource(&self.application, self.round.programme_id, self.conflicted)
    }
}

fn resource(a: &Application, programme_id: ProgrammeId, conflicted: bool) -> Resource<'static> {
    Resource::Application {
        place_id: a.place_id,
        programme_id,
        round_id: a.round_id,
        submitted: a.status == ApplicationStatus::Submitted,
        conflicted,
    }
}

/// Loads an application and checks `action` on it for `who`.
pub async fn load(app: &App, who: &Principal, id: i64, action: Action) -> Result<Loaded, ApplicationError> {
    let (application, programme, round) = with_round(app, id).await?;
    let conflicted = crate::panels::conflicted(app, who, round.id, application.id).await?;
    if !allows(
        who,
        action,
        resource(&application, round.programme_id, conflicted),
    ) {
        // Someone who may not even read it is told it does not exist.
        let readable = allows(
            who,
            Action::View,
            resource(&application, round.programme_id, conflicted),
        );
        return Err(if readable {
            ApplicationError::Forbidden
        } else {
            ApplicationError::NotFound
        });
    }
    let mut loaded = load_record(app, application, programme, round).await?;
    loaded.conflicted = conflicted;
    Ok(loaded)
}

/// Loads an application for someone holding a sign-off link: the link is the permission,
/// checked by the caller.
pub async fn load_for_signoff(app: &App, id: i64) -> Result<Loaded, ApplicationError> {
    let (application, programme, round) = with_round(app, id).await?;
    load_record(app, application, programme, round).await
}

/// The application with its programme and round (from the catalogue's cache).
async fn with_round(app: &App, id: i64) -> Result<(Application, Programme, Round), ApplicationError> {
    let application = applications::by_id(&app.db, id)
        .await?
        .ok_or(ApplicationError::NotFound)?;
    let (programme, round) = app
        .catalogue
        .round(&app.db, application.round_id)
        .await?
        .ok_or(ApplicationError::NotFound)?;
    Ok((application, programme, round))
}

async fn load_record(
    app: &App,
    application: Application,
    programme: Programme,
    round: Round,
) -> Result<Loaded, ApplicationError> {
    let id = application.id;
    let place = programmes::place(&app.db, application.place_id.0)
        .await?
        .ok_or(ApplicationError::NotFound)?;
    let form = forms::by_id(&app.db, application.form_id)
        .await?
        .ok_or(ApplicationError::NotFound)?;
    let sections = applications::sections(&app.db, id).await?;
    let answers = applications::merge(&sections);
    Ok(Loaded {
        application,
        round,
        programme,
        place,
        form,
        sections,
        answers,
        conflicted: false,
    })
}

/// Everything that stops this application being submitted at `now`.
pub fn blockers(loaded: &Loaded, signoff: &SignoffState, now: Timestamp) -> Vec<Blocker> {
    let missing = loaded.round.signoff_required && !signoff.chair_signed(&loaded.application.answers_digest);
    rules::blockers(
        loaded.definition(),
        &loaded.answers,
        loaded.application.status,
        missing,
        loaded.deadline(),
        now,
    )
}

/// The organisations a place may name as partners: (org-id, name).
pub async fn partner_choices(
    app: &App,
    place_id: PlaceId,
) -> Result<Vec<(String, String)>, ApplicationError> {
    Ok(organisations::place_partners(&app.db, place_id).await?)
}
