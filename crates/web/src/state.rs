//! What every handler can reach: the use cases (and, through them, the store, the clock
//! and the caches), the settings and the web layer's own short-lived state.

use crate::config::Config;
use convene_app::App;
use convene_domain::Clock;
use metrics_exporter_prometheus::PrometheusHandle;
use std::ops::Deref;
use std::sync::Arc;

pub use convene_app::CACHE_TTL;
pub use convene_app::people::Person;

/// Shared state, cheap to clone. It derefs to [`App`], so `state.clock`,
/// `state.catalogue` and the use cases' context are one field away.
#[derive(Clone)]
pub struct AppState {
    pub app: App,
    pub config: Arc<Config>,
    pub metrics: Option<PrometheusHandle>,
    pub sessions: Arc<crate::session_store::SessionCache>,
}

impl Deref for AppState {
    type Target = App;

    fn deref(&self) -> &App {
        &self.app
    }
}

impl AppState {
    /// State over `db`, with `clock` as the source of "now".
    pub fn new(db: convene_app::Db, clock: Arc<dyn Clock>, config: Config) -> AppState {
        let settings = convene_app::Settings {
            public_url: config.public_url.clone(),
            clamd_socket: config.clamd_socket.clone(),
        };
        AppState {
            app: App::new(db, clock, settings),
            config: Arc::new(config),
            metrics: None,
            sessions: Arc::new(crate::session_store::SessionCache::default()),
        }
    }
}

/// The wall clock, for running servers.
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> convene_domain::Timestamp {
        convene_domain::Timestamp::from_jiff(jiff::Timestamp::now())
    }
}
