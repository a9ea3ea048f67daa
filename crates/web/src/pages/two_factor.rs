//! Two-factor sign-in: the code step after the password, setting it up (QR code, then a
//! code to prove it works, then one-time recovery codes), and turning it off. Required of
//! service admins, programme admins and panel members when the server enforces it.

use crate::auth::{CurrentUser, MaybeUser};
use crate::error::AppError;
use crate::pages::accounts::hashing;
use crate::pages::{chrome, notify};
use crate::session_store::USER_ID_KEY;
use crate::state::AppState;
use crate::views::{Chrome, FormErrors};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use convene_domain::accounts::{secret_digest, verify_password};
use convene_domain::two_factor;
use convene_store::{audit, throttle, users};
use serde::Deserialize;
use tower_sessions::Session;

/// The account whose password was right, waiting for its code.
const PENDING_USER_KEY: &str = "pending_user_id";
/// Where to go once the code is right.
const PENDING_NEXT_KEY: &str = "pending_next";
/// A secret being set up, until a code proves the app has it.
const SETUP_SECRET_KEY: &str = "totp_setup_secret";
/// Set at sign-in when the person's role needs two-factor sign-in and they have none.
pub const MUST_SET_UP_KEY: &str = "must_set_up_two_factor";

/// Two-factor routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/sign-in/two-factor", get(code_page).post(check_code))
        .route("/account/two-factor", get(setup_page).post(confirm_setup))
        .route("/account/two-factor/off", post(turn_off))
}

fn internal(e: impl std::fmt::Display) -> AppError {
    AppError::Internal(e.to_string())
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
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    audit::log(&mut tx, Some(user_id), "signed_in", "user", Some(user_id), now).await?;
    tx.commit().await?;
    if state.config.enforce_two_factor {
        let user = users::by_id(&state.db, user_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let needs = users::grants(&state.db, user_id)
            .await?
            .iter()
            .any(|g| g.role.needs_two_factor());
        if needs && !user.totp_enabled {
            session.insert(MUST_SET_UP_KEY, true).await.map_err(internal)?;
            return Ok(Redirect::to("/account/two-factor").into_response());
        }
    }
    Ok(Redirect::to(next).into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "two_factor_code.html")]
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

fn unix_seconds(state: &AppState) -> u64 {
    u64::try_from(state.clock.now().0 / 1_000_000).unwrap_or(0)
}

/// True when `typed` is a current code (not used before) or an unused recovery code.
async fn code_is_good(state: &AppState, user_id: i64, typed: &str) -> Result<bool, AppError> {
    let Some((secret, last_step)) = convene_store::two_factor::secret(&state.db, user_id).await? else {
        return Ok(false);
    };
    if let Some(step) = two_factor::verify(&secret, typed, unix_seconds(state), last_step) {
        return Ok(convene_store::two_factor::spend_step(&state.db, user_id, step).await?);
    }
    let recovery = two_factor::normalise_recovery_code(typed);
    if recovery.len() == 10 {
        let used = convene_store::two_factor::spend_recovery_code(
            &state.db,
            user_id,
            &secret_digest(&recovery),
            state.clock.now(),
        )
        .await?;
        if used {
            let mut tx = state.db.begin().await?;
            audit::log(
                &mut tx,
                Some(user_id),
                "recovery_code_used",
                "user",
                Some(user_id),
                state.clock.now(),
            )
            .await?;
            tx.commit().await?;
        }
        return Ok(used);
    }
    Ok(false)
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
    let user = users::by_id(&state.db, user_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let now = state.clock.now();
    let mut errors = FormErrors::default();
    // Wrong codes count towards the same growing delay as wrong passwords.
    let (failures, _, latest) =
        throttle::recent_failures(&state.db, &user.email, "two-factor", now.plus_seconds(-15 * 60)).await?;
    let wait = convene_domain::accounts::sign_in_delay_seconds(failures);
    let ready = latest
        .map(|t| convene_domain::Timestamp(t).plus_seconds(wait))
        .unwrap_or(now);
    if form.code.trim().is_empty() {
        errors.add(
            "code",
            "Enter the 6-digit code from your authenticator app, or a recovery code",
        );
    } else if wait > 0 && ready > now {
        errors.add(
            "code",
            format!(
                "Too many wrong codes. Wait {} seconds, then try again",
                (ready.0 - now.0) / 1_000_000 + 1
            ),
        );
    } else if code_is_good(&state, user_id, &form.code).await? {
        throttle::clear(&state.db, &user.email).await?;
        let next: String = session
            .get(PENDING_NEXT_KEY)
            .await
            .map_err(internal)?
            .unwrap_or_else(|| "/dashboard".into());
        let _ = session.remove::<i64>(PENDING_USER_KEY).await;
        let _ = session.remove::<String>(PENDING_NEXT_KEY).await;
        session.cycle_id().await.map_err(internal)?;
        return complete_sign_in(&state, &session, user_id, &next).await;
    } else {
        throttle::record_failure(&state.db, &user.email, "two-factor", now).await?;
        errors.add(
            "code",
            "The code is not right. Check your authenticator app and enter the newest code",
        );
    }
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
#[template(path = "two_factor.html")]
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

async fn render_setup(
    state: &AppState,
    me: &CurrentUser,
    errors: FormErrors,
    recovery_codes: Vec<String>,
) -> Result<Response, AppError> {
    let user = me.user();
    let enabled = user.totp_enabled || !recovery_codes.is_empty();
    let required =
        state.config.enforce_two_factor && me.principal().grants.iter().any(|g| g.role.needs_two_factor());
    let must_set_up = me
        .session
        .get::<bool>(MUST_SET_UP_KEY)
        .await
        .map_err(internal)?
        .unwrap_or(false);
    let (secret, qr) = if enabled {
        (String::new(), String::new())
    } else {
        let secret = match me
            .session
            .get::<String>(SETUP_SECRET_KEY)
            .await
            .map_err(internal)?
        {
            Some(s) => s,
            None => {
                let s = two_factor::new_secret();
                me.session.insert(SETUP_SECRET_KEY, &s).await.map_err(internal)?;
                s
            }
        };
        let url = two_factor::setup_url(&secret, &user.email).unwrap_or_default();
        let qr = qr_svg(&url);
        (secret, qr)
    };
    let recovery_left = convene_store::two_factor::recovery_codes_left(&state.db, user.id).await?;
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
    let Some(secret) = me
        .session
        .get::<String>(SETUP_SECRET_KEY)
        .await
        .map_err(internal)?
    else {
        return Ok(Redirect::to("/account/two-factor").into_response());
    };
    let mut errors = FormErrors::default();
    let Some(step) = two_factor::verify(&secret, &form.code, unix_seconds(&state), None) else {
        errors.add(
            "code",
            "The code is not right. Enter the 6-digit code your app shows now",
        );
        return render_setup(&state, &me, errors, Vec::new()).await;
    };
    let codes = two_factor::new_recovery_codes();
    let digests: Vec<String> = codes
        .iter()
        .map(|c| secret_digest(&two_factor::normalise_recovery_code(c)))
        .collect();
    let now = state.clock.now();
    let user_id = me.user().id;
    let mut tx = state.db.begin().await?;
    convene_store::two_factor::enable(&mut tx, user_id, &secret, step, &digests, now).await?;
    audit::log(
        &mut tx,
        Some(user_id),
        "two_factor_enabled",
        "user",
        Some(user_id),
        now,
    )
    .await?;
    tx.commit().await?;
    let _ = me.session.remove::<String>(SETUP_SECRET_KEY).await;
    let _ = me.session.remove::<bool>(MUST_SET_UP_KEY).await;
    state.people.forget(user_id);
    render_setup(&state, &me, FormErrors::default(), codes).await
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
    let required =
        state.config.enforce_two_factor && me.principal().grants.iter().any(|g| g.role.needs_two_factor());
    if required {
        return Err(AppError::Forbidden);
    }
    let hash = me.user().password_hash.clone();
    let password = form.password.clone();
    if !hashing(&state, move || verify_password(&password, &hash)).await? {
        let mut errors = FormErrors::default();
        errors.add(
            "password",
            "Enter your current password to turn two-factor sign-in off",
        );
        return render_setup(&state, &me, errors, Vec::new()).await;
    }
    let now = state.clock.now();
    let user_id = me.user().id;
    let mut tx = state.db.begin().await?;
    convene_store::two_factor::disable(&mut tx, user_id).await?;
    audit::log(
        &mut tx,
        Some(user_id),
        "two_factor_disabled",
        "user",
        Some(user_id),
        now,
    )
    .await?;
    tx.commit().await?;
    state.people.forget(user_id);
    notify(&me.session, "Two-factor sign-in is off.").await;
    Ok(Redirect::to("/account").into_response())
}
