//! Signing in and out, password reset by email, and the account page with API tokens.

use crate::auth::{CurrentUser, MaybeUser};
use crate::error::AppError;
use crate::pages::{chrome, notify, take_notice};
use crate::passwords::hashing;
use crate::state::AppState;
use crate::views::{Chrome, FormErrors};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use convene_domain::Email;
use convene_domain::accounts::{
    check_new_password, dummy_password_hash, hash_password, new_secret, secret_digest, verify_password,
};
use convene_domain::audit::AuditAction;
use convene_domain::policy::{Action, Resource, allows};
use convene_store::{sessions, throttle, tokens, users};
use serde::Deserialize;
use std::net::SocketAddr;

/// How long a password-reset link works.
const RESET_LINK_SECONDS: i64 = 3600;
/// The one answer to a sign-in that did not work, whatever was wrong (no such account, a
/// wrong password, or an address not confirmed yet), so it reveals nothing about accounts.
const WRONG_SIGN_IN: &str =
    "Enter a correct email address and password. New account? Confirm it first with the link we emailed you";
/// The window in which failed sign-ins count towards the delay.
const FAILURE_WINDOW_SECONDS: i64 = 15 * 60;

/// Sign-in, sign-out, password reset and account routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/sign-in", get(sign_in_page).post(sign_in))
        .route("/sign-out", post(sign_out))
        .route("/forgot-password", get(forgot_page).post(forgot))
        .route("/reset-password/{token}", get(reset_page).post(reset))
        .route("/account", get(account_page))
        .route("/account/tokens", post(create_token))
        .route("/account/tokens/{id}/revoke", post(revoke_token))
        .route("/account/sign-out-everywhere", post(sign_out_everywhere))
}

#[derive(Template, WebTemplate)]
#[template(path = "accounts/sign_in.html")]
struct SignInPage {
    chrome: Chrome,
    errors: FormErrors,
    email: String,
    next: String,
    notice: Option<String>,
}

#[derive(Deserialize)]
struct NextQuery {
    next: Option<String>,
}

/// Only local paths may be a post-sign-in destination (no open redirect).
fn safe_next(next: Option<&str>) -> String {
    next.filter(|n| is_local_path(n))
        .unwrap_or("/dashboard")
        .to_string()
}

/// True for a path on this site, the only kind of destination a link or form may send
/// someone to afterwards (no open redirect).
pub(crate) fn is_local_path(path: &str) -> bool {
    path.starts_with('/')
        && !path.starts_with("//")
        && !path
            .chars()
            .any(|c| c == '\\' || c.is_whitespace() || c.is_control())
}

async fn sign_in_page(State(state): State<AppState>, who: MaybeUser, Query(q): Query<NextQuery>) -> Response {
    if who.person.is_some() {
        return Redirect::to(&safe_next(q.next.as_deref())).into_response();
    }
    let notice = take_notice(&who.session).await;
    let mut chrome = chrome(&state, None, &who.session, "Sign in", "/sign-in").await;
    chrome.demo = state.config.demo;
    SignInPage {
        chrome,
        errors: FormErrors::default(),
        email: String::new(),
        next: safe_next(q.next.as_deref()),
        notice,
    }
    .into_response()
}

#[derive(Deserialize)]
struct SignInForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    next: Option<String>,
}

async fn sign_in(
    State(state): State<AppState>,
    who: MaybeUser,
    peer: Option<axum::Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    Form(form): Form<SignInForm>,
) -> Result<Response, AppError> {
    let session = who.session;
    let next = safe_next(form.next.as_deref());
    let now = state.clock.now();
    let client = crate::ops::client_address(&headers, peer.map(|c| c.0.0), state.config.trusted_proxies);
    let typed_email = form.email.trim().to_lowercase();
    let mut errors = FormErrors::default();
    if typed_email.is_empty() {
        errors.add("email", "Enter your email address");
    }
    if form.password.is_empty() {
        errors.add("password", "Enter your password");
    }
    if errors.is_empty() {
        let window = now.plus_seconds(-FAILURE_WINDOW_SECONDS);
        let account_key = throttle::password_key(&typed_email);
        let client_key = throttle::client_key(&client);
        // Counted before the password is checked, in one statement each, so parallel
        // guesses cannot slip past the delay. The client's try is taken only once the
        // account's is allowed, so refused tries never inflate the other count.
        let by_account = throttle::take_try(&state.db, &account_key, now, window).await?;
        let by_client = if by_account.allowed {
            let taken = throttle::take_try(&state.db, &client_key, now, window).await?;
            if !taken.allowed {
                throttle::release(&state.db, &account_key).await?;
            }
            Some(taken)
        } else {
            None
        };
        let refused = match by_client {
            Some(taken) if taken.allowed => None,
            Some(taken) => Some(taken.ready_at),
            None => Some(by_account.ready_at),
        };
        if let Some(ready_at) = refused {
            let seconds = (ready_at.0 - now.0) / 1_000_000 + 1;
            errors.add(
                "email",
                format!("Too many failed attempts. Wait {seconds} seconds, then try again"),
            );
        } else {
            let user = match Email::parse(&typed_email) {
                Ok(email) => users::by_email(&state.db, &email).await?,
                Err(_) => None,
            };
            let hash = user
                .as_ref()
                .map(|u| u.password_hash.clone())
                .unwrap_or_else(|| dummy_password_hash().to_string());
            let password = form.password.clone();
            // Verified off the async threads; an unknown email costs the same as a known one.
            let ok = hashing(&state, move || verify_password(&password, &hash)).await?;
            match user {
                Some(user) if ok && user.email_verified => {
                    throttle::clear(&state.db, &account_key).await?;
                    throttle::release(&state.db, &client_key).await?;
                    session.cycle_id().await.map_err(AppError::internal)?;
                    if user.totp_enabled {
                        // The password was right; the code comes next.
                        return crate::pages::two_factor::ask_for_code(&session, user.id, &next).await;
                    }
                    return crate::pages::two_factor::complete_sign_in(&state, &session, user.id, &next)
                        .await;
                }
                unconfirmed_or_wrong => {
                    if let Some(user) = unconfirmed_or_wrong.filter(|_| ok) {
                        // The right password for an address never confirmed: a fresh link
                        // goes to that address, and the answer is the same as for a wrong
                        // password, so nobody learns that the account exists.
                        crate::registration::resend_verification(&state, &user, &next).await?;
                    }
                    throttle::record_failure(&state.db, &typed_email, &client, now).await?;
                    errors.add("email", WRONG_SIGN_IN);
                }
            }
        }
    }
    let mut chrome = chrome(&state, None, &session, "Sign in", "/sign-in").await;
    chrome.has_errors = true;
    Ok(SignInPage {
        chrome,
        errors,
        email: form.email,
        next,
        notice: None,
    }
    .into_response())
}

async fn sign_out(State(state): State<AppState>, who: MaybeUser) -> Result<Response, AppError> {
    if let Some(person) = &who.person {
        state.people.forget(person.0.id);
    }
    who.session.flush().await.map_err(AppError::internal)?;
    notify(&who.session, "You have signed out.").await;
    Ok(Redirect::to("/sign-in").into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "accounts/forgot_password.html")]
struct ForgotPage {
    chrome: Chrome,
    errors: FormErrors,
    email: String,
    sent: bool,
}

async fn forgot_page(State(state): State<AppState>, who: MaybeUser) -> Response {
    let chrome = chrome(
        &state,
        who.person.as_ref(),
        &who.session,
        "Reset your password",
        "/forgot-password",
    )
    .await;
    ForgotPage {
        chrome: chrome.with_back("/sign-in"),
        errors: FormErrors::default(),
        email: String::new(),
        sent: false,
    }
    .into_response()
}

#[derive(Deserialize)]
struct ForgotForm {
    #[serde(default)]
    email: String,
}

async fn forgot(
    State(state): State<AppState>,
    who: MaybeUser,
    Form(form): Form<ForgotForm>,
) -> Result<Response, AppError> {
    let mut errors = FormErrors::default();
    let email = match Email::parse(&form.email) {
        Ok(e) => Some(e),
        Err(e) => {
            errors.add("email", e.to_string());
            None
        }
    };
    let mut chrome = chrome(
        &state,
        who.person.as_ref(),
        &who.session,
        "Reset your password",
        "/forgot-password",
    )
    .await;
    chrome = chrome.with_back("/sign-in");
    let Some(email) = email else {
        chrome.has_errors = true;
        return Ok(ForgotPage {
            chrome,
            errors,
            email: form.email,
            sent: false,
        }
        .into_response());
    };
    // The same answer, after the same work, whether or not the address has an account: the
    // look-up and the email happen after the answer is sent, so its timing says nothing.
    let worker = state.clone();
    tokio::spawn(async move {
        if let Err(e) = send_reset_link(&worker, &email).await {
            tracing::error!(error = %e, "could not queue a password reset link");
        }
    });
    Ok(ForgotPage {
        chrome,
        errors,
        email: String::new(),
        sent: true,
    }
    .into_response())
}

/// Emails a password-reset link to the account with this address, if there is one.
async fn send_reset_link(state: &AppState, email: &Email) -> Result<(), AppError> {
    let Some(user) = users::by_email(&state.db, email).await? else {
        return Ok(());
    };
    let now = state.clock.now();
    let secret = new_secret();
    let mut work = state.begin(None).await?;
    tokens::create_password_reset(
        work.tx(),
        user.id,
        &secret_digest(&secret),
        now,
        now.plus_seconds(RESET_LINK_SECONDS),
    )
    .await?;
    let link = format!("{}/reset-password/{secret}", state.config.public_url);
    let body = format!(
        "Dear {},\n\nSomeone asked to reset the password of your Convene account. To choose a new \
         password, open this link within one hour:\n\n{link}\n\nThe link works once. If you did not ask, \
         you can ignore this email: your password has not changed.\n\nConvene",
        user.name
    );
    work.mail(email.as_str(), "Reset your Convene password", &body)
        .await?;
    work.commit().await?;
    Ok(())
}

#[derive(Template, WebTemplate)]
#[template(path = "accounts/reset_password.html")]
struct ResetPage {
    chrome: Chrome,
    errors: FormErrors,
    valid: bool,
}

async fn reset_page(
    State(state): State<AppState>,
    who: MaybeUser,
    Path(token): Path<String>,
) -> Result<Response, AppError> {
    let valid = tokens::password_reset_user(&state.db, &secret_digest(&token), state.clock.now())
        .await?
        .is_some();
    let chrome = chrome(
        &state,
        who.person.as_ref(),
        &who.session,
        "Choose a new password",
        "/reset-password",
    )
    .await;
    Ok(ResetPage {
        chrome,
        errors: FormErrors::default(),
        valid,
    }
    .into_response())
}

#[derive(Deserialize)]
struct ResetForm {
    #[serde(default)]
    password: String,
    #[serde(default)]
    confirm: String,
}

async fn reset(
    State(state): State<AppState>,
    who: MaybeUser,
    Path(token): Path<String>,
    Form(form): Form<ResetForm>,
) -> Result<Response, AppError> {
    let mut errors = FormErrors::default();
    if let Err(e) = check_new_password(&form.password) {
        errors.add("password", e.to_string());
    } else if form.password != form.confirm {
        errors.add("confirm", "The passwords do not match");
    }
    let now = state.clock.now();
    if errors.is_empty() {
        let password = form.password.clone();
        let hash = hashing(&state, move || hash_password(&password))
            .await?
            .map_err(AppError::internal)?;
        let mut work = state.begin(None).await?;
        if let Some(user_id) = tokens::spend_password_reset(work.tx(), &secret_digest(&token), now).await? {
            work.set_actor(Some(user_id));
            users::set_password_hash(work.tx(), user_id, &hash).await?;
            // The link reached the address, so it is confirmed too.
            if let Some(user) = users::by_id(&state.db, user_id).await? {
                users::mark_verified(work.tx(), user_id, &user.email, now).await?;
            }
            work.audit(AuditAction::PasswordReset, Some(user_id)).await?;
            // A new password ends every other way in: tokens, links, sessions.
            crate::auth::revoke_credentials(&mut work, user_id).await?;
            work.commit().await?;
            crate::auth::end_sessions(&state, user_id, None).await?;
            notify(
                &who.session,
                "Your password has been changed. Sign in with your new password.",
            )
            .await;
            return Ok(Redirect::to("/sign-in").into_response());
        }
        drop(work);
        let chrome = chrome(
            &state,
            who.person.as_ref(),
            &who.session,
            "Choose a new password",
            "/reset-password",
        )
        .await;
        return Ok(ResetPage {
            chrome,
            errors,
            valid: false,
        }
        .into_response());
    }
    let mut chrome = chrome(
        &state,
        who.person.as_ref(),
        &who.session,
        "Choose a new password",
        "/reset-password",
    )
    .await;
    chrome.has_errors = true;
    Ok(ResetPage {
        chrome,
        errors,
        valid: true,
    }
    .into_response())
}

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

async fn account_page(State(state): State<AppState>, me: CurrentUser) -> Result<Response, AppError> {
    render_account(&state, &me, FormErrors::default(), String::new()).await
}

async fn render_account(
    state: &AppState,
    me: &CurrentUser,
    errors: FormErrors,
    token_name: String,
) -> Result<Response, AppError> {
    let user = me.user();
    let list = tokens::api_tokens_of(&state.db, user.id).await?;
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
        sessions: sessions::count_for_user(&state.db, user.id, state.clock.now()).await?,
        roles: me
            .principal()
            .grants
            .iter()
            .map(|g| g.role.label().to_string())
            .collect(),
        tokens: list
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
struct TokenForm {
    #[serde(default)]
    name: String,
}

async fn create_token(
    State(state): State<AppState>,
    me: CurrentUser,
    Form(form): Form<TokenForm>,
) -> Result<Response, AppError> {
    let name = form.name.trim();
    let mut errors = FormErrors::default();
    if name.is_empty() {
        errors.add(
            "name",
            "Enter a name for the token, such as the tool that will use it",
        );
    } else if name.chars().count() > 100 {
        errors.add("name", "Token name must be 100 characters or fewer");
    }
    if !errors.is_empty() {
        return render_account(&state, &me, errors, form.name).await;
    }
    let secret = new_secret();
    let now = state.clock.now();
    let mut work = state.begin(Some(me.user().id)).await?;
    let id = tokens::create_api_token(work.tx(), me.user().id, name, &secret_digest(&secret), now).await?;
    work.audit(AuditAction::ApiTokenCreated, Some(id)).await?;
    work.commit().await?;
    let _ = me.session.insert(NEW_TOKEN_KEY, &secret).await;
    Ok(Redirect::to("/account#api-tokens").into_response())
}

async fn revoke_token(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let token = tokens::api_token(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if !allows(
        me.principal(),
        Action::Edit,
        Resource::ApiToken {
            owner_id: token.user_id,
        },
    ) {
        return Err(AppError::Forbidden);
    }
    let now = state.clock.now();
    let mut work = state.begin(Some(me.user().id)).await?;
    tokens::revoke_api_token(work.tx(), id, now).await?;
    work.audit(AuditAction::ApiTokenRevoked, Some(id)).await?;
    work.commit().await?;
    notify(
        &me.session,
        &format!("The token “{}” has been revoked.", token.name),
    )
    .await;
    Ok(Redirect::to("/account#api-tokens").into_response())
}

async fn sign_out_everywhere(State(state): State<AppState>, me: CurrentUser) -> Result<Response, AppError> {
    let user_id = me.user().id;
    let mut work = state.begin(Some(user_id)).await?;
    crate::auth::revoke_credentials(&mut work, user_id).await?;
    work.audit(AuditAction::SignedOutEverywhere, Some(user_id))
        .await?;
    work.commit().await?;
    crate::auth::end_sessions(&state, user_id, None).await?;
    me.session.flush().await.map_err(AppError::internal)?;
    notify(
        &me.session,
        "You have been signed out on every device, and your API tokens and emailed links no longer work.",
    )
    .await;
    Ok(Redirect::to("/sign-in").into_response())
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn next_is_local_only() {
        assert_eq!(safe_next(Some("/places/3")), "/places/3");
        assert_eq!(safe_next(Some("//evil.example")), "/dashboard");
        assert_eq!(safe_next(Some("https://evil.example")), "/dashboard");
        assert_eq!(safe_next(None), "/dashboard");
        assert_eq!(
            safe_next(Some("/\t/evil.example")),
            "/dashboard",
            "browsers drop tabs"
        );
        assert_eq!(safe_next(Some("/\\evil.example")), "/dashboard");
    }
}
