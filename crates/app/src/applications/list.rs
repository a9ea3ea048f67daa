//! A round's applications as its programme's admins see them: the list, filtered and a
//! page at a time, and the export of every matching application with its answers, read in
//! batches so memory does not grow with the round. Both the pages and the API use these.

/// The list's filters, its lines and a page of them, and an exported application.
pub use convene_store::applications::{Exported, ListFilter, ListPage, Listed};

use crate::{App, Error, Result};
use convene_domain::RoundId;
use convene_domain::audit::AuditAction;
use convene_domain::forms::Question;
use convene_domain::policy::{Action, Principal, Resource, allows};
use convene_domain::programmes::Round;
use convene_store::{applications, forms};

/// Fails unless `who` may see the round's programme (its admins).
fn permit(who: &Principal, round: &Round) -> Result<()> {
    if allows(
        who,
        Action::View,
        Resource::Programme {
            id: round.programme_id,
        },
    ) {
        Ok(())
    } else {
        Err(Error::Forbidden)
    }
}

/// Page `page` (from 1) of the round's applications that match `filter`, with the total
/// and the count in each status.
pub async fn list(
    app: &App,
    who: &Principal,
    round: &Round,
    filter: &ListFilter,
    page: i64,
    per_page: i64,
) -> Result<ListPage> {
    permit(who, round)?;
    Ok(applications::list(&app.db, round.id, filter, page, per_page).await?)
}

/// Applications read from the database at a time by an export.
pub const EXPORT_BATCH: i64 = 500;

/// An export under way: the questions that make its columns, and the applications in
/// batches of [`EXPORT_BATCH`].
pub struct Export {
    app: App,
    round_id: i64,
    filter: ListFilter,
    /// Every question asked in any version of the round's form, the newest version's
    /// order first.
    pub questions: Vec<Question>,
}

impl Export {
    /// The next batch of matching applications after the one with id `after` (0 first),
    /// with their answers; fewer than [`EXPORT_BATCH`] means it is the last.
    pub async fn batch(&self, after: i64) -> Result<Vec<Exported>> {
        Ok(applications::export_batch(
            &self.app.db,
            RoundId(self.round_id),
            &self.filter,
            after,
            EXPORT_BATCH,
        )
        .await?)
    }
}

/// Starts an export of the round's applications that match `filter` (its programme's
/// admins); the export is recorded in the audit log.
pub async fn export(app: &App, who: &Principal, round: &Round, filter: ListFilter) -> Result<Export> {
    permit(who, round)?;
    let mut work = app.begin(Some(who.user_id.0)).await?;
    work.audit(AuditAction::ApplicationsExported, Some(round.id.0))
        .await?;
    work.commit().await?;
    let versions = forms::all_versions(&app.db, round.id).await?;
    let mut questions: Vec<Question> = Vec::new();
    for version in versions.iter().rev() {
        for q in version.definition.questions() {
            if !questions.iter().any(|known| known.key == q.key) {
                questions.push(q.clone());
            }
        }
    }
    Ok(Export {
        app: app.clone(),
        round_id: round.id.0,
        filter,
        questions,
    })
}
