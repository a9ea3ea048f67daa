//! Engagements: the list of those the asker takes part in, and each engagement's page —
//! days used against the allocation (a burn-down chart with its table), the contact
//! logged, queries and their answers, the enabler's form to log contact and a place lead's
//! form to query an entry. The use cases are `convene_app::enablers`.

use crate::auth::CurrentUser;
use crate::charts::{BurnDown, ChartTable};
use crate::error::AppError;
use crate::pages::{form_chrome, notify, take_notice};
use crate::state::AppState;
use crate::views::{Chrome, FormErrors};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use convene_app::enablers::PanelError;
use convene_app::enablers::engagements::{self, ContactInput, Engagement, EngagementView};
use convene_domain::engagements::{ContactKind, Minutes, date_words, hours_text};
use convene_domain::time::parse_date_input;
use serde::Deserialize;

mod admin;
mod pace;
mod queries;

use pace::pace_words;

/// Engagement routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/engagements", get(list))
        .route("/engagements/{id}", get(show).post(log_contact))
        .route(
            "/engagements/{id}/entries/{entry}/query",
            get(query_form).post(raise_query),
        )
        .route("/engagements/{id}/queries/{query}/answer", post(queries::answer))
        .route("/engagements/{id}/queries/{query}/settle", post(queries::settle))
        .route("/engagements/{id}/end", post(admin::end))
        .route("/programmes/{slug}/engagements", get(admin::table))
        .route("/programmes/{slug}/engagements.csv", get(admin::csv))
        .route("/programmes/{slug}/engagements.xlsx", get(admin::xlsx))
        // The support offers' pages, registered here beside the engagements they go with.
        .merge(super::support::router())
}

/// One engagement in the list.
struct Line {
    id: i64,
    place: String,
    enabler: String,
    dates: String,
    used: String,
}

impl Line {
    fn of(e: &Engagement) -> Line {
        let day =
            convene_domain::engagements::DayLength::from_minutes(u32::try_from(e.day_minutes).unwrap_or(450))
                .unwrap_or_default();
        Line {
            id: e.id,
            place: e.place_name.clone(),
            enabler: e.enabler_name.clone(),
            dates: format!("{} to {}", date_words(e.starts_on), date_words(e.last_day())),
            used: format!(
                "{} of {}",
                day.days_figure(Minutes(e.used_minutes)),
                day.days_text(Minutes(e.allocation_minutes))
            ),
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "engagements/list.html")]
struct ListPage {
    chrome: Chrome,
    lines: Vec<Line>,
}

async fn list(State(state): State<AppState>, me: CurrentUser) -> Result<Response, AppError> {
    let found = engagements::mine(&state, me.principal()).await?;
    let chrome = form_chrome(&state, &me, "Engagements", "/dashboard", &FormErrors::default()).await;
    Ok(ListPage {
        chrome,
        lines: found.iter().map(Line::of).collect(),
    }
    .into_response())
}

/// A contact entry as its row shows it.
struct EntryRow {
    id: i64,
    date: String,
    kind: &'static str,
    hours: String,
    notes: String,
    queried: bool,
}

/// A query as the page shows it.
struct QueryLine {
    id: i64,
    entry_date: String,
    reason: String,
    answer: String,
    settled: String,
    /// What the answer and settlement boxes hold: as typed when refused, else as saved.
    typed_answer: String,
    typed_note: String,
    typed_outcome: String,
}

impl QueryLine {
    /// A query as the page shows it, with what was typed for it if it was refused.
    fn of(q: &engagements::Query, entry_date: String, typed: &TypedQuery) -> QueryLine {
        let answer = q.answer.clone().unwrap_or_default();
        let mine = typed.query == q.id;
        let settled = match &q.settlement {
            Some(s) => {
                let how = if s == "upheld" {
                    "The entry stands"
                } else {
                    "The entry was corrected"
                };
                match q.settlement_note.as_deref().filter(|n| !n.is_empty()) {
                    Some(note) => format!("{how}: {note}"),
                    None => how.to_string(),
                }
            }
            None => String::new(),
        };
        QueryLine {
            id: q.id,
            entry_date,
            reason: q.reason.clone(),
            typed_answer: match (&typed.answer, mine) {
                (Some(typed), true) => typed.clone(),
                _ => answer.clone(),
            },
            answer,
            typed_note: if mine { typed.note.clone() } else { String::new() },
            typed_outcome: if mine {
                typed.outcome.clone()
            } else {
                String::new()
            },
            settled,
        }
    }
}

/// An answer or settlement as typed, shown again beside its query when refused.
#[derive(Default)]
pub(super) struct TypedQuery {
    pub(super) query: i64,
    pub(super) answer: Option<String>,
    pub(super) note: String,
    pub(super) outcome: String,
}

/// The contact form as typed.
#[derive(Deserialize, Default, Clone)]
pub(super) struct ContactForm {
    #[serde(default)]
    date_day: String,
    #[serde(default)]
    date_month: String,
    #[serde(default)]
    date_year: String,
    #[serde(default)]
    hours: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    notes: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "engagements/engagement.html")]
struct EngagementPage {
    chrome: Chrome,
    notice: Option<String>,
    errors: FormErrors,
    id: i64,
    view: EngagementView,
    allocation: String,
    used: String,
    left: String,
    pace: (&'static str, String),
    chart: String,
    table: ChartTable,
    entries: Vec<EntryRow>,
    queries: Vec<QueryLine>,
    kinds: [ContactKind; 4],
    form: ContactForm,
    /// The form to end it early, for its admins while it runs.
    end: Option<admin::EndSection>,
}

async fn render(
    state: &AppState,
    me: &CurrentUser,
    id: i64,
    form: ContactForm,
    errors: FormErrors,
) -> Result<Response, AppError> {
    let forms = (form, admin::EndForm::default(), TypedQuery::default());
    render_with(state, me, id, forms, errors).await
}

/// The page with what was typed into the contact form and the form to end it early.
async fn render_with(
    state: &AppState,
    me: &CurrentUser,
    id: i64,
    (form, end, typed): (ContactForm, admin::EndForm, TypedQuery),
    errors: FormErrors,
) -> Result<Response, AppError> {
    let view = engagements::view(state, me.principal(), id).await?;
    let title = format!("{}: engagement with {}", view.place, view.enabler);
    let chrome = form_chrome(state, me, &title, "/dashboard", &errors)
        .await
        .with_back("/engagements".to_string());
    let day = view.day;
    let burn = BurnDown::new(&format!("burn-down-{id}"), &view.burn_down, day);
    let queried: Vec<i64> = view.queries.iter().map(|q| q.entry_id).collect();
    let entries = view
        .contact
        .iter()
        .map(|c| EntryRow {
            id: c.id,
            date: date_words(c.on_date),
            kind: ContactKind::from_key(&c.kind).map_or("Other", |k| k.label()),
            hours: hours_text(Minutes(c.minutes)),
            notes: c.notes.clone(),
            queried: queried.contains(&c.id),
        })
        .collect();
    let date_of = |entry: i64| {
        view.contact
            .iter()
            .find(|c| c.id == entry)
            .map(|c| date_words(c.on_date))
            .unwrap_or_default()
    };
    let queries = view
        .queries
        .iter()
        .map(|q| QueryLine::of(q, date_of(q.entry_id), &typed))
        .collect();
    let left = Minutes(view.allocation().0 - view.used().0);
    Ok(EngagementPage {
        chrome,
        notice: take_notice(&me.session).await,
        errors,
        id,
        allocation: day.days_text(view.allocation()),
        used: day.days_text(view.used()),
        left: day.days_text(left),
        pace: pace_words(view.pace),
        chart: burn.chart.to_svg(),
        table: burn.table,
        entries,
        queries,
        kinds: ContactKind::ALL,
        form,
        end: admin::end_section(state, me, &view, end).await?,
        view,
    }
    .into_response())
}

async fn show(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    render(&state, &me, id, ContactForm::default(), FormErrors::default()).await
}

/// Problems as the page shows them beside their fields.
pub(super) fn form_errors(problems: Vec<convene_app::enablers::Problem>) -> FormErrors {
    let mut errors = FormErrors::default();
    for p in problems {
        errors.add(&p.field, p.message);
    }
    errors
}

async fn log_contact(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<ContactForm>,
) -> Result<Response, AppError> {
    let date = parse_date_input(&form.date_day, &form.date_month, &form.date_year);
    let input = ContactInput {
        date: date.as_ref().ok().copied(),
        hours: form.hours.clone(),
        kind: form.kind.clone(),
        notes: form.notes.clone(),
    };
    match engagements::log_contact(&state, me.principal(), id, &input).await {
        Ok(_) => {
            let logged = input.date.map(date_words).unwrap_or_default();
            notify(&me.session, &format!("Contact on {logged} logged")).await;
            Ok(Redirect::to(&format!("/engagements/{id}")).into_response())
        }
        Err(PanelError::Invalid(mut problems)) => {
            for p in problems.iter_mut().filter(|p| p.field == "date") {
                // Say why the date was not read, rather than that it is missing; and point
                // the error summary at the day, the first box of the three.
                if let Err(e) = &date {
                    p.message = format!("{e} for the contact");
                }
                p.field = "date_day".into();
            }
            render(&state, &me, id, form, form_errors(problems)).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "engagements/query.html")]
struct QueryPage {
    chrome: Chrome,
    errors: FormErrors,
    id: i64,
    entry: EntryRow,
    place: String,
    reason: String,
}

#[derive(Deserialize, Default)]
struct QueryForm {
    #[serde(default)]
    reason: String,
}

async fn render_query(
    state: &AppState,
    me: &CurrentUser,
    (id, entry): (i64, i64),
    reason: String,
    errors: FormErrors,
) -> Result<Response, AppError> {
    let view = engagements::view(state, me.principal(), id).await?;
    let c = view
        .contact
        .iter()
        .find(|c| c.id == entry)
        .ok_or(AppError::NotFound)?;
    if !view.is_lead {
        return Err(AppError::Forbidden);
    }
    let chrome = form_chrome(state, me, "Query a contact entry", "/dashboard", &errors)
        .await
        .with_back(format!("/engagements/{id}"));
    let row = EntryRow {
        id: c.id,
        date: date_words(c.on_date),
        kind: ContactKind::from_key(&c.kind).map_or("Other", |k| k.label()),
        hours: hours_text(Minutes(c.minutes)),
        notes: c.notes.clone(),
        queried: false,
    };
    Ok(QueryPage {
        chrome,
        errors,
        id,
        entry: row,
        place: view.place,
        reason,
    }
    .into_response())
}

async fn query_form(
    State(state): State<AppState>,
    me: CurrentUser,
    Path((id, entry)): Path<(i64, i64)>,
) -> Result<Response, AppError> {
    render_query(&state, &me, (id, entry), String::new(), FormErrors::default()).await
}

async fn raise_query(
    State(state): State<AppState>,
    me: CurrentUser,
    Path((id, entry)): Path<(i64, i64)>,
    Form(form): Form<QueryForm>,
) -> Result<Response, AppError> {
    // The entry must be one of this engagement's: the page is the engagement's.
    let view = engagements::view(&state, me.principal(), id).await?;
    if !view.contact.iter().any(|c| c.id == entry) {
        return Err(AppError::NotFound);
    }
    match convene_app::enablers::queries::raise(&state, me.principal(), entry, &form.reason).await {
        Ok(_) => {
            notify(&me.session, "Your query was sent to the enabler").await;
            Ok(Redirect::to(&format!("/engagements/{id}")).into_response())
        }
        Err(PanelError::Invalid(problems)) => {
            render_query(&state, &me, (id, entry), form.reason, form_errors(problems)).await
        }
        Err(e) => Err(e.into()),
    }
}
