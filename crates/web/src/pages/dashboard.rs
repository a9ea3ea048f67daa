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
use convene_domain::accounts::Role;
use convene_domain::programmes::{RoundStatus, round_status};
use convene_domain::{Pence, Timestamp};
use convene_store::programmes::{self, Programme, Round};

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
    let all = state.catalogue.get(&state.db).await?;
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

async fn dashboard(State(state): State<AppState>, me: CurrentUser) -> Result<Response, AppError> {
    let principal = me.principal();
    let now = state.clock.now();
    let service_admin = principal.holds(Role::ServiceAdmin, None);
    let scoped = |role: Role| -> Vec<i64> {
        principal
            .grants
            .iter()
            .filter(|g| g.role == role)
            .filter_map(|g| g.scope_id)
            .collect()
    };
    let admin_of = scoped(Role::ProgrammeAdmin);
    let admin_programmes = programme_cards(&state, |p| service_admin || admin_of.contains(&p.id)).await?;
    let place_ids = scoped(Role::PlaceLead);
    let places = if place_ids.is_empty() {
        Vec::new()
    } else {
        programmes::places_by_ids(&state.db, &place_ids).await?
    };
    // Open rounds of the programmes the lead's places take part in, and their applications.
    let mut open_calls = Vec::new();
    let mut my_applications = Vec::new();
    if !places.is_empty() {
        let catalogue = state.catalogue.get(&state.db).await?;
        for entry in catalogue.iter() {
            if !places
                .iter()
                .any(|p| p.programme_ids.contains(&entry.programme.id))
            {
                continue;
            }
            for r in &entry.rounds {
                if round_status(r.opens_at, r.closes_at, now) == RoundStatus::Open {
                    open_calls.push(OpenCall {
                        href: format!("/programmes/{}/rounds/{}/apply", entry.programme.slug, r.slug),
                        name: r.name.clone(),
                        programme: entry.programme.name.clone(),
                        deadline: r.closes_at.london_words(),
                    });
                }
            }
        }
        let rounds: Vec<&Round> = catalogue.iter().flat_map(|e| e.rounds.iter()).collect();
        for a in convene_store::applications::for_places(&state.db, &place_ids).await? {
            my_applications.push(ApplicationLine {
                id: a.id,
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
            });
        }
    }
    let round_ids = scoped(Role::PanelMember);
    let mut panel_rounds = Vec::new();
    if !round_ids.is_empty() {
        for entry in state.catalogue.get(&state.db).await?.iter() {
            panel_rounds.extend(
                entry
                    .rounds
                    .iter()
                    .filter(|r| round_ids.contains(&r.id))
                    .map(|r| round_line(r, now)),
            );
        }
    }
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
        waiting_requests: state
            .catalogue
            .get(&state.db)
            .await?
            .iter()
            .filter(|e| e.waiting_requests > 0 && admin_programmes.iter().any(|c| c.slug == e.programme.slug))
            .map(|e| {
                (
                    e.programme.slug.clone(),
                    e.programme.name.clone(),
                    e.waiting_requests,
                )
            })
            .collect(),
        programmes: admin_programmes,
        places: places
            .into_iter()
            .map(|p| PlaceLine {
                // A place in several programmes may work on a different issue in each.
                issue: p
                    .memberships
                    .iter()
                    .filter_map(|m| m.breakthrough_issue.as_deref())
                    .collect::<Vec<_>>()
                    .join("; "),
                id: p.id,
                name: p.name,
                region: p.region.unwrap_or_default(),
            })
            .collect(),
        open_calls,
        my_applications,
        panel_rounds,
        is_enabler: principal.holds(Role::Enabler, None),
        is_participant: principal.holds(Role::Participant, None),
        no_roles: principal.grants.is_empty(),
    }
    .into_response())
}

/// Money for templates.
pub fn money(p: Pence) -> String {
    p.to_string()
}
