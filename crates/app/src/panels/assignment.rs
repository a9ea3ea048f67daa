//! Bids and the reviewer assignment: the exact optimum from `convene_domain::panels::
//! assignment`, run by an admin, explained when it falls short, and changed by hand
//! afterwards without ever breaking a conflict (each change shows the affinity it lost).

use std::collections::{BTreeMap, HashMap};

use super::{Panel, PanelError, Problem, Result, invalid, panel};
use crate::App;
use convene_domain::applications::ApplicationStatus;
use convene_domain::audit::AuditAction;
use convene_domain::panels::assignment::{
    self as rules, AssignmentError, Bid, Instance, MAX_BID, Member, Pair, region_index, theme_bits,
};
use convene_domain::panels::conflicts::{ConflictWith, Parties, conflicted};
use convene_domain::policy::{Action, Principal};
use convene_domain::{ApplicationId, RoundId, Timestamp, UserId};
use convene_store::applications::{self, ListFilter, Listed};
pub use convene_store::panels::assignment::{Assigned, Change, Run};
use convene_store::panels::{self as store, PanelMember};

/// A submitted application as the panel's pages list it.
#[derive(Debug, Clone)]
pub struct Submitted {
    pub listed: Listed,
    pub theme: Option<String>,
}

impl Submitted {
    pub fn id(&self) -> ApplicationId {
        ApplicationId(self.listed.id)
    }
}

/// Every submitted application of the round, by id, with the theme it picked.
pub async fn submitted(app: &App, round_id: RoundId) -> Result<Vec<Submitted>> {
    let filter = ListFilter {
        status: Some(ApplicationStatus::Submitted),
        ..ListFilter::default()
    };
    let mut out = Vec::new();
    let mut after = 0;
    loop {
        let batch = applications::export_batch(&app.db, round_id, &filter, after, 500).await?;
        let last = batch.len() < 500;
        for e in batch {
            after = e.listed.id;
            out.push(Submitted {
                theme: e.answers.get("theme").filter(|t| !t.is_empty()).cloned(),
                listed: e.listed,
            });
        }
        if last {
            return Ok(out);
        }
    }
}

/// Which members each declaration keeps away from which application.
pub(super) struct Conflicts {
    by_member: HashMap<UserId, Vec<ConflictWith>>,
    parties: BTreeMap<ApplicationId, Parties>,
}

impl Conflicts {
    pub(super) async fn of_round(app: &App, round_id: RoundId) -> Result<Conflicts> {
        let mut by_member: HashMap<UserId, Vec<ConflictWith>> = HashMap::new();
        for d in store::conflicts::of_round(&app.db, round_id).await? {
            by_member.entry(d.user_id).or_default().push(d.with);
        }
        Ok(Conflicts {
            by_member,
            parties: store::conflicts::parties_of_round(&app.db, round_id).await?,
        })
    }

    /// Everyone whose declarations cover the application, seated on the panel or not (a
    /// member invited but not yet seated declares too), in id order.
    pub(super) fn covering(&self, application_id: ApplicationId) -> Vec<UserId> {
        let mut who: Vec<UserId> = self
            .by_member
            .keys()
            .copied()
            .filter(|u| self.covers(*u, application_id))
            .collect();
        who.sort();
        who
    }

    pub(super) fn covers(&self, user_id: UserId, application_id: ApplicationId) -> bool {
        match (self.by_member.get(&user_id), self.parties.get(&application_id)) {
            (Some(withs), Some(parties)) => conflicted(withs, parties),
            _ => false,
        }
    }
}

/// The assignment's instance for a round, with the members and applications in the order
/// it numbers them.
pub(super) struct Built {
    pub instance: Instance,
    pub members: Vec<PanelMember>,
    pub applications: Vec<Submitted>,
}

pub(super) async fn build(app: &App, panel: &Panel) -> Result<Built> {
    let round_id = panel.round.id;
    let applications = submitted(app, round_id).await?;
    let conflicts = Conflicts::of_round(app, round_id).await?;
    let themes = &panel.round.themes;
    let member_at = rules::positions(&panel.members.iter().map(|m| m.user_id).collect::<Vec<_>>());
    let application_at = rules::positions(&applications.iter().map(Submitted::id).collect::<Vec<_>>());
    let bids = store::assignment::bids_of_round(&app.db, round_id)
        .await?
        .into_iter()
        .filter_map(|(a, u, value)| {
            Some(Bid {
                member: *member_at.get(&u)?,
                application: *application_at.get(&a)?,
                value,
            })
        })
        .collect();
    let mut pairs = Vec::new();
    for (m, member) in panel.members.iter().enumerate() {
        for (a, application) in applications.iter().enumerate() {
            if conflicts.covers(member.user_id, application.id()) {
                pairs.push(Pair {
                    member: m as u32,
                    application: a as u32,
                });
            }
        }
    }
    let instance = Instance {
        reviews_per_application: panel.reviews_per_application,
        members: panel
            .members
            .iter()
            .map(|m| Member {
                themes: theme_bits(themes, &m.themes.iter().map(String::as_str).collect::<Vec<_>>()),
                region: region_index(m.region.as_deref()),
                load_cap: m.load_cap,
            })
            .collect(),
        applications: applications
            .iter()
            .map(|a| rules::Application {
                themes: theme_bits(themes, &a.theme.as_deref().into_iter().collect::<Vec<_>>()),
                region: region_index(a.listed.region.as_deref()),
            })
            .collect(),
        bids,
        conflicts: pairs,
    };
    Ok(Built {
        instance,
        members: panel.members.clone(),
        applications,
    })
}

/// What a run found, for the page to explain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RunOutcome {
    Assigned {
        pairs: usize,
        total_affinity: i64,
    },
    /// No full assignment: each application left short, with its unconflicted members.
    Short(Vec<ShortLine>),
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ShortLine {
    pub application_id: i64,
    pub reference: String,
    pub place_name: String,
    pub unconflicted: u32,
    pub assigned: u32,
    pub needed: u32,
}

/// Runs the assignment for the round and keeps its pairs (replacing the last run's) when it
/// gives every application its reviews; otherwise records why not. Admins only; refused
/// once scoring has begun.
pub async fn run(app: &App, who: &Principal, round_id: RoundId) -> Result<RunOutcome> {
    let panel = panel(app, who, round_id, Action::Edit).await?;
    if store::reviews::any_in_round(&app.db, round_id).await? {
        return Err(PanelError::State(
            "Scoring has begun, so the assignment can no longer be run again. Change pairs by hand instead."
                .into(),
        ));
    }
    let built = build(app, &panel).await?;
    if built.applications.is_empty() {
        return Err(PanelError::State(
            "There are no submitted applications to assign".into(),
        ));
    }
    let result = rules::assign(&built.instance);
    let now = app.clock.now();
    let (outcome, pairs, run) = match result {
        Ok(found) => {
            let pairs: Vec<Assigned> = found
                .pairs
                .iter()
                .map(|p| Assigned {
                    application_id: built.applications[p.application as usize].id(),
                    user_id: built.members[p.member as usize].user_id,
                    affinity: built.instance.pair_affinity(*p),
                    by_hand: false,
                })
                .collect();
            let outcome = RunOutcome::Assigned {
                pairs: pairs.len(),
                total_affinity: found.total_affinity,
            };
            (
                outcome,
                pairs,
                run_record(now, "assigned", found.total_affinity, "[]"),
            )
        }
        Err(AssignmentError::NoFullAssignment { needed, short, .. }) => {
            let lines: Vec<ShortLine> = short
                .iter()
                .map(|s| {
                    let a = &built.applications[s.application as usize];
                    ShortLine {
                        application_id: a.listed.id,
                        reference: a.listed.reference.clone().unwrap_or_default(),
                        place_name: a.listed.place_name.clone(),
                        unconflicted: s.unconflicted,
                        assigned: s.assigned,
                        needed,
                    }
                })
                .collect();
            let json = serde_json::to_string(&lines).unwrap_or_default();
            (
                RunOutcome::Short(lines),
                Vec::new(),
                run_record(now, "short", 0, &json),
            )
        }
        Err(other) => return Err(invalid("assignment", other.to_string())),
    };
    let mut work = app.begin(Some(who.user_id.0)).await?;
    store::assignment::record_run(work.tx(), round_id, who.user_id, &run, &pairs).await?;
    work.audit_with(AuditAction::AssignmentRun, Some(round_id.0), &run.outcome)
        .await?;
    work.commit().await?;
    Ok(outcome)
}

fn run_record(now: Timestamp, outcome: &str, total_affinity: i64, explanation: &str) -> Run {
    Run {
        id: 0,
        run_at: now,
        outcome: outcome.into(),
        total_affinity,
        explanation: explanation.into(),
    }
}

/// The explanation a short run recorded.
pub fn shortfalls(run: &Run) -> Vec<ShortLine> {
    serde_json::from_str(&run.explanation).unwrap_or_default()
}

/// Places (or changes) the asker's bid, 0 to 3, on an application they can see.
pub async fn bid(app: &App, who: &Principal, application_id: ApplicationId, value: &str) -> Result<()> {
    let (round_id, application) = super::reviews::application_round(app, application_id).await?;
    super::conflicts::own_part(app, who, round_id).await?;
    // Only submitted applications are the panel's; a draft's existence is not told.
    let submitted = application.status == ApplicationStatus::Submitted;
    if !submitted || super::conflicted(app, who, round_id, application_id).await? {
        return Err(PanelError::NotFound);
    }
    let value = match value.trim().parse::<u8>() {
        Ok(v) if v <= MAX_BID => v,
        _ => return Err(invalid("bid", "Choose a bid from 0 to 3")),
    };
    let mut work = app.begin(Some(who.user_id.0)).await?;
    let now = work.now();
    store::assignment::set_bid(work.tx(), application_id, who.user_id, value, now).await?;
    work.audit_with(
        AuditAction::BidPlaced,
        Some(application_id.0),
        &format!("bid {value}"),
    )
    .await?;
    work.commit().await?;
    Ok(())
}

/// An application a member may bid on, with their bid.
#[derive(Debug, Clone)]
pub struct BidLine {
    pub application: Submitted,
    pub bid: u8,
}

/// The round's submitted applications the asker is not conflicted on, with their bids.
pub async fn biddable(app: &App, who: &Principal, round_id: RoundId) -> Result<(Panel, Vec<BidLine>)> {
    let panel = super::conflicts::own_part(app, who, round_id).await?;
    let conflicts = Conflicts::of_round(app, round_id).await?;
    let bids = store::assignment::bids_of_member(&app.db, round_id, who.user_id).await?;
    let lines = submitted(app, round_id)
        .await?
        .into_iter()
        .filter(|a| !conflicts.covers(who.user_id, a.id()))
        .map(|a| BidLine {
            bid: bids.get(&a.id()).copied().unwrap_or(0),
            application: a,
        })
        .collect();
    Ok((panel, lines))
}

/// The whole assignment as its admins see it.
#[derive(Debug, Clone)]
pub struct Overview {
    pub panel: Panel,
    pub run: Option<Run>,
    pub applications: Vec<Submitted>,
    pub pairs: Vec<Assigned>,
    pub changes: Vec<Change>,
    /// Members conflicted on each application (they stood aside).
    pub stood_aside: BTreeMap<ApplicationId, Vec<UserId>>,
    /// Applications each member is assigned.
    pub loads: HashMap<UserId, u32>,
}

impl Overview {
    pub fn member_name(&self, id: UserId) -> &str {
        self.panel
            .members
            .iter()
            .find(|m| m.user_id == id)
            .map_or("Former member", |m| m.name.as_str())
    }

    pub fn total_affinity(&self) -> i64 {
        self.pairs.iter().map(|p| p.affinity).sum()
    }
}

pub async fn overview(app: &App, who: &Principal, round_id: RoundId) -> Result<Overview> {
    let panel = panel(app, who, round_id, Action::Edit).await?;
    let applications = submitted(app, round_id).await?;
    let conflicts = Conflicts::of_round(app, round_id).await?;
    let mut stood_aside: BTreeMap<ApplicationId, Vec<UserId>> = BTreeMap::new();
    for a in &applications {
        for m in &panel.members {
            if conflicts.covers(m.user_id, a.id()) {
                stood_aside.entry(a.id()).or_default().push(m.user_id);
            }
        }
    }
    let pairs = store::assignment::assignments(&app.db, round_id).await?;
    let mut loads: HashMap<UserId, u32> = HashMap::new();
    for p in &pairs {
        *loads.entry(p.user_id).or_default() += 1;
    }
    Ok(Overview {
        run: store::assignment::latest_run(&app.db, round_id).await?,
        changes: store::assignment::changes(&app.db, round_id).await?,
        panel,
        applications,
        pairs,
        stood_aside,
        loads,
    })
}

/// An admin's change of one pair: `remove` stops reviewing the application, `add` starts.
pub async fn change_pair(
    app: &App,
    who: &Principal,
    application_id: ApplicationId,
    remove: UserId,
    add: UserId,
) -> Result<i64> {
    let (round_id, _) = super::reviews::application_round(app, application_id).await?;
    let panel = panel(app, who, round_id, Action::Edit).await?;
    let built = build(app, &panel).await?;
    let member_at = |u: UserId| built.members.iter().position(|m| m.user_id == u);
    let application = built.applications.iter().position(|a| a.id() == application_id);
    let (Some(a), Some(r)) = (application, member_at(remove)) else {
        return Err(invalid("remove", "Choose a member assigned this application"));
    };
    let Some(d) = member_at(add) else {
        return Err(invalid("add", "Choose a member of this panel"));
    };
    let added = Pair {
        member: d as u32,
        application: a as u32,
    };
    let removed = Pair {
        member: r as u32,
        application: a as u32,
    };
    if built.instance.conflicted(added) {
        return Err(invalid(
            "add",
            "This member has a conflict of interest with this application",
        ));
    }
    let load = store::assignment::assigned_to(&app.db, round_id, add)
        .await?
        .len() as u32;
    if load >= built.members[d].load_cap {
        return Err(invalid("add", "This member is already at their maximum load"));
    }
    let lost = rules::affinity_lost(&built.instance, removed, added);
    let change = Change {
        application_id,
        removed: Some(remove),
        added: Some(add),
        affinity_lost: lost,
        changed_at: app.clock.now(),
    };
    let mut work = app.begin(Some(who.user_id.0)).await?;
    let added_affinity = built.instance.pair_affinity(added);
    if !store::assignment::change(work.tx(), round_id, who.user_id, &change, added_affinity).await? {
        // Dropping the work rolls back whatever half of the change was made.
        return Err(PanelError::Invalid(vec![Problem {
            field: "add".into(),
            message: "That pair has changed since the page was loaded: the member removed is no longer assigned, or the one added already is".into(),
        }]));
    }
    work.audit_with(
        AuditAction::AssignmentChanged,
        Some(application_id.0),
        &format!("user {} for user {}, affinity lost {lost}", add.0, remove.0),
    )
    .await?;
    work.commit().await?;
    Ok(lost)
}
