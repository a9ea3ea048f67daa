//! Local Vision's made-up third round, under review: 30 applications submitted by made-up
//! places, a panel of six chaired by Pat, conflicts declared, bids placed, the assignment
//! run, and about a third of the reviews in, two applications flagged for disagreement.
//! Pat has applications left to score, so a newcomer signed in as Pat can score one.

mod reviews;

use std::collections::BTreeMap;

use super::applications::{Letter, sign_off_and_submit, write_answers};
use super::london;
use super::people::{DEMO_ACCOUNTS, THIRD_ROUND_PANEL, panel_accounts};
use super::places::{THIRD_ROUND_PLACES, load_third_round_places};
use super::programmes::{LOCAL_VISION_THEMES, ensure_form};
use crate::panels::assignment::{Assigned, Run};
use crate::panels::{self as store, MemberSettings};
use crate::{Result, StoreError, Tx, on_tx, users};
use convene_domain::accounts::Role;
use convene_domain::forms::FormDefinition;
use convene_domain::panels::assignment::{
    self as rules, Bid, Instance, Member, Pair, region_index, theme_bits,
};
use convene_domain::panels::conflicts::{ConflictWith, Parties, conflicted};
use convene_domain::panels::rubric::Rubric;
use convene_domain::rounds::RoundPlan;
use convene_domain::{ApplicationId, Email, Pence, PlaceId, ProgrammeId, RoundId, Timestamp, UserId};

const DAY: i64 = 24 * 3600;

/// What a panel member declared a conflict with: an organisation by its org-id, or a place
/// by its reference.
enum With {
    Organisation(&'static str),
    Place(&'static str),
}

/// The conflicts the panel declared: the member's email, what with, and why.
const CONFLICTS: [(&str, With, &str); 5] = [
    (
        "pat.panel@example.org",
        With::Place("PL-0033"),
        "I live in Lampwick Green and volunteer with its befriending scheme.",
    ),
    (
        "casey.critwell@example.org",
        With::Organisation("GB-DEMO-NLRN"),
        "I am a trustee of the Northern Lights Recovery Network.",
    ),
    (
        "morgan.marksby@example.org",
        With::Organisation("GB-DEMO-PL-0026-COUNCIL"),
        "I worked for Foxglove Reach Council until last spring.",
    ),
    (
        "sasha.scorewell@example.org",
        With::Organisation("GB-DEMO-ESDC"),
        "I advise the Eastern Shires Data Cooperative on information governance.",
    ),
    (
        "sasha.scorewell@example.org",
        With::Place("PL-0030"),
        "A close friend chairs the Reedmarsh Staithe Health and Wellbeing Board.",
    ),
];

/// A submitted application of the round: its id and its place's position in
/// [`THIRD_ROUND_PLACES`].
#[derive(Debug, Clone, Copy)]
struct Applied {
    id: ApplicationId,
    place: usize,
}

/// The panel as the assignment numbers it: members in the order the store lists them, each
/// with their position in [`THIRD_ROUND_PANEL`].
struct Seated {
    order: Vec<(UserId, usize)>,
}

/// Makes the third round and everything in it, unless the round already has applications
/// (it is all made in one transaction, so then it is all there).
pub(super) async fn load_third_round(
    tx: &mut Tx,
    local_vision: i64,
    form: &FormDefinition,
    now: Timestamp,
) -> Result<()> {
    let plan = third_round(now)?;
    let round_id = crate::programmes::insert_round(tx, ProgrammeId(local_vision), &plan, true).await?;
    let round = RoundId(round_id);
    if has_applications(tx, round).await? {
        return Ok(());
    }
    let closes = plan.closes_at;
    let form_id = ensure_form(tx, round_id, form, plan.opens_at.plus_seconds(-DAY)).await?;
    store::set_reviews_per_application(tx, round, 3).await?;
    store::set_rubric(
        tx,
        round,
        &Rubric::local_vision(),
        plan.opens_at.plus_seconds(-DAY),
    )
    .await?;
    let place_ids = load_third_round_places(tx, local_vision).await?;
    let applied = submit_applications(tx, round, &place_ids, form_id, form, closes).await?;
    let seated = seat_panel(tx, round, closes.plus_seconds(DAY)).await?;
    let declared = declare_conflicts(tx, round, closes.plus_seconds(2 * DAY)).await?;
    let mut instance = instance(tx, round, &plan.themes, &applied, &seated, &declared).await?;
    instance.bids = bids(&instance);
    place_bids(tx, &instance, &applied, &seated, closes.plus_seconds(3 * DAY)).await?;
    let pairs = run_assignment(
        tx,
        round,
        &instance,
        &applied,
        &seated,
        closes.plus_seconds(5 * DAY),
    )
    .await?;
    reviews::score(tx, round, &pairs, &seated, closes.plus_seconds(6 * DAY)).await
}

/// The third round: closed a fortnight before `now`, its review ending four weeks after.
fn third_round(now: Timestamp) -> Result<RoundPlan> {
    let closed = now
        .plus_seconds(-14 * DAY)
        .to_jiff()
        .to_zoned_datetime(convene_domain::time::london());
    let closes_at = london(closed.year(), closed.month(), closed.day(), 23, 59, 59)?;
    let review_ends_at = closes_at.plus_seconds(42 * DAY);
    Ok(RoundPlan {
        slug: "2026-third-round".into(),
        name: "Local Vision 2026: third round".into(),
        reference_prefix: "LV-2026".into(),
        opens_at: closes_at.plus_seconds(-56 * DAY),
        closes_at,
        places_offered: 12,
        eligibility: "Any made-up place in this demonstration, with its Health and Wellbeing Board chair's \
                      sign-off."
            .into(),
        review_ends_at,
        notify_by: review_ends_at.plus_seconds(7 * DAY),
        launch_event_at: None,
        launch_event_location: None,
        value_per_place: Pence::pounds(35_000),
        themes: LOCAL_VISION_THEMES.lines().map(str::to_string).collect(),
    })
}

async fn has_applications(tx: &mut Tx, round: RoundId) -> Result<bool> {
    let (n,): (i64,) = on_tx!(tx, |conn| {
        sqlx::query_as("SELECT COUNT(*) FROM applications WHERE round_id = $1")
            .bind(round.0)
            .fetch_one(conn)
            .await?
    });
    Ok(n > 0)
}

/// Each place's application, written in the weeks before the deadline, signed off by its
/// board chair and submitted; returned by id.
async fn submit_applications(
    tx: &mut Tx,
    round: RoundId,
    place_ids: &[i64],
    form_id: i64,
    form: &FormDefinition,
    closes: Timestamp,
) -> Result<Vec<Applied>> {
    let mut applied = Vec::new();
    for (i, ((name, _, _, issue, theme), place_id)) in THIRD_ROUND_PLACES.iter().zip(place_ids).enumerate() {
        // Written between 3 and 22 days before the deadline; signed and sent two days later.
        let written = closes.plus_seconds(-((3 + (i as i64 * 7) % 20) * DAY));
        let (id, _) =
            crate::applications::start(tx, round, PlaceId(*place_id), form_id, None, written).await?;
        let texts = letter_texts(i, name, issue);
        let texts: Vec<(&str, &str)> = texts.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let letter = Letter { theme, texts: &texts };
        let all = write_answers(tx, id, *place_id, form, &letter, false, written).await?;
        sign_off_and_submit(tx, id, *place_id, &all, "submitted", written).await?;
        applied.push(Applied {
            id: ApplicationId(id),
            place: i,
        });
    }
    applied.sort_by_key(|a| a.id);
    Ok(applied)
}

/// A made-up letter's answers for the `i`th place, varied from a few turns of phrase.
fn letter_texts(i: usize, name: &str, issue: &str) -> [(&'static str, String); 4] {
    let history = [
        format!(
            "Partners in {name} have piloted small pieces of work on this for three years; each showed \
             promise but stopped when its funding ended."
        ),
        format!(
            "Residents raised it at every one of last year's {name} listening events, and the council, \
             the health service and the voluntary sector now agree it is the place to start."
        ),
        format!(
            "{name}'s joint needs assessment named it two years running, and a working group of six \
             partners has met monthly since to plan a response."
        ),
    ];
    let gain = [
        "Fewer people reaching crisis, and those who do getting help sooner and closer to home. We will \
         track it through one measure agreed by every partner.",
        "Residents telling their story once, not four times, and services that join up around them. A \
         panel of residents will tell us every six months whether it feels different.",
        "Better health for the people most affected, shown by a few indicators we already collect and \
         reported each quarter to the Health and Wellbeing Board.",
    ];
    let leadership = [
        "Leaders of the council, the health service and the voluntary sector will share one plan and \
         meet as one team, a habit we want to carry into housing and transport."
            .to_string(),
        "Front-line managers will be trusted to change how services work together, with senior leaders \
         clearing the way rather than directing."
            .to_string(),
        format!(
            "A leadership group for {name} that outlasts the project, and a habit of deciding together \
             that we can bring to the next hard problem."
        ),
    ];
    let lessons = [
        "How a small place can pool budgets across partners without making a new organisation. We will \
         write up what we learn and host visits from other places.",
        "What it takes to share information safely between agencies. We will publish our agreements and \
         templates for any place to reuse.",
        "How to involve residents in designing a service from the start. We will share our methods at \
         regional events and online.",
    ];
    [
        ("breakthrough_issue", format!("{issue}. {}", history[i % 3])),
        ("gain_for_residents", gain[(i / 3) % 3].to_string()),
        ("leadership_impact", leadership[(i + 1) % 3].clone()),
        ("wider_lessons", lessons[(i / 2) % 3].to_string()),
    ]
}

/// Puts the six on the panel with Pat as chair; returns them in the order the store lists
/// a panel (chair first, then by name), which is the order the assignment numbers them in.
async fn seat_panel(tx: &mut Tx, round: RoundId, at: Timestamp) -> Result<Seated> {
    let ids = panel_accounts(tx, at).await?;
    for (person, id) in THIRD_ROUND_PANEL.iter().zip(&ids) {
        let themes: Vec<String> = person.themes.iter().map(|t| t.to_string()).collect();
        let settings = MemberSettings {
            load_cap: person.load_cap,
            region: Some(person.region),
            themes: &themes,
        };
        store::put_member(tx, round, *id, settings, at).await?;
    }
    let chair = ids.first().copied().ok_or(StoreError::NotFound)?;
    store::set_chair(tx, round, chair).await?;
    // The same order as `store::panels::members`, read in this transaction.
    let listed: Vec<(i64,)> = on_tx!(tx, |conn| {
        sqlx::query_as(
            "SELECT pm.user_id FROM panel_members pm JOIN users u ON u.id = pm.user_id \
             WHERE pm.round_id = $1 ORDER BY pm.is_chair DESC, u.name, pm.user_id",
        )
        .bind(round.0)
        .fetch_all(conn)
        .await?
    });
    let order = listed
        .into_iter()
        .map(|(id,)| {
            let at = ids.iter().position(|x| x.0 == id).ok_or(StoreError::NotFound)?;
            Ok((UserId(id), at))
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(Seated { order })
}

/// Records [`CONFLICTS`]; returns each member's declarations.
async fn declare_conflicts(
    tx: &mut Tx,
    round: RoundId,
    at: Timestamp,
) -> Result<BTreeMap<UserId, Vec<ConflictWith>>> {
    let mut declared: BTreeMap<UserId, Vec<ConflictWith>> = BTreeMap::new();
    for (i, (email, with, reason)) in CONFLICTS.iter().enumerate() {
        let email = Email::parse(email).map_err(|e| StoreError::Malformed(e.to_string()))?;
        let user = users::by_email_tx(tx, &email)
            .await?
            .ok_or(StoreError::NotFound)?;
        let with = match with {
            With::Organisation(org_id) => {
                ConflictWith::Organisation(id_of(tx, "organisations", "org_id", org_id).await?)
            }
            With::Place(reference) => {
                ConflictWith::Place(PlaceId(id_of(tx, "places", "reference", reference).await?))
            }
        };
        let when = at.plus_seconds(i as i64 * 3600);
        store::conflicts::declare(tx, round, UserId(user), with, reason, when).await?;
        declared.entry(UserId(user)).or_default().push(with);
    }
    Ok(declared)
}

/// The id of the row of `table` whose `column` is `key` (both named here, never typed).
async fn id_of(tx: &mut Tx, table: &str, column: &str, key: &str) -> Result<i64> {
    let sql = format!("SELECT id FROM {table} WHERE {column} = $1");
    let (id,): (i64,) = on_tx!(tx, |conn| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(key)
            .fetch_one(conn)
            .await?
    });
    Ok(id)
}

/// The assignment's instance, built as the app builds it: members in the store's order,
/// applications by id, each with the theme it picked and its place's region, and every
/// pair a declaration covers (by the domain's rule) a conflict. No bids yet.
async fn instance(
    tx: &mut Tx,
    round: RoundId,
    themes: &[String],
    applied: &[Applied],
    seated: &Seated,
    declared: &BTreeMap<UserId, Vec<ConflictWith>>,
) -> Result<Instance> {
    let parties = parties(tx, round).await?;
    let mut conflicts = Vec::new();
    for (m, (user, _)) in seated.order.iter().enumerate() {
        for (a, application) in applied.iter().enumerate() {
            let covered = match (declared.get(user), parties.get(&application.id)) {
                (Some(withs), Some(p)) => conflicted(withs, p),
                _ => false,
            };
            if covered {
                conflicts.push(Pair {
                    member: m as u32,
                    application: a as u32,
                });
            }
        }
    }
    let members = seated
        .order
        .iter()
        .map(|(_, at)| {
            let person = &THIRD_ROUND_PANEL[*at];
            Member {
                themes: theme_bits(themes, person.themes),
                region: region_index(Some(person.region)),
                load_cap: person.load_cap,
            }
        })
        .collect();
    let applications = applied
        .iter()
        .map(|a| {
            let (_, _, region, _, theme) = THIRD_ROUND_PLACES[a.place];
            rules::Application {
                themes: theme_bits(themes, &[theme]),
                region: region_index(Some(region)),
            }
        })
        .collect();
    Ok(Instance {
        reviews_per_application: 3,
        members,
        applications,
        bids: Vec::new(),
        conflicts,
    })
}

/// Who each submitted application of the round names (as `store::panels::conflicts::
/// parties_of_round` reads it), read in this transaction.
async fn parties(tx: &mut Tx, round: RoundId) -> Result<BTreeMap<ApplicationId, Parties>> {
    let rows: Vec<(i64, i64, Option<i64>, Option<i64>)> = on_tx!(tx, |conn| {
        sqlx::query_as(
            "SELECT a.id, a.place_id, pl.accountable_organisation_id, pp.organisation_id FROM applications a \
             JOIN places pl ON pl.id = a.place_id LEFT JOIN place_partners pp ON pp.place_id = a.place_id \
             WHERE a.round_id = $1 AND a.status = 'submitted'",
        )
        .bind(round.0)
        .fetch_all(conn)
        .await?
    });
    let mut out: BTreeMap<ApplicationId, Parties> = BTreeMap::new();
    for (id, place_id, accountable, partner) in rows {
        let parties = out.entry(ApplicationId(id)).or_insert_with(|| Parties {
            place_id: PlaceId(place_id),
            accountable_organisation: accountable,
            partners: Vec::new(),
        });
        parties.partners.extend(partner);
    }
    Ok(out)
}

/// Stores the instance's bids as the members placed them.
async fn place_bids(
    tx: &mut Tx,
    instance: &Instance,
    applied: &[Applied],
    seated: &Seated,
    at: Timestamp,
) -> Result<()> {
    for bid in &instance.bids {
        let user = seated.order[bid.member as usize].0;
        let application = applied[bid.application as usize].id;
        store::assignment::set_bid(tx, application, user, bid.value, at).await?;
    }
    Ok(())
}

/// The members' bids, by position: 0 to 3 on every other application sharing a theme with
/// the member, never on one they are conflicted on (the app refuses those too).
fn bids(instance: &Instance) -> Vec<Bid> {
    let mut out = Vec::new();
    for (m, member) in instance.members.iter().enumerate() {
        for (a, application) in instance.applications.iter().enumerate() {
            let pair = Pair {
                member: m as u32,
                application: a as u32,
            };
            if (m + a) % 2 == 0 && member.themes & application.themes != 0 && !instance.conflicted(pair) {
                out.push(Bid {
                    member: pair.member,
                    application: pair.application,
                    value: ((m + 2 * a) % 4) as u8,
                });
            }
        }
    }
    out
}

/// Runs the exact assignment on the instance and records it as the programme's admin
/// would have; returns the pairs kept.
async fn run_assignment(
    tx: &mut Tx,
    round: RoundId,
    instance: &Instance,
    applied: &[Applied],
    seated: &Seated,
    at: Timestamp,
) -> Result<Vec<Assigned>> {
    let found =
        rules::assign(instance).map_err(|e| StoreError::Malformed(format!("demo assignment: {e}")))?;
    let pairs: Vec<Assigned> = found
        .pairs
        .iter()
        .map(|p| Assigned {
            application_id: applied[p.application as usize].id,
            user_id: seated.order[p.member as usize].0,
            affinity: instance.pair_affinity(*p),
            by_hand: false,
        })
        .collect();
    let run = Run {
        id: 0,
        run_at: at,
        outcome: "assigned".into(),
        total_affinity: found.total_affinity,
        explanation: "[]".into(),
    };
    let admin = DEMO_ACCOUNTS
        .iter()
        .find(|a| a.role == Role::ProgrammeAdmin)
        .ok_or(StoreError::NotFound)?;
    let email = Email::parse(admin.email).map_err(|e| StoreError::Malformed(e.to_string()))?;
    let by = users::by_email_tx(tx, &email)
        .await?
        .ok_or(StoreError::NotFound)?;
    store::assignment::record_run(tx, round, UserId(by), &run, &pairs).await?;
    Ok(pairs)
}
