//! Email: messages are queued in the outbox inside the transaction that causes them, and a
//! background worker sends them over SMTP with retries, so a mail server that is down loses
//! nothing. With no SMTP URL configured, messages stay in the outbox (the demo shows them).

use crate::state::AppState;
use convene_store::outbox;
use lettre::message::Mailbox;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::time::Duration;

/// Builds the SMTP transport from a URL such as `smtp://127.0.0.1:2525` or
/// `smtps://user:pass@mail.example.org`.
pub fn transport(url: &str) -> Result<AsyncSmtpTransport<Tokio1Executor>, String> {
    AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
        .map(|b| b.timeout(Some(Duration::from_secs(10))).build())
        .map_err(|e| format!("SMTP URL {:?} is not valid: {e}", convene_store::redact(url)))
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
) -> convene_store::Result<usize> {
    let now = state.clock.now();
    // The lease outlasts a whole batch at the SMTP timeout, so no other worker reclaims a
    // message while this one is still sending it.
    let due = outbox::claim_due(&state.db, now, 10, 300).await?;
    let mut sent = 0;
    for m in due {
        let result = match build(from, &m) {
            Ok(message) => mailer.send(message).await.map(|_| ()).map_err(|e| e.to_string()),
            Err(e) => Err(e),
        };
        match result {
            Ok(()) => {
                outbox::mark_sent(&state.db, m.id, state.clock.now()).await?;
                metrics::counter!("mail_sent_total").increment(1);
                sent += 1;
            }
            Err(e) => {
                let retry = if m.attempts + 1 >= outbox::MAX_ATTEMPTS {
                    tracing::error!(id = m.id, "mail given up after {} attempts", outbox::MAX_ATTEMPTS);
                    convene_domain::Timestamp(i64::MAX)
                } else {
                    state
                        .clock
                        .now()
                        .plus_seconds(outbox::retry_delay_seconds(m.attempts))
                };
                tracing::warn!(id = m.id, error = %e, "mail not sent; will retry");
                metrics::counter!("mail_failed_total").increment(1);
                outbox::mark_failed(&state.db, m.id, &e, retry).await?;
            }
        }
    }
    Ok(sent)
}

fn build(from: &Mailbox, m: &outbox::Message) -> Result<Message, String> {
    let to: Mailbox = m.to_address.parse().map_err(|e| format!("bad address: {e}"))?;
    Message::builder()
        .from(from.clone())
        .to(to)
        .subject(&m.subject)
        .body(m.body_text.clone())
        .map_err(|e| e.to_string())
}
