//! Signed links: every emailed link whose last segment is a one-time secret, in one place.
//!
//! A link lets someone who holds only an email do one thing: sign off an application,
//! confirm an address, accept an invitation, choose a new password. Every such link is a
//! [`LinkKind`], and every use case that sends, shows or uses one goes through this module:
//!
//! 1. [`issue`] (inside the change's [`Work`]) makes a fresh secret, keeps only its SHA-256
//!    digest with what the link is for ([`NewLink`]) and an expiry from the kind's lifetime,
//!    and gives back the URL (`{public_url}{route}{secret}`) to put in the email it queues.
//! 2. [`show`] reads a link by its secret for a page: its [`LinkState`] (live, used,
//!    expired, voided or unknown) and the row it was issued as ([`Record`]). Opening a link
//!    never spends it: mail scanners open links.
//! 3. [`spend`] uses it, once: one conditional UPDATE, so of two clicks (or a race) only
//!    one gets `Some`. Call it only from the confirming POST of the link's page. When it
//!    gives `None`, [`show`] says why.
//! 4. [`void`] ends one link early because what it was sent about changed (a newer link, a
//!    removed contact); [`expire`] ends its lifetime now; [`void_for_person`] ends every
//!    unspent confirmation and reset link of an account (its credentials end together:
//!    docs/decisions/0003-credentials-end-together.md).
//!
//! Routes are [`convene_domain::links::SECRET_LINK_ROUTES`], so a kept or handed-out copy
//! of the mail has its links removed (`redact_links`). Adding a kind (an RSVP, a rater's
//! invitation): a variant here with its route and lifetime, its route in
//! `SECRET_LINK_ROUTES`, a table with `id`, `token_digest` and `expires_at` (and the store's
//! [`LinkTable`]), and an arm in each function below.

use crate::{App, Work};
use convene_domain::Timestamp;
use convene_domain::UserId;
use convene_domain::accounts::{Role, new_secret, secret_digest};
use convene_domain::{ApplicationId, ProgrammeId};
use convene_store::requests::{self, Invitation};
use convene_store::signoffs::{self, Confirmation, Signoff};
use convene_store::tokens::{self, EmailVerification, LinkTable};
use convene_store::{Result, tokens::LinkState as StoredState};

/// What a link lets its holder do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LinkKind {
    /// A board chair or partner signs off an application (no account needed).
    Signoff,
    /// Someone proves an address is theirs: a new account's, or the one it moves to.
    EmailConfirmation,
    /// Someone is given a role by an admin (the link also proves their address).
    Invitation,
    /// Someone who forgot their password chooses a new one.
    PasswordReset,
}

impl LinkKind {
    /// Every kind.
    pub const ALL: [LinkKind; 4] = [
        LinkKind::Signoff,
        LinkKind::EmailConfirmation,
        LinkKind::Invitation,
        LinkKind::PasswordReset,
    ];

    /// The route the secret follows (one of `SECRET_LINK_ROUTES`).
    pub const fn route(self) -> &'static str {
        match self {
            LinkKind::Signoff => "/sign-off/",
            LinkKind::EmailConfirmation => "/verify-email/",
            LinkKind::Invitation => "/invitations/",
            LinkKind::PasswordReset => "/reset-password/",
        }
    }

    /// How long a link of this kind works, in seconds (the emails say so in words).
    pub const fn lifetime_seconds(self) -> i64 {
        match self {
            LinkKind::Signoff | LinkKind::Invitation => 14 * 24 * 3600,
            LinkKind::EmailConfirmation => 24 * 3600,
            LinkKind::PasswordReset => 3600,
        }
    }

    /// The address of a link with `secret`, under the service's `public_url`.
    pub fn url(self, public_url: &str, secret: &str) -> String {
        format!("{public_url}{}{secret}", self.route())
    }

    const fn table(self) -> LinkTable {
        match self {
            LinkKind::Signoff => LinkTable::Signoffs,
            LinkKind::EmailConfirmation => LinkTable::EmailVerifications,
            LinkKind::Invitation => LinkTable::Invitations,
            LinkKind::PasswordReset => LinkTable::PasswordResets,
        }
    }
}

/// Where a link stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkState {
    /// It works: the page may offer the button that spends it.
    Live,
    /// It has been spent (each link works once), or voided where its table has no void mark.
    Used,
    /// Its lifetime has passed.
    Expired,
    /// It was replaced or withdrawn before it was used (sign-off links).
    Voided,
    /// No link has this secret (mistyped, cut short, or never issued).
    Unknown,
}

impl From<StoredState> for LinkState {
    fn from(s: StoredState) -> Self {
        match s {
            StoredState::Unknown => LinkState::Unknown,
            StoredState::Used => LinkState::Used,
            StoredState::Expired => LinkState::Expired,
        }
    }
}

/// What a new link is for: the row kept with its digest.
#[derive(Debug, Clone, Copy)]
pub enum NewLink<'a> {
    /// A sign-off asked of `name` (`kind` is `signoffs::CHAIR` or `PARTNER`) on the
    /// answers whose fingerprint is `answers_digest`. Voids their earlier open link.
    Signoff {
        application_id: i64,
        kind: &'a str,
        name: &'a str,
        email: &'a str,
        organisation: &'a str,
        answers_digest: &'a str,
    },
    /// Confirms `email` for the account (its own address, or the one it moves to); once
    /// spent, the person goes on to `return_to` (a local path, or nothing).
    EmailConfirmation {
        user_id: i64,
        email: &'a str,
        return_to: &'a str,
    },
    /// Offers `role` over `scope_id` in a programme to whoever holds `email`.
    Invitation {
        email: &'a str,
        role: Role,
        scope_id: Option<i64>,
        programme_id: i64,
        invited_by: i64,
    },
    /// Lets the account choose a new password.
    PasswordReset { user_id: i64 },
}

impl NewLink<'_> {
    /// The kind of link this makes.
    pub fn kind(&self) -> LinkKind {
        match self {
            NewLink::Signoff { .. } => LinkKind::Signoff,
            NewLink::EmailConfirmation { .. } => LinkKind::EmailConfirmation,
            NewLink::Invitation { .. } => LinkKind::Invitation,
            NewLink::PasswordReset { .. } => LinkKind::PasswordReset,
        }
    }
}

/// A link just issued: put `url` in the email; the secret is kept nowhere else.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issued {
    pub kind: LinkKind,
    /// The link's row, for the audit log and [`void`] / [`expire`].
    pub id: i64,
    pub url: String,
    pub expires_at: Timestamp,
}

/// Issues a link in `work`, with a fresh secret and the kind's lifetime from the change's
/// moment. The URL is built from `app.settings.public_url`.
pub async fn issue(app: &App, work: &mut Work, new: NewLink<'_>) -> Result<Issued> {
    issue_under(&app.settings.public_url, work, new).await
}

/// [`issue`], for callers that hold the service's `public_url` but not the [`App`].
pub(crate) async fn issue_under(public_url: &str, work: &mut Work, new: NewLink<'_>) -> Result<Issued> {
    let kind = new.kind();
    let secret = new_secret();
    let digest = secret_digest(&secret);
    let now = work.now();
    let expires_at = now.plus_seconds(kind.lifetime_seconds());
    let id = match new {
        NewLink::Signoff {
            application_id,
            kind,
            name,
            email,
            organisation,
            answers_digest,
        } => {
            let request = signoffs::NewRequest {
                kind,
                name,
                email,
                organisation,
                token_digest: &digest,
                answers_digest,
                expires_at,
            };
            signoffs::request(work.tx(), ApplicationId(application_id), &request, now).await?
        }
        NewLink::EmailConfirmation {
            user_id,
            email,
            return_to,
        } => {
            tokens::create_email_verification(
                work.tx(),
                UserId(user_id),
                email,
                &digest,
                return_to,
                now,
                expires_at,
            )
            .await?
        }
        NewLink::Invitation {
            email,
            role,
            scope_id,
            programme_id,
            invited_by,
        } => {
            requests::create_invitation(
                work.tx(),
                email,
                role,
                scope_id,
                ProgrammeId(programme_id),
                &digest,
                invited_by,
                now,
                expires_at,
            )
            .await?
        }
        NewLink::PasswordReset { user_id } => {
            tokens::create_password_reset(work.tx(), UserId(user_id), &digest, now, expires_at).await?
        }
    };
    Ok(Issued {
        kind,
        id,
        url: kind.url(public_url, &secret),
        expires_at,
    })
}

/// The row a link was issued as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Record {
    Signoff(Signoff),
    EmailConfirmation(EmailVerification),
    Invitation(Invitation),
    PasswordReset { user_id: i64 },
}

/// A link read by its secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shown {
    pub state: LinkState,
    /// The link's row: for a sign-off link that exists, whatever its state (its page says
    /// more than the state: the application changed, or closed); for the other kinds, only
    /// while it is live.
    pub record: Option<Record>,
}

impl Shown {
    fn live(record: Record) -> Shown {
        Shown {
            state: LinkState::Live,
            record: Some(record),
        }
    }

    fn not_live(state: StoredState) -> Shown {
        Shown {
            state: state.into(),
            record: None,
        }
    }

    /// The row of a live link, or why it cannot be used.
    pub fn into_live(self) -> std::result::Result<Record, LinkState> {
        match (self.state, self.record) {
            (LinkState::Live, Some(record)) => Ok(record),
            (LinkState::Live, None) => Err(LinkState::Unknown),
            (state, _) => Err(state),
        }
    }
}

/// True for a secret as [`issue`] makes them (64 hex digits). Sign-off links are checked
/// before any query, as they always were.
fn well_formed(secret: &str) -> bool {
    secret.len() == 64 && secret.chars().all(|c| c.is_ascii_hexdigit())
}

/// Where a link of `kind` with `secret` stands, and its row. Spends nothing.
pub async fn show(app: &App, kind: LinkKind, secret: &str) -> Result<Shown> {
    let digest = secret_digest(secret);
    let now = app.clock.now();
    Ok(match kind {
        LinkKind::Signoff => {
            let found = if well_formed(secret) {
                signoffs::by_token(&app.db, &digest).await?
            } else {
                None
            };
            match found {
                None => Shown::not_live(StoredState::Unknown),
                Some(signoff) => Shown {
                    state: signoff_state(&signoff, now),
                    record: Some(Record::Signoff(signoff)),
                },
            }
        }
        LinkKind::EmailConfirmation => match tokens::email_verification(&app.db, &digest, now).await? {
            Ok(link) => Shown::live(Record::EmailConfirmation(link)),
            Err(why) => Shown::not_live(why),
        },
        LinkKind::Invitation => match requests::invitation(&app.db, &digest, now).await? {
            Ok(invitation) => Shown::live(Record::Invitation(invitation)),
            Err(why) => Shown::not_live(why),
        },
        LinkKind::PasswordReset => match tokens::password_reset(&app.db, &digest, now).await? {
            Ok(user_id) => Shown::live(Record::PasswordReset { user_id }),
            Err(why) => Shown::not_live(why),
        },
    })
}

/// A sign-off link's state from its row (it counts as expired only after its moment).
fn signoff_state(signoff: &Signoff, now: Timestamp) -> LinkState {
    if signoff.confirmed_at.is_some() {
        LinkState::Used
    } else if signoff.voided_at.is_some() {
        LinkState::Voided
    } else if now > signoff.expires_at {
        LinkState::Expired
    } else {
        LinkState::Live
    }
}

/// How a link is spent, by kind.
#[derive(Debug, Clone, Copy)]
pub enum Spend<'a> {
    /// The signer's own words. Only spent while the application's answers are those the
    /// link was sent on.
    Signoff(&'a Confirmation<'a>),
    EmailConfirmation,
    /// Accepted by this account.
    Invitation {
        user_id: i64,
    },
    /// Spends every other reset link of the person too.
    PasswordReset,
}

/// Spends a live link in `work`, once: `Some` with its row only for the one request that
/// spent it, `None` when it was not live ([`show`] says why). Only a confirming POST may
/// call this, never the page that opening the link shows.
pub async fn spend(app: &App, work: &mut Work, secret: &str, how: Spend<'_>) -> Result<Option<Record>> {
    let digest = secret_digest(secret);
    let now = work.now();
    Ok(match how {
        Spend::Signoff(confirmation) => {
            let Some(signoff) = signoffs::by_token(&app.db, &digest).await? else {
                return Ok(None);
            };
            signoffs::confirm(work.tx(), signoff.id, confirmation, now)
                .await?
                .then_some(Record::Signoff(signoff))
        }
        Spend::EmailConfirmation => tokens::spend_email_verification(work.tx(), &digest, now)
            .await?
            .map(Record::EmailConfirmation),
        Spend::Invitation { user_id } => {
            requests::accept_invitation(work.tx(), &digest, UserId(user_id), now)
                .await?
                .map(Record::Invitation)
        }
        Spend::PasswordReset => tokens::spend_password_reset(work.tx(), &digest, now)
            .await?
            .map(|user_id| Record::PasswordReset { user_id }),
    })
}

/// Ends one unspent link (by the id [`issue`] gave) because what it was sent about
/// changed: a sign-off link reads as voided, a confirmation or reset link as used, an
/// invitation as expired. False when it was already spent or ended.
pub async fn void(work: &mut Work, kind: LinkKind, id: i64) -> Result<bool> {
    let now = work.now();
    tokens::void_link(work.tx(), kind.table(), id, now).await
}

/// Ends one unspent link's lifetime now: it reads as expired. False when it was already
/// spent or ended.
pub async fn expire(work: &mut Work, kind: LinkKind, id: i64) -> Result<bool> {
    let now = work.now();
    tokens::expire_link(work.tx(), kind.table(), id, now).await
}

/// Ends every unspent confirmation and reset link of an account, with its other
/// credentials (docs/decisions/0003-credentials-end-together.md). Returns how many.
pub async fn void_for_person(work: &mut Work, user_id: UserId) -> Result<u64> {
    let now = work.now();
    tokens::void_links_of_user(work.tx(), user_id, now).await
}

#[cfg(test)]
mod tests;
