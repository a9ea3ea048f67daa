//! Personal data rights (UK GDPR): a subject access download of everything held about a
//! person (their own, or anyone's for a service admin), finding what is held about an
//! address, and erasure by a service admin, logged by ids only. What each table holds is
//! listed once, in the store's `personal_data`.

/// Who a request is about, what an erasure came to, and a file a person uploaded.
pub use convene_store::personal_data::{Erased, Subject, UploadedFile};

use crate::{App, Cache, Error, Result};
use convene_domain::UserId;
use convene_domain::accounts::Role;
use convene_domain::audit::AuditAction;
use convene_domain::policy::Principal;
use convene_domain::{Email, Timestamp};
use convene_store::{personal_data, users};
use serde_json::{Map, Value};

/// Fails with [`Error::Forbidden`] unless `who` is a service admin, who alone may look up
/// or erase anyone's data.
pub fn require_admin(who: &Principal) -> Result<()> {
    if who.holds(Role::ServiceAdmin, None) {
        Ok(())
    } else {
        Err(Error::Forbidden)
    }
}

/// Whose data a subject access request asks for.
#[derive(Debug, Clone, Copy)]
pub enum Whom<'a> {
    /// An account by id: the person themselves, or a service admin.
    Account(i64),
    /// Whoever an address belongs to, account or not, as typed (service admins).
    Email(&'a str),
}

/// Everything held about a subject.
pub struct Holdings {
    pub subject: Subject,
    /// The rows naming them, by section (secrets in links taken out by the store).
    pub records: Map<String, Value>,
    /// The files they uploaded.
    pub files: Vec<UploadedFile>,
    pub generated_at: Timestamp,
}

/// Everything held about `whom`, with the files they uploaded. A download of someone
/// else's data, or of any found by address, is recorded in the audit log.
pub async fn subject_access(app: &App, who: &Principal, whom: Whom<'_>) -> Result<Holdings> {
    let subject = match whom {
        Whom::Account(id) => {
            if id != who.user_id {
                require_admin(who)?;
            }
            personal_data::subject_by_user(&app.db, UserId(id))
                .await?
                .ok_or(Error::NotFound)?
        }
        Whom::Email(typed) => {
            require_admin(who)?;
            let email = Email::parse(typed).map_err(|_| Error::NotFound)?;
            personal_data::subject_by_email(&app.db, email.as_str()).await?
        }
    };
    let records = personal_data::holdings(&app.db, &subject).await?;
    let files = match subject.user_id {
        Some(id) => personal_data::uploads_by(&app.db, UserId(id)).await?,
        None => Vec::new(),
    };
    if matches!(whom, Whom::Email(_)) || subject.user_id != Some(who.user_id.0) {
        let mut work = app.begin(Some(who.user_id.0)).await?;
        work.audit(AuditAction::SubjectAccessDownloaded, subject.user_id)
            .await?;
        work.commit().await?;
    }
    Ok(Holdings {
        subject,
        records,
        files,
        generated_at: app.clock.now(),
    })
}

/// What is held about an address, as a service admin's search shows it.
#[derive(Debug, Clone, Default)]
pub struct Found {
    /// The name on the account that holds the address, if one does.
    pub account_name: Option<String>,
    /// When that account was erased, if it was.
    pub erased_at: Option<Timestamp>,
    /// Each section with something in it, and how many records.
    pub held: Vec<(String, usize)>,
}

/// What is held about `email` (service admins).
pub async fn find(app: &App, who: &Principal, email: &Email) -> Result<Found> {
    require_admin(who)?;
    let subject = personal_data::subject_by_email(&app.db, email.as_str()).await?;
    let mut found = Found::default();
    if let Some(id) = subject.user_id {
        found.erased_at = personal_data::erased_at(&app.db, UserId(id)).await?;
        found.account_name = users::by_id(&app.db, id).await?.map(|u| u.name);
    }
    for (section, rows) in personal_data::holdings(&app.db, &subject).await? {
        let count = rows.as_array().map(Vec::len).unwrap_or(0);
        found.held.push((section, count));
    }
    Ok(found)
}

/// What erasing an address came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Erasure {
    /// Erased; the account's sessions held elsewhere should be forgotten.
    Done { user_id: Option<i64> },
    /// The account was erased before, at this time.
    Already(Timestamp),
    /// Nothing is held about the address.
    NothingHeld,
    /// The address is the asker's own: another service admin must erase it.
    OwnAccount,
}

/// Erases what is held about `email`, account or not (service admins; never their own).
pub async fn erase(app: &App, who: &Principal, email: &Email) -> Result<Erasure> {
    require_admin(who)?;
    let subject = personal_data::subject_by_email(&app.db, email.as_str()).await?;
    if subject.user_id == Some(who.user_id.0) {
        return Ok(Erasure::OwnAccount);
    }
    Ok(match erase_subject(app, who, &subject).await? {
        Erased::Done => Erasure::Done {
            user_id: subject.user_id,
        },
        Erased::Already(at) => Erasure::Already(at),
        Erased::NothingHeld => Erasure::NothingHeld,
    })
}

/// Erases a subject already found (service admins), logging the erasure by ids only.
pub async fn erase_subject(app: &App, who: &Principal, subject: &Subject) -> Result<Erased> {
    require_admin(who)?;
    let name = match subject.user_id {
        Some(id) => users::by_id(&app.db, id).await?.map(|u| u.name),
        None => None,
    };
    if subject.user_id.is_none() && personal_data::holdings(&app.db, subject).await?.is_empty() {
        return Ok(Erased::NothingHeld);
    }
    let mut work = app.begin(Some(who.user_id.0)).await?;
    let now = work.now();
    let outcome = personal_data::erase(work.tx(), subject, name.as_deref(), now).await?;
    if outcome == Erased::Done {
        work.audit(AuditAction::PersonErased, subject.user_id).await?;
        if let Some(id) = subject.user_id {
            work.clears(Cache::Person(id));
        }
        work.commit().await?;
    }
    Ok(outcome)
}
