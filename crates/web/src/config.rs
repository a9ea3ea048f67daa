//! Settings for a running Convene, from flags or the environment.

use std::time::Duration;

/// Everything a server needs to know that is not in the database.
#[derive(Clone)]
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
    /// How many proxies in front of Convene append to `X-Forwarded-For` (0: none, use the
    /// socket's peer). The client address is the value the outermost of them added,
    /// counted from the right (`ops::client_address`).
    pub trusted_proxies: usize,
    /// The service's secret key: two-factor secrets are sealed with it. None: two-factor
    /// sign-in cannot be set up (the CLI refuses to start on a database that holds secrets).
    pub secret_key: Option<convene_domain::secret_box::SecretKey>,
    /// The bearer token `/metrics` asks for on the public address. Without it (and without a
    /// separate metrics address) `/metrics` is not served there at all.
    pub metrics_token: Option<String>,
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
            trusted_proxies: 0,
            secret_key: None,
            metrics_token: None,
            clamd_socket: None,
            enforce_two_factor: true,
        }
    }
}

/// Written out without its secrets (the metrics token; the key prints as redacted itself),
/// so a logged configuration gives nothing away.
impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("public_url", &self.public_url)
            .field("smtp_url", &self.smtp_url.as_ref().map(|_| "[set]"))
            .field("mail_from", &self.mail_from)
            .field("demo", &self.demo)
            .field("trusted_proxies", &self.trusted_proxies)
            .field("secret_key", &self.secret_key)
            .field(
                "metrics_token",
                &self.metrics_token.as_ref().map(|_| "[redacted]"),
            )
            .field("enforce_two_factor", &self.enforce_two_factor)
            .finish_non_exhaustive()
    }
}
