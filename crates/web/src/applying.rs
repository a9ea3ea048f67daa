//! Applying to a round, shared by the pages and the API: loading an application with the
//! permission check, saving a section, asking for sign-off, submitting, withdrawing and
//! uploading. Each returns an [`ApplyError`] that pages show as a page and the API as
//! problem+json.

use crate::error::AppError;
use crate::mail;
use crate::state::AppState;
use convene_domain::accounts::{new_secret, secret_digest};
use convene_domain::applications::{self as rules, ApplicationStatus, Blocker};
use convene_domain::forms::{Answers, Choices, FieldProblem, FormDefinition, QuestionKind, SaveMode};
use convene_domain::policy::{Action, Principal, Resource, allows};
use convene_domain::{Email, Timestamp};
use convene_store::applications::{self, Application, SaveOutcome, SavedSection, SubmitOutcome};
use convene_store::forms::{self, StoredForm};
use convene_store::programmes::{self, Place, Programme, Round};
use convene_store::signoffs::{self, Contact, Signoff};
use convene_store::uploads::{self, NewUpload};
use convene_store::{StoreError, audit, organisations};
use std::collections::BTreeMap;

/// How long a sign-off link works.
pub const SIGNOFF_LINK_DAYS: i64 = 14;
/// The largest file accepted.
pub const MAX_UPLOAD_BYTES: usize = 10 * 1024 * 1024;

/// Why an application action did not happen.
#[derive(Debug)]
pub enum ApplyError {
    NotFound,
    Forbidden,
    /// Answers failed their checks; nothing was saved.
    Invalid(Vec<FieldProblem>),
    /// The section was saved elsewhere since it was loaded; nothing was saved.
    Conflict(Option<SavedSection>),
    /// The application is submitted or withdrawn.
    NotEditable(ApplicationStatus),
    /// Submission refused; the draft is kept.
    Blocked(Vec<Blocker>),
    Store(StoreError),
}

impl From<StoreError> for ApplyError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => ApplyError::NotFound,
            other => ApplyError::Store(other),
        }
    }
}

impl From<ApplyError> for AppError {
    fn from(e: ApplyError) -> Self {
        match e {
            ApplyError::NotFound => AppError::NotFound,
            ApplyError::Forbidden => AppError::Forbidden,
            ApplyError::Store(s) => s.into(),
            other => AppError::Internal(format!("unhandled application outcome: {other:?}")),
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
        resource(&self.application, self.round.programme_id)
    }
}

fn resource(a: &Application, programme_id: i64) -> Resource<'static> {
    Resource::Application {
        place_id: a.place_id,
        programme_id,
        round_id: a.round_id,
        submitted: a.status == ApplicationStatus::Submitted,
    }
}

/// Loads an application and checks `action` on it for `who`.
pub async fn load(state: &AppState, who: &Principal, id: i64, action: Action) -> Result<Loaded, ApplyError> {
    let application = applications::by_id(&state.db, id)
        .await?
        .ok_or(ApplyError::NotFound)?;
    let (programme, round) = state
        .catalogue
        .round(&state.db, application.round_id)
        .await?
        .ok_or(ApplyError::NotFound)?;
    if !allows(who, action, resource(&application, round.programme_id)) {
        // Someone who may not even read it is told it does not exist.
        let readable = allows(who, Action::View, resource(&application, round.programme_id));
        return Err(if readable {
            ApplyError::Forbidden
        } else {
            ApplyError::NotFound
        });
    }
    load_record(state, application, programme, round).await
}

/// Loads an application for someone holding a sign-off link: the link is the permission,
/// checked by the caller.
pub async fn load_for_signoff(state: &AppState, id: i64) -> Result<Loaded, ApplyError> {
    let application = applications::by_id(&state.db, id)
        .await?
        .ok_or(ApplyError::NotFound)?;
    let (programme, round) = state
        .catalogue
        .round(&state.db, application.round_id)
        .await?
        .ok_or(ApplyError::NotFound)?;
    load_record(state, application, programme, round).await
}

async fn load_record(
    state: &AppState,
    application: Application,
    programme: Programme,
    round: Round,
) -> Result<Loaded, ApplyError> {
    let id = application.id;
    let place = programmes::place(&state.db, application.place_id)
        .await?
        .ok_or(ApplyError::NotFound)?;
    let form = forms::by_id(&state.db, application.form_id)
        .await?
        .ok_or(ApplyError::NotFound)?;
    let sections = applications::sections(&state.db, id).await?;
    let answers = applications::merge(&sections);
    Ok(Loaded {
        application,
        round,
        programme,
        place,
        form,
        sections,
        answers,
    })
}

/// Where sign-off stands for an application.
#[derive(Debug, Clone, Default)]
pub struct SignoffState {
    /// The newest link sent to the board chair that is still in force.
    pub chair: Option<Signoff>,
    /// Every link ever sent, newest first.
    pub all: Vec<Signoff>,
    pub contacts: Vec<Contact>,
}

impl SignoffState {
    /// True when the chair has signed off the current answers.
    pub fn chair_signed(&self, current_digest: &str) -> bool {
        self.all.iter().any(|s| {
            s.kind == signoffs::CHAIR
                && s.confirmed_at.is_some()
                && s.voided_at.is_none()
                && s.answers_digest == current_digest
        })
    }

    /// The link in force for an email address (the newest not voided).
    pub fn in_force(&self, email: &str) -> Option<&Signoff> {
        self.all
            .iter()
            .find(|s| s.contact_email.eq_ignore_ascii_case(email) && s.voided_at.is_none())
    }

    /// True when a link was voided because the answers changed after it was sent.
    pub fn voided_by_change(&self) -> bool {
        self.all.first().is_some_and(|s| s.voided_at.is_some())
    }
}

/// Loads the sign-off state of an application.
pub async fn signoff_state(state: &AppState, loaded: &Loaded) -> Result<SignoffState, ApplyError> {
    let all = signoffs::for_application(&state.db, loaded.application.id).await?;
    let contacts = signoffs::contacts(&state.db, loaded.application.id).await?;
    let chair = all
        .iter()
        .find(|s| s.kind == signoffs::CHAIR && s.voided_at.is_none())
        .cloned();
    Ok(SignoffState { chair, all, contacts })
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
pub async fn partner_choices(state: &AppState, place_id: i64) -> Result<Vec<(String, String)>, ApplyError> {
    Ok(organisations::place_partners(&state.db, place_id).await?)
}

/// Saves one section's answers, typed over `expected_version`.
pub async fn save_section(
    state: &AppState,
    who: &Principal,
    loaded: &Loaded,
    section_key: &str,
    input: &BTreeMap<String, String>,
    mode: SaveMode,
    expected_version: i64,
) -> Result<SaveOutcome, ApplyError> {
    let section = loaded
        .definition()
        .section(section_key)
        .ok_or(ApplyError::NotFound)?;
    if !loaded.application.status.is_editable() {
        return Err(ApplyError::NotEditable(loaded.application.status));
    }
    let asks_partners = section
        .questions
        .iter()
        .any(|q| q.kind == QuestionKind::Organisations);
    let partner_ids: Vec<String> = if asks_partners {
        partner_choices(state, loaded.place.id)
            .await?
            .into_iter()
            .map(|(id, _)| id)
            .collect()
    } else {
        Vec::new()
    };
    let answers = section
        .check(
            input,
            mode,
            Choices {
                themes: &loaded.round.themes,
                partner_org_ids: &partner_ids,
            },
        )
        .map_err(ApplyError::Invalid)?;
    // A file answer must name a file uploaded to this application.
    for q in section.questions.iter().filter(|q| q.kind == QuestionKind::File) {
        if let Some(id) = answers.get(&q.key).filter(|v| !v.is_empty()) {
            let ok = uploads::info(&state.db, id)
                .await?
                .is_some_and(|u| u.application_id == loaded.application.id);
            if !ok {
                return Err(ApplyError::Invalid(vec![(
                    q.key.clone(),
                    "Upload the file again".into(),
                )]));
            }
        }
    }
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    let outcome = applications::save_section(
        &mut tx,
        loaded.application.id,
        loaded.definition(),
        section_key,
        &answers,
        expected_version,
        Some(who.user_id),
        now,
    )
    .await?;
    match &outcome {
        SaveOutcome::Saved { .. } => {
            tx.commit().await?;
            Ok(outcome)
        }
        SaveOutcome::Conflict { current } => Err(ApplyError::Conflict(current.clone())),
        SaveOutcome::NotEditable(status) => Err(ApplyError::NotEditable(*status)),
    }
}

/// Stores an uploaded file for a question of this application after checking its content.
/// Returns the upload's id, which becomes the question's answer.
pub async fn upload(
    state: &AppState,
    who: &Principal,
    loaded: &Loaded,
    question_key: &str,
    file_name: &str,
    content: &[u8],
) -> Result<String, ApplyError> {
    let is_file_question = loaded
        .definition()
        .questions()
        .any(|q| q.key == question_key && q.kind == QuestionKind::File);
    if !is_file_question {
        return Err(ApplyError::NotFound);
    }
    if !loaded.application.status.is_editable() {
        return Err(ApplyError::NotEditable(loaded.application.status));
    }
    let checked = crate::files::check(file_name, content)
        .map_err(|message| ApplyError::Invalid(vec![(question_key.to_string(), message)]))?;
    if let Some(socket) = &state.config.clamd_socket {
        let refuse = |m: &str| ApplyError::Invalid(vec![(question_key.to_string(), m.to_string())]);
        match crate::files::scan(socket, content).await {
            Ok(crate::files::Scan::Clean) => {}
            Ok(crate::files::Scan::Infected(name)) => {
                tracing::warn!(virus = %name, application = loaded.application.id, "infected upload refused");
                return Err(refuse(
                    "The selected file contains a virus and has not been uploaded",
                ));
            }
            Err(e) => {
                tracing::error!(error = %e, "virus scan failed");
                return Err(refuse(
                    "The selected file could not be checked for viruses. Try again later",
                ));
            }
        }
    }
    let public_id = new_secret()[..32].to_string();
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    uploads::insert(
        &mut tx,
        &NewUpload {
            public_id: &public_id,
            application_id: loaded.application.id,
            question_key,
            file_name: &checked.file_name,
            content_type: checked.content_type,
            content,
            uploaded_by: Some(who.user_id),
        },
        now,
    )
    .await?;
    audit::log(
        &mut tx,
        Some(who.user_id),
        "file_uploaded",
        "application",
        Some(loaded.application.id),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(public_id)
}

/// Sends sign-off links to the board chair (from the place record) and every partner
/// contact who has not already confirmed the current answers. Returns how many were sent.
pub async fn send_signoff_requests(
    state: &AppState,
    who: &Principal,
    applicant_email: &str,
    loaded: &Loaded,
) -> Result<usize, ApplyError> {
    if !loaded.application.status.is_editable() {
        return Err(ApplyError::NotEditable(loaded.application.status));
    }
    let incomplete: Vec<FieldProblem> = loaded
        .definition()
        .sections
        .iter()
        .filter(|s| s.status(&loaded.answers) != convene_domain::forms::SectionStatus::Completed)
        .map(|s| {
            (
                "send".to_string(),
                format!("Complete \u{201c}{}\u{201d} before asking for sign-off", s.title),
            )
        })
        .collect();
    if !incomplete.is_empty() {
        return Err(ApplyError::Invalid(incomplete));
    }
    let (Some(chair_name), Some(chair_email)) = (&loaded.place.hwb_chair_name, &loaded.place.hwb_chair_email)
    else {
        return Err(ApplyError::Invalid(vec![(
            "send".into(),
            "Your place has no Health and Wellbeing Board chair on record. Ask your programme team to add one".into(),
        )]));
    };
    if chair_email.eq_ignore_ascii_case(applicant_email) {
        return Err(ApplyError::Invalid(vec![(
            "send".into(),
            "You cannot sign off your own application. Ask your programme team to check the board chair's contact"
                .into(),
        )]));
    }
    let current = signoff_state(state, loaded).await?;
    let digest = &loaded.application.answers_digest;
    let mut people: Vec<(&str, String, String, String)> = vec![(
        signoffs::CHAIR,
        chair_name.clone(),
        chair_email.clone(),
        "Health and Wellbeing Board".to_string(),
    )];
    for c in &current.contacts {
        people.push((
            signoffs::PARTNER,
            c.name.clone(),
            c.email.clone(),
            c.organisation.clone(),
        ));
    }
    let now = state.clock.now();
    let expires_at = now.plus_seconds(SIGNOFF_LINK_DAYS * 24 * 3600);
    let mut tx = state.db.begin().await?;
    let mut sent = 0;
    for (kind, name, email, organisation) in &people {
        let done = current
            .in_force(email)
            .is_some_and(|s| s.confirmed_at.is_some() && &s.answers_digest == digest);
        if done {
            continue;
        }
        issue_link(
            &mut tx,
            &state.config.public_url,
            loaded,
            &Link {
                kind,
                name,
                email,
                organisation,
                expires_at,
                reminder: false,
            },
            now,
        )
        .await?;
        sent += 1;
    }
    applications::set_awaiting_signoff(&mut tx, loaded.application.id).await?;
    audit::log(
        &mut tx,
        Some(who.user_id),
        "signoff_requested",
        "application",
        Some(loaded.application.id),
        now,
    )
    .await?;
    tx.commit().await?;
    state.mail_wake.notify_one();
    Ok(sent)
}

/// A sign-off link to send.
struct Link<'a> {
    kind: &'a str,
    name: &'a str,
    email: &'a str,
    organisation: &'a str,
    expires_at: Timestamp,
    /// True when it is the reminder before the deadline.
    reminder: bool,
}

/// Records a new link (voiding any earlier open one to the same person) and queues its email.
async fn issue_link(
    tx: &mut convene_store::Tx,
    public_url: &str,
    loaded: &Loaded,
    link: &Link<'_>,
    now: Timestamp,
) -> Result<(), StoreError> {
    let secret = new_secret();
    signoffs::request(
        tx,
        loaded.application.id,
        &signoffs::NewRequest {
            kind: link.kind,
            name: link.name,
            email: link.email,
            organisation: link.organisation,
            token_digest: &secret_digest(&secret),
            answers_digest: &loaded.application.answers_digest,
            expires_at: link.expires_at,
        },
        now,
    )
    .await?;
    let url = format!("{public_url}/sign-off/{secret}");
    let (mut subject, ask) = if link.kind == signoffs::CHAIR {
        (
            format!(
                "Please sign off {}'s application to {}",
                loaded.place.name, loaded.round.name
            ),
            "As chair of the Health and Wellbeing Board, you are asked to read the application and sign it off on behalf of the board.",
        )
    } else {
        (
            format!(
                "Please confirm your part in {}'s application to {}",
                loaded.place.name, loaded.round.name
            ),
            "You are named as a partner engaged in this application. Please read it and confirm.",
        )
    };
    let mut opening = String::new();
    if link.reminder {
        subject = format!("Reminder: {subject}");
        opening = format!(
            "The deadline is {}. This is a new link: any earlier one no longer works.\n\n",
            loaded.deadline().london_words()
        );
    }
    let body = format!(
        "Dear {name},\n\n{opening}{place} is applying to {round}. {ask}\n\nRead the application and respond here:\n{url}\n\n\
         You do not need an account. The link works once and until {expires}. If the application changes, \
         you will be sent a new link.\n\nIf you were not expecting this, you can ignore it, or contact {contact}.\n\nConvene",
        name = link.name,
        place = loaded.place.name,
        round = loaded.round.name,
        expires = link.expires_at.london_words(),
        contact = loaded.programme.contact_email,
    );
    mail::queue(tx, link.email, &subject, &body, now).await?;
    Ok(())
}

/// How long before its deadline an unsubmitted application is reminded.
pub const REMINDER_HOURS: i64 = 72;

/// Reminds, once, the leads of every unsubmitted application whose deadline is near, and
/// sends a fresh link to everyone whose sign-off is still awaited. Returns how many
/// applications were reminded. Safe to run on several servers at once.
pub async fn send_reminders(state: &AppState) -> Result<usize, StoreError> {
    let now = state.clock.now();
    let due = applications::due_reminders(&state.db, now, now.plus_seconds(REMINDER_HOURS * 3600)).await?;
    let mut reminded = 0;
    for id in due {
        let loaded = match load_for_signoff(state, id).await {
            Ok(l) => l,
            Err(ApplyError::Store(e)) => return Err(e),
            Err(_) => continue,
        };
        let current = match signoff_state(state, &loaded).await {
            Ok(s) => s,
            Err(ApplyError::Store(e)) => return Err(e),
            Err(_) => continue,
        };
        let leads = convene_store::users::place_lead_emails(&state.db, loaded.place.id).await?;
        let mut tx = state.db.begin().await?;
        if !applications::claim_reminder(&mut tx, id, now).await? {
            continue;
        }
        let deadline = loaded.deadline();
        let body = format!(
            "The application for {place} to {round} has not been submitted yet. The deadline is {when}.\n\n\
             Your answers are saved. Finish and submit it here:\n{url}/applications/{id}\n\nConvene",
            place = loaded.place.name,
            round = loaded.round.name,
            when = deadline.london_words(),
            url = state.config.public_url,
        );
        for lead in &leads {
            mail::queue(
                &mut tx,
                lead,
                &format!(
                    "Reminder: submit {}'s application by {}",
                    loaded.place.name,
                    deadline.london_words()
                ),
                &body,
                now,
            )
            .await?;
        }
        let expires_at = now.plus_seconds(SIGNOFF_LINK_DAYS * 24 * 3600);
        for s in current.all.iter().filter(|s| {
            s.voided_at.is_none()
                && s.confirmed_at.is_none()
                && s.answers_digest == loaded.application.answers_digest
        }) {
            // Only the newest open link per person is in force; request() voids the rest.
            if current.in_force(&s.contact_email).map(|f| f.id) != Some(s.id) {
                continue;
            }
            issue_link(
                &mut tx,
                &state.config.public_url,
                &loaded,
                &Link {
                    kind: &s.kind,
                    name: &s.contact_name,
                    email: &s.contact_email,
                    organisation: &s.organisation,
                    expires_at,
                    reminder: true,
                },
                now,
            )
            .await?;
        }
        tx.commit().await?;
        reminded += 1;
    }
    if reminded > 0 {
        state.mail_wake.notify_one();
    }
    Ok(reminded)
}

/// Adds a partner contact to be asked for confirmation.
pub async fn add_contact(
    state: &AppState,
    applicant_email: &str,
    loaded: &Loaded,
    name: &str,
    email: &str,
    organisation: &str,
) -> Result<(), ApplyError> {
    if !loaded.application.status.is_editable() {
        return Err(ApplyError::NotEditable(loaded.application.status));
    }
    let mut problems = Vec::new();
    if name.trim().is_empty() {
        problems.push((
            "contact_name".to_string(),
            "Enter the partner contact's full name".to_string(),
        ));
    }
    let parsed = Email::parse(email);
    match &parsed {
        Err(e) => problems.push(("contact_email".to_string(), e.to_string())),
        Ok(e) if e.as_str().eq_ignore_ascii_case(applicant_email) => problems.push((
            "contact_email".to_string(),
            "Enter someone else's email address: you cannot confirm your own application".to_string(),
        )),
        Ok(_) => {}
    }
    if organisation.trim().is_empty() {
        problems.push((
            "contact_organisation".to_string(),
            "Enter the partner's organisation".to_string(),
        ));
    }
    let Ok(email) = parsed else {
        return Err(ApplyError::Invalid(problems));
    };
    if !problems.is_empty() {
        return Err(ApplyError::Invalid(problems));
    }
    let mut tx = state.db.begin().await?;
    match signoffs::add_contact(
        &mut tx,
        loaded.application.id,
        name.trim(),
        email.as_str(),
        organisation.trim(),
    )
    .await
    {
        Ok(_) => {}
        Err(StoreError::Duplicate(_)) => {
            return Err(ApplyError::Invalid(vec![(
                "contact_email".into(),
                "This person is already listed as a partner contact".into(),
            )]));
        }
        Err(e) => return Err(e.into()),
    }
    tx.commit().await?;
    Ok(())
}

/// Submits the application. A second submission returns the first one's reference.
pub async fn submit(
    state: &AppState,
    who: &Principal,
    applicant_email: &str,
    loaded: &Loaded,
) -> Result<(String, bool), ApplyError> {
    if let (ApplicationStatus::Submitted, Some(reference)) =
        (loaded.application.status, &loaded.application.reference)
    {
        return Ok((reference.clone(), false));
    }
    let now = state.clock.now();
    let signoff = signoff_state(state, loaded).await?;
    let found = blockers(loaded, &signoff, now);
    if !found.is_empty() {
        return Err(ApplyError::Blocked(found));
    }
    let mut tx = state.db.begin().await?;
    let outcome = applications::submit(&mut tx, loaded.application.id, now).await?;
    let reference = match outcome {
        SubmitOutcome::AlreadySubmitted { reference } => return Ok((reference, false)),
        SubmitOutcome::Withdrawn => return Err(ApplyError::NotEditable(ApplicationStatus::Withdrawn)),
        SubmitOutcome::Submitted { reference } => reference,
    };
    let body = confirmation_email(loaded, &reference, now);
    mail::queue(
        &mut tx,
        applicant_email,
        &format!("Application {reference} received: {}", loaded.round.name),
        &body,
        now,
    )
    .await?;
    audit::log(
        &mut tx,
        Some(who.user_id),
        "application_submitted",
        "application",
        Some(loaded.application.id),
        now,
    )
    .await?;
    tx.commit().await?;
    state.mail_wake.notify_one();
    Ok((reference, true))
}

/// What happens after submission, in the same words on the page and in the email.
pub fn next_steps(round: &Round) -> Vec<String> {
    let mut steps = vec![
        format!(
            "A panel will review the applications. You will hear whether your place has been selected by {}.",
            round.notify_by.london_date()
        ),
        "If the programme team needs anything else from you, they will email you.".to_string(),
    ];
    if let Some(at) = round.launch_event_at {
        let place = round
            .launch_event_location
            .as_deref()
            .map(|l| format!(" in {}", l.to_lowercase()))
            .unwrap_or_default();
        steps.push(format!(
            "Successful places must attend the launch event at {}{place}. Please hold this time in your diary.",
            at.london_words()
        ));
    }
    steps
}

fn confirmation_email(loaded: &Loaded, reference: &str, now: Timestamp) -> String {
    let steps = next_steps(&loaded.round)
        .into_iter()
        .map(|s| format!("- {s}"))
        .collect::<Vec<_>>()
        .join("\n");
    format!(
        "Your application for {place} to {round} was submitted at {at}.\n\nYour reference is {reference}.\n\n\
         What happens next\n\n{steps}\n\nQuestions: {contact}\n\nConvene",
        place = loaded.place.name,
        round = loaded.round.name,
        at = now.london_words(),
        contact = loaded.programme.contact_email,
    )
}

/// Withdraws the application with the applicant's reason.
pub async fn withdraw(
    state: &AppState,
    who: &Principal,
    loaded: &Loaded,
    reason: &str,
) -> Result<(), ApplyError> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(ApplyError::Invalid(vec![(
            "reason".into(),
            "Enter why you are withdrawing the application".into(),
        )]));
    }
    if reason.chars().count() > 2000 {
        return Err(ApplyError::Invalid(vec![(
            "reason".into(),
            "The reason must be 2,000 characters or fewer".into(),
        )]));
    }
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    if !applications::withdraw(&mut tx, loaded.application.id, reason, now).await? {
        return Err(ApplyError::NotEditable(ApplicationStatus::Withdrawn));
    }
    audit::log(
        &mut tx,
        Some(who.user_id),
        "application_withdrawn",
        "application",
        Some(loaded.application.id),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Starts (or finds) a place's application to a round. The person must lead the place,
/// the place must take part in the programme, and the round must be open with a form.
pub async fn start(
    state: &AppState,
    who: &Principal,
    round: &Round,
    place_id: i64,
) -> Result<i64, ApplyError> {
    let place = programmes::place(&state.db, place_id)
        .await?
        .ok_or(ApplyError::NotFound)?;
    let leads = who
        .grants
        .iter()
        .any(|g| g.role == convene_domain::accounts::Role::PlaceLead && g.scope_id == Some(place.id));
    if !leads || !place.programme_ids.contains(&round.programme_id) {
        return Err(ApplyError::Forbidden);
    }
    if let Some(existing) = applications::for_place_in_round(&state.db, round.id, place.id).await? {
        return Ok(existing.id);
    }
    let now = state.clock.now();
    let status = convene_domain::programmes::round_status(round.opens_at, round.closes_at, now);
    if status != convene_domain::programmes::RoundStatus::Open {
        return Err(ApplyError::Invalid(vec![(
            "place".into(),
            format!("{} is not open for applications", round.name),
        )]));
    }
    let form = forms::current(&state.db, round.id).await?.ok_or_else(|| {
        ApplyError::Invalid(vec![(
            "place".into(),
            "This round has no application form yet".into(),
        )])
    })?;
    let mut tx = state.db.begin().await?;
    let (id, created) =
        applications::start(&mut tx, round.id, place.id, form.id, Some(who.user_id), now).await?;
    if created {
        audit::log(
            &mut tx,
            Some(who.user_id),
            "application_started",
            "application",
            Some(id),
            now,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(id)
}
