//! The awards Local Vision has made: the 8 places already underway were funded in late
//! 2012, before Convene (no round, no application); the 2013 round's panel decided on
//! paper on 7 June 2013 (22 funded, 4 on the reserve list, 4 not funded), its letters went
//! out on the notification date and every funded place accepted. Recorded once (keyed by
//! award reference and by application), as history: nothing goes in the outbox.

use super::london;
use super::people::DEMO_ACCOUNTS;
use super::places::PLACES;
use super::places_2013::ROUND_2013_PLACES;
use crate::awards::{self as store, NewAward, decisions, letters, open_data};
use crate::{Result, StoreError, Tx, on_tx, users};
use convene_domain::accounts::Role;
use convene_domain::awards::{AwardDates, AwardStatus, Outcome, award_dates, value_problem};
use convene_domain::{ApplicationId, Email, Pence, PlaceId, ProgrammeId, RoundId, Timestamp, UserId};

const DAY: i64 = 24 * 3600;

/// Local Vision's 360Giving identifier prefix (made up).
const GRANT_PREFIX: &str = "360G-localvision";

/// What each place already underway was awarded in 2012, and the match contribution it
/// pledged.
const EARLIER_VALUE: i64 = 35_000;
const EARLIER_PLEDGE: i64 = 10_000;

/// Why the 2013 decisions were recorded without reviews in Convene.
const OVERRIDE_REASON: &str = "Decided by the 2013 panel on paper, before Convene";

/// Where the demo records Local Vision's awards.
#[derive(Debug, Clone, Copy)]
struct Fund {
    programme: ProgrammeId,
    /// The programme admin, who recorded them.
    admin: UserId,
}

/// Sets Local Vision's 360Giving prefix (unless set) and records its awards: the 8 places
/// underway since 2012, then the 2013 round's decisions, letters and awards.
pub(super) async fn load_awards(tx: &mut Tx, local_vision: i64, round_2013: i64) -> Result<()> {
    let programme = ProgrammeId(local_vision);
    set_prefix_if_blank(tx, programme).await?;
    let fund = Fund {
        programme,
        admin: programme_admin(tx).await?,
    };
    earlier_awards(tx, fund).await?;
    decide_2013(tx, fund, RoundId(round_2013)).await
}

async fn set_prefix_if_blank(tx: &mut Tx, programme: ProgrammeId) -> Result<()> {
    let (prefix,): (String,) = on_tx!(tx, |conn| {
        sqlx::query_as("SELECT grant_prefix FROM programmes WHERE id = $1")
            .bind(programme.0)
            .fetch_one(conn)
            .await?
    });
    if prefix.trim().is_empty() {
        open_data::set_grant_prefix(tx, programme, GRANT_PREFIX).await?;
    }
    Ok(())
}

/// The awards of the 8 places already underway (the first 8 of [`PLACES`]): made and
/// announced on 3 December 2012, accepted a week later, starting on 7 January 2013 and
/// running to 31 March 2014; references LV-2012-01 to LV-2012-08.
async fn earlier_awards(tx: &mut Tx, fund: Fund) -> Result<()> {
    let made = london(2012, 12, 3, 10, 0, 0)?;
    let dates = award_dates(made, Some(london(2013, 1, 7, 10, 0, 0)?), made);
    for (i, (_, place_reference, _, issue, _)) in PLACES.iter().take(8).enumerate() {
        let reference = format!("LV-2012-{:02}", i + 1);
        if award_exists(tx, &reference).await? {
            continue;
        }
        let place = place_id(tx, place_reference).await?;
        let award = Offer {
            round: None,
            application: None,
            place,
            reference: &reference,
            value: Pence::pounds(EARLIER_VALUE),
            match_pledge: Pence::pounds(EARLIER_PLEDGE),
            dates,
        };
        let id = offer(tx, fund, &award, made).await?;
        on_tx!(tx, |conn| {
            sqlx::query("UPDATE awards SET announced_at = offered_at WHERE id = $1 AND announced_at IS NULL")
                .bind(id)
                .execute(conn)
                .await?;
        });
        let answered = made.plus_seconds(7 * DAY + i as i64 * 3600);
        accept(tx, fund, id, place, issue, answered).await?;
    }
    Ok(())
}

/// The 2013 round as it was recorded: each submitted application decided by the programme
/// admin on 7 June 2013, its letter sent on the notification date, each funded place's
/// award announced then and accepted on 14 June. An application already decided is left
/// as it is.
async fn decide_2013(tx: &mut Tx, fund: Fund, round: RoundId) -> Result<()> {
    let (notify_by, launch, value): (i64, Option<i64>, i64) = on_tx!(tx, |conn| {
        sqlx::query_as("SELECT notify_by, launch_event_at, value_per_place_pence FROM rounds WHERE id = $1")
            .bind(round.0)
            .fetch_one(conn)
            .await?
    });
    let decided = london(2013, 6, 7, 16, 0, 0)?;
    let round = Round {
        id: round,
        notify_by: Timestamp(notify_by),
        dates: award_dates(Timestamp(notify_by), launch.map(Timestamp), decided),
        value: Pence(value),
    };
    let answered = london(2013, 6, 14, 11, 0, 0)?;
    // Oakhurst Cross (the demo lead's second place) was funded too.
    let outcomes = std::iter::once(("Oakhurst Cross", "PL-0009", Outcome::Fund)).chain(
        ROUND_2013_PLACES
            .iter()
            .map(|(name, reference, _, _, _, outcome)| (*name, *reference, *outcome)),
    );
    for (i, (name, reference, outcome)) in outcomes.enumerate() {
        let step = i as i64 * 60;
        let decision = Decided {
            place: place_id(tx, reference).await?,
            name,
            outcome,
            at: decided.plus_seconds(step),
        };
        decide(tx, fund, &round, &decision, answered.plus_seconds(step)).await?;
    }
    Ok(())
}

/// The 2013 round's dates and value per place.
struct Round {
    id: RoundId,
    notify_by: Timestamp,
    dates: AwardDates,
    value: Pence,
}

/// A decision on a place's application.
struct Decided<'a> {
    place: PlaceId,
    name: &'a str,
    outcome: Outcome,
    at: Timestamp,
}

/// Records the decision on the place's submitted application with its feedback, its letter
/// (sent on the notification date) and, when funded, the award (announced with the letter,
/// accepted at `answered`). Nothing when the place has no submitted application in the
/// round, or it is decided already.
async fn decide(
    tx: &mut Tx,
    fund: Fund,
    round: &Round,
    decision: &Decided<'_>,
    answered: Timestamp,
) -> Result<()> {
    let submitted: Option<(i64, Option<String>, Option<i64>)> = on_tx!(tx, |conn| {
        sqlx::query_as(
            "SELECT id, reference, pledge_pence FROM applications \
             WHERE round_id = $1 AND place_id = $2 AND status = 'submitted'",
        )
        .bind(round.id.0)
        .bind(decision.place.0)
        .fetch_optional(conn)
        .await?
    });
    let Some((application, Some(reference), pledge)) = submitted else {
        return Ok(());
    };
    let application = ApplicationId(application);
    let feedback = feedback(decision.outcome, decision.name);
    let save = decisions::DecisionSave {
        round_id: round.id,
        application_id: application,
        expected_version: 0,
        outcome: decision.outcome,
        feedback: &feedback,
        override_reason: Some(OVERRIDE_REASON),
        by: fund.admin,
    };
    if decisions::save(tx, &save, decision.at).await?.is_none() {
        return Ok(());
    }
    let award = match decision.outcome {
        Outcome::Fund => {
            let award = Offer {
                round: Some(round.id),
                application: Some(application),
                place: decision.place,
                reference: &reference,
                value: round.value,
                match_pledge: pledge.map(Pence).unwrap_or(Pence(0)),
                dates: round.dates,
            };
            Some(offer(tx, fund, &award, decision.at).await?)
        }
        Outcome::Reserve | Outcome::Decline => None,
    };
    let letter = decision.outcome.letter();
    letters::queue(
        tx,
        application,
        round.id,
        letter,
        &feedback,
        round.notify_by,
        decision.at,
    )
    .await?;
    send_letter(tx, application, round.notify_by).await?;
    if let Some(award) = award {
        store::announce(tx, application, round.notify_by).await?;
        let issue = store::breakthrough_issue(tx, fund.programme, decision.place)
            .await?
            .unwrap_or_default();
        accept(tx, fund, award, decision.place, &issue, answered).await?;
    }
    Ok(())
}

/// The panel's feedback, by outcome.
fn feedback(outcome: Outcome, name: &str) -> String {
    match outcome {
        Outcome::Fund => format!(
            "A strong partnership behind a breakthrough issue every partner in {name} has signed up to. \
             The panel looks forward to meeting you at the launch event."
        ),
        Outcome::Reserve => format!(
            "A clear breakthrough issue, but the panel wanted more on how residents of {name} will shape \
             the work. You are on the reserve list and will hear from us if a place becomes free."
        ),
        Outcome::Decline => format!(
            "The panel found the issue too broad to make progress on within the year, and the partners' \
             roles in {name} not yet agreed. We hope you will apply to a later round."
        ),
    }
}

/// Marks the application's letter sent at `at` (the notification date).
async fn send_letter(tx: &mut Tx, application: ApplicationId, at: Timestamp) -> Result<()> {
    let (letter,): (i64,) = on_tx!(tx, |conn| {
        sqlx::query_as(
            "SELECT id FROM outcome_letters WHERE application_id = $1 AND sent_at IS NULL \
             ORDER BY id DESC LIMIT 1",
        )
        .bind(application.0)
        .fetch_one(conn)
        .await?
    });
    if letters::claim(tx, letter, at).await? {
        Ok(())
    } else {
        Err(StoreError::Malformed("demo: a 2013 letter was not sent".into()))
    }
}

/// An award the demo makes.
struct Offer<'a> {
    round: Option<RoundId>,
    application: Option<ApplicationId>,
    place: PlaceId,
    reference: &'a str,
    value: Pence,
    match_pledge: Pence,
    dates: AwardDates,
}

/// Makes an award to the place's accountable body for its breakthrough issue, checked
/// against what the fund has available (the demo never overspends); returns its id.
async fn offer(tx: &mut Tx, fund: Fund, award: &Offer<'_>, now: Timestamp) -> Result<i64> {
    let available = store::lock_fund(tx, fund.programme).await?.available();
    if let Some(problem) = value_problem(award.value, available) {
        return Err(StoreError::Malformed(format!(
            "demo award {}: {problem}",
            award.reference
        )));
    }
    let recipient = store::recipient(tx, award.place).await?.ok_or_else(|| {
        StoreError::Malformed(format!("demo award {}: no accountable body", award.reference))
    })?;
    let issue = store::breakthrough_issue(tx, fund.programme, award.place)
        .await?
        .unwrap_or_default();
    let new = NewAward {
        programme_id: fund.programme,
        round_id: award.round,
        application_id: award.application,
        place_id: award.place,
        reference: award.reference,
        recipient_organisation_id: recipient,
        value: award.value,
        match_pledge: award.match_pledge,
        breakthrough_issue: &issue,
        dates: award.dates,
        replaces_award_id: None,
        by: Some(fund.admin),
    };
    store::insert(tx, &new, now).await
}

/// The place accepts its award at `at` (answered by its lead when the demo has one,
/// otherwise recorded by the programme admin from the place's reply) and is underway.
async fn accept(
    tx: &mut Tx,
    fund: Fund,
    award: i64,
    place: PlaceId,
    issue: &str,
    at: Timestamp,
) -> Result<()> {
    let by = place_lead(tx, place).await?.unwrap_or(fund.admin);
    if !store::respond(tx, award, AwardStatus::Accepted, by, at).await? {
        return Err(StoreError::Malformed(format!(
            "demo: award {award} could not be accepted"
        )));
    }
    store::mark_underway(tx, fund.programme, place, issue).await
}

/// The first lead of a place, if any.
async fn place_lead(tx: &mut Tx, place: PlaceId) -> Result<Option<UserId>> {
    let row: Option<(i64,)> = on_tx!(tx, |conn| {
        sqlx::query_as("SELECT user_id FROM grants WHERE role = $1 AND scope_id = $2 ORDER BY id LIMIT 1")
            .bind(Role::PlaceLead.key())
            .bind(place.0)
            .fetch_optional(conn)
            .await?
    });
    Ok(row.map(|(id,)| UserId(id)))
}

/// The printed programme admin's id.
async fn programme_admin(tx: &mut Tx) -> Result<UserId> {
    let admin = DEMO_ACCOUNTS
        .iter()
        .find(|a| a.role == Role::ProgrammeAdmin)
        .ok_or(StoreError::NotFound)?;
    let email = Email::parse(admin.email).map_err(|e| StoreError::Malformed(e.to_string()))?;
    let id = users::by_email_tx(tx, &email)
        .await?
        .ok_or(StoreError::NotFound)?;
    Ok(UserId(id))
}

async fn place_id(tx: &mut Tx, reference: &str) -> Result<PlaceId> {
    let (id,): (i64,) = on_tx!(tx, |conn| {
        sqlx::query_as("SELECT id FROM places WHERE reference = $1")
            .bind(reference)
            .fetch_one(conn)
            .await?
    });
    Ok(PlaceId(id))
}

async fn award_exists(tx: &mut Tx, reference: &str) -> Result<bool> {
    let (n,): (i64,) = on_tx!(tx, |conn| {
        sqlx::query_as("SELECT COUNT(*) FROM awards WHERE reference = $1")
            .bind(reference)
            .fetch_one(conn)
            .await?
    });
    Ok(n > 0)
}
