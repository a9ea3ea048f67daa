//! Two-factor sign-in: the code step after the password, setting it up (QR code, then a
//! code to prove it works, then one-time recovery codes), and turning it off. Required of
//! service admins, programme admins and panel members when the server enforces it.

use crate::auth::{CurrentUser, MaybeUser};
use crate::error::AppError;
use crate::pages::{chrome, notify};
use crate::passwords::hashing;
use crate::session_store::{PENDING_USER_KEY, USER_ID_KEY};
use crate::state::AppState;
use crate::views::{Chrome, FormErrors};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use convene_app::Cache;
use convene_domain::accounts::verify_password;
use convene_domain::audit::AuditAction;
use convene_domain::secret_box::{self, SecretKey};
use convene_domain::two_factor;
use convene_store::{throttle, users};
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
    let mut work = state.begin(Some(user_id)).await?;
    work.audit(AuditAction::SignedIn, Some(user_id)).await?;
    work.commit().await?;
    if state.config.enforce_two_factor {
        let user = users::by_id(&state.db, user_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let needs = users::grants(&state.db, user_id)
            .await?
            .iter()
            .any(|g| g.role.needs_two_factor());
        if needs && !user.totp_enabled {
            // Every page sends them here until it is set up (auth::lacks_required_two_factor).
            return Ok(Redirect::to("/account/two-factor").into_response());
        }
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

fn unix_seconds(state: &AppState) -> u64 {
    u64::try_from(state.clock.now().0 / 1_000_000).unwrap_or(0)
}

/// A person's TOTP secret, opened with the service's key, and the last step used; none
/// when two-factor sign-in is off.
async fn open_secret(state: &AppState, user_id: i64) -> Result<Option<(String, Option<i64>)>, AppError> {
    let Some((sealed, last_step)) = convene_store::two_factor::secret(&state.db, user_id).await? else {
        return Ok(None);
    };
    let secret = secret_key(state)?
        .open_text(&secret_box::totp_secret_context(user_id), &sealed)
        .map_err(|e| {
            internal(format!(
                "cannot open the two-factor secret of user {user_id}: {e}"
            ))
        })?;
    Ok(Some((secret, last_step)))
}

/// True when `typed` is a current code (not used before) or an unused recovery code.
async fn code_is_good(state: &AppState, user_id: i64, typed: &str) -> Result<bool, AppError> {
    let Some((secret, last_step)) = open_secret(state, user_id).await? else {
        return Ok(false);
    };
    if let Some(step) = two_factor::verify(&secret, typed, unix_seconds(state), last_step) {
        return Ok(convene_store::two_factor::spend_step(&state.db, user_id, step).await?);
    }
    let recovery = two_factor::normalise_recovery_code(typed);
    if recovery.len() == two_factor::RECOVERY_CODE_CHARS
        && let Some(digest) = two_factor::recovery_code_digest(&secret, &recovery)
    {
        let used =
            convene_store::two_factor::spend_recovery_code(&state.db, user_id, &digest, state.clock.now())
                .await?;
        if used {
            let mut work = state.begin(Some(user_id)).await?;
            work.audit(AuditAction::RecoveryCodeUsed, Some(user_id)).await?;
            work.commit().await?;
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
    // Wrong codes count per account towards the same growing delay as wrong passwords,
    // taken and checked in one statement, and never cleared by a right password.
    let key = throttle::code_key(user.id);
    if form.code.trim().is_empty() {
        errors.add(
            "code",
            "Enter the 6-digit code from your authenticator app, or a recovery code",
        );
    } else {
        let taken = throttle::take_try(&state.db, &key, now, now.plus_seconds(-15 * 60)).await?;
        if !taken.allowed {
            errors.add(
                "code",
                format!(
                    "Too many wrong codes. Wait {} seconds, then try again",
                    (taken.ready_at.0 - now.0) / 1_000_000 + 1
                ),
            );
        } else if code_is_good(&state, user_id, &form.code).await? {
            throttle::clear(&state.db, &key).await?;
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
            errors.add(
                "code",
                "The code is not right. Check your authenticator app and enter the newest code",
            );
        }
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

/// The service's secret key, which seals every TOTP secret.
fn secret_key(state: &AppState) -> Result<&SecretKey, AppError> {
    state.config.secret_key.as_ref().ok_or_else(|| {
        internal("no secret key: set CONVENE_SECRET_KEY or --secret-key-file to use two-factor sign-in")
    })
}

/// The secret being set up, kept in the session until a code proves the app has it (sealed
/// there too: sessions are kept in the database). Made on first use, and again when the one
/// kept no longer opens (the key was rotated meanwhile). None when there is no secret key.
async fn setup_secret(state: &AppState, me: &CurrentUser) -> Result<Option<String>, AppError> {
    let Some(key) = &state.config.secret_key else {
        tracing::warn!("two-factor setup refused: no secret key (CONVENE_SECRET_KEY or --secret-key-file)");
        return Ok(None);
    };
    let context = secret_box::totp_setup_context(me.user().id);
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
    let required =
        state.config.enforce_two_factor && me.principal().grants.iter().any(|g| g.role.needs_two_factor());
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
    let user_id = me.user().id;
    let Some(key) = &state.config.secret_key else {
        // The page says why it cannot be set up.
        return render_setup(&state, &me, FormErrors::default(), Vec::new()).await;
    };
    let kept: Option<String> = me.session.get(SETUP_SECRET_KEY).await.map_err(internal)?;
    let Some(secret) = kept.and_then(|sealed| {
        key.open_text(&secret_box::totp_setup_context(user_id), &sealed)
            .ok()
    }) else {
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
    let (codes, digests) = recovery_codes_for(&secret)?;
    let sealed = key.seal_text(&secret_box::totp_secret_context(user_id), &secret);
    let now = state.clock.now();
    let mut work = state.begin(Some(user_id)).await?;
    convene_store::two_factor::enable(work.tx(), user_id, &sealed, step, &digests, now).await?;
    work.audit(AuditAction::TwoFactorEnabled, Some(user_id)).await?;
    work.clears(Cache::Person(user_id));
    work.commit().await?;
    let _ = me.session.remove::<String>(SETUP_SECRET_KEY).await;
    render_setup(&state, &me, FormErrors::default(), codes).await
}

/// The setup page again with `message` beside `field` unless `typed` is the person's
/// current password (asked before anything about two-factor sign-in changes).
async fn refuse_unless_password(
    state: &AppState,
    me: &CurrentUser,
    typed: &str,
    field: &str,
    message: &str,
) -> Result<Option<Response>, AppError> {
    let hash = me.user().password_hash.clone();
    let password = typed.to_string();
    if hashing(state, move || verify_password(&password, &hash)).await? {
        return Ok(None);
    }
    let mut errors = FormErrors::default();
    errors.add(field, message);
    Ok(Some(render_setup(state, me, errors, Vec::new()).await?))
}

/// Fresh recovery codes and their keyed digests, for a person whose secret is `secret`.
fn recovery_codes_for(secret: &str) -> Result<(Vec<String>, Vec<String>), AppError> {
    let codes = two_factor::new_recovery_codes();
    let digests = codes
        .iter()
        .map(|c| two_factor::recovery_code_digest(secret, c))
        .collect::<Option<_>>()
        .ok_or_else(|| internal("cannot digest recovery codes"))?;
    Ok((codes, digests))
}

/// Fresh recovery codes (the current password is asked for), replacing any left: for
/// someone who has used or lost theirs, or whose codes were made before they were long
/// enough to keep (docs/decisions/0005-secrets-at-rest.md).
async fn new_recovery_codes(
    State(state): State<AppState>,
    me: CurrentUser,
    Form(form): Form<OffForm>,
) -> Result<Response, AppError> {
    let user_id = me.user().id;
    let message = "Enter your current password to make new recovery codes";
    if let Some(refused) =
        refuse_unless_password(&state, &me, &form.password, "codes_password", message).await?
    {
        return Ok(refused);
    }
    let Some((secret, _)) = open_secret(&state, user_id).await? else {
        return Ok(Redirect::to("/account/two-factor").into_response());
    };
    let (codes, digests) = recovery_codes_for(&secret)?;
    let mut work = state.begin(Some(user_id)).await?;
    convene_store::two_factor::replace_recovery_codes(work.tx(), user_id, &digests).await?;
    work.audit(AuditAction::RecoveryCodesReplaced, Some(user_id))
        .await?;
    work.commit().await?;
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
    let message = "Enter your current password to turn two-factor sign-in off";
    if let Some(refused) = refuse_unless_password(&state, &me, &form.password, "password", message).await? {
        return Ok(refused);
    }
    let user_id = me.user().id;
    let mut work = state.begin(Some(user_id)).await?;
    convene_store::two_factor::disable(work.tx(), user_id).await?;
    work.audit(AuditAction::TwoFactorDisabled, Some(user_id)).await?;
    work.clears(Cache::Person(user_id));
    work.commit().await?;
    notify(&me.session, "Two-factor sign-in is off.").await;
    Ok(Redirect::to("/account").into_response())
}
