//! Asking for a role, and an admin's decision. A person asks to act for a place with
//! their role there, or to join a programme's enabler pool with their profile
//! (`enablers::pool`); an admin of the programme (never the person themselves) approves,
//! granting the role, or declines with a reason, and is told who leads the place already.

use crate::accounts::{AccountError, Problems, Result, User, required};
use crate::{App, Cache, Work, mail};
use convene_domain::ProgrammeId;
use convene_domain::UserId;
use convene_domain::accounts::{Grant, Role};
use convene_domain::audit::AuditAction;
use convene_domain::policy::{Action, Principal, Resource, allows};
use convene_store::enablers::{self as pool, PoolStatus};
use convene_store::programmes::{self, Place};
use convene_store::requests::{self, RequestStatus, RoleRequest};
use convene_store::users;

/// A place a person may ask to act for.
#[derive(Debug, Clone)]
pub struct PlaceChoice {
    pub id: i64,
    pub name: String,
    /// The person acts for it already.
    pub leads: bool,
    /// The person's request to act for it waits for a decision.
    pub waiting: bool,
}

/// What the "which place do you want to act for?" page offers.
#[derive(Debug, Clone)]
pub struct JoinChoices {
    pub programme_id: i64,
    pub programme_name: String,
    pub places: Vec<PlaceChoice>,
    /// The person's own requests in this programme, newest first.
    pub mine: Vec<RoleRequest>,
}

/// The programme with this slug, from the catalogue.
async fn programme_by_slug(app: &App, slug: &str) -> Result<(i64, String)> {
    let catalogue = app.catalogue.get(&app.db).await?;
    catalogue
        .iter()
        .find(|e| e.programme.slug == slug)
        .map(|e| (e.programme.id.0, e.programme.name.clone()))
        .ok_or(AccountError::NotFound)
}

/// The places of a programme a person may ask to act for, and their requests there.
pub async fn join_choices(app: &App, who: &Principal, slug: &str) -> Result<JoinChoices> {
    let (programme_id, programme_name) = programme_by_slug(app, slug).await?;
    let mine: Vec<RoleRequest> = requests::of_user(&app.db, who.user_id)
        .await?
        .into_iter()
        .filter(|r| r.programme_id == programme_id)
        .collect();
    let places = programmes::places_in(&app.db, ProgrammeId(programme_id))
        .await?
        .into_iter()
        .map(|p| PlaceChoice {
            leads: who
                .grants
                .iter()
                .any(|g| g.role == Role::PlaceLead && g.scope_id == Some(p.id.0)),
            waiting: mine
                .iter()
                .any(|r| r.place() == Some(p.id) && r.status == RequestStatus::Pending),
            id: p.id.0,
            name: p.name,
        })
        .collect();
    Ok(JoinChoices {
        programme_id,
        programme_name,
        places,
        mine,
    })
}

/// Asks, for a confirmed account, to act for a place in the programme with this slug; the
/// programme's admins (or, with none, the service admins) are emailed.
pub async fn request_place(
    app: &App,
    user: &User,
    slug: &str,
    place_id: Option<i64>,
    reason: &str,
) -> Result<RoleRequest> {
    let (programme_id, _) = programme_by_slug(app, slug).await?;
    let place = check_request(app, user, ProgrammeId(programme_id), place_id, reason).await?;
    let mut work = app.begin(Some(user.id.0)).await?;
    let now = work.now();
    let id = requests::create(
        work.tx(),
        user.id,
        Role::PlaceLead,
        place.id,
        ProgrammeId(programme_id),
        reason.trim(),
        now,
    )
    .await?;
    tell_admins(
        app,
        &mut work,
        ProgrammeId(programme_id),
        id,
        &format!("act for {}", place.name),
    )
    .await?;
    work.commit().await?;
    requests::by_id(&app.db, id).await?.ok_or(AccountError::NotFound)
}

/// Records that request `id` was made and emails the programme's admins (or, with none,
/// the service admins) a link to decide it; `what` was asked, after "to".
pub(crate) async fn tell_admins(
    app: &App,
    work: &mut Work,
    programme: ProgrammeId,
    id: i64,
    what: &str,
) -> convene_store::Result<()> {
    work.audit(AuditAction::RoleRequested, Some(id)).await?;
    let mut admins = users::role_holder_emails(&app.db, Role::ProgrammeAdmin, Some(programme.0)).await?;
    if admins.is_empty() {
        admins = users::role_holder_emails(&app.db, Role::ServiceAdmin, None).await?;
    }
    let link = format!("{}/requests/{id}", app.settings.public_url);
    for admin in admins {
        let waiting = mail::RoleRequestWaiting {
            to: admin,
            what: what.to_string(),
            link: link.clone(),
        };
        work.send(&waiting).await?;
    }
    // The admins' dashboards count waiting requests from the catalogue.
    work.clears(Cache::Catalogue);
    Ok(())
}

/// What the join page says when no place, or no place of the programme, is chosen.
pub const SELECT_PLACE: &str = "Select the place you want to act for";

/// What the request page says to an admin deciding their own request.
pub const OWN_REQUEST: &str = "You cannot decide your own request: ask another admin";

/// The place asked for, once the request passes its checks: [`AccountError::Invalid`]
/// for what was typed, [`AccountError::NotFound`] for a place id naming no place of the
/// programme, [`AccountError::State`] when the person acts for the place already or their
/// request waits for a decision.
async fn check_request(
    app: &App,
    user: &User,
    programme_id: ProgrammeId,
    place_id: Option<i64>,
    reason: &str,
) -> Result<Place> {
    if !user.email_verified {
        return Err(Problems::one(
            "place",
            "Confirm your email address first: open the link we sent you, or ask for a new one on your account page",
        )
        .into());
    }
    let mut typed = Problems::default();
    let Some(place_id) = place_id else {
        typed.add("place", SELECT_PLACE);
        required(&mut typed, "reason", reason, "role at this place", 500);
        return Err(typed.into());
    };
    let place = programmes::place(&app.db, place_id)
        .await?
        .filter(|p| p.programme_ids.contains(&programme_id))
        .ok_or(AccountError::NotFound)?;
    required(&mut typed, "reason", reason, "role at this place", 500);
    let state = state_problems(app, user, &place).await?;
    if !typed.is_empty() {
        // Shown together on the page, as one list in page order.
        for (field, message) in state.into_vec() {
            typed.add(&field, message);
        }
        return Err(AccountError::Invalid(typed));
    }
    if !state.is_empty() {
        return Err(AccountError::State(state));
    }
    Ok(place)
}

/// Why the person may not ask for this place now: they act for it already, or their
/// request for it waits for a decision.
async fn state_problems(app: &App, user: &User, place: &Place) -> Result<Problems> {
    let mut problems = Problems::default();
    let grants = users::grants(&app.db, user.id).await?;
    if grants.contains(&Grant {
        role: Role::PlaceLead,
        scope_id: Some(place.id.0),
    }) {
        problems.add("place", format!("You already act for {}", place.name));
    }
    let waiting = requests::of_user(&app.db, user.id)
        .await?
        .into_iter()
        .any(|r| r.place() == Some(place.id) && r.status == RequestStatus::Pending);
    if waiting {
        problems.add(
            "place",
            format!(
                "You have already asked to act for {}. A programme admin will decide soon",
                place.name
            ),
        );
    }
    Ok(problems)
}

/// A request with what its decider should know: the place's current leads.
#[derive(Debug, Clone)]
pub struct RequestLine {
    pub request: RoleRequest,
    pub existing_leads: Vec<String>,
}

/// A programme's requests for its admins.
#[derive(Debug, Clone)]
pub struct ProgrammeRequests {
    pub programme_id: i64,
    pub programme_name: String,
    /// Waiting requests first (oldest first), then decided ones (newest first).
    pub requests: Vec<RequestLine>,
}

/// Every request to act for a place in the programme with this slug, for those who may
/// decide them (its admins and service admins).
pub async fn programme_requests(app: &App, who: &Principal, slug: &str) -> Result<ProgrammeRequests> {
    let programme = programmes::by_slug(&app.db, slug)
        .await?
        .ok_or(AccountError::NotFound)?;
    if !allows(who, Action::Edit, Resource::Programme { id: programme.id }) {
        return Err(AccountError::Forbidden);
    }
    let leads = users::place_lead_names_in(&app.db, programme.id).await?;
    let requests = requests::for_programme(&app.db, programme.id)
        .await?
        .into_iter()
        .map(|request| RequestLine {
            existing_leads: request
                .place()
                .and_then(|p| leads.get(&p.0).cloned())
                .unwrap_or_default(),
            request,
        })
        .collect();
    Ok(ProgrammeRequests {
        programme_id: programme.id.0,
        programme_name: programme.name,
        requests,
    })
}

/// One request as its decider sees it.
#[derive(Debug, Clone)]
pub struct RequestDetail {
    pub request: RoleRequest,
    /// The programme's slug, for links back to its list.
    pub programme_slug: Option<String>,
    /// True when the person has confirmed their address.
    pub verified: bool,
    pub existing_leads: Vec<String>,
    /// The profile of a person asking to join an enabler pool.
    pub profile: Option<pool::Profile>,
}

/// A request, if `who` may decide it (an admin of its programme, or a service admin).
async fn decidable(app: &App, who: &Principal, id: i64) -> Result<RoleRequest> {
    let request = requests::by_id(&app.db, id)
        .await?
        .ok_or(AccountError::NotFound)?;
    if !allows(
        who,
        Action::Edit,
        Resource::Programme {
            id: ProgrammeId(request.programme_id),
        },
    ) {
        return Err(AccountError::Forbidden);
    }
    Ok(request)
}

/// A request with what its decider should know, if `who` may decide it.
pub async fn request_detail(app: &App, who: &Principal, id: i64) -> Result<RequestDetail> {
    let request = decidable(app, who, id).await?;
    let programme_slug = app
        .catalogue
        .get(&app.db)
        .await?
        .iter()
        .find(|e| e.programme.id == request.programme_id)
        .map(|e| e.programme.slug.clone());
    let verified = users::by_id(&app.db, request.user_id)
        .await?
        .is_some_and(|u| u.email_verified);
    let existing_leads = match request.place() {
        Some(place) => users::place_lead_names(&app.db, place).await?,
        None => Vec::new(),
    };
    let profile = match request.role {
        Role::Enabler => Some(pool::enabler(&app.db, request.scope_id).await?.profile),
        _ => None,
    };
    Ok(RequestDetail {
        request,
        programme_slug,
        verified,
        existing_leads,
        profile,
    })
}

/// Approves (granting the role) or declines a request, with a reason, and tells the
/// person. [`AccountError::Forbidden`] for one's own request (see [`OWN_REQUEST`]),
/// [`AccountError::AlreadyDecided`] when someone decided it first.
pub async fn decide(app: &App, who: &Principal, id: i64, approve: Option<bool>, reason: &str) -> Result<()> {
    let request = decidable(app, who, id).await?;
    if request.user_id == who.user_id {
        // The request page says [`OWN_REQUEST`].
        return Err(AccountError::Forbidden);
    }
    let mut problems = Problems::default();
    match approve {
        None => problems.add("decision", "Select whether to approve or decline the request"),
        Some(false) if reason.trim().is_empty() => problems.add(
            "reason",
            "Enter the reason for declining: the person will be told it",
        ),
        _ => {}
    }
    if reason.chars().count() > 500 {
        problems.add("reason", "The reason must be 500 characters or fewer");
    }
    problems.check()?;
    let approve = approve.unwrap_or(false);
    let reason = reason.trim();
    let mut work = app.begin(Some(who.user_id.0)).await?;
    let now = work.now();
    if !requests::decide(work.tx(), id, who.user_id.0, approve, reason, now).await? {
        return Err(AccountError::AlreadyDecided);
    }
    if request.role == Role::Enabler {
        // The pool's own record holds membership; the role is unscoped (docs/decisions/0012).
        let to = if approve {
            PoolStatus::Approved
        } else {
            PoolStatus::Withdrawn
        };
        let moved = pool::set_status(
            work.tx(),
            request.scope_id,
            (PoolStatus::Pending, to),
            who.user_id,
            now,
        )
        .await?;
        if !moved {
            return Err(AccountError::AlreadyDecided);
        }
    }
    if approve {
        let grant = Grant {
            role: request.role,
            scope_id: request.place().map(|p| p.0),
        };
        users::grant(work.tx(), UserId(request.user_id), grant, now).await?;
    }
    send_decision(app, &mut work, &request, approve, reason).await?;
    let action = if approve {
        AuditAction::RoleRequestApproved
    } else {
        AuditAction::RoleRequestDeclined
    };
    work.audit(action, Some(id)).await?;
    work.clears(Cache::Catalogue);
    work.clears(Cache::Person(request.user_id));
    work.commit().await?;
    Ok(())
}

/// Queues the email telling the person what was decided.
async fn send_decision(
    app: &App,
    work: &mut Work,
    request: &RoleRequest,
    approve: bool,
    reason: &str,
) -> Result<()> {
    let to = request.user_email.clone();
    let name = request.user_name.clone();
    let what = request.what();
    if approve {
        let note = (!reason.is_empty()).then(|| reason.to_string());
        let next = if request.role == Role::Enabler {
            "Funded places can now choose you"
        } else {
            "You can now apply on its behalf"
        };
        work.send(&mail::RoleRequestApproved {
            to,
            name,
            what,
            next: next.into(),
            public_url: app.settings.public_url.clone(),
            note,
        })
        .await?;
    } else {
        let reason = reason.to_string();
        work.send(&mail::RoleRequestDeclined {
            to,
            name,
            what,
            reason,
        })
        .await?;
    }
    Ok(())
}
