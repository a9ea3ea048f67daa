//! A place lead queries a contact entry with a reason; the enabler answers; an admin
//! settles it ('upheld': the entry stands, or 'corrected': it was put right), once.

use super::{PanelError, Result, invalid};
use crate::App;
use convene_domain::audit::AuditAction;
use convene_domain::policy::{Action, Principal, Resource, allows};
use convene_store::enablers::engagements as store;
use convene_store::enablers::queries;

/// The engagement resource of an entry, 404 for anyone who may not read it.
async fn readable(app: &App, who: &Principal, engagement_id: i64) -> Result<Resource<'static>> {
    let resource = super::engagements::resource_of(&store::engagement(&app.db, engagement_id).await?);
    if !allows(who, Action::View, resource) {
        return Err(PanelError::NotFound);
    }
    Ok(resource)
}

/// Not found unless `query_id` is a query of engagement `engagement_id`, which `who` may
/// read: the check of a page or route that names both, without reading the engagement's
/// contact and burn-down.
pub async fn of_engagement(app: &App, who: &Principal, engagement_id: i64, query_id: i64) -> Result<()> {
    let query = queries::query(&app.db, query_id).await?;
    if query.engagement_id != engagement_id {
        return Err(PanelError::NotFound);
    }
    readable(app, who, engagement_id).await.map(|_| ())
}

fn required(field: &str, text: &str, message: &str) -> Result<String> {
    let text = text.trim();
    if text.is_empty() {
        return Err(invalid(field, message));
    }
    if text.chars().count() > 2_000 {
        return Err(invalid(field, "Keep it to 2,000 characters or fewer"));
    }
    Ok(text.to_string())
}

/// A lead of the engagement's place queries one of its entries.
pub async fn raise(app: &App, who: &Principal, entry_id: i64, reason: &str) -> Result<i64> {
    let entry = store::entry(&app.db, entry_id).await?;
    let Resource::Engagement {
        programme_id,
        place_id,
        ..
    } = readable(app, who, entry.engagement_id).await?
    else {
        unreachable!("readable gives an engagement")
    };
    if !allows(
        who,
        Action::Edit,
        Resource::PlaceSupport {
            programme_id,
            place_id,
        },
    ) {
        return Err(PanelError::Forbidden);
    }
    let reason = required("reason", reason, "Say what is wrong with the entry")?;
    let mut work = app.begin(Some(who.user_id.0)).await?;
    // The engagement's lock first, so two queries of one entry are told in turn.
    store::lock(work.tx(), entry.engagement_id).await?;
    if queries::open_on(work.tx(), entry_id).await? {
        return Err(PanelError::State(
            "This entry is queried already: its query is waiting to be settled".into(),
        ));
    }
    let now = work.now();
    let id = queries::raise(work.tx(), entry_id, &reason, who.user_id, now).await?;
    work.audit(AuditAction::ContactQueried, Some(entry_id)).await?;
    work.commit().await?;
    Ok(id)
}

/// The engagement's enabler answers a query not yet settled.
pub async fn answer(app: &App, who: &Principal, query_id: i64, text: &str) -> Result<()> {
    let query = queries::query(&app.db, query_id).await?;
    let Resource::Engagement {
        programme_id,
        enabler,
        ..
    } = readable(app, who, query.engagement_id).await?
    else {
        unreachable!("readable gives an engagement")
    };
    if !allows(
        who,
        Action::Edit,
        Resource::EnablerOwn {
            programme_id,
            owner: enabler,
        },
    ) {
        return Err(PanelError::Forbidden);
    }
    let text = required("answer", text, "Enter your answer to the query")?;
    let mut work = app.begin(Some(who.user_id.0)).await?;
    let now = work.now();
    if !queries::answer(work.tx(), query_id, &text, who.user_id, now).await? {
        return Err(PanelError::State("This query has been settled".into()));
    }
    work.audit(AuditAction::ContactQueryAnswered, Some(query.entry_id))
        .await?;
    work.commit().await?;
    Ok(())
}

/// An admin settles a query, once: `outcome` is 'upheld' or 'corrected'.
pub async fn settle(app: &App, who: &Principal, query_id: i64, outcome: &str, note: &str) -> Result<()> {
    let query = queries::query(&app.db, query_id).await?;
    let resource = readable(app, who, query.engagement_id).await?;
    // Never one's own contact: an admin who is also the engagement's enabler.
    let own = matches!(resource, Resource::Engagement { enabler, .. } if enabler == who.user_id);
    if !allows(who, Action::Edit, resource) || own {
        return Err(PanelError::Forbidden);
    }
    let mut problems = Vec::new();
    let outcome = outcome.trim();
    if !matches!(outcome, "upheld" | "corrected") {
        problems.push(super::Problem {
            field: "outcome".into(),
            message: "Choose whether the entry stands or was corrected".into(),
        });
    }
    if note.trim().chars().count() > 2_000 {
        problems.push(super::Problem {
            field: "note".into(),
            message: "Keep the note to 2,000 characters or fewer".into(),
        });
    }
    if !problems.is_empty() {
        return Err(PanelError::Invalid(problems));
    }
    let mut work = app.begin(Some(who.user_id.0)).await?;
    let now = work.now();
    if !queries::settle(work.tx(), query_id, (outcome, note.trim()), who.user_id, now).await? {
        return Err(PanelError::State("This query has already been settled".into()));
    }
    work.audit(AuditAction::ContactQuerySettled, Some(query.entry_id))
        .await?;
    work.commit().await?;
    Ok(())
}
