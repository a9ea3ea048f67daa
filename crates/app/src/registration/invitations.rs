//! Invitations: an admin offers a role in their programme by an emailed link (a
//! [`LinkKind::Invitation`], fourteen days), which also proves the invited address. The
//! invited person accepts with their account, or makes one on the link's page.

use super::{Details, why_not};
use crate::accounts::{AccountError, Problems, Result, User, passwords, revoke_credentials};
use crate::links::{self, LinkKind, LinkState, NewLink, Record, Spend};
use crate::{App, Cache, Work, mail};
use convene_domain::Email;
use convene_domain::accounts::{Grant, Role};
use convene_domain::audit::AuditAction;
use convene_domain::policy::{Action, Principal, Resource, allows};
use convene_domain::{ProgrammeId, UserId};
use convene_store::programmes::{self, Programme};
use convene_store::requests::Invitation;
use convene_store::users;

/// The role an admin invites someone to, within their programme.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InvitedRole {
    PlaceLead,
    ProgrammeAdmin,
    PanelMember,
}

impl InvitedRole {
    /// The role a form's `role` field names.
    pub fn from_key(key: &str) -> Option<InvitedRole> {
        match key {
            "place_lead" => Some(InvitedRole::PlaceLead),
            "programme_admin" => Some(InvitedRole::ProgrammeAdmin),
            "panel_member" => Some(InvitedRole::PanelMember),
            _ => None,
        }
    }
}

/// The programme with this slug, if `who` may run it.
async fn editable_programme(app: &App, who: &Principal, slug: &str) -> Result<Programme> {
    let programme = programmes::by_slug(&app.db, slug)
        .await?
        .ok_or(AccountError::NotFound)?;
    if !allows(who, Action::Edit, Resource::Programme { id: programme.id }) {
        return Err(AccountError::Forbidden);
    }
    Ok(programme)
}

/// What the invitation form offers: the programme's places and rounds, (id, name).
#[derive(Debug, Clone)]
pub struct InviteChoices {
    pub programme_id: i64,
    pub programme_name: String,
    pub places: Vec<(i64, String)>,
    pub rounds: Vec<(i64, String)>,
}

/// The invitation form's choices, for an admin of the programme with this slug.
pub async fn invite_choices(app: &App, who: &Principal, slug: &str) -> Result<InviteChoices> {
    let programme = editable_programme(app, who, slug).await?;
    let places = programmes::places_in(&app.db, programme.id)
        .await?
        .into_iter()
        .map(|p| (p.id.0, p.name))
        .collect();
    let rounds = programmes::rounds(&app.db, programme.id)
        .await?
        .into_iter()
        .map(|r| (r.id.0, r.name))
        .collect();
    Ok(InviteChoices {
        programme_id: programme.id.0,
        programme_name: programme.name,
        places,
        rounds,
    })
}

/// What an invitation offers, in words: "act for Greyhollow as its place lead".
async fn describe(app: &App, invitation: &Invitation) -> Result<String> {
    let catalogue = app.catalogue.get(&app.db).await?;
    let programme = catalogue
        .iter()
        .find(|e| e.programme.id == invitation.programme_id);
    Ok(match (invitation.role, invitation.scope_id) {
        (Role::PlaceLead, Some(id)) => {
            let name = programmes::place(&app.db, id)
                .await?
                .map(|p| p.name)
                .unwrap_or_default();
            format!("act for {name} as its place lead")
        }
        (Role::PanelMember, Some(id)) => {
            let round = programme
                .and_then(|e| e.rounds.iter().find(|r| r.id == id))
                .map(|r| r.name.clone());
            format!("sit on the panel of {}", round.unwrap_or_default())
        }
        _ => format!(
            "be a programme admin of {}",
            programme.map(|e| e.programme.name.clone()).unwrap_or_default()
        ),
    })
}

/// The role and scope an invitation would grant, or the problems with the form.
async fn grant_of(
    app: &App,
    programme_id: ProgrammeId,
    role: Option<InvitedRole>,
    place_id: Option<i64>,
    round_id: Option<i64>,
    problems: &mut Problems,
) -> Result<Option<(Role, Option<i64>)>> {
    Ok(match role {
        None => {
            problems.add("role", "Select the role you are inviting them to");
            None
        }
        Some(InvitedRole::PlaceLead) => {
            let place = match place_id {
                Some(id) => programmes::place(&app.db, id)
                    .await?
                    .filter(|p| p.programme_ids.contains(&programme_id)),
                None => None,
            };
            if place.is_none() {
                problems.add("place", "Select the place they will act for");
            }
            place.map(|p| (Role::PlaceLead, Some(p.id.0)))
        }
        Some(InvitedRole::ProgrammeAdmin) => Some((Role::ProgrammeAdmin, Some(programme_id.0))),
        Some(InvitedRole::PanelMember) => {
            let catalogue = app.catalogue.get(&app.db).await?;
            let round = round_id.filter(|id| {
                catalogue
                    .iter()
                    .any(|e| e.programme.id == programme_id && e.rounds.iter().any(|r| r.id == *id))
            });
            if round.is_none() {
                problems.add("round", "Select the round whose panel they will sit on");
            }
            round.map(|id| (Role::PanelMember, Some(id)))
        }
    })
}

/// Invites someone by email to a role in the programme with this slug: place lead of one
/// of its places, programme admin, or panel member of one of its rounds. Only its admins
/// may, and never themselves.
pub async fn invite(
    app: &App,
    who: &Principal,
    slug: &str,
    email: &str,
    role: Option<InvitedRole>,
    place_id: Option<i64>,
    round_id: Option<i64>,
) -> Result<()> {
    let programme_id = editable_programme(app, who, slug).await?.id;
    let mut problems = Problems::default();
    let email = Email::parse(email)
        .map_err(|e| problems.add("email", e.to_string()))
        .ok();
    let grant = grant_of(app, programme_id, role, place_id, round_id, &mut problems).await?;
    if let Some(email) = &email {
        let own = users::by_id(&app.db, who.user_id.0).await?;
        if own.is_some_and(|me| me.email.eq_ignore_ascii_case(email.as_str())) {
            problems.add(
                "email",
                "You cannot invite yourself: ask another admin of the programme to invite you",
            );
        }
    }
    let (Some(email), Some((role, scope_id)), true) = (email, grant, problems.is_empty()) else {
        return Err(problems.into());
    };
    let mut work = app.begin(Some(who.user_id.0)).await?;
    let new = NewLink::Invitation {
        email: email.as_str(),
        role,
        scope_id,
        programme_id: programme_id.0,
        invited_by: who.user_id.0,
    };
    let link = links::issue(app, &mut work, new).await?;
    let invitation = Invitation {
        id: link.id,
        email: email.as_str().to_string(),
        role,
        scope_id,
        programme_id: programme_id.0,
        invited_by: Some(who.user_id.0),
    };
    let what = describe(app, &invitation).await?;
    let to = email.to_string();
    work.send(&mail::Invitation {
        to,
        what,
        link: link.url,
    })
    .await?;
    work.audit(AuditAction::Invited, Some(link.id)).await?;
    work.commit().await?;
    Ok(())
}

/// A live invitation, or why it cannot be used (an [`AccountError::Link`]).
async fn live_invitation(app: &App, secret: &str) -> Result<Invitation> {
    match links::show(app, LinkKind::Invitation, secret).await?.into_live() {
        Ok(Record::Invitation(invitation)) => Ok(invitation),
        Ok(_) => Err(AccountError::Link(LinkState::Unknown)),
        Err(why) => Err(AccountError::Link(why)),
    }
}

/// What an invitation's page shows.
#[derive(Debug, Clone)]
pub struct Offer {
    pub invitation: Invitation,
    /// What it offers, in words: "act for Greyhollow as its place lead".
    pub what: String,
    /// True when a confirmed account holds the invited address (one that never confirmed
    /// it is taken over by registering on the page).
    pub has_account: bool,
}

/// A live invitation as its page shows it, or why it cannot be used.
pub async fn invitation_offer(app: &App, secret: &str) -> Result<Offer> {
    let invitation = live_invitation(app, secret).await?;
    let what = describe(app, &invitation).await?;
    let has_account = match Email::parse(&invitation.email) {
        Ok(email) => users::by_email(&app.db, &email)
            .await?
            .is_some_and(|u| u.email_verified),
        Err(_) => false,
    };
    Ok(Offer {
        invitation,
        what,
        has_account,
    })
}

/// True when `user` may accept `invitation`: a confirmed account holding the invited
/// address (an unconfirmed one may have registered an address that is not its own), other
/// than the admin who sent it.
pub fn may_accept(invitation: &Invitation, user: &User) -> bool {
    user.email_verified
        && invitation.email.eq_ignore_ascii_case(&user.email)
        && invitation.invited_by != Some(user.id.0)
}

/// Accepts an invitation for an existing account (see [`may_accept`]; anyone else is told
/// the link is not valid).
pub async fn accept_invitation(app: &App, secret: &str, user: &User) -> Result<Invitation> {
    let invitation = live_invitation(app, secret).await?;
    if !may_accept(&invitation, user) {
        return Err(AccountError::Link(LinkState::Unknown));
    }
    let mut work = app.begin(None).await?;
    let Some(Record::Invitation(invitation)) =
        links::spend(app, &mut work, secret, Spend::Invitation { user_id: user.id.0 }).await?
    else {
        drop(work);
        return Err(AccountError::Link(
            why_not(app, LinkKind::Invitation, secret).await?,
        ));
    };
    grant_invited(&mut work, &invitation, user.id).await?;
    work.clears(Cache::Person(user.id.0));
    work.commit().await?;
    Ok(invitation)
}

async fn grant_invited(work: &mut Work, invitation: &Invitation, user_id: UserId) -> Result<()> {
    let grant = Grant::new(invitation.role, invitation.scope_id)
        .map_err(|e| AccountError::Internal(format!("invitation {}: {e}", invitation.id)))?;
    let now = work.now();
    users::grant(work.tx(), user_id, grant, now).await?;
    work.set_actor(Some(user_id.0));
    work.audit(AuditAction::InvitationAccepted, Some(invitation.id))
        .await?;
    Ok(())
}

/// Creates an account from an invitation (its address proven by the link) and grants the
/// role; returns the account, whose other sessions the caller ends. An account that never
/// confirmed the address is taken over. [`AccountError::NotFound`] when the link is no
/// longer live (the caller shows its page again, which says why).
pub async fn register_invited(app: &App, secret: &str, input: &Details<'_>) -> Result<i64> {
    let (problems, _) = input.problems(false);
    problems.check()?;
    let hash = passwords::hash(input.password).await?;
    let mut work = app.begin(None).await?;
    let invitation = live_invitation(app, secret).await.map_err(|e| match e {
        AccountError::Link(_) => AccountError::NotFound,
        other => other,
    })?;
    let email = Email::parse(&invitation.email)
        .map_err(|e| AccountError::Internal(format!("invitation {}: {e}", invitation.id)))?;
    let account = input.account(&email, &hash, true);
    let now = work.now();
    let user_id = match users::by_email_tx(work.tx(), &email).await? {
        None => users::register(work.tx(), &account, now).await?,
        Some(existing) => take_over(app, &mut work, existing, &account).await?,
    };
    if links::spend(app, &mut work, secret, Spend::Invitation { user_id })
        .await?
        .is_none()
    {
        return Err(AccountError::NotFound);
    }
    grant_invited(&mut work, &invitation, UserId(user_id)).await?;
    work.commit().await?;
    Ok(user_id)
}

/// Gives the invited person the account that holds their address without having proven
/// it: whoever registered the address first loses it, with every way in they had.
async fn take_over(
    app: &App,
    work: &mut Work,
    existing: i64,
    account: &users::NewAccount<'_>,
) -> Result<i64> {
    let Some(owner) = users::by_id(&app.db, existing).await? else {
        return Err(AccountError::NotFound);
    };
    if owner.email_verified {
        return Err(Problems::one(
            "name",
            "An account with this email address already exists: sign in to accept",
        )
        .into());
    }
    let now = work.now();
    if !users::take_over_unconfirmed(work.tx(), UserId(existing), account, now).await? {
        return Err(AccountError::NotFound);
    }
    convene_store::two_factor::disable(work.tx(), UserId(existing)).await?;
    revoke_credentials(work, UserId(existing)).await?;
    Ok(existing)
}
