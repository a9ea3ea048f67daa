//! Settings for a running Convene, from flags or the environment.

use std::time::Duration;

/// Everything a server needs to know that is not in the database.
#[derive(Debug, Clone)]
pub struct Config {
    /// The address people use to reach the service, for links in email (no trailing slash).
    pub public_url: String,
    /// SMTP server URL for lettre (`smtp://host:port`, `smtps://user:pass@host`); none keeps
    /// mail in the outbox (shown at `/dev/mail` in the demo).
    pub smtp_url: Option<String>,
    /// The From address of every email.
    pub mail_from: String,
    /// Mark cookies `Secure` (on whenever the public URL is https).
    pub secure_cookies: bool,
    /// Demo mode: shows `/dev/mail` and relaxes two-factor for the printed demo accounts.
    pub demo: bool,
    /// How long a session lasts without use.
    pub session_idle: Duration,
    /// Origins allowed to post forms, besides the request's own host (behind a proxy that
    /// rewrites `Host`).
    pub trusted_origins: Vec<String>,
    /// How often the mail worker looks for due messages.
    pub mail_poll: Duration,
    /// Take the client address from `X-Forwarded-For` (only behind a proxy that sets it).
    pub trust_forwarded_for: bool,
    /// A clamd Unix socket: when set, every upload is scanned and refused if infected or if
    /// the scan cannot be made. Off by default.
    pub clamd_socket: Option<std::path::PathBuf>,
    /// Require two-factor sign-in of service admins, programme admins and panel members
    /// (always in `convene serve`; not for the demo's printed accounts).
    pub enforce_two_factor: bool,
}

impl Config {
    /// Settings for a server reachable at `public_url`.
    pub fn new(public_url: impl Into<String>) -> Config {
        let public_url: String = public_url.into();
        Config {
            secure_cookies: public_url.starts_with("https://"),
            public_url: public_url.trim_end_matches('/').to_string(),
            smtp_url: None,
            mail_from: "Convene <no-reply@convene.example.org>".into(),
            demo: false,
            session_idle: Duration::from_secs(8 * 3600),
            trusted_origins: Vec::new(),
            mail_poll: Duration::from_secs(2),
            trust_forwarded_for: false,
            clamd_socket: None,
            enforce_two_factor: true,
        }
    }
}
