//! Local Vision's enabler pool and the 2013–14 year of support: twelve made-up enablers
//! (the printed Eden Enablewell among them), an engagement from 2 September 2013 to 31
//! March 2014 for each place the 2013 round funded and for the printed lead's place in its
//! second year, contact logged each Tuesday, one engagement well under pace, and one entry
//! the printed lead queried and Eden answered, waiting for the admin to settle. Recorded
//! once: nothing is added when the pool has anyone in it.

use super::people::{DEMO_ACCOUNTS, DEMO_PASSWORD};
use super::{london, places::PLACES};
use crate::enablers::engagements::{self, NewContact, NewEngagement};
use crate::enablers::{self as pool, PoolStatus, Profile, queries};
use crate::{Result, StoreError, Tx, on_tx, users};
use convene_domain::accounts::{Grant, Role, hash_password};
use convene_domain::engagements::{ContactKind, DayLength, Engagement};
use convene_domain::{Email, ProgrammeId, UserId};
use jiff::civil::{Date, Weekday, date};

/// The enablers besides Eden: name, email, expertise, region. Made up.
pub(super) const POOL: [(&str, &str, &str, &str); 11] = [
    (
        "Morgan Mentorly",
        "morgan.mentorly@example.org",
        "Coaching senior leaders",
        "North West",
    ),
    (
        "Rowan Guidewell",
        "rowan.guidewell@example.org",
        "Whole-system workshops",
        "North East",
    ),
    (
        "Sasha Stepwise",
        "sasha.stepwise@example.org",
        "Data sharing between agencies",
        "London",
    ),
    (
        "Jordan Pathfield",
        "jordan.pathfield@example.org",
        "Integrated care pathways",
        "West Midlands",
    ),
    (
        "Robin Bridgeman",
        "robin.bridgeman@example.org",
        "Community engagement",
        "South West",
    ),
    (
        "Casey Kindlewood",
        "casey.kindlewood@example.org",
        "Older people's services",
        "East of England",
    ),
    (
        "Avery Waymark",
        "avery.waymark@example.org",
        "Alcohol harm",
        "Yorkshire and the Humber",
    ),
    (
        "Drew Thrivewell",
        "drew.thrivewell@example.org",
        "Physical activity",
        "East Midlands",
    ),
    (
        "Kit Lanternby",
        "kit.lanternby@example.org",
        "Facilitation",
        "South East",
    ),
    (
        "Jules Compasson",
        "jules.compasson@example.org",
        "Evaluation and learning",
        "London",
    ),
    (
        "Noor Fairhaven",
        "noor.fairhaven@example.org",
        "Board development",
        "North West",
    ),
];

/// When the year of support began.
const START: Date = date(2013, 9, 2);

/// Which engagement (in order) logs only a little contact, so it shows as under pace.
const UNDER_PACE: usize = 4;

/// Loads the pool and the year's engagements, unless the pool has anyone in it.
pub(super) async fn load_enablers(tx: &mut Tx, local_vision: i64, round_2013: i64) -> Result<()> {
    let programme = ProgrammeId(local_vision);
    let (already,): (i64,) = on_tx!(tx, |conn| sqlx::query_as(
        "SELECT COUNT(*) FROM enablers WHERE programme_id = $1"
    )
    .bind(local_vision)
    .fetch_one(conn)
    .await?);
    if already > 0 {
        return Ok(());
    }
    let admin = printed(tx, Role::ProgrammeAdmin).await?;
    let eden = printed(tx, Role::Enabler).await?;
    // Each enabler's id in the pool and their account.
    let mut enablers = vec![(
        join(
            tx,
            programme,
            eden,
            ("Leadership coaching", "North West"),
            3,
            admin,
        )
        .await?,
        eden,
    )];
    let hash = hash_password(DEMO_PASSWORD).map_err(|e| StoreError::Malformed(e.to_string()))?;
    for (name, email, expertise, region) in POOL {
        let email = Email::parse(email).map_err(|e| StoreError::Malformed(e.to_string()))?;
        let user = match users::by_email_tx(tx, &email).await? {
            Some(id) => id,
            None => users::create(tx, &email, name, &hash, london(2013, 7, 1, 9, 0, 0)?).await?,
        };
        grant_enabler(tx, UserId(user)).await?;
        let id = join(tx, programme, UserId(user), (expertise, region), 2, admin).await?;
        enablers.push((id, UserId(user)));
    }
    // Eden takes the printed lead's place and the first two of the 2013 round; the rest go
    // round the others.
    let lead_place = award_of_place(tx, programme, PLACES[0].1).await?;
    let funded: Vec<(i64,)> = on_tx!(tx, |conn| sqlx::query_as(
        "SELECT id FROM awards WHERE round_id = $1 AND status = 'accepted' ORDER BY id"
    )
    .bind(round_2013)
    .fetch_all(conn)
    .await?);
    let awards: Vec<i64> = std::iter::once(lead_place)
        .chain(funded.into_iter().map(|(id,)| id))
        .collect();
    let mut started = Vec::new();
    for (i, award) in awards.iter().enumerate() {
        let (enabler, user) = if i < 3 {
            enablers[0]
        } else {
            enablers[1 + (i - 3) % POOL.len()]
        };
        let engagement = engage(tx, programme, (*award, enabler), admin).await?;
        log_year(tx, engagement, user, i == UNDER_PACE).await?;
        started.push(engagement);
    }
    query_one(tx, started[0], eden).await
}

/// The printed account with this role.
async fn printed(tx: &mut Tx, role: Role) -> Result<UserId> {
    let account = DEMO_ACCOUNTS
        .iter()
        .find(|a| a.role == role)
        .ok_or(StoreError::NotFound)?;
    let email = Email::parse(account.email).map_err(|e| StoreError::Malformed(e.to_string()))?;
    let id = users::by_email_tx(tx, &email)
        .await?
        .ok_or(StoreError::NotFound)?;
    Ok(UserId(id))
}

async fn grant_enabler(tx: &mut Tx, user: UserId) -> Result<()> {
    let grant = Grant {
        role: Role::Enabler,
        scope_id: None,
    };
    users::grant(tx, user, grant, london(2013, 7, 8, 9, 0, 0)?).await
}

/// Puts someone in the pool, approved by the admin; their enabler id.
async fn join(
    tx: &mut Tx,
    programme: ProgrammeId,
    user: UserId,
    (expertise, region): (&str, &str),
    capacity: i64,
    admin: UserId,
) -> Result<i64> {
    let profile = Profile {
        bio: format!(
            "An experienced leadership development enabler: {}.",
            expertise.to_lowercase()
        ),
        expertise: vec![expertise.to_string(), "Systems leadership".into()],
        sectors: vec!["Local government".into(), "NHS".into()],
        regions: vec![region.to_string()],
        capacity,
        available_from: "2013-07-01".into(),
        available_to: "2014-03-31".into(),
    };
    let asked = london(2013, 7, 1, 9, 0, 0)?;
    let id = pool::ask_to_join(tx, programme, user, &profile, asked)
        .await?
        .ok_or_else(|| StoreError::Malformed("demo: already in the pool".into()))?;
    let approved = asked.plus_seconds(7 * 24 * 3600);
    pool::set_status(
        tx,
        id,
        (PoolStatus::Pending, PoolStatus::Approved),
        admin,
        approved,
    )
    .await?;
    Ok(id)
}

async fn award_of_place(tx: &mut Tx, programme: ProgrammeId, place_reference: &str) -> Result<i64> {
    let (id,): (i64,) = on_tx!(tx, |conn| {
        sqlx::query_as(
            "SELECT a.id FROM awards a JOIN places p ON p.id = a.place_id \
         WHERE p.reference = $1 AND a.programme_id = $2 AND a.status = 'accepted' ORDER BY a.id LIMIT 1",
        )
        .bind(place_reference)
        .bind(programme.0)
        .fetch_one(conn)
        .await?
    });
    Ok(id)
}

/// Starts the pair's engagement on [`START`]; its id.
async fn engage(
    tx: &mut Tx,
    programme: ProgrammeId,
    (award, enabler): (i64, i64),
    admin: UserId,
) -> Result<i64> {
    let day = DayLength::STANDARD;
    let e = Engagement::starting(START, day).map_err(|e| StoreError::Malformed(e.to_string()))?;
    let new = NewEngagement {
        programme_id: programme,
        award_id: award,
        enabler_id: enabler,
        starts_on: e.start,
        ends_on: e.end,
        allocation_minutes: e.allocation.0,
        day_minutes: i64::from(day.minutes()),
        follows_id: None,
    };
    engagements::create(tx, &new, Some(admin), london(2013, 8, 30, 12, 0, 0)?).await
}

/// Contact each Tuesday to the end of March, but Christmas week: a day's work each week
/// (a workshop one week, coaching the next), or when `under_pace` three hours a fortnight.
async fn log_year(tx: &mut Tx, engagement: i64, by: UserId, under_pace: bool) -> Result<()> {
    let mut day = START;
    while day.weekday() != Weekday::Tuesday {
        day = day.tomorrow().map_err(|e| StoreError::Malformed(e.to_string()))?;
    }
    let mut week = 0;
    while day <= date(2014, 3, 31) {
        let christmas = day == date(2013, 12, 24) || day == date(2013, 12, 31);
        if !christmas && (!under_pace || week % 2 == 0) {
            let (minutes, kind, notes) = match (under_pace, week % 2) {
                (true, _) => (180, ContactKind::Meeting, "Catch-up with the place's lead"),
                (false, 0) => (
                    450,
                    ContactKind::Workshop,
                    "Partnership workshop on the breakthrough issue",
                ),
                _ => (450, ContactKind::Coaching, "Coaching the leadership group"),
            };
            let entry = NewContact {
                engagement_id: engagement,
                on_date: day,
                minutes,
                kind: kind.key(),
                notes,
            };
            let logged = london(day.year(), day.month(), day.day(), 18, 0, 0)?;
            engagements::log_contact(tx, &entry, by, logged).await?;
        }
        week += 1;
        day = day
            .checked_add(jiff::Span::new().days(7))
            .map_err(|e| StoreError::Malformed(e.to_string()))?;
    }
    Ok(())
}

/// The printed lead queries the second entry of their place's engagement; Eden answers.
async fn query_one(tx: &mut Tx, engagement: i64, eden: UserId) -> Result<()> {
    let lead = printed(tx, Role::PlaceLead).await?;
    let (entry,): (i64,) = on_tx!(tx, |conn| sqlx::query_as(
        "SELECT id FROM contact_entries WHERE engagement_id = $1 ORDER BY on_date, id LIMIT 1 OFFSET 1"
    )
    .bind(engagement)
    .fetch_one(conn)
    .await?);
    let raised = london(2013, 9, 12, 9, 30, 0)?;
    let reason = "We met for the morning only: the afternoon session was cancelled.";
    let query = queries::raise(tx, entry, reason, lead, raised).await?;
    let answer = "The afternoon went ahead with the board's officers; I can share the notes.";
    queries::answer(tx, query, answer, eden, raised.plus_seconds(26 * 3600)).await?;
    Ok(())
}
