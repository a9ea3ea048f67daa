//! Support offers: a programme's consultancy days, national programme places and learning
//! network memberships. Its admins add offers and approve or decline the requests waiting
//! (`/programmes/{slug}/support`); a funded place's leads see the offers, ask for some and
//! see what their place has (`/awards/{award}/support`). The use cases are
//! `convene_app::enablers::support`, which check who may do each thing.

use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::pages::{form_chrome, form_problems, notify, take_notice};
use crate::state::AppState;
use crate::views::{Chrome, FormErrors};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use convene_app::enablers::PanelError;
use convene_app::enablers::support::{
    self, KINDS, Offer, OfferInput, PlaceSupport, ProgrammeSupport, SupportRequest, SupportStatus,
};
use serde::Deserialize;

/// Support routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/programmes/{slug}/support", get(programme).post(add_offer))
        .route("/programmes/{slug}/support/requests/{request}", post(decide))
        .route("/awards/{award}/support", get(place).post(ask))
}

/// The kind's label.
fn kind_label(kind: &str) -> &'static str {
    KINDS
        .iter()
        .find(|(k, _)| *k == kind)
        .map_or("Other support", |(_, label)| label)
}

/// A number of the kind's units in words: "3 days", "1 place".
fn units_words(kind: &str, units: i64) -> String {
    let (one, many) = match kind {
        "consultancy_days" => ("day", "days"),
        "national_programme" => ("place", "places"),
        "learning_network" => ("membership", "memberships"),
        _ => ("unit", "units"),
    };
    format!("{units} {}", if units == 1 { one } else { many })
}

/// A request's standing as a tag's colour and words.
fn status_words(status: SupportStatus) -> (&'static str, &'static str) {
    match status {
        SupportStatus::Requested => ("nhsuk-tag--blue", "Waiting for a decision"),
        SupportStatus::Approved => ("nhsuk-tag--green", "Approved"),
        SupportStatus::Declined => ("nhsuk-tag--red", "Declined"),
    }
}

/// An offer as its table shows it.
struct OfferRow {
    id: i64,
    kind: &'static str,
    name: String,
    partner: String,
    total: String,
    approved: String,
    left: String,
    /// Some is left to ask for.
    open: bool,
}

impl OfferRow {
    fn of(o: &Offer) -> OfferRow {
        OfferRow {
            id: o.id,
            kind: kind_label(&o.kind),
            name: o.name.clone(),
            partner: o.partner.clone(),
            total: units_words(&o.kind, o.units),
            approved: units_words(&o.kind, o.approved),
            left: units_words(&o.kind, o.left()),
            open: o.left() > 0,
        }
    }
}

/// A request as a page shows it.
struct RequestRow {
    id: i64,
    award_id: i64,
    place: String,
    offer: String,
    units: String,
    note: String,
    requested: String,
    status: (&'static str, &'static str),
    waiting: bool,
    reason: String,
}

impl RequestRow {
    fn of(r: &SupportRequest, place: &str, offers: &[Offer]) -> RequestRow {
        let offer = offers.iter().find(|o| o.id == r.offer_id);
        RequestRow {
            id: r.id,
            award_id: r.award_id,
            place: place.to_string(),
            offer: offer.map(|o| o.name.clone()).unwrap_or_default(),
            units: units_words(offer.map_or("", |o| o.kind.as_str()), r.units),
            note: r.note.clone(),
            requested: r.requested_at.london_date(),
            status: status_words(r.status),
            waiting: r.status == SupportStatus::Requested,
            reason: r.decision_reason.clone(),
        }
    }
}

/// The form to add an offer, as typed.
#[derive(Deserialize, Default)]
struct OfferForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    partner: String,
    #[serde(default)]
    units: String,
}

/// A decision on a waiting request, as typed.
#[derive(Deserialize, Default)]
struct DecisionForm {
    #[serde(default)]
    decision: String,
    #[serde(default)]
    reason: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "support/programme.html")]
struct ProgrammePage {
    chrome: Chrome,
    notice: Option<String>,
    errors: FormErrors,
    programme: String,
    slug: String,
    offers: Vec<OfferRow>,
    waiting: Vec<RequestRow>,
    decided: Vec<RequestRow>,
    kinds: &'static [(&'static str, &'static str)],
    offer: OfferForm,
    /// The reason typed for a request whose decision is shown again.
    typed: Option<(i64, String)>,
}

impl ProgrammePage {
    fn typed_reason(&self, id: &i64) -> &str {
        match &self.typed {
            Some((r, reason)) if r == id => reason,
            _ => "",
        }
    }
}

async fn render_programme(
    state: &AppState,
    me: &CurrentUser,
    found: ProgrammeSupport,
    (offer, typed): (OfferForm, Option<(i64, String)>),
    errors: FormErrors,
) -> Response {
    let title = format!("Support offers: {}", found.programme.name);
    let chrome = form_chrome(state, me, &title, "/programmes", &errors)
        .await
        .with_back(format!("/programmes/{}", found.programme.slug));
    let rows: Vec<RequestRow> = found
        .requests
        .iter()
        .map(|l| RequestRow::of(&l.request, &l.place, &found.offers))
        .collect();
    let (waiting, decided) = rows.into_iter().partition(|r| r.waiting);
    ProgrammePage {
        chrome,
        notice: take_notice(&me.session).await,
        errors,
        offers: found.offers.iter().map(OfferRow::of).collect(),
        waiting,
        decided,
        kinds: &KINDS,
        offer,
        typed,
        programme: found.programme.name,
        slug: found.programme.slug,
    }
    .into_response()
}

async fn programme(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    let found = support::of_programme(&state, me.principal(), &slug).await?;
    Ok(render_programme(
        &state,
        &me,
        found,
        (OfferForm::default(), None),
        FormErrors::default(),
    )
    .await)
}

async fn add_offer(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(slug): Path<String>,
    Form(form): Form<OfferForm>,
) -> Result<Response, AppError> {
    let found = support::of_programme(&state, me.principal(), &slug).await?;
    let input = OfferInput {
        kind: form.kind.clone(),
        name: form.name.clone(),
        partner: form.partner.clone(),
        units: form.units.clone(),
    };
    match support::create_offer(&state, me.principal(), found.programme.id, &input).await {
        Ok(_) => {
            let message = format!("{} added to the support offers", input.name.trim());
            notify(&me.session, &message).await;
            Ok(Redirect::to(&format!("/programmes/{slug}/support")).into_response())
        }
        Err(e) => {
            let errors = form_problems(e, "name")?;
            Ok(render_programme(&state, &me, found, (form, None), errors).await)
        }
    }
}

async fn decide(
    State(state): State<AppState>,
    me: CurrentUser,
    Path((slug, id)): Path<(String, i64)>,
    Form(form): Form<DecisionForm>,
) -> Result<Response, AppError> {
    let found = support::of_programme(&state, me.principal(), &slug).await?;
    // The request must be one of this programme's: the page is the programme's.
    if !found.requests.iter().any(|l| l.request.id == id) {
        return Err(AppError::NotFound);
    }
    let decided = match form.decision.as_str() {
        "approve" => support::decide(&state, me.principal(), id, true, &form.reason).await,
        "decline" => support::decide(&state, me.principal(), id, false, &form.reason).await,
        _ => Err(PanelError::Invalid(vec![convene_app::enablers::Problem {
            field: "decision".into(),
            message: "Choose whether to approve or decline the request".into(),
        }])),
    };
    match decided {
        Ok(()) => {
            let word = if form.decision == "approve" {
                "approved"
            } else {
                "declined"
            };
            notify(&me.session, &format!("The request is {word}")).await;
            Ok(Redirect::to(&format!("/programmes/{slug}/support")).into_response())
        }
        Err(PanelError::State(message)) => {
            // Decided by someone else meanwhile: say so above the page as it now is.
            notify(&me.session, &message).await;
            Ok(Redirect::to(&format!("/programmes/{slug}/support")).into_response())
        }
        Err(PanelError::Invalid(mut problems)) => {
            for p in &mut problems {
                p.field = format!("{}-{id}", p.field);
            }
            let errors = form_problems(PanelError::Invalid(problems), "")?;
            let typed = (OfferForm::default(), Some((id, form.reason)));
            Ok(render_programme(&state, &me, found, typed, errors).await)
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "support/place.html")]
struct PlacePage {
    chrome: Chrome,
    notice: Option<String>,
    errors: FormErrors,
    found: PlaceSupport,
    offers: Vec<OfferRow>,
    requests: Vec<RequestRow>,
    form: AskForm,
}

impl PlacePage {
    fn offer_chosen(&self, id: &i64) -> bool {
        self.form.offer.trim() == id.to_string()
    }

    /// The offers with something left to ask for.
    fn open_offers(&self) -> Vec<&OfferRow> {
        self.offers.iter().filter(|o| o.open).collect()
    }
}

/// A place's request, as typed.
#[derive(Deserialize, Default)]
struct AskForm {
    #[serde(default)]
    offer: String,
    #[serde(default)]
    units: String,
    #[serde(default)]
    note: String,
}

async fn render_place(
    state: &AppState,
    me: &CurrentUser,
    found: PlaceSupport,
    form: AskForm,
    errors: FormErrors,
) -> Response {
    let title = format!("Support for {}", found.place);
    let chrome = form_chrome(state, me, &title, "/dashboard", &errors).await;
    let requests = found
        .requests
        .iter()
        .map(|r| RequestRow::of(r, &found.place, &found.offers))
        .collect();
    PlacePage {
        chrome,
        notice: take_notice(&me.session).await,
        errors,
        offers: found.offers.iter().map(OfferRow::of).collect(),
        requests,
        form,
        found,
    }
    .into_response()
}

async fn place(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(award): Path<i64>,
) -> Result<Response, AppError> {
    let found = support::of_award(&state, me.principal(), award).await?;
    Ok(render_place(&state, &me, found, AskForm::default(), FormErrors::default()).await)
}

async fn ask(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(award): Path<i64>,
    Form(form): Form<AskForm>,
) -> Result<Response, AppError> {
    let found = support::of_award(&state, me.principal(), award).await?;
    // Only the place's leads ask; its programme's admins read.
    if !found.may_request {
        return Err(AppError::Forbidden);
    }
    let Some(offer) = form.offer.trim().parse::<i64>().ok() else {
        let mut errors = FormErrors::default();
        errors.add("offer", "Choose the support you are asking for");
        return Ok(render_place(&state, &me, found, form, errors).await);
    };
    match support::request(&state, me.principal(), (offer, award), &form.units, &form.note).await {
        Ok(_) => {
            notify(&me.session, "Your request was sent to the programme team").await;
            Ok(Redirect::to(&format!("/awards/{award}/support")).into_response())
        }
        Err(e) => {
            let errors = form_problems(e, "offer")?;
            Ok(render_place(&state, &me, found, form, errors).await)
        }
    }
}
