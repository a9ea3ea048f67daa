//! Programmes: the catalogue everyone reads (public facts, from the few-second cache), a
//! programme as its admins see it, and the summary and public page they write. The fund's
//! contributions are in [`funds`].

mod funds;

/// A partner body's contribution, as the programme page lists it.
pub use convene_store::programmes::Partner;
pub use funds::set_contribution;

use crate::catalogue::Entry;
use crate::{App, Cache, Error, Result};
use convene_domain::Pence;
use convene_domain::ProgrammeId;
use convene_domain::audit::AuditAction;
use convene_domain::forms::FieldProblem;
use convene_domain::policy::{Action, Principal, Resource, allows};
use convene_domain::programmes::{Place, Programme, Round};
use convene_store::programmes;
use std::sync::Arc;

/// Every programme with its rounds, by name, from the catalogue's cache when fresh.
pub async fn catalogue(app: &App) -> Result<Arc<Vec<Entry>>> {
    Ok(app.catalogue.get(&app.db).await?)
}

/// A programme's public facts (anyone may read them), from the catalogue.
pub async fn public(app: &App, slug: &str) -> Result<Entry> {
    catalogue(app)
        .await?
        .iter()
        .find(|e| e.programme.slug == slug)
        .cloned()
        .ok_or(Error::NotFound)
}

/// The names of a programme's partner bodies, as its public page lists them.
pub async fn partner_names(app: &App, programme_id: ProgrammeId) -> Result<Vec<String>> {
    Ok(programmes::partners(&app.db, programme_id)
        .await?
        .into_iter()
        .map(|p| p.organisation_name)
        .collect())
}

/// Loads a programme by slug for `who`, who must be allowed `action` on it.
pub async fn load(app: &App, who: &Principal, slug: &str, action: Action) -> Result<Programme> {
    let programme = programmes::by_slug(&app.db, slug).await?.ok_or(Error::NotFound)?;
    permit(who, action, &programme)?;
    Ok(programme)
}

/// Fails with [`Error::Forbidden`] unless `who` may `action` the programme.
pub(crate) fn permit(who: &Principal, action: Action, programme: &Programme) -> Result<()> {
    if allows(who, action, Resource::Programme { id: programme.id }) {
        Ok(())
    } else {
        Err(Error::Forbidden)
    }
}

/// A programme as its admins see it.
#[derive(Debug, Clone)]
pub struct Overview {
    pub programme: Programme,
    pub rounds: Vec<Round>,
    pub partners: Vec<Partner>,
    pub places: Vec<Place>,
    /// Match contributions pledged in submitted applications: the total and how many.
    pub pledged: Pence,
    pub pledges: i64,
}

/// The programme `slug` with its partners, places, rounds and pledges (its admins).
pub async fn overview(app: &App, who: &Principal, slug: &str) -> Result<Overview> {
    let programme = load(app, who, slug, Action::View).await?;
    let partners = programmes::partners(&app.db, programme.id).await?;
    let places = programmes::places_in(&app.db, programme.id).await?;
    let (pledged, pledges) = convene_store::applications::pledges_in_programme(&app.db, programme.id).await?;
    let rounds = programmes::rounds(&app.db, programme.id).await?;
    Ok(Overview {
        programme,
        rounds,
        partners,
        places,
        pledged,
        pledges,
    })
}

/// The places taking part in the programme `slug` (its admins).
pub async fn places(app: &App, who: &Principal, slug: &str) -> Result<Vec<Place>> {
    let programme = load(app, who, slug, Action::View).await?;
    Ok(programmes::places_in(&app.db, programme.id).await?)
}

/// Changes the programme's summary; the problem names the field when the text will not do.
pub async fn set_summary(
    app: &App,
    who: &Principal,
    programme: &Programme,
    typed: &str,
) -> Result<std::result::Result<(), Vec<FieldProblem>>> {
    permit(who, Action::Edit, programme)?;
    let summary = typed.trim();
    let problem = if summary.is_empty() {
        Some("Enter a summary of the programme")
    } else if summary.chars().count() > 2000 {
        Some("Summary must be 2,000 characters or fewer")
    } else {
        None
    };
    if let Some(message) = problem {
        return Ok(Err(vec![("summary".into(), message.into())]));
    }
    let mut work = app.begin(Some(who.user_id.0)).await?;
    programmes::set_summary(work.tx(), programme.id, summary).await?;
    work.audit(AuditAction::ProgrammeSummaryChanged, Some(programme.id.0))
        .await?;
    work.clears(Cache::Catalogue);
    work.commit().await?;
    Ok(Ok(()))
}

/// The longest public page accepted, in characters.
pub const PAGE_LIMIT: usize = 20_000;

/// What is wrong with a public page as typed, if anything (raw HTML, unsafe links, length).
pub fn check_page(markdown: &str) -> Option<String> {
    if let Some(problem) = crate::markdown::check(markdown) {
        Some(problem)
    } else if markdown.chars().count() > PAGE_LIMIT {
        Some("The page must be 20,000 characters or fewer".into())
    } else {
        None
    }
}

/// Saves the programme's public page, written in Markdown.
pub async fn save_page(
    app: &App,
    who: &Principal,
    programme: &Programme,
    markdown: &str,
) -> Result<std::result::Result<(), Vec<FieldProblem>>> {
    permit(who, Action::Edit, programme)?;
    if let Some(problem) = check_page(markdown) {
        return Ok(Err(vec![("markdown".into(), problem)]));
    }
    let mut work = app.begin(Some(who.user_id.0)).await?;
    programmes::set_page_markdown(work.tx(), programme.id, markdown.trim()).await?;
    work.audit(AuditAction::ProgrammePageChanged, Some(programme.id.0))
        .await?;
    work.clears(Cache::Catalogue);
    work.commit().await?;
    Ok(Ok(()))
}
