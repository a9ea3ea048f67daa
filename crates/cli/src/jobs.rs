//! `convene jobs list` and `convene jobs run NAME`.

use crate::{Fail, JobsCommand, open};
use convene_web::state::SystemClock;
use std::sync::Arc;

/// `convene jobs list` and `convene jobs run NAME`.
pub async fn command(command: JobsCommand) -> Result<(), Fail> {
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
