//! The server the awards journey browses: a second server over the harness's own state (its
//! database, moveable clock, caches and settings), differing only in how long an idle
//! session lasts.
//!
//! Why: tower-sessions reckons a session's expiry from the wall clock, while the session
//! store (crates/web/src/session_store.rs) compares it with the app's clock. The journey
//! moves the test clock past the round's notification date, five weeks after the harness's
//! "now"; with the 8-hour idle limit every session would then count as ended the moment it
//! began, so nobody could sign in (convene_store::testing::expire_links notes the same
//! limit). A limit of a year keeps sessions alive across the move; idle expiry is not what
//! this journey tests.

use crate::common::TestApp;
use convene_store::demo::DEMO_PASSWORD;
use fantoccini::{Client, Locator};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

/// A running second server, stopped when dropped.
pub struct Server {
    pub url: String,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Server {
    /// Starts it over `app`'s state.
    pub async fn over(app: &TestApp) -> Server {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let mut config = (*app.state.config).clone();
        config.session_idle = Duration::from_secs(365 * 24 * 3600);
        config.public_url = url.clone();
        let mut state = app.state.clone();
        state.config = Arc::new(config);
        let router = convene_web::build_app(state);
        let task = tokio::spawn(async move {
            axum::serve(
                listener,
                router.into_make_service_with_connect_info::<SocketAddr>(),
            )
            .await
            .unwrap();
        });
        Server { url, task }
    }

    /// The full address of `path`.
    pub fn at(&self, path: &str) -> String {
        format!("{}{path}", self.url)
    }

    /// Signs in with the demo password, with the keyboard alone, as
    /// `chromium::sign_in` does on the harness's own server.
    pub async fn sign_in(&self, client: &Client, email: &str) {
        client.goto(&self.at("/sign-in")).await.unwrap();
        crate::chromium::type_into(client, "email", email).await;
        crate::chromium::type_into(client, "password", DEMO_PASSWORD).await;
        crate::chromium::press(client, Locator::Css("main button[type=submit]")).await;
        assert_eq!(
            crate::chromium::path_of(client).await,
            "/dashboard",
            "{email} reaches the dashboard"
        );
    }
}
