//! The made-up applications to Local Vision's 2013 round, one in each state, written as
//! they would have been during the round.

use super::london;
use crate::applications::{self, SubmitOutcome};
use crate::signoffs::{self, Confirmation, NewRequest};
use crate::{Result, Tx, on_tx};
use convene_domain::ApplicationId;
use convene_domain::Timestamp;
use convene_domain::applications::answers_digest;
use convene_domain::forms::{Answers, FormDefinition};
use convene_domain::{PlaceId, RoundId};

/// The states of the made-up 2013 applications, in place order.
pub(super) const DEMO_APPLICATION_STATES: [&str; 4] = ["submitted", "awaiting_signoff", "withdrawn", "draft"];

/// The made-up answers to the letter's numbered points, by question key.
const TEXTS: [(&str, &str); 4] = [
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

/// A made-up application to the 2013 round, written as it would have been during it.
pub(super) async fn demo_application(
    tx: &mut Tx,
    round_id: i64,
    place_id: i64,
    form_id: i64,
    form: &FormDefinition,
    state: &str,
) -> Result<()> {
    let written = london(2013, 5, 20, 14, 30, 0)?;
    let (id, created) =
        applications::start(tx, RoundId(round_id), PlaceId(place_id), form_id, None, written).await?;
    if !created {
        return Ok(());
    }
    let letter = Letter {
        theme: "Support for vulnerable older people",
        texts: &TEXTS,
    };
    let all = write_answers(tx, id, place_id, form, &letter, state == "draft", written).await?;
    if state == "draft" {
        return Ok(());
    }
    sign_off_and_submit(tx, id, place_id, &all, state, written).await
}

/// What a made-up application says: the theme it picks and its answers to the letter's
/// numbered points, by question key.
pub(super) struct Letter<'a> {
    pub theme: &'a str,
    pub texts: &'a [(&'a str, &'a str)],
}

/// Saves the application's sections (a draft only its first ones); returns every answer
/// saved.
pub(super) async fn write_answers(
    tx: &mut Tx,
    id: i64,
    place_id: i64,
    form: &FormDefinition,
    letter: &Letter<'_>,
    draft: bool,
    written: Timestamp,
) -> Result<Answers> {
    let (reference,): (String,) = on_tx!(tx, |conn| {
        sqlx::query_as("SELECT reference FROM places WHERE id = $1")
            .bind(place_id)
            .fetch_one(conn)
            .await?
    });
    let partners = ["COUNCIL", "CCG", "CVS"]
        .map(|s| format!("GB-DEMO-{reference}-{s}"))
        .join("\n");
    let mut all = Answers::new();
    for section in &form.sections {
        let mut answers = Answers::new();
        for q in &section.questions {
            let value = match q.key.as_str() {
                "partners" => partners.clone(),
                "theme" => letter.theme.to_string(),
                "contribution" => "1000000".to_string(),
                "supporting_letter" => String::new(),
                key => letter
                    .texts
                    .iter()
                    .find(|(k, _)| *k == key)
                    .map(|(_, t)| t.to_string())
                    .unwrap_or_default(),
            };
            answers.insert(q.key.clone(), value);
        }
        // A draft has only its first sections written.
        if draft && section.key == "lessons" {
            break;
        }
        let save = applications::SectionSave {
            application_id: ApplicationId(id),
            form,
            section_key: &section.key,
            answers: &answers,
            expected_version: 0,
            user_id: None,
        };
        applications::save_section(tx, &save, written).await?;
        all.extend(answers);
    }
    Ok(all)
}

/// Asks the place's board chair to sign off the answers in `all`; unless the application
/// is to stay awaiting sign-off, the chair signs two days later and it is submitted (and
/// then withdrawn, for the withdrawn one).
pub(super) async fn sign_off_and_submit(
    tx: &mut Tx,
    id: i64,
    place_id: i64,
    all: &Answers,
    state: &str,
    written: Timestamp,
) -> Result<()> {
    let (chair_name, chair_email): (String, String) = on_tx!(tx, |conn| {
        sqlx::query_as("SELECT hwb_chair_name, hwb_chair_email FROM places WHERE id = $1")
            .bind(place_id)
            .fetch_one(conn)
            .await?
    });
    let digest = answers_digest(all);
    let token = convene_domain::accounts::secret_digest(&convene_domain::accounts::new_secret());
    let signoff = signoffs::request(
        tx,
        ApplicationId(id),
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
    applications::set_awaiting_signoff(tx, ApplicationId(id)).await?;
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
    if let SubmitOutcome::Submitted { .. } =
        applications::submit(tx, ApplicationId(id), signed.plus_seconds(3600)).await?
        && state == "withdrawn"
    {
        applications::withdraw(
            tx,
            ApplicationId(id),
            "The board chose to wait for a later round.",
            signed.plus_seconds(7200),
        )
        .await?;
    }
    Ok(())
}
