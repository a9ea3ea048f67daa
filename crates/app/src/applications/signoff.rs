//! Sign-off by signed link: the board chair (from the place record, never the applicant)
//! and partner contacts confirm the answers as they stand.

use super::{ApplicationError, Loaded};
use crate::{App, Work};
use convene_domain::Email;
use convene_domain::Timestamp;
use convene_domain::accounts::{new_secret, secret_digest};
use convene_domain::audit::AuditAction;
use convene_domain::forms::FieldProblem;
use convene_domain::policy::Principal;
use convene_store::StoreError;
use convene_store::applications;
use convene_store::signoffs::{self, Contact, Signoff};

/// How long a sign-off link works.
pub const SIGNOFF_LINK_DAYS: i64 = 14;

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
pub async fn signoff_state(app: &App, loaded: &Loaded) -> Result<SignoffState, ApplicationError> {
    let all = signoffs::for_application(&app.db, loaded.application.id).await?;
    let contacts = signoffs::contacts(&app.db, loaded.application.id).await?;
    let chair = all
        .iter()
        .find(|s| s.kind == signoffs::CHAIR && s.voided_at.is_none())
        .cloned();
    Ok(SignoffState { chair, all, contacts })
}

/// Sends sign-off links to the board chair (from the place record) and every partner
/// contact who has not already confirmed the current answers. Returns how many were sent.
pub async fn send_signoff_requests(
    app: &App,
    who: &Principal,
    applicant_email: &str,
    loaded: &Loaded,
) -> Result<usize, ApplicationError> {
    if !loaded.application.status.is_editable() {
        return Err(ApplicationError::NotEditable(loaded.application.status));
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
        return Err(ApplicationError::Invalid(incomplete));
    }
    let (Some(chair_name), Some(chair_email)) = (&loaded.place.hwb_chair_name, &loaded.place.hwb_chair_email)
    else {
        return Err(ApplicationError::Invalid(vec![(
            "send".into(),
            "Your place has no Health and Wellbeing Board chair on record. Ask your programme team to add one".into(),
        )]));
    };
    if chair_email.eq_ignore_ascii_case(applicant_email) {
        return Err(ApplicationError::Invalid(vec![(
            "send".into(),
            "You cannot sign off your own application. Ask your programme team to check the board chair's contact"
                .into(),
        )]));
    }
    let current = signoff_state(app, loaded).await?;
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
    let mut work = app.begin(Some(who.user_id)).await?;
    let expires_at = work.now().plus_seconds(SIGNOFF_LINK_DAYS * 24 * 3600);
    let mut sent = 0;
    for (kind, name, email, organisation) in &people {
        let done = current
            .in_force(email)
            .is_some_and(|s| s.confirmed_at.is_some() && &s.answers_digest == digest);
        if done {
            continue;
        }
        issue_link(
            &mut work,
            &app.settings.public_url,
            loaded,
            &Link {
                kind,
                name,
                email,
                organisation,
                expires_at,
                reminder: false,
            },
        )
        .await?;
        sent += 1;
    }
    applications::set_awaiting_signoff(work.tx(), loaded.application.id).await?;
    work.audit(AuditAction::SignoffRequested, Some(loaded.application.id))
        .await?;
    work.commit().await?;
    Ok(sent)
}

/// A sign-off link to send.
pub(super) struct Link<'a> {
    pub(super) kind: &'a str,
    pub(super) name: &'a str,
    pub(super) email: &'a str,
    pub(super) organisation: &'a str,
    pub(super) expires_at: Timestamp,
    /// True when it is the reminder before the deadline.
    pub(super) reminder: bool,
}

/// Records a new link (voiding any earlier open one to the same person) and queues its email.
pub(super) async fn issue_link(
    work: &mut Work,
    public_url: &str,
    loaded: &Loaded,
    link: &Link<'_>,
) -> Result<(), StoreError> {
    let secret = new_secret();
    let now = work.now();
    signoffs::request(
        work.tx(),
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
    work.mail(link.email, &subject, &body).await?;
    Ok(())
}

/// Adds a partner contact to be asked for confirmation.
pub async fn add_contact(
    app: &App,
    applicant_email: &str,
    loaded: &Loaded,
    name: &str,
    email: &str,
    organisation: &str,
) -> Result<(), ApplicationError> {
    if !loaded.application.status.is_editable() {
        return Err(ApplicationError::NotEditable(loaded.application.status));
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
        return Err(ApplicationError::Invalid(problems));
    };
    if !problems.is_empty() {
        return Err(ApplicationError::Invalid(problems));
    }
    let mut work = app.begin(None).await?;
    match signoffs::add_contact(
        work.tx(),
        loaded.application.id,
        name.trim(),
        email.as_str(),
        organisation.trim(),
    )
    .await
    {
        Ok(_) => {}
        Err(StoreError::Duplicate(_)) => {
            return Err(ApplicationError::Invalid(vec![(
                "contact_email".into(),
                "This person is already listed as a partner contact".into(),
            )]));
        }
        Err(e) => return Err(e.into()),
    }
    work.commit().await?;
    Ok(())
}
