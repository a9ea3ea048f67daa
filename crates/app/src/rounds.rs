//! Rounds as their programme's admins run them: finding one by its slugs, what its page
//! shows, and creating one from what an admin typed (page or API). The form builder is in
//! [`crate::forms`]; the list and exports of its applications in [`crate::applications`].

/// A version of a round's application form.
pub use convene_store::forms::StoredForm;

use crate::{App, Cache, Error, Result};
use convene_domain::ProgrammeId;
use convene_domain::RoundId;
use convene_domain::applications::ApplicationStatus;
use convene_domain::audit::AuditAction;
use convene_domain::forms::FieldProblem;
use convene_domain::policy::{Action, Principal, Resource, allows};
use convene_domain::programmes::{Programme, Round};
use convene_domain::rounds::{RoundForm, RoundPlan};
use convene_store::applications::{self, ListFilter};
use convene_store::{StoreError, forms, programmes};

/// The programme `slug` and its round `round_slug`, for someone who may `action` the
/// programme.
pub async fn load(
    app: &App,
    who: &Principal,
    slug: &str,
    round_slug: &str,
    action: Action,
) -> Result<(Programme, Round)> {
    let programme = crate::programmes::load(app, who, slug, action).await?;
    let round = programmes::rounds(&app.db, programme.id)
        .await?
        .into_iter()
        .find(|r| r.slug == round_slug)
        .ok_or(Error::NotFound)?;
    Ok((programme, round))
}

/// The round with this id and its programme (from the catalogue's cache). Its facts are
/// public, as on the open calls; what else may be read is checked by the caller's next step.
pub async fn by_id(app: &App, id: i64) -> Result<(Programme, Round)> {
    app.catalogue
        .round(&app.db, RoundId(id))
        .await?
        .ok_or(Error::NotFound)
}

/// What a round's page shows its admins besides the round itself.
#[derive(Debug, Clone)]
pub struct Overview {
    /// The version new applications use, if the form is built.
    pub form: Option<StoredForm>,
    /// How many applications are in each status.
    pub counts: Vec<(ApplicationStatus, i64)>,
    pub total: i64,
}

/// The round's current form and its applications counted by status (its admins).
pub async fn overview(app: &App, who: &Principal, round: &Round) -> Result<Overview> {
    if !allows(
        who,
        Action::View,
        Resource::Programme {
            id: round.programme_id,
        },
    ) {
        return Err(Error::Forbidden);
    }
    let form = forms::current(&app.db, round.id).await?;
    let page = applications::list(&app.db, round.id, &ListFilter::default(), 1, 1).await?;
    let total = page.counts.iter().map(|(_, n)| n).sum();
    Ok(Overview {
        form,
        counts: page.counts,
        total,
    })
}

/// Creates a round in a programme from what its admin typed: every field checked, a name
/// used twice in a programme refused. Returns the round's id and plan, or the problems by
/// field.
pub async fn create(
    app: &App,
    who: &Principal,
    programme_id: ProgrammeId,
    form: &RoundForm,
) -> Result<std::result::Result<(i64, RoundPlan), Vec<FieldProblem>>> {
    if !allows(who, Action::Edit, Resource::Programme { id: programme_id }) {
        return Err(Error::Forbidden);
    }
    let plan = match form.check() {
        Ok(plan) => plan,
        Err(problems) => return Ok(Err(problems)),
    };
    let mut work = app.begin(Some(who.user_id.0)).await?;
    let id = match programmes::insert_round(work.tx(), programme_id, &plan, false).await {
        Ok(id) => id,
        Err(StoreError::Duplicate(_)) => {
            return Ok(Err(vec![(
                "name".to_string(),
                "This programme already has a round with that name".to_string(),
            )]));
        }
        Err(e) => return Err(e.into()),
    };
    if !form.requires_signoff() {
        programmes::set_signoff_required(work.tx(), RoundId(id), false).await?;
    }
    work.audit(AuditAction::RoundCreated, Some(id)).await?;
    work.clears(Cache::Catalogue);
    work.commit().await?;
    Ok(Ok((id, plan)))
}
