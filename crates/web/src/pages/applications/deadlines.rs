//! A programme admin extending one application's deadline.

use super::*;

/// A new deadline for one application, as a programme admin types it.
#[derive(Deserialize, Default, Clone)]
pub struct ExtendForm {
    #[serde(default)]
    pub extend_day: String,
    #[serde(default)]
    pub extend_month: String,
    #[serde(default)]
    pub extend_year: String,
    #[serde(default)]
    pub extend_time: String,
    #[serde(default)]
    pub extend_reason: String,
}

pub(super) async fn extend_deadline(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<ExtendForm>,
) -> Result<Response, AppError> {
    let loaded = load(&state, &me, id, Action::View).await?;
    let mut errors = FormErrors::default();
    let date =
        convene_domain::time::parse_date_input(&form.extend_day, &form.extend_month, &form.extend_year);
    let time_text = if form.extend_time.trim().is_empty() {
        "11:59pm"
    } else {
        form.extend_time.as_str()
    };
    let time = convene_domain::time::parse_time_input(time_text);
    let when = match (date, time) {
        (Ok(d), Ok(t)) => convene_domain::time::london_instant(d, t, true).ok(),
        (Err(e), _) => {
            errors.add("extend_day", format!("{e} for the new deadline"));
            None
        }
        (_, Err(e)) => {
            errors.add("extend_time", format!("{e} for the new deadline"));
            None
        }
    };
    let when =
        match applying::extend_deadline(&state, me.principal(), &loaded, when, &form.extend_reason).await {
            // Only a date and time that parsed reach here.
            Ok(when) => when,
            Err(ApplicationError::Invalid(problems)) => {
                add_problems(&mut errors, problems);
                return render_application(&state, &me, loaded, errors, form).await;
            }
            Err(e) => return Err(e.into()),
        };
    notify(
        &me.session,
        &format!(
            "The deadline for this application is now {}.",
            when.london_words()
        ),
    )
    .await;
    Ok(Redirect::to(&format!("/applications/{id}")).into_response())
}
