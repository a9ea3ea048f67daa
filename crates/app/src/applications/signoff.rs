//! Sign-off by signed link: the board chair (from the place record, never the applicant)
//! and partner contacts confirm the answers as they stand. The links are
//! [`LinkKind::Signoff`] links ([`crate::links`]): issued here and by the reminders,
//! opened with [`open_signoff`], spent by [`sign_off`] (the confirming POST only).

use super::{ApplicationError, Loaded, load_for_signoff};
use crate::links::{self, LinkKind, LinkState, NewLink, Record, Spend};
use crate::{App, Work, mail};
use convene_domain::Email;
use convene_domain::Timestamp;
use convene_domain::audit::AuditAction;
use convene_domain::forms::FieldProblem;
use convene_domain::policy::Principal;
use convene_store::StoreError;
use convene_store::applications;
use convene_store::signoffs::{self, Confirmation, Contact, Signoff};

/// How long a sign-off link works, in days ([`LinkKind::Signoff`]'s lifetime).
pub const SIGNOFF_LINK_DAYS: i64 = LinkKind::Signoff.lifetime_seconds() / (24 * 3600);

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
    let (chair_name, chair_email) = check_ready_for_signoff(applicant_email, loaded)?;
    let current = signoff_state(app, loaded).await?;
    let digest = &loaded.application.answers_digest;
    let mut people: Vec<(&str, &str, &str, &str)> = vec![(
        signoffs::CHAIR,
        chair_name,
        chair_email,
        "Health and Wellbeing Board",
    )];
    for c in &current.contacts {
        people.push((signoffs::PARTNER, &c.name, &c.email, &c.organisation));
    }
    let mut work = app.begin(Some(who.user_id.0)).await?;
    let expires_at = work.now().plus_seconds(LinkKind::Signoff.lifetime_seconds());
    let mut sent = 0;
    for (kind, name, email, organisation) in people {
        let done = current
            .in_force(email)
            .is_some_and(|s| s.confirmed_at.is_some() && &s.answers_digest == digest);
        if done {
            continue;
        }
        let link = Link {
            kind,
            name,
            email,
            organisation,
            expires_at,
            reminder: false,
        };
        issue_link(&mut work, &app.settings.public_url, loaded, &link).await?;
        sent += 1;
    }
    applications::set_awaiting_signoff(work.tx(), loaded.application.id).await?;
    work.audit(AuditAction::SignoffRequested, Some(loaded.application.id.0))
        .await?;
    work.commit().await?;
    Ok(sent)
}

/// The board chair's name and address once the application may be sent for sign-off:
/// editable, every section complete, a chair on record who is not the applicant.
fn check_ready_for_signoff<'a>(
    applicant_email: &str,
    loaded: &'a Loaded,
) -> Result<(&'a str, &'a str), ApplicationError> {
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
    Ok((chair_name, chair_email))
}

/// A sign-off link to send.
pub(super) struct Link<'a> {
    pub(super) kind: &'a str,
    pub(super) name: &'a str,
    pub(super) email: &'a str,
    pub(super) organisation: &'a str,
    /// When it stops working: the change's moment plus [`LinkKind::Signoff`]'s lifetime,
    /// which is what [`links::issue`] gives it.
    pub(super) expires_at: Timestamp,
    /// True when it is the reminder before the deadline.
    pub(super) reminder: bool,
}

/// Issues a new link (voiding any earlier open one to the same person) and queues its email.
pub(super) async fn issue_link(
    work: &mut Work,
    public_url: &str,
    loaded: &Loaded,
    link: &Link<'_>,
) -> Result<(), StoreError> {
    let new = NewLink::Signoff {
        application_id: loaded.application.id.0,
        kind: link.kind,
        name: link.name,
        email: link.email,
        organisation: link.organisation,
        answers_digest: &loaded.application.answers_digest,
    };
    let issued = links::issue_under(public_url, work, new).await?;
    debug_assert_eq!(issued.expires_at, link.expires_at, "a sign-off link's lifetime");
    let request = mail::SignoffRequest {
        to: link.email.to_string(),
        name: link.name.to_string(),
        chair: link.kind == signoffs::CHAIR,
        place: loaded.place.name.clone(),
        round: loaded.round.name.clone(),
        link: issued.url,
        expires: issued.expires_at.london_words(),
        contact: loaded.programme.contact_email.clone(),
        reminder_deadline: link.reminder.then(|| loaded.deadline().london_words()),
    };
    work.send(&request).await?;
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

/// Why a sign-off link cannot be used, most telling first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unusable {
    /// No link has this secret.
    NotValid,
    /// It has been used: the sign-off is recorded.
    Used,
    /// Its fourteen days have passed.
    Expired,
    /// The answers changed since it was sent; a new link will follow.
    Changed,
    /// A newer link was sent to the same person.
    Replaced,
    /// The application was submitted or withdrawn.
    Closed,
}

/// A usable sign-off link: who it asks, and the application as it stands.
#[derive(Debug, Clone)]
pub struct SignoffLink {
    pub signoff: Signoff,
    pub loaded: Loaded,
}

impl SignoffLink {
    /// True when the board chair is asked (rather than a partner).
    pub fn is_chair(&self) -> bool {
        self.signoff.kind == signoffs::CHAIR
    }
}

/// A link that cannot be used: why, and the programme's contact address when the link
/// was real.
pub type Refusal = (Unusable, Option<String>);

/// Opens a sign-off link without spending it (mail scanners open links): the application
/// read-only for its page, or why it cannot be used.
pub async fn open_signoff(app: &App, secret: &str) -> Result<Result<SignoffLink, Refusal>, ApplicationError> {
    let shown = links::show(app, LinkKind::Signoff, secret).await?;
    let Some(Record::Signoff(signoff)) = shown.record else {
        return Ok(Err((Unusable::NotValid, None)));
    };
    let loaded = load_for_signoff(app, signoff.application_id).await?;
    let contact = Some(loaded.programme.contact_email.clone());
    let problem = if shown.state == LinkState::Used {
        Some(Unusable::Used)
    } else if !loaded.application.status.is_editable() {
        Some(Unusable::Closed)
    } else if signoff.answers_digest != loaded.application.answers_digest {
        Some(Unusable::Changed)
    } else {
        match shown.state {
            LinkState::Voided => Some(Unusable::Replaced),
            LinkState::Expired => Some(Unusable::Expired),
            LinkState::Unknown => Some(Unusable::NotValid),
            LinkState::Live | LinkState::Used => None,
        }
    };
    Ok(match problem {
        Some(p) => Err((p, contact)),
        None => Ok(SignoffLink { signoff, loaded }),
    })
}

/// What the signer types.
#[derive(Debug, Clone, Copy, Default)]
pub struct SignerWords<'a> {
    pub name: &'a str,
    /// Their role, e.g. "Chair, Health and Wellbeing Board".
    pub role: &'a str,
    pub comment: &'a str,
    /// True when they ticked that they confirm the application.
    pub confirmed: bool,
}

impl SignerWords<'_> {
    fn problems(&self) -> Vec<FieldProblem> {
        let mut problems: Vec<FieldProblem> = Vec::new();
        if self.name.trim().is_empty() {
            problems.push(("name".into(), "Enter your full name".into()));
        }
        if self.role.trim().is_empty() {
            problems.push((
                "role".into(),
                "Enter your role, for example Chair, Health and Wellbeing Board".into(),
            ));
        }
        if self.comment.chars().count() > 2000 {
            problems.push((
                "comment".into(),
                "Your comments must be 2,000 characters or fewer".into(),
            ));
        }
        if !self.confirmed {
            problems.push((
                "confirm".into(),
                "Select whether you confirm this application".into(),
            ));
        }
        problems
    }
}

/// What signing off came to.
#[derive(Debug, Clone)]
pub enum SignOff {
    /// Recorded; the link is spent.
    Done(Box<SignoffLink>),
    /// The link cannot be used (checked first, and again if it was spent or voided
    /// between the page and the click).
    Unusable(Refusal),
    /// What was typed needs correcting; the link is kept.
    Invalid(Vec<FieldProblem>, Box<SignoffLink>),
}

/// Spends a sign-off link with the signer's words, if the link is usable and the words
/// pass their checks, and records it in the audit log.
pub async fn sign_off(app: &App, secret: &str, words: &SignerWords<'_>) -> Result<SignOff, ApplicationError> {
    let link = match open_signoff(app, secret).await? {
        Err(refusal) => return Ok(SignOff::Unusable(refusal)),
        Ok(link) => link,
    };
    let problems = words.problems();
    if !problems.is_empty() {
        return Ok(SignOff::Invalid(problems, Box::new(link)));
    }
    let confirmation = Confirmation {
        name: words.name.trim(),
        role: words.role.trim(),
        comment: words.comment.trim(),
    };
    let mut work = app.begin(None).await?;
    if links::spend(app, &mut work, secret, Spend::Signoff(&confirmation))
        .await?
        .is_none()
    {
        drop(work);
        // Spent or voided between the page and the click: say which.
        return match open_signoff(app, secret).await? {
            Err(refusal) => Ok(SignOff::Unusable(refusal)),
            Ok(_) => Err(ApplicationError::Store(StoreError::Malformed(
                "sign-off not recorded".into(),
            ))),
        };
    }
    work.audit_with(
        AuditAction::SignedOff,
        Some(link.loaded.application.id.0),
        &format!("signoff {}", link.signoff.id),
    )
    .await?;
    work.commit().await?;
    Ok(SignOff::Done(Box::new(link)))
}
