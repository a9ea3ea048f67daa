//! Email: messages are queued in the outbox inside the transaction that causes them, and a
//! background worker sends them over SMTP with retries, so a mail server that is down loses
//! nothing. With no SMTP URL configured, messages stay in the outbox (the demo shows them).
//! A message with an HTML part goes as multipart/alternative: the plain text first, then
//! the HTML, so a mail program shows the richest part it can. The worker reads and marks
//! the outbox through the use cases (`convene_app::mail`).

use crate::state::AppState;
use convene_app::mail::{self, NextAttempt, Queued};
use lettre::message::{Mailbox, MultiPart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::time::Duration;

/// Builds the SMTP transport from a URL such as `smtp://127.0.0.1:2525` or
/// `smtps://user:pass@mail.example.org`.
pub fn transport(url: &str) -> Result<AsyncSmtpTransport<Tokio1Executor>, String> {
    AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
        .map(|b| b.timeout(Some(Duration::from_secs(10))).build())
        .map_err(|e| format!("SMTP URL {:?} is not valid: {e}", mail::url_without_password(url)))
}

/// Sends due messages until the process stops. Returns at once when no SMTP URL is set.
pub async fn run_worker(state: AppState, shutdown: tokio::sync::watch::Receiver<bool>) {
    let Some(url) = state.config.smtp_url.clone() else {
        return;
    };
    let mailer = match transport(&url) {
        Ok(m) => m,
        Err(e) => {
            tracing::error!(error = %e, "mail worker not started");
            return;
        }
    };
    let from: Mailbox = match state.config.mail_from.parse() {
        Ok(m) => m,
        Err(e) => {
            tracing::error!(error = %e, "mail worker not started: bad From address");
            return;
        }
    };
    let mut shutdown = shutdown;
    loop {
        if let Err(e) = send_due(&state, &mailer, &from).await {
            tracing::warn!(error = %e, "mail worker could not read the outbox");
        }
        tokio::select! {
            _ = state.mail_wake.notified() => {}
            _ = tokio::time::sleep(state.config.mail_poll) => {}
            _ = shutdown.changed() => return,
        }
    }
}

/// One pass: claims due messages and tries each once.
pub async fn send_due(
    state: &AppState,
    mailer: &AsyncSmtpTransport<Tokio1Executor>,
    from: &Mailbox,
) -> convene_app::Result<usize> {
    // The lease outlasts a whole batch at the SMTP timeout, so no other worker reclaims a
    // message while this one is still sending it.
    let due = mail::claim_due(state, 10, 300).await?;
    let mut sent = 0;
    for m in due {
        let result = match build(from, &m) {
            Ok(message) => mailer.send(message).await.map(|_| ()).map_err(|e| e.to_string()),
            Err(e) => Err(e),
        };
        match result {
            Ok(()) => {
                mail::mark_sent(state, m.id).await?;
                metrics::counter!("mail_sent_total").increment(1);
                sent += 1;
            }
            Err(e) => {
                tracing::warn!(id = m.id, error = %e, "mail not sent; will retry");
                metrics::counter!("mail_failed_total").increment(1);
                if mail::mark_failed(state, &m, &e).await? == NextAttempt::GivenUp {
                    tracing::error!(id = m.id, "mail given up after {} attempts", m.attempts + 1);
                }
            }
        }
    }
    Ok(sent)
}

/// The message as sent: plain text alone, or text and HTML as multipart/alternative.
fn build(from: &Mailbox, m: &Queued) -> Result<Message, String> {
    let to: Mailbox = m.to_address.parse().map_err(|e| format!("bad address: {e}"))?;
    let message = Message::builder().from(from.clone()).to(to).subject(&m.subject);
    match &m.body_html {
        Some(html) => message.multipart(MultiPart::alternative_plain_html(
            m.body_text.clone(),
            html.clone(),
        )),
        None => message.body(m.body_text.clone()),
    }
    .map_err(|e| e.to_string())
}
