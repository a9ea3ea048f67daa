//! The moderation meeting: every submitted application ranked by weighted mean, with its
//! spread, the criteria reviewers disagree on, every comment, and who stood aside; the
//! chair (or an admin) records the panel's agreed score and note. A member sees nothing of
//! an application they are conflicted on.

use std::collections::BTreeMap;

use super::{Panel, PanelError, Result, panel};
use crate::{App, Cache};
use convene_domain::applications::ApplicationStatus;
use convene_domain::audit::AuditAction;
use convene_domain::panels::scoring::{self, Summary, parse_agreed};
use convene_domain::policy::{Action, Principal, Resource, allows};
use convene_domain::{ApplicationId, RoundId};
use convene_store::applications::Listed;
use convene_store::panels::reviews as store;
pub use convene_store::panels::reviews::Moderation;

/// The most characters a moderation note may have.
pub const MAX_NOTE: usize = 5000;

/// One application in the meeting.
#[derive(Debug, Clone)]
pub struct Line {
    pub listed: Listed,
    pub summary: Summary,
    /// Submitted reviews: the reviewer's name and the review.
    pub reviews: Vec<(String, store::Review)>,
    /// Members conflicted on it, by name.
    pub stood_aside: Vec<String>,
    pub moderation: Option<Moderation>,
}

impl Line {
    pub fn id(&self) -> ApplicationId {
        ApplicationId(self.listed.id)
    }
}

/// The meeting's list.
#[derive(Debug, Clone)]
pub struct Meeting {
    pub panel: Panel,
    /// Ranked by weighted mean, highest first; unscored last.
    pub lines: Vec<Line>,
    /// True when the asker may record agreed scores (the chair, or an admin).
    pub can_record: bool,
}

impl Meeting {
    pub fn flagged(&self) -> usize {
        self.lines.iter().filter(|l| l.summary.flagged()).count()
    }
}

fn resource(panel: &Panel, conflicted: bool) -> Resource<'static> {
    Resource::Moderation {
        programme_id: panel.programme.id,
        round_id: panel.round.id,
        chair: panel.i_chair(),
        conflicted,
    }
}

/// The moderation list with every submitted review, for the round's admins and panel
/// members (the API's answer): the ranking, with each line's reviews read beside it.
pub async fn meeting(app: &App, who: &Principal, round_id: RoundId) -> Result<Meeting> {
    let ranking = ranking(app, who, round_id).await?;
    let mut reviews: BTreeMap<ApplicationId, Vec<store::Review>> = BTreeMap::new();
    for r in store::submitted_in_round(&app.db, round_id).await? {
        reviews.entry(r.application_id).or_default().push(r);
    }
    let panel = &ranking.panel;
    let lines = ranking
        .lines()
        .into_iter()
        .map(|s| Line {
            listed: s.listed.clone(),
            summary: s.summary.clone(),
            reviews: reviews
                .remove(&s.id())
                .unwrap_or_default()
                .into_iter()
                .map(|r| (panel.member_name(r.user_id), r))
                .collect(),
            stood_aside: s.stood_aside.iter().map(|id| panel.member_name(*id)).collect(),
            moderation: s.moderation.clone(),
        })
        .collect();
    Ok(Meeting {
        lines,
        can_record: ranking.can_record,
        panel: ranking.panel,
    })
}

/// What the chair types for one application.
#[derive(Debug, Clone, Default)]
pub struct Record {
    pub agreed_score: String,
    pub note: String,
    /// The version the chair's page showed (0 when none was recorded).
    pub expected_version: i64,
}

/// Records the panel's agreed score and note on an application. The chair or an admin
/// only, never someone conflicted on it; `Stale` when someone saved since the page loaded.
pub async fn record(
    app: &App,
    who: &Principal,
    application_id: ApplicationId,
    input: &Record,
) -> Result<i64> {
    let (round_id, application) = super::reviews::application_round(app, application_id).await?;
    let panel = panel(app, who, round_id, Action::View).await?;
    let conflicted = super::conflicted(app, who, round_id, application_id).await?;
    if !allows(who, Action::Edit, resource(&panel, conflicted))
        || application.status != ApplicationStatus::Submitted
    {
        return Err(PanelError::Forbidden);
    }
    let mut problems = Vec::new();
    let agreed = parse_agreed(&input.agreed_score).map_err(|m| problems.push(problem("agreed_score", m)));
    let note = input.note.trim();
    if note.chars().count() > MAX_NOTE {
        problems.push(problem("note", "The note must be 5,000 characters or fewer"));
    }
    let Ok(tenths) = agreed
        .map_err(|_| ())
        .and_then(|t| if problems.is_empty() { Ok(t) } else { Err(()) })
    else {
        return Err(PanelError::Invalid(problems));
    };
    let mut work = app.begin(Some(who.user_id.0)).await?;
    let now = work.now();
    let save = store::ModerationSave {
        round_id,
        application_id,
        expected_version: input.expected_version,
        agreed_tenths: tenths,
        note,
        by: who.user_id,
    };
    let Some(version) = store::moderate(work.tx(), &save, now).await? else {
        return Err(PanelError::Stale);
    };
    work.audit_with(
        AuditAction::ModerationRecorded,
        Some(application_id.0),
        &format!("agreed {}", scoring::show_tenths(tenths)),
    )
    .await?;
    work.clears(Cache::Ranking(round_id));
    work.commit().await?;
    Ok(version)
}

fn problem(field: &str, message: &str) -> super::Problem {
    super::Problem {
        field: field.into(),
        message: message.into(),
    }
}

/// The meeting's ranked list as the pages show it: one line per application, from the
/// round's cached standings, leaving out what the asker's conflicts cover.
#[derive(Debug, Clone)]
pub struct Ranking {
    pub panel: Panel,
    standings: super::ranking::Standings,
    asker: convene_domain::UserId,
    /// True when the asker may record agreed scores (the chair, or an admin).
    pub can_record: bool,
}

impl Ranking {
    /// The lines the asker may see, ranked. Admins see every application; a member sees
    /// none their conflicts cover.
    pub fn lines(&self) -> Vec<&super::ranking::Standing> {
        self.standings
            .iter()
            .filter(|s| self.panel.admin || !s.stood_aside.contains(&self.asker))
            .collect()
    }

    pub fn flagged(&self) -> usize {
        self.lines().iter().filter(|s| s.summary.flagged()).count()
    }
}

pub async fn ranking(app: &App, who: &Principal, round_id: RoundId) -> Result<Ranking> {
    let panel = panel(app, who, round_id, Action::View).await?;
    if !allows(who, Action::View, resource(&panel, false)) {
        return Err(PanelError::Forbidden);
    }
    Ok(Ranking {
        standings: super::ranking::standings(app, &panel).await?,
        can_record: allows(who, Action::Edit, resource(&panel, false)),
        asker: who.user_id,
        panel,
    })
}

/// One application in the meeting: its standing, every submitted review with the
/// reviewer's name, and who stood aside.
#[derive(Debug, Clone)]
pub struct Detail {
    pub panel: Panel,
    pub standing: super::ranking::Standing,
    /// Its place in the ranking, from 1.
    pub rank: usize,
    pub reviews: Vec<(String, store::Review)>,
    pub stood_aside: Vec<String>,
    pub can_record: bool,
}

/// One application of the meeting. 404 for anyone its conflicts cover (nothing of it is
/// read for them), as for anyone who may not see the meeting.
pub async fn detail(app: &App, who: &Principal, application_id: ApplicationId) -> Result<Detail> {
    let (round_id, _) = super::reviews::application_round(app, application_id).await?;
    let panel = panel(app, who, round_id, Action::View).await?;
    let conflicted = super::conflicted(app, who, round_id, application_id).await?;
    if !allows(who, Action::View, resource(&panel, conflicted)) {
        return Err(PanelError::NotFound);
    }
    let standings = super::ranking::standings(app, &panel).await?;
    // Ranked among what the asker may see, as their list shows it.
    let (index, standing) = standings
        .iter()
        .filter(|s| panel.admin || !s.stood_aside.contains(&who.user_id))
        .enumerate()
        .find(|(_, s)| s.id() == application_id)
        .ok_or(PanelError::NotFound)?;
    let name = |id| panel.member_name(id);
    let reviews = store::of_application(&app.db, application_id)
        .await?
        .into_iter()
        .filter(store::Review::submitted)
        .map(|r| (name(r.user_id), r))
        .collect();
    Ok(Detail {
        rank: index + 1,
        stood_aside: standing.stood_aside.iter().map(|id| name(*id)).collect(),
        standing: standing.clone(),
        reviews,
        can_record: allows(who, Action::Edit, resource(&panel, conflicted)),
        panel,
    })
}
