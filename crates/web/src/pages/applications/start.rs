//! Starting an application: choosing which of your places applies to a round.

use super::*;
use convene_domain::PlaceId;

#[derive(Template, WebTemplate)]
#[template(path = "applications/apply_start.html")]
pub(super) struct ChoosePlacePage {
    chrome: Chrome,
    errors: FormErrors,
    programme_slug: String,
    round: Round,
    deadline: String,
    open: bool,
    places: Vec<PlaceChoice>,
}

pub(super) struct PlaceChoice {
    id: i64,
    name: String,
    started: Option<&'static str>,
}

pub(super) async fn render_choose(
    state: &AppState,
    me: &CurrentUser,
    programme_slug: String,
    round: Round,
    errors: FormErrors,
) -> Result<Response, AppError> {
    let now = state.clock.now();
    let places = applying::places_to_apply_for(state, me.principal(), &round)
        .await?
        .into_iter()
        .map(|(p, status)| PlaceChoice {
            started: status.map(|s| s.label()),
            id: p.id.0,
            name: p.name,
        })
        .collect();
    let title = "Which place are you applying for?";
    let chrome = form_chrome(state, me, title, "/dashboard", &errors).await;
    Ok(ChoosePlacePage {
        chrome: chrome.with_back("/dashboard"),
        errors,
        programme_slug,
        deadline: round.closes_at.london_words(),
        open: round_status(round.opens_at, round.closes_at, now) == RoundStatus::Open,
        round,
        places,
    }
    .into_response())
}

pub(super) async fn choose_place(
    State(state): State<AppState>,
    me: CurrentUser,
    Path((slug, round_slug)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let round = applying::round_by_slugs(&state, &slug, &round_slug).await?;
    render_choose(&state, &me, slug, round, FormErrors::default()).await
}

#[derive(Deserialize)]
pub(super) struct StartForm {
    #[serde(default)]
    place: String,
}

pub(super) async fn start(
    State(state): State<AppState>,
    me: CurrentUser,
    Path((slug, round_slug)): Path<(String, String)>,
    Form(form): Form<StartForm>,
) -> Result<Response, AppError> {
    let round = applying::round_by_slugs(&state, &slug, &round_slug).await?;
    let Ok(place_id) = form.place.trim().parse::<i64>() else {
        let mut errors = FormErrors::default();
        errors.add("place", "Select the place you are applying for");
        return render_choose(&state, &me, slug, round, errors).await;
    };
    match applying::start(&state, me.principal(), &round, PlaceId(place_id)).await {
        Ok(id) => Ok(Redirect::to(&format!("/applications/{id}")).into_response()),
        Err(ApplicationError::Invalid(problems)) => {
            let mut errors = FormErrors::default();
            add_problems(&mut errors, problems);
            render_choose(&state, &me, slug, round, errors).await
        }
        Err(e) => Err(e.into()),
    }
}
