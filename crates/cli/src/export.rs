//! `convene export 360giving`: a programme's open data, as the public pages serve it.

use crate::{Fail, open};
use convene_app::awards::open_data::{self, OpenDataError};
use convene_web::state::SystemClock;
use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;

/// Which file to make.
#[derive(Clone, Copy, clap::ValueEnum)]
pub enum Format {
    Json,
    Csv,
}

/// `convene export 360giving`.
#[derive(clap::Args)]
pub struct GivingArgs {
    /// The programme, by its slug (as in /programmes/SLUG).
    #[arg(long, value_name = "SLUG")]
    programme: String,
    /// json (the 360Giving data package) or csv (one row a grant, the standard's column titles).
    #[arg(long, value_enum, default_value = "json")]
    format: Format,
    /// Write to this file instead of standard output.
    #[arg(long, value_name = "FILE")]
    output: Option<PathBuf>,
    #[arg(long, env = "CONVENE_DATABASE_URL")]
    database_url: String,
}

/// Writes the programme's 360Giving file. No awards (or no prefix) is a one-line failure,
/// never an empty file.
pub async fn giving(args: GivingArgs) -> Result<(), Fail> {
    let db = open(&args.database_url, 2).await?;
    let settings = convene_app::Settings {
        public_url: String::new(),
        clamd_socket: None,
    };
    let app = convene_app::App::new(db.clone(), Arc::new(SystemClock), settings);
    let made = make(&app, &args.programme, args.format).await;
    db.close().await;
    let bytes = made?;
    match &args.output {
        Some(path) => {
            std::fs::write(path, &bytes).map_err(|e| Fail(format!("cannot write {}: {e}", path.display())))?
        }
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(&bytes)
                .and_then(|()| out.flush())
                .map_err(|e| Fail(format!("cannot write the file: {e}")))?;
        }
    }
    Ok(())
}

/// The file's bytes, or the reason there is none as one line.
async fn make(app: &convene_app::App, slug: &str, format: Format) -> Result<Vec<u8>, Fail> {
    let made = match format {
        Format::Json => open_data::json(app, slug)
            .await
            .map(|text| (text + "\n").into_bytes()),
        Format::Csv => open_data::csv(app, slug).await,
    };
    made.map_err(|e| match e {
        OpenDataError::NotFound => Fail(format!("no programme is called {slug:?}")),
        OpenDataError::Nothing(message) => Fail(message),
        OpenDataError::Store(e) => Fail(format!("cannot read the awards: {e}")),
    })
}
