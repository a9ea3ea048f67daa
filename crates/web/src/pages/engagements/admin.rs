//! What the programme's admins do with engagements: every engagement of a programme in one
//! table (with its pace and standing) and as CSV or XLSX, and ending an engagement early
//! from its page, with an enabler of the pool carrying on with what is left. The use cases
//! are `convene_app::enablers::engagements`, which check that the asker runs the programme.

use super::{ContactForm, form_errors, pace_words, render_with};
use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::pages::{form_chrome, notify};
use crate::state::AppState;
use crate::views::{Chrome, FormErrors};
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use convene_app::awards::panel_pack::Sheet;
use convene_app::enablers::PanelError;
use convene_app::enablers::engagements::{self, EngagementView, Listed, ProgrammeEngagements, Standing};
use convene_domain::engagements::{Minutes, Pace, date_words};
use convene_domain::time::parse_date_input;
use jiff::civil::Date;
use serde::Deserialize;

/// The standing as a tag's colour and words.
fn standing_words(standing: Standing) -> (&'static str, &'static str) {
    match standing {
        Standing::NotStarted => ("nhsuk-tag--grey", "Not started"),
        Standing::Live => ("nhsuk-tag--blue", "Live"),
        Standing::Finished => ("nhsuk-tag--grey", "Finished"),
        Standing::EndedEarly | Standing::FollowedBy(_) => ("nhsuk-tag--yellow", "Ended early"),
    }
}

/// The standing in words for the exports, which have no link to a successor.
fn standing_text(standing: Standing) -> &'static str {
    match standing {
        Standing::FollowedBy(_) => "Ended early, followed by a successor",
        other => standing_words(other).1,
    }
}

/// The pace in words, or that it cannot be worked out.
fn pace_of(listed: &Listed) -> (&'static str, String) {
    listed
        .pace
        .map_or(("nhsuk-tag--grey", "Not known".into()), pace_words)
}

/// Words kept on one line: their spaces made non-breaking.
fn unbroken(words: String) -> String {
    words.replace(' ', "\u{a0}")
}

/// One engagement as the table shows it.
struct Row {
    id: i64,
    place: String,
    enabler: String,
    /// The first and last days, in words, each kept on one line.
    dates: (String, String),
    allocation: String,
    used: String,
    left: String,
    pace: (&'static str, String),
    standing: (&'static str, &'static str),
    successor: Option<i64>,
    follows: Option<i64>,
}

impl Row {
    fn of(l: &Listed) -> Row {
        let e = &l.engagement;
        Row {
            id: e.id,
            place: e.place_name.clone(),
            enabler: e.enabler_name.clone(),
            dates: (
                unbroken(date_words(e.starts_on)),
                unbroken(date_words(e.last_day())),
            ),
            allocation: l.day.days_figure(Minutes(e.allocation_minutes)),
            used: l.day.days_figure(Minutes(e.used_minutes)),
            left: l.day.days_figure(l.left()),
            pace: {
                // A short tag on one line; a percentage may take two.
                let (colour, words) = pace_of(l);
                match l.pace {
                    Some(Pace::OnPace) | None => (colour, unbroken(words)),
                    Some(_) => (colour, words),
                }
            },
            standing: standing_words(l.standing),
            successor: match l.standing {
                Standing::FollowedBy(next) => Some(next),
                _ => None,
            },
            follows: e.follows_id,
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "engagements/admin_table.html")]
struct TablePage {
    chrome: Chrome,
    programme: String,
    slug: String,
    rows: Vec<Row>,
    /// How many run now, and how many of those are off pace.
    live: usize,
    off_pace: usize,
}

/// Every engagement of the programme, for its admins.
pub(super) async fn table(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    let found = engagements::of_programme(&state, me.principal(), &slug).await?;
    let title = format!("Engagements: {}", found.programme.name);
    let chrome = form_chrome(&state, &me, &title, "/programmes", &FormErrors::default())
        .await
        .with_back(format!("/programmes/{}", found.programme.slug));
    let live: Vec<&Listed> = found
        .engagements
        .iter()
        .filter(|l| l.standing == Standing::Live)
        .collect();
    let off_pace = live
        .iter()
        .filter(|l| l.pace.is_some_and(|p| p != Pace::OnPace))
        .count();
    Ok(TablePage {
        chrome,
        live: live.len(),
        off_pace,
        rows: found.engagements.iter().map(Row::of).collect(),
        programme: found.programme.name,
        slug: found.programme.slug,
    }
    .into_response())
}

/// The export's columns.
const HEADERS: [&str; 11] = [
    "Engagement",
    "Place",
    "Enabler",
    "First day",
    "Last day",
    "Allocation (days)",
    "Used (days)",
    "Left (days)",
    "Pace",
    "Status",
    "Follows engagement",
];

/// The programme's engagements as the export's rows: dates as YYYY-MM-DD, days to two
/// decimals.
fn export_rows(found: &ProgrammeEngagements) -> Vec<Vec<String>> {
    found
        .engagements
        .iter()
        .map(|l| {
            let e = &l.engagement;
            vec![
                e.id.to_string(),
                e.place_name.clone(),
                e.enabler_name.clone(),
                e.starts_on.to_string(),
                e.last_day().to_string(),
                l.day.days_figure(Minutes(e.allocation_minutes)),
                l.day.days_figure(Minutes(e.used_minutes)),
                l.day.days_figure(l.left()),
                pace_of(l).1,
                standing_text(l.standing).to_string(),
                e.follows_id.map(|f| f.to_string()).unwrap_or_default(),
            ]
        })
        .collect()
}

/// A download's headers: its type, its file name, and kept by no cache.
fn download(body: Body, content_type: &'static str, file_name: &str) -> Response {
    let mut res = Response::new(body);
    let headers = res.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{file_name}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    res
}

/// The table as CSV, every cell defused as the applications' export does.
pub(super) async fn csv(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    let found = engagements::of_programme(&state, me.principal(), &slug).await?;
    let mut writer = csv::Writer::from_writer(Vec::new());
    let header = HEADERS.iter().map(|h| convene_domain::cells::defuse(h));
    writer.write_record(header).map_err(AppError::internal)?;
    for row in export_rows(&found) {
        let cells = row.iter().map(|c| convene_domain::cells::defuse(c));
        writer.write_record(cells).map_err(AppError::internal)?;
    }
    let bytes = writer
        .into_inner()
        .map_err(|e| AppError::internal(e.to_string()))?;
    let name = format!("{}-engagements.csv", found.programme.slug);
    Ok(download(Body::from(bytes), "text/csv; charset=utf-8", &name))
}

/// The table as an XLSX workbook, through the exports' workbook writer.
pub(super) async fn xlsx(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    let found = engagements::of_programme(&state, me.principal(), &slug).await?;
    let sheet = Sheet {
        name: "Engagements",
        headers: HEADERS.iter().map(|h| h.to_string()).collect(),
        rows: export_rows(&found),
    };
    let (body, length) = crate::exports::workbook(vec![sheet]).await?;
    let name = format!("{}-engagements.xlsx", found.programme.slug);
    let mut res = download(
        body,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        &name,
    );
    res.headers_mut()
        .insert(header::CONTENT_LENGTH, HeaderValue::from(length));
    Ok(res)
}

/// The form to end an engagement early, as typed.
#[derive(Deserialize, Default, Clone)]
pub(super) struct EndForm {
    #[serde(default)]
    pub(super) end_date_day: String,
    #[serde(default)]
    pub(super) end_date_month: String,
    #[serde(default)]
    pub(super) end_date_year: String,
    #[serde(default)]
    pub(super) enabler: String,
    #[serde(default)]
    pub(super) start_date_day: String,
    #[serde(default)]
    pub(super) start_date_month: String,
    #[serde(default)]
    pub(super) start_date_year: String,
}

/// The end-early form on an engagement's page: the pool to choose a successor from and
/// what was typed.
pub(super) struct EndSection {
    pub(super) choices: Vec<(i64, String)>,
    pub(super) form: EndForm,
    /// When the engagement is due to end, in words.
    pub(super) planned_end: String,
}

impl EndSection {
    pub(super) fn chosen(&self, id: &i64) -> bool {
        self.form.enabler.trim() == id.to_string()
    }
}

/// The form, for the programme's admins while the engagement runs; none for anyone else.
pub(super) async fn end_section(
    state: &AppState,
    me: &CurrentUser,
    view: &EngagementView,
    form: EndForm,
) -> Result<Option<EndSection>, AppError> {
    if !view.is_admin || view.engagement.ended_on.is_some() {
        return Ok(None);
    }
    let choices = engagements::successor_choices(state, me.principal(), view.engagement.id).await?;
    Ok(Some(EndSection {
        choices,
        form,
        planned_end: date_words(view.engagement.ends_on),
    }))
}

/// The last day and the successor (enabler and first day) as typed, or what is wrong with
/// them, each beside its field. A successor's first day left blank is the day after the
/// last.
fn read_end(form: &EndForm) -> Result<(Date, Option<(i64, Date)>), FormErrors> {
    let mut errors = FormErrors::default();
    let last = parse_date_input(&form.end_date_day, &form.end_date_month, &form.end_date_year)
        .map_err(|e| errors.add("end_date_day", format!("{e} for the last day")))
        .ok();
    let start_typed = [
        &form.start_date_day,
        &form.start_date_month,
        &form.start_date_year,
    ]
    .iter()
    .any(|p| !p.trim().is_empty());
    let enabler = match form.enabler.trim() {
        "" if start_typed => {
            errors.add(
                "enabler",
                "Choose who carries on from the new engagement's first day, or leave that date blank",
            );
            None
        }
        "" => None,
        text => text
            .parse::<i64>()
            .map_err(|_| errors.add("enabler", "Choose an enabler from the programme's pool"))
            .ok(),
    };
    let start = match (enabler, start_typed) {
        (Some(_), true) => parse_date_input(
            &form.start_date_day,
            &form.start_date_month,
            &form.start_date_year,
        )
        .map_err(|e| {
            errors.add(
                "start_date_day",
                format!("{e} for the new engagement's first day"),
            )
        })
        .ok(),
        (Some(_), false) => last.and_then(|d| d.tomorrow().ok()),
        (None, _) => None,
    };
    match (last, errors.is_empty()) {
        (Some(last), true) => Ok((last, enabler.zip(start))),
        _ => Err(errors),
    }
}

/// An admin ends the engagement early, and perhaps starts its successor.
pub(super) async fn end(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<EndForm>,
) -> Result<Response, AppError> {
    // Only those who may end it get past here: nothing typed is read before.
    let choices = engagements::successor_choices(&state, me.principal(), id).await?;
    let (last, successor) = match read_end(&form) {
        Ok(read) => read,
        Err(errors) => {
            return render_with(
                &state,
                &me,
                id,
                (ContactForm::default(), form, Default::default()),
                errors,
            )
            .await;
        }
    };
    match engagements::end_early(&state, me.principal(), id, last, successor).await {
        Ok(Some(next)) => {
            let name = successor
                .and_then(|(e, _)| choices.iter().find(|(c, _)| *c == e))
                .map_or("The new enabler", |(_, n)| n.as_str());
            let message = format!(
                "The engagement ended on {}. {name} carries on with what was left from {}.",
                date_words(last),
                successor.map(|(_, d)| date_words(d)).unwrap_or_default()
            );
            notify(&me.session, &message).await;
            Ok(Redirect::to(&format!("/engagements/{next}")).into_response())
        }
        Ok(None) => {
            let message = format!("The engagement now ends on {}", date_words(last));
            notify(&me.session, &message).await;
            Ok(Redirect::to(&format!("/engagements/{id}")).into_response())
        }
        Err(PanelError::Invalid(mut problems)) => {
            for p in &mut problems {
                if p.field == "end_date" || p.field == "start_date" {
                    p.field = format!("{}_day", p.field);
                }
            }
            let errors = form_errors(problems);
            render_with(
                &state,
                &me,
                id,
                (ContactForm::default(), form, Default::default()),
                errors,
            )
            .await
        }
        Err(PanelError::State(message)) => {
            notify(&me.session, &message).await;
            Ok(Redirect::to(&format!("/engagements/{id}")).into_response())
        }
        Err(e) => Err(e.into()),
    }
}
