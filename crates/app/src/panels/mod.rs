//! Panel review, shared by the pages and the API: a round's panel and its settings (here),
//! conflicts of interest ([`conflicts`]), bids and the exact reviewer assignment
//! ([`assignment`]), scoring ([`reviews`]) and the moderation meeting ([`moderation`]).
//!
//! A member's conflicts are the one rule of what they may reach: [`conflicted`] decides it
//! for every route that shows an application (its page, its files, its review, the
//! moderation list, the bids list), through `convene_domain::policy`.

pub mod assignment;
pub mod conflicts;
pub mod moderation;
pub mod ranking;
pub mod reviews;

pub use convene_domain::panels::Problem;
pub use convene_domain::panels::rubric::{Criterion, Rubric};
pub use convene_store::panels::PanelMember;

use crate::{App, Cache};
use convene_domain::Email;
use convene_domain::audit::AuditAction;
use convene_domain::imports::REGIONS;
use convene_domain::panels::conflicts::conflicted as covered;
use convene_domain::policy::{Action, Principal, Resource, allows};
use convene_domain::programmes::{Programme, Round};
use convene_domain::{ApplicationId, RoundId, UserId};
use convene_store::panels::{self as store, MemberSettings};
use convene_store::{StoreError, users};

/// Why a panel action did not happen.
#[derive(Debug, thiserror::Error)]
pub enum PanelError {
    #[error("not found")]
    NotFound,
    #[error("not allowed")]
    Forbidden,
    /// What was typed needs correcting; nothing was saved.
    #[error("the input needs correcting")]
    Invalid(Vec<Problem>),
    /// Someone saved since this was loaded (or the review was submitted); nothing was saved.
    #[error("saved elsewhere since it was loaded")]
    Stale,
    /// The round's state does not allow it (for example, re-running the assignment once
    /// scoring has begun).
    #[error("{0}")]
    State(String),
    #[error(transparent)]
    Store(StoreError),
}

impl From<StoreError> for PanelError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => PanelError::NotFound,
            other => PanelError::Store(other),
        }
    }
}

impl From<crate::Error> for PanelError {
    fn from(e: crate::Error) -> Self {
        match e {
            crate::Error::NotFound => PanelError::NotFound,
            crate::Error::Forbidden => PanelError::Forbidden,
            crate::Error::Conflict(what) => PanelError::State(what),
            crate::Error::Store(s) => PanelError::Store(s),
        }
    }
}

pub type Result<T, E = PanelError> = std::result::Result<T, E>;

fn invalid(field: &str, message: impl Into<String>) -> PanelError {
    PanelError::Invalid(vec![Problem {
        field: field.into(),
        message: message.into(),
    }])
}

/// A round's panel as its members and admins see it.
#[derive(Debug, Clone)]
pub struct Panel {
    pub programme: Programme,
    pub round: Round,
    pub members: Vec<PanelMember>,
    /// The asker's own membership, when they sit on the panel.
    pub me: Option<PanelMember>,
    /// True when the asker runs the programme.
    pub admin: bool,
    pub reviews_per_application: u32,
    pub rubric: Rubric,
}

impl Panel {
    pub fn chair(&self) -> Option<&PanelMember> {
        self.members.iter().find(|m| m.is_chair)
    }

    /// A member's name, or "Former member" for someone no longer on the panel.
    pub fn member_name(&self, id: UserId) -> String {
        self.members
            .iter()
            .find(|m| m.user_id == id)
            .map_or_else(|| "Former member".to_string(), |m| m.name.clone())
    }

    /// True when the asker chairs the panel.
    pub fn i_chair(&self) -> bool {
        self.me.as_ref().is_some_and(|m| m.is_chair)
    }

    pub fn resource(&self) -> Resource<'static> {
        Resource::Panel {
            programme_id: self.programme.id,
            round_id: self.round.id,
        }
    }
}

/// The round's panel, for someone who may `action` it (its members read; admins change).
pub async fn panel(app: &App, who: &Principal, round_id: RoundId, action: Action) -> Result<Panel> {
    let (programme, round) = crate::rounds::by_id(app, round_id.0).await?;
    let resource = Resource::Panel {
        programme_id: programme.id,
        round_id,
    };
    if !allows(who, action, resource) {
        return Err(if allows(who, Action::View, resource) {
            PanelError::Forbidden
        } else {
            PanelError::NotFound
        });
    }
    let members = store::members(&app.db, round_id).await?;
    let me = members.iter().find(|m| m.user_id == who.user_id).cloned();
    Ok(Panel {
        admin: allows(who, Action::Edit, resource),
        reviews_per_application: store::reviews_per_application(&app.db, round_id).await?,
        rubric: store::rubric(&app.db, round_id).await?.unwrap_or_default(),
        programme,
        round,
        members,
        me,
    })
}

/// True when `who` sits on the round's panel and a conflict they declared covers the
/// application. Only panel members have conflicts; for anyone else it is false, at no cost.
pub async fn conflicted(
    app: &App,
    who: &Principal,
    round_id: RoundId,
    application_id: ApplicationId,
) -> Result<bool, StoreError> {
    if !who.sits_on(round_id) {
        return Ok(false);
    }
    let declared = store::conflicts::of_member(&app.db, round_id, who.user_id).await?;
    if declared.is_empty() {
        return Ok(false);
    }
    let withs: Vec<_> = declared.iter().map(|d| d.with).collect();
    let parties = store::conflicts::parties(&app.db, application_id).await?;
    Ok(covered(&withs, &parties))
}

/// What an admin types to put someone on the panel.
#[derive(Debug, Clone, Default)]
pub struct MemberInput {
    pub email: String,
    pub load_cap: String,
    pub region: String,
    pub themes: Vec<String>,
}

/// Puts a person with an account on the round's panel (or changes their load cap, region
/// and themes). Admins only.
pub async fn put_member(
    app: &App,
    who: &Principal,
    round_id: RoundId,
    input: &MemberInput,
) -> Result<UserId> {
    let panel = panel(app, who, round_id, Action::Edit).await?;
    let mut problems = Vec::new();
    let load_cap = match input.load_cap.trim().parse::<u32>() {
        Ok(n) if (1..=500).contains(&n) => n,
        _ => {
            problems.push(Problem {
                field: "load_cap".into(),
                message: "Enter a maximum load from 1 to 500".into(),
            });
            0
        }
    };
    let region = input.region.trim();
    if !region.is_empty() && !REGIONS.contains(&region) {
        problems.push(Problem {
            field: "region".into(),
            message: "Choose one of England's nine regions".into(),
        });
    }
    if input.themes.iter().any(|t| !panel.round.themes.contains(t)) {
        problems.push(Problem {
            field: "themes".into(),
            message: "Choose themes from this round's list".into(),
        });
    }
    let user = match Email::parse(input.email.trim()) {
        Ok(email) => users::by_email(&app.db, &email).await?,
        Err(_) => None,
    };
    let Some(user_id) = user.map(|u| u.id) else {
        problems.push(Problem {
            field: "email".into(),
            message: "Enter the email address of someone with a Convene account".into(),
        });
        return Err(PanelError::Invalid(problems));
    };
    if !problems.is_empty() {
        return Err(PanelError::Invalid(problems));
    }
    let settings = MemberSettings {
        load_cap,
        region: (!region.is_empty()).then_some(region),
        themes: &input.themes,
    };
    let mut work = app.begin(Some(who.user_id.0)).await?;
    let now = work.now();
    store::put_member(work.tx(), round_id, user_id, settings, now).await?;
    work.audit_with(
        AuditAction::PanelMemberPut,
        Some(round_id.0),
        &format!("user {}", user_id.0),
    )
    .await?;
    work.clears(Cache::Person(user_id.0));
    work.clears(Cache::Ranking(round_id));
    work.commit().await?;
    Ok(user_id)
}

/// Makes a member of the panel its chair. Admins only.
pub async fn set_chair(app: &App, who: &Principal, round_id: RoundId, user_id: UserId) -> Result<()> {
    let panel = panel(app, who, round_id, Action::Edit).await?;
    if !panel.members.iter().any(|m| m.user_id == user_id) {
        return Err(invalid("chair", "Choose a member of this panel"));
    }
    let mut work = app.begin(Some(who.user_id.0)).await?;
    store::set_chair(work.tx(), round_id, user_id).await?;
    work.audit_with(
        AuditAction::PanelChairSet,
        Some(round_id.0),
        &format!("user {}", user_id.0),
    )
    .await?;
    work.commit().await?;
    Ok(())
}

/// Sets how many reviews each application needs. Refused when it is zero or larger than
/// the panel. Admins only.
pub async fn set_reviews_per_application(
    app: &App,
    who: &Principal,
    round_id: RoundId,
    k: &str,
) -> Result<u32> {
    let panel = panel(app, who, round_id, Action::Edit).await?;
    let size = panel.members.len() as u32;
    let k = match k.trim().parse::<u32>() {
        Ok(k) if k >= 1 && k <= size => k,
        Ok(k) if k > size => {
            return Err(invalid(
                "reviews_per_application",
                format!("Each application can have at most {size} reviews: the panel has {size} members"),
            ));
        }
        _ => {
            return Err(invalid(
                "reviews_per_application",
                "Enter a whole number of reviews, at least 1",
            ));
        }
    };
    let mut work = app.begin(Some(who.user_id.0)).await?;
    store::set_reviews_per_application(work.tx(), round_id, k).await?;
    work.audit_with(
        AuditAction::PanelSettingsChanged,
        Some(round_id.0),
        &format!("reviews per application {k}"),
    )
    .await?;
    work.commit().await?;
    Ok(k)
}

/// Sets the round's rubric. Refused while its weights do not add up to 100 (or another
/// problem stands), and once anyone has begun scoring. Admins only.
pub async fn set_rubric(app: &App, who: &Principal, round_id: RoundId, rubric: &Rubric) -> Result<()> {
    panel(app, who, round_id, Action::Edit).await?;
    let problems = rubric.problems();
    if !problems.is_empty() {
        return Err(PanelError::Invalid(problems));
    }
    if store::reviews::any_in_round(&app.db, round_id).await? {
        return Err(PanelError::State(
            "Scoring has begun, so the rubric can no longer change".into(),
        ));
    }
    let mut work = app.begin(Some(who.user_id.0)).await?;
    let now = work.now();
    store::set_rubric(work.tx(), round_id, rubric, now).await?;
    work.audit(AuditAction::RubricSet, Some(round_id.0)).await?;
    work.clears(Cache::Ranking(round_id));
    work.commit().await?;
    Ok(())
}
