//! The test harness: a real Convene on a random port over a fresh database (SQLite in a temp
//! folder or a new PostgreSQL database), loaded with the demo data, driven over HTTP.
#![allow(dead_code)]

pub mod api;
pub mod enablers;

use convene_domain::Timestamp;
use convene_domain::UserId;
use convene_domain::time::FixedClock;
use convene_store::testing::{Backend, TestDb};
use convene_web::{AppState, Config};
use std::net::SocketAddr;
use std::sync::Arc;

/// "Now" in tests: 10:00 London on 23 November 2026.
pub fn now() -> Timestamp {
    Timestamp::from_london(2026, 11, 23, 10, 0, 0).unwrap()
}

/// The bearer token test servers ask of `/metrics`.
pub const METRICS_TOKEN: &str = "test-metrics-token";

/// A running server and what it runs on.
pub struct TestApp {
    pub url: String,
    pub state: AppState,
    pub clock: Arc<FixedClock>,
    test_db: Option<TestDb>,
    server: tokio::task::JoinHandle<()>,
    mail_worker: Option<(tokio::sync::watch::Sender<bool>, tokio::task::JoinHandle<()>)>,
}

/// Builder options.
#[derive(Default)]
pub struct Options {
    pub smtp_url: Option<String>,
    pub demo: bool,
    /// Two-factor sign-in required of admins and panel members, as in `convene serve`
    /// (off by default so tests can sign admins in with a password alone).
    pub enforce_two_factor: bool,
}

impl TestApp {
    /// A server on `backend` with the demo data.
    pub async fn spawn(backend: Backend) -> TestApp {
        Self::spawn_with(backend, Options::default()).await
    }

    /// A server in demo mode (with `/dev/mail`) on SQLite, as `convene demo` runs.
    pub async fn spawn_demo() -> TestApp {
        Self::spawn_with(
            Backend::Sqlite,
            Options {
                demo: true,
                ..Options::default()
            },
        )
        .await
    }

    /// A server with options.
    pub async fn spawn_with(backend: Backend, options: Options) -> TestApp {
        if std::env::var("TEST_LOG").is_ok() {
            let _ = tracing_subscriber::fmt().with_env_filter("info").try_init();
        }
        let test_db = TestDb::new(backend).await;
        convene_store::demo::load(&test_db.db, now()).await.unwrap();
        let clock = Arc::new(FixedClock::at(now()));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let url = format!("http://{addr}");
        let mut config = Config::new(url.clone());
        config.smtp_url = options.smtp_url;
        config.demo = options.demo;
        config.enforce_two_factor = options.enforce_two_factor;
        config.mail_poll = std::time::Duration::from_millis(100);
        // As `convene serve` with CONVENE_SECRET_KEY: two-factor secrets are sealed with it.
        config.secret_key = Some(convene_domain::secret_box::SecretKey::generate());
        // `/metrics` answers on the public address only to this bearer token.
        config.metrics_token = Some(METRICS_TOKEN.into());
        let state = AppState::new(test_db.db.clone(), clock.clone(), config);
        let app = convene_web::build_app(state.clone());
        let server = tokio::spawn(async move {
            axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>())
                .await
                .unwrap();
        });
        // The mail worker runs when a mail server is configured, as in `convene serve`.
        let mail_worker = state.config.smtp_url.as_ref().map(|_| {
            let (stop, stopped) = tokio::sync::watch::channel(false);
            (
                stop,
                tokio::spawn(convene_web::mail::run_worker(state.clone(), stopped)),
            )
        });
        TestApp {
            url,
            state,
            clock,
            test_db: Some(test_db),
            server,
            mail_worker,
        }
    }

    /// A browser-like client with its own cookie jar that does not follow redirects.
    pub fn client(&self) -> reqwest::Client {
        reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap()
    }

    /// The full address of `path`.
    pub fn at(&self, path: &str) -> String {
        format!("{}{path}", self.url)
    }

    /// GETs a page and returns its status and body.
    pub async fn get(&self, client: &reqwest::Client, path: &str) -> (u16, String) {
        let res = client.get(self.at(path)).send().await.unwrap();
        let status = res.status().as_u16();
        (status, res.text().await.unwrap())
    }

    /// Posts a form from the page at `form_page` (taking its CSRF token), as a browser would.
    pub async fn post_form(
        &self,
        client: &reqwest::Client,
        form_page: &str,
        action: &str,
        fields: &[(&str, &str)],
    ) -> reqwest::Response {
        let (_, html) = self.get(client, form_page).await;
        let token = csrf_token(&html);
        let mut body: Vec<(&str, &str)> = vec![("csrf_token", token.as_str())];
        body.extend_from_slice(fields);
        client
            .post(self.at(action))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(serde_urlencoded::to_string(&body).unwrap())
            .send()
            .await
            .unwrap()
    }

    /// Signs `client` in as `email` with the demo password; panics unless it reaches the dashboard.
    pub async fn sign_in(&self, client: &reqwest::Client, email: &str) {
        let res = self
            .post_form(
                client,
                "/sign-in",
                "/sign-in",
                &[("email", email), ("password", convene_store::demo::DEMO_PASSWORD)],
            )
            .await;
        assert_eq!(res.status().as_u16(), 303, "sign-in as {email} should redirect");
        assert_eq!(res.headers()["location"], "/dashboard");
    }

    /// A new client signed in as `email`.
    pub async fn signed_in(&self, email: &str) -> reqwest::Client {
        let client = self.client();
        self.sign_in(&client, email).await;
        client
    }

    /// Creates an API token on `client`'s account page and returns it (shown once there).
    pub async fn create_api_token(&self, client: &reqwest::Client, name: &str) -> String {
        let res = self
            .post_form(client, "/account", "/account/tokens", &[("name", name)])
            .await;
        assert_eq!(res.status().as_u16(), 303);
        let (_, html) = self.get(client, "/account").await;
        let marker = "<code class=\"convene-token\">";
        let start = html.find(marker).expect("the new token is shown") + marker.len();
        html[start..].split('<').next().unwrap().to_string()
    }

    /// The id of the demo place with this reference.
    pub async fn place_id(&self, reference: &str) -> i64 {
        convene_store::programmes::place_by_reference(&self.state.db, reference)
            .await
            .unwrap()
            .unwrap()
    }

    /// Stops the server and removes its database.
    pub async fn stop(mut self) {
        if let Some((stop, worker)) = self.mail_worker.take() {
            let _ = stop.send(true);
            let _ = worker.await;
        }
        self.server.abort();
        let _ = (&mut self.server).await;
        if let Some(db) = self.test_db.take() {
            db.remove().await;
        }
    }
}

/// The CSRF token in a page's first form.
pub fn csrf_token(html: &str) -> String {
    let marker = "name=\"csrf_token\" value=\"";
    let start = html
        .find(marker)
        .unwrap_or_else(|| panic!("no CSRF token in page:\n{html}"))
        + marker.len();
    html[start..].split('"').next().unwrap().to_string()
}

/// A real SMTP server (Debian's python3-aiosmtpd) that writes each message it receives into
/// a maildir; stopped when dropped.
pub struct SmtpSink {
    pub port: u16,
    pub maildir: std::path::PathBuf,
    child: std::process::Child,
}

impl SmtpSink {
    /// Starts a sink on `port` (0 picks a free one) and waits until it answers.
    pub async fn start(port: u16) -> SmtpSink {
        let port = if port == 0 { free_port() } else { port };
        let maildir = std::env::temp_dir().join(format!("convene-maildir-{}-{port}", std::process::id()));
        let child = std::process::Command::new("/usr/bin/python3")
            .args([
                "-m",
                "aiosmtpd",
                "-n",
                "-l",
                &format!("127.0.0.1:{port}"),
                "-c",
                "aiosmtpd.handlers.Mailbox",
            ])
            .arg(&maildir)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("python3-aiosmtpd must be installed (Debian package python3-aiosmtpd)");
        for _ in 0..100 {
            if tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_ok() {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        SmtpSink { port, maildir, child }
    }

    /// Every message received so far, as raw text.
    pub fn messages(&self) -> Vec<String> {
        let mut out = Vec::new();
        for sub in ["new", "cur"] {
            if let Ok(entries) = std::fs::read_dir(self.maildir.join(sub)) {
                for e in entries.flatten() {
                    out.push(std::fs::read_to_string(e.path()).unwrap_or_default());
                }
            }
        }
        out
    }

    /// Waits up to ten seconds for `n` messages.
    pub async fn wait_for(&self, n: usize) -> Vec<String> {
        for _ in 0..200 {
            let m = self.messages();
            if m.len() >= n {
                return m;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        self.messages()
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.maildir);
    }
}

/// A TCP port nothing listens on right now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Runs one async test body on SQLite and on PostgreSQL, as two tests.
#[macro_export]
macro_rules! on_both {
    ($name:ident, |$app:ident| $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            async fn run($app: $crate::common::TestApp) {
                $body
            }
            #[tokio::test]
            async fn sqlite() {
                let app = $crate::common::TestApp::spawn(convene_store::testing::Backend::Sqlite).await;
                run(app).await;
            }
            #[tokio::test]
            async fn postgres() {
                let app = $crate::common::TestApp::spawn(convene_store::testing::Backend::Postgres).await;
                run(app).await;
            }
        }
    };
}

impl TestApp {
    /// The test clock's time plus some seconds.
    pub fn clock_now_plus(&self, seconds: i64) -> Timestamp {
        use convene_domain::Clock;
        self.clock.now().plus_seconds(seconds)
    }
}

/// The CSRF token that [`TestApp::forged_session`] puts in the sessions it writes.
pub const FORGED_CSRF: &str = "forged-session-token";

impl TestApp {
    /// A client holding a session for `user_id` written straight into the store, as a
    /// signed-in browser would hold one: for accounts that cannot sign in themselves (an
    /// unconfirmed address), to show what such a session would reach. Its forms take
    /// [`FORGED_CSRF`] as their token.
    pub async fn forged_session(&self, user_id: i64) -> reqwest::Client {
        let id = tower_sessions::session::Id::default().to_string();
        let data = serde_json::json!({ "user_id": user_id, "csrf_token": FORGED_CSRF }).to_string();
        let expires = self.clock_now_plus(3600);
        assert!(
            convene_store::sessions::create(&self.state.db, &id, Some(user_id), &data, expires)
                .await
                .unwrap()
        );
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert(
            reqwest::header::COOKIE,
            format!("{}={id}", convene_web::session_store::SESSION_COOKIE)
                .parse()
                .unwrap(),
        );
        reqwest::Client::builder()
            .default_headers(headers)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap()
    }

    /// An API token for `user_id` written straight into the store.
    pub async fn forged_api_token(&self, user_id: i64) -> String {
        let secret = convene_domain::accounts::new_secret();
        let mut tx = self.state.db.begin().await.unwrap();
        convene_store::tokens::create_api_token(
            &mut tx,
            UserId(user_id),
            "forged",
            &convene_domain::accounts::secret_digest(&secret),
            self.clock_now_plus(0),
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        secret
    }
}

impl TestApp {
    /// Waits up to five seconds for a queued message to `to` whose body holds `holding`
    /// (some mail, such as a password reset link, is queued just after the answer is sent).
    pub async fn wait_for_mail(&self, to: &str, holding: &str) -> convene_store::outbox::Message {
        for _ in 0..250 {
            let mail = convene_store::outbox::recent(&self.state.db, 200).await.unwrap();
            if let Some(m) = mail
                .into_iter()
                .find(|m| m.to_address == to && m.body_text.contains(holding))
            {
                return m;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        panic!("no mail to {to} holding {holding}");
    }
}

/// The base32 key shown on the two-factor setup page.
pub fn shown_secret(html: &str) -> String {
    let marker = "<code class=\"convene-secret\">";
    let start = html.find(marker).expect("a key") + marker.len();
    html[start..].split('<').next().unwrap().to_string()
}

/// The recovery codes a page shows, once, after two-factor sign-in is set up.
pub fn shown_recovery_codes(html: &str) -> Vec<String> {
    html.split("<li><code>")
        .skip(1)
        .map(|s| s.split('<').next().unwrap().to_string())
        .collect()
}

impl TestApp {
    /// The test clock's "now" in Unix seconds, for TOTP codes.
    pub fn unix_seconds(&self) -> u64 {
        use convene_domain::Clock;
        (self.clock.now().0 / 1_000_000) as u64
    }

    /// The newest queued link under `prefix` emailed to `to`, as a path.
    pub async fn emailed_link(&self, to: &str, prefix: &str) -> String {
        let mail = convene_store::outbox::recent(&self.state.db, 200).await.unwrap();
        let message = mail
            .iter()
            .find(|m| m.to_address == to && m.body_text.contains(prefix))
            .unwrap_or_else(|| panic!("no mail to {to} with {prefix}"));
        let start = message.body_text.find(prefix).unwrap();
        message.body_text[start..]
            .split_whitespace()
            .next()
            .unwrap()
            .to_string()
    }

    /// Sets up two-factor sign-in for a signed-in client with a right code; returns the
    /// secret and the recovery codes shown.
    pub async fn set_up_two_factor(&self, client: &reqwest::Client) -> (String, Vec<String>) {
        let (_, setup) = self.get(client, "/account/two-factor").await;
        let secret = shown_secret(&setup);
        let code = convene_domain::two_factor::code_at(&secret, self.unix_seconds()).unwrap();
        let res = self
            .post_form(
                client,
                "/account/two-factor",
                "/account/two-factor",
                &[("code", &code)],
            )
            .await;
        let html = res.text().await.unwrap();
        assert!(html.contains("Save your recovery codes"), "{html}");
        (secret, shown_recovery_codes(&html))
    }
}

impl TestApp {
    /// A server on `backend` that requires two-factor sign-in of admins and panel members,
    /// as `convene serve` does.
    pub async fn spawn_enforcing_two_factor(backend: Backend) -> TestApp {
        Self::spawn_with(
            backend,
            Options {
                enforce_two_factor: true,
                ..Options::default()
            },
        )
        .await
    }
}
