//! The home page, and each role's dashboard after signing in.

use crate::auth::{CurrentUser, MaybeUser};
use crate::error::AppError;
use crate::pages::{chrome, take_notice};
use crate::state::AppState;
use crate::views::Chrome;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use convene_app::catalogue::Entry;
use convene_app::dashboard::Dashboard;
use convene_domain::accounts::Role;
use convene_domain::applications::Application;
use convene_domain::policy::Principal;
use convene_domain::programmes::{Place, Programme, Round, RoundStatus, round_status};
use convene_domain::{Pence, Timestamp};

/// The home page and dashboard.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/dashboard", get(dashboard))
}

#[derive(Template, WebTemplate)]
#[template(path = "dashboard/home.html")]
struct HomePage {
    chrome: Chrome,
    programmes: Vec<ProgrammeCard>,
}

/// A programme as a dashboard shows it.
pub struct ProgrammeCard {
    pub slug: String,
    pub name: String,
    pub summary: String,
    pub fund_total: String,
    pub fund_left: String,
    pub rounds: Vec<RoundLine>,
}

/// A round in one line: its name, status tag and key date.
pub struct RoundLine {
    pub id: i64,
    pub name: String,
    pub slug: String,
    pub status: &'static str,
    pub tag_class: &'static str,
    pub when: String,
    pub places_offered: i64,
}

/// Describes a round at `now`: "Closes at 11:59pm on Friday 24 May 2013".
pub fn round_line(round: &Round, now: Timestamp) -> RoundLine {
    let status = round_status(round.opens_at, round.closes_at, now);
    let (tag_class, when) = match status {
        RoundStatus::NotOpenYet => (
            "nhsuk-tag--blue",
            format!("Opens at {}", round.opens_at.london_words()),
        ),
        RoundStatus::Open => (
            "nhsuk-tag--green",
            format!("Closes at {}", round.closes_at.london_words()),
        ),
        RoundStatus::Closed => (
            "nhsuk-tag--grey",
            format!("Closed at {}", round.closes_at.london_words()),
        ),
    };
    RoundLine {
        id: round.id.0,
        name: round.name.clone(),
        slug: round.slug.clone(),
        status: status.label(),
        tag_class,
        when,
        places_offered: round.places_offered,
    }
}

/// Builds a card for a programme and its rounds.
pub fn programme_card(entry: &Entry, now: Timestamp) -> ProgrammeCard {
    let p = &entry.programme;
    ProgrammeCard {
        slug: p.slug.clone(),
        name: p.name.clone(),
        summary: p.summary.clone(),
        fund_total: p.fund.total.to_string(),
        fund_left: p.fund.left.to_string(),
        rounds: entry.rounds.iter().map(|r| round_line(r, now)).collect(),
    }
}

/// Cards for the programmes `keep` selects, by name.
pub async fn programme_cards(
    state: &AppState,
    keep: impl Fn(&Programme) -> bool,
) -> Result<Vec<ProgrammeCard>, AppError> {
    let now = state.clock.now();
    let all = convene_app::programmes::catalogue(state).await?;
    Ok(all
        .iter()
        .filter(|e| keep(&e.programme))
        .map(|e| programme_card(e, now))
        .collect())
}

async fn home(State(state): State<AppState>, who: MaybeUser) -> Result<Response, AppError> {
    if who.person.is_some() {
        return Ok(Redirect::to("/dashboard").into_response());
    }
    let cards = programme_cards(&state, |_| true).await?;
    let chrome = chrome(&state, None, &who.session, "Systems leadership programmes", "/").await;
    Ok(HomePage {
        chrome,
        programmes: cards,
    }
    .into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "dashboard/dashboard.html")]
struct DashboardPage {
    chrome: Chrome,
    notice: Option<String>,
    first_name: String,
    role: String,
    is_admin: bool,
    is_service_admin: bool,
    /// Programmes with requests to act for a place waiting: slug, name, how many.
    waiting_requests: Vec<(String, String, i64)>,
    programmes: Vec<ProgrammeCard>,
    places: Vec<PlaceLine>,
    open_calls: Vec<OpenCall>,
    my_applications: Vec<ApplicationLine>,
    panel_rounds: Vec<RoundLine>,
    is_enabler: bool,
    /// An enabler's pools: their id in each, the programme's name, and where they stand
    /// (pending, approved or withdrawn).
    pools: Vec<(i64, String, &'static str)>,
    is_participant: bool,
    no_roles: bool,
}

/// A round a place lead can apply to now.
pub struct OpenCall {
    pub href: String,
    pub name: String,
    pub programme: String,
    pub deadline: String,
}

/// One of a place lead's applications.
pub struct ApplicationLine {
    pub id: i64,
    pub place: String,
    pub round: String,
    pub status: &'static str,
    pub tag_class: &'static str,
    pub reference: Option<String>,
}

/// A place in a list.
pub struct PlaceLine {
    pub id: i64,
    pub name: String,
    pub region: String,
    pub issue: String,
}

/// The ids of the records `who` holds `role` for.
fn scoped(who: &Principal, role: Role) -> Vec<i64> {
    who.grants
        .iter()
        .filter(|g| g.role == role)
        .filter_map(|g| g.scope_id)
        .collect()
}

async fn dashboard(State(state): State<AppState>, me: CurrentUser) -> Result<Response, AppError> {
    let principal = me.principal();
    let now = state.clock.now();
    let service_admin = principal.holds(Role::ServiceAdmin, None);
    let admin_of = scoped(principal, Role::ProgrammeAdmin);
    let Dashboard {
        catalogue,
        places,
        applications,
    } = convene_app::dashboard::dashboard(&state, principal).await?;
    let admin_programmes: Vec<ProgrammeCard> = catalogue
        .iter()
        .filter(|e| service_admin || admin_of.contains(&e.programme.id.0))
        .map(|e| programme_card(e, now))
        .collect();
    let is_enabler = principal.holds(Role::Enabler, None);
    // Read only for enablers: everyone else's dashboard costs no query.
    let pools = match is_enabler {
        true => convene_app::enablers::rankings::memberships(&state, principal).await?,
        false => Vec::new(),
    };
    let pools = pools
        .iter()
        .filter_map(|e| {
            let entry = catalogue.iter().find(|c| c.programme.id == e.programme_id)?;
            Some((e.id, entry.programme.name.clone(), e.status.key()))
        })
        .collect();
    let notice = take_notice(&me.session).await;
    let chrome = chrome(&state, Some(&me.person), &me.session, "Dashboard", "/dashboard").await;
    let first_name = me.user().name.split_whitespace().next().unwrap_or("").to_string();
    Ok(DashboardPage {
        chrome,
        notice,
        first_name,
        role: principal
            .main_role()
            .map(|r| r.label().to_string())
            .unwrap_or_default(),
        is_admin: service_admin || !admin_of.is_empty(),
        is_service_admin: service_admin,
        waiting_requests: waiting_requests(&catalogue, &admin_programmes),
        programmes: admin_programmes,
        open_calls: open_calls(&catalogue, &places, now),
        my_applications: application_lines(&catalogue, &places, applications),
        panel_rounds: panel_rounds(&catalogue, &scoped(principal, Role::PanelMember), now),
        places: places.into_iter().map(place_line).collect(),
        is_enabler,
        pools,
        is_participant: principal.holds(Role::Participant, None),
        no_roles: principal.grants.is_empty(),
    }
    .into_response())
}

/// Programmes among the admin's with requests to act for a place waiting: slug, name, how
/// many.
fn waiting_requests(catalogue: &[Entry], admin_programmes: &[ProgrammeCard]) -> Vec<(String, String, i64)> {
    catalogue
        .iter()
        .filter(|e| e.waiting_requests > 0 && admin_programmes.iter().any(|c| c.slug == e.programme.slug))
        .map(|e| {
            (
                e.programme.slug.clone(),
                e.programme.name.clone(),
                e.waiting_requests,
            )
        })
        .collect()
}

/// Open rounds of the programmes the lead's places take part in.
fn open_calls(catalogue: &[Entry], places: &[Place], now: Timestamp) -> Vec<OpenCall> {
    let mut calls = Vec::new();
    for entry in catalogue {
        if !places
            .iter()
            .any(|p| p.programme_ids.contains(&entry.programme.id))
        {
            continue;
        }
        for r in &entry.rounds {
            if round_status(r.opens_at, r.closes_at, now) == RoundStatus::Open {
                calls.push(OpenCall {
                    href: format!("/programmes/{}/rounds/{}/apply", entry.programme.slug, r.slug),
                    name: r.name.clone(),
                    programme: entry.programme.name.clone(),
                    deadline: r.closes_at.london_words(),
                });
            }
        }
    }
    calls
}

/// The lead's places' applications, each with its place and round named.
fn application_lines(
    catalogue: &[Entry],
    places: &[Place],
    applications: Vec<Application>,
) -> Vec<ApplicationLine> {
    let rounds: Vec<&Round> = catalogue.iter().flat_map(|e| e.rounds.iter()).collect();
    applications
        .into_iter()
        .map(|a| ApplicationLine {
            id: a.id.0,
            place: places
                .iter()
                .find(|p| p.id == a.place_id)
                .map(|p| p.name.clone())
                .unwrap_or_default(),
            round: rounds
                .iter()
                .find(|r| r.id == a.round_id)
                .map(|r| r.name.clone())
                .unwrap_or_default(),
            status: a.status.label(),
            tag_class: a.status.tag_class(),
            reference: a.reference,
        })
        .collect()
}

/// The rounds a panel member reviews.
fn panel_rounds(catalogue: &[Entry], round_ids: &[i64], now: Timestamp) -> Vec<RoundLine> {
    catalogue
        .iter()
        .flat_map(|e| e.rounds.iter())
        .filter(|r| round_ids.contains(&r.id.0))
        .map(|r| round_line(r, now))
        .collect()
}

/// A led place in the dashboard's list.
fn place_line(p: Place) -> PlaceLine {
    PlaceLine {
        // A place in several programmes may work on a different issue in each.
        issue: p
            .memberships
            .iter()
            .filter_map(|m| m.breakthrough_issue.as_deref())
            .collect::<Vec<_>>()
            .join("; "),
        id: p.id.0,
        name: p.name,
        region: p.region.unwrap_or_default(),
    }
}

/// Money for templates.
pub fn money(p: Pence) -> String {
    p.to_string()
}
