//! `convene`: the one binary. Runs the demo, serves, migrates and manages users.

use clap::{Parser, Subcommand, ValueEnum};
use convene_store::Db;
use std::process::ExitCode;

// A server allocates a little for every request; mimalloc serves those small, short-lived
// allocations faster than the system allocator (see BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod admin;
mod export;
mod import;
mod jobs;
mod secrets;
mod serve;
mod users;

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
    /// Export a programme's open data.
    Export {
        #[command(subcommand)]
        command: ExportCommand,
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
enum ExportCommand {
    /// A programme's accepted awards in the 360Giving Data Standard, as JSON or CSV: the same
    /// file as /programmes/SLUG/360giving.json or .csv.
    #[command(name = "360giving")]
    Giving(export::GivingArgs),
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

async fn run(command: Command) -> Result<(), Fail> {
    match command {
        Command::Demo { port, database, key } => serve::demo(port, database, key).await,
        Command::Serve(args) => serve::serve(args).await,
        Command::SecretKey { command } => secrets::command(command).await,
        Command::Migrate { database_url } => {
            let db = open(&database_url, 1).await?;
            println!("Database is up to date ({}).", db.backend());
            Ok(())
        }
        Command::Import { command } => import::run(command).await,
        Command::Jobs { command } => jobs::command(command).await,
        Command::Export {
            command: ExportCommand::Giving(args),
        } => export::giving(args).await,
        Command::Retention {
            command: RetentionCommand::Run { database_url },
        } => admin::retention(database_url).await,
        Command::Generate {
            database_url,
            applications,
            rounds,
        } => admin::generate(database_url, applications, rounds).await,
        Command::User { command } => users::add(command).await,
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
