//! A round's application form and its versions. A version is frozen once the round opens
//! or an application is started on it; changes then go to a new version, prepared apart
//! and published, so every application is read against the questions it was asked.

use crate::App;
use convene_domain::audit::AuditAction;
use convene_domain::forms::FormDefinition;
use convene_domain::policy::{Action, Principal, Resource, allows};
use convene_store::StoreError;
use convene_store::forms::{self, StoredForm};
use convene_store::programmes::Round;

/// Why a form change did not happen; nothing was saved.
#[derive(Debug, thiserror::Error)]
pub enum FormError {
    #[error("not allowed")]
    Forbidden,
    /// The round has opened, so its published version can no longer change.
    #[error("the form is frozen because the round has opened")]
    RoundOpen,
    /// An application was started on this version, so its questions can no longer change.
    #[error("applications have been started on this version")]
    InUse,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A round's form versions as they stand.
#[derive(Debug, Clone)]
pub struct Versions {
    /// The version new applications use.
    pub current: Option<StoredForm>,
    /// A new version being prepared.
    pub draft: Option<StoredForm>,
    /// True when the current version is frozen because the round has opened.
    pub frozen: bool,
}

impl Versions {
    /// The version a change goes to: the draft, else the current one while the round has
    /// not opened; `Ok(None)` when the round has no form yet.
    pub fn editable(&self) -> Result<Option<&StoredForm>, FormError> {
        match (&self.draft, &self.current) {
            (Some(d), _) => Ok(Some(d)),
            (None, Some(_)) if self.frozen => Err(FormError::RoundOpen),
            (None, Some(c)) => Ok(Some(c)),
            (None, None) => Ok(None),
        }
    }
}

/// The round's form versions.
pub async fn versions(app: &App, round: &Round) -> crate::Result<Versions> {
    Ok(load_versions(app, round).await?)
}

async fn load_versions(app: &App, round: &Round) -> Result<Versions, StoreError> {
    let current = forms::current(&app.db, round.id).await?;
    let draft = forms::draft(&app.db, round.id).await?;
    Ok(Versions {
        frozen: current.is_some() && app.clock.now() >= round.opens_at,
        current,
        draft,
    })
}

/// Saves `definition` as the round's form: over the version being edited (see
/// [`Versions::editable`]), or as the round's first, published version.
pub async fn save(
    app: &App,
    who: &Principal,
    round: &Round,
    definition: &FormDefinition,
) -> Result<(), FormError> {
    let programme = Resource::Programme {
        id: round.programme_id,
    };
    if !allows(who, Action::Edit, programme) {
        return Err(FormError::Forbidden);
    }
    let versions = load_versions(app, round).await?;
    let target = versions.editable()?.map(|f| f.id);
    let mut work = app.begin(Some(who.user_id.0)).await?;
    let now = work.now();
    match target {
        Some(id) => {
            if !forms::replace_unfrozen(work.tx(), id, definition).await? {
                return Err(FormError::InUse);
            }
        }
        None => {
            forms::insert_version(work.tx(), round.id, definition, now, true).await?;
        }
    }
    work.audit(AuditAction::FormChanged, Some(round.id.0)).await?;
    work.commit().await?;
    Ok(())
}

/// Starts a new version, a copy of the current one, prepared apart from it (once: a second
/// start while a draft exists changes nothing).
pub async fn start_version(app: &App, who: &Principal, round: &Round) -> Result<(), FormError> {
    if !allows(
        who,
        Action::Edit,
        Resource::Programme {
            id: round.programme_id,
        },
    ) {
        return Err(FormError::Forbidden);
    }
    let versions = load_versions(app, round).await?;
    let mut work = app.begin(Some(who.user_id.0)).await?;
    let now = work.now();
    if versions.draft.is_none() {
        let base = versions.current.map(|c| c.definition).unwrap_or_default();
        forms::insert_version(work.tx(), round.id, &base, now, false).await?;
    }
    work.audit(AuditAction::FormVersionStarted, Some(round.id.0))
        .await?;
    work.commit().await?;
    Ok(())
}

/// Publishes the draft: it becomes the form for new applications. Returns its version
/// number (none when there is no draft), or the problems that keep it from being published.
pub async fn publish(
    app: &App,
    who: &Principal,
    round: &Round,
) -> Result<Result<Option<i64>, Vec<String>>, FormError> {
    if !allows(
        who,
        Action::Edit,
        Resource::Programme {
            id: round.programme_id,
        },
    ) {
        return Err(FormError::Forbidden);
    }
    let Some(draft) = load_versions(app, round).await?.draft else {
        return Ok(Ok(None));
    };
    let problems = draft.definition.problems();
    if !problems.is_empty() {
        return Ok(Err(problems));
    }
    let mut work = app.begin(Some(who.user_id.0)).await?;
    let now = work.now();
    forms::publish(work.tx(), draft.id, now).await?;
    work.audit(AuditAction::FormPublished, Some(round.id.0)).await?;
    work.commit().await?;
    Ok(Ok(Some(draft.version)))
}
