//! Mail from templates: one type per message, each with a plain-text part (which reads well
//! alone) and an HTML part in the NHS-styled layout, both askama templates in
//! `crates/app/templates/mail/` (`<name>.txt`, `<name>.html`). A use case queues one with
//! [`Work::send`](crate::Work::send), in the same transaction as the change that causes it;
//! the worker sends both parts as multipart/alternative. Once sent, the stored copies lose
//! their secret links (`convene_domain::links`), in both parts.
//!
//! The content belongs to the use cases, so it lives here and not with the web pages.

mod accounts;
mod applications;
mod awards;
mod enablers;
mod outbox;
mod requests;
#[cfg(test)]
mod tests;

pub use accounts::{
    AccountExists, ConfirmEmail, EmailChangeAsked, EmailInUse, PasswordChanged, PasswordReset,
};
pub use applications::{DeadlineReminder, SignoffRequest, SubmissionReceived};
pub use awards::{OfferTerms, OutcomeLetter};
pub use enablers::MatchConfirmed;
pub use outbox::{NextAttempt, Queued, claim_due, mark_failed, mark_sent, recent, url_without_password};
pub use requests::{Invitation, RoleRequestApproved, RoleRequestDeclined, RoleRequestWaiting};

/// One email: who it goes to, its subject, and its two parts.
pub trait Message {
    /// The address it goes to.
    fn to(&self) -> &str;
    /// The subject line.
    fn subject(&self) -> String;
    /// The plain-text part: the whole message, readable without the HTML.
    fn text(&self) -> askama::Result<String>;
    /// The HTML part: the same words in the mail layout (`mail/layout.html`, inline CSS).
    fn html(&self) -> askama::Result<String>;
}

/// Implements [`Message`] for a struct with a `to` field from its two templates and a
/// subject. The HTML template sees the message's fields (through `Deref`) and `subject`,
/// which the layout uses as the page title and heading.
macro_rules! message {
    ($message:ident, $text:literal, $html:literal, |$m:ident| $subject:expr) => {
        impl $crate::mail::Message for $message {
            fn to(&self) -> &str {
                &self.to
            }

            fn subject(&self) -> String {
                let $m = self;
                $subject
            }

            fn text(&self) -> askama::Result<String> {
                #[derive(askama::Template)]
                #[template(path = $text)]
                struct Text<'a>(&'a $message);
                impl std::ops::Deref for Text<'_> {
                    type Target = $message;
                    fn deref(&self) -> &$message {
                        self.0
                    }
                }
                askama::Template::render(&Text(self))
            }

            fn html(&self) -> askama::Result<String> {
                #[derive(askama::Template)]
                #[template(path = $html)]
                struct Html<'a> {
                    message: &'a $message,
                    subject: String,
                }
                impl std::ops::Deref for Html<'_> {
                    type Target = $message;
                    fn deref(&self) -> &$message {
                        self.message
                    }
                }
                let subject = $crate::mail::Message::subject(self);
                askama::Template::render(&Html {
                    message: self,
                    subject,
                })
            }
        }
    };
}
use message;
