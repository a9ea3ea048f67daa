//! `convene`: the one binary. Runs the demo, serves, migrates and manages users.

use anyhow::Context;
use clap::{Parser, Subcommand, ValueEnum};
use convene_domain::accounts::{Grant, Role, ScopeKind, check_new_password, hash_password};
use convene_domain::audit::AuditAction;
use convene_domain::secret_box::{self, SecretKey};
use convene_domain::{Clock, Email};
use convene_store::{Db, audit, demo, programmes, users};
use convene_web::state::SystemClock;
use convene_web::{AppState, Config};
use std::io::{BufRead, IsTerminal, Write};
use std::process::ExitCode;
use std::sync::Arc;

// A server allocates a little for every request; mimalloc serves those small, short-lived
// allocations faster than the system allocator (see BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "convene",
    version,
    about = "Runs systems leadership programmes for public health and care"
)]
struct Cli {
    /// Log format.
    #[arg(
        long,
        global = true,
        env = "CONVENE_LOG_FORMAT",
        value_enum,
        default_value = "text"
    )]
    log_format: LogFormat,
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, ValueEnum)]
enum LogFormat {
    Text,
    Json,
}

#[derive(Subcommand)]
enum Command {
    /// Start Convene with demo data on ./convene-demo.sqlite at http://127.0.0.1:8080.
    Demo {
        /// Port to listen on.
        #[arg(long, env = "CONVENE_PORT", default_value_t = 8080)]
        port: u16,
        /// The demo database file (created if missing, reused if present).
        #[arg(long, env = "CONVENE_DEMO_DATABASE", default_value = "convene-demo.sqlite")]
        database: String,
        /// Without a key, the demo makes one beside its database (`convene-demo.key`, readable
        /// only by you) and reuses it.
        #[command(flatten)]
        key: KeyArgs,
    },
    /// Serve Convene.
    Serve(ServeArgs),
    /// Apply database migrations and exit.
    Migrate {
        #[arg(long, env = "CONVENE_DATABASE_URL")]
        database_url: String,
    },
    /// Manage user accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Import records from a CSV file: all rows or none.
    Import {
        #[command(subcommand)]
        command: ImportCommand,
    },
    /// Make a national-scale made-up data set for benchmarks: one programme, 10,000 places,
    /// applications over open rounds, and the accounts `convene-bench applications` uses.
    Generate {
        #[arg(
            long,
            env = "CONVENE_DATABASE_URL",
            default_value = "sqlite://convene-generated.sqlite"
        )]
        database_url: String,
        /// How many applications.
        #[arg(long, default_value_t = 100_000)]
        applications: usize,
        /// How many rounds (at least 2).
        #[arg(long, default_value_t = 200)]
        rounds: usize,
    },
    /// Personal data retention: apply every programme's rules now (the server also does so
    /// daily), logging each rule's count.
    Retention {
        #[command(subcommand)]
        command: RetentionCommand,
    },
    /// The background jobs every server runs (list them, or run one now by its name).
    Jobs {
        #[command(subcommand)]
        command: JobsCommand,
    },
    /// The secret key that two-factor secrets are encrypted with: make one, or rotate it.
    SecretKey {
        #[command(subcommand)]
        command: SecretKeyCommand,
    },
}

/// Where the secret key comes from: `--secret-key-file PATH`, or the key itself in
/// `CONVENE_SECRET_KEY` (never a flag: flags show in the process list).
#[derive(clap::Args)]
struct KeyArgs {
    /// A file holding the secret key (32 bytes as base64 or hex; `convene secret-key generate`
    /// makes one). Or set CONVENE_SECRET_KEY to the key itself.
    #[arg(long, env = "CONVENE_SECRET_KEY_FILE", value_name = "PATH")]
    secret_key_file: Option<std::path::PathBuf>,
}

#[derive(Subcommand)]
enum SecretKeyCommand {
    /// Make a new random key: printed, or written to a new file readable only by you.
    Generate {
        /// Write the key to this file (which must not exist yet) instead of printing it.
        #[arg(long, value_name = "PATH")]
        out: Option<std::path::PathBuf>,
    },
    /// Re-encrypt every two-factor secret with a new key, in one transaction (stop every
    /// server first, then start them with the new key). The old key comes from
    /// --secret-key-file or CONVENE_SECRET_KEY.
    Rotate {
        /// The file holding the new key.
        #[arg(long, value_name = "PATH")]
        new_key_file: std::path::PathBuf,
        #[command(flatten)]
        key: KeyArgs,
        #[arg(long, env = "CONVENE_DATABASE_URL")]
        database_url: String,
    },
}

#[derive(Subcommand)]
enum JobsCommand {
    /// Name each background job, how often servers run it and what it does.
    List,
    /// Run one job now, by its name (see `convene jobs list`).
    Run {
        /// The job's name.
        name: String,
        #[arg(long, env = "CONVENE_DATABASE_URL")]
        database_url: String,
        /// The address people reach the service at, for links in the mail a job sends.
        #[arg(long, env = "CONVENE_PUBLIC_URL", default_value = "http://localhost:8080")]
        public_url: String,
    },
}

#[derive(Subcommand)]
enum RetentionCommand {
    /// Apply every programme's retention rules now.
    Run {
        #[arg(long, env = "CONVENE_DATABASE_URL")]
        database_url: String,
    },
}

#[derive(Subcommand)]
enum ImportCommand {
    /// Organisations: columns org_id, name, kind (partner_body, funder, council, nhs_body,
    /// charity, company, university, other).
    Organisations {
        /// The CSV file, with a header row.
        file: std::path::PathBuf,
        #[arg(long, env = "CONVENE_DATABASE_URL")]
        database_url: String,
    },
    /// Places: columns reference, name, kind (council, stp_footprint, ics, other), ons_code,
    /// region, hwb_chair_name, hwb_chair_email, accountable_org_id, partner_org_ids
    /// (separated by semicolons). Organisations named must be imported first.
    Places {
        /// The CSV file, with a header row.
        file: std::path::PathBuf,
        #[arg(long, env = "CONVENE_DATABASE_URL")]
        database_url: String,
    },
}

#[derive(clap::Args)]
struct ServeArgs {
    /// `sqlite://path` (created if missing) or `postgres://user@host/db`.
    #[arg(long, env = "CONVENE_DATABASE_URL")]
    database_url: String,
    /// Address to listen on.
    #[arg(long, env = "CONVENE_BIND", default_value = "127.0.0.1:8080")]
    bind: String,
    /// The address people use to reach Convene (for links in email).
    #[arg(long, env = "CONVENE_PUBLIC_URL")]
    public_url: Option<String>,
    /// SMTP server for email, e.g. smtp://127.0.0.1:2525 or smtps://user:pass@host.
    #[arg(long, env = "CONVENE_SMTP_URL")]
    smtp_url: Option<String>,
    /// The From address of email.
    #[arg(
        long,
        env = "CONVENE_MAIL_FROM",
        default_value = "Convene <no-reply@convene.example.org>"
    )]
    mail_from: String,
    /// Origins allowed to post forms besides the request's own host (comma-separated), for a
    /// proxy that rewrites Host.
    #[arg(long, env = "CONVENE_TRUSTED_ORIGINS", value_delimiter = ',')]
    trusted_origins: Vec<String>,
    /// How many proxies in front of Convene append to X-Forwarded-For (0: none). The client
    /// address, for sign-in throttling, is the value the outermost of them added.
    #[arg(long, env = "CONVENE_TRUSTED_PROXIES", default_value_t = 0)]
    trusted_proxies: usize,
    /// Serve /metrics on the public address to requests with `Authorization: Bearer TOKEN`.
    #[arg(
        long,
        env = "CONVENE_METRICS_TOKEN",
        hide_env_values = true,
        value_name = "TOKEN"
    )]
    metrics_token: Option<String>,
    /// Serve /metrics on this separate address (for example 127.0.0.1:9090). Without this or
    /// a metrics token, /metrics is not served.
    #[arg(long, env = "CONVENE_METRICS_BIND", value_name = "ADDR")]
    metrics_bind: Option<String>,
    #[command(flatten)]
    key: KeyArgs,
    /// A clamd Unix socket to scan uploads for malware (off unless set: clamd needs its
    /// signatures kept up to date, which a machine without internet cannot do).
    #[arg(long, env = "CONVENE_CLAMD_SOCKET")]
    clamd_socket: Option<std::path::PathBuf>,
    /// Database connections per process.
    #[arg(long, env = "CONVENE_DB_CONNECTIONS", default_value_t = 16)]
    db_connections: u32,
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create an account with a role (the password is read from a prompt or stdin).
    Add {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// service_admin, programme_admin, panel_member, place_lead, enabler or participant.
        #[arg(long)]
        role: String,
        /// The programme a programme admin runs (its slug).
        #[arg(long)]
        programme: Option<String>,
        /// The round a panel member reviews (its id).
        #[arg(long)]
        round: Option<i64>,
        /// The place a place lead leads (its reference, e.g. PL-0001).
        #[arg(long)]
        place: Option<String>,
        /// Read the password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
        #[arg(long, env = "CONVENE_DATABASE_URL")]
        database_url: String,
    },
}

/// A failure the person can fix: one line, exit code 2.
struct Fail(String);

impl<E: std::fmt::Display> From<E> for Fail {
    fn from(e: E) -> Self {
        Fail(e.to_string())
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logs(cli.log_format);
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("convene: cannot start: {e}");
            return ExitCode::from(2);
        }
    };
    match runtime.block_on(run(cli.command)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Fail(message)) => {
            eprintln!("convene: {message}");
            ExitCode::from(2)
        }
    }
}

fn init_logs(format: LogFormat) {
    let mut filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn,tower_http=warn"));
    // Whatever RUST_LOG asks, no library line that carries a request path (and so perhaps a
    // link's secret) is written.
    for directive in convene_web::server::LOG_DIRECTIVES {
        if let Ok(directive) = directive.parse() {
            filter = filter.add_directive(directive);
        }
    }
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Json => builder.json().init(),
        LogFormat::Text => builder.init(),
    }
}

async fn open(url: &str, connections: u32) -> Result<Db, Fail> {
    let db = convene_store::connect(url, connections).await?;
    db.migrate()
        .await
        .map_err(|e| Fail(format!("cannot migrate the database: {e}")))?;
    Ok(db)
}

/// `convene jobs list` and `convene jobs run NAME`.
async fn jobs_command(command: JobsCommand) -> Result<(), Fail> {
    use convene_app::jobs::{Job, Trigger};
    match command {
        JobsCommand::List => {
            for job in Job::ALL {
                println!(
                    "{:<20} every {:>4} min  {}",
                    job.name(),
                    job.every().as_secs() / 60,
                    job.about()
                );
            }
        }
        JobsCommand::Run {
            name,
            database_url,
            public_url,
        } => {
            let Some(job) = Job::named(&name) else {
                let names: Vec<&str> = Job::ALL.iter().map(|j| j.name()).collect();
                return Err(Fail(format!(
                    "no job is called {name:?}; the jobs are: {}",
                    names.join(", ")
                )));
            };
            let db = open(&database_url, 2).await?;
            let settings = convene_app::Settings {
                public_url,
                clamd_socket: None,
            };
            let app = convene_app::App::new(db.clone(), Arc::new(SystemClock), settings);
            let done = job
                .run(&app, Trigger::Hand)
                .await
                .map_err(|e| Fail(format!("the job {name} failed: {e}")))?;
            println!("{}: {done}.", job.name());
            db.close().await;
        }
    }
    Ok(())
}

async fn run(command: Command) -> Result<(), Fail> {
    match command {
        Command::Demo { port, database, key } => {
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
        }
        Command::Serve(args) => {
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
        }
        Command::SecretKey { command } => secret_key_command(command).await?,
        Command::Migrate { database_url } => {
            let db = open(&database_url, 1).await?;
            println!("Database is up to date ({}).", db.backend());
        }
        Command::Import { command } => import::run(command).await?,
        Command::Jobs { command } => jobs_command(command).await?,
        Command::Retention {
            command: RetentionCommand::Run { database_url },
        } => {
            let db = open(&database_url, 2).await?;
            let lines = convene_store::retention::run_all(&db, SystemClock.now(), "command")
                .await
                .map_err(|e| Fail(format!("cannot apply retention rules: {e}")))?;
            if lines.is_empty() {
                println!("No programme has a retention rule.");
            }
            for (rule, removed) in lines {
                println!(
                    "Programme {}: {} older than {} days after the round closed: {removed} removed.",
                    rule.programme_id,
                    rule.kind.label().to_lowercase(),
                    rule.after_days
                );
            }
        }
        Command::Generate {
            database_url,
            applications,
            rounds,
        } => {
            let db = open(&database_url, 4).await?;
            let started = std::time::Instant::now();
            let bar = indicatif::ProgressBar::new(applications as u64);
            let made = convene_store::national::generate(
                &db,
                convene_store::national::Options { applications, rounds },
                SystemClock.now(),
                |n| bar.set_position(n as u64),
            )
            .await
            .map_err(|e| Fail(format!("cannot generate: {e}")))?;
            bar.finish_and_clear();
            println!(
                "Generated {} applications over {} rounds for {} places in {:.1} s ({}). Sign in as bench.admin@example.org with the password {}.",
                made.applications,
                made.rounds,
                made.places,
                started.elapsed().as_secs_f64(),
                db.backend(),
                convene_store::national::PASSWORD,
            );
        }
        Command::User {
            command:
                UserCommand::Add {
                    email,
                    name,
                    role,
                    programme,
                    round,
                    place,
                    password_stdin,
                    database_url,
                },
        } => {
            let email = Email::parse(&email)?;
            let role = Role::from_key(&role).ok_or_else(|| Fail(format!("unknown role {role:?}")))?;
            if name.trim().is_empty() {
                return Err(Fail("--name must not be empty".into()));
            }
            let db = open(&database_url, 1).await?;
            let scope = match role.scope_kind() {
                ScopeKind::None => None,
                ScopeKind::Programme => {
                    let slug =
                        programme.ok_or_else(|| Fail("a programme admin needs --programme SLUG".into()))?;
                    Some(
                        programmes::by_slug(&db, &slug)
                            .await?
                            .ok_or_else(|| Fail(format!("no programme {slug:?}")))?
                            .id,
                    )
                }
                ScopeKind::Round => {
                    Some(round.ok_or_else(|| Fail("a panel member needs --round ID".into()))?)
                }
                ScopeKind::Place => {
                    let reference = place.ok_or_else(|| Fail("a place lead needs --place REF".into()))?;
                    Some(place_id(&db, &reference).await?)
                }
            };
            let grant = Grant::new(role, scope)?;
            let password = read_password(password_stdin)?;
            check_new_password(&password)?;
            let hash = hash_password(&password)?;
            let clock = SystemClock;
            let mut tx = db.begin().await?;
            let id = users::create(&mut tx, &email, name.trim(), &hash, clock.now())
                .await
                .map_err(|e| match e {
                    convene_store::StoreError::Duplicate(_) => {
                        Fail(format!("an account for {email} already exists"))
                    }
                    other => Fail(other.to_string()),
                })?;
            users::grant(&mut tx, id, grant, clock.now()).await?;
            audit::record(
                &mut tx,
                audit::Entry {
                    actor_user_id: None,
                    action: AuditAction::UserAddedByCli,
                    record_id: Some(id),
                    detail: role.key(),
                },
                clock.now(),
            )
            .await?;
            tx.commit().await?;
            println!("Created {} ({}) as {}.", name.trim(), email, role.label());
        }
    }
    Ok(())
}

mod import {
    //! `convene import`: read a CSV file, check every row, then write all rows in one
    //! transaction or none, reporting each problem by line and field.

    use super::{Fail, ImportCommand, open};
    use convene_domain::Clock;
    use convene_domain::imports::{self, Row, RowError};
    use convene_store::organisations::{self, Imported};
    use convene_web::state::SystemClock;
    use indicatif::ProgressBar;

    pub async fn run(command: ImportCommand) -> Result<(), Fail> {
        let (file, database_url, is_places) = match command {
            ImportCommand::Organisations { file, database_url } => (file, database_url, false),
            ImportCommand::Places { file, database_url } => (file, database_url, true),
        };
        let mut reader = csv::ReaderBuilder::new()
            .flexible(true)
            .from_path(&file)
            .map_err(|e| Fail(format!("cannot read {}: {e}", file.display())))?;
        let header: Vec<String> = reader
            .headers()
            .map_err(|e| Fail(format!("cannot read the header row of {}: {e}", file.display())))?
            .iter()
            .map(|h| h.trim().to_lowercase())
            .collect();
        let header_refs: Vec<&str> = header.iter().map(String::as_str).collect();
        let required: &[&str] = if is_places {
            &imports::PLACE_COLUMNS
        } else {
            &imports::ORGANISATION_COLUMNS
        };
        let missing = imports::missing_columns(&header_refs, required);
        if !missing.is_empty() {
            return Err(Fail(format!(
                "{} has no column {}",
                file.display(),
                missing.join(", ")
            )));
        }
        let mut records = Vec::new();
        for record in reader.records() {
            let record = record.map_err(|e| Fail(format!("cannot read {}: {e}", file.display())))?;
            let line = record.position().map(|p| p.line() as usize).unwrap_or(0);
            records.push((line, record));
        }
        let progress = ProgressBar::new(records.len() as u64 * 2);
        let mut errors: Vec<RowError> = Vec::new();
        let mut organisations_parsed = Vec::new();
        let mut places_parsed = Vec::new();
        for (line, record) in &records {
            let cells = header_refs.iter().copied().zip(record.iter()).collect();
            let row = Row { line: *line, cells };
            if is_places {
                match imports::place(&row) {
                    Ok(p) => places_parsed.push((*line, p)),
                    Err(e) => errors.extend(e),
                }
            } else {
                match imports::organisation(&row) {
                    Ok(o) => organisations_parsed.push((*line, o)),
                    Err(e) => errors.extend(e),
                }
            }
            progress.inc(1);
        }
        if errors.is_empty() {
            let db = open(&database_url, 1).await?;
            let now = SystemClock.now();
            let result = if is_places {
                organisations::import_places(&db, &places_parsed, None, now, || progress.inc(1)).await?
            } else {
                organisations::import_organisations(&db, &organisations_parsed, None, now, || progress.inc(1))
                    .await?
            };
            progress.finish_and_clear();
            match result {
                Imported::Done { rows } => {
                    let what = if is_places { "places" } else { "organisations" };
                    println!("Imported {rows} {what} from {}.", file.display());
                    return Ok(());
                }
                Imported::Refused(refused) => errors = refused,
            }
        }
        progress.finish_and_clear();
        let mut report = format!(
            "nothing was imported from {}: {} problems\n",
            file.display(),
            errors.len()
        );
        for e in &errors {
            report.push_str(&format!("  {e}\n"));
        }
        Err(Fail(report.trim_end().to_string()))
    }
}

/// The secret key from `--secret-key-file` or `CONVENE_SECRET_KEY`, if either is set.
fn load_key(args: &KeyArgs) -> Result<Option<SecretKey>, Fail> {
    let from_env = std::env::var("CONVENE_SECRET_KEY")
        .ok()
        .filter(|k| !k.trim().is_empty());
    match (&args.secret_key_file, from_env) {
        (Some(_), Some(_)) => Err(Fail(
            "give the secret key once: --secret-key-file or CONVENE_SECRET_KEY, not both".into(),
        )),
        (Some(path), None) => read_key_file(path).map(Some),
        (None, Some(text)) => SecretKey::parse(&text)
            .map(Some)
            .map_err(|e| Fail(format!("CONVENE_SECRET_KEY: {e}"))),
        (None, None) => Ok(None),
    }
}

fn read_key_file(path: &std::path::Path) -> Result<SecretKey, Fail> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Fail(format!("cannot read the secret key file {}: {e}", path.display())))?;
    let key = SecretKey::parse(&text).map_err(|e| Fail(format!("{}: {e}", path.display())))?;
    #[cfg(unix)]
    if let Ok(meta) = std::fs::metadata(path) {
        use std::os::unix::fs::PermissionsExt;
        if meta.permissions().mode() & 0o077 != 0 {
            tracing::warn!(file = %path.display(), "the secret key file can be read by others: chmod 600 it");
        }
    }
    Ok(key)
}

/// Writes a new key to `path`, which must not exist yet, readable only by its owner.
fn write_new_key_file(path: &std::path::Path, key: &SecretKey) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    writeln!(file, "{}", key.to_text())?;
    file.sync_all()
}

/// The demo's key: the one given, else the one beside the demo database (made on the first
/// run, mode 0600, and reused after).
fn demo_key(args: &KeyArgs, database: &str) -> Result<SecretKey, Fail> {
    if let Some(key) = load_key(args)? {
        return Ok(key);
    }
    let path = std::path::Path::new(database).with_extension("key");
    if path.exists() {
        return read_key_file(&path);
    }
    let key = SecretKey::generate();
    write_new_key_file(&path, &key).map_err(|e| {
        Fail(format!(
            "cannot write the demo's secret key to {}: {e}",
            path.display()
        ))
    })?;
    Ok(key)
}

/// Checks the secret key against the database before serving: a database that holds
/// two-factor secrets needs the key that sealed them (without it nobody with two-factor
/// sign-in could sign in). Secrets left plain by an older version are sealed now.
async fn prepare_secrets(db: &Db, key: Option<&SecretKey>) -> Result<(), Fail> {
    let stored = convene_store::two_factor::stored_secrets(db).await?;
    if stored.is_empty() {
        return Ok(());
    }
    let Some(key) = key else {
        return Err(Fail(format!(
            "the database holds {} two-factor secrets: give the secret key they were encrypted with (CONVENE_SECRET_KEY or --secret-key-file)",
            stored.len()
        )));
    };
    for (user_id, value) in &stored {
        if secret_box::is_sealed(value) {
            key.open(&secret_box::totp_secret_context(*user_id), value)
                .map_err(|_| {
                    Fail(format!(
                        "the secret key does not open the two-factor secret of user {user_id}: is it the key this database was encrypted with?"
                    ))
                })?;
        }
    }
    if stored.iter().any(|(_, value)| !secret_box::is_sealed(value)) {
        let sealed = convene_store::two_factor::reseal_all(db, |user_id, value| {
            Ok((!secret_box::is_sealed(value))
                .then(|| key.seal_text(&secret_box::totp_secret_context(user_id), value)))
        })
        .await?
        .map_err(Fail)?;
        tracing::info!(sealed, "two-factor secrets left unencrypted are now encrypted");
    }
    Ok(())
}

async fn secret_key_command(command: SecretKeyCommand) -> Result<(), Fail> {
    match command {
        SecretKeyCommand::Generate { out: None } => println!("{}", SecretKey::generate().to_text()),
        SecretKeyCommand::Generate { out: Some(path) } => {
            write_new_key_file(&path, &SecretKey::generate())
                .map_err(|e| Fail(format!("cannot write {}: {e}", path.display())))?;
            println!(
                "Wrote a new secret key to {} (readable only by you).",
                path.display()
            );
        }
        SecretKeyCommand::Rotate {
            new_key_file,
            key,
            database_url,
        } => {
            let old = load_key(&key)?.ok_or_else(|| {
                Fail(
                    "give the current secret key (CONVENE_SECRET_KEY or --secret-key-file) to rotate it"
                        .into(),
                )
            })?;
            let new = read_key_file(&new_key_file)?;
            let db = open(&database_url, 1).await?;
            let rotated = convene_store::two_factor::reseal_all(&db, |user_id, value| {
                let context = secret_box::totp_secret_context(user_id);
                let secret = if secret_box::is_sealed(value) {
                    old.open_text(&context, value).map_err(|_| {
                        format!(
                            "the current secret key does not open the two-factor secret of user {user_id}: nothing was changed"
                        )
                    })?
                } else {
                    value.to_string()
                };
                Ok(Some(new.seal_text(&context, &secret)))
            })
            .await?
            .map_err(Fail)?;
            println!(
                "Re-encrypted {rotated} two-factor secrets with the new key. Start Convene with the new key now."
            );
        }
    }
    Ok(())
}

async fn place_id(db: &Db, reference: &str) -> Result<i64, Fail> {
    programmes::place_by_reference(db, reference)
        .await?
        .ok_or_else(|| Fail(format!("no place with reference {reference:?}")))
}

fn read_password(from_stdin: bool) -> Result<String, Fail> {
    let stdin = std::io::stdin();
    if !from_stdin && stdin.is_terminal() {
        print!("Password (12 characters or more): ");
        std::io::stdout().flush().context("write prompt")?;
    }
    let mut line = String::new();
    stdin.lock().read_line(&mut line).context("read password")?;
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}

fn print_demo_banner(url: &str, database: &str, programmes: i64) {
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
