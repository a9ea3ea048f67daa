//! `convene demo` and `convene serve`: the web service, with demo data or over a real store.

use crate::secrets::{demo_key, load_key, prepare_secrets};
use crate::{Fail, KeyArgs, ServeArgs, open};
use convene_domain::Clock;
use convene_store::demo;
use convene_web::state::SystemClock;
use convene_web::{AppState, Config};
use std::sync::Arc;

/// `convene demo`: demo data on SQLite, every mail kept in the outbox.
pub async fn demo(port: u16, database: String, key: KeyArgs) -> Result<(), Fail> {
    let addr = format!("127.0.0.1:{port}");
    let listener = convene_web::server::bind(&addr).await?;
    let db = open(&format!("sqlite://{database}"), 8).await?;
    let secret_key = demo_key(&key, &database)?;
    prepare_secrets(&db, Some(&secret_key)).await?;
    let clock = Arc::new(SystemClock);
    let loaded = demo::load(&db, clock.now()).await?;
    let public_url = format!("http://127.0.0.1:{port}");
    let mut config = Config::new(public_url.clone());
    config.demo = true;
    config.enforce_two_factor = false;
    config.secret_key = Some(secret_key);
    print_demo_banner(&public_url, &database, loaded.programmes);
    convene_web::serve(AppState::new(db, clock, config), listener).await?;
    Ok(())
}

/// `convene serve`.
pub async fn serve(args: ServeArgs) -> Result<(), Fail> {
    if std::env::var_os("CONVENE_TRUST_FORWARDED_FOR").is_some() {
        return Err(Fail(
            "CONVENE_TRUST_FORWARDED_FOR is gone: set CONVENE_TRUSTED_PROXIES to the number of proxies in front of Convene (1 for one nginx)".into(),
        ));
    }
    let secret_key = load_key(&args.key)?;
    let listener = convene_web::server::bind(&args.bind).await?;
    let metrics_listener = match &args.metrics_bind {
        Some(addr) => Some(convene_web::server::bind(addr).await?),
        None => None,
    };
    let db = open(&args.database_url, args.db_connections).await?;
    prepare_secrets(&db, secret_key.as_ref()).await?;
    if secret_key.is_none() {
        tracing::warn!(
            "no secret key (CONVENE_SECRET_KEY or --secret-key-file): two-factor sign-in cannot be set up"
        );
    }
    if let Some(url) = &args.smtp_url {
        convene_web::mail::transport(url).map_err(Fail)?;
    }
    let public_url = args.public_url.unwrap_or_else(|| format!("http://{}", args.bind));
    let mut config = Config::new(public_url);
    config.smtp_url = args.smtp_url;
    config.mail_from = args.mail_from;
    config.trusted_proxies = args.trusted_proxies;
    config.secret_key = secret_key;
    config.metrics_token = args.metrics_token.filter(|t| !t.is_empty());
    config.clamd_socket = args.clamd_socket;
    config.trusted_origins = args
        .trusted_origins
        .into_iter()
        .filter(|o| !o.is_empty())
        .collect();
    tracing::info!(bind = %args.bind, backend = db.backend(), "serving Convene");
    let state = AppState::new(db, Arc::new(SystemClock), config);
    convene_web::server::serve_with_metrics(state, listener, metrics_listener).await?;
    Ok(())
}

pub fn print_demo_banner(url: &str, database: &str, programmes: i64) {
    println!();
    println!("Convene demo is running at {url}");
    println!("Database: {database} ({programmes} programmes of demo data; made-up places and people)");
    println!("Email is kept in the outbox: {url}/dev/mail");
    println!();
    println!(
        "Sign in at {url}/sign-in with any of these (password: {}):",
        demo::DEMO_PASSWORD
    );
    for account in demo::DEMO_ACCOUNTS {
        println!("  {:<16} {}", account.role.label(), account.email);
    }
    println!();
    println!("Press Ctrl-C to stop.");
}
