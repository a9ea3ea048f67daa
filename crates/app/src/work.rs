//! The unit of work every change goes through: begin a transaction, make the change,
//! record it in the audit log under a typed action, commit, and only then wake the mail
//! worker and clear the caches the change made stale. No handler does these by hand.

use crate::App;
use crate::mail::Message;
use convene_domain::Timestamp;
use convene_domain::UserId;
use convene_domain::audit::AuditAction;
use convene_store::{Result, StoreError, Tx, audit, outbox};

/// A cache a change can make stale.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cache {
    /// Programmes, funds, rounds and the public pages made from them.
    Catalogue,
    /// What this process remembers of one person (name, roles).
    Person(i64),
    /// A round's moderation ranking (scores, agreed scores, who stood aside).
    Ranking(convene_domain::RoundId),
}

/// One change in progress. Dropped without [`Work::commit`], it is rolled back and
/// nothing is sent or cleared.
pub struct Work {
    app: App,
    tx: Tx,
    actor: Option<i64>,
    now: Timestamp,
    mail_queued: bool,
    stale: Vec<Cache>,
}

impl App {
    /// Begins a change made by `actor` (a user id; `None` for the service itself or
    /// someone holding only a link).
    pub async fn begin(&self, actor: Option<i64>) -> Result<Work> {
        Ok(Work {
            app: self.clone(),
            tx: self.db.begin().await?,
            actor,
            now: self.clock.now(),
            mail_queued: false,
            stale: Vec::new(),
        })
    }
}

impl Work {
    /// The transaction, for the store's functions.
    pub fn tx(&mut self) -> &mut Tx {
        &mut self.tx
    }

    /// The moment of the change: every row it writes carries the same time.
    pub fn now(&self) -> Timestamp {
        self.now
    }

    /// Who is making the change.
    pub fn actor(&self) -> Option<i64> {
        self.actor
    }

    /// Names who is making the change once it is known (an account created by the change).
    pub fn set_actor(&mut self, actor: Option<i64>) {
        self.actor = actor;
    }

    /// Records the change in the audit log, in the same transaction.
    pub async fn audit(&mut self, action: AuditAction, record_id: Option<i64>) -> Result<()> {
        self.audit_with(action, record_id, "").await
    }

    /// Records the change with a detail (never personal data: the log outlives erasure).
    pub async fn audit_with(
        &mut self,
        action: AuditAction,
        record_id: Option<i64>,
        detail: &str,
    ) -> Result<()> {
        let entry = audit::Entry {
            actor_user_id: self.actor,
            action,
            record_id,
            detail,
        };
        audit::record(&mut self.tx, entry, self.now).await
    }

    /// Queues a message made from its templates ([`crate::mail`]), both its parts, in the
    /// outbox; it goes once the change commits.
    pub async fn send(&mut self, message: &impl Message) -> Result<i64> {
        let subject = message.subject();
        let not_rendered = |e: askama::Error| {
            StoreError::Malformed(format!("the mail {subject:?} could not be rendered: {e}"))
        };
        let text = message.text().map_err(not_rendered)?;
        let html = message.html().map_err(not_rendered)?;
        self.mail_queued = true;
        outbox::enqueue_parts(&mut self.tx, message.to(), &subject, &text, Some(&html), self.now).await
    }

    /// Names a cache the change makes stale; it is cleared after the commit.
    pub fn clears(&mut self, cache: Cache) {
        if !self.stale.contains(&cache) {
            self.stale.push(cache);
        }
    }

    /// Commits, then wakes the mailer if anything was queued and clears the stale caches.
    pub async fn commit(self) -> Result<()> {
        self.tx.commit().await?;
        if self.mail_queued {
            self.app.mail_wake.notify_one();
        }
        for cache in self.stale {
            match cache {
                Cache::Catalogue => self.app.catalogue.invalidate(),
                Cache::Person(user_id) => self.app.people.forget(UserId(user_id)),
                Cache::Ranking(round_id) => self.app.rankings.forget(round_id),
            }
        }
        Ok(())
    }
}
