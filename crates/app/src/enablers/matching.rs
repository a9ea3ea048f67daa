//! Choosing, both ways, and the matching: each funded place ranks the enablers it would
//! accept; each enabler ranks the places that chose them and marks those they cannot take;
//! an admin runs the place-proposing stable matching (`convene_domain::matching`), may
//! change a pair by hand (told which pairs that unsettles), and confirms, which starts each
//! pair's engagement and emails both sides.

use super::{PanelError, Result, invalid};
use crate::{App, mail};
use convene_domain::ProgrammeId;
use convene_domain::audit::AuditAction;
use convene_domain::awards::AwardStatus;
use convene_domain::engagements::{DayLength, Engagement as Plan};
use convene_domain::matching::{self as rules, EnablerChoices, Instance, PlaceChoices, Refusal};
use convene_domain::policy::{Action, Principal, Resource, allows};
use convene_store::awards as award_store;
use convene_store::enablers::engagements::{self as engagement_store, NewEngagement};
use convene_store::enablers::{self as pool, EnablerChoice, MatchingRun, PoolStatus};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

/// A pair of the matching: the place (by its award) and its enabler, with each side's
/// rank of the other (none where unranked), and whether an admin set it by hand.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pair {
    pub award_id: i64,
    pub enabler_id: i64,
    pub place_rank: Option<usize>,
    pub enabler_rank: Option<usize>,
    pub by_hand: bool,
}

/// A place left unmatched and why: each enabler it chose, full ("full") with places they
/// prefer or unable to take it ("conflict").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unmatched {
    pub award_id: i64,
    pub refused_by: Vec<(i64, String)>,
}

/// What a run proposed, as kept with the run.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Proposal {
    pub pairs: Vec<Pair>,
    pub unmatched: Vec<Unmatched>,
}

/// The programme's matching as it stands: the instance and which award and enabler each
/// index is.
struct Built {
    instance: Instance,
    awards: Vec<i64>,
    enablers: Vec<i64>,
}

/// The instance from the programme's approved pool and its accepted awards' rankings.
async fn build(app: &App, programme: ProgrammeId) -> Result<Built> {
    let approved: Vec<pool::Enabler> = pool::of_programme(&app.db, programme)
        .await?
        .into_iter()
        .filter(|e| e.status == PoolStatus::Approved)
        .collect();
    let enablers: Vec<i64> = approved.iter().map(|e| e.id).collect();
    let (place_rows, enabler_rows) = pool::rankings(&app.db, programme).await?;
    // Places with a live engagement are matched already; an enabler's live engagements
    // take up their room.
    let live: Vec<(i64, i64)> = engagement_store::of_programme(&app.db, programme)
        .await?
        .iter()
        .filter(|e| e.ended_on.is_none())
        .map(|e| (e.award_id, e.enabler_id))
        .collect();
    let place_rows: Vec<(i64, i64, i64)> = place_rows
        .into_iter()
        .filter(|(a, _, _)| !live.iter().any(|(x, _)| x == a))
        .collect();
    let mut awards: Vec<i64> = place_rows.iter().map(|(a, _, _)| *a).collect();
    awards.dedup();
    let index = |list: &[i64], id: i64| list.iter().position(|x| *x == id);
    let places = awards
        .iter()
        .map(|a| PlaceChoices {
            ranks: place_rows
                .iter()
                .filter(|(award, _, _)| award == a)
                .filter_map(|(_, e, _)| index(&enablers, *e))
                .collect(),
        })
        .collect();
    let enablers_in = approved
        .iter()
        .map(|e| {
            let mine = enabler_rows.iter().filter(|(id, _)| *id == e.id).map(|(_, c)| c);
            let (ranked, conflicts): (Vec<&EnablerChoice>, Vec<&EnablerChoice>) =
                mine.partition(|c| !c.cannot_take);
            let holds = live.iter().filter(|(_, x)| *x == e.id).count() as i64;
            EnablerChoices {
                capacity: u32::try_from(e.profile.capacity - holds).unwrap_or(0),
                ranks: ranked
                    .iter()
                    .filter(|c| c.rank.is_some())
                    .filter_map(|c| index(&awards, c.award_id))
                    .collect(),
                conflicts: conflicts
                    .iter()
                    .filter_map(|c| index(&awards, c.award_id))
                    .collect(),
            }
        })
        .collect();
    Ok(Built {
        instance: Instance {
            places,
            enablers: enablers_in,
        },
        awards,
        enablers,
    })
}

/// 404 unless the asker administers the programme (the matching is theirs alone).
fn admin_only(who: &Principal, programme: ProgrammeId) -> Result<()> {
    if allows(who, Action::Edit, Resource::Programme { id: programme }) {
        Ok(())
    } else {
        Err(PanelError::NotFound)
    }
}

/// A funded place's leads rank the enablers it would accept, best first: at least one,
/// each once, each in the programme's approved pool.
pub async fn set_place_choices(app: &App, who: &Principal, award_id: i64, enablers: &[i64]) -> Result<()> {
    let award = super::funded_place(app, who, award_id).await?;
    if enablers.is_empty() {
        return Err(invalid(
            "enablers",
            "Choose at least one enabler you would accept",
        ));
    }
    let pool = pool::of_programme(&app.db, award.programme_id).await?;
    for (i, id) in enablers.iter().enumerate() {
        let Some(e) = pool
            .iter()
            .find(|e| e.id == *id && e.status == PoolStatus::Approved)
        else {
            return Err(invalid("enablers", "Choose enablers from the programme's pool"));
        };
        if enablers[..i].contains(id) {
            return Err(invalid(
                "enablers",
                format!("You chose {} twice: choose each enabler once", e.name),
            ));
        }
    }
    let mut work = app.begin(Some(who.user_id.0)).await?;
    pool::set_place_choices(work.tx(), award_id, enablers).await?;
    work.commit().await?;
    Ok(())
}

/// An enabler ranks the places that chose them (best first) and names those they cannot
/// take; a place not listed is ranked after the rest.
pub async fn set_enabler_choices(
    app: &App,
    who: &Principal,
    enabler_id: i64,
    ranked: &[i64],
    cannot_take: &[i64],
) -> Result<()> {
    let enabler = pool::enabler(&app.db, enabler_id).await?;
    let own = Resource::EnablerOwn {
        programme_id: enabler.programme_id,
        owner: enabler.user_id,
    };
    if !allows(who, Action::View, own) {
        return Err(PanelError::NotFound);
    }
    if !allows(who, Action::Edit, own) {
        return Err(PanelError::Forbidden);
    }
    let (places, _) = pool::rankings(&app.db, enabler.programme_id).await?;
    let chose_me = |award: &i64| places.iter().any(|(a, e, _)| a == award && *e == enabler_id);
    let all: Vec<i64> = ranked.iter().chain(cannot_take).copied().collect();
    for (i, award) in all.iter().enumerate() {
        if !chose_me(award) {
            return Err(invalid("places", "Rank only the places that chose you"));
        }
        if all[..i].contains(award) {
            return Err(invalid(
                "places",
                "Rank each place once, or mark it as one you cannot take",
            ));
        }
    }
    let choices: Vec<EnablerChoice> = (1_i64..)
        .zip(ranked)
        .map(|(rank, award)| EnablerChoice {
            award_id: *award,
            rank: Some(rank),
            cannot_take: false,
        })
        .chain(cannot_take.iter().map(|award| EnablerChoice {
            award_id: *award,
            rank: None,
            cannot_take: true,
        }))
        .collect();
    let mut work = app.begin(Some(who.user_id.0)).await?;
    pool::set_enabler_choices(work.tx(), enabler_id, &choices).await?;
    work.commit().await?;
    Ok(())
}

/// The proposal of a matching over `built`.
fn proposal_of(built: &Built, enabler_of: &[Option<usize>], unmatched: &[rules::Unmatched]) -> Proposal {
    let rank = |list: &[usize], x: usize| list.iter().position(|y| *y == x).map(|r| r + 1);
    let pairs = enabler_of
        .iter()
        .enumerate()
        .filter_map(|(p, e)| e.map(|e| (p, e)))
        .map(|(p, e)| Pair {
            award_id: built.awards[p],
            enabler_id: built.enablers[e],
            place_rank: rank(&built.instance.places[p].ranks, e),
            enabler_rank: rank(&built.instance.enablers[e].ranks, p),
            by_hand: false,
        })
        .collect();
    let unmatched = unmatched
        .iter()
        .map(|u| Unmatched {
            award_id: built.awards[u.place],
            refused_by: u
                .why
                .iter()
                .map(|(e, r)| {
                    (
                        built.enablers[*e],
                        if *r == Refusal::Conflict {
                            "conflict"
                        } else {
                            "full"
                        }
                        .into(),
                    )
                })
                .collect(),
        })
        .collect();
    Proposal { pairs, unmatched }
}

/// Runs the matching for the programme and keeps what it proposed.
pub async fn run(app: &App, who: &Principal, programme: ProgrammeId) -> Result<(MatchingRun, Proposal)> {
    admin_only(who, programme)?;
    let built = build(app, programme).await?;
    if let Some(p) = rules::problems(&built.instance).first() {
        return Err(PanelError::State(p.message.clone()));
    }
    let matching = rules::match_places(&built.instance);
    let proposal = proposal_of(&built, &matching.enabler_of, &matching.unmatched);
    let json = serde_json::to_string(&proposal).map_err(|e| PanelError::State(e.to_string()))?;
    let mut work = app.begin(Some(who.user_id.0)).await?;
    let now = work.now();
    pool::insert_run(work.tx(), programme, &json, who.user_id, now).await?;
    work.audit(AuditAction::MatchingRun, Some(programme.0)).await?;
    work.commit().await?;
    let run = pool::latest_run(&app.db, programme)
        .await?
        .ok_or(PanelError::NotFound)?;
    Ok((run, proposal))
}

/// The programme's latest run and its proposal, for its admins.
pub async fn latest(
    app: &App,
    who: &Principal,
    programme: ProgrammeId,
) -> Result<Option<(MatchingRun, Proposal)>> {
    admin_only(who, programme)?;
    let Some(run) = pool::latest_run(&app.db, programme).await? else {
        return Ok(None);
    };
    let proposal = serde_json::from_str(&run.result)
        .map_err(|e| PanelError::State(format!("The matching run could not be read: {e}")))?;
    Ok(Some((run, proposal)))
}

/// Gives a place (by its award) to an enabler by hand, or with `None` leaves it unmatched,
/// over the run's version. Returns the pairs, as (award, enabler), that would each rather
/// have the other than what they now hold: empty when the matching is still stable.
pub async fn change(
    app: &App,
    who: &Principal,
    programme: ProgrammeId,
    (award_id, enabler_id): (i64, Option<i64>),
    (run_id, expected_version): (i64, i64),
) -> Result<Vec<(i64, i64)>> {
    let (run, mut proposal) = latest(app, who, programme).await?.ok_or(PanelError::NotFound)?;
    // A form shown for an earlier run is stale, whatever its version.
    if run.id != run_id {
        return Err(PanelError::Stale);
    }
    let built = build(app, programme).await?;
    let place = built.awards.iter().position(|a| *a == award_id);
    let enabler = enabler_id.map(|id| built.enablers.iter().position(|x| *x == id));
    // An unknown place, or an enabler named but not in the approved pool.
    let (Some(p), None | Some(Some(_))) = (place, enabler) else {
        return Err(invalid(
            "enabler",
            "Choose an enabler from the pool for a place that ranked enablers",
        ));
    };
    let e = enabler.flatten();
    let mut enabler_of = enabler_of(&built, &proposal);
    enabler_of[p] = e;
    if let Some(b) = rules::breaches(&built.instance, &enabler_of).first() {
        return Err(invalid("enabler", b.to_string()));
    }
    let by_hand: Vec<i64> = proposal
        .pairs
        .iter()
        .filter(|x| x.by_hand)
        .map(|x| x.award_id)
        .collect();
    let mut kept_unmatched: Vec<Unmatched> = proposal
        .unmatched
        .iter()
        .filter(|u| u.award_id != award_id)
        .cloned()
        .collect();
    if e.is_none() {
        kept_unmatched.push(Unmatched {
            award_id,
            refused_by: Vec::new(),
        });
    }
    proposal = proposal_of(&built, &enabler_of, &[]);
    proposal.unmatched = kept_unmatched;
    for pair in proposal.pairs.iter_mut() {
        pair.by_hand = pair.award_id == award_id || by_hand.contains(&pair.award_id);
    }
    let json = serde_json::to_string(&proposal).map_err(|e| PanelError::State(e.to_string()))?;
    let mut work = app.begin(Some(who.user_id.0)).await?;
    if !pool::change_run(work.tx(), run.id, &json, expected_version).await? {
        return Err(PanelError::Stale);
    }
    work.audit(AuditAction::MatchingChanged, Some(award_id)).await?;
    work.commit().await?;
    Ok(blocking(&built, &enabler_of))
}

/// Each place's enabler in `proposal`, by their indices in `built` (a pair whose enabler
/// has left the approved pool counts as unmatched).
fn enabler_of(built: &Built, proposal: &Proposal) -> Vec<Option<usize>> {
    built
        .awards
        .iter()
        .map(|a| {
            let pair = proposal.pairs.iter().find(|x| x.award_id == *a)?;
            built.enablers.iter().position(|x| *x == pair.enabler_id)
        })
        .collect()
}

/// The pairs, as (award, enabler), that would each rather have the other than what
/// `enabler_of` gives them.
fn blocking(built: &Built, enabler_of: &[Option<usize>]) -> Vec<(i64, i64)> {
    rules::blocking_pairs(&built.instance, enabler_of)
        .into_iter()
        .map(|(p, e)| (built.awards[p], built.enablers[e]))
        .collect()
}

/// The blocking pairs of `proposal` under the rankings as they stand now: empty while it
/// is stable. The matching page warns of each.
pub(super) async fn blocking_now(
    app: &App,
    programme: ProgrammeId,
    proposal: &Proposal,
) -> Result<Vec<(i64, i64)>> {
    let built = build(app, programme).await?;
    Ok(blocking(&built, &enabler_of(&built, proposal)))
}

/// Confirms the latest run at the version the admin saw: each pair's engagement starts on
/// `starts_on` with its allocation to the 31 March after, and both sides are emailed.
pub async fn confirm(
    app: &App,
    who: &Principal,
    programme: ProgrammeId,
    (run_id, expected_version): (i64, i64),
    starts_on: Date,
) -> Result<Vec<i64>> {
    let (run, proposal) = latest(app, who, programme).await?.ok_or(PanelError::NotFound)?;
    if run.id != run_id {
        return Err(PanelError::Stale);
    }
    let mut pairs = Vec::new();
    for pair in &proposal.pairs {
        let award = award_store::award(&app.db, pair.award_id).await?;
        let enabler = pool::enabler(&app.db, pair.enabler_id).await?;
        if award.status != AwardStatus::Accepted || enabler.status != PoolStatus::Approved {
            return Err(PanelError::State(format!(
                "{} and {} can no longer be matched: run the matching again",
                award.place_name, enabler.name
            )));
        }
        let to = convene_store::users::place_lead_emails(&app.db, award.place_id).await?;
        pairs.push((pair, award, enabler, to));
    }
    let minutes = convene_store::programmes::contact_day_minutes(&app.db, programme).await?;
    let day = u32::try_from(minutes)
        .ok()
        .and_then(DayLength::from_minutes)
        .unwrap_or_default();
    let plan = Plan::starting(starts_on, day).map_err(|e| invalid("start_date", e.to_string()))?;
    let mut work = app.begin(Some(who.user_id.0)).await?;
    let now = work.now();
    if !pool::confirm_run(work.tx(), run.id, expected_version, who.user_id, now).await? {
        return Err(PanelError::Stale);
    }
    work.audit(AuditAction::MatchingConfirmed, Some(programme.0))
        .await?;
    let mut started = Vec::new();
    for (pair, award, enabler, mut to) in pairs {
        if engagement_store::live_for_award(work.tx(), pair.award_id).await? {
            return Err(PanelError::State(format!(
                "{} already has an engagement",
                award.place_name
            )));
        }
        let new = NewEngagement {
            programme_id: programme,
            award_id: pair.award_id,
            enabler_id: pair.enabler_id,
            starts_on: plan.start,
            ends_on: plan.end,
            allocation_minutes: plan.allocation.0,
            day_minutes: i64::from(day.minutes()),
            follows_id: None,
        };
        let id = engagement_store::create(work.tx(), &new, Some(who.user_id), now).await?;
        work.audit(AuditAction::EngagementStarted, Some(id)).await?;
        to.push(enabler.email.clone());
        for address in to {
            let message = mail::MatchConfirmed {
                to: address,
                place: award.place_name.clone(),
                enabler: enabler.name.clone(),
                starts: convene_domain::engagements::date_words(plan.start),
                allocation: day.days_text(plan.allocation),
                link: format!("{}/engagements/{id}", app.settings.public_url),
            };
            work.send(&message).await?;
        }
        started.push(id);
    }
    work.commit().await?;
    Ok(started)
}
