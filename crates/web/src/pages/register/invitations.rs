//! Invitations: an admin's form, and the invitation link's page, where the invited person
//! accepts with their account or makes one.

use super::unusable_link;
use crate::auth::{CurrentUser, MaybeUser};
use crate::error::AppError;
use crate::pages::{chrome, notify};
use crate::registration::Registration;
use crate::session_store::USER_ID_KEY;
use crate::state::AppState;
use crate::views::{Chrome, FormErrors};
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use convene_app::accounts::AccountError;
use convene_app::registration::{self, InvitedRole};
use serde::Deserialize;

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
    let choices = registration::invite_choices(state, me.principal(), slug).await?;
    let path = format!("/programmes/{slug}/invite");
    let mut frame = chrome(state, Some(&me.person), &me.session, "Invite someone", &path).await;
    frame.has_errors = !errors.is_empty();
    Ok(InvitePage {
        chrome: frame.with_back(format!("/programmes/{slug}/requests")),
        errors,
        slug: slug.to_string(),
        programme_name: choices.programme_name,
        places: choices.places,
        rounds: choices.rounds,
        typed,
    }
    .into_response())
}

pub(super) async fn invite_page(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    render_invite(&state, &me, &slug, FormErrors::default(), InviteForm::default()).await
}

#[derive(Deserialize, Default)]
pub(super) struct InviteForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    place: String,
    #[serde(default)]
    round: String,
}

pub(super) async fn invite(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(slug): Path<String>,
    Form(form): Form<InviteForm>,
) -> Result<Response, AppError> {
    let role = InvitedRole::from_key(&form.role);
    let place = form.place.trim().parse::<i64>().ok();
    let round = form.round.trim().parse::<i64>().ok();
    match registration::invite(&state, me.principal(), &slug, &form.email, role, place, round).await {
        Ok(()) => {
            notify(
                &me.session,
                &format!("We have emailed an invitation to {}.", form.email.trim()),
            )
            .await;
            Ok(Redirect::to(&format!("/programmes/{slug}/requests")).into_response())
        }
        Err(AccountError::Invalid(problems)) => {
            render_invite(&state, &me, &slug, problems.into(), form).await
        }
        Err(e) => Err(e.into()),
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
    let offer = match registration::invitation_offer(state, token).await {
        Ok(offer) => offer,
        Err(AccountError::Link(why)) => {
            return Ok(unusable_link(state, who, why, "accept an invitation").await);
        }
        Err(e) => return Err(e.into()),
    };
    let mut frame = chrome(
        state,
        who.person.as_ref(),
        &who.session,
        &format!("You are invited to {}", offer.what),
        "/invitations",
    )
    .await;
    frame.has_errors = !errors.is_empty();
    Ok(InvitationPage {
        chrome: frame,
        errors,
        token: token.to_string(),
        email: offer.invitation.email,
        what: offer.what,
        signed_in_as: who.person.as_ref().map(|p| p.0.email.clone()),
        has_account: offer.has_account,
        typed,
    }
    .into_response())
}

pub(super) async fn invitation_page(
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

pub(super) async fn accept(
    State(state): State<AppState>,
    who: MaybeUser,
    Path(token): Path<String>,
    Form(form): Form<Registration>,
) -> Result<Response, AppError> {
    if let Some(person) = &who.person {
        return match registration::accept_invitation(&state, &token, &person.0).await {
            Ok(_) => {
                notify(&who.session, "You have accepted the invitation.").await;
                Ok(Redirect::to("/dashboard").into_response())
            }
            Err(AccountError::Link(why)) => {
                Ok(unusable_link(&state, &who, why, "accept an invitation").await)
            }
            Err(e) => Err(e.into()),
        };
    }
    match registration::register_invited(&state, &token, &form.details()).await {
        Ok(user_id) => {
            crate::auth::end_sessions(&state, user_id, None).await?;
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
        Err(AccountError::Invalid(problems)) => {
            let mut typed = form;
            typed.password.clear();
            render_invitation(&state, &who, &token, problems.into(), typed).await
        }
        Err(AccountError::NotFound) => {
            render_invitation(
                &state,
                &who,
                &token,
                FormErrors::default(),
                Registration::default(),
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}
