//! Engagements: started when a matching is confirmed (or by an admin), with one day per
//! working week to the 31 March after; the enabler logs contact against it; a place lead
//! queries an entry, the enabler answers, an admin settles; an admin ends it early and
//! starts a successor with what is left (`convene_domain::engagements` does the sums).

use super::{PanelError, Result, invalid};
use crate::App;
use convene_domain::audit::AuditAction;
use convene_domain::engagements::{
    self as rules, BurnPoint, ContactEntry, ContactKind, DayLength, Minutes, Pace,
};
use convene_domain::policy::{Action, Principal, Resource, allows};
use convene_domain::{ProgrammeId, UserId};
use convene_store::awards as award_store;
use convene_store::enablers::engagements::{self as store, NewContact, NewEngagement};
use convene_store::enablers::{self as pool, queries};
use jiff::civil::Date;

pub use convene_store::enablers::engagements::{ContactEntry as LoggedContact, Engagement};
pub use convene_store::enablers::queries::Query;

/// An engagement as its page shows it.
#[derive(Debug, Clone)]
pub struct EngagementView {
    pub engagement: Engagement,
    pub place: String,
    pub enabler: String,
    pub day: DayLength,
    pub contact: Vec<LoggedContact>,
    pub queries: Vec<Query>,
    pub pace: Pace,
    pub burn_down: Vec<BurnPoint>,
    /// The asker is its enabler (logs contact, answers queries).
    pub is_enabler: bool,
    /// The asker leads its place (queries entries).
    pub is_lead: bool,
    /// The asker runs the programme (ends it, settles queries).
    pub is_admin: bool,
}

impl EngagementView {
    /// Contact logged so far.
    pub fn used(&self) -> Minutes {
        Minutes(self.engagement.used_minutes)
    }

    /// The allocation.
    pub fn allocation(&self) -> Minutes {
        Minutes(self.engagement.allocation_minutes)
    }
}

/// An engagement as a resource of the policy.
pub(super) fn resource_of(e: &Engagement) -> Resource<'static> {
    Resource::Engagement {
        programme_id: e.programme_id,
        place_id: e.place_id,
        enabler: e.enabler_user_id,
    }
}

/// The engagement, its resource and its enabler's account, for someone who may read it
/// (404 otherwise).
async fn load(app: &App, who: &Principal, id: i64) -> Result<(Engagement, Resource<'static>, UserId)> {
    let engagement = store::engagement(&app.db, id).await?;
    let resource = resource_of(&engagement);
    if !allows(who, Action::View, resource) {
        return Err(PanelError::NotFound);
    }
    let enabler = engagement.enabler_user_id;
    Ok((engagement, resource, enabler))
}

fn engagement_rules(e: &Engagement) -> rules::Engagement {
    rules::Engagement {
        start: e.starts_on,
        end: e.last_day(),
        allocation: Minutes(e.allocation_minutes),
    }
}

fn day_of(e: &Engagement) -> DayLength {
    u32::try_from(e.day_minutes)
        .ok()
        .and_then(DayLength::from_minutes)
        .unwrap_or_default()
}

/// An engagement with its contact, queries, pace and burn-down.
pub async fn view(app: &App, who: &Principal, id: i64) -> Result<EngagementView> {
    let (engagement, resource, enabler_user) = load(app, who, id).await?;
    let contact = store::contact(&app.db, id).await?;
    let today = app.clock.now().london_day();
    let e = engagement_rules(&engagement);
    let logged: Vec<(Date, Minutes)> = contact.iter().map(|c| (c.on_date, Minutes(c.minutes))).collect();
    let not_known = |e: rules::NotCovered| PanelError::State(e.to_string());
    let pace = rules::pace(
        e.allocation,
        Minutes(engagement.used_minutes),
        e.start,
        e.end,
        today,
    )
    .map_err(not_known)?;
    let burn_down = rules::burn_down(e.allocation, e.start, e.end, today, &logged).map_err(not_known)?;
    Ok(EngagementView {
        day: day_of(&engagement),
        queries: queries::of_engagement(&app.db, id).await?,
        place: engagement.place_name.clone(),
        enabler: engagement.enabler_name.clone(),
        is_enabler: enabler_user == who.user_id,
        is_lead: who.holds(
            convene_domain::accounts::Role::PlaceLead,
            Some(engagement.place_id.0),
        ),
        is_admin: allows(who, Action::Edit, resource),
        engagement,
        contact,
        pace,
        burn_down,
    })
}

/// The engagements the asker takes part in (as the enabler, a lead of the place or an
/// admin of the programme), earliest first.
pub async fn mine(app: &App, who: &Principal) -> Result<Vec<Engagement>> {
    let mut found = store::of_person(&app.db, who.user_id).await?;
    found.retain(|e| allows(who, Action::View, resource_of(e)));
    Ok(found)
}

/// Starts an engagement between a funded place (by its award) and an enabler from
/// `starts_on` to the 31 March after, with the allocation for that time. Admins only.
pub async fn start(
    app: &App,
    who: &Principal,
    award_id: i64,
    enabler_id: i64,
    starts_on: Date,
) -> Result<i64> {
    let award = award_store::award(&app.db, award_id).await?;
    // Only the programme's admins learn anything of its awards and pool.
    if !allows(
        who,
        Action::Edit,
        Resource::Programme {
            id: award.programme_id,
        },
    ) {
        return Err(PanelError::NotFound);
    }
    let enabler = pool::enabler(&app.db, enabler_id).await?;
    if enabler.programme_id != award.programme_id || enabler.status != pool::PoolStatus::Approved {
        return Err(invalid("enabler", "Choose an enabler from the programme's pool"));
    }
    let day = day_length(app, award.programme_id).await?;
    let e = rules::Engagement::starting(starts_on, day).map_err(|e| invalid("start_date", e.to_string()))?;
    let new = NewEngagement {
        programme_id: award.programme_id,
        award_id,
        enabler_id,
        starts_on: e.start,
        ends_on: e.end,
        allocation_minutes: e.allocation.0,
        day_minutes: i64::from(day.minutes()),
        follows_id: None,
    };
    let mut work = app.begin(Some(who.user_id.0)).await?;
    if store::live_for_award(work.tx(), award_id).await? {
        return Err(PanelError::State(format!(
            "{} already has an engagement",
            award.place_name
        )));
    }
    let now = work.now();
    let id = store::create(work.tx(), &new, Some(who.user_id), now).await?;
    work.audit(AuditAction::EngagementStarted, Some(id)).await?;
    work.commit().await?;
    Ok(id)
}

/// The programme's length of a day of contact.
async fn day_length(app: &App, programme_id: ProgrammeId) -> Result<DayLength> {
    let minutes = convene_store::programmes::contact_day_minutes(&app.db, programme_id).await?;
    Ok(u32::try_from(minutes)
        .ok()
        .and_then(DayLength::from_minutes)
        .unwrap_or_default())
}

/// Contact as typed: the date (None when not given or not a date: the caller says which),
/// hours as typed, the kind's key and notes.
#[derive(Debug, Clone, Default)]
pub struct ContactInput {
    pub date: Option<Date>,
    pub hours: String,
    pub kind: String,
    pub notes: String,
}

/// The enabler logs contact against their engagement; every problem is told at once and
/// nothing is saved while any remains.
pub async fn log_contact(app: &App, who: &Principal, id: i64, input: &ContactInput) -> Result<i64> {
    let (engagement, _, enabler_user) = load(app, who, id).await?;
    let own = Resource::EnablerOwn {
        programme_id: engagement.programme_id,
        owner: enabler_user,
    };
    if !allows(who, Action::Edit, own) {
        return Err(PanelError::Forbidden);
    }
    let mut problems = Vec::new();
    let minutes = rules::parse_hours(&input.hours)
        .map_err(|p| problems.push(p))
        .ok();
    let kind = ContactKind::from_key(input.kind.trim());
    if kind.is_none() {
        problems.push(problem("kind", "Choose what kind of contact it was"));
    }
    if input.date.is_none() {
        problems.push(problem("date", "Enter the date of the contact, like 18 9 2013"));
    }
    let mut work = app.begin(Some(who.user_id.0)).await?;
    // The engagement's lock first: two saves for one day are checked one after the other,
    // and an early end made meanwhile is seen.
    let (engagement, _) = store::lock(work.tx(), id).await?;
    if engagement.ended_on.is_some() {
        return Err(PanelError::State(
            "This engagement has ended: log contact on the engagement that carries on from it".into(),
        ));
    }
    if let (Some(minutes), Some(date)) = (minutes, input.date) {
        // The kind does not change the other checks: they run whatever it is.
        let entry = ContactEntry {
            date,
            minutes,
            kind: kind.unwrap_or(ContactKind::Other),
            notes: input.notes.trim().to_string(),
        };
        let that_day = Minutes(store::minutes_on(work.tx(), id, date).await?);
        let today = work.now().london_day();
        problems.extend(rules::contact_problems(
            &entry,
            &engagement_rules(&engagement),
            that_day,
            today,
        ));
    }
    // In the form's order, for the error summary.
    let order = ["date", "hours", "kind", "notes"];
    problems.sort_by_key(|p| order.iter().position(|f| *f == p.field));
    let (Some(minutes), Some(kind), Some(date), true) = (minutes, kind, input.date, problems.is_empty())
    else {
        return Err(PanelError::Invalid(problems));
    };
    let new = NewContact {
        engagement_id: id,
        on_date: date,
        minutes: minutes.0,
        kind: kind.key(),
        notes: input.notes.trim(),
    };
    let now = work.now();
    let entry = store::log_contact(work.tx(), &new, who.user_id, now).await?;
    work.audit(AuditAction::ContactLogged, Some(entry)).await?;
    work.commit().await?;
    Ok(entry)
}

fn problem(field: &str, message: &str) -> super::Problem {
    super::Problem {
        field: field.into(),
        message: message.into(),
    }
}

/// An admin ends an engagement early on `last_day` (keeping what it used) and, with
/// `successor`, starts the enabler's successor the day given with what is left. Returns the
/// successor's id.
pub async fn end_early(
    app: &App,
    who: &Principal,
    id: i64,
    last_day: Date,
    successor: Option<(i64, Date)>,
) -> Result<Option<i64>> {
    let (engagement, resource, _) = load(app, who, id).await?;
    if !allows(who, Action::Edit, resource) {
        return Err(PanelError::Forbidden);
    }
    if let Some((enabler_id, _)) = successor {
        let enabler = pool::enabler(&app.db, enabler_id).await?;
        if enabler.programme_id != engagement.programme_id || enabler.status != pool::PoolStatus::Approved {
            return Err(invalid("enabler", "Choose an enabler from the programme's pool"));
        }
    }
    let mut work = app.begin(Some(who.user_id.0)).await?;
    // The lock first: what it used, and the last day contact is logged on, are current.
    let (engagement, last_logged) = store::lock(work.tx(), id).await?;
    if engagement.ended_on.is_some() {
        return Err(PanelError::State("This engagement has already ended".into()));
    }
    if let Some(last) = last_logged.filter(|last| last_day < *last) {
        return Err(invalid(
            "end_date",
            format!(
                "Contact is logged up to {}: end the engagement on or after it",
                rules::date_words(last)
            ),
        ));
    }
    let ended = engagement_rules(&engagement)
        .end_early(last_day, Minutes(engagement.used_minutes))
        .map_err(|p| PanelError::Invalid(vec![p]))?;
    let next = match successor {
        Some((enabler_id, start)) => {
            let e = ended.successor(start).map_err(|p| PanelError::Invalid(vec![p]))?;
            Some(NewEngagement {
                programme_id: engagement.programme_id,
                award_id: engagement.award_id,
                enabler_id,
                starts_on: e.start,
                ends_on: e.end,
                allocation_minutes: e.allocation.0,
                day_minutes: engagement.day_minutes,
                follows_id: Some(id),
            })
        }
        None => None,
    };
    if !store::end_early(work.tx(), id, last_day, ended.ended.allocation.0).await? {
        return Err(PanelError::State("This engagement has already ended".into()));
    }
    work.audit(AuditAction::EngagementEnded, Some(id)).await?;
    let mut started = None;
    if let Some(new) = next {
        let now = work.now();
        let successor = store::create(work.tx(), &new, Some(who.user_id), now).await?;
        work.audit(AuditAction::EngagementStarted, Some(successor))
            .await?;
        started = Some(successor);
    }
    work.commit().await?;
    Ok(started)
}

/// Where an engagement stands, as its programme's table says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// Its first day is still to come.
    NotStarted,
    /// Running now.
    Live,
    /// It ran to its planned last day.
    Finished,
    /// Ended early, with nobody carrying on from it.
    EndedEarly,
    /// Ended early, and carried on by the engagement with this id.
    FollowedBy(i64),
}

/// An engagement as its programme's table lists it.
#[derive(Debug, Clone)]
pub struct Listed {
    pub engagement: Engagement,
    pub day: DayLength,
    /// None when the pace cannot be worked out (a year whose bank holidays are not known).
    pub pace: Option<Pace>,
    pub standing: Standing,
}

impl Listed {
    /// The allocation less what is used, never below nothing.
    pub fn left(&self) -> Minutes {
        Minutes((self.engagement.allocation_minutes - self.engagement.used_minutes).max(0))
    }
}

/// A programme's engagements, for its admins.
#[derive(Debug, Clone)]
pub struct ProgrammeEngagements {
    pub programme: convene_domain::programmes::Programme,
    pub engagements: Vec<Listed>,
}

/// Every engagement of the programme `slug`, earliest first, with its pace and standing
/// today. Its admins only: not found for anyone else.
pub async fn of_programme(app: &App, who: &Principal, slug: &str) -> Result<ProgrammeEngagements> {
    let programme = convene_store::programmes::by_slug(&app.db, slug)
        .await?
        .ok_or(PanelError::NotFound)?;
    if !allows(who, Action::Edit, Resource::Programme { id: programme.id }) {
        return Err(PanelError::NotFound);
    }
    let found = store::of_programme(&app.db, programme.id).await?;
    let today = app.clock.now().london_day();
    let engagements = found
        .iter()
        .map(|e| {
            let r = engagement_rules(e);
            let follower = found.iter().find(|f| f.follows_id == Some(e.id));
            let standing = match (e.ended_on, follower) {
                (Some(_), Some(f)) => Standing::FollowedBy(f.id),
                (Some(_), None) => Standing::EndedEarly,
                (None, _) if today < e.starts_on => Standing::NotStarted,
                (None, _) if today > e.ends_on => Standing::Finished,
                (None, _) => Standing::Live,
            };
            Listed {
                engagement: e.clone(),
                day: day_of(e),
                pace: rules::pace(r.allocation, Minutes(e.used_minutes), r.start, r.end, today).ok(),
                standing,
            }
        })
        .collect();
    Ok(ProgrammeEngagements {
        programme,
        engagements,
    })
}

/// The enablers an admin may choose to carry on from an engagement ended early: the
/// programme's approved pool, by name. Not found for those who may not read the
/// engagement, forbidden for those who may read but not end it.
pub async fn successor_choices(app: &App, who: &Principal, id: i64) -> Result<Vec<(i64, String)>> {
    let (engagement, resource, _) = load(app, who, id).await?;
    if !allows(who, Action::Edit, resource) {
        return Err(PanelError::Forbidden);
    }
    Ok(pool::of_programme(&app.db, engagement.programme_id)
        .await?
        .into_iter()
        .filter(|e| e.status == pool::PoolStatus::Approved)
        .map(|e| (e.id, e.name))
        .collect())
}
