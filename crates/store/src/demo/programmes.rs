//! The demo's programmes: Local Vision with its partner bodies, public page, 2013 round
//! and an open demonstration round, and two more programmes with one partner each.

use super::london;
use crate::{Result, Tx, forms, on_tx};
use convene_domain::forms::FormDefinition;
use convene_domain::rounds::RoundPlan;
use convene_domain::{Pence, Timestamp};
use convene_domain::{ProgrammeId, RoundId};

/// Partner bodies of Local Vision (named in the seeds) and an illustrative share of the
/// pooled fund ("over £1m": the split between partners is not published, so it is made up).
const LOCAL_VISION_PARTNERS: [(&str, &str, i64); 6] = [
    ("GB-DEMO-PHE", "Public Health England", 250_000),
    (
        "GB-DEMO-NSASC",
        "National Skills Academy for Social Care",
        100_000,
    ),
    ("GB-DEMO-NHSLA", "NHS Leadership Academy", 250_000),
    ("GB-DEMO-VSC", "Virtual Staff College", 100_000),
    ("GB-DEMO-LGA", "Local Government Association", 150_000),
    ("GB-DEMO-LC", "Leadership Centre", 200_000),
];

pub(super) const LOCAL_VISION_THEMES: &str = "Physical activity\nAlcohol\nData sharing between agencies\n\
Integrated care pathways\nSupport for vulnerable older people\nOther";

const LOCAL_VISION_SUMMARY: &str = "The System Leadership programme is a ground-breaking collaboration between \
Public Health England, National Skills Academy for Social Care, NHS Leadership Academy, Virtual Staff College, \
Local Government Association and the Leadership Centre, that enables areas to create system wide change \
through leadership collaboration and development. Together these partners have pooled resources to assemble \
a fund of over £1m to support up to 30 places in this breakthrough project.";

/// The public Local Vision page: every fact of the 2013 call (seed 000), in Markdown.
const LOCAL_VISION_PAGE: &str = include_str!("../../demo/local-vision-page.md");

/// Makes (or finds) the three programmes and their partners; returns Local Vision's id.
pub(super) async fn load_programmes(tx: &mut Tx, now: Timestamp) -> Result<i64> {
    let local_vision = upsert_programme(
        tx,
        "local-vision",
        "Systems Leadership – Local Vision",
        LOCAL_VISION_SUMMARY,
        "localvision@example.org",
        now,
    )
    .await?;
    // Local Vision keeps its 2013 applications in every state for the demo to show, so it
    // has no retention rule; the other programmes have the default one.
    set_page_if_blank(tx, local_vision, LOCAL_VISION_PAGE).await?;
    for (org_id, name, pounds) in LOCAL_VISION_PARTNERS {
        let org = upsert_organisation(tx, org_id, name, "partner_body").await?;
        add_partner(tx, local_vision, org, Pence::pounds(pounds)).await?;
    }
    let nhse = upsert_organisation(tx, "GB-DEMO-NHSE", "NHS England", "partner_body").await?;
    let fund_2019 = upsert_programme(
        tx,
        "system-leadership-fund-2019",
        "System leadership development fund 2019",
        "A £2 million programme to help 23 areas kick-start or boost leadership development \
         activities to support and inspire the workforce in health systems across England.",
        "leadershipfund@example.org",
        now,
    )
    .await?;
    add_partner(tx, fund_2019, nhse, Pence::pounds(2_000_000)).await?;
    default_retention(tx, fund_2019).await?;
    let lfc = upsert_programme(
        tx,
        "leadership-for-change",
        "Leadership for Change",
        "For anyone responsible for implementing part or all of a Sustainability and Transformation \
         Plan, built on the six dimensions of systems leadership.",
        "leadershipforchange@example.org",
        now,
    )
    .await?;
    let lc = upsert_organisation(tx, "GB-DEMO-LC", "Leadership Centre", "partner_body").await?;
    add_partner(tx, lfc, lc, Pence::pounds(0)).await?;
    default_retention(tx, lfc).await?;
    Ok(local_vision)
}

/// Makes (or finds) Local Vision's 2013 round and its demonstration round, and keeps the
/// latter open; returns their ids.
pub(super) async fn load_rounds(tx: &mut Tx, local_vision: i64, now: Timestamp) -> Result<(i64, i64)> {
    let round_2013 =
        crate::programmes::insert_round(tx, ProgrammeId(local_vision), &local_vision_2013()?, true).await?;
    let open_round = local_vision_open_round(now)?;
    let (opens_at, closes_at) = (open_round.opens_at, open_round.closes_at);
    let open_id = crate::programmes::insert_round(tx, ProgrammeId(local_vision), &open_round, true).await?;
    // The demonstration round is open whenever the demo starts, however long after the
    // database was first made.
    on_tx!(tx, |conn| {
        sqlx::query("UPDATE rounds SET opens_at = $1, closes_at = $2 WHERE id = $3 AND closes_at < $4")
            .bind(opens_at.0)
            .bind(closes_at.0)
            .bind(open_id)
            .bind(now.0)
            .execute(conn)
            .await?;
    });
    Ok((round_2013, open_id))
}

/// Gives a round the form when it has none yet; returns the current form's id.
pub(super) async fn ensure_form(
    tx: &mut Tx,
    round_id: i64,
    form: &FormDefinition,
    now: Timestamp,
) -> Result<i64> {
    let existing: Option<(i64,)> = on_tx!(tx, |conn| {
        sqlx::query_as(
            "SELECT id FROM forms WHERE round_id = $1 AND published_at IS NOT NULL ORDER BY version DESC LIMIT 1",
        )
            .bind(round_id)
            .fetch_optional(conn)
            .await?
    });
    match existing {
        Some((id,)) => Ok(id),
        None => Ok(forms::insert_version(tx, RoundId(round_id), form, now, true)
            .await?
            .0),
    }
}

/// The Local Vision 2013 round as the call for applications describes it.
fn local_vision_2013() -> Result<RoundPlan> {
    Ok(RoundPlan {
        slug: "2013".into(),
        name: "Local Vision 2013".into(),
        reference_prefix: "LV-2013".into(),
        opens_at: london(2013, 4, 22, 9, 0, 0)?,
        closes_at: london(2013, 5, 24, 23, 59, 59)?,
        places_offered: 22,
        eligibility: "Places in England, applying by a letter signed by the chair of the Health and \
                      Wellbeing Board confirming which relevant local partners are engaged."
            .into(),
        review_ends_at: london(2013, 6, 7, 17, 0, 0)?,
        notify_by: london(2013, 6, 10, 17, 0, 0)?,
        launch_event_at: Some(london(2013, 6, 28, 10, 0, 0)?),
        launch_event_location: Some("Central London".into()),
        value_per_place: Pence::pounds(35_000),
        themes: LOCAL_VISION_THEMES.lines().map(str::to_string).collect(),
    })
}

/// A made-up round that is open from the moment the demo first loads, for 60 days.
fn local_vision_open_round(now: Timestamp) -> Result<RoundPlan> {
    let closes = now
        .plus_seconds(60 * 24 * 3600)
        .to_jiff()
        .to_zoned_datetime(convene_domain::time::london());
    let closes_at = london(closes.year(), closes.month(), closes.day(), 23, 59, 59)?;
    Ok(RoundPlan {
        slug: "demo-open".into(),
        name: "Local Vision (demonstration round)".into(),
        reference_prefix: "LV-DEMO".into(),
        opens_at: now.plus_seconds(-24 * 3600),
        closes_at,
        places_offered: 10,
        eligibility: "Any made-up place in this demonstration, with its Health and Wellbeing Board chair's \
                      sign-off."
            .into(),
        review_ends_at: closes_at.plus_seconds(14 * 24 * 3600),
        notify_by: closes_at.plus_seconds(17 * 24 * 3600),
        launch_event_at: None,
        launch_event_location: None,
        value_per_place: Pence::pounds(35_000),
        themes: LOCAL_VISION_THEMES.lines().map(str::to_string).collect(),
    })
}

/// Makes a programme unless one has the slug; returns its id.
async fn upsert_programme(
    tx: &mut Tx,
    slug: &str,
    name: &str,
    summary: &str,
    contact: &str,
    now: Timestamp,
) -> Result<i64> {
    on_tx!(tx, |conn| {
        sqlx::query(
            "INSERT INTO programmes (slug, name, summary, contact_email, created_at) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (slug) DO NOTHING",
        )
        .bind(slug)
        .bind(name)
        .bind(summary)
        .bind(contact)
        .bind(now.0)
        .execute(&mut *conn)
        .await?;
        let (id,): (i64,) = sqlx::query_as("SELECT id FROM programmes WHERE slug = $1")
            .bind(slug)
            .fetch_one(conn)
            .await?;
        Ok(id)
    })
}

/// Gives a programme the default retention rule unless it has one (an admin may have
/// changed it since).
async fn default_retention(tx: &mut Tx, programme_id: i64) -> Result<()> {
    on_tx!(tx, |conn| {
        sqlx::query(
            "INSERT INTO retention_rules (programme_id, kind, after_days) VALUES ($1, $2, $3) \
             ON CONFLICT (programme_id, kind) DO NOTHING",
        )
        .bind(programme_id)
        .bind(convene_domain::retention::RetentionKind::UnsubmittedApplications.key())
        .bind(convene_domain::retention::DEFAULT_DRAFT_DAYS)
        .execute(conn)
        .await?;
        Ok(())
    })
}

/// Sets a programme's public page unless an admin has already written one.
async fn set_page_if_blank(tx: &mut Tx, programme_id: i64, markdown: &str) -> Result<()> {
    on_tx!(tx, |conn| {
        sqlx::query("UPDATE programmes SET page_markdown = $1 WHERE id = $2 AND page_markdown = ''")
            .bind(markdown)
            .bind(programme_id)
            .execute(conn)
            .await?;
        Ok(())
    })
}

/// Makes an organisation unless one has the org-id; returns its id.
pub(super) async fn upsert_organisation(tx: &mut Tx, org_id: &str, name: &str, kind: &str) -> Result<i64> {
    on_tx!(tx, |conn| {
        sqlx::query("INSERT INTO organisations (org_id, name, kind) VALUES ($1, $2, $3) ON CONFLICT (org_id) DO NOTHING")
            .bind(org_id)
            .bind(name)
            .bind(kind)
            .execute(&mut *conn)
            .await?;
        let (id,): (i64,) = sqlx::query_as("SELECT id FROM organisations WHERE org_id = $1")
            .bind(org_id)
            .fetch_one(conn)
            .await?;
        Ok(id)
    })
}

/// Records a partner body's contribution unless it has one (an admin may have changed it).
async fn add_partner(tx: &mut Tx, programme_id: i64, organisation_id: i64, amount: Pence) -> Result<()> {
    on_tx!(tx, |conn| {
        sqlx::query(
            "INSERT INTO programme_partners (programme_id, organisation_id, contribution_pence) VALUES ($1, $2, $3) \
             ON CONFLICT (programme_id, organisation_id) DO NOTHING",
        )
        .bind(programme_id)
        .bind(organisation_id)
        .bind(amount.0)
        .execute(conn)
        .await?;
        Ok(())
    })
}
