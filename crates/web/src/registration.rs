//! Self-service accounts, shared by the pages and the API: registering (with the address
//! proven by a single-use link), asking to act for a place, an admin's decision, and
//! invitations. Roles are never self-granted.
//!
//! Registering never says whether an address is in use: a used address gets the same
//! answer, the same work (a password hash and one queued email), and its owner is told by
//! email instead.

use crate::error::AppError;
use crate::passwords::hashing;
use crate::state::AppState;
use crate::views::FormErrors;
use convene_app::{Cache, Work};
use convene_domain::accounts::{Grant, Role, check_new_password, hash_password, new_secret, secret_digest};
use convene_domain::audit::AuditAction;
use convene_domain::policy::{Action, Principal, Resource, allows};
use convene_domain::{Email, Timestamp};
use convene_store::programmes;
use convene_store::requests::{self, Invitation, RoleRequest};
use convene_store::tokens::{self, EmailVerification, LinkState};
use convene_store::users::{self, NewAccount};

/// How long an email-verification link works.
pub const VERIFY_LINK_SECONDS: i64 = 24 * 3600;
/// How long an invitation works.
pub const INVITATION_SECONDS: i64 = 14 * 24 * 3600;

/// What a person types to register.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct Registration {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub organisation: String,
    #[serde(default)]
    pub job_role: String,
    #[serde(default)]
    pub password: String,
}

fn required(errors: &mut FormErrors, field: &str, value: &str, what: &str, limit: usize) {
    let value = value.trim();
    if value.is_empty() {
        errors.add(field, format!("Enter your {what}"));
    } else if value.chars().count() > limit {
        errors.add(field, format!("Your {what} must be {limit} characters or fewer"));
    }
}

/// Checks the profile fields (name, organisation, job role) shared by registering, the
/// account page and invitations.
pub fn check_profile(errors: &mut FormErrors, name: &str, organisation: &str, job_role: &str) {
    required(errors, "name", name, "full name", 100);
    required(errors, "organisation", organisation, "organisation", 150);
    required(errors, "job_role", job_role, "job title", 100);
}

/// The mail that carries a verification link.
async fn queue_verification(
    work: &mut Work,
    state: &AppState,
    user_id: i64,
    name: &str,
    email: &str,
    return_to: &str,
    now: Timestamp,
) -> Result<(), AppError> {
    let secret = new_secret();
    tokens::create_email_verification(
        work.tx(),
        user_id,
        email,
        &secret_digest(&secret),
        return_to,
        now,
        now.plus_seconds(VERIFY_LINK_SECONDS),
    )
    .await?;
    let link = format!("{}/verify-email/{secret}", state.config.public_url);
    let body = format!(
        "Dear {name},\n\nTo confirm that this is your email address, open this link within 24 hours:\n\n{link}\n\n\
         The link works once. If you did not ask for this, you can ignore this email.\n\nConvene"
    );
    work.mail(email, "Confirm your email address for Convene", &body)
        .await?;
    Ok(())
}

/// Registers a person, or (for an address already in use) tells its owner. Either way the
/// caller shows the same "check your email" answer.
pub async fn register(
    state: &AppState,
    input: &Registration,
    return_to: &str,
) -> Result<FormErrors, AppError> {
    let mut errors = FormErrors::default();
    check_profile(&mut errors, &input.name, &input.organisation, &input.job_role);
    let email = match Email::parse(&input.email) {
        Ok(email) => Some(email),
        Err(e) => {
            errors.add("email", e.to_string());
            None
        }
    };
    if let Err(e) = check_new_password(&input.password) {
        errors.add("password", e.to_string());
    }
    let Some(email) = email.filter(|_| errors.is_empty()) else {
        return Ok(errors);
    };
    // Hashed whether or not the address is used, so both take as long.
    let password = input.password.clone();
    let hash = hashing(state, move || hash_password(&password))
        .await?
        .map_err(AppError::internal)?;
    let now = state.clock.now();
    let mut work = state.begin(None).await?;
    match users::by_email_tx(work.tx(), &email).await? {
        Some(owner) => {
            let body = format!(
                "Someone tried to create a Convene account with this email address. You already have an \
                 account, so nothing has changed.\n\nIf it was you, sign in at {url}/sign-in, or choose a new \
                 password at {url}/forgot-password.\n\nIf it was not you, you can ignore this email.\n\nConvene",
                url = state.config.public_url
            );
            work.mail(email.as_str(), "You already have a Convene account", &body)
                .await?;
            work.audit(AuditAction::RegistrationForUsedEmail, Some(owner))
                .await?;
        }
        None => {
            let account = NewAccount {
                email: &email,
                name: input.name.trim(),
                organisation: input.organisation.trim(),
                job_role: input.job_role.trim(),
                password_hash: &hash,
                verified: false,
            };
            let user_id = users::register(work.tx(), &account, now).await?;
            queue_verification(
                &mut work,
                state,
                user_id,
                account.name,
                email.as_str(),
                return_to,
                now,
            )
            .await?;
            work.set_actor(Some(user_id));
            work.audit(AuditAction::Registered, Some(user_id)).await?;
        }
    }
    work.commit().await?;
    Ok(errors)
}

/// Sends a fresh verification link to a person whose address is unconfirmed; once it is
/// confirmed they sign in and go on to `return_to` (a local path, or nothing).
pub async fn resend_verification(
    state: &AppState,
    user: &users::User,
    return_to: &str,
) -> Result<(), AppError> {
    if user.email_verified {
        return Ok(());
    }
    let now = state.clock.now();
    let mut work = state.begin(None).await?;
    queue_verification(&mut work, state, user.id, &user.name, &user.email, return_to, now).await?;
    work.commit().await?;
    Ok(())
}

/// Sends a link to a new address; the account moves to it once the link is opened.
pub async fn change_email(state: &AppState, user: &users::User, new_email: &Email) -> Result<(), AppError> {
    let now = state.clock.now();
    let mut work = state.begin(Some(user.id)).await?;
    if users::by_email_tx(work.tx(), new_email).await?.is_some() {
        // Same answer as for a free address; the owner of the used one is told.
        let body = "Someone asked to move a Convene account to this email address, which already has an \
                    account, so nothing has changed. If it was not you, you can ignore this email.\n\nConvene";
        work.mail(
            new_email.as_str(),
            "Your email address is already in use on Convene",
            body,
        )
        .await?;
    } else {
        queue_verification(
            &mut work,
            state,
            user.id,
            &user.name,
            new_email.as_str(),
            "/account",
            now,
        )
        .await?;
        let notice = "Someone asked to change the email address of your Convene account. If it was not you, \
                      choose a new password now: the change only happens when the link sent to the new \
                      address is opened.\n\nConvene";
        work.mail(&user.email, "A change of email address was asked for", notice)
            .await?;
    }
    work.audit(AuditAction::EmailChangeRequested, Some(user.id))
        .await?;
    work.commit().await?;
    Ok(())
}

/// A verification link, checked but not spent (the page asks for a button press, since
/// mail scanners open links).
pub async fn check_verification_link(
    state: &AppState,
    token: &str,
) -> Result<Result<EmailVerification, LinkState>, AppError> {
    Ok(tokens::email_verification(&state.db, &secret_digest(token), state.clock.now()).await?)
}

/// Spends a verification link and confirms the address it names.
pub async fn verify(state: &AppState, token: &str) -> Result<Result<EmailVerification, LinkState>, AppError> {
    let now = state.clock.now();
    let digest = secret_digest(token);
    let mut work = state.begin(None).await?;
    let Some(link) = tokens::spend_email_verification(work.tx(), &digest, now).await? else {
        drop(work);
        // Say why: used, expired or never issued.
        let why = tokens::email_verification(&state.db, &digest, now).await?.err();
        return Ok(Err(why.unwrap_or(LinkState::Used)));
    };
    if !users::mark_verified(work.tx(), link.user_id, &link.email, now).await? {
        // Another account took the address meanwhile.
        return Ok(Err(LinkState::Used));
    }
    work.set_actor(Some(link.user_id));
    work.audit(AuditAction::EmailVerified, Some(link.user_id)).await?;
    work.clears(Cache::Person(link.user_id));
    work.commit().await?;
    Ok(Ok(link))
}

/// Why a role request was refused, by field.
pub async fn request_place(
    state: &AppState,
    user: &users::User,
    programme_id: i64,
    place_id: Option<i64>,
    reason: &str,
) -> Result<Result<RoleRequest, FormErrors>, AppError> {
    let mut errors = FormErrors::default();
    if !user.email_verified {
        errors.add(
            "place",
            "Confirm your email address first: open the link we sent you, or ask for a new one on your account page",
        );
        return Ok(Err(errors));
    }
    let place = match place_id {
        Some(id) => programmes::place(&state.db, id)
            .await?
            .filter(|p| p.programme_ids.contains(&programme_id)),
        None => None,
    };
    let Some(place) = place else {
        errors.add("place", "Select the place you want to act for");
        required(&mut errors, "reason", reason, "role at this place", 500);
        return Ok(Err(errors));
    };
    required(&mut errors, "reason", reason, "role at this place", 500);
    let grants = users::grants(&state.db, user.id).await?;
    if grants.contains(&Grant {
        role: Role::PlaceLead,
        scope_id: Some(place.id),
    }) {
        errors.add("place", format!("You already act for {}", place.name));
    }
    let waiting = requests::of_user(&state.db, user.id)
        .await?
        .into_iter()
        .any(|r| r.place_id == place.id && r.status == requests::RequestStatus::Pending);
    if waiting {
        errors.add(
            "place",
            format!(
                "You have already asked to act for {}. A programme admin will decide soon",
                place.name
            ),
        );
    }
    if !errors.is_empty() {
        return Ok(Err(errors));
    }
    let now = state.clock.now();
    let mut work = state.begin(Some(user.id)).await?;
    let id = requests::create(
        work.tx(),
        user.id,
        Role::PlaceLead,
        place.id,
        programme_id,
        reason.trim(),
        now,
    )
    .await?;
    work.audit(AuditAction::RoleRequested, Some(id)).await?;
    let mut admins = users::role_holder_emails(&state.db, Role::ProgrammeAdmin, Some(programme_id)).await?;
    if admins.is_empty() {
        admins = users::role_holder_emails(&state.db, Role::ServiceAdmin, None).await?;
    }
    let link = format!("{}/requests/{id}", state.config.public_url);
    for admin in admins {
        let body = format!(
            "Someone has asked to act for {} as its place lead. Decide at:\n\n{link}\n\nConvene",
            place.name
        );
        work.mail(&admin, "A request to act for a place is waiting", &body)
            .await?;
    }
    // The admins' dashboards count waiting requests from the catalogue.
    work.clears(Cache::Catalogue);
    work.commit().await?;
    let request = requests::by_id(&state.db, id).await?.ok_or(AppError::NotFound)?;
    Ok(Ok(request))
}

/// A request, if `principal` may decide it (an admin of its programme, or a service admin).
pub async fn decidable_request(
    state: &AppState,
    principal: &Principal,
    id: i64,
) -> Result<RoleRequest, AppError> {
    let request = requests::by_id(&state.db, id).await?.ok_or(AppError::NotFound)?;
    if !allows(
        principal,
        Action::Edit,
        Resource::Programme {
            id: request.programme_id,
        },
    ) {
        return Err(AppError::Forbidden);
    }
    Ok(request)
}

/// What deciding a request came to.
pub enum Decision {
    Done,
    AlreadyDecided,
    Invalid(FormErrors),
}

/// Approves (granting the role) or declines a request, with a reason, and tells the person.
pub async fn decide(
    state: &AppState,
    principal: &Principal,
    id: i64,
    approve: Option<bool>,
    reason: &str,
) -> Result<Decision, AppError> {
    let request = decidable_request(state, principal, id).await?;
    let mut errors = FormErrors::default();
    if request.user_id == principal.user_id {
        errors.add(
            "decision",
            "You cannot decide your own request: ask another admin",
        );
    }
    match approve {
        None => errors.add("decision", "Select whether to approve or decline the request"),
        Some(false) if reason.trim().is_empty() => errors.add(
            "reason",
            "Enter the reason for declining: the person will be told it",
        ),
        _ => {}
    }
    if reason.chars().count() > 500 {
        errors.add("reason", "The reason must be 500 characters or fewer");
    }
    if !errors.is_empty() {
        return Ok(Decision::Invalid(errors));
    }
    let approve = approve.unwrap_or(false);
    let now = state.clock.now();
    let mut work = state.begin(Some(principal.user_id)).await?;
    if !requests::decide(work.tx(), id, principal.user_id, approve, reason.trim(), now).await? {
        return Ok(Decision::AlreadyDecided);
    }
    let (subject, body) = if approve {
        users::grant(
            work.tx(),
            request.user_id,
            Grant {
                role: request.role,
                scope_id: Some(request.place_id),
            },
            now,
        )
        .await?;
        (
            format!("You can now act for {}", request.place_name),
            format!(
                "Dear {},\n\nYour request to act for {} has been approved. You can now apply on its behalf: \
                 sign in at {}/dashboard.\n\n{}Convene",
                request.user_name,
                request.place_name,
                state.config.public_url,
                if reason.trim().is_empty() {
                    String::new()
                } else {
                    format!("The admin added: {}\n\n", reason.trim())
                }
            ),
        )
    } else {
        (
            format!("Your request to act for {} was declined", request.place_name),
            format!(
                "Dear {},\n\nYour request to act for {} was declined, for this reason:\n\n{}\n\n\
                 If you think this is wrong, reply to the programme's contact address.\n\nConvene",
                request.user_name,
                request.place_name,
                reason.trim()
            ),
        )
    };
    work.mail(&request.user_email, &subject, &body).await?;
    let action = if approve {
        AuditAction::RoleRequestApproved
    } else {
        AuditAction::RoleRequestDeclined
    };
    work.audit(action, Some(id)).await?;
    work.clears(Cache::Catalogue);
    work.clears(Cache::Person(request.user_id));
    work.commit().await?;
    Ok(Decision::Done)
}

/// The role an admin invites someone to, within their programme.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InvitedRole {
    PlaceLead,
    ProgrammeAdmin,
    PanelMember,
}

impl InvitedRole {
    pub fn from_key(key: &str) -> Option<InvitedRole> {
        match key {
            "place_lead" => Some(InvitedRole::PlaceLead),
            "programme_admin" => Some(InvitedRole::ProgrammeAdmin),
            "panel_member" => Some(InvitedRole::PanelMember),
            _ => None,
        }
    }
}

/// What an invitation offers, in words: "act for Greyhollow as its place lead".
pub async fn describe_invitation(state: &AppState, invitation: &Invitation) -> Result<String, AppError> {
    let catalogue = state.catalogue.get(&state.db).await?;
    let programme = catalogue
        .iter()
        .find(|e| e.programme.id == invitation.programme_id);
    Ok(match (invitation.role, invitation.scope_id) {
        (Role::PlaceLead, Some(id)) => {
            let name = programmes::place(&state.db, id)
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

/// Invites someone by email to a role in a programme: place lead of one of its places,
/// programme admin, or panel member of one of its rounds.
pub async fn invite(
    state: &AppState,
    principal: &Principal,
    programme_id: i64,
    email: &str,
    role: Option<InvitedRole>,
    place_id: Option<i64>,
    round_id: Option<i64>,
) -> Result<Result<(), FormErrors>, AppError> {
    if !allows(principal, Action::Edit, Resource::Programme { id: programme_id }) {
        return Err(AppError::Forbidden);
    }
    let mut errors = FormErrors::default();
    let email = match Email::parse(email) {
        Ok(email) => Some(email),
        Err(e) => {
            errors.add("email", e.to_string());
            None
        }
    };
    let grant = match role {
        None => {
            errors.add("role", "Select the role you are inviting them to");
            None
        }
        Some(InvitedRole::PlaceLead) => {
            let place = match place_id {
                Some(id) => programmes::place(&state.db, id)
                    .await?
                    .filter(|p| p.programme_ids.contains(&programme_id)),
                None => None,
            };
            if place.is_none() {
                errors.add("place", "Select the place they will act for");
            }
            place.map(|p| (Role::PlaceLead, Some(p.id)))
        }
        Some(InvitedRole::ProgrammeAdmin) => Some((Role::ProgrammeAdmin, Some(programme_id))),
        Some(InvitedRole::PanelMember) => {
            let catalogue = state.catalogue.get(&state.db).await?;
            let round = round_id.filter(|id| {
                catalogue
                    .iter()
                    .any(|e| e.programme.id == programme_id && e.rounds.iter().any(|r| r.id == *id))
            });
            if round.is_none() {
                errors.add("round", "Select the round whose panel they will sit on");
            }
            round.map(|id| (Role::PanelMember, Some(id)))
        }
    };
    if let Some(email) = &email {
        let own = users::by_id(&state.db, principal.user_id).await?;
        if own.is_some_and(|me| me.email.eq_ignore_ascii_case(email.as_str())) {
            errors.add(
                "email",
                "You cannot invite yourself: ask another admin of the programme to invite you",
            );
        }
    }
    let (Some(email), Some((role, scope_id)), true) = (email, grant, errors.is_empty()) else {
        return Ok(Err(errors));
    };
    let now = state.clock.now();
    let secret = new_secret();
    let mut work = state.begin(Some(principal.user_id)).await?;
    let id = requests::create_invitation(
        work.tx(),
        email.as_str(),
        role,
        scope_id,
        programme_id,
        &secret_digest(&secret),
        principal.user_id,
        now,
        now.plus_seconds(INVITATION_SECONDS),
    )
    .await?;
    let what = describe_invitation(
        state,
        &Invitation {
            id,
            email: email.as_str().to_string(),
            role,
            scope_id,
            programme_id,
            invited_by: Some(principal.user_id),
        },
    )
    .await?;
    let link = format!("{}/invitations/{secret}", state.config.public_url);
    let body = format!(
        "You have been invited to {what} on Convene.\n\nTo accept, open this link within 14 days:\n\n{link}\n\n\
         If you were not expecting this, you can ignore this email.\n\nConvene"
    );
    work.mail(email.as_str(), &format!("You are invited to {what}"), &body)
        .await?;
    work.audit(AuditAction::Invited, Some(id)).await?;
    work.commit().await?;
    Ok(Ok(()))
}

/// A live invitation, or why it cannot be used.
pub async fn check_invitation(
    state: &AppState,
    token: &str,
) -> Result<Result<Invitation, LinkState>, AppError> {
    Ok(requests::invitation(&state.db, &secret_digest(token), state.clock.now()).await?)
}

/// Accepts an invitation for an existing account, which must have confirmed the invited
/// address (an unconfirmed account may have registered an address that is not its own), and
/// must not be the admin who sent it.
pub async fn accept_invitation(
    state: &AppState,
    token: &str,
    user: &users::User,
) -> Result<Result<Invitation, LinkState>, AppError> {
    let invitation = match check_invitation(state, token).await? {
        Ok(invitation) => invitation,
        Err(why) => return Ok(Err(why)),
    };
    if !may_accept(&invitation, user) {
        return Ok(Err(LinkState::Unknown));
    }
    let now = state.clock.now();
    let mut work = state.begin(None).await?;
    let Some(invitation) =
        requests::accept_invitation(work.tx(), &secret_digest(token), user.id, now).await?
    else {
        drop(work);
        return Ok(Err(check_invitation(state, token)
            .await?
            .err()
            .unwrap_or(LinkState::Used)));
    };
    grant_invited(&mut work, &invitation, user.id, now).await?;
    work.clears(Cache::Person(user.id));
    work.commit().await?;
    Ok(Ok(invitation))
}

/// True when `user` may accept `invitation`: a confirmed account holding the invited
/// address, other than the admin who sent it.
pub fn may_accept(invitation: &Invitation, user: &users::User) -> bool {
    user.email_verified
        && invitation.email.eq_ignore_ascii_case(&user.email)
        && invitation.invited_by != Some(user.id)
}

async fn grant_invited(
    work: &mut Work,
    invitation: &Invitation,
    user_id: i64,
    now: Timestamp,
) -> Result<(), AppError> {
    let grant = Grant::new(invitation.role, invitation.scope_id).map_err(AppError::internal)?;
    users::grant(work.tx(), user_id, grant, now).await?;
    work.set_actor(Some(user_id));
    work.audit(AuditAction::InvitationAccepted, Some(invitation.id))
        .await?;
    Ok(())
}

/// Creates an account from an invitation (its address proven by the link) and grants the role.
pub async fn register_invited(
    state: &AppState,
    token: &str,
    input: &Registration,
) -> Result<Result<i64, FormErrors>, AppError> {
    let mut errors = FormErrors::default();
    check_profile(&mut errors, &input.name, &input.organisation, &input.job_role);
    if let Err(e) = check_new_password(&input.password) {
        errors.add("password", e.to_string());
    }
    if !errors.is_empty() {
        return Ok(Err(errors));
    }
    let password = input.password.clone();
    let hash = hashing(state, move || hash_password(&password))
        .await?
        .map_err(AppError::internal)?;
    let now = state.clock.now();
    let mut work = state.begin(None).await?;
    let invitation = requests::invitation(&state.db, &secret_digest(token), now).await?;
    let Ok(invitation) = invitation else {
        return Err(AppError::NotFound);
    };
    let email = Email::parse(&invitation.email).map_err(AppError::internal)?;
    let account = NewAccount {
        email: &email,
        name: input.name.trim(),
        organisation: input.organisation.trim(),
        job_role: input.job_role.trim(),
        password_hash: &hash,
        verified: true,
    };
    let user_id = match users::by_email_tx(work.tx(), &email).await? {
        None => users::register(work.tx(), &account, now).await?,
        Some(existing) => {
            let Some(owner) = users::by_id(&state.db, existing).await? else {
                return Err(AppError::NotFound);
            };
            if owner.email_verified {
                errors.add(
                    "name",
                    "An account with this email address already exists: sign in to accept",
                );
                return Ok(Err(errors));
            }
            // An account that never proved this address holds it. The invitation link
            // proves it now, so the invited person takes the account over: anyone who
            // registered the address first loses it, with every way in they had.
            if !users::take_over_unconfirmed(work.tx(), existing, &account, now).await? {
                return Err(AppError::NotFound);
            }
            convene_store::two_factor::disable(work.tx(), existing).await?;
            crate::auth::revoke_credentials(&mut work, existing).await?;
            existing
        }
    };
    if requests::accept_invitation(work.tx(), &secret_digest(token), user_id, now)
        .await?
        .is_none()
    {
        return Err(AppError::NotFound);
    }
    grant_invited(&mut work, &invitation, user_id, now).await?;
    work.commit().await?;
    crate::auth::end_sessions(state, user_id, None).await?;
    Ok(Ok(user_id))
}
