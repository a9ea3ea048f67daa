//! Self-service accounts, shared by the pages and the API: registering (with the address
//! proven by a single-use link), asking to act for a place and an admin's decision
//! (`requests`), and invitations (`invitations`). Roles are never self-granted.
//!
//! Registering never says whether an address is in use: a used address gets the same
//! answer, the same work (a password hash and one queued email), and its owner is told by
//! email instead. Every emailed link goes through [`crate::links`].

mod invitations;
mod requests;

pub use invitations::{
    InviteChoices, InvitedRole, Offer, accept_invitation, invitation_offer, invite, invite_choices,
    may_accept, register_invited,
};
pub(crate) use requests::tell_admins;
pub use requests::{
    JoinChoices, OWN_REQUEST, PlaceChoice, ProgrammeRequests, RequestDetail, RequestLine, SELECT_PLACE,
    decide, join_choices, programme_requests, request_detail, request_place,
};

pub use convene_store::requests::{Invitation, RequestStatus, RoleRequest};
pub use convene_store::tokens::EmailVerification;

use crate::accounts::{AccountError, Problems, Result, User, check_profile, passwords};
use crate::links::{self, LinkKind, LinkState, NewLink, Record, Spend};
use crate::{App, Cache, Work, mail};
use convene_domain::Email;
use convene_domain::UserId;
use convene_domain::accounts::check_new_password;
use convene_domain::audit::AuditAction;
use convene_store::users::{self, NewAccount};

/// What a person types to register (or to take up an invitation, where the address is the
/// invitation's).
#[derive(Debug, Clone, Copy, Default)]
pub struct Details<'a> {
    pub name: &'a str,
    pub email: &'a str,
    pub organisation: &'a str,
    pub job_role: &'a str,
    pub password: &'a str,
}

impl Details<'_> {
    /// The problems with the profile fields, then (with `email`) the address, then the
    /// password, in page order.
    fn problems(&self, with_email: bool) -> (Problems, Option<Email>) {
        let mut problems = Problems::default();
        check_profile(&mut problems, self.name, self.organisation, self.job_role);
        let email = if with_email {
            Email::parse(self.email)
                .map_err(|e| problems.add("email", e.to_string()))
                .ok()
        } else {
            None
        };
        if let Err(e) = check_new_password(self.password) {
            problems.add("password", e.to_string());
        }
        (problems, email)
    }

    /// The account to create with `email` and the password's `hash`.
    fn account<'a>(&'a self, email: &'a Email, hash: &'a str, verified: bool) -> NewAccount<'a> {
        NewAccount {
            email,
            name: self.name.trim(),
            organisation: self.organisation.trim(),
            job_role: self.job_role.trim(),
            password_hash: hash,
            verified,
        }
    }
}

/// Queues the mail that carries an address-confirmation link.
async fn send_confirmation(
    app: &App,
    work: &mut Work,
    user_id: UserId,
    name: &str,
    email: &str,
    return_to: &str,
) -> Result<()> {
    let link = NewLink::EmailConfirmation {
        user_id: user_id.0,
        email,
        return_to,
    };
    let link = links::issue(app, work, link).await?;
    work.send(&mail::ConfirmEmail {
        to: email.to_string(),
        name: name.to_string(),
        link: link.url,
    })
    .await?;
    Ok(())
}

/// Registers a person, or (for an address already in use) tells its owner. Either way the
/// caller shows the same "check your email" answer. Once confirmed, the person goes on to
/// `return_to` (a local path, or nothing).
pub async fn register(app: &App, input: &Details<'_>, return_to: &str) -> Result<()> {
    let (problems, email) = input.problems(true);
    let Some(email) = email.filter(|_| problems.is_empty()) else {
        return Err(problems.into());
    };
    // Hashed whether or not the address is used, so both take as long.
    let hash = passwords::hash(input.password).await?;
    let mut work = app.begin(None).await?;
    match users::by_email_tx(work.tx(), &email).await? {
        Some(owner) => {
            work.send(&mail::AccountExists {
                to: email.to_string(),
                public_url: app.settings.public_url.clone(),
            })
            .await?;
            work.audit(AuditAction::RegistrationForUsedEmail, Some(owner))
                .await?;
        }
        None => {
            let account = input.account(&email, &hash, false);
            let now = work.now();
            let user_id = users::register(work.tx(), &account, now).await?;
            send_confirmation(
                app,
                &mut work,
                UserId(user_id),
                account.name,
                email.as_str(),
                return_to,
            )
            .await?;
            work.set_actor(Some(user_id));
            work.audit(AuditAction::Registered, Some(user_id)).await?;
        }
    }
    work.commit().await?;
    Ok(())
}

/// Sends a fresh confirmation link to a person whose address is unconfirmed; once it is
/// confirmed they sign in and go on to `return_to` (a local path, or nothing).
pub(crate) async fn resend_confirmation(app: &App, user: &User, return_to: &str) -> Result<()> {
    if user.email_verified {
        return Ok(());
    }
    let mut work = app.begin(None).await?;
    send_confirmation(app, &mut work, user.id, &user.name, &user.email, return_to).await?;
    work.commit().await?;
    Ok(())
}

/// Sends a link to a new address; the account moves to it once the link is opened. A used
/// address gets the same answer, and its owner is told instead.
pub(crate) async fn move_to_address(app: &App, user: &User, new_email: &Email) -> Result<()> {
    let mut work = app.begin(Some(user.id.0)).await?;
    if users::by_email_tx(work.tx(), new_email).await?.is_some() {
        // Same answer as for a free address; the owner of the used one is told.
        work.send(&mail::EmailInUse {
            to: new_email.to_string(),
        })
        .await?;
    } else {
        send_confirmation(
            app,
            &mut work,
            user.id,
            &user.name,
            new_email.as_str(),
            "/account",
        )
        .await?;
        work.send(&mail::EmailChangeAsked {
            to: user.email.clone(),
        })
        .await?;
    }
    work.audit(AuditAction::EmailChangeRequested, Some(user.id.0))
        .await?;
    work.commit().await?;
    Ok(())
}

/// A live confirmation link, checked but not spent (the page asks for a button press,
/// since mail scanners open links); an [`AccountError::Link`] when it cannot be used.
pub async fn check_confirmation(app: &App, secret: &str) -> Result<EmailVerification> {
    match links::show(app, LinkKind::EmailConfirmation, secret)
        .await?
        .into_live()
    {
        Ok(Record::EmailConfirmation(link)) => Ok(link),
        Ok(_) => Err(AccountError::Link(LinkState::Unknown)),
        Err(why) => Err(AccountError::Link(why)),
    }
}

/// Spends a confirmation link and confirms the address it names.
pub async fn confirm_email(app: &App, secret: &str) -> Result<EmailVerification> {
    let mut work = app.begin(None).await?;
    let Some(Record::EmailConfirmation(link)) =
        links::spend(app, &mut work, secret, Spend::EmailConfirmation).await?
    else {
        drop(work);
        // Say why: used, expired or never issued.
        return Err(AccountError::Link(
            why_not(app, LinkKind::EmailConfirmation, secret).await?,
        ));
    };
    let now = work.now();
    if !users::mark_verified(work.tx(), UserId(link.user_id), &link.email, now).await? {
        // Another account took the address meanwhile.
        return Err(AccountError::Link(LinkState::Used));
    }
    work.set_actor(Some(link.user_id));
    work.audit(AuditAction::EmailVerified, Some(link.user_id)).await?;
    work.clears(Cache::Person(link.user_id));
    work.commit().await?;
    Ok(link)
}

/// Why a link that could not be spent cannot be used (one that reads as live lost a race,
/// so it counts as used).
async fn why_not(app: &App, kind: LinkKind, secret: &str) -> Result<LinkState> {
    Ok(match links::show(app, kind, secret).await?.state {
        LinkState::Live => LinkState::Used,
        why => why,
    })
}
