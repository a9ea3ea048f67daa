//! The demo data: the Local Vision programme as the seeds describe it, two more programmes,
//! and made-up places and people. Loading it twice changes nothing.

use crate::applications::{self, SubmitOutcome};
use crate::signoffs::{self, Confirmation, NewRequest};
use crate::{Db, Result, Tx, forms, on_tx, programmes, users};
use convene_domain::accounts::{Grant, Role, hash_password};
use convene_domain::applications::answers_digest;
use convene_domain::forms::{Answers, FormDefinition, local_vision_template};
use convene_domain::rounds::RoundPlan;
use convene_domain::{Email, Pence, Timestamp};

/// The password every printed demo account shares.
pub const DEMO_PASSWORD: &str = "convene-demo-2026";

/// A demo account as printed by `convene demo`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoAccount {
    pub role: Role,
    pub name: &'static str,
    pub email: &'static str,
}

/// The accounts `convene demo` prints, one per role.
pub const DEMO_ACCOUNTS: [DemoAccount; 6] = [
    DemoAccount {
        role: Role::ServiceAdmin,
        name: "Ada Admin",
        email: "ada.admin@example.org",
    },
    DemoAccount {
        role: Role::ProgrammeAdmin,
        name: "Priya Programme",
        email: "priya.programme@example.org",
    },
    DemoAccount {
        role: Role::PanelMember,
        name: "Pat Panelworth",
        email: "pat.panel@example.org",
    },
    DemoAccount {
        role: Role::PlaceLead,
        name: "Lee Leadbetter",
        email: "lee.lead@example.org",
    },
    DemoAccount {
        role: Role::Enabler,
        name: "Eden Enablewell",
        email: "eden.enabler@example.org",
    },
    DemoAccount {
        role: Role::Participant,
        name: "Parker Partwell",
        email: "parker.participant@example.org",
    },
];

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

/// Made-up places: name, reference, region, breakthrough issue, status in Local Vision.
const PLACES: [(&str, &str, &str, &str, &str); 12] = [
    (
        "Westermoor",
        "PL-0001",
        "North West",
        "Changing patterns of sedentary behaviour",
        "underway",
    ),
    (
        "Northfold",
        "PL-0002",
        "North East",
        "Addressing excessive alcohol consumption",
        "underway",
    ),
    (
        "Southmere Vale",
        "PL-0003",
        "South West",
        "Data sharing between agencies",
        "underway",
    ),
    (
        "Eldercombe",
        "PL-0004",
        "South East",
        "Integrated care pathways between health and social services",
        "underway",
    ),
    (
        "Ravensby",
        "PL-0005",
        "Yorkshire and the Humber",
        "Targeted support for vulnerable older people",
        "underway",
    ),
    (
        "Thornwick",
        "PL-0006",
        "East Midlands",
        "Changing patterns of sedentary behaviour",
        "underway",
    ),
    (
        "Millbrook Downs",
        "PL-0007",
        "West Midlands",
        "Data sharing between agencies",
        "underway",
    ),
    (
        "Ashvale",
        "PL-0008",
        "East of England",
        "Addressing excessive alcohol consumption",
        "underway",
    ),
    (
        "Oakhurst Cross",
        "PL-0009",
        "London",
        "Frailty education across a whole system",
        "applicant",
    ),
    (
        "Larkspur Bay",
        "PL-0010",
        "South West",
        "A redesigned low risk chest pain pathway",
        "applicant",
    ),
    (
        "Fennick Marsh",
        "PL-0011",
        "East of England",
        "Support for people leaving hospital",
        "applicant",
    ),
    (
        "Greyhollow",
        "PL-0012",
        "North West",
        "Young people's mental health",
        "applicant",
    ),
];

const LOCAL_VISION_THEMES: &str = "Physical activity\nAlcohol\nData sharing between agencies\n\
Integrated care pathways\nSupport for vulnerable older people\nOther";

const LOCAL_VISION_SUMMARY: &str = "The System Leadership programme is a ground-breaking collaboration between \
Public Health England, National Skills Academy for Social Care, NHS Leadership Academy, Virtual Staff College, \
Local Government Association and the Leadership Centre, that enables areas to create system wide change \
through leadership collaboration and development. Together these partners have pooled resources to assemble \
a fund of over £1m to support up to 30 places in this breakthrough project.";

/// What loading the demo made, for the start-up message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Loaded {
    pub programmes: i64,
    pub places: i64,
    pub users: i64,
}

/// Loads the demo data (idempotent: everything is keyed by slug, reference or email).
pub async fn load(db: &Db, now: Timestamp) -> Result<Loaded> {
    let mut tx = db.begin().await?;
    let local_vision = upsert_programme(
        &mut tx,
        "local-vision",
        "Systems Leadership – Local Vision",
        LOCAL_VISION_SUMMARY,
        "localvision@example.org",
        now,
    )
    .await?;
    // Local Vision keeps its 2013 applications in every state for the demo to show, so it
    // has no retention rule; the other programmes have the default one.
    set_page_if_blank(&mut tx, local_vision, LOCAL_VISION_PAGE).await?;
    for (org_id, name, pounds) in LOCAL_VISION_PARTNERS {
        let org = upsert_organisation(&mut tx, org_id, name, "partner_body").await?;
        add_partner(&mut tx, local_vision, org, Pence::pounds(pounds)).await?;
    }
    let nhse = upsert_organisation(&mut tx, "GB-DEMO-NHSE", "NHS England", "partner_body").await?;
    let fund_2019 = upsert_programme(
        &mut tx,
        "system-leadership-fund-2019",
        "System leadership development fund 2019",
        "A £2 million programme to help 23 areas kick-start or boost leadership development \
         activities to support and inspire the workforce in health systems across England.",
        "leadershipfund@example.org",
        now,
    )
    .await?;
    add_partner(&mut tx, fund_2019, nhse, Pence::pounds(2_000_000)).await?;
    default_retention(&mut tx, fund_2019).await?;
    let lfc = upsert_programme(
        &mut tx,
        "leadership-for-change",
        "Leadership for Change",
        "For anyone responsible for implementing part or all of a Sustainability and Transformation \
         Plan, built on the six dimensions of systems leadership.",
        "leadershipforchange@example.org",
        now,
    )
    .await?;
    let lc = upsert_organisation(&mut tx, "GB-DEMO-LC", "Leadership Centre", "partner_body").await?;
    add_partner(&mut tx, lfc, lc, Pence::pounds(0)).await?;
    default_retention(&mut tx, lfc).await?;

    let round_2013 = programmes::insert_round(&mut tx, local_vision, &local_vision_2013()?, true).await?;
    let open_round = local_vision_open_round(now)?;
    let (opens_at, closes_at) = (open_round.opens_at, open_round.closes_at);
    let open_id = programmes::insert_round(&mut tx, local_vision, &open_round, true).await?;
    // The demonstration round is open whenever the demo starts, however long after the
    // database was first made.
    on_tx!(&mut tx, |conn| {
        sqlx::query("UPDATE rounds SET opens_at = $1, closes_at = $2 WHERE id = $3 AND closes_at < $4")
            .bind(opens_at.0)
            .bind(closes_at.0)
            .bind(open_id)
            .bind(now.0)
            .execute(conn)
            .await?;
    });

    let mut place_ids = Vec::new();
    for (name, reference, region, issue, status) in PLACES {
        let id = upsert_place(&mut tx, name, reference, region).await?;
        add_place_to_programme(&mut tx, local_vision, id, status, issue).await?;
        add_local_partners(&mut tx, id, name, reference).await?;
        place_ids.push(id);
    }
    let template = local_vision_template();
    let form_2013 = ensure_form(&mut tx, round_2013, &template, now).await?;
    ensure_form(&mut tx, open_id, &template, now).await?;

    for account in DEMO_ACCOUNTS {
        let email = Email::parse(account.email).map_err(|e| crate::StoreError::Malformed(e.to_string()))?;
        let user_id = match users::by_email_tx(&mut tx, &email).await? {
            Some(id) => id,
            None => {
                let hash =
                    hash_password(DEMO_PASSWORD).map_err(|e| crate::StoreError::Malformed(e.to_string()))?;
                users::create(&mut tx, &email, account.name, &hash, now).await?
            }
        };
        let scope = match account.role {
            Role::ProgrammeAdmin => Some(local_vision),
            Role::PanelMember => Some(round_2013),
            Role::PlaceLead => place_ids.first().copied(),
            _ => None,
        };
        let grant =
            Grant::new(account.role, scope).map_err(|e| crate::StoreError::Malformed(e.to_string()))?;
        users::grant(&mut tx, user_id, grant, now).await?;
        if account.role == Role::PlaceLead {
            // The demo lead leads a second place too, so the journey starts by asking which.
            let second = Grant::new(Role::PlaceLead, place_ids.get(8).copied())
                .map_err(|e| crate::StoreError::Malformed(e.to_string()))?;
            users::grant(&mut tx, user_id, second, now).await?;
        }
    }
    // The 2013 round's made-up applicants, one in each state an application can be in.
    let applicants = &place_ids[8..];
    for (place_id, state) in applicants.iter().zip(DEMO_APPLICATION_STATES) {
        demo_application(&mut tx, round_2013, *place_id, form_2013, &template, state).await?;
    }
    demo_news(&mut tx, local_vision, now).await?;
    tx.commit().await?;
    Ok(Loaded {
        programmes: 3,
        places: PLACES.len() as i64,
        users: DEMO_ACCOUNTS.len() as i64,
    })
}

/// The states of the made-up 2013 applications, in place order.
const DEMO_APPLICATION_STATES: [&str; 4] = ["submitted", "awaiting_signoff", "withdrawn", "draft"];

/// Gives a round the form when it has none yet; returns the current form's id.
async fn ensure_form(tx: &mut Tx, round_id: i64, form: &FormDefinition, now: Timestamp) -> Result<i64> {
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
        None => Ok(forms::insert_version(tx, round_id, form, now, true).await?.0),
    }
}

/// Three made-up local partners per place: the council, the health commissioners and the
/// voluntary sector.
async fn add_local_partners(tx: &mut Tx, place_id: i64, name: &str, reference: &str) -> Result<()> {
    for (suffix, what) in [
        ("COUNCIL", "Council"),
        ("CCG", "Clinical Commissioning Group"),
        ("CVS", "Voluntary Action"),
    ] {
        let org = upsert_organisation(
            tx,
            &format!("GB-DEMO-{reference}-{suffix}"),
            &format!("{name} {what}"),
            "local_partner",
        )
        .await?;
        on_tx!(tx, |conn| {
            sqlx::query(
                "INSERT INTO place_partners (place_id, organisation_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            )
            .bind(place_id)
            .bind(org)
            .execute(conn)
            .await?;
        });
    }
    Ok(())
}

/// A made-up application to the 2013 round, written as it would have been during it.
async fn demo_application(
    tx: &mut Tx,
    round_id: i64,
    place_id: i64,
    form_id: i64,
    form: &FormDefinition,
    state: &str,
) -> Result<()> {
    let written = london(2013, 5, 20, 14, 30, 0)?;
    let (id, created) = applications::start(tx, round_id, place_id, form_id, None, written).await?;
    if !created {
        return Ok(());
    }
    let (reference,): (String,) = on_tx!(tx, |conn| {
        sqlx::query_as("SELECT reference FROM places WHERE id = $1")
            .bind(place_id)
            .fetch_one(conn)
            .await?
    });
    let partners = ["COUNCIL", "CCG", "CVS"]
        .map(|s| format!("GB-DEMO-{reference}-{s}"))
        .join("\n");
    let texts: [(&str, &str); 4] = [
        (
            "breakthrough_issue",
            "Too many older residents are admitted to hospital after a fall at home. Our partners have \
             piloted joint visits in two wards and want to make them the way the whole place works.",
        ),
        (
            "gain_for_residents",
            "Fewer falls, fewer admissions, and more people living safely in their own homes for longer.",
        ),
        (
            "leadership_impact",
            "Leaders from the council, the health service and the voluntary sector will share one plan \
             and one budget for the first time.",
        ),
        (
            "wider_lessons",
            "How to pool a small budget across three partners. We will write it up on the knowledge hub \
             and host two visits from other places.",
        ),
    ];
    let mut all = Answers::new();
    for section in &form.sections {
        let mut answers = Answers::new();
        for q in &section.questions {
            let value = match q.key.as_str() {
                "partners" => partners.clone(),
                "theme" => "Support for vulnerable older people".to_string(),
                "contribution" => "1000000".to_string(),
                "supporting_letter" => String::new(),
                key => texts
                    .iter()
                    .find(|(k, _)| *k == key)
                    .map(|(_, t)| t.to_string())
                    .unwrap_or_default(),
            };
            answers.insert(q.key.clone(), value);
        }
        // A draft has only its first sections written.
        if state == "draft" && section.key == "lessons" {
            break;
        }
        applications::save_section(tx, id, form, &section.key, &answers, 0, None, written).await?;
        all.extend(answers);
    }
    if state == "draft" {
        return Ok(());
    }
    let (chair_name, chair_email): (String, String) = on_tx!(tx, |conn| {
        sqlx::query_as("SELECT hwb_chair_name, hwb_chair_email FROM places WHERE id = $1")
            .bind(place_id)
            .fetch_one(conn)
            .await?
    });
    let digest = answers_digest(&all);
    let token = convene_domain::accounts::secret_digest(&convene_domain::accounts::new_secret());
    let signoff = signoffs::request(
        tx,
        id,
        &NewRequest {
            kind: signoffs::CHAIR,
            name: &chair_name,
            email: &chair_email,
            organisation: "Health and Wellbeing Board",
            token_digest: &token,
            answers_digest: &digest,
            expires_at: written.plus_seconds(14 * 24 * 3600),
        },
        written,
    )
    .await?;
    applications::set_awaiting_signoff(tx, id).await?;
    if state == "awaiting_signoff" {
        return Ok(());
    }
    let signed = written.plus_seconds(2 * 24 * 3600);
    let confirmation = Confirmation {
        name: &chair_name,
        role: "Chair, Health and Wellbeing Board",
        comment: "The board supports this application and the partners named in it.",
    };
    signoffs::confirm(tx, signoff, &confirmation, signed).await?;
    if let SubmitOutcome::Submitted { .. } = applications::submit(tx, id, signed.plus_seconds(3600)).await?
        && state == "withdrawn"
    {
        applications::withdraw(
            tx,
            id,
            "The board chose to wait for a later round.",
            signed.plus_seconds(7200),
        )
        .await?;
    }
    Ok(())
}

fn london(y: i16, m: i8, d: i8, h: i8, min: i8, s: i8) -> Result<Timestamp> {
    Timestamp::from_london(y, m, d, h, min, s).map_err(|e| crate::StoreError::Malformed(e.to_string()))
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

/// The public Local Vision page: every fact of the 2013 call (seed 000), in Markdown.
const LOCAL_VISION_PAGE: &str = include_str!("../demo/local-vision-page.md");

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

async fn upsert_organisation(tx: &mut Tx, org_id: &str, name: &str, kind: &str) -> Result<i64> {
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

async fn upsert_place(tx: &mut Tx, name: &str, reference: &str, region: &str) -> Result<i64> {
    let chair = format!("Chair of {name} Health and Wellbeing Board");
    let chair_email = format!("hwb.chair@{}.example.org", name.to_lowercase().replace(' ', "-"));
    on_tx!(tx, |conn| {
        sqlx::query(
            "INSERT INTO places (reference, name, kind, region, hwb_chair_name, hwb_chair_email) \
             VALUES ($1, $2, 'council', $3, $4, $5) ON CONFLICT (reference) DO NOTHING",
        )
        .bind(reference)
        .bind(name)
        .bind(region)
        .bind(&chair)
        .bind(&chair_email)
        .execute(&mut *conn)
        .await?;
        let (id,): (i64,) = sqlx::query_as("SELECT id FROM places WHERE reference = $1")
            .bind(reference)
            .fetch_one(conn)
            .await?;
        Ok(id)
    })
}

async fn add_place_to_programme(
    tx: &mut Tx,
    programme_id: i64,
    place_id: i64,
    status: &str,
    issue: &str,
) -> Result<()> {
    on_tx!(tx, |conn| {
        sqlx::query(
            "INSERT INTO programme_places (programme_id, place_id, status, breakthrough_issue) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (programme_id, place_id) DO NOTHING",
        )
        .bind(programme_id)
        .bind(place_id)
        .bind(status)
        .bind(issue)
        .execute(conn)
        .await?;
        Ok(())
    })
}

/// Made-up Local Vision news: two published items and one scheduled a month ahead, keyed by
/// slug so loading again adds nothing.
async fn demo_news(tx: &mut Tx, programme_id: i64, now: Timestamp) -> Result<()> {
    let day = 24 * 3600;
    // Slug, title, summary, body, seconds from now to publish, tags.
    type DemoItem<'a> = (&'a str, &'a str, &'a str, &'a str, i64, &'a [&'a str]);
    let items: [DemoItem; 3] = [
        (
            "applications-for-the-next-nine-cohorts-open-on-27-august",
            "Applications for the next nine cohorts open on 27 August",
            "Places can apply to join one of nine new cohorts of the programme from 27 August.",
            "Applications for the next nine cohorts open on **27 August**.\n\nEach cohort brings together leaders from \
             several places to work on their breakthrough issues with an enabler. Read the call on the \
             [programme page](/programmes/local-vision/about) and start your application from there.",
            -3 * day,
            &["applications", "cohorts"],
        ),
        (
            "learning-from-the-first-places-on-the-knowledge-hub",
            "Learning from the first places, now on the knowledge hub",
            "The eight places already underway are sharing what they have learned so far.",
            "The places already underway have started sharing their learning on the knowledge hub: \
             what worked when changing patterns of sedentary behaviour, and what data sharing between \
             agencies needed.\n\n- Notes from the first learning network\n- Short case studies from two places",
            -10 * day,
            &["knowledge-hub", "learning"],
        ),
        (
            "launch-event-for-new-places",
            "Launch event for new places",
            "Successful places will meet at a launch event in central London.",
            "Successful applicants will be invited to a launch event in central London. Please hold the \
             date in your diaries once your place hears it has been successful.",
            30 * day,
            &["applications", "launch-event"],
        ),
    ];
    for (slug, title, summary, body, offset, tags) in items {
        on_tx!(tx, |conn| {
            sqlx::query(
                "INSERT INTO news_items (programme_id, slug, title, summary, body_markdown, publish_at, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $6) ON CONFLICT (slug) DO NOTHING",
            )
            .bind(programme_id)
            .bind(slug)
            .bind(title)
            .bind(summary)
            .bind(body)
            .bind(now.plus_seconds(offset).0)
            .bind(now.0)
            .execute(&mut *conn)
            .await?;
            for tag in tags {
                sqlx::query(
                    "INSERT INTO news_tags (news_id, tag) SELECT id, $2 FROM news_items WHERE slug = $1 \
                     ON CONFLICT (news_id, tag) DO NOTHING",
                )
                .bind(slug)
                .bind(*tag)
                .execute(&mut *conn)
                .await?;
            }
        });
    }
    Ok(())
}
