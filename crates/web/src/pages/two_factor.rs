//! Two-factor sign-in: the code step after the password, setting it up (QR code, then a
//! code to prove it works, then one-time recovery codes), and turning it off. Required of
//! service admins, programme admins and panel members when the server enforces it.

use crate::auth::{CurrentUser, MaybeUser};
use crate::error::AppError;
use crate::pages::{chrome, notify};
use crate::session_store::{PENDING_USER_KEY, USER_ID_KEY};
use crate::state::AppState;
use crate::views::{Chrome, FormErrors};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use convene_app::accounts::AccountError;
use convene_app::{sessions, two_factor as second_factor};
use convene_domain::UserId;
use convene_domain::secret_box;
use convene_domain::two_factor;
use serde::Deserialize;
use tower_sessions::Session;

/// Where to go once the code is right.
const PENDING_NEXT_KEY: &str = "pending_next";
/// A secret being set up, until a code proves the app has it.
const SETUP_SECRET_KEY: &str = "totp_setup_secret";

/// Two-factor routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/sign-in/two-factor", get(code_page).post(check_code))
        .route("/account/two-factor", get(setup_page).post(confirm_setup))
        .route("/account/two-factor/off", post(turn_off))
        .route("/account/two-factor/recovery-codes", post(new_recovery_codes))
}

fn internal(e: impl std::fmt::Display) -> AppError {
    AppError::internal(e.to_string())
}

/// Holds a signed-in-by-password person until their code is checked.
pub async fn ask_for_code(session: &Session, user_id: i64, next: &str) -> Result<Response, AppError> {
    session
        .insert(PENDING_USER_KEY, user_id)
        .await
        .map_err(internal)?;
    session.insert(PENDING_NEXT_KEY, next).await.map_err(internal)?;
    Ok(Redirect::to("/sign-in/two-factor").into_response())
}

/// Signs the person in, and sends those whose role needs a second factor they lack to set
/// one up first.
pub async fn complete_sign_in(
    state: &AppState,
    session: &Session,
    user_id: i64,
    next: &str,
) -> Result<Response, AppError> {
    session.insert(USER_ID_KEY, user_id).await.map_err(internal)?;
    crate::csrf::bind_to_account(session, user_id).await;
    if sessions::signed_in(state, UserId(user_id), state.config.enforce_two_factor).await? {
        // Every page sends them here until it is set up (auth::lacks_required_two_factor).
        return Ok(Redirect::to("/account/two-factor").into_response());
    }
    Ok(Redirect::to(next).into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "accounts/two_factor_code.html")]
struct CodePage {
    chrome: Chrome,
    errors: FormErrors,
}

async fn code_page(State(state): State<AppState>, who: MaybeUser) -> Result<Response, AppError> {
    let pending: Option<i64> = who.session.get(PENDING_USER_KEY).await.map_err(internal)?;
    if pending.is_none() {
        return Ok(Redirect::to("/sign-in").into_response());
    }
    let frame = chrome(
        &state,
        None,
        &who.session,
        "Enter the code from your authenticator app",
        "/sign-in",
    )
    .await;
    Ok(CodePage {
        chrome: frame,
        errors: FormErrors::default(),
    }
    .into_response())
}

#[derive(Deserialize)]
struct CodeForm {
    #[serde(default)]
    code: String,
}

async fn check_code(
    State(state): State<AppState>,
    who: MaybeUser,
    Form(form): Form<CodeForm>,
) -> Result<Response, AppError> {
    let session = who.session;
    let Some(user_id) = session.get::<i64>(PENDING_USER_KEY).await.map_err(internal)? else {
        return Ok(Redirect::to("/sign-in").into_response());
    };
    let key = state.config.secret_key.as_ref();
    let errors = match second_factor::check_code(&state, key, UserId(user_id), &form.code).await {
        Ok(()) => {
            let next: String = session
                .get(PENDING_NEXT_KEY)
                .await
                .map_err(internal)?
                .unwrap_or_else(|| "/dashboard".into());
            let _ = session.remove::<i64>(PENDING_USER_KEY).await;
            let _ = session.remove::<String>(PENDING_NEXT_KEY).await;
            session.cycle_id().await.map_err(internal)?;
            return complete_sign_in(&state, &session, user_id, &next).await;
        }
        Err(AccountError::Invalid(problems)) => FormErrors::from(problems),
        Err(e) => return Err(e.into()),
    };
    let mut frame = chrome(
        &state,
        None,
        &session,
        "Enter the code from your authenticator app",
        "/sign-in",
    )
    .await;
    frame.has_errors = true;
    Ok(CodePage {
        chrome: frame,
        errors,
    }
    .into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "accounts/two_factor.html")]
struct SetupPage {
    chrome: Chrome,
    errors: FormErrors,
    enabled: bool,
    /// True when the person's role needs it and the server enforces it (it cannot be turned off).
    required: bool,
    /// Set when the person must set it up before doing anything else.
    must_set_up: bool,
    secret: String,
    qr_svg: String,
    recovery_left: i64,
    /// Shown once, right after setting up.
    recovery_codes: Vec<String>,
}

fn qr_svg(url: &str) -> String {
    qrcode::QrCode::new(url.as_bytes())
        .map(|code| {
            code.render::<qrcode::render::svg::Color>()
                .min_dimensions(200, 200)
                .quiet_zone(true)
                .build()
        })
        .map(|svg| {
            svg.trim_start_matches(|c| c != '<')
                .replacen("<?xml version=\"1.0\" standalone=\"yes\"?>", "", 1)
        })
        .unwrap_or_default()
}

/// What a person is told when the server has no secret key to keep their secret with.
const NO_SECRET_KEY: &str = "Two-factor sign-in cannot be set up yet because the service is missing a setting. Contact the service team";

/// The secret being set up, kept in the session until a code proves the app has it (sealed
/// there too: sessions are kept in the database). Made on first use, and again when the one
/// kept no longer opens (the key was rotated meanwhile). None when there is no secret key.
async fn setup_secret(state: &AppState, me: &CurrentUser) -> Result<Option<String>, AppError> {
    let Some(key) = &state.config.secret_key else {
        tracing::warn!("two-factor setup refused: no secret key (CONVENE_SECRET_KEY or --secret-key-file)");
        return Ok(None);
    };
    let context = secret_box::totp_setup_context(me.user().id.0);
    let kept: Option<String> = me.session.get(SETUP_SECRET_KEY).await.map_err(internal)?;
    if let Some(secret) = kept.and_then(|sealed| key.open_text(&context, &sealed).ok()) {
        return Ok(Some(secret));
    }
    let secret = two_factor::new_secret();
    me.session
        .insert(SETUP_SECRET_KEY, key.seal_text(&context, &secret))
        .await
        .map_err(internal)?;
    Ok(Some(secret))
}

async fn render_setup(
    state: &AppState,
    me: &CurrentUser,
    mut errors: FormErrors,
    recovery_codes: Vec<String>,
) -> Result<Response, AppError> {
    let user = me.user();
    let enabled = user.totp_enabled || !recovery_codes.is_empty();
    let required = second_factor::required(me.principal(), state.config.enforce_two_factor);
    let must_set_up = crate::auth::lacks_required_two_factor(state, &me.person);
    let (secret, qr) = if enabled {
        (String::new(), String::new())
    } else if let Some(secret) = setup_secret(state, me).await? {
        let url = two_factor::setup_url(&secret, &user.email).unwrap_or_default();
        let qr = qr_svg(&url);
        (secret, qr)
    } else {
        errors.add("code", NO_SECRET_KEY);
        (String::new(), String::new())
    };
    let recovery_left = second_factor::recovery_codes_left(state, user.id).await?;
    let mut frame = chrome(
        state,
        Some(&me.person),
        &me.session,
        "Two-factor sign-in",
        "/account",
    )
    .await;
    frame.has_errors = !errors.is_empty();
    Ok(SetupPage {
        chrome: if must_set_up {
            frame
        } else {
            frame.with_back("/account")
        },
        errors,
        enabled,
        required,
        must_set_up,
        secret,
        qr_svg: qr,
        recovery_left,
        recovery_codes,
    }
    .into_response())
}

async fn setup_page(State(state): State<AppState>, me: CurrentUser) -> Result<Response, AppError> {
    render_setup(&state, &me, FormErrors::default(), Vec::new()).await
}

async fn confirm_setup(
    State(state): State<AppState>,
    me: CurrentUser,
    Form(form): Form<CodeForm>,
) -> Result<Response, AppError> {
    let user_id = me.user().id;
    let Some(key) = &state.config.secret_key else {
        // The page says why it cannot be set up.
        return render_setup(&state, &me, FormErrors::default(), Vec::new()).await;
    };
    let kept: Option<String> = me.session.get(SETUP_SECRET_KEY).await.map_err(internal)?;
    let Some(secret) = kept.and_then(|sealed| {
        key.open_text(&secret_box::totp_setup_context(user_id.0), &sealed)
            .ok()
    }) else {
        return Ok(Redirect::to("/account/two-factor").into_response());
    };
    match second_factor::enable(&state, key, user_id, &secret, &form.code).await {
        Ok(codes) => {
            let _ = me.session.remove::<String>(SETUP_SECRET_KEY).await;
            render_setup(&state, &me, FormErrors::default(), codes).await
        }
        Err(AccountError::Invalid(problems)) => render_setup(&state, &me, problems.into(), Vec::new()).await,
        Err(e) => Err(e.into()),
    }
}

/// Fresh recovery codes (the current password is asked for), replacing any left: for
/// someone who has used or lost theirs, or whose codes were made before they were long
/// enough to keep (docs/decisions/0005-secrets-at-rest.md).
async fn new_recovery_codes(
    State(state): State<AppState>,
    me: CurrentUser,
    Form(form): Form<OffForm>,
) -> Result<Response, AppError> {
    let key = state.config.secret_key.as_ref();
    match second_factor::replace_recovery_codes(&state, key, me.user(), &form.password).await {
        Ok(Some(codes)) => render_setup(&state, &me, FormErrors::default(), codes).await,
        Ok(None) => Ok(Redirect::to("/account/two-factor").into_response()),
        Err(AccountError::Invalid(problems)) => render_setup(&state, &me, problems.into(), Vec::new()).await,
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
struct OffForm {
    #[serde(default)]
    password: String,
}

async fn turn_off(
    State(state): State<AppState>,
    me: CurrentUser,
    Form(form): Form<OffForm>,
) -> Result<Response, AppError> {
    let enforce = state.config.enforce_two_factor;
    match second_factor::turn_off(&state, me.user(), me.principal(), enforce, &form.password).await {
        Ok(()) => {
            notify(&me.session, "Two-factor sign-in is off.").await;
            Ok(Redirect::to("/account").into_response())
        }
        Err(AccountError::Invalid(problems)) => render_setup(&state, &me, problems.into(), Vec::new()).await,
        Err(e) => Err(e.into()),
    }
}
