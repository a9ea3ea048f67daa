//! The pool's pages: browsing and filtering it (admins, its enablers, funded places'
//! leads), asking to join it with a profile, and each enabler's profile with their
//! caseload, which they edit themselves. Admins decide requests to join on the requests
//! page, as they decide places' requests.

use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::pages::{form_chrome, form_problems, notify, take_notice};
use crate::state::AppState;
use crate::views::{Chrome, FormErrors};
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use convene_app::enablers::pool::{self, Enabler, PoolFilter, PoolView, ProfileInput, ProfileView};
use convene_domain::engagements::date_words;
use convene_domain::programmes::Programme;
use convene_domain::time::parse_date_input;
use serde::Deserialize;

#[derive(Deserialize, Default)]
pub(super) struct FilterQuery {
    #[serde(default)]
    expertise: String,
    #[serde(default)]
    sector: String,
    #[serde(default)]
    region: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "enablers/pool.html")]
struct PoolPage {
    chrome: Chrome,
    view: PoolView,
    filter: FilterQuery,
}

impl PoolPage {
    /// The filter's three lists: (field, label, choices, chosen).
    fn filters(&self) -> [(&'static str, &'static str, &Vec<String>, &str); 3] {
        let [expertise, sectors, regions] = &self.view.facets;
        [
            ("expertise", "Expertise", expertise, &self.filter.expertise),
            ("sector", "Sector", sectors, &self.filter.sector),
            ("region", "Region", regions, &self.filter.region),
        ]
    }

    fn filtered(&self) -> bool {
        !(self.filter.expertise.is_empty() && self.filter.sector.is_empty() && self.filter.region.is_empty())
    }
}

pub(super) async fn browse(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(slug): Path<String>,
    Query(filter): Query<FilterQuery>,
) -> Result<Response, AppError> {
    let wanted = PoolFilter {
        expertise: filter.expertise.clone(),
        sector: filter.sector.clone(),
        region: filter.region.clone(),
    };
    let view = pool::browse(&state, me.principal(), &slug, &wanted).await?;
    let chrome = form_chrome(&state, &me, "Enabler pool", "/dashboard", &FormErrors::default())
        .await
        .with_back(format!("/programmes/{slug}"));
    Ok(PoolPage { chrome, view, filter }.into_response())
}

/// The profile form as typed.
#[derive(Deserialize, Default, Clone)]
pub(super) struct ProfileForm {
    #[serde(default)]
    bio: String,
    #[serde(default)]
    expertise: String,
    #[serde(default)]
    sectors: String,
    #[serde(default)]
    regions: String,
    #[serde(default)]
    capacity: String,
    #[serde(default)]
    available_from_day: String,
    #[serde(default)]
    available_from_month: String,
    #[serde(default)]
    available_from_year: String,
    #[serde(default)]
    available_to_day: String,
    #[serde(default)]
    available_to_month: String,
    #[serde(default)]
    available_to_year: String,
    #[serde(default)]
    version: i64,
}

impl ProfileForm {
    fn of(e: &Enabler) -> ProfileForm {
        let p = &e.profile;
        let parts = |iso: &str| {
            let d: Vec<String> = iso
                .split('-')
                .map(|x| x.trim_start_matches('0').to_string())
                .collect();
            match d.as_slice() {
                [y, m, d] => (d.clone(), m.clone(), y.clone()),
                _ => Default::default(),
            }
        };
        let (from_day, from_month, from_year) = parts(&p.available_from);
        let (to_day, to_month, to_year) = parts(&p.available_to);
        ProfileForm {
            bio: p.bio.clone(),
            expertise: p.expertise.join("\n"),
            sectors: p.sectors.join("\n"),
            regions: p.regions.join("\n"),
            capacity: p.capacity.to_string(),
            available_from_day: from_day,
            available_from_month: from_month,
            available_from_year: from_year,
            available_to_day: to_day,
            available_to_month: to_month,
            available_to_year: to_year,
            version: e.version,
        }
    }

    /// What was typed, and a problem for each date that could not be read.
    fn input(&self) -> (ProfileInput, FormErrors) {
        let mut errors = FormErrors::default();
        let mut date = |(day, month, year): (&str, &str, &str), field: &str, what: &str| {
            if day.is_empty() && month.is_empty() && year.is_empty() {
                return None;
            }
            parse_date_input(day, month, year)
                .map_err(|e| errors.add(field, format!("{e} {what}")))
                .ok()
        };
        let available_from = date(
            (
                &self.available_from_day,
                &self.available_from_month,
                &self.available_from_year,
            ),
            "available_from_day",
            "you are available from",
        );
        let available_to = date(
            (
                &self.available_to_day,
                &self.available_to_month,
                &self.available_to_year,
            ),
            "available_to_day",
            "you are available until",
        );
        let input = ProfileInput {
            bio: self.bio.clone(),
            expertise: self.expertise.clone(),
            sectors: self.sectors.clone(),
            regions: self.regions.clone(),
            capacity: self.capacity.clone(),
            available_from,
            available_to,
        };
        (input, errors)
    }
}

/// A use case's refusal of a profile, with the dates' own problems kept first.
fn profile_errors(e: convene_app::enablers::PanelError, dates: FormErrors) -> Result<FormErrors, AppError> {
    let found = form_problems(e, "bio")?;
    let mut errors = dates;
    for item in found.items {
        if errors.for_field(&item.field).is_none() {
            errors.add(&item.field, item.message);
        }
    }
    Ok(errors)
}

#[derive(Template, WebTemplate)]
#[template(path = "enablers/join.html")]
struct JoinPage {
    chrome: Chrome,
    errors: FormErrors,
    programme: Programme,
    mine: Option<Enabler>,
    form: ProfileForm,
}

async fn render_join(
    state: &AppState,
    me: &CurrentUser,
    slug: &str,
    form: ProfileForm,
    errors: FormErrors,
) -> Result<Response, AppError> {
    let (programme, mine) = pool::membership(state, me.principal(), slug).await?;
    let chrome = form_chrome(state, me, "Join the enabler pool", "/dashboard", &errors)
        .await
        .with_back(format!("/programmes/{slug}/about"));
    Ok(JoinPage {
        chrome,
        errors,
        programme,
        mine,
        form,
    }
    .into_response())
}

pub(super) async fn join_page(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    render_join(&state, &me, &slug, ProfileForm::default(), FormErrors::default()).await
}

pub(super) async fn join(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(slug): Path<String>,
    Form(form): Form<ProfileForm>,
) -> Result<Response, AppError> {
    let (input, dates) = form.input();
    match pool::ask_to_join(&state, me.principal(), &slug, &input).await {
        Ok(_) => {
            notify(
                &me.session,
                "You have asked to join the enabler pool. The programme's admins will decide, and we will email you",
            )
            .await;
            Ok(Redirect::to("/dashboard").into_response())
        }
        Err(e) => {
            let errors = profile_errors(e, dates)?;
            render_join(&state, &me, &slug, form, errors).await
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "enablers/profile.html")]
struct ProfilePage {
    chrome: Chrome,
    notice: Option<String>,
    errors: FormErrors,
    view: ProfileView,
    form: ProfileForm,
}

impl ProfilePage {
    /// The dates they are available, in words.
    fn available(&self) -> String {
        let p = &self.view.enabler.profile;
        let words = |iso: &str| {
            iso.parse::<jiff::civil::Date>()
                .map(date_words)
                .unwrap_or_else(|_| iso.to_string())
        };
        format!("{} to {}", words(&p.available_from), words(&p.available_to))
    }

    fn dates(&self, e: &pool::Engagement) -> String {
        format!("{} to {}", date_words(e.starts_on), date_words(e.last_day()))
    }
}

async fn render_profile(
    state: &AppState,
    me: &CurrentUser,
    id: i64,
    form: Option<ProfileForm>,
    errors: FormErrors,
) -> Result<Response, AppError> {
    let view = pool::profile(state, me.principal(), id).await?;
    let chrome = form_chrome(state, me, &view.enabler.name, "/dashboard", &errors)
        .await
        .with_back(format!("/programmes/{}/enablers", view.programme_slug));
    Ok(ProfilePage {
        chrome,
        notice: take_notice(&me.session).await,
        errors,
        form: form.unwrap_or_else(|| ProfileForm::of(&view.enabler)),
        view,
    }
    .into_response())
}

pub(super) async fn profile_page(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    render_profile(&state, &me, id, None, FormErrors::default()).await
}

pub(super) async fn save_profile(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<ProfileForm>,
) -> Result<Response, AppError> {
    let (input, dates) = form.input();
    match pool::save_profile(&state, me.principal(), id, &input, form.version).await {
        Ok(()) => {
            notify(&me.session, "Your profile is saved").await;
            Ok(Redirect::to(&format!("/enablers/{id}")).into_response())
        }
        Err(e) => {
            let stale = matches!(e, convene_app::enablers::PanelError::Stale);
            let errors = profile_errors(e, dates)?;
            let mut form = form;
            if stale {
                // What was typed stays; saving it again goes over what is saved now.
                form.version = pool::profile(&state, me.principal(), id).await?.enabler.version;
            }
            render_profile(&state, &me, id, Some(form), errors).await
        }
    }
}
