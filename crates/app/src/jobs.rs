//! The background jobs: each has a name, how often housekeeping runs it, and what it does.
//! Every server's housekeeping drives this registry; `convene jobs run NAME` runs one by
//! hand. Each job is safe to run on several servers at once.

use crate::App;
use convene_store::{Result, retention, sessions, throttle};
use std::time::Duration;

/// A named background job.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Job {
    /// Removes sessions past their expiry.
    ExpiredSessions,
    /// Forgets sign-in and code failures older than a day.
    OldFailures,
    /// Reminds leads of applications due within three days, and re-sends open sign-off links.
    DeadlineReminders,
    /// Applies every programme's retention rules (once a day across all servers).
    Retention,
    /// Sends the outcome letters whose time (the round's notification date) has come.
    OutcomeLetters,
}

/// Who started a run: housekeeping skips a daily job another server already ran today;
/// a person running it by hand means it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trigger {
    Schedule,
    Hand,
}

impl Job {
    /// Every job, in the order housekeeping runs them.
    pub const ALL: [Job; 5] = [
        Job::ExpiredSessions,
        Job::OldFailures,
        Job::Retention,
        Job::DeadlineReminders,
        Job::OutcomeLetters,
    ];

    /// The name used in logs and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Job::ExpiredSessions => "expired-sessions",
            Job::OldFailures => "old-failures",
            Job::DeadlineReminders => "deadline-reminders",
            Job::Retention => "retention",
            Job::OutcomeLetters => "outcome-letters",
        }
    }

    /// What the job does, for `convene jobs list`.
    pub fn about(self) -> &'static str {
        match self {
            Job::ExpiredSessions => "removes sessions past their expiry",
            Job::OldFailures => "forgets failed sign-ins and codes older than a day",
            Job::DeadlineReminders => {
                "reminds leads of applications due within three days and re-sends open sign-off links"
            }
            Job::Retention => "applies the programmes' retention rules (once a day)",
            Job::OutcomeLetters => "sends the outcome letters whose notification date has come",
        }
    }

    /// How often housekeeping runs it.
    pub fn every(self) -> Duration {
        match self {
            Job::ExpiredSessions | Job::OldFailures | Job::DeadlineReminders => Duration::from_secs(600),
            // Letters go out within a minute of the notification time.
            Job::OutcomeLetters => Duration::from_secs(60),
            // Checked hourly; the run log makes it once a day across servers.
            Job::Retention => Duration::from_secs(3600),
        }
    }

    /// The job called `name`.
    pub fn named(name: &str) -> Option<Job> {
        Job::ALL.into_iter().find(|j| j.name() == name)
    }

    /// Runs the job once and says what it did.
    pub async fn run(self, app: &App, trigger: Trigger) -> Result<String> {
        let now = app.clock.now();
        match self {
            Job::ExpiredSessions => {
                let n = sessions::delete_expired(&app.db, now).await?;
                Ok(format!("{n} expired sessions removed"))
            }
            Job::OldFailures => {
                let n = throttle::delete_before(&app.db, now.plus_seconds(-24 * 3600)).await?;
                Ok(format!("{n} old failure counts removed"))
            }
            Job::DeadlineReminders => {
                let n = crate::applications::send_reminders(app).await?;
                Ok(format!("{n} applications reminded"))
            }
            Job::OutcomeLetters => {
                let n = crate::awards::letters::send_due(app).await?;
                Ok(format!("{n} outcome letters sent"))
            }
            Job::Retention => {
                let by = match trigger {
                    Trigger::Schedule => "scheduler",
                    Trigger::Hand => "jobs-run",
                };
                if trigger == Trigger::Schedule
                    && let Some(last) = retention::last_run_by(&app.db, "scheduler").await?
                    && last > now.plus_seconds(-24 * 3600)
                {
                    return Ok("already run today".into());
                }
                let lines = retention::run_all(&app.db, now, by).await?;
                let removed: i64 = lines.iter().map(|(_, n)| *n).sum();
                Ok(format!(
                    "{} rules applied, {removed} records removed",
                    lines.len()
                ))
            }
        }
    }
}

/// Runs every job whose time has come, forever, until `stop` changes. Each job's last run
/// is remembered per process; a failure is logged and retried at the job's next turn.
pub async fn housekeeping(app: App, mut stop: tokio::sync::watch::Receiver<bool>) {
    let mut last_run: Vec<Option<std::time::Instant>> = vec![None; Job::ALL.len()];
    loop {
        for (job, last) in Job::ALL.into_iter().zip(last_run.iter_mut()) {
            if last.is_some_and(|at| at.elapsed() < job.every()) {
                continue;
            }
            *last = Some(std::time::Instant::now());
            match job.run(&app, Trigger::Schedule).await {
                Ok(done) => tracing::debug!(job = job.name(), %done, "job ran"),
                Err(e) => tracing::warn!(job = job.name(), error = %e, "job failed"),
            }
        }
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_secs(60)) => {}
            _ = stop.changed() => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_job_is_found_by_its_name() {
        for job in Job::ALL {
            assert_eq!(Job::named(job.name()), Some(job));
        }
        assert_eq!(Job::named("no-such-job"), None);
    }
}
