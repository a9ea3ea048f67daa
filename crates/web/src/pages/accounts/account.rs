//! The account page: the person's details and roles, their API tokens (a new one shown
//! once), how many devices are signed in, and "sign out everywhere".

use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::pages::{chrome, notify, take_notice};
use crate::state::AppState;
use crate::views::{Chrome, FormErrors};
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use convene_app::accounts::{self, AccountError};
use convene_domain::UserId;
use serde::Deserialize;

#[derive(Template, WebTemplate)]
#[template(path = "accounts/account.html")]
struct AccountPage {
    chrome: Chrome,
    name: String,
    email: String,
    organisation: String,
    job_role: String,
    two_factor: bool,
    /// Live sessions: browsers and devices signed in.
    sessions: i64,
    roles: Vec<String>,
    tokens: Vec<TokenView>,
    new_token: Option<String>,
    notice: Option<String>,
    errors: FormErrors,
    token_name: String,
}

struct TokenView {
    id: i64,
    name: String,
    created: String,
    last_used: String,
}

/// The session key holding a just-created token, shown once.
const NEW_TOKEN_KEY: &str = "new_token";

pub(super) async fn account_page(
    State(state): State<AppState>,
    me: CurrentUser,
) -> Result<Response, AppError> {
    render_account(&state, &me, FormErrors::default(), String::new()).await
}

async fn render_account(
    state: &AppState,
    me: &CurrentUser,
    errors: FormErrors,
    token_name: String,
) -> Result<Response, AppError> {
    let user = me.user();
    let overview = accounts::overview(state, user.id).await?;
    let new_token = crate::pages::take(&me.session, NEW_TOKEN_KEY).await;
    let notice = take_notice(&me.session).await;
    let mut chrome = chrome(state, Some(&me.person), &me.session, "Your account", "/account").await;
    chrome.has_errors = !errors.is_empty();
    Ok(AccountPage {
        chrome,
        name: user.name.clone(),
        email: user.email.clone(),
        organisation: user.organisation.clone(),
        job_role: user.job_role.clone(),
        two_factor: user.totp_enabled,
        sessions: overview.sessions,
        roles: me
            .principal()
            .grants
            .iter()
            .map(|g| g.role.label().to_string())
            .collect(),
        tokens: overview
            .tokens
            .into_iter()
            .map(|t| TokenView {
                id: t.id,
                name: t.name,
                created: t.created_at.london_words(),
                last_used: t
                    .last_used_at
                    .map(|t| t.london_words())
                    .unwrap_or_else(|| "Never".into()),
            })
            .collect(),
        new_token,
        notice,
        errors,
        token_name,
    }
    .into_response())
}

#[derive(Deserialize)]
pub(super) struct TokenForm {
    #[serde(default)]
    name: String,
}

pub(super) async fn create_token(
    State(state): State<AppState>,
    me: CurrentUser,
    Form(form): Form<TokenForm>,
) -> Result<Response, AppError> {
    match accounts::create_api_token(&state, UserId(me.user().id.0), &form.name).await {
        Ok(secret) => {
            let _ = me.session.insert(NEW_TOKEN_KEY, &secret).await;
            Ok(Redirect::to("/account#api-tokens").into_response())
        }
        Err(AccountError::Invalid(problems)) => render_account(&state, &me, problems.into(), form.name).await,
        Err(e) => Err(e.into()),
    }
}

pub(super) async fn revoke_token(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let token = accounts::revoke_api_token(&state, me.principal(), id).await?;
    notify(
        &me.session,
        &format!("The token “{}” has been revoked.", token.name),
    )
    .await;
    Ok(Redirect::to("/account#api-tokens").into_response())
}

pub(super) async fn sign_out_everywhere(
    State(state): State<AppState>,
    me: CurrentUser,
) -> Result<Response, AppError> {
    let user_id = me.user().id;
    accounts::sign_out_everywhere(&state, user_id).await?;
    crate::auth::end_sessions(&state, user_id.0, None).await?;
    me.session.flush().await.map_err(AppError::internal)?;
    notify(
        &me.session,
        "You have been signed out on every device, and your API tokens and emailed links no longer work.",
    )
    .await;
    Ok(Redirect::to("/sign-in").into_response())
}
