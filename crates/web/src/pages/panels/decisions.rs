//! The panel's decisions: the board (every application in rank order with its decision and
//! award, declined offers to pass to the top reserve), each application's decision form,
//! and the panel pack as a spreadsheet.

use super::{form_problems, frame};
use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::pages::{notify, take_notice};
use crate::state::AppState;
use crate::views::{Chrome, FormErrors};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use convene_app::awards::decisions::{self, Board, DecisionInput, Line};
use convene_app::awards::panel_pack;
use convene_app::awards::{AwardStatus, Decision, Outcome, offers, selection};
use convene_app::panels::Panel;
use convene_domain::{ApplicationId, RoundId};
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/panels/{round}/decisions", get(show))
        .route(
            "/panels/{round}/decisions/{application}",
            get(show_one).post(record),
        )
        .route("/panels/{round}/decisions/reserve/{award}", post(offer))
        .route("/panels/{round}/panel-pack.xlsx", get(pack))
}

fn score(line: &Line) -> String {
    line.score.map_or_else(|| "Not scored".into(), selection::points)
}

fn reference(line: &Line) -> &str {
    line.standing.listed.reference.as_deref().unwrap_or("")
}

/// The decision as a tag's words and colour.
fn decision_tag(line: &Line) -> (&'static str, &'static str) {
    match line.decision.as_ref().map(|d| d.outcome) {
        Some(Outcome::Fund) => (Outcome::Fund.label(), "green"),
        Some(Outcome::Reserve) => (Outcome::Reserve.label(), "yellow"),
        Some(Outcome::Decline) => (Outcome::Decline.label(), "red"),
        None => ("Not decided", "grey"),
    }
}

/// Where the application's award stands, in words.
fn award_words(line: &Line) -> String {
    let Some(a) = &line.award else {
        return "No award".into();
    };
    match (a.status, a.announced_at) {
        (AwardStatus::Offered, None) => {
            format!("{}, to be offered on {}", a.value, a.offered_at.london_date())
        }
        (AwardStatus::Offered, Some(_)) => {
            format!(
                "{} offered, answer due by {}",
                a.value,
                a.respond_by.london_date()
            )
        }
        (status, _) => format!("{} {}", a.value, status.label().to_lowercase()),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "panels/decisions.html")]
struct BoardPage {
    chrome: Chrome,
    notice: Option<String>,

    board: Board,
    counts: Vec<(&'static str, usize)>,
    errors: FormErrors,
}

impl BoardPage {
    fn top_reserve(&self) -> Option<&Line> {
        self.board.top_reserve()
    }
}

async fn render_board(
    state: &AppState,
    me: &CurrentUser,
    round: i64,
    errors: FormErrors,
) -> Result<Response, AppError> {
    let board = decisions::board(state, me.principal(), RoundId(round)).await?;
    let chrome = frame(state, me, "Decisions", &errors, &format!("/panels/{round}")).await;
    let counts = vec![
        ("Funded", board.counts(Outcome::Fund)),
        ("In reserve", board.counts(Outcome::Reserve)),
        ("Not funded", board.counts(Outcome::Decline)),
        ("Not decided yet", board.undecided()),
    ];
    Ok(BoardPage {
        chrome,
        notice: take_notice(&me.session).await,
        board,
        counts,
        errors,
    }
    .into_response())
}

async fn show(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(round): Path<i64>,
) -> Result<Response, AppError> {
    render_board(&state, &me, round, FormErrors::default()).await
}

#[derive(Deserialize)]
struct OfferForm {
    #[serde(default)]
    reserve: String,
}

/// Offers a declined place to the top reserve the board named.
async fn offer(
    State(state): State<AppState>,
    me: CurrentUser,
    Path((round, award)): Path<(i64, i64)>,
    Form(form): Form<OfferForm>,
) -> Result<Response, AppError> {
    let board = decisions::board(&state, me.principal(), RoundId(round)).await?;
    let Some(declined) = board.declined.iter().find(|a| a.id == award) else {
        return Err(AppError::NotFound);
    };
    let field = format!("offer-{award}");
    let Ok(reserve) = form.reserve.trim().parse::<i64>() else {
        let mut errors = FormErrors::default();
        errors.add(&field, "Choose the reserve to offer the place to");
        return render_board(&state, &me, round, errors).await;
    };
    let outcome = offers::offer_to_reserve(&state, me.principal(), declined.id, ApplicationId(reserve)).await;
    match outcome {
        Ok(a) => {
            let message = format!(
                "The place {} declined has been offered to {}. Their offer letter goes out now.",
                declined.place_name, a.place_name
            );
            notify(&me.session, &message).await;
            Ok(Redirect::to(&format!("/panels/{round}/decisions")).into_response())
        }
        Err(e) => {
            let errors = form_problems(e, &field)?;
            render_board(&state, &me, round, errors).await
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "panels/decision.html")]
struct DecisionPage {
    chrome: Chrome,
    notice: Option<String>,

    panel: Panel,
    line: Line,
    can_decide: bool,
    outcomes: [Outcome; 3],
    typed: Typed,
    /// What someone else saved while the form was open (after a refused save).
    saved_since: Option<Decision>,
    errors: FormErrors,
}

impl DecisionPage {
    fn checked(&self, outcome: &Outcome) -> bool {
        self.typed.outcome == outcome.key()
    }
}

/// What is in the form: as saved, or as typed.
struct Typed {
    outcome: String,
    feedback: String,
    override_reason: String,
    version: i64,
}

impl Typed {
    fn saved(decision: Option<&Decision>) -> Typed {
        Typed {
            outcome: decision.map(|d| d.outcome.key().to_string()).unwrap_or_default(),
            feedback: decision.map(|d| d.feedback.clone()).unwrap_or_default(),
            override_reason: decision
                .and_then(|d| d.override_reason.clone())
                .unwrap_or_default(),
            version: decision.map_or(0, |d| d.version),
        }
    }
}

/// The round's board with one application's line taken out: 404 unless the application
/// is one of the round's submitted applications the asker may see.
async fn one_line(
    state: &AppState,
    me: &CurrentUser,
    round: i64,
    application: i64,
) -> Result<(Board, Line), AppError> {
    let mut board = decisions::board(state, me.principal(), RoundId(round)).await?;
    let at = board
        .lines
        .iter()
        .position(|l| l.id() == ApplicationId(application))
        .ok_or(AppError::NotFound)?;
    let line = board.lines.swap_remove(at);
    Ok((board, line))
}

async fn render_one(
    state: &AppState,
    me: &CurrentUser,
    (board, line): (Board, Line),
    typed: Option<Typed>,
    errors: FormErrors,
) -> Response {
    let back = format!("/panels/{}/decisions", board.panel.round.id);
    let title = format!("Decision on {}", line.standing.listed.place_name);
    let chrome = frame(state, me, &title, &errors, &back).await;
    let (typed, saved_since) = match typed {
        // A refused save over an older version: show what is saved, and let the next save
        // replace it.
        Some(mut t) if line.decision.as_ref().is_some_and(|d| d.version != t.version) => {
            t.version = line.decision.as_ref().map_or(0, |d| d.version);
            (t, line.decision.clone())
        }
        Some(t) => (t, None),
        None => (Typed::saved(line.decision.as_ref()), None),
    };
    DecisionPage {
        chrome,
        notice: take_notice(&me.session).await,
        can_decide: board.can_decide && !line.announced,
        panel: board.panel,
        line,
        outcomes: Outcome::ALL,
        typed,
        saved_since,
        errors,
    }
    .into_response()
}

async fn show_one(
    State(state): State<AppState>,
    me: CurrentUser,
    Path((round, application)): Path<(i64, i64)>,
) -> Result<Response, AppError> {
    let found = one_line(&state, &me, round, application).await?;
    Ok(render_one(&state, &me, found, None, FormErrors::default()).await)
}

#[derive(Deserialize)]
struct DecisionForm {
    #[serde(default)]
    outcome: String,
    #[serde(default)]
    feedback: String,
    #[serde(default)]
    override_reason: String,
    #[serde(default)]
    expected_version: i64,
}

async fn record(
    State(state): State<AppState>,
    me: CurrentUser,
    Path((round, application)): Path<(i64, i64)>,
    Form(form): Form<DecisionForm>,
) -> Result<Response, AppError> {
    let (board, line) = one_line(&state, &me, round, application).await?;
    let input = DecisionInput {
        outcome: form.outcome.clone(),
        feedback: form.feedback.clone(),
        override_reason: form.override_reason.clone(),
        expected_version: form.expected_version,
    };
    match decisions::record(&state, me.principal(), ApplicationId(application), &input).await {
        Ok(decision) => {
            let message = format!(
                "{} {}: {}. The place is told {}.",
                reference(&line),
                line.standing.listed.place_name,
                decision.outcome.label(),
                told_on(&board.panel, state.clock.now()),
            );
            notify(&me.session, &message).await;
            Ok(Redirect::to(&format!("/panels/{round}/decisions")).into_response())
        }
        Err(e) => {
            let errors = form_problems(e, "outcome")?;
            let found = one_line(&state, &me, round, application).await?;
            let typed = Typed {
                outcome: form.outcome,
                feedback: form.feedback,
                override_reason: form.override_reason,
                version: form.expected_version,
            };
            Ok(render_one(&state, &me, found, Some(typed), errors).await)
        }
    }
}

/// When the place hears of a decision made now, in words.
fn told_on(panel: &Panel, now: convene_domain::Timestamp) -> String {
    if panel.round.notify_by > now {
        format!("on {}", panel.round.notify_by.london_date())
    } else {
        "when the outcome letters next go out".into()
    }
}

/// The panel pack: the round's applications, scores and decisions, one sheet each.
async fn pack(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(round): Path<i64>,
) -> Result<Response, AppError> {
    let pack = panel_pack::panel_pack(&state, me.principal(), RoundId(round)).await?;
    let (body, length) = crate::exports::workbook(pack.sheets).await?;
    let mut res = Response::new(body);
    let headers = res.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    );
    let disposition = format!("attachment; filename=\"panel-pack-{}.xlsx\"", pack.round_slug);
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(length));
    Ok(res)
}
