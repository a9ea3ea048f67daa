//! The front door for people: registering, confirming an address, asking to act for a
//! place, an admin deciding, and invitations. The rules live in [`crate::registration`].

use crate::auth::{CurrentUser, MaybeUser};
use crate::error::AppError;
use crate::pages::programmes::load_programme;
use crate::pages::{chrome, notify, take_notice};
use crate::registration::{self, Decision, Registration};
use crate::session_store::USER_ID_KEY;
use crate::state::AppState;
use crate::views::{Chrome, FormErrors};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Form, Router};
use convene_domain::policy::Action;
use convene_store::programmes;
use convene_store::requests::{self, RequestStatus, RoleRequest};
use convene_store::tokens::LinkState;
use convene_store::users;
use serde::Deserialize;

/// Registration, verification, role request and invitation routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/register", get(register_page).post(register))
        .route("/verify-email/{token}", get(verify_page).post(verify))
        .route("/programmes/{slug}/join", get(join_page).post(join))
        .route("/programmes/{slug}/requests", get(requests_page))
        .route("/programmes/{slug}/invite", get(invite_page).post(invite))
        .route("/requests/{id}", get(request_page).post(decide))
        .route("/invitations/{token}", get(invitation_page).post(accept))
}

/// Where to go afterwards: a local path, or nothing.
fn local_path(next: Option<&str>) -> String {
    next.filter(|n| crate::pages::accounts::is_local_path(n))
        .unwrap_or_default()
        .to_string()
}

#[derive(Deserialize)]
struct NextQuery {
    next: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "register/register.html")]
struct RegisterPage {
    chrome: Chrome,
    errors: FormErrors,
    typed: Registration,
    next: String,
}

async fn register_page(
    State(state): State<AppState>,
    who: MaybeUser,
    Query(q): Query<NextQuery>,
) -> Response {
    if who.person.is_some() {
        return Redirect::to("/dashboard").into_response();
    }
    let chrome = chrome(&state, None, &who.session, "Create an account", "/register").await;
    RegisterPage {
        chrome: chrome.with_back("/sign-in"),
        errors: FormErrors::default(),
        typed: Registration::default(),
        next: local_path(q.next.as_deref()),
    }
    .into_response()
}

#[derive(Deserialize)]
struct RegisterForm {
    #[serde(flatten)]
    registration: Registration,
    next: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "register/check_email.html")]
struct CheckEmailPage {
    chrome: Chrome,
    email: String,
}

async fn register(
    State(state): State<AppState>,
    who: MaybeUser,
    Form(form): Form<RegisterForm>,
) -> Result<Response, AppError> {
    let next = local_path(form.next.as_deref());
    let errors = registration::register(&state, &form.registration, &next).await?;
    if !errors.is_empty() {
        let mut chrome = chrome(&state, None, &who.session, "Create an account", "/register").await;
        chrome.has_errors = true;
        let mut typed = form.registration;
        typed.password.clear();
        return Ok(RegisterPage {
            chrome: chrome.with_back("/sign-in"),
            errors,
            typed,
            next,
        }
        .into_response());
    }
    let chrome = chrome(&state, None, &who.session, "Check your email", "/register").await;
    Ok(CheckEmailPage {
        chrome,
        email: form.registration.email.trim().to_string(),
    }
    .into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "register/link_page.html")]
struct LinkPage {
    chrome: Chrome,
    heading: String,
    body: String,
    /// The form's button, when the link can be used.
    button: Option<String>,
    action: String,
}

fn link_problem(why: LinkState, what: &str) -> (String, String) {
    match why {
        LinkState::Expired => (
            "This link has expired".into(),
            format!("Links to {what} work for a limited time. Sign in and ask for a new one from your account page."),
        ),
        LinkState::Used => (
            "This link has already been used".into(),
            format!("Each link to {what} works once. If you have already done so, you can sign in."),
        ),
        LinkState::Unknown => (
            "This link is not valid".into(),
            "Check that you copied the whole link from the email. If it still does not work, ask for a new one.".into(),
        ),
    }
}

/// A link's page: a button that uses it (200), or why it cannot be used (410).
async fn link_page(
    state: &AppState,
    who: &MaybeUser,
    heading: String,
    body: String,
    button: Option<(String, String)>,
) -> Response {
    let chrome = chrome(
        state,
        who.person.as_ref(),
        &who.session,
        &heading,
        "/verify-email",
    )
    .await;
    let status = if button.is_some() {
        axum::http::StatusCode::OK
    } else {
        axum::http::StatusCode::GONE
    };
    let (button, action) = button.unzip();
    let page = LinkPage {
        chrome,
        heading,
        body,
        button,
        action: action.unwrap_or_default(),
    };
    (status, page).into_response()
}

/// The page for a link that cannot be used, saying why.
async fn unusable_link(state: &AppState, who: &MaybeUser, why: LinkState, what: &str) -> Response {
    let (heading, body) = link_problem(why, what);
    link_page(state, who, heading, body, None).await
}

async fn verify_page(
    State(state): State<AppState>,
    who: MaybeUser,
    Path(token): Path<String>,
) -> Result<Response, AppError> {
    Ok(
        match registration::check_verification_link(&state, &token).await? {
            Ok(link) => {
                let button = (
                    "Confirm email address".to_string(),
                    format!("/verify-email/{token}"),
                );
                let body = format!("Confirm that {} is your email address.", link.email);
                link_page(
                    &state,
                    &who,
                    "Confirm your email address".into(),
                    body,
                    Some(button),
                )
                .await
            }
            Err(why) => unusable_link(&state, &who, why, "confirm an email address").await,
        },
    )
}

async fn verify(
    State(state): State<AppState>,
    who: MaybeUser,
    Path(token): Path<String>,
) -> Result<Response, AppError> {
    match registration::verify(&state, &token).await? {
        Ok(link) => {
            let next = local_path(Some(&link.return_to));
            let signed_in_as = who.person.as_ref().map(|p| p.0.id);
            if signed_in_as == Some(link.user_id) {
                notify(&who.session, "Your email address is confirmed.").await;
                let to = if next.is_empty() {
                    "/dashboard".to_string()
                } else {
                    next
                };
                return Ok(Redirect::to(&to).into_response());
            }
            notify(
                &who.session,
                "Your email address is confirmed. Sign in to continue.",
            )
            .await;
            let to = if next.is_empty() {
                "/sign-in".to_string()
            } else {
                format!("/sign-in?next={}", crate::error::urlencode(&next))
            };
            Ok(Redirect::to(&to).into_response())
        }
        Err(why) => Ok(unusable_link(&state, &who, why, "confirm an email address").await),
    }
}

/// A place the person may ask to act for.
struct PlaceChoice {
    id: i64,
    name: String,
    checked: bool,
    /// Shown beside the radio: "Your request is waiting", "You act for this place".
    note: Option<&'static str>,
}

#[derive(Template, WebTemplate)]
#[template(path = "register/join.html")]
struct JoinPage {
    chrome: Chrome,
    notice: Option<String>,
    errors: FormErrors,
    programme_name: String,
    slug: String,
    places: Vec<PlaceChoice>,
    reason: String,
    next: String,
    mine: Vec<RoleRequest>,
}

async fn render_join(
    state: &AppState,
    me: &CurrentUser,
    slug: &str,
    errors: FormErrors,
    chosen: Option<i64>,
    reason: String,
    next: String,
) -> Result<Response, AppError> {
    let catalogue = state.catalogue.get(&state.db).await?;
    let entry = catalogue
        .iter()
        .find(|e| e.programme.slug == slug)
        .ok_or(AppError::NotFound)?;
    let mine: Vec<RoleRequest> = requests::of_user(&state.db, me.user().id)
        .await?
        .into_iter()
        .filter(|r| r.programme_id == entry.programme.id)
        .collect();
    let places = programmes::places_in(&state.db, entry.programme.id)
        .await?
        .into_iter()
        .map(|p| {
            let leads = me
                .principal()
                .grants
                .iter()
                .any(|g| g.role == convene_domain::accounts::Role::PlaceLead && g.scope_id == Some(p.id));
            let waiting = mine
                .iter()
                .any(|r| r.place_id == p.id && r.status == RequestStatus::Pending);
            PlaceChoice {
                id: p.id,
                name: p.name,
                checked: chosen == Some(p.id),
                note: if leads {
                    Some("You act for this place")
                } else if waiting {
                    Some("Your request is waiting for a decision")
                } else {
                    None
                },
            }
        })
        .collect();
    let path = format!("/programmes/{slug}/join");
    let mut frame = chrome(
        state,
        Some(&me.person),
        &me.session,
        "Which place do you want to act for?",
        &path,
    )
    .await;
    frame.has_errors = !errors.is_empty();
    let notice = take_notice(&me.session).await;
    Ok(JoinPage {
        chrome: frame.with_back(format!("/programmes/{slug}/about")),
        notice,
        errors,
        programme_name: entry.programme.name.clone(),
        slug: slug.to_string(),
        places,
        reason,
        next,
        mine,
    }
    .into_response())
}

async fn join_page(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(slug): Path<String>,
    Query(q): Query<NextQuery>,
) -> Result<Response, AppError> {
    render_join(
        &state,
        &me,
        &slug,
        FormErrors::default(),
        None,
        String::new(),
        local_path(q.next.as_deref()),
    )
    .await
}

#[derive(Deserialize)]
struct JoinForm {
    #[serde(default)]
    place: String,
    #[serde(default)]
    reason: String,
    next: Option<String>,
}

async fn join(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(slug): Path<String>,
    Form(form): Form<JoinForm>,
) -> Result<Response, AppError> {
    let catalogue = state.catalogue.get(&state.db).await?;
    let programme_id = catalogue
        .iter()
        .find(|e| e.programme.slug == slug)
        .map(|e| e.programme.id)
        .ok_or(AppError::NotFound)?;
    let place_id = form.place.trim().parse::<i64>().ok();
    let next = local_path(form.next.as_deref());
    match registration::request_place(&state, me.user(), programme_id, place_id, &form.reason).await? {
        Ok(request) => {
            notify(
                &me.session,
                &format!(
                    "You have asked to act for {}. A programme admin will decide, and we will email you.",
                    request.place_name
                ),
            )
            .await;
            Ok(Redirect::to(&format!("/programmes/{slug}/join")).into_response())
        }
        Err(errors) => render_join(&state, &me, &slug, errors, place_id, form.reason, next).await,
    }
}

/// A request line in the admin's list, with what the admin should know.
struct RequestLine {
    request: RoleRequest,
    existing_leads: Vec<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "register/requests.html")]
struct RequestsPage {
    chrome: Chrome,
    notice: Option<String>,
    programme_name: String,
    slug: String,
    pending: Vec<RequestLine>,
    decided: Vec<RoleRequest>,
}

async fn requests_page(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    let programme = load_programme(&state, &me, &slug, Action::Edit).await?;
    let mut pending = Vec::new();
    let mut decided = Vec::new();
    let leads = users::place_lead_names_in(&state.db, programme.id).await?;
    for request in requests::for_programme(&state.db, programme.id).await? {
        if request.status == RequestStatus::Pending {
            let existing_leads = leads.get(&request.place_id).cloned().unwrap_or_default();
            pending.push(RequestLine {
                request,
                existing_leads,
            });
        } else {
            decided.push(request);
        }
    }
    let path = format!("/programmes/{slug}/requests");
    let frame = chrome(
        &state,
        Some(&me.person),
        &me.session,
        "Requests to act for a place",
        &path,
    )
    .await;
    let notice = take_notice(&me.session).await;
    Ok(RequestsPage {
        chrome: frame.with_back(format!("/programmes/{slug}")),
        notice,
        programme_name: programme.name,
        slug,
        pending,
        decided,
    }
    .into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "register/request.html")]
struct RequestPage {
    chrome: Chrome,
    errors: FormErrors,
    request: RoleRequest,
    verified: bool,
    existing_leads: Vec<String>,
    decision: String,
    reason: String,
}

async fn render_request(
    state: &AppState,
    me: &CurrentUser,
    id: i64,
    errors: FormErrors,
    decision: String,
    reason: String,
) -> Result<Response, AppError> {
    let request = registration::decidable_request(state, me.principal(), id).await?;
    let slug = state
        .catalogue
        .get(&state.db)
        .await?
        .iter()
        .find(|e| e.programme.id == request.programme_id)
        .map(|e| e.programme.slug.clone())
        .unwrap_or_default();
    let verified = users::by_id(&state.db, request.user_id)
        .await?
        .is_some_and(|u| u.email_verified);
    let existing_leads = users::place_lead_names(&state.db, request.place_id).await?;
    let title = format!("Request to act for {}", request.place_name);
    let mut frame = chrome(
        state,
        Some(&me.person),
        &me.session,
        &title,
        &format!("/requests/{id}"),
    )
    .await;
    frame.has_errors = !errors.is_empty();
    Ok(RequestPage {
        chrome: frame.with_back(format!("/programmes/{slug}/requests")),
        errors,
        request,
        verified,
        existing_leads,
        decision,
        reason,
    }
    .into_response())
}

async fn request_page(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    render_request(
        &state,
        &me,
        id,
        FormErrors::default(),
        String::new(),
        String::new(),
    )
    .await
}

#[derive(Deserialize)]
struct DecideForm {
    #[serde(default)]
    decision: String,
    #[serde(default)]
    reason: String,
}

async fn decide(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<DecideForm>,
) -> Result<Response, AppError> {
    let approve = match form.decision.as_str() {
        "approve" => Some(true),
        "decline" => Some(false),
        _ => None,
    };
    let request = registration::decidable_request(&state, me.principal(), id).await?;
    let back = state
        .catalogue
        .get(&state.db)
        .await?
        .iter()
        .find(|e| e.programme.id == request.programme_id)
        .map(|e| format!("/programmes/{}/requests", e.programme.slug))
        .unwrap_or_else(|| "/dashboard".into());
    match registration::decide(&state, me.principal(), id, approve, &form.reason).await? {
        Decision::Done => {
            let verb = if approve == Some(true) {
                "approved"
            } else {
                "declined"
            };
            notify(
                &me.session,
                &format!(
                    // No name: notices wait in the session, which should hold no one else's data.
                    "You have {verb} the request to act for {}. The person has been emailed.",
                    request.place_name
                ),
            )
            .await;
            Ok(Redirect::to(&back).into_response())
        }
        Decision::AlreadyDecided => {
            notify(
                &me.session,
                "That request had already been decided, so nothing has changed.",
            )
            .await;
            Ok(Redirect::to(&back).into_response())
        }
        Decision::Invalid(errors) => {
            render_request(&state, &me, id, errors, form.decision, form.reason).await
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "register/invite.html")]
struct InvitePage {
    chrome: Chrome,
    errors: FormErrors,
    slug: String,
    programme_name: String,
    places: Vec<(i64, String)>,
    rounds: Vec<(i64, String)>,
    typed: InviteForm,
}

async fn render_invite(
    state: &AppState,
    me: &CurrentUser,
    slug: &str,
    errors: FormErrors,
    typed: InviteForm,
) -> Result<Response, AppError> {
    let programme = load_programme(state, me, slug, Action::Edit).await?;
    let places = programmes::places_in(&state.db, programme.id)
        .await?
        .into_iter()
        .map(|p| (p.id, p.name))
        .collect();
    let rounds = programmes::rounds(&state.db, programme.id)
        .await?
        .into_iter()
        .map(|r| (r.id, r.name))
        .collect();
    let path = format!("/programmes/{slug}/invite");
    let mut frame = chrome(state, Some(&me.person), &me.session, "Invite someone", &path).await;
    frame.has_errors = !errors.is_empty();
    Ok(InvitePage {
        chrome: frame.with_back(format!("/programmes/{slug}/requests")),
        errors,
        slug: slug.to_string(),
        programme_name: programme.name,
        places,
        rounds,
        typed,
    }
    .into_response())
}

async fn invite_page(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    render_invite(&state, &me, &slug, FormErrors::default(), InviteForm::default()).await
}

#[derive(Deserialize, Default)]
struct InviteForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    place: String,
    #[serde(default)]
    round: String,
}

async fn invite(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(slug): Path<String>,
    Form(form): Form<InviteForm>,
) -> Result<Response, AppError> {
    let programme = load_programme(&state, &me, &slug, Action::Edit).await?;
    let role = registration::InvitedRole::from_key(&form.role);
    let place = form.place.trim().parse::<i64>().ok();
    let round = form.round.trim().parse::<i64>().ok();
    match registration::invite(
        &state,
        me.principal(),
        programme.id,
        &form.email,
        role,
        place,
        round,
    )
    .await?
    {
        Ok(()) => {
            notify(
                &me.session,
                &format!("We have emailed an invitation to {}.", form.email.trim()),
            )
            .await;
            Ok(Redirect::to(&format!("/programmes/{slug}/requests")).into_response())
        }
        Err(errors) => render_invite(&state, &me, &slug, errors, form).await,
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "register/invitation.html")]
struct InvitationPage {
    chrome: Chrome,
    errors: FormErrors,
    token: String,
    email: String,
    /// What the invitation offers: "act for Greyhollow as its place lead".
    what: String,
    /// Who is signed in: the invited person, someone else, or nobody.
    signed_in_as: Option<String>,
    /// True when an account with the invited address exists.
    has_account: bool,
    typed: Registration,
}

async fn render_invitation(
    state: &AppState,
    who: &MaybeUser,
    token: &str,
    errors: FormErrors,
    typed: Registration,
) -> Result<Response, AppError> {
    let invitation = match registration::check_invitation(state, token).await? {
        Ok(invitation) => invitation,
        Err(why) => {
            return Ok(unusable_link(state, who, why, "accept an invitation").await);
        }
    };
    let what = registration::describe_invitation(state, &invitation).await?;
    let has_account = match convene_domain::Email::parse(&invitation.email) {
        // An account that never confirmed the address is taken over by registering here.
        Ok(email) => users::by_email(&state.db, &email)
            .await?
            .is_some_and(|u| u.email_verified),
        Err(_) => false,
    };
    let mut frame = chrome(
        state,
        who.person.as_ref(),
        &who.session,
        &format!("You are invited to {what}"),
        "/invitations",
    )
    .await;
    frame.has_errors = !errors.is_empty();
    Ok(InvitationPage {
        chrome: frame,
        errors,
        token: token.to_string(),
        email: invitation.email,
        what,
        signed_in_as: who.person.as_ref().map(|p| p.0.email.clone()),
        has_account,
        typed,
    }
    .into_response())
}

async fn invitation_page(
    State(state): State<AppState>,
    who: MaybeUser,
    Path(token): Path<String>,
) -> Result<Response, AppError> {
    render_invitation(
        &state,
        &who,
        &token,
        FormErrors::default(),
        Registration::default(),
    )
    .await
}

async fn accept(
    State(state): State<AppState>,
    who: MaybeUser,
    Path(token): Path<String>,
    Form(form): Form<Registration>,
) -> Result<Response, AppError> {
    if let Some(person) = &who.person {
        return match registration::accept_invitation(&state, &token, &person.0).await? {
            Ok(_) => {
                notify(&who.session, "You have accepted the invitation.").await;
                Ok(Redirect::to("/dashboard").into_response())
            }
            Err(why) => Ok(unusable_link(&state, &who, why, "accept an invitation").await),
        };
    }
    match registration::register_invited(&state, &token, &form).await {
        Ok(Ok(user_id)) => {
            who.session.cycle_id().await.map_err(AppError::internal)?;
            who.session
                .insert(USER_ID_KEY, user_id)
                .await
                .map_err(AppError::internal)?;
            crate::csrf::bind_to_account(&who.session, user_id).await;
            notify(
                &who.session,
                "Your account is ready and you have accepted the invitation.",
            )
            .await;
            Ok(Redirect::to("/dashboard").into_response())
        }
        Ok(Err(errors)) => {
            let mut typed = form;
            typed.password.clear();
            render_invitation(&state, &who, &token, errors, typed).await
        }
        Err(AppError::NotFound) => {
            render_invitation(
                &state,
                &who,
                &token,
                FormErrors::default(),
                Registration::default(),
            )
            .await
        }
        Err(e) => Err(e),
    }
}
