//! The enabler pool: a person asks to join a programme's pool with a profile (a role
//! request the programme's admins decide, as places' requests are:
//! `registration::requests`), the pool as admins, its enablers and funded places' leads
//! browse it, one enabler's profile with their caseload, and editing one's own profile.

use super::{PanelError, Problem, Result};
use crate::App;
use crate::registration::tell_admins;
use convene_domain::accounts::Role;
use convene_domain::awards::AwardStatus;
use convene_domain::policy::{Action, Principal, Resource, allows};
use convene_domain::programmes::Programme;
use convene_store::enablers::{self as store, engagements as engagement_store};
use jiff::civil::Date;

pub use convene_store::enablers::engagements::Engagement;
pub use convene_store::enablers::{Enabler, PoolStatus, Profile};

/// The most places one enabler may say they can hold in a year.
pub const MOST_PLACES: i64 = 20;

/// A profile as typed: lists one item per line, capacity as text.
#[derive(Debug, Clone, Default)]
pub struct ProfileInput {
    pub bio: String,
    pub expertise: String,
    pub sectors: String,
    pub regions: String,
    pub capacity: String,
    pub available_from: Option<Date>,
    pub available_to: Option<Date>,
}

fn lines(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

/// The profile typed, or each problem with it by field.
pub fn check_profile(input: &ProfileInput) -> std::result::Result<Profile, Vec<Problem>> {
    let mut problems = Vec::new();
    let mut add = |field: &str, message: &str| {
        problems.push(Problem {
            field: field.into(),
            message: message.into(),
        })
    };
    let bio = input.bio.trim();
    if bio.is_empty() {
        add("bio", "Enter a short description of your work for places to read");
    } else if bio.chars().count() > 1000 {
        add("bio", "The description must be 1,000 characters or fewer");
    }
    for (field, what) in [
        ("expertise", "area of expertise"),
        ("sectors", "sector"),
        ("regions", "region"),
    ] {
        let items = lines(match field {
            "expertise" => &input.expertise,
            "sectors" => &input.sectors,
            _ => &input.regions,
        });
        if items.is_empty() {
            add(field, &format!("Enter at least one {what}, one to a line"));
        } else if items.len() > 12 || items.iter().any(|i| i.chars().count() > 80) {
            add(field, "Enter at most 12 of them, each of 80 characters or fewer");
        }
    }
    let capacity = input.capacity.trim().parse::<i64>().ok();
    if !capacity.is_some_and(|c| (1..=MOST_PLACES).contains(&c)) {
        add(
            "capacity",
            &format!("Enter how many places you can hold this year, a whole number from 1 to {MOST_PLACES}"),
        );
    }
    match (input.available_from, input.available_to) {
        (None, _) => add("available_from_day", "Enter the date you are available from"),
        (Some(_), None) => add("available_to_day", "Enter the date you are available until"),
        (Some(from), Some(to)) if to < from => add(
            "available_to_day",
            "The date you are available until must be on or after the date you are available from",
        ),
        _ => {}
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(Profile {
        bio: bio.to_string(),
        expertise: lines(&input.expertise),
        sectors: lines(&input.sectors),
        regions: lines(&input.regions),
        capacity: capacity.unwrap_or(1),
        available_from: input.available_from.map(|d| d.to_string()).unwrap_or_default(),
        available_to: input.available_to.map(|d| d.to_string()).unwrap_or_default(),
    })
}

async fn programme(app: &App, slug: &str) -> Result<Programme> {
    convene_store::programmes::by_slug(&app.db, slug)
        .await?
        .ok_or(PanelError::NotFound)
}

/// The programme with this slug and the asker's place in its pool, if any: for the join
/// page, open to anyone signed in.
pub async fn membership(app: &App, who: &Principal, slug: &str) -> Result<(Programme, Option<Enabler>)> {
    let programme = programme(app, slug).await?;
    let mine = store::of_user(&app.db, who.user_id)
        .await?
        .into_iter()
        .find(|e| e.programme_id == programme.id);
    Ok((programme, mine))
}

/// Asks to join the pool of the programme with this slug, with a profile: pending until
/// an admin approves the request, who is emailed. Returns the request's id.
pub async fn ask_to_join(app: &App, who: &Principal, slug: &str, input: &ProfileInput) -> Result<i64> {
    let (programme, mine) = membership(app, who, slug).await?;
    if mine.is_some() {
        return Err(PanelError::State(format!(
            "You have already asked to join the enabler pool of {}",
            programme.name
        )));
    }
    let profile = check_profile(input).map_err(PanelError::Invalid)?;
    let mut work = app.begin(Some(who.user_id.0)).await?;
    let now = work.now();
    let Some(enabler) = store::ask_to_join(work.tx(), programme.id, who.user_id, &profile, now).await? else {
        return Err(PanelError::Stale);
    };
    let id = convene_store::requests::create_to_join_pool(work.tx(), who.user_id, enabler, programme.id, now)
        .await?;
    let what = format!("join the enabler pool of {}", programme.name);
    tell_admins(app, &mut work, programme.id, id, &what).await?;
    work.commit().await?;
    Ok(id)
}

/// Which enablers to show: those whose lists hold each chosen word (empty: any).
#[derive(Debug, Clone, Default)]
pub struct PoolFilter {
    pub expertise: String,
    pub sector: String,
    pub region: String,
}

/// A programme's pool as one asker may see it.
#[derive(Debug, Clone)]
pub struct PoolView {
    pub programme: Programme,
    /// True for the programme's admins: they see everyone, with addresses and status.
    pub can_vet: bool,
    /// The enablers shown: approved ones (and for admins, every one) that match the filter.
    pub enablers: Vec<Enabler>,
    /// Every expertise, sector and region named in the approved pool, for the filter.
    pub facets: [Vec<String>; 3],
}

/// The pool of the programme with this slug, for its admins, its approved enablers and
/// the leads of its funded places; anyone else is told it is not found.
pub async fn browse(app: &App, who: &Principal, slug: &str, filter: &PoolFilter) -> Result<PoolView> {
    let programme = programme(app, slug).await?;
    let everyone = store::of_programme(&app.db, programme.id).await?;
    let in_pool = everyone
        .iter()
        .any(|e| e.user_id == who.user_id && e.status == PoolStatus::Approved);
    let funded_lead = convene_store::awards::of_programme(&app.db, programme.id)
        .await?
        .iter()
        .any(|a| a.status == AwardStatus::Accepted && who.holds(Role::PlaceLead, Some(a.place_id.0)));
    let resource = Resource::EnablerPool {
        programme_id: programme.id,
        in_pool,
        funded_lead,
    };
    if !allows(who, Action::View, resource) {
        return Err(PanelError::NotFound);
    }
    let can_vet = allows(who, Action::Edit, resource);
    let approved = |e: &&Enabler| e.status == PoolStatus::Approved;
    let facet = |pick: fn(&Profile) -> &Vec<String>| {
        let mut all: Vec<String> = everyone
            .iter()
            .filter(approved)
            .flat_map(|e| pick(&e.profile).iter().cloned())
            .collect();
        all.sort();
        all.dedup();
        all
    };
    let facets = [
        facet(|p| &p.expertise),
        facet(|p| &p.sectors),
        facet(|p| &p.regions),
    ];
    let has = |list: &[String], word: &str| word.is_empty() || list.iter().any(|x| x == word);
    let enablers = everyone
        .iter()
        .filter(|e| can_vet || approved(e))
        .filter(|e| has(&e.profile.expertise, &filter.expertise))
        .filter(|e| has(&e.profile.sectors, &filter.sector))
        .filter(|e| has(&e.profile.regions, &filter.region))
        .cloned()
        .collect();
    Ok(PoolView {
        programme,
        can_vet,
        enablers,
        facets,
    })
}

/// One enabler's profile as the asker may see it.
#[derive(Debug, Clone)]
pub struct ProfileView {
    pub enabler: Enabler,
    /// The programme's slug, for links back to its pool.
    pub programme_slug: String,
    /// True for the enabler themselves.
    pub own: bool,
    /// Their engagements, for themselves and the programme's admins; None for others.
    pub caseload: Option<Vec<Engagement>>,
}

/// An enabler's profile: their own, any for the programme's admins, and an approved one
/// for whoever may browse the pool. The caseload only for themselves and the admins.
pub async fn profile(app: &App, who: &Principal, id: i64) -> Result<ProfileView> {
    let enabler = store::enabler(&app.db, id).await?;
    let own_part = Resource::EnablerOwn {
        programme_id: enabler.programme_id,
        owner: enabler.user_id,
    };
    let programme = convene_store::programmes::by_ids(&app.db, &[enabler.programme_id])
        .await?
        .pop()
        .ok_or(PanelError::NotFound)?;
    let insider = allows(who, Action::View, own_part);
    if !insider {
        // Anyone else sees an approved profile only if they may browse its pool.
        let pool = browse(app, who, &programme.slug, &PoolFilter::default()).await?;
        if !pool.enablers.iter().any(|e| e.id == id) {
            return Err(PanelError::NotFound);
        }
    }
    let caseload = match insider {
        true => Some(engagement_store::of_enabler(&app.db, id).await?),
        false => None,
    };
    Ok(ProfileView {
        own: allows(who, Action::Edit, own_part),
        enabler,
        programme_slug: programme.slug,
        caseload,
    })
}

/// Saves an enabler's own profile over the version they saw.
pub async fn save_profile(
    app: &App,
    who: &Principal,
    id: i64,
    input: &ProfileInput,
    version: i64,
) -> Result<()> {
    let view = profile(app, who, id).await?;
    if !view.own {
        return Err(PanelError::Forbidden);
    }
    let profile = check_profile(input).map_err(PanelError::Invalid)?;
    let mut work = app.begin(Some(who.user_id.0)).await?;
    if !store::save_profile(work.tx(), id, &profile, version).await? {
        return Err(PanelError::Stale);
    }
    work.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn typed() -> ProfileInput {
        ProfileInput {
            bio: "Coaching system leaders.".into(),
            expertise: "Coaching\n\n Systems leadership \n".into(),
            sectors: "NHS".into(),
            regions: "North West".into(),
            capacity: "3".into(),
            available_from: Some(jiff::civil::date(2013, 7, 1)),
            available_to: Some(jiff::civil::date(2014, 3, 31)),
        }
    }

    #[test]
    fn a_good_profile_is_read_line_by_line() {
        let p = check_profile(&typed()).unwrap();
        assert_eq!(p.expertise, ["Coaching", "Systems leadership"]);
        assert_eq!((p.capacity, p.available_from.as_str()), (3, "2013-07-01"));
    }

    #[test]
    fn a_capacity_of_nought_and_dates_the_wrong_way_round_are_refused() {
        let mut input = typed();
        input.capacity = "0".into();
        input.available_to = Some(jiff::civil::date(2013, 6, 1));
        input.regions = String::new();
        let fields: Vec<String> = check_profile(&input)
            .unwrap_err()
            .into_iter()
            .map(|p| p.field)
            .collect();
        assert_eq!(fields, ["regions", "capacity", "available_to_day"]);
    }
}
